/*
 * h_wechat.c -- WeChat for customers: the JS-SDK config of the shop's
 * H5 pages, mini-program login and binding (JSON). The H5 OAuth pages
 * are in h_wechat_oauth.c. The protocol is the domain's (domain/wx_*.c,
 * docs/wechat.md); what here knows of HTTP is which URLs are the shop's.
 */
#include "base/base.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/wechat.h"

#define URL_MAX	1024

/*
 * url without its "#..." when it is one of this shop's pages: http(s),
 * the request's own host name (any port), under the shop's path; else
 * NULL.
 */
static char *
own_page(struct ctx *c, const char *url)
{
	const char	*p, *auth, *path;
	char		*u;
	size_t		 n, blen, hlen;

	if (url == NULL || c->host == NULL || *c->host == '\0')
		return NULL;
	n = strcspn(url, "#");
	if (n == 0 || n > URL_MAX)
		return NULL;
	u = arena_strndup(c->d.arena, url, n);
	for (p = u; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '\\')
			return NULL;
	if (strncmp(u, "https://", 8) == 0)
		auth = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		auth = u + 7;
	else
		return NULL;
	path = auth + strcspn(auth, "/?");
	/* The host name; nginx may pass Host without the port. */
	n = strcspn(auth, ":/?");
	hlen = strcspn(c->host, ":");
	if (n != hlen || strncasecmp(auth, c->host, n) != 0 ||
	    (auth[n] == ':' && strspn(auth + n + 1, "0123456789") !=
	    (size_t)(path - auth) - n - 1) || memchr(auth, '@', path - auth))
		return NULL;
	/* Under /s/<slug>/ on a shared host: that shop's pages only. */
	blen = strlen(c->base);
	if (blen > 0 && (strncmp(path, c->base, blen) != 0 ||
	    (path[blen] != '\0' && path[blen] != '/' && path[blen] != '?')))
		return NULL;
	return u;
}

/* GET /api/v1/wechat/jssdk?url=PAGE -> {appId, timestamp, nonceStr,
 * signature} for wx.config. */
static int
h_wechat_jssdk(struct ctx *c)
{
	struct wx_jssdk	 j;
	json_object	*v;
	char		*url;
	int		 err;

	if ((url = own_page(c, req_param(c, "url"))) == NULL)
		return http_fail(c, ERR_INVALID, "url：应为本店页面的完整地址"
		    "（同一域名，http 或 https）");
	if ((err = wx_jssdk_config(&c->d, url, &j)) != 0)
		return http_fail(c, err, c->d.error);
	v = view_new(c);
	view_set_str(v, "appId", j.appid);
	view_set_i64(v, "timestamp", j.timestamp);
	view_set_str(v, "nonceStr", j.nonce);
	view_set_str(v, "signature", j.signature);
	return render_json_ok(c, 200);
}

const struct route h_wechat_routes[] = {
	{ "GET", "^/api/v1/wechat/jssdk$", h_wechat_jssdk, ROUTE_JSON, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
