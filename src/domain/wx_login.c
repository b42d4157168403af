/*
 * wx_login.c -- logging in by WeChat: a mini-program's wx.login code
 * (jscode2session, §2.1) or an H5 OAuth code (§3.2) names an openid of
 * one of the shop's apps; its wx_identity row says which customer user
 * it is, if any. Bound: a session. Not bound: a signed bind ticket
 * (wx_sign.c) to bind with, by a phone number WeChat vouches for
 * (§2.2), an invite link, or an existing account's password; each bind
 * is one transaction. session_key is not kept: nothing here decrypts
 * encryptedData.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "services/wxapi.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/customer.h"
#include "domain/dctx.h"
#include "domain/channel.h"
#include "domain/consumer.h"
#include "domain/invite.h"
#include "domain/session.h"
#include "domain/ticket.h"
#include "domain/wechat.h"
#include "domain/wechat_conf.h"
#include "domain/wx_token.h"

static const char sql_upsert[] =
    "INSERT INTO wx_identity (shop_id, appid, openid, unionid) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "unionid = COALESCE(VALUES(unionid), unionid), last_seen_at = NOW(3)";
/* Who the identity is, if an active user of an active company. */
static const char sql_who[] =
    "SELECT wi.id, cu.id, cu.name, cu.role FROM wx_identity wi "
    "LEFT JOIN customer_user cu ON cu.id = wi.customer_user_id "
    "AND cu.status = 'active' AND EXISTS (SELECT 1 FROM customer cust "
    "WHERE cust.id = cu.customer_id AND cust.status = 'active') "
    "WHERE wi.shop_id = ? AND wi.appid = ? AND wi.openid = ?";
static const char sql_user[] =
    "SELECT name, role FROM customer_user WHERE id = ?";

/* An id WeChat gives (openid, unionid): 1..64 printable ASCII. */
static const char *
wx_id(json_object *o, const char *key, int required)
{
	json_object	*v;
	const char	*s, *p;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return required ? NULL : "";
	s = json_object_get_string(v);
	if (*s == '\0' || strlen(s) > 64)
		return required || *s ? NULL : "";
	for (p = s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return NULL;
	return s;
}

static int
session_for(struct dctx *c, int64_t user_id, int64_t identity_id,
    int bearer, struct wx_login *out)
{
	struct db_res	*r;
	char		*tok;

	if (session_create_wx(c, user_id, bearer, identity_id, &tok) != 0)
		return ERR_INTERNAL;
	if (db_run(c->arena, &r, sql_user, "i", user_id) == -1 ||
	    r->nrows != 1)
		return ERR_INTERNAL;
	out->bound = 1;
	out->token = tok;
	out->name = c->sess.name = db_cell(r, 0, 0);
	out->role = c->sess.role = db_cell(r, 0, 1);
	return 0;
}

/* The identity of (appid, openid), made or seen again; then log in. */
static int
login(struct dctx *c, const char *appid, const char *openid,
    const char *unionid, int bearer, struct wx_login *out)
{
	struct db_res	*r;
	int64_t		 user_id;

	if (db_run(c->arena, NULL, sql_upsert, "isss", c->shop->id, appid,
	    openid, *unionid ? unionid : NULL) == -1 ||
	    db_run(c->arena, &r, sql_who, "iss", c->shop->id, appid,
	    openid) == -1 || r->nrows != 1)
		return ERR_INTERNAL;
	out->identity_id = db_cell_i64(r, 0, 0);
	/* First touch: the visit this login came from, if it has none. */
	if (channel_identity_attr(c, out->identity_id, 0) != 0)
		return ERR_INTERNAL;
	if ((user_id = db_cell_i64(r, 0, 1)) != 0) {
		clog_info(c, "wechat: login identity=%" PRId64 " user=%"
		    PRId64 "%s", out->identity_id, user_id,
		    bearer ? " bearer" : "");
		return session_for(c, user_id, out->identity_id, bearer, out);
	}
	clog_info(c, "wechat: login identity=%" PRId64 " not bound",
	    out->identity_id);
	return wx_ticket_make(c, out->identity_id, &out->ticket);
}

/* GET an /sns/ exchange of a code: the answer, or an enum err. */
static int
exchange(struct dctx *c, enum wx_app app, const char *what, const char *fmt,
    const char *code, json_object **o, const char **appid)
{
	struct wxapi_result	 r;
	const char		*secret;
	int			 rc;

	if ((rc = wechat_app_secret(c, c->shop->id, app, appid, &secret)) != 0)
		return rc;
	/* A code works once: not tried again even when WeChat is busy. */
	*o = wxapi_call(what, "GET", arena_printf(c->arena, fmt,
	    url_encode(c->arena, *appid), url_encode(c->arena, secret),
	    url_encode(c->arena, code)), NULL, 0, &r);
	return *o != NULL ? 0 : wx_fail(c, what, &r);
}

int
wx_login_miniapp(struct dctx *c, const char *code, struct wx_login *out)
{
	json_object	*o;
	const char	*appid, *openid, *unionid;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = exchange(c, WX_MINIAPP, "jscode2session",
	    "/sns/jscode2session?appid=%s&secret=%s&js_code=%s"
	    "&grant_type=authorization_code", code, &o, &appid)) != 0)
		return rc;
	openid = wx_id(o, "openid", 1);
	unionid = wx_id(o, "unionid", 0);
	if (openid == NULL || unionid == NULL) {
		json_object_put(o);
		clog_warnx(c, "wechat: jscode2session answer without openid");
		c->error = "微信服务暂时不可用，请稍后再试";
		return ERR_UNAVAILABLE;
	}
	openid = arena_strdup(c->arena, openid);
	unionid = arena_strdup(c->arena, unionid);
	json_object_put(o);	/* and session_key with it */
	return login(c, appid, openid, unionid, 1, out);
}

int
wx_login_oauth(struct dctx *c, const char *code, struct wx_login *out)
{
	json_object	*o, *v;
	const char	*appid, *openid, *unionid;
	int		 rc, snapshot;

	memset(out, 0, sizeof(*out));
	if ((rc = exchange(c, WX_MP, "oauth2/access_token",
	    "/sns/oauth2/access_token?appid=%s&secret=%s&code=%s"
	    "&grant_type=authorization_code", code, &o, &appid)) != 0)
		return rc;
	snapshot = json_object_object_get_ex(o, "is_snapshotuser", &v) &&
	    json_object_get_int(v) == 1;
	openid = wx_id(o, "openid", 1);
	unionid = wx_id(o, "unionid", 0);
	if (openid != NULL)
		openid = arena_strdup(c->arena, openid);
	if (unionid != NULL)
		unionid = arena_strdup(c->arena, unionid);
	json_object_put(o);
	if (snapshot) {
		clog_info(c, "wechat: oauth snapshot user refused");
		c->error = "当前是朋友圈快照页，请点击页面下方“使用完整服务”"
		    "后再登录";
		c->code = "wechat_snapshot_user";
		return ERR_FORBIDDEN;
	}
	if (openid == NULL || unionid == NULL) {
		clog_warnx(c, "wechat: oauth answer without openid");
		c->error = "微信服务暂时不可用，请稍后再试";
		return ERR_UNAVAILABLE;
	}
	return login(c, appid, openid, unionid, 0, out);
}

/* -- binding ---------------------------------------------------------- */

static const char sql_identity[] =
    "SELECT appid FROM wx_identity WHERE id = ? AND shop_id = ?";
static const char sql_identity_lock[] =
    "SELECT customer_user_id, appid FROM wx_identity "
    "WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_by_phone[] =
    "SELECT cu.id FROM customer_user cu JOIN customer cust "
    "ON cust.id = cu.customer_id AND cust.status = 'active' "
    "WHERE cu.shop_id = ? AND cu.phone = ? AND cu.status = 'active'";
static const char sql_other[] =
    "SELECT id FROM wx_identity WHERE shop_id = ? AND appid = ? "
    "AND customer_user_id = ? AND id <> ? LIMIT 1";
static const char sql_bind[] =
    "UPDATE wx_identity SET customer_user_id = ?, bound_at = NOW(3) "
    "WHERE id = ? AND customer_user_id IS NULL";

/* A ticket for an identity that is not (any more) the shop's. */
static int
ticket_gone(struct dctx *c)
{
	c->error = "绑定凭证无效或已过期，请重新用微信登录";
	c->code = "bind_ticket_invalid";
	return ERR_INVALID;
}

static const char *
bind_by_name(enum wx_bind_by by)
{
	switch (by) {
	case WX_BIND_PHONE_CODE:
		return "phone_code";
	case WX_BIND_INVITE:
		return "invite";
	case WX_BIND_PASSWORD:
		return "password";
	case WX_BIND_CONSUMER:
		return "consumer";
	}
	return "?";
}

struct bind_tx {
	const struct wx_bind	*in;
	int64_t			 identity_id;
	const char		*phone;		/* WeChat's, by phone code */
	int64_t			 known_user;	/* by password */
	char			 pwhash[AUTH_HASH_MAX];
	struct invite		 inv;
	struct field_errs	*fe;
	int64_t			 user_id;	/* out */
};

static int
tx_bind(struct dctx *c, void *arg)
{
	struct bind_tx	*b = arg;
	struct db_res	*r;
	const char	*appid;
	int64_t		 now_user;
	int		 rc;

	b->user_id = 0;
	c->error = c->code = NULL;
	if (db_run(c->arena, &r, sql_identity_lock, "ii", b->identity_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows != 1)
		return ticket_gone(c);
	now_user = db_cell_i64(r, 0, 0);
	appid = db_cell(r, 0, 1);
	switch (b->in->by) {
	case WX_BIND_PHONE_CODE:
		if (db_run(c->arena, &r, sql_by_phone, "is", c->shop->id,
		    b->phone) == -1)
			return ERR_INTERNAL;
		if (r->nrows != 1) {
			c->error = "这个手机号不是本店的客户账户，请联系业务员"
			    "开通，或用邀请链接加入";
			c->code = "phone_not_customer";
			return ERR_NOT_FOUND;
		}
		b->user_id = db_cell_i64(r, 0, 0);
		break;
	case WX_BIND_INVITE:
		if ((rc = invite_join_locked(c, b->in->invite, b->in->join,
		    b->pwhash, &b->inv, &b->user_id, b->fe)) != 0)
			return rc;
		break;
	case WX_BIND_PASSWORD:
		b->user_id = b->known_user;
		break;
	case WX_BIND_CONSUMER:
		/* Bound already (a double tap, or a dealer): log them in. */
		if (now_user != 0) {
			b->user_id = now_user;
			return 0;
		}
		if ((rc = consumer_add_locked(c, b->identity_id,
		    &b->user_id)) != 0)
			return rc;
		break;
	}
	if (now_user == b->user_id)
		return 0;		/* bound already: the same answer */
	if (now_user != 0) {
		c->error = "这个微信已绑定本店的另一个账户";
		c->code = "wechat_bound_other";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, &r, sql_other, "isii", c->shop->id, appid,
	    b->user_id, b->identity_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows != 0) {
		c->error = "这个账户已绑定另一个微信号，请联系商家";
		c->code = "user_bound_other";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, &r, sql_bind, "ii", b->user_id,
	    b->identity_id) == -1 || r->affected != 1)
		return ERR_INTERNAL;	/* under the row lock: cannot be */
	if ((rc = channel_identity_attr(c, b->identity_id, 0)) != 0)
		return rc;
	return audit(c, "wechat.bind", "identity=%" PRId64 " user=%" PRId64
	    " by=%s", b->identity_id, b->user_id, bind_by_name(b->in->by));
}

static int
bad_phone(struct dctx *c, const char *why)
{
	clog_warnx(c, "wechat: getuserphonenumber answer refused: %s", why);
	c->error = "手机号校验失败，请重新授权";
	c->code = "phone_code_invalid";
	return ERR_INVALID;
}

/*
 * §2.2: the phone number WeChat vouches for, for this mini-program,
 * whose identity (appid) the ticket must be.
 */
static int
phone_of(struct dctx *c, const char *appid, const char *code,
    const char **phone)
{
	struct wxapi_result	 r;
	struct wechat_conf	 w;
	json_object		*q, *o, *pi, *v, *wm;
	const char		*cc;
	int			 rc;

	if ((rc = wechat_conf_get(c, c->shop->id, &w)) != 0)
		return rc;
	if (strcmp(appid, w.miniapp_appid) != 0) {
		c->error = "手机号授权只用于小程序登录";
		c->code = "bind_ticket_invalid";
		return ERR_INVALID;
	}
	q = json_object_new_object();
	json_object_object_add(q, "code", json_object_new_string(code));
	rc = wx_token_call(c, WX_MINIAPP, "getuserphonenumber", "POST",
	    "/wxa/business/getuserphonenumber?access_token=", "", q, &o, &r);
	json_object_put(q);
	if (rc != 0) {
		if (r.rc == WXAPI_ERR_CODE) {
			c->error = "手机号授权已失效，请重新授权";
			c->code = "phone_code_invalid";
		}
		return rc;
	}
	rc = 0;
	if (!json_object_object_get_ex(o, "phone_info", &pi) ||
	    !json_object_object_get_ex(pi, "purePhoneNumber", &v) ||
	    !json_object_is_type(v, json_type_string))
		rc = bad_phone(c, "no purePhoneNumber");
	else if (!json_object_object_get_ex(pi, "watermark", &wm) ||
	    !json_object_object_get_ex(wm, "appid", &v) ||
	    strcmp(json_object_get_string(v), w.miniapp_appid) != 0)
		rc = bad_phone(c, "watermark of another app");
	else {
		/* "86" or 86 (§2.2): json-c reads either as a string. */
		cc = json_object_object_get_ex(pi, "countryCode", &v) ?
		    json_object_get_string(v) : "86";
		json_object_object_get_ex(pi, "purePhoneNumber", &v);
		if (strcmp(cc, "86") != 0) {
			c->error = "只支持中国大陆手机号";
			c->code = "phone_not_customer";
			rc = ERR_NOT_FOUND;
		} else
			*phone = arena_strdup(c->arena,
			    json_object_get_string(v));
	}
	json_object_put(o);
	return rc;
}

int
wx_bind(struct dctx *c, const struct wx_bind *in, struct wx_login *out,
    struct field_errs *fe)
{
	struct bind_tx		 b;
	struct login_result	 lr;
	int			 claimed;
	struct auth_user	 u;
	struct db_res		*r;
	int			 rc;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.in = in;
	b.fe = fe;
	if ((rc = wx_ticket_check(c, in->ticket, &b.identity_id)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_identity, "ii", b.identity_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows != 1)
		return ticket_gone(c);
	switch (in->by) {
	case WX_BIND_PHONE_CODE:
		if ((rc = phone_of(c, db_cell(r, 0, 0), in->phone_code,
		    &b.phone)) != 0)
			return rc;
		break;
	case WX_BIND_INVITE:
		if (in->join->password == NULL ||
		    strlen(in->join->password) < 8 ||
		    strlen(in->join->password) > 128) {
			field_errs_add(fe, "password", "密码", "应为 8 到 128 位");
			return ERR_INVALID;
		}
		if (auth_hash(in->join->password, b.pwhash,
		    sizeof(b.pwhash)) == -1)
			return ERR_INTERNAL;
		break;
	case WX_BIND_PASSWORD:
		if ((rc = auth_check(c, SESS_CUSTOMER, in->phone, in->password,
		    &lr, &u)) != 0)
			return rc;
		b.known_user = u.id;
		break;
	case WX_BIND_CONSUMER:
		break;
	}
	if ((rc = db_tx_run(c, tx_bind, &b)) != 0) {
		if (rc == ERR_CONFLICT || rc == ERR_NOT_FOUND)
			clog_info(c, "wechat: bind refused identity=%" PRId64
			    " code=%s", b.identity_id, c->code ? c->code : "");
		return rc;
	}
	clog_info(c, "wechat: bound identity=%" PRId64 " user=%" PRId64
	    " by=%s", b.identity_id, b.user_id, bind_by_name(in->by));
	/* Tickets a guest opened with this phone become the user's. */
	if (in->by == WX_BIND_PHONE_CODE && ticket_claim_phone(c, b.user_id,
	    b.phone, &claimed) != 0)
		clog_warnx(c, "wechat: guest tickets not linked user=%" PRId64,
		    b.user_id);
	out->identity_id = b.identity_id;
	return session_for(c, b.user_id, b.identity_id, in->bearer, out);
}
