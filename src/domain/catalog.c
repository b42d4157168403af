/*
 * catalog.c -- what the storefront lists need of a shop's catalog, in
 * worker memory: categories, products (name, code, unit, thumbnail,
 * shelf and visibility), SKU prices, quantity tiers and level price
 * lists. Loaded by streaming rows, kept until shop.version moves (shop.c
 * revalidates it at most twice a second), so browsing costs no query.
 * Compact on purpose (every worker holds a copy): strings live in one
 * pool addressed by 32-bit offsets, links are array indexes. SKU details
 * (code, spec, stock) and descriptions are read from the database by the
 * product page; checkout must read the database too. Contract prices are
 * loaded per customer on first use. catalog_get() owns the catalogs: the
 * least recently used shops' go once they pass catalog_cache_bytes.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/catalog.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "domain/catalog_cache.h"
#include "domain/catalog_map.h"
#include "domain/catalog_order.h"
#include "domain/catalog_search.h"

#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

static struct catalog_cache	cache;

static const char sql_categories[] =
    "SELECT id, COALESCE(parent_id, 0), name, sort FROM category "
    "WHERE shop_id = ? ORDER BY sort, id";
static const char sql_products[] =
    "SELECT p.id, COALESCE(p.category_id, 0), p.code, p.name, p.unit, "
    "p.on_shelf, FIND_IN_SET('ordering', p.visible) > 0, "
    "FIND_IN_SET('wholesale', p.visible) > 0, "
    "FIND_IN_SET('retail', p.visible) > 0, "
    "(SELECT thumb_path FROM product_image i WHERE i.product_id = p.id "
    "ORDER BY i.sort, i.id LIMIT 1) "
    "FROM product p WHERE p.shop_id = ? ORDER BY p.sort, p.id";
static const char sql_skus[] =
    "SELECT id, product_id, min_qty, price_fen, "
    "COALESCE(retail_price_fen, -1), IF(pack_only AND pack_size > 1, "
    "CEIL(min_qty / pack_size) * pack_size, min_qty), code, barcode FROM sku "
    "WHERE shop_id = ? ORDER BY product_id, sort, id";
static const char sql_tiers[] =
    "SELECT sku_id, min_qty, price_fen FROM price_tier WHERE shop_id = ? "
    "ORDER BY sku_id, min_qty";
static const char sql_lists[] =
    "SELECT id, level_id, COALESCE(percent_bp, 0) FROM price_list "
    "WHERE shop_id = ? ORDER BY id";
static const char sql_list_items[] =
    "SELECT price_list_id, sku_id, price_fen FROM price_list_item "
    "WHERE shop_id = ? ORDER BY price_list_id, sku_id";
static const char sql_contracts[] =
    "SELECT sku_id, price_fen, binding FROM contract_price "
    "WHERE shop_id = ? AND customer_id = ? ORDER BY sku_id";

/* Grow an array of n elements of size sz to hold one more. */
static void *
grow(void *v, uint32_t n, uint32_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 64;
	return xrealloc(v, *cap * sz);
}

static int64_t
i64(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

/* Put s in the pool; 0 is the empty string. */
static uint32_t
str_put(struct catalog *cat, const char *s)
{
	size_t	n = s ? strlen(s) : 0;
	size_t	off = cat->pool.len;

	if (n == 0)
		return 0;
	buf_add(&cat->pool, s, n + 1);
	return (uint32_t)off;
}

const char *
cat_str(const struct catalog *cat, uint32_t off)
{
	return cat->pool.p + off;
}

static int
row_category(void *arg, const char **row, int n)
{
	struct catalog		*cat = arg;
	struct cat_category	*k;

	(void)n;
	cat->categories = grow(cat->categories, cat->ncategories,
	    &cat->cap_categories, sizeof(*k));
	k = &cat->categories[cat->ncategories++];
	memset(k, 0, sizeof(*k));
	k->id = i64(row[0]);
	k->parent_id = i64(row[1]);
	k->name = str_put(cat, row[2]);
	k->sort = (int32_t)i64(row[3]);
	return 0;
}

static int
row_product(void *arg, const char **row, int n)
{
	struct catalog		*cat = arg;
	struct cat_product	*p;

	(void)n;
	cat->products = grow(cat->products, cat->nproducts,
	    &cat->cap_products, sizeof(*p));
	p = &cat->products[cat->nproducts++];
	memset(p, 0, sizeof(*p));
	p->id = i64(row[0]);
	p->category_id = i64(row[1]);
	p->code = str_put(cat, row[2]);
	p->name = str_put(cat, row[3]);
	p->unit = str_put(cat, row[4]);
	p->on_shelf = i64(row[5]) != 0;
	p->visible = (i64(row[6]) ? SHOP_MODE_ORDERING : 0) |
	    (i64(row[7]) ? SHOP_MODE_WHOLESALE : 0) |
	    (i64(row[8]) ? SHOP_MODE_RETAIL : 0);
	p->thumb = str_put(cat, row[9]);
	cat_search_add_code(cat->search, cat->nproducts - 1, row[2]);
	return 0;
}

/* Index of the element with this id in by_id (sorted), or -1. */
static int64_t
find_index(const uint32_t *by_id, uint32_t n, const void *base, size_t sz,
    int64_t id)
{
	int64_t	lo = 0, hi = (int64_t)n - 1, mid, v;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		v = *(const int64_t *)((const char *)base + by_id[mid] * sz);
		if (v == id)
			return by_id[mid];
		if (v < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int
row_sku(void *arg, const char **row, int n)
{
	struct catalog		*cat = arg;
	struct cat_sku		*s;
	struct cat_product	*p;
	int64_t			 pi;

	(void)n;
	pi = find_index(cat->product_by_id, cat->nproducts, cat->products,
	    sizeof(*cat->products), i64(row[1]));
	if (pi < 0)
		return 0;
	cat->skus = grow(cat->skus, cat->nskus, &cat->cap_skus, sizeof(*s));
	s = &cat->skus[cat->nskus];
	memset(s, 0, sizeof(*s));
	s->id = i64(row[0]);
	s->min_qty = (int32_t)i64(row[2]);
	s->price_fen = i64(row[3]);
	s->retail_fen = i64(row[4]);
	s->qty_first = (int32_t)i64(row[5]);
	/* Rows come grouped by product. */
	p = &cat->products[pi];
	if (p->nskus == 0)
		p->first_sku = cat->nskus;
	p->nskus++;
	cat->nskus++;
	cat_search_add_code(cat->search, (uint32_t)pi, row[6]);
	cat_search_add_code(cat->search, (uint32_t)pi, row[7]);
	return 0;
}

static int
row_tier(void *arg, const char **row, int n)
{
	struct catalog	*cat = arg;
	struct cat_sku	*s;
	int64_t		 si;

	(void)n;
	si = find_index(cat->sku_by_id, cat->nskus, cat->skus,
	    sizeof(*cat->skus), i64(row[0]));
	if (si < 0)
		return 0;
	cat->tiers = grow(cat->tiers, cat->ntiers, &cat->cap_tiers,
	    sizeof(*cat->tiers));
	cat->tiers[cat->ntiers].min_qty = i64(row[1]);
	cat->tiers[cat->ntiers].price_fen = i64(row[2]);
	s = &cat->skus[si];
	if (s->ntiers == 0)
		s->first_tier = cat->ntiers;
	s->ntiers++;
	cat->ntiers++;
	return 0;
}

static int
row_list(void *arg, const char **row, int n)
{
	struct catalog		*cat = arg;
	struct cat_price_list	*pl;

	(void)n;
	cat->lists = grow(cat->lists, cat->nlists, &cat->cap_lists,
	    sizeof(*pl));
	pl = &cat->lists[cat->nlists++];
	memset(pl, 0, sizeof(*pl));
	pl->id = i64(row[0]);
	pl->level_id = i64(row[1]);
	pl->percent_bp = i64(row[2]);
	return 0;
}

static int
row_list_item(void *arg, const char **row, int n)
{
	struct catalog		*cat = arg;
	struct cat_price_list	*pl = NULL;
	uint32_t		 i;
	int64_t			 list = i64(row[0]);

	(void)n;
	for (i = 0; i < cat->nlists; i++)
		if (cat->lists[i].id == list)
			pl = &cat->lists[i];
	if (pl == NULL)
		return 0;
	cat->list_items = grow(cat->list_items, cat->nlist_items,
	    &cat->cap_list_items, sizeof(*cat->list_items));
	cat->list_items[cat->nlist_items].sku_id = i64(row[1]);
	cat->list_items[cat->nlist_items].price_fen = i64(row[2]);
	if (pl->nitems == 0)
		pl->first = cat->nlist_items;
	pl->nitems++;
	cat->nlist_items++;
	return 0;
}

static const void	*sort_base;
static size_t		 sort_size;

static int
cmp_by_id(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)((const char *)sort_base +
	    *(const uint32_t *)a * sort_size);
	int64_t	y = *(const int64_t *)((const char *)sort_base +
	    *(const uint32_t *)b * sort_size);

	return x < y ? -1 : x > y;
}

static uint32_t *
index_by_id(const void *base, uint32_t n, size_t sz)
{
	uint32_t	*ix = xmalloc((n + 1) * sizeof(*ix));
	uint32_t	 i;

	for (i = 0; i < n; i++)
		ix[i] = i;
	sort_base = base;
	sort_size = sz;
	qsort(ix, n, sizeof(*ix), cmp_by_id);
	return ix;
}

const struct cat_category *
catalog_category(const struct catalog *cat, int64_t id)
{
	int64_t	i = find_index(cat->category_by_id, cat->ncategories,
	    cat->categories, sizeof(*cat->categories), id);

	return i < 0 ? NULL : &cat->categories[i];
}

/*
 * Each category lists its products and its descendants' products.
 * Returns the length of the list of lists, cat->category_products.
 */
static uint32_t
index_categories(struct catalog *cat)
{
	const struct cat_category	*k;
	uint32_t			 i, *fill, n;
	int				 depth;

	cat->category_by_id = index_by_id(cat->categories, cat->ncategories,
	    sizeof(*cat->categories));
	for (i = 0; i < cat->nproducts; i++)
		for (k = catalog_category(cat, cat->products[i].category_id),
		    depth = 0; k != NULL && depth < 16; depth++) {
			((struct cat_category *)k)->nproducts++;
			k = catalog_category(cat, k->parent_id);
		}
	for (i = 0, n = 0; i < cat->ncategories; i++) {
		cat->categories[i].first = n;
		n += cat->categories[i].nproducts;
		cat->categories[i].nproducts = 0;
	}
	cat->category_products = xmalloc((n + 1) * sizeof(uint32_t));
	fill = cat->category_products;
	for (i = 0; i < cat->nproducts; i++)
		for (k = catalog_category(cat, cat->products[i].category_id),
		    depth = 0; k != NULL && depth < 16; depth++) {
			struct cat_category *w = (struct cat_category *)k;

			fill[w->first + w->nproducts++] = i;
			k = catalog_category(cat, k->parent_id);
		}
	return n;
}

/* Give back what doubling left unused. */
static void
shrink(struct catalog *cat)
{
#define FIT(v, n) ((v) = xrealloc((v), ((n) + 1) * sizeof(*(v))))
	FIT(cat->categories, cat->ncategories);
	FIT(cat->products, cat->nproducts);
	FIT(cat->skus, cat->nskus);
	FIT(cat->tiers, cat->ntiers);
	FIT(cat->lists, cat->nlists);
	FIT(cat->list_items, cat->nlist_items);
#undef FIT
	cat->pool.p = xrealloc(cat->pool.p, cat->pool.len + 1);
	cat->pool.cap = cat->pool.len + 1;
}

/* What the arrays of a catalog just loaded take (each has one spare). */
static size_t
catalog_bytes(const struct catalog *cat, uint32_t nlisted)
{
	size_t	ix = sizeof(uint32_t);

	return sizeof(*cat) + cat->pool.cap +
	    (cat->ncategories + 1) * (sizeof(*cat->categories) + ix) +
	    (nlisted + 1) * ix +
	    (cat->nproducts + 1) * (sizeof(*cat->products) + ix) +
	    (cat->nskus + 1) * (sizeof(*cat->skus) + ix) +
	    (cat->ntiers + 1) * sizeof(*cat->tiers) +
	    (cat->nlists + 1) * sizeof(*cat->lists) +
	    (cat->nlist_items + 1) * sizeof(*cat->list_items);
}

static struct catalog *
catalog_load(struct dctx *c)
{
	struct catalog	*cat = xcalloc(1, sizeof(*cat));
	int64_t		 id = c->shop->id;
	int		 rc;

	cat->shop_id = id;
	cat->version = c->shop->version;
	cat->search = cat_search_new();
	buf_init(&cat->pool, 64 * 1024);
	buf_addc(&cat->pool, '\0');	/* offset 0: "" */
	rc = db_each(sql_categories, row_category, cat, "i", id);
	if (rc == 0)
		rc = db_each(sql_products, row_product, cat, "i", id);
	if (rc == 0) {
		cat->product_by_id = index_by_id(cat->products, cat->nproducts,
		    sizeof(*cat->products));
		rc = db_each(sql_skus, row_sku, cat, "i", id);
	}
	if (rc == 0) {
		cat->sku_by_id = index_by_id(cat->skus, cat->nskus,
		    sizeof(*cat->skus));
		rc = db_each(sql_tiers, row_tier, cat, "i", id);
	}
	if (rc == 0)
		rc = db_each(sql_lists, row_list, cat, "i", id);
	if (rc == 0)
		rc = db_each(sql_list_items, row_list_item, cat, "i", id);
	if (rc != 0) {
		catalog_free(cat);
		return NULL;
	}
	shrink(cat);
	cat->bytes = catalog_bytes(cat, index_categories(cat));
	cat_order_build(cat);
	cat->bytes += cat_order_bytes(cat->orders);
	cat_search_build(cat->search, cat);
	cat->bytes += cat_search_bytes(cat->search);
	malloc_trim(0);
	return cat;
}

/*
 * The shop's catalog of this version as the host's shared file (see
 * catalog_map.c): mapped if some worker wrote it; else written by this
 * one, under the shop's lock file, from the database, and then mapped.
 * While another worker writes it, one that has an older version keeps
 * serving that (*busy: NULL); one with none waits for the file, which is
 * sooner than loading its own. NULL (and not busy): load privately.
 */
static struct catalog *
shared(struct dctx *c, int have_old, int *busy)
{
	struct catalog	*cat, *built;
	const char	*dir, *path, *lock;
	int		 fd;

	*busy = 0;
	if ((dir = catalog_map_dir(c->arena)) == NULL)
		return NULL;
	path = arena_printf(c->arena, "%s/catalog-%" PRId64 "-%" PRId64 ".bin",
	    dir, c->shop->id, c->shop->version);
	if ((cat = catalog_map_open(path, c->shop->id, c->shop->version))
	    != NULL)
		return cat;
	lock = arena_printf(c->arena, "%s/catalog-%" PRId64 ".lock", dir,
	    c->shop->id);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return NULL;
	if (flock(fd, LOCK_EX | (have_old ? LOCK_NB : 0)) == -1) {
		*busy = errno == EWOULDBLOCK;
		close(fd);
		return NULL;
	}
	/* Written while this one waited? */
	if ((cat = catalog_map_open(path, c->shop->id, c->shop->version))
	    == NULL && (built = catalog_load(c)) != NULL) {
		if (catalog_map_write(built, path) == 0) {
			catalog_map_prune(dir, c->shop->id, c->shop->version);
			cat = catalog_map_open(path, c->shop->id,
			    c->shop->version);
		}
		if (cat == NULL)	/* no file: the private one, then */
			cat = built;
		else
			catalog_free(built);
		malloc_trim(0);
	}
	close(fd);		/* and the lock with it */
	return cat;
}

/*
 * The request shop's catalog, loaded or reloaded when its version moved.
 * NULL on a database failure. Valid until the next catalog_get().
 */
const struct catalog *
catalog_get(struct dctx *c)
{
	struct catalog	*cat, *old;
	size_t		 max = (size_t)conf.catalog_cache_bytes;
	double		 t0;
	int		 busy;

	if ((old = catalog_cache_find(&cache, c->shop->id)) != NULL &&
	    old->version == c->shop->version) {
		catalog_cache_fit(&cache, max);	/* contracts grew */
		return old;
	}
	t0 = now_ms();
	if ((cat = shared(c, old != NULL, &busy)) == NULL && busy)
		return old;	/* being written: the old one until then */
	/* Free the old one first: two at once would double the peak. */
	if (old != NULL)
		catalog_cache_drop(&cache, old);
	if (cat == NULL && (cat = catalog_load(c)) == NULL)
		return NULL;
	catalog_cache_add(&cache, cat, max);
	clog_info(c, "catalog: loaded version %" PRId64 " (%s): %u products, "
	    "%u SKUs, %u categories, %zu KB (%zu of text, %s) in %.1f ms; cache: "
	    "%zu shops, %zu KB, %" PRIu64 " evicted", cat->version, cat->map ?
	    "the host's file, mapped" : "this worker's own",
	    cat->nproducts, cat->nskus, cat->ncategories, cat->bytes / 1024,
	    cat->pool.len / 1024, cat_search_stats(cat->search, c->arena),
	    now_ms() - t0, cache.n, cache.bytes / 1024, cache.evicted);
	return cat;
}

void
catalog_cache_clear(void)
{
	catalog_cache_empty(&cache);
}

const struct cat_product *
catalog_product(const struct catalog *cat, int64_t id)
{
	int64_t	i = find_index(cat->product_by_id, cat->nproducts,
	    cat->products, sizeof(*cat->products), id);

	return i < 0 ? NULL : &cat->products[i];
}

const struct cat_sku *
catalog_sku(const struct catalog *cat, int64_t id)
{
	int64_t	i = find_index(cat->sku_by_id, cat->nskus, cat->skus,
	    sizeof(*cat->skus), id);

	return i < 0 ? NULL : &cat->skus[i];
}

const struct cat_sku *
cat_skus(const struct catalog *cat, const struct cat_product *p)
{
	return &cat->skus[p->first_sku];
}

const struct price_tier *
cat_tiers(const struct catalog *cat, const struct cat_sku *s)
{
	return &cat->tiers[s->first_tier];
}

struct contract_load {
	struct cat_contract_item *items;
	uint32_t		 n;
	uint32_t		 cap;
};

static int
row_contract(void *arg, const char **row, int n)
{
	struct contract_load	*cl = arg;

	(void)n;
	cl->items = grow(cl->items, cl->n, &cl->cap, sizeof(*cl->items));
	cl->items[cl->n].sku_id = i64(row[0]);
	cl->items[cl->n].price_fen = i64(row[1]);
	cl->items[cl->n].binding = i64(row[2]) != 0;
	cl->n++;
	return 0;
}

/* A customer's contract prices, loaded on first use. */
static const struct cat_contracts *
contracts_for(const struct catalog *ccat, int64_t customer_id)
{
	struct catalog		*cat = (struct catalog *)ccat;
	struct cat_contracts	*ct;
	struct contract_load	 cl = { NULL, 0, 0 };
	uint32_t		 i;

	for (i = 0; i < cat->ncontracts; i++)
		if (cat->contracts[i].customer_id == customer_id)
			return &cat->contracts[i];
	if (db_each(sql_contracts, row_contract, &cl, "ii", cat->shop_id,
	    customer_id) == -1) {
		free(cl.items);
		return NULL;
	}
	if (cat->ncontracts == CATALOG_CONTRACTS_MAX)	/* rare: start over */
		catalog_contracts_free(cat);
	if (cat->contracts == NULL) {
		cat->contracts = xcalloc(CATALOG_CONTRACTS_MAX,
		    sizeof(*cat->contracts));
		cat->bytes += CATALOG_CONTRACTS_MAX * sizeof(*cat->contracts);
	}
	ct = &cat->contracts[cat->ncontracts++];
	ct->customer_id = customer_id;
	ct->items = xrealloc(cl.items, (cl.n + 1) * sizeof(*cl.items));
	ct->n = cl.n;
	cat->bytes += (ct->n + 1) * sizeof(*ct->items);
	return ct;
}

/* The element of v (n of size sz, sorted by a leading int64_t sku_id)
 * for the SKU, or NULL. */
static const void *
find_item(const void *v, uint32_t n, size_t sz, int64_t sku_id)
{
	int64_t	lo = 0, hi = (int64_t)n - 1, mid, id;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		id = *(const int64_t *)((const char *)v + mid * sz);
		if (id == sku_id)
			return (const char *)v + mid * sz;
		if (id < sku_id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/*
 * Who is looking, for prices: the storefront, and for a logged-in
 * customer their company, level and contract prices. 0 or ERR_INTERNAL.
 */
int
catalog_viewer(struct dctx *c, const struct catalog *cat, int mode,
    struct cat_viewer *v)
{
	uint32_t	i;

	memset(v, 0, sizeof(*v));
	v->mode = mode;
	v->cat = cat;
	/* A retail consumer sees a guest's prices outside the retail mall. */
	if (!SESS_DEALER(&c->sess) || mode == SHOP_MODE_RETAIL)
		return 0;
	v->customer_id = c->sess.customer_id;
	for (i = 0; i < cat->nlists; i++)
		if (c->sess.level_id != 0 &&
		    cat->lists[i].level_id == c->sess.level_id)
			v->list = &cat->lists[i];
	if ((v->contracts = contracts_for(cat, v->customer_id)) == NULL)
		return ERR_INTERNAL;
	return 0;
}

/* The unit price this viewer pays for qty of sku. 0 or -1. */
int
catalog_price(const struct cat_viewer *v, const struct cat_sku *s,
    int64_t qty, struct price_result *out)
{
	struct cat_viewer		*m = (struct cat_viewer *)v;
	const struct cat_list_item	*it;
	const struct cat_contract_item	*ct;
	struct price_input		 in;

	if (v->mode == SHOP_MODE_RETAIL) {
		memset(out, 0, sizeof(*out));
		out->unit_fen = s->retail_fen >= 0 ? s->retail_fen :
		    s->price_fen;
		out->source = PRICE_BASE;
		out->tier_fen = out->unit_fen;
		out->tier_source = PRICE_BASE;
		out->level_fen = -1;
		return 0;
	}
	memset(&in, 0, sizeof(in));
	in.base_fen = s->price_fen;
	in.tiers = cat_tiers(v->cat, s);
	in.ntiers = s->ntiers;
	in.qty = qty;
	/* A SKU's tiers ask again and again: search its prices once. */
	if (v->memo_sku != s) {
		m->memo_sku = s;
		m->memo_item = v->list == NULL ? NULL :
		    find_item(v->cat->list_items + v->list->first,
		    v->list->nitems, sizeof(*it), s->id);
		m->memo_contract = v->contracts == NULL ? NULL :
		    find_item(v->contracts->items, v->contracts->n,
		    sizeof(*ct), s->id);
	}
	if (v->list != NULL) {
		if ((it = v->memo_item) != NULL) {
			in.has_list_price = 1;
			in.list_price_fen = it->price_fen;
		}
		in.list_percent_bp = v->list->percent_bp;
	}
	if ((ct = v->memo_contract) != NULL) {
		in.has_contract = 1;
		in.contract_fen = ct->price_fen;
		in.contract_binding = ct->binding;
	}
	return price_resolve(&in, out);
}

/* The lowest base price of a product's SKUs: what price sorting uses. */
static int64_t
from_price(const struct catalog *cat, const struct cat_product *p)
{
	const struct cat_sku	*s = cat_skus(cat, p);
	int64_t			 min = INT64_MAX;
	int			 i;

	for (i = 0; i < p->nskus; i++)
		if (s[i].price_fen < min)
			min = s[i].price_fen;
	return min;
}

static const struct catalog *sort_cat;

static int
cmp_price_asc(const void *a, const void *b)
{
	int64_t	x = from_price(sort_cat, *(const struct cat_product *const *)a);
	int64_t	y = from_price(sort_cat, *(const struct cat_product *const *)b);

	return x < y ? -1 : x > y;
}

static int
cmp_price_desc(const void *a, const void *b)
{
	return cmp_price_asc(b, a);
}

/* Newest first: ids grow with time. */
static int
cmp_new(const void *a, const void *b)
{
	int64_t	x = (*(const struct cat_product *const *)a)->id;
	int64_t	y = (*(const struct cat_product *const *)b)->id;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * A page of a search's hits (catalog_search.c): each rank sorted as the
 * list is, after the ranks before it. In the default order the hits
 * already are and only the page's products are looked at.
 */
static void
page_of_hits(struct dctx *c, const struct catalog *cat,
    const struct cat_query *q, const struct cat_hits *h, struct cat_page *pg)
{
	int				(*cmp)(const void *, const void *);
	const struct cat_product	**all;
	uint32_t			  i, r, first, n, skip;

	cmp = q->sort == CAT_SORT_PRICE_ASC ? cmp_price_asc :
	    q->sort == CAT_SORT_PRICE_DESC ? cmp_price_desc :
	    q->sort == CAT_SORT_NEW ? cmp_new : NULL;
	pg->total = h->n;
	pg->per_page = q->per_page;
	pg->pages = (h->n + q->per_page - 1) / q->per_page;
	if ((q->page - 1) * q->per_page >= h->n)
		return;
	skip = (uint32_t)((q->page - 1) * q->per_page);
	n = h->n - skip < (uint32_t)q->per_page ? h->n - skip :
	    (uint32_t)q->per_page;
	if (cmp == NULL) {
		all = arena_alloc(c->arena, (n + 1) * sizeof(*all));
		for (i = 0; i < n; i++)
			all[i] = &cat->products[h->idx[skip + i]];
	} else {
		all = arena_alloc(c->arena, (h->n + 1) * sizeof(*all));
		for (i = 0; i < h->n; i++)
			all[i] = &cat->products[h->idx[i]];
		sort_cat = cat;
		for (r = first = 0; r < CAT_RANKS; first += h->nrank[r++])
			qsort(all + first, h->nrank[r], sizeof(*all), cmp);
		all += skip;
	}
	pg->items = all;
	pg->n = (int)n;
}

/*
 * One page of the products a storefront shows, filtered by category
 * (with its subcategories) and search text (catalog_search.c: words of
 * the name, a product code, SKU code or barcode or the start of one),
 * sorted; a search's best matches first. Pages count from 1; a page past
 * the end is empty. The page's array lives in the request arena. 0, or
 * ERR_INVALID for a search text too long or not UTF-8 (c->error says).
 */
int
catalog_list(struct dctx *c, const struct catalog *cat,
    const struct cat_query *q, struct cat_page *pg)
{
	const struct cat_category	 *k = NULL;
	struct cat_search_filter	  f;
	struct cat_hits			  h;
	size_t				  kept;
	int				  words;

	memset(pg, 0, sizeof(*pg));
	pg->page = q->page;
	if (q->q != NULL && (c->error = cat_search_problem(q->q)) != NULL)
		return ERR_INVALID;
	if (q->category_id != 0 &&
	    (k = catalog_category(cat, q->category_id)) == NULL)
		return 0;
	f.mode = q->mode;
	f.only = k ? cat->category_products + k->first : NULL;
	f.nonly = k ? k->nproducts : 0;
	if (q->q != NULL && *q->q != '\0') {
		kept = cat_search_bytes(cat->search);
		words = cat_search_query(cat->search, cat, q->q, &f, c->arena,
		    &h);
		/* Words' results it kept count against the cache's cap. */
		((struct catalog *)cat)->bytes += cat_search_bytes(cat->search) -
		    kept;
		if (words > 0) {
			page_of_hits(c, cat, q, &h, pg);
			return 0;
		}
	}
	/* No pass over the list: its page only (catalog_order.c). */
	kept = cat_order_bytes(cat->orders);
	cat_order_page((struct catalog *)cat, c->arena, k, q, pg);
	((struct catalog *)cat)->bytes += cat_order_bytes(cat->orders) - kept;
	return 0;
}
