/* test_pricing.c -- every precedence case of price_resolve, rounding,
 * tax points and yuan parsing. */
#include "base/base.h"
#include "domain/pricing.h"

#include <setjmp.h>
#include <cmocka.h>

static const struct price_tier tiers[] = {	/* deliberately unsorted */
	{ 50, 800 }, { 10, 900 }, { 100, 700 },
};

static struct price_input
base_input(int64_t qty)
{
	struct price_input	in;

	memset(&in, 0, sizeof(in));
	in.base_fen = 1000;
	in.tiers = tiers;
	in.ntiers = 3;
	in.qty = qty;
	return in;
}

static void
test_base_when_nothing_else(void **state)
{
	struct price_input	in = base_input(1);
	struct price_result	r;

	in.ntiers = 0;
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 1000);
	assert_int_equal(r.source, PRICE_BASE);
}

static void
test_tiers_by_quantity(void **state)
{
	static const int64_t	qty[] = { 1, 9, 10, 49, 50, 99, 100, 100000 };
	static const int64_t	want[] = { 1000, 1000, 900, 900, 800, 800, 700,
				    700 };
	struct price_result	r;
	struct price_input	in;
	size_t			i;

	for (i = 0; i < sizeof(qty) / sizeof(qty[0]); i++) {
		in = base_input(qty[i]);
		assert_int_equal(price_resolve(&in, &r), 0);
		assert_int_equal(r.unit_fen, want[i]);
		assert_int_equal(r.source, qty[i] < 10 ? PRICE_BASE :
		    PRICE_TIER);
	}
}

static void
test_level_fixed_beats_tier(void **state)
{
	struct price_input	in = base_input(100);
	struct price_result	r;

	in.has_list_price = 1;
	in.list_price_fen = 750;	/* worse than the 100-tier: still wins */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 750);
	assert_int_equal(r.source, PRICE_LEVEL);
}

static void
test_level_fixed_beats_level_percent(void **state)
{
	struct price_input	in = base_input(1);
	struct price_result	r;

	in.list_percent_bp = 5000;
	in.has_list_price = 1;
	in.list_price_fen = 880;
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 880);
}

static void
test_level_percent_rounds_half_up(void **state)
{
	struct price_input	in = base_input(1);
	struct price_result	r;

	in.base_fen = 999;
	in.list_percent_bp = 8850;	/* 884.115 -> 884 */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 884);
	in.base_fen = 10;
	in.list_percent_bp = 8500;	/* 8.5 -> 9 */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 9);
	in.base_fen = 10;
	in.list_percent_bp = 8499;	/* 8.499 -> 8 */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 8);
	assert_int_equal(r.source, PRICE_LEVEL);
}

static void
test_contract_beats_everything(void **state)
{
	struct price_input	in = base_input(100);
	struct price_result	r;

	in.has_list_price = 1;
	in.list_price_fen = 500;
	in.list_percent_bp = 9000;
	in.has_contract = 1;
	in.contract_fen = 650;		/* higher than the level: still wins */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 650);
	assert_int_equal(r.source, PRICE_CONTRACT);
	in.contract_fen = 0;		/* a free sample is a price too */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 0);
}

static void
test_bad_input(void **state)
{
	struct price_input	in = base_input(0);
	struct price_result	r;

	assert_int_equal(price_resolve(&in, &r), -1);	/* qty 0 */
	in = base_input(-5);
	assert_int_equal(price_resolve(&in, &r), -1);
	in = base_input(1);
	in.base_fen = -1;
	assert_int_equal(price_resolve(&in, &r), -1);
	in = base_input(1);
	in.has_contract = 1;
	in.contract_fen = -3;
	assert_int_equal(price_resolve(&in, &r), -1);
	in = base_input(1);
	in.base_fen = INT64_MAX;
	in.list_percent_bp = 9000;
	assert_int_equal(price_resolve(&in, &r), -1);	/* overflow */
}

static void
test_tax_and_totals(void **state)
{
	assert_int_equal(price_with_tax(10000, 300), 10300);	/* 普票 3 % */
	assert_int_equal(price_with_tax(10000, 600), 10600);	/* 专票 6 % */
	assert_int_equal(price_with_tax(1, 600), 1);		/* 1.06 */
	assert_int_equal(price_with_tax(9, 600), 10);		/* 9.54 */
	assert_int_equal(price_with_tax(1234, 0), 1234);
	assert_int_equal(price_line_total(1999, 12), 23988);
	assert_int_equal(price_line_total(INT64_MAX / 2, 3), -1);
	assert_int_equal(price_percent(-1, 100), -1);
}

static void
test_parse_yuan(void **state)
{
	static const struct { const char *in; int64_t fen; } ok[] = {
		{ "12", 1200 }, { "12.5", 1250 }, { "12.50", 1250 },
		{ "0.05", 5 }, { "0", 0 }, { "¥3.20", 320 }, { "007.1", 710 },
		{ "9999999999999.99", 999999999999999 },
	};
	static const char *bad[] = {
		"", "-1", "1.234", "1.", ".5", "1e3", "12 ", " 12", "abc",
		"1,000", "99999999999999", "¥", "+1",
	};
	const char	*err;
	int64_t		 fen;
	size_t		 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse_yuan(ok[i].in, &fen, &err), 0);
		assert_int_equal(fen, ok[i].fen);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fen = 42;
		assert_int_equal(parse_yuan(bad[i], &fen, &err), -1);
		assert_int_equal(fen, 42);
		assert_non_null(err);
	}
	parse_yuan("-3", &fen, &err);
	assert_string_equal(err, "不能为负数");
	parse_yuan("1.234", &fen, &err);
	assert_string_equal(err, "最多两位小数");
}

/* The bound parse_yuan's comment states: 13 digits before the point. */
static void
test_parse_yuan_bound(void **state)
{
	const char	*err;
	int64_t		 fen;

	assert_int_equal(parse_yuan("9999999999999", &fen, &err), 0);
	assert_int_equal(fen, 999999999999900);
	assert_int_equal(parse_yuan("9999999999999.99", &fen, &err), 0);
	assert_int_equal(fen, 999999999999999);	/* below 1e15 fen */
	assert_int_equal(parse_yuan("0000000000001.50", &fen, &err), 0);
	assert_int_equal(fen, 150);			/* zeros count too */
	assert_int_equal(parse_yuan("10000000000000", &fen, &err), -1);
	assert_string_equal(err, "金额过大");		/* 1e13 yuan */
	assert_int_equal(parse_yuan("00000000000001", &fen, &err), -1);
	assert_string_equal(err, "金额过大");
}

static void
test_percent(void **state)
{
	struct arena	*a = arena_new(0);
	const char	*err;
	int64_t		 bp;

	assert_int_equal(parse_percent_bp("90", &bp, &err), 0);
	assert_int_equal(bp, 9000);
	assert_int_equal(parse_percent_bp("92.5%", &bp, &err), 0);
	assert_int_equal(bp, 9250);
	assert_int_equal(parse_percent_bp("3.25％", &bp, &err), 0);
	assert_int_equal(bp, 325);
	assert_int_equal(parse_percent_bp("0", &bp, &err), 0);
	assert_int_equal(bp, 0);
	assert_int_equal(parse_percent_bp("-1", &bp, &err), -1);
	assert_int_equal(parse_percent_bp("1.234", &bp, &err), -1);
	assert_int_equal(parse_percent_bp("%", &bp, &err), -1);
	assert_int_equal(parse_percent_bp("", &bp, &err), -1);
	assert_string_equal(fmt_percent(a, 9000), "90");
	assert_string_equal(fmt_percent(a, 9250), "92.5");
	assert_string_equal(fmt_percent(a, 1325), "13.25");
	assert_string_equal(fmt_percent(a, 5), "0.05");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_when_nothing_else),
		cmocka_unit_test(test_tiers_by_quantity),
		cmocka_unit_test(test_level_fixed_beats_tier),
		cmocka_unit_test(test_level_fixed_beats_level_percent),
		cmocka_unit_test(test_level_percent_rounds_half_up),
		cmocka_unit_test(test_contract_beats_everything),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_tax_and_totals),
		cmocka_unit_test(test_parse_yuan),
		cmocka_unit_test(test_parse_yuan_bound),
		cmocka_unit_test(test_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
