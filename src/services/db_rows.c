/*
 * db_rows.c -- the byte work of db.c's prepared statements: binding the
 * 'i'/'s' parameters, copying a stored result into an arena (db_run) and
 * handing it over row by row (db_each). Errors are the statement's own
 * (mysql_stmt_errno); the caller records them.
 */
#include "base/base.h"
#include "services/db.h"

#include <mysql.h>
#include <errmsg.h>

#include "services/db_rows.h"

/*
 * Bind fmt's parameters ('i' int64_t, 's' const char *, NULL is SQL NULL).
 * Returns 0, or the client error code of what was wrong (logged).
 */
unsigned int
db_rows_bind(MYSQL_STMT *st, const char *fmt, va_list ap, struct db_params *p)
{
	const char	*s;
	int		 i, n = (int)strlen(fmt);

	if ((unsigned long)n != mysql_stmt_param_count(st)) {
		log_warnx("db: %d parameters given, %lu expected", n,
		    mysql_stmt_param_count(st));
		return CR_PARAMS_NOT_BOUND;
	}
	memset(p->b, 0, n * sizeof(p->b[0]));
	for (i = 0; i < n; i++) {
		switch (fmt[i]) {
		case 'i':
			p->ints[i] = va_arg(ap, int64_t);
			p->b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			p->b[i].buffer = &p->ints[i];
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (s == NULL) {
				p->b[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			p->lens[i] = strlen(s);
			p->b[i].buffer_type = MYSQL_TYPE_STRING;
			p->b[i].buffer = (void *)s;
			p->b[i].buffer_length = p->lens[i];
			p->b[i].length = &p->lens[i];
			break;
		default:
			log_warnx("db: bad parameter format '%c'", fmt[i]);
			return CR_UNKNOWN_ERROR;
		}
	}
	if (n && mysql_stmt_bind_param(st, p->b))
		return mysql_stmt_errno(st) ? mysql_stmt_errno(st) :
		    CR_UNKNOWN_ERROR;
	return 0;
}

/* Column k of the current row, longer than its buffer, whole into out. */
static void
fetch_long(MYSQL_STMT *st, int k, unsigned long len, char *out)
{
	MYSQL_BIND	one;
	unsigned long	l2 = 0;

	memset(&one, 0, sizeof(one));
	one.buffer_type = MYSQL_TYPE_STRING;
	one.buffer = out;
	one.buffer_length = len + 1;
	one.length = &l2;
	mysql_stmt_fetch_column(st, &one, k, 0);
	out[len] = '\0';
}

/* Store the executed statement's result and copy it into the arena. */
int
db_rows_copy(struct arena *a, MYSQL_STMT *st, struct db_res *res)
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
			log_warnx("db: fetch stopped at row %d of %d: %s", r,
			    res->nrows, mysql_stmt_error(st));
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
				*cell = arena_alloc(a, len[k] + 1);
				fetch_long(st, k, len[k], *cell);
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

/*
 * Hand each row of an executed, stored statement to fn until fn returns
 * -1 or *stop is set (by a statement fn ran). 0 at the end of the rows.
 */
int
db_rows_each(MYSQL_STMT *st, int ncols, int (*fn)(void *, const char **,
    int), void *arg, const int *stop)
{
	MYSQL_BIND	 b[DB_EACH_MAXCOLS];
	unsigned long	 len[DB_EACH_MAXCOLS];
	my_bool		 isnull[DB_EACH_MAXCOLS], err[DB_EACH_MAXCOLS];
	char		 cellbuf[DB_EACH_MAXCOLS][256];
	const char	*row[DB_EACH_MAXCOLS];
	struct buf	 big[DB_EACH_MAXCOLS];
	int		 k, frc, rc = -1;

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
	while (!*stop) {
		if ((frc = mysql_stmt_fetch(st)) == MYSQL_NO_DATA) {
			rc = 0;
			break;
		}
		if (frc == 1) {
			log_warnx("db: fetch failed: %s", mysql_stmt_error(st));
			break;
		}
		for (k = 0; k < ncols; k++) {
			if (isnull[k])
				row[k] = NULL;
			else if (len[k] < sizeof(cellbuf[k])) {
				cellbuf[k][len[k]] = '\0';
				row[k] = cellbuf[k];
			} else {
				buf_reserve(&big[k], len[k] + 1);
				fetch_long(st, k, len[k], big[k].p);
				row[k] = big[k].p;
			}
		}
		if (fn(arg, row, ncols) == -1)
			break;
	}
	for (k = 0; k < ncols; k++)
		buf_free(&big[k]);
	return rc;
}
