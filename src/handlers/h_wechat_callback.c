/*
 * h_wechat_callback.c -- GET and POST /wechat/callback, the shop's
 * official-account server URL (服务器配置, wechat-protocols.md §6): the
 * query and raw body to domain/wx_mp.c, the answer as WeChat wants it,
 * plain text: echostr, or "success"; a forged signature 403.
 */
#include "base/base.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/wx_mp.h"

static void
query_of(struct ctx *c, struct wx_mp_query *q)
{
	q->signature = kv_get(&c->query, "signature");
	q->timestamp = kv_get(&c->query, "timestamp");
	q->nonce = kv_get(&c->query, "nonce");
	q->echostr = kv_get(&c->query, "echostr");
	q->encrypt_type = kv_get(&c->query, "encrypt_type");
	q->msg_signature = kv_get(&c->query, "msg_signature");
}

static int
answer(struct ctx *c, int err, const char *text)
{
	c->status = err == 0 ? 200 : err == ERR_UNAUTHORIZED ? 403 :
	    err_status(err);
	c->ctype = "text/plain; charset=utf-8";
	c->body.len = 0;
	buf_adds(&c->body, err == 0 ? text : c->d.error != NULL ? c->d.error :
	    err_message(err));
	return c->status;
}

static int
h_wechat_callback_get(struct ctx *c)
{
	struct wx_mp_query	q;

	query_of(c, &q);
	return answer(c, wx_mp_verify(&c->d, &q), q.echostr);
}

static int
h_wechat_callback_post(struct ctx *c)
{
	struct wx_mp_query	 q;
	const char		*body;
	size_t			 len;
	int			 rc;

	query_of(c, &q);
	if ((rc = request_raw_body(c, &body, &len)) != 0)
		return answer(c, rc, NULL);
	return answer(c, wx_mp_receive(&c->d, &q, body, len), "success");
}

const struct route h_wechat_callback_routes[] = {
	{ "GET", "^/wechat/callback$", h_wechat_callback_get, 0, NULL },
	{ "POST", "^/wechat/callback$", h_wechat_callback_post, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
