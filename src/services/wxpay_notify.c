/*
 * wxpay_notify.c: parse decrypted transaction / refund JSON (§7.5,
 * §7.6, §7.7) and read a whole notification. Business checks (amount
 * equals the order, mchid/appid ours) belong to the domain layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/base.h"
#include "services/wxpay.h"

static void
str_at(json_object *o, const char *k, char *dst, size_t dlen)
{
	json_object	*v;

	dst[0] = '\0';
	if (o != NULL && json_object_object_get_ex(o, k, &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(dst, dlen, "%s", json_object_get_string(v));
}

static int64_t
int_at(json_object *o, const char *k)
{
	json_object	*v;

	if (o != NULL && json_object_object_get_ex(o, k, &v) &&
	    json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	return -1;	/* absent: fen amounts are never negative */
}

static json_object *
obj_at(json_object *o, const char *k)
{
	json_object	*v;

	if (o != NULL && json_object_object_get_ex(o, k, &v) &&
	    json_object_is_type(v, json_type_object))
		return v;
	return NULL;
}

enum wxpay_rc
wxpay_parse_txn(const char *json, struct wxpay_txn *t)
{
	json_object	*o, *a;

	memset(t, 0, sizeof(*t));
	if ((o = json_tokener_parse(json)) == NULL)
		return WXPAY_ERR_PARSE;
	str_at(o, "appid", t->appid, sizeof(t->appid));
	str_at(o, "mchid", t->mchid, sizeof(t->mchid));
	str_at(o, "out_trade_no", t->out_trade_no, sizeof(t->out_trade_no));
	str_at(o, "transaction_id", t->transaction_id,
	    sizeof(t->transaction_id));
	str_at(o, "trade_type", t->trade_type, sizeof(t->trade_type));
	str_at(o, "trade_state", t->trade_state, sizeof(t->trade_state));
	str_at(o, "trade_state_desc", t->trade_state_desc,
	    sizeof(t->trade_state_desc));
	str_at(o, "success_time", t->success_time, sizeof(t->success_time));
	str_at(o, "attach", t->attach, sizeof(t->attach));
	str_at(obj_at(o, "payer"), "openid", t->openid, sizeof(t->openid));
	a = obj_at(o, "amount");
	t->total = int_at(a, "total");
	t->payer_total = int_at(a, "payer_total");
	str_at(a, "currency", t->currency, sizeof(t->currency));
	json_object_put(o);
	return t->out_trade_no[0] && t->trade_state[0] ? WXPAY_OK :
	    WXPAY_ERR_PARSE;
}

enum wxpay_rc
wxpay_parse_refund(const char *json, struct wxpay_refund *r)
{
	json_object	*o, *a;

	memset(r, 0, sizeof(*r));
	if ((o = json_tokener_parse(json)) == NULL)
		return WXPAY_ERR_PARSE;
	str_at(o, "mchid", r->mchid, sizeof(r->mchid));
	str_at(o, "out_trade_no", r->out_trade_no, sizeof(r->out_trade_no));
	str_at(o, "transaction_id", r->transaction_id,
	    sizeof(r->transaction_id));
	str_at(o, "out_refund_no", r->out_refund_no,
	    sizeof(r->out_refund_no));
	str_at(o, "refund_id", r->refund_id, sizeof(r->refund_id));
	/* The API answer says "status", the notification "refund_status"
	 * (§7.7; the notification field list is unverified). */
	str_at(o, "status", r->status, sizeof(r->status));
	if (r->status[0] == '\0')
		str_at(o, "refund_status", r->status, sizeof(r->status));
	str_at(o, "success_time", r->success_time, sizeof(r->success_time));
	str_at(o, "create_time", r->create_time, sizeof(r->create_time));
	str_at(o, "user_received_account", r->user_received_account,
	    sizeof(r->user_received_account));
	a = obj_at(o, "amount");
	r->total = int_at(a, "total");
	r->refund = int_at(a, "refund");
	r->payer_total = int_at(a, "payer_total");
	r->payer_refund = int_at(a, "payer_refund");
	str_at(a, "currency", r->currency, sizeof(r->currency));
	json_object_put(o);
	return r->out_refund_no[0] && r->status[0] ? WXPAY_OK :
	    WXPAY_ERR_PARSE;
}

enum wxpay_rc
wxpay_notice_read(const struct wxpay *w, const char *ts, const char *nonce,
    const char *sig, const char *serial, const char *body, size_t body_len,
    time_t now, long max_skew, struct wxpay_notice *n)
{
	json_object	*o, *res;
	enum wxpay_rc	 rc;
	char		 ct_nonce[16], aad[64], *ct = NULL, *plain;
	json_object	*v;
	size_t		 plen;

	memset(n, 0, sizeof(*n));
	rc = wxpay_verify(w, ts, nonce, sig, serial, body, body_len, now,
	    max_skew);
	if (rc != WXPAY_OK) {
		log_warnx("wxpay: notification rejected: %s",
		    wxpay_rc_str(rc));
		return rc;
	}
	if ((o = json_tokener_parse(body)) == NULL)
		return WXPAY_ERR_PARSE;
	str_at(o, "id", n->id, sizeof(n->id));
	str_at(o, "event_type", n->event_type, sizeof(n->event_type));
	res = obj_at(o, "resource");
	str_at(res, "original_type", n->original_type,
	    sizeof(n->original_type));
	str_at(res, "nonce", ct_nonce, sizeof(ct_nonce));
	str_at(res, "associated_data", aad, sizeof(aad));
	if (res != NULL && json_object_object_get_ex(res, "ciphertext", &v))
		ct = xstrdup(json_object_get_string(v));
	json_object_put(o);
	if (ct == NULL)
		return WXPAY_ERR_PARSE;
	plain = wxpay_decrypt(w->conf->apiv3_key, ct_nonce, aad, ct, &plen);
	free(ct);
	if (plain == NULL) {
		log_warnx("wxpay: notification %s: decrypt failed", n->id);
		return WXPAY_ERR_DECRYPT;
	}
	n->is_refund = strncmp(n->event_type, "REFUND.", 7) == 0;
	rc = n->is_refund ? wxpay_parse_refund(plain, &n->refund) :
	    wxpay_parse_txn(plain, &n->txn);
	free(plain);
	log_info("wxpay: notification %s %s: %s", n->id, n->event_type,
	    wxpay_rc_str(rc));
	return rc;
}
