/*
 * kf_conv.c -- 微信客服 conversations for the service console: the list
 * (state, account, linked or not, scene; newest first), one
 * conversation with its messages and its reply window (§11.7: 48 h
 * after the customer's last message, at most 5 of ours), and staff
 * linking a customer to one of the shop's customer users. Salespeople
 * see only the conversations of the customers they own (scope.c): a
 * conversation nobody linked is not theirs.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/kf.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

/* A conversation of alias k in the actor's scope. One ?. */
#define SCOPE_CONV(k) \
    "? IN (0, (SELECT sc_.owner_staff_id FROM customer_user su_ " \
    "JOIN customer sc_ ON sc_.id = su_.customer_id " \
    "WHERE su_.id = " k ".customer_user_id))"

#define CONV_COLS \
    "k.id, k.open_kfid, COALESCE(a.name, ''), k.external_userid, " \
    "k.nickname, COALESCE(k.customer_user_id, 0), COALESCE(u.name, ''), " \
    "COALESCE(u.phone, ''), COALESCE(cu.name, ''), " \
    "COALESCE(k.linked_by, ''), k.scene, COALESCE((SELECT ct.label FROM " \
    "kf_contact ct WHERE ct.shop_id = k.shop_id AND ct.account_id = a.id " \
    "AND ct.scene = k.scene LIMIT 1), ''), k.channels_scene, k.state, " \
    "k.last_msg_at, k.last_customer_at, (SELECT COUNT(*) FROM kf_msg om " \
    "WHERE om.shop_id = k.shop_id AND om.conv_id = k.id AND om.origin = 0 " \
    "AND om.status IN ('sending', 'sent') AND om.id > k.last_customer_msg " \
    "AND om.send_time >= k.last_customer_at), k.rejected, COALESCE(k.ticket_id, 0), " \
    "EXISTS (SELECT 1 FROM kf_ticket_request t WHERE t.shop_id = k.shop_id " \
    "AND t.conv_id = k.id), (SELECT pm.body FROM kf_msg pm WHERE " \
    "pm.shop_id = k.shop_id AND pm.conv_id = k.id AND pm.origin IN " \
    "(0, 3, 5) ORDER BY pm.send_time DESC, pm.id DESC LIMIT 1) " \
    "FROM kf_conv k LEFT JOIN kf_account a ON a.shop_id = k.shop_id AND " \
    "a.open_kfid = k.open_kfid LEFT JOIN customer_user u ON " \
    "u.shop_id = k.shop_id AND u.id = k.customer_user_id " \
    "LEFT JOIN customer cu ON cu.shop_id = u.shop_id AND cu.id = " \
    "u.customer_id "
#define LIST_WHERE \
    "WHERE k.shop_id = ? AND (? = '' OR k.state = ?) AND (? = 0 OR a.id = ?) " \
    "AND (? = -1 OR (k.customer_user_id IS NOT NULL) = ?) " \
    "AND (? = '' OR k.scene = ?) AND " SCOPE_CONV("k") " "

static const char sql_count[] =
    "SELECT COUNT(*) FROM kf_conv k LEFT JOIN kf_account a ON "
    "a.shop_id = k.shop_id AND a.open_kfid = k.open_kfid " LIST_WHERE;
static const char sql_list[] =
    "SELECT " CONV_COLS LIST_WHERE
    "ORDER BY k.last_msg_at DESC, k.id DESC LIMIT ? OFFSET ?";
static const char sql_one[] =
    "SELECT " CONV_COLS "WHERE k.shop_id = ? AND k.id = ? AND "
    SCOPE_CONV("k");
static const char sql_msgs[] =
    "SELECT m.id, m.origin, m.msgtype, m.event_type, m.send_time, m.body, "
    "m.status, m.errcode, m.recalled, COALESCE(s.name, ''), m.image_thumb "
    "FROM kf_msg m "
    "LEFT JOIN staff s ON s.shop_id = m.shop_id AND s.id = m.staff_id "
    "WHERE m.shop_id = ? AND m.conv_id = ? "
    "ORDER BY m.send_time DESC, m.id DESC LIMIT 200";
static const char sql_lock[] =
    "SELECT k.id FROM kf_conv k WHERE k.shop_id = ? AND k.id = ? AND "
    SCOPE_CONV("k") " FOR UPDATE";
static const char sql_user[] =
    "SELECT u.id FROM customer_user u JOIN customer c ON c.id = "
    "u.customer_id WHERE u.shop_id = ? AND u.id = ? AND u.status = 'active' "
    "AND " SCOPE_CUSTOMER("c") " LOCK IN SHARE MODE";
static const char sql_link[] =
    "UPDATE kf_conv SET customer_user_id = ?, linked_by = 'staff' "
    "WHERE shop_id = ? AND id = ?";
static const char sql_state[] =
    "UPDATE kf_conv SET state = ? WHERE shop_id = ? AND id = ?";
static const char sql_users[] =
    "SELECT u.id, u.name, CONCAT(c.name, ' · ', u.phone) FROM customer_user u "
    "JOIN customer c ON c.id = u.customer_id WHERE u.shop_id = ? AND "
    "u.status = 'active' AND (u.name LIKE ? OR u.phone LIKE ? OR c.name "
    "LIKE ?) AND " SCOPE_CUSTOMER("c") " ORDER BY c.name, u.name LIMIT 20";
static const char sql_products[] =
    "SELECT p.id, p.name, p.code FROM product p WHERE p.shop_id = ? AND "
    "p.on_shelf = 1 AND (p.name LIKE ? OR p.code LIKE ?) "
    "ORDER BY p.sort, p.id LIMIT 20";

const char *
kf_channels_label(int scene)
{
	static const char *const names[] = { "", "视频号主页", "视频号直播间",
	    "视频号橱窗", "视频号小店商品", "视频号小店订单" };

	return scene > 0 && scene < 6 ? names[scene] : "";
}

/* A message's body as one short line for the list. */
static const char *
preview_of(struct arena *a, const char *body)
{
	json_object	*o, *t, *v;
	const char	*type, *s = "";

	if (body == NULL || (o = json_tokener_parse(body)) == NULL)
		return "";
	type = json_object_object_get_ex(o, "msgtype", &v) ?
	    json_object_get_string(v) : "";
	if (strcmp(type, "text") == 0 && json_object_object_get_ex(o, "text",
	    &t) && json_object_object_get_ex(t, "content", &v))
		s = utf8_prefix(a, json_object_get_string(v), 40);
	else if (strcmp(type, "image") == 0)
		s = "[图片]";
	else if (strcmp(type, "link") == 0)
		s = "[链接]";
	else if (strcmp(type, "miniprogram") == 0)
		s = "[小程序]";
	else
		s = arena_printf(a, "[%s]", utf8_prefix(a, type, 20));
	s = arena_strdup(a, s);
	json_object_put(o);
	return s;
}

static void
conv_fill(struct arena *a, const struct db_res *r, int i, struct kf_conv *k)
{
	k->id = db_cell_i64(r, i, 0);
	k->open_kfid = db_cell(r, i, 1);
	k->account_name = db_cell(r, i, 2);
	k->external_userid = db_cell(r, i, 3);
	k->nickname = db_cell(r, i, 4);
	k->customer_user_id = db_cell_i64(r, i, 5);
	k->user_name = db_cell(r, i, 6);
	k->user_phone = db_cell(r, i, 7);
	k->company = db_cell(r, i, 8);
	k->linked_by = db_cell(r, i, 9);
	k->scene = db_cell(r, i, 10);
	k->scene_label = db_cell(r, i, 11);
	k->channels_scene = (int)db_cell_i64(r, i, 12);
	k->state = db_cell(r, i, 13);
	k->last_msg_at = db_cell_i64(r, i, 14);
	k->last_customer_at = db_cell_i64(r, i, 15);
	k->sent_since = db_cell_i64(r, i, 16);
	k->rejected = db_cell_i64(r, i, 17) != 0;
	k->ticket_id = db_cell_i64(r, i, 18);
	k->ticket_asked = db_cell_i64(r, i, 19) != 0;
	k->preview = preview_of(a, db_cell(r, i, 20));
}

int
kf_convs_list(struct dctx *c, const struct kf_filter *f, struct kf_conv **out,
    int *n, int64_t *total)
{
	struct db_res	*r;
	struct kf_conv	*k;
	int64_t		 page = f->page > 0 ? f->page : 1, owner = scope_owner(c);
	int64_t		 linked = f->linked < 0 ? -1 : f->linked != 0;
	int		 i;

	*out = NULL;
	*n = 0;
	if (db_run(c->arena, &r, sql_count, "issiiiissi", c->shop->id,
	    f->state, f->state, f->account_id, f->account_id, linked, linked,
	    f->scene, f->scene, owner) == -1)
		return ERR_INTERNAL;
	*total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_list, "issiiiissiii", c->shop->id,
	    f->state, f->state, f->account_id, f->account_id, linked, linked,
	    f->scene, f->scene, owner, (int64_t)KF_PER_PAGE,
	    (page - 1) * KF_PER_PAGE) == -1)
		return ERR_INTERNAL;
	k = arena_calloc(c->arena, r->nrows + 1, sizeof(*k));
	for (i = 0; i < r->nrows; i++)
		conv_fill(c->arena, r, i, &k[i]);
	*out = k;
	*n = r->nrows;
	return 0;
}

/* Another shop's, or outside the actor's scope: ERR_NOT_FOUND. */
int
kf_conv_get(struct dctx *c, int64_t id, struct kf_conv *k)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_one, "iii", c->shop->id, id,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "会话不存在";
		return ERR_NOT_FOUND;
	}
	conv_fill(c->arena, r, 0, k);
	return 0;
}

int
kf_conv_msgs(struct dctx *c, int64_t conv, struct kf_msg **out, int *n)
{
	struct db_res	*r;
	struct kf_msg	*m;
	int		 i, j;

	if (db_run(c->arena, &r, sql_msgs, "ii", c->shop->id, conv) == -1)
		return ERR_INTERNAL;
	/* The newest 200, oldest first. */
	m = arena_calloc(c->arena, r->nrows + 1, sizeof(*m));
	for (i = 0; i < r->nrows; i++) {
		j = r->nrows - 1 - i;
		m[j].id = db_cell_i64(r, i, 0);
		m[j].origin = (int)db_cell_i64(r, i, 1);
		m[j].msgtype = db_cell(r, i, 2);
		m[j].event_type = db_cell(r, i, 3);
		m[j].send_time = db_cell_i64(r, i, 4);
		m[j].body = db_cell(r, i, 5);
		m[j].status = db_cell(r, i, 6);
		m[j].errcode = db_cell_i64(r, i, 7);
		m[j].recalled = db_cell_i64(r, i, 8) != 0;
		m[j].staff_name = db_cell(r, i, 9);
		m[j].image_thumb = db_cell(r, i, 10);
	}
	*out = m;
	*n = r->nrows;
	return 0;
}

/* The window at now (unix seconds), as the platform allows it. */
void
kf_window_of(const struct kf_conv *k, int64_t now, struct kf_window *w)
{
	memset(w, 0, sizeof(*w));
	w->until = k->last_customer_at > 0 ? k->last_customer_at +
	    KF_WINDOW_S : 0;
	w->left = KF_WINDOW_MSGS - k->sent_since;
	if (w->left < 0)
		w->left = 0;
	if (k->last_customer_at == 0)
		w->why = "客户还没有发来消息，暂不能回复";
	else if (now >= w->until)
		w->why = "客户最后一条消息已超过 48 小时，微信不允许再回复；"
		    "请等客户再次发消息";
	else if (w->left == 0)
		w->why = "客户上次发消息后已回复 5 条，微信不允许再发；"
		    "请等客户再次发消息";
	else if (k->rejected)
		w->why = "客户已拒收消息";
	w->open = w->why == NULL;
}

struct link {
	int64_t		 conv;
	int64_t		 user;
	const char	*state;
};

static int
tx_link(struct dctx *c, void *arg)
{
	struct link	*l = arg;
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_lock, "iii", c->shop->id, l->conv,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "会话不存在";
		return ERR_NOT_FOUND;
	}
	if (l->state != NULL) {
		if (db_run(c->arena, NULL, sql_state, "sii", l->state,
		    c->shop->id, l->conv) == -1)
			return ERR_INTERNAL;
		return audit(c, "kf.state", "conv=%" PRId64 " state=%s",
		    l->conv, l->state);
	}
	if (db_run(c->arena, &r, sql_user, "iii", c->shop->id, l->user,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "客户账号不存在或已停用";
		return ERR_INVALID;
	}
	if (db_run(c->arena, NULL, sql_link, "iii", l->user, c->shop->id,
	    l->conv) == -1)
		return ERR_INTERNAL;
	return audit(c, "kf.link", "conv=%" PRId64 " user=%" PRId64, l->conv,
	    l->user);
}

/* Staff say who the customer is: one active customer user of theirs. */
int
kf_conv_link(struct dctx *c, int64_t conv, int64_t user)
{
	struct link	l = { conv, user, NULL };

	return db_tx_run(c, tx_link, &l);
}

int
kf_conv_set_state(struct dctx *c, int64_t conv, const char *state)
{
	struct link	l = { conv, 0, state };

	if (strcmp(state, "open") != 0 && strcmp(state, "closed") != 0) {
		c->error = "状态无效";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_link, &l);
}

static const char *
like_of(struct arena *a, const char *q)
{
	struct buf	 b;
	const char	*p, *s;

	buf_init(&b, 64);
	buf_addc(&b, '%');
	for (p = q != NULL ? q : ""; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, *p);
	}
	buf_addc(&b, '%');
	s = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return s;
}

static int
picks(struct dctx *c, struct db_res *r, struct kf_pick **out, int *n)
{
	struct kf_pick	*p;
	int		 i;

	p = arena_calloc(c->arena, r->nrows + 1, sizeof(*p));
	for (i = 0; i < r->nrows; i++) {
		p[i].id = db_cell_i64(r, i, 0);
		p[i].name = db_cell(r, i, 1);
		p[i].sub = db_cell(r, i, 2);
	}
	*out = p;
	*n = r->nrows;
	return 0;
}

/* Customer users to link, by name, phone or company (20 at most). */
int
kf_users_find(struct dctx *c, const char *q, struct kf_pick **out, int *n)
{
	struct db_res	*r;
	const char	*l = like_of(c->arena, q);

	if (db_run(c->arena, &r, sql_users, "isssi", c->shop->id, l, l, l,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	return picks(c, r, out, n);
}

/* Products on the shelf to send, by name or 货号 (20 at most). */
int
kf_products_find(struct dctx *c, const char *q, struct kf_pick **out, int *n)
{
	struct db_res	*r;
	const char	*l = like_of(c->arena, q);

	if (db_run(c->arena, &r, sql_products, "iss", c->shop->id, l,
	    l) == -1)
		return ERR_INTERNAL;
	return picks(c, r, out, n);
}
