/*
 * quote.c -- a quote, version by version. Every staff answer with prices
 * adds the next version of the inquiry's quote (its last day, who, the
 * answer as its note, the quoted lines), in the answer's transaction; the
 * customer reads them all. The latest version, while it holds (its last
 * day against the database's China date) and the inquiry is not closed,
 * is a source of order lines for order_submit: its SKUs priced again from
 * the database, so that a SKU taken off the shelf, another shop's, or out
 * of stock is refused, at the quoted unit prices. Accepting closes the
 * inquiry with the order's id and a message. Staff may also make a quote
 * for a company directly: an inquiry of the company with version 1.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "domain/text.h"
#include "domain/inquiry.h"
#include "domain/inquiry_sql.h"
#include "domain/quote.h"
#include "domain/scope.h"

/* The next version of a locked inquiry, from its lines with a price. */
static const char sql_version_add[] =
    "INSERT INTO quote_version (shop_id, inquiry_id, version, valid_until, "
    "staff_id, note) SELECT ?, ?, COALESCE(MAX(v.version), 0) + 1, ?, ?, ? "
    "FROM quote_version v WHERE v.shop_id = ? AND v.inquiry_id = ?";
/* The line's SKU, or its product's only one. */
static const char sql_version_lines[] =
    "INSERT INTO quote_version_line (shop_id, version_id, inquiry_item_id, "
    "sku_id, qty, unit_fen) SELECT it.shop_id, ?, it.id, "
    "COALESCE(it.sku_id, (SELECT MIN(s.id) FROM sku s "
    "WHERE s.product_id = it.product_id AND s.shop_id = it.shop_id "
    "HAVING COUNT(*) = 1)), it.qty, it.quoted_price_fen FROM inquiry_item it "
    "WHERE it.shop_id = ? AND it.inquiry_id = ? "
    "AND it.quoted_price_fen IS NOT NULL ORDER BY it.id";
static const char sql_versions[] =
    "SELECT v.id, v.version, DATE_FORMAT(v.valid_until, '%Y-%m-%d'), "
    "st.name, " INQUIRY_LOCAL("v.created_at") ", v.note "
    "FROM quote_version v LEFT JOIN staff st ON st.id = v.staff_id "
    "AND st.shop_id = v.shop_id WHERE v.shop_id = ? AND v.inquiry_id = ? "
    "ORDER BY v.version DESC";
static const char sql_version_rows[] =
    "SELECT l.version_id, COALESCE(l.sku_id, 0), p.name, "
    "COALESCE(s.spec, ''), COALESCE(s.unit, p.unit, ''), l.qty, l.unit_fen "
    "FROM quote_version_line l JOIN quote_version v ON v.id = l.version_id "
    "AND v.shop_id = l.shop_id "
    "JOIN inquiry_item it ON it.id = l.inquiry_item_id "
    "LEFT JOIN product p ON p.id = it.product_id AND p.shop_id = l.shop_id "
    "LEFT JOIN sku s ON s.id = l.sku_id AND s.shop_id = l.shop_id "
    "WHERE v.shop_id = ? AND v.inquiry_id = ? ORDER BY v.version DESC, l.id";
/* One of the actor's company's inquiries with its latest version. */
#define SOURCE_SQL \
    "SELECT i.status, COALESCE(i.accepted_order_id, 0), v.id, v.version, " \
    "DATE_FORMAT(v.valid_until, '%Y-%m-%d'), " \
    "DATEDIFF(v.valid_until, " INQUIRY_TODAY ") " \
    "FROM inquiry i JOIN customer_user cu ON cu.id = i.customer_user_id " \
    "AND cu.shop_id = i.shop_id LEFT JOIN quote_version v " \
    "ON v.shop_id = i.shop_id AND v.inquiry_id = i.id AND v.version = " \
    "(SELECT MAX(w.version) FROM quote_version w WHERE w.shop_id = i.shop_id " \
    "AND w.inquiry_id = i.id) " \
    "WHERE i.id = ? AND i.shop_id = ? AND cu.customer_id = ?"
static const char sql_source[] = SOURCE_SQL;
static const char sql_source_lock[] = SOURCE_SQL " FOR UPDATE";
/* By SKU id: the order stock is taken in. */
static const char sql_source_lines[] =
    "SELECT COALESCE(sku_id, 0), qty, unit_fen FROM quote_version_line "
    "WHERE shop_id = ? AND version_id = ? ORDER BY sku_id, id";
static const char sql_accept[] =
    "UPDATE inquiry SET status = 'closed', accepted_order_id = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_accept_message[] =
    "INSERT INTO inquiry_message (shop_id, inquiry_id, author, "
    "customer_user_id, body) VALUES (?, ?, 'customer', ?, ?)";
/* The company's first active user: the quote is theirs to read. */
static const char sql_company[] =
    "SELECT cu.id, cu.name, cu.phone, c.name FROM customer c "
    "JOIN customer_user cu ON cu.customer_id = c.id AND cu.shop_id = c.shop_id "
    "WHERE c.id = ? AND c.shop_id = ? AND c.status = 'active' "
    "AND cu.status = 'active' ORDER BY cu.id LIMIT 1";
static const char sql_sku_code[] =
    "SELECT id, product_id FROM sku WHERE shop_id = ? AND code = ?";
static const char sql_days_to[] =
    "SELECT DATEDIFF(?, " INQUIRY_TODAY ")";
static const char sql_default_until[] =
    "SELECT DATE_FORMAT(" INQUIRY_TODAY " + INTERVAL ? DAY, '%Y-%m-%d')";
static const char sql_inquiry_add[] =
    "INSERT INTO inquiry (shop_id, customer_user_id, created_by_staff_id, "
    "contact_name, contact_phone, company, message, status, "
    "assigned_staff_id, answer, answered_at, quote_valid_until) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 'answered', ?, ?, NOW(3), ?)";
static const char sql_item_add[] =
    "INSERT INTO inquiry_item (shop_id, inquiry_id, product_id, sku_id, qty, "
    "quoted_price_fen) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_staff_message[] =
    "INSERT INTO inquiry_message (shop_id, inquiry_id, author, staff_id, "
    "body) VALUES (?, ?, 'staff', ?, ?)";

/*
 * The next version of inquiry id's quote (locked by the caller, whose
 * transaction this runs in) from its lines' quoted prices now, valid
 * until until ("YYYY-MM-DD"), note the answer. 0 or ERR_INTERNAL.
 */
int
quote_version_add(struct dctx *c, int64_t id, const char *until,
    const char *note)
{
	struct db_res	*r;
	int64_t		 vid;

	if (db_run(c->arena, &r, sql_version_add, "iisisii", c->shop->id, id,
	    until, c->sess.user_id, note != NULL ? note : "", c->shop->id,
	    id) == -1)
		return ERR_INTERNAL;
	vid = (int64_t)r->insert_id;
	if (db_run(c->arena, NULL, sql_version_lines, "iii", vid, c->shop->id,
	    id) == -1)
		return ERR_INTERNAL;
	return 0;
}

static struct quote_version *
version_by_id(struct quote_version *v, int n, int64_t id)
{
	int	i;

	for (i = 0; i < n; i++)
		if (v[i].id == id)
			return &v[i];
	return NULL;
}

/*
 * Every version of inquiry id's quote, the latest first, with its lines;
 * the caller has checked the actor may read the inquiry.
 */
int
quote_versions(struct dctx *c, int64_t id, struct quote_version **out,
    int *n)
{
	struct quote_version	*v, *x;
	struct quote_line	*l;
	struct db_res		*r, *lr;
	int			 i;

	*out = NULL;
	*n = 0;
	if (db_run(c->arena, &r, sql_versions, "ii", c->shop->id, id) == -1 ||
	    db_run(c->arena, &lr, sql_version_rows, "ii", c->shop->id,
	    id) == -1)
		return ERR_INTERNAL;
	v = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*v));
	for (i = 0; i < r->nrows; i++) {
		v[i].id = db_cell_i64(r, i, 0);
		v[i].version = db_cell_i64(r, i, 1);
		v[i].valid_until = db_cell(r, i, 2);
		v[i].staff = db_cell(r, i, 3);
		v[i].created = db_cell(r, i, 4);
		v[i].note = db_cell(r, i, 5);
		v[i].lines = arena_calloc(c->arena, (size_t)lr->nrows + 1,
		    sizeof(*v[i].lines));
	}
	for (i = 0; i < lr->nrows; i++) {
		if ((x = version_by_id(v, r->nrows,
		    db_cell_i64(lr, i, 0))) == NULL)
			continue;
		l = &x->lines[x->nlines++];
		l->sku_id = db_cell_i64(lr, i, 1);
		l->name = db_cell(lr, i, 2);
		l->spec = db_cell(lr, i, 3);
		l->unit = db_cell(lr, i, 4);
		l->qty = db_cell_i64(lr, i, 5);
		l->unit_fen = db_cell_i64(lr, i, 6);
		l->line_fen = l->unit_fen * l->qty;
		x->total_fen += l->line_fen;
	}
	*out = v;
	*n = r->nrows;
	return 0;
}

static int
refuse(struct dctx *c, const char *code, const char *why)
{
	c->code = code;
	c->error = why;
	return ERR_CONFLICT;
}

/*
 * The quote's lines priced again as the company would order them now,
 * at the quoted unit prices. The quoted quantity stands (staff agreed to
 * it, minimum order or not); the SKU must still be orderable and in
 * stock.
 */
static int
source_lines(struct dctx *c, int64_t vid, struct cart *out)
{
	struct priced_line	*pl;
	struct line_req		*req;
	struct db_res		*r;
	int64_t			*fen;
	int			 i, rc, mode;

	if (db_run(c->arena, &r, sql_source_lines, "ii", c->shop->id,
	    vid) == -1)
		return ERR_INTERNAL;
	mode = (c->shop->modes & SHOP_MODE_ORDERING) ? SHOP_MODE_ORDERING :
	    SHOP_MODE_WHOLESALE;
	req = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*req));
	fen = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*fen));
	for (i = 0; i < r->nrows; i++) {
		if ((req[i].sku_id = db_cell_i64(r, i, 0)) == 0)
			return refuse(c, "quote_invalid", "报价中有商品未指定"
			    "规格，不能直接下单，请申请修改报价或联系商家");
		if (i > 0 && req[i].sku_id == req[i - 1].sku_id)
			return refuse(c, "quote_invalid", "报价中同一规格出现"
			    "了两次，请申请修改报价或联系商家");
		req[i].qty = db_cell_i64(r, i, 1);
		req[i].mode = mode;
		fen[i] = db_cell_i64(r, i, 2);
	}
	if ((rc = lines_price(c, c->sess.customer_id, req, r->nrows,
	    &pl)) != 0)
		return rc;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < r->nrows; i++) {
		if (pl[i].problem == LINE_QTY_BELOW_MIN ||
		    pl[i].problem == LINE_QTY_NOT_MULTIPLE)
			pl[i].problem = pl[i].stock < pl[i].qty ?
			    LINE_OUT_OF_STOCK : LINE_OK;
		pl[i].price.unit_fen = fen[i];
		pl[i].line_fen = fen[i] * pl[i].qty;
		pl[i].why = line_problem_text(c->arena, &pl[i]);
		out->units += pl[i].qty;
		if (pl[i].problem != LINE_OK)
			out->nproblems++;
		else
			out->subtotal_fen += pl[i].line_fen;
	}
	out->lines = pl;
	out->n = r->nrows;
	return 0;
}

/*
 * The latest version of one of the actor's company's inquiries as order
 * lines (by SKU id), in the caller's transaction; lock: the inquiry row
 * FOR UPDATE, so that two accepts take turns. An accepted quote is no
 * error: src->accepted_order_id names its order and out is empty.
 * ERR_NOT_FOUND (another company's, a guest's, another shop's, none);
 * ERR_CONFLICT with c->code quote_none, quote_closed, quote_expired,
 * quote_invalid; ERR_INTERNAL.
 */
int
quote_lines_load(struct dctx *c, int64_t id, int lock,
    struct quote_source *src, struct cart *out)
{
	struct db_res	*r;

	memset(src, 0, sizeof(*src));
	memset(out, 0, sizeof(*out));
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, lock ? sql_source_lock : sql_source, "iii",
	    id, c->shop->id, c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "询价不存在";
		return ERR_NOT_FOUND;
	}
	src->inquiry_id = id;
	if ((src->accepted_order_id = db_cell_i64(r, 0, 1)) != 0)
		return 0;
	if (db_cell(r, 0, 2) == NULL)
		return refuse(c, "quote_none", "该询价还没有报价，请等待商家"
		    "回复");
	src->version = db_cell_i64(r, 0, 3);
	src->valid_until = db_cell(r, 0, 4);
	if (strcmp(db_cell(r, 0, 0), "closed") == 0)
		return refuse(c, "quote_closed", "该询价已关闭，报价不能再"
		    "下单。如需订购，请重新询价或直接致电我们");
	if (src->valid_until != NULL && db_cell_i64(r, 0, 5) < 0)
		return refuse(c, "quote_expired", arena_printf(c->arena,
		    "报价已于 %s 过期，不能再按报价下单。请申请修改报价，"
		    "商家会给您新的报价", src->valid_until));
	return source_lines(c, db_cell_i64(r, 0, 2), out);
}

/*
 * The quote src became order (no): the inquiry closed with the order's
 * id, and the acceptance as the actor's message. In the submit's
 * transaction, the inquiry locked by quote_lines_load.
 */
int
quote_accepted(struct dctx *c, const struct quote_source *src,
    int64_t order_id, const char *no)
{
	if (db_run(c->arena, NULL, sql_accept, "iii", order_id,
	    src->inquiry_id, c->shop->id) == -1 ||
	    db_run(c->arena, NULL, sql_accept_message, "iiis", c->shop->id,
	    src->inquiry_id, c->sess.user_id, arena_printf(c->arena,
	    "已接受第 %" PRId64 " 版报价并下单，订单号 %s", src->version,
	    no)) == -1)
		return ERR_INTERNAL;
	return audit(c, "quote.accept", "inquiry=%" PRId64 " version=%"
	    PRId64 " order=%" PRId64 " no=%s", src->inquiry_id, src->version,
	    order_id, no);
}

/* One quote staff make: inputs, then what each run resets. */
struct qnew {
	const struct quote_new	*in;
	int64_t			 id;
	enum quote_field	 bad;
	int			 line;
	const char		*until;
};

static int
qnew_bad(struct dctx *c, struct qnew *w, enum quote_field f, int line,
    const char *why)
{
	w->bad = f;
	w->line = line;
	c->error = why;
	return ERR_INVALID;
}

/*
 * The quote's last day: as typed, today to INQUIRY_QUOTE_DAYS_MAX days on
 * in China, or INQUIRY_QUOTE_DAYS on when none was typed.
 */
static int
qnew_until(struct dctx *c, struct qnew *w)
{
	const char	*typed = w->in->valid_until;
	struct db_res	*r;
	int64_t		 days;

	if (typed == NULL || *typed == '\0') {
		if (db_run(c->arena, &r, sql_default_until, "i",
		    (int64_t)INQUIRY_QUOTE_DAYS) == -1)
			return ERR_INTERNAL;
		w->until = db_cell(r, 0, 0);
		return 0;
	}
	if (db_run(c->arena, &r, sql_days_to, "s", typed) == -1)
		return ERR_INTERNAL;
	if (db_cell(r, 0, 0) == NULL)	/* not a date */
		return qnew_bad(c, w, QUOTE_FIELD_VALID_UNTIL, -1,
		    "应为日期，如 2025-06-30");
	days = db_cell_i64(r, 0, 0);
	if (days < 0 || days > INQUIRY_QUOTE_DAYS_MAX)
		return qnew_bad(c, w, QUOTE_FIELD_VALID_UNTIL, -1, days < 0 ?
		    "不能早于今天" : arena_printf(c->arena, "最长 %d 天",
		    INQUIRY_QUOTE_DAYS_MAX));
	w->until = typed;
	return 0;
}

static int
tx_create(struct dctx *c, void *arg)
{
	struct qnew		*w = arg;
	const struct quote_new	*in = w->in;
	struct db_res		*r, *cu;
	const char		*note;
	int64_t			*sku, *prod;
	int			 i, j, rc;

	w->id = 0;
	w->bad = QUOTE_FIELD_NONE;
	w->line = -1;
	c->error = NULL;
	if (db_run(c->arena, &cu, sql_company, "ii", in->customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (cu->nrows == 0)
		return qnew_bad(c, w, QUOTE_FIELD_CUSTOMER, -1, "请选择本店"
		    "在用的客户（该客户需要至少一个启用的账号）");
	if ((rc = scope_customer(c, in->customer_id)) != 0)
		return rc == ERR_NOT_FOUND ? qnew_bad(c, w,
		    QUOTE_FIELD_CUSTOMER, -1, "请选择您负责的客户") : rc;
	sku = arena_calloc(c->arena, (size_t)in->n + 1, sizeof(*sku));
	prod = arena_calloc(c->arena, (size_t)in->n + 1, sizeof(*prod));
	for (i = 0; i < in->n; i++) {
		if (db_run(c->arena, &r, sql_sku_code, "is", c->shop->id,
		    in->lines[i].sku_code) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			return qnew_bad(c, w, QUOTE_FIELD_LINE, i, arena_printf(
			    c->arena, "本店没有规格编码「%s」",
			    in->lines[i].sku_code));
		sku[i] = db_cell_i64(r, 0, 0);
		prod[i] = db_cell_i64(r, 0, 1);
		for (j = 0; j < i; j++)
			if (sku[j] == sku[i])
				return qnew_bad(c, w, QUOTE_FIELD_LINE, i,
				    "同一规格只能报一行");
	}
	if ((rc = qnew_until(c, w)) != 0)
		return rc;
	note = in->note != NULL && *in->note != '\0' ? in->note :
	    "商家为您报价，请查看";
	if (db_run(c->arena, &r, sql_inquiry_add, "iiissssiss", c->shop->id,
	    db_cell_i64(cu, 0, 0), c->sess.user_id, db_cell(cu, 0, 1),
	    db_cell(cu, 0, 2), db_cell(cu, 0, 3), "商家报价",
	    c->sess.user_id, note, w->until) == -1)
		return ERR_INTERNAL;
	w->id = (int64_t)r->insert_id;
	for (i = 0; i < in->n; i++)
		if (db_run(c->arena, NULL, sql_item_add, "iiiiii", c->shop->id,
		    w->id, prod[i], sku[i], in->lines[i].qty,
		    in->lines[i].unit_fen) == -1)
			return ERR_INTERNAL;
	if ((rc = quote_version_add(c, w->id, w->until, note)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_staff_message, "iiis", c->shop->id,
	    w->id, c->sess.user_id, note) == -1)
		return ERR_INTERNAL;
	return audit(c, "quote.create", "inquiry=%" PRId64 " customer=%"
	    PRId64 " lines=%d valid_until=%s", w->id, in->customer_id, in->n,
	    w->until);
}

/*
 * A quote the actor (staff) makes for company in->customer_id directly:
 * an inquiry of the company (its first active user's, visible to all its
 * users) already answered with version 1 of the quote. Lines are SKU
 * codes of the shop, each once, 1..CART_QTY_MAX units, prices in fen.
 * Refusals: ERR_INVALID with *bad (and *line for a line, from 0).
 */
int
quote_create(struct dctx *c, const struct quote_new *in, int64_t *id,
    enum quote_field *bad, int *line)
{
	struct qnew	 w;
	int		 i, rc;

	*id = 0;
	*bad = QUOTE_FIELD_NONE;
	*line = -1;
	if (c->sess.kind != SESS_STAFF)
		return ERR_NOT_FOUND;
	if (in->n == 0 || in->n > QUOTE_LINES_MAX) {
		*bad = QUOTE_FIELD_LINE;
		c->error = in->n == 0 ? "请至少填写一行商品" :
		    arena_printf(c->arena, "最多 %d 行", QUOTE_LINES_MAX);
		return ERR_INVALID;
	}
	for (i = 0; i < in->n; i++)
		if (in->lines[i].qty < 1 || in->lines[i].qty > CART_QTY_MAX ||
		    in->lines[i].unit_fen < 0) {
			*bad = QUOTE_FIELD_LINE;
			*line = i;
			c->error = "数量应为 1 到 1000000 之间的整数，单价不能"
			    "为负";
			return ERR_INVALID;
		}
	memset(&w, 0, sizeof(w));
	w.in = in;
	if ((rc = db_tx_run(c, tx_create, &w)) != 0) {
		*bad = w.bad;
		*line = w.line;
		clog_info(c, "quote create refused customer=%" PRId64
		    " why=%s", in->customer_id, c->error ? c->error :
		    "internal");
		return rc;
	}
	*id = w.id;
	clog_info(c, "quote created inquiry=%" PRId64 " customer=%" PRId64
	    " lines=%d", w.id, in->customer_id, in->n);
	return 0;
}
