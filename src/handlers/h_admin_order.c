/*
 * h_admin_order.c -- 订单 in the back office: the list with its filters
 * (state, customer, days, order number) and pages, one order with its
 * lines, timeline, parcels and the buttons for the moves the staff
 * member's role may make now (confirm, ship with carrier and tracking
 * number, confirm receipt, complete, cancel with a reason), and the
 * printable delivery note (发货单), of the whole order or of one parcel.
 * A parcel may take part of the lines: the ship form has a quantity per
 * line ("ship_qty[<line id>]", the JSON API "lines": [{line_id, qty}]),
 * what is left of it to start with. The domain (order_state.c) decides
 * every move; a refused one shows the order again with why.
 */
#include "base/base.h"
#include "domain/auth.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/order.h"
#include "domain/order_edit.h"
#include "domain/price_list.h"
#include "domain/shipment.h"
#include "handlers/h_order.h"
#include "handlers/h_picking.h"

#define PER_PAGE	20
#define Q_MAX		40		/* characters of an order number */

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
	h_picking_list_view(c, v, &q, &l);
	json_object_object_add(v, "tabs", h_order_state_tabs(c,
	    "/admin/orders", q.all, q.state, qs));
	json_object_object_add(v, "customers", customer_options(c,
	    q.customer_id));
	view_set_str(v, "state", q.all ? "" : order_state_name(q.state));
	view_set_str(v, "from", q.from);
	view_set_str(v, "to", q.to);
	view_set_str(v, "q", q.q);
	view_set_bool(v, "filtered", q.customer_id || q.from || q.to || q.q);
	view_set_bool(v, "can_order", session_staff_role(&c->d.sess,
	    ORDER_ROLES_ON_BEHALF));		/* 新建订单: 代客下单 */
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
	int			 any = 0, i, sent = 0;

	for (i = 0; i < o->nlines; i++)
		sent |= o->lines[i].shipped_qty > 0;
	for (a = ORDER_APPROVE; a < ORDER_NACTIONS; a++) {
		if (!order_may(&c->d.sess, o->state, a))
			continue;
		/* A parcel has left: no cancel (order_state.c refuses). */
		if (a == ORDER_CANCEL && sent)
			continue;
		view_set_bool(may, order_action_name(a), 1);
		any = 1;
	}
	json_object_object_add(ov, "may", may);
	view_set_bool(ov, "may_any", any);
	view_set_str(ov, "move_base", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64, o->id)));
}

/* The quantity a ship form posted for a line; NULL: none. */
static const char *
posted_qty(struct ctx *c, int64_t line_id)
{
	return kv_get(&c->form, arena_printf(c->d.arena, "ship_qty[%" PRId64
	    "]", line_id));
}

/* The ship form's rows: each line with what is left of it to ship. */
static json_object *
ship_lines_view(struct ctx *c, const struct order *o)
{
	const struct order_line_row	*l;
	json_object			*a = json_object_new_array(), *v;
	const char			*typed;
	int				 i;

	for (i = 0; i < o->nlines; i++) {
		l = &o->lines[i];
		if (l->qty - l->shipped_qty <= 0)
			continue;
		v = json_object_new_object();
		view_set_i64(v, "id", l->id);
		view_set_i64(v, "line_no", l->line_no);
		view_set_str(v, "name", l->name);
		view_set_str(v, "spec", l->spec);
		view_set_str(v, "sku_code", l->sku_code);
		view_set_str(v, "unit", l->unit);
		view_set_i64(v, "qty", l->qty);
		view_set_i64(v, "shipped_qty", l->shipped_qty);
		view_set_i64(v, "left", l->qty - l->shipped_qty);
		if ((typed = posted_qty(c, l->id)) != NULL)
			view_set_str(v, "value", typed);
		else
			view_set_i64(v, "value", l->qty - l->shipped_qty);
		json_object_array_add(a, v);
	}
	return a;
}

/*
 * The parcels with what each held, and the delivery note's link of each;
 * *one is the parcel whose id is only (a note of that parcel), or NULL.
 */
static json_object *
parcels_view(struct ctx *c, const struct order *o, int64_t only,
    json_object **one)
{
	struct shipment_item	*it;
	const struct shipment_row *s;
	json_object		*a = json_object_new_array(), *v, *ls, *l;
	int64_t			 units;
	int			 i, k, n;

	*one = NULL;
	if (shipment_items(&c->d, o->id, &it, &n) != 0)
		n = 0;
	for (i = 0; i < o->nshipments; i++) {
		s = &o->shipments[i];
		v = json_object_new_object();
		view_set_i64(v, "id", s->id);
		view_set_i64(v, "number", i + 1);
		view_set_str(v, "carrier", s->carrier);
		view_set_str(v, "tracking_no", s->tracking_no);
		view_set_str(v, "time", s->time);
		view_set_str(v, "staff", s->staff);
		view_set_str(v, "note_url", ctx_link(c, arena_printf(c->d.arena,
		    "/admin/orders/%" PRId64 "/delivery-note?shipment=%" PRId64,
		    o->id, s->id)));
		ls = json_object_new_array();
		for (k = 0, units = 0; k < n; k++) {
			if (it[k].shipment_id != s->id)
				continue;
			l = json_object_new_object();
			view_set_i64(l, "line_no", it[k].line_no);
			view_set_str(l, "sku_code", it[k].sku_code);
			view_set_str(l, "name", it[k].name);
			view_set_str(l, "spec", it[k].spec);
			view_set_str(l, "unit", it[k].unit);
			view_set_i64(l, "qty", it[k].qty);
			units += it[k].qty;
			json_object_array_add(ls, l);
		}
		json_object_object_add(v, "lines", ls);
		view_set_i64(v, "units", units);
		if (s->id == only)
			*one = json_object_get(v);
		json_object_array_add(a, v);
	}
	return a;
}

/* 调整订单 (h_admin_order_edit.c): the link while it may be, the notice
 * after it. */
static void
adjust_view(struct ctx *c, json_object *v, json_object *ov,
    const struct order *o)
{
	static const char *const notices[][2] = {
		{ "adjusted", "订单已调整，客户会收到通知" },
		{ "adjusted_warn", "订单已调整，客户会收到通知；注意有商品低于"
		    "起订量或不是整箱" },
	};
	const char	*flash = REQ_NOTICE(c, notices);

	view_set_bool(ov, "may_adjust", order_edit_may(&c->d.sess, o->state));
	view_set_str(ov, "adjust_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64 "/adjust", o->id)));
	if (flash != NULL)
		view_set_str(v, "flash", flash);
}

static int
detail(struct ctx *c, const char *page, const char *error, int status)
{
	struct order	 o;
	json_object	*v, *ov, *one;
	const char	*sh = kv_get(&c->query, "shipment"), *err;
	int64_t		 id = route_cap(c, 0), only = 0;
	int		 rc;

	if (sh != NULL && parse_i64(sh, 1, INT64_MAX, &only, &err) == -1)
		return http_fail(c, ERR_NOT_FOUND, "包裹不存在");

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "订单不存在");
	if ((rc = order_get(&c->d, id, &o)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "orders");
	ov = h_order_detail_view(c, &o, "/admin/orders", 0);
	moves_view(c, ov, &o);
	json_object_object_add(ov, "ship_lines", ship_lines_view(c, &o));
	json_object_object_add(ov, "parcels", parcels_view(c, &o, only, &one));
	if (one != NULL)
		json_object_object_add(ov, "parcel", one);
	else if (only != 0)
		return http_fail(c, ERR_NOT_FOUND, "包裹不存在");
	view_set_str(ov, "customer_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64, o.customer_id)));
	view_set_str(ov, "note_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64 "/delivery-note", o.id)));
	h_picking_order_view(c, ov, &o);
	adjust_view(c, v, ov, &o);
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

/* A quantity to ship: a whole number from 0 to 1,000,000; -1: not. */
static int64_t
ship_qty(const char *s)
{
	const char	*err;
	int64_t		 v;

	if (s == NULL || *s == '\0')
		return 0;
	return parse_i64(s, 0, 1000000, &v, &err) == -1 ? -1 : v;
}

/*
 * The parcel's lines the request names: the form's "ship_qty[<line id>]"
 * or the JSON body's "lines" [{"line_id", "qty"}]; none named, the whole
 * rest of the order. 0 or ERR_INVALID (c->d.error).
 */
static int
ship_read(struct ctx *c, struct order_move_args *args)
{
	struct ship_line	*v;
	json_object		*a, *e, *x;
	const char		*name, *err;
	size_t			 i, n;

	a = NULL;
	if (c->json != NULL && json_object_object_get_ex(c->json, "lines", &a)
	    && !json_object_is_type(a, json_type_array))
		goto bad;
	n = a != NULL ? json_object_array_length(a) : (size_t)c->form.n;
	v = arena_calloc(c->d.arena, n + 1, sizeof(*v));
	for (i = 0; a != NULL && i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "line_id", &x) ||
		    parse_i64(json_object_get_string(x), 1, INT64_MAX,
		    &v[args->nship].line_id, &err) == -1 ||
		    !json_object_object_get_ex(e, "qty", &x) ||
		    (v[args->nship].qty = ship_qty(json_object_get_string(x))) <
		    0)
			goto bad;
		args->nship++;
	}
	for (i = 0; a == NULL && i < n; i++) {
		name = c->form.v[i].name;
		if (strncmp(name, "ship_qty[", 9) != 0)
			continue;
		if (parse_i64(arena_strndup(c->d.arena, name + 9,
		    strcspn(name + 9, "]")), 1, INT64_MAX,
		    &v[args->nship].line_id, &err) == -1 ||
		    (v[args->nship].qty = ship_qty(c->form.v[i].value)) < 0)
			goto bad;
		args->nship++;
	}
	args->ship = v;
	return 0;
bad:
	c->d.error = "发货数量应为 0 到 1000000 的整数";
	return ERR_INVALID;
}

static int
h_admin_order_move(struct ctx *c)
{
	struct order_move_args	 args;
	struct form		 f;
	enum order_state	 now;
	int64_t			 id = route_cap(c, 0);
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
	if (a == ORDER_SHIP && (rc = ship_read(c, &args)) != 0)
		return refused(c, rc, c->d.error);
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
