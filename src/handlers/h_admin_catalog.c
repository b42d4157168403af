/*
 * h_admin_catalog.c -- the back office's catalog: the route table of its
 * pages (products, images, categories, import and export, each in a file
 * of its own; h_admin_shared.c has what they share). Pages read the
 * database through the domain, not a worker's catalog cache: staff must
 * see the truth.
 */
#include "base/base.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/category.h"
#include "domain/product.h"
#include "handlers/h_admin_catalog.h"

#define ROLES_READ	ADMIN_ROLES_CATALOG

const struct route h_admin_catalog_routes[] = {
	{ "GET", "^/admin/products$", h_products, ROUTE_STAFF, ROLES_READ },
	{ "POST", "^/admin/products$", h_product_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", "^/admin/products/new$", h_product_new, ROUTE_STAFF,
	  ROLES_WRITE },
	{ "GET", "^/admin/products/([0-9]{1,18})$", h_product_edit,
	  ROUTE_STAFF, ROLES_READ },
	{ "POST", "^/admin/products/([0-9]{1,18})$", h_product_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/products/([0-9]{1,18})/shelf$", h_product_shelf,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", "^/admin/products/([0-9]{1,18})/delete$",
	  h_product_delete_form, ROUTE_STAFF, ROLES_WRITE },
	{ "POST", "^/admin/products/([0-9]{1,18})/delete$", h_product_delete,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/products/([0-9]{1,18})/images$", h_image_add,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/products/([0-9]{1,18})/images/([0-9]{1,18})"
	  "/delete$", h_image_delete, ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	/* A company's contract price is picked from the catalog's SKUs. */
	{ "GET", "^/admin/customers/([0-9]{1,18})/prices/pick$",
	  h_contract_pick, ROUTE_STAFF, ROLES_CONTRACT },
	{ "GET", "^/admin/categories$", h_categories, ROUTE_STAFF,
	  ROLES_READ },
	{ "POST", "^/admin/categories$", h_category_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", "^/admin/categories/([0-9]{1,18})$", h_category_edit,
	  ROUTE_STAFF, ROLES_WRITE },
	{ "POST", "^/admin/categories/([0-9]{1,18})$", h_category_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/categories/([0-9]{1,18})/delete$",
	  h_category_delete, ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", "^/admin/import$", h_import_form, ROUTE_STAFF, ROLES_WRITE },
	{ "POST", "^/admin/import$", h_import, ROUTE_STAFF | ROUTE_CSRF,
	  ROLES_WRITE },
	{ "GET", "^/admin/export$", h_export, ROUTE_STAFF, ROLES_READ },
	{ "GET", "^/admin/import/template$", h_import_template, ROUTE_STAFF,
	  ROLES_READ },
	{ NULL, NULL, NULL, 0, NULL }
};
