/*
 * dashboard.c -- the back office's headline numbers for the request's
 * shop, counted in one statement.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/dashboard.h"

static const char sql_counts[] =
    "SELECT (SELECT COUNT(*) FROM customer WHERE shop_id = ?), "
    "(SELECT COUNT(*) FROM customer_user WHERE shop_id = ? "
    "AND status = 'active'), "
    "(SELECT COUNT(*) FROM staff WHERE shop_id = ? AND status = 'active'), "
    "(SELECT COUNT(*) FROM customer_user WHERE shop_id = ? "
    "AND created_at > NOW(3) - INTERVAL 30 DAY)";

int
dashboard_counts(struct dctx *c, struct dashboard *d)
{
	struct db_res	*r;
	int64_t		 id = c->shop->id;

	memset(d, 0, sizeof(*d));
	if (db_run(c->arena, &r, sql_counts, "iiii", id, id, id, id) == -1)
		return ERR_INTERNAL;
	d->customers = db_cell_i64(r, 0, 0);
	d->customer_users = db_cell_i64(r, 0, 1);
	d->staff = db_cell_i64(r, 0, 2);
	d->new_users_30d = db_cell_i64(r, 0, 3);
	return 0;
}
