/*
 * address.c -- a customer company's delivery addresses: list, check, add,
 * edit and delete, each write one transaction with its audit row. A
 * company with addresses has exactly one default.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/customer.h"
#include "domain/customer_rows.h"
#include "domain/scope_sql.h"
#include "domain/address.h"

static const char sql_addresses[] =
    "SELECT id, receiver, phone, region, address, is_default "
    "FROM customer_address WHERE customer_id = ? AND shop_id = ? AND "
    SCOPE_CUSTOMER_ID("customer_address.customer_id") " "
    "ORDER BY is_default DESC, id";
static const char sql_address_lock[] =
    "SELECT is_default FROM customer_address WHERE id = ? "
    "AND customer_id = ? AND shop_id = ? FOR UPDATE";
static const char sql_address_add[] =
    "INSERT INTO customer_address (shop_id, customer_id, receiver, phone, "
    "region, address, is_default) VALUES (?, ?, ?, ?, ?, ?, 0)";
static const char sql_address_update[] =
    "UPDATE customer_address SET receiver = ?, phone = ?, region = ?, "
    "address = ? WHERE id = ? AND shop_id = ?";
static const char sql_address_del[] =
    "DELETE FROM customer_address WHERE id = ? AND shop_id = ?";
static const char sql_address_undefault[] =
    "UPDATE customer_address SET is_default = 0 WHERE customer_id = ? "
    "AND shop_id = ?";
static const char sql_address_default[] =
    "UPDATE customer_address SET is_default = 1 WHERE id = ? AND shop_id = ?";
/* The default, or the oldest address when none is the default. */
static const char sql_address_first[] =
    "SELECT id, is_default FROM customer_address WHERE customer_id = ? "
    "AND shop_id = ? ORDER BY is_default DESC, id LIMIT 1";

static void
address_fill(void *p, const struct db_res *r, int i)
{
	struct address	*a = p;

	a->id = db_cell_i64(r, i, 0);
	a->receiver = db_cell(r, i, 1);
	a->phone = db_cell(r, i, 2);
	a->region = db_cell(r, i, 3);
	a->address = db_cell(r, i, 4);
	a->is_default = db_cell_i64(r, i, 5) != 0;
}

/* The addresses of a company of the request's shop, the default first. */
int
address_list(struct dctx *c, int64_t customer_id, struct address **out,
    int *n)
{
	*out = company_rows(c, sql_addresses, customer_id, sizeof(**out),
	    address_fill, n);
	return *out != NULL ? 0 : ERR_INTERNAL;
}

/* 0, or ERR_INVALID with fe naming what is wrong. */
int
address_check(struct dctx *c, const struct address *a, struct field_errs *fe)
{
	int	n = fe->n;

	field_text(c->arena, fe, "receiver", "收货人", a->receiver, 1, 60);
	if (field_text(c->arena, fe, "phone", "联系电话", a->phone, 1,
	    20) > 0 && !customer_tel_ok(a->phone))
		field_errs_add(fe, "phone", "联系电话", "不是有效的电话号码");
	field_text(c->arena, fe, "region", "所在地区", a->region, 0, 100);
	field_text(c->arena, fe, "address", "详细地址", a->address, 1, 300);
	return fe->n > n ? ERR_INVALID : 0;
}

/* A company with addresses has exactly one default: want, if not 0. */
static int
fix_default(struct dctx *c, int64_t customer_id, int64_t want)
{
	struct db_res	*r;

	if (want != 0) {
		if (db_run(c->arena, NULL, sql_address_undefault, "ii",
		    customer_id, c->shop->id) == -1)
			return ERR_INTERNAL;
	} else {
		if (db_run(c->arena, &r, sql_address_first, "ii", customer_id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0 || db_cell_i64(r, 0, 1) != 0)
			return 0;
		want = db_cell_i64(r, 0, 0);
	}
	return db_run(c->arena, NULL, sql_address_default, "ii", want,
	    c->shop->id) == -1 ? ERR_INTERNAL : 0;
}

struct address_edit {
	int64_t			 customer_id;
	int64_t			 row;		/* 0: add */
	struct address		*a;		/* NULL: delete row */
};

static int
tx_address(struct dctx *c, void *arg)
{
	struct address_edit	*e = arg;
	struct address		*a = e->a;
	struct db_res		*r;
	int64_t			 id = e->row;
	int			 rc;

	if (a != NULL)
		a->id = e->row;
	if ((rc = company_lock_row(c, e->customer_id, sql_address_lock, e->row,
	    "地址不存在", NULL)) != 0)
		return rc;
	if (a == NULL) {
		if (db_run(c->arena, NULL, sql_address_del, "ii", id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
	} else if (id == 0) {
		if (db_run(c->arena, &r, sql_address_add, "iissss",
		    c->shop->id, e->customer_id, a->receiver, a->phone,
		    a->region ? a->region : "", a->address) == -1)
			return ERR_INTERNAL;
		id = a->id = (int64_t)r->insert_id;
	} else if (db_run(c->arena, NULL, sql_address_update, "ssssii",
	    a->receiver, a->phone, a->region ? a->region : "", a->address, id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if ((rc = fix_default(c, e->customer_id, a != NULL &&
	    a->is_default ? id : 0)) != 0)
		return rc;
	return audit(c, a == NULL ? "customer.address_delete" :
	    "customer.address", "customer=%" PRId64 " address=%" PRId64,
	    e->customer_id, id);
}

/*
 * Add (a->id 0; its id is set) or change an address of a company of the
 * request's shop. 0, ERR_INVALID (fe), ERR_NOT_FOUND (c->error) or
 * ERR_INTERNAL.
 */
int
address_save(struct dctx *c, int64_t customer_id, struct address *a,
    struct field_errs *fe)
{
	struct address_edit	e = { customer_id, a->id, a };
	int			rc;

	if ((rc = address_check(c, a, fe)) != 0)
		return rc;
	return db_tx_run(c, tx_address, &e);
}

int
address_delete(struct dctx *c, int64_t customer_id, int64_t id)
{
	struct address_edit	e = { customer_id, id, NULL };

	return db_tx_run(c, tx_address, &e);
}
