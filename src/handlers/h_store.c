/*
 * h_store.c -- the storefront pages every visitor sees: the shop's home
 * with its enabled storefronts (ordering, wholesale, retail).
 */
#include "base/base.h"
#include "domain/catalog.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "http/http.h"
#include "handlers/handlers.h"

#define HOME_CATEGORIES	8	/* chips on the home page; the rest behind 全部 */

/*
 * Top-level categories with products, linked into the first open
 * storefront, at most HOME_CATEGORIES of them; *more says that the list
 * has more to show (further top-level or any subcategories).
 */
static json_object *
top_categories(struct ctx *c, const struct catalog *cat, const char *mall,
    int *more)
{
	json_object	*rows = json_object_new_array(), *o;
	uint32_t	 i;
	int		 n = 0;

	*more = 0;
	for (i = 0; i < cat->ncategories; i++) {
		if (cat->categories[i].nproducts == 0)
			continue;
		if (cat->categories[i].parent_id != 0 ||
		    n == HOME_CATEGORIES) {
			*more = 1;
			continue;
		}
		o = json_object_new_object();
		view_set_i64(o, "id", cat->categories[i].id);
		view_set_str(o, "name", cat_str(cat, cat->categories[i].name));
		view_set_i64(o, "products", cat->categories[i].nproducts);
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/%s/products?cat=%" PRId64, mall,
		    cat->categories[i].id)));
		json_object_array_add(rows, o);
		n++;
	}
	return rows;
}

static int
h_store_home(struct ctx *c)
{
	const struct catalog	*cat;
	json_object		*v = view_new(c);
	const char		*mall = (c->d.shop->modes & SHOP_MODE_WHOLESALE) ?
	    "wholesale" : (c->d.shop->modes & SHOP_MODE_RETAIL) ? "retail" :
	    "ordering";
	int			 more;

	if ((cat = catalog_get(&c->d)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	json_object_object_add(v, "categories", top_categories(c, cat, mall,
	    &more));
	view_set_bool(v, "more_categories", more);
	view_set_i64(v, "product_count", cat->nproducts);
	view_set_str(v, "all_url", ctx_link(c, arena_printf(c->d.arena,
	    "/%s/products", mall)));
	view_set_bool(v, "ordering", c->d.shop->modes & SHOP_MODE_ORDERING);
	view_set_bool(v, "wholesale", c->d.shop->modes & SHOP_MODE_WHOLESALE);
	view_set_bool(v, "retail", c->d.shop->modes & SHOP_MODE_RETAIL);
	view_set_bool(v, "logged_in", c->d.sess.kind == SESS_CUSTOMER);
	c->title = c->d.shop->name;
	return render(c, "home");
}

const struct route h_store_routes[] = {
	{ "GET", "^/$", h_store_home, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
