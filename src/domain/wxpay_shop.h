/*
 * wxpay_shop.h -- inside the domain's WeChat Pay files only: a shop's
 * merchant account opened, and what WeChat Pay says applied
 * (domain/wxpay_*.c). Handlers include domain/wxpay_order.h.
 */
#ifndef DOMAIN_WXPAY_SHOP_H
#define DOMAIN_WXPAY_SHOP_H

#include "base/base.h"
#include "services/wxpay.h"
#include "domain/wxpay_order.h"

struct dctx;

/* A shop's merchant account, keys parsed (wxpay_shop.c). */
struct wxpay_shop {
	struct wxpay_conf	 cf;
	struct wxpay		 w;
	int			 open;
};
#define WXPAY_NEW	1	/* a new payment: WeChat Pay must be on */
#define WXPAY_SETTLE	0	/* what was paid: notices, queries, refunds */
int	wxpay_shop_open(struct dctx *, int64_t, const char *, int,
	    struct wxpay_shop *);
void	wxpay_shop_close(struct wxpay_shop *);
struct db_res;
struct shop;
int	wxpay_job_shop(struct arena *, const struct db_res *, int, int,
	    struct dctx *, struct shop *, struct wxpay_shop *);

int	wxpay_txn_apply(struct dctx *, const struct wxpay_txn *,
	    const char **);
int	wxpay_refund_apply(struct dctx *, const struct wxpay_refund *,
	    const char **);

#endif /* DOMAIN_WXPAY_SHOP_H */
