/*
 * order_edit.c -- staff adjust an order's lines before they confirm it:
 * the warehouse has 40 of the 50 cases, a price agreed on the phone, an
 * item the dealer forgot. While the order is pending_approval or
 * submitted, owner, admin and the salesperson who owns the company may,
 * in one transaction that locks the order row first (as every move does,
 * so a confirm, cancel or approve waits or wins, never interleaves):
 * change a line's quantity, remove a line (one must remain: otherwise the
 * order is cancelled, not emptied), add a SKU by its code at the
 * company's price now, and set a unit price by hand (price_source manual,
 * with a reason). The stock the order holds follows, SKUs locked in
 * ascending id as submit and cancel lock them, never oversold; a monthly
 * order's difference goes on the company's balance row, locked last,
 * under its credit limit; the totals are summed again with tax per line.
 * The order's version must be the one the form showed: a stale form, or
 * the same form sent twice, changes nothing. Each adjustment is an
 * order_line_change row per line, an order_event with a summary that
 * both sides read in the timeline, an audit row and a notify.order job
 * ("changed"). Minimum orders and whole cases are warnings here, not
 * refusals, as for a staff quote: staff agreed to it with the customer.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/ledger.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "domain/cart.h"
#include "domain/pricing.h"
#include "domain/order.h"
#include "domain/order_rows.h"
#include "domain/order_edit.h"
#include "domain/scope.h"
#include "domain/stock.h"
#include "domain/approval.h"

#define NOTE_MAX	500	/* order_event.note, characters */

static const char sql_lock[] =
    "SELECT state, payment_terms, total_fen, order_no, customer_id, "
    "version, tax_bp, paid_fen FROM sales_order WHERE id = ? "
    "AND shop_id = ? FOR UPDATE";
/* The lines under the order's lock, with their SKUs' rules and stock. */
static const char sql_lines[] =
    "SELECT l.id, l.line_no, l.sku_id, l.sku_code, l.name, l.spec, l.unit, "
    "l.qty, l.unit_fen, l.price_source, l.line_fen, l.tax_fen, s.stock, "
    "s.min_qty, s.pack_size, s.pack_only FROM order_line l "
    "JOIN sku s ON s.id = l.sku_id AND s.shop_id = l.shop_id "
    "WHERE l.shop_id = ? AND l.order_id = ? ORDER BY l.line_no";
static const char sql_line_no[] =
    "SELECT COALESCE(MAX(line_no), 0) FROM order_line "
    "WHERE shop_id = ? AND order_id = ?";
static const char sql_sku_code[] =
    "SELECT id FROM sku WHERE shop_id = ? AND code = ?";
/* orig_* first: MariaDB assigns left to right, later ones see the new. */
static const char sql_line_set[] =
    "UPDATE order_line SET orig_qty = COALESCE(orig_qty, qty), "
    "orig_unit_fen = COALESCE(orig_unit_fen, unit_fen), qty = ?, "
    "unit_fen = ?, price_source = ?, line_fen = ?, tax_fen = ?, "
    "changed_at = NOW(3) WHERE id = ? AND shop_id = ? AND order_id = ?";
static const char sql_line_del[] =
    "DELETE FROM order_line WHERE id = ? AND shop_id = ? AND order_id = ?";
static const char sql_line_add[] =
    "INSERT INTO order_line (shop_id, order_id, line_no, sku_id, sku_code, "
    "name, spec, unit, qty, unit_fen, price_source, line_fen, tax_fen, "
    "orig_qty, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "0, NOW(3))";
static const char sql_change[] =
    "INSERT INTO order_line_change (shop_id, order_id, version, action, "
    "line_no, sku_id, sku_code, name, spec, unit, old_qty, new_qty, "
    "old_unit_fen, new_unit_fen, price_source, reason, staff_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_order_set[] =
    "UPDATE sales_order SET line_count = ?, subtotal_fen = ?, tax_fen = ?, "
    "total_fen = ?, ar_fen = IF(payment_terms = 'monthly', total_fen, "
    "ar_fen), version = version + 1 WHERE id = ? AND shop_id = ?";
/* The company's balance under its limit, or no row changed (submit's). */
static const char sql_charge[] =
    "UPDATE customer_balance b JOIN customer cu ON cu.id = b.customer_id "
    "AND cu.shop_id = b.shop_id SET b.outstanding_fen = b.outstanding_fen + ? "
    "WHERE b.shop_id = ? AND b.customer_id = ? "
    "AND b.outstanding_fen + ? <= cu.credit_limit_fen";
static const char sql_credit[] =
    "SELECT COALESCE(b.outstanding_fen, 0), cu.credit_limit_fen "
    "FROM customer cu LEFT JOIN customer_balance b ON b.shop_id = "
    "cu.shop_id AND b.customer_id = cu.id WHERE cu.id = ? AND cu.shop_id = ?";
/* The company's member level's 起订金额 (sql/016_min_order.sql); none. */
static const char sql_min_order[] =
    "SELECT l.min_order_fen FROM customer cu JOIN member_level l "
    "ON l.id = cu.level_id AND l.shop_id = cu.shop_id "
    "WHERE cu.id = ? AND cu.shop_id = ?";
static const char sql_form_skus[] =
    "SELECT l.id, s.stock, s.min_qty, s.pack_size, s.pack_only "
    "FROM order_line l JOIN sku s ON s.id = l.sku_id "
    "AND s.shop_id = l.shop_id WHERE l.shop_id = ? AND l.order_id = ? "
    "ORDER BY l.line_no";

/* A line as it is and as the adjustment leaves it. */
struct eline {
	int64_t		 id;		/* 0: added */
	int64_t		 line_no;
	int64_t		 sku_id;
	const char	*code;
	const char	*name;
	const char	*spec;
	const char	*unit;
	const char	*source;
	int64_t		 qty;		/* 0 for an added line */
	int64_t		 unit_fen;
	int64_t		 line_fen;
	int64_t		 tax_fen;
	int64_t		 stock;
	int64_t		 min_qty;
	int64_t		 pack_size;
	int		 pack_only;
	/* after */
	int64_t		 new_qty;
	int64_t		 new_unit_fen;
	const char	*new_source;
	int64_t		 new_line_fen;
	int64_t		 new_tax_fen;
	int		 touched;	/* named by the input */
	int		 removed;
	int		 added;
	int		 field;		/* enum order_edit_field of its qty */
	int		 row;		/* its index in the input */
};

struct ed {
	int64_t			 id;
	const struct order_edit	*in;
	struct order_edited	*out;
	struct field_errors	*fe;
	enum order_state	 st;
	int			 monthly;
	int64_t			 total_fen;
	const char		*order_no;
	int64_t			 customer_id;
	int64_t			 version;
	int64_t			 tax_bp;
	struct eline		*v;		/* the lines, then the added */
	int			 n;
	int			 manual;	/* a price set by hand */
};

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* May this actor adjust an order in state st (for the button)? */
int
order_edit_may(const struct session *s, enum order_state st)
{
	return s->kind == SESS_STAFF && session_staff_role(s,
	    ORDER_EDIT_ROLES) && (st == ORDER_PENDING_APPROVAL ||
	    st == ORDER_SUBMITTED);
}

/* A refusal naming one input; code is the machine's word for it. */
static int
refuse(struct dctx *c, struct ed *e, int rc, const char *code, int field,
    int row, const char *why)
{
	c->error = why;
	c->code = code;
	if (field >= 0)
		field_error_add(c->arena, e->fe, field, row, "%s", why);
	return rc;
}

/* The order, locked, and the actor's right to adjust it now. */
static int
order_lock(struct dctx *c, struct ed *e)
{
	struct db_res	*r;
	int		 rc;

	if (db_run(c->arena, &r, sql_lock, "ii", e->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "订单不存在";
		return ERR_NOT_FOUND;
	}
	e->customer_id = db_cell_i64(r, 0, 4);
	/* A salesperson's own companies only, kept so until the end. */
	if (scope_owner(c) != 0 && (rc = scope_customer(c,
	    e->customer_id)) != 0) {
		if (rc == ERR_NOT_FOUND)
			c->error = "订单不存在";
		return rc;
	}
	if (!session_staff_role(&c->sess, ORDER_EDIT_ROLES)) {
		c->error = "只有店主、管理员和负责该客户的业务员可以调整订单";
		return ERR_FORBIDDEN;
	}
	if (order_state_parse(db_cell(r, 0, 0), &e->st) == -1)
		return ERR_INTERNAL;
	if (e->st != ORDER_PENDING_APPROVAL && e->st != ORDER_SUBMITTED)
		return refuse(c, e, ERR_CONFLICT, "order_state", -1, -1,
		    arena_printf(c->arena, "订单当前为「%s」，只有待审批或"
		    "待确认的订单可以调整", order_state_label(e->st)));
	e->monthly = strcmp(db_cell(r, 0, 1), "monthly") == 0;
	e->total_fen = db_cell_i64(r, 0, 2);
	e->order_no = db_cell(r, 0, 3);
	e->version = db_cell_i64(r, 0, 5);
	e->tax_bp = db_cell_i64(r, 0, 6);
	/* Money has been paid against it: what it is owed is settled. */
	if (db_cell_i64(r, 0, 7) > 0)
		return refuse(c, e, ERR_CONFLICT, "order_paid", -1, -1,
		    "订单已有付款，不能再调整；如需改动，请取消后重新下单，"
		    "或在客户账户上记一笔调整");
	if (e->in->version != e->version)
		return refuse(c, e, ERR_CONFLICT, "order_stale", EDIT_VERSION,
		    -1, "订单刚刚被调整过（可能是重复提交），请刷新页面，"
		    "看过最新的订单后再调整");
	return 0;
}

static int
lines_load(struct dctx *c, struct ed *e)
{
	struct db_res	*r;
	struct eline	*l;
	int		 i;

	if (db_run(c->arena, &r, sql_lines, "ii", c->shop->id, e->id) == -1)
		return ERR_INTERNAL;
	e->v = arena_calloc(c->arena, (size_t)r->nrows + ORDER_EDIT_ADD_MAX +
	    1, sizeof(*e->v));
	for (i = 0; i < r->nrows; i++) {
		l = &e->v[i];
		l->id = db_cell_i64(r, i, 0);
		l->line_no = db_cell_i64(r, i, 1);
		l->sku_id = db_cell_i64(r, i, 2);
		l->code = db_cell(r, i, 3);
		l->name = db_cell(r, i, 4);
		l->spec = or_empty(db_cell(r, i, 5));
		l->unit = db_cell(r, i, 6);
		l->qty = l->new_qty = db_cell_i64(r, i, 7);
		l->unit_fen = l->new_unit_fen = db_cell_i64(r, i, 8);
		l->source = l->new_source = db_cell(r, i, 9);
		l->line_fen = db_cell_i64(r, i, 10);
		l->tax_fen = db_cell_i64(r, i, 11);
		l->stock = db_cell_i64(r, i, 12);
		l->min_qty = db_cell_i64(r, i, 13);
		l->pack_size = db_cell_i64(r, i, 14);
		l->pack_only = db_cell_i64(r, i, 15) != 0;
		l->field = EDIT_QTY;
		l->row = -1;
	}
	e->n = r->nrows;
	return 0;
}

/* The input's changes of the order's lines onto e->v. */
static int
lines_apply(struct dctx *c, struct ed *e)
{
	const struct order_edit_line	*in;
	struct eline			*l;
	int				 i, k;

	for (i = 0; i < e->in->nlines; i++) {
		in = &e->in->lines[i];
		for (k = 0, l = NULL; k < e->n && l == NULL; k++)
			if (e->v[k].id == in->line_id)
				l = &e->v[k];
		if (l == NULL)
			return refuse(c, e, ERR_INVALID, "invalid", EDIT_LINE,
			    i, "这一行不是这个订单的商品，请刷新页面");
		if (l->touched)
			return refuse(c, e, ERR_INVALID, "invalid", EDIT_LINE,
			    i, arena_printf(c->arena, "「%s」出现了两次",
			    l->name));
		l->touched = 1;
		l->row = i;
		if (in->remove) {
			l->removed = 1;
			continue;
		}
		if (in->qty != 0 && line_qty_check(in->qty, 1, 1, 0) !=
		    LINE_OK)
			return refuse(c, e, ERR_INVALID, "qty_invalid",
			    EDIT_QTY, i, "数量应为 1 到 1000000 之间的整数");
		if (in->qty != 0)
			l->new_qty = in->qty;
		if (in->unit_fen > ORDER_EDIT_PRICE_MAX)
			return refuse(c, e, ERR_INVALID, "price_invalid",
			    EDIT_PRICE, i, "单价应在 0 到 10000000 元之间");
		if (in->unit_fen >= 0 && in->unit_fen != l->unit_fen) {
			l->new_unit_fen = in->unit_fen;
			l->new_source = "manual";
			e->manual = 1;
		}
	}
	return 0;
}

/* The SKU a code names in the shop (its code, any case); 0: none. */
static int
sku_by_code(struct dctx *c, const char *code, int64_t *id)
{
	struct db_res	*r;

	*id = 0;
	if (db_run(c->arena, &r, sql_sku_code, "is", c->shop->id, code) == -1)
		return ERR_INTERNAL;
	if (r->nrows > 0)
		*id = db_cell_i64(r, 0, 0);
	return 0;
}

/*
 * An added line at the company's price now: the ordering mall's, or the
 * wholesale mall's when the ordering mall does not sell it; a SKU off the
 * shelf or in neither is refused as the cart refuses it.
 */
static int
add_one(struct dctx *c, struct ed *e, int i, int64_t line_no)
{
	const struct order_edit_add	*in = &e->in->adds[i];
	struct line_req			 req[2];
	struct priced_line		*p, *ok = NULL;
	struct eline			*l;
	int64_t				 sku;
	int				 k, rc;

	if (in->code == NULL || *in->code == '\0')
		return refuse(c, e, ERR_INVALID, "invalid", EDIT_ADD_CODE, i,
		    "请填写商品编码");
	if (line_qty_check(in->qty, 1, 1, 0) != LINE_OK)
		return refuse(c, e, ERR_INVALID, "qty_invalid", EDIT_ADD_QTY,
		    i, "数量应为 1 到 1000000 之间的整数");
	if ((rc = sku_by_code(c, in->code, &sku)) != 0)
		return rc;
	if (sku == 0)
		return refuse(c, e, ERR_NOT_FOUND, "sku_unavailable",
		    EDIT_ADD_CODE, i, arena_printf(c->arena, "本店没有编码为"
		    "「%s」的商品", in->code));
	for (k = 0; k < e->n; k++)
		if (e->v[k].sku_id == sku)
			return refuse(c, e, ERR_INVALID, "sku_in_order",
			    EDIT_ADD_CODE, i, arena_printf(c->arena, "「%s」"
			    "已在订单中，请直接修改它的数量", e->v[k].name));
	req[0].sku_id = req[1].sku_id = sku;
	req[0].qty = req[1].qty = in->qty;
	req[0].mode = SHOP_MODE_ORDERING;
	req[1].mode = SHOP_MODE_WHOLESALE;
	if ((rc = lines_price(c, e->customer_id, req, 2, &p)) != 0)
		return rc;
	for (k = 1; k >= 0; k--)
		if (p[k].problem != LINE_UNAVAILABLE)
			ok = &p[k];
	if (ok == NULL)
		return refuse(c, e, ERR_NOT_FOUND, "sku_unavailable",
		    EDIT_ADD_CODE, i, arena_printf(c->arena, "「%s」已下架或"
		    "不在本店商城销售", p[0].name ? p[0].name : in->code));
	l = &e->v[e->n++];
	l->line_no = line_no;
	l->sku_id = sku;
	l->code = ok->sku_code;
	l->name = ok->name;
	l->spec = or_empty(ok->spec);
	l->unit = ok->unit;
	l->new_qty = in->qty;
	l->unit_fen = l->new_unit_fen = ok->price.unit_fen;
	l->source = l->new_source = price_source_name(ok->price.source);
	l->stock = ok->stock;
	l->min_qty = ok->min_qty;
	l->pack_size = ok->pack_size;
	l->pack_only = ok->pack_only;
	l->added = l->touched = 1;
	l->field = EDIT_ADD_QTY;
	l->row = i;
	return 0;
}

static int
adds_apply(struct dctx *c, struct ed *e)
{
	struct db_res	*r;
	int64_t		 no;
	int		 i, rc;

	if (e->in->nadds > ORDER_EDIT_ADD_MAX)
		return refuse(c, e, ERR_INVALID, "invalid", EDIT_ADD_CODE, -1,
		    "一次最多新增 10 种商品");
	if (e->in->nadds == 0)
		return 0;
	/* After every number the order ever used: removed ones too. */
	if (db_run(c->arena, &r, sql_line_no, "ii", c->shop->id, e->id) == -1)
		return ERR_INTERNAL;
	no = db_cell_i64(r, 0, 0);
	for (i = 0; i < e->in->nadds; i++)
		if ((rc = add_one(c, e, i, no + i + 1)) != 0)
			return rc;
	return 0;
}

static int
line_changed(const struct eline *l)
{
	return l->removed || l->added || l->new_qty != l->qty ||
	    l->new_unit_fen != l->unit_fen;
}

/*
 * Goods below the company's 起订金额 warn, as a minimum quantity does:
 * submit holds the buyer to it, staff may agree to less.
 */
static int
min_order_warn(struct dctx *c, struct ed *e)
{
	struct order_edited	*o = e->out;
	struct db_res		*r;
	int64_t			 min;

	if (db_run(c->arena, &r, sql_min_order, "ii", e->customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	min = r->nrows > 0 ? db_cell_i64(r, 0, 0) : 0;
	if (order_min_short(min, o->subtotal_fen) > 0)
		o->warnings[o->nwarnings++] = arena_printf(c->arena, "调整后商品"
		    "金额 ¥%s 低于客户的起订金额 ¥%s", fmt_yuan_grouped(
		    c->arena, o->subtotal_fen), fmt_yuan_grouped(c->arena, min));
	return 0;
}

/* The new sums, tax per line at the order's points; the warnings. */
static int
money(struct dctx *c, struct ed *e)
{
	struct order_edited	*o = e->out;
	struct eline		*l;
	enum line_problem	 p;
	int			 i;

	o->warnings = arena_calloc(c->arena, (size_t)e->n + 2,
	    sizeof(*o->warnings));
	for (i = 0; i < e->n; i++) {
		l = &e->v[i];
		if (l->removed)
			continue;
		if (!line_changed(l)) {
			l->new_line_fen = l->line_fen;
			l->new_tax_fen = l->tax_fen;
		} else if ((l->new_line_fen = price_line_total(l->new_unit_fen,
		    l->new_qty)) < 0 || (l->new_tax_fen = price_percent(
		    l->new_line_fen, e->tax_bp)) < 0)
			return refuse(c, e, ERR_INVALID, "price_invalid",
			    EDIT_PRICE, l->row, "金额过大");
		o->line_count++;
		o->subtotal_fen += l->new_line_fen;
		o->tax_fen += l->new_tax_fen;
		if (l->new_qty == l->qty)
			continue;
		p = line_qty_check(l->new_qty, l->min_qty, l->pack_size,
		    l->pack_only);
		if (p == LINE_QTY_BELOW_MIN)
			o->warnings[o->nwarnings++] = arena_printf(c->arena,
			    "「%s」%" PRId64 " %s 低于起订量 %" PRId64 " %s",
			    l->name, l->new_qty, l->unit, l->min_qty, l->unit);
		else if (p == LINE_QTY_NOT_MULTIPLE)
			o->warnings[o->nwarnings++] = arena_printf(c->arena,
			    "「%s」整箱销售（每箱 %" PRId64 " %s），%" PRId64
			    " %s 不是整箱", l->name, l->pack_size, l->unit,
			    l->new_qty, l->unit);
	}
	o->total_fen = o->subtotal_fen + o->tax_fen;
	o->old_total_fen = e->total_fen;
	return min_order_warn(c, e);
}

/* At most max characters of s, cut at a character, "…" when cut. */
static const char *
cut(struct arena *a, const char *s, size_t max)
{
	size_t	i, n = 0;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++n == max)
			break;
	if (s[i] == '\0')
		return s;
	/* s[i] starts the max-th character: keep max - 1 and the mark. */
	return arena_printf(a, "%.*s…", (int)i, s);
}

/* "商家调整：龙井 50→40 箱；新增 P000123 红茶 ×5 箱；…。原因：…" */
static const char *
summary(struct dctx *c, const struct ed *e)
{
	const struct eline	*l;
	struct buf		 b;
	const char		*out, *sep = "";
	int			 i;

	buf_init(&b, 256);
	buf_adds(&b, "商家调整：");
	for (i = 0; i < e->n; i++) {
		l = &e->v[i];
		if (!line_changed(l))
			continue;
		buf_adds(&b, sep);
		sep = "；";
		if (l->removed)
			buf_printf(&b, "删除 %s（%" PRId64 " %s）", l->name,
			    l->qty, l->unit);
		else if (l->added)
			buf_printf(&b, "新增 %s %s ×%" PRId64 " %s", l->code,
			    l->name, l->new_qty, l->unit);
		else {
			buf_adds(&b, l->name);
			if (l->new_qty != l->qty)
				buf_printf(&b, " %" PRId64 "→%" PRId64 " %s",
				    l->qty, l->new_qty, l->unit);
			if (l->new_unit_fen != l->unit_fen)
				buf_printf(&b, "%s单价 ¥%s→¥%s",
				    l->new_qty != l->qty ? "，" : " ",
				    fmt_yuan(c->arena, l->unit_fen),
				    fmt_yuan(c->arena, l->new_unit_fen));
		}
	}
	if (e->in->reason != NULL && *e->in->reason != '\0')
		buf_printf(&b, "。原因：%s", e->in->reason);
	out = cut(c->arena, buf_cstr(&b), NOTE_MAX);
	out = arena_strdup(c->arena, out);
	buf_free(&b);
	return out;
}

static int
by_sku(const void *a, const void *b)
{
	const struct eline	*x = *(const struct eline *const *)a;
	const struct eline	*y = *(const struct eline *const *)b;

	return x->sku_id < y->sku_id ? -1 : x->sku_id > y->sku_id;
}

static int64_t
units_after(const struct eline *l)
{
	return l->removed ? 0 : l->new_qty;
}

static int
short_of_stock(struct dctx *c, struct ed *e, const struct eline *l)
{
	return refuse(c, e, ERR_OUT_OF_STOCK, "out_of_stock", l->field,
	    l->row, l->stock > 0 ? arena_printf(c->arena, "「%s」库存不足："
	    "最多还能加 %" PRId64 " %s", l->name, l->stock, l->unit) :
	    arena_printf(c->arena, "「%s」没有库存了，不能加量", l->name));
}

/*
 * What the order holds follows its lines, one movement per SKU whose
 * units changed, in ascending SKU id (the order submit and cancel lock
 * them in). A preview only compares with the stock it read.
 */
static int
stock_follow(struct dctx *c, struct ed *e)
{
	struct eline	**s;
	int64_t		 d;
	int		 i, rc;

	s = arena_calloc(c->arena, (size_t)e->n + 1, sizeof(*s));
	for (i = 0; i < e->n; i++)
		s[i] = &e->v[i];
	qsort(s, (size_t)e->n, sizeof(*s), by_sku);
	for (i = 0; i < e->n; i++) {
		if ((d = units_after(s[i]) - s[i]->qty) == 0)
			continue;
		if (e->in->preview) {
			if (d > s[i]->stock)
				return short_of_stock(c, e, s[i]);
			continue;
		}
		rc = stock_order_adjust(c, e->id, s[i]->sku_id, d,
		    arena_printf(c->arena, "订单调整 %s", e->order_no));
		if (rc == ERR_OUT_OF_STOCK)
			return short_of_stock(c, e, s[i]);
		if (rc != 0)
			return rc == ERR_NOT_FOUND ? ERR_INTERNAL : rc;
	}
	return 0;
}

static int
credit_refused(struct dctx *c, struct ed *e, int64_t diff)
{
	struct db_res	*r;
	int64_t		 left = 0;

	if (db_run(c->arena, &r, sql_credit, "ii", e->customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows > 0)
		left = db_cell_i64(r, 0, 1) - db_cell_i64(r, 0, 0);
	return refuse(c, e, ERR_CREDIT_EXCEEDED, "credit_exceeded", -1, -1,
	    arena_printf(c->arena, "超出客户的信用额度：可用额度 ¥%s，本次调整"
	    "增加 ¥%s", fmt_yuan_grouped(c->arena, left > 0 ? left : 0),
	    fmt_yuan_grouped(c->arena, diff)));
}

/*
 * A monthly order's difference on the company's balance row (locked
 * here, after the SKUs): more owed only within the credit limit, less
 * owed always.
 */
static int
credit_follow(struct dctx *c, struct ed *e)
{
	struct db_res	*r;
	int64_t		 diff = e->out->total_fen - e->total_fen;
	struct ledger_post p = { e->customer_id, LEDGER_AR, LK_ORDER_CHANGE,
			    diff, e->id, 0, NULL };

	if (!e->monthly || diff == 0)
		return 0;
	if (e->in->preview) {
		if (diff < 0)
			return 0;
		if (db_run(c->arena, &r, sql_credit, "ii", e->customer_id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows > 0 && db_cell_i64(r, 0, 0) + diff <=
		    db_cell_i64(r, 0, 1))
			return 0;
		return credit_refused(c, e, diff);
	}
	if (diff < 0)
		return ledger_post(c, &p);
	if (db_run(c->arena, &r, sql_charge, "iiii", diff, c->shop->id,
	    e->customer_id, diff) == -1)
		return ERR_INTERNAL;
	return r->affected == 1 ? ledger_record(c, &p) :
	    credit_refused(c, e, diff);
}

/* One line's change as an order_line_change row of version nv. */
static int
change_row(struct dctx *c, struct ed *e, const struct eline *l, int64_t nv)
{
	const char	*action = l->removed ? "remove" : l->added ? "add" :
			    "change";
	const char	*oq = NULL, *nq = NULL, *ou = NULL, *nu = NULL;

	if (!l->added) {
		oq = arena_printf(c->arena, "%" PRId64, l->qty);
		ou = arena_printf(c->arena, "%" PRId64, l->unit_fen);
	}
	if (!l->removed) {
		nq = arena_printf(c->arena, "%" PRId64, l->new_qty);
		nu = arena_printf(c->arena, "%" PRId64, l->new_unit_fen);
	}
	if (db_run(c->arena, NULL, sql_change, "iiisiisssssssssss",
	    c->shop->id, e->id, nv, action, l->line_no, l->sku_id, l->code,
	    l->name, l->spec, l->unit, oq, nq, ou, nu, l->removed ? NULL :
	    l->new_source, or_empty(e->in->reason), order_actor_staff(c)) == -1)
		return ERR_INTERNAL;
	return 0;
}

static int
line_write(struct dctx *c, struct ed *e, const struct eline *l)
{
	if (l->removed)
		return db_run(c->arena, NULL, sql_line_del, "iii", l->id,
		    c->shop->id, e->id) == -1 ? ERR_INTERNAL : 0;
	if (l->added)
		return db_run(c->arena, NULL, sql_line_add, "iiiissssiisii",
		    c->shop->id, e->id, l->line_no, l->sku_id, l->code, l->name,
		    l->spec, l->unit, l->new_qty, l->new_unit_fen,
		    l->new_source, l->new_line_fen, l->new_tax_fen) == -1 ?
		    ERR_INTERNAL : 0;
	return db_run(c->arena, NULL, sql_line_set, "iisiiiii", l->new_qty,
	    l->new_unit_fen, l->new_source, l->new_line_fen, l->new_tax_fen,
	    l->id, c->shop->id, e->id) == -1 ? ERR_INTERNAL : 0;
}

/* The lines, their change rows, the order's sums and version. */
static int
write_all(struct dctx *c, struct ed *e)
{
	const struct order_edited	*o = e->out;
	int64_t				 nv = e->version + 1;
	int				 i, rc;

	for (i = 0; i < e->n; i++) {
		if (!line_changed(&e->v[i]))
			continue;
		if ((rc = change_row(c, e, &e->v[i], nv)) != 0 ||
		    (rc = line_write(c, e, &e->v[i])) != 0)
			return rc;
	}
	if (db_run(c->arena, NULL, sql_order_set, "iiiiii", o->line_count,
	    o->subtotal_fen, o->tax_fen, o->total_fen, e->id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (order_event_add(c, e->id, e->st, e->st, o->summary) != 0 ||
	    audit(c, "order.adjust", "order=%" PRId64 " no=%s version=%" PRId64
	    " total=%s->%s %s", e->id, e->order_no, nv, fmt_yuan(c->arena,
	    e->total_fen), fmt_yuan(c->arena, o->total_fen), o->summary) != 0)
		return ERR_INTERNAL;
	return notify_order(c, e->id, "changed");
}

/* What the input asks beyond the lines: a reason, a change at all. */
static int
sense_check(struct dctx *c, struct ed *e)
{
	const char	*r = e->in->reason;
	int		 i, changed = 0, left = 0;

	if (r != NULL && utf8_len(r) > ORDER_EDIT_REASON_MAX)
		return refuse(c, e, ERR_INVALID, "invalid", EDIT_REASON, -1,
		    "原因最多 200 个字");
	if (e->manual && (r == NULL || *r == '\0'))
		return refuse(c, e, ERR_INVALID, "reason_required",
		    EDIT_REASON, -1, "手工改价须填写原因");
	for (i = 0; i < e->n; i++) {
		changed += line_changed(&e->v[i]);
		left += !e->v[i].removed;
	}
	if (changed == 0)
		return refuse(c, e, ERR_INVALID, "no_change", -1, -1,
		    "没有要调整的内容");
	if (left == 0)
		return refuse(c, e, ERR_INVALID, "order_empty", EDIT_LINE, -1,
		    "订单至少要保留一种商品；都不要了请取消订单");
	if (left > CART_LINES_MAX)
		return refuse(c, e, ERR_INVALID, "invalid", EDIT_ADD_CODE, -1,
		    "一个订单最多 100 种商品");
	return 0;
}

static int
tx_edit(struct dctx *c, void *arg)
{
	struct ed	*e = arg;
	int		 rc;

	c->error = NULL;
	c->code = NULL;
	e->fe->n = 0;
	e->manual = 0;
	memset(e->out, 0, sizeof(*e->out));
	if ((rc = order_lock(c, e)) != 0 ||
	    (rc = lines_load(c, e)) != 0 ||
	    (rc = lines_apply(c, e)) != 0 ||
	    (rc = adds_apply(c, e)) != 0 ||
	    (rc = sense_check(c, e)) != 0 ||
	    (rc = money(c, e)) != 0)
		return rc;
	e->out->summary = summary(c, e);
	e->out->version = e->in->preview ? e->version : e->version + 1;
	if ((rc = stock_follow(c, e)) != 0 ||
	    (rc = credit_follow(c, e)) != 0)
		return rc;
	return e->in->preview ? 0 : write_all(c, e);
}

/*
 * Adjust order id of the request's shop as in says, as the actor (staff:
 * owner, admin, or the salesperson who owns the company), in one
 * transaction; *out says what it made (in->preview: what it would make,
 * nothing written). Refusals change nothing and set c->error, c->code
 * and, where one input is at fault, fe (enum order_edit_field, the row
 * its index in in->lines or in->adds): ERR_NOT_FOUND (another shop's
 * order, a company outside the actor's scope; sku_unavailable for a code
 * that is no SKU of the shop, or one off the shelf), ERR_FORBIDDEN (the
 * role), ERR_CONFLICT (order_state: confirmed or later, or cancelled;
 * order_stale: in->version is not the order's), ERR_INVALID (qty_invalid,
 * price_invalid, reason_required, no_change, order_empty, sku_in_order,
 * invalid), ERR_OUT_OF_STOCK, ERR_CREDIT_EXCEEDED.
 */
int
order_edit(struct dctx *c, int64_t id, const struct order_edit *in,
    struct order_edited *out, struct field_errors *fe)
{
	struct ed	e;
	int		rc;

	if (c->sess.kind != SESS_STAFF)
		return ERR_FORBIDDEN;
	memset(&e, 0, sizeof(e));
	e.id = id;
	e.in = in;
	e.out = out;
	e.fe = fe;
	if ((rc = db_tx_run(c, tx_edit, &e)) != 0)
		return rc;
	if (!in->preview)
		clog_info(c, "order_edit id=%" PRId64 " version=%" PRId64
		    " total_fen=%" PRId64 "->%" PRId64, id, out->version,
		    out->old_total_fen, out->total_fen);
	return 0;
}

/*
 * The adjust form of order id: the order as order_get() reads it (so
 * another shop's, or a company outside the actor's scope, is
 * ERR_NOT_FOUND) and each line's SKU rules and stock, in line order.
 */
int
order_edit_form(struct dctx *c, int64_t id, struct order *o,
    struct order_edit_sku **skus)
{
	struct order_edit_sku	*v;
	struct db_res		*r;
	int			 i, rc;

	*skus = NULL;
	if ((rc = order_get(c, id, o)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_form_skus, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	v = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*v));
	for (i = 0; i < r->nrows; i++) {
		v[i].line_id = db_cell_i64(r, i, 0);
		v[i].stock = db_cell_i64(r, i, 1);
		v[i].min_qty = db_cell_i64(r, i, 2);
		v[i].pack_size = db_cell_i64(r, i, 3);
		v[i].pack_only = db_cell_i64(r, i, 4) != 0;
	}
	*skus = v;
	return 0;
}
