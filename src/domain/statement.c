/*
 * statement.c -- monthly statements: made for a finished month from the
 * AR account's entries (one INSERT for every company of every shop, or
 * of one shop; a company's statement for a month is made once, so
 * running it again adds only the companies that had none), listed (staff:
 * the shop's, in their customer scope; a user: their company's) and read
 * with their lines. The lines are the account's entries made in the
 * month (China time); they are never changed, so a statement reads the
 * same for ever.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/ledger.h"
#include "domain/order_rows.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"
#include "domain/session.h"
#include "domain/statement.h"
#include "domain/wx_message.h"

/* ? period, period, period, shop (0: all). */
/* 对账单已出 for the finance users of the period's open statements. */
static const char sql_tell[] =
    "INSERT IGNORE INTO notification (shop_id, customer_user_id, kind, "
    "statement_id, title, body) SELECT s.shop_id, u.id, 'statement_ready', "
    "s.id, '对账单已出', CONCAT(CONVERT(s.period USING utf8mb4), "
    "' 对账单已出，请核对后确认') "
    "FROM statement s JOIN customer_user u ON u.shop_id = s.shop_id "
    "AND u.customer_id = s.customer_id AND u.status = 'active' "
    "AND u.role = 'finance' WHERE s.period = ? AND ? IN (0, s.shop_id) "
    "AND s.state = 'open'";

static const char sql_generate[] =
    "INSERT IGNORE INTO statement (shop_id, customer_id, period, starts_at, "
    "ends_at, opening_fen, debit_fen, credit_fen, closing_fen, entries) "
    "SELECT x.shop_id, x.customer_id, x.period, x.s, x.e, x.opening, "
    "x.debit, x.credit, x.opening + x.debit + x.credit, x.n FROM ("
    "SELECT b.shop_id, b.customer_id, p.period, p.s, p.e, "
    "COALESCE((SELECT e.balance_fen FROM ledger_entry e WHERE "
    "e.shop_id = b.shop_id AND e.customer_id = b.customer_id AND "
    "e.account = 'ar' AND e.created_at < p.s ORDER BY e.id DESC LIMIT 1), "
    "0) AS opening, "
    "(SELECT COALESCE(SUM(GREATEST(e.amount_fen, 0)), 0) FROM ledger_entry "
    "e WHERE e.shop_id = b.shop_id AND e.customer_id = b.customer_id AND "
    "e.account = 'ar' AND e.created_at >= p.s AND e.created_at < p.e) "
    "AS debit, "
    "(SELECT COALESCE(SUM(LEAST(e.amount_fen, 0)), 0) FROM ledger_entry e "
    "WHERE e.shop_id = b.shop_id AND e.customer_id = b.customer_id AND "
    "e.account = 'ar' AND e.created_at >= p.s AND e.created_at < p.e) "
    "AS credit, "
    "(SELECT COUNT(*) FROM ledger_entry e WHERE e.shop_id = b.shop_id AND "
    "e.customer_id = b.customer_id AND e.account = 'ar' AND "
    "e.created_at >= p.s AND e.created_at < p.e) AS n "
    "FROM customer_balance b JOIN (SELECT ? AS period, "
    "CAST(CONCAT(?, '-01') AS DATETIME) - INTERVAL 8 HOUR AS s, "
    "CAST(CONCAT(?, '-01') AS DATETIME) + INTERVAL 1 MONTH - INTERVAL 8 HOUR "
    "AS e) p WHERE ? IN (0, b.shop_id)) x "
    "WHERE x.opening <> 0 OR x.n > 0 ORDER BY x.shop_id, x.customer_id";

#define ROW_COLS \
    "SELECT t.id, t.customer_id, cu.name, t.period, t.opening_fen, " \
    "t.debit_fen, t.credit_fen, t.closing_fen, t.entries, t.state, " \
    "u.name, " ORDER_LOCAL("t.decided_at") ", t.comment, t.answer, " \
    "s.name, " ORDER_LOCAL("t.created_at") " FROM statement t " \
    "JOIN customer cu ON cu.id = t.customer_id " \
    "LEFT JOIN customer_user u ON u.id = t.decided_by " \
    "LEFT JOIN staff s ON s.id = t.answered_by "
/* ? shop, state ('' any), state, company (0 any), company, scope. */
#define LIST_WHERE \
    "WHERE t.shop_id = ? AND (? = '' OR t.state = ?) AND " \
    "(? = 0 OR t.customer_id = ?) AND " SCOPE_CUSTOMER("cu") " "

static const char sql_count[] =
    "SELECT COUNT(*) FROM statement t JOIN customer cu "
    "ON cu.id = t.customer_id " LIST_WHERE;
static const char sql_page[] =
    ROW_COLS LIST_WHERE "ORDER BY t.period DESC, t.state = 'disputed' DESC, "
    "t.id DESC LIMIT ? OFFSET ?";
static const char sql_one[] =
    ROW_COLS "WHERE t.id = ? AND t.shop_id = ? AND (? = 0 OR "
    "t.customer_id = ?) AND " SCOPE_CUSTOMER("cu");
static const char sql_lines[] =
    "SELECT e.id, e.kind, e.amount_fen, e.balance_fen, "
    "COALESCE(e.order_id, 0), o.order_no, COALESCE(e.payment_id, 0), "
    "e.note, COALESCE(s.name, u.name), " ORDER_LOCAL("e.created_at") " "
    "FROM statement t JOIN ledger_entry e ON e.shop_id = t.shop_id "
    "AND e.customer_id = t.customer_id AND e.account = 'ar' "
    "AND e.created_at >= t.starts_at AND e.created_at < t.ends_at "
    "LEFT JOIN sales_order o ON o.id = e.order_id "
    "LEFT JOIN staff s ON s.id = e.staff_id "
    "LEFT JOIN customer_user u ON u.id = e.customer_user_id "
    "WHERE t.id = ? AND t.shop_id = ? ORDER BY e.id";
static const char sql_disputed[] =
    "SELECT entry_id FROM statement_dispute WHERE shop_id = ? "
    "AND statement_id = ? ORDER BY entry_id";

static const char *const state_names[] = { "open", "confirmed",
	"disputed" };

const char *
statement_state_name(enum statement_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "";
}

const char *
statement_state_label(enum statement_state s)
{
	static const char *const labels[] = { "待确认", "已确认", "有异议" };

	return (unsigned)s < 3 ? labels[s] : "";
}

int
statement_state_parse(const char *s)
{
	return name_pos(state_names, 3, s);
}

/* "YYYY-MM", month 01..12, year 2000..2999. */
int
statement_period_valid(const char *p)
{
	int	i;

	for (i = 0; i < 7; i++)
		if (p[i] == '\0' || (i == 4 ? p[i] != '-' :
		    !isdigit((unsigned char)p[i])))
			return 0;
	return p[7] == '\0' && p[0] == '2' && ((p[5] == '0' && p[6] >= '1') ||
	    (p[5] == '1' && p[6] <= '2'));
}

/* The China month before now's, "YYYY-MM". */
void
statement_last_period(time_t now, char out[8])
{
	struct tm	tm;
	time_t		t = now + ORDER_CN_HOURS * 3600;

	gmtime_r(&t, &tm);
	if (--tm.tm_mon < 0) {
		tm.tm_mon = 11;
		tm.tm_year--;
	}
	if (strftime(out, 8, "%Y-%m", &tm) == 0)
		out[0] = '\0';
}

/*
 * Make period's statements (a finished month: before now's China month)
 * for shop (0: every shop); *made: how many were new. 0, ERR_INVALID for
 * a period that is not one or not over, ERR_INTERNAL.
 */
int
statements_generate(struct arena *a, const char *period, int64_t shop,
    int64_t *made)
{
	struct wx_deliver_count	 k;
	struct db_res	*r;
	char		 last[8];

	*made = 0;
	statement_last_period(time(NULL), last);
	if (period == NULL || !statement_period_valid(period) ||
	    strcmp(period, last) > 0)
		return ERR_INVALID;
	if (db_run(a, &r, sql_generate, "sssi", period, period, period,
	    shop) == -1)
		return ERR_INTERNAL;
	*made = (int64_t)r->affected;
	/* Told once (unique per statement and user), in WeChat too. */
	if (db_run(a, &r, sql_tell, "si", period, shop) == -1)
		return ERR_INTERNAL;
	if (r->affected > 0)
		(void)wx_deliver(a, shop, &k);
	return 0;
}

static void
row_of(const struct db_res *r, int i, struct statement_row *t)
{
	int	st = statement_state_parse(db_cell(r, i, 9));

	t->id = db_cell_i64(r, i, 0);
	t->customer_id = db_cell_i64(r, i, 1);
	t->customer = db_cell(r, i, 2);
	t->period = db_cell(r, i, 3);
	t->opening_fen = db_cell_i64(r, i, 4);
	t->debit_fen = db_cell_i64(r, i, 5);
	t->credit_fen = db_cell_i64(r, i, 6);
	t->closing_fen = db_cell_i64(r, i, 7);
	t->entries = db_cell_i64(r, i, 8);
	t->state = st < 0 ? ST_OPEN : (enum statement_state)st;
	t->decided_by = db_cell(r, i, 10);
	t->decided_at = db_cell(r, i, 11);
	t->comment = db_cell(r, i, 12);
	t->answer = db_cell(r, i, 13);
	t->answered_by = db_cell(r, i, 14);
	t->created = db_cell(r, i, 15);
}


int
statement_list(struct dctx *c, int state, int64_t customer, int page,
    struct statement_page *out)
{
	const char	*st = state >= 0 ? statement_state_name(state) : "";
	int64_t		 who = scope_reader(c), cid, scope = scope_owner(c);
	struct db_res	*r;
	int		 i;

	memset(out, 0, sizeof(*out));
	if (who < 0)
		return ERR_NOT_FOUND;
	cid = who != 0 ? who : customer;
	if (page < 1)
		page = 1;
	if (db_run(c->arena, &r, sql_count, "issiii", c->shop->id, st, st, cid,
	    cid, scope) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_page, "issiiiii", c->shop->id, st, st,
	    cid, cid, scope, (int64_t)STATEMENT_PER_PAGE,
	    (int64_t)(page - 1) * STATEMENT_PER_PAGE) == -1)
		return ERR_INTERNAL;
	out->rows = arena_calloc(c->arena, r->nrows + 1, sizeof(*out->rows));
	for (i = 0; i < r->nrows; i++)
		row_of(r, i, &out->rows[i]);
	out->n = r->nrows;
	return 0;
}

int
statement_get(struct dctx *c, int64_t id, struct statement *t)
{
	int64_t		 who = scope_reader(c);
	struct db_res	*r;
	int		 i, k;

	memset(t, 0, sizeof(*t));
	if (who < 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_one, "iiiii", id, c->shop->id, who, who,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这张对账单";
		return ERR_NOT_FOUND;
	}
	row_of(r, 0, &t->head);
	if (db_run(c->arena, &r, sql_lines, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	t->lines = arena_calloc(c->arena, r->nrows + 1, sizeof(*t->lines));
	for (i = 0; i < r->nrows; i++) {
		struct ledger_row *e = &t->lines[i];

		e->id = db_cell_i64(r, i, 0);
		e->account = LEDGER_AR;
		k = ledger_kind_parse(db_cell(r, i, 1));
		e->kind = k < 0 ? LK_ADJUSTMENT : (enum ledger_kind)k;
		e->amount_fen = db_cell_i64(r, i, 2);
		e->balance_fen = db_cell_i64(r, i, 3);
		e->order_id = db_cell_i64(r, i, 4);
		e->order_no = db_cell(r, i, 5);
		e->payment_id = db_cell_i64(r, i, 6);
		e->note = db_cell(r, i, 7);
		e->by = db_cell(r, i, 8);
		e->at = db_cell(r, i, 9);
	}
	t->n = r->nrows;
	if (db_run(c->arena, &r, sql_disputed, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	t->disputed = arena_calloc(c->arena, r->nrows + 1, sizeof(int64_t));
	for (i = 0; i < r->nrows; i++)
		t->disputed[i] = db_cell_i64(r, i, 0);
	t->ndisputed = r->nrows;
	return 0;
}
