/*
 * csv.c -- an RFC 4180 reader over bytes in memory and a field writer.
 * The reader copies each record's fields into its own buffer, valid until
 * the next csv_next(); it knows nothing of columns or headers (import.c
 * does). The writer appends to the caller's struct buf.
 */
#include "base/base.h"
#include "base/csv.h"

static void
set_error(struct csv *r, int line, const char *why)
{
	if (r->error == NULL) {		/* the first problem of the record */
		r->error = why;
		r->err_line = line;
	}
}

void
csv_init(struct csv *r, const char *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = data;
	r->end = data + len;
	r->line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
	buf_init(&r->data, 1024);
}

void
csv_free(struct csv *r)
{
	buf_free(&r->data);
	free(r->off);
	free(r->field);
	r->off = NULL;
	r->field = NULL;
	r->nfield = r->cap = 0;
}

/* Copy one character at r->p: a byte, or a whole UTF-8 sequence. */
static void
take_char(struct csv *r)
{
	unsigned char	c = (unsigned char)*r->p;
	size_t		k;

	if (c == '\0') {
		set_error(r, r->line, "含有 NUL 字节");
		r->p++;
		return;
	}
	if (c < 0x80) {
		buf_addc(&r->data, (char)c);
		r->p++;
		return;
	}
	k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if ((size_t)(r->end - r->p) < k || !utf8_valid(r->p, k)) {
		set_error(r, r->line,
		    "不是有效的 UTF-8 编码（请另存为 UTF-8）");
		r->p++;
		return;
	}
	buf_add(&r->data, r->p, k);
	r->p += k;
}

/* A line break at r->p (CRLF, LF or a lone CR); copied if keep. */
static void
take_newline(struct csv *r, int keep)
{
	if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n') {
		if (keep)
			buf_add(&r->data, "\r\n", 2);
		r->p += 2;
	} else {
		if (keep)
			buf_addc(&r->data, *r->p);
		r->p++;
	}
	r->line++;
}

/* The rest of a quoted field, after its opening quote. */
static int
take_quoted(struct csv *r)
{
	int	start = r->line;

	for (;;) {
		if (r->p >= r->end) {
			set_error(r, start, "引号未闭合（缺少结束的 \"）");
			return -1;
		}
		if (*r->p == '"') {
			if (r->p + 1 < r->end && r->p[1] == '"') {
				buf_addc(&r->data, '"');
				r->p += 2;
				continue;
			}
			r->p++;
			return 0;
		}
		if (*r->p == '\r' || *r->p == '\n')
			take_newline(r, 1);
		else
			take_char(r);
	}
}

static void
field_start(struct csv *r)
{
	if (r->nfield == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->off = xrealloc(r->off, r->cap * sizeof(*r->off));
		r->field = xrealloc(r->field, r->cap * sizeof(*r->field));
	}
	r->off[r->nfield++] = r->data.len;
}

/*
 * Read the next record into r->field[0 .. r->nfield - 1]. Returns 1, 0 at
 * the end of the data, or -1 with r->error and r->err_line set; after an
 * encoding error or stray text after a closing quote the record is still
 * complete and reading may go on, an unterminated quote ends the data.
 * r->rec_line is the physical line the record began on.
 */
int
csv_next(struct csv *r)
{
	int	i;

	r->data.len = 0;
	r->nfield = 0;
	r->error = NULL;
	r->err_line = 0;
	if (r->p >= r->end)
		return 0;
	r->rec_line = r->line;
	for (;;) {
		field_start(r);
		if (*r->p == '"') {
			r->p++;
			if (take_quoted(r) == -1) {
				buf_addc(&r->data, '\0');
				break;
			}
			if (r->p < r->end && *r->p != ',' && *r->p != '\r' &&
			    *r->p != '\n')
				set_error(r, r->line, "引号字段的结束引号后还有"
				    "字符（字段内的 \" 要写成 \"\"）");
		}
		while (r->p < r->end && *r->p != ',' && *r->p != '\r' &&
		    *r->p != '\n')
			take_char(r);
		buf_addc(&r->data, '\0');
		if (r->p >= r->end)
			break;
		if (*r->p == ',') {
			r->p++;
			if (r->p >= r->end) {	/* "a," ends in "" */
				field_start(r);
				buf_addc(&r->data, '\0');
				break;
			}
			continue;
		}
		take_newline(r, 0);
		break;
	}
	for (i = 0; i < r->nfield; i++)
		r->field[i] = r->data.p + r->off[i];
	return r->error != NULL ? -1 : 1;
}

/*
 * Spreadsheets run a cell that starts with = + - @ (or a tab or CR) as a
 * formula. Such text gets a leading apostrophe, which the spreadsheet
 * hides; text that already starts with apostrophes before one of those
 * characters gets one more, so csv_unguard() restores every value exactly.
 */
static const char *
past_quotes(const char *s)
{
	while (*s == '\'')
		s++;
	return s;
}

static int
formula_char(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	    c == '\r';
}

const char *
csv_unguard(const char *s)
{
	if (*s == '\'' && formula_char(*past_quotes(s)))
		return s + 1;
	return s;
}

/*
 * Append one field: CSV_FIRST means no comma before it, CSV_TEXT guards
 * against formulas. Quoted when it holds , " CR LF or starts or ends with
 * a space or tab.
 */
void
csv_put(struct buf *b, const char *s, int flags)
{
	size_t	n = strlen(s);
	int	guard, quote;

	if (!(flags & CSV_FIRST))
		buf_addc(b, ',');
	guard = (flags & CSV_TEXT) && formula_char(*past_quotes(s));
	quote = strpbrk(s, ",\"\r\n") != NULL || (n > 0 && (s[0] == ' ' ||
	    s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'));
	if (quote)
		buf_addc(b, '"');
	if (guard)
		buf_addc(b, '\'');
	if (!quote) {
		buf_add(b, s, n);
		return;
	}
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

void
csv_endrow(struct buf *b)
{
	buf_add(b, "\r\n", 2);
}
