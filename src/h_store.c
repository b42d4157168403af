/*
 * h_store.c -- the storefront pages every visitor sees: the shop's home
 * with its enabled storefronts (ordering, wholesale, retail).
 */
#include "dinghuo.h"

static int
h_store_home(struct ctx *c)
{
	json_object	*v = view_new(c);

	view_set_bool(v, "ordering", c->shop->modes & SHOP_MODE_ORDERING);
	view_set_bool(v, "wholesale", c->shop->modes & SHOP_MODE_WHOLESALE);
	view_set_bool(v, "retail", c->shop->modes & SHOP_MODE_RETAIL);
	view_set_bool(v, "logged_in", c->sess.kind == SESS_CUSTOMER);
	c->title = c->shop->name;
	return render(c, "home");
}

const struct route h_store_routes[] = {
	{ "GET", "^/$", h_store_home, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
