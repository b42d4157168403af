/*
 * catalog_cache.c -- the catalogs a worker keeps, most recently used
 * first. A catalog counts its own bytes (cat->bytes, grown by the contract
 * prices it loads on use); once all of them count more than the cap, the
 * least recently used go, never the one in use: a shop bigger than the
 * cap alone is still served from memory. The catalogs' memory is freed
 * here too. No database here.
 */
#include "base/base.h"
#include "domain/catalog.h"
#include "domain/catalog_cache.h"
#include "domain/catalog_order.h"
#include "domain/catalog_search.h"

#include <sys/mman.h>

/* A catalog's contract prices, loaded on use: gone, and their bytes. */
void
catalog_contracts_free(struct catalog *cat)
{
	uint32_t	i;

	for (i = 0; i < cat->ncontracts; i++) {
		cat->bytes -= (cat->contracts[i].n + 1) *
		    sizeof(*cat->contracts[i].items);
		free(cat->contracts[i].items);
	}
	if (cat->contracts != NULL)
		cat->bytes -= CATALOG_CONTRACTS_MAX * sizeof(*cat->contracts);
	free(cat->contracts);
	cat->contracts = NULL;
	cat->ncontracts = 0;
}

void
catalog_free(struct catalog *cat)
{
	if (cat == NULL)
		return;
	catalog_contracts_free(cat);
	cat_search_free(cat->search);
	cat_order_free(cat->orders);
	if (cat->map != NULL) {		/* the arrays are the file's */
		munmap(cat->map, cat->maplen);
		free(cat);
		return;
	}
	buf_free(&cat->pool);
	free(cat->categories);
	free(cat->category_by_id);
	free(cat->category_products);
	free(cat->products);
	free(cat->product_by_id);
	free(cat->skus);
	free(cat->sku_by_id);
	free(cat->tiers);
	free(cat->lists);
	free(cat->list_items);
	free(cat);
}

/* Index of shop_id's catalog, or -1. */
static ssize_t
slot_of(const struct catalog_cache *cc, int64_t shop_id)
{
	size_t	i;

	for (i = 0; i < cc->n; i++)
		if (cc->v[i].cat->shop_id == shop_id)
			return (ssize_t)i;
	return -1;
}

/* Slot i to the front; its bytes added up again. */
static void
to_front(struct catalog_cache *cc, size_t i)
{
	struct catalog_slot	s = cc->v[i];

	memmove(&cc->v[1], &cc->v[0], i * sizeof(*cc->v));
	cc->bytes += s.cat->bytes - s.counted;
	s.counted = s.cat->bytes;
	cc->v[0] = s;
}

static void
drop_at(struct catalog_cache *cc, size_t i)
{
	struct catalog	*cat = cc->v[i].cat;

	cc->bytes -= cc->v[i].counted;
	memmove(&cc->v[i], &cc->v[i + 1], (cc->n - i - 1) * sizeof(*cc->v));
	cc->n--;
	catalog_free(cat);
}

/* shop_id's catalog, now the most recently used; NULL if none. */
struct catalog *
catalog_cache_find(struct catalog_cache *cc, int64_t shop_id)
{
	ssize_t	i;

	if ((i = slot_of(cc, shop_id)) == -1)
		return NULL;
	to_front(cc, (size_t)i);
	return cc->v[0].cat;
}

/* Drop the least recently used until the rest fit in max bytes. */
void
catalog_cache_fit(struct catalog_cache *cc, size_t max)
{
	while (cc->n > 1 && cc->bytes > max) {
		drop_at(cc, cc->n - 1);
		cc->evicted++;
	}
}

/* Keep cat (of a shop not cached yet) as the most recently used. */
void
catalog_cache_add(struct catalog_cache *cc, struct catalog *cat, size_t max)
{
	if (cc->n == cc->cap) {
		cc->cap = cc->cap ? cc->cap * 2 : 8;
		cc->v = xrealloc(cc->v, cc->cap * sizeof(*cc->v));
	}
	cc->v[cc->n].cat = cat;
	cc->v[cc->n].counted = cat->bytes;
	cc->bytes += cat->bytes;
	to_front(cc, cc->n++);
	catalog_cache_fit(cc, max);
}

/* Forget and free cat (a stale version). */
void
catalog_cache_drop(struct catalog_cache *cc, struct catalog *cat)
{
	ssize_t	i;

	if ((i = slot_of(cc, cat->shop_id)) != -1)
		drop_at(cc, (size_t)i);
}

void
catalog_cache_empty(struct catalog_cache *cc)
{
	while (cc->n > 0)
		drop_at(cc, cc->n - 1);
	free(cc->v);
	memset(cc, 0, sizeof(*cc));
}
