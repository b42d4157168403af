/*
 * h_lists.c -- saved purchase lists (常购清单): the company's lists, one
 * list with its lines at today's prices, made from the cart or an order,
 * renamed, quantities edited, lines removed, deleted, and "全部加入进货单"
 * in one tap. Each page has its JSON twin under /api/v1; no script
 * needed. domain/purchase_list.c decides (and keeps each company to its
 * own lists); ordering from a list answers with the quick order page.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/order.h"
#include "domain/purchase_list.h"
#include "handlers/h_order.h"
#include "handlers/h_quick.h"

enum { N_NAME, N_ORDER };
static const struct field name_fields[] = {
	[N_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 0,
			  PLIST_NAME_MAX, "清单名称" },
	[N_ORDER] =	{ "order_id", FIELD_ID, 0, 0, 0, "订单" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field qty_fields[] = {
	{ "qty", FIELD_TEXT, FIELD_REQUIRED, 0, 20, "数量" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *
list_link(struct ctx *c, int64_t id, const char *tail)
{
	return ctx_link(c, arena_printf(c->d.arena, "/lists/%" PRId64 "%s", id,
	    tail));
}

/* The company's lists; error: a refused create, shown on top. */
static int
lists_page(struct ctx *c, int status, const char *error)
{
	struct plist_row	*v;
	json_object		*view, *a, *o;
	int64_t			 ncart = 0;
	int			 i, n, rc;

	if ((rc = plist_all(&c->d, &v, &n)) != 0)
		return http_fail(c, rc, c->d.error);
	if ((rc = cart_count(&c->d, &ncart)) != 0)
		return http_fail(c, rc, NULL);
	view = view_new(c);
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", v[i].id);
		view_set_str(o, "name", v[i].name);
		view_set_i64(o, "items", v[i].items);
		view_set_str(o, "updated", v[i].updated);
		view_set_str(o, "created_by", v[i].created_by);
		view_set_str(o, "url", list_link(c, v[i].id, ""));
		view_set_str(o, "order_action", list_link(c, v[i].id, "/order"));
		json_object_array_add(a, o);
	}
	json_object_object_add(view, "lists", a);
	view_set_bool(view, "empty", n == 0);
	view_set_bool(view, "cart_has_lines", ncart > 0);
	view_set_str(view, "create_action", ctx_link(c, "/lists"));
	view_set_str(view, "cart_url", ctx_link(c, "/cart"));
	view_set_str(view, "quick_url", ctx_link(c, "/quick"));
	view_set_i64(view, "name_max", PLIST_NAME_MAX);
	view_set_str(view, "error", error);
	c->title = "常购清单";
	if (status != 0)
		c->status = status;
	return render(c, "lists");
}

static int
h_lists(struct ctx *c)
{
	return lists_page(c, 0, NULL);
}

/* One list, its lines priced now; error: a refused edit of line sku. */
static int
list_page(struct ctx *c, int64_t id, int status, const char *error,
    int64_t sku)
{
	struct plist	 l;
	json_object	*v, *a, *o;
	int		 i, rc, mode = h_quick_mode(c);

	if ((rc = plist_get(&c->d, id, mode, &l)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	o = json_object_new_object();
	view_set_i64(o, "id", l.head.id);
	view_set_str(o, "name", l.head.name);
	view_set_str(o, "updated", l.head.updated);
	view_set_str(o, "created_by", l.head.created_by);
	json_object_object_add(v, "list", o);
	a = json_object_new_array();
	for (i = 0; i < l.n; i++) {
		o = h_order_line_view(c, &l.lines[i]);
		view_set_str(o, "update_action", list_link(c, id, arena_printf(
		    c->d.arena, "/items/%" PRId64, l.lines[i].sku_id)));
		view_set_str(o, "remove_action", list_link(c, id, arena_printf(
		    c->d.arena, "/items/%" PRId64 "/delete",
		    l.lines[i].sku_id)));
		if (sku != 0 && sku == l.lines[i].sku_id)
			view_set_str(o, "line_error", error);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "lines", a);
	view_set_i64(v, "count", l.n);
	view_set_bool(v, "empty", l.n == 0);
	view_set_str(v, "rename_action", list_link(c, id, ""));
	view_set_str(v, "delete_action", list_link(c, id, "/delete"));
	view_set_str(v, "order_action", list_link(c, id, "/order"));
	view_set_str(v, "lists_url", ctx_link(c, "/lists"));
	view_set_i64(v, "name_max", PLIST_NAME_MAX);
	view_set_str(v, "mode", mode == SHOP_MODE_WHOLESALE ? "wholesale" :
	    "ordering");
	if (sku == 0)
		view_set_str(v, "error", error);
	c->title = l.head.name;
	if (status != 0)
		c->status = status;
	return render(c, "list");
}

static int
h_list(struct ctx *c)
{
	int64_t	id;

	if (route_id(c, 0, &id) == -1)
		return http_fail(c, ERR_NOT_FOUND, "没有这个常购清单");
	return list_page(c, id, 0, NULL, 0);
}

/* POST /lists: name, and order_id to make it from an order (else the
 * cart). Refusals: JSON as such, the page on the lists page. */
static int
h_list_create(struct ctx *c)
{
	struct form	 f;
	int64_t		 id;
	int		 rc;

	if (form_parse(c, name_fields, &f) == -1) {
		c->d.code = "name_invalid";
		if (c->json_out)
			return http_fail(c, ERR_INVALID, f.error);
		return lists_page(c, 400, f.error);
	}
	if ((rc = plist_create(&c->d, f.v[N_NAME].s, f.v[N_ORDER].present ?
	    f.v[N_ORDER].i64 : 0, &id)) != 0) {
		clog_info(&c->d, "list refused code=%s msg=\"%s\"", c->d.code ?
		    c->d.code : "-", c->d.error ? c->d.error : "-");
		if (c->json_out || rc == ERR_INTERNAL ||
		    (rc == ERR_NOT_FOUND && f.v[N_ORDER].present))
			return http_fail(c, rc, c->d.error);
		return lists_page(c, err_status(rc), c->d.error);
	}
	clog_info(&c->d, "list %" PRId64 " created", id);
	if (c->json_out) {
		c->status = 201;
		return list_page(c, id, 201, NULL, 0);
	}
	return http_see_other(c, "%s", list_link(c, id, "?saved=1"));
}

static int
h_list_rename(struct ctx *c)
{
	struct form	 f;
	int64_t		 id;
	int		 rc;

	if (route_id(c, 0, &id) == -1)
		return http_fail(c, ERR_NOT_FOUND, "没有这个常购清单");
	if (form_parse(c, name_fields, &f) == -1)
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    list_page(c, id, 400, f.error, 0);
	if ((rc = plist_rename(&c->d, id, f.v[N_NAME].s)) != 0)
		return c->json_out || rc != ERR_INVALID ? http_fail(c, rc,
		    c->d.error) : list_page(c, id, 400, c->d.error, 0);
	if (c->json_out)
		return list_page(c, id, 0, NULL, 0);
	return http_see_other(c, "%s", list_link(c, id, ""));
}

static int
h_list_qty(struct ctx *c)
{
	struct form	 f;
	int64_t		 id, sku, qty;
	int		 rc;

	if (route_id(c, 0, &id) == -1 || route_id(c, 1, &sku) == -1)
		return http_fail(c, ERR_NOT_FOUND, "没有这个常购清单");
	if (form_parse(c, qty_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	if (line_qty_parse(f.v[0].s, &qty) != LINE_OK)
		qty = 0;	/* refused as such by plist_set_qty */
	if ((rc = plist_set_qty(&c->d, id, sku, qty)) != 0) {
		if (c->json_out || rc != ERR_INVALID)
			return http_fail(c, rc, c->d.error);
		return list_page(c, id, 400, c->d.error, sku);
	}
	if (c->json_out)
		return list_page(c, id, 0, NULL, 0);
	return http_see_other(c, "%s", list_link(c, id, ""));
}

static int
h_list_remove(struct ctx *c)
{
	int64_t	id, sku;
	int	rc;

	if (route_id(c, 0, &id) == -1 || route_id(c, 1, &sku) == -1)
		return http_fail(c, ERR_NOT_FOUND, "没有这个常购清单");
	if ((rc = plist_remove(&c->d, id, sku)) != 0)
		return http_fail(c, rc, c->d.error);
	if (c->json_out)
		return list_page(c, id, 0, NULL, 0);
	return http_see_other(c, "%s", list_link(c, id, ""));
}

static int
h_list_delete(struct ctx *c)
{
	int64_t	id;
	int	rc;

	if (route_id(c, 0, &id) == -1)
		return http_fail(c, ERR_NOT_FOUND, "没有这个常购清单");
	if ((rc = plist_delete(&c->d, id)) != 0)
		return http_fail(c, rc, c->d.error);
	clog_info(&c->d, "list %" PRId64 " deleted", id);
	if (c->json_out)
		return lists_page(c, 0, NULL);
	return http_see_other(c, "%s", ctx_link(c, "/lists"));
}

/* 全部加入进货单: all added, to the cart; else what was left out, why. */
static int
h_list_order(struct ctx *c)
{
	struct quick_order	 q;
	json_object		*v;
	int64_t			 id;
	int			 rc;

	if (route_id(c, 0, &id) == -1)
		return http_fail(c, ERR_NOT_FOUND, "没有这个常购清单");
	if ((rc = plist_order(&c->d, id, h_quick_mode(c), &q)) != 0)
		return http_fail(c, rc, c->d.error);
	clog_info(&c->d, "list %" PRId64 " ordered: %d lines, %d added", id,
	    q.n, q.nok);
	if (q.nbad == 0 && !c->json_out)
		return http_see_other(c, "%s", ctx_link(c, "/cart?added=1"));
	v = h_quick_view(c, q.nok == 0 ? 400 : 0, q.nok == 0 ?
	    "清单中的商品现在都不能加入进货单，请看下方原因" : NULL, NULL, &q, 1);
	view_set_str(v, "list_url", list_link(c, id, ""));
	c->title = "常购清单";
	return render(c, "quick");
}

const struct route h_lists_routes[] = {
	{ "GET", "^(?:/api/v1)?/lists$", h_lists, ROUTE_CUSTOMER, NULL },
	{ "POST", "^(?:/api/v1)?/lists$", h_list_create,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "GET", "^(?:/api/v1)?/lists/([0-9]{1,18})$", h_list, ROUTE_CUSTOMER,
	  NULL },
	{ "POST", "^(?:/api/v1)?/lists/([0-9]{1,18})$", h_list_rename,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/lists/([0-9]{1,18})/items/([0-9]{1,18})$",
	  h_list_qty, ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST",
	  "^(?:/api/v1)?/lists/([0-9]{1,18})/items/([0-9]{1,18})/delete$",
	  h_list_remove, ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/lists/([0-9]{1,18})/delete$", h_list_delete,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/lists/([0-9]{1,18})/order$", h_list_order,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
