/*
 * product.c -- products and their SKUs read from the database: what the
 * back office edits and lists, what a delete would take, and what the
 * storefront's product page shows beside the catalog cache (catalog.c).
 * Every read is scoped by c->shop: another shop's product is not found.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/shop.h"
#include "domain/product.h"

static const char sql_sku_by_code[] =
    "SELECT s.id, s.code, p.name, s.spec, s.unit, s.price_fen, s.min_qty, "
    "s.barcode FROM sku s JOIN product p ON p.id = s.product_id "
    "WHERE s.shop_id = ? AND s.code = ?";
/* The same columns; a code or barcode typed in full comes first. */
static const char sql_sku_search[] =
    "SELECT s.id, s.code, p.name, s.spec, s.unit, s.price_fen, s.min_qty, "
    "s.barcode FROM sku s JOIN product p ON p.id = s.product_id "
    "WHERE s.shop_id = ? AND (p.name LIKE ? OR p.code LIKE ? "
    "OR s.code LIKE ? OR s.barcode LIKE ? OR s.spec LIKE ?) "
    "ORDER BY (s.code = ? OR s.barcode = ?) DESC, p.sort, p.id DESC, "
    "s.sort, s.id LIMIT ?";
static const char sql_exists[] =
    "SELECT id FROM product WHERE id = ? AND shop_id = ?";
static const char sql_brief[] =
    "SELECT code, name, on_shelf FROM product WHERE id = ? AND shop_id = ?";
static const char sql_product[] =
    "SELECT code, name, COALESCE(category_id, 0), unit, on_shelf, "
    "FIND_IN_SET('ordering', visible) > 0, "
    "FIND_IN_SET('wholesale', visible) > 0, "
    "FIND_IN_SET('retail', visible) > 0, sort, description "
    "FROM product WHERE id = ? AND shop_id = ?";
static const char sql_description[] =
    "SELECT description FROM product WHERE id = ? AND shop_id = ?";
static const char sql_skus[] =
    "SELECT id, code, barcode, spec, unit, pack_size, min_qty, stock, "
    "weight_g, price_fen, COALESCE(retail_price_fen, -1), pack_only "
    "FROM sku WHERE product_id = ? AND shop_id = ? ORDER BY sort, id";
static const char sql_tiers[] =
    "SELECT t.sku_id, t.min_qty, t.price_fen FROM price_tier t "
    "JOIN sku s ON s.id = t.sku_id WHERE s.product_id = ? "
    "AND t.shop_id = ? ORDER BY t.sku_id, t.min_qty";
static const char sql_images[] =
    "SELECT id, path, thumb_path, width, height FROM product_image "
    "WHERE product_id = ? AND shop_id = ? ORDER BY sort, id LIMIT ?";
static const char sql_usage[] =
    "SELECT p.code, p.name, (SELECT COUNT(*) FROM sku s "
    "WHERE s.product_id = p.id), (SELECT COUNT(*) FROM product_image i "
    "WHERE i.product_id = p.id), (SELECT COUNT(*) FROM inquiry_item q "
    "WHERE q.product_id = p.id), (SELECT COUNT(*) FROM order_line l "
    "JOIN sku s ON s.id = l.sku_id WHERE s.product_id = p.id) "
    "FROM product p WHERE p.id = ? AND p.shop_id = ?";

#define LIST_WITH \
    "WITH RECURSIVE sub (id) AS (SELECT id FROM category WHERE shop_id = ? " \
    "AND id = ? UNION SELECT k.id FROM category k JOIN sub " \
    "ON k.parent_id = sub.id WHERE k.shop_id = ?) "
#define LIST_WHERE \
    "WHERE p.shop_id = ? AND (? = 0 OR p.category_id IN " \
    "(SELECT id FROM sub)) AND (? = -1 OR p.on_shelf = ?) AND (? = '' " \
    "OR p.name LIKE ? OR p.code LIKE ? OR EXISTS (SELECT 1 FROM sku s " \
    "WHERE s.product_id = p.id AND (s.code LIKE ? OR s.barcode LIKE ?))) "
static const char sql_list_count[] =
    LIST_WITH "SELECT COUNT(*) FROM product p " LIST_WHERE;
static const char sql_list[] =
    LIST_WITH "SELECT p.id, p.code, p.name, p.on_shelf, k.name, "
    "(SELECT COUNT(*) FROM sku s WHERE s.product_id = p.id), "
    "(SELECT MIN(s.price_fen) FROM sku s WHERE s.product_id = p.id), "
    "(SELECT MAX(s.price_fen) FROM sku s WHERE s.product_id = p.id), "
    "(SELECT COALESCE(SUM(s.stock), 0) FROM sku s "
    "WHERE s.product_id = p.id), "
    "(SELECT i.thumb_path FROM product_image i WHERE i.product_id = p.id "
    "ORDER BY i.sort, i.id LIMIT 1), COALESCE(p.category_id, 0) "
    "FROM product p LEFT JOIN category k ON k.id = p.category_id "
    LIST_WHERE "ORDER BY p.sort, p.id DESC LIMIT ? OFFSET ?";

static void
brief_fill(const struct db_res *r, int i, struct sku_brief *out)
{
	out->id = db_cell_i64(r, i, 0);
	out->code = db_cell(r, i, 1);
	out->name = db_cell(r, i, 2);
	out->spec = db_cell(r, i, 3);
	out->unit = db_cell(r, i, 4);
	out->price_fen = db_cell_i64(r, i, 5);
	out->min_qty = db_cell_i64(r, i, 6);
	out->barcode = db_cell(r, i, 7);
}

/* A SKU of the request's shop by its code: 0, ERR_NOT_FOUND, ERR_INTERNAL. */
int
product_sku_by_code(struct dctx *c, const char *code, struct sku_brief *out)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_sku_by_code, "is", c->shop->id,
	    code) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	brief_fill(r, 0, out);
	return 0;
}

/*
 * At most max SKUs of the request's shop whose product name, 货号, code,
 * barcode or spec holds q (a form that names a SKU: pick it from these).
 * 0 or ERR_INTERNAL.
 */
int
product_sku_search(struct dctx *c, const char *q, int max,
    struct sku_brief **out, int *n)
{
	struct db_res	*r;
	const char	*like = like_pattern(c->arena, q);
	int		 i;

	*n = 0;
	if (db_run(c->arena, &r, sql_sku_search, "isssssssi", c->shop->id,
	    like, like, like, like, like, q, q, (int64_t)max) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++)
		brief_fill(r, i, &(*out)[i]);
	*n = r->nrows;
	return 0;
}

/* Is id a product of c->shop? 0, ERR_NOT_FOUND, ERR_INTERNAL. */
int
product_exists(struct dctx *c, int64_t id)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_exists, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return r->nrows > 0 ? 0 : ERR_NOT_FOUND;
}

/*
 * A product's code, name and shelf state in a list row (the rest zero):
 * 0, ERR_NOT_FOUND, ERR_INTERNAL.
 */
int
product_brief(struct dctx *c, int64_t id, struct product_row *w)
{
	struct db_res	*r;

	memset(w, 0, sizeof(*w));
	if (db_run(c->arena, &r, sql_brief, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	w->id = id;
	w->code = db_cell(r, 0, 0);
	w->name = db_cell(r, 0, 1);
	w->on_shelf = db_cell_i64(r, 0, 2) != 0;
	return 0;
}

/* A product's SKUs, without their tiers (row i of r is SKU i). */
static int
skus_read(struct dctx *c, int64_t id, struct product_sku **out, int *n)
{
	struct product_sku	*s;
	struct db_res		*r;
	int			 i;

	if (db_run(c->arena, &r, sql_skus, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		s = &(*out)[i];
		s->id = db_cell_i64(r, i, 0);
		s->row = i;
		s->code = db_cell(r, i, 1);
		s->barcode = db_cell(r, i, 2);
		s->spec = db_cell(r, i, 3);
		s->unit = db_cell(r, i, 4);
		s->pack_size = db_cell_i64(r, i, 5);
		s->min_qty = db_cell_i64(r, i, 6);
		s->stock = db_cell_i64(r, i, 7);
		s->weight_g = db_cell_i64(r, i, 8);
		s->price_fen = db_cell_i64(r, i, 9);
		s->retail_fen = db_cell_i64(r, i, 10);
		s->pack_only = db_cell_i64(r, i, 11) != 0;
	}
	*n = r->nrows;
	return 0;
}

/*
 * The stored product with its SKUs and their tiers, for the back office.
 * 0, ERR_NOT_FOUND (not c->shop's), ERR_INTERNAL.
 */
int
product_load(struct dctx *c, int64_t id, struct product *p)
{
	struct product_sku	*s;
	struct db_res		*r, *t;
	int			 i, k, rc;

	memset(p, 0, sizeof(*p));
	if (db_run(c->arena, &r, sql_product, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	if ((rc = skus_read(c, id, &p->skus, &p->nskus)) != 0)
		return rc;
	if (db_run(c->arena, &t, sql_tiers, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	p->id = id;
	p->code = db_cell(r, 0, 0);
	p->name = db_cell(r, 0, 1);
	p->category_id = db_cell_i64(r, 0, 2);
	p->unit = db_cell(r, 0, 3);
	p->on_shelf = db_cell_i64(r, 0, 4) != 0;
	p->visible = (db_cell_i64(r, 0, 5) ? SHOP_MODE_ORDERING : 0) |
	    (db_cell_i64(r, 0, 6) ? SHOP_MODE_WHOLESALE : 0) |
	    (db_cell_i64(r, 0, 7) ? SHOP_MODE_RETAIL : 0);
	p->sort = db_cell_i64(r, 0, 8);
	p->description = db_cell(r, 0, 9);
	for (i = 0; i < p->nskus; i++) {
		s = &p->skus[i];
		for (k = 0; k < t->nrows; k++)
			if (db_cell_i64(t, k, 0) == s->id &&
			    s->ntiers < PRODUCT_TIERS_MAX) {
				s->tiers[s->ntiers].min_qty =
				    db_cell_i64(t, k, 1);
				s->tiers[s->ntiers++].price_fen =
				    db_cell_i64(t, k, 2);
			}
	}
	return 0;
}

/* At most max of a product's images, in their order. 0 or ERR_INTERNAL. */
int
product_images(struct dctx *c, int64_t id, int max,
    struct product_image **out, int *n)
{
	struct product_image	*im;
	struct db_res		*r;
	int			 i;

	*n = 0;
	if (db_run(c->arena, &r, sql_images, "iii", id, c->shop->id,
	    (int64_t)max) == -1)
		return ERR_INTERNAL;
	*out = arena_alloc(c->arena, (size_t)(r->nrows + 1) * sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		im = &(*out)[i];
		im->id = db_cell_i64(r, i, 0);
		im->path = db_cell(r, i, 1);
		im->thumb = db_cell(r, i, 2);
		im->width = db_cell_i64(r, i, 3);
		im->height = db_cell_i64(r, i, 4);
	}
	*n = r->nrows;
	return 0;
}

/*
 * What the storefront's product page needs beyond the catalog cache:
 * the description, the SKUs' details and the images. The caller found
 * the product in the cache; prices come from there. 0 or ERR_INTERNAL.
 */
int
product_detail(struct dctx *c, int64_t id, struct product_detail *d)
{
	struct db_res	*r;
	int		 rc;

	memset(d, 0, sizeof(*d));
	if (db_run(c->arena, &r, sql_description, "ii", id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	d->description = r->nrows ? db_cell(r, 0, 0) : "";
	if ((rc = product_images(c, id, PRODUCT_IMAGES_MAX, &d->images,
	    &d->nimages)) != 0 || (rc = skus_read(c, id, &d->skus,
	    &d->nskus)) != 0)
		return rc;
	return 0;
}

/*
 * One page of the back office's product list, newest first within a
 * sort value, with the total the query matches. 0 or ERR_INTERNAL.
 */
int
product_list(struct dctx *c, const struct product_query *q,
    struct product_list *out)
{
	struct product_row	*w;
	struct db_res		*r;
	const char		*like = like_pattern(c->arena, q->q);
	int64_t			 sid = c->shop->id, shelf = q->on_shelf;
	int			 i;

	memset(out, 0, sizeof(*out));
	if (db_run(c->arena, &r, sql_list_count, "iiiiiiisssss", sid,
	    q->category_id, sid, sid, q->category_id, shelf, shelf, q->q, like,
	    like, like, like) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_list, "iiiiiiisssssii", sid,
	    q->category_id, sid, sid, q->category_id, shelf, shelf, q->q, like,
	    like, like, like, q->limit, q->offset) == -1)
		return ERR_INTERNAL;
	out->v = arena_alloc(c->arena, (size_t)(r->nrows + 1) *
	    sizeof(*out->v));
	for (i = 0; i < r->nrows; i++) {
		w = &out->v[i];
		w->id = db_cell_i64(r, i, 0);
		w->code = db_cell(r, i, 1);
		w->name = db_cell(r, i, 2);
		w->on_shelf = db_cell_i64(r, i, 3) != 0;
		w->category = db_cell(r, i, 4);
		w->nskus = db_cell_i64(r, i, 5);
		w->price_min_fen = db_cell_i64(r, i, 6);
		w->price_max_fen = db_cell_i64(r, i, 7);
		w->stock = db_cell_i64(r, i, 8);
		w->thumb = db_cell(r, i, 9);
		w->category_id = db_cell_i64(r, i, 10);
	}
	out->n = r->nrows;
	return 0;
}

/* What deleting a product takes with it: 0, ERR_NOT_FOUND, ERR_INTERNAL. */
int
product_usage(struct dctx *c, int64_t id, struct product_usage *u)
{
	struct db_res	*r;

	memset(u, 0, sizeof(*u));
	if (db_run(c->arena, &r, sql_usage, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	u->code = db_cell(r, 0, 0);
	u->name = db_cell(r, 0, 1);
	u->nskus = db_cell_i64(r, 0, 2);
	u->nimages = db_cell_i64(r, 0, 3);
	u->ninquiries = db_cell_i64(r, 0, 4);
	u->nordered = db_cell_i64(r, 0, 5);
	return 0;
}
