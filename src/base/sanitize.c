/*
 * sanitize.c -- an allowlist HTML sanitizer for the rich product
 * descriptions staff write. A small tokenizer, close to the browser's,
 * re-emits only the allowed elements and attributes (values decoded,
 * checked, then escaped again), escapes all other text, drops scripts and
 * styles with their contents, keeps valid UTF-8 only and closes what it
 * opened: the output is safe to emit raw into a page. No HTTP, no SQL;
 * the caller owns the buffer it appends to.
 */
#include "base/base.h"
#include "base/sanitize.h"

#define DEPTH_MAX	32	/* open elements; deeper tags are dropped */
#define ATTR_MAX	16	/* attributes looked at per tag */
#define URL_MAX		2048
#define ALT_MAX		500

enum {
	E_VOID =	0x01,	/* no content, no end tag */
	E_CLOSE_P =	0x02,	/* its start tag closes an open p */
	E_SPECIAL =	0x04,	/* stops the search for an li to close */
	E_TABLE =	0x08	/* table structure: td, th, tr, thead, tbody */
};

enum tag { T_P, T_BR, T_STRONG, T_B, T_EM, T_I, T_U, T_UL, T_OL, T_LI,
	T_H3, T_H4, T_BLOCKQUOTE, T_TABLE, T_THEAD, T_TBODY, T_TR, T_TH, T_TD,
	T_IMG, T_A, T_NONE };

static const struct {
	const char	*name;
	int		 flags;
} tags[] = {
	[T_P] =		{ "p", E_CLOSE_P },
	[T_BR] =	{ "br", E_VOID | E_SPECIAL },
	[T_STRONG] =	{ "strong", 0 },
	[T_B] =		{ "b", 0 },
	[T_EM] =	{ "em", 0 },
	[T_I] =		{ "i", 0 },
	[T_U] =		{ "u", 0 },
	[T_UL] =	{ "ul", E_CLOSE_P | E_SPECIAL },
	[T_OL] =	{ "ol", E_CLOSE_P | E_SPECIAL },
	[T_LI] =	{ "li", E_CLOSE_P | E_SPECIAL },
	[T_H3] =	{ "h3", E_CLOSE_P | E_SPECIAL },
	[T_H4] =	{ "h4", E_CLOSE_P | E_SPECIAL },
	[T_BLOCKQUOTE] = { "blockquote", E_CLOSE_P | E_SPECIAL },
	[T_TABLE] =	{ "table", E_CLOSE_P | E_SPECIAL | E_TABLE },
	[T_THEAD] =	{ "thead", E_SPECIAL | E_TABLE },
	[T_TBODY] =	{ "tbody", E_SPECIAL | E_TABLE },
	[T_TR] =	{ "tr", E_SPECIAL | E_TABLE },
	[T_TH] =	{ "th", E_SPECIAL | E_TABLE },
	[T_TD] =	{ "td", E_SPECIAL | E_TABLE },
	[T_IMG] =	{ "img", E_VOID | E_SPECIAL },
	[T_A] =		{ "a", 0 },
};

/* Dropped with everything up to their end tag (raw text to a browser). */
static const char *const raw_drop[] = {
	"script", "style", "iframe", "noscript", "noembed", "noframes",
	"textarea", "title", "xmp", "template", NULL
};
/* Dropped with their content, which is markup: nesting is counted. */
static const char *const tree_drop[] = {
	"object", "applet", "svg", "math", NULL
};

struct attr {
	const char	*name;
	size_t		 nlen;
	const char	*val;
	size_t		 vlen;
};

struct san {
	const char	*p;
	const char	*end;
	struct buf	*out;
	enum tag	 stack[DEPTH_MAX];
	int		 depth;
	char		 skip[16];	/* tree_drop element being skipped */
	int		 skip_depth;
	struct attr	 attrs[ATTR_MAX];
	int		 nattrs;
};

static int
is_ws(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' ||
	    ch == '\r';
}

static int
is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Bytes of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_seq(const char *s, const char *end)
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
static int
cp_ok(uint32_t cp)
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

static void
put_utf8(struct buf *b, uint32_t cp)
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
	put_utf8(b, cp);
}

/*
 * A numeric character reference at p ("&#38;", "&#x26;", the ';' may be
 * missing as browsers allow). Returns its length and *cp (0: not a code
 * point to keep), or 0 if p is no numeric reference.
 */
static size_t
numeric_ref(const char *p, const char *end, uint32_t *cp)
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
	*cp = cp_ok(v) ? v : 0;
	return (size_t)(s - p);
}

/* "&name;" with a plausible entity name: its length, or 0. */
static size_t
named_ref(const char *p, const char *end)
{
	const char	*s = p + 1;

	if (s >= end || !is_alpha((unsigned char)*s))
		return 0;
	while (s < end && s - p <= 32 && (is_alpha((unsigned char)*s) ||
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
static void
text(struct san *s)
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
			if ((n = numeric_ref(p, s->end, &cp)) > 0) {
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
			if (emit && cp_ok(ch))
				buf_addc(b, (char)ch);
		} else if ((n = utf8_seq(p, s->end)) == 0)
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

/* Skip to just past needle (or to the end). */
static void
skip_past(struct san *s, const char *needle)
{
	const char	*q;

	q = memmem(s->p, (size_t)(s->end - s->p), needle, strlen(needle));
	s->p = q != NULL ? q + strlen(needle) : s->end;
}

static void
comment(struct san *s)
{
	const char	*q;

	s->p += 4;				/* "<!--" */
	if (s->p < s->end && *s->p == '>') {
		s->p++;
		return;
	}
	if (s->end - s->p >= 2 && memcmp(s->p, "->", 2) == 0) {
		s->p += 2;
		return;
	}
	/* Ends at "-->" or "--!>"; one pass, whatever the input. */
	while ((q = memmem(s->p, (size_t)(s->end - s->p), "--", 2)) != NULL) {
		s->p = q + 2;
		if (s->p < s->end && *s->p == '>') {
			s->p++;
			return;
		}
		if (s->end - s->p >= 2 && memcmp(s->p, "!>", 2) == 0) {
			s->p += 2;
			return;
		}
		s->p = q + 1;
	}
	s->p = s->end;
}

/*
 * The attributes of a tag, up to its '>' (quotes respected, as a browser
 * reads them). Returns 0 with s->p past the tag, or -1 when the input
 * ends inside it: the browser drops such a tag, and so do we.
 */
static int
attributes(struct san *s, int *selfclose)
{
	const char	*p = s->p, *end = s->end, *name, *val;
	size_t		 nlen, vlen;
	char		 q;

	s->nattrs = 0;
	*selfclose = 0;
	for (;;) {
		while (p < end && (is_ws((unsigned char)*p) || *p == '/')) {
			*selfclose = *p == '/';
			p++;
		}
		if (p >= end)
			return -1;
		if (*p == '>') {
			s->p = p + 1;
			return 0;
		}
		*selfclose = 0;
		name = p++;		/* a first '=' belongs to the name */
		while (p < end && !is_ws((unsigned char)*p) && *p != '/' &&
		    *p != '>' && *p != '=')
			p++;
		nlen = (size_t)(p - name);
		val = NULL;
		vlen = 0;
		while (p < end && is_ws((unsigned char)*p))
			p++;
		if (p < end && *p == '=') {
			p++;
			while (p < end && is_ws((unsigned char)*p))
				p++;
			if (p >= end)
				return -1;
			if (*p == '"' || *p == '\'') {
				q = *p++;
				val = p;
				while (p < end && *p != q)
					p++;
				if (p >= end)
					return -1;
				vlen = (size_t)(p++ - val);
			} else if (*p != '>') {
				val = p;
				while (p < end && !is_ws((unsigned char)*p) &&
				    *p != '>')
					p++;
				vlen = (size_t)(p - val);
			}
		}
		if (s->nattrs < ATTR_MAX) {
			s->attrs[s->nattrs].name = name;
			s->attrs[s->nattrs].nlen = nlen;
			s->attrs[s->nattrs].val = val ? val : "";
			s->attrs[s->nattrs].vlen = vlen;
			s->nattrs++;
		}
	}
}

/* The first attribute of that name (browsers ignore repeats), or NULL. */
static const struct attr *
attr_get(const struct san *s, const char *name)
{
	size_t	n = strlen(name);
	int	i;

	for (i = 0; i < s->nattrs; i++)
		if (s->attrs[i].nlen == n &&
		    strncasecmp(s->attrs[i].name, name, n) == 0)
			return &s->attrs[i];
	return NULL;
}

/*
 * An attribute value as the browser will see it: character references
 * decoded (numeric ones and the common names; any other '&' stays a
 * literal '&', since we escape it again on output), invalid UTF-8 and
 * controls dropped. Returns the length written to dst (NUL-terminated),
 * or -1 if it does not fit.
 */
static int
attr_decode(const struct attr *a, char *dst, size_t dstlen)
{
	static const struct { const char *name; uint32_t cp; } names[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' }, { "&nbsp;", 0xa0 },
	};
	const char	*p = a->val, *end = a->val + a->vlen;
	struct buf	 b;
	uint32_t	 cp;
	size_t		 n, i, len;
	int		 rc;

	buf_init(&b, a->vlen + 1);
	while (p < end) {
		n = 0;
		cp = 0;
		if (*p == '&' && (n = numeric_ref(p, end, &cp)) == 0)
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
				len = strlen(names[i].name);
				if ((size_t)(end - p) >= len &&
				    strncasecmp(p, names[i].name, len) == 0) {
					n = len;
					cp = names[i].cp;
					break;
				}
			}
		if (n > 0) {
			if (cp != 0)
				put_utf8(&b, cp);
			p += n;
			continue;
		}
		if ((n = utf8_seq(p, end)) == 0) {
			p++;
			continue;
		}
		/* Controls dropped, C1 (U+0080..U+009F) as well as C0. */
		if (n == 1 ? cp_ok((unsigned char)*p) : !(n == 2 &&
		    (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] < 0xa0))
			buf_add(&b, p, n);
		p += n;
	}
	rc = -1;
	if (b.len < dstlen) {
		memcpy(dst, b.p ? b.p : "", b.len);
		dst[b.len] = '\0';
		rc = (int)b.len;
	}
	buf_free(&b);
	return rc;
}

/*
 * A URL as a browser reads it: no leading or trailing spaces or
 * controls, no tabs or newlines inside. Then: "http" (links only),
 * "https", or no scheme at all (links), or a path under /uploads/
 * (images). Returns 1 if u (cleaned in place) may stay.
 */
static int
url_ok(char *u, int image)
{
	char	*r, *w;
	size_t	 n;

	for (r = w = u; *r; r++)
		if (*r != '\t' && *r != '\n' && *r != '\r')
			*w++ = *r;
	*w = '\0';
	for (r = u; *r && (unsigned char)*r <= 0x20; r++)
		;
	memmove(u, r, strlen(r) + 1);
	for (n = strlen(u); n > 0 && (unsigned char)u[n - 1] <= 0x20; n--)
		u[n - 1] = '\0';
	if (*u == '\0')
		return 0;
	if (strncasecmp(u, "https://", 8) == 0)
		return u[8] != '\0' && u[8] != '/' && u[8] != '\\';
	if (image)
		return strncmp(u, "/uploads/", 9) == 0 &&
		    strstr(u, "..") == NULL && strchr(u, '\\') == NULL &&
		    strstr(u + 8, "//") == NULL;
	if (strncasecmp(u, "http://", 7) == 0)
		return u[7] != '\0' && u[7] != '/' && u[7] != '\\';
	/* Relative: no scheme, i.e. no ':' before the first / ? #. */
	n = strcspn(u, ":/?#");
	return u[n] != ':';
}

/* A small positive integer attribute (width, colspan): 1 if ok. */
static int
num_ok(const char *v, int64_t max)
{
	const char	*err;
	int64_t		 n;

	return parse_i64(v, 1, max, &n, &err) == 0;
}

static void
put_attr(struct buf *b, const char *name, const char *v)
{
	buf_printf(b, " %s=\"", name);
	buf_add_html(b, v, strlen(v));
	buf_addc(b, '"');
}

/* Emit <img> if its src may stay; its other attributes if they are sane. */
static void
emit_img(struct san *s)
{
	const struct attr	*a;
	char			 v[URL_MAX + 1];
	struct buf		*b = s->out;

	if ((a = attr_get(s, "src")) == NULL ||
	    attr_decode(a, v, sizeof(v)) <= 0 || !url_ok(v, 1))
		return;
	buf_adds(b, "<img");
	put_attr(b, "src", v);
	if ((a = attr_get(s, "alt")) != NULL &&
	    attr_decode(a, v, ALT_MAX) >= 0)
		put_attr(b, "alt", v);
	if ((a = attr_get(s, "width")) != NULL &&
	    attr_decode(a, v, 16) > 0 && num_ok(v, 10000))
		put_attr(b, "width", v);
	if ((a = attr_get(s, "height")) != NULL &&
	    attr_decode(a, v, 16) > 0 && num_ok(v, 10000))
		put_attr(b, "height", v);
	buf_addc(b, '>');
}

static void
emit_start(struct san *s, enum tag t)
{
	const struct attr	*a;
	struct buf		*b = s->out;
	char			 v[URL_MAX + 1];

	if (t == T_IMG) {
		emit_img(s);
		return;
	}
	buf_printf(b, "<%s", tags[t].name);
	if (t == T_A) {
		if ((a = attr_get(s, "href")) != NULL &&
		    attr_decode(a, v, sizeof(v)) > 0 && url_ok(v, 0))
			put_attr(b, "href", v);
		buf_adds(b, " rel=\"noopener nofollow\"");
	}
	if (t == T_TD || t == T_TH) {
		if ((a = attr_get(s, "colspan")) != NULL &&
		    attr_decode(a, v, 16) > 0 && num_ok(v, 100))
			put_attr(b, "colspan", v);
		if ((a = attr_get(s, "rowspan")) != NULL &&
		    attr_decode(a, v, 16) > 0 && num_ok(v, 100))
			put_attr(b, "rowspan", v);
	}
	buf_addc(b, '>');
}

/* Close open elements down to and including stack[k]. */
static void
close_to(struct san *s, int k)
{
	while (s->depth > k) {
		s->depth--;
		buf_printf(s->out, "</%s>", tags[s->stack[s->depth]].name);
	}
}

/*
 * Where an end tag (or an implied one) for t would close: the index of
 * the open t, or -1. The search does not cross a table or cell (a p
 * inside a cell cannot close one outside), nor, for table parts, the
 * table itself.
 */
static int
find_open(struct san *s, enum tag t)
{
	int	k;

	for (k = s->depth - 1; k >= 0; k--) {
		if (s->stack[k] == t)
			return k;
		if (s->stack[k] == T_TABLE)
			return -1;
		if (!(tags[t].flags & E_TABLE) &&
		    (s->stack[k] == T_TD || s->stack[k] == T_TH))
			return -1;
	}
	return -1;
}

/* What a browser closes by itself when t starts (tidy, balanced output). */
static void
implied_ends(struct san *s, enum tag t)
{
	int	j, k;

	if ((tags[t].flags & E_CLOSE_P) && (k = find_open(s, T_P)) != -1)
		close_to(s, k);
	switch (t) {
	case T_LI:
		for (k = s->depth - 1; k >= 0; k--) {
			if (s->stack[k] == T_LI) {
				close_to(s, k);
				break;
			}
			if (tags[s->stack[k]].flags & E_SPECIAL)
				break;
		}
		break;
	case T_H3:
	case T_H4:
		if (s->depth > 0 && (s->stack[s->depth - 1] == T_H3 ||
		    s->stack[s->depth - 1] == T_H4))
			close_to(s, s->depth - 1);
		break;
	case T_A:
		if ((k = find_open(s, T_A)) != -1)
			close_to(s, k);
		break;
	case T_TD:
	case T_TH:
		for (k = s->depth - 1; k >= 0 && s->stack[k] != T_TR &&
		    s->stack[k] != T_TABLE; k--)
			if (s->stack[k] == T_TD || s->stack[k] == T_TH) {
				close_to(s, k);
				break;
			}
		break;
	case T_TR:
	case T_THEAD:
	case T_TBODY:
		/* Close the outermost open row (for a section, the outermost
		 * row or section) inside this table: <tbody><tr><tbody> ends
		 * the first section, not just its row. */
		for (j = -1, k = s->depth - 1; k >= 0 &&
		    s->stack[k] != T_TABLE; k--)
			if (s->stack[k] == T_TR || (t != T_TR &&
			    (s->stack[k] == T_THEAD || s->stack[k] == T_TBODY)))
				j = k;
		if (j != -1)
			close_to(s, j);
		break;
	default:
		break;
	}
}

static enum tag
tag_of(const char *name)
{
	int	i;

	for (i = 0; i < T_NONE; i++)
		if (strcmp(tags[i].name, name) == 0)
			return (enum tag)i;
	return T_NONE;
}

static int
in_list(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

/* Drop everything up to and including </name> (script, style, ...). */
static void
skip_raw(struct san *s, const char *name)
{
	size_t	 n = strlen(name);
	int	 sc;

	while (s->p < s->end) {
		if ((s->p = memmem(s->p, (size_t)(s->end - s->p), "</", 2)) ==
		    NULL)
			break;
		s->p += 2;
		if ((size_t)(s->end - s->p) >= n &&
		    strncasecmp(s->p, name, n) == 0 && (s->p + n == s->end ||
		    is_ws((unsigned char)s->p[n]) || s->p[n] == '/' ||
		    s->p[n] == '>')) {
			s->p += n;
			if (attributes(s, &sc) == -1)
				s->p = s->end;
			return;
		}
	}
	s->p = s->end;
}

/* Read a tag name at s->p into name, lower case; "" if too long. */
static void
tag_name(struct san *s, char *name, size_t size)
{
	size_t	 n = 0;
	int	 long_name = 0;

	while (s->p < s->end && !is_ws((unsigned char)*s->p) &&
	    *s->p != '/' && *s->p != '>') {
		if (n + 1 < size)
			name[n++] = (char)tolower((unsigned char)*s->p);
		else
			long_name = 1;
		s->p++;
	}
	name[long_name ? 0 : n] = '\0';
}

static void
start_tag(struct san *s)
{
	char		 name[16];
	enum tag	 t;
	int		 sc;

	s->p++;					/* '<' */
	tag_name(s, name, sizeof(name));
	if (attributes(s, &sc) == -1) {
		s->p = s->end;
		return;
	}
	if (s->skip_depth > 0) {
		if (strcmp(name, s->skip) == 0 && !sc)
			s->skip_depth++;
		return;
	}
	if (strcmp(name, "plaintext") == 0) {
		s->p = s->end;
		return;
	}
	if (in_list(raw_drop, name)) {
		skip_raw(s, name);
		return;
	}
	if (in_list(tree_drop, name)) {
		if (!sc) {
			snprintf(s->skip, sizeof(s->skip), "%s", name);
			s->skip_depth = 1;
		}
		return;
	}
	if ((t = tag_of(name)) == T_NONE)
		return;
	implied_ends(s, t);
	if (tags[t].flags & E_VOID) {
		emit_start(s, t);
		return;
	}
	if (s->depth == DEPTH_MAX)
		return;
	emit_start(s, t);
	s->stack[s->depth++] = t;
}

static void
end_tag(struct san *s)
{
	char		 name[16];
	enum tag	 t;
	int		 k, sc;

	s->p += 2;				/* "</" */
	tag_name(s, name, sizeof(name));
	if (attributes(s, &sc) == -1) {
		s->p = s->end;
		return;
	}
	if (s->skip_depth > 0) {
		if (strcmp(name, s->skip) == 0)
			s->skip_depth--;
		return;
	}
	if ((t = tag_of(name)) == T_NONE)
		return;
	if (t == T_BR) {			/* as browsers do */
		buf_adds(s->out, "<br>");
		return;
	}
	if ((tags[t].flags & E_VOID) || (k = find_open(s, t)) == -1)
		return;
	close_to(s, k);
}

static void
markup(struct san *s)
{
	const char	*p = s->p;
	size_t		 left = (size_t)(s->end - p);

	if (left >= 4 && memcmp(p, "<!--", 4) == 0)
		comment(s);
	else if (left >= 2 && (p[1] == '!' || p[1] == '?')) {
		s->p += 2;
		skip_past(s, ">");		/* doctype, CDATA, PI */
	} else if (left >= 3 && p[1] == '/' && is_alpha((unsigned char)p[2]))
		end_tag(s);
	else if (left >= 3 && p[1] == '/' && p[2] == '>')
		s->p += 3;			/* "</>" is nothing */
	else if (left >= 2 && p[1] == '/') {
		s->p += 2;
		skip_past(s, ">");		/* "</3>": a bogus comment */
	} else if (left >= 2 && is_alpha((unsigned char)p[1]))
		start_tag(s);
	else {
		if (s->skip_depth == 0)
			buf_adds(s->out, "&lt;");
		s->p++;
	}
}

/*
 * Append the sanitized form of in[0..len) to out. Returns 0, or -1 if
 * the input is over SANITIZE_MAX bytes (nothing appended).
 */
int
sanitize_html(const char *in, size_t len, struct buf *out)
{
	struct san	s;

	if (len > SANITIZE_MAX)
		return -1;
	memset(&s, 0, sizeof(s));
	s.p = in;
	s.end = in + len;
	s.out = out;
	buf_reserve(out, len + 64);
	while (s.p < s.end) {
		if (*s.p == '<')
			markup(&s);
		else
			text(&s);
	}
	close_to(&s, 0);
	buf_cstr(out);
	return 0;
}
