/*
 * scope.h -- whose customers a staff member may see and change
 * (domain/scope.c): owner, admin and the roles that serve every customer
 * see all of the shop's; a salesperson only the companies they own
 * (customer.owner_staff_id), with those companies' users, rows, prices,
 * inquiries and orders. The one rule; the SQL that applies it is in
 * domain/scope_sql.h, for domain files. docs/roles.md says who sees what.
 */
#ifndef DOMAIN_SCOPE_H
#define DOMAIN_SCOPE_H

#include "domain/dctx.h"

/* Staff who see every customer; any other staff role sees its own. */
#define SCOPE_ROLES_ALL		"owner,admin,finance,warehouse,service"
/* Staff who give a company to a salesperson, or take it back. */
#define SCOPE_ROLES_ASSIGN	"owner,admin"

int64_t		 scope_owner(const struct dctx *);
int64_t		 scope_reader(const struct dctx *);
int		 scope_may_assign(const struct dctx *);
int		 scope_customer(struct dctx *, int64_t);

#endif /* DOMAIN_SCOPE_H */
