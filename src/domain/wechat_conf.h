/*
 * wechat_conf.h -- a shop's WeChat accounts: the ids from shop_wechat,
 * the secrets from secrets_dir (domain/wechat_conf.c).
 */
#ifndef DOMAIN_WECHAT_CONF_H
#define DOMAIN_WECHAT_CONF_H

#include "base/base.h"

struct dctx;

/* Which app: the official account (H5) or the mini-program. */
enum wx_app { WX_MP, WX_MINIAPP };

struct wechat_conf {
	const char	*mp_appid;	/* "" when not set */
	const char	*miniapp_appid;
	const char	*pay_mchid;
	const char	*pay_serial;
	const char	*pay_pubkey_id;
	int		 pay_enabled;
	/* Which secrets are stored (never their bytes). */
	int		 has_mp_secret;
	int		 has_miniapp_secret;
	int		 has_pay_key;
	int		 has_pay_apiv3;
	int		 has_pay_pubkey;
};

int		 wechat_conf_get(struct dctx *, int64_t, struct wechat_conf *);
const char	*wechat_appid(const struct wechat_conf *, enum wx_app);
int		 wechat_app_secret(struct dctx *, int64_t, enum wx_app,
		     const char **, const char **);
int		 wechat_appid_valid(const char *);

#endif /* DOMAIN_WECHAT_CONF_H */
