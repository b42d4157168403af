/*
 * shipment.h -- an order's parcels (domain/shipment.c): a shipment of part
 * or all of what is left of its lines, and what each parcel held, for the
 * delivery note. The ship move (order_state.c) makes them in its
 * transaction; docs/orders.md, "Stock and shipments".
 */
#ifndef DOMAIN_SHIPMENT_H
#define DOMAIN_SHIPMENT_H

#include "domain/dctx.h"

/* A line of a parcel to make: an order line, the units it ships now. */
struct ship_line {
	int64_t		 line_id;
	int64_t		 qty;
};

int		 shipment_make(struct dctx *, int64_t, const char *,
		     const char *, const struct ship_line *, int, int *);

/* What a parcel held: by shipment, then line number. */
struct shipment_item {
	int64_t		 shipment_id;
	int64_t		 line_no;
	const char	*sku_code;
	const char	*name;
	const char	*spec;
	const char	*unit;
	int64_t		 qty;
};
int		 shipment_items(struct dctx *, int64_t,
		     struct shipment_item **, int *);

#endif /* DOMAIN_SHIPMENT_H */
