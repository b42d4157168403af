/*
 * h_order.c -- 我的订单: a customer's company's orders, one order with its
 * status timeline and parcels, the page after placing one, and the
 * customer's moves (confirm receipt, cancel before the shop confirmed).
 * H5 pages with their JSON twins under /api/v1. Another company's order
 * is not found (domain/order_read.c binds every read to the company).
 */
#include "base/base.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/h_money.h"
#include "handlers/handlers.h"
#include "domain/order.h"
#include "handlers/h_order.h"
#include "domain/approval.h"

#define PER_PAGE	10

static int
h_orders(struct ctx *c)
{
	struct order_query	 q;
	struct order_list	 l;
	struct approval_outcome	*ao;
	json_object		*v, *rows, *row;
	const char		*st = kv_get(&c->query, "state");
	int			 i, rc;

	memset(&q, 0, sizeof(q));
	q.all = st == NULL || order_state_parse(st, &q.state) == -1;
	q.page = query_page(c);
	q.per_page = PER_PAGE;
	if ((rc = order_list(&c->d, &q, &l)) != 0)
		return http_fail(c, rc, c->d.error);
	ao = arena_calloc(c->d.arena, (size_t)l.n + 1, sizeof(*ao));
	if ((rc = approval_outcomes(&c->d, l.rows, l.n, ao)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	view_pager(c, v, l.total, PER_PAGE, q.all ? "/orders" :
	    arena_printf(c->d.arena, "/orders?state=%s",
	    order_state_name(q.state)));
	rows = json_object_new_array();
	for (i = 0; i < l.n; i++) {
		row = h_order_head_view(c, &l.rows[i], "/orders");
		view_set_str(row, "approval_note", ao[i].text);
		json_object_array_add(rows, row);
	}
	json_object_object_add(v, "orders", rows);
	json_object_object_add(v, "tabs", h_order_state_tabs(c, "/orders",
	    q.all, q.state, ""));
	view_set_str(v, "state_filter", q.all ? NULL :
	    order_state_label(q.state));
	view_set_str(v, "shop_url", ctx_link(c, h_shop_url(c)));
	c->title = "我的订单";
	return render(c, "orders");
}

/* Notices after a move, by ?done=. */
static const char *const notices[][2] = {
	{ "placed", "订单已提交，请付款；付款后商家安排发货" },
	{ "receive", "已确认收货，感谢您的订购" },
	{ "cancel", "订单已取消，库存已释放" },
	{ "deposit_paid", "已用预存款支付" },
	{ "wxpay_paid", "微信支付成功，已到账" },
	{ "wxpay_pending", "还没有收到微信支付的结果；付过款的话稍后刷新即可看到" },
};

static int
order_page(struct ctx *c, const char *page, const char *error, int status)
{
	struct order	 o;
	struct approval_outcome ao;
	json_object	*v, *ov;
	int64_t		 id = route_cap(c, 0);
	int		 rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "订单不存在");
	if ((rc = order_get(&c->d, id, &o)) != 0 ||
	    (rc = approval_outcomes(&c->d, &o, 1, &ao)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	ov = h_order_detail_view(c, &o, "/orders", 1);
	view_set_bool(ov, "is_pending_approval",
	    o.state == ORDER_PENDING_APPROVAL);
	view_set_str(ov, "approval_note", ao.text);
	view_set_bool(ov, "approval_rejected", ao.rejected);
	view_set_bool(ov, "may_approve", order_may(&c->d.sess, o.state,
	    ORDER_APPROVE));
	view_set_str(ov, "approval_url", ctx_link(c, arena_printf(
	    c->d.arena, "/approvals/%" PRId64, o.id)));
	view_set_bool(ov, "may_receive", order_may(&c->d.sess, o.state,
	    ORDER_RECEIVE));
	view_set_bool(ov, "may_cancel", order_may(&c->d.sess, o.state,
	    ORDER_CANCEL));
	view_set_str(ov, "receive_action", ctx_link(c, arena_printf(
	    c->d.arena, "/orders/%" PRId64 "/receive", o.id)));
	view_set_str(ov, "cancel_action", ctx_link(c, arena_printf(
	    c->d.arena, "/orders/%" PRId64 "/cancel", o.id)));
	if ((rc = h_money_order_view(c, ov, &o)) != 0)
		return http_fail(c, rc, c->d.error);
	json_object_object_add(v, "order", ov);
	view_set_str(v, "flash", REQ_NOTICE(c, notices));
	view_set_str(v, "error", error);
	view_set_str(v, "orders_url", ctx_link(c, "/orders"));
	view_set_str(v, "shop_url", ctx_link(c, h_shop_url(c)));
	view_set_i64(v, "note_max", ORDER_NOTE_MAX);
	c->title = arena_printf(c->d.arena, "订单 %s", o.order_no);
	if (status != 0)
		c->status = status;
	return render(c, page);
}

static int
h_order_show(struct ctx *c)
{
	return order_page(c, "order", NULL, 0);
}

static int
h_order_done(struct ctx *c)
{
	return order_page(c, "order_done", NULL, 0);
}

static const struct field note_fields[] = {
	{ "note", FIELD_TEXT, 0, 0, ORDER_NOTE_MAX, "原因" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
move(struct ctx *c, enum order_action a)
{
	struct order_move_args	 args;
	struct form		 f;
	enum order_state	 now;
	int64_t			 id = route_cap(c, 0);
	int			 rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "订单不存在");
	if (form_parse(c, note_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	memset(&args, 0, sizeof(args));
	args.note = f.v[0].s;
	if ((rc = order_move(&c->d, id, a, &args, &now)) != 0) {
		if (c->json_out || (rc != ERR_CONFLICT && rc != ERR_FORBIDDEN))
			return http_fail(c, rc, c->d.error);
		clog_info(&c->d, "order move refused id=%" PRId64 " action=%s "
		    "code=%s", id, order_action_name(a), c->d.code ?
		    c->d.code : "forbidden");
		return order_page(c, "order", c->d.error, err_status(rc));
	}
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", id);
		view_set_str(c->view, "state", order_state_name(now));
		view_set_str(c->view, "state_label", order_state_label(now));
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/orders/%" PRId64 "?done=%s", id, order_action_name(a))));
}

static int
h_order_receive(struct ctx *c)
{
	return move(c, ORDER_RECEIVE);
}

static int
h_order_cancel(struct ctx *c)
{
	return move(c, ORDER_CANCEL);
}

const struct route h_order_routes[] = {
	{ "GET", "^(?:/api/v1)?/orders$", h_orders, ROUTE_CUSTOMER, NULL },
	{ "GET", "^(?:/api/v1)?/orders/([0-9]{1,18})$", h_order_show,
	  ROUTE_CUSTOMER, NULL },
	{ "GET", "^(?:/api/v1)?/orders/([0-9]{1,18})/done$", h_order_done,
	  ROUTE_CUSTOMER, NULL },
	{ "POST", "^(?:/api/v1)?/orders/([0-9]{1,18})/receive$",
	  h_order_receive, ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/orders/([0-9]{1,18})/cancel$",
	  h_order_cancel, ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
