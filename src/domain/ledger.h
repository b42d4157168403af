/*
 * ledger.h -- a customer company's ledger (domain/ledger*.c): two
 * accounts, what it owes (LEDGER_AR, 应收) and its prepaid deposit
 * (LEDGER_DEPOSIT, 预存款), each a sum kept on the company's
 * customer_balance row and explained by append-only entries
 * (docs/money.md). Posting is only ever done inside a transaction that
 * holds the order or payment it is about.
 */
#ifndef DOMAIN_LEDGER_H
#define DOMAIN_LEDGER_H

#include "base/base.h"

struct dctx;

enum ledger_account { LEDGER_AR, LEDGER_DEPOSIT };
enum ledger_kind {
	LK_OPENING, LK_ORDER, LK_ORDER_CHANGE, LK_ORDER_CANCEL, LK_PAYMENT,
	LK_DEPOSIT_IN, LK_DEPOSIT_USE, LK_DEPOSIT_BACK, LK_REFUND,
	LK_CREDIT_NOTE, LK_ADJUSTMENT, LK_NKINDS
};

#define LEDGER_NOTE_MAX		100	/* characters */
#define LEDGER_AMOUNT_MAX	100000000000LL	/* fen: ¥1,000,000,000 */

/* One posting: amount signed, + the company owes more (AR) or holds
 * more (deposit); order_id, payment_id 0 when none. */
struct ledger_post {
	int64_t		 customer_id;
	enum ledger_account account;
	enum ledger_kind kind;
	int64_t		 amount_fen;
	int64_t		 order_id;
	int64_t		 payment_id;
	const char	*note;
};

/* ledger.c */
const char	*ledger_kind_name(enum ledger_kind);
const char	*ledger_kind_label(enum ledger_kind);
int		 ledger_kind_parse(const char *);
int		 ledger_post(struct dctx *, const struct ledger_post *);
int		 ledger_record(struct dctx *, const struct ledger_post *);
int		 ledger_lock(struct dctx *, int64_t, int64_t *, int64_t *);

/* ledger_order.c: order id of company, what it put on the account and
 * what was paid for it, cancelled. */
int		 ledger_order_cancel(struct dctx *, int64_t, int64_t, int64_t,
		     int64_t);

/* What a company has with the shop now. */
struct ledger_summary {
	int64_t		 outstanding_fen;	/* AR; < 0: it paid ahead */
	int64_t		 deposit_fen;
	int64_t		 credit_limit_fen;	/* monthly terms, else 0 */
	int64_t		 credit_available_fen;
	int64_t		 overdue_fen;		/* past due_on */
	int		 monthly;
	int64_t		 credit_days;
};
struct ledger_row {
	int64_t		 id;
	enum ledger_account account;
	enum ledger_kind kind;
	int64_t		 amount_fen;
	int64_t		 balance_fen;
	int64_t		 order_id;
	const char	*order_no;	/* NULL: none */
	int64_t		 payment_id;
	const char	*note;
	const char	*by;		/* who, a name; NULL: the system */
	const char	*at;		/* "YYYY-MM-DD HH:MM", China */
};
struct ledger_page {
	struct ledger_row *rows;	/* newest first */
	int		 n;
	int64_t		 total;
};

/* ledger_read.c */
int	ledger_summary(struct dctx *, int64_t, struct ledger_summary *);
int	ledger_entries(struct dctx *, int64_t, int, int, int,
	    struct ledger_page *);
int	ledger_adjust(struct dctx *, int64_t, enum ledger_account, int64_t,
	    enum ledger_kind, const char *);

#endif /* DOMAIN_LEDGER_H */
