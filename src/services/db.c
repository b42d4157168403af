/*
 * db.c -- the worker's one MariaDB/MySQL connection. Only prepared
 * statements reach it with outside values (db_run, db_each); they are
 * prepared once per connection and cached by their SQL text's address.
 * db_tx_run holds the transaction contract (docs/database.md): a body may
 * run again, a lost connection never turns into autocommit. Result cells
 * are copied into the caller's arena.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"

#include <fcntl.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <sodium.h>

#include "services/db_rows.h"

/*
 * Prepared statements kept per connection, least recently used replaced.
 * The binary holds about 200 distinct statements and a worker prepares
 * only those it runs, so a worker keeps at most 256 (one connection).
 * MariaDB counts them server-wide against max_prepared_stmt_count (16,382
 * by default, 63 full caches): counting both generations of workers during
 * a SIGHUP reload (old ones finish their request while new ones start) and
 * a few shell commands, 30 workers over all hosts fit. More need the server
 * setting raised (docs/database.md); if the limit is hit anyway, the idle
 * statements are dropped and the prepare tried again.
 */
#define STMT_CACHE	256
#define TX_ATTEMPTS	4	/* a body runs at most this often */
#define TX_BACKOFF_MS	10	/* before the 2nd run; doubles, plus jitter */
#define TX_BACKOFF_MAX	100
#define WSREP_CONFLICT	1180	/* Galera certification failure at commit */
#define DB_EACH_PREFETCH 500	/* rows per fetch of a db_each cursor */
#define NESTED_TX	CR_UNKNOWN_ERROR	/* not retried */

struct cached_stmt {
	const char	*sql;		/* NULL: a free slot */
	MYSQL_STMT	*st;
	uint64_t	 used;		/* tick of the last use: LRU */
	int		 busy;		/* db_each is reading its result */
};

/* A statement in use: cached (slot), or prepared for this use only. */
struct stmt_ref {
	MYSQL_STMT	*st;
	int		 slot;		/* -1: close after use */
};

static MYSQL		*db;
static struct cached_stmt cache[STMT_CACHE];
static int		 nslots;	/* slots ever used, up to cache_max */
static int		 cache_max = STMT_CACHE;
static uint64_t		 tick;
static int		 evictions;
static int		 reading;	/* db_each calls reading a result */
static int		 broken;	/* lost while reading: close later */
static int		 in_tx;
static unsigned int	 tx_doomed;	/* errno that ended the transaction */
static char		 tx_why[256];	/* and its message */
static unsigned int	 inject_errno;	/* db_test_fail() */
static int		 inject_skip;
static unsigned int	 last_errno;
static char		 last_error[256];

/*
 * DINGHUO_DB_PROFILE=1 in a worker's environment: the wall time of every
 * statement (round trip included), by SQL text, logged when the
 * connection closes for good. For finding where a request's database time
 * goes (tests/bench/order BENCH_PROFILE=1); off, it costs one branch.
 */
#define PROF_MAX	256
struct prof {
	const char	*sql;
	uint64_t	 n;
	uint64_t	 ns;
};
static struct prof	 prof[PROF_MAX];
static int		 nprof, profiling = -1;

static uint64_t
prof_start(void)
{
	struct timespec	ts;

	if (profiling == -1)
		profiling = getenv("DINGHUO_DB_PROFILE") != NULL &&
		    strcmp(getenv("DINGHUO_DB_PROFILE"), "1") == 0;
	if (!profiling)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
prof_end(const char *sql, uint64_t t0)
{
	struct timespec	ts;
	int		i;

	if (t0 == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (i = 0; i < nprof && prof[i].sql != sql; i++)
		;
	if (i == nprof) {
		if (nprof == PROF_MAX)
			return;
		prof[nprof++].sql = sql;
	}
	prof[i].n++;
	prof[i].ns += (uint64_t)ts.tv_sec * 1000000000u +
	    (uint64_t)ts.tv_nsec - t0;
}

static void
prof_dump(void)
{
	int	i;

	for (i = 0; i < nprof; i++)
		log_info("db_profile n=%" PRIu64 " avg_us=%" PRIu64
		    " total_us=%" PRIu64 " sql=\"%.120s\"", prof[i].n,
		    prof[i].ns / prof[i].n / 1000, prof[i].ns / 1000,
		    prof[i].sql);
	nprof = 0;
}

static void
set_error(unsigned int no, const char *msg)
{
	last_errno = no;
	snprintf(last_error, sizeof(last_error), "%s", msg);
}

/* Did the last statement fail on a unique key (a twin written just now)? */
int
db_duplicate(void)
{
	return last_errno == ER_DUP_ENTRY;
}

/* Did the last statement fail a CHECK constraint (and so change nothing)? */
int
db_check_failed(void)
{
	return last_errno == ER_CONSTRAINT_FAILED;
}

/* Did the last statement fail because other rows still refer to its row? */
int
db_referenced(void)
{
	return last_errno == ER_ROW_IS_REFERENCED_2 ||
	    last_errno == ER_ROW_IS_REFERENCED;
}

unsigned int
db_errno(void)
{
	return last_errno;
}

const char *
db_error(void)
{
	return last_error;
}

int
db_in_tx(void)
{
	return in_tx;
}

static int
conn_lost(unsigned int no)
{
	return no == CR_SERVER_GONE_ERROR || no == CR_SERVER_LOST ||
	    no == CR_CONNECTION_ERROR || no == ER_CONNECTION_KILLED;
}

/* May the whole transaction simply be run again after this error? */
static int
retryable(unsigned int no)
{
	return no == ER_LOCK_DEADLOCK || no == ER_LOCK_WAIT_TIMEOUT ||
	    no == WSREP_CONFLICT || conn_lost(no);
}

static void
cache_close(int idle_only)
{
	int	i;

	for (i = 0; i < nslots; i++)
		if (cache[i].sql != NULL && !(idle_only && cache[i].busy)) {
			mysql_stmt_close(cache[i].st);
			cache[i].sql = NULL;
			cache[i].st = NULL;
			cache[i].busy = 0;
		}
	if (!idle_only)
		nslots = 0;
}

static void
conn_close(void)
{
	cache_close(0);
	evictions = 0;
	broken = 0;
	if (db != NULL)
		mysql_close(db);
	db = NULL;
}

/* The transaction is over: its later statements fail, with this error. */
static void
doom(unsigned int no)
{
	if (!in_tx || tx_doomed != 0)
		return;
	tx_doomed = no;
	snprintf(tx_why, sizeof(tx_why), "%s", last_error);
}

/*
 * The connection is gone (or the server said so). Inside a transaction
 * that transaction is over: every later statement of it fails until
 * db_tx_run ends it, and none may reconnect and run in autocommit. While
 * db_each reads a result of this connection it stays open (and refuses
 * every statement) until that read ends.
 */
static void
conn_gone(void)
{
	doom(last_errno);
	if (reading > 0)
		broken = 1;
	else
		conn_close();
}

/* A statement may run now; else 0 with the reason in db_errno(). */
static int
may_run(void)
{
	if (in_tx && tx_doomed != 0) {
		set_error(tx_doomed, tx_why);
		return 0;
	}
	if (broken || (in_tx && db == NULL)) {
		set_error(CR_SERVER_LOST, "connection lost");
		return 0;
	}
	return db != NULL || db_open() == 0;
}

/* A statement failed: note an ended transaction or a lost connection. */
static void
failed(void)
{
	if (conn_lost(last_errno))
		conn_gone();
	else if (retryable(last_errno))
		doom(last_errno);
}

/* Test hook: the statement after skip more fails with no, unsent. */
void
db_test_fail(unsigned int no, int skip)
{
	inject_errno = no;
	inject_skip = skip;
}

static int
injected(void)
{
	if (inject_errno == 0 || inject_skip-- > 0)
		return 0;
	set_error(inject_errno, "failure injected by db_test_fail");
	inject_errno = 0;
	return 1;
}

/* Test hook: keep at most n prepared statements (1..STMT_CACHE). */
void
db_test_stmt_cache(int n)
{
	if (reading == 0)
		cache_close(0);
	cache_max = n < 1 ? 1 : n > STMT_CACHE ? STMT_CACHE : n;
}

/* Close the connection for good (exit, shell commands); never from fn. */
void
db_close(void)
{
	prof_dump();
	conn_close();
	reading = 0;
	in_tx = 0;
	tx_doomed = 0;
}

/*
 * Called by the master before it forks: the client library's one-time set-up
 * (its TLS library's included, about 2 MiB of code) then runs once, and the
 * workers inherit the result instead of each faulting those pages in.
 */
int
db_library_init(void)
{
	if (mysql_library_init(0, NULL, NULL) != 0) {
		log_warnx("db: the MariaDB client library failed to "
		    "initialise");
		return -1;
	}
	return 0;
}

int
db_open(void)
{
	unsigned int	 timeout = 3, rw = (unsigned int)conf.request_timeout;
	my_socket	 fd;
	my_bool		 no = 0;
	const char	*init = "SET time_zone = '+00:00', sql_mode = "
	    "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
	    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";

	db_close();
	if ((db = mysql_init(NULL)) == NULL) {
		set_error(CR_OUT_OF_MEMORY, "mysql_init failed");
		return -1;
	}
	mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	/* Only db_run reconnects, where that cannot lose a transaction. */
	mysql_options(db, MYSQL_OPT_RECONNECT, &no);
	mysql_options(db, MYSQL_INIT_COMMAND, init);
	if (mysql_real_connect(db, conf.db_host, conf.db_user,
	    conf.db_password, conf.db_name, (unsigned int)conf.db_port,
	    *conf.db_socket ? conf.db_socket : NULL, 0) == NULL) {
		set_error(mysql_errno(db), mysql_error(db));
		log_warnx("db: connect %s@%s/%s: %s", conf.db_user,
		    *conf.db_socket ? conf.db_socket : conf.db_host,
		    conf.db_name, last_error);
		mysql_close(db);
		db = NULL;
		return -1;
	}
	/* The client library leaves its socket inheritable. */
	if ((fd = mysql_get_socket(db)) != -1 &&
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		log_warn("db: FD_CLOEXEC");
	return 0;
}

/* Did the last failure come from not reaching the server at all? */
int
db_unreachable(void)
{
	return conn_lost(last_errno) || last_errno == CR_CONN_HOST_ERROR ||
	    last_errno == CR_UNKNOWN_HOST || last_errno == ER_CON_COUNT_ERROR;
}

void
db_clear_error(void)
{
	last_errno = 0;
	last_error[0] = '\0';
}

static MYSQL_STMT *
prepare(const char *sql)
{
	MYSQL_STMT	*st;
	int		 again;

	for (again = 0; again < 2; again++) {
		if ((st = mysql_stmt_init(db)) == NULL) {
			set_error(mysql_errno(db), mysql_error(db));
			return NULL;
		}
		if (mysql_stmt_prepare(st, sql, strlen(sql)) == 0)
			return st;
		set_error(mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		if (last_errno != ER_MAX_PREPARED_STMT_COUNT_REACHED || again)
			break;
		log_warnx("db_stmt_limit max_prepared_stmt_count=reached "
		    "action=drop_idle cached=%d", nslots);
		cache_close(1);
	}
	if (!conn_lost(last_errno))
		log_warnx("db: prepare failed: %s: %s", last_error, sql);
	return NULL;
}

/* The least recently used slot db_each is not reading, or -1. */
static int
lru_idle(void)
{
	int	i, v = -1;

	for (i = 0; i < nslots; i++) {
		if (cache[i].busy)
			continue;
		if (cache[i].sql == NULL)
			return i;
		if (v == -1 || cache[i].used < cache[v].used)
			v = i;
	}
	return v;
}

/*
 * The prepared statement for sql. A cached one that db_each is reading is
 * neither handed out again nor evicted: a statement of the same text run
 * meanwhile (from db_each's callback) is prepared for that use only, as
 * is any when every slot is being read.
 */
static int
stmt_get(const char *sql, struct stmt_ref *ref)
{
	int	i, found = 0;

	for (i = 0; i < nslots; i++)
		if (cache[i].sql == sql) {
			if (!cache[i].busy) {
				cache[i].used = ++tick;
				ref->st = cache[i].st;
				ref->slot = i;
				return 0;
			}
			found = 1;
		}
	if ((ref->st = prepare(sql)) == NULL)
		return -1;
	ref->slot = -1;
	if (found)
		return 0;
	if (nslots < cache_max)
		i = nslots++;
	else if ((i = lru_idle()) == -1)
		return 0;
	else if (cache[i].sql != NULL) {
		if (evictions++ == 0)
			log_warnx("db_stmt_evict cache=%d note=\"statement "
			    "cache full: least recently used replaced, later "
			    "evictions not logged\"", cache_max);
		mysql_stmt_close(cache[i].st);
	}
	cache[i].sql = sql;
	cache[i].st = ref->st;
	cache[i].used = ++tick;
	cache[i].busy = 0;
	ref->slot = i;
	return 0;
}

static void
stmt_put(struct stmt_ref *ref)
{
	if (ref->slot == -1 && ref->st != NULL)
		mysql_stmt_close(ref->st);
	ref->st = NULL;
}


static int
params_ok(const char *sql, const char *fmt)
{
	if (strlen(fmt) <= DB_MAXPARAMS)
		return 1;
	set_error(CR_UNKNOWN_ERROR, "too many parameters");
	log_warnx("db: %zu parameters, at most %d: %.100s", strlen(fmt),
	    DB_MAXPARAMS, sql);
	return 0;
}

static int
bind(MYSQL_STMT *st, const char *fmt, va_list ap, struct db_params *p)
{
	unsigned int	no;

	if ((no = db_rows_bind(st, fmt, ap, p)) == 0)
		return 0;
	set_error(no, "parameters do not fit the statement");
	return -1;
}


/*
 * Run a prepared statement. sql must be a string constant (its address is
 * the cache key). fmt has one letter per '?': 'i' int64_t, 's' const char *
 * (NULL binds SQL NULL). res may be NULL. Returns 0 or -1 (db_errno()).
 * Outside a transaction, a connection found lost is opened again once
 * when running the statement again cannot do it twice; inside one, never.
 */
int
db_run(struct arena *a, struct db_res **resp, const char *sql,
    const char *fmt, ...)
{
	struct db_params p;
	struct db_res	*res;
	struct stmt_ref	 ref;
	va_list		 ap;
	uint64_t	 t0 = prof_start();
	int		 attempt, executed, rc;

	if (!params_ok(sql, fmt))
		return -1;
	res = arena_calloc(a, 1, sizeof(*res));
	if (resp != NULL)
		*resp = res;
	last_errno = 0;
	for (attempt = 0;; attempt++) {
		if (!may_run())
			return -1;
		executed = 0;
		if (stmt_get(sql, &ref) == 0) {
			va_start(ap, fmt);
			rc = bind(ref.st, fmt, ap, &p);
			va_end(ap);
			if (rc == -1) {
				stmt_put(&ref);
				return -1;
			}
			executed = 1;
			if (injected())
				;
			else if (mysql_stmt_execute(ref.st) == 0)
				break;
			else
				set_error(mysql_stmt_errno(ref.st),
				    mysql_stmt_error(ref.st));
			stmt_put(&ref);
		}
		/*
		 * Run it again only if that cannot do it twice: a read, a
		 * failed prepare, or a server gone before we sent it (2006).
		 * After 2013 (lost mid-query) a write may have happened.
		 */
		if (attempt > 0 || !conn_lost(last_errno) || in_tx ||
		    reading > 0 || (executed &&
		    last_errno != CR_SERVER_GONE_ERROR &&
		    strncmp(sql, "SELECT", 6) != 0)) {
			if (!conn_lost(last_errno) &&
			    last_errno != ER_LOCK_DEADLOCK &&
			    last_errno != ER_LOCK_WAIT_TIMEOUT &&
			    last_errno != ER_DUP_ENTRY &&
			    last_errno != ER_CONSTRAINT_FAILED)
				log_warnx("db: %u %s: %.200s", last_errno,
				    last_error, sql);
			failed();
			return -1;
		}
		log_warnx("db: connection lost (%s), reconnecting", last_error);
		conn_close();
	}
	res->affected = mysql_stmt_affected_rows(ref.st);
	res->insert_id = mysql_stmt_insert_id(ref.st);
	if ((rc = db_rows_copy(a, ref.st, res)) == -1) {
		set_error(mysql_stmt_errno(ref.st), mysql_stmt_error(ref.st));
		failed();
	}
	stmt_put(&ref);
	prof_end(sql, t0);
	return rc;
}

/*
 * Run a prepared SELECT and hand each row to fn as strings (NULL for SQL
 * NULL), without copying the result into an arena: for loading large
 * tables into a cache. fn returns 0 to go on, -1 to stop with an error.
 * The row's strings are valid only during the call. The rows come through
 * a read-only server-side cursor, DB_EACH_PREFETCH at a time: the client
 * never holds the whole result (a 10,000-product catalog is tens of
 * thousands of rows, megabytes a worker would keep in its heap), and the
 * connection stays free between fetches, so fn may run other statements
 * (even this one: the statement being read is never handed out again nor
 * evicted until the read ends). Returns 0 or -1.
 */
int
db_each(const char *sql, int (*fn)(void *, const char **, int), void *arg,
    const char *fmt, ...)
{
	struct db_params p;
	struct stmt_ref	 ref;
	MYSQL_RES	*meta;
	va_list		 ap;
	unsigned long	 cursor = CURSOR_TYPE_READ_ONLY;
	unsigned long	 prefetch = DB_EACH_PREFETCH;
	int		 k, ncols, rc = -1;

	last_errno = 0;
	if (!params_ok(sql, fmt) || !may_run())
		return -1;
	if (stmt_get(sql, &ref) == -1) {
		failed();
		return -1;
	}
	va_start(ap, fmt);
	k = bind(ref.st, fmt, ap, &p);
	va_end(ap);
	if (k == -1)
		goto out;
	if ((meta = mysql_stmt_result_metadata(ref.st)) == NULL) {
		set_error(CR_UNKNOWN_ERROR, "db_each: not a SELECT");
		goto out;
	}
	ncols = (int)mysql_num_fields(meta);
	mysql_free_result(meta);
	if (ncols > DB_EACH_MAXCOLS) {
		set_error(CR_UNKNOWN_ERROR, "db_each: too many columns");
		goto out;
	}
	if (injected())
		;
	else if (mysql_stmt_attr_set(ref.st, STMT_ATTR_CURSOR_TYPE,
	    &cursor) != 0 || mysql_stmt_attr_set(ref.st,
	    STMT_ATTR_PREFETCH_ROWS, &prefetch) != 0 ||
	    mysql_stmt_execute(ref.st) != 0)
		set_error(mysql_stmt_errno(ref.st), mysql_stmt_error(ref.st));
	else
		rc = 0;
	if (rc == -1) {
		log_warnx("db: %u %s: %.200s", last_errno, last_error, sql);
		failed();
		goto out;
	}
	if (ref.slot != -1)
		cache[ref.slot].busy = 1;
	reading++;
	if ((rc = db_rows_each(ref.st, ncols, fn, arg, &broken)) == -1 &&
	    mysql_stmt_errno(ref.st) != 0)
		set_error(mysql_stmt_errno(ref.st), mysql_stmt_error(ref.st));
	if (broken)
		set_error(CR_SERVER_LOST, "connection lost while db_each read");
	reading--;
	if (ref.slot != -1)
		cache[ref.slot].busy = 0;
	mysql_stmt_free_result(ref.st);
out:
	stmt_put(&ref);
	if (broken && reading == 0)
		conn_close();
	return rc;
}

static int
exec_text(const char *sql)
{
	MYSQL_RES	*r;
	uint64_t	 t0 = prof_start();

	if (injected()) {
		failed();
		return -1;
	}
	if (mysql_real_query(db, sql, strlen(sql)) != 0) {
		set_error(mysql_errno(db), mysql_error(db));
		failed();
		return -1;
	}
	do {
		if ((r = mysql_store_result(db)) != NULL)
			mysql_free_result(r);
	} while (mysql_next_result(db) == 0);
	if (mysql_errno(db) != 0) {
		set_error(mysql_errno(db), mysql_error(db));
		failed();
		return -1;
	}
	prof_end(sql, t0);
	return 0;
}

/* Fixed statements only (no outside values): migrations, tests. */
int
db_exec_text(const char *sql)
{
	if (!may_run())
		return -1;
	return exec_text(sql);
}

int
db_ping(void)
{
	struct arena	*a = arena_new(1024);
	struct db_res	*res;
	int		 rc;

	rc = db_run(a, &res, "SELECT 1", "");
	if (rc == 0 && (res->nrows != 1 || strcmp(res->cell[0], "1") != 0))
		rc = -1;
	arena_free(a);
	return rc;
}

static void
backoff(struct dctx *c, int attempt, unsigned int no, const char *why)
{
	struct timespec	ts;
	int		ms;

	ms = TX_BACKOFF_MS << (attempt - 1);
	if (ms > TX_BACKOFF_MAX)
		ms = TX_BACKOFF_MAX;
	ms += (int)randombytes_uniform((uint32_t)ms / 2 + 1);
	log_warnx("db_tx_retry attempt=%d of=%d errno=%u backoff_ms=%d "
	    "error=\"%s\"", attempt, TX_ATTEMPTS, no, ms, why);
	ts.tv_sec = 0;
	ts.tv_nsec = (long)ms * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Run fn inside a transaction: 0 from fn commits, an enum err rolls back
 * and is returned. The contract (docs/database.md):
 *  - fn may run again: after a deadlock (1213), a lock wait timeout
 *    (1205), a Galera certification failure (1180, at commit) or a lost
 *    connection before COMMIT, the transaction is rolled back and fn run
 *    again on a fresh start, up to TX_ATTEMPTS times with a short growing
 *    backoff and a log line each. So fn resets its outputs first and does
 *    nothing outside the database it could not do twice.
 *  - once such an error ended the transaction, every further statement of
 *    fn fails, and what fn returns then is ignored: nothing it runs after
 *    can land in autocommit or be committed half.
 *  - a connection lost during COMMIT is not retried (it may have
 *    committed): ERR_INTERNAL.
 *  - db_tx_run inside fn is refused (ERR_INTERNAL, logged) and the
 *    outer transaction fails.
 * c is the caller's and only handed to fn (it may be NULL); log lines name
 * the request through log_set_request().
 */
int
db_tx_run(struct dctx *c, int (*fn)(struct dctx *, void *), void *arg)
{
	char		 why[sizeof(last_error)];
	unsigned int	 no;
	int		 attempt, rc, was_open;

	if (in_tx) {
		log_warnx("db_tx_nested refused=1 note=\"db_tx_run called "
		    "from a transaction body\"");
		set_error(NESTED_TX, "nested db_tx_run refused");
		doom(NESTED_TX);
		return ERR_INTERNAL;
	}
	for (attempt = 1;; attempt++) {
		last_errno = 0;
		tx_doomed = 0;
		was_open = db != NULL;
		if (!may_run() || exec_text("START TRANSACTION") == -1) {
			if (was_open && conn_lost(last_errno) &&
			    attempt < TX_ATTEMPTS)
				continue;	/* a stale connection */
			log_warnx("db_tx_begin failed=1 errno=%u "
			    "error=\"%s\"", last_errno, last_error);
			return ERR_INTERNAL;
		}
		in_tx = 1;
		rc = fn(c, arg);
		if (rc == 0 && tx_doomed == 0) {
			if (exec_text("COMMIT") == 0) {
				in_tx = 0;
				return 0;
			}
			if (conn_lost(last_errno)) {
				in_tx = 0;
				tx_doomed = 0;
				log_warnx("db_tx_commit_lost errno=%u "
				    "note=\"outcome unknown, not retried\"",
				    last_errno);
				return ERR_INTERNAL;
			}
			if (tx_doomed == 0)
				rc = ERR_INTERNAL;
		}
		no = tx_doomed;
		snprintf(why, sizeof(why), "%s", no ? tx_why : last_error);
		if (db != NULL && !broken)
			exec_text("ROLLBACK");
		in_tx = 0;
		tx_doomed = 0;
		if (no == 0)
			return rc;
		set_error(no, why);
		if (!retryable(no) || attempt == TX_ATTEMPTS) {
			log_warnx("db_tx_failed attempts=%d errno=%u "
			    "error=\"%s\"", attempt, no, why);
			return ERR_INTERNAL;
		}
		backoff(c, attempt, no, why);
	}
}

const char *
db_cell(const struct db_res *r, int row, int col)
{
	if (row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
		return NULL;
	return r->cell[row * r->ncols + col];
}

int64_t
db_cell_i64(const struct db_res *r, int row, int col)
{
	const char	*s = db_cell(r, row, col);

	return s ? strtoll(s, NULL, 10) : 0;
}
