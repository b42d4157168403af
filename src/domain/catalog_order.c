/*
 * catalog_order.c -- a storefront list's page without a pass over the
 * list: each list (every product, a category with its subcategories) is
 * an array of product indexes in its order, a byte per entry with the
 * storefronts that list it (cat_listed), and per 256 entries how many each
 * storefront lists before them. A page finds its first row by a binary
 * search of those counts and a scan of at most 256 bytes, then reads its
 * 20 rows; the total is two such counts. The default order is built with
 * the catalog; the other orders of a list (newest, price) the first time
 * one is asked for, by one sort, and kept with the catalog version (at
 * most ORDER_KEPT of them and ORDER_KEPT_BYTES, least recently used out):
 * the next page and the next shopper pay nothing. No database here.
 */
#include "base/base.h"
#include "domain/catalog.h"
#include "domain/catalog_order.h"
#include "domain/shop.h"

#define ORDER_BLOCK		256
#define ORDER_KEPT		16
#define ORDER_KEPT_BYTES	(4u << 20)

static int
mode_ix(int mode)
{
	return mode == SHOP_MODE_ORDERING ? 0 : mode == SHOP_MODE_WHOLESALE ?
	    1 : 2;
}

static uint8_t
listed_bits(const struct cat_product *p)
{
	if (!p->on_shelf || p->nskus == 0)
		return 0;
	return p->visible & (SHOP_MODE_ORDERING | SHOP_MODE_WHOLESALE |
	    SHOP_MODE_RETAIL);
}

/* A sequence of idx (NULL: 0 .. n-1) with its modes and block counts. */
static void
seq_init(struct cat_seq *sq, const struct catalog *cat, uint32_t *idx,
    uint32_t n)
{
	uint32_t	i, b, c[3] = { 0, 0, 0 };
	uint8_t		m;

	sq->idx = idx;
	sq->n = n;
	sq->modes = xmalloc(n + 1);
	sq->blocks = xmalloc((n / ORDER_BLOCK + 1) * 3 * sizeof(uint32_t));
	for (i = 0; i < n; i++) {
		if (i % ORDER_BLOCK == 0) {
			b = i / ORDER_BLOCK * 3;
			sq->blocks[b] = c[0];
			sq->blocks[b + 1] = c[1];
			sq->blocks[b + 2] = c[2];
		}
		m = listed_bits(&cat->products[idx ? idx[i] : i]);
		sq->modes[i] = m;
		c[0] += (m & SHOP_MODE_ORDERING) != 0;
		c[1] += (m & SHOP_MODE_WHOLESALE) != 0;
		c[2] += (m & SHOP_MODE_RETAIL) != 0;
	}
	if (n % ORDER_BLOCK == 0) {	/* the block that starts at n */
		b = n / ORDER_BLOCK * 3;
		sq->blocks[b] = c[0];
		sq->blocks[b + 1] = c[1];
		sq->blocks[b + 2] = c[2];
	}
}

static size_t
seq_bytes(const struct cat_seq *sq, int own_idx)
{
	return sq->n + 1 + (sq->n / ORDER_BLOCK + 1) * 3 * sizeof(uint32_t) +
	    (own_idx ? (sq->n + 1) * sizeof(uint32_t) : 0);
}

static void
seq_free(struct cat_seq *sq, int own_idx)
{
	free(sq->modes);
	free(sq->blocks);
	if (own_idx)
		free(sq->idx);
	memset(sq, 0, sizeof(*sq));
}

/* Entries before pos that the storefront (mode bit, its index) lists. */
static uint32_t
seq_rank(const struct cat_seq *sq, uint32_t pos, uint8_t bit, int mi)
{
	uint32_t	i = pos / ORDER_BLOCK * ORDER_BLOCK;
	uint32_t	r = sq->blocks[pos / ORDER_BLOCK * 3 + mi];

	for (; i < pos; i++)
		r += (sq->modes[i] & bit) != 0;
	return r;
}

/* The position of the entry listed with rank r (there is one). */
static uint32_t
seq_select(const struct cat_seq *sq, uint32_t lo, uint32_t r, uint8_t bit,
    int mi)
{
	uint32_t	bl = lo / ORDER_BLOCK, bh = (sq->n - 1) / ORDER_BLOCK,
			mid, i, c;

	/* The last block that starts at or below rank r. */
	while (bl < bh) {
		mid = bl + (bh - bl + 1) / 2;
		if (sq->blocks[mid * 3 + mi] <= r)
			bl = mid;
		else
			bh = mid - 1;
	}
	i = bl * ORDER_BLOCK;
	if (i < lo)
		i = lo;
	c = seq_rank(sq, i, bit, mi);
	for (; i < sq->n; i++)
		if (sq->modes[i] & bit) {
			if (c == r)
				return i;
			c++;
		}
	return sq->n;		/* not reached */
}

/* The lowest base price of a product's SKUs: what price sorting uses. */
static int64_t
from_price(const struct catalog *cat, const struct cat_product *p)
{
	const struct cat_sku	*s = &cat->skus[p->first_sku];	/* no call:
					 * catalog.c calls this file */
	int64_t			 min = INT64_MAX;
	int			 i;

	for (i = 0; i < p->nskus; i++)
		if (s[i].price_fen < min)
			min = s[i].price_fen;
	return min;
}

struct sortkey {
	int64_t		 key;
	uint32_t	 pos;		/* in the default order: ties */
	uint32_t	 idx;
};

static int
cmp_key(const void *a, const void *b)
{
	const struct sortkey	*x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * The list (n entries of idx, NULL for every product) in sort's order.
 * Price ties keep the default order, either way (as a stable sort of
 * the default order would); newest is by id, highest first.
 */
static uint32_t *
sorted(const struct catalog *cat, const uint32_t *idx, uint32_t n,
    enum cat_sort sort)
{
	struct sortkey	*k = xmalloc((n + 1) * sizeof(*k));
	uint32_t	*out = xmalloc((n + 1) * sizeof(*out));
	uint32_t	 i;
	int64_t		 v;

	for (i = 0; i < n; i++) {
		k[i].idx = idx ? idx[i] : i;
		k[i].pos = i;
		if (sort == CAT_SORT_NEW)
			v = -cat->products[k[i].idx].id;
		else {
			v = from_price(cat, &cat->products[k[i].idx]);
			if (sort == CAT_SORT_PRICE_DESC)
				v = v == INT64_MAX ? INT64_MIN : -v;
		}
		k[i].key = v;
	}
	qsort(k, n, sizeof(*k), cmp_key);
	for (i = 0; i < n; i++)
		out[i] = k[i].idx;
	free(k);
	return out;
}

/* Built with the catalog: every product and every category, by default. */
void
cat_order_build(struct catalog *cat)
{
	struct cat_orders	*o = xcalloc(1, sizeof(*o));
	uint32_t		 n = 0, i;

	for (i = 0; i < cat->ncategories; i++)
		n += cat->categories[i].nproducts;
	seq_init(&o->all, cat, NULL, cat->nproducts);
	seq_init(&o->cats, cat, cat->category_products, n);
	o->bytes = sizeof(*o) + seq_bytes(&o->all, 0) + seq_bytes(&o->cats, 0);
	cat->orders = o;
}

void
cat_order_free(struct cat_orders *o)
{
	int	i;

	if (o == NULL)
		return;
	if (!o->mapped) {
		seq_free(&o->all, 0);
		seq_free(&o->cats, 0);
	}
	for (i = 0; i < o->nkept; i++)
		seq_free(&o->kept[i].seq, 1);
	free(o->kept);
	free(o);
}

static size_t
blocks_len(uint32_t n)
{
	return (n / ORDER_BLOCK + 1) * 3 * sizeof(uint32_t);
}

void
cat_order_export(const struct cat_orders *o, struct cat_order_part *p)
{
	p[0].p = o->all.modes;
	p[0].len = o->all.n + 1;
	p[1].p = o->all.blocks;
	p[1].len = blocks_len(o->all.n);
	p[2].p = o->cats.modes;
	p[2].len = o->cats.n + 1;
	p[3].p = o->cats.blocks;
	p[3].len = blocks_len(o->cats.n);
}

/* The default orders over a catalog file's parts (ncats: the length of
 * its category_products); NULL if the parts do not fit. */
struct cat_orders *
cat_order_mapped(const struct catalog *cat, uint32_t ncats,
    const struct cat_order_part *p)
{
	struct cat_orders	*o;

	if (p[0].len != cat->nproducts + 1 ||
	    p[1].len != blocks_len(cat->nproducts) ||
	    p[2].len != ncats + 1 || p[3].len != blocks_len(ncats))
		return NULL;
	o = xcalloc(1, sizeof(*o));
	o->mapped = 1;
	o->all.n = cat->nproducts;
	o->all.modes = (uint8_t *)p[0].p;
	o->all.blocks = (uint32_t *)p[1].p;
	o->cats.n = ncats;
	o->cats.idx = cat->category_products;
	o->cats.modes = (uint8_t *)p[2].p;
	o->cats.blocks = (uint32_t *)p[3].p;
	o->bytes = sizeof(*o);
	return o;
}

size_t
cat_order_bytes(const struct cat_orders *o)
{
	return o ? o->bytes : 0;
}

/* The list of category k (NULL: every product) in sort's order, kept. */
static const struct cat_seq *
kept(struct catalog *cat, const struct cat_category *k, enum cat_sort sort)
{
	struct cat_orders	*o = cat->orders;
	struct cat_kept		 e;
	int64_t			 id = k ? k->id : 0;
	uint32_t		*idx;
	int			 i;

	for (i = 0; i < o->nkept; i++)
		if (o->kept[i].category_id == id && o->kept[i].sort == sort)
			break;
	if (i < o->nkept) {
		e = o->kept[i];
		memmove(&o->kept[1], &o->kept[0], i * sizeof(e));
		o->kept[0] = e;
		return &o->kept[0].seq;
	}
	if (o->kept == NULL)
		o->kept = xcalloc(ORDER_KEPT, sizeof(*o->kept));
	if (k == NULL && sort == CAT_SORT_NEW) {	/* by id, reversed */
		idx = xmalloc((cat->nproducts + 1) * sizeof(*idx));
		for (i = 0; i < (int)cat->nproducts; i++)
			idx[i] = cat->product_by_id[cat->nproducts - 1 - i];
	} else
		idx = sorted(cat, k ? cat->category_products + k->first : NULL,
		    k ? k->nproducts : cat->nproducts, sort);
	memset(&e, 0, sizeof(e));
	e.category_id = id;
	e.sort = sort;
	seq_init(&e.seq, cat, idx, k ? k->nproducts : cat->nproducts);
	/* Room: the least recently used go (never the new one). */
	while (o->nkept > 0 && (o->nkept == ORDER_KEPT ||
	    o->kept_bytes + seq_bytes(&e.seq, 1) > ORDER_KEPT_BYTES)) {
		o->nkept--;
		o->kept_bytes -= seq_bytes(&o->kept[o->nkept].seq, 1);
		o->bytes -= seq_bytes(&o->kept[o->nkept].seq, 1);
		seq_free(&o->kept[o->nkept].seq, 1);
	}
	memmove(&o->kept[1], &o->kept[0], o->nkept * sizeof(e));
	o->kept[0] = e;
	o->nkept++;
	o->kept_bytes += seq_bytes(&e.seq, 1);
	o->bytes += seq_bytes(&e.seq, 1);
	return &o->kept[0].seq;
}

/*
 * A page of the storefront's list of category k (NULL: every product)
 * in q's order: its rows in the arena, the total and the pages.
 */
void
cat_order_page(struct catalog *cat, struct arena *a,
    const struct cat_category *k, const struct cat_query *q,
    struct cat_page *pg)
{
	const struct cat_seq		 *sq;
	const struct cat_product	**items;
	uint32_t			  lo, hi, r0, total, pos, skip;
	uint8_t				  bit = (uint8_t)q->mode;
	int				  mi = mode_ix(q->mode), n;

	if (q->sort == CAT_SORT_DEFAULT) {
		sq = k ? &cat->orders->cats : &cat->orders->all;
		lo = k ? k->first : 0;
	} else {
		sq = kept(cat, k, q->sort);
		lo = 0;
	}
	hi = lo + (k ? k->nproducts : cat->nproducts);
	r0 = seq_rank(sq, lo, bit, mi);
	total = seq_rank(sq, hi, bit, mi) - r0;
	pg->total = total;
	pg->per_page = q->per_page;
	pg->pages = (total + q->per_page - 1) / q->per_page;
	if ((q->page - 1) * q->per_page >= total)
		return;
	skip = (uint32_t)((q->page - 1) * q->per_page);
	items = arena_alloc(a, (q->per_page + 1) * sizeof(*items));
	pos = seq_select(sq, lo, r0 + skip, bit, mi);
	for (n = 0; n < q->per_page && pos < hi; pos++)
		if (sq->modes[pos] & bit)
			items[n++] = &cat->products[sq->idx ? sq->idx[pos] :
			    pos];
	pg->items = items;
	pg->n = n;
}
