/*
 * purchase_list.h -- saved purchase lists (常购清单) of a customer
 * company: made from the cart or an order, renamed, quantities edited,
 * lines removed, deleted, and ordered from in one tap (each line added to
 * the cart as quick_add adds). Any user of the company sees and edits the
 * company's lists; another company's list is not found.
 */
#ifndef DOMAIN_PURCHASE_LIST_H
#define DOMAIN_PURCHASE_LIST_H

#include "domain/quick_order.h"

#define PLIST_MAX	50		/* lists of one company */
#define PLIST_NAME_MAX	30		/* characters */

struct plist_row {
	int64_t		 id;
	const char	*name;
	int64_t		 items;
	const char	*updated;	/* "YYYY-MM-DD HH:MM", China */
	const char	*created_by;	/* a name; NULL: not known */
};
struct plist {
	struct plist_row head;
	struct priced_line *lines;	/* by the order they were added */
	int		 n;
};

int	plist_all(struct dctx *, struct plist_row **, int *);
int	plist_get(struct dctx *, int64_t, int, struct plist *);
int	plist_create(struct dctx *, const char *, int64_t, int64_t *);
int	plist_rename(struct dctx *, int64_t, const char *);
int	plist_set_qty(struct dctx *, int64_t, int64_t, int64_t);
int	plist_remove(struct dctx *, int64_t, int64_t);
int	plist_delete(struct dctx *, int64_t);
int	plist_order(struct dctx *, int64_t, int, struct quick_order *);

#endif /* DOMAIN_PURCHASE_LIST_H */
