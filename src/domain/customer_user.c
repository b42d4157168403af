/*
 * customer_user.c -- the people who log in for a customer company: their
 * list, an edit by staff, the account an invitation makes. A user
 * disabled or given another role is logged out at once, on every worker
 * (session_end_user); a new name reloads their cached sessions.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "domain/customer.h"
#include "domain/customer_rows.h"
#include "domain/scope_sql.h"
#include "domain/customer_user.h"
#include "domain/ticket.h"

#define USER_ROLES	"buyer,approver,finance"

int
customer_user_role_ok(const char *role)
{
	return role != NULL && *role != '\0' && strchr(role, ',') == NULL &&
	    name_in_list(USER_ROLES, role);
}

static const char sql_users[] =
    "SELECT id, name, phone, role, status FROM customer_user "
    "WHERE customer_id = ? AND shop_id = ? AND "
    SCOPE_CUSTOMER_ID("customer_user.customer_id") " ORDER BY id";

static void
user_fill(void *p, const struct db_res *r, int i)
{
	struct customer_user	*a = p;

	a->id = db_cell_i64(r, i, 0);
	a->name = db_cell(r, i, 1);
	a->phone = db_cell(r, i, 2);
	a->role = db_cell(r, i, 3);
	a->status = db_cell(r, i, 4);
}

/* The users of a company of the request's shop, oldest first. */
int
customer_users(struct dctx *c, int64_t customer_id, struct customer_user **out,
    int *n)
{
	*out = company_rows(c, sql_users, customer_id, sizeof(**out),
	    user_fill, n);
	return *out != NULL ? 0 : ERR_INTERNAL;
}

/* 0, or ERR_INVALID with fe naming what is wrong. */
int
customer_user_check(struct dctx *c, const struct customer_user_input *in,
    struct field_errs *fe)
{
	int	n = fe->n;

	if (in->name != NULL)
		field_text(c->arena, fe, "name", "姓名", in->name, 1, 60);
	if (in->role != NULL && !customer_user_role_ok(in->role))
		field_errs_add(fe, "role", "角色", "无效的选项");
	if (in->status != NULL && !customer_one_of(in->status, "active",
	    "disabled"))
		field_errs_add(fe, "status", "状态", "无效的选项");
	return fe->n > n ? ERR_INVALID : 0;
}

static const char sql_user_lock[] =
    "SELECT name, role, status FROM customer_user WHERE id = ? "
    "AND customer_id = ? AND shop_id = ? FOR UPDATE";
static const char sql_user_update[] =
    "UPDATE customer_user SET name = ?, role = ?, status = ? WHERE id = ? "
    "AND shop_id = ?";

struct user_edit {
	int64_t				 customer_id;
	int64_t				 user_id;
	const struct customer_user_input *in;
	int				 ended;		/* out */
};

static int
tx_user(struct dctx *c, void *arg)
{
	struct user_edit	*u = arg;
	struct db_res		*r;
	const char		*name, *role, *status, *was;
	int			 rc;

	u->ended = 0;
	/* The company first, in the actor's scope, then its user. */
	if ((rc = company_lock_row(c, u->customer_id, sql_user_lock,
	    u->user_id, "该账号不存在", &r)) != 0)
		return rc;
	name = u->in->name != NULL ? u->in->name : db_cell(r, 0, 0);
	role = u->in->role != NULL ? u->in->role : db_cell(r, 0, 1);
	status = u->in->status != NULL ? u->in->status : db_cell(r, 0, 2);
	was = db_cell(r, 0, 2);
	if (db_run(c->arena, NULL, sql_user_update, "sssii", name, role,
	    status, u->user_id, c->shop->id) == -1)
		return ERR_INTERNAL;
	/* Who may log in and as what: the old sessions end now. */
	if ((strcmp(was, "active") == 0 && strcmp(status, "active") != 0) ||
	    strcmp(role, db_cell(r, 0, 1)) != 0) {
		if ((rc = session_end_user(c, SESS_CUSTOMER, u->user_id)) != 0)
			return rc;
		u->ended = 1;
	} else if (strcmp(name, db_cell(r, 0, 0)) != 0 &&
	    (rc = shop_touch_auth(c, c->shop->id)) != 0)
		return rc;	/* sessions carry the name: reload them */
	return audit(c, "customer_user.save", "customer=%" PRId64 " user=%"
	    PRId64 " name=%s role=%s status=%s was=%s", u->customer_id,
	    u->user_id, name, role, status, was);
}

/*
 * Change a user of a company of the request's shop in the actor's scope.
 * 0, ERR_INVALID (fe), ERR_NOT_FOUND (c->error) or ERR_INTERNAL.
 */
int
customer_user_update(struct dctx *c, int64_t customer_id, int64_t user_id,
    const struct customer_user_input *in, struct field_errs *fe)
{
	struct user_edit	u;
	int			rc;

	if ((rc = customer_user_check(c, in, fe)) != 0)
		return rc;
	memset(&u, 0, sizeof(u));
	u.customer_id = customer_id;
	u.user_id = user_id;
	u.in = in;
	if ((rc = db_tx_run(c, tx_user, &u)) != 0)
		return rc;
	if (u.ended)
		clog_info(c, "customer_user sessions ended user=%" PRId64,
		    user_id);
	return 0;
}

static const char sql_phone_taken[] =
    "SELECT id FROM customer_user WHERE shop_id = ? AND phone = ?";
static const char sql_user_add[] =
    "INSERT INTO customer_user (shop_id, customer_id, name, phone, "
    "password_hash, role) VALUES (?, ?, ?, ?, ?, ?)";

static int
phone_taken(struct dctx *c, struct field_errs *fe)
{
	c->error = "这个手机号已经注册过了，请直接登录";
	field_errs_add(fe, "phone", "手机号", c->error);
	return ERR_CONFLICT;
}

/*
 * A new user of a company with a password hash (auth_hash), inside the
 * caller's transaction. 0 and the id in *idp; ERR_CONFLICT when the phone
 * is taken in this shop, ERR_INVALID (fe either way) or ERR_INTERNAL.
 */
int
customer_user_add(struct dctx *c, int64_t customer_id,
    const struct customer_user *u, const char *pwhash, int64_t *idp,
    struct field_errs *fe)
{
	struct customer_user_input	 in = { u->name, u->role, NULL };
	struct db_res			*r;
	int				 n = fe->n;

	*idp = 0;
	field_text(c->arena, fe, "phone", "手机号", u->phone, 1, 20);
	customer_user_check(c, &in, fe);
	if (fe->n > n)
		return ERR_INVALID;
	if (db_run(c->arena, &r, sql_phone_taken, "is", c->shop->id,
	    u->phone) == -1)
		return ERR_INTERNAL;
	if (r->nrows > 0)
		return phone_taken(c, fe);
	if (db_run(c->arena, &r, sql_user_add, "iissss", c->shop->id,
	    customer_id, u->name, u->phone, pwhash, u->role) == -1)
		/* the same phone, just now */
		return db_duplicate() ? phone_taken(c, fe) : ERR_INTERNAL;
	*idp = (int64_t)r->insert_id;
	/* A guest's after-sales tickets of this phone are the user's now. */
	return ticket_claim_phone(c, *idp, u->phone, &n);
}
