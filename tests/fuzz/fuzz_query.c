/*
 * fuzz_query.c -- query_parse() (query strings and urlencoded form bodies),
 * cookie_parse() and form_parse() over what they produce.
 *
 * The whole input is a query string / form body. The same bytes, up to
 * the first NUL, are also parsed as a Cookie header. Then form_parse()
 * validates the parsed query against a table holding every field type.
 */
#include "fuzz_common.h"
#include "http/http.h"

enum { F_TEXT, F_INT, F_ID, F_PHONE, F_PASS, F_SLUG, F_MONEY, F_BOOL,
	F_NOTE };
static const struct field fields[] = {
	[F_TEXT] = { "name", FIELD_TEXT, FIELD_REQUIRED, 1, 20, "名称" },
	[F_INT] = { "qty", FIELD_INT, 0, -5, 1000, "数量" },
	[F_ID] = { "id", FIELD_ID, 0, 0, 0, NULL },
	[F_PHONE] = { "phone", FIELD_PHONE, 0, 0, 0, "手机号" },
	[F_PASS] = { "password", FIELD_PASSWORD, 0, 8, 64, "密码" },
	[F_SLUG] = { "slug", FIELD_SLUG, 0, 0, 0, NULL },
	[F_MONEY] = { "price", FIELD_MONEY, 0, 1, 100000000, "价格" },
	[F_BOOL] = { "on", FIELD_BOOL, 0, 0, 0, NULL },
	[F_NOTE] = { "note", FIELD_TEXT, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

static struct arena	*arena;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	arena = arena_new(0);
	return 0;
}

static void
check_query(const struct kvlist *l, const char *s, size_t n,
    const uint8_t *orig)
{
	size_t	 amps = 0, i;
	int	 k;

	for (i = 0; i < n; i++)
		amps += orig[i] == '&';
	CHECK(l->n <= (int)amps + 1);
	for (k = 0; k < l->n; k++) {
		const struct kv	*v = &l->v[k];

		/* Names and values point into s (decoding only shrinks). */
		CHECK(v->name >= s && v->name <= s + n);
		CHECK(v->value >= s && v->value <= s + n);
		/* An empty name ("=x") is kept: nothing promises else. */
		CHECK(strlen(v->value) == v->len);
		CHECK(utf8_valid(v->name, strlen(v->name)));
		CHECK(utf8_valid(v->value, v->len));
	}
}

static void
check_cookies(const struct kvlist *l)
{
	int	k;

	for (k = 0; k < l->n; k++) {
		const struct kv	*v = &l->v[k];

		CHECK(strchr(v->name, ';') == NULL);
		CHECK(strchr(v->name, '=') == NULL);
		CHECK(v->name[0] != ' ');
		CHECK(strchr(v->value, ';') == NULL);
		CHECK(strlen(v->value) == v->len);
	}
}

static void
check_form(const struct form *f, int rc)
{
	const struct form_value	*v = f->v;
	int			 i;

	if (rc == -1) {
		CHECK(f->error != NULL && *f->error != '\0');
		CHECK(f->errors != NULL);
		CHECK(utf8_valid(f->error, strlen(f->error)));
	} else
		CHECK(f->error == NULL);
	for (i = 0; fields[i].name != NULL; i++) {
		if (!v[i].present)
			continue;
		CHECK(v[i].s != NULL && *v[i].s != '\0');
		switch (fields[i].type) {
		case FIELD_INT:
			CHECK(v[i].i64 >= fields[i].min &&
			    v[i].i64 <= fields[i].max);
			break;
		case FIELD_ID:
			CHECK(v[i].i64 >= 1);
			break;
		case FIELD_MONEY:
			CHECK(v[i].i64 >= fields[i].min &&
			    v[i].i64 <= fields[i].max);
			break;
		case FIELD_BOOL:
			CHECK(v[i].i64 == 0 || v[i].i64 == 1);
			break;
		case FIELD_PHONE:
			CHECK(strlen(v[i].s) == 11);
			break;
		case FIELD_TEXT:
			if (fields[i].max)
				CHECK(utf8_len(v[i].s) <=
				    (size_t)fields[i].max);
			break;
		default:
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist	 q = { 0 }, ck = { 0 };
	struct ctx	 c;
	struct form	 f;
	char		*s, *hdr;
	int		 rc;

	if (size > 64 * 1024)
		return 0;
	/* As in request_body(): n bytes and room for the NUL at [n]. */
	s = fuzz_dup0(data, size);
	rc = query_parse(arena, &q, s, size);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0)
		check_query(&q, s, size, data);

	hdr = fuzz_dup0(data, size);	/* a C string: up to the first NUL */
	cookie_parse(arena, &ck, hdr);
	check_cookies(&ck);

	if (rc == 0) {
		ctx_init(&c, arena);
		c.json_out = 1;
		c.method = "POST";
		c.uri = "/fuzz";
		c.query = q;
		rc = form_parse(&c, fields, &f);
		CHECK(rc == 0 || rc == -1);
		check_form(&f, rc);
		ctx_free(&c);
	}

	free(s);
	free(hdr);
	arena_reset(arena);
	return 0;
}
