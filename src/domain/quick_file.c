/*
 * quick_file.c -- bulk order by file (批量下单): a CSV or .xlsx (its first
 * worksheet) of code and quantity, told apart by its first bytes as the
 * product import does, a CSV in GBK (GB18030) read as such. A first row
 * that names the columns (编码/条码/商品编码/code/sku/barcode and
 * 数量/订购数量/qty/quantity) says where they are, in any order and among
 * other columns; without one, the first column is the code and the
 * second the quantity. Each row becomes a quick order line numbered as
 * the file shows it (Excel's row, the CSV's line), with its own error.
 */
#include "base/base.h"
#include "base/csv.h"
#include "base/xlsx.h"
#include "domain/dctx.h"
#include "domain/quick_order.h"

#define QUICK_UNZIP_MAX	(16 * 1024 * 1024)	/* XML of one sheet */
#define QUICK_CELLS_MAX	(QUICK_LINES_MAX * 64)

struct rows {
	int		 xlsx;
	struct csv	 csv;
	struct xlsx	 x;
	char		**field;
	int		 nfield;
	int		 line;
	const char	*error;		/* a row that could not be read */
};

static int
named(const char *s, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcasecmp(s, *names) == 0)
			return 1;
	return 0;
}

static const char *const code_names[] = { "code", "sku", "barcode",
    "编码", "条码", "商品编码", "sku编码", "规格编码", "货号", NULL };
static const char *const qty_names[] = { "qty", "quantity", "数量",
    "订购数量", "订货数量", NULL };

static char *
trim(char *s)
{
	char	*e;

	if (s == NULL)
		return "";
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* The next row: 1, 0 at the end, -1 with r->error (the file ends). */
static int
next_row(struct rows *r)
{
	int	rc;

	r->error = NULL;
	if (r->xlsx) {
		if ((rc = xlsx_next(&r->x)) == -1)
			r->error = r->x.error;
		if (rc != 1)
			return rc;
		r->field = r->x.field;
		r->nfield = r->x.nfield;
		r->line = r->x.row;
		return 1;
	}
	rc = csv_next(&r->csv);
	r->field = r->csv.field;
	r->nfield = rc == 0 ? 0 : r->csv.nfield;
	r->line = r->csv.rec_line;
	if (rc == -1)
		r->error = r->csv.error;
	return rc == 0 ? 0 : 1;
}

static int
blank(const struct rows *r)
{
	int	i;

	for (i = 0; i < r->nfield; i++)
		if (*trim(r->field[i]) != '\0')
			return 0;
	return 1;
}

static const char *
cell(struct dctx *c, const struct rows *r, int i)
{
	const char	*s;

	if (i >= r->nfield)
		return "";
	s = arena_strdup(c->arena, trim(r->field[i]));
	return csv_unguard(s);
}

/* A whole number Excel wrote as "20.0" is still 20. */
static const char *
qty_cell(struct dctx *c, const char *s)
{
	size_t	n = strspn(s, "0123456789");

	if (n > 0 && s[n] == '.' && strspn(s + n + 1, "0") ==
	    strlen(s + n + 1))
		return arena_strndup(c->arena, s, n);
	return s;
}

static int
open_rows(struct dctx *c, struct rows *r, const char *data, size_t len)
{
	struct xlsx_limits	 lim;
	const char		*u;
	size_t			 ulen;
	int			 conv;

	memset(r, 0, sizeof(*r));
	if (xlsx_is_zip(data, len)) {
		memset(&lim, 0, sizeof(lim));
		lim.max_bytes = QUICK_UNZIP_MAX;
		lim.max_cells = QUICK_CELLS_MAX;
		if (xlsx_open(&r->x, data, len, &lim) == -1) {
			c->error = arena_printf(c->arena, "无法读取 Excel 文件："
			    "%s", r->x.error);
			c->code = "bad_file";
			return ERR_INVALID;
		}
		r->xlsx = 1;
		return 0;
	}
	if (len >= 8 && memcmp(data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
	    8) == 0) {
		c->error = "是旧版 Excel（.xls）文件：请在 Excel 中“另存为” "
		    ".xlsx 工作簿或 CSV";
		c->code = "bad_file";
		return ERR_INVALID;
	}
	/* Excel on Chinese Windows saves GBK: read it as such. */
	if ((u = text_to_utf8(c->arena, data, len, &ulen, &conv)) == NULL) {
		c->error = "文件不是 CSV 或 Excel（.xlsx）文件，或编码无法识别";
		c->code = "bad_file";
		return ERR_INVALID;
	}
	if (ulen >= 3 && memcmp(u, "\xef\xbb\xbf", 3) == 0) {
		u += 3;		/* Excel's UTF-8 mark */
		ulen -= 3;
	}
	csv_init(&r->csv, u, ulen);
	return 0;
}

static void
close_rows(struct rows *r)
{
	if (r->xlsx)
		xlsx_close(&r->x);
	else
		csv_free(&r->csv);
}

static int
read_rows(struct dctx *c, struct rows *r, struct quick_order *q)
{
	int	i, rc, kc = 0, kq = 1, first = 1;

	while ((rc = next_row(r)) == 1) {
		if (r->error != NULL) {
			if ((rc = quick_line_put(c, q, r->line, "", "")) != 0)
				return rc;
			q->v[q->n - 1].why = arena_printf(c->arena, "这一行无法"
			    "读取：%s", r->error);
			q->v[q->n - 1].status_code = "bad_row";
			continue;
		}
		if (blank(r))
			continue;
		if (first) {
			first = 0;
			for (i = 0; i < r->nfield; i++)
				if (named(trim(r->field[i]), code_names))
					break;
			if (i < r->nfield) {	/* a header */
				kc = i;
				for (i = 0; i < r->nfield; i++)
					if (named(trim(r->field[i]),
					    qty_names))
						break;
				kq = i < r->nfield ? i : kc + 1;
				continue;
			}
		}
		if ((rc = quick_line_put(c, q, r->line, cell(c, r, kc),
		    qty_cell(c, cell(c, r, kq)))) != 0)
			return rc;
	}
	if (rc == -1) {
		c->error = arena_printf(c->arena, "无法读取文件（第 %d 行）：%s",
		    r->line, r->error ? r->error : "格式错误");
		c->code = "bad_file";
		return ERR_INVALID;
	}
	return 0;
}

/*
 * The rows of an uploaded file as quick order lines (each with its parse
 * status; quick_preview looks them up). ERR_INVALID with c->error for a
 * file that cannot be read, has too many rows or none.
 */
int
quick_read_file(struct dctx *c, const char *data, size_t len,
    struct quick_order *q)
{
	struct rows	r;
	int		rc;

	memset(q, 0, sizeof(*q));
	c->code = NULL;
	if (len == 0) {
		c->error = "文件是空的：每行一个商品，编码和数量两列";
		c->code = "empty";
		return ERR_INVALID;
	}
	if ((rc = open_rows(c, &r, data, len)) != 0)
		return rc;
	q->v = arena_calloc(c->arena, QUICK_LINES_MAX + 1, sizeof(*q->v));
	rc = read_rows(c, &r, q);
	close_rows(&r);
	if (rc == 0 && q->n == 0) {
		c->error = "文件中没有商品：每行一个商品，编码和数量两列";
		c->code = "empty";
		rc = ERR_INVALID;
	}
	return rc;
}
