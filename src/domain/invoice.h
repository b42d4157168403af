/*
 * invoice.h -- a customer company's invoice profiles (domain/invoice.c):
 * 普票 need a title and a tax id, 专票 the bank and registration too.
 */
#ifndef DOMAIN_INVOICE_H
#define DOMAIN_INVOICE_H

#include "domain/dctx.h"

struct field_errs;

struct invoice_profile {
	int64_t		 id;		/* 0: a new one */
	const char	*kind;		/* "normal" 普票, "special" 专票 */
	const char	*title;
	const char	*tax_id;
	const char	*bank_name;	/* NULL or "": none */
	const char	*bank_account;
	const char	*address;
	const char	*phone;
};
int		 invoice_list(struct dctx *, int64_t, struct invoice_profile **,
		     int *);
int		 invoice_check(struct dctx *, struct invoice_profile *,
		     struct field_errs *);
int		 invoice_save(struct dctx *, int64_t, struct invoice_profile *,
		     struct field_errs *);
int		 invoice_delete(struct dctx *, int64_t, int64_t);

#endif /* DOMAIN_INVOICE_H */
