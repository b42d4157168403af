/*
 * cli_catalog.c -- the shell's side of the import and export:
 *   dinghuo import products --shop SLUG FILE.csv|FILE.xlsx
 *   dinghuo export products --shop SLUG [FILE.csv]
 * The work is the domain's (import_products, export_products_count); an
 * import from here takes any size, in batches (docs/csv.md).
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/products_csv.h"
#include "domain/shop.h"
#include "runtime/runtime.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

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
	    "usage: dinghuo import products --shop SLUG FILE.csv|FILE.xlsx\n" :
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

/*
 * The file, mapped: the shell's import takes any size, and pages it has
 * read the kernel may drop again (a copy would stay). A pipe or other
 * unmappable file is read into b instead. 0 or -1.
 */
static int
map_file(const char *path, struct buf *b, const char **data, size_t *len)
{
	struct stat	 st;
	void		*p;
	ssize_t		 n;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		fprintf(stderr, "dinghuo: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (p = mmap(NULL,
	    (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) != MAP_FAILED) {
		madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
		*data = p;
		*len = (size_t)st.st_size;
		rc = 0;
		goto out;
	}
	for (;;) {
		buf_reserve(b, 64 * 1024);
		if ((n = read(fd, b->p + b->len, b->cap - b->len - 1)) <= 0)
			break;
		b->len += (size_t)n;
	}
	if (n == -1) {
		fprintf(stderr, "dinghuo: %s: %s\n", path, strerror(errno));
		goto out;
	}
	*data = b->p;
	*len = b->len;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	return rc;
}

/*
 * Progress on stderr: on a terminal one line kept up to date, else (a
 * log, a pipe) a line every PROGRESS_EVERY rows and after the last.
 */
#define PROGRESS_EVERY	10000

struct progress {
	int		 tty;
	int		 open;		/* the terminal's line is not ended */
	int		 shown;		/* rows the last line said */
	int		 phase;
	const char	*map;		/* the file, if mapped */
};

static void
show_progress(void *arg, enum import_phase phase, int done, int total)
{
	struct progress	*pr = arg;
	char		 line[128];

	if (!pr->tty && phase == IMPORT_WRITING &&
	    pr->phase == IMPORT_CHECKING && pr->shown != total)
		fprintf(stderr, "已检查 %d 行…\n", total);	/* all of them */
	if (!pr->tty && (int)phase == pr->phase &&
	    done / PROGRESS_EVERY == pr->shown / PROGRESS_EVERY &&
	    done != total)
		return;
	if (phase == IMPORT_CHECKING)
		snprintf(line, sizeof(line), "已检查 %d 行…", done);
	else
		snprintf(line, sizeof(line), "已导入 %d/%d 行…", done, total);
	if (!pr->tty)
		fprintf(stderr, "%s\n", line);
	else {
		if (pr->open && pr->phase != (int)phase)
			fputc('\n', stderr);	/* keep the last check line */
		fprintf(stderr, "\r%s", line);
		pr->open = !(phase == IMPORT_WRITING && done == total);
		if (!pr->open)
			fputc('\n', stderr);
	}
	pr->shown = done;
	pr->phase = (int)phase;
	fflush(stderr);
}

/* Pages of the mapped file read already leave the resident set (they
 * come back from the page cache when the second pass reads them). */
static void
release_pages(void *arg, size_t upto)
{
	struct progress	*pr = arg;
	size_t		 page = (size_t)sysconf(_SC_PAGESIZE);

	if (pr->map != NULL && upto >= page)
		madvise((void *)pr->map, upto / page * page, MADV_DONTNEED);
}

static void
import_result(int rc, const struct cli *cl, struct import_report *rep)
{
	switch (rc) {
	case 0:
		printf("导入完成：%d 行，新建商品 %d，更新商品 %d，"
		    "新建 SKU %d，更新 SKU %d\n", rep->rows,
		    rep->products_created, rep->products_updated,
		    rep->skus_created, rep->skus_updated);
		if (rep->from_gb18030)
			printf("文件是 GBK/GB18030 编码，已按此读取\n");
		if (rep->from_xlsx)
			printf("读取了 Excel 文件的工作表“%s”\n", rep->sheet);
		break;
	case ERR_INVALID:
	case ERR_TOO_LARGE:
		fputs(buf_cstr(&rep->errors), stderr);
		fprintf(stderr, "未导入任何数据（%d 个错误）\n", rep->nerrors);
		break;
	default:
		fputs(buf_cstr(&rep->errors), stderr);
		fprintf(stderr, "dinghuo: %s\n", cl->c.error);
		break;
	}
}

int
cli_import(int argc, char **argv)
{
	struct import_report	 rep;
	struct import_opts	 opts;
	struct progress		 pr;
	struct cli		 cl;
	struct buf		 data;
	const char		*p = NULL;
	size_t			 len = 0;
	int			 rc = 1;

	if (cli_args(argc, argv, &cl, 1) == -1)
		return 2;
	buf_init(&data, 64 * 1024);
	memset(&rep, 0, sizeof(rep));
	if (map_file(cl.file, &data, &p, &len) == -1 || cli_open(&cl) == -1)
		goto out;
	memset(&pr, 0, sizeof(pr));
	pr.tty = isatty(STDERR_FILENO);
	pr.phase = -1;
	memset(&opts, 0, sizeof(opts));
	opts.name = cl.file;
	opts.shell = 1;
	opts.progress = show_progress;
	opts.release = release_pages;
	opts.arg = &pr;
	if (p != data.p)
		pr.map = p;
	rc = import_products(&cl.c, p != NULL ? p : "", len, &opts, &rep);
	if (pr.open)
		fputc('\n', stderr);
	import_result(rc, &cl, &rep);
	rc = rc == 0 ? 0 : 1;
out:
	import_report_free(&rep);
	if (p != NULL && p != data.p)
		munmap((void *)p, len);
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
