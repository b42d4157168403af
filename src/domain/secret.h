/*
 * secret.h -- a shop's secrets as files under secrets_dir/<shop_id>/
 * (domain/secret.c): never in the database, never logged.
 */
#ifndef DOMAIN_SECRET_H
#define DOMAIN_SECRET_H

#include "base/base.h"

/* The secrets a shop can have; each is one file of that name. */
#define SECRET_MP_SECRET	"mp_secret"	 /* 公众号 AppSecret */
#define SECRET_MP_TOKEN		"mp_token"	 /* 服务器配置 Token */
#define SECRET_MP_AES_KEY	"mp_aes_key"	 /* EncodingAESKey */
#define SECRET_MINIAPP_SECRET	"miniapp_secret" /* 小程序 AppSecret */
#define SECRET_PAY_KEY		"pay_key.pem"	 /* apiclient_key.pem */
#define SECRET_PAY_APIV3	"pay_apiv3_key"	 /* 32-byte APIv3 key */
#define SECRET_PAY_PUBKEY	"pay_pubkey.pem" /* WeChat Pay public key */
#define SECRET_WX_SIGN		"wx_sign_key"	 /* ours: signs OAuth states
						  * and bind tickets (wx_sign.c) */

#define SECRET_MAX	16384

int		 secret_put(int64_t, const char *, const void *, size_t);
int		 secret_get(int64_t, const char *, struct buf *);
int		 secret_str(struct arena *, int64_t, const char *, char **);
int		 secret_has(int64_t, const char *);
int		 secret_drop(int64_t, const char *);

#endif /* DOMAIN_SECRET_H */
