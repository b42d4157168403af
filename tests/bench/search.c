/*
 * search.c -- the storefront search's own cost, without HTTP, templates
 * or a database: reads a catalog as tests/bench/search writes it (one
 * product a line: code, name, SHOP_MODE_* bits, on shelf, then its SKU
 * codes and barcodes, tab-separated), builds the index as a worker does
 * and times each query given (CPU time of this thread): the first run,
 * when nothing is kept, and the best and mean of the next ones, when
 * words that took verifying are. Not part of the tests.
 *
 *	search CATALOG.tsv RUNS QUERY...
 */
#include "base/base.h"
#include "domain/shop.h"
#include "domain/catalog.h"
#include "domain/catalog_cache.h"
#include "domain/catalog_search.h"

static double
cpu_us(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static uint32_t
put(struct catalog *cat, const char *s)
{
	uint32_t	off = (uint32_t)cat->pool.len;

	buf_add(&cat->pool, s, strlen(s) + 1);
	return off;
}

/* One line: a product, its codes to the index. */
static void
add_line(struct catalog *cat, char *line, uint32_t *cap)
{
	struct cat_product	*p;
	char			*tok;
	int			 k;

	if (cat->nproducts == *cap) {
		*cap *= 2;
		cat->products = xrealloc(cat->products, *cap *
		    sizeof(*cat->products));
	}
	p = &cat->products[cat->nproducts];
	memset(p, 0, sizeof(*p));
	p->nskus = 1;
	for (k = 0; (tok = strsep(&line, "\t")) != NULL; k++)
		if (k == 0) {
			p->code = put(cat, tok);
			cat_search_add_code(cat->search, cat->nproducts, tok);
		} else if (k == 1) {
			p->name = put(cat, tok);
			p->unit = put(cat, "件");	/* as the pool holds */
		} else if (k == 2)
			p->visible = (uint8_t)atoi(tok);
		else if (k == 3)
			p->on_shelf = (uint8_t)atoi(tok);
		else
			cat_search_add_code(cat->search, cat->nproducts, tok);
	cat->nproducts++;
}

int
main(int argc, char **argv)
{
	struct cat_search_filter	 f = { SHOP_MODE_WHOLESALE, NULL, 0 };
	struct catalog			*cat = xcalloc(1, sizeof(*cat));
	struct cat_hits			 h;
	struct arena			*a = arena_new(64 * 1024);
	char				 line[8192];
	double				 t0, d, first, best, sum;
	uint32_t			 cap = 1024;
	FILE				*fp;
	int				 i, r, runs;

	if (argc < 4 || (runs = atoi(argv[2])) < 1)
		fatalx("usage: search CATALOG.tsv RUNS QUERY...");
	if ((fp = fopen(argv[1], "r")) == NULL)
		fatal("%s", argv[1]);
	buf_init(&cat->pool, 1 << 20);
	buf_addc(&cat->pool, '\0');
	cat->search = cat_search_new();
	cat->products = xcalloc(cap, sizeof(*cat->products));
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		add_line(cat, line, &cap);
	}
	fclose(fp);
	cat_search_build(cat->search, cat);
	printf("%u products; %s\n", cat->nproducts,
	    cat_search_stats(cat->search, a));
	printf("%-14s %7s %10s %10s %10s\n", "query", "hits", "first µs",
	    "best µs", "mean µs");
	for (i = 3; i < argc; i++) {
		first = best = sum = 0;
		for (r = 0; r <= runs; r++) {
			arena_reset(a);
			t0 = cpu_us();
			cat_search_query(cat->search, cat, argv[i], &f, a, &h);
			d = cpu_us() - t0;
			if (r == 0)
				first = d;
			else {
				sum += d;
				best = r == 1 || d < best ? d : best;
			}
		}
		printf("%-14s %7u %10.1f %10.1f %10.1f\n", argv[i], h.n, first,
		    best, sum / runs);
	}
	catalog_free(cat);
	arena_free(a);
	return 0;
}
