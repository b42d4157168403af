/*
 * prune.c -- `dinghuo uploads prune`: remove the files under uploads_dir
 * that nothing refers to. They are left behind when a worker dies between
 * writing an upload and committing its row, by an interrupted write (the
 * .tmp and .upload files), or when products are deleted straight in the
 * database (product_image rows cascade, files do not). A file is in use
 * when a product image, the shop's logo or a product description names it.
 * Only files older than --min-age minutes (default 60) are touched, so an
 * upload in progress is never raced; --dry-run only lists.
 */
#include "dinghuo.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

struct prune {
	struct arena	*arena;
	const char	*slug;
	int		 dry_run;
	int64_t		 min_age;	/* seconds */
	char		**used;		/* this shop's image paths, sorted */
	size_t		 nused, capused;
	int		 files, removed, kept, failed;
	uint64_t	 bytes;
};

static const char sql_shop_by_slug[] = "SELECT id FROM shop WHERE slug = ?";
static const char sql_shop_exists[] = "SELECT COUNT(*) FROM shop WHERE id = ?";
static const char sql_images[] =
    "SELECT path, thumb_path FROM product_image WHERE shop_id = ?";
/* The rare file no image row names: is it the logo, or in a description? */
static const char sql_named[] =
    "SELECT (SELECT COUNT(*) FROM shop WHERE id = ? AND logo_url = ?) + "
    "(SELECT COUNT(*) FROM product WHERE shop_id = ? AND "
    "LOCATE(?, description) > 0)";

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
row_image(void *arg, const char **row, int n)
{
	struct prune	*p = arg;
	int		 i;

	for (i = 0; i < n && i < 2; i++) {
		if (p->nused == p->capused) {
			p->capused = p->capused ? p->capused * 2 : 256;
			p->used = xrealloc(p->used, p->capused *
			    sizeof(*p->used));
		}
		p->used[p->nused++] = arena_strdup(p->arena, row[i]);
	}
	return 0;
}

/* 1: in use, 0: not, -1: could not tell. */
static int
in_use(struct prune *p, int64_t shop, const char *rel)
{
	struct db_res	*r;
	const char	*url;

	if (bsearch(&rel, p->used, p->nused, sizeof(*p->used), cmp_str))
		return 1;
	url = arena_printf(p->arena, "/uploads/%s", rel);
	if (db_run(p->arena, &r, sql_named, "isis", shop, url, shop, url) ==
	    -1)
		return -1;
	return db_cell_i64(r, 0, 0) > 0;
}

static void
prune_file(struct prune *p, int64_t shop, const char *dir, const char *name)
{
	struct stat	 st;
	const char	*path, *rel, *why = NULL;
	int		 used = 0;

	path = arena_printf(p->arena, "%s/%s", dir, name);
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	p->files++;
	if (time(NULL) - st.st_mtime < p->min_age) {
		p->kept++;
		return;
	}
	rel = arena_printf(p->arena, "%" PRId64 "/%s", shop, name);
	if (image_partial_name(name))
		why = "unfinished write";
	else if ((used = in_use(p, shop, rel)) == 0)
		why = "not referenced";
	if (used != 0) {
		if (used == -1) {
			fprintf(stderr, "dinghuo: %s: database: %s; kept\n",
			    rel, db_error());
			p->failed++;
		}
		p->kept++;
		return;
	}
	if (!p->dry_run && unlink(path) == -1) {
		fprintf(stderr, "dinghuo: %s: %s\n", path, strerror(errno));
		p->failed++;
		return;
	}
	printf("%s %s (%s, %lld KB)\n", p->dry_run ? "would remove" :
	    "removed", rel, why, (long long)(st.st_size + 1023) / 1024);
	p->removed++;
	p->bytes += (uint64_t)st.st_size;
}

static void
prune_shop(struct prune *p, int64_t shop)
{
	struct db_res	*r;
	struct dirent	*de;
	const char	*dir;
	DIR		*d;

	dir = arena_printf(p->arena, "%s/%" PRId64, conf.uploads_dir, shop);
	if ((d = opendir(dir)) == NULL) {
		if (errno != ENOENT) {
			fprintf(stderr, "dinghuo: %s: %s\n", dir,
			    strerror(errno));
			p->failed++;
		}
		return;
	}
	if (db_run(p->arena, &r, sql_shop_exists, "i", shop) == -1 ||
	    db_cell_i64(r, 0, 0) == 0) {
		fprintf(stderr, "dinghuo: %s: no shop %" PRId64 " in the "
		    "database; left alone\n", dir, shop);
		closedir(d);
		return;
	}
	p->nused = 0;
	if (db_each(sql_images, row_image, p, "i", shop) != 0) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		p->failed++;
		closedir(d);
		return;
	}
	qsort(p->used, p->nused, sizeof(*p->used), cmp_str);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			prune_file(p, shop, dir, de->d_name);
	closedir(d);
}

static int
prune_args(int argc, char **argv, struct prune *p)
{
	struct cli_opt	 opts[] = {
		{ "shop", CLI_VALUE, NULL }, { "min-age", CLI_VALUE, NULL },
		{ "dry-run", CLI_FLAG, NULL }, { NULL, 0, NULL }
	};
	const char	*err;

	p->min_age = 60;
	if (argc < 1 || strcmp(argv[0], "prune") != 0 ||
	    cli_opts_parse(argc - 1, argv + 1, opts, NULL) == -1) {
		fprintf(stderr, "usage: dinghuo uploads prune [--shop SLUG] "
		    "[--min-age MINUTES] [--dry-run]\n");
		return -1;
	}
	p->slug = opts[0].value;
	p->dry_run = opts[2].value != NULL;
	if (opts[1].value != NULL && parse_i64(opts[1].value, 0, 525600,
	    &p->min_age, &err) == -1) {
		fprintf(stderr, "dinghuo: --min-age: minutes, 0 to 525600: "
		    "%s\n", err);
		return -1;
	}
	p->min_age *= 60;
	return 0;
}

int
cli_uploads(int argc, char **argv)
{
	struct prune	 p;
	struct db_res	*r;
	struct dirent	*de;
	DIR		*d;
	int64_t		 shop;
	const char	*err;

	memset(&p, 0, sizeof(p));
	if (prune_args(argc, argv, &p) == -1)
		return 2;
	p.arena = arena_new(64 * 1024);
	if (db_open() == -1) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		p.failed++;
		goto out;
	}
	if (p.slug != NULL) {
		if (db_run(p.arena, &r, sql_shop_by_slug, "s", p.slug) == -1) {
			fprintf(stderr, "dinghuo: database: %s\n", db_error());
			p.failed++;
		} else if (r->nrows == 0) {
			fprintf(stderr, "dinghuo: no shop '%s'\n", p.slug);
			p.failed++;
		} else
			prune_shop(&p, db_cell_i64(r, 0, 0));
		goto out;
	}
	if ((d = opendir(conf.uploads_dir)) == NULL) {
		fprintf(stderr, "dinghuo: %s: %s\n", conf.uploads_dir,
		    strerror(errno));
		p.failed++;
		goto out;
	}
	/* Shop folders are named by the shop's id; nothing else is ours. */
	while ((de = readdir(d)) != NULL)
		if (parse_i64(de->d_name, 1, INT64_MAX, &shop, &err) == 0)
			prune_shop(&p, shop);
	closedir(d);
out:
	printf("%d files looked at, %d %s (%llu KB), %d kept%s\n", p.files,
	    p.removed, p.dry_run ? "to remove" : "removed",
	    (unsigned long long)(p.bytes + 1023) / 1024, p.kept,
	    p.failed ? ", with errors (see above)" : "");
	log_info("uploads prune: files=%d removed=%d kept=%d bytes=%llu "
	    "dry_run=%d errors=%d", p.files, p.removed, p.kept,
	    (unsigned long long)p.bytes, p.dry_run, p.failed);
	free(p.used);
	arena_free(p.arena);
	db_close();
	return p.failed ? 1 : 0;
}
