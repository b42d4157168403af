/*
 * export.c -- the shop's products as CSV, the import's columns
 * (import.h), one row per SKU, so that importing an export changes
 * nothing. A product without SKUs has no row.
 */
#include "base/base.h"
#include "base/csv.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/products_csv.h"
#include "domain/category.h"
#include "domain/import.h"

static const char sql_categories[] =
    "SELECT id, parent_id, name FROM category WHERE shop_id = ? ORDER BY id";

/* One table per query, joined here (see import_check.c's sql_skus). */
static const char sql_export_products[] =
    "SELECT id, category_id, code, name, unit, on_shelf, visible, "
    "description FROM product WHERE shop_id = ? ORDER BY code, id";
static const char sql_export_skus[] =
    "SELECT product_id, code, barcode, spec, pack_size, min_qty, stock, "
    "weight_g, price_fen, retail_price_fen, id, pack_only "
    "FROM sku WHERE shop_id = ? "
    "ORDER BY product_id, sort, id";
static const char sql_export_tiers[] =
    "SELECT sku_id, min_qty, price_fen FROM price_tier WHERE shop_id = ? "
    "ORDER BY sku_id, min_qty";

struct ecat {
	const char	*name;
	const char	*parent;	/* id, NULL: top level */
	const char	*path;		/* built on first use */
};

static const char *
ecat_path(struct arena *a, struct strmap *m, const char *id, int depth)
{
	struct ecat	*e = strmap_get(m, id);
	const char	*up;

	if (e == NULL || depth > 2 * CATEGORY_DEPTH_MAX)
		return "";
	if (e->path == NULL) {
		up = e->parent ? ecat_path(a, m, e->parent, depth + 1) : "";
		e->path = *up ? arena_printf(a, "%s/%s", up, e->name) :
		    e->name;
	}
	return e->path;
}

static int
load_paths(struct dctx *c, struct strmap *m)
{
	struct db_res	*r;
	struct ecat	*e;
	int		 i;

	if (db_run(c->arena, &r, sql_categories, "i", c->shop->id) == -1)
		return -1;
	e = arena_alloc(c->arena, (r->nrows + 1) * sizeof(*e));
	for (i = 0; i < r->nrows; i++) {
		e[i].name = db_cell(r, i, 2);
		e[i].parent = db_cell(r, i, 1);
		e[i].path = NULL;
		strmap_put(m, db_cell(r, i, 0), &e[i]);
	}
	return 0;
}

/* Each SKU's tiers as "10:11.50;50:10.00", keyed by SKU id. 0 or -1. */
int
export_tiers(struct dctx *c, struct strmap *m)
{
	struct db_res	*r;
	struct buf	 b;
	int		 i, j;

	if (db_run(c->arena, &r, sql_export_tiers, "i", c->shop->id) == -1)
		return -1;
	buf_init(&b, 256);
	for (i = 0; i < r->nrows; i = j) {
		b.len = 0;
		for (j = i; j < r->nrows && strcmp(db_cell(r, j, 0),
		    db_cell(r, i, 0)) == 0; j++)
			buf_printf(&b, "%s%s:%s", j > i ? ";" : "",
			    db_cell(r, j, 1), fmt_yuan(c->arena,
			    db_cell_i64(r, j, 2)));
		strmap_put(m, db_cell(r, i, 0), arena_strndup(c->arena, b.p,
		    b.len));
	}
	buf_free(&b);
	return 0;
}

/* The product's columns from row i of p, the SKU's from row k of sk. */
static void
export_row(struct dctx *c, struct buf *out, struct strmap *paths,
    struct strmap *tiers, const struct db_res *p, int i,
    const struct db_res *sk, int k)
{
	const char	*v[NCOL], *s;
	int		 n;

	s = db_cell(p, i, 1);
	v[C_CATEGORY] = s ? ecat_path(c->arena, paths, s, 0) : "";
	v[C_PRODUCT_CODE] = db_cell(p, i, 2);
	v[C_PRODUCT_NAME] = db_cell(p, i, 3);
	v[C_UNIT] = db_cell(p, i, 4);
	v[C_ON_SHELF] = db_cell_i64(p, i, 5) ? "1" : "0";
	s = db_cell(p, i, 6);
	v[C_VISIBLE] = s && *s ? s : "none";
	v[C_DESCRIPTION] = desc_text(c->arena, db_cell(p, i, 7));
	v[C_SKU_CODE] = db_cell(sk, k, 1);
	v[C_BARCODE] = db_cell(sk, k, 2);
	v[C_SPEC] = db_cell(sk, k, 3);
	v[C_PACK_SIZE] = db_cell(sk, k, 4);
	v[C_MIN_QTY] = db_cell(sk, k, 5);
	v[C_PACK_ONLY] = db_cell_i64(sk, k, 11) ? "1" : "0";
	v[C_STOCK] = db_cell(sk, k, 6);
	v[C_WEIGHT_G] = db_cell(sk, k, 7);
	v[C_PRICE] = fmt_yuan(c->arena, db_cell_i64(sk, k, 8));
	v[C_RETAIL_PRICE] = db_cell(sk, k, 9) == NULL ? "" :
	    fmt_yuan(c->arena, db_cell_i64(sk, k, 9));
	v[C_TIERS] = strmap_get(tiers, db_cell(sk, k, 10));
	for (n = 0; n < NCOL; n++)
		csv_put(out, v[n] ? v[n] : "", (n == 0 ? CSV_FIRST : 0) |
		    (import_columns[n].flags & COL_TEXT ? CSV_TEXT : 0));
	csv_endrow(out);
}

/* Products in code order, each with its SKUs (a run of sk's rows). */
static void
export_all(struct dctx *c, struct buf *out, struct strmap *paths,
    struct strmap *tiers, const struct db_res *p, const struct db_res *sk,
    int *nrows)
{
	struct strmap	 first;
	intptr_t	 k;
	const char	*id;
	int		 i;

	memset(&first, 0, sizeof(first));
	for (k = sk->nrows - 1; k >= 0; k--)	/* ends on each run's start */
		if (k == 0 || strcmp(db_cell(sk, k, 0),
		    db_cell(sk, k - 1, 0)) != 0)
			strmap_put(&first, db_cell(sk, k, 0), (void *)(k + 1));
	for (i = 0; i < p->nrows; i++) {
		id = db_cell(p, i, 0);
		if ((k = (intptr_t)strmap_get(&first, id)) == 0)
			continue;	/* no SKUs */
		for (k--; k < sk->nrows && strcmp(db_cell(sk, k, 0), id) == 0;
		    k++) {
			export_row(c, out, paths, tiers, p, i, sk, k);
			(*nrows)++;
		}
	}
	strmap_free(&first);
}

static int
export_rows(struct dctx *c, struct buf *out, int *nrows)
{
	struct db_res	*p, *sk;
	struct strmap	 paths, tiers;
	int		 k, rc = ERR_INTERNAL;

	*nrows = 0;
	memset(&paths, 0, sizeof(paths));
	memset(&tiers, 0, sizeof(tiers));
	if (load_paths(c, &paths) == -1 || export_tiers(c, &tiers) == -1 ||
	    db_run(c->arena, &p, sql_export_products, "i", c->shop->id) == -1 ||
	    db_run(c->arena, &sk, sql_export_skus, "i", c->shop->id) == -1) {
		c->error = "导出失败（数据库出错）";
		goto out;
	}
	buf_adds(out, "\xef\xbb\xbf");	/* BOM: spreadsheets then read UTF-8 */
	for (k = 0; k < NCOL; k++)
		csv_put(out, import_columns[k].name, k == 0 ? CSV_FIRST : 0);
	csv_endrow(out);
	export_all(c, out, &paths, &tiers, p, sk, nrows);
	rc = 0;
out:
	strmap_free(&paths);
	strmap_free(&tiers);
	return rc;
}

/*
 * Append c->shop's products as CSV (UTF-8 with a BOM, CRLF) to out; *nrows
 * is the number of rows after the header. 0 or ERR_INTERNAL (c->error).
 */
int
export_products_count(struct dctx *c, struct buf *out, int *nrows)
{
	struct arena	*request = c->arena;
	const char	*error;
	int		 rc;

	c->arena = arena_new(BIG_CHUNK);
	rc = export_rows(c, out, nrows);
	error = c->error;
	arena_free(c->arena);
	c->arena = request;
	c->error = error;
	return rc;
}

/* Append c->shop's products as CSV (UTF-8 with a BOM, CRLF) to out. */
int
export_products(struct dctx *c, struct buf *out)
{
	int	n;

	return export_products_count(c, out, &n);
}

/*
 * A file to start from: the Chinese column names and two SKUs of one
 * product (its product columns repeated, as the import wants), as a
 * spreadsheet opens it (UTF-8 with a BOM, CRLF). The import reads these
 * names as it reads the export's.
 */
void
import_template(struct buf *out)
{
	static const char *const rows[][NCOL] = {
		{ "茶叶/绿茶", "LJ001", "西湖龙井", "罐", "LJ001-250",
		  "6901234567892", "净含量:250g", "20", "2", "是", "100", "300",
		  "100.00", "128.00", "10:95.00;50:90.00", "1",
		  "ordering,wholesale", "明前特级，罐装" },
		{ "茶叶/绿茶", "LJ001", "西湖龙井", "罐", "LJ001-500", "",
		  "净含量:500g", "10", "1", "否", "50", "550", "190.00", "", "", "1",
		  "ordering,wholesale", "明前特级，罐装" },
	};
	size_t	 i;
	int	 k;

	buf_adds(out, "\xef\xbb\xbf");
	for (k = 0; k < NCOL; k++)
		csv_put(out, import_columns[k].zh, k == 0 ? CSV_FIRST : 0);
	csv_endrow(out);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (k = 0; k < NCOL; k++)
			csv_put(out, rows[i][k], (k == 0 ? CSV_FIRST : 0) |
			    ((import_columns[k].flags & COL_TEXT) ? CSV_TEXT :
			    0));
		csv_endrow(out);
	}
}
