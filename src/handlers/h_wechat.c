/*
 * h_wechat.c -- WeChat for customers: the JS-SDK config of the shop's
 * H5 pages, mini-program login and binding (JSON). The H5 OAuth pages
 * are in h_wechat_oauth.c. The protocol is the domain's (domain/wx_*.c,
 * docs/wechat.md); what here knows of HTTP is which URLs are the shop's.
 */
#include "base/base.h"
#include "base/conf.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/customer.h"
#include "domain/invite.h"
#include "handlers/h_customer.h"
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

/* The answer to a WeChat login or bind: a session, or a bind ticket. */
static int
login_answer(struct ctx *c, const struct wx_login *l)
{
	json_object	*v = view_new(c);

	view_set_bool(v, "bound", l->bound);
	if (l->bound) {
		view_set_str(v, "token", l->token);
		view_set_i64(v, "expires_in", conf.session_ttl);
		view_set_str(v, "kind", "customer");
		view_set_str(v, "name", l->name);
		view_set_str(v, "role", l->role);
	} else {
		view_set_str(v, "bind_ticket", l->ticket);
		view_set_i64(v, "bind_ticket_expires_in", WX_TICKET_TTL);
	}
	return render_json_ok(c, 200);
}

/* JSON only, as POST /api/v1/login: no form of another site sends it. */
static int
json_only(struct ctx *c)
{
	if (c->json != NULL)
		return 0;
	http_fail(c, ERR_UNSUPPORTED, "只接受 JSON 请求（Content-Type: "
	    "application/json）");
	return -1;
}

enum { L_CODE };
static const struct field login_fields[] = {
	[L_CODE] =	{ "code", FIELD_TEXT, FIELD_REQUIRED, 1, 128,
			  "登录凭证" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* POST /api/v1/wechat/login {"code"}: wx.login's code. */
static int
h_wechat_login(struct ctx *c)
{
	struct wx_login	 l;
	struct form	 f;
	int		 err;

	if (json_only(c) == -1)
		return c->status;
	if (form_parse(c, login_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	if ((err = wx_login_miniapp(&c->d, f.v[L_CODE].s, &l)) != 0)
		return http_fail(c, err, c->d.error);
	return login_answer(c, &l);
}

enum { B_TICKET, B_PHONE_CODE, B_INVITE, B_NAME, B_PHONE, B_PASSWORD,
	B_RETAIL };
static const struct field bind_fields[] = {
	[B_TICKET] =	{ "ticket", FIELD_TEXT, FIELD_REQUIRED, 1, 200,
			  "绑定凭证" },
	[B_PHONE_CODE] = { "phone_code", FIELD_TEXT, 0, 1, 128,
			  "手机号授权" },
	[B_INVITE] =	{ "invite", FIELD_TEXT, 0, 1, 200, "邀请" },
	[B_NAME] =	{ "name", FIELD_TEXT, 0, 1, 60, "姓名" },
	[B_PHONE] =	{ "phone", FIELD_PHONE, 0, 0, 0, "手机号" },
	[B_PASSWORD] =	{ "password", FIELD_PASSWORD, 0, 1, 128, "密码" },
	[B_RETAIL] =	{ "retail", FIELD_BOOL, 0, 0, 0, "零售顾客" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/*
 * The bind request's fields as a struct wx_bind: a phone code, or an
 * invite with the account to make, or an existing account's phone and
 * password, or "retail": true for a consumer account of the user's own.
 * -1 with f->error when it is none or half of one.
 */
static int
bind_read(struct ctx *c, struct form *f, struct wx_bind *b,
    struct invite_join *j)
{
	static const int need[] = { B_NAME, B_PHONE, B_PASSWORD };
	size_t		 i;

	memset(b, 0, sizeof(*b));
	memset(j, 0, sizeof(*j));
	b->ticket = f->v[B_TICKET].s;
	if (f->v[B_RETAIL].present && f->v[B_RETAIL].i64) {
		b->by = WX_BIND_CONSUMER;
		return 0;
	}
	if (f->v[B_PHONE_CODE].present) {
		b->by = WX_BIND_PHONE_CODE;
		b->phone_code = f->v[B_PHONE_CODE].s;
		return 0;
	}
	if (f->v[B_INVITE].present) {
		for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (!f->v[need[i]].present)
				form_error(c, f, bind_fields[need[i]].name,
				    bind_fields[need[i]].label, "请填写");
		if (f->error != NULL)
			return -1;
		b->by = WX_BIND_INVITE;
		b->invite = f->v[B_INVITE].s;
		j->name = f->v[B_NAME].s;
		j->phone = f->v[B_PHONE].s;
		j->password = f->v[B_PASSWORD].s;
		b->join = j;
		return 0;
	}
	if (f->v[B_PHONE].present && f->v[B_PASSWORD].present) {
		b->by = WX_BIND_PASSWORD;
		b->phone = f->v[B_PHONE].s;
		b->password = f->v[B_PASSWORD].s;
		return 0;
	}
	form_error(c, f, "phone_code", "手机号授权",
	    "请授权手机号，或填写邀请与账户，或填写手机号与密码");
	return -1;
}

/* POST /api/v1/wechat/bind {"ticket", "phone_code"} (or an invite, or
 * phone and password, or "retail": true): bind the WeChat user and log
 * them in. */
static int
h_wechat_bind(struct ctx *c)
{
	struct wx_login		 l;
	struct wx_bind		 b;
	struct invite_join	 j;
	struct field_errs	 fe;
	struct form		 f;
	int			 err;

	if (json_only(c) == -1)
		return c->status;
	if (form_parse(c, bind_fields, &f) == -1 ||
	    bind_read(c, &f, &b, &j) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	b.bearer = 1;
	memset(&fe, 0, sizeof(fe));
	if ((err = wx_bind(&c->d, &b, &l, &fe)) != 0) {
		if (fe.n > 0) {
			cust_form_take(c, &f, &fe);
			return http_fail(c, err, f.error);
		}
		return http_fail(c, err, c->d.error);
	}
	return login_answer(c, &l);
}

const struct route h_wechat_routes[] = {
	{ "GET", "^/api/v1/wechat/jssdk$", h_wechat_jssdk, ROUTE_JSON, NULL },
	{ "POST", "^/api/v1/wechat/login$", h_wechat_login, ROUTE_JSON |
	  ROUTE_BODY | ROUTE_NOREPLAY, NULL },
	{ "POST", "^/api/v1/wechat/bind$", h_wechat_bind, ROUTE_JSON |
	  ROUTE_BODY | ROUTE_NOREPLAY, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
