/*
 * h_admin_quote.c -- 新建报价 in the back office: staff make a quote for a
 * company directly, lines of SKU code, quantity and unit price, valid
 * until a day, with a note. domain/quote.c makes it an inquiry of the
 * company, answered with version 1, which its users read under 我的询价
 * and may accept as an order. The routes are the inquiries' (they live
 * beside them in h_admin_inquiry.c).
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/customer.h"
#include "domain/inquiry.h"
#include "domain/quote.h"
#include "handlers/h_inquiry.h"

#define ROWS		8			/* lines the form offers */
#define PRICE_MAX	(10000000LL * 100)	/* fen: ten million yuan */
#define COMPANIES_MAX	500			/* in the select */

enum { F_CUSTOMER, F_UNTIL, F_NOTE, F_LINES };
#define F_SKU(i)	(F_LINES + 3 * (i))
#define F_QTY(i)	(F_LINES + 3 * (i) + 1)
#define F_PRICE(i)	(F_LINES + 3 * (i) + 2)

/* The form's fields: the company, the validity, the note, ROWS lines. */
static struct field *
quote_fields(struct ctx *c)
{
	struct field	*fl;
	int		 i;

	fl = arena_calloc(c->d.arena, F_LINES + 3 * ROWS + 1, sizeof(*fl));
	fl[F_CUSTOMER] = (struct field){ "customer_id", FIELD_ID,
	    FIELD_REQUIRED, 0, 0, "客户" };
	fl[F_UNTIL] = (struct field){ "valid_until", FIELD_TEXT, 0, 0, 10,
	    "报价有效期" };
	fl[F_NOTE] = (struct field){ "note", FIELD_TEXT, 0, 0,
	    INQUIRY_ANSWER_MAX, "说明" };
	for (i = 0; i < ROWS; i++) {
		fl[F_SKU(i)] = (struct field){ arena_printf(c->d.arena,
		    "sku_%d", i + 1), FIELD_TEXT, 0, 0, 64, arena_printf(
		    c->d.arena, "第 %d 行规格编码", i + 1) };
		fl[F_QTY(i)] = (struct field){ arena_printf(c->d.arena,
		    "qty_%d", i + 1), FIELD_INT, 0, 1, CART_QTY_MAX,
		    arena_printf(c->d.arena, "第 %d 行数量", i + 1) };
		fl[F_PRICE(i)] = (struct field){ arena_printf(c->d.arena,
		    "price_%d", i + 1), FIELD_MONEY, 0, 0, PRICE_MAX,
		    arena_printf(c->d.arena, "第 %d 行单价", i + 1) };
	}
	return fl;
}

/* The companies staff may quote for (their scope), chosen one checked. */
static json_object *
companies_view(struct ctx *c, int64_t chosen)
{
	struct company_query	 q;
	struct company_page	 pg;
	json_object		*a = json_object_new_array(), *o;
	int			 i;

	memset(&q, 0, sizeof(q));
	q.page = 1;
	q.per_page = COMPANIES_MAX;
	if (company_list(&c->d, &q, &pg) != 0)
		return a;
	for (i = 0; i < pg.n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", pg.rows[i].id);
		view_set_str(o, "name", pg.rows[i].name);
		view_set_bool(o, "selected", pg.rows[i].id == chosen);
		json_object_array_add(a, o);
	}
	return a;
}

/* The form, as typed when f is given, with its errors and error. */
static int
form_page(struct ctx *c, const struct form *f, const struct field *fl,
    const char *error)
{
	struct inquiry_quote_window	 w;
	json_object			*v, *rows, *o, *errs;
	const char			*chosen;
	int64_t				 cid = 0;
	int				 i;

	if (inquiry_quote_window(&c->d, &w) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = admin_view(c, "inquiries");
	errs = f != NULL ? f->errors : NULL;
	chosen = f != NULL ? f->v[F_CUSTOMER].s : kv_get(&c->query,
	    "customer_id");
	if (chosen != NULL)
		cid = strtoll(chosen, NULL, 10);
	json_object_object_add(v, "companies", companies_view(c, cid));
	rows = json_object_new_array();
	for (i = 0; i < ROWS; i++) {
		o = json_object_new_object();
		view_set_i64(o, "n", i + 1);
		if (f != NULL) {
			view_set_str(o, "sku", f->v[F_SKU(i)].s);
			view_set_str(o, "qty", f->v[F_QTY(i)].s);
			view_set_str(o, "price", f->v[F_PRICE(i)].s);
		}
		if (errs != NULL) {
			view_set_str(o, "sku_error", view_get_str(errs,
			    fl[F_SKU(i)].name));
			view_set_str(o, "qty_error", view_get_str(errs,
			    fl[F_QTY(i)].name));
			view_set_str(o, "price_error", view_get_str(errs,
			    fl[F_PRICE(i)].name));
		}
		json_object_array_add(rows, o);
	}
	json_object_object_add(v, "rows", rows);
	if (errs != NULL) {
		view_set_str(v, "customer_error", view_get_str(errs,
		    "customer_id"));
		view_set_str(v, "valid_error", view_get_str(errs,
		    "valid_until"));
	}
	view_set_str(v, "valid_until", f != NULL && f->v[F_UNTIL].s ?
	    f->v[F_UNTIL].s : w.dflt);
	view_set_str(v, "valid_min", w.today);
	view_set_str(v, "valid_max", w.last);
	view_set_str(v, "note", f != NULL ? f->v[F_NOTE].s : NULL);
	view_set_str(v, "error", error);
	view_set_str(v, "action", ctx_link(c, "/admin/inquiries/new"));
	view_set_str(v, "back", ctx_link(c, "/admin/inquiries"));
	c->title = "新建报价";
	return render(c, "admin/quote_new");
}

int
h_admin_quote_new(struct ctx *c)
{
	return form_page(c, NULL, NULL, NULL);
}

/* A refused form: JSON says why; the page again as typed, 400. */
static int
refused(struct ctx *c, struct form *f, const struct field *fl, int rc)
{
	if (rc != ERR_INVALID || c->json_out)
		return http_fail(c, rc, rc == ERR_INVALID ? f->error :
		    c->d.error);
	c->status = 400;
	return form_page(c, f, fl, f->error);
}

/* The filled rows as quote lines; a row half filled is an error. */
static int
lines_of(struct ctx *c, struct form *f, const struct field *fl,
    struct quote_new_line *l, int *n)
{
	int	i, bad = 0;

	*n = 0;
	for (i = 0; i < ROWS; i++) {
		if (!f->v[F_SKU(i)].present && !f->v[F_QTY(i)].present &&
		    !f->v[F_PRICE(i)].present)
			continue;
		if (!f->v[F_SKU(i)].present || !f->v[F_QTY(i)].present ||
		    !f->v[F_PRICE(i)].present) {
			form_error(c, f, fl[!f->v[F_SKU(i)].present ? F_SKU(i) :
			    !f->v[F_QTY(i)].present ? F_QTY(i) :
			    F_PRICE(i)].name, fl[F_SKU(i)].label,
			    "请把这一行的规格编码、数量和单价填全");
			bad = 1;
			continue;
		}
		l[*n].sku_code = f->v[F_SKU(i)].s;
		l[*n].qty = f->v[F_QTY(i)].i64;
		l[*n].unit_fen = f->v[F_PRICE(i)].i64;
		(*n)++;
	}
	return bad ? -1 : 0;
}

int
h_admin_quote_create(struct ctx *c)
{
	struct quote_new_line	 l[ROWS];
	struct quote_new	 in;
	enum quote_field	 bad;
	struct field		*fl = quote_fields(c);
	struct form		 f;
	int64_t			 id;
	int			 rc, line, n, i;

	if (form_parse(c, fl, &f) == -1 || lines_of(c, &f, fl, l, &n) == -1) {
		clog_info(&c->d, "quote create refused why=%s", f.error);
		return refused(c, &f, fl, ERR_INVALID);
	}
	memset(&in, 0, sizeof(in));
	in.customer_id = f.v[F_CUSTOMER].i64;
	in.lines = l;
	in.n = n;
	in.valid_until = f.v[F_UNTIL].s;
	in.note = f.v[F_NOTE].s;
	if ((rc = quote_create(&c->d, &in, &id, &bad, &line)) != 0) {
		if (rc != ERR_INVALID)
			return http_fail(c, rc, c->d.error);
		/* The line as the domain counted it: the nth filled row. */
		for (i = 0; bad == QUOTE_FIELD_LINE && line >= 0 &&
		    i < ROWS; i++)
			if (f.v[F_SKU(i)].present && line-- == 0)
				form_error(c, &f, fl[F_SKU(i)].name,
				    fl[F_SKU(i)].label, c->d.error);
		if (bad == QUOTE_FIELD_CUSTOMER)
			form_error(c, &f, "customer_id", "客户", c->d.error);
		else if (bad == QUOTE_FIELD_VALID_UNTIL)
			form_error(c, &f, "valid_until", "报价有效期",
			    c->d.error);
		else if (f.error == NULL)
			f.error = c->d.error;
		return refused(c, &f, fl, ERR_INVALID);
	}
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", id);
		return render_json_ok(c, 201);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/inquiries/%" PRId64 "?done=quoted", id)));
}
