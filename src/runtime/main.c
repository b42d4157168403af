/*
 * main.c -- the dinghuo command: `serve` runs the prefork FastCGI server;
 * the others are operator commands (migrate, shop create, demo, jobs,
 * routes, check-config, sample-config). Only main and config loading exit.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "services/migrate.h"
#include "runtime/runtime.h"

#include <sodium.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr,
	    "usage: dinghuo [-c dinghuo.conf] command\n"
	    "commands:\n"
	    "  serve                  run the FastCGI server (prefork)\n"
	    "  migrate                apply the numbered sql/ migrations, then\n"
	    "                         move business licences still under\n"
	    "                         uploads_dir into private_dir\n"
	    "  shop create --slug S --name N [--host H] --admin-phone P "
	    "--admin-password PW\n"
	    "  demo [--slug S] [--name N] [--host H]   create a demo shop\n"
	    "  import products --shop S FILE   add or update products from a\n"
	    "                         .csv or .xlsx of any size: all checked,\n"
	    "                         then written in batches; if stopped, run\n"
	    "                         it again (docs/csv.md)\n"
	    "  import images --shop S [--replace] DIR\n"
	    "                         add DIR's P0001.jpg, P0001-2.png, … to "
	    "those products\n"
	    "  export products --shop S [FILE.csv] write products as CSV\n"
	    "  uploads prune [--shop S] [--min-age MIN] [--dry-run]\n"
	    "  statements generate [--period YYYY-MM] [--shop S]\n"
	    "                         remove uploaded files nothing refers to\n"
	    "  jobs run [--once] [--shop S]   run background jobs (--once: "
	    "the due ones,\n"
	    "                         then exit, for cron; else until "
	    "SIGTERM)\n"
	    "  jobs list [--failed] [--shop S] [--limit N]   recent or failed "
	    "jobs\n"
	    "  jobs retry ID          queue a failed job again\n"
	    "  routes                 list every route: method, pattern, "
	    "flags, roles\n"
	    "  check-config [-v]      report every problem of the config\n"
	    "  sample-config          print a commented config file\n"
	    "  version\n"
	    "The config file is -c FILE, else $DINGHUO_CONF, else ./dinghuo.conf "
	    "if it exists.\nEvery key may be overridden by DINGHUO_<KEY>.\n");
	exit(2);
}

static const char *
conf_path_default(const char *given)
{
	const char	*env;

	if (given != NULL)
		return given;
	if ((env = getenv("DINGHUO_CONF")) != NULL && *env)
		return env;
	if (access("dinghuo.conf", F_OK) == 0)
		return "dinghuo.conf";
	return NULL;
}

/*
 * private_dir: there and writable, and really outside uploads_dir (the
 * config check compared the names as written; here symlinks and ".."
 * count). The number of problems.
 */
static int
check_private(struct buf *errs)
{
	char	priv[PATH_MAX], up[PATH_MAX];

	if (access(conf.private_dir, W_OK | X_OK) != 0) {
		buf_printf(errs, "private_dir = %s: %s\n", conf.private_dir,
		    strerror(errno));
		return 1;
	}
	if (conf_inside(conf.private_dir, conf.uploads_dir))
		return 0;		/* conf_load said so */
	if (realpath(conf.private_dir, priv) != NULL &&
	    realpath(conf.uploads_dir, up) != NULL && conf_inside(priv, up)) {
		buf_printf(errs, "private_dir = %s is inside uploads_dir (%s): "
		    "the web server would serve it\n", conf.private_dir, up);
		return 1;
	}
	return 0;
}

static int
check_config(const char *path, int verbose, struct buf *errs, int bad)
{
	struct buf	 out;
	char		 p[PATH_MAX];

	buf_init(&out, 1024);
	snprintf(p, sizeof(p), "%s/themes/default/layout/base.mustache",
	    conf.templates_dir);
	if (access(p, R_OK) != 0) {
		buf_printf(errs, "templates_dir = %s: no readable %s\n",
		    conf.templates_dir, p);
		bad++;
	}
	if (access(conf.sql_dir, R_OK | X_OK) != 0) {
		buf_printf(errs, "sql_dir = %s: %s\n", conf.sql_dir,
		    strerror(errno));
		bad++;
	}
	if (access(conf.uploads_dir, W_OK | X_OK) != 0) {
		buf_printf(errs, "uploads_dir = %s: %s\n", conf.uploads_dir,
		    strerror(errno));
		bad++;
	}
	bad += check_private(errs);
	if (bad == 0 && db_open() == -1) {
		buf_printf(errs, "database %s@%s/%s: %s\n", conf.db_user,
		    *conf.db_socket ? conf.db_socket : conf.db_host,
		    conf.db_name, db_error());
		bad++;
	}
	db_close();
	if (bad) {
		fprintf(stderr, "%s", buf_cstr(errs));
		fprintf(stderr, "%d problem%s in %s\n", bad, bad == 1 ? "" : "s",
		    path ? path : "the environment");
	} else
		printf("%s: ok\n", path ? path : "(defaults and environment)");
	if (verbose) {
		conf_dump(&conf, &out);
		printf("%s", buf_cstr(&out));
	}
	buf_free(&out);
	return bad ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct buf	 errs;
	const char	*path = NULL, *cmd;
	int		 ch, bad, rc;

	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	if (strcmp(cmd, "version") == 0) {
		printf("dinghuo %s\n", DINGHUO_VERSION);
		return 0;
	}
	if (strcmp(cmd, "routes") == 0)
		return cli_routes();
	if (strcmp(cmd, "sample-config") == 0) {
		buf_init(&errs, 4096);
		conf_sample(&errs);
		fputs(buf_cstr(&errs), stdout);
		buf_free(&errs);
		return 0;
	}
	if (sodium_init() < 0)
		fatalx("libsodium failed to initialise");
	path = conf_path_default(path);
	buf_init(&errs, 1024);
	bad = conf_load(path, &conf, &errs);
	log_verbose = conf.log_debug;
	if (strcmp(cmd, "check-config") == 0) {
		rc = check_config(path, argc > 1 && strcmp(argv[1], "-v") == 0,
		    &errs, bad);
		goto out;
	}
	if (bad) {
		fprintf(stderr, "%sdinghuo: fix the config (dinghuo "
		    "check-config)\n", buf_cstr(&errs));
		rc = 1;
		goto out;
	}
	if (strcmp(cmd, "serve") == 0) {
		if (log_open(conf.error_log, conf.access_log) == -1)
			fatalx("cannot open the logs");
		rc = server_run(path);
	} else if (strcmp(cmd, "migrate") == 0) {
		if ((rc = migrate_run(conf.sql_dir)) == 0)
			rc = cli_licences_move();
	} else if (strcmp(cmd, "shop") == 0 && argc > 1 &&
	    strcmp(argv[1], "create") == 0)
		rc = cli_shop_create(argc - 2, argv + 2);
	else if (strcmp(cmd, "demo") == 0)
		rc = cli_demo(argc - 1, argv + 1);
	else if (strcmp(cmd, "import") == 0 && argc > 1 &&
	    strcmp(argv[1], "images") == 0)
		rc = cli_import_images(argc - 2, argv + 2);
	else if (strcmp(cmd, "import") == 0)
		rc = cli_import(argc - 1, argv + 1);
	else if (strcmp(cmd, "export") == 0)
		rc = cli_export(argc - 1, argv + 1);
	else if (strcmp(cmd, "uploads") == 0)
		rc = cli_uploads(argc - 1, argv + 1);
	else if (strcmp(cmd, "statements") == 0)
		rc = cli_statements(argc - 1, argv + 1);
	else if (strcmp(cmd, "jobs") == 0)
		rc = cli_jobs(argc - 1, argv + 1);
	else
		usage();
out:
	buf_free(&errs);
	conf_free(&conf);
	return rc;
}
