/*
 * h_admin_service.c -- 售后 in the back office: the queue of tickets
 * (filters: state, type, assignee, age, customer, overdue; pages), a
 * ticket with its timeline and its moves (assign, reply, ask for
 * information, resolve, close, reopen), what a return starts (refund,
 * replacement order, goods back into stock), the shop's service levels
 * and a product's after-sales QR code, printable. Staff with the service
 * role, owner and admin see every ticket; sales their customers' only.
 */
#include "base/base.h"
#include "base/qr.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/order.h"
#include "domain/ticket.h"
#include "handlers/h_service.h"

#define PER_PAGE	20
#define QR_SCALE	8

/* Queue filters: state (a name, "active" or "all"), kind, staff
 * ("me", "none" or an id), customer id, age in hours, overdue. */
static void
query_read(struct ctx *c, struct ticket_query *q, json_object *v)
{
	const char	*s;
	enum ticket_state st;
	enum ticket_kind k;
	const char	*why;
	int64_t		 n;

	memset(q, 0, sizeof(*q));
	q->state = -2;
	q->kind = -1;
	q->staff_id = -1;
	s = kv_get(&c->query, "state");
	if (s != NULL && strcmp(s, "all") == 0)
		q->state = -1;
	else if (s != NULL && ticket_state_parse(s, &st) == 0)
		q->state = (int)st;
	view_set_str(v, "state", q->state == -2 ? "active" : q->state == -1 ?
	    "all" : ticket_state_name(q->state));
	if ((s = kv_get(&c->query, "kind")) != NULL &&
	    ticket_kind_parse(s, &k) == 0)
		q->kind = (int)k;
	if ((s = kv_get(&c->query, "staff")) != NULL) {
		if (strcmp(s, "me") == 0)
			q->staff_id = c->d.sess.user_id;
		else if (strcmp(s, "none") == 0)
			q->staff_id = 0;
		else if (parse_i64(s, 1, INT64_MAX, &n, &why) == 0)
			q->staff_id = n;
		view_set_str(v, "staff", s);
	}
	if ((s = kv_get(&c->query, "customer")) != NULL &&
	    parse_i64(s, 1, INT64_MAX, &n, &why) == 0) {
		q->customer_id = n;
		view_set_i64(v, "customer", n);
	}
	if ((s = kv_get(&c->query, "age")) != NULL &&
	    parse_i64(s, 0, 24 * 365, &n, &why) == 0) {
		q->min_age_hours = n;
		view_set_i64(v, "age", n);
	}
	q->overdue = (s = kv_get(&c->query, "overdue")) != NULL &&
	    strcmp(s, "1") == 0;
	view_set_bool(v, "overdue", q->overdue);
	view_set_bool(v, "filtered", q->kind >= 0 || q->staff_id >= 0 ||
	    q->customer_id > 0 || q->min_age_hours > 0 || q->overdue);
	json_object_object_add(v, "kinds", h_service_kinds_view(q->kind));
	q->page = query_page(c);
	q->per_page = PER_PAGE;
}

static void
tabs_view(struct ctx *c, json_object *v, const char *now)
{
	static const char *const tabs[][2] = {
		{ "active", "未完成" }, { "open", "待处理" },
		{ "in_progress", "处理中" }, { "waiting_customer", "待客户补充" },
		{ "resolved", "已解决" }, { "closed", "已关闭" }, { "all", "全部" },
	};
	json_object	*a = json_object_new_array(), *o;
	size_t		 i;

	for (i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		o = json_object_new_object();
		view_set_str(o, "value", tabs[i][0]);
		view_set_str(o, "label", tabs[i][1]);
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/admin/service/tickets?state=%s", tabs[i][0])));
		view_set_bool(o, "active", strcmp(now, tabs[i][0]) == 0);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "tabs", a);
}

static json_object *
staff_view(struct ctx *c, int64_t chosen)
{
	struct ticket_staff	*s;
	json_object		*a = json_object_new_array(), *o;
	int			 i, n;

	if (ticket_assignees(&c->d, &s, &n) != 0)
		return a;
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", s[i].id);
		view_set_str(o, "name", s[i].name);
		view_set_str(o, "role", s[i].role);
		view_set_bool(o, "selected", s[i].id == chosen);
		json_object_array_add(a, o);
	}
	return a;
}

static int
h_admin_tickets(struct ctx *c)
{
	struct ticket_query	 q;
	struct ticket_list	 l;
	json_object		*v = admin_view(c, "service"), *rows, *f;
	const char		*staff;
	int			 i, rc;

	f = json_object_new_object();
	query_read(c, &q, f);
	if ((rc = ticket_list(&c->d, &q, &l)) != 0)
		return http_fail(c, rc, NULL);
	json_object_object_add(v, "filter", f);
	tabs_view(c, v, view_get_str(f, "state"));
	staff = view_get_str(f, "staff");
	json_object_object_add(v, "assignees", staff_view(c, staff != NULL &&
	    strcmp(staff, "me") && strcmp(staff, "none") ? q.staff_id : -1));
	view_pager(c, v, l.total, PER_PAGE, "/admin/service/tickets");
	rows = json_object_new_array();
	for (i = 0; i < l.n; i++)
		json_object_array_add(rows, h_service_ticket_view(c,
		    &l.rows[i], 1));
	json_object_object_add(v, "tickets", rows);
	view_set_bool(v, "empty", l.n == 0);
	view_set_i64(v, "total", l.total);
	if (l.my_overdue > 0)	/* a 0 would show the banner */
		view_set_i64(v, "my_overdue", l.my_overdue);
	view_set_str(v, "action", ctx_link(c, "/admin/service/tickets"));
	view_set_str(v, "settings_url", ctx_link(c, "/admin/service/settings"));
	view_set_bool(v, "may_settings", session_staff_role(&c->d.sess,
	    "owner,admin"));
	view_set_bool(v, "may_report", session_staff_role(&c->d.sess,
	    "owner,admin,service"));
	c->title = "售后工单";
	return render(c, "admin/service_tickets");
}

static const char *const resolutions[] = { "fixed", "return", "exchange",
	"refund", "no_action" };

static int
ticket_page(struct ctx *c, int64_t id, struct form *f, const char *error)
{
	struct ticket	 t;
	json_object	*v, *o, *a, *r;
	enum ticket_resolution res;
	size_t		 i;
	int		 rc, k;

	if ((rc = ticket_get(&c->d, id, &t)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "service");
	o = h_service_ticket_view(c, &t, 1);
	json_object_object_add(v, "ticket", o);
	json_object_object_add(v, "assignees", staff_view(c, t.staff_id));
	a = json_object_new_object();
	for (k = 0; k < TA_NACTIONS; k++)
		view_set_bool(a, ticket_action_name(k), ticket_move_to(t.state,
		    k) >= 0);
	json_object_object_add(v, "can", a);
	a = json_object_new_array();
	for (i = 0; i < sizeof(resolutions) / sizeof(resolutions[0]); i++) {
		r = json_object_new_object();
		ticket_resolution_parse(resolutions[i], &res);
		view_set_str(r, "value", resolutions[i]);
		view_set_str(r, "label", ticket_resolution_label(res));
		json_object_array_add(a, r);
	}
	json_object_object_add(v, "resolutions", a);
	view_set_bool(v, "returns", t.state == TS_RESOLVED && t.customer_id &&
	    (t.resolution == TR_RETURN || t.resolution == TR_EXCHANGE ||
	    t.resolution == TR_REFUND));
	view_set_bool(v, "may_refund", session_staff_role(&c->d.sess,
	    TICKET_REFUND_ROLES));
	view_set_str(v, "act", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/service/tickets/%" PRId64, id)));
	view_set_str(v, "reply_body", f != NULL ? req_param(c, "note") : NULL);
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	view_set_str(v, "error", error);
	view_set_str(v, "back", ctx_link(c, "/admin/service/tickets"));
	c->title = arena_printf(c->d.arena, "售后工单 #%" PRId64, id);
	return render(c, "admin/service_ticket");
}

static int
h_admin_ticket(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "工单不存在");
	return ticket_page(c, id, NULL, NULL);
}

enum { M_NOTE, M_STAFF, M_RES };
static const struct field move_fields[] = {
	[M_NOTE] =	{ "note", FIELD_TEXT, 0, 0, TICKET_TEXT_MAX, "内容" },
	[M_STAFF] =	{ "staff_id", FIELD_ID, 0, 0, 0, "负责人" },
	[M_RES] =	{ "resolution", FIELD_TEXT, 0, 0, 20, "处理结果" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
refused(struct ctx *c, int64_t id, struct form *f, int rc)
{
	if (c->json_out || rc == ERR_NOT_FOUND || rc == ERR_INTERNAL ||
	    rc == ERR_FORBIDDEN)
		return http_fail(c, rc, f->error ? f->error : c->d.error);
	c->status = err_status(rc);
	return ticket_page(c, id, f, f->error ? f->error : c->d.error);
}

static int
done(struct ctx *c, int64_t id, const char *state)
{
	view_new(c);
	view_set_i64(c->view, "id", id);
	view_set_str(c->view, "state", state);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/service/tickets/%" PRId64 "#timeline", id)));
}

/* POST …/{id}/{assign,reply,ask_info,resolve,close,reopen} */
static int
h_admin_ticket_move(struct ctx *c)
{
	struct ticket_move_args	 a;
	struct ticket_upload	*ph;
	enum ticket_action	 act;
	enum ticket_field	 bad = TF_NONE;
	enum ticket_state	 to;
	struct form		 f;
	int64_t			 id = route_cap(c, 0);
	int			 rc;

	if (id == 0 || ticket_action_parse(c->m.cap[1], &act) == -1)
		return http_fail(c, ERR_NOT_FOUND, "工单不存在");
	if (form_parse(c, move_fields, &f) == -1)
		return refused(c, id, &f, ERR_INVALID);
	memset(&a, 0, sizeof(a));
	a.note = f.v[M_NOTE].s;
	a.staff_id = f.v[M_STAFF].present ? f.v[M_STAFF].i64 : 0;
	if (f.v[M_RES].present &&
	    ticket_resolution_parse(f.v[M_RES].s, &a.resolution) == -1)
		a.resolution = TR_NONE;
	if (act == TA_REPLY) {
		a.nphotos = h_service_photos(c, &ph);
		a.photos = ph;
	}
	if ((rc = ticket_move(&c->d, id, act, &a, &to, &bad)) != 0) {
		h_service_refused(c, rc, bad, &f);
		return refused(c, id, &f, rc);
	}
	return done(c, id, ticket_state_name(to));
}

enum { X_AMOUNT, X_SKU, X_QTY };
static const struct field return_fields[] = {
	[X_AMOUNT] =	{ "amount", FIELD_MONEY, 0, 1, 100000000000LL,
			  "退款金额" },
	[X_SKU] =	{ "sku_id", FIELD_ID, 0, 0, 0, "规格" },
	[X_QTY] =	{ "qty", FIELD_INT, 0, 1, 1000000000, "数量" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_admin_ticket_refund(struct ctx *c)
{
	struct form	f;
	int64_t		id = route_cap(c, 0);
	int		rc;

	if (form_parse(c, return_fields, &f) == -1)
		return refused(c, id, &f, ERR_INVALID);
	if (!f.v[X_AMOUNT].present) {
		form_error(c, &f, "amount", "退款金额", "请填写");
		return refused(c, id, &f, ERR_INVALID);
	}
	if ((rc = ticket_refund(&c->d, id, f.v[X_AMOUNT].i64, NULL)) != 0)
		return refused(c, id, &f, rc);
	return done(c, id, "resolved");
}

static int
h_admin_ticket_replace(struct ctx *c)
{
	struct form	f;
	int64_t		id = route_cap(c, 0), order;
	int		rc;

	if (form_parse(c, return_fields, &f) == -1)
		return refused(c, id, &f, ERR_INVALID);
	if ((rc = ticket_replace(&c->d, id, f.v[X_SKU].present ?
	    f.v[X_SKU].i64 : 0, f.v[X_QTY].present ? f.v[X_QTY].i64 : 0,
	    http_idem_key(c), &order)) != 0)
		return refused(c, id, &f, rc);
	view_new(c);
	view_set_i64(c->view, "id", id);
	view_set_i64(c->view, "order_id", order);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/service/tickets/%" PRId64 "#timeline", id)));
}

static int
h_admin_ticket_stock(struct ctx *c)
{
	struct form	f;
	int64_t		id = route_cap(c, 0);
	int		rc;

	if (form_parse(c, return_fields, &f) == -1)
		return refused(c, id, &f, ERR_INVALID);
	if ((rc = ticket_stock_back(&c->d, id, f.v[X_SKU].present ?
	    f.v[X_SKU].i64 : 0, f.v[X_QTY].present ? f.v[X_QTY].i64 : 0)) != 0)
		return refused(c, id, &f, rc);
	return done(c, id, "resolved");
}

/* -- service levels ----------------------------------------------------- */

enum { S_FIRST, S_RESOLVE };
static const struct field sla_fields[] = {
	[S_FIRST] =	{ "first_hours", FIELD_INT, FIELD_REQUIRED, 1, 720,
			  "首次响应时限（小时）" },
	[S_RESOLVE] =	{ "resolve_days", FIELD_INT, FIELD_REQUIRED, 1, 365,
			  "解决时限（天）" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
sla_page(struct ctx *c, struct form *f, const char *error)
{
	struct ticket_sla	 s;
	struct ticket_month	*m;
	json_object		*v, *a, *o;
	int			 rc, i, n;

	if ((rc = ticket_sla_get(&c->d, &s)) != 0 ||
	    (rc = ticket_report_months(&c->d, 6, &m, &n)) != 0)
		return http_fail(c, rc, NULL);
	v = admin_view(c, "service");
	view_set_i64(v, "first_hours", s.first_hours);
	view_set_i64(v, "resolve_days", s.resolve_days);
	if (f != NULL) {
		view_set_str(v, "first_hours", req_param(c, "first_hours"));
		view_set_str(v, "resolve_days", req_param(c, "resolve_days"));
		if (f->errors != NULL)
			json_object_object_add(v, "errors",
			    json_object_get(f->errors));
	}
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_str(o, "month", m[i].month);
		view_set_i64(o, "opened", m[i].opened);
		if (m[i].median_first_minutes >= 0)
			view_set_i64(o, "median_first_minutes",
			    m[i].median_first_minutes);
		else
			view_set_str(o, "median_first_minutes", NULL);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "months", a);
	view_set_str(v, "error", error);
	view_set_str(v, "action", ctx_link(c, "/admin/service/settings"));
	view_set_str(v, "back", ctx_link(c, "/admin/service/tickets"));
	c->title = "售后服务时限";
	return render(c, "admin/service_settings");
}

static int
h_admin_sla(struct ctx *c)
{
	return sla_page(c, NULL, NULL);
}

static int
h_admin_sla_post(struct ctx *c)
{
	struct ticket_sla	s;
	struct form		f;
	int			rc;

	if (form_parse(c, sla_fields, &f) == -1) {
		if (c->json_out)
			return http_fail(c, ERR_INVALID, f.error);
		c->status = 400;
		return sla_page(c, &f, f.error);
	}
	s.first_hours = f.v[S_FIRST].i64;
	s.resolve_days = f.v[S_RESOLVE].i64;
	if ((rc = ticket_sla_set(&c->d, &s)) != 0)
		return http_fail(c, rc, c->d.error);
	view_new(c);
	view_set_i64(c->view, "first_hours", s.first_hours);
	view_set_i64(c->view, "resolve_days", s.resolve_days);
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/service/settings?notice=saved"));
}

/* -- a product's after-sales QR code ----------------------------------- */

/* The form's absolute URL for product id, as a phone's camera opens it. */
static const char *
service_url(struct ctx *c, int64_t id)
{
	const char	*port = req_header(c, "SERVER_PORT"), *p = "";

	if (port != NULL && *port != '\0' && strspn(port, "0123456789") ==
	    strlen(port) && strlen(port) <= 5 &&
	    strcmp(port, c->https ? "443" : "80") != 0)
		p = arena_printf(c->d.arena, ":%s", port);
	return arena_printf(c->d.arena, "%s://%s%s%s/service/new?product=%"
	    PRId64, c->https ? "https" : "http", c->host != NULL ? c->host :
	    "", p, c->base, id);
}

static int
product_id(struct ctx *c, int64_t *id)
{
	const char	*s = kv_get(&c->query, "product"), *why;

	if (s == NULL || parse_i64(s, 1, INT64_MAX, id, &why) == -1)
		return -1;
	return 0;
}

/* GET /admin/service/qr?product=ID: a printable label with the code. */
static int
h_admin_service_qr(struct ctx *c)
{
	json_object	*v;
	int64_t		 id;

	if (product_id(c, &id) == -1)
		return http_fail(c, ERR_INVALID, "请指定商品（?product=）");
	v = admin_view(c, "service");
	view_set_i64(v, "product_id", id);
	view_set_str(v, "url", service_url(c, id));
	view_set_str(v, "png_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/service/qr.png?product=%" PRId64, id)));
	c->title = "售后二维码";
	return render(c, "admin/service_qr");
}

static int
h_admin_service_qr_png(struct ctx *c)
{
	struct qr	 q;
	unsigned char	*png;
	size_t		 len;
	int64_t		 id;

	if (product_id(c, &id) == -1)
		return http_fail(c, ERR_INVALID, "请指定商品（?product=）");
	if (qr_encode(c->d.arena, service_url(c, id), &q) == -1 ||
	    qr_png(c->d.arena, &q, QR_SCALE, &png, &len) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	c->body.len = 0;
	buf_add(&c->body, png, len);
	c->ctype = "image/png";
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "inline; filename=\"service-%" PRId64 ".png\"", id));
	c->status = 200;
	return c->status;
}

#define T	"^/admin/service/tickets/([0-9]{1,18})"
#define S	ROUTE_STAFF
#define W	(ROUTE_STAFF | ROUTE_CSRF)

const struct route h_admin_service_routes[] = {
	{ "GET", "^(?:/api/v1)?/admin/service/tickets$", h_admin_tickets, S,
	  TICKET_ROLES },
	{ "GET", T "$", h_admin_ticket, S, TICKET_ROLES },
	{ "POST", T "/(assign|reply|ask_info|resolve|close|reopen)$",
	  h_admin_ticket_move, W, TICKET_ROLES },
	{ "POST", T "/refund$", h_admin_ticket_refund, W, TICKET_REFUND_ROLES },
	{ "POST", T "/replacement$", h_admin_ticket_replace,
	  W | ROUTE_OWNKEY, ORDER_ROLES_ON_BEHALF },
	{ "POST", T "/stock-return$", h_admin_ticket_stock, W,
	  "owner,admin,warehouse,service" },
	{ "GET", T "/photos/([0-9]{1,18})$", h_service_photo, S, TICKET_ROLES },
	{ "GET", "^/admin/service/settings$", h_admin_sla, S, "owner,admin" },
	{ "POST", "^/admin/service/settings$", h_admin_sla_post, W,
	  "owner,admin" },
	{ "GET", "^/admin/service/qr$", h_admin_service_qr, S,
	  ADMIN_ROLES_CATALOG },
	{ "GET", "^/admin/service/qr\\.png$", h_admin_service_qr_png, S,
	  ADMIN_ROLES_CATALOG },
	{ NULL, NULL, NULL, 0, NULL }
};
