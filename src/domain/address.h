/*
 * address.h -- a customer company's delivery addresses
 * (domain/address.c): one of them is the default whenever there are any.
 */
#ifndef DOMAIN_ADDRESS_H
#define DOMAIN_ADDRESS_H

#include "domain/dctx.h"

struct field_errs;

struct address {
	int64_t		 id;		/* 0: a new one */
	const char	*receiver;
	const char	*phone;
	const char	*region;	/* NULL or "": none */
	const char	*address;
	int		 is_default;	/* saving: make it the default */
};
int		 address_list(struct dctx *, int64_t, struct address **, int *);
int		 address_check(struct dctx *, const struct address *,
		     struct field_errs *);
int		 address_save(struct dctx *, int64_t, struct address *,
		     struct field_errs *);
int		 address_delete(struct dctx *, int64_t, int64_t);

#endif /* DOMAIN_ADDRESS_H */
