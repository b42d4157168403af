/*
 * shop.c -- tenants. A request's shop comes from its Host header or, on
 * the shared host, a /s/<slug>/ prefix (shop_resolve). Shop rows are cached
 * per worker and revalidated at most every SHOP_RECHECK_MS against
 * shop.version, which every change to a shop bumps (shop_touch): a page
 * view costs no query, and a change made on any host shows on every worker
 * within a second. Hosts that are no shop's are remembered as long. The
 * struct shop belongs to the cache and stays valid until the next lookup:
 * handlers only read it.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/shop.h"

#define SHOP_CACHE_MAX	64
#define SHOP_RECHECK_MS	500.0
#define HOST_MAX	190	/* shop.host is VARCHAR(190) */
#define HOST_MISS_MAX	16

struct cached_shop {
	struct shop	 shop;
	int64_t		 version;
	double		 checked;
	double		 used;
};

/* A host that was no shop's when checked. */
struct host_miss {
	char		 host[HOST_MAX + 1];
	double		 checked;
};

static struct cached_shop cache[SHOP_CACHE_MAX];
static int		 ncached;
static struct host_miss	 misses[HOST_MISS_MAX];
static int		 nmisses, next_miss;

static const char sql_by_slug[] =
    "SELECT id, slug, name, host, theme, logo_url, color_primary, "
    "contact_phone, footer_text, FIND_IN_SET('ordering', modes) > 0, "
    "FIND_IN_SET('wholesale', modes) > 0, FIND_IN_SET('retail', modes) > 0, "
    "version, tax_normal_bp, tax_special_bp, hide_wholesale_prices, "
    "auth_version, retail_b2b_details FROM shop WHERE slug = ?";
static const char sql_by_host[] =
    "SELECT id, slug, name, host, theme, logo_url, color_primary, "
    "contact_phone, footer_text, FIND_IN_SET('ordering', modes) > 0, "
    "FIND_IN_SET('wholesale', modes) > 0, FIND_IN_SET('retail', modes) > 0, "
    "version, tax_normal_bp, tax_special_bp, hide_wholesale_prices, "
    "auth_version, retail_b2b_details FROM shop WHERE host = ?";
static const char sql_version[] =
    "SELECT version, auth_version FROM shop WHERE id = ?";
static const char sql_touch[] =
    "UPDATE shop SET version = version + 1 WHERE id = ?";
static const char sql_touch_auth[] =
    "UPDATE shop SET auth_version = auth_version + 1 WHERE id = ?";

static void
entry_clear(struct cached_shop *e)
{
	struct shop	*s = &e->shop;

	free(s->slug);
	free(s->name);
	free(s->host);
	free(s->theme);
	free(s->logo_url);
	free(s->color_primary);
	free(s->contact_phone);
	free(s->footer_text);
	memset(e, 0, sizeof(*e));
}

/* Empty the cache (tests, and workers that want their memory back). */
void
shop_cache_clear(void)
{
	int	i;

	for (i = 0; i < ncached; i++)
		entry_clear(&cache[i]);
	ncached = 0;
	nmisses = next_miss = 0;
}

/* Was host no shop's less than SHOP_RECHECK_MS ago? */
static int
host_missed(const char *host, double now)
{
	int	i;

	for (i = 0; i < nmisses; i++)
		if (strcmp(misses[i].host, host) == 0)
			return now - misses[i].checked < SHOP_RECHECK_MS;
	return 0;
}

static void
host_miss_add(const char *host, double now)
{
	struct host_miss	*m = NULL;
	int			 i;

	for (i = 0; i < nmisses && m == NULL; i++)
		if (strcmp(misses[i].host, host) == 0)
			m = &misses[i];
	if (m == NULL && nmisses < HOST_MISS_MAX)
		m = &misses[nmisses++];
	if (m == NULL) {			/* full: round robin */
		m = &misses[next_miss];
		next_miss = (next_miss + 1) % HOST_MISS_MAX;
	}
	snprintf(m->host, sizeof(m->host), "%s", host);
	m->checked = now;
}

static char *
dup_cell(const struct db_res *r, int col)
{
	const char	*v = db_cell(r, 0, col);

	return v ? xstrdup(v) : NULL;
}

/* Fill an entry from row 0 of r (the column order of sql_by_slug). */
static void
entry_fill(struct cached_shop *e, const struct db_res *r)
{
	struct shop	*s;

	entry_clear(e);
	s = &e->shop;
	s->id = db_cell_i64(r, 0, 0);
	s->slug = dup_cell(r, 1);
	s->name = dup_cell(r, 2);
	s->host = dup_cell(r, 3);
	s->theme = dup_cell(r, 4);
	s->logo_url = dup_cell(r, 5);
	s->color_primary = dup_cell(r, 6);
	s->contact_phone = dup_cell(r, 7);
	s->footer_text = dup_cell(r, 8);
	s->modes = (db_cell_i64(r, 0, 9) ? SHOP_MODE_ORDERING : 0) |
	    (db_cell_i64(r, 0, 10) ? SHOP_MODE_WHOLESALE : 0) |
	    (db_cell_i64(r, 0, 11) ? SHOP_MODE_RETAIL : 0);
	e->version = s->version = db_cell_i64(r, 0, 12);
	s->tax_normal_bp = db_cell_i64(r, 0, 13);
	s->tax_special_bp = db_cell_i64(r, 0, 14);
	s->hide_wholesale_prices = (int)db_cell_i64(r, 0, 15);
	s->auth_version = db_cell_i64(r, 0, 16);
	s->retail_b2b_details = (int)db_cell_i64(r, 0, 17);
	e->checked = e->used = now_ms();
}

static struct cached_shop *
entry_slot(void)
{
	int	i, oldest = 0;

	if (ncached < SHOP_CACHE_MAX)
		return &cache[ncached++];
	for (i = 1; i < ncached; i++)
		if (cache[i].used < cache[oldest].used)
			oldest = i;
	return &cache[oldest];
}

static int
shop_fetch(struct dctx *c, const char *sql, const char *key,
    struct cached_shop *e, struct shop **out)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql, "s", key) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		if (e != NULL) {	/* renamed or deleted */
			entry_clear(e);
			*e = cache[--ncached];
			memset(&cache[ncached], 0, sizeof(cache[ncached]));
		}
		*out = NULL;
		return 0;
	}
	if (e == NULL)
		e = entry_slot();
	entry_fill(e, r);
	*out = &e->shop;
	return 0;
}

static int
shop_lookup(struct dctx *c, int by_host, const char *key, struct shop **out)
{
	struct cached_shop	*e = NULL;
	struct db_res		*r;
	const char		*k;
	double			 now = now_ms();
	int			 i;

	*out = NULL;
	for (i = 0; i < ncached && e == NULL; i++) {
		k = by_host ? cache[i].shop.host : cache[i].shop.slug;
		if (k != NULL && (by_host ? strcasecmp(k, key) :
		    strcmp(k, key)) == 0)
			e = &cache[i];
	}
	if (e == NULL && by_host && host_missed(key, now))
		return 0;
	if (e != NULL && now - e->checked < SHOP_RECHECK_MS) {
		e->used = now;
		*out = &e->shop;
		return 0;
	}
	if (e != NULL) {
		if (db_run(c->arena, &r, sql_version, "i", e->shop.id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 1 && db_cell_i64(r, 0, 0) == e->version) {
			/* Catalog unchanged; sessions may have moved on. */
			e->shop.auth_version = db_cell_i64(r, 0, 1);
			e->checked = e->used = now;
			*out = &e->shop;
			return 0;
		}
	}
	if (shop_fetch(c, by_host ? sql_by_host : sql_by_slug, key, e, out)
	    != 0)
		return ERR_INTERNAL;
	if (*out == NULL && by_host)
		host_miss_add(key, now);
	return 0;
}

int
shop_by_slug(struct dctx *c, const char *slug, struct shop **out)
{
	return shop_lookup(c, 0, slug, out);
}

int
shop_by_host(struct dctx *c, const char *host, struct shop **out)
{
	return shop_lookup(c, 1, host, out);
}

/*
 * The host of a Host header as shop.host holds it: lower case, without
 * the port or a final dot; "" if none or too long to be a shop's.
 */
static void
host_key(const char *in, char out[HOST_MAX + 1])
{
	const char	*end;
	size_t		 n, i;

	if (in == NULL)
		in = "";
	if (*in == '[')				/* [v6]:port */
		end = (end = strchr(in, ']')) != NULL ? end + 1 : in;
	else if ((end = strchr(in, ':')) == NULL)
		end = in + strlen(in);
	n = (size_t)(end - in);
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n > HOST_MAX)
		n = 0;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
}

/*
 * The shop a request is for, by its Host header and its /s/<slug>/ prefix
 * (slug, or NULL). A shop with a host of its own is served on that host
 * only, and there no /s/<slug>/ is, not even its own: another shop's pages
 * never show under its domain, nor its pages under another. The shops
 * without one are served on the shared host, under /s/<slug>/, and
 * default_shop at its root. The shared host is conf.shared_host, or, when
 * that is empty, every host that is no shop's. *out is NULL when the
 * request is for no shop (a 404); 0 or ERR_INTERNAL.
 */
int
shop_resolve(struct dctx *c, const char *host_header, const char *slug,
    struct shop **out)
{
	char		 host[HOST_MAX + 1];
	struct shop	*s = NULL;
	int		 rc;

	*out = NULL;
	host_key(host_header, host);
	if (*conf.shared_host == '\0' ||
	    strcasecmp(host, conf.shared_host) != 0) {
		if (*host != '\0' && (rc = shop_by_host(c, host, &s)) != 0)
			return rc;
		if (s != NULL) {
			*out = slug == NULL ? s : NULL;
			return 0;
		}
		if (*conf.shared_host != '\0')
			return 0;	/* nobody's host */
	}
	if (slug == NULL && *(slug = conf.default_shop) == '\0')
		return 0;
	if ((rc = shop_by_slug(c, slug, &s)) != 0)
		return rc;
	if (s != NULL && (s->host == NULL || *s->host == '\0'))
		*out = s;
	return 0;
}

/*
 * Every write that changes what a shop's pages show calls this, in the
 * same transaction, so all workers drop their copies of the shop and its
 * catalog within a second. Sessions stay cached: a catalog edit logs
 * nobody out and reloads no session.
 */
int
shop_touch(struct dctx *c, int64_t shop_id)
{
	return db_run(c->arena, NULL, sql_touch, "i", shop_id) == -1 ?
	    ERR_INTERNAL : 0;
}

/*
 * Logouts and changes to who may log in or to what a session carries (a
 * user or company disabled, a role or name changed, a company's member
 * level moved: sessions carry level_id) call this, in the same
 * transaction: every worker drops its cached sessions within a second.
 */
int
shop_touch_auth(struct dctx *c, int64_t shop_id)
{
	return db_run(c->arena, NULL, sql_touch_auth, "i", shop_id) == -1 ?
	    ERR_INTERNAL : 0;
}
