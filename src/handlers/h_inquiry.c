/*
 * h_inquiry.c -- 询价: a guest or a customer asks about a product, with a
 * quantity and how to reach them (open to guests, so limited per
 * address); staff answer in the back office (h_admin_inquiry.c). The
 * asking company's users read the quote and the answers under /account
 * and reply there (申请修改报价: staff answer with the next version), and
 * while the quote holds accept it as an order: the cart's checkout with
 * the quote's lines (h_cart.c). The quote, its versions and the
 * conversation are shown alike on both sides (h_inquiry.h).
 */
#include "base/base.h"
#include "domain/account.h"
#include "domain/catalog.h"
#include "domain/product.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/inquiry.h"
#include "domain/quote.h"
#include "domain/order.h"
#include "handlers/h_inquiry.h"
#include "handlers/h_order.h"

#define PER_PAGE	20

enum { F_NAME, F_PHONE, F_COMPANY, F_MESSAGE, F_PRODUCT, F_SKU, F_QTY };
static const struct field inquiry_fields[] = {
	[F_NAME] =	{ "contact_name", FIELD_TEXT, FIELD_REQUIRED, 1, 60,
			  "联系人" },
	[F_PHONE] =	{ "contact_phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0,
			  "手机号" },
	[F_COMPANY] =	{ "company", FIELD_TEXT, 0, 0, 100, "公司" },
	[F_MESSAGE] =	{ "message", FIELD_TEXT, 0, 0, 2000, "留言" },
	[F_PRODUCT] =	{ "product_id", FIELD_ID, 0, 0, 0, "商品" },
	[F_SKU] =	{ "sku_id", FIELD_ID, 0, 0, 0, "规格" },
	[F_QTY] =	{ "qty", FIELD_INT, 0, 1, 10000000, "数量" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* A product anyone may ask about: on the shelf in some open storefront. */
static const struct cat_product *
askable(const struct catalog *cat, int64_t id)
{
	const struct cat_product	*p = catalog_product(cat, id);

	if (p == NULL || !p->on_shelf || p->nskus == 0)
		return NULL;
	return p;
}

/*
 * The product's SKUs to pick from when it has more than one, the chosen
 * one (sku_id, else the first) selected; its minimum order in *min_qty,
 * the smallest of them as the quantity's lower bound.
 */
static int
sku_options(struct ctx *c, const struct catalog *cat,
    const struct cat_product *p, int64_t sku_id, json_object *o,
    int64_t *min_qty)
{
	const struct cat_sku	*s = cat_skus(cat, p), *chosen = &s[0];
	struct product_detail	 d;
	json_object		*a, *e;
	const char		*label;
	int64_t			 least = INT64_MAX;
	int			 i, k;

	for (k = 0; k < p->nskus; k++) {
		if (s[k].id == sku_id)
			chosen = &s[k];
		if (s[k].min_qty < least)
			least = s[k].min_qty;
	}
	*min_qty = chosen->min_qty > 1 ? chosen->min_qty : 1;
	view_set_i64(o, "qty_min", least > 1 ? least : 1);
	view_set_bool(o, "choose_sku", p->nskus > 1);
	if (p->nskus < 2)
		return 0;
	/* The cache has no specs: the product page reads them the same. */
	if (product_detail(&c->d, p->id, &d) != 0)
		return ERR_INTERNAL;
	a = json_object_new_array();
	for (k = 0; k < p->nskus; k++) {
		label = "";
		for (i = 0; i < d.nskus; i++)
			if (d.skus[i].id == s[k].id)
				label = *d.skus[i].spec ? d.skus[i].spec :
				    d.skus[i].code;
		e = json_object_new_object();
		view_set_i64(e, "sku_id", s[k].id);
		view_set_str(e, "label", label);
		view_set_i64(e, "min_qty", s[k].min_qty);
		view_set_bool(e, "has_min", s[k].min_qty > 1);
		view_set_bool(e, "selected", &s[k] == chosen);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "skus", a);
	return 0;
}

/*
 * The form, empty or as typed after a refusal (error). keep: the post's
 * product, which this worker's catalog does not have (yet), goes on as
 * it was typed, for the database to judge; the form must not drop it.
 */
static int
form_page(struct ctx *c, const struct catalog *cat,
    const struct cat_product *p, int64_t sku_id, int keep, const char *error)
{
	json_object	*v = view_new(c), *o;
	struct account	 acc;
	int64_t		 min_qty = 1;
	size_t		 i;

	if (p != NULL) {
		o = json_object_new_object();
		view_set_i64(o, "id", p->id);
		view_set_str(o, "name", cat_str(cat, p->name));
		view_set_str(o, "unit", cat_str(cat, p->unit));
		if (sku_options(c, cat, p, sku_id, o, &min_qty) != 0) {
			json_object_put(o);
			return http_fail(c, ERR_INTERNAL, NULL);
		}
		json_object_object_add(v, "product", o);
	}
	view_set_str(v, "error", error);
	view_set_str(v, "action", ctx_link(c, "/inquiry"));
	/* Refill what was typed; a customer's own details by default. */
	for (i = 0; inquiry_fields[i].name != NULL; i++)
		view_set_str(v, inquiry_fields[i].name,
		    req_param(c, inquiry_fields[i].name));
	if (req_param(c, "contact_name") == NULL && c->d.sess.kind ==
	    SESS_CUSTOMER) {
		view_set_str(v, "contact_name", c->d.sess.name);
		view_set_str(v, "contact_phone", c->d.sess.phone);
	}
	if (req_param(c, "company") == NULL && c->d.sess.kind ==
	    SESS_CUSTOMER && account_load(&c->d, &acc) == 0)
		view_set_str(v, "company", acc.company.name);
	if (req_param(c, "qty") == NULL)
		view_set_i64(v, "qty", min_qty);
	view_set_bool(v, "keep_product", p == NULL && keep);
	c->title = "询价";
	return render(c, "inquiry");
}

static int
h_inquiry_form(struct ctx *c)
{
	const struct catalog	*cat;
	const char		*s = kv_get(&c->query, "product"), *err;
	const char		*k = kv_get(&c->query, "sku");
	int64_t			 id, sku = 0;

	if ((cat = catalog_get(&c->d)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (k != NULL && parse_i64(k, 1, INT64_MAX, &sku, &err) != 0)
		sku = 0;
	if (s != NULL && parse_i64(s, 1, INT64_MAX, &id, &err) == 0)
		return form_page(c, cat, askable(cat, id), sku, 0, NULL);
	return form_page(c, cat, NULL, 0, 0, NULL);
}

/*
 * A refused post: JSON says why; a page shows the form again as typed,
 * with the product asked about if it may still be asked about.
 */
static int
post_fail(struct ctx *c, struct form *f, int err)
{
	const struct catalog	*cat;
	int			 refused;

	if (err == ERR_INTERNAL)
		return http_fail(c, err, NULL);
	if (c->json_out)
		return http_fail(c, err, f->error);
	if ((cat = catalog_get(&c->d)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	clog_info(&c->d, "inquiry refused status=%d why=%s", err_status(err),
	    f->error);
	c->status = err_status(err);
	refused = f->errors != NULL &&
	    json_object_object_get_ex(f->errors, "product_id", NULL);
	return form_page(c, cat, f->v[F_PRODUCT].present ? askable(cat,
	    f->v[F_PRODUCT].i64) : NULL, f->v[F_SKU].present ?
	    f->v[F_SKU].i64 : 0, f->v[F_PRODUCT].present && !refused,
	    f->error);
}

static int
h_inquiry_post(struct ctx *c)
{
	struct inquiry_new	 in;
	enum inquiry_field	 bad;
	struct form		 f;
	json_object		*v;
	int64_t			 id;
	int			 err;

	/* A browser session must prove the form is its own. */
	if (c->d.sess.kind != SESS_NONE && !c->d.sess.bearer &&
	    csrf_check(c) != 0)
		return http_fail(c, ERR_CSRF, "页面已过期，请刷新后重试");
	if (form_parse(c, inquiry_fields, &f) == -1)
		return post_fail(c, &f, ERR_INVALID);
	memset(&in, 0, sizeof(in));
	in.contact_name = f.v[F_NAME].s;
	in.contact_phone = f.v[F_PHONE].s;
	in.company = f.v[F_COMPANY].present ? f.v[F_COMPANY].s : "";
	in.message = f.v[F_MESSAGE].present ? f.v[F_MESSAGE].s : "";
	in.product_id = f.v[F_PRODUCT].present ? f.v[F_PRODUCT].i64 : 0;
	in.sku_id = f.v[F_SKU].present ? f.v[F_SKU].i64 : 0;
	in.qty = f.v[F_QTY].present ? f.v[F_QTY].i64 : 1;
	if ((err = inquiry_create(&c->d, &in, &id, &bad)) != 0) {
		if (bad == INQUIRY_FIELD_PRODUCT)
			form_error(c, &f, "product_id", "商品", c->d.error);
		else if (bad == INQUIRY_FIELD_SKU)
			form_error(c, &f, "sku_id", "规格", c->d.error);
		else
			f.error = c->d.error;
		return post_fail(c, &f, err);
	}
	v = view_new(c);
	view_set_i64(v, "id", id);
	view_set_str(v, "contact_name", in.contact_name);
	c->title = "询价已提交";
	return render(c, "inquiry_done");
}

/*
 * The quote as customer and staff read it: the quoted lines' total, and
 * until when it holds (the domain says whether it still does); NULL when
 * no line has a price.
 */
json_object *
h_inquiry_quote_view(struct ctx *c, const struct inquiry *q)
{
	enum inquiry_quote_state	 st = inquiry_quote_state(q);
	json_object			*o;

	if (st == INQUIRY_QUOTE_NONE)
		return NULL;
	o = json_object_new_object();
	view_set_money(c, o, "total", q->quote_total_fen);
	view_set_i64(o, "quoted_lines", q->nquoted);
	view_set_bool(o, "partial", q->nquoted < q->nlines);
	view_set_bool(o, "valid", st == INQUIRY_QUOTE_VALID);
	view_set_bool(o, "expired", st == INQUIRY_QUOTE_EXPIRED);
	view_set_str(o, "valid_until", q->quote_until);
	if (q->quote_until != NULL) {
		view_set_i64(o, "days_left", q->quote_days);
		view_set_bool(o, "last_day", q->quote_days == 0);
	}
	return o;
}

/*
 * The conversation after the inquiry's own message, oldest first. For
 * the customer (staff 0) an answer is the shop's (商家回复), not a named
 * staff member's.
 */
json_object *
h_inquiry_thread_view(const struct inquiry *q, int staff)
{
	const struct inquiry_message	*m;
	json_object			*a = json_object_new_array(), *o;
	int				 i, mine;

	for (i = 0; i < q->nmessages; i++) {
		m = &q->messages[i];
		mine = m->author == INQUIRY_BY_CUSTOMER;
		o = json_object_new_object();
		view_set_i64(o, "id", m->id);
		view_set_str(o, "author", mine ? "customer" : "staff");
		view_set_bool(o, "by_customer", mine);
		view_set_bool(o, "by_staff", !mine);
		view_set_str(o, "name", mine || staff ? m->author_name : NULL);
		view_set_str(o, "label", mine ? (m->author_name ?
		    m->author_name : "客户") : staff ? (m->author_name ?
		    m->author_name : "员工") : "商家回复");
		view_set_str(o, "time", m->created);
		view_set_str(o, "body", m->body);
		json_object_array_add(a, o);
	}
	return a;
}

/*
 * Every version of the quote, the latest first: number, last day, when,
 * lines and total; the latest is "current", the others "earlier", for
 * the page to fold. NULL when it has none.
 */
json_object *
h_inquiry_versions_view(struct ctx *c, int64_t id, int staff)
{
	struct quote_version	*v;
	const struct quote_line	*l;
	json_object		*o, *a, *e, *lines, *x;
	int			 i, j, n;

	if (quote_versions(&c->d, id, &v, &n) != 0 || n == 0)
		return NULL;
	o = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		e = json_object_new_object();
		view_set_i64(e, "version", v[i].version);
		view_set_str(e, "valid_until", v[i].valid_until);
		view_set_str(e, "time", v[i].created);
		view_set_str(e, "staff", staff ? v[i].staff : NULL);
		view_set_str(e, "note", v[i].note);
		view_set_money(c, e, "total", v[i].total_fen);
		lines = json_object_new_array();
		for (j = 0; j < v[i].nlines; j++) {
			l = &v[i].lines[j];
			x = json_object_new_object();
			view_set_str(x, "name", l->name ? l->name :
			    "（商品已删除）");
			view_set_str(x, "spec", l->spec && *l->spec ?
			    l->spec : NULL);
			view_set_str(x, "unit", l->unit);
			view_set_i64(x, "qty", l->qty);
			view_set_money(c, x, "unit_price", l->unit_fen);
			view_set_money(c, x, "line_total", l->line_fen);
			json_object_array_add(lines, x);
		}
		json_object_object_add(e, "lines", lines);
		if (i == 0)
			json_object_object_add(o, "current", e);
		else
			json_object_array_add(a, e);
	}
	json_object_object_add(o, "earlier", a);
	view_set_i64(o, "count", n);
	view_set_i64(o, "earlier_count", n - 1);
	view_set_bool(o, "has_earlier", n > 1);
	return o;
}

/* -- the customer's own inquiries ------------------------------------ */

/* The statuses as the asking customer reads them. */
static const struct {
	const char	*label;
	const char	*badge;
} mine_statuses[] = {
	[INQUIRY_OPEN] = { "待商家回复", "warn" },
	[INQUIRY_ANSWERED] = { "商家已回复", "on" },
	[INQUIRY_CLOSED] = { "已关闭", "" },
};

/*
 * A line as the customer reads it: product, SKU, quantity, and when
 * quoted the unit price and the line's total.
 */
static json_object *
mine_line(struct ctx *c, const struct inquiry_line *l)
{
	json_object	*o = json_object_new_object();

	view_set_str(o, "name", l->name ? l->name : "（商品已下架或删除）");
	view_set_str(o, "spec", l->spec && *l->spec ? l->spec : NULL);
	view_set_str(o, "sku_code", l->sku_code ? l->sku_code : l->code);
	view_set_str(o, "unit", l->unit);
	view_set_i64(o, "qty", l->qty);
	view_set_bool(o, "quoted", l->quote_fen >= 0);
	if (l->quote_fen >= 0) {
		view_set_money(c, o, "quote", l->quote_fen);
		view_set_money(c, o, "line_total", l->quote_fen * l->qty);
	} else	/* null, not absent: the inquiry's quote is an object */
		view_set_str(o, "quote", NULL);
	return o;
}

static json_object *
mine_row(struct ctx *c, const struct inquiry *q)
{
	json_object	*o = json_object_new_object(), *a, *quote;
	int		 i;

	view_set_i64(o, "id", q->id);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "/account/inquiries/%" PRId64, q->id)));
	view_set_str(o, "time", q->created);
	view_set_str(o, "contact_name", q->contact_name);
	view_set_str(o, "status", inquiry_status_name(q->status));
	view_set_str(o, "status_label", mine_statuses[q->status].label);
	view_set_str(o, "badge", mine_statuses[q->status].badge);
	view_set_bool(o, "is_closed", q->status == INQUIRY_CLOSED);
	view_set_bool(o, "customer_waiting", q->customer_waiting &&
	    q->status == INQUIRY_OPEN);
	view_set_str(o, "message", q->message);
	view_set_str(o, "answer", q->answer);
	view_set_str(o, "answered_at", q->answered);
	a = json_object_new_array();
	for (i = 0; i < q->nlines; i++)
		json_object_array_add(a, mine_line(c, &q->lines[i]));
	json_object_object_add(o, "items", a);
	view_set_bool(o, "has_items", q->nlines > 0);
	if ((quote = h_inquiry_quote_view(c, q)) != NULL)
		json_object_object_add(o, "quote", quote);
	return o;
}

static int
h_account_inquiries(struct ctx *c)
{
	struct inquiry_list	 l;
	json_object		*v, *rows;
	int			 i, rc;

	if ((rc = inquiry_mine(&c->d, query_page(c), PER_PAGE, &l)) != 0)
		return http_fail(c, rc, NULL);
	v = view_new(c);
	view_pager(c, v, l.total, PER_PAGE, "/account/inquiries");
	rows = json_object_new_array();
	for (i = 0; i < l.n; i++)
		json_object_array_add(rows, mine_row(c, &l.rows[i]));
	json_object_object_add(v, "inquiries", rows);
	c->title = "我的询价";
	return render(c, "account_inquiries");
}

/*
 * One inquiry of the customer's company: the quote, the conversation and
 * what they can do now (reply, call the shop). After a refused reply
 * (c->status set) the text typed stays, with why beside it (field) or
 * above it (error).
 */
static int
mine_page(struct ctx *c, int64_t id, const char *typed, const char *field,
    const char *error)
{
	struct inquiry	 q;
	json_object	*v, *o, *versions;
	const char	*done = kv_get(&c->query, "done"), *phone;
	int		 rc;

	if ((rc = inquiry_mine_get(&c->d, id, &q)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	o = mine_row(c, &q);
	json_object_object_add(o, "messages", h_inquiry_thread_view(&q, 0));
	view_set_bool(o, "can_reply", q.status != INQUIRY_CLOSED);
	if ((versions = h_inquiry_versions_view(c, id, 0)) != NULL)
		json_object_object_add(o, "versions", versions);
	/* The domain checks again at checkout and submit; this is a hint. */
	view_set_bool(o, "can_accept", versions != NULL &&
	    q.status != INQUIRY_CLOSED && q.accepted_order_id == 0 &&
	    inquiry_quote_state(&q) == INQUIRY_QUOTE_VALID);
	view_set_str(o, "accept_url", ctx_link(c, arena_printf(c->d.arena,
	    "/account/inquiries/%" PRId64 "/checkout", id)));
	view_set_bool(o, "by_staff", q.by_staff);
	if (q.accepted_order_id != 0)
		view_set_str(o, "order_url", ctx_link(c, arena_printf(
		    c->d.arena, "/orders/%" PRId64, q.accepted_order_id)));
	json_object_object_add(v, "inquiry", o);
	view_set_str(v, "reply_action", ctx_link(c, arena_printf(c->d.arena,
	    "/account/inquiries/%" PRId64 "/reply", id)));
	view_set_str(v, "reply_body", typed);
	view_set_str(v, "reply_error", field);
	view_set_str(v, "error", error);
	phone = c->d.shop->contact_phone;
	view_set_str(v, "shop_phone", phone && *phone ? phone : NULL);
	view_set_i64(v, "reply_max", INQUIRY_REPLY_MAX);
	if (done != NULL && strcmp(done, "replied") == 0)
		view_set_str(v, "flash", "已发送，商家会尽快回复您");
	c->title = arena_printf(c->d.arena, "询价 #%" PRId64, id);
	return render(c, "account_inquiry");
}

/*
 * The quote's page after a refused accept (expired, closed, a line that
 * cannot be ordered): why, above the reply form, with status.
 */
int
h_inquiry_refused(struct ctx *c, int64_t id, int status, const char *error)
{
	c->status = status;
	return mine_page(c, id, NULL, NULL, error);
}

static int
h_account_inquiry(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	return mine_page(c, id, NULL, NULL, NULL);
}

enum { R_BODY };
static const struct field reply_fields[] = {
	[R_BODY] =	{ "body", FIELD_TEXT, FIELD_REQUIRED, 1,
			  INQUIRY_REPLY_MAX, "回复内容" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/*
 * A refused reply: JSON says why (fields.body for the text); the page
 * comes again with the text as typed. Not found stays not found. The
 * domain has logged its refusals; http_fail logs the JSON ones.
 */
static int
reply_fail(struct ctx *c, int64_t id, struct form *f, int err)
{
	const char	*field = NULL;

	if (err == ERR_NOT_FOUND || err == ERR_INTERNAL || c->json_out)
		return http_fail(c, err, err == ERR_INVALID ? f->error :
		    c->d.error);
	if (f->errors != NULL)
		field = view_get_str(f->errors, "body");
	c->status = err_status(err);
	return mine_page(c, id, req_param(c, "body"), field, err ==
	    ERR_INVALID ? NULL : c->d.error);
}

static int
h_account_inquiry_reply(struct ctx *c)
{
	enum inquiry_field	 bad;
	struct form		 f;
	int64_t			 id = route_cap(c, 0), message;
	int			 rc, repeat;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	if (form_parse(c, reply_fields, &f) == -1) {
		if (!c->json_out)	/* else http_fail logs it */
			clog_info(&c->d, "inquiry reply refused id=%" PRId64
			    " why=%s", id, f.error);
		return reply_fail(c, id, &f, ERR_INVALID);
	}
	if ((rc = inquiry_reply(&c->d, id, f.v[R_BODY].s, &message, &repeat,
	    &bad)) != 0) {
		if (bad == INQUIRY_FIELD_BODY)
			form_error(c, &f, "body", "回复内容", c->d.error);
		return reply_fail(c, id, &f, rc);
	}
	view_new(c);
	view_set_i64(c->view, "message_id", message);
	view_set_bool(c->view, "repeated", repeat);
	view_set_str(c->view, "status", "open");
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/account/inquiries/%" PRId64 "?done=replied#thread", id)));
}

static int
h_account_quote_checkout(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	return h_checkout_show(c, id, h_inquiry_refused);
}

static int
h_account_quote_order(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	return h_checkout_submit(c, id, h_inquiry_refused);
}

const struct route h_inquiry_routes[] = {
	{ "GET", "^/inquiry$", h_inquiry_form, 0, NULL },
	{ "POST", "^/inquiry$", h_inquiry_post, ROUTE_CSRF, NULL },
	{ "POST", "^/api/v1/inquiries$", h_inquiry_post, ROUTE_BODY, NULL },
	{ "GET", "^(?:/api/v1)?/account/inquiries$", h_account_inquiries,
	  ROUTE_CUSTOMER, NULL },
	{ "GET", "^(?:/api/v1)?/account/inquiries/([0-9]{1,18})$",
	  h_account_inquiry, ROUTE_CUSTOMER, NULL },
	{ "POST", "^(?:/api/v1)?/account/inquiries/([0-9]{1,18})/reply$",
	  h_account_inquiry_reply, ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "GET", "^(?:/api/v1)?/account/inquiries/([0-9]{1,18})/checkout$",
	  h_account_quote_checkout, ROUTE_CUSTOMER, NULL },
	{ "POST", "^(?:/api/v1)?/account/inquiries/([0-9]{1,18})/order$",
	  h_account_quote_order, ROUTE_CUSTOMER | ROUTE_CSRF | ROUTE_OWNKEY,
	  NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
