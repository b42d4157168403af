/*
 * str.c -- strings made for one request, in its arena: URL and LIKE
 * encodings, and a line fit for the logs. The plain string and number
 * helpers that need no arena are in util.c.
 */
#include "base/base.h"

#include <iconv.h>

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

/*
 * Text as UTF-8: in itself when it is valid UTF-8, else converted from
 * GB18030 (a superset of GBK and GB2312, what Excel on Chinese Windows
 * saves a CSV as), into the arena with *outlen set and *converted 1.
 * NULL when it is neither: the caller reports its first bad byte.
 */
char *
text_to_utf8(struct arena *a, const char *in, size_t len, size_t *outlen,
    int *converted)
{
	iconv_t	 cd;
	char	*out, *ip = (char *)in, *op;
	size_t	 il = len, ol, cap;

	*converted = 0;
	*outlen = len;
	if (utf8_valid(in, len))
		return (char *)in;
	if ((cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1)
		return NULL;
	cap = len * 2 + 1;	/* a GB18030 character grows to 3 bytes at most */
	out = op = arena_alloc(a, cap);
	ol = cap;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		iconv_close(cd);
		return NULL;
	}
	iconv_close(cd);
	*op = '\0';
	*outlen = (size_t)(op - out);
	*converted = 1;
	return out;
}

/* At most n characters of UTF-8 s, whole characters only, in a. */
char *
utf8_prefix(struct arena *a, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 chars = 0;

	while (*p && chars < n) {
		p++;
		while ((*p & 0xc0) == 0x80)
			p++;
		chars++;
	}
	return arena_strndup(a, s, (size_t)((const char *)p - s));
}
