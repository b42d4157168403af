/* test_tiers.c -- quantity tiers as forms and CSV files write them:
 * separators, spaces, order, limits, and the text back; the form's
 * rows of a quantity and a price; spec values as text and as rows of a
 * name and a value (specs.c). */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/product.h"

#include <setjmp.h>
#include <cmocka.h>

static struct arena	*a;

static int
setup(void **state)
{
	a = arena_new(0);
	return 0;
}

static int
teardown(void **state)
{
	arena_free(a);
	return 0;
}

static void
test_separators(void **state)
{
	static const char *same[] = {
		"10:11.50;50:10", "10：11.50；50：10", "10:11.50，50:10",
		"10:11.50,50:10", "10:11.50\n50:10", "10:11.50\r\n50:10.00;",
		" 10 : 11.50 ; ; 50 :10 ",
	};
	struct price_tier	 t[PRODUCT_TIERS_MAX];
	const char		*why;
	size_t			 i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		assert_int_equal(tiers_parse(a, same[i], t, &why), 2);
		assert_int_equal(t[0].min_qty, 10);
		assert_int_equal(t[0].price_fen, 1150);
		assert_int_equal(t[1].min_qty, 50);
		assert_int_equal(t[1].price_fen, 1000);
		assert_string_equal(tiers_text(a, t, 2), "10:11.50;50:10.00");
	}
	assert_int_equal(tiers_parse(a, "", t, &why), 0);
	assert_int_equal(tiers_parse(a, " ; ", t, &why), 0);
	assert_string_equal(tiers_text(a, t, 0), "");
}

/* Text after a space was dropped ("10:11.50 50:10" was one tier). */
static void
test_space_inside_a_tier(void **state)
{
	struct price_tier	 t[PRODUCT_TIERS_MAX];
	const char		*why;

	assert_int_equal(tiers_parse(a, "10:11.50 50:10.00", t, &why), -1);
	assert_string_equal(why, "“10:11.50 50:10.00”中间有空格：每档写成 "
	    "数量:单价，多档之间用 ; 分开");
	assert_int_equal(tiers_parse(a, "5:9;1 0:8", t, &why), -1);
	assert_string_equal(why, "“1 0:8”中间有空格：每档写成 数量:单价，"
	    "多档之间用 ; 分开");
	assert_int_equal(tiers_parse(a, "10:1\t1", t, &why), -1);
	assert_non_null(strstr(why, "中间有空格"));
}

static void
test_refusals(void **state)
{
	struct price_tier	 t[PRODUCT_TIERS_MAX];
	const char		*why;
	char			 many[512];
	int			 i, n;

	assert_int_equal(tiers_parse(a, "10", t, &why), -1);
	assert_string_equal(why, "“10”应写成 数量:单价，如 10:11.50");
	assert_int_equal(tiers_parse(a, "0:5", t, &why), -1);
	assert_string_equal(why, "数量“0”应为正整数");
	assert_int_equal(tiers_parse(a, "10:abc", t, &why), -1);
	assert_string_equal(why, "单价“abc”不是有效金额");
	assert_int_equal(tiers_parse(a, "10:1000000000.01", t, &why), -1);
	assert_string_equal(why, "单价“1000000000.01”过大");
	assert_int_equal(tiers_parse(a, "50:9;10:8", t, &why), -1);
	assert_string_equal(why, "数量要从小到大排列，不能重复（10 在 50 之后）");
	assert_int_equal(tiers_parse(a, "10:9;10:8", t, &why), -1);
	for (i = 0, n = 0; i <= PRODUCT_TIERS_MAX; i++)
		n += snprintf(many + n, sizeof(many) - n, "%d:1;", i + 1);
	assert_int_equal(tiers_parse(a, many, t, &why), -1);
	assert_string_equal(why, "最多 20 档");
	many[n - 5] = '\0';		/* the 21st gone: 20 is fine */
	assert_int_equal(tiers_parse(a, many, t, &why), PRODUCT_TIERS_MAX);
}

/* Rows come in any order and with blanks; each bad one is named. */
static void
test_rows(void **state)
{
	const char		*qty[] = { "50", "", " 10 ", NULL, "100" };
	const char		*price[] = { "10", "", "11.5", NULL, "9.00" };
	const char		*bq[] = { "10", "", "abc", "10", "20", "0" };
	const char		*bp[] = { "9", "8", "9", "7", "", "1" };
	const char		*why[PRODUCT_TIERS_MAX + 1];
	struct price_tier	 t[PRODUCT_TIERS_MAX];
	char			 q[PRODUCT_TIERS_MAX + 1][8];
	const char		*mq[PRODUCT_TIERS_MAX + 1];
	const char		*mp[PRODUCT_TIERS_MAX + 1];
	int			 i;

	assert_int_equal(tiers_from_rows(a, qty, price, 5, t, why), 3);
	assert_int_equal(t[0].min_qty, 10);
	assert_int_equal(t[0].price_fen, 1150);
	assert_int_equal(t[1].min_qty, 50);
	assert_int_equal(t[2].min_qty, 100);
	assert_string_equal(tiers_text(a, t, 3), "10:11.50;50:10.00;100:9.00");
	for (i = 0; i < 5; i++)
		assert_null(why[i]);
	assert_int_equal(tiers_from_rows(a, qty, price, 0, t, why), 0);

	assert_int_equal(tiers_from_rows(a, bq, bp, 6, t, why), -1);
	assert_null(why[0]);
	assert_string_equal(why[1], "请填写数量");
	assert_string_equal(why[2], "数量“abc”应为正整数");
	assert_string_equal(why[3], "与第 1 档的数量相同");
	assert_string_equal(why[4], "请填写单价");
	assert_string_equal(why[5], "数量“0”应为正整数");

	for (i = 0; i <= PRODUCT_TIERS_MAX; i++) {
		snprintf(q[i], sizeof(q[i]), "%d", i + 1);
		mq[i] = q[i];
		mp[i] = "1";
	}
	assert_int_equal(tiers_from_rows(a, mq, mp, PRODUCT_TIERS_MAX, t, why),
	    PRODUCT_TIERS_MAX);
	assert_int_equal(tiers_from_rows(a, mq, mp, PRODUCT_TIERS_MAX + 1, t,
	    why), -1);
	assert_string_equal(why[PRODUCT_TIERS_MAX], "最多 20 档");
}

static void
test_specs_split(void **state)
{
	const char	*n[4], *v[4];

	assert_int_equal(specs_split(a, " 颜色：红 ；尺码: L;;\n500ml ", n, v,
	    4), 3);
	assert_string_equal(n[0], "颜色");
	assert_string_equal(v[0], "红");
	assert_string_equal(n[1], "尺码");
	assert_string_equal(v[1], "L");
	assert_string_equal(n[2], "");
	assert_string_equal(v[2], "500ml");
	assert_int_equal(specs_split(a, "", n, v, 4), 0);
	assert_int_equal(specs_split(a, "a:1;b:2;c:3", n, v, 2), 2);
	/* A value may hold a colon: the first one splits. */
	assert_int_equal(specs_split(a, "比例:1:2", n, v, 4), 1);
	assert_string_equal(v[0], "1:2");
}

static void
test_specs_rows(void **state)
{
	const char	*name[] = { " 尺码 ", "", "颜色", NULL, "" };
	const char	*value[] = { "L", "", " 红 ", NULL, "500ml" };
	const char	*bn[] = { "颜色", "颜色", "重量", "a:b", "x", "" };
	const char	*bv[] = { "红", "蓝", "", "1", "1;2", "" };
	const char	*why[6];

	/* In the order typed, blanks skipped. */
	assert_string_equal(specs_from_rows(a, name, value, 5, why),
	    "尺码:L;颜色:红;500ml");
	assert_string_equal(specs_from_rows(a, name, value, 0, why), "");
	assert_null(specs_from_rows(a, bn, bv, 6, why));
	assert_null(why[0]);
	assert_string_equal(why[1], "与第 1 行的名称相同");
	assert_string_equal(why[2], "请填写规格值");
	assert_string_equal(why[3], "名称“a:b”不能含冒号或分号");
	assert_string_equal(why[4], "值“1;2”不能含分号");
	assert_null(why[5]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_space_inside_a_tier),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_specs_split),
		cmocka_unit_test(test_specs_rows),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
