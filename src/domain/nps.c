/*
 * nps.c -- NPS surveys: a shop's settings, a survey scheduled in the
 * transaction of the move that earns it (an order received, a ticket
 * resolved), the nps.send job that turns due surveys into notifications
 * (the account's 消息 and WeChat, event nps_survey), and the answer by
 * a signed link: "<survey id>.<HMAC>" with the shop's signing key
 * (wx_sign.c), over the survey and its customer user, so a link is
 * unguessable, names one survey of one shop, and needs no login.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/job.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/nps.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "domain/wechat.h"
#include "domain/wx_message.h"

#define MAC_HEX		64
#define SEND_BATCH	200

static const char sql_settings[] =
    "SELECT enabled, delay_days, period_days FROM nps_settings "
    "WHERE shop_id = ?";
static const char sql_settings_save[] =
    "INSERT INTO nps_settings (shop_id, enabled, delay_days, period_days) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), "
    "delay_days = VALUES(delay_days), period_days = VALUES(period_days)";
/* The user, locked: two receipts at once schedule one survey. */
static const char sql_user_lock[] =
    "SELECT customer_id, status = 'active' FROM customer_user "
    "WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_recent[] =
    "SELECT COUNT(*) FROM nps_survey WHERE shop_id = ? "
    "AND customer_user_id = ? AND created_at > NOW(3) - INTERVAL ? DAY";
static const char sql_add[] =
    "INSERT IGNORE INTO nps_survey (shop_id, customer_id, customer_user_id, "
    "source, source_id, order_id, due_at) VALUES (?, ?, ?, ?, ?, ?, "
    "NOW(3) + INTERVAL ? DAY)";
static const char sql_order_user[] =
    "SELECT customer_user_id FROM sales_order WHERE id = ? AND shop_id = ?";
static const char sql_due[] =
    "SELECT v.id, v.shop_id, v.customer_user_id, COALESCE(o.order_no, ''), "
    "s.name FROM nps_survey v JOIN shop s ON s.id = v.shop_id "
    "JOIN customer_user u ON u.id = v.customer_user_id "
    "AND u.status = 'active' LEFT JOIN sales_order o ON o.id = v.order_id "
    "WHERE v.state = 'scheduled' AND v.due_at <= NOW(3) "
    "ORDER BY v.id LIMIT 200";
static const char sql_claim[] =
    "UPDATE nps_survey SET state = 'sent', sent_at = NOW(3), "
    "expires_at = NOW(3) + INTERVAL ? DAY WHERE id = ? "
    "AND state = 'scheduled'";
static const char sql_notify[] =
    "INSERT INTO notification (shop_id, customer_user_id, kind, order_id, "
    "title, body, link) SELECT v.shop_id, v.customer_user_id, 'nps_survey', "
    "v.order_id, ?, ?, ? FROM nps_survey v WHERE v.id = ?";
#define SURVEY_COLS \
    "SELECT v.id, v.customer_user_id, v.state, COALESCE(o.order_no, ''), " \
    "DATE_FORMAT(v.sent_at + INTERVAL 8 HOUR, '%Y-%m-%d'), " \
    "DATE_FORMAT(v.expires_at + INTERVAL 8 HOUR, '%Y-%m-%d'), " \
    "COALESCE(v.score, -1), COALESCE(v.comment, ''), " \
    "v.expires_at > NOW(3), v.customer_id, " \
    "(SELECT c.owner_staff_id FROM customer c WHERE c.id = v.customer_id) " \
    "FROM nps_survey v LEFT JOIN sales_order o ON o.id = v.order_id " \
    "WHERE v.id = ? AND v.shop_id = ? AND v.state <> 'scheduled'"
static const char sql_survey[] = SURVEY_COLS;
static const char sql_survey_lock[] = SURVEY_COLS " FOR UPDATE";
static const char sql_answer[] =
    "UPDATE nps_survey SET state = 'answered', score = ?, comment = ?, "
    "answered_at = NOW(3) WHERE id = ? AND state = 'sent'";
static const char sql_shop_owner[] =
    "SELECT id FROM staff WHERE shop_id = ? AND role = 'owner' "
    "AND status = 'active' ORDER BY id LIMIT 1";
static const char sql_task_add[] =
    "INSERT IGNORE INTO nps_task (shop_id, survey_id, staff_id) "
    "VALUES (?, ?, ?)";
static const char sql_pending[] =
    "SELECT v.id FROM nps_survey v WHERE v.shop_id = ? "
    "AND v.customer_user_id = ? AND v.state = 'sent' "
    "AND v.expires_at > NOW(3) ORDER BY v.id DESC LIMIT 5";

int
nps_settings_get(struct dctx *c, struct nps_settings *s)
{
	struct db_res	*r;

	s->enabled = 1;
	s->delay_days = NPS_DELAY_DEFAULT;
	s->period_days = NPS_PERIOD_DEFAULT;
	if (db_run(c->arena, &r, sql_settings, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 1) {
		s->enabled = db_cell_i64(r, 0, 0) != 0;
		s->delay_days = db_cell_i64(r, 0, 1);
		s->period_days = db_cell_i64(r, 0, 2);
	}
	return 0;
}

static int
tx_settings(struct dctx *c, void *arg)
{
	const struct nps_settings	*s = arg;

	if (db_run(c->arena, NULL, sql_settings_save, "iiii", c->shop->id,
	    (int64_t)s->enabled, s->delay_days, s->period_days) == -1)
		return ERR_INTERNAL;
	return audit(c, "nps.settings", "enabled=%d delay_days=%" PRId64
	    " period_days=%" PRId64, s->enabled, s->delay_days,
	    s->period_days);
}

int
nps_settings_save(struct dctx *c, const struct nps_settings *s)
{
	if (s->delay_days < 0 || s->delay_days > 60 || s->period_days < 0 ||
	    s->period_days > 730) {
		c->error = "延迟为 0–60 天，间隔为 0–730 天";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_settings, (void *)s);
}

int
nps_schedule_for(struct dctx *c, int64_t uid, const char *source,
    int64_t source_id, int64_t order_id)
{
	struct nps_settings	 s;
	struct db_res		*r;
	int64_t			 customer;

	if (source == NULL || (strcmp(source, "order") != 0 &&
	    strcmp(source, "ticket") != 0) || uid <= 0 || source_id <= 0)
		return ERR_INTERNAL;
	if (nps_settings_get(c, &s) != 0)
		return ERR_INTERNAL;
	if (!s.enabled)
		return 0;
	if (db_run(c->arena, &r, sql_user_lock, "ii", uid, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0 || db_cell_i64(r, 0, 1) == 0)
		return 0;
	customer = db_cell_i64(r, 0, 0);
	if (s.period_days > 0) {
		if (db_run(c->arena, &r, sql_recent, "iii", c->shop->id, uid,
		    s.period_days) == -1)
			return ERR_INTERNAL;
		if (db_cell_i64(r, 0, 0) > 0)
			return 0;	/* asked within the period */
	}
	if (db_run(c->arena, &r, sql_add, "iiisisi", c->shop->id, customer,
	    uid, source, source_id, order_id > 0 ? arena_printf(c->arena,
	    "%" PRId64, order_id) : NULL, s.delay_days) == -1)
		return ERR_INTERNAL;
	if (r->affected == 1)
		clog_info(c, "nps scheduled survey=%" PRIu64 " user=%" PRId64
		    " source=%s:%" PRId64 " delay_days=%" PRId64, r->insert_id,
		    uid, source, source_id, s.delay_days);
	return 0;
}

int
nps_schedule(struct dctx *c, int64_t uid, const char *source,
    int64_t source_id)
{
	return nps_schedule_for(c, uid, source, source_id, 0);
}

/* The order's placer is asked about the order received. */
int
nps_schedule_order(struct dctx *c, int64_t order_id)
{
	struct db_res	*r;
	int64_t		 uid;

	if (db_run(c->arena, &r, sql_order_user, "ii", order_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0 || db_cell(r, 0, 0) == NULL)
		return 0;
	uid = db_cell_i64(r, 0, 0);
	/* The receiving user, when a customer confirmed it. */
	if (c->sess.kind == SESS_CUSTOMER && c->sess.user_id > 0)
		uid = c->sess.user_id;
	return nps_schedule_for(c, uid, "order", order_id, order_id);
}

/* The link's token for survey id of user uid. */
static int
token_make(struct dctx *c, int64_t id, int64_t uid, const char **token)
{
	char	m[MAC_HEX + 1];

	if (wx_sign_mac(c, "nps", arena_printf(c->arena, "%" PRId64 ".%"
	    PRId64, id, uid), m) != 0)
		return ERR_INTERNAL;
	*token = arena_printf(c->arena, "%" PRId64 ".%s", id, m);
	return 0;
}

struct send {
	int64_t		 id;
	int64_t		 uid;
	const char	*order_no;
	const char	*shop_name;
	int		 sent;
};

static int
tx_send(struct dctx *c, void *arg)
{
	struct send	*s = arg;
	struct db_res	*r;
	const char	*token, *body;

	s->sent = 0;
	if (db_run(c->arena, &r, sql_claim, "ii", (int64_t)NPS_TTL_DAYS,
	    s->id) == -1)
		return ERR_INTERNAL;
	if (r->affected != 1)
		return 0;		/* another runner sent it */
	if (token_make(c, s->id, s->uid, &token) != 0)
		return ERR_INTERNAL;
	body = *s->order_no ? arena_printf(c->arena, "订单 %s 已收货。您有多大"
	    "可能把%s推荐给朋友？点此打分（0–10），只需几秒。", s->order_no,
	    s->shop_name) : arena_printf(c->arena, "您有多大可能把%s推荐给"
	    "朋友？点此打分（0–10），只需几秒。", s->shop_name);
	if (db_run(c->arena, NULL, sql_notify, "sssi", "邀请您评价本次服务",
	    utf8_prefix(c->arena, body, 600), arena_printf(c->arena,
	    "/nps/%s", token), s->id) == -1)
		return ERR_INTERNAL;
	s->sent = 1;
	return 0;
}

/* The nps.send job: due surveys become notifications, then WeChat. */
int
task_nps_send(struct arena *a, const struct job *j, const char **msg)
{
	struct db_res		*r;
	struct wx_deliver_count	 k;
	struct dctx		 d;
	struct shop		 sh;
	struct send		 s;
	int			 i, sent = 0;

	(void)j;
	if (db_run(a, &r, sql_due, "") == -1) {
		*msg = arena_printf(a, "database: %s", db_error());
		return -1;
	}
	for (i = 0; i < r->nrows; i++) {
		memset(&sh, 0, sizeof(sh));
		sh.id = db_cell_i64(r, i, 1);
		sh.name = arena_strdup(a, db_cell(r, i, 4));
		dctx_init(&d, a, "job");
		d.shop = &sh;
		s.id = db_cell_i64(r, i, 0);
		s.uid = db_cell_i64(r, i, 2);
		s.order_no = db_cell(r, i, 3);
		s.shop_name = sh.name;
		if (db_tx_run(&d, tx_send, &s) != 0) {
			*msg = arena_printf(a, "survey %" PRId64 ": %s", s.id,
			    db_error());
			return -1;
		}
		sent += s.sent;
	}
	if (sent > 0 && wx_deliver(a, 0, &k) != 0) {
		*msg = arena_printf(a, "sent=%d wechat=failed", sent);
		return 0;	/* wechat.deliver retries them */
	}
	*msg = arena_printf(a, "due=%d sent=%d", r->nrows, sent);
	return 0;
}

/* Token "<id>.<64 hex>" to its id; 0 when it is no such shape. */
static int64_t
token_id(struct dctx *c, const char *token)
{
	const char	*dot, *errstr;
	int64_t		 id;

	if (token == NULL || strlen(token) > 90 ||
	    (dot = strchr(token, '.')) == NULL || dot == token ||
	    strlen(dot + 1) != MAC_HEX || !hex_valid(dot + 1, MAC_HEX))
		return 0;
	if (parse_i64(arena_strndup(c->arena, token, (size_t)(dot - token)),
	    1, INT64_MAX, &id, &errstr) == -1)
		return 0;
	return id;
}

/* Read (lock: for update) the survey of token into v: 0, NOT_FOUND. */
static int
survey_of(struct dctx *c, const char *token, int lock, struct nps_survey *v,
    int64_t *owner, int64_t *customer)
{
	struct db_res	*r;
	const char	*want;
	int64_t		 id, uid;

	memset(v, 0, sizeof(*v));
	c->error = "问卷不存在或已过期";
	c->code = "survey_not_found";
	if ((id = token_id(c, token)) == 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, lock ? sql_survey_lock : sql_survey, "ii", id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	uid = db_cell_i64(r, 0, 1);
	if (token_make(c, id, uid, &want) != 0)
		return ERR_INTERNAL;
	if (!str_eq_ct(want, token)) {
		clog_warnx(c, "nps: forged survey link survey=%" PRId64, id);
		return ERR_NOT_FOUND;
	}
	/* Someone else's link, opened in a customer's session. */
	if (c->sess.kind == SESS_CUSTOMER && c->sess.user_id != uid)
		return ERR_NOT_FOUND;
	v->state = db_cell(r, 0, 2);
	if (strcmp(v->state, "sent") == 0 && db_cell_i64(r, 0, 8) == 0)
		return ERR_NOT_FOUND;	/* expired unanswered */
	v->id = id;
	v->token = arena_strdup(c->arena, token);
	v->order_no = db_cell(r, 0, 3);
	v->sent = db_cell(r, 0, 4);
	v->expires = db_cell(r, 0, 5);
	v->score = (int)db_cell_i64(r, 0, 6);
	v->comment = db_cell(r, 0, 7);
	if (customer != NULL)
		*customer = db_cell_i64(r, 0, 9);
	if (owner != NULL)
		*owner = db_cell(r, 0, 10) ? db_cell_i64(r, 0, 10) : 0;
	c->error = NULL;
	c->code = NULL;
	return 0;
}

int
nps_open(struct dctx *c, const char *token, struct nps_survey *v)
{
	return survey_of(c, token, 0, v, NULL, NULL);
}

struct answer {
	const char	*token;
	int64_t		 score;
	const char	*comment;
	int64_t		 task;
};

/* A detractor: a task for the customer's salesperson, or the owner. */
static int
open_task(struct dctx *c, int64_t survey, int64_t staff, int64_t *task)
{
	struct db_res	*r;

	if (staff == 0) {
		if (db_run(c->arena, &r, sql_shop_owner, "i", c->shop->id) ==
		    -1)
			return ERR_INTERNAL;
		staff = r->nrows ? db_cell_i64(r, 0, 0) : 0;
	}
	if (db_run(c->arena, &r, sql_task_add, "iis", c->shop->id, survey,
	    staff > 0 ? arena_printf(c->arena, "%" PRId64, staff) : NULL) ==
	    -1)
		return ERR_INTERNAL;
	*task = (int64_t)r->insert_id;
	return 0;
}

static int
tx_answer(struct dctx *c, void *arg)
{
	struct answer		*a = arg;
	struct nps_survey	 v;
	struct db_res		*r;
	int64_t			 owner, customer;
	int			 rc;

	a->task = 0;
	if ((rc = survey_of(c, a->token, 1, &v, &owner, &customer)) != 0)
		return rc;
	if (strcmp(v.state, "answered") == 0) {
		c->error = "这份问卷已经提交过了，谢谢";
		c->code = "already_answered";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, &r, sql_answer, "isi", a->score, a->comment &&
	    *a->comment ? a->comment : NULL, v.id) == -1)
		return ERR_INTERNAL;
	if (r->affected != 1) {
		c->error = "这份问卷已经提交过了，谢谢";
		c->code = "already_answered";
		return ERR_CONFLICT;
	}
	if (NPS_DETRACTOR(a->score) &&
	    (rc = open_task(c, v.id, owner, &a->task)) != 0)
		return rc;
	return audit(c, "nps.answer", "survey=%" PRId64 " customer=%" PRId64
	    " score=%" PRId64 "%s", v.id, customer, a->score, a->task ?
	    " task=opened" : "");
}

int
nps_answer(struct dctx *c, const char *token, int64_t score,
    const char *comment)
{
	struct answer	a = { token, score, comment, 0 };
	int		rc;

	if (score < 0 || score > 10) {
		c->error = "请选择 0 到 10 分";
		c->code = "score_invalid";
		return ERR_INVALID;
	}
	if (comment != NULL && utf8_len(comment) > NPS_COMMENT_MAX) {
		c->error = "意见最多 500 字";
		c->code = "comment_too_long";
		return ERR_INVALID;
	}
	if ((rc = db_tx_run(c, tx_answer, &a)) == 0)
		clog_info(c, "nps answered score=%" PRId64 "%s", score,
		    a.task ? " task=opened" : "");
	return rc;
}

int
nps_pending(struct dctx *c, struct nps_survey **out, int *n)
{
	struct db_res	*r;
	struct dctx	 d;
	const char	*token;
	int		 i, k = 0;

	*out = NULL;
	*n = 0;
	if (c->sess.kind != SESS_CUSTOMER)
		return 0;
	if (db_run(c->arena, &r, sql_pending, "ii", c->shop->id,
	    c->sess.user_id) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	d = *c;
	for (i = 0; i < r->nrows; i++) {
		if (token_make(&d, db_cell_i64(r, i, 0), c->sess.user_id,
		    &token) != 0)
			return ERR_INTERNAL;
		if (survey_of(&d, token, 0, &(*out)[k], NULL, NULL) == 0)
			k++;
	}
	*n = k;
	return 0;
}
