/*
 * theme.c -- templates by theme, compiled once per worker. A name such as
 * "pages/home" is looked for in templates/themes/<theme>/pages/home.mustache,
 * then in themes/default/. Misses are cached too, so a warm worker never
 * touches the disk; SIGHUP replaces the workers and with them this cache.
 */
#include "base/base.h"
#include "http/theme.h"
#include "http/tpl.h"

#include <sys/stat.h>

#define TPL_FILE_MAX	(1024 * 1024)
#define NBUCKETS	256

struct entry {
	struct entry	*next;
	char		*key;		/* theme '/' name */
	struct tpl	*tpl;		/* NULL: no such template */
};

struct theme_cache {
	char		*dir;
	struct entry	*bucket[NBUCKETS];
};

struct theme_cache *
theme_cache_new(const char *dir)
{
	struct theme_cache	*tc = xcalloc(1, sizeof(*tc));

	tc->dir = xstrdup(dir);
	return tc;
}

void
theme_cache_free(struct theme_cache *tc)
{
	struct entry	*e, *next;
	int		 i;

	if (tc == NULL)
		return;
	for (i = 0; i < NBUCKETS; i++)
		for (e = tc->bucket[i]; e != NULL; e = next) {
			next = e->next;
			tpl_free(e->tpl);
			free(e->key);
			free(e);
		}
	free(tc->dir);
	free(tc);
}

/* Theme and template names: [a-z0-9_-] segments, '/' between, no dots. */
int
theme_valid_name(const char *s)
{
	const char	*p;

	if (*s == '\0' || *s == '/' || strlen(s) > 100)
		return 0;
	for (p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		    *p == '_' || *p == '-' || (*p == '/' && p[1] != '/' &&
		    p[1] != '\0')))
			return 0;
	return 1;
}

static unsigned int
hash(const char *s)
{
	unsigned int	h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % NBUCKETS;
}

static struct tpl *
load(struct theme_cache *tc, const char *theme, const char *name)
{
	char		 path[PATH_MAX], err[256];
	struct stat	 st;
	struct tpl	*t;
	FILE		*f;
	char		*text;
	size_t		 n;

	if ((size_t)snprintf(path, sizeof(path), "%s/themes/%s/%s.mustache",
	    tc->dir, theme, name) >= sizeof(path))
		return NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno != ENOENT)
			log_warn("theme: open %s", path);
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1 || st.st_size > TPL_FILE_MAX) {
		log_warnx("theme: %s is too large or unreadable", path);
		fclose(f);
		return NULL;
	}
	text = xmalloc(st.st_size + 1);
	n = fread(text, 1, st.st_size, f);
	fclose(f);
	if ((t = tpl_compile(text, n, err, sizeof(err))) == NULL)
		log_warnx("theme: %s: %s", path, err);
	free(text);
	return t;
}

/*
 * The compiled template, owned by the cache, or NULL. An unknown or
 * malformed theme name falls back to the default theme.
 */
const struct tpl *
theme_get(struct theme_cache *tc, const char *theme, const char *name)
{
	struct entry	*e;
	char		 key[256];
	unsigned int	 h;

	if (!theme_valid_name(theme) || strchr(theme, '/') != NULL)
		theme = "default";
	if (!theme_valid_name(name))
		return NULL;
	snprintf(key, sizeof(key), "%s/%s", theme, name);
	h = hash(key);
	for (e = tc->bucket[h]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->tpl;
	e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(key);
	e->tpl = load(tc, theme, name);
	if (e->tpl == NULL && strcmp(theme, "default") != 0)
		e->tpl = load(tc, "default", name);
	e->next = tc->bucket[h];
	tc->bucket[h] = e;
	return e->tpl;
}
