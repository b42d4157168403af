/*
 * dashboard.h -- the headline numbers of the back office's first page and
 * what needs doing (domain/dashboard.c).
 */
#ifndef DOMAIN_DASHBOARD_H
#define DOMAIN_DASHBOARD_H

#include "domain/dctx.h"

struct dashboard {
	int64_t		 customers;	/* companies */
	int64_t		 customer_users;	/* active */
	int64_t		 staff;		/* active */
	int64_t		 new_users_30d;
	/* what needs doing */
	int64_t		 orders_to_confirm;	/* submitted, not confirmed */
	int64_t		 open_inquiries;	/* not answered yet */
	int64_t		 my_open_inquiries;	/* of those, the actor's */
	int64_t		 new_customers_7d;	/* companies */
	int64_t		 failed_jobs;
	int64_t		 pending_dealers;	/* applications to review */
	int64_t		 payments_to_confirm;	/* transfers recorded */
};

int		 dashboard_counts(struct dctx *, struct dashboard *);

#endif /* DOMAIN_DASHBOARD_H */
