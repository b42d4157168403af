/*
 * h_admin_kf.c -- the 微信客服 console (/admin/service/kf): the
 * conversations with their filters, one conversation with its messages
 * (every platform string escaped by the templates; links only when
 * http or https), the reply window and the reply forms, linking the
 * customer in one tap, closing, and making it a ticket. Owner, admin,
 * service; sales their own customers' (domain/kf_conv.c).
 */
#include "base/base.h"
#include "domain/kf.h"
#include "domain/kf_to_ticket.h"
#include "http/http.h"
#include "handlers/handlers.h"

#define CONSOLE		"/admin/service/kf"

static const char *const notices[][2] = {
	{ "sent", "已发送" }, { "linked", "已关联客户" },
	{ "closed", "会话已关闭" }, { "open", "会话已重新打开" },
	{ "ticket", "已转为售后工单" },
};

static const char *
when(struct ctx *c, int64_t t)
{
	struct tm	tm;
	time_t		s = (time_t)(t + 8 * 3600);	/* China time */
	char		b[32];

	if (t <= 0 || gmtime_r(&s, &tm) == NULL ||
	    strftime(b, sizeof(b), "%m-%d %H:%M", &tm) == 0)
		return "";
	return arena_strdup(c->d.arena, b);
}

static const char *
conv_link(struct ctx *c, int64_t id, const char *rest)
{
	return ctx_link(c, arena_printf(c->d.arena, CONSOLE "/%" PRId64 "%s",
	    id, rest));
}

static const char *
str_in(json_object *o, const char *k)
{
	json_object	*v;

	return o != NULL && json_object_object_get_ex(o, k, &v) &&
	    json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static int
web_url(const char *u)
{
	return u != NULL && (strncmp(u, "https://", 8) == 0 ||
	    strncmp(u, "http://", 7) == 0);
}

static const char *
where_from(struct ctx *c, const struct kf_conv *k)
{
	if (k->channels_scene > 0)
		return kf_channels_label(k->channels_scene);
	if (*k->scene_label)
		return k->scene_label;
	if (*k->scene)
		return arena_printf(c->d.arena, "场景 %s", k->scene);
	return "";
}

static void
conv_view(struct ctx *c, json_object *o, const struct kf_conv *k)
{
	struct kf_window	w;

	kf_window_of(k, (int64_t)time(NULL), &w);
	view_set_i64(o, "id", k->id);
	view_set_str(o, "url", conv_link(c, k->id, ""));
	view_set_str(o, "who", *k->user_name ? k->user_name : *k->nickname ?
	    k->nickname : "微信用户");
	view_set_str(o, "nickname", k->nickname);
	view_set_str(o, "company", k->company);
	view_set_str(o, "phone", k->user_phone);
	view_set_bool(o, "linked", k->customer_user_id != 0);
	view_set_bool(o, "by_unionid", strcmp(k->linked_by, "unionid") == 0);
	view_set_str(o, "account", *k->account_name ? k->account_name :
	    k->open_kfid);
	view_set_str(o, "from", where_from(c, k));
	view_set_bool(o, "is_open", strcmp(k->state, "open") == 0);
	view_set_str(o, "at", when(c, k->last_msg_at));
	view_set_str(o, "preview", k->preview);
	view_set_bool(o, "window_open", w.open);
	view_set_str(o, "window_until", when(c, w.until));
	view_set_i64(o, "window_left", w.left);
	view_set_str(o, "window_why", w.why);
	view_set_bool(o, "has_ticket", k->ticket_id != 0);
	view_set_i64(o, "ticket_id", k->ticket_id);
	view_set_bool(o, "ticket_asked", k->ticket_asked);
}

static json_object *
chip(struct ctx *c, const char *label, int current, const char *url)
{
	json_object	*o = json_object_new_object();

	view_set_str(o, "label", label);
	view_set_bool(o, "current", current);
	view_set_str(o, "url", ctx_link(c, url));
	return o;
}

static int
h_kf_list(struct ctx *c)
{
	static const char *const states[][2] = { { "open", "进行中" },
	    { "closed", "已关闭" }, { "", "全部" } };
	struct kf_filter	 f;
	struct kf_conv		*k;
	struct kf_account	*acc;
	const char		*s, *err, *q;
	json_object		*v, *a, *o;
	int64_t			 total, id;
	int			 i, n, na, rc;

	memset(&f, 0, sizeof(f));
	s = kv_get(&c->query, "state");
	f.state = s != NULL && (strcmp(s, "closed") == 0 || *s == '\0') ? s :
	    "open";
	s = kv_get(&c->query, "account");
	f.account_id = s != NULL && parse_i64(s, 1, INT64_MAX, &id,
	    &err) == 0 ? id : 0;
	s = kv_get(&c->query, "linked");
	f.linked = s != NULL && strcmp(s, "1") == 0 ? 1 : s != NULL &&
	    strcmp(s, "0") == 0 ? 0 : -1;
	s = kv_get(&c->query, "scene");
	f.scene = s != NULL && kf_scene_valid(s) ? s : "";
	f.page = query_page(c);
	if ((rc = kf_convs_list(&c->d, &f, &k, &n, &total)) != 0 ||
	    (rc = kf_accounts_get(&c->d, &acc, &na)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "kf");
	if ((s = REQ_NOTICE(c, notices)) != NULL)
		view_set_str(v, "flash", s);
	q = arena_printf(c->d.arena, "account=%" PRId64 "&linked=%s&scene=%s",
	    f.account_id, f.linked < 0 ? "" : f.linked ? "1" : "0",
	    url_encode(c->d.arena, f.scene));
	a = json_object_new_array();
	for (i = 0; i < 3; i++)
		json_object_array_add(a, chip(c, states[i][1],
		    strcmp(f.state, states[i][0]) == 0, arena_printf(c->d.arena,
		    CONSOLE "?state=%s&%s", states[i][0], q)));
	json_object_object_add(v, "states", a);
	a = json_object_new_array();
	for (i = 0; i < na; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", acc[i].id);
		view_set_str(o, "name", *acc[i].name ? acc[i].name :
		    acc[i].open_kfid);
		view_set_bool(o, "selected", acc[i].id == f.account_id);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "accounts", a);
	view_set_str(v, "state", f.state);
	view_set_str(v, "scene", f.scene);
	view_set_bool(v, "linked_yes", f.linked == 1);
	view_set_bool(v, "linked_no", f.linked == 0);
	view_set_str(v, "action", ctx_link(c, CONSOLE));
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		conv_view(c, o, &k[i]);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "convs", a);
	view_set_bool(v, "empty", total == 0);
	view_set_bool(v, "filtered", f.account_id != 0 || f.linked >= 0 ||
	    *f.scene != '\0' || strcmp(f.state, "open") != 0);
	view_set_i64(v, "total", total);
	view_set_bool(v, "may_settings", session_staff_role(&c->d.sess,
	    KF_SETTINGS_ROLES));
	view_pager(c, v, total, KF_PER_PAGE, arena_printf(c->d.arena,
	    CONSOLE "?state=%s&%s", f.state, q));
	c->title = "微信客服";
	return render(c, "admin/kf_list");
}

static const char *
event_text(struct ctx *c, const char *type, json_object *ev)
{
	json_object	*v;
	const char	*s;

	if (strcmp(type, "enter_session") == 0) {
		s = str_in(ev, "scene");
		return s != NULL && *s ? arena_printf(c->d.arena,
		    "客户进入会话（场景 %s）", s) : "客户进入会话";
	}
	if (strcmp(type, "msg_send_fail") == 0) {
		v = json_object_object_get(ev, "fail_type");
		return arena_printf(c->d.arena, "一条消息没有送达（原因 %d%s）",
		    v ? json_object_get_int(v) : 0, v &&
		    json_object_get_int(v) == 10 ? "：客户拒收" : "");
	}
	if (strcmp(type, "session_status_change") == 0)
		return "会话状态有变化（企业微信里的接待人员操作）";
	if (strcmp(type, "user_recall_msg") == 0)
		return "客户撤回了一条消息";
	if (strcmp(type, "servicer_recall_msg") == 0)
		return "接待人员撤回了一条消息";
	if (strcmp(type, "servicer_status_change") == 0)
		return "接待人员状态有变化";
	return arena_printf(c->d.arena, "事件 %s", type);
}

/* One message as the page shows it; every string stays text. */
static json_object *
msg_view(struct ctx *c, const struct kf_msg *m)
{
	json_object	*o = json_object_new_object(), *b, *in = NULL;
	const char	*t, *u;

	view_set_i64(o, "id", m->id);
	view_set_str(o, "at", when(c, m->send_time));
	view_set_bool(o, "ours", m->origin == 0 || m->origin == 5);
	view_set_bool(o, "event", m->origin == 4);
	view_set_str(o, "who", m->origin == 0 ? (*m->staff_name ?
	    m->staff_name : "客服") : m->origin == 5 ? "企业微信接待人员" :
	    m->origin == 3 ? "客户" : "系统");
	view_set_bool(o, "recalled", m->recalled);
	view_set_bool(o, "failed", strcmp(m->status, "failed") == 0);
	view_set_bool(o, "sending", strcmp(m->status, "sending") == 0);
	view_set_i64(o, "errcode", m->errcode);
	b = json_tokener_parse(m->body);
	if (b != NULL)
		json_object_object_get_ex(b, m->msgtype, &in);
	if (strcmp(m->msgtype, "event") == 0)
		view_set_str(o, "text", event_text(c, m->event_type, in));
	else if (strcmp(m->msgtype, "text") == 0)
		view_set_str(o, "text", str_in(in, "content"));
	else if (strcmp(m->msgtype, "image") == 0) {
		view_set_str(o, "text", "[图片]");
		if (m->image_thumb != NULL)
			view_set_str(o, "img", arena_printf(c->d.arena,
			    "/uploads/%s", m->image_thumb));
	} else if (strcmp(m->msgtype, "link") == 0) {
		view_set_str(o, "card_title", str_in(in, "title"));
		view_set_str(o, "card_desc", str_in(in, "desc"));
		u = str_in(in, "url");
		view_set_str(o, "link", web_url(u) ? u : NULL);
		view_set_str(o, "text", web_url(u) ? NULL : u);
		if (m->image_thumb != NULL)
			view_set_str(o, "img", arena_printf(c->d.arena,
			    "/uploads/%s", m->image_thumb));
	} else if (strcmp(m->msgtype, "miniprogram") == 0) {
		t = str_in(in, "title");
		view_set_str(o, "card_title", arena_printf(c->d.arena, "小程序：%s",
		    t ? t : ""));
		view_set_str(o, "card_desc", str_in(in, "pagepath"));
		if (m->image_thumb != NULL)
			view_set_str(o, "img", arena_printf(c->d.arena,
			    "/uploads/%s", m->image_thumb));
	} else
		view_set_str(o, "text", arena_printf(c->d.arena, "[%s 消息]",
		    m->msgtype));
	json_object_put(b);
	return o;
}

static void
picks_view(struct ctx *c, json_object *v, const char *key, const char *q,
    int users)
{
	struct kf_pick	*p;
	json_object	*a, *o;
	int		 i, n;

	if (q == NULL || *q == '\0' || strlen(q) > 60)
		return;
	if ((users ? kf_users_find(&c->d, q, &p, &n) :
	    kf_products_find(&c->d, q, &p, &n)) != 0)
		return;
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", p[i].id);
		view_set_str(o, "name", p[i].name);
		view_set_str(o, "sub", p[i].sub);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, key, a);
	view_set_bool(v, users ? "users_none" : "products_none", n == 0);
}

static int
conv_page(struct ctx *c, int status, const char *error, const char *typed)
{
	struct kf_conv	 k;
	struct kf_msg	*m;
	json_object	*v, *o, *a;
	const char	*s;
	int		 i, n, rc;
	int64_t		 id = route_cap(c, 0);

	if ((rc = kf_conv_get(&c->d, id, &k)) != 0 ||
	    (rc = kf_conv_msgs(&c->d, id, &m, &n)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "kf");
	if ((s = REQ_NOTICE(c, notices)) != NULL && error == NULL)
		view_set_str(v, "flash", s);
	o = json_object_new_object();
	conv_view(c, o, &k);
	json_object_object_add(v, "conv", o);
	a = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(a, msg_view(c, &m[i]));
	json_object_object_add(v, "msgs", a);
	view_set_bool(v, "no_msgs", n == 0);
	view_set_str(v, "list_url", ctx_link(c, CONSOLE));
	view_set_str(v, "reply_action", conv_link(c, id, "/reply"));
	view_set_str(v, "link_action", conv_link(c, id, "/link"));
	view_set_str(v, "state_action", conv_link(c, id, "/state"));
	view_set_str(v, "ticket_action", conv_link(c, id, "/ticket"));
	view_set_str(v, "search_action", conv_link(c, id, ""));
	view_set_str(v, "uq", kv_get(&c->query, "uq"));
	view_set_str(v, "pq", kv_get(&c->query, "pq"));
	view_set_str(v, "typed", typed);
	view_set_str(v, "error", error);
	picks_view(c, v, "users", kv_get(&c->query, "uq"), 1);
	picks_view(c, v, "products", kv_get(&c->query, "pq"), 0);
	if (status != 0)
		c->status = status;
	c->title = "微信客服会话";
	return render(c, "admin/kf_conv");
}

static int
h_kf_conv(struct ctx *c)
{
	return conv_page(c, 0, NULL, NULL);
}

enum { R_KIND, R_TEXT, R_PRODUCT };
static const struct field reply_fields[] = {
	[R_KIND] =	{ "kind", FIELD_TEXT, FIELD_REQUIRED, 1, 16, "类型" },
	[R_TEXT] =	{ "text", FIELD_TEXT, 0, 0, KF_TEXT_MAX, "回复内容" },
	[R_PRODUCT] =	{ "product_id", FIELD_ID, 0, 0, 0, "商品" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
done(struct ctx *c, const char *what)
{
	if (c->json_out) {
		view_new(c);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", conv_link(c, route_cap(c, 0),
	    arena_printf(c->d.arena, "?done=%s", what)));
}

static int
refused(struct ctx *c, int rc, const char *typed)
{
	if (c->json_out || rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
		return http_fail(c, rc, c->d.error);
	return conv_page(c, err_status(rc), c->d.error, typed);
}

static int
h_kf_reply(struct ctx *c)
{
	static const char *const kinds[] = { "text", "image", "link",
	    "miniprogram" };
	const struct upload	*u;
	struct kf_reply		 r;
	struct form		 f;
	size_t			 i;
	int			 rc;

	form_parse(c, reply_fields, &f);
	if (f.error != NULL)
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    conv_page(c, 400, f.error, f.v[R_TEXT].s);
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 4; i++)
		if (strcmp(f.v[R_KIND].s, kinds[i]) == 0)
			break;
	if (i == 4)
		return refused(c, ERR_INVALID, NULL);
	r.kind = (enum kf_reply_kind)i;
	r.text = f.v[R_TEXT].s;
	r.product_id = f.v[R_PRODUCT].i64;
	if ((u = admin_upload(c, "image")) != NULL) {
		r.image = u->data;
		r.image_len = u->len;
	}
	r.shop_url = arena_printf(c->d.arena, "%s://%s%s", c->https ?
	    "https" : "http", c->host ? c->host : "", c->base);
	if ((rc = kf_reply_send(&c->d, route_cap(c, 0), &r)) != 0)
		return refused(c, rc, r.text);
	return done(c, "sent");
}

enum { L_USER };
static const struct field link_fields[] = {
	[L_USER] =	{ "user_id", FIELD_ID, FIELD_REQUIRED, 0, 0, "客户" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_kf_link(struct ctx *c)
{
	struct form	f;
	int		rc;

	if (form_parse(c, link_fields, &f) == -1 || f.error != NULL)
		return http_fail(c, ERR_INVALID, f.error);
	if ((rc = kf_conv_link(&c->d, route_cap(c, 0), f.v[L_USER].i64)) != 0)
		return refused(c, rc, NULL);
	return done(c, "linked");
}

enum { S_STATE };
static const struct field state_fields[] = {
	[S_STATE] =	{ "state", FIELD_TEXT, FIELD_REQUIRED, 1, 10, "状态" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_kf_state(struct ctx *c)
{
	struct form	f;
	int		rc;

	if (form_parse(c, state_fields, &f) == -1 || f.error != NULL)
		return http_fail(c, ERR_INVALID, f.error);
	if ((rc = kf_conv_set_state(&c->d, route_cap(c, 0),
	    f.v[S_STATE].s)) != 0)
		return refused(c, rc, NULL);
	return done(c, f.v[S_STATE].s);
}

static int
h_kf_ticket(struct ctx *c)
{
	int64_t	ticket;
	int	rc;

	if ((rc = kf_to_ticket(&c->d, route_cap(c, 0), &ticket)) != 0)
		return refused(c, rc, NULL);
	if (ticket == 0 || c->json_out)
		return done(c, "ticket");
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/service/tickets/%" PRId64, ticket)));
}

#define W	(ROUTE_STAFF | ROUTE_CSRF)
const struct route h_admin_kf_routes[] = {
	{ "GET", "^" CONSOLE "$", h_kf_list, ROUTE_STAFF, KF_ROLES },
	{ "GET", "^" CONSOLE "/([0-9]{1,18})$", h_kf_conv, ROUTE_STAFF, KF_ROLES },
	{ "POST", "^" CONSOLE "/([0-9]{1,18})/reply$", h_kf_reply, W, KF_ROLES },
	{ "POST", "^" CONSOLE "/([0-9]{1,18})/link$", h_kf_link, W, KF_ROLES },
	{ "POST", "^" CONSOLE "/([0-9]{1,18})/state$", h_kf_state, W, KF_ROLES },
	{ "POST", "^" CONSOLE "/([0-9]{1,18})/ticket$", h_kf_ticket, W, KF_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
