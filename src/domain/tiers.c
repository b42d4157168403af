/*
 * tiers.c -- quantity tiers as people write them, "10:11.50;50:10.00"
 * (from 10 on 11.50 each, from 50 on 10.00), in the product form's text
 * field and in the CSV import alike, and back; and as the form's rows of
 * a quantity and a price each.
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

/* A tier's quantity and price, trimmed: 0 and *t, or -1 and *why. */
static int
tier_values(struct arena *a, const char *qty, const char *price,
    struct price_tier *t, const char **why)
{
	const char	*err;

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

/* One "qty:price", trimmed: 0 and *t, or -1 and *why. */
static int
tier_parse(struct arena *a, const char *item, struct price_tier *t,
    const char **why)
{
	char	*colon, *qty, *price;

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
	return tier_values(a, qty, price, t, why);
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

/* Row i's tier, when it parses; why[i] says why not. */
static int
row_tier(struct arena *a, const char *qty, const char *price,
    struct price_tier *t, const char **why)
{
	const char	*q = text_trim(a, qty != NULL ? qty : "", " \t");
	const char	*p = text_trim(a, price != NULL ? price : "", " \t");

	*why = NULL;
	if (*q == '\0' && *p == '\0')
		return 0;			/* a blank row */
	if (*q == '\0')
		*why = "请填写数量";
	else if (*p == '\0')
		*why = "请填写单价";
	else if (tier_values(a, q, p, t, why) == 0)
		return 1;
	return -1;
}

/*
 * Tiers from the form's n rows, a quantity and a price each (NULL is
 * empty): blank rows are skipped, the others go into t (room for
 * PRODUCT_TIERS_MAX) by quantity, whatever order they were typed in.
 * Returns how many, or -1 with why[i] set for each bad row i (NULL for
 * the good ones).
 */
int
tiers_from_rows(struct arena *a, const char *const *qty,
    const char *const *price, int n, struct price_tier *t, const char **why)
{
	struct price_tier	 tier, *got;
	int			*row, i, j, m = 0, bad = 0;

	got = arena_alloc(a, (size_t)(n + 1) * sizeof(*got));
	row = arena_alloc(a, (size_t)(n + 1) * sizeof(*row));
	for (i = 0; i < n; i++) {
		if ((j = row_tier(a, qty[i], price[i], &tier, &why[i])) == -1)
			bad = 1;
		if (j != 1)
			continue;
		for (j = 0; j < m && got[j].min_qty != tier.min_qty; j++)
			;
		if (j < m) {
			why[i] = arena_printf(a, "与第 %d 档的数量相同",
			    row[j] + 1);
			bad = 1;
		} else if (m == PRODUCT_TIERS_MAX) {
			why[i] = arena_printf(a, "最多 %d 档",
			    PRODUCT_TIERS_MAX);
			bad = 1;
		} else {
			row[m] = i;
			got[m++] = tier;
		}
	}
	if (bad)
		return -1;
	/* Insertion sort: a handful of rows. */
	for (i = 0; i < m; i++) {
		tier = got[i];
		for (j = i; j > 0 && t[j - 1].min_qty > tier.min_qty; j--)
			t[j] = t[j - 1];
		t[j] = tier;
	}
	return m;
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
