/*
 * h_order_view.c -- orders as both sides' pages and the JSON API show
 * them: the head of an order in a list, the whole order with its lines,
 * its timeline of moves and its parcels, a cart line with its price and
 * what stands in its way, and the state filter's tabs. No decisions: the
 * handlers (h_cart.c, h_order.c, h_admin_order.c) make those.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "http/http.h"
#include "domain/address.h"
#include "domain/order.h"
#include "domain/order_edit.h"
#include "handlers/h_order.h"

static const char *const badges[ORDER_NSTATES] = {
	[ORDER_PENDING_APPROVAL] = "warn", [ORDER_SUBMITTED] = "warn",
	[ORDER_CONFIRMED] = "on", [ORDER_SHIPPED] = "on",
	[ORDER_RECEIVED] = "on", [ORDER_COMPLETED] = "",
	[ORDER_CANCELLED] = "off",
};

static void
state_view(json_object *o, enum order_state s)
{
	view_set_str(o, "state", order_state_name(s));
	view_set_str(o, "state_label", order_state_label(s));
	view_set_str(o, "badge", badges[s]);
	view_set_bool(o, "is_shipped", s == ORDER_SHIPPED);
	view_set_bool(o, "is_cancelled", s == ORDER_CANCELLED);
	view_set_bool(o, "is_open", order_state_open(s));
}

/* A line's price_source as staff read it; quotes and manual prices are
 * sources an order line may have beside price_resolve()'s. */
static const char *
source_label(const char *s)
{
	static const char *const names[][2] = {
		{ "base", "基础价" }, { "tier", "阶梯价" },
		{ "level", "会员等级价" }, { "contract", "客户合同价" },
		{ "quote", "报价" }, { "manual", "手工改价" },
	};
	size_t	i;

	for (i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i][0]) == 0)
			return names[i][1];
	return s;
}

static const char *
channel_label(const char *s)
{
	if (s != NULL && strcmp(s, "api") == 0)
		return "小程序";
	if (s != NULL && strcmp(s, "admin") == 0)
		return "后台";
	return "H5";
}

/* An order in a list; prefix: "/orders" or "/admin/orders". */
json_object *
h_order_head_view(struct ctx *c, const struct order *o, const char *prefix)
{
	json_object	*v = json_object_new_object();

	view_set_i64(v, "id", o->id);
	view_set_str(v, "order_no", o->order_no);
	state_view(v, o->state);
	view_set_str(v, "url", arena_printf(c->d.arena, "%s%s/%" PRId64,
	    c->base, prefix, o->id));
	view_set_str(v, "created", o->created);
	view_set_i64(v, "customer_id", o->customer_id);
	view_set_str(v, "customer", o->customer);
	view_set_str(v, "placed_by", o->placed_by);
	view_set_bool(v, "by_staff", o->by_staff);
	/* 业务员代下: staff placed it on the company's behalf (代客下单). */
	view_set_bool(v, "placed_by_staff", o->by_staff);
	view_set_str(v, "channel", o->channel);
	view_set_str(v, "channel_label", channel_label(o->channel));
	view_set_str(v, "terms", pay_terms_name(o->terms));
	view_set_str(v, "terms_label", o->terms == TERMS_MONTHLY ? "月结" :
	    "预付款");
	view_set_i64(v, "line_count", o->line_count);
	view_set_bool(v, "more_lines", o->line_count > 1);
	view_set_str(v, "first_item", o->first_item);
	view_set_money(c, v, "subtotal", o->subtotal_fen);
	view_set_money(c, v, "tax", o->tax_fen);
	view_set_money(c, v, "total", o->total_fen);
	return v;
}

/*
 * What staff changed of a line before confirming the order: added, or
 * its quantity and price as placed (原 50 箱 → 40 箱, 原价 → 新价).
 */
static void
adjusted_view(struct ctx *c, json_object *v, const struct order_line_row *l)
{
	int	qty = l->changed && l->orig_qty != l->qty;
	int	price = l->changed && l->orig_unit_fen != l->unit_fen;

	view_set_bool(v, "added", l->added);
	view_set_bool(v, "changed", qty || price);
	view_set_bool(v, "qty_changed", qty);
	view_set_bool(v, "price_changed", price);
	if (qty)
		view_set_i64(v, "orig_qty", l->orig_qty);
	if (price)
		view_set_money(c, v, "orig_unit_price", l->orig_unit_fen);
}

static json_object *
lines_view(struct ctx *c, const struct order *o)
{
	const struct order_line_row	*l;
	json_object			*a = json_object_new_array(), *v;
	int				 i;

	for (i = 0; i < o->nlines; i++) {
		l = &o->lines[i];
		v = json_object_new_object();
		view_set_i64(v, "line_no", l->line_no);
		view_set_i64(v, "sku_id", l->sku_id);
		view_set_str(v, "sku_code", l->sku_code);
		view_set_str(v, "name", l->name);
		view_set_str(v, "spec", l->spec && *l->spec ? l->spec : NULL);
		view_set_str(v, "unit", l->unit);
		view_set_i64(v, "qty", l->qty);
		view_set_i64(v, "shipped_qty", l->shipped_qty);
		view_set_bool(v, "shipped_any", l->shipped_qty > 0);
		view_set_money(c, v, "unit_price", l->unit_fen);
		view_set_str(v, "price_source", l->price_source);
		view_set_str(v, "price_source_label",
		    source_label(l->price_source));
		view_set_money(c, v, "line_total", l->line_fen);
		view_set_money(c, v, "line_tax", l->tax_fen);
		adjusted_view(c, v, l);
		json_object_array_add(a, v);
	}
	return a;
}

/* The lines staff removed while the order waited (order_edit.c). */
static json_object *
removed_view(struct ctx *c, const struct order *o)
{
	const struct order_removed_row	*r;
	json_object			*a = json_object_new_array(), *v;
	int				 i;

	for (i = 0; i < o->nremoved; i++) {
		r = &o->removed[i];
		v = json_object_new_object();
		view_set_str(v, "sku_code", r->sku_code);
		view_set_str(v, "name", r->name);
		view_set_str(v, "spec", r->spec && *r->spec ? r->spec : NULL);
		view_set_str(v, "unit", r->unit);
		view_set_i64(v, "qty", r->qty);
		view_set_money(c, v, "unit_price", r->unit_fen);
		view_set_str(v, "time", r->time);
		json_object_array_add(a, v);
	}
	return a;
}

/* The timeline, oldest first: what happened, when, by whom, why; a
 * customer reads the shop's moves as the shop's, not a person's. */
static json_object *
events_view(const struct order *o, int customer)
{
	const struct order_event_row	*e;
	json_object			*a = json_object_new_array(), *v;
	int				 i;

	for (i = 0; i < o->nevents; i++) {
		e = &o->events[i];
		v = json_object_new_object();
		view_set_str(v, "from", e->from >= 0 ?
		    order_state_name(e->from) : NULL);
		view_set_str(v, "to", order_state_name(e->to));
		/* A parcel that left some behind stays confirmed; staff
		 * adjusting the lines leave a waiting order waiting. */
		view_set_str(v, "label", e->from < 0 ? "提交订单" :
		    e->from == ORDER_CONFIRMED && e->to == ORDER_CONFIRMED ?
		    "部分发货" : e->from == (int)e->to ? (customer ?
		    "商家调整了订单" : "调整订单") : order_state_label(e->to));
		view_set_bool(v, "adjusted", e->from == (int)e->to &&
		    e->to != ORDER_CONFIRMED);
		view_set_str(v, "who", customer && e->by_staff ? "商家" : e->who);
		view_set_bool(v, "by_staff", e->by_staff);
		view_set_str(v, "note", e->note && *e->note ? e->note : NULL);
		view_set_str(v, "time", e->time);
		view_set_bool(v, "last", i == o->nevents - 1);
		json_object_array_add(a, v);
	}
	return a;
}

static json_object *
shipments_view(const struct order *o, int customer)
{
	json_object	*a = json_object_new_array(), *v;
	int		 i;

	for (i = 0; i < o->nshipments; i++) {
		v = json_object_new_object();
		view_set_i64(v, "id", o->shipments[i].id);
		view_set_str(v, "carrier", o->shipments[i].carrier);
		view_set_str(v, "tracking_no", o->shipments[i].tracking_no);
		view_set_str(v, "time", o->shipments[i].time);
		view_set_str(v, "staff", customer ? NULL :
		    o->shipments[i].staff);
		json_object_array_add(a, v);
	}
	return a;
}

static json_object *
invoice_view(struct ctx *c, const struct order *o)
{
	json_object	*v = json_object_new_object();

	view_set_str(v, "kind", invoice_kind_name(o->invoice));
	view_set_str(v, "label", invoice_kind_label(o->invoice));
	view_set_bool(v, "wanted", o->invoice != INVOICE_NONE);
	view_set_bool(v, "special", o->invoice == INVOICE_SPECIAL);
	view_set_str(v, "tax_pct", fmt_percent(c->d.arena, o->tax_bp));
	view_set_str(v, "name", o->inv.title);
	view_set_str(v, "tax_id", o->inv.tax_id);
	view_set_str(v, "bank_name", o->inv.bank_name);
	view_set_str(v, "bank_account", o->inv.bank_account);
	view_set_str(v, "address", o->inv.address);
	view_set_str(v, "phone", o->inv.phone);
	return v;
}

/* The whole order: the head and everything order_get() read; customer:
 * as the company sees it (staff are the shop). */
json_object *
h_order_detail_view(struct ctx *c, const struct order *o, const char *prefix,
    int customer)
{
	json_object	*v = h_order_head_view(c, o, prefix), *ship;
	int		 i;

	ship = json_object_new_object();
	view_set_str(ship, "receiver", o->ship_receiver);
	view_set_str(ship, "phone", o->ship_phone);
	view_set_str(ship, "region", o->ship_region && *o->ship_region ?
	    o->ship_region : NULL);
	view_set_str(ship, "address", o->ship_address);
	json_object_object_add(v, "ship_to", ship);
	json_object_object_add(v, "invoice", invoice_view(c, o));
	view_set_str(v, "delivery_date", o->delivery_date);
	view_set_str(v, "remark", o->remark && *o->remark ? o->remark : NULL);
	view_set_str(v, "po_no", o->po_no && *o->po_no ? o->po_no : NULL);
	json_object_object_add(v, "lines", lines_view(c, o));
	json_object_object_add(v, "events", events_view(o, customer));
	json_object_object_add(v, "shipments", shipments_view(o, customer));
	view_set_bool(v, "adjusted", o->version > 0);
	view_set_i64(v, "version", o->version);
	json_object_object_add(v, "removed_lines", removed_view(c, o));
	view_set_bool(v, "any_removed", o->nremoved > 0);
	/* 部分发货: confirmed, some parcels gone (docs/orders.md). */
	for (i = 0; o->state == ORDER_CONFIRMED && i < o->nlines; i++)
		if (o->lines[i].shipped_qty > 0) {
			view_set_bool(v, "partial", 1);
			view_set_str(v, "state_label", "部分发货");
			break;
		}
	return v;
}

/*
 * A priced line of the cart or checkout: what it is, what it costs now,
 * the quantity rules its input needs (min, step), and its problem.
 */
json_object *
h_order_line_view(struct ctx *c, const struct priced_line *l)
{
	json_object	*v = json_object_new_object();
	int		 ok = l->problem == LINE_OK;
	int		 cases = l->pack_only && l->pack_size > 1;

	view_set_i64(v, "sku_id", l->sku_id);
	view_set_str(v, "sku_code", l->sku_code);
	view_set_str(v, "name", l->name ? l->name : "（商品已下架）");
	view_set_str(v, "spec", l->spec && *l->spec ? l->spec : NULL);
	view_set_str(v, "unit", l->unit ? l->unit : "");
	view_set_str(v, "mode", l->mode == SHOP_MODE_WHOLESALE ? "wholesale" :
	    "ordering");
	view_set_str(v, "thumb", l->thumb ? arena_printf(c->d.arena,
	    "/uploads/%s", l->thumb) : NULL);
	if (l->product_id != 0)
		view_set_str(v, "url", arena_printf(c->d.arena, "%s/%s/products/%"
		    PRId64, c->base, l->mode == SHOP_MODE_WHOLESALE ?
		    "wholesale" : "ordering", l->product_id));
	view_set_i64(v, "qty", l->qty);
	view_set_i64(v, "min_qty", l->min_qty > 0 ? l->min_qty : 1);
	view_set_i64(v, "pack_size", l->pack_size);
	view_set_bool(v, "pack_only", cases);
	view_set_bool(v, "in_cases", l->pack_size > 1);
	view_set_i64(v, "step", cases ? l->pack_size : 1);
	view_set_i64(v, "stock", l->stock);
	view_set_bool(v, "ok", ok);
	view_set_str(v, "problem", ok ? NULL : line_problem_code(l->problem));
	view_set_str(v, "why", l->why);
	if (l->problem != LINE_UNAVAILABLE) {
		view_set_money(c, v, "unit_price", l->price.unit_fen);
		view_set_str(v, "price_source",
		    price_source_name(l->price.source));
		view_set_money(c, v, "line_total", l->line_fen);
	}
	return v;
}

/* The list's state filter: all, then each state a list may show. */
json_object *
h_order_state_tabs(struct ctx *c, const char *path, int all,
    enum order_state st, const char *extra)
{
	static const enum order_state shown[] = { ORDER_SUBMITTED,
		ORDER_CONFIRMED, ORDER_SHIPPED, ORDER_RECEIVED,
		ORDER_COMPLETED, ORDER_CANCELLED };
	json_object	*a = json_object_new_array(), *o;
	size_t		 i;

	o = json_object_new_object();
	view_set_str(o, "label", "全部");
	view_set_str(o, "value", "");
	view_set_bool(o, "active", all);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena, "%s%s%s",
	    path, *extra ? "?" : "", extra)));
	json_object_array_add(a, o);
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		o = json_object_new_object();
		view_set_str(o, "label", order_state_label(shown[i]));
		view_set_str(o, "value", order_state_name(shown[i]));
		view_set_bool(o, "active", !all && st == shown[i]);
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    "%s?state=%s%s%s", path, order_state_name(shown[i]),
		    *extra ? "&" : "", extra)));
		json_object_array_add(a, o);
	}
	return a;
}

/* Where an order comes from: the mini-program's bearer or /api/, or H5. */
int
h_order_channel(struct ctx *c)
{
	return c->d.sess.bearer || strncmp(c->path, "/api/", 5) == 0 ?
	    ORDER_CHANNEL_API : ORDER_CHANNEL_H5;
}
