/*
 * h_admin_price.c -- the back office's price system: member levels, each
 * with its price list (a percentage of the base price and fixed prices per
 * SKU), and a price check that resolves what one customer pays from the
 * database, not the cache, with price_resolve() as the storefront does.
 * Every write bumps shop.version (shop_touch) inside its transaction.
 */
#include "dinghuo.h"
#include "domain/product.h"

#define ROLES_READ	"owner,admin,sales,finance,service"
#define ROLES_WRITE	"owner,admin"
#define PRICE_MAX_FEN	INT64_C(100000000000)	/* one billion yuan */
#define CHECK_CUSTOMERS	500		/* customers in the check's select */

static const char *
source_label(enum price_source s)
{
	switch (s) {
	case PRICE_CONTRACT: return "客户合同价";
	case PRICE_LEVEL: return "会员等级价";
	case PRICE_TIER: return "阶梯价";
	default: return "基础价";
	}
}

/* What the page shows after a failed write: which form, and why. */
struct ppage {
	const char	*failed;	/* level_new, level, percent, item_new,
					 * item, check; NULL: none */
	int64_t		 level;
	int64_t		 sku;
	struct form	*f;
	const char	*error;		/* a conflict, not a field */
	json_object	*check;		/* the price check's answer */
};

static const char sql_levels[] =
    "SELECT l.id, l.name, l.rank_no, "
    "(SELECT COUNT(*) FROM customer c WHERE c.level_id = l.id), "
    "pl.id, pl.percent_bp FROM member_level l "
    "LEFT JOIN price_list pl ON pl.level_id = l.id "
    "WHERE l.shop_id = ? ORDER BY l.rank_no, l.id";
static const char sql_items[] =
    "SELECT pl.level_id, i.sku_id, s.code, p.name, s.spec, s.price_fen, "
    "i.price_fen FROM price_list_item i "
    "JOIN price_list pl ON pl.id = i.price_list_id "
    "JOIN sku s ON s.id = i.sku_id JOIN product p ON p.id = s.product_id "
    "WHERE i.shop_id = ? ORDER BY pl.level_id, s.code";
static const char sql_check_customers[] =
    "SELECT id, name FROM customer WHERE shop_id = ? ORDER BY name, id "
    "LIMIT 500";

/* The failing form's own values, as typed, over what the database says. */
static void
refill(struct ctx *c, json_object *o, const char *const *names)
{
	const char	*s;

	for (; *names != NULL; names++)
		if ((s = req_param(c, *names)) != NULL)
			view_set_str(o, *names, s);
}


static int
is_failed(const struct ppage *p, const char *what, int64_t level,
    int64_t sku)
{
	return p->failed != NULL && strcmp(p->failed, what) == 0 &&
	    p->level == level && p->sku == sku;
}

static const char *
failure(const struct ppage *p)
{
	return p->error != NULL ? p->error : p->f != NULL ? p->f->error : NULL;
}

static json_object *
item_rows(struct ctx *c, const struct ppage *p, struct db_res *it, int *k,
    int64_t level)
{
	static const char *const price_names[] = { "price", NULL };
	json_object	*rows = json_object_new_array(), *o;
	int64_t		 sku;

	for (; *k < it->nrows && db_cell_i64(it, *k, 0) < level; (*k)++)
		;
	for (; *k < it->nrows && db_cell_i64(it, *k, 0) == level; (*k)++) {
		sku = db_cell_i64(it, *k, 1);
		o = json_object_new_object();
		view_set_i64(o, "level_id", level);
		view_set_i64(o, "sku_id", sku);
		view_set_str(o, "code", db_cell(it, *k, 2));
		view_set_str(o, "product", db_cell(it, *k, 3));
		view_set_str(o, "spec", db_cell(it, *k, 4));
		view_set_str(o, "base", fmt_yuan(c->d.arena,
		    db_cell_i64(it, *k, 5)));
		view_set_i64(o, "price_fen", db_cell_i64(it, *k, 6));
		view_set_str(o, "price", fmt_yuan(c->d.arena,
		    db_cell_i64(it, *k, 6)));
		view_set_str(o, "row_error", NULL);	/* not the level's */
		if (is_failed(p, "item", level, sku)) {
			refill(c, o, price_names);
			view_set_str(o, "row_error", failure(p));
		}
		json_object_array_add(rows, o);
	}
	return rows;
}

static json_object *
level_row(struct ctx *c, const struct ppage *p, struct db_res *l, int i,
    struct db_res *it, int *k)
{
	static const char *const level_names[] = { "name", "rank_no", NULL };
	static const char *const percent_names[] = { "percent", NULL };
	static const char *const item_names[] = { "sku_code", "price", NULL };
	json_object	*o = json_object_new_object(), *items, *add, *form;
	int64_t		 id = db_cell_i64(l, i, 0), used;

	used = db_cell_i64(l, i, 3);
	view_set_i64(o, "id", id);
	view_set_str(o, "name", db_cell(l, i, 1));
	view_set_i64(o, "customers", used);
	view_set_bool(o, "in_use", used > 0);
	if (db_cell(l, i, 5) != NULL) {
		view_set_i64(o, "percent_bp", db_cell_i64(l, i, 5));
		view_set_str(o, "percent", fmt_percent(c->d.arena,
		    db_cell_i64(l, i, 5)));
	} else {
		view_set_str(o, "percent_bp", NULL);
		view_set_str(o, "percent", "");
	}
	/* The forms' values: as stored, or as typed when they failed. */
	form = json_object_new_object();
	view_set_str(form, "name", db_cell(l, i, 1));
	view_set_i64(form, "rank_no", db_cell_i64(l, i, 2));
	view_set_str(form, "percent", view_get_str(o, "percent"));
	json_object_object_add(o, "form", form);
	items = item_rows(c, p, it, k, id);
	view_set_i64(o, "nitems", json_object_array_length(items));
	view_set_bool(o, "has_items", json_object_array_length(items) > 0);
	json_object_object_add(o, "items", items);
	add = json_object_new_object();
	json_object_object_add(o, "item_new", add);
	if (is_failed(p, "level", id, 0)) {
		refill(c, form, level_names);
		view_set_bool(o, "rename_open", 1);
	} else if (is_failed(p, "percent", id, 0))
		refill(c, form, percent_names);
	else if (is_failed(p, "item_new", id, 0))
		refill(c, add, item_names);
	view_set_str(o, "row_error", p->failed != NULL && p->level == id &&
	    p->sku == 0 ? failure(p) : NULL);
	return o;
}

static int
prices_page(struct ctx *c, const struct ppage *p)
{
	static const char *const new_names[] = { "name", "rank_no", NULL };
	static const char *const check_names[] = { "sku_code", "qty", NULL };
	struct db_res	*l, *it, *cu;
	json_object	*v = admin_view(c, "prices"), *levels, *o, *ck;
	const char	*sel;
	int		 i, k = 0;

	if (db_run(c->d.arena, &l, sql_levels, "i", c->d.shop->id) == -1 ||
	    db_run(c->d.arena, &it, sql_items, "i", c->d.shop->id) == -1 ||
	    db_run(c->d.arena, &cu, sql_check_customers, "i", c->d.shop->id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	view_set_bool(v, "can_write", session_staff_role(&c->d.sess, ROLES_WRITE));
	levels = json_object_new_array();
	for (i = 0; i < l->nrows; i++)
		json_object_array_add(levels, level_row(c, p, l, i, it, &k));
	view_set_bool(v, "no_levels", l->nrows == 0);
	json_object_object_add(v, "levels", levels);
	o = json_object_new_object();
	if (is_failed(p, "level_new", 0, 0)) {
		refill(c, o, new_names);
		view_set_str(v, "level_new_error", failure(p));
	}
	json_object_object_add(v, "level_new", o);

	/* The price check's form keeps what was asked. */
	ck = p->check != NULL ? json_object_get(p->check) :
	    json_object_new_object();
	refill(c, ck, check_names);
	if (is_failed(p, "check", 0, 0))
		view_set_str(ck, "error", failure(p));
	json_object_object_add(v, "check", ck);
	sel = kv_get(&c->query, "customer_id");
	o = json_object_new_array();
	for (i = 0; i < cu->nrows; i++) {
		json_object *row = json_object_new_object();

		view_set_i64(row, "id", db_cell_i64(cu, i, 0));
		view_set_str(row, "name", db_cell(cu, i, 1));
		view_set_bool(row, "selected", sel != NULL &&
		    strcmp(sel, db_cell(cu, i, 0)) == 0);
		json_object_array_add(o, row);
	}
	json_object_object_add(v, "check_customers", o);
	view_set_bool(v, "check_customers_cut", cu->nrows == CHECK_CUSTOMERS);
	c->title = "价格体系";
	return render(c, "admin/prices");
}

static int
h_prices(struct ctx *c)
{
	struct ppage	p;

	memset(&p, 0, sizeof(p));
	return prices_page(c, &p);
}

/* Re-render the page with a failed form; status from the error. */
static int
page_fail(struct ctx *c, struct ppage *p, int err)
{
	if (err == ERR_INTERNAL || err == ERR_FORBIDDEN)
		return http_fail(c, err, NULL);
	if (err == ERR_NOT_FOUND)
		return http_fail(c, err, p->error);
	c->status = err_status(err);
	if (c->json_out)
		return http_fail(c, err, failure(p));
	return prices_page(c, p);
}

/* ---- the price check ---------------------------------------------- */

enum { K_CUSTOMER, K_SKU, K_QTY };
static const struct field check_fields[] = {
	[K_CUSTOMER] =	{ "customer_id", FIELD_ID, 0, 0, 0, "客户" },
	[K_SKU] =	{ "sku_code", FIELD_TEXT, FIELD_REQUIRED, 1, 64,
			  "SKU 编码" },
	[K_QTY] =	{ "qty", FIELD_INT, 0, 1, 10000000, "数量" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char sql_check_customer[] =
    "SELECT name, COALESCE(level_id, 0), status FROM customer "
    "WHERE id = ? AND shop_id = ?";
static const char sql_check_tiers[] =
    "SELECT min_qty, price_fen FROM price_tier WHERE sku_id = ? "
    "AND shop_id = ? ORDER BY min_qty";
static const char sql_check_list[] =
    "SELECT l.name, COALESCE(pl.percent_bp, 0), "
    "(SELECT i.price_fen FROM price_list_item i "
    "WHERE i.price_list_id = pl.id AND i.sku_id = ?) "
    "FROM member_level l LEFT JOIN price_list pl ON pl.level_id = l.id "
    "WHERE l.id = ? AND l.shop_id = ?";
static const char sql_check_contract[] =
    "SELECT price_fen FROM contract_price WHERE customer_id = ? "
    "AND sku_id = ? AND shop_id = ?";

static void
trace(struct ctx *c, json_object *rows, const char *what, const char *value)
{
	json_object	*o = json_object_new_object();

	view_set_str(o, "what", what);
	view_set_str(o, "value", value);
	json_object_array_add(rows, o);
}

/* Gather the price inputs of one customer's company from the database. */
static int
check_customer(struct ctx *c, int64_t id, int64_t sku_id,
    struct price_input *in, json_object *res, json_object *rows)
{
	struct db_res	*r, *l, *k;
	int64_t		 level;

	if (db_run(c->d.arena, &r, sql_check_customer, "ii", id,
	    c->d.shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	view_set_str(res, "customer", db_cell(r, 0, 0));
	view_set_bool(res, "customer_disabled",
	    strcmp(db_cell(r, 0, 2), "active") != 0);
	if ((level = db_cell_i64(r, 0, 1)) != 0) {
		if (db_run(c->d.arena, &l, sql_check_list, "iii", sku_id, level,
		    c->d.shop->id) == -1)
			return ERR_INTERNAL;
		view_set_str(res, "level", db_cell(l, 0, 0));
		in->list_percent_bp = db_cell_i64(l, 0, 1);
		if (in->list_percent_bp > 0)
			trace(c, rows, arena_printf(c->d.arena, "等级“%s”折扣",
			    db_cell(l, 0, 0)), arena_printf(c->d.arena,
			    "基础价的 %s%%", fmt_percent(c->d.arena,
			    in->list_percent_bp)));
		if (db_cell(l, 0, 2) != NULL) {
			in->has_list_price = 1;
			in->list_price_fen = db_cell_i64(l, 0, 2);
			trace(c, rows, arena_printf(c->d.arena, "等级“%s”固定价",
			    db_cell(l, 0, 0)), arena_printf(c->d.arena, "¥%s",
			    fmt_yuan(c->d.arena, in->list_price_fen)));
		}
	}
	if (db_run(c->d.arena, &k, sql_check_contract, "iii", id, sku_id,
	    c->d.shop->id) == -1)
		return ERR_INTERNAL;
	if (k->nrows > 0) {
		in->has_contract = 1;
		in->contract_fen = db_cell_i64(k, 0, 0);
		trace(c, rows, "客户合同价", arena_printf(c->d.arena, "¥%s",
		    fmt_yuan(c->d.arena, in->contract_fen)));
	}
	return 0;
}

static int
run_check(struct ctx *c, struct form *f, struct ppage *p)
{
	struct sku_brief	 sku;
	struct price_input	 in;
	struct price_result	 out;
	struct price_tier	*tiers;
	struct db_res		*t;
	json_object		*res, *rows;
	int			 i, rc;

	if ((rc = product_sku_by_code(&c->d, f->v[K_SKU].s, &sku)) != 0) {
		if (rc == ERR_NOT_FOUND)
			form_error(c, f, "sku_code", "SKU 编码",
			    "本店没有这个编码");
		return rc == ERR_NOT_FOUND ? ERR_INVALID : rc;
	}
	memset(&in, 0, sizeof(in));
	in.base_fen = sku.price_fen;
	in.qty = f->v[K_QTY].present ? f->v[K_QTY].i64 : 1;
	res = arena_defer_json(c->d.arena, json_object_new_object());
	rows = json_object_new_array();
	json_object_object_add(res, "trace", rows);
	trace(c, rows, "基础价", arena_printf(c->d.arena, "¥%s",
	    fmt_yuan(c->d.arena, sku.price_fen)));
	if (db_run(c->d.arena, &t, sql_check_tiers, "ii", sku.id,
	    c->d.shop->id) == -1)
		return ERR_INTERNAL;
	tiers = arena_alloc(c->d.arena, (t->nrows + 1) * sizeof(*tiers));
	for (i = 0; i < t->nrows; i++) {
		tiers[i].min_qty = db_cell_i64(t, i, 0);
		tiers[i].price_fen = db_cell_i64(t, i, 1);
		trace(c, rows, arena_printf(c->d.arena, "阶梯价 ≥%" PRId64,
		    tiers[i].min_qty), arena_printf(c->d.arena, "¥%s",
		    fmt_yuan(c->d.arena, tiers[i].price_fen)));
	}
	in.tiers = tiers;
	in.ntiers = t->nrows;
	if (f->v[K_CUSTOMER].present && (rc = check_customer(c,
	    f->v[K_CUSTOMER].i64, sku.id, &in, res, rows)) != 0) {
		if (rc == ERR_NOT_FOUND)
			form_error(c, f, "customer_id", "客户",
			    "本店没有这个客户");
		return rc == ERR_NOT_FOUND ? ERR_INVALID : rc;
	}
	if (price_resolve(&in, &out) == -1)
		return ERR_INTERNAL;
	view_set_str(res, "sku_code", sku.code);
	view_set_str(res, "product", sku.name);
	view_set_str(res, "spec", sku.spec);
	view_set_str(res, "unit_name", sku.unit);
	view_set_i64(res, "qty", in.qty);
	view_set_i64(res, "unit_fen", out.unit_fen);
	view_set_str(res, "unit", fmt_yuan(c->d.arena, out.unit_fen));
	view_set_str(res, "source", price_source_name(out.source));
	view_set_str(res, "source_label", source_label(out.source));
	view_set_str(res, "total", fmt_yuan(c->d.arena,
	    price_line_total(out.unit_fen, in.qty)));
	view_set_bool(res, "below_min", in.qty < sku.min_qty);
	view_set_i64(res, "min_qty", sku.min_qty);
	p->check = json_object_new_object();
	arena_defer_json(c->d.arena, p->check);
	json_object_object_add(p->check, "result", json_object_get(res));
	return 0;
}

static int
h_price_check(struct ctx *c)
{
	struct ppage	p;
	struct form	f;
	int		rc;

	memset(&p, 0, sizeof(p));
	p.failed = "check";
	p.f = &f;
	if (form_parse(c, check_fields, &f) == -1)
		return page_fail(c, &p, ERR_INVALID);
	if ((rc = run_check(c, &f, &p)) != 0)
		return page_fail(c, &p, rc);
	p.failed = NULL;
	return prices_page(c, &p);
}

/* ---- member levels ------------------------------------------------ */

enum { L_NAME, L_RANK };
static const struct field level_fields[] = {
	[L_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 40,
			  "等级名称" },
	[L_RANK] =	{ "rank_no", FIELD_INT, 0, 0, 9999, "排序" },
	{ NULL, 0, 0, 0, 0, NULL }
};

struct lwrite {
	struct form	 f;
	int64_t		 level;
	int64_t		 sku;
	struct sku_brief s;
	int64_t		 bp;		/* 0: no percentage */
	int64_t		 price;		/* fen */
	const char	*name;		/* the level's, for the audit */
};

/*
 * The start of every write to one level: clear both, take the level id from
 * the path (route capture 0), and say which form answers if it fails.
 * -1 when the path holds no level id.
 */
static int
level_begin(struct ctx *c, struct lwrite *w, struct ppage *p,
    const char *failed)
{
	memset(w, 0, sizeof(*w));
	memset(p, 0, sizeof(*p));
	if (route_id(c, 0, &w->level) == -1)
		return -1;
	p->failed = failed;
	p->level = w->level;
	p->f = &w->f;
	return 0;
}

static const char sql_level_get[] =
    "SELECT name FROM member_level WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_level_dup[] =
    "SELECT id FROM member_level WHERE shop_id = ? AND name = ? AND id <> ?";
static const char sql_level_add[] =
    "INSERT INTO member_level (shop_id, name, rank_no) VALUES (?, ?, ?)";
static const char sql_level_rename[] =
    "UPDATE member_level SET name = ?, rank_no = ? WHERE id = ? "
    "AND shop_id = ?";
static const char sql_level_users[] =
    "SELECT COUNT(*) FROM customer WHERE level_id = ? AND shop_id = ?";
static const char sql_level_del[] =
    "DELETE FROM member_level WHERE id = ? AND shop_id = ?";
/* Every level has one list; make it when it is first needed. */
static const char sql_list_ensure[] =
    "INSERT INTO price_list (shop_id, level_id, name) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";

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
	w->name = db_cell(r, 0, 0);
	return 0;
}

static int
list_ensure(struct dctx *c, struct lwrite *w, int64_t *list)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_list_ensure, "iis", c->shop->id,
	    w->level, arena_printf(c->arena, "%s价", w->name)) == -1)
		return ERR_INTERNAL;
	*list = (int64_t)r->insert_id;
	return 0;
}

static int
tx_level_save(struct dctx *c, void *arg)
{
	struct lwrite	*w = arg;
	struct db_res	*r;
	int64_t		 rank = w->f.v[L_RANK].present ? w->f.v[L_RANK].i64 : 0;
	int64_t		 list;
	int		 rc;

	if (w->level != 0 && (rc = level_lock(c, w)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_level_dup, "isi", c->shop->id,
	    w->f.v[L_NAME].s, w->level) == -1)
		return ERR_INTERNAL;
	if (r->nrows > 0) {
		c->error = "已有同名的会员等级";
		return ERR_CONFLICT;
	}
	if (w->level == 0)
		rc = db_run(c->arena, &r, sql_level_add, "isi", c->shop->id,
		    w->f.v[L_NAME].s, rank);
	else
		rc = db_run(c->arena, &r, sql_level_rename, "siii",
		    w->f.v[L_NAME].s, rank, w->level, c->shop->id);
	if (rc == -1 && db_errno() == 1062) {	/* a twin just now */
		c->error = "已有同名的会员等级";
		return ERR_CONFLICT;
	}
	if (rc == -1)
		return ERR_INTERNAL;
	if (w->level == 0) {
		w->level = (int64_t)r->insert_id;
		w->name = w->f.v[L_NAME].s;
		if ((rc = list_ensure(c, w, &list)) != 0)
			return rc;
	}
	if ((rc = audit(c, "level.save", "level=%" PRId64 " name=%s rank=%"
	    PRId64 " was=%s", w->level, w->f.v[L_NAME].s, rank,
	    w->name ? w->name : "")) != 0)
		return rc;
	return shop_touch(c, c->shop->id);
}


static int
h_level_save(struct ctx *c)
{
	struct lwrite	 w;
	struct ppage	 p;
	int		 rc;

	memset(&w, 0, sizeof(w));
	memset(&p, 0, sizeof(p));
	if (c->m.cap[0] != NULL && route_id(c, 0, &w.level) == -1)
		return http_fail(c, ERR_NOT_FOUND, "会员等级不存在");
	p.failed = w.level ? "level" : "level_new";
	p.level = w.level;
	p.f = &w.f;
	if (form_parse(c, level_fields, &w.f) == -1)
		return page_fail(c, &p, ERR_INVALID);
	if ((rc = db_tx_run(&c->d, tx_level_save, &w)) != 0) {
		p.error = c->d.error;
		return page_fail(c, &p, rc);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/prices?done=%s#level-%" PRId64, c->m.cap[0] ? "saved" :
	    "created", w.level)));
}

static int
tx_level_delete(struct dctx *c, void *arg)
{
	struct lwrite	*w = arg;
	struct db_res	*r;
	int		 rc;

	if ((rc = level_lock(c, w)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_level_users, "ii", w->level,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) > 0) {
		c->error = arena_printf(c->arena, "还有 %" PRId64 " 个客户属于"
		    "会员等级“%s”，请先把他们改到其他等级再删除",
		    db_cell_i64(r, 0, 0), w->name);
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, NULL, sql_level_del, "ii", w->level,
	    c->shop->id) == -1) {
		if (db_errno() != 1451)		/* a customer got it just now */
			return ERR_INTERNAL;
		c->error = "仍有客户属于这个会员等级，不能删除";
		return ERR_CONFLICT;
	}
	if ((rc = audit(c, "level.delete", "level=%" PRId64 " name=%s",
	    w->level, w->name)) != 0)
		return rc;
	return shop_touch(c, c->shop->id);
}

static int
h_level_delete(struct ctx *c)
{
	struct lwrite	 w;
	struct ppage	 p;
	int		 rc;

	if (level_begin(c, &w, &p, "level") == -1)
		return http_fail(c, ERR_NOT_FOUND, "会员等级不存在");
	if ((rc = db_tx_run(&c->d, tx_level_delete, &w)) != 0) {
		p.f = NULL;
		p.error = c->d.error;
		return page_fail(c, &p, rc);
	}
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/prices?done=deleted"));
}

/* ---- a level's price list ----------------------------------------- */

static const struct field percent_fields[] = {
	{ "percent", FIELD_TEXT, 0, 0, 12, "折扣百分比" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char sql_list_percent[] =
    "UPDATE price_list SET percent_bp = ? WHERE id = ? AND shop_id = ?";

/* A level's percentage, 0.01 % to 1000 % of base, into basis points;
 * "" is 0 (none). 0 or -1. */
static int
parse_percent(const char *s, int64_t *bp)
{
	const char	*why;

	*bp = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (parse_percent_bp(s, bp, &why) == -1)
		return -1;
	return *bp >= 1 && *bp <= 100000 ? 0 : -1;
}

static int
tx_list_percent(struct dctx *c, void *arg)
{
	struct lwrite	*w = arg;
	int64_t		 list;
	int		 rc;
	char		 bp[24];

	if ((rc = level_lock(c, w)) != 0 ||
	    (rc = list_ensure(c, w, &list)) != 0)
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

static int
h_list_percent(struct ctx *c)
{
	struct lwrite	 w;
	struct ppage	 p;
	int		 rc;

	if (level_begin(c, &w, &p, "percent") == -1)
		return http_fail(c, ERR_NOT_FOUND, "会员等级不存在");
	if (form_parse(c, percent_fields, &w.f) == -1)
		return page_fail(c, &p, ERR_INVALID);
	if (parse_percent(w.f.v[0].s, &w.bp) == -1) {
		form_error(c, &w.f, "percent", "折扣百分比",
		    "应为 0.01 到 1000 之间的数，最多两位小数，如 90 或 92.5");
		return page_fail(c, &p, ERR_INVALID);
	}
	if ((rc = db_tx_run(&c->d, tx_list_percent, &w)) != 0) {
		p.error = c->d.error;
		return page_fail(c, &p, rc);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/prices?done=saved#level-%" PRId64, w.level)));
}

enum { I_SKU, I_PRICE };
static const struct field item_fields[] = {
	[I_SKU] =	{ "sku_code", FIELD_TEXT, FIELD_REQUIRED, 1, 64,
			  "SKU 编码" },
	[I_PRICE] =	{ "price", FIELD_MONEY, FIELD_REQUIRED, 0,
			  PRICE_MAX_FEN, "价格" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field item_edit_fields[] = {
	{ "price", FIELD_MONEY, FIELD_REQUIRED, 0, PRICE_MAX_FEN, "价格" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char sql_item_set[] =
    "INSERT INTO price_list_item (price_list_id, sku_id, shop_id, price_fen) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE price_fen = VALUES(price_fen)";
static const char sql_item_get[] =
    "SELECT i.price_fen, s.code FROM price_list_item i "
    "JOIN price_list pl ON pl.id = i.price_list_id "
    "JOIN sku s ON s.id = i.sku_id "
    "WHERE pl.level_id = ? AND i.sku_id = ? AND i.shop_id = ? FOR UPDATE";
static const char sql_item_update[] =
    "UPDATE price_list_item SET price_fen = ? WHERE price_list_id = ? "
    "AND sku_id = ? AND shop_id = ?";
static const char sql_item_del[] =
    "DELETE FROM price_list_item WHERE price_list_id = ? AND sku_id = ? "
    "AND shop_id = ?";

/* Add (or replace) a fixed price; edit one (w->sku); or delete one. */
static int
tx_item(struct dctx *c, struct lwrite *w, int del)
{
	struct db_res	*r;
	int64_t		 list;
	int		 rc;

	if ((rc = level_lock(c, w)) != 0 ||
	    (rc = list_ensure(c, w, &list)) != 0)
		return rc;
	if (w->sku != 0) {
		if (db_run(c->arena, &r, sql_item_get, "iii", w->level, w->sku,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "该等级没有这个 SKU 的价格";
			return ERR_NOT_FOUND;
		}
		w->s.code = db_cell(r, 0, 1);
		w->s.id = w->sku;
	}
	if (del)
		rc = db_run(c->arena, NULL, sql_item_del, "iii", list,
		    w->s.id, c->shop->id);
	else if (w->sku != 0)
		rc = db_run(c->arena, NULL, sql_item_update, "iiii", w->price,
		    list, w->s.id, c->shop->id);
	else
		rc = db_run(c->arena, NULL, sql_item_set, "iiii", list,
		    w->s.id, c->shop->id, w->price);
	if (rc == -1)
		return ERR_INTERNAL;
	if ((rc = audit(c, del ? "price_list.item_delete" :
	    "price_list.item_set", "level=%" PRId64 " sku=%s price_fen=%"
	    PRId64, w->level, w->s.code, del ? 0 : w->price)) != 0)
		return rc;
	return shop_touch(c, c->shop->id);
}

static int
tx_item_save(struct dctx *c, void *arg)
{
	return tx_item(c, arg, 0);
}

static int
tx_item_delete(struct dctx *c, void *arg)
{
	return tx_item(c, arg, 1);
}

static int
h_item_add(struct ctx *c)
{
	struct lwrite	 w;
	struct ppage	 p;
	int		 rc;

	if (level_begin(c, &w, &p, "item_new") == -1)
		return http_fail(c, ERR_NOT_FOUND, "会员等级不存在");
	form_parse(c, item_fields, &w.f);
	if (w.f.v[I_SKU].present && (rc = product_sku_by_code(&c->d,
	    w.f.v[I_SKU].s, &w.s)) != 0) {
		if (rc != ERR_NOT_FOUND)
			return http_fail(c, rc, NULL);
		form_error(c, &w.f, "sku_code", "SKU 编码",
		    "本店没有这个编码");
	}
	rc = w.f.error != NULL ? ERR_INVALID : 0;
	if (rc == 0) {
		w.price = w.f.v[I_PRICE].i64;
		if ((rc = db_tx_run(&c->d, tx_item_save, &w)) != 0)
			p.error = c->d.error;
	}
	if (rc != 0)
		return page_fail(c, &p, rc);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/prices?done=saved#level-%" PRId64, w.level)));
}

static int
h_item_edit(struct ctx *c)
{
	struct lwrite	 w;
	struct ppage	 p;
	int		 rc, del = strstr(c->path, "/delete") != NULL;

	if (level_begin(c, &w, &p, "item") == -1 ||
	    route_id(c, 1, &w.sku) == -1)
		return http_fail(c, ERR_NOT_FOUND, "价格不存在");
	p.sku = w.sku;
	if (!del && form_parse(c, item_edit_fields, &w.f) == -1)
		return page_fail(c, &p, ERR_INVALID);
	w.price = w.f.v[0].i64;
	if ((rc = db_tx_run(&c->d, del ? tx_item_delete : tx_item_save,
	    &w)) != 0) {
		p.error = c->d.error;
		return page_fail(c, &p, rc);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/prices?done=%s#level-%" PRId64, del ? "deleted" : "saved",
	    w.level)));
}

#define ID "([0-9]{1,18})"
const struct route h_admin_price_routes[] = {
	{ "GET", "^/admin/prices$", h_prices, ROUTE_STAFF, ROLES_READ },
	{ "GET", "^/admin/prices/check$", h_price_check, ROUTE_STAFF,
	  ROLES_READ },
	{ "POST", "^/admin/prices/levels$", h_level_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "$", h_level_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/delete$", h_level_delete,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/percent$", h_list_percent,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/items$", h_item_add,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/items/" ID "$", h_item_edit,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/items/" ID "/delete$",
	  h_item_edit, ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ NULL, NULL, NULL, 0, NULL }
};
