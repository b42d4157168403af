/*
 * catalog_map.h -- a shop's catalog as a file every worker of the host
 * maps (domain/catalog_map.c); for catalog.c.
 */
#ifndef DOMAIN_CATALOG_MAP_H
#define DOMAIN_CATALOG_MAP_H

#include "domain/catalog.h"

const char	*catalog_map_dir(struct arena *);
int		 catalog_map_write(const struct catalog *, const char *);
struct catalog	*catalog_map_open(const char *, int64_t, int64_t);
void		 catalog_map_prune(const char *, int64_t, int64_t);

#endif /* DOMAIN_CATALOG_MAP_H */
