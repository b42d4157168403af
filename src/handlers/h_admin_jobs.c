/*
 * h_admin_jobs.c -- 后台任务 in the back office: the shop's failed jobs with
 * their last error (or all its recent jobs), and a button that queues a
 * failed one again. Only the shop's own jobs exist here: another shop's,
 * and the system-wide housekeeping, are 404. No SQL: the queue is job.c's.
 * Times are stored in UTC and shown in China Standard Time (UTC+8).
 */
#include "base/base.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/job_admin.h"

#define PER_PAGE	20
#define JOB_ROLES	ADMIN_ROLES_JOBS

static const struct {
	const char	*state;
	const char	*label;
	const char	*badge;
} states[] = {
	{ "queued", "等待运行", "" },
	{ "running", "运行中", "warn" },
	{ "done", "已完成", "on" },
	{ "failed", "失败", "off" },
};

/* "2026-12-02 03:04:05.678" (UTC) as "2026-12-02 11:04:05" (UTC+8). */
static const char *
local_time(struct arena *a, const char *utc)
{
	struct tm	 tm;
	time_t		 t;
	char		 out[32];

	if (utc == NULL)
		return NULL;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(utc, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return utc;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm) + 8 * 3600;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, sizeof(out), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return utc;
	return arena_strdup(a, out);
}

static json_object *
job_view(struct ctx *c, const struct job *j)
{
	json_object	*o = json_object_new_object();
	size_t		 i;

	view_set_i64(o, "id", j->id);
	view_set_str(o, "kind", j->kind);
	view_set_str(o, "kind_label", job_kind_label(j->kind));
	view_set_str(o, "state", j->state);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(j->state, states[i].state) == 0) {
			view_set_str(o, "state_label", states[i].label);
			view_set_str(o, "badge", states[i].badge);
		}
	view_set_i64(o, "attempts", j->attempts);
	view_set_i64(o, "max_attempts", j->max_attempts);
	view_set_str(o, "run_at", local_time(c->d.arena, j->run_at));
	view_set_str(o, "created_at", local_time(c->d.arena, j->created_at));
	view_set_str(o, "updated_at", local_time(c->d.arena, j->updated_at));
	view_set_str(o, "last_error", j->last_error);
	view_set_bool(o, "failed", strcmp(j->state, "failed") == 0);
	view_set_bool(o, "queued", strcmp(j->state, "queued") == 0);
	view_set_str(o, "retry_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/jobs/%" PRId64 "/retry", j->id)));
	return o;
}

static void
filter_tabs(struct ctx *c, json_object *v, int failed)
{
	json_object	*tabs = json_object_new_array(), *o;
	int		 i;

	for (i = 0; i < 2; i++) {
		o = json_object_new_object();
		view_set_str(o, "label", i == 0 ? "失败的任务" : "全部任务");
		view_set_str(o, "url", ctx_link(c, i == 0 ? "/admin/jobs" :
		    "/admin/jobs?status=all"));
		view_set_bool(o, "active", failed == (i == 0));
		json_object_array_add(tabs, o);
	}
	json_object_object_add(v, "tabs", tabs);
}

static int
h_admin_jobs(struct ctx *c)
{
	const char	*status = kv_get(&c->query, "status");
	json_object	*v, *rows;
	struct job	*jobs;
	int64_t		 total, off;
	int		 failed, n, i;

	failed = status == NULL || strcmp(status, "all") != 0;
	off = (query_page(c) - 1) * PER_PAGE;
	if (job_shop_list(&c->d, failed, PER_PAGE, off, &jobs, &n, &total) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = admin_view(c, "jobs");
	view_pager(c, v, total, PER_PAGE, failed ? "/admin/jobs" :
	    "/admin/jobs?status=all");
	rows = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(rows, job_view(c, &jobs[i]));
	json_object_object_add(v, "jobs", rows);
	view_set_bool(v, "failed_only", failed);
	filter_tabs(c, v, failed);
	c->title = "后台任务";
	return render(c, "admin/jobs");
}

static int
h_admin_job_retry(struct ctx *c)
{
	int64_t	id;
	int	err;

	if (route_id(c, 0, &id) != 0)
		return http_fail(c, ERR_NOT_FOUND, "任务不存在");
	if ((err = job_shop_retry(&c->d, id)) != 0)
		return http_fail(c, err, c->d.error);
	clog_info(&c->d, "job retried id=%" PRId64 " by=staff:%" PRId64, id,
	    c->d.sess.user_id);
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/jobs?done=requeued"));
}

const struct route h_admin_jobs_routes[] = {
	{ "GET", "^/admin/jobs$", h_admin_jobs, ROUTE_STAFF, JOB_ROLES },
	{ "POST", "^/admin/jobs/([0-9]{1,18})/retry$", h_admin_job_retry,
	  ROUTE_STAFF | ROUTE_CSRF, JOB_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
