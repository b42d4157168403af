/*
 * catalog_order.h -- the storefront lists in their orders, a page at a
 * time (domain/catalog_order.c); part of a catalog, for catalog.c.
 */
#ifndef DOMAIN_CATALOG_ORDER_H
#define DOMAIN_CATALOG_ORDER_H

#include "domain/catalog.h"

struct cat_seq {
	uint32_t	*idx;		/* product indexes; NULL: 0 .. n-1 */
	uint8_t		*modes;		/* of each: SHOP_MODE_* that list it */
	uint32_t	*blocks;	/* per 256: listed before, 3 modes */
	uint32_t	 n;
};
struct cat_kept {
	int64_t		 category_id;	/* 0: every product */
	enum cat_sort	 sort;
	struct cat_seq	 seq;
};
struct cat_orders {
	struct cat_seq	 all;		/* every product, by sort, id */
	struct cat_seq	 cats;		/* over catalog.category_products */
	struct cat_kept	*kept;		/* other orders, most recent first */
	int		 nkept;
	size_t		 kept_bytes;
	size_t		 bytes;		/* all of it */
	int		 mapped;	/* all and cats in a catalog file */
};
/* A catalog file's parts (catalog_map.c): modes and blocks of all, cats. */
#define CAT_ORDER_PARTS	4
struct cat_order_part {
	const void	*p;
	size_t		 len;
};

void		 cat_order_build(struct catalog *);
void		 cat_order_free(struct cat_orders *);
size_t		 cat_order_bytes(const struct cat_orders *);
void		 cat_order_export(const struct cat_orders *,
		     struct cat_order_part *);
struct cat_orders *cat_order_mapped(const struct catalog *, uint32_t,
		     const struct cat_order_part *);
void		 cat_order_page(struct catalog *, struct arena *,
		     const struct cat_category *, const struct cat_query *,
		     struct cat_page *);

#endif /* DOMAIN_CATALOG_ORDER_H */
