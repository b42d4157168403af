/*
 * tpl.c -- the Mustache compiler: lexes a template into tokens, marks the
 * standalone lines, and emits the flat array of nodes (tpl_node.h) that
 * tpl_render.c walks. The struct tpl belongs to the caller of
 * tpl_compile() until tpl_free().
 */
#include "base/base.h"
#include "http/tpl.h"

#include "http/tpl_node.h"

#define TPL_MAXDELIM	16		/* bytes in a set delimiter */
#define TPL_MAXSIZE	(64U << 20)	/* bytes of template source */

/* Compilation lexes into tokens, marks standalone lines, emits nodes. */
enum ttype {
	T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT,
	T_DELIM, T_PARTIAL, T_PARENT, T_BLOCK
};

struct tok {
	uint8_t		 type;
	uint8_t		 closes;	/* close: type of the opening tag */
	uint8_t		 inparent;	/* block: opened inside a parent */
	uint8_t		 drop;		/* text: on a standalone line */
	uint8_t		 alone;		/* tag: on a standalone line */
	uint8_t		 bol;		/* first on a line that stays */
	uint32_t	 start;		/* text, or the name of a tag */
	uint32_t	 len;
	uint32_t	 lws;		/* leading whitespace of its line */
	uint32_t	 lwslen;
	uint32_t	 line;
};

struct comp {
	const char	*src;
	uint32_t	 len;
	uint32_t	 line;
	struct tok	*toks;
	uint32_t	 ntoks;
	uint32_t	 captoks;
	uint32_t	 open[TPL_MAXDEPTH];	/* tokens of open sections */
	int		 nopen;
	struct node	*nodes;
	uint32_t	 nnodes;
	uint32_t	 capnodes;
	struct buf	 names;
	char		*err;
	size_t		 errlen;
};

static int	 fail(struct comp *, uint32_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
fail(struct comp *c, uint32_t line, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (c->err == NULL || c->errlen == 0)
		return -1;
	n = snprintf(c->err, c->errlen, "line %u: ", line);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A tag's name fit for an error message. */
static const char *
shown(const struct comp *c, const struct tok *t, char *s, size_t sz)
{
	size_t	i;

	for (i = 0; i < t->len && i + 4 < sz; i++)
		s[i] = isprint((unsigned char)c->src[t->start + i]) ?
		    c->src[t->start + i] : '?';
	if (i < t->len)
		s[i++] = '.', s[i++] = '.', s[i++] = '.';
	s[i] = '\0';
	return s;
}

static const char *
find(const char *p, const char *end, const char *s, size_t n)
{
	while ((p = memchr(p, s[0], end - p)) != NULL) {
		if ((size_t)(end - p) < n)
			return NULL;
		if (memcmp(p, s, n) == 0)
			return p;
		p++;
	}
	return NULL;
}

static int
iswhite(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static struct tok *
tok_add(struct comp *c, int type, uint32_t start, uint32_t len)
{
	struct tok	*t;

	if (c->ntoks == c->captoks) {
		c->captoks = c->captoks ? c->captoks * 2 : 256;
		c->toks = xrealloc(c->toks, c->captoks * sizeof(*c->toks));
	}
	t = &c->toks[c->ntoks++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->start = start;
	t->len = len;
	t->line = c->line;
	return t;
}

/* Text becomes one token per line, so that lines are easy to judge. */
static void
lex_text(struct comp *c, uint32_t from, uint32_t to)
{
	const char	*nl;
	uint32_t	 e;

	while (from < to) {
		nl = memchr(c->src + from, '\n', to - from);
		e = nl ? (uint32_t)(nl - c->src) + 1 : to;
		tok_add(c, T_TEXT, from, e - from);
		if (nl != NULL)
			c->line++;
		from = e;
	}
}

/* {{=<% %>=}}: two delimiters without whitespace or '='. */
static int
lex_delim(struct comp *c, struct tok *t, char *otag, char *ctag)
{
	const char	*p = c->src + t->start, *end = p + t->len, *a, *b;
	size_t		 alen, blen;

	for (a = p; p < end && !iswhite(*p) && *p != '='; p++)
		;
	alen = p - a;
	while (p < end && iswhite(*p))
		p++;
	for (b = p; p < end && !iswhite(*p) && *p != '='; p++)
		;
	blen = p - b;
	if (p != end || alen == 0 || blen == 0 || alen > TPL_MAXDELIM ||
	    blen > TPL_MAXDELIM)
		return fail(c, t->line, "bad delimiters '%.*s'",
		    (int)(t->len > 40 ? 40 : t->len), c->src + t->start);
	memcpy(otag, a, alen);
	otag[alen] = '\0';
	memcpy(ctag, b, blen);
	ctag[blen] = '\0';
	return 0;
}

/* Names have no whitespace or control bytes and no empty dotted part. */
static int
lex_name(struct comp *c, struct tok *t)
{
	const char	*s = c->src + t->start;
	char		 name[48];
	uint32_t	 i;

	if (t->len == 0)
		return fail(c, t->line, "empty tag");
	for (i = 0; i < t->len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return fail(c, t->line, "bad name '%s'",
			    shown(c, t, name, sizeof(name)));
	if (t->type == T_PARTIAL || t->type == T_PARENT ||
	    t->type == T_BLOCK || (t->len == 1 && s[0] == '.'))
		return 0;
	for (i = 0; i < t->len; i++)
		if (s[i] == '.' && (i == 0 || i + 1 == t->len ||
		    s[i + 1] == '.'))
			return fail(c, t->line, "bad name '%s'",
			    shown(c, t, name, sizeof(name)));
	return 0;
}

static int
lex_nest(struct comp *c, uint32_t k)
{
	struct tok	*t = &c->toks[k], *o;
	char		 a[48], b[48];

	switch (t->type) {
	case T_SECTION:
	case T_INVERTED:
	case T_PARENT:
	case T_BLOCK:
		if (c->nopen == TPL_MAXDEPTH)
			return fail(c, t->line, "sections nested deeper "
			    "than %d", TPL_MAXDEPTH);
		t->inparent = c->nopen > 0 &&
		    c->toks[c->open[c->nopen - 1]].type == T_PARENT;
		c->open[c->nopen++] = k;
		break;
	case T_CLOSE:
		if (c->nopen == 0)
			return fail(c, t->line, "closing '%s' but no "
			    "section is open", shown(c, t, a, sizeof(a)));
		o = &c->toks[c->open[c->nopen - 1]];
		if (o->len != t->len || memcmp(c->src + o->start,
		    c->src + t->start, t->len) != 0)
			return fail(c, t->line, "closing '%s' but '%s' "
			    "(line %u) is open", shown(c, t, a, sizeof(a)),
			    shown(c, o, b, sizeof(b)), o->line);
		t->closes = o->type;
		c->nopen--;
		break;
	}
	return 0;
}

/* One tag at q; *pos moves past it. */
static int
lex_tag(struct comp *c, uint32_t q, uint32_t *pos, char *otag, char *ctag)
{
	static const char	 sigils[] = "{&#^/!=><$";
	static const uint8_t	 types[] = { T_RAW, T_RAW, T_SECTION,
	    T_INVERTED, T_CLOSE, T_COMMENT, T_DELIM, T_PARTIAL, T_PARENT,
	    T_BLOCK };
	const char		*p, *e, *end = c->src + c->len, *sig;
	char			 close[TPL_MAXDELIM + 2];
	struct tok		*t;
	int			 type = T_VAR;
	uint32_t		 line = c->line;
	size_t			 n;

	p = c->src + q + strlen(otag);
	if (p < end && *p != '\0' && (sig = strchr(sigils, *p)) != NULL) {
		type = types[sig - sigils];
		p++;
	}
	n = 0;
	if (type == T_DELIM || (type == T_RAW && p[-1] == '{'))
		close[n++] = p[-1] == '{' ? '}' : '=';
	memcpy(close + n, ctag, strlen(ctag) + 1);
	if ((e = find(p, end, close, strlen(close))) == NULL)
		return fail(c, line, "unclosed tag");
	*pos = (e - c->src) + strlen(close);
	for (; p < e && iswhite(*p); p++)
		;
	while (e > p && iswhite(e[-1]))
		e--;
	t = tok_add(c, type, p - c->src, e - p);
	for (p = c->src + q; p < c->src + *pos; p++)
		if (*p == '\n')
			c->line++;
	if (type == T_COMMENT)
		return 0;
	if (type == T_DELIM)
		return lex_delim(c, t, otag, ctag);
	if (lex_name(c, t) == -1)
		return -1;
	return lex_nest(c, c->ntoks - 1);
}

static int
lex(struct comp *c)
{
	char		 otag[TPL_MAXDELIM + 1] = "{{";
	char		 ctag[TPL_MAXDELIM + 1] = "}}";
	const char	*q;
	uint32_t	 pos = 0, at;
	char		 name[48];

	c->line = 1;
	while (pos < c->len) {
		q = find(c->src + pos, c->src + c->len, otag, strlen(otag));
		at = q ? (uint32_t)(q - c->src) : c->len;
		lex_text(c, pos, at);
		if (q == NULL)
			break;
		if (lex_tag(c, at, &pos, otag, ctag) == -1)
			return -1;
	}
	if (c->nopen > 0)
		return fail(c, c->toks[c->open[c->nopen - 1]].line,
		    "unclosed section '%s'", shown(c,
		    &c->toks[c->open[c->nopen - 1]], name, sizeof(name)));
	return 0;
}

static int
parent_tag(const struct tok *t)
{
	return t->type == T_PARENT ||
	    (t->type == T_CLOSE && t->closes == T_PARENT);
}

/*
 * A line of whitespace and one tag that prints nothing is standalone: the
 * whole line goes. So is a line of parent and block tags only, like
 * "{{<layout}}{{$main}}", unless it is a bare "{{$x}}{{/x}}" outside a
 * parent, which stays inline as the spec's "Standalone block" wants.
 */
static int
standalone(const struct comp *c, uint32_t a, uint32_t b)
{
	const struct tok	*t;
	const char		*s;
	uint32_t		 k, i, ntags = 0;
	int			 onlyinh = 1, parent = 0, outside = 0;

	for (k = a; k < b; k++) {
		t = &c->toks[k];
		if (t->type == T_TEXT) {
			s = c->src + t->start;
			for (i = 0; i < t->len; i++)
				if (!iswhite(s[i]))
					return 0;
			continue;
		}
		if (t->type == T_VAR || t->type == T_RAW)
			return 0;
		ntags++;
		if (parent_tag(t))
			parent = 1;
		else if (t->type == T_BLOCK)
			outside |= !t->inparent;
		else if (t->type != T_CLOSE || t->closes != T_BLOCK)
			onlyinh = 0;
	}
	if (ntags == 1)
		return 1;
	return ntags > 1 && onlyinh && (parent || !outside);
}

static void
mark_lines(struct comp *c)
{
	struct tok	*t;
	uint32_t	 a, b, k, ws;
	int		 alone;

	for (a = 0; a < c->ntoks; a = b) {
		for (b = a; b < c->ntoks; b++) {
			t = &c->toks[b];
			if (t->type == T_TEXT && t->len > 0 &&
			    c->src[t->start + t->len - 1] == '\n') {
				b++;
				break;
			}
		}
		t = &c->toks[a];
		ws = 0;
		if (t->type == T_TEXT)
			ws = tpl_blanks(c->src + t->start, t->len, t->len);
		alone = standalone(c, a, b);
		if (!alone)
			t->bol = 1;
		for (k = a; k < b; k++) {
			t = &c->toks[k];
			t->lws = c->toks[a].start;
			t->lwslen = ws;
			if (alone && t->type == T_TEXT)
				t->drop = 1;
			else if (alone)
				t->alone = 1;
		}
	}
}

static uint32_t
node_add(struct comp *c, int type, const struct tok *t)
{
	struct node	*n;

	if (c->nnodes == c->capnodes) {
		c->capnodes = c->capnodes ? c->capnodes * 2 : 64;
		c->nodes = xrealloc(c->nodes, c->capnodes * sizeof(*c->nodes));
	}
	n = &c->nodes[c->nnodes];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->end = c->nnodes + 1;
	n->off = t->start;
	n->len = t->len;
	n->alone = t->alone;
	n->ind = t->lws;
	n->indlen = t->lwslen;
	return c->nnodes++;
}

/* Names go to the pool; "a.b.c" as "a\0b\0c\0" with nparts 3. */
static int
node_name(struct comp *c, uint32_t k, const struct tok *t, int split)
{
	struct node	*n = &c->nodes[k];
	const char	*s = c->src + t->start;
	uint32_t	 i, parts = 1;

	n->off = c->names.len;
	n->len = t->len;
	if (split && t->len == 1 && s[0] == '.') {
		buf_addc(&c->names, '\0');
		return 0;
	}
	for (i = 0; i < t->len; i++) {
		if (split && s[i] == '.') {
			buf_addc(&c->names, '\0');
			parts++;
		} else
			buf_addc(&c->names, s[i]);
	}
	buf_addc(&c->names, '\0');
	if (parts > TPL_MAXPARTS)
		return fail(c, t->line, "name has more than %d parts",
		    TPL_MAXPARTS);
	n->nparts = parts;
	return 0;
}

static void
text_add(struct comp *c, const struct tok *t)
{
	struct node	*last = c->nnodes ? &c->nodes[c->nnodes - 1] : NULL;
	uint32_t	 k;

	if (t->len > 0 && last != NULL && last->type == N_TEXT &&
	    last->off + last->len == t->start) {
		last->len += t->len;
		return;
	}
	k = node_add(c, N_TEXT, t);
	c->nodes[k].bol = t->bol;
}

static int
emit(struct comp *c)
{
	static const uint8_t	 ntype[] = {
		[T_VAR] = N_VAR, [T_RAW] = N_RAW, [T_SECTION] = N_SECTION,
		[T_INVERTED] = N_INVERTED, [T_PARTIAL] = N_PARTIAL,
		[T_PARENT] = N_PARENT, [T_BLOCK] = N_BLOCK
	};
	uint32_t		 st[TPL_MAXDEPTH], k, n;
	int			 sp = 0, inparent;
	struct tok		*t, pad;

	for (k = 0; k < c->ntoks; k++) {
		t = &c->toks[k];
		inparent = sp > 0 && c->nodes[st[sp - 1]].type == N_PARENT;
		if (t->type == T_TEXT) {
			if (!t->drop && !inparent)
				text_add(c, t);
			continue;
		}
		if (t->bol && !inparent) {
			pad = *t;
			pad.len = 0;
			text_add(c, &pad);
		}
		switch (t->type) {
		case T_COMMENT:
		case T_DELIM:
			break;
		case T_CLOSE:
			n = st[--sp];
			c->nodes[n].end = c->nnodes;
			break;
		default:
			n = node_add(c, ntype[t->type], t);
			if (node_name(c, n, t, t->type == T_VAR ||
			    t->type == T_RAW || t->type == T_SECTION ||
			    t->type == T_INVERTED) == -1)
				return -1;
			if (t->type == T_SECTION || t->type == T_INVERTED ||
			    t->type == T_PARENT || t->type == T_BLOCK)
				st[sp++] = n;
		}
	}
	return 0;
}

/*
 * A block's lines are indented by its first line when its tag stands
 * alone, else by its tag's line; an override drops that much from its
 * lines and takes on the indentation of the block it replaces.
 */
static void
block_indent(struct comp *c)
{
	struct node	*n, *x;
	uint32_t	 k, j;

	for (k = 0; k < c->nnodes; k++) {
		n = &c->nodes[k];
		if (n->type != N_BLOCK || !n->alone)
			continue;
		for (j = k + 1; j < n->end && c->nodes[j].type != N_TEXT; j++)
			;
		x = j < n->end ? &c->nodes[j] : NULL;
		if (x != NULL && x->bol) {
			n->ind = x->off;
			n->indlen = tpl_blanks(c->src + x->off, x->len, x->len);
		}
		n->strip = n->indlen;
	}
}

struct tpl *
tpl_compile(const char *src, size_t len, char *err, size_t errlen)
{
	struct comp	 c;
	struct tpl	*t = NULL;
	uint32_t	 k;

	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	if (len > TPL_MAXSIZE) {
		fail(&c, 1, "template larger than %u bytes", TPL_MAXSIZE);
		return NULL;
	}
	c.src = src;
	c.len = len;
	buf_init(&c.names, 64);
	if (lex(&c) == -1)
		goto out;
	mark_lines(&c);
	if (emit(&c) == -1)
		goto out;
	block_indent(&c);
	t = xcalloc(1, sizeof(*t));
	t->nodes = c.nodes;
	t->nnodes = c.nnodes;
	t->names = c.names.p;
	t->src = xmalloc(len + 1);
	memcpy(t->src, src, len);
	t->src[len] = '\0';
	for (k = 0; k < c.nnodes; k++)
		if (c.nodes[k].type == N_TEXT)
			t->textlen += c.nodes[k].len;
	c.nodes = NULL;
	c.names.p = NULL;
out:
	free(c.toks);
	free(c.nodes);
	buf_free(&c.names);
	return t;
}

void
tpl_free(struct tpl *t)
{
	if (t == NULL)
		return;
	free(t->nodes);
	free(t->src);
	free(t->names);
	free(t);
}
