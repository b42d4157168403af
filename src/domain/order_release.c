/*
 * order_release.c -- the order.release job: so that carts and waiting
 * orders cannot freeze a shop's stock, an order still waiting for the
 * company's approver release_unapproved_hours after it was placed, or
 * for the shop to confirm it release_unconfirmed_hours after it became
 * submitted (placed, or approved), is cancelled as the system, through
 * order_state.c's cancel: its stock and credit go back, its timeline says
 * why, its buyer is told. Hours 0 (the default) never release. Each run
 * takes at most BATCH orders, oldest first; what is left waits for the
 * next run. An order that moved on meanwhile is left alone, so two runs
 * never cancel one order twice.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/job.h"
#include "domain/dctx.h"
#include "domain/shop.h"
#include "domain/order.h"
#include "domain/approval.h"

#define BATCH	100

/*
 * Orders overdue in either state, with their shop. An order's time in its
 * state is that of the event that moved it there (its placing, or its
 * approval), so an order approved late is not released at once; its
 * created_at, never later than that, lets the (shop_id, state,
 * created_at) index skip the young ones. LIMIT is BATCH.
 */
static const char sql_due[] =
    "SELECT o.shop_id, s.slug, o.id, o.state FROM sales_order o "
    "JOIN shop s ON s.id = o.shop_id "
    "WHERE ((o.state = 'pending_approval' AND s.release_unapproved_hours > 0 "
    "AND o.created_at < NOW(3) - INTERVAL s.release_unapproved_hours HOUR "
    "AND (SELECT MAX(e.created_at) FROM order_event e WHERE e.shop_id = "
    "o.shop_id AND e.order_id = o.id AND e.to_state = o.state) < NOW(3) - "
    "INTERVAL s.release_unapproved_hours HOUR) "
    "OR (o.state = 'submitted' AND s.release_unconfirmed_hours > 0 "
    "AND o.created_at < NOW(3) - INTERVAL s.release_unconfirmed_hours HOUR "
    "AND (SELECT MAX(e.created_at) FROM order_event e WHERE e.shop_id = "
    "o.shop_id AND e.order_id = o.id AND e.to_state = o.state) < NOW(3) - "
    "INTERVAL s.release_unconfirmed_hours HOUR)) "
    "AND (? = 0 OR o.shop_id = ?) ORDER BY o.id LIMIT 100";

static const char *
note_of(enum order_state st)
{
	return st == ORDER_PENDING_APPROVAL ? "超时未审批，已自动取消" :
	    "超时未确认，已自动取消";
}

int
task_order_release(struct arena *a, const struct job *j, const char **msg)
{
	struct db_res		*r;
	struct dctx		 d;
	struct shop		 shop;
	enum order_state	 st;
	int			 i, rc, done = 0, moved = 0, bad = 0;

	if (db_run(a, &r, sql_due, "ii", j->shop_id, j->shop_id) == -1) {
		*msg = arena_printf(a, "database: %s", db_error());
		return -1;
	}
	for (i = 0; i < r->nrows && i < BATCH; i++) {
		if (order_state_parse(db_cell(r, i, 3), &st) == -1)
			continue;
		memset(&shop, 0, sizeof(shop));
		shop.id = db_cell_i64(r, i, 0);
		shop.slug = arena_strdup(a, db_cell(r, i, 1));
		dctx_init(&d, a, "job");	/* kind SESS_NONE: the system */
		d.shop = &shop;
		rc = order_release(&d, db_cell_i64(r, i, 2), st, note_of(st));
		if (rc == 0)
			done++;
		else if (rc == ERR_CONFLICT || rc == ERR_NOT_FOUND)
			moved++;
		else
			bad++;
	}
	*msg = arena_printf(a, "released=%d moved_on=%d failed=%d%s", done,
	    moved, bad, r->nrows >= BATCH ? " more=1" : "");
	return bad > 0 ? -1 : 0;
}
