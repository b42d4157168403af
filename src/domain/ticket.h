/*
 * ticket.h -- after-sales tickets (售后工单, docs/service.md): opened by a
 * customer's user from an order, an order line or a product (its QR), by
 * a guest with a phone, or from a conversation (微信客服, source kf); a
 * state machine staff move (assign, reply, ask for information, resolve,
 * close, reopen) with every move and message in the timeline; returns
 * and exchanges through the money and ordering flows; service levels
 * per shop and the job that gives notice of overdue tickets.
 * domain/ticket.c (opening, messages, guests), ticket_move.c (the
 * moves), ticket_read.c (queue, one ticket, photos, report),
 * ticket_sla.c (service levels, the ticket.sla job), ticket_return.c
 * (refund, replacement, stock). Times are China Standard Time strings.
 */
#ifndef DOMAIN_TICKET_H
#define DOMAIN_TICKET_H

#include "domain/dctx.h"

#define TICKET_PHOTOS_MAX	9
#define TICKET_TEXT_MAX		2000	/* characters of one message */
#define TICKET_GUEST_IP_HOUR	10	/* guest tickets per address an hour */
#define TICKET_GUEST_PHONE_DAY	5	/* and per phone a day */
/* Staff who work the queue; sales see only their customers' tickets. */
#define TICKET_ROLES		"owner,admin,service,sales"
/* Staff who may start a refund (a credit note on the ledger). */
#define TICKET_REFUND_ROLES	"owner,admin,finance"

enum ticket_kind { TK_QUALITY, TK_MISSING, TK_RETURN, TK_INSTALL,
	TK_QUESTION, TK_NKINDS };
enum ticket_state { TS_OPEN, TS_IN_PROGRESS, TS_WAITING, TS_RESOLVED,
	TS_CLOSED, TS_NSTATES };
enum ticket_source { TSRC_H5, TSRC_API, TSRC_QR, TSRC_GUEST, TSRC_KF,
	TSRC_STAFF, TSRC_NSOURCES };
enum ticket_action { TA_ASSIGN, TA_REPLY, TA_ASK_INFO, TA_RESOLVE,
	TA_CLOSE, TA_REOPEN, TA_NACTIONS };
enum ticket_resolution { TR_NONE, TR_FIXED, TR_RETURN, TR_EXCHANGE,
	TR_REFUND, TR_NO_ACTION, TR_NRESOLUTIONS };

/* Names as stored and sent ("missing_or_damaged") and labels (缺货/破损);
 * a parse is 0, or -1 for a name that is none of them. */
const char	*ticket_kind_name(enum ticket_kind);
const char	*ticket_kind_label(enum ticket_kind);
int		 ticket_kind_parse(const char *, enum ticket_kind *);
const char	*ticket_state_name(enum ticket_state);
const char	*ticket_state_label(enum ticket_state);
int		 ticket_state_parse(const char *, enum ticket_state *);
const char	*ticket_source_name(enum ticket_source);
const char	*ticket_action_name(enum ticket_action);
int		 ticket_action_parse(const char *, enum ticket_action *);
const char	*ticket_resolution_name(enum ticket_resolution);
const char	*ticket_resolution_label(enum ticket_resolution);
int		 ticket_resolution_parse(const char *,
		     enum ticket_resolution *);
/* The state a move leads to from state, or -1: the move is refused. */
int		 ticket_move_to(enum ticket_state, enum ticket_action);

/* The input a check refused, for the handler's form (c->error: why). */
enum ticket_field { TF_NONE, TF_KIND, TF_BODY, TF_ORDER, TF_LINE,
	TF_PRODUCT, TF_PHONE, TF_PHOTOS, TF_STAFF, TF_RESOLUTION, TF_AMOUNT,
	TF_QTY };

struct ticket_upload {
	const void	*data;
	size_t		 len;
};

/*
 * A new ticket. The company is the actor's for a customer's user; for
 * staff and other sources (kf) customer_id names it (in the actor's
 * scope when the actor is staff), customer_user_id its user when known;
 * a guest (no session) gives guest_phone. order_id, order_line_id and
 * product_id are optional (0) and must be the company's (the order),
 * the order's (the line) and the shop's.
 */
struct ticket_new {
	enum ticket_kind	 kind;
	const char		*body;
	enum ticket_source	 source;
	int64_t			 order_id;
	int64_t			 order_line_id;
	int64_t			 product_id;
	int64_t			 customer_id;
	int64_t			 customer_user_id;
	const char		*guest_phone;
	const char		*guest_name;
	const struct ticket_upload *photos;
	int			 nphotos;
};

/*
 * ticket.c. ticket_open: one transaction, the ticket and its opened
 * event (with the photos, stored first and removed again if it fails);
 * *id the new ticket. ERR_INVALID (*bad, c->error, c->code), ERR_NOT_FOUND
 * for an order or product not the actor's, ERR_TOO_MANY for guests over
 * the limits, ERR_TOO_LARGE / ERR_UNSUPPORTED for a photo. Usable
 * without an order, from a conversation: source TSRC_KF, customer_id.
 */
int		 ticket_open(struct dctx *, const struct ticket_new *,
		     int64_t *, enum ticket_field *);
/* The same without photos in the caller's transaction (kf_ticket.c). */
int		 ticket_open_locked(struct dctx *, const struct ticket_new *,
		     int64_t *, enum ticket_field *);
/*
 * A message on ticket id's timeline. ticket_reply: the actor, a user of
 * the ticket's company, with photos (the ticket goes back to staff:
 * open); staff reply with ticket_move(TA_REPLY).
 * ticket_append: from a source that is not H5 (TSRC_KF: a 微信客服
 * message), by the customer (staff_id 0) or a staff member, without
 * photos and without moving the state; the actor need not be a session
 * (a job may call it). Closed tickets refuse both (ERR_CONFLICT).
 */
int		 ticket_reply(struct dctx *, int64_t, const char *,
		     const struct ticket_upload *, int, int64_t *,
		     enum ticket_field *);
int		 ticket_append(struct dctx *, int64_t, enum ticket_source,
		     int64_t, const char *, int64_t *);
/* Guest tickets of phone become the user's (and its company's) when
 * that phone logs in or is bound; call inside or outside a transaction
 * after the user is known. *n: how many were linked. */
int		 ticket_claim_phone(struct dctx *, int64_t, const char *,
		     int *);

/* ticket_move.c: a staff move on ticket id (the actor's scope); from a
 * state that does not allow it ERR_CONFLICT (code "invalid_transition"),
 * nothing written. */
struct ticket_move_args {
	int64_t			 staff_id;	/* TA_ASSIGN: to whom */
	enum ticket_resolution	 resolution;	/* TA_RESOLVE */
	const char		*note;		/* the message; TA_REPLY and
						 * TA_ASK_INFO need one */
	const struct ticket_upload *photos;	/* TA_REPLY */
	int			 nphotos;
};
int		 ticket_move(struct dctx *, int64_t, enum ticket_action,
		     const struct ticket_move_args *, enum ticket_state *,
		     enum ticket_field *);

/* ticket_read.c */
struct ticket_photo {
	int64_t		 id;
	int64_t		 event_id;
};
struct ticket_event {
	int64_t		 id;
	const char	*kind;		/* "opened", "message", "assign", … */
	const char	*from;		/* state names; NULL: none */
	const char	*to;
	int		 by_staff;
	int		 by_customer;	/* 0, 0: the system or a guest */
	const char	*who;		/* a name; NULL: not known */
	const char	*source;
	const char	*body;
	int		 internal;	/* staff only */
	const char	*time;		/* "YYYY-MM-DD HH:MM" */
	struct ticket_photo *photos;
	int		 nphotos;
};
struct ticket {
	int64_t			 id;
	enum ticket_kind	 kind;
	enum ticket_state	 state;
	const char		*source;
	const char		*subject;
	int64_t			 customer_id;	/* 0: a guest's */
	const char		*customer;
	int64_t			 customer_user_id;
	const char		*user_name;
	const char		*guest_phone;
	const char		*guest_name;
	int64_t			 order_id;
	const char		*order_no;
	int64_t			 order_line_id;
	const char		*line_name;	/* the line's product */
	int64_t			 line_qty;
	int64_t			 line_sku_id;
	int64_t			 product_id;
	const char		*product_name;
	int64_t			 staff_id;	/* assignee; 0: nobody */
	const char		*staff_name;
	enum ticket_resolution	 resolution;
	int64_t			 refund_fen;
	int64_t			 replacement_order_id;
	const char		*replacement_no;
	int			 stock_returned;
	const char		*created;
	const char		*updated;
	int64_t			 age_hours;
	int			 first_overdue;	/* no answer within the SLA */
	int			 resolve_overdue;
	const char		*first_due;	/* "YYYY-MM-DD HH:MM" */
	const char		*resolve_due;
	struct ticket_event	*events;	/* ticket_get: oldest first */
	int			 nevents;
};
struct ticket_query {
	int			 state;		/* enum ticket_state; -1 any,
						 * -2 not resolved or closed */
	int			 kind;		/* -1: any */
	int64_t			 staff_id;	/* -1 any, 0 nobody's */
	int64_t			 customer_id;	/* 0: any */
	int			 overdue;	/* only overdue ones */
	int64_t			 min_age_hours;	/* 0: any */
	int64_t			 page;
	int			 per_page;
};
struct ticket_list {
	struct ticket		*rows;		/* newest first */
	int			 n;
	int64_t			 total;
	int64_t			 my_overdue;	/* the actor's, overdue */
};
struct ticket_staff {
	int64_t		 id;
	const char	*name;
	const char	*role;
};
/* The queue (staff, in scope); the actor's company's tickets
 * (customers: ticket_mine); one ticket with its timeline (internal
 * events only for staff; another company's ERR_NOT_FOUND). */
int		 ticket_list(struct dctx *, const struct ticket_query *,
		     struct ticket_list *);
int		 ticket_mine(struct dctx *, int64_t, int, struct ticket_list *);
int		 ticket_get(struct dctx *, int64_t, struct ticket *);
int		 ticket_assignees(struct dctx *, struct ticket_staff **, int *);
int		 ticket_photo_read(struct dctx *, int64_t, int64_t, int,
		     struct buf *);
/* For reports: per month ("YYYY-MM", China), newest months last, of the
 * last `months`: tickets opened and the median minutes from opening to
 * the first staff answer (-1: none answered). */
struct ticket_month {
	const char	*month;
	int64_t		 opened;
	int64_t		 median_first_minutes;
};
int		 ticket_report_months(struct dctx *, int,
		     struct ticket_month **, int *);

/* ticket_sla.c: the shop's service levels; the ticket.sla job. */
struct ticket_sla {
	int64_t		 first_hours;	/* 1..720 */
	int64_t		 resolve_days;	/* 1..365 */
};
int		 ticket_sla_get(struct dctx *, struct ticket_sla *);
int		 ticket_sla_set(struct dctx *, const struct ticket_sla *);
int		 ticket_sla_run(struct dctx *, int64_t, int *);
struct job;
int		 task_ticket_sla(struct arena *, const struct job *,
		     const char **);

/* ticket_return.c: from a ticket resolved as a return or an exchange.
 * A refund posts a credit note (ledger) of amount_fen on the company's
 * account; a replacement places an order on its behalf with the lines
 * given (order_submit); stock back is a movement of reason return. Each
 * is recorded on the timeline and on the ticket. */
int		 ticket_refund(struct dctx *, int64_t, int64_t, const char *);
int		 ticket_replace(struct dctx *, int64_t, int64_t, int64_t,
		     const char *, int64_t *);
int		 ticket_stock_back(struct dctx *, int64_t, int64_t, int64_t);

#endif /* DOMAIN_TICKET_H */
