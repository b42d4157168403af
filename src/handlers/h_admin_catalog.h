/*
 * h_admin_catalog.h -- what the back office's catalog pages share: the
 * route table's handlers (h_admin_product.c, h_admin_product_form.c,
 * h_admin_product_images.c, h_admin_product_pick.c, h_admin_image.c,
 * h_admin_category.c, h_admin_import.c), their helpers
 * (h_admin_shared.c) and the product form. Include after "dinghuo.h",
 * "domain/category.h" and "domain/product.h".
 */
#ifndef H_ADMIN_CATALOG_H
#define H_ADMIN_CATALOG_H

#include "http/http.h"
#include "handlers/handlers.h"

#define ROLES_WRITE	"owner,admin"
#define ROLES_CONTRACT	"owner,admin,sales"	/* h_customer.h's writers */

/*
 * The product form's fields, and each SKU row's ("sku_code[2]"). A SKU's
 * tiers are rows too ("sku_tier_qty[2][0]", "sku_tier_price[2][0]"), or
 * the text "10:11.50;50:10.00" (sku_tiers): the text when it differs
 * from sku_tiers_was, the text the page showed, else the rows. Spec
 * values the same way: rows of a name and a value ("sku_spec_name[2][0]",
 * "sku_spec_value[2][0]") or the text "颜色:红;尺码:L" (sku_spec, against
 * sku_spec_was). Stock is a change: sku_stock less sku_stock_was, the
 * stock the page showed.
 */
enum { F_CODE, F_NAME, F_CATEGORY, F_UNIT, F_ON_SHELF, F_VIS_ORDERING,
	F_VIS_WHOLESALE, F_VIS_RETAIL, F_SORT, F_DESCRIPTION, F_N };
enum { S_ID, S_CODE, S_BARCODE, S_SPEC, S_SPEC_WAS, S_UNIT, S_PACK, S_MINQ, S_STOCK,
	S_WEIGHT, S_PRICE, S_RETAIL, S_TIERS, S_TIERS_WAS, S_STOCK_WAS,
	S_PACK_ONLY, S_REMOVE, S_N };
#define TIER_ROWS_MAX	(2 * PRODUCT_TIERS_MAX)	/* read of a SKU's */
#define SPEC_ROWS_MAX	20			/* a SKU's spec rows */

struct tierrow {
	const char	*qty;		/* as typed or stored; "" */
	const char	*price;
};
struct specrow {
	const char	*name;		/* as typed or stored; "" */
	const char	*value;
};
struct skurow {
	const char		*s[S_N];	/* as typed or stored; "" */
	struct product_sku	*sku;		/* NULL: a blank row */
	struct tierrow		*tiers;		/* its tier rows */
	int			 ntiers;
	int			 more;		/* blank tier rows asked for */
	struct specrow		*specs;		/* its spec rows */
	int			 nspecs;
	int			 spec_more;	/* blank spec rows asked for */
	int			 text_open;	/* show the tiers' text field */
};
struct pform {
	struct product	 p;		/* typed, for the domain */
	const char	*s[F_N];	/* as typed, or as stored */
	struct skurow	*rows;
	int		 nrows;
	int		 more;		/* blank SKU rows asked for */
	int		 stored;	/* loaded from the database */
	struct form	 f;		/* what is wrong, by field name */
};

/* h_admin_shared.c */
int		 admin_can_edit(struct ctx *);
int		 admin_form_json(struct ctx *, int, const struct form *);
json_object	*admin_category_options(struct ctx *,
		     const struct category_tree *, int64_t, int64_t);

/* h_admin_product_form.c */
void		 pform_new(struct pform *);
int		 pform_load(struct ctx *, int64_t, struct pform *);
int		 pform_read(struct ctx *, int64_t, struct pform *);
int		 pform_op(struct ctx *, struct pform *, const char *);
json_object	*pform_product_view(const struct pform *);
json_object	*pform_rows_view(struct ctx *, const struct pform *);
json_object	*pform_row_template(struct ctx *, const struct pform *);
json_object	*pform_error_list(struct ctx *, const struct pform *);

/* h_admin_product.c: what the product page says beside the form. */
struct pnotes {
	const char	*error;		/* above the form, not a field's */
	const char	*image_error;	/* above the images */
	const char	*image_note;	/* there, what was done */
	int		 unsaved;	/* shown again, not saved (pform_op) */
	const char	*stock_note;	/* stock moved while the form was open */
};
int		 product_page(struct ctx *, struct pform *, int,
		     const struct pnotes *);
int		 h_products(struct ctx *);
int		 h_product_new(struct ctx *);
int		 h_product_edit(struct ctx *);
int		 h_product_save(struct ctx *);
int		 h_product_shelf(struct ctx *);
int		 h_product_delete_form(struct ctx *);
int		 h_product_delete(struct ctx *);

/* h_admin_product_pick.c */
int		 h_contract_pick(struct ctx *);

/* h_admin_product_images.c */
struct pimages {
	int		 added;		/* images stored */
	int		 deleted;
	int		 dropped;	/* files not stored: no product yet */
	enum err	 err;		/* 0, or why the first was refused */
	const char	*why;
};
int		 pimages_apply(struct ctx *, int64_t, struct pimages *);
const char	*pimages_notice(struct ctx *, const struct pimages *);

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
