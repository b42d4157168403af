/*
 * dealer_licence.c -- a dealer application's business licence photo,
 * which carries the legal representative's name and the company's
 * registration: only the shop's staff may see it. dealer_apply stores it
 * under private_dir (image_store_at, IMAGE_PRIVATE), which no web server
 * serves; dealer_licence_read reads it out for the back office's licence
 * route, bound to the request's shop. dealer_licences_move moves the
 * licences stored under uploads_dir before private_dir existed (and any
 * an old worker stored during an upgrade); `dinghuo migrate` runs it
 * after the SQL. No HTTP: the handler picks the headers.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/dealer_application.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

/* A licence photo is re-encoded from at most IMAGE_PIXELS_MAX pixels; no
 * real one comes near this, but a worker must not read just any size. */
#define LICENCE_FILE_MAX	(64 * 1024 * 1024)

static const char sql_file[] =
    "SELECT licence_path, licence_thumb, licence_private "
    "FROM dealer_application WHERE id = ? AND shop_id = ?";
/* A sql_dir that stops before 019 (a partial one, in tests) has none. */
static const char sql_has_flag[] =
    "SELECT COUNT(*) FROM information_schema.COLUMNS "
    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'dealer_application' "
    "AND COLUMN_NAME = 'licence_private'";
static const char sql_public[] =
    "SELECT id, shop_id, licence_path, licence_thumb "
    "FROM dealer_application WHERE licence_private = 0 ORDER BY id";
static const char sql_moved[] =
    "UPDATE dealer_application SET licence_private = 1 "
    "WHERE id = ? AND shop_id = ? AND licence_private = 0";

static int
gone(struct dctx *c)
{
	c->error = "营业执照照片不存在";
	return ERR_NOT_FOUND;
}

/*
 * The licence photo of application id of the request's shop (thumb: its
 * 400 px JPEG thumbnail), appended to out; image_type() tells its type.
 * 0; ERR_NOT_FOUND (another shop's, none, or the file is missing: logged)
 * or ERR_INTERNAL.
 */
int
dealer_licence_read(struct dctx *c, int64_t id, int thumb, struct buf *out)
{
	struct db_res	*r;
	const char	*rel, *path;
	int		 priv;

	if (db_run(c->arena, &r, sql_file, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "申请不存在";
		return ERR_NOT_FOUND;
	}
	rel = db_cell(r, 0, thumb ? 1 : 0);
	priv = db_cell_i64(r, 0, 2) != 0;
	if (!image_rel_valid(rel)) {
		clog_warnx(c, "dealer licence: application=%" PRId64 " has no "
		    "stored file path=%s", id, rel);
		return gone(c);
	}
	path = arena_printf(c->arena, "%s/%s", image_root(priv ?
	    IMAGE_PRIVATE : IMAGE_PUBLIC), rel);
	if (image_read_file(path, LICENCE_FILE_MAX, out) == 0)
		return 0;
	/* dinghuo migrate may have moved it since the row was read. */
	if (errno == ENOENT && !priv) {
		path = arena_printf(c->arena, "%s/%s", conf.private_dir, rel);
		if (image_read_file(path, LICENCE_FILE_MAX, out) == 0)
			return 0;
	}
	if (errno == ENOENT) {
		clog_warnx(c, "dealer licence: application=%" PRId64 " file "
		    "%s missing", id, path);
		return gone(c);
	}
	clog_warnx(c, "dealer licence: application=%" PRId64 " read %s: %s",
	    id, path, strerror(errno));
	return ERR_INTERNAL;
}

/* ---- moving the public ones --------------------------------------- */

enum moved { MV_MOVED, MV_THERE, MV_MISSING, MV_FAILED };

/*
 * Run as root (an operator's `sudo dinghuo migrate`), what the move makes
 * would be root's, and the workers could neither read nor add to it: give
 * it to whoever owns private_dir.
 */
static void
give(const char *path)
{
	struct stat	st;

	if (geteuid() != 0 || stat(conf.private_dir, &st) == -1 ||
	    st.st_uid == 0)
		return;
	if (lchown(path, st.st_uid, st.st_gid) == -1)
		log_warn("licence move: chown %s", path);
}

/* The copy rename cannot make across file systems: whole, or nothing. */
static int
copy(const char *src, const char *dir, const char *name)
{
	struct buf	b;
	int		rc;

	buf_init(&b, 0);
	if ((rc = image_read_file(src, LICENCE_FILE_MAX, &b)) == -1)
		log_warn("licence move: read %s", src);
	else
		rc = image_write_file(dir, name, b.p, b.len);
	buf_free(&b);
	return rc;
}

/* uploads_dir/rel to private_dir/rel; rel is "<shop>/<name>", checked. */
static enum moved
move_file(struct arena *a, int64_t shop, const char *rel)
{
	struct stat	 st;
	const char	*src, *dst, *dir, *name = strchr(rel, '/') + 1;

	src = arena_printf(a, "%s/%s", conf.uploads_dir, rel);
	dst = arena_printf(a, "%s/%s", conf.private_dir, rel);
	dir = arena_printf(a, "%s/%" PRId64, conf.private_dir, shop);
	if (lstat(dir, &st) == -1) {
		if (image_mkdirs_mode(dir, 0700) == -1)
			return MV_FAILED;
		give(conf.private_dir);
		give(dir);
	}
	if (lstat(dst, &st) == 0) {
		/* Moved by a run that stopped before its row said so; a
		 * copy's source may be left. */
		if (unlink(src) == -1 && errno != ENOENT)
			log_warn("licence move: unlink %s", src);
		return MV_THERE;
	}
	if (rename(src, dst) == 0)
		return MV_MOVED;
	if (errno == ENOENT)
		return MV_MISSING;
	if (errno != EXDEV) {
		log_warn("licence move: rename %s", src);
		return MV_FAILED;
	}
	if (copy(src, dir, name) == -1)
		return MV_FAILED;
	give(dst);
	if (unlink(src) == -1)
		log_warn("licence move: unlink %s", src);
	return MV_MOVED;
}

/* A row's two paths, as dealer_apply stored them for its shop. */
static int
ours(int64_t shop, const char *rel)
{
	char	prefix[32];
	int	n;

	n = snprintf(prefix, sizeof(prefix), "%" PRId64 "/", shop);
	return image_rel_valid(rel) && strncmp(rel, prefix, (size_t)n) == 0 &&
	    strchr(rel + n, '/') == NULL;
}

/* One application's licence: its files moved, then its row. */
static void
move_row(struct arena *a, const char **row, struct dealer_move_stats *st)
{
	const char	*why;
	enum moved	 m[2];
	int64_t		 id, shop;
	int		 i;

	if (parse_i64(row[0], 1, INT64_MAX, &id, &why) == -1 ||
	    parse_i64(row[1], 1, INT64_MAX, &shop, &why) == -1)
		return;
	if (!ours(shop, row[2]) || !ours(shop, row[3])) {
		log_warnx("licence move: application %" PRId64 " (shop %"
		    PRId64 ") names no stored file (%s, %s); left as is", id,
		    shop, row[2], row[3]);
		st->left++;
		return;
	}
	for (i = 0; i < 2; i++)
		m[i] = move_file(a, shop, row[2 + i]);
	if (m[0] == MV_FAILED || m[1] == MV_FAILED) {
		st->failed++;
		return;
	}
	if (m[0] == MV_MISSING || m[1] == MV_MISSING) {
		/* Not marked private: if uploads_dir is not all there (a
		 * mount, another host), prune must not take what is. */
		log_warnx("licence move: application %" PRId64 ": %s%s%s "
		    "in neither uploads_dir nor private_dir; left as is", id,
		    m[0] == MV_MISSING ? row[2] : "", m[0] == m[1] ? ", " : "",
		    m[1] == MV_MISSING ? row[3] : "");
		st->left++;
		return;
	}
	if (db_run(a, NULL, sql_moved, "ii", id, shop) == -1) {
		log_warnx("licence move: application %" PRId64 ": database: "
		    "%s", id, db_error());
		st->failed++;
		return;
	}
	log_info("licence move: application %" PRId64 " (shop %" PRId64
	    "): %s and %s now under private_dir", id, shop, row[2], row[3]);
	st->moved++;
}

/*
 * Move every licence still under uploads_dir to the same path under
 * private_dir, and mark its application so; what it does goes to the
 * log, one line an application. A file already there (a run that
 * stopped halfway) counts as moved; one in neither place leaves its row
 * as it is, and so does an I/O error, so running it again is safe; a
 * schema that stops before 019 (a partial sql_dir) has nothing to move.
 * The database must be open. 0, or -1 when something failed (st->failed).
 */
int
dealer_licences_move(struct dealer_move_stats *st)
{
	struct db_res	*r;
	struct arena	*a = arena_new(16 * 1024);
	int		 i;

	memset(st, 0, sizeof(*st));
	if (db_run(a, &r, sql_has_flag, "") == -1)
		goto fail;
	if (db_cell_i64(r, 0, 0) == 0)		/* nothing stored yet */
		goto out;
	if (db_run(a, &r, sql_public, "") == -1)
		goto fail;
	for (i = 0; i < r->nrows; i++) {
		const char *row[4] = { db_cell(r, i, 0), db_cell(r, i, 1),
		    db_cell(r, i, 2), db_cell(r, i, 3) };

		move_row(a, row, st);
	}
	goto out;
fail:
	log_warnx("licence move: database: %s", db_error());
	st->failed++;
out:
	arena_free(a);
	return st->failed ? -1 : 0;
}
