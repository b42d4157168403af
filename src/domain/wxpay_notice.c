/*
 * wxpay_notice.c -- what WeChat Pay posts to the shop's /wxpay/notify:
 * a payment's or a refund's result, signed (Wechatpay-* headers) and its
 * resource encrypted with the APIv3 key (services/wxpay_notify.c).
 *
 * Answers, so that WeChat Pay retries only when that helps:
 *   0                 applied, already applied (a replay), or refused for
 *                     good (wrong amount, unknown order, another merchant):
 *                     recorded in wxpay_notice, 204, no retry;
 *   ERR_UNAUTHORIZED  signature, serial, timestamp or decryption wrong:
 *                     nothing read, logged, 401 (the genuine sender
 *                     retries; a forger learns nothing);
 *   ERR_UNAVAILABLE   the shop has no WeChat Pay set up now, or the
 *                     database failed: 5xx, retried later.
 * A notification is stored once per (resource, event): the row goes in
 * first, in the same transaction as what it does, so two deliveries at
 * once do it once.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/wxpay.h"
#include "domain/dctx.h"
#include "domain/wxpay_shop.h"

#include <time.h>

#define NOTICE_SKEW	300	/* seconds, §7.2 */

static const char sql_notice[] =
    "INSERT INTO wxpay_notice (shop_id, kind, event_type, resource_id, "
    "out_no, amount_fen, outcome) VALUES (?, ?, ?, ?, ?, ?, 'applied')";
static const char sql_unapplied[] =
    "DELETE FROM wxpay_notice WHERE id = ?";
static const char sql_refused[] =
    "INSERT IGNORE INTO wxpay_notice (shop_id, kind, event_type, "
    "resource_id, out_no, amount_fen, outcome, detail) "
    "VALUES (?, ?, ?, ?, ?, ?, 'rejected', ?)";

struct notice {
	const struct wxpay_notice *n;
	const char		*why;
	int			 replay;
};

static int
tx_notice(struct dctx *c, void *arg)
{
	struct notice			*a = arg;
	const struct wxpay_notice	*n = a->n;
	struct db_res			*r;
	int				 rc;

	a->why = NULL;
	a->replay = 0;
	if (db_run(c->arena, &r, sql_notice, "issssi", c->shop->id,
	    n->is_refund ? "refund" : "payment", n->event_type,
	    n->is_refund ? n->refund.refund_id : n->txn.transaction_id,
	    n->is_refund ? n->refund.out_refund_no : n->txn.out_trade_no,
	    n->is_refund ? n->refund.refund : n->txn.total) == -1) {
		if (!db_duplicate())
			return ERR_INTERNAL;
		a->replay = 1;
		return 0;
	}
	rc = n->is_refund ? wxpay_refund_apply(c, &n->refund, &a->why) :
	    wxpay_txn_apply(c, &n->txn, &a->why);
	if (rc != 0)
		return rc;
	if (a->why != NULL && (db_run(c->arena, NULL, sql_unapplied, "i",
	    (int64_t)r->insert_id) == -1 || db_run(c->arena, NULL, sql_refused,
	    "issssis", c->shop->id, n->is_refund ? "refund" : "payment",
	    n->event_type, n->is_refund ? n->refund.refund_id :
	    n->txn.transaction_id, n->is_refund ? n->refund.out_refund_no :
	    n->txn.out_trade_no, n->is_refund ? n->refund.refund :
	    n->txn.total, a->why) == -1))
		return ERR_INTERNAL;
	return 0;
}

int
wxpay_notify(struct dctx *c, const char *const h[4], const char *body,
    size_t len, const char **answer)
{
	struct wxpay_shop	 ws;
	struct wxpay_notice	 n;
	struct notice		 a = { &n, NULL, 0 };
	enum wxpay_rc		 v;
	int			 rc;

	*answer = "成功";
	if (wxpay_shop_open(c, c->shop->id, NULL, WXPAY_SETTLE, &ws) != 0) {
		*answer = "商户未配置";
		return ERR_UNAVAILABLE;
	}
	memset(&n, 0, sizeof(n));
	v = wxpay_notice_read(&ws.w, h[0], h[1], h[2], h[3], body, len,
	    time(NULL), NOTICE_SKEW, &n);
	wxpay_shop_close(&ws);
	if (v != WXPAY_OK) {
		clog_warnx(c, "wxpay notify refused: %s (serial %s, %zu bytes)",
		    wxpay_rc_str(v), h[3] != NULL ? h[3] : "-", len);
		*answer = v == WXPAY_ERR_STALE ? "时间戳过期" : "验签失败";
		return ERR_UNAUTHORIZED;
	}
	if (!n.is_refund && strcmp(n.event_type, "TRANSACTION.SUCCESS") != 0) {
		clog_info(c, "wxpay notify %s for %s: nothing to do",
		    n.event_type, n.txn.out_trade_no);
		return 0;
	}
	if ((n.is_refund ? n.refund.refund_id : n.txn.transaction_id)[0] ==
	    '\0') {
		clog_warnx(c, "wxpay notify %s without an id: ignored",
		    n.event_type);
		return 0;
	}
	if ((rc = db_tx_run(c, tx_notice, &a)) != 0) {
		*answer = "稍后重试";
		return ERR_UNAVAILABLE;
	}
	if (a.replay)
		clog_info(c, "wxpay notify %s %s: a replay, nothing changed",
		    n.event_type, n.is_refund ? n.refund.out_refund_no :
		    n.txn.out_trade_no);
	else if (a.why != NULL)
		clog_warnx(c, "wxpay notify %s %s refused: %s", n.event_type,
		    n.is_refund ? n.refund.out_refund_no : n.txn.out_trade_no,
		    a.why);
	else
		clog_info(c, "wxpay notify %s %s applied", n.event_type,
		    n.is_refund ? n.refund.out_refund_no : n.txn.out_trade_no);
	return 0;
}
