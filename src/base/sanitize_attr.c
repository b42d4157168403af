/*
 * sanitize_attr.c -- the attributes of the HTML sanitizer (sanitize.c):
 * reading them from a tag, decoding their values, checking URLs and
 * numbers, and writing out the ones that may stay, <img> with its own.
 */
#include "base/base.h"
#include "base/sanitize_int.h"

/*
 * The attributes of a tag, up to its '>' (quotes respected, as a browser
 * reads them). Returns 0 with s->p past the tag, or -1 when the input
 * ends inside it: the browser drops such a tag, and so do we.
 */
int
san_attributes(struct san *s, int *selfclose)
{
	const char	*p = s->p, *end = s->end, *name, *val;
	size_t		 nlen, vlen;
	char		 q;

	s->nattrs = 0;
	*selfclose = 0;
	for (;;) {
		while (p < end && (san_is_ws((unsigned char)*p) || *p == '/')) {
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
		while (p < end && !san_is_ws((unsigned char)*p) && *p != '/' &&
		    *p != '>' && *p != '=')
			p++;
		nlen = (size_t)(p - name);
		val = NULL;
		vlen = 0;
		while (p < end && san_is_ws((unsigned char)*p))
			p++;
		if (p < end && *p == '=') {
			p++;
			while (p < end && san_is_ws((unsigned char)*p))
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
				while (p < end &&
				    !san_is_ws((unsigned char)*p) && *p != '>')
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
		if (*p == '&' && (n = san_numeric_ref(p, end, &cp)) == 0)
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
				san_put_utf8(&b, cp);
			p += n;
			continue;
		}
		if ((n = san_utf8_seq(p, end)) == 0) {
			p++;
			continue;
		}
		/* Controls dropped, C1 (U+0080..U+009F) as well as C0. */
		if (n == 1 ? san_cp_ok((unsigned char)*p) : !(n == 2 &&
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
void
san_emit_img(struct san *s)
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

/* The attributes that may stay on a start tag t other than img. */
void
san_emit_attrs(struct san *s, enum tag t)
{
	const struct attr	*a;
	struct buf		*b = s->out;
	char			 v[URL_MAX + 1];

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
}
