/*
 * h_admin_catalog.h -- what the back office's catalog pages share: the
 * route table's handlers (h_admin_product.c, h_admin_product_form.c,
 * h_admin_image.c, h_admin_category.c, h_admin_import.c), their helpers
 * (h_admin_shared.c) and the product form. Include after "dinghuo.h",
 * "domain/category.h" and "domain/product.h".
 */
#ifndef H_ADMIN_CATALOG_H
#define H_ADMIN_CATALOG_H

#include "http/http.h"

#define ROLES_WRITE	"owner,admin"

/* The product form's fields, and each SKU row's ("sku_code[2]"). */
enum { F_CODE, F_NAME, F_CATEGORY, F_UNIT, F_ON_SHELF, F_VIS_ORDERING,
	F_VIS_WHOLESALE, F_VIS_RETAIL, F_SORT, F_DESCRIPTION, F_N };
enum { S_ID, S_CODE, S_BARCODE, S_SPEC, S_UNIT, S_PACK, S_MINQ, S_STOCK,
	S_WEIGHT, S_PRICE, S_RETAIL, S_TIERS, S_REMOVE, S_N };

struct skurow {
	const char		*s[S_N];	/* as typed or stored; "" */
	struct product_sku	*sku;		/* NULL: a blank row */
};
struct pform {
	struct product	 p;		/* typed, for the domain */
	const char	*s[F_N];	/* as typed, or as stored */
	struct skurow	*rows;
	int		 nrows;
	int		 stored;	/* loaded from the database */
	struct form	 f;		/* what is wrong, by field name */
};

/* h_admin_shared.c */
int		 admin_can_edit(struct ctx *);
int64_t		 admin_cap_id(struct ctx *, int);
const struct upload *admin_upload(struct ctx *, const char *);
int		 admin_form_json(struct ctx *, int, const struct form *);
json_object	*admin_category_options(struct ctx *,
		     const struct category_tree *, int64_t, int64_t);

/* h_admin_product_form.c */
void		 pform_new(struct pform *);
int		 pform_load(struct ctx *, int64_t, struct pform *);
int		 pform_read(struct ctx *, int64_t, struct pform *);
json_object	*pform_product_view(const struct pform *);
json_object	*pform_rows_view(struct ctx *, const struct pform *);
json_object	*pform_error_list(struct ctx *, const struct pform *);

/* h_admin_product.c */
int		 product_page(struct ctx *, struct pform *, int, const char *,
		     const char *);
int		 h_products(struct ctx *);
int		 h_product_new(struct ctx *);
int		 h_product_edit(struct ctx *);
int		 h_product_save(struct ctx *);
int		 h_product_shelf(struct ctx *);
int		 h_product_delete_form(struct ctx *);
int		 h_product_delete(struct ctx *);

/* h_admin_image.c */
int		 h_image_add(struct ctx *);
int		 h_image_delete(struct ctx *);

/* h_admin_category.c */
int		 h_categories(struct ctx *);
int		 h_category_edit(struct ctx *);
int		 h_category_save(struct ctx *);
int		 h_category_delete(struct ctx *);

/* h_admin_import.c */
int		 h_import_form(struct ctx *);
int		 h_import(struct ctx *);
int		 h_export(struct ctx *);
int		 h_import_template(struct ctx *);

#endif /* H_ADMIN_CATALOG_H */
