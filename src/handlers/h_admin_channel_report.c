/*
 * h_admin_channel_report.c -- 渠道报表 (owner, admin, sales): per channel
 * and week, visitors, dealer applications, WeChat bindings, first orders
 * and their GMV between two China dates (default: the last 12 weeks), as
 * a page and as XLSX (base/doc.h). The numbers are channel_report's.
 */
#include "base/base.h"
#include "base/doc.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/channel.h"

#define SPAN_MAX	366	/* days one report may cover */

static const struct doc_col cols[] = {
	{ "周（周一）", 12, DOC_LEFT, DOC_DATE },
	{ "渠道", 24, DOC_LEFT, DOC_TEXT },
	{ "访客", 8, DOC_RIGHT, DOC_INT },
	{ "注册", 8, DOC_RIGHT, DOC_INT },
	{ "微信绑定", 10, DOC_RIGHT, DOC_INT },
	{ "首单", 8, DOC_RIGHT, DOC_INT },
	{ "首单金额", 14, DOC_RIGHT, DOC_MONEY },
};
#define NCOL	((int)(sizeof(cols) / sizeof(cols[0])))

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
		return -1;		/* 2026-02-30 */
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

/* The range asked for: 0, or -1 with *why. */
static int
range(struct ctx *c, const char **from, const char **to, const char **why)
{
	const char	*f = kv_get(&c->query, "from"), *t = kv_get(&c->query,
			    "to");
	int64_t		 today = ((int64_t)time(NULL) + 8 * 3600) / 86400;
	int64_t		 df, dt;

	dt = t != NULL && *t ? day_of(t) : today;
	df = f != NULL && *f ? day_of(f) : dt - 7 * 12 + 1;
	if (df == -1 || dt == -1) {
		*why = "日期格式应为 YYYY-MM-DD";
		return -1;
	}
	if (df > dt) {
		*why = "开始日期不能晚于结束日期";
		return -1;
	}
	if (dt - df >= SPAN_MAX) {
		*why = "一次最多查询 366 天";
		return -1;
	}
	*from = date_str(c->d.arena, df);
	*to = date_str(c->d.arena, dt);
	return 0;
}

static void
sums(const struct channel_week *w, int n, struct channel_week *t)
{
	int	i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n; i++) {
		t->visitors += w[i].visitors;
		t->registrations += w[i].registrations;
		t->bindings += w[i].bindings;
		t->first_orders += w[i].first_orders;
		t->gmv_fen += w[i].gmv_fen;
	}
}

static json_object *
row_view(struct ctx *c, const struct channel_week *w)
{
	json_object	*o = json_object_new_object();

	view_set_str(o, "week", w->week);
	view_set_str(o, "channel", w->channel);
	if (w->channel_id > 0)
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/admin/channels/%" PRId64, w->channel_id)));
	view_set_i64(o, "visitors", w->visitors);
	view_set_i64(o, "registrations", w->registrations);
	view_set_i64(o, "bindings", w->bindings);
	view_set_i64(o, "first_orders", w->first_orders);
	view_set_money(c, o, "gmv", w->gmv_fen);
	return o;
}

static int
export(struct ctx *c, const char *from, const char *to,
    const struct channel_week *w, int n, const struct channel_week *t)
{
	struct doc_cell	*cell, *tot;
	struct doc_table tab;
	struct doc_kv	 kv[1];
	struct doc	 d;
	const char	*why = NULL;
	int		 i;

	cell = arena_alloc(c->d.arena, sizeof(*cell) * NCOL * (n + 1));
	memset(cell, 0, sizeof(*cell) * NCOL * (n + 1));
	for (i = 0; i < n; i++) {
		cell[i * NCOL].text = w[i].week;
		cell[i * NCOL + 1].text = w[i].channel;
		cell[i * NCOL + 2].n = w[i].visitors;
		cell[i * NCOL + 3].n = w[i].registrations;
		cell[i * NCOL + 4].n = w[i].bindings;
		cell[i * NCOL + 5].n = w[i].first_orders;
		cell[i * NCOL + 6].n = w[i].gmv_fen;
	}
	tot = arena_alloc(c->d.arena, sizeof(*tot) * NCOL);
	memset(tot, 0, sizeof(*tot) * NCOL);
	tot[0].text = "合计";
	tot[2].n = t->visitors;
	tot[3].n = t->registrations;
	tot[4].n = t->bindings;
	tot[5].n = t->first_orders;
	tot[6].n = t->gmv_fen;
	tab = (struct doc_table){ NULL, cols, NCOL, cell, (size_t)n, tot };
	kv[0] = (struct doc_kv){ "日期", arena_printf(c->d.arena, "%s 至 %s",
	    from, to) };
	memset(&d, 0, sizeof(d));
	d.title = "渠道报表";
	d.subtitle = c->d.shop->name;
	d.kv = kv;
	d.nkv = 1;
	d.table = &tab;
	d.ntable = 1;
	c->body.len = 0;
	if (doc_xlsx(&d, NULL, &c->body, &why) != 0) {
		c->body.len = 0;
		clog_warnx(&c->d, "channel report export: %s", why ? why :
		    "failed");
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->status = 200;
	c->ctype = "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet";
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "attachment; filename=\"channels-%s-%s.xlsx\"", from, to));
	return c->status;
}

static int
h_channel_report(struct ctx *c)
{
	struct channel_week	*w, t;
	json_object		*v, *a;
	const char		*from, *to, *why;
	int			 n, i, xlsx = c->m.cap[0] != NULL;

	if (range(c, &from, &to, &why) == -1)
		return http_fail(c, ERR_INVALID, why);
	if (channel_report(&c->d, from, to, &w, &n) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	sums(w, n, &t);
	if (xlsx)
		return export(c, from, to, w, n, &t);
	v = admin_view(c, "channels");
	view_set_str(v, "from", from);
	view_set_str(v, "to", to);
	view_set_str(v, "action", ctx_link(c, "/admin/channels/report"));
	view_set_str(v, "list_url", ctx_link(c, "/admin/channels"));
	view_set_str(v, "xlsx_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/channels/report.xlsx?from=%s&to=%s", from, to)));
	a = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(a, row_view(c, &w[i]));
	json_object_object_add(v, "rows", a);
	view_set_bool(v, "empty", n == 0);
	t.channel = "合计";
	json_object_object_add(v, "totals", row_view(c, &t));
	c->title = "渠道报表";
	return render(c, "admin/channel_report");
}

const struct route h_admin_channel_report_routes[] = {
	{ "GET", "^/admin/channels/report(\\.xlsx)?$", h_channel_report,
	  ROUTE_STAFF, CHANNEL_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
