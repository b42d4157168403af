/*
 * dashboard.h -- the headline numbers of the back office's first page
 * (domain/dashboard.c).
 */
#ifndef DOMAIN_DASHBOARD_H
#define DOMAIN_DASHBOARD_H

#include "domain/dctx.h"

struct dashboard {
	int64_t		 customers;	/* companies */
	int64_t		 customer_users;	/* active */
	int64_t		 staff;		/* active */
	int64_t		 new_users_30d;
};

int		 dashboard_counts(struct dctx *, struct dashboard *);

#endif /* DOMAIN_DASHBOARD_H */
