/*
 * catalog.h -- the storefront catalog cached per worker (domain/catalog.c).
 */
#ifndef DOMAIN_CATALOG_H
#define DOMAIN_CATALOG_H

#include "base/base.h"
#include "domain/pricing.h"

struct cat_search;		/* catalog_search.h */
struct cat_orders;		/* catalog_order.h */

/* catalog.c: what storefront lists need, per worker, by shop.version. */
struct cat_sku {
	int64_t			 id;		/* first: see find_index() */
	int64_t			 price_fen;	/* base */
	int64_t			 retail_fen;	/* -1: the base price */
	int32_t			 min_qty;
	int32_t			 qty_first;	/* the least a cart takes:
						 * min_qty, in whole cases
						 * when sold so (pack_only) */
	uint32_t		 first_tier;	/* in catalog.tiers */
	uint16_t		 ntiers;
};
struct cat_product {
	int64_t			 id;
	int64_t			 category_id;
	uint32_t		 code;		/* cat_str() offsets */
	uint32_t		 name;
	uint32_t		 unit;
	uint32_t		 thumb;		/* "" when none */
	uint32_t		 first_sku;	/* in catalog.skus */
	uint16_t		 nskus;
	uint8_t			 on_shelf;
	uint8_t			 visible;	/* SHOP_MODE_* bits */
};
struct cat_category {
	int64_t			 id;
	int64_t			 parent_id;	/* 0: top level */
	uint32_t		 name;
	int32_t			 sort;
	uint32_t		 first;		/* in category_products */
	uint32_t		 nproducts;	/* with subcategories' */
};
struct cat_list_item {
	int64_t			 sku_id;	/* first: see find_item() */
	int64_t			 price_fen;
};
struct cat_price_list {
	int64_t			 id;
	int64_t			 level_id;
	int64_t			 percent_bp;	/* 0: fixed prices only */
	uint32_t		 first;		/* in list_items, by sku_id */
	uint32_t		 nitems;
};
struct cat_contract_item {
	int64_t			 sku_id;	/* first: see find_item() */
	int64_t			 price_fen;
	int			 binding;	/* applies whatever */
};
struct cat_contracts {
	int64_t			 customer_id;
	struct cat_contract_item *items;	/* by sku_id */
	uint32_t		 n;
};
struct catalog {
	int64_t			 shop_id;
	int64_t			 version;
	struct buf		 pool;		/* strings */
	struct cat_category	*categories;	/* by sort, id */
	uint32_t		*category_by_id;
	uint32_t		*category_products;
	uint32_t		 ncategories, cap_categories;
	struct cat_product	*products;	/* by sort, id */
	uint32_t		*product_by_id;
	uint32_t		 nproducts, cap_products;
	struct cat_sku		*skus;		/* grouped by product */
	uint32_t		*sku_by_id;
	uint32_t		 nskus, cap_skus;
	struct price_tier	*tiers;
	uint32_t		 ntiers, cap_tiers;
	struct cat_price_list	*lists;
	uint32_t		 nlists, cap_lists;
	struct cat_list_item	*list_items;
	uint32_t		 nlist_items, cap_list_items;
	struct cat_contracts	*contracts;
	uint32_t		 ncontracts;
	struct cat_search	*search;	/* names and codes, for ?q= */
	struct cat_orders	*orders;	/* the lists' pages */
	size_t			 bytes;		/* malloc'd, for the cache's cap */
	void			*map;		/* or the arrays are in this */
	size_t			 maplen;	/* file's map (catalog_map.c) */
};
struct cat_viewer {
	int			 mode;		/* SHOP_MODE_* */
	int64_t			 customer_id;	/* 0: guest */
	const struct catalog	*cat;
	const struct cat_price_list *list;
	const struct cat_contracts *contracts;
	/* The last SKU's list and contract price, found once for all its
	 * tiers (catalog_price() keeps them). */
	const struct cat_sku	*memo_sku;
	const struct cat_list_item *memo_item;
	const struct cat_contract_item *memo_contract;
};
enum cat_sort { CAT_SORT_DEFAULT, CAT_SORT_NEW, CAT_SORT_PRICE_ASC,
	CAT_SORT_PRICE_DESC };
struct cat_query {
	int			 mode;
	int64_t			 category_id;
	const char		*q;
	enum cat_sort		 sort;
	int64_t			 page;
	int			 per_page;
};
struct cat_page {
	const struct cat_product **items;
	int			 n;
	int64_t			 total;
	int64_t			 page;
	int64_t			 pages;
	int			 per_page;
};
/* Does a storefront (SHOP_MODE_*) list p? Lists and search alike. */
static inline int
cat_listed(const struct cat_product *p, int mode)
{
	return p->on_shelf && (p->visible & mode) && p->nskus > 0;
}

const struct catalog *catalog_get(struct dctx *);
void		 catalog_cache_clear(void);
const char	*cat_str(const struct catalog *, uint32_t);
const struct cat_product *catalog_product(const struct catalog *, int64_t);
const struct cat_sku *catalog_sku(const struct catalog *, int64_t);
const struct cat_category *catalog_category(const struct catalog *, int64_t);
const struct cat_sku *cat_skus(const struct catalog *,
		     const struct cat_product *);
const struct price_tier *cat_tiers(const struct catalog *,
		     const struct cat_sku *);
int		 catalog_viewer(struct dctx *, const struct catalog *, int,
		     struct cat_viewer *);
int		 catalog_price(const struct cat_viewer *, const struct cat_sku *,
		     int64_t, struct price_result *);
int		 catalog_list(struct dctx *, const struct catalog *,
		     const struct cat_query *, struct cat_page *);

#endif /* DOMAIN_CATALOG_H */
