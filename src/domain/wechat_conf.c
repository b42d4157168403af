/*
 * wechat_conf.c -- a shop's WeChat accounts as the code needs them: app
 * ids and the merchant's numbers from shop_wechat, and whether each
 * secret is stored (secret.c) or, for the callers that sign or fetch a
 * token, the secret itself. A shop without a row has nothing set.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/secret.h"
#include "domain/wechat_conf.h"

static const char sql_get[] =
    "SELECT mp_appid, miniapp_appid, pay_mchid, pay_serial, pay_pubkey_id, "
    "pay_enabled FROM shop_wechat WHERE shop_id = ?";

int
wechat_conf_get(struct dctx *c, int64_t shop, struct wechat_conf *w)
{
	struct db_res	*r;

	memset(w, 0, sizeof(*w));
	w->mp_appid = w->miniapp_appid = w->pay_mchid = w->pay_serial =
	    w->pay_pubkey_id = "";
	if (db_run(c->arena, &r, sql_get, "i", shop) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 1) {
		w->mp_appid = db_cell(r, 0, 0);
		w->miniapp_appid = db_cell(r, 0, 1);
		w->pay_mchid = db_cell(r, 0, 2);
		w->pay_serial = db_cell(r, 0, 3);
		w->pay_pubkey_id = db_cell(r, 0, 4);
		w->pay_enabled = db_cell_i64(r, 0, 5) != 0;
	}
	w->has_mp_secret = secret_has(shop, SECRET_MP_SECRET);
	w->has_miniapp_secret = secret_has(shop, SECRET_MINIAPP_SECRET);
	w->has_pay_key = secret_has(shop, SECRET_PAY_KEY);
	w->has_pay_apiv3 = secret_has(shop, SECRET_PAY_APIV3);
	w->has_pay_pubkey = secret_has(shop, SECRET_PAY_PUBKEY);
	return 0;
}

const char *
wechat_appid(const struct wechat_conf *w, enum wx_app app)
{
	return app == WX_MINIAPP ? w->miniapp_appid : w->mp_appid;
}

/*
 * The app id and AppSecret of shop's app, in c's arena: 0; ERR_CONFLICT
 * with c->error when the shop has not set them; ERR_INTERNAL.
 */
int
wechat_app_secret(struct dctx *c, int64_t shop, enum wx_app app,
    const char **appid, const char **secret)
{
	struct wechat_conf	 w;
	char			*s;
	int			 rc;

	if ((rc = wechat_conf_get(c, shop, &w)) != 0)
		return rc;
	*appid = wechat_appid(&w, app);
	rc = secret_str(c->arena, shop, app == WX_MINIAPP ?
	    SECRET_MINIAPP_SECRET : SECRET_MP_SECRET, &s);
	if (rc == 0 && **appid != '\0') {
		*secret = s;
		return 0;
	}
	if (rc == -1)
		return ERR_INTERNAL;
	c->error = app == WX_MINIAPP ? "店铺尚未设置小程序 AppID 与 AppSecret" :
	    "店铺尚未设置公众号 AppID 与 AppSecret";
	c->code = "wechat_not_configured";
	return ERR_CONFLICT;
}

/* An app id as WeChat gives them: "wx" and 16 hex digits (or "" to clear). */
int
wechat_appid_valid(const char *s)
{
	size_t	n = strlen(s);

	return n == 0 || (n == 18 && s[0] == 'w' && s[1] == 'x' &&
	    hex_valid(s + 2, 16));
}
