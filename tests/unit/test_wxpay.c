/*
 * test_wxpay.c: WeChat Pay v3 signing, verification, notification
 * decryption and parsing (services/wxpay*.c), no network.
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
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "base/base.h"
#include "services/wxpay.h"

/*
 * A throwaway 2048-bit test key, made for this file only:
 *   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out m.pem
 *   openssl pkey -in m.pem -pubout
 * FIXED_SIG was computed with the openssl CLI, independently of this
 * code (PKCS#1 v1.5 is deterministic):
 *   printf 'GET\n/v3/pay/transactions/out-trade-no/DH123?mchid=1900000109\n'\
 *     '1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n' > msg
 *   openssl dgst -sha256 -sign m.pem msg | base64 -w0
 * FIXED_PAYSIGN likewise over the §7.4 example
 *   printf 'wxd678efh567hg6787\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n'\
 *     'prepay_id=wx201410272009395522657a690389285100\n'
 * CERT_PEM is a self-signed certificate of the same key:
 *   openssl req -new -x509 -key m.pem -subj "/CN=dinghuo wxpay test" \
 *     -days 36500 -set_serial 0x5157F09EFDC096DE15EBE81A47057A72
 */
static const char KEY_PEM[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCi7VbBk1GqvQs/\n"
	"pybD2yEleYd/RzmXeEL5wANeLMCod3tmo+WSJMP1CDQrFKlMaTUA7+iXnbvp2W7y\n"
	"/VtI7+ZJhl58ZTo7kRcn9arAv6xbp+FE3nBPdOfVLZEsSYHNT2zlTCrqbsygO9CQ\n"
	"zpE0srl53X8vL0K9OWHYNQkYGrrSejmHXr0up/P1Vnv1VQS24vUMAsLpvlsRVsmE\n"
	"CW6sYL/DhmjfkqbDWZP5wzEuigxVKJwnCMqVDbioc8ZqH6R4V0dQtPFwK5eiMyVf\n"
	"vA7cyyzMVSHnNyNGG/oTk1Fn0PprgQYSLdm+pHLhG2XEi0QBGDcRI4EKqJbG5N9C\n"
	"MR6WYD6jAgMBAAECggEABqTYC1fHFkfUPBnEXmtCrEUK7flJE3CvhoC6gm4fwx7w\n"
	"NMzNMUr3hLf7bKBQkRGfPDUMTpZ7kbswp48GWHCT+v6UPs1f9QrjH1mIx4hpbmln\n"
	"qcfKW6sgQxSzHVO4C9fH0IftHhc7l/Moe6c4y6XYI2yRYaqzNYUwBMGQ5987LBcI\n"
	"NMvmksUa6eZsphSoA54spl54Jm2Ows1wxhPkJXmByBrFAQideLzvpKR3Q4EB+M3o\n"
	"ywk9qAFlL4yg0VHEo/hD6QhvzNukRgDO1DYuT+m6HNji0ux/iNIp2amklKa0wx0H\n"
	"BzAsVRDrXpSITiAtrvsU6g+aveOYbuLPe3YgVB89YQKBgQDSBlU1Nn1PMF+wtgNk\n"
	"DEiKs1cnTCj2bL1AEHkJLwoz2r/TUAF/TkZ8lms9YgaWY+34QiXskSdwSxRdZGQ8\n"
	"ckUz5ObYHUcRIpB/GmivxwCa4Oj0b7DcXj1NqO0EUYofFWAVbBt+1IZPaotF9gkP\n"
	"Ah3naFiZSSfh86c0RxQq4/TagwKBgQDGl65yZnPDFil2YGKfD0LKFbOOgIoGHHZT\n"
	"nY1nzSorxdrt5gGo1h6AdnF9TxkKMi+19LA5O2e5pGtNDn0ZNpj111gyZIYQOzuw\n"
	"2pD2YI1PPgq+CGy0dZ7olvQPRiUAzswCHB05s0DqqNCBpDf82PixWhlUJLWZhtMd\n"
	"FtWDKtJRYQKBgGYGJYY//gdl3FYfVO5Y+TRHgmLYoF103Uottl47t50Q+nZQOyn4\n"
	"gE0tVNLwt3p++K7Mk1ej+6CVGEN17Stf5zYaT/lT3533SHI2Bfy9kxGpiACV8Thb\n"
	"nzQGh3y9j3ciDxbY+VJXMxeJDjbiGexsftJW4hM0cmdU0TiX/rgHHH65AoGAM6dE\n"
	"MnE/buCWzDlprWF0x8c5OrloLQq+JCV4oCUW8Oe3d+U5TUbUDCnCfwtRwfsnubX5\n"
	"GAnBguGnHxXDqAkxY9AtGn5W+GXPssJGri6S0qead68NRyrIuEp7FHX0Le+b1Hin\n"
	"iVh8bAyYnv+tqFBu7wI2UFJ0AYi15H0J7+H1bkECgYEAv8ofUCuwHTf9rNje7OJ+\n"
	"HgtbHs6jWuZnwNxSkZK89FHkzbg3Rz3Xp/6/3QCZAq2/FyWQZ0Sw0do6vj9Ub8eo\n"
	"UwAGCyZuOGM85zp7fOy7dqBC4QlYmWpevHwF4HWtEpL0TF1WZIo2rYPnEgh57+8M\n"
	"SzGNukD+4Df34D0pcOAAWKg=\n"
	"-----END PRIVATE KEY-----\n";
static const char PUB_PEM[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAou1WwZNRqr0LP6cmw9sh\n"
	"JXmHf0c5l3hC+cADXizAqHd7ZqPlkiTD9Qg0KxSpTGk1AO/ol5276dlu8v1bSO/m\n"
	"SYZefGU6O5EXJ/WqwL+sW6fhRN5wT3Tn1S2RLEmBzU9s5Uwq6m7MoDvQkM6RNLK5\n"
	"ed1/Ly9CvTlh2DUJGBq60no5h169Lqfz9VZ79VUEtuL1DALC6b5bEVbJhAlurGC/\n"
	"w4Zo35Kmw1mT+cMxLooMVSicJwjKlQ24qHPGah+keFdHULTxcCuXojMlX7wO3Mss\n"
	"zFUh5zcjRhv6E5NRZ9D6a4EGEi3ZvqRy4RtlxItEARg3ESOBCqiWxuTfQjEelmA+\n"
	"owIDAQAB\n"
	"-----END PUBLIC KEY-----\n";
static const char CERT_PEM[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDGTCCAgGgAwIBAgIQUVfwnv3Alt4V6+gaRwV6cjANBgkqhkiG9w0BAQsFADAd\n"
	"MRswGQYDVQQDDBJkaW5naHVvIHd4cGF5IHRlc3QwIBcNMjYxMjAyMTMwNDIxWhgP\n"
	"MjEyNjExMDgxMzA0MjFaMB0xGzAZBgNVBAMMEmRpbmdodW8gd3hwYXkgdGVzdDCC\n"
	"ASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAKLtVsGTUaq9Cz+nJsPbISV5\n"
	"h39HOZd4QvnAA14swKh3e2aj5ZIkw/UINCsUqUxpNQDv6Jedu+nZbvL9W0jv5kmG\n"
	"XnxlOjuRFyf1qsC/rFun4UTecE9059UtkSxJgc1PbOVMKupuzKA70JDOkTSyuXnd\n"
	"fy8vQr05Ydg1CRgautJ6OYdevS6n8/VWe/VVBLbi9QwCwum+WxFWyYQJbqxgv8OG\n"
	"aN+SpsNZk/nDMS6KDFUonCcIypUNuKhzxmofpHhXR1C08XArl6IzJV+8DtzLLMxV\n"
	"Iec3I0Yb+hOTUWfQ+muBBhIt2b6kcuEbZcSLRAEYNxEjgQqolsbk30IxHpZgPqMC\n"
	"AwEAAaNTMFEwHQYDVR0OBBYEFOtjrwsVTpdesKb7cu432JENurRAMB8GA1UdIwQY\n"
	"MBaAFOtjrwsVTpdesKb7cu432JENurRAMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZI\n"
	"hvcNAQELBQADggEBAEf2D6QnF9RQktpVGLW+XI8WTFCWSQiVTUfqC52eMDLzBJK8\n"
	"mn0KKbSJGoX01avPr8cGMQZaFl+uxUMeN4uj6UYLrSPonYayD5aZ9U0ntig9mK7y\n"
	"2ZdPWc25DF2r6t0Q0wYjWHSfylObfIsUFswazr6di3DekgF5iyzFLhUND4AGA8TS\n"
	"QueHxbrD7Zv/PqvGGZ/i90PRtFkJOG/tWQJE366p5ufzAlOs8h1Q6wTl/AGFa6Tx\n"
	"kq3W6Ko+M7DMT7SBZ59pGx/LWqpoLo/DBJDgp4p9+10Alz0I817HUiy9udW9eTmg\n"
	"vQeYm4ZbZQAXPOc8ykz4J8Wf70xl9fZ+TlTWziM=\n"
	"-----END CERTIFICATE-----\n";
#define FIXED_SIG	"gX4GyRN81j66K1RJn/Zr5zB1vWsqzVswEhCeapsEvJDdLbaic4wZKJZPjMBCkKWOpwwYe/4Nne7uc73NR6hP4CNcTwYl+8TpZvhzgxIuSl7Jvi+Oa7pLtX4ie9TxVwGyZcmtFKObeFJvw4S6+P+I0zu+aHF18M7HrdxqBMhfEcMuasj1IdlXIMCNJfIX4UndIPQTSxiO+1ZxM9qWs1NRTlRuA7rX7Xr/ZpT58yzzcrG7PyI2JtF5pNFGCCuqRpV31nU641Sl9vPmYx4JMudicisoETGmPUpIzCRdZeIJ52iQgttYSYbtRbBHEcJS1Hy0BA6WT/ouwW6KA622fBMXWQ=="
#define FIXED_PAYSIGN	"koIJVW/cBny8wqbcgoEvnK1oU3mNQJhF23jNSt6GP2dkxzLf4aaOBSXwz5WZRi53Hb/Qi/gI0Z2r39g7VEf/SFJdWKNGLsKSD6iN3/Voz0NiN4XdyOjulfTcDudLN/myyfNIXKGkkqGRTjtwaWQOxFGgd8uSR80juDELr7QSgGr+Xprr4cUCDO9ttC4QzjtHzOgIfraiH804TlRYJ2SMsQffpCgGnuhLQQJt1LxVESEiN59fJiI27VSW9H57mpxEJydurG7Y6P/0uip5CmTtgl9fu4T+tCZnvo9R0Q0Qw9wbl/9Yv2Azh2vHHiGz1c2m4N0npSW1O+lyc5eXgvKtfA=="

static struct wxpay_conf conf = {
	.mchid = "1900000109", .appid = "wxd678efh567hg6787",
	.key_pem = KEY_PEM, .cert_serial = "1DDE55AD98ED71D6EDD4A4A16996DE7B",
	.apiv3_key = "0123456789abcdef0123456789abcdef",
	.platform_pub_pem = PUB_PEM, .platform_serial = "PUB_KEY_ID_TEST",
	.base_url = "http://127.0.0.1:1",
};

static void
test_decrypt_vector(void **st)
{
	/* §10.3 */
	char	*p;
	size_t	 n;

	(void)st;
	p = wxpay_decrypt("0123456789abcdef0123456789abcdef", "abcdefghijkl",
	    "transaction", "Eu6myr+6GaECeJdOZPZ6BX5lij2Vohspf9pbw6Eor54J6pre"
	    "fQGx4A8pw4JzQ/lkgFh/UIp8nXF6h6aOBw==", &n);
	assert_non_null(p);
	assert_int_equal(n, 45);
	assert_string_equal(p, "{\"out_trade_no\":\"T1\",\"trade_state\":"
	    "\"SUCCESS\"}");
	free(p);
	/* Wrong AAD and wrong key fail the tag. */
	assert_null(wxpay_decrypt("0123456789abcdef0123456789abcdef",
	    "abcdefghijkl", "refund", "Eu6myr+6GaECeJdOZPZ6BX5lij2Vohspf9pb"
	    "w6Eor54J6prefQGx4A8pw4JzQ/lkgFh/UIp8nXF6h6aOBw==", &n));
	assert_null(wxpay_decrypt("x123456789abcdef0123456789abcdef",
	    "abcdefghijkl", "transaction", "Eu6myr+6GaECeJdOZPZ6BX5lij2Vohsp"
	    "f9pbw6Eor54J6prefQGx4A8pw4JzQ/lkgFh/UIp8nXF6h6aOBw==", &n));
	assert_null(wxpay_decrypt("short", "abcdefghijkl", "", "AAAA", &n));
	assert_null(wxpay_decrypt("0123456789abcdef0123456789abcdef",
	    "abcdefghijkl", "", "not base64!", &n));
}

static void
test_fixed_auth_header(void **st)
{
	struct wxpay	 w;
	char		*h, want[1024];

	(void)st;
	assert_int_equal(wxpay_open(&w, &conf), 0);
	h = wxpay_auth_header(&w, "GET",
	    "/v3/pay/transactions/out-trade-no/DH123?mchid=1900000109", "",
	    1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242");
	snprintf(want, sizeof(want), "WECHATPAY2-SHA256-RSA2048 "
	    "mchid=\"1900000109\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\","
	    "signature=\"%s\",timestamp=\"1554208460\","
	    "serial_no=\"1DDE55AD98ED71D6EDD4A4A16996DE7B\"", FIXED_SIG);
	assert_string_equal(h, want);
	free(h);
	wxpay_close_keys(&w);
}

static void
test_pay_params(void **st)
{
	struct wxpay		 w;
	struct wxpay_pay_params	 p;
	char			*j, want[1024];

	(void)st;
	assert_int_equal(wxpay_open(&w, &conf), 0);
	assert_int_equal(wxpay_pay_params(&w,
	    "wx201410272009395522657a690389285100", 1414561699,
	    "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", &p), 0);
	assert_string_equal(p.pay_sign, FIXED_PAYSIGN);
	j = wxpay_pay_params_json(&p);
	snprintf(want, sizeof(want), "{\"appId\":\"wxd678efh567hg6787\","
	    "\"timeStamp\":\"1414561699\",\"nonceStr\":"
	    "\"5K8264ILTKCH16CQ2502SI8ZNMTM67VS\",\"package\":"
	    "\"prepay_id=wx201410272009395522657a690389285100\","
	    "\"signType\":\"RSA\",\"paySign\":\"%s\"}", FIXED_PAYSIGN);
	assert_string_equal(j, want);
	free(j);
	wxpay_pay_params_free(&p);
	/* Random nonce: 32 chars of [A-Za-z0-9]. */
	assert_int_equal(wxpay_pay_params(&w, "wx1", 0, NULL, &p), 0);
	assert_int_equal(strlen(p.nonce_str), 32);
	assert_int_equal(strspn(p.nonce_str, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789"), 32);
	wxpay_pay_params_free(&p);
	wxpay_close_keys(&w);
}

/* Platform side played by a key generated here. */
static char *
gen_key(char **pub)
{
	EVP_PKEY	*k = EVP_RSA_gen(2048);
	BIO		*b;
	char		*p, *out;
	long		 n;

	assert_non_null(k);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(b, &p);
	out = xstrndup(p, n);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PUBKEY(b, k);
	n = BIO_get_mem_data(b, &p);
	*pub = xstrndup(p, n);
	BIO_free(b);
	EVP_PKEY_free(k);
	return out;
}

static char *
platform_sign(const char *priv, const char *ts, const char *nonce,
    const char *body)
{
	struct wxpay_conf	 c = conf;
	struct wxpay		 w;
	char			 msg[2048], *s;

	c.key_pem = priv;
	assert_int_equal(wxpay_open(&w, &c), 0);
	snprintf(msg, sizeof(msg), "%s\n%s\n%s\n", ts, nonce, body);
	s = wxpay_rsa_sign(w.mkey, msg, strlen(msg));
	wxpay_close_keys(&w);
	return s;
}

static void
test_verify(void **st)
{
	struct wxpay_conf	 c = conf;
	struct wxpay		 w;
	char			*priv, *pub, *sig, *bad;
	const char		*body = "{\"prepay_id\":\"wx1\"}";
	time_t			 now = 1700000000;

	(void)st;
	priv = gen_key(&pub);
	c.platform_pub_pem = pub;
	assert_int_equal(wxpay_open(&w, &c), 0);
	sig = platform_sign(priv, "1700000000", "n1", body);
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", sig,
	    "PUB_KEY_ID_TEST", body, strlen(body), now, 300), WXPAY_OK);
	/* Within skew either way. */
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", sig,
	    "PUB_KEY_ID_TEST", body, strlen(body), now + 300, 300), WXPAY_OK);
	/* Stale and future timestamps. */
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", sig,
	    "PUB_KEY_ID_TEST", body, strlen(body), now + 301, 300),
	    WXPAY_ERR_STALE);
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", sig,
	    "PUB_KEY_ID_TEST", body, strlen(body), now - 301, 300),
	    WXPAY_ERR_STALE);
	/* Tampered body, nonce, timestamp. */
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", sig,
	    "PUB_KEY_ID_TEST", "{\"prepay_id\":\"wx2\"}", strlen(body), now,
	    300), WXPAY_ERR_SIGN);
	assert_int_equal(wxpay_verify(&w, "1700000000", "n2", sig,
	    "PUB_KEY_ID_TEST", body, strlen(body), now, 300), WXPAY_ERR_SIGN);
	assert_int_equal(wxpay_verify(&w, "1700000001", "n1", sig,
	    "PUB_KEY_ID_TEST", body, strlen(body), now, 300), WXPAY_ERR_SIGN);
	/* Tampered signature, garbage, missing header, unknown serial. */
	bad = xstrdup(sig);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", bad,
	    "PUB_KEY_ID_TEST", body, strlen(body), now, 300), WXPAY_ERR_SIGN);
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", "!!",
	    "PUB_KEY_ID_TEST", body, strlen(body), now, 300), WXPAY_ERR_SIGN);
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", NULL,
	    "PUB_KEY_ID_TEST", body, strlen(body), now, 300), WXPAY_ERR_SIGN);
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", sig,
	    "PUB_KEY_ID_OTHER", body, strlen(body), now, 300),
	    WXPAY_ERR_SERIAL);
	/* Signed by the merchant key, not the platform's. */
	wxpay_close_keys(&w);
	assert_int_equal(wxpay_open(&w, &conf), 0);
	assert_int_equal(wxpay_verify(&w, "1700000000", "n1", sig,
	    "PUB_KEY_ID_TEST", body, strlen(body), now, 300), WXPAY_ERR_SIGN);
	wxpay_close_keys(&w);
	free(bad);
	free(sig);
	free(priv);
	free(pub);
}

static void
test_verify_cert(void **st)
{
	struct wxpay_conf	 c = conf;
	struct wxpay		 w;
	char			*sig;
	const char		*body = "{}";

	(void)st;
	/* Platform certificate only (no public key), chosen by serial. */
	c.platform_pub_pem = NULL;
	c.platform_serial = NULL;
	c.platform_cert_pem = CERT_PEM;
	c.platform_cert_serial = "5157F09EFDC096DE15EBE81A47057A72";
	assert_int_equal(wxpay_open(&w, &c), 0);
	sig = platform_sign(KEY_PEM, "1700000000", "n", body);
	assert_int_equal(wxpay_verify(&w, "1700000000", "n", sig,
	    "5157f09efdc096de15ebe81a47057a72", body, 2, 1700000000, 300),
	    WXPAY_OK);
	assert_int_equal(wxpay_verify(&w, "1700000000", "n", sig,
	    "PUB_KEY_ID_TEST", body, 2, 1700000000, 300), WXPAY_ERR_SERIAL);
	wxpay_close_keys(&w);
	/* Neither key: refused at open. */
	c.platform_cert_pem = NULL;
	assert_int_equal(wxpay_open(&w, &c), -1);
	c.platform_cert_pem = "not a pem";
	assert_int_equal(wxpay_open(&w, &c), -1);
	free(sig);
}

static void
test_parse(void **st)
{
	struct wxpay_txn	 t;
	struct wxpay_refund	 r;

	(void)st;
	assert_int_equal(wxpay_parse_txn("{\"appid\":\"wxa\",\"mchid\":\"19\","
	    "\"out_trade_no\":\"DH1\",\"transaction_id\":\"42\",\"trade_type\":"
	    "\"JSAPI\",\"trade_state\":\"SUCCESS\",\"success_time\":"
	    "\"2024-05-01T12:00:00+08:00\",\"payer\":{\"openid\":\"o1\"},"
	    "\"amount\":{\"total\":1250,\"payer_total\":1200,\"currency\":"
	    "\"CNY\"}}", &t), WXPAY_OK);
	assert_string_equal(t.out_trade_no, "DH1");
	assert_string_equal(t.transaction_id, "42");
	assert_string_equal(t.openid, "o1");
	assert_int_equal(t.total, 1250);
	assert_int_equal(t.payer_total, 1200);
	assert_string_equal(t.currency, "CNY");
	assert_int_equal(wxpay_parse_txn("{\"amount\":1}", &t),
	    WXPAY_ERR_PARSE);
	assert_int_equal(wxpay_parse_txn("nope", &t), WXPAY_ERR_PARSE);
	assert_int_equal(wxpay_parse_refund("{\"out_refund_no\":\"RF1\","
	    "\"refund_status\":\"SUCCESS\",\"amount\":{\"total\":1250,"
	    "\"refund\":250}}", &r), WXPAY_OK);
	assert_string_equal(r.status, "SUCCESS");
	assert_int_equal(r.refund, 250);
	assert_int_equal(r.payer_refund, -1);
}

static void
test_map_error(void **st)
{
	struct wxpay_result	 r;

	(void)st;
	memset(&r, 0, sizeof(r));
	wxpay_map_error(500, "SYSTEM_ERROR", &r);
	assert_int_equal(r.rc, WXPAY_ERR_SERVER);
	assert_true(r.retryable);
	wxpay_map_error(400, "PARAM_ERROR", &r);
	assert_int_equal(r.rc, WXPAY_ERR_CLIENT);
	assert_false(r.retryable);
	wxpay_map_error(403, "OUT_TRADE_NO_USED", &r);
	assert_int_equal(r.rc, WXPAY_ERR_CLIENT);
	assert_string_equal(r.code, "OUT_TRADE_NO_USED");
	wxpay_map_error(404, "ORDER_NOT_EXIST", &r);
	assert_int_equal(r.rc, WXPAY_ERR_NOTFOUND);
	wxpay_map_error(429, "FREQUENCY_LIMITED", &r);
	assert_int_equal(r.rc, WXPAY_ERR_LIMIT);
	wxpay_map_error(401, "SIGN_ERROR", &r);
	assert_int_equal(r.rc, WXPAY_ERR_SIGN);
	assert_false(r.retryable);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decrypt_vector),
		cmocka_unit_test(test_fixed_auth_header),
		cmocka_unit_test(test_pay_params),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_verify_cert),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_map_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
