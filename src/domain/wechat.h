/*
 * wechat.h -- WeChat for the shop's customers: the JS-SDK config of an
 * H5 page (domain/wx_jssdk.c), mini-program login and binding
 * (domain/wx_login.c), the H5 OAuth state (domain/wx_oauth.c), and the
 * signed tickets they hand out (domain/wx_sign.c).
 */
#ifndef DOMAIN_WECHAT_H
#define DOMAIN_WECHAT_H

#include "base/base.h"
#include "domain/wechat_conf.h"

struct dctx;

/* wx_jssdk.c: what wx.config needs; url is the page's, without "#". */
struct wx_jssdk {
	const char	*appid;
	int64_t		 timestamp;
	char		 nonce[17];
	char		 signature[41];
};
int		 wx_jssdk_config(struct dctx *, const char *, struct wx_jssdk *);

#endif /* DOMAIN_WECHAT_H */
