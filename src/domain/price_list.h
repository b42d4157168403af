/*
 * price_list.h -- member levels, their price lists (a percentage of the
 * base price and fixed prices per SKU) and the price check, in the
 * database (domain/price_list.c, domain/price_check.c).
 */
#ifndef DOMAIN_PRICE_LIST_H
#define DOMAIN_PRICE_LIST_H

#include "domain/dctx.h"
#include "domain/pricing.h"

#include "domain/product.h"

#define PRICE_CHECK_CUSTOMERS	500	/* customers the check offers */

/*
 * The input a function refused after asking the database, for the
 * handler to name with form_error(); c->error says why.
 */
enum price_field { PRICE_FIELD_NONE, PRICE_FIELD_NAME, PRICE_FIELD_SKU,
	PRICE_FIELD_CUSTOMER };

/* A fixed price on a level's list. */
struct price_item {
	int64_t		 sku_id;
	const char	*code;
	const char	*product;
	const char	*spec;
	int64_t		 base_fen;
	int64_t		 price_fen;
};

struct member_level {
	int64_t		 id;
	const char	*name;
	int64_t		 rank_no;
	int64_t		 customers;	/* companies at this level */
	int64_t		 percent_bp;	/* 0: no percentage */
	int64_t		 min_order_fen;	/* 起订金额, goods before tax; 0 */
	struct price_item *items;	/* by SKU code */
	int		 nitems;
};

/* A company as the price check's choice lists it. */
struct price_customer {
	int64_t		 id;
	const char	*name;
};

int		 price_levels(struct dctx *, struct member_level **, int *);
int		 price_customers(struct dctx *, struct price_customer **,
		     int *);
int		 price_level_save(struct dctx *, int64_t, const char *,
		     int64_t, int64_t *, enum price_field *);
int		 price_level_delete(struct dctx *, int64_t);
int		 price_level_min_order(struct dctx *, int64_t, int64_t);
int		 price_list_percent(struct dctx *, int64_t, int64_t);
int		 price_item_add(struct dctx *, int64_t, int64_t, int64_t,
		     enum price_field *);
int		 price_item_update(struct dctx *, int64_t, int64_t, int64_t);
int		 price_item_delete(struct dctx *, int64_t, int64_t);
int		 price_percent_parse(const char *, int64_t *);

/* What one customer (or a guest) pays for a quantity of one SKU, with
 * every input price_resolve() weighed. */
struct price_check {
	struct sku_brief	 sku;
	int64_t			 qty;
	struct price_input	 in;		/* tiers, list, contract */
	struct price_result	 out;
	const char		*customer;	/* NULL: none asked for */
	int			 customer_disabled;
	const char		*level;		/* NULL: no member level */
};
int		 price_check(struct dctx *, const char *, int64_t, int64_t,
		     struct price_check *, enum price_field *);

#endif /* DOMAIN_PRICE_LIST_H */
