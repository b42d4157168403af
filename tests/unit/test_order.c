/* test_order.c -- the order area's pure rules: quantities against the
 * minimum order and whole cases, requested delivery dates, tax rounded
 * per line, who may take which action from which state, and the names
 * states, invoices and terms go by. */
#include "base/base.h"
#include "domain/session.h"
#include "domain/order.h"

#include <setjmp.h>
#include <cmocka.h>

static void
test_qty_parse(void **state)
{
	static const char *const bad[] = { "0", "-1", "1.5", "1000001",
	    "1000000000", "abc", "", "1e3", "12abc", " 3", "0x10" };
	int64_t	q;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(line_qty_parse(bad[i], &q), LINE_QTY_INVALID);
	assert_int_equal(line_qty_parse(NULL, &q), LINE_QTY_INVALID);
	assert_int_equal(line_qty_parse("1", &q), LINE_OK);
	assert_int_equal(q, 1);
	assert_int_equal(line_qty_parse("1000000", &q), LINE_OK);
	assert_int_equal(q, 1000000);
}

static void
test_qty_rules(void **state)
{
	(void)state;
	/* min 24, cases of 24, whole cases only */
	assert_int_equal(line_qty_check(23, 24, 24, 1), LINE_QTY_BELOW_MIN);
	assert_int_equal(line_qty_check(24, 24, 24, 1), LINE_OK);
	assert_int_equal(line_qty_check(30, 24, 24, 1), LINE_QTY_NOT_MULTIPLE);
	assert_int_equal(line_qty_check(48, 24, 24, 1), LINE_OK);
	/* the same cases sold loose */
	assert_int_equal(line_qty_check(30, 24, 24, 0), LINE_OK);
	/* a case of one asks nothing */
	assert_int_equal(line_qty_check(7, 1, 1, 1), LINE_OK);
	assert_int_equal(line_qty_check(0, 1, 1, 0), LINE_QTY_INVALID);
	assert_int_equal(line_qty_check(1000001, 1, 1, 0), LINE_QTY_INVALID);
	assert_string_equal(line_problem_code(LINE_QTY_NOT_MULTIPLE),
	    "qty_not_multiple");
	assert_string_equal(line_problem_code(LINE_UNAVAILABLE),
	    "sku_unavailable");
}

static void
test_delivery_date(void **state)
{
	const char	*why;
	time_t		 now = 1795449600;	/* 2026-11-23 16:00 UTC */

	(void)state;
	/* China is at 2026-11-24 00:00 then: today there is the 24th. */
	assert_int_equal(order_date_check("2026-11-24", now, &why), 0);
	assert_int_equal(order_date_check("2026-11-23", now, &why), -1);
	assert_string_equal(why, "不能早于今天");
	assert_int_equal(order_date_check("2027-02-22", now, &why), 0);
	assert_int_equal(order_date_check("2027-02-23", now, &why), -1);
	assert_int_equal(order_date_check("2026-02-30", now, &why), -1);
	assert_string_equal(why, "不是有效的日期");
	assert_int_equal(order_date_check("2026-1-24", now, &why), -1);
	assert_int_equal(order_date_check("2026-11-24x", now, &why), -1);
	assert_int_equal(order_date_check("", now, &why), -1);
}

static void
test_tax_per_line(void **state)
{
	struct priced_line	l[3];
	struct order_money	m;

	(void)state;
	memset(l, 0, sizeof(l));
	l[0].line_fen = 5997;			/* 3 %: 179.91 -> 180 */
	l[1].line_fen = 2331;			/* 69.93 -> 70 */
	l[2].line_fen = 100000;
	l[2].problem = LINE_OUT_OF_STOCK;	/* not counted */
	order_money(l, 3, 300, &m);
	assert_int_equal(m.subtotal_fen, 8328);
	assert_int_equal(m.tax_fen, 250);	/* not 8328 x 3 % = 249.84 */
	assert_int_equal(m.total_fen, 8578);
	order_money(l, 3, 0, &m);
	assert_int_equal(m.tax_fen, 0);
	assert_int_equal(m.total_fen, 8328);
	l[0].line_fen = 50;			/* 1.5 -> 2: half up */
	order_money(l, 1, 300, &m);
	assert_int_equal(m.tax_fen, 2);
}

static struct session
actor(enum sess_kind kind, const char *role)
{
	struct session	s;

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.role = role;
	return s;
}

static void
test_who_may_move(void **state)
{
	struct session	owner = actor(SESS_STAFF, "owner");
	struct session	sales = actor(SESS_STAFF, "sales");
	struct session	wh = actor(SESS_STAFF, "warehouse");
	struct session	svc = actor(SESS_STAFF, "service");
	struct session	buyer = actor(SESS_CUSTOMER, "buyer");
	struct session	appr = actor(SESS_CUSTOMER, "approver");
	struct session	guest = actor(SESS_NONE, NULL);

	(void)state;
	assert_true(order_may(&sales, ORDER_SUBMITTED, ORDER_CONFIRM));
	assert_false(order_may(&wh, ORDER_SUBMITTED, ORDER_CONFIRM));
	assert_false(order_may(&sales, ORDER_CONFIRMED, ORDER_CONFIRM));
	assert_true(order_may(&wh, ORDER_CONFIRMED, ORDER_SHIP));
	assert_false(order_may(&sales, ORDER_CONFIRMED, ORDER_SHIP));
	assert_false(order_may(&owner, ORDER_SUBMITTED, ORDER_SHIP));
	assert_true(order_may(&buyer, ORDER_SHIPPED, ORDER_RECEIVE));
	assert_false(order_may(&buyer, ORDER_CONFIRMED, ORDER_RECEIVE));
	assert_true(order_may(&owner, ORDER_RECEIVED, ORDER_COMPLETE));
	assert_false(order_may(&buyer, ORDER_RECEIVED, ORDER_COMPLETE));
	/* Cancel: staff until shipped, customers until confirmed. */
	assert_true(order_may(&owner, ORDER_CONFIRMED, ORDER_CANCEL));
	assert_false(order_may(&owner, ORDER_SHIPPED, ORDER_CANCEL));
	assert_true(order_may(&buyer, ORDER_SUBMITTED, ORDER_CANCEL));
	assert_true(order_may(&buyer, ORDER_PENDING_APPROVAL, ORDER_CANCEL));
	assert_false(order_may(&buyer, ORDER_CONFIRMED, ORDER_CANCEL));
	assert_false(order_may(&svc, ORDER_SUBMITTED, ORDER_CANCEL));
	/* Approval is the company's approver's. */
	assert_true(order_may(&appr, ORDER_PENDING_APPROVAL, ORDER_APPROVE));
	assert_false(order_may(&buyer, ORDER_PENDING_APPROVAL, ORDER_APPROVE));
	assert_false(order_may(&owner, ORDER_PENDING_APPROVAL, ORDER_APPROVE));
	/* Nothing leaves the end states; nobody unknown moves anything. */
	for (int a = 0; a < ORDER_NACTIONS; a++) {
		assert_false(order_may(&owner, ORDER_COMPLETED, a));
		assert_false(order_may(&owner, ORDER_CANCELLED, a));
		assert_false(order_may(&buyer, ORDER_CANCELLED, a));
		assert_false(order_may(&guest, ORDER_SUBMITTED, a));
	}
}

static void
test_names(void **state)
{
	enum order_state	st;
	enum invoice_kind	k;
	enum pay_terms		t;
	int			i;

	(void)state;
	for (i = 0; i < ORDER_NSTATES; i++) {
		assert_int_equal(order_state_parse(order_state_name(i), &st), 0);
		assert_int_equal(st, i);
	}
	assert_int_equal(order_state_parse("shipping", &st), -1);
	assert_int_equal(order_state_parse(NULL, &st), -1);
	assert_int_equal(invoice_kind_parse("special", &k), 0);
	assert_int_equal(k, INVOICE_SPECIAL);
	assert_int_equal(invoice_kind_parse("SPECIAL", &k), -1);
	assert_int_equal(pay_terms_parse("monthly", &t), 0);
	assert_int_equal(t, TERMS_MONTHLY);
	assert_int_equal(pay_terms_parse("credit", &t), -1);
	assert_true(order_state_open(ORDER_SHIPPED));
	assert_false(order_state_open(ORDER_COMPLETED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qty_parse),
		cmocka_unit_test(test_qty_rules),
		cmocka_unit_test(test_delivery_date),
		cmocka_unit_test(test_tax_per_line),
		cmocka_unit_test(test_who_may_move),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
