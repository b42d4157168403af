/*
 * wx_message.c -- the account's notifications (notify.c) delivered in
 * WeChat. Each new notification gets one wx_message row (unique by
 * notification: at most one message per event and user); a row is
 * claimed by pushing its next_at a minute on (so two runners never send
 * it twice), then sent as a mini-program subscribe message when the
 * user logged in through the mini-program and the shop has a template
 * for it, else as an official-account template message, else skipped
 * with the reason. A permanent refusal (43101: the user did not
 * subscribe, an unknown openid or template, bad data) fails it for good;
 * a passing one (network, busy, quota) waits 30 s, 60 s, 120 s, ... and
 * is given up after WX_MESSAGE_TRIES. The notify jobs deliver what they
 * recorded at once; the wechat.deliver job, every minute, the rest.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "services/wxapi.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/shop.h"
#include "domain/wechat_conf.h"
#include "domain/wx_message.h"
#include "domain/wx_token.h"

#define BACKOFF_S	30
#define CLAIM_S		60

static const char sql_new[] =
    "INSERT IGNORE INTO wx_message (shop_id, notification_id, "
    "customer_user_id, event) SELECT n.shop_id, n.id, n.customer_user_id, "
    "n.kind FROM notification n LEFT JOIN wx_message m "
    "ON m.notification_id = n.id WHERE m.id IS NULL AND n.created_at > "
    "NOW(3) - INTERVAL 1 DAY AND (? = 0 OR n.shop_id = ?) "
    "ORDER BY n.id LIMIT 500";
static const char sql_due[] =
    "SELECT m.id, m.shop_id, s.slug, s.name, m.customer_user_id, m.event, "
    "m.attempts, n.title, n.body, COALESCE(o.order_no, ''), "
    "COALESCE(o.total_fen, -1), DATE_FORMAT(n.created_at + INTERVAL 8 HOUR, "
    "'%Y-%m-%d %H:%i'), COALESCE(n.link, ''), COALESCE(s.host, '') "
    "FROM wx_message m JOIN notification n "
    "ON n.id = m.notification_id JOIN shop s ON s.id = m.shop_id "
    "LEFT JOIN sales_order o ON o.id = n.order_id AND o.shop_id = n.shop_id "
    "WHERE m.state = 'queued' AND m.next_at <= NOW(3) "
    "AND (? = 0 OR m.shop_id = ?) ORDER BY m.id LIMIT 100";
static const char sql_claim[] =
    "UPDATE wx_message SET next_at = NOW(3) + INTERVAL ? SECOND, "
    "attempts = attempts + 1 WHERE id = ? AND state = 'queued' "
    "AND next_at <= NOW(3)";
static const char sql_templates[] =
    "SELECT app, template_id, fields, page FROM wx_template "
    "WHERE shop_id = ? AND event = ? AND enabled = 1";
static const char sql_identities[] =
    "SELECT appid, openid FROM wx_identity WHERE shop_id = ? "
    "AND customer_user_id = ? ORDER BY last_seen_at DESC LIMIT 10";
static const char sql_done[] =
    "UPDATE wx_message SET state = ?, app = ?, openid = ?, template_id = ?, "
    "errcode = ?, error = ?, sent_at = IF(? = 'sent', NOW(3), NULL) "
    "WHERE id = ?";
static const char sql_wait[] =
    "UPDATE wx_message SET app = ?, openid = ?, template_id = ?, "
    "errcode = ?, error = ?, next_at = NOW(3) + INTERVAL ? SECOND "
    "WHERE id = ?";

/* The refusals that no retry changes (the doc's §4 and §9). */
static int
permanent(long errcode)
{
	static const long codes[] = {
		43101,	/* the user refused, or did not subscribe */
		40003,	/* invalid openid */
		40037,	/* invalid template id */
		47003,	/* data does not fit the template */
		41030,	/* invalid page */
		43004,	/* the user does not follow the account */
		40036,	/* invalid template size */
	};
	size_t	i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i] == errcode)
			return 1;
	return 0;
}

/*
 * v with each {name} of the n pairs (name, value) put in, cut to max
 * characters (0: no cut).
 */
char *
wx_fill(struct arena *a, const char *v, const char *const vals[][2], int n,
    size_t max)
{
	struct buf	 b;
	const char	*p = v, *e;
	char		*out;
	int		 i;

	buf_init(&b, 64);
	while (*p) {
		if (*p == '{' && (e = strchr(p, '}')) != NULL) {
			for (i = 0; i < n; i++)
				if (strlen(vals[i][0]) == (size_t)(e - p - 1) &&
				    strncmp(vals[i][0], p + 1,
				    (size_t)(e - p - 1)) == 0)
					break;
			if (i < n) {
				buf_adds(&b, vals[i][1]);
				p = e + 1;
				continue;
			}
		}
		buf_addc(&b, *p++);
	}
	out = max ? utf8_prefix(a, buf_cstr(&b), max) :
	    arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return out;
}

/* The longest a value may be for a template key (§4: thing 20, ...). */
static size_t
key_max(const char *key)
{
	if (strncmp(key, "thing", 5) == 0)
		return 20;
	if (strncmp(key, "character_string", 16) == 0)
		return 32;
	if (strncmp(key, "phrase", 6) == 0)
		return 5;
	if (strncmp(key, "name", 4) == 0)
		return 10;
	return 200;
}

/* The "data" object of the fields text. */
static json_object *
data_of(struct arena *a, const char *fields, const char *const vals[][2],
    int n)
{
	json_object	*d = json_object_new_object(), *o;
	const char	*p = fields, *nl, *eq;
	char		*key, *raw;

	while (*p) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if ((eq = memchr(p, '=', (size_t)(nl - p))) != NULL) {
			key = arena_strndup(a, p, (size_t)(eq - p));
			raw = arena_strndup(a, eq + 1, (size_t)(nl - eq - 1));
			raw[strcspn(raw, "\r")] = '\0';
			o = json_object_new_object();
			json_object_object_add(o, "value", json_object_new_string(
			    wx_fill(a, raw, vals, n, key_max(key))));
			json_object_object_add(d, key, o);
		}
		p = *nl ? nl + 1 : nl;
	}
	return d;
}

struct msg {
	int64_t		 id;
	int64_t		 user;
	const char	*event;
	int		 attempts;
	const char	*vals[7][2];
};

/* Record how m ended (state) or that it waits (state NULL). */
static int
finish(struct dctx *c, const struct msg *m, const char *state,
    const char *app, const char *openid, const char *tpl, long errcode,
    const char *error)
{
	int64_t	wait = (int64_t)BACKOFF_S << (m->attempts > 6 ? 6 :
		    m->attempts - 1);

	if (state != NULL)
		return db_run(c->arena, NULL, sql_done, "ssssissi", state, app,
		    openid, tpl, (int64_t)errcode, error, state, m->id) == -1 ?
		    -1 : 0;
	return db_run(c->arena, NULL, sql_wait, "sssisii", app, openid, tpl,
	    (int64_t)errcode, error, wait, m->id) == -1 ? -1 : 0;
}

/* Send claimed message m: what it became counted in k. */
static int
send_one(struct dctx *c, const struct wechat_conf *w, struct msg *m,
    struct wx_deliver_count *k)
{
	struct db_res		*t, *ids;
	struct wxapi_result	 res;
	json_object		*body, *out = NULL;
	const char		*app = NULL, *openid = NULL, *tpl = "", *fields = "";
	const char		*page = "", *why;
	enum wx_app		 which = WX_MP;
	int			 i, j, rc, mini;

	if (db_run(c->arena, &t, sql_templates, "is", c->shop->id,
	    m->event) == -1 || db_run(c->arena, &ids, sql_identities, "ii",
	    c->shop->id, m->user) == -1)
		return -1;
	/* The mini-program's subscribe message first, then the account's. */
	for (mini = 1; mini >= 0 && openid == NULL; mini--)
		for (i = 0; i < t->nrows && openid == NULL; i++) {
			if (strcmp(db_cell(t, i, 0), mini ? "miniapp" : "mp"))
				continue;
			for (j = 0; j < ids->nrows && openid == NULL; j++)
				if (*wechat_appid(w, mini ? WX_MINIAPP : WX_MP)
				    && strcmp(db_cell(ids, j, 0), wechat_appid(w,
				    mini ? WX_MINIAPP : WX_MP)) == 0) {
					openid = db_cell(ids, j, 1);
					app = mini ? "miniapp" : "mp";
					which = mini ? WX_MINIAPP : WX_MP;
					tpl = db_cell(t, i, 1);
					fields = db_cell(t, i, 2);
					page = db_cell(t, i, 3);
				}
		}
	if (openid == NULL) {
		k->skipped++;
		return finish(c, m, "skipped", NULL, NULL, NULL, 0, t->nrows ==
		    0 ? "没有为这个事件设置消息模板" : "用户没有用相应的微信登录过");
	}
	body = json_object_new_object();
	json_object_object_add(body, "touser", json_object_new_string(openid));
	json_object_object_add(body, "template_id",
	    json_object_new_string(tpl));
	/* A page with {link} opens the notification's own page (an NPS
	 * survey's); an official-account notice without a page, too. */
	page = wx_fill(c->arena, page, m->vals, 7, 0);
	if (*page == '\0' && which == WX_MP)
		page = m->vals[6][1];
	if (*page != '\0')
		json_object_object_add(body, which == WX_MINIAPP ? "page" :
		    "url", json_object_new_string(page));
	json_object_object_add(body, "data", data_of(c->arena, fields,
	    m->vals, 7));
	memset(&res, 0, sizeof(res));
	rc = wx_token_call(c, which, which == WX_MINIAPP ? "subscribe.send" :
	    "template.send", "POST", which == WX_MINIAPP ?
	    "/cgi-bin/message/subscribe/send?access_token=" :
	    "/cgi-bin/message/template/send?access_token=", "", body, &out,
	    &res);
	json_object_put(body);
	json_object_put(out);
	if (rc == 0) {
		k->sent++;
		return finish(c, m, "sent", app, openid, tpl, 0, "");
	}
	why = res.errmsg[0] != '\0' ? res.errmsg : c->error != NULL ?
	    c->error : "发送失败";
	if (res.rc == WXAPI_ERR_CONF || permanent(res.errcode) ||
	    rc == ERR_CONFLICT || m->attempts >= WX_MESSAGE_TRIES) {
		k->failed++;
		return finish(c, m, "failed", app, openid, tpl, res.errcode,
		    utf8_prefix(c->arena, m->attempts >= WX_MESSAGE_TRIES &&
		    !permanent(res.errcode) && rc != ERR_CONFLICT ?
		    arena_printf(c->arena, "重试 %d 次仍未成功：%s",
		    m->attempts, why) : why, 200));
	}
	k->waiting++;
	return finish(c, m, NULL, app, openid, tpl, res.errcode,
	    utf8_prefix(c->arena, why, 200));
}

/* A notification's link (under the shop) as an absolute URL: the shop's
 * own host, else the shared host's /s/<slug>; "" for none. */
static const char *
link_of(struct arena *a, const char *link, const char *host,
    const char *slug)
{
	if (link == NULL || *link == '\0')
		return "";
	if (host != NULL && *host != '\0')
		return arena_printf(a, "https://%s%s", host, link);
	if (*conf.shared_host != '\0')
		return arena_printf(a, "https://%s/s/%s%s", conf.shared_host,
		    slug, link);
	return arena_printf(a, "/s/%s%s", slug, link);
}

/*
 * Deliver the due WeChat messages of shop (0: every shop), first making
 * the rows of the day's new notifications. 0, or ERR_INTERNAL.
 */
int
wx_deliver(struct arena *a, int64_t shop, struct wx_deliver_count *k)
{
	struct db_res		*r, *cl;
	struct wechat_conf	 w;
	struct shop		 s;
	struct dctx		 d;
	struct msg		 m;
	int64_t			 conf_shop = 0;
	int			 i;

	memset(k, 0, sizeof(*k));
	if (db_run(a, NULL, sql_new, "ii", shop, shop) == -1 ||
	    db_run(a, &r, sql_due, "ii", shop, shop) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++) {
		if (db_run(a, &cl, sql_claim, "ii", (int64_t)CLAIM_S,
		    db_cell_i64(r, i, 0)) == -1)
			return ERR_INTERNAL;
		if (cl->affected != 1)
			continue;	/* another runner has it */
		memset(&s, 0, sizeof(s));
		s.id = db_cell_i64(r, i, 1);
		s.slug = arena_strdup(a, db_cell(r, i, 2));
		s.name = arena_strdup(a, db_cell(r, i, 3));
		dctx_init(&d, a, "job");
		d.shop = &s;
		memset(&m, 0, sizeof(m));
		m.id = db_cell_i64(r, i, 0);
		m.user = db_cell_i64(r, i, 4);
		m.event = db_cell(r, i, 5);
		m.attempts = (int)db_cell_i64(r, i, 6) + 1;
		m.vals[0][0] = "title";
		m.vals[0][1] = db_cell(r, i, 7);
		m.vals[1][0] = "body";
		m.vals[1][1] = db_cell(r, i, 8);
		m.vals[2][0] = "order_no";
		m.vals[2][1] = db_cell(r, i, 9);
		m.vals[3][0] = "amount";
		m.vals[3][1] = db_cell_i64(r, i, 10) < 0 ? "" :
		    arena_printf(a, "¥%s", fmt_yuan_grouped(a,
		    db_cell_i64(r, i, 10)));
		m.vals[4][0] = "time";
		m.vals[4][1] = db_cell(r, i, 11);
		m.vals[5][0] = "shop";
		m.vals[5][1] = s.name;
		m.vals[6][0] = "link";
		m.vals[6][1] = link_of(a, db_cell(r, i, 13), db_cell(r, i, 12),
		    s.slug);
		/* The shop's apps once per shop in the batch (ordered by
		 * message, mostly one shop's). */
		if (s.id != conf_shop && wechat_conf_get(&d, s.id, &w) != 0)
			return ERR_INTERNAL;
		conf_shop = s.id;
		if (send_one(&d, &w, &m, k) == -1)
			return ERR_INTERNAL;
	}
	return 0;
}
