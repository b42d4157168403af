/*
 * sanitize_text.c -- the text part of the HTML sanitizer (sanitize.c):
 * text between tags, numeric and named character references, which code
 * points and UTF-8 sequences may stay, and writing them out again.
 */
#include "base/base.h"
#include "base/sanitize_int.h"

/* Bytes of the valid UTF-8 sequence at p, or 0. */
size_t
san_utf8_seq(const char *s, const char *end)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = (size_t)(end - s);

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) ||
		    (p[0] == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 ||
		    (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xf0 && p[1] < 0x90) ||
		    (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* Code points a page may carry: no NUL, controls, surrogates. */
int
san_cp_ok(uint32_t cp)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return 1;
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 0;
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
		return 0;
	return 1;
}

void
san_put_utf8(struct buf *b, uint32_t cp)
{
	char	u[4];

	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 4);
	}
}

/* A code point as text: the markup characters escaped. */
static void
put_cp(struct buf *b, uint32_t cp)
{
	switch (cp) {
	case '&': buf_adds(b, "&amp;"); return;
	case '<': buf_adds(b, "&lt;"); return;
	case '>': buf_adds(b, "&gt;"); return;
	case '"': buf_adds(b, "&quot;"); return;
	case '\'': buf_adds(b, "&#39;"); return;
	}
	san_put_utf8(b, cp);
}

/*
 * A numeric character reference at p ("&#38;", "&#x26;", the ';' may be
 * missing as browsers allow). Returns its length and *cp (0: not a code
 * point to keep), or 0 if p is no numeric reference.
 */
size_t
san_numeric_ref(const char *p, const char *end, uint32_t *cp)
{
	const char	*s = p + 2;
	uint32_t	 v = 0;
	int		 hex = 0, digits = 0, d;

	if (end - p < 3 || p[1] != '#')
		return 0;
	if (*s == 'x' || *s == 'X') {
		hex = 1;
		s++;
	}
	for (; s < end; s++, digits++) {
		if ((d = hex ? hexval((unsigned char)*s) :
		    (*s >= '0' && *s <= '9' ? *s - '0' : -1)) == -1)
			break;
		if (v <= 0x10ffff)
			v = v * (hex ? 16 : 10) + (uint32_t)d;
	}
	if (digits == 0)
		return 0;
	if (s < end && *s == ';')
		s++;
	*cp = san_cp_ok(v) ? v : 0;
	return (size_t)(s - p);
}

/* "&name;" with a plausible entity name: its length, or 0. */
static size_t
named_ref(const char *p, const char *end)
{
	const char	*s = p + 1;

	if (s >= end || !san_is_alpha((unsigned char)*s))
		return 0;
	while (s < end && s - p <= 32 && (san_is_alpha((unsigned char)*s) ||
	    (*s >= '0' && *s <= '9')))
		s++;
	if (s >= end || *s != ';')
		return 0;
	return (size_t)(s - p + 1);
}

/*
 * Text: valid UTF-8 without controls; '<' and '>' escaped, '&' kept only
 * where it starts a character reference. In a skipped subtree nothing is
 * written but the input is consumed all the same.
 */
void
san_text(struct san *s)
{
	const char	*p = s->p, *run = p;
	struct buf	*b = s->out;
	uint32_t	 cp;
	size_t		 n;
	int		 emit = s->skip_depth == 0;

	while (p < s->end && *p != '<') {
		unsigned char	ch = (unsigned char)*p;

		if (ch >= 0x20 && ch < 0x7f && ch != '&' && ch != '>') {
			p++;
			continue;
		}
		if (emit)
			buf_add(b, run, (size_t)(p - run));
		if (ch == '&') {
			if ((n = san_numeric_ref(p, s->end, &cp)) > 0) {
				if (emit && cp != 0)
					put_cp(b, cp);
			} else if ((n = named_ref(p, s->end)) > 0) {
				if (emit)
					buf_add(b, p, n);
			} else {
				n = 1;
				if (emit)
					buf_adds(b, "&amp;");
			}
		} else if (ch == '>') {
			n = 1;
			if (emit)
				buf_adds(b, "&gt;");
		} else if (ch < 0x80) {
			n = 1;
			if (emit && san_cp_ok(ch))
				buf_addc(b, (char)ch);
		} else if ((n = san_utf8_seq(p, s->end)) == 0)
			n = 1;			/* invalid byte: dropped */
		else if (emit && !(n == 2 && ch == 0xc2 &&
		    (unsigned char)p[1] < 0xa0))	/* C1 controls */
			buf_add(b, p, n);
		p += n;
		run = p;
	}
	if (emit)
		buf_add(b, run, (size_t)(p - run));
	s->p = p;
}
