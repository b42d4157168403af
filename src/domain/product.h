/*
 * product.h -- products, their SKUs, quantity tiers and images in the
 * database, as the back office writes them and the product page reads
 * what the catalog cache does not hold (domain/product.c, product_save.c,
 * product_image.c, tiers.c, specs.c).
 */
#ifndef DOMAIN_PRODUCT_H
#define DOMAIN_PRODUCT_H

#include "domain/dctx.h"
#include "domain/pricing.h"

#include "domain/field_errors.h"

#define PRODUCT_SKUS_MAX	200	/* SKUs of a product */
#define PRODUCT_TIERS_MAX	20	/* quantity tiers of a SKU */
#define PRODUCT_IMAGES_MAX	20	/* the storefront shows 20 */
#define PRODUCT_PRICE_MAX	100000000000LL	/* fen: one billion yuan */
#define PRODUCT_CODE_MAX	64	/* characters: 货号, SKU code */
#define PRODUCT_BARCODE_MAX	32

/* A SKU as forms that name one by its code need it. */
struct sku_brief {
	int64_t		 id;
	int64_t		 price_fen;	/* base */
	int64_t		 min_qty;
	const char	*code;
	const char	*name;		/* the product's */
	const char	*spec;
	const char	*unit;
	const char	*barcode;
};
int		 product_sku_by_code(struct dctx *, const char *,
		     struct sku_brief *);
int		 product_sku_search(struct dctx *, const char *, int,
		     struct sku_brief **, int *);

struct product_sku {
	int64_t		 id;		/* 0: a new one */
	int		 row;		/* its place in a form, for errors */
	int		 remove;	/* product_save: delete the stored */
	const char	*code;		/* NULL: none (the form refused it) */
	const char	*barcode;
	const char	*spec;
	const char	*unit;		/* NULL: the product's */
	int64_t		 pack_size;
	int64_t		 min_qty;
	int64_t		 stock;		/* product_save: -1, leave as is */
	int64_t		 stock_was;	/* product_save: the stock the form
					   showed (the change is stock -
					   stock_was); -1: stock is a count */
	int64_t		 weight_g;
	int64_t		 price_fen;
	int64_t		 retail_fen;	/* -1: none, the base price */
	int		 pack_only;	/* whole cases only (docs/orders.md) */
	struct price_tier tiers[PRODUCT_TIERS_MAX];
	int		 ntiers;
};
struct product {
	int64_t		 id;		/* 0: a new one */
	const char	*code;		/* NULL: none (the form refused it) */
	const char	*name;
	int64_t		 category_id;	/* 0: none */
	const char	*unit;
	int		 on_shelf;
	int		 visible;	/* SHOP_MODE_* */
	int64_t		 sort;
	const char	*description;	/* HTML; sanitized when saved */
	struct product_sku *skus;	/* by sort */
	int		 nskus;
};
struct product_image {
	int64_t		 id;
	const char	*path;		/* under uploads_dir */
	const char	*thumb;
	int64_t		 width;
	int64_t		 height;
};

/* product.c: reads. */
int		 product_exists(struct dctx *, int64_t);
int		 product_load(struct dctx *, int64_t, struct product *);
int		 product_images(struct dctx *, int64_t, int,
		     struct product_image **, int *);
/* What the storefront's product page reads beside the catalog cache. */
struct product_detail {
	const char		*description;	/* sanitized HTML */
	struct product_sku	*skus;		/* no prices, no tiers */
	int			 nskus;
	struct product_image	*images;
	int			 nimages;
};
int		 product_detail(struct dctx *, int64_t,
		     struct product_detail *);
/* The back office's list: search, filters, one page. */
struct product_query {
	const char	*q;		/* name, 货号, SKU code or barcode */
	int64_t		 category_id;	/* 0: any; else with subcategories */
	int		 on_shelf;	/* -1: any */
	int64_t		 offset;
	int64_t		 limit;
};
struct product_row {
	int64_t		 id;
	const char	*code;
	const char	*name;
	int		 on_shelf;
	const char	*category;	/* NULL: none */
	int64_t		 category_id;	/* 0: none */
	int64_t		 nskus;
	int64_t		 price_min_fen;	/* of its SKUs, when it has some */
	int64_t		 price_max_fen;
	int64_t		 stock;
	const char	*thumb;		/* NULL: no image */
};
struct product_list {
	struct product_row *v;
	int		 n;
	int64_t		 total;		/* rows the query matches */
};
int		 product_list(struct dctx *, const struct product_query *,
		     struct product_list *);
int		 product_brief(struct dctx *, int64_t, struct product_row *);
/* What a delete would take with it. */
struct product_usage {
	const char	*code;
	const char	*name;
	int64_t		 nskus;
	int64_t		 nimages;
	int64_t		 ninquiries;	/* any: it cannot be deleted */
	int64_t		 nordered;	/* order lines of its SKUs: neither */
};
int		 product_usage(struct dctx *, int64_t, struct product_usage *);

/* product_save.c: checks and writes. Field errors name these. */
enum product_field { PRODUCT_CODE, PRODUCT_NAME, PRODUCT_CATEGORY,
	PRODUCT_DESCRIPTION, PRODUCT_SKUS, PRODUCT_SKU_ID, PRODUCT_SKU_CODE,
	PRODUCT_SKU_BARCODE };
const char	*product_code_problem(const char *, int);
int		 product_check(struct dctx *, const struct product *,
		     struct field_errors *);
int		 product_save(struct dctx *, const struct product *,
		     int64_t *, int *);
int		 product_set_shelf(struct dctx *, int64_t, int, int *);
int		 product_delete(struct dctx *, int64_t);

/* product_image.c */
int		 product_image_add(struct dctx *, int64_t, const void *, size_t,
		     struct product_image *);
int		 product_image_delete(struct dctx *, int64_t, int64_t);
int		 product_image_count(struct dctx *, const char *, int64_t *,
		     int *);

/* tiers.c: "10:11.50;50:10.00", as forms and CSV files write tiers;
 * the form's rows of a quantity and a price each. */
int		 tiers_parse(struct arena *, const char *, struct price_tier *,
		     const char **);
int		 tiers_from_rows(struct arena *, const char *const *,
		     const char *const *, int, struct price_tier *,
		     const char **);
char		*tiers_text(struct arena *, const struct price_tier *, int);

/* specs.c: "颜色:红;尺码:L", a SKU's spec values, and the form's rows of
 * a name and a value each. */
int		 specs_split(struct arena *, const char *, const char **,
		     const char **, int);
char		*specs_from_rows(struct arena *, const char *const *,
		     const char *const *, int, const char **);

#endif /* DOMAIN_PRODUCT_H */
