/*
 * catalog.c -- a shop's catalog in worker memory: categories, products,
 * SKUs, quantity tiers and level price lists, loaded in one go and kept
 * until shop.version moves (shop.c revalidates it at most twice a second),
 * so browsing costs no query. Contract prices are loaded per customer on
 * first use and dropped with the catalog. Descriptions and images are not
 * here (the detail page reads them). Checkout must read the database.
 * Everything hangs off cat->mem; catalog_get() owns the catalogs.
 */
#include "dinghuo.h"

#define CATALOG_MAX	8		/* shops per worker */
#define CONTRACTS_MAX	256		/* customers per catalog */

static struct catalog	*catalogs[CATALOG_MAX];

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
    "SELECT id, product_id, code, barcode, spec, unit, pack_size, min_qty, "
    "stock, price_fen, COALESCE(retail_price_fen, -1) FROM sku "
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
    "SELECT sku_id, price_fen FROM contract_price "
    "WHERE shop_id = ? AND customer_id = ? ORDER BY sku_id";

static int
cmp_id(const void *a, const void *b)
{
	int64_t	x = **(const int64_t *const *)a, y = **(const int64_t *const *)b;

	return x < y ? -1 : x > y;
}

/* Binary search in an array of pointers to structs that start with id. */
static void *
find_id(void *const *index, int n, int64_t id)
{
	int	lo = 0, hi = n - 1, mid;
	int64_t	v;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		v = *(const int64_t *)index[mid];
		if (v == id)
			return index[mid];
		if (v < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static char *
keep(struct catalog *cat, const struct db_res *r, int row, int col)
{
	const char	*v = db_cell(r, row, col);

	return arena_strdup(cat->mem, v ? v : "");
}

static int
load_categories(struct catalog *cat, struct arena *tmp)
{
	struct db_res	*r;
	int		 i;

	if (db_run(tmp, &r, sql_categories, "i", cat->shop_id) == -1)
		return -1;
	cat->ncategories = r->nrows;
	cat->categories = arena_alloc(cat->mem, (r->nrows + 1) *
	    sizeof(*cat->categories));
	for (i = 0; i < r->nrows; i++) {
		struct cat_category *k = &cat->categories[i];

		memset(k, 0, sizeof(*k));
		k->id = db_cell_i64(r, i, 0);
		k->parent_id = db_cell_i64(r, i, 1);
		k->name = keep(cat, r, i, 2);
		k->sort = (int)db_cell_i64(r, i, 3);
	}
	return 0;
}

static int
load_products(struct catalog *cat, struct arena *tmp)
{
	struct db_res	*r;
	int		 i;

	if (db_run(tmp, &r, sql_products, "i", cat->shop_id) == -1)
		return -1;
	cat->nproducts = r->nrows;
	cat->products = arena_alloc(cat->mem, (r->nrows + 1) *
	    sizeof(*cat->products));
	for (i = 0; i < r->nrows; i++) {
		struct cat_product *p = &cat->products[i];

		memset(p, 0, sizeof(*p));
		p->id = db_cell_i64(r, i, 0);
		p->category_id = db_cell_i64(r, i, 1);
		p->code = keep(cat, r, i, 2);
		p->name = keep(cat, r, i, 3);
		p->unit = keep(cat, r, i, 4);
		p->on_shelf = db_cell_i64(r, i, 5) != 0;
		p->visible = (db_cell_i64(r, i, 6) ? SHOP_MODE_ORDERING : 0) |
		    (db_cell_i64(r, i, 7) ? SHOP_MODE_WHOLESALE : 0) |
		    (db_cell_i64(r, i, 8) ? SHOP_MODE_RETAIL : 0);
		p->thumb = db_cell(r, i, 9) ? keep(cat, r, i, 9) : NULL;
	}
	return 0;
}

static int
load_skus(struct catalog *cat, struct arena *tmp)
{
	struct db_res		*r;
	struct cat_product	*p;
	int			 i;

	if (db_run(tmp, &r, sql_skus, "i", cat->shop_id) == -1)
		return -1;
	cat->nskus = r->nrows;
	cat->skus = arena_alloc(cat->mem, (r->nrows + 1) * sizeof(*cat->skus));
	for (i = 0; i < r->nrows; i++) {
		struct cat_sku *s = &cat->skus[i];

		memset(s, 0, sizeof(*s));
		s->id = db_cell_i64(r, i, 0);
		s->product_id = db_cell_i64(r, i, 1);
		s->code = keep(cat, r, i, 2);
		s->barcode = keep(cat, r, i, 3);
		s->spec = keep(cat, r, i, 4);
		s->unit = keep(cat, r, i, 5);
		s->pack_size = db_cell_i64(r, i, 6);
		s->min_qty = db_cell_i64(r, i, 7);
		s->stock = db_cell_i64(r, i, 8);
		s->price_fen = db_cell_i64(r, i, 9);
		s->retail_fen = db_cell_i64(r, i, 10);
		/* SKUs come grouped by product: link the first of each. */
		p = find_id((void *const *)cat->product_index, cat->nproducts,
		    s->product_id);
		if (p != NULL) {
			if (p->nskus == 0)
				p->skus = s;
			p->nskus++;
		}
	}
	return 0;
}

static int
load_tiers(struct catalog *cat, struct arena *tmp)
{
	struct db_res	*r;
	struct cat_sku	*s;
	int		 i;

	if (db_run(tmp, &r, sql_tiers, "i", cat->shop_id) == -1)
		return -1;
	cat->tiers = arena_alloc(cat->mem, (r->nrows + 1) * sizeof(*cat->tiers));
	for (i = 0; i < r->nrows; i++) {
		cat->tiers[i].min_qty = db_cell_i64(r, i, 1);
		cat->tiers[i].price_fen = db_cell_i64(r, i, 2);
		s = find_id((void *const *)cat->sku_index, cat->nskus,
		    db_cell_i64(r, i, 0));
		if (s != NULL) {
			if (s->ntiers == 0)
				s->tiers = &cat->tiers[i];
			s->ntiers++;
		}
	}
	return 0;
}

static int
load_price_lists(struct catalog *cat, struct arena *tmp)
{
	struct db_res		*l, *it;
	struct cat_price_list	*pl;
	int			 i, k = 0;

	if (db_run(tmp, &l, sql_lists, "i", cat->shop_id) == -1 ||
	    db_run(tmp, &it, sql_list_items, "i", cat->shop_id) == -1)
		return -1;
	cat->nlists = l->nrows;
	cat->lists = arena_alloc(cat->mem, (l->nrows + 1) *
	    sizeof(*cat->lists));
	cat->list_items = arena_alloc(cat->mem, (it->nrows + 1) *
	    sizeof(*cat->list_items));
	for (i = 0; i < it->nrows; i++) {
		cat->list_items[i].sku_id = db_cell_i64(it, i, 1);
		cat->list_items[i].price_fen = db_cell_i64(it, i, 2);
	}
	for (i = 0; i < l->nrows; i++) {
		pl = &cat->lists[i];
		pl->id = db_cell_i64(l, i, 0);
		pl->level_id = db_cell_i64(l, i, 1);
		pl->percent_bp = db_cell_i64(l, i, 2);
		/* Items come sorted by list id, and lists by id. */
		while (k < it->nrows && db_cell_i64(it, k, 0) < pl->id)
			k++;
		pl->items = &cat->list_items[k];
		pl->nitems = 0;
		while (k < it->nrows && db_cell_i64(it, k, 0) == pl->id) {
			pl->nitems++;
			k++;
		}
	}
	return 0;
}

static void **
make_index(struct arena *a, void *base, size_t size, int n)
{
	void	**ix = arena_alloc(a, (n + 1) * sizeof(*ix));
	int	  i;

	for (i = 0; i < n; i++)
		ix[i] = (char *)base + i * size;
	qsort(ix, n, sizeof(*ix), cmp_id);
	return ix;
}

/* Each category lists its products and its descendants' products. */
static void
index_categories(struct catalog *cat)
{
	struct cat_category	*k, *up;
	int			 i, depth;

	cat->category_index = (struct cat_category **)make_index(cat->mem,
	    cat->categories, sizeof(*cat->categories), cat->ncategories);
	for (i = 0; i < cat->nproducts; i++)
		for (k = find_id((void *const *)cat->category_index,
		    cat->ncategories, cat->products[i].category_id), depth = 0;
		    k != NULL && depth < 16; k = up, depth++) {
			k->nproducts++;
			up = find_id((void *const *)cat->category_index,
			    cat->ncategories, k->parent_id);
		}
	for (i = 0; i < cat->ncategories; i++) {
		k = &cat->categories[i];
		k->products = arena_alloc(cat->mem, (k->nproducts + 1) *
		    sizeof(*k->products));
		k->nproducts = 0;
	}
	for (i = 0; i < cat->nproducts; i++)
		for (k = find_id((void *const *)cat->category_index,
		    cat->ncategories, cat->products[i].category_id), depth = 0;
		    k != NULL && depth < 16; k = up, depth++) {
			k->products[k->nproducts++] = &cat->products[i];
			up = find_id((void *const *)cat->category_index,
			    cat->ncategories, k->parent_id);
		}
}

static void
catalog_free(struct catalog *cat)
{
	if (cat == NULL)
		return;
	arena_free(cat->mem);
	free(cat);
}

static struct catalog *
catalog_load(struct ctx *c)
{
	struct catalog	*cat = xcalloc(1, sizeof(*cat));
	struct arena	*tmp = arena_new(256 * 1024);
	double		 t0 = now_ms();
	int		 rc;

	cat->shop_id = c->shop->id;
	cat->version = c->shop->version;
	cat->mem = arena_new(256 * 1024);
	rc = load_categories(cat, tmp);
	if (rc == 0 && (rc = load_products(cat, tmp)) == 0)
		cat->product_index = (struct cat_product **)make_index(cat->mem,
		    cat->products, sizeof(*cat->products), cat->nproducts);
	if (rc == 0 && (rc = load_skus(cat, tmp)) == 0)
		cat->sku_index = (struct cat_sku **)make_index(cat->mem,
		    cat->skus, sizeof(*cat->skus), cat->nskus);
	if (rc == 0)
		rc = load_tiers(cat, tmp);
	if (rc == 0)
		rc = load_price_lists(cat, tmp);
	arena_free(tmp);
	if (rc != 0) {
		catalog_free(cat);
		return NULL;
	}
	index_categories(cat);
	clog_info(c, "catalog: loaded version %" PRId64 ": %d products, %d "
	    "SKUs, %d categories in %.1f ms", cat->version, cat->nproducts,
	    cat->nskus, cat->ncategories, now_ms() - t0);
	return cat;
}

/*
 * The request shop's catalog, loaded or reloaded when its version moved.
 * NULL on a database failure. Valid until the next catalog_get().
 */
const struct catalog *
catalog_get(struct ctx *c)
{
	struct catalog	*cat;
	int		 i, slot = -1;

	for (i = 0; i < CATALOG_MAX; i++) {
		if (catalogs[i] != NULL && catalogs[i]->shop_id == c->shop->id) {
			if (catalogs[i]->version == c->shop->version)
				return catalogs[i];
			slot = i;
			break;
		}
		if (catalogs[i] == NULL && slot == -1)
			slot = i;
	}
	if (slot == -1)		/* full: drop the least recently loaded */
		slot = 0;
	if ((cat = catalog_load(c)) == NULL)
		return NULL;
	catalog_free(catalogs[slot]);
	catalogs[slot] = cat;
	return cat;
}

void
catalog_cache_clear(void)
{
	int	i;

	for (i = 0; i < CATALOG_MAX; i++) {
		catalog_free(catalogs[i]);
		catalogs[i] = NULL;
	}
}

const struct cat_product *
catalog_product(const struct catalog *cat, int64_t id)
{
	return find_id((void *const *)cat->product_index, cat->nproducts, id);
}

const struct cat_sku *
catalog_sku(const struct catalog *cat, int64_t id)
{
	return find_id((void *const *)cat->sku_index, cat->nskus, id);
}

const struct cat_category *
catalog_category(const struct catalog *cat, int64_t id)
{
	return find_id((void *const *)cat->category_index, cat->ncategories,
	    id);
}

/* A customer's contract prices, loaded on first use. */
static const struct cat_contracts *
contracts_for(struct ctx *c, const struct catalog *ccat, int64_t customer_id)
{
	struct catalog		*cat = (struct catalog *)ccat;
	struct cat_contracts	*ct;
	struct db_res		*r;
	int			 i;

	for (i = 0; i < cat->ncontracts; i++)
		if (cat->contracts[i].customer_id == customer_id)
			return &cat->contracts[i];
	if (db_run(c->arena, &r, sql_contracts, "ii", cat->shop_id,
	    customer_id) == -1)
		return NULL;
	if (cat->contracts == NULL)
		cat->contracts = arena_alloc(cat->mem, CONTRACTS_MAX *
		    sizeof(*cat->contracts));
	if (cat->ncontracts == CONTRACTS_MAX)
		cat->ncontracts = 0;	/* start over; rare */
	ct = &cat->contracts[cat->ncontracts++];
	ct->customer_id = customer_id;
	ct->n = r->nrows;
	ct->items = arena_alloc(cat->mem, (r->nrows + 1) * sizeof(*ct->items));
	for (i = 0; i < r->nrows; i++) {
		ct->items[i].sku_id = db_cell_i64(r, i, 0);
		ct->items[i].price_fen = db_cell_i64(r, i, 1);
	}
	return ct;
}

static const struct cat_list_item *
find_item(const struct cat_list_item *v, int n, int64_t sku_id)
{
	int	lo = 0, hi = n - 1, mid;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (v[mid].sku_id == sku_id)
			return &v[mid];
		if (v[mid].sku_id < sku_id)
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
catalog_viewer(struct ctx *c, const struct catalog *cat, int mode,
    struct cat_viewer *v)
{
	int	i;

	memset(v, 0, sizeof(*v));
	v->mode = mode;
	if (c->sess.kind != SESS_CUSTOMER || mode == SHOP_MODE_RETAIL)
		return 0;
	v->customer_id = c->sess.customer_id;
	for (i = 0; i < cat->nlists; i++)
		if (c->sess.level_id != 0 &&
		    cat->lists[i].level_id == c->sess.level_id)
			v->list = &cat->lists[i];
	if ((v->contracts = contracts_for(c, cat, v->customer_id)) == NULL)
		return ERR_INTERNAL;
	return 0;
}

/* The unit price this viewer pays for qty of sku. 0 or -1. */
int
catalog_price(const struct cat_viewer *v, const struct cat_sku *s,
    int64_t qty, struct price_result *out)
{
	const struct cat_list_item	*it;
	struct price_input		 in;

	if (v->mode == SHOP_MODE_RETAIL) {
		out->unit_fen = s->retail_fen >= 0 ? s->retail_fen :
		    s->price_fen;
		out->source = PRICE_BASE;
		return 0;
	}
	memset(&in, 0, sizeof(in));
	in.base_fen = s->price_fen;
	in.tiers = s->tiers;
	in.ntiers = s->ntiers;
	in.qty = qty;
	if (v->list != NULL) {
		if ((it = find_item(v->list->items, v->list->nitems, s->id))
		    != NULL) {
			in.has_list_price = 1;
			in.list_price_fen = it->price_fen;
		}
		in.list_percent_bp = v->list->percent_bp;
	}
	if (v->contracts != NULL && (it = find_item(v->contracts->items,
	    v->contracts->n, s->id)) != NULL) {
		in.has_contract = 1;
		in.contract_fen = it->price_fen;
	}
	return price_resolve(&in, out);
}

static int
product_matches(const struct cat_product *p, const struct cat_query *q)
{
	int	i;

	if (!p->on_shelf || !(p->visible & q->mode) || p->nskus == 0)
		return 0;
	if (q->q == NULL || *q->q == '\0')
		return 1;
	if (strcasestr(p->name, q->q) != NULL || strcasecmp(p->code, q->q) == 0)
		return 1;
	for (i = 0; i < p->nskus; i++)
		if (strcasecmp(p->skus[i].code, q->q) == 0 ||
		    (*p->skus[i].barcode && strcmp(p->skus[i].barcode,
		    q->q) == 0))
			return 1;
	return 0;
}

/* The lowest base price of a product's SKUs: what price sorting uses. */
int64_t
catalog_from_price(const struct cat_product *p)
{
	int64_t	min = INT64_MAX;
	int	i;

	for (i = 0; i < p->nskus; i++)
		if (p->skus[i].price_fen < min)
			min = p->skus[i].price_fen;
	return min;
}

static int
cmp_price_asc(const void *a, const void *b)
{
	int64_t	x = catalog_from_price(*(const struct cat_product *const *)a);
	int64_t	y = catalog_from_price(*(const struct cat_product *const *)b);

	return x < y ? -1 : x > y;
}

static int
cmp_price_desc(const void *a, const void *b)
{
	return cmp_price_asc(b, a);
}

/*
 * One page of the products a storefront shows, filtered by category
 * (with its subcategories) and search text, sorted. Pages count from 1;
 * a page past the end is empty. The array lives in arena a.
 */
void
catalog_list(struct arena *a, const struct catalog *cat,
    const struct cat_query *q, struct cat_page *pg)
{
	const struct cat_category	 *k = NULL;
	const struct cat_product	**all, *p;
	int64_t				  skip;
	int				  i, n, total = 0;

	memset(pg, 0, sizeof(*pg));
	if (q->category_id != 0 &&
	    (k = catalog_category(cat, q->category_id)) == NULL)
		return;
	n = k ? k->nproducts : cat->nproducts;
	all = arena_alloc(a, (n + 1) * sizeof(*all));
	for (i = 0; i < n; i++) {
		p = k ? k->products[i] : (q->sort == CAT_SORT_NEW ?
		    cat->product_index[n - 1 - i] : &cat->products[i]);
		if (product_matches(p, q))
			all[total++] = p;
	}
	if (q->sort == CAT_SORT_PRICE_ASC)
		qsort(all, total, sizeof(*all), cmp_price_asc);
	else if (q->sort == CAT_SORT_PRICE_DESC)
		qsort(all, total, sizeof(*all), cmp_price_desc);
	pg->total = total;
	pg->per_page = q->per_page;
	pg->pages = (total + q->per_page - 1) / q->per_page;
	pg->page = q->page;
	skip = (q->page - 1) * q->per_page;
	if (skip >= total)
		return;
	pg->items = all + skip;
	pg->n = total - skip < q->per_page ? (int)(total - skip) : q->per_page;
}
