/*
 * import_write.c -- a checked chunk written in its transaction: new
 * categories, then the products it has first, its SKUs and the tiers
 * that changed, in batches of statements (import.h). Nothing here
 * refuses a row: import_check.c did.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/products_csv.h"
#include "domain/shop.h"
#include "domain/import.h"
#include "domain/product.h"
#include "domain/stock.h"
#include "domain/text.h"

#define BATCH_ROWS	500		/* rows per INSERT ... SELECT */
#define KEY_BATCH	2000		/* SKUs per query of stored tiers */
#define BATCH_BYTES	(1024 * 1024)	/* well under max_allowed_packet */

static const char sql_cat_add_root[] =
    "INSERT INTO category (shop_id, parent_id, name) VALUES (?, NULL, ?)";
static const char sql_cat_add[] =
    "INSERT INTO category (shop_id, parent_id, name) VALUES (?, ?, ?)";

/*
 * Writes go in batches: one JSON array of rows bound to one parameter and
 * read back by JSON_TABLE, so a fixed statement takes any number of rows
 * (db_run binds a fixed argument list). A column the file does not have
 * is left as it is on update: its IF(?, ...) flag is 0. A SKU's own unit
 * follows its product's unit unless someone set it apart.
 */
static const char sql_product_upsert[] =
    "INSERT INTO product (shop_id, category_id, code, name, unit, "
    "description, on_shelf, visible) "
    "SELECT ?, j.cat, j.code, j.name, j.unit, j.descr, j.on_shelf, "
    "j.visible FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "cat BIGINT UNSIGNED PATH '$[0]', code VARCHAR(64) PATH '$[1]', "
    "name VARCHAR(200) PATH '$[2]', unit VARCHAR(10) PATH '$[3]', "
    "descr MEDIUMTEXT PATH '$[4]', on_shelf INT PATH '$[5]', "
    "visible VARCHAR(40) PATH '$[6]')) j "
    "ON DUPLICATE KEY UPDATE product.code = VALUES(code), "
    "product.name = VALUES(name), "
    "product.category_id = IF(?, VALUES(category_id), product.category_id), "
    "product.unit = IF(?, VALUES(unit), product.unit), "
    "product.description = IF(?, VALUES(description), product.description), "
    "product.on_shelf = IF(?, VALUES(on_shelf), product.on_shelf), "
    "product.visible = IF(?, VALUES(visible), product.visible)";
/* Stock is not written here: a new SKU starts at 0, and write_stocks()
 * sets each as a movement. */
static const char sql_sku_upsert[] =
    "INSERT INTO sku (shop_id, product_id, code, barcode, spec, unit, "
    "pack_size, min_qty, pack_only, stock, weight_g, price_fen, "
    "retail_price_fen, sort) "
    "SELECT ?, j.pid, j.code, j.barcode, j.spec, j.unit, j.pack, j.minq, "
    "j.pack_only, 0, j.weight, j.price, j.retail, j.sort "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "pid BIGINT UNSIGNED PATH '$[0]', code VARCHAR(64) PATH '$[1]', "
    "barcode VARCHAR(32) PATH '$[2]', spec VARCHAR(200) PATH '$[3]', "
    "unit VARCHAR(10) PATH '$[4]', pack INT PATH '$[5]', "
    "minq INT PATH '$[6]', stock INT PATH '$[7]', weight INT PATH '$[8]', "
    "price BIGINT PATH '$[9]', retail BIGINT PATH '$[10]', "
    "sort INT PATH '$[11]', ounit VARCHAR(10) PATH '$[12]', "
    "pack_only INT PATH '$[13]')) j "
    "ON DUPLICATE KEY UPDATE sku.code = VALUES(code), "
    "sku.barcode = IF(?, VALUES(barcode), sku.barcode), "
    "sku.spec = IF(?, VALUES(spec), sku.spec), "
    "sku.unit = IF(? AND sku.unit = j.ounit, VALUES(unit), sku.unit), "
    "sku.pack_size = IF(?, VALUES(pack_size), sku.pack_size), "
    "sku.min_qty = IF(?, VALUES(min_qty), sku.min_qty), "
    "sku.pack_only = IF(?, VALUES(pack_only), sku.pack_only), "
    "sku.weight_g = IF(?, VALUES(weight_g), sku.weight_g), "
    "sku.price_fen = VALUES(price_fen), "
    "sku.retail_price_fen = IF(?, VALUES(retail_price_fen), "
    "sku.retail_price_fen), sku.sort = VALUES(sort)";
/* Joins from the list, not IN (SELECT ...), which scans price_tier. */
static const char sql_tiers_clear[] =
    "DELETE t FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "id BIGINT UNSIGNED PATH '$')) j STRAIGHT_JOIN price_tier t "
    "ON t.sku_id = j.id WHERE t.shop_id = ?";
static const char sql_tiers_of[] =
    "SELECT j.n, t.min_qty, t.price_fen FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "n FOR ORDINALITY, id BIGINT UNSIGNED PATH '$')) j "
    "STRAIGHT_JOIN price_tier t ON t.sku_id = j.id WHERE t.shop_id = ? "
    "ORDER BY j.n, t.min_qty";
static const char sql_tiers_add[] =
    "INSERT INTO price_tier (shop_id, sku_id, min_qty, price_fen) "
    "SELECT ?, j.sku, j.qty, j.price FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "sku BIGINT UNSIGNED PATH '$[0]', qty INT PATH '$[1]', "
    "price BIGINT PATH '$[2]')) j";

struct batch {
	struct buf	 b;
	int		 n;
	int		(*run)(struct dctx *, struct imp *, const char *);
};

static void
batch_init(struct batch *bt, int (*run)(struct dctx *, struct imp *,
    const char *))
{
	buf_init(&bt->b, 64 * 1024);
	buf_addc(&bt->b, '[');
	bt->n = 0;
	bt->run = run;
}

static int
batch_flush(struct dctx *c, struct imp *im, struct batch *bt)
{
	int	rc;

	if (bt->n == 0)
		return 0;
	buf_addc(&bt->b, ']');
	rc = bt->run(c, im, buf_cstr(&bt->b));
	bt->b.len = 0;
	buf_addc(&bt->b, '[');
	bt->n = 0;
	return rc;
}

/* Before a row: the separator. After it: batch_done, which may flush. */
static struct buf *
batch_row(struct batch *bt)
{
	if (bt->n > 0)
		buf_addc(&bt->b, ',');
	return &bt->b;
}

static int
batch_done(struct dctx *c, struct imp *im, struct batch *bt)
{
	if (++bt->n < BATCH_ROWS && bt->b.len < BATCH_BYTES)
		return 0;
	return batch_flush(c, im, bt);
}

static int64_t
has(const struct imp *im, int col)
{
	return im->col[col] != -1;
}

static int
run_products(struct dctx *c, struct imp *im, const char *json)
{
	return db_run(c->arena, NULL, sql_product_upsert, "isiiiii",
	    c->shop->id, json, has(im, C_CATEGORY), has(im, C_UNIT),
	    has(im, C_DESCRIPTION), has(im, C_ON_SHELF), has(im, C_VISIBLE));
}

static int
run_skus(struct dctx *c, struct imp *im, const char *json)
{
	return db_run(c->arena, NULL, sql_sku_upsert, "isiiiiiiii",
	    c->shop->id, json, has(im, C_BARCODE), has(im, C_SPEC),
	    has(im, C_UNIT), has(im, C_PACK_SIZE), has(im, C_MIN_QTY),
	    has(im, C_PACK_ONLY), has(im, C_WEIGHT_G),
	    has(im, C_RETAIL_PRICE));
}

static int
run_tiers_clear(struct dctx *c, struct imp *im, const char *json)
{
	return db_run(c->arena, NULL, sql_tiers_clear, "si", json,
	    c->shop->id);
}

static int
run_tiers_add(struct dctx *c, struct imp *im, const char *json)
{
	return db_run(c->arena, NULL, sql_tiers_add, "is", c->shop->id, json);
}

/* The categories the file's paths name and the shop lacks (all of them
 * once, before a shell import's batches). 0 or -1. */
int
import_write_categories(struct dctx *c, struct imp *im)
{
	struct db_res	*r;
	struct icat	*ct;
	int		 rc;

	for (ct = im->new_cats; ct != NULL; ct = ct->next_new) {
		if (ct->id != 0)
			continue;
		if (ct->parent == NULL)
			rc = db_run(c->arena, &r, sql_cat_add_root, "is",
			    c->shop->id, ct->name);
		else
			rc = db_run(c->arena, &r, sql_cat_add, "iis",
			    c->shop->id, ct->parent->id, ct->name);
		if (rc == -1)
			return -1;
		ct->id = (int64_t)r->insert_id;
	}
	return 0;
}

static const char *
pv_or(const struct row *rw, int col, const char *dflt)
{
	return rw->pv[col] != NULL ? rw->pv[col] : dflt;
}

static int
write_products(struct dctx *c, struct imp *im)
{
	struct batch	 bt;
	struct prod	*p;
	struct row	*rw;
	struct buf	*b;
	int		 rc = 0;

	batch_init(&bt, run_products);
	for (p = im->prods; p != NULL && rc == 0; p = p->next) {
		rw = p->first;
		b = batch_row(&bt);
		if (rw->cat != NULL)
			buf_printf(b, "[%" PRId64 ",", rw->cat->id);
		else
			buf_adds(b, "[null,");
		text_json(b, rw->v[C_PRODUCT_CODE]);
		buf_addc(b, ',');
		text_json(b, rw->v[C_PRODUCT_NAME]);
		buf_addc(b, ',');
		text_json(b, pv_or(rw, C_UNIT, UNIT_DEFAULT));
		buf_addc(b, ',');
		text_json(b, p->desc != NULL ? p->desc : "");
		buf_printf(b, ",%d,", rw->on_shelf);
		text_json(b, pv_or(rw, C_VISIBLE, VISIBLE_ALL));
		buf_addc(b, ']');
		rc = batch_done(c, im, &bt);
	}
	if (rc == 0)
		rc = batch_flush(c, im, &bt);
	buf_free(&bt.b);
	return rc;
}

static void
sku_json(struct buf *b, const struct row *rw)
{
	const struct prod	*p = rw->prod;

	buf_printf(b, "[%" PRId64 ",", p->id);
	text_json(b, rw->v[C_SKU_CODE]);
	buf_addc(b, ',');
	text_json(b, rw->v[C_BARCODE] ? rw->v[C_BARCODE] : "");
	buf_addc(b, ',');
	text_json(b, rw->v[C_SPEC] ? rw->v[C_SPEC] : "");
	buf_addc(b, ',');
	/* A new SKU takes its product's unit, as written or as stored. */
	text_json(b, p->unit != NULL ? p->unit : p->old_unit ? p->old_unit :
	    UNIT_DEFAULT);
	buf_printf(b, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%"
	    PRId64 ",", rw->num[C_PACK_SIZE], rw->num[C_MIN_QTY],
	    rw->num[C_STOCK], rw->num[C_WEIGHT_G], rw->num[C_PRICE]);
	if (rw->has_retail)
		buf_printf(b, "%" PRId64, rw->num[C_RETAIL_PRICE]);
	else
		buf_adds(b, "null");
	buf_printf(b, ",%d,", rw->sort);
	if (p->old_unit != NULL)
		text_json(b, p->old_unit);
	else
		buf_adds(b, "null");
	buf_printf(b, ",%" PRId64 "]", rw->num[C_PACK_ONLY]);
}

static int
write_skus(struct dctx *c, struct imp *im)
{
	struct batch	 bt;
	struct row	*rw;
	int		 rc = 0;

	batch_init(&bt, run_skus);
	for (rw = im->rows; rw != NULL && rc == 0; rw = rw->next) {
		sku_json(batch_row(&bt), rw);
		rc = batch_done(c, im, &bt);
	}
	if (rc == 0)
		rc = batch_flush(c, im, &bt);
	buf_free(&bt.b);
	return rc;
}

static int
by_sku_id(const void *a, const void *b)
{
	const struct row	*x = *(struct row *const *)a;
	const struct row	*y = *(struct row *const *)b;

	return x->sku_id < y->sku_id ? -1 : x->sku_id > y->sku_id;
}

/*
 * The stock column as movements (stock.c): each SKU set to the counted
 * value under its row lock, in ascending id as every transaction that
 * locks several SKUs does; a new SKU's first movement is what it starts
 * with. Without the column, stored SKUs keep theirs (a new one has 0).
 */
static int
write_stocks(struct dctx *c, struct imp *im)
{
	struct row	**v, *rw;
	size_t		  n = 0, i;

	for (rw = im->rows; rw != NULL; rw = rw->next)
		n++;
	v = arena_alloc(c->arena, (n + 1) * sizeof(*v));
	for (n = 0, rw = im->rows; rw != NULL; rw = rw->next)
		if (has(im, C_STOCK) || rw->new_sku)
			v[n++] = rw;
	qsort(v, n, sizeof(*v), by_sku_id);
	for (i = 0; i < n; i++)
		if ((!v[i]->new_sku || v[i]->num[C_STOCK] > 0) &&
		    stock_set(c, v[i]->sku_id, v[i]->num[C_STOCK],
		    STOCK_IMPORT, v[i]->new_sku ? "导入新规格" : "导入", NULL)
		    != 0)
			return -1;
	return 0;
}

/*
 * Mark the SKUs whose tiers the file leaves as they are: the chunk's SKUs
 * that exist, their stored tiers as text, KEY_BATCH at a time.
 */
static int
tiers_batch(struct dctx *c, struct row **rows, int n, struct buf *ids)
{
	struct db_res	*r;
	struct buf	 was;
	int		 i, j, k;

	buf_addc(ids, ']');
	if (db_run(c->arena, &r, sql_tiers_of, "si", buf_cstr(ids),
	    c->shop->id) == -1)
		return -1;
	buf_init(&was, 256);
	for (k = 0, i = 0; k < n; k++) {
		was.len = 0;
		for (j = i; j < r->nrows && db_cell_i64(r, j, 0) == k + 1; j++)
			buf_printf(&was, "%s%s:%s", j > i ? ";" : "",
			    db_cell(r, j, 1), fmt_yuan(c->arena,
			    db_cell_i64(r, j, 2)));
		i = j;
		rows[k]->tiers_same = strcmp(tiers_text(c->arena,
		    rows[k]->tiers, rows[k]->ntiers), buf_cstr(&was)) == 0;
	}
	buf_free(&was);
	ids->len = 0;
	buf_addc(ids, '[');
	return 0;
}

static int
tiers_compare(struct dctx *c, struct imp *im)
{
	struct row	**rows, *rw;
	struct buf	  ids;
	int		  n = 0, rc = 0;

	rows = arena_alloc(c->arena, KEY_BATCH * sizeof(*rows));
	buf_init(&ids, 16 * 1024);
	buf_addc(&ids, '[');
	for (rw = im->rows; rw != NULL && rc == 0; rw = rw->next) {
		rw->tiers_same = 0;
		if (rw->new_sku)
			continue;
		buf_printf(&ids, "%s%" PRId64, n > 0 ? "," : "", rw->sku_id);
		rows[n++] = rw;
		if (n == KEY_BATCH) {
			rc = tiers_batch(c, rows, n, &ids);
			n = 0;
		}
	}
	if (rc == 0 && n > 0)
		rc = tiers_batch(c, rows, n, &ids);
	buf_free(&ids);
	return rc;
}

/* An empty tiers cell clears the SKU's tiers: replace what changed. */
static int
write_tiers(struct dctx *c, struct imp *im)
{
	struct batch	 clear, add;
	struct row	*rw;
	int		 i, rc;

	if (tiers_compare(c, im) == -1)
		return -1;
	batch_init(&clear, run_tiers_clear);
	batch_init(&add, run_tiers_add);
	for (rc = 0, rw = im->rows; rw != NULL && rc == 0; rw = rw->next) {
		if (rw->new_sku || rw->tiers_same)
			continue;
		buf_printf(batch_row(&clear), "%" PRId64, rw->sku_id);
		rc = batch_done(c, im, &clear);
	}
	if (rc == 0)
		rc = batch_flush(c, im, &clear);
	for (rw = im->rows; rw != NULL && rc == 0; rw = rw->next)
		for (i = 0; i < rw->ntiers && !rw->tiers_same && rc == 0;
		    i++) {
			buf_printf(batch_row(&add), "[%" PRId64 ",%" PRId64 ",%"
			    PRId64 "]", rw->sku_id, rw->tiers[i].min_qty,
			    rw->tiers[i].price_fen);
			rc = batch_done(c, im, &add);
		}
	if (rc == 0)
		rc = batch_flush(c, im, &add);
	buf_free(&clear.b);
	buf_free(&add.b);
	return rc;
}


/*
 * Write the chunk import_check_rows() found good, in its transaction,
 * and bump the shop's version. 0 or ERR_INTERNAL.
 */
int
import_write(struct dctx *c, struct imp *im)
{
	struct prod	*p;
	struct row	*rw;

	if (import_write_categories(c, im) == -1 ||
	    write_products(c, im) == -1 ||
	    import_lookup(c, im, LOOK_NEW_PRODUCTS) != 0)
		return ERR_INTERNAL;
	for (p = im->prods; p != NULL; p = p->next)
		if (p->id == 0) {
			clog_warnx(c, "import: product %s has no id", p->code);
			return ERR_INTERNAL;
		}
	if (write_skus(c, im) == -1 ||
	    import_lookup(c, im, LOOK_NEW_SKUS) != 0)
		return ERR_INTERNAL;
	for (rw = im->rows; rw != NULL; rw = rw->next)
		if (rw->sku_id == 0 || rw->prod->id == 0) {
			clog_warnx(c, "import: sku %s has no id",
			    rw->v[C_SKU_CODE]);
			return ERR_INTERNAL;
		}
	if (write_stocks(c, im) == -1 ||
	    (has(im, C_TIERS) && write_tiers(c, im) == -1))
		return ERR_INTERNAL;
	return shop_touch(c, c->shop->id);
}
