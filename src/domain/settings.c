/*
 * settings.c -- the shop's brand and storefront settings in the database.
 * A save is one transaction that also bumps shop.version (shop_touch), so
 * every worker shows it within a second, and writes the audit log.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/shop.h"
#include "domain/settings.h"

static const char sql_get[] =
    "SELECT name, theme, logo_url, color_primary, contact_phone, "
    "footer_text, FIND_IN_SET('ordering', modes) > 0, "
    "FIND_IN_SET('wholesale', modes) > 0, FIND_IN_SET('retail', modes) > 0, "
    "hide_wholesale_prices, tax_normal_bp, tax_special_bp, "
    "retail_b2b_details FROM shop WHERE id = ?";
static const char sql_save[] =
    "UPDATE shop SET name = ?, theme = ?, logo_url = ?, color_primary = ?, "
    "contact_phone = ?, footer_text = ?, modes = ?, "
    "hide_wholesale_prices = ?, tax_normal_bp = ?, tax_special_bp = ?, "
    "retail_b2b_details = ? WHERE id = ?";

/* The request's shop's settings as stored now, not as cached. */
int
settings_load(struct dctx *c, struct shop_settings *s)
{
	struct db_res	*r;

	memset(s, 0, sizeof(*s));
	if (db_run(c->arena, &r, sql_get, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "店铺不存在";
		return ERR_NOT_FOUND;
	}
	s->name = db_cell(r, 0, 0);
	s->theme = db_cell(r, 0, 1);
	s->logo_url = db_cell(r, 0, 2);
	s->color = db_cell(r, 0, 3);
	s->phone = db_cell(r, 0, 4);
	s->footer = db_cell(r, 0, 5);
	s->modes = (db_cell_i64(r, 0, 6) ? SHOP_MODE_ORDERING : 0) |
	    (db_cell_i64(r, 0, 7) ? SHOP_MODE_WHOLESALE : 0) |
	    (db_cell_i64(r, 0, 8) ? SHOP_MODE_RETAIL : 0);
	s->hide_wholesale_prices = db_cell_i64(r, 0, 9) != 0;
	s->tax_normal_bp = db_cell_i64(r, 0, 10);
	s->tax_special_bp = db_cell_i64(r, 0, 11);
	s->retail_b2b_details = db_cell_i64(r, 0, 12) != 0;
	return 0;
}

/* SHOP_MODE_* bits as the value of shop.modes, a SET. */
static const char *
modes_set(int modes)
{
	static const char *const sets[] = {
		"", "ordering", "wholesale", "ordering,wholesale", "retail",
		"ordering,retail", "wholesale,retail",
		"ordering,wholesale,retail",
	};

	return sets[modes & 7];
}

static int
tx_save(struct dctx *c, void *arg)
{
	const struct shop_settings	*s = arg;
	int				 rc;

	c->error = NULL;		/* nothing else to reset: no outputs */
	if (db_run(c->arena, NULL, sql_save, "sssssssiiiii", s->name, s->theme,
	    s->logo_url, s->color, s->phone, s->footer, modes_set(s->modes),
	    (int64_t)s->hide_wholesale_prices, s->tax_normal_bp,
	    s->tax_special_bp, (int64_t)s->retail_b2b_details,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if ((rc = shop_touch(c, c->shop->id)) != 0)
		return rc;
	return audit(c, "settings.save", "name=%s theme=%s color=%s modes=%s "
	    "hide_wholesale_prices=%d retail_b2b_details=%d tax_normal_bp=%"
	    PRId64 " tax_special_bp=%" PRId64 " phone=%s logo=%s footer=%s",
	    s->name, s->theme, s->color, modes_set(s->modes),
	    s->hide_wholesale_prices, s->retail_b2b_details, s->tax_normal_bp,
	    s->tax_special_bp, s->phone, s->logo_url, s->footer);
}

/* Write settings the caller has checked (their shapes are its to say). */
int
settings_save(struct dctx *c, const struct shop_settings *s)
{
	int	rc;

	if ((rc = db_tx_run(c, tx_save, (void *)s)) == 0)
		clog_info(c, "settings saved theme=%s color=%s", s->theme,
		    s->color);
	return rc;
}

/*
 * An uploaded logo, checked and re-encoded like product images
 * (image.c). Pages show it 28-32 px high on the brand bar's white tile,
 * so the 400 px JPEG thumbnail (drawn on white) is what is kept: a phone
 * never loads a 2,000 px original for the header. Returns 0 and *url
 * ("/uploads/..."), or an enum err with c->error.
 */
int
settings_logo_store(struct dctx *c, const void *data, size_t len,
    const char **url)
{
	struct image_info	info;
	int			rc;

	if ((rc = image_store(c, c->shop->id, data, len, &info)) != 0)
		return rc;
	image_remove(c, info.path);
	*url = arena_printf(c->arena, "/uploads/%s", info.thumb);
	clog_info(c, "logo stored %s (%dx%d)", info.thumb, info.width,
	    info.height);
	return 0;
}

/* A stored logo the settings did not keep (the save failed). */
void
settings_logo_discard(struct dctx *c, const char *url)
{
	if (url != NULL && strncmp(url, "/uploads/", 9) == 0)
		image_remove(c, url + 9);
}
