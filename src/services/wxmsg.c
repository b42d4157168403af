/*
 * wxmsg.c -- the official account's server messages (§6): signatures
 * (SHA-1 of the sorted values), safe mode (AES-256-CBC, IV the key's
 * first 16 bytes, PKCS#7 padding to 32-byte blocks done here, OpenSSL's
 * own off; plaintext random(16) | len (4, big-endian) | msg | appid) and
 * the flat XML, read with expat: a DOCTYPE or an entity declaration
 * stops it (no XXE, no entity expansion). Every check says no rather
 * than guess.
 */
#include "base/base.h"
#include "services/wxmsg.h"

#include <expat.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#define PAD_BLOCK	32

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
wxmsg_sign(const char *const *v, int n, char *out)
{
	unsigned char	 md[SHA_DIGEST_LENGTH];
	const char	*s[8];
	struct buf	 b;
	int		 i;

	if (n > 8)
		n = 8;
	for (i = 0; i < n; i++)
		s[i] = v[i];
	qsort(s, n, sizeof(s[0]), cmp_str);
	buf_init(&b, 256);
	for (i = 0; i < n; i++)
		buf_adds(&b, s[i]);
	SHA1((const unsigned char *)b.p, b.len, md);
	buf_free(&b);
	hex_encode(md, sizeof(md), out);
}

int
wxmsg_sig_ok(const char *token, const char *ts, const char *nonce,
    const char *encrypt, const char *sig)
{
	const char	*v[4] = { token, ts, nonce, encrypt };
	char		 want[41], got[41];
	size_t		 i;

	if (token == NULL || *token == '\0' || ts == NULL || nonce == NULL ||
	    sig == NULL || strlen(sig) != 40)
		return 0;
	for (i = 0; i < 40; i++)	/* WeChat sends lower case */
		got[i] = (char)tolower((unsigned char)sig[i]);
	got[40] = '\0';
	wxmsg_sign(v, encrypt != NULL ? 4 : 3, want);
	return CRYPTO_memcmp(want, got, 40) == 0;
}

/* Standard base64 of s (no spaces) into out, at most max bytes: its
 * length, or -1. */
static int
b64_decode(const char *s, unsigned char *out, size_t max)
{
	size_t	n = strlen(s), pad = 0;
	int	len;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > max ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=") != n)
		return -1;
	if (s[n - 1] == '=')
		pad++;
	if (s[n - 2] == '=')
		pad++;
	if (memchr(s, '=', n - pad) != NULL)
		return -1;
	if ((len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n)) < 0)
		return -1;
	return len - (int)pad;
}

int
wxmsg_aes_key(const char *enc, unsigned char *key)
{
	unsigned char	buf[33];
	char		s[WXMSG_AES_KEY_LEN + 2];

	if (enc == NULL || strlen(enc) != WXMSG_AES_KEY_LEN)
		return -1;
	memcpy(s, enc, WXMSG_AES_KEY_LEN);
	s[WXMSG_AES_KEY_LEN] = '=';
	s[WXMSG_AES_KEY_LEN + 1] = '\0';
	if (b64_decode(s, buf, sizeof(buf)) != 32)
		return -1;
	memcpy(key, buf, 32);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* AES-256-CBC of n bytes (a multiple of 16), no padding: 0 or -1. */
static int
cbc(const unsigned char *key, int enc, const unsigned char *in, size_t n,
    unsigned char *out)
{
	EVP_CIPHER_CTX	*x;
	int		 a = 0, b = 0, ok;

	if ((x = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_CipherInit_ex(x, EVP_aes_256_cbc(), NULL, key, key, enc) ==
	    1 && EVP_CIPHER_CTX_set_padding(x, 0) == 1 &&
	    EVP_CipherUpdate(x, out, &a, in, (int)n) == 1 &&
	    EVP_CipherFinal_ex(x, out + a, &b) == 1 && (size_t)(a + b) == n;
	EVP_CIPHER_CTX_free(x);
	return ok ? 0 : -1;
}

int
wxmsg_decrypt(const unsigned char *key, const char *b64, const char *appid,
    struct buf *msg, const char **why)
{
	unsigned char	*ct = NULL, *pt = NULL;
	size_t		 n, pad, len, idlen;
	int		 got, rc = -1, i;

	*why = NULL;
	if (b64 == NULL || appid == NULL || strlen(b64) > WXMSG_MAX * 2) {
		*why = "no Encrypt";
		return -1;
	}
	ct = xmalloc(strlen(b64) / 4 * 3 + 3);
	if ((got = b64_decode(b64, ct, strlen(b64) / 4 * 3 + 3)) < 0) {
		*why = "bad base64";
		goto out;
	}
	n = (size_t)got;
	if (n < 32 || n % 16 != 0) {
		*why = "bad block size";
		goto out;
	}
	pt = xmalloc(n);
	if (cbc(key, 0, ct, n, pt) == -1) {
		*why = "decrypt failed";
		goto out;
	}
	pad = pt[n - 1];
	if (pad < 1 || pad > PAD_BLOCK || pad > n) {
		*why = "bad padding";
		goto out;
	}
	for (i = 0; (size_t)i < pad; i++)
		if (pt[n - 1 - i] != pad) {
			*why = "bad padding";
			goto out;
		}
	n -= pad;
	if (n < 20) {
		*why = "too short";
		goto out;
	}
	len = (size_t)pt[16] << 24 | (size_t)pt[17] << 16 |
	    (size_t)pt[18] << 8 | pt[19];
	if (len > n - 20 || len > WXMSG_MAX) {
		*why = "length does not fit";
		goto out;
	}
	idlen = n - 20 - len;
	if (idlen != strlen(appid) || CRYPTO_memcmp(pt + 20 + len, appid,
	    idlen) != 0) {
		*why = "another appid";
		goto out;
	}
	buf_add(msg, pt + 20, len);
	buf_cstr(msg);
	rc = 0;
out:
	if (pt != NULL)
		explicit_bzero(pt, n);
	free(pt);
	free(ct);
	return rc;
}

int
wxmsg_encrypt(const unsigned char *key, const unsigned char *random,
    const char *msg, size_t len, const char *appid, struct buf *out)
{
	struct buf	 p;
	unsigned char	 be[4], *ct;
	size_t		 pad, i;
	char		*s;
	int		 rc = -1, n;

	if (len > WXMSG_MAX)
		return -1;
	buf_init(&p, len + 64);
	be[0] = len >> 24;
	be[1] = len >> 16;
	be[2] = len >> 8;
	be[3] = len;
	buf_add(&p, random, 16);
	buf_add(&p, be, 4);
	buf_add(&p, msg, len);
	buf_adds(&p, appid);
	pad = PAD_BLOCK - p.len % PAD_BLOCK;
	for (i = 0; i < pad; i++)
		buf_addc(&p, (char)pad);
	ct = xmalloc(p.len);
	s = xmalloc(p.len / 3 * 4 + 8);
	if (cbc(key, 1, (unsigned char *)p.p, p.len, ct) == 0 &&
	    (n = EVP_EncodeBlock((unsigned char *)s, ct, (int)p.len)) > 0) {
		buf_add(out, s, (size_t)n);
		buf_cstr(out);
		rc = 0;
	}
	free(s);
	free(ct);
	explicit_bzero(p.p, p.len);
	buf_free(&p);
	return rc;
}

/* ---- XML ------------------------------------------------------------ */

struct px {
	XML_Parser	 xp;
	struct arena	*a;
	struct wxmsg	*m;
	int		 depth;
	int		 bad;
	const char	**field;	/* the depth-2 element's, or NULL */
	struct buf	 text;
};

static const char **
field_of(struct wxmsg *m, const char *name)
{
	static const struct { const char *name; size_t off; } f[] = {
		{ "ToUserName", offsetof(struct wxmsg, to) },
		{ "FromUserName", offsetof(struct wxmsg, from) },
		{ "CreateTime", offsetof(struct wxmsg, create_time) },
		{ "MsgType", offsetof(struct wxmsg, msg_type) },
		{ "Event", offsetof(struct wxmsg, event) },
		{ "EventKey", offsetof(struct wxmsg, event_key) },
		{ "Ticket", offsetof(struct wxmsg, ticket) },
		{ "MsgId", offsetof(struct wxmsg, msg_id) },
		{ "Encrypt", offsetof(struct wxmsg, encrypt) },
		{ "Token", offsetof(struct wxmsg, token) },
		{ "OpenKfId", offsetof(struct wxmsg, open_kfid) },
	};
	size_t	i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strcmp(name, f[i].name) == 0)
			return (const char **)((char *)m + f[i].off);
	return NULL;
}

static void
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct px	*p = arg;

	(void)attrs;
	p->depth++;
	if (p->depth == 1 && strcmp(name, "xml") != 0) {
		p->bad = 1;
		XML_StopParser(p->xp, XML_FALSE);
	} else if (p->depth == 2) {
		p->field = field_of(p->m, name);
		p->text.len = 0;
	}
}

static void
on_end(void *arg, const XML_Char *name)
{
	struct px	*p = arg;

	(void)name;
	if (p->depth == 2 && p->field != NULL)
		*p->field = arena_strndup(p->a, p->text.p != NULL ? p->text.p :
		    "", p->text.len);
	if (p->depth == 2)
		p->field = NULL;
	p->depth--;
}

static void
on_text(void *arg, const XML_Char *s, int n)
{
	struct px	*p = arg;

	if (p->depth == 2 && p->field != NULL)
		buf_add(&p->text, s, (size_t)n);
}

static void
on_doctype(void *arg, const XML_Char *name, const XML_Char *sys,
    const XML_Char *pub, int subset)
{
	struct px	*p = arg;

	(void)name; (void)sys; (void)pub; (void)subset;
	p->bad = 1;
	XML_StopParser(p->xp, XML_FALSE);
}

static void
on_entity(void *arg, const XML_Char *name, int param, const XML_Char *value,
    int len, const XML_Char *base, const XML_Char *sys, const XML_Char *pub,
    const XML_Char *notation)
{
	struct px	*p = arg;

	(void)name; (void)param; (void)value; (void)len; (void)base;
	(void)sys; (void)pub; (void)notation;
	p->bad = 1;
	XML_StopParser(p->xp, XML_FALSE);
}

int
wxmsg_parse(struct arena *a, const char *xml, size_t len, struct wxmsg *m)
{
	struct px	p;
	int		ok;

	memset(m, 0, sizeof(*m));
	if (xml == NULL || len == 0 || len > WXMSG_MAX)
		return -1;
	memset(&p, 0, sizeof(p));
	p.a = a;
	p.m = m;
	buf_init(&p.text, 256);
	if ((p.xp = XML_ParserCreate("UTF-8")) == NULL)
		fatalx("wxmsg: out of memory");
	XML_SetUserData(p.xp, &p);
	XML_SetElementHandler(p.xp, on_start, on_end);
	XML_SetCharacterDataHandler(p.xp, on_text);
	XML_SetStartDoctypeDeclHandler(p.xp, on_doctype);
	XML_SetEntityDeclHandler(p.xp, on_entity);
	ok = XML_Parse(p.xp, xml, (int)len, XML_TRUE) == XML_STATUS_OK &&
	    !p.bad;
	XML_ParserFree(p.xp);
	buf_free(&p.text);
	if (!ok)
		memset(m, 0, sizeof(*m));
	return ok ? 0 : -1;
}
