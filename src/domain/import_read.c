/*
 * import_read.c -- an import's first pass, without the database: the
 * file's header and rows (import.h), and the errors found in the file,
 * "第 N 行：column：reason", kept with their line and sorted by it at the
 * end, since the problems are found in two passes (here, import_check.c).
 */
#include "base/base.h"
#include "base/csv.h"
#include "domain/import.h"
#include "domain/text.h"

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

/* A problem of line (col -1: of the whole row). */
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
	if (col >= 0)
		e->text = arena_printf(im->arena, "第 %d 行：%s：%s\n", line,
		    import_columns[col].name, msg);
	else
		e->text = arena_printf(im->arena, "第 %d 行：%s\n", line, msg);
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

/* The header names the columns, then one row per SKU. */
static int
read_header(struct imp *im, struct csv *r)
{
	const char	*name;
	int		 i, k, bad = 0;

	for (k = 0; k < NCOL; k++)
		im->col[k] = -1;
	im->nhead = r->nfield;
	for (i = 0; i < r->nfield; i++) {
		name = text_trim(im->arena, r->field[i], " \t");
		for (k = 0; k < NCOL && !column_named(k, name); k++)
			;
		if (k == NCOL) {
			import_error(im, r->rec_line, -1, "第 %d 列“%s”不是已知的"
			    "列名（可用的列名见本页“文件格式”，或下载模板）",
			    i + 1, text_shown(im->arena, name, 30));
			bad = 1;
		} else if (im->col[k] != -1) {
			import_error(im, r->rec_line, k, "列重复（第 %d 列和第 %d "
			    "列）", im->col[k] + 1, i + 1);
			bad = 1;
		} else
			im->col[k] = i;
	}
	for (k = 0; k < NCOL; k++)
		if ((import_columns[k].flags & COL_REQUIRED) &&
		    im->col[k] == -1) {
			import_error(im, r->rec_line, k, "缺少这一必需的列");
			bad = 1;
		}
	return bad ? -1 : 0;
}

static int
blank_record(const struct csv *r)
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

/* One record into a struct row: cells trimmed and unguarded, all in one
 * copy of the record (rows are many: one allocation each). */
static void
take_row(struct imp *im, const struct csv *r)
{
	struct row	*rw;
	char		*data;
	int		 k;

	rw = arena_calloc(im->arena, 1, sizeof(*rw));
	rw->line = r->rec_line;
	data = arena_alloc(im->arena, r->data.len);
	memcpy(data, r->data.p, r->data.len);
	for (k = 0; k < NCOL; k++) {
		if (im->col[k] == -1)
			continue;
		rw->v[k] = trim_in_place(data + (r->field[im->col[k]] -
		    r->data.p), k == C_DESCRIPTION ? " \t\r\n" : " \t");
		if (import_columns[k].flags & COL_TEXT)
			rw->v[k] = csv_unguard(rw->v[k]);
	}
	*im->rows_tail = rw;
	im->rows_tail = &rw->next;
}

/* The first pass, without the database: the file's shape. */
void
import_read_rows(struct imp *im)
{
	struct csv	r;
	int		rc, header = 1;

	csv_init(&r, im->data, im->len);
	while ((rc = csv_next(&r)) != 0) {
		if (rc == -1) {
			import_error(im, r.err_line, -1, "%s", r.error);
			if (!header)
				continue;
			im->header_bad = 1;
			break;
		}
		if (header) {
			im->header_bad = read_header(im, &r) == -1;
			if (im->header_bad)
				break;
			header = 0;
			continue;
		}
		if (blank_record(&r))
			continue;
		if (++im->rep->rows > IMPORT_ROWS_MAX) {
			im->rep->rows--;
			im->too_many = 1;
			import_error(im, r.rec_line, -1, "超过 %d 行数据，请分成"
			    "几个文件导入", IMPORT_ROWS_MAX);
			break;
		}
		if (r.nfield != im->nhead)
			import_error(im, r.rec_line, -1, "有 %d 列，表头有 %d 列",
			    r.nfield, im->nhead);
		else
			take_row(im, &r);
	}
	if (header && im->nerrs == 0) {
		import_error(im, 1, -1, "文件是空的，第一行应为表头");
		im->header_bad = 1;
	} else if (!header && im->rep->rows == 0 && im->nerrs == 0)
		import_error(im, 1, -1, "只有表头，没有数据行");
	csv_free(&r);
}
