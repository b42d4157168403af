/* test_csv.c -- the CSV reader's edge cases (quotes, embedded newlines,
 * BOM, line endings, bad bytes with their line numbers) and the writer's
 * quoting and formula guard, and that the two round-trip. */
#include "base/base.h"
#include "base/csv.h"

#include <setjmp.h>
#include <cmocka.h>

/* Read s (n bytes, or strlen) and expect one record of the given fields. */
static void
expect_record(struct csv *r, int line, int n, ...)
{
	va_list	ap;
	int	i;

	assert_int_equal(csv_next(r), 1);
	assert_int_equal(r->rec_line, line);
	assert_int_equal(r->nfield, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(r->field[i], va_arg(ap, const char *));
	va_end(ap);
}

static void
test_plain_records(void **state)
{
	const char	*s = "a,b,c\r\n1,2,3\n";
	struct csv	 r;

	csv_init(&r, s, strlen(s));
	expect_record(&r, 1, 3, "a", "b", "c");
	expect_record(&r, 2, 3, "1", "2", "3");
	assert_int_equal(csv_next(&r), 0);
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void
test_quotes_and_escapes(void **state)
{
	const char	*s = "\"a,b\",\"say \"\"hi\"\"\",\"\",x\"y\n";
	struct csv	 r;

	csv_init(&r, s, strlen(s));
	/* A bare quote inside an unquoted field is kept as it is. */
	expect_record(&r, 1, 4, "a,b", "say \"hi\"", "", "x\"y");
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void
test_embedded_newlines_keep_line_numbers(void **state)
{
	const char	*s = "h1,h2\n\"line 1\nline 2\r\nline 3\",b\n"
			    "next,row\n";
	struct csv	 r;

	csv_init(&r, s, strlen(s));
	expect_record(&r, 1, 2, "h1", "h2");
	expect_record(&r, 2, 2, "line 1\nline 2\r\nline 3", "b");
	expect_record(&r, 5, 2, "next", "row");
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void
test_bom_and_line_endings(void **state)
{
	const char	*s = "\xef\xbb\xbfname,x\r\na,1\rb,2\nc,3";
	struct csv	 r;

	csv_init(&r, s, strlen(s));
	expect_record(&r, 1, 2, "name", "x");	/* no BOM in the name */
	expect_record(&r, 2, 2, "a", "1");
	expect_record(&r, 3, 2, "b", "2");	/* a lone CR ends a line */
	expect_record(&r, 4, 2, "c", "3");	/* no newline at the end */
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void
test_empty_fields_and_blank_lines(void **state)
{
	const char	*s = ",,\n\nx,\n\"\"\na,";
	struct csv	 r;

	csv_init(&r, s, strlen(s));
	expect_record(&r, 1, 3, "", "", "");
	expect_record(&r, 2, 1, "");		/* a blank line */
	expect_record(&r, 3, 2, "x", "");
	expect_record(&r, 4, 1, "");
	expect_record(&r, 5, 2, "a", "");	/* "a," at the very end */
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);

	csv_init(&r, "", 0);
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
	csv_init(&r, "\xef\xbb\xbf", 3);
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void
test_bad_utf8_reports_its_line(void **state)
{
	static const char *bad[] = {
		"\xff",			/* never valid */
		"\xc0\xaf",		/* overlong '/' */
		"\xed\xa0\x80",		/* a surrogate */
		"\xe4\xb8",		/* cut short, then a comma */
		"\xf4\x90\x80\x80",	/* beyond U+10FFFF */
	};
	struct csv	 r;
	char		 s[128];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(s, sizeof(s), "h\n\"ok\n%s\",x\n中文,y\n", bad[i]);
		csv_init(&r, s, strlen(s));
		expect_record(&r, 1, 1, "h");
		assert_int_equal(csv_next(&r), -1);
		assert_int_equal(r.rec_line, 2);
		assert_int_equal(r.err_line, 3);	/* where the byte is */
		assert_non_null(strstr(r.error, "UTF-8"));
		expect_record(&r, 4, 2, "中文", "y");	/* reading goes on */
		assert_int_equal(csv_next(&r), 0);
		csv_free(&r);
	}
	/* A sequence cut off by the end of the data. */
	csv_init(&r, "a,\xe4\xb8", 5);
	assert_int_equal(csv_next(&r), -1);
	assert_int_equal(r.err_line, 1);
	csv_free(&r);
}

static void
test_nul_byte_reports_its_line(void **state)
{
	const char	s[] = "a,b\nc,d\ne\0f,g\n";
	struct csv	r;

	csv_init(&r, s, sizeof(s) - 1);
	expect_record(&r, 1, 2, "a", "b");
	expect_record(&r, 2, 2, "c", "d");
	assert_int_equal(csv_next(&r), -1);
	assert_int_equal(r.err_line, 3);
	assert_non_null(strstr(r.error, "NUL"));
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void
test_unterminated_quote(void **state)
{
	const char	*s = "a,b\n\"open,x\nmore\nstill more\n";
	struct csv	 r;

	csv_init(&r, s, strlen(s));
	expect_record(&r, 1, 2, "a", "b");
	assert_int_equal(csv_next(&r), -1);
	assert_int_equal(r.err_line, 2);	/* where the quote opened */
	assert_non_null(strstr(r.error, "引号未闭合"));
	assert_int_equal(csv_next(&r), 0);	/* it swallowed the rest */
	csv_free(&r);
}

static void
test_text_after_closing_quote(void **state)
{
	const char	*s = "\"a\"b,c\nd,e\n";
	struct csv	 r;

	csv_init(&r, s, strlen(s));
	assert_int_equal(csv_next(&r), -1);
	assert_int_equal(r.err_line, 1);
	expect_record(&r, 2, 2, "d", "e");
	csv_free(&r);
}

static const char *
put(struct buf *b, const char *s, int flags)
{
	b->len = 0;
	csv_put(b, s, flags | CSV_FIRST);
	return buf_cstr(b);
}

static void
test_writer_quotes_when_needed(void **state)
{
	struct buf	b;

	buf_init(&b, 64);
	assert_string_equal(put(&b, "plain 文字", 0), "plain 文字");
	assert_string_equal(put(&b, "", 0), "");
	assert_string_equal(put(&b, "a,b", 0), "\"a,b\"");
	assert_string_equal(put(&b, "say \"hi\"", 0), "\"say \"\"hi\"\"\"");
	assert_string_equal(put(&b, "l1\nl2", 0), "\"l1\nl2\"");
	assert_string_equal(put(&b, "l1\rl2", 0), "\"l1\rl2\"");
	assert_string_equal(put(&b, " lead", 0), "\" lead\"");
	assert_string_equal(put(&b, "trail ", 0), "\"trail \"");
	assert_string_equal(put(&b, "in side", 0), "in side");
	b.len = 0;
	csv_put(&b, "a", CSV_FIRST);
	csv_put(&b, "", 0);
	csv_put(&b, "c,d", 0);
	csv_endrow(&b);
	assert_string_equal(buf_cstr(&b), "a,,\"c,d\"\r\n");
	buf_free(&b);
}

static void
test_writer_guards_formulas(void **state)
{
	struct buf	b;

	buf_init(&b, 64);
	assert_string_equal(put(&b, "=1+1", CSV_TEXT), "'=1+1");
	assert_string_equal(put(&b, "+86 138", CSV_TEXT), "'+86 138");
	assert_string_equal(put(&b, "-5 折", CSV_TEXT), "'-5 折");
	assert_string_equal(put(&b, "@SUM(A1)", CSV_TEXT), "'@SUM(A1)");
	assert_string_equal(put(&b, "=HYPERLINK(\"x\",\"y\")", CSV_TEXT),
	    "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
	assert_string_equal(put(&b, "\tx", CSV_TEXT), "\"'\tx\"");
	/* Apostrophes before a formula sign get one more, so that the
	 * reader's csv_unguard gives back exactly what was written. */
	assert_string_equal(put(&b, "'=x", CSV_TEXT), "''=x");
	assert_string_equal(put(&b, "'plain", CSV_TEXT), "'plain");
	assert_string_equal(put(&b, "a=b", CSV_TEXT), "a=b");
	/* Numbers are not text: no guard. */
	assert_string_equal(put(&b, "-1", 0), "-1");
	assert_string_equal(put(&b, "12.50", CSV_TEXT), "12.50");
	buf_free(&b);

	assert_string_equal(csv_unguard("'=1+1"), "=1+1");
	assert_string_equal(csv_unguard("''=x"), "'=x");
	assert_string_equal(csv_unguard("'plain"), "'plain");
	assert_string_equal(csv_unguard("'"), "'");
	assert_string_equal(csv_unguard("="), "=");
	assert_string_equal(csv_unguard(""), "");
}

/* Whatever goes out through csv_put comes back through the reader. */
static void
test_round_trip(void **state)
{
	static const char *v[] = {
		"", "plain", "a,b", "\"", "\"\"", "l1\r\nl2\n\nl3", " sp ",
		"=cmd|' /C calc'!A0", "'=x", "''+y", "-", "@", "'",
		"中文，逗号",
		"\xef\xbb\xbf" "BOM inside", "x\"y",
	};
	size_t		n = sizeof(v) / sizeof(v[0]), i;
	struct buf	b;
	struct csv	r;

	buf_init(&b, 256);
	for (i = 0; i < n; i++)
		csv_put(&b, v[i], (i == 0 ? CSV_FIRST : 0) | CSV_TEXT);
	csv_endrow(&b);
	csv_put(&b, "second", CSV_FIRST);
	csv_endrow(&b);
	csv_init(&r, b.p, b.len);
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal((size_t)r.nfield, n);
	for (i = 0; i < n; i++)
		assert_string_equal(csv_unguard(r.field[i]), v[i]);
	expect_record(&r, 5, 1, "second");	/* l1, l2, blank, l3 */
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
	buf_free(&b);
}

static void
test_many_fields_and_long_field(void **state)
{
	struct buf	b;
	struct csv	r;
	int		i;

	buf_init(&b, 1024);
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%s%d", i ? "," : "", i);
	buf_addc(&b, '\n');
	buf_addc(&b, '"');
	for (i = 0; i < 100000; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\"\n");
	csv_init(&r, b.p, b.len);
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfield, 1000);
	assert_string_equal(r.field[999], "999");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(strlen(r.field[0]), 100000);
	csv_free(&r);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_records),
		cmocka_unit_test(test_quotes_and_escapes),
		cmocka_unit_test(test_embedded_newlines_keep_line_numbers),
		cmocka_unit_test(test_bom_and_line_endings),
		cmocka_unit_test(test_empty_fields_and_blank_lines),
		cmocka_unit_test(test_bad_utf8_reports_its_line),
		cmocka_unit_test(test_nul_byte_reports_its_line),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_text_after_closing_quote),
		cmocka_unit_test(test_writer_quotes_when_needed),
		cmocka_unit_test(test_writer_guards_formulas),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_many_fields_and_long_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
