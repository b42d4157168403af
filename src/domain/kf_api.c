/*
 * kf_api.c -- the shop's WeCom calls for 微信客服 (wechat-protocols.md
 * §8.1, §11): the access_token from gettoken with the corp id and the
 * app's Secret, cached for every worker in wx_token (appid = the corp
 * id, kind "kf:<shop_id>": two shops with one corp keep their own), one
 * more try with a new token when WeCom calls it invalid.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "services/wxapi.h"
#include "domain/dctx.h"
#include "domain/kf.h"
#include "domain/secret.h"
#include "domain/wx_token.h"

struct creds {
	const char	*corp;
	char		*secret;
	const char	*kind;
};

static int
creds_of(struct dctx *c, struct creds *k)
{
	struct kf_conf	f;
	int		rc;

	if ((rc = kf_conf_get(c, &f)) != 0)
		return rc;
	k->corp = f.corp_id;
	k->secret = NULL;
	if (*k->corp == '\0' || secret_str(c->arena, c->shop->id,
	    SECRET_KF_SECRET, &k->secret) != 0 || k->secret == NULL ||
	    *k->secret == '\0') {
		clog_warnx(c, "kf: no corp id or Secret");
		c->error = "店铺尚未设置微信客服的企业 ID 和 Secret";
		c->code = "kf_not_configured";
		return ERR_CONFLICT;
	}
	k->kind = arena_printf(c->arena, "kf:%" PRId64, c->shop->id);
	return 0;
}

static int
fetch(struct dctx *c, void *arg, const char **tok, int64_t *exp)
{
	struct creds		*k = arg;
	struct wxapi_result	 r;
	json_object		*o, *t, *e;
	const char		*path;
	int			 rc = 0;

	path = arena_printf(c->arena, "/cgi-bin/gettoken?corpid=%s"
	    "&corpsecret=%s", url_encode(c->arena, k->corp),
	    url_encode(c->arena, k->secret));
	/* wxapi_redact puts *** for corpsecret's value in the log. */
	if ((o = wxapi_call_at(conf.wecom_api_base, "kf.gettoken", "GET",
	    path, NULL, 1, &r)) == NULL)
		return wx_fail(c, "kf.gettoken", &r);
	if (!json_object_object_get_ex(o, "access_token", &t) ||
	    !json_object_is_type(t, json_type_string) ||
	    json_object_get_string_len(t) == 0 ||
	    json_object_get_string_len(t) > 1000 ||
	    !json_object_object_get_ex(o, "expires_in", &e) ||
	    json_object_get_int64(e) <= 0) {
		r.rc = WXAPI_ERR_PARSE;
		rc = wx_fail(c, "kf.gettoken", &r);
	} else {
		*tok = arena_strdup(c->arena, json_object_get_string(t));
		*exp = json_object_get_int64(e);
	}
	json_object_put(o);
	return rc;
}

/* One call, upload (data != NULL) or JSON, with a fresh token. */
static int
call(struct dctx *c, const char *name, json_object *body, const void *data,
    size_t len, json_object **out, struct wxapi_result *rp)
{
	struct wxapi_result	 rr, *r = rp != NULL ? rp : &rr;
	struct creds		 k;
	const char		*tok, *path, *what;
	int			 rc, tries;

	*out = NULL;
	memset(r, 0, sizeof(*r));
	if ((rc = creds_of(c, &k)) != 0)
		return rc;
	what = arena_printf(c->arena, "kf.%s", name);
	for (tries = 0; tries < 2; tries++) {
		if ((rc = wx_token_cached(c, k.corp, k.kind, fetch, &k,
		    &tok)) != 0)
			return rc;
		path = arena_printf(c->arena, "/cgi-bin/%s?access_token=%s%s",
		    name, url_encode(c->arena, tok),
		    data != NULL ? "&type=image" : "");
		if (data != NULL)
			*out = wxapi_upload_at(conf.wecom_api_base, what, path,
			    "reply.jpg", "image/jpeg", data, len, r);
		else
			*out = wxapi_call_at(conf.wecom_api_base, what, "POST",
			    path, body, 0, r);
		if (*out != NULL)
			return 0;
		if (r->rc != WXAPI_ERR_TOKEN || r->errcode == 40001)
			break;
		clog_info(c, "kf: token refused by %s (errcode=%ld), dropped",
		    name, r->errcode);
		if ((rc = wx_token_drop(c, k.corp, k.kind, tok)) != 0)
			return rc;
	}
	if (r->rc != WXAPI_ERR_API)
		return wx_fail(c, what, r);
	c->error = arena_printf(c->arena, "微信客服接口返回错误 %ld",
	    r->errcode);
	return ERR_UNAVAILABLE;
}

/*
 * POST name ("kf/sync_msg") with body: 0 and *out (the caller puts it);
 * ERR_UNAVAILABLE with r->errcode for an errcode the caller reads (95001
 * …, logged by wxapi), or another enum err with c->error.
 */
int
kf_api(struct dctx *c, const char *name, json_object *body, json_object **out,
    struct wxapi_result *r)
{
	return call(c, name, body, NULL, 0, out, r);
}

/* An image (JPEG bytes) as a temporary media (§11.9): *media_id. */
int
kf_api_upload(struct dctx *c, const char *what, const void *data, size_t len,
    const char **media_id, struct wxapi_result *r)
{
	json_object	*o, *m;
	int		 rc;

	(void)what;
	*media_id = NULL;
	if ((rc = call(c, "media/upload", NULL, data, len, &o, r)) != 0)
		return rc;
	if (json_object_object_get_ex(o, "media_id", &m) &&
	    json_object_is_type(m, json_type_string) &&
	    json_object_get_string_len(m) > 0 &&
	    json_object_get_string_len(m) <= 128)
		*media_id = arena_strdup(c->arena, json_object_get_string(m));
	json_object_put(o);
	if (*media_id == NULL) {
		c->error = "图片上传到微信失败，请稍后再试";
		return ERR_UNAVAILABLE;
	}
	return 0;
}
