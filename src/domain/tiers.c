/*
 * tiers.c -- quantity tiers as people write them, "10:11.50;50:10.00"
 * (from 10 on 11.50 each, from 50 on 10.00), in the product form and in
 * the CSV import alike, and back.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/product.h"
#include "domain/text.h"

#define SHOWN	20		/* characters of a bad tier in a message */

/* Input methods type full-width signs; a tier per line is fine too. */
static void
ascii_signs(char *s)
{
	static const struct {
		const char	*wide;
		char		 ascii;
	} signs[] = {
		{ "：", ':' }, { "；", ';' }, { "，", ';' }, { ",", ';' },
		{ "\r", ';' }, { "\n", ';' },
	};
	size_t	i;

	for (i = 0; i < sizeof(signs) / sizeof(signs[0]); i++)
		text_replace(s, signs[i].wide, signs[i].ascii);
}

/* One "qty:price", trimmed: 0 and *t, or -1 and *why. */
static int
tier_parse(struct arena *a, const char *item, struct price_tier *t,
    const char **why)
{
	char		*colon, *qty, *price;
	const char	*err;

	if ((colon = strchr(item, ':')) == NULL) {
		*why = arena_printf(a, "“%s”应写成 数量:单价，如 10:11.50",
		    text_shown(a, item, SHOWN));
		return -1;
	}
	qty = text_trim(a, item, " \t");
	qty[strcspn(qty, ":")] = '\0';
	qty = text_trim(a, qty, " \t");
	price = text_trim(a, colon + 1, " \t");
	if (qty[strcspn(qty, " \t")] != '\0' ||
	    price[strcspn(price, " \t")] != '\0') {
		*why = arena_printf(a, "“%s”中间有空格：每档写成 数量:单价，"
		    "多档之间用 ; 分开", text_shown(a, item, SHOWN));
		return -1;
	}
	if (parse_i64(qty, 1, INT32_MAX, &t->min_qty, &err) == -1) {
		*why = arena_printf(a, "数量“%s”应为正整数",
		    text_shown(a, qty, SHOWN));
		return -1;
	}
	if (parse_yuan(price, &t->price_fen, &err) == -1) {
		*why = arena_printf(a, "单价“%s”%s", text_shown(a, price,
		    SHOWN), err);
		return -1;
	}
	if (t->price_fen > PRODUCT_PRICE_MAX) {
		*why = arena_printf(a, "单价“%s”过大", text_shown(a, price,
		    SHOWN));
		return -1;
	}
	return 0;
}

/*
 * text into t (room for PRODUCT_TIERS_MAX), quantities rising. Returns
 * how many ("" is none), or -1 and *why naming the bad tier.
 */
int
tiers_parse(struct arena *a, const char *text, struct price_tier *t,
    const char **why)
{
	char		*s = arena_strdup(a, text), *item, *next;
	struct price_tier tier;
	int64_t		 last = 0;
	int		 n = 0;

	ascii_signs(s);
	for (item = s; item != NULL; item = next) {
		if ((next = strchr(item, ';')) != NULL)
			*next++ = '\0';
		item = text_trim(a, item, " \t");
		if (*item == '\0')
			continue;
		if (tier_parse(a, item, &tier, why) == -1)
			return -1;
		if (tier.min_qty <= last) {
			*why = arena_printf(a, "数量要从小到大排列，不能重复（%"
			    PRId64 " 在 %" PRId64 " 之后）", tier.min_qty,
			    last);
			return -1;
		}
		if (n == PRODUCT_TIERS_MAX) {
			*why = arena_printf(a, "最多 %d 档", PRODUCT_TIERS_MAX);
			return -1;
		}
		last = tier.min_qty;
		t[n++] = tier;
	}
	return n;
}

/* The tiers as tiers_parse reads them: "10:11.50;50:10.00". */
char *
tiers_text(struct arena *a, const struct price_tier *t, int n)
{
	struct buf	 b;
	char		*out;
	int		 i;

	buf_init(&b, 64);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%" PRId64 ":%s", i ? ";" : "", t[i].min_qty,
		    fmt_yuan(a, t[i].price_fen));
	out = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return out;
}
