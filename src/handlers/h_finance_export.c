/*
 * h_finance_export.c -- the back office's finance lists as XLSX, the
 * same rows the pages show with the same filters and scope, all pages at
 * once (up to EXPORT_MAX rows): AR aging (/admin/finance/aging.xlsx) and
 * payments (/admin/finance/payments.xlsx?state=).
 */
#include "base/base.h"
#include "base/doc.h"
#include "domain/aging.h"
#include "domain/payment.h"
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
	struct doc		 d;
	struct doc_table	 t;
	struct doc_cell		*cell;
	size_t			 n = 0, cap = 0;
	int			 i, rc;

	if (st != NULL && payment_state_parse(st) >= 0)
		f.state = payment_state_parse(st);
	cell = NULL;
	do {	/* every page the list has, as the page reads them */
		if ((rc = payment_list(&c->d, &f, &p)) != 0)
			return http_fail(c, rc, c->d.error);
		if (n + (size_t)p.n > cap) {
			struct doc_cell *more;

			cap = (n + (size_t)p.n) * 2;
			more = arena_calloc(c->d.arena, cap * PAY_NCOL + 1,
			    sizeof(*more));
			if (n > 0)
				memcpy(more, cell, n * PAY_NCOL * sizeof(*more));
			cell = more;
		}
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
	memset(&d, 0, sizeof(d));
	memset(&t, 0, sizeof(t));
	d.title = "付款记录";
	d.subtitle = c->d.shop->name;
	t.col = pay_cols;
	t.ncol = PAY_NCOL;
	t.cell = cell;
	t.nrow = n;
	d.table = &t;
	d.ntable = 1;
	return send_xlsx(c, &d, "payments");
}

const struct route h_finance_export_routes[] = {
	{ "GET", "^/admin/finance/aging\\.xlsx$", h_aging_xlsx, ROUTE_STAFF,
	  ADMIN_ROLES_FINANCE },
	{ "GET", "^/admin/finance/payments\\.xlsx$", h_payments_xlsx,
	  ROUTE_STAFF, ADMIN_ROLES_FINANCE },
	{ NULL, NULL, NULL, 0, NULL }
};
