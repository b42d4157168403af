/*
 * h_account.c -- logging in and out (customers here, staff through the
 * same two functions from h_admin.c) and the customer's "my account" page.
 */
#include "base/base.h"
#include "domain/auth.h"
#include "domain/sms_login.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/account.h"
#include "domain/dealer_application.h"
#include "domain/order.h"
#include "handlers/h_money.h"

enum { F_PHONE, F_PASSWORD };
static const struct field login_fields[] = {
	[F_PHONE] =	{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0, "手机号" },
	[F_PASSWORD] =	{ "password", FIELD_PASSWORD, FIELD_REQUIRED, 1, 128,
			  "密码" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* Only same-site paths are followed after login (also h_wechat_oauth.c). */
const char *
safe_next(struct ctx *c, const char *fallback)
{
	const char	*n = req_param(c, "next"), *p;

	if (n == NULL || n[0] != '/' || n[1] == '/' || strlen(n) > 300)
		return fallback;
	/* Browsers drop tabs and newlines and read '\\' as '/'. */
	for (p = n; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return fallback;
	return n;
}

static int
login_page(struct ctx *c, enum sess_kind kind, const char *error,
    const char *phone)
{
	json_object	*v = view_new(c);

	view_set_bool(v, "sms", kind == SESS_CUSTOMER && sms_login_enabled());
	view_set_str(v, "sms_code_action", ctx_link(c, "/login/sms/code"));
	view_set_str(v, "sms_action", ctx_link(c, "/login/sms"));
	view_set_bool(v, "sms_open", c->d.code != NULL &&
	    strncmp(c->d.code, "sms", 3) == 0);
	view_set_bool(v, "sms_sent", c->d.code != NULL &&
	    strcmp(c->d.code, "sms_sent") == 0);
	view_set_bool(v, "sms_code_form", c->d.code != NULL &&
	    (strcmp(c->d.code, "sms_sent") == 0 ||
	    strcmp(c->d.code, "sms_code_wrong") == 0));

	view_set_bool(v, "staff", kind == SESS_STAFF);
	view_set_str(v, "action", ctx_link(c, kind == SESS_STAFF ?
	    "/admin/login" : "/login"));
	view_set_str(v, "next", safe_next(c, ""));
	view_set_str(v, "error", error);
	view_set_str(v, "phone", phone);
	c->title = kind == SESS_STAFF ? "员工登录" : "客户登录";
	if (error != NULL && c->json_out)
		return http_fail(c, c->status == 429 ? ERR_TOO_MANY :
		    ERR_INVALID, error);
	return render(c, "login");
}

int
h_login_form(struct ctx *c, enum sess_kind kind)
{
	if (c->d.sess.kind == kind)
		return http_see_other(c, "%s", ctx_link(c, kind == SESS_STAFF ?
		    "/admin" : "/account"));
	return login_page(c, kind, NULL, NULL);
}

/* A throttled login tells the client when to come back. */
void
login_retry_after(struct ctx *c, const struct login_result *res)
{
	if (res->retry_after > 0)
		http_header(c, "Retry-After", arena_printf(c->d.arena,
		    "%" PRId64, res->retry_after));
}

int
h_login_post(struct ctx *c, enum sess_kind kind)
{
	struct form		 f;
	struct login_result	 res;
	int			 err;

	if (form_parse(c, login_fields, &f) == -1) {
		c->status = 400;
		return login_page(c, kind, f.error, req_param(c, "phone"));
	}
	err = auth_login(&c->d, kind, f.v[F_PHONE].s, f.v[F_PASSWORD].s, 0,
	    &res);
	if (err == ERR_INVALID || err == ERR_TOO_MANY) {
		/* An applicant's own password: their application's state. */
		if (err == ERR_INVALID && kind == SESS_CUSTOMER)
			dealer_login_note(&c->d, f.v[F_PHONE].s,
			    f.v[F_PASSWORD].s);
		login_retry_after(c, &res);
		c->status = err_status(err);
		return login_page(c, kind, c->d.error, f.v[F_PHONE].s);
	}
	if (err != 0)
		return http_fail(c, err, NULL);
	session_cookie(c, res.token);
	return http_see_other(c, "%s", ctx_link(c, safe_next(c,
	    kind == SESS_STAFF ? "/admin" : "/account")));
}

int
h_logout(struct ctx *c)
{
	int	staff = c->d.sess.kind == SESS_STAFF, bearer;

	bearer = c->d.sess.bearer;
	if (session_destroy(&c->d) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (!bearer)
		session_cookie(c, NULL);
	return http_see_other(c, "%s", ctx_link(c, staff ? "/admin/login" :
	    "/"));
}

enum { S_PHONE, S_CODE };
static const struct field sms_fields[] = {
	[S_PHONE] =	{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0, "手机号" },
	[S_CODE] =	{ "code", FIELD_TEXT, 0, 0, 6, "验证码" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* POST /login/sms/code: send a code, then the page with the code field. */
static int
h_sms_code(struct ctx *c)
{
	struct form	f;
	int64_t		wait;
	int		rc;

	c->d.code = "sms";
	if (form_parse(c, sms_fields, &f) == -1) {
		c->status = 400;
		return login_page(c, SESS_CUSTOMER, f.error,
		    req_param(c, "phone"));
	}
	if ((rc = sms_code_send(&c->d, f.v[S_PHONE].s, &wait)) != 0) {
		if (wait > 0)
			http_header(c, "Retry-After", arena_printf(c->d.arena,
			    "%" PRId64, wait));
		c->status = err_status(rc);
		if (c->d.code == NULL || strncmp(c->d.code, "sms", 3) != 0)
			c->d.code = "sms";
		return login_page(c, SESS_CUSTOMER, c->d.error,
		    f.v[S_PHONE].s);
	}
	c->d.code = "sms_sent";
	return login_page(c, SESS_CUSTOMER, NULL, f.v[S_PHONE].s);
}

/* POST /login/sms: the phone and its code. */
static int
h_sms_login(struct ctx *c)
{
	struct form		 f;
	struct login_result	 res;
	int			 rc;

	c->d.code = "sms";
	if (form_parse(c, sms_fields, &f) == -1 || f.v[S_CODE].s == NULL) {
		c->status = 400;
		return login_page(c, SESS_CUSTOMER, f.error ? f.error :
		    "请填写验证码", req_param(c, "phone"));
	}
	if ((rc = sms_code_login(&c->d, f.v[S_PHONE].s, f.v[S_CODE].s, 0,
	    &res)) != 0) {
		if (rc == ERR_INTERNAL)
			return http_fail(c, rc, NULL);
		c->status = err_status(rc);
		if (c->d.code == NULL)
			c->d.code = "sms";
		return login_page(c, SESS_CUSTOMER, c->d.error,
		    f.v[S_PHONE].s);
	}
	session_cookie(c, res.token);
	return http_see_other(c, "%s", ctx_link(c, safe_next(c,
	    "/account")));
}

static int
h_account_login_form(struct ctx *c)
{
	return h_login_form(c, SESS_CUSTOMER);
}

static int
h_account_login(struct ctx *c)
{
	return h_login_post(c, SESS_CUSTOMER);
}

/* Open orders, and for a monthly-credit company what it owes. */
static int
account_orders(struct ctx *c, json_object *v)
{
	struct order_summary	 s;
	json_object		*o;
	int64_t			 n;
	int			 rc;

	if ((rc = order_summary(&c->d, &s)) != 0 ||
	    (rc = cart_count(&c->d, &n)) != 0)
		return rc;
	o = json_object_new_object();
	view_set_i64(o, "open", s.open);
	view_set_str(o, "url", ctx_link(c, "/orders"));
	view_set_i64(o, "cart_lines", n);
	view_set_str(o, "cart_url", ctx_link(c, "/cart"));
	view_set_bool(o, "credit", s.credit);
	if (s.credit) {
		view_set_money(c, o, "credit_limit", s.credit_limit_fen);
		view_set_money(c, o, "credit_used", s.outstanding_fen);
		view_set_money(c, o, "credit_available", s.available_fen);
	}
	json_object_object_add(v, "orders", o);
	return 0;
}

static int
h_account(struct ctx *c)
{
	struct account	 a;
	json_object	*v, *company, *users, *u;
	int		 i, err;

	if ((err = account_load(&c->d, &a)) != 0)
		return http_fail(c, err, c->d.error);
	v = view_new(c);
	view_set_str(v, "name", c->d.sess.name);
	view_set_str(v, "phone", c->d.sess.phone);
	view_set_str(v, "role", c->d.sess.role);
	view_set_str(v, "role_label", role_label(c->d.sess.role));
	company = json_object_new_object();
	view_set_str(company, "name", a.company.name);
	view_set_bool(company, "monthly", a.company.monthly);
	view_set_i64(company, "credit_days", a.company.credit_days);
	view_set_money(c, company, "credit_limit", a.company.credit_limit_fen);
	view_set_str(company, "tax_id", a.company.tax_id);
	view_set_str(company, "sales_name", a.company.sales_name);
	view_set_str(company, "sales_phone", a.company.sales_phone);
	json_object_object_add(v, "company", company);
	users = json_object_new_array();
	for (i = 0; i < a.nusers; i++) {
		u = json_object_new_object();
		view_set_str(u, "name", a.users[i].name);
		view_set_str(u, "role", a.users[i].role);
		view_set_str(u, "role_label", role_label(a.users[i].role));
		view_set_str(u, "phone", a.users[i].phone);
		json_object_array_add(users, u);
	}
	json_object_object_add(v, "users", users);
	if ((err = account_orders(c, v)) != 0 ||
	    (err = h_money_account_view(c, v)) != 0 ||
	    (err = h_approval_account_view(c, v)) != 0 ||
	    (err = h_nps_account_view(c, v)) != 0)
		return http_fail(c, err, NULL);
	c->title = "我的账户";
	return render(c, "account");
}

const struct route h_account_routes[] = {
	{ "GET", "^/login$", h_account_login_form, 0, NULL },
	{ "POST", "^/login$", h_account_login, ROUTE_CSRF, NULL },
	{ "POST", "^/login/sms/code$", h_sms_code, ROUTE_CSRF, NULL },
	{ "POST", "^/login/sms$", h_sms_login, ROUTE_CSRF, NULL },
	{ "POST", "^/logout$", h_logout, ROUTE_CSRF, NULL },
	{ "GET", "^/account$", h_account, ROUTE_CUSTOMER, NULL },
	{ "GET", "^/api/v1/account$", h_account, ROUTE_CUSTOMER | ROUTE_JSON,
	  NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
