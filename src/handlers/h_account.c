/*
 * h_account.c -- logging in and out (customers here, staff through the
 * same two functions from h_admin.c) and the customer's "my account" page.
 */
#include "dinghuo.h"

enum { F_PHONE, F_PASSWORD };
static const struct field login_fields[] = {
	[F_PHONE] =	{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0, "手机号" },
	[F_PASSWORD] =	{ "password", FIELD_PASSWORD, FIELD_REQUIRED, 1, 128,
			  "密码" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* Only same-site paths are followed after login. */
static const char *
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

static const char sql_company[] =
    "SELECT c.name, c.payment_terms, c.credit_days, c.credit_limit_fen, "
    "c.tax_id, COALESCE(s.name, ''), COALESCE(s.phone, '') "
    "FROM customer c LEFT JOIN staff s ON s.id = c.owner_staff_id "
    "WHERE c.id = ? AND c.shop_id = ?";
static const char sql_colleagues[] =
    "SELECT name, role, phone FROM customer_user "
    "WHERE customer_id = ? AND shop_id = ? AND status = 'active' "
    "ORDER BY id LIMIT 50";

static int
h_account(struct ctx *c)
{
	struct db_res	*co, *us;
	json_object	*v = view_new(c), *company, *users, *u;
	int		 i;

	if (db_run(c->d.arena, &co, sql_company, "ii", c->d.sess.customer_id,
	    c->d.shop->id) == -1 ||
	    db_run(c->d.arena, &us, sql_colleagues, "ii", c->d.sess.customer_id,
	    c->d.shop->id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (co->nrows == 0)
		return http_fail(c, ERR_NOT_FOUND, "客户资料不存在");
	view_set_str(v, "name", c->d.sess.name);
	view_set_str(v, "phone", c->d.sess.phone);
	view_set_str(v, "role", c->d.sess.role);
	view_set_str(v, "role_label", role_label(c->d.sess.role));
	company = json_object_new_object();
	view_set_str(company, "name", db_cell(co, 0, 0));
	view_set_bool(company, "monthly",
	    strcmp(db_cell(co, 0, 1), "monthly") == 0);
	view_set_i64(company, "credit_days", db_cell_i64(co, 0, 2));
	view_set_i64(company, "credit_limit_fen", db_cell_i64(co, 0, 3));
	view_set_str(company, "credit_limit", fmt_yuan(c->d.arena,
	    db_cell_i64(co, 0, 3)));
	view_set_str(company, "tax_id", db_cell(co, 0, 4));
	view_set_str(company, "sales_name", db_cell(co, 0, 5));
	view_set_str(company, "sales_phone", db_cell(co, 0, 6));
	json_object_object_add(v, "company", company);
	users = json_object_new_array();
	for (i = 0; i < us->nrows; i++) {
		u = json_object_new_object();
		view_set_str(u, "name", db_cell(us, i, 0));
		view_set_str(u, "role", db_cell(us, i, 1));
		view_set_str(u, "role_label", role_label(db_cell(us, i, 1)));
		view_set_str(u, "phone", db_cell(us, i, 2));
		json_object_array_add(users, u);
	}
	json_object_object_add(v, "users", users);
	c->title = "我的账户";
	return render(c, "account");
}

const struct route h_account_routes[] = {
	{ "GET", "^/login$", h_account_login_form, 0, NULL },
	{ "POST", "^/login$", h_account_login, ROUTE_CSRF, NULL },
	{ "POST", "^/logout$", h_logout, ROUTE_CSRF, NULL },
	{ "GET", "^/account$", h_account, ROUTE_CUSTOMER, NULL },
	{ "GET", "^/api/v1/account$", h_account, ROUTE_CUSTOMER | ROUTE_JSON,
	  NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
