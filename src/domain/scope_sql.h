/*
 * scope_sql.h -- the customer scope (domain/scope.h) as SQL conditions,
 * for domain files only. Each binds scope_owner() as an integer, once
 * for every ? it holds: 0 lets every row through; a staff id only the
 * rows of the customers that staff member owns. A list puts one in its
 * WHERE, a read or write of one row in the statement that reads or locks
 * it, so that no row is shown or changed between a check and its use.
 */
#ifndef DOMAIN_SCOPE_SQL_H
#define DOMAIN_SCOPE_SQL_H

/* A customer row of table alias a. One ?. */
#define SCOPE_CUSTOMER(a)	"? IN (0, " a ".owner_staff_id)"

/*
 * A row that names its customer in column col (o.customer_id): orders,
 * quotes. A customer not found (a NULL col) is nobody's. One ?.
 */
#define SCOPE_CUSTOMER_ID(col) \
    "? IN (0, (SELECT sc_.owner_staff_id FROM customer sc_ " \
    "WHERE sc_.id = " col "))"

/*
 * An inquiry of alias i: one a customer's user sent is that customer's;
 * a guest's belongs to the staff member it is assigned to and, while
 * nobody has it, to every salesperson, who may take it. Three ?.
 */
#define SCOPE_INQUIRY(i) \
    "(? = 0 OR (" i ".customer_user_id IS NULL AND " \
    "(" i ".assigned_staff_id IS NULL OR " i ".assigned_staff_id = ?)) " \
    "OR ? = (SELECT sc_.owner_staff_id FROM customer_user su_ " \
    "JOIN customer sc_ ON sc_.id = su_.customer_id " \
    "WHERE su_.id = " i ".customer_user_id))"

#endif /* DOMAIN_SCOPE_SQL_H */
