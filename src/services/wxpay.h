/*
 * wxpay: WeChat Pay API v3 client (直连商户, JSAPI / mini-program).
 * Protocol: shared wechat-protocols.md §7. Services layer only: no
 * business decisions; amounts are integer fen.
 */
#ifndef WXPAY_H
#define WXPAY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

struct wxpay_conf {
	const char	*mchid;
	const char	*appid;
	const char	*key_pem;	/* merchant private key, PEM */
	const char	*cert_serial;	/* merchant certificate serial */
	const char	*apiv3_key;	/* exactly 32 bytes */
	const char	*platform_pub_pem; /* WeChat Pay public key, PEM */
	const char	*platform_serial; /* PUB_KEY_ID_... of the above */
	/* Optional platform certificate (older merchants, or both during
	 * a migration, §7.2): PEM and its serial (hex, as in
	 * Wechatpay-Serial). */
	const char	*platform_cert_pem;
	const char	*platform_cert_serial;
	const char	*base_url;	/* https://api.mch.weixin.qq.com */
	const char	*notify_url;
	const char	*refund_notify_url;
	const char	*ca_file;	/* NULL = system bundle */
	long		 timeout_ms;	/* 0 = 10000 (§9.1) */
};

/* Loaded keys; wxpay_open() parses the PEMs once. */
struct wxpay {
	const struct wxpay_conf	*conf;
	EVP_PKEY		*mkey;	/* merchant private */
	EVP_PKEY		*pkey;	/* platform public key, or NULL */
	EVP_PKEY		*ckey;	/* platform certificate's, or NULL */
};

enum wxpay_rc {
	WXPAY_OK = 0,
	WXPAY_ERR_NET,		/* no response / timeout: retry may help */
	WXPAY_ERR_SERVER,	/* 5xx, SYSTEM_ERROR: retry same request */
	WXPAY_ERR_LIMIT,	/* 429 FREQUENCY_LIMITED: retry later */
	WXPAY_ERR_CLIENT,	/* other 4xx: never auto-retry */
	WXPAY_ERR_NOTFOUND,	/* 404 ORDER_NOT_EXIST / RESOURCE_NOT_EXISTS */
	WXPAY_ERR_SIGN,		/* signature missing/invalid */
	WXPAY_ERR_STALE,	/* timestamp outside allowed skew */
	WXPAY_ERR_SERIAL,	/* unknown Wechatpay-Serial */
	WXPAY_ERR_DECRYPT,	/* AEAD tag mismatch / bad input */
	WXPAY_ERR_PARSE,	/* unexpected JSON */
	WXPAY_ERR_CONF		/* bad key / config */
};

struct wxpay_result {
	enum wxpay_rc	 rc;
	long		 http_status;
	int		 retryable;	/* 1: same request may be repeated */
	char		 code[64];	/* WeChat "code", e.g. PARAM_ERROR */
	char		 message[256];
	char		 request_id[80];
};

const char	*wxpay_rc_str(enum wxpay_rc);

int		 wxpay_open(struct wxpay *, const struct wxpay_conf *);
void		 wxpay_close_keys(struct wxpay *);
int		 wxpay_pem_valid(const char *, int);

/* wxpay_sign.c */
/* 32 random [A-Za-z0-9] + NUL into out[33]. */
int		 wxpay_nonce(char *out);
/* base64(RSA-SHA256(key, msg)); malloc'd, NULL on error. */
char		*wxpay_rsa_sign(EVP_PKEY *, const char *, size_t);
/* 1 valid, 0 invalid, -1 error. */
int		 wxpay_rsa_verify(EVP_PKEY *, const char *, size_t,
		     const char *sig_b64);
/* Full "WECHATPAY2-SHA256-RSA2048 ..." value; malloc'd. */
char		*wxpay_auth_header(const struct wxpay *, const char *method,
		     const char *canon_url, const char *body, time_t ts,
		     const char *nonce);
/* Checks Wechatpay-* header values against body: WXPAY_OK, _SIGN,
 * _STALE or _SERIAL. */
enum wxpay_rc	 wxpay_verify(const struct wxpay *, const char *ts,
		     const char *nonce, const char *sig, const char *serial,
		     const char *body, size_t body_len, time_t now,
		     long max_skew);

struct wxpay_pay_params {
	char	 app_id[64];
	char	 time_stamp[24];
	char	 nonce_str[33];
	char	 package[160];
	char	 sign_type[8];	/* "RSA" */
	char	*pay_sign;	/* malloc'd */
};
/* ts/nonce NULL = now/random. */
int		 wxpay_pay_params(const struct wxpay *, const char *prepay_id,
		     time_t ts, const char *nonce, struct wxpay_pay_params *);
/* JSON object text for the front end; malloc'd. */
char		*wxpay_pay_params_json(const struct wxpay_pay_params *);
void		 wxpay_pay_params_free(struct wxpay_pay_params *);

/* wxpay_crypto.c: AEAD_AES_256_GCM resource decrypt (§7.5 step 2).
 * Returns malloc'd NUL-terminated plaintext, *outlen set; NULL on
 * failure (tag mismatch, bad base64, bad key length). */
char		*wxpay_decrypt(const char *apiv3_key, const char *nonce,
		     const char *aad, const char *ciphertext_b64,
		     size_t *outlen);
/* Base64 helpers (OpenSSL EVP_*Block). */
unsigned char	*wxpay_b64dec(const char *, size_t *);
char		*wxpay_b64enc(const unsigned char *, size_t);

/* wxpay_notify.c: parsed decrypted resources. */
struct wxpay_txn {
	char	 appid[64], mchid[32], out_trade_no[40], transaction_id[40];
	char	 trade_type[16], trade_state[24], trade_state_desc[128];
	char	 success_time[40], attach[160], openid[128];
	int64_t	 total, payer_total;
	char	 currency[8];
};
struct wxpay_refund {
	char	 out_trade_no[40], transaction_id[40], out_refund_no[72];
	char	 refund_id[40], status[24], success_time[40];
	char	 create_time[40], user_received_account[128], mchid[32];
	int64_t	 total, refund, payer_total, payer_refund;
	char	 currency[8];
};
struct wxpay_notice {
	char	 id[72];
	char	 event_type[40];	/* TRANSACTION.SUCCESS, REFUND.* */
	char	 original_type[24];	/* transaction / refund */
	int	 is_refund;
	struct wxpay_txn	txn;
	struct wxpay_refund	refund;
};
enum wxpay_rc	 wxpay_parse_txn(const char *json, struct wxpay_txn *);
enum wxpay_rc	 wxpay_parse_refund(const char *json, struct wxpay_refund *);
/* Whole notify handling up to the domain: verify headers (§7.2) over
 * the raw body, decrypt resource, parse. */
enum wxpay_rc	 wxpay_notice_read(const struct wxpay *, const char *ts,
		     const char *nonce, const char *sig, const char *serial,
		     const char *body, size_t body_len, time_t now,
		     long max_skew, struct wxpay_notice *);

/* wxpay_api.c: calls. All verify the response signature. */
struct wxpay_order {
	const char	*description;
	const char	*out_trade_no;
	int64_t		 total;		/* fen, CNY */
	const char	*openid;
	const char	*time_expire;	/* RFC3339 or NULL */
	const char	*attach;	/* or NULL */
};
void		 wxpay_create_jsapi(const struct wxpay *,
		     const struct wxpay_order *, char *prepay_id, size_t,
		     struct wxpay_result *);
void		 wxpay_query(const struct wxpay *, const char *out_trade_no,
		     struct wxpay_txn *, struct wxpay_result *);
void		 wxpay_close_order(const struct wxpay *,
		     const char *out_trade_no, struct wxpay_result *);
struct wxpay_refund_req {
	const char	*out_trade_no;
	const char	*out_refund_no;
	const char	*reason;	/* or NULL */
	int64_t		 refund, total;	/* fen */
};
void		 wxpay_refund_create(const struct wxpay *,
		     const struct wxpay_refund_req *, struct wxpay_refund *,
		     struct wxpay_result *);
void		 wxpay_refund_query(const struct wxpay *,
		     const char *out_refund_no, struct wxpay_refund *,
		     struct wxpay_result *);
/* §7.8 mapping, exported for tests. */
void		 wxpay_map_error(long status, const char *code,
		     struct wxpay_result *);

#endif
