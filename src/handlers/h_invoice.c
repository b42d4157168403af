/*
 * h_invoice.c -- invoice requests (开票申请) in H5 and JSON: the company
 * picks orders placed with a 普票 or 专票 and asks; it sees each request
 * and downloads the invoice once issued. The back office lists them by
 * state, marks one issued (number, date, PDF or photo) or rejects it.
 * domain/invoice_req*.c decides and keeps each to its own.
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/invoice_request.h"
#include "domain/order.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "handlers/h_money.h"

#define MINE	"/account/invoices"
#define STAFF	"/admin/finance/invoices"

enum { I_NO, I_DATE };
static const struct field issue_fields[] = {
	[I_NO] =	{ "invoice_no", FIELD_TEXT, FIELD_REQUIRED, 1,
			  INVREQ_NO_MAX, "发票号码" },
	[I_DATE] =	{ "issued_on", FIELD_TEXT, FIELD_REQUIRED, 10, 10,
			  "开票日期" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field reason_fields[] = {
	{ "reason", FIELD_TEXT, FIELD_REQUIRED, 1, INVREQ_TEXT_MAX, "驳回原因" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field new_fields[] = {
	{ "kind", FIELD_TEXT, FIELD_REQUIRED, 1, 10, "发票类型" },
	{ "remark", FIELD_TEXT, 0, 0, INVREQ_TEXT_MAX, "备注" },
	{ "statement_id", FIELD_ID, 0, 0, 0, "对账单" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const char *const notices[][2] = {
	{ "requested", "开票申请已提交" },
	{ "issued", "已标记为已开票，客户可以下载" },
	{ "rejected", "已驳回，订单可以重新申请" },
};

static const char *
kind_label(const char *k)
{
	return k != NULL && strcmp(k, "special") == 0 ? "专票" : "普票";
}

static json_object *
order_view(struct ctx *c, const struct invreq_order *o)
{
	json_object	*x = json_object_new_object();

	view_set_i64(x, "id", o->id);
	view_set_str(x, "order_no", o->order_no);
	view_set_str(x, "kind", o->kind);
	view_set_str(x, "kind_label", kind_label(o->kind));
	view_set_str(x, "placed", o->placed);
	view_set_money(c, x, "subtotal", o->subtotal_fen);
	view_set_money(c, x, "tax", o->tax_fen);
	view_set_money(c, x, "total", o->total_fen);
	view_set_str(x, "invoice_state", o->invoice_state);
	return x;
}

static json_object *
req_view(struct ctx *c, const struct invreq *q, const char *base)
{
	json_object	*o = json_object_new_object(), *a;
	int		 i;

	view_set_i64(o, "id", q->id);
	view_set_str(o, "customer", q->customer);
	view_set_i64(o, "customer_id", q->customer_id);
	view_set_str(o, "kind", q->kind);
	view_set_str(o, "kind_label", kind_label(q->kind));
	view_set_str(o, "invoice_title", q->title);
	view_set_str(o, "tax_id", q->tax_id);
	view_set_str(o, "bank_name", q->bank_name);
	view_set_str(o, "bank_account", q->bank_account);
	view_set_str(o, "address", q->address);
	view_set_str(o, "phone", q->phone);
	view_set_i64(o, "orders", q->norders);
	view_set_money(c, o, "subtotal", q->subtotal_fen);
	view_set_money(c, o, "tax", q->tax_fen);
	view_set_money(c, o, "total", q->total_fen);
	view_set_str(o, "remark", q->remark && *q->remark ? q->remark : NULL);
	view_set_str(o, "state", invreq_state_name(q->state));
	view_set_str(o, "state_label", invreq_state_label(q->state));
	view_set_bool(o, "is_requested", q->state == IR_REQUESTED);
	view_set_bool(o, "is_issued", q->state == IR_ISSUED);
	view_set_str(o, "invoice_no", q->invoice_no && *q->invoice_no ?
	    q->invoice_no : NULL);
	view_set_str(o, "issued_on", q->issued_on);
	view_set_str(o, "reason", q->reason && *q->reason ? q->reason : NULL);
	view_set_str(o, "by", q->by);
	view_set_str(o, "decided_by", q->decided_by);
	view_set_str(o, "created", q->created);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/%" PRId64, base, q->id)));
	if (q->file_type != NULL)
		view_set_str(o, "file_url", ctx_link(c, arena_printf(c->d.arena,
		    "%s/%" PRId64 "/file", base, q->id)));
	if (q->orders != NULL) {
		a = json_object_new_array();
		for (i = 0; i < q->n; i++)
			json_object_array_add(a, order_view(c, &q->orders[i]));
		json_object_object_add(o, "order_list", a);
	}
	return o;
}

static int
list_page(struct ctx *c, int staff)
{
	struct invreq_page	 p;
	const char		*base = staff ? STAFF : MINE;
	json_object		*v, *a;
	int			 i, rc, st = invreq_state_parse(kv_get(&c->query,
				    "state"));

	if ((rc = invreq_list(&c->d, st, (int)query_page(c), &p)) != 0)
		return http_fail(c, rc, c->d.error);
	v = staff ? admin_view(c, "finance") : view_new(c);
	a = json_object_new_array();
	for (i = 0; i < p.n; i++)
		json_object_array_add(a, req_view(c, &p.rows[i], base));
	json_object_object_add(v, "requests", a);
	view_set_bool(v, "empty", p.total == 0);
	view_set_i64(v, "requested", p.requested);
	view_set_str(v, "state", st >= 0 ? invreq_state_name(st) : "");
	view_set_bool(v, "on_all", st < 0);
	view_set_bool(v, "on_requested", st == IR_REQUESTED);
	view_set_bool(v, "on_issued", st == IR_ISSUED);
	view_set_bool(v, "on_rejected", st == IR_REJECTED);
	view_set_str(v, "list_url", ctx_link(c, base));
	view_set_str(v, "new_url", ctx_link(c, MINE "/new"));
	view_pager(c, v, p.total, INVREQ_PER_PAGE, st >= 0 ? arena_printf(
	    c->d.arena, "%s?state=%s", base, invreq_state_name(st)) : base);
	if (staff)
		h_money_finance_tabs(c, v, "invoices");
	c->title = "开票申请";
	return render(c, staff ? "admin/invoices" : "invoices");
}

static int
h_invoices(struct ctx *c)
{
	return list_page(c, 0);
}

static int
h_admin_invoices(struct ctx *c)
{
	return list_page(c, 1);
}

static int
one_page(struct ctx *c, int64_t id, int staff, int status, const char *error,
    const struct form *f)
{
	struct invreq	 q;
	json_object	*v;
	const char	*base = staff ? STAFF : MINE;
	char		 today[11];
	int		 rc;

	if ((rc = invreq_get(&c->d, id, &q)) != 0)
		return http_fail(c, rc, c->d.error);
	order_cn_day(time(NULL), 0, today, sizeof(today), "%Y-%m-%d");
	v = staff ? admin_view(c, "finance") : view_new(c);
	json_object_object_add(v, "request", req_view(c, &q, base));
	view_set_bool(v, "may_decide", staff && q.state == IR_REQUESTED &&
	    session_staff_role(&c->d.sess, INVREQ_STAFF_ROLES));
	view_set_str(v, "issue_action", ctx_link(c, arena_printf(c->d.arena,
	    STAFF "/%" PRId64 "/issue", id)));
	view_set_str(v, "reject_action", ctx_link(c, arena_printf(c->d.arena,
	    STAFF "/%" PRId64 "/reject", id)));
	view_set_str(v, "list_url", ctx_link(c, base));
	view_set_str(v, "today", today);
	view_set_str(v, "invoice_no", req_param(c, "invoice_no"));
	view_set_str(v, "issued_on", req_param(c, "issued_on") ?
	    req_param(c, "issued_on") : today);
	view_set_str(v, "reason", req_param(c, "reason"));
	view_set_i64(v, "file_max_mb", INVREQ_FILE_MAX / 1048576);
	view_set_str(v, "flash", REQ_NOTICE(c, notices));
	view_set_str(v, "error", error);
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	if (status != 0)
		c->status = status;
	c->title = "开票申请";
	return render(c, staff ? "admin/invoice" : "invoice");
}

static int
h_invoice(struct ctx *c)
{
	return one_page(c, route_cap(c, 0), 0, 0, NULL, NULL);
}

static int
h_admin_invoice(struct ctx *c)
{
	return one_page(c, route_cap(c, 0), 1, 0, NULL, NULL);
}

static int
new_page(struct ctx *c, int status, const char *error)
{
	struct invreq_order	*v;
	json_object		*view, *a, *o;
	int64_t			*ids, *sids, sid;
	const char		*sq, *kind, *period, *why;
	int			 i, j, n, rc, nids, ns;

	if ((rc = invreq_orders(&c->d, &v, &n)) != 0)
		return http_fail(c, rc, c->d.error);
	nids = h_money_ids(c, "order_id", &ids, INVREQ_ORDERS_MAX);
	if (nids == 0 && kv_get(&c->query, "order_id") != NULL) {
		ids[0] = strtoll(kv_get(&c->query, "order_id"), NULL, 10);
		nids = 1;
	}
	view = view_new(c);
	/* From a statement: its month's orders ticked, its kind chosen. */
	sq = req_param(c, "statement_id");
	if (sq == NULL)
		sq = kv_get(&c->query, "statement");
	if (sq != NULL && parse_i64(sq, 1, INT64_MAX, &sid, &why) == 0) {
		if ((rc = invreq_statement_orders(&c->d, sid, &sids, &ns,
		    &kind, &period)) != 0)
			return http_fail(c, rc, c->d.error);
		if (nids == 0) {
			ids = sids;
			nids = ns;
		}
		view_set_i64(view, "statement_id", sid);
		view_set_str(view, "statement_period", period);
		view_set_bool(view, "statement_empty", ns == 0);
		view_set_bool(view, "kind_special", strcmp(kind, "special") ==
		    0);
	}
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = order_view(c, &v[i]);
		for (j = 0; j < nids && j < INVREQ_ORDERS_MAX; j++)
			if (ids[j] == v[i].id)
				view_set_bool(o, "checked", 1);
		json_object_array_add(a, o);
	}
	json_object_object_add(view, "orders", a);
	view_set_bool(view, "no_orders", n == 0);
	view_set_str(view, "action", ctx_link(c, MINE));
	view_set_str(view, "remark", req_param(c, "remark"));
	view_set_str(view, "error", error);
	if (status != 0)
		c->status = status;
	c->title = "申请开票";
	return render(c, "invoice_new");
}

static int
h_invoice_new(struct ctx *c)
{
	return new_page(c, 0, NULL);
}

static int
h_invoice_post(struct ctx *c)
{
	struct form	 f;
	int64_t		*ids, id;
	int		 n, rc;

	form_parse(c, new_fields, &f);
	n = h_money_ids(c, "order_id", &ids, INVREQ_ORDERS_MAX);
	if (f.error != NULL)
		rc = ERR_INVALID;
	else if ((rc = invreq_create(&c->d, f.v[0].s, ids, n, f.v[1].s,
	    f.v[2].present ? f.v[2].i64 : 0, &id)) == 0) {
		if (c->json_out) {
			json_object *v = view_new(c);

			view_set_i64(v, "id", id);
			view_set_str(v, "url", ctx_link(c, arena_printf(
			    c->d.arena, MINE "/%" PRId64, id)));
			return render_json_ok(c, 201);
		}
		return http_see_other(c, "%s", ctx_link(c, arena_printf(
		    c->d.arena, MINE "/%" PRId64 "?done=requested", id)));
	}
	if (c->json_out || rc == ERR_NOT_FOUND || rc == ERR_INTERNAL ||
	    rc == ERR_FORBIDDEN)
		return http_fail(c, rc, f.error ? f.error : c->d.error);
	return new_page(c, err_status(rc), f.error ? f.error : c->d.error);
}

/* GET …/{id}/file: the issued invoice, to its readers. */
static int
h_invoice_file(struct ctx *c)
{
	int64_t		 id = route_cap(c, 0);
	const char	*type;
	int		 rc, pdf;

	c->body.len = 0;
	if ((rc = invreq_file(&c->d, id, &c->body, &type)) != 0 ||
	    type == NULL) {
		c->body.len = 0;
		return http_fail(c, rc != 0 ? rc : ERR_NOT_FOUND, c->d.error);
	}
	pdf = strcmp(type, "pdf") == 0;
	c->status = 200;
	c->ctype = pdf ? "application/pdf" : arena_printf(c->d.arena,
	    "image/%s", type);
	http_header(c, "Cache-Control", "private, no-store");
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "%s; filename=\"invoice-%" PRId64 ".%s\"", pdf ? "attachment" :
	    "inline", id, strcmp(type, "jpeg") == 0 ? "jpg" : type));
	return c->status;
}

static int
refused(struct ctx *c, int64_t id, int rc, const struct form *f)
{
	const char	*msg = f != NULL && f->error ? f->error : c->d.error;

	if (c->json_out || rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
		return http_fail(c, rc, msg);
	return one_page(c, id, 1, err_status(rc), msg, f);
}

static int
h_invoice_issue(struct ctx *c)
{
	const struct upload	*u = admin_upload(c, "file");
	struct invreq_issue	 in;
	struct form		 f;
	int64_t			 id = route_cap(c, 0);
	int			 rc;

	form_parse(c, issue_fields, &f);
	if (f.error != NULL)
		return refused(c, id, ERR_INVALID, &f);
	memset(&in, 0, sizeof(in));
	in.invoice_no = f.v[I_NO].s;
	in.issued_on = f.v[I_DATE].s;
	if (u != NULL && u->len > 0) {
		in.file = u->data;
		in.file_len = u->len;
	}
	if ((rc = invreq_issue(&c->d, id, &in)) != 0)
		return refused(c, id, rc, NULL);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    STAFF "/%" PRId64 "?done=issued", id)));
}

static int
h_invoice_reject(struct ctx *c)
{
	struct form	f;
	int64_t		id = route_cap(c, 0);
	int		rc;

	form_parse(c, reason_fields, &f);
	if (f.error != NULL)
		return refused(c, id, ERR_INVALID, &f);
	if ((rc = invreq_reject(&c->d, id, f.v[0].s)) != 0)
		return refused(c, id, rc, NULL);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    STAFF "/%" PRId64 "?done=rejected", id)));
}

#define API	"^(?:/api/v1)?"
#define ONE	API MINE "/([0-9]{1,18})"
#define SONE	"^" STAFF "/([0-9]{1,18})"
#define SW	(ROUTE_STAFF | ROUTE_CSRF)
const struct route h_invoice_routes[] = {
	{ "GET", API MINE "$", h_invoices, ROUTE_CUSTOMER, NULL },
	{ "GET", API MINE "/new$", h_invoice_new, ROUTE_CUSTOMER, NULL },
	{ "POST", API MINE "$", h_invoice_post, ROUTE_CUSTOMER | ROUTE_CSRF,
	  NULL },
	{ "GET", ONE "$", h_invoice, ROUTE_CUSTOMER, NULL },
	{ "GET", ONE "/file$", h_invoice_file, ROUTE_CUSTOMER, NULL },
	{ "GET", "^" STAFF "$", h_admin_invoices, ROUTE_STAFF,
	  ADMIN_ROLES_FINANCE },
	{ "GET", SONE "$", h_admin_invoice, ROUTE_STAFF, ADMIN_ROLES_FINANCE },
	{ "GET", SONE "/file$", h_invoice_file, ROUTE_STAFF,
	  ADMIN_ROLES_FINANCE },
	{ "POST", SONE "/issue$", h_invoice_issue, SW, INVREQ_STAFF_ROLES },
	{ "POST", SONE "/reject$", h_invoice_reject, SW, INVREQ_STAFF_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
