/*
 * min_order.c -- 起订金额, a member level's minimum order amount
 * (sql/016_min_order.sql): what the actor's company must order from the
 * cart, in fen of goods before tax, and what an amount is short of it.
 * Submit refuses below it (order_submit.c, which reads the minimum with
 * the company); the cart page asks here. An accepted quote is not held
 * to it. docs/orders.md, "Minimum order amount".
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/order.h"

static const char sql_min[] =
    "SELECT min_order_fen FROM member_level WHERE id = ? AND shop_id = ?";

/* What goods_fen lacks of min_fen: 0 when it is met, or there is none. */
int64_t
order_min_short(int64_t min_fen, int64_t goods_fen)
{
	return min_fen > goods_fen ? min_fen - goods_fen : 0;
}

/*
 * The 起订金额 of the actor's company's level (a customer user's; 0 for
 * anyone else, a company without a level, a level gone). The session
 * names the level, as it does for the catalog's prices, so a company
 * without one costs no query. 0, or ERR_INTERNAL.
 */
int
order_min_order(struct dctx *c, int64_t *min_fen)
{
	struct db_res	*r;

	*min_fen = 0;
	if (c->sess.kind != SESS_CUSTOMER || c->sess.level_id == 0)
		return 0;
	if (db_run(c->arena, &r, sql_min, "ii", c->sess.level_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows > 0)
		*min_fen = db_cell_i64(r, 0, 0);
	return 0;
}
