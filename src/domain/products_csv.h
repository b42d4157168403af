/*
 * products_csv.h -- products, SKUs and prices from and to CSV: the
 * entry points of domain/import.c and domain/export.c.
 */
#ifndef DOMAIN_PRODUCTS_CSV_H
#define DOMAIN_PRODUCTS_CSV_H

#include "base/base.h"

/* import.c, export.c: products, SKUs and prices from and to CSV. */
struct import_report {
	int		 rows;		/* data rows read */
	int		 products_created;
	int		 products_updated;
	int		 skus_created;
	int		 skus_updated;
	int		 nerrors;
	struct buf	 errors;	/* "第 N 行：reason\n" per bad row */
	int		 from_gb18030;	/* the file was GBK/GB18030, converted */
};
void		 import_template(struct buf *);
int		 import_products(struct dctx *, const char *, size_t,
		     struct import_report *);
void		 import_report_free(struct import_report *);
int		 export_products(struct dctx *, struct buf *);
int		 export_products_count(struct dctx *, struct buf *, int *);

#endif /* DOMAIN_PRODUCTS_CSV_H */
