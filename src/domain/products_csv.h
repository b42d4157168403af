/*
 * products_csv.h -- products, SKUs and prices from CSV or .xlsx and to
 * CSV: the entry points of domain/import.c and domain/export.c.
 */
#ifndef DOMAIN_PRODUCTS_CSV_H
#define DOMAIN_PRODUCTS_CSV_H

#include "base/base.h"

/* import.c, export.c: products, SKUs and prices from and to CSV or .xlsx. */
struct import_report {
	int		 rows;		/* data rows read */
	int		 rows_written;	/* a shell import: rows committed */
	int		 products_created;
	int		 products_updated;
	int		 skus_created;
	int		 skus_updated;
	int		 nerrors;
	struct buf	 errors;	/* "第 N 行：reason\n" per bad row */
	int		 from_gb18030;	/* the file was GBK/GB18030, converted */
	int		 from_xlsx;	/* the file was .xlsx: sheet names it */
	char		 sheet[128];
};

enum import_phase { IMPORT_CHECKING, IMPORT_WRITING };

/*
 * How to import. An upload (shell 0) is at most IMPORT_ROWS_MAX rows,
 * written in one transaction. The shell takes any size: it checks the
 * whole file first, then writes it in batches of whole products, a
 * transaction each, calling progress after each batch (docs/csv.md).
 */
struct import_opts {
	const char	*name;		/* the file's name, if known */
	int		 shell;
	void		(*progress)(void *, enum import_phase, int, int);
	void		(*release)(void *, size_t);	/* the file's bytes
					   before this are read, for now */
	void		*arg;
};

void		 import_template(struct buf *);
int		 import_products(struct dctx *, const char *, size_t,
		     const struct import_opts *, struct import_report *);
void		 import_report_free(struct import_report *);
int		 export_products(struct dctx *, struct buf *);
int		 export_products_count(struct dctx *, struct buf *, int *);

#endif /* DOMAIN_PRODUCTS_CSV_H */
