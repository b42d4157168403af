/*
 * test_db.c -- db.c's transaction contract against a real MariaDB:
 * retries after deadlocks, lock wait timeouts and certification failures,
 * a killed connection inside a transaction, nested transactions, and
 * statements a db_each callback runs while the cache is tiny; and the
 * domain's idempotency_expire, which no request reaches. Needs a
 * database, so make check only builds it; tests/integration/
 * test_db_contract.py runs it against the test stack (DINGHUO_TEST_DB_*).
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/dctx.h"

#include <setjmp.h>
#include <cmocka.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "domain/idempotency.h"

#define NROWS	40

static struct arena	*a;
static struct dctx	 d;
static MYSQL		*other;		/* a second client, holding locks */

static const char sql_add[] = "INSERT INTO db_contract (tag) VALUES (?)";
static const char sql_tags[] =
    "SELECT GROUP_CONCAT(tag ORDER BY id SEPARATOR ',') FROM db_contract";
static const char sql_conn_id[] = "SELECT CONNECTION_ID()";
static const char sql_bump[] = "UPDATE db_contract SET v = v + 1 WHERE id = ?";
static const char sql_v[] = "SELECT v FROM db_contract WHERE id = ?";
static const char sql_range[] =
    "SELECT id, tag FROM db_contract WHERE id BETWEEN ? AND ? ORDER BY id";
static const char sql_one[] = "SELECT 1";
static const char sql_two[] = "SELECT 2";
static const char sql_three[] = "SELECT 3";

static void
other_query(const char *q)
{
	if (mysql_query(other, q) != 0)
		fail_msg("second client: %s: %s", q, mysql_error(other));
	mysql_free_result(mysql_store_result(other));
}

static int
setup(void **state)
{
	const char	*s;

	(void)state;
	if ((s = getenv("DINGHUO_TEST_DB_SOCKET")) == NULL) {
		fprintf(stderr, "test_db: set DINGHUO_TEST_DB_SOCKET (and "
		    "_USER, _PASSWORD, _NAME): it needs a database\n");
		return -1;
	}
	conf.db_socket = (char *)s;
	conf.db_host = (char *)"localhost";
	conf.db_user = (char *)(getenv("DINGHUO_TEST_DB_USER") ?
	    getenv("DINGHUO_TEST_DB_USER") : "dinghuo");
	conf.db_password = (char *)(getenv("DINGHUO_TEST_DB_PASSWORD") ?
	    getenv("DINGHUO_TEST_DB_PASSWORD") : "dinghuo");
	conf.db_name = (char *)(getenv("DINGHUO_TEST_DB_NAME") ?
	    getenv("DINGHUO_TEST_DB_NAME") : "dinghuo");
	conf.request_timeout = 10;
	a = arena_new(0);
	dctx_init(&d, a, "-");
	strcpy(d.reqid, "dbtest");
	if (db_open() == -1)
		return -1;
	other = mysql_init(NULL);
	if (mysql_real_connect(other, NULL, conf.db_user, conf.db_password,
	    conf.db_name, 0, conf.db_socket, 0) == NULL) {
		fprintf(stderr, "test_db: %s\n", mysql_error(other));
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mysql_query(other, "DROP TABLE IF EXISTS db_contract");
	mysql_close(other);
	db_close();
	arena_free(a);
	return 0;
}

/* A fresh table of n rows (tags r1..rn, v 0) before each test. */
static void
table(int n)
{
	char	q[64];
	int	i;

	other_query("DROP TABLE IF EXISTS db_contract");
	other_query("CREATE TABLE db_contract (id INT NOT NULL AUTO_INCREMENT "
	    "PRIMARY KEY, tag VARCHAR(20) NOT NULL UNIQUE, v INT NOT NULL "
	    "DEFAULT 0) ENGINE=InnoDB");
	for (i = 1; i <= n; i++) {
		snprintf(q, sizeof(q), "INSERT INTO db_contract (tag) VALUES "
		    "('r%d')", i);
		other_query(q);
	}
	db_test_fail(0, 0);
	db_exec_text("SET SESSION innodb_lock_wait_timeout = 5");
}

static const char *
tags(void)
{
	struct db_res	*r;

	if (db_run(a, &r, sql_tags, "") == -1)
		fail_msg("tags: %s", db_error());
	return db_cell(r, 0, 0) ? db_cell(r, 0, 0) : "";
}

static int64_t
value(int64_t id)
{
	struct db_res	*r;

	if (db_run(a, &r, sql_v, "i", id) == -1)
		fail_msg("value: %s", db_error());
	return db_cell_i64(r, 0, 0);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

struct body {
	int		 runs;
	int		 after_fail;	/* what the statement after returned */
	unsigned int	 after_errno;
	unsigned int	 inject;	/* 1st run: fail the 2nd statement */
	int		 inject_commit;	/* on every run: fail the COMMIT */
};

/*
 * Adds a<run>, b<run>, c<run>. A body that ignores a failure and goes on,
 * the worst case: the contract must keep what follows out of the database.
 */
static int
tx_three(struct dctx *c, void *arg)
{
	struct body	*b = arg;
	char		 tag[3][16];
	int		 i;

	b->runs++;
	for (i = 0; i < 3; i++)
		snprintf(tag[i], sizeof(tag[i]), "%c%d", 'a' + i, b->runs);
	if (b->runs == 1 && b->inject)
		db_test_fail(b->inject, 1);
	db_run(c->arena, NULL, sql_add, "s", tag[0]);
	db_run(c->arena, NULL, sql_add, "s", tag[1]);
	b->after_fail = db_run(c->arena, NULL, sql_add, "s", tag[2]);
	b->after_errno = db_errno();
	if (b->inject_commit)
		db_test_fail(b->inject_commit, 0);
	return 0;
}

static void
test_deadlock_retried(void **state)
{
	struct body	b = { .inject = ER_LOCK_DEADLOCK };

	(void)state;
	table(0);
	assert_int_equal(db_tx_run(&d, tx_three, &b), 0);
	assert_int_equal(b.runs, 2);
	assert_string_equal(tags(), "a2,b2,c2");
	assert_int_equal(db_in_tx(), 0);
}

/* 1180 at COMMIT: nothing was committed, so the body runs again. */
static void
test_certification_failure_retried(void **state)
{
	struct body	b = { .inject_commit = 1180 };
	int		rc;

	(void)state;
	table(0);
	rc = db_tx_run(&d, tx_three, &b);
	/* Every COMMIT fails: the body ran TX_ATTEMPTS times, nothing kept. */
	assert_int_equal(rc, ERR_INTERNAL);
	assert_int_equal(b.runs, 4);
	assert_string_equal(tags(), "");
	b.runs = 0;
	b.inject_commit = 0;
	db_test_fail(1180, 4);	/* START, a, b, c pass; the 1st COMMIT fails */
	assert_int_equal(db_tx_run(&d, tx_three, &b), 0);
	assert_int_equal(b.runs, 2);
	assert_string_equal(tags(), "a2,b2,c2");
}

/* Retries have a cap and a growing pause between them. */
static void
test_retry_cap_and_backoff(void **state)
{
	struct body	b = { .inject_commit = ER_LOCK_DEADLOCK };
	struct timespec	t0;
	double		ms;

	(void)state;
	table(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(db_tx_run(&d, tx_three, &b), ERR_INTERNAL);
	ms = ms_since(&t0);
	assert_int_equal(b.runs, 4);
	assert_true(ms >= 10 + 20 + 40);	/* 3 pauses: 10, 20, 40 ms + */
	assert_true(ms < 2000);
	assert_int_equal(db_errno(), ER_LOCK_DEADLOCK);
}

/* A connection lost during COMMIT may have committed: not run again. */
static void
test_commit_lost_not_retried(void **state)
{
	struct body	b = { .inject_commit = CR_SERVER_LOST };

	(void)state;
	table(0);
	assert_int_equal(db_tx_run(&d, tx_three, &b), ERR_INTERNAL);
	assert_int_equal(b.runs, 1);
	assert_string_equal(tags(), "");	/* the server rolled back */
}

struct killer {
	int		 runs;
	int		 after_kill;	/* db_run after KILL, 1st run */
	int		 later;		/* and the one after that */
	unsigned int	 later_errno;
};

/*
 * Adds a<run>, b<run>, c<run>; on the 1st run a second client kills this
 * connection after a1. Ignores the failures and returns 0: the worst case.
 */
static int
tx_killed(struct dctx *c, void *arg)
{
	struct killer	*k = arg;
	struct db_res	*r;
	char		 q[64], tag[3][16];
	int		 i, rc1, rc2;

	k->runs++;
	for (i = 0; i < 3; i++)
		snprintf(tag[i], sizeof(tag[i]), "%c%d", 'a' + i, k->runs);
	if (db_run(c->arena, &r, sql_conn_id, "") == -1)
		return ERR_INTERNAL;
	db_run(c->arena, NULL, sql_add, "s", tag[0]);
	if (k->runs == 1) {
		snprintf(q, sizeof(q), "KILL CONNECTION %s", db_cell(r, 0, 0));
		other_query(q);
	}
	rc1 = db_run(c->arena, NULL, sql_add, "s", tag[1]);
	rc2 = db_run(c->arena, NULL, sql_add, "s", tag[2]);
	if (k->runs == 1) {
		k->after_kill = rc1;
		k->later = rc2;
		k->later_errno = db_errno();
	}
	return 0;
}

static void
test_killed_connection_in_tx(void **state)
{
	struct killer	k = { 0 };

	(void)state;
	table(0);
	assert_int_equal(db_tx_run(&d, tx_killed, &k), 0);
	assert_int_equal(k.runs, 2);
	assert_int_equal(k.after_kill, -1);
	/* No reconnect in between: c1 did not land in autocommit. */
	assert_int_equal(k.later, -1);
	assert_true(k.later_errno == CR_SERVER_LOST ||
	    k.later_errno == CR_SERVER_GONE_ERROR ||
	    k.later_errno == ER_CONNECTION_KILLED);
	assert_string_equal(tags(), "a2,b2,c2");
	assert_int_equal(db_in_tx(), 0);
}

/* Outside a transaction a connection found lost is reopened for a read. */
static void
test_reconnect_outside_tx(void **state)
{
	struct db_res	*r;
	char		 q[64];

	(void)state;
	assert_int_equal(db_run(a, &r, sql_conn_id, ""), 0);
	snprintf(q, sizeof(q), "KILL CONNECTION %s", db_cell(r, 0, 0));
	other_query(q);
	assert_int_equal(db_run(a, &r, sql_one, ""), 0);
	assert_string_equal(db_cell(r, 0, 0), "1");
}

struct waiter {
	int	runs;
	int	first;		/* db_run of the blocked UPDATE */
	unsigned int first_errno;
};

/* Row 1 is locked by the second client until the 2nd run. */
static int
tx_wait(struct dctx *c, void *arg)
{
	struct waiter	*w = arg;

	if (++w->runs == 2)
		other_query("COMMIT");
	w->first = db_run(c->arena, NULL, sql_bump, "i", (int64_t)1);
	w->first_errno = db_errno();
	return w->first == 0 ? 0 : ERR_INTERNAL;
}

static void
test_lock_wait_timeout_retried(void **state)
{
	struct waiter	w = { 0 };

	(void)state;
	table(2);
	db_exec_text("SET SESSION innodb_lock_wait_timeout = 1");
	other_query("START TRANSACTION");
	other_query("SELECT * FROM db_contract WHERE id = 1 FOR UPDATE");
	assert_int_equal(db_tx_run(&d, tx_wait, &w), 0);
	assert_int_equal(w.runs, 2);
	assert_int_equal(value(1), 1);
}

/* A real deadlock: the second client, heavier, waits on our row 1. */
static int
tx_deadlock(struct dctx *c, void *arg)
{
	struct waiter	*w = arg;
	int64_t		 id;
	int		 rc;

	if (++w->runs == 2) {
		mysql_read_query_result(other);
		other_query("COMMIT");
	}
	if (db_run(c->arena, NULL, sql_bump, "i", (int64_t)1) == -1)
		return ERR_INTERNAL;
	if (w->runs == 1 && mysql_send_query(other,
	    "UPDATE db_contract SET v = v + 1 WHERE id = 1", 45) != 0)
		fail_msg("send: %s", mysql_error(other));
	rc = db_run(c->arena, NULL, sql_bump, "i", (int64_t)2);
	if (w->runs == 1) {
		w->first = rc;
		w->first_errno = db_errno();
	}
	/* Goes on regardless: these must fail after a deadlock. */
	for (id = 3; id <= 4; id++)
		if (db_run(c->arena, NULL, sql_bump, "i", id) == 0 &&
		    w->runs == 1)
			w->first = 1;
	return 0;
}

static void
test_real_deadlock_retried(void **state)
{
	struct waiter	w = { 0 };

	(void)state;
	table(12);
	other_query("START TRANSACTION");
	other_query("UPDATE db_contract SET v = v + 1 WHERE id >= 2");
	assert_int_equal(db_tx_run(&d, tx_deadlock, &w), 0);
	assert_int_equal(w.runs, 2);
	assert_int_equal(w.first, -1);
	assert_int_equal(w.first_errno, ER_LOCK_DEADLOCK);
	assert_int_equal(value(1), 2);		/* ours once, theirs once */
	assert_int_equal(value(2), 2);
	assert_int_equal(value(3), 2);
}

static int
tx_inner(struct dctx *c, void *arg)
{
	(void)arg;
	return db_run(c->arena, NULL, sql_add, "s", "inner") == 0 ? 0 :
	    ERR_INTERNAL;
}

struct outer {
	int	nested;
	int	after;
};

static int
tx_outer(struct dctx *c, void *arg)
{
	struct outer	*o = arg;

	db_run(c->arena, NULL, sql_add, "s", "outer");
	o->nested = db_tx_run(c, tx_inner, NULL);
	o->after = db_run(c->arena, NULL, sql_add, "s", "after");
	return 0;	/* ignores it: the outer transaction fails anyway */
}

static void
test_nested_refused(void **state)
{
	struct outer	o = { 0 };

	(void)state;
	table(0);
	assert_int_equal(db_tx_run(&d, tx_outer, &o), ERR_INTERNAL);
	assert_int_equal(o.nested, ERR_INTERNAL);
	assert_int_equal(o.after, -1);
	assert_int_equal(db_in_tx(), 0);
	assert_string_equal(tags(), "");
	/* The next transaction is a normal one. */
	assert_int_equal(db_tx_run(&d, tx_inner, NULL), 0);
	assert_string_equal(tags(), "inner");
}

struct reader {
	int	rows;
	int	bad;
	int	depth;
	char	seen[NROWS * 8];
};

static int
row_inner(void *arg, const char **row, int n)
{
	struct reader	*r = arg;

	(void)n;
	if (row[1] == NULL || row[1][0] != 'r')
		r->bad++;
	return 0;
}

/*
 * Every row runs other statements, more of them than the cache holds,
 * and the very statement being read (nested, on other rows).
 */
static int
row_outer(void *arg, const char **row, int n)
{
	struct reader	*r = arg, inner = { 0 };
	struct db_res	*res;
	char		 want[16];

	assert_int_equal(n, 2);
	r->rows++;
	snprintf(want, sizeof(want), "r%d", r->rows);
	if (strcmp(row[1], want) != 0)
		r->bad++;
	snprintf(r->seen + strlen(r->seen), sizeof(r->seen) - strlen(r->seen),
	    "%s", row[1]);
	if (db_run(a, &res, sql_one, "") == -1 ||
	    strcmp(db_cell(res, 0, 0), "1") != 0 ||
	    db_run(a, &res, sql_two, "") == -1 ||
	    db_run(a, &res, sql_three, "") == -1 ||
	    strcmp(db_cell(res, 0, 0), "3") != 0)
		r->bad++;
	if (db_each(sql_range, row_inner, &inner, "ii", (int64_t)1,
	    (int64_t)3) == -1 || inner.bad)
		r->bad++;
	return 0;
}

static void
test_each_statement_pinned(void **state)
{
	struct reader	r = { 0 };
	char		want[NROWS * 8] = "";
	char		one[16];
	int		i;

	(void)state;
	table(NROWS);
	for (i = 1; i <= NROWS; i++) {
		snprintf(one, sizeof(one), "r%d", i);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s",
		    one);
	}
	db_test_stmt_cache(2);
	assert_int_equal(db_each(sql_range, row_outer, &r, "ii", (int64_t)1,
	    (int64_t)NROWS), 0);
	assert_int_equal(r.rows, NROWS);
	assert_int_equal(r.bad, 0);
	assert_string_equal(r.seen, want);
	/* A cache of one, still being read: statements prepared per use. */
	db_test_stmt_cache(1);
	memset(&r, 0, sizeof(r));
	assert_int_equal(db_each(sql_range, row_outer, &r, "ii", (int64_t)1,
	    (int64_t)NROWS), 0);
	assert_int_equal(r.rows, NROWS);
	assert_int_equal(r.bad, 0);
	db_test_stmt_cache(256);
}

struct cut {
	const char	*conn_id;
	int		 rows;
	int		 nested;	/* db_run after the KILL */
};

static int
row_cut(void *arg, const char **row, int n)
{
	struct cut	*k = arg;
	struct db_res	*r;
	char		 q[64];

	(void)row;
	(void)n;
	if (++k->rows == 3) {
		snprintf(q, sizeof(q), "KILL CONNECTION %s", k->conn_id);
		other_query(q);
		k->nested = db_run(a, &r, sql_one, "");
	}
	return 0;	/* goes on regardless */
}

/* Lost while db_each reads: no reconnect under it, the read stops. */
static void
test_killed_while_reading(void **state)
{
	struct cut	 k = { 0 };
	struct db_res	*r;

	(void)state;
	table(NROWS);
	assert_int_equal(db_run(a, &r, sql_conn_id, ""), 0);
	k.conn_id = db_cell(r, 0, 0);
	assert_int_equal(db_each(sql_range, row_cut, &k, "ii", (int64_t)1,
	    (int64_t)NROWS), -1);
	assert_int_equal(k.rows, 3);
	assert_int_equal(k.nested, -1);
	assert_int_equal(db_run(a, &r, sql_one, ""), 0);	/* reopened */
}

/* Expired keys go, live ones stay: what the job runner schedules. */
static void
test_idempotency_expire(void **state)
{
	struct db_res	*r;
	static const char sql_left[] =
	    "SELECT GROUP_CONCAT(idem_key ORDER BY idem_key) FROM "
	    "idempotency_key WHERE owner = 'test:db'";

	(void)state;
	other_query("DELETE FROM idempotency_key WHERE owner = 'test:db'");
	other_query("INSERT INTO idempotency_key (shop_id, owner, idem_key, "
	    "method, path, request_hash, status, expires_at) SELECT MIN(id), "
	    "'test:db', k, 'POST', '/x', REPEAT('0', 64), 200, e FROM shop, "
	    "(SELECT 'old' k, NOW(3) - INTERVAL 1 SECOND e UNION ALL "
	    "SELECT 'live', NOW(3) + INTERVAL 1 HOUR) t GROUP BY k, e");
	assert_int_equal(idempotency_expire(&d), 0);
	assert_int_equal(db_run(a, &r, sql_left, ""), 0);
	assert_string_equal(db_cell(r, 0, 0), "live");
	other_query("DELETE FROM idempotency_key WHERE owner = 'test:db'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadlock_retried),
		cmocka_unit_test(test_certification_failure_retried),
		cmocka_unit_test(test_retry_cap_and_backoff),
		cmocka_unit_test(test_commit_lost_not_retried),
		cmocka_unit_test(test_killed_connection_in_tx),
		cmocka_unit_test(test_reconnect_outside_tx),
		cmocka_unit_test(test_lock_wait_timeout_retried),
		cmocka_unit_test(test_real_deadlock_retried),
		cmocka_unit_test(test_nested_refused),
		cmocka_unit_test(test_each_statement_pinned),
		cmocka_unit_test(test_killed_while_reading),
		cmocka_unit_test(test_idempotency_expire),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
