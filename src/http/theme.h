/*
 * theme.h -- compiled templates per theme (http/theme.c).
 */
#ifndef HTTP_THEME_H
#define HTTP_THEME_H

#include "base/base.h"
#include "http/tpl.h"

/* theme.c: compiled templates per worker, per theme. */
struct theme_cache;
struct theme_cache *theme_cache_new(const char *);
void		 theme_cache_free(struct theme_cache *);
const struct tpl *theme_get(struct theme_cache *, const char *,
		     const char *);
int		 theme_valid_name(const char *);

#endif /* HTTP_THEME_H */
