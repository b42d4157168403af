/*
 * buf.c -- growable byte buffers: the response body, rendered templates and
 * built SQL-free strings all go through here. The owner of a struct buf
 * frees it with buf_free(); out of memory aborts (xrealloc).
 */
#include "base/base.h"

void
buf_init(struct buf *b, size_t cap)
{
	b->len = 0;
	b->cap = cap;
	b->p = cap ? xmalloc(cap) : NULL;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t	cap;

	if (b->len + extra + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	buf_reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* HTML-escape & < > " ' (templates always quote attributes). */
void
buf_add_html(struct buf *b, const char *s, size_t n)
{
	/* What each byte becomes: 0 is itself. A table, not a switch: the
	 * templates' hottest loop. */
	static const uint8_t	 esc[256] = {
		['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5
	};
	static const char	*const rep[] = { NULL, "&amp;", "&lt;", "&gt;",
				    "&quot;", "&#39;" };
	static const uint8_t	 replen[] = { 0, 5, 4, 4, 6, 5 };
	const char		*start = s, *end = s + n;
	uint8_t			 e;

	for (; s < end; s++) {
		if ((e = esc[(unsigned char)*s]) == 0)
			continue;
		buf_add(b, start, (size_t)(s - start));
		buf_add(b, rep[e], replen[e]);
		start = s + 1;
	}
	buf_add(b, start, (size_t)(end - start));
}

/* NUL-terminate without counting the NUL; returns the bytes. */
char *
buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->p[b->len] = '\0';
	return b->p;
}
