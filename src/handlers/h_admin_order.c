/*
 * h_admin_order.c -- 订单 in the back office: the list with its filters
 * (state, customer, days, order number) and pages, one order with its
 * lines, timeline, parcels and the buttons for the moves the staff
 * member's role may make now (confirm, ship with carrier and tracking
 * number, confirm receipt, complete, cancel with a reason), and the
 * printable delivery note (发货单). The domain (order_state.c) decides
 * every move; a refused one shows the order again with why.
 */
#include "base/base.h"
#include "domain/auth.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/order.h"
#include "domain/price_list.h"
#include "handlers/h_order.h"

#define PER_PAGE	20
#define Q_MAX		40		/* characters of an order number */

static int64_t
cap_id(struct ctx *c)
{
	int64_t	id;

	return route_id(c, 0, &id) == 0 ? id : 0;
}

static const char *
query_str(struct ctx *c, const char *name, size_t max)
{
	const char	*s = kv_get(&c->query, name);

	return s == NULL || *s == '\0' || utf8_len(s) > max ? NULL : s;
}

/* The filters as a query string, for the tabs and the pager. */
static const char *
filters_qs(struct ctx *c, const struct order_query *q)
{
	return arena_printf(c->d.arena, "customer=%" PRId64 "&from=%s&to=%s"
	    "&q=%s", q->customer_id, q->from ? q->from : "", q->to ? q->to :
	    "", url_encode(c->d.arena, q->q ? q->q : ""));
}

static json_object *
customer_options(struct ctx *c, int64_t current)
{
	struct price_customer	*pc;
	json_object		*a = json_object_new_array(), *o;
	int			 i, n;

	if (price_customers(&c->d, &pc, &n) != 0)
		return a;
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", pc[i].id);
		view_set_str(o, "name", pc[i].name);
		view_set_bool(o, "selected", pc[i].id == current);
		json_object_array_add(a, o);
	}
	return a;
}

static int
h_admin_orders(struct ctx *c)
{
	struct order_query	 q;
	struct order_list	 l;
	json_object		*v, *rows;
	const char		*st = kv_get(&c->query, "state"), *qs, *err;
	const char		*cust = kv_get(&c->query, "customer");
	int			 i, rc;

	memset(&q, 0, sizeof(q));
	q.all = st == NULL || order_state_parse(st, &q.state) == -1;
	if (cust == NULL || parse_i64(cust, 1, INT64_MAX, &q.customer_id,
	    &err) == -1)
		q.customer_id = 0;
	q.from = query_str(c, "from", 10);
	q.to = query_str(c, "to", 10);
	q.q = query_str(c, "q", Q_MAX);
	q.page = query_page(c);
	q.per_page = PER_PAGE;
	if ((rc = order_list(&c->d, &q, &l)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "orders");
	qs = filters_qs(c, &q);
	view_pager(c, v, l.total, PER_PAGE, arena_printf(c->d.arena,
	    "/admin/orders?state=%s&%s", q.all ? "" : order_state_name(q.state),
	    qs));
	rows = json_object_new_array();
	for (i = 0; i < l.n; i++)
		json_object_array_add(rows, h_order_head_view(c, &l.rows[i],
		    "/admin/orders"));
	json_object_object_add(v, "orders", rows);
	json_object_object_add(v, "tabs", h_order_state_tabs(c,
	    "/admin/orders", q.all, q.state, qs));
	json_object_object_add(v, "customers", customer_options(c,
	    q.customer_id));
	view_set_str(v, "state", q.all ? "" : order_state_name(q.state));
	view_set_str(v, "from", q.from);
	view_set_str(v, "to", q.to);
	view_set_str(v, "q", q.q);
	view_set_bool(v, "filtered", q.customer_id || q.from || q.to || q.q);
	view_set_str(v, "action", ctx_link(c, "/admin/orders"));
	c->title = "订单";
	return render(c, "admin/orders");
}

/* The buttons: each move the actor may make on the order now. */
static void
moves_view(struct ctx *c, json_object *ov, const struct order *o)
{
	enum order_action	 a;
	json_object		*may = json_object_new_object();
	int			 any = 0;

	for (a = ORDER_APPROVE; a < ORDER_NACTIONS; a++) {
		if (!order_may(&c->d.sess, o->state, a))
			continue;
		view_set_bool(may, order_action_name(a), 1);
		any = 1;
	}
	json_object_object_add(ov, "may", may);
	view_set_bool(ov, "may_any", any);
	view_set_str(ov, "move_base", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64, o->id)));
}

static int
detail(struct ctx *c, const char *page, const char *error, int status)
{
	struct order	 o;
	json_object	*v, *ov;
	int64_t		 id = cap_id(c);
	int		 rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "订单不存在");
	if ((rc = order_get(&c->d, id, &o)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "orders");
	ov = h_order_detail_view(c, &o, "/admin/orders", 0);
	moves_view(c, ov, &o);
	view_set_str(ov, "customer_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64, o.customer_id)));
	view_set_str(ov, "note_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64 "/delivery-note", o.id)));
	json_object_object_add(v, "order", ov);
	view_set_str(v, "error", error);
	view_set_str(v, "back_url", ctx_link(c, "/admin/orders"));
	view_set_i64(v, "note_max", ORDER_NOTE_MAX);
	view_set_str(v, "carrier", req_param(c, "carrier"));
	view_set_str(v, "tracking_no", req_param(c, "tracking_no"));
	c->title = arena_printf(c->d.arena, "订单 %s", o.order_no);
	if (status != 0)
		c->status = status;
	return render(c, page);
}

static int
h_admin_order_show(struct ctx *c)
{
	return detail(c, "admin/order", NULL, 0);
}

static int
h_admin_order_note(struct ctx *c)
{
	return detail(c, "admin/delivery_note", NULL, 0);
}

enum { F_NOTE, F_CARRIER, F_TRACKING };
static const struct field move_fields[] = {
	[F_NOTE] =	{ "note", FIELD_TEXT, 0, 0, ORDER_NOTE_MAX, "原因" },
	[F_CARRIER] =	{ "carrier", FIELD_TEXT, 0, 0, ORDER_CARRIER_MAX,
			  "承运商" },
	[F_TRACKING] =	{ "tracking_no", FIELD_TEXT, 0, 0,
			  ORDER_TRACKING_MAX, "运单号" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* The action the route's second capture names; -1: none. */
static int
action_of(struct ctx *c)
{
	enum order_action	a;

	for (a = ORDER_APPROVE; a < ORDER_NACTIONS; a++)
		if (c->m.cap[1] != NULL &&
		    strcmp(c->m.cap[1], order_action_name(a)) == 0)
			return (int)a;
	return -1;
}

static int
refused(struct ctx *c, int rc, const char *why)
{
	if (c->json_out || (rc != ERR_CONFLICT && rc != ERR_FORBIDDEN &&
	    rc != ERR_INVALID))
		return http_fail(c, rc, why);
	clog_info(&c->d, "order move refused code=%s msg=\"%s\"", c->d.code ?
	    c->d.code : err_code(rc), why);
	return detail(c, "admin/order", why, err_status(rc));
}

static int
h_admin_order_move(struct ctx *c)
{
	struct order_move_args	 args;
	struct form		 f;
	enum order_state	 now;
	int64_t			 id = cap_id(c);
	int			 a = action_of(c), rc;

	if (id == 0 || a < 0)
		return http_fail(c, ERR_NOT_FOUND, "页面不存在");
	if (form_parse(c, move_fields, &f) == -1)
		return refused(c, ERR_INVALID, f.error);
	if (a == ORDER_CANCEL && f.v[F_NOTE].s == NULL) {
		form_error(c, &f, "note", "取消原因", "请填写");
		return refused(c, ERR_INVALID, f.error);
	}
	memset(&args, 0, sizeof(args));
	args.note = f.v[F_NOTE].s;
	args.carrier = f.v[F_CARRIER].s;
	args.tracking_no = f.v[F_TRACKING].s;
	if ((rc = order_move(&c->d, id, a, &args, &now)) != 0)
		return refused(c, rc, c->d.error);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", id);
		view_set_str(c->view, "state", order_state_name(now));
		view_set_str(c->view, "state_label", order_state_label(now));
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64 "?done=order_%s", id,
	    order_action_name(a))));
}

#define ROLES	ADMIN_ROLES_ORDERS

const struct route h_admin_order_routes[] = {
	{ "GET", "^/admin/orders$", h_admin_orders, ROUTE_STAFF, ROLES },
	{ "GET", "^/admin/orders/([0-9]{1,18})$", h_admin_order_show,
	  ROUTE_STAFF, ROLES },
	{ "GET", "^/admin/orders/([0-9]{1,18})/delivery-note$",
	  h_admin_order_note, ROUTE_STAFF, ROLES },
	{ "POST", "^/admin/orders/([0-9]{1,18})/([a-z]{1,20})$",
	  h_admin_order_move, ROUTE_STAFF | ROUTE_CSRF, ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
