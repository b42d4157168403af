/*
 * shop_view.c -- what templates and the API may know of a shop: its name,
 * brand and modes, never its credentials or versions. The view side of
 * struct shop (domain/shop.c), for render.c's globals and /api/v1/shop.
 */
#include "base/base.h"
#include "domain/shop.h"
#include "http/http.h"

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
