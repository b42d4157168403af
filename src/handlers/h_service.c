/*
 * h_service.c -- 售后 for customers and guests: the form that opens a
 * ticket (from an order, an order line, or a product's QR code; a guest
 * gives a phone), the company's tickets under 我的 › 售后 with their
 * timelines, replies with photos, and the photos read out. H5 and
 * /api/v1 from the same handlers. The back office's side is
 * h_admin_service.c; the two share the views here (h_service.h).
 */
#include "base/base.h"
#include "domain/image.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/ticket.h"
#include "handlers/h_service.h"

#define PER_PAGE	20

/* The timeline's kinds as a reader sees them. */
static const char *const event_labels[][2] = {
	{ "opened", "提交工单" }, { "message", "留言" },
	{ "assign", "分配" }, { "ask_info", "请补充信息" },
	{ "resolve", "已解决" }, { "close", "已关闭" },
	{ "reopen", "重新打开" }, { "refund", "退款" },
	{ "replacement", "补发" }, { "stock_return", "退货入库" },
	{ "overdue", "超时提醒" }, { "linked", "关联账号" },
};

static const char *
event_label(const char *kind)
{
	size_t	i;

	for (i = 0; i < sizeof(event_labels) / sizeof(event_labels[0]); i++)
		if (strcmp(event_labels[i][0], kind) == 0)
			return event_labels[i][1];
	return kind;
}

static const char *
state_badge(enum ticket_state s)
{
	return s == TS_OPEN ? "warn" : s == TS_WAITING ? "warn" :
	    s == TS_RESOLVED ? "on" : "";
}

/* The kinds as radio buttons or a filter, chosen one marked. */
json_object *
h_service_kinds_view(int chosen)
{
	json_object	*a = json_object_new_array(), *o;
	int		 k;

	for (k = 0; k < TK_NKINDS; k++) {
		o = json_object_new_object();
		view_set_str(o, "value", ticket_kind_name(k));
		view_set_str(o, "label", ticket_kind_label(k));
		view_set_bool(o, "checked", k == chosen);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *
timeline_view(struct ctx *c, const struct ticket *t, int staff)
{
	const struct ticket_event	*e;
	json_object			*a = json_object_new_array(), *o, *ph, *p;
	const char			*pre = staff ? "/admin/service/tickets" :
					    "/account/service";
	int				 i, j;

	for (i = 0; i < t->nevents; i++) {
		e = &t->events[i];
		o = json_object_new_object();
		view_set_i64(o, "id", e->id);
		view_set_str(o, "kind", e->kind);
		view_set_str(o, "label", event_label(e->kind));
		view_set_str(o, "from", e->from);
		view_set_str(o, "to", e->to);
		view_set_bool(o, "by_staff", e->by_staff);
		view_set_bool(o, "by_customer", e->by_customer || (!e->by_staff &&
		    strcmp(e->kind, "opened") == 0));
		view_set_str(o, "who", e->by_staff ? (staff ? e->who : "商家") :
		    e->who ? e->who : strcmp(e->source, "system") == 0 ?
		    "系统" : "客户");
		view_set_str(o, "source", e->source);
		view_set_bool(o, "via_kf", strcmp(e->source, "kf") == 0);
		view_set_str(o, "body", e->body);
		view_set_bool(o, "internal", e->internal);
		view_set_str(o, "time", e->time);
		if (e->from != NULL && e->to != NULL && strcmp(e->from,
		    e->to) != 0) {
			enum ticket_state s;

			if (ticket_state_parse(e->to, &s) == 0)
				view_set_str(o, "to_label", ticket_state_label(s));
		}
		ph = json_object_new_array();
		for (j = 0; j < e->nphotos; j++) {
			p = json_object_new_object();
			view_set_str(p, "url", ctx_link(c, arena_printf(c->d.arena,
			    "%s/%" PRId64 "/photos/%" PRId64, pre, t->id,
			    e->photos[j].id)));
			view_set_str(p, "thumb", ctx_link(c, arena_printf(
			    c->d.arena, "%s/%" PRId64 "/photos/%" PRId64
			    "?thumb=1", pre, t->id, e->photos[j].id)));
			json_object_array_add(ph, p);
		}
		json_object_object_add(o, "photos", ph);
		view_set_bool(o, "has_photos", e->nphotos > 0);
		json_object_array_add(a, o);
	}
	return a;
}

/* A ticket as a list row or, with its timeline, the ticket's page. */
json_object *
h_service_ticket_view(struct ctx *c, const struct ticket *t, int staff)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "id", t->id);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena, "%s/%"
	    PRId64, staff ? "/admin/service/tickets" : "/account/service",
	    t->id)));
	view_set_str(o, "kind", ticket_kind_name(t->kind));
	view_set_str(o, "kind_label", ticket_kind_label(t->kind));
	view_set_str(o, "state", ticket_state_name(t->state));
	view_set_str(o, "state_label", ticket_state_label(t->state));
	view_set_str(o, "badge", state_badge(t->state));
	view_set_str(o, "source", t->source);
	view_set_str(o, "subject", t->subject);
	view_set_str(o, "time", t->created);
	view_set_str(o, "updated", t->updated);
	view_set_bool(o, "is_closed", t->state == TS_CLOSED);
	view_set_bool(o, "waiting_customer", t->state == TS_WAITING);
	if (t->order_id != 0) {
		view_set_i64(o, "order_id", t->order_id);
		view_set_str(o, "order_no", t->order_no);
		view_set_str(o, "order_url", ctx_link(c, arena_printf(c->d.arena,
		    "%s/%" PRId64, staff ? "/admin/orders" : "/orders",
		    t->order_id)));
	}
	if (t->order_line_id != 0) {
		view_set_i64(o, "order_line_id", t->order_line_id);
		view_set_str(o, "line_name", t->line_name);
		view_set_i64(o, "line_qty", t->line_qty);
	}
	if (t->product_id != 0) {
		view_set_i64(o, "product_id", t->product_id);
		view_set_str(o, "product_name", t->product_name);
	}
	view_set_str(o, "resolution", t->resolution != TR_NONE ?
	    ticket_resolution_name(t->resolution) : NULL);
	view_set_str(o, "resolution_label", t->resolution != TR_NONE ?
	    ticket_resolution_label(t->resolution) : NULL);
	if (t->refund_fen > 0)
		view_set_money(c, o, "refund", t->refund_fen);
	if (t->replacement_order_id != 0) {
		view_set_i64(o, "replacement_order_id", t->replacement_order_id);
		view_set_str(o, "replacement_no", t->replacement_no);
		view_set_str(o, "replacement_url", ctx_link(c, arena_printf(
		    c->d.arena, "%s/%" PRId64, staff ? "/admin/orders" :
		    "/orders", t->replacement_order_id)));
	}
	if (staff) {
		view_set_i64(o, "customer_id", t->customer_id);
		view_set_str(o, "customer", t->customer);
		view_set_str(o, "user_name", t->user_name);
		view_set_str(o, "guest_phone", t->guest_phone);
		view_set_str(o, "guest_name", t->guest_name);
		view_set_bool(o, "guest", t->customer_id == 0);
		view_set_i64(o, "staff_id", t->staff_id);
		view_set_str(o, "assignee", t->staff_name);
		view_set_i64(o, "age_hours", t->age_hours);
		view_set_bool(o, "first_overdue", t->first_overdue);
		view_set_bool(o, "resolve_overdue", t->resolve_overdue);
		view_set_bool(o, "overdue", t->first_overdue ||
		    t->resolve_overdue);
		view_set_str(o, "first_due", t->first_due);
		view_set_str(o, "resolve_due", t->resolve_due);
		view_set_bool(o, "stock_returned", t->stock_returned);
	}
	if (t->events != NULL)
		json_object_object_add(o, "timeline", timeline_view(c, t, staff));
	return o;
}

/* The multipart form's photos (field "photos", repeated; "photo" too). */
int
h_service_photos(struct ctx *c, struct ticket_upload **out)
{
	int	i, n = 0;

	*out = arena_calloc(c->d.arena, (size_t)c->nuploads + 1,
	    sizeof(**out));
	for (i = 0; i < c->nuploads; i++) {
		if ((strcmp(c->uploads[i].field, "photos") != 0 &&
		    strcmp(c->uploads[i].field, "photo") != 0) ||
		    c->uploads[i].len == 0)
			continue;
		(*out)[n].data = c->uploads[i].data;
		(*out)[n++].len = c->uploads[i].len;
	}
	return n;
}

static const char *const field_names[][2] = {
	[TF_NONE] = { NULL, NULL }, [TF_KIND] = { "kind", "问题类型" },
	[TF_BODY] = { "body", "问题描述" }, [TF_ORDER] = { "order_id", "订单" },
	[TF_LINE] = { "order_line_id", "订单商品" },
	[TF_PRODUCT] = { "product_id", "商品" },
	[TF_PHONE] = { "phone", "手机号" }, [TF_PHOTOS] = { "photos", "照片" },
	[TF_STAFF] = { "staff_id", "负责人" },
	[TF_RESOLUTION] = { "resolution", "处理结果" },
	[TF_AMOUNT] = { "amount", "金额" }, [TF_QTY] = { "qty", "数量" },
};

/* The domain's refusal into the form: the field it names, else why. */
int
h_service_refused(struct ctx *c, int rc, enum ticket_field bad,
    struct form *f)
{
	if ((unsigned)bad < sizeof(field_names) / sizeof(field_names[0]) &&
	    field_names[bad][0] != NULL)
		form_error(c, f, field_names[bad][0], field_names[bad][1],
		    c->d.error ? c->d.error : err_message(rc));
	else if (f->error == NULL)
		f->error = c->d.error;
	return rc;
}

/* -- opening a ticket --------------------------------------------------- */

enum { F_KIND, F_BODY, F_ORDER, F_LINE, F_PRODUCT, F_PHONE, F_NAME };
static const struct field new_fields[] = {
	[F_KIND] =	{ "kind", FIELD_TEXT, FIELD_REQUIRED, 1, 40, "问题类型" },
	[F_BODY] =	{ "body", FIELD_TEXT, 0, 0, TICKET_TEXT_MAX,
			  "问题描述" },
	[F_ORDER] =	{ "order_id", FIELD_ID, 0, 0, 0, "订单" },
	[F_LINE] =	{ "order_line_id", FIELD_ID, 0, 0, 0, "订单商品" },
	[F_PRODUCT] =	{ "product_id", FIELD_ID, 0, 0, 0, "商品" },
	[F_PHONE] =	{ "phone", FIELD_PHONE, 0, 0, 0, "手机号" },
	[F_NAME] =	{ "name", FIELD_TEXT, 0, 0, 60, "称呼" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* The form, empty or as typed (after a refusal, f and error). */
static int
new_page(struct ctx *c, struct form *f, const char *error)
{
	json_object	*v = view_new(c);
	enum ticket_kind k;
	const char	*s;
	size_t		 i;

	for (i = 0; new_fields[i].name != NULL; i++)
		view_set_str(v, new_fields[i].name, req_param(c,
		    new_fields[i].name) ? req_param(c, new_fields[i].name) :
		    kv_get(&c->query, new_fields[i].name));
	/* ?order=, ?line=, ?product= from the order page and the QR. */
	if ((s = kv_get(&c->query, "order")) != NULL)
		view_set_str(v, "order_id", s);
	if ((s = kv_get(&c->query, "line")) != NULL)
		view_set_str(v, "order_line_id", s);
	if ((s = kv_get(&c->query, "product")) != NULL)
		view_set_str(v, "product_id", s);
	if ((s = kv_get(&c->query, "kind")) != NULL && req_param(c,
	    "kind") == NULL)
		view_set_str(v, "kind", s);
	if (ticket_kind_parse(view_get_str(v, "kind"), &k) == -1)
		k = TK_NKINDS;
	json_object_object_add(v, "kinds", h_service_kinds_view((int)k));
	view_set_bool(v, "guest", c->d.sess.kind != SESS_CUSTOMER);
	view_set_str(v, "action", ctx_link(c, "/service/tickets"));
	view_set_i64(v, "photos_max", TICKET_PHOTOS_MAX);
	view_set_i64(v, "text_max", TICKET_TEXT_MAX);
	view_set_str(v, "error", error);
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	view_set_str(v, "login_url", ctx_link(c, "/login?next=/account/service"));
	c->title = "申请售后";
	return render(c, "service_new");
}

static int
h_service_new(struct ctx *c)
{
	if (c->d.sess.kind == SESS_STAFF)
		return http_fail(c, ERR_FORBIDDEN, "员工请在后台为客户建工单");
	return new_page(c, NULL, NULL);
}

static int
create_fail(struct ctx *c, struct form *f, int rc)
{
	if (c->json_out || rc == ERR_INTERNAL)
		return http_fail(c, rc, f->error ? f->error : c->d.error);
	c->status = err_status(rc);
	return new_page(c, f, f->error ? f->error : c->d.error);
}

static int
h_service_create(struct ctx *c)
{
	struct ticket_upload	*ph;
	struct ticket_new	 in;
	enum ticket_field	 bad = TF_NONE;
	struct form		 f;
	json_object		*v;
	int64_t			 id;
	int			 rc;

	if (c->d.sess.kind == SESS_STAFF)
		return http_fail(c, ERR_FORBIDDEN, "员工请在后台为客户建工单");
	if (c->d.sess.kind != SESS_NONE && !c->d.sess.bearer &&
	    csrf_check(c) != 0)
		return http_fail(c, ERR_CSRF, "页面已过期，请刷新后重试");
	if (form_parse(c, new_fields, &f) == -1) {
		c->d.code = "invalid";
		return create_fail(c, &f, ERR_INVALID);
	}
	memset(&in, 0, sizeof(in));
	in.nphotos = h_service_photos(c, &ph);
	in.photos = ph;
	in.body = f.v[F_BODY].s;
	in.order_id = f.v[F_ORDER].present ? f.v[F_ORDER].i64 : 0;
	in.order_line_id = f.v[F_LINE].present ? f.v[F_LINE].i64 : 0;
	in.product_id = f.v[F_PRODUCT].present ? f.v[F_PRODUCT].i64 : 0;
	in.guest_phone = f.v[F_PHONE].s;
	in.guest_name = f.v[F_NAME].s;
	in.source = c->d.sess.kind == SESS_NONE ? TSRC_GUEST :
	    in.product_id != 0 && in.order_id == 0 ? TSRC_QR :
	    c->json_out ? TSRC_API : TSRC_H5;
	if (ticket_kind_parse(f.v[F_KIND].s, &in.kind) == -1)
		in.kind = TK_NKINDS;	/* the domain names it */
	if ((rc = ticket_open(&c->d, &in, &id, &bad)) != 0) {
		h_service_refused(c, rc, bad, &f);
		return create_fail(c, &f, rc);
	}
	v = view_new(c);
	view_set_i64(v, "id", id);
	view_set_str(v, "state", "open");
	if (c->d.sess.kind == SESS_CUSTOMER) {
		view_set_str(v, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/account/service/%" PRId64, id)));
		if (c->json_out)
			return render_json_ok(c, 201);
		return http_see_other(c, "%s", ctx_link(c, arena_printf(
		    c->d.arena, "/account/service/%" PRId64 "?done=opened", id)));
	}
	if (c->json_out)
		return render_json_ok(c, 201);
	view_set_str(v, "phone", in.guest_phone);
	view_set_str(v, "login_url", ctx_link(c, "/login"));
	c->title = "售后已提交";
	c->status = 201;
	return render(c, "service_done");
}

/* -- the company's tickets ---------------------------------------------- */

static int
h_account_service(struct ctx *c)
{
	struct ticket_list	 l;
	json_object		*v, *rows;
	int			 i, rc;

	if ((rc = ticket_mine(&c->d, query_page(c), PER_PAGE, &l)) != 0)
		return http_fail(c, rc, NULL);
	v = view_new(c);
	view_pager(c, v, l.total, PER_PAGE, "/account/service");
	rows = json_object_new_array();
	for (i = 0; i < l.n; i++)
		json_object_array_add(rows, h_service_ticket_view(c,
		    &l.rows[i], 0));
	json_object_object_add(v, "tickets", rows);
	view_set_bool(v, "empty", l.n == 0);
	view_set_str(v, "new_url", ctx_link(c, "/service/new"));
	c->title = "售后";
	return render(c, "service_tickets");
}

static int
ticket_page(struct ctx *c, int64_t id, struct form *f, const char *error)
{
	struct ticket	 t;
	json_object	*v;
	const char	*done = kv_get(&c->query, "done");
	int		 rc;

	if ((rc = ticket_get(&c->d, id, &t)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	json_object_object_add(v, "ticket", h_service_ticket_view(c, &t, 0));
	view_set_bool(v, "can_reply", t.state != TS_CLOSED);
	view_set_str(v, "reply_action", ctx_link(c, arena_printf(c->d.arena,
	    "/account/service/%" PRId64 "/reply", id)));
	view_set_str(v, "reply_body", f != NULL ? req_param(c, "body") : NULL);
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	view_set_str(v, "error", error);
	view_set_i64(v, "photos_max", TICKET_PHOTOS_MAX);
	if (done != NULL && strcmp(done, "opened") == 0)
		view_set_str(v, "flash", "已提交，我们会尽快处理");
	else if (done != NULL && strcmp(done, "replied") == 0)
		view_set_str(v, "flash", "已发送");
	c->title = arena_printf(c->d.arena, "售后工单 #%" PRId64, id);
	return render(c, "service_ticket");
}

static int
h_account_ticket(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "工单不存在");
	return ticket_page(c, id, NULL, NULL);
}

enum { R_BODY };
static const struct field reply_fields[] = {
	[R_BODY] =	{ "body", FIELD_TEXT, 0, 0, TICKET_TEXT_MAX,
			  "回复内容" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_account_ticket_reply(struct ctx *c)
{
	struct ticket_upload	*ph;
	enum ticket_field	 bad = TF_NONE;
	struct form		 f;
	int64_t			 id = route_cap(c, 0), ev;
	int			 rc, n;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "工单不存在");
	if (form_parse(c, reply_fields, &f) == -1)
		rc = ERR_INVALID;
	else {
		n = h_service_photos(c, &ph);
		rc = ticket_reply(&c->d, id, f.v[R_BODY].s, ph, n, &ev, &bad);
	}
	if (rc != 0) {
		h_service_refused(c, rc, bad, &f);
		if (c->json_out || rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
			return http_fail(c, rc, f.error ? f.error : c->d.error);
		c->status = err_status(rc);
		return ticket_page(c, id, &f, f.error ? f.error : c->d.error);
	}
	view_new(c);
	view_set_i64(c->view, "event_id", ev);
	view_set_str(c->view, "state", "open");
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/account/service/%" PRId64 "?done=replied#timeline", id)));
}

/* GET …/{id}/photos/{pid}[?thumb=1], customers' and staff's alike. */
int
h_service_photo(struct ctx *c)
{
	const char	*q = kv_get(&c->query, "thumb"), *type;
	int		 thumb = q != NULL && strcmp(q, "1") == 0, rc;

	c->body.len = 0;
	if ((rc = ticket_photo_read(&c->d, route_cap(c, 0), route_cap(c, 1),
	    thumb, &c->body)) != 0 ||
	    (type = image_type(c->body.p, c->body.len)) == NULL) {
		c->body.len = 0;
		return http_fail(c, rc != 0 ? rc : ERR_NOT_FOUND, "没有这张照片");
	}
	c->status = 200;
	c->ctype = arena_printf(c->d.arena, "image/%s", type);
	http_header(c, "Cache-Control", "private, no-store");
	return c->status;
}

#define API	"^(?:/api/v1)?"
#define C	ROUTE_CUSTOMER

const struct route h_service_routes[] = {
	{ "GET", API "/service/new$", h_service_new, 0, NULL },
	{ "POST", "^/service/tickets$", h_service_create, ROUTE_CSRF, NULL },
	{ "POST", "^/api/v1/service/tickets$", h_service_create, ROUTE_BODY,
	  NULL },
	{ "GET", API "/account/service$", h_account_service, C, NULL },
	{ "GET", API "/account/service/([0-9]{1,18})$", h_account_ticket, C,
	  NULL },
	{ "POST", API "/account/service/([0-9]{1,18})/reply$",
	  h_account_ticket_reply, C | ROUTE_CSRF, NULL },
	{ "GET", "^/account/service/([0-9]{1,18})/photos/([0-9]{1,18})$",
	  h_service_photo, C, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
