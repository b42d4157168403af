/*
 * inquiry.h -- 询价 in the database: guests and customers ask, staff list,
 * assign, answer with quoted prices valid until a day and close, the
 * asking company's users read the answers and reply (domain/inquiry.c,
 * domain/inquiry_read.c, domain/inquiry_message.c). Times and days are
 * China Standard Time strings.
 */
#ifndef DOMAIN_INQUIRY_H
#define DOMAIN_INQUIRY_H

#include "domain/dctx.h"
#include "domain/pricing.h"

#define INQUIRY_PER_HOUR	20	/* per shop and client address */
#define INQUIRY_QUOTE_DAYS	7	/* a quote's validity unless set */
#define INQUIRY_QUOTE_DAYS_MAX	180	/* the longest one may be set */
#define INQUIRY_REPLY_MAX	1000	/* characters of a customer's reply */
#define INQUIRY_ANSWER_MAX	4000	/* characters of a staff answer */

enum inquiry_status { INQUIRY_OPEN, INQUIRY_ANSWERED, INQUIRY_CLOSED };

/*
 * The input a function refused after asking the database, for the
 * handler to name with form_error(); c->error says why.
 */
enum inquiry_field { INQUIRY_FIELD_NONE, INQUIRY_FIELD_PRODUCT,
	INQUIRY_FIELD_SKU, INQUIRY_FIELD_STAFF, INQUIRY_FIELD_VALID_UNTIL,
	INQUIRY_FIELD_BODY };

/* What a quote is worth today (inquiry_quote_state). */
enum inquiry_quote_state {
	INQUIRY_QUOTE_NONE,	/* no line has a quoted price */
	INQUIRY_QUOTE_VALID,	/* today is on or before its last day, or it
				 * has none (quoted before validities) */
	INQUIRY_QUOTE_EXPIRED	/* its last day has passed */
};

enum inquiry_author { INQUIRY_BY_CUSTOMER, INQUIRY_BY_STAFF };

/* One answer or reply of an inquiry's conversation. */
struct inquiry_message {
	int64_t			 id;
	enum inquiry_author	 author;
	int64_t			 author_id;	/* 0: not known */
	const char		*author_name;	/* NULL: not known */
	const char		*created;	/* "YYYY-MM-DD HH:MM" */
	const char		*body;
};

/* A SKU of a product asked about, as it is now. */
struct inquiry_sku {
	int64_t			 id;
	const char		*code;
	const char		*spec;
	const char		*unit;
	int64_t			 min_qty;
	int64_t			 stock;
	int64_t			 price_fen;	/* base */
	int64_t			 retail_fen;	/* -1: none */
	struct price_tier	*tiers;
	int			 ntiers;
};

/* One product asked about. */
struct inquiry_line {
	int64_t			 id;
	const char		*name;		/* NULL: product deleted */
	const char		*code;
	const char		*unit;
	const char		*sku_code;	/* NULL: the whole product */
	const char		*spec;		/* the SKU's; "", NULL: none */
	int64_t			 qty;
	int64_t			 quote_fen;	/* -1: not quoted */
	int			 off_shelf;
	struct inquiry_sku	*skus;		/* inquiry_get only */
	int			 nskus;
};

struct inquiry {
	int64_t			 id;
	const char		*created;	/* "YYYY-MM-DD HH:MM" */
	const char		*contact_name;
	const char		*contact_phone;
	const char		*company;
	const char		*message;	/* lists: its first 40 chars */
	enum inquiry_status	 status;
	int64_t			 staff_id;	/* 0: not assigned */
	const char		*staff_name;
	const char		*answer;
	const char		*answered;	/* NULL: not yet */
	int			 from_customer;	/* a customer's user sent it */
	int64_t			 customer_id;	/* inquiry_get: 0, a guest */
	const char		*customer_name;
	const char		*user_name;
	const char		*user_phone;
	struct inquiry_line	*lines;
	int			 nlines;
	/* The quote: quoted lines' qty x unit price, and its last day. */
	int			 nquoted;	/* lines with a quoted price */
	int64_t			 quote_total_fen;
	const char		*quote_until;	/* "YYYY-MM-DD"; NULL: none */
	int64_t			 quote_days;	/* quote_until - today (days) */
	/* The conversation: inquiry_get and inquiry_mine_get only. */
	struct inquiry_message	*messages;	/* oldest first */
	int			 nmessages;
	int			 customer_waiting; /* the last word is theirs */
	int64_t			 accepted_order_id; /* its quote's order; 0 */
	int			 by_staff;	/* a quote staff made for it */
};

/* The days a quote's validity may be set to, and the form's default. */
struct inquiry_quote_window {
	const char		*today;		/* "YYYY-MM-DD", China time */
	const char		*dflt;		/* today + INQUIRY_QUOTE_DAYS */
	const char		*last;		/* + INQUIRY_QUOTE_DAYS_MAX */
};

struct inquiry_query {
	int			 all;		/* every status, or: */
	enum inquiry_status	 status;
	int			 mine;		/* assigned to the actor */
	const char		*q;		/* contact, phone, company */
	int64_t			 page;		/* from 1 */
	int			 per_page;
};

struct inquiry_list {
	struct inquiry		*rows;		/* newest first */
	int			 n;
	int64_t			 total;		/* matching, all pages */
};

/* A staff member an inquiry may be assigned to. */
struct inquiry_assignee {
	int64_t			 id;
	const char		*name;
	const char		*role;
};

/* A quoted unit price for one line; -1: none. */
struct inquiry_quote {
	int64_t			 line_id;
	int64_t			 fen;
};

struct inquiry_new {
	const char		*contact_name;
	const char		*contact_phone;
	const char		*company;
	const char		*message;
	int64_t			 product_id;	/* 0: a message only */
	int64_t			 sku_id;	/* 0: none; else its own */
	int64_t			 qty;
};

const char	*inquiry_status_name(enum inquiry_status);
int		 inquiry_status_parse(const char *, enum inquiry_status *);
int		 inquiry_create(struct dctx *, const struct inquiry_new *,
		     int64_t *, enum inquiry_field *);
int		 inquiry_list(struct dctx *, const struct inquiry_query *,
		     struct inquiry_list *);
int		 inquiry_get(struct dctx *, int64_t, struct inquiry *);
int		 inquiry_lines(struct dctx *, int64_t, struct inquiry_line **,
		     int *);
int		 inquiry_assignees(struct dctx *, struct inquiry_assignee **,
		     int *);
int		 inquiry_assign(struct dctx *, int64_t, int64_t,
		     enum inquiry_field *);
int		 inquiry_answer(struct dctx *, int64_t, const char *,
		     const struct inquiry_quote *, int, const char *,
		     enum inquiry_field *);
int		 inquiry_close(struct dctx *, int64_t);
int		 inquiry_mine(struct dctx *, int64_t, int,
		     struct inquiry_list *);
int		 inquiry_mine_get(struct dctx *, int64_t, struct inquiry *);
enum inquiry_quote_state inquiry_quote_state(const struct inquiry *);
int		 inquiry_quote_window(struct dctx *,
		     struct inquiry_quote_window *);
int		 inquiry_messages(struct dctx *, struct inquiry *);
int		 inquiry_reply(struct dctx *, int64_t, const char *, int64_t *,
		     int *, enum inquiry_field *);

#endif /* DOMAIN_INQUIRY_H */
