/*
 * sanitize.c -- an allowlist HTML sanitizer for the rich product
 * descriptions staff write. A small tokenizer, close to the browser's,
 * re-emits only the allowed elements and attributes (values decoded,
 * checked, then escaped again), escapes all other text, drops scripts and
 * styles with their contents, keeps valid UTF-8 only and closes what it
 * opened: the output is safe to emit raw into a page. No HTTP, no SQL;
 * the caller owns the buffer it appends to. Here the elements, the open
 * ones and the main loop; text in sanitize_text.c, attributes in
 * sanitize_attr.c.
 */
#include "base/base.h"
#include "base/sanitize.h"
#include "base/sanitize_int.h"

enum {
	E_VOID =	0x01,	/* no content, no end tag */
	E_CLOSE_P =	0x02,	/* its start tag closes an open p */
	E_SPECIAL =	0x04,	/* stops the search for an li to close */
	E_TABLE =	0x08	/* table structure: td, th, tr, thead, tbody */
};

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

/* A start tag: its name, then what may stay of its attributes. */
static void
emit_start(struct san *s, enum tag t)
{
	if (t == T_IMG) {
		san_emit_img(s);
		return;
	}
	buf_printf(s->out, "<%s", tags[t].name);
	san_emit_attrs(s, t);
	buf_addc(s->out, '>');
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
		    san_is_ws((unsigned char)s->p[n]) || s->p[n] == '/' ||
		    s->p[n] == '>')) {
			s->p += n;
			if (san_attributes(s, &sc) == -1)
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

	while (s->p < s->end && !san_is_ws((unsigned char)*s->p) &&
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
	if (san_attributes(s, &sc) == -1) {
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
	if (san_attributes(s, &sc) == -1) {
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
	} else if (left >= 3 && p[1] == '/' &&
	    san_is_alpha((unsigned char)p[2]))
		end_tag(s);
	else if (left >= 3 && p[1] == '/' && p[2] == '>')
		s->p += 3;			/* "</>" is nothing */
	else if (left >= 2 && p[1] == '/') {
		s->p += 2;
		skip_past(s, ">");		/* "</3>": a bogus comment */
	} else if (left >= 2 && san_is_alpha((unsigned char)p[1]))
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
			san_text(&s);
	}
	close_to(&s, 0);
	buf_cstr(out);
	return 0;
}
