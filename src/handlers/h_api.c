/*
 * h_api.c -- JSON-only endpoints: health check, shop info, and the
 * mini-program's token login and logout. Pages with an H5 twin are served
 * as JSON by their own handlers (see h_account.c).
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/auth.h"
#include "domain/sms_login.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/account.h"

static int
h_healthz(struct ctx *c)
{
	json_object	*v = view_new(c);
	int		 err;

	if ((err = health_check(&c->d)) != 0)
		return http_fail(c, err, c->d.error);
	view_set_str(v, "db", "ok");
	view_set_str(v, "version", DINGHUO_VERSION);
	return render_json_ok(c, 200);
}

static int
h_api_shop(struct ctx *c)
{
	c->view = shop_view(c->d.shop);
	arena_defer_json(c->d.arena, c->view);
	return render_json_ok(c, 200);
}

enum { F_PHONE, F_PASSWORD, F_KIND };
static const struct field token_fields[] = {
	[F_PHONE] =	{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0, "手机号" },
	[F_PASSWORD] =	{ "password", FIELD_PASSWORD, FIELD_REQUIRED, 1, 128,
			  "密码" },
	[F_KIND] =	{ "kind", FIELD_TEXT, 0, 0, 10, "账户类型" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/*
 * POST /api/v1/login {"phone","password","kind":"customer"|"staff"}
 * JSON only: no other site's page can send that without asking first
 * (CORS), so none can spend a dealer's tries without the CSRF token the
 * form login needs.
 */
static int
h_api_login(struct ctx *c)
{
	struct form		 f;
	struct login_result	 res;
	json_object		*v;
	enum sess_kind		 kind = SESS_CUSTOMER;
	int			 err;

	if (c->json == NULL)
		return http_fail(c, ERR_UNSUPPORTED, "登录接口只接受 JSON 请求"
		    "（Content-Type: application/json）");
	if (form_parse(c, token_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	if (f.v[F_KIND].present) {
		if (strcmp(f.v[F_KIND].s, "staff") == 0)
			kind = SESS_STAFF;
		else if (strcmp(f.v[F_KIND].s, "customer") != 0)
			return http_fail(c, ERR_INVALID,
			    "账户类型：应为 customer 或 staff");
	}
	if ((err = auth_login(&c->d, kind, f.v[F_PHONE].s, f.v[F_PASSWORD].s,
	    1, &res)) != 0) {
		login_retry_after(c, &res);
		return http_fail(c, err, c->d.error);
	}
	v = view_new(c);
	view_set_str(v, "token", res.token);
	view_set_i64(v, "expires_in", conf.session_ttl);
	view_set_str(v, "kind", kind == SESS_STAFF ? "staff" : "customer");
	view_set_str(v, "name", c->d.sess.name);
	view_set_str(v, "role", c->d.sess.role);
	return render_json_ok(c, 200);
}

static const struct field sms_fields[] = {
	{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0, "手机号" },
	{ "code", FIELD_TEXT, 0, 0, 6, "验证码" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* POST /api/v1/login/sms/code {"phone"}: JSON only, as h_api_login. */
static int
h_api_sms_code(struct ctx *c)
{
	struct form	 f;
	int64_t		 wait;
	json_object	*v;
	int		 rc;

	if (c->json == NULL)
		return http_fail(c, ERR_UNSUPPORTED, "只接受 JSON 请求");
	if (form_parse(c, sms_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	if ((rc = sms_code_send(&c->d, f.v[0].s, &wait)) != 0) {
		if (wait > 0)
			http_header(c, "Retry-After", arena_printf(c->d.arena,
			    "%" PRId64, wait));
		return http_fail(c, rc, c->d.error);
	}
	v = view_new(c);
	view_set_bool(v, "sent", 1);
	view_set_i64(v, "retry_after", 60);
	return render_json_ok(c, 200);
}

/* POST /api/v1/login/sms {"phone","code"}: a bearer token. */
static int
h_api_sms_login(struct ctx *c)
{
	struct form		 f;
	struct login_result	 res;
	json_object		*v;
	int			 rc;

	if (c->json == NULL)
		return http_fail(c, ERR_UNSUPPORTED, "只接受 JSON 请求");
	if (form_parse(c, sms_fields, &f) == -1 || f.v[1].s == NULL)
		return http_fail(c, ERR_INVALID, f.error ? f.error :
		    "验证码：请填写");
	if ((rc = sms_code_login(&c->d, f.v[0].s, f.v[1].s, 1, &res)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	view_set_str(v, "token", res.token);
	view_set_i64(v, "expires_in", conf.session_ttl);
	view_set_str(v, "kind", "customer");
	return render_json_ok(c, 200);
}

static int
h_api_logout(struct ctx *c)
{
	int	bearer;

	if (c->d.sess.kind == SESS_NONE)
		return http_fail(c, ERR_UNAUTHORIZED, "请先登录");
	bearer = c->d.sess.bearer;
	if (session_destroy(&c->d) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (!bearer)
		session_cookie(c, NULL);
	view_new(c);
	return render_json_ok(c, 200);
}

const struct route h_api_routes[] = {
	{ "GET", "^/healthz$", h_healthz, ROUTE_NOSHOP | ROUTE_JSON, NULL },
	{ "GET", "^/api/v1/shop$", h_api_shop, ROUTE_JSON, NULL },
	{ "POST", "^/api/v1/login$", h_api_login, ROUTE_JSON | ROUTE_BODY |
	  ROUTE_NOREPLAY, NULL },
	{ "POST", "^/api/v1/login/sms/code$", h_api_sms_code, ROUTE_JSON |
	  ROUTE_BODY, NULL },
	{ "POST", "^/api/v1/login/sms$", h_api_sms_login, ROUTE_JSON |
	  ROUTE_BODY | ROUTE_NOREPLAY, NULL },
	{ "POST", "^/api/v1/logout$", h_api_logout, ROUTE_JSON | ROUTE_CSRF,
	  NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
