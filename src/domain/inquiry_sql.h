/*
 * inquiry_sql.h -- SQL fragments the inquiry files share, so that every
 * one of them means the same by "now in China" (domain/inquiry*.c only).
 * The connection's time zone is UTC (services/db.c): China Standard Time
 * is eight hours on, with no summer time.
 */
#ifndef DOMAIN_INQUIRY_SQL_H
#define DOMAIN_INQUIRY_SQL_H

/* A DATETIME column as Asia/Shanghai wall-clock time. */
#define INQUIRY_LOCAL(col)	"DATE_FORMAT(" col " + INTERVAL 8 HOUR, " \
				"'%Y-%m-%d %H:%i')"

/* Today's date in China: a quote valid until today holds all day. */
#define INQUIRY_TODAY		"DATE(NOW() + INTERVAL 8 HOUR)"

#endif /* DOMAIN_INQUIRY_SQL_H */
