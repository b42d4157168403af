/*
 * cli_routes.c -- `dinghuo routes`: every route the workers serve, one a
 * line, tab-separated: method, pattern, flags, staff roles ("-": any).
 * Needs no config or database; tests walk it to cover each route.
 */
#include "base/base.h"
#include "http/http.h"
#include "runtime/runtime.h"

static const struct {
	int		 flag;
	const char	*name;
} flag_names[] = {
	{ ROUTE_STAFF, "staff" }, { ROUTE_CUSTOMER, "customer" },
	{ ROUTE_CSRF, "csrf" }, { ROUTE_NOSHOP, "noshop" },
	{ ROUTE_JSON, "json" }, { ROUTE_BODY, "body" },
	{ ROUTE_NOREPLAY, "noreplay" },
};

static void
route_print(const struct route *r)
{
	size_t	i;
	int	n = 0;

	printf("%s\t%s\t", r->method, r->pattern);
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (r->flags & flag_names[i].flag)
			printf("%s%s", n++ ? "," : "", flag_names[i].name);
	printf("%s\t%s\n", n ? "" : "-", r->roles != NULL ? r->roles : "-");
}

int
cli_routes(void)
{
	const struct route *const	*t;
	const struct route		*r;

	for (t = worker_routes(); *t != NULL; t++)
		for (r = *t; r->method != NULL; r++)
			route_print(r);
	return fflush(stdout) == 0 ? 0 : 1;
}
