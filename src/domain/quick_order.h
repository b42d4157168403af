/*
 * quick_order.h -- quick order (快速下单): lines of "code quantity" typed,
 * pasted from Excel or read from a file, resolved against the shop's SKUs
 * (code or barcode), priced as the cart prices them (lines_price), shown
 * line by line, and the valid ones added to the cart in one transaction.
 * Every line given comes back with its status: none is dropped.
 */
#ifndef DOMAIN_QUICK_ORDER_H
#define DOMAIN_QUICK_ORDER_H

#include "domain/cart.h"

#define QUICK_LINES_MAX	500		/* lines of one paste or file */
#define QUICK_BYTES_MAX	(64 * 1024)	/* of pasted text */
#define QUICK_CODE_MAX	64		/* sku.code's width */

enum quick_status {
	QUICK_OK,		/* may be added as it stands */
	QUICK_NO_CODE,		/* a quantity, but no code */
	QUICK_BAD_QTY,		/* missing, not a number, or a wrong unit */
	QUICK_UNKNOWN,		/* no SKU of the shop has this code */
	QUICK_AMBIGUOUS,	/* a barcode of several SKUs */
	QUICK_MERGED,		/* the same SKU as an earlier line: summed */
	QUICK_PROBLEM,		/* the SKU's own rules (pl.problem) */
	QUICK_CART_FULL		/* found fine, but the cart has no room */
};

struct quick_line {
	int		 lineno;	/* in the text or file, from 1 */
	const char	*code;		/* as given, trimmed; "" when none */
	const char	*qty_text;	/* as given; "" when none */
	const char	*unit;		/* a unit after the number, or NULL */
	int64_t		 qty;		/* as given, or the sum (first line) */
	int64_t		 sku_id;	/* 0: not found */
	int		 into;		/* QUICK_MERGED: the line summed into */
	const char	*note;		/* e.g. which lines were summed here */
	enum quick_status status;
	const char	*status_code;	/* for programs: "unknown_code" */
	const char	*why;		/* for people; NULL when QUICK_OK */
	int		 added;		/* after quick_add: in the cart */
	int		 known;		/* sku_id given, not looked up */
	int		 has_old;	/* reorder: old_fen is set */
	int64_t		 old_fen;	/* the unit price paid */
	struct priced_line pl;		/* when sku_id != 0 */
};

struct quick_order {
	struct quick_line *v;
	int		 n;
	int		 nok;		/* lines that may be (were) added */
	int		 nbad;		/* lines that may not, merged ones aside */
	int64_t		 subtotal_fen;	/* of the OK lines */
};

int	quick_parse(struct dctx *, const char *, struct quick_order *);
int	quick_line_put(struct dctx *, struct quick_order *, int,
	    const char *, const char *);
int	quick_read_file(struct dctx *, const char *, size_t,
	    struct quick_order *);
int	quick_preview(struct dctx *, int, struct quick_order *);
int	quick_preview_for(struct dctx *, int64_t, int, struct quick_order *);
int	quick_add(struct dctx *, int, struct quick_order *);
int	quick_reorder(struct dctx *, int64_t, int, struct quick_order *,
	    const char **);

#endif /* DOMAIN_QUICK_ORDER_H */
