/* test_response.c -- the error table and http_fail's JSON envelope. */
#include "base/base.h"
#include "http/http.h"

#include <setjmp.h>
#include <cmocka.h>

static struct arena	*a;
static struct ctx	 c;

static int
setup(void **state)
{
	(void)state;
	a = arena_new(0);
	ctx_init(&c, a);
	c.json_out = 1;
	c.method = "POST";
	c.uri = "/api/v1/x";
	c.path = "/api/v1/x";
	strcpy(c.d.reqid, "unit");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ctx_free(&c);
	arena_free(a);
	return 0;
}

static void
test_codes(void **state)
{
	static const struct {
		enum err	 e;
		int		 status;
		const char	*code;
	} want[] = {
		{ ERR_INVALID, 400, "invalid" },
		{ ERR_UNAUTHORIZED, 401, "login_required" },
		{ ERR_FORBIDDEN, 403, "forbidden" },
		{ ERR_CSRF, 403, "csrf" },
		{ ERR_NOT_FOUND, 404, "not_found" },
		{ ERR_METHOD, 405, "method_not_allowed" },
		{ ERR_CONFLICT, 409, "conflict" },
		{ ERR_KEY_REUSED, 422, "conflict" },
		{ ERR_OUT_OF_STOCK, 409, "out_of_stock" },
		{ ERR_CREDIT_EXCEEDED, 409, "credit_exceeded" },
		{ ERR_TOO_LARGE, 413, "too_large" },
		{ ERR_UNSUPPORTED, 415, "unsupported_media_type" },
		{ ERR_TOO_MANY, 429, "rate_limited" },
		{ ERR_INTERNAL, 500, "internal" },
		{ ERR_UNAVAILABLE, 503, "unavailable" },
	};
	size_t	i;
	int	e;

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), ERR_NCODES - 1);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(err_status(want[i].e), want[i].status);
		assert_string_equal(err_code(want[i].e), want[i].code);
	}
	/* Every code has a default message fit for the user. */
	for (e = ERR_INVALID; e < ERR_NCODES; e++)
		assert_true(*err_message(e) != '\0');
	/* Out of the table is internal, never a crash. */
	assert_string_equal(err_code(ERR_NCODES), "internal");
	assert_string_equal(err_code((enum err)-1), "internal");
}

static json_object *
body(void)
{
	json_object	*j;

	j = json_tokener_parse(buf_cstr(&c.body));
	assert_non_null(j);
	arena_defer_json(a, j);
	return j;
}

static void
test_fail_json(void **state)
{
	struct form	 f;
	json_object	*j, *err, *fields;
	static const struct field fl[] = {
		{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0, "手机号" },
		{ "qty", FIELD_INT, 0, 1, 9, "数量" },
		{ NULL, 0, 0, 0, 0, NULL }
	};

	(void)state;
	kv_add(a, &c.form, "phone", "12", 2);
	kv_add(a, &c.form, "qty", "99", 2);
	assert_int_equal(form_parse(&c, fl, &f), -1);
	assert_int_equal(http_fail(&c, ERR_INVALID, f.error), 400);
	j = body();
	assert_true(json_object_object_get_ex(j, "error", &err));
	assert_string_equal(view_get_str(err, "code"), "invalid");
	assert_true(json_object_object_get_ex(err, "fields", &fields));
	assert_string_equal(view_get_str(fields, "phone"), "应为 11 位手机号");
	assert_true(*view_get_str(fields, "qty") != '\0');

	ctx_reset(&c);
	c.json_out = 1;
	c.method = "POST";
	c.uri = "/x";
	assert_int_equal(http_fail(&c, ERR_CSRF, NULL), 403);
	err = json_object_object_get(body(), "error");
	assert_string_equal(view_get_str(err, "code"), "csrf");
	assert_null(json_object_object_get(err, "fields"));

	/* An internal error hides its own message. */
	ctx_reset(&c);
	c.json_out = 1;
	c.method = "GET";
	c.uri = "/x";
	assert_int_equal(http_fail(&c, ERR_INTERNAL, "SQL syntax"), 500);
	err = json_object_object_get(body(), "error");
	assert_string_equal(view_get_str(err, "message"),
	    "服务器出错了，请稍后再试");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes),
		cmocka_unit_test_setup_teardown(test_fail_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
