/*
 * xlsx.h -- the first worksheet of an Excel .xlsx file, row by row
 * (base/xlsx.c): libzip opens the container, expat streams the sheet.
 * Cells come out as the text Excel shows for them; no styles, formulas
 * or dates. Knows nothing of columns or headers (domain/import_read.c).
 */
#ifndef BASE_XLSX_H
#define BASE_XLSX_H

#include "base/base.h"

#define XLSX_COLS_MAX	16384		/* XFD, Excel's last column */
#define XLSX_ROWS_MAX	1048576		/* Excel's last row */

struct xlsx_limits {
	size_t		 max_bytes;	/* XML unpacked, all parts together */
	size_t		 max_cells;	/* <c> elements of the sheet; 0: any */
};

struct xlsx_in;				/* xlsx.c's */

/*
 * The row xlsx_next() read: its cells up to the last one that is not
 * empty, NUL-terminated ("" for an empty or missing cell), valid until
 * the next xlsx_next(); the cells' text one after another is data.
 */
struct xlsx {
	char		**field;
	int		 nfield;
	const char	*data;
	size_t		 len;
	int		 row;		/* its number, as Excel shows it */
	int		 width;		/* cells kept per row; open: all */
	int		 wide;		/* a cell beyond width has text: its
					   column, from 1; else 0 */
	const char	*sheet;		/* the worksheet's name */
	const char	*error;		/* why xlsx_open or xlsx_next failed */
	struct xlsx_in	*in;
};

int		 xlsx_is_zip(const char *, size_t);
int		 xlsx_open(struct xlsx *, const char *, size_t,
		     const struct xlsx_limits *);
int		 xlsx_next(struct xlsx *);
void		 xlsx_close(struct xlsx *);
int		 xlsx_number(const char *, char *, size_t);

#endif /* BASE_XLSX_H */
