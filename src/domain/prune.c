/*
 * prune.c -- uploads nobody uses: remove the files under uploads_dir
 * and private_dir that nothing refers to. They are left behind when a
 * worker dies between writing an upload and committing its row, by an
 * interrupted write (the .tmp and .upload files), or when products are
 * deleted straight in the database (product_image rows cascade, files do
 * not). A file under uploads_dir is in use when a product image, the
 * shop's logo, a product description or a dealer application not yet
 * moved to private_dir (licence_private = 0) names it; one under
 * private_dir when any dealer application's business licence, any
 * payment's proof, any issued invoice's file or a channel's
 * mini-program code does.
 * Only files older than --min-age minutes (default 60) are touched, so an
 * upload in progress is never raced; --dry-run only lists. The work is
 * uploads_prune(), which `dinghuo uploads prune` (runtime/cli_uploads.c)
 * and the uploads.prune job (job_tasks.c) run: for the job what the
 * command prints goes to the log.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/image.h"
#include "domain/prune.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

struct prune {
	struct arena	*arena;
	int		 dry_run;
	int		 verbose;	/* print (the command), else log */
	int64_t		 min_age;	/* seconds */
	char		**used;		/* this shop's image paths, sorted */
	size_t		 nused, capused;
	struct prune_stats st;
};

static const char sql_shop_exists[] = "SELECT COUNT(*) FROM shop WHERE id = ?";
static const char sql_images[] =
    "SELECT path, thumb_path FROM product_image WHERE shop_id = ? "
    "UNION ALL SELECT licence_path, licence_thumb FROM dealer_application "
    "WHERE shop_id = ? AND licence_private = 0 "
    "UNION ALL SELECT image_path, image_thumb FROM kf_msg "	/* 微信客服 */
    "WHERE shop_id = ? AND image_path IS NOT NULL";
/* Any row's, whatever its flag: one `dinghuo migrate` is moving now may
 * be under private_dir before its row says so. */
static const char sql_licences[] =
    "SELECT licence_path, licence_thumb FROM dealer_application "
    "WHERE shop_id = ? UNION ALL SELECT proof_path, proof_thumb "
    "FROM payment WHERE shop_id = ? AND proof_path IS NOT NULL "
    "UNION ALL SELECT file_path, file_path FROM invoice_request "
    "WHERE shop_id = ? AND file_path IS NOT NULL "
    "UNION ALL SELECT wxacode_path, wxacode_path FROM channel "
    "WHERE shop_id = ? AND wxacode_path IS NOT NULL "
    "UNION ALL SELECT path, thumb_path FROM ticket_photo WHERE shop_id = ?";
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

static void	say(struct prune *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	complain(struct prune *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* A file removed (or that would be): stdout, or the log for the job. */
static void
say(struct prune *p, const char *fmt, ...)
{
	va_list	 ap;
	char	 line[600];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (p->verbose)
		printf("%s\n", line);
	else
		log_info("uploads prune: %s", line);
}

/* A problem: "dinghuo: ..." on stderr, or the log for the job. */
static void
complain(struct prune *p, const char *fmt, ...)
{
	va_list	 ap;
	char	 line[600];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (p->verbose)
		fprintf(stderr, "dinghuo: %s\n", line);
	else
		log_warnx("uploads prune: %s", line);
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
in_use(struct prune *p, enum image_place place, int64_t shop,
    const char *rel)
{
	struct db_res	*r;
	const char	*url;

	if (p->nused > 0 && bsearch(&rel, p->used, p->nused, sizeof(*p->used),
	    cmp_str))
		return 1;
	if (place == IMAGE_PRIVATE)	/* no page links to these */
		return 0;
	url = arena_printf(p->arena, "/uploads/%s", rel);
	if (db_run(p->arena, &r, sql_named, "isis", shop, url, shop, url) ==
	    -1)
		return -1;
	return db_cell_i64(r, 0, 0) > 0;
}

static void
prune_file(struct prune *p, enum image_place place, int64_t shop,
    const char *dir, const char *name)
{
	struct stat	 st;
	const char	*path, *rel, *why = NULL;
	int		 used = 0;

	path = arena_printf(p->arena, "%s/%s", dir, name);
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	p->st.files++;
	if (time(NULL) - st.st_mtime < p->min_age) {
		p->st.kept++;
		return;
	}
	rel = arena_printf(p->arena, "%" PRId64 "/%s", shop, name);
	if (image_partial_name(name))
		why = "unfinished write";
	else if ((used = in_use(p, place, shop, rel)) == 0)
		why = "not referenced";
	if (used != 0) {
		if (used == -1) {
			complain(p, "%s: database: %s; kept", rel, db_error());
			p->st.failed++;
		}
		p->st.kept++;
		return;
	}
	if (!p->dry_run && unlink(path) == -1) {
		complain(p, "%s: %s", path, strerror(errno));
		p->st.failed++;
		return;
	}
	say(p, "%s %s (%s%s, %lld KB)", p->dry_run ? "would remove" :
	    "removed", rel, place == IMAGE_PRIVATE ? "private_dir, " : "", why,
	    (long long)(st.st_size + 1023) / 1024);
	p->st.removed++;
	p->st.bytes += (uint64_t)st.st_size;
}

/* The files of one shop's folder under image_root(place). */
static void
prune_shop(struct prune *p, enum image_place place, int64_t shop)
{
	struct db_res	*r;
	struct dirent	*de;
	const char	*dir;
	DIR		*d;
	int		 rc;

	dir = arena_printf(p->arena, "%s/%" PRId64, image_root(place), shop);
	if ((d = opendir(dir)) == NULL) {
		if (errno != ENOENT) {
			complain(p, "%s: %s", dir, strerror(errno));
			p->st.failed++;
		}
		return;
	}
	if (db_run(p->arena, &r, sql_shop_exists, "i", shop) == -1 ||
	    db_cell_i64(r, 0, 0) == 0) {
		complain(p, "%s: no shop %" PRId64 " in the database; left "
		    "alone", dir, shop);
		closedir(d);
		return;
	}
	p->nused = 0;
	rc = place == IMAGE_PRIVATE ? db_each(sql_licences, row_image, p,
	    "iiiii", shop, shop, shop, shop, shop) : db_each(sql_images,
	    row_image, p, "iii", shop, shop, shop);
	if (rc != 0) {
		complain(p, "database: %s", db_error());
		p->st.failed++;
		closedir(d);
		return;
	}
	if (p->nused > 0)	/* a shop without images has no array */
		qsort(p->used, p->nused, sizeof(*p->used), cmp_str);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			prune_file(p, place, shop, dir, de->d_name);
	closedir(d);
}

/* Every shop folder under image_root(place), or shop_id's only. */
static void
prune_place(struct prune *p, enum image_place place, int64_t shop_id)
{
	struct dirent	*de;
	DIR		*d;
	int64_t		 shop;
	const char	*err, *root = image_root(place);

	if (shop_id > 0) {
		prune_shop(p, place, shop_id);
		return;
	}
	if ((d = opendir(root)) == NULL) {
		/* private_dir is made with the first licence. */
		if (errno != ENOENT || place != IMAGE_PRIVATE) {
			complain(p, "%s: %s", root, strerror(errno));
			p->st.failed++;
		}
		return;
	}
	/* Shop folders are named by the shop's id; nothing else is ours. */
	while ((de = readdir(d)) != NULL)
		if (parse_i64(de->d_name, 1, INT64_MAX, &shop, &err) == 0)
			prune_shop(p, place, shop);
	closedir(d);
}

/*
 * Remove the files of shop_id (0: of every shop folder), under uploads_dir
 * and private_dir, older than min_age seconds that nothing uses; dry_run only counts them. verbose
 * prints each file on stdout and problems on stderr, as the command does;
 * otherwise they go to the log. The database must be open. 0, or -1 if
 * anything went wrong (st->failed).
 */
int
uploads_prune(int64_t shop_id, int64_t min_age, int dry_run, int verbose,
    struct prune_stats *st)
{
	struct prune	 p;

	memset(&p, 0, sizeof(p));
	p.min_age = min_age;
	p.dry_run = dry_run;
	p.verbose = verbose;
	p.arena = arena_new(64 * 1024);
	prune_place(&p, IMAGE_PUBLIC, shop_id);
	prune_place(&p, IMAGE_PRIVATE, shop_id);
	free(p.used);
	arena_free(p.arena);
	*st = p.st;
	return st->failed ? -1 : 0;
}
