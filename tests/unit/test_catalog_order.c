/* test_catalog_order.c -- a list's pages from catalog_order.c, for every
 * storefront, order, category and page of a random catalog (blocks of 256
 * crossed), against a filter and a stable sort of the whole list. */
#include "base/base.h"
#include "domain/catalog.h"
#include "domain/catalog_order.h"
#include "domain/shop.h"

#include <setjmp.h>
#include <cmocka.h>

#define NPROD	1500
#define NCAT	3

static struct catalog	 cat;
static struct arena	*arena;

static int64_t
from(const struct cat_product *p)
{
	int64_t	m = INT64_MAX;
	int	i;

	for (i = 0; i < p->nskus; i++)
		if (cat.skus[p->first_sku + i].price_fen < m)
			m = cat.skus[p->first_sku + i].price_fen;
	return m;
}

/* Insertion sort: stable, as the old qsort of the listed rows was. */
static void
naive_sort(const struct cat_product **v, uint32_t n, enum cat_sort s)
{
	const struct cat_product	*x;
	uint32_t			 i, j;
	int				 before;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0; j--) {
			if (s == CAT_SORT_NEW)
				before = x->id > v[j - 1]->id;
			else if (s == CAT_SORT_PRICE_ASC)
				before = from(x) < from(v[j - 1]);
			else
				before = from(x) > from(v[j - 1]);
			if (!before)
				break;
			v[j] = v[j - 1];
		}
		v[j] = x;
	}
}

static void
build(void)
{
	uint32_t	i, j, n = 0;

	srandom(14);
	cat.products = xcalloc(NPROD, sizeof(*cat.products));
	cat.skus = xcalloc(NPROD * 3, sizeof(*cat.skus));
	cat.nproducts = NPROD;
	for (i = 0; i < NPROD; i++) {
		struct cat_product *p = &cat.products[i];

		/* ids out of list order: newest is an order of its own */
		p->id = 1 + (i * 7919) % 100003;
		p->on_shelf = random() % 10 != 0;
		p->visible = random() % 8;
		p->first_sku = cat.nskus;
		p->nskus = random() % 4;	/* 0: never listed */
		for (j = 0; j < p->nskus; j++)
			cat.skus[cat.nskus++].price_fen = random() % 40;
	}
	cat.product_by_id = xmalloc(NPROD * sizeof(uint32_t));
	for (i = 0; i < NPROD; i++)
		cat.product_by_id[i] = i;
	for (i = 1; i < NPROD; i++)	/* by id */
		for (j = i; j > 0 && cat.products[cat.product_by_id[j]].id <
		    cat.products[cat.product_by_id[j - 1]].id; j--) {
			uint32_t t = cat.product_by_id[j];
			cat.product_by_id[j] = cat.product_by_id[j - 1];
			cat.product_by_id[j - 1] = t;
		}
	cat.categories = xcalloc(NCAT, sizeof(*cat.categories));
	cat.ncategories = NCAT;
	cat.category_products = xmalloc(NPROD * NCAT * sizeof(uint32_t));
	for (j = 0; j < NCAT; j++) {
		cat.categories[j].id = 10 + j;
		cat.categories[j].first = n;
		for (i = 0; i < NPROD; i++)
			if (j == 0 || random() % (j + 1) == 0)
				cat.category_products[n++] = i;
		cat.categories[j].nproducts = n - cat.categories[j].first;
	}
	cat_order_build(&cat);
}

static void
check(const struct cat_category *k, int mode, enum cat_sort sort)
{
	const struct cat_product	**all = xmalloc(NPROD * sizeof(*all));
	struct cat_query		  q;
	struct cat_page			  pg;
	uint32_t			  i, n = 0, len;
	int64_t				  page;

	len = k ? k->nproducts : NPROD;
	for (i = 0; i < len; i++) {
		const struct cat_product *p = &cat.products[k ?
		    cat.category_products[k->first + i] : i];
		if (cat_listed(p, mode))
			all[n++] = p;
	}
	if (sort != CAT_SORT_DEFAULT)
		naive_sort(all, n, sort);
	memset(&q, 0, sizeof(q));
	q.mode = mode;
	q.sort = sort;
	q.per_page = 20;
	for (page = 1; page <= (int64_t)n / 20 + 2; page++) {
		q.page = page;
		memset(&pg, 0, sizeof(pg));
		cat_order_page(&cat, arena, k, &q, &pg);
		assert_int_equal(pg.total, n);
		assert_int_equal(pg.pages, (n + 19) / 20);
		if ((uint32_t)(page - 1) * 20 >= n) {
			assert_int_equal(pg.n, 0);
			continue;
		}
		assert_int_equal(pg.n, n - (page - 1) * 20 < 20 ?
		    n - (page - 1) * 20 : 20);
		for (i = 0; i < (uint32_t)pg.n; i++)
			assert_ptr_equal(pg.items[i], all[(page - 1) * 20 + i]);
	}
	free(all);
}

static void
test_pages_as_a_filter_and_sort_would(void **state)
{
	static const int	 modes[] = { SHOP_MODE_ORDERING,
				    SHOP_MODE_WHOLESALE, SHOP_MODE_RETAIL };
	int			 m, s, k;

	(void)state;
	for (m = 0; m < 3; m++)
		for (s = CAT_SORT_DEFAULT; s <= CAT_SORT_PRICE_DESC; s++)
			for (k = -1; k < NCAT; k++)
				check(k < 0 ? NULL : &cat.categories[k],
				    modes[m], (enum cat_sort)s);
	/* 4 orders x 4 lists, asked again: all kept, nothing grew. */
	assert_int_equal(cat.orders->nkept, 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_as_a_filter_and_sort_would),
	};
	int	rc;

	arena = arena_new(64 * 1024);
	build();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	cat_order_free(cat.orders);
	free(cat.products);
	free(cat.skus);
	free(cat.product_by_id);
	free(cat.categories);
	free(cat.category_products);
	arena_free(arena);
	return rc;
}
