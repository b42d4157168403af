/*
 * payment.h -- money a company pays the shop (domain/payment*.c): an
 * offline transfer the company records with its proof and finance staff
 * confirm or reject; paying an order from the company's deposit; what a
 * confirmed payment paid of which order (docs/money.md).
 */
#ifndef DOMAIN_PAYMENT_H
#define DOMAIN_PAYMENT_H

#include "base/base.h"

struct dctx;
struct field_errs;

#define PAYMENT_DECIDE_ROLES	"owner,admin,finance"
#define PAYMENT_USER_ROLES	"buyer,finance"	/* who at a company pays */
#define PAYMENT_ACCOUNT_MAX	50	/* characters */
#define PAYMENT_REMARK_MAX	100
#define PAYMENT_REASON_MAX	100
#define PAYMENT_ORDERS_MAX	50	/* orders one payment names */
#define PAYMENT_PER_PAGE	20
#define PAYMENT_PROOF_MAX	(64 * 1024 * 1024)	/* bytes, as stored */

enum payment_state { PAY_PENDING, PAY_CONFIRMED, PAY_REJECTED };
enum payment_method { PM_TRANSFER, PM_DEPOSIT, PM_WECHAT, PM_CASH };
enum payment_purpose { PP_ORDERS, PP_DEPOSIT };

/* An order that money can still be paid to. */
struct payable {
	int64_t		 id;
	int64_t		 customer_id;
	const char	*order_no;
	const char	*state;		/* order_state name */
	const char	*placed;	/* "YYYY-MM-DD", China */
	const char	*due_on;	/* "YYYY-MM-DD" */
	int64_t		 total_fen;
	int64_t		 paid_fen;
	int64_t		 ar_fen;
};

/* What a company's user (or staff for the company) records. */
struct payment_in {
	int64_t		 customer_id;	/* staff: the company; users: 0 */
	enum payment_purpose purpose;
	int64_t		 amount_fen;
	const char	*paid_on;	/* "YYYY-MM-DD" */
	const char	*payer_account;
	const char	*remark;
	const void	*proof;		/* image bytes; NULL: none */
	size_t		 proof_len;
	const int64_t	*orders;	/* to pay, in this order; none: oldest
					 * due first */
	int		 norders;
};

struct payment_alloc {
	int64_t		 order_id;
	const char	*order_no;
	int64_t		 amount_fen;
};
struct payment_row {
	int64_t		 id;
	int64_t		 customer_id;
	const char	*customer;	/* company name */
	enum payment_state state;
	enum payment_method method;
	enum payment_purpose purpose;
	int64_t		 amount_fen;
	int64_t		 to_deposit_fen;
	const char	*paid_on;
	const char	*payer_account;
	const char	*remark;
	const char	*reason;
	const char	*by;		/* who recorded it */
	const char	*decided_by;
	const char	*decided_at;
	const char	*created;	/* "YYYY-MM-DD HH:MM", China */
	int		 has_proof;
	struct payment_alloc *allocs;	/* payment_get only */
	int		 nallocs;
	const char	**named;	/* the order numbers the payer chose */
	int		 nnamed;
};
struct payment_filter {
	int		 state;		/* enum payment_state, or -1: any */
	int64_t		 customer_id;	/* 0: any (staff) */
	int		 page;
};
struct payment_page {
	struct payment_row *rows;
	int		 n;
	int64_t		 total;
	int64_t		 pending;	/* of the shop (staff) or company */
};

const char	*payment_state_name(enum payment_state);
const char	*payment_state_label(enum payment_state);
int		 payment_state_parse(const char *);
const char	*payment_method_label(enum payment_method);

/* payment.c */
int	payment_payables(struct dctx *, int64_t, struct payable **, int *);
int	payment_record(struct dctx *, const struct payment_in *,
	    struct field_errs *, int64_t *);
int	payment_pay_deposit(struct dctx *, int64_t, int64_t *);

/* For domain/payment*.c: the company the actor pays for, a payable
 * row of sql columns PAYABLE_COLS. */
int	payment_company(struct dctx *, int64_t, int64_t *);
struct db_res;
void	payable_of(const struct db_res *, int, struct payable *);

/* payment_decide.c */
int	payment_confirm(struct dctx *, int64_t);
int	payment_settle(struct dctx *, int64_t, int64_t *);
int	payment_reject(struct dctx *, int64_t, const char *);

/* payment_read.c */
int	payment_list(struct dctx *, const struct payment_filter *,
	    struct payment_page *);
int	payment_get(struct dctx *, int64_t, struct payment_row *);
int	payment_proof_read(struct dctx *, int64_t, int, struct buf *);

/* ledger_order.c */
int	ledger_allocate(struct dctx *, int64_t, const struct payable *,
	    int64_t);

#endif /* DOMAIN_PAYMENT_H */
