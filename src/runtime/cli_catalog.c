/*
 * cli_catalog.c -- the shell's side of the CSV import and export:
 *   dinghuo import products --shop SLUG FILE.csv
 *   dinghuo export products --shop SLUG [FILE.csv]
 * The work is the domain's (import_products, export_products_count).
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/products_csv.h"
#include "domain/shop.h"
#include "runtime/runtime.h"

struct cli {
	struct arena	*arena;
	struct dctx	 c;
	const char	*slug;
	const char	*file;
};

static int
cli_args(int argc, char **argv, struct cli *cl, int import)
{
	struct cli_opt	 opts[] = {
		{ "shop", CLI_REQUIRED, NULL }, { NULL, 0, NULL }
	};

	memset(cl, 0, sizeof(*cl));
	if (argc >= 1 && strcmp(argv[0], "products") == 0 &&
	    cli_opts_parse(argc - 1, argv + 1, opts, &cl->file) == 0 &&
	    (cl->file != NULL || !import)) {
		cl->slug = opts[0].value;
		return 0;
	}
	fprintf(stderr, import ?
	    "usage: dinghuo import products --shop SLUG FILE.csv\n" :
	    "usage: dinghuo export products --shop SLUG [FILE.csv]\n");
	return -1;
}

/* A context outside any request, with the shop set. */
static int
cli_open(struct cli *cl)
{
	cl->arena = arena_new(64 * 1024);
	dctx_init(&cl->c, cl->arena, "cli");
	if (db_open() == -1) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		return -1;
	}
	if (shop_by_slug(&cl->c, cl->slug, &cl->c.shop) != 0) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		return -1;
	}
	if (cl->c.shop == NULL) {
		fprintf(stderr, "dinghuo: no shop '%s'\n", cl->slug);
		return -1;
	}
	return 0;
}

static void
cli_close(struct cli *cl)
{
	arena_free(cl->arena);
	shop_cache_clear();
	db_close();
}

/* The whole file into b, refused beyond max bytes. */
static int
read_file(const char *path, size_t max, struct buf *b)
{
	FILE	*f;
	size_t	 n;
	int	 rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "dinghuo: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		buf_reserve(b, 64 * 1024);
		n = fread(b->p + b->len, 1, b->cap - b->len - 1, f);
		b->len += n;
		if (b->len > max) {
			fprintf(stderr, "dinghuo: %s: larger than max_upload "
			    "(%zu bytes); split it into several files\n",
			    path, max);
			goto out;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "dinghuo: %s: %s\n", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

int
cli_import(int argc, char **argv)
{
	struct import_report	 rep;
	struct cli		 cl;
	struct buf		 data;
	int			 rc = 1;

	if (cli_args(argc, argv, &cl, 1) == -1)
		return 2;
	buf_init(&data, 64 * 1024);
	memset(&rep, 0, sizeof(rep));
	if (read_file(cl.file, (size_t)conf.max_upload, &data) == -1)
		goto out;
	if (cli_open(&cl) == -1)
		goto out;
	switch (import_products(&cl.c, data.p, data.len, &rep)) {
	case 0:
		printf("导入完成：%d 行，新建商品 %d，更新商品 %d，"
		    "新建 SKU %d，更新 SKU %d\n", rep.rows,
		    rep.products_created, rep.products_updated,
		    rep.skus_created, rep.skus_updated);
		if (rep.from_gb18030)
			printf("文件是 GBK/GB18030 编码，已按此读取\n");
		rc = 0;
		break;
	case ERR_INVALID:
	case ERR_TOO_LARGE:
		fputs(buf_cstr(&rep.errors), stderr);
		fprintf(stderr, "未导入任何数据（%d 个错误）\n", rep.nerrors);
		break;
	default:
		fprintf(stderr, "dinghuo: %s\n", cl.c.error);
		break;
	}
out:
	import_report_free(&rep);
	buf_free(&data);
	if (cl.arena != NULL)
		cli_close(&cl);
	return rc;
}

static int
write_out(const char *path, const struct buf *b)
{
	FILE	*f = path ? fopen(path, "wb") : stdout;

	if (f == NULL) {
		fprintf(stderr, "dinghuo: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(b->p, 1, b->len, f) != b->len || fflush(f) != 0 ||
	    (path != NULL && fclose(f) != 0)) {
		fprintf(stderr, "dinghuo: %s: %s\n", path ? path : "stdout",
		    strerror(errno));
		if (path != NULL)
			fclose(f);
		return -1;
	}
	return 0;
}

int
cli_export(int argc, char **argv)
{
	struct cli	cl;
	struct buf	out;
	int		rc = 1, n;

	if (cli_args(argc, argv, &cl, 0) == -1)
		return 2;
	buf_init(&out, 256 * 1024);
	if (cli_open(&cl) == -1)
		goto out;
	if (export_products_count(&cl.c, &out, &n) != 0) {
		fprintf(stderr, "dinghuo: %s\n", cl.c.error);
		goto out;
	}
	if (write_out(cl.file, &out) == -1)
		goto out;
	if (cl.file != NULL)
		fprintf(stderr, "导出完成：%d 行，写入 %s\n", n, cl.file);
	rc = 0;
out:
	buf_free(&out);
	cli_close(&cl);
	return rc;
}
