/*
 * wx_jssdk.c -- the JS-SDK config signature of one of the shop's pages
 * (wechat-protocols.md §3.4) with the official account's cached
 * jsapi_ticket. Which URLs are the shop's is the caller's to check.
 */
#include "base/base.h"
#include "services/wxapi.h"
#include "domain/dctx.h"
#include "domain/wechat.h"
#include "domain/wechat_conf.h"
#include "domain/wx_token.h"

int
wx_jssdk_config(struct dctx *c, const char *url, struct wx_jssdk *out)
{
	struct wechat_conf	 w;
	const char		*ticket;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = wx_ticket_get(c, &ticket)) != 0)
		return rc;
	if ((rc = wechat_conf_get(c, c->shop->id, &w)) != 0)
		return rc;
	out->appid = w.mp_appid;
	out->timestamp = (int64_t)time(NULL);
	if (random_hex(out->nonce, 8) == -1 ||
	    wxapi_jssdk_sign(ticket, out->nonce, (long long)out->timestamp,
	    url, out->signature) == -1)
		return ERR_INTERNAL;
	return 0;
}
