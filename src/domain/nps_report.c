/*
 * nps_report.c -- the NPS figures of the back office: promoters,
 * passives and detractors of the answers between two China dates, in
 * all and by month, by the company's member level, by its salesperson
 * (customer.owner_staff_id) and by the top-level category of the
 * products on the surveyed order; and the answers with their comments.
 * A salesperson counts their own companies only (scope_sql.h).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/nps.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

#define CNT \
    "COALESCE(SUM(v.score >= 9), 0), " \
    "COALESCE(SUM(v.score BETWEEN 7 AND 8), 0), " \
    "COALESCE(SUM(v.score <= 6), 0) "
#define FROM_V \
    " FROM nps_survey v JOIN customer cu ON cu.id = v.customer_id "
/* Three ?: the shop, the first and the last day; then the scope's. */
#define WHERE_V \
    " WHERE v.shop_id = ? AND v.state = 'answered' " \
    "AND v.answered_at >= CAST(? AS DATETIME) - INTERVAL 8 HOUR " \
    "AND v.answered_at < CAST(? AS DATETIME) + INTERVAL 16 HOUR " \
    "AND " SCOPE_CUSTOMER("cu")

static const char sql_all[] = "SELECT '合计', " CNT FROM_V WHERE_V;
static const char sql_month[] =
    "SELECT DATE_FORMAT(v.answered_at + INTERVAL 8 HOUR, '%Y-%m') g, " CNT
    FROM_V WHERE_V " GROUP BY g ORDER BY g";
static const char sql_level[] =
    "SELECT COALESCE((SELECT l.name FROM member_level l "
    "WHERE l.id = cu.level_id), '（无等级）') g, " CNT FROM_V WHERE_V
    " GROUP BY g ORDER BY g";
static const char sql_sales[] =
    "SELECT COALESCE((SELECT s.name FROM staff s "
    "WHERE s.id = cu.owner_staff_id), '（未分配）') g, " CNT FROM_V WHERE_V
    " GROUP BY g ORDER BY g";
/* A survey counts once for each top-level category on its order. */
static const char sql_category[] =
    "SELECT g, " CNT "FROM (SELECT DISTINCT v.id, v.score, "
    "COALESCE(top.name, cat.name, '（未分类）') g" FROM_V
    "JOIN order_line ol ON ol.order_id = v.order_id "
    "AND ol.shop_id = v.shop_id JOIN sku k ON k.id = ol.sku_id "
    "JOIN product p ON p.id = k.product_id "
    "LEFT JOIN category cat ON cat.id = p.category_id "
    "LEFT JOIN category top ON top.id = cat.parent_id" WHERE_V
    ") v GROUP BY g ORDER BY g";

#define ANSWER_WHERE WHERE_V " AND (? = 0 OR COALESCE(v.comment, '') <> '')"
static const char sql_answers[] =
    "SELECT v.id, DATE_FORMAT(v.answered_at + INTERVAL 8 HOUR, "
    "'%Y-%m-%d %H:%i'), cu.name, u.name, COALESCE((SELECT s.name FROM "
    "staff s WHERE s.id = cu.owner_staff_id), ''), COALESCE(o.order_no, ''), "
    "v.score, COALESCE(v.comment, ''), COALESCE(t.id, 0), "
    "COALESCE(t.state, '')" FROM_V
    "JOIN customer_user u ON u.id = v.customer_user_id "
    "LEFT JOIN sales_order o ON o.id = v.order_id "
    "LEFT JOIN nps_task t ON t.survey_id = v.id" ANSWER_WHERE
    " ORDER BY v.answered_at DESC, v.id DESC LIMIT ? OFFSET ?";
static const char sql_answers_n[] =
    "SELECT COUNT(*)" FROM_V ANSWER_WHERE;

int64_t
nps_total(const struct nps_count *k)
{
	return k->promoters + k->passives + k->detractors;
}

int64_t
nps_score(const struct nps_count *k)
{
	int64_t	n = nps_total(k), num;

	if (n == 0)
		return 0;
	num = 100 * (k->promoters - k->detractors);
	/* half away from zero, as a person rounds */
	return num >= 0 ? (2 * num + n) / (2 * n) : -((-2 * num + n) / (2 * n));
}

static int
counts(struct dctx *c, const char *sql, const char *from, const char *to,
    struct nps_count **out, int *n)
{
	struct db_res	*r;
	int		 i;

	if (db_run(c->arena, &r, sql, "issi", c->shop->id, from, to,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		(*out)[i].label = db_cell(r, i, 0);
		(*out)[i].promoters = db_cell_i64(r, i, 1);
		(*out)[i].passives = db_cell_i64(r, i, 2);
		(*out)[i].detractors = db_cell_i64(r, i, 3);
	}
	*n = r->nrows;
	return 0;
}

int
nps_report(struct dctx *c, const char *from, const char *to,
    struct nps_report *rep)
{
	static const char *const by[NPS_NGROUPS] = {
		[NPS_BY_MONTH] = sql_month, [NPS_BY_LEVEL] = sql_level,
		[NPS_BY_SALES] = sql_sales, [NPS_BY_CATEGORY] = sql_category,
	};
	struct nps_count	*all;
	int			 g, n;

	memset(rep, 0, sizeof(*rep));
	if (counts(c, sql_all, from, to, &all, &n) != 0)
		return ERR_INTERNAL;
	if (n == 1)
		rep->all = all[0];
	rep->all.label = "合计";
	for (g = 0; g < NPS_NGROUPS; g++)
		if (counts(c, by[g], from, to, &rep->g[g], &rep->n[g]) != 0)
			return ERR_INTERNAL;
	return 0;
}

int
nps_answers(struct dctx *c, const char *from, const char *to,
    int with_comment, int64_t page, struct nps_answer_row **out, int *n,
    int64_t *total)
{
	struct db_res	*r;
	int		 i;

	*out = NULL;
	*n = 0;
	*total = 0;
	if (page < 1)
		page = 1;
	if (db_run(c->arena, &r, sql_answers_n, "issii", c->shop->id, from, to,
	    scope_owner(c), (int64_t)with_comment) == -1)
		return ERR_INTERNAL;
	*total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_answers, "issiiii", c->shop->id, from,
	    to, scope_owner(c), (int64_t)with_comment, (int64_t)NPS_PER_PAGE,
	    (page - 1) * NPS_PER_PAGE) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		struct nps_answer_row *a = &(*out)[i];

		a->survey_id = db_cell_i64(r, i, 0);
		a->answered = db_cell(r, i, 1);
		a->company = db_cell(r, i, 2);
		a->user = db_cell(r, i, 3);
		a->sales = db_cell(r, i, 4);
		a->order_no = db_cell(r, i, 5);
		a->score = (int)db_cell_i64(r, i, 6);
		a->comment = db_cell(r, i, 7);
		a->task_id = db_cell_i64(r, i, 8);
		a->task_state = db_cell(r, i, 9);
	}
	*n = r->nrows;
	return 0;
}
