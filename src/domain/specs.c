/*
 * specs.c -- a SKU's spec values as people write them, "颜色:红;尺码:L",
 * split into the product form's rows of a name and a value each, and the
 * rows joined back into that text. A part without a colon ("500ml") is a
 * value without a name. The strings returned live in the arena.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/product.h"
#include "domain/text.h"

#define SHOWN	20		/* characters of a bad row in a message */

/* Input methods type full-width signs; a value per line is fine too. */
static void
ascii_signs(char *s)
{
	text_replace(s, "：", ':');
	text_replace(s, "；", ';');
	text_replace(s, "\r", ';');
	text_replace(s, "\n", ';');
}

/*
 * text into at most max rows of name[] and value[] (name "" for a part
 * without a colon), trimmed, empty parts skipped. Returns how many; the
 * rest of the text, past max parts, is left out.
 */
int
specs_split(struct arena *a, const char *text, const char **name,
    const char **value, int max)
{
	char	*s = arena_strdup(a, text != NULL ? text : ""), *item, *next;
	char	*colon;
	int	 n = 0;

	ascii_signs(s);
	for (item = s; item != NULL && n < max; item = next) {
		if ((next = strchr(item, ';')) != NULL)
			*next++ = '\0';
		item = text_trim(a, item, " \t");
		if (*item == '\0')
			continue;
		if ((colon = strchr(item, ':')) != NULL) {
			*colon = '\0';
			name[n] = text_trim(a, item, " \t");
			value[n] = text_trim(a, colon + 1, " \t");
		} else {
			name[n] = "";
			value[n] = item;
		}
		if (*name[n] == '\0' && *value[n] == '\0')
			continue;
		n++;
	}
	return n;
}

/* Row i's problem, or NULL: a name without a value, a separator inside. */
static const char *
row_problem(struct arena *a, const char *n, const char *v)
{
	if (*v == '\0')
		return "请填写规格值";
	if (strpbrk(n, ":;") != NULL || strstr(n, "：") != NULL ||
	    strstr(n, "；") != NULL)
		return arena_printf(a, "名称“%s”不能含冒号或分号",
		    text_shown(a, n, SHOWN));
	if (strchr(v, ';') != NULL || strstr(v, "；") != NULL)
		return arena_printf(a, "值“%s”不能含分号", text_shown(a, v,
		    SHOWN));
	return NULL;
}

/*
 * The text of the form's n rows, a name and a value each (NULL is
 * empty): blank rows skipped, the others joined in the order typed,
 * "名称:值" (or the value alone) with ";" between. Returns the text
 * ("" for none), or NULL with why[i] set for each bad row i (NULL for
 * the good ones): a name without a value, a name twice, a separator in
 * a name or a value.
 */
char *
specs_from_rows(struct arena *a, const char *const *name,
    const char *const *value, int n, const char **why)
{
	const char	**nm, **vl;
	struct buf	  b;
	char		 *out;
	int		  i, j, bad = 0, first = 1;

	nm = arena_calloc(a, (size_t)n + 1, sizeof(*nm));
	vl = arena_calloc(a, (size_t)n + 1, sizeof(*vl));
	for (i = 0; i < n; i++) {
		nm[i] = text_trim(a, name[i] != NULL ? name[i] : "", " \t");
		vl[i] = text_trim(a, value[i] != NULL ? value[i] : "", " \t");
		why[i] = NULL;
		if (*nm[i] == '\0' && *vl[i] == '\0')
			continue;
		if ((why[i] = row_problem(a, nm[i], vl[i])) == NULL &&
		    *nm[i] != '\0')
			for (j = 0; j < i; j++)
				if (strcmp(nm[i], nm[j]) == 0) {
					why[i] = arena_printf(a, "与第 %d 行的"
					    "名称相同", j + 1);
					break;
				}
		bad |= why[i] != NULL;
	}
	if (bad)
		return NULL;
	buf_init(&b, 64);
	for (i = 0; i < n; i++) {
		if (*vl[i] == '\0')
			continue;
		buf_printf(&b, "%s%s%s%s", first ? "" : ";", nm[i],
		    *nm[i] != '\0' ? ":" : "", vl[i]);
		first = 0;
	}
	out = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return out;
}
