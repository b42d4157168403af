/*
 * cli.c -- operator commands that write to the database: `shop create`
 * and `demo` (a demo shop with staff and a customer company; the writes
 * are domain/shop_setup.c's, in one transaction), and the option parser
 * of every shell command. They say what they did, or why not, on stderr.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/shop_setup.h"
#include "runtime/runtime.h"

/*
 * --name value options, --flag switches and at most one plain argument
 * (when arg is not NULL) into opts; -1, said on stderr, on anything else.
 */
int
cli_opts_parse(int argc, char **argv, struct cli_opt *opts, const char **arg)
{
	struct cli_opt	*o;
	int		 i;

	if (arg != NULL)
		*arg = NULL;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 && arg != NULL &&
		    *arg == NULL) {
			*arg = argv[i];
			continue;
		}
		for (o = opts; o->name != NULL; o++)
			if (strncmp(argv[i], "--", 2) == 0 &&
			    strcmp(argv[i] + 2, o->name) == 0)
				break;
		if (o->name != NULL && o->kind == CLI_FLAG) {
			o->value = "1";
			continue;
		}
		if (o->name == NULL || i + 1 >= argc) {
			fprintf(stderr, "dinghuo: %s: unknown option or "
			    "missing value\n", argv[i]);
			return -1;
		}
		o->value = argv[++i];
	}
	for (o = opts; o->name != NULL; o++)
		if (o->kind == CLI_REQUIRED && o->value == NULL) {
			fprintf(stderr, "dinghuo: --%s is required\n", o->name);
			return -1;
		}
	return 0;
}


static int
shop_create(struct new_shop *ns)
{
	struct arena	*a = arena_new(8192);
	struct dctx	 c;
	int		 rc;

	dctx_init(&c, a, "cli");
	if (db_open() == -1) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		rc = ERR_UNAVAILABLE;
	} else
		rc = shop_setup(&c, ns);
	arena_free(a);
	db_close();
	return rc;
}

static int
valid_input(const struct new_shop *ns)
{
	if (!slug_valid(ns->slug)) {
		fprintf(stderr, "dinghuo: slug '%s': use 2-40 lower-case "
		    "letters, digits and '-'\n", ns->slug);
		return 0;
	}
	if (strlen(ns->name) == 0 || strlen(ns->name) > 300 ||
	    !utf8_valid(ns->name, strlen(ns->name))) {
		fprintf(stderr, "dinghuo: name must be 1-100 characters\n");
		return 0;
	}
	if (strlen(ns->phone) != 11 || strspn(ns->phone, "0123456789") != 11) {
		fprintf(stderr, "dinghuo: admin phone must be 11 digits\n");
		return 0;
	}
	if (strlen(ns->password) < 8) {
		fprintf(stderr, "dinghuo: admin password must have at least "
		    "8 characters\n");
		return 0;
	}
	return 1;
}

int
cli_shop_create(int argc, char **argv)
{
	struct cli_opt	 opts[] = {
		{ "slug", CLI_REQUIRED, NULL }, { "name", CLI_REQUIRED, NULL },
		{ "host", CLI_VALUE, NULL },
		{ "admin-phone", CLI_REQUIRED, NULL },
		{ "admin-password", CLI_REQUIRED, NULL },
		{ NULL, 0, NULL }
	};
	struct new_shop	 ns;
	int		 rc;

	if (cli_opts_parse(argc, argv, opts, NULL) == -1)
		return 2;
	memset(&ns, 0, sizeof(ns));
	ns.slug = opts[0].value;
	ns.name = opts[1].value;
	ns.host = opts[2].value;
	ns.phone = opts[3].value;
	ns.password = opts[4].value;
	if (!valid_input(&ns))
		return 2;
	if ((rc = shop_create(&ns)) == ERR_CONFLICT) {
		fprintf(stderr, "dinghuo: shop '%s' already exists\n", ns.slug);
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "dinghuo: shop not created (see the log)\n");
		return 1;
	}
	printf("shop %s created (id %" PRId64 "), owner %s\n", ns.slug,
	    ns.shop_id, ns.phone);
	return 0;
}

int
cli_demo(int argc, char **argv)
{
	struct cli_opt	 opts[] = {
		{ "slug", CLI_VALUE, NULL }, { "name", CLI_VALUE, NULL },
		{ "host", CLI_VALUE, NULL }, { NULL, 0, NULL }
	};
	struct new_shop	 ns;
	int		 rc;

	if (cli_opts_parse(argc, argv, opts, NULL) == -1)
		return 2;
	memset(&ns, 0, sizeof(ns));
	ns.slug = opts[0].value ? opts[0].value : "demo";
	ns.name = opts[1].value ? opts[1].value : "示例批发商行";
	ns.host = opts[2].value;
	ns.phone = "13800000000";
	ns.password = "demo1234";
	ns.demo = 1;
	if (!valid_input(&ns))
		return 2;
	rc = shop_create(&ns);
	if (rc == ERR_CONFLICT) {
		printf("demo shop %s already there (id %" PRId64 ")\n",
		    ns.slug, ns.shop_id);
		return 0;
	}
	if (rc != 0) {
		fprintf(stderr, "dinghuo: demo not created (see the log)\n");
		return 1;
	}
	printf("demo shop %s created (id %" PRId64 ")\n"
	    "  staff:    13800000000 (owner), 13800000001 (sales)\n"
	    "  customer: 13900000000 (buyer), 13900000001 (approver), "
	    "13900000002 (finance)\n  password: demo1234 for all\n",
	    ns.slug, ns.shop_id);
	return 0;
}
