/*
 * h_admin_nps.c -- 服务 › NPS in the back office (owner, admin, service;
 * a salesperson sees their own companies): NPS between two China dates
 * in all, by month (an SVG trend, base/svg_chart.h), by member level, by
 * salesperson and by product category, the answers with comments, the
 * detractors' follow-up tasks (filter, page, record the outcome), the
 * same figures as XLSX, and the survey settings (owner, admin).
 */
#include "base/base.h"
#include "base/doc.h"
#include "base/svg_chart.h"
#include "domain/nps.h"
#include "http/http.h"
#include "handlers/handlers.h"

#include <time.h>

#define NPS_URL		"/admin/service/nps"
#define SPAN_MAX	731	/* days one report may cover */

static const char *const group_keys[NPS_NGROUPS] = {
	[NPS_BY_MONTH] = "by_month", [NPS_BY_LEVEL] = "by_level",
	[NPS_BY_SALES] = "by_sales", [NPS_BY_CATEGORY] = "by_category",
};
static const char *const group_titles[NPS_NGROUPS] = {
	[NPS_BY_MONTH] = "按月", [NPS_BY_LEVEL] = "按客户等级",
	[NPS_BY_SALES] = "按业务员", [NPS_BY_CATEGORY] = "按商品分类",
};

/* "YYYY-MM-DD", a real date, as days since 1970; -1 if not. */
static int64_t
day_of(const char *s)
{
	struct tm	tm, back;
	time_t		t;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    strspn(s, "0123456789-") != 10)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) !=
	    3 || tm.tm_year < 2000 || tm.tm_year > 2999)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	t = timegm(&tm);
	if (tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon)
		return -1;
	return (int64_t)t / 86400;
}

static const char *
date_str(struct arena *a, int64_t days)
{
	struct tm	tm;
	time_t		t = (time_t)(days * 86400);
	char		out[16];

	gmtime_r(&t, &tm);
	strftime(out, sizeof(out), "%Y-%m-%d", &tm);
	return arena_strdup(a, out);
}

/* from, to: the query's, else the last 12 months to today (China). */
static int
range(struct ctx *c, const char **from, const char **to, const char **why)
{
	const char	*f = kv_get(&c->query, "from"), *t = kv_get(&c->query,
			    "to");
	int64_t		 today = ((int64_t)time(NULL) + 8 * 3600) / 86400;
	int64_t		 df, dt;

	dt = t != NULL && *t ? day_of(t) : today;
	df = f != NULL && *f ? day_of(f) : dt - 364;
	if (df == -1 || dt == -1) {
		*why = "日期格式应为 YYYY-MM-DD";
		return -1;
	}
	if (df > dt) {
		*why = "开始日期不能晚于结束日期";
		return -1;
	}
	if (dt - df >= SPAN_MAX) {
		*why = "一次最多查询两年";
		return -1;
	}
	*from = date_str(c->d.arena, df);
	*to = date_str(c->d.arena, dt);
	return 0;
}

static json_object *
count_view(const struct nps_count *k)
{
	json_object	*o = json_object_new_object();
	int64_t		 n = nps_total(k);

	view_set_str(o, "label", k->label);
	view_set_i64(o, "answers", n);
	view_set_i64(o, "promoters", k->promoters);
	view_set_i64(o, "passives", k->passives);
	view_set_i64(o, "detractors", k->detractors);
	view_set_bool(o, "has", n > 0);
	if (n > 0)
		view_set_i64(o, "nps", nps_score(k));
	return o;
}

/* The months from..to as the chart's points, a gap where none answered. */
static const char *
trend_svg(struct ctx *c, const char *from, const char *to,
    const struct nps_report *r)
{
	struct svg_point	*p;
	struct svg_chart	 ch;
	struct buf		 b;
	const char		*out;
	int			 y, m, y2, m2, n = 0, k;

	if (sscanf(from, "%4d-%2d", &y, &m) != 2 ||
	    sscanf(to, "%4d-%2d", &y2, &m2) != 2)
		return "";
	p = arena_calloc(c->d.arena, 30, sizeof(*p));
	for (; (y < y2 || (y == y2 && m <= m2)) && n < 30; n++) {
		p[n].label = arena_printf(c->d.arena, "%04d-%02d", y, m);
		p[n].missing = 1;
		for (k = 0; k < r->n[NPS_BY_MONTH]; k++)
			if (strcmp(r->g[NPS_BY_MONTH][k].label, p[n].label) == 0)
				break;
		if (k < r->n[NPS_BY_MONTH] &&
		    nps_total(&r->g[NPS_BY_MONTH][k]) > 0) {
			p[n].value = nps_score(&r->g[NPS_BY_MONTH][k]);
			p[n].missing = 0;
		}
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	memset(&ch, 0, sizeof(ch));
	ch.id = "nps-trend";
	ch.title = arena_printf(c->d.arena, "NPS 月度趋势（%s 至 %s）", from,
	    to);
	ch.fixed = 1;
	ch.ymin = -100;
	ch.ymax = 100;
	ch.width = 420;		/* legible at a phone's width */
	ch.height = 240;
	ch.pts = p;
	ch.npts = (size_t)n;
	buf_init(&b, 4096);
	out = svg_line_chart(&ch, &b) == 0 ? arena_strdup(c->d.arena,
	    buf_cstr(&b)) : "";
	buf_free(&b);
	return out;
}

static json_object *
task_view(struct ctx *c, const struct nps_task *t)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "id", t->id);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    NPS_URL "/tasks/%" PRId64, t->id)));
	view_set_str(o, "state", t->state);
	view_set_str(o, "state_label", t->state_label);
	view_set_bool(o, "open", strcmp(t->state, "open") == 0);
	view_set_str(o, "note", t->note);
	view_set_str(o, "staff", t->staff);
	view_set_str(o, "created", t->created);
	view_set_str(o, "updated", t->updated);
	view_set_str(o, "company", t->company);
	view_set_str(o, "company_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64, t->customer_id)));
	view_set_str(o, "user", t->user);
	view_set_str(o, "user_phone", t->user_phone);
	view_set_str(o, "order_no", t->order_no);
	if (t->order_id > 0)
		view_set_str(o, "order_url", ctx_link(c, arena_printf(
		    c->d.arena, "/admin/orders/%" PRId64, t->order_id)));
	view_set_i64(o, "score", t->score);
	view_set_str(o, "comment", t->comment);
	return o;
}

/* The state filter's options, the one asked for checked. */
static json_object *
state_options(const char *st)
{
	static const char *const names[] = { "", "open", "contacted",
	    "resolved" };
	json_object	*a = json_object_new_array(), *o;
	size_t		 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		o = json_object_new_object();
		view_set_str(o, "value", names[i]);
		view_set_str(o, "label", *names[i] ? nps_task_label(names[i]) :
		    "全部");
		view_set_bool(o, "selected", strcmp(st, names[i]) == 0);
		json_object_array_add(a, o);
	}
	return a;
}

static const char *
task_state_q(struct ctx *c)
{
	const char	*st = kv_get(&c->query, "task_state");

	return st != NULL && nps_task_state_ok(st) ? st : "";
}

static int
export(struct ctx *c, const char *from, const char *to,
    const struct nps_report *r)
{
	static const struct doc_col cols[] = {
		{ "分组", 10, DOC_LEFT, DOC_TEXT },
		{ "名称", 20, DOC_LEFT, DOC_TEXT },
		{ "回答数", 8, DOC_RIGHT, DOC_INT },
		{ "推荐者 9–10", 10, DOC_RIGHT, DOC_INT },
		{ "中立者 7–8", 10, DOC_RIGHT, DOC_INT },
		{ "贬损者 0–6", 10, DOC_RIGHT, DOC_INT },
		{ "NPS", 8, DOC_RIGHT, DOC_TEXT },
	};
	struct doc_cell	*cell;
	struct doc_table tab;
	struct doc_kv	 kv[1];
	struct doc	 d;
	const char	*why = NULL;
	int		 g, i, n = 1, row = 0;
	const struct nps_count *k;

	for (g = 0; g < NPS_NGROUPS; g++)
		n += r->n[g];
	cell = arena_calloc(c->d.arena, (size_t)n * 7 + 1, sizeof(*cell));
	for (g = -1; g < NPS_NGROUPS; g++)
		for (i = 0; i < (g < 0 ? 1 : r->n[g]); i++, row++) {
			struct doc_cell *x = cell + row * 7;

			k = g < 0 ? &r->all : &r->g[g][i];
			x[0].text = g < 0 ? "合计" : group_titles[g];
			x[1].text = k->label;
			x[2].n = nps_total(k);
			x[3].n = k->promoters;
			x[4].n = k->passives;
			x[5].n = k->detractors;
			x[6].text = nps_total(k) > 0 ? arena_printf(c->d.arena,
			    "%" PRId64, nps_score(k)) : "—";
		}
	tab = (struct doc_table){ NULL, cols, 7, cell, (size_t)row, NULL };
	kv[0] = (struct doc_kv){ "日期", arena_printf(c->d.arena, "%s 至 %s",
	    from, to) };
	memset(&d, 0, sizeof(d));
	d.title = "NPS 满意度";
	d.subtitle = c->d.shop->name;
	d.kv = kv;
	d.nkv = 1;
	d.table = &tab;
	d.ntable = 1;
	c->body.len = 0;
	if (doc_xlsx(&d, NULL, &c->body, &why) != 0) {
		c->body.len = 0;
		clog_warnx(&c->d, "nps export: %s", why ? why : "failed");
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->status = 200;
	c->ctype = "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet";
	http_header(c, "Cache-Control", "private, no-store");
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "attachment; filename=\"nps-%s-%s.xlsx\"", from, to));
	return c->status;
}

static void
answers_view(struct ctx *c, json_object *v, const char *from, const char *to,
    int only_comments)
{
	struct nps_answer_row	*a;
	json_object		*rows, *o, *pg;
	int64_t			 total;
	int			 i, n;

	if (nps_answers(&c->d, from, to, only_comments, query_page(c), &a, &n,
	    &total) != 0)
		return;
	rows = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_str(o, "answered", a[i].answered);
		view_set_str(o, "company", a[i].company);
		view_set_str(o, "user", a[i].user);
		view_set_str(o, "sales", a[i].sales);
		view_set_str(o, "order_no", a[i].order_no);
		view_set_i64(o, "score", a[i].score);
		view_set_str(o, "kind", NPS_PROMOTER(a[i].score) ? "promoter" :
		    NPS_DETRACTOR(a[i].score) ? "detractor" : "passive");
		view_set_str(o, "comment", a[i].comment);
		if (a[i].task_id > 0) {
			view_set_str(o, "task_url", ctx_link(c, arena_printf(
			    c->d.arena, NPS_URL "/tasks/%" PRId64,
			    a[i].task_id)));
			view_set_str(o, "task_label",
			    nps_task_label(a[i].task_state));
		}
		json_object_array_add(rows, o);
	}
	pg = json_object_new_object();
	json_object_object_add(pg, "rows", rows);
	view_pager(c, pg, total, NPS_PER_PAGE, arena_printf(c->d.arena,
	    NPS_URL "?from=%s&to=%s%s", from, to, only_comments ?
	    "&comments=1" : ""));
	json_object_object_add(v, "answers", pg);
}

static int
h_nps(struct ctx *c)
{
	struct nps_report	 r;
	struct nps_task		*t;
	json_object		*v, *a, *grp, *tk;
	const char		*from, *to, *why, *st = task_state_q(c);
	int64_t			 ntasks, mine_open;
	int			 g, i, n, rc, mine;
	int			 only = kv_get(&c->query, "comments") != NULL;

	mine = kv_get(&c->query, "mine") != NULL;
	if (range(c, &from, &to, &why) == -1)
		return http_fail(c, ERR_INVALID, why);
	if ((rc = nps_report(&c->d, from, to, &r)) != 0)
		return http_fail(c, rc, NULL);
	if (c->m.cap[0] != NULL)
		return export(c, from, to, &r);
	v = admin_view(c, "nps");
	view_set_str(v, "from", from);
	view_set_str(v, "to", to);
	view_set_str(v, "action", ctx_link(c, NPS_URL));
	view_set_str(v, "xlsx_url", ctx_link(c, arena_printf(c->d.arena,
	    NPS_URL ".xlsx?from=%s&to=%s", from, to)));
	view_set_str(v, "tasks_url", ctx_link(c, NPS_URL "/tasks"));
	view_set_str(v, "settings_url", ctx_link(c, NPS_URL "/settings"));
	view_set_bool(v, "may_settings", session_staff_role(&c->d.sess,
	    NPS_ROLES_SETTINGS));
	view_set_bool(v, "comments_only", only);
	json_object_object_add(v, "all", count_view(&r.all));
	view_set_bool(v, "no_answers", nps_total(&r.all) == 0);
	view_set_str(v, "trend_svg", trend_svg(c, from, to, &r));
	grp = json_object_new_array();
	for (g = 0; g < NPS_NGROUPS; g++) {
		json_object *o = json_object_new_object();

		view_set_str(o, "key", group_keys[g]);
		view_set_str(o, "heading", group_titles[g]);
		a = json_object_new_array();
		for (i = 0; i < r.n[g]; i++)
			json_object_array_add(a, count_view(&r.g[g][i]));
		json_object_object_add(o, "rows", a);
		view_set_bool(o, "empty", r.n[g] == 0);
		json_object_array_add(grp, o);
		json_object_object_add(v, group_keys[g], json_object_get(a));
	}
	json_object_object_add(v, "groups", grp);
	answers_view(c, v, from, to, only);
	if ((rc = nps_tasks(&c->d, st, mine, 1, &t, &n, &ntasks)) != 0 ||
	    (rc = nps_tasks_open_mine(&c->d, &mine_open)) != 0)
		return http_fail(c, rc, NULL);
	tk = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(tk, task_view(c, &t[i]));
	json_object_object_add(v, "tasks", tk);
	view_set_i64(v, "tasks_total", ntasks);
	view_set_bool(v, "tasks_empty", n == 0);
	view_set_bool(v, "tasks_more", ntasks > n);
	view_set_bool(v, "mine", mine);
	view_set_i64(v, "mine_open", mine_open);
	view_set_bool(v, "has_mine_open", mine_open > 0);
	json_object_object_add(v, "task_states", state_options(st));
	c->title = "NPS 满意度";
	return render(c, "admin/nps");
}

static int
h_nps_tasks(struct ctx *c)
{
	struct nps_task	*t;
	json_object	*v, *a, *pg;
	const char	*st = task_state_q(c);
	int64_t		 total;
	int		 i, n, rc, mine = kv_get(&c->query, "mine") != NULL;

	if ((rc = nps_tasks(&c->d, st, mine, query_page(c), &t, &n,
	    &total)) != 0)
		return http_fail(c, rc, NULL);
	v = admin_view(c, "nps");
	a = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(a, task_view(c, &t[i]));
	json_object_object_add(v, "tasks", a);
	pg = json_object_new_object();
	view_pager(c, pg, total, NPS_PER_PAGE, arena_printf(c->d.arena,
	    NPS_URL "/tasks?task_state=%s%s", st, mine ? "&mine=1" : ""));
	json_object_object_add(v, "pager", pg);
	view_set_bool(v, "empty", total == 0);
	view_set_bool(v, "mine", mine);
	view_set_str(v, "action", ctx_link(c, NPS_URL "/tasks"));
	view_set_str(v, "nps_url", ctx_link(c, NPS_URL));
	json_object_object_add(v, "task_states", state_options(st));
	c->title = "NPS 跟进任务";
	return render(c, "admin/nps_tasks");
}

static int
h_nps_task(struct ctx *c)
{
	struct nps_task	 t;
	json_object	*v;
	int		 rc;

	if ((rc = nps_task_get(&c->d, route_cap(c, 0), &t)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "nps");
	json_object_object_add(v, "task", task_view(c, &t));
	json_object_object_add(v, "task_states", state_options(t.state));
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    NPS_URL "/tasks/%" PRId64, t.id)));
	view_set_str(v, "tasks_url", ctx_link(c, NPS_URL "/tasks"));
	view_set_str(v, "nps_url", ctx_link(c, NPS_URL));
	c->title = "NPS 跟进";
	return render(c, "admin/nps_task");
}

enum { T_STATE, T_NOTE };
static const struct field task_fields[] = {
	[T_STATE] = { "state", FIELD_TEXT, FIELD_REQUIRED, 0, 20, "跟进结果" },
	[T_NOTE] = { "note", FIELD_TEXT, 0, 0, NPS_NOTE_MAX, "备注" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_nps_task_save(struct ctx *c)
{
	struct form	f;
	int64_t		id = route_cap(c, 0);
	int		rc;

	if (form_parse(c, task_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	if ((rc = nps_task_save(&c->d, id, f.v[T_STATE].s,
	    f.v[T_NOTE].s)) != 0)
		return http_fail(c, rc, c->d.error);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", id);
		view_set_str(c->view, "state", f.v[T_STATE].s);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    NPS_URL "/tasks/%" PRId64 "?done=saved", id)));
}

static int
h_nps_settings(struct ctx *c)
{
	struct nps_settings	 s;
	json_object		*v;
	int			 rc;

	if ((rc = nps_settings_get(&c->d, &s)) != 0)
		return http_fail(c, rc, NULL);
	v = admin_view(c, "nps");
	view_set_bool(v, "enabled", s.enabled);
	view_set_i64(v, "delay_days", s.delay_days);
	view_set_i64(v, "period_days", s.period_days);
	view_set_str(v, "action", ctx_link(c, NPS_URL "/settings"));
	view_set_str(v, "nps_url", ctx_link(c, NPS_URL));
	c->title = "NPS 问卷设置";
	return render(c, "admin/nps_settings");
}

enum { S_ENABLED, S_DELAY, S_PERIOD };
static const struct field settings_fields[] = {
	[S_ENABLED] = { "enabled", FIELD_BOOL, 0, 0, 0, "发送问卷" },
	[S_DELAY] = { "delay_days", FIELD_INT, FIELD_REQUIRED, 0, 60,
	  "收货后几天发送" },
	[S_PERIOD] = { "period_days", FIELD_INT, FIELD_REQUIRED, 0, 730,
	  "同一用户间隔天数" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_nps_settings_save(struct ctx *c)
{
	struct nps_settings	s;
	struct form		f;
	int			rc;

	if (form_parse(c, settings_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	s.enabled = f.v[S_ENABLED].i64 != 0;
	s.delay_days = f.v[S_DELAY].i64;
	s.period_days = f.v[S_PERIOD].i64;
	if ((rc = nps_settings_save(&c->d, &s)) != 0)
		return http_fail(c, rc, c->d.error);
	return http_see_other(c, "%s", ctx_link(c, NPS_URL
	    "/settings?done=saved"));
}

const struct route h_admin_nps_routes[] = {
	{ "GET", "^/admin/service/nps(\\.xlsx)?$", h_nps, ROUTE_STAFF,
	  NPS_ROLES },
	{ "GET", "^/admin/service/nps/tasks$", h_nps_tasks, ROUTE_STAFF,
	  NPS_ROLES },
	{ "GET", "^/admin/service/nps/tasks/([0-9]{1,18})$", h_nps_task,
	  ROUTE_STAFF, NPS_ROLES },
	{ "POST", "^/admin/service/nps/tasks/([0-9]{1,18})$", h_nps_task_save,
	  ROUTE_STAFF | ROUTE_CSRF | ROUTE_BODY, NPS_ROLES },
	{ "GET", "^/admin/service/nps/settings$", h_nps_settings, ROUTE_STAFF,
	  NPS_ROLES_SETTINGS },
	{ "POST", "^/admin/service/nps/settings$", h_nps_settings_save,
	  ROUTE_STAFF | ROUTE_CSRF | ROUTE_BODY, NPS_ROLES_SETTINGS },
	{ NULL, NULL, NULL, 0, NULL }
};
