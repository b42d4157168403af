/*
 * kf_ticket.c -- kf_to_ticket(): a conversation becomes a ticket. For
 * now the request and the newest message it keeps are recorded in
 * kf_ticket_request; kf_conv.ticket_id is set when the tickets' domain
 * makes the ticket (the call marked WIRE below, docs/wechat-kf.md).
 * Asking twice is the same request.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/kf_to_ticket.h"
#include "domain/scope.h"

static const char sql_lock[] =
    "SELECT COALESCE(k.ticket_id, 0), (SELECT MAX(m.id) FROM kf_msg m "
    "WHERE m.shop_id = k.shop_id AND m.conv_id = k.id) FROM kf_conv k "
    "WHERE k.shop_id = ? AND k.id = ? AND ? IN (0, (SELECT "
    "sc_.owner_staff_id FROM customer_user su_ JOIN customer sc_ ON "
    "sc_.id = su_.customer_id WHERE su_.id = k.customer_user_id)) "
    "FOR UPDATE";
static const char sql_ask[] =
    "INSERT INTO kf_ticket_request (conv_id, shop_id, upto_msg_id, "
    "requested_by) VALUES (?, ?, ?, NULLIF(?, 0)) ON DUPLICATE KEY UPDATE "
    "upto_msg_id = VALUES(upto_msg_id)";

struct ask {
	int64_t		conv;
	int64_t		ticket;
};

static int
tx_ask(struct dctx *c, void *arg)
{
	struct ask	*a = arg;
	struct db_res	*r;

	a->ticket = 0;
	if (db_run(c->arena, &r, sql_lock, "iii", c->shop->id, a->conv,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "会话不存在";
		return ERR_NOT_FOUND;
	}
	if ((a->ticket = db_cell_i64(r, 0, 0)) != 0)
		return 0;
	if (db_run(c->arena, NULL, sql_ask, "iiii", a->conv, c->shop->id,
	    db_cell_i64(r, 0, 1), c->sess.user_id) == -1)
		return ERR_INTERNAL;
	/*
	 * WIRE: here, in this transaction, the tickets' domain makes the
	 * ticket from the conversation (its customer user, its messages
	 * as the timeline up to upto_msg_id) and returns its id; then
	 * UPDATE kf_conv SET ticket_id = ? and kf_ticket_request too.
	 */
	return audit(c, "kf.ticket", "conv=%" PRId64 " asked", a->conv);
}

int
kf_to_ticket(struct dctx *c, int64_t conv, int64_t *ticket_id)
{
	struct ask	a = { conv, 0 };
	int		rc;

	*ticket_id = 0;
	if ((rc = db_tx_run(c, tx_ask, &a)) != 0)
		return rc;
	*ticket_id = a.ticket;
	return 0;
}
