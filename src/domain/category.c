/*
 * category.c -- the shop's category tree in the database: loaded in tree
 * order, saved under its rules (a parent of the shop's, no cycle, at most
 * CATEGORY_DEPTH_MAX levels, no two siblings of one name), deleted once
 * nothing is in it. Changes bump shop.version and are audited, in one
 * transaction; another shop's category is ERR_NOT_FOUND like a missing one.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/shop.h"
#include "domain/category.h"

static const char sql_cats[] =
    "SELECT id, COALESCE(parent_id, 0), name, sort FROM category "
    "WHERE shop_id = ? ORDER BY sort, id";
static const char sql_cats_lock[] =
    "SELECT id, COALESCE(parent_id, 0), name, sort FROM category "
    "WHERE shop_id = ? ORDER BY sort, id FOR UPDATE";
static const char sql_counts[] =
    "SELECT category_id, COUNT(*) FROM product WHERE shop_id = ? "
    "AND category_id IS NOT NULL GROUP BY category_id";
static const char sql_add[] =
    "INSERT INTO category (shop_id, parent_id, name, sort) "
    "VALUES (?, NULLIF(?, 0), ?, ?)";
static const char sql_set[] =
    "UPDATE category SET parent_id = NULLIF(?, 0), name = ?, sort = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_del[] =
    "DELETE FROM category WHERE id = ? AND shop_id = ?";
static const char sql_use[] =
    "SELECT (SELECT COUNT(*) FROM product WHERE shop_id = ? "
    "AND category_id = ?), (SELECT COUNT(*) FROM category "
    "WHERE shop_id = ? AND parent_id = ?)";

struct category *
category_find(const struct category_tree *t, int64_t id)
{
	int	i;

	for (i = 0; id != 0 && i < t->n; i++)
		if (t->v[i].id == id)
			return &t->v[i];
	return NULL;
}

/* A category's path from the top, "饮料 › 散装", in a; NULL: not there. */
char *
category_path(struct arena *a, const struct category_tree *t, int64_t id)
{
	const struct category	*k, *chain[CATEGORY_DEPTH_MAX + 1];
	struct buf		 b;
	char			*out;
	int			 n = 0, i;

	for (k = category_find(t, id); k != NULL && n < CATEGORY_DEPTH_MAX + 1;
	    k = category_find(t, k->parent_id))
		chain[n++] = k;
	if (n == 0)
		return NULL;
	buf_init(&b, 64);
	for (i = n - 1; i >= 0; i--) {
		buf_adds(&b, chain[i]->name);
		if (i > 0)
			buf_adds(&b, " › ");
	}
	out = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return out;
}

static void
visit(struct category_tree *t, int64_t parent, int depth)
{
	struct category	*k;
	int		 i;

	for (i = 0; i < t->n; i++) {
		k = &t->v[i];
		if (k->seen || k->parent_id != parent)
			continue;
		k->seen = 1;
		k->depth = depth;
		t->order[t->norder++] = k;
		visit(t, k->id, depth + 1);
	}
}

static int
counts(struct dctx *c, struct category_tree *t)
{
	struct db_res	*r;
	struct category	*k;
	int		 i;

	if (db_run(c->arena, &r, sql_counts, "i", c->shop->id) == -1)
		return -1;
	for (i = 0; i < r->nrows; i++)
		if ((k = category_find(t, db_cell_i64(r, i, 0))) != NULL)
			k->nproducts = db_cell_i64(r, i, 1);
	return 0;
}

/*
 * The shop's categories, in t->v by sort and in t->order as a tree. An
 * orphan (or a cycle nobody should have made) shows at the top level.
 * flags: CATEGORY_COUNTS, CATEGORY_LOCK. 0 or ERR_INTERNAL.
 */
int
category_tree(struct dctx *c, int flags, struct category_tree *t)
{
	struct db_res	*r;
	struct category	*k;
	int		 i;

	memset(t, 0, sizeof(*t));
	if (db_run(c->arena, &r, flags & CATEGORY_LOCK ? sql_cats_lock :
	    sql_cats, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	t->n = r->nrows;
	t->v = arena_calloc(c->arena, (size_t)t->n + 1, sizeof(*t->v));
	t->order = arena_alloc(c->arena, (size_t)(t->n + 1) *
	    sizeof(*t->order));
	for (i = 0; i < t->n; i++) {
		k = &t->v[i];
		k->id = db_cell_i64(r, i, 0);
		k->parent_id = db_cell_i64(r, i, 1);
		k->name = db_cell(r, i, 2);
		k->sort = db_cell_i64(r, i, 3);
	}
	for (i = 0; i < t->n; i++)
		if ((k = category_find(t, t->v[i].parent_id)) != NULL)
			k->nchildren++;
		else
			t->v[i].parent_id = 0;
	visit(t, 0, 0);
	for (i = 0; i < t->n; i++)
		if (!t->v[i].seen) {
			t->v[i].parent_id = 0;
			visit(t, 0, 0);
		}
	if ((flags & CATEGORY_COUNTS) && counts(c, t) == -1)
		return ERR_INTERNAL;
	return 0;
}

/* Is id ancestor itself or below it? */
int
category_within(const struct category_tree *t, int64_t id, int64_t ancestor)
{
	struct category	*k;
	int		 hops;

	for (hops = 0; id != 0 && hops <= t->n; hops++) {
		if (id == ancestor)
			return 1;
		if ((k = category_find(t, id)) == NULL)
			return 0;
		id = k->parent_id;
	}
	return 0;
}

/* Levels below k, k itself counting 1. */
static int
height(const struct category_tree *t, const struct category *k, int guard)
{
	int	i, h, best = 1;

	if (guard > CATEGORY_DEPTH_MAX + 1)
		return best;
	for (i = 0; i < t->n; i++)
		if (t->v[i].parent_id == k->id &&
		    (h = height(t, &t->v[i], guard + 1) + 1) > best)
			best = h;
	return best;
}

struct save {
	const struct category_input	*in;
	struct field_errors		*fe;
	int64_t				 saved_id;
};

/* The tree's rules, with every category of the shop locked. */
static void
rules(struct dctx *c, struct save *sv, const struct category_tree *t,
    const struct category *self)
{
	const struct category_input	*in = sv->in;
	const struct category		*p = NULL;
	int				 i, levels;

	if (in->parent_id != 0 &&
	    (p = category_find(t, in->parent_id)) == NULL) {
		field_error_add(c->arena, sv->fe, CATEGORY_PARENT, -1,
		    "上级分类不存在");
		return;
	}
	if (self != NULL && p != NULL && category_within(t, p->id, self->id)) {
		field_error_add(c->arena, sv->fe, CATEGORY_PARENT, -1,
		    "不能移到它自己或它的下级分类之下");
		return;
	}
	levels = (p ? p->depth + 1 : 0) + (self ? height(t, self, 0) : 1);
	if (levels > CATEGORY_DEPTH_MAX)
		field_error_add(c->arena, sv->fe, CATEGORY_PARENT, -1,
		    "分类最多 %d 级", CATEGORY_DEPTH_MAX);
	if (strchr(in->name, '/') != NULL)
		field_error_add(c->arena, sv->fe, CATEGORY_NAME, -1,
		    "不能包含 /（导入时用作层级分隔）");
	for (i = 0; i < t->n; i++)
		if (&t->v[i] != self && t->v[i].parent_id == in->parent_id &&
		    strcasecmp(t->v[i].name, in->name) == 0)
			field_error_add(c->arena, sv->fe, CATEGORY_NAME, -1,
			    "同一级下已有同名分类");
	if (self == NULL && t->n >= CATEGORIES_MAX)
		field_error_add(c->arena, sv->fe, CATEGORY_NAME, -1,
		    "最多 %d 个分类", CATEGORIES_MAX);
}

static int
tx_save(struct dctx *c, void *arg)
{
	struct save			*sv = arg;
	const struct category_input	*in = sv->in;
	struct category_tree		 t;
	struct category			*self = NULL;
	struct db_res			*r;

	sv->fe->n = 0;
	sv->saved_id = 0;
	if (category_tree(c, CATEGORY_LOCK, &t) != 0)
		return ERR_INTERNAL;
	if (in->id != 0 && (self = category_find(&t, in->id)) == NULL)
		return ERR_NOT_FOUND;
	rules(c, sv, &t, self);
	if (sv->fe->n > 0)
		return ERR_INVALID;
	if (self == NULL) {
		if (db_run(c->arena, &r, sql_add, "iisi", c->shop->id,
		    in->parent_id, in->name, in->sort) == -1)
			return ERR_INTERNAL;
		sv->saved_id = (int64_t)r->insert_id;
	} else {
		if (db_run(c->arena, NULL, sql_set, "isiii", in->parent_id,
		    in->name, in->sort, in->id, c->shop->id) == -1)
			return ERR_INTERNAL;
		sv->saved_id = in->id;
	}
	if (shop_touch(c, c->shop->id) != 0 || audit(c, "category.save",
	    "category=%" PRId64 " name=%s parent=%" PRId64 "%s", sv->saved_id,
	    in->name, in->parent_id, self ? "" : " new") != 0)
		return ERR_INTERNAL;
	return 0;
}

/*
 * Create (in->id 0) or change a category of c->shop. 0 and *saved_id;
 * ERR_INVALID with fe naming what breaks the rules; ERR_NOT_FOUND;
 * ERR_INTERNAL.
 */
int
category_save(struct dctx *c, const struct category_input *in,
    struct field_errors *fe, int64_t *saved_id)
{
	struct save	sv;
	int		rc;

	memset(&sv, 0, sizeof(sv));
	sv.in = in;
	sv.fe = fe;
	if ((rc = db_tx_run(c, tx_save, &sv)) == 0)
		*saved_id = sv.saved_id;
	return rc;
}

static int
tx_delete(struct dctx *c, void *arg)
{
	int64_t			*id = arg, sid = c->shop->id, nprod, nsub;
	struct category_tree	 t;
	struct category		*k;
	struct db_res		*r;

	if (category_tree(c, CATEGORY_LOCK, &t) != 0)
		return ERR_INTERNAL;
	if ((k = category_find(&t, *id)) == NULL)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_use, "iiii", sid, *id, sid, *id) == -1)
		return ERR_INTERNAL;
	nprod = db_cell_i64(r, 0, 0);
	nsub = db_cell_i64(r, 0, 1);
	if (nprod > 0 || nsub > 0) {
		c->error = arena_printf(c->arena, "分类“%s”下还有 %" PRId64
		    " 个%s，不能删除：请先把它们移到其他分类", k->name,
		    nprod > 0 ? nprod : nsub, nprod > 0 ? "商品" : "下级分类");
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, NULL, sql_del, "ii", *id, sid) == -1 ||
	    shop_touch(c, sid) != 0 || audit(c, "category.delete",
	    "category=%" PRId64 " name=%s", *id, k->name) != 0)
		return ERR_INTERNAL;
	return 0;
}

/*
 * Delete an empty category of c->shop: 0, ERR_NOT_FOUND, ERR_CONFLICT
 * (products or subcategories in it; c->error says which), ERR_INTERNAL.
 */
int
category_delete(struct dctx *c, int64_t id)
{
	return db_tx_run(c, tx_delete, &id);
}
