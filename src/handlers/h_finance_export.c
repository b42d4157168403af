/*
 * h_finance_export.c -- the back office's finance lists as XLSX, the
 * same rows the pages show with the same filters and scope, all pages at
 * once (up to EXPORT_MAX rows): AR aging (/admin/finance/aging.xlsx),
 * payments, statements and invoice requests (…/payments.xlsx?state=,
 * …/statements.xlsx?state=, …/invoices.xlsx?state=).
 */
#include "base/base.h"
#include "base/doc.h"
#include "domain/aging.h"
#include "domain/invoice_request.h"
#include "domain/payment.h"
#include "domain/statement.h"
#include "domain/shop.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "handlers/h_money.h"

#define EXPORT_MAX	20000	/* rows */

static int
send_xlsx(struct ctx *c, const struct doc *d, const char *name)
{
	const char	*why = NULL;

	c->body.len = 0;
	if (doc_xlsx(d, NULL, &c->body, &why) != 0) {
		c->body.len = 0;
		clog_warnx(&c->d, "finance export %s: %s", name, why ? why :
		    "failed");
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->status = 200;
	c->ctype = "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet";
	http_header(c, "Cache-Control", "private, no-store");
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "attachment; filename=\"%s.xlsx\"", name));
	clog_info(&c->d, "finance export %s bytes=%zu", name, c->body.len);
	return c->status;
}

static struct doc_cell *grow(struct ctx *, struct doc_cell *, size_t,
		    size_t *, size_t, int);
static int	 one_table(struct ctx *, const char *, const struct doc_col *,
		    int, const struct doc_cell *, size_t, const char *);

static const struct doc_col aging_cols[] = {
	{ "客户", 24, DOC_LEFT, DOC_TEXT },
	{ "未到期", 12, DOC_RIGHT, DOC_MONEY },
	{ "逾期 1–30 天", 12, DOC_RIGHT, DOC_MONEY },
	{ "逾期 31–60 天", 12, DOC_RIGHT, DOC_MONEY },
	{ "逾期 61–90 天", 12, DOC_RIGHT, DOC_MONEY },
	{ "逾期 90 天以上", 12, DOC_RIGHT, DOC_MONEY },
	{ "合计", 14, DOC_RIGHT, DOC_MONEY },
	{ "最长逾期（天）", 10, DOC_RIGHT, DOC_INT },
	{ "未付清订单", 10, DOC_RIGHT, DOC_INT },
	{ "预存款", 12, DOC_RIGHT, DOC_MONEY },
};
#define AGING_NCOL	((int)(sizeof(aging_cols) / sizeof(aging_cols[0])))

static void
bucket_cells(struct doc_cell *r, const struct aging_buckets *b)
{
	int	k;

	for (k = 0; k < AGING_NBUCKETS; k++)
		r[1 + k].n = b->fen[k];
	r[6].n = b->total_fen;
	r[7].n = b->max_days > 0 ? b->max_days : 0;
	r[8].n = b->orders;
}

static int
h_aging_xlsx(struct ctx *c)
{
	struct aging_report	 r;
	struct doc		 d;
	struct doc_table	 t;
	struct doc_cell		*cell, *tot;
	int			 i, rc;

	if ((rc = aging_report(&c->d, 0, 1, EXPORT_MAX, &r)) != 0)
		return http_fail(c, rc, c->d.error);
	cell = arena_calloc(c->d.arena, (size_t)r.n * AGING_NCOL + 1,
	    sizeof(*cell));
	tot = arena_calloc(c->d.arena, AGING_NCOL, sizeof(*tot));
	for (i = 0; i < r.n; i++) {
		struct doc_cell *row = cell + (size_t)i * AGING_NCOL;

		row[0].text = r.rows[i].customer;
		bucket_cells(row, &r.rows[i].b);
		row[9].n = r.rows[i].deposit_fen;
	}
	tot[0].text = "合计";
	bucket_cells(tot, &r.shop);
	tot[9].text = "";
	memset(&d, 0, sizeof(d));
	memset(&t, 0, sizeof(t));
	d.title = "应收账龄";
	d.subtitle = c->d.shop->name;
	t.col = aging_cols;
	t.ncol = AGING_NCOL;
	t.cell = cell;
	t.nrow = (size_t)r.n;
	t.total = tot;
	d.table = &t;
	d.ntable = 1;
	return send_xlsx(c, &d, "aging");
}

static const struct doc_col pay_cols[] = {
	{ "编号", 8, DOC_RIGHT, DOC_INT },
	{ "客户", 24, DOC_LEFT, DOC_TEXT },
	{ "金额", 12, DOC_RIGHT, DOC_MONEY },
	{ "用途", 10, DOC_LEFT, DOC_TEXT },
	{ "方式", 10, DOC_LEFT, DOC_TEXT },
	{ "付款日期", 12, DOC_LEFT, DOC_DATE },
	{ "付款账户", 18, DOC_LEFT, DOC_TEXT },
	{ "状态", 8, DOC_LEFT, DOC_TEXT },
	{ "驳回原因", 20, DOC_LEFT, DOC_TEXT },
	{ "登记", 18, DOC_LEFT, DOC_TEXT },
};
#define PAY_NCOL	((int)(sizeof(pay_cols) / sizeof(pay_cols[0])))

static int
h_payments_xlsx(struct ctx *c)
{
	const char		*st = kv_get(&c->query, "state");
	struct payment_filter	 f = { -1, 0, 1 };
	struct payment_page	 p;
	struct doc_cell		*cell;
	size_t			 n = 0, cap = 0;
	int			 i, rc;

	if (st != NULL && payment_state_parse(st) >= 0)
		f.state = payment_state_parse(st);
	cell = NULL;
	do {	/* every page the list has, as the page reads them */
		if ((rc = payment_list(&c->d, &f, &p)) != 0)
			return http_fail(c, rc, c->d.error);
		cell = grow(c, cell, n, &cap, (size_t)p.n, PAY_NCOL);
		for (i = 0; i < p.n; i++, n++) {
			const struct payment_row *x = &p.rows[i];
			struct doc_cell *row = cell + n * PAY_NCOL;

			row[0].n = x->id;
			row[1].text = x->customer;
			row[2].n = x->amount_fen;
			row[3].text = x->purpose == PP_DEPOSIT ? "充值预存款" :
			    "支付订单";
			row[4].text = payment_method_label(x->method);
			row[5].text = x->paid_on;
			row[6].text = x->payer_account;
			row[7].text = payment_state_label(x->state);
			row[8].text = x->reason;
			row[9].text = arena_printf(c->d.arena, "%s %s",
			    x->by ? x->by : "", x->created ? x->created : "");
		}
		f.page++;
	} while (p.n == PAYMENT_PER_PAGE && n < EXPORT_MAX);
	return one_table(c, "付款记录", pay_cols, PAY_NCOL, cell, n,
	    "payments");
}

/* Room for n more rows of ncol cells after the used ones. */
static struct doc_cell *
grow(struct ctx *c, struct doc_cell *cell, size_t used, size_t *cap,
    size_t n, int ncol)
{
	struct doc_cell	*more;

	if (used + n <= *cap)
		return cell;
	*cap = (used + n) * 2;
	more = arena_calloc(c->d.arena, *cap * (size_t)ncol + 1, sizeof(*more));
	if (used > 0)
		memcpy(more, cell, used * (size_t)ncol * sizeof(*more));
	return more;
}

static int
one_table(struct ctx *c, const char *title, const struct doc_col *col,
    int ncol, const struct doc_cell *cell, size_t n, const char *name)
{
	struct doc		 d;
	struct doc_table	 t;

	memset(&d, 0, sizeof(d));
	memset(&t, 0, sizeof(t));
	d.title = title;
	d.subtitle = c->d.shop->name;
	t.col = col;
	t.ncol = ncol;
	t.cell = cell;
	t.nrow = n;
	d.table = &t;
	d.ntable = 1;
	return send_xlsx(c, &d, name);
}

static const struct doc_col st_cols[] = {
	{ "客户", 24, DOC_LEFT, DOC_TEXT },
	{ "期间", 9, DOC_LEFT, DOC_TEXT },
	{ "期初应付", 12, DOC_RIGHT, DOC_MONEY },
	{ "本月增加", 12, DOC_RIGHT, DOC_MONEY },
	{ "本月减少", 12, DOC_RIGHT, DOC_MONEY },
	{ "期末应付", 12, DOC_RIGHT, DOC_MONEY },
	{ "状态", 8, DOC_LEFT, DOC_TEXT },
	{ "异议", 24, DOC_LEFT, DOC_TEXT },
};
#define ST_NCOL	((int)(sizeof(st_cols) / sizeof(st_cols[0])))

static int
h_statements_xlsx(struct ctx *c)
{
	struct statement_page	 p;
	struct doc_cell		*cell = NULL;
	size_t			 n = 0, cap = 0;
	int			 i, rc, page = 1;
	int			 st = statement_state_parse(kv_get(&c->query,
				    "state"));

	do {
		if ((rc = statement_list(&c->d, st, 0, page++, &p)) != 0)
			return http_fail(c, rc, c->d.error);
		cell = grow(c, cell, n, &cap, (size_t)p.n, ST_NCOL);
		for (i = 0; i < p.n; i++, n++) {
			const struct statement_row *x = &p.rows[i];
			struct doc_cell *row = cell + n * ST_NCOL;

			row[0].text = x->customer;
			row[1].text = x->period;
			row[2].n = x->opening_fen;
			row[3].n = x->debit_fen;
			row[4].n = -x->credit_fen;
			row[5].n = x->closing_fen;
			row[6].text = statement_state_label(x->state);
			row[7].text = x->comment;
		}
	} while (p.n == STATEMENT_PER_PAGE && n < EXPORT_MAX);
	return one_table(c, "对账单", st_cols, ST_NCOL, cell, n, "statements");
}

static const struct doc_col inv_cols[] = {
	{ "编号", 8, DOC_RIGHT, DOC_INT },
	{ "客户", 24, DOC_LEFT, DOC_TEXT },
	{ "类型", 6, DOC_LEFT, DOC_TEXT },
	{ "抬头", 24, DOC_LEFT, DOC_TEXT },
	{ "税号", 20, DOC_LEFT, DOC_TEXT },
	{ "金额", 12, DOC_RIGHT, DOC_MONEY },
	{ "税额", 10, DOC_RIGHT, DOC_MONEY },
	{ "价税合计", 12, DOC_RIGHT, DOC_MONEY },
	{ "状态", 8, DOC_LEFT, DOC_TEXT },
	{ "发票号码", 14, DOC_LEFT, DOC_TEXT },
	{ "开票日期", 12, DOC_LEFT, DOC_DATE },
};
#define INV_NCOL	((int)(sizeof(inv_cols) / sizeof(inv_cols[0])))

static int
h_invoices_xlsx(struct ctx *c)
{
	struct invreq_page	 p;
	struct doc_cell		*cell = NULL;
	size_t			 n = 0, cap = 0;
	int			 i, rc, page = 1;
	int			 st = invreq_state_parse(kv_get(&c->query,
				    "state"));

	do {
		if ((rc = invreq_list(&c->d, st, page++, &p)) != 0)
			return http_fail(c, rc, c->d.error);
		cell = grow(c, cell, n, &cap, (size_t)p.n, INV_NCOL);
		for (i = 0; i < p.n; i++, n++) {
			const struct invreq *x = &p.rows[i];
			struct doc_cell *row = cell + n * INV_NCOL;

			row[0].n = x->id;
			row[1].text = x->customer;
			row[2].text = x->kind != NULL && strcmp(x->kind,
			    "special") == 0 ? "专票" : "普票";
			row[3].text = x->title;
			row[4].text = x->tax_id;
			row[5].n = x->subtotal_fen;
			row[6].n = x->tax_fen;
			row[7].n = x->total_fen;
			row[8].text = invreq_state_label(x->state);
			row[9].text = x->invoice_no;
			row[10].text = x->issued_on;
		}
	} while (p.n == INVREQ_PER_PAGE && n < EXPORT_MAX);
	return one_table(c, "开票申请", inv_cols, INV_NCOL, cell, n,
	    "invoices");
}

const struct route h_finance_export_routes[] = {
	{ "GET", "^/admin/finance/aging\\.xlsx$", h_aging_xlsx, ROUTE_STAFF,
	  ADMIN_ROLES_FINANCE },
	{ "GET", "^/admin/finance/payments\\.xlsx$", h_payments_xlsx,
	  ROUTE_STAFF, ADMIN_ROLES_FINANCE },
	{ "GET", "^/admin/finance/statements\\.xlsx$", h_statements_xlsx,
	  ROUTE_STAFF, ADMIN_ROLES_FINANCE },
	{ "GET", "^/admin/finance/invoices\\.xlsx$", h_invoices_xlsx,
	  ROUTE_STAFF, ADMIN_ROLES_FINANCE },
	{ NULL, NULL, NULL, 0, NULL }
};
