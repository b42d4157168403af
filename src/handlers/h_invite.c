/*
 * h_invite.c -- joining a customer company through the one-time link staff
 * made on the company's page (h_admin_customer.c): the page names the
 * company, the form makes the person's account, uses the link up and logs
 * them in. Only the token's hash is stored; another shop's link is unknown.
 */
#include "dinghuo.h"

#define TOKEN_HEX	64

static const char sql_invite[] =
    "SELECT i.id, i.customer_id, i.role, c.name, i.used_at IS NOT NULL, "
    "i.expires_at <= NOW(3), c.status = 'active' FROM customer_invite i "
    "JOIN customer c ON c.id = i.customer_id "
    "WHERE i.token_hash = ? AND i.shop_id = ?";
/* The same, locking the invite: two people cannot both use one link. */
static const char sql_invite_lock[] =
    "SELECT i.id, i.customer_id, i.role, c.name, i.used_at IS NOT NULL, "
    "i.expires_at <= NOW(3), c.status = 'active' FROM customer_invite i "
    "JOIN customer c ON c.id = i.customer_id "
    "WHERE i.token_hash = ? AND i.shop_id = ? FOR UPDATE";
static const char sql_phone_taken[] =
    "SELECT id FROM customer_user WHERE shop_id = ? AND phone = ?";
static const char sql_user_add[] =
    "INSERT INTO customer_user (shop_id, customer_id, name, phone, "
    "password_hash, role) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_invite_use[] =
    "UPDATE customer_invite SET used_at = NOW(3) WHERE id = ? "
    "AND used_at IS NULL";

enum { J_NAME, J_PHONE, J_PASSWORD, J_PASSWORD2 };
static const struct field join_fields[] = {
	[J_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 60, "姓名" },
	[J_PHONE] =	{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0,
			  "手机号" },
	[J_PASSWORD] =	{ "password", FIELD_PASSWORD, FIELD_REQUIRED, 8, 128,
			  "密码" },
	[J_PASSWORD2] =	{ "password2", FIELD_PASSWORD, FIELD_REQUIRED, 1, 128,
			  "确认密码" },
	{ NULL, 0, 0, 0, 0, NULL }
};

struct invite {
	const char	*token;
	char		 hash[TOKEN_HEX + 1];
	int64_t		 id;
	int64_t		 customer_id;
	const char	*role;
	const char	*company;
	const char	*gone;		/* why the link cannot be used */
	int		 gone_status;
	struct form	 f;
	char		 pwhash[AUTH_HASH_MAX];
	int64_t		 user_id;
};

/* The invite of the path's token: 0, ERR_NOT_FOUND (inv->gone says why). */
static int
invite_find(struct dctx *c, struct invite *inv, int lock)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, lock ? sql_invite_lock : sql_invite, "si",
	    inv->hash, c->shop->id) == -1)
		return ERR_INTERNAL;
	inv->gone_status = 410;
	if (r->nrows == 0) {
		inv->gone = "邀请链接无效，请向业务员索取新的链接";
		inv->gone_status = 404;
	} else if (db_cell_i64(r, 0, 4) != 0)
		inv->gone = "这个邀请链接已经用过了，每个链接只能注册一次";
	else if (db_cell_i64(r, 0, 5) != 0)
		inv->gone = "这个邀请链接已过期（有效期 7 天），请向业务员索取"
		    "新的链接";
	else if (db_cell_i64(r, 0, 6) == 0)
		inv->gone = "该公司的账户已停用，暂时不能加入";
	if (inv->gone != NULL)
		return ERR_NOT_FOUND;
	inv->id = db_cell_i64(r, 0, 0);
	inv->customer_id = db_cell_i64(r, 0, 1);
	inv->role = db_cell(r, 0, 2);
	inv->company = db_cell(r, 0, 3);
	return 0;
}

static int
gone_page(struct ctx *c, struct invite *inv)
{
	json_object	*v;

	clog_info(&c->d, "invite: link not usable status=%d", inv->gone_status);
	if (c->json_out)
		return http_fail(c, ERR_NOT_FOUND, inv->gone);
	v = view_new(c);
	view_set_i64(v, "status", inv->gone_status);
	view_set_str(v, "message", inv->gone);
	c->status = inv->gone_status;
	c->title = "邀请链接不可用";
	return render(c, "invite_gone");
}

static int
form_page(struct ctx *c, struct invite *inv, const char *error)
{
	json_object	*v = view_new(c);

	view_set_str(v, "company", inv->company);
	view_set_str(v, "role_label", role_label(inv->role));
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/invite/%s", inv->token)));
	view_set_str(v, "error", error);
	view_set_str(v, "name", req_param(c, "name"));
	view_set_str(v, "phone", req_param(c, "phone"));
	if (inv->f.errors != NULL)
		json_object_object_add(v, "errors",
		    json_object_get(inv->f.errors));
	c->title = "加入公司账户";
	return render(c, "invite");
}

/* Look the path's token up; a page answers when it is not usable. */
static int
invite_open(struct ctx *c, struct invite *inv)
{
	int	rc;

	memset(inv, 0, sizeof(*inv));
	inv->token = c->m.cap[0];
	if (!hex_valid(inv->token, TOKEN_HEX)) {
		inv->gone = "邀请链接无效，请向业务员索取新的链接";
		inv->gone_status = 404;
		return gone_page(c, inv);
	}
	token_hash(inv->token, inv->hash);
	if ((rc = invite_find(&c->d, inv, 0)) == ERR_NOT_FOUND)
		return gone_page(c, inv);
	if (rc != 0)
		return http_fail(c, rc, NULL);
	return 0;
}

static int
h_invite_form(struct ctx *c)
{
	struct invite	inv;

	if (invite_open(c, &inv) != 0)
		return c->status;
	return form_page(c, &inv, NULL);
}

static int
tx_join(struct dctx *c, void *arg)
{
	struct invite	*inv = arg;
	struct form	*f = &inv->f;
	struct db_res	*r;
	int		 rc;

	if ((rc = invite_find(c, inv, 1)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_phone_taken, "is", c->shop->id,
	    f->v[J_PHONE].s) == -1)
		return ERR_INTERNAL;
	if (r->nrows > 0) {
		c->error = "这个手机号已经注册过了，请直接登录";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, &r, sql_user_add, "iissss", c->shop->id,
	    inv->customer_id, f->v[J_NAME].s, f->v[J_PHONE].s, inv->pwhash,
	    inv->role) == -1) {
		if (db_errno() != 1062)		/* the same phone, just now */
			return ERR_INTERNAL;
		c->error = "这个手机号已经注册过了，请直接登录";
		return ERR_CONFLICT;
	}
	inv->user_id = (int64_t)r->insert_id;
	if (db_run(c->arena, &r, sql_invite_use, "i", inv->id) == -1)
		return ERR_INTERNAL;
	if (r->affected != 1)		/* cannot be, under the lock */
		return ERR_INTERNAL;
	return audit(c, "customer_user.join", "customer=%" PRId64 " user=%"
	    PRId64 " invite=%" PRId64 " role=%s", inv->customer_id,
	    inv->user_id, inv->id, inv->role);
}

static int
h_invite_join(struct ctx *c)
{
	struct invite	 inv;
	struct form	*f = &inv.f;
	char		*token;
	int		 rc;

	if (invite_open(c, &inv) != 0)
		return c->status;
	if (form_parse(c, join_fields, f) == 0 &&
	    strcmp(f->v[J_PASSWORD].s, f->v[J_PASSWORD2].s) != 0)
		form_error(c, f, "password2", "确认密码",
		    "两次输入的密码不一致");
	if (f->error != NULL) {
		c->status = 400;
		if (c->json_out)
			return http_fail(c, ERR_INVALID, f->error);
		return form_page(c, &inv, f->error);
	}
	/* Slow on purpose: hash before the transaction takes its locks. */
	if (auth_hash(f->v[J_PASSWORD].s, inv.pwhash, sizeof(inv.pwhash)) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	if ((rc = db_tx_run(&c->d, tx_join, &inv)) == ERR_NOT_FOUND)
		return gone_page(c, &inv);
	if (rc == ERR_CONFLICT) {
		c->status = 409;
		if (c->json_out)
			return http_fail(c, rc, c->d.error);
		return form_page(c, &inv, c->d.error);
	}
	if (rc != 0)
		return http_fail(c, rc, NULL);
	clog_info(&c->d, "invite: customer_user %" PRId64 " joined customer %"
	    PRId64, inv.user_id, inv.customer_id);
	/* Whoever was logged in on this browser is not any more. */
	if (c->d.sess.kind != SESS_NONE && session_destroy(&c->d) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (session_create(&c->d, SESS_CUSTOMER, inv.user_id, 0, &token) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	session_cookie(c, token);
	return http_see_other(c, "%s", ctx_link(c, "/account"));
}

const struct route h_invite_routes[] = {
	{ "GET", "^/invite/([^/]{1,200})$", h_invite_form, 0, NULL },
	{ "POST", "^/invite/([^/]{1,200})$", h_invite_join, ROUTE_CSRF,
	  NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
