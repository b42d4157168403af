/*
 * price_list.c -- member levels and their price lists in the database:
 * the levels with their fixed prices and 起订金额, and every write to them,
 * each in one transaction that also writes the audit log and, where it
 * changes what the catalog cache holds, bumps shop.version (shop_touch),
 * so every worker's catalog cache prices by the change.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/shop.h"
#include "domain/price_list.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

static const char sql_levels[] =
    "SELECT l.id, l.name, l.rank_no, "
    "(SELECT COUNT(*) FROM customer c WHERE c.level_id = l.id "
    "AND c.shop_id = l.shop_id), COALESCE(pl.percent_bp, 0), "
    "l.min_order_fen FROM member_level l LEFT JOIN price_list pl ON pl.level_id = l.id "
    "WHERE l.shop_id = ? ORDER BY l.rank_no, l.id";
static const char sql_items[] =
    "SELECT pl.level_id, i.sku_id, s.code, p.name, s.spec, s.price_fen, "
    "i.price_fen FROM price_list_item i "
    "JOIN price_list pl ON pl.id = i.price_list_id "
    "AND pl.shop_id = i.shop_id "
    "JOIN sku s ON s.id = i.sku_id AND s.shop_id = i.shop_id "
    "JOIN product p ON p.id = s.product_id "
    "WHERE i.shop_id = ? ORDER BY pl.level_id, s.code";
/* The actor's: a salesperson checks the prices of their own companies. */
static const char sql_customers[] =
    "SELECT c.id, c.name FROM customer c WHERE c.shop_id = ? AND "
    SCOPE_CUSTOMER("c") " ORDER BY c.name, c.id LIMIT ?";

static const char sql_level_get[] =
    "SELECT name, min_order_fen FROM member_level WHERE id = ? "
    "AND shop_id = ? FOR UPDATE";
static const char sql_level_dup[] =
    "SELECT id FROM member_level WHERE shop_id = ? AND name = ? AND id <> ?";
static const char sql_level_add[] =
    "INSERT INTO member_level (shop_id, name, rank_no) VALUES (?, ?, ?)";
static const char sql_level_rename[] =
    "UPDATE member_level SET name = ?, rank_no = ? WHERE id = ? "
    "AND shop_id = ?";
static const char sql_level_min[] =
    "UPDATE member_level SET min_order_fen = ? WHERE id = ? AND shop_id = ?";
static const char sql_level_users[] =
    "SELECT COUNT(*) FROM customer WHERE level_id = ? AND shop_id = ?";
static const char sql_level_del[] =
    "DELETE FROM member_level WHERE id = ? AND shop_id = ?";
/* Every level has one list; make it when it is first needed. */
static const char sql_list_ensure[] =
    "INSERT INTO price_list (shop_id, level_id, name) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";
static const char sql_list_percent[] =
    "UPDATE price_list SET percent_bp = ? WHERE id = ? AND shop_id = ?";
static const char sql_sku_get[] =
    "SELECT code FROM sku WHERE id = ? AND shop_id = ? LOCK IN SHARE MODE";
static const char sql_item_set[] =
    "INSERT INTO price_list_item (price_list_id, sku_id, shop_id, price_fen) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE price_fen = VALUES(price_fen)";
static const char sql_item_get[] =
    "SELECT s.code FROM price_list_item i "
    "JOIN sku s ON s.id = i.sku_id "
    "WHERE i.price_list_id = ? AND i.sku_id = ? AND i.shop_id = ? FOR UPDATE";
static const char sql_item_update[] =
    "UPDATE price_list_item SET price_fen = ? WHERE price_list_id = ? "
    "AND sku_id = ? AND shop_id = ?";
static const char sql_item_del[] =
    "DELETE FROM price_list_item WHERE price_list_id = ? AND sku_id = ? "
    "AND shop_id = ?";

static struct member_level *
level_by_id(struct member_level *l, int n, int64_t id)
{
	int	i;

	for (i = 0; i < n; i++)
		if (l[i].id == id)
			return &l[i];
	return NULL;
}

/*
 * The shop's levels by rank, each with its percentage and fixed prices.
 * Items find their level by id: levels are ordered by rank, items by level.
 */
int
price_levels(struct dctx *c, struct member_level **out, int *nout)
{
	struct member_level	*l, *lv;
	struct price_item	*it;
	struct db_res		*r, *ir;
	int			 i;

	*out = NULL;
	*nout = 0;
	if (db_run(c->arena, &r, sql_levels, "i", c->shop->id) == -1 ||
	    db_run(c->arena, &ir, sql_items, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	l = arena_calloc(c->arena, r->nrows + 1, sizeof(*l));
	for (i = 0; i < r->nrows; i++) {
		l[i].id = db_cell_i64(r, i, 0);
		l[i].name = db_cell(r, i, 1);
		l[i].rank_no = db_cell_i64(r, i, 2);
		l[i].customers = db_cell_i64(r, i, 3);
		l[i].percent_bp = db_cell_i64(r, i, 4);
		l[i].min_order_fen = db_cell_i64(r, i, 5);
	}
	for (i = 0; i < ir->nrows; i++)
		if ((lv = level_by_id(l, r->nrows, db_cell_i64(ir, i, 0))))
			lv->nitems++;
	for (i = 0; i < r->nrows; i++) {
		l[i].items = arena_alloc(c->arena, (l[i].nitems + 1) *
		    sizeof(*l[i].items));
		l[i].nitems = 0;
	}
	for (i = 0; i < ir->nrows; i++) {
		if ((lv = level_by_id(l, r->nrows, db_cell_i64(ir, i, 0))) ==
		    NULL)
			continue;
		it = &lv->items[lv->nitems++];
		it->sku_id = db_cell_i64(ir, i, 1);
		it->code = db_cell(ir, i, 2);
		it->product = db_cell(ir, i, 3);
		it->spec = db_cell(ir, i, 4);
		it->base_fen = db_cell_i64(ir, i, 5);
		it->price_fen = db_cell_i64(ir, i, 6);
	}
	*out = l;
	*nout = r->nrows;
	return 0;
}

/* The companies the price check offers, by name: PRICE_CHECK_CUSTOMERS. */
int
price_customers(struct dctx *c, struct price_customer **out, int *nout)
{
	struct price_customer	*pc;
	struct db_res		*r;
	int			 i;

	*out = NULL;
	*nout = 0;
	if (db_run(c->arena, &r, sql_customers, "iii", c->shop->id,
	    scope_owner(c), (int64_t)PRICE_CHECK_CUSTOMERS) == -1)
		return ERR_INTERNAL;
	pc = arena_alloc(c->arena, (r->nrows + 1) * sizeof(*pc));
	for (i = 0; i < r->nrows; i++) {
		pc[i].id = db_cell_i64(r, i, 0);
		pc[i].name = db_cell(r, i, 1);
	}
	*out = pc;
	*nout = r->nrows;
	return 0;
}

/*
 * A level's percentage, 0.01 % to 1000 % of the base price, into basis
 * points (the range price_list's CHECK allows); "" is 0 (none). 0 or -1.
 */
int
price_percent_parse(const char *s, int64_t *bp)
{
	const char	*why;

	*bp = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (parse_percent_bp(s, bp, &why) == -1)
		return -1;
	return *bp >= 1 && *bp <= 100000 ? 0 : -1;
}

/*
 * One write to a level. Inputs, then outputs: every body resets those
 * first, as db_tx_run runs it again after a deadlock or a lock wait
 * timeout.
 */
enum item_op { ITEM_ADD, ITEM_UPDATE, ITEM_DELETE };
struct lwrite {
	int64_t		 level;		/* 0: a new level */
	const char	*name;		/* the new name */
	int64_t		 rank_no;
	int64_t		 sku;
	int64_t		 price;		/* fen */
	int64_t		 bp;		/* 0: no percentage */
	int64_t		 min_fen;	/* 起订金额; 0: none */
	enum item_op	 op;

	int64_t		 saved;		/* the level written */
	const char	*was;		/* its name before, for the audit */
	int64_t		 was_min;	/* and its 起订金额 */
	const char	*code;		/* the SKU's, for the audit */
	enum price_field bad;
};

static void
lwrite_reset(struct dctx *c, struct lwrite *w)
{
	w->saved = 0;
	w->was = NULL;
	w->was_min = 0;
	w->code = NULL;
	w->bad = PRICE_FIELD_NONE;
	c->error = NULL;
}

/* Lock the level of the request's shop; its name for the audit. */
static int
level_lock(struct dctx *c, struct lwrite *w)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_level_get, "ii", w->level,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "会员等级不存在";
		return ERR_NOT_FOUND;
	}
	w->was = db_cell(r, 0, 0);
	w->was_min = db_cell_i64(r, 0, 1);
	return 0;
}

/* The list of level id (named after name), made if it is not there. */
static int
list_ensure(struct dctx *c, int64_t level, const char *name, int64_t *list)
{
	struct db_res	*r;

	*list = 0;
	if (db_run(c->arena, &r, sql_list_ensure, "iis", c->shop->id, level,
	    arena_printf(c->arena, "%s价", name)) == -1)
		return ERR_INTERNAL;
	*list = (int64_t)r->insert_id;
	return 0;
}

static int
name_taken(struct dctx *c, struct lwrite *w)
{
	c->error = "已有同名的会员等级";
	w->bad = PRICE_FIELD_NAME;
	return ERR_CONFLICT;
}

static int
tx_level_save(struct dctx *c, void *arg)
{
	struct lwrite	*w = arg;
	struct db_res	*r;
	int64_t		 list;
	int		 rc;

	lwrite_reset(c, w);
	if (w->level != 0 && (rc = level_lock(c, w)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_level_dup, "isi", c->shop->id, w->name,
	    w->level) == -1)
		return ERR_INTERNAL;
	if (r->nrows > 0)
		return name_taken(c, w);
	if (w->level == 0)
		rc = db_run(c->arena, &r, sql_level_add, "isi", c->shop->id,
		    w->name, w->rank_no);
	else
		rc = db_run(c->arena, &r, sql_level_rename, "siii", w->name,
		    w->rank_no, w->level, c->shop->id);
	if (rc == -1 && db_duplicate())	/* a twin just now */
		return name_taken(c, w);
	if (rc == -1)
		return ERR_INTERNAL;
	w->saved = w->level != 0 ? w->level : (int64_t)r->insert_id;
	if (w->level == 0 && (rc = list_ensure(c, w->saved, w->name,
	    &list)) != 0)
		return rc;
	if ((rc = audit(c, "level.save", "level=%" PRId64 " name=%s rank=%"
	    PRId64 " was=%s", w->saved, w->name, w->rank_no,
	    w->was ? w->was : "")) != 0)
		return rc;
	return shop_touch(c, c->shop->id);
}

/*
 * Create a level (id 0) or rename one of the request's shop. *saved is
 * the level's id; a name another level has is ERR_CONFLICT on
 * PRICE_FIELD_NAME.
 */
int
price_level_save(struct dctx *c, int64_t id, const char *name, int64_t rank,
    int64_t *saved, enum price_field *bad)
{
	struct lwrite	 w;
	int		 rc;

	memset(&w, 0, sizeof(w));
	w.level = id;
	w.name = name;
	w.rank_no = rank;
	rc = db_tx_run(c, tx_level_save, &w);
	*saved = rc == 0 ? w.saved : 0;
	*bad = rc == 0 ? PRICE_FIELD_NONE : w.bad;
	return rc;
}

static int
tx_level_delete(struct dctx *c, void *arg)
{
	struct lwrite	*w = arg;
	struct db_res	*r;
	int		 rc;

	lwrite_reset(c, w);
	if ((rc = level_lock(c, w)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_level_users, "ii", w->level,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) > 0) {
		c->error = arena_printf(c->arena, "还有 %" PRId64 " 个客户属于"
		    "会员等级“%s”，请先把他们改到其他等级再删除",
		    db_cell_i64(r, 0, 0), w->was);
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, NULL, sql_level_del, "ii", w->level,
	    c->shop->id) == -1) {
		if (!db_referenced())	/* a customer got it just now */
			return ERR_INTERNAL;
		c->error = "仍有客户属于这个会员等级，不能删除";
		return ERR_CONFLICT;
	}
	if ((rc = audit(c, "level.delete", "level=%" PRId64 " name=%s",
	    w->level, w->was)) != 0)
		return rc;
	return shop_touch(c, c->shop->id);
}

/* Delete a level no company belongs to (ERR_CONFLICT otherwise). */
int
price_level_delete(struct dctx *c, int64_t id)
{
	struct lwrite	 w;

	memset(&w, 0, sizeof(w));
	w.level = id;
	return db_tx_run(c, tx_level_delete, &w);
}

/*
 * No shop_touch: the catalog cache holds no 起订金额; checkout and submit
 * read it from the database (domain/order_submit.c, min_order.c).
 */
static int
tx_level_min(struct dctx *c, void *arg)
{
	struct lwrite	*w = arg;
	int		 rc;

	lwrite_reset(c, w);
	if ((rc = level_lock(c, w)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_level_min, "iii", w->min_fen, w->level,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "level.min_order", "level=%" PRId64 " name=%s "
	    "min_order_fen=%" PRId64 " was_fen=%" PRId64, w->level, w->was,
	    w->min_fen, w->was_min);
}

/*
 * A level's 起订金额 (minimum order amount), fen of goods before tax, 0 for
 * none; the caller checked the range (the column's CHECK refuses below 0).
 */
int
price_level_min_order(struct dctx *c, int64_t level, int64_t fen)
{
	struct lwrite	 w;

	memset(&w, 0, sizeof(w));
	w.level = level;
	w.min_fen = fen;
	return db_tx_run(c, tx_level_min, &w);
}

static int
tx_list_percent(struct dctx *c, void *arg)
{
	struct lwrite	*w = arg;
	int64_t		 list;
	int		 rc;
	char		 bp[24];

	lwrite_reset(c, w);
	if ((rc = level_lock(c, w)) != 0 ||
	    (rc = list_ensure(c, w->level, w->was, &list)) != 0)
		return rc;
	snprintf(bp, sizeof(bp), "%" PRId64, w->bp);
	if (db_run(c->arena, NULL, sql_list_percent, "sii",
	    w->bp ? bp : NULL, list, c->shop->id) == -1)
		return ERR_INTERNAL;
	if ((rc = audit(c, "price_list.percent", "level=%" PRId64
	    " percent_bp=%" PRId64, w->level, w->bp)) != 0)
		return rc;
	return shop_touch(c, c->shop->id);
}

/* A level's percentage of the base price, basis points; 0: none. */
int
price_list_percent(struct dctx *c, int64_t level, int64_t bp)
{
	struct lwrite	 w;

	memset(&w, 0, sizeof(w));
	w.level = level;
	w.bp = bp;
	return db_tx_run(c, tx_list_percent, &w);
}

/* The SKU an item names: the shop's (ERR_INVALID), and its code. */
static int
item_sku(struct dctx *c, struct lwrite *w, int64_t list)
{
	struct db_res	*r;

	if (w->op == ITEM_ADD) {
		if (db_run(c->arena, &r, sql_sku_get, "ii", w->sku,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "本店没有这个编码";
			w->bad = PRICE_FIELD_SKU;
			return ERR_INVALID;
		}
	} else {
		if (db_run(c->arena, &r, sql_item_get, "iii", list, w->sku,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "该等级没有这个 SKU 的价格";
			return ERR_NOT_FOUND;
		}
	}
	w->code = db_cell(r, 0, 0);
	return 0;
}

/* Add (or replace) a fixed price, change one, or delete one. */
static int
tx_item(struct dctx *c, void *arg)
{
	struct lwrite	*w = arg;
	int64_t		 list;
	int		 rc;

	lwrite_reset(c, w);
	if ((rc = level_lock(c, w)) != 0 ||
	    (rc = list_ensure(c, w->level, w->was, &list)) != 0 ||
	    (rc = item_sku(c, w, list)) != 0)
		return rc;
	if (w->op == ITEM_DELETE)
		rc = db_run(c->arena, NULL, sql_item_del, "iii", list, w->sku,
		    c->shop->id);
	else if (w->op == ITEM_UPDATE)
		rc = db_run(c->arena, NULL, sql_item_update, "iiii", w->price,
		    list, w->sku, c->shop->id);
	else
		rc = db_run(c->arena, NULL, sql_item_set, "iiii", list, w->sku,
		    c->shop->id, w->price);
	if (rc == -1)
		return ERR_INTERNAL;
	if ((rc = audit(c, w->op == ITEM_DELETE ? "price_list.item_delete" :
	    "price_list.item_set", "level=%" PRId64 " sku=%s price_fen=%"
	    PRId64, w->level, w->code, w->op == ITEM_DELETE ? 0 :
	    w->price)) != 0)
		return rc;
	return shop_touch(c, c->shop->id);
}

static int
item_write(struct dctx *c, enum item_op op, int64_t level, int64_t sku,
    int64_t price, enum price_field *bad)
{
	struct lwrite	 w;
	int		 rc;

	memset(&w, 0, sizeof(w));
	w.op = op;
	w.level = level;
	w.sku = sku;
	w.price = price;
	rc = db_tx_run(c, tx_item, &w);
	if (bad != NULL)
		*bad = rc == 0 ? PRICE_FIELD_NONE : w.bad;
	return rc;
}

/* A fixed price for a SKU of the shop (PRICE_FIELD_SKU if it is not). */
int
price_item_add(struct dctx *c, int64_t level, int64_t sku, int64_t price,
    enum price_field *bad)
{
	return item_write(c, ITEM_ADD, level, sku, price, bad);
}

/* A new amount for a fixed price the level has (ERR_NOT_FOUND if not). */
int
price_item_update(struct dctx *c, int64_t level, int64_t sku, int64_t price)
{
	return item_write(c, ITEM_UPDATE, level, sku, price, NULL);
}

int
price_item_delete(struct dctx *c, int64_t level, int64_t sku)
{
	return item_write(c, ITEM_DELETE, level, sku, 0, NULL);
}
