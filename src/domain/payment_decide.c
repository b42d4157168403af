/*
 * payment_decide.c -- finance staff confirm or reject a recorded
 * payment. Confirming credits the company's account: the payment is
 * allocated to the orders the payer named, in their order, or else to the
 * company's payable orders oldest due first; what is left over goes to
 * the deposit. One transaction: the payment row is locked first (a
 * second confirm finds it decided), then the orders, then the balance
 * row. Rejecting changes no money and keeps the reason for the payer.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/ledger.h"
#include "domain/payment.h"
#include "domain/payment_rows.h"
#include "domain/pricing.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"
#include "domain/session.h"

static const char sql_lock[] =
    "SELECT p.customer_id, p.state, p.purpose, p.amount_fen FROM payment p "
    "WHERE p.id = ? AND p.shop_id = ? AND "
    SCOPE_CUSTOMER_ID("p.customer_id") " FOR UPDATE";
static const char sql_named[] =
    "SELECT n.order_id FROM payment_order n JOIN sales_order o "
    "ON o.id = n.order_id AND o.shop_id = n.shop_id "
    "WHERE n.shop_id = ? AND n.payment_id = ? ORDER BY o.due_on, o.id";
static const char sql_order_lock[] = PAYABLE_LOCK;
static const char sql_oldest[] =
    PAYABLE_COLS "WHERE shop_id = ? AND customer_id = ? AND state IN "
    PAYABLE_STATES " AND paid_fen < total_fen ORDER BY due_on, id "
    "LIMIT 500 FOR UPDATE";
static const char sql_confirm[] =
    "UPDATE payment SET state = 'confirmed', decided_by = ?, "
    "decided_at = NOW(3), to_deposit_fen = ? WHERE id = ? AND shop_id = ?";
static const char sql_reject[] =
    "UPDATE payment SET state = 'rejected', decided_by = ?, "
    "decided_at = NOW(3), reason = ? WHERE id = ? AND shop_id = ?";

struct dec {
	int64_t		 id;
	int		 confirm;
	const char	*reason;
	int64_t		 customer_id;
	int64_t		 amount_fen;
	int64_t		 to_deposit;
	int		 norders;
};

static int
may_decide(struct dctx *c)
{
	if (c->sess.kind == SESS_STAFF &&
	    session_staff_role(&c->sess, PAYMENT_DECIDE_ROLES))
		return 1;
	c->error = "只有店主、管理员和财务可以确认或驳回付款";
	return 0;
}

/* The payment, locked and still pending: 0, or an enum err. */
static int
pending_lock(struct dctx *c, struct dec *d, int *deposit)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_lock, "iii", d->id, c->shop->id,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这笔付款";
		return ERR_NOT_FOUND;
	}
	if (strcmp(db_cell(r, 0, 1), "pending") != 0) {
		c->error = arena_printf(c->arena, "这笔付款已%s，不能再处理",
		    strcmp(db_cell(r, 0, 1), "confirmed") == 0 ? "确认" :
		    "驳回");
		c->code = "already_decided";
		return ERR_CONFLICT;
	}
	d->customer_id = db_cell_i64(r, 0, 0);
	d->amount_fen = db_cell_i64(r, 0, 3);
	*deposit = strcmp(db_cell(r, 0, 2), "deposit") == 0;
	return 0;
}

/* Pay what is left of *left to each payable row of r, in order. */
static int
pay_rows(struct dctx *c, struct dec *d, const struct db_res *r,
    int64_t *left)
{
	struct payable	p;
	int64_t		amount;
	int		i, rc;

	for (i = 0; i < r->nrows && *left > 0; i++) {
		payable_of(r, i, &p);
		if (strstr(PAYABLE_STATES, arena_printf(c->arena, "'%s'",
		    p.state)) == NULL || p.paid_fen >= p.total_fen)
			continue;	/* cancelled or paid since it was named */
		amount = p.total_fen - p.paid_fen;
		if (amount > *left)
			amount = *left;
		if ((rc = ledger_allocate(c, d->id, &p, amount)) != 0)
			return rc;
		*left -= amount;
		d->norders++;
	}
	return 0;
}

static int
allocate(struct dctx *c, struct dec *d, int64_t *left)
{
	struct db_res	*named, *r;
	int		 i, rc;

	if (db_run(c->arena, &named, sql_named, "ii", c->shop->id,
	    d->id) == -1)
		return ERR_INTERNAL;
	if (named->nrows == 0) {
		if (db_run(c->arena, &r, sql_oldest, "ii", c->shop->id,
		    d->customer_id) == -1)
			return ERR_INTERNAL;
		return pay_rows(c, d, r, left);
	}
	for (i = 0; i < named->nrows && *left > 0; i++) {
		if (db_run(c->arena, &r, sql_order_lock, "iii",
		    db_cell_i64(named, i, 0), c->shop->id,
		    d->customer_id) == -1)
			return ERR_INTERNAL;
		if ((rc = pay_rows(c, d, r, left)) != 0)
			return rc;
	}
	return 0;
}

static int
tx_decide(struct dctx *c, void *arg)
{
	struct dec		*d = arg;
	struct ledger_post	 in;
	int64_t			 left;
	int			 deposit, rc;

	c->code = NULL;
	d->norders = 0;
	d->to_deposit = 0;
	if ((rc = pending_lock(c, d, &deposit)) != 0)
		return rc;
	if (!d->confirm)
		return db_run(c->arena, NULL, sql_reject, "isii",
		    c->sess.user_id, d->reason, d->id, c->shop->id) == -1 ||
		    audit(c, "payment.reject", "payment=%" PRId64 " reason=%s",
		    d->id, d->reason) != 0 ? ERR_INTERNAL : 0;
	left = d->amount_fen;
	if (!deposit && (rc = allocate(c, d, &left)) != 0)
		return rc;
	in = (struct ledger_post){ d->customer_id, LEDGER_DEPOSIT,
	    LK_DEPOSIT_IN, left, 0, d->id, deposit ? NULL :
	    "付款超过待付订单的部分" };
	if ((rc = ledger_post(c, &in)) != 0)
		return rc;
	d->to_deposit = left;
	if (db_run(c->arena, NULL, sql_confirm, "iiii", c->sess.user_id, left,
	    d->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "payment.confirm", "payment=%" PRId64 " customer=%"
	    PRId64 " amount=%s orders=%d to_deposit=%s", d->id,
	    d->customer_id, fmt_yuan(c->arena, d->amount_fen), d->norders,
	    fmt_yuan(c->arena, left)) != 0 ? ERR_INTERNAL : 0;
}

int
payment_confirm(struct dctx *c, int64_t id)
{
	struct dec	d = { id, 1, NULL, 0, 0, 0, 0 };
	int		rc;

	if (!may_decide(c))
		return ERR_FORBIDDEN;
	if ((rc = db_tx_run(c, tx_decide, &d)) != 0)
		return rc;
	clog_info(c, "payment %" PRId64 " confirmed amount=%s orders=%d "
	    "to_deposit=%s", id, fmt_yuan(c->arena, d.amount_fen), d.norders,
	    fmt_yuan(c->arena, d.to_deposit));
	return 0;
}

int
payment_reject(struct dctx *c, int64_t id, const char *reason)
{
	struct dec	d = { id, 0, reason, 0, 0, 0, 0 };
	int		rc;

	if (!may_decide(c))
		return ERR_FORBIDDEN;
	if (reason == NULL || *reason == '\0') {
		c->error = "请写明驳回原因，客户会看到";
		c->code = "reason_required";
		return ERR_INVALID;
	}
	if ((rc = db_tx_run(c, tx_decide, &d)) != 0)
		return rc;
	clog_info(c, "payment %" PRId64 " rejected", id);
	return 0;
}
