/*
 * ledger_read.c -- a company's ledger as its users and the shop's staff
 * read it: the balance, deposit, credit and what is overdue, the entries
 * newest first, a page at a time; and the one write staff make by hand,
 * an adjustment or credit note with its reason (a correction is always
 * a new entry). A user reads their own company's; staff, a company in
 * their scope; another's is not found.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/ledger.h"
#include "domain/order_rows.h"
#include "domain/payment.h"
#include "domain/pricing.h"
#include "domain/scope.h"
#include "domain/session.h"

#define LEDGER_ADJUST_ROLES	"owner,admin,finance"

static const char sql_summary[] =
    "SELECT COALESCE(b.outstanding_fen, 0), COALESCE(b.deposit_fen, 0), "
    "cu.payment_terms, cu.credit_limit_fen, cu.credit_days, "
    "(SELECT COALESCE(SUM(o.ar_fen - o.paid_fen), 0) FROM sales_order o "
    "WHERE o.shop_id = cu.shop_id AND o.customer_id = cu.id "
    "AND o.state <> 'cancelled' AND o.ar_fen > o.paid_fen "
    "AND o.due_on < DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR)) "
    "FROM customer cu LEFT JOIN customer_balance b ON b.shop_id = cu.shop_id "
    "AND b.customer_id = cu.id WHERE cu.id = ? AND cu.shop_id = ?";
static const char sql_count[] =
    "SELECT COUNT(*) FROM ledger_entry WHERE shop_id = ? AND customer_id = ? "
    "AND (? = '' OR account = ?)";
static const char sql_page[] =
    "SELECT e.id, e.account, e.kind, e.amount_fen, e.balance_fen, "
    "COALESCE(e.order_id, 0), o.order_no, COALESCE(e.payment_id, 0), "
    "e.note, COALESCE(s.name, u.name), " ORDER_LOCAL("e.created_at") " "
    "FROM ledger_entry e LEFT JOIN sales_order o ON o.id = e.order_id "
    "LEFT JOIN staff s ON s.id = e.staff_id "
    "LEFT JOIN customer_user u ON u.id = e.customer_user_id "
    "WHERE e.shop_id = ? AND e.customer_id = ? AND (? = '' OR e.account = ?) "
    "ORDER BY e.id DESC LIMIT ? OFFSET ?";

int
ledger_summary(struct dctx *c, int64_t given, struct ledger_summary *s)
{
	struct db_res	*r;
	int64_t		 cid;
	int		 rc;

	memset(s, 0, sizeof(*s));
	if ((rc = payment_company(c, given, &cid)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_summary, "ii", cid, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	s->outstanding_fen = db_cell_i64(r, 0, 0);
	s->deposit_fen = db_cell_i64(r, 0, 1);
	s->monthly = strcmp(db_cell(r, 0, 2), "monthly") == 0;
	s->credit_limit_fen = s->monthly ? db_cell_i64(r, 0, 3) : 0;
	s->credit_days = db_cell_i64(r, 0, 4);
	s->credit_available_fen = s->credit_limit_fen -
	    (s->outstanding_fen > 0 ? s->outstanding_fen : 0);
	if (s->credit_available_fen < 0)
		s->credit_available_fen = 0;
	s->overdue_fen = db_cell_i64(r, 0, 5);
	return 0;
}

/* The entries of one account ("ar", "deposit"; NULL: both), newest first,
 * page from 1. */
int
ledger_entries(struct dctx *c, int64_t given, int account, int page,
    int per, struct ledger_page *out)
{
	const char	*acct = account == LEDGER_AR ? "ar" :
			    account == LEDGER_DEPOSIT ? "deposit" : "";
	struct db_res	*r;
	int64_t		 cid;
	int		 i, k, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = payment_company(c, given, &cid)) != 0)
		return rc;
	if (page < 1)
		page = 1;
	if (db_run(c->arena, &r, sql_count, "iiss", c->shop->id, cid, acct,
	    acct) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_page, "iissii", c->shop->id, cid, acct,
	    acct, (int64_t)per, (int64_t)(page - 1) * per) == -1)
		return ERR_INTERNAL;
	out->rows = arena_calloc(c->arena, r->nrows + 1, sizeof(*out->rows));
	for (i = 0; i < r->nrows; i++) {
		struct ledger_row *e = &out->rows[i];

		e->id = db_cell_i64(r, i, 0);
		e->account = strcmp(db_cell(r, i, 1), "ar") == 0 ? LEDGER_AR :
		    LEDGER_DEPOSIT;
		k = ledger_kind_parse(db_cell(r, i, 2));
		e->kind = k < 0 ? LK_ADJUSTMENT : (enum ledger_kind)k;
		e->amount_fen = db_cell_i64(r, i, 3);
		e->balance_fen = db_cell_i64(r, i, 4);
		e->order_id = db_cell_i64(r, i, 5);
		e->order_no = db_cell(r, i, 6);
		e->payment_id = db_cell_i64(r, i, 7);
		e->note = db_cell(r, i, 8);
		e->by = db_cell(r, i, 9);
		e->at = db_cell(r, i, 10);
	}
	out->n = r->nrows;
	return 0;
}

struct adj {
	int64_t			 customer_id;
	struct ledger_post	 p;
};

static int
tx_adjust(struct dctx *c, void *arg)
{
	struct adj	*a = arg;
	int		 rc;

	/* The company in scope, read in the transaction: its row locks. */
	if ((rc = payment_company(c, a->customer_id, &a->p.customer_id)) != 0)
		return rc;
	if ((rc = ledger_lock(c, a->p.customer_id, NULL, NULL)) != 0 ||
	    (rc = ledger_post(c, &a->p)) != 0)
		return rc;
	return audit(c, "ledger.adjust", "customer=%" PRId64 " account=%s "
	    "kind=%s amount=%s note=%s", a->p.customer_id,
	    a->p.account == LEDGER_AR ? "ar" : "deposit",
	    ledger_kind_name(a->p.kind), fmt_yuan(c->arena, a->p.amount_fen),
	    a->p.note) != 0 ? ERR_INTERNAL : 0;
}

/*
 * Staff post an adjustment (LK_ADJUSTMENT) or a credit note
 * (LK_CREDIT_NOTE, which only lowers what is owed) of amount, signed, on
 * a company's account, with the reason its users will read.
 */
int
ledger_adjust(struct dctx *c, int64_t customer, enum ledger_account acct,
    int64_t amount, enum ledger_kind kind, const char *note)
{
	struct adj	a = { customer, { 0, acct, kind, amount, 0, 0, note } };

	if (c->sess.kind != SESS_STAFF ||
	    !session_staff_role(&c->sess, LEDGER_ADJUST_ROLES)) {
		c->error = "只有店主、管理员和财务可以调整客户账户";
		return ERR_FORBIDDEN;
	}
	if (kind != LK_ADJUSTMENT && kind != LK_CREDIT_NOTE)
		return ERR_INVALID;
	if (amount == 0 || amount > LEDGER_AMOUNT_MAX ||
	    amount < -LEDGER_AMOUNT_MAX) {
		c->error = "金额应不为 0";
		c->code = "invalid_amount";
		return ERR_INVALID;
	}
	if (kind == LK_CREDIT_NOTE && (acct != LEDGER_AR || amount > 0)) {
		c->error = "贷项只能减少客户的应付";
		c->code = "invalid_amount";
		return ERR_INVALID;
	}
	if (note == NULL || *note == '\0') {
		c->error = "请写明调整原因，客户会看到";
		c->code = "reason_required";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_adjust, &a);
}
