/*
 * inquiry_read.c -- inquiries as staff and customers read them: the
 * shop's list with search, filters and pages, one inquiry with its
 * products' SKUs and prices as they are now, and a customer company's
 * own, each with its quote's total and validity. Every query is bound to
 * the request's shop (and company).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/inquiry.h"
#include "domain/inquiry_sql.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

/* The products asked about, as a JSON array, for one inquiry row i. */
#define LINES_JSON \
    "(SELECT JSON_ARRAYAGG(JSON_OBJECT('name', p.name, " \
    "'unit', COALESCE(p.unit, ''), 'qty', it.qty, 'spec', s.spec, " \
    "'quote', it.quoted_price_fen) ORDER BY it.id) " \
    "FROM inquiry_item it LEFT JOIN product p ON p.id = it.product_id " \
    "AND p.shop_id = i.shop_id LEFT JOIN sku s ON s.id = it.sku_id " \
    "AND s.shop_id = i.shop_id WHERE it.inquiry_id = i.id)"

/* The quote's last day and the days to it from today in China. */
#define VALIDITY \
    "DATE_FORMAT(i.quote_valid_until, '%Y-%m-%d'), " \
    "DATEDIFF(i.quote_valid_until, " INQUIRY_TODAY ")"

/* Whether the customer spoke last: their reply waits for staff. */
#define WAITING \
    "COALESCE((SELECT m.author = 'customer' FROM inquiry_message m " \
    "WHERE m.shop_id = i.shop_id AND m.inquiry_id = i.id " \
    "ORDER BY m.id DESC LIMIT 1), 0)"

/* Filters are bound as values: '' or 0 switch one off; then the scope. */
#define LIST_WHERE \
    "WHERE i.shop_id = ? AND (? = '' OR i.status = ?) " \
    "AND (? = 0 OR i.assigned_staff_id = ?) " \
    "AND (? = '' OR i.contact_name LIKE ? OR i.contact_phone LIKE ? " \
    "OR i.company LIKE ?) AND " SCOPE_INQUIRY("i") " "

static const char sql_count[] =
    "SELECT COUNT(*) FROM inquiry i " LIST_WHERE;
static const char sql_list[] =
    "SELECT i.id, " INQUIRY_LOCAL("i.created_at") ", i.contact_name, "
    "i.contact_phone, i.company, i.status, s.name, " LINES_JSON ", "
    "LEFT(i.message, 40), i.customer_user_id IS NOT NULL, " VALIDITY ", "
    WAITING " "
    "FROM inquiry i LEFT JOIN staff s ON s.id = i.assigned_staff_id "
    "AND s.shop_id = i.shop_id "
    LIST_WHERE "ORDER BY i.created_at DESC, i.id DESC LIMIT ? OFFSET ?";
static const char sql_one[] =
    "SELECT i.id, " INQUIRY_LOCAL("i.created_at") ", i.contact_name, "
    "i.contact_phone, i.company, i.message, i.status, "
    "COALESCE(i.assigned_staff_id, 0), s.name, i.answer, "
    INQUIRY_LOCAL("i.answered_at") ", cu.name, cu.phone, cust.id, "
    "cust.name, " VALIDITY ", COALESCE(i.accepted_order_id, 0), "
    "i.created_by_staff_id IS NOT NULL "
    "FROM inquiry i LEFT JOIN staff s ON s.id = i.assigned_staff_id "
    "AND s.shop_id = i.shop_id "
    "LEFT JOIN customer_user cu ON cu.id = i.customer_user_id "
    "AND cu.shop_id = i.shop_id "
    "LEFT JOIN customer cust ON cust.id = cu.customer_id "
    "AND cust.shop_id = i.shop_id "
    "WHERE i.id = ? AND i.shop_id = ? AND " SCOPE_INQUIRY("i");
static const char sql_lines[] =
    "SELECT it.id, p.name, p.code, p.unit, it.qty, "
    "COALESCE(it.quoted_price_fen, -1), p.on_shelf, s.code, s.spec "
    "FROM inquiry_item it JOIN inquiry i ON i.id = it.inquiry_id "
    "LEFT JOIN product p ON p.id = it.product_id AND p.shop_id = i.shop_id "
    "LEFT JOIN sku s ON s.id = it.sku_id AND s.shop_id = i.shop_id "
    "WHERE it.inquiry_id = ? AND i.shop_id = ? AND " SCOPE_INQUIRY("i")
    " ORDER BY it.id";
/* The SKUs of each line's product (or the one it names) as they are now,
 * with their tiers, ordered by line. */
static const char sql_skus[] =
    "SELECT it.id, s.id, s.code, s.spec, s.unit, s.min_qty, s.stock, "
    "s.price_fen, COALESCE(s.retail_price_fen, -1), "
    "(SELECT JSON_ARRAYAGG(JSON_OBJECT('q', t.min_qty, 'p', t.price_fen) "
    "ORDER BY t.min_qty) FROM price_tier t WHERE t.sku_id = s.id "
    "AND t.shop_id = s.shop_id) "
    "FROM inquiry_item it JOIN inquiry i ON i.id = it.inquiry_id "
    "JOIN sku s ON s.product_id = it.product_id AND s.shop_id = i.shop_id "
    "AND (it.sku_id IS NULL OR it.sku_id = s.id) "
    "WHERE it.inquiry_id = ? AND i.shop_id = ? ORDER BY it.id, s.sort, s.id";
static const char sql_staff[] =
    "SELECT id, name, role FROM staff WHERE shop_id = ? "
    "AND status = 'active' ORDER BY id";

/* A customer's company's inquiries: those any of its users sent. */
#define MINE_WHERE \
    "WHERE i.shop_id = ? AND i.customer_user_id IN (SELECT cu.id " \
    "FROM customer_user cu WHERE cu.shop_id = ? AND cu.customer_id = ?) "
#define MINE_COLS \
    "SELECT i.id, " INQUIRY_LOCAL("i.created_at") ", i.contact_name, " \
    "i.status, i.message, i.answer, " INQUIRY_LOCAL("i.answered_at") ", " \
    LINES_JSON ", " VALIDITY ", " WAITING ", " \
    "COALESCE(i.accepted_order_id, 0), i.created_by_staff_id IS NOT NULL "
static const char sql_mine_count[] =
    "SELECT COUNT(*) FROM inquiry i " MINE_WHERE;
static const char sql_mine[] =
    MINE_COLS "FROM inquiry i " MINE_WHERE "ORDER BY i.id DESC "
    "LIMIT ? OFFSET ?";
static const char sql_mine_one[] =
    MINE_COLS "FROM inquiry i " MINE_WHERE "AND i.id = ?";

static const char *
json_str(struct arena *a, json_object *o, const char *key)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return arena_strdup(a, json_object_get_string(v));
}

static int64_t
json_i64(json_object *o, const char *key, int64_t absent)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return absent;
	return json_object_get_int64(v);
}

/* A JSON array the database built; NULL, and *n 0, if it is none. */
static json_object *
json_array(const char *text, size_t *n)
{
	json_object	*in;

	*n = 0;
	if (text == NULL || (in = json_tokener_parse(text)) == NULL)
		return NULL;
	if (!json_object_is_type(in, json_type_array)) {
		json_object_put(in);
		return NULL;
	}
	*n = json_object_array_length(in);
	return in;
}

/* The quote's sum over the lines that have a price. */
static void
quote_sum(struct inquiry *q)
{
	int	i;

	q->nquoted = 0;
	q->quote_total_fen = 0;
	for (i = 0; i < q->nlines; i++)
		if (q->lines[i].quote_fen >= 0) {
			q->nquoted++;
			q->quote_total_fen += q->lines[i].quote_fen *
			    q->lines[i].qty;
		}
}

/* The validity columns VALIDITY puts at col and col + 1. */
static void
validity(struct inquiry *q, const struct db_res *r, int row, int col)
{
	q->quote_until = db_cell(r, row, col);
	q->quote_days = db_cell_i64(r, row, col + 1);
}

/* LINES_JSON's array as lines: name, unit, qty, spec, quote. */
static void
lines_parse(struct dctx *c, const char *text, struct inquiry *q)
{
	struct inquiry_line	*l;
	json_object		*in, *e;
	size_t			 i, n;

	in = json_array(text, &n);
	q->lines = arena_calloc(c->arena, n + 1, sizeof(*q->lines));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(in, i);
		l = &q->lines[i];
		l->name = json_str(c->arena, e, "name");
		l->unit = json_str(c->arena, e, "unit");
		l->qty = json_i64(e, "qty", 0);
		l->spec = json_str(c->arena, e, "spec");
		l->quote_fen = json_i64(e, "quote", -1);
	}
	q->nlines = (int)n;
	json_object_put(in);
	quote_sum(q);
}

/* The tiers sql_skus gives as JSON, by quantity. */
static void
tiers_parse(struct dctx *c, const char *text, struct inquiry_sku *s)
{
	json_object	*in, *e;
	size_t		 i, n;

	in = json_array(text, &n);
	s->tiers = arena_alloc(c->arena, (n + 1) * sizeof(*s->tiers));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(in, i);
		s->tiers[i].min_qty = json_i64(e, "q", 0);
		s->tiers[i].price_fen = json_i64(e, "p", 0);
	}
	s->ntiers = (int)n;
	json_object_put(in);
}

static enum inquiry_status
status_of(const char *s)
{
	enum inquiry_status	st;

	return s != NULL && inquiry_status_parse(s, &st) == 0 ? st :
	    INQUIRY_OPEN;
}

/* The like patterns and switches LIST_WHERE binds. */
struct where {
	const char	*status;
	int64_t		 mine;
	const char	*q;
	const char	*like;
};

static void
where_of(struct dctx *c, const struct inquiry_query *qy, struct where *w)
{
	w->status = qy->all ? "" : inquiry_status_name(qy->status);
	w->mine = qy->mine != 0;
	w->q = qy->q != NULL ? qy->q : "";
	w->like = like_pattern(c->arena, w->q);
}

/* Room for r's rows in out, zeroed. */
static void
rows_new(struct dctx *c, const struct db_res *r, struct inquiry_list *out)
{
	out->rows = arena_calloc(c->arena, (size_t)r->nrows + 1,
	    sizeof(*out->rows));
	out->n = r->nrows;
}

/* Row i's first columns, as both lists start: id, time, contact. */
static struct inquiry *
row_head(struct inquiry_list *out, const struct db_res *r, int i)
{
	struct inquiry	*q = &out->rows[i];

	q->id = db_cell_i64(r, i, 0);
	q->created = db_cell(r, i, 1);
	q->contact_name = db_cell(r, i, 2);
	return q;
}

static void
list_rows(struct dctx *c, struct db_res *r, struct inquiry_list *out)
{
	struct inquiry	*q;
	int		 i;

	rows_new(c, r, out);
	for (i = 0; i < r->nrows; i++) {
		q = row_head(out, r, i);
		q->contact_phone = db_cell(r, i, 3);
		q->company = db_cell(r, i, 4);
		q->status = status_of(db_cell(r, i, 5));
		q->staff_name = db_cell(r, i, 6);
		lines_parse(c, db_cell(r, i, 7), q);
		q->message = db_cell(r, i, 8);
		q->from_customer = db_cell_i64(r, i, 9) != 0;
		validity(q, r, i, 10);
		q->customer_waiting = db_cell_i64(r, i, 12) != 0;
	}
}

/*
 * One page of the shop's inquiries in the actor's scope (scope_sql.h:
 * a salesperson's customers' and the guests' nobody else has), newest
 * first, with the total.
 */
int
inquiry_list(struct dctx *c, const struct inquiry_query *qy,
    struct inquiry_list *out)
{
	struct db_res	*r;
	struct where	 w;
	int64_t		 off = (qy->page > 1 ? qy->page - 1 : 0) * qy->per_page;
	int64_t		 so = scope_owner(c);

	memset(out, 0, sizeof(*out));
	where_of(c, qy, &w);
	if (db_run(c->arena, &r, sql_count, "issiissssiii", c->shop->id,
	    w.status, w.status, w.mine, c->sess.user_id, w.q, w.like, w.like,
	    w.like, so, so, so) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_list, "issiissssiiiii", c->shop->id,
	    w.status, w.status, w.mine, c->sess.user_id, w.q, w.like, w.like,
	    w.like, so, so, so, (int64_t)qy->per_page, off) == -1)
		return ERR_INTERNAL;
	list_rows(c, r, out);
	return 0;
}

/* The lines of one of the shop's inquiries in the actor's scope (none if
 * it has no such). */
int
inquiry_lines(struct dctx *c, int64_t id, struct inquiry_line **out, int *n)
{
	struct inquiry_line	*l;
	struct db_res		*r;
	int64_t			 so;
	int			 i;

	*out = NULL;
	*n = 0;
	so = scope_owner(c);
	if (db_run(c->arena, &r, sql_lines, "iiiii", id, c->shop->id, so, so,
	    so) == -1)
		return ERR_INTERNAL;
	l = arena_calloc(c->arena, r->nrows + 1, sizeof(*l));
	for (i = 0; i < r->nrows; i++) {
		l[i].id = db_cell_i64(r, i, 0);
		l[i].name = db_cell(r, i, 1);
		l[i].code = db_cell(r, i, 2);
		l[i].unit = db_cell(r, i, 3);
		l[i].qty = db_cell_i64(r, i, 4);
		l[i].quote_fen = db_cell_i64(r, i, 5);
		l[i].off_shelf = db_cell(r, i, 6) != NULL &&
		    db_cell_i64(r, i, 6) == 0;
		l[i].sku_code = db_cell(r, i, 7);
		l[i].spec = db_cell(r, i, 8);
	}
	*out = l;
	*n = r->nrows;
	return 0;
}

static struct inquiry_line *
line_by_id(struct inquiry *q, int64_t id)
{
	int	i;

	for (i = 0; i < q->nlines; i++)
		if (q->lines[i].id == id)
			return &q->lines[i];
	return NULL;
}

/* Each line's SKUs as they are now (sql_skus: rows by line). */
static int
lines_skus(struct dctx *c, struct inquiry *q)
{
	struct inquiry_line	*l;
	struct inquiry_sku	*s;
	struct db_res		*r;
	int			 i;

	if (db_run(c->arena, &r, sql_skus, "ii", q->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < q->nlines; i++)
		q->lines[i].skus = arena_alloc(c->arena, (r->nrows + 1) *
		    sizeof(*q->lines[i].skus));
	for (i = 0; i < r->nrows; i++) {
		if ((l = line_by_id(q, db_cell_i64(r, i, 0))) == NULL)
			continue;
		s = &l->skus[l->nskus++];
		s->id = db_cell_i64(r, i, 1);
		s->code = db_cell(r, i, 2);
		s->spec = db_cell(r, i, 3);
		s->unit = db_cell(r, i, 4);
		s->min_qty = db_cell_i64(r, i, 5);
		s->stock = db_cell_i64(r, i, 6);
		s->price_fen = db_cell_i64(r, i, 7);
		s->retail_fen = db_cell_i64(r, i, 8);
		tiers_parse(c, db_cell(r, i, 9), s);
	}
	return 0;
}

/*
 * One of the shop's inquiries in the actor's scope (another's is
 * ERR_NOT_FOUND, like one not there), who sent it, its lines and their
 * SKUs.
 */
int
inquiry_get(struct dctx *c, int64_t id, struct inquiry *q)
{
	struct db_res	*r;
	int64_t		 so;
	int		 rc;

	memset(q, 0, sizeof(*q));
	so = scope_owner(c);
	if (db_run(c->arena, &r, sql_one, "iiiii", id, c->shop->id, so, so,
	    so) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "询价不存在";
		return ERR_NOT_FOUND;
	}
	q->id = db_cell_i64(r, 0, 0);
	q->created = db_cell(r, 0, 1);
	q->contact_name = db_cell(r, 0, 2);
	q->contact_phone = db_cell(r, 0, 3);
	q->company = db_cell(r, 0, 4);
	q->message = db_cell(r, 0, 5);
	q->status = status_of(db_cell(r, 0, 6));
	q->staff_id = db_cell_i64(r, 0, 7);
	q->staff_name = db_cell(r, 0, 8);
	q->answer = db_cell(r, 0, 9);
	q->answered = db_cell(r, 0, 10);
	q->user_name = db_cell(r, 0, 11);
	q->user_phone = db_cell(r, 0, 12);
	q->customer_id = db_cell_i64(r, 0, 13);
	q->customer_name = db_cell(r, 0, 14);
	q->from_customer = q->customer_id != 0;
	validity(q, r, 0, 15);
	q->accepted_order_id = db_cell_i64(r, 0, 17);
	q->by_staff = db_cell_i64(r, 0, 18) != 0;
	if ((rc = inquiry_lines(c, id, &q->lines, &q->nlines)) != 0 ||
	    (rc = inquiry_messages(c, q)) != 0)
		return rc;
	quote_sum(q);
	return lines_skus(c, q);
}

/* The shop's active staff, whom an inquiry may be assigned to. */
int
inquiry_assignees(struct dctx *c, struct inquiry_assignee **out, int *n)
{
	struct inquiry_assignee	*a;
	struct db_res		*r;
	int			 i;

	*out = NULL;
	*n = 0;
	if (db_run(c->arena, &r, sql_staff, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	a = arena_alloc(c->arena, (r->nrows + 1) * sizeof(*a));
	for (i = 0; i < r->nrows; i++) {
		a[i].id = db_cell_i64(r, i, 0);
		a[i].name = db_cell(r, i, 1);
		a[i].role = db_cell(r, i, 2);
	}
	*out = a;
	*n = r->nrows;
	return 0;
}

/* MINE_COLS rows as inquiries. */
static void
mine_rows(struct dctx *c, struct db_res *r, struct inquiry_list *out)
{
	struct inquiry	*q;
	int		 i;

	rows_new(c, r, out);
	for (i = 0; i < r->nrows; i++) {
		q = row_head(out, r, i);
		q->status = status_of(db_cell(r, i, 3));
		q->message = db_cell(r, i, 4);
		q->answer = db_cell(r, i, 5);
		q->answered = db_cell(r, i, 6);
		lines_parse(c, db_cell(r, i, 7), q);
		validity(q, r, i, 8);
		q->customer_waiting = db_cell_i64(r, i, 10) != 0;
		q->accepted_order_id = db_cell_i64(r, i, 11);
		q->by_staff = db_cell_i64(r, i, 12) != 0;
		q->from_customer = !q->by_staff;
	}
}

/* A page of the actor's company's inquiries, newest first. */
int
inquiry_mine(struct dctx *c, int64_t page, int per_page,
    struct inquiry_list *out)
{
	struct db_res	*r;
	int64_t		 shop = c->shop->id, cust = c->sess.customer_id;

	memset(out, 0, sizeof(*out));
	if (db_run(c->arena, &r, sql_mine_count, "iii", shop, shop,
	    cust) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_mine, "iiiii", shop, shop, cust,
	    (int64_t)per_page, (page > 1 ? page - 1 : 0) * per_page) == -1)
		return ERR_INTERNAL;
	mine_rows(c, r, out);
	return 0;
}

/*
 * One of them with its lines (their SKUs as asked) and its conversation:
 * another company's, like another shop's, does not exist.
 */
int
inquiry_mine_get(struct dctx *c, int64_t id, struct inquiry *q)
{
	struct inquiry_list	 l;
	struct db_res		*r;
	int			 rc;

	memset(q, 0, sizeof(*q));
	if (db_run(c->arena, &r, sql_mine_one, "iiii", c->shop->id,
	    c->shop->id, c->sess.customer_id, id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "询价不存在";
		return ERR_NOT_FOUND;
	}
	mine_rows(c, r, &l);
	*q = l.rows[0];
	if ((rc = inquiry_lines(c, id, &q->lines, &q->nlines)) != 0)
		return rc;
	quote_sum(q);
	return inquiry_messages(c, q);
}

/* What the quote is worth today: the domain's word on validity. */
enum inquiry_quote_state
inquiry_quote_state(const struct inquiry *q)
{
	if (q->nquoted == 0)
		return INQUIRY_QUOTE_NONE;
	if (q->quote_until != NULL && q->quote_days < 0)
		return INQUIRY_QUOTE_EXPIRED;
	return INQUIRY_QUOTE_VALID;
}
