/*
 * h_catalog.c -- the three storefronts over one catalog: the ordering mall
 * (customers only, their own prices, with their own price at each tier),
 * the wholesale mall (open; guests see the tier table, or "price on
 * inquiry" when the shop hides prices; customers as in the ordering mall)
 * and the retail mall (retail prices). Lists come from the worker's
 * catalog cache; each handler serves the H5 page and, under /api/v1, the
 * same view as JSON.
 */
#include "base/base.h"
#include "domain/catalog.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/product.h"

#define PER_PAGE	20

static const struct {
	const char	*slug;
	int		 mode;
	const char	*name;
} modes[] = {
	{ "ordering", SHOP_MODE_ORDERING, "订货商城" },
	{ "wholesale", SHOP_MODE_WHOLESALE, "批发商城" },
	{ "retail", SHOP_MODE_RETAIL, "零售商城" },
};

static const struct {
	const char	*value;
	enum cat_sort	 sort;
	const char	*label;
} sorts[] = {
	{ "", CAT_SORT_DEFAULT, "综合" },
	{ "new", CAT_SORT_NEW, "新品" },
	{ "price", CAT_SORT_PRICE_ASC, "价格从低到高" },
	{ "-price", CAT_SORT_PRICE_DESC, "价格从高到低" },
};

/* The storefront named by the route's first capture, if the shop has it;
 * the ordering mall also needs a logged-in customer. */
static int
storefront(struct ctx *c, int *mode, const char **slug)
{
	size_t	i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (c->m.cap[0] != NULL && strcmp(c->m.cap[0], modes[i].slug)
		    == 0 && (c->d.shop->modes & modes[i].mode)) {
			*mode = modes[i].mode;
			*slug = modes[i].slug;
			if (*mode == SHOP_MODE_ORDERING &&
			    !SESS_DEALER(&c->d.sess)) {
				if (c->json_out)
					return http_fail(c, ERR_UNAUTHORIZED,
					    "订货商城仅对授权客户开放，请先登录");
				return http_see_other(c, "%s", ctx_link(c,
				    arena_printf(c->d.arena, "/login?next=%s",
				    url_encode(c->d.arena, c->path))));
			}
			return 0;
		}
	return http_fail(c, ERR_NOT_FOUND, "该商城未开放");
}

static void
mode_view(json_object *v, int mode, const char *slug)
{
	size_t	i;

	view_set_str(v, "mode", slug);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i].mode == mode)
			view_set_str(v, "mode_name", modes[i].name);
	view_set_bool(v, "is_ordering", mode == SHOP_MODE_ORDERING);
	view_set_bool(v, "is_wholesale", mode == SHOP_MODE_WHOLESALE);
	view_set_bool(v, "is_retail", mode == SHOP_MODE_RETAIL);
}

/* Guests in a wholesale mall that hides prices see none. */
static int
prices_hidden(struct ctx *c, int mode)
{
	return mode == SHOP_MODE_WHOLESALE &&
	    c->d.shop->hide_wholesale_prices && !SESS_DEALER(&c->d.sess);
}


/*
 * The tier table: a guest in the wholesale mall sees each tier as the
 * shop set it; a logged-in customer sees their own price at each tier's
 * quantity (catalog_price(), so what they pay), and only the tiers that
 * lower it below from_fen, their price at the minimum order, and below
 * the tier before. NULL on a failure; an empty table has no rows.
 */
static json_object *
tier_rows(struct ctx *c, const struct cat_viewer *vw, const struct cat_sku *s,
    int64_t from_fen)
{
	const struct price_tier	*t = cat_tiers(vw->cat, s);
	struct price_result	 pr;
	json_object		*rows = json_object_new_array(), *row;
	int			 i;

	for (i = 0; i < s->ntiers; i++) {
		if (vw->customer_id != 0) {
			if (catalog_price(vw, s, t[i].min_qty, &pr) == -1) {
				json_object_put(rows);
				return NULL;
			}
			if (pr.unit_fen >= from_fen)
				continue;
			from_fen = pr.unit_fen;
		} else {
			pr.unit_fen = t[i].price_fen;
			pr.source = PRICE_TIER;
		}
		row = json_object_new_object();
		view_set_i64(row, "min_qty", t[i].min_qty);
		view_set_money(c, row, "price", pr.unit_fen);
		if (vw->customer_id != 0)
			view_set_str(row, "price_source",
			    price_source_name(pr.source));
		json_object_array_add(rows, row);
	}
	return rows;
}

/* Who sees a tier table: a guest in the wholesale mall, a customer in
 * the ordering or wholesale mall (never the retail one). */
static int
shows_tiers(const struct cat_viewer *vw)
{
	return vw->mode != SHOP_MODE_RETAIL && (vw->customer_id != 0 ||
	    vw->mode == SHOP_MODE_WHOLESALE);
}

static int
product_item(struct ctx *c, const struct cat_viewer *vw,
    const struct cat_product *p, const char *slug, int hidden,
    json_object **out)
{
	const struct catalog	*cat = vw->cat;
	const struct cat_sku	*skus = cat_skus(cat, p), *s = skus;
	struct price_result	 pr;
	json_object		*o = json_object_new_object(), *rows;
	int64_t			 from = INT64_MAX;
	int			 i;

	view_set_i64(o, "id", p->id);
	view_set_str(o, "code", cat_str(cat, p->code));
	view_set_str(o, "name", cat_str(cat, p->name));
	view_set_str(o, "unit", cat_str(cat, p->unit));
	view_set_str(o, "thumb", p->thumb ? arena_printf(c->d.arena,
	    "/uploads/%s", cat_str(cat, p->thumb)) : NULL);
	/* One printf, not ctx_link's second one: a list has twenty. */
	view_set_str(o, "url", arena_printf(c->d.arena, "%s/%s/products/%"
	    PRId64, c->base, slug, p->id));
	view_set_i64(o, "sku_count", p->nskus);
	view_set_bool(o, "price_hidden", hidden);
	if (!hidden) {
		/* The lowest price among the SKUs at their minimum order. */
		for (i = 0; i < p->nskus; i++) {
			if (catalog_price(vw, &skus[i], skus[i].min_qty,
			    &pr) == -1) {
				json_object_put(o);
				return -1;
			}
			if (pr.unit_fen < from) {
				from = pr.unit_fen;
				s = &skus[i];
			}
		}
		view_set_money(c, o, "price", from);
		view_set_bool(o, "price_range", p->nskus > 1);
		/*
		 * A customer adds a one-SKU product from the list (and
		 * search) at its least quantity; several SKUs need the
		 * product page to choose. The cart checks stock and rules.
		 */
		if (vw->customer_id != 0 && vw->mode != SHOP_MODE_RETAIL &&
		    p->nskus == 1) {
			view_set_i64(o, "add_sku", skus[0].id);
			view_set_i64(o, "add_qty", skus[0].qty_first);
		}
		if (shows_tiers(vw) && s->ntiers > 0) {
			if ((rows = tier_rows(c, vw, s, from)) == NULL) {
				json_object_put(o);
				return -1;
			}
			json_object_object_add(o, "tiers", rows);
		}
	}
	*out = o;
	return 0;
}

static int64_t
query_int(struct ctx *c, const char *name, int64_t min, int64_t max,
    int64_t def)
{
	const char	*s = kv_get(&c->query, name), *err;
	int64_t		 v;

	if (s == NULL || *s == '\0' || parse_i64(s, min, max, &v, &err) == -1)
		return def;
	return v;
}

static void
list_links(struct ctx *c, json_object *v, const char *slug,
    const struct cat_query *q, const struct cat_page *pg, const char *sortv)
{
	const char	*qs = q->q ? url_encode(c->d.arena, q->q) : "";
	char		*base;

	base = arena_printf(c->d.arena, "/%s/products?cat=%" PRId64 "&q=%s"
	    "&sort=%s&page=", slug, q->category_id, qs, sortv);
	if (pg->page > 1)
		view_set_str(v, "prev_url", ctx_link(c, arena_printf(c->d.arena,
		    "%s%" PRId64, base, pg->page - 1)));
	if (pg->page < pg->pages)
		view_set_str(v, "next_url", ctx_link(c, arena_printf(c->d.arena,
		    "%s%" PRId64, base, pg->page + 1)));
}

#define CAT_DEPTH_MAX	8	/* deeper trees show their first levels */

/* Is id the active category or one of its ancestors? */
static int
on_path(const int64_t *path, int npath, int64_t id)
{
	int	i;

	for (i = 0; i < npath; i++)
		if (path[i] == id)
			return 1;
	return 0;
}

/*
 * The chips under parent, in the catalog's order (sort, id), each one on
 * the active path followed by its own children: a parent and its
 * subcategories stay together instead of scattered by id. Empty
 * categories are left out: a shopper has nothing to find there.
 */
static void
category_level(struct ctx *c, const struct catalog *cat, json_object *rows,
    int64_t parent, int depth, const int64_t *path, int npath,
    int64_t active, const char *slug)
{
	const struct cat_category	*k;
	json_object			*o;
	uint32_t			 i;

	for (i = 0; i < cat->ncategories; i++) {
		k = &cat->categories[i];
		if (k->parent_id != parent || k->nproducts == 0)
			continue;
		o = json_object_new_object();
		view_set_i64(o, "id", k->id);
		view_set_str(o, "name", cat_str(cat, k->name));
		view_set_i64(o, "products", k->nproducts);
		view_set_i64(o, "depth", depth);
		view_set_bool(o, "active", k->id == active);
		view_set_bool(o, "open", k->id != active &&
		    on_path(path, npath, k->id));
		view_set_bool(o, "child", depth > 0);
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/%s/products?cat=%" PRId64, slug, k->id)));
		json_object_array_add(rows, o);
		if (depth + 1 < CAT_DEPTH_MAX && on_path(path, npath, k->id))
			category_level(c, cat, rows, k->id, depth + 1, path,
			    npath, active, slug);
	}
}

/* The top level, with the path down to the active category open. */
static json_object *
category_rows(struct ctx *c, const struct catalog *cat, int64_t active,
    const char *slug)
{
	const struct cat_category	*k;
	json_object			*rows = json_object_new_array();
	int64_t				 path[CAT_DEPTH_MAX];
	int				 npath = 0;

	for (k = catalog_category(cat, active); k != NULL &&
	    npath < CAT_DEPTH_MAX; k = catalog_category(cat, k->parent_id))
		path[npath++] = k->id;
	category_level(c, cat, rows, 0, 0, path, npath, active, slug);
	return rows;
}

/* "薯片 · 第 2 页 - 批发商城": what the list shows, for the tab and the
 * heading; the shop's name follows in the layout. */
static void
list_title(struct ctx *c, json_object *v, const struct catalog *cat,
    const struct cat_query *q, const struct cat_page *pg, int mode)
{
	const struct cat_category	*k = catalog_category(cat,
					    q->category_id);
	const char			*mall = mode == SHOP_MODE_ORDERING ?
	    "订货商城" : mode == SHOP_MODE_WHOLESALE ? "批发商城" : "零售商城";
	const char			*what;

	what = q->q != NULL && *q->q != '\0' ? arena_printf(c->d.arena,
	    "“%s”", q->q) : k != NULL ? cat_str(cat, k->name) : NULL;
	view_set_str(v, "heading", what != NULL ? what : mall);
	view_set_str(v, "category_name", k != NULL ? cat_str(cat, k->name) :
	    NULL);
	c->title = arena_printf(c->d.arena, "%s%s%s%s", what ? what : "",
	    pg->page > 1 ? arena_printf(c->d.arena, "%s第 %" PRId64 " 页",
	    what ? " · " : "", pg->page) : "", what || pg->page > 1 ? " - " :
	    "", mall);
}

static int
h_catalog_list(struct ctx *c)
{
	const struct catalog	*cat;
	struct cat_viewer	 vw;
	struct cat_query	 q;
	struct cat_page		 pg;
	json_object		*v, *items, *o, *sortrows;
	const char		*slug, *sortv = kv_get(&c->query, "sort");
	size_t			 i;
	int			 mode, rc, hidden;

	if ((rc = storefront(c, &mode, &slug)) != 0)
		return rc;
	if ((cat = catalog_get(&c->d)) == NULL ||
	    catalog_viewer(&c->d, cat, mode, &vw) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	memset(&q, 0, sizeof(q));
	q.mode = mode;
	q.category_id = query_int(c, "cat", 0, INT64_MAX, 0);
	q.q = kv_get(&c->query, "q");
	q.page = query_int(c, "page", 1, 100000, 1);
	q.per_page = PER_PAGE;
	if (sortv == NULL)
		sortv = "";
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		if (strcmp(sortv, sorts[i].value) == 0)
			q.sort = sorts[i].sort;
	if ((rc = catalog_list(&c->d, cat, &q, &pg)) != 0)
		return http_fail(c, rc, c->d.error);	/* a search too long */

	v = view_new(c);
	mode_view(v, mode, slug);
	hidden = prices_hidden(c, mode);
	items = json_object_new_array();
	json_object_object_add(v, "products", items);
	for (i = 0; i < (size_t)pg.n; i++) {
		if (product_item(c, &vw, pg.items[i], slug, hidden, &o) == -1)
			return http_fail(c, ERR_INTERNAL, NULL);
		if (i < 2)	/* above the fold on a phone: no lazy load */
			view_set_bool(o, "eager", 1);
		json_object_array_add(items, o);
	}
	view_set_i64(v, "total", pg.total);
	view_set_i64(v, "page", pg.page);
	view_set_i64(v, "pages", pg.pages);
	view_set_bool(v, "empty", pg.n == 0);
	view_set_str(v, "q", q.q);
	view_set_i64(v, "cat", q.category_id);
	view_set_bool(v, "customer_prices", vw.customer_id != 0);
	json_object_object_add(v, "categories", category_rows(c, cat,
	    q.category_id, slug));
	sortrows = json_object_new_array();
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		o = json_object_new_object();
		view_set_str(o, "value", sorts[i].value);
		view_set_str(o, "label", sorts[i].label);
		view_set_bool(o, "active", strcmp(sortv, sorts[i].value) == 0);
		json_object_array_add(sortrows, o);
	}
	json_object_object_add(v, "sorts", sortrows);
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/%s/products", slug)));
	list_links(c, v, slug, &q, &pg, sortv);
	list_title(c, v, cat, &q, &pg, mode);
	return render(c, "products");
}

/* One SKU of the product page: details from the database (d), price
 * from the catalog cache; b2b adds the prices with tax. */
static json_object *
sku_row(struct ctx *c, const struct cat_viewer *vw,
    const struct product_sku *d, int hidden, int b2b)
{
	const struct cat_sku	*s = catalog_sku(vw->cat, d->id);
	struct price_result	 pr;
	json_object		*o = json_object_new_object(), *rows;
	int64_t			 min_qty = d->min_qty;
	int			 cases;

	view_set_i64(o, "id", d->id);
	view_set_str(o, "code", d->code);
	view_set_str(o, "barcode", d->barcode);
	view_set_str(o, "spec", *d->spec ? d->spec : "默认");
	view_set_str(o, "unit", d->unit);
	view_set_i64(o, "pack_size", d->pack_size);
	view_set_bool(o, "in_cases", d->pack_size > 1);	/* 1: sold singly */
	/* Sold in whole cases only: the cart form steps by the case, from
	 * the first whole case at or above the minimum. */
	cases = d->pack_only && d->pack_size > 1;
	view_set_bool(o, "pack_only", cases);
	view_set_i64(o, "qty_step", cases ? d->pack_size : 1);
	view_set_i64(o, "qty_min", cases ? (min_qty + d->pack_size - 1) /
	    d->pack_size * d->pack_size : min_qty);
	view_set_i64(o, "min_qty", min_qty);
	view_set_bool(o, "in_stock", d->stock > 0);
	view_set_i64(o, "stock", d->stock);
	/* A SKU added in the last half second has no cached price yet. */
	view_set_bool(o, "price_hidden", hidden || s == NULL);
	if (!hidden && s != NULL && catalog_price(vw, s, min_qty, &pr) == 0) {
		view_set_money(c, o, "price", pr.unit_fen);
		view_set_str(o, "price_source", price_source_name(pr.source));
		if (b2b) {
			view_set_money(c, o, "price_normal_tax", price_with_tax(
			    pr.unit_fen, c->d.shop->tax_normal_bp));
			view_set_money(c, o, "price_special_tax",
			    price_with_tax(pr.unit_fen,
			    c->d.shop->tax_special_bp));
		}
		if (shows_tiers(vw) && s->ntiers > 0 &&
		    (rows = tier_rows(c, vw, s, pr.unit_fen)) != NULL)
			json_object_object_add(o, "tiers", rows);
	}
	return o;
}

static int
h_catalog_product(struct ctx *c)
{
	const struct catalog		*cat;
	const struct cat_product	*p;
	const struct cat_category	*k;
	struct cat_viewer		 vw;
	struct product_detail		 d;
	json_object			*v, *skus, *imgs, *o;
	const char			*slug, *err;
	int64_t				 id;
	int				 mode, rc, i, hidden, b2b;

	if ((rc = storefront(c, &mode, &slug)) != 0)
		return rc;
	if (parse_i64(c->m.cap[1], 1, INT64_MAX, &id, &err) == -1)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	if ((cat = catalog_get(&c->d)) == NULL ||
	    catalog_viewer(&c->d, cat, mode, &vw) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	/* Another shop's product is not in this catalog: 404 like any. */
	if ((p = catalog_product(cat, id)) == NULL || !p->on_shelf ||
	    !(p->visible & mode) || p->nskus == 0)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在或已下架");
	if (product_detail(&c->d, id, &d) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = view_new(c);
	mode_view(v, mode, slug);
	hidden = prices_hidden(c, mode);
	view_set_i64(v, "id", p->id);
	view_set_str(v, "code", cat_str(cat, p->code));
	view_set_str(v, "name", cat_str(cat, p->name));
	view_set_str(v, "unit", cat_str(cat, p->unit));
	/* Stored sanitized (import.c, product_save.c): safe to emit. */
	view_set_str(v, "description_html", d.description);
	view_set_bool(v, "price_hidden", hidden);
	view_set_bool(v, "customer_prices", vw.customer_id != 0);
	/* Consumers in the retail mall see price and stock, not case sizes
	 * and 专票 prices, unless the shop wants them to. */
	b2b = mode != SHOP_MODE_RETAIL || c->d.shop->retail_b2b_details;
	view_set_bool(v, "b2b_details", b2b);
	view_set_i64(v, "tax_normal_bp", c->d.shop->tax_normal_bp);
	view_set_i64(v, "tax_special_bp", c->d.shop->tax_special_bp);
	view_set_str(v, "tax_normal_pct", arena_printf(c->d.arena, "%g",
	    c->d.shop->tax_normal_bp / 100.0));
	view_set_str(v, "tax_special_pct", arena_printf(c->d.arena, "%g",
	    c->d.shop->tax_special_bp / 100.0));
	if ((k = catalog_category(cat, p->category_id)) != NULL) {
		o = json_object_new_object();
		view_set_str(o, "name", cat_str(cat, k->name));
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/%s/products?cat=%" PRId64, slug, k->id)));
		json_object_object_add(v, "category", o);
	}
	skus = json_object_new_array();
	for (i = 0; i < d.nskus; i++)
		json_object_array_add(skus, sku_row(c, &vw, &d.skus[i],
		    hidden, b2b));
	json_object_object_add(v, "skus", skus);
	imgs = json_object_new_array();
	for (i = 0; i < d.nimages; i++) {
		o = view_image(c, d.images[i].path, d.images[i].thumb,
		    d.images[i].width, d.images[i].height);
		view_set_bool(o, "first", i == 0);	/* loads at once */
		json_object_array_add(imgs, o);
	}
	json_object_object_add(v, "images", imgs);
	view_set_str(v, "inquiry_url", ctx_link(c, arena_printf(c->d.arena,
	    "/inquiry?product=%" PRId64, p->id)));
	view_set_str(v, "list_url", ctx_link(c, arena_printf(c->d.arena,
	    "/%s/products", slug)));
	c->title = cat_str(cat, p->name);
	return render(c, "product");
}

const struct route h_catalog_routes[] = {
	{ "GET", "^(?:/api/v1)?/(ordering|wholesale|retail)/products$",
	  h_catalog_list, 0, NULL },
	{ "GET", "^(?:/api/v1)?/(ordering|wholesale|retail)/products/"
	  "([0-9]{1,18})$", h_catalog_product, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
