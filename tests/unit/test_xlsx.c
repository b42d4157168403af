/* test_xlsx.c -- the .xlsx reader: numbers as Excel shows them, shared
 * and inline strings, sparse rows, the first visible worksheet found
 * through the workbook, and every malformed or oversized file ending in
 * a message, never a crash. The files are zipped here with libzip. */
#include "base/base.h"
#include "base/xlsx.h"

#include <setjmp.h>
#include <cmocka.h>

#include <zip.h>

#define NS	"xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/" \
		"2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/" \
		"officeDocument/2006/relationships\""
#define RELNS	"xmlns=\"http://schemas.openxmlformats.org/package/2006/" \
		"relationships\""
#define RT	"http://schemas.openxmlformats.org/officeDocument/2006/" \
		"relationships/"

static const char content_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
    "content-types\"><Default Extension=\"xml\" ContentType=\"application/"
    "xml\"/></Types>";
static const char pkg_rels[] =
    "<?xml version=\"1.0\"?><Relationships " RELNS "><Relationship Id=\"rId1\" "
    "Type=\"" RT "officeDocument\" Target=\"xl/workbook.xml\"/>"
    "</Relationships>";
/* Two sheets; the first tab is sheet2.xml, as after reordering tabs. */
static const char book[] =
    "<?xml version=\"1.0\"?><workbook " NS "><sheets>"
    "<sheet name=\"商品\" sheetId=\"2\" r:id=\"rId2\"/>"
    "<sheet name=\"说明\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char book_rels[] =
    "<?xml version=\"1.0\"?><Relationships " RELNS ">"
    "<Relationship Id=\"rId1\" Type=\"" RT "worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" RT "worksheet\" "
    "Target=\"/xl/worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" RT "sharedStrings\" "
    "Target=\"sharedStrings.xml\"/></Relationships>";
static const char strings[] =
    "<?xml version=\"1.0\"?><sst " NS " count=\"5\" uniqueCount=\"5\">"
    "<si><t>货号</t></si><si><t>商品名称</t></si><si><t>条码</t></si>"
    "<si><r><rPr><b/></rPr><t>西湖</t></r><r><t xml:space=\"preserve\">"
    "龙井 </t></r><rPh sb=\"0\" eb=\"1\"><t>xihu</t></rPh></si>"
    "<si><t>第一行_x000D_\n第二行</t></si></sst>";
static const char ignored[] =
    "<?xml version=\"1.0\"?><worksheet " NS "><sheetData><row r=\"1\">"
    "<c r=\"A1\" t=\"inlineStr\"><is><t>不要读我</t></is></c></row>"
    "</sheetData></worksheet>";
static const char sheet[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<worksheet " NS "><dimension ref=\"A1:E5\"/><sheetData>"
    "<row r=\"1\" spans=\"1:3\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
    "<c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>T-1</t></is></c>"
    "<c r=\"B2\" t=\"s\"><v>3</v></c><c r=\"C2\" s=\"1\"><v>6901234567890"
    "</v></c></row>"
    /* Row 3 left out; row 4 only styled: empty. */
    "<row r=\"4\"><c r=\"A4\" s=\"2\"/><c r=\"B4\" s=\"2\"/></row>"
    /* Sparse: A and C only; numbers with floating-point noise. */
    "<row r=\"5\"><c r=\"A5\"><v>12.500000000000002</v></c>"
    "<c r=\"C5\"><f>A5*2</f><v>0.30000000000000004</v></c></row>"
    "<row r=\"6\"><c r=\"B6\" t=\"s\"><v>4</v></c><c r=\"C6\" t=\"b\">"
    "<v>1</v></c><c r=\"D6\" t=\"e\"><v>#N/A</v></c><c r=\"E6\" t=\"str\">"
    "<f>A1&amp;\"x\"</f><v>货号x</v></c></row>"
    /* No r attributes: the next row, the next column. */
    "<row><c><v>45292</v></c><c t=\"inlineStr\"><is><r><t>A</t></r>"
    "<r><t>&amp;B</t></r></is></c><c t=\"d\"><v>2024-01-01T00:00:00</v>"
    "</c><c t=\"s\"/><c t=\"n\"><v>1e400</v></c></row>"
    "</sheetData><mergeCells count=\"0\"/></worksheet>";

/* A zip of name/content pairs (NULL-terminated), in a malloc'ed buffer. */
static char *
zip_build(size_t *len, const char *const *parts)
{
	zip_source_t	*src, *zs;
	zip_error_t	 ze;
	zip_t		*za;
	zip_stat_t	 st;
	char		*out;
	int		 i;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	for (i = 0; parts[i] != NULL; i += 2) {
		zs = zip_source_buffer(za, parts[i + 1], strlen(parts[i + 1]),
		    0);
		assert_non_null(zs);
		assert_true(zip_file_add(za, parts[i], zs,
		    ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_stat(src, &st), 0);
	out = xmalloc(st.size + 1);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_read(src, out, st.size), st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	*len = st.size;
	return out;
}

/* The usual package around one sheet (as sheet2.xml) and strings. */
static char *
workbook(size_t *len, const char *sheet_xml, const char *strings_xml)
{
	const char	*parts[] = {
		"[Content_Types].xml", content_types,
		"_rels/.rels", pkg_rels,
		"xl/workbook.xml", book,
		"xl/_rels/workbook.xml.rels", book_rels,
		"xl/worksheets/sheet1.xml", ignored,
		"xl/worksheets/sheet2.xml", sheet_xml,
		strings_xml ? "xl/sharedStrings.xml" : NULL, strings_xml,
		NULL
	};

	return zip_build(len, parts);
}

static const struct xlsx_limits roomy = { 1024 * 1024, 0 };

static void
expect_row(struct xlsx *x, int row, int n, ...)
{
	va_list	ap;
	int	i;

	assert_int_equal(xlsx_next(x), 1);
	assert_int_equal(x->row, row);
	assert_int_equal(x->nfield, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(x->field[i], va_arg(ap, const char *));
	va_end(ap);
}

static void
test_numbers_as_excel_shows_them(void **state)
{
	static const char *cases[][2] = {
		{ "12.5", "12.5" }, { "12.500000000000002", "12.5" },
		{ "6901234567890", "6901234567890" },
		{ "6.90123456789E+12", "6901234567890" },
		{ "0.30000000000000004", "0.3" }, { "100", "100" },
		{ "1E-3", "0.001" }, { "-3.25", "-3.25" }, { "0", "0" },
		{ "-0", "0" }, { "45292", "45292" },
		{ "690123456789012345", "690123456789012000" },
		{ "1.23456789012345678", "1.23456789012346" },
		{ "99999999999999999", "100000000000000000" },
		{ "0.000012345", "0.000012345" },
		{ "1E+21", "1E+21" }, { "-2.5E-25", "-2.5E-25" },
	};
	char	out[64];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(xlsx_number(cases[i][0], out, sizeof(out)), 0);
		assert_string_equal(out, cases[i][1]);
	}
	assert_int_equal(xlsx_number("", out, sizeof(out)), -1);
	assert_int_equal(xlsx_number("12abc", out, sizeof(out)), -1);
	assert_int_equal(xlsx_number("inf", out, sizeof(out)), -1);
	assert_int_equal(xlsx_number("1e999", out, sizeof(out)), -1);
}

static void
test_first_sheet_strings_and_sparse_rows(void **state)
{
	struct xlsx	 x;
	size_t		 len;
	char		*z = workbook(&len, sheet, strings);

	assert_true(xlsx_is_zip(z, len));
	assert_int_equal(xlsx_open(&x, z, len, &roomy), 0);
	assert_string_equal(x.sheet, "商品");
	expect_row(&x, 1, 3, "货号", "商品名称", "条码");
	expect_row(&x, 2, 3, "T-1", "西湖龙井 ", "6901234567890");
	expect_row(&x, 4, 0);
	expect_row(&x, 5, 3, "12.5", "", "0.3");
	expect_row(&x, 6, 5, "", "第一行\r\n第二行", "1", "#N/A", "货号x");
	/* Dates as Excel writes them; an empty shared string; a number
	 * beyond a double kept as written. */
	expect_row(&x, 7, 5, "45292", "A&B", "2024-01-01T00:00:00", "",
	    "1e400");
	assert_int_equal(xlsx_next(&x), 0);
	assert_int_equal(xlsx_next(&x), 0);
	xlsx_close(&x);
	free(z);
}

static void
test_width_keeps_cells_and_names_the_widest(void **state)
{
	static const char wide[] =
	    "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v>"
	    "</c><c r=\"B1\"><v>2</v></c><c r=\"XFD1\" t=\"inlineStr\"><is>"
	    "<t>far</t></is></c></row><row r=\"2\"><c r=\"A2\"><v>3</v></c>"
	    "<c r=\"C2\" s=\"4\"/></row></sheetData></worksheet>";
	struct xlsx	 x;
	size_t		 len;
	char		*z = workbook(&len, wide, NULL);

	assert_int_equal(xlsx_open(&x, z, len, &roomy), 0);
	x.width = 2;
	expect_row(&x, 1, 2, "1", "2");
	assert_int_equal(x.wide, XLSX_COLS_MAX);
	expect_row(&x, 2, 1, "3");		/* an empty C2 is not wide */
	assert_int_equal(x.wide, 0);
	assert_int_equal(xlsx_next(&x), 0);
	xlsx_close(&x);
	free(z);
}

/* Other generators: prefixes, the strict namespaces, no shared strings,
 * a hidden first sheet, no package relationships for the workbook. */
static void
test_prefixes_strict_and_hidden_sheets(void **state)
{
	static const char strict_book[] =
	    "<x:workbook xmlns:x=\"http://purl.oclc.org/ooxml/spreadsheetml/"
	    "main\" xmlns:rr=\"http://purl.oclc.org/ooxml/officeDocument/"
	    "relationships\"><x:sheets><x:sheet name=\"隐藏\" sheetId=\"1\" "
	    "state=\"hidden\" rr:id=\"rId1\"/><x:sheet name=\"Sheet2\" "
	    "sheetId=\"2\" rr:id=\"rId2\"/></x:sheets></x:workbook>";
	static const char strict_rels[] =
	    "<Relationships " RELNS "><Relationship Id=\"rId1\" Type=\""
	    "http://purl.oclc.org/ooxml/officeDocument/relationships/"
	    "worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship "
	    "Id=\"rId2\" Type=\"http://purl.oclc.org/ooxml/officeDocument/"
	    "relationships/worksheet\" Target=\"./worksheets/../worksheets/"
	    "sheet2.xml\"/></Relationships>";
	static const char prefixed[] =
	    "<x:worksheet xmlns:x=\"http://purl.oclc.org/ooxml/spreadsheetml/"
	    "main\"><x:sheetData><x:row r=\"3\"><x:c r=\"B3\" t=\"inlineStr\">"
	    "<x:is><x:t>ok</x:t></x:is></x:c></x:row></x:sheetData>"
	    "</x:worksheet>";
	const char	*parts[] = {
		"xl/workbook.xml", strict_book,
		"xl/_rels/workbook.xml.rels", strict_rels,
		"xl/worksheets/sheet1.xml", ignored,
		"xl/worksheets/sheet2.xml", prefixed, NULL
	};
	struct xlsx	 x;
	size_t		 len;
	char		*z = zip_build(&len, parts);

	assert_int_equal(xlsx_open(&x, z, len, &roomy), 0);
	assert_string_equal(x.sheet, "Sheet2");
	expect_row(&x, 3, 2, "", "ok");
	assert_int_equal(xlsx_next(&x), 0);
	xlsx_close(&x);
	free(z);
}

/* Open z, read rows until the end or an error; the error, or NULL. */
static char *
read_all(const char *z, size_t len, const struct xlsx_limits *lim,
    int *rows)
{
	struct xlsx	 x;
	char		*err = NULL;
	int		 rc;

	*rows = 0;
	if (xlsx_open(&x, z, len, lim) == 0) {
		while ((rc = xlsx_next(&x)) == 1)
			(*rows)++;
		if (rc == -1) {
			assert_int_equal(xlsx_next(&x), -1);	/* stays so */
			err = xstrdup(x.error);
		}
	} else
		err = xstrdup(x.error);
	xlsx_close(&x);
	return err;
}

static void
expect_error(const char *z, size_t len, const char *lim_msg, int rows_ok)
{
	char	*err;
	int	 rows;

	err = read_all(z, len, &roomy, &rows);
	assert_non_null(err);
	if (strstr(err, lim_msg) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, lim_msg);
	assert_int_equal(rows, rows_ok);
	free(err);
}

static void
test_malformed_files_fail_with_a_message(void **state)
{
	static const char broken[] =
	    "<worksheet " NS "><sheetData><row r=\"1\"><c><v>1</v></c></row>"
	    "<row r=\"2\"><c><v>2</v></row></sheetData></worksheet>";
	static const char bad_index[] =
	    "<worksheet " NS "><sheetData><row><c t=\"s\"><v>99</v></c></row>"
	    "</sheetData></worksheet>";
	static const char dtd[] =
	    "<!DOCTYPE lol [<!ENTITY a \"aaaaaaaaaa\">]><worksheet " NS ">"
	    "<sheetData><row><c t=\"inlineStr\"><is><t>&a;</t></is></c></row>"
	    "</sheetData></worksheet>";
	static const char backwards[] =
	    "<worksheet " NS "><sheetData><row r=\"5\"/><row r=\"4\"/>"
	    "</sheetData></worksheet>";
	static const char bad_ref[] =
	    "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"B1\"><v>1</v>"
	    "</c><c r=\"A1\"><v>2</v></c></row></sheetData></worksheet>";
	const char	*no_book[] = { "hello.txt", "hi", NULL };
	const char	*no_sheet[] = { "xl/workbook.xml", book, NULL };
	size_t		 len, i;
	char		*z;

	expect_error("a,b\r\n", 5, "不是有效的 Excel 文件（不是 zip", 0);
	expect_error("PK\3\4garbage", 11, "不是有效的 Excel 文件（文件损坏", 0);
	z = zip_build(&len, no_book);
	expect_error(z, len, "找不到工作簿", 0);
	free(z);
	z = zip_build(&len, no_sheet);
	expect_error(z, len, "没有工作表", 0);
	free(z);
	z = workbook(&len, broken, NULL);
	expect_error(z, len, "工作表第 2 行附近的 XML 有误", 1);
	free(z);
	z = workbook(&len, bad_index, strings);
	expect_error(z, len, "不存在的共享字符串", 0);
	free(z);
	z = workbook(&len, dtd, NULL);
	expect_error(z, len, "DTD", 0);
	free(z);
	z = workbook(&len, backwards, NULL);
	expect_error(z, len, "行号顺序有误", 1);
	free(z);
	z = workbook(&len, bad_ref, NULL);
	expect_error(z, len, "单元格位置有误", 0);
	free(z);
	/* Cut short anywhere: a message, never a crash (valgrind reads it). */
	z = workbook(&len, sheet, strings);
	for (i = 0; i < len; i += 97) {
		char	*err;
		int	 rows;

		err = read_all(z, i, &roomy, &rows);
		assert_non_null(err);
		free(err);
	}
	free(z);
}

/* Unpacked bytes and cells are limited, whatever the zip declares. */
static void
test_limits(void **state)
{
	struct xlsx_limits	 small = { 256 * 1024, 0 };
	struct xlsx_limits	 few = { 1 << 20, 3 };
	struct buf		 b;
	size_t			 len;
	char			*z, *err;
	int			 i, rows;

	buf_init(&b, 1 << 20);
	buf_adds(&b, "<worksheet " NS "><sheetData>");
	for (i = 1; i <= 20000; i++)
		buf_printf(&b, "<row r=\"%d\"><c><v>%d</v></c></row>", i, i);
	buf_adds(&b, "</sheetData></worksheet>");
	z = workbook(&len, buf_cstr(&b), NULL);
	assert_true(len < small.max_bytes);	/* a small file ... */
	err = read_all(z, len, &small, &rows);	/* ... unpacking to more */
	assert_non_null(err);
	assert_non_null(strstr(err, "解压后超过"));
	assert_true(rows < 20000);
	free(err);
	err = read_all(z, len, &few, &rows);
	assert_non_null(err);
	assert_non_null(strstr(err, "单元格太多（超过 3 个）"));
	assert_int_equal(rows, 3);
	free(err);
	err = read_all(z, len, &roomy, &rows);
	assert_null(err);
	assert_int_equal(rows, 20000);
	free(z);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_as_excel_shows_them),
		cmocka_unit_test(test_first_sheet_strings_and_sparse_rows),
		cmocka_unit_test(test_width_keeps_cells_and_names_the_widest),
		cmocka_unit_test(test_prefixes_strict_and_hidden_sheets),
		cmocka_unit_test(test_malformed_files_fail_with_a_message),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
