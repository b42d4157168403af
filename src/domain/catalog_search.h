/*
 * catalog_search.h -- the storefront search index of a cached catalog
 * (domain/catalog_search*.c): character bigrams of product names, and
 * product codes, SKU codes and barcodes sorted for exact and prefix
 * matches. Built once with the catalog's version, read-only after; the
 * catalog owns it (catalog_free frees it). No database here.
 */
#ifndef DOMAIN_CATALOG_SEARCH_H
#define DOMAIN_CATALOG_SEARCH_H

#include "base/base.h"

#define CAT_SEARCH_CHARS_MAX	100	/* characters in a query: more is 400 */
#define CAT_SEARCH_LISTS_MAX	8	/* posting lists intersected, rarest
					 * first; the rest is verified */
#define CAT_SEARCH_CODE_MAX	255	/* bytes of a code the index holds */

struct catalog;
struct cat_search;

/* How a product matched, best first: what the list shows first. */
enum cat_rank {
	CAT_RANK_CODE,		/* product code, SKU code or barcode is q */
	CAT_RANK_CODE_PREFIX,	/* one of them starts with q */
	CAT_RANK_NAME_PREFIX,	/* the name starts with q's first word */
	CAT_RANK_NAME,		/* the name holds every word of q */
	CAT_RANKS
};

/* Which products may show: a storefront's, in a category (by index,
 * ascending, as catalog.category_products lists them) or all. */
struct cat_search_filter {
	int			 mode;		/* SHOP_MODE_* */
	const uint32_t		*only;		/* NULL: every category */
	uint32_t		 nonly;
};

/* Product indexes (into catalog.products) by rank, each rank ascending:
 * the catalog's order. In the request's arena. */
struct cat_hits {
	uint32_t		*idx;
	uint32_t		 n;
	uint32_t		 nrank[CAT_RANKS];
};

/* What a catalog file (catalog_map.c) keeps of an index: its sizes and
 * its four arrays (lists, words, codes, blocks), none with a pointer. */
struct cat_search_dims {
	uint32_t	 nproducts, nwords, nlists, ncodes;
	uint32_t	 listed[3];
	uint64_t	 nwords_all, codes_len;
};
struct cat_search_part {
	const void	*p;
	size_t		 len;
};
#define CAT_SEARCH_PARTS	4

struct cat_search	*cat_search_new(void);
void		 cat_search_export(const struct cat_search *,
		     struct cat_search_dims *, struct cat_search_part *);
struct cat_search *cat_search_mapped(const struct cat_search_dims *,
		     const struct cat_search_part *);
void		 cat_search_add_code(struct cat_search *, uint32_t,
		     const char *);
void		 cat_search_build(struct cat_search *, const struct catalog *);
void		 cat_search_free(struct cat_search *);
size_t		 cat_search_bytes(const struct cat_search *);
const char	*cat_search_stats(const struct cat_search *, struct arena *);
const char	*cat_search_problem(const char *);
int		 cat_search_query(struct cat_search *,
		     const struct catalog *, const char *,
		     const struct cat_search_filter *, struct arena *,
		     struct cat_hits *);

#endif /* DOMAIN_CATALOG_SEARCH_H */
