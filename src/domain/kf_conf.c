/*
 * kf_conf.c -- a shop's 微信客服 settings: the WeCom corp id in shop_kf,
 * the self-built app's Secret, the callback Token and EncodingAESKey as
 * secret files (domain/secret.c). A secret typed once is never shown
 * again; an empty field keeps the stored one.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/wxmsg.h"
#include "domain/audit.h"
#include "domain/customer.h"
#include "domain/dctx.h"
#include "domain/kf.h"
#include "domain/secret.h"

static const char sql_get[] =
    "SELECT corp_id FROM shop_kf WHERE shop_id = ?";
static const char sql_save[] =
    "INSERT INTO shop_kf (shop_id, corp_id, updated_by) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE corp_id = VALUES(corp_id), "
    "updated_by = VALUES(updated_by)";

int
kf_conf_get(struct dctx *c, struct kf_conf *k)
{
	struct db_res	*r;
	int64_t		 shop = c->shop->id;

	memset(k, 0, sizeof(*k));
	if (db_run(c->arena, &r, sql_get, "i", shop) == -1)
		return ERR_INTERNAL;
	k->corp_id = r->nrows ? db_cell(r, 0, 0) : "";
	k->has_secret = secret_has(shop, SECRET_KF_SECRET);
	k->has_token = secret_has(shop, SECRET_KF_TOKEN);
	k->has_aes_key = secret_has(shop, SECRET_KF_AES_KEY);
	return 0;
}

static int
is_set(const char *s)
{
	return s != NULL && *s != '\0';
}

/* Letters and digits only, 1..max (0 for an empty s when may_empty). */
static int
alnum_ok(const char *s, size_t max, int may_empty)
{
	size_t	n = strlen(s), i;

	if (n == 0)
		return may_empty;
	if (n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
put(int64_t shop, const char *name, const char *v)
{
	return is_set(v) ? secret_put(shop, name, v, strlen(v)) : 0;
}

struct save {
	const struct kf_conf_in	*in;
};

static int
tx_save(struct dctx *c, void *arg)
{
	struct save	*s = arg;

	if (db_run(c->arena, NULL, sql_save, "isi", c->shop->id,
	    s->in->corp_id, c->sess.user_id) == -1)
		return ERR_INTERNAL;
	return audit(c, "kf.settings", "corp=%s secret=%s token=%s aes=%s",
	    s->in->corp_id, is_set(s->in->secret) ? "new" : "kept",
	    is_set(s->in->token) ? "new" : "kept",
	    is_set(s->in->aes_key) ? "new" : "kept");
}

int
kf_conf_save(struct dctx *c, const struct kf_conf_in *in,
    struct field_errs *fe)
{
	unsigned char	key[32];
	struct save	s;
	int64_t		shop = c->shop->id;
	int		rc;

	if (!alnum_ok(in->corp_id, 32, 1))
		field_errs_add(fe, "corp_id", "企业 ID",
		    "企业 ID 只有字母和数字，形如 ww0123456789abcdef");
	if (is_set(in->secret) && !(strlen(in->secret) <= 64 &&
	    strspn(in->secret, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
	    "OPQRSTUVWXYZ0123456789_-") == strlen(in->secret)))
		field_errs_add(fe, "secret", "Secret",
		    "Secret 只有字母、数字、- 和 _");
	if (is_set(in->token) && !alnum_ok(in->token, 32, 0))
		field_errs_add(fe, "token", "Token",
		    "Token 是不超过 32 位的字母和数字");
	if (is_set(in->aes_key) && (strlen(in->aes_key) !=
	    WXMSG_AES_KEY_LEN || wxmsg_aes_key(in->aes_key, key) != 0))
		field_errs_add(fe, "aes_key", "EncodingAESKey",
		    "EncodingAESKey 是 43 位字母和数字");
	explicit_bzero(key, sizeof(key));
	if (fe->n > 0) {
		c->error = "请按提示修改后再保存";
		return ERR_INVALID;
	}
	if (put(shop, SECRET_KF_SECRET, in->secret) == -1 ||
	    put(shop, SECRET_KF_TOKEN, in->token) == -1 ||
	    put(shop, SECRET_KF_AES_KEY, in->aes_key) == -1) {
		c->error = "密钥没有保存成功，请稍后再试";
		return ERR_INTERNAL;
	}
	s.in = in;
	if ((rc = db_tx_run(c, tx_save, &s)) != 0)
		return rc;
	clog_info(c, "kf settings saved corp=%s", in->corp_id);
	return 0;
}
