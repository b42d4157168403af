/*
 * fuzz_money.c -- parse_yuan(), parse_percent_bp(), parse_i64() and the
 * formatters fmt_yuan() and fmt_percent(); price_percent(),
 * price_with_tax() and price_line_total() against 128-bit arithmetic.
 *
 * The input, up to its first NUL, is parsed as typed text; each accepted
 * value must format to text that parses back to the same number. The
 * first 24 bytes also make three int64 values for the formatters (every
 * non-negative value they print must parse back, when in the parser's
 * range) and for the price functions ("-1 on overflow or bad input",
 * otherwise the exact, half-up rounded result).
 */
#include "fuzz_common.h"
#include "domain/pricing.h"

#define YUAN_MAX_FEN	(INT64_C(9999999999999) * 100 + 99)	/* 13 digits */

static struct arena	*arena;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	arena = arena_new(0);
	return 0;
}

static void
yuan_round_trip(int64_t fen)
{
	const char	*s, *why = NULL, *p;
	int64_t		 back = -1;

	s = fmt_yuan(arena, fen);
	/* "<digits>.<2 digits>", with '-' first for negative amounts. */
	p = s + (*s == '-');
	CHECKF(strspn(p, "0123456789") >= 1 && p[strspn(p, "0123456789")] ==
	    '.' && strlen(strchr(p, '.')) == 3, "fmt_yuan(%" PRId64 ") = %s",
	    fen, s);
	if (fen < 0) {
		CHECK(parse_yuan(s, &back, &why) == -1);
		return;
	}
	if (fen > YUAN_MAX_FEN)
		return;
	CHECKF(parse_yuan(s, &back, &why) == 0, "fmt_yuan(%" PRId64 ") = %s "
	    "does not parse: %s", fen, s, why);
	CHECKF(back == fen, "%" PRId64 " -> %s -> %" PRId64, fen, s, back);
}

static void
percent_round_trip(int64_t bp)
{
	const char	*s, *why = NULL;
	char		 pct[64];
	int64_t		 back = -1;

	if (bp < 0)
		return;
	s = fmt_percent(arena, bp);
	if (strlen(s) >= 31 || bp > YUAN_MAX_FEN)
		return;		/* over parse_percent_bp()'s own limits */
	CHECKF(parse_percent_bp(s, &back, &why) == 0, "fmt_percent(%" PRId64
	    ") = %s does not parse: %s", bp, s, why);
	CHECKF(back == bp, "%" PRId64 " -> %s -> %" PRId64, bp, s, back);
	snprintf(pct, sizeof(pct), "%s%%", s);
	if (strlen(pct) < 32) {
		CHECK(parse_percent_bp(pct, &back, &why) == 0);
		CHECK(back == bp);
	}
}

static void
prices(int64_t a, int64_t b, int64_t c)
{
	__int128	 x;
	int64_t		 r, tax;

	r = price_percent(a, b);
	if (a < 0 || b < 0)
		CHECK(r == -1);
	else {
		x = ((__int128)a * b + 5000) / 10000;
		/* -1 only when the intermediate does not fit. */
		if (r == -1)
			CHECKF((__int128)a * b + 5000 > INT64_MAX,
			    "price_percent(%" PRId64 ", %" PRId64 ") = -1", a, b);
		else
			CHECKF(x == r, "price_percent(%" PRId64 ", %" PRId64
			    ") = %" PRId64, a, b, r);
	}

	r = price_line_total(a, c);
	if (a < 0 || c < 0)
		CHECK(r == -1);
	else {
		x = (__int128)a * c;
		CHECKF(x > INT64_MAX ? r == -1 : r == (int64_t)x,
		    "price_line_total(%" PRId64 ", %" PRId64 ") = %" PRId64,
		    a, c, r);
	}

	/* Tax points come from the shop settings: 0 .. 100 % and a bit. */
	tax = (int64_t)((uint64_t)c % 20001);
	r = price_with_tax(a, tax);
	if (a < 0)
		CHECK(r == -1);
	else if (r != -1)
		CHECK(r == (int64_t)(((__int128)a * (10000 + tax) + 5000) /
		    10000));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*why;
	char		*s, back[32];
	int64_t		 v = -1, w = -1, lo, hi, n[3] = { 0 };
	int		 rc;

	if (size > 256)
		return 0;
	s = fuzz_dup0(data, size);

	why = NULL;
	if (parse_yuan(s, &v, &why) == 0) {
		CHECK(v >= 0 && v <= YUAN_MAX_FEN);
		yuan_round_trip(v);
	} else
		CHECK(why != NULL);

	why = NULL;
	if (parse_percent_bp(s, &v, &why) == 0) {
		CHECK(v >= 0);
		percent_round_trip(v);
	} else
		CHECK(why != NULL);

	why = NULL;
	if ((rc = parse_i64(s, INT64_MIN, INT64_MAX, &v, &why)) == 0) {
		snprintf(back, sizeof(back), "%" PRId64, v);
		CHECK(parse_i64(back, INT64_MIN, INT64_MAX, &w, &why) == 0);
		CHECK(w == v);
	} else
		CHECK(rc == -1 && why != NULL);

	if (size >= 24) {
		memcpy(n, data + size - 24, 24);
		/* Bounds as form.c passes them, the parse must respect them. */
		lo = n[0] < n[1] ? n[0] : n[1];
		hi = n[0] < n[1] ? n[1] : n[0];
		if (parse_i64(s, lo, hi, &v, &why) == 0)
			CHECK(v >= lo && v <= hi);
		yuan_round_trip(n[0]);
		yuan_round_trip(n[1] % (YUAN_MAX_FEN + 1));
		percent_round_trip(n[1] < 0 ? -(n[1] + 1) : n[1]);
		percent_round_trip(n[2] % 1000000);
		prices(n[0], n[1], n[2]);
		prices(n[0] % 100000000000LL, n[1] % 100000, n[2] % 100000);
	}
	free(s);
	arena_reset(arena);
	return 0;
}
