/*
 * db_rows.h -- parameters in, rows out of a MariaDB prepared statement
 * (services/db_rows.c), for db.c only: it needs <mysql.h> first.
 */
#ifndef SERVICES_DB_ROWS_H
#define SERVICES_DB_ROWS_H

#include "services/db.h"

#define DB_MAXPARAMS	48
#define DB_EACH_MAXCOLS	16

struct db_params {
	MYSQL_BIND	 b[DB_MAXPARAMS];
	int64_t		 ints[DB_MAXPARAMS];
	unsigned long	 lens[DB_MAXPARAMS];
};

unsigned int	 db_rows_bind(MYSQL_STMT *, const char *, va_list,
		     struct db_params *);
int		 db_rows_copy(struct arena *, MYSQL_STMT *, struct db_res *);
int		 db_rows_each(MYSQL_STMT *, int, int (*)(void *, const char **,
		     int), void *, const int *);

#endif /* SERVICES_DB_ROWS_H */
