/*
 * kf_sync.c -- the kf.pull job (wechat-protocols.md §11.4, §11.16): one
 * puller per account holds the kf_sync lease (a committed row, renewed
 * with every page; never a row lock across an HTTP call), pulls
 * kf/sync_msg from the stored cursor while has_more (an empty page with
 * has_more goes on), and stores each page's messages once by msgid in
 * the transaction that moves the cursor: a crash replays one page at
 * most and the unique key absorbs it. Callbacks that came during the
 * pull (wanted moved) make it go again. Then the customers new to us
 * are looked up (kf/customer/batchget) and linked by unionid. kf.sweep,
 * every minute, wakes an account whose wish was not answered.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/job.h"
#include "services/wxapi.h"
#include "domain/dctx.h"
#include "domain/kf.h"

#define LEASE_S		60
#define PAGES_MAX	200	/* per run: the next run goes on */
#define ROUNDS_MAX	5	/* pulls again for callbacks meanwhile */
#define HISTORY_S	300	/* before the first pull: history */
#define TOKEN_FRESH_S	540	/* the callback Token lives 10 min */
#define LOOKUP_MAX	100	/* customer/batchget */

static const char sql_shop[] = "SELECT slug, name FROM shop WHERE id = ?";
static const char sql_row[] =
    "INSERT IGNORE INTO kf_sync (shop_id, open_kfid) VALUES (?, ?)";
static const char sql_lease[] =
    "UPDATE kf_sync SET lease_owner = ?, "
    "lease_until = NOW(3) + INTERVAL 60 SECOND, "
    "act_after = COALESCE(act_after, UNIX_TIMESTAMP()) "
    "WHERE shop_id = ? AND open_kfid = ? "
    "AND (lease_until IS NULL OR lease_until < NOW(3))";
static const char sql_state[] =
    "SELECT next_cursor, wanted, IF(cb_token_at > NOW(3) - INTERVAL ? "
    "SECOND, cb_token, NULL), act_after FROM kf_sync "
    "WHERE shop_id = ? AND open_kfid = ?";
static const char sql_lock[] =
    "SELECT lease_owner FROM kf_sync WHERE shop_id = ? AND open_kfid = ? "
    "FOR UPDATE";
static const char sql_cursor[] =
    "UPDATE kf_sync SET next_cursor = ?, pages = pages + 1, "
    "lease_until = NOW(3) + INTERVAL 60 SECOND "
    "WHERE shop_id = ? AND open_kfid = ? AND lease_owner = ?";
static const char sql_done[] =
    "UPDATE kf_sync SET done_wanted = ?, pulled_at = NOW(3) "
    "WHERE shop_id = ? AND open_kfid = ? AND lease_owner = ? "
    "AND wanted = ?";
static const char sql_release[] =
    "UPDATE kf_sync SET lease_owner = NULL, lease_until = NULL "
    "WHERE shop_id = ? AND open_kfid = ? AND lease_owner = ?";
static const char sql_conv[] =
    "INSERT INTO kf_conv (shop_id, open_kfid, external_userid) "
    "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";
static const char sql_msg[] =
    "INSERT INTO kf_msg (shop_id, conv_id, open_kfid, msgid, origin, "
    "msgtype, event_type, send_time, body, status) "
    "VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = id";
static const char sql_customer_said[] =
    "UPDATE kf_conv SET last_customer_msg = IF(? >= last_customer_at, ?, "
    "last_customer_msg), last_customer_at = GREATEST(last_customer_at, ?), "
    "last_msg_at = GREATEST(last_msg_at, ?), state = 'open' "
    "WHERE shop_id = ? AND id = ?";
static const char sql_touch[] =
    "UPDATE kf_conv SET last_msg_at = GREATEST(last_msg_at, ?) "
    "WHERE shop_id = ? AND id = ?";
static const char sql_enter[] =
    "UPDATE kf_conv SET scene = IF(? = '', scene, ?), "
    "scene_param = IF(? = '', scene_param, ?), "
    "channels_scene = IF(? = 0, channels_scene, ?) "
    "WHERE shop_id = ? AND id = ?";
static const char sql_send_fail[] =
    "UPDATE kf_msg SET status = 'failed', errcode = ? "
    "WHERE shop_id = ? AND open_kfid = ? AND msgid = ? AND origin = 0";
static const char sql_rejected[] =
    "UPDATE kf_conv SET rejected = 1 WHERE shop_id = ? AND id = ?";
static const char sql_recall[] =
    "UPDATE kf_msg SET recalled = 1 "
    "WHERE shop_id = ? AND open_kfid = ? AND msgid = ?";
static const char sql_unknown[] =
    "SELECT external_userid FROM kf_conv WHERE shop_id = ? AND "
    "open_kfid = ? AND looked_up = 0 AND last_msg_at > UNIX_TIMESTAMP() - "
    "172800 ORDER BY id LIMIT 100";
static const char sql_known[] =
    "UPDATE kf_conv SET looked_up = 1, nickname = ?, "
    "unionid = NULLIF(?, '') WHERE shop_id = ? AND open_kfid = ? "
    "AND external_userid = ?";
static const char sql_invalid[] =
    "UPDATE kf_conv SET looked_up = 1 WHERE shop_id = ? AND open_kfid = ? "
    "AND external_userid = ?";
/* The customer user WeChat says is the same person: their unionid on a
 * wx_identity of this shop bound to a user (wx_login.c). */
static const char sql_link_unionid[] =
    "UPDATE kf_conv k SET k.customer_user_id = (SELECT w.customer_user_id "
    "FROM wx_identity w WHERE w.shop_id = k.shop_id AND w.unionid = "
    "k.unionid AND w.customer_user_id IS NOT NULL ORDER BY w.bound_at DESC "
    "LIMIT 1), k.linked_by = 'unionid' WHERE k.shop_id = ? AND "
    "k.open_kfid = ? AND k.customer_user_id IS NULL AND "
    "k.unionid IS NOT NULL AND EXISTS (SELECT 1 FROM wx_identity w2 "
    "WHERE w2.shop_id = k.shop_id AND w2.unionid = k.unionid AND "
    "w2.customer_user_id IS NOT NULL)";
static const char sql_lagging[] =
    "SELECT shop_id, open_kfid FROM kf_sync WHERE wanted > done_wanted "
    "AND (lease_until IS NULL OR lease_until < NOW(3)) LIMIT 100";

struct pull {
	struct dctx	*c;
	const char	*kfid;
	const char	*owner;
	int64_t		 act_after;
	json_object	*list;		/* the page's msg_list */
	const char	*next;		/* its next_cursor */
	int		 stored;	/* new messages, this run */
	int		 seen;		/* again, this run */
	int		 page_new;	/* this page's, for a retried body */
	int		 page_seen;
	int		 lost;		/* the lease went to another */
};

static const char *
str_of(json_object *o, const char *key, size_t max)
{
	json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) > max)
		return NULL;
	return json_object_get_string(v);
}

static int64_t
int_of(json_object *o, const char *key)
{
	json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

static int
id_ok(const char *s, size_t max)
{
	size_t	n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-@.") == n;
}

/* What a new message does to its conversation and the rows it names. */
static int
effects(struct pull *p, int64_t conv, int64_t id, int origin,
    const char *type, json_object *ev, int64_t at)
{
	struct dctx	*c = p->c;
	json_object	*wc = NULL;
	const char	*s, *sp;
	int64_t		 ch;

	if (conv != 0 && origin == 3 && db_run(c->arena, NULL,
	    sql_customer_said, "iiiiii", at, id, at, at, c->shop->id,
	    conv) == -1)
		return ERR_INTERNAL;
	if (conv != 0 && origin != 3 && db_run(c->arena, NULL, sql_touch,
	    "iii", at, c->shop->id, conv) == -1)
		return ERR_INTERNAL;
	if (ev == NULL || type == NULL)
		return 0;
	if (strcmp(type, "enter_session") == 0 && conv != 0) {
		s = str_of(ev, "scene", 32);
		sp = str_of(ev, "scene_param", 128);
		s = s != NULL && kf_scene_valid(s) ? s : "";
		sp = sp != NULL ? sp : "";
		json_object_object_get_ex(ev, "wechat_channels", &wc);
		ch = int_of(wc, "scene");
		if (ch < 0 || ch > 9)
			ch = 0;
		if (db_run(c->arena, NULL, sql_enter, "ssssiiii", s, s, sp, sp,
		    ch, ch, c->shop->id, conv) == -1)
			return ERR_INTERNAL;
	} else if (strcmp(type, "msg_send_fail") == 0) {
		s = str_of(ev, "fail_msgid", 128);
		if (s != NULL && db_run(c->arena, NULL, sql_send_fail, "iiss",
		    int_of(ev, "fail_type"), c->shop->id, p->kfid, s) == -1)
			return ERR_INTERNAL;
		if (int_of(ev, "fail_type") == 10 && conv != 0 &&
		    db_run(c->arena, NULL, sql_rejected, "ii", c->shop->id,
		    conv) == -1)
			return ERR_INTERNAL;
	} else if (strcmp(type, "user_recall_msg") == 0 ||
	    strcmp(type, "servicer_recall_msg") == 0) {
		s = str_of(ev, "recall_msgid", 128);
		if (s != NULL && db_run(c->arena, NULL, sql_recall, "iss",
		    c->shop->id, p->kfid, s) == -1)
			return ERR_INTERNAL;
	}
	return 0;
}

/* One msg_list row: stored unless seen; its effects when new. */
static int
store_one(struct pull *p, json_object *m)
{
	struct dctx	*c = p->c;
	struct db_res	*r;
	json_object	*ev = NULL;
	const char	*msgid, *type, *etype = NULL, *user;
	int64_t		 conv = 0, origin, at;
	int		 rc;

	msgid = str_of(m, "msgid", 128);
	type = str_of(m, "msgtype", 32);
	if (msgid == NULL || *msgid == '\0' || type == NULL || *type == '\0') {
		clog_warnx(c, "kf: a message without msgid or msgtype skipped");
		return 0;
	}
	origin = int_of(m, "origin");
	at = int_of(m, "send_time");
	user = str_of(m, "external_userid", 64);
	if (strcmp(type, "event") == 0 &&
	    json_object_object_get_ex(m, "event", &ev)) {
		etype = str_of(ev, "event_type", 48);
		if (user == NULL)
			user = str_of(ev, "external_userid", 64);
	}
	if (user != NULL && id_ok(user, 64)) {
		if (db_run(c->arena, &r, sql_conv, "iss", c->shop->id, p->kfid,
		    user) == -1)
			return ERR_INTERNAL;
		conv = (int64_t)r->insert_id;
	}
	if (db_run(c->arena, &r, sql_msg, "iissississ", c->shop->id, conv,
	    p->kfid, msgid, origin, type, etype ? etype : "", at,
	    json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE), origin == 3 && p->act_after > 0 &&
	    at < p->act_after - HISTORY_S ? "history" : "received") == -1)
		return ERR_INTERNAL;
	if (r->affected == 0) {
		p->page_seen++;
		return 0;
	}
	p->page_new++;
	if ((rc = effects(p, conv, (int64_t)r->insert_id, (int)origin, etype,
	    ev, at)) != 0)
		return rc;
	return 0;
}

static int
tx_page(struct dctx *c, void *arg)
{
	struct pull	*p = arg;
	struct db_res	*r;
	size_t		 i;
	int		 rc;

	p->page_new = p->page_seen = 0;
	p->lost = 0;
	if (db_run(c->arena, &r, sql_lock, "is", c->shop->id, p->kfid) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0 || db_cell(r, 0, 0) == NULL ||
	    strcmp(db_cell(r, 0, 0), p->owner) != 0) {
		p->lost = 1;
		return 0;
	}
	for (i = 0; p->list != NULL && i < json_object_array_length(p->list);
	    i++)
		if ((rc = store_one(p, json_object_array_get_idx(p->list,
		    i))) != 0)
			return rc;
	if (db_run(c->arena, NULL, sql_cursor, "siss", p->next, c->shop->id,
	    p->kfid, p->owner) == -1)
		return ERR_INTERNAL;
	return 0;
}

/* One sync_msg call: 0 with *o, or an enum err (c->error), *errcode. */
static int
fetch(struct pull *p, const char *cursor, const char *token, json_object **o,
    long *errcode)
{
	struct wxapi_result	 r;
	json_object		*q;
	int			 rc;

	q = json_object_new_object();
	json_object_object_add(q, "cursor", json_object_new_string(cursor));
	if (token != NULL)
		json_object_object_add(q, "token",
		    json_object_new_string(token));
	json_object_object_add(q, "limit", json_object_new_int(1000));
	json_object_object_add(q, "voice_format", json_object_new_int(0));
	json_object_object_add(q, "open_kfid", json_object_new_string(p->kfid));
	rc = kf_api(p->c, "kf/sync_msg", q, o, &r);
	json_object_put(q);
	*errcode = r.errcode;
	return rc;
}

/* Every page from the stored cursor: 0, or an enum err. */
static int
pull_pages(struct pull *p, const char *cursor, const char *token)
{
	json_object	*o, *l;
	long		 errcode;
	int		 pages, more, rc;

	for (pages = 0; pages < PAGES_MAX; pages++) {
		rc = fetch(p, cursor, token, &o, &errcode);
		if (rc != 0 && errcode == 95007 && token != NULL) {
			clog_info(p->c, "kf: sync token refused, again "
			    "without it");
			token = NULL;
			rc = fetch(p, cursor, NULL, &o, &errcode);
		}
		if (rc != 0)
			return rc;
		p->list = json_object_object_get_ex(o, "msg_list", &l) &&
		    json_object_is_type(l, json_type_array) ? l : NULL;
		p->next = str_of(o, "next_cursor", 64);
		p->next = arena_strdup(p->c->arena, p->next != NULL &&
		    *p->next != '\0' ? p->next : cursor);
		more = int_of(o, "has_more") == 1;
		rc = db_tx_run(p->c, tx_page, p);
		json_object_put(o);
		p->list = NULL;
		if (rc != 0)
			return rc;
		if (p->lost) {
			clog_warnx(p->c, "kf: lease of %s lost mid-pull",
			    p->kfid);
			return 0;
		}
		p->stored += p->page_new;
		p->seen += p->page_seen;
		cursor = p->next;
		if (!more)
			return 0;
	}
	return 0;
}

/* The customers seen who were never looked up: nickname, unionid. */
static void
look_up(struct pull *p)
{
	struct dctx		*c = p->c;
	struct wxapi_result	 r;
	struct db_res		*res;
	json_object		*q, *ids, *o, *l, *u;
	const char		*id;
	size_t			 i;
	int			 k;

	if (db_run(c->arena, &res, sql_unknown, "is", c->shop->id,
	    p->kfid) == -1 || res->nrows == 0)
		return;
	q = json_object_new_object();
	ids = json_object_new_array();
	for (k = 0; k < res->nrows && k < LOOKUP_MAX; k++)
		json_object_array_add(ids,
		    json_object_new_string(db_cell(res, k, 0)));
	json_object_object_add(q, "external_userid_list", ids);
	json_object_object_add(q, "need_enter_session_context",
	    json_object_new_int(0));
	k = kf_api(c, "kf/customer/batchget", q, &o, &r);
	json_object_put(q);
	if (k != 0) {
		clog_warnx(c, "kf: customer lookup failed errcode=%ld",
		    r.errcode);
		return;
	}
	if (json_object_object_get_ex(o, "customer_list", &l) &&
	    json_object_is_type(l, json_type_array))
		for (i = 0; i < json_object_array_length(l); i++) {
			u = json_object_array_get_idx(l, i);
			if ((id = str_of(u, "external_userid", 64)) == NULL)
				continue;
			if (db_run(c->arena, NULL, sql_known, "ssiss",
			    str_of(u, "nickname", 64) ? str_of(u, "nickname",
			    64) : "", str_of(u, "unionid", 64) ? str_of(u,
			    "unionid", 64) : "", c->shop->id, p->kfid,
			    id) == -1)
				break;
		}
	if (json_object_object_get_ex(o, "invalid_external_userid", &l) &&
	    json_object_is_type(l, json_type_array))
		for (i = 0; i < json_object_array_length(l); i++)
			if ((id = json_object_get_string(
			    json_object_array_get_idx(l, i))) != NULL &&
			    db_run(c->arena, NULL, sql_invalid, "iss",
			    c->shop->id, p->kfid, id) == -1)
				break;
	json_object_put(o);
	if (db_run(c->arena, &res, sql_link_unionid, "is", c->shop->id,
	    p->kfid) == 0 && res->affected > 0)
		clog_info(c, "kf: %llu conversation(s) linked by unionid",
		    (unsigned long long)res->affected);
}

/* With the lease held: pull until no callback came meanwhile. */
static int
pull_rounds(struct pull *p)
{
	struct dctx	*c = p->c;
	struct db_res	*r;
	int64_t		 want;
	int		 round, rc;

	for (round = 0; round < ROUNDS_MAX; round++) {
		if (db_run(c->arena, &r, sql_state, "iis",
		    (int64_t)TOKEN_FRESH_S, c->shop->id, p->kfid) == -1 ||
		    r->nrows == 0)
			return ERR_INTERNAL;
		want = db_cell_i64(r, 0, 1);
		p->act_after = db_cell_i64(r, 0, 3);
		if ((rc = pull_pages(p, arena_strdup(c->arena,
		    db_cell(r, 0, 0)), db_cell(r, 0, 2) ? arena_strdup(c->arena,
		    db_cell(r, 0, 2)) : NULL)) != 0 || p->lost)
			return rc;
		if (db_run(c->arena, &r, sql_done, "iissi", want, c->shop->id,
		    p->kfid, p->owner, want) == -1)
			return ERR_INTERNAL;
		if (r->affected == 1)
			break;
	}
	look_up(p);
	return 0;
}

int
task_kf_pull(struct arena *a, const struct job *j, const char **msg)
{
	struct shop	 s;
	struct dctx	 d;
	struct pull	 p;
	struct db_res	*r;
	json_object	*o, *v;
	const char	*kfid = NULL;
	int		 rc;

	o = j->payload != NULL ? json_tokener_parse(j->payload) : NULL;
	if (o != NULL && json_object_object_get_ex(o, "open_kfid", &v) &&
	    json_object_is_type(v, json_type_string))
		kfid = arena_strdup(a, json_object_get_string(v));
	json_object_put(o);
	if (kfid == NULL || !id_ok(kfid, 64) || j->shop_id == 0) {
		*msg = "kf.pull: payload needs open_kfid, job a shop";
		return 0;	/* nothing to retry */
	}
	if (db_run(a, &r, sql_shop, "i", j->shop_id) == -1 || r->nrows == 0) {
		*msg = "kf.pull: no such shop";
		return 0;
	}
	memset(&s, 0, sizeof(s));
	s.id = j->shop_id;
	s.slug = arena_strdup(a, db_cell(r, 0, 0));
	s.name = arena_strdup(a, db_cell(r, 0, 1));
	dctx_init(&d, a, "job");
	d.shop = &s;
	memset(&p, 0, sizeof(p));
	p.c = &d;
	p.kfid = kfid;
	p.owner = arena_printf(a, "%s/%" PRId64, j->locked_by ? j->locked_by :
	    "?", j->id);
	if (db_run(a, NULL, sql_row, "is", s.id, kfid) == -1 ||
	    db_run(a, &r, sql_lease, "sis", p.owner, s.id, kfid) == -1) {
		*msg = arena_printf(a, "database: %s", db_error());
		return -1;
	}
	if (r->affected == 0) {
		*msg = arena_printf(a, "open_kfid=%s: another puller has it",
		    kfid);
		return 0;
	}
	rc = pull_rounds(&p);
	if (db_run(a, NULL, sql_release, "iss", s.id, kfid, p.owner) == -1)
		clog_warnx(&d, "kf: lease of %s not released", kfid);
	*msg = arena_printf(a, "open_kfid=%s stored=%d again=%d%s%s", kfid,
	    p.stored, p.seen, rc != 0 ? " error=" : "", rc != 0 ?
	    (d.error ? d.error : "?") : "");
	return rc == 0 ? 0 : -1;
}

/* kf.sweep: an account whose callbacks no pull answered gets one. */
int
task_kf_sweep(struct arena *a, const struct job *j, const char **msg)
{
	struct db_res	*r;
	int		 i, n = 0;

	(void)j;
	if (db_run(a, &r, sql_lagging, "") == -1) {
		*msg = arena_printf(a, "database: %s", db_error());
		return -1;
	}
	for (i = 0; i < r->nrows; i++)
		if (job_enqueue(a, db_cell_i64(r, i, 0), KF_PULL_KIND,
		    arena_printf(a, "{\"open_kfid\":\"%s\"}", db_cell(r, i, 1)),
		    arena_printf(a, KF_PULL_KIND ":%s:%s", db_cell(r, i, 0),
		    db_cell(r, i, 1)), 0, 0, NULL) == 0)
			n++;
	*msg = arena_printf(a, "woken=%d", n);
	return 0;
}
