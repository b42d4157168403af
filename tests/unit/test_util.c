/* test_util.c -- parse_i64, url_decode, UTF-8 checks, buffers, arena. */
#include "base/base.h"
#include "domain/pricing.h"

#include <setjmp.h>
#include <cmocka.h>

static void
test_parse_i64(void **state)
{
	const char	*err;
	int64_t		 v;

	assert_int_equal(parse_i64("42", 0, 100, &v, &err), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_i64("-5", -10, 10, &v, &err), 0);
	assert_int_equal(v, -5);
	assert_int_equal(parse_i64("101", 0, 100, &v, &err), -1);
	assert_string_equal(err, "太大");
	assert_int_equal(parse_i64("-1", 0, 100, &v, &err), -1);
	assert_string_equal(err, "太小");
	assert_int_equal(parse_i64("12abc", 0, 100, &v, &err), -1);
	assert_string_equal(err, "不是整数");
	assert_int_equal(parse_i64("", 0, 100, &v, &err), -1);
	assert_int_equal(parse_i64(" 1", 0, 100, &v, &err), -1);
	assert_int_equal(parse_i64("99999999999999999999", 0, INT64_MAX, &v,
	    &err), -1);
	assert_string_equal(err, "太大");
}

static void
test_url_decode(void **state)
{
	char	s[64];
	size_t	n;

	strcpy(s, "a+b%20c%2B%e4%b8%ad");
	n = url_decode(s, strlen(s), 1);
	assert_string_equal(s, "a b c+中");
	assert_int_equal(n, strlen("a b c+中"));
	strcpy(s, "a+b%zz%4");
	url_decode(s, strlen(s), 0);
	assert_string_equal(s, "a+b%zz%4");
	strcpy(s, "x%00y");
	n = url_decode(s, strlen(s), 1);
	assert_int_equal(n, 3);		/* the NUL is visible in the length */
	assert_int_not_equal(n, strlen(s));
}

static void
test_utf8(void **state)
{
	assert_true(utf8_valid("中文abc", strlen("中文abc")));
	assert_false(utf8_valid("\xc0\xaf", 2));	/* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(utf8_valid("\xe4\xb8", 2));	/* truncated */
	assert_false(utf8_valid("\xff", 1));
}

static void
test_buf_html(void **state)
{
	struct buf	b;

	buf_init(&b, 0);
	buf_add_html(&b, "<a href=\"x\">'&'</a>", 19);
	assert_string_equal(buf_cstr(&b),
	    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	b.len = 0;
	buf_printf(&b, "%d-%s", 7, "x");
	assert_string_equal(buf_cstr(&b), "7-x");
	buf_free(&b);
}

static int	deferred;
static void
count_defer(void *arg)
{
	deferred += *(int *)arg;
}

static void
test_arena(void **state)
{
	struct arena	*a = arena_new(64);
	char		*big, *s;
	int		 one = 1, i;

	for (i = 0; i < 100; i++) {
		s = arena_printf(a, "item %d", i);
		assert_string_equal(s, arena_printf(a, "item %d", i));
	}
	big = arena_alloc(a, 10000);		/* larger than a chunk */
	memset(big, 'x', 10000);
	arena_defer(a, count_defer, &one);
	arena_defer(a, count_defer, &one);
	arena_reset(a);
	assert_int_equal(deferred, 2);
	arena_reset(a);
	assert_int_equal(deferred, 2);		/* ran once only */
	arena_free(a);
}

static void
test_fmt_yuan(void **state)
{
	struct arena	*a = arena_new(0);

	assert_string_equal(fmt_yuan(a, 123456), "1234.56");
	assert_string_equal(fmt_yuan(a, 5), "0.05");
	assert_string_equal(fmt_yuan(a, -250), "-2.50");
	assert_string_equal(fmt_yuan(a, INT64_MIN),
	    "-92233720368547758.08");
	arena_free(a);
}

static void
test_log_safe(void **state)
{
	struct arena	*a = arena_new(0);

	assert_string_equal(log_safe(a, "/s/x/invite/"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	    "?a=1"), "/s/x/invite/…?a=1");
	assert_string_equal(log_safe(a, "/orders/12345?id=deadbeef"),
	    "/orders/12345?id=deadbeef");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_url_decode),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_buf_html),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_fmt_yuan),
		cmocka_unit_test(test_log_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
