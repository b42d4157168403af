/* test_router.c -- route matching, captures, 404 and 405 with Allow. */
#include "base/base.h"
#include "http/http.h"
#include "handlers/handlers.h"

#include <setjmp.h>
#include <cmocka.h>

static int h_a(struct ctx *c) { (void)c; return 1; }
static int h_b(struct ctx *c) { (void)c; return 2; }

static const struct route table[] = {
	{ "GET", "^/orders$", h_a, 0, NULL },
	{ "POST", "^/orders$", h_b, ROUTE_CSRF, NULL },
	{ "GET", "^/orders/([0-9]+)$", h_a, 0, NULL },
	{ "GET", "^/p/([a-z]+)/([0-9]+)$", h_b, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
static const struct route *const tables[] = { table, NULL };

static void
test_match(void **state)
{
	struct router		*rt = router_new(tables);
	struct arena		*a = arena_new(0);
	struct route_match	 m;

	assert_non_null(rt);
	assert_int_equal(router_match(rt, a, "GET", "/orders", &m), ROUTER_OK);
	assert_ptr_equal(m.route->handler, h_a);
	assert_int_equal(router_match(rt, a, "POST", "/orders", &m),
	    ROUTER_OK);
	assert_ptr_equal(m.route->handler, h_b);
	assert_int_equal(router_match(rt, a, "HEAD", "/orders", &m),
	    ROUTER_OK);
	assert_int_equal(router_match(rt, a, "GET", "/orders/42", &m),
	    ROUTER_OK);
	assert_string_equal(m.cap[0], "42");
	assert_null(m.cap[1]);
	assert_int_equal(router_match(rt, a, "GET", "/p/tea/7", &m), ROUTER_OK);
	assert_string_equal(m.cap[0], "tea");
	assert_string_equal(m.cap[1], "7");
	arena_free(a);
	router_free(rt);
}

static void
test_not_found_and_method(void **state)
{
	struct router		*rt = router_new(tables);
	struct arena		*a = arena_new(0);
	struct route_match	 m;

	assert_int_equal(router_match(rt, a, "GET", "/orders/x", &m),
	    ROUTER_NOT_FOUND);
	assert_int_equal(router_match(rt, a, "GET", "/orders/", &m),
	    ROUTER_NOT_FOUND);
	assert_int_equal(router_match(rt, a, "DELETE", "/orders", &m),
	    ROUTER_BAD_METHOD);
	assert_string_equal(m.allow, "GET, POST, HEAD");
	assert_int_equal(router_match(rt, a, "POST", "/orders/1", &m),
	    ROUTER_BAD_METHOD);
	assert_string_equal(m.allow, "GET, HEAD");
	arena_free(a);
	router_free(rt);
}

static const struct route broken[] = {
	{ "GET", "^/(unclosed$", h_a, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
static const struct route *const broken_tables[] = { broken, NULL };

static void
test_bad_pattern(void **state)
{
	assert_null(router_new(broken_tables));
}

/* Every real route table compiles and the slice's paths resolve. */
static const struct route *const app_tables[] = {
	h_api_routes, h_account_routes, h_admin_routes, h_store_routes, NULL
};

static void
test_app_routes(void **state)
{
	struct router		*rt = router_new(app_tables);
	struct arena		*a = arena_new(0);
	struct route_match	 m;

	assert_non_null(rt);
	assert_int_equal(router_match(rt, a, "GET", "/", &m), ROUTER_OK);
	assert_int_equal(router_match(rt, a, "GET", "/healthz", &m),
	    ROUTER_OK);
	assert_true(m.route->flags & ROUTE_NOSHOP);
	assert_int_equal(router_match(rt, a, "POST", "/login", &m), ROUTER_OK);
	assert_true(m.route->flags & ROUTE_CSRF);
	assert_int_equal(router_match(rt, a, "GET", "/admin", &m), ROUTER_OK);
	assert_true(m.route->flags & ROUTE_STAFF);
	assert_int_equal(router_match(rt, a, "GET", "/account", &m), ROUTER_OK);
	assert_true(m.route->flags & ROUTE_CUSTOMER);
	assert_int_equal(router_match(rt, a, "PUT", "/login", &m),
	    ROUTER_BAD_METHOD);
	arena_free(a);
	router_free(rt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_not_found_and_method),
		cmocka_unit_test(test_bad_pattern),
		cmocka_unit_test(test_app_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
