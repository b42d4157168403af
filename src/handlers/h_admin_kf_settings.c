/*
 * h_admin_kf_settings.c -- 设置 › 微信客服 (owner, admin): the WeCom corp
 * id, the app's Secret, the callback Token and EncodingAESKey (secrets
 * are written, never shown back), the callback URL to paste in WeCom,
 * the accounts (synced from kf/account/list) and their contact links,
 * each with its scene and a QR code.
 */
#include "base/base.h"
#include "base/qr.h"
#include "domain/customer.h"
#include "domain/kf.h"
#include "http/http.h"
#include "handlers/handlers.h"

#define SETTINGS	"/admin/settings/wechat/kf"

static const char *const notices[][2] = {
	{ "saved", "已保存" }, { "synced", "客服账号已同步" },
	{ "contact", "接入链接已生成" },
};

enum { K_CORP, K_SECRET, K_TOKEN, K_AES };
static const struct field conf_fields[] = {
	[K_CORP] =	{ "corp_id", FIELD_TEXT, 0, 0, 32, "企业 ID" },
	[K_SECRET] =	{ "secret", FIELD_PASSWORD, 0, 0, 64, "Secret" },
	[K_TOKEN] =	{ "token", FIELD_PASSWORD, 0, 0, 32, "Token" },
	[K_AES] =	{ "aes_key", FIELD_PASSWORD, 0, 0, 43,
			  "EncodingAESKey" },
	{ NULL, 0, 0, 0, 0, NULL }
};

enum { C_ACCOUNT, C_SCENE, C_LABEL };
static const struct field contact_fields[] = {
	[C_ACCOUNT] =	{ "account_id", FIELD_ID, FIELD_REQUIRED, 0, 0,
			  "客服账号" },
	[C_SCENE] =	{ "scene", FIELD_TEXT, FIELD_REQUIRED, 1, 32, "场景值" },
	[C_LABEL] =	{ "label", FIELD_TEXT, FIELD_REQUIRED, 1, 120, "名称" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static const char *
qr_data(struct ctx *c, const char *url)
{
	struct qr	 q;
	char		*svg;

	if (qr_encode(c->d.arena, url, &q) == -1)
		return NULL;
	svg = qr_svg(c->d.arena, &q);
	return arena_printf(c->d.arena, "data:image/svg+xml;base64,%s",
	    base64_encode(c->d.arena, svg, strlen(svg)));
}

static int
page(struct ctx *c, int status, const char *error, const struct form *f,
    int contact_form)
{
	struct kf_conf		 k;
	struct kf_account	*a;
	struct kf_contact	*ct;
	json_object		*v, *arr, *o;
	const char		*s;
	int			 i, n, nc, rc;

	if ((rc = kf_conf_get(&c->d, &k)) != 0 ||
	    (rc = kf_accounts_get(&c->d, &a, &n)) != 0 ||
	    (rc = kf_contacts_get(&c->d, &ct, &nc)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "settings");
	if (error == NULL && (s = REQ_NOTICE(c, notices)) != NULL)
		view_set_str(v, "flash", s);
	view_set_str(v, "action", ctx_link(c, SETTINGS));
	view_set_str(v, "sync_action", ctx_link(c, SETTINGS "/accounts"));
	view_set_str(v, "contact_action", ctx_link(c, SETTINGS "/contacts"));
	view_set_str(v, "wechat_url", ctx_link(c, "/admin/settings/wechat"));
	view_set_str(v, "console_url", ctx_link(c, "/admin/service/kf"));
	view_set_str(v, "callback_url", arena_printf(c->d.arena,
	    "%s://%s%s/wechat/kf/callback", c->https ? "https" : "http",
	    c->host ? c->host : "", c->base));
	view_set_str(v, "corp_id", f != NULL && !contact_form ?
	    or_empty(f->v[K_CORP].s) : k.corp_id);
	view_set_bool(v, "has_secret", k.has_secret);
	view_set_bool(v, "has_token", k.has_token);
	view_set_bool(v, "has_aes_key", k.has_aes_key);
	view_set_str(v, "error", contact_form ? NULL : error);
	view_set_str(v, "contact_error", contact_form ? error : NULL);
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, contact_form ? "contact_errors" :
		    "errors", json_object_get(f->errors));
	view_set_str(v, "scene", contact_form ? or_empty(f->v[C_SCENE].s) :
	    "");
	view_set_str(v, "label", contact_form ? or_empty(f->v[C_LABEL].s) :
	    "");
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", a[i].id);
		view_set_str(o, "name", *a[i].name ? a[i].name :
		    a[i].open_kfid);
		view_set_str(o, "open_kfid", a[i].open_kfid);
		view_set_bool(o, "manage", a[i].manage);
		view_set_bool(o, "gone", !a[i].listed);
		json_object_array_add(arr, o);
	}
	json_object_object_add(v, "accounts", arr);
	view_set_bool(v, "no_accounts", n == 0);
	arr = json_object_new_array();
	for (i = 0; i < nc; i++) {
		o = json_object_new_object();
		view_set_str(o, "account", ct[i].account_name);
		view_set_str(o, "scene", ct[i].scene);
		view_set_str(o, "label", ct[i].label);
		view_set_str(o, "link", ct[i].url);
		view_set_str(o, "qr", qr_data(c, ct[i].url));
		view_set_str(o, "filter_url", ctx_link(c, arena_printf(
		    c->d.arena, "/admin/service/kf?state=&scene=%s",
		    url_encode(c->d.arena, ct[i].scene))));
		json_object_array_add(arr, o);
	}
	json_object_object_add(v, "contacts", arr);
	view_set_bool(v, "no_contacts", nc == 0);
	if (status != 0)
		c->status = status;
	c->title = "微信客服设置";
	return render(c, "admin/kf_settings");
}

static int
h_kf_settings(struct ctx *c)
{
	return page(c, 0, NULL, NULL, 0);
}

static void
fe_to_form(struct ctx *c, struct form *f, const struct field_errs *fe)
{
	int	i;

	for (i = 0; i < fe->n; i++)
		form_error(c, f, fe->v[i].name, fe->v[i].label, fe->v[i].why);
}

static int
h_kf_settings_save(struct ctx *c)
{
	struct kf_conf_in	 in;
	struct field_errs	 fe = { 0 };
	struct form		 f;
	int			 rc;

	form_parse(c, conf_fields, &f);
	if (f.error != NULL)
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    page(c, 400, "请按提示修改后再保存", &f, 0);
	in = (struct kf_conf_in){ or_empty(f.v[K_CORP].s), f.v[K_SECRET].s,
	    f.v[K_TOKEN].s, f.v[K_AES].s };
	if ((rc = kf_conf_save(&c->d, &in, &fe)) == ERR_INVALID) {
		fe_to_form(c, &f, &fe);
		return c->json_out ? http_fail(c, rc, f.error) :
		    page(c, 400, c->d.error, &f, 0);
	}
	if (rc != 0)
		return http_fail(c, rc, c->d.error);
	if (c->json_out) {
		view_new(c);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, SETTINGS "?done=saved"));
}

static int
h_kf_accounts_sync(struct ctx *c)
{
	int	n, rc;

	if ((rc = kf_accounts_sync(&c->d, &n)) != 0)
		return c->json_out ? http_fail(c, rc, c->d.error) :
		    page(c, err_status(rc), c->d.error, NULL, 0);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "accounts", n);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, SETTINGS "?done=synced"));
}

static int
h_kf_contact_add(struct ctx *c)
{
	struct field_errs	 fe = { 0 };
	struct form		 f;
	int64_t			 id;
	int			 rc;

	form_parse(c, contact_fields, &f);
	if (f.error != NULL)
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    page(c, 400, f.error, &f, 1);
	rc = kf_contact_add(&c->d, f.v[C_ACCOUNT].i64, f.v[C_SCENE].s,
	    f.v[C_LABEL].s, &fe, &id);
	if (rc == ERR_INVALID)
		fe_to_form(c, &f, &fe);
	if (rc != 0)
		return c->json_out ? http_fail(c, rc, c->d.error) :
		    page(c, err_status(rc), c->d.error, &f, 1);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", id);
		return render_json_ok(c, 201);
	}
	return http_see_other(c, "%s", ctx_link(c, SETTINGS "?done=contact"));
}

#define W	(ROUTE_STAFF | ROUTE_CSRF)
const struct route h_admin_kf_settings_routes[] = {
	{ "GET", "^" SETTINGS "$", h_kf_settings, ROUTE_STAFF,
	  KF_SETTINGS_ROLES },
	{ "POST", "^" SETTINGS "$", h_kf_settings_save, W, KF_SETTINGS_ROLES },
	{ "POST", "^" SETTINGS "/accounts$", h_kf_accounts_sync, W,
	  KF_SETTINGS_ROLES },
	{ "POST", "^" SETTINGS "/contacts$", h_kf_contact_add, W,
	  KF_SETTINGS_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
