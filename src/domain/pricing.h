/*
 * pricing.h -- price resolution and money in text (domain/pricing.c).
 */
#ifndef DOMAIN_PRICING_H
#define DOMAIN_PRICING_H

#include "base/base.h"

/* pricing.c: price resolution, no SQL. */
struct price_tier {
	int64_t		 min_qty;
	int64_t		 price_fen;
};
enum price_source { PRICE_BASE, PRICE_TIER, PRICE_LEVEL, PRICE_CONTRACT };
struct price_input {
	int64_t			 base_fen;
	const struct price_tier	*tiers;
	int			 ntiers;
	int			 has_list_price;	/* level list names it */
	int64_t			 list_price_fen;
	int64_t			 list_percent_bp;	/* 0: no percentage */
	int			 has_contract;
	int64_t			 contract_fen;
	int			 contract_binding;	/* applies whatever */
	int64_t			 qty;
};
struct price_result {
	int64_t			 unit_fen;
	enum price_source	 source;	/* the candidate that won */
	int64_t			 tier_fen;	/* a guest's: tier or base */
	enum price_source	 tier_source;	/* PRICE_TIER or PRICE_BASE */
	int64_t			 level_fen;	/* -1: no level price */
};
int		 price_resolve(const struct price_input *,
		     struct price_result *);
int64_t		 price_percent(int64_t, int64_t);
int64_t		 price_with_tax(int64_t, int64_t);
int64_t		 price_line_total(int64_t, int64_t);
const char	*price_source_name(enum price_source);
const char	*price_source_label(enum price_source);
int		 parse_yuan(const char *, int64_t *, const char **);
int		 parse_percent_bp(const char *, int64_t *, const char **);
char		*fmt_percent(struct arena *, int64_t);
char		*fmt_yuan(struct arena *, int64_t);
char		*fmt_yuan_grouped(struct arena *, int64_t);

#endif /* DOMAIN_PRICING_H */
