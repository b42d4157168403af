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
#include "domain/approval.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/ledger.h"
#include "domain/order.h"
#include "domain/payment.h"
#include "domain/payment_rows.h"
#include "domain/pricing.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"
#include "domain/session.h"

static const char sql_lock[] =
    "SELECT p.customer_id, p.state, p.purpose, p.amount_fen, "
    "COALESCE(p.customer_user_id, 0) FROM payment p "
    "WHERE p.id = ? AND p.shop_id = ? AND "
    SCOPE_CUSTOMER_ID("p.customer_id") " FOR UPDATE";
static const char sql_named[] =
    "SELECT n.order_id FROM payment_order n JOIN sales_order o "
    "ON o.id = n.order_id AND o.shop_id = n.shop_id "
    "WHERE n.shop_id = ? AND n.payment_id = ? ORDER BY o.due_on, o.id";
static const char sql_order_lock[] = PAYABLE_LOCK;
/* Candidates, read without locks (allocate() locks them by id). */
static const char sql_oldest[] =
    "SELECT id FROM sales_order WHERE shop_id = ? AND customer_id = ? "
    "AND state IN " PAYABLE_STATES " AND paid_fen < total_fen "
    "ORDER BY due_on, id LIMIT 500";
static const char sql_confirm[] =
    "UPDATE payment SET state = 'confirmed', decided_by = NULLIF(?, 0), "
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
	int64_t		 user;		/* who recorded it */
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
	d->user = db_cell_i64(r, 0, 4);
	*deposit = strcmp(db_cell(r, 0, 2), "deposit") == 0;
	return 0;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Allocate *left to the orders the payer named, in due order, or else to
 * the company's payable orders oldest due first. The candidates are read
 * without locks, then locked by primary key in ascending id order (rows
 * only, no gaps), all before the first posting touches the balance row:
 * the lock order of submit, cancel and edit (orders, then balance), so
 * none of them deadlocks with a confirm.
 */
static int
allocate(struct dctx *c, struct dec *d, int64_t *left)
{
	struct db_res	*cand, *r;
	struct payable	*rows, p;
	int64_t		*ids, amount;
	int		 i, k, n, rc;

	if (db_run(c->arena, &cand, sql_named, "ii", c->shop->id,
	    d->id) == -1)
		return ERR_INTERNAL;
	if (cand->nrows == 0 && db_run(c->arena, &cand, sql_oldest, "ii",
	    c->shop->id, d->customer_id) == -1)
		return ERR_INTERNAL;
	n = cand->nrows;
	ids = arena_calloc(c->arena, (size_t)n + 1, sizeof(*ids));
	rows = arena_calloc(c->arena, (size_t)n + 1, sizeof(*rows));
	for (i = 0; i < n; i++)
		ids[i] = db_cell_i64(cand, i, 0);
	qsort(ids, (size_t)n, sizeof(*ids), cmp_id);
	for (i = 0; i < n; i++) {
		if (db_run(c->arena, &r, sql_order_lock, "iii", ids[i],
		    c->shop->id, d->customer_id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 1)
			payable_of(r, 0, &rows[i]);
	}
	/* Now in due order, as the candidates came. */
	for (i = 0; i < n && *left > 0; i++) {
		p.id = 0;
		for (k = 0; k < n; k++)
			if (rows[k].id == db_cell_i64(cand, i, 0))
				p = rows[k];
		if (p.id == 0 || !order_state_payable(p.state) ||
		    p.paid_fen >= p.total_fen)
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

static int	settle(struct dctx *, struct dec *, int);

static int
tx_decide(struct dctx *c, void *arg)
{
	struct dec		*d = arg;
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
		    d->id, d->reason) != 0 ? ERR_INTERNAL :
		    notify_money(c, d->customer_id, "payment_rejected",
		    d->user, arena_printf(c->arena, "付款 ¥%s 被驳回：%s",
		    fmt_yuan(c->arena, d->amount_fen), d->reason));
	return settle(c, d, deposit);
}

/* Credit a locked, pending payment d: allocated to orders unless it is a
 * top-up (deposit), the rest to the deposit, confirmed, the payer told. */
static int
settle(struct dctx *c, struct dec *d, int deposit)
{
	struct ledger_post	 in;
	int64_t			 left;
	int			 rc;

	left = d->amount_fen;
	if (!deposit && (rc = allocate(c, d, &left)) != 0)
		return rc;
	in = (struct ledger_post){ d->customer_id, LEDGER_DEPOSIT,
	    LK_DEPOSIT_IN, left, 0, d->id, deposit ? NULL :
	    "付款超过待付订单的部分" };
	if ((rc = ledger_post(c, &in)) != 0)
		return rc;
	d->to_deposit = left;
	if (db_run(c->arena, NULL, sql_confirm, "iiii", c->sess.kind ==
	    SESS_STAFF ? c->sess.user_id : 0, left,
	    d->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (audit(c, "payment.confirm", "payment=%" PRId64 " customer=%"
	    PRId64 " amount=%s orders=%d to_deposit=%s", d->id,
	    d->customer_id, fmt_yuan(c->arena, d->amount_fen), d->norders,
	    fmt_yuan(c->arena, left)) != 0)
		return ERR_INTERNAL;
	return notify_money(c, d->customer_id, "payment_confirmed", d->user,
	    arena_printf(c->arena, "付款 ¥%s 已确认到账%s", fmt_yuan(c->arena,
	    d->amount_fen), left > 0 ? arena_printf(c->arena, "，¥%s 转入预存款",
	    fmt_yuan(c->arena, left)) : ""));
}

/*
 * Inside the caller's transaction, credit payment id (pending, just
 * recorded by the system: WeChat Pay) as a confirm does, with no staff
 * behind it; *to_deposit: what was left for the deposit. The payment row
 * must not be locked by anyone else: the caller made it.
 */
int
payment_settle(struct dctx *c, int64_t id, int64_t *to_deposit)
{
	struct dec	d = { id, 1, NULL, 0, 0, 0, 0, 0 };
	int		deposit, rc;

	if ((rc = pending_lock(c, &d, &deposit)) != 0 ||
	    (rc = settle(c, &d, deposit)) != 0)
		return rc;
	*to_deposit = d.to_deposit;
	return 0;
}

int
payment_confirm(struct dctx *c, int64_t id)
{
	struct dec	d = { id, 1, NULL, 0, 0, 0, 0, 0 };
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
	struct dec	d = { id, 0, reason, 0, 0, 0, 0, 0 };
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
