/*
 * test_wxmsg.c: the official account's message crypto and XML
 * (services/wxmsg.c) against the vectors of wechat-protocols.md §6.1 and
 * §10.2, round trips, and tampered inputs that must all be refused: a
 * flipped byte, another appid, padding 0 or over 32, a length that does
 * not fit, bad base64, a DOCTYPE. No network.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "base/base.h"
#include "services/wxmsg.h"

static const char AESKEY[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
static const char APPID[] = "wx1234567890abcdef";
static const char MSG[] = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName>"
    "<Content><![CDATA[hi]]></Content></xml>";
static const char ENCRYPT[] = "jn1L23DB+6ELqJ+6bruv2yDwYr7fdND79v/M7A+qTBgn"
    "xCrIq3uV21xPHp5dCWLptI77EOaWyTGNtJU89VPzjnQQPlnMt13ntb4C5fdUkznOnT3dBh"
    "wsDcSaybTFNnM1yZpIDLlHzw+3b9IWkbvNCejcycAZbkcwP9UY1xBiE7M=";

static void
test_url_signature_vector(void **state)
{
	const char	*v[] = { "testtoken", "1700000000", "123456789" };
	char		 sig[41];

	(void)state;
	wxmsg_sign(v, 3, sig);
	assert_string_equal(sig, "1224ee560df62329b43aeee20636a0defb583ee4");
	assert_true(wxmsg_sig_ok("testtoken", "1700000000", "123456789", NULL,
	    "1224ee560df62329b43aeee20636a0defb583ee4"));
	assert_true(wxmsg_sig_ok("testtoken", "1700000000", "123456789", NULL,
	    "1224EE560DF62329B43AEEE20636A0DEFB583EE4"));
	assert_false(wxmsg_sig_ok("testtoken", "1700000001", "123456789", NULL,
	    "1224ee560df62329b43aeee20636a0defb583ee4"));
	assert_false(wxmsg_sig_ok("testtoken", "1700000000", "123456789", NULL,
	    "1224ee560df62329b43aeee20636a0defb583ee"));
	assert_false(wxmsg_sig_ok("", "1700000000", "123456789", NULL,
	    "1224ee560df62329b43aeee20636a0defb583ee4"));
	assert_false(wxmsg_sig_ok("testtoken", NULL, "123456789", NULL,
	    "1224ee560df62329b43aeee20636a0defb583ee4"));
	assert_false(wxmsg_sig_ok("testtoken", "1700000000", "123456789", NULL,
	    NULL));
}

static void
test_msg_signature_vector(void **state)
{
	(void)state;
	assert_true(wxmsg_sig_ok("testtoken", "1700000000", "123456789",
	    ENCRYPT, "d24bec6ad272148a0850ed082341c10c2c1248f9"));
	assert_false(wxmsg_sig_ok("testtoken", "1700000000", "123456789",
	    "x" /* another Encrypt */,
	    "d24bec6ad272148a0850ed082341c10c2c1248f9"));
}

static void
test_aes_key(void **state)
{
	static const unsigned char want[32] = {
		0x69, 0xb7, 0x1d, 0x79, 0xf8, 0x21, 0x8a, 0x39, 0x25, 0x9a,
		0x7a, 0x29, 0xaa, 0xbb, 0x2d, 0xba, 0xfc, 0x31, 0xcb, 0x3d,
		0x35, 0xdb, 0x7e, 0x39, 0xeb, 0xbf, 0x3d, 0x00, 0x10, 0x83,
		0x10, 0x51 };
	unsigned char	key[32];

	(void)state;
	assert_int_equal(wxmsg_aes_key(AESKEY, key), 0);
	assert_memory_equal(key, want, 32);
	assert_int_equal(wxmsg_aes_key("abc", key), -1);
	assert_int_equal(wxmsg_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF!",
	    key), -1);
	assert_int_equal(wxmsg_aes_key(NULL, key), -1);
}

static void
test_decrypt_vector(void **state)
{
	unsigned char	 key[32];
	struct buf	 out;
	const char	*why;

	(void)state;
	assert_int_equal(wxmsg_aes_key(AESKEY, key), 0);
	buf_init(&out, 64);
	assert_int_equal(wxmsg_decrypt(key, ENCRYPT, APPID, &out, &why), 0);
	assert_int_equal(out.len, 85);
	assert_string_equal(buf_cstr(&out), MSG);
	out.len = 0;
	assert_int_equal(wxmsg_decrypt(key, ENCRYPT, "wx1234567890abcdee", &out,
	    &why), -1);
	assert_string_equal(why, "another appid");
	assert_int_equal(wxmsg_decrypt(key, ENCRYPT, "wx1234567890abcde", &out,
	    &why), -1);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void
test_encrypt_matches_vector_and_round_trips(void **state)
{
	unsigned char	 key[32], rnd[16];
	struct buf	 e, d;
	const char	*why;
	char		 msg[3000];
	int		 i, n;

	(void)state;
	assert_int_equal(wxmsg_aes_key(AESKEY, key), 0);
	buf_init(&e, 256);
	assert_int_equal(wxmsg_encrypt(key, (const unsigned char *)
	    "aaaabbbbccccdddd", MSG, strlen(MSG), APPID, &e), 0);
	assert_string_equal(buf_cstr(&e), ENCRYPT);
	buf_init(&d, 256);
	for (n = 0; n < (int)sizeof(msg); n += 97) {
		for (i = 0; i < n; i++)
			msg[i] = (char)('a' + (i * 7 + n) % 26);
		for (i = 0; i < 16; i++)
			rnd[i] = (unsigned char)(i * 13 + n);
		e.len = d.len = 0;
		assert_int_equal(wxmsg_encrypt(key, rnd, msg, (size_t)n, APPID,
		    &e), 0);
		assert_int_equal(wxmsg_decrypt(key, buf_cstr(&e), APPID, &d,
		    &why), 0);
		assert_int_equal(d.len, n);
		assert_memory_equal(d.p, msg, n);
	}
	buf_free(&e);
	buf_free(&d);
}

/* key-encrypt raw plaintext bytes (own padding) as base64. */
static char *
raw_encrypt(const unsigned char *key, const unsigned char *pt, int n)
{
	unsigned char	 ct[512];
	static char	 out[1024];
	EVP_CIPHER_CTX	*x = EVP_CIPHER_CTX_new();
	int		 a, b;

	assert_true(n % 16 == 0 && n <= (int)sizeof(ct));
	assert_int_equal(EVP_EncryptInit_ex(x, EVP_aes_256_cbc(), NULL, key,
	    key), 1);
	EVP_CIPHER_CTX_set_padding(x, 0);
	assert_int_equal(EVP_EncryptUpdate(x, ct, &a, pt, n), 1);
	assert_int_equal(EVP_EncryptFinal_ex(x, ct + a, &b), 1);
	EVP_CIPHER_CTX_free(x);
	EVP_EncodeBlock((unsigned char *)out, ct, a + b);
	return out;
}

static void
test_tampered_inputs_refused(void **state)
{
	unsigned char	 key[32], pt[128];
	struct buf	 d;
	const char	*why;
	char		 bad[sizeof(ENCRYPT)];
	size_t		 i;
	int		 k;

	(void)state;
	assert_int_equal(wxmsg_aes_key(AESKEY, key), 0);
	buf_init(&d, 64);
	/* Any one base64 character changed: never the message. */
	for (i = 0; i + 1 < strlen(ENCRYPT); i += 7) {
		memcpy(bad, ENCRYPT, sizeof(ENCRYPT));
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		d.len = 0;
		if (wxmsg_decrypt(key, bad, APPID, &d, &why) == 0)
			assert_true(d.len != 85 ||
			    memcmp(d.p, MSG, 85) != 0);
		else
			assert_non_null(why);
	}
	/* Block-level flips in the last block break the padding/appid. */
	memcpy(bad, ENCRYPT, sizeof(ENCRYPT));
	bad[strlen(bad) - 5] ^= 1;
	assert_int_equal(wxmsg_decrypt(key, bad, APPID, &d, &why), -1);
	assert_int_equal(wxmsg_decrypt(key, "not base64!", APPID, &d, &why), -1);
	assert_string_equal(why, "bad base64");
	assert_int_equal(wxmsg_decrypt(key, "QUJD", APPID, &d, &why), -1);
	assert_string_equal(why, "bad block size");
	assert_int_equal(wxmsg_decrypt(key, "", APPID, &d, &why), -1);
	assert_int_equal(wxmsg_decrypt(key, NULL, APPID, &d, &why), -1);
	/* Padding bytes 0, 33, and unequal ones; a length past the end. */
	for (k = 0; k < 4; k++) {
		memset(pt, 'r', 16);
		pt[16] = pt[17] = pt[18] = 0;
		pt[19] = k == 3 ? 200 : 2;
		memcpy(pt + 20, "hi", 2);
		memcpy(pt + 22, APPID, 18);
		memset(pt + 40, k == 0 ? 0 : k == 1 ? 33 : 24, 24);
		if (k == 2)
			pt[50] = 23;
		if (k == 3)
			memset(pt + 40, 24, 24);
		d.len = 0;
		assert_int_equal(wxmsg_decrypt(key, raw_encrypt(key, pt, 64),
		    APPID, &d, &why), -1);
		assert_string_equal(why, k == 3 ? "length does not fit" :
		    "bad padding");
	}
	/* The same layout well padded is read: the checks are the cause. */
	pt[19] = 2;
	memset(pt + 40, 24, 24);
	d.len = 0;
	assert_int_equal(wxmsg_decrypt(key, raw_encrypt(key, pt, 64), APPID,
	    &d, &why), 0);
	assert_string_equal(buf_cstr(&d), "hi");
	buf_free(&d);
}

static void
test_parse(void **state)
{
	struct arena	*a = arena_new(4096);
	struct wxmsg	 m;
	const char	*x;

	(void)state;
	x = "<xml><ToUserName><![CDATA[gh_xxx]]></ToUserName><FromUserName>"
	    "<![CDATA[oOPENID]]></FromUserName><CreateTime>123456789"
	    "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event>"
	    "<![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_bind:9f3a"
	    "]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>"
	    "<ScanCodeInfo><ScanType>x</ScanType></ScanCodeInfo></xml>";
	assert_int_equal(wxmsg_parse(a, x, strlen(x), &m), 0);
	assert_string_equal(m.to, "gh_xxx");
	assert_string_equal(m.from, "oOPENID");
	assert_string_equal(m.create_time, "123456789");
	assert_string_equal(m.msg_type, "event");
	assert_string_equal(m.event, "subscribe");
	assert_string_equal(m.event_key, "qrscene_bind:9f3a");
	assert_string_equal(m.ticket, "TICKET");
	assert_null(m.msg_id);
	x = "<xml><ToUserName>gh_1</ToUserName><Encrypt><![CDATA[abc=]]>"
	    "</Encrypt></xml>";
	assert_int_equal(wxmsg_parse(a, x, strlen(x), &m), 0);
	assert_string_equal(m.encrypt, "abc=");
	x = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY e SYSTEM "
	    "\"file:///etc/passwd\">]><xml><FromUserName>&e;</FromUserName>"
	    "</xml>";
	assert_int_equal(wxmsg_parse(a, x, strlen(x), &m), -1);
	assert_null(m.from);
	x = "<other><FromUserName>o</FromUserName></other>";
	assert_int_equal(wxmsg_parse(a, x, strlen(x), &m), -1);
	x = "<xml><FromUserName>o</FromUserName>";
	assert_int_equal(wxmsg_parse(a, x, strlen(x), &m), -1);
	assert_int_equal(wxmsg_parse(a, "{\"a\":1}", 7, &m), -1);
	assert_int_equal(wxmsg_parse(a, "", 0, &m), -1);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_signature_vector),
		cmocka_unit_test(test_msg_signature_vector),
		cmocka_unit_test(test_aes_key),
		cmocka_unit_test(test_decrypt_vector),
		cmocka_unit_test(test_encrypt_matches_vector_and_round_trips),
		cmocka_unit_test(test_tampered_inputs_refused),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
