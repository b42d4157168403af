/*
 * aging.c -- accounts receivable aging (账龄): what each company still
 * owes on its orders, by how many days past the order's due date
 * (due_on: the submit day for prepaid, + the company's credit days for
 * monthly), in the buckets current, 1-30, 31-60, 61-90 and 90+; the
 * shop's totals; and the companies to chase first: the most overdue
 * money first. Within the actor's customer scope. Days are China days.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/aging.h"
#include "domain/dctx.h"
#include "domain/scope.h"
#include "domain/session.h"
#include "domain/scope_sql.h"

/* An open order's remainder and its days past due, for ? shop. */
#define OPEN \
    "(SELECT o.customer_id, o.ar_fen - o.paid_fen AS rem, " \
    "DATEDIFF(DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR), o.due_on) AS d " \
    "FROM sales_order o WHERE o.shop_id = ? AND o.state <> 'cancelled' " \
    "AND o.ar_fen > o.paid_fen) x JOIN customer cu ON cu.id = x.customer_id "
#define BUCKETS \
    "COALESCE(SUM(IF(x.d <= 0, x.rem, 0)), 0), " \
    "COALESCE(SUM(IF(x.d BETWEEN 1 AND 30, x.rem, 0)), 0), " \
    "COALESCE(SUM(IF(x.d BETWEEN 31 AND 60, x.rem, 0)), 0), " \
    "COALESCE(SUM(IF(x.d BETWEEN 61 AND 90, x.rem, 0)), 0), " \
    "COALESCE(SUM(IF(x.d > 90, x.rem, 0)), 0), " \
    "COALESCE(MAX(x.d), 0), COUNT(*) "

static const char sql_total[] =
    "SELECT " BUCKETS ", COUNT(DISTINCT x.customer_id) FROM " OPEN
    "WHERE " SCOPE_CUSTOMER("cu");
static const char sql_rows[] =
    "SELECT " BUCKETS ", cu.id, cu.name, COALESCE(b.outstanding_fen, 0), "
    "COALESCE(b.deposit_fen, 0), "
    "SUM(IF(x.d > 0, x.rem, 0)) AS overdue FROM " OPEN
    "LEFT JOIN customer_balance b ON b.shop_id = cu.shop_id "
    "AND b.customer_id = cu.id WHERE " SCOPE_CUSTOMER("cu")
    " AND (? = 0 OR cu.id = ?) GROUP BY cu.id, cu.name, b.outstanding_fen, "
    "b.deposit_fen ORDER BY overdue DESC, MAX(x.d) DESC, cu.id "
    "LIMIT ? OFFSET ?";

static void
buckets_of(const struct db_res *r, int i, struct aging_buckets *b)
{
	int	k;

	b->total_fen = 0;
	for (k = 0; k < AGING_NBUCKETS; k++) {
		b->fen[k] = db_cell_i64(r, i, k);
		b->total_fen += b->fen[k];
	}
	b->overdue_fen = b->total_fen - b->fen[0];
	b->max_days = db_cell_i64(r, i, AGING_NBUCKETS);
	b->orders = db_cell_i64(r, i, AGING_NBUCKETS + 1);
}

const char *
aging_bucket_label(int k)
{
	static const char *const labels[AGING_NBUCKETS] = { "未到期",
	    "逾期 1–30 天", "逾期 31–60 天", "逾期 61–90 天", "逾期 90 天以上" };

	return k >= 0 && k < AGING_NBUCKETS ? labels[k] : "";
}

/* The shop's aging and a page of its companies (customer: 0 for all,
 * or just that one), most overdue first. */
int
aging_report(struct dctx *c, int64_t customer, int page, int per,
    struct aging_report *out)
{
	int64_t		 scope = scope_owner(c);
	struct db_res	*r;
	int		 i;

	memset(out, 0, sizeof(*out));
	if (c->sess.kind != SESS_STAFF)
		return ERR_NOT_FOUND;
	if (page < 1)
		page = 1;
	if (db_run(c->arena, &r, sql_total, "ii", c->shop->id, scope) == -1)
		return ERR_INTERNAL;
	buckets_of(r, 0, &out->shop);
	out->companies = db_cell_i64(r, 0, AGING_NBUCKETS + 2);
	if (db_run(c->arena, &r, sql_rows, "iiiiii", c->shop->id, scope,
	    customer, customer, (int64_t)per, (int64_t)(page - 1) * per) == -1)
		return ERR_INTERNAL;
	out->rows = arena_calloc(c->arena, r->nrows + 1, sizeof(*out->rows));
	for (i = 0; i < r->nrows; i++) {
		struct aging_row *a = &out->rows[i];

		buckets_of(r, i, &a->b);
		a->customer_id = db_cell_i64(r, i, AGING_NBUCKETS + 2);
		a->customer = db_cell(r, i, AGING_NBUCKETS + 3);
		a->outstanding_fen = db_cell_i64(r, i, AGING_NBUCKETS + 4);
		a->deposit_fen = db_cell_i64(r, i, AGING_NBUCKETS + 5);
	}
	out->n = r->nrows;
	return 0;
}
