/*
 * order.h -- orders (docs/orders.md): checkout and submit from the cart
 * (domain/order_submit.c), the state machine and its moves, shipments
 * among them (domain/order_state.c), orders as staff and customers read
 * them (domain/order_read.c). A customer user sees and moves only their
 * company's orders; staff their shop's. Times and days are China
 * Standard Time strings; money is fen.
 */
#ifndef DOMAIN_ORDER_H
#define DOMAIN_ORDER_H

#include "domain/dctx.h"
#include "domain/cart.h"
#include "domain/field_errors.h"

#define ORDER_REMARK_MAX	500	/* characters */
#define ORDER_PO_MAX		64
#define ORDER_NOTE_MAX		200	/* a move's note: a cancel's reason */
#define ORDER_CARRIER_MAX	60
#define ORDER_TRACKING_MAX	60
#define ORDER_DELIVERY_DAYS	90	/* a requested date at most this far */

/* In the order of the happy path; ORDER_CANCELLED ends any early one. */
enum order_state {
	ORDER_PENDING_APPROVAL,	/* waits for the company's approver */
	ORDER_SUBMITTED,	/* placed; stock reserved; for staff to confirm */
	ORDER_CONFIRMED,
	ORDER_SHIPPED,
	ORDER_RECEIVED,		/* the customer confirmed receipt */
	ORDER_COMPLETED,
	ORDER_CANCELLED,	/* stock released, credit given back */
	ORDER_NSTATES
};
const char	*order_state_name(enum order_state);	/* "submitted" */
const char	*order_state_label(enum order_state);	/* "待确认" */
int		 order_state_parse(const char *, enum order_state *);
int		 order_state_open(enum order_state);

enum order_channel { ORDER_CHANNEL_H5, ORDER_CHANNEL_API,
	ORDER_CHANNEL_ADMIN };
enum invoice_kind { INVOICE_NONE, INVOICE_NORMAL, INVOICE_SPECIAL,
	INVOICE_NKINDS };
enum pay_terms { TERMS_PREPAID, TERMS_MONTHLY };
const char	*order_channel_name(enum order_channel);
const char	*invoice_kind_name(enum invoice_kind);	/* "normal" */
const char	*invoice_kind_label(enum invoice_kind);	/* "普票" */
int		 invoice_kind_parse(const char *, enum invoice_kind *);
const char	*pay_terms_name(enum pay_terms);
int		 pay_terms_parse(const char *, enum pay_terms *);

/* ---- checkout and submit (order_submit.c) ---------------------------- */

/* What the buyer chose at checkout. */
struct checkout {
	int64_t			 address_id;	/* 0: the company's default */
	enum invoice_kind	 invoice;
	enum pay_terms		 terms;
	int			 terms_given;	/* 0: monthly if the company
						 * has credit, else prepaid */
	const char		*delivery_date;	/* "YYYY-MM-DD"; NULL: none */
	const char		*remark;	/* NULL: none */
	const char		*po_no;
	const char		*idem_key;	/* the request's; NULL: none */
	const char		*idem_hash;	/* its fingerprint, 64 hex */
	enum order_channel	 channel;
	int64_t			 quote_id;	/* the lines: 0 the cart, else
						 * this inquiry's quote */
	/* Staff ordering for a company (代客下单): the company, and the
	 * lines, priced for it; lines NULL: the cart or the quote. */
	int64_t			 customer_id;	/* customers: their own */
	const struct line_req	*lines;
	int			 nlines;
};
/* Staff who may order on a company's behalf (in their customer scope). */
#define ORDER_ROLES_ON_BEHALF	"owner,admin,sales"
/* The choices the database refused (field_errors: enum checkout_field). */
enum checkout_field { CHECKOUT_ADDRESS, CHECKOUT_INVOICE, CHECKOUT_TERMS,
	CHECKOUT_DATE };

/* What an order of the cart would cost with one kind of invoice. */
struct order_money {
	int64_t		 tax_bp;
	int64_t		 subtotal_fen;
	int64_t		 tax_fen;	/* per line, rounded half up */
	int64_t		 total_fen;
};

/* A company's invoice profile as an order takes it. */
struct order_invoice {
	int64_t		 id;		/* 0: the company has none */
	const char	*title;
	const char	*tax_id;
	const char	*bank_name;
	const char	*bank_account;
	const char	*address;
	const char	*phone;
};

struct address;
/* The checkout page: the cart priced, what can be chosen, and the sums. */
struct checkout_view {
	struct cart		 cart;
	const char		*company;
	struct address		*addresses;	/* the default first */
	int			 naddresses;
	int64_t			 address_id;	/* the one chosen, or 0 */
	struct order_invoice	 profile[INVOICE_NKINDS];	/* [NONE]: 0 */
	struct order_money	 money[INVOICE_NKINDS];
	enum pay_terms		 terms;		/* as chosen, or the default */
	int			 credit;	/* monthly terms may be chosen */
	int64_t			 credit_days;
	int64_t			 credit_limit_fen;
	int64_t			 outstanding_fen;
	int64_t			 available_fen;
	const char		*today;		/* "YYYY-MM-DD", China */
	const char		*date_max;	/* + ORDER_DELIVERY_DAYS */
	int64_t			 quote_version;	/* a quote's lines: its */
	const char		*quote_until;	/* version and last day */
	int64_t			 min_order_fen;	/* 起订金额 that applies; 0 */
	int64_t			 short_fen;	/* goods below it; 0: met */
};

/* What submit made (or, for a replayed key, had made). */
struct order_placed {
	int64_t			 id;
	const char		*order_no;
	enum order_state	 state;
	int64_t			 total_fen;
	int			 replayed;	/* the key's order, not a new one */
};

int		 order_checkout(struct dctx *, const struct checkout *,
		     struct checkout_view *, struct field_errors *);
int		 order_submit(struct dctx *, const struct checkout *,
		     struct order_placed *, struct field_errors *);
void		 order_money(const struct priced_line *, int, int64_t,
		     struct order_money *);
void		 order_cn_day(time_t, int, char *, size_t, const char *);
int		 order_day_valid(const char *, const char **);
int		 order_state_payable(const char *);
int		 order_date_check(const char *, time_t, const char **);

/* 起订金额 (min_order.c): the actor's company's member level's minimum
 * order, fen of goods before tax (0: none); what goods lack of one. */
int		 order_min_order(struct dctx *, int64_t *);
int64_t		 order_min_short(int64_t, int64_t);

/* ---- moves (order_state.c) ------------------------------------------- */

enum order_action { ORDER_APPROVE, ORDER_CONFIRM, ORDER_SHIP, ORDER_RECEIVE,
	ORDER_COMPLETE, ORDER_CANCEL, ORDER_NACTIONS };
struct ship_line;
struct order_move_args {
	const char	*note;		/* NULL: none; a cancel's reason */
	const char	*carrier;	/* ORDER_SHIP */
	const char	*tracking_no;
	const struct ship_line *ship;	/* ORDER_SHIP: the parcel's lines */
	int		 nship;		/* 0: all that is left */
};
const char	*order_action_name(enum order_action);	/* "confirm" */
const char	*order_action_label(enum order_action);	/* "确认订单" */
int		 order_may(const struct session *, enum order_state,
		     enum order_action);
int		 order_move(struct dctx *, int64_t, enum order_action,
		     const struct order_move_args *, enum order_state *);

/* ---- reading (order_read.c) ------------------------------------------ */

struct order_line_row {
	int64_t		 id;
	int64_t		 line_no;
	int64_t		 sku_id;
	const char	*sku_code;
	const char	*name;
	const char	*spec;
	const char	*unit;
	int64_t		 qty;
	int64_t		 unit_fen;
	const char	*price_source;	/* "tier", "contract", … */
	int64_t		 line_fen;
	int64_t		 tax_fen;
	int64_t		 shipped_qty;
	int		 added;		/* staff added it (order_edit.c) */
	int		 changed;	/* staff changed it: orig_* as placed */
	int64_t		 orig_qty;
	int64_t		 orig_unit_fen;
};
struct order_removed_row;	/* order_edit.h */
struct order_event_row {
	int			 from;		/* enum order_state; -1: placed */
	enum order_state	 to;
	const char		*who;		/* a name; NULL: not known */
	int			 by_staff;
	const char		*note;
	const char		*time;		/* "YYYY-MM-DD HH:MM" */
};
struct shipment_row {
	int64_t		 id;
	const char	*carrier;
	const char	*tracking_no;
	const char	*time;
	const char	*staff;		/* NULL: not known */
};
struct order {
	int64_t			 id;
	const char		*order_no;
	enum order_state	 state;
	int64_t			 customer_id;
	const char		*customer;	/* the company's name */
	const char		*placed_by;	/* the person's name */
	int			 by_staff;	/* staff placed it for them */
	const char		*channel;	/* "h5", "api", "admin" */
	const char		*ship_receiver;
	const char		*ship_phone;
	const char		*ship_region;
	const char		*ship_address;
	enum invoice_kind	 invoice;
	struct order_invoice	 inv;
	int64_t			 tax_bp;
	enum pay_terms		 terms;
	const char		*delivery_date;	/* NULL: none asked */
	const char		*remark;
	const char		*po_no;
	int64_t			 line_count;
	int64_t			 subtotal_fen;
	int64_t			 tax_fen;
	int64_t			 total_fen;
	const char		*created;	/* "YYYY-MM-DD HH:MM" */
	const char		*first_item;	/* lists: the first line's name */
	struct order_line_row	*lines;		/* order_get only, by line_no */
	int			 nlines;
	struct order_event_row	*events;	/* oldest first */
	int			 nevents;
	struct shipment_row	*shipments;
	int			 nshipments;
	int64_t			 version;	/* staff adjustments so far */
	int64_t			 paid_fen;	/* order_get: payments to it */
	const char		*due_on;	/* order_get: "YYYY-MM-DD" */
	const char		*invoice_state;	/* order_get: "none",
						 * "requested", "issued" */
	struct order_removed_row *removed;	/* lines they removed */
	int			 nremoved;
};
struct order_query {
	int			 all;		/* every state, or: */
	enum order_state	 state;
	int64_t			 customer_id;	/* staff: 0 any; customers:
						 * always their own */
	const char		*q;		/* order no, or part of it */
	const char		*from;		/* "YYYY-MM-DD" China; NULL */
	const char		*to;		/* inclusive */
	int64_t			 page;		/* from 1 */
	int			 per_page;
};
struct order_list {
	struct order		*rows;		/* newest first */
	int			 n;
	int64_t			 total;		/* matching, all pages */
};
/* The customer's account page: open orders and credit. */
struct order_summary {
	int64_t			 open;		/* not completed, cancelled */
	int			 credit;	/* a monthly-credit company */
	int64_t			 credit_limit_fen;
	int64_t			 outstanding_fen;
	int64_t			 available_fen;	/* may be below 0 */
};
int		 order_list(struct dctx *, const struct order_query *,
		     struct order_list *);
int		 order_get(struct dctx *, int64_t, struct order *);
int		 order_summary(struct dctx *, struct order_summary *);

#endif /* DOMAIN_ORDER_H */
