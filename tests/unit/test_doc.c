/* test_doc.c -- the document writers: money as ¥1,234.56; an XLSX read
 * back with base/xlsx.c (Chinese text, money as numbers, dates as serials,
 * totals, 10,000 rows); a PDF of one page and one of many, its page count
 * what the file holds, with the CID font and with the embedded one. */
#include "base/base.h"
#include "base/doc.h"
#include "base/xlsx.h"

#include <setjmp.h>
#include <cmocka.h>

#include <unistd.h>

#include "../doc/sample.h"

static void
test_money(void **state)
{
	char	b[48];

	(void)state;
	doc_money(b, sizeof(b), 0);
	assert_string_equal(b, "¥0.00");
	doc_money(b, sizeof(b), 5);
	assert_string_equal(b, "¥0.05");
	doc_money(b, sizeof(b), 123456);
	assert_string_equal(b, "¥1,234.56");
	doc_money(b, sizeof(b), 100000000);
	assert_string_equal(b, "¥1,000,000.00");
	doc_money(b, sizeof(b), -123456789);
	assert_string_equal(b, "-¥1,234,567.89");
	doc_money(b, sizeof(b), INT64_MIN);
	assert_string_equal(b, "-¥92,233,720,368,547,758.08");
}

/* fen as base/xlsx.c gives the number back: 12.5, 12, 0.05. */
static void
fen_text(char *b, size_t sz, int64_t fen)
{
	size_t	 n;

	snprintf(b, sz, "%" PRId64 ".%02d", fen / 100, (int)(fen % 100));
	n = strlen(b);
	while (b[n - 1] == '0')
		b[--n] = '\0';
	if (b[n - 1] == '.')
		b[--n] = '\0';
}

/* Reads the sample back; returns the number of data rows seen. */
static size_t
read_back(const struct buf *x, size_t nrow)
{
	struct xlsx_limits lim = { 64 << 20, 0 };
	struct xlsx	 in;
	size_t		 data = 0;
	int		 rc, seen_head = 0, seen_total = 0, seen_customer = 0;
	const char	*last = NULL;
	char		 lastbuf[128] = "";

	assert_int_equal(xlsx_open(&in, x->p, x->len, &lim), 0);
	assert_int_equal(xlsx_next(&in), 1);
	assert_string_equal(in.field[0], "对账单");
	while ((rc = xlsx_next(&in)) == 1) {
		if (in.nfield == 0)
			continue;
		snprintf(lastbuf, sizeof(lastbuf), "%s", in.field[0]);
		last = lastbuf;
		if (strcmp(in.field[0], "客户") == 0) {
			assert_string_equal(in.field[1], SAMPLE_CUSTOMER);
			seen_customer = 1;
		} else if (strcmp(in.field[0], "日期") == 0) {
			assert_int_equal(in.nfield, SAMPLE_NCOL);
			assert_string_equal(in.field[2], "摘要");
			assert_string_equal(in.field[5], "余额");
			seen_head = 1;
		} else if (seen_head && !seen_total &&
		    strcmp(in.field[0], "合计") == 0) {
			/* 100 + k fen on odd k; 5,000.00 every 10th. */
			int64_t	 dr = 0, cr = 0, k;
			char	 want[32];

			for (k = 0; k < (int64_t)nrow; k++) {
				dr += k % 2 ? 100 + k : 0;
				cr += k % 10 == 9 ? 500000 : 0;
			}
			fen_text(want, sizeof(want), dr);
			assert_string_equal(in.field[3], want);
			fen_text(want, sizeof(want), cr);
			assert_string_equal(in.field[4], cr ? want : "");
			seen_total = 1;
		} else if (seen_head && !seen_total) {
			if (data == 0) {
				/* 2026-11-01 as Excel's date serial. */
				assert_string_equal(in.field[0], "46327");
				assert_string_equal(in.field[1], "SO2026000001");
				assert_string_equal(in.field[2],
				    "订货 五常大米 10kg×20");
				assert_string_equal(in.field[5], "12345.67");
			} else if (data == 1) {
				assert_string_equal(in.field[3], "1.01");
				assert_string_equal(in.field[5], "12346.68");
			}
			data++;
		}
	}
	assert_int_equal(rc, 0);
	assert_true(seen_customer && seen_head && seen_total);
	assert_non_null(last);
	assert_string_equal(last, "客户确认：____________    日期：____________");
	xlsx_close(&in);
	return data;
}

/* The sample of nrow lines as XLSX, read back whole. */
static void
xlsx_round_trip(size_t nrow)
{
	struct sample	 s;
	struct buf	 x;
	const char	*err = NULL;

	sample_build(&s, nrow);
	buf_init(&x, 4096);
	assert_int_equal(doc_xlsx(&s.doc, NULL, &x, &err), 0);
	assert_true(xlsx_is_zip(x.p, x.len));
	assert_int_equal(read_back(&x, nrow), nrow);
	buf_free(&x);
	sample_free(&s);
}

static void
test_xlsx_reads_back(void **state)
{
	(void)state;
	xlsx_round_trip(25);
}

/* constant_memory mode: inline strings, rows flushed as they go. */
static void
test_xlsx_many_rows(void **state)
{
	(void)state;
	xlsx_round_trip(10000);
}

static void
test_xlsx_bad_tmpdir(void **state)
{
	struct sample	 s;
	struct buf	 x;
	const char	*err = NULL;

	(void)state;
	sample_build(&s, 1);
	buf_init(&x, 64);
	assert_int_equal(doc_xlsx(&s.doc, "/nonexistent/dir", &x, &err), -1);
	assert_non_null(err);
	assert_int_equal(x.len, 0);
	buf_free(&x);
	sample_free(&s);
}

/* Page objects in the file ("/Type /Page", not "/Type /Pages"). */
static int
count_pages(const struct buf *b)
{
	const char	*p = b->p, *end = b->p + b->len;
	int		 n = 0;

	while ((p = memmem(p, (size_t)(end - p), "/Type /Page", 11)) != NULL) {
		p += 11;
		if (p < end && *p != 's')
			n++;
	}
	return n;
}

static void
pdf_pages(const char *font, size_t nrow, int want_min, int want_max)
{
	struct sample	 s;
	struct buf	 b;
	const char	*err = NULL;
	int		 pages = -1;

	sample_build(&s, nrow);
	buf_init(&b, 4096);
	assert_int_equal(doc_pdf(&s.doc, font, &b, &pages, &err), 0);
	assert_true(b.len > 1000);
	assert_memory_equal(b.p, "%PDF-", 5);
	assert_non_null(memmem(b.p + b.len - 8, 8, "%%EOF", 5));
	assert_in_range(pages, want_min, want_max);
	assert_int_equal(count_pages(&b), pages);
	buf_free(&b);
	sample_free(&s);
}

static void
test_pdf_cid(void **state)
{
	(void)state;
	pdf_pages(NULL, 10, 1, 1);
	/* 40-odd rows a page: 200 rows are 5 pages, give or take one. */
	pdf_pages(NULL, 200, 4, 6);
}

static void
test_pdf_embedded(void **state)
{
	const char	*f = DOC_PDF_FONT;
	char		 path[256];

	(void)state;
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(f, ","), f);
	if (access(path, R_OK) != 0)
		skip();
	pdf_pages(f, 10, 1, 1);
	pdf_pages(f, 200, 4, 6);
}

static void
test_pdf_bad_font(void **state)
{
	struct sample	 s;
	struct buf	 b;
	const char	*err = NULL;
	int		 pages = -1;

	(void)state;
	sample_build(&s, 3);
	buf_init(&b, 64);
	assert_int_equal(doc_pdf(&s.doc, "/nonexistent.ttf", &b, &pages,
	    &err), -1);
	assert_non_null(err);
	assert_int_equal(pages, 0);
	buf_free(&b);
	sample_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_xlsx_reads_back),
		cmocka_unit_test(test_xlsx_many_rows),
		cmocka_unit_test(test_xlsx_bad_tmpdir),
		cmocka_unit_test(test_pdf_cid),
		cmocka_unit_test(test_pdf_embedded),
		cmocka_unit_test(test_pdf_bad_font),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
