/*
 * quote.h -- quotes as versions and as a source of order lines
 * (domain/quote.c): every staff answer with prices is a new version of
 * the inquiry's quote, each kept with its lines; the latest, while it
 * holds, can be accepted as an order at its prices (order_submit with
 * checkout.quote_id); staff may make a quote for a company directly.
 * docs/orders.md, "Quotes".
 */
#ifndef DOMAIN_QUOTE_H
#define DOMAIN_QUOTE_H

#include "domain/dctx.h"
#include "domain/cart.h"

#define QUOTE_LINES_MAX		50	/* lines of a quote staff make */

/* One quoted line of a version. */
struct quote_line {
	int64_t		 sku_id;	/* 0: a product with several SKUs */
	const char	*name;		/* NULL: product gone */
	const char	*spec;
	const char	*unit;
	int64_t		 qty;
	int64_t		 unit_fen;
	int64_t		 line_fen;
};

struct quote_version {
	int64_t			 id;
	int64_t			 version;	/* 1, 2, ... */
	const char		*valid_until;	/* "YYYY-MM-DD"; NULL: none */
	const char		*staff;		/* who; NULL: not known */
	const char		*created;	/* "YYYY-MM-DD HH:MM", China */
	const char		*note;
	struct quote_line	*lines;
	int			 nlines;
	int64_t			 total_fen;
};

/* What the actor's company's quote is as an order source now. */
struct quote_source {
	int64_t		 inquiry_id;
	int64_t		 version;
	int64_t		 accepted_order_id;	/* 0: not accepted */
	const char	*valid_until;
};

/* A line of a quote staff make: a SKU code of the shop, qty, price. */
struct quote_new_line {
	const char	*sku_code;
	int64_t		 qty;
	int64_t		 unit_fen;
};
struct quote_new {
	int64_t				 customer_id;
	const struct quote_new_line	*lines;
	int				 n;
	const char			*valid_until;	/* NULL, "": default */
	const char			*note;		/* NULL: none */
};
/* The input quote_create refused: the line (from 0), or -1. */
enum quote_field { QUOTE_FIELD_NONE, QUOTE_FIELD_CUSTOMER,
	QUOTE_FIELD_LINE, QUOTE_FIELD_VALID_UNTIL };

int	 quote_version_add(struct dctx *, int64_t, const char *,
	     const char *);
int	 quote_versions(struct dctx *, int64_t, struct quote_version **,
	     int *);
int	 quote_lines_load(struct dctx *, int64_t, int, struct quote_source *,
	     struct cart *);
int	 quote_accepted(struct dctx *, const struct quote_source *, int64_t,
	     const char *);
int	 quote_create(struct dctx *, const struct quote_new *, int64_t *,
	     enum quote_field *, int *);

#endif /* DOMAIN_QUOTE_H */
