/*
 * h_admin_service_report.c -- the after-sales report (售后 › 统计): tickets
 * opened and the median time to the first answer, month by month, as two
 * charts drawn on the server (base/svg_chart.h) and a table, and the same
 * numbers as XLSX. The figures are the whole shop's, so the page is for
 * those who see every ticket (owner, admin, service), not for sales.
 */
#include "base/base.h"
#include "base/doc.h"
#include "base/svg_chart.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/ticket.h"

#define REPORT_ROLES	"owner,admin,service"
#define MONTHS_DEFAULT	12
#define MONTHS_MAX	36

static const int64_t ranges[] = { 3, 6, 12, 24, 36 };

/* The last n months, oldest first, each with the domain's row or zeros:
 * a month without tickets is a bar of 0 and a gap in the line. */
struct month_row {
	const char	*month;
	int64_t		 opened;
	int64_t		 minutes;	/* -1: none answered */
};

static struct month_row *
months_filled(struct ctx *c, int n, const struct ticket_month *t, int nt)
{
	struct month_row	*m = arena_calloc(c->d.arena, (size_t)n,
				    sizeof(*m));
	time_t			 now = time(NULL) + 8 * 3600;	/* China */
	struct tm		 tm;
	int			 i, k, y, mon;

	gmtime_r(&now, &tm);
	y = tm.tm_year + 1900;
	mon = tm.tm_mon + 1;
	for (i = n - 1; i >= 0; i--) {
		m[i].month = arena_printf(c->d.arena, "%04d-%02d", y, mon);
		m[i].minutes = -1;
		for (k = 0; k < nt; k++)
			if (strcmp(t[k].month, m[i].month) == 0) {
				m[i].opened = t[k].opened;
				m[i].minutes = t[k].median_first_minutes;
			}
		if (--mon == 0) {
			mon = 12;
			y--;
		}
	}
	return m;
}

/* A chart as markup, or "" when it cannot be drawn (logged). */
static const char *
chart(struct ctx *c, int line, const char *id, const char *title,
    const char *unit, const struct month_row *m, int n)
{
	struct svg_point	*p = arena_calloc(c->d.arena, (size_t)n + 1,
				    sizeof(*p));
	struct svg_chart	 ch;
	struct buf		 b;
	const char		*out = "";
	int			 i;

	for (i = 0; i < n; i++) {
		p[i].label = m[i].month + 2;	/* "26-11" */
		if (line) {
			p[i].missing = m[i].minutes < 0;
			p[i].value = m[i].minutes < 0 ? 0 : m[i].minutes;
		} else
			p[i].value = m[i].opened;
	}
	memset(&ch, 0, sizeof(ch));
	ch.id = id;
	ch.title = title;
	ch.unit = unit;
	ch.width = 420;		/* legible at a phone's width, as NPS's */
	ch.height = 240;
	ch.pts = p;
	ch.npts = (size_t)n;
	buf_init(&b, 4096);
	if ((line ? svg_line_chart(&ch, &b) : svg_bar_chart(&ch, &b)) == 0)
		out = arena_strdup(c->d.arena, buf_cstr(&b));
	else
		clog_warnx(&c->d, "service report: chart %s not drawn", id);
	buf_free(&b);
	return out;
}

static int
export(struct ctx *c, const struct month_row *m, int n)
{
	static const struct doc_col cols[] = {
		{ "月份", 10, DOC_LEFT, DOC_TEXT },
		{ "新工单", 10, DOC_RIGHT, DOC_INT },
		{ "首次响应中位数（分钟）", 22, DOC_RIGHT, DOC_TEXT },
	};
	struct doc_cell	*cell = arena_calloc(c->d.arena, (size_t)n * 3 + 1,
			    sizeof(*cell));
	struct doc_table tab;
	struct doc	 d;
	const char	*why = NULL;
	int		 i;

	for (i = 0; i < n; i++) {
		cell[i * 3].text = m[i].month;
		cell[i * 3 + 1].n = m[i].opened;
		cell[i * 3 + 2].text = m[i].minutes < 0 ? "—" :
		    arena_printf(c->d.arena, "%" PRId64, m[i].minutes);
	}
	tab = (struct doc_table){ NULL, cols, 3, cell, (size_t)n, NULL };
	memset(&d, 0, sizeof(d));
	d.title = "售后统计";
	d.subtitle = c->d.shop->name;
	d.table = &tab;
	d.ntable = 1;
	c->body.len = 0;
	if (doc_xlsx(&d, NULL, &c->body, &why) != 0) {
		c->body.len = 0;
		clog_warnx(&c->d, "service report export: %s", why ? why :
		    "failed");
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->status = 200;
	c->ctype = "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet";
	http_header(c, "Cache-Control", "private, no-store");
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "attachment; filename=\"service-%s-%s.xlsx\"", m[0].month,
	    m[n - 1].month));
	return c->status;
}

/* GET /admin/service/report?months=12 (and .xlsx). */
static int
h_service_report(struct ctx *c)
{
	struct ticket_month	*t;
	struct month_row	*m;
	json_object		*v, *rows, *o;
	const char		*s = kv_get(&c->query, "months"), *err;
	int64_t			 months = MONTHS_DEFAULT, total = 0;
	int			 i, nt, rc;

	if (s != NULL && *s != '\0' && parse_i64(s, 1, MONTHS_MAX, &months,
	    &err) == -1)
		return http_fail(c, ERR_INVALID, arena_printf(c->d.arena,
		    "months：应为 1 到 %d 的整数", MONTHS_MAX));
	if ((rc = ticket_report_months(&c->d, (int)months, &t, &nt)) != 0)
		return http_fail(c, rc, NULL);
	m = months_filled(c, (int)months, t, nt);
	if (c->m.cap[0] != NULL && *c->m.cap[0] != '\0')
		return export(c, m, (int)months);
	v = admin_view(c, "service");
	rows = json_object_new_array();
	for (i = 0; i < months; i++) {
		o = json_object_new_object();
		view_set_str(o, "month", m[i].month);
		view_set_i64(o, "opened", m[i].opened);
		if (m[i].minutes >= 0)
			view_set_i64(o, "median_first_minutes", m[i].minutes);
		view_set_bool(o, "answered", m[i].minutes >= 0);
		json_object_array_add(rows, o);
		total += m[i].opened;
	}
	json_object_object_add(v, "months", rows);
	view_set_i64(v, "month_count", months);
	view_set_i64(v, "opened_total", total);
	view_set_bool(v, "no_tickets", total == 0);
	view_set_str(v, "volume_svg", chart(c, 0, "ticket-volume",
	    "每月新工单", " 单", m, (int)months));
	view_set_str(v, "response_svg", chart(c, 1, "ticket-response",
	    "首次响应时间（中位数）", " 分", m, (int)months));
	view_set_str(v, "xlsx_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/service/report.xlsx?months=%" PRId64, months)));
	view_set_str(v, "action", ctx_link(c, "/admin/service/report"));
	rows = json_object_new_array();
	for (i = 0; i < (int)(sizeof(ranges) / sizeof(ranges[0])); i++) {
		o = json_object_new_object();
		view_set_i64(o, "value", ranges[i]);
		view_set_bool(o, "selected", ranges[i] == months);
		json_object_array_add(rows, o);
	}
	json_object_object_add(v, "ranges", rows);
	c->title = "售后统计";
	return render(c, "admin/service_report");
}

const struct route h_admin_service_report_routes[] = {
	{ "GET", "^/admin/service/report(\\.xlsx)?$", h_service_report,
	  ROUTE_STAFF, REPORT_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
