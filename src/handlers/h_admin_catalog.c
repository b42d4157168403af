/*
 * h_admin_catalog.c -- the back office's catalog: products with their
 * SKUs and quantity tiers, product images, the category tree, and CSV
 * import and export. Pages read the database, not a worker's catalog
 * cache: staff must see the truth. Every change runs in one transaction
 * that also bumps shop.version (so every worker's storefront reloads) and
 * writes the audit log. All of it is scoped by c->d.shop->id; another
 * shop's row is a 404 like a missing one.
 */
#include "dinghuo.h"

#define ROLES_READ	"owner,admin,sales,warehouse,service"
#define ROLES_WRITE	"owner,admin"
#define PER_PAGE	30
#define SKU_ROWS_MAX	200		/* rows of a product form */
#define SPARE_ROWS	3		/* blank rows to add SKUs */
#define TIERS_MAX	20
#define IMAGES_MAX	20		/* the storefront shows 20 */
#define CATS_MAX	2000		/* categories per shop */
#define IMPORT_ERRORS_SHOWN 500		/* error lines on the import page */
#define CAT_DEPTH_MAX	10		/* as import.c allows */
#define INT_COL_MAX	2147483647
#define PRICE_MAX	100000000000LL	/* fen: one billion yuan */
#define ER_DUP_KEY	1062		/* MySQL: duplicate entry */

static const struct {
	const char	*name;
	int		 mode;
} vis_modes[] = {
	{ "ordering", SHOP_MODE_ORDERING },
	{ "wholesale", SHOP_MODE_WHOLESALE },
	{ "retail", SHOP_MODE_RETAIL },
};

/* Validation errors of a form: by field name, and one line naming all. */
struct errs {
	json_object	*map;
	json_object	*list;		/* "label：why", in form order */
	const char	*msg;
	int		 n;
};

static void
err_add(struct dctx *c, struct errs *e, const char *field, const char *label,
    const char *why)
{
	if (e->map == NULL) {
		e->map = json_object_new_object();
		arena_defer_json(c->arena, e->map);
		e->list = json_object_new_array();
		arena_defer_json(c->arena, e->list);
	}
	if (json_object_object_get_ex(e->map, field, NULL))
		return;			/* the first reason is enough */
	view_set_str(e->map, field, why);
	json_object_array_add(e->list, json_object_new_string(arena_printf(
	    c->arena, "%s：%s", label, why)));
	e->msg = arena_printf(c->arena, "%s%s%s：%s", e->msg ? e->msg : "",
	    e->msg ? "；" : "", label, why);
	e->n++;
}

static int
can_edit(struct ctx *c)
{
	return c->d.sess.role != NULL && (strcmp(c->d.sess.role, "owner") == 0 ||
	    strcmp(c->d.sess.role, "admin") == 0);
}



/* Route capture i as an id; 0 if it is none. */
static int64_t
cap_or0(struct ctx *c, int i)
{
	int64_t	id;

	return route_id(c, i, &id) == 0 ? id : 0;
}

/* A code (货号, SKU code, barcode): printable, no spaces. */
static int
code_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static void
json_send_errors(struct ctx *c, int status, struct errs *e,
    const char *msg)
{
	json_object	*err = json_object_new_object();

	view_set_str(err, "code", status == 409 ? "conflict" : "invalid");
	view_set_str(err, "message", msg);
	if (e != NULL && e->map != NULL)
		json_object_object_add(err, "fields", json_object_get(e->map));
	c->status = status;
	http_json_error(c, err);
}

/* ---- categories ------------------------------------------------------ */

struct cat {
	int64_t		 id;
	int64_t		 parent;
	const char	*name;
	int64_t		 sort;
	int		 depth;
	int		 nchildren;
	int64_t		 nproducts;
	int		 seen;
};

struct cats {
	struct cat	*v;		/* by sort, id */
	int		 n;
	struct cat	**order;	/* the tree, parents first */
	int		 norder;
};

static const char sql_cats[] =
    "SELECT id, COALESCE(parent_id, 0), name, sort FROM category "
    "WHERE shop_id = ? ORDER BY sort, id";
static const char sql_cats_lock[] =
    "SELECT id, COALESCE(parent_id, 0), name, sort FROM category "
    "WHERE shop_id = ? ORDER BY sort, id FOR UPDATE";
static const char sql_cat_counts[] =
    "SELECT category_id, COUNT(*) FROM product WHERE shop_id = ? "
    "AND category_id IS NOT NULL GROUP BY category_id";

static struct cat *
cat_find(const struct cats *t, int64_t id)
{
	int	i;

	for (i = 0; id != 0 && i < t->n; i++)
		if (t->v[i].id == id)
			return &t->v[i];
	return NULL;
}

static void
visit(struct cats *t, int64_t parent, int depth)
{
	struct cat	*k;
	int		 i;

	for (i = 0; i < t->n; i++) {
		k = &t->v[i];
		if (k->seen || k->parent != parent)
			continue;
		k->seen = 1;
		k->depth = depth;
		t->order[t->norder++] = k;
		visit(t, k->id, depth + 1);
	}
}

/* Load the shop's categories and put them in tree order. */
static int
cats_load(struct dctx *c, const char *sql, struct cats *t)
{
	struct db_res	*r;
	struct cat	*k;
	int		 i;

	memset(t, 0, sizeof(*t));
	if (db_run(c->arena, &r, sql, "i", c->shop->id) == -1)
		return -1;
	t->n = r->nrows;
	t->v = arena_alloc(c->arena, (size_t)(t->n + 1) * sizeof(*t->v));
	t->order = arena_alloc(c->arena, (size_t)(t->n + 1) *
	    sizeof(*t->order));
	memset(t->v, 0, (size_t)(t->n + 1) * sizeof(*t->v));
	for (i = 0; i < t->n; i++) {
		k = &t->v[i];
		k->id = db_cell_i64(r, i, 0);
		k->parent = db_cell_i64(r, i, 1);
		k->name = db_cell(r, i, 2);
		k->sort = db_cell_i64(r, i, 3);
	}
	for (i = 0; i < t->n; i++)
		if ((k = cat_find(t, t->v[i].parent)) != NULL)
			k->nchildren++;
		else
			t->v[i].parent = 0;	/* orphan: show at the top */
	visit(t, 0, 0);
	for (i = 0; i < t->n; i++)	/* a cycle nobody should have made */
		if (!t->v[i].seen) {
			t->v[i].parent = 0;
			visit(t, 0, 0);
		}
	return 0;
}

/* Is id ancestor itself or below it? */
static int
cat_within(const struct cats *t, int64_t id, int64_t ancestor)
{
	struct cat	*k;
	int		 hops;

	for (hops = 0; id != 0 && hops <= t->n; hops++) {
		if (id == ancestor)
			return 1;
		if ((k = cat_find(t, id)) == NULL)
			return 0;
		id = k->parent;
	}
	return 0;
}

/* Levels below k, k itself counting 1. */
static int
cat_height(const struct cats *t, const struct cat *k, int guard)
{
	int	i, h, best = 1;

	if (guard > CAT_DEPTH_MAX + 1)
		return best;
	for (i = 0; i < t->n; i++)
		if (t->v[i].parent == k->id &&
		    (h = cat_height(t, &t->v[i], guard + 1) + 1) > best)
			best = h;
	return best;
}

static const char *
indent(struct ctx *c, int depth)
{
	char	*s;
	int	 i;

	if (depth > CAT_DEPTH_MAX)
		depth = CAT_DEPTH_MAX;
	s = arena_alloc(c->d.arena, (size_t)depth * 3 + 1);
	for (i = 0; i < depth; i++)
		memcpy(s + i * 3, "\xe3\x80\x80", 3);	/* U+3000 */
	s[depth * 3] = '\0';
	return s;
}

/* <option>s for a category select; skip excludes a subtree (a move). */
static json_object *
cat_options(struct ctx *c, const struct cats *t, int64_t selected,
    int64_t skip)
{
	json_object	*a = json_object_new_array(), *o;
	int		 i;

	for (i = 0; i < t->norder; i++) {
		if (skip != 0 && cat_within(t, t->order[i]->id, skip))
			continue;
		o = json_object_new_object();
		view_set_i64(o, "id", t->order[i]->id);
		view_set_str(o, "name", t->order[i]->name);
		view_set_str(o, "indent", indent(c, t->order[i]->depth));
		view_set_bool(o, "selected", t->order[i]->id == selected);
		json_object_array_add(a, o);
	}
	return a;
}

/* ---- product list ---------------------------------------------------- */

#define LIST_WITH \
    "WITH RECURSIVE sub (id) AS (SELECT id FROM category WHERE shop_id = ? " \
    "AND id = ? UNION SELECT k.id FROM category k JOIN sub " \
    "ON k.parent_id = sub.id WHERE k.shop_id = ?) "
#define LIST_WHERE \
    "WHERE p.shop_id = ? AND (? = 0 OR p.category_id IN " \
    "(SELECT id FROM sub)) AND (? = -1 OR p.on_shelf = ?) AND (? = '' " \
    "OR p.name LIKE ? OR p.code LIKE ? OR EXISTS (SELECT 1 FROM sku s " \
    "WHERE s.product_id = p.id AND (s.code LIKE ? OR s.barcode LIKE ?))) "

static const char sql_list_count[] =
    LIST_WITH "SELECT COUNT(*) FROM product p " LIST_WHERE;
static const char sql_list[] =
    LIST_WITH "SELECT p.id, p.code, p.name, p.on_shelf, k.name, "
    "(SELECT COUNT(*) FROM sku s WHERE s.product_id = p.id), "
    "(SELECT MIN(s.price_fen) FROM sku s WHERE s.product_id = p.id), "
    "(SELECT MAX(s.price_fen) FROM sku s WHERE s.product_id = p.id), "
    "(SELECT COALESCE(SUM(s.stock), 0) FROM sku s "
    "WHERE s.product_id = p.id), "
    "(SELECT i.thumb_path FROM product_image i WHERE i.product_id = p.id "
    "ORDER BY i.sort, i.id LIMIT 1) "
    "FROM product p LEFT JOIN category k ON k.id = p.category_id "
    LIST_WHERE "ORDER BY p.sort, p.id DESC LIMIT ? OFFSET ?";

struct list_q {
	const char	*q;		/* as typed, trimmed */
	const char	*like;		/* %q% with \ % _ escaped */
	int64_t		 cat;
	int64_t		 shelf;		/* -1 any, 0 off, 1 on */
	const char	*shelf_s;
};

static void
list_query(struct ctx *c, struct list_q *lq)
{
	const char	*s, *err;
	char		*q;
	size_t		 n;

	memset(lq, 0, sizeof(*lq));
	s = kv_get(&c->query, "q");
	while (s != NULL && isspace((unsigned char)*s))
		s++;
	if (s == NULL)
		s = "";
	/* At most 100 bytes, cut on a character boundary. */
	if ((n = strlen(s)) > 100)
		for (n = 100; (s[n] & 0xc0) == 0x80; n--)
			;
	q = arena_strndup(c->d.arena, s, n);
	for (n = strlen(q); n > 0 && isspace((unsigned char)q[n - 1]); n--)
		q[n - 1] = '\0';
	lq->q = q;
	lq->like = like_pattern(c->d.arena, q);
	if ((s = kv_get(&c->query, "cat")) == NULL ||
	    parse_i64(s, 1, INT64_MAX, &lq->cat, &err) == -1)
		lq->cat = 0;
	s = kv_get(&c->query, "shelf");
	lq->shelf = s && !strcmp(s, "on") ? 1 : s && !strcmp(s, "off") ? 0 :
	    -1;
	lq->shelf_s = lq->shelf == 1 ? "on" : lq->shelf == 0 ? "off" : "";
}

static json_object *
list_row(struct ctx *c, struct db_res *r, int i)
{
	json_object	*o = json_object_new_object();
	int64_t		 id = db_cell_i64(r, i, 0), n = db_cell_i64(r, i, 5);
	int64_t		 lo = db_cell_i64(r, i, 6), hi = db_cell_i64(r, i, 7);

	view_set_i64(o, "id", id);
	view_set_str(o, "code", db_cell(r, i, 1));
	view_set_str(o, "name", db_cell(r, i, 2));
	view_set_bool(o, "on_shelf", db_cell_i64(r, i, 3) != 0);
	view_set_str(o, "category", db_cell(r, i, 4));
	view_set_i64(o, "sku_count", n);
	if (n > 0) {
		view_set_money(c, o, "price_min", lo);
		view_set_money(c, o, "price_max", hi);
		view_set_bool(o, "price_range", lo != hi);
	}
	view_set_i64(o, "stock", db_cell_i64(r, i, 8));
	view_set_str(o, "thumb", db_cell(r, i, 9) ? arena_printf(c->d.arena,
	    "/uploads/%s", db_cell(r, i, 9)) : NULL);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64, id)));
	view_set_str(o, "shelf_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "/shelf", id)));
	return o;
}

static void
list_filters(struct ctx *c, json_object *v, const struct list_q *lq,
    const struct cats *t)
{
	static const char *const shelves[][2] = {
		{ "", "全部状态" }, { "on", "已上架" }, { "off", "已下架" },
	};
	json_object	*a = json_object_new_array(), *o;
	size_t		 i;

	view_set_str(v, "q", lq->q);
	view_set_i64(v, "cat", lq->cat);
	view_set_str(v, "shelf", lq->shelf_s);
	for (i = 0; i < sizeof(shelves) / sizeof(shelves[0]); i++) {
		o = json_object_new_object();
		view_set_str(o, "value", shelves[i][0]);
		view_set_str(o, "label", shelves[i][1]);
		view_set_bool(o, "selected", strcmp(lq->shelf_s,
		    shelves[i][0]) == 0);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "shelves", a);
	json_object_object_add(v, "categories", cat_options(c, t, lq->cat,
	    0));
	view_set_bool(v, "filtered", *lq->q || lq->cat || lq->shelf != -1);
}

static int
h_products(struct ctx *c)
{
	struct list_q	 lq;
	struct cats	 t;
	struct db_res	*r, *cnt;
	json_object	*v, *rows;
	const char	*url;
	int64_t		 sid = c->d.shop->id, off;
	int		 i;

	list_query(c, &lq);
	if (cats_load(&c->d, sql_cats, &t) == -1 ||
	    db_run(c->d.arena, &cnt, sql_list_count, "iiiiiiisssss", sid,
	    lq.cat, sid, sid, lq.cat, lq.shelf, lq.shelf, lq.q, lq.like,
	    lq.like, lq.like, lq.like) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = admin_view(c, "products");
	url = arena_printf(c->d.arena, "/admin/products?q=%s&cat=%" PRId64
	    "&shelf=%s", url_encode(c->d.arena, lq.q), lq.cat, lq.shelf_s);
	off = view_pager(c, v, db_cell_i64(cnt, 0, 0), PER_PAGE, url);
	if (db_run(c->d.arena, &r, sql_list, "iiiiiiisssssii", sid, lq.cat, sid,
	    sid, lq.cat, lq.shelf, lq.shelf, lq.q, lq.like, lq.like, lq.like,
	    lq.like, (int64_t)PER_PAGE, off) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	rows = json_object_new_array();
	for (i = 0; i < r->nrows; i++)
		json_object_array_add(rows, list_row(c, r, i));
	json_object_object_add(v, "products", rows);
	list_filters(c, v, &lq, &t);
	view_set_bool(v, "can_edit", can_edit(c));
	view_set_str(v, "back", arena_printf(c->d.arena, "%s&page=%" PRId64,
	    url, query_page(c)));
	c->title = "商品管理";
	return render(c, "admin/products");
}

/* ---- the product form ------------------------------------------------ */

enum { F_CODE, F_NAME, F_CATEGORY, F_UNIT, F_ON_SHELF, F_VIS_ORDERING,
	F_VIS_WHOLESALE, F_VIS_RETAIL, F_SORT, F_DESCRIPTION, F_N };
static const struct field product_fields[] = {
	[F_CODE] =	{ "code", FIELD_TEXT, FIELD_REQUIRED, 1, 64, "货号" },
	[F_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 200,
			  "商品名称" },
	[F_CATEGORY] =	{ "category_id", FIELD_INT, 0, 0, INT64_MAX, "分类" },
	[F_UNIT] =	{ "unit", FIELD_TEXT, 0, 0, 10, "单位" },
	[F_ON_SHELF] =	{ "on_shelf", FIELD_BOOL, 0, 0, 0, "上架" },
	[F_VIS_ORDERING] = { "visible_ordering", FIELD_BOOL, 0, 0, 0,
			  "订货商城可见" },
	[F_VIS_WHOLESALE] = { "visible_wholesale", FIELD_BOOL, 0, 0, 0,
			  "批发商城可见" },
	[F_VIS_RETAIL] = { "visible_retail", FIELD_BOOL, 0, 0, 0,
			  "零售商城可见" },
	[F_SORT] =	{ "sort", FIELD_INT, 0, -1000000, 1000000, "排序" },
	[F_DESCRIPTION] = { "description", FIELD_TEXT, 0, 0, 0, "商品详情" },
	{ NULL, 0, 0, 0, 0, NULL }
};

enum { S_ID, S_CODE, S_BARCODE, S_SPEC, S_UNIT, S_PACK, S_MINQ, S_STOCK,
	S_WEIGHT, S_PRICE, S_RETAIL, S_TIERS, S_REMOVE, S_N };
static const struct field sku_fields[] = {
	[S_ID] =	{ "id", FIELD_ID, 0, 0, 0, "ID" },
	[S_CODE] =	{ "code", FIELD_TEXT, FIELD_REQUIRED, 1, 64, "编码" },
	[S_BARCODE] =	{ "barcode", FIELD_TEXT, 0, 0, 32, "条码" },
	[S_SPEC] =	{ "spec", FIELD_TEXT, 0, 0, 200, "规格值" },
	[S_UNIT] =	{ "unit", FIELD_TEXT, 0, 0, 10, "单位" },
	[S_PACK] =	{ "pack_size", FIELD_INT, 0, 1, 1000000, "每箱数量" },
	[S_MINQ] =	{ "min_qty", FIELD_INT, 0, 1, 1000000, "起订量" },
	[S_STOCK] =	{ "stock", FIELD_INT, 0, 0, INT_COL_MAX, "库存" },
	[S_WEIGHT] =	{ "weight_g", FIELD_INT, 0, 0, 100000000, "重量" },
	[S_PRICE] =	{ "price", FIELD_MONEY, FIELD_REQUIRED, 0, PRICE_MAX,
			  "价格" },
	[S_RETAIL] =	{ "retail_price", FIELD_MONEY, 0, 0, PRICE_MAX,
			  "零售价" },
	[S_TIERS] =	{ "tiers", FIELD_TEXT, 0, 0, 500, "阶梯价" },
	[S_REMOVE] =	{ "remove", FIELD_BOOL, 0, 0, 0, "删除" },
	{ NULL, 0, 0, 0, 0, NULL }
};

struct skurow {
	const char	*s[S_N];	/* as typed, or as stored; "" if none */
	int64_t		 v[S_N];	/* parsed */
	int		 has[S_N];
	struct price_tier tiers[TIERS_MAX];
	int		 ntiers;
	int		 blank;		/* a spare row left empty */
	int		 keep;		/* to be saved */
	const char	*old_code;	/* an existing SKU's stored code */
	json_object	*errors;	/* short field name -> message */
	int64_t		 saved_id;
};

struct pform {
	int64_t		 id;		/* 0: a new product */
	const char	*s[F_N];	/* as typed, or as stored */
	int64_t		 v[F_N];
	const char	*visible;	/* the SET value */
	const char	*desc;		/* sanitized */
	struct skurow	*rows;
	int		 nrows;
	int		 stored;	/* loaded from the database */
	struct errs	 e;
	int64_t		 saved_id;
};

static const char sql_prod[] =
    "SELECT code, name, COALESCE(category_id, 0), unit, on_shelf, "
    "FIND_IN_SET('ordering', visible) > 0, "
    "FIND_IN_SET('wholesale', visible) > 0, "
    "FIND_IN_SET('retail', visible) > 0, sort, description "
    "FROM product WHERE id = ? AND shop_id = ?";
static const char sql_prod_skus[] =
    "SELECT id, code, barcode, spec, unit, pack_size, min_qty, stock, "
    "weight_g, price_fen, retail_price_fen FROM sku "
    "WHERE product_id = ? AND shop_id = ? ORDER BY sort, id";
static const char sql_prod_tiers[] =
    "SELECT t.sku_id, t.min_qty, t.price_fen FROM price_tier t "
    "JOIN sku s ON s.id = t.sku_id WHERE s.product_id = ? "
    "AND t.shop_id = ? ORDER BY t.sku_id, t.min_qty";
static const char sql_prod_images[] =
    "SELECT id, path, thumb_path, width, height FROM product_image "
    "WHERE product_id = ? AND shop_id = ? ORDER BY sort, id";

static const char *
tiers_text(struct ctx *c, const struct skurow *r)
{
	const char	*s = "";
	int		 i;

	for (i = 0; i < r->ntiers; i++)
		s = arena_printf(c->d.arena, "%s%s%" PRId64 ":%s", s, i ? ";" :
		    "", r->tiers[i].min_qty, fmt_yuan(c->d.arena,
		    r->tiers[i].price_fen));
	return s;
}

static void
row_from_db(struct ctx *c, struct skurow *w, struct db_res *r, int i)
{
	int	k;

	memset(w, 0, sizeof(*w));
	for (k = 0; k < S_N; k++)
		w->s[k] = "";
	w->v[S_ID] = db_cell_i64(r, i, 0);
	w->s[S_ID] = db_cell(r, i, 0);
	w->s[S_CODE] = w->old_code = db_cell(r, i, 1);
	w->s[S_BARCODE] = db_cell(r, i, 2);
	w->s[S_SPEC] = db_cell(r, i, 3);
	w->s[S_UNIT] = db_cell(r, i, 4);
	for (k = S_PACK; k <= S_WEIGHT; k++) {
		w->s[k] = db_cell(r, i, 5 + k - S_PACK);
		w->v[k] = db_cell_i64(r, i, 5 + k - S_PACK);
	}
	w->v[S_PRICE] = db_cell_i64(r, i, 9);
	w->s[S_PRICE] = fmt_yuan(c->d.arena, w->v[S_PRICE]);
	if ((w->has[S_RETAIL] = db_cell(r, i, 10) != NULL)) {
		w->v[S_RETAIL] = db_cell_i64(r, i, 10);
		w->s[S_RETAIL] = fmt_yuan(c->d.arena, w->v[S_RETAIL]);
	}
	w->keep = 1;
}

/* The stored product into pf; ERR_NOT_FOUND if not the shop's. */
static int
pform_load(struct ctx *c, int64_t id, struct pform *pf)
{
	struct db_res	*r, *s, *t;
	struct skurow	*w;
	int		 i, k;

	memset(pf, 0, sizeof(*pf));
	if (db_run(c->d.arena, &r, sql_prod, "ii", id, c->d.shop->id) == -1 ||
	    db_run(c->d.arena, &s, sql_prod_skus, "ii", id, c->d.shop->id) == -1 ||
	    db_run(c->d.arena, &t, sql_prod_tiers, "ii", id, c->d.shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	pf->id = id;
	pf->stored = 1;
	for (k = 0; k < F_DESCRIPTION; k++) {
		pf->s[k] = db_cell(r, 0, k);
		pf->v[k] = db_cell_i64(r, 0, k);
	}
	pf->desc = pf->s[F_DESCRIPTION] = db_cell(r, 0, 9);
	pf->nrows = s->nrows;
	pf->rows = arena_alloc(c->d.arena, (size_t)(s->nrows + 1) *
	    sizeof(*pf->rows));
	for (i = 0; i < s->nrows; i++) {
		w = &pf->rows[i];
		row_from_db(c, w, s, i);
		for (k = 0; k < t->nrows; k++)
			if (db_cell_i64(t, k, 0) == w->v[S_ID] &&
			    w->ntiers < TIERS_MAX) {
				w->tiers[w->ntiers].min_qty =
				    db_cell_i64(t, k, 1);
				w->tiers[w->ntiers++].price_fen =
				    db_cell_i64(t, k, 2);
			}
		w->s[S_TIERS] = tiers_text(c, w);
	}
	return 0;
}

/* A new product's defaults. */
static void
pform_new(struct pform *pf)
{
	int	k;

	memset(pf, 0, sizeof(*pf));
	for (k = 0; k < F_N; k++)
		pf->s[k] = "";
	pf->s[F_UNIT] = "件";
	pf->s[F_SORT] = "0";
	pf->v[F_ON_SHELF] = pf->v[F_VIS_ORDERING] = 1;
	pf->v[F_VIS_WHOLESALE] = pf->v[F_VIS_RETAIL] = 1;
	pf->desc = "";
}

/* ---- reading a submitted form --------------------------------------- */

/* Raise *max past the row index of a "sku_<field>[N]" name. */
static void
row_index(struct ctx *c, const char *name, int *max)
{
	const char	*br, *err;
	int64_t		 n;

	if (strncmp(name, "sku_", 4) != 0 || (br = strchr(name, '[')) == NULL)
		return;
	if (parse_i64(arena_strndup(c->d.arena, br + 1, strcspn(br + 1, "]")),
	    0, 1000000, &n, &err) == 0 && n + 1 > *max)
		*max = (int)n + 1;
}

/* Rows the form has: one more than the highest "sku_*[N]" index. */
static int
rows_in_form(struct ctx *c, int *too_many)
{
	struct json_object_iterator	 it, end;
	int				 i, max = 0;

	for (i = 0; i < c->form.n; i++)
		row_index(c, c->form.v[i].name, &max);
	if (c->json != NULL) {
		it = json_object_iter_begin(c->json);
		end = json_object_iter_end(c->json);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it))
			row_index(c, json_object_iter_peek_name(&it), &max);
	}
	*too_many = max > SKU_ROWS_MAX;
	return *too_many ? SKU_ROWS_MAX : max;
}

/* Full-width separators (Chinese input methods) to ASCII, in place. */
static void
ascii_seps(char *s)
{
	static const char *const wide[][2] = {
		{ "：", ":" }, { "；", ";" }, { "，", ";" }, { "\n", ";" },
		{ "\r", ";" }, { ",", ";" },
	};
	char	*p;
	size_t	 i, n;

	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
		n = strlen(wide[i][0]);
		while ((p = strstr(s, wide[i][0])) != NULL) {
			*p = wide[i][1][0];
			memmove(p + 1, p + n, strlen(p + n) + 1);
		}
	}
}

/* At most n characters of s, for quoting input in a message. */
static const char *
clip(struct ctx *c, const char *s, size_t n)
{
	const char	*p = s;

	for (; *p && n > 0; n--)
		for (p++; (*p & 0xc0) == 0x80; p++)
			;
	return *p ? arena_printf(c->d.arena, "%.*s…", (int)(p - s), s) : s;
}

/* "10:11.50;50:10.00": from 10 on 11.50 each, from 50 on 10.00. */
static const char *
parse_tiers(struct ctx *c, const char *text, struct skurow *w)
{
	char		*s = arena_strdup(c->d.arena, text), *item, *next, *colon;
	const char	*err;
	struct price_tier t;
	int64_t		 last = 0;

	ascii_seps(s);
	w->ntiers = 0;
	for (item = s; item != NULL; item = next) {
		if ((next = strchr(item, ';')) != NULL)
			*next++ = '\0';
		while (isspace((unsigned char)*item))
			item++;
		if (*item == '\0')
			continue;
		if ((colon = strchr(item, ':')) == NULL)
			return "应写成 数量:单价，如 10:11.50;50:10.00";
		*colon++ = '\0';
		item[strcspn(item, " \t")] = '\0';
		while (isspace((unsigned char)*colon))
			colon++;
		colon[strcspn(colon, " \t")] = '\0';
		if (parse_i64(item, 1, INT_COL_MAX, &t.min_qty, &err) == -1)
			return arena_printf(c->d.arena, "数量“%s”应为正整数",
			    clip(c, item, 12));
		if (parse_yuan(colon, &t.price_fen, &err) == -1)
			return arena_printf(c->d.arena, "单价“%s”%s",
			    clip(c, colon, 12), err);
		if (t.price_fen > PRICE_MAX)
			return "单价过大";
		if (t.min_qty <= last)
			return "数量要从小到大排列，不能重复";
		if (w->ntiers == TIERS_MAX)
			return arena_printf(c->d.arena, "最多 %d 档", TIERS_MAX);
		last = t.min_qty;
		w->tiers[w->ntiers++] = t;
	}
	return NULL;
}

static int
row_blank(const struct skurow *w)
{
	int	k;

	for (k = 0; k < S_N; k++)
		if (k != S_REMOVE && *w->s[k] != '\0')
			return 0;
	return 1;
}

/* Row i of the form into w, validated; errors named "规格 N 价格". */
static void
row_read(struct ctx *c, struct pform *pf, int i, struct skurow *w)
{
	struct field	 fl[S_N + 1];
	struct form	 f;
	const char	*s, *why, *label;
	int		 k;

	memset(w, 0, sizeof(*w));
	memcpy(fl, sku_fields, sizeof(fl));
	for (k = 0; k < S_N; k++) {
		fl[k].name = arena_printf(c->d.arena, "sku_%s[%d]",
		    sku_fields[k].name, i);
		fl[k].label = arena_printf(c->d.arena, "规格 %d %s", i + 1,
		    sku_fields[k].label);
		s = req_param(c, fl[k].name);
		w->s[k] = s ? s : "";
	}
	if ((w->blank = row_blank(w)))
		return;
	form_parse(c, fl, &f);
	for (k = 0; k < S_N; k++) {
		w->v[k] = f.v[k].i64;
		w->has[k] = f.v[k].present;
	}
	if (w->has[S_REMOVE] && w->v[S_REMOVE] && w->has[S_ID])
		return;			/* to delete: nothing to check */
	if (w->has[S_REMOVE] && w->v[S_REMOVE] && !w->has[S_ID]) {
		w->blank = 1;			/* a new row, struck out */
		return;
	}
	w->keep = 1;
	w->errors = json_object_new_object();
	arena_defer_json(c->d.arena, w->errors);
	for (k = 0; k < S_N; k++) {
		why = NULL;
		if (f.errors != NULL && json_object_object_get_ex(f.errors,
		    fl[k].name, NULL))
			why = json_object_get_string(json_object_object_get(
			    f.errors, fl[k].name));
		else if ((k == S_CODE || k == S_BARCODE) && w->has[k] &&
		    !code_ok(f.v[k].s))
			why = "不能包含空格";
		else if (k == S_TIERS && w->has[k])
			why = parse_tiers(c, f.v[k].s, w);
		if (why == NULL)
			continue;
		label = fl[k].label;
		err_add(&c->d, &pf->e, fl[k].name, label, why);
		view_set_str(w->errors, sku_fields[k].name, why);
	}
	for (k = 0; k < S_N; k++)
		if (w->has[k])
			w->s[k] = f.v[k].s;
}

/* Codes are unique per shop regardless of case (the column's collation). */
static void
rows_unique(struct ctx *c, struct pform *pf)
{
	struct skurow	*a, *b;
	int		 i, j, kept = 0;

	for (i = 0; i < pf->nrows; i++) {
		a = &pf->rows[i];
		if (!a->keep)
			continue;
		kept++;
		for (j = 0; j < i; j++) {
			b = &pf->rows[j];
			if (b->has[S_ID] && a->has[S_ID] &&
			    b->v[S_ID] == a->v[S_ID])
				err_add(&c->d, &pf->e, arena_printf(c->d.arena,
				    "sku_id[%d]", i), arena_printf(c->d.arena,
				    "规格 %d", i + 1), "重复提交了同一个规格");
			if (!b->keep || !a->has[S_CODE] || !b->has[S_CODE] ||
			    strcasecmp(a->s[S_CODE], b->s[S_CODE]) != 0)
				continue;
			err_add(&c->d, &pf->e, arena_printf(c->d.arena,
			    "sku_code[%d]", i), arena_printf(c->d.arena,
			    "规格 %d 编码", i + 1), arena_printf(c->d.arena,
			    "与规格 %d 重复", j + 1));
			if (a->errors != NULL)
				view_set_str(a->errors, "code",
				    arena_printf(c->d.arena, "与规格 %d 重复",
				    j + 1));
		}
	}
	if (kept == 0)
		err_add(&c->d, &pf->e, "skus", "规格",
		    "至少填写一个规格（编码和价格）");
}

/* The product's fields; then every row. */
static void
pform_read(struct ctx *c, int64_t id, struct pform *pf)
{
	struct form	 f;
	const char	*s, *label;
	struct buf	 b;
	int		 k, too_many;

	memset(pf, 0, sizeof(*pf));
	pf->id = id;
	form_parse(c, product_fields, &f);
	for (k = 0; k < F_N; k++) {
		s = req_param(c, product_fields[k].name);
		pf->s[k] = f.v[k].present ? f.v[k].s : s ? s : "";
		pf->v[k] = f.v[k].i64;
		if (f.errors != NULL && json_object_object_get_ex(f.errors,
		    product_fields[k].name, NULL))
			err_add(&c->d, &pf->e, product_fields[k].name,
			    product_fields[k].label, json_object_get_string(
			    json_object_object_get(f.errors,
			    product_fields[k].name)));
	}
	if (f.v[F_CODE].present && !code_ok(pf->s[F_CODE]))
		err_add(&c->d, &pf->e, "code", "货号", "不能包含空格");
	if (!f.v[F_UNIT].present)
		pf->s[F_UNIT] = "件";
	pf->desc = "";
	if (strlen(pf->s[F_DESCRIPTION]) > SANITIZE_MAX) {
		label = product_fields[F_DESCRIPTION].label;
		err_add(&c->d, &pf->e, "description", label, arena_printf(c->d.arena,
		    "最多 %d KB", SANITIZE_MAX / 1024));
	} else {
		buf_init(&b, 0);
		sanitize_html(pf->s[F_DESCRIPTION],
		    strlen(pf->s[F_DESCRIPTION]), &b);
		pf->desc = arena_strdup(c->d.arena, buf_cstr(&b));
		buf_free(&b);
	}
	pf->visible = "";
	for (k = 0; k < 3; k++)
		if (pf->v[F_VIS_ORDERING + k])
			pf->visible = arena_printf(c->d.arena, "%s%s%s",
			    pf->visible, *pf->visible ? "," : "",
			    vis_modes[k].name);
	pf->nrows = rows_in_form(c, &too_many);
	if (too_many)
		err_add(&c->d, &pf->e, "skus", "规格", arena_printf(c->d.arena,
		    "一个商品最多 %d 个规格", SKU_ROWS_MAX));
	pf->rows = arena_alloc(c->d.arena, (size_t)(pf->nrows + 1) *
	    sizeof(*pf->rows));
	for (k = 0; k < pf->nrows; k++)
		row_read(c, pf, k, &pf->rows[k]);
	rows_unique(c, pf);
}

/* ---- checks against the database, and the save ---------------------- */

static const char sql_prod_exists[] =
    "SELECT id FROM product WHERE id = ? AND shop_id = ?";
static const char sql_cat_in_shop[] =
    "SELECT id FROM category WHERE id = ? AND shop_id = ?";
static const char sql_code_taken[] =
    "SELECT id FROM product WHERE shop_id = ? AND code = ? AND id <> ?";
static const char sql_sku_taken[] =
    "SELECT p.code FROM sku s JOIN product p ON p.id = s.product_id "
    "WHERE s.shop_id = ? AND s.code = ? AND s.product_id <> ?";
static const char sql_sku_ids[] =
    "SELECT id, code FROM sku WHERE product_id = ? AND shop_id = ?";

static int
product_exists(struct ctx *c, int64_t id, int *found)
{
	struct db_res	*r;

	if (db_run(c->d.arena, &r, sql_prod_exists, "ii", id, c->d.shop->id) ==
	    -1)
		return -1;
	*found = r->nrows > 0;
	return 0;
}

/* Is a stored SKU of the product one of the form's rows? */
static int
in_form(const struct pform *pf, int64_t sku_id)
{
	int	i;

	for (i = 0; i < pf->nrows; i++)
		if (!pf->rows[i].blank && pf->rows[i].has[S_ID] &&
		    pf->rows[i].v[S_ID] == sku_id)
			return 1;
	return 0;
}

/*
 * A code the product's SKUs that the form leaves alone still hold (an
 * API client may send only some rows).
 */
static const char *
held_code(const struct pform *pf, struct db_res *r, const struct skurow *w)
{
	int	k;

	for (k = 0; k < r->nrows; k++)
		if (strcasecmp(db_cell(r, k, 1), w->s[S_CODE]) == 0 &&
		    !in_form(pf, db_cell_i64(r, k, 0)))
			return db_cell(r, k, 1);
	return NULL;
}

/* A SKU code is bad: in the list above the form and at its row. */
static void
code_error(struct ctx *c, struct pform *pf, int i, const char *why,
    const char *short_why)
{
	err_add(&c->d, &pf->e, arena_printf(c->d.arena, "sku_code[%d]", i),
	    arena_printf(c->d.arena, "规格 %d 编码", i + 1), why);
	if (pf->rows[i].errors != NULL)
		view_set_str(pf->rows[i].errors, "code", short_why);
}

/* The rows against the product's stored SKUs, then the shop's. */
static int
check_skus(struct ctx *c, struct pform *pf)
{
	struct db_res	*r, *t;
	struct skurow	*w;
	int		 i, k;

	if (db_run(c->d.arena, &r, sql_sku_ids, "ii", pf->id,
	    c->d.shop->id) == -1)
		return -1;
	for (i = 0; i < pf->nrows; i++) {
		w = &pf->rows[i];
		if (w->blank || !w->has[S_ID])
			continue;
		for (k = 0; k < r->nrows; k++)
			if (db_cell_i64(r, k, 0) == w->v[S_ID])
				w->old_code = db_cell(r, k, 1);
		if (w->old_code == NULL)
			err_add(&c->d, &pf->e, arena_printf(c->d.arena,
			    "sku_id[%d]", i), arena_printf(c->d.arena,
			    "规格 %d", i + 1), "规格不存在或不属于此商品");
	}
	for (i = 0; i < pf->nrows; i++) {
		w = &pf->rows[i];
		if (!w->keep || !w->has[S_CODE])
			continue;
		if (held_code(pf, r, w) != NULL)
			code_error(c, pf, i, "与本商品的另一个规格重复",
			    "与本商品的另一个规格重复");
		if (db_run(c->d.arena, &t, sql_sku_taken, "isi", c->d.shop->id,
		    w->s[S_CODE], pf->id) == -1)
			return -1;
		if (t->nrows > 0)
			code_error(c, pf, i, arena_printf(c->d.arena,
			    "已被商品 %s 使用", db_cell(t, 0, 0)),
			    "已被其他商品使用");
	}
	return 0;
}

/* What only the database knows: categories, codes of other products. */
static int
pform_check(struct ctx *c, struct pform *pf)
{
	struct db_res	*r;
	int64_t		 sid = c->d.shop->id;

	if (pf->v[F_CATEGORY] != 0) {
		if (db_run(c->d.arena, &r, sql_cat_in_shop, "ii",
		    pf->v[F_CATEGORY], sid) == -1)
			return -1;
		if (r->nrows == 0)
			err_add(&c->d, &pf->e, "category_id", "分类", "分类不存在");
	}
	if (*pf->s[F_CODE]) {
		if (db_run(c->d.arena, &r, sql_code_taken, "isi", sid,
		    pf->s[F_CODE], pf->id) == -1)
			return -1;
		if (r->nrows > 0)
			err_add(&c->d, &pf->e, "code", "货号", "已被其他商品使用");
	}
	return check_skus(c, pf);
}

static const char sql_prod_lock[] =
    "SELECT id FROM product WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_prod_add[] =
    "INSERT INTO product (shop_id, category_id, code, name, unit, "
    "description, on_shelf, visible, sort) "
    "VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?)";
static const char sql_prod_set[] =
    "UPDATE product SET category_id = NULLIF(?, 0), code = ?, name = ?, "
    "unit = ?, description = ?, on_shelf = ?, visible = ?, sort = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_sku_del[] =
    "DELETE FROM sku WHERE id = ? AND product_id = ? AND shop_id = ?";
/* Out of the way first, so that two SKUs may swap codes. */
static const char sql_sku_park[] =
    "UPDATE sku SET code = CONCAT(' ~', id) "
    "WHERE id = ? AND product_id = ? AND shop_id = ?";
static const char sql_sku_add[] =
    "INSERT INTO sku (shop_id, product_id, code, barcode, spec, unit, "
    "pack_size, min_qty, stock, weight_g, price_fen, retail_price_fen, "
    "sort) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_sku_set[] =
    "UPDATE sku SET code = ?, barcode = ?, spec = ?, unit = ?, "
    "pack_size = ?, min_qty = ?, stock = ?, weight_g = ?, price_fen = ?, "
    "retail_price_fen = ?, sort = ? "
    "WHERE id = ? AND product_id = ? AND shop_id = ?";
static const char sql_tiers_del[] =
    "DELETE FROM price_tier WHERE sku_id = ? AND shop_id = ?";
static const char sql_tier_add[] =
    "INSERT INTO price_tier (shop_id, sku_id, min_qty, price_fen) "
    "VALUES (?, ?, ?, ?)";

static int64_t
num_or(const struct skurow *w, int k, int64_t dflt)
{
	return w->has[k] ? w->v[k] : dflt;
}

static int
sku_write(struct dctx *c, struct pform *pf, struct skurow *w, int64_t pid,
    int64_t sort)
{
	struct db_res	*r;
	const char	*unit = w->has[S_UNIT] ? w->s[S_UNIT] : pf->s[F_UNIT];
	const char	*retail = w->has[S_RETAIL] ? arena_printf(c->arena,
	    "%" PRId64, w->v[S_RETAIL]) : NULL;
	int64_t		 sid = c->shop->id;
	int		 i, rc;

	if (w->has[S_ID]) {
		w->saved_id = w->v[S_ID];
		rc = db_run(c->arena, NULL, sql_sku_set, "ssssiiiiisiiii",
		    w->s[S_CODE], w->s[S_BARCODE], w->s[S_SPEC], unit,
		    num_or(w, S_PACK, 1), num_or(w, S_MINQ, 1),
		    num_or(w, S_STOCK, 0), num_or(w, S_WEIGHT, 0),
		    w->v[S_PRICE], retail, sort, w->v[S_ID], pid, sid);
	} else {
		rc = db_run(c->arena, &r, sql_sku_add, "iissssiiiiisi", sid,
		    pid, w->s[S_CODE], w->s[S_BARCODE], w->s[S_SPEC], unit,
		    num_or(w, S_PACK, 1), num_or(w, S_MINQ, 1),
		    num_or(w, S_STOCK, 0), num_or(w, S_WEIGHT, 0),
		    w->v[S_PRICE], retail, sort);
		if (rc == 0)
			w->saved_id = (int64_t)r->insert_id;
	}
	if (rc == -1 || db_run(c->arena, NULL, sql_tiers_del, "ii",
	    w->saved_id, sid) == -1)
		return -1;
	for (i = 0; i < w->ntiers; i++)
		if (db_run(c->arena, NULL, sql_tier_add, "iiii", sid,
		    w->saved_id, w->tiers[i].min_qty,
		    w->tiers[i].price_fen) == -1)
			return -1;
	return 0;
}

static int
tx_fail(struct dctx *c)
{
	if (db_errno() == ER_DUP_KEY) {
		c->error = "货号或规格编码刚被其他商品占用，请检查后重试";
		return ERR_CONFLICT;
	}
	return ERR_INTERNAL;
}

/* Product, SKUs, tiers, version bump, audit: all or nothing. */
static int
tx_save(struct dctx *c, void *arg)
{
	struct pform	*pf = arg;
	struct skurow	*w;
	struct db_res	*r;
	int64_t		 sid = c->shop->id, pid = pf->id, sort = 0;
	int		 i;

	if (pid == 0) {
		if (db_run(c->arena, &r, sql_prod_add, "iissssisi", sid,
		    pf->v[F_CATEGORY], pf->s[F_CODE], pf->s[F_NAME],
		    pf->s[F_UNIT], pf->desc, pf->v[F_ON_SHELF], pf->visible,
		    pf->v[F_SORT]) == -1)
			return tx_fail(c);
		pid = (int64_t)r->insert_id;
	} else {
		if (db_run(c->arena, &r, sql_prod_lock, "ii", pid, sid) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			return ERR_NOT_FOUND;
		if (db_run(c->arena, NULL, sql_prod_set, "issssisiii",
		    pf->v[F_CATEGORY], pf->s[F_CODE], pf->s[F_NAME],
		    pf->s[F_UNIT], pf->desc, pf->v[F_ON_SHELF], pf->visible,
		    pf->v[F_SORT], pid, sid) == -1)
			return tx_fail(c);
	}
	for (i = 0; i < pf->nrows; i++) {
		w = &pf->rows[i];
		if (w->blank || !w->has[S_ID])
			continue;
		if (!w->keep && db_run(c->arena, NULL, sql_sku_del, "iii",
		    w->v[S_ID], pid, sid) == -1)
			return ERR_INTERNAL;
		if (w->keep && strcmp(w->old_code, w->s[S_CODE]) != 0 &&
		    db_run(c->arena, NULL, sql_sku_park, "iii", w->v[S_ID],
		    pid, sid) == -1)
			return ERR_INTERNAL;
	}
	for (i = 0; i < pf->nrows; i++)
		if (pf->rows[i].keep && sku_write(c, pf, &pf->rows[i], pid,
		    sort++) == -1)
			return tx_fail(c);
	if (shop_touch(c, sid) != 0 || audit(c, "product.save", "product=%"
	    PRId64 " code=%s skus=%" PRId64 "%s", pid, pf->s[F_CODE], sort,
	    pf->id == 0 ? " new" : "") != 0)
		return ERR_INTERNAL;
	pf->saved_id = pid;
	return 0;
}

/* ---- the edit page --------------------------------------------------- */

static json_object *
row_view(struct ctx *c, const struct pform *pf, const struct skurow *w,
    int i)
{
	json_object	*o = json_object_new_object(), *a, *t;
	int		 k;

	view_set_i64(o, "index", i);
	view_set_i64(o, "number", i + 1);
	/* Keys always present: a missing one would be looked up outside. */
	if (w->v[S_ID] > 0)
		view_set_i64(o, "id", w->v[S_ID]);
	else
		view_set_str(o, "id", NULL);
	view_set_bool(o, "is_new", w->v[S_ID] <= 0);
	/* A blank row to add a SKU: folded, but for a product without one. */
	view_set_bool(o, "spare", w->blank || (w->v[S_ID] <= 0 &&
	    row_blank(w)));
	view_set_bool(o, "open", i == 0);
	for (k = S_CODE; k < S_REMOVE; k++)
		view_set_str(o, sku_fields[k].name, w->s[k]);
	view_set_bool(o, "remove", w->has[S_REMOVE] && w->v[S_REMOVE]);
	if (w->errors != NULL && json_object_object_length(w->errors) > 0) {
		json_object_object_add(o, "errors",
		    json_object_get(w->errors));
		view_set_bool(o, "has_errors", 1);
	} else {
		json_object_object_add(o, "errors", json_object_new_object());
		view_set_bool(o, "has_errors", 0);
	}
	if (!pf->stored || w->v[S_ID] <= 0)
		return o;
	/* Stored values as numbers too, for JSON clients. */
	for (k = S_PACK; k <= S_WEIGHT; k++)
		view_set_i64(o, sku_fields[k].name, w->v[k]);
	view_set_money(c, o, "price", w->v[S_PRICE]);
	if (w->has[S_RETAIL])
		view_set_money(c, o, "retail_price", w->v[S_RETAIL]);
	else
		view_set_str(o, "retail_price", "");
	a = json_object_new_array();
	for (k = 0; k < w->ntiers; k++) {
		t = json_object_new_object();
		view_set_i64(t, "min_qty", w->tiers[k].min_qty);
		view_set_money(c, t, "price", w->tiers[k].price_fen);
		json_object_array_add(a, t);
	}
	json_object_object_add(o, "tier_list", a);
	return o;
}

/* The rows, then enough blank ones to add SKUs without JavaScript. */
static json_object *
rows_view(struct ctx *c, const struct pform *pf)
{
	json_object	*a = json_object_new_array();
	struct skurow	 blank;
	int		 i, k, nblank = 0;

	for (i = 0; i < pf->nrows; i++) {
		json_object_array_add(a, row_view(c, pf, &pf->rows[i], i));
		nblank += pf->rows[i].blank;
	}
	if (c->json_out)
		return a;
	memset(&blank, 0, sizeof(blank));
	for (k = 0; k < S_N; k++)
		blank.s[k] = "";
	for (; nblank < SPARE_ROWS && i < SKU_ROWS_MAX; nblank++, i++)
		json_object_array_add(a, row_view(c, pf, &blank, i));
	return a;
}

static json_object *
images_view(struct ctx *c, int64_t pid, int *n)
{
	json_object	*a = json_object_new_array(), *o;
	struct db_res	*r;
	int		 i;

	*n = 0;
	if (db_run(c->d.arena, &r, sql_prod_images, "ii", pid, c->d.shop->id) ==
	    -1)
		return a;
	for (i = 0; i < r->nrows; i++) {
		o = view_image(c, db_cell(r, i, 1), db_cell(r, i, 2),
		    db_cell_i64(r, i, 3), db_cell_i64(r, i, 4));
		view_set_i64(o, "id", db_cell_i64(r, i, 0));
		view_set_str(o, "delete_url", ctx_link(c, arena_printf(
		    c->d.arena, "/admin/products/%" PRId64 "/images/%" PRId64
		    "/delete", pid, db_cell_i64(r, i, 0))));
		json_object_array_add(a, o);
	}
	*n = r->nrows;
	return a;
}

static json_object *
product_obj(struct ctx *c, const struct pform *pf)
{
	json_object	*o = json_object_new_object();

	if (pf->id != 0)
		view_set_i64(o, "id", pf->id);
	view_set_str(o, "code", pf->s[F_CODE]);
	view_set_str(o, "name", pf->s[F_NAME]);
	view_set_i64(o, "category_id", pf->v[F_CATEGORY]);
	view_set_str(o, "unit", pf->s[F_UNIT]);
	view_set_bool(o, "on_shelf", pf->v[F_ON_SHELF] != 0);
	view_set_bool(o, "visible_ordering", pf->v[F_VIS_ORDERING] != 0);
	view_set_bool(o, "visible_wholesale", pf->v[F_VIS_WHOLESALE] != 0);
	view_set_bool(o, "visible_retail", pf->v[F_VIS_RETAIL] != 0);
	if (pf->stored)
		view_set_i64(o, "sort", pf->v[F_SORT]);
	else
		view_set_str(o, "sort", pf->s[F_SORT]);
	/* What was typed on an error, or what is stored (sanitized). */
	view_set_str(o, "description", pf->stored ? pf->desc :
	    pf->s[F_DESCRIPTION]);
	return o;
}

static void
edit_links(struct ctx *c, json_object *v, int64_t id)
{
	const char	*base = arena_printf(c->d.arena, "/admin/products/%"
	    PRId64, id);

	view_set_str(v, "list_url", ctx_link(c, "/admin/products"));
	view_set_str(v, "action", ctx_link(c, id ? base : "/admin/products"));
	if (id == 0)
		return;
	view_set_str(v, "shelf_url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/shelf", base)));
	view_set_str(v, "delete_url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/delete", base)));
	view_set_str(v, "images_url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/images", base)));
	view_set_str(v, "preview_url", ctx_link(c, arena_printf(c->d.arena,
	    "/wholesale/products/%" PRId64, id)));
}

/*
 * The product form: stored values, or what was typed with the errors.
 * status 0 is 200; error and image_error are notices above the form
 * and above the image upload.
 */
static int
edit_page(struct ctx *c, struct pform *pf, int status, const char *error,
    const char *image_error)
{
	struct cats	 t;
	json_object	*v;
	int		 nimages = 0;

	if (cats_load(&c->d, sql_cats, &t) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = admin_view(c, "products");
	view_set_bool(v, "is_new", pf->id == 0);
	json_object_object_add(v, "product", product_obj(c, pf));
	json_object_object_add(v, "skus", rows_view(c, pf));
	json_object_object_add(v, "categories", cat_options(c, &t,
	    pf->v[F_CATEGORY], 0));
	if (pf->id != 0) {
		json_object_object_add(v, "images", images_view(c, pf->id,
		    &nimages));
		view_set_bool(v, "images_full", nimages >= IMAGES_MAX);
	}
	view_set_i64(v, "images_max", IMAGES_MAX);
	view_set_str(v, "error", error ? error : pf->e.msg);
	view_set_str(v, "image_error", image_error);
	if (pf->e.map != NULL && error == NULL) {
		json_object_object_add(v, "errors", json_object_get(pf->e.map));
		json_object_object_add(v, "error_list",
		    json_object_get(pf->e.list));
	}
	view_set_bool(v, "can_edit", can_edit(c));
	edit_links(c, v, pf->id);
	c->status = status;
	c->title = pf->id == 0 ? "新建商品" : arena_printf(c->d.arena,
	    "编辑商品 %s", pf->s[F_NAME]);
	return render(c, "admin/product_edit");
}

static int
h_product_new(struct ctx *c)
{
	struct pform	pf;

	pform_new(&pf);
	return edit_page(c, &pf, 0, NULL, NULL);
}

static int
h_product_edit(struct ctx *c)
{
	struct pform	pf;
	int		rc;

	if ((rc = pform_load(c, cap_or0(c, 0), &pf)) != 0)
		return http_fail(c, rc, "商品不存在");
	return edit_page(c, &pf, 0, NULL, NULL);
}

/* POST /admin/products (create) and /admin/products/<id> (update). */
static int
h_product_save(struct ctx *c)
{
	struct pform	 pf;
	int64_t		 id = cap_or0(c, 0);
	int		 rc, found = 1;

	if (c->m.cap[0] != NULL && (id == 0 || product_exists(c, id,
	    &found) == -1))
		return http_fail(c, id == 0 ? ERR_NOT_FOUND : ERR_INTERNAL,
		    NULL);
	if (!found)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	pform_read(c, id, &pf);
	if (pform_check(c, &pf) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (pf.e.n > 0) {
		clog_info(&c->d, "product form: %d bad fields", pf.e.n);
		if (c->json_out) {
			json_send_errors(c, 400, &pf.e, pf.e.msg);
			return c->status;
		}
		return edit_page(c, &pf, 400, NULL, NULL);
	}
	if ((rc = db_tx_run(&c->d, tx_save, &pf)) == ERR_CONFLICT)
		return edit_page(c, &pf, 409, c->d.error, NULL);
	if (rc != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    NULL);
	clog_info(&c->d, "product %" PRId64 " saved code=%s", pf.saved_id,
	    pf.s[F_CODE]);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", pf.saved_id);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "?done=saved", pf.saved_id)));
}

/* ---- shelf, delete --------------------------------------------------- */

static const char sql_shelf_get[] =
    "SELECT on_shelf, code FROM product WHERE id = ? AND shop_id = ? "
    "FOR UPDATE";
static const char sql_shelf_set[] =
    "UPDATE product SET on_shelf = ? WHERE id = ? AND shop_id = ?";

struct shelf {
	int64_t		 id;
	int		 want;		/* -1: toggle */
	int		 now;
};

static int
tx_shelf(struct dctx *c, void *arg)
{
	struct shelf	*sh = arg;
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_shelf_get, "ii", sh->id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	sh->now = sh->want == -1 ? !db_cell_i64(r, 0, 0) : sh->want;
	if (db_run(c->arena, NULL, sql_shelf_set, "iii", (int64_t)sh->now,
	    sh->id, c->shop->id) == -1 || shop_touch(c, c->shop->id) != 0 ||
	    audit(c, "product.shelf", "product=%" PRId64 " code=%s on_shelf="
	    "%d", sh->id, db_cell(r, 0, 1), sh->now) != 0)
		return ERR_INTERNAL;
	return 0;
}

/* Where to go back to after a change made from a list: our pages only. */
static const char *
back_to(struct ctx *c, const char *dflt)
{
	const char	*b = req_param(c, "back");

	if (b == NULL || strncmp(b, "/admin/products", 15) != 0 ||
	    strstr(b, "//") != NULL || strpbrk(b, "\\\r\n") != NULL)
		b = dflt;
	return ctx_link(c, arena_printf(c->d.arena, "%s%sdone=saved", b,
	    strchr(b, '?') ? "&" : "?"));
}

static int
h_product_shelf(struct ctx *c)
{
	struct shelf	 sh;
	const char	*s = req_param(c, "on_shelf");
	int		 rc;

	memset(&sh, 0, sizeof(sh));
	if ((sh.id = cap_or0(c, 0)) == 0)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	sh.want = s == NULL || *s == '\0' ? -1 : !strcmp(s, "1") ||
	    !strcmp(s, "on") || !strcmp(s, "true");
	if ((rc = db_tx_run(&c->d, tx_shelf, &sh)) != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    NULL);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", sh.id);
		view_set_bool(c->view, "on_shelf", sh.now);
	}
	return http_see_other(c, "%s", back_to(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64, sh.id)));
}

static const char sql_del_info[] =
    "SELECT p.code, p.name, (SELECT COUNT(*) FROM sku s "
    "WHERE s.product_id = p.id), (SELECT COUNT(*) FROM product_image i "
    "WHERE i.product_id = p.id), (SELECT COUNT(*) FROM inquiry_item q "
    "WHERE q.product_id = p.id) FROM product p WHERE p.id = ? "
    "AND p.shop_id = ?";
static const char sql_del_lock[] =
    "SELECT p.code, (SELECT COUNT(*) FROM inquiry_item q "
    "WHERE q.product_id = p.id) FROM product p WHERE p.id = ? "
    "AND p.shop_id = ? FOR UPDATE";
static const char sql_del_images[] =
    "SELECT path, thumb_path FROM product_image WHERE product_id = ? "
    "AND shop_id = ?";
static const char sql_del[] =
    "DELETE FROM product WHERE id = ? AND shop_id = ?";

static int
delete_page(struct ctx *c, int64_t id, int status, const char *error)
{
	struct db_res	*r;
	json_object	*v, *p;

	if (db_run(c->d.arena, &r, sql_del_info, "ii", id, c->d.shop->id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (r->nrows == 0)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	v = admin_view(c, "products");
	p = json_object_new_object();
	view_set_i64(p, "id", id);
	view_set_str(p, "code", db_cell(r, 0, 0));
	view_set_str(p, "name", db_cell(r, 0, 1));
	view_set_i64(p, "sku_count", db_cell_i64(r, 0, 2));
	view_set_i64(p, "image_count", db_cell_i64(r, 0, 3));
	view_set_i64(p, "inquiry_count", db_cell_i64(r, 0, 4));
	json_object_object_add(v, "product", p);
	view_set_bool(v, "blocked", db_cell_i64(r, 0, 4) > 0);
	view_set_str(v, "error", error);
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "/delete", id)));
	view_set_str(v, "cancel_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64, id)));
	view_set_str(v, "shelf_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "/shelf", id)));
	c->status = status;
	c->title = "删除商品";
	return render(c, "admin/product_delete");
}

static int
h_product_delete_form(struct ctx *c)
{
	int64_t	id = cap_or0(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	return delete_page(c, id, 0, NULL);
}

struct del {
	int64_t		 id;
	struct db_res	*images;
};

static int
tx_delete(struct dctx *c, void *arg)
{
	struct del	*d = arg;
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_del_lock, "ii", d->id, c->shop->id) ==
	    -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	/* Inquiries point at the product: keep it (it can go off shelf). */
	if (db_cell_i64(r, 0, 1) > 0) {
		c->error = arena_printf(c->arena, "该商品有 %" PRId64 " 条询价"
		    "记录，不能删除；可以改为下架", db_cell_i64(r, 0, 1));
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, &d->images, sql_del_images, "ii", d->id,
	    c->shop->id) == -1 || db_run(c->arena, NULL, sql_del, "ii",
	    d->id, c->shop->id) == -1 || shop_touch(c, c->shop->id) != 0 ||
	    audit(c, "product.delete", "product=%" PRId64 " code=%s", d->id,
	    db_cell(r, 0, 0)) != 0)
		return ERR_INTERNAL;
	return 0;
}

static int
h_product_delete(struct ctx *c)
{
	struct del	d;
	int		i, rc;

	memset(&d, 0, sizeof(d));
	if ((d.id = cap_or0(c, 0)) == 0)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	rc = db_tx_run(&c->d, tx_delete, &d);
	if (rc == ERR_CONFLICT && !c->json_out)
		return delete_page(c, d.id, 409, c->d.error);
	if (rc != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    c->d.error);
	/* The rows are gone for good: now the files may go too. */
	for (i = 0; i < d.images->nrows; i++) {
		image_remove(&c->d, db_cell(d.images, i, 0));
		image_remove(&c->d, db_cell(d.images, i, 1));
	}
	clog_info(&c->d, "product %" PRId64 " deleted", d.id);
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/products?done=deleted"));
}

/* ---- images ---------------------------------------------------------- */

static const char sql_img_count[] =
    "SELECT COUNT(*) FROM product_image WHERE product_id = ? AND shop_id = ?";
static const char sql_img_add[] =
    "INSERT INTO product_image (shop_id, product_id, path, thumb_path, "
    "width, height, sort) SELECT ?, ?, ?, ?, ?, ?, COALESCE(MAX(sort), 0) "
    "+ 1 FROM product_image WHERE product_id = ?";
static const char sql_img_get[] =
    "SELECT path, thumb_path FROM product_image WHERE id = ? "
    "AND product_id = ? AND shop_id = ? FOR UPDATE";
static const char sql_img_del[] =
    "DELETE FROM product_image WHERE id = ? AND shop_id = ?";

struct img {
	int64_t			 pid;
	int64_t			 id;
	struct image_info	 info;
	struct db_res		*old;
};

static int
tx_image_add(struct dctx *c, void *arg)
{
	struct img	*im = arg;
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_prod_lock, "ii", im->pid,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_img_add, "iissiii", c->shop->id,
	    im->pid, im->info.path, im->info.thumb, (int64_t)im->info.width,
	    (int64_t)im->info.height, im->pid) == -1)
		return ERR_INTERNAL;
	im->id = (int64_t)r->insert_id;
	if (shop_touch(c, c->shop->id) != 0 || audit(c, "product.image.add",
	    "product=%" PRId64 " image=%" PRId64 " path=%s", im->pid, im->id,
	    im->info.path) != 0)
		return ERR_INTERNAL;
	return 0;
}

/* An upload that cannot be used: the edit page says why, with status. */
static int
image_refused(struct ctx *c, int64_t pid, enum err e, const char *why)
{
	struct pform	pf;
	int		rc;

	clog_info(&c->d, "image refused product=%" PRId64 ": %s", pid, why);
	if (c->json_out)
		return http_fail(c, e, why);
	if ((rc = pform_load(c, pid, &pf)) != 0)
		return http_fail(c, rc, NULL);
	return edit_page(c, &pf, err_status(e), NULL, why);
}

static const struct upload *
upload_get(struct ctx *c, const char *field)
{
	int	i;

	for (i = 0; i < c->nuploads; i++)
		if (strcmp(c->uploads[i].field, field) == 0)
			return &c->uploads[i];
	return NULL;
}

static int
h_image_add(struct ctx *c)
{
	const struct upload	*u;
	struct db_res		*r;
	struct img		 im;
	int			 found, rc;

	memset(&im, 0, sizeof(im));
	if ((im.pid = cap_or0(c, 0)) == 0 ||
	    product_exists(c, im.pid, &found) == -1)
		return http_fail(c, im.pid ? ERR_INTERNAL : ERR_NOT_FOUND,
		    NULL);
	if (!found)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	if ((u = upload_get(c, "image")) == NULL || u->len == 0)
		return image_refused(c, im.pid, ERR_INVALID,
		    "请选择要上传的图片");
	if (db_run(c->d.arena, &r, sql_img_count, "ii", im.pid,
	    c->d.shop->id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (db_cell_i64(r, 0, 0) >= IMAGES_MAX)
		return image_refused(c, im.pid, ERR_INVALID, arena_printf(
		    c->d.arena, "每个商品最多 %d 张图片，请先删除不用的图片",
		    IMAGES_MAX));
	if ((rc = image_store(&c->d, c->d.shop->id, u->data, u->len, &im.info)) !=
	    0)
		return image_refused(c, im.pid, rc, c->d.error);
	if ((rc = db_tx_run(&c->d, tx_image_add, &im)) != 0) {
		image_remove(&c->d, im.info.path);
		image_remove(&c->d, im.info.thumb);
		return http_fail(c, rc, NULL);
	}
	clog_info(&c->d, "image %" PRId64 " added product=%" PRId64 " %dx%d",
	    im.id, im.pid, im.info.width, im.info.height);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", im.id);
		view_set_str(c->view, "url", arena_printf(c->d.arena,
		    "/uploads/%s", im.info.path));
		view_set_str(c->view, "thumb", arena_printf(c->d.arena,
		    "/uploads/%s", im.info.thumb));
		view_set_i64(c->view, "width", im.info.width);
		view_set_i64(c->view, "height", im.info.height);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "?done=saved#images", im.pid)));
}

static int
tx_image_del(struct dctx *c, void *arg)
{
	struct img	*im = arg;

	if (db_run(c->arena, &im->old, sql_img_get, "iii", im->id, im->pid,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (im->old->nrows == 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, NULL, sql_img_del, "ii", im->id,
	    c->shop->id) == -1 || shop_touch(c, c->shop->id) != 0 ||
	    audit(c, "product.image.delete", "product=%" PRId64 " image=%"
	    PRId64, im->pid, im->id) != 0)
		return ERR_INTERNAL;
	return 0;
}

static int
h_image_delete(struct ctx *c)
{
	struct img	im;
	int		rc;

	memset(&im, 0, sizeof(im));
	im.pid = cap_or0(c, 0);
	im.id = cap_or0(c, 1);
	if (im.pid == 0 || im.id == 0)
		return http_fail(c, ERR_NOT_FOUND, "图片不存在");
	if ((rc = db_tx_run(&c->d, tx_image_del, &im)) != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "图片不存在" :
		    NULL);
	image_remove(&c->d, db_cell(im.old, 0, 0));
	image_remove(&c->d, db_cell(im.old, 0, 1));
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "?done=deleted#images", im.pid)));
}

/* ---- categories ------------------------------------------------------ */

enum { K_NAME, K_PARENT, K_SORT, K_N };
static const struct field cat_fields[] = {
	[K_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 60,
			  "分类名称" },
	[K_PARENT] =	{ "parent_id", FIELD_INT, 0, 0, INT64_MAX, "上级分类" },
	[K_SORT] =	{ "sort", FIELD_INT, 0, -1000000, 1000000, "排序" },
	{ NULL, 0, 0, 0, 0, NULL }
};

struct catsave {
	int64_t		 id;		/* 0: a new category */
	const char	*s[K_N];	/* as typed */
	int64_t		 v[K_N];
	struct errs	 e;
	int64_t		 saved_id;
};

static const char sql_cat_add[] =
    "INSERT INTO category (shop_id, parent_id, name, sort) "
    "VALUES (?, NULLIF(?, 0), ?, ?)";
static const char sql_cat_set[] =
    "UPDATE category SET parent_id = NULLIF(?, 0), name = ?, sort = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_cat_del[] =
    "DELETE FROM category WHERE id = ? AND shop_id = ?";
static const char sql_cat_use[] =
    "SELECT (SELECT COUNT(*) FROM product WHERE shop_id = ? "
    "AND category_id = ?), (SELECT COUNT(*) FROM category "
    "WHERE shop_id = ? AND parent_id = ?)";

static json_object *
cat_row(struct ctx *c, const struct cat *k)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "id", k->id);
	view_set_str(o, "name", k->name);
	view_set_i64(o, "parent_id", k->parent);
	view_set_i64(o, "sort", k->sort);
	view_set_i64(o, "depth", k->depth);
	view_set_i64(o, "products", k->nproducts);
	view_set_i64(o, "children", k->nchildren);
	view_set_bool(o, "has_children", k->nchildren > 0);
	view_set_bool(o, "deletable", k->nproducts == 0 && k->nchildren == 0);
	view_set_str(o, "edit_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/categories/%" PRId64, k->id)));
	view_set_str(o, "products_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products?cat=%" PRId64, k->id)));
	return o;
}

/* One category's form: rename, move (not below itself), sort, delete. */
static json_object *
cat_editing(struct ctx *c, const struct cats *t, const struct cat *k,
    const struct catsave *typed)
{
	json_object	*o = cat_row(c, k);

	if (typed != NULL) {
		view_set_str(o, "name", typed->s[K_NAME]);
		view_set_str(o, "sort", typed->s[K_SORT]);
	}
	json_object_object_add(o, "parents", cat_options(c, t, typed ?
	    typed->v[K_PARENT] : k->parent, k->id));
	view_set_str(o, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/categories/%" PRId64, k->id)));
	view_set_str(o, "delete_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/categories/%" PRId64 "/delete", k->id)));
	return o;
}

/*
 * The tree with a form to add one; or, with edit_id, that category's
 * form. typed is a form that failed, to show again as it was typed.
 */
static int
categories_page(struct ctx *c, int status, const char *error,
    const struct catsave *typed, int64_t edit_id)
{
	struct cats	 t;
	struct db_res	*r;
	struct cat	*k;
	json_object	*v, *rows, *form;
	int		 i, isnew = typed != NULL && typed->id == 0;

	if (cats_load(&c->d, sql_cats, &t) == -1 ||
	    db_run(c->d.arena, &r, sql_cat_counts, "i", c->d.shop->id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	for (i = 0; i < r->nrows; i++)
		if ((k = cat_find(&t, db_cell_i64(r, i, 0))) != NULL)
			k->nproducts = db_cell_i64(r, i, 1);
	if (edit_id != 0 && (k = cat_find(&t, edit_id)) == NULL)
		return http_fail(c, ERR_NOT_FOUND, "分类不存在");
	v = admin_view(c, "categories");
	if (edit_id != 0)
		json_object_object_add(v, "editing", cat_editing(c, &t, k,
		    typed));
	rows = json_object_new_array();
	for (i = 0; edit_id == 0 && i < t.norder; i++)
		json_object_array_add(rows, cat_row(c, t.order[i]));
	json_object_object_add(v, "categories", rows);
	view_set_bool(v, "empty", t.n == 0);
	view_set_i64(v, "total", t.n);
	if (edit_id == 0)
		json_object_object_add(v, "parents", cat_options(c, &t,
		    isnew ? typed->v[K_PARENT] : 0, 0));
	form = json_object_new_object();
	view_set_str(form, "name", isnew ? typed->s[K_NAME] : "");
	view_set_str(form, "sort", isnew ? typed->s[K_SORT] : "0");
	json_object_object_add(v, "form", form);
	if (typed != NULL && typed->e.map != NULL)
		json_object_object_add(v, "errors",
		    json_object_get(typed->e.map));
	view_set_str(v, "error", error);
	view_set_bool(v, "can_edit", can_edit(c));
	view_set_str(v, "action", ctx_link(c, "/admin/categories"));
	view_set_str(v, "list_url", ctx_link(c, "/admin/categories"));
	c->status = status;
	c->title = edit_id ? "编辑分类" : "商品分类";
	return render(c, "admin/categories");
}

static int
h_categories(struct ctx *c)
{
	return categories_page(c, 0, NULL, NULL, 0);
}

static int
h_category_edit(struct ctx *c)
{
	int64_t	id = cap_or0(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "分类不存在");
	return categories_page(c, 0, NULL, NULL, id);
}

/* The tree rules, with every category of the shop locked. */
static void
cat_rules(struct dctx *c, struct catsave *cs, const struct cats *t,
    const struct cat *self)
{
	const struct cat	*p = NULL;
	int			 i, levels;

	if (cs->v[K_PARENT] != 0 &&
	    (p = cat_find(t, cs->v[K_PARENT])) == NULL) {
		err_add(c, &cs->e, "parent_id", "上级分类", "上级分类不存在");
		return;
	}
	if (self != NULL && p != NULL && cat_within(t, p->id, self->id)) {
		err_add(c, &cs->e, "parent_id", "上级分类",
		    "不能移到它自己或它的下级分类之下");
		return;
	}
	levels = (p ? p->depth + 1 : 0) + (self ? cat_height(t, self, 0) : 1);
	if (levels > CAT_DEPTH_MAX)
		err_add(c, &cs->e, "parent_id", "上级分类", arena_printf(
		    c->arena, "分类最多 %d 级", CAT_DEPTH_MAX));
	if (strchr(cs->s[K_NAME], '/') != NULL)
		err_add(c, &cs->e, "name", "分类名称", "不能包含 /（导入时用作"
		    "层级分隔）");
	for (i = 0; i < t->n; i++)
		if (&t->v[i] != self && t->v[i].parent == cs->v[K_PARENT] &&
		    strcasecmp(t->v[i].name, cs->s[K_NAME]) == 0)
			err_add(c, &cs->e, "name", "分类名称",
			    "同一级下已有同名分类");
	if (self == NULL && t->n >= CATS_MAX)
		err_add(c, &cs->e, "name", "分类名称", arena_printf(c->arena,
		    "最多 %d 个分类", CATS_MAX));
}

static int
tx_cat_save(struct dctx *c, void *arg)
{
	struct catsave	*cs = arg;
	struct cats	 t;
	struct cat	*self = NULL;
	struct db_res	*r;

	memset(&cs->e, 0, sizeof(cs->e));
	if (cats_load(c, sql_cats_lock, &t) == -1)
		return ERR_INTERNAL;
	if (cs->id != 0 && (self = cat_find(&t, cs->id)) == NULL)
		return ERR_NOT_FOUND;
	cat_rules(c, cs, &t, self);
	if (cs->e.n > 0)
		return ERR_INVALID;
	if (self == NULL) {
		if (db_run(c->arena, &r, sql_cat_add, "iisi", c->shop->id,
		    cs->v[K_PARENT], cs->s[K_NAME], cs->v[K_SORT]) == -1)
			return ERR_INTERNAL;
		cs->saved_id = (int64_t)r->insert_id;
	} else {
		if (db_run(c->arena, NULL, sql_cat_set, "isiii",
		    cs->v[K_PARENT], cs->s[K_NAME], cs->v[K_SORT], cs->id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		cs->saved_id = cs->id;
	}
	if (shop_touch(c, c->shop->id) != 0 || audit(c, "category.save",
	    "category=%" PRId64 " name=%s parent=%" PRId64 "%s", cs->saved_id,
	    cs->s[K_NAME], cs->v[K_PARENT], self ? "" : " new") != 0)
		return ERR_INTERNAL;
	return 0;
}

/* POST /admin/categories (create), /admin/categories/<id> (update). */
static int
h_category_save(struct ctx *c)
{
	struct catsave	 cs;
	struct form	 f;
	const char	*s;
	int		 k, rc;

	memset(&cs, 0, sizeof(cs));
	cs.id = cap_or0(c, 0);
	if (c->m.cap[0] != NULL && cs.id == 0)
		return http_fail(c, ERR_NOT_FOUND, "分类不存在");
	form_parse(c, cat_fields, &f);
	for (k = 0; k < K_N; k++) {
		s = req_param(c, cat_fields[k].name);
		cs.s[k] = f.v[k].present ? f.v[k].s : s ? s : "";
		cs.v[k] = f.v[k].i64;
		if (f.errors != NULL && json_object_object_get_ex(f.errors,
		    cat_fields[k].name, NULL))
			err_add(&c->d, &cs.e, cat_fields[k].name,
			    cat_fields[k].label, json_object_get_string(
			    json_object_object_get(f.errors,
			    cat_fields[k].name)));
	}
	rc = cs.e.n > 0 ? ERR_INVALID : db_tx_run(&c->d, tx_cat_save, &cs);
	if (rc == ERR_INVALID) {
		if (c->json_out) {
			json_send_errors(c, 400, &cs.e, cs.e.msg);
			return c->status;
		}
		return categories_page(c, 400, cs.e.msg, &cs, cs.id);
	}
	if (rc != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "分类不存在" :
		    NULL);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", cs.saved_id);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/categories?done=%s", cs.id ? "saved" : "created")));
}

static int
tx_cat_delete(struct dctx *c, void *arg)
{
	int64_t		*id = arg, sid = c->shop->id;
	struct cats	 t;
	struct cat	*k;
	struct db_res	*r;

	if (cats_load(c, sql_cats_lock, &t) == -1)
		return ERR_INTERNAL;
	if ((k = cat_find(&t, *id)) == NULL)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_cat_use, "iiii", sid, *id, sid, *id) ==
	    -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) > 0 || db_cell_i64(r, 0, 1) > 0) {
		c->error = arena_printf(c->arena, "分类“%s”下还有%s，不能删除："
		    "请先把它们移到其他分类", k->name,
		    db_cell_i64(r, 0, 0) > 0 ? arena_printf(c->arena, " %"
		    PRId64 " 个商品", db_cell_i64(r, 0, 0)) :
		    arena_printf(c->arena, " %" PRId64 " 个下级分类",
		    db_cell_i64(r, 0, 1)));
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, NULL, sql_cat_del, "ii", *id, sid) == -1 ||
	    shop_touch(c, sid) != 0 || audit(c, "category.delete",
	    "category=%" PRId64 " name=%s", *id, k->name) != 0)
		return ERR_INTERNAL;
	return 0;
}

static int
h_category_delete(struct ctx *c)
{
	int64_t	id = cap_or0(c, 0);
	int	rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "分类不存在");
	rc = db_tx_run(&c->d, tx_cat_delete, &id);
	if (rc == ERR_CONFLICT && !c->json_out)
		return categories_page(c, 409, c->d.error, NULL, id);
	if (rc != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "分类不存在" :
		    c->d.error);
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/categories?done=deleted"));
}

/* ---- import and export ----------------------------------------------- */

static void
report_release(void *arg)
{
	import_report_free(arg);
}

static int
import_page(struct ctx *c, int status, const char *error,
    const struct import_report *rep)
{
	json_object	*v, *o, *lines;
	const char	*p, *nl;
	int		 shown;

	v = admin_view(c, "products");
	view_set_str(v, "action", ctx_link(c, "/admin/import"));
	view_set_str(v, "export_url", ctx_link(c, "/admin/export"));
	view_set_str(v, "list_url", ctx_link(c, "/admin/products"));
	view_set_str(v, "error", error);
	if (rep != NULL) {
		o = json_object_new_object();
		view_set_bool(o, "ok", status == 0);
		view_set_i64(o, "rows", rep->rows);
		view_set_i64(o, "products_created", rep->products_created);
		view_set_i64(o, "products_updated", rep->products_updated);
		view_set_i64(o, "skus_created", rep->skus_created);
		view_set_i64(o, "skus_updated", rep->skus_updated);
		view_set_i64(o, "nerrors", rep->nerrors);
		/* A page lists the first IMPORT_ERRORS_SHOWN; the CLI all. */
		lines = json_object_new_array();
		for (p = rep->errors.p, shown = 0; p != NULL && *p &&
		    shown < IMPORT_ERRORS_SHOWN; p = nl) {
			if ((nl = strchr(p, '\n')) == NULL)
				nl = p + strlen(p);
			if (nl > p) {
				json_object_array_add(lines,
				    json_object_new_string_len(p,
				    (int)(nl - p)));
				shown++;
			}
			if (*nl == '\n')
				nl++;
		}
		json_object_object_add(o, "errors", lines);
		if (rep->nerrors > shown)	/* 0 would be truthy */
			view_set_i64(o, "errors_hidden", rep->nerrors - shown);
		json_object_object_add(v, "report", o);
	}
	c->status = status;
	c->title = "导入商品";
	return render(c, "admin/import");
}

static int
h_import_form(struct ctx *c)
{
	return import_page(c, 0, NULL, NULL);
}

static int
h_import(struct ctx *c)
{
	const struct upload	*u;
	struct import_report	*rep;
	int			 rc;

	if ((u = upload_get(c, "file")) == NULL || u->len == 0)
		return import_page(c, 400, "请选择要导入的 CSV 文件", NULL);
	rep = arena_alloc(c->d.arena, sizeof(*rep));
	rc = import_products(&c->d, u->data, u->len, rep);
	arena_defer(c->d.arena, report_release, rep);
	if (rc == 0) {
		clog_info(&c->d, "import from %s: %d rows", u->filename,
		    rep->rows);
		return import_page(c, 0, NULL, rep);
	}
	if (rc != ERR_INVALID && rc != ERR_TOO_LARGE)
		return http_fail(c, rc, c->d.error);
	return import_page(c, err_status(rc), c->d.error, rep);
}

static int
h_export(struct ctx *c)
{
	c->body.len = 0;
	if (export_products(&c->d, &c->body) != 0) {
		c->body.len = 0;
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->status = 200;
	c->ctype = "text/csv; charset=utf-8";
	http_header(c, "Content-Disposition",
	    "attachment; filename=\"products.csv\"");
	return c->status;
}

const struct route h_admin_catalog_routes[] = {
	{ "GET", "^/admin/products$", h_products, ROUTE_STAFF, ROLES_READ },
	{ "POST", "^/admin/products$", h_product_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", "^/admin/products/new$", h_product_new, ROUTE_STAFF,
	  ROLES_WRITE },
	{ "GET", "^/admin/products/([0-9]{1,18})$", h_product_edit,
	  ROUTE_STAFF, ROLES_READ },
	{ "POST", "^/admin/products/([0-9]{1,18})$", h_product_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/products/([0-9]{1,18})/shelf$", h_product_shelf,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", "^/admin/products/([0-9]{1,18})/delete$",
	  h_product_delete_form, ROUTE_STAFF, ROLES_WRITE },
	{ "POST", "^/admin/products/([0-9]{1,18})/delete$", h_product_delete,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/products/([0-9]{1,18})/images$", h_image_add,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/products/([0-9]{1,18})/images/([0-9]{1,18})"
	  "/delete$", h_image_delete, ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", "^/admin/categories$", h_categories, ROUTE_STAFF,
	  ROLES_READ },
	{ "POST", "^/admin/categories$", h_category_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", "^/admin/categories/([0-9]{1,18})$", h_category_edit,
	  ROUTE_STAFF, ROLES_WRITE },
	{ "POST", "^/admin/categories/([0-9]{1,18})$", h_category_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/categories/([0-9]{1,18})/delete$",
	  h_category_delete, ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", "^/admin/import$", h_import_form, ROUTE_STAFF, ROLES_WRITE },
	{ "POST", "^/admin/import$", h_import, ROUTE_STAFF | ROUTE_CSRF,
	  ROLES_WRITE },
	{ "GET", "^/admin/export$", h_export, ROUTE_STAFF, ROLES_READ },
	{ NULL, NULL, NULL, 0, NULL }
};
