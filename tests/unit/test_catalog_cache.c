/* test_catalog_cache.c -- the worker's catalogs: least recently used out
 * first once their bytes pass the cap, never the one in use. */
#include "base/base.h"
#include "domain/catalog.h"
#include "domain/catalog_cache.h"

#include <setjmp.h>
#include <cmocka.h>

/* An empty catalog of shop that counts bytes. */
static struct catalog *
fake(int64_t shop, size_t bytes)
{
	struct catalog	*cat = xcalloc(1, sizeof(*cat));

	cat->shop_id = shop;
	cat->bytes = bytes;
	return cat;
}

static int
cached(struct catalog_cache *cc, int64_t shop)
{
	size_t	i;

	for (i = 0; i < cc->n; i++)
		if (cc->v[i].cat->shop_id == shop)
			return 1;
	return 0;
}

static void
test_least_recently_used_goes(void **state)
{
	struct catalog_cache	cc;

	memset(&cc, 0, sizeof(cc));
	catalog_cache_add(&cc, fake(1, 100), 300);
	catalog_cache_add(&cc, fake(2, 100), 300);
	catalog_cache_add(&cc, fake(3, 100), 300);
	assert_int_equal(cc.n, 3);
	assert_int_equal(cc.bytes, 300);
	assert_int_equal(cc.evicted, 0);
	/* Shop 1 is used again: shop 2 is now the least recent. */
	assert_non_null(catalog_cache_find(&cc, 1));
	assert_int_equal(cc.v[0].cat->shop_id, 1);
	catalog_cache_add(&cc, fake(4, 100), 300);
	assert_false(cached(&cc, 2));
	assert_true(cached(&cc, 1) && cached(&cc, 3) && cached(&cc, 4));
	assert_int_equal(cc.bytes, 300);
	assert_int_equal(cc.evicted, 1);
	/* A big one pushes out as many as it takes, oldest first. */
	catalog_cache_add(&cc, fake(5, 250), 300);
	assert_int_equal(cc.n, 1);
	assert_int_equal(cc.v[0].cat->shop_id, 5);
	assert_int_equal(cc.bytes, 250);
	assert_int_equal(cc.evicted, 4);
	assert_null(catalog_cache_find(&cc, 3));
	catalog_cache_empty(&cc);
	assert_int_equal(cc.n, 0);
	assert_int_equal(cc.bytes, 0);
}

/* More than the cap alone: kept, since it is the one being served. */
static void
test_the_one_in_use_stays(void **state)
{
	struct catalog_cache	cc;

	memset(&cc, 0, sizeof(cc));
	catalog_cache_add(&cc, fake(1, 1000), 10);
	assert_int_equal(cc.n, 1);
	assert_non_null(catalog_cache_find(&cc, 1));
	catalog_cache_fit(&cc, 10);
	assert_int_equal(cc.n, 1);
	catalog_cache_add(&cc, fake(2, 5), 10);
	assert_int_equal(cc.n, 1);
	assert_true(cached(&cc, 2));
	assert_int_equal(cc.bytes, 5);
	/* A cap of 0 keeps just the current shop. */
	catalog_cache_add(&cc, fake(3, 5), 0);
	assert_int_equal(cc.n, 1);
	assert_true(cached(&cc, 3));
	catalog_cache_empty(&cc);
}

/* Contract prices loaded on use grow a catalog: counted when next used. */
static void
test_growth_is_counted(void **state)
{
	struct catalog_cache	 cc;
	struct catalog		*a;

	memset(&cc, 0, sizeof(cc));
	catalog_cache_add(&cc, a = fake(1, 100), 250);
	catalog_cache_add(&cc, fake(2, 100), 250);
	a->bytes = 200;
	assert_ptr_equal(catalog_cache_find(&cc, 1), a);
	assert_int_equal(cc.bytes, 300);
	catalog_cache_fit(&cc, 250);
	assert_int_equal(cc.n, 1);
	assert_false(cached(&cc, 2));
	assert_int_equal(cc.bytes, 200);
	/* A stale version is dropped with its bytes. */
	catalog_cache_drop(&cc, a);
	assert_int_equal(cc.n, 0);
	assert_int_equal(cc.bytes, 0);
	catalog_cache_empty(&cc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_least_recently_used_goes),
		cmocka_unit_test(test_the_one_in_use_stays),
		cmocka_unit_test(test_growth_is_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
