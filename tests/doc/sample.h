/*
 * sample.h -- a monthly statement (对账单) of nrow lines for the document
 * writers' tests (tests/unit/test_doc.c, tests/doc/doc_sample.c). Line k
 * debits 100 + k fen on odd k and credits 5,000.00 every 10th; dates
 * cycle through November 2026. A static function in a header so that both
 * programs build it without a library of their own.
 */
#ifndef TESTS_DOC_SAMPLE_H
#define TESTS_DOC_SAMPLE_H

#include "base/doc.h"

#define SAMPLE_NCOL	6
#define SAMPLE_CUSTOMER	"上海福临门商贸有限公司"
#define SAMPLE_OPENING	1234567		/* fen: ¥12,345.67 */

static const struct doc_col sample_cols[SAMPLE_NCOL] = {
	{ "日期", 10, DOC_LEFT, DOC_DATE },
	{ "单号", 16, DOC_LEFT, DOC_TEXT },
	{ "摘要", 26, DOC_LEFT, DOC_TEXT },
	{ "借方", 12, DOC_RIGHT, DOC_MONEY },
	{ "贷方", 12, DOC_RIGHT, DOC_MONEY },
	{ "余额", 13, DOC_RIGHT, DOC_MONEY },
};

static const struct doc_kv sample_kv[] = {
	{ "客户", SAMPLE_CUSTOMER },
	{ "期间", "2026-11-01 至 2026-11-30" },
	{ "期初余额", "¥12,345.67" },
};

static const char * const sample_footer[] = {
	"如有疑问请于收到后 7 日内联系财务。",
	"客户确认：____________    日期：____________",
};

struct sample {
	struct doc		 doc;
	struct doc_table	 table;
	struct doc_cell		*cell;
	struct doc_cell		 total[SAMPLE_NCOL];
	char			*text;		/* every row's strings */
	char			 closing[48];
};

static void
sample_build(struct sample *s, size_t nrow)
{
	int64_t	 bal = SAMPLE_OPENING, dr = 0, cr = 0;
	size_t	 k, per = 128;

	memset(s, 0, sizeof(*s));
	s->cell = xcalloc(nrow ? nrow * SAMPLE_NCOL : 1, sizeof(*s->cell));
	s->text = xmalloc(nrow ? nrow * per : 1);
	for (k = 0; k < nrow; k++) {
		struct doc_cell	*c = &s->cell[k * SAMPLE_NCOL];
		char		*t = &s->text[k * per];
		int64_t		 d = k % 2 ? 100 + (int64_t)k : 0;
		int64_t		 p = k % 10 == 9 ? 500000 : 0;

		snprintf(t, 12, "2026-11-%02d", (int)(k % 30) + 1);
		snprintf(t + 12, 28, "SO2026%06u",
		    (unsigned)((k + 1) % 1000000));
		/* Every 7th line a long one, to be cut with an ellipsis. */
		snprintf(t + 40, per - 40, "%s", p ? "收款 银行转账" :
		    k % 7 == 3 ? "订货 五常大米 10kg×20、金龙鱼调和油 5L×12、"
		    "海天酱油" : "订货 五常大米 10kg×20");
		bal += d - p;
		dr += d;
		cr += p;
		c[0].text = t;
		c[1].text = t + 12;
		c[2].text = t + 40;
		c[3].n = d;
		c[4].n = p;
		c[5].n = bal;
		if (!d)
			c[3].text = "";
		if (!p)
			c[4].text = "";
	}
	s->total[0].text = "合计";
	s->total[1].text = "";
	s->total[2].text = "";
	s->total[3].n = dr;
	s->total[4].n = cr;
	s->total[5].n = bal;
	s->table.col = sample_cols;
	s->table.ncol = SAMPLE_NCOL;
	s->table.cell = s->cell;
	s->table.nrow = nrow;
	s->table.total = s->total;
	s->table.title = "本期明细";
	s->doc.title = "对账单";
	s->doc.subtitle = "定货商城 · 2026 年 11 月";
	s->doc.kv = sample_kv;
	s->doc.nkv = 3;
	s->doc.table = &s->table;
	s->doc.ntable = 1;
	s->doc.footer = sample_footer;
	s->doc.nfooter = 2;
}

static void
sample_free(struct sample *s)
{
	free(s->cell);
	free(s->text);
}

#endif /* TESTS_DOC_SAMPLE_H */
