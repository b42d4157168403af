/*
 * order_edit_read.c -- what staff adjusting an order (order_edit.c) leave
 * for the order's readers beside its lines: the lines they removed, which
 * order_get() (order_read.c) reads for both sides' pages once an order
 * has been adjusted. Apart from order_edit.c, which reads orders itself,
 * so that the two do not call each other.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/order.h"
#include "domain/order_rows.h"
#include "domain/order_edit.h"

static const char sql_removed[] =
    "SELECT sku_code, name, spec, unit, old_qty, old_unit_fen, "
    ORDER_LOCAL("created_at") " FROM order_line_change "
    "WHERE shop_id = ? AND order_id = ? AND action = 'remove' ORDER BY id";

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* The lines staff removed from o (order_get() asks, once adjusted). */
int
order_removed_read(struct dctx *c, struct order *o)
{
	struct order_removed_row	*v;
	struct db_res			*r;
	int				 i;

	if (db_run(c->arena, &r, sql_removed, "ii", c->shop->id, o->id) == -1)
		return ERR_INTERNAL;
	v = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*v));
	for (i = 0; i < r->nrows; i++) {
		v[i].sku_code = db_cell(r, i, 0);
		v[i].name = db_cell(r, i, 1);
		v[i].spec = or_empty(db_cell(r, i, 2));
		v[i].unit = db_cell(r, i, 3);
		v[i].qty = db_cell_i64(r, i, 4);
		v[i].unit_fen = db_cell_i64(r, i, 5);
		v[i].time = db_cell(r, i, 6);
	}
	o->removed = v;
	o->nremoved = r->nrows;
	return 0;
}
