/*
 * import.c -- products, SKUs and price tiers from and to CSV (docs/csv.md).
 * An import is all or nothing: the whole file is read, every row checked
 * against the file and the shop's catalog (loaded once), and only then one
 * transaction writes it all in batches. No HTTP here; the caller owns the
 * report and frees it with import_report_free(). The `import` and `export`
 * commands are at the end.
 */
#include "dinghuo.h"

#define IMPORT_ROWS_MAX	50000
#define BATCH_ROWS	500		/* rows per INSERT ... SELECT */
#define BATCH_BYTES	(1024 * 1024)	/* well under max_allowed_packet */
#define KEY_BATCH	2000		/* codes per collation-key query */
#define TIERS_MAX	20
#define CAT_DEPTH_MAX	10
#define DESC_MAX	20000		/* characters of plain text */
#define INT_COL_MAX	2147483647	/* an INT column */
/*
 * Imports and exports work in an arena of their own, in big chunks that
 * malloc maps and unmaps: tens of megabytes for a big file go back to the
 * system at the end, not to a worker's heap.
 */
#define BIG_CHUNK	(1024 * 1024)
#define VISIBLE_ALL	"ordering,wholesale,retail"
#define UNIT_DEFAULT	"件"

enum col { C_CATEGORY, C_PRODUCT_CODE, C_PRODUCT_NAME, C_UNIT, C_SKU_CODE,
	C_BARCODE, C_SPEC, C_PACK_SIZE, C_MIN_QTY, C_STOCK, C_WEIGHT_G,
	C_PRICE, C_RETAIL_PRICE, C_TIERS, C_ON_SHELF, C_VISIBLE,
	C_DESCRIPTION, NCOL };

#define COL_REQUIRED	0x01
#define COL_PRODUCT	0x02	/* one value per product: rows must agree */
#define COL_TEXT	0x04	/* free text: formula guard in the file */

static const struct column {
	const char	*name;
	int		 flags;
} columns[NCOL] = {
	[C_CATEGORY] =		{ "category", COL_PRODUCT | COL_TEXT },
	[C_PRODUCT_CODE] =	{ "product_code", COL_REQUIRED | COL_TEXT },
	[C_PRODUCT_NAME] =	{ "product_name",
				  COL_REQUIRED | COL_PRODUCT | COL_TEXT },
	[C_UNIT] =		{ "unit", COL_PRODUCT | COL_TEXT },
	[C_SKU_CODE] =		{ "sku_code", COL_REQUIRED | COL_TEXT },
	[C_BARCODE] =		{ "barcode", COL_TEXT },
	[C_SPEC] =		{ "spec", COL_TEXT },
	[C_PACK_SIZE] =		{ "pack_size", 0 },
	[C_MIN_QTY] =		{ "min_qty", 0 },
	[C_STOCK] =		{ "stock", 0 },
	[C_WEIGHT_G] =		{ "weight_g", 0 },
	[C_PRICE] =		{ "price", COL_REQUIRED },
	[C_RETAIL_PRICE] =	{ "retail_price", 0 },
	[C_TIERS] =		{ "tiers", 0 },
	[C_ON_SHELF] =		{ "on_shelf", COL_PRODUCT },
	[C_VISIBLE] =		{ "visible", COL_PRODUCT },
	[C_DESCRIPTION] =	{ "description", COL_PRODUCT | COL_TEXT },
};

/* Open addressing, string keys the caller keeps alive. */
struct map {
	const char	**key;
	void		**val;
	size_t		 cap;
	size_t		 n;
};

struct cat {
	int64_t		 id;		/* 0: created by this import */
	int		 seq;		/* map key part; 0 is the root */
	struct cat	*parent;
	const char	*name;
	struct cat	*next_new;
};

struct prod {
	int64_t		 id;		/* 0: new */
	const char	*code;		/* as stored or first written */
	const char	*old_unit;	/* stored unit, NULL: new */
	const char	*old_desc;	/* stored HTML, if the file has any */
	const char	*desc;		/* HTML to store */
	struct row	*first;		/* its first row; NULL: not in file */
	int		 nskus;		/* its rows so far: the next sort */
	struct prod	*next;		/* the file's products, in order */
};

struct sku {
	int64_t		 id;		/* 0: new */
	struct prod	*prod;
	struct row	*row;		/* NULL: not in the file */
};

struct row {
	int		 line;
	const char	*v[NCOL];	/* trimmed, unguarded; NULL: absent */
	const char	*pv[NCOL];	/* product-level values as compared */
	const char	*pkey;		/* collation keys of the two codes */
	const char	*skey;
	struct prod	*prod;
	struct sku	*sku;
	struct cat	*cat;
	int		 sku_new;
	int		 tiers_same;	/* as stored: nothing to write */
	int		 sort;
	int		 on_shelf;
	int64_t		 num[NCOL];	/* integer and money columns */
	int		 has_retail;
	struct price_tier *tiers;
	int		 ntiers;
	struct row	*next;
};

struct ierr {
	int		 line;
	int		 seq;
	char		*text;
};

struct imp {
	struct arena		*arena;
	const char		*data;
	size_t			 len;
	struct import_report	*rep;
	int			 col[NCOL];	/* field index, -1: absent */
	int			 nhead;
	int			 header_bad;
	int			 too_many;
	struct row		*rows, **rows_tail;
	struct prod		*prods, **prods_tail;
	struct map		 prod_map;	/* code key -> struct prod */
	struct map		 sku_map;	/* code key -> struct sku */
	struct map		 cat_map;	/* "parent seq/name" -> cat */
	struct cat		*new_cats, **new_tail;
	int			 ncats;
	struct ierr		*errs;
	int			 nerrs;
	int			 caperrs;
};

/*
 * Codes are unique per shop under the columns' collation, which ignores
 * case, width and accents ("AB" = "ａｂ", "café" = "cafe"). Maps are keyed
 * by the collation weights the database computes, for its codes and the
 * file's alike, so they agree with the unique keys exactly. No joins: just
 * after a big import the statistics are stale, and a join may be planned
 * as a nested scan of the whole shop.
 */
static const char sql_lock[] = "SELECT id FROM shop WHERE id = ? FOR UPDATE";
static const char sql_products[] =
    "SELECT id, code, unit, HEX(WEIGHT_STRING(code)) FROM product "
    "WHERE shop_id = ?";
static const char sql_products_desc[] =
    "SELECT id, code, unit, HEX(WEIGHT_STRING(code)), description "
    "FROM product WHERE shop_id = ?";
static const char sql_skus[] =
    "SELECT id, HEX(WEIGHT_STRING(code)), product_id FROM sku "
    "WHERE shop_id = ?";
static const char sql_keys[] =
    "SELECT j.n, HEX(WEIGHT_STRING(j.c COLLATE utf8mb4_unicode_ci)) "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
    "c VARCHAR(64) PATH '$')) j";
static const char sql_categories[] =
    "SELECT id, parent_id, name FROM category WHERE shop_id = ? ORDER BY id";
static const char sql_cat_add_root[] =
    "INSERT INTO category (shop_id, parent_id, name) VALUES (?, NULL, ?)";
static const char sql_cat_add[] =
    "INSERT INTO category (shop_id, parent_id, name) VALUES (?, ?, ?)";

/*
 * Writes go in batches: one JSON array of rows bound to one parameter and
 * read back by JSON_TABLE, so a fixed statement takes any number of rows
 * (db_run binds a fixed argument list). A column the file does not have
 * is left as it is on update: its IF(?, ...) flag is 0. A SKU's own unit
 * follows its product's unit unless someone set it apart.
 */
static const char sql_product_upsert[] =
    "INSERT INTO product (shop_id, category_id, code, name, unit, "
    "description, on_shelf, visible) "
    "SELECT ?, j.cat, j.code, j.name, j.unit, j.descr, j.on_shelf, "
    "j.visible FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "cat BIGINT UNSIGNED PATH '$[0]', code VARCHAR(64) PATH '$[1]', "
    "name VARCHAR(200) PATH '$[2]', unit VARCHAR(10) PATH '$[3]', "
    "descr MEDIUMTEXT PATH '$[4]', on_shelf INT PATH '$[5]', "
    "visible VARCHAR(40) PATH '$[6]')) j "
    "ON DUPLICATE KEY UPDATE product.code = VALUES(code), "
    "product.name = VALUES(name), "
    "product.category_id = IF(?, VALUES(category_id), product.category_id), "
    "product.unit = IF(?, VALUES(unit), product.unit), "
    "product.description = IF(?, VALUES(description), product.description), "
    "product.on_shelf = IF(?, VALUES(on_shelf), product.on_shelf), "
    "product.visible = IF(?, VALUES(visible), product.visible)";
static const char sql_sku_upsert[] =
    "INSERT INTO sku (shop_id, product_id, code, barcode, spec, unit, "
    "pack_size, min_qty, stock, weight_g, price_fen, retail_price_fen, sort) "
    "SELECT ?, j.pid, j.code, j.barcode, j.spec, j.unit, j.pack, j.minq, "
    "j.stock, j.weight, j.price, j.retail, j.sort "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "pid BIGINT UNSIGNED PATH '$[0]', code VARCHAR(64) PATH '$[1]', "
    "barcode VARCHAR(32) PATH '$[2]', spec VARCHAR(200) PATH '$[3]', "
    "unit VARCHAR(10) PATH '$[4]', pack INT PATH '$[5]', "
    "minq INT PATH '$[6]', stock INT PATH '$[7]', weight INT PATH '$[8]', "
    "price BIGINT PATH '$[9]', retail BIGINT PATH '$[10]', "
    "sort INT PATH '$[11]', ounit VARCHAR(10) PATH '$[12]')) j "
    "ON DUPLICATE KEY UPDATE sku.code = VALUES(code), "
    "sku.barcode = IF(?, VALUES(barcode), sku.barcode), "
    "sku.spec = IF(?, VALUES(spec), sku.spec), "
    "sku.unit = IF(? AND sku.unit = j.ounit, VALUES(unit), sku.unit), "
    "sku.pack_size = IF(?, VALUES(pack_size), sku.pack_size), "
    "sku.min_qty = IF(?, VALUES(min_qty), sku.min_qty), "
    "sku.stock = IF(?, VALUES(stock), sku.stock), "
    "sku.weight_g = IF(?, VALUES(weight_g), sku.weight_g), "
    "sku.price_fen = VALUES(price_fen), "
    "sku.retail_price_fen = IF(?, VALUES(retail_price_fen), "
    "sku.retail_price_fen), sku.sort = VALUES(sort)";
/* A join from the list, not IN (SELECT ...), which scans price_tier. */
static const char sql_tiers_clear[] =
    "DELETE t FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "id BIGINT UNSIGNED PATH '$')) j STRAIGHT_JOIN price_tier t "
    "ON t.sku_id = j.id WHERE t.shop_id = ?";
static const char sql_tiers_add[] =
    "INSERT INTO price_tier (shop_id, sku_id, min_qty, price_fen) "
    "SELECT ?, j.sku, j.qty, j.price FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "sku BIGINT UNSIGNED PATH '$[0]', qty INT PATH '$[1]', "
    "price BIGINT PATH '$[2]')) j";

/*
 * Small helpers: the string map, text checks.
 */

static size_t
hash_str(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void *
map_get(const struct map *m, const char *key)
{
	size_t	i;

	if (m->cap == 0)
		return NULL;
	for (i = hash_str(key) & (m->cap - 1); m->key[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		if (strcmp(m->key[i], key) == 0)
			return m->val[i];
	return NULL;
}

static void map_put(struct map *, const char *, void *);

static void
map_grow(struct map *m)
{
	struct map	old = *m;
	size_t		i;

	m->cap = old.cap ? old.cap * 2 : 1024;
	m->key = xcalloc(m->cap, sizeof(*m->key));
	m->val = xcalloc(m->cap, sizeof(*m->val));
	m->n = 0;
	for (i = 0; i < old.cap; i++)
		if (old.key[i] != NULL)
			map_put(m, old.key[i], old.val[i]);
	free(old.key);
	free(old.val);
}

/* Add key, which is not in m yet. */
static void
map_put(struct map *m, const char *key, void *val)
{
	size_t	i;

	if ((m->n + 1) * 2 > m->cap)
		map_grow(m);
	for (i = hash_str(key) & (m->cap - 1); m->key[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		;
	m->key[i] = key;
	m->val[i] = val;
	m->n++;
}

static void
map_free(struct map *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

static int
nchars(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int
has_control(const char *s, int multiline)
{
	unsigned char	c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (multiline && (c == '\n' || c == '\r' || c == '\t'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return 1;
	}
	return 0;
}

static char *
trim(struct arena *a, const char *s, const char *ws)
{
	size_t	n;

	s += strspn(s, ws);
	n = strlen(s);
	while (n > 0 && strchr(ws, s[n - 1]) != NULL)
		n--;
	return arena_strndup(a, s, n);
}

/* A user's value in a message: at most 30 characters. */
static const char *
shown(struct arena *a, const char *s)
{
	const char	*p = s;
	int		 n = 0;

	while (*p != '\0' && n < 30) {
		p++;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		n++;
	}
	if (*p == '\0')
		return s;
	return arena_printf(a, "%.*s…", (int)(p - s), s);
}

/* Replace every occurrence of from (a full-width sign) by the byte to. */
static void
replace_all(char *s, const char *from, char to)
{
	size_t	 n = strlen(from);
	char	*p, *o;

	for (p = o = s; *p != '\0';) {
		if (strncmp(p, from, n) == 0) {
			*o++ = to;
			p += n;
		} else
			*o++ = *p++;
	}
	*o = '\0';
}

/*
 * Errors: "第 N 行：column：reason", kept with their line and sorted by
 * it at the end, since the file's problems are found in two passes.
 */

static void
row_error(struct imp *im, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
row_error(struct imp *im, int line, int col, const char *fmt, ...)
{
	struct ierr	*e;
	va_list		 ap;
	char		 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (im->nerrs == im->caperrs) {
		im->caperrs = im->caperrs ? im->caperrs * 2 : 64;
		im->errs = xrealloc(im->errs, im->caperrs * sizeof(*im->errs));
	}
	e = &im->errs[im->nerrs];
	e->line = line;
	e->seq = im->nerrs++;
	if (col >= 0)
		e->text = arena_printf(im->arena, "第 %d 行：%s：%s\n", line,
		    columns[col].name, msg);
	else
		e->text = arena_printf(im->arena, "第 %d 行：%s\n", line, msg);
}

static int
ierr_cmp(const void *a, const void *b)
{
	const struct ierr	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
errors_report(struct imp *im)
{
	int	i;

	qsort(im->errs, im->nerrs, sizeof(*im->errs), ierr_cmp);
	for (i = 0; i < im->nerrs; i++)
		buf_adds(&im->rep->errors, im->errs[i].text);
	im->rep->nerrors = im->nerrs;
}

/*
 * Description: plain text in the file, HTML in the database. Paragraphs
 * (split at blank lines) become <p>, line breaks inside them <br>, and
 * all text is escaped: no HTML from a file reaches a page.
 */
static const char *
desc_html(struct arena *a, const char *s)
{
	struct buf	 b;
	const char	*line, *end;
	size_t		 n;
	int		 in_par = 0;
	char		*out;

	buf_init(&b, strlen(s) + 64);
	for (line = s; *line != '\0'; line = end) {
		n = strcspn(line, "\r\n");
		end = line + n;
		if (*end == '\r' && end[1] == '\n')
			end += 2;
		else if (*end != '\0')
			end++;
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		if (strspn(line, " \t") >= n) {		/* blank: a break */
			if (in_par)
				buf_adds(&b, "</p>");
			in_par = 0;
			continue;
		}
		buf_adds(&b, in_par ? "<br>" : "<p>");
		in_par = 1;
		buf_add_html(&b, line, n);
	}
	if (in_par)
		buf_adds(&b, "</p>");
	out = arena_strndup(a, b.len ? b.p : "", b.len);
	buf_free(&b);
	return out;
}

static void
add_utf8(struct buf *b, unsigned long cp)
{
	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | cp >> 6));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | cp >> 12));
		buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | cp >> 18));
		buf_addc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decode the entity at s into b; returns the bytes read, 0: not one. */
static size_t
entity(struct buf *b, const char *s)
{
	static const struct { const char *name; const char *text; } named[] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
		{ "&quot;", "\"" }, { "&#39;", "'" }, { "&apos;", "'" },
		{ "&nbsp;", " " },
	};
	unsigned long	 cp;
	size_t		 i;
	char		*end;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strncmp(s, named[i].name, strlen(named[i].name)) == 0) {
			buf_adds(b, named[i].text);
			return strlen(named[i].name);
		}
	if (s[1] != '#')
		return 0;
	if (s[2] == 'x' || s[2] == 'X')
		cp = strtoul(s + 3, &end, 16);
	else
		cp = strtoul(s + 2, &end, 10);
	if (*end != ';' || !isxdigit((unsigned char)s[2 + (s[2] == 'x' ||
	    s[2] == 'X')]) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	add_utf8(b, cp < 0x20 || cp == 0x7f ? ' ' : cp);
	return (size_t)(end + 1 - s);
}

/* Newlines a tag stands for in text: 2 ends a block, 1 is <br>. */
static int
tag_breaks(const char *name, size_t n)
{
	static const char *blocks[] = { "p", "div", "li", "ul", "ol", "h1",
		"h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote",
		"pre", "section", "article", "hr" };
	size_t	i;

	if (n == 2 && strncasecmp(name, "br", 2) == 0)
		return 1;
	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (strlen(blocks[i]) == n && strncasecmp(name, blocks[i],
		    n) == 0)
			return 2;
	return 0;
}

static void
rstrip(struct buf *b)
{
	while (b->len > 0 && b->p[b->len - 1] == ' ')
		b->len--;
}

/* Back to plain text: blocks make blank lines, <br> a newline, other tags
 * go, entities are decoded. desc_html(desc_text(h)) == h for its own h. */
static char *
desc_text(struct arena *a, const char *h)
{
	struct buf	 b;
	const char	*e;
	char		*out;
	int		 brk = 0, k;
	size_t		 n;

	buf_init(&b, strlen(h) + 1);
	while (*h != '\0') {
		k = h[1] == '/' ? 2 : 1;
		if (*h == '<' && isalpha((unsigned char)h[k]) &&
		    (e = strchr(h, '>')) != NULL) {
			n = strspn(h + k, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
			if ((k = tag_breaks(h + k, n)) == 2)
				brk = 2;
			else if (k == 1)
				brk = brk < 2 ? brk + 1 : 2;
			h = e + 1;
			continue;
		}
		if (*h == ' ' || *h == '\t' || *h == '\r' || *h == '\n') {
			if (brk == 0 && b.len > 0)
				buf_addc(&b, ' ');
			h++;
			continue;
		}
		if (brk > 0 && b.len > 0) {
			rstrip(&b);
			buf_add(&b, "\n\n", (size_t)brk);
		}
		brk = 0;
		if (*h == '&' && (n = entity(&b, h)) > 0)
			h += n;
		else
			buf_addc(&b, *h++);
	}
	rstrip(&b);
	out = arena_strndup(a, b.len ? b.p : "", b.len);
	buf_free(&b);
	return out;
}

/*
 * Loading what the shop has: categories, products, SKUs.
 */

static struct cat *
cat_find(struct imp *im, struct cat *parent, const char *name)
{
	return map_get(&im->cat_map, arena_printf(im->arena, "%d/%s",
	    parent ? parent->seq : 0, name));
}

static void
cat_add(struct imp *im, struct cat *ct)
{
	ct->seq = ++im->ncats;
	map_put(&im->cat_map, arena_printf(im->arena, "%d/%s",
	    ct->parent ? ct->parent->seq : 0, ct->name), ct);
}

/* Parents before children, whatever the ids say; of same-named siblings
 * the oldest is the one a path names. */
static int
load_categories(struct dctx *c, struct imp *im)
{
	struct db_res	*r;
	struct map	 by_id;
	struct cat	*cats, *ct;
	const char	*pid;
	int		 i, progress;

	memset(&by_id, 0, sizeof(by_id));
	if (db_run(c->arena, &r, sql_categories, "i", c->shop->id) == -1)
		return -1;
	cats = arena_alloc(c->arena, (r->nrows + 1) * sizeof(*cats));
	memset(cats, 0, (r->nrows + 1) * sizeof(*cats));
	for (i = 0; i < r->nrows; i++) {
		cats[i].id = db_cell_i64(r, i, 0);
		cats[i].name = db_cell(r, i, 2);
		map_put(&by_id, db_cell(r, i, 0), &cats[i]);
	}
	do {
		progress = 0;
		for (i = 0; i < r->nrows; i++) {
			ct = &cats[i];
			if (ct->seq != 0)
				continue;
			pid = db_cell(r, i, 1);
			ct->parent = pid ? map_get(&by_id, pid) : NULL;
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
	map_free(&by_id);
	return 0;
}

static int
load_products(struct dctx *c, struct imp *im, struct map *by_id)
{
	struct db_res	*r;
	struct prod	*p;
	int		 i, desc = im->col[C_DESCRIPTION] != -1;

	if (db_run(c->arena, &r, desc ? sql_products_desc : sql_products,
	    "i", c->shop->id) == -1)
		return -1;
	for (i = 0; i < r->nrows; i++) {
		p = arena_alloc(c->arena, sizeof(*p));
		memset(p, 0, sizeof(*p));
		p->id = db_cell_i64(r, i, 0);
		p->code = db_cell(r, i, 1);
		p->old_unit = db_cell(r, i, 2);
		if (desc)
			p->old_desc = db_cell(r, i, 4);
		if (map_get(&im->prod_map, db_cell(r, i, 3)) == NULL)
			map_put(&im->prod_map, db_cell(r, i, 3), p);
		map_put(by_id, db_cell(r, i, 0), p);
	}
	return 0;
}

static int
load_catalog(struct dctx *c, struct imp *im)
{
	struct db_res	*r;
	struct map	 by_id;
	struct sku	*s;
	int		 i, rc = -1;

	memset(&by_id, 0, sizeof(by_id));
	if (load_categories(c, im) == -1 || load_products(c, im, &by_id) == -1)
		goto out;
	if (db_run(c->arena, &r, sql_skus, "i", c->shop->id) == -1)
		goto out;
	for (i = 0; i < r->nrows; i++) {
		s = arena_alloc(c->arena, sizeof(*s));
		memset(s, 0, sizeof(*s));
		s->id = db_cell_i64(r, i, 0);
		s->prod = map_get(&by_id, db_cell(r, i, 2));
		if (map_get(&im->sku_map, db_cell(r, i, 1)) == NULL)
			map_put(&im->sku_map, db_cell(r, i, 1), s);
	}
	rc = 0;
out:
	map_free(&by_id);
	return rc;
}

/*
 * Collation keys of the file's codes, from the database in batches.
 */

static void
json_str(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		if ((unsigned char)*s < 0x20)
			buf_printf(b, "\\u%04x", (unsigned char)*s);
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* A code (货号, SKU code, barcode): printable, no spaces, as the admin's
 * forms have it. NULL if fine, else why not. */
static const char *
code_problem(const char *s, int max)
{
	const char	*p;

	if (*s == '\0')
		return "不能为空";
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "不能包含空格或控制字符";
	if (nchars(s) > max)
		return max == 64 ? "最多 64 个字符" : "最多 32 个字符";
	return NULL;
}

static int
keys_run(struct dctx *c, struct buf *b, const char ***dst, int n)
{
	struct db_res	*r;
	int64_t		 k;
	int		 i;

	buf_addc(b, ']');
	if (db_run(c->arena, &r, sql_keys, "s", buf_cstr(b)) == -1)
		return -1;
	for (i = 0; i < r->nrows; i++) {
		k = db_cell_i64(r, i, 0);
		if (k >= 1 && k <= n)
			*dst[k - 1] = db_cell(r, i, 1);
	}
	b->len = 0;
	buf_addc(b, '[');
	return 0;
}

static int
code_keys(struct dctx *c, struct imp *im)
{
	const char	***dst;
	struct row	 *rw;
	struct buf	  b;
	int		  n = 0, rc = 0, which;

	dst = xcalloc(KEY_BATCH, sizeof(*dst));
	buf_init(&b, 64 * 1024);
	buf_addc(&b, '[');
	for (rw = im->rows; rw != NULL && rc == 0; rw = rw->next)
		for (which = 0; which < 2 && rc == 0; which++) {
			const char *code = rw->v[which ? C_SKU_CODE :
			    C_PRODUCT_CODE];

			if (code_problem(code, 64) != NULL)
				continue;
			if (n > 0)
				buf_addc(&b, ',');
			json_str(&b, code);
			dst[n++] = which ? &rw->skey : &rw->pkey;
			if (n == KEY_BATCH) {
				rc = keys_run(c, &b, dst, n);
				n = 0;
			}
		}
	if (rc == 0 && n > 0)
		rc = keys_run(c, &b, dst, n);
	buf_free(&b);
	free(dst);
	return rc;
}

/*
 * Checking one row, column by column. Each check adds its own errors.
 */

/* A text cell: at most max characters, on one line unless multiline. */
static int
check_text(struct imp *im, struct row *rw, int col, int max, int multiline)
{
	const char	*s = rw->v[col];

	if ((columns[col].flags & COL_REQUIRED) && *s == '\0') {
		row_error(im, rw->line, col, "不能为空");
		return -1;
	}
	if (has_control(s, multiline)) {
		row_error(im, rw->line, col, multiline ? "含有控制字符" :
		    "不能包含换行或控制字符");
		return -1;
	}
	if (nchars(s) > max) {
		row_error(im, rw->line, col, "最多 %d 个字符，这里有 %d 个",
		    max, nchars(s));
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
	if (parse_i64(s, min, INT_COL_MAX, &rw->num[col], &err) == -1)
		row_error(im, rw->line, col, "应为 %" PRId64 " 到 %d 的整数，"
		    "不是“%s”", min, INT_COL_MAX, shown(im->arena, s));
}

static int
check_money(struct imp *im, struct row *rw, int col)
{
	const char	*err;

	if (parse_yuan(rw->v[col], &rw->num[col], &err) == -1) {
		row_error(im, rw->line, col, "%s：“%s”（应为元，如 12.50）",
		    err, shown(im->arena, rw->v[col]));
		return -1;
	}
	return 0;
}

/* "10:11.50;50:10.00": from 10 on 11.50 each, from 50 on 10.00. */
static void
check_tiers(struct imp *im, struct row *rw)
{
	char		*s = arena_strdup(im->arena, rw->v[C_TIERS]), *item;
	char		*next, *colon, *q;
	const char	*err;
	struct price_tier t;
	int64_t		 last = 0;

	replace_all(s, "：", ':');
	replace_all(s, "；", ';');
	for (item = s; item != NULL; item = next) {
		if ((next = strchr(item, ';')) != NULL)
			*next++ = '\0';
		item = trim(im->arena, item, " \t");
		if (*item == '\0')
			continue;
		if ((colon = strchr(item, ':')) == NULL) {
			row_error(im, rw->line, C_TIERS, "“%s”应写成 "
			    "数量:单价，如 10:11.50", shown(im->arena, item));
			return;
		}
		*colon = '\0';
		q = trim(im->arena, item, " \t");
		if (parse_i64(q, 1, INT_COL_MAX, &t.min_qty, &err) == -1) {
			row_error(im, rw->line, C_TIERS, "数量“%s”应为正整数",
			    shown(im->arena, q));
			return;
		}
		q = trim(im->arena, colon + 1, " \t");
		if (parse_yuan(q, &t.price_fen, &err) == -1) {
			row_error(im, rw->line, C_TIERS, "单价“%s”%s",
			    shown(im->arena, q), err);
			return;
		}
		if (t.min_qty <= last) {
			row_error(im, rw->line, C_TIERS, "数量要从小到大排列，"
			    "不能重复（%" PRId64 " 在 %" PRId64 " 之后）",
			    t.min_qty, last);
			return;
		}
		if (rw->ntiers == TIERS_MAX) {
			row_error(im, rw->line, C_TIERS, "最多 %d 档",
			    TIERS_MAX);
			return;
		}
		last = t.min_qty;
		if (rw->tiers == NULL)
			rw->tiers = arena_alloc(im->arena, TIERS_MAX *
			    sizeof(*rw->tiers));
		rw->tiers[rw->ntiers++] = t;
	}
}

/* "ordering,retail" in any order; empty: all; "none": none. */
static void
check_visible(struct imp *im, struct row *rw)
{
	static const char *modes[] = { "ordering", "wholesale", "retail" };
	char		*s, *w, *next;
	int		 seen = 0, i;

	s = arena_strdup(im->arena, rw->v[C_VISIBLE]);
	replace_all(s, "，", ',');
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
		w = trim(im->arena, w, " \t");
		for (i = 0; i < 3 && strcmp(w, modes[i]) != 0; i++)
			;
		if (i == 3) {
			row_error(im, rw->line, C_VISIBLE, "“%s”不是 ordering、"
			    "wholesale、retail 之一（全不显示写 none）",
			    shown(im->arena, w));
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
	struct cat	*parent = NULL, *ct;
	int		 depth = 0;

	if (*s != '\0' && check_text(im, rw, C_CATEGORY, 1000, 0) == -1)
		return;
	for (seg = s; *s != '\0' && seg != NULL; seg = next) {
		if ((next = strchr(seg, '/')) != NULL)
			*next++ = '\0';
		seg = trim(im->arena, seg, " \t");
		if (*seg == '\0')
			why = "路径中有空的分类名（如 a//b）";
		else if (nchars(seg) > 60)
			why = "分类名最多 60 个字符";
		else if (++depth > CAT_DEPTH_MAX)
			why = "分类最多 10 级";
		if (why != NULL) {
			row_error(im, rw->line, C_CATEGORY, "%s", why);
			return;
		}
		if ((ct = cat_find(im, parent, seg)) == NULL) {
			ct = arena_alloc(im->arena, sizeof(*ct));
			memset(ct, 0, sizeof(*ct));
			ct->parent = parent;
			ct->name = seg;
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
			row_error(im, rw->line, C_ON_SHELF, "应为 1（上架）或 "
			    "0（下架），不是“%s”", shown(im->arena, s));
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

/* The product-level columns of a product's later rows must agree. */
static void
check_agrees(struct imp *im, struct row *rw)
{
	struct row	*first = rw->prod->first;
	int		 k;

	for (k = 0; k < NCOL; k++) {
		if (!(columns[k].flags & COL_PRODUCT) || rw->pv[k] == NULL ||
		    first->pv[k] == NULL ||
		    strcmp(rw->pv[k], first->pv[k]) == 0)
			continue;
		row_error(im, rw->line, k, "同一 product_code 的各行应相同，"
		    "与第 %d 行不同", first->line);
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

static void
check_product(struct imp *im, struct row *rw)
{
	const char	*why;
	struct prod	*p;

	if ((why = code_problem(rw->v[C_PRODUCT_CODE], 64)) != NULL ||
	    (why = rw->pkey ? NULL : "无法与已有编码比较") != NULL) {
		row_error(im, rw->line, C_PRODUCT_CODE, "%s", why);
		return;
	}
	if ((p = map_get(&im->prod_map, rw->pkey)) == NULL) {
		p = arena_alloc(im->arena, sizeof(*p));
		memset(p, 0, sizeof(*p));
		p->code = rw->v[C_PRODUCT_CODE];
		map_put(&im->prod_map, rw->pkey, p);
	}
	if (p->first == NULL) {
		p->first = rw;
		*im->prods_tail = p;
		im->prods_tail = &p->next;
	}
	rw->prod = p;
	rw->sort = p->nskus++;
}

static void
check_sku(struct imp *im, struct row *rw)
{
	const char	*why;
	struct sku	*s;

	if ((why = code_problem(rw->v[C_SKU_CODE], 64)) != NULL ||
	    (why = rw->skey ? NULL : "无法与已有编码比较") != NULL) {
		row_error(im, rw->line, C_SKU_CODE, "%s", why);
		return;
	}
	if ((s = map_get(&im->sku_map, rw->skey)) == NULL) {
		s = arena_alloc(im->arena, sizeof(*s));
		memset(s, 0, sizeof(*s));
		s->prod = rw->prod;
		map_put(&im->sku_map, rw->skey, s);
	} else if (s->row != NULL) {
		row_error(im, rw->line, C_SKU_CODE, "“%s”与第 %d 行重复",
		    rw->v[C_SKU_CODE], s->row->line);
		return;
	} else if (rw->prod != NULL && s->prod != rw->prod) {
		row_error(im, rw->line, C_SKU_CODE, "“%s”已属于商品 %s，"
		    "不能改到商品 %s 下", rw->v[C_SKU_CODE],
		    s->prod ? s->prod->code : "?", rw->v[C_PRODUCT_CODE]);
		return;
	}
	s->row = rw;
	rw->sku = s;
	rw->sku_new = s->id == 0;
}

static void
check_row(struct imp *im, struct row *rw)
{
	const char	*why;

	check_product(im, rw);
	check_product_columns(im, rw);
	if (rw->prod != NULL && rw->prod->first != rw)
		check_agrees(im, rw);
	else if (rw->prod != NULL)
		keep_description(im, rw->prod);
	check_sku(im, rw);
	if (rw->v[C_BARCODE] != NULL && *rw->v[C_BARCODE] != '\0' &&
	    (why = code_problem(rw->v[C_BARCODE], 32)) != NULL)
		row_error(im, rw->line, C_BARCODE, "%s", why);
	if (rw->v[C_SPEC] != NULL)
		check_text(im, rw, C_SPEC, 200, 0);
	check_int(im, rw, C_PACK_SIZE, 1, 1);
	check_int(im, rw, C_MIN_QTY, 1, 1);
	check_int(im, rw, C_STOCK, 0, 0);
	check_int(im, rw, C_WEIGHT_G, 0, 0);
	if (*rw->v[C_PRICE] == '\0')
		row_error(im, rw->line, C_PRICE, "不能为空");
	else
		check_money(im, rw, C_PRICE);
	if (rw->v[C_RETAIL_PRICE] != NULL && *rw->v[C_RETAIL_PRICE] != '\0')
		rw->has_retail = check_money(im, rw, C_RETAIL_PRICE) == 0;
	if (rw->v[C_TIERS] != NULL)
		check_tiers(im, rw);
}

/*
 * Reading the file: the header names the columns, then one row per SKU.
 */

static int
read_header(struct imp *im, struct csv *r)
{
	const char	*name;
	int		 i, k, bad = 0;

	for (k = 0; k < NCOL; k++)
		im->col[k] = -1;
	im->nhead = r->nfield;
	for (i = 0; i < r->nfield; i++) {
		name = trim(im->arena, r->field[i], " \t");
		for (k = 0; k < NCOL && strcmp(name, columns[k].name) != 0; k++)
			;
		if (k == NCOL) {
			row_error(im, r->rec_line, -1, "第 %d 列“%s”不是已知的"
			    "列名（列名区分大小写，见 docs/csv.md）", i + 1,
			    shown(im->arena, name));
			bad = 1;
		} else if (im->col[k] != -1) {
			row_error(im, r->rec_line, k, "列重复（第 %d 列和第 %d "
			    "列）", im->col[k] + 1, i + 1);
			bad = 1;
		} else
			im->col[k] = i;
	}
	for (k = 0; k < NCOL; k++)
		if ((columns[k].flags & COL_REQUIRED) && im->col[k] == -1) {
			row_error(im, r->rec_line, k, "缺少这一必需的列");
			bad = 1;
		}
	return bad ? -1 : 0;
}

static int
blank_record(const struct csv *r)
{
	int	i;

	for (i = 0; i < r->nfield; i++)
		if (r->field[i][strspn(r->field[i], " \t")] != '\0')
			return 0;
	return 1;
}

/* Trim s in place: skip leading ws, cut trailing ws. */
static char *
trim_in_place(char *s, const char *ws)
{
	size_t	n;

	s += strspn(s, ws);
	n = strlen(s);
	while (n > 0 && strchr(ws, s[n - 1]) != NULL)
		n--;
	s[n] = '\0';
	return s;
}

/* One record into a struct row: cells trimmed and unguarded, all in one
 * copy of the record (rows are many: one allocation each). */
static void
take_row(struct imp *im, const struct csv *r)
{
	struct row	*rw;
	char		*data;
	int		 k;

	rw = arena_alloc(im->arena, sizeof(*rw));
	memset(rw, 0, sizeof(*rw));
	rw->line = r->rec_line;
	data = arena_alloc(im->arena, r->data.len);
	memcpy(data, r->data.p, r->data.len);
	for (k = 0; k < NCOL; k++) {
		if (im->col[k] == -1)
			continue;
		rw->v[k] = trim_in_place(data + (r->field[im->col[k]] -
		    r->data.p), k == C_DESCRIPTION ? " \t\r\n" : " \t");
		if (columns[k].flags & COL_TEXT)
			rw->v[k] = csv_unguard(rw->v[k]);
	}
	*im->rows_tail = rw;
	im->rows_tail = &rw->next;
}

/* The first pass, without the database: the file's shape. */
static void
read_rows(struct imp *im)
{
	struct csv	r;
	int		rc, header = 1;

	csv_init(&r, im->data, im->len);
	while ((rc = csv_next(&r)) != 0) {
		if (rc == -1) {
			row_error(im, r.err_line, -1, "%s", r.error);
			if (!header)
				continue;
			im->header_bad = 1;
			break;
		}
		if (header) {
			im->header_bad = read_header(im, &r) == -1;
			if (im->header_bad)
				break;
			header = 0;
			continue;
		}
		if (blank_record(&r))
			continue;
		if (++im->rep->rows > IMPORT_ROWS_MAX) {
			im->rep->rows--;
			im->too_many = 1;
			row_error(im, r.rec_line, -1, "超过 %d 行数据，请分成"
			    "几个文件导入", IMPORT_ROWS_MAX);
			break;
		}
		if (r.nfield != im->nhead)
			row_error(im, r.rec_line, -1, "有 %d 列，表头有 %d 列",
			    r.nfield, im->nhead);
		else
			take_row(im, &r);
	}
	if (header && im->nerrs == 0) {
		row_error(im, 1, -1, "文件是空的，第一行应为表头");
		im->header_bad = 1;
	} else if (!header && im->rep->rows == 0 && im->nerrs == 0)
		row_error(im, 1, -1, "只有表头，没有数据行");
	csv_free(&r);
}

/*
 * Writing, in the same transaction.
 */

struct batch {
	struct buf	 b;
	int		 n;
	int		(*run)(struct dctx *, struct imp *, const char *);
};

static void
batch_init(struct batch *bt, int (*run)(struct dctx *, struct imp *,
    const char *))
{
	buf_init(&bt->b, 64 * 1024);
	buf_addc(&bt->b, '[');
	bt->n = 0;
	bt->run = run;
}

static int
batch_flush(struct dctx *c, struct imp *im, struct batch *bt)
{
	int	rc;

	if (bt->n == 0)
		return 0;
	buf_addc(&bt->b, ']');
	rc = bt->run(c, im, buf_cstr(&bt->b));
	bt->b.len = 0;
	buf_addc(&bt->b, '[');
	bt->n = 0;
	return rc;
}

/* Before a row: the separator. After it: batch_done, which may flush. */
static struct buf *
batch_row(struct batch *bt)
{
	if (bt->n > 0)
		buf_addc(&bt->b, ',');
	return &bt->b;
}

static int
batch_done(struct dctx *c, struct imp *im, struct batch *bt)
{
	if (++bt->n < BATCH_ROWS && bt->b.len < BATCH_BYTES)
		return 0;
	return batch_flush(c, im, bt);
}

static int64_t
has(const struct imp *im, int col)
{
	return im->col[col] != -1;
}

static int
run_products(struct dctx *c, struct imp *im, const char *json)
{
	return db_run(c->arena, NULL, sql_product_upsert, "isiiiii",
	    c->shop->id, json, has(im, C_CATEGORY), has(im, C_UNIT),
	    has(im, C_DESCRIPTION), has(im, C_ON_SHELF), has(im, C_VISIBLE));
}

static int
run_skus(struct dctx *c, struct imp *im, const char *json)
{
	return db_run(c->arena, NULL, sql_sku_upsert, "isiiiiiiii",
	    c->shop->id, json, has(im, C_BARCODE), has(im, C_SPEC),
	    has(im, C_UNIT), has(im, C_PACK_SIZE), has(im, C_MIN_QTY),
	    has(im, C_STOCK), has(im, C_WEIGHT_G), has(im, C_RETAIL_PRICE));
}

static int
run_tiers_clear(struct dctx *c, struct imp *im, const char *json)
{
	return db_run(c->arena, NULL, sql_tiers_clear, "si", json,
	    c->shop->id);
}

static int
run_tiers_add(struct dctx *c, struct imp *im, const char *json)
{
	return db_run(c->arena, NULL, sql_tiers_add, "is", c->shop->id, json);
}

static int
write_categories(struct dctx *c, struct imp *im)
{
	struct db_res	*r;
	struct cat	*ct;
	int		 rc;

	for (ct = im->new_cats; ct != NULL; ct = ct->next_new) {
		if (ct->parent == NULL)
			rc = db_run(c->arena, &r, sql_cat_add_root, "is",
			    c->shop->id, ct->name);
		else
			rc = db_run(c->arena, &r, sql_cat_add, "iis",
			    c->shop->id, ct->parent->id, ct->name);
		if (rc == -1)
			return -1;
		ct->id = (int64_t)r->insert_id;
	}
	return 0;
}

static const char *
pv_or(const struct row *rw, int col, const char *dflt)
{
	return rw->pv[col] != NULL ? rw->pv[col] : dflt;
}

static int
write_products(struct dctx *c, struct imp *im)
{
	struct batch	 bt;
	struct prod	*p;
	struct row	*rw;
	struct buf	*b;
	int		 rc = 0;

	batch_init(&bt, run_products);
	for (p = im->prods; p != NULL && rc == 0; p = p->next) {
		rw = p->first;
		b = batch_row(&bt);
		if (rw->cat != NULL)
			buf_printf(b, "[%" PRId64 ",", rw->cat->id);
		else
			buf_adds(b, "[null,");
		json_str(b, rw->v[C_PRODUCT_CODE]);
		buf_addc(b, ',');
		json_str(b, rw->v[C_PRODUCT_NAME]);
		buf_addc(b, ',');
		json_str(b, pv_or(rw, C_UNIT, UNIT_DEFAULT));
		buf_addc(b, ',');
		json_str(b, p->desc != NULL ? p->desc : "");
		buf_printf(b, ",%d,", rw->on_shelf);
		json_str(b, pv_or(rw, C_VISIBLE, VISIBLE_ALL));
		buf_addc(b, ']');
		rc = batch_done(c, im, &bt);
	}
	if (rc == 0)
		rc = batch_flush(c, im, &bt);
	buf_free(&bt.b);
	return rc;
}

static void
sku_json(struct buf *b, const struct row *rw)
{
	const struct prod	*p = rw->prod;

	buf_printf(b, "[%" PRId64 ",", p->id);
	json_str(b, rw->v[C_SKU_CODE]);
	buf_addc(b, ',');
	json_str(b, rw->v[C_BARCODE] ? rw->v[C_BARCODE] : "");
	buf_addc(b, ',');
	json_str(b, rw->v[C_SPEC] ? rw->v[C_SPEC] : "");
	buf_addc(b, ',');
	/* A new SKU takes its product's unit, as written or as stored. */
	json_str(b, pv_or(p->first, C_UNIT, p->old_unit ? p->old_unit :
	    UNIT_DEFAULT));
	buf_printf(b, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%"
	    PRId64 ",", rw->num[C_PACK_SIZE], rw->num[C_MIN_QTY],
	    rw->num[C_STOCK], rw->num[C_WEIGHT_G], rw->num[C_PRICE]);
	if (rw->has_retail)
		buf_printf(b, "%" PRId64, rw->num[C_RETAIL_PRICE]);
	else
		buf_adds(b, "null");
	buf_printf(b, ",%d,", rw->sort);
	if (p->old_unit != NULL)
		json_str(b, p->old_unit);
	else
		buf_adds(b, "null");
	buf_addc(b, ']');
}

static int
write_skus(struct dctx *c, struct imp *im)
{
	struct batch	 bt;
	struct row	*rw;
	int		 rc = 0;

	batch_init(&bt, run_skus);
	for (rw = im->rows; rw != NULL && rc == 0; rw = rw->next) {
		sku_json(batch_row(&bt), rw);
		rc = batch_done(c, im, &bt);
	}
	if (rc == 0)
		rc = batch_flush(c, im, &bt);
	buf_free(&bt.b);
	return rc;
}

static int	load_tiers(struct dctx *, struct map *);

/* Mark the SKUs whose tiers the file leaves as they are. */
static int
tiers_compare(struct dctx *c, struct imp *im)
{
	struct map	 old;
	struct row	*rw;
	struct buf	 b;
	const char	*was;
	int		 i;

	memset(&old, 0, sizeof(old));
	if (load_tiers(c, &old) == -1)
		return -1;
	buf_init(&b, 256);
	for (rw = im->rows; rw != NULL; rw = rw->next) {
		b.len = 0;
		for (i = 0; i < rw->ntiers; i++)
			buf_printf(&b, "%s%" PRId64 ":%s", i ? ";" : "",
			    rw->tiers[i].min_qty, fmt_yuan(c->arena,
			    rw->tiers[i].price_fen));
		was = rw->sku_new ? NULL : map_get(&old, arena_printf(c->arena,
		    "%" PRId64, rw->sku->id));
		rw->tiers_same = strcmp(buf_cstr(&b), was ? was : "") == 0;
	}
	buf_free(&b);
	map_free(&old);
	return 0;
}

/* An empty tiers cell clears the SKU's tiers: replace what changed. */
static int
write_tiers(struct dctx *c, struct imp *im)
{
	struct batch	 clear, add;
	struct row	*rw;
	int		 i, rc;

	if (tiers_compare(c, im) == -1)
		return -1;
	batch_init(&clear, run_tiers_clear);
	batch_init(&add, run_tiers_add);
	for (rc = 0, rw = im->rows; rw != NULL && rc == 0; rw = rw->next) {
		if (rw->sku_new || rw->tiers_same)
			continue;
		buf_printf(batch_row(&clear), "%" PRId64, rw->sku->id);
		rc = batch_done(c, im, &clear);
	}
	if (rc == 0)
		rc = batch_flush(c, im, &clear);
	for (rw = im->rows; rw != NULL && rc == 0; rw = rw->next)
		for (i = 0; i < rw->ntiers && !rw->tiers_same && rc == 0;
		    i++) {
			buf_printf(batch_row(&add), "[%" PRId64 ",%" PRId64 ",%"
			    PRId64 "]", rw->sku->id, rw->tiers[i].min_qty,
			    rw->tiers[i].price_fen);
			rc = batch_done(c, im, &add);
		}
	if (rc == 0)
		rc = batch_flush(c, im, &add);
	buf_free(&clear.b);
	buf_free(&add.b);
	return rc;
}

/* Ids of what this import created: one query, not one per row. */
static int
fetch_ids(struct dctx *c, struct imp *im, int skus)
{
	struct db_res	*r;
	struct prod	*p;
	struct sku	*s;
	int		 i;

	if (db_run(c->arena, &r, skus ? sql_skus : sql_products, "i",
	    c->shop->id) == -1)
		return -1;
	for (i = 0; i < r->nrows; i++) {
		if (skus) {
			s = map_get(&im->sku_map, db_cell(r, i, 1));
			if (s != NULL && s->id == 0)
				s->id = db_cell_i64(r, i, 0);
		} else {
			p = map_get(&im->prod_map, db_cell(r, i, 3));
			if (p != NULL && p->id == 0)
				p->id = db_cell_i64(r, i, 0);
		}
	}
	return 0;
}

static int
write_all(struct dctx *c, struct imp *im)
{
	struct import_report	*rep = im->rep;
	struct prod		*p;
	struct row		*rw;

	if (write_categories(c, im) == -1 || write_products(c, im) == -1)
		return ERR_INTERNAL;
	if (rep->products_created > 0 && fetch_ids(c, im, 0) == -1)
		return ERR_INTERNAL;
	for (p = im->prods; p != NULL; p = p->next)
		if (p->id == 0) {
			clog_warnx(c, "import: product %s has no id", p->code);
			return ERR_INTERNAL;
		}
	if (write_skus(c, im) == -1)
		return ERR_INTERNAL;
	if (rep->skus_created > 0 && fetch_ids(c, im, 1) == -1)
		return ERR_INTERNAL;
	for (rw = im->rows; rw != NULL; rw = rw->next)
		if (rw->sku->id == 0) {
			clog_warnx(c, "import: sku %s has no id",
			    rw->v[C_SKU_CODE]);
			return ERR_INTERNAL;
		}
	if (has(im, C_TIERS) && write_tiers(c, im) == -1)
		return ERR_INTERNAL;
	return shop_touch(c, c->shop->id);
}

static void
imp_reset(struct imp *im)
{
	struct import_report	*rep = im->rep;

	map_free(&im->prod_map);
	map_free(&im->sku_map);
	map_free(&im->cat_map);
	im->rows = NULL;
	im->rows_tail = &im->rows;
	im->prods = NULL;
	im->prods_tail = &im->prods;
	im->new_cats = NULL;
	im->new_tail = &im->new_cats;
	im->ncats = 0;
	im->nerrs = 0;
	im->header_bad = im->too_many = 0;
	rep->errors.len = 0;
	rep->rows = rep->nerrors = 0;
	rep->products_created = rep->products_updated = 0;
	rep->skus_created = rep->skus_updated = 0;
}

static void
count_changes(struct imp *im)
{
	struct import_report	*rep = im->rep;
	struct prod		*p;
	struct row		*rw;

	for (p = im->prods; p != NULL; p = p->next)
		if (p->id != 0)
			rep->products_updated++;
		else
			rep->products_created++;
	for (rw = im->rows; rw != NULL; rw = rw->next)
		if (rw->sku_new)
			rep->skus_created++;
		else
			rep->skus_updated++;
}

/*
 * The transaction (run again by db_tx_run on a deadlock, so it starts
 * from nothing): read the file, lock the shop against a concurrent
 * import, load its catalog, check every row, then write or return why not.
 */
static int
tx_import(struct dctx *c, void *arg)
{
	struct imp	*im = arg;
	struct row	*rw;

	imp_reset(im);
	read_rows(im);
	if (im->header_bad || im->too_many)
		goto invalid;
	if (db_run(c->arena, NULL, sql_lock, "i", c->shop->id) == -1 ||
	    load_catalog(c, im) == -1 || code_keys(c, im) == -1)
		return ERR_INTERNAL;
	for (rw = im->rows; rw != NULL; rw = rw->next)
		check_row(im, rw);
	if (im->nerrs > 0)
		goto invalid;
	count_changes(im);
	return write_all(c, im);
invalid:
	errors_report(im);
	return im->too_many ? ERR_TOO_LARGE : ERR_INVALID;
}

/*
 * Import a CSV of products into c->shop, all or nothing. report is
 * always filled (free it with import_report_free); on ERR_INVALID or
 * ERR_TOO_LARGE its errors say what is wrong, line by line.
 */
int
import_products(struct dctx *c, const char *data, size_t len,
    struct import_report *report)
{
	struct arena	*request = c->arena;
	struct imp	 im;
	int		 rc;

	memset(report, 0, sizeof(*report));
	buf_init(&report->errors, 1024);
	memset(&im, 0, sizeof(im));
	im.data = data;
	im.len = len;
	im.rep = report;
	im.arena = c->arena = arena_new(BIG_CHUNK);
	rc = db_tx_run(c, tx_import, &im);
	c->arena = request;
	arena_free(im.arena);
	map_free(&im.prod_map);
	map_free(&im.sku_map);
	map_free(&im.cat_map);
	free(im.errs);
	buf_cstr(&report->errors);
	if (rc == 0) {
		clog_info(c, "import products rows=%d products_created=%d "
		    "products_updated=%d skus_created=%d skus_updated=%d",
		    report->rows, report->products_created,
		    report->products_updated, report->skus_created,
		    report->skus_updated);
		return 0;
	}
	report->products_created = report->products_updated = 0;
	report->skus_created = report->skus_updated = 0;
	if (rc == ERR_INVALID || rc == ERR_TOO_LARGE)
		c->error = arena_printf(c->arena, "文件中有 %d 个错误，未导入"
		    "任何数据", report->nerrors);
	else
		c->error = "导入失败（数据库出错），未导入任何数据";
	return rc;
}

void
import_report_free(struct import_report *report)
{
	buf_free(&report->errors);
	report->nerrors = 0;
}

/*
 * Export: the same columns, one row per SKU, so that importing an export
 * changes nothing. A product without SKUs has no row.
 */

/* One table per query, joined here: see sql_skus. */
static const char sql_export_products[] =
    "SELECT id, category_id, code, name, unit, on_shelf, visible, "
    "description FROM product WHERE shop_id = ? ORDER BY code, id";
static const char sql_export_skus[] =
    "SELECT product_id, code, barcode, spec, pack_size, min_qty, stock, "
    "weight_g, price_fen, retail_price_fen, id FROM sku WHERE shop_id = ? "
    "ORDER BY product_id, sort, id";
static const char sql_export_tiers[] =
    "SELECT sku_id, min_qty, price_fen FROM price_tier WHERE shop_id = ? "
    "ORDER BY sku_id, min_qty";

struct ecat {
	const char	*name;
	const char	*parent;	/* id, NULL: top level */
	const char	*path;		/* built on first use */
};

static const char *
ecat_path(struct arena *a, struct map *m, const char *id, int depth)
{
	struct ecat	*e = map_get(m, id);
	const char	*up;

	if (e == NULL || depth > 2 * CAT_DEPTH_MAX)
		return "";
	if (e->path == NULL) {
		up = e->parent ? ecat_path(a, m, e->parent, depth + 1) : "";
		e->path = *up ? arena_printf(a, "%s/%s", up, e->name) :
		    e->name;
	}
	return e->path;
}

static int
load_paths(struct dctx *c, struct map *m)
{
	struct db_res	*r;
	struct ecat	*e;
	int		 i;

	if (db_run(c->arena, &r, sql_categories, "i", c->shop->id) == -1)
		return -1;
	e = arena_alloc(c->arena, (r->nrows + 1) * sizeof(*e));
	for (i = 0; i < r->nrows; i++) {
		e[i].name = db_cell(r, i, 2);
		e[i].parent = db_cell(r, i, 1);
		e[i].path = NULL;
		map_put(m, db_cell(r, i, 0), &e[i]);
	}
	return 0;
}

/* Each SKU's tiers as "10:11.50;50:10.00", keyed by SKU id. */
static int
load_tiers(struct dctx *c, struct map *m)
{
	struct db_res	*r;
	struct buf	 b;
	int		 i, j;

	if (db_run(c->arena, &r, sql_export_tiers, "i", c->shop->id) == -1)
		return -1;
	buf_init(&b, 256);
	for (i = 0; i < r->nrows; i = j) {
		b.len = 0;
		for (j = i; j < r->nrows && strcmp(db_cell(r, j, 0),
		    db_cell(r, i, 0)) == 0; j++)
			buf_printf(&b, "%s%s:%s", j > i ? ";" : "",
			    db_cell(r, j, 1), fmt_yuan(c->arena,
			    db_cell_i64(r, j, 2)));
		map_put(m, db_cell(r, i, 0), arena_strndup(c->arena, b.p,
		    b.len));
	}
	buf_free(&b);
	return 0;
}

/* The product's columns from row i of p, the SKU's from row k of sk. */
static void
export_row(struct dctx *c, struct buf *out, struct map *paths,
    struct map *tiers, const struct db_res *p, int i,
    const struct db_res *sk, int k)
{
	const char	*v[NCOL], *s;
	int		 n;

	s = db_cell(p, i, 1);
	v[C_CATEGORY] = s ? ecat_path(c->arena, paths, s, 0) : "";
	v[C_PRODUCT_CODE] = db_cell(p, i, 2);
	v[C_PRODUCT_NAME] = db_cell(p, i, 3);
	v[C_UNIT] = db_cell(p, i, 4);
	v[C_ON_SHELF] = db_cell_i64(p, i, 5) ? "1" : "0";
	s = db_cell(p, i, 6);
	v[C_VISIBLE] = s && *s ? s : "none";
	v[C_DESCRIPTION] = desc_text(c->arena, db_cell(p, i, 7));
	v[C_SKU_CODE] = db_cell(sk, k, 1);
	v[C_BARCODE] = db_cell(sk, k, 2);
	v[C_SPEC] = db_cell(sk, k, 3);
	v[C_PACK_SIZE] = db_cell(sk, k, 4);
	v[C_MIN_QTY] = db_cell(sk, k, 5);
	v[C_STOCK] = db_cell(sk, k, 6);
	v[C_WEIGHT_G] = db_cell(sk, k, 7);
	v[C_PRICE] = fmt_yuan(c->arena, db_cell_i64(sk, k, 8));
	v[C_RETAIL_PRICE] = db_cell(sk, k, 9) == NULL ? "" :
	    fmt_yuan(c->arena, db_cell_i64(sk, k, 9));
	v[C_TIERS] = map_get(tiers, db_cell(sk, k, 10));
	for (n = 0; n < NCOL; n++)
		csv_put(out, v[n] ? v[n] : "", (n == 0 ? CSV_FIRST : 0) |
		    (columns[n].flags & COL_TEXT ? CSV_TEXT : 0));
	csv_endrow(out);
}

/* Products in code order, each with its SKUs (a run of sk's rows). */
static void
export_all(struct dctx *c, struct buf *out, struct map *paths,
    struct map *tiers, const struct db_res *p, const struct db_res *sk,
    int *nrows)
{
	struct map	 first;
	intptr_t	 k;
	const char	*id;
	int		 i;

	memset(&first, 0, sizeof(first));
	for (k = sk->nrows - 1; k >= 0; k--)	/* ends on each run's start */
		if (k == 0 || strcmp(db_cell(sk, k, 0),
		    db_cell(sk, k - 1, 0)) != 0)
			map_put(&first, db_cell(sk, k, 0), (void *)(k + 1));
	for (i = 0; i < p->nrows; i++) {
		id = db_cell(p, i, 0);
		if ((k = (intptr_t)map_get(&first, id)) == 0)
			continue;	/* no SKUs */
		for (k--; k < sk->nrows && strcmp(db_cell(sk, k, 0), id) == 0;
		    k++) {
			export_row(c, out, paths, tiers, p, i, sk, k);
			(*nrows)++;
		}
	}
	map_free(&first);
}

static int
export_rows(struct dctx *c, struct buf *out, int *nrows)
{
	struct db_res	*p, *sk;
	struct map	 paths, tiers;
	int		 k, rc = ERR_INTERNAL;

	*nrows = 0;
	memset(&paths, 0, sizeof(paths));
	memset(&tiers, 0, sizeof(tiers));
	if (load_paths(c, &paths) == -1 || load_tiers(c, &tiers) == -1 ||
	    db_run(c->arena, &p, sql_export_products, "i", c->shop->id) == -1 ||
	    db_run(c->arena, &sk, sql_export_skus, "i", c->shop->id) == -1) {
		c->error = "导出失败（数据库出错）";
		goto out;
	}
	buf_adds(out, "\xef\xbb\xbf");	/* BOM: spreadsheets then read UTF-8 */
	for (k = 0; k < NCOL; k++)
		csv_put(out, columns[k].name, k == 0 ? CSV_FIRST : 0);
	csv_endrow(out);
	export_all(c, out, &paths, &tiers, p, sk, nrows);
	rc = 0;
out:
	map_free(&paths);
	map_free(&tiers);
	return rc;
}

/* Append c->shop's products as CSV (UTF-8 with a BOM, CRLF) to out. */
int
export_products(struct dctx *c, struct buf *out)
{
	struct arena	*request = c->arena;
	int		 n, rc;

	c->arena = arena_new(BIG_CHUNK);
	rc = export_rows(c, out, &n);
	arena_free(c->arena);
	c->arena = request;
	return rc;
}

/*
 * dinghuo import products --shop SLUG FILE.csv
 * dinghuo export products --shop SLUG [FILE.csv]
 */

struct cli {
	struct arena	*arena;
	struct dctx	 c;
	const char	*slug;
	const char	*file;
};

static int
cli_args(int argc, char **argv, struct cli *cl, int import)
{
	struct cli_opt	 opts[] = {
		{ "shop", CLI_REQUIRED, NULL }, { NULL, 0, NULL }
	};

	memset(cl, 0, sizeof(*cl));
	if (argc >= 1 && strcmp(argv[0], "products") == 0 &&
	    cli_opts_parse(argc - 1, argv + 1, opts, &cl->file) == 0 &&
	    (cl->file != NULL || !import)) {
		cl->slug = opts[0].value;
		return 0;
	}
	fprintf(stderr, import ?
	    "usage: dinghuo import products --shop SLUG FILE.csv\n" :
	    "usage: dinghuo export products --shop SLUG [FILE.csv]\n");
	return -1;
}

/* A context outside any request, with the shop set. */
static int
cli_open(struct cli *cl)
{
	cl->arena = arena_new(64 * 1024);
	dctx_init(&cl->c, cl->arena, "cli");
	if (db_open() == -1) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		return -1;
	}
	if (shop_by_slug(&cl->c, cl->slug, &cl->c.shop) != 0) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		return -1;
	}
	if (cl->c.shop == NULL) {
		fprintf(stderr, "dinghuo: no shop '%s'\n", cl->slug);
		return -1;
	}
	return 0;
}

static void
cli_close(struct cli *cl)
{
	arena_free(cl->arena);
	shop_cache_clear();
	db_close();
}

/* The whole file into b, refused beyond max bytes. */
static int
read_file(const char *path, size_t max, struct buf *b)
{
	FILE	*f;
	size_t	 n;
	int	 rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "dinghuo: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		buf_reserve(b, 64 * 1024);
		n = fread(b->p + b->len, 1, b->cap - b->len - 1, f);
		b->len += n;
		if (b->len > max) {
			fprintf(stderr, "dinghuo: %s: larger than max_upload "
			    "(%zu bytes); split it into several files\n",
			    path, max);
			goto out;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "dinghuo: %s: %s\n", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

int
cli_import(int argc, char **argv)
{
	struct import_report	 rep;
	struct cli		 cl;
	struct buf		 data;
	int			 rc = 1;

	if (cli_args(argc, argv, &cl, 1) == -1)
		return 2;
	buf_init(&data, 64 * 1024);
	memset(&rep, 0, sizeof(rep));
	if (read_file(cl.file, (size_t)conf.max_upload, &data) == -1)
		goto out;
	if (cli_open(&cl) == -1)
		goto out;
	switch (import_products(&cl.c, data.p, data.len, &rep)) {
	case 0:
		printf("导入完成：%d 行，新建商品 %d，更新商品 %d，"
		    "新建 SKU %d，更新 SKU %d\n", rep.rows,
		    rep.products_created, rep.products_updated,
		    rep.skus_created, rep.skus_updated);
		rc = 0;
		break;
	case ERR_INVALID:
	case ERR_TOO_LARGE:
		fputs(buf_cstr(&rep.errors), stderr);
		fprintf(stderr, "未导入任何数据（%d 个错误）\n", rep.nerrors);
		break;
	default:
		fprintf(stderr, "dinghuo: %s\n", cl.c.error);
		break;
	}
out:
	import_report_free(&rep);
	buf_free(&data);
	if (cl.arena != NULL)
		cli_close(&cl);
	return rc;
}

static int
write_out(const char *path, const struct buf *b)
{
	FILE	*f = path ? fopen(path, "wb") : stdout;

	if (f == NULL) {
		fprintf(stderr, "dinghuo: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fwrite(b->p, 1, b->len, f) != b->len || fflush(f) != 0 ||
	    (path != NULL && fclose(f) != 0)) {
		fprintf(stderr, "dinghuo: %s: %s\n", path ? path : "stdout",
		    strerror(errno));
		if (path != NULL)
			fclose(f);
		return -1;
	}
	return 0;
}

int
cli_export(int argc, char **argv)
{
	struct cli	cl;
	struct buf	out;
	int		rc = 1, n;

	if (cli_args(argc, argv, &cl, 0) == -1)
		return 2;
	buf_init(&out, 256 * 1024);
	if (cli_open(&cl) == -1)
		goto out;
	if (export_rows(&cl.c, &out, &n) != 0) {
		fprintf(stderr, "dinghuo: %s\n", cl.c.error);
		goto out;
	}
	if (write_out(cl.file, &out) == -1)
		goto out;
	if (cl.file != NULL)
		fprintf(stderr, "导出完成：%d 行，写入 %s\n", n, cl.file);
	rc = 0;
out:
	buf_free(&out);
	cli_close(&cl);
	return rc;
}
