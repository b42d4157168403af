/*
 * h_admin_order_new.c -- 代客下单 in the back office: staff place an
 * order for a customer company, the salesperson on the phone with a
 * dealer or the owner typing in a WeChat chat's order. GET
 * /admin/orders/new picks the company (a search of those in the staff
 * member's scope); with ?customer_id= it is the form: lines of "code
 * quantity" as quick order reads them (one a line, or two columns pasted
 * from Excel), and the company's addresses, invoice, payment terms,
 * delivery date, remark and PO number. 预览 (POST /admin/orders/new/
 * preview) shows every line priced for the company (the unit price and
 * where it comes from, stock, what is wrong), the sums with tax and the
 * credit left; 提交订单 (POST /admin/orders/new, its hidden idempotency
 * key kept on the order row) places it through order_submit and goes to
 * the order. The lines typed stay after any refusal. Every page answers
 * JSON too (Accept: application/json); a JSON client may send "lines":
 * [{"code" or "sku_id", "qty"}] instead of the text. The domain decides
 * (order_submit.c, quick_order.c); here are the form and its views.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/address.h"
#include "domain/customer.h"
#include "domain/idempotency.h"
#include "domain/order.h"
#include "domain/quick_order.h"
#include "handlers/h_order.h"
#include "handlers/h_quick.h"

#define PICK_PER_PAGE	20
#define REFUSED_SHOWN	10	/* bad lines a refusal names */

enum { F_CUSTOMER, F_ADDRESS, F_INVOICE, F_TERMS, F_DATE, F_REMARK, F_PO };
static const struct field fields[] = {
	[F_CUSTOMER] =	{ "customer_id", FIELD_ID, FIELD_REQUIRED, 0, 0,
			  "客户" },
	[F_ADDRESS] =	{ "address_id", FIELD_ID, 0, 0, 0, "收货地址" },
	[F_INVOICE] =	{ "invoice", FIELD_TEXT, 0, 0, 10, "发票" },
	[F_TERMS] =	{ "terms", FIELD_TEXT, 0, 0, 10, "结算方式" },
	[F_DATE] =	{ "delivery_date", FIELD_TEXT, 0, 0, 10,
			  "期望到货日期" },
	[F_REMARK] =	{ "remark", FIELD_TEXT, 0, 0, ORDER_REMARK_MAX,
			  "备注" },
	[F_PO] =	{ "po_no", FIELD_TEXT, 0, 0, ORDER_PO_MAX,
			  "采购单号" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* One request of the form, as sent and as read. */
struct onb {
	struct form		 f;
	struct checkout		 in;		/* lines: those found, below */
	const char		*text;		/* the lines as typed */
	struct quick_order	 q;
	int			 has_lines;	/* q read and looked up */
};

/* The company and the choices; -1 with r->f.error when one is bad. */
static int
onb_read(struct ctx *c, struct onb *r)
{
	struct form	*f = &r->f;
	int		 bad = form_parse(c, fields, f) == -1;

	memset(&r->in, 0, sizeof(r->in));
	memset(&r->q, 0, sizeof(r->q));
	r->has_lines = 0;
	r->text = req_param(c, "text");
	r->in.customer_id = f->v[F_CUSTOMER].present ? f->v[F_CUSTOMER].i64 :
	    0;
	r->in.address_id = f->v[F_ADDRESS].present ? f->v[F_ADDRESS].i64 : 0;
	if (f->v[F_INVOICE].present && invoice_kind_parse(f->v[F_INVOICE].s,
	    &r->in.invoice) == -1) {
		form_error(c, f, "invoice", "发票", "应为 none、normal 或 special");
		bad = 1;
	}
	r->in.terms_given = f->v[F_TERMS].present;
	if (f->v[F_TERMS].present && pay_terms_parse(f->v[F_TERMS].s,
	    &r->in.terms) == -1) {
		form_error(c, f, "terms", "结算方式", "应为 prepaid 或 monthly");
		bad = 1;
	}
	r->in.delivery_date = f->v[F_DATE].s;
	r->in.remark = f->v[F_REMARK].s;
	r->in.po_no = f->v[F_PO].s;
	r->in.channel = ORDER_CHANNEL_ADMIN;
	/* Given lines, none yet: never the cart, which staff do not have. */
	r->in.lines = arena_calloc(c->d.arena, 1, sizeof(struct line_req));
	r->in.nlines = 0;
	return bad ? -1 : 0;
}

static int
lines_empty(struct ctx *c)
{
	c->d.error = "请填写要下单的商品编码和数量，每行一个";
	c->d.code = "lines_empty";
	return ERR_INVALID;
}

/* A JSON client's "lines": [{"code": "P0001-1", "qty": 5}, {"sku_id":
 * 12, "qty": 2}], read as pasted lines are. */
static int
json_lines(struct ctx *c, json_object *a, struct quick_order *q)
{
	struct quick_line	*l;
	json_object		*e, *x;
	const char		*code, *qty, *sku, *err;
	int64_t			 id;
	size_t			 i, n;
	int			 rc;

	memset(q, 0, sizeof(*q));
	if (!json_object_is_type(a, json_type_array))
		goto bad;
	if ((n = json_object_array_length(a)) == 0)
		return lines_empty(c);
	q->v = arena_calloc(c->d.arena, QUICK_LINES_MAX + 1, sizeof(*q->v));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_object))
			goto bad;
		code = json_object_object_get_ex(e, "code", &x) ?
		    json_object_get_string(x) : NULL;
		qty = json_object_object_get_ex(e, "qty", &x) ?
		    json_object_get_string(x) : NULL;
		sku = json_object_object_get_ex(e, "sku_id", &x) ?
		    json_object_get_string(x) : NULL;
		if (sku != NULL && parse_i64(sku, 1, INT64_MAX, &id, &err) == -1)
			goto bad;
		if ((rc = quick_line_put(&c->d, q, (int)i + 1, sku != NULL ?
		    sku : code, qty)) != 0)
			return rc;
		l = &q->v[q->n - 1];
		if (sku != NULL && l->status == QUICK_OK) {
			l->known = 1;	/* not looked up: priced as it is */
			l->sku_id = id;
		}
	}
	return 0;
bad:
	c->d.error = "lines 应为 [{\"code\": 商品编码或条码, \"qty\": 数量}] "
	    "或 [{\"sku_id\": 规格 ID, \"qty\": 数量}]";
	c->d.code = "invalid";
	return ERR_INVALID;
}

/*
 * The lines, read (the text, or a JSON client's lines) and looked up
 * and priced for the company (quick_preview_for: in the staff member's
 * scope); r->in.lines: every line found, for order_checkout and
 * order_submit to price again. 0, ERR_INVALID (c->d.error) for text
 * that is no lines, ERR_NOT_FOUND for a company not in scope.
 */
static int
onb_lines(struct ctx *c, struct onb *r)
{
	struct line_req	*rq;
	json_object	*a;
	int		 i, n = 0, mode = h_quick_mode(c), rc;

	if (c->json != NULL && json_object_object_get_ex(c->json, "lines", &a))
		rc = json_lines(c, a, &r->q);
	else if ((rc = quick_parse(&c->d, r->text, &r->q)) != 0 &&
	    c->d.code != NULL && strcmp(c->d.code, "empty") == 0)
		rc = lines_empty(c);
	if (rc != 0)
		return rc;
	if ((rc = quick_preview_for(&c->d, r->in.customer_id, mode,
	    &r->q)) != 0)
		return rc;
	r->has_lines = 1;
	rq = arena_calloc(c->d.arena, (size_t)r->q.n + 1, sizeof(*rq));
	for (i = 0; i < r->q.n; i++) {
		const struct quick_line *l = &r->q.v[i];

		/* The SKU's own problems stay: order_submit names them. */
		if (l->sku_id == 0 || (l->status != QUICK_OK &&
		    l->status != QUICK_PROBLEM))
			continue;
		rq[n].sku_id = l->sku_id;
		rq[n].qty = l->qty;
		rq[n++].mode = mode;
	}
	r->in.lines = rq;
	r->in.nlines = n;
	return 0;
}

/*
 * The lines quick order could not read or find (no code, a bad
 * quantity, an unknown or ambiguous code), all named at once: submit
 * refuses them (unknown_code when any is unknown, else the first one's
 * status); NULL when there are none.
 */
static const char *
lines_refusal(struct ctx *c, const struct quick_order *q)
{
	const struct quick_line	*l;
	const char		*first = NULL, *s;
	struct buf		 b;
	int			 i, nbad = 0, unknown = 0;

	buf_init(&b, 256);
	for (i = 0; i < q->n; i++) {
		l = &q->v[i];
		if (l->status == QUICK_OK || l->status == QUICK_MERGED ||
		    l->status == QUICK_PROBLEM)
			continue;
		unknown |= l->status == QUICK_UNKNOWN;
		if (first == NULL)
			first = l->status_code;
		if (nbad++ < REFUSED_SHOWN)
			buf_printf(&b, "%s第 %d 行%s%s%s：%s", nbad > 1 ? "；" :
			    "", l->lineno, *l->code ? "「" : "", l->code,
			    *l->code ? "」" : "", l->why ? l->why : "无法下单");
	}
	if (nbad == 0) {
		buf_free(&b);
		return NULL;
	}
	c->d.code = unknown ? "unknown_code" : first;
	s = arena_printf(c->d.arena, "有 %d 行无法下单，请修改后再提交：%s%s",
	    nbad, buf_cstr(&b), nbad > REFUSED_SHOWN ? "……" : "");
	buf_free(&b);
	return s;
}

/* The lines as typed, with what quick order and pricing made of them. */
static json_object *
lines_view(struct ctx *c, const struct onb *r)
{
	json_object	*a = json_object_new_array();
	int		 i;

	for (i = 0; r->has_lines && i < r->q.n; i++)
		json_object_array_add(a, h_quick_line_view(c, &r->q.v[i]));
	return a;
}

/*
 * The form for the company r names, as typed, with the lines previewed
 * when r has them; error and status after a refusal. A company not in
 * the staff member's scope is 404, a disabled one 409 (order_checkout).
 */
static int
form_page(struct ctx *c, struct onb *r, const char *error, int status)
{
	struct checkout_view	 cv;
	struct field_errors	 fe;
	const struct order_money *m;
	json_object		*v, *cu;
	int			 rc;

	memset(&fe, 0, sizeof(fe));
	if ((rc = order_checkout(&c->d, &r->in, &cv, &fe)) != 0)
		return http_fail(c, rc, c->d.error);
	m = &cv.money[r->in.invoice];
	v = admin_view(c, "orders");
	cu = json_object_new_object();
	view_set_i64(cu, "id", r->in.customer_id);
	view_set_str(cu, "name", cv.company);
	view_set_str(cu, "url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64, r->in.customer_id)));
	json_object_object_add(v, "customer", cu);
	json_object_object_add(v, "lines", lines_view(c, r));
	view_set_bool(v, "has_lines", r->has_lines && r->q.n > 0);
	view_set_i64(v, "nlines", r->has_lines ? r->q.n : 0);
	view_set_i64(v, "nok", r->has_lines ? r->q.nok : 0);
	view_set_i64(v, "nbad", r->has_lines ? r->q.nbad : 0);
	view_set_i64(v, "count", cv.cart.n);
	view_set_i64(v, "units", cv.cart.units);
	json_object_object_add(v, "addresses", h_checkout_addresses(c, &cv));
	view_set_bool(v, "no_address", cv.naddresses == 0);
	json_object_object_add(v, "invoices", h_checkout_invoices(c, &cv,
	    r->in.invoice));
	json_object_object_add(v, "terms", h_checkout_terms(&cv, cv.terms));
	json_object_object_add(v, "credit", h_checkout_credit(c, &cv, m));
	/* 起订金额 does not bind staff (they decide): a warning only. */
	view_set_money(c, v, "min_order", cv.min_order_fen);
	view_set_money(c, v, "short", cv.short_fen);
	view_set_bool(v, "below_min", r->has_lines && cv.short_fen > 0);
	view_set_str(v, "invoice", invoice_kind_name(r->in.invoice));
	view_set_money(c, v, "subtotal", m->subtotal_fen);
	view_set_money(c, v, "tax", m->tax_fen);
	view_set_money(c, v, "total", m->total_fen);
	view_set_str(v, "text", r->text);
	view_set_str(v, "delivery_date", r->in.delivery_date);
	view_set_str(v, "today", cv.today);
	view_set_str(v, "date_max", cv.date_max);
	view_set_str(v, "remark", r->in.remark);
	view_set_str(v, "po_no", r->in.po_no);
	view_set_i64(v, "remark_max", ORDER_REMARK_MAX);
	view_set_i64(v, "po_max", ORDER_PO_MAX);
	view_set_i64(v, "lines_max", QUICK_LINES_MAX);
	view_set_str(v, "preview_action", ctx_link(c,
	    "/admin/orders/new/preview"));
	view_set_str(v, "action", ctx_link(c, "/admin/orders/new"));
	view_set_str(v, "pick_url", ctx_link(c, "/admin/orders/new"));
	view_set_str(v, "back_url", ctx_link(c, "/admin/orders"));
	h_checkout_errors(c, &r->f, &fe);
	json_object_object_add(v, "errors", r->f.errors != NULL ?
	    json_object_get(r->f.errors) : json_object_new_object());
	view_set_str(v, "error", error);
	c->title = arena_printf(c->d.arena, "代客下单 · %s", cv.company);
	if (status != 0)
		c->status = status;
	return render(c, "admin/order_new");
}

/*
 * A refusal: the form again, as typed, with why and its status; JSON,
 * a company out of scope, a role that may not and failures as errors.
 */
static int
refused(struct ctx *c, struct onb *r, int rc, const char *why)
{
	clog_info(&c->d, "order on behalf refused customer=%" PRId64
	    " code=%s msg=\"%s\"", r->in.customer_id, c->d.code ? c->d.code :
	    err_code(rc), why ? why : "");
	if (c->json_out || r->in.customer_id == 0 || rc == ERR_NOT_FOUND ||
	    rc == ERR_FORBIDDEN || rc == ERR_INTERNAL ||
	    rc == ERR_UNAVAILABLE)
		return http_fail(c, rc, why);
	return form_page(c, r, why, err_status(rc));
}

/* The companies to order for: a search of those in the actor's scope. */
static int
pick_page(struct ctx *c)
{
	struct company_query	 q;
	struct company_page	 pg;
	json_object		*v, *rows, *o;
	int			 i, rc;

	memset(&q, 0, sizeof(q));
	q.q = kv_get(&c->query, "q");
	q.page = query_page(c);
	q.per_page = PICK_PER_PAGE;
	if ((rc = company_list(&c->d, &q, &pg)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "orders");
	rows = json_object_new_array();
	for (i = 0; i < pg.n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", pg.rows[i].id);
		view_set_str(o, "name", pg.rows[i].name);
		view_set_str(o, "contact_name", pg.rows[i].contact_name);
		view_set_str(o, "contact_phone", pg.rows[i].contact_phone);
		view_set_str(o, "level", pg.rows[i].level);
		view_set_str(o, "owner", pg.rows[i].owner);
		view_set_bool(o, "monthly", pg.rows[i].monthly);
		view_set_bool(o, "active", pg.rows[i].active);
		if (pg.rows[i].active)
			view_set_str(o, "url", ctx_link(c, arena_printf(
			    c->d.arena, "/admin/orders/new?customer_id=%"
			    PRId64, pg.rows[i].id)));
		json_object_array_add(rows, o);
	}
	json_object_object_add(v, "companies", rows);
	view_pager(c, v, pg.total, PICK_PER_PAGE, arena_printf(c->d.arena,
	    "/admin/orders/new?q=%s", url_encode(c->d.arena, pg.q ? pg.q :
	    "")));
	view_set_str(v, "q", pg.q);
	view_set_str(v, "action", ctx_link(c, "/admin/orders/new"));
	view_set_str(v, "back_url", ctx_link(c, "/admin/orders"));
	c->title = "代客下单 · 选择客户";
	return render(c, "admin/order_pick");
}

/* GET: the company to pick, or the empty form for the one named. */
static int
h_order_new(struct ctx *c)
{
	struct onb	r;

	if (req_param(c, "customer_id") == NULL)
		return pick_page(c);
	onb_read(c, &r);	/* bad choices: the defaults */
	if (r.in.customer_id == 0)
		return http_fail(c, ERR_NOT_FOUND, "客户不存在");
	return form_page(c, &r, NULL, 0);
}

/* POST …/preview: every line priced for the company, nothing written. */
static int
h_order_new_preview(struct ctx *c)
{
	struct onb	r;
	int		rc;

	if (onb_read(c, &r) == -1)
		return refused(c, &r, ERR_INVALID, r.f.error);
	if ((rc = onb_lines(c, &r)) != 0)
		return refused(c, &r, rc, c->d.error);
	return form_page(c, &r, NULL, 0);
}

/*
 * POST /admin/orders/new: the lines read, found and placed as an order
 * of the company in one transaction (order_submit), once per key (the
 * form's hidden idempotency_key, or Idempotency-Key).
 */
static int
h_order_new_submit(struct ctx *c)
{
	struct order_placed	 p;
	struct field_errors	 fe;
	struct onb		 r;
	const char		*why;
	char			 hash[65];
	int			 rc;

	if (onb_read(c, &r) == -1)
		return refused(c, &r, ERR_INVALID, r.f.error);
	if ((rc = onb_lines(c, &r)) != 0)
		return refused(c, &r, rc, c->d.error);
	if ((why = lines_refusal(c, &r.q)) != NULL)
		return refused(c, &r, ERR_INVALID, why);
	/* The order keeps the key (ROUTE_OWNKEY): one commit for both. */
	if ((r.in.idem_key = http_idem_key(c)) == NULL) {
		c->d.code = "idempotency_key_required";
		return http_fail(c, ERR_INVALID, "提交订单需要请求标识"
		    "（Idempotency-Key），以免重复下单");
	}
	if (!idempotency_valid_key(r.in.idem_key))
		return http_fail(c, ERR_INVALID, "请求标识（Idempotency-Key）"
		    "无效：应为 1 到 100 个可见 ASCII 字符");
	http_request_hash(c, hash);
	r.in.idem_hash = hash;
	memset(&fe, 0, sizeof(fe));
	if ((rc = order_submit(&c->d, &r.in, &p, &fe)) != 0) {
		if (rc == ERR_INVALID && fe.n > 0) {
			h_checkout_errors(c, &r.f, &fe);
			return refused(c, &r, rc, r.f.error);
		}
		return refused(c, &r, rc, c->d.error);
	}
	clog_info(&c->d, "order on behalf customer=%" PRId64 " id=%" PRId64
	    " no=%s%s", r.in.customer_id, p.id, p.order_no, p.replayed ?
	    " replayed" : "");
	return h_order_placed(c, &p, 1);
}

#define ROLES	ORDER_ROLES_ON_BEHALF

const struct route h_admin_order_new_routes[] = {
	{ "GET", "^/admin/orders/new$", h_order_new, ROUTE_STAFF, ROLES },
	/* A preview changes nothing: no answer is kept under the key the
	 * form sends along, its 提交订单 button's. */
	{ "POST", "^/admin/orders/new/preview$", h_order_new_preview,
	  ROUTE_STAFF | ROUTE_CSRF | ROUTE_NOREPLAY, ROLES },
	{ "POST", "^/admin/orders/new$", h_order_new_submit,
	  ROUTE_STAFF | ROUTE_CSRF | ROUTE_OWNKEY, ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
