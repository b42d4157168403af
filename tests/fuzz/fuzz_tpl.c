/*
 * fuzz_tpl.c -- the Mustache compiler and renderer (tpl.c).
 *
 * Input: templates separated by NUL bytes. The first is the page; the
 * next (if any) are partials/parents the resolver hands out:
 *   "a", "partials/nav"  -> the 2nd,   "b", "layout/base" -> the 3rd,
 *   "c"                  -> the 4th,   "self"             -> the page,
 * anything else -> NULL (an empty partial). Every template is compiled
 * (a NULL result must come with an error message, a compiled one without)
 * and the page is rendered against a small fixed view (globals + page
 * view, as render_page() does), into a buffer that already holds a few
 * bytes, checking the return value and that nothing before them changed.
 */
#include "fuzz_common.h"
#include "http/tpl.h"

#define NTPL	4

static json_object	*stack[2];
static struct buf	 out;

static const char view_json[] =
    "{\"title\":\"<b>茶 & \\\"tea\\\"</b>\",\"n\":42,\"neg\":-7,"
    "\"pi\":3.14159,\"big\":9007199254740993,\"t\":true,\"f\":false,"
    "\"z\":null,\"empty\":\"\",\"zero\":0,"
    "\"user\":{\"name\":\"张三\",\"role\":\"owner\",\"shop\":{\"slug\":\"acme\"}},"
    "\"items\":[{\"name\":\"红茶\",\"price\":\"12.50\",\"skus\":[{\"code\":"
    "\"A1\"},{\"code\":\"A2\"}]},{\"name\":\"绿茶\",\"price\":\"8.00\","
    "\"skus\":[]},{\"name\":\"<i>x</i>\",\"on\":true}],"
    "\"nums\":[1,2,3],\"none\":[],\"nested\":[[1,[2,[3]]],{\"a\":{\"b\":"
    "{\"c\":\"deep\"}}}],\"list\":{\"0\":\"zero\",\"1\":\"one\"}}";
static const char globals_json[] =
    "{\"site\":\"订货\",\"base\":\"/s/acme\",\"csrf\":\"abc123\","
    "\"theme\":\"default\",\"title\":\"global title\",\"year\":2024}";

struct set {
	const struct tpl	*t[NTPL];
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	stack[0] = json_tokener_parse(globals_json);
	stack[1] = json_tokener_parse(view_json);
	if (stack[0] == NULL || stack[1] == NULL)
		abort();
	buf_init(&out, 0);
	return 0;
}

static const struct tpl *
resolve(void *arg, const char *name)
{
	struct set	*s = arg;

	if (strcmp(name, "a") == 0 || strcmp(name, "partials/nav") == 0)
		return s->t[1];
	if (strcmp(name, "b") == 0 || strcmp(name, "layout/base") == 0)
		return s->t[2];
	if (strcmp(name, "c") == 0)
		return s->t[3];
	if (strcmp(name, "self") == 0)
		return s->t[0];
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct set	 s;
	struct tpl	*t[NTPL] = { NULL };
	char		 err[128], *src[NTPL] = { NULL };
	const uint8_t	*p = data, *end = data + size, *z;
	int		 i, n, rc;

	if (size > 64 * 1024)
		return 0;
	for (n = 0; n < NTPL && p != NULL; n++) {
		if ((z = memchr(p, '\0', (size_t)(end - p))) == NULL)
			z = end;
		/* Exactly the template's bytes: the compiler must not read on. */
		src[n] = fuzz_dup(p, (size_t)(z - p));
		memset(err, 'X', sizeof(err));
		t[n] = tpl_compile(src[n], (size_t)(z - p), err, sizeof(err));
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		if (t[n] == NULL)
			CHECKF(err[0] != '\0', "NULL without a message");
		else
			CHECKF(err[0] == '\0', "compiled, with '%s'", err);
		p = z < end ? z + 1 : NULL;
	}
	/* The compiled template has its own copy of the source. */
	for (i = 0; i < n; i++) {
		free(src[i]);
		src[i] = NULL;
	}
	memset(&s, 0, sizeof(s));
	for (i = 0; i < NTPL; i++)
		s.t[i] = t[i];

	if (t[0] != NULL) {
		out.len = 0;
		buf_adds(&out, "HEAD");
		rc = tpl_render(t[0], stack, 2, resolve, &s, &out);
		CHECK(rc == 0 || rc == -1);
		CHECK(out.len >= 4 && memcmp(out.p, "HEAD", 4) == 0);
		/* The size limit is checked between sections: allow slack. */
		CHECK(out.len <= 4 + TPL_MAXOUT + (size_t)64 * 1024 * 1024);
		/* And once with no stack and no resolver. */
		out.len = 0;
		rc = tpl_render(t[0], NULL, 0, NULL, NULL, &out);
		CHECK(rc == 0 || rc == -1);
	}
	for (i = 0; i < NTPL; i++)
		tpl_free(t[i]);
	return 0;
}
