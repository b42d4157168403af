/*
 * sms.c -- one text message through the provider at sms_url: a POST of
 * {"phone","sign","text"} as JSON with the bearer sms_token. Any SMS
 * gateway (阿里云, 腾讯云, a company's own) is reached through a small
 * adapter that takes this one request; the tests put a fake there. The
 * text is never logged (it holds a login code), only the phone's last
 * four digits, the status and the time taken.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/httpc.h"
#include "services/sms.h"

int
sms_enabled(void)
{
	return conf.sms_url != NULL && *conf.sms_url != '\0';
}

/* Send text to phone with sign (the shop's name): 0, or -1 with why. */
int
sms_send(const char *phone, const char *sign, const char *text, char *err,
    size_t errlen)
{
	struct httpc_req	 q;
	struct httpc_resp	 r;
	json_object		*o;
	const char		*hdrs[3];
	char			 auth[300];
	size_t			 n = strlen(phone);
	int			 rc = -1;

	if (!sms_enabled()) {
		snprintf(err, errlen, "sms_url is not set");
		return -1;
	}
	o = json_object_new_object();
	json_object_object_add(o, "phone", json_object_new_string(phone));
	json_object_object_add(o, "sign", json_object_new_string(sign));
	json_object_object_add(o, "text", json_object_new_string(text));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    conf.sms_token);
	hdrs[0] = "Content-Type: application/json";
	hdrs[1] = auth;
	hdrs[2] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.base_url = conf.sms_url;
	q.path = "";
	q.headers = hdrs;
	q.body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	q.body_len = strlen(q.body);
	q.timeout_ms = conf.wechat_timeout * 1000;
	httpc_resp_init(&r);
	if (httpc_do(&q, &r) == -1)
		snprintf(err, errlen, "%s", r.err);
	else if (r.status < 200 || r.status > 299)
		snprintf(err, errlen, "provider answered %ld", r.status);
	else
		rc = 0;
	log_info("sms: to ***%s %s %ldms", n > 4 ? phone + n - 4 : phone,
	    rc == 0 ? "sent" : err, r.elapsed_ms);
	httpc_resp_free(&r);
	json_object_put(o);
	explicit_bzero(auth, sizeof(auth));
	return rc;
}
