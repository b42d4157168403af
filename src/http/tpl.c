/*
 * tpl.c -- Mustache compiler and renderer: a template compiles to a flat
 * array of nodes whose text points into the template's own copy of its
 * source; rendering walks it and appends to the caller's buffer. The
 * struct tpl belongs to the caller of tpl_compile() until tpl_free().
 */
#include "dinghuo.h"

#define TPL_MAXDELIM	16		/* bytes in a set delimiter */
#define TPL_MAXSIZE	(64U << 20)	/* bytes of template source */
#define TPL_MAXPARTS	255		/* parts of a dotted name */

enum ntype {
	N_TEXT,
	N_VAR,			/* {{x}}, HTML-escaped */
	N_RAW,			/* {{{x}}} and {{&x}} */
	N_SECTION,		/* {{#x}} */
	N_INVERTED,		/* {{^x}} */
	N_PARTIAL,		/* {{>x}} */
	N_PARENT,		/* {{<x}}, its children are the overrides */
	N_BLOCK			/* {{$x}} */
};

/*
 * A node's children are the nodes up to its end. Text may span lines: with
 * an indentation in force, each line of it gets the prefix.
 */
struct node {
	uint8_t		 type;
	uint8_t		 bol;		/* text: starts a line of the source */
	uint8_t		 alone;		/* tag on a standalone line */
	uint8_t		 nparts;	/* parts of a dotted name, 0 for "." */
	uint32_t	 end;		/* index past the last child */
	uint32_t	 off;		/* text: in src; tags: name in names */
	uint32_t	 len;		/* text length; block: name length */
	uint32_t	 ind;		/* indentation: offset in src */
	uint32_t	 indlen;
	uint32_t	 strip;		/* block: indentation its lines drop */
};

struct tpl {
	struct node	*nodes;
	uint32_t	 nnodes;
	char		*src;		/* text and indentation point here */
	char		*names;		/* NUL-terminated, dotted ones split */
	size_t		 textlen;	/* bytes of text, to presize output */
};

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

/* Rendering state; the structs below live on the C stack. */
struct run {
	tpl_resolve_fn	 resolve;
	void		*arg;
	struct buf	*out;
	size_t		 maxlen;	/* out->len that ends the render */
	json_object	**stack;
	int		 nstack;
	int		 depth;
	long		 steps;		/* sections, partials, blocks entered */
	int		 noadd;		/* next text starts with no prefix */
};

struct scope {				/* a value pushed by a section */
	json_object		*obj;
	const struct scope	*up;
};

struct indent {				/* prefix for each line of text */
	const struct indent	*up;	/* outer part of the prefix */
	const char		*s;
	size_t			 n;
	size_t			 strip;	/* whitespace each line drops first */
};

struct over {				/* a parent tag and its overrides */
	const struct tpl	*t;
	uint32_t		 parent;
	const struct over	*up;	/* outer, takes precedence */
};

static int	 fail(struct comp *, uint32_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 run_nodes(struct run *, const struct tpl *, uint32_t,
		    uint32_t, const struct scope *, const struct indent *,
		    const struct over *);

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

/* Spaces and tabs that start s, at most max. */
static size_t
blanks(const char *s, size_t n, size_t max)
{
	size_t	i;

	for (i = 0; i < n && i < max && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	return i;
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
			ws = blanks(c->src + t->start, t->len, t->len);
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
			n->indlen = blanks(c->src + x->off, x->len, x->len);
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

/* Rendering. */

/*
 * An object's key, or (as mustache.js allows) an array's element by a
 * decimal index: {{#items.0}}…{{/items.0}} tests that a list is not empty.
 */
static int
has_key(json_object *o, const char *key, json_object **v)
{
	size_t	i, n = strspn(key, "0123456789");

	if (json_object_is_type(o, json_type_array) && n > 0 && n < 10 &&
	    key[n] == '\0') {
		i = strtoul(key, NULL, 10);
		if (i >= json_object_array_length(o))
			return 0;
		*v = json_object_array_get_idx(o, i);
		return 1;
	}
	return json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, v);
}

/*
 * The first part of a name is searched from the innermost context out; a
 * key present with a null value ends the search. Later parts must follow.
 */
static json_object *
lookup(const struct run *r, const struct tpl *t, const struct node *n,
    const struct scope *sc)
{
	const char	*key = t->names + n->off;
	json_object	*v = NULL;
	int		 i, found = 0;

	if (n->nparts == 0)
		return sc ? sc->obj :
		    r->nstack > 0 ? r->stack[r->nstack - 1] : NULL;
	for (; sc != NULL && !found; sc = sc->up)
		found = has_key(sc->obj, key, &v);
	for (i = r->nstack - 1; i >= 0 && !found; i--)
		found = has_key(r->stack[i], key, &v);
	if (!found)
		return NULL;
	for (i = 1; i < n->nparts; i++) {
		key += strlen(key) + 1;
		if (!has_key(v, key, &v))
			return NULL;
	}
	return v;
}

static int
truthy(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 0;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	default:
		return 1;
	}
}

/* Strings as they are, numbers in decimal; objects and arrays print none. */
static void
put_value(struct run *r, json_object *v, int escape)
{
	char		 num[40];
	const char	*s = num;
	int		 n;

	switch (json_object_get_type(v)) {
	case json_type_string:
		s = json_object_get_string(v);
		n = json_object_get_string_len(v);
		break;
	case json_type_int:
		n = snprintf(num, sizeof(num), "%" PRId64,
		    json_object_get_int64(v));
		break;
	case json_type_double:
		/* 15 digits: 1.210 is "1.21", 0.1 + 0.2 is "0.3". */
		n = snprintf(num, sizeof(num), "%.15g",
		    json_object_get_double(v));
		break;
	case json_type_boolean:
		s = json_object_get_boolean(v) ? "true" : "false";
		n = strlen(s);
		break;
	default:
		return;
	}
	if (n <= 0)
		return;
	if (escape)
		buf_add_html(r->out, s, n);
	else
		buf_add(r->out, s, n);
}

static void
put_prefix(struct buf *out, const struct indent *in)
{
	if (in == NULL)
		return;
	put_prefix(out, in->up);
	buf_add(out, in->s, in->n);
}

static void
line_start(struct run *r, const struct indent *in, const char **p,
    size_t *n, int noadd)
{
	size_t	k = blanks(*p, *n, in->strip);

	*p += k;
	*n -= k;
	if (!noadd)
		put_prefix(r->out, in);
}

/* Text with an indentation: each line that starts in it gets the prefix. */
static void
put_text(struct run *r, const struct tpl *t, const struct node *x,
    const struct indent *in, int noadd)
{
	const char	*p = t->src + x->off, *nl;
	size_t		 n = x->len;

	if (x->bol)
		line_start(r, in, &p, &n, noadd);
	while ((nl = memchr(p, '\n', n)) != NULL) {
		buf_add(r->out, p, nl - p + 1);
		n -= nl - p + 1;
		p = nl + 1;
		if (n == 0)
			return;
		line_start(r, in, &p, &n, 0);
	}
	buf_add(r->out, p, n);
}

/* The indentation inside a partial or block, or NULL if there is none. */
static const struct indent *
indent_push(struct indent *new, const struct indent *in, const char *s,
    size_t n, size_t strip)
{
	size_t	k = 0;

	if (in != NULL)
		k = in->strip < n ? in->strip : n;
	if (in == NULL && n == 0 && strip == 0)
		return NULL;
	new->up = in;
	new->s = s + k;
	new->n = n - k;
	new->strip = strip;
	return new;
}

static int
descend(struct run *r, const struct tpl *t, uint32_t from, uint32_t to,
    const struct scope *sc, const struct indent *in, const struct over *ov)
{
	int	rc;

	if (r->depth >= TPL_MAXDEPTH || ++r->steps > TPL_MAXSTEPS ||
	    r->out->len > r->maxlen)
		return -1;
	r->depth++;
	rc = run_nodes(r, t, from, to, sc, in, ov);
	r->depth--;
	return rc;
}

static int
run_section(struct run *r, const struct tpl *t, uint32_t k,
    const struct scope *sc, const struct indent *in, const struct over *ov)
{
	const struct node	*n = &t->nodes[k];
	json_object		*v = lookup(r, t, n, sc);
	struct scope		 top;
	size_t			 i, len;

	if (!truthy(v))
		return 0;
	top.up = sc;
	if (!json_object_is_type(v, json_type_array)) {
		top.obj = v;
		return descend(r, t, k + 1, n->end, &top, in, ov);
	}
	len = json_object_array_length(v);
	for (i = 0; i < len; i++) {
		top.obj = json_object_array_get_idx(v, i);
		if (descend(r, t, k + 1, n->end, &top, in, ov) == -1)
			return -1;
	}
	return 0;
}

static const struct tpl *
find_tpl(struct run *r, const struct tpl *t, const struct node *n)
{
	if (r->resolve == NULL)
		return NULL;
	return r->resolve(r->arg, t->names + n->off);
}

/* A partial or parent; a parent's blocks override those of the callee. */
static int
run_include(struct run *r, const struct tpl *t, uint32_t k,
    const struct scope *sc, const struct indent *in, const struct over *ov)
{
	const struct node	*n = &t->nodes[k];
	const struct tpl	*p;
	const struct indent	*pin = NULL;
	struct indent		 frame;
	struct over		 set;

	if ((p = find_tpl(r, t, n)) == NULL)
		return 0;
	if (n->alone)
		pin = indent_push(&frame, in, t->src + n->ind, n->indlen, 0);
	if (n->type == N_PARENT && n->end > k + 1) {
		set.t = t;
		set.parent = k;
		set.up = ov;
		ov = &set;
	}
	return descend(r, p, 0, p->nnodes, sc, pin, ov);
}

static int
find_block(const struct tpl *t, uint32_t parent, const char *name,
    uint32_t len)
{
	const struct node	*n;
	uint32_t		 k;

	for (k = parent + 1; k < t->nodes[parent].end; k = n->end) {
		n = &t->nodes[k];
		if (n->type == N_BLOCK && n->len == len &&
		    memcmp(t->names + n->off, name, len) == 0)
			return k;
	}
	return -1;
}

/* A block renders the outermost override of it, or its own content. */
static int
run_block(struct run *r, const struct tpl *t, uint32_t k,
    const struct scope *sc, const struct indent *in, const struct over *ov)
{
	const struct node	*n = &t->nodes[k], *b;
	const struct tpl	*bt = NULL;
	const struct indent	*bin;
	const struct over	*o;
	struct indent		 frame;
	int			 j, bk = -1, rc, pending = r->noadd;

	for (o = ov; o != NULL; o = o->up)
		if ((j = find_block(o->t, o->parent, t->names + n->off,
		    n->len)) != -1) {
			bt = o->t;
			bk = j;
		}
	if (bt == NULL)
		return descend(r, t, k + 1, n->end, sc, in, ov);
	b = &bt->nodes[bk];
	bin = indent_push(&frame, in, t->src + n->ind, n->indlen, b->strip);
	/* Inline, the line is started: its first text gets no prefix. */
	r->noadd = pending || !n->alone;
	rc = descend(r, bt, bk + 1, b->end, sc, bin, ov);
	r->noadd = r->noadd && pending;
	return rc;
}

static int
run_nodes(struct run *r, const struct tpl *t, uint32_t k, uint32_t end,
    const struct scope *sc, const struct indent *in, const struct over *ov)
{
	const struct node	*n;
	int			 noadd, rc = 0;

	for (; k < end && rc == 0; k = n->end) {
		n = &t->nodes[k];
		switch (n->type) {
		case N_TEXT:
			noadd = r->noadd;
			r->noadd = 0;
			if (in == NULL)
				buf_add(r->out, t->src + n->off, n->len);
			else
				put_text(r, t, n, in, noadd);
			break;
		case N_VAR:
		case N_RAW:
			put_value(r, lookup(r, t, n, sc), n->type == N_VAR);
			break;
		case N_SECTION:
			rc = run_section(r, t, k, sc, in, ov);
			break;
		case N_INVERTED:
			if (!truthy(lookup(r, t, n, sc)))
				rc = descend(r, t, k + 1, n->end, sc, in, ov);
			break;
		case N_PARTIAL:
		case N_PARENT:
			rc = run_include(r, t, k, sc, in, ov);
			break;
		case N_BLOCK:
			rc = run_block(r, t, k, sc, in, ov);
			break;
		}
	}
	return rc;
}

int
tpl_render(const struct tpl *t, json_object **stack, int depth,
    tpl_resolve_fn resolve, void *arg, struct buf *out)
{
	struct run	r;

	if (t == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	r.resolve = resolve;
	r.arg = arg;
	r.out = out;
	r.maxlen = out->len + TPL_MAXOUT;
	r.stack = stack;
	r.nstack = stack != NULL && depth > 0 ? depth : 0;
	buf_reserve(out, t->textlen);
	return run_nodes(&r, t, 0, t->nnodes, NULL, NULL, NULL);
}
