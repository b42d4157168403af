/*
 * catalog_map.c -- one read-only copy of a shop's catalog per host: the
 * first worker that needs a version builds it (catalog.c's load), writes
 * its arrays to <run dir>/catalog-<shop>-<version>.bin (aside, then
 * renamed) and every worker maps that file, so the pages are shared, not
 * copied four times. The arrays hold indexes and offsets, never pointers:
 * a worker's struct catalog points into its mapping, and keeps only what
 * is its own (contract prices, kept orders, words' results). The run dir
 * is the pid file's. catalog.c decides when; this file only writes and
 * maps. No database here.
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/catalog.h"
#include "domain/catalog_cache.h"
#include "domain/catalog_map.h"
#include "domain/catalog_order.h"
#include "domain/catalog_search.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

static const char	magic[8] = { 'd', 'h', 'c', 'a', 't', 0, 0, 1 };

enum { P_POOL, P_CATS, P_CAT_BY_ID, P_CAT_PRODUCTS, P_PRODUCTS,
	P_PROD_BY_ID, P_SKUS, P_SKU_BY_ID, P_TIERS, P_LISTS, P_LIST_ITEMS,
	P_ORDERS, P_SEARCH = P_ORDERS + CAT_ORDER_PARTS,
	NPARTS = P_SEARCH + CAT_SEARCH_PARTS };

struct head {
	char		 magic[8];
	uint32_t	 head_size;	/* the layout's: this struct */
	uint32_t	 nparts;
	int64_t		 shop_id;
	int64_t		 version;
	uint32_t	 ncategories, nproducts, nskus, ntiers, nlists;
	uint32_t	 nlist_items, ncatprod, pad;
	struct cat_search_dims sd;
	struct {
		uint64_t	 off;
		uint64_t	 len;
	}		 part[NPARTS];
};

/* The pid file's folder, or NULL when there is none to write to. */
const char *
catalog_map_dir(struct arena *a)
{
	const char	*p = conf.pid_file, *slash;

	if (p == NULL || *p == '\0' || (slash = strrchr(p, '/')) == NULL)
		return NULL;
	return arena_strndup(a, p, (size_t)(slash - p));
}

static uint32_t
ncatprod(const struct catalog *cat)
{
	uint32_t	i, n = 0;

	for (i = 0; i < cat->ncategories; i++)
		n += cat->categories[i].nproducts;
	return n;
}

static void
parts_of(const struct catalog *cat, struct head *h, const void **p)
{
	struct cat_order_part	op[CAT_ORDER_PARTS];
	struct cat_search_part	sp[CAT_SEARCH_PARTS];
	int			i;

#define PART(k, ptr, n) do { p[k] = (ptr); h->part[k].len = (n); } while (0)
	PART(P_POOL, cat->pool.p, cat->pool.len);
	PART(P_CATS, cat->categories, (size_t)cat->ncategories *
	    sizeof(*cat->categories));
	PART(P_CAT_BY_ID, cat->category_by_id, (size_t)cat->ncategories * 4);
	PART(P_CAT_PRODUCTS, cat->category_products, (size_t)h->ncatprod * 4);
	PART(P_PRODUCTS, cat->products, (size_t)cat->nproducts *
	    sizeof(*cat->products));
	PART(P_PROD_BY_ID, cat->product_by_id, (size_t)cat->nproducts * 4);
	PART(P_SKUS, cat->skus, (size_t)cat->nskus * sizeof(*cat->skus));
	PART(P_SKU_BY_ID, cat->sku_by_id, (size_t)cat->nskus * 4);
	PART(P_TIERS, cat->tiers, (size_t)cat->ntiers * sizeof(*cat->tiers));
	PART(P_LISTS, cat->lists, (size_t)cat->nlists * sizeof(*cat->lists));
	PART(P_LIST_ITEMS, cat->list_items, (size_t)cat->nlist_items *
	    sizeof(*cat->list_items));
	cat_order_export(cat->orders, op);
	for (i = 0; i < CAT_ORDER_PARTS; i++)
		PART(P_ORDERS + i, op[i].p, op[i].len);
	cat_search_export(cat->search, &h->sd, sp);
	for (i = 0; i < CAT_SEARCH_PARTS; i++)
		PART(P_SEARCH + i, sp[i].p, sp[i].len);
#undef PART
}

/* Write cat (just loaded) to path, by a temp file and a rename. 0, -1. */
int
catalog_map_write(const struct catalog *cat, const char *path)
{
	static const char	 zero[8];
	struct head		 h;
	const void		*p[NPARTS];
	char			 tmp[1024];
	uint64_t		 off;
	int			 fd, i, rc = -1;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, magic, sizeof(magic));
	h.head_size = sizeof(h);
	h.nparts = NPARTS;
	h.shop_id = cat->shop_id;
	h.version = cat->version;
	h.ncategories = cat->ncategories;
	h.nproducts = cat->nproducts;
	h.nskus = cat->nskus;
	h.ntiers = cat->ntiers;
	h.nlists = cat->nlists;
	h.nlist_items = cat->nlist_items;
	h.ncatprod = ncatprod(cat);
	parts_of(cat, &h, p);
	for (i = 0, off = (sizeof(h) + 7) & ~7ULL; i < NPARTS; i++) {
		h.part[i].off = off;
		off = (off + h.part[i].len + 7) & ~7ULL;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600))
	    == -1) {
		log_warn("catalog: %s", tmp);
		return -1;
	}
	if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		goto out;
	for (i = 0; i < NPARTS; i++) {
		if (h.part[i].len > 0 && pwrite(fd, p[i], h.part[i].len,
		    (off_t)h.part[i].off) != (ssize_t)h.part[i].len)
			goto out;
		if ((h.part[i].len & 7) != 0 && pwrite(fd, zero,
		    8 - (h.part[i].len & 7), (off_t)(h.part[i].off +
		    h.part[i].len)) == -1)
			goto out;
	}
	if (rename(tmp, path) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1) {
		log_warn("catalog: writing %s", tmp);
		unlink(tmp);
	}
	close(fd);
	return rc;
}

static int
fits(const struct head *h, size_t size)
{
	static const size_t	 esz[P_LIST_ITEMS + 1] = {
		[P_CATS] = sizeof(struct cat_category), [P_CAT_BY_ID] = 4,
		[P_CAT_PRODUCTS] = 4, [P_PRODUCTS] = sizeof(struct cat_product),
		[P_PROD_BY_ID] = 4, [P_SKUS] = sizeof(struct cat_sku),
		[P_SKU_BY_ID] = 4, [P_TIERS] = sizeof(struct price_tier),
		[P_LISTS] = sizeof(struct cat_price_list),
		[P_LIST_ITEMS] = sizeof(struct cat_list_item),
	};
	const uint32_t		 cnt[P_LIST_ITEMS + 1] = {
		0, h->ncategories, h->ncategories, h->ncatprod, h->nproducts,
		h->nproducts, h->nskus, h->nskus, h->ntiers, h->nlists,
		h->nlist_items
	};
	int			 i;

	for (i = 0; i < NPARTS; i++)
		if ((h->part[i].off & 7) != 0 || h->part[i].off > size ||
		    h->part[i].len > size - h->part[i].off)
			return 0;
	for (i = P_CATS; i <= P_LIST_ITEMS; i++)
		if (h->part[i].len != (uint64_t)cnt[i] * esz[i])
			return 0;
	return h->part[P_POOL].len > 0;
}

/*
 * The catalog of path mapped, if it is the file of this shop and
 * version; NULL if there is none (or it does not fit: then it is gone).
 */
struct catalog *
catalog_map_open(const char *path, int64_t shop_id, int64_t version)
{
	struct cat_order_part	 op[CAT_ORDER_PARTS];
	struct cat_search_part	 sp[CAT_SEARCH_PARTS];
	const struct head	*h;
	struct catalog		*cat;
	struct stat		 st;
	const char		*m;
	void			*map;
	int			 fd, i;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || (size_t)st.st_size < sizeof(*h)) {
		close(fd);
		return NULL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		log_warn("catalog: mmap %s", path);
		return NULL;
	}
	h = map;
	m = map;
	if (memcmp(h->magic, magic, sizeof(magic)) != 0 ||
	    h->head_size != sizeof(*h) || h->nparts != NPARTS ||
	    h->shop_id != shop_id || h->version != version ||
	    !fits(h, (size_t)st.st_size) ||
	    m[h->part[P_POOL].off + h->part[P_POOL].len - 1] != '\0') {
		log_warnx("catalog: %s is not this shop's or version's", path);
		munmap(map, (size_t)st.st_size);
		return NULL;
	}
	cat = xcalloc(1, sizeof(*cat));
	cat->map = map;
	cat->maplen = (size_t)st.st_size;
	cat->shop_id = shop_id;
	cat->version = version;
#define AT(k)	((void *)(m + h->part[k].off))
	cat->pool.p = AT(P_POOL);
	cat->pool.len = h->part[P_POOL].len;
	cat->categories = AT(P_CATS);
	cat->category_by_id = AT(P_CAT_BY_ID);
	cat->category_products = AT(P_CAT_PRODUCTS);
	cat->ncategories = h->ncategories;
	cat->products = AT(P_PRODUCTS);
	cat->product_by_id = AT(P_PROD_BY_ID);
	cat->nproducts = h->nproducts;
	cat->skus = AT(P_SKUS);
	cat->sku_by_id = AT(P_SKU_BY_ID);
	cat->nskus = h->nskus;
	cat->tiers = AT(P_TIERS);
	cat->ntiers = h->ntiers;
	cat->lists = AT(P_LISTS);
	cat->nlists = h->nlists;
	cat->list_items = AT(P_LIST_ITEMS);
	cat->nlist_items = h->nlist_items;
	for (i = 0; i < CAT_ORDER_PARTS; i++) {
		op[i].p = AT(P_ORDERS + i);
		op[i].len = h->part[P_ORDERS + i].len;
	}
	for (i = 0; i < CAT_SEARCH_PARTS; i++) {
		sp[i].p = AT(P_SEARCH + i);
		sp[i].len = h->part[P_SEARCH + i].len;
	}
#undef AT
	cat->orders = cat_order_mapped(cat, h->ncatprod, op);
	cat->search = cat_search_mapped(&h->sd, sp);
	if (cat->orders == NULL || cat->search == NULL) {
		log_warnx("catalog: %s does not fit its sizes", path);
		catalog_free(cat);
		return NULL;
	}
	/* The cache's cap counts what the worker holds: the mapping too. */
	cat->bytes = sizeof(*cat) + cat->maplen + cat_order_bytes(cat->orders) +
	    cat_search_bytes(cat->search);
	return cat;
}

/*
 * Remove the shop's files of other versions (who maps one keeps it) and
 * any temp file a writer that died left. Under the shop's lock: no one
 * else is writing.
 */
void
catalog_map_prune(const char *dir, int64_t shop_id, int64_t keep)
{
	struct dirent	*e;
	DIR		*d;
	char		 pre[64], path[1024];
	long long	 v;
	int		 n;

	if ((d = opendir(dir)) == NULL)
		return;
	n = snprintf(pre, sizeof(pre), "catalog-%" PRId64 "-", shop_id);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, pre, (size_t)n) != 0 ||
		    sscanf(e->d_name + n, "%lld", &v) != 1 || (v == keep &&
		    strstr(e->d_name, ".bin.") == NULL))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
		    (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
}
