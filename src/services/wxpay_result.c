/*
 * wxpay_result.c: result codes and the §7.8 error mapping (HTTP status
 * + code -> whether repeating the same request can help).
 */
#include <stdio.h>
#include <string.h>

#include "services/wxpay.h"

const char *
wxpay_rc_str(enum wxpay_rc rc)
{
	switch (rc) {
	case WXPAY_OK:		return "ok";
	case WXPAY_ERR_NET:	return "network";
	case WXPAY_ERR_SERVER:	return "server";
	case WXPAY_ERR_LIMIT:	return "rate-limited";
	case WXPAY_ERR_CLIENT:	return "rejected";
	case WXPAY_ERR_NOTFOUND: return "not-found";
	case WXPAY_ERR_SIGN:	return "bad-signature";
	case WXPAY_ERR_STALE:	return "stale-timestamp";
	case WXPAY_ERR_SERIAL:	return "unknown-serial";
	case WXPAY_ERR_DECRYPT:	return "decrypt";
	case WXPAY_ERR_PARSE:	return "parse";
	case WXPAY_ERR_CONF:	return "config";
	}
	return "?";
}

void
wxpay_map_error(long status, const char *code, struct wxpay_result *r)
{
	r->http_status = status;
	snprintf(r->code, sizeof(r->code), "%s", code ? code : "");
	r->retryable = 0;
	if (status >= 500 || (code && strcmp(code, "SYSTEM_ERROR") == 0)) {
		r->rc = WXPAY_ERR_SERVER;
		r->retryable = 1;
	} else if (status == 429 ||
	    (code && strcmp(code, "FREQUENCY_LIMITED") == 0)) {
		r->rc = WXPAY_ERR_LIMIT;	/* later, not in the request */
		r->retryable = 1;
	} else if (status == 404 || (code && (strcmp(code,
	    "ORDER_NOT_EXIST") == 0 || strcmp(code,
	    "RESOURCE_NOT_EXISTS") == 0)))
		r->rc = WXPAY_ERR_NOTFOUND;
	else if (status == 401 && code && strcmp(code, "SIGN_ERROR") == 0)
		r->rc = WXPAY_ERR_SIGN;
	else
		r->rc = WXPAY_ERR_CLIENT;
}
