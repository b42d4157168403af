/*
 * h_cart.c -- the customer's cart (进货单) and checkout: add from a product
 * page, change a quantity, remove a line, the checkout page with its
 * preview (prices from the database, the sum for each kind of invoice)
 * and the submit, which places the order once per idempotency key. Each
 * page has its JSON twin under /api/v1; every form works without script.
 * The domain (cart.c, order_submit.c) decides; here input is parsed and
 * refusals are shown where the buyer can fix them. Accepting a quote is
 * the same checkout and submit with the quote's lines (h_inquiry.c's
 * routes call h_checkout_show and h_checkout_submit with its id and the
 * page that shows a refused accept). Both pages show the company's
 * 起订金额 and what the goods (before tax) lack of it.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/address.h"
#include "domain/customer.h"
#include "domain/order.h"
#include "domain/idempotency.h"
#include "handlers/h_order.h"

enum { F_SKU, F_QTY, F_MODE, F_BACK };
static const struct field add_fields[] = {
	[F_SKU] =	{ "sku_id", FIELD_ID, FIELD_REQUIRED, 0, 0, "规格" },
	[F_QTY] =	{ "qty", FIELD_TEXT, FIELD_REQUIRED, 0, 20, "数量" },
	[F_MODE] =	{ "mode", FIELD_TEXT, 0, 0, 20, "商城" },
	[F_BACK] =	{ "back", FIELD_TEXT, 0, 0, 300, "返回" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field qty_fields[] = {
	{ "qty", FIELD_TEXT, FIELD_REQUIRED, 0, 20, "数量" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* A refusal of the domain for one line, where the page shows it. */
struct refusal {
	int		 status;
	const char	*message;
	int64_t		 sku_id;	/* 0: the whole cart */
	const char	*back;		/* the product page, after an add */
};

/* Where the buyer goes on shopping: a consumer the retail mall, a
 * dealer the ordering mall, or the wholesale one when it is closed. */
const char *
h_shop_url(struct ctx *c)
{
	if (c->d.sess.consumer)
		return "/retail/products";
	return (c->d.shop->modes & SHOP_MODE_ORDERING) ? "/ordering/products" :
	    "/wholesale/products";
}

/* Only same-site paths are linked back to. */
static const char *
same_site(const char *p)
{
	if (p == NULL || p[0] != '/' || p[1] == '/' || strchr(p, '\\') ||
	    strpbrk(p, "\r\n\t") != NULL)
		return NULL;
	return p;
}

/*
 * The 起订金额 that applies (0: none) and what the goods lack of it, as
 * the cart and checkout pages show them: "起订金额 ¥X，还差 ¥Y".
 */
static void
min_order_view(struct ctx *c, json_object *v, int64_t min_fen,
    int64_t short_fen)
{
	view_set_money(c, v, "min_order", min_fen);
	view_set_money(c, v, "short", short_fen);
	view_set_bool(v, "has_min_order", min_fen > 0);
	view_set_bool(v, "below_min", short_fen > 0);
}

static int
cart_page(struct ctx *c, const struct refusal *rf)
{
	struct cart	 k;
	json_object	*v, *lines, *o;
	int64_t		 min, lack;
	int		 i, rc;

	if ((rc = cart_load(&c->d, 1, &k)) != 0)
		return http_fail(c, rc, c->d.error);
	if ((rc = order_min_order(&c->d, &min)) != 0)
		return http_fail(c, rc, NULL);
	lack = order_min_short(min, k.subtotal_fen);
	v = view_new(c);
	lines = json_object_new_array();
	for (i = 0; i < k.n; i++) {
		o = h_order_line_view(c, &k.lines[i]);
		view_set_str(o, "update_action", ctx_link(c, arena_printf(
		    c->d.arena, "/cart/items/%" PRId64, k.lines[i].sku_id)));
		view_set_str(o, "remove_action", ctx_link(c, arena_printf(
		    c->d.arena, "/cart/items/%" PRId64 "/delete",
		    k.lines[i].sku_id)));
		if (rf != NULL && rf->sku_id == k.lines[i].sku_id) {
			view_set_str(o, "line_error", rf->message);
			view_set_str(o, "qty_typed", req_param(c, "qty"));
		}
		json_object_array_add(lines, o);
	}
	json_object_object_add(v, "lines", lines);
	view_set_i64(v, "count", k.n);
	view_set_i64(v, "units", k.units);
	view_set_bool(v, "empty", k.n == 0);
	view_set_i64(v, "problems", k.nproblems);
	view_set_bool(v, "has_problems", k.nproblems > 0);
	view_set_money(c, v, "subtotal", k.subtotal_fen);
	min_order_view(c, v, min, lack);
	view_set_bool(v, "can_checkout", k.n > 0 && k.nproblems == 0 &&
	    lack == 0);
	view_set_str(v, "checkout_url", ctx_link(c, "/checkout"));
	view_set_str(v, "shop_url", ctx_link(c, h_shop_url(c)));
	view_set_bool(v, "added", rf == NULL &&
	    kv_get(&c->query, "added") != NULL);
	if (rf != NULL && rf->sku_id == 0)
		view_set_str(v, "error", rf->message);
	if (rf != NULL)
		view_set_str(v, "back_url", rf->back);
	c->title = c->d.sess.consumer ? "购物车" : "进货单";
	view_set_str(v, "cart_name", c->title);
	if (rf != NULL)
		c->status = rf->status;
	return render(c, "cart");
}

static int
h_cart(struct ctx *c)
{
	return cart_page(c, NULL);
}

/*
 * A line the domain refused: JSON says why with its code; the page shows
 * the cart again, the message at the line (or on top, after an add).
 */
static int
line_refused(struct ctx *c, struct form *f, int rc, int64_t sku_id,
    const char *back)
{
	struct refusal	rf;

	if (rc == ERR_INVALID)
		form_error(c, f, "qty", "数量", c->d.error);
	if (c->json_out || (rc != ERR_INVALID && rc != ERR_NOT_FOUND &&
	    rc != ERR_OUT_OF_STOCK && rc != ERR_CONFLICT))
		return http_fail(c, rc, rc == ERR_INVALID ? f->error :
		    c->d.error);
	clog_info(&c->d, "cart refused sku=%" PRId64 " code=%s msg=\"%s\"",
	    sku_id, c->d.code ? c->d.code : "-", c->d.error);
	memset(&rf, 0, sizeof(rf));
	rf.status = err_status(rc);
	rf.message = c->d.error;
	rf.sku_id = back != NULL ? 0 : sku_id;
	rf.back = back;
	return cart_page(c, &rf);
}

/* A quantity as typed, or the refusal: a whole number 1..1,000,000. */
static int
qty_of(struct ctx *c, struct form *f, int i, int64_t *qty)
{
	if (line_qty_parse(f->v[i].s, qty) == LINE_OK)
		return 0;
	c->d.error = "应为 1 到 1000000 之间的整数";
	c->d.code = line_problem_code(LINE_QTY_INVALID);
	return -1;
}

/*
 * An add's answer for a client that asked for no more (Prefer:
 * return=minimal): the line as priced now and the cart's counts, which
 * the add's transaction knows, instead of the whole cart priced again.
 */
static int
added_answer(struct ctx *c, const struct cart_added *a)
{
	json_object	*v = view_new(c);

	json_object_object_add(v, "line", h_order_line_view(c, &a->line));
	view_set_i64(v, "count", a->lines);
	view_set_i64(v, "units", a->units);
	view_set_str(v, "cart_url", ctx_link(c, "/cart"));
	http_header(c, "Preference-Applied", "return=minimal");
	return render_json_ok(c, 200);
}

static int
h_cart_add(struct ctx *c)
{
	struct cart_added added;
	struct form	 f;
	const char	*mode, *back;
	int64_t		 qty;
	int		 rc, m;

	if (form_parse(c, add_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	back = same_site(f.v[F_BACK].s);
	if (qty_of(c, &f, F_QTY, &qty) == -1)
		return line_refused(c, &f, ERR_INVALID, f.v[F_SKU].i64,
		    back ? back : "");
	mode = f.v[F_MODE].s ? f.v[F_MODE].s : "ordering";
	m = strcmp(mode, "ordering") == 0 ? SHOP_MODE_ORDERING :
	    strcmp(mode, "wholesale") == 0 ? SHOP_MODE_WHOLESALE :
	    strcmp(mode, "retail") == 0 ? SHOP_MODE_RETAIL : 0;
	if ((rc = cart_add(&c->d, m, f.v[F_SKU].i64, qty, &added)) != 0)
		return line_refused(c, &f, rc, f.v[F_SKU].i64,
		    back ? back : "");
	if (c->json_out && c->prefer_minimal)
		return added_answer(c, &added);
	if (c->json_out)
		return cart_page(c, NULL);
	return http_see_other(c, "%s", ctx_link(c, "/cart?added=1"));
}

static int
h_cart_set(struct ctx *c)
{
	struct form	 f;
	int64_t		 sku, qty;
	int		 rc;

	if (route_id(c, 0, &sku) == -1)
		return http_fail(c, ERR_NOT_FOUND, "进货单中没有这个商品");
	if (form_parse(c, qty_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	if (qty_of(c, &f, 0, &qty) == -1)
		return line_refused(c, &f, ERR_INVALID, sku, NULL);
	if ((rc = cart_set(&c->d, sku, qty)) != 0)
		return line_refused(c, &f, rc, sku, NULL);
	if (c->json_out)
		return cart_page(c, NULL);
	return http_see_other(c, "%s", ctx_link(c, "/cart"));
}

static int
h_cart_remove(struct ctx *c)
{
	int64_t	sku;
	int	rc;

	if (route_id(c, 0, &sku) == -1)
		return http_fail(c, ERR_NOT_FOUND, "进货单中没有这个商品");
	if ((rc = cart_remove(&c->d, sku)) != 0)
		return http_fail(c, rc, c->d.error);
	if (c->json_out)
		return cart_page(c, NULL);
	return http_see_other(c, "%s", ctx_link(c, "/cart"));
}

/* ---- checkout ---------------------------------------------------------- */

/* A consumer's new address, from the checkout page. */
enum { A_RECEIVER, A_PHONE, A_REGION, A_ADDRESS, A_NFIELDS };
static const struct field address_fields[] = {
	[A_RECEIVER] =	{ "receiver", FIELD_TEXT, 0, 0, 60, "收货人" },
	[A_PHONE] =	{ "phone", FIELD_TEXT, 0, 0, 20, "联系电话" },
	[A_REGION] =	{ "region", FIELD_TEXT, 0, 0, 100, "所在地区" },
	[A_ADDRESS] =	{ "address", FIELD_TEXT, 0, 0, 300, "详细地址" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct {
	enum checkout_field	 field;
	const char		*name;
	const char		*label;
} checkout_names[] = {
	{ CHECKOUT_ADDRESS, "address_id", "收货地址" },
	{ CHECKOUT_INVOICE, "invoice", "发票" },
	{ CHECKOUT_TERMS, "terms", "结算方式" },
	{ CHECKOUT_DATE, "delivery_date", "期望到货日期" },
};

enum { C_ADDRESS, C_INVOICE, C_TERMS, C_DATE, C_REMARK, C_PO };
static const struct field checkout_fields[] = {
	[C_ADDRESS] =	{ "address_id", FIELD_ID, 0, 0, 0, "收货地址" },
	[C_INVOICE] =	{ "invoice", FIELD_TEXT, 0, 0, 10, "发票" },
	[C_TERMS] =	{ "terms", FIELD_TEXT, 0, 0, 10, "结算方式" },
	[C_DATE] =	{ "delivery_date", FIELD_TEXT, 0, 0, 10,
			  "期望到货日期" },
	[C_REMARK] =	{ "remark", FIELD_TEXT, 0, 0, ORDER_REMARK_MAX,
			  "备注" },
	[C_PO] =	{ "po_no", FIELD_TEXT, 0, 0, ORDER_PO_MAX,
			  "采购单号" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* The choices as sent (form or query); bad names are field errors. */
static int
checkout_in(struct ctx *c, struct form *f, struct checkout *in)
{
	int	bad = form_parse(c, checkout_fields, f) == -1;

	memset(in, 0, sizeof(*in));
	in->address_id = f->v[C_ADDRESS].present ? f->v[C_ADDRESS].i64 : 0;
	if (f->v[C_INVOICE].present && invoice_kind_parse(f->v[C_INVOICE].s,
	    &in->invoice) == -1) {
		form_error(c, f, "invoice", "发票", "应为 none、normal 或 special");
		bad = 1;
	}
	in->terms_given = f->v[C_TERMS].present;
	if (f->v[C_TERMS].present && pay_terms_parse(f->v[C_TERMS].s,
	    &in->terms) == -1) {
		form_error(c, f, "terms", "结算方式", "应为 prepaid 或 monthly");
		bad = 1;
	}
	in->delivery_date = f->v[C_DATE].s;
	in->remark = f->v[C_REMARK].s;
	in->po_no = f->v[C_PO].s;
	in->channel = h_order_channel(c);
	return bad ? -1 : 0;
}

/* The company's addresses to choose from (checkout and 代客下单). */
json_object *
h_checkout_addresses(struct ctx *c, const struct checkout_view *cv)
{
	json_object	*a = json_object_new_array(), *o;
	int		 i;

	for (i = 0; i < cv->naddresses; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", cv->addresses[i].id);
		view_set_str(o, "receiver", cv->addresses[i].receiver);
		view_set_str(o, "phone", cv->addresses[i].phone);
		view_set_str(o, "region", cv->addresses[i].region &&
		    *cv->addresses[i].region ? cv->addresses[i].region : NULL);
		view_set_str(o, "address", cv->addresses[i].address);
		view_set_bool(o, "is_default", cv->addresses[i].is_default);
		view_set_bool(o, "checked", cv->addresses[i].id ==
		    cv->address_id);
		json_object_array_add(a, o);
	}
	return a;
}

/* Each kind of invoice with what the order would cost with it. */
json_object *
h_checkout_invoices(struct ctx *c, const struct checkout_view *cv,
    enum invoice_kind chosen)
{
	json_object	*a = json_object_new_array(), *o;
	int		 k;

	for (k = INVOICE_NONE; k < INVOICE_NKINDS; k++) {
		o = json_object_new_object();
		view_set_str(o, "kind", invoice_kind_name(k));
		view_set_str(o, "label", invoice_kind_label(k));
		view_set_bool(o, "checked", (int)chosen == k);
		view_set_bool(o, "available", k == INVOICE_NONE ||
		    cv->profile[k].id != 0);
		view_set_str(o, "tax_pct", k == INVOICE_NONE ? NULL :
		    fmt_percent(c->d.arena, cv->money[k].tax_bp));
		if (cv->profile[k].id != 0) {
			view_set_str(o, "inv_title", cv->profile[k].title);
			view_set_str(o, "inv_tax_id", cv->profile[k].tax_id);
		}
		view_set_money(c, o, "subtotal", cv->money[k].subtotal_fen);
		view_set_money(c, o, "tax", cv->money[k].tax_fen);
		view_set_money(c, o, "total", cv->money[k].total_fen);
		json_object_array_add(a, o);
	}
	return a;
}

/*
 * The company's credit; over: monthly terms and the order (m) past what
 * is available, a warning before submit, which refuses it.
 */
json_object *
h_checkout_credit(struct ctx *c, const struct checkout_view *cv,
    const struct order_money *m)
{
	json_object	*o = json_object_new_object();

	view_set_bool(o, "monthly", cv->credit);
	view_set_i64(o, "days", cv->credit_days);
	view_set_money(c, o, "limit", cv->credit_limit_fen);
	view_set_money(c, o, "outstanding", cv->outstanding_fen);
	view_set_money(c, o, "available", cv->available_fen);
	view_set_bool(o, "over", cv->terms == TERMS_MONTHLY &&
	    m->total_fen > cv->available_fen);
	return o;
}

/* Monthly only for a company with credit; prepaid always. */
json_object *
h_checkout_terms(const struct checkout_view *cv, enum pay_terms chosen)
{
	json_object	*a = json_object_new_array(), *o;

	o = json_object_new_object();
	view_set_str(o, "value", "monthly");
	view_set_str(o, "label", "月结");
	view_set_bool(o, "available", cv->credit);
	view_set_bool(o, "checked", chosen == TERMS_MONTHLY);
	json_object_array_add(a, o);
	o = json_object_new_object();
	view_set_str(o, "value", "prepaid");
	view_set_str(o, "label", "预付款");
	view_set_bool(o, "available", 1);
	view_set_bool(o, "checked", chosen == TERMS_PREPAID);
	json_object_array_add(a, o);
	return a;
}

/* The choices the domain refused, as the form's errors. */
void
h_checkout_errors(struct ctx *c, struct form *f, const struct field_errors *fe)
{
	size_t	k;
	int	i;

	for (i = 0; i < fe->n; i++)
		for (k = 0; k < sizeof(checkout_names) /
		    sizeof(checkout_names[0]); k++)
			if ((int)checkout_names[k].field == fe->v[i].field)
				form_error(c, f, checkout_names[k].name,
				    checkout_names[k].label, fe->v[i].why);
}

static void
field_errors_view(struct ctx *c, json_object *v, struct form *f,
    const struct field_errors *fe)
{
	h_checkout_errors(c, f, fe);
	json_object_object_add(v, "errors", f->errors != NULL ?
	    json_object_get(f->errors) : json_object_new_object());
}

/*
 * A checkout of a quote the domain refused (expired, closed, a line that
 * cannot be ordered, accepted already): the quote's page says why, with
 * its reply form, as 409; JSON and other errors as they are.
 */
static int
quote_refused(struct ctx *c, const struct checkout *in, h_quote_page page,
    int rc)
{
	if (in->quote_id == 0 || page == NULL || rc != ERR_CONFLICT ||
	    c->json_out)
		return http_fail(c, rc, c->d.error);
	clog_info(&c->d, "quote order refused inquiry=%" PRId64 " code=%s "
	    "msg=\"%s\"", in->quote_id, c->d.code ? c->d.code : "conflict",
	    c->d.error);
	return page(c, in->quote_id, err_status(rc), c->d.error);
}

/* A quote's checkout: its links go back to it, its version is named. */
static void
quote_view(struct ctx *c, json_object *v, const struct checkout *in,
    const struct checkout_view *cv)
{
	json_object	*q = json_object_new_object();

	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/account/inquiries/%" PRId64 "/order", in->quote_id)));
	view_set_str(v, "cart_url", ctx_link(c, arena_printf(c->d.arena,
	    "/account/inquiries/%" PRId64, in->quote_id)));
	view_set_i64(q, "id", in->quote_id);
	view_set_i64(q, "version", cv->quote_version);
	view_set_str(q, "valid_until", cv->quote_until);
	json_object_object_add(v, "quote", q);
}

static int	checkout_render(struct ctx *, struct form *, struct checkout *,
		    const struct refusal *, h_quote_page, const struct form *);

/* The checkout page for the choices in (terms: the company's default
 * unless given); rf: after a refused submit, why, with its status. */
static int
checkout_page(struct ctx *c, struct form *f, struct checkout *in,
    const struct refusal *rf, h_quote_page page)
{
	return checkout_render(c, f, in, rf, page, NULL);
}

/* The same, after the new-address form af failed (NULL: it did not). */
static int
checkout_render(struct ctx *c, struct form *f, struct checkout *in,
    const struct refusal *rf, h_quote_page page, const struct form *af)
{
	struct checkout_view	 cv;
	struct field_errors	 fe;
	json_object		*v, *lines, *o;
	int			 i, rc;

	memset(&fe, 0, sizeof(fe));
	if ((rc = order_checkout(&c->d, in, &cv, &fe)) != 0)
		return quote_refused(c, in, page, rc);
	v = view_new(c);
	lines = json_object_new_array();
	for (i = 0; i < cv.cart.n; i++) {
		o = h_order_line_view(c, &cv.cart.lines[i]);
		if (in->quote_id != 0)	/* the quote's price, not the list's */
			view_set_str(o, "price_source", "quote");
		json_object_array_add(lines, o);
	}
	json_object_object_add(v, "lines", lines);
	view_set_i64(v, "count", cv.cart.n);
	view_set_i64(v, "units", cv.cart.units);
	view_set_bool(v, "empty", cv.cart.n == 0);
	view_set_bool(v, "has_problems", cv.cart.nproblems > 0);
	view_set_str(v, "company", cv.company);
	json_object_object_add(v, "addresses", h_checkout_addresses(c, &cv));
	view_set_bool(v, "no_address", cv.naddresses == 0);
	/* A consumer adds their own addresses; a dealer's salesperson does. */
	view_set_bool(v, "may_add_address", c->d.sess.consumer &&
	    in->quote_id == 0);
	view_set_str(v, "address_action", ctx_link(c, "/account/addresses"));
	if (af != NULL) {
		for (i = 0; i < A_NFIELDS; i++)
			view_set_str(v, arena_printf(c->d.arena, "new_%s",
			    address_fields[i].name), af->v[i].s);
		json_object_object_add(v, "address_errors", af->errors != NULL ?
		    json_object_get(af->errors) : json_object_new_object());
		view_set_bool(v, "address_open", 1);
	}
	json_object_object_add(v, "invoices", h_checkout_invoices(c, &cv,
	    in->invoice));
	json_object_object_add(v, "terms", h_checkout_terms(&cv, cv.terms));
	json_object_object_add(v, "credit", h_checkout_credit(c, &cv,
	    &cv.money[in->invoice]));
	view_set_money(c, v, "subtotal", cv.money[in->invoice].subtotal_fen);
	view_set_money(c, v, "tax", cv.money[in->invoice].tax_fen);
	view_set_money(c, v, "total", cv.money[in->invoice].total_fen);
	view_set_str(v, "invoice", invoice_kind_name(in->invoice));
	view_set_str(v, "delivery_date", in->delivery_date);
	view_set_str(v, "today", cv.today);
	view_set_str(v, "date_max", cv.date_max);
	view_set_str(v, "remark", in->remark);
	view_set_str(v, "po_no", in->po_no);
	view_set_i64(v, "remark_max", ORDER_REMARK_MAX);
	view_set_i64(v, "po_max", ORDER_PO_MAX);
	min_order_view(c, v, cv.min_order_fen, cv.short_fen);
	view_set_bool(v, "can_submit", cv.cart.n > 0 &&
	    cv.cart.nproblems == 0 && cv.naddresses > 0 && cv.short_fen == 0);
	if (in->quote_id != 0)
		quote_view(c, v, in, &cv);
	else {
		view_set_str(v, "action", ctx_link(c, "/orders"));
		view_set_str(v, "cart_url", ctx_link(c, "/cart"));
	}
	field_errors_view(c, v, f, &fe);
	if (rf != NULL) {
		view_set_str(v, "error", rf->message);
		c->status = rf->status;
	}
	c->title = in->quote_id != 0 ? "按报价下单" : "确认订单";
	return render(c, "checkout");
}

/*
 * The checkout page of the cart (quote_id 0) or of a quote; page shows
 * the quote with why the domain refused it (expired, closed, ...).
 */
int
h_checkout_show(struct ctx *c, int64_t quote_id, h_quote_page page)
{
	struct checkout	 in;
	struct form	 f;

	checkout_in(c, &f, &in);	/* bad choices: the defaults */
	in.quote_id = quote_id;
	return checkout_page(c, &f, &in, NULL, page);
}

static int
h_checkout(struct ctx *c)
{
	return h_checkout_show(c, 0, NULL);
}

/*
 * The submit's answer: the order, as JSON (201; 200 for a replay) or a
 * redirect: the buyer's done page, or for staff (代客下单) the order's
 * back-office page with a notice.
 */
int
h_order_placed(struct ctx *c, const struct order_placed *p, int staff)
{
	const char	*base = staff ? "/admin/orders" : "/orders";
	json_object	*v, *o;

	if (p->replayed)
		http_header(c, "Idempotent-Replayed", "true");
	/* A consumer pays now: the order page, at its WeChat Pay button. */
	if (!c->json_out && !staff && c->d.sess.consumer)
		return http_see_other(c, "%s", ctx_link(c, arena_printf(
		    c->d.arena, "/orders/%" PRId64 "?done=placed#pay", p->id)));
	if (!c->json_out)
		return http_see_other(c, "%s", ctx_link(c, arena_printf(
		    c->d.arena, "%s/%" PRId64 "%s", base, p->id, staff ?
		    "?done=order_placed" : "/done")));
	v = view_new(c);
	o = json_object_new_object();
	view_set_i64(o, "id", p->id);
	view_set_str(o, "order_no", p->order_no);
	view_set_str(o, "state", order_state_name(p->state));
	view_set_money(c, o, "total", p->total_fen);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/%" PRId64, base, p->id)));
	json_object_object_add(v, "order", o);
	view_set_bool(v, "replayed", p->replayed);
	return render_json_ok(c, p->replayed ? 200 : 201);
}

/* Place the cart (quote_id 0) or a quote as an order; page as above. */
int
h_checkout_submit(struct ctx *c, int64_t quote_id, h_quote_page page)
{
	struct order_placed	 p;
	struct field_errors	 fe;
	struct refusal		 rf;
	struct checkout		 in;
	struct form		 f;
	char			 hash[65];
	int			 rc, bad;

	bad = checkout_in(c, &f, &in) == -1;
	in.quote_id = quote_id;
	if (bad) {
		if (c->json_out)
			return http_fail(c, ERR_INVALID, f.error);
		memset(&rf, 0, sizeof(rf));
		rf.status = 400;
		rf.message = f.error;
		return checkout_page(c, &f, &in, &rf, page);
	}
	/* The order keeps the key (ROUTE_OWNKEY): one commit for both. */
	if ((in.idem_key = http_idem_key(c)) == NULL) {
		c->d.code = "idempotency_key_required";
		return http_fail(c, ERR_INVALID, "提交订单需要请求标识"
		    "（Idempotency-Key），以免重复下单");
	}
	if (!idempotency_valid_key(in.idem_key))
		return http_fail(c, ERR_INVALID, "请求标识（Idempotency-Key）"
		    "无效：应为 1 到 100 个可见 ASCII 字符");
	http_request_hash(c, hash);
	in.idem_hash = hash;
	memset(&fe, 0, sizeof(fe));
	if ((rc = order_submit(&c->d, &in, &p, &fe)) == 0)
		return h_order_placed(c, &p, 0);
	if (rc == ERR_CONFLICT)
		return quote_refused(c, &in, page, rc);
	if (c->json_out || (rc != ERR_INVALID && rc != ERR_OUT_OF_STOCK &&
	    rc != ERR_CREDIT_EXCEEDED)) {
		if (rc == ERR_INVALID && fe.n > 0) {
			h_checkout_errors(c, &f, &fe);
			return http_fail(c, rc, f.error);
		}
		return http_fail(c, rc, c->d.error);
	}
	clog_info(&c->d, "order refused code=%s msg=\"%s\"", c->d.code ?
	    c->d.code : "invalid", c->d.error);
	memset(&rf, 0, sizeof(rf));
	rf.status = err_status(rc);
	rf.message = c->d.error;
	return checkout_page(c, &f, &in, &rf, page);
}

static int
h_order_submit(struct ctx *c)
{
	return h_checkout_submit(c, 0, NULL);
}

/*
 * POST /account/addresses: a consumer adds a delivery address (the
 * first one, or another) from the checkout page, which shows it chosen;
 * a refusal shows the checkout again with the form's errors (400).
 */
static int
h_address_add(struct ctx *c)
{
	struct field_errs	 fe;
	struct address		 a;
	struct checkout		 in;
	struct refusal		 rf;
	struct form		 f, cf;
	int			 rc, i;

	if (!c->d.sess.consumer) {
		c->d.code = "address_by_staff";
		return http_fail(c, ERR_FORBIDDEN, "贵公司的收货地址由业务员维护，"
		    "请联系您的业务员添加");
	}
	memset(&fe, 0, sizeof(fe));
	memset(&a, 0, sizeof(a));
	rc = form_parse(c, address_fields, &f) == -1 ? ERR_INVALID : 0;
	a.receiver = f.v[A_RECEIVER].s;
	a.phone = f.v[A_PHONE].s;
	a.region = f.v[A_REGION].s;
	a.address = f.v[A_ADDRESS].s;
	a.is_default = 1;
	if (rc == 0)
		rc = address_save(&c->d, c->d.sess.customer_id, &a, &fe);
	if (rc == 0) {
		if (c->json_out) {
			json_object *v = view_new(c);

			view_set_i64(v, "id", a.id);
			return render_json_ok(c, 201);
		}
		return http_see_other(c, "%s", ctx_link(c, arena_printf(
		    c->d.arena, "/checkout?address_id=%" PRId64, a.id)));
	}
	if (rc != ERR_INVALID)
		return http_fail(c, rc, c->d.error);
	for (i = 0; i < fe.n; i++)
		form_error(c, &f, fe.v[i].name, fe.v[i].label, fe.v[i].why);
	if (c->json_out)
		return http_fail(c, ERR_INVALID, f.error);
	clog_info(&c->d, "address refused msg=\"%s\"", f.error);
	memset(&in, 0, sizeof(in));
	memset(&cf, 0, sizeof(cf));
	memset(&rf, 0, sizeof(rf));
	rf.status = 400;
	rf.message = arena_printf(c->d.arena, "收货地址未保存：%s", f.error);
	return checkout_render(c, &cf, &in, &rf, NULL, &f);
}

const struct route h_cart_routes[] = {
	{ "GET", "^(?:/api/v1)?/cart$", h_cart, ROUTE_CUSTOMER, NULL },
	{ "POST", "^(?:/api/v1)?/cart$", h_cart_add,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/cart/items/([0-9]{1,18})$", h_cart_set,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/cart/items/([0-9]{1,18})/delete$",
	  h_cart_remove, ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "GET", "^(?:/api/v1)?/checkout$", h_checkout, ROUTE_CUSTOMER, NULL },
	{ "POST", "^(?:/api/v1)?/account/addresses$", h_address_add,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/orders$", h_order_submit,
	  ROUTE_CUSTOMER | ROUTE_CSRF | ROUTE_OWNKEY, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
