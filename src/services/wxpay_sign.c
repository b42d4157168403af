/*
 * wxpay_sign.c: RSA-SHA256 (PKCS#1 v1.5) signing of requests and pay
 * parameters, and verification of responses and notifications
 * (§7.1, §7.2, §7.4). Keys never reach the log.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "base/base.h"
#include "services/wxpay.h"

enum keykind { KEY_PRIV, KEY_PUB, KEY_CERT };

static EVP_PKEY *
load_key(const char *pem, enum keykind kind)
{
	BIO		*b;
	EVP_PKEY	*k = NULL;
	X509		*x;

	if (pem == NULL || (b = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	if (kind == KEY_PRIV)
		k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	else if (kind == KEY_PUB)
		k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	else if ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		/* Expiry/chain of the platform certificate are not
		 * checked here (unconfirmed what WeChat requires). */
		k = X509_get_pubkey(x);
		X509_free(x);
	}
	BIO_free(b);
	return k;
}

int
wxpay_open(struct wxpay *w, const struct wxpay_conf *c)
{
	memset(w, 0, sizeof(*w));
	w->conf = c;
	if (c->apiv3_key == NULL || strlen(c->apiv3_key) != 32) {
		log_warnx("wxpay: APIv3 key must be 32 bytes");
		return -1;
	}
	if ((w->mkey = load_key(c->key_pem, KEY_PRIV)) == NULL) {
		log_warnx("wxpay: cannot parse merchant private key");
		return -1;
	}
	if (c->platform_pub_pem != NULL && (w->pkey =
	    load_key(c->platform_pub_pem, KEY_PUB)) == NULL) {
		log_warnx("wxpay: cannot parse platform public key");
		wxpay_close_keys(w);
		return -1;
	}
	if (c->platform_cert_pem != NULL && (w->ckey =
	    load_key(c->platform_cert_pem, KEY_CERT)) == NULL) {
		log_warnx("wxpay: cannot parse platform certificate");
		wxpay_close_keys(w);
		return -1;
	}
	if (w->pkey == NULL && w->ckey == NULL) {
		log_warnx("wxpay: no platform public key or certificate");
		wxpay_close_keys(w);
		return -1;
	}
	return 0;
}

/* 1 when pem is a private key (priv) or a public key that parses. */
int
wxpay_pem_valid(const char *pem, int priv)
{
	EVP_PKEY	*k;

	if (pem == NULL || (k = load_key(pem, priv ? KEY_PRIV : KEY_PUB)) ==
	    NULL)
		return 0;
	EVP_PKEY_free(k);
	return 1;
}

void
wxpay_close_keys(struct wxpay *w)
{
	EVP_PKEY_free(w->mkey);
	EVP_PKEY_free(w->pkey);
	EVP_PKEY_free(w->ckey);
	w->mkey = w->pkey = w->ckey = NULL;
}

int
wxpay_nonce(char *out)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char	 r[32];
	size_t		 i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	/* 256 % 62 bias is irrelevant for a nonce. */
	for (i = 0; i < 32; i++)
		out[i] = al[r[i] % 62];
	out[32] = '\0';
	return 0;
}

char *
wxpay_rsa_sign(EVP_PKEY *k, const char *msg, size_t len)
{
	EVP_MD_CTX	*ctx;
	unsigned char	*sig = NULL;
	size_t		 slen = 0;
	char		*out = NULL;

	if (k == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestSign(ctx, NULL, &slen, (const unsigned char *)msg,
	    len) == 1) {
		sig = xmalloc(slen);
		if (EVP_DigestSign(ctx, sig, &slen,
		    (const unsigned char *)msg, len) == 1)
			out = wxpay_b64enc(sig, slen);
		free(sig);
	}
	EVP_MD_CTX_free(ctx);
	return out;
}

int
wxpay_rsa_verify(EVP_PKEY *k, const char *msg, size_t len,
    const char *sig_b64)
{
	EVP_MD_CTX	*ctx;
	unsigned char	*sig;
	size_t		 slen;
	int		 rc = -1;

	if (k == NULL || sig_b64 == NULL)
		return -1;
	if ((sig = wxpay_b64dec(sig_b64, &slen)) == NULL)
		return 0;
	if ((ctx = EVP_MD_CTX_new()) != NULL) {
		if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
		    k) == 1)
			rc = EVP_DigestVerify(ctx, sig, slen,
			    (const unsigned char *)msg, len) == 1;
		EVP_MD_CTX_free(ctx);
	}
	free(sig);
	return rc;
}

char *
wxpay_auth_header(const struct wxpay *w, const char *method,
    const char *canon_url, const char *body, time_t ts, const char *nonce)
{
	struct buf	 m, h;
	char		*sig;

	buf_init(&m, 256);
	buf_printf(&m, "%s\n%s\n%lld\n%s\n%s\n", method, canon_url,
	    (long long)ts, nonce, body != NULL ? body : "");
	sig = wxpay_rsa_sign(w->mkey, m.p, m.len);
	buf_free(&m);
	if (sig == NULL)
		return NULL;
	buf_init(&h, 512);
	buf_printf(&h, "WECHATPAY2-SHA256-RSA2048 mchid=\"%s\","
	    "nonce_str=\"%s\",signature=\"%s\",timestamp=\"%lld\","
	    "serial_no=\"%s\"", w->conf->mchid, nonce, sig, (long long)ts,
	    w->conf->cert_serial);
	free(sig);
	return buf_cstr(&h);
}

enum wxpay_rc
wxpay_verify(const struct wxpay *w, const char *ts, const char *nonce,
    const char *sig, const char *serial, const char *body, size_t body_len,
    time_t now, long max_skew)
{
	struct buf	 m;
	const char	*es, *ps, *cs;
	EVP_PKEY	*k;
	int64_t		 t;
	int		 ok;

	if (ts == NULL || nonce == NULL || sig == NULL || serial == NULL)
		return WXPAY_ERR_SIGN;
	/* The key is chosen by Wechatpay-Serial (§7.2); any other serial
	 * is refused, never tried against what we have. */
	ps = w->conf->platform_serial;
	cs = w->conf->platform_cert_serial;
	if (w->pkey != NULL && ps != NULL && strcmp(serial, ps) == 0)
		k = w->pkey;
	else if (w->ckey != NULL && cs != NULL && strcasecmp(serial, cs) == 0)
		k = w->ckey;
	else
		return WXPAY_ERR_SERIAL;
	if (parse_i64(ts, 0, INT64_MAX, &t, &es) != 0)
		return WXPAY_ERR_SIGN;
	buf_init(&m, body_len + 64);
	buf_printf(&m, "%s\n%s\n", ts, nonce);
	buf_add(&m, body, body_len);
	buf_addc(&m, '\n');
	ok = wxpay_rsa_verify(k, m.p, m.len, sig);
	buf_free(&m);
	if (ok != 1)
		return WXPAY_ERR_SIGN;
	/* Checked after the signature so a forged timestamp cannot
	 * pass as merely "stale". */
	if (t > (int64_t)now + max_skew || t < (int64_t)now - max_skew)
		return WXPAY_ERR_STALE;
	return WXPAY_OK;
}

int
wxpay_pay_params(const struct wxpay *w, const char *prepay_id, time_t ts,
    const char *nonce, struct wxpay_pay_params *p)
{
	struct buf	 m;

	memset(p, 0, sizeof(*p));
	if (ts == 0)
		ts = time(NULL);
	if (nonce == NULL) {
		if (wxpay_nonce(p->nonce_str) != 0)
			return -1;
	} else
		snprintf(p->nonce_str, sizeof(p->nonce_str), "%s", nonce);
	snprintf(p->app_id, sizeof(p->app_id), "%s", w->conf->appid);
	snprintf(p->time_stamp, sizeof(p->time_stamp), "%lld",
	    (long long)ts);
	snprintf(p->package, sizeof(p->package), "prepay_id=%s", prepay_id);
	snprintf(p->sign_type, sizeof(p->sign_type), "RSA");
	buf_init(&m, 256);
	buf_printf(&m, "%s\n%s\n%s\n%s\n", p->app_id, p->time_stamp,
	    p->nonce_str, p->package);
	p->pay_sign = wxpay_rsa_sign(w->mkey, m.p, m.len);
	buf_free(&m);
	return p->pay_sign != NULL ? 0 : -1;
}

char *
wxpay_pay_params_json(const struct wxpay_pay_params *p)
{
	json_object	*o = json_object_new_object();
	char		*s;

	json_object_object_add(o, "appId", json_object_new_string(p->app_id));
	json_object_object_add(o, "timeStamp",
	    json_object_new_string(p->time_stamp));
	json_object_object_add(o, "nonceStr",
	    json_object_new_string(p->nonce_str));
	json_object_object_add(o, "package",
	    json_object_new_string(p->package));
	json_object_object_add(o, "signType",
	    json_object_new_string(p->sign_type));
	json_object_object_add(o, "paySign",
	    json_object_new_string(p->pay_sign ? p->pay_sign : ""));
	s = xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

void
wxpay_pay_params_free(struct wxpay_pay_params *p)
{
	free(p->pay_sign);
	p->pay_sign = NULL;
}
