/*
 * test_wxapi.c: the WeChat JSON API client's pure parts
 * (services/wxapi.c): errcode mapping, redaction of credentials in
 * logged paths, and the JS-SDK signature against the official vector
 * (wechat-protocols.md §3.4). No network.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "services/wxapi.h"

static const char TICKET[] = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFv"
    "kVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";

static void
test_jssdk_vector(void **state)
{
	char	sig[41];

	(void)state;
	assert_int_equal(wxapi_jssdk_sign(TICKET, "Wm3WZYTPz0wzccnW",
	    1414587457, "http://mp.weixin.qq.com?params=value", sig), 0);
	assert_string_equal(sig, "0f9de62fce790f9a083d5c99e95740ceb90c27ed");
	assert_int_equal(wxapi_jssdk_sign(TICKET, "Wm3WZYTPz0wzccnW",
	    1414587457, "http://mp.weixin.qq.com", sig), 0);
	assert_string_equal(sig, "f4d90daf4b3bca3078ab155816175ba34c443a7b");
	assert_int_equal(wxapi_jssdk_sign("", "n", 1, "http://x", sig), -1);
	assert_int_equal(wxapi_jssdk_sign(TICKET, "n", 1, "", sig), -1);
}

static void
test_map(void **state)
{
	static const struct { long code; enum wxapi_rc rc; int retry; } t[] = {
		{ 0, WXAPI_OK, 0 }, { -1, WXAPI_ERR_BUSY, 1 },
		{ 40001, WXAPI_ERR_TOKEN, 0 }, { 42001, WXAPI_ERR_TOKEN, 0 },
		{ 40014, WXAPI_ERR_TOKEN, 0 }, { 45009, WXAPI_ERR_QUOTA, 0 },
		{ 45011, WXAPI_ERR_QUOTA, 0 }, { 40013, WXAPI_ERR_CONF, 0 },
		{ 40125, WXAPI_ERR_CONF, 0 }, { 40164, WXAPI_ERR_CONF, 0 },
		{ 48001, WXAPI_ERR_CONF, 0 }, { 40029, WXAPI_ERR_CODE, 0 },
		{ 40163, WXAPI_ERR_CODE, 0 }, { 40226, WXAPI_ERR_API, 0 },
	};
	struct wxapi_result	r;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&r, 0, sizeof(r));
		wxapi_map(t[i].code, &r);
		assert_int_equal(r.rc, t[i].rc);
		assert_int_equal(r.retryable, t[i].retry);
		assert_int_equal(r.errcode, t[i].code);
	}
}

static void
test_redact(void **state)
{
	char	out[256];

	(void)state;
	wxapi_redact("/sns/jscode2session?appid=wx1&secret=S3CR3T&"
	    "js_code=C0DE&grant_type=authorization_code", out, sizeof(out));
	assert_string_equal(out, "/sns/jscode2session?appid=wx1&secret=***&"
	    "js_code=***&grant_type=authorization_code");
	wxapi_redact("/cgi-bin/ticket/getticket?access_token=TOK&type=jsapi",
	    out, sizeof(out));
	assert_string_equal(out,
	    "/cgi-bin/ticket/getticket?access_token=***&type=jsapi");
	wxapi_redact("/wxa/business/getuserphonenumber?access_token=T", out,
	    sizeof(out));
	assert_string_equal(out,
	    "/wxa/business/getuserphonenumber?access_token=***");
	wxapi_redact("/cgi-bin/stable_token", out, sizeof(out));
	assert_string_equal(out, "/cgi-bin/stable_token");
	/* A key that only ends like a secret one is kept. */
	wxapi_redact("/x?mycode=1&code=2&", out, sizeof(out));
	assert_string_equal(out, "/x?mycode=1&code=***&");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jssdk_vector),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_redact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
