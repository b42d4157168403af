/*
 * account.c -- the customer's own account page: their company's terms and
 * salesperson, and the colleagues who order with them. Only the actor's
 * own company of the actor's own shop is ever read. Also the health
 * check, the one database question asked without a shop.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/account.h"

static const char sql_company[] =
    "SELECT c.name, c.payment_terms, c.credit_days, c.credit_limit_fen, "
    "c.tax_id, COALESCE(s.name, ''), COALESCE(s.phone, '') "
    "FROM customer c LEFT JOIN staff s ON s.id = c.owner_staff_id "
    "AND s.shop_id = c.shop_id WHERE c.id = ? AND c.shop_id = ?";
static const char sql_colleagues[] =
    "SELECT name, role, phone FROM customer_user "
    "WHERE customer_id = ? AND shop_id = ? AND status = 'active' "
    "ORDER BY id LIMIT 50";		/* ACCOUNT_COLLEAGUES_MAX */

/* The actor's company and colleagues: 0, ERR_NOT_FOUND, ERR_INTERNAL. */
int
account_load(struct dctx *c, struct account *out)
{
	struct db_res	*co, *us;
	int		 i;

	memset(out, 0, sizeof(*out));
	if (c->sess.kind != SESS_CUSTOMER || c->shop == NULL)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &co, sql_company, "ii", c->sess.customer_id,
	    c->shop->id) == -1 ||
	    db_run(c->arena, &us, sql_colleagues, "ii", c->sess.customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (co->nrows == 0) {
		c->error = "客户资料不存在";
		return ERR_NOT_FOUND;
	}
	out->company.name = db_cell(co, 0, 0);
	out->company.monthly = strcmp(db_cell(co, 0, 1), "monthly") == 0;
	out->company.credit_days = db_cell_i64(co, 0, 2);
	out->company.credit_limit_fen = db_cell_i64(co, 0, 3);
	out->company.tax_id = db_cell(co, 0, 4);
	out->company.sales_name = db_cell(co, 0, 5);
	out->company.sales_phone = db_cell(co, 0, 6);
	out->users = arena_alloc(c->arena, (us->nrows + 1) *
	    sizeof(*out->users));
	for (i = 0; i < us->nrows; i++) {
		out->users[i].name = db_cell(us, i, 0);
		out->users[i].role = db_cell(us, i, 1);
		out->users[i].phone = db_cell(us, i, 2);
	}
	out->nusers = us->nrows;
	return 0;
}

/* Can this worker reach the database? 0, or ERR_UNAVAILABLE (logged). */
int
health_check(struct dctx *c)
{
	if (db_ping() == 0)
		return 0;
	clog_warnx(c, "healthz: database: %s", db_error());
	c->error = "数据库不可用";
	return ERR_UNAVAILABLE;
}
