/*
 * wxpay_order.h -- WeChat Pay for orders (domain/wxpay_*.c): the
 * merchant settings, paying an order, notifications, refunds
 * (docs/wechat-pay.md).
 */
#ifndef DOMAIN_WXPAY_ORDER_H
#define DOMAIN_WXPAY_ORDER_H

#include "base/base.h"

struct dctx;
struct field_errs;

/* Who may see and change the merchant account, and refund. */
#define WXPAY_ADMIN_ROLES	"owner,finance"
#define WXPAY_TTL		(30 * 60)	/* seconds an attempt is open */

/* What staff type on the merchant page; NULL/"" secrets: keep. */
struct wxpay_settings_in {
	const char	*mp_appid, *miniapp_appid;
	const char	*mp_secret, *miniapp_secret;
	const char	*mchid, *serial, *pubkey_id;
	const char	*key_pem, *apiv3_key, *pubkey_pem;
	int		 enabled;
};
int	wxpay_settings_save(struct dctx *, const struct wxpay_settings_in *,
	    struct field_errs *);

/* wxpay_pay.c: a customer user pays an order. */
struct wxpay_start {
	char		*params_json;	/* for WeixinJSBridge / requestPayment */
	int64_t		 amount_fen;
	const char	*out_trade_no;
};
int	wxpay_pay_start(struct dctx *, int64_t, const char *,
	    struct wxpay_start *);
int	wxpay_pay_check(struct dctx *, int64_t, int *);
int	wxpay_usable(struct dctx *);
int	wxpay_notify(struct dctx *, const char *const [4], const char *,
	    size_t, const char **);
int	wxpay_sync(struct arena *, int *, int *);

/* wxpay_refund.c: finance refunds a paid attempt. */
int	wxpay_refund(struct dctx *, int64_t, int64_t, const char *,
	    const char *, int64_t *);
int	wxpay_refund_sync(struct arena *, int *);

/* A payment made with WeChat Pay, and what was refunded of it. */
struct wxpay_refund_row {
	int64_t		 id;
	int64_t		 amount_fen;
	const char	*reason;
	const char	*state;		/* asked, processing, success, ... */
	const char	*error;
	const char	*at;		/* "YYYY-MM-DD HH:MM", China */
};
struct wxpay_paid {
	int64_t		 txn_id;
	const char	*out_trade_no;
	const char	*transaction_id;
	int64_t		 amount_fen;
	int64_t		 refunded_fen;
	struct wxpay_refund_row *refunds;
	int		 n;
};
int	wxpay_of_payment(struct dctx *, int64_t, struct wxpay_paid *);

#endif /* DOMAIN_WXPAY_ORDER_H */
