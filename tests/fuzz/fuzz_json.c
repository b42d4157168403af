/*
 * fuzz_json.c -- the JSON body path: request_body() with Content-Type
 * application/json reads the body through FastCGI (an in-memory request,
 * see fuzz_fcgi.h) and hands it to parse_json_body() (static in
 * request.c), then req_param() and form_parse() read fields from it.
 *
 * Input: the body. Checks: success means c->json is an object, failure
 * means a 400 with c->json unset; values req_param() returns are strings.
 */
#include "fuzz_common.h"
#include "base/conf.h"
#include "http/http.h"
#include "fuzz_fcgi.h"

static const struct field fields[] = {
	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 20, NULL },
	{ "qty", FIELD_INT, 0, 1, 1000, NULL },
	{ "id", FIELD_ID, 0, 0, 0, NULL },
	{ "phone", FIELD_PHONE, 0, 0, 0, NULL },
	{ "password", FIELD_PASSWORD, 0, 0, 64, NULL },
	{ "slug", FIELD_SLUG, 0, 0, 0, NULL },
	{ "price", FIELD_MONEY, 0, 0, 0, NULL },
	{ "on", FIELD_BOOL, 0, 0, 0, NULL },
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
	conf.max_body = 1024 * 1024;
	conf.max_upload = 8 * 1024 * 1024;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_fcgi f;
	struct ctx	 c;
	struct form	 form;
	char		*body;
	const char	*v;
	int		 rc, i;

	if (size > 256 * 1024)
		return 0;
	FUZZ_BEGIN(data, size);
	body = fuzz_dup(data, size);
	fake_init(&f, body, size);
	ctx_init(&c, arena);
	c.fcgi = &f.req;
	c.json_out = 1;
	c.method = "POST";
	c.uri = "/api/fuzz";
	c.path = "/api/fuzz";
	c.content_type = "application/json; charset=utf-8";
	c.content_length = (int64_t)size;
	strcpy(c.d.reqid, "fuzz");

	rc = request_body(&c);
	if (size == 0)
		CHECK(rc == 0 && c.json == NULL);
	else if (rc == 0) {
		CHECK(c.json != NULL &&
		    json_object_is_type(c.json, json_type_object));
		CHECK(utf8_valid(body, size));
	} else
		CHECK(rc == ERR_INVALID && c.json == NULL);
	/*
	 * The body was checked to be UTF-8 so that values are, as
	 * query_parse() guarantees for forms ("not UTF-8 or holds a NUL"
	 * is a 400 there). A value from a JSON escape must keep that.
	 */
	for (i = 0; fields[i].name != NULL; i++)
		if ((v = req_param(&c, fields[i].name)) != NULL) {
			json_object	*j = NULL;

			SOFT(utf8_valid(v, strlen(v)), "json-value-not-utf8",
			    "req_param(%s) is not UTF-8", fields[i].name);
			if (c.json != NULL && json_object_object_get_ex(c.json,
			    fields[i].name, &j) && json_object_is_type(j,
			    json_type_string))
				SOFT((size_t)json_object_get_string_len(j) ==
				    strlen(v), "json-value-nul", "req_param(%s) "
				    "cut at a NUL", fields[i].name);
		}
	rc = form_parse(&c, fields, &form);
	CHECK(rc == 0 || (rc == -1 && form.error != NULL));

	ctx_free(&c);
	fake_free(&f);
	free(body);
	arena_reset(arena);
	return 0;
}
