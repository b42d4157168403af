/*
 * h_quick.c -- quick order (快速下单): a form for lines of "code
 * quantity", typed or pasted from Excel; the preview of every line with
 * its price, stock and what is wrong; and "全部加入进货单", which adds the
 * valid lines in one transaction and shows the others again, with why.
 * Each page has its JSON twin under /api/v1; no script needed.
 * domain/quick_order.c decides; here are the form and the views.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/order.h"
#include "domain/quick_order.h"
#include "handlers/h_order.h"
#include "handlers/h_quick.h"

/* The storefront asked for, else the shop's ordering one, else wholesale. */
int
h_quick_mode(struct ctx *c)
{
	const char	*m = req_param(c, "mode");

	/* A consumer orders in the retail mall only (docs/retail.md). */
	if (c->d.sess.consumer)
		return SHOP_MODE_RETAIL;
	if (m != NULL && strcmp(m, "wholesale") == 0)
		return SHOP_MODE_WHOLESALE;
	if (m != NULL && strcmp(m, "ordering") == 0)
		return SHOP_MODE_ORDERING;
	return (c->d.shop->modes & SHOP_MODE_ORDERING) ? SHOP_MODE_ORDERING :
	    SHOP_MODE_WHOLESALE;
}

/* One line as given and as found and priced (quick order, 代客下单). */
json_object *
h_quick_line_view(struct ctx *c, const struct quick_line *l)
{
	json_object	*o;
	int		 found = l->sku_id != 0 && l->status != QUICK_MERGED &&
			    l->pl.sku_code != NULL;

	o = found ? h_order_line_view(c, &l->pl) : json_object_new_object();
	view_set_bool(o, "found", found);
	if (found && l->pl.problem != LINE_UNAVAILABLE)
		view_set_str(o, "price_source_label",
		    price_source_label(l->pl.price.source));
	view_set_i64(o, "lineno", l->lineno);
	view_set_str(o, "code", l->code);
	view_set_str(o, "qty_text", l->qty_text);
	view_set_i64(o, "qty", l->qty);
	view_set_str(o, "status", l->status_code);
	view_set_bool(o, "ok", l->status == QUICK_OK);
	view_set_bool(o, "merged", l->status == QUICK_MERGED);
	view_set_bool(o, "added", l->added);
	view_set_str(o, "why", l->why);
	view_set_str(o, "note", l->note);
	if (l->into)
		view_set_i64(o, "merged_into", l->into);
	if (l->has_old && l->pl.problem != LINE_UNAVAILABLE &&
	    l->pl.sku_code != NULL && l->status != QUICK_MERGED) {
		view_set_money(c, o, "old_price", l->old_fen);
		view_set_bool(o, "price_changed",
		    l->pl.price.unit_fen != l->old_fen);
		view_set_bool(o, "price_up", l->pl.price.unit_fen > l->old_fen);
	}
	return o;
}

/* What is left to fix: the lines not added, as text to edit. */
static const char *
left_text(struct ctx *c, const struct quick_order *q)
{
	struct buf	 b;
	const char	*s;
	int		 i;

	buf_init(&b, 256);
	for (i = 0; i < q->n; i++)
		if (!q->v[i].added && q->v[i].status != QUICK_MERGED)
			buf_printf(&b, "%s %s\n", q->v[i].code,
			    q->v[i].qty_text);
	s = arena_strdup(c->d.arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

/*
 * The quick order page: the form (text as given), and after a preview or
 * an add every line with its status. q NULL: the empty form.
 */
json_object *
h_quick_view(struct ctx *c, int status, const char *error, const char *text,
    const struct quick_order *q, int after_add)
{
	json_object	*v, *lines;
	int		 i, mode = h_quick_mode(c);

	v = view_new(c);
	view_set_str(v, "text", text);
	view_set_str(v, "mode", mode == SHOP_MODE_WHOLESALE ? "wholesale" :
	    "ordering");
	view_set_bool(v, "both_modes", (c->d.shop->modes &
	    (SHOP_MODE_ORDERING | SHOP_MODE_WHOLESALE)) ==
	    (SHOP_MODE_ORDERING | SHOP_MODE_WHOLESALE));
	view_set_bool(v, "wholesale", mode == SHOP_MODE_WHOLESALE);
	view_set_str(v, "preview_action", ctx_link(c, "/quick/preview"));
	view_set_str(v, "add_action", ctx_link(c, "/quick"));
	view_set_str(v, "file_action", ctx_link(c, "/quick/file"));
	view_set_str(v, "cart_url", ctx_link(c, "/cart"));
	view_set_i64(v, "lines_max", QUICK_LINES_MAX);
	view_set_str(v, "error", error);
	if (q != NULL) {
		lines = json_object_new_array();
		for (i = 0; i < q->n; i++)
			json_object_array_add(lines, h_quick_line_view(c, &q->v[i]));
		json_object_object_add(v, "lines", lines);
		view_set_bool(v, "has_lines", q->n > 0);
		view_set_i64(v, "nlines", q->n);
		view_set_i64(v, "nok", q->nok);
		view_set_i64(v, "nbad", q->nbad);
		view_set_bool(v, "can_add", !after_add && q->nok > 0);
		view_set_money(c, v, "subtotal", q->subtotal_fen);
		view_set_bool(v, "after_add", after_add);
		if (after_add) {
			view_set_i64(v, "added", q->nok);
			view_set_str(v, "text", left_text(c, q));
		}
	}
	c->title = "快速下单";
	if (status != 0)
		c->status = status;
	return v;
}

static int
quick_page(struct ctx *c, int status, const char *error, const char *text,
    const struct quick_order *q, int after_add)
{
	h_quick_view(c, status, error, text, q, after_add);
	return render(c, "quick");
}

static int
h_quick_form(struct ctx *c)
{
	return quick_page(c, 0, NULL, NULL, NULL, 0);
}

/* The posted text, parsed; on a refusal the page (or JSON) says why. */
static int
parsed(struct ctx *c, struct quick_order *q, const char **text)
{
	int	rc;

	*text = req_param(c, "text");
	if ((rc = quick_parse(&c->d, *text, q)) == 0)
		return 0;
	clog_info(&c->d, "quick order refused code=%s", c->d.code ?
	    c->d.code : "invalid");
	if (c->json_out)
		return http_fail(c, rc, c->d.error);
	return quick_page(c, err_status(rc), c->d.error, *text, NULL, 0);
}

static int
h_quick_preview(struct ctx *c)
{
	struct quick_order	 q;
	const char		*text;
	int			 rc;

	if ((rc = parsed(c, &q, &text)) != 0)
		return rc;
	if ((rc = quick_preview(&c->d, h_quick_mode(c), &q)) != 0)
		return http_fail(c, rc, c->d.error);
	return quick_page(c, 0, NULL, text, &q, 0);
}

/*
 * Add every valid line. All added: to the cart (JSON: the lines). Else
 * the page again with the lines left to fix in the form; none at all
 * could be added: 400 (code nothing_to_add).
 */
static int
h_quick_add(struct ctx *c)
{
	struct quick_order	 q;
	const char		*text, *err = NULL;
	int			 rc, status = 0;

	if ((rc = parsed(c, &q, &text)) != 0)
		return rc;
	if ((rc = quick_add(&c->d, h_quick_mode(c), &q)) != 0)
		return http_fail(c, rc, c->d.error);
	clog_info(&c->d, "quick order: %d lines, %d added", q.n, q.nok);
	if (q.nok == 0) {
		c->d.code = "nothing_to_add";
		err = "没有可以加入进货单的商品，请按提示修改";
		if (c->json_out)
			return http_fail(c, ERR_INVALID, err);
		status = 400;
	} else if (q.nbad == 0 && !c->json_out)
		return http_see_other(c, "%s", ctx_link(c, "/cart?added=1"));
	return quick_page(c, status, err, text, &q, 1);
}

/* The file's lines as the form's text, to add from the preview. */
static const char *
file_text(struct ctx *c, const struct quick_order *q)
{
	struct buf	 b;
	const char	*s;
	int		 i;

	buf_init(&b, 256);
	for (i = 0; i < q->n; i++)
		if (*q->v[i].code != '\0' || *q->v[i].qty_text != '\0')
			buf_printf(&b, "%s\t%s\n", q->v[i].code,
			    q->v[i].qty_text);
	s = arena_strdup(c->d.arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

static const struct upload *
upload_of(struct ctx *c, const char *field)
{
	int	i;

	for (i = 0; i < c->nuploads; i++)
		if (strcmp(c->uploads[i].field, field) == 0)
			return &c->uploads[i];
	return NULL;
}

/*
 * POST /quick/file: a CSV or .xlsx of code and quantity, previewed like
 * pasted lines (numbered by the file's rows); its lines fill the form, to
 * add from there. JSON clients may send add=1 to add at once.
 */
static int
h_quick_file(struct ctx *c)
{
	const struct upload	*u;
	struct quick_order	 q;
	const char		*a;
	int			 rc, add;

	if ((u = upload_of(c, "file")) == NULL || u->len == 0)
		rc = quick_read_file(&c->d, "", 0, &q);
	else
		rc = quick_read_file(&c->d, u->data, u->len, &q);
	if (rc != 0) {
		clog_info(&c->d, "quick file refused code=%s msg=\"%s\"",
		    c->d.code ? c->d.code : "invalid", c->d.error);
		if (c->json_out)
			return http_fail(c, rc, c->d.error);
		return quick_page(c, err_status(rc), c->d.error, NULL, NULL, 0);
	}
	a = req_param(c, "add");
	add = c->json_out && a != NULL && strcmp(a, "1") == 0;
	rc = add ? quick_add(&c->d, h_quick_mode(c), &q) :
	    quick_preview(&c->d, h_quick_mode(c), &q);
	if (rc != 0)
		return http_fail(c, rc, c->d.error);
	clog_info(&c->d, "quick file %s: %d lines, %d ok%s", u->filename ?
	    u->filename : "-", q.n, q.nok, add ? ", added" : "");
	return quick_page(c, 0, NULL, file_text(c, &q), &q, add);
}

/*
 * POST /orders/:id/reorder (再来一单): the order's lines that can be
 * ordered now go to the cart at today's prices; the page lists each line:
 * added, its price then and now, or why it was left out (off the shelf,
 * short of stock), with those lines in the form to change and add.
 */
static int
h_reorder(struct ctx *c)
{
	struct quick_order	 q;
	const char		*no = NULL;
	int64_t			 id;
	int			 rc, i, changed = 0;
	json_object		*v;

	if (route_id(c, 0, &id) == -1)
		return http_fail(c, ERR_NOT_FOUND, "没有这个订单");
	if ((rc = quick_reorder(&c->d, id, h_quick_mode(c), &q, &no)) != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND && c->d.error ==
		    NULL ? "没有这个订单" : c->d.error);
	clog_info(&c->d, "reorder order=%" PRId64 ": %d lines, %d added", id,
	    q.n, q.nok);
	for (i = 0; i < q.n; i++)
		if (q.v[i].added && q.v[i].pl.price.unit_fen != q.v[i].old_fen)
			changed++;
	if (q.nbad == 0 && changed == 0 && !c->json_out)
		return http_see_other(c, "%s", ctx_link(c, "/cart?added=1"));
	v = h_quick_view(c, 0, q.nok == 0 ? "这个订单的商品现在都不能订购，"
	    "请看下方原因" : NULL, NULL, &q, 1);
	view_set_str(v, "reorder_no", no);
	view_set_i64(v, "price_changes", changed);
	view_set_str(v, "order_url", ctx_link(c, arena_printf(c->d.arena,
	    "/orders/%" PRId64, id)));
	c->title = "再来一单";
	return render(c, "quick");
}

const struct route h_quick_routes[] = {
	{ "GET", "^(?:/api/v1)?/quick$", h_quick_form, ROUTE_CUSTOMER, NULL },
	{ "POST", "^(?:/api/v1)?/quick/preview$", h_quick_preview,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/quick$", h_quick_add,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/quick/file$", h_quick_file,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^(?:/api/v1)?/orders/([0-9]{1,18})/reorder$", h_reorder,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
