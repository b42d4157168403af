/*
 * product.h -- products and SKUs in the database (domain/product.c).
 */
#ifndef DOMAIN_PRODUCT_H
#define DOMAIN_PRODUCT_H

/* A SKU as forms that name one by its code need it. */
struct sku_brief {
	int64_t		 id;
	int64_t		 price_fen;	/* base */
	int64_t		 min_qty;
	const char	*code;
	const char	*name;		/* the product's */
	const char	*spec;
	const char	*unit;
};
int		 product_sku_by_code(struct dctx *, const char *,
		     struct sku_brief *);

#endif /* DOMAIN_PRODUCT_H */
