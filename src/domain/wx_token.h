/*
 * wx_token.h -- a shop's WeChat access_token and jsapi_ticket, cached
 * in the wx_token table for every worker and host, refreshed by one at
 * a time (domain/wx_token.c); and how a failed WeChat call becomes a
 * domain error.
 */
#ifndef DOMAIN_WX_TOKEN_H
#define DOMAIN_WX_TOKEN_H

#include "base/base.h"
#include "domain/wechat_conf.h"

struct dctx;
struct wxapi_result;

/* The app's access_token, in c's arena: 0 or an enum err (c->error). */
int		 wx_token_get(struct dctx *, enum wx_app, const char **);
/* The official account's jsapi_ticket (§3.4), likewise. */
int		 wx_ticket_get(struct dctx *, const char **);
/*
 * A call that carries the app's access_token: path_pre ends in
 * "access_token=", path_post is the rest of the query ("" or "&..."). A
 * token WeChat calls invalid (40001, 42001, 40014) is dropped (only if
 * it is still the stored one) and the call made once more with a new
 * one. 0 and *out (the caller puts it), or an enum err with c->error
 * and, when r is not NULL, what WeChat answered.
 */
int		 wx_token_call(struct dctx *, enum wx_app, const char *,
		     const char *, const char *, const char *, json_object *,
		     json_object **, struct wxapi_result *);
/* The same for a POST whose answer is bytes (wxacode, §5.1): the image,
 * at most max bytes, appended to out (wxapi_call_bin). */
int		 wx_token_call_bin(struct dctx *, enum wx_app, const char *,
		     const char *, const char *, json_object *, size_t,
		     struct buf *, struct wxapi_result *);
/* A failed call (r) of what as an enum err, with c->error set. */
int		 wx_fail(struct dctx *, const char *,
		     const struct wxapi_result *);
/*
 * The same cache for any (appid, kind): fetch gets a new token (0 with
 * *tok in c's arena and *expires_in, or an enum err with c->error) when
 * the stored one has WX_TOKEN_MARGIN seconds or less left. Outside a
 * transaction only. wx_token_drop: the token a call was refused with.
 */
typedef int (*wx_token_fetch_fn)(struct dctx *, void *, const char **,
		     int64_t *);
int		 wx_token_cached(struct dctx *, const char *, const char *,
		     wx_token_fetch_fn, void *, const char **);
int		 wx_token_drop(struct dctx *, const char *, const char *,
		     const char *);
/* The token cache's own numbers, for tests and docs. */
#define WX_TOKEN_MARGIN	300	/* refresh with this many seconds left */

#endif /* DOMAIN_WX_TOKEN_H */
