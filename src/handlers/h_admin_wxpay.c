/*
 * h_admin_wxpay.c -- the back office's WeChat pages: the shop's WeChat
 * accounts and WeChat Pay merchant (设置 › 微信与支付, owner and finance:
 * secrets are written, never shown back), and the WeChat side of a
 * payment's page (its refunds; the refund itself is h_admin_finance.c's).
 */
#include "base/base.h"
#include "domain/customer.h"
#include "domain/ledger.h"
#include "domain/wechat_conf.h"
#include "domain/wxpay_order.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "handlers/h_money.h"

#define SETTINGS	"/admin/settings/wechat"

enum { W_MP_APPID, W_MP_SECRET, W_MINI_APPID, W_MINI_SECRET, W_MCHID,
	W_SERIAL, W_PUBKEY_ID, W_KEY_PEM, W_APIV3, W_PUBKEY_PEM, W_ENABLED };
static const struct field settings_fields[] = {
	[W_MP_APPID] =	{ "mp_appid", FIELD_TEXT, 0, 0, 32, "公众号 AppID" },
	[W_MP_SECRET] =	{ "mp_secret", FIELD_PASSWORD, 0, 0, 64,
			  "公众号 AppSecret" },
	[W_MINI_APPID] = { "miniapp_appid", FIELD_TEXT, 0, 0, 32,
			  "小程序 AppID" },
	[W_MINI_SECRET] = { "miniapp_secret", FIELD_PASSWORD, 0, 0, 64,
			  "小程序 AppSecret" },
	[W_MCHID] =	{ "mchid", FIELD_TEXT, 0, 0, 32, "商户号" },
	[W_SERIAL] =	{ "serial", FIELD_TEXT, 0, 0, 64, "商户证书序列号" },
	[W_PUBKEY_ID] =	{ "pubkey_id", FIELD_TEXT, 0, 0, 64,
			  "微信支付公钥 ID" },
	[W_KEY_PEM] =	{ "key_pem", FIELD_PASSWORD, 0, 0, 8192,
			  "商户 API 私钥" },
	[W_APIV3] =	{ "apiv3_key", FIELD_PASSWORD, 0, 0, 64, "APIv3 密钥" },
	[W_PUBKEY_PEM] = { "pubkey_pem", FIELD_PASSWORD, 0, 0, 8192,
			  "微信支付公钥" },
	[W_ENABLED] =	{ "enabled", FIELD_BOOL, 0, 0, 0, "开通微信支付" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *
str_or(const char *s, const char *def)
{
	return s != NULL ? s : def;
}

static int
settings_page(struct ctx *c, int status, const char *error,
    const struct form *f)
{
	struct wechat_conf	 w;
	json_object		*v;
	int			 rc;

	if ((rc = wechat_conf_get(&c->d, c->d.shop->id, &w)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "settings");
	view_set_str(v, "action", ctx_link(c, SETTINGS));
	view_set_str(v, "settings_url", ctx_link(c, "/admin/settings"));
	view_set_str(v, "notify_url", h_wxpay_notify_url(c));
	view_set_str(v, "mp_appid", f ? str_or(f->v[W_MP_APPID].s, "") :
	    w.mp_appid);
	view_set_str(v, "miniapp_appid", f ? str_or(f->v[W_MINI_APPID].s, "") :
	    w.miniapp_appid);
	view_set_str(v, "mchid", f ? str_or(f->v[W_MCHID].s, "") :
	    w.pay_mchid);
	view_set_str(v, "serial", f ? str_or(f->v[W_SERIAL].s, "") :
	    w.pay_serial);
	view_set_str(v, "pubkey_id", f ? str_or(f->v[W_PUBKEY_ID].s, "") :
	    w.pay_pubkey_id);
	view_set_bool(v, "enabled", f ? f->v[W_ENABLED].i64 != 0 :
	    w.pay_enabled);
	view_set_bool(v, "has_mp_secret", w.has_mp_secret);
	view_set_bool(v, "has_miniapp_secret", w.has_miniapp_secret);
	view_set_bool(v, "has_pay_key", w.has_pay_key);
	view_set_bool(v, "has_pay_apiv3", w.has_pay_apiv3);
	view_set_bool(v, "has_pay_pubkey", w.has_pay_pubkey);
	view_set_bool(v, "saved", error == NULL && kv_get(&c->query, "done"));
	view_set_str(v, "error", error);
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	if (status != 0)
		c->status = status;
	c->title = "微信与支付";
	return render(c, "admin/wechat");
}

static int
h_wechat_settings(struct ctx *c)
{
	return settings_page(c, 0, NULL, NULL);
}

static int
h_wechat_settings_save(struct ctx *c)
{
	struct wxpay_settings_in	 in;
	struct field_errs		 fe = { 0 };
	struct form			 f;
	int				 i, rc;

	form_parse(c, settings_fields, &f);
	if (f.error != NULL) {
		if (c->json_out)
			return http_fail(c, ERR_INVALID, f.error);
		return settings_page(c, 400, "请按提示修改后再保存", &f);
	}
	in = (struct wxpay_settings_in){
		str_or(f.v[W_MP_APPID].s, ""), str_or(f.v[W_MINI_APPID].s, ""),
		f.v[W_MP_SECRET].s, f.v[W_MINI_SECRET].s,
		str_or(f.v[W_MCHID].s, ""), str_or(f.v[W_SERIAL].s, ""),
		str_or(f.v[W_PUBKEY_ID].s, ""), f.v[W_KEY_PEM].s,
		f.v[W_APIV3].s, f.v[W_PUBKEY_PEM].s,
		f.v[W_ENABLED].i64 != 0 };
	rc = wxpay_settings_save(&c->d, &in, &fe);
	if (rc == ERR_INVALID) {
		for (i = 0; i < fe.n; i++)
			form_error(c, &f, fe.v[i].name, fe.v[i].label,
			    fe.v[i].why);
		if (c->json_out)
			return http_fail(c, rc, f.error);
		return settings_page(c, 400, c->d.error, &f);
	}
	if (rc != 0)
		return http_fail(c, rc, c->d.error);
	if (c->json_out) {
		view_new(c);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, SETTINGS "?done=saved"));
}

static const char *
refund_state_label(const char *s)
{
	static const char *const names[][2] = {
		{ "asked", "待发送" }, { "processing", "退款中" },
		{ "success", "已退款" }, { "closed", "未成功，已退回账户" },
		{ "abnormal", "异常：钱已付出未到账，请在商户平台处理" },
	};
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i][0], s) == 0)
			return names[i][1];
	return s;
}

/* The WeChat side of a payment's admin page: what was refunded, and the
 * refund form for owner and finance; nothing for other payments. */
int
h_admin_wxpay_view(struct ctx *c, json_object *v, int64_t payment)
{
	struct wxpay_paid	 w;
	json_object		*o, *a, *r;
	int			 i, rc;

	if ((rc = wxpay_of_payment(&c->d, payment, &w)) != 0)
		return rc == ERR_NOT_FOUND ? 0 : rc;
	o = json_object_new_object();
	view_set_str(o, "transaction_id", w.transaction_id);
	view_set_str(o, "out_trade_no", w.out_trade_no);
	view_set_money(c, o, "refunded", w.refunded_fen);
	view_set_money(c, o, "refundable", w.amount_fen - w.refunded_fen);
	view_set_bool(o, "may_refund", w.amount_fen > w.refunded_fen &&
	    session_staff_role(&c->d.sess, WXPAY_ADMIN_ROLES));
	view_set_str(o, "refund_action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/finance/payments/%" PRId64 "/refund", payment)));
	a = json_object_new_array();
	for (i = 0; i < w.n; i++) {
		r = json_object_new_object();
		view_set_i64(r, "id", w.refunds[i].id);
		view_set_money(c, r, "amount", w.refunds[i].amount_fen);
		view_set_str(r, "reason", w.refunds[i].reason);
		view_set_str(r, "state", w.refunds[i].state);
		view_set_str(r, "state_label",
		    refund_state_label(w.refunds[i].state));
		view_set_str(r, "error", w.refunds[i].error);
		view_set_str(r, "at", w.refunds[i].at);
		json_object_array_add(a, r);
	}
	json_object_object_add(o, "refunds", a);
	json_object_object_add(v, "wxpay", o);
	return 0;
}

#define W	(ROUTE_STAFF | ROUTE_CSRF)
const struct route h_admin_wxpay_routes[] = {
	{ "GET", "^" SETTINGS "$", h_wechat_settings, ROUTE_STAFF,
	  WXPAY_ADMIN_ROLES },
	{ "POST", "^" SETTINGS "$", h_wechat_settings_save, W,
	  WXPAY_ADMIN_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
