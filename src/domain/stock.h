/*
 * stock.h -- sku.stock, what may still be sold, changed only through
 * movements (domain/stock.c): every change is a stock_movement row with a
 * reason and who made it. Each function runs in the caller's transaction
 * (they lock the SKU rows they change); an order locks its SKUs in
 * ascending id order, and so must anything that locks more than one.
 */
#ifndef DOMAIN_STOCK_H
#define DOMAIN_STOCK_H

#include "domain/dctx.h"

#define STOCK_MAX	1000000000	/* units of one SKU */

enum stock_reason { STOCK_RESERVE, STOCK_RELEASE, STOCK_SHIP, STOCK_ADJUST,
	STOCK_IMPORT, STOCK_RETURN };	/* return: goods sent back (售后) */
const char	*stock_reason_name(enum stock_reason);

/* An order's lines: take, give back, or ship what it reserved. */
int		 stock_take(struct dctx *, int64_t, int64_t);
int		 stock_take_lines(struct dctx *, const char *, int, int *);
int		 stock_give_back(struct dctx *, int64_t, int64_t);
int		 stock_order_moves(struct dctx *, int64_t, enum stock_reason);
int		 stock_shipment_moves(struct dctx *, int64_t);
int		 stock_order_adjust(struct dctx *, int64_t, int64_t, int64_t,
		     const char *);

/* The back office and the import (STOCK_ADJUST, STOCK_IMPORT). */
int		 stock_adjust(struct dctx *, int64_t, int64_t, enum stock_reason,
		     const char *, int64_t *);
int		 stock_set(struct dctx *, int64_t, int64_t, enum stock_reason,
		     const char *, int64_t *);
int		 stock_change(struct dctx *, int64_t, int64_t, int64_t,
		     const char *, int *);

/* 库存流水: a product's movements, newest first, a page of them. */
struct stock_move_row {
	int64_t		 id;
	const char	*sku_code;
	const char	*reason;	/* stock_reason_name()'s */
	const char	*reason_label;	/* "下单占用" */
	int64_t		 delta;
	int64_t		 qty;
	int64_t		 order_id;	/* 0: none */
	const char	*order_no;
	const char	*who;		/* NULL: not known (an import job) */
	int		 by_staff;
	const char	*note;
	const char	*time;		/* "YYYY-MM-DD HH:MM", China */
};
int		 stock_moves(struct dctx *, int64_t, int64_t, int64_t,
		     struct stock_move_row **, int *, int64_t *);

#endif /* DOMAIN_STOCK_H */
