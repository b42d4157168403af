/*
 * pricing.c -- what a customer pays for a SKU. Pure functions on values the
 * caller gathered (from the catalog cache or, at checkout, from the
 * database): no SQL and no HTTP here, so every precedence case is a unit
 * test. The rule is price_resolve()'s comment (and docs/pricing.md): the
 * lowest of the tier price and the customer's agreed prices, unless a
 * binding contract price says otherwise.
 */
#include "base/base.h"
#include "domain/pricing.h"

/* fen * bp / 10000, rounded half up; -1 on overflow or bad input. */
int64_t
price_percent(int64_t fen, int64_t bp)
{
	if (fen < 0 || bp < 0 || (bp > 0 && fen > (INT64_MAX - 5000) / bp))
		return -1;
	return (fen * bp + 5000) / 10000;
}

/* The price with the invoice's tax points added (普票 3 % -> 300 bp). */
int64_t
price_with_tax(int64_t fen, int64_t tax_bp)
{
	return price_percent(fen, 10000 + tax_bp);
}

/* The best tier for qty: the one with the largest min_qty <= qty. */
static const struct price_tier *
best_tier(const struct price_tier *t, int n, int64_t qty)
{
	const struct price_tier	*best = NULL;
	int			 i;

	for (i = 0; i < n; i++)
		if (t[i].min_qty <= qty &&
		    (best == NULL || t[i].min_qty > best->min_qty))
			best = &t[i];
	return best;
}

/*
 * Resolve the unit price of one SKU for one buyer and quantity. The
 * guest's price is the tier for the quantity (the one with the largest
 * min_qty <= qty), or the base price below every tier. A customer's
 * candidates are that price, their level's price and their contract
 * price, and they pay the lowest: a level's price is the fixed price its
 * list names for the SKU, or else its percentage of the tier price for
 * the quantity; a contract price is an agreed price like a fixed one. A
 * contract the shop marked binding applies whatever the others say. On a
 * tie the customer's own arrangement is named: contract, then level. So a
 * customer never pays more than a guest, unless a binding contract says
 * so. Rounding is half up to the fen, once, where a percentage is
 * applied. Returns 0, or -1 when the input is impossible (a negative
 * price or a quantity below 1) or a percentage overflows.
 */
int
price_resolve(const struct price_input *in, struct price_result *out)
{
	const struct price_tier	*t;
	int64_t			 v;

	memset(out, 0, sizeof(*out));
	out->level_fen = -1;
	if (in->base_fen < 0 || in->qty < 1 || (in->has_list_price &&
	    in->list_price_fen < 0) || (in->has_contract &&
	    in->contract_fen < 0))
		return -1;
	if ((t = best_tier(in->tiers, in->ntiers, in->qty)) != NULL) {
		out->tier_fen = t->price_fen;
		out->tier_source = PRICE_TIER;
	} else {
		out->tier_fen = in->base_fen;
		out->tier_source = PRICE_BASE;
	}
	if (out->tier_fen < 0)
		return -1;
	out->unit_fen = out->tier_fen;
	out->source = out->tier_source;
	if (in->has_list_price)
		out->level_fen = in->list_price_fen;
	else if (in->list_percent_bp > 0) {
		if ((v = price_percent(out->tier_fen, in->list_percent_bp)) < 0)
			return -1;
		out->level_fen = v;
	}
	if (out->level_fen >= 0 && out->level_fen <= out->unit_fen) {
		out->unit_fen = out->level_fen;
		out->source = PRICE_LEVEL;
	}
	if (in->has_contract && (in->contract_binding ||
	    in->contract_fen <= out->unit_fen)) {
		out->unit_fen = in->contract_fen;
		out->source = PRICE_CONTRACT;
	}
	return out->unit_fen < 0 ? -1 : 0;
}

/* unit * qty, or -1 if that does not fit. */
int64_t
price_line_total(int64_t unit_fen, int64_t qty)
{
	if (unit_fen < 0 || qty < 0 || (qty > 0 && unit_fen > INT64_MAX / qty))
		return -1;
	return unit_fen * qty;
}

const char *
price_source_name(enum price_source s)
{
	switch (s) {
	case PRICE_CONTRACT: return "contract";
	case PRICE_LEVEL: return "level";
	case PRICE_TIER: return "tier";
	default: return "base";
	}
}

/* The same, as the back office says it. */
const char *
price_source_label(enum price_source s)
{
	switch (s) {
	case PRICE_CONTRACT: return "客户合同价";
	case PRICE_LEVEL: return "会员等级价";
	case PRICE_TIER: return "阶梯价";
	default: return "基础价";
	}
}

/*
 * Parse a yuan amount as people type it: "12", "12.5", "12.50", "0.05",
 * optionally with a leading "¥" and with thousands separators as pages
 * show amounts ("1,234.50"; then every group after the first has three
 * digits). At most two decimals, no sign, no exponent, at most 13 digits
 * before the point (leading zeros count): below 1e13 yuan, so *fen stays
 * under 1e15. Returns 0 and *fen, or -1 and *errstr.
 */
int
parse_yuan(const char *s, int64_t *fen, const char **errstr)
{
	int64_t	 yuan = 0, cents = 0;
	int	 digits = 0, decimals = 0, group = -1;

	if (strncmp(s, "¥", strlen("¥")) == 0)
		s += strlen("¥");
	if (*s == '-') {
		*errstr = "不能为负数";
		return -1;
	}
	for (; isdigit((unsigned char)*s) || *s == ','; s++) {
		if (*s == ',') {
			/* 1-3 digits before the first comma, 3 between. */
			if (digits == 0 || (group == -1 ? digits > 3 :
			    group != 3))
				goto bad;
			group = 0;
			continue;
		}
		if (digits++ >= 13) {
			*errstr = "金额过大";
			return -1;
		}
		if (group >= 0)
			group++;
		yuan = yuan * 10 + (*s - '0');
	}
	if (group >= 0 && group != 3)
		goto bad;
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, decimals++) {
			if (decimals >= 2) {
				*errstr = "最多两位小数";
				return -1;
			}
			cents = cents * 10 + (*s - '0');
		}
		if (decimals == 0)
			goto bad;
		if (decimals == 1)
			cents *= 10;
	}
	if (*s != '\0' || digits == 0)
		goto bad;
	*fen = yuan * 100 + cents;
	return 0;
bad:
	*errstr = "不是有效金额";
	return -1;
}

/*
 * 1234 fen -> "12.34", with group set "1,234.50" as pages show amounts.
 * Written by hand, not with printf: a list page formats a hundred
 * prices, and vfprintf was a tenth of its time.
 */
static char *
fmt_fen(struct arena *a, int64_t fen, int group)
{
	uint64_t	u = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;
	char		tmp[40], *p = tmp + sizeof(tmp), *out;
	size_t		n;
	int		k = 0;

	*--p = '\0';
	*--p = (char)('0' + u % 10);
	u /= 10;
	*--p = (char)('0' + u % 10);
	u /= 10;
	*--p = '.';
	do {
		if (group && k > 0 && k % 3 == 0)
			*--p = ',';
		*--p = (char)('0' + u % 10);
		u /= 10;
		k++;
	} while (u > 0);
	if (fen < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof(tmp) - p);
	out = arena_alloc(a, n);
	memcpy(out, p, n);
	return out;
}

/* For form values, CSV and JSON numbers as text: "1234.50". */
char *
fmt_yuan(struct arena *a, int64_t fen)
{
	return fmt_fen(a, fen, 0);
}

/* For reading: "1,234.50". */
char *
fmt_yuan_grouped(struct arena *a, int64_t fen)
{
	return fmt_fen(a, fen, 1);
}

/*
 * Parse a percentage as people type it, "90", "92.5", "3.25%" (or the
 * full-width "％"), into basis points: at most two decimals, no sign.
 * Range checks are the caller's. Returns 0, or -1 and *errstr.
 */
int
parse_percent_bp(const char *s, int64_t *bp, const char **errstr)
{
	char	tmp[32];
	size_t	n = strlen(s);

	if (n == 0 || n >= sizeof(tmp)) {
		*errstr = "不是有效的百分比";
		return -1;
	}
	memcpy(tmp, s, n + 1);
	if (tmp[n - 1] == '%')
		tmp[--n] = '\0';
	else if (n >= 3 && strcmp(tmp + n - 3, "％") == 0)
		tmp[n -= 3] = '\0';
	/* Two decimals of a percent are basis points, as fen are of yuan. */
	if (tmp[0] == '\0' || !isdigit((unsigned char)tmp[0]) ||
	    parse_yuan(tmp, bp, errstr) == -1) {
		*errstr = "应为百分比，最多两位小数";
		return -1;
	}
	return 0;
}

/* 9000 -> "90", 9250 -> "92.5", 1325 -> "13.25" */
char *
fmt_percent(struct arena *a, int64_t bp)
{
	if (bp % 100 == 0)
		return arena_printf(a, "%" PRId64, bp / 100);
	if (bp % 10 == 0)
		return arena_printf(a, "%" PRId64 ".%d", bp / 100,
		    (int)(bp % 100 / 10));
	return arena_printf(a, "%" PRId64 ".%02d", bp / 100, (int)(bp % 100));
}
