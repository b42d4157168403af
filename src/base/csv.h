/*
 * csv.h -- RFC 4180 CSV (base/csv.c).
 */
#ifndef BASE_CSV_H
#define BASE_CSV_H

#include "base/base.h"

/* csv.c: RFC 4180 reader (fields valid until the next csv_next) and writer. */
struct csv {
	const char	*p;		/* next byte */
	const char	*end;
	int		 line;		/* physical line of p, from 1 */
	int		 rec_line;	/* line the last record began on */
	int		 err_line;	/* line of error */
	const char	*error;		/* why csv_next returned -1 */
	char		**field;	/* the record's fields, NUL-terminated */
	int		 nfield;
	int		 cap;
	size_t		*off;
	struct buf	 data;
};
#define CSV_FIRST	0x01	/* csv_put: first field of a row, no comma */
#define CSV_TEXT	0x02	/* csv_put: text, guard against formulas */
void		 csv_init(struct csv *, const char *, size_t);
int		 csv_next(struct csv *);
void		 csv_free(struct csv *);
const char	*csv_unguard(const char *);
void		 csv_put(struct buf *, const char *, int);
void		 csv_endrow(struct buf *);

#endif /* BASE_CSV_H */
