/*
 * xlsx.c -- the first worksheet of an .xlsx file (Office Open XML), row
 * by row, from bytes in memory. The package's relationships lead to the
 * workbook, the workbook to its first visible worksheet and its shared
 * strings; the sheet is streamed through expat, which is suspended after
 * each row, so a big sheet never sits in memory unpacked. Everything
 * unpacked counts against a limit (zip bombs); anything malformed ends
 * in a Chinese message, never a crash. The caller owns struct xlsx and
 * frees it with xlsx_close(); row data is the reader's.
 */
#include "base/base.h"
#include "base/xlsx.h"

#include <math.h>

#include <expat.h>
#include <zip.h>

#define READ_CHUNK	(64 * 1024)	/* bytes unpacked per expat call */
#define CELL_MAX	(32767 * 4)	/* 32,767 characters, as UTF-8 */
#define BAD		"不是有效的 Excel 文件"
#define NS_SEP		'|'		/* expat: "namespace|local" */

enum mode { M_RELS, M_BOOK, M_STRINGS, M_SHEET };

/* One part (a zip entry) being parsed. */
struct part {
	zip_file_t	*zf;
	XML_Parser	 xp;
	const char	*label;		/* for messages: 工作表, 工作簿, … */
	int		 final;		/* its last bytes went to expat */
	int		 suspended;
	int		 done;
	char		 buf[READ_CHUNK];
};

struct rel {
	char		*id;
	char		*type;
	char		*target;
};

struct sheet {
	char		*name;
	char		*rid;
	int		 hidden;
};

struct xlsx_in {
	struct xlsx	*x;
	zip_t		*za;
	size_t		 left;		/* bytes still allowed to unpack */
	size_t		 max_bytes;
	size_t		 max_cells;
	size_t		 cells;
	enum mode	 mode;
	XML_Parser	 xp;		/* the parser running now */
	int		 failed;	/* err says why */
	char		 err[512];

	struct rel	*rels;		/* M_RELS */
	int		 nrels;
	struct sheet	*sheets;	/* M_BOOK */
	int		 nsheets;
	int		 in_sheets;

	struct buf	 ss;		/* M_STRINGS: texts, each NUL-ended */
	size_t		*ss_off;
	size_t		 nss;
	size_t		 ss_cap;

	struct buf	 text;		/* the string or value being read */
	int		 in_text;	/* inside <t> or <v> that counts */
	int		 in_item;	/* inside <si> or a cell's <is> */
	int		 rph;		/* depth of phonetic runs: skipped */

	struct part	*sheet;		/* M_SHEET */
	int		 in_data;	/* inside <sheetData> */
	int		 in_row;
	int		 in_cell;
	int		 row_done;	/* a row ended: xlsx_next returns it */
	int		 col;		/* the last cell's column */
	char		 type[12];	/* its t attribute */
	struct buf	 data;		/* "\0", then the row's cells */
	size_t		*off;
	int		 cap;
};

static void
fail(struct xlsx_in *in, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(struct xlsx_in *in, const char *fmt, ...)
{
	va_list	ap;

	if (!in->failed) {
		va_start(ap, fmt);
		vsnprintf(in->err, sizeof(in->err), fmt, ap);
		va_end(ap);
		in->failed = 1;
	}
	if (in->xp != NULL)
		XML_StopParser(in->xp, XML_FALSE);
}

int
xlsx_is_zip(const char *p, size_t len)
{
	return len >= 4 && p[0] == 'P' && p[1] == 'K' &&
	    ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6) ||
	    (p[2] == 7 && p[3] == 8));
}

/*
 * Numbers as Excel shows them: 15 significant digits, as its formula bar
 * does, written out without an exponent (6901234567890, not 6.90123E+12;
 * 12.5, not 12.500000000000002). Beyond 1E+20 or below 1E-20 Excel's own
 * scientific form. 0 or -1 (not a number).
 */
int
xlsx_number(const char *s, char *out, size_t len)
{
	char	 e[40], dig[16], *end, *w = out, *lim = out + len - 1;
	double	 d;
	int	 exp, nd, i, neg;

	d = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(d) || len < 32)
		return -1;
	if (d == 0) {
		snprintf(out, len, "0");
		return 0;
	}
	snprintf(e, sizeof(e), "%.14e", d);	/* "-1.23450000000000e+01" */
	neg = e[0] == '-';
	dig[0] = e[neg];
	memcpy(dig + 1, e + neg + 2, 14);
	exp = (int)strtol(e + neg + 17, NULL, 10);
	for (nd = 15; nd > 1 && dig[nd - 1] == '0'; nd--)
		;
	if (neg)
		*w++ = '-';
	if (exp > 20 || exp < -20) {
		*w++ = dig[0];
		if (nd > 1)
			*w++ = '.';
		for (i = 1; i < nd; i++)
			*w++ = dig[i];
		snprintf(w, (size_t)(lim - w) + 1, "E%+03d", exp);
		return 0;
	}
	if (exp < 0) {
		*w++ = '0';
		*w++ = '.';
		for (i = -1; i > exp; i--)
			*w++ = '0';
		for (i = 0; i < nd; i++)
			*w++ = dig[i];
	} else {
		for (i = 0; i <= exp; i++)
			*w++ = i < nd ? dig[i] : '0';
		if (nd > exp + 1)
			*w++ = '.';
		for (; i < nd; i++)
			*w++ = dig[i];
	}
	*w = '\0';
	return 0;
}

/* "_x000D_" is how OOXML writes a character XML cannot hold. */
static int
hex4(const char *s, unsigned int *cp)
{
	int	i, v;

	*cp = 0;
	for (i = 0; i < 4; i++) {
		if ((v = hexval((unsigned char)s[i])) == -1)
			return 0;
		*cp = *cp * 16 + (unsigned int)v;
	}
	return 1;
}

static void
unescape_x(char *s)
{
	char		*w = s;
	unsigned int	 cp;

	while (*s != '\0') {
		if (s[0] == '_' && s[1] == 'x' && hex4(s + 2, &cp) &&
		    s[6] == '_' && cp != 0 && (cp < 0xd800 || cp > 0xdfff)) {
			if (cp < 0x80)
				*w++ = (char)cp;
			else if (cp < 0x800) {
				*w++ = (char)(0xc0 | cp >> 6);
				*w++ = (char)(0x80 | (cp & 0x3f));
			} else {
				*w++ = (char)(0xe0 | cp >> 12);
				*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
				*w++ = (char)(0x80 | (cp & 0x3f));
			}
			s += 7;
		} else
			*w++ = *s++;
	}
	*w = '\0';
}

/*
 * Names and attributes. With namespaces on, expat names an element
 * "uri|local"; the local name is all that matters here (files use either
 * the transitional or the strict namespaces, with any prefix).
 */
static const char *
local(const char *name)
{
	const char	*bar = strrchr(name, NS_SEP);

	return bar != NULL ? bar + 1 : name;
}

/* The attribute named `name`: without a namespace, or with one if ns. */
static const char *
attr(const char **atts, const char *name, int ns)
{
	int	i;

	for (i = 0; atts[i] != NULL; i += 2)
		if (strcmp(local(atts[i]), name) == 0 &&
		    (strchr(atts[i], NS_SEP) != NULL) == ns)
			return atts[i + 1];
	return NULL;
}

static int
ends_with(const char *s, const char *tail)
{
	size_t	n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/*
 * The package's relationships (_rels/.rels, xl/_rels/workbook.xml.rels).
 */

static void
rels_start(struct xlsx_in *in, const char *el, const char **atts)
{
	const char	*id, *type, *target, *mode;
	struct rel	*r;

	if (strcmp(el, "Relationship") != 0)
		return;
	id = attr(atts, "Id", 0);
	type = attr(atts, "Type", 0);
	target = attr(atts, "Target", 0);
	mode = attr(atts, "TargetMode", 0);
	if (id == NULL || type == NULL || target == NULL ||
	    (mode != NULL && strcmp(mode, "External") == 0))
		return;
	in->rels = xrealloc(in->rels, (in->nrels + 1) * sizeof(*in->rels));
	r = &in->rels[in->nrels++];
	r->id = xstrdup(id);
	r->type = xstrdup(type);
	r->target = xstrdup(target);
}

static void
rels_free(struct xlsx_in *in)
{
	int	i;

	for (i = 0; i < in->nrels; i++) {
		free(in->rels[i].id);
		free(in->rels[i].type);
		free(in->rels[i].target);
	}
	free(in->rels);
	in->rels = NULL;
	in->nrels = 0;
}

static const struct rel *
rel_by_type(const struct xlsx_in *in, const char *tail)
{
	int	i;

	for (i = 0; i < in->nrels; i++)
		if (ends_with(in->rels[i].type, tail))
			return &in->rels[i];
	return NULL;
}

static const struct rel *
rel_by_id(const struct xlsx_in *in, const char *id)
{
	int	i;

	for (i = 0; i < in->nrels; i++)
		if (strcmp(in->rels[i].id, id) == 0)
			return &in->rels[i];
	return NULL;
}

/*
 * A relationship's target as a zip entry name: relative to the folder of
 * the part whose relationship it is ("xl/"), or from the top ("/xl/...");
 * "." and ".." segments resolved, never above the top.
 */
static char *
resolve(const char *base, const char *target)
{
	struct buf	 b;
	const char	*seg, *slash;
	size_t		 n;

	buf_init(&b, 64);
	if (*target != '/' && (slash = strrchr(base, '/')) != NULL)
		buf_add(&b, base, (size_t)(slash - base));
	for (seg = target; *seg != '\0'; seg = *slash ? slash + 1 : slash) {
		if ((slash = strchr(seg, '/')) == NULL)
			slash = seg + strlen(seg);
		n = (size_t)(slash - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (b.len > 0 && b.p[b.len - 1] != '/')
				b.len--;
			if (b.len > 0)
				b.len--;
			continue;
		}
		if (b.len > 0)
			buf_addc(&b, '/');
		buf_add(&b, seg, n);
	}
	return buf_cstr(&b);		/* the caller frees it */
}

/* "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels" */
static char *
rels_name(const char *part)
{
	const char	*slash = strrchr(part, '/');
	struct buf	 b;

	buf_init(&b, 64);
	if (slash != NULL)
		buf_add(&b, part, (size_t)(slash - part + 1));
	buf_adds(&b, "_rels/");
	buf_adds(&b, slash != NULL ? slash + 1 : part);
	buf_adds(&b, ".rels");
	return buf_cstr(&b);
}

/*
 * The workbook: its sheets, in tab order.
 */

static void
book_start(struct xlsx_in *in, const char *el, const char **atts)
{
	const char	*name, *rid, *state;
	struct sheet	*s;

	if (strcmp(el, "sheets") == 0) {
		in->in_sheets = 1;
		return;
	}
	if (!in->in_sheets || strcmp(el, "sheet") != 0)
		return;
	name = attr(atts, "name", 0);
	rid = attr(atts, "id", 1);
	state = attr(atts, "state", 0);
	if (rid == NULL)
		return;
	in->sheets = xrealloc(in->sheets, (in->nsheets + 1) *
	    sizeof(*in->sheets));
	s = &in->sheets[in->nsheets++];
	s->name = xstrdup(name != NULL ? name : "");
	s->rid = xstrdup(rid);
	s->hidden = state != NULL && strcmp(state, "visible") != 0;
}

/*
 * Text: a shared string is the text of its <t> elements, directly or in
 * rich-text runs <r>, but not of phonetic runs <rPh>; a cell's value is
 * the text of its <v>, or of its inline string <is>.
 */
static void
text_start(struct xlsx_in *in, const char *el)
{
	if (strcmp(el, "rPh") == 0)
		in->rph++;
	else if (strcmp(el, "t") == 0 && in->in_item && in->rph == 0)
		in->in_text = 1;
}

static void
text_end(struct xlsx_in *in, const char *el)
{
	if (strcmp(el, "rPh") == 0 && in->rph > 0)
		in->rph--;
	else if (strcmp(el, "t") == 0 || strcmp(el, "v") == 0)
		in->in_text = 0;
}

static void
strings_end(struct xlsx_in *in, const char *el)
{
	char	*s;

	if (strcmp(el, "si") != 0) {
		text_end(in, el);
		return;
	}
	in->in_item = 0;
	s = buf_cstr(&in->text);
	unescape_x(s);
	if (in->nss == in->ss_cap) {
		in->ss_cap = in->ss_cap ? in->ss_cap * 2 : 1024;
		in->ss_off = xrealloc(in->ss_off, in->ss_cap *
		    sizeof(*in->ss_off));
	}
	in->ss_off[in->nss++] = in->ss.len;
	buf_add(&in->ss, s, strlen(s) + 1);
}

/*
 * The sheet: <sheetData> holds <row r="5"> elements, each with cells
 * <c r="C5" t="s"><v>3</v></c>; empty rows and cells are left out.
 */

/* "C5" -> 3; 0 if it is not a cell reference. */
static int
ref_column(const char *ref)
{
	int	col = 0, n = 0;

	for (; *ref >= 'A' && *ref <= 'Z' && n < 4; ref++, n++)
		col = col * 26 + (*ref - 'A' + 1);
	if (n == 0 || n > 3 || col > XLSX_COLS_MAX ||
	    strspn(ref, "0123456789") != strlen(ref) || *ref == '\0')
		return 0;
	return col;
}

static void
row_start(struct xlsx_in *in, const char **atts)
{
	struct xlsx	*x = in->x;
	const char	*r = attr(atts, "r", 0), *err;
	int64_t		 n;

	n = x->row + 1;
	if (r != NULL && parse_i64(r, 1, XLSX_ROWS_MAX, &n, &err) == -1) {
		fail(in, BAD "（工作表中的行号“%.20s”有误）", r);
		return;
	}
	if (n <= x->row || n > XLSX_ROWS_MAX) {
		fail(in, BAD "（工作表第 %d 行之后的行号顺序有误）", x->row);
		return;
	}
	x->row = (int)n;
	x->nfield = 0;
	x->wide = 0;
	in->col = 0;
	in->data.len = 0;
	buf_addc(&in->data, '\0');	/* empty cells point here */
	in->in_row = 1;
}

static void
cell_start(struct xlsx_in *in, const char **atts)
{
	const char	*r = attr(atts, "r", 0), *t = attr(atts, "t", 0);
	int		 col;

	if (in->max_cells != 0 && ++in->cells > in->max_cells) {
		fail(in, "Excel 文件的单元格太多（超过 %zu 个），请分成几个文件"
		    "导入", in->max_cells);
		return;
	}
	col = r != NULL ? ref_column(r) : in->col + 1;
	if (col == 0 || col <= in->col || col > XLSX_COLS_MAX) {
		fail(in, BAD "（第 %d 行的单元格位置有误）", in->x->row);
		return;
	}
	in->col = col;
	snprintf(in->type, sizeof(in->type), "%s", t != NULL ? t : "n");
	in->text.len = 0;
	in->in_cell = 1;
}

/* The cell's text as Excel shows it; NULL (after fail) if it is bad. */
static const char *
cell_text(struct xlsx_in *in, char *num, size_t numlen)
{
	char		*s = buf_cstr(&in->text);
	const char	*err;
	int64_t		 i;

	if (strcmp(in->type, "s") == 0) {
		if (*s == '\0')
			return "";
		if (parse_i64(s, 0, (int64_t)in->nss - 1, &i, &err) == -1) {
			fail(in, BAD "（第 %d 行的单元格引用了不存在的共享"
			    "字符串）", in->x->row);
			return NULL;
		}
		return in->ss.p + in->ss_off[i];
	}
	if (strcmp(in->type, "inlineStr") == 0 ||
	    strcmp(in->type, "str") == 0) {
		unescape_x(s);
		return s;
	}
	/* b (1 or 0), e (#N/A), d (an ISO date): their text as it is. */
	if (strcmp(in->type, "n") == 0 && xlsx_number(s, num, numlen) == 0)
		return num;
	return s;
}

static void
field_add(struct xlsx_in *in, int col, const char *s)
{
	struct xlsx	*x = in->x;

	if (col > in->cap) {
		in->cap = col > 2 * in->cap ? col : 2 * in->cap;
		in->off = xrealloc(in->off, in->cap * sizeof(*in->off));
		x->field = xrealloc(x->field, in->cap * sizeof(*x->field));
	}
	while (x->nfield < col - 1)
		in->off[x->nfield++] = 0;
	in->off[x->nfield++] = in->data.len;
	buf_add(&in->data, s, strlen(s) + 1);
}

static void
cell_end(struct xlsx_in *in)
{
	const char	*s;
	char		 num[64];

	in->in_cell = in->in_item = in->in_text = 0;
	in->rph = 0;
	if ((s = cell_text(in, num, sizeof(num))) == NULL || *s == '\0')
		return;
	if (in->col > in->x->width) {
		in->x->wide = in->col;
		return;
	}
	field_add(in, in->col, s);
}

static void
row_end(struct xlsx_in *in)
{
	struct xlsx	*x = in->x;
	int		 i;

	for (i = 0; i < x->nfield; i++)
		x->field[i] = in->data.p + in->off[i];
	x->data = in->data.p;
	x->len = in->data.len;
	in->in_row = 0;
	in->row_done = 1;
	XML_StopParser(in->xp, XML_TRUE);	/* xlsx_next returns it */
}

static void
sheet_start(struct xlsx_in *in, const char *el, const char **atts)
{
	if (strcmp(el, "sheetData") == 0)
		in->in_data = 1;
	else if (!in->in_data)
		return;
	else if (strcmp(el, "row") == 0 && !in->in_row)
		row_start(in, atts);
	else if (strcmp(el, "c") == 0 && in->in_row && !in->in_cell)
		cell_start(in, atts);
	else if (!in->in_cell)
		return;
	else if (strcmp(el, "v") == 0)
		in->in_text = 1;
	else if (strcmp(el, "is") == 0)
		in->in_item = 1;
	else
		text_start(in, el);
}

static void
sheet_end(struct xlsx_in *in, const char *el)
{
	if (strcmp(el, "sheetData") == 0)
		in->in_data = 0;
	else if (strcmp(el, "c") == 0 && in->in_cell)
		cell_end(in);
	else if (strcmp(el, "row") == 0 && in->in_row)
		row_end(in);
	else if (strcmp(el, "is") == 0)
		in->in_item = 0;
	else
		text_end(in, el);
}

/*
 * expat's handlers, one set for every part: in->mode says which.
 */

static void
on_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx_in	*in = arg;
	const char	*el = local(name);

	if (in->failed)
		return;
	switch (in->mode) {
	case M_RELS:
		rels_start(in, el, atts);
		break;
	case M_BOOK:
		book_start(in, el, atts);
		break;
	case M_STRINGS:
		if (strcmp(el, "si") == 0) {
			in->in_item = 1;
			in->text.len = 0;
			in->rph = 0;
		} else
			text_start(in, el);
		break;
	case M_SHEET:
		sheet_start(in, el, atts);
		break;
	}
}

static void
on_end(void *arg, const XML_Char *name)
{
	struct xlsx_in	*in = arg;
	const char	*el = local(name);

	if (in->failed)
		return;
	if (in->mode == M_BOOK && strcmp(el, "sheets") == 0)
		in->in_sheets = 0;
	else if (in->mode == M_STRINGS)
		strings_end(in, el);
	else if (in->mode == M_SHEET)
		sheet_end(in, el);
}

static void
on_text(void *arg, const XML_Char *s, int len)
{
	struct xlsx_in	*in = arg;

	if (in->failed || !in->in_text)
		return;
	if (in->text.len + (size_t)len > CELL_MAX) {
		fail(in, BAD "（单元格内容超过 32767 个字符）");
		return;
	}
	buf_add(&in->text, s, (size_t)len);
}

/* No OOXML part has a DTD: one that does is not a spreadsheet. */
static void
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int internal)
{
	fail(arg, BAD "（XML 中含有 DTD）");
}

static void
on_entity(void *arg, const XML_Char *name, int param, const XML_Char *value,
    int len, const XML_Char *base, const XML_Char *sysid,
    const XML_Char *pubid, const XML_Char *notation)
{
	fail(arg, BAD "（XML 中含有实体声明）");
}

/*
 * Parts: open one zip entry and feed it to a fresh parser, a chunk at a
 * time, counting what is unpacked.
 */

static const char *
zip_why(zip_error_t *ze)
{
	switch (zip_error_code_zip(ze)) {
	case ZIP_ER_NOPASSWD:
	case ZIP_ER_WRONGPASSWD:
	case ZIP_ER_ENCRNOTSUPP:
		return "文件有密码保护，请去掉密码后再导入";
	case ZIP_ER_COMPNOTSUPP:
		return "压缩方式不受支持，请用 Excel 重新另存为 .xlsx";
	default:
		return "文件损坏或不完整";
	}
}

static void
too_big(struct xlsx_in *in)
{
	fail(in, "Excel 文件解压后超过 %zu MB，未导入（文件异常或内容太多，"
	    "请分成几个文件导入）", in->max_bytes / (1024 * 1024));
}

/* 1: open, 0: the zip has no such entry, -1: failed (in->err). */
static int
part_open(struct xlsx_in *in, struct part *pt, const char *name,
    const char *label, enum mode mode)
{
	zip_int64_t	 idx;
	zip_stat_t	 st;

	memset(pt, 0, sizeof(*pt));
	pt->label = label;
	if ((idx = zip_name_locate(in->za, name, ZIP_FL_NOCASE)) < 0)
		return 0;
	if (zip_stat_index(in->za, (zip_uint64_t)idx, 0, &st) == 0 &&
	    (st.valid & ZIP_STAT_SIZE) && st.size > in->left) {
		too_big(in);
		return -1;
	}
	if ((pt->zf = zip_fopen_index(in->za, (zip_uint64_t)idx, 0)) == NULL) {
		fail(in, BAD "（%s：%s）", label, zip_why(zip_get_error(
		    in->za)));
		return -1;
	}
	if ((pt->xp = XML_ParserCreateNS(NULL, NS_SEP)) == NULL)
		fatalx("xlsx: out of memory");
	XML_SetUserData(pt->xp, in);
	XML_SetElementHandler(pt->xp, on_start, on_end);
	XML_SetCharacterDataHandler(pt->xp, on_text);
	XML_SetStartDoctypeDeclHandler(pt->xp, on_doctype);
	XML_SetEntityDeclHandler(pt->xp, on_entity);
	in->xp = pt->xp;
	in->mode = mode;
	in->text.len = 0;
	in->in_text = in->in_item = in->rph = 0;
	return 1;
}

static void
part_close(struct xlsx_in *in, struct part *pt)
{
	if (pt->xp != NULL)
		XML_ParserFree(pt->xp);
	if (pt->zf != NULL)
		zip_fclose(pt->zf);
	if (in->xp == pt->xp)
		in->xp = NULL;
	pt->xp = NULL;
	pt->zf = NULL;
}

static void
xml_failed(struct xlsx_in *in, struct part *pt)
{
	enum XML_Error	e = XML_GetErrorCode(pt->xp);

	if (in->failed)
		return;
	if (in->mode == M_SHEET && in->x->row > 0)
		fail(in, BAD "（工作表第 %d 行附近的 XML 有误：%s）",
		    in->x->row, XML_ErrorString(e));
	else
		fail(in, BAD "（%s的 XML 有误：%s）", pt->label,
		    XML_ErrorString(e));
}

/* Unpack and parse the next chunk, or go on after a row: 1 more to come,
 * 0 the part is done, -1 failed. */
static int
part_step(struct xlsx_in *in, struct part *pt)
{
	enum XML_Status	 st;
	zip_int64_t	 n;
	size_t		 want;

	if (pt->done)
		return 0;
	if (pt->suspended)
		st = XML_ResumeParser(pt->xp);
	else {
		want = in->left < sizeof(pt->buf) ? in->left + 1 :
		    sizeof(pt->buf);
		if ((n = zip_fread(pt->zf, pt->buf, want)) < 0) {
			fail(in, BAD "（%s：%s）", pt->label,
			    zip_why(zip_file_get_error(pt->zf)));
			return -1;
		}
		if ((size_t)n > in->left) {
			too_big(in);
			return -1;
		}
		in->left -= (size_t)n;
		pt->final = n == 0;
		st = XML_Parse(pt->xp, pt->buf, (int)n, pt->final);
	}
	pt->suspended = st == XML_STATUS_SUSPENDED;
	if (st == XML_STATUS_ERROR || in->failed) {
		xml_failed(in, pt);
		return -1;
	}
	if (st == XML_STATUS_OK && pt->final) {
		pt->done = 1;
		return 0;
	}
	return 1;
}

/* A whole small part. 1 read, 0 absent, -1 failed. */
static int
part_read(struct xlsx_in *in, const char *name, const char *label,
    enum mode mode)
{
	struct part	*pt = xmalloc(sizeof(*pt));
	int		 rc;

	if ((rc = part_open(in, pt, name, label, mode)) == 1) {
		while ((rc = part_step(in, pt)) == 1)
			;
		rc = rc == 0 ? 1 : -1;
	}
	part_close(in, pt);
	free(pt);
	return rc;
}

/*
 * Opening: package relationships -> workbook -> its relationships ->
 * shared strings and the first visible worksheet.
 */

static int
not_a_workbook(struct xlsx_in *in)
{
	if (zip_name_locate(in->za, "xl/workbook.bin", ZIP_FL_NOCASE) >= 0)
		fail(in, "是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 "
		    ".xlsx 或 CSV");
	else if (zip_name_locate(in->za, "content.xml", 0) >= 0)
		fail(in, "是 OpenDocument 表格（.ods），请另存为 .xlsx 或 CSV");
	else
		fail(in, BAD "（找不到工作簿，请用 Excel 另存为 .xlsx）");
	return -1;
}

/* The workbook's part name, e.g. "xl/workbook.xml"; the caller frees. */
static char *
find_workbook(struct xlsx_in *in)
{
	const struct rel	*r;
	char			*name = NULL;

	if (part_read(in, "_rels/.rels", "包关系", M_RELS) == -1)
		return NULL;
	if ((r = rel_by_type(in, "/officeDocument")) != NULL)
		name = resolve("", r->target);
	rels_free(in);
	if (name == NULL || zip_name_locate(in->za, name, ZIP_FL_NOCASE) < 0) {
		free(name);
		name = xstrdup("xl/workbook.xml");
	}
	return name;
}

/* The first visible worksheet (hidden ones and chart sheets skipped). */
static const struct rel *
first_sheet(struct xlsx_in *in, int *which)
{
	const struct rel	*r;
	int			 i, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < in->nsheets; i++) {
			if (pass == 0 && in->sheets[i].hidden)
				continue;
			r = rel_by_id(in, in->sheets[i].rid);
			if (r != NULL && ends_with(r->type, "/worksheet")) {
				*which = i;
				return r;
			}
		}
	return NULL;
}

static int
open_sheet(struct xlsx_in *in, const char *book)
{
	const struct rel	*r;
	char			*rels = rels_name(book), *name;
	int			 rc, which;

	if ((rc = part_read(in, book, "工作簿", M_BOOK)) == 0)
		rc = not_a_workbook(in);
	else if (rc == 1)
		rc = part_read(in, rels, "工作簿关系", M_RELS);
	free(rels);
	if (rc == -1)
		return -1;
	if ((r = rel_by_type(in, "/sharedStrings")) != NULL) {
		name = resolve(book, r->target);
		rc = part_read(in, name, "共享字符串", M_STRINGS);
		free(name);
		if (rc == -1)
			return -1;
	}
	if ((r = first_sheet(in, &which)) == NULL) {
		fail(in, BAD "（工作簿中没有工作表）");
		return -1;
	}
	in->x->sheet = in->sheets[which].name;
	name = resolve(book, r->target);
	in->sheet = xmalloc(sizeof(*in->sheet));
	rc = part_open(in, in->sheet, name, "工作表", M_SHEET);
	free(name);
	if (rc == 0)
		fail(in, BAD "（找不到工作表“%.60s”）", in->x->sheet);
	return rc == 1 ? 0 : -1;
}

/*
 * Open data (len bytes, kept by the caller until xlsx_close) and its
 * first worksheet. 0, or -1 with x->error; xlsx_close() either way.
 */
int
xlsx_open(struct xlsx *x, const char *data, size_t len,
    const struct xlsx_limits *lim)
{
	struct xlsx_in	*in;
	zip_source_t	*src;
	zip_error_t	 ze;
	char		*book;
	int		 rc = -1;

	memset(x, 0, sizeof(*x));
	x->width = XLSX_COLS_MAX;
	x->sheet = "";
	x->in = in = xcalloc(1, sizeof(*in));
	in->x = x;
	in->left = in->max_bytes = lim->max_bytes;
	in->max_cells = lim->max_cells;
	buf_init(&in->ss, 1024);
	buf_init(&in->text, 256);
	buf_init(&in->data, 1024);
	zip_error_init(&ze);
	if (!xlsx_is_zip(data, len))
		fail(in, BAD "（不是 zip 格式）");
	else if ((src = zip_source_buffer_create(data, len, 0, &ze)) == NULL)
		fatalx("xlsx: out of memory");
	else if ((in->za = zip_open_from_source(src, ZIP_RDONLY, &ze)) ==
	    NULL) {
		zip_source_free(src);
		fail(in, BAD "（%s）", zip_why(&ze));
	} else if ((book = find_workbook(in)) != NULL) {
		rc = open_sheet(in, book);
		free(book);
	}
	zip_error_fini(&ze);
	rels_free(in);
	if (rc == -1)
		x->error = in->err;
	return rc;
}

/*
 * The next row into x->field: 1, 0 after the last, -1 with x->error (and
 * from then on). Rows with no cells may come too; rows the sheet leaves
 * out do not (x->row says which row this is).
 */
int
xlsx_next(struct xlsx *x)
{
	struct xlsx_in	*in = x->in;
	int		 rc;

	if (in == NULL || in->sheet == NULL || in->failed) {
		x->error = in != NULL && in->failed ? in->err : BAD;
		return -1;
	}
	in->row_done = 0;
	for (;;) {
		rc = part_step(in, in->sheet);
		if (rc == -1) {
			x->error = in->err;
			return -1;
		}
		if (in->row_done)
			return 1;
		if (rc == 0)
			return 0;
	}
}

void
xlsx_close(struct xlsx *x)
{
	struct xlsx_in	*in = x->in;
	int		 i;

	if (in == NULL)
		return;
	if (in->sheet != NULL) {
		part_close(in, in->sheet);
		free(in->sheet);
	}
	if (in->za != NULL)
		zip_discard(in->za);
	rels_free(in);
	for (i = 0; i < in->nsheets; i++) {
		free(in->sheets[i].name);
		free(in->sheets[i].rid);
	}
	free(in->sheets);
	buf_free(&in->ss);
	buf_free(&in->text);
	buf_free(&in->data);
	free(in->ss_off);
	free(in->off);
	free(x->field);
	free(in);
	memset(x, 0, sizeof(*x));
	x->sheet = "";
}
