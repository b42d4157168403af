/*
 * ledger.c -- posting to a company's ledger. ledger_post() changes the
 * account's sum on the customer_balance row and appends the entry that
 * explains it, with the sum after it, in the caller's transaction: the
 * row is locked by the change, so two postings for one company take
 * turns and each entry's balance_fen is the sum of the entries up to it.
 * ledger_record() appends the entry for a change the caller made to the
 * row itself (order submit's credit check is that change). The deposit
 * cannot go below zero: the row's CHECK refuses it, which is
 * ERR_CONFLICT "预存款不足" here, and the caller's transaction rolls back.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/ledger.h"

static const struct {
	const char	*name;		/* ledger_entry.kind */
	const char	*label;
} kinds[LK_NKINDS] = {
	[LK_OPENING] =		{ "opening", "期初" },
	[LK_ORDER] =		{ "order", "订单" },
	[LK_ORDER_CHANGE] =	{ "order_change", "订单调整" },
	[LK_ORDER_CANCEL] =	{ "order_cancel", "订单取消" },
	[LK_PAYMENT] =		{ "payment", "付款" },
	[LK_DEPOSIT_IN] =	{ "deposit_in", "预存款充值" },
	[LK_DEPOSIT_USE] =	{ "deposit_use", "预存款支付" },
	[LK_DEPOSIT_BACK] =	{ "deposit_back", "退回预存款" },
	[LK_REFUND] =		{ "refund", "退款" },
	[LK_CREDIT_NOTE] =	{ "credit_note", "贷项（折让）" },
	[LK_ADJUSTMENT] =	{ "adjustment", "调整" },
};

/* Adds to one of the two sums (not an upsert: the row's CHECK would
 * judge the insert's negative deposit before meeting the key). */
static const char sql_add[] =
    "UPDATE customer_balance SET outstanding_fen = outstanding_fen + ?, "
    "deposit_fen = deposit_fen + ? WHERE shop_id = ? AND customer_id = ?";
static const char sql_entry[] =
    "INSERT INTO ledger_entry (shop_id, customer_id, account, kind, "
    "amount_fen, balance_fen, order_id, payment_id, note, staff_id, "
    "customer_user_id) SELECT shop_id, customer_id, ?, ?, ?, "
    "IF(? = 'ar', outstanding_fen, deposit_fen), NULLIF(?, 0), "
    "NULLIF(?, 0), ?, NULLIF(?, 0), NULLIF(?, 0) FROM customer_balance "
    "WHERE shop_id = ? AND customer_id = ?";
static const char sql_make[] =
    "INSERT IGNORE INTO customer_balance (shop_id, customer_id) "
    "VALUES (?, ?)";
static const char sql_lock[] =
    "SELECT outstanding_fen, deposit_fen FROM customer_balance "
    "WHERE shop_id = ? AND customer_id = ? FOR UPDATE";

const char *
ledger_kind_name(enum ledger_kind k)
{
	return (unsigned)k < LK_NKINDS ? kinds[k].name : "";
}

const char *
ledger_kind_label(enum ledger_kind k)
{
	return (unsigned)k < LK_NKINDS ? kinds[k].label : "";
}

int
ledger_kind_parse(const char *s)
{
	int	i;

	for (i = 0; s != NULL && i < LK_NKINDS; i++)
		if (strcmp(s, kinds[i].name) == 0)
			return i;
	return -1;
}

int
ledger_record(struct dctx *c, const struct ledger_post *p)
{
	const char	*acct = p->account == LEDGER_AR ? "ar" : "deposit";
	int64_t		 staff = c->sess.kind == SESS_STAFF ? c->sess.user_id : 0;
	int64_t		 user = c->sess.kind == SESS_CUSTOMER ?
			    c->sess.user_id : 0;
	struct db_res	*r;

	if (p->amount_fen == 0)
		return 0;
	if (db_run(c->arena, &r, sql_entry, "ssisiisiiii", acct,
	    ledger_kind_name(p->kind), p->amount_fen, acct, p->order_id,
	    p->payment_id, p->note != NULL ? p->note : "", staff, user,
	    c->shop->id, p->customer_id) == -1)
		return ERR_INTERNAL;
	if (r->affected != 1) {
		log_warnx("ledger: no balance row for customer %" PRId64,
		    p->customer_id);
		return ERR_INTERNAL;
	}
	return 0;
}

int
ledger_post(struct dctx *c, const struct ledger_post *p)
{
	int64_t		 ar = p->account == LEDGER_AR ? p->amount_fen : 0;
	int64_t		 dep = p->account == LEDGER_DEPOSIT ? p->amount_fen : 0;
	struct db_res	*r;
	int		 again;

	if (p->amount_fen == 0)
		return 0;
	for (again = 0; again < 2; again++) {
		if (db_run(c->arena, &r, sql_add, "iiii", ar, dep, c->shop->id,
		    p->customer_id) == -1) {
			if (!db_check_failed())
				return ERR_INTERNAL;
			c->error = "预存款不足";
			c->code = "deposit_short";
			return ERR_CONFLICT;
		}
		if (r->affected == 1)
			return ledger_record(c, p);
		/* The company's first posting: its row, then the change. */
		if (db_run(c->arena, NULL, sql_make, "ii", c->shop->id,
		    p->customer_id) == -1)
			return ERR_INTERNAL;
	}
	return ERR_INTERNAL;
}

/* The company's balance row, locked (made first if it has none). */
int
ledger_lock(struct dctx *c, int64_t customer, int64_t *ar, int64_t *dep)
{
	struct db_res	*r;

	if (db_run(c->arena, NULL, sql_make, "ii", c->shop->id, customer) == -1 ||
	    db_run(c->arena, &r, sql_lock, "ii", c->shop->id, customer) == -1 ||
	    r->nrows != 1)
		return ERR_INTERNAL;
	if (ar != NULL)
		*ar = db_cell_i64(r, 0, 0);
	if (dep != NULL)
		*dep = db_cell_i64(r, 0, 1);
	return 0;
}
