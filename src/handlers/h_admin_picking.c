/*
 * h_admin_picking.c -- the picking list (拣货单) of the back office, to
 * print on A4 or read on a phone in the warehouse: one order's
 * (/admin/orders/<id>/picking-list), or many orders' summed per SKU with
 * each order's share (/admin/orders/picking-list?id=…&id=…, the order
 * list's check boxes; or ?all=1 with the list's filters: every confirmed
 * order that matches, at most PICKING_ORDERS_MAX). It only reads; the
 * domain (picking.c) says which orders may be picked. Also the links to
 * it on the order list and the order page (h_picking.h).
 */
#include "base/base.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/order.h"
#include "domain/picking.h"
#include "handlers/h_picking.h"

#define Q_MAX		40		/* characters of an order number */

static const char *
param(struct ctx *c, const char *name)
{
	const char	*s = kv_get(&c->query, name);

	return s != NULL && *s != '\0' ? s : NULL;
}

static int
bad(struct ctx *c, const char *code, const char *msg)
{
	c->d.code = code;
	c->d.error = msg;
	return ERR_INVALID;
}

/* The ids of ?id=…&id=…: ERR_INVALID for one that is no order id. */
static int
ids_read(struct ctx *c, int64_t **ids, int *n)
{
	const char	*err;
	int		 i;

	*ids = arena_calloc(c->d.arena, (size_t)c->query.n + 1, sizeof(**ids));
	*n = 0;
	for (i = 0; i < c->query.n; i++) {
		if (strcmp(c->query.v[i].name, "id") != 0)
			continue;
		if (parse_i64(c->query.v[i].value, 1, INT64_MAX, &(*ids)[*n],
		    &err) == -1)
			return bad(c, "invalid", "订单编号应为正整数");
		(*n)++;
	}
	return 0;
}

/*
 * The order list's filters, for ?all=1. Strict where the list is lenient:
 * a filter dropped would widen the sheet to orders nobody meant to pick.
 */
static int
filters_read(struct ctx *c, struct order_query *q)
{
	const char	*s, *err;

	memset(q, 0, sizeof(*q));
	q->state = ORDER_CONFIRMED;
	q->page = 1;
	q->per_page = PICKING_ORDERS_MAX;
	if ((s = param(c, "customer")) != NULL && parse_i64(s, 1, INT64_MAX,
	    &q->customer_id, &err) == -1)
		return bad(c, "invalid", "客户筛选无效");
	if ((q->q = param(c, "q")) != NULL && utf8_len(q->q) > Q_MAX)
		return bad(c, "invalid", "订单号最多 40 个字");
	q->from = param(c, "from");
	q->to = param(c, "to");		/* order_list checks the days */
	return 0;
}

/* Every confirmed order the filters match: none is an empty sheet. */
static int
all_ids(struct ctx *c, int64_t **ids, int *n)
{
	struct order_query	 q;
	struct order_list	 l;
	int			 i, rc;

	if ((rc = filters_read(c, &q)) != 0 ||
	    (rc = order_list(&c->d, &q, &l)) != 0)
		return rc;
	if (l.total > PICKING_ORDERS_MAX)
		return bad(c, "too_many_orders", arena_printf(c->d.arena,
		    "符合条件的待拣货订单有 %" PRId64 " 单，一次最多 %d 单："
		    "请按客户或日期缩小范围，或勾选订单分批打印", l.total,
		    PICKING_ORDERS_MAX));
	*ids = arena_calloc(c->d.arena, (size_t)l.n + 1, sizeof(**ids));
	for (i = 0; i < l.n; i++)
		(*ids)[i] = l.rows[i].id;
	*n = l.n;
	return 0;
}

static json_object *
orders_view(struct ctx *c, const struct picking *p)
{
	const struct picking_order	*o;
	json_object			*a = json_object_new_array(), *v;
	int				 i;

	for (i = 0; i < p->norders; i++) {
		o = &p->orders[i];
		v = json_object_new_object();
		view_set_i64(v, "id", o->id);
		view_set_i64(v, "number", i + 1);
		view_set_str(v, "order_no", o->order_no);
		view_set_str(v, "customer", o->customer);
		view_set_str(v, "receiver", o->receiver);
		view_set_str(v, "phone", o->phone);
		view_set_str(v, "region", o->region);
		view_set_str(v, "address", o->address);
		view_set_str(v, "delivery_date", o->delivery_date);
		view_set_str(v, "remark", o->remark);
		view_set_str(v, "po_no", o->po_no);
		view_set_bool(v, "partial", o->partial);
		view_set_i64(v, "units", o->units);
		view_set_str(v, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/admin/orders/%" PRId64, o->id)));
		json_object_array_add(a, v);
	}
	return a;
}

static json_object *
parts_view(const struct picking *p, const struct picking_line *l)
{
	const struct picking_part	*pt;
	json_object			*a = json_object_new_array(), *v;
	int				 i;

	for (i = 0; i < l->nparts; i++) {
		pt = &l->parts[i];
		v = json_object_new_object();
		view_set_i64(v, "number", pt->order + 1);
		view_set_str(v, "order_no", p->orders[pt->order].order_no);
		view_set_i64(v, "qty", pt->qty);
		json_object_array_add(a, v);
	}
	return a;
}

static json_object *
line_view(const struct picking *p, const struct picking_line *l)
{
	json_object	*v = json_object_new_object();

	view_set_i64(v, "sku_id", l->sku_id);
	view_set_str(v, "sku_code", l->sku_code);
	view_set_str(v, "barcode", l->barcode);
	view_set_str(v, "name", l->name);
	view_set_str(v, "spec", l->spec);
	view_set_str(v, "unit", l->unit);
	view_set_i64(v, "pack_size", l->pack_size);
	view_set_bool(v, "cased", l->pack_size > 1);
	view_set_i64(v, "ordered", l->ordered);
	view_set_i64(v, "shipped", l->shipped);
	view_set_bool(v, "shipped_any", l->shipped > 0);
	view_set_i64(v, "qty", l->qty);
	view_set_i64(v, "cases", l->cases);
	view_set_i64(v, "loose", l->loose);
	view_set_bool(v, "has_cases", l->cases > 0);
	view_set_bool(v, "has_loose", l->loose > 0);
	json_object_object_add(v, "parts", parts_view(p, l));
	return v;
}

static json_object *
groups_view(const struct picking *p)
{
	const struct picking_group	*g;
	json_object			*a = json_object_new_array(), *v, *ls;
	int				 i, k;

	for (i = 0; i < p->ngroups; i++) {
		g = &p->groups[i];
		v = json_object_new_object();
		view_set_str(v, "category", g->category ? g->category :
		    "未分类");
		view_set_i64(v, "kinds", g->n);
		view_set_i64(v, "units", g->units);
		ls = json_object_new_array();
		for (k = g->first; k < g->first + g->n; k++)
			json_object_array_add(ls, line_view(p, &p->lines[k]));
		json_object_object_add(v, "lines", ls);
		json_object_array_add(a, v);
	}
	return a;
}

/* The sheet; one: a single order's (its head), else a batch's. */
static int
show(struct ctx *c, const struct picking *p, int one, const char *back)
{
	json_object	*v = view_new(c), *pv = json_object_new_object();
	json_object	*orders = orders_view(c, p);

	view_set_bool(pv, "batch", !one);
	view_set_i64(pv, "count", p->norders);
	view_set_bool(pv, "has_orders", p->norders > 0);
	view_set_i64(pv, "kinds", p->nlines);
	view_set_i64(pv, "units", p->units);
	view_set_bool(pv, "empty", p->nlines == 0);
	view_set_str(pv, "printed", p->printed);
	if (one && p->norders == 1)
		json_object_object_add(pv, "one",
		    json_object_get(json_object_array_get_idx(orders, 0)));
	json_object_object_add(pv, "orders", orders);
	json_object_object_add(pv, "groups", groups_view(p));
	json_object_object_add(v, "picking", pv);
	view_set_str(v, "back_url", back);
	c->title = one && p->norders == 1 ? arena_printf(c->d.arena,
	    "拣货单 %s", p->orders[0].order_no) : arena_printf(c->d.arena,
	    "拣货单（%d 单）", p->norders);
	return render(c, "admin/picking_list");
}

static int
h_admin_picking_one(struct ctx *c)
{
	struct picking	 p;
	int64_t		 id = route_cap(c, 0);
	int		 rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "订单不存在");
	if ((rc = picking_load(&c->d, &id, 1, &p)) != 0)
		return http_fail(c, rc, c->d.error);
	return show(c, &p, 1, ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64, id)));
}

static int
h_admin_picking_many(struct ctx *c)
{
	struct picking	 p;
	int64_t		*ids;
	const char	*all = param(c, "all");
	int		 every = all != NULL && strcmp(all, "1") == 0, n, rc;

	rc = every ? all_ids(c, &ids, &n) : ids_read(c, &ids, &n);
	if (rc != 0)
		return http_fail(c, rc, c->d.error);
	if (every && n == 0)		/* nothing confirmed matches */
		picking_init(&c->d, &p);
	else if ((rc = picking_load(&c->d, ids, n, &p)) != 0)
		return http_fail(c, rc, c->d.error);
	return show(c, &p, 0, ctx_link(c, "/admin/orders?state=confirmed"));
}

/* The order list: a check box on each order that may be picked, the
 * batch form, and the sheet of every confirmed order the filters match. */
void
h_picking_list_view(struct ctx *c, json_object *v,
    const struct order_query *q, const struct order_list *l)
{
	json_object	*rows, *pv = json_object_new_object();
	int		 i, any = 0;

	if (!json_object_object_get_ex(v, "orders", &rows))
		return;
	for (i = 0; i < l->n && i < (int)json_object_array_length(rows); i++) {
		view_set_bool(json_object_array_get_idx(rows, i), "pickable",
		    picking_state_ok(l->rows[i].state));
		any |= picking_state_ok(l->rows[i].state);
	}
	view_set_bool(pv, "any", any);
	view_set_i64(pv, "max", PICKING_ORDERS_MAX);
	view_set_str(pv, "action", ctx_link(c, "/admin/orders/picking-list"));
	view_set_str(pv, "all_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/picking-list?all=1&customer=%s&from=%s&to=%s&q=%s",
	    q->customer_id ? arena_printf(c->d.arena, "%" PRId64,
	    q->customer_id) : "", url_encode(c->d.arena, q->from ? q->from :
	    ""), url_encode(c->d.arena, q->to ? q->to : ""),
	    url_encode(c->d.arena, q->q ? q->q : ""))));
	json_object_object_add(v, "picking", pv);
}

/* The order page: the sheet's link, while the order may be picked. */
void
h_picking_order_view(struct ctx *c, json_object *ov, const struct order *o)
{
	if (picking_state_ok(o->state))
		view_set_str(ov, "picking_url", ctx_link(c, arena_printf(
		    c->d.arena, "/admin/orders/%" PRId64 "/picking-list",
		    o->id)));
}

#define ROLES	ADMIN_ROLES_ORDERS

const struct route h_admin_picking_routes[] = {
	{ "GET", "^/admin/orders/picking-list$", h_admin_picking_many,
	  ROUTE_STAFF, ROLES },
	{ "GET", "^/admin/orders/([0-9]{1,18})/picking-list$",
	  h_admin_picking_one, ROUTE_STAFF, ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
