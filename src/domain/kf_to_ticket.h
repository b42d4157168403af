/*
 * kf_to_ticket.h -- a 微信客服 conversation made into an after-sales
 * ticket in one step, keeping its messages (domain/kf_ticket.c). The
 * one seam between 微信客服 and the tickets: until the tickets' domain
 * is merged it records the request only (kf_ticket_request) and
 * *ticket_id is 0; docs/wechat-kf.md says what the merge wires.
 */
#ifndef DOMAIN_KF_TO_TICKET_H
#define DOMAIN_KF_TO_TICKET_H

#include "base/base.h"

struct dctx;

/*
 * Conversation conv (the shop's, in the actor's scope) as a ticket: 0
 * and *ticket_id (0: asked, not made yet; the same id again when it is
 * one already), ERR_NOT_FOUND, ERR_INTERNAL. Its own transaction.
 */
int		 kf_to_ticket(struct dctx *, int64_t conv, int64_t *ticket_id);

#endif /* DOMAIN_KF_TO_TICKET_H */
