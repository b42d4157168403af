/*
 * cli_uploads.c -- `dinghuo uploads prune [--shop SLUG] [--min-age MIN]
 * [--dry-run]`: the shell command around uploads_prune() (domain/prune.c),
 * which prints what it removes and a summary line; and the step that ends
 * `dinghuo migrate`: business licences stored under uploads_dir before
 * private_dir existed are moved there (dealer_licences_move).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/dealer_application.h"
#include "domain/prune.h"
#include "domain/shop.h"
#include "runtime/runtime.h"

struct prune_args {
	const char	*slug;
	int		 dry_run;
	int64_t		 min_age;	/* seconds */
};

static int
prune_args(int argc, char **argv, struct prune_args *pa)
{
	struct cli_opt	 opts[] = {
		{ "shop", CLI_VALUE, NULL }, { "min-age", CLI_VALUE, NULL },
		{ "dry-run", CLI_FLAG, NULL }, { NULL, 0, NULL }
	};
	const char	*err;

	pa->min_age = 60;
	if (argc < 1 || strcmp(argv[0], "prune") != 0 ||
	    cli_opts_parse(argc - 1, argv + 1, opts, NULL) == -1) {
		fprintf(stderr, "usage: dinghuo uploads prune [--shop SLUG] "
		    "[--min-age MINUTES] [--dry-run]\n");
		return -1;
	}
	pa->slug = opts[0].value;
	pa->dry_run = opts[2].value != NULL;
	if (opts[1].value != NULL && parse_i64(opts[1].value, 0, 525600,
	    &pa->min_age, &err) == -1) {
		fprintf(stderr, "dinghuo: --min-age: minutes, 0 to 525600: "
		    "%s\n", err);
		return -1;
	}
	pa->min_age *= 60;
	return 0;
}

int
cli_uploads(int argc, char **argv)
{
	struct prune_args	 pa;
	struct prune_stats	 st;
	struct arena		*a;
	struct dctx		 d;
	struct shop		*sh = NULL;

	memset(&pa, 0, sizeof(pa));
	memset(&st, 0, sizeof(st));
	if (prune_args(argc, argv, &pa) == -1)
		return 2;
	a = arena_new(1024);
	dctx_init(&d, a, "cli");
	if (db_open() == -1) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		st.failed++;
	} else if (pa.slug != NULL && shop_by_slug(&d, pa.slug, &sh) != 0) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		st.failed++;
	} else if (pa.slug != NULL && sh == NULL) {
		fprintf(stderr, "dinghuo: no shop '%s'\n", pa.slug);
		st.failed++;
	} else
		uploads_prune(sh != NULL ? sh->id : 0, pa.min_age, pa.dry_run,
		    1, &st);
	printf("%d files looked at, %d %s (%llu KB), %d kept%s\n", st.files,
	    st.removed, pa.dry_run ? "to remove" : "removed",
	    (unsigned long long)(st.bytes + 1023) / 1024, st.kept,
	    st.failed ? ", with errors (see above)" : "");
	log_info("uploads prune: files=%d removed=%d kept=%d bytes=%llu "
	    "dry_run=%d errors=%d", st.files, st.removed, st.kept,
	    (unsigned long long)st.bytes, pa.dry_run, st.failed);
	arena_free(a);
	shop_cache_clear();
	db_close();
	return st.failed ? 1 : 0;
}

/*
 * After the SQL: move the licences an earlier version stored under
 * uploads_dir into private_dir (domain/dealer_licence.c). Each one moved
 * or left is logged; a run with nothing to do says so in one line. Safe
 * to run again: a move that failed is done by the next `dinghuo migrate`.
 * 0, or 1 when a file or its row could not be moved.
 */
int
cli_licences_move(void)
{
	struct dealer_move_stats	st;

	if (db_open() == -1) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		return 1;
	}
	(void)dealer_licences_move(&st);
	db_close();
	log_info("migrate: licences: %d moved to private_dir, %d left as is, "
	    "%d failed", st.moved, st.left, st.failed);
	if (st.failed)
		fprintf(stderr, "dinghuo: %d licence%s could not be moved to "
		    "private_dir (see above); run dinghuo migrate again once "
		    "fixed\n", st.failed, st.failed == 1 ? "" : "s");
	return st.failed ? 1 : 0;
}
