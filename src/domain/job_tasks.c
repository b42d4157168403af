/*
 * job_tasks.c -- the kinds of background job: one table row per kind with
 * the function that does it and, for the housekeeping that recurs, how
 * often. A recurring kind is a system-wide singleton whose dedupe key is
 * its kind: job_schedule() queues it when none is queued or running, and
 * finishing one queues the next (job.c). The test.* kinds exist only with
 * job_test_kinds = 1, for the integration tests; they record their runs in
 * the table job_test_run, which the tests create.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "services/job.h"
#include "domain/ticket.h"
#include "domain/job_tasks.h"
#include "domain/idempotency.h"
#include "domain/prune.h"
#include "domain/approval.h"
#include "domain/statement.h"
#include "domain/wxpay_order.h"
#include "domain/wx_message.h"
#include "domain/nps.h"
#include "domain/kf.h"

#include <time.h>

#define BATCH		1000	/* rows per DELETE: short locks */
#define DONE_KEEP_DAYS	7	/* job.expire: finished jobs kept this long */
#define PRUNE_MIN_AGE	3600	/* uploads.prune: as --min-age 60 */

static const char sql_sessions[] =
    "DELETE FROM session WHERE expires_at < NOW(3) LIMIT 1000";
static const char sql_failures[] =
    "DELETE FROM login_failure WHERE last_at < NOW(3) - "
    "INTERVAL ? SECOND LIMIT 1000";
static const char sql_sms_codes[] =
    "DELETE FROM sms_code WHERE created_at < NOW(3) - INTERVAL 1 DAY "
    "LIMIT 1000";
/* OAuth states past their life; official-account messages seen two days
 * ago (WeChat repeats one within seconds, not days). */
static const char sql_oauth_states[] =
    "DELETE FROM wx_oauth_state WHERE expires_at < NOW(3) - INTERVAL 1 HOUR "
    "LIMIT 1000";
static const char sql_mp_seen[] =
    "DELETE FROM wx_mp_seen WHERE created_at < NOW(3) - INTERVAL 2 DAY "
    "LIMIT 1000";
static const char sql_test_record[] =
    "INSERT INTO job_test_run (job_id, runner, attempt, tag) "
    "VALUES (?, ?, ?, ?)";

/* A batched DELETE (fmt "" or "i" with arg) until it deletes less than a
 * batch: the rows it deleted in *n. */
static int
delete_batches(struct arena *a, const char *sql, const char *fmt,
    int64_t arg, int64_t *n)
{
	struct db_res	*r;

	*n = 0;
	do {
		if (db_run(a, &r, sql, fmt, arg) == -1)
			return -1;
		*n += (int64_t)r->affected;
	} while (r->affected == BATCH);
	return 0;
}

static const char *
db_failure(struct arena *a)
{
	return arena_printf(a, "database: %s", db_error());
}

/* Sessions past expires_at: session_load() ignores them already. */
static int
task_session_expire(struct arena *a, const struct job *j, const char **msg)
{
	int64_t	n;

	(void)j;
	if (delete_batches(a, sql_sessions, "", 0, &n) == -1) {
		*msg = db_failure(a);
		return -1;
	}
	*msg = arena_printf(a, "deleted=%" PRId64, n);
	return 0;
}

/* Counters with no failure for login_window no longer count (auth.c). */
static int
task_login_failure_expire(struct arena *a, const struct job *j,
    const char **msg)
{
	int64_t	n, codes, states, seen;

	(void)j;
	if (delete_batches(a, sql_failures, "i", conf.login_window,
	    &n) == -1 || delete_batches(a, sql_sms_codes, "", 0,
	    &codes) == -1 || delete_batches(a, sql_oauth_states, "", 0,
	    &states) == -1 || delete_batches(a, sql_mp_seen, "", 0,
	    &seen) == -1) {
		*msg = db_failure(a);
		return -1;
	}
	*msg = arena_printf(a, "deleted=%" PRId64 " sms_codes=%" PRId64
	    " oauth_states=%" PRId64 " mp_seen=%" PRId64, n, codes, states,
	    seen);
	return 0;
}

/* Last month's statements for every company that has none yet. */
static int
task_statements(struct arena *a, const struct job *j, const char **msg)
{
	char	period[8];
	int64_t	made;

	(void)j;
	/* An hour's grace: an entry made at 23:59 of the month's last day
	 * has committed before its month is summed. */
	statement_last_period(time(NULL) - 3600, period);
	if (statements_generate(a, period, 0, &made) != 0) {
		*msg = db_failure(a);
		return -1;
	}
	*msg = arena_printf(a, "period=%s made=%" PRId64, period, made);
	return 0;
}

/* WeChat Pay attempts and refunds whose result has not come: asked. */
static int
task_wxpay_sync(struct arena *a, const struct job *j, const char **msg)
{
	int	paid, closed, refunds;

	(void)j;
	if (wxpay_sync(a, &paid, &closed) == ERR_INTERNAL ||
	    wxpay_refund_sync(a, &refunds) != 0) {
		*msg = db_failure(a);
		return -1;
	}
	*msg = arena_printf(a, "paid=%d closed=%d refunds=%d", paid, closed,
	    refunds);
	return 0;
}

/* WeChat messages due: new notifications, and the ones waiting to retry. */
static int
task_wechat_deliver(struct arena *a, const struct job *j, const char **msg)
{
	struct wx_deliver_count	k;

	if (wx_deliver(a, j->shop_id, &k) != 0) {
		*msg = db_failure(a);
		return -1;
	}
	*msg = arena_printf(a, "sent=%d failed=%d skipped=%d waiting=%d",
	    k.sent, k.failed, k.skipped, k.waiting);
	return 0;
}

/* `dinghuo uploads prune` for every shop (or the job's), into the log. */
static int
task_uploads_prune(struct arena *a, const struct job *j, const char **msg)
{
	struct prune_stats	st;
	int			rc;

	rc = uploads_prune(j->shop_id, PRUNE_MIN_AGE, 0, 0, &st);
	*msg = arena_printf(a, "files=%d removed=%d kept=%d bytes=%llu "
	    "errors=%d", st.files, st.removed, st.kept,
	    (unsigned long long)st.bytes, st.failed);
	if (rc == -1)
		*msg = arena_printf(a, "%s (see the lines above)", *msg);
	return rc;
}

/* Finished jobs are history for a week, then go; failed ones stay. */
static int
task_job_expire(struct arena *a, const struct job *j, const char **msg)
{
	int64_t	n;

	(void)j;
	if (job_purge(a, DONE_KEEP_DAYS, &n) != 0) {
		*msg = db_failure(a);
		return -1;
	}
	*msg = arena_printf(a, "deleted=%" PRId64, n);
	return 0;
}

/* Idempotency keys past their expiry: a replay then acts anew. */
static int
task_idempotency_expire(struct arena *a, const struct job *j,
    const char **msg)
{
	struct dctx	d;

	(void)j;
	dctx_init(&d, a, "job");
	if (idempotency_expire(&d) != 0) {
		*msg = db_failure(a);
		return -1;
	}
	return 0;
}

/* The payload's member key as an integer, or def. */
static int64_t
payload_i64(const struct job *j, const char *key, int64_t def)
{
	json_object	*o, *v;
	int64_t		 n = def;

	if (j->payload == NULL || (o = json_tokener_parse(j->payload)) == NULL)
		return def;
	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_int))
		n = json_object_get_int64(v);
	json_object_put(o);
	return n;
}

/* The payload's member key as a string in the arena, or def. */
static const char *
payload_str(struct arena *a, const struct job *j, const char *key,
    const char *def)
{
	json_object	*o, *v;
	const char	*s = def;

	if (j->payload == NULL || (o = json_tokener_parse(j->payload)) == NULL)
		return def;
	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		s = arena_strdup(a, json_object_get_string(v));
	json_object_put(o);
	return s;
}

static int
test_record(struct arena *a, const struct job *j, const char **msg)
{
	if (db_run(a, NULL, sql_test_record, "isis", j->id, j->locked_by,
	    j->attempts, payload_str(a, j, "tag", "")) == -1) {
		*msg = db_failure(a);
		return -1;
	}
	return 0;
}

/* {"ms": N}: sleeps N ms (signals wait: they are blocked), records. */
static int
test_sleep(struct arena *a, const struct job *j, const char **msg)
{
	struct timespec	ts;
	int64_t		ms = payload_i64(j, "ms", 1000);

	if (ms < 0 || ms > 600000)
		ms = 1000;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return test_record(a, j, msg);
}

/* {"error": "..."}: fails with it, every time. */
static int
test_fail(struct arena *a, const struct job *j, const char **msg)
{
	*msg = payload_str(a, j, "error", "test.fail: failing as asked");
	return -1;
}

static const struct job_kind kinds[] = {
	{ "session.expire", task_session_expire, 3600, 0,
	  "清理过期登录" },
	{ "login_failure.expire", task_login_failure_expire, 3600, 0,
	  "清理登录失败记录、短信验证码和微信登录状态" },
	{ "uploads.prune", task_uploads_prune, 86400, 0,
	  "清理无用的上传文件" },
	{ "job.expire", task_job_expire, 86400, 0,
	  "清理已完成的任务" },
	{ "idempotency.expire", task_idempotency_expire, 3600, 0,
	  "清理过期的防重复提交记录" },
	{ "order.release", task_order_release, 900, 0,
	  "自动取消超时未审批、未确认的订单" },
	{ "statements.generate", task_statements, 3600, 0,
	  "生成上月对账单" },
	{ "wxpay.sync", task_wxpay_sync, 300, 0,
	  "查询未收到结果的微信支付和退款" },
	{ "wechat.deliver", task_wechat_deliver, 60, 0,
	  "发送微信消息" },
	{ "nps.send", task_nps_send, 60, 0,
	  "发送 NPS 满意度问卷" },
	{ "notify.order", task_notify_order, 0, 0,
	  "记录订单消息" },
	{ "notify.money", task_notify_money, 0, 0,
	  "记录付款和开票消息" },
	{ "ticket.sla", task_ticket_sla, 300, 0,
	  "提醒超过服务时限的售后工单" },
	{ KF_PULL_KIND, task_kf_pull, 0, 0,
	  "拉取微信客服消息" },
	{ "kf.sweep", task_kf_sweep, 60, 0,
	  "补拉未及时拉取的微信客服消息" },
	{ "test.record", test_record, 0, 1,
	  "测试：记录" },
	{ "test.sleep", test_sleep, 0, 1,
	  "测试：等待" },
	{ "test.fail", test_fail, 0, 1,
	  "测试：失败" },
	{ NULL, NULL, 0, 0, NULL }
};

/* The kind named so, if this runner may run it. */
const struct job_kind *
job_kind_find(const char *name)
{
	const struct job_kind	*k;

	for (k = kinds; k->kind != NULL; k++)
		if (strcmp(k->kind, name) == 0)
			return k->test && !conf.job_test_kinds ? NULL : k;
	return NULL;
}

/* The kinds this runner may run, comma-separated, for job_claim(). */
const char *
job_kinds_enabled(struct arena *a)
{
	const struct job_kind	*k;
	const char		*list = "";

	for (k = kinds; k->kind != NULL; k++)
		if (!k->test || conf.job_test_kinds)
			list = arena_printf(a, "%s%s%s", list, *list ? "," : "",
			    k->kind);
	return list;
}

/* Queue each recurring kind, due now, unless one is queued or running. */
int
job_schedule(struct arena *a)
{
	const struct job_kind	*k;
	int64_t			 id;
	int			 rc, bad = 0;

	for (k = kinds; k->kind != NULL; k++) {
		if (k->every <= 0)
			continue;
		rc = job_enqueue(a, 0, k->kind, "{}", k->kind, 0, 0, &id);
		if (rc == 0)
			log_info("job scheduled id=%" PRId64 " kind=%s every=%"
			    PRId64 "s", id, k->kind, k->every);
		else if (rc != ERR_CONFLICT)
			bad = 1;
	}
	return bad ? ERR_INTERNAL : 0;
}
