/* test_scope.c -- whose customers each actor sees: every staff role by
 * name, a role the table does not know (it starts narrow), customers'
 * users and shell commands, and who may move a company. */
#include "base/base.h"
#include "domain/dctx.h"
#include "domain/scope.h"

#include <setjmp.h>
#include <cmocka.h>

static struct dctx
actor(enum sess_kind kind, const char *role)
{
	struct dctx	c;

	memset(&c, 0, sizeof(c));
	c.sess.kind = kind;
	c.sess.user_id = 42;
	c.sess.role = role;
	return c;
}

static void
test_staff_roles(void **state)
{
	static const char *const all[] = { "owner", "admin", "finance",
	    "warehouse", "service" };
	static const char *const own[] = { "sales", "intern", "", "sale",
	    "owne", NULL };
	struct dctx	c;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		c = actor(SESS_STAFF, all[i]);
		assert_int_equal(scope_owner(&c), 0);
	}
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		c = actor(SESS_STAFF, own[i]);
		assert_int_equal(scope_owner(&c), 42);
	}
}

static void
test_others_act_for_the_shop(void **state)
{
	struct dctx	c;

	(void)state;
	c = actor(SESS_CUSTOMER, "buyer");
	assert_int_equal(scope_owner(&c), 0);
	c = actor(SESS_NONE, NULL);
	assert_int_equal(scope_owner(&c), 0);
	assert_true(scope_may_assign(&c));
}

static void
test_who_moves_a_company(void **state)
{
	static const struct { const char *role; int may; } t[] = {
		{ "owner", 1 }, { "admin", 1 }, { "sales", 0 },
		{ "finance", 0 }, { "service", 0 }, { "warehouse", 0 },
	};
	struct dctx	c;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		c = actor(SESS_STAFF, t[i].role);
		assert_int_equal(scope_may_assign(&c), t[i].may);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staff_roles),
		cmocka_unit_test(test_others_act_for_the_shop),
		cmocka_unit_test(test_who_moves_a_company),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
