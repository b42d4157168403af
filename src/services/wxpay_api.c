/*
 * wxpay_api.c: the merchant API calls (§7.3, §7.6, §7.7): sign the
 * request, send it through httpc, verify the answer's signature, map
 * errors (§7.8) to a result that says whether a retry can help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/base.h"
#include "services/httpc.h"
#include "services/wxpay.h"

#define WXPAY_SKEW	300	/* §7.2: SDK constant FiveMinute */

/*
 * One signed call. On WXPAY_OK *out holds the parsed JSON body (NULL
 * for 204); the caller puts it.
 */
static void
call(const struct wxpay *w, const char *what, const char *method,
    const char *path, json_object *req, json_object **out,
    struct wxpay_result *r)
{
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	const char		*hdrs[6], *body = "", *rid;
	char			 nonce[33], *auth, *ah;
	json_object		*o;
	size_t			 alen;

	memset(r, 0, sizeof(*r));
	*out = NULL;
	if (req != NULL)
		body = json_object_to_json_string_ext(req,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (wxpay_nonce(nonce) != 0 || (auth = wxpay_auth_header(w, method,
	    path, body, time(NULL), nonce)) == NULL) {
		r->rc = WXPAY_ERR_CONF;
		log_warnx("wxpay: %s: cannot sign request", what);
		return;
	}
	alen = strlen(auth) + 32;
	ah = xmalloc(alen);
	snprintf(ah, alen, "Authorization: %s", auth);
	free(auth);
	hdrs[0] = ah;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = "Content-Type: application/json";
	hdrs[3] = "User-Agent: dinghuo/1.0";
	hdrs[4] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = method;
	q.base_url = w->conf->base_url;
	q.path = path;
	q.headers = hdrs;
	q.body = req != NULL ? body : NULL;
	q.body_len = req != NULL ? strlen(body) : 0;
	q.timeout_ms = w->conf->timeout_ms ? w->conf->timeout_ms : 10000;
	q.ca_file = w->conf->ca_file;
	httpc_resp_init(&resp);
	if (httpc_do(&q, &resp) != 0) {
		r->rc = WXPAY_ERR_NET;
		r->retryable = 1;
		snprintf(r->message, sizeof(r->message), "%s", resp.err);
		goto done;
	}
	r->http_status = resp.status;
	if ((rid = httpc_header(&resp, "Request-ID")) != NULL)
		snprintf(r->request_id, sizeof(r->request_id), "%s", rid);
	buf_cstr(&resp.body);
	if (resp.status < 200 || resp.status > 299) {
		char	 code[64] = "", msg[256] = "";

		if ((o = json_tokener_parse(resp.body.p)) != NULL) {
			json_object	*v;

			if (json_object_object_get_ex(o, "code", &v))
				snprintf(code, sizeof(code), "%s",
				    json_object_get_string(v));
			if (json_object_object_get_ex(o, "message", &v))
				snprintf(msg, sizeof(msg), "%s",
				    json_object_get_string(v));
			json_object_put(o);
		}
		wxpay_map_error(resp.status, code, r);
		snprintf(r->message, sizeof(r->message), "%s", msg);
		goto done;
	}
	/* 204 may come without signature headers (§7.2). */
	if (resp.status == 204 && resp.body.len == 0 &&
	    httpc_header(&resp, "Wechatpay-Signature") == NULL) {
		r->rc = WXPAY_OK;
		goto done;
	}
	r->rc = wxpay_verify(w, httpc_header(&resp, "Wechatpay-Timestamp"),
	    httpc_header(&resp, "Wechatpay-Nonce"),
	    httpc_header(&resp, "Wechatpay-Signature"),
	    httpc_header(&resp, "Wechatpay-Serial"), resp.body.p,
	    resp.body.len, time(NULL), WXPAY_SKEW);
	if (r->rc != WXPAY_OK)
		goto done;
	if (resp.body.len > 0 &&
	    (*out = json_tokener_parse(resp.body.p)) == NULL)
		r->rc = WXPAY_ERR_PARSE;
done:
	log_info("wxpay: %s %s -> %ld %s %s rid=%s %ldms", what, method,
	    r->http_status, wxpay_rc_str(r->rc), r->code, r->request_id,
	    resp.elapsed_ms);
	httpc_resp_free(&resp);
	free(ah);
}

static json_object *
amount(int64_t total, const char *k2, int64_t v2)
{
	json_object	*a = json_object_new_object();

	if (k2 != NULL)
		json_object_object_add(a, k2, json_object_new_int64(v2));
	json_object_object_add(a, "total", json_object_new_int64(total));
	json_object_object_add(a, "currency", json_object_new_string("CNY"));
	return a;
}

static void
add_str(json_object *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, k, json_object_new_string(v));
}

void
wxpay_create_jsapi(const struct wxpay *w, const struct wxpay_order *ord,
    char *prepay_id, size_t plen, struct wxpay_result *r)
{
	json_object	*q = json_object_new_object(), *payer, *o, *v;

	prepay_id[0] = '\0';
	add_str(q, "appid", w->conf->appid);
	add_str(q, "mchid", w->conf->mchid);
	add_str(q, "description", ord->description);
	add_str(q, "out_trade_no", ord->out_trade_no);
	add_str(q, "time_expire", ord->time_expire);
	add_str(q, "attach", ord->attach);
	add_str(q, "notify_url", w->conf->notify_url);
	json_object_object_add(q, "amount", amount(ord->total, NULL, 0));
	payer = json_object_new_object();
	add_str(payer, "openid", ord->openid);
	json_object_object_add(q, "payer", payer);
	call(w, "create-jsapi", "POST", "/v3/pay/transactions/jsapi", q, &o,
	    r);
	json_object_put(q);
	if (r->rc != WXPAY_OK)
		return;
	if (o != NULL && json_object_object_get_ex(o, "prepay_id", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(prepay_id, plen, "%s", json_object_get_string(v));
	else
		r->rc = WXPAY_ERR_PARSE;
	json_object_put(o);
}

void
wxpay_query(const struct wxpay *w, const char *out_trade_no,
    struct wxpay_txn *t, struct wxpay_result *r)
{
	char		 path[256];
	json_object	*o;

	/* out_trade_no is [0-9A-Za-z_-|*] (§7.3): path-safe as is. */
	snprintf(path, sizeof(path),
	    "/v3/pay/transactions/out-trade-no/%s?mchid=%s", out_trade_no,
	    w->conf->mchid);
	call(w, "query", "GET", path, NULL, &o, r);
	memset(t, 0, sizeof(*t));
	if (r->rc != WXPAY_OK)
		return;
	r->rc = o != NULL ? wxpay_parse_txn(json_object_to_json_string(o),
	    t) : WXPAY_ERR_PARSE;
	json_object_put(o);
}

void
wxpay_close_order(const struct wxpay *w, const char *out_trade_no,
    struct wxpay_result *r)
{
	char		 path[256];
	json_object	*q = json_object_new_object(), *o;

	snprintf(path, sizeof(path),
	    "/v3/pay/transactions/out-trade-no/%s/close", out_trade_no);
	add_str(q, "mchid", w->conf->mchid);
	call(w, "close", "POST", path, q, &o, r);
	json_object_put(q);
	json_object_put(o);
}

static void
refund_result(json_object *o, struct wxpay_refund *rf, struct wxpay_result *r)
{
	if (r->rc == WXPAY_OK)
		r->rc = o != NULL ? wxpay_parse_refund(
		    json_object_to_json_string(o), rf) : WXPAY_ERR_PARSE;
	json_object_put(o);
}

void
wxpay_refund_create(const struct wxpay *w, const struct wxpay_refund_req *rq,
    struct wxpay_refund *rf, struct wxpay_result *r)
{
	json_object	*q = json_object_new_object(), *o;

	memset(rf, 0, sizeof(*rf));
	add_str(q, "out_trade_no", rq->out_trade_no);
	add_str(q, "out_refund_no", rq->out_refund_no);
	add_str(q, "reason", rq->reason);
	add_str(q, "notify_url", w->conf->refund_notify_url);
	json_object_object_add(q, "amount", amount(rq->total, "refund",
	    rq->refund));
	call(w, "refund", "POST", "/v3/refund/domestic/refunds", q, &o, r);
	json_object_put(q);
	refund_result(o, rf, r);
}

void
wxpay_refund_query(const struct wxpay *w, const char *out_refund_no,
    struct wxpay_refund *rf, struct wxpay_result *r)
{
	char		 path[256];
	json_object	*o;

	memset(rf, 0, sizeof(*rf));
	snprintf(path, sizeof(path), "/v3/refund/domestic/refunds/%s",
	    out_refund_no);
	call(w, "refund-query", "GET", path, NULL, &o, r);
	refund_result(o, rf, r);
}
