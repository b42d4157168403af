/*
 * import.c -- products, SKUs and price tiers from CSV (docs/csv.md). An
 * import is all or nothing: the whole file is read (import_read.c), every
 * row checked against the file and the shop's catalog, loaded once
 * (import_check.c), and only then one transaction writes it all in
 * batches (import_write.c). No HTTP here; the caller owns the report and
 * frees it with import_report_free(). export.c writes the same columns.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/products_csv.h"
#include "domain/import.h"

static const char sql_lock[] = "SELECT id FROM shop WHERE id = ? FOR UPDATE";

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
	import_read_rows(im);
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
	import_errors_report(im);
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
	im.rep = report;
	im.arena = c->arena = arena_new(BIG_CHUNK);
	/* Excel on Chinese Windows saves GBK: read it as such (not UTF-8). */
	if ((im.data = text_to_utf8(im.arena, data, len, &im.len,
	    &report->from_gb18030)) == NULL) {
		im.data = data;		/* the reader names the bad byte */
		im.len = len;
	}
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
		    "products_updated=%d skus_created=%d skus_updated=%d%s",
		    report->rows, report->products_created,
		    report->products_updated, report->skus_created,
		    report->skus_updated, report->from_gb18030 ?
		    " encoding=gb18030" : "");
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

