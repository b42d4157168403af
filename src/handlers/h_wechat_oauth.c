/*
 * h_wechat_oauth.c -- logging in inside the WeChat browser (公众号网页
 * 授权, snsapi_base, wechat-protocols.md §3.1-3.2): /wechat/oauth sends
 * the browser to WeChat with a signed, single-use state (domain/
 * wx_sign.c) whose nonce is also in a cookie of this browser; the
 * callback logs a bound user in or sends an unbound one to the bind
 * page, which binds by an existing account's password or an invite.
 * /retail/join is how a retail shopper starts buying (docs/retail.md):
 * in WeChat it runs the same OAuth and, for an unbound user, makes a
 * consumer account of their own in one tap; elsewhere it shows the
 * page's QR code to open in WeChat, where WeChat Pay works.
 */
#include "base/base.h"
#include "base/conf.h"
#include "base/qr.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/customer.h"
#include "domain/invite.h"
#include "domain/shop.h"
#include "domain/wechat.h"
#include "domain/wechat_conf.h"
#include "handlers/h_customer.h"

#define COOKIE_STATE	"wxo"	/* the nonce of the state in flight */
#define COOKIE_TICKET	"wxb"	/* the bind ticket of an unbound user */

/* GET /wechat/oauth?next=/path: 302 to WeChat's authorize page. */
static int
h_wechat_oauth(struct ctx *c)
{
	struct wechat_conf	 w;
	const char		*next, *state, *nonce, *redirect;
	char			*url;
	int			 err;

	if ((next = safe_next(c, NULL)) == NULL)
		next = req_param(c, "next") == NULL ? "/" : NULL;
	if (next == NULL)
		return http_fail(c, ERR_INVALID, "next：只能是本店的页面路径");
	if ((err = wechat_conf_get(&c->d, c->d.shop->id, &w)) != 0)
		return http_fail(c, err, NULL);
	if (*w.mp_appid == '\0' || !w.has_mp_secret) {
		c->d.code = "wechat_not_configured";
		return http_fail(c, ERR_CONFLICT, "店铺尚未开通公众号登录");
	}
	if ((err = wx_state_make(&c->d, next, &state, &nonce)) != 0)
		return http_fail(c, err, c->d.error);
	redirect = arena_printf(c->d.arena, "%s://%s%s/wechat/oauth/callback",
	    c->https ? "https" : "http", c->host, c->base);
	/* §3.1: this order of parameters, #wechat_redirect last. */
	url = arena_printf(c->d.arena, "%s/connect/oauth2/authorize?appid=%s"
	    "&redirect_uri=%s&response_type=code&scope=snsapi_base&state=%s"
	    "#wechat_redirect", conf.wechat_open_base, w.mp_appid,
	    url_encode(c->d.arena, redirect), state);
	http_set_cookie(c, COOKIE_STATE, nonce, WX_STATE_TTL);
	c->status = 302;
	http_header(c, "Location", url);
	c->ctype = "text/html; charset=utf-8";
	return c->status;
}

/* GET /wechat/oauth/callback?code&state: back from WeChat. */
static int
h_wechat_callback(struct ctx *c)
{
	struct wx_login	 l;
	const char	*next, *code = req_param(c, "code");
	int		 err;

	/* A bad state leaves the cookie: the good one may still come. */
	if ((err = wx_state_use(&c->d, req_param(c, "state"),
	    req_cookie(c, COOKIE_STATE), &next)) != 0)
		return http_fail(c, err, c->d.error);
	http_set_cookie(c, COOKIE_STATE, "", 0);
	if (code == NULL || *code == '\0' || strlen(code) > 128)
		return http_fail(c, ERR_INVALID, "没有得到微信的授权，请重新打开");
	if ((err = wx_login_oauth(&c->d, code, &l)) != 0)
		return http_fail(c, err, c->d.error);
	if (l.bound) {
		session_cookie(c, l.token);
		return http_see_other(c, "%s", ctx_link(c, next));
	}
	http_set_cookie(c, COOKIE_TICKET, l.ticket, WX_TICKET_TTL);
	/* A retail shopper goes back to the join page, which asks nothing
	 * of dealers' accounts. */
	if (strncmp(next, "/retail/join", 12) == 0)
		return http_see_other(c, "%s", ctx_link(c, next));
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/wechat/bind?next=%s", url_encode(c->d.arena, next))));
}

static int
bind_page(struct ctx *c, const struct form *f, const char *error)
{
	json_object	*v = view_new(c);

	view_set_str(v, "action", ctx_link(c, "/wechat/bind"));
	view_set_str(v, "next", safe_next(c, "/"));
	view_set_str(v, "error", error);
	view_set_str(v, "phone", req_param(c, "phone"));
	view_set_str(v, "invite", req_param(c, "invite"));
	view_set_str(v, "name", req_param(c, "name"));
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors",
		    json_object_get(f->errors));
	c->title = "绑定微信";
	return render(c, "wechat_bind");
}

/* GET /wechat/bind: only with the ticket the callback left. */
static int
h_wechat_bind_form(struct ctx *c)
{
	if (req_cookie(c, COOKIE_TICKET) == NULL)
		return http_fail(c, ERR_INVALID, "请先在微信中打开本店页面登录");
	return bind_page(c, NULL, NULL);
}

enum { B_INVITE, B_NAME, B_PHONE, B_PASSWORD };
static const struct field bind_fields[] = {
	[B_INVITE] =	{ "invite", FIELD_TEXT, 0, 1, 200, "邀请码" },
	[B_NAME] =	{ "name", FIELD_TEXT, 0, 1, 60, "姓名" },
	[B_PHONE] =	{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0,
			  "手机号" },
	[B_PASSWORD] =	{ "password", FIELD_PASSWORD, FIELD_REQUIRED, 1, 128,
			  "密码" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* POST /wechat/bind: an existing account's phone and password, or an
 * invite and the account to make; then logged in. */
static int
h_wechat_bind_post(struct ctx *c)
{
	struct wx_login		 l;
	struct wx_bind		 b;
	struct invite_join	 j;
	struct field_errs	 fe;
	struct form		 f;
	int			 err;

	memset(&b, 0, sizeof(b));
	memset(&fe, 0, sizeof(fe));
	if ((b.ticket = req_cookie(c, COOKIE_TICKET)) == NULL)
		return http_fail(c, ERR_INVALID, "请先在微信中打开本店页面登录");
	if (form_parse(c, bind_fields, &f) == 0 && f.v[B_INVITE].present &&
	    !f.v[B_NAME].present)
		form_error(c, &f, "name", "姓名", "请填写");
	if (f.error != NULL) {
		c->status = 400;
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    bind_page(c, &f, f.error);
	}
	if (f.v[B_INVITE].present) {
		b.by = WX_BIND_INVITE;
		b.invite = f.v[B_INVITE].s;
		memset(&j, 0, sizeof(j));
		j.name = f.v[B_NAME].s;
		j.phone = f.v[B_PHONE].s;
		j.password = f.v[B_PASSWORD].s;
		b.join = &j;
	} else {
		b.by = WX_BIND_PASSWORD;
		b.phone = f.v[B_PHONE].s;
		b.password = f.v[B_PASSWORD].s;
	}
	if ((err = wx_bind(&c->d, &b, &l, &fe)) != 0) {
		if (fe.n > 0)
			cust_form_take(c, &f, &fe);
		if (c->json_out || err == ERR_INTERNAL ||
		    err == ERR_UNAVAILABLE)
			return http_fail(c, err, fe.n ? f.error : c->d.error);
		c->status = err_status(err);
		return bind_page(c, &f, fe.n ? f.error : c->d.error);
	}
	http_set_cookie(c, COOKIE_TICKET, "", 0);
	session_cookie(c, l.token);
	return http_see_other(c, "%s", ctx_link(c, safe_next(c, "/")));
}

/* ---- the retail mall's shoppers ------------------------------------ */

static int
in_wechat(struct ctx *c)
{
	const char	*ua = req_header(c, "HTTP_USER_AGENT");

	return ua != NULL && strstr(ua, "MicroMessenger") != NULL;
}

/* Where a shopper goes after joining: a page of the retail mall. */
static const char *
retail_next(struct ctx *c)
{
	return safe_next(c, "/retail/products");
}

/* The join page in one of its states (state: "confirm", "elsewhere",
 * "dealer", "closed"). */
static int
join_page(struct ctx *c, const char *state, const char *error)
{
	json_object	*v = view_new(c);
	struct qr	 q;
	const char	*url;

	view_set_bool(v, state, 1);
	view_set_str(v, "next", retail_next(c));
	view_set_str(v, "action", ctx_link(c, "/retail/join"));
	view_set_str(v, "error", error);
	view_set_str(v, "ordering_url", ctx_link(c, "/ordering/products"));
	view_set_str(v, "login_url", ctx_link(c, arena_printf(c->d.arena,
	    "/login?next=%s", url_encode(c->d.arena, retail_next(c)))));
	url = arena_printf(c->d.arena, "%s://%s%s", c->https ? "https" :
	    "http", c->host, ctx_link(c, retail_next(c)));
	view_set_str(v, "page_url", url);
	if (strcmp(state, "elsewhere") == 0 &&
	    qr_encode(c->d.arena, url, &q) == 0)
		view_set_str(v, "qr_svg", qr_svg(c->d.arena, &q));
	c->title = "零售商城购买";
	return render(c, "retail_join");
}

/* GET /retail/join?next=/retail/products/1: start buying. */
static int
h_retail_join(struct ctx *c)
{
	struct wechat_conf	w;

	if (!(c->d.shop->modes & SHOP_MODE_RETAIL))
		return http_fail(c, ERR_NOT_FOUND, "本店未开通零售商城");
	if (c->d.sess.kind == SESS_CUSTOMER && c->d.sess.consumer)
		return http_see_other(c, "%s", ctx_link(c, retail_next(c)));
	if (c->d.sess.kind != SESS_NONE)
		return join_page(c, "dealer", NULL);
	if (req_cookie(c, COOKIE_TICKET) != NULL)
		return join_page(c, "confirm", NULL);
	if (!in_wechat(c))
		return join_page(c, "elsewhere", NULL);
	if (wechat_conf_get(&c->d, c->d.shop->id, &w) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (*w.mp_appid == '\0' || !w.has_mp_secret) {
		clog_info(&c->d, "retail join: no official account to log in");
		return join_page(c, "closed", NULL);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/wechat/oauth?next=%s", url_encode(c->d.arena, arena_printf(
	    c->d.arena, "/retail/join?next=%s", url_encode(c->d.arena,
	    retail_next(c)))))));
}

/* POST /retail/join: the WeChat user the ticket names becomes a consumer
 * (or, bound already, is logged in), then goes on shopping. */
static int
h_retail_join_post(struct ctx *c)
{
	struct wx_login		 l;
	struct wx_bind		 b;
	struct field_errs	 fe;
	int			 err;

	if (!(c->d.shop->modes & SHOP_MODE_RETAIL))
		return http_fail(c, ERR_NOT_FOUND, "本店未开通零售商城");
	memset(&b, 0, sizeof(b));
	memset(&fe, 0, sizeof(fe));
	if ((b.ticket = req_cookie(c, COOKIE_TICKET)) == NULL) {
		c->status = 400;
		return join_page(c, in_wechat(c) ? "confirm" : "elsewhere",
		    "请先在微信中打开本页，再点“用微信购买”");
	}
	b.by = WX_BIND_CONSUMER;
	if ((err = wx_bind(&c->d, &b, &l, &fe)) != 0) {
		if (err == ERR_INTERNAL || err == ERR_UNAVAILABLE)
			return http_fail(c, err, c->d.error);
		c->status = err_status(err);
		return join_page(c, "confirm", c->d.error);
	}
	http_set_cookie(c, COOKIE_TICKET, "", 0);
	session_cookie(c, l.token);
	return http_see_other(c, "%s", ctx_link(c, retail_next(c)));
}

const struct route h_wechat_oauth_routes[] = {
	{ "GET", "^/retail/join$", h_retail_join, 0, NULL },
	{ "POST", "^/retail/join$", h_retail_join_post, ROUTE_CSRF, NULL },
	{ "GET", "^/wechat/oauth$", h_wechat_oauth, 0, NULL },
	{ "GET", "^/wechat/oauth/callback$", h_wechat_callback, 0, NULL },
	{ "GET", "^/wechat/bind$", h_wechat_bind_form, 0, NULL },
	{ "POST", "^/wechat/bind$", h_wechat_bind_post, ROUTE_CSRF, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
