/*
 * kf_account.c -- a shop's 微信客服 accounts (kf/account/list, §11.2)
 * and their contact links (kf/add_contact_way, §11.3): one link per
 * account and scene, so a conversation says where its customer came
 * from. The link is made once and kept (whether WeCom gives the same
 * URL twice is not known).
 */
#include "base/base.h"
#include "services/db.h"
#include "services/wxapi.h"
#include "domain/audit.h"
#include "domain/customer.h"
#include "domain/dctx.h"
#include "domain/kf.h"

#define LIST_LIMIT	100
#define ACCOUNTS_MAX	1000

static const char sql_unlist[] =
    "UPDATE kf_account SET listed = 0 WHERE shop_id = ?";
static const char sql_upsert[] =
    "INSERT INTO kf_account (shop_id, open_kfid, name, avatar, "
    "manage_privilege, listed) VALUES (?, ?, ?, ?, ?, 1) "
    "ON DUPLICATE KEY UPDATE name = VALUES(name), avatar = VALUES(avatar), "
    "manage_privilege = VALUES(manage_privilege), listed = 1, "
    "synced_at = NOW(3)";
static const char sql_accounts[] =
    "SELECT id, open_kfid, name, manage_privilege, listed FROM kf_account "
    "WHERE shop_id = ? ORDER BY listed DESC, name, id LIMIT 1000";
#define CONTACT_COLS \
    "k.id, k.account_id, a.name, k.scene, k.label, k.url FROM kf_contact k " \
    "JOIN kf_account a ON a.shop_id = k.shop_id AND a.id = k.account_id "
static const char sql_contacts[] =
    "SELECT " CONTACT_COLS "WHERE k.shop_id = ? ORDER BY a.name, k.id "
    "LIMIT 500";
static const char sql_contact[] =
    "SELECT " CONTACT_COLS "WHERE k.shop_id = ? AND k.id = ?";
static const char sql_account[] =
    "SELECT open_kfid FROM kf_account WHERE shop_id = ? AND id = ?";
static const char sql_contact_add[] =
    "INSERT INTO kf_contact (shop_id, account_id, scene, label, url, "
    "created_by) VALUES (?, ?, ?, ?, ?, ?)";

/* A scene as add_contact_way takes it: [0-9a-zA-Z_-]{1,32}. */
int
kf_scene_valid(const char *s)
{
	size_t	n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static const char *
str_of(json_object *o, const char *key, size_t max)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) > max)
		return NULL;
	return json_object_get_string(v);
}

struct sync {
	json_object	*list;		/* every account_list row */
	int		 n;
};

static int
tx_sync(struct dctx *c, void *arg)
{
	struct sync	*s = arg;
	json_object	*a, *v;
	const char	*id, *name, *avatar;
	size_t		 i;

	s->n = 0;
	if (db_run(c->arena, NULL, sql_unlist, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < json_object_array_length(s->list); i++) {
		a = json_object_array_get_idx(s->list, i);
		if ((id = str_of(a, "open_kfid", 64)) == NULL || *id == '\0')
			continue;
		name = str_of(a, "name", 64);
		avatar = str_of(a, "avatar", 512);
		v = NULL;
		json_object_object_get_ex(a, "manage_privilege", &v);
		if (db_run(c->arena, NULL, sql_upsert, "isssi", c->shop->id,
		    id, name ? name : "", avatar ? avatar : "",
		    (int64_t)(v != NULL && json_object_get_boolean(v))) == -1)
			return ERR_INTERNAL;
		s->n++;
	}
	return audit(c, "kf.accounts", "listed=%d", s->n);
}

/* account/list, every page (§11.2), into kf_account: *n listed. */
int
kf_accounts_sync(struct dctx *c, int *n)
{
	struct wxapi_result	 r;
	struct sync		 s;
	json_object		*q, *o, *l;
	int			 offset = 0, got, rc = 0;
	size_t			 i;

	*n = 0;
	s.list = json_object_new_array();
	for (;;) {
		q = json_object_new_object();
		json_object_object_add(q, "offset",
		    json_object_new_int(offset));
		json_object_object_add(q, "limit",
		    json_object_new_int(LIST_LIMIT));
		rc = kf_api(c, "kf/account/list", q, &o, &r);
		json_object_put(q);
		if (rc != 0)
			goto out;
		got = 0;
		if (json_object_object_get_ex(o, "account_list", &l) &&
		    json_object_is_type(l, json_type_array)) {
			got = (int)json_object_array_length(l);
			for (i = 0; i < (size_t)got; i++)
				json_object_array_add(s.list, json_object_get(
				    json_object_array_get_idx(l, i)));
		}
		json_object_put(o);
		offset += got;
		if (got < LIST_LIMIT || offset >= ACCOUNTS_MAX)
			break;
	}
	if ((rc = db_tx_run(c, tx_sync, &s)) == 0)
		*n = s.n;
out:
	json_object_put(s.list);
	return rc;
}

int
kf_accounts_get(struct dctx *c, struct kf_account **out, int *n)
{
	struct db_res		*r;
	struct kf_account	*a;
	int			 i;

	if (db_run(c->arena, &r, sql_accounts, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	a = arena_calloc(c->arena, r->nrows + 1, sizeof(*a));
	for (i = 0; i < r->nrows; i++) {
		a[i].id = db_cell_i64(r, i, 0);
		a[i].open_kfid = db_cell(r, i, 1);
		a[i].name = db_cell(r, i, 2);
		a[i].manage = db_cell_i64(r, i, 3) != 0;
		a[i].listed = db_cell_i64(r, i, 4) != 0;
	}
	*out = a;
	*n = r->nrows;
	return 0;
}

static void
contact_fill(const struct db_res *r, int i, struct kf_contact *k)
{
	k->id = db_cell_i64(r, i, 0);
	k->account_id = db_cell_i64(r, i, 1);
	k->account_name = db_cell(r, i, 2);
	k->scene = db_cell(r, i, 3);
	k->label = db_cell(r, i, 4);
	k->url = db_cell(r, i, 5);
}

int
kf_contacts_get(struct dctx *c, struct kf_contact **out, int *n)
{
	struct db_res		*r;
	struct kf_contact	*k;
	int			 i;

	if (db_run(c->arena, &r, sql_contacts, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	k = arena_calloc(c->arena, r->nrows + 1, sizeof(*k));
	for (i = 0; i < r->nrows; i++)
		contact_fill(r, i, &k[i]);
	*out = k;
	*n = r->nrows;
	return 0;
}

int
kf_contact_get(struct dctx *c, int64_t id, struct kf_contact *k)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_contact, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "接入链接不存在";
		return ERR_NOT_FOUND;
	}
	contact_fill(r, 0, k);
	return 0;
}

/* The link's URL as add_contact_way gives it: http(s), printable. */
static int
url_ok(const char *u)
{
	size_t	i, n = u != NULL ? strlen(u) : 0;

	if (n == 0 || n > 1024 || (strncmp(u, "https://", 8) != 0 &&
	    strncmp(u, "http://", 7) != 0))
		return 0;
	for (i = 0; i < n; i++)
		if (u[i] <= 0x20 || u[i] >= 0x7f || u[i] == '"' ||
		    u[i] == '<' || u[i] == '>')
			return 0;
	return 1;
}

struct add {
	int64_t		 account;
	const char	*scene;
	const char	*label;
	const char	*url;
	int64_t		 id;
};

static int
tx_add(struct dctx *c, void *arg)
{
	struct add	*a = arg;
	struct db_res	*r;

	a->id = 0;
	if (db_run(c->arena, &r, sql_contact_add, "iisssi", c->shop->id,
	    a->account, a->scene, a->label, a->url, c->sess.user_id) == -1) {
		if (db_duplicate()) {
			c->error = "这个客服账号已有同一场景值的链接";
			return ERR_CONFLICT;
		}
		return ERR_INTERNAL;
	}
	a->id = (int64_t)r->insert_id;
	return audit(c, "kf.contact", "contact=%" PRId64 " scene=%s", a->id,
	    a->scene);
}

/* A contact link of account for scene, labelled label: *id. */
int
kf_contact_add(struct dctx *c, int64_t account, const char *scene,
    const char *label, struct field_errs *fe, int64_t *id)
{
	struct wxapi_result	 r;
	struct db_res		*res;
	struct add		 a;
	json_object		*q, *o;
	int			 rc;

	*id = 0;
	if (!kf_scene_valid(scene))
		field_errs_add(fe, "scene", "场景值",
		    "场景值是 1–32 位字母、数字、- 或 _");
	if (label == NULL || *label == '\0' || strlen(label) > 120)
		field_errs_add(fe, "label", "名称", "请填写名称（40 字以内）");
	if (db_run(c->arena, &res, sql_account, "ii", c->shop->id,
	    account) == -1)
		return ERR_INTERNAL;
	if (res->nrows == 0)
		field_errs_add(fe, "account_id", "客服账号", "请选择客服账号");
	if (fe->n > 0) {
		c->error = "请按提示修改后再保存";
		return ERR_INVALID;
	}
	q = json_object_new_object();
	json_object_object_add(q, "open_kfid",
	    json_object_new_string(db_cell(res, 0, 0)));
	json_object_object_add(q, "scene", json_object_new_string(scene));
	rc = kf_api(c, "kf/add_contact_way", q, &o, &r);
	json_object_put(q);
	if (rc != 0)
		return rc;
	a.url = arena_strdup(c->arena, str_of(o, "url", 1024) ?
	    str_of(o, "url", 1024) : "");
	json_object_put(o);
	if (!url_ok(a.url)) {
		clog_warnx(c, "kf: add_contact_way gave no usable url");
		c->error = "微信没有返回可用的链接";
		return ERR_UNAVAILABLE;
	}
	a.account = account;
	a.scene = scene;
	a.label = label;
	if ((rc = db_tx_run(c, tx_add, &a)) != 0)
		return rc;
	*id = a.id;
	return 0;
}
