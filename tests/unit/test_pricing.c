/* test_pricing.c -- every case of price_resolve's rule, a property over
 * generated catalogs, rounding, tax points and yuan parsing. */
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
test_level_fixed_never_above_tier(void **state)
{
	struct price_input	in = base_input(100);
	struct price_result	r;

	in.has_list_price = 1;
	in.list_price_fen = 750;	/* worse than the 100-tier: tier wins */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 700);
	assert_int_equal(r.source, PRICE_TIER);
	assert_int_equal(r.level_fen, 750);
	in.qty = 10;			/* better than the 10-tier: level */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 750);
	assert_int_equal(r.source, PRICE_LEVEL);
	assert_int_equal(r.tier_fen, 900);
	assert_int_equal(r.tier_source, PRICE_TIER);
}

/* The example: 90 % of base for 150 units cost more than a
 * guest's ≥150 tier; the percentage now discounts the tier. */
static void
test_level_percent_discounts_the_tier(void **state)
{
	static const struct price_tier	t[] = { { 150, 25564 } };
	struct price_input		in;
	struct price_result		r;

	memset(&in, 0, sizeof(in));
	in.base_fen = 30456;
	in.tiers = t;
	in.ntiers = 1;
	in.list_percent_bp = 9000;
	in.qty = 150;
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 23008);	/* 255.64 * 90 % = 230.076 */
	assert_int_equal(r.source, PRICE_LEVEL);
	assert_int_equal(r.tier_fen, 25564);
	in.qty = 149;				/* below the tier: of base */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 27410);
	assert_int_equal(r.tier_source, PRICE_BASE);
	in.list_percent_bp = 10000;		/* a tie names the level */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 30456);
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
test_contract_is_one_candidate(void **state)
{
	struct price_input	in = base_input(100);
	struct price_result	r;

	in.has_list_price = 1;
	in.list_price_fen = 500;
	in.list_percent_bp = 9000;
	in.has_contract = 1;
	in.contract_fen = 650;		/* higher than the level: level */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 500);
	assert_int_equal(r.source, PRICE_LEVEL);
	in.contract_fen = 500;		/* a tie names the contract */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.source, PRICE_CONTRACT);
	in.contract_fen = 0;		/* a free sample is a price too */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 0);
	assert_int_equal(r.source, PRICE_CONTRACT);
}

static void
test_binding_contract_beats_everything(void **state)
{
	struct price_input	in = base_input(100);
	struct price_result	r;

	in.has_list_price = 1;
	in.list_price_fen = 500;
	in.has_contract = 1;
	in.contract_binding = 1;
	in.contract_fen = 1200;		/* above base, level and tier */
	assert_int_equal(price_resolve(&in, &r), 0);
	assert_int_equal(r.unit_fen, 1200);
	assert_int_equal(r.source, PRICE_CONTRACT);
	assert_int_equal(r.tier_fen, 700);
	assert_int_equal(r.level_fen, 500);
}

/* ---- the property: over generated catalogs ------------------------ */

static uint64_t	rng_state;

static uint64_t
rng(void)
{
	/* splitmix64: repeatable from the fixed seed on every platform */
	uint64_t	z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t
rnd(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* A guest's price for qty, worked out here on its own. */
static int64_t
guest_price(const struct price_input *in)
{
	int64_t	v = in->base_fen;
	int	i;

	for (i = 0; i < in->ntiers; i++)	/* ascending */
		if (in->tiers[i].min_qty <= in->qty)
			v = in->tiers[i].price_fen;
	return v;
}

static void
test_property_never_above_guest(void **state)
{
	struct price_tier	t[4];
	struct price_input	in;
	struct price_result	r;
	int64_t			tier, want, level, pct, q;
	int			sku, k, cust, i, binding, bound = 0, cheaper = 0;

	rng_state = 20260901;
	for (sku = 0; sku < 2000; sku++) {
		memset(&in, 0, sizeof(in));
		in.base_fen = rnd(1, 5000000);
		in.ntiers = (int)rnd(0, 4);
		for (i = 0, q = 1; i < in.ntiers; i++) {
			t[i].min_qty = q += rnd(1, 200);
			t[i].price_fen = rnd(in.base_fen / 4, (i == 0 ?
			    in.base_fen : t[i - 1].price_fen));
		}
		in.tiers = t;
		for (cust = 0; cust < 10; cust++) {
			in.list_percent_bp = rnd(0, 1) ? rnd(5000, 10000) : 0;
			in.has_list_price = rnd(0, 2) == 0;
			in.list_price_fen = rnd(0, in.base_fen * 3 / 2);
			in.has_contract = rnd(0, 2) == 0;
			in.contract_fen = rnd(0, in.base_fen * 3 / 2);
			in.contract_binding = in.has_contract && rnd(0, 3) == 0;
			binding = in.contract_binding;
			for (k = 0; k < 8; k++) {
				in.qty = k < 4 && k < in.ntiers ?
				    t[k].min_qty - rnd(0, 1) : rnd(1, 1000);
				tier = guest_price(&in);
				level = -1;
				if (in.has_list_price)
					level = in.list_price_fen;
				else if ((pct = in.list_percent_bp) > 0)
					level = (tier * pct + 5000) / 10000;
				want = tier;
				if (level >= 0 && level < want)
					want = level;
				if (in.has_contract && in.contract_fen < want)
					want = in.contract_fen;
				if (binding)
					want = in.contract_fen;
				assert_int_equal(price_resolve(&in, &r), 0);
				if (!binding)
					assert_true(r.unit_fen <= tier);
				assert_int_equal(r.unit_fen, want);
				/* The source named is a candidate at that price. */
				switch (r.source) {
				case PRICE_CONTRACT:
					assert_true(in.has_contract);
					assert_int_equal(in.contract_fen, want);
					break;
				case PRICE_LEVEL:
					assert_int_equal(level, want);
					break;
				default:
					assert_int_equal(tier, want);
					assert_int_equal(r.source,
					    guest_price(&in) == in.base_fen &&
					    (in.ntiers == 0 || in.qty <
					    t[0].min_qty) ? PRICE_BASE :
					    PRICE_TIER);
				}
				bound += binding && r.unit_fen > tier;
				cheaper += r.unit_fen < tier;
			}
		}
	}
	/* The generator reached both interesting cases. */
	assert_true(bound > 100);
	assert_true(cheaper > 1000);
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
		{ "1,000", 100000 }, { "1,234.50", 123450 },
		{ "¥12,345,678.9", 1234567890 }, { "999,999", 99999900 },
	};
	static const char *bad[] = {
		"", "-1", "1.234", "1.", ".5", "1e3", "12 ", " 12", "abc",
		"99999999999999", "¥", "+1", ",100", "1,00", "1000,000",
		"1,0000", "12,", "1,,000", "1,000,00", "1.000,50", ",",
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

/* Pages show amounts grouped; forms and CSV keep them plain. */
static void
test_fmt_yuan(void **state)
{
	static const struct { int64_t fen; const char *plain, *grouped; } t[] = {
		{ 0, "0.00", "0.00" }, { 5, "0.05", "0.05" },
		{ 99999, "999.99", "999.99" }, { 100000, "1000.00", "1,000.00" },
		{ 5000000, "50000.00", "50,000.00" },
		{ 123456789, "1234567.89", "1,234,567.89" },
		{ -123456, "-1234.56", "-1,234.56" },
		{ INT64_MAX, "92233720368547758.07", "92,233,720,368,547,758.07" },
		{ INT64_MIN, "-92233720368547758.08",
		    "-92,233,720,368,547,758.08" },
	};
	struct arena	*a = arena_new(0);
	const char	*err;
	int64_t		 fen;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_string_equal(fmt_yuan(a, t[i].fen), t[i].plain);
		assert_string_equal(fmt_yuan_grouped(a, t[i].fen), t[i].grouped);
		if (t[i].fen < 0 || t[i].fen >= 1000000000000000)
			continue;
		/* What a page shows, typed back, is the same amount. */
		assert_int_equal(parse_yuan(t[i].grouped, &fen, &err), 0);
		assert_int_equal(fen, t[i].fen);
	}
	arena_free(a);
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
		cmocka_unit_test(test_level_fixed_never_above_tier),
		cmocka_unit_test(test_level_percent_discounts_the_tier),
		cmocka_unit_test(test_level_fixed_beats_level_percent),
		cmocka_unit_test(test_level_percent_rounds_half_up),
		cmocka_unit_test(test_contract_is_one_candidate),
		cmocka_unit_test(test_binding_contract_beats_everything),
		cmocka_unit_test(test_property_never_above_guest),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_tax_and_totals),
		cmocka_unit_test(test_parse_yuan),
		cmocka_unit_test(test_parse_yuan_bound),
		cmocka_unit_test(test_fmt_yuan),
		cmocka_unit_test(test_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
