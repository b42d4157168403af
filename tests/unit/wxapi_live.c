/*
 * wxapi_live: drives services/wxapi against a server over real HTTP
 * (tests/fake/wechat.py, from tests/integration/test_wechat_api.py).
 * Configuration as dinghuo reads it from the environment
 * (DINGHUO_WECHAT_API_BASE, DINGHUO_WECHAT_TIMEOUT). Prints key=value
 * lines, the answer as body=; exit 0 iff rc is ok.
 *
 *   wxapi_live GET PATH
 *   wxapi_live POST PATH JSON
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/wxapi.h"

int
main(int argc, char **argv)
{
	struct wxapi_result	 r;
	struct buf		 errs;
	json_object		*body = NULL, *o;

	if (argc < 3 || (strcmp(argv[1], "POST") == 0 && argc < 4)) {
		fprintf(stderr, "usage: wxapi_live GET|POST PATH [JSON]\n");
		return 2;
	}
	buf_init(&errs, 64);
	if (conf_load(NULL, &conf, &errs) != 0) {
		fprintf(stderr, "%s", buf_cstr(&errs));
		return 2;
	}
	buf_free(&errs);
	if (argc > 3 && (body = json_tokener_parse(argv[3])) == NULL) {
		fprintf(stderr, "bad JSON\n");
		return 2;
	}
	o = wxapi_call("live", argv[1], argv[2], body, 1, &r);
	printf("rc=%s\nerrcode=%ld\nretryable=%d\nstatus=%ld\nrid=%s\n",
	    wxapi_rc_str(r.rc), r.errcode, r.retryable, r.http_status, r.rid);
	if (o != NULL)
		printf("body=%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	json_object_put(body);
	conf_free(&conf);
	return r.rc == WXAPI_OK ? 0 : 1;
}
