/*
 * import.h -- what the files of the CSV import and export share
 * (domain/import.c runs an import, import_read.c reads the file,
 * import_check.c checks its rows against the shop, import_write.c writes
 * them, export.c writes a file back; description.c and strmap.c serve
 * them). The entry points, import_products() and export_products(), are
 * in dinghuo.h.
 */
#ifndef DOMAIN_IMPORT_H
#define DOMAIN_IMPORT_H

#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/products_csv.h"

#define IMPORT_ROWS_MAX	50000
#define DESC_MAX	20000		/* characters of plain text */
/*
 * Imports and exports work in an arena of their own, in big chunks that
 * malloc maps and unmaps: tens of megabytes for a big file go back to the
 * system at the end, not to a worker's heap.
 */
#define BIG_CHUNK	(1024 * 1024)
#define VISIBLE_ALL	"ordering,wholesale,retail"
#define UNIT_DEFAULT	"件"

enum col { C_CATEGORY, C_PRODUCT_CODE, C_PRODUCT_NAME, C_UNIT, C_SKU_CODE,
	C_BARCODE, C_SPEC, C_PACK_SIZE, C_MIN_QTY, C_STOCK, C_WEIGHT_G,
	C_PRICE, C_RETAIL_PRICE, C_TIERS, C_ON_SHELF, C_VISIBLE,
	C_DESCRIPTION, NCOL };

#define COL_REQUIRED	0x01
#define COL_PRODUCT	0x02	/* one value per product: rows must agree */
#define COL_TEXT	0x04	/* free text: formula guard in the file */

struct column {
	const char	*name;		/* what the export writes */
	int		 flags;
	const char	*zh;		/* the Chinese name, in the template */
	const char	*aliases;	/* other names shops type, "|"-separated */
};
extern const struct column import_columns[NCOL];

/* strmap.c: open addressing, string keys the caller keeps alive. */
struct strmap {
	const char	**key;
	void		**val;
	size_t		 cap;
	size_t		 n;
};
void		*strmap_get(const struct strmap *, const char *);
void		 strmap_put(struct strmap *, const char *, void *);
void		 strmap_free(struct strmap *);

struct icat {
	int64_t		 id;		/* 0: created by this import */
	int		 seq;		/* map key part; 0 is the root */
	struct icat	*parent;
	const char	*name;
	struct icat	*next_new;
};

struct prod {
	int64_t		 id;		/* 0: new */
	const char	*code;		/* as stored or first written */
	const char	*old_unit;	/* stored unit, NULL: new */
	const char	*old_desc;	/* stored HTML, if the file has any */
	const char	*desc;		/* HTML to store */
	struct row	*first;		/* its first row; NULL: not in file */
	int		 nskus;		/* its rows so far: the next sort */
	struct prod	*next;		/* the file's products, in order */
};

struct sku {
	int64_t		 id;		/* 0: new */
	struct prod	*prod;
	struct row	*row;		/* NULL: not in the file */
};

struct row {
	int		 line;
	const char	*v[NCOL];	/* trimmed, unguarded; NULL: absent */
	const char	*pv[NCOL];	/* product-level values as compared */
	const char	*pkey;		/* collation keys of the two codes */
	const char	*skey;
	struct prod	*prod;
	struct sku	*sku;
	struct icat	*cat;
	int		 sku_new;
	int		 tiers_same;	/* as stored: nothing to write */
	int		 sort;
	int		 on_shelf;
	int64_t		 num[NCOL];	/* integer and money columns */
	int		 has_retail;
	struct price_tier *tiers;
	int		 ntiers;
	struct row	*next;
};

struct ierr {
	int		 line;
	int		 seq;
	char		*text;
};

struct imp {
	struct arena		*arena;
	const char		*data;
	size_t			 len;
	struct import_report	*rep;
	int			 col[NCOL];	/* field index, -1: absent */
	int			 nhead;
	int			 header_bad;
	int			 too_many;
	struct row		*rows, **rows_tail;
	struct prod		*prods, **prods_tail;
	struct strmap		 prod_map;	/* code key -> struct prod */
	struct strmap		 sku_map;	/* code key -> struct sku */
	struct strmap		 cat_map;	/* "parent seq/name" -> icat */
	struct icat		*new_cats, **new_tail;
	int			 ncats;
	struct ierr		*errs;
	int			 nerrs;
	int			 caperrs;
};

/* import_read.c */
void		 import_read_rows(struct imp *);
void		 import_error(struct imp *, int, int, const char *, ...)
		     __attribute__((format(printf, 4, 5)));
void		 import_errors_report(struct imp *);
/* import_check.c */
int		 import_check(struct dctx *, struct imp *);
int		 import_fetch_ids(struct dctx *, struct imp *, int);
/* import_write.c */
int		 import_write(struct dctx *, struct imp *);
/* export.c */
int		 export_tiers(struct dctx *, struct strmap *);
/* description.c */
const char	*desc_html(struct arena *, const char *);
char		*desc_text(struct arena *, const char *);

#endif /* DOMAIN_IMPORT_H */
