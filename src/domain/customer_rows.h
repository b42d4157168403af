/*
 * customer_rows.h -- what the customer domain files share to read and
 * lock a company's rows (domain/customer.c); for domain/ only, since it
 * speaks the database's language.
 */
#ifndef DOMAIN_CUSTOMER_ROWS_H
#define DOMAIN_CUSTOMER_ROWS_H

#include "services/db.h"
#include "domain/dctx.h"

int		 company_lock_row(struct dctx *, int64_t, const char *, int64_t,
		     const char *, struct db_res **);
void		*company_rows(struct dctx *, const char *, int64_t, size_t,
		     void (*)(void *, const struct db_res *, int), int *);

#endif /* DOMAIN_CUSTOMER_ROWS_H */
