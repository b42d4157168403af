/*
 * shop.c -- tenants. A request's shop comes from a /s/<slug>/ prefix or
 * its Host header. Shop rows are cached per worker and revalidated at most
 * every SHOP_RECHECK_MS against shop.version, which every change to a shop
 * bumps (shop_touch): a page view costs no query, and a change made on any
 * host shows on every worker within a second. The struct shop belongs to
 * the cache and stays valid until the next lookup: handlers only read it.
 */
#include "dinghuo.h"

#define SHOP_CACHE_MAX	64
#define SHOP_RECHECK_MS	500.0

struct cached_shop {
	struct shop	 shop;
	int64_t		 version;
	double		 checked;
	double		 used;
};

static struct cached_shop cache[SHOP_CACHE_MAX];
static int		 ncached;

static const char sql_by_slug[] =
    "SELECT id, slug, name, host, theme, logo_url, color_primary, "
    "contact_phone, footer_text, FIND_IN_SET('ordering', modes) > 0, "
    "FIND_IN_SET('wholesale', modes) > 0, FIND_IN_SET('retail', modes) > 0, "
    "version, tax_normal_bp, tax_special_bp, hide_wholesale_prices, "
    "auth_version FROM shop WHERE slug = ?";
static const char sql_by_host[] =
    "SELECT id, slug, name, host, theme, logo_url, color_primary, "
    "contact_phone, footer_text, FIND_IN_SET('ordering', modes) > 0, "
    "FIND_IN_SET('wholesale', modes) > 0, FIND_IN_SET('retail', modes) > 0, "
    "version, tax_normal_bp, tax_special_bp, hide_wholesale_prices, "
    "auth_version FROM shop WHERE host = ?";
static const char sql_version[] =
    "SELECT version, auth_version FROM shop WHERE id = ?";
static const char sql_touch[] =
    "UPDATE shop SET version = version + 1 WHERE id = ?";
static const char sql_touch_auth[] =
    "UPDATE shop SET auth_version = auth_version + 1 WHERE id = ?";

/* Lower-case letters, digits and '-', 2 to 40 of them, not "-" first. */
int
shop_valid_slug(const char *s)
{
	size_t	n = strlen(s), i;

	if (n < 2 || n > 40 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

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
		if (k != NULL && strcmp(k, key) == 0)
			e = &cache[i];
	}
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
	return shop_fetch(c, by_host ? sql_by_host : sql_by_slug, key, e, out);
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

/* What templates and the API may know of a shop (no credentials). */
json_object *
shop_view(const struct shop *s)
{
	json_object	*o = json_object_new_object(), *modes;

	view_set_str(o, "slug", s->slug);
	view_set_str(o, "name", s->name);
	view_set_str(o, "theme", s->theme);
	view_set_str(o, "logo_url", s->logo_url);
	view_set_str(o, "color_primary", s->color_primary);
	view_set_str(o, "contact_phone", s->contact_phone);
	view_set_str(o, "footer_text", s->footer_text);
	modes = json_object_new_object();
	view_set_bool(modes, "ordering", s->modes & SHOP_MODE_ORDERING);
	view_set_bool(modes, "wholesale", s->modes & SHOP_MODE_WHOLESALE);
	view_set_bool(modes, "retail", s->modes & SHOP_MODE_RETAIL);
	json_object_object_add(o, "modes", modes);
	return o;
}
