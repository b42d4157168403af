/*
 * wx_mp.c -- the official account's server callback for a shop (§6):
 * every call's signature checked against the shop's Token (secret
 * mp_token) with a timestamp within WX_MP_SKEW seconds; safe mode's
 * msg_signature over Encrypt, then decrypted with the EncodingAESKey
 * (secret mp_aes_key) for the shop's official-account appid. A message
 * is handled once: its MsgId, or FromUserName and CreateTime, goes into
 * wx_mp_seen in the transaction that does its work, so WeChat's retries
 * change nothing. subscribe with a qrscene_ key and SCAN carry a
 * channel's scene (channel_mp_scan); everything else is acknowledged.
 * The work is a few statements: the answer, "success", is sent at once.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/wxmsg.h"
#include "domain/channel.h"
#include "domain/dctx.h"
#include "domain/secret.h"
#include "domain/wechat_conf.h"
#include "domain/wx_mp.h"

static const char sql_seen[] =
    "INSERT IGNORE INTO wx_mp_seen (shop_id, msg_key) VALUES (?, ?)";

/* The shop's Token: 0 with *token, or ERR_CONFLICT / ERR_INTERNAL. */
static int
token_of(struct dctx *c, const char **token)
{
	char	*s;
	int	 rc;

	rc = secret_str(c->arena, c->shop->id, SECRET_MP_TOKEN, &s);
	if (rc == 0)
		*token = s;
	if (rc == -1)
		return ERR_INTERNAL;
	if (rc == 1 || *token == NULL) {
		clog_warnx(c, "wx_mp: callback, but the shop has no Token");
		c->error = "店铺尚未设置公众号服务器配置";
		return ERR_CONFLICT;
	}
	return 0;
}

static int
fresh(const char *ts)
{
	const char	*err;
	int64_t		 t;

	return ts != NULL && parse_i64(ts, 0, INT64_C(9999999999), &t,
	    &err) == 0 && llabs((long long)(t - (int64_t)time(NULL))) <=
	    WX_MP_SKEW;
}

/* The URL's signature, fresh: 0, else ERR_UNAUTHORIZED (logged). */
static int
signed_ok(struct dctx *c, const struct wx_mp_query *q, const char *token,
    const char *encrypt)
{
	const char	*sig = encrypt != NULL ? q->msg_signature : q->signature;

	if (!wxmsg_sig_ok(token, q->timestamp, q->nonce, encrypt, sig)) {
		clog_warnx(c, "wx_mp: forged or missing %s from %s",
		    encrypt != NULL ? "msg_signature" : "signature",
		    c->remote_addr);
		c->error = "签名无效";
		return ERR_UNAUTHORIZED;
	}
	if (!fresh(q->timestamp)) {
		clog_warnx(c, "wx_mp: stale timestamp from %s", c->remote_addr);
		c->error = "时间戳过期";
		return ERR_UNAUTHORIZED;
	}
	return 0;
}

/* GET: WeChat checks the URL; 0 when echostr may be echoed. */
int
wx_mp_verify(struct dctx *c, const struct wx_mp_query *q)
{
	const char	*token = NULL;
	int		 rc;

	if ((rc = token_of(c, &token)) != 0)
		return rc;
	if ((rc = signed_ok(c, q, token, NULL)) != 0)
		return rc;
	if (q->echostr == NULL || *q->echostr == '\0' ||
	    strlen(q->echostr) > 128) {
		c->error = "缺少 echostr";
		return ERR_INVALID;
	}
	clog_info(c, "wx_mp: URL verified");
	return 0;
}

/* Safe mode: the message inside m->encrypt, for the shop's appid. */
static int
open_safe(struct dctx *c, const struct wx_mp_query *q, const char *token,
    struct wxmsg *m)
{
	struct wechat_conf	 w;
	unsigned char		 key[32];
	struct buf		 plain;
	const char		*why = NULL, *enc = m->encrypt;
	char			*aes;
	int			 rc;

	if ((rc = signed_ok(c, q, token, enc != NULL ? enc : "")) != 0)
		return rc;
	if ((rc = wechat_conf_get(c, c->shop->id, &w)) != 0)
		return rc;
	rc = secret_str(c->arena, c->shop->id, SECRET_MP_AES_KEY, &aes);
	if (rc != 0 || *w.mp_appid == '\0' || wxmsg_aes_key(aes, key) != 0) {
		clog_warnx(c, "wx_mp: safe mode, but no usable EncodingAESKey "
		    "or appid");
		c->error = "店铺尚未设置公众号消息加密密钥";
		return rc == -1 ? ERR_INTERNAL : ERR_CONFLICT;
	}
	buf_init(&plain, 512);
	rc = wxmsg_decrypt(key, enc, w.mp_appid, &plain, &why);
	explicit_bzero(key, sizeof(key));
	if (rc == 0)
		rc = wxmsg_parse(c->arena, plain.p, plain.len, m);
	buf_free(&plain);
	if (rc != 0) {
		clog_warnx(c, "wx_mp: safe-mode message refused: %s", why ?
		    why : "not the XML of a message");
		c->error = "消息无法解密";
		return ERR_UNAUTHORIZED;
	}
	return 0;
}

/* An openid as WeChat makes them. */
static int
openid_ok(const char *s)
{
	size_t	n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

struct recv {
	const struct wxmsg	*m;
	const char		*appid;
	const char		*key;
	const char		*scene;		/* NULL: nothing to do */
	int			 replay;
};

static int
tx_recv(struct dctx *c, void *arg)
{
	struct recv	*r = arg;
	struct db_res	*res;

	r->replay = 0;
	if (db_run(c->arena, &res, sql_seen, "is", c->shop->id, r->key) == -1)
		return ERR_INTERNAL;
	if (res->affected == 0) {
		r->replay = 1;
		return 0;
	}
	if (r->scene == NULL)
		return 0;
	return channel_mp_scan(c, r->appid, r->m->from, r->scene);
}

/* What the message asks of us: r->scene for a channel's scan. */
static void
decide(struct dctx *c, const struct wxmsg *m, struct recv *r)
{
	const char	*k = m->event_key;

	r->scene = NULL;
	if (m->msg_type == NULL || strcmp(m->msg_type, "event") != 0 ||
	    m->event == NULL || k == NULL || *k == '\0')
		return;
	if (strcmp(m->event, "subscribe") == 0 &&
	    strncmp(k, "qrscene_", 8) == 0)
		r->scene = k + 8;
	else if (strcmp(m->event, "SCAN") == 0)
		r->scene = k;
	if (r->scene != NULL && !channel_scene_valid(r->scene)) {
		clog_info(c, "wx_mp: %s with a malformed scene ignored "
		    "len=%zu", m->event, strlen(r->scene));
		r->scene = NULL;
	}
}

/*
 * POST: one message. 0 (answer "success": also for what is ignored or
 * was seen before); ERR_UNAUTHORIZED for a bad signature or a message
 * that does not decrypt; ERR_INVALID for a body that is no message;
 * ERR_CONFLICT when the shop has no Token (or, in safe mode, key).
 */
int
wx_mp_receive(struct dctx *c, const struct wx_mp_query *q, const char *body,
    size_t len)
{
	struct wechat_conf	 w;
	struct wxmsg		 m;
	struct recv		 r;
	const char		*token = NULL;
	int			 rc, safe;

	if ((rc = token_of(c, &token)) != 0)
		return rc;
	safe = q->encrypt_type != NULL && strcmp(q->encrypt_type, "aes") == 0;
	/* The URL's signature in either mode (§6.1); safe mode's own too. */
	if ((rc = signed_ok(c, q, token, NULL)) != 0)
		return rc;
	if (wxmsg_parse(c->arena, body, len, &m) != 0) {
		clog_warnx(c, "wx_mp: body is not a message (%zu bytes)", len);
		c->error = "消息格式错误";
		return ERR_INVALID;
	}
	if (safe && (rc = open_safe(c, q, token, &m)) != 0)
		return rc;
	if (!openid_ok(m.from) || m.create_time == NULL ||
	    strspn(m.create_time, "0123456789") != strlen(m.create_time) ||
	    strlen(m.create_time) > 12 || (m.msg_id != NULL &&
	    (strlen(m.msg_id) > 24 || strspn(m.msg_id, "0123456789") !=
	    strlen(m.msg_id)))) {
		clog_warnx(c, "wx_mp: message without a usable FromUserName, "
		    "CreateTime or MsgId");
		c->error = "消息格式错误";
		return ERR_INVALID;
	}
	if ((rc = wechat_conf_get(c, c->shop->id, &w)) != 0)
		return rc;
	memset(&r, 0, sizeof(r));
	r.m = &m;
	r.appid = *w.mp_appid ? w.mp_appid : "mp";
	r.key = m.msg_id != NULL ? arena_printf(c->arena, "m:%s", m.msg_id) :
	    arena_printf(c->arena, "e:%s:%s", m.from, m.create_time);
	decide(c, &m, &r);
	if ((rc = db_tx_run(c, tx_recv, &r)) != 0)
		return rc;
	clog_info(c, "wx_mp: %s%s%s%s", m.msg_type ? m.msg_type : "?",
	    m.event ? "/" : "", m.event ? m.event : "", r.replay ?
	    " replay ignored" : r.scene ? " with scene" : "");
	return 0;
}
