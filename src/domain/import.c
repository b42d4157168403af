/*
 * import.c -- products, SKUs and price tiers from CSV (docs/csv.md). An
 * import is all or nothing: the whole file is read (here), every row
 * checked against the file and the shop's catalog, loaded once
 * (import_check.c), and only then one transaction writes it all in
 * batches (import_write.c). No HTTP here; the caller owns the report and
 * frees it with import_report_free(). export.c writes the same columns.
 */
#include "dinghuo.h"
#include "domain/import.h"
#include "domain/text.h"

static const char sql_lock[] = "SELECT id FROM shop WHERE id = ? FOR UPDATE";

const struct column import_columns[NCOL] = {
	[C_CATEGORY] =		{ "category", COL_PRODUCT | COL_TEXT },
	[C_PRODUCT_CODE] =	{ "product_code", COL_REQUIRED | COL_TEXT },
	[C_PRODUCT_NAME] =	{ "product_name",
				  COL_REQUIRED | COL_PRODUCT | COL_TEXT },
	[C_UNIT] =		{ "unit", COL_PRODUCT | COL_TEXT },
	[C_SKU_CODE] =		{ "sku_code", COL_REQUIRED | COL_TEXT },
	[C_BARCODE] =		{ "barcode", COL_TEXT },
	[C_SPEC] =		{ "spec", COL_TEXT },
	[C_PACK_SIZE] =		{ "pack_size", 0 },
	[C_MIN_QTY] =		{ "min_qty", 0 },
	[C_STOCK] =		{ "stock", 0 },
	[C_WEIGHT_G] =		{ "weight_g", 0 },
	[C_PRICE] =		{ "price", COL_REQUIRED },
	[C_RETAIL_PRICE] =	{ "retail_price", 0 },
	[C_TIERS] =		{ "tiers", 0 },
	[C_ON_SHELF] =		{ "on_shelf", COL_PRODUCT },
	[C_VISIBLE] =		{ "visible", COL_PRODUCT },
	[C_DESCRIPTION] =	{ "description", COL_PRODUCT | COL_TEXT },
};

/*
 * Errors: "第 N 行：column：reason", kept with their line and sorted by
 * it at the end, since the file's problems are found in two passes.
 */

void
import_error(struct imp *im, int line, int col, const char *fmt, ...)
{
	struct ierr	*e;
	va_list		 ap;
	char		 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (im->nerrs == im->caperrs) {
		im->caperrs = im->caperrs ? im->caperrs * 2 : 64;
		im->errs = xrealloc(im->errs, im->caperrs * sizeof(*im->errs));
	}
	e = &im->errs[im->nerrs];
	e->line = line;
	e->seq = im->nerrs++;
	if (col >= 0)
		e->text = arena_printf(im->arena, "第 %d 行：%s：%s\n", line,
		    import_columns[col].name, msg);
	else
		e->text = arena_printf(im->arena, "第 %d 行：%s\n", line, msg);
}

static int
ierr_cmp(const void *a, const void *b)
{
	const struct ierr	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
errors_report(struct imp *im)
{
	int	i;

	qsort(im->errs, im->nerrs, sizeof(*im->errs), ierr_cmp);
	for (i = 0; i < im->nerrs; i++)
		buf_adds(&im->rep->errors, im->errs[i].text);
	im->rep->nerrors = im->nerrs;
}

/*
 * Reading the file: the header names the columns, then one row per SKU.
 */

static int
read_header(struct imp *im, struct csv *r)
{
	const char	*name;
	int		 i, k, bad = 0;

	for (k = 0; k < NCOL; k++)
		im->col[k] = -1;
	im->nhead = r->nfield;
	for (i = 0; i < r->nfield; i++) {
		name = text_trim(im->arena, r->field[i], " \t");
		for (k = 0; k < NCOL && strcmp(name,
		    import_columns[k].name) != 0; k++)
			;
		if (k == NCOL) {
			import_error(im, r->rec_line, -1, "第 %d 列“%s”不是已知的"
			    "列名（列名区分大小写，见 docs/csv.md）", i + 1,
			    text_shown(im->arena, name, 30));
			bad = 1;
		} else if (im->col[k] != -1) {
			import_error(im, r->rec_line, k, "列重复（第 %d 列和第 %d "
			    "列）", im->col[k] + 1, i + 1);
			bad = 1;
		} else
			im->col[k] = i;
	}
	for (k = 0; k < NCOL; k++)
		if ((import_columns[k].flags & COL_REQUIRED) &&
		    im->col[k] == -1) {
			import_error(im, r->rec_line, k, "缺少这一必需的列");
			bad = 1;
		}
	return bad ? -1 : 0;
}

static int
blank_record(const struct csv *r)
{
	int	i;

	for (i = 0; i < r->nfield; i++)
		if (r->field[i][strspn(r->field[i], " \t")] != '\0')
			return 0;
	return 1;
}

/* Trim s in place: skip leading ws, cut trailing ws. */
static char *
trim_in_place(char *s, const char *ws)
{
	size_t	n;

	s += strspn(s, ws);
	n = strlen(s);
	while (n > 0 && strchr(ws, s[n - 1]) != NULL)
		n--;
	s[n] = '\0';
	return s;
}

/* One record into a struct row: cells trimmed and unguarded, all in one
 * copy of the record (rows are many: one allocation each). */
static void
take_row(struct imp *im, const struct csv *r)
{
	struct row	*rw;
	char		*data;
	int		 k;

	rw = arena_alloc(im->arena, sizeof(*rw));
	memset(rw, 0, sizeof(*rw));
	rw->line = r->rec_line;
	data = arena_alloc(im->arena, r->data.len);
	memcpy(data, r->data.p, r->data.len);
	for (k = 0; k < NCOL; k++) {
		if (im->col[k] == -1)
			continue;
		rw->v[k] = trim_in_place(data + (r->field[im->col[k]] -
		    r->data.p), k == C_DESCRIPTION ? " \t\r\n" : " \t");
		if (import_columns[k].flags & COL_TEXT)
			rw->v[k] = csv_unguard(rw->v[k]);
	}
	*im->rows_tail = rw;
	im->rows_tail = &rw->next;
}

/* The first pass, without the database: the file's shape. */
static void
read_rows(struct imp *im)
{
	struct csv	r;
	int		rc, header = 1;

	csv_init(&r, im->data, im->len);
	while ((rc = csv_next(&r)) != 0) {
		if (rc == -1) {
			import_error(im, r.err_line, -1, "%s", r.error);
			if (!header)
				continue;
			im->header_bad = 1;
			break;
		}
		if (header) {
			im->header_bad = read_header(im, &r) == -1;
			if (im->header_bad)
				break;
			header = 0;
			continue;
		}
		if (blank_record(&r))
			continue;
		if (++im->rep->rows > IMPORT_ROWS_MAX) {
			im->rep->rows--;
			im->too_many = 1;
			import_error(im, r.rec_line, -1, "超过 %d 行数据，请分成"
			    "几个文件导入", IMPORT_ROWS_MAX);
			break;
		}
		if (r.nfield != im->nhead)
			import_error(im, r.rec_line, -1, "有 %d 列，表头有 %d 列",
			    r.nfield, im->nhead);
		else
			take_row(im, &r);
	}
	if (header && im->nerrs == 0) {
		import_error(im, 1, -1, "文件是空的，第一行应为表头");
		im->header_bad = 1;
	} else if (!header && im->rep->rows == 0 && im->nerrs == 0)
		import_error(im, 1, -1, "只有表头，没有数据行");
	csv_free(&r);
}


static void
imp_reset(struct imp *im)
{
	struct import_report	*rep = im->rep;

	strmap_free(&im->prod_map);
	strmap_free(&im->sku_map);
	strmap_free(&im->cat_map);
	im->rows = NULL;
	im->rows_tail = &im->rows;
	im->prods = NULL;
	im->prods_tail = &im->prods;
	im->new_cats = NULL;
	im->new_tail = &im->new_cats;
	im->ncats = 0;
	im->nerrs = 0;
	im->header_bad = im->too_many = 0;
	rep->errors.len = 0;
	rep->rows = rep->nerrors = 0;
	rep->products_created = rep->products_updated = 0;
	rep->skus_created = rep->skus_updated = 0;
}

static void
count_changes(struct imp *im)
{
	struct import_report	*rep = im->rep;
	struct prod		*p;
	struct row		*rw;

	for (p = im->prods; p != NULL; p = p->next)
		if (p->id != 0)
			rep->products_updated++;
		else
			rep->products_created++;
	for (rw = im->rows; rw != NULL; rw = rw->next)
		if (rw->sku_new)
			rep->skus_created++;
		else
			rep->skus_updated++;
}

/*
 * The transaction (run again by db_tx_run on a deadlock, so it starts
 * from nothing): read the file, lock the shop against a concurrent
 * import, load its catalog, check every row, then write or return why not.
 */
static int
tx_import(struct dctx *c, void *arg)
{
	struct imp	*im = arg;

	imp_reset(im);
	read_rows(im);
	if (im->header_bad || im->too_many)
		goto invalid;
	if (db_run(c->arena, NULL, sql_lock, "i", c->shop->id) == -1 ||
	    import_check(c, im) != 0)
		return ERR_INTERNAL;
	if (im->nerrs > 0)
		goto invalid;
	count_changes(im);
	return import_write(c, im);
invalid:
	errors_report(im);
	return im->too_many ? ERR_TOO_LARGE : ERR_INVALID;
}

/*
 * Import a CSV of products into c->shop, all or nothing. report is
 * always filled (free it with import_report_free); on ERR_INVALID or
 * ERR_TOO_LARGE its errors say what is wrong, line by line.
 */
int
import_products(struct dctx *c, const char *data, size_t len,
    struct import_report *report)
{
	struct arena	*request = c->arena;
	struct imp	 im;
	int		 rc;

	memset(report, 0, sizeof(*report));
	buf_init(&report->errors, 1024);
	memset(&im, 0, sizeof(im));
	im.data = data;
	im.len = len;
	im.rep = report;
	im.arena = c->arena = arena_new(BIG_CHUNK);
	rc = db_tx_run(c, tx_import, &im);
	c->arena = request;
	arena_free(im.arena);
	strmap_free(&im.prod_map);
	strmap_free(&im.sku_map);
	strmap_free(&im.cat_map);
	free(im.errs);
	buf_cstr(&report->errors);
	if (rc == 0) {
		clog_info(c, "import products rows=%d products_created=%d "
		    "products_updated=%d skus_created=%d skus_updated=%d",
		    report->rows, report->products_created,
		    report->products_updated, report->skus_created,
		    report->skus_updated);
		return 0;
	}
	report->products_created = report->products_updated = 0;
	report->skus_created = report->skus_updated = 0;
	if (rc == ERR_INVALID || rc == ERR_TOO_LARGE)
		c->error = arena_printf(c->arena, "文件中有 %d 个错误，未导入"
		    "任何数据", report->nerrors);
	else
		c->error = "导入失败（数据库出错），未导入任何数据";
	return rc;
}

void
import_report_free(struct import_report *report)
{
	buf_free(&report->errors);
	report->nerrors = 0;
}

