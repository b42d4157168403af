/*
 * ledger_order.c -- what orders do to the ledger besides submit (which
 * debits a monthly order in order_submit.c): a cancel credits back what
 * the order put on the account and moves what was paid for it to the
 * deposit; a payment allocated to an order credits the account, first
 * debiting a prepaid order that nobody had paid yet. Each runs in the
 * caller's transaction with the order row locked before the balance
 * row (the lock order of docs/orders.md).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/ledger.h"
#include "domain/payment.h"

static const char sql_paid[] =
    "UPDATE sales_order SET paid_fen = paid_fen + ?, ar_fen = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_alloc[] =
    "INSERT INTO payment_allocation (shop_id, payment_id, order_id, "
    "amount_fen) VALUES (?, ?, ?, ?)";

int
ledger_order_cancel(struct dctx *c, int64_t order, int64_t customer,
    int64_t ar_fen, int64_t paid_fen)
{
	struct ledger_post	back = { customer, LEDGER_AR, LK_ORDER_CANCEL,
				    -ar_fen, order, 0, NULL };
	int			rc;

	if ((rc = ledger_post(c, &back)) != 0 || paid_fen <= 0)
		return rc;
	/* What was paid for it is the company's money again: off the
	 * account it was credited to, onto the deposit. */
	back.kind = LK_DEPOSIT_BACK;
	back.amount_fen = paid_fen;
	back.note = "取消订单的已付款转入预存款";
	if ((rc = ledger_post(c, &back)) != 0)
		return rc;
	back.account = LEDGER_DEPOSIT;
	return ledger_post(c, &back);
}

/*
 * amount of payment pay to order o (locked by the caller, its remaining
 * at least amount): the allocation, the order's paid and owed, and the
 * ledger's credit (with the debit a prepaid order first needs).
 */
int
ledger_allocate(struct dctx *c, int64_t pay, const struct payable *o,
    int64_t amount)
{
	struct ledger_post	p = { o->customer_id, LEDGER_AR, LK_ORDER,
				    o->total_fen, o->id, 0, NULL };
	int			rc;

	if (amount <= 0 || amount > o->total_fen - o->paid_fen)
		return ERR_INTERNAL;
	if (o->ar_fen == 0 && (rc = ledger_post(c, &p)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_alloc, "iiii", c->shop->id, pay, o->id,
	    amount) == -1 ||
	    db_run(c->arena, NULL, sql_paid, "iiii", amount, o->total_fen,
	    o->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	p.kind = LK_PAYMENT;
	p.amount_fen = -amount;
	p.payment_id = pay;
	return ledger_post(c, &p);
}
