/*
 * dashboard.c -- the back office's headline numbers for the request's
 * shop and what needs doing (inquiries to answer, new customers, failed
 * jobs), counted in one statement.
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
    "AND created_at > NOW(3) - INTERVAL 30 DAY), "
    "(SELECT COUNT(*) FROM inquiry WHERE shop_id = ? AND status = 'open'), "
    "(SELECT COUNT(*) FROM inquiry WHERE shop_id = ? AND status = 'open' "
    "AND assigned_staff_id = ?), "
    "(SELECT COUNT(*) FROM customer WHERE shop_id = ? "
    "AND created_at > NOW(3) - INTERVAL 7 DAY), "
    "(SELECT COUNT(*) FROM job WHERE shop_id = ? AND state = 'failed')";

int
dashboard_counts(struct dctx *c, struct dashboard *d)
{
	struct db_res	*r;
	int64_t		 id = c->shop->id;

	memset(d, 0, sizeof(*d));
	if (db_run(c->arena, &r, sql_counts, "iiiiiiiii", id, id, id, id, id,
	    id, c->sess.user_id, id, id) == -1)
		return ERR_INTERNAL;
	d->customers = db_cell_i64(r, 0, 0);
	d->customer_users = db_cell_i64(r, 0, 1);
	d->staff = db_cell_i64(r, 0, 2);
	d->new_users_30d = db_cell_i64(r, 0, 3);
	d->open_inquiries = db_cell_i64(r, 0, 4);
	d->my_open_inquiries = db_cell_i64(r, 0, 5);
	d->new_customers_7d = db_cell_i64(r, 0, 6);
	d->failed_jobs = db_cell_i64(r, 0, 7);
	return 0;
}
