/*
 * purchase_list.c -- a company's saved purchase lists (常购清单). Every
 * statement is bound to the request's shop and the actor's company, so
 * another company's list reads as a missing one (ERR_NOT_FOUND). A list
 * is made from the actor's cart (from 0) or from one of the company's
 * orders; its lines are priced on reading as the cart prices them
 * (lines_price, in the storefront given), and ordering from it adds each
 * line to the cart through quick_add: one transaction, the lines that
 * cannot be ordered now listed with why.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/order.h"
#include "domain/order_rows.h"
#include "domain/purchase_list.h"

#define MINE	"shop_id = ? AND customer_id = ?"

static const char sql_all[] =
    "SELECT l.id, l.name, (SELECT COUNT(*) FROM purchase_list_item i "
    "WHERE i.shop_id = l.shop_id AND i.list_id = l.id), "
    ORDER_LOCAL("l.updated_at") ", u.name FROM purchase_list l "
    "LEFT JOIN customer_user u ON u.id = l.created_by "
    "WHERE l.shop_id = ? AND l.customer_id = ? "
    "ORDER BY l.updated_at DESC, l.id DESC";
static const char sql_head[] =
    "SELECT l.id, l.name, 0, " ORDER_LOCAL("l.updated_at") ", u.name "
    "FROM purchase_list l LEFT JOIN customer_user u ON u.id = l.created_by "
    "WHERE l.id = ? AND l.shop_id = ? AND l.customer_id = ?";
static const char sql_head_lock[] =
    "SELECT id FROM purchase_list WHERE id = ? AND " MINE " FOR UPDATE";
static const char sql_items[] =
    "SELECT sku_id, qty FROM purchase_list_item WHERE shop_id = ? "
    "AND list_id = ? ORDER BY added_at, sku_id";
static const char sql_item[] =
    "SELECT qty FROM purchase_list_item WHERE shop_id = ? AND list_id = ? "
    "AND sku_id = ? FOR UPDATE";
static const char sql_count[] =
    "SELECT COUNT(*) FROM purchase_list WHERE " MINE " FOR UPDATE";
static const char sql_insert[] =
    "INSERT INTO purchase_list (shop_id, customer_id, name, created_by) "
    "VALUES (?, ?, ?, ?)";
static const char sql_from_cart[] =
    "INSERT INTO purchase_list_item (shop_id, list_id, sku_id, qty) "
    "SELECT shop_id, ?, sku_id, qty FROM cart_item WHERE shop_id = ? "
    "AND customer_user_id = ?";
static const char sql_from_order[] =
    "INSERT INTO purchase_list_item (shop_id, list_id, sku_id, qty) "
    "SELECT l.shop_id, ?, l.sku_id, SUM(l.qty) FROM order_line l "
    "JOIN sales_order o ON o.id = l.order_id AND o.shop_id = l.shop_id "
    "WHERE o.id = ? AND o.shop_id = ? AND o.customer_id = ? "
    "GROUP BY l.shop_id, l.sku_id";
static const char sql_rename[] =
    "UPDATE purchase_list SET name = ?, updated_at = NOW(3) "
    "WHERE id = ? AND " MINE;
static const char sql_touch[] =
    "UPDATE purchase_list SET updated_at = NOW(3) WHERE id = ? AND " MINE;
static const char sql_set_qty[] =
    "UPDATE purchase_list_item SET qty = ? WHERE shop_id = ? "
    "AND list_id = ? AND sku_id = ?";
static const char sql_remove[] =
    "DELETE FROM purchase_list_item WHERE shop_id = ? AND list_id = ? "
    "AND sku_id = ?";
static const char sql_delete[] =
    "DELETE FROM purchase_list WHERE id = ? AND " MINE;

static int
customer(struct dctx *c)
{
	return c->sess.kind == SESS_CUSTOMER && c->sess.customer_id != 0;
}

static void
head_of(const struct db_res *r, int i, struct plist_row *h)
{
	h->id = db_cell_i64(r, i, 0);
	h->name = db_cell(r, i, 1);
	h->items = db_cell_i64(r, i, 2);
	h->updated = db_cell(r, i, 3);
	h->created_by = db_cell(r, i, 4);
}

/* The company's lists, last changed first. */
int
plist_all(struct dctx *c, struct plist_row **out, int *n)
{
	struct db_res	*r;
	int		 i;

	*out = NULL;
	*n = 0;
	if (!customer(c))
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_all, "ii", c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++)
		head_of(r, i, &(*out)[i]);
	*n = r->nrows;
	return 0;
}

static int
not_found(struct dctx *c)
{
	c->error = "没有这个常购清单";
	return ERR_NOT_FOUND;
}

/* The list's items as priced lines for the storefront mode. */
static int
items_priced(struct dctx *c, int64_t id, int mode, struct priced_line **pl,
    int *n, struct db_res **rr)
{
	struct line_req	*rq;
	struct db_res	*r;
	int		 i;

	*n = 0;
	*pl = NULL;
	if (db_run(c->arena, &r, sql_items, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	if (rr != NULL)
		*rr = r;
	if (r->nrows == 0)
		return 0;
	rq = arena_calloc(c->arena, r->nrows, sizeof(*rq));
	for (i = 0; i < r->nrows; i++) {
		rq[i].sku_id = db_cell_i64(r, i, 0);
		rq[i].qty = db_cell_i64(r, i, 1);
		rq[i].mode = mode;
	}
	*n = r->nrows;
	return pl != NULL ? lines_price(c, c->sess.customer_id, rq, r->nrows,
	    pl) : 0;
}

/* One of the company's lists with its lines priced for the mode. */
int
plist_get(struct dctx *c, int64_t id, int mode, struct plist *out)
{
	struct db_res	*r;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (!customer(c))
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_head, "iii", id, c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return not_found(c);
	head_of(r, 0, &out->head);
	if ((rc = items_priced(c, id, mode, &out->lines, &out->n, NULL)) != 0)
		return rc;
	out->head.items = out->n;
	return 0;
}

/* A name as given: 1..PLIST_NAME_MAX characters, trimmed by the form. */
static int
name_ok(struct dctx *c, const char *name)
{
	size_t	n = name ? utf8_len(name) : 0;

	if (n >= 1 && n <= PLIST_NAME_MAX && strpbrk(name, "\r\n\t") == NULL)
		return 1;
	c->error = arena_printf(c->arena, "清单名称应为 1 到 %d 个字",
	    PLIST_NAME_MAX);
	c->code = "name_invalid";
	return 0;
}

struct create_arg {
	const char	*name;
	int64_t		 order_id;	/* 0: from the cart */
	int64_t		 id;
};

static int
tx_create(struct dctx *c, void *arg)
{
	struct create_arg	*a = arg;
	struct order		 o;
	struct db_res		*r;
	int			 rc;

	if (db_run(c->arena, &r, sql_count, "ii", c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) >= PLIST_MAX) {
		c->error = arena_printf(c->arena, "常购清单最多 %d 个，"
		    "请先删除不用的", PLIST_MAX);
		c->code = "too_many_lists";
		return ERR_CONFLICT;
	}
	if (a->order_id != 0 && (rc = order_get(c, a->order_id, &o)) != 0) {
		c->error = "没有这个订单";
		return rc;
	}
	if (db_run(c->arena, &r, sql_insert, "iisi", c->shop->id,
	    c->sess.customer_id, a->name, c->sess.user_id) == -1)
		return ERR_INTERNAL;
	a->id = r->insert_id;
	if (a->order_id != 0)
		rc = db_run(c->arena, &r, sql_from_order, "iiii", a->id,
		    a->order_id, c->shop->id, c->sess.customer_id);
	else
		rc = db_run(c->arena, &r, sql_from_cart, "iii", a->id,
		    c->shop->id, c->sess.user_id);
	if (rc == -1)
		return ERR_INTERNAL;
	if (r->affected == 0) {
		c->error = a->order_id ? "这个订单没有商品" :
		    "进货单是空的，先加入商品再保存为清单";
		c->code = "empty";
		return ERR_INVALID;	/* rolls the list back */
	}
	return 0;
}

/*
 * A new list named name with the lines of the actor's cart (order_id 0)
 * or of one of the company's orders. *id: the list's.
 */
int
plist_create(struct dctx *c, const char *name, int64_t order_id,
    int64_t *id)
{
	struct create_arg	a;
	int			rc;

	*id = 0;
	if (!customer(c))
		return ERR_NOT_FOUND;
	if (!name_ok(c, name))
		return ERR_INVALID;
	memset(&a, 0, sizeof(a));
	a.name = name;
	a.order_id = order_id;
	if ((rc = db_tx_run(c, tx_create, &a)) == 0)
		*id = a.id;
	return rc;
}

int
plist_rename(struct dctx *c, int64_t id, const char *name)
{
	struct db_res	*r;

	if (!customer(c))
		return ERR_NOT_FOUND;
	if (!name_ok(c, name))
		return ERR_INVALID;
	if (db_run(c->arena, &r, sql_head, "iii", id, c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return not_found(c);
	if (db_run(c->arena, NULL, sql_rename, "siii", name, id, c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	return 0;
}

struct item_arg {
	int64_t		 id, sku_id, qty;	/* qty 0: remove */
};

static int
tx_item(struct dctx *c, void *arg)
{
	struct item_arg	*a = arg;
	struct db_res	*r;
	int		 rc_run;

	if (db_run(c->arena, &r, sql_head_lock, "iii", a->id, c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return not_found(c);
	if (db_run(c->arena, &r, sql_item, "iii", c->shop->id, a->id,
	    a->sku_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		if (a->qty == 0)
			return 0;	/* gone already */
		c->error = "清单中没有这个商品";
		return ERR_NOT_FOUND;
	}
	if (a->qty == 0)
		rc_run = db_run(c->arena, NULL, sql_remove, "iii", c->shop->id,
		    a->id, a->sku_id);
	else
		rc_run = db_run(c->arena, NULL, sql_set_qty, "iiii", a->qty,
		    c->shop->id, a->id, a->sku_id);
	if (rc_run == -1 || db_run(c->arena, NULL, sql_touch, "iii", a->id,
	    c->shop->id, c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	return 0;
}

/*
 * A line's quantity: 1..CART_QTY_MAX (the SKU's own rules are checked
 * when the list is ordered from, as they may change meanwhile).
 */
int
plist_set_qty(struct dctx *c, int64_t id, int64_t sku_id, int64_t qty)
{
	struct item_arg	a;

	if (!customer(c))
		return ERR_NOT_FOUND;
	if (qty < 1 || qty > CART_QTY_MAX) {
		c->error = "数量应为 1 到 1000000 之间的整数";
		c->code = line_problem_code(LINE_QTY_INVALID);
		return ERR_INVALID;
	}
	a.id = id;
	a.sku_id = sku_id;
	a.qty = qty;
	return db_tx_run(c, tx_item, &a);
}

/* Take a SKU off the list; one not there is gone. */
int
plist_remove(struct dctx *c, int64_t id, int64_t sku_id)
{
	struct item_arg	a;

	if (!customer(c))
		return ERR_NOT_FOUND;
	a.id = id;
	a.sku_id = sku_id;
	a.qty = 0;
	return db_tx_run(c, tx_item, &a);
}

int
plist_delete(struct dctx *c, int64_t id)
{
	struct db_res	*r;

	if (!customer(c))
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_delete, "iii", id, c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->affected == 0)
		return not_found(c);
	return 0;
}

/*
 * 全部加入进货单: every line of the list onto the actor's cart, as
 * quick_add adds them (one transaction; min qty, cases, shelf and stock
 * checked on the sums; the others left out with why).
 */
int
plist_order(struct dctx *c, int64_t id, int mode, struct quick_order *q)
{
	struct plist	 l;
	int		 i, rc;

	memset(q, 0, sizeof(*q));
	if ((rc = plist_get(c, id, mode, &l)) != 0)
		return rc;
	if (l.n == 0) {
		c->error = "清单是空的";
		c->code = "empty";
		return ERR_INVALID;
	}
	q->v = arena_calloc(c->arena, l.n + 1, sizeof(*q->v));
	for (i = 0; i < l.n; i++) {
		struct quick_line *ql = &q->v[q->n++];

		ql->lineno = i + 1;
		ql->code = l.lines[i].sku_code ? l.lines[i].sku_code : "";
		ql->qty = l.lines[i].qty;
		ql->qty_text = arena_printf(c->arena, "%" PRId64, ql->qty);
		ql->sku_id = l.lines[i].sku_id;
		ql->known = 1;
		ql->status = QUICK_OK;
		ql->status_code = "ok";
	}
	return quick_add(c, mode, q);
}
