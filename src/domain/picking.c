/*
 * picking.c -- the picking list: the orders named, of the request's shop
 * and the actor's customer scope (another's is not found, as a missing
 * one), each confirmed (a partly shipped order stays confirmed), and what
 * is left of their lines, summed per SKU. The list reads and changes
 * nothing; what it returns is in the request's arena.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/category.h"
#include "domain/order.h"
#include "domain/picking.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

#define CN_SECONDS	(8 * 3600)	/* China Standard Time, no DST */
#define NAMED_MAX	5		/* order numbers a refusal names */

/* The ids are a JSON array: one statement for any number of orders. */
static const char sql_orders[] =
    "SELECT o.id, o.order_no, o.state, cu.name, o.ship_receiver, "
    "o.ship_phone, o.ship_region, o.ship_address, "
    "DATE_FORMAT(o.delivery_date, '%Y-%m-%d'), o.remark, o.po_no, "
    "EXISTS (SELECT 1 FROM order_line sl WHERE sl.shop_id = o.shop_id "
    "AND sl.order_id = o.id AND sl.shipped_qty > 0) "
    "FROM sales_order o JOIN JSON_TABLE(?, '$[*]' COLUMNS "
    "(id BIGINT PATH '$')) j ON j.id = o.id "
    "JOIN customer cu ON cu.id = o.customer_id AND cu.shop_id = o.shop_id "
    "WHERE o.shop_id = ? AND " SCOPE_CUSTOMER_ID("o.customer_id") " "
    "ORDER BY o.order_no, o.id";
/* What is left of each line, by SKU and then order: a SKU's rows follow
 * each other. The SKU's barcode, case size and category as they are. */
static const char sql_lines[] =
    "SELECT l.order_id, l.sku_id, l.sku_code, l.name, l.spec, l.unit, "
    "l.qty, l.shipped_qty, k.barcode, k.pack_size, p.category_id "
    "FROM order_line l JOIN JSON_TABLE(?, '$[*]' COLUMNS "
    "(id BIGINT PATH '$')) j ON j.id = l.order_id "
    "JOIN sku k ON k.id = l.sku_id AND k.shop_id = l.shop_id "
    "JOIN product p ON p.id = k.product_id AND p.shop_id = k.shop_id "
    "WHERE l.shop_id = ? AND l.shipped_qty < l.qty "
    "ORDER BY l.sku_id, l.order_id, l.line_no";

/* Orders that may be picked: confirmed, partly shipped or not yet. */
int
picking_state_ok(enum order_state s)
{
	return s == ORDER_CONFIRMED;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The n ids, each once, as a JSON array; *nout how many. */
static const char *
ids_json(struct arena *a, const int64_t *ids, int n, int *nout)
{
	struct buf	 b;
	int64_t		*v = arena_calloc(a, (size_t)n + 1, sizeof(*v));
	char		*out;
	int		 i, k;

	memcpy(v, ids, (size_t)n * sizeof(*v));
	qsort(v, (size_t)n, sizeof(*v), cmp_id);
	buf_init(&b, 16 + (size_t)n * 20);
	buf_addc(&b, '[');
	for (i = k = 0; i < n; i++) {
		if (i > 0 && v[i] == v[i - 1])
			continue;
		buf_printf(&b, "%s%" PRId64, k++ ? "," : "", v[i]);
	}
	buf_addc(&b, ']');
	out = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	*nout = k;
	return out;
}

static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

static void
order_fill(const struct db_res *r, int i, struct picking_order *o)
{
	o->id = db_cell_i64(r, i, 0);
	o->order_no = db_cell(r, i, 1);
	o->customer = db_cell(r, i, 3);
	o->receiver = db_cell(r, i, 4);
	o->phone = db_cell(r, i, 5);
	o->region = nonempty(db_cell(r, i, 6));
	o->address = db_cell(r, i, 7);
	o->delivery_date = nonempty(db_cell(r, i, 8));
	o->remark = nonempty(db_cell(r, i, 9));
	o->po_no = nonempty(db_cell(r, i, 10));
	o->partial = db_cell_i64(r, i, 11) != 0;
}

/*
 * Refuse the orders of r that may not be picked, naming the first few
 * with their state; 0 when every one may.
 */
static int
states_check(struct dctx *c, const struct db_res *r)
{
	enum order_state	 st;
	struct buf		 b;
	int			 i, known, bad = 0;

	buf_init(&b, 128);
	for (i = 0; i < r->nrows; i++) {
		known = order_state_parse(db_cell(r, i, 2), &st) == 0;
		if (known && picking_state_ok(st))
			continue;
		if (bad++ < NAMED_MAX)
			buf_printf(&b, "%s%s（%s）", bad > 1 ? "、" : "",
			    db_cell(r, i, 1), known ? order_state_label(st) :
			    db_cell(r, i, 2));
	}
	if (bad > 0) {
		c->error = arena_printf(c->arena, "只有已确认（含部分发货）的"
		    "订单才能拣货：%s%s", buf_cstr(&b), bad > NAMED_MAX ?
		    arena_printf(c->arena, " 等 %d 单", bad) : "");
		c->code = "not_pickable";
	}
	buf_free(&b);
	return bad > 0 ? ERR_CONFLICT : 0;
}

/* The index of order id among p's orders (there: the lines are theirs). */
static int
order_index(const struct picking *p, int64_t id)
{
	int	i;

	for (i = 0; i < p->norders - 1 && p->orders[i].id != id; i++)
		;
	return i;
}

/* A line's place: its category's in the tree, none after every one. */
static int
rank_of(const struct category_tree *t, const char *cat)
{
	const char	*err;
	int64_t		 id;
	int		 i;

	if (cat == NULL || parse_i64(cat, 1, INT64_MAX, &id, &err) == -1)
		return INT_MAX;
	for (i = 0; i < t->norder; i++)
		if (t->order[i]->id == id)
			return i;
	return INT_MAX;
}

/* Row i of sql_lines starts its SKU's line; parts: room for its rows. */
static void
line_start(const struct db_res *r, int i, const struct category_tree *t,
    struct picking_line *l, struct picking_part *parts)
{
	l->sku_id = db_cell_i64(r, i, 1);
	l->sku_code = db_cell(r, i, 2);
	l->name = db_cell(r, i, 3);
	l->spec = nonempty(db_cell(r, i, 4));
	l->unit = db_cell(r, i, 5);
	l->barcode = nonempty(db_cell(r, i, 8));
	l->pack_size = db_cell_i64(r, i, 9) > 0 ? db_cell_i64(r, i, 9) : 1;
	l->rank = rank_of(t, db_cell(r, i, 10));
	l->parts = parts;
}

/* Row i of sql_lines into its SKU's line, the order's part of it. */
static void
line_add(struct picking *p, const struct db_res *r, int i,
    struct picking_line *l)
{
	int64_t	qty = db_cell_i64(r, i, 6), shipped = db_cell_i64(r, i, 7);
	int	o = order_index(p, db_cell_i64(r, i, 0));

	l->ordered += qty;
	l->shipped += shipped;
	l->qty += qty - shipped;
	if (l->nparts == 0 || l->parts[l->nparts - 1].order != o)
		l->parts[l->nparts++].order = o;
	l->parts[l->nparts - 1].qty += qty - shipped;
	p->orders[o].units += qty - shipped;
	p->units += qty - shipped;
}

static int
cmp_line(const void *a, const void *b)
{
	const struct picking_line	*x = a, *y = b;
	int				 d;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if ((d = strcmp(x->sku_code, y->sku_code)) != 0)
		return d;
	return x->sku_id < y->sku_id ? -1 : x->sku_id > y->sku_id;
}

/* Sort the lines and cut them into their categories' groups. */
static void
group(struct picking *p, const struct category_tree *t, struct arena *a)
{
	struct picking_group	*g;
	struct picking_line	*l;
	int			 i;

	qsort(p->lines, (size_t)p->nlines, sizeof(*p->lines), cmp_line);
	p->groups = arena_calloc(a, (size_t)p->nlines + 1, sizeof(*p->groups));
	for (i = 0; i < p->nlines; i++) {
		l = &p->lines[i];
		/* A case of one is no case: all loose units. */
		l->cases = l->pack_size > 1 ? l->qty / l->pack_size : 0;
		l->loose = l->pack_size > 1 ? l->qty % l->pack_size : l->qty;
		if (i == 0 || l->rank != p->lines[i - 1].rank) {
			g = &p->groups[p->ngroups++];
			g->first = i;
			g->category = l->rank == INT_MAX ? NULL :
			    category_path(a, t, t->order[l->rank]->id);
		}
		g = &p->groups[p->ngroups - 1];
		g->n++;
		g->units += l->qty;
	}
}

static int
lines_load(struct dctx *c, const char *ids, struct picking *p)
{
	struct category_tree	 t;
	struct db_res		*r;
	struct picking_line	*l = NULL;
	struct picking_part	*parts;
	int			 i, rc;

	if ((rc = category_tree(c, 0, &t)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_lines, "si", ids, c->shop->id) == -1)
		return ERR_INTERNAL;
	p->lines = arena_calloc(c->arena, (size_t)r->nrows + 1,
	    sizeof(*p->lines));
	/* A SKU's rows follow each other: its parts, at most one a row, are
	 * the slice of this array from its first row on. */
	parts = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*parts));
	for (i = 0; i < r->nrows; i++) {
		if (l == NULL || l->sku_id != db_cell_i64(r, i, 1)) {
			l = &p->lines[p->nlines++];
			line_start(r, i, &t, l, parts + i);
		}
		line_add(p, r, i, l);
	}
	group(p, &t, c->arena);
	return 0;
}

/* An empty list, printed now (China time). */
void
picking_init(struct dctx *c, struct picking *p)
{
	struct tm	tm;
	time_t		now = time(NULL) + CN_SECONDS;
	char		s[32];

	memset(p, 0, sizeof(*p));
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%d %H:%M", &tm) == 0)
		s[0] = '\0';
	p->printed = arena_strdup(c->arena, s);
}

/*
 * The picking list of the n orders of ids (repeats count once): 0, or
 * ERR_INVALID for none or more than PICKING_ORDERS_MAX, ERR_NOT_FOUND
 * when one is not the shop's or not in the actor's scope, ERR_CONFLICT
 * (code not_pickable) when one is not confirmed, ERR_INTERNAL; c->error
 * says which. Orders with nothing left give no lines.
 */
int
picking_load(struct dctx *c, const int64_t *ids, int n, struct picking *p)
{
	struct db_res	*r;
	const char	*json;
	int		 i, k, rc;

	picking_init(c, p);
	json = ids_json(c->arena, ids, n > 0 ? n : 0, &k);
	if (k == 0 || k > PICKING_ORDERS_MAX) {
		c->error = k == 0 ? "请先勾选要拣货的订单" : arena_printf(
		    c->arena, "一次最多 %d 单，选了 %d 单：请分批打印",
		    PICKING_ORDERS_MAX, k);
		c->code = k == 0 ? "no_orders" : "too_many_orders";
		return ERR_INVALID;
	}
	if (db_run(c->arena, &r, sql_orders, "sii", json, c->shop->id,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows != k) {
		c->error = k == 1 ? "订单不存在" : arena_printf(c->arena,
		    "所选订单中有 %d 单不存在", k - r->nrows);
		return ERR_NOT_FOUND;
	}
	if ((rc = states_check(c, r)) != 0)
		return rc;
	p->orders = arena_calloc(c->arena, (size_t)k + 1, sizeof(*p->orders));
	for (i = 0; i < r->nrows; i++)
		order_fill(r, i, &p->orders[i]);
	p->norders = r->nrows;
	return lines_load(c, json, p);
}
