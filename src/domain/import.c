/*
 * import.c -- products, SKUs and price tiers from CSV or .xlsx
 * (docs/csv.md), all or nothing: no row is written unless every row is
 * good, and then every problem is listed. An upload (IMPORT_ROWS_MAX rows
 * at most) is read, checked against the shop and written in one
 * transaction. The shell takes a file of any size: a first pass checks
 * it chunk by chunk and writes nothing; the second writes the missing
 * categories, then each chunk of whole products in a transaction of its
 * own. Between chunks only products, SKU codes and categories are kept,
 * so memory does not grow with the rows. No HTTP here; the caller owns
 * the report and frees it with import_report_free().
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/products_csv.h"
#include "domain/import.h"

static const char sql_lock[] = "SELECT id FROM shop WHERE id = ? FOR UPDATE";

/* Forget the chunk: its rows and what was looked up for them. */
static void
chunk_reset(struct imp *im)
{
	arena_reset(im->arena);
	im->rows = im->last = NULL;
	im->rows_tail = &im->rows;
	im->nrows = 0;
	im->prods = im->cprods = NULL;
	im->prods_tail = &im->prods;
}

/* Start from nothing: an upload's transaction may run again. */
static void
imp_reset(struct imp *im)
{
	struct import_report	*rep = im->rep;

	chunk_reset(im);
	strmap_free(&im->prod_map);
	strmap_free(&im->sku_map);
	strmap_free(&im->cat_map);
	strmap_free(&im->units);
	im->new_cats = NULL;
	im->new_tail = &im->new_cats;
	im->ncats = 0;
	im->nerrs = 0;
	im->header_bad = im->too_many = 0;
	rep->errors.len = 0;
	rep->rows = rep->rows_written = rep->nerrors = 0;
	rep->products_created = rep->products_updated = 0;
	rep->skus_created = rep->skus_updated = 0;
}

/* What writing the chunk will create and update. */
static void
count_chunk(struct imp *im)
{
	struct prod	*p;
	struct row	*rw;

	memset(im->created, 0, sizeof(im->created));
	memset(im->updated, 0, sizeof(im->updated));
	for (p = im->prods; p != NULL; p = p->next)
		if (p->id == 0)
			im->created[0]++;
		else
			im->updated[0]++;
	for (rw = im->rows; rw != NULL; rw = rw->next)
		if ((rw->new_sku = rw->sku_id == 0))
			im->created[1]++;
		else
			im->updated[1]++;
}

/* The chunk is written (and committed, or about to be). */
static void
chunk_written(struct imp *im)
{
	struct import_report	*rep = im->rep;

	rep->products_created += im->created[0];
	rep->products_updated += im->updated[0];
	rep->skus_created += im->created[1];
	rep->skus_updated += im->updated[1];
	rep->rows_written += im->nrows;
}

static void
progress(const struct imp *im, enum import_phase phase, int done, int total)
{
	if (im->opts->progress != NULL)
		im->opts->progress(im->opts->arg, phase, done, total);
}

static int
invalid(struct imp *im)
{
	import_errors_report(im);
	return im->too_many ? ERR_TOO_LARGE : ERR_INVALID;
}

/*
 * An upload's transaction (run again by db_tx_run on a deadlock, so it
 * starts from nothing): read the file, lock the shop against a concurrent
 * import, check every row against it, then write or return why not.
 */
static int
tx_upload(struct dctx *c, void *arg)
{
	struct imp	*im = arg;
	int		 rc;

	imp_reset(im);
	if (import_src_open(im) == 0)
		import_read_chunk(im);
	import_src_close(im);
	if (im->header_bad || im->too_many)
		return invalid(im);
	if (db_run(c->arena, NULL, sql_lock, "i", c->shop->id) == -1 ||
	    import_load(c, im) != 0 || import_attach(c, im) != 0 ||
	    import_lookup(c, im, 0) != 0)
		return ERR_INTERNAL;
	import_check_rows(im);
	if (im->nerrs > 0)
		return invalid(im);
	count_chunk(im);
	if ((rc = import_write(c, im)) == 0)
		chunk_written(im);
	return rc;
}

/* The shell's first pass: every chunk checked, nothing written. */
static int
check_all(struct dctx *c, struct imp *im)
{
	int	rc;

	if (import_src_open(im) == -1)
		return 0;
	if ((rc = import_load(c, im)) != 0)
		return rc;
	while (import_read_chunk(im) > 0) {
		if ((rc = import_attach(c, im)) != 0 ||
		    (rc = import_lookup(c, im, 0)) != 0)
			return rc;
		import_check_rows(im);
		progress(im, IMPORT_CHECKING, im->rep->rows, 0);
		chunk_reset(im);
	}
	import_src_close(im);
	return 0;
}

/* The categories a shell import needs, before its first chunk. */
static int
tx_categories(struct dctx *c, void *arg)
{
	struct imp	*im = arg;
	struct icat	*ct;

	for (ct = im->new_cats; ct != NULL; ct = ct->next_new)
		ct->id = 0;		/* none, if this runs again */
	if (db_run(c->arena, NULL, sql_lock, "i", c->shop->id) == -1 ||
	    import_write_categories(c, im) == -1)
		return ERR_INTERNAL;
	return 0;
}

/*
 * One chunk of the shell's second pass, its rows attached already. The
 * first pass found them good; if the shop changed since (a SKU moved to
 * another product by someone else), the check fails again: ERR_CONFLICT.
 */
static int
tx_chunk(struct dctx *c, void *arg)
{
	struct imp	*im = arg;

	im->nerrs = 0;
	if (db_run(c->arena, NULL, sql_lock, "i", c->shop->id) == -1 ||
	    import_lookup(c, im, 0) != 0)
		return ERR_INTERNAL;
	import_check_rows(im);
	if (im->nerrs > 0)
		return ERR_CONFLICT;
	count_chunk(im);
	return import_write(c, im);
}

/* The shell's second pass: categories, then chunk after chunk. */
static int
write_all(struct dctx *c, struct imp *im)
{
	struct import_report	*rep = im->rep;
	struct prod		*p;
	size_t			 i;
	int			 total = rep->rows, rc = 0;

	for (i = 0; i < im->prod_map.cap; i++)
		if ((p = im->prod_map.val[i]) != NULL)
			p->nskus = 0;	/* the sorts, again */
	rep->rows = 0;
	if (db_tx_run(c, tx_categories, im) != 0 || import_src_open(im) == -1)
		return ERR_INTERNAL;
	while (rc == 0 && import_read_chunk(im) > 0) {
		if ((rc = import_attach(c, im)) == 0 && im->nerrs > 0)
			rc = ERR_CONFLICT;
		if (rc == 0 && (rc = db_tx_run(c, tx_chunk, im)) == 0) {
			chunk_written(im);
			progress(im, IMPORT_WRITING, rep->rows_written, total);
		}
		chunk_reset(im);
	}
	import_src_close(im);
	if (rc == 0 && (im->header_bad || rep->rows_written != total))
		rc = ERR_INTERNAL;	/* the file read differently */
	rep->rows = total;
	return rc;
}

static int
import_shell(struct dctx *c, struct imp *im)
{
	int	rc;

	if ((rc = check_all(c, im)) != 0)
		return rc;
	if (im->header_bad || im->nerrs > 0)
		return invalid(im);
	if ((rc = write_all(c, im)) == ERR_CONFLICT)
		import_errors_report(im);
	return rc;
}

static void
import_done(struct dctx *c, const struct import_report *rep)
{
	clog_info(c, "import products rows=%d products_created=%d "
	    "products_updated=%d skus_created=%d skus_updated=%d%s%s",
	    rep->rows, rep->products_created, rep->products_updated,
	    rep->skus_created, rep->skus_updated, rep->from_gb18030 ?
	    " encoding=gb18030" : "", rep->from_xlsx ? " format=xlsx" : "");
}

/* Why nothing, or not everything, was written. */
static void
import_failed(struct dctx *c, int rc, struct import_report *rep)
{
	if (rc == ERR_INVALID || rc == ERR_TOO_LARGE)
		c->error = arena_printf(c->arena, "文件中有 %d 个错误，未导入"
		    "任何数据", rep->nerrors);
	else if (rep->rows_written > 0)
		c->error = arena_printf(c->arena, "导入中断（%s）：已写入 %d/%d "
		    "行，其余未写入；再运行同一命令即可导入其余的行（已写入的会"
		    "更新，不会重复）", rc == ERR_CONFLICT ? "导入期间商品被改动" :
		    "数据库出错", rep->rows_written, rep->rows);
	else if (rc == ERR_CONFLICT)
		c->error = "导入期间商品被改动，未导入任何数据，请重新导入";
	else
		c->error = "导入失败（数据库出错），未导入任何数据";
	if (rc != ERR_INVALID && rc != ERR_TOO_LARGE)
		clog_warnx(c, "import products failed rows=%d rows_written=%d",
		    rep->rows, rep->rows_written);
}

/*
 * Import a CSV or .xlsx file of products into c->shop, all or nothing
 * (opts NULL: as an upload). report is always filled (free it with
 * import_report_free); on ERR_INVALID or ERR_TOO_LARGE its errors say
 * what is wrong, line by line. A shell import that fails while writing
 * says in report->rows_written how many rows it wrote.
 */
int
import_products(struct dctx *c, const char *data, size_t len,
    const struct import_opts *opts, struct import_report *report)
{
	static const struct import_opts	 upload;
	struct arena			*request = c->arena;
	struct imp			 im;
	int				 rc;

	memset(report, 0, sizeof(*report));
	buf_init(&report->errors, 1024);
	memset(&im, 0, sizeof(im));
	im.rep = report;
	im.opts = opts != NULL ? opts : &upload;
	im.keep = arena_new(BIG_CHUNK);
	im.arena = c->arena = arena_new(BIG_CHUNK);
	im.new_tail = &im.new_cats;
	chunk_reset(&im);
	import_src_init(&im, data, len);
	if (im.opts->shell) {
		im.chunk_rows = IMPORT_CHUNK_ROWS;
		rc = import_shell(c, &im);
	} else {
		im.rows_max = IMPORT_ROWS_MAX;
		rc = db_tx_run(c, tx_upload, &im);
	}
	import_src_close(&im);
	c->arena = request;
	arena_free(im.arena);
	arena_free(im.keep);
	strmap_free(&im.prod_map);
	strmap_free(&im.sku_map);
	strmap_free(&im.cat_map);
	strmap_free(&im.units);
	free(im.errs);
	buf_cstr(&report->errors);
	if (rc == 0) {
		import_done(c, report);
		return 0;
	}
	import_failed(c, rc, report);
	if (report->rows_written == 0) {
		report->products_created = report->products_updated = 0;
		report->skus_created = report->skus_updated = 0;
	}
	return rc;
}

void
import_report_free(struct import_report *report)
{
	buf_free(&report->errors);
	report->nerrors = 0;
}
