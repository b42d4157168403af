/*
 * order_edit.h -- staff adjust the lines of an order before they confirm
 * it (domain/order_edit.c, docs/orders.md "Adjusting a submitted order"):
 * quantities, a line removed, a line added by SKU code at the company's
 * price, a unit price set by hand with a reason; stock, credit, totals,
 * the timeline and the customer's notice in one transaction. After
 * "domain/order.h".
 */
#ifndef DOMAIN_ORDER_EDIT_H
#define DOMAIN_ORDER_EDIT_H

#include "domain/dctx.h"
#include "domain/order.h"
#include "domain/field_errors.h"

#define ORDER_EDIT_ROLES	"owner,admin,sales"	/* a salesperson: own */
#define ORDER_EDIT_REASON_MAX	200	/* characters */
#define ORDER_EDIT_ADD_MAX	10	/* lines added in one adjustment */
#define ORDER_EDIT_PRICE_MAX	(10000000LL * 100)	/* fen: 10M yuan */

/* One line of the order as the adjustment wants it. */
struct order_edit_line {
	int64_t		 line_id;
	int64_t		 qty;		/* 0: as it is */
	int64_t		 unit_fen;	/* -1: as it is; else set by hand */
	int		 remove;
};
/* A line to add: a SKU code of the shop and its units. */
struct order_edit_add {
	const char	*code;
	int64_t		 qty;
};
struct order_edit {
	int64_t				 version;	/* the one the form showed */
	const char			*reason;	/* NULL: none */
	const struct order_edit_line	*lines;
	int				 nlines;
	const struct order_edit_add	*adds;
	int				 nadds;
	int				 preview;	/* check and sum, write
							 * nothing */
};
/* Which input a refusal names: row is the index in lines or adds. */
enum order_edit_field { EDIT_LINE, EDIT_QTY, EDIT_PRICE, EDIT_ADD_CODE,
	EDIT_ADD_QTY, EDIT_REASON, EDIT_VERSION };

/* What the adjustment made (or, previewed, would make). */
struct order_edited {
	int64_t		 version;	/* the order's after */
	const char	*summary;	/* "商家调整：…", the event's note */
	int64_t		 old_total_fen;
	int64_t		 subtotal_fen;
	int64_t		 tax_fen;
	int64_t		 total_fen;
	int64_t		 line_count;
	const char	**warnings;	/* minimum order, whole cases */
	int		 nwarnings;
};

/* The edit form's facts of a line's SKU beside order_get()'s line. */
struct order_edit_sku {
	int64_t		 line_id;
	int64_t		 stock;		/* may still be sold, as read */
	int64_t		 min_qty;
	int64_t		 pack_size;
	int		 pack_only;
};

/* A line staff removed, for both sides' pages (order_get()). */
struct order_removed_row {
	const char	*sku_code;
	const char	*name;
	const char	*spec;
	const char	*unit;
	int64_t		 qty;		/* what it held when removed */
	int64_t		 unit_fen;
	const char	*time;		/* "YYYY-MM-DD HH:MM", China */
};

int		 order_edit_may(const struct session *, enum order_state);
int		 order_edit_form(struct dctx *, int64_t, struct order *,
		     struct order_edit_sku **);
int		 order_edit(struct dctx *, int64_t, const struct order_edit *,
		     struct order_edited *, struct field_errors *);
int		 order_removed_read(struct dctx *, struct order *);

#endif /* DOMAIN_ORDER_EDIT_H */
