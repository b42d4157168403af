/*
 * cart.h -- what a customer may order and at what price, from the
 * database (domain/cart_price.c), and each customer user's cart, 进货单
 * (domain/cart.c). Priced lines are the building block of every way to
 * order: the cart page, checkout and submit (domain/order_submit.c), and
 * whatever puts lines in the cart (quick order, reorder, saved lists).
 * Prices come from price_resolve() over rows read in the caller's
 * transaction, never from the worker's catalog cache.
 */
#ifndef DOMAIN_CART_H
#define DOMAIN_CART_H

#include "domain/dctx.h"
#include "domain/pricing.h"

#define CART_LINES_MAX	100		/* lines in one cart, one order */
#define CART_QTY_MAX	1000000		/* units of one line */
/* cart_item.mode (ENUM ordering, wholesale, retail) as SHOP_MODE_* bits. */
#define CART_MODE_BITS(col)	"ELT(" col " + 0, 1, 2, 4)"

/*
 * Why a line cannot be ordered as it stands. line_problem_code() names
 * each for programs ("qty_below_min"), line_problem_text() for people.
 */
enum line_problem {
	LINE_OK,
	LINE_QTY_INVALID,	/* not a whole number 1..CART_QTY_MAX */
	LINE_QTY_BELOW_MIN,	/* under the SKU's min_qty */
	LINE_QTY_NOT_MULTIPLE,	/* pack_only, and not whole cases */
	LINE_UNAVAILABLE,	/* off shelf, hidden from its storefront, of
				 * another shop, or gone */
	LINE_OUT_OF_STOCK,	/* more than sku.stock */
	LINE_WRONG_MALL		/* a consumer outside the retail mall, or a
				 * dealer in it */
};

/* A line asked for: a SKU, a quantity, the storefront it is ordered in
 * (SHOP_MODE_ORDERING, SHOP_MODE_WHOLESALE or SHOP_MODE_RETAIL). */
struct line_req {
	int64_t		 sku_id;
	int64_t		 qty;
	int		 mode;
};

/* A line as the customer would order it now. */
struct priced_line {
	int64_t		 sku_id;
	int64_t		 product_id;	/* 0: the SKU is not the shop's */
	int		 mode;
	const char	*sku_code;
	const char	*product_code;
	const char	*name;
	const char	*spec;		/* "" when none */
	const char	*unit;
	const char	*thumb;		/* NULL: none, or not asked for */
	int64_t		 qty;
	int64_t		 min_qty;
	int64_t		 pack_size;
	int		 pack_only;
	int64_t		 stock;		/* as read, not locked */
	struct price_result price;	/* unit_fen and source */
	int64_t		 line_fen;	/* unit_fen * qty */
	enum line_problem problem;
	const char	*why;		/* user-fit; NULL when LINE_OK */
};

const char	*line_problem_code(enum line_problem);
const char	*cart_mode_name(int);
enum line_problem line_qty_parse(const char *, int64_t *);
enum line_problem line_qty_check(int64_t, int64_t, int64_t, int);
const char	*line_problem_text(struct arena *, const struct priced_line *);
int		 lines_price(struct dctx *, int64_t, const struct line_req *,
		     int, struct priced_line **);

/* The actor's (a customer user's) cart, priced; by SKU id. */
struct cart {
	struct priced_line *lines;
	int		 n;
	int		 nproblems;	/* lines that cannot be ordered */
	int64_t		 units;		/* sum of qty */
	int64_t		 subtotal_fen;	/* of the lines without problems */
};
int		 cart_load(struct dctx *, int, struct cart *);
int		 cart_count(struct dctx *, int64_t *);
/* What an add did: the line as priced now, the cart after. */
struct cart_added {
	struct priced_line line;	/* qty: the line's after the add */
	int64_t		 lines;
	int64_t		 units;
};
int		 cart_add(struct dctx *, int, int64_t, int64_t,
		     struct cart_added *);
int		 cart_set(struct dctx *, int64_t, int64_t);
int		 cart_remove(struct dctx *, int64_t);

#endif /* DOMAIN_CART_H */
