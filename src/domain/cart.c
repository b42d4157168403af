/*
 * cart.c -- a customer user's cart (进货单): add, change, remove, count.
 * Every change checks the line as an order would take it (lines_price:
 * storefront, shelf, quantity rules, stock, from the database) and is
 * refused with the line's problem as the error's code; adding a SKU that
 * is already there adds to its quantity. Only the actor's own lines of
 * the request's shop are touched.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/shop.h"
#include "domain/cart.h"

/* The user's cart rows locked (a user's changes take turns, so the
 * lines limit holds), with the line's qty and mode if it is there. */
static const char sql_cart_lock[] =
    "SELECT COUNT(*), COALESCE(SUM(qty), 0), MAX(IF(sku_id = ?, qty, NULL)), "
    "MAX(IF(sku_id = ?, " CART_MODE_BITS("mode") ", NULL)) FROM cart_item "
    "WHERE shop_id = ? "
    "AND customer_user_id = ? FOR UPDATE";
static const char sql_count[] =
    "SELECT COUNT(*), COALESCE(SUM(qty), 0) FROM cart_item "
    "WHERE shop_id = ? AND customer_user_id = ?";
static const char sql_put[] =
    "INSERT INTO cart_item (shop_id, customer_user_id, sku_id, mode, qty) "
    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE qty = VALUES(qty), "
    "mode = VALUES(mode)";
static const char sql_del[] =
    "DELETE FROM cart_item WHERE shop_id = ? AND customer_user_id = ? "
    "AND sku_id = ?";

struct change {
	int		 mode;		/* 0: keep the line's */
	int64_t		 sku_id;
	int64_t		 qty;
	int		 add;		/* to the line's qty, or set it */
	struct cart_added *out;		/* the line and the cart after */
};

/* cart_item.mode for a storefront's SHOP_MODE_*. */
const char *
cart_mode_name(int mode)
{
	return mode == SHOP_MODE_WHOLESALE ? "wholesale" :
	    mode == SHOP_MODE_RETAIL ? "retail" : "ordering";
}

/* The error for a line that cannot be ordered as asked. */
static int
refuse(struct dctx *c, const struct priced_line *l)
{
	c->error = l->why;
	c->code = line_problem_code(l->problem);
	switch (l->problem) {
	case LINE_UNAVAILABLE:
		return ERR_NOT_FOUND;
	case LINE_OUT_OF_STOCK:
		return ERR_OUT_OF_STOCK;
	case LINE_WRONG_MALL:
		return ERR_FORBIDDEN;
	default:
		return ERR_INVALID;
	}
}

static int
tx_change(struct dctx *c, void *arg)
{
	struct change		*ch = arg;
	struct priced_line	*l;
	struct line_req		 rq;
	struct db_res		*r;
	int64_t			 have = 0, lines, units;
	int			 rc, mode = ch->mode, there;

	memset(ch->out, 0, sizeof(*ch->out));
	c->error = NULL;
	c->code = NULL;
	if (db_run(c->arena, &r, sql_cart_lock, "iiii", ch->sku_id,
	    ch->sku_id, c->shop->id, c->sess.user_id) == -1)
		return ERR_INTERNAL;
	lines = db_cell_i64(r, 0, 0);
	units = db_cell_i64(r, 0, 1);
	if ((there = db_cell(r, 0, 2) != NULL)) {
		have = db_cell_i64(r, 0, 2);
		if (mode == 0)
			mode = (int)db_cell_i64(r, 0, 3);
	} else if (!ch->add) {
		c->error = "进货单中没有这个商品";
		return ERR_NOT_FOUND;
	}
	rq.sku_id = ch->sku_id;
	rq.qty = ch->add ? have + ch->qty : ch->qty;
	rq.mode = mode;
	if (rq.qty > CART_QTY_MAX) {
		c->error = arena_printf(c->arena, "进货单中已有 %" PRId64 "，"
		    "合计不能超过 %d", have, CART_QTY_MAX);
		c->code = line_problem_code(LINE_QTY_INVALID);
		return ERR_INVALID;
	}
	if ((rc = lines_price(c, c->sess.customer_id, &rq, 1, &l)) != 0)
		return rc;
	if (l->problem != LINE_OK)
		return refuse(c, l);
	if (!there && lines >= CART_LINES_MAX) {
		c->error = arena_printf(c->arena, "进货单最多 %d 种商品，"
		    "请先下单或删除一些", CART_LINES_MAX);
		c->code = "cart_full";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, NULL, sql_put, "iiisi", c->shop->id,
	    c->sess.user_id, ch->sku_id, cart_mode_name(mode), rq.qty) == -1)
		return ERR_INTERNAL;
	ch->out->line = *l;
	ch->out->lines = lines + !there;
	ch->out->units = units - have + rq.qty;
	return 0;
}

static int
change(struct dctx *c, struct change *ch, struct cart_added *out)
{
	struct cart_added	scratch;

	ch->out = out != NULL ? out : &scratch;
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	return db_tx_run(c, tx_change, ch);
}

/*
 * Add qty of a SKU, from the storefront mode (SHOP_MODE_ORDERING,
 * SHOP_MODE_WHOLESALE, or SHOP_MODE_RETAIL for a consumer), to the
 * actor's cart; a line already there grows
 * (and moves to that storefront). *out (may be NULL): the line as priced
 * now and the cart's lines and units after. Refusals set c->error and
 * c->code (line_problem_code): ERR_INVALID for a quantity, ERR_NOT_FOUND
 * for a SKU that may not be ordered there (or is not the shop's),
 * ERR_OUT_OF_STOCK, ERR_CONFLICT (cart_full), ERR_FORBIDDEN (the wrong
 * mall for the buyer: wrong_storefront).
 */
int
cart_add(struct dctx *c, int mode, int64_t sku_id, int64_t qty,
    struct cart_added *out)
{
	struct change	ch;

	memset(&ch, 0, sizeof(ch));
	ch.mode = mode;
	ch.sku_id = sku_id;
	ch.qty = qty;
	ch.add = 1;
	if (mode != SHOP_MODE_ORDERING && mode != SHOP_MODE_WHOLESALE &&
	    mode != SHOP_MODE_RETAIL) {
		c->error = "没有这个商城";
		c->code = line_problem_code(LINE_UNAVAILABLE);
		return ERR_NOT_FOUND;
	}
	return change(c, &ch, out);
}

/* Set the quantity of a line of the actor's cart; refusals as cart_add,
 * and ERR_NOT_FOUND for a SKU the cart does not hold. */
int
cart_set(struct dctx *c, int64_t sku_id, int64_t qty)
{
	struct change	ch;

	memset(&ch, 0, sizeof(ch));
	ch.sku_id = sku_id;
	ch.qty = qty;
	return change(c, &ch, NULL);
}

/* Take a SKU out of the actor's cart; one that is not there is gone. */
int
cart_remove(struct dctx *c, int64_t sku_id)
{
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, NULL, sql_del, "iii", c->shop->id,
	    c->sess.user_id, sku_id) == -1)
		return ERR_INTERNAL;
	return 0;
}

/* How many lines the actor's cart holds (0 for anyone else). */
int
cart_count(struct dctx *c, int64_t *n)
{
	struct db_res	*r;

	*n = 0;
	if (c->sess.kind != SESS_CUSTOMER)
		return 0;
	if (db_run(c->arena, &r, sql_count, "ii", c->shop->id,
	    c->sess.user_id) == -1)
		return ERR_INTERNAL;
	*n = db_cell_i64(r, 0, 0);
	return 0;
}
