/*
 * h_admin_import.c -- the back office's import of a CSV or .xlsx file
 * (all or nothing; the page lists what is wrong, row by row) and its CSV
 * export (docs/csv.md). The work is the domain's (import.c, export.c), as
 * for `dinghuo import`.
 */
#include "base/base.h"
#include "domain/products_csv.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/category.h"
#include "domain/product.h"
#include "handlers/h_admin_catalog.h"

#define IMPORT_ERRORS_SHOWN 500		/* error lines on the import page */

static void
report_release(void *arg)
{
	import_report_free(arg);
}

/* The first IMPORT_ERRORS_SHOWN lines of the report; the CLI shows all. */
static json_object *
report_lines(const struct import_report *rep, int *shown)
{
	json_object	*lines = json_object_new_array();
	const char	*p, *nl;

	for (p = rep->errors.p, *shown = 0; p != NULL && *p &&
	    *shown < IMPORT_ERRORS_SHOWN; p = nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (nl > p) {
			json_object_array_add(lines,
			    json_object_new_string_len(p, (int)(nl - p)));
			(*shown)++;
		}
		if (*nl == '\n')
			nl++;
	}
	return lines;
}

static int
import_page(struct ctx *c, int status, const char *error,
    const struct import_report *rep)
{
	json_object	*v, *o;
	int		 shown;

	v = admin_view(c, "products");
	view_set_str(v, "action", ctx_link(c, "/admin/import"));
	view_set_str(v, "export_url", ctx_link(c, "/admin/export"));
	view_set_str(v, "template_url", ctx_link(c, "/admin/import/template"));
	view_set_str(v, "list_url", ctx_link(c, "/admin/products"));
	view_set_str(v, "error", error);
	if (rep != NULL) {
		o = json_object_new_object();
		view_set_bool(o, "ok", status == 0);
		view_set_i64(o, "rows", rep->rows);
		view_set_i64(o, "products_created", rep->products_created);
		view_set_i64(o, "products_updated", rep->products_updated);
		view_set_i64(o, "skus_created", rep->skus_created);
		view_set_i64(o, "skus_updated", rep->skus_updated);
		view_set_i64(o, "nerrors", rep->nerrors);
		view_set_bool(o, "from_gb18030", rep->from_gb18030);
		if (rep->from_xlsx)
			view_set_str(o, "sheet", rep->sheet);
		json_object_object_add(o, "errors", report_lines(rep, &shown));
		if (rep->nerrors > shown)	/* 0 would be truthy */
			view_set_i64(o, "errors_hidden", rep->nerrors - shown);
		json_object_object_add(v, "report", o);
	}
	c->status = status;
	c->title = "导入商品";
	return render(c, "admin/import");
}

int
h_import_form(struct ctx *c)
{
	return import_page(c, 0, NULL, NULL);
}

int
h_import(struct ctx *c)
{
	const struct upload	*u;
	struct import_report	*rep;
	struct import_opts	 opts;
	int			 rc;

	if ((u = admin_upload(c, "file")) == NULL)
		return import_page(c, 400, "请选择要导入的 CSV 文件或 Excel "
		    "文件（.xlsx）", NULL);
	if (u->len == 0)
		return import_page(c, 400, "文件是空的：第一行应为列名，"
		    "之后每个 SKU 一行", NULL);
	memset(&opts, 0, sizeof(opts));
	opts.name = u->filename;	/* an upload: limits, one transaction */
	rep = arena_alloc(c->d.arena, sizeof(*rep));
	rc = import_products(&c->d, u->data, u->len, &opts, rep);
	arena_defer(c->d.arena, report_release, rep);
	if (rc == 0) {
		clog_info(&c->d, "import from %s: %d rows", u->filename,
		    rep->rows);
		return import_page(c, 0, NULL, rep);
	}
	if (rc != ERR_INVALID && rc != ERR_TOO_LARGE)
		return http_fail(c, rc, c->d.error);
	return import_page(c, err_status(rc), c->d.error, rep);
}

int
h_export(struct ctx *c)
{
	c->body.len = 0;
	if (export_products(&c->d, &c->body) != 0) {
		c->body.len = 0;
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->status = 200;
	c->ctype = "text/csv; charset=utf-8";
	http_header(c, "Content-Disposition",
	    "attachment; filename=\"products.csv\"");
	return c->status;
}

/* GET /admin/import/template: a CSV to fill in, Chinese column names. */
int
h_import_template(struct ctx *c)
{
	c->body.len = 0;
	import_template(&c->body);
	c->status = 200;
	c->ctype = "text/csv; charset=utf-8";
	http_header(c, "Content-Disposition",
	    "attachment; filename=\"products-template.csv\"");
	return c->status;
}
