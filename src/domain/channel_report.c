/*
 * channel_report.c -- 渠道报表: per channel and China week (Monday
 * first), between two China dates inclusive: unique visitors (a visitor
 * counted once a day, the days summed), registrations (dealer
 * applications, and users who joined by an invite link), WeChat
 * identities bound to a customer user, and first orders with their GMV
 * (integer fen; a cancelled first order counts, its money does not).
 * Each count is where its row's first touch says, in the week the row
 * happened. One statement; rows newest week first.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/channel.h"
#include "domain/dctx.h"

#define WEEK(t) \
    "DATE(" t " + INTERVAL 8 HOUR) - INTERVAL " \
    "WEEKDAY(DATE(" t " + INTERVAL 8 HOUR)) DAY"
#define RANGE(t) \
    t " >= CAST(? AS DATE) - INTERVAL 8 HOUR AND " \
    t " < CAST(? AS DATE) + INTERVAL 1 DAY - INTERVAL 8 HOUR"

static const char sql_report[] =
    "SELECT x.channel_id, ch.name, DATE_FORMAT(x.week, '%Y-%m-%d'), "
    "SUM(x.v), SUM(x.r), SUM(x.b), SUM(x.o), SUM(x.g) FROM ("
    "SELECT channel_id, day - INTERVAL WEEKDAY(day) DAY AS week, "
    "COUNT(*) AS v, 0 AS r, 0 AS b, 0 AS o, 0 AS g FROM channel_visit "
    "WHERE shop_id = ? AND day BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) "
    "GROUP BY 1, 2 "
    "UNION ALL SELECT channel_id, " WEEK("created_at") ", 0, COUNT(*), 0, "
    "0, 0 FROM dealer_application WHERE shop_id = ? AND channel_id IS NOT "
    "NULL AND " RANGE("created_at") " GROUP BY 1, 2 "
    "UNION ALL SELECT channel_id, " WEEK("created_at") ", 0, COUNT(*), 0, "
    "0, 0 FROM customer_user WHERE shop_id = ? AND channel_id IS NOT "
    "NULL AND " RANGE("created_at") " GROUP BY 1, 2 "
    "UNION ALL SELECT channel_id, " WEEK("bound_at") ", 0, 0, COUNT(*), "
    "0, 0 FROM wx_identity WHERE shop_id = ? AND channel_id IS NOT NULL "
    "AND customer_user_id IS NOT NULL AND " RANGE("bound_at")
    " GROUP BY 1, 2 "
    "UNION ALL SELECT channel_id, " WEEK("created_at") ", 0, 0, 0, "
    "COUNT(*), SUM(IF(state = 'cancelled', 0, total_fen)) FROM sales_order "
    "WHERE shop_id = ? AND channel_id IS NOT NULL AND " RANGE("created_at")
    " GROUP BY 1, 2) x JOIN channel ch ON ch.id = x.channel_id "
    "AND ch.shop_id = ? GROUP BY x.channel_id, ch.name, x.week "
    "ORDER BY x.week DESC, x.channel_id LIMIT 5000";

/* from and to: "YYYY-MM-DD", checked by the caller. */
int
channel_report(struct dctx *c, const char *from, const char *to,
    struct channel_week **out, int *n)
{
	struct db_res		*r;
	struct channel_week	*w;
	int64_t			 s = c->shop->id;
	int			 i;

	*out = NULL;
	*n = 0;
	if (db_run(c->arena, &r, sql_report, "issississississi", s, from,
	    to, s, from, to, s, from, to, s, from, to, s, from, to, s) == -1)
		return ERR_INTERNAL;
	*out = w = arena_alloc(c->arena, sizeof(*w) * (r->nrows + 1));
	for (i = 0; i < r->nrows; i++) {
		w[i].channel_id = db_cell_i64(r, i, 0);
		w[i].channel = db_cell(r, i, 1);
		w[i].week = db_cell(r, i, 2);
		w[i].visitors = db_cell_i64(r, i, 3);
		w[i].registrations = db_cell_i64(r, i, 4);
		w[i].bindings = db_cell_i64(r, i, 5);
		w[i].first_orders = db_cell_i64(r, i, 6);
		w[i].gmv_fen = db_cell_i64(r, i, 7);
	}
	*n = r->nrows;
	return 0;
}
