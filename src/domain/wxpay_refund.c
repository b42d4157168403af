/*
 * wxpay_refund.c -- finance staff refund a WeChat payment, in full or in
 * part, back to the payer's WeChat.
 *
 * The money a refund returns must be the company's to take back: it
 * comes out of the deposit first (a cancelled order's payment moves
 * there), then out of what the company paid ahead on its account (a
 * credit note left it below zero). A refund that would leave the company
 * owing is refused (409 refund_uncovered): cancel the order or post a
 * credit note first. The ledger is debited when the refund is asked for,
 * under the company's balance lock, so the same money cannot be refunded
 * twice or spent meanwhile; WeChat Pay is called after that transaction.
 * A refund WeChat Pay refuses or closes puts the money back (the same
 * entries, reversed). A network failure leaves it asked: the sync job
 * repeats the call with the same out_refund_no, which WeChat Pay treats
 * as the same refund.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/wxpay.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/ledger.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "domain/wxpay_shop.h"

static const char sql_txn[] =
    "SELECT customer_id, amount_fen, refunded_fen, state, out_trade_no "
    "FROM wxpay_txn WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_insert[] =
    "INSERT INTO wxpay_refund (shop_id, txn_id, customer_id, out_refund_no, "
    "amount_fen, from_deposit_fen, from_ar_fen, reason, staff_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_refunded[] =
    "UPDATE wxpay_txn SET refunded_fen = refunded_fen + ? WHERE id = ?";
static const char sql_lock[] =
    "SELECT r.id, r.txn_id, r.customer_id, r.amount_fen, "
    "r.from_deposit_fen, r.from_ar_fen, r.state, t.out_trade_no, "
    "t.amount_fen FROM wxpay_refund r JOIN wxpay_txn t ON t.id = r.txn_id "
    "WHERE r.out_refund_no = ? AND r.shop_id = ? FOR UPDATE";
static const char sql_state[] =
    "UPDATE wxpay_refund SET state = ?, refund_id = COALESCE(NULLIF(?, ''), "
    "refund_id), error = ?, done_at = IF(? = 1, NOW(3), done_at) "
    "WHERE id = ?";

struct ask {
	int64_t		 txn;
	int64_t		 amount;
	const char	*reason;
	/* out */
	int64_t		 id;
	int64_t		 total;
	const char	*out_trade_no;
	const char	*out_refund_no;
};

static int
post(struct dctx *c, int64_t customer, enum ledger_account acct,
    int64_t amount, const char *note)
{
	struct ledger_post	p = { customer, acct, LK_REFUND, amount, 0, 0,
				    note };

	return amount == 0 ? 0 : ledger_post(c, &p);
}

static int
tx_ask(struct dctx *c, void *arg)
{
	struct ask	*a = arg;
	struct db_res	*r;
	int64_t		 customer, left, ar, dep, from_dep, from_ar;
	char		 no[40];
	int		 rc;

	if (db_run(c->arena, &r, sql_txn, "ii", a->txn, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这笔微信支付";
		return ERR_NOT_FOUND;
	}
	if (strcmp(db_cell(r, 0, 3), "paid") != 0) {
		c->error = "这笔微信支付没有付款成功，不能退款";
		c->code = "not_paid";
		return ERR_CONFLICT;
	}
	customer = db_cell_i64(r, 0, 0);
	a->total = db_cell_i64(r, 0, 1);
	left = a->total - db_cell_i64(r, 0, 2);
	a->out_trade_no = db_cell(r, 0, 4);
	if (a->amount > left) {
		c->error = arena_printf(c->arena, "最多还能退 ¥%s",
		    fmt_yuan(c->arena, left));
		c->code = "above_refundable";
		return ERR_CONFLICT;
	}
	if ((rc = ledger_lock(c, customer, &ar, &dep)) != 0)
		return rc;
	from_dep = dep < a->amount ? dep : a->amount;
	from_ar = a->amount - from_dep;
	if (from_ar > 0 && from_ar > -ar) {
		c->error = arena_printf(c->arena, "退款会让客户欠款：预存款 ¥%s，"
		    "多付 ¥%s。请先取消订单（已付金额会转入预存款）或开贷项",
		    fmt_yuan(c->arena, dep), fmt_yuan(c->arena, ar < 0 ? -ar : 0));
		c->code = "refund_uncovered";
		return ERR_CONFLICT;
	}
	memcpy(no, "RF", 2);
	if (random_hex(no + 2, 15) == -1)
		return ERR_INTERNAL;
	a->out_refund_no = arena_strdup(c->arena, no);
	if (db_run(c->arena, &r, sql_insert, "iiisiiisi", c->shop->id, a->txn,
	    customer, a->out_refund_no, a->amount, from_dep, from_ar,
	    a->reason, c->sess.user_id) == -1)
		return ERR_INTERNAL;
	a->id = (int64_t)r->insert_id;
	if (db_run(c->arena, NULL, sql_refunded, "ii", a->amount,
	    a->txn) == -1)
		return ERR_INTERNAL;
	if ((rc = post(c, customer, LEDGER_DEPOSIT, -from_dep,
	    arena_printf(c->arena, "微信退款：%s", a->reason))) != 0 ||
	    (rc = post(c, customer, LEDGER_AR, from_ar,
	    arena_printf(c->arena, "微信退款：%s", a->reason))) != 0)
		return rc;
	return audit(c, "wxpay.refund", "txn=%" PRId64 " refund=%" PRId64
	    " amount=%s from_deposit=%s reason=%s", a->txn, a->id,
	    fmt_yuan(c->arena, a->amount), fmt_yuan(c->arena, from_dep),
	    a->reason) != 0 ? ERR_INTERNAL : 0;
}

struct result {
	const char	*out_refund_no;
	const char	*status;	/* WeChat's: SUCCESS, PROCESSING, ... */
	const char	*refund_id;
	const char	*error;
	int64_t		 amount;	/* -1: do not check */
	const char	*why;
};

/* Apply a refund's status (r) to its row, under its lock. */
static int
tx_result(struct dctx *c, void *arg)
{
	struct result	*x = arg;
	struct db_res	*r;
	const char	*st, *to;
	int64_t		 id, customer, dep, ar;
	int		 rc, failed;

	x->why = NULL;
	if (db_run(c->arena, &r, sql_lock, "si", x->out_refund_no,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return x->why = "no such out_refund_no in this shop", 0;
	id = db_cell_i64(r, 0, 0);
	customer = db_cell_i64(r, 0, 2);
	dep = db_cell_i64(r, 0, 4);
	ar = db_cell_i64(r, 0, 5);
	st = db_cell(r, 0, 6);
	if (x->amount >= 0 && x->amount != db_cell_i64(r, 0, 3))
		return x->why = arena_printf(c->arena, "refund %" PRId64
		    ", asked %s", x->amount, db_cell(r, 0, 3)), 0;
	if (strcmp(st, "success") == 0 || strcmp(st, "closed") == 0 ||
	    strcmp(st, "abnormal") == 0)
		return 0;		/* final already */
	/* ABNORMAL is no failure: the money left the merchant but did not
	 * reach the payer's card, and is settled by hand on the merchant
	 * platform; the ledger keeps the refund, finance sees it. */
	failed = strcmp(x->status, "CLOSED") == 0 ||
	    strcmp(x->status, "REFUSED") == 0;
	to = strcmp(x->status, "SUCCESS") == 0 ? "success" :
	    strcmp(x->status, "ABNORMAL") == 0 ? "abnormal" :
	    failed ? "closed" : "processing";
	if (db_run(c->arena, NULL, sql_state, "sssii", to,
	    x->refund_id ? x->refund_id : "", x->error ? x->error : "",
	    (int64_t)(strcmp(to, "processing") != 0), id) == -1)
		return ERR_INTERNAL;
	if (!failed)
		return 0;
	/* Put back what asking took. */
	if (db_run(c->arena, NULL, sql_refunded, "ii",
	    -db_cell_i64(r, 0, 3), db_cell_i64(r, 0, 1)) == -1)
		return ERR_INTERNAL;
	if ((rc = ledger_lock(c, customer, NULL, NULL)) != 0 ||
	    (rc = post(c, customer, LEDGER_DEPOSIT, dep, "微信退款未成功，退回"))
	    != 0 || (rc = post(c, customer, LEDGER_AR, -ar,
	    "微信退款未成功，退回")) != 0)
		return rc;
	return audit(c, "wxpay.refund_failed", "refund=%" PRId64 " status=%s",
	    id, x->status) != 0 ? ERR_INTERNAL : 0;
}

/* Call WeChat Pay for refund a (asked before), and apply its answer. */
static int
call(struct dctx *c, struct wxpay_shop *ws, const char *out_trade_no,
    const char *out_refund_no, int64_t amount, int64_t total,
    const char *reason)
{
	struct wxpay_refund_req	 q = { out_trade_no, out_refund_no, reason,
				    amount, total };
	struct wxpay_refund	 rf;
	struct wxpay_result	 res;
	struct result		 x = { out_refund_no, NULL, NULL, NULL, -1,
				    NULL };

	memset(&rf, 0, sizeof(rf));
	wxpay_refund_create(&ws->w, &q, &rf, &res);
	if (res.rc == WXPAY_OK) {
		x.status = rf.status;
		x.refund_id = rf.refund_id;
	} else if (res.retryable || res.http_status < 400 ||
	    res.http_status > 499) {
		/* No answer, or one we could not trust (a 2xx whose
		 * signature did not verify: WeChat Pay may well have taken
		 * it): the same out_refund_no again later, never refunded
		 * twice, never put back on a guess. */
		clog_warnx(c, "wxpay refund %s: %s http=%ld, left for the sync "
		    "job", out_refund_no, wxpay_rc_str(res.rc),
		    res.http_status);
		c->error = "微信支付暂时连不上，退款会自动重试";
		c->code = "refund_pending";
		return ERR_UNAVAILABLE;
	} else {
		x.status = "CLOSED";
		x.error = utf8_prefix(c->arena, arena_printf(c->arena,
		    "%s %s", res.code, res.message), 200);
		clog_warnx(c, "wxpay refund %s refused: %s %s", out_refund_no,
		    res.code, res.message);
	}
	if (db_tx_run(c, tx_result, &x) != 0)
		return ERR_INTERNAL;
	if (x.error != NULL) {
		c->error = arena_printf(c->arena, "微信支付拒绝了退款：%s，"
		    "钱已退回客户账户", res.message);
		c->code = "refund_refused";
		return ERR_CONFLICT;
	}
	return 0;
}

/*
 * Refund amount fen of WeChat payment attempt txn with reason: asked,
 * then sent, its result to come to notify_url (the shop's /wxpay/notify;
 * NULL: only the sync job's query finishes it); *id the refund's. ERR_CONFLICT (not_paid, above_refundable,
 * refund_uncovered, refund_refused), ERR_UNAVAILABLE (refund_pending:
 * asked, to be sent again by the job), ERR_FORBIDDEN, ERR_INVALID.
 */
int
wxpay_refund(struct dctx *c, int64_t txn, int64_t amount, const char *reason,
    const char *notify_url, int64_t *id)
{
	struct ask		 a = { txn, amount, reason, 0, 0, NULL, NULL };
	struct wxpay_shop	 ws;
	int			 rc;

	*id = 0;
	if (c->sess.kind != SESS_STAFF ||
	    !session_staff_role(&c->sess, WXPAY_ADMIN_ROLES)) {
		c->error = "只有店主和财务可以退款";
		return ERR_FORBIDDEN;
	}
	if (amount <= 0 || amount > LEDGER_AMOUNT_MAX) {
		c->error = "请填写退款金额";
		c->code = "invalid_amount";
		return ERR_INVALID;
	}
	if (reason == NULL || *reason == '\0' || utf8_len(reason) > 80) {
		c->error = "请写明退款原因（80 字以内），客户会看到";
		c->code = "reason_required";
		return ERR_INVALID;
	}
	if ((rc = wxpay_shop_open(c, c->shop->id, NULL, WXPAY_SETTLE, &ws)) != 0)
		return rc;
	ws.cf.refund_notify_url = notify_url;
	if ((rc = db_tx_run(c, tx_ask, &a)) == 0) {
		*id = a.id;
		rc = call(c, &ws, a.out_trade_no, a.out_refund_no, amount,
		    a.total, reason);
		clog_info(c, "wxpay refund %s of txn %" PRId64 " ¥%s: %s",
		    a.out_refund_no, txn, fmt_yuan(c->arena, amount),
		    rc == 0 ? "sent" : c->code ? c->code : "error");
	}
	wxpay_shop_close(&ws);
	return rc;
}

/* Inside a transaction: a refund notification's result. */
int
wxpay_refund_apply(struct dctx *c, const struct wxpay_refund *rf,
    const char **why)
{
	struct result	x = { rf->out_refund_no, rf->status, rf->refund_id,
			    NULL, rf->refund, NULL };
	int		rc;

	if ((rc = tx_result(c, &x)) != 0)
		return rc;
	*why = x.why;
	return 0;
}

static const char sql_open[] =
    "SELECT r.shop_id, s.slug, s.name, r.out_refund_no, r.state, "
    "t.out_trade_no, r.amount_fen, t.amount_fen, r.reason "
    "FROM wxpay_refund r JOIN wxpay_txn t ON t.id = r.txn_id "
    "JOIN shop s ON s.id = r.shop_id WHERE r.state IN ('asked', "
    "'processing') AND r.created_at < NOW(3) - INTERVAL 1 MINUTE "
    "ORDER BY r.id LIMIT 200";

/*
 * The sync job's refunds: one asked but never sent (a network failure)
 * is sent again with its out_refund_no; one processing is queried.
 */
int
wxpay_refund_sync(struct arena *a, int *ndone)
{
	struct db_res		*r;
	struct dctx		 d;
	struct shop		 shop;
	struct wxpay_shop	 ws;
	struct wxpay_refund	 rf;
	struct wxpay_result	 res;
	struct result		 x;
	int			 i;

	*ndone = 0;
	if (db_run(a, &r, sql_open, "") == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++) {
		if (wxpay_job_shop(a, r, i, 0, &d, &shop, &ws) != 0)
			continue;
		if (strcmp(db_cell(r, i, 4), "asked") == 0) {
			if (call(&d, &ws, db_cell(r, i, 5), db_cell(r, i, 3),
			    db_cell_i64(r, i, 6), db_cell_i64(r, i, 7),
			    db_cell(r, i, 8)) != ERR_UNAVAILABLE)
				(*ndone)++;
		} else {
			memset(&rf, 0, sizeof(rf));
			wxpay_refund_query(&ws.w, db_cell(r, i, 3), &rf, &res);
			if (res.rc == WXPAY_OK) {
				x = (struct result){ db_cell(r, i, 3),
				    rf.status, rf.refund_id, NULL, -1, NULL };
				if (db_tx_run(&d, tx_result, &x) == 0 &&
				    strcmp(rf.status, "PROCESSING") != 0)
					(*ndone)++;
			}
		}
		wxpay_shop_close(&ws);
	}
	return 0;
}

static const char sql_of_payment[] =
    "SELECT id, out_trade_no, COALESCE(transaction_id, ''), amount_fen, "
    "refunded_fen FROM wxpay_txn WHERE shop_id = ? AND payment_id = ?";
static const char sql_refunds[] =
    "SELECT id, amount_fen, reason, state, error, "
    "DATE_FORMAT(created_at + INTERVAL 8 HOUR, '%Y-%m-%d %H:%i') "
    "FROM wxpay_refund WHERE shop_id = ? AND txn_id = ? ORDER BY id";

/* The WeChat attempt behind payment id, and its refunds: 0, or
 * ERR_NOT_FOUND when the payment was not made with WeChat Pay. */
int
wxpay_of_payment(struct dctx *c, int64_t payment, struct wxpay_paid *w)
{
	struct db_res	*r;
	int		 i;

	memset(w, 0, sizeof(*w));
	if (db_run(c->arena, &r, sql_of_payment, "ii", c->shop->id,
	    payment) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	w->txn_id = db_cell_i64(r, 0, 0);
	w->out_trade_no = db_cell(r, 0, 1);
	w->transaction_id = db_cell(r, 0, 2);
	w->amount_fen = db_cell_i64(r, 0, 3);
	w->refunded_fen = db_cell_i64(r, 0, 4);
	if (db_run(c->arena, &r, sql_refunds, "ii", c->shop->id,
	    w->txn_id) == -1)
		return ERR_INTERNAL;
	w->n = r->nrows;
	w->refunds = arena_calloc(c->arena, (size_t)r->nrows + 1,
	    sizeof(*w->refunds));
	for (i = 0; i < r->nrows; i++) {
		w->refunds[i].id = db_cell_i64(r, i, 0);
		w->refunds[i].amount_fen = db_cell_i64(r, i, 1);
		w->refunds[i].reason = db_cell(r, i, 2);
		w->refunds[i].state = db_cell(r, i, 3);
		w->refunds[i].error = db_cell(r, i, 4);
		w->refunds[i].at = db_cell(r, i, 5);
	}
	return 0;
}
