/*
 * wxpay_pay.c -- a company's user pays an order with WeChat Pay (JSAPI,
 * in the WeChat browser or the mini-program), and the money arrives
 * exactly once.
 *
 * An attempt (wxpay_txn) is made under the order's lock for what the
 * order still owes, charged to the WeChat identity the session logged in
 * with (its app and openid); the prepay order is created at WeChat Pay
 * after that transaction, never inside one. A second tap within the
 * attempt's life reuses it; a changed amount makes a new one (the old
 * one expires, and if it is paid after all the money still lands:
 * whatever the order no longer owes goes to the deposit).
 *
 * The money arrives by whichever comes first: the notification, the
 * customer coming back (wxpay_pay_check queries), or the sync job. All
 * three end in wxpay_txn_apply(), which locks the attempt, checks what
 * WeChat Pay says against it (merchant, app, amount, currency, state),
 * and only while it is not yet paid records a confirmed payment
 * allocated to the order through the ledger (payment_settle).
 */
#include "base/base.h"
#include "services/db.h"
#include "services/wxpay.h"
#include "domain/approval.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/order.h"
#include "domain/payment.h"
#include "domain/payment_rows.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/wxpay_shop.h"

#include <time.h>

static const char sql_identity[] =
    "SELECT i.appid, i.openid FROM session s JOIN wx_identity i "
    "ON i.id = s.wx_identity_id WHERE s.id = ? AND i.shop_id = ? "
    "AND i.customer_user_id = ?";
static const char sql_order_lock[] = PAYABLE_LOCK;
static const char sql_open[] =
    "SELECT id, out_trade_no, amount_fen, openid, COALESCE(prepay_id, ''), "
    "expires_at > NOW(3) + INTERVAL 5 MINUTE, "
    "DATE_FORMAT(expires_at + INTERVAL 8 HOUR, '%Y-%m-%dT%H:%i:%s+08:00') "
    "FROM wxpay_txn WHERE shop_id = ? AND order_id = ? AND state = 'open' "
    "ORDER BY id DESC LIMIT 1 FOR UPDATE";
static const char sql_insert[] =
    "INSERT INTO wxpay_txn (shop_id, order_id, customer_id, "
    "customer_user_id, out_trade_no, appid, mchid, openid, amount_fen, "
    "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "NOW(3) + INTERVAL ? SECOND)";
static const char sql_expire_text[] =
    "SELECT DATE_FORMAT(expires_at + INTERVAL 8 HOUR, "
    "'%Y-%m-%dT%H:%i:%s+08:00') FROM wxpay_txn WHERE id = ?";
static const char sql_prepay[] =
    "UPDATE wxpay_txn SET prepay_id = ? WHERE id = ? AND shop_id = ?";
/* The attempt's order, read first without a lock: the order is locked
 * before the attempt, as a new attempt does (tx_start), so the two never
 * wait on each other in a circle. */
static const char sql_txn_order[] =
    "SELECT order_id FROM wxpay_txn WHERE out_trade_no = ? AND shop_id = ?";
static const char sql_order_row_lock[] =
    "SELECT id FROM sales_order WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_txn_lock[] =
    "SELECT id, order_id, customer_id, COALESCE(customer_user_id, 0), "
    "amount_fen, appid, mchid, state FROM wxpay_txn "
    "WHERE out_trade_no = ? AND shop_id = ? FOR UPDATE";
static const char sql_payment[] =
    "INSERT INTO payment (shop_id, customer_id, customer_user_id, method, "
    "purpose, amount_fen, paid_on, payer_account, remark) "
    "VALUES (?, ?, NULLIF(?, 0), 'wechat', 'orders', ?, "
    "DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR), '微信支付', ?)";
static const char sql_payment_order[] =
    "INSERT INTO payment_order (shop_id, payment_id, order_id) "
    "VALUES (?, ?, ?)";
static const char sql_paid[] =
    "UPDATE wxpay_txn SET state = 'paid', transaction_id = ?, "
    "payment_id = ?, paid_at = NOW(3) WHERE id = ?";
static const char sql_checkable[] =
    "SELECT out_trade_no FROM wxpay_txn WHERE shop_id = ? AND "
    "order_id = ? AND customer_id = ? AND state = 'open' "
    "ORDER BY id DESC LIMIT 3";
static const char sql_order_paid[] =
    "SELECT paid_fen >= total_fen FROM sales_order "
    "WHERE id = ? AND shop_id = ? AND customer_id = ?";

struct start {
	int64_t		 order_id;
	const char	*appid;
	const char	*openid;
	const char	*mchid;
	/* out */
	int64_t		 txn_id;
	int64_t		 amount;
	const char	*out_trade_no;
	const char	*prepay_id;	/* "" when it has none yet */
	const char	*expire;	/* RFC 3339, China */
	const char	*order_no;
};

/* The app and openid the session logged in with through WeChat. */
static int
identity(struct dctx *c, const char **appid, const char **openid)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_identity, "iii", c->sess.id,
	    c->shop->id, c->sess.user_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "微信支付需要在微信里打开本店、用微信登录后使用；"
		    "也可以用转账或预存款付款";
		c->code = "wechat_login_needed";
		return ERR_CONFLICT;
	}
	*appid = db_cell(r, 0, 0);
	*openid = db_cell(r, 0, 1);
	return 0;
}

static int
tx_start(struct dctx *c, void *arg)
{
	struct start	*s = arg;
	struct db_res	*r;
	struct payable	 p;
	char		 no[40];

	if (db_run(c->arena, &r, sql_order_lock, "iii", s->order_id,
	    c->shop->id, c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这个订单";
		return ERR_NOT_FOUND;
	}
	payable_of(r, 0, &p);
	s->order_no = p.order_no;
	if (!order_state_payable(p.state)) {
		c->error = "这个订单现在不能付款（待审批或已取消）";
		c->code = "not_payable";
		return ERR_CONFLICT;
	}
	if (p.paid_fen >= p.total_fen) {
		c->error = "这个订单已经付清了";
		c->code = "already_paid";
		return ERR_CONFLICT;
	}
	s->amount = p.total_fen - p.paid_fen;
	if (db_run(c->arena, &r, sql_open, "ii", c->shop->id,
	    s->order_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 1 && db_cell_i64(r, 0, 2) == s->amount &&
	    strcmp(db_cell(r, 0, 3), s->openid) == 0 &&
	    db_cell_i64(r, 0, 5) == 1) {
		s->txn_id = db_cell_i64(r, 0, 0);
		s->out_trade_no = db_cell(r, 0, 1);
		s->prepay_id = db_cell(r, 0, 4);
		s->expire = db_cell(r, 0, 6);
		return 0;
	}
	/* 32 characters of [0-9A-Za-z_-|*]: "DH" and 30 hex digits. */
	memcpy(no, "DH", 2);
	if (random_hex(no + 2, 15) == -1)
		return ERR_INTERNAL;
	s->out_trade_no = arena_strdup(c->arena, no);
	if (db_run(c->arena, &r, sql_insert, "iiiissssii", c->shop->id,
	    s->order_id, c->sess.customer_id, c->sess.user_id,
	    s->out_trade_no, s->appid, s->mchid, s->openid, s->amount,
	    (int64_t)WXPAY_TTL) == -1)
		return ERR_INTERNAL;
	s->txn_id = (int64_t)r->insert_id;
	s->prepay_id = "";
	if (db_run(c->arena, &r, sql_expire_text, "i", s->txn_id) == -1 ||
	    r->nrows != 1)
		return ERR_INTERNAL;
	s->expire = db_cell(r, 0, 0);
	return audit(c, "wxpay.start", "order=%" PRId64 " txn=%" PRId64
	    " amount=%s", s->order_id, s->txn_id, fmt_yuan(c->arena,
	    s->amount)) != 0 ? ERR_INTERNAL : 0;
}

/* What a failed call to WeChat Pay means for the customer. */
static int
pay_unavailable(struct dctx *c, const struct wxpay_result *res,
    const char *what)
{
	clog_warnx(c, "wxpay: %s failed: %s http=%ld code=%s rid=%s", what,
	    wxpay_rc_str(res->rc), res->http_status, res->code,
	    res->request_id);
	c->error = res->retryable ? "微信支付暂时连不上，请稍后再试" :
	    "微信支付没有接受这笔付款，请用转账或预存款付款，或联系我们";
	c->code = "wxpay_unavailable";
	return ERR_UNAVAILABLE;
}

/*
 * Start paying order_id with WeChat Pay: the signed parameters the page
 * hands to WeixinJSBridge / wx.requestPayment in out. notify_url is where
 * WeChat Pay posts the result (the shop's /wxpay/notify).
 */
int
wxpay_pay_start(struct dctx *c, int64_t order_id, const char *notify_url,
    struct wxpay_start *out)
{
	struct start		 s = { 0 };
	struct wxpay_shop	 ws;
	struct wxpay_order	 o;
	struct wxpay_result	 res;
	struct wxpay_pay_params	 pp;
	char			 prepay[64];
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (c->sess.kind != SESS_CUSTOMER || c->sess.role == NULL ||
	    !name_in_list(PAYMENT_USER_ROLES, c->sess.role)) {
		c->error = "只有采购和财务账号可以付款";
		return ERR_FORBIDDEN;
	}
	s.order_id = order_id;
	if ((rc = identity(c, &s.appid, &s.openid)) != 0)
		return rc;
	if ((rc = wxpay_shop_open(c, c->shop->id, s.appid, WXPAY_NEW, &ws)) != 0)
		return rc;
	s.mchid = ws.cf.mchid;
	if ((rc = db_tx_run(c, tx_start, &s)) != 0)
		goto done;
	if (*s.prepay_id == '\0') {
		memset(&o, 0, sizeof(o));
		o.description = arena_printf(c->arena, "%s 订单 %s",
		    c->shop->name, s.order_no);
		o.out_trade_no = s.out_trade_no;
		o.total = s.amount;
		o.openid = s.openid;
		o.time_expire = s.expire;
		ws.cf.notify_url = notify_url;
		wxpay_create_jsapi(&ws.w, &o, prepay, sizeof(prepay), &res);
		if (res.rc != WXPAY_OK) {
			rc = pay_unavailable(c, &res, "create");
			goto done;
		}
		if (db_run(c->arena, NULL, sql_prepay, "sii", prepay, s.txn_id,
		    c->shop->id) == -1) {
			rc = ERR_INTERNAL;
			goto done;
		}
		s.prepay_id = arena_strdup(c->arena, prepay);
	}
	if (wxpay_pay_params(&ws.w, s.prepay_id, 0, NULL, &pp) == -1) {
		rc = ERR_INTERNAL;
		goto done;
	}
	out->params_json = wxpay_pay_params_json(&pp);
	wxpay_pay_params_free(&pp);
	if (out->params_json == NULL) {
		rc = ERR_INTERNAL;
		goto done;
	}
	arena_defer(c->arena, free, out->params_json);
	out->amount_fen = s.amount;
	out->out_trade_no = s.out_trade_no;
	clog_info(c, "wxpay: order %" PRId64 " txn %" PRId64 " %s ¥%s",
	    order_id, s.txn_id, s.out_trade_no, fmt_yuan(c->arena, s.amount));
done:
	wxpay_shop_close(&ws);
	return rc;
}

/*
 * Inside a transaction: what WeChat Pay says of a transaction (from a
 * notification or a query, both signed) applied to the attempt it names.
 * 0 with *why NULL: paid now, or had been; 0 with *why set: refused (no
 * such attempt in this shop, another merchant or app, a wrong amount),
 * nothing changed; an enum err.
 */
int
wxpay_txn_apply(struct dctx *c, const struct wxpay_txn *t, const char **why)
{
	struct db_res	*r;
	int64_t		 id, order, customer, user, amount, pid, to_deposit;
	int		 rc;

	*why = NULL;
	if (db_run(c->arena, &r, sql_txn_order, "si", t->out_trade_no,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 1 && db_run(c->arena, NULL, sql_order_row_lock, "ii",
	    db_cell_i64(r, 0, 0), c->shop->id) == -1)
		return ERR_INTERNAL;
	if (db_run(c->arena, &r, sql_txn_lock, "si", t->out_trade_no,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return *why = "no such out_trade_no in this shop", 0;
	id = db_cell_i64(r, 0, 0);
	order = db_cell_i64(r, 0, 1);
	customer = db_cell_i64(r, 0, 2);
	user = db_cell_i64(r, 0, 3);
	amount = db_cell_i64(r, 0, 4);
	if (strcmp(t->mchid, db_cell(r, 0, 6)) != 0)
		return *why = "another merchant's transaction", 0;
	if (strcmp(t->appid, db_cell(r, 0, 5)) != 0)
		return *why = "another app's transaction", 0;
	if (strcmp(t->trade_state, "SUCCESS") != 0)
		return *why = arena_printf(c->arena, "trade_state %s",
		    t->trade_state), 0;
	if (t->total != amount || (t->currency[0] != '\0' &&
	    strcmp(t->currency, "CNY") != 0))
		return *why = arena_printf(c->arena, "amount %" PRId64 " %s, "
		    "attempt is %" PRId64, t->total, t->currency, amount), 0;
	if (strcmp(db_cell(r, 0, 7), "paid") == 0)
		return 0;		/* applied before: nothing to do */
	if (t->transaction_id[0] == '\0')
		return *why = "no transaction_id", 0;
	/* Paid, even if it was closed here meanwhile: the money is in. */
	if (db_run(c->arena, &r, sql_payment, "iiiis", c->shop->id, customer,
	    user, amount, t->transaction_id) == -1)
		return ERR_INTERNAL;
	pid = (int64_t)r->insert_id;
	if (db_run(c->arena, NULL, sql_payment_order, "iii", c->shop->id, pid,
	    order) == -1 ||
	    db_run(c->arena, NULL, sql_paid, "sii", t->transaction_id, pid,
	    id) == -1)
		return ERR_INTERNAL;
	if ((rc = payment_settle(c, pid, &to_deposit)) != 0)
		return rc;
	if (audit(c, "wxpay.paid", "txn=%" PRId64 " order=%" PRId64
	    " payment=%" PRId64 " amount=%s transaction=%s", id, order, pid,
	    fmt_yuan(c->arena, amount), t->transaction_id) != 0)
		return ERR_INTERNAL;
	clog_info(c, "wxpay: %s paid ¥%s order %" PRId64 " payment %" PRId64
	    "%s", t->out_trade_no, fmt_yuan(c->arena, amount), order, pid,
	    to_deposit > 0 ? " (part to the deposit)" : "");
	return 0;
}

struct applied {
	const struct wxpay_txn	*t;
	const char		*why;
};

static int
tx_apply(struct dctx *c, void *arg)
{
	struct applied	*a = arg;

	return wxpay_txn_apply(c, a->t, &a->why);
}

/* Query one attempt and apply a success; *paid 1 when it was paid. */
static int
query_apply(struct dctx *c, struct wxpay_shop *ws, const char *no,
    int expired, int *paid, int *closed)
{
	struct wxpay_txn	 t;
	struct wxpay_result	 res;
	struct applied		 a = { &t, NULL };
	int			 rc;

	*paid = *closed = 0;
	wxpay_query(&ws->w, no, &t, &res);
	if (res.rc == WXPAY_ERR_NOTFOUND) {
		/* Never created there; once past its life nothing can pay
		 * it (before, a create may still be under way). */
		*closed = expired;
		return 0;
	}
	if (res.rc != WXPAY_OK)
		return pay_unavailable(c, &res, "query");
	if (strcmp(t.trade_state, "REFUND") == 0) {
		/* Open here, refunded there: someone refunded it outside
		 * dinghuo (the merchant platform). Not money the company has. */
		clog_warnx(c, "wxpay: %s is refunded at WeChat Pay but was "
		    "never applied here: left for finance", no);
		return 0;
	}
	if (strcmp(t.trade_state, "SUCCESS") == 0) {
		if ((rc = db_tx_run(c, tx_apply, &a)) != 0)
			return rc;
		if (a.why != NULL) {
			clog_warnx(c, "wxpay: query of %s refused: %s", no,
			    a.why);
			return 0;
		}
		*paid = 1;
	} else if (strcmp(t.trade_state, "CLOSED") == 0 ||
	    strcmp(t.trade_state, "REVOKED") == 0 ||
	    strcmp(t.trade_state, "PAYERROR") == 0)
		*closed = 1;
	return 0;
}

static const char sql_close[] =
    "UPDATE wxpay_txn SET state = 'closed', closed_at = NOW(3) "
    "WHERE out_trade_no = ? AND shop_id = ? AND state = 'open'";

/*
 * The customer is back from paying order_id: ask WeChat Pay about the
 * order's open attempts (a notification may be late), apply a success.
 * *paid: the order is paid in full now.
 */
int
wxpay_pay_check(struct dctx *c, int64_t order_id, int *paid)
{
	struct wxpay_shop	 ws;
	struct db_res		*r, *q;
	int			 i, rc = 0, p, closed;

	*paid = 0;
	if (c->sess.kind != SESS_CUSTOMER) {
		c->error = "请先登录";
		return ERR_FORBIDDEN;
	}
	if (db_run(c->arena, &r, sql_order_paid, "iii", order_id,
	    c->shop->id, c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这个订单";
		return ERR_NOT_FOUND;
	}
	if (db_run(c->arena, &q, sql_checkable, "iii", c->shop->id, order_id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (q->nrows > 0) {
		if ((rc = wxpay_shop_open(c, c->shop->id, NULL, WXPAY_SETTLE, &ws)) != 0)
			return rc;
		for (i = 0; i < q->nrows && rc == 0; i++)
			rc = query_apply(c, &ws, db_cell(q, i, 0), 0, &p,
			    &closed);
		wxpay_shop_close(&ws);
		if (rc != 0)
			return rc;
		if (db_run(c->arena, &r, sql_order_paid, "iii", order_id,
		    c->shop->id, c->sess.customer_id) == -1)
			return ERR_INTERNAL;
	}
	*paid = db_cell_i64(r, 0, 0) == 1;
	return 0;
}

/* Open attempts that have waited a while, with their shop. */
static const char sql_stale[] =
    "SELECT t.shop_id, s.slug, s.name, t.out_trade_no, "
    "t.expires_at < NOW(3), t.prepay_id IS NULL FROM wxpay_txn t "
    "JOIN shop s ON s.id = t.shop_id WHERE t.state = 'open' AND "
    "t.created_at < NOW(3) - INTERVAL 1 MINUTE ORDER BY t.id LIMIT 200";

/*
 * The sync job: every open attempt older than a minute is queried; a
 * success is applied (a lost notification), a closed one marked so, and
 * one past its life closed at WeChat Pay first, so it can no longer be
 * paid. *npaid, *nclosed: what it did.
 */
int
wxpay_sync(struct arena *a, int *npaid, int *nclosed)
{
	struct db_res		*r;
	struct dctx		 d;
	struct shop		 shop;
	struct wxpay_shop	 ws;
	struct wxpay_result	 res;
	const char		*no;
	int			 i, paid, closed, bad = 0;

	*npaid = *nclosed = 0;
	if (db_run(a, &r, sql_stale, "") == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++) {
		no = db_cell(r, i, 3);
		if (wxpay_job_shop(a, r, i, 0, &d, &shop, &ws) != 0) {
			bad++;
			continue;
		}
		if (query_apply(&d, &ws, no, db_cell_i64(r, i, 4) == 1, &paid,
		    &closed) != 0)
			bad++;
		else if (!paid && !closed && db_cell_i64(r, i, 4) == 1) {
			wxpay_close_order(&ws.w, no, &res);
			closed = res.rc == WXPAY_OK ||
			    res.rc == WXPAY_ERR_NOTFOUND;
			if (!closed)
				clog_warnx(&d, "wxpay: close %s: %s %s", no,
				    wxpay_rc_str(res.rc), res.code);
		}
		wxpay_shop_close(&ws);
		if (closed && db_run(a, NULL, sql_close, "si", no, shop.id) == -1)
			return ERR_INTERNAL;
		*npaid += paid;
		*nclosed += closed;
	}
	return bad > 0 && bad == r->nrows ? ERR_UNAVAILABLE : 0;
}

static const char sql_usable[] =
    "SELECT 1 FROM shop_wechat w JOIN session s ON s.id = ? "
    "JOIN wx_identity i ON i.id = s.wx_identity_id AND i.shop_id = "
    "w.shop_id AND i.customer_user_id = ? WHERE w.shop_id = ? "
    "AND w.pay_enabled = 1";

/* May the session's user pay with WeChat Pay here: the shop has it on,
 * and the session came in through WeChat. */
int
wxpay_usable(struct dctx *c)
{
	struct db_res	*r;

	if (c->sess.kind != SESS_CUSTOMER ||
	    db_run(c->arena, &r, sql_usable, "iii", c->sess.id,
	    c->sess.user_id, c->shop->id) == -1)
		return 0;
	return r->nrows > 0;
}
