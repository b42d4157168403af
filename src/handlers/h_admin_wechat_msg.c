/*
 * h_admin_wechat_msg.c -- the back office's WeChat messages: the
 * template each event uses (设置 › 微信消息) and the list of what was
 * sent to whom and what failed (微信消息记录), owner and admin.
 */
#include "base/base.h"
#include "domain/customer.h"
#include "domain/wx_message.h"
#include "http/http.h"
#include "handlers/handlers.h"

#define TEMPLATES	"/admin/settings/wechat/templates"
#define MESSAGES	"/admin/wechat/messages"

enum { T_EVENT, T_APP, T_TEMPLATE, T_FIELDS, T_PAGE, T_ENABLED, T_OP };
static const struct field template_fields[] = {
	[T_EVENT] =	{ "event", FIELD_TEXT, FIELD_REQUIRED, 1, 40, "事件" },
	[T_APP] =	{ "app", FIELD_TEXT, FIELD_REQUIRED, 1, 10, "发送方式" },
	[T_TEMPLATE] =	{ "template_id", FIELD_TEXT, 0, 0, 64, "模板 ID" },
	[T_FIELDS] =	{ "fields", FIELD_TEXT, 0, 0, 600, "字段" },
	[T_PAGE] =	{ "page", FIELD_TEXT, 0, 0, 200, "打开页面" },
	[T_ENABLED] =	{ "enabled", FIELD_BOOL, 0, 0, 0, "启用" },
	[T_OP] =	{ "op", FIELD_TEXT, 0, 0, 10, "操作" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* One form per event and app: what is saved, or (for the one that was
 * refused) what was typed. */
static int
templates_page(struct ctx *c, int status, const char *error,
    const struct form *f)
{
	struct wx_template	*t;
	json_object		*v, *a, *o, *apps, *p;
	int			 i, j, k, n, rc, mine;
	static const char *const app_names[] = { "miniapp", "mp" };
	static const char *const app_labels[] = { "小程序订阅消息",
	    "公众号模板消息" };

	if ((rc = wx_templates_get(&c->d, &t, &n)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "settings");
	view_set_str(v, "action", ctx_link(c, TEMPLATES));
	view_set_str(v, "messages_url", ctx_link(c, MESSAGES));
	view_set_str(v, "wechat_url", ctx_link(c, "/admin/settings/wechat"));
	a = json_object_new_array();
	for (i = 0; i < wx_event_count(); i++) {
		o = json_object_new_object();
		view_set_str(o, "event", wx_event_name(i));
		view_set_str(o, "label", wx_event_label(i));
		apps = json_object_new_array();
		for (j = 0; j < 2; j++) {
			p = json_object_new_object();
			view_set_str(p, "event", wx_event_name(i));
			view_set_str(p, "app", app_names[j]);
			view_set_str(p, "app_label", app_labels[j]);
			view_set_str(p, "form_id", arena_printf(c->d.arena,
			    "%s-%s", wx_event_name(i), app_names[j]));
			view_set_bool(p, "saved", 0);
			view_set_bool(p, "open", 0);
			view_set_str(p, "form_error", "");
			view_set_str(p, "template_id", "");
			view_set_str(p, "page", "");
			mine = f != NULL && f->v[T_EVENT].s != NULL &&
			    f->v[T_APP].s != NULL &&
			    strcmp(f->v[T_EVENT].s, wx_event_name(i)) == 0 &&
			    strcmp(f->v[T_APP].s, app_names[j]) == 0;
			for (k = 0; k < n; k++)
				if (strcmp(t[k].event, wx_event_name(i)) == 0 &&
				    t[k].app == (j == 0 ? WX_MINIAPP : WX_MP))
					break;
			if (mine) {
				view_set_str(p, "template_id",
				    or_empty(f->v[T_TEMPLATE].s));
				view_set_str(p, "fields",
				    or_empty(f->v[T_FIELDS].s));
				view_set_str(p, "page", or_empty(f->v[T_PAGE].s));
				view_set_bool(p, "enabled",
				    f->v[T_ENABLED].i64 != 0);
				view_set_bool(p, "open", 1);
				view_set_str(p, "form_error", error);
				if (f->errors != NULL)
					json_object_object_add(p, "errors",
					    json_object_get(f->errors));
			} else if (k < n) {
				view_set_str(p, "template_id", t[k].template_id);
				view_set_str(p, "fields", t[k].fields);
				view_set_str(p, "page", t[k].page);
				view_set_bool(p, "enabled", t[k].enabled);
				view_set_bool(p, "saved", 1);
			} else {
				view_set_str(p, "fields", "thing1={title}\n"
				    "character_string2={order_no}\n"
				    "amount3={amount}\ntime4={time}");
				view_set_bool(p, "enabled", 1);
			}
			json_object_array_add(apps, p);
		}
		json_object_object_add(o, "apps", apps);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "events", a);
	view_set_bool(v, "flash_saved", error == NULL &&
	    kv_get(&c->query, "done"));
	if (status != 0)
		c->status = status;
	c->title = "微信消息";
	return render(c, "admin/wechat_templates");
}

static int
h_templates(struct ctx *c)
{
	return templates_page(c, 0, NULL, NULL);
}

static int
h_templates_save(struct ctx *c)
{
	struct wx_template	 t;
	struct field_errs	 fe = { 0 };
	struct form		 f;
	int			 i, rc;

	form_parse(c, template_fields, &f);
	if (f.error == NULL && strcmp(f.v[T_APP].s, "mp") != 0 &&
	    strcmp(f.v[T_APP].s, "miniapp") != 0)
		form_error(c, &f, "app", "发送方式", "请选择小程序或公众号");
	if (f.error != NULL)
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    templates_page(c, 400, f.error, &f);
	t = (struct wx_template){ f.v[T_EVENT].s, strcmp(f.v[T_APP].s,
	    "miniapp") == 0 ? WX_MINIAPP : WX_MP, or_empty(f.v[T_TEMPLATE].s),
	    or_empty(f.v[T_FIELDS].s), or_empty(f.v[T_PAGE].s),
	    f.v[T_ENABLED].i64 != 0 };
	if (f.v[T_OP].s != NULL && strcmp(f.v[T_OP].s, "drop") == 0)
		rc = wx_template_drop(&c->d, t.event, t.app);
	else
		rc = wx_template_save(&c->d, &t, &fe);
	if (rc == ERR_INVALID) {
		for (i = 0; i < fe.n; i++)
			form_error(c, &f, fe.v[i].name, fe.v[i].label,
			    fe.v[i].why);
		return c->json_out ? http_fail(c, rc, f.error) :
		    templates_page(c, 400, c->d.error, &f);
	}
	if (rc != 0)
		return http_fail(c, rc, c->d.error);
	if (c->json_out) {
		view_new(c);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    TEMPLATES "?done=saved#%s-%s", t.event, f.v[T_APP].s)));
}

static const char *
state_label(const char *s)
{
	return strcmp(s, "sent") == 0 ? "已发送" : strcmp(s, "failed") == 0 ?
	    "失败" : strcmp(s, "skipped") == 0 ? "未发送" : "等待发送";
}

static int
h_messages(struct ctx *c)
{
	static const char *const states[] = { "", "sent", "failed", "skipped",
	    "queued" };
	struct wx_message_row	*m;
	const char		*st = kv_get(&c->query, "state");
	json_object		*v, *a, *o;
	int64_t			 total;
	int			 i, n, rc;

	for (i = 0; st != NULL && i < 5; i++)
		if (strcmp(states[i], st) == 0)
			break;
	if (st == NULL || i == 5)
		st = "";
	if ((rc = wx_messages_list(&c->d, st, (int)query_page(c), &m, &n,
	    &total)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "settings");
	view_set_str(v, "templates_url", ctx_link(c, TEMPLATES));
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", m[i].id);
		view_set_str(o, "at", m[i].at);
		view_set_str(o, "company", m[i].company);
		view_set_str(o, "user", m[i].user);
		view_set_str(o, "event", m[i].event);
		view_set_str(o, "app_label", m[i].app == NULL ? "" :
		    strcmp(m[i].app, "miniapp") == 0 ? "小程序" : "公众号");
		view_set_str(o, "state", m[i].state);
		view_set_str(o, "state_label", state_label(m[i].state));
		view_set_bool(o, "bad", strcmp(m[i].state, "failed") == 0);
		view_set_str(o, "error", m[i].error);
		view_set_i64(o, "attempts", m[i].attempts);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "messages", a);
	a = json_object_new_array();
	for (i = 0; i < 5; i++) {
		o = json_object_new_object();
		view_set_str(o, "label", i == 0 ? "全部" :
		    state_label(states[i]));
		view_set_bool(o, "current", strcmp(states[i], st) == 0);
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    MESSAGES "?state=%s", states[i])));
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "states", a);
	view_set_bool(v, "empty", total == 0);
	view_set_i64(v, "total", total);
	view_pager(c, v, total, WX_MESSAGE_PER_PAGE, arena_printf(c->d.arena,
	    MESSAGES "?state=%s", st));
	c->title = "微信消息记录";
	return render(c, "admin/wechat_messages");
}

#define W	(ROUTE_STAFF | ROUTE_CSRF)
const struct route h_admin_wechat_msg_routes[] = {
	{ "GET", "^" TEMPLATES "$", h_templates, ROUTE_STAFF,
	  WX_MESSAGE_ROLES },
	{ "POST", "^" TEMPLATES "$", h_templates_save, W, WX_MESSAGE_ROLES },
	{ "GET", "^" MESSAGES "$", h_messages, ROUTE_STAFF, WX_MESSAGE_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
