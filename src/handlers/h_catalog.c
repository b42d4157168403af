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


struct tier_row {
	int64_t		 min_qty;
	int64_t		 fen;
	enum price_source source;
};

/*
 * The tier table: a guest in the wholesale mall sees each tier as the
 * shop set it; a logged-in customer sees their own price at each tier's
 * quantity (catalog_price(), so what they pay), and only the tiers that
 * lower it below from_fen, their price at the minimum order, and below
 * the tier before. The number of rows, or -1 on a failure.
 */
static int
tier_calc(struct ctx *c, const struct cat_viewer *vw, const struct cat_sku *s,
    int64_t from_fen, struct tier_row **out)
{
	const struct price_tier	*t = cat_tiers(vw->cat, s);
	struct tier_row		*rows;
	struct price_result	 pr;
	int			 i, n = 0;

	*out = rows = arena_alloc(c->d.arena, (s->ntiers + 1) * sizeof(*rows));
	for (i = 0; i < s->ntiers; i++) {
		if (vw->customer_id != 0) {
			if (catalog_price(vw, s, t[i].min_qty, &pr) == -1)
				return -1;
			if (pr.unit_fen >= from_fen)
				continue;
			from_fen = pr.unit_fen;
		} else {
			pr.unit_fen = t[i].price_fen;
			pr.source = PRICE_TIER;
		}
		rows[n].min_qty = t[i].min_qty;
		rows[n].fen = pr.unit_fen;
		rows[n++].source = pr.source;
	}
	return n;
}

/* The tier table as JSON (the product page); NULL on a failure. */
static json_object *
tier_rows(struct ctx *c, const struct cat_viewer *vw, const struct cat_sku *s,
    int64_t from_fen)
{
	struct tier_row	*t;
	json_object	*rows, *row;
	int		 i, n;

	if ((n = tier_calc(c, vw, s, from_fen, &t)) == -1)
		return NULL;
	rows = json_object_new_array();
	for (i = 0; i < n; i++) {
		row = json_object_new_object();
		view_set_i64(row, "min_qty", t[i].min_qty);
		view_set_money(c, row, "price", t[i].fen);
		if (vw->customer_id != 0)
			view_set_str(row, "price_source",
			    price_source_name(t[i].source));
		json_object_array_add(rows, row);
	}
	return rows;
}

/* The same in the list's view model (vm.h). */
static struct vm *
tier_vm(struct ctx *c, const struct cat_viewer *vw, const struct cat_sku *s,
    int64_t from_fen)
{
	struct arena	*a = c->d.arena;
	struct tier_row	*t;
	struct vm	*rows, *row;
	int		 i, n;

	if ((n = tier_calc(c, vw, s, from_fen, &t)) == -1)
		return NULL;
	rows = vm_arr(a, (uint32_t)n);
	for (i = 0; i < n; i++) {
		row = vm_obj(a, 4);
		vm_set_i64(a, row, "min_qty", t[i].min_qty);
		VM_MONEY(c, row, "price", t[i].fen);
		if (vw->customer_id != 0)
			vm_set_str(a, row, "price_source",
			    price_source_name(t[i].source));
		vm_push(a, rows, row);
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

/* prefix then id in decimal, in the arena: the list's links, no printf. */
static char *
link_id(struct arena *a, const char *prefix, size_t n, int64_t id)
{
	char		 d[24], *p = d + sizeof(d), *s;
	uint64_t	 u = id < 0 ? 0 : (uint64_t)id;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	s = arena_alloc(a, n + (size_t)(d + sizeof(d) - p) + 1);
	memcpy(s, prefix, n);
	memcpy(s + n, p, (size_t)(d + sizeof(d) - p));
	s[n + (size_t)(d + sizeof(d) - p)] = '\0';
	return s;
}

/* What a list's rows share: the links' prefixes, who looks, what for. */
struct list_ctx {
	const struct cat_viewer	*vw;
	const char		*url;		/* ".../products/" */
	size_t			 nurl;
	int			 hidden;
};

/* One row of the list; NULL on a failure. */
static struct vm *
product_vm(struct ctx *c, const struct list_ctx *lc,
    const struct cat_product *p)
{
	const struct cat_viewer	*vw = lc->vw;
	const struct catalog	*cat = vw->cat;
	const struct cat_sku	*skus = cat_skus(cat, p), *s = skus;
	struct arena		*a = c->d.arena;
	struct price_result	 pr;
	struct vm		*o = vm_obj(a, 16), *rows;
	const char		*thumb;
	char			*t;
	int64_t			 from = INT64_MAX;
	size_t			 n;
	int			 i;

	vm_set_i64(a, o, "id", p->id);
	vm_set_str(a, o, "code", cat_str(cat, p->code));
	vm_set_str(a, o, "name", cat_str(cat, p->name));
	vm_set_str(a, o, "unit", cat_str(cat, p->unit));
	if (p->thumb) {
		thumb = cat_str(cat, p->thumb);
		n = strlen(thumb);
		t = arena_alloc(a, n + sizeof("/uploads/"));
		memcpy(t, "/uploads/", sizeof("/uploads/") - 1);
		memcpy(t + sizeof("/uploads/") - 1, thumb, n + 1);
		vm_set_strn(a, o, "thumb", t, n + sizeof("/uploads/") - 1);
	} else
		vm_set_str(a, o, "thumb", NULL);
	vm_set_str(a, o, "url", link_id(a, lc->url, lc->nurl, p->id));
	vm_set_i64(a, o, "sku_count", p->nskus);
	vm_set_bool(a, o, "price_hidden", lc->hidden);
	if (lc->hidden)
		return o;
	/* The lowest price among the SKUs at their minimum order. */
	for (i = 0; i < p->nskus; i++) {
		if (catalog_price(vw, &skus[i], skus[i].min_qty, &pr) == -1)
			return NULL;
		if (pr.unit_fen < from) {
			from = pr.unit_fen;
			s = &skus[i];
		}
	}
	VM_MONEY(c, o, "price", from);
	vm_set_bool(a, o, "price_range", p->nskus > 1);
	/*
	 * A customer adds a one-SKU product from the list (and search) at
	 * its least quantity; several SKUs need the product page to choose.
	 * The cart checks stock and rules.
	 */
	if (vw->customer_id != 0 && vw->mode != SHOP_MODE_RETAIL &&
	    p->nskus == 1) {
		vm_set_i64(a, o, "add_sku", skus[0].id);
		vm_set_i64(a, o, "add_qty", skus[0].qty_first);
	}
	if (shows_tiers(vw) && s->ntiers > 0) {
		if ((rows = tier_vm(c, vw, s, from)) == NULL)
			return NULL;
		vm_set(a, o, "tiers", rows);
	}
	return o;
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
list_links(struct ctx *c, struct vm *v, const char *slug,
    const struct cat_query *q, const struct cat_page *pg, const char *sortv)
{
	struct arena	*a = c->d.arena;
	const char	*qs = q->q ? url_encode(a, q->q) : "";
	char		*base;

	if (pg->page <= 1 && pg->page >= pg->pages)
		return;
	base = arena_printf(a, "%s/%s/products?cat=%" PRId64 "&q=%s"
	    "&sort=%s&page=", c->base, slug, q->category_id, qs, sortv);
	if (pg->page > 1)
		vm_set_str(a, v, "prev_url", link_id(a, base, strlen(base),
		    pg->page - 1));
	if (pg->page < pg->pages)
		vm_set_str(a, v, "next_url", link_id(a, base, strlen(base),
		    pg->page + 1));
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

/* What every chip of a list shares. */
struct chips {
	const struct catalog	*cat;
	struct vm		*rows;
	const int64_t		*path;
	int			 npath;
	int64_t			 active;
	const char		*url;		/* ".../products?cat=" */
	size_t			 nurl;
};

/*
 * The chips under parent, in the catalog's order (sort, id), each one on
 * the active path followed by its own children: a parent and its
 * subcategories stay together instead of scattered by id. Empty
 * categories are left out: a shopper has nothing to find there.
 */
static void
category_level(struct ctx *c, const struct chips *ch, int64_t parent,
    int depth)
{
	const struct catalog		*cat = ch->cat;
	const struct cat_category	*k;
	struct arena			*a = c->d.arena;
	struct vm			*o;
	uint32_t			 i;

	for (i = 0; i < cat->ncategories; i++) {
		k = &cat->categories[i];
		if (k->parent_id != parent || k->nproducts == 0)
			continue;
		o = vm_obj(a, 8);
		vm_set_i64(a, o, "id", k->id);
		vm_set_str(a, o, "name", cat_str(cat, k->name));
		vm_set_i64(a, o, "products", k->nproducts);
		vm_set_i64(a, o, "depth", depth);
		vm_set_bool(a, o, "active", k->id == ch->active);
		vm_set_bool(a, o, "open", k->id != ch->active &&
		    on_path(ch->path, ch->npath, k->id));
		vm_set_bool(a, o, "child", depth > 0);
		vm_set_str(a, o, "url", link_id(a, ch->url, ch->nurl, k->id));
		vm_push(a, ch->rows, o);
		if (depth + 1 < CAT_DEPTH_MAX &&
		    on_path(ch->path, ch->npath, k->id))
			category_level(c, ch, k->id, depth + 1);
	}
}

/* The top level, with the path down to the active category open. */
static struct vm *
category_rows(struct ctx *c, const struct catalog *cat, int64_t active,
    const char *slug)
{
	const struct cat_category	*k;
	struct chips			 ch;
	int64_t				 path[CAT_DEPTH_MAX];
	int				 npath = 0;

	for (k = catalog_category(cat, active); k != NULL &&
	    npath < CAT_DEPTH_MAX; k = catalog_category(cat, k->parent_id))
		path[npath++] = k->id;
	ch.cat = cat;
	ch.rows = vm_arr(c->d.arena, 16);
	ch.path = path;
	ch.npath = npath;
	ch.active = active;
	ch.url = arena_printf(c->d.arena, "%s/%s/products?cat=", c->base,
	    slug);
	ch.nurl = strlen(ch.url);
	category_level(c, &ch, 0, 0);
	return ch.rows;
}

/* "薯片 · 第 2 页 - 批发商城": what the list shows, for the tab and the
 * heading; the shop's name follows in the layout. */
static void
list_title(struct ctx *c, struct vm *v, const struct catalog *cat,
    const struct cat_query *q, const struct cat_page *pg, int mode)
{
	const struct cat_category	*k = catalog_category(cat,
					    q->category_id);
	const char			*mall = mode == SHOP_MODE_ORDERING ?
	    "订货商城" : mode == SHOP_MODE_WHOLESALE ? "批发商城" : "零售商城";
	const char			*what;
	struct arena			*a = c->d.arena;

	what = q->q != NULL && *q->q != '\0' ? arena_printf(a,
	    "“%s”", q->q) : k != NULL ? cat_str(cat, k->name) : NULL;
	vm_set_str(a, v, "heading", what != NULL ? what : mall);
	vm_set_str(a, v, "category_name", k != NULL ? cat_str(cat, k->name) :
	    NULL);
	if (what == NULL && pg->page <= 1) {
		c->title = mall;
		return;
	}
	c->title = arena_printf(a, "%s%s%s%s", what ? what : "",
	    pg->page > 1 ? arena_printf(a, "%s第 %" PRId64 " 页",
	    what ? " · " : "", pg->page) : "", what || pg->page > 1 ? " - " :
	    "", mall);
}

/* The list's storefront keys, as mode_view() gives the product page. */
static void
mode_vm(struct arena *a, struct vm *v, int mode, const char *slug)
{
	size_t	i;

	vm_set_str(a, v, "mode", slug);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i].mode == mode)
			vm_set_str(a, v, "mode_name", modes[i].name);
	vm_set_bool(a, v, "is_ordering", mode == SHOP_MODE_ORDERING);
	vm_set_bool(a, v, "is_wholesale", mode == SHOP_MODE_WHOLESALE);
	vm_set_bool(a, v, "is_retail", mode == SHOP_MODE_RETAIL);
}

/*
 * The list and search page, H5 and JSON: one view model (vm.h, in the
 * arena: this is the hottest page), rendered or sent like any other.
 */
static int
h_catalog_list(struct ctx *c)
{
	const struct catalog	*cat;
	struct arena		*a = c->d.arena;
	struct cat_viewer	 vw;
	struct cat_query	 q;
	struct cat_page		 pg;
	struct list_ctx		 lc;
	struct vm		*v, *items, *o, *sortrows;
	const char		*slug, *sortv = kv_get(&c->query, "sort");
	size_t			 i;
	int			 mode, rc;

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

	v = view_vm(c, 24);
	mode_vm(a, v, mode, slug);
	lc.vw = &vw;
	lc.hidden = prices_hidden(c, mode);
	lc.url = arena_printf(a, "%s/%s/products/", c->base, slug);
	lc.nurl = strlen(lc.url);
	items = vm_arr(a, (uint32_t)pg.n);
	vm_set(a, v, "products", items);
	for (i = 0; i < (size_t)pg.n; i++) {
		if ((o = product_vm(c, &lc, pg.items[i])) == NULL)
			return http_fail(c, ERR_INTERNAL, NULL);
		if (i < 2)	/* above the fold on a phone: no lazy load */
			vm_set_bool(a, o, "eager", 1);
		vm_push(a, items, o);
	}
	vm_set_i64(a, v, "total", pg.total);
	vm_set_i64(a, v, "page", pg.page);
	vm_set_i64(a, v, "pages", pg.pages);
	vm_set_bool(a, v, "empty", pg.n == 0);
	vm_set_str(a, v, "q", q.q);
	vm_set_i64(a, v, "cat", q.category_id);
	vm_set_bool(a, v, "customer_prices", vw.customer_id != 0);
	vm_set(a, v, "categories", category_rows(c, cat, q.category_id, slug));
	sortrows = vm_arr(a, sizeof(sorts) / sizeof(sorts[0]));
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		o = vm_obj(a, 3);
		vm_set_str(a, o, "value", sorts[i].value);
		vm_set_str(a, o, "label", sorts[i].label);
		vm_set_bool(a, o, "active", strcmp(sortv, sorts[i].value) == 0);
		vm_push(a, sortrows, o);
	}
	vm_set(a, v, "sorts", sortrows);
	vm_set_str(a, v, "action", arena_strndup(a, lc.url, lc.nurl - 1));
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
