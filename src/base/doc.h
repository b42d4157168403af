/*
 * doc.h -- a printable document (statements, AR aging, finance lists):
 * title, subtitle, key/value header lines, tables, footer lines; and the
 * two writers that turn it into bytes to download (doc_xlsx.c, doc_pdf.c).
 * The model only points at the caller's strings and cells; it owns
 * nothing. Money is int64 fen all the way to the writer: the PDF prints
 * it as ¥1,234.56, the XLSX stores the number with a 0.00 format.
 */
#ifndef BASE_DOC_H
#define BASE_DOC_H

#include "base/base.h"

enum doc_kind {
	DOC_TEXT,		/* cell.text */
	DOC_MONEY,		/* cell.n, fen */
	DOC_INT,		/* cell.n */
	DOC_DATE		/* cell.text, "YYYY-MM-DD" */
};

enum doc_align { DOC_LEFT, DOC_RIGHT, DOC_CENTER };

struct doc_col {
	const char	*head;
	int		 width;		/* in Latin characters; 0: 10 */
	enum doc_align	 align;
	enum doc_kind	 kind;
};

/*
 * One cell. A text or date cell with text NULL is empty; a money or
 * integer cell with text set prints that text instead of n (e.g. "合计"
 * in the first column of the totals row, or "—").
 */
struct doc_cell {
	const char	*text;
	int64_t		 n;
};

struct doc_table {
	const char		*title;		/* printed above it; NULL: none */
	const struct doc_col	*col;
	int			 ncol;
	const struct doc_cell	*cell;		/* nrow * ncol, row by row */
	size_t			 nrow;
	const struct doc_cell	*total;		/* ncol cells, or NULL */
};

struct doc_kv {
	const char	*key;		/* 客户 */
	const char	*value;		/* 上海某某商贸有限公司 */
};

struct doc {
	const char		*title;		/* 对账单 */
	const char		*subtitle;	/* NULL: none */
	const struct doc_kv	*kv;
	int			 nkv;
	const struct doc_table	*table;
	int			 ntable;
	const char * const	*footer;	/* 客户确认：____ */
	int			 nfooter;
};

/* doc.c */
size_t		 doc_money(char *, size_t, int64_t);
const char	*doc_cell_str(const struct doc_col *, const struct doc_cell *,
		     char *, size_t);

/*
 * doc_xlsx.c: the whole document on one worksheet. libxlsxwriter (1.1.4
 * in Debian 12) writes only to a file, so the workbook goes to a temporary
 * file in tmpdir (NULL: $TMPDIR or /tmp) that is read into out and
 * removed; doc_xlsx_file() keeps it at path instead.
 */
int		 doc_xlsx(const struct doc *, const char *, struct buf *,
		     const char **);
int		 doc_xlsx_file(const struct doc *, const char *, const char *,
		     const char **);

/*
 * doc_pdf.c: A4 portrait. font is a TrueType font to embed (subset): a
 * .ttf path, or a .ttc path with the face index after a comma; the
 * default (docs/documents.md says why) is DOC_PDF_FONT. NULL or "" uses
 * libharu's CID font SimSun instead (GBK-EUC-H, referenced, not
 * embedded: small files, but the viewer must supply a Song face and the
 * Latin widths it draws with are not the font's). Sets *pages.
 */
#define DOC_PDF_FONT	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc,0"

int		 doc_pdf(const struct doc *, const char *, struct buf *, int *,
		     const char **);

#endif /* BASE_DOC_H */
