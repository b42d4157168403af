/*
 * secret.c -- a shop's secrets (AppSecrets, the merchant's private key,
 * the APIv3 key) as files: secrets_dir/<shop_id>/<name>, mode 0600 in
 * folders of mode 0700, written whole by temp file, fsync and rename.
 * Kept out of the database so that a dump, a replica or a support copy
 * of it carries no credential; the folder is backed up apart. Nothing
 * here logs a secret's bytes, only which one and why it failed.
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/image.h"
#include "domain/secret.h"

#include <sys/stat.h>

#include <limits.h>
#include <unistd.h>

static int
name_ok(const char *name)
{
	const char	*p;

	if (name == NULL || *name == '\0' || strlen(name) > 32 ||
	    *name == '.')
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '.'))
			return 0;
	return 1;
}

static int
path_of(char *out, size_t len, int64_t shop, const char *name)
{
	int	n;

	if (shop <= 0 || (name != NULL && !name_ok(name)))
		return -1;
	if (name == NULL)
		n = snprintf(out, len, "%s/%" PRId64, conf.secrets_dir, shop);
	else
		n = snprintf(out, len, "%s/%" PRId64 "/%s", conf.secrets_dir,
		    shop, name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Store (or replace) shop's secret name; 0, or -1 logged. */
int
secret_put(int64_t shop, const char *name, const void *p, size_t n)
{
	char	dir[PATH_MAX];

	if (n > SECRET_MAX || path_of(dir, sizeof(dir), shop, NULL) == -1 ||
	    !name_ok(name)) {
		log_warnx("secret: shop %" PRId64 " %s: refused", shop,
		    name_ok(name) ? name : "(bad name)");
		return -1;
	}
	if (image_mkdirs_mode(dir, 0700) == -1)
		return -1;
	if (chmod(conf.secrets_dir, 0700) == -1 || chmod(dir, 0700) == -1) {
		log_warn("secret: chmod %s", dir);
		return -1;
	}
	if (image_write_file_mode(dir, name, p, n, 0600) == -1) {
		log_warnx("secret: shop %" PRId64 " %s: not stored", shop,
		    name);
		return -1;
	}
	log_info("secret: shop %" PRId64 " %s stored (%zu bytes)", shop,
	    name, n);
	return 0;
}

/* Read shop's secret name into out (appended, NUL-terminated by buf_cstr
 * when the caller wants it): 0; 1 when there is none; -1 logged. */
int
secret_get(int64_t shop, const char *name, struct buf *out)
{
	char	path[PATH_MAX];

	if (path_of(path, sizeof(path), shop, name) == -1)
		return -1;
	if (image_read_file(path, SECRET_MAX, out) == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("secret: shop %" PRId64 " %s", shop, name);
		return -1;
	}
	return 0;
}

/*
 * Shop's secret name as a string in a, trailing white space (a pasted
 * newline) dropped: 0 with *out; 1 when there is none or it is empty;
 * -1 logged. The read buffer is wiped.
 */
int
secret_str(struct arena *a, int64_t shop, const char *name, char **out)
{
	struct buf	b;
	int		rc;

	*out = NULL;
	buf_init(&b, 256);
	rc = secret_get(shop, name, &b);
	while (rc == 0 && b.len > 0 && isspace((unsigned char)b.p[b.len - 1]))
		b.len--;
	if (rc == 0 && b.len > 0)
		*out = arena_strndup(a, b.p, b.len);
	else if (rc == 0)
		rc = 1;
	if (b.p != NULL)
		explicit_bzero(b.p, b.cap);
	buf_free(&b);
	return rc;
}

/* 1 when shop has the secret name, else 0. */
int
secret_has(int64_t shop, const char *name)
{
	char		path[PATH_MAX];
	struct stat	st;

	return path_of(path, sizeof(path), shop, name) == 0 &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* Forget shop's secret name; 0 (also when there was none), -1 logged. */
int
secret_drop(int64_t shop, const char *name)
{
	char	path[PATH_MAX];

	if (path_of(path, sizeof(path), shop, name) == -1)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("secret: unlink shop %" PRId64 " %s", shop, name);
		return -1;
	}
	log_info("secret: shop %" PRId64 " %s removed", shop, name);
	return 0;
}
