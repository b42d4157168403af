/*
 * h_approval.c -- the company's approver in H5 (docs/orders.md, "Approval
 * and release"): 待审批订单, the orders of their company waiting for them;
 * one order with 批准 and 驳回 (a reason is required to turn one down);
 * and 消息, the notifications of every user of the company about their
 * orders. JSON twins under /api/v1. The rules are the domain's
 * (order_state.c: who may approve, from which state; another company's
 * order is not found).
 */
#include "base/base.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/order.h"
#include "domain/approval.h"
#include "handlers/h_order.h"

#define PER_PAGE	10

/* Approvers only see the queue: the role order_state.c lets approve. */
static int
approver(struct ctx *c)
{
	return order_may(&c->d.sess, ORDER_PENDING_APPROVAL, ORDER_APPROVE);
}

static int
h_approvals(struct ctx *c)
{
	struct order_query	 q;
	struct order_list	 l;
	json_object		*v, *rows;
	int			 i, rc;

	if (!approver(c))
		return http_fail(c, ERR_FORBIDDEN, "只有审批人可以查看待审批订单");
	memset(&q, 0, sizeof(q));
	q.state = ORDER_PENDING_APPROVAL;
	q.page = query_page(c);
	q.per_page = PER_PAGE;
	if ((rc = order_list(&c->d, &q, &l)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	view_pager(c, v, l.total, PER_PAGE, "/approvals");
	rows = json_object_new_array();
	for (i = 0; i < l.n; i++)
		json_object_array_add(rows, h_order_head_view(c, &l.rows[i],
		    "/approvals"));
	json_object_object_add(v, "orders", rows);
	view_set_i64(v, "total", l.total);
	c->title = "待审批订单";
	return render(c, "approvals");
}

static const char *const notices[][2] = {
	{ "approve", "已批准，订单已提交给商家" },
	{ "reject", "已驳回，订单已取消，库存已释放" },
};

static int
approval_page(struct ctx *c, const char *error, int status)
{
	struct order	 o;
	json_object	*v, *ov;
	int64_t		 id = route_cap(c, 0);
	int		 rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "订单不存在");
	if ((rc = order_get(&c->d, id, &o)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	ov = h_order_detail_view(c, &o, "/orders", 1);
	view_set_bool(ov, "may_approve", order_may(&c->d.sess, o.state,
	    ORDER_APPROVE));
	view_set_str(ov, "approve_action", ctx_link(c, arena_printf(
	    c->d.arena, "/orders/%" PRId64 "/approve", o.id)));
	view_set_str(ov, "reject_action", ctx_link(c, arena_printf(
	    c->d.arena, "/orders/%" PRId64 "/reject", o.id)));
	json_object_object_add(v, "order", ov);
	view_set_str(v, "flash", REQ_NOTICE(c, notices));
	view_set_str(v, "error", error);
	view_set_str(v, "approvals_url", ctx_link(c, "/approvals"));
	view_set_i64(v, "reason_max", APPROVAL_REASON_MAX);
	c->title = arena_printf(c->d.arena, "审批订单 %s", o.order_no);
	if (status != 0)
		c->status = status;
	return render(c, "approval");
}

static int
h_approval_show(struct ctx *c)
{
	return approval_page(c, NULL, 0);
}

static const struct field reason_fields[] = {
	{ "note", FIELD_TEXT, 0, 0, APPROVAL_REASON_MAX, "审批意见" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
decide(struct ctx *c, enum order_action a)
{
	struct order_move_args	 args;
	struct form		 f;
	enum order_state	 now;
	int64_t			 id = route_cap(c, 0);
	int			 rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "订单不存在");
	if (form_parse(c, reason_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	memset(&args, 0, sizeof(args));
	args.note = f.v[0].present && *f.v[0].s ? arena_printf(c->d.arena,
	    "审批意见：%s", f.v[0].s) : NULL;
	rc = a == ORDER_APPROVE ? order_move(&c->d, id, a, &args, &now) :
	    order_reject(&c->d, id, f.v[0].present ? f.v[0].s : NULL, &now);
	if (rc != 0) {
		if (c->json_out || (rc != ERR_CONFLICT &&
		    rc != ERR_FORBIDDEN && rc != ERR_INVALID))
			return http_fail(c, rc, c->d.error);
		clog_info(&c->d, "approval refused id=%" PRId64 " action=%s "
		    "code=%s", id, a == ORDER_APPROVE ? "approve" : "reject",
		    c->d.code ? c->d.code : err_code(rc));
		return approval_page(c, c->d.error, err_status(rc));
	}
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", id);
		view_set_str(c->view, "state", order_state_name(now));
		view_set_str(c->view, "state_label", order_state_label(now));
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/approvals/%" PRId64 "?done=%s", id, a == ORDER_APPROVE ?
	    "approve" : "reject")));
}

static int
h_approve(struct ctx *c)
{
	return decide(c, ORDER_APPROVE);
}

/* ORDER_CANCEL stands for the reject here: order_reject() does it. */
static int
h_reject(struct ctx *c)
{
	return decide(c, ORDER_CANCEL);
}

static int
h_messages(struct ctx *c)
{
	struct notification	*n;
	json_object		*v, *rows, *o;
	int			 i, k, rc;
	int64_t			 unread;

	if ((rc = notify_list(&c->d, &n, &k)) != 0 ||
	    (rc = notify_unread(&c->d, &unread)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	rows = json_object_new_array();
	for (i = 0; i < k; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", n[i].id);
		view_set_str(o, "kind", n[i].kind);
		/* Not "title": that is the page's (render.c's globals). */
		view_set_str(o, "subject", n[i].title);
		view_set_str(o, "body", n[i].body);
		view_set_str(o, "time", n[i].time);
		view_set_bool(o, "unread", n[i].unread);
		if (n[i].link != NULL && *n[i].link != '\0') {
			view_set_str(o, "url", ctx_link(c, n[i].link));
			view_set_str(o, "go", "去打分");
		} else if (n[i].order_id != 0) {
			view_set_i64(o, "order_id", n[i].order_id);
			view_set_str(o, "url", ctx_link(c, arena_printf(
			    c->d.arena, "/%s/%" PRId64, strcmp(n[i].kind,
			    "submitted") == 0 ? "approvals" : "orders",
			    n[i].order_id)));
		}
		json_object_array_add(rows, o);
	}
	json_object_object_add(v, "messages", rows);
	view_set_i64(v, "unread", unread);
	view_set_str(v, "read_action", ctx_link(c, "/account/messages/read"));
	c->title = "消息";
	return render(c, "messages");
}

static int
h_messages_read(struct ctx *c)
{
	int	rc;

	if ((rc = notify_read_all(&c->d)) != 0)
		return http_fail(c, rc, c->d.error);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "unread", 0);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, "/account/messages"));
}

/*
 * The account page's lines: for an approver, how many orders wait; for
 * everyone, unread messages. 0, or an enum err.
 */
int
h_approval_account_view(struct ctx *c, json_object *v)
{
	json_object	*o = json_object_new_object();
	int64_t		 n = 0;
	int		 rc;

	if (approver(c)) {
		if ((rc = approval_pending_count(&c->d, &n)) != 0) {
			json_object_put(o);
			return rc;
		}
		view_set_bool(o, "approver", 1);
		view_set_i64(o, "pending", n);
		view_set_str(o, "approvals_url", ctx_link(c, "/approvals"));
	}
	if ((rc = notify_unread(&c->d, &n)) != 0) {
		json_object_put(o);
		return rc;
	}
	view_set_i64(o, "unread", n);
	view_set_str(o, "messages_url", ctx_link(c, "/account/messages"));
	json_object_object_add(v, "approval", o);
	return 0;
}

const struct route h_approval_routes[] = {
	{ "GET", "^(?:/api/v1)?/approvals$", h_approvals, ROUTE_CUSTOMER,
	  NULL },
	{ "GET", "^(?:/api/v1)?/approvals/([0-9]{1,18})$", h_approval_show,
	  ROUTE_CUSTOMER, NULL },
	{ "POST", "^(?:/api/v1)?/orders/([0-9]{1,18})/approve$", h_approve,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/orders/([0-9]{1,18})/reject$", h_reject,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "GET", "^(?:/api/v1)?/account/messages$", h_messages,
	  ROUTE_CUSTOMER, NULL },
	{ "POST", "^(?:/api/v1)?/account/messages/read$", h_messages_read,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
