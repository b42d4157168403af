/*
 * customer_check.c -- the checks the customer area's forms share: field
 * errors a check returns to its handler, text of a bounded length, tags,
 * tax ids and telephone numbers as people type them.
 */
#include "base/base.h"
#include "domain/customer.h"

#define TAG_CHARS	20		/* characters in a tag */
#define TAGS_MAX	20		/* tags on a company */

void
field_errs_add(struct field_errs *fe, const char *name, const char *label,
    const char *why)
{
	if (fe->n == FIELD_ERRS_MAX || field_errs_has(fe, name))
		return;
	fe->v[fe->n].name = name;
	fe->v[fe->n].label = label;
	fe->v[fe->n].why = why;
	fe->n++;
}

int
field_errs_has(const struct field_errs *fe, const char *name)
{
	int	i;

	for (i = 0; i < fe->n; i++)
		if (strcmp(fe->v[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * A text input: required or not, at most max characters. 1 when it is
 * there and good, 0 when empty and optional, -1 (in fe) when bad.
 */
int
field_text(struct arena *a, struct field_errs *fe, const char *name,
    const char *label, const char *s, int required, size_t max)
{
	if (s == NULL || *s == '\0') {
		if (required)
			field_errs_add(fe, name, label, "请填写");
		return required ? -1 : 0;
	}
	if (utf8_len(s) <= max)
		return 1;
	field_errs_add(fe, name, label, arena_printf(a, "最多 %zu 个字", max));
	return -1;
}

/* ---- text checks ---------------------------------------------------- */

static int
is_space_at(const char *p)
{
	if (isspace((unsigned char)*p))
		return 1;
	return strncmp(p, "\u3000", 3) == 0 ? 3 : 0;	/* ideographic */
}

/* s[0..n) without spaces (ASCII or ideographic) at either end. */
static char *
trim_n(struct arena *a, const char *s, size_t n)
{
	int	k;

	while (n > 0 && (k = is_space_at(s)) != 0 && (size_t)k <= n) {
		s += k;
		n -= k;
	}
	for (;;) {
		if (n >= 1 && isspace((unsigned char)s[n - 1]))
			n--;
		else if (n >= 3 && strncmp(s + n - 3, "\u3000", 3) == 0)
			n -= 3;
		else
			break;
	}
	return arena_strndup(a, s, n);
}

char *
customer_trim(struct arena *a, const char *s)
{
	return trim_n(a, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

static size_t
tag_sep(const char *p)
{
	static const char *const seps[] = { ",", "\uff0c", "\u3001", ";",
	    "\uff1b" };
	size_t	i, n;

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
		if (strncmp(p, seps[i], n = strlen(seps[i])) == 0)
			return n;
	return 0;
}

/*
 * "华东, 重点，华东" -> "华东,重点": split on commas (ASCII or full
 * width), 、 and semicolons, trim, drop empty and repeated tags.
 */
char *
customer_tags(struct arena *a, const char *in, const char **why)
{
	char		*tags[TAGS_MAX], *t;
	const char	*start = in, *p = in;
	struct buf	 out;
	size_t		 k = 0;
	int		 i, n = 0, end;

	*why = NULL;
	for (;;) {
		end = *p == '\0';
		if (!end && (k = tag_sep(p)) == 0) {
			p++;
			continue;
		}
		t = trim_n(a, start, p - start);
		for (i = 0; i < n && *t != '\0'; i++)
			if (strcmp(tags[i], t) == 0)
				break;
		if (*t != '\0' && i == n) {
			if (utf8_len(t) > TAG_CHARS)
				*why = "每个标签最多 20 个字";
			else if (n == TAGS_MAX)
				*why = "最多 20 个标签";
			else
				tags[n++] = t;
		}
		if (end || *why != NULL)
			break;
		p += k;
		start = p;
	}
	if (*why != NULL)
		return NULL;
	buf_init(&out, 64);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&out, ',');
		buf_adds(&out, tags[i]);
	}
	t = arena_strdup(a, buf_cstr(&out));
	buf_free(&out);
	return t;
}

/* Unified social credit code (18) or an older tax number (15-20). */
char *
customer_tax_id(struct arena *a, const char *s, const char **why)
{
	char	*o = arena_alloc(a, strlen(s) + 1), *q = o;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		if (!isalnum((unsigned char)*s)) {
			*why = "只能包含字母和数字";
			return NULL;
		}
		*q++ = (char)toupper((unsigned char)*s);
	}
	*q = '\0';
	if (q - o < 15 || q - o > 20) {
		*why = "应为 15 到 20 位（统一社会信用代码为 18 位）";
		return NULL;
	}
	return o;
}

/* A mobile or landline number as people write it: "021-6123 4567". */
int
customer_tel_ok(const char *s)
{
	int	digits = 0;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (strchr("+-() ", *s) == NULL)
			return 0;
	}
	return digits >= 7 && digits <= 20;
}

int
customer_one_of(const char *s, const char *a, const char *b)
{
	return s != NULL && (strcmp(s, a) == 0 || strcmp(s, b) == 0);
}
