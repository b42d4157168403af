/*
 * dashboard.c -- the back office's headline numbers for the request's
 * shop and what needs doing (orders to confirm, payments to check, inquiries to
 * answer, new customers, failed jobs, dealer applications to review), counted in one
 * statement. Customers, their users, inquiries and orders are counted in
 * the actor's scope: a salesperson's own; applications belong to no one
 * yet.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/dashboard.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

static const char sql_counts[] =
    "SELECT (SELECT COUNT(*) FROM customer c WHERE c.shop_id = ? "
    "AND " SCOPE_CUSTOMER("c") "), "
    "(SELECT COUNT(*) FROM customer_user u WHERE u.shop_id = ? "
    "AND u.status = 'active' AND " SCOPE_CUSTOMER_ID("u.customer_id") "), "
    "(SELECT COUNT(*) FROM staff WHERE shop_id = ? AND status = 'active'), "
    "(SELECT COUNT(*) FROM customer_user u WHERE u.shop_id = ? "
    "AND u.created_at > NOW(3) - INTERVAL 30 DAY "
    "AND " SCOPE_CUSTOMER_ID("u.customer_id") "), "
    "(SELECT COUNT(*) FROM inquiry i WHERE i.shop_id = ? "
    "AND i.status = 'open' AND " SCOPE_INQUIRY("i") "), "
    "(SELECT COUNT(*) FROM inquiry i WHERE i.shop_id = ? "
    "AND i.status = 'open' AND i.assigned_staff_id = ? "
    "AND " SCOPE_INQUIRY("i") "), "
    "(SELECT COUNT(*) FROM customer c WHERE c.shop_id = ? "
    "AND c.created_at > NOW(3) - INTERVAL 7 DAY AND " SCOPE_CUSTOMER("c")
    "), "
    "(SELECT COUNT(*) FROM job WHERE shop_id = ? AND state = 'failed'), "
    "(SELECT COUNT(*) FROM dealer_application WHERE shop_id = ? "
    "AND status = 'pending'), "
    "(SELECT COUNT(*) FROM sales_order o WHERE o.shop_id = ? "
    "AND o.state = 'submitted' AND " SCOPE_CUSTOMER_ID("o.customer_id") "), "
    "(SELECT COUNT(*) FROM payment p WHERE p.shop_id = ? "
    "AND p.state = 'pending' AND " SCOPE_CUSTOMER_ID("p.customer_id") ")";

int
dashboard_counts(struct dctx *c, struct dashboard *d)
{
	struct db_res	*r;
	int64_t		 id = c->shop->id, so = scope_owner(c);

	memset(d, 0, sizeof(*d));
	if (db_run(c->arena, &r, sql_counts, "iiiiiiiiiiiiiiiiiiiiiiii", id,
	    so, id, so, id, id, so, id, so, so, so, id, c->sess.user_id, so,
	    so, so, id, so, id, id, id, so, id, so) == -1)
		return ERR_INTERNAL;
	d->customers = db_cell_i64(r, 0, 0);
	d->customer_users = db_cell_i64(r, 0, 1);
	d->staff = db_cell_i64(r, 0, 2);
	d->new_users_30d = db_cell_i64(r, 0, 3);
	d->open_inquiries = db_cell_i64(r, 0, 4);
	d->my_open_inquiries = db_cell_i64(r, 0, 5);
	d->new_customers_7d = db_cell_i64(r, 0, 6);
	d->failed_jobs = db_cell_i64(r, 0, 7);
	d->pending_dealers = db_cell_i64(r, 0, 8);
	d->orders_to_confirm = db_cell_i64(r, 0, 9);
	d->payments_to_confirm = db_cell_i64(r, 0, 10);
	return 0;
}
