/*
 * wxpay_shop.c -- a shop's WeChat accounts as its owner or finance staff
 * set them (app ids, the merchant number, serials in shop_wechat; the
 * AppSecrets and keys as secret files, secret.c), and the merchant
 * account opened for a call: ids and keys read, the PEMs parsed once
 * per call. A secret typed once is never shown again: the page says
 * only that it is set; leaving its field empty keeps it.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "services/wxpay.h"
#include "domain/audit.h"
#include "domain/customer.h"
#include "domain/dctx.h"
#include "domain/secret.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "domain/wechat_conf.h"
#include "domain/wxpay_shop.h"

static const char sql_save[] =
    "INSERT INTO shop_wechat (shop_id, mp_appid, miniapp_appid, pay_mchid, "
    "pay_serial, pay_pubkey_id, pay_enabled, updated_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "mp_appid = VALUES(mp_appid), miniapp_appid = VALUES(miniapp_appid), "
    "pay_mchid = VALUES(pay_mchid), pay_serial = VALUES(pay_serial), "
    "pay_pubkey_id = VALUES(pay_pubkey_id), "
    "pay_enabled = VALUES(pay_enabled), updated_by = VALUES(updated_by)";

/* A secret as a string, or NULL (none, or unreadable: logged). */
static char *
key_of(struct dctx *c, int64_t shop, const char *name)
{
	char	*s;

	return secret_str(c->arena, shop, name, &s) == 0 ? s : NULL;
}

static int
not_ready(struct dctx *c, const char *why)
{
	clog_warnx(c, "wxpay: shop %" PRId64 " not ready: %s", c->shop->id,
	    why);
	c->error = "本店尚未开通微信支付，请用转账或预存款付款";
	c->code = "wxpay_not_configured";
	return ERR_CONFLICT;
}

/*
 * Open shop's merchant account for app appid (NULL: the official
 * account's): 0; ERR_CONFLICT (wxpay_not_configured) when it is
 * incomplete, or, for a new payment (WXPAY_NEW), turned off: what was
 * paid before the switch still arrives, is queried and refunded.
 * ERR_INTERNAL.
 */
int
wxpay_shop_open(struct dctx *c, int64_t shop, const char *appid, int how,
    struct wxpay_shop *ws)
{
	struct wechat_conf	 w;
	struct wxpay_conf	*cf = &ws->cf;
	int			 rc;

	memset(ws, 0, sizeof(*ws));
	if ((rc = wechat_conf_get(c, shop, &w)) != 0)
		return rc;
	if (!w.pay_enabled && how == WXPAY_NEW)
		return not_ready(c, "turned off");
	if (*w.pay_mchid == '\0' || *w.pay_serial == '\0' ||
	    *w.pay_pubkey_id == '\0')
		return not_ready(c, "merchant number or serials missing");
	cf->mchid = w.pay_mchid;
	cf->appid = appid != NULL ? appid : w.mp_appid;
	cf->cert_serial = w.pay_serial;
	cf->platform_serial = w.pay_pubkey_id;
	cf->key_pem = key_of(c, shop, SECRET_PAY_KEY);
	cf->apiv3_key = key_of(c, shop, SECRET_PAY_APIV3);
	cf->platform_pub_pem = key_of(c, shop, SECRET_PAY_PUBKEY);
	if (cf->key_pem == NULL || cf->apiv3_key == NULL ||
	    cf->platform_pub_pem == NULL)
		return not_ready(c, "a key is missing");
	cf->base_url = conf.wechat_pay_base;
	cf->ca_file = *conf.wechat_ca_file ? conf.wechat_ca_file : NULL;
	cf->timeout_ms = conf.wechat_timeout * 1000;
	if (wxpay_open(&ws->w, cf) == -1)
		return not_ready(c, "keys do not parse");
	ws->open = 1;
	return 0;
}

void
wxpay_shop_close(struct wxpay_shop *ws)
{
	if (ws->open)
		wxpay_close_keys(&ws->w);
	ws->open = 0;
}

static int
id_ok(const char *s, size_t max, int digits)
{
	const char	*p;

	if (strlen(s) > max)
		return 0;
	for (p = s; *p; p++)
		if (!(isdigit((unsigned char)*p) || (!digits &&
		    (isalnum((unsigned char)*p) || *p == '_'))))
			return 0;
	return 1;
}

static int
is_set(const char *s)
{
	return s != NULL && *s != '\0';
}

struct save {
	const struct wxpay_settings_in *in;
};

static int
tx_save(struct dctx *c, void *arg)
{
	const struct wxpay_settings_in	*in = ((struct save *)arg)->in;

	if (db_run(c->arena, NULL, sql_save, "isssssii", c->shop->id,
	    in->mp_appid, in->miniapp_appid, in->mchid, in->serial,
	    in->pubkey_id, (int64_t)in->enabled, c->sess.user_id) == -1)
		return ERR_INTERNAL;
	return audit(c, "wechat.settings", "mp=%s miniapp=%s mchid=%s "
	    "enabled=%d secrets=%s%s%s%s%s%s", in->mp_appid, in->miniapp_appid,
	    in->mchid, in->enabled, is_set(in->mp_secret) ? "mp_secret " : "",
	    is_set(in->miniapp_secret) ? "miniapp_secret " : "",
	    is_set(in->key_pem) ? "pay_key " : "",
	    is_set(in->apiv3_key) ? "apiv3 " : "",
	    is_set(in->pubkey_pem) ? "pubkey " : "", "") != 0 ?
	    ERR_INTERNAL : 0;
}

/* One secret from the form: stored when typed; 0, or -1. */
static int
put(int64_t shop, const char *name, const char *v)
{
	return is_set(v) ? secret_put(shop, name, v, strlen(v)) : 0;
}

/*
 * Save what staff typed on the WeChat page: ids checked, each typed
 * secret checked (keys parsed, the APIv3 key 32 characters) and stored,
 * then the row. WeChat Pay can be turned on only with everything it
 * needs. ERR_INVALID with fe filled; ERR_FORBIDDEN; ERR_INTERNAL.
 */
int
wxpay_settings_save(struct dctx *c, const struct wxpay_settings_in *in,
    struct field_errs *fe)
{
	struct wechat_conf	 w;
	struct save		 s = { in };
	int64_t			 shop = c->shop->id;
	int			 rc, has_key, has_v3, has_pub;

	if (c->sess.kind != SESS_STAFF ||
	    !session_staff_role(&c->sess, WXPAY_ADMIN_ROLES)) {
		c->error = "只有店主和财务可以设置微信与微信支付";
		return ERR_FORBIDDEN;
	}
	if ((rc = wechat_conf_get(c, shop, &w)) != 0)
		return rc;
	if (!wechat_appid_valid(in->mp_appid))
		field_errs_add(fe, "mp_appid", "公众号 AppID",
		    "AppID 是 wx 加 16 位字母数字");
	if (!wechat_appid_valid(in->miniapp_appid))
		field_errs_add(fe, "miniapp_appid", "小程序 AppID",
		    "AppID 是 wx 加 16 位字母数字");
	if (!id_ok(in->mchid, 32, 1))
		field_errs_add(fe, "mchid", "商户号", "商户号只有数字");
	if (!id_ok(in->serial, 64, 0))
		field_errs_add(fe, "serial", "商户证书序列号",
		    "序列号只有字母和数字");
	if (!id_ok(in->pubkey_id, 64, 0))
		field_errs_add(fe, "pubkey_id", "微信支付公钥 ID",
		    "公钥 ID 形如 PUB_KEY_ID_0114…");
	if (is_set(in->apiv3_key) && strlen(in->apiv3_key) != 32)
		field_errs_add(fe, "apiv3_key", "APIv3 密钥",
		    "APIv3 密钥是 32 个字符");
	if (is_set(in->key_pem) && !wxpay_pem_valid(in->key_pem, 1))
		field_errs_add(fe, "key_pem", "商户 API 私钥",
		    "读不出私钥：请粘贴 apiclient_key.pem 的全部内容");
	if (is_set(in->pubkey_pem) && !wxpay_pem_valid(in->pubkey_pem, 0))
		field_errs_add(fe, "pubkey_pem", "微信支付公钥",
		    "读不出公钥：请粘贴 pub_key.pem 的全部内容");
	if (is_set(in->mp_secret) && !id_ok(in->mp_secret, 64, 0))
		field_errs_add(fe, "mp_secret", "公众号 AppSecret",
		    "AppSecret 只有字母和数字");
	if (is_set(in->miniapp_secret) && !id_ok(in->miniapp_secret, 64, 0))
		field_errs_add(fe, "miniapp_secret", "小程序 AppSecret",
		    "AppSecret 只有字母和数字");
	has_key = is_set(in->key_pem) || w.has_pay_key;
	has_v3 = is_set(in->apiv3_key) || w.has_pay_apiv3;
	has_pub = is_set(in->pubkey_pem) || w.has_pay_pubkey;
	if (in->enabled && (*in->mchid == '\0' || *in->serial == '\0' ||
	    *in->pubkey_id == '\0' || !has_key || !has_v3 || !has_pub ||
	    *in->mp_appid == '\0'))
		field_errs_add(fe, "enabled", "开通微信支付",
		    "开通前请填齐公众号 AppID、商户号、证书序列号、公钥 ID、"
		    "私钥、APIv3 密钥和微信支付公钥");
	if (fe->n > 0) {
		c->error = "请按提示修改后再保存";
		return ERR_INVALID;
	}
	if (put(shop, SECRET_MP_SECRET, in->mp_secret) == -1 ||
	    put(shop, SECRET_MINIAPP_SECRET, in->miniapp_secret) == -1 ||
	    put(shop, SECRET_PAY_KEY, in->key_pem) == -1 ||
	    put(shop, SECRET_PAY_APIV3, in->apiv3_key) == -1 ||
	    put(shop, SECRET_PAY_PUBKEY, in->pubkey_pem) == -1) {
		c->error = "密钥没有保存成功，请稍后再试";
		return ERR_INTERNAL;
	}
	if ((rc = db_tx_run(c, tx_save, &s)) != 0)
		return rc;
	clog_info(c, "wechat settings saved mchid=%s enabled=%d", in->mchid,
	    in->enabled);
	return 0;
}

/*
 * For the sync job: d acting for the shop in row i of r (columns id,
 * slug, name from col), with its merchant account open in ws: 0, or -1
 * (logged) when the shop has none now.
 */
int
wxpay_job_shop(struct arena *a, const struct db_res *r, int i, int col,
    struct dctx *d, struct shop *shop, struct wxpay_shop *ws)
{
	memset(shop, 0, sizeof(*shop));
	shop->id = db_cell_i64(r, i, col);
	shop->slug = arena_strdup(a, db_cell(r, i, col + 1));
	shop->name = arena_strdup(a, db_cell(r, i, col + 2));
	dctx_init(d, a, "job");
	d->shop = shop;
	return wxpay_shop_open(d, shop->id, NULL, WXPAY_SETTLE, ws) == 0 ? 0 :
	    -1;
}
