/*
 * stock.c -- sku.stock through movements. An order takes its lines'
 * units with one conditional UPDATE per SKU (never below zero: the row
 * is locked and checked in one statement, so concurrent buyers queue on
 * it and exactly what is there is sold) and writes its movements in one
 * statement from its lines; staff and the import adjust a SKU under the
 * same row lock, so an adjustment never overwrites what an order took.
 * Nothing here opens a transaction: callers run these in theirs.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/order_rows.h"
#include "domain/stock.h"

static const char sql_take[] =
    "UPDATE sku SET stock = stock - ? WHERE id = ? AND shop_id = ? "
    "AND stock >= ?";
/*
 * Every line's units at once, from [[sku_id, qty], ...] in ascending id:
 * the SKU rows are locked in that order (j drives the join). A line short
 * of stock takes it below zero, which sku_qty's CHECK refuses, so the
 * statement changes nothing; sql_short then names the line (a locking
 * read: the stock as committed now, not as the transaction began).
 */
static const char sql_take_lines[] =
    "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
    "id BIGINT PATH '$[0]', qty BIGINT PATH '$[1]')) j "
    "STRAIGHT_JOIN sku s ON s.id = j.id AND s.shop_id = ? "
    "SET s.stock = s.stock - j.qty";
static const char sql_short[] =
    "SELECT j.n FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
    "id BIGINT PATH '$[0]', qty BIGINT PATH '$[1]')) j "
    "LEFT JOIN sku s ON s.id = j.id AND s.shop_id = ? "
    "WHERE s.stock IS NULL OR s.stock < j.qty ORDER BY j.n LIMIT 1 "
    "LOCK IN SHARE MODE";
static const char sql_give_back[] =
    "UPDATE sku SET stock = stock + ? WHERE id = ? AND shop_id = ?";
/* An order's movements from its lines: delta is sign * qty. */
static const char sql_order_moves[] =
    "INSERT INTO stock_movement (shop_id, sku_id, delta, qty, reason, "
    "order_id, customer_user_id, staff_id) "
    "SELECT shop_id, sku_id, ? * qty, qty, ?, order_id, ?, ? "
    "FROM order_line WHERE shop_id = ? AND order_id = ? ORDER BY line_no";
/* A parcel's movements from its lines: the units left, delta 0. */
static const char sql_shipment_moves[] =
    "INSERT INTO stock_movement (shop_id, sku_id, delta, qty, reason, "
    "order_id, staff_id) "
    "SELECT l.shop_id, l.sku_id, 0, sl.qty, 'ship', l.order_id, ? "
    "FROM shipment_line sl JOIN order_line l ON l.id = sl.order_line_id "
    "AND l.shop_id = sl.shop_id WHERE sl.shop_id = ? AND sl.shipment_id = ? "
    "ORDER BY l.line_no";
static const char sql_lock[] =
    "SELECT stock FROM sku WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_set[] =
    "UPDATE sku SET stock = ? WHERE id = ? AND shop_id = ?";
static const char sql_move[] =
    "INSERT INTO stock_movement (shop_id, sku_id, delta, qty, reason, "
    "customer_user_id, staff_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
/* One line of an order adjusted (order_edit.c): its order named. */
static const char sql_order_move[] =
    "INSERT INTO stock_movement (shop_id, sku_id, delta, qty, reason, "
    "order_id, customer_user_id, staff_id, note) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

#define MOVES_OF_JOINED \
    "FROM stock_movement m JOIN sku s ON s.id = m.sku_id " \
    "AND s.shop_id = m.shop_id " \
    "LEFT JOIN sales_order o ON o.id = m.order_id AND o.shop_id = m.shop_id " \
    "LEFT JOIN staff st ON st.id = m.staff_id AND st.shop_id = m.shop_id " \
    "LEFT JOIN customer_user u ON u.id = m.customer_user_id " \
    "AND u.shop_id = m.shop_id " \
    "WHERE m.shop_id = ? AND s.product_id = ? "
#define MOVES_OF \
    "FROM stock_movement m JOIN sku s ON s.id = m.sku_id " \
    "AND s.shop_id = m.shop_id WHERE m.shop_id = ? AND s.product_id = ? "
static const char sql_moves[] =
    "SELECT m.id, s.code, m.reason, m.delta, m.qty, COALESCE(o.id, 0), "
    "o.order_no, COALESCE(st.name, u.name), m.staff_id IS NOT NULL, m.note, "
    ORDER_LOCAL("m.created_at") " " MOVES_OF_JOINED
    "ORDER BY m.id DESC LIMIT ? OFFSET ?";
static const char sql_moves_count[] = "SELECT COUNT(*) " MOVES_OF;

static const char *const reasons[] = {
	[STOCK_RESERVE] = "reserve", [STOCK_RELEASE] = "release",
	[STOCK_SHIP] = "ship", [STOCK_ADJUST] = "adjust",
	[STOCK_IMPORT] = "import", [STOCK_RETURN] = "return",
};

static const struct {
	const char	*name;
	const char	*label;
} reason_labels[] = {
	{ "reserve", "下单占用" }, { "release", "取消释放" },
	{ "ship", "发货出库" }, { "adjust", "后台调整" },
	{ "import", "导入" }, { "return", "售后退货" },
};

/*
 * A page of product id's movements (all its SKUs), newest first, and how
 * many there are. 0 or ERR_INTERNAL.
 */
int
stock_moves(struct dctx *c, int64_t id, int64_t offset, int64_t limit,
    struct stock_move_row **out, int *n, int64_t *total)
{
	struct stock_move_row	*m;
	struct db_res		*r;
	size_t			 k;
	int			 i;

	if (db_run(c->arena, &r, sql_moves_count, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	*total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_moves, "iiii", c->shop->id, id, limit,
	    offset) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		m = &(*out)[i];
		m->id = db_cell_i64(r, i, 0);
		m->sku_code = db_cell(r, i, 1);
		m->reason = db_cell(r, i, 2);
		m->reason_label = m->reason;
		for (k = 0; k < sizeof(reason_labels) /
		    sizeof(reason_labels[0]); k++)
			if (strcmp(reason_labels[k].name, m->reason) == 0)
				m->reason_label = reason_labels[k].label;
		m->delta = db_cell_i64(r, i, 3);
		m->qty = db_cell_i64(r, i, 4);
		m->order_id = db_cell_i64(r, i, 5);
		m->order_no = db_cell(r, i, 6);
		m->who = db_cell(r, i, 7);
		m->by_staff = db_cell_i64(r, i, 8) != 0;
		m->note = db_cell(r, i, 9);
		m->time = db_cell(r, i, 10);
	}
	*n = r->nrows;
	return 0;
}

const char *
stock_reason_name(enum stock_reason r)
{
	return (unsigned)r < sizeof(reasons) / sizeof(reasons[0]) ?
	    reasons[r] : "adjust";
}

/*
 * Take qty units of a SKU for an order: locks the row. ERR_OUT_OF_STOCK
 * when fewer are left (nothing taken); the caller's transaction then
 * rolls back whatever it took before.
 */
int
stock_take(struct dctx *c, int64_t sku_id, int64_t qty)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_take, "iiii", qty, sku_id, c->shop->id,
	    qty) == -1)
		return ERR_INTERNAL;
	return r->affected == 1 ? 0 : ERR_OUT_OF_STOCK;
}

/*
 * Take the units of n lines ([[sku_id, qty], ...] as JSON, ascending ids,
 * no id twice) in one statement: 0, or ERR_OUT_OF_STOCK with *shortl the
 * index of the first line short of stock (nothing taken), ERR_INTERNAL.
 */
int
stock_take_lines(struct dctx *c, const char *lines, int n, int *shortl)
{
	struct db_res	*r;

	*shortl = -1;
	if (db_run(c->arena, &r, sql_take_lines, "si", lines,
	    c->shop->id) == 0) {
		if (r->affected == (uint64_t)n)
			return 0;
		clog_warnx(c, "stock: %" PRIu64 " of %d lines taken",
		    r->affected, n);
		return ERR_INTERNAL;	/* a line not the shop's */
	}
	if (!db_check_failed() || db_run(c->arena, &r, sql_short, "si",
	    lines, c->shop->id) == -1)
		return ERR_INTERNAL;
	*shortl = r->nrows > 0 ? (int)db_cell_i64(r, 0, 0) - 1 : 0;
	return ERR_OUT_OF_STOCK;
}

/* Give back what an order took (a cancel). */
int
stock_give_back(struct dctx *c, int64_t sku_id, int64_t qty)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_give_back, "iii", qty, sku_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	return r->affected == 1 ? 0 : ERR_NOT_FOUND;
}

/*
 * One movement per line of an order: reserve (-qty), release (+qty) or
 * ship (0: reserved units leave; sku.stock counted them out already).
 */
int
stock_order_moves(struct dctx *c, int64_t order_id, enum stock_reason why)
{
	int64_t	sign = why == STOCK_RESERVE ? -1 : why == STOCK_RELEASE ? 1 : 0;

	if (db_run(c->arena, NULL, sql_order_moves, "isssii", sign,
	    stock_reason_name(why), order_actor_user(c), order_actor_staff(c),
	    c->shop->id, order_id) == -1)
		return ERR_INTERNAL;
	return 0;
}

/*
 * Staff adjusted a line of an order that still holds its stock
 * (order_edit.c): more units reserved (units > 0: taken as stock_take()
 * takes them, never below zero, else ERR_OUT_OF_STOCK and nothing done)
 * or some given back (units < 0), as one reserve or release movement of
 * the order with note, so the order's movements still add up to what it
 * holds.
 */
int
stock_order_adjust(struct dctx *c, int64_t order_id, int64_t sku_id,
    int64_t units, const char *note)
{
	enum stock_reason	why = units > 0 ? STOCK_RESERVE : STOCK_RELEASE;
	int64_t			n = units > 0 ? units : -units;
	int			rc;

	if (units == 0)
		return 0;
	if ((rc = units > 0 ? stock_take(c, sku_id, n) :
	    stock_give_back(c, sku_id, n)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_order_move, "iiiisisss", c->shop->id,
	    sku_id, -units, n, stock_reason_name(why), order_id,
	    order_actor_user(c), order_actor_staff(c), note ? note : "") == -1)
		return ERR_INTERNAL;
	return 0;
}

/* One ship movement per line of a parcel (shipment.c). */
int
stock_shipment_moves(struct dctx *c, int64_t shipment_id)
{
	if (db_run(c->arena, NULL, sql_shipment_moves, "sii",
	    order_actor_staff(c), c->shop->id, shipment_id) == -1)
		return ERR_INTERNAL;
	return 0;
}

static int
move(struct dctx *c, int64_t sku_id, int64_t before, int64_t after,
    enum stock_reason why, const char *note)
{
	int64_t	delta = after - before;

	if (delta == 0)
		return 0;
	if (db_run(c->arena, NULL, sql_set, "iii", after, sku_id,
	    c->shop->id) == -1 ||
	    db_run(c->arena, NULL, sql_move, "iiiissss", c->shop->id, sku_id,
	    delta, delta < 0 ? -delta : delta, stock_reason_name(why),
	    order_actor_user(c), order_actor_staff(c), note ? note : "") == -1)
		return ERR_INTERNAL;
	return 0;
}

static int
locked(struct dctx *c, int64_t sku_id, int64_t *stock)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_lock, "ii", sku_id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	*stock = db_cell_i64(r, 0, 0);
	return 0;
}

/*
 * Change a SKU's stock by delta (a count, goods received, breakage), as
 * one movement; *now (may be NULL) is the stock after. The product form
 * should send what it changed, as a delta from the stock it showed, so an
 * order placed meanwhile keeps what it took. ERR_CONFLICT (c->error) when
 * the result would be below 0 or above STOCK_MAX, ERR_NOT_FOUND.
 */
int
stock_adjust(struct dctx *c, int64_t sku_id, int64_t delta,
    enum stock_reason why, const char *note, int64_t *now)
{
	int64_t	stock;
	int	rc;

	if ((rc = locked(c, sku_id, &stock)) != 0)
		return rc;
	if (delta < -stock || delta > STOCK_MAX - stock) {
		c->error = arena_printf(c->arena, "库存调整后应在 0 到 %d 之间"
		    "（现有 %" PRId64 "）", STOCK_MAX, stock);
		return ERR_CONFLICT;
	}
	if (now != NULL)
		*now = stock + delta;
	return move(c, sku_id, stock, stock + delta, why, note);
}

/*
 * What a form changed: the stock it showed (was) and the one typed, as
 * an adjust movement of typed - was on the stock as it is now, so that
 * what an order took meanwhile stays taken (the form carries an
 * idempotency key: posted twice, its change is made once). *raced (may
 * be NULL) is 1 when the stock was no longer what the form showed. ERR_CONFLICT (c->error) below 0 or above
 * STOCK_MAX, ERR_NOT_FOUND.
 */
int
stock_change(struct dctx *c, int64_t sku_id, int64_t was, int64_t typed,
    const char *note, int *raced)
{
	int64_t	stock;
	int	rc;

	if ((rc = locked(c, sku_id, &stock)) != 0)
		return rc;
	if (raced != NULL)
		*raced = stock != was;
	if (typed - was < -stock || typed - was > STOCK_MAX - stock) {
		c->error = arena_printf(c->arena, "库存调整后应在 0 到 %d 之间"
		    "（现有 %" PRId64 "，页面显示 %" PRId64 "，期间有订单）",
		    STOCK_MAX, stock, was);
		return ERR_CONFLICT;
	}
	return move(c, sku_id, stock, stock + typed - was, STOCK_ADJUST, note);
}

/*
 * Set a SKU's stock to a counted value (an import's column), as one
 * movement of the difference to what it is now, read under the row lock;
 * *delta (may be NULL) is that difference. ERR_INVALID for a value out of
 * 0..STOCK_MAX, ERR_NOT_FOUND.
 */
int
stock_set(struct dctx *c, int64_t sku_id, int64_t value,
    enum stock_reason why, const char *note, int64_t *delta)
{
	int64_t	stock;
	int	rc;

	if (value < 0 || value > STOCK_MAX) {
		c->error = arena_printf(c->arena, "库存应在 0 到 %d 之间",
		    STOCK_MAX);
		return ERR_INVALID;
	}
	if ((rc = locked(c, sku_id, &stock)) != 0)
		return rc;
	if (delta != NULL)
		*delta = value - stock;
	return move(c, sku_id, stock, value, why, note);
}
