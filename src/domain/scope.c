/*
 * scope.c -- the actor's customer scope: every customer of the shop, or
 * only those a salesperson owns. Lists and single-row reads and writes
 * bind scope_owner() into their own statements (domain/scope_sql.h); a
 * write that locks its customer first checks it with scope_customer().
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

/*
 * What the scope conditions bind: 0 for every customer, else the staff
 * member whose customers alone the actor sees. Staff see all when their
 * role is in SCOPE_ROLES_ALL and their own otherwise (a role added later
 * starts narrow). Customer users never reach a back-office read (the
 * storefront binds their own company), and shell commands and jobs act
 * for the whole shop: both are 0.
 */
int64_t
scope_owner(const struct dctx *c)
{
	if (c->sess.kind != SESS_STAFF ||
	    session_staff_role(&c->sess, SCOPE_ROLES_ALL))
		return 0;
	return c->sess.user_id;
}

/*
 * Whose rows of a company's money (payments, statements, invoice
 * requests) the actor reads: 0 for staff (then in scope_owner()'s
 * scope), a customer user's company, or -1 for nobody.
 */
int64_t
scope_reader(const struct dctx *c)
{
	if (c->sess.kind == SESS_STAFF)
		return 0;
	if (c->sess.kind == SESS_CUSTOMER && c->sess.customer_id != 0)
		return c->sess.customer_id;
	return -1;
}

/* Whether the actor may set a company's salesperson to someone else. */
int
scope_may_assign(const struct dctx *c)
{
	return c->sess.kind != SESS_STAFF ||
	    session_staff_role(&c->sess, SCOPE_ROLES_ASSIGN);
}

static const char sql_in_scope[] =
    "SELECT 1 FROM customer c WHERE c.id = ? AND c.shop_id = ? AND "
    SCOPE_CUSTOMER("c") " LOCK IN SHARE MODE";

/*
 * The hook for a read or write of one customer's row that does not lock
 * the company itself (an order, a quote): in the caller's transaction,
 * 0 when the company is the shop's and in the actor's scope, kept so
 * until the transaction ends (its owner cannot move meanwhile);
 * ERR_NOT_FOUND ("客户不存在") otherwise, the same as a company that is
 * not there, or ERR_INTERNAL.
 */
int
scope_customer(struct dctx *c, int64_t customer_id)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_in_scope, "iii", customer_id,
	    c->shop->id, scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "客户不存在";
		return ERR_NOT_FOUND;
	}
	return 0;
}
