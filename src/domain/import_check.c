/*
 * import_check.c -- an import's rows checked against the file and the
 * shop, a chunk at a time (import.h): the file's codes keyed by the
 * database's collation and matched with what the import has seen so far
 * (import_attach), the chunk's products and SKUs looked up in the shop
 * (import_lookup), then every row checked column by column, each check
 * adding its own errors (import_check_rows).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/category.h"
#include "domain/import.h"
#include "domain/product.h"
#include "domain/stock.h"
#include "domain/text.h"

#define KEY_BATCH	2000		/* codes per query */
#define SHOWN		30		/* characters of a value in a message */

/*
 * Codes are unique per shop under the columns' collation, which ignores
 * case, width and accents ("AB" = "ａｂ", "café" = "cafe"). The file's
 * codes are keyed by the collation weights the database computes, so two
 * rows name one product exactly when the unique key says so, and are
 * looked up in the shop by the unique key itself: the list of codes
 * first, then the key (STRAIGHT_JOIN: just after a big import the
 * statistics are stale, and a join may be planned as a scan of the shop).
 */
static const char sql_keys[] =
    "SELECT j.n, HEX(WEIGHT_STRING(j.c COLLATE utf8mb4_unicode_ci)) "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
    "c VARCHAR(64) PATH '$')) j";
static const char sql_find_products[] =
    "SELECT j.n, p.id, p.unit FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "n FOR ORDINALITY, c VARCHAR(64) PATH '$')) j STRAIGHT_JOIN product p "
    "ON p.shop_id = ? AND p.code = j.c COLLATE utf8mb4_unicode_ci";
static const char sql_find_products_desc[] =
    "SELECT j.n, p.id, p.unit, p.description FROM JSON_TABLE(?, '$[*]' "
    "COLUMNS (n FOR ORDINALITY, c VARCHAR(64) PATH '$')) j "
    "STRAIGHT_JOIN product p "
    "ON p.shop_id = ? AND p.code = j.c COLLATE utf8mb4_unicode_ci";
static const char sql_find_skus[] =
    "SELECT j.n, s.id, s.product_id, p.code FROM JSON_TABLE(?, '$[*]' "
    "COLUMNS (n FOR ORDINALITY, c VARCHAR(64) PATH '$')) j "
    "STRAIGHT_JOIN sku s "
    "ON s.shop_id = ? AND s.code = j.c COLLATE utf8mb4_unicode_ci "
    "STRAIGHT_JOIN product p ON p.id = s.product_id";
static const char sql_categories[] =
    "SELECT id, parent_id, name FROM category WHERE shop_id = ? ORDER BY id";

/*
 * The shop's categories, loaded once per import.
 */

static struct icat *
cat_find(struct imp *im, struct icat *parent, const char *name)
{
	return strmap_get(&im->cat_map, arena_printf(im->arena, "%d/%s",
	    parent ? parent->seq : 0, name));
}

static void
cat_add(struct imp *im, struct icat *ct)
{
	ct->seq = ++im->ncats;
	strmap_put(&im->cat_map, arena_printf(im->keep, "%d/%s",
	    ct->parent ? ct->parent->seq : 0, ct->name), ct);
}

/* Parents before children, whatever the ids say; of same-named siblings
 * the oldest is the one a path names. 0 or ERR_INTERNAL. */
int
import_load(struct dctx *c, struct imp *im)
{
	struct db_res	*r;
	struct strmap	 by_id;
	struct icat	*cats, *ct;
	const char	*pid;
	int		 i, progress;

	memset(&by_id, 0, sizeof(by_id));
	if (db_run(c->arena, &r, sql_categories, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	cats = arena_calloc(im->keep, r->nrows + 1, sizeof(*cats));
	for (i = 0; i < r->nrows; i++) {
		cats[i].id = db_cell_i64(r, i, 0);
		cats[i].name = arena_strdup(im->keep, db_cell(r, i, 2));
		strmap_put(&by_id, db_cell(r, i, 0), &cats[i]);
	}
	do {
		progress = 0;
		for (i = 0; i < r->nrows; i++) {
			ct = &cats[i];
			if (ct->seq != 0)
				continue;
			pid = db_cell(r, i, 1);
			ct->parent = pid ? strmap_get(&by_id, pid) : NULL;
			if (pid != NULL && (ct->parent == NULL ||
			    ct->parent->seq == 0))
				continue;
			if (cat_find(im, ct->parent, ct->name) == NULL)
				cat_add(im, ct);
			else
				ct->seq = -1;
			progress = 1;
		}
	} while (progress);
	strmap_free(&by_id);
	return 0;
}

/*
 * Queries over a list of codes, KEY_BATCH at a time: sql takes the list
 * as a JSON array (and the shop, if shop), and returns the ordinality of
 * the code in its first column; fn gets the code's index and the row.
 */
typedef void	(*found_fn)(void *, int, const struct db_res *, int);

static int
per_code(struct dctx *c, const char *sql, int shop, const char **codes,
    int n, found_fn fn, void *arg)
{
	struct db_res	*r;
	struct buf	 b;
	int64_t		 k;
	int		 from, i, rc = 0;

	buf_init(&b, 64 * 1024);
	for (from = 0; from < n && rc == 0; from += KEY_BATCH) {
		b.len = 0;
		buf_addc(&b, '[');
		for (i = from; i < n && i < from + KEY_BATCH; i++) {
			if (i > from)
				buf_addc(&b, ',');
			text_json(&b, codes[i]);
		}
		buf_addc(&b, ']');
		if ((shop ? db_run(c->arena, &r, sql, "si", buf_cstr(&b),
		    c->shop->id) : db_run(c->arena, &r, sql, "s",
		    buf_cstr(&b))) == -1) {
			rc = -1;
			break;
		}
		for (i = 0; i < r->nrows; i++) {
			k = db_cell_i64(r, i, 0);
			if (k >= 1 && k <= KEY_BATCH && from + k - 1 < n)
				fn(arg, (int)(from + k - 1), r, i);
		}
	}
	buf_free(&b);
	return rc;
}

/*
 * Collation keys of the chunk's codes.
 */

static void
got_key(void *arg, int i, const struct db_res *r, int row)
{
	const char	***dst = arg;

	*dst[i] = db_cell(r, row, 1);
}

static int
code_keys(struct dctx *c, struct imp *im)
{
	const char	***dst, **codes;
	struct row	 *rw;
	int		  n = 0, which;

	codes = arena_alloc(im->arena, 2 * im->nrows * sizeof(*codes) + 1);
	dst = arena_alloc(im->arena, 2 * im->nrows * sizeof(*dst) + 1);
	for (rw = im->rows; rw != NULL; rw = rw->next)
		for (which = 0; which < 2; which++) {
			const char *code = rw->v[which ? C_SKU_CODE :
			    C_PRODUCT_CODE];

			if (product_code_problem(code, PRODUCT_CODE_MAX) !=
			    NULL)
				continue;
			codes[n] = code;
			dst[n++] = which ? &rw->skey : &rw->pkey;
		}
	return per_code(c, sql_keys, 0, codes, n, got_key, dst);
}

/*
 * Attaching the chunk's rows to the import's products and SKU codes.
 */

static void
attach_product(struct imp *im, struct row *rw)
{
	const char	*why;
	struct prod	*p;

	if ((why = product_code_problem(rw->v[C_PRODUCT_CODE],
	    PRODUCT_CODE_MAX)) != NULL ||
	    (why = rw->pkey ? NULL : "无法与已有编码比较") != NULL) {
		import_error(im, rw->line, C_PRODUCT_CODE, "%s", why);
		return;
	}
	if ((p = strmap_get(&im->prod_map, rw->pkey)) == NULL) {
		p = arena_calloc(im->keep, 1, sizeof(*p));
		p->code = arena_strdup(im->keep, rw->v[C_PRODUCT_CODE]);
		strmap_put(&im->prod_map, arena_strdup(im->keep, rw->pkey), p);
	}
	if (p->chunk != im->nchunk) {
		p->chunk = im->nchunk;
		p->first = NULL;
		p->cnext = im->cprods;
		im->cprods = p;
	}
	if (p->line == 0)
		p->line = rw->line;
	if (p->line == rw->line) {
		p->first = rw;
		p->next = NULL;
		*im->prods_tail = p;
		im->prods_tail = &p->next;
	}
	rw->prod = p;
	rw->sort = p->nskus++;
}

/* A SKU code is in one row of the file; the map keeps which. */
static void
attach_sku(struct imp *im, struct row *rw)
{
	const char	*why;
	intptr_t	 line;

	if ((why = product_code_problem(rw->v[C_SKU_CODE],
	    PRODUCT_CODE_MAX)) != NULL ||
	    (why = rw->skey ? NULL : "无法与已有编码比较") != NULL) {
		import_error(im, rw->line, C_SKU_CODE, "%s", why);
		return;
	}
	line = (intptr_t)strmap_get(&im->sku_map, rw->skey);
	if (line == 0)
		strmap_put(&im->sku_map, arena_strdup(im->keep, rw->skey),
		    (void *)(intptr_t)rw->line);
	else if (line != rw->line) {
		import_error(im, rw->line, C_SKU_CODE, "“%s”与第 %d 行重复",
		    rw->v[C_SKU_CODE], (int)line);
		return;
	}
	rw->sku_ok = 1;
}

/*
 * Key the chunk's codes and attach its rows to the import's products
 * (made on first sight) and SKU codes; errors for bad or repeated codes.
 * 0 or ERR_INTERNAL.
 */
int
import_attach(struct dctx *c, struct imp *im)
{
	struct row	*rw;

	if (code_keys(c, im) == -1)
		return ERR_INTERNAL;
	for (rw = im->rows; rw != NULL; rw = rw->next) {
		attach_product(im, rw);
		attach_sku(im, rw);
	}
	return 0;
}

/* Units are few: one copy of each for the whole import. */
static const char *
intern(struct imp *im, const char *s)
{
	char	*copy;

	if (s == NULL)
		return NULL;
	if ((copy = strmap_get(&im->units, s)) == NULL) {
		copy = arena_strdup(im->keep, s);
		strmap_put(&im->units, copy, copy);
	}
	return copy;
}

/*
 * Looking the chunk's products and SKUs up in the shop: everything found
 * is set again each time, so a transaction that runs again finds what it
 * should.
 */

struct found {
	struct imp	*im;
	struct prod	**prods;
	struct row	**rows;
	int		 created;	/* just written: ids only */
};

static void
got_product(void *arg, int i, const struct db_res *r, int row)
{
	struct found	*f = arg;
	struct prod	*p = f->prods[i];

	p->id = db_cell_i64(r, row, 1);
	if (f->created || p->first == NULL)
		return;
	p->old_unit = intern(f->im, db_cell(r, row, 2));
	if (r->ncols > 3)
		p->old_desc = db_cell(r, row, 3);
}

static void
got_sku(void *arg, int i, const struct db_res *r, int row)
{
	struct found	*f = arg;
	struct row	*rw = f->rows[i];

	rw->sku_id = db_cell_i64(r, row, 1);
	if (f->created)
		return;
	rw->sku_pid = db_cell_i64(r, row, 2);
	rw->sku_pcode = db_cell(r, row, 3);
}

/* The chunk's products: all of them, or those just created. */
static int
find_products(struct dctx *c, struct imp *im, struct found *f)
{
	const char	**codes;
	struct prod	 *p;
	int		  n = 0;

	codes = arena_alloc(im->arena, (im->nrows + 1) * sizeof(*codes));
	f->prods = arena_alloc(im->arena, (im->nrows + 1) * sizeof(*f->prods));
	for (p = f->created ? im->prods : im->cprods; p != NULL;
	    p = f->created ? p->next : p->cnext) {
		if (f->created && p->id != 0)
			continue;
		if (!f->created) {
			p->id = 0;
			if (p->first != NULL)
				p->old_unit = p->old_desc = NULL;
		}
		codes[n] = p->code;
		f->prods[n++] = p;
	}
	return per_code(c, im->col[C_DESCRIPTION] != -1 && !f->created ?
	    sql_find_products_desc : sql_find_products, 1, codes, n,
	    got_product, f);
}

static int
find_skus(struct dctx *c, struct imp *im, struct found *f)
{
	const char	**codes;
	struct row	 *rw;
	int		  n = 0;

	codes = arena_alloc(im->arena, (im->nrows + 1) * sizeof(*codes));
	f->rows = arena_alloc(im->arena, (im->nrows + 1) * sizeof(*f->rows));
	for (rw = im->rows; rw != NULL; rw = rw->next) {
		if (!rw->sku_ok || (f->created && rw->sku_id != 0))
			continue;
		if (!f->created) {
			rw->sku_id = rw->sku_pid = 0;
			rw->sku_pcode = NULL;
		}
		codes[n] = rw->v[C_SKU_CODE];
		f->rows[n++] = rw;
	}
	return per_code(c, sql_find_skus, 1, codes, n, got_sku, f);
}

/*
 * Look the chunk's products and SKUs up in the shop; after writing them,
 * with LOOK_NEW_PRODUCTS or LOOK_NEW_SKUS, only the ids of those just
 * created. 0 or ERR_INTERNAL.
 */
int
import_lookup(struct dctx *c, struct imp *im, int created)
{
	struct found	f;

	memset(&f, 0, sizeof(f));
	f.im = im;
	f.created = created & LOOK_NEW_PRODUCTS;
	if ((created == 0 || f.created) && find_products(c, im, &f) == -1)
		return ERR_INTERNAL;
	f.created = created & LOOK_NEW_SKUS;
	if ((created == 0 || f.created) && find_skus(c, im, &f) == -1)
		return ERR_INTERNAL;
	return 0;
}

/*
 * Checking one row, column by column. Each check adds its own errors.
 */

/* A text cell: at most max characters, on one line unless multiline. */
static int
check_text(struct imp *im, struct row *rw, int col, int max, int multiline)
{
	const char	*s = rw->v[col];

	if ((import_columns[col].flags & COL_REQUIRED) && *s == '\0') {
		import_error(im, rw->line, col, "不能为空");
		return -1;
	}
	if (text_has_control(s, multiline)) {
		import_error(im, rw->line, col, multiline ? "含有控制字符" :
		    "不能包含换行或控制字符");
		return -1;
	}
	if (utf8_len(s) > (size_t)max) {
		import_error(im, rw->line, col, "最多 %d 个字符，这里有 %zu 个",
		    max, utf8_len(s));
		return -1;
	}
	return 0;
}

static void
check_int(struct imp *im, struct row *rw, int col, int64_t min,
    int64_t dflt)
{
	const char	*s = rw->v[col], *err;

	rw->num[col] = dflt;
	if (s == NULL || *s == '\0')
		return;
	if (parse_i64(s, min, INT32_MAX, &rw->num[col], &err) == -1)
		import_error(im, rw->line, col, "应为 %" PRId64 " 到 %d 的整数，"
		    "不是“%s”", min, INT32_MAX, text_shown(im->arena, s,
		    SHOWN));
}

/* 整箱销售: 是/否, 1/0; empty: no. */
static void
check_pack_only(struct imp *im, struct row *rw)
{
	const char	*s = rw->v[C_PACK_ONLY];

	rw->num[C_PACK_ONLY] = 0;
	if (s == NULL || *s == '\0' || strcmp(s, "0") == 0 ||
	    strcmp(s, "否") == 0)
		return;
	if (strcmp(s, "1") == 0 || strcmp(s, "是") == 0)
		rw->num[C_PACK_ONLY] = 1;
	else
		import_error(im, rw->line, C_PACK_ONLY, "应为 是（1，只卖整箱）"
		    "或 否（0），不是“%s”", text_shown(im->arena, s, SHOWN));
}

static int
check_money(struct imp *im, struct row *rw, int col)
{
	const char	*err;

	if (parse_yuan(rw->v[col], &rw->num[col], &err) == -1) {
		import_error(im, rw->line, col, "%s：“%s”（应为元，如 12.50）",
		    err, text_shown(im->arena, rw->v[col], SHOWN));
		return -1;
	}
	return 0;
}

/* "10:11.50;50:10.00" (tiers.c). */
static void
check_tiers(struct imp *im, struct row *rw)
{
	const char	*why;
	int		 n;

	if (*rw->v[C_TIERS] == '\0')
		return;
	rw->tiers = arena_alloc(im->arena, PRODUCT_TIERS_MAX *
	    sizeof(*rw->tiers));
	if ((n = tiers_parse(im->arena, rw->v[C_TIERS], rw->tiers, &why)) ==
	    -1)
		import_error(im, rw->line, C_TIERS, "%s", why);
	else
		rw->ntiers = n;
}

/* "ordering,retail" in any order; empty: all; "none": none. */
static void
check_visible(struct imp *im, struct row *rw)
{
	static const char *modes[] = { "ordering", "wholesale", "retail" };
	char		*s, *w, *next;
	int		 seen = 0, i;

	s = arena_strdup(im->arena, rw->v[C_VISIBLE]);
	text_replace(s, "，", ',');
	if (*s == '\0') {
		rw->pv[C_VISIBLE] = VISIBLE_ALL;
		return;
	}
	if (strcmp(s, "none") == 0) {
		rw->pv[C_VISIBLE] = "";
		return;
	}
	for (w = s; w != NULL; w = next) {
		if ((next = strchr(w, ',')) != NULL)
			*next++ = '\0';
		w = text_trim(im->arena, w, " \t");
		for (i = 0; i < 3 && strcmp(w, modes[i]) != 0; i++)
			;
		if (i == 3) {
			import_error(im, rw->line, C_VISIBLE, "“%s”不是 ordering、"
			    "wholesale、retail 之一（全不显示写 none）",
			    text_shown(im->arena, w, SHOWN));
			return;
		}
		seen |= 1 << i;
	}
	rw->pv[C_VISIBLE] = arena_printf(im->arena, "%s%s%s%s%s",
	    seen & 1 ? "ordering" : "", (seen & 1) && (seen & 6) ? "," : "",
	    seen & 2 ? "wholesale" : "", (seen & 2) && (seen & 4) ? "," : "",
	    seen & 4 ? "retail" : "");
}

/* "饮料/茶/绿茶": the leaf, with placeholders for the missing levels. */
static void
check_category(struct imp *im, struct row *rw)
{
	char		*s = arena_strdup(im->arena, rw->v[C_CATEGORY]), *seg;
	char		*next;
	const char	*why = NULL, *path = "";
	struct icat	*parent = NULL, *ct;
	int		 depth = 0;

	if (*s != '\0' && check_text(im, rw, C_CATEGORY, 1000, 0) == -1)
		return;
	for (seg = s; *s != '\0' && seg != NULL; seg = next) {
		if ((next = strchr(seg, '/')) != NULL)
			*next++ = '\0';
		seg = text_trim(im->arena, seg, " \t");
		if (*seg == '\0')
			why = "路径中有空的分类名（如 a//b）";
		else if (utf8_len(seg) > CATEGORY_NAME_MAX)
			why = "分类名最多 60 个字符";
		else if (++depth > CATEGORY_DEPTH_MAX)
			why = "分类最多 10 级";	/* CATEGORY_DEPTH_MAX */
		if (why != NULL) {
			import_error(im, rw->line, C_CATEGORY, "%s", why);
			return;
		}
		if ((ct = cat_find(im, parent, seg)) == NULL) {
			ct = arena_calloc(im->keep, 1, sizeof(*ct));
			ct->parent = parent;
			ct->name = arena_strdup(im->keep, seg);
			cat_add(im, ct);
			*im->new_tail = ct;
			im->new_tail = &ct->next_new;
		}
		path = *path ? arena_printf(im->arena, "%s/%s", path, seg) :
		    seg;
		parent = ct;
	}
	rw->cat = parent;
	rw->pv[C_CATEGORY] = path;
}

/* Product-level values, normalized into rw->pv to compare rows. */
static void
check_product_columns(struct imp *im, struct row *rw)
{
	const char	*s;

	if (check_text(im, rw, C_PRODUCT_NAME, 200, 0) == 0)
		rw->pv[C_PRODUCT_NAME] = rw->v[C_PRODUCT_NAME];
	if (rw->v[C_CATEGORY] != NULL)
		check_category(im, rw);
	if ((s = rw->v[C_UNIT]) != NULL && check_text(im, rw, C_UNIT, 10,
	    0) == 0)
		rw->pv[C_UNIT] = *s ? s : UNIT_DEFAULT;
	rw->on_shelf = 1;
	if ((s = rw->v[C_ON_SHELF]) != NULL) {
		if (*s != '\0' && strcmp(s, "1") != 0 && strcmp(s, "0") != 0)
			import_error(im, rw->line, C_ON_SHELF, "应为 1（上架）或 "
			    "0（下架），不是“%s”", text_shown(im->arena, s,
			    SHOWN));
		else {
			rw->on_shelf = *s != '0';
			rw->pv[C_ON_SHELF] = rw->on_shelf ? "1" : "0";
		}
	}
	if (rw->v[C_VISIBLE] != NULL)
		check_visible(im, rw);
	if (rw->v[C_DESCRIPTION] != NULL && check_text(im, rw, C_DESCRIPTION,
	    DESC_MAX, 1) == 0)
		rw->pv[C_DESCRIPTION] = desc_html(im->arena,
		    rw->v[C_DESCRIPTION]);
}

/*
 * A product's later rows, maybe chunks later, must agree with its first
 * in the product-level columns. The import keeps 64-bit hashes of the
 * first row's values, not the values (names, descriptions) of every
 * product: two values that differ and hash alike (odds of 1 in 2^64)
 * would go unnoticed, and the first row's be written.
 */
static uint64_t
value_hash(const char *s)
{
	uint64_t	h = 14695981039346656037ULL;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h != 0 ? h : 1;
}

static void
check_agrees(struct imp *im, struct row *rw)
{
	struct prod	*p = rw->prod;
	int		 k, slot;

	for (k = slot = 0; k < NCOL && slot < NPCOL; k++) {
		if (!(import_columns[k].flags & COL_PRODUCT))
			continue;
		if (rw->pv[k] != NULL && p->pvh[slot] != 0 &&
		    value_hash(rw->pv[k]) != p->pvh[slot])
			import_error(im, rw->line, k, "同一 product_code 的各行"
			    "应相同，与第 %d 行不同", p->line);
		slot++;
	}
}

/*
 * A description that reads the same as the stored one keeps the stored
 * HTML, which the admin's editor may have formatted: exporting and
 * importing again must change nothing.
 */
static void
keep_description(struct imp *im, struct prod *p)
{
	const char	*now = p->first->pv[C_DESCRIPTION];

	p->desc = now;
	if (now == NULL || p->old_desc == NULL ||
	    strcmp(now, p->old_desc) == 0)
		return;
	if (strcmp(now, desc_html(im->arena, desc_text(im->arena,
	    p->old_desc))) == 0)
		p->desc = p->old_desc;
}

/* A product's first row: what its later rows, in any chunk, must agree
 * with, and what its SKUs are written with, kept for the whole import. */
static void
first_row(struct imp *im, struct prod *p, struct row *rw)
{
	int	k, slot;

	keep_description(im, p);
	if (p->kept)			/* on the first pass */
		return;
	for (k = slot = 0; k < NCOL && slot < NPCOL; k++)
		if (import_columns[k].flags & COL_PRODUCT)
			p->pvh[slot++] = rw->pv[k] ? value_hash(rw->pv[k]) : 0;
	p->unit = intern(im, rw->pv[C_UNIT]);
	p->kept = 1;
}

/* A SKU the shop has under another product stays there. */
static void
check_owner(struct imp *im, struct row *rw)
{
	if (!rw->sku_ok || rw->sku_id == 0 || rw->prod == NULL ||
	    rw->sku_pid == rw->prod->id)
		return;
	import_error(im, rw->line, C_SKU_CODE, "“%s”已属于商品 %s，不能改到"
	    "商品 %s 下", rw->v[C_SKU_CODE], rw->sku_pcode ? rw->sku_pcode :
	    "?", rw->v[C_PRODUCT_CODE]);
}

static void
check_row(struct imp *im, struct row *rw)
{
	const char	*why;

	check_product_columns(im, rw);
	if (rw->prod != NULL && rw->prod->first == rw)
		first_row(im, rw->prod, rw);
	else if (rw->prod != NULL)
		check_agrees(im, rw);
	check_owner(im, rw);
	if (rw->v[C_BARCODE] != NULL && *rw->v[C_BARCODE] != '\0' &&
	    (why = product_code_problem(rw->v[C_BARCODE],
	    PRODUCT_BARCODE_MAX)) != NULL)
		import_error(im, rw->line, C_BARCODE, "%s", why);
	if (rw->v[C_SPEC] != NULL)
		check_text(im, rw, C_SPEC, 200, 0);
	check_int(im, rw, C_PACK_SIZE, 1, 1);
	check_int(im, rw, C_MIN_QTY, 1, 1);
	check_pack_only(im, rw);
	check_int(im, rw, C_STOCK, 0, 0);
	/* What stock_set() takes: the stock is written as a movement. */
	if (rw->num[C_STOCK] > STOCK_MAX)
		import_error(im, rw->line, C_STOCK, "应为 0 到 %d 的整数",
		    STOCK_MAX);
	check_int(im, rw, C_WEIGHT_G, 0, 0);
	if (*rw->v[C_PRICE] == '\0')
		import_error(im, rw->line, C_PRICE, "不能为空");
	else
		check_money(im, rw, C_PRICE);
	if (rw->v[C_RETAIL_PRICE] != NULL && *rw->v[C_RETAIL_PRICE] != '\0')
		rw->has_retail = check_money(im, rw, C_RETAIL_PRICE) == 0;
	if (rw->v[C_TIERS] != NULL)
		check_tiers(im, rw);
}

/* Check every row of the chunk, after import_attach and import_lookup;
 * what is wrong goes to im's errors. */
void
import_check_rows(struct imp *im)
{
	struct row	*rw;

	for (rw = im->rows; rw != NULL; rw = rw->next)
		check_row(im, rw);
}
