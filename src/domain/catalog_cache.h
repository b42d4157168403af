/*
 * catalog_cache.h -- a worker's catalogs by shop, least recently used
 * first to go once they hold more bytes than the cap
 * (domain/catalog_cache.c; catalog.c keeps the worker's one).
 */
#ifndef DOMAIN_CATALOG_CACHE_H
#define DOMAIN_CATALOG_CACHE_H

#include "domain/catalog.h"

#define CATALOG_CONTRACTS_MAX	256	/* customers' prices per catalog */

struct catalog_slot {
	struct catalog	*cat;
	size_t		 counted;	/* cat->bytes when last added up */
};
struct catalog_cache {
	struct catalog_slot *v;		/* most recently used first */
	size_t		 n;
	size_t		 cap;
	size_t		 bytes;		/* of all of them */
	uint64_t	 evicted;	/* catalogs dropped to fit */
};
struct catalog	*catalog_cache_find(struct catalog_cache *, int64_t);
void		 catalog_cache_add(struct catalog_cache *, struct catalog *,
		     size_t);
void		 catalog_cache_fit(struct catalog_cache *, size_t);
void		 catalog_cache_drop(struct catalog_cache *, struct catalog *);
void		 catalog_cache_empty(struct catalog_cache *);
void		 catalog_free(struct catalog *);
void		 catalog_contracts_free(struct catalog *);

#endif /* DOMAIN_CATALOG_CACHE_H */
