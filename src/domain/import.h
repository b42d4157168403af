/*
 * import.h -- what the files of the import and export share
 * (domain/import.c runs an import, import_read.c reads the file, CSV or
 * .xlsx, import_check.c checks its rows against the shop, import_write.c
 * writes them, export.c writes a file back; description.c and strmap.c
 * serve them). The entry points, import_products() and
 * export_products(), are in products_csv.h.
 */
#ifndef DOMAIN_IMPORT_H
#define DOMAIN_IMPORT_H

#include "base/csv.h"
#include "base/xlsx.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/products_csv.h"

#define IMPORT_ROWS_MAX	50000		/* an upload's; the shell takes any */
#define IMPORT_CHUNK_ROWS 2000		/* the shell's batch, whole products */
#define IMPORT_CELLS_MAX (IMPORT_ROWS_MAX * 64)	/* an upload's .xlsx */
#define IMPORT_UNZIP_MAX 16		/* an upload's .xlsx: x max_upload */
#define IMPORT_UNZIP_RATIO 100		/* the shell's: x the file's size */
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
	C_BARCODE, C_SPEC, C_PACK_SIZE, C_MIN_QTY, C_PACK_ONLY, C_STOCK, C_WEIGHT_G,
	C_PRICE, C_RETAIL_PRICE, C_TIERS, C_ON_SHELF, C_VISIBLE,
	C_DESCRIPTION, NCOL };

#define COL_REQUIRED	0x01
#define COL_PRODUCT	0x02	/* one value per product: rows must agree */
#define COL_TEXT	0x04	/* free text: formula guard in the file */
#define NPCOL		6	/* columns with COL_PRODUCT */

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

/*
 * A product of the file, for the whole import (im->keep): what later rows,
 * maybe in later chunks, are checked against and written with. Products
 * are many: no more than that (units are interned).
 */
struct prod {
	int64_t		 id;		/* as last looked up; 0: new */
	const char	*code;		/* as the file first writes it */
	const char	*old_unit;	/* as stored before; NULL: new */
	const char	*unit;		/* its first row's; NULL: no column */
	uint64_t	 pvh[NPCOL];	/* hashes of its first row's product
					   values (COL_PRODUCT); 0: none */
	int		 kept;		/* unit and pvh are set */
	int		 line;		/* its first row; 0: not seen yet */
	int		 nskus;		/* its rows so far: the next sort */
	int		 chunk;		/* the last chunk it has rows in */
	/* While a chunk that has its rows is read (im->arena): */
	struct row	*first;		/* its first row, if in this chunk */
	const char	*old_desc;	/* stored HTML, if the file has any */
	const char	*desc;		/* HTML to store */
	struct prod	*next;		/* the chunk's first-seen products */
	struct prod	*cnext;		/* all the chunk's products */
};

/* A row of the file: one SKU (im->arena, for its chunk only). */
struct row {
	int		 line;
	const char	*v[NCOL];	/* trimmed, unguarded; NULL: absent */
	const char	*pv[NCOL];	/* product-level values as compared */
	const char	*pkey;		/* collation keys of the two codes */
	const char	*skey;
	struct prod	*prod;
	struct icat	*cat;
	int		 sku_ok;	/* its code is good and not repeated */
	int64_t		 sku_id;	/* as looked up; 0: new */
	int		 new_sku;	/* not in the shop before the chunk */
	int64_t		 sku_pid;	/* the product it has in the database */
	const char	*sku_pcode;	/* that product's code */
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

enum import_kind { KIND_CSV, KIND_XLSX, KIND_BAD };

/* The record the reader has at hand: a CSV record or a worksheet row. */
struct irec {
	char		**field;
	int		 nfield;
	int		 line;		/* as the file or Excel numbers it */
	int		 wide;		/* a worksheet row's text beyond the
					   header: its column */
	const char	*data;		/* the fields' text, in a row */
	size_t		 len;
};

/*
 * An import. The file is read in chunks of rows (all of it at once for
 * an upload), each checked and written with what the whole import keeps
 * about products, SKU codes and categories.
 */
struct imp {
	struct arena		*keep;		/* the whole import */
	struct arena		*arena;		/* the chunk; reset after it */
	const struct import_opts *opts;
	struct import_report	*rep;
	const char		*data;
	size_t			 len;
	enum import_kind	 kind;
	int			 in_place;	/* data is the caller's bytes */
	const char		*kind_error;	/* KIND_BAD: why */
	struct csv		 csv;
	struct xlsx		 xlsx;
	int			 open;		/* csv or xlsx is open */
	struct irec		 rec;
	int			 pending;	/* rec begins the next chunk */
	int			 header;	/* the header is read */
	int			 header_line;
	int			 col[NCOL];	/* field index, -1: absent */
	int			 nhead;
	int			 header_bad;	/* or the file: nothing to do */
	int			 too_many;
	int			 rows_max;	/* 0: any number */
	int			 chunk_rows;	/* 0: the whole file */
	int			 nchunk;
	/* The chunk: */
	struct row		*rows, **rows_tail, *last;
	int			 nrows;
	struct prod		*prods, **prods_tail;
	struct prod		*cprods;
	int			 created[2];	/* products, SKUs to create */
	int			 updated[2];
	/* The whole import: */
	struct strmap		 prod_map;	/* code key -> struct prod */
	struct strmap		 sku_map;	/* code key -> its line */
	struct strmap		 cat_map;	/* "parent seq/name" -> icat */
	struct strmap		 units;		/* interned units */
	struct icat		*new_cats, **new_tail;
	int			 ncats;
	struct ierr		*errs;
	int			 nerrs;
	int			 caperrs;
};

/* import_read.c */
void		 import_src_init(struct imp *, const char *, size_t);
int		 import_src_open(struct imp *);
void		 import_src_close(struct imp *);
int		 import_read_chunk(struct imp *);
void		 import_error(struct imp *, int, int, const char *, ...)
		     __attribute__((format(printf, 4, 5)));
void		 import_errors_report(struct imp *);
/* import_check.c */
int		 import_load(struct dctx *, struct imp *);
int		 import_attach(struct dctx *, struct imp *);
#define LOOK_NEW_PRODUCTS 0x01		/* import_lookup: just created */
#define LOOK_NEW_SKUS	0x02
int		 import_lookup(struct dctx *, struct imp *, int);
void		 import_check_rows(struct imp *);
/* import_write.c */
int		 import_write_categories(struct dctx *, struct imp *);
int		 import_write(struct dctx *, struct imp *);
/* export.c */
int		 export_tiers(struct dctx *, struct strmap *);
/* description.c */
const char	*desc_html(struct arena *, const char *);
char		*desc_text(struct arena *, const char *);

#endif /* DOMAIN_IMPORT_H */
