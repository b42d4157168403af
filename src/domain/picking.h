/*
 * picking.h -- the picking list (拣货单, domain/picking.c): what is still
 * to ship of one or of many confirmed orders (ordered - shipped), one row
 * per SKU with each order's share, grouped by the product's category and
 * sorted by SKU code, with the barcode and the case size the warehouse
 * picks by. It only reads; docs/orders.md, "Stock and shipments".
 */
#ifndef DOMAIN_PICKING_H
#define DOMAIN_PICKING_H

#include "domain/dctx.h"
#include "domain/order.h"

#define PICKING_ORDERS_MAX	200	/* orders on one batch list */

/* An order on the list, as the sheet heads it. */
struct picking_order {
	int64_t		 id;
	const char	*order_no;
	const char	*customer;
	const char	*receiver;
	const char	*phone;
	const char	*region;
	const char	*address;
	const char	*delivery_date;	/* "YYYY-MM-DD"; NULL: none asked */
	const char	*remark;	/* NULL: none */
	const char	*po_no;		/* NULL: none */
	int		 partial;	/* a parcel has left already */
	int64_t		 units;		/* left to pick */
};

/* One order's share of a row: orders[order], qty units. */
struct picking_part {
	int		 order;
	int64_t		 qty;
};

/*
 * A SKU to pick. Code, name, spec and unit are the order line's (as the
 * delivery note prints them; the first order's when several); barcode,
 * case size and category the SKU's and its product's now.
 */
struct picking_line {
	int64_t		 sku_id;
	const char	*sku_code;
	const char	*barcode;	/* NULL: none */
	const char	*name;
	const char	*spec;		/* NULL: none */
	const char	*unit;
	int64_t		 pack_size;	/* units a case (箱规), >= 1 */
	int64_t		 ordered;
	int64_t		 shipped;
	int64_t		 qty;		/* to pick: ordered - shipped */
	int64_t		 cases;		/* qty as whole cases; 0 when the
					 * case size is 1 */
	int64_t		 loose;		/* and the units beyond them */
	struct picking_part *parts;	/* oldest order first */
	int		 nparts;
	int		 rank;		/* its category's place in the tree */
};

/* The rows of one category: lines[first] to lines[first + n - 1]. */
struct picking_group {
	const char	*category;	/* "饮料 › 矿泉水"; NULL: none */
	int		 first;
	int		 n;
	int64_t		 units;
};

struct picking {
	struct picking_order *orders;	/* by order number */
	int		 norders;
	struct picking_line *lines;	/* by category, then SKU code */
	int		 nlines;
	struct picking_group *groups;	/* the tree's order; none last */
	int		 ngroups;
	int64_t		 units;
	const char	*printed;	/* now, China: "YYYY-MM-DD HH:MM" */
};

int		 picking_state_ok(enum order_state);
void		 picking_init(struct dctx *, struct picking *);
int		 picking_load(struct dctx *, const int64_t *, int,
		     struct picking *);

#endif /* DOMAIN_PICKING_H */
