/*
 * cli_images.c -- `dinghuo import images --shop SLUG [--replace] DIR`:
 * every image file of DIR named after a product's 货号 (P0001.jpg, and
 * P0001-2.png for its second image) is added to that product the way the
 * back office adds an upload (product_image_add: the same checks, the
 * re-encode, the thumbnail, the PRODUCT_IMAGES_MAX limit). A product that
 * has images already is left alone, so that running it twice adds
 * nothing; --replace deletes its images first. One line per file, a
 * summary, exit 1 when any file failed.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/product.h"
#include "domain/shop.h"
#include "runtime/runtime.h"

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

/* One file of the folder, and the product it names once looked up. */
struct ifile {
	const char	*name;
	int64_t		 pid;		/* 0: no such product */
	int		 nth;		/* 1 for P0001.jpg, 2 for P0001-2.jpg */
	int		 had;		/* the product's images before */
	const char	*code;		/* as the file names it */
};

struct run {
	struct dctx	 c;
	const char	*dir;
	int		 replace;
	struct ifile	*v;
	size_t		 n;
	int		 added;
	int		 skipped;
	int		 failed;
};

static int
args(int argc, char **argv, struct run *rn, const char **slug)
{
	struct cli_opt	 opts[] = {
		{ "shop", CLI_REQUIRED, NULL }, { "replace", CLI_FLAG, NULL },
		{ NULL, 0, NULL }
	};

	if (cli_opts_parse(argc, argv, opts, &rn->dir) == -1 ||
	    rn->dir == NULL) {
		fprintf(stderr, "usage: dinghuo import images --shop SLUG "
		    "[--replace] DIR\n");
		return -1;
	}
	*slug = opts[0].value;
	rn->replace = opts[1].value != NULL;
	return 0;
}

/* The part of name before its image extension, or NULL. */
static char *
image_stem(struct arena *a, const char *name)
{
	static const char *const exts[] = { "jpg", "jpeg", "png", "webp" };
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot == NULL || dot == name)
		return NULL;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot + 1, exts[i]) == 0)
			return arena_strndup(a, name, (size_t)(dot - name));
	return NULL;
}

static void
say(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line of the report: the file, what became of it. */
static void
say(const char *name, const char *fmt, ...)
{
	va_list	ap;

	printf("%s：", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * Which product a file is for: the whole stem as a 货号 (a code may end
 * in -2 itself), else the stem without a -N suffix, N from 2 to
 * PRODUCT_IMAGES_MAX. 0, or -1 when the database failed.
 */
static int
resolve(struct run *rn, struct ifile *f, char *stem)
{
	struct dctx	*c = &rn->c;
	char		*dash;
	int64_t		 nth;
	const char	*err;
	int		 rc;

	f->code = stem;
	f->nth = 1;
	if ((rc = product_image_count(c, stem, &f->pid, &f->had)) !=
	    ERR_NOT_FOUND)
		return rc == 0 ? 0 : -1;
	if ((dash = strrchr(stem, '-')) == NULL || dash == stem ||
	    parse_i64(dash + 1, 2, PRODUCT_IMAGES_MAX, &nth, &err) == -1)
		return 0;
	*dash = '\0';
	if ((rc = product_image_count(c, stem, &f->pid, &f->had)) == 0)
		f->nth = (int)nth;
	else if (rc != ERR_NOT_FOUND)
		return -1;
	return 0;
}

/* The folder's files, looked up; what is not an image file is said. */
static int
scan(struct run *rn)
{
	struct dirent	*e;
	struct stat	 st;
	DIR		*d;
	char		 path[PATH_MAX], *stem;
	size_t		 cap = 0;
	int		 rc = 0;

	if ((d = opendir(rn->dir)) == NULL) {
		fprintf(stderr, "dinghuo: %s: %s\n", rn->dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;	/* ., .., .DS_Store and the like */
		if (snprintf(path, sizeof(path), "%s/%s", rn->dir, e->d_name)
		    >= (int)sizeof(path) || stat(path, &st) == -1 ||
		    !S_ISREG(st.st_mode) || (stem = image_stem(rn->c.arena,
		    e->d_name)) == NULL) {
			say(e->d_name, "跳过：不是 .jpg .jpeg .png .webp "
			    "图片文件");
			rn->skipped++;
			continue;
		}
		if (rn->n == cap) {
			cap = cap ? cap * 2 : 64;
			rn->v = xrealloc(rn->v, cap * sizeof(*rn->v));
		}
		memset(&rn->v[rn->n], 0, sizeof(rn->v[rn->n]));
		rn->v[rn->n].name = arena_strdup(rn->c.arena, e->d_name);
		if (resolve(rn, &rn->v[rn->n], stem) == -1) {
			fprintf(stderr, "dinghuo: database: %s\n", db_error());
			rc = -1;
		}
		rn->n++;
	}
	closedir(d);
	return rc;
}

/* By product, then image number, then name: the order they are added. */
static int
by_product(const void *a, const void *b)
{
	const struct ifile	*x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->nth != y->nth)
		return x->nth < y->nth ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The whole file, at most max + 1 bytes: product_image_add says "too
 * large" for more, without reading a huge file to the end first. */
static int
slurp(const char *path, size_t max, struct buf *b)
{
	ssize_t	n;
	int	fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	b->len = 0;
	for (;;) {
		buf_reserve(b, 64 * 1024);
		n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += (size_t)n;
		if (b->len > max)
			break;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return n == -1 ? -1 : 0;
}

/* --replace: the product's images, gone before the files come. */
static int
clear(struct run *rn, const struct ifile *f)
{
	struct product_image	*im;
	int			 i, n, rc;

	if (product_images(&rn->c, f->pid, PRODUCT_IMAGES_MAX, &im, &n) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((rc = product_image_delete(&rn->c, f->pid, im[i].id)) !=
		    0 && rc != ERR_NOT_FOUND)	/* gone already: fine */
			return -1;
	printf("%s：删除原有图片 %d 张\n", f->code, n);
	return 0;
}

static void
add(struct run *rn, const struct ifile *f, struct buf *data, int *nth)
{
	struct product_image	 im;
	char			 path[PATH_MAX];
	int			 rc;

	snprintf(path, sizeof(path), "%s/%s", rn->dir, f->name);
	if (slurp(path, (size_t)conf.max_upload, data) == -1) {
		say(f->name, "读取失败：%s", strerror(errno));
		rn->failed++;
		return;
	}
	rn->c.error = NULL;
	if ((rc = product_image_add(&rn->c, f->pid, data->p, data->len,
	    &im)) == 0) {
		say(f->name, "已添加到 %s（第 %d 张）", f->code, ++*nth);
		rn->added++;
		return;
	}
	say(f->name, "%s", rc == ERR_NOT_FOUND ? "商品已被删除" :
	    rn->c.error != NULL ? rn->c.error : "保存失败（见日志）");
	rn->failed++;
}

/* Every file of one product: v[0..n), sorted. */
static void
product_files(struct run *rn, struct ifile *v, size_t n, struct buf *data)
{
	size_t	i;
	int	nth = 0;

	if (v[0].had > 0 && !rn->replace) {
		for (i = 0; i < n; i++)
			say(v[i].name, "跳过：商品 %s 已有 %d 张图片（要替换"
			    "请加 --replace）", v[i].code, v[i].had);
		rn->skipped += (int)n;
		return;
	}
	if (v[0].had > 0) {
		if (clear(rn, &v[0]) == -1) {
			for (i = 0; i < n; i++)
				say(v[i].name, "原有图片删除失败（见日志）");
			rn->failed += (int)n;
			return;
		}
	}
	for (i = 0; i < n; i++)
		add(rn, &v[i], data, &nth);
}

static void
attach(struct run *rn)
{
	struct buf	data;
	size_t		i, j;

	if (rn->n == 0)
		return;		/* and no qsort of NULL */
	qsort(rn->v, rn->n, sizeof(*rn->v), by_product);
	buf_init(&data, 256 * 1024);
	for (i = 0; i < rn->n; i = j) {
		for (j = i + 1; j < rn->n && rn->v[j].pid == rn->v[i].pid; j++)
			;
		if (rn->v[i].pid != 0) {
			product_files(rn, rn->v + i, j - i, &data);
			continue;
		}
		rn->failed += (int)(j - i);
		for (; i < j; i++)
			say(rn->v[i].name, "没有货号为“%s”的商品",
			    rn->v[i].code);
	}
	buf_free(&data);
}

int
cli_import_images(int argc, char **argv)
{
	struct arena	*a;
	struct run	 rn;
	const char	*slug;
	int		 rc = 1;

	memset(&rn, 0, sizeof(rn));
	if (args(argc, argv, &rn, &slug) == -1)
		return 2;
	a = arena_new(64 * 1024);
	dctx_init(&rn.c, a, "cli");
	if (db_open() == -1 || shop_by_slug(&rn.c, slug, &rn.c.shop) != 0) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		goto out;
	}
	if (rn.c.shop == NULL) {
		fprintf(stderr, "dinghuo: no shop '%s'\n", slug);
		goto out;
	}
	if (scan(&rn) == -1)
		goto out;
	attach(&rn);
	printf("图片导入完成：添加 %d，跳过 %d，失败 %d\n", rn.added,
	    rn.skipped, rn.failed);
	rc = rn.failed > 0;
out:
	free(rn.v);
	arena_free(a);
	shop_cache_clear();
	db_close();
	return rc;
}
