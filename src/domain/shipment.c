/*
 * shipment.c -- parcels of an order. A parcel takes, per order line, at
 * most what is left of it (qty - shipped_qty), checked against the lines
 * read under the order's row lock (the ship move holds it), and raises
 * shipped_qty in a statement that checks the bound again. Shipping moves
 * no stock: sku.stock counted the units out at submit; each parcel line
 * is a ship movement of delta 0 (stock.c), so the SKU's history says when
 * its reserved units left.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/order_rows.h"
#include "domain/shipment.h"
#include "domain/stock.h"

static const char sql_left[] =
    "SELECT id, line_no, qty - shipped_qty FROM order_line "
    "WHERE shop_id = ? AND order_id = ? ORDER BY line_no";
static const char sql_add[] =
    "INSERT INTO shipment (shop_id, order_id, carrier, tracking_no, "
    "staff_id) VALUES (?, ?, ?, ?, ?)";
static const char sql_line_add[] =
    "INSERT INTO shipment_line (shop_id, shipment_id, order_line_id, qty) "
    "VALUES (?, ?, ?, ?)";
static const char sql_shipped[] =
    "UPDATE order_line SET shipped_qty = shipped_qty + ? WHERE id = ? "
    "AND shop_id = ? AND order_id = ? AND shipped_qty + ? <= qty";
static const char sql_items[] =
    "SELECT sl.shipment_id, l.line_no, l.sku_code, l.name, l.spec, "
    "l.unit, sl.qty FROM shipment sh JOIN shipment_line sl "
    "ON sl.shipment_id = sh.id AND sl.shop_id = sh.shop_id "
    "JOIN order_line l ON l.id = sl.order_line_id AND l.shop_id = sh.shop_id "
    "WHERE sh.shop_id = ? AND sh.order_id = ? ORDER BY sh.id, l.line_no";

/*
 * The units to ship per line of r (sql_left's rows) into want: all that
 * is left when n is 0, else what v says. ERR_INVALID for a line not of
 * the order or nothing to ship; ERR_CONFLICT (code over_shipped) for more
 * than is left of a line.
 */
static int
wanted(struct dctx *c, const struct db_res *r, const struct ship_line *v,
    int n, int64_t *want)
{
	int64_t	total = 0;
	int	i, k;

	for (i = 0; i < r->nrows; i++)
		want[i] = n == 0 ? db_cell_i64(r, i, 2) : 0;
	for (k = 0; k < n; k++) {
		for (i = 0; i < r->nrows && db_cell_i64(r, i, 0) !=
		    v[k].line_id; i++)
			;
		if (i == r->nrows || v[k].qty < 0) {
			c->error = "发货明细不属于此订单";
			return ERR_INVALID;
		}
		want[i] += v[k].qty;
	}
	for (i = 0; i < r->nrows; i++) {
		if (want[i] > db_cell_i64(r, i, 2)) {
			c->error = arena_printf(c->arena, "第 %s 行最多还能发 %"
			    PRId64 "，本次填了 %" PRId64, db_cell(r, i, 1),
			    db_cell_i64(r, i, 2), want[i]);
			c->code = "over_shipped";
			return ERR_CONFLICT;
		}
		total += want[i];
	}
	if (total == 0) {
		c->error = "请填写本次发货的数量";
		return ERR_INVALID;
	}
	return 0;
}

/*
 * A parcel of order id (its row locked by the caller's transaction) with
 * carrier and tracking number: the n lines of v, or everything left when
 * n is 0. *complete is 1 when nothing is left to ship after it. 0,
 * ERR_INVALID, ERR_CONFLICT (over_shipped), ERR_INTERNAL.
 */
int
shipment_make(struct dctx *c, int64_t id, const char *carrier,
    const char *tracking_no, const struct ship_line *v, int n, int *complete)
{
	struct db_res	*r, *s;
	int64_t		*want, sid, left = 0;
	int		 i, rc;

	if (db_run(c->arena, &r, sql_left, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	want = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*want));
	if ((rc = wanted(c, r, v, n, want)) != 0)
		return rc;
	if (db_run(c->arena, &s, sql_add, "iisss", c->shop->id, id, carrier,
	    tracking_no, order_actor_staff(c)) == -1)
		return ERR_INTERNAL;
	sid = (int64_t)s->insert_id;
	for (i = 0; i < r->nrows; i++) {
		left += db_cell_i64(r, i, 2) - want[i];
		if (want[i] == 0)
			continue;
		if (db_run(c->arena, NULL, sql_line_add, "iiii", c->shop->id,
		    sid, db_cell_i64(r, i, 0), want[i]) == -1 ||
		    db_run(c->arena, &s, sql_shipped, "iiiii", want[i],
		    db_cell_i64(r, i, 0), c->shop->id, id, want[i]) == -1)
			return ERR_INTERNAL;
		if (s->affected != 1)
			return ERR_INTERNAL;	/* the lock holds: cannot be */
	}
	*complete = left == 0;
	return stock_shipment_moves(c, sid);
}

/* Every parcel's lines of order id. 0 or ERR_INTERNAL. */
int
shipment_items(struct dctx *c, int64_t id, struct shipment_item **out,
    int *n)
{
	struct shipment_item	*it;
	struct db_res		*r;
	int			 i;

	if (db_run(c->arena, &r, sql_items, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		it = &(*out)[i];
		it->shipment_id = db_cell_i64(r, i, 0);
		it->line_no = db_cell_i64(r, i, 1);
		it->sku_code = db_cell(r, i, 2);
		it->name = db_cell(r, i, 3);
		it->spec = db_cell(r, i, 4);
		it->unit = db_cell(r, i, 5);
		it->qty = db_cell_i64(r, i, 6);
	}
	*n = r->nrows;
	return 0;
}
