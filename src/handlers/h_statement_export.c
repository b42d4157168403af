/*
 * h_statement_export.c -- a statement as a file to keep or print: XLSX
 * (numbers Excel can sum) and A4 PDF (Chinese text in an embedded font),
 * from the same document model (base/doc.h), for the company
 * (/account/statements/{id}.xlsx|.pdf) and for staff in scope
 * (/admin/finance/statements/{id}.xlsx|.pdf). The domain reads and
 * scopes it exactly as the statement page.
 */
#include "base/base.h"
#include "base/doc.h"
#include "domain/ledger.h"
#include "domain/shop.h"
#include "domain/statement.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "handlers/h_money.h"

static const struct doc_col cols[] = {
	{ "时间", 17, DOC_LEFT, DOC_TEXT },
	{ "类型", 12, DOC_LEFT, DOC_TEXT },
	{ "订单号", 15, DOC_LEFT, DOC_TEXT },
	{ "说明", 24, DOC_LEFT, DOC_TEXT },
	{ "金额", 14, DOC_RIGHT, DOC_MONEY },
	{ "余额", 14, DOC_RIGHT, DOC_MONEY },
};
#define NCOL	((int)(sizeof(cols) / sizeof(cols[0])))

static const char *
yuan(struct ctx *c, int64_t fen)
{
	char	b[40];

	doc_money(b, sizeof(b), fen);
	return arena_strdup(c->d.arena, b);
}

/* The statement t as a document, in c's arena. */
static void
statement_doc(struct ctx *c, const struct statement *t, struct doc *d)
{
	const struct statement_row *h = &t->head;
	struct doc_kv	*kv = arena_calloc(c->d.arena, 8, sizeof(*kv));
	struct doc_table *tb = arena_calloc(c->d.arena, 1, sizeof(*tb));
	struct doc_cell	*cell = arena_calloc(c->d.arena,
			    (size_t)t->n * NCOL + 1, sizeof(*cell));
	struct doc_cell	*tot = arena_calloc(c->d.arena, NCOL, sizeof(*tot));
	const char	**foot = arena_calloc(c->d.arena, 2, sizeof(*foot));
	int		 i;

	memset(d, 0, sizeof(*d));
	d->title = "对账单";
	d->subtitle = arena_printf(c->d.arena, "%s · %s", c->d.shop->name,
	    h->period);
	kv[0] = (struct doc_kv){ "客户", h->customer };
	kv[1] = (struct doc_kv){ "期间", h->period };
	kv[2] = (struct doc_kv){ "期初应付", yuan(c, h->opening_fen) };
	kv[3] = (struct doc_kv){ "本月增加", yuan(c, h->debit_fen) };
	kv[4] = (struct doc_kv){ "本月减少", yuan(c, -h->credit_fen) };
	kv[5] = (struct doc_kv){ "期末应付", yuan(c, h->closing_fen) };
	kv[6] = (struct doc_kv){ "状态", statement_state_label(h->state) };
	d->kv = kv;
	d->nkv = 7;
	for (i = 0; i < t->n; i++) {
		const struct ledger_row *e = &t->lines[i];
		struct doc_cell	*r = cell + (size_t)i * NCOL;

		r[0].text = e->at;
		r[1].text = ledger_kind_label(e->kind);
		r[2].text = e->order_no;
		r[3].text = e->note;
		r[4].n = e->amount_fen;
		r[5].n = e->balance_fen;
	}
	tot[0].text = "合计";
	tot[4].n = h->debit_fen + h->credit_fen;
	tot[5].n = h->closing_fen;
	tb->title = "明细";
	tb->col = cols;
	tb->ncol = NCOL;
	tb->cell = cell;
	tb->nrow = (size_t)t->n;
	tb->total = tot;
	d->table = tb;
	d->ntable = 1;
	foot[0] = "客户确认（盖章）：________________    日期：____________";
	foot[1] = arena_printf(c->d.arena, "%s 制表", c->d.shop->name);
	d->footer = foot;
	d->nfooter = 2;
}

static int
export(struct ctx *c)
{
	struct statement t;
	struct doc	 d;
	const char	*ext = c->m.cap[1], *why = NULL;
	int64_t		 id = route_cap(c, 0);
	int		 rc, pages, pdf = strcmp(ext, "pdf") == 0;

	if ((rc = statement_get(&c->d, id, &t)) != 0)
		return http_fail(c, rc, c->d.error);
	statement_doc(c, &t, &d);
	c->body.len = 0;
	rc = pdf ? doc_pdf(&d, DOC_PDF_FONT, &c->body, &pages, &why) :
	    doc_xlsx(&d, NULL, &c->body, &why);
	if (rc != 0) {
		c->body.len = 0;
		clog_warnx(&c->d, "statement export: id=%" PRId64 " %s: %s", id,
		    ext, why ? why : "failed");
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->status = 200;
	c->ctype = pdf ? "application/pdf" : "application/vnd.openxmlformats-"
	    "officedocument.spreadsheetml.sheet";
	http_header(c, "Cache-Control", "private, no-store");
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "attachment; filename=\"statement-%s-%" PRId64 ".%s\"",
	    t.head.period, id, ext));
	clog_info(&c->d, "statement export: id=%" PRId64 " %s bytes=%zu", id,
	    ext, c->body.len);
	return c->status;
}

const struct route h_statement_export_routes[] = {
	{ "GET", "^/account/statements/([0-9]{1,18})\\.(xlsx|pdf)$", export,
	  ROUTE_CUSTOMER, NULL },
	{ "GET", "^/admin/finance/statements/([0-9]{1,18})\\.(xlsx|pdf)$",
	  export, ROUTE_STAFF, ADMIN_ROLES_FINANCE },
	{ NULL, NULL, NULL, 0, NULL }
};
