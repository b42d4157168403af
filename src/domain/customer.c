/*
 * customer.c -- one customer company: load and lock it and its rows, the
 * rules of its form (level and salesperson of this shop, payment terms,
 * who may set them) and its save in one transaction. A company disabled
 * ends its users' sessions at once; a level moved makes every worker
 * reload them (the level is in the session).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "domain/customer.h"
#include "domain/customer_rows.h"
#include "domain/customer_user.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* ---- one company ---------------------------------------------------- */

#define COMPANY_COLS \
    "SELECT id, name, COALESCE(level_id, 0), COALESCE(owner_staff_id, 0), " \
    "tags, tax_id, contact_name, contact_phone, status, payment_terms, " \
    "credit_days, credit_limit_fen FROM customer WHERE id = ? " \
    "AND shop_id = ? AND " SCOPE_CUSTOMER("customer")
static const char sql_company[] = COMPANY_COLS;
static const char sql_company_lock[] = COMPANY_COLS " FOR UPDATE";

void
company_defaults(struct company *co)
{
	memset(co, 0, sizeof(*co));
	co->name = co->tags = co->tax_id = "";
	co->contact_name = co->contact_phone = "";
	co->status = "active";
	co->terms = "prepaid";
}

/* A company the actor is about to make: a salesperson's is their own. */
void
company_new(struct dctx *c, struct company *co)
{
	company_defaults(co);
	co->owner_id = scope_owner(c);
}

static int
company_get(struct dctx *c, int64_t id, int lock, struct company *co)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, lock ? sql_company_lock : sql_company, "iii",
	    id, c->shop->id, scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "客户不存在";
		return ERR_NOT_FOUND;
	}
	co->id = db_cell_i64(r, 0, 0);
	co->name = db_cell(r, 0, 1);
	co->level_id = db_cell_i64(r, 0, 2);
	co->owner_id = db_cell_i64(r, 0, 3);
	co->tags = db_cell(r, 0, 4);
	co->tax_id = db_cell(r, 0, 5);
	co->contact_name = db_cell(r, 0, 6);
	co->contact_phone = db_cell(r, 0, 7);
	co->status = db_cell(r, 0, 8);
	co->terms = db_cell(r, 0, 9);
	co->days = db_cell_i64(r, 0, 10);
	co->limit_fen = db_cell_i64(r, 0, 11);
	return 0;
}

/*
 * A company of the request's shop in the actor's scope (a salesperson's
 * own): 0, ERR_NOT_FOUND (another's, like one not there) or ERR_INTERNAL.
 */
int
company_load(struct dctx *c, int64_t id, struct company *co)
{
	return company_get(c, id, 0, co);
}

/*
 * The same, locked for the caller's transaction: what writes to a
 * company's rows (addresses, prices, invitations) check first.
 */
int
company_lock(struct dctx *c, int64_t id, struct company *co)
{
	return company_get(c, id, 1, co);
}

/*
 * In a transaction: lock a company of the request's shop and, when row is
 * not 0, one of its rows with sql (parameters: the row, the company, the
 * shop), its result in *rp. ERR_NOT_FOUND when either is not there
 * (c->error: "客户不存在", or missing), or ERR_INTERNAL.
 */
int
company_lock_row(struct dctx *c, int64_t customer_id, const char *sql,
    int64_t row, const char *missing, struct db_res **rp)
{
	struct company	 co;
	struct db_res	*r;
	int		 rc;

	if (rp != NULL)
		*rp = NULL;
	if ((rc = company_lock(c, customer_id, &co)) != 0 || row == 0)
		return rc;
	if (db_run(c->arena, &r, sql, "iii", row, customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = missing;
		return ERR_NOT_FOUND;
	}
	if (rp != NULL)
		*rp = r;
	return 0;
}

/*
 * The rows of a company of the request's shop, if it is in the actor's
 * scope, as an array: sql takes the company, the shop and the scope (its
 * SCOPE_CUSTOMER_ID), fill makes element i of size bytes from row i.
 * NULL on a database error, else *n elements (and room for one more).
 */
void *
company_rows(struct dctx *c, const char *sql, int64_t customer_id,
    size_t size, void (*fill)(void *, const struct db_res *, int), int *n)
{
	struct db_res	*r;
	char		*a;
	int		 i;

	*n = 0;
	if (db_run(c->arena, &r, sql, "iii", customer_id, c->shop->id,
	    scope_owner(c)) == -1)
		return NULL;
	a = arena_calloc(c->arena, (size_t)r->nrows + 1, size);
	for (i = 0; i < r->nrows; i++)
		fill(a + i * size, r, i);
	*n = r->nrows;
	return a;
}

/* ---- checking a form ------------------------------------------------ */

/* A checked change: what company_save stores. */
struct company_edit {
	const struct company	*cur;
	struct company		 co;
	int			 fields;
	int			 credit;
	int64_t			 id;		/* out: the company's */
};

static int
credit_error(const struct field_errs *fe)
{
	return field_errs_has(fe, "payment_terms") ||
	    field_errs_has(fe, "credit_days") ||
	    field_errs_has(fe, "credit_limit");
}

/* Payment terms into e->co; prepaid has neither days nor a limit. */
static void
credit_check(const struct company_input *in, struct company_edit *e,
    struct field_errs *fe)
{
	const char	*why;
	int64_t		 v;

	if (empty(in->terms)) {
		field_errs_add(fe, "payment_terms", "结算方式", "请选择");
		return;
	}
	if (!customer_one_of(in->terms, "prepaid", "monthly")) {
		field_errs_add(fe, "payment_terms", "结算方式", "无效的选项");
		return;
	}
	e->co.terms = in->terms;
	e->co.days = e->co.limit_fen = 0;
	if (strcmp(in->terms, "monthly") != 0)
		return;
	if (empty(in->days))
		field_errs_add(fe, "credit_days", "账期天数",
		    "月结请填写账期天数");
	else if (parse_i64(in->days, 1, 365, &v, &why) == -1)
		field_errs_add(fe, "credit_days", "账期天数",
		    "应为 1 到 365 之间的整数");
	else
		e->co.days = v;
	if (empty(in->limit))
		field_errs_add(fe, "credit_limit", "信用额度",
		    "月结请填写信用额度（元），可以为 0");
	else if (parse_yuan(in->limit, &v, &why) == -1)
		field_errs_add(fe, "credit_limit", "信用额度", why);
	else if (v > CUSTOMER_MONEY_MAX_FEN)
		field_errs_add(fe, "credit_limit", "信用额度", "金额过大");
	else
		e->co.limit_fen = v;
}

/* Sales keep the terms as stored; trying to change them is refused. */
static int
credit_allowed(struct dctx *c, struct company_edit *e,
    const struct field_errs *fe)
{
	const struct company	*cur = e->cur;

	if (!e->credit || session_staff_role(&c->sess, CUSTOMER_ROLES_CREDIT))
		return 0;
	if (credit_error(fe) || strcmp(e->co.terms, cur->terms) != 0 ||
	    e->co.days != cur->days || e->co.limit_fen != cur->limit_fen) {
		c->error = "您的角色不能修改结算方式、账期和信用额度，请联系"
		    "店主、管理员或财务";
		return ERR_FORBIDDEN;
	}
	e->credit = 0;		/* unchanged: leave them to finance */
	return 0;
}

/* An id from a <select>: 0 when none was chosen, -1 when it is junk. */
static int
select_id(const char *s, const char *name, const char *label, int64_t *id,
    struct field_errs *fe)
{
	const char	*why;

	*id = 0;
	if (empty(s))
		return 0;
	if (parse_i64(s, 1, INT64_MAX, id, &why) == 0)
		return 0;
	field_errs_add(fe, name, label, "无效的选项");
	return -1;
}

static const char sql_level_of_shop[] =
    "SELECT id FROM member_level WHERE id = ? AND shop_id = ?";
static const char sql_staff_of_shop[] =
    "SELECT role IN ('owner', 'admin', 'sales') AND status = 'active' "
    "FROM staff WHERE id = ? AND shop_id = ?";

/*
 * Only owner and admin give a company to someone else or take it back
 * (scope.h): for anyone else the company keeps its salesperson, and one
 * they make is their own. Their form does not send the field (the select
 * is disabled); naming someone else is refused, in fe. 0 when the caller
 * is to check the salesperson the form names, -1 when this decided.
 */
static int
owner_kept(struct dctx *c, struct company_edit *e, struct field_errs *fe)
{
	int64_t	keep;

	if (scope_may_assign(c))
		return 0;
	keep = e->cur->id != 0 ? e->cur->owner_id : scope_owner(c);
	if (e->co.owner_id != 0 && e->co.owner_id != keep)
		field_errs_add(fe, "owner_staff_id", "负责销售",
		    "只有店主或管理员可以更换负责销售");
	e->co.owner_id = keep;
	return -1;
}

/* The level and the salesperson must be this shop's. */
static int
refs_check(struct dctx *c, const struct company_input *in,
    struct company_edit *e, struct field_errs *fe)
{
	struct db_res	*r;

	if (select_id(in->level_id, "level_id", "会员等级", &e->co.level_id,
	    fe) == 0 && e->co.level_id != 0) {
		if (db_run(c->arena, &r, sql_level_of_shop, "ii",
		    e->co.level_id, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			field_errs_add(fe, "level_id", "会员等级",
			    "本店没有这个等级");
	}
	if (select_id(in->owner_staff_id, "owner_staff_id", "负责销售",
	    &e->co.owner_id, fe) == 0 && owner_kept(c, e, fe) == 0 &&
	    e->co.owner_id != 0 && e->co.owner_id != e->cur->owner_id) {
		if (db_run(c->arena, &r, sql_staff_of_shop, "ii",
		    e->co.owner_id, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0 || db_cell_i64(r, 0, 0) == 0)
			field_errs_add(fe, "owner_staff_id", "负责销售",
			    "不是本店在职的销售、管理员或店主");
	}
	return 0;
}

/* The company's own fields into e->co. */
static int
fields_check(struct dctx *c, const struct company_input *in,
    struct company_edit *e, struct field_errs *fe)
{
	const char	*why;
	char		*t;

	if (field_text(c->arena, fe, "name", "公司名称", in->name, 1, 100) > 0)
		e->co.name = in->name;
	e->co.tags = "";
	if (!empty(in->tags)) {
		if ((t = customer_tags(c->arena, in->tags, &why)) == NULL)
			field_errs_add(fe, "tags", "标签", why);
		else
			e->co.tags = t;
	}
	e->co.tax_id = "";
	if (!empty(in->tax_id)) {
		if ((t = customer_tax_id(c->arena, in->tax_id, &why)) == NULL)
			field_errs_add(fe, "tax_id", "税号", why);
		else
			e->co.tax_id = t;
	}
	e->co.contact_name = field_text(c->arena, fe, "contact_name", "联系人",
	    in->contact_name, 0, 60) > 0 ? in->contact_name : "";
	e->co.contact_phone = "";
	if (!empty(in->contact_phone)) {
		if (strlen(in->contact_phone) > 20 ||
		    !customer_tel_ok(in->contact_phone))
			field_errs_add(fe, "contact_phone", "联系电话",
			    "不是有效的电话号码");
		else
			e->co.contact_phone = in->contact_phone;
	}
	if (!empty(in->status)) {
		if (!customer_one_of(in->status, "active", "disabled"))
			field_errs_add(fe, "status", "状态", "无效的选项");
		else
			e->co.status = in->status;
	}
	return refs_check(c, in, e, fe);
}

/*
 * Check a form against the stored company cur (id 0: a new one) into e.
 * 0 (fe names the bad fields, if any), ERR_FORBIDDEN (c->error) or
 * ERR_INTERNAL.
 */
static int
company_vet(struct dctx *c, const struct company *cur,
    const struct company_input *in, struct company_edit *e,
    struct field_errs *fe)
{
	int	rc;

	memset(e, 0, sizeof(*e));
	e->cur = cur;
	e->co = *cur;
	e->fields = in->fields;
	e->credit = in->credit;
	if (e->credit)
		credit_check(in, e, fe);
	if ((rc = credit_allowed(c, e, fe)) != 0)
		return rc;
	if (!e->credit) {
		e->co.terms = cur->terms;
		e->co.days = cur->days;
		e->co.limit_fen = cur->limit_fen;
	}
	if (!e->fields)
		return 0;
	return fields_check(c, in, e, fe);
}

/* Check only: a form that failed elsewhere names all its faults at once. */
int
company_check(struct dctx *c, const struct company *cur,
    const struct company_input *in, struct field_errs *fe)
{
	struct company_edit	e;

	return company_vet(c, cur, in, &e, fe);
}

/* ---- saving --------------------------------------------------------- */

static const char sql_company_add[] =
    "INSERT INTO customer (shop_id, name, level_id, owner_staff_id, tags, "
    "tax_id, contact_name, contact_phone, status, payment_terms, "
    "credit_days, credit_limit_fen) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_company_update[] =
    "UPDATE customer SET name = ?, level_id = ?, owner_staff_id = ?, "
    "tags = ?, tax_id = ?, contact_name = ?, contact_phone = ?, status = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_credit_update[] =
    "UPDATE customer SET payment_terms = ?, credit_days = ?, "
    "credit_limit_fen = ? WHERE id = ? AND shop_id = ?";

static const char *
id_or_null(struct dctx *c, int64_t id)
{
	return id != 0 ? arena_printf(c->arena, "%" PRId64, id) : NULL;
}

static int
company_add(struct dctx *c, struct company_edit *e)
{
	const struct company	*co = &e->co;
	struct db_res		*r;

	if (db_run(c->arena, &r, sql_company_add, "isssssssssii",
	    c->shop->id, co->name, id_or_null(c, co->level_id),
	    id_or_null(c, co->owner_id), co->tags, co->tax_id,
	    co->contact_name, co->contact_phone, co->status, co->terms,
	    co->days, co->limit_fen) == -1)
		return ERR_INTERNAL;
	e->id = (int64_t)r->insert_id;
	return 0;
}

/*
 * A stored company's change. Its users' sessions carry its level and end
 * with its status: a company disabled logs them out on every worker, a
 * level moved makes every worker reload their sessions.
 */
static int
company_update(struct dctx *c, struct company_edit *e)
{
	const struct company	*co = &e->co;
	struct company		 now;
	int			 rc;

	if ((rc = company_lock(c, e->cur->id, &now)) != 0)
		return rc;
	e->id = now.id;
	if (e->fields && db_run(c->arena, NULL, sql_company_update,
	    "ssssssssii", co->name, id_or_null(c, co->level_id),
	    id_or_null(c, co->owner_id), co->tags, co->tax_id,
	    co->contact_name, co->contact_phone, co->status, now.id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (e->credit && db_run(c->arena, NULL, sql_credit_update, "siiii",
	    co->terms, co->days, co->limit_fen, now.id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (!e->fields)
		return 0;
	if (strcmp(now.status, "active") == 0 &&
	    strcmp(co->status, "active") != 0)
		return customer_users_end_sessions(c, now.id);
	if (now.level_id != co->level_id)
		return shop_touch_auth(c, c->shop->id);
	return 0;
}

static int
tx_company(struct dctx *c, void *arg)
{
	struct company_edit	*e = arg;
	const struct company	*co = &e->co;
	int			 rc;

	e->id = 0;
	if ((rc = e->cur->id == 0 ? company_add(c, e) :
	    company_update(c, e)) != 0)
		return rc;
	return audit(c, e->fields ? "customer.save" : "customer.credit",
	    "customer=%" PRId64 "%s name=%s level=%" PRId64 " owner=%" PRId64
	    " status=%s terms=%s days=%" PRId64 " limit_fen=%" PRId64, e->id,
	    e->cur->id == 0 ? " created" : "", co->name, co->level_id,
	    co->owner_id, co->status, co->terms, co->days, co->limit_fen);
}

/*
 * Check a form against the stored company cur (id 0: make a new one) and
 * store it, with its audit row, in one transaction. 0 and the company's
 * id in *idp; ERR_INVALID (fe names the fields), ERR_FORBIDDEN,
 * ERR_NOT_FOUND (c->error) or ERR_INTERNAL.
 */
int
company_save(struct dctx *c, const struct company *cur,
    const struct company_input *in, struct field_errs *fe, int64_t *idp)
{
	struct company_edit	e;
	int			rc;

	if ((rc = company_vet(c, cur, in, &e, fe)) != 0)
		return rc;
	if (fe->n > 0)
		return ERR_INVALID;
	if ((rc = db_tx_run(c, tx_company, &e)) != 0)
		return rc;
	*idp = e.id;
	clog_info(c, "customer saved customer=%" PRId64 "%s", e.id,
	    cur->id == 0 ? " created=1" : "");
	return 0;
}

static const char sql_company_users[] =
    "SELECT id FROM customer_user WHERE customer_id = ? AND shop_id = ? "
    "FOR UPDATE";

/* End the sessions of every user of a company, in the caller's transaction. */
int
customer_users_end_sessions(struct dctx *c, int64_t customer_id)
{
	struct db_res	*r;
	int		 i, rc;

	if (db_run(c->arena, &r, sql_company_users, "ii", customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++)
		if ((rc = session_end_user(c, SESS_CUSTOMER,
		    db_cell_i64(r, i, 0))) != 0)
			return rc;
	if (r->nrows > 0)
		clog_info(c, "customer sessions ended customer=%" PRId64
		    " users=%d", customer_id, r->nrows);
	return 0;
}
