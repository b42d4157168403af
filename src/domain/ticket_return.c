/*
 * ticket_return.c -- what a ticket resolved as a return, an exchange or a
 * refund may start, through the flows that own the money and the goods:
 * a refund is a credit note on the company's ledger (ledger_post, in
 * this transaction with the ticket's row and event), a replacement is an
 * order placed on the company's behalf (order_submit, once per
 * idempotency key) linked to the ticket, and goods sent back are a stock
 * movement of reason return (stock_adjust). Each is on the timeline.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/ledger.h"
#include "domain/order.h"
#include "domain/pricing.h"
#include "domain/scope.h"
#include "domain/stock.h"
#include "domain/ticket.h"
#include "domain/ticket_int.h"

static const char sql_lock[] =
    "SELECT t.state, COALESCE(t.resolution, ''), COALESCE(t.customer_id, 0), "
    "COALESCE(t.order_id, 0), t.refund_fen, COALESCE(o.total_fen, 0), "
    "COALESCE(l.sku_id, 0), COALESCE(l.qty, 0), "
    "COALESCE(t.replacement_order_id, 0), t.stock_returned "
    "FROM ticket t LEFT JOIN sales_order o ON o.id = t.order_id "
    "LEFT JOIN order_line l ON l.id = t.order_line_id "
    "WHERE t.id = ? AND t.shop_id = ? AND " TICKET_SCOPE("t")
    " FOR UPDATE";
static const char sql_refund[] =
    "UPDATE ticket SET refund_fen = refund_fen + ? WHERE id = ? "
    "AND shop_id = ?";
static const char sql_link[] =
    "UPDATE ticket SET replacement_order_id = ? WHERE id = ? AND shop_id = ? "
    "AND (replacement_order_id IS NULL OR replacement_order_id = ?)";
static const char sql_returned[] =
    "UPDATE ticket SET stock_returned = 1 WHERE id = ? AND shop_id = ?";
static const char sql_sku_of[] =
    "SELECT id FROM sku WHERE id = ? AND shop_id = ?";

struct tret {
	int64_t		 id;
	int64_t		 amount_fen;
	int64_t		 sku_id;
	int64_t		 qty;
	int64_t		 order_id;	/* replace: the order placed */

	/* read under the lock */
	int64_t		 company;
	int64_t		 ticket_order;
	int64_t		 refunded;
	int64_t		 order_total;
	int64_t		 line_sku;
	int64_t		 line_qty;
	int64_t		 replacement;
	int		 returned;
};

/* The ticket locked; ERR_CONFLICT unless resolved as a return, an
 * exchange or a refund, for a company. */
static int
lock(struct dctx *c, struct tret *w)
{
	struct db_res	*r;
	int64_t		 owner = scope_owner(c);
	const char	*res;

	if (db_run(c->arena, &r, sql_lock, "iiiiii", w->id, c->shop->id,
	    owner, owner, (int64_t)-1, (int64_t)-1) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "工单不存在";
		return ERR_NOT_FOUND;
	}
	res = db_cell(r, 0, 1);
	w->company = db_cell_i64(r, 0, 2);
	w->ticket_order = db_cell_i64(r, 0, 3);
	w->refunded = db_cell_i64(r, 0, 4);
	w->order_total = db_cell_i64(r, 0, 5);
	w->line_sku = db_cell_i64(r, 0, 6);
	w->line_qty = db_cell_i64(r, 0, 7);
	w->replacement = db_cell_i64(r, 0, 8);
	w->returned = db_cell_i64(r, 0, 9) != 0;
	if (strcmp(db_cell(r, 0, 0), "resolved") != 0 ||
	    (strcmp(res, "return") != 0 && strcmp(res, "exchange") != 0 &&
	    strcmp(res, "refund") != 0)) {
		c->code = "not_resolved_as_return";
		c->error = "只有处理结果为退货、换货或退款的已解决工单可以退款、"
		    "补发或退货入库";
		return ERR_CONFLICT;
	}
	if (w->company == 0) {
		c->code = "no_customer";
		c->error = "访客工单尚未关联客户，不能退款或补发";
		return ERR_CONFLICT;
	}
	return 0;
}

static int
tx_refund(struct dctx *c, void *arg)
{
	struct tret		*w = arg;
	struct ledger_post	 p;
	const char		*note;
	int			 rc;

	c->error = NULL;
	c->code = NULL;
	if ((rc = lock(c, w)) != 0)
		return rc;
	if (w->ticket_order != 0 && w->refunded + w->amount_fen >
	    w->order_total) {
		c->code = "refund_exceeds_order";
		c->error = arena_printf(c->arena, "退款合计不能超过订单金额 ¥%s"
		    "（已退 ¥%s）", fmt_yuan(c->arena, w->order_total),
		    fmt_yuan(c->arena, w->refunded));
		return ERR_CONFLICT;
	}
	note = arena_printf(c->arena, "售后工单 #%" PRId64 " 退款", w->id);
	memset(&p, 0, sizeof(p));
	p.customer_id = w->company;
	p.account = LEDGER_AR;
	p.kind = LK_CREDIT_NOTE;
	p.amount_fen = -w->amount_fen;
	p.order_id = w->ticket_order;
	p.note = note;
	if ((rc = ledger_lock(c, w->company, NULL, NULL)) != 0 ||
	    (rc = ledger_post(c, &p)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_refund, "iii", w->amount_fen, w->id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if ((rc = ticket_event_add(c, w->id, "refund", NULL, NULL, TSRC_STAFF,
	    arena_printf(c->arena, "退款 ¥%s（贷项，冲减应收）",
	    fmt_yuan(c->arena, w->amount_fen)), 0, NULL)) != 0)
		return rc;
	return audit(c, "ticket.refund", "ticket=%" PRId64 " customer=%"
	    PRId64 " amount=%s", w->id, w->company, fmt_yuan(c->arena,
	    w->amount_fen)) != 0 ? ERR_INTERNAL : 0;
}

static int
staff_may(struct dctx *c, const char *roles, const char *why)
{
	if (c->sess.kind == SESS_STAFF && session_staff_role(&c->sess, roles))
		return 0;
	c->error = why;
	return ERR_FORBIDDEN;
}

/* A refund of amount_fen on ticket id: a credit note on the company's
 * account (what it owes goes down by it), at most the order's total. */
int
ticket_refund(struct dctx *c, int64_t id, int64_t amount_fen,
    const char *note)
{
	struct tret	w;
	int		rc;

	(void)note;
	if ((rc = staff_may(c, TICKET_REFUND_ROLES,
	    "只有店主、管理员和财务可以退款")) != 0)
		return rc;
	if (amount_fen <= 0 || amount_fen > LEDGER_AMOUNT_MAX) {
		c->code = "invalid_amount";
		c->error = "退款金额应大于 0";
		return ERR_INVALID;
	}
	memset(&w, 0, sizeof(w));
	w.id = id;
	w.amount_fen = amount_fen;
	if ((rc = db_tx_run(c, tx_refund, &w)) != 0) {
		clog_info(c, "ticket refund refused id=%" PRId64 " why=%s", id,
		    c->error ? c->error : "internal");
		return rc;
	}
	clog_info(c, "ticket refund id=%" PRId64 " customer=%" PRId64
	    " amount_fen=%" PRId64, id, w.company, amount_fen);
	return 0;
}

static int
tx_check(struct dctx *c, void *arg)
{
	c->error = NULL;
	c->code = NULL;
	return lock(c, arg);
}

static int
tx_link(struct dctx *c, void *arg)
{
	struct tret	*w = arg;
	struct db_res	*r;
	int		 rc;

	c->error = NULL;
	if ((rc = lock(c, w)) != 0)
		return rc;
	if (w->replacement == w->order_id)
		return 0;		/* the same key again */
	if (db_run(c->arena, &r, sql_link, "iiii", w->order_id, w->id,
	    c->shop->id, w->order_id) == -1)
		return ERR_INTERNAL;
	if (r->affected == 0) {
		c->code = "replacement_exists";
		c->error = "该工单已有补发订单";
		return ERR_CONFLICT;
	}
	return ticket_event_add(c, w->id, "replacement", NULL, NULL,
	    TSRC_STAFF, arena_printf(c->arena, "补发订单 #%" PRId64 "，%"
	    PRId64 " 件", w->order_id, w->qty), 0, NULL);
}

/*
 * A replacement of qty of sku (0: the ticket's order line's SKU and
 * quantity) as an order on the company's behalf (order_submit, priced as
 * any order; a credit note refunds it where it should be free), once per
 * idempotency key idem (its request hash in the key's row), linked to
 * the ticket. *order the order.
 */
int
ticket_replace(struct dctx *c, int64_t id, int64_t sku, int64_t qty,
    const char *idem, int64_t *order)
{
	struct checkout		 in;
	struct order_placed	 p;
	struct field_errors	 fe;
	struct line_req		 line;
	struct tret		 w;
	int			 rc;

	*order = 0;
	if ((rc = staff_may(c, ORDER_ROLES_ON_BEHALF,
	    "只有店主、管理员和销售可以代客下单补发")) != 0)
		return rc;
	memset(&w, 0, sizeof(w));
	w.id = id;
	if ((rc = db_tx_run(c, tx_check, &w)) != 0)
		return rc;
	if (w.replacement != 0 && idem == NULL) {
		c->code = "replacement_exists";
		c->error = "该工单已有补发订单";
		return ERR_CONFLICT;
	}
	line.sku_id = sku > 0 ? sku : w.line_sku;
	line.qty = qty > 0 ? qty : w.line_qty;
	line.mode = SHOP_MODE_ORDERING;
	if (line.sku_id == 0 || line.qty <= 0) {
		c->code = "line_required";
		c->error = "请选择补发的商品和数量";
		return ERR_INVALID;
	}
	memset(&in, 0, sizeof(in));
	memset(&fe, 0, sizeof(fe));
	in.customer_id = w.company;
	in.lines = &line;
	in.nlines = 1;
	in.channel = ORDER_CHANNEL_ADMIN;
	in.idem_key = idem;
	in.remark = arena_printf(c->arena, "售后工单 #%" PRId64 " 补发", id);
	in.invoice = INVOICE_NONE;
	if ((rc = order_submit(c, &in, &p, &fe)) != 0)
		return rc;
	w.order_id = p.id;
	w.qty = line.qty;
	if ((rc = db_tx_run(c, tx_link, &w)) != 0)
		return rc;
	*order = p.id;
	clog_info(c, "ticket replacement id=%" PRId64 " order=%" PRId64 "%s",
	    id, p.id, p.replayed ? " replayed" : "");
	return 0;
}

static int
tx_stock(struct dctx *c, void *arg)
{
	struct tret	*w = arg;
	struct db_res	*r;
	int64_t		 sku, qty;
	int		 rc;

	c->error = NULL;
	c->code = NULL;
	if ((rc = lock(c, w)) != 0)
		return rc;
	if (w->returned) {
		c->code = "stock_returned";
		c->error = "该工单的退货已入库";
		return ERR_CONFLICT;
	}
	sku = w->sku_id > 0 ? w->sku_id : w->line_sku;
	qty = w->qty > 0 ? w->qty : w->line_qty;
	if (sku == 0 || qty <= 0 || qty > STOCK_MAX) {
		c->code = "line_required";
		c->error = "请选择退回的商品和数量";
		return ERR_INVALID;
	}
	if (db_run(c->arena, &r, sql_sku_of, "ii", sku, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "商品规格不存在";
		return ERR_NOT_FOUND;
	}
	if ((rc = stock_adjust(c, sku, qty, STOCK_RETURN, arena_printf(
	    c->arena, "售后工单 #%" PRId64 " 退货入库", w->id), NULL)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_returned, "ii", w->id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	w->qty = qty;
	return ticket_event_add(c, w->id, "stock_return", NULL, NULL,
	    TSRC_STAFF, arena_printf(c->arena, "退货入库 %" PRId64 " 件", qty),
	    0, NULL);
}

/* The goods sent back, qty of sku (0: the ticket's line's), into stock
 * as one movement of reason return; once per ticket. */
int
ticket_stock_back(struct dctx *c, int64_t id, int64_t sku, int64_t qty)
{
	struct tret	w;
	int		rc;

	if ((rc = staff_may(c, "owner,admin,warehouse,service",
	    "只有店主、管理员、仓库和售后可以退货入库")) != 0)
		return rc;
	memset(&w, 0, sizeof(w));
	w.id = id;
	w.sku_id = sku;
	w.qty = qty;
	if ((rc = db_tx_run(c, tx_stock, &w)) != 0)
		return rc;
	clog_info(c, "ticket stock back id=%" PRId64 " qty=%" PRId64, id,
	    w.qty);
	return 0;
}
