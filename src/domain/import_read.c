/*
 * import_read.c -- reading the file, without the database: CSV or the
 * first worksheet of an .xlsx, told apart by their first bytes, through
 * one reader, chunk by chunk of rows (import.h); and the errors found,
 * "第 N 行：column：reason", kept with their line and sorted by it at the
 * end, since the problems are found in two passes (here, import_check.c).
 */
#include "base/base.h"
#include "base/conf.h"
#include "base/csv.h"
#include "base/xlsx.h"
#include "domain/import.h"
#include "domain/text.h"

#define XLS_MAGIC	"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"	/* OLE2 */

/*
 * A header cell names a column by its name (any case), its Chinese name
 * or one of the names Chinese spreadsheets use for it.
 */
const struct column import_columns[NCOL] = {
	[C_CATEGORY] =		{ "category", COL_PRODUCT | COL_TEXT, "分类",
				  "商品分类|类别" },
	[C_PRODUCT_CODE] =	{ "product_code", COL_REQUIRED | COL_TEXT,
				  "货号", "商品编码|商品编号|款号" },
	[C_PRODUCT_NAME] =	{ "product_name",
				  COL_REQUIRED | COL_PRODUCT | COL_TEXT,
				  "商品名称", "品名|名称" },
	[C_UNIT] =		{ "unit", COL_PRODUCT | COL_TEXT, "单位", "" },
	[C_SKU_CODE] =		{ "sku_code", COL_REQUIRED | COL_TEXT,
				  "SKU编码", "SKU 编码|规格编码|sku" },
	[C_BARCODE] =		{ "barcode", COL_TEXT, "条码",
				  "条形码|商品条码" },
	[C_SPEC] =		{ "spec", COL_TEXT, "规格", "规格值" },
	[C_PACK_SIZE] =		{ "pack_size", 0, "箱规",
				  "装箱数|每箱数量" },
	[C_MIN_QTY] =		{ "min_qty", 0, "起订量", "最小起订量" },
	[C_PACK_ONLY] =		{ "pack_only", 0, "整箱销售",
				  "只卖整箱|是否整箱" },
	[C_STOCK] =		{ "stock", 0, "库存", "库存数量" },
	[C_WEIGHT_G] =		{ "weight_g", 0, "重量（克）",
				  "重量(克)|重量|重量g" },
	[C_PRICE] =		{ "price", COL_REQUIRED, "单价",
				  "价格|批发价|基础价" },
	[C_RETAIL_PRICE] =	{ "retail_price", 0, "零售价", "建议零售价" },
	[C_TIERS] =		{ "tiers", 0, "阶梯价", "阶梯价格" },
	[C_ON_SHELF] =		{ "on_shelf", COL_PRODUCT, "上架",
				  "是否上架" },
	[C_VISIBLE] =		{ "visible", COL_PRODUCT, "展示商城",
				  "可见商城|商城" },
	[C_DESCRIPTION] =	{ "description", COL_PRODUCT | COL_TEXT,
				  "商品描述", "描述|详情|商品详情" },
};

/* Does a header cell name column k? */
static int
column_named(int k, const char *name)
{
	const struct column	*col = &import_columns[k];
	const char		*a, *bar;
	size_t			 n = strlen(name);

	if (strcasecmp(name, col->name) == 0 || strcmp(name, col->zh) == 0)
		return 1;
	for (a = col->aliases; *a; a = *bar ? bar + 1 : bar) {
		if ((bar = strchr(a, '|')) == NULL)
			bar = a + strlen(a);
		if ((size_t)(bar - a) == n && strncasecmp(a, name, n) == 0)
			return 1;
	}
	return 0;
}

/* A problem of line (col -1: of the whole row; line 0: of the file). */
void
import_error(struct imp *im, int line, int col, const char *fmt, ...)
{
	struct ierr	*e;
	va_list		 ap;
	char		 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (im->nerrs == im->caperrs) {
		im->caperrs = im->caperrs ? im->caperrs * 2 : 64;
		im->errs = xrealloc(im->errs, im->caperrs * sizeof(*im->errs));
	}
	e = &im->errs[im->nerrs];
	e->line = line;
	e->seq = im->nerrs++;
	if (line <= 0)			/* the whole file */
		e->text = arena_printf(im->keep, "%s\n", msg);
	else if (col >= 0)
		e->text = arena_printf(im->keep, "第 %d 行：%s：%s\n", line,
		    import_columns[col].name, msg);
	else
		e->text = arena_printf(im->keep, "第 %d 行：%s\n", line, msg);
}

static int
ierr_cmp(const void *a, const void *b)
{
	const struct ierr	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The errors, by line, into the report. */
void
import_errors_report(struct imp *im)
{
	int	i;

	qsort(im->errs, im->nerrs, sizeof(*im->errs), ierr_cmp);
	for (i = 0; i < im->nerrs; i++)
		buf_adds(&im->rep->errors, im->errs[i].text);
	im->rep->nerrors = im->nerrs;
}

/*
 * The reader: CSV or .xlsx, one record at a time into im->rec.
 */

static int
ends_with_ci(const char *s, const char *tail)
{
	size_t	n = strlen(s), m = strlen(tail);

	return n >= m && strcasecmp(s + n - m, tail) == 0;
}

/*
 * What the file is, by its first bytes: a zip is an .xlsx, anything else
 * CSV, UTF-8 or else GB18030 (what Excel on Chinese Windows saves). A
 * name only makes the message clearer when the bytes are not a workbook.
 */
void
import_src_init(struct imp *im, const char *data, size_t len)
{
	const char	*name = im->opts->name ? im->opts->name : "";

	im->data = data;
	im->len = len;
	if (xlsx_is_zip(data, len)) {
		im->kind = KIND_XLSX;
		im->rep->from_xlsx = 1;
		return;
	}
	im->kind = KIND_BAD;
	if (len >= 8 && memcmp(data, XLS_MAGIC, 8) == 0)
		im->kind_error = "是旧版 Excel（.xls）文件，或设了密码的 .xlsx："
		    "请在 Excel 中“另存为” .xlsx 工作簿（不设密码）或 CSV";
	else if (ends_with_ci(name, ".xlsx") || ends_with_ci(name, ".xlsm"))
		im->kind_error = "不是有效的 Excel 文件（文件名是 .xlsx，内容却"
		    "不是 Excel 工作簿；请用 Excel 重新另存为 .xlsx）";
	else
		im->kind = KIND_CSV;
	if (im->kind != KIND_CSV)
		return;
	/* Excel on Chinese Windows saves GBK: read it as such (not UTF-8). */
	if ((im->data = text_to_utf8(im->keep, data, len, &im->len,
	    &im->rep->from_gb18030)) == NULL) {
		im->data = data;	/* the reader names the bad byte */
		im->len = len;
	}
	if (!(im->in_place = im->data == data) && im->opts->release != NULL)
		im->opts->release(im->opts->arg, len);	/* a copy is read */
}

/* The bytes before the chunk's last record are not read again (until
 * the shell's second pass starts over): the caller may drop them. */
static void
release_read(struct imp *im)
{
	if (im->kind == KIND_CSV && im->in_place && im->open &&
	    im->opts->release != NULL)
		im->opts->release(im->opts->arg, (size_t)(im->csv.p -
		    im->data));
}

/* An upload's .xlsx unpacks to a multiple of max_upload; the shell's to
 * a multiple of its own size. */
static void
unzip_limits(const struct imp *im, struct xlsx_limits *lim)
{
	lim->max_bytes = (size_t)conf.max_upload * IMPORT_UNZIP_MAX;
	lim->max_cells = IMPORT_CELLS_MAX;
	if (im->opts->shell) {
		if (im->len < SIZE_MAX / IMPORT_UNZIP_RATIO &&
		    im->len * IMPORT_UNZIP_RATIO > lim->max_bytes)
			lim->max_bytes = im->len * IMPORT_UNZIP_RATIO;
		lim->max_cells = 0;
	}
}

/* From the top of the file again. 0, or -1 (the file's error added). */
int
import_src_open(struct imp *im)
{
	struct xlsx_limits	 lim;

	import_src_close(im);
	im->header = im->pending = 0;
	im->last = NULL;
	if (im->kind == KIND_BAD) {
		import_error(im, 0, -1, "%s", im->kind_error);
		im->header_bad = 1;
		return -1;
	}
	im->open = 1;
	if (im->kind == KIND_CSV) {
		csv_init(&im->csv, im->data, im->len);
		return 0;
	}
	unzip_limits(im, &lim);
	if (xlsx_open(&im->xlsx, im->data, im->len, &lim) == -1) {
		import_error(im, 0, -1, "%s", im->xlsx.error);
		im->header_bad = 1;
		return -1;
	}
	snprintf(im->rep->sheet, sizeof(im->rep->sheet), "%s",
	    im->xlsx.sheet);
	return 0;
}

void
import_src_close(struct imp *im)
{
	if (!im->open)
		return;
	if (im->kind == KIND_CSV)
		csv_free(&im->csv);
	else
		xlsx_close(&im->xlsx);
	im->open = 0;
}

static int
xlsx_rec(struct imp *im)
{
	struct xlsx	*x = &im->xlsx;
	int		 rc;

	if ((rc = xlsx_next(x)) == -1) {
		import_error(im, 0, -1, "%s", x->error);
		im->header_bad = 1;
		return 0;
	}
	if (rc == 0)
		return 0;
	im->rec.field = x->field;
	im->rec.nfield = x->nfield;
	im->rec.line = x->row;
	im->rec.wide = x->wide;
	im->rec.data = x->data;
	im->rec.len = x->len;
	return 1;
}

/*
 * The next record into im->rec: 1, or 0 at the end. A CSV record that
 * cannot be read is reported and skipped (or ends the file if it is the
 * header); a worksheet that cannot be read ends the file (header_bad).
 */
static int
src_next(struct imp *im)
{
	struct csv	*r = &im->csv;
	int		 rc;

	if (!im->open)
		return 0;
	if (im->kind == KIND_XLSX)
		return xlsx_rec(im);
	while ((rc = csv_next(r)) == -1) {
		import_error(im, r->err_line, -1, "%s", r->error);
		if (!im->header) {
			im->header_bad = 1;
			return 0;
		}
	}
	if (rc == 0)
		return 0;
	im->rec.field = r->field;
	im->rec.nfield = r->nfield;
	im->rec.line = r->rec_line;
	im->rec.wide = 0;
	im->rec.data = r->data.p;
	im->rec.len = r->data.len;
	return 1;
}

/* The header names the columns, then one row per SKU. */
static int
read_header(struct imp *im)
{
	const struct irec	*r = &im->rec;
	const char		*name;
	int			 i, k, bad = 0;

	for (k = 0; k < NCOL; k++)
		im->col[k] = -1;
	im->nhead = r->nfield;
	for (i = 0; i < r->nfield; i++) {
		name = text_trim(im->arena, r->field[i], " \t");
		for (k = 0; k < NCOL && !column_named(k, name); k++)
			;
		if (k == NCOL) {
			import_error(im, r->line, -1, "第 %d 列“%s”不是已知的"
			    "列名（可用的列名见本页“文件格式”，或下载模板）",
			    i + 1, text_shown(im->arena, name, 30));
			bad = 1;
		} else if (im->col[k] != -1) {
			import_error(im, r->line, k, "列重复（第 %d 列和第 %d "
			    "列）", im->col[k] + 1, i + 1);
			bad = 1;
		} else
			im->col[k] = i;
	}
	for (k = 0; k < NCOL; k++)
		if ((import_columns[k].flags & COL_REQUIRED) &&
		    im->col[k] == -1) {
			import_error(im, r->line, k, "缺少这一必需的列");
			bad = 1;
		}
	return bad ? -1 : 0;
}

static int
blank_record(const struct irec *r)
{
	int	i;

	for (i = 0; i < r->nfield; i++)
		if (r->field[i][strspn(r->field[i], " \t")] != '\0')
			return 0;
	return 1;
}

/* Trim s in place: skip leading ws, cut trailing ws. */
static char *
trim_in_place(char *s, const char *ws)
{
	size_t	n;

	s += strspn(s, ws);
	n = strlen(s);
	while (n > 0 && strchr(ws, s[n - 1]) != NULL)
		n--;
	s[n] = '\0';
	return s;
}

/* Column k of the record, trimmed and unguarded, in arena a; a worksheet
 * row leaves its empty cells at the end out. */
static const char *
rec_value(struct arena *a, const struct irec *r, int i, int k)
{
	const char	*s;

	if (i >= r->nfield)
		return "";
	s = text_trim(a, r->field[i], k == C_DESCRIPTION ? " \t\r\n" :
	    " \t");
	return import_columns[k].flags & COL_TEXT ? csv_unguard(s) : s;
}

/* One record into a struct row: cells trimmed and unguarded, all in one
 * copy of the record (rows are many: one allocation each). */
static void
take_row(struct imp *im)
{
	const struct irec	*r = &im->rec;
	struct row		*rw;
	char			*data;
	int			 k, i;

	rw = arena_calloc(im->arena, 1, sizeof(*rw));
	rw->line = r->line;
	data = arena_alloc(im->arena, r->len);
	memcpy(data, r->data, r->len);
	for (k = 0; k < NCOL; k++) {
		if ((i = im->col[k]) == -1)
			continue;
		if (i >= r->nfield) {
			rw->v[k] = "";
			continue;
		}
		rw->v[k] = trim_in_place(data + (r->field[i] - r->data),
		    k == C_DESCRIPTION ? " \t\r\n" : " \t");
		if (import_columns[k].flags & COL_TEXT)
			rw->v[k] = csv_unguard(rw->v[k]);
	}
	*im->rows_tail = rw;
	im->rows_tail = &rw->next;
	im->last = rw;
	im->nrows++;
}

/* Does the record at hand start another product than the last row? */
static int
next_product(struct imp *im)
{
	return im->last == NULL || strcmp(rec_value(im->arena, &im->rec,
	    im->col[C_PRODUCT_CODE], C_PRODUCT_CODE),
	    im->last->v[C_PRODUCT_CODE]) != 0;
}

/* The chunk is full: end it before the record at hand, between two
 * products unless one product has very many rows. */
static int
chunk_full(struct imp *im)
{
	if (im->chunk_rows == 0 || im->nrows < im->chunk_rows)
		return 0;
	return im->nrows >= 8 * im->chunk_rows || next_product(im);
}

static void
at_end(struct imp *im)
{
	if (im->header_bad)
		return;
	if (!im->header && im->nerrs == 0) {
		import_error(im, im->kind == KIND_XLSX ? 0 : 1, -1,
		    im->kind == KIND_XLSX ? "第一个工作表是空的，第一行应为表头" :
		    "文件是空的，第一行应为表头");
		im->header_bad = 1;
	} else if (im->header && im->rep->rows == 0 && im->nerrs == 0)
		import_error(im, im->header_line, -1, "只有表头，没有数据行");
}

/* The header, once the first row with text in it comes. */
static int
header_row(struct imp *im)
{
	if (im->kind == KIND_XLSX && blank_record(&im->rec))
		return 0;		/* empty rows above the header */
	im->header = 1;
	im->header_line = im->rec.line;
	if (read_header(im) == -1)
		im->header_bad = 1;
	else if (im->kind == KIND_XLSX)
		im->xlsx.width = im->nhead;
	return 0;
}

/*
 * The next chunk of rows into im->rows: up to im->chunk_rows (0: the
 * rest of the file) at a product's end. Counts and checks the rows'
 * shape; the number of rows taken, 0 at the end of the file.
 */
int
import_read_chunk(struct imp *im)
{
	struct import_report	*rep = im->rep;

	im->nchunk++;
	while (!im->header_bad && !im->too_many) {
		if (!im->pending && src_next(im) == 0) {
			at_end(im);
			break;
		}
		im->pending = 0;
		if (!im->header) {
			header_row(im);
			continue;
		}
		if (blank_record(&im->rec))
			continue;
		if (chunk_full(im)) {
			im->pending = 1;
			break;
		}
		if (im->rows_max > 0 && rep->rows >= im->rows_max) {
			im->too_many = 1;
			import_error(im, im->rec.line, -1, "超过 %d 行数据，请分成"
			    "几个文件导入", im->rows_max);
			break;
		}
		rep->rows++;
		if (im->rec.wide > 0)
			import_error(im, im->rec.line, -1, "有 %d 列，表头有 %d 列",
			    im->rec.wide, im->nhead);
		else if (im->kind == KIND_CSV && im->rec.nfield != im->nhead)
			import_error(im, im->rec.line, -1, "有 %d 列，表头有 %d 列",
			    im->rec.nfield, im->nhead);
		else
			take_row(im);
	}
	release_read(im);
	return im->nrows;
}
