/*
 * category.h -- the shop's category tree as the back office edits it
 * (domain/category.c). Storefronts read categories from the catalog
 * cache (catalog.c).
 */
#ifndef DOMAIN_CATEGORY_H
#define DOMAIN_CATEGORY_H

#include "domain/dctx.h"

#include "domain/field_errors.h"

#define CATEGORY_DEPTH_MAX	10	/* levels, the import's too */
#define CATEGORIES_MAX		2000	/* per shop */
#define CATEGORY_NAME_MAX	60	/* characters */

struct category {
	int64_t		 id;
	int64_t		 parent_id;	/* 0: top level (or an orphan) */
	const char	*name;
	int64_t		 sort;
	int		 depth;		/* 0: top level */
	int		 nchildren;
	int64_t		 nproducts;	/* its own; with CATEGORY_COUNTS */
	int		 seen;		/* category.c's walk */
};
struct category_tree {
	struct category	 *v;		/* by sort, id */
	int		  n;
	struct category	**order;	/* the tree: parents first */
	int		  norder;
};
#define CATEGORY_COUNTS	0x01		/* count each one's products */
#define CATEGORY_LOCK	0x02		/* FOR UPDATE, in a transaction */
int		 category_tree(struct dctx *, int, struct category_tree *);
struct category	*category_find(const struct category_tree *, int64_t);
char		*category_path(struct arena *, const struct category_tree *,
		     int64_t);
int		 category_within(const struct category_tree *, int64_t,
		     int64_t);

/* A category to save; field errors name these. */
enum category_field { CATEGORY_NAME, CATEGORY_PARENT };
struct category_input {
	int64_t		 id;		/* 0: a new one */
	const char	*name;
	int64_t		 parent_id;	/* 0: top level */
	int64_t		 sort;
};
int		 category_save(struct dctx *, const struct category_input *,
		     struct field_errors *, int64_t *);
int		 category_delete(struct dctx *, int64_t);

#endif /* DOMAIN_CATEGORY_H */
