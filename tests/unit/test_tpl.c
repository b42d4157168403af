/*
 * test_tpl.c -- runs the Mustache spec files (core plus ~inheritance) from
 * $MUSTACHE_SPEC_DIR or tests/fixtures/mustache, then our own cases, and
 * prints one line per failure. Every spec test runs twice: its data as
 * json-c and as an arena view model (http/vm.h), whose JSON must also be
 * json-c's. Exits 0 only if nothing failed; a missing spec directory is a
 * failure. TPL_BENCH=1 also times a 20 KB page.
 */
#include "base/base.h"
#include "http/tpl.h"
#include "base/vm.h"

#define SPEC_DIR	"tests/fixtures/mustache"
#define MAXPARTIALS	16

static const char *spec_files[] = {
	"comments.json", "delimiters.json", "interpolation.json",
	"inverted.json", "partials.json", "sections.json",
	"~inheritance.json", NULL
};

struct partials {
	const char	*name[MAXPARTIALS];
	struct tpl	*tpl[MAXPARTIALS];
	int		 n;
};

static int	 passed, failed, own_passed, own_failed, vm_passed, vm_failed;
static struct arena *arena;

/* For util.c's allocation failures when linked without log.c. */
void log_warnx(const char *, ...) __attribute__((weak));

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct tpl *
resolve(void *arg, const char *name)
{
	struct partials	*p = arg;
	int		 i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return p->tpl[i];
	return NULL;
}

static void
partials_free(struct partials *p)
{
	while (p->n > 0)
		tpl_free(p->tpl[--p->n]);
}

/* A string with its newlines and tabs visible, for failure lines. */
static const char *
visible(struct buf *b, const char *s, size_t n)
{
	size_t	i;

	b->len = 0;
	buf_addc(b, '"');
	for (i = 0; i < n && i < 400; i++) {
		if (s[i] == '\n')
			buf_adds(b, "\\n");
		else if (s[i] == '\r')
			buf_adds(b, "\\r");
		else if (s[i] == '\t')
			buf_adds(b, "\\t");
		else
			buf_addc(b, s[i]);
	}
	buf_adds(b, i < n ? "\"..." : "\"");
	return buf_cstr(b);
}

static void
report(const char *file, const char *name, const char *want, size_t wlen,
    const char *got, size_t glen)
{
	struct buf	a, b;

	buf_init(&a, 64);
	buf_init(&b, 64);
	printf("FAIL %s: %s: expected %s, got %s\n", file, name,
	    visible(&a, want, wlen), visible(&b, got, glen));
	buf_free(&a);
	buf_free(&b);
}

static int
compile_partials(json_object *obj, struct partials *p, char *err,
    size_t errlen)
{
	struct json_object_iterator	 it, end;
	json_object			*v;

	p->n = 0;
	if (obj == NULL)
		return 0;
	it = json_object_iter_begin(obj);
	end = json_object_iter_end(obj);
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		if (p->n == MAXPARTIALS)
			return -1;
		v = json_object_iter_peek_value(&it);
		p->name[p->n] = json_object_iter_peek_name(&it);
		p->tpl[p->n] = tpl_compile(json_object_get_string(v),
		    json_object_get_string_len(v), err, errlen);
		if (p->tpl[p->n] == NULL)
			return -1;
		p->n++;
	}
	return 0;
}

static int	 to_vm_val(json_object *, struct vm_val *, int);

/* json-c's tree as a view model; -1 for what a vm cannot hold (a double). */
static struct vm *
to_vm(json_object *o, int depth)
{
	struct vm	*c;
	struct vm_val	 v;
	size_t		 i, n;

	if (depth > 32)
		return NULL;
	if (json_object_is_type(o, json_type_array)) {
		n = json_object_array_length(o);
		c = vm_arr(arena, 1);
		for (i = 0; i < n; i++) {
			if (to_vm_val(json_object_array_get_idx(o, i), &v,
			    depth) == -1)
				return NULL;
			if (v.type == VM_OBJ || v.type == VM_ARR)
				vm_push(arena, c, v.u.c);
			else {	/* a scalar in an array: as vm_push does */
				vm_push(arena, c, vm_arr(arena, 1));
				c->u.v[c->n - 1] = v;
			}
		}
		return c;
	}
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	c = vm_obj(arena, 1);
	json_object_object_foreach(o, k, val) {
		if (to_vm_val(val, &v, depth) == -1)
			return NULL;
		vm_set_i64(arena, c, k, 0);
		c->u.kv[c->n - 1].v = v;
	}
	return c;
}

static int
to_vm_val(json_object *o, struct vm_val *v, int depth)
{
	memset(v, 0, sizeof(*v));
	switch (json_object_get_type(o)) {
	case json_type_null:
		v->type = VM_NULL;
		return 0;
	case json_type_boolean:
		v->type = VM_BOOL;
		v->u.i = json_object_get_boolean(o);
		return 0;
	case json_type_int:
		v->type = VM_INT;
		v->u.i = json_object_get_int64(o);
		return 0;
	case json_type_string:
		v->type = VM_STR;
		v->u.s = json_object_get_string(o);
		v->len = (uint32_t)json_object_get_string_len(o);
		return 0;
	case json_type_array:
	case json_type_object:
		if ((v->u.c = to_vm(o, depth + 1)) == NULL)
			return -1;
		v->type = v->u.c->type;
		return 0;
	default:
		return -1;
	}
}

/* The spec test again with its data as a view model, and its JSON. */
static void
run_spec_vm(const char *file, const char *name, const struct tpl *t,
    struct partials *p, json_object *data, json_object *want)
{
	struct vm	*v;
	struct buf	 out;
	const char	*js;
	size_t		 n;

	if ((v = to_vm(data, 0)) == NULL)
		return;		/* a double, or data that is not a container */
	buf_init(&out, 256);
	if (tpl_render_vm(t, NULL, 0, v, resolve, p, &out) == 0 &&
	    out.len == (size_t)json_object_get_string_len(want) &&
	    memcmp(out.p, json_object_get_string(want), out.len) == 0)
		vm_passed++;
	else {
		vm_failed++;
		printf("vm: ");
		report(file, name, json_object_get_string(want),
		    json_object_get_string_len(want), out.p, out.len);
	}
	out.len = 0;
	vm_json(&out, v);
	js = json_object_to_json_string_length(data, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (out.len == n && memcmp(out.p, js, n) == 0)
		vm_passed++;
	else {
		vm_failed++;
		printf("vm_json: ");
		report(file, name, js, n, out.p, out.len);
	}
	buf_free(&out);
}

static void
run_spec_test(const char *file, json_object *test)
{
	json_object	*tmpl, *want, *data, *parts, *stack[1];
	struct partials	 p;
	struct tpl	*t = NULL;
	struct buf	 out;
	const char	*name;
	char		 err[256];
	int		 ok = 0;

	name = json_object_get_string(json_object_object_get(test, "name"));
	tmpl = json_object_object_get(test, "template");
	want = json_object_object_get(test, "expected");
	data = json_object_object_get(test, "data");
	parts = json_object_object_get(test, "partials");
	buf_init(&out, 256);
	err[0] = '\0';
	if (compile_partials(parts, &p, err, sizeof(err)) == 0 &&
	    (t = tpl_compile(json_object_get_string(tmpl),
	    json_object_get_string_len(tmpl), err, sizeof(err))) != NULL) {
		stack[0] = data;
		if (tpl_render(t, stack, 1, resolve, &p, &out) == 0 &&
		    out.len == (size_t)json_object_get_string_len(want) &&
		    memcmp(out.p, json_object_get_string(want), out.len) == 0)
			ok = 1;
	}
	if (t != NULL)
		run_spec_vm(file, name, t, &p, data, want);
	if (ok)
		passed++;
	else {
		failed++;
		if (err[0] != '\0')
			buf_printf(&out, "(compile error: %s)", err);
		report(file, name, json_object_get_string(want),
		    json_object_get_string_len(want), out.p, out.len);
	}
	tpl_free(t);
	partials_free(&p);
	buf_free(&out);
}

static int
run_spec_file(const char *dir, const char *file)
{
	json_object	*root, *tests;
	FILE		*fp;
	char		 path[1024];
	size_t		 i, n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "test_tpl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fclose(fp);
	if ((root = json_object_from_file(path)) == NULL) {
		fprintf(stderr, "test_tpl: %s: %s", path,
		    json_util_get_last_err());
		return -1;
	}
	if (!json_object_object_get_ex(root, "tests", &tests) ||
	    !json_object_is_type(tests, json_type_array)) {
		fprintf(stderr, "test_tpl: %s has no tests\n", path);
		json_object_put(root);
		return -1;
	}
	n = json_object_array_length(tests);
	for (i = 0; i < n; i++)
		run_spec_test(file, json_object_array_get_idx(tests, i));
	json_object_put(root);
	return 0;
}

/* Our own cases. */

static void
own_check(const char *name, int ok, const char *want, const char *got,
    size_t glen)
{
	if (ok) {
		own_passed++;
		return;
	}
	own_failed++;
	report("own", name, want, strlen(want), got ? got : "", glen);
}

/* Render src against the JSON text data with the given partials. */
static void
own_render(const char *name, const char *src, const char *data,
    struct partials *p, const char *want)
{
	json_object	*stack[1];
	struct tpl	*t;
	struct buf	 out;
	char		 err[256];
	int		 rc = -1;

	buf_init(&out, 64);
	stack[0] = json_tokener_parse(data);
	if ((t = tpl_compile(src, strlen(src), err, sizeof(err))) != NULL)
		rc = tpl_render(t, stack, 1, p ? resolve : NULL, p, &out);
	else
		buf_printf(&out, "(compile error: %s)", err);
	own_check(name, rc == 0 && out.len == strlen(want) &&
	    memcmp(out.p, want, out.len) == 0, want, out.p, out.len);
	tpl_free(t);
	json_object_put(stack[0]);
	buf_free(&out);
}

/* src must not compile, with an error that mentions n1 and n2. */
static void
own_error(const char *name, const char *src, const char *n1,
    const char *n2)
{
	struct tpl	*t;
	char		 err[256], want[128];
	int		 ok;

	err[0] = '\0';
	t = tpl_compile(src, strlen(src), err, sizeof(err));
	ok = t == NULL && strstr(err, n1) != NULL &&
	    (n2 == NULL || strstr(err, n2) != NULL);
	snprintf(want, sizeof(want), "error with '%s' and '%s'", n1,
	    n2 ? n2 : "");
	own_check(name, ok, want, t ? "(compiled)" : err,
	    t ? 10 : strlen(err));
	tpl_free(t);
}

static void
own_array_index(void)
{
	own_render("array index", "{{#a.0}}has {{a.1.n}}{{/a.0}}"
	    "{{^b.0}} none{{/b.0}}{{#a.9}}x{{/a.9}}{{a.x}}",
	    "{\"a\": [{\"n\": 1}, {\"n\": 2}], \"b\": []}", NULL,
	    "has 2 none");
	/* {{#rows.0}} only tests: a later row never shows the first's key. */
	own_render("array index does not push", "{{#r.0}}{{#r}}[{{#q}}{{q}}"
	    "{{/q}}]{{/r}}{{/r.0}}", "{\"r\": [{\"q\": 5}, {}]}", NULL,
	    "[5][]");
	own_render("array index: page keys inside", "{{#r.0}}{{n}}{{/r.0}}",
	    "{\"n\": \"page\", \"r\": [{\"n\": \"row\"}]}", NULL, "page");
}

static void
own_escaping(void)
{
	own_render("html escaping", "{{s}}|{{{s}}}|{{&s}}",
	    "{\"s\": \"& < > \\\" '\"}",
	    NULL, "&amp; &lt; &gt; &quot; &#39;|& < > \" '|& < > \" '");
	own_render("values", "{{i}} {{n}} {{d}} {{e}} {{g}} {{t}} {{f}} "
	    "[{{z}}] [{{o}}] [{{a}}]",
	    "{\"i\": -42, \"n\": 9007199254740993, \"d\": 1.210, "
	    "\"e\": 0.30000000000000004, \"g\": 1e21, \"t\": true, "
	    "\"f\": false, \"z\": null, \"o\": {\"x\": 1}, \"a\": [1]}",
	    NULL, "-42 9007199254740993 1.21 0.3 1e+21 true false [] [] []");
	own_render("empty string is falsey",
	    "{{#logo}}<img src=\"{{logo}}\">{{/logo}}{{^logo}}none{{/logo}}",
	    "{\"logo\": \"\"}", NULL, "none");
	own_render("zero is truthy", "{{#n}}[{{n}}]{{/n}}", "{\"n\": 0}",
	    NULL, "[0]");
}

static void
own_stack(void)
{
	json_object	*stack[2];
	struct tpl	*t;
	struct buf	 out;
	char		 err[256];
	const char	*src = "{{title}}|{{a}}|{{#a}}x{{/a}}|{{b}}|{{g.x}}";
	const char	*want = "view title||||1";

	buf_init(&out, 64);
	stack[0] = json_tokener_parse("{\"title\": \"global\", \"a\": "
	    "\"outer\", \"b\": \"outer b\", \"g\": {\"x\": 1}}");
	stack[1] = json_tokener_parse("{\"title\": \"view title\", "
	    "\"a\": null, \"b\": \"\"}");
	t = tpl_compile(src, strlen(src), err, sizeof(err));
	if (t != NULL)
		tpl_render(t, stack, 2, NULL, NULL, &out);
	own_check("context stack, present null stops lookup", t != NULL &&
	    out.len == strlen(want) && memcmp(out.p, want, out.len) == 0,
	    want, out.p, out.len);
	tpl_free(t);
	json_object_put(stack[0]);
	json_object_put(stack[1]);
	buf_free(&out);
}

static void
own_partials(void)
{
	struct partials	 p;
	char		 err[256];
	const char	*base = "<html>\n<head><title>{{$title}}Shop{{/title}}"
	    "</title></head>\n<body>\n  {{>partials/nav}}\n  <main>\n"
	    "    {{$main}}\n    {{/main}}\n  </main>\n</body>\n</html>\n";
	const char	*nav = "<nav>\n  {{#items}}\n  <a>{{.}}</a>\n"
	    "  {{/items}}\n</nav>\n";
	const char	*self = "{{>self}}";
	const char	*inl = "<ul>\n  {{$b}}{{/b}}\n</ul>\n";

	p.n = 0;
	p.name[p.n] = "layout/base";
	p.tpl[p.n++] = tpl_compile(base, strlen(base), err, sizeof(err));
	p.name[p.n] = "partials/nav";
	p.tpl[p.n++] = tpl_compile(nav, strlen(nav), err, sizeof(err));
	p.name[p.n] = "self";
	p.tpl[p.n++] = tpl_compile(self, strlen(self), err, sizeof(err));
	p.name[p.n] = "inline";
	p.tpl[p.n++] = tpl_compile(inl, strlen(inl), err, sizeof(err));

	own_render("missing partial", "[{{>nope}}]", "{}", &p, "[]");
	own_render("no resolver", "[{{>nope}}{{<nope}}{{/nope}}]", "{}",
	    NULL, "[]");
	own_render("layout", "{{<layout/base}}\n"
	    "{{$title}}Cart{{/title}}\n"
	    "{{$main}}\n"
	    "<h1>{{h}}</h1>\n"
	    "<p>x</p>\n"
	    "{{/main}}\n"
	    "{{/layout/base}}\n",
	    "{\"h\": \"Cart & co\", \"items\": [\"a\", \"b\"]}", &p,
	    "<html>\n<head><title>Cart</title></head>\n<body>\n"
	    "  <nav>\n    <a>a</a>\n    <a>b</a>\n  </nav>\n"
	    "  <main>\n    <h1>Cart &amp; co</h1>\n    <p>x</p>\n"
	    "  </main>\n</body>\n</html>\n");
	own_render("layout without overrides",
	    "{{<layout/base}}{{/layout/base}}", "{\"items\": []}", &p,
	    "<html>\n<head><title>Shop</title></head>\n<body>\n"
	    "  <nav>\n  </nav>\n  <main>\n  </main>\n</body>\n"
	    "</html>\n");
	own_render("inline block, override opens with a section",
	    "{{<inline}}{{$b}}\n{{#l}}\n<li>{{.}}</li>\n{{/l}}\n"
	    "{{/b}}{{/inline}}\n", "{\"l\": [1, 2]}", &p,
	    "<ul>\n  <li>1</li>\n  <li>2</li>\n\n</ul>\n");
	{
		json_object	*stack[1] = { NULL };
		struct buf	 out;
		int		 rc;

		buf_init(&out, 64);
		rc = tpl_render(p.tpl[2], stack, 1, resolve, &p, &out);
		own_check("partial recursion is stopped", rc == -1, "-1",
		    rc == -1 ? "-1" : "0", 2);
		buf_free(&out);
	}
	partials_free(&p);
}

static void
own_bomb(const char *src)
{
	json_object	*stack[1];
	struct tpl	*t;
	struct buf	 out;
	char		 err[256];
	int		 rc = 0;

	buf_init(&out, 64);
	stack[0] = json_tokener_parse("{\"l\": [0,1,2,3,4,5,6,7,8,9]}");
	if ((t = tpl_compile(src, strlen(src), err, sizeof(err))) != NULL)
		rc = tpl_render(t, stack, 1, NULL, NULL, &out);
	own_check("template bomb is stopped", rc == -1, "-1", "0", 1);
	tpl_free(t);
	json_object_put(stack[0]);
	buf_free(&out);
}

static void
own_nesting(void)
{
	struct buf	 src, want, data;
	int		 i;

	buf_init(&src, 1024);
	buf_init(&want, 64);
	buf_init(&data, 1024);
	for (i = 0; i < TPL_MAXDEPTH; i++)
		buf_printf(&src, "{{#a%d}}", i);
	buf_adds(&src, "{{v}}");
	for (i = TPL_MAXDEPTH - 1; i >= 0; i--)
		buf_printf(&src, "{{/a%d}}", i);
	buf_adds(&data, "{\"v\": \"deep\"");
	for (i = 0; i < TPL_MAXDEPTH; i++)
		buf_printf(&data, ", \"a%d\": {\"v%d\": 1}", i, i);
	buf_adds(&data, "}");
	own_render("64 nested sections", buf_cstr(&src), buf_cstr(&data),
	    NULL, "deep");

	src.len = 0;
	for (i = 0; i < TPL_MAXDEPTH + 1; i++)
		buf_adds(&src, "{{#a}}\n");
	for (i = 0; i < TPL_MAXDEPTH + 1; i++)
		buf_adds(&src, "{{/a}}\n");
	own_error("65 nested sections", buf_cstr(&src), "line 65",
	    "deeper than");

	/* 10^8 section entries: stopped by TPL_MAXSTEPS, not by time. */
	src.len = 0;
	for (i = 0; i < 8; i++)
		buf_adds(&src, "{{#l}}");
	for (i = 0; i < 8; i++)
		buf_adds(&src, "{{/l}}");
	own_bomb(buf_cstr(&src));
	buf_free(&src);
	buf_free(&want);
	buf_free(&data);
}

static void
own_errors(void)
{
	own_error("unclosed section", "x\n{{#a}}\ny\n", "line 2",
	    "unclosed section 'a'");
	own_error("unopened close", "x\n\n{{/b}}", "line 3", "'b'");
	own_error("mismatched close", "{{#a}}\n{{^c}}\n{{/a}}", "line 3",
	    "'c' (line 2)");
	own_error("unclosed tag", "ok\n{{name", "line 2", "unclosed tag");
	own_error("unclosed triple", "{{{name}}", "line 1", "unclosed tag");
	own_error("bad name", "{{a b}}", "line 1", "bad name");
	own_error("empty name", "{{#}}{{/}}", "line 1", "empty");
	own_error("bad dotted name", "{{a..b}}", "line 1", "bad name");
	own_error("bad delimiters", "\n{{=<% %> x=}}", "line 2",
	    "delimiters");
	own_error("unclosed parent", "{{<layout}}{{$a}}{{/a}}", "line 1",
	    "layout");
	own_error("unclosed block in comment", "{{! {{#a}} }}{{#b}}",
	    "line 1", "'b'");
}

/* A template of a megabyte or more, thousands of tags. */
static void
own_large(void)
{
	struct buf	 src, want;
	const char	*row = "<li class=\"{{cls}}\">{{name}} {{{raw}}}"
	    "{{#flag}} yes{{/flag}}{{^flag}} no{{/flag}}</li>\n";
	const char	*out = "<li class=\"a&amp;b\">&lt;x&gt; <b> yes</li>\n";

	buf_init(&src, 1 << 20);
	buf_init(&want, 1 << 20);
	while (src.len < (1 << 20)) {
		buf_adds(&src, row);
		buf_adds(&want, out);
	}
	own_render("1 MB template", buf_cstr(&src), "{\"cls\": \"a&b\", "
	    "\"name\": \"<x>\", \"raw\": \"<b>\", \"flag\": true}", NULL,
	    buf_cstr(&want));
	buf_free(&src);
	buf_free(&want);
}

/* About 20 KB of HTML with a 20 item list; prints microseconds a render. */
static void
bench(void)
{
	struct buf	 src, out, data;
	struct tpl	*t;
	json_object	*stack[2];
	struct timespec	 a, b;
	char		 err[256];
	int		 i, n = 20000;
	double		 us;

	buf_init(&src, 32768);
	buf_init(&data, 4096);
	buf_init(&out, 32768);
	buf_adds(&src, "<!doctype html>\n<html>\n<head><title>{{title}} - "
	    "{{shop.name}}</title></head>\n<body>\n");
	while (src.len < 13500)
		buf_adds(&src, "  <div class=\"static\">Lorem ipsum dolor "
		    "sit amet, consectetur adipiscing elit, sed do.</div>\n");
	buf_adds(&src, "  <ul>\n  {{#items}}\n    <li><a href=\"{{base}}/p/"
	    "{{id}}\">{{name}}</a> {{price}} {{#stock}}in stock{{/stock}}"
	    "{{^stock}}sold out{{/stock}}</li>\n  {{/items}}\n  </ul>\n");
	while (src.len < 18500)
		buf_adds(&src, "  <p>{{shop.footer}} static text static text "
		    "static text static text.</p>\n");
	buf_adds(&src, "</body>\n</html>\n");
	buf_adds(&data, "{\"title\": \"Catalog\", \"items\": [");
	for (i = 0; i < 20; i++)
		buf_printf(&data, "%s{\"id\": %d, \"name\": \"Product <%d> "
		    "with a longer name\", \"price\": \"%d.50\", "
		    "\"stock\": %s}", i ? ", " : "", i, i, i * 3,
		    i % 3 ? "true" : "false");
	buf_adds(&data, "]}");
	stack[0] = json_tokener_parse("{\"base\": \"/s/acme\", \"shop\": "
	    "{\"name\": \"Acme\", \"footer\": \"Acme & Sons\"}}");
	stack[1] = json_tokener_parse(buf_cstr(&data));
	t = tpl_compile(src.p, src.len, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		out.len = 0;
		tpl_render(t, stack, 2, NULL, NULL, &out);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / n;
	printf("bench: %zu byte template, %zu byte page, %.2f us a render\n",
	    src.len, out.len, us);
	tpl_free(t);
	json_object_put(stack[0]);
	json_object_put(stack[1]);
	buf_free(&src);
	buf_free(&data);
	buf_free(&out);
}

/* Strings json-c escapes, and numbers at the ends of int64. */
static void
own_vm_json(void)
{
	static const char	 odd[] = "a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f 中 <&>";
	json_object		*o = json_object_new_object(), *arr;
	struct vm		*v = vm_obj(arena, 1), *va = vm_arr(arena, 0);
	struct buf		 out;
	const char		*js;
	size_t			 n;

	json_object_object_add(o, "s", json_object_new_string(odd));
	vm_set_str(arena, v, "s", odd);
	json_object_object_add(o, "min", json_object_new_int64(INT64_MIN));
	vm_set_i64(arena, v, "min", INT64_MIN);
	json_object_object_add(o, "max", json_object_new_int64(INT64_MAX));
	vm_set_i64(arena, v, "max", INT64_MAX);
	json_object_object_add(o, "zero", json_object_new_int64(0));
	vm_set_i64(arena, v, "zero", 0);
	json_object_object_add(o, "n", NULL);
	vm_set_str(arena, v, "n", NULL);
	arr = json_object_new_array();
	json_object_object_add(o, "empty", arr);
	vm_set(arena, v, "empty", va);
	json_object_object_add(o, "eo", json_object_new_object());
	vm_set(arena, v, "eo", vm_obj(arena, 0));
	json_object_object_add(o, "t", json_object_new_boolean(1));
	vm_set_bool(arena, v, "t", 7);
	buf_init(&out, 256);
	vm_json(&out, v);
	js = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (out.len == n && memcmp(out.p, js, n) == 0)
		vm_passed++;
	else {
		vm_failed++;
		report("own", "vm_json escaping", js, n, out.p, out.len);
	}
	buf_free(&out);
	json_object_put(o);
}

int
main(void)
{
	const char	*dir, **f;

	if ((dir = getenv("MUSTACHE_SPEC_DIR")) == NULL || *dir == '\0')
		dir = SPEC_DIR;
	arena = arena_new(64 * 1024);
	own_vm_json();
	for (f = spec_files; *f != NULL; f++)
		if (run_spec_file(dir, *f) == -1) {
			fprintf(stderr, "test_tpl: no Mustache spec in %s; "
			    "set MUSTACHE_SPEC_DIR\n", dir);
			return 1;
		}
	own_escaping();
	own_array_index();
	own_stack();
	own_partials();
	own_nesting();
	own_errors();
	own_large();
	if (getenv("TPL_BENCH") != NULL)
		bench();
	printf("own cases: %d passed, %d failed\n", own_passed, own_failed);
	printf("mustache spec: %d passed, %d failed\n", passed, failed);
	printf("as view models: %d passed, %d failed\n", vm_passed, vm_failed);
	arena_free(arena);
	return failed == 0 && own_failed == 0 && vm_failed == 0 ? 0 : 1;
}
