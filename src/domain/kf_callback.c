/*
 * kf_callback.c -- the shop's 微信客服 callback URL (wechat-protocols.md
 * §11.4, §8.7): msg_signature over Token, timestamp, nonce and the
 * encrypted value, a timestamp within WX_MP_SKEW seconds, a signature
 * seen once (wx_mp_seen, "kf:<sig>"), AES as §6.3 with the corp id as
 * receiveid (services/wxmsg.c). A kf_msg_or_event only counts a wish to
 * pull (kf_sync.wanted, with the Token the pull may use) and queues the
 * account's kf.pull job: nothing slow in the request.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/job.h"
#include "services/wxmsg.h"
#include "domain/dctx.h"
#include "domain/kf.h"
#include "domain/secret.h"
#include "domain/wx_mp.h"

static const char sql_seen[] =
    "INSERT IGNORE INTO wx_mp_seen (shop_id, msg_key) VALUES (?, ?)";
static const char sql_want[] =
    "INSERT INTO kf_sync (shop_id, open_kfid, cb_token, cb_token_at, "
    "wanted) VALUES (?, ?, ?, NOW(3), 1) ON DUPLICATE KEY UPDATE "
    "cb_token = COALESCE(VALUES(cb_token), cb_token), "
    "cb_token_at = IF(VALUES(cb_token) IS NULL, cb_token_at, NOW(3)), "
    "wanted = wanted + 1";

struct keys {
	const char	*token;
	const char	*corp;
	unsigned char	 aes[32];
};

/* The shop's Token, EncodingAESKey and corp id: 0, or ERR_CONFLICT. */
static int
keys_of(struct dctx *c, struct keys *k)
{
	struct kf_conf	 f;
	char		*tok = NULL, *aes = NULL;
	int		 rc;

	if ((rc = kf_conf_get(c, &f)) != 0)
		return rc;
	if (secret_str(c->arena, c->shop->id, SECRET_KF_TOKEN, &tok) != 0 ||
	    secret_str(c->arena, c->shop->id, SECRET_KF_AES_KEY, &aes) != 0 ||
	    tok == NULL || *tok == '\0' || aes == NULL ||
	    wxmsg_aes_key(aes, k->aes) != 0 || *f.corp_id == '\0') {
		clog_warnx(c, "kf: callback, but no Token, EncodingAESKey or "
		    "corp id");
		c->error = "店铺尚未设置微信客服的回调";
		return ERR_CONFLICT;
	}
	k->token = tok;
	k->corp = f.corp_id;
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

static int
refused(struct dctx *c, const char *why)
{
	clog_warnx(c, "kf: callback refused: %s from %s", why,
	    c->remote_addr ? c->remote_addr : "?");
	c->error = "回调无效";
	return ERR_UNAUTHORIZED;
}

/* Signed, fresh, then decrypted into out: 0 or ERR_UNAUTHORIZED. */
static int
open_value(struct dctx *c, const struct kf_query *q, struct keys *k,
    const char *enc, struct buf *out)
{
	const char	*why = NULL;

	if (enc == NULL || *enc == '\0')
		return refused(c, "nothing encrypted");
	if (!wxmsg_sig_ok(k->token, q->timestamp, q->nonce, enc,
	    q->msg_signature))
		return refused(c, "forged msg_signature");
	if (!fresh(q->timestamp))
		return refused(c, "stale timestamp");
	if (wxmsg_decrypt(k->aes, enc, k->corp, out, &why) != 0)
		return refused(c, why ? why : "does not decrypt");
	return 0;
}

/* GET: the URL check; *echo is the plaintext echostr to answer. */
int
kf_cb_verify(struct dctx *c, const struct kf_query *q, const char **echo)
{
	struct keys	k;
	struct buf	plain;
	int		rc;

	*echo = NULL;
	if ((rc = keys_of(c, &k)) != 0)
		return rc;
	buf_init(&plain, 128);
	rc = open_value(c, q, &k, q->echostr, &plain);
	explicit_bzero(k.aes, sizeof(k.aes));
	if (rc == 0) {
		*echo = arena_strdup(c->arena, buf_cstr(&plain));
		clog_info(c, "kf: callback URL verified");
	}
	buf_free(&plain);
	return rc;
}

static int
kfid_ok(const char *s)
{
	size_t	n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

struct want {
	const char	*sig;
	const char	*kfid;
	const char	*token;
	int		 replay;
};

static int
tx_want(struct dctx *c, void *arg)
{
	struct want	*w = arg;
	struct db_res	*r;
	const char	*payload, *key;
	int		 rc;

	w->replay = 0;
	if (db_run(c->arena, &r, sql_seen, "is", c->shop->id,
	    arena_printf(c->arena, "kf:%s", w->sig)) == -1)
		return ERR_INTERNAL;
	if (r->affected == 0) {
		w->replay = 1;
		return 0;
	}
	if (w->kfid == NULL)
		return 0;
	if (db_run(c->arena, NULL, sql_want, "iss", c->shop->id, w->kfid,
	    w->token) == -1)
		return ERR_INTERNAL;
	payload = arena_printf(c->arena, "{\"open_kfid\":\"%s\"}", w->kfid);
	key = arena_printf(c->arena, KF_PULL_KIND ":%" PRId64 ":%s",
	    c->shop->id, w->kfid);
	rc = job_enqueue(c->arena, c->shop->id, KF_PULL_KIND, payload, key, 0,
	    0, NULL);
	return rc == ERR_CONFLICT ? 0 : rc;
}

/*
 * POST: 0 (answer 200: also for events we do not pull for);
 * ERR_UNAUTHORIZED for a forged, stale, replayed or undecryptable
 * callback; ERR_INVALID for a body that is not one; ERR_CONFLICT when
 * the shop has not set the callback up.
 */
int
kf_cb_receive(struct dctx *c, const struct kf_query *q, const char *body,
    size_t len)
{
	struct wxmsg	 env, m;
	struct keys	 k;
	struct buf	 plain;
	struct want	 w;
	int		 rc;

	if ((rc = keys_of(c, &k)) != 0)
		return rc;
	if (wxmsg_parse(c->arena, body, len, &env) != 0) {
		explicit_bzero(k.aes, sizeof(k.aes));
		clog_warnx(c, "kf: callback body is not XML (%zu bytes)", len);
		c->error = "消息格式错误";
		return ERR_INVALID;
	}
	buf_init(&plain, 512);
	rc = open_value(c, q, &k, env.encrypt, &plain);
	explicit_bzero(k.aes, sizeof(k.aes));
	if (rc == 0 && wxmsg_parse(c->arena, plain.p, plain.len, &m) != 0)
		rc = refused(c, "decrypted, but not XML");
	buf_free(&plain);
	if (rc != 0)
		return rc;
	memset(&w, 0, sizeof(w));
	w.sig = q->msg_signature;
	if (m.event != NULL && strcmp(m.event, "kf_msg_or_event") == 0) {
		if (!kfid_ok(m.open_kfid)) {
			clog_warnx(c, "kf: kf_msg_or_event without a usable "
			    "OpenKfId");
			c->error = "消息格式错误";
			return ERR_INVALID;
		}
		w.kfid = m.open_kfid;
		w.token = m.token != NULL && *m.token != '\0' &&
		    strlen(m.token) <= 128 ? m.token : NULL;
	}
	if ((rc = db_tx_run(c, tx_want, &w)) != 0)
		return rc;
	if (w.replay)
		return refused(c, "replayed");
	clog_info(c, "kf: callback event=%s%s%s", m.event ? m.event : "?",
	    w.kfid ? " open_kfid=" : "", w.kfid ? w.kfid : "");
	return 0;
}
