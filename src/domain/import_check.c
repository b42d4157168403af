/*
 * import_check.c -- an import's rows checked against the file and the
 * shop: its categories, products and SKUs are loaded once, the file's
 * codes keyed by the database's collation, then every row is checked
 * column by column, each check adding its own errors (import.h).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/category.h"
#include "domain/import.h"
#include "domain/product.h"
#include "domain/text.h"

#define KEY_BATCH	2000		/* codes per collation-key query */
#define SHOWN		30		/* characters of a value in a message */

/*
 * Codes are unique per shop under the columns' collation, which ignores
 * case, width and accents ("AB" = "ａｂ", "café" = "cafe"). Maps are keyed
 * by the collation weights the database computes, for its codes and the
 * file's alike, so they agree with the unique keys exactly. No joins: just
 * after a big import the statistics are stale, and a join may be planned
 * as a nested scan of the whole shop.
 */
static const char sql_products[] =
    "SELECT id, code, unit, HEX(WEIGHT_STRING(code)) FROM product "
    "WHERE shop_id = ?";
static const char sql_products_desc[] =
    "SELECT id, code, unit, HEX(WEIGHT_STRING(code)), description "
    "FROM product WHERE shop_id = ?";
static const char sql_skus[] =
    "SELECT id, HEX(WEIGHT_STRING(code)), product_id FROM sku "
    "WHERE shop_id = ?";
static const char sql_keys[] =
    "SELECT j.n, HEX(WEIGHT_STRING(j.c COLLATE utf8mb4_unicode_ci)) "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
    "c VARCHAR(64) PATH '$')) j";
static const char sql_categories[] =
    "SELECT id, parent_id, name FROM category WHERE shop_id = ? ORDER BY id";

/*
 * Loading what the shop has: categories, products, SKUs.
 */

static struct icat *
cat_find(struct imp *im, struct icat *parent, const char *name)
{
	return strmap_get(&im->cat_map, arena_printf(im->arena, "%d/%s",
	    parent ? parent->seq : 0, name));
}

static void
cat_add(struct imp *im, struct icat *ct)
{
	ct->seq = ++im->ncats;
	strmap_put(&im->cat_map, arena_printf(im->arena, "%d/%s",
	    ct->parent ? ct->parent->seq : 0, ct->name), ct);
}

/* Parents before children, whatever the ids say; of same-named siblings
 * the oldest is the one a path names. */
static int
load_categories(struct dctx *c, struct imp *im)
{
	struct db_res	*r;
	struct strmap	 by_id;
	struct icat	*cats, *ct;
	const char	*pid;
	int		 i, progress;

	memset(&by_id, 0, sizeof(by_id));
	if (db_run(c->arena, &r, sql_categories, "i", c->shop->id) == -1)
		return -1;
	cats = arena_calloc(c->arena, r->nrows + 1, sizeof(*cats));
	for (i = 0; i < r->nrows; i++) {
		cats[i].id = db_cell_i64(r, i, 0);
		cats[i].name = db_cell(r, i, 2);
		strmap_put(&by_id, db_cell(r, i, 0), &cats[i]);
	}
	do {
		progress = 0;
		for (i = 0; i < r->nrows; i++) {
			ct = &cats[i];
			if (ct->seq != 0)
				continue;
			pid = db_cell(r, i, 1);
			ct->parent = pid ? strmap_get(&by_id, pid) : NULL;
			if (pid != NULL && (ct->parent == NULL ||
			    ct->parent->seq == 0))
				continue;
			if (cat_find(im, ct->parent, ct->name) == NULL)
				cat_add(im, ct);
			else
				ct->seq = -1;
			progress = 1;
		}
	} while (progress);
	strmap_free(&by_id);
	return 0;
}

static int
load_products(struct dctx *c, struct imp *im, struct strmap *by_id)
{
	struct db_res	*r;
	struct prod	*p;
	int		 i, desc = im->col[C_DESCRIPTION] != -1;

	if (db_run(c->arena, &r, desc ? sql_products_desc : sql_products,
	    "i", c->shop->id) == -1)
		return -1;
	for (i = 0; i < r->nrows; i++) {
		p = arena_calloc(c->arena, 1, sizeof(*p));
		p->id = db_cell_i64(r, i, 0);
		p->code = db_cell(r, i, 1);
		p->old_unit = db_cell(r, i, 2);
		if (desc)
			p->old_desc = db_cell(r, i, 4);
		if (strmap_get(&im->prod_map, db_cell(r, i, 3)) == NULL)
			strmap_put(&im->prod_map, db_cell(r, i, 3), p);
		strmap_put(by_id, db_cell(r, i, 0), p);
	}
	return 0;
}

static int
load_catalog(struct dctx *c, struct imp *im)
{
	struct db_res	*r;
	struct strmap	 by_id;
	struct sku	*s;
	int		 i, rc = -1;

	memset(&by_id, 0, sizeof(by_id));
	if (load_categories(c, im) == -1 || load_products(c, im, &by_id) == -1)
		goto out;
	if (db_run(c->arena, &r, sql_skus, "i", c->shop->id) == -1)
		goto out;
	for (i = 0; i < r->nrows; i++) {
		s = arena_calloc(c->arena, 1, sizeof(*s));
		s->id = db_cell_i64(r, i, 0);
		s->prod = strmap_get(&by_id, db_cell(r, i, 2));
		if (strmap_get(&im->sku_map, db_cell(r, i, 1)) == NULL)
			strmap_put(&im->sku_map, db_cell(r, i, 1), s);
	}
	rc = 0;
out:
	strmap_free(&by_id);
	return rc;
}

/*
 * Collation keys of the file's codes, from the database in batches.
 */

static int
keys_run(struct dctx *c, struct buf *b, const char ***dst, int n)
{
	struct db_res	*r;
	int64_t		 k;
	int		 i;

	buf_addc(b, ']');
	if (db_run(c->arena, &r, sql_keys, "s", buf_cstr(b)) == -1)
		return -1;
	for (i = 0; i < r->nrows; i++) {
		k = db_cell_i64(r, i, 0);
		if (k >= 1 && k <= n)
			*dst[k - 1] = db_cell(r, i, 1);
	}
	b->len = 0;
	buf_addc(b, '[');
	return 0;
}

static int
code_keys(struct dctx *c, struct imp *im)
{
	const char	***dst;
	struct row	 *rw;
	struct buf	  b;
	int		  n = 0, rc = 0, which;

	dst = xcalloc(KEY_BATCH, sizeof(*dst));
	buf_init(&b, 64 * 1024);
	buf_addc(&b, '[');
	for (rw = im->rows; rw != NULL && rc == 0; rw = rw->next)
		for (which = 0; which < 2 && rc == 0; which++) {
			const char *code = rw->v[which ? C_SKU_CODE :
			    C_PRODUCT_CODE];

			if (product_code_problem(code, PRODUCT_CODE_MAX) !=
			    NULL)
				continue;
			if (n > 0)
				buf_addc(&b, ',');
			text_json(&b, code);
			dst[n++] = which ? &rw->skey : &rw->pkey;
			if (n == KEY_BATCH) {
				rc = keys_run(c, &b, dst, n);
				n = 0;
			}
		}
	if (rc == 0 && n > 0)
		rc = keys_run(c, &b, dst, n);
	buf_free(&b);
	free(dst);
	return rc;
}

/*
 * Checking one row, column by column. Each check adds its own errors.
 */

/* A text cell: at most max characters, on one line unless multiline. */
static int
check_text(struct imp *im, struct row *rw, int col, int max, int multiline)
{
	const char	*s = rw->v[col];

	if ((import_columns[col].flags & COL_REQUIRED) && *s == '\0') {
		import_error(im, rw->line, col, "不能为空");
		return -1;
	}
	if (text_has_control(s, multiline)) {
		import_error(im, rw->line, col, multiline ? "含有控制字符" :
		    "不能包含换行或控制字符");
		return -1;
	}
	if (utf8_len(s) > (size_t)max) {
		import_error(im, rw->line, col, "最多 %d 个字符，这里有 %zu 个",
		    max, utf8_len(s));
		return -1;
	}
	return 0;
}

static void
check_int(struct imp *im, struct row *rw, int col, int64_t min,
    int64_t dflt)
{
	const char	*s = rw->v[col], *err;

	rw->num[col] = dflt;
	if (s == NULL || *s == '\0')
		return;
	if (parse_i64(s, min, INT32_MAX, &rw->num[col], &err) == -1)
		import_error(im, rw->line, col, "应为 %" PRId64 " 到 %d 的整数，"
		    "不是“%s”", min, INT32_MAX, text_shown(im->arena, s,
		    SHOWN));
}

static int
check_money(struct imp *im, struct row *rw, int col)
{
	const char	*err;

	if (parse_yuan(rw->v[col], &rw->num[col], &err) == -1) {
		import_error(im, rw->line, col, "%s：“%s”（应为元，如 12.50）",
		    err, text_shown(im->arena, rw->v[col], SHOWN));
		return -1;
	}
	return 0;
}

/* "10:11.50;50:10.00" (tiers.c). */
static void
check_tiers(struct imp *im, struct row *rw)
{
	const char	*why;
	int		 n;

	if (*rw->v[C_TIERS] == '\0')
		return;
	rw->tiers = arena_alloc(im->arena, PRODUCT_TIERS_MAX *
	    sizeof(*rw->tiers));
	if ((n = tiers_parse(im->arena, rw->v[C_TIERS], rw->tiers, &why)) ==
	    -1)
		import_error(im, rw->line, C_TIERS, "%s", why);
	else
		rw->ntiers = n;
}

/* "ordering,retail" in any order; empty: all; "none": none. */
static void
check_visible(struct imp *im, struct row *rw)
{
	static const char *modes[] = { "ordering", "wholesale", "retail" };
	char		*s, *w, *next;
	int		 seen = 0, i;

	s = arena_strdup(im->arena, rw->v[C_VISIBLE]);
	text_replace(s, "，", ',');
	if (*s == '\0') {
		rw->pv[C_VISIBLE] = VISIBLE_ALL;
		return;
	}
	if (strcmp(s, "none") == 0) {
		rw->pv[C_VISIBLE] = "";
		return;
	}
	for (w = s; w != NULL; w = next) {
		if ((next = strchr(w, ',')) != NULL)
			*next++ = '\0';
		w = text_trim(im->arena, w, " \t");
		for (i = 0; i < 3 && strcmp(w, modes[i]) != 0; i++)
			;
		if (i == 3) {
			import_error(im, rw->line, C_VISIBLE, "“%s”不是 ordering、"
			    "wholesale、retail 之一（全不显示写 none）",
			    text_shown(im->arena, w, SHOWN));
			return;
		}
		seen |= 1 << i;
	}
	rw->pv[C_VISIBLE] = arena_printf(im->arena, "%s%s%s%s%s",
	    seen & 1 ? "ordering" : "", (seen & 1) && (seen & 6) ? "," : "",
	    seen & 2 ? "wholesale" : "", (seen & 2) && (seen & 4) ? "," : "",
	    seen & 4 ? "retail" : "");
}

/* "饮料/茶/绿茶": the leaf, with placeholders for the missing levels. */
static void
check_category(struct imp *im, struct row *rw)
{
	char		*s = arena_strdup(im->arena, rw->v[C_CATEGORY]), *seg;
	char		*next;
	const char	*why = NULL, *path = "";
	struct icat	*parent = NULL, *ct;
	int		 depth = 0;

	if (*s != '\0' && check_text(im, rw, C_CATEGORY, 1000, 0) == -1)
		return;
	for (seg = s; *s != '\0' && seg != NULL; seg = next) {
		if ((next = strchr(seg, '/')) != NULL)
			*next++ = '\0';
		seg = text_trim(im->arena, seg, " \t");
		if (*seg == '\0')
			why = "路径中有空的分类名（如 a//b）";
		else if (utf8_len(seg) > CATEGORY_NAME_MAX)
			why = "分类名最多 60 个字符";
		else if (++depth > CATEGORY_DEPTH_MAX)
			why = "分类最多 10 级";	/* CATEGORY_DEPTH_MAX */
		if (why != NULL) {
			import_error(im, rw->line, C_CATEGORY, "%s", why);
			return;
		}
		if ((ct = cat_find(im, parent, seg)) == NULL) {
			ct = arena_calloc(im->arena, 1, sizeof(*ct));
			ct->parent = parent;
			ct->name = seg;
			cat_add(im, ct);
			*im->new_tail = ct;
			im->new_tail = &ct->next_new;
		}
		path = *path ? arena_printf(im->arena, "%s/%s", path, seg) :
		    seg;
		parent = ct;
	}
	rw->cat = parent;
	rw->pv[C_CATEGORY] = path;
}

/* Product-level values, normalized into rw->pv to compare rows. */
static void
check_product_columns(struct imp *im, struct row *rw)
{
	const char	*s;

	if (check_text(im, rw, C_PRODUCT_NAME, 200, 0) == 0)
		rw->pv[C_PRODUCT_NAME] = rw->v[C_PRODUCT_NAME];
	if (rw->v[C_CATEGORY] != NULL)
		check_category(im, rw);
	if ((s = rw->v[C_UNIT]) != NULL && check_text(im, rw, C_UNIT, 10,
	    0) == 0)
		rw->pv[C_UNIT] = *s ? s : UNIT_DEFAULT;
	rw->on_shelf = 1;
	if ((s = rw->v[C_ON_SHELF]) != NULL) {
		if (*s != '\0' && strcmp(s, "1") != 0 && strcmp(s, "0") != 0)
			import_error(im, rw->line, C_ON_SHELF, "应为 1（上架）或 "
			    "0（下架），不是“%s”", text_shown(im->arena, s,
			    SHOWN));
		else {
			rw->on_shelf = *s != '0';
			rw->pv[C_ON_SHELF] = rw->on_shelf ? "1" : "0";
		}
	}
	if (rw->v[C_VISIBLE] != NULL)
		check_visible(im, rw);
	if (rw->v[C_DESCRIPTION] != NULL && check_text(im, rw, C_DESCRIPTION,
	    DESC_MAX, 1) == 0)
		rw->pv[C_DESCRIPTION] = desc_html(im->arena,
		    rw->v[C_DESCRIPTION]);
}

/* The product-level columns of a product's later rows must agree. */
static void
check_agrees(struct imp *im, struct row *rw)
{
	struct row	*first = rw->prod->first;
	int		 k;

	for (k = 0; k < NCOL; k++) {
		if (!(import_columns[k].flags & COL_PRODUCT) ||
		    rw->pv[k] == NULL || first->pv[k] == NULL ||
		    strcmp(rw->pv[k], first->pv[k]) == 0)
			continue;
		import_error(im, rw->line, k, "同一 product_code 的各行应相同，"
		    "与第 %d 行不同", first->line);
	}
}

/*
 * A description that reads the same as the stored one keeps the stored
 * HTML, which the admin's editor may have formatted: exporting and
 * importing again must change nothing.
 */
static void
keep_description(struct imp *im, struct prod *p)
{
	const char	*now = p->first->pv[C_DESCRIPTION];

	p->desc = now;
	if (now == NULL || p->old_desc == NULL ||
	    strcmp(now, p->old_desc) == 0)
		return;
	if (strcmp(now, desc_html(im->arena, desc_text(im->arena,
	    p->old_desc))) == 0)
		p->desc = p->old_desc;
}

static void
check_product(struct imp *im, struct row *rw)
{
	const char	*why;
	struct prod	*p;

	if ((why = product_code_problem(rw->v[C_PRODUCT_CODE],
	    PRODUCT_CODE_MAX)) != NULL ||
	    (why = rw->pkey ? NULL : "无法与已有编码比较") != NULL) {
		import_error(im, rw->line, C_PRODUCT_CODE, "%s", why);
		return;
	}
	if ((p = strmap_get(&im->prod_map, rw->pkey)) == NULL) {
		p = arena_calloc(im->arena, 1, sizeof(*p));
		p->code = rw->v[C_PRODUCT_CODE];
		strmap_put(&im->prod_map, rw->pkey, p);
	}
	if (p->first == NULL) {
		p->first = rw;
		*im->prods_tail = p;
		im->prods_tail = &p->next;
	}
	rw->prod = p;
	rw->sort = p->nskus++;
}

static void
check_sku(struct imp *im, struct row *rw)
{
	const char	*why;
	struct sku	*s;

	if ((why = product_code_problem(rw->v[C_SKU_CODE],
	    PRODUCT_CODE_MAX)) != NULL ||
	    (why = rw->skey ? NULL : "无法与已有编码比较") != NULL) {
		import_error(im, rw->line, C_SKU_CODE, "%s", why);
		return;
	}
	if ((s = strmap_get(&im->sku_map, rw->skey)) == NULL) {
		s = arena_calloc(im->arena, 1, sizeof(*s));
		s->prod = rw->prod;
		strmap_put(&im->sku_map, rw->skey, s);
	} else if (s->row != NULL) {
		import_error(im, rw->line, C_SKU_CODE, "“%s”与第 %d 行重复",
		    rw->v[C_SKU_CODE], s->row->line);
		return;
	} else if (rw->prod != NULL && s->prod != rw->prod) {
		import_error(im, rw->line, C_SKU_CODE, "“%s”已属于商品 %s，"
		    "不能改到商品 %s 下", rw->v[C_SKU_CODE],
		    s->prod ? s->prod->code : "?", rw->v[C_PRODUCT_CODE]);
		return;
	}
	s->row = rw;
	rw->sku = s;
	rw->sku_new = s->id == 0;
}

static void
check_row(struct imp *im, struct row *rw)
{
	const char	*why;

	check_product(im, rw);
	check_product_columns(im, rw);
	if (rw->prod != NULL && rw->prod->first != rw)
		check_agrees(im, rw);
	else if (rw->prod != NULL)
		keep_description(im, rw->prod);
	check_sku(im, rw);
	if (rw->v[C_BARCODE] != NULL && *rw->v[C_BARCODE] != '\0' &&
	    (why = product_code_problem(rw->v[C_BARCODE],
	    PRODUCT_BARCODE_MAX)) != NULL)
		import_error(im, rw->line, C_BARCODE, "%s", why);
	if (rw->v[C_SPEC] != NULL)
		check_text(im, rw, C_SPEC, 200, 0);
	check_int(im, rw, C_PACK_SIZE, 1, 1);
	check_int(im, rw, C_MIN_QTY, 1, 1);
	check_int(im, rw, C_STOCK, 0, 0);
	check_int(im, rw, C_WEIGHT_G, 0, 0);
	if (*rw->v[C_PRICE] == '\0')
		import_error(im, rw->line, C_PRICE, "不能为空");
	else
		check_money(im, rw, C_PRICE);
	if (rw->v[C_RETAIL_PRICE] != NULL && *rw->v[C_RETAIL_PRICE] != '\0')
		rw->has_retail = check_money(im, rw, C_RETAIL_PRICE) == 0;
	if (rw->v[C_TIERS] != NULL)
		check_tiers(im, rw);
}

/*
 * Load the shop's catalog, key the file's codes, check every row; what is
 * wrong goes to im's errors. 0 or ERR_INTERNAL.
 */
int
import_check(struct dctx *c, struct imp *im)
{
	struct row	*rw;

	if (load_catalog(c, im) == -1 || code_keys(c, im) == -1)
		return ERR_INTERNAL;
	for (rw = im->rows; rw != NULL; rw = rw->next)
		check_row(im, rw);
	return 0;
}

/*
 * After the writes, the ids of the products (or, with skus, the SKUs)
 * this import created: one query, not one per row. 0 or -1.
 */
int
import_fetch_ids(struct dctx *c, struct imp *im, int skus)
{
	struct db_res	*r;
	struct prod	*p;
	struct sku	*s;
	int		 i;

	if (db_run(c->arena, &r, skus ? sql_skus : sql_products, "i",
	    c->shop->id) == -1)
		return -1;
	for (i = 0; i < r->nrows; i++) {
		if (skus) {
			s = strmap_get(&im->sku_map, db_cell(r, i, 1));
			if (s != NULL && s->id == 0)
				s->id = db_cell_i64(r, i, 0);
		} else {
			p = strmap_get(&im->prod_map, db_cell(r, i, 3));
			if (p != NULL && p->id == 0)
				p->id = db_cell_i64(r, i, 0);
		}
	}
	return 0;
}
