/*
 * db.c -- the worker's one MariaDB/MySQL connection. Only prepared
 * statements reach it with outside values (db_run); they are prepared once
 * per connection and cached by their SQL text's address. A lost connection
 * is reopened once outside a transaction; db_tx_run retries a whole
 * transaction on deadlock (1213), lock wait timeout (1205) and lost
 * connections. Result cells are copied into the caller's arena.
 */
#include "dinghuo.h"

#include <fcntl.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#define STMT_CACHE	256
#define MAXPARAMS	48
#define DB_EACH_MAXCOLS	16
#define TX_RETRIES	4
#define WSREP_CONFLICT	1180	/* Galera certification failure at commit */

struct cached_stmt {
	const char	*sql;
	MYSQL_STMT	*st;
};

static MYSQL		*db;
static struct cached_stmt cache[STMT_CACHE];
static int		 ncache;
static int		 in_tx;
static unsigned int	 last_errno;
static char		 last_error[256];

static void
set_error(unsigned int no, const char *msg)
{
	last_errno = no;
	snprintf(last_error, sizeof(last_error), "%s", msg);
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

void
db_close(void)
{
	int	i;

	for (i = 0; i < ncache; i++)
		mysql_stmt_close(cache[i].st);
	ncache = 0;
	if (db != NULL)
		mysql_close(db);
	db = NULL;
	in_tx = 0;
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
		log_warnx("db: the MariaDB client library failed to initialise");
		return -1;
	}
	return 0;
}

int
db_open(void)
{
	unsigned int	 timeout = 3, rw = (unsigned int)conf.request_timeout;
	my_socket	 fd;
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

static int
conn_lost(unsigned int no)
{
	return no == CR_SERVER_GONE_ERROR || no == CR_SERVER_LOST ||
	    no == CR_CONNECTION_ERROR || no == ER_CONNECTION_KILLED;
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
stmt_get(const char *sql)
{
	MYSQL_STMT	*st;
	int		 i;

	for (i = 0; i < ncache; i++)
		if (cache[i].sql == sql)
			return cache[i].st;
	if ((st = mysql_stmt_init(db)) == NULL) {
		set_error(mysql_errno(db), mysql_error(db));
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		set_error(mysql_stmt_errno(st), mysql_stmt_error(st));
		if (!conn_lost(last_errno))
			log_warnx("db: prepare failed: %s: %s", last_error,
			    sql);
		mysql_stmt_close(st);
		return NULL;
	}
	if (ncache == STMT_CACHE) {	/* full: replace one, round robin */
		static int	victim;

		log_warnx("db: statement cache full, replacing an entry");
		victim = (victim + 1) % STMT_CACHE;
		mysql_stmt_close(cache[victim].st);
		cache[victim].sql = sql;
		cache[victim].st = st;
		return st;
	}
	cache[ncache].sql = sql;
	cache[ncache].st = st;
	ncache++;
	return st;
}

/* Copy the stored result set into the arena as strings. */
static int
fetch_all(struct arena *a, MYSQL_STMT *st, struct db_res *res)
{
	MYSQL_RES	*meta;
	MYSQL_FIELD	*fields;
	MYSQL_BIND	*b;
	unsigned long	*len;
	my_bool		*isnull, *error, on = 1;
	int		 k, r, rc, ncols;
	size_t		 size;

	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return 0;
	ncols = (int)mysql_num_fields(meta);
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	if (mysql_stmt_store_result(st) != 0) {
		set_error(mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_free_result(meta);
		return -1;
	}
	fields = mysql_fetch_fields(meta);
	b = xcalloc(ncols, sizeof(*b));
	len = xcalloc(ncols, sizeof(*len));
	isnull = xcalloc(ncols, sizeof(*isnull));
	error = xcalloc(ncols, sizeof(*error));
	for (k = 0; k < ncols; k++) {
		size = fields[k].max_length > 64 ? fields[k].max_length : 64;
		b[k].buffer_type = MYSQL_TYPE_STRING;
		b[k].buffer = xmalloc(size + 1);
		b[k].buffer_length = size + 1;
		b[k].length = &len[k];
		b[k].is_null = &isnull[k];
		b[k].error = &error[k];
	}
	mysql_stmt_bind_result(st, b);
	res->ncols = ncols;
	res->nrows = (int)mysql_stmt_num_rows(st);
	res->cell = arena_alloc(a, (size_t)(res->nrows ? res->nrows : 1) *
	    ncols * sizeof(char *));
	for (r = 0, rc = 0; r < res->nrows; r++) {
		rc = mysql_stmt_fetch(st);
		if (rc == 1 || rc == MYSQL_NO_DATA) {
			set_error(mysql_stmt_errno(st), mysql_stmt_error(st));
			log_warnx("db: fetch stopped at row %d of %d: %s", r,
			    res->nrows, last_error);
			res->nrows = r;
			rc = -1;
			break;
		}
		rc = 0;
		for (k = 0; k < ncols; k++) {
			char **cell = &res->cell[r * ncols + k];

			if (isnull[k])
				*cell = NULL;
			else if (len[k] < b[k].buffer_length)
				*cell = arena_strndup(a, b[k].buffer, len[k]);
			else {	/* truncated: fetch this column in full */
				MYSQL_BIND	one;
				unsigned long	l2 = 0;

				*cell = arena_alloc(a, len[k] + 1);
				memset(&one, 0, sizeof(one));
				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = *cell;
				one.buffer_length = len[k] + 1;
				one.length = &l2;
				mysql_stmt_fetch_column(st, &one, k, 0);
				(*cell)[len[k]] = '\0';
			}
		}
	}
	for (k = 0; k < ncols; k++)
		free(b[k].buffer);
	free(b);
	free(len);
	free(isnull);
	free(error);
	mysql_stmt_free_result(st);
	mysql_free_result(meta);
	return rc == -1 ? -1 : 0;
}

static int
bind_params(MYSQL_STMT *st, const char *fmt, va_list ap, MYSQL_BIND *pb,
    int64_t *ints, unsigned long *lens)
{
	const char	*s;
	int		 i, n = (int)strlen(fmt);

	if ((unsigned long)n != mysql_stmt_param_count(st)) {
		set_error(CR_PARAMS_NOT_BOUND, "parameter count mismatch");
		log_warnx("db: %d parameters given, %lu expected", n,
		    mysql_stmt_param_count(st));
		return -1;
	}
	memset(pb, 0, n * sizeof(*pb));
	for (i = 0; i < n; i++) {
		switch (fmt[i]) {
		case 'i':
			ints[i] = va_arg(ap, int64_t);
			pb[i].buffer_type = MYSQL_TYPE_LONGLONG;
			pb[i].buffer = &ints[i];
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (s == NULL) {
				pb[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			lens[i] = strlen(s);
			pb[i].buffer_type = MYSQL_TYPE_STRING;
			pb[i].buffer = (void *)s;
			pb[i].buffer_length = lens[i];
			pb[i].length = &lens[i];
			break;
		default:
			set_error(CR_UNKNOWN_ERROR, "bad parameter format");
			log_warnx("db: bad parameter format '%c'", fmt[i]);
			return -1;
		}
	}
	return n ? (mysql_stmt_bind_param(st, pb) ? -1 : 0) : 0;
}


/*
 * Run a prepared statement. sql must be a string constant (its address is
 * the cache key). fmt has one letter per '?': 'i' int64_t, 's' const char *
 * (NULL binds SQL NULL). res may be NULL. Returns 0 or -1 (db_errno()).
 */
int
db_run(struct arena *a, struct db_res **resp, const char *sql,
    const char *fmt, ...)
{
	MYSQL_BIND	 pb[MAXPARAMS];
	int64_t		 ints[MAXPARAMS];
	unsigned long	 lens[MAXPARAMS];
	struct db_res	*res;
	MYSQL_STMT	*st;
	va_list		 ap;
	int		 attempt, executed;

	if (strlen(fmt) > MAXPARAMS) {
		set_error(CR_UNKNOWN_ERROR, "too many parameters");
		log_warnx("db: %zu parameters, at most %d: %.100s", strlen(fmt),
		    MAXPARAMS, sql);
		return -1;
	}
	res = arena_alloc(a, sizeof(*res));
	memset(res, 0, sizeof(*res));
	if (resp != NULL)
		*resp = res;
	last_errno = 0;
	for (attempt = 0; attempt < 2; attempt++) {
		if (db == NULL && db_open() == -1)
			return -1;
		executed = 0;
		if ((st = stmt_get(sql)) != NULL) {
			va_start(ap, fmt);
			if (bind_params(st, fmt, ap, pb, ints, lens) == -1) {
				va_end(ap);
				return -1;
			}
			va_end(ap);
			if (mysql_stmt_execute(st) == 0)
				break;
			set_error(mysql_stmt_errno(st), mysql_stmt_error(st));
			executed = 1;
		}
		/*
		 * Run it again only if that cannot do it twice: a read, a
		 * failed prepare, or a server gone before we sent it (2006).
		 * After 2013 (lost mid-query) a write may have happened.
		 */
		if (!conn_lost(last_errno) || in_tx || (executed &&
		    last_errno != CR_SERVER_GONE_ERROR &&
		    strncmp(sql, "SELECT", 6) != 0)) {
			if (conn_lost(last_errno))
				db_close();
			if (!conn_lost(last_errno) &&
			    last_errno != ER_LOCK_DEADLOCK &&
			    last_errno != ER_LOCK_WAIT_TIMEOUT &&
			    last_errno != ER_DUP_ENTRY)
				log_warnx("db: %u %s: %.200s", last_errno,
				    last_error, sql);
			return -1;
		}
		log_warnx("db: connection lost (%s), reconnecting", last_error);
		db_close();
	}
	if (attempt == 2)
		return -1;
	res->affected = mysql_stmt_affected_rows(st);
	res->insert_id = mysql_stmt_insert_id(st);
	return fetch_all(a, st, res);
}

/*
 * Run a prepared SELECT and hand each row to fn as strings (NULL for SQL
 * NULL), without keeping the result set: for loading large tables into
 * a cache. fn returns 0 to go on, -1 to stop with an error. The row's
 * strings are valid only during the call. Returns 0 or -1.
 */
int
db_each(const char *sql, int (*fn)(void *, const char **, int), void *arg,
    const char *fmt, ...)
{
	MYSQL_BIND	 pb[MAXPARAMS], b[DB_EACH_MAXCOLS];
	int64_t		 ints[MAXPARAMS];
	unsigned long	 lens[MAXPARAMS], len[DB_EACH_MAXCOLS];
	my_bool		 isnull[DB_EACH_MAXCOLS], err[DB_EACH_MAXCOLS];
	char		 cellbuf[DB_EACH_MAXCOLS][256];
	const char	*row[DB_EACH_MAXCOLS];
	struct buf	 big[DB_EACH_MAXCOLS];
	MYSQL_STMT	*st;
	MYSQL_RES	*meta;
	va_list		 ap;
	int		 k, ncols, rc = -1, frc;

	last_errno = 0;
	if (strlen(fmt) > MAXPARAMS || (db == NULL && db_open() == -1) ||
	    (st = stmt_get(sql)) == NULL)
		return -1;
	va_start(ap, fmt);
	k = bind_params(st, fmt, ap, pb, ints, lens);
	va_end(ap);
	if (k == -1)
		return -1;
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return -1;
	ncols = (int)mysql_num_fields(meta);
	mysql_free_result(meta);
	if (ncols > DB_EACH_MAXCOLS)
		return -1;
	if (mysql_stmt_execute(st) != 0) {
		set_error(mysql_stmt_errno(st), mysql_stmt_error(st));
		log_warnx("db: %u %s: %.200s", last_errno, last_error, sql);
		if (conn_lost(last_errno))
			db_close();
		return -1;
	}
	memset(b, 0, sizeof(b));
	for (k = 0; k < ncols; k++) {
		b[k].buffer_type = MYSQL_TYPE_STRING;
		b[k].buffer = cellbuf[k];
		b[k].buffer_length = sizeof(cellbuf[k]);
		b[k].length = &len[k];
		b[k].is_null = &isnull[k];
		b[k].error = &err[k];
		buf_init(&big[k], 0);
	}
	mysql_stmt_bind_result(st, b);
	for (;;) {
		frc = mysql_stmt_fetch(st);
		if (frc == MYSQL_NO_DATA) {
			rc = 0;
			break;
		}
		if (frc == 1) {
			set_error(mysql_stmt_errno(st), mysql_stmt_error(st));
			log_warnx("db: fetch failed: %s", last_error);
			break;
		}
		for (k = 0; k < ncols; k++) {
			if (isnull[k]) {
				row[k] = NULL;
				continue;
			}
			if (len[k] < sizeof(cellbuf[k])) {
				cellbuf[k][len[k]] = '\0';
				row[k] = cellbuf[k];
				continue;
			}
			/* Longer than the buffer: fetch this column whole. */
			{
				MYSQL_BIND	one;
				unsigned long	l2 = 0;

				big[k].len = 0;
				buf_reserve(&big[k], len[k]);
				memset(&one, 0, sizeof(one));
				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = big[k].p;
				one.buffer_length = len[k] + 1;
				one.length = &l2;
				mysql_stmt_fetch_column(st, &one, k, 0);
				big[k].p[len[k]] = '\0';
				row[k] = big[k].p;
			}
		}
		if (fn(arg, row, ncols) == -1)
			break;
	}
	mysql_stmt_free_result(st);
	mysql_stmt_reset(st);
	for (k = 0; k < ncols; k++)
		buf_free(&big[k]);
	return rc;
}

/* Fixed statements only (no outside values): BEGIN, COMMIT, migrations. */
int
db_exec_text(const char *sql)
{
	MYSQL_RES	*r;

	if (db == NULL && db_open() == -1)
		return -1;
	if (mysql_real_query(db, sql, strlen(sql)) != 0) {
		set_error(mysql_errno(db), mysql_error(db));
		return -1;
	}
	do {
		if ((r = mysql_store_result(db)) != NULL)
			mysql_free_result(r);
	} while (mysql_next_result(db) == 0);
	if (mysql_errno(db) != 0) {
		set_error(mysql_errno(db), mysql_error(db));
		return -1;
	}
	return 0;
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

static int
retryable(unsigned int no)
{
	return no == ER_LOCK_DEADLOCK || no == ER_LOCK_WAIT_TIMEOUT ||
	    no == WSREP_CONFLICT || conn_lost(no);
}

/*
 * Run fn inside a transaction. fn returns 0 (commit) or an enum err
 * (rollback); a database failure it reports as ERR_INTERNAL is retried
 * when the server says the transaction may simply be run again.
 */
int
db_tx_run(struct dctx *c, int (*fn)(struct dctx *, void *), void *arg)
{
	int	attempt, rc;

	for (attempt = 1; attempt <= TX_RETRIES; attempt++) {
		last_errno = 0;
		if (db_exec_text("START TRANSACTION") == -1) {
			if (conn_lost(last_errno) && attempt < TX_RETRIES) {
				db_close();
				continue;
			}
			clog_warnx(c, "db: begin failed: %s", last_error);
			return ERR_INTERNAL;
		}
		in_tx = 1;
		rc = fn(c, arg);
		if (rc == 0 && db_exec_text("COMMIT") == 0) {
			in_tx = 0;
			return 0;
		}
		if (rc == 0 && conn_lost(last_errno)) {
			/* The commit may or may not have happened: running
			 * the work again could do it twice. */
			in_tx = 0;
			clog_warnx(c, "db: connection lost during COMMIT (%s); "
			    "outcome unknown, not retried", last_error);
			db_close();
			return ERR_INTERNAL;
		}
		if (rc == 0)
			rc = ERR_INTERNAL;
		db_exec_text("ROLLBACK");
		in_tx = 0;
		if (rc != ERR_INTERNAL || !retryable(last_errno))
			return rc;
		clog_warnx(c, "db: transaction attempt %d failed (%u %s), "
		    "retrying", attempt, last_errno, last_error);
		if (conn_lost(last_errno))
			db_close();
	}
	return ERR_INTERNAL;
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
