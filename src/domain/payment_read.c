/*
 * payment_read.c -- payments as the company and the shop's staff read
 * them: a page of a list (staff: the shop's, by state, within their
 * customer scope; a user: their company's), one payment with what it
 * paid, and the private path of its proof image.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/order_rows.h"
#include "domain/payment.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"
#include "domain/session.h"

#define ROW_COLS \
    "SELECT p.id, p.customer_id, cu.name, p.state, p.method, p.purpose, " \
    "p.amount_fen, p.to_deposit_fen, DATE_FORMAT(p.paid_on, '%Y-%m-%d'), " \
    "p.payer_account, p.remark, p.reason, COALESCE(u.name, s.name), " \
    "d.name, " ORDER_LOCAL("p.decided_at") ", " \
    ORDER_LOCAL("p.created_at") ", p.proof_path IS NOT NULL " \
    "FROM payment p JOIN customer cu ON cu.id = p.customer_id " \
    "LEFT JOIN customer_user u ON u.id = p.customer_user_id " \
    "LEFT JOIN staff s ON s.id = p.staff_id " \
    "LEFT JOIN staff d ON d.id = p.decided_by "
/* ? shop, state ('' any), state, customer (0 any), customer, scope. */
#define LIST_WHERE \
    "WHERE p.shop_id = ? AND (? = '' OR p.state = ?) " \
    "AND (? = 0 OR p.customer_id = ?) AND " SCOPE_CUSTOMER("cu") " "

static const char sql_count[] =
    "SELECT COUNT(*), COALESCE(SUM(p.state = 'pending'), 0) FROM payment p "
    "JOIN customer cu ON cu.id = p.customer_id " LIST_WHERE;
static const char sql_page[] =
    ROW_COLS LIST_WHERE "ORDER BY p.state = 'pending' DESC, p.id DESC "
    "LIMIT ? OFFSET ?";
static const char sql_one[] =
    ROW_COLS "WHERE p.id = ? AND p.shop_id = ? AND (? = 0 OR "
    "p.customer_id = ?) AND " SCOPE_CUSTOMER("cu");
static const char sql_allocs[] =
    "SELECT a.order_id, o.order_no, a.amount_fen FROM payment_allocation a "
    "JOIN sales_order o ON o.id = a.order_id WHERE a.shop_id = ? "
    "AND a.payment_id = ? ORDER BY a.id";
static const char sql_named[] =
    "SELECT o.order_no FROM payment_order n JOIN sales_order o "
    "ON o.id = n.order_id WHERE n.shop_id = ? AND n.payment_id = ? "
    "ORDER BY o.due_on, o.id";
static const char sql_proof[] =
    "SELECT p.proof_path, p.proof_thumb FROM payment p JOIN customer cu "
    "ON cu.id = p.customer_id WHERE p.id = ? AND p.shop_id = ? "
    "AND (? = 0 OR p.customer_id = ?) AND " SCOPE_CUSTOMER("cu");

static void
row_of(const struct db_res *r, int i, struct payment_row *p)
{
	static const char *const methods[] = { "transfer", "deposit", "wechat",
	    "cash" };
	static const char *const purposes[] = { "orders", "deposit" };
	int	st = payment_state_parse(db_cell(r, i, 3)), k;

	memset(p, 0, sizeof(*p));
	p->id = db_cell_i64(r, i, 0);
	p->customer_id = db_cell_i64(r, i, 1);
	p->customer = db_cell(r, i, 2);
	p->state = st < 0 ? PAY_PENDING : (enum payment_state)st;
	k = name_pos(methods, 4, db_cell(r, i, 4));
	p->method = k < 0 ? PM_TRANSFER : (enum payment_method)k;
	p->purpose = name_pos(purposes, 2, db_cell(r, i, 5)) == 1 ?
	    PP_DEPOSIT : PP_ORDERS;
	p->amount_fen = db_cell_i64(r, i, 6);
	p->to_deposit_fen = db_cell_i64(r, i, 7);
	p->paid_on = db_cell(r, i, 8);
	p->payer_account = db_cell(r, i, 9);
	p->remark = db_cell(r, i, 10);
	p->reason = db_cell(r, i, 11);
	p->by = db_cell(r, i, 12);
	p->decided_by = db_cell(r, i, 13);
	p->decided_at = db_cell(r, i, 14);
	p->created = db_cell(r, i, 15);
	p->has_proof = db_cell_i64(r, i, 16) != 0;
}


int
payment_list(struct dctx *c, const struct payment_filter *f,
    struct payment_page *out)
{
	const char	*st = f->state >= 0 ? payment_state_name(f->state) : "";
	int64_t		 who = scope_reader(c), cid, scope = scope_owner(c);
	struct db_res	*r;
	int		 i, page = f->page < 1 ? 1 : f->page;

	memset(out, 0, sizeof(*out));
	if (who < 0)
		return ERR_NOT_FOUND;
	cid = who != 0 ? who : f->customer_id;
	if (db_run(c->arena, &r, sql_count, "issiii", c->shop->id, st, st, cid,
	    cid, scope) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	out->pending = db_cell_i64(r, 0, 1);
	if (db_run(c->arena, &r, sql_page, "issiiiii", c->shop->id, st, st,
	    cid, cid, scope, (int64_t)PAYMENT_PER_PAGE,
	    (int64_t)(page - 1) * PAYMENT_PER_PAGE) == -1)
		return ERR_INTERNAL;
	out->rows = arena_calloc(c->arena, r->nrows + 1, sizeof(*out->rows));
	for (i = 0; i < r->nrows; i++)
		row_of(r, i, &out->rows[i]);
	out->n = r->nrows;
	return 0;
}

int
payment_get(struct dctx *c, int64_t id, struct payment_row *p)
{
	int64_t		 who = scope_reader(c);
	struct db_res	*r;
	int		 i;

	memset(p, 0, sizeof(*p));
	if (who < 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_one, "iiiii", id, c->shop->id, who, who,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这笔付款";
		return ERR_NOT_FOUND;
	}
	row_of(r, 0, p);
	if (db_run(c->arena, &r, sql_allocs, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	p->allocs = arena_calloc(c->arena, r->nrows + 1, sizeof(*p->allocs));
	for (i = 0; i < r->nrows; i++) {
		p->allocs[i].order_id = db_cell_i64(r, i, 0);
		p->allocs[i].order_no = db_cell(r, i, 1);
		p->allocs[i].amount_fen = db_cell_i64(r, i, 2);
	}
	p->nallocs = r->nrows;
	if (db_run(c->arena, &r, sql_named, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	p->named = arena_calloc(c->arena, r->nrows + 1, sizeof(*p->named));
	for (i = 0; i < r->nrows; i++)
		p->named[i] = db_cell(r, i, 0);
	p->nnamed = r->nrows;
	return 0;
}

/* The proof (thumb: its thumbnail) of a payment the actor reads, read
 * from private_dir into out; image_type() tells its type. */
int
payment_proof_read(struct dctx *c, int64_t id, int thumb, struct buf *out)
{
	int64_t		 who = scope_reader(c);
	struct db_res	*r;
	const char	*rel, *path;

	if (who < 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_proof, "iiiii", id, c->shop->id, who, who,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	c->error = "没有这张凭证";
	if (r->nrows == 0 || !image_rel_valid(rel = db_cell(r, 0, thumb)))
		return ERR_NOT_FOUND;
	path = arena_printf(c->arena, "%s/%s", image_root(IMAGE_PRIVATE), rel);
	if (image_read_file(path, PAYMENT_PROOF_MAX, out) == 0) {
		c->error = NULL;
		return 0;
	}
	clog_warnx(c, "payment proof: payment=%" PRId64 " read %s: %s", id,
	    path, strerror(errno));
	return errno == ENOENT ? ERR_NOT_FOUND : ERR_INTERNAL;
}
