/*
 * test_request.c -- query, cookie and multipart parsing; form validation;
 * the CSRF token: decided before the handler, read from the body only.
 */
#include "base/base.h"
#include "domain/session.h"
#include "http/http.h"

#include <setjmp.h>
#include <cmocka.h>

static struct arena	*a;
static struct ctx	 c;

static int
setup(void **state)
{
	a = arena_new(0);
	ctx_init(&c, a);
	c.json_out = 1;		/* errors render as JSON: no templates here */
	c.method = "POST";
	c.uri = "/test";
	strcpy(c.d.reqid, "unit");
	return 0;
}

static int
teardown(void **state)
{
	ctx_free(&c);
	arena_free(a);
	return 0;
}

static char *
dup(const char *s)
{
	return arena_strdup(a, s);
}

static void
test_query(void **state)
{
	struct kvlist	 l = { 0 };
	char		*q = dup("a=1&b=%E4%B8%AD+x&&flag&c=");

	assert_int_equal(query_parse(a, &l, q, strlen(q)), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(kv_get(&l, "a"), "1");
	assert_string_equal(kv_get(&l, "b"), "中 x");
	assert_string_equal(kv_get(&l, "flag"), "");
	assert_string_equal(kv_get(&l, "c"), "");
	assert_null(kv_get(&l, "zz"));
	q = dup("bad=%ff%fe");
	assert_int_equal(query_parse(a, &l, q, strlen(q)), -1);
	q = dup("nul=a%00b");
	assert_int_equal(query_parse(a, &l, q, strlen(q)), -1);
}

static void
test_cookies(void **state)
{
	struct kvlist	l = { 0 };

	cookie_parse(a, &l, "sid=abc; csrf=\"q\";theme=x;;junk");
	assert_string_equal(kv_get(&l, "sid"), "abc");
	assert_string_equal(kv_get(&l, "csrf"), "q");
	assert_string_equal(kv_get(&l, "theme"), "x");
	assert_null(kv_get(&l, "junk"));
}

#define CT "multipart/form-data; boundary=XyZ"

static const char mp_body[] = "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
    "茶叶\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"img\"; "
    "filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
    "\x89PNG\r\n\x1a\n\0bin\r\n"
    "--XyZ--\r\n";

static void
test_multipart(void **state)
{
	size_t	 len = sizeof(mp_body) - 1;	/* it holds a NUL byte */
	char	*body = arena_alloc(a, len + 1);

	memcpy(body, mp_body, len + 1);
	assert_int_equal(multipart_parse(&c, body, len, CT), 0);
	assert_string_equal(kv_get(&c.form, "title"), "茶叶");
	assert_int_equal(c.nuploads, 1);
	assert_string_equal(c.uploads[0].field, "img");
	assert_string_equal(c.uploads[0].filename, "a.png");
	assert_string_equal(c.uploads[0].type, "image/png");
	assert_int_equal(c.uploads[0].len, 12);
	assert_memory_equal(c.uploads[0].data, "\x89PNG\r\n\x1a\n\0bin", 12);
}

static void
test_multipart_quoted_boundary(void **state)
{
	char	*body = arena_strdup(a, "--q b\r\nContent-Disposition: "
	    "form-data; name=\"x\"\r\n\r\n1\r\n--q b--\r\n");

	memset(&c.form, 0, sizeof(c.form));
	assert_int_equal(multipart_parse(&c, body, strlen(body),
	    "multipart/form-data; boundary=\"q b\""), 0);
	assert_string_equal(kv_get(&c.form, "x"), "1");
}

static void
test_multipart_bad(void **state)
{
	char	*b1 = dup("--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"x\"\r\n\r\nno end");
	char	*b2 = dup("garbage");

	assert_int_equal(multipart_parse(&c, b1, strlen(b1), CT), ERR_INVALID);
	assert_string_equal(c.d.error, "multipart 缺少结束标记");
	assert_int_equal(multipart_parse(&c, b2, strlen(b2), CT), ERR_INVALID);
	assert_int_equal(multipart_parse(&c, b2, strlen(b2),
	    "multipart/form-data"), ERR_INVALID);
	assert_int_equal(c.status, 0);	/* the caller calls http_fail */
}

enum { F_PHONE, F_QTY, F_NOTE };
static const struct field fields[] = {
	[F_PHONE] = { "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0, "手机号" },
	[F_QTY] = { "qty", FIELD_INT, FIELD_REQUIRED, 1, 1000, "数量" },
	[F_NOTE] = { "note", FIELD_TEXT, 0, 0, 5, "备注" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static void
test_form(void **state)
{
	struct form	 f;
	char		*q = dup("phone=13900000000&qty=+12+&note=%E4%BD%A0%E5%A5%BD");

	memset(&c.query, 0, sizeof(c.query));
	query_parse(a, &c.query, q, strlen(q));
	assert_int_equal(form_parse(&c, fields, &f), 0);
	assert_string_equal(f.v[F_PHONE].s, "13900000000");
	assert_int_equal(f.v[F_QTY].i64, 12);
	assert_string_equal(f.v[F_NOTE].s, "你好");

	memset(&c.query, 0, sizeof(c.query));
	q = dup("phone=123&qty=-3&note=%E4%BD%A0%E5%A5%BD%E4%BD%A0%E5%A5%BD%E4%BD%A0%E5%A5%BD");
	query_parse(a, &c.query, q, strlen(q));
	assert_int_equal(form_parse(&c, fields, &f), -1);
	assert_non_null(strstr(f.error, "手机号：应为 11 位手机号"));
	assert_non_null(strstr(f.error, "数量：太小"));
	assert_non_null(strstr(f.error, "备注：最多 5 个字"));

	memset(&c.query, 0, sizeof(c.query));
	assert_int_equal(form_parse(&c, fields, &f), -1);
	assert_non_null(strstr(f.error, "手机号：请填写"));
}

static void
test_form_json(void **state)
{
	struct form	 f;

	memset(&c.query, 0, sizeof(c.query));
	c.json = arena_defer_json(a, json_tokener_parse(
	    "{\"phone\":\"13800000000\",\"qty\":5,\"note\":{\"x\":1}}"));
	assert_int_equal(form_parse(&c, fields, &f), 0);
	assert_int_equal(f.v[F_QTY].i64, 5);
	assert_false(f.v[F_NOTE].present);	/* objects are not text */
	c.json = NULL;
}

/* form_parse() of fields[] over a query string: 0 or -1. */
static int
parse_query(const char *query, struct form *f)
{
	char	*q = dup(query);

	memset(&c.query, 0, sizeof(c.query));
	query_parse(a, &c.query, q, strlen(q));
	return form_parse(&c, fields, f);
}

static void
test_form_bidi(void **state)
{
	struct form	 f;

	assert_int_equal(parse_query("phone=13900000000&qty=1&"
	    "note=%E7%8E%8B%E2%80%AE%E4%B8%89", &f), -1);
	assert_string_equal(f.error, "备注：含有不可见的文字方向控制符，请删除后"
	    "重试");
	/* U+2069 at the very end; its neighbours are no controls. */
	assert_int_equal(parse_query("phone=13900000000&qty=1&note=%E2%81%A9",
	    &f), -1);
	assert_int_equal(parse_query("phone=13900000000&qty=1&"
	    "note=%E2%80%A9%E2%81%AA", &f), 0);
	memset(&c.query, 0, sizeof(c.query));
}

/* A guest without a cookie: one fresh token, set once, before rendering. */
static void
test_csrf_prepare(void **state)
{
	size_t	 n;

	memset(&c.cookies, 0, sizeof(c.cookies));
	memset(&c.d.sess, 0, sizeof(c.d.sess));
	c.headers.len = 0;
	c.json_out = 0;
	c.csrf = NULL;
	assert_int_equal(csrf_prepare(&c), 0);
	assert_true(hex_valid(c.csrf, 32));
	assert_non_null(strstr(buf_cstr(&c.headers), arena_printf(a,
	    "Set-Cookie: csrf=%s;", c.csrf)));
	n = c.headers.len;
	assert_string_equal(csrf_token(&c), c.csrf);
	assert_int_equal(c.headers.len, n);	/* reading sets nothing */

	/* The guest's cookie is kept; a session has its own. */
	c.headers.len = 0;
	cookie_parse(a, &c.cookies, "csrf=0123456789abcdef0123456789abcdef");
	assert_int_equal(csrf_prepare(&c), 0);
	assert_string_equal(c.csrf, "0123456789abcdef0123456789abcdef");
	assert_int_equal(c.headers.len, 0);
	c.d.sess.kind = SESS_CUSTOMER;
	c.d.sess.csrf = "fedcba9876543210fedcba9876543210";
	assert_int_equal(csrf_prepare(&c), 0);
	assert_string_equal(csrf_token(&c), c.d.sess.csrf);

	/* A JSON answer shows no token and sets no cookie. */
	memset(&c.cookies, 0, sizeof(c.cookies));
	memset(&c.d.sess, 0, sizeof(c.d.sess));
	c.csrf = NULL;
	c.json_out = 1;
	assert_int_equal(csrf_prepare(&c), 0);
	assert_string_equal(csrf_token(&c), "");
	assert_int_equal(c.headers.len, 0);
}

/* The token counts in the body or the header, never in the query. */
static void
test_csrf_check(void **state)
{
	char	*q;

	memset(&c.cookies, 0, sizeof(c.cookies));
	memset(&c.query, 0, sizeof(c.query));
	memset(&c.form, 0, sizeof(c.form));
	memset(&c.d.sess, 0, sizeof(c.d.sess));
	c.json = NULL;
	c.csrf_header = NULL;
	cookie_parse(a, &c.cookies, "csrf=0123456789abcdef0123456789abcdef");
	q = dup("csrf=0123456789abcdef0123456789abcdef");
	query_parse(a, &c.query, q, strlen(q));
	assert_int_equal(csrf_check(&c), -1);
	c.csrf_header = "0123456789abcdef0123456789abcdef";
	assert_int_equal(csrf_check(&c), 0);
	c.csrf_header = NULL;
	q = dup("csrf=0123456789abcdef0123456789abcdef");
	query_parse(a, &c.form, q, strlen(q));
	assert_int_equal(csrf_check(&c), 0);
	memset(&c.form, 0, sizeof(c.form));
	c.json = arena_defer_json(a, json_tokener_parse(
	    "{\"csrf\":\"0123456789abcdef0123456789abcdef\"}"));
	assert_int_equal(csrf_check(&c), 0);
	c.json = NULL;
	memset(&c.query, 0, sizeof(c.query));
	memset(&c.cookies, 0, sizeof(c.cookies));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_multipart_quoted_boundary),
		cmocka_unit_test(test_multipart_bad),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_form_json),
		cmocka_unit_test(test_form_bidi),
		cmocka_unit_test(test_csrf_prepare),
		cmocka_unit_test(test_csrf_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
