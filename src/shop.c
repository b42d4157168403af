/*
 * shop.c -- tenants. A request's shop comes from a /s/<slug>/ prefix or
 * its Host header; the struct shop lives in the request arena.
 */
#include "dinghuo.h"

static const char sql_by_slug[] =
    "SELECT id, slug, name, host, theme, logo_url, color_primary, "
    "contact_phone, footer_text, FIND_IN_SET('ordering', modes) > 0, "
    "FIND_IN_SET('wholesale', modes) > 0, FIND_IN_SET('retail', modes) > 0 "
    "FROM shop WHERE slug = ?";
static const char sql_by_host[] =
    "SELECT id, slug, name, host, theme, logo_url, color_primary, "
    "contact_phone, footer_text, FIND_IN_SET('ordering', modes) > 0, "
    "FIND_IN_SET('wholesale', modes) > 0, FIND_IN_SET('retail', modes) > 0 "
    "FROM shop WHERE host = ?";

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

static int
shop_load(struct ctx *c, const char *sql, const char *key, struct shop **out)
{
	struct db_res	*r;
	struct shop	*s;

	*out = NULL;
	if (db_run(c->arena, &r, sql, "s", key) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return 0;
	s = arena_alloc(c->arena, sizeof(*s));
	s->id = db_cell_i64(r, 0, 0);
	s->slug = r->cell[1];
	s->name = r->cell[2];
	s->host = r->cell[3];
	s->theme = r->cell[4];
	s->logo_url = r->cell[5];
	s->color_primary = r->cell[6];
	s->contact_phone = r->cell[7];
	s->footer_text = r->cell[8];
	s->modes = (db_cell_i64(r, 0, 9) ? SHOP_MODE_ORDERING : 0) |
	    (db_cell_i64(r, 0, 10) ? SHOP_MODE_WHOLESALE : 0) |
	    (db_cell_i64(r, 0, 11) ? SHOP_MODE_RETAIL : 0);
	*out = s;
	return 0;
}

int
shop_by_slug(struct ctx *c, const char *slug, struct shop **out)
{
	return shop_load(c, sql_by_slug, slug, out);
}

int
shop_by_host(struct ctx *c, const char *host, struct shop **out)
{
	return shop_load(c, sql_by_host, host, out);
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
