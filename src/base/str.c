/*
 * str.c -- strings made for one request, in its arena: URL and LIKE
 * encodings, and a line fit for the logs. The plain string and number
 * helpers that need no arena are in util.c.
 */
#include "base/base.h"

/* Percent-encode s for a query string value (arena copy). */
char *
url_encode(struct arena *a, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;

	for (; *s; s++) {
		unsigned char	ch = (unsigned char)*s;

		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' ||
		    ch == '~')
			*o++ = (char)ch;
		else {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
	}
	*o = '\0';
	return out;
}

/*
 * s with every run of 32 or more hex digits (tokens in invite and
 * reset links) replaced by "…", for logs: they must never hold a secret.
 */
char *
log_safe(struct arena *a, const char *s)
{
	struct buf	 b;
	const char	*p = s, *q;
	char		*out;

	if (s == NULL)
		return NULL;
	buf_init(&b, strlen(s) + 1);
	while (*p) {
		for (q = p; hexval((unsigned char)*q) != -1; q++)
			;
		if (q - p >= 32) {
			buf_adds(&b, "…");
			p = q;
		} else if (q > p) {
			buf_add(&b, p, q - p);
			p = q;
		} else
			buf_addc(&b, *p++);
	}
	out = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return out;
}

/* "%q%" for LIKE ... ESCAPE '\\', with q's own wildcards taken literally. */
char *
like_pattern(struct arena *a, const char *q)
{
	char	*out = arena_alloc(a, strlen(q) * 2 + 3), *o = out;

	*o++ = '%';
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}
