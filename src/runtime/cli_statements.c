/*
 * cli_statements.c -- `dinghuo statements generate [--period YYYY-MM]
 * [--shop SLUG]`: make a finished month's statements now (the default
 * period is last month, China time), as the hourly statements.generate
 * job does; a company's statement for a month is made once, so running
 * it again only adds the companies that had none.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/shop.h"
#include "domain/statement.h"
#include "runtime/runtime.h"

int
cli_statements(int argc, char **argv)
{
	struct cli_opt	 opts[] = {
		{ "period", CLI_VALUE, NULL }, { "shop", CLI_VALUE, NULL },
		{ NULL, 0, NULL }
	};
	struct arena	*a;
	struct dctx	 d;
	struct shop	*sh = NULL;
	const char	*period;
	char		 last[8];
	int64_t		 made = 0;
	int		 rc = 0;

	if (argc < 1 || strcmp(argv[0], "generate") != 0 ||
	    cli_opts_parse(argc - 1, argv + 1, opts, NULL) == -1) {
		fprintf(stderr, "usage: dinghuo statements generate "
		    "[--period YYYY-MM] [--shop SLUG]\n");
		return 2;
	}
	statement_last_period(time(NULL), last);
	period = opts[0].value != NULL ? opts[0].value : last;
	if (!statement_period_valid(period) || strcmp(period, last) > 0) {
		fprintf(stderr, "dinghuo: --period %s: a finished month, "
		    "YYYY-MM, up to %s\n", period, last);
		return 2;
	}
	a = arena_new(1024);
	dctx_init(&d, a, "cli");
	if (db_open() == -1) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		rc = 1;
	} else if (opts[1].value != NULL && (shop_by_slug(&d, opts[1].value,
	    &sh) != 0 || sh == NULL)) {
		fprintf(stderr, "dinghuo: no shop '%s'\n", opts[1].value);
		rc = 1;
	} else if (statements_generate(a, period, sh != NULL ? sh->id : 0,
	    &made) != 0) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		rc = 1;
	} else {
		printf("%s: %" PRId64 " statement%s made\n", period, made,
		    made == 1 ? "" : "s");
		log_info("statements generate: period=%s made=%" PRId64,
		    period, made);
	}
	arena_free(a);
	shop_cache_clear();
	db_close();
	return rc;
}
