/*
 * audit.c -- the audit log: one row per change that matters (prices,
 * customers, settings), with who did it and from where. Call it inside the
 * transaction of the change so both land or neither does.
 */
#include "dinghuo.h"

static const char sql_audit[] =
    "INSERT INTO audit_log (shop_id, actor, action, detail, ip) "
    "VALUES (?, ?, ?, ?, ?)";

int
audit(struct dctx *c, const char *action, const char *fmt, ...)
{
	va_list	 ap;
	char	 detail[1000], actor[40];

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(actor, sizeof(actor), "%s:%" PRId64,
	    c->sess.kind == SESS_STAFF ? "staff" : c->sess.kind ==
	    SESS_CUSTOMER ? "customer" : "guest", c->sess.user_id);
	if (db_run(c->arena, NULL, sql_audit, "issss", c->shop->id, actor,
	    action, detail, c->remote_addr) == -1)
		return ERR_INTERNAL;
	return 0;
}
