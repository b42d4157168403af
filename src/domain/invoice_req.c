/*
 * invoice_req.c -- a company asks for an invoice (开票申请) for orders it
 * placed with that kind of invoice: each order its own, live, of the
 * kind asked and on no other live request; the amounts are the orders'
 * (tax per line as placed, docs/orders.md), the title and tax details
 * the first order's snapshot. One transaction with the orders locked,
 * so two requests for one order cannot both pass. Listing and reading
 * are kept to the company (users) or the actor's customer scope (staff).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/invoice_request.h"
#include "domain/order.h"
#include "domain/order_rows.h"
#include "domain/payment_rows.h"
#include "domain/pricing.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"
#include "domain/session.h"

#define ORDER_COLS \
    "SELECT id, order_no, invoice_type, " \
    "DATE_FORMAT(created_at + INTERVAL 8 HOUR, '%Y-%m-%d'), subtotal_fen, " \
    "tax_fen, total_fen, invoice_state, state, invoice_title, " \
    "invoice_tax_id, invoice_bank_name, invoice_bank_account, " \
    "invoice_address, invoice_phone FROM sales_order "

static const char sql_orders[] =
    ORDER_COLS "WHERE shop_id = ? AND customer_id = ? AND state IN "
    PAYABLE_STATES
    " AND invoice_type <> 'none' AND invoice_state = 'none' "
    "ORDER BY id DESC LIMIT 200";
static const char sql_order_lock[] =
    ORDER_COLS "WHERE id = ? AND shop_id = ? AND customer_id = ? FOR UPDATE";
static const char sql_insert[] =
    "INSERT INTO invoice_request (shop_id, customer_id, customer_user_id, "
    "statement_id, kind, title, tax_id, bank_name, bank_account, address, "
    "phone, orders, subtotal_fen, tax_fen, total_fen, remark) VALUES (?, ?, "
    "?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* A statement of the company, and its month's orders an invoice can be
 * asked for (placed in the month, with an invoice, none asked yet). */
static const char sql_statement[] =
    "SELECT period FROM statement WHERE id = ? AND shop_id = ? "
    "AND customer_id = ?";
static const char sql_statement_orders[] =
    "SELECT o.id, o.invoice_type FROM sales_order o JOIN statement s "
    "ON s.id = ? AND s.shop_id = o.shop_id AND s.customer_id = "
    "o.customer_id WHERE o.shop_id = ? AND o.customer_id = ? AND "
    "o.created_at >= s.starts_at AND o.created_at < s.ends_at AND o.state IN "
    PAYABLE_STATES " AND o.invoice_type <> 'none' AND "
    "o.invoice_state = 'none' ORDER BY o.id LIMIT 50";
static const char sql_link[] =
    "INSERT INTO invoice_request_order (shop_id, request_id, order_id) "
    "VALUES (?, ?, ?)";
static const char sql_mark[] =
    "UPDATE sales_order SET invoice_state = 'requested' WHERE id = ? "
    "AND shop_id = ?";

#define ROW_COLS \
    "SELECT r.id, r.customer_id, cu.name, r.kind, r.title, r.tax_id, " \
    "r.bank_name, r.bank_account, r.address, r.phone, r.orders, " \
    "r.subtotal_fen, r.tax_fen, r.total_fen, r.remark, r.state, " \
    "r.invoice_no, DATE_FORMAT(r.issued_on, '%Y-%m-%d'), r.file_type, " \
    "r.reason, u.name, s.name, " ORDER_LOCAL("r.created_at") " " \
    "FROM invoice_request r JOIN customer cu ON cu.id = r.customer_id " \
    "LEFT JOIN customer_user u ON u.id = r.customer_user_id " \
    "LEFT JOIN staff s ON s.id = r.decided_by "
/* ? shop, state, state, company (0: any), company, scope. */
#define LIST_WHERE \
    "WHERE r.shop_id = ? AND (? = '' OR r.state = ?) AND " \
    "(? = 0 OR r.customer_id = ?) AND " SCOPE_CUSTOMER("cu") " "
static const char sql_count[] =
    "SELECT COUNT(*), COALESCE(SUM(r.state = 'requested'), 0) FROM "
    "invoice_request r JOIN customer cu ON cu.id = r.customer_id "
    LIST_WHERE;
static const char sql_page[] =
    ROW_COLS LIST_WHERE "ORDER BY r.state = 'requested' DESC, r.id DESC "
    "LIMIT ? OFFSET ?";
static const char sql_one[] =
    ROW_COLS "WHERE r.id = ? AND r.shop_id = ? AND (? = 0 OR "
    "r.customer_id = ?) AND " SCOPE_CUSTOMER("cu");
static const char sql_req_orders[] =
    "SELECT o.id, o.order_no, o.invoice_type, "
    "DATE_FORMAT(o.created_at + INTERVAL 8 HOUR, '%Y-%m-%d'), "
    "o.subtotal_fen, o.tax_fen, o.total_fen, o.invoice_state "
    "FROM invoice_request_order l JOIN sales_order o ON o.id = l.order_id "
    "WHERE l.shop_id = ? AND l.request_id = ? ORDER BY o.id";

static const char *const state_names[] = { "requested", "issued",
	"rejected" };

const char *
invreq_state_name(enum invreq_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "";
}

const char *
invreq_state_label(enum invreq_state s)
{
	static const char *const labels[] = { "待开票", "已开票", "已驳回" };

	return (unsigned)s < 3 ? labels[s] : "";
}

int
invreq_state_parse(const char *s)
{
	return name_pos(state_names, 3, s);
}

static void
order_of(const struct db_res *r, int i, struct invreq_order *o)
{
	o->id = db_cell_i64(r, i, 0);
	o->order_no = db_cell(r, i, 1);
	o->kind = db_cell(r, i, 2);
	o->placed = db_cell(r, i, 3);
	o->subtotal_fen = db_cell_i64(r, i, 4);
	o->tax_fen = db_cell_i64(r, i, 5);
	o->total_fen = db_cell_i64(r, i, 6);
	o->invoice_state = db_cell(r, i, 7);
}

static int
user_may(struct dctx *c)
{
	if (c->sess.kind == SESS_CUSTOMER && c->sess.customer_id != 0 &&
	    c->sess.role != NULL && name_in_list(INVREQ_USER_ROLES,
	    c->sess.role))
		return 1;
	c->error = "只有采购和财务可以申请开票";
	return 0;
}

/* The company's orders an invoice can be asked for now, newest first. */
int
invreq_orders(struct dctx *c, struct invreq_order **out, int *n)
{
	struct db_res	*r;
	int		 i;

	*out = NULL;
	*n = 0;
	if (c->sess.kind != SESS_CUSTOMER || c->sess.customer_id == 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_orders, "ii", c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++)
		order_of(r, i, &(*out)[i]);
	*n = r->nrows;
	return 0;
}

struct mk {
	const char	*kind;
	const int64_t	*ids;
	int		 n;
	const char	*remark;
	int64_t		 statement;
	int64_t		 id;
};

/*
 * The orders of statement sid (the company's) an invoice can be asked
 * for, and the kind most of them were placed with: for the request page
 * opened from a statement. ERR_NOT_FOUND for another company's.
 */
int
invreq_statement_orders(struct dctx *c, int64_t sid, int64_t **ids, int *n,
    const char **kind, const char **period)
{
	struct db_res	*r;
	int		 i, special = 0;

	*ids = NULL;
	*n = 0;
	*kind = "normal";
	*period = NULL;
	if (c->sess.kind != SESS_CUSTOMER || c->sess.customer_id == 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_statement, "iii", sid, c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这张对账单";
		return ERR_NOT_FOUND;
	}
	*period = db_cell(r, 0, 0);
	if (db_run(c->arena, &r, sql_statement_orders, "iii", sid,
	    c->shop->id, c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	*ids = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**ids));
	for (i = 0; i < r->nrows; i++)
		special += strcmp(db_cell(r, i, 1), "special") == 0;
	if (special * 2 > r->nrows)
		*kind = "special";
	/* One request is one kind: the month's orders of the kind most of
	 * them have (the rest can be asked for next). */
	for (i = 0; i < r->nrows; i++)
		if (strcmp(db_cell(r, i, 1), *kind) == 0)
			(*ids)[(*n)++] = db_cell_i64(r, i, 0);
	return 0;
}

static int
refuse(struct dctx *c, const char *code, const char *msg, int rc)
{
	c->code = code;
	c->error = msg;
	return rc;
}

static int
tx_create(struct dctx *c, void *arg)
{
	struct mk	*m = arg;
	struct db_res	*r, *first = NULL;
	int64_t		 sub = 0, tax = 0, total = 0;
	int		 i, j;

	c->code = NULL;
	for (i = 0; i < m->n; i++) {
		for (j = 0; j < i; j++)
			if (m->ids[j] == m->ids[i])
				return refuse(c, "invalid", "同一订单选了两次",
				    ERR_INVALID);
		if (db_run(c->arena, &r, sql_order_lock, "iii", m->ids[i],
		    c->shop->id, c->sess.customer_id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			return refuse(c, NULL, "没有这张订单", ERR_NOT_FOUND);
		if (!order_state_payable(db_cell(r, 0, 8)))
			return refuse(c, "not_invoiceable", arena_printf(
			    c->arena, "订单 %s 现在不能开票", db_cell(r, 0, 1)),
			    ERR_CONFLICT);
		if (strcmp(db_cell(r, 0, 2), m->kind) != 0)
			return refuse(c, "invoice_kind_mismatch", arena_printf(
			    c->arena, "订单 %s 下单时%s，不能开%s", db_cell(r, 0,
			    1), strcmp(db_cell(r, 0, 2), "none") == 0 ?
			    "选择了不开票" : "选择的是另一种发票",
			    strcmp(m->kind, "special") == 0 ? "专票" : "普票"),
			    ERR_INVALID);
		if (strcmp(db_cell(r, 0, 7), "none") != 0)
			return refuse(c, "already_requested", arena_printf(
			    c->arena, "订单 %s 已申请过开票", db_cell(r, 0, 1)),
			    ERR_CONFLICT);
		sub += db_cell_i64(r, 0, 4);
		tax += db_cell_i64(r, 0, 5);
		total += db_cell_i64(r, 0, 6);
		if (first == NULL)
			first = r;
	}
	if (m->statement != 0) {
		if (db_run(c->arena, &r, sql_statement, "iii", m->statement,
		    c->shop->id, c->sess.customer_id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			return refuse(c, NULL, "没有这张对账单", ERR_NOT_FOUND);
	}
	if (db_run(c->arena, &r, sql_insert, "iiiisssssssiiiis", c->shop->id,
	    c->sess.customer_id, c->sess.user_id, m->statement, m->kind,
	    db_cell(first, 0, 9),
	    db_cell(first, 0, 10), db_cell(first, 0, 11), db_cell(first, 0, 12),
	    db_cell(first, 0, 13), db_cell(first, 0, 14), (int64_t)m->n, sub,
	    tax, total, m->remark) == -1)
		return ERR_INTERNAL;
	m->id = (int64_t)r->insert_id;
	for (i = 0; i < m->n; i++)
		if (db_run(c->arena, NULL, sql_link, "iii", c->shop->id, m->id,
		    m->ids[i]) == -1 || db_run(c->arena, NULL, sql_mark, "ii",
		    m->ids[i], c->shop->id) == -1)
			return ERR_INTERNAL;
	return audit(c, "invoice.request", "request=%" PRId64 " kind=%s "
	    "orders=%d total=%s", m->id, m->kind, m->n, fmt_yuan(c->arena,
	    total)) != 0 ? ERR_INTERNAL : 0;
}

/*
 * Ask for an invoice of kind ("normal", "special") for the orders ids,
 * from statement (the company's; 0: none). *id: the request. ERR_INVALID (c->code "invalid",
 * "invoice_kind_mismatch"), ERR_NOT_FOUND, ERR_CONFLICT
 * ("already_requested", "not_invoiceable").
 */
int
invreq_create(struct dctx *c, const char *kind, const int64_t *ids, int n,
    const char *remark, int64_t statement, int64_t *id)
{
	struct mk	m = { kind, ids, n, remark ? remark : "", statement, 0 };
	int		rc;

	*id = 0;
	if (!user_may(c))
		return ERR_FORBIDDEN;
	if (kind == NULL || (strcmp(kind, "normal") != 0 &&
	    strcmp(kind, "special") != 0))
		return refuse(c, "invalid", "请选择普票或专票", ERR_INVALID);
	if (n <= 0)
		return refuse(c, "invalid", "请选择要开票的订单", ERR_INVALID);
	if (n > INVREQ_ORDERS_MAX)
		return refuse(c, "invalid", arena_printf(c->arena, "一次最多 %d "
		    "张订单", INVREQ_ORDERS_MAX), ERR_INVALID);
	if ((rc = db_tx_run(c, tx_create, &m)) != 0)
		return rc;
	*id = m.id;
	clog_info(c, "invoice request %" PRId64 " kind=%s orders=%d", m.id,
	    kind, n);
	return 0;
}

static void
row_of(const struct db_res *r, int i, struct invreq *q)
{
	int	st = invreq_state_parse(db_cell(r, i, 15));

	memset(q, 0, sizeof(*q));
	q->id = db_cell_i64(r, i, 0);
	q->customer_id = db_cell_i64(r, i, 1);
	q->customer = db_cell(r, i, 2);
	q->kind = db_cell(r, i, 3);
	q->title = db_cell(r, i, 4);
	q->tax_id = db_cell(r, i, 5);
	q->bank_name = db_cell(r, i, 6);
	q->bank_account = db_cell(r, i, 7);
	q->address = db_cell(r, i, 8);
	q->phone = db_cell(r, i, 9);
	q->norders = db_cell_i64(r, i, 10);
	q->subtotal_fen = db_cell_i64(r, i, 11);
	q->tax_fen = db_cell_i64(r, i, 12);
	q->total_fen = db_cell_i64(r, i, 13);
	q->remark = db_cell(r, i, 14);
	q->state = st < 0 ? IR_REQUESTED : (enum invreq_state)st;
	q->invoice_no = db_cell(r, i, 16);
	q->issued_on = db_cell(r, i, 17);
	q->file_type = db_cell(r, i, 18);
	q->reason = db_cell(r, i, 19);
	q->by = db_cell(r, i, 20);
	q->decided_by = db_cell(r, i, 21);
	q->created = db_cell(r, i, 22);
}


int
invreq_list(struct dctx *c, int state, int page, struct invreq_page *out)
{
	const char	*st = state >= 0 ? invreq_state_name(state) : "";
	int64_t		 who = scope_reader(c), scope = scope_owner(c);
	struct db_res	*r;
	int		 i;

	memset(out, 0, sizeof(*out));
	if (who < 0)
		return ERR_NOT_FOUND;
	if (page < 1)
		page = 1;
	if (db_run(c->arena, &r, sql_count, "issiii", c->shop->id, st, st, who,
	    who, scope) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	out->requested = db_cell_i64(r, 0, 1);
	if (db_run(c->arena, &r, sql_page, "issiiiii", c->shop->id, st, st,
	    who, who, scope, (int64_t)INVREQ_PER_PAGE,
	    (int64_t)(page - 1) * INVREQ_PER_PAGE) == -1)
		return ERR_INTERNAL;
	out->rows = arena_calloc(c->arena, r->nrows + 1, sizeof(*out->rows));
	for (i = 0; i < r->nrows; i++)
		row_of(r, i, &out->rows[i]);
	out->n = r->nrows;
	return 0;
}

int
invreq_get(struct dctx *c, int64_t id, struct invreq *q)
{
	int64_t		 who = scope_reader(c);
	struct db_res	*r;
	int		 i;

	memset(q, 0, sizeof(*q));
	if (who < 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_one, "iiiii", id, c->shop->id, who, who,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这张开票申请";
		return ERR_NOT_FOUND;
	}
	row_of(r, 0, q);
	if (db_run(c->arena, &r, sql_req_orders, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	q->orders = arena_calloc(c->arena, r->nrows + 1, sizeof(*q->orders));
	for (i = 0; i < r->nrows; i++)
		order_of(r, i, &q->orders[i]);
	q->n = r->nrows;
	return 0;
}
