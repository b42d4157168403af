/*
 * h_kf_callback.c -- GET and POST /wechat/kf/callback, the shop's
 * 微信客服 callback URL (wechat-protocols.md §11.4, §8.7): the query and
 * raw body to domain/kf_callback.c, the answer plain text: the
 * decrypted echostr, or an empty 200; forged, stale or replayed 403.
 */
#include "base/base.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/kf.h"

static void
query_of(struct ctx *c, struct kf_query *q)
{
	q->msg_signature = kv_get(&c->query, "msg_signature");
	q->timestamp = kv_get(&c->query, "timestamp");
	q->nonce = kv_get(&c->query, "nonce");
	q->echostr = kv_get(&c->query, "echostr");
}

static int
answer(struct ctx *c, int err, const char *text)
{
	c->status = err == 0 ? 200 : err == ERR_UNAUTHORIZED ? 403 :
	    err_status(err);
	c->ctype = "text/plain; charset=utf-8";
	c->body.len = 0;
	buf_adds(&c->body, err == 0 ? (text ? text : "") : c->d.error != NULL ?
	    c->d.error : err_message(err));
	return c->status;
}

static int
h_kf_callback_get(struct ctx *c)
{
	struct kf_query	 q;
	const char	*echo = NULL;
	int		 rc;

	query_of(c, &q);
	rc = kf_cb_verify(&c->d, &q, &echo);
	return answer(c, rc, echo);
}

static int
h_kf_callback_post(struct ctx *c)
{
	struct kf_query	 q;
	const char	*body;
	size_t		 len;
	int		 rc;

	query_of(c, &q);
	if ((rc = request_raw_body(c, &body, &len)) != 0)
		return answer(c, rc, NULL);
	return answer(c, kf_cb_receive(&c->d, &q, body, len), "");
}

const struct route h_kf_callback_routes[] = {
	{ "GET", "^/wechat/kf/callback$", h_kf_callback_get, 0, NULL },
	{ "POST", "^/wechat/kf/callback$", h_kf_callback_post, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
