/*
 * account.h -- what a logged-in customer user may read of their own
 * company and colleagues (domain/account.c).
 */
#ifndef DOMAIN_ACCOUNT_H
#define DOMAIN_ACCOUNT_H

#include "domain/dctx.h"

#define ACCOUNT_COLLEAGUES_MAX	50

struct account_company {
	const char	*name;
	int		 monthly;	/* payment_terms = 'monthly' */
	int64_t		 credit_days;
	int64_t		 credit_limit_fen;
	const char	*tax_id;
	const char	*sales_name;	/* "" when no salesperson */
	const char	*sales_phone;
};
struct account_user {
	const char	*name;
	const char	*role;
	const char	*phone;
};
struct account {
	struct account_company	 company;
	struct account_user	*users;		/* active, by id */
	int			 nusers;
};

int		 account_load(struct dctx *, struct account *);
int		 health_check(struct dctx *);

#endif /* DOMAIN_ACCOUNT_H */
