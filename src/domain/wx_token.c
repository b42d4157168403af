/*
 * wx_token.c -- access_token and jsapi_ticket in the wx_token table,
 * shared by every worker and host (wechat-protocols.md §1.4). A token
 * with more than WX_TOKEN_MARGIN seconds left is used as it is; else
 * one worker takes the lease (refreshing_until, a conditional UPDATE)
 * and fetches a new one, while the others use the old token if it is
 * still valid or poll the row, for a bounded time. No transaction is
 * open across an HTTP call: every statement here is autocommit.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "services/wxapi.h"
#include "domain/dctx.h"
#include "domain/wechat_conf.h"
#include "domain/wx_token.h"

static const char sql_read[] =
    "SELECT token, expires_at - UNIX_TIMESTAMP() FROM wx_token "
    "WHERE appid = ? AND kind = ?";
static const char sql_row[] =
    "INSERT IGNORE INTO wx_token (appid, kind) VALUES (?, ?)";
/* The lease, taken only while the token needs refreshing: a worker
 * that read the old row after another refreshed it takes nothing. */
static const char sql_lease[] =
    "UPDATE wx_token SET refreshing_until = UNIX_TIMESTAMP() + ? "
    "WHERE appid = ? AND kind = ? AND refreshing_until <= UNIX_TIMESTAMP() "
    "AND expires_at - UNIX_TIMESTAMP() <= ?";
static const char sql_store[] =
    "UPDATE wx_token SET token = ?, expires_at = UNIX_TIMESTAMP() + ?, "
    "refreshing_until = 0, refreshed_at = NOW(3) "
    "WHERE appid = ? AND kind = ?";
static const char sql_release[] =
    "UPDATE wx_token SET refreshing_until = 0 WHERE appid = ? AND kind = ?";
/* Compare and set: only the token the failed call used. */
static const char sql_invalidate[] =
    "UPDATE wx_token SET expires_at = 0 WHERE appid = ? AND kind = ? "
    "AND token = ?";

typedef wx_token_fetch_fn fetch_fn;

int
wx_fail(struct dctx *c, const char *what, const struct wxapi_result *r)
{
	if (r->rc == WXAPI_ERR_CODE)
		clog_info(c, "wechat: %s refused the code errcode=%ld rid=%s",
		    what, r->errcode, r->rid);
	else
		clog_warnx(c, "wechat: %s failed rc=%s errcode=%ld rid=%s",
		    what, wxapi_rc_str(r->rc), r->errcode, r->rid);
	switch (r->rc) {
	case WXAPI_OK:
		break;
	case WXAPI_ERR_QUOTA:
		c->error = "微信接口调用太频繁，请稍后再试";
		return ERR_TOO_MANY;
	case WXAPI_ERR_CONF:
		c->error = "店铺的微信设置有误，请联系商家";
		c->code = "wechat_misconfigured";
		return ERR_CONFLICT;
	case WXAPI_ERR_CODE:
		c->error = "微信登录凭证无效或已使用，请重新进入";
		c->code = "wechat_code_invalid";
		return ERR_INVALID;
	case WXAPI_ERR_NET: case WXAPI_ERR_BUSY: case WXAPI_ERR_TOKEN:
	case WXAPI_ERR_PARSE: case WXAPI_ERR_API:
		break;
	}
	c->error = "微信服务暂时不可用，请稍后再试";
	return ERR_UNAVAILABLE;
}

static void
pause_ms(long ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static int
refresh(struct dctx *c, const char *appid, const char *kind, fetch_fn fetch,
    void *arg, const char **out)
{
	const char	*tok = NULL;
	int64_t		 exp = 0;
	int		 rc;

	if ((rc = fetch(c, arg, &tok, &exp)) != 0) {
		/* Let the next worker try at once, not after the lease. */
		if (db_run(c->arena, NULL, sql_release, "ss", appid,
		    kind) == -1)
			clog_warnx(c, "wx_token: lease of %s/%s not released",
			    appid, kind);
		return rc;
	}
	if (db_run(c->arena, NULL, sql_store, "siss", tok, exp, appid,
	    kind) == -1)
		return ERR_INTERNAL;
	clog_info(c, "wx_token: refreshed appid=%s kind=%s expires_in=%" PRId64,
	    appid, kind, exp);
	*out = tok;
	return 0;
}

/*
 * The cached token of (appid, kind), refreshed through fetch when it
 * has WX_TOKEN_MARGIN seconds or less left. Waits for another worker's
 * refresh at most the time one fetch may take.
 */
static int
cached(struct dctx *c, const char *appid, const char *kind, fetch_fn fetch,
    void *arg, const char **out)
{
	struct db_res	*r;
	double		 deadline;
	long		 wait = 20;
	int64_t		 left, lease, bound;

	*out = NULL;
	if (db_in_tx()) {
		clog_warnx(c, "wx_token: called inside a transaction");
		return ERR_INTERNAL;
	}
	lease = conf.wechat_timeout * 2 + 5;
	/* Two fetches (a ticket's needs a token) and a pause, but never
	 * past the request's own time. */
	bound = conf.wechat_timeout * 2 + 2;
	if (bound > conf.request_timeout - 1)
		bound = conf.request_timeout - 1;
	deadline = now_ms() + (double)bound * 1000;
	for (;;) {
		if (db_run(c->arena, &r, sql_read, "ss", appid, kind) == -1)
			return ERR_INTERNAL;
		left = r->nrows ? db_cell_i64(r, 0, 1) : 0;
		if (r->nrows && left > WX_TOKEN_MARGIN &&
		    *db_cell(r, 0, 0) != '\0') {
			*out = db_cell(r, 0, 0);
			return 0;
		}
		if (r->nrows == 0 && db_run(c->arena, NULL, sql_row, "ss",
		    appid, kind) == -1)
			return ERR_INTERNAL;
		if (db_run(c->arena, &r, sql_lease, "issi", lease, appid, kind,
		    (int64_t)WX_TOKEN_MARGIN) == -1)
			return ERR_INTERNAL;
		if (r->affected == 1)
			return refresh(c, appid, kind, fetch, arg, out);
		/* Another worker refreshes: its old token is good still. */
		if (db_run(c->arena, &r, sql_read, "ss", appid, kind) == -1)
			return ERR_INTERNAL;
		if (r->nrows && db_cell_i64(r, 0, 1) > 0 &&
		    *db_cell(r, 0, 0) != '\0') {
			*out = db_cell(r, 0, 0);
			return 0;
		}
		if (now_ms() + wait > deadline) {
			clog_warnx(c, "wx_token: gave up waiting for the "
			    "refresh of %s/%s", appid, kind);
			c->error = "微信服务暂时不可用，请稍后再试";
			return ERR_UNAVAILABLE;
		}
		pause_ms(wait);
		if (wait < 200)
			wait *= 2;
	}
}

/* The cache for another kind of token (WeCom's, domain/kf_api.c). */
int
wx_token_cached(struct dctx *c, const char *appid, const char *kind,
    wx_token_fetch_fn fetch, void *arg, const char **out)
{
	return cached(c, appid, kind, fetch, arg, out);
}

/* A token the API called invalid: dropped, if it is still the stored
 * one (a newer one another worker stored stays). */
int
wx_token_drop(struct dctx *c, const char *appid, const char *kind,
    const char *tok)
{
	return db_run(c->arena, NULL, sql_invalidate, "sss", appid, kind,
	    tok) == -1 ? ERR_INTERNAL : 0;
}

struct app_fetch {
	const char	*appid;
	const char	*secret;
};

/* §1.2: stable_token, which does not invalidate the token before. */
/* o's key (a token or ticket, 1..1000 characters) and expires_in (> 0)
 * into *tok (c's arena) and *exp: 0, or -1 when o is not that. */
static int
token_of(struct dctx *c, json_object *o, const char *key, const char **tok,
    int64_t *exp)
{
	json_object	*t, *e;

	if (!json_object_object_get_ex(o, key, &t) ||
	    !json_object_is_type(t, json_type_string) ||
	    json_object_get_string_len(t) == 0 ||
	    json_object_get_string_len(t) > 1000 ||
	    !json_object_object_get_ex(o, "expires_in", &e) ||
	    !json_object_is_type(e, json_type_int) ||
	    json_object_get_int64(e) <= 0)
		return -1;
	*tok = arena_strdup(c->arena, json_object_get_string(t));
	*exp = json_object_get_int64(e);
	return 0;
}

static int
fetch_access(struct dctx *c, void *arg, const char **tok, int64_t *exp)
{
	struct app_fetch	*a = arg;
	struct wxapi_result	 r;
	json_object		*q, *o;
	int			 rc = 0;

	q = json_object_new_object();
	json_object_object_add(q, "grant_type",
	    json_object_new_string("client_credential"));
	json_object_object_add(q, "appid", json_object_new_string(a->appid));
	json_object_object_add(q, "secret", json_object_new_string(a->secret));
	json_object_object_add(q, "force_refresh",
	    json_object_new_boolean(0));
	o = wxapi_call("stable_token", "POST", "/cgi-bin/stable_token", q, 1,
	    &r);
	json_object_put(q);
	if (o == NULL)
		return wx_fail(c, "stable_token", &r);
	if (token_of(c, o, "access_token", tok, exp) == -1) {
		r.rc = WXAPI_ERR_PARSE;
		rc = wx_fail(c, "stable_token", &r);
	}
	json_object_put(o);
	return rc;
}

static const char *
app_kind(enum wx_app app)
{
	return app == WX_MINIAPP ? "miniapp" : "mp";
}

int
wx_token_get(struct dctx *c, enum wx_app app, const char **tok)
{
	struct app_fetch	a;
	int			rc;

	if ((rc = wechat_app_secret(c, c->shop->id, app, &a.appid,
	    &a.secret)) != 0)
		return rc;
	return cached(c, a.appid, app_kind(app), fetch_access, &a, tok);
}

/* wx_token_call, or with bin its binary twin (wx_token_call_bin). */
static int
token_call(struct dctx *c, enum wx_app app, const char *what,
    const char *method, const char *path_pre, const char *path_post,
    json_object *body, json_object **out, struct buf *bin, size_t max,
    struct wxapi_result *rp)
{
	struct wxapi_result	 rr, *r = rp != NULL ? rp : &rr;
	struct app_fetch	 a;
	const char		*tok, *path;
	int			 rc, tries;

	*out = NULL;
	if ((rc = wechat_app_secret(c, c->shop->id, app, &a.appid,
	    &a.secret)) != 0)
		return rc;
	for (tries = 0; tries < 2; tries++) {
		if ((rc = cached(c, a.appid, app_kind(app), fetch_access, &a,
		    &tok)) != 0)
			return rc;
		path = arena_printf(c->arena, "%s%s%s", path_pre,
		    url_encode(c->arena, tok), path_post);
		if (bin != NULL) {
			if (wxapi_call_bin(what, path, body, max, bin, r) == 0)
				return 0;
		} else if ((*out = wxapi_call(what, method, path, body,
		    strcmp(method, "GET") == 0, r)) != NULL)
			return 0;
		if (r->rc != WXAPI_ERR_TOKEN)
			break;
		clog_info(c, "wx_token: %s/%s refused by %s (errcode=%ld), "
		    "invalidated", a.appid, app_kind(app), what, r->errcode);
		if (db_run(c->arena, NULL, sql_invalidate, "sss", a.appid,
		    app_kind(app), tok) == -1)
			return ERR_INTERNAL;
	}
	return wx_fail(c, what, r);
}

int
wx_token_call(struct dctx *c, enum wx_app app, const char *what,
    const char *method, const char *path_pre, const char *path_post,
    json_object *body, json_object **out, struct wxapi_result *rp)
{
	return token_call(c, app, what, method, path_pre, path_post, body,
	    out, NULL, 0, rp);
}

int
wx_token_call_bin(struct dctx *c, enum wx_app app, const char *what,
    const char *path_pre, const char *path_post, json_object *body,
    size_t max, struct buf *out, struct wxapi_result *rp)
{
	json_object	*none;

	return token_call(c, app, what, "POST", path_pre, path_post, body,
	    &none, out, max, rp);
}

/* §3.4 step 1, with the official account's access_token. */
static int
fetch_ticket(struct dctx *c, void *arg, const char **tok, int64_t *exp)
{
	struct wxapi_result	 r;
	json_object		*o;
	int			 rc;

	(void)arg;
	if ((rc = wx_token_call(c, WX_MP, "getticket", "GET",
	    "/cgi-bin/ticket/getticket?access_token=", "&type=jsapi", NULL,
	    &o, &r)) != 0)
		return rc;
	if (token_of(c, o, "ticket", tok, exp) == -1) {
		json_object_put(o);
		r.rc = WXAPI_ERR_PARSE;
		return wx_fail(c, "getticket", &r);
	}
	json_object_put(o);
	return 0;
}

int
wx_ticket_get(struct dctx *c, const char **ticket)
{
	struct wechat_conf	w;
	int			rc;

	if ((rc = wechat_conf_get(c, c->shop->id, &w)) != 0)
		return rc;
	if (*w.mp_appid == '\0') {
		c->error = "店铺尚未设置公众号 AppID 与 AppSecret";
		c->code = "wechat_not_configured";
		return ERR_CONFLICT;
	}
	return cached(c, w.mp_appid, "jsapi", fetch_ticket, NULL, ticket);
}
