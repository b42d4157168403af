/*
 * aging.h -- accounts receivable aging (账龄, domain/aging.c).
 */
#ifndef DOMAIN_AGING_H
#define DOMAIN_AGING_H

#include "base/base.h"

struct dctx;

#define AGING_NBUCKETS	5	/* current, 1-30, 31-60, 61-90, 90+ days */
#define AGING_PER_PAGE	30

struct aging_buckets {
	int64_t		 fen[AGING_NBUCKETS];
	int64_t		 total_fen;
	int64_t		 overdue_fen;	/* past due: buckets 1.. */
	int64_t		 max_days;	/* the oldest open order's, past due */
	int64_t		 orders;	/* open orders */
};
struct aging_row {
	int64_t		 customer_id;
	const char	*customer;
	struct aging_buckets b;
	int64_t		 outstanding_fen;	/* the account, all entries */
	int64_t		 deposit_fen;
};
struct aging_report {
	struct aging_buckets shop;
	int64_t		 companies;	/* that owe anything */
	struct aging_row *rows;		/* most overdue first */
	int		 n;
};

const char	*aging_bucket_label(int);
int		 aging_report(struct dctx *, int64_t, int, int,
		     struct aging_report *);

#endif /* DOMAIN_AGING_H */
