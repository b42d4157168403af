/*
 * product_save.c -- a product with its SKUs and tiers checked against the
 * shop and written in one transaction with the version bump (every
 * worker's storefront reloads) and the audit line; its shelf state; its
 * delete. Another shop's product is ERR_NOT_FOUND like a missing one.
 */
#include "base/base.h"
#include "base/sanitize.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/shop.h"
#include "domain/product.h"
#include "domain/stock.h"


static const char sql_cat_in_shop[] =
    "SELECT id FROM category WHERE id = ? AND shop_id = ?";
static const char sql_code_taken[] =
    "SELECT id FROM product WHERE shop_id = ? AND code = ? AND id <> ?";
static const char sql_sku_taken[] =
    "SELECT p.code FROM sku s JOIN product p ON p.id = s.product_id "
    "WHERE s.shop_id = ? AND s.code = ? AND s.product_id <> ?";
static const char sql_sku_codes[] =
    "SELECT id, code FROM sku WHERE product_id = ? AND shop_id = ?";
static const char sql_lock[] =
    "SELECT id FROM product WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_add[] =
    "INSERT INTO product (shop_id, category_id, code, name, unit, "
    "description, on_shelf, visible, sort) "
    "VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?)";
static const char sql_set[] =
    "UPDATE product SET category_id = NULLIF(?, 0), code = ?, name = ?, "
    "unit = ?, description = ?, on_shelf = ?, visible = ?, sort = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_sku_del[] =
    "DELETE FROM sku WHERE id = ? AND product_id = ? AND shop_id = ?";
/* Out of the way first, so that two SKUs may swap codes. */
static const char sql_sku_park[] =
    "UPDATE sku SET code = CONCAT(' ~', id) "
    "WHERE id = ? AND product_id = ? AND shop_id = ?";
/* Stock starts at 0: what it has is its first movement (stock.c). */
static const char sql_sku_add[] =
    "INSERT INTO sku (shop_id, product_id, code, barcode, spec, unit, "
    "pack_size, min_qty, pack_only, stock, weight_g, price_fen, "
    "retail_price_fen, sort) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)";
static const char sql_sku_set[] =
    "UPDATE sku SET code = ?, barcode = ?, spec = ?, unit = ?, "
    "pack_size = ?, min_qty = ?, pack_only = ?, weight_g = ?, "
    "price_fen = ?, retail_price_fen = ?, sort = ? "
    "WHERE id = ? AND product_id = ? AND shop_id = ?";
/* order_line -> sku is RESTRICT: an ordered SKU stays. */
static const char sql_sku_ordered[] =
    "SELECT COUNT(*) FROM order_line WHERE shop_id = ? AND sku_id = ?";
static const char sql_tiers_del[] =
    "DELETE FROM price_tier WHERE sku_id = ? AND shop_id = ?";
static const char sql_tier_add[] =
    "INSERT INTO price_tier (shop_id, sku_id, min_qty, price_fen) "
    "VALUES (?, ?, ?, ?)";
static const char sql_shelf_get[] =
    "SELECT on_shelf, code FROM product WHERE id = ? AND shop_id = ? "
    "FOR UPDATE";
static const char sql_shelf_set[] =
    "UPDATE product SET on_shelf = ? WHERE id = ? AND shop_id = ?";
static const char sql_del_lock[] =
    "SELECT p.code, (SELECT COUNT(*) FROM inquiry_item q "
    "WHERE q.product_id = p.id), (SELECT COUNT(*) FROM order_line l "
    "JOIN sku s ON s.id = l.sku_id WHERE s.product_id = p.id) "
    "FROM product p WHERE p.id = ? AND p.shop_id = ? FOR UPDATE";
static const char sql_del_images[] =
    "SELECT path, thumb_path FROM product_image WHERE product_id = ? "
    "AND shop_id = ?";
static const char sql_del[] =
    "DELETE FROM product WHERE id = ? AND shop_id = ?";

/*
 * A code (货号, SKU code, barcode): printable, no spaces, at most max
 * characters. NULL if fine, else why not.
 */
const char *
product_code_problem(const char *s, int max)
{
	const char	*p;

	if (*s == '\0')
		return "不能为空";
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "不能包含空格或控制字符";
	if (utf8_len(s) > (size_t)max)
		return max == PRODUCT_CODE_MAX ? "最多 64 个字符" :
		    "最多 32 个字符";
	return NULL;
}

/* The SKUs' own codes, and against each other (in the order given). */
static void
check_rows(struct dctx *c, const struct product *p, struct field_errors *fe)
{
	const struct product_sku	*a, *b;
	const char			*why;
	int				 i, j, kept = 0;

	for (i = 0; i < p->nskus; i++) {
		a = &p->skus[i];
		if (a->remove)
			continue;
		kept++;
		if (a->code != NULL && (why = product_code_problem(a->code,
		    PRODUCT_CODE_MAX)) != NULL)
			field_error_add(c->arena, fe, PRODUCT_SKU_CODE, a->row,
			    "%s", why);
		if (a->barcode != NULL && *a->barcode != '\0' &&
		    (why = product_code_problem(a->barcode,
		    PRODUCT_BARCODE_MAX)) != NULL)
			field_error_add(c->arena, fe, PRODUCT_SKU_BARCODE,
			    a->row, "%s", why);
		for (j = 0; j < i; j++) {
			b = &p->skus[j];
			if (a->id != 0 && b->id == a->id)
				field_error_add(c->arena, fe, PRODUCT_SKU_ID,
				    a->row, "重复提交了同一个规格");
			/* Unique per shop regardless of case, as the column. */
			if (!b->remove && a->code != NULL && b->code != NULL &&
			    strcasecmp(a->code, b->code) == 0)
				field_error_add(c->arena, fe, PRODUCT_SKU_CODE,
				    a->row, "与规格 %d 重复", b->row + 1);
		}
	}
	if (kept == 0)
		field_error_add(c->arena, fe, PRODUCT_SKUS, -1,
		    "至少填写一个规格（编码和价格）");
}

/* Is a stored SKU of the product one of p's? */
static int
in_product(const struct product *p, int64_t sku_id)
{
	int	i;

	for (i = 0; i < p->nskus; i++)
		if (p->skus[i].id == sku_id)
			return 1;
	return 0;
}

/*
 * The SKUs against the product's stored ones, then the shop's. A code a
 * stored SKU that p leaves alone still holds is taken (an API client may
 * send only some SKUs).
 */
static int
check_stored(struct dctx *c, const struct product *p, struct field_errors *fe)
{
	const struct product_sku	*s;
	struct db_res			*r, *t;
	int				 i, k, found;

	if (db_run(c->arena, &r, sql_sku_codes, "ii", p->id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < p->nskus; i++) {
		s = &p->skus[i];
		for (k = 0, found = 0; s->id != 0 && k < r->nrows; k++)
			found |= db_cell_i64(r, k, 0) == s->id;
		if (s->id != 0 && !found)
			field_error_add(c->arena, fe, PRODUCT_SKU_ID, s->row,
			    "规格不存在或不属于此商品");
	}
	for (i = 0; i < p->nskus; i++) {
		s = &p->skus[i];
		if (s->remove || s->code == NULL)
			continue;
		for (k = 0; k < r->nrows; k++)
			if (strcasecmp(db_cell(r, k, 1), s->code) == 0 &&
			    !in_product(p, db_cell_i64(r, k, 0)))
				field_error_add(c->arena, fe, PRODUCT_SKU_CODE,
				    s->row, "与本商品的另一个规格重复");
		if (db_run(c->arena, &t, sql_sku_taken, "isi", c->shop->id,
		    s->code, p->id) == -1)
			return ERR_INTERNAL;
		if (t->nrows > 0)
			field_error_add(c->arena, fe, PRODUCT_SKU_CODE, s->row,
			    "已被商品 %s 使用", db_cell(t, 0, 0));
	}
	return 0;
}

/*
 * Check p before product_save: its codes, its SKUs against each other,
 * and what only the database knows (the category, codes of the shop's
 * other products). Adds to fe what is wrong, field by field; parts the
 * form already refused are NULL and skipped. 0 or ERR_INTERNAL.
 */
int
product_check(struct dctx *c, const struct product *p,
    struct field_errors *fe)
{
	struct db_res	*r;
	const char	*why;
	int64_t		 sid = c->shop->id;

	if (p->code != NULL && (why = product_code_problem(p->code,
	    PRODUCT_CODE_MAX)) != NULL)
		field_error_add(c->arena, fe, PRODUCT_CODE, -1, "%s", why);
	if (p->description != NULL && strlen(p->description) > SANITIZE_MAX)
		field_error_add(c->arena, fe, PRODUCT_DESCRIPTION, -1,
		    "最多 %d KB", SANITIZE_MAX / 1024);
	check_rows(c, p, fe);
	if (p->category_id != 0) {
		if (db_run(c->arena, &r, sql_cat_in_shop, "ii", p->category_id,
		    sid) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			field_error_add(c->arena, fe, PRODUCT_CATEGORY, -1,
			    "分类不存在");
	}
	if (p->code != NULL && *p->code != '\0') {
		if (db_run(c->arena, &r, sql_code_taken, "isi", sid, p->code,
		    p->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows > 0)
			field_error_add(c->arena, fe, PRODUCT_CODE, -1,
			    "已被其他商品使用");
	}
	return check_stored(c, p, fe);
}

struct save {
	const struct product	*p;
	const char		*description;	/* sanitized */
	const char		*visible;	/* the SET's value */
	int64_t			 saved_id;
	int			 raced;		/* stocks changed meanwhile */
};

static int
fail(struct dctx *c)
{
	if (db_duplicate()) {
		c->error = "货号或规格编码刚被其他商品占用，请检查后重试";
		return ERR_CONFLICT;
	}
	return ERR_INTERNAL;
}

static int
sku_write(struct dctx *c, const struct product *p,
    const struct product_sku *s, int64_t pid, int64_t sort)
{
	struct db_res	*r;
	const char	*unit = s->unit != NULL ? s->unit : p->unit;
	const char	*retail = s->retail_fen >= 0 ? arena_printf(c->arena,
	    "%" PRId64, s->retail_fen) : NULL;
	int64_t		 sid = c->shop->id, id = s->id;
	int		 i, rc;

	if (id != 0)
		rc = db_run(c->arena, NULL, sql_sku_set, "ssssiiiiisiiii",
		    s->code, s->barcode, s->spec, unit, s->pack_size,
		    s->min_qty, (int64_t)s->pack_only, s->weight_g,
		    s->price_fen, retail, sort, id, pid, sid);
	else {
		rc = db_run(c->arena, &r, sql_sku_add, "iissssiiiiisi", sid,
		    pid, s->code, s->barcode, s->spec, unit, s->pack_size,
		    s->min_qty, (int64_t)s->pack_only, s->weight_g,
		    s->price_fen, retail, sort);
		if (rc == 0)
			id = (int64_t)r->insert_id;
		if (rc == 0 && s->stock > 0 && stock_set(c, id, s->stock,
		    STOCK_ADJUST, "新规格", NULL) != 0)
			return -1;
	}
	if (rc == -1 || db_run(c->arena, NULL, sql_tiers_del, "ii", id,
	    sid) == -1)
		return -1;
	for (i = 0; i < s->ntiers; i++)
		if (db_run(c->arena, NULL, sql_tier_add, "iiii", sid, id,
		    s->tiers[i].min_qty, s->tiers[i].price_fen) == -1)
			return -1;
	return 0;
}

/* The stored SKUs p names: removed, or parked when their code changes. */
static int
skus_prepare(struct dctx *c, const struct product *p, int64_t pid)
{
	const struct product_sku	*s;
	struct db_res			*r, *t;
	const char			*old;
	int				 i, k;

	if (db_run(c->arena, &r, sql_sku_codes, "ii", pid, c->shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < p->nskus; i++) {
		if ((s = &p->skus[i])->id == 0)
			continue;
		for (k = 0, old = NULL; k < r->nrows; k++)
			if (db_cell_i64(r, k, 0) == s->id)
				old = db_cell(r, k, 1);
		if (old == NULL) {
			c->error = "规格刚被删除或已不属于此商品，请刷新后重试";
			return ERR_CONFLICT;
		}
		if (s->remove) {
			if (db_run(c->arena, &t, sql_sku_ordered, "ii",
			    c->shop->id, s->id) == -1)
				return ERR_INTERNAL;
			if (db_cell_i64(t, 0, 0) > 0) {
				c->error = arena_printf(c->arena, "规格 %s "
				    "已有订单，不能删除，可以下架", old);
				return ERR_CONFLICT;
			}
			if (db_run(c->arena, NULL, sql_sku_del, "iii", s->id,
			    pid, c->shop->id) == -1)
				return ERR_INTERNAL;
		}
		if (!s->remove && strcmp(old, s->code) != 0 &&
		    db_run(c->arena, NULL, sql_sku_park, "iii", s->id, pid,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
	}
	return 0;
}

/*
 * The stored SKUs' stock as movements, in ascending SKU id (the lock
 * order of stock.c): the change the form made to the stock it showed, so
 * that what an order took meanwhile stays taken; a stock without the one
 * shown (an API client) is a count, set. sv->raced counts the SKUs
 * whose stock had moved since the form was shown.
 */
static int
stocks_write(struct dctx *c, struct save *sv)
{
	const struct product	*p = sv->p;
	const struct product_sku *s;
	int			*ix, i, k, t, rc = 0, raced;

	ix = arena_calloc(c->arena, (size_t)p->nskus + 1, sizeof(*ix));
	for (i = 0; i < p->nskus; i++) {
		for (k = i; k > 0 && p->skus[ix[k - 1]].id > p->skus[i].id;
		    k--)
			ix[k] = ix[k - 1];
		ix[k] = i;
	}
	for (t = 0; t < p->nskus; t++) {
		s = &p->skus[ix[t]];
		if (s->id == 0 || s->remove || s->stock < 0)
			continue;
		if (s->stock_was < 0)
			rc = stock_set(c, s->id, s->stock, STOCK_ADJUST,
			    "后台设定", NULL);
		else if (s->stock == s->stock_was)
			continue;
		else if ((rc = stock_change(c, s->id, s->stock_was, s->stock,
		    arena_printf(c->arena, "商品表单 %" PRId64 " → %" PRId64,
		    s->stock_was, s->stock), &raced)) == 0)
			sv->raced += raced;
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Product, SKUs, tiers, version bump, audit: all or nothing. */
static int
tx_save(struct dctx *c, void *arg)
{
	struct save		*sv = arg;
	const struct product	*p = sv->p;
	struct db_res		*r;
	int64_t			 sid = c->shop->id, pid = p->id, sort = 0;
	int			 i, rc;

	sv->saved_id = 0;
	sv->raced = 0;
	if (pid == 0) {
		if (db_run(c->arena, &r, sql_add, "iissssisi", sid,
		    p->category_id, p->code, p->name, p->unit,
		    sv->description, (int64_t)p->on_shelf, sv->visible,
		    p->sort) == -1)
			return fail(c);
		pid = (int64_t)r->insert_id;
	} else {
		if (db_run(c->arena, &r, sql_lock, "ii", pid, sid) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			return ERR_NOT_FOUND;
		if (db_run(c->arena, NULL, sql_set, "issssisiii",
		    p->category_id, p->code, p->name, p->unit,
		    sv->description, (int64_t)p->on_shelf, sv->visible,
		    p->sort, pid, sid) == -1)
			return fail(c);
	}
	if ((rc = skus_prepare(c, p, pid)) != 0 ||
	    (rc = stocks_write(c, sv)) != 0)
		return rc;
	for (i = 0; i < p->nskus; i++)
		if (!p->skus[i].remove && sku_write(c, p, &p->skus[i], pid,
		    sort++) == -1)
			return fail(c);
	if (shop_touch(c, sid) != 0 || audit(c, "product.save", "product=%"
	    PRId64 " code=%s skus=%" PRId64 "%s", pid, p->code, sort,
	    p->id == 0 ? " new" : "") != 0)
		return ERR_INTERNAL;
	sv->saved_id = pid;
	return 0;
}

/*
 * Write p (checked by product_check): a new product when p->id is 0,
 * else the stored one with its SKUs as p has them (SKUs p does not name
 * stay as they are); stock only as movements (stocks_write). 0 with
 * *saved_id and *raced (SKUs whose stock an order or import changed
 * while the form was open: the change was applied to what it is now);
 * ERR_NOT_FOUND; ERR_CONFLICT (a code just taken, a SKU just deleted or
 * that has orders, a stock that would go below 0: c->error says so);
 * ERR_INTERNAL.
 */
int
product_save(struct dctx *c, const struct product *p, int64_t *saved_id,
    int *raced)
{
	static const struct {
		int		 mode;
		const char	*name;
	} modes[] = {
		{ SHOP_MODE_ORDERING, "ordering" },
		{ SHOP_MODE_WHOLESALE, "wholesale" },
		{ SHOP_MODE_RETAIL, "retail" },
	};
	struct save	 sv;
	struct buf	 b;
	const char	*desc = p->description ? p->description : "";
	size_t		 i;
	int		 rc;

	memset(&sv, 0, sizeof(sv));
	sv.p = p;
	buf_init(&b, 0);
	sanitize_html(desc, strlen(desc), &b);
	sv.description = arena_strdup(c->arena, buf_cstr(&b));
	b.len = 0;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (p->visible & modes[i].mode)
			buf_printf(&b, "%s%s", b.len ? "," : "",
			    modes[i].name);
	sv.visible = arena_strdup(c->arena, buf_cstr(&b));
	buf_free(&b);
	if ((rc = db_tx_run(c, tx_save, &sv)) == 0) {
		*saved_id = sv.saved_id;
		*raced = sv.raced;
		clog_info(c, "product %" PRId64 " saved code=%s", sv.saved_id,
		    p->code);
	}
	return rc;
}

struct shelf {
	int64_t		 id;
	int		 want;		/* -1: toggle */
	int		 now;
};

static int
tx_shelf(struct dctx *c, void *arg)
{
	struct shelf	*sh = arg;
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_shelf_get, "ii", sh->id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	sh->now = sh->want == -1 ? !db_cell_i64(r, 0, 0) : sh->want;
	if (db_run(c->arena, NULL, sql_shelf_set, "iii", (int64_t)sh->now,
	    sh->id, c->shop->id) == -1 || shop_touch(c, c->shop->id) != 0 ||
	    audit(c, "product.shelf", "product=%" PRId64 " code=%s on_shelf="
	    "%d", sh->id, db_cell(r, 0, 1), sh->now) != 0)
		return ERR_INTERNAL;
	return 0;
}

/*
 * Put a product on the shelf (want 1), off it (0), or the other way
 * round (-1); *now is the result. 0, ERR_NOT_FOUND, ERR_INTERNAL.
 */
int
product_set_shelf(struct dctx *c, int64_t id, int want, int *now)
{
	struct shelf	sh;
	int		rc;

	memset(&sh, 0, sizeof(sh));
	sh.id = id;
	sh.want = want;
	if ((rc = db_tx_run(c, tx_shelf, &sh)) == 0)
		*now = sh.now;
	return rc;
}

struct del {
	int64_t		 id;
	struct db_res	*images;
};

static int
tx_delete(struct dctx *c, void *arg)
{
	struct del	*d = arg;
	struct db_res	*r;

	d->images = NULL;
	if (db_run(c->arena, &r, sql_del_lock, "ii", d->id, c->shop->id) ==
	    -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	/* Inquiries point at the product: keep it (it can go off shelf). */
	if (db_cell_i64(r, 0, 1) > 0) {
		c->error = arena_printf(c->arena, "该商品有 %" PRId64 " 条询价"
		    "记录，不能删除；可以改为下架", db_cell_i64(r, 0, 1));
		return ERR_CONFLICT;
	}
	/* Order lines keep their SKU (RESTRICT): so does the product. */
	if (db_cell_i64(r, 0, 2) > 0) {
		c->error = "该商品已有订单，不能删除，可以下架";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, &d->images, sql_del_images, "ii", d->id,
	    c->shop->id) == -1 || db_run(c->arena, NULL, sql_del, "ii",
	    d->id, c->shop->id) == -1 || shop_touch(c, c->shop->id) != 0 ||
	    audit(c, "product.delete", "product=%" PRId64 " code=%s", d->id,
	    db_cell(r, 0, 0)) != 0)
		return ERR_INTERNAL;
	return 0;
}

/*
 * Delete a product with its SKUs, tiers and images (rows, then files).
 * 0, ERR_NOT_FOUND, ERR_CONFLICT (inquiries name it: c->error),
 * ERR_INTERNAL.
 */
int
product_delete(struct dctx *c, int64_t id)
{
	struct del	d;
	int		i, rc;

	memset(&d, 0, sizeof(d));
	d.id = id;
	if ((rc = db_tx_run(c, tx_delete, &d)) != 0)
		return rc;
	/* The rows are gone for good: now the files may go too. */
	for (i = 0; i < d.images->nrows; i++) {
		image_remove(c, db_cell(d.images, i, 0));
		image_remove(c, db_cell(d.images, i, 1));
	}
	clog_info(c, "product %" PRId64 " deleted", id);
	return 0;
}
