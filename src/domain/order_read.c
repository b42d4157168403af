/*
 * order_read.c -- orders as they are read: the list (the shop's for
 * staff, with filters; a customer's company's own), one order with its
 * lines, its moves and its parcels, and the account page's summary of
 * open orders and credit. A customer's query is always bound to their
 * company: another company's order is not found, like a missing one.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/order.h"
#include "domain/order_rows.h"
#include "domain/order_edit.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

/*
 * Filters are bound values: '' or 0 switch one off; the days are China
 * dates, the range inclusive (a day ends at the next one's 00:00 there).
 * Staff see the orders of the companies in their scope (a salesperson's
 * own, docs/roles.md); a customer's scope_owner() is 0, and their
 * company is the customer filter.
 */
#define LIST_WHERE \
    "WHERE o.shop_id = ? AND (? = '' OR o.state = ?) " \
    "AND (? = 0 OR o.customer_id = ?) " \
    "AND (? = '' OR o.order_no LIKE ?) " \
    "AND o.created_at >= CAST(? AS DATE) - INTERVAL 8 HOUR " \
    "AND o.created_at < CAST(? AS DATE) + INTERVAL 1 DAY - INTERVAL 8 HOUR " \
    "AND " SCOPE_CUSTOMER_ID("o.customer_id") " "
#define WHO \
    "LEFT JOIN customer_user u ON u.id = o.customer_user_id " \
    "AND u.shop_id = o.shop_id " \
    "LEFT JOIN staff st ON st.id = o.staff_id AND st.shop_id = o.shop_id "

static const char sql_count[] =
    "SELECT COUNT(*) FROM sales_order o " LIST_WHERE;
static const char sql_list[] =
    "SELECT o.id, o.order_no, o.state, o.customer_id, cu.name, "
    "o.total_fen, o.line_count, " ORDER_LOCAL("o.created_at") ", "
    "(SELECT ol.name FROM order_line ol WHERE ol.shop_id = o.shop_id "
    "AND ol.order_id = o.id ORDER BY ol.line_no LIMIT 1), "
    "o.payment_terms, COALESCE(u.name, st.name), o.staff_id IS NOT NULL, "
    "o.channel, o.subtotal_fen, o.tax_fen "
    "FROM sales_order o JOIN customer cu ON cu.id = o.customer_id "
    "AND cu.shop_id = o.shop_id " WHO
    LIST_WHERE "ORDER BY o.created_at DESC, o.id DESC LIMIT ? OFFSET ?";
static const char sql_one[] =
    "SELECT o.id, o.order_no, o.state, o.customer_id, cu.name, "
    "o.total_fen, o.line_count, " ORDER_LOCAL("o.created_at") ", NULL, "
    "o.payment_terms, COALESCE(u.name, st.name), o.staff_id IS NOT NULL, "
    "o.channel, o.subtotal_fen, o.tax_fen, "
    "o.ship_receiver, o.ship_phone, o.ship_region, o.ship_address, "
    "o.invoice_type, o.invoice_title, o.invoice_tax_id, "
    "o.invoice_bank_name, o.invoice_bank_account, o.invoice_address, "
    "o.invoice_phone, o.tax_bp, DATE_FORMAT(o.delivery_date, '%Y-%m-%d'), "
    "o.remark, o.po_no, o.version, o.paid_fen, "
    "DATE_FORMAT(o.due_on, '%Y-%m-%d'), o.invoice_state "
    "FROM sales_order o JOIN customer cu ON cu.id = o.customer_id "
    "AND cu.shop_id = o.shop_id " WHO
    "WHERE o.id = ? AND o.shop_id = ? AND (? = 0 OR o.customer_id = ?) "
    "AND " SCOPE_CUSTOMER_ID("o.customer_id");
static const char sql_lines[] =
    "SELECT id, line_no, sku_id, sku_code, name, spec, unit, qty, unit_fen, "
    "price_source, line_fen, tax_fen, shipped_qty, orig_qty, orig_unit_fen "
    "FROM order_line "
    "WHERE shop_id = ? AND order_id = ? ORDER BY line_no";
static const char sql_events[] =
    "SELECT e.from_state, e.to_state, COALESCE(u.name, st.name), "
    "e.staff_id IS NOT NULL, e.note, " ORDER_LOCAL("e.created_at") " "
    "FROM order_event e LEFT JOIN customer_user u ON u.id = "
    "e.customer_user_id AND u.shop_id = e.shop_id "
    "LEFT JOIN staff st ON st.id = e.staff_id AND st.shop_id = e.shop_id "
    "WHERE e.shop_id = ? AND e.order_id = ? ORDER BY e.id";
static const char sql_shipments[] =
    "SELECT sh.id, sh.carrier, sh.tracking_no, "
    ORDER_LOCAL("sh.created_at") ", st.name FROM shipment sh "
    "LEFT JOIN staff st ON st.id = sh.staff_id AND st.shop_id = sh.shop_id "
    "WHERE sh.shop_id = ? AND sh.order_id = ? ORDER BY sh.id";
static const char sql_summary[] =
    "SELECT (SELECT COUNT(*) FROM sales_order o WHERE o.shop_id = cu.shop_id "
    "AND o.customer_id = cu.id AND o.state NOT IN ('completed', "
    "'cancelled')), cu.payment_terms, cu.credit_limit_fen, "
    "COALESCE(b.outstanding_fen, 0) FROM customer cu "
    "LEFT JOIN customer_balance b ON b.shop_id = cu.shop_id "
    "AND b.customer_id = cu.id WHERE cu.id = ? AND cu.shop_id = ?";

/* The company the actor is bound to: theirs for customers, 0 for staff. */
static int64_t
bound(struct dctx *c)
{
	return c->sess.kind == SESS_CUSTOMER ? c->sess.customer_id : 0;
}

static void
head_fill(const struct db_res *r, int i, struct order *o)
{
	memset(o, 0, sizeof(*o));
	o->id = db_cell_i64(r, i, 0);
	o->order_no = db_cell(r, i, 1);
	if (order_state_parse(db_cell(r, i, 2), &o->state) == -1)
		o->state = ORDER_SUBMITTED;
	o->customer_id = db_cell_i64(r, i, 3);
	o->customer = db_cell(r, i, 4);
	o->total_fen = db_cell_i64(r, i, 5);
	o->line_count = db_cell_i64(r, i, 6);
	o->created = db_cell(r, i, 7);
	o->first_item = db_cell(r, i, 8);
	if (pay_terms_parse(db_cell(r, i, 9), &o->terms) == -1)
		o->terms = TERMS_PREPAID;
	o->placed_by = db_cell(r, i, 10);
	o->by_staff = db_cell_i64(r, i, 11) != 0;
	o->channel = db_cell(r, i, 12);
	o->subtotal_fen = db_cell_i64(r, i, 13);
	o->tax_fen = db_cell_i64(r, i, 14);
}

/* A date filter: "YYYY-MM-DD" as typed, or NULL; -1 for anything else. */
static int
day_ok(const char *s)
{
	int	i;

	if (s == NULL)
		return 1;
	for (i = 0; s[i] != '\0'; i++)
		if (i > 9 || (i == 4 || i == 7 ? s[i] != '-' :
		    !isdigit((unsigned char)s[i])))
			return 0;
	return i == 10;
}

/*
 * One page of orders, newest first: the request's shop's (staff, with
 * q->customer_id as a filter) or the actor's company's (customers, whose
 * q->customer_id is ignored). ERR_INVALID (c->error) for a date that is
 * not YYYY-MM-DD.
 */
int
order_list(struct dctx *c, const struct order_query *q, struct order_list *out)
{
	struct db_res	*r;
	const char	*st = q->all ? "" : order_state_name(q->state);
	const char	*like, *from, *to;
	int64_t		 cust = bound(c) ? bound(c) : q->customer_id;
	int64_t		 per = q->per_page > 0 ? q->per_page : 20;
	int64_t		 off = (q->page > 1 ? q->page - 1 : 0) * per;
	int64_t		 so = scope_owner(c);
	int		 i;

	memset(out, 0, sizeof(*out));
	if (!day_ok(q->from) || !day_ok(q->to)) {
		c->error = "日期格式应为 YYYY-MM-DD";
		return ERR_INVALID;
	}
	like = q->q != NULL && *q->q ? like_pattern(c->arena, q->q) : "";
	from = q->from != NULL ? q->from : "2000-01-01";
	to = q->to != NULL ? q->to : "9999-12-30";
	if (db_run(c->arena, &r, sql_count, "issiissssi", c->shop->id, st, st,
	    cust, cust, like, like, from, to, so) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_list, "issiissssiii", c->shop->id, st,
	    st, cust, cust, like, like, from, to, so, per, off) == -1)
		return ERR_INTERNAL;
	out->rows = arena_calloc(c->arena, r->nrows + 1, sizeof(*out->rows));
	for (i = 0; i < r->nrows; i++)
		head_fill(r, i, &out->rows[i]);
	out->n = r->nrows;
	return 0;
}

static void
detail_fill(const struct db_res *r, struct order *o)
{
	const char	*inv = db_cell(r, 0, 19);

	o->ship_receiver = db_cell(r, 0, 15);
	o->ship_phone = db_cell(r, 0, 16);
	o->ship_region = db_cell(r, 0, 17);
	o->ship_address = db_cell(r, 0, 18);
	if (invoice_kind_parse(inv, &o->invoice) == -1)
		o->invoice = INVOICE_NONE;
	o->inv.title = db_cell(r, 0, 20);
	o->inv.tax_id = db_cell(r, 0, 21);
	o->inv.bank_name = db_cell(r, 0, 22);
	o->inv.bank_account = db_cell(r, 0, 23);
	o->inv.address = db_cell(r, 0, 24);
	o->inv.phone = db_cell(r, 0, 25);
	o->tax_bp = db_cell_i64(r, 0, 26);
	o->delivery_date = db_cell(r, 0, 27);
	o->remark = db_cell(r, 0, 28);
	o->po_no = db_cell(r, 0, 29);
	o->version = db_cell_i64(r, 0, 30);
	o->paid_fen = db_cell_i64(r, 0, 31);
	o->due_on = db_cell(r, 0, 32);
	o->invoice_state = db_cell(r, 0, 33);
}

static void
lines_fill(const struct db_res *r, struct order *o, struct arena *a)
{
	struct order_line_row	*l;
	int			 i;

	o->lines = arena_calloc(a, r->nrows + 1, sizeof(*o->lines));
	for (i = 0; i < r->nrows; i++) {
		l = &o->lines[i];
		l->id = db_cell_i64(r, i, 0);
		l->line_no = db_cell_i64(r, i, 1);
		l->sku_id = db_cell_i64(r, i, 2);
		l->sku_code = db_cell(r, i, 3);
		l->name = db_cell(r, i, 4);
		l->spec = db_cell(r, i, 5);
		l->unit = db_cell(r, i, 6);
		l->qty = db_cell_i64(r, i, 7);
		l->unit_fen = db_cell_i64(r, i, 8);
		l->price_source = db_cell(r, i, 9);
		l->line_fen = db_cell_i64(r, i, 10);
		l->tax_fen = db_cell_i64(r, i, 11);
		l->shipped_qty = db_cell_i64(r, i, 12);
		/* Staff adjusted it (order_edit.c): 0 units as placed, added. */
		l->added = db_cell(r, i, 13) != NULL &&
		    db_cell_i64(r, i, 13) == 0;
		l->changed = db_cell(r, i, 13) != NULL && !l->added;
		l->orig_qty = db_cell_i64(r, i, 13);
		l->orig_unit_fen = db_cell_i64(r, i, 14);
	}
	o->nlines = r->nrows;
}

static void
events_fill(const struct db_res *r, struct order *o, struct arena *a)
{
	struct order_event_row	*e;
	enum order_state	 st;
	int			 i;

	o->events = arena_calloc(a, r->nrows + 1, sizeof(*o->events));
	for (i = 0; i < r->nrows; i++) {
		e = &o->events[i];
		e->from = order_state_parse(db_cell(r, i, 0), &st) == 0 ?
		    (int)st : -1;
		if (order_state_parse(db_cell(r, i, 1), &e->to) == -1)
			e->to = ORDER_SUBMITTED;
		e->who = db_cell(r, i, 2);
		e->by_staff = db_cell_i64(r, i, 3) != 0;
		e->note = db_cell(r, i, 4);
		e->time = db_cell(r, i, 5);
	}
	o->nevents = r->nrows;
}

static void
shipments_fill(const struct db_res *r, struct order *o, struct arena *a)
{
	struct shipment_row	*s;
	int			 i;

	o->shipments = arena_calloc(a, r->nrows + 1, sizeof(*o->shipments));
	for (i = 0; i < r->nrows; i++) {
		s = &o->shipments[i];
		s->id = db_cell_i64(r, i, 0);
		s->carrier = db_cell(r, i, 1);
		s->tracking_no = db_cell(r, i, 2);
		s->time = db_cell(r, i, 3);
		s->staff = db_cell(r, i, 4);
	}
	o->nshipments = r->nrows;
}

/*
 * One order with its lines, moves and parcels, of the request's shop and,
 * for a customer, their company, for staff a company in their scope.
 * ERR_NOT_FOUND for any other.
 */
int
order_get(struct dctx *c, int64_t id, struct order *o)
{
	struct db_res	*r, *l, *e, *s;
	int64_t		 cust = bound(c);

	memset(o, 0, sizeof(*o));
	if (db_run(c->arena, &r, sql_one, "iiiii", id, c->shop->id, cust,
	    cust, scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "订单不存在";
		return ERR_NOT_FOUND;
	}
	if (db_run(c->arena, &l, sql_lines, "ii", c->shop->id, id) == -1 ||
	    db_run(c->arena, &e, sql_events, "ii", c->shop->id, id) == -1 ||
	    db_run(c->arena, &s, sql_shipments, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	head_fill(r, 0, o);
	detail_fill(r, o);
	lines_fill(l, o, c->arena);
	if (o->nlines > 0)
		o->first_item = o->lines[0].name;
	events_fill(e, o, c->arena);
	shipments_fill(s, o, c->arena);
	return o->version > 0 ? order_removed_read(c, o) : 0;
}

/* The actor's company (a customer user's): open orders and credit. */
int
order_summary(struct dctx *c, struct order_summary *s)
{
	struct db_res	*r;

	memset(s, 0, sizeof(*s));
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_summary, "ii", c->sess.customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	s->open = db_cell_i64(r, 0, 0);
	s->credit_limit_fen = db_cell_i64(r, 0, 2);
	s->credit = strcmp(db_cell(r, 0, 1), "monthly") == 0;
	s->outstanding_fen = db_cell_i64(r, 0, 3);
	s->available_fen = s->credit_limit_fen - s->outstanding_fen;
	return 0;
}
