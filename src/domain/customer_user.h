/*
 * customer_user.h -- the people of a customer company
 * (domain/customer_user.c): their list, an edit of name, role or status,
 * the account an invitation makes, and ending their sessions at once.
 */
#ifndef DOMAIN_CUSTOMER_USER_H
#define DOMAIN_CUSTOMER_USER_H

#include "domain/dctx.h"

struct field_errs;

struct customer_user {
	int64_t		 id;
	const char	*name;
	const char	*phone;
	const char	*role;		/* "buyer", "approver", "finance" */
	const char	*status;	/* "active" or "disabled" */
};
/* An edit; NULL keeps what is stored. */
struct customer_user_input {
	const char	*name;
	const char	*role;
	const char	*status;
};
int		 customer_user_role_ok(const char *);
int		 customer_users(struct dctx *, int64_t, struct customer_user **,
		     int *);
int		 customer_user_check(struct dctx *,
		     const struct customer_user_input *, struct field_errs *);
int		 customer_user_update(struct dctx *, int64_t, int64_t,
		     const struct customer_user_input *, struct field_errs *);
int		 customer_user_add(struct dctx *, int64_t,
		     const struct customer_user *, const char *, int64_t *,
		     struct field_errs *);

#endif /* DOMAIN_CUSTOMER_USER_H */
