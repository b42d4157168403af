/*
 * invoice_request.h -- invoice requests (开票申请, domain/invoice_req*.c):
 * a company asks for a 普票 or 专票 for orders it placed with that kind
 * of invoice; staff mark it issued with number, date and file, or
 * reject it with a reason.
 */
#ifndef DOMAIN_INVOICE_REQUEST_H
#define DOMAIN_INVOICE_REQUEST_H

#include "base/base.h"

struct dctx;

#define INVREQ_USER_ROLES	"buyer,finance"
#define INVREQ_STAFF_ROLES	"owner,admin,finance"
#define INVREQ_ORDERS_MAX	50
#define INVREQ_PER_PAGE		20
#define INVREQ_FILE_MAX		(10 * 1024 * 1024)	/* bytes, a PDF */
#define INVREQ_NO_MAX		40	/* characters */
#define INVREQ_TEXT_MAX		100

enum invreq_state { IR_REQUESTED, IR_ISSUED, IR_REJECTED };

/* An order a company can ask an invoice for. */
struct invreq_order {
	int64_t		 id;
	const char	*order_no;
	const char	*kind;		/* "normal", "special" */
	const char	*placed;	/* "YYYY-MM-DD" */
	int64_t		 subtotal_fen;
	int64_t		 tax_fen;
	int64_t		 total_fen;
	const char	*invoice_state;	/* "none", "requested", "issued" */
};
struct invreq {
	int64_t		 id;
	int64_t		 customer_id;
	const char	*customer;
	const char	*kind;
	const char	*title;
	const char	*tax_id;
	const char	*bank_name;
	const char	*bank_account;
	const char	*address;
	const char	*phone;
	int64_t		 norders;
	int64_t		 subtotal_fen;
	int64_t		 tax_fen;
	int64_t		 total_fen;
	const char	*remark;
	enum invreq_state state;
	const char	*invoice_no;
	const char	*issued_on;
	const char	*file_type;	/* NULL: no file */
	const char	*reason;
	const char	*by;
	const char	*decided_by;
	const char	*created;
	struct invreq_order *orders;	/* invreq_get only */
	int		 n;
};
struct invreq_page {
	struct invreq	*rows;
	int		 n;
	int64_t		 total;
	int64_t		 requested;
};
struct invreq_issue {
	const char	*invoice_no;
	const char	*issued_on;	/* "YYYY-MM-DD" */
	const void	*file;		/* PDF or image bytes */
	size_t		 file_len;
};

const char	*invreq_state_name(enum invreq_state);
const char	*invreq_state_label(enum invreq_state);
int		 invreq_state_parse(const char *);

/* invoice_req.c */
int	invreq_orders(struct dctx *, struct invreq_order **, int *);
int	invreq_create(struct dctx *, const char *, const int64_t *, int,
	    const char *, int64_t, int64_t *);
int	invreq_statement_orders(struct dctx *, int64_t, int64_t **, int *,
	    const char **, const char **);
int	invreq_list(struct dctx *, int, int, struct invreq_page *);
int	invreq_get(struct dctx *, int64_t, struct invreq *);

/* invoice_req_decide.c */
int	invreq_issue(struct dctx *, int64_t, const struct invreq_issue *);
int	invreq_reject(struct dctx *, int64_t, const char *);
int	invreq_file(struct dctx *, int64_t, struct buf *, const char **);

#endif /* DOMAIN_INVOICE_REQUEST_H */
