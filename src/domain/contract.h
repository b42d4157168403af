/*
 * contract.h -- contract prices (domain/contract.c): one customer
 * company's own price for a SKU: the customer pays the lowest of it and
 * the level and tier prices, unless it is binding (docs/pricing.md).
 */
#ifndef DOMAIN_CONTRACT_H
#define DOMAIN_CONTRACT_H

#include "domain/dctx.h"

struct field_errs;

struct contract_price {
	int64_t		 sku_id;
	const char	*code;
	const char	*product;
	const char	*spec;
	int64_t		 base_fen;
	int64_t		 price_fen;
	int		 binding;	/* applies whatever */
};
int		 contract_list(struct dctx *, int64_t, struct contract_price **,
		     int *);
int		 contract_check(struct dctx *, const char *, const int64_t *,
		     struct field_errs *);
int		 contract_set(struct dctx *, int64_t, const char *, int64_t,
		     int, struct field_errs *);
int		 contract_update(struct dctx *, int64_t, int64_t, int64_t,
		     struct field_errs *);
int		 contract_delete(struct dctx *, int64_t, int64_t);

#endif /* DOMAIN_CONTRACT_H */
