/*
 * tpl_render.c -- the Mustache renderer: walks a compiled template's nodes
 * (tpl_node.h) against a stack of JSON contexts (json-c), and optionally
 * an arena view model (vm.h) innermost, and appends to the caller's
 * buffer, within the limits of tpl.h; partials and parents come from the
 * caller's resolver.
 */
#include "base/base.h"
#include "http/tpl.h"
#include "base/vm.h"

#include "http/tpl_node.h"

/* Rendering state; the structs below live on the C stack. */
struct run {
	tpl_resolve_fn	 resolve;
	void		*arg;
	struct buf	*out;
	size_t		 maxlen;	/* out->len that ends the render */
	json_object	**stack;
	int		 nstack;
	struct vm_val	 top;		/* innermost, VM_NULL when none */
	int		 depth;
	long		 steps;		/* sections, partials, blocks entered */
	int		 noadd;		/* next text starts with no prefix */
};

/* A value of either kind: j, or else v (both NULL: null, or none). */
struct tv {
	json_object		*j;
	const struct vm_val	*v;
};

struct scope {				/* a value pushed by a section */
	struct tv		 obj;
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

static int	 run_nodes(struct run *, const struct tpl *, uint32_t,
		    uint32_t, const struct scope *, const struct indent *,
		    const struct over *);

/*
 * An object's key, or (as mustache.js allows) an array's element by a
 * decimal index: {{#items.0}}…{{/items.0}} tests that a list is not empty.
 */
static int
has_key_json(json_object *o, const char *key, json_object **v)
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

/* klen: key's length, as the first part's node knows it. */
static int
has_key(struct tv o, const char *key, size_t klen, struct tv *out)
{
	if (o.v != NULL) {
		out->j = NULL;
		if (o.v->type != VM_OBJ && o.v->type != VM_ARR)
			return 0;
		return (out->v = vm_get(o.v->u.c, key, klen)) != NULL;
	}
	out->v = NULL;
	return o.j != NULL && has_key_json(o.j, key, &out->j);
}

/*
 * The first part of a name is searched from the innermost context out; a
 * key present with a null value ends the search. Later parts must follow.
 */
static struct tv
lookup(const struct run *r, const struct tpl *t, const struct node *n,
    const struct scope *sc)
{
	const char	*key = t->names + n->off;
	struct tv	 v = { NULL, NULL }, none = { NULL, NULL }, o;
	size_t		 klen;
	int		 i, found = 0;

	if (n->nparts == 0) {
		if (sc != NULL)
			return sc->obj;
		if (r->top.type != VM_NULL)
			v.v = &r->top;
		else if (r->nstack > 0)
			v.j = r->stack[r->nstack - 1];
		return v;
	}
	klen = n->nparts == 1 ? n->len : strlen(key);
	for (; sc != NULL && !found; sc = sc->up)
		found = has_key(sc->obj, key, klen, &v);
	if (!found && r->top.type != VM_NULL) {
		o.j = NULL;
		o.v = &r->top;
		found = has_key(o, key, klen, &v);
	}
	for (i = r->nstack - 1; i >= 0 && !found; i--) {
		o.j = r->stack[i];
		o.v = NULL;
		found = has_key(o, key, klen, &v);
	}
	if (!found)
		return none;
	for (i = 1; i < n->nparts; i++) {
		key += klen + 1;
		klen = strlen(key);
		if (!has_key(v, key, klen, &v))
			return none;
	}
	return v;
}

static int
truthy_json(json_object *v)
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

static int
truthy(struct tv v)
{
	return v.v != NULL ? vm_truthy(v.v) : truthy_json(v.j);
}

static void
put_out(struct run *r, const char *s, size_t n, int escape)
{
	if (escape)
		buf_add_html(r->out, s, n);
	else
		buf_add(r->out, s, n);
}

/* A view model's scalar: as put_json() would print its json-c twin. */
static void
put_vm(struct run *r, const struct vm_val *v, int escape)
{
	char	num[24], *p = num + sizeof(num);
	uint64_t u;

	switch (v->type) {
	case VM_STR:
		if (v->len > 0)
			put_out(r, v->u.s, v->len, escape);
		break;
	case VM_BOOL:
		if (v->u.i)
			buf_add(r->out, "true", 4);
		else
			buf_add(r->out, "false", 5);
		break;
	case VM_INT:
		u = v->u.i < 0 ? -(uint64_t)v->u.i : (uint64_t)v->u.i;
		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v->u.i < 0)
			*--p = '-';
		buf_add(r->out, p, (size_t)(num + sizeof(num) - p));
		break;
	}
}

/* Strings as they are, numbers in decimal; objects and arrays print none. */
static void
put_json(struct run *r, json_object *v, int escape)
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
	put_out(r, s, (size_t)n, escape);
}

static void
put_value(struct run *r, struct tv v, int escape)
{
	if (v.v != NULL)
		put_vm(r, v.v, escape);
	else
		put_json(r, v.j, escape);
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
	size_t	k = tpl_blanks(*p, *n, in->strip);

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

/* Is a dotted name's last part an array index ("rows.0")? */
static int
index_part(const struct tpl *t, const struct node *n)
{
	const char	*key = t->names + n->off;
	int		 i;

	for (i = 1; i < n->nparts; i++)
		key += strlen(key) + 1;
	return *key != '\0' && strspn(key, "0123456789") == strlen(key);
}

static int
run_section(struct run *r, const struct tpl *t, uint32_t k,
    const struct scope *sc, const struct indent *in, const struct over *ov)
{
	const struct node	*n = &t->nodes[k];
	struct tv		 v = lookup(r, t, n, sc);
	struct scope		 top;
	size_t			 i, len;

	if (!truthy(v))
		return 0;
	/*
	 * {{#rows.0}}: "if rows has a first element", and nothing more. The
	 * element is not pushed (mustache.js pushes it): inside, {{#rows}}
	 * would otherwise find a key the first row has and a later row
	 * lacks in the first row, and show one row's value on another.
	 */
	if (n->nparts > 1 && index_part(t, n))
		return descend(r, t, k + 1, n->end, sc, in, ov);
	top.up = sc;
	if (v.v != NULL && v.v->type == VM_ARR) {
		top.obj.j = NULL;
		len = v.v->u.c->n;
		for (i = 0; i < len; i++) {
			top.obj.v = &v.v->u.c->u.v[i];
			if (descend(r, t, k + 1, n->end, &top, in, ov) == -1)
				return -1;
		}
		return 0;
	}
	if (v.v != NULL || !json_object_is_type(v.j, json_type_array)) {
		top.obj = v;
		return descend(r, t, k + 1, n->end, &top, in, ov);
	}
	len = json_object_array_length(v.j);
	top.obj.v = NULL;
	for (i = 0; i < len; i++) {
		top.obj.j = json_object_array_get_idx(v.j, i);
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
	return tpl_render_vm(t, stack, depth, NULL, resolve, arg, out);
}

/* As tpl_render(), with top (if not NULL) inside the innermost context. */
int
tpl_render_vm(const struct tpl *t, json_object **stack, int depth,
    const struct vm *top, tpl_resolve_fn resolve, void *arg, struct buf *out)
{
	struct run	r;

	if (t == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	if (top != NULL) {
		r.top.type = top->type;
		r.top.u.c = (struct vm *)top;
	}
	r.resolve = resolve;
	r.arg = arg;
	r.out = out;
	r.maxlen = out->len + TPL_MAXOUT;
	r.stack = stack;
	r.nstack = stack != NULL && depth > 0 ? depth : 0;
	buf_reserve(out, t->textlen);
	return run_nodes(&r, t, 0, t->nnodes, NULL, NULL, NULL);
}
