/*
 * doc_pdf.c -- a document as an A4 portrait PDF (libharu).
 *
 * Chinese text: a TrueType font (DOC_PDF_FONT, WenQuanYi Zen Hei) is
 * embedded as a subset and text stays UTF-8, so every viewer draws what
 * we drew. Without a font path, libharu's CID font SimSun with the
 * GBK-EUC-H CMap is referenced instead (text through iconv to GBK): a
 * twentieth of the size, but drawn with whatever Song face the viewer
 * finds, with wrong Latin spacing in poppler (docs/documents.md). Cell text too wide for its
 * column is cut with an ellipsis, never wrapped, so every row is one line
 * and a page holds a known number of them; the header row repeats on
 * every page and each page says "第 N / M 页".
 */
#include <iconv.h>

#include <hpdf.h>

#include "base/doc.h"

#define PAGE_W		595.276f
#define PAGE_H		841.89f
#define MARGIN_X	40.0f
#define TOP		800.0f
#define BOTTOM		60.0f		/* page numbers go below */
#define ROW_H		16.0f
#define CELL_PAD	3.0f
#define CELL_SIZE	9.0f

struct pdfw {
	HPDF_Doc	 pdf;
	HPDF_Font	 font;
	iconv_t		 cd;		/* to GBK; (iconv_t)-1: UTF-8 font */
	HPDF_Page	*page;
	int		 npage;
	float		 y;
	HPDF_STATUS	 error;
	struct buf	 enc;
};

static void
on_error(HPDF_STATUS code, HPDF_STATUS detail, void *arg)
{
	struct pdfw *w = arg;

	(void)detail;
	if (w->error == 0)
		w->error = code;
}

/* UTF-8 to what the font's encoding wants, NUL-terminated in w->enc. */
static const char *
enc(struct pdfw *w, const char *s, size_t len)
{
	char	*in, *out;
	size_t	 inl, outl;

	w->enc.len = 0;
	if (w->cd == (iconv_t)-1) {
		buf_add(&w->enc, s, len);
		return buf_cstr(&w->enc);
	}
	buf_reserve(&w->enc, len * 2 + 8);
	iconv(w->cd, NULL, NULL, NULL, NULL);
	in = (char *)(uintptr_t)s;
	inl = len;
	while (inl > 0) {
		out = w->enc.p + w->enc.len;
		outl = w->enc.cap - w->enc.len - 1;
		if (inl >= 2 && (unsigned char)in[0] == 0xC2 &&
		    (unsigned char)in[1] == 0xA5) {
			/* ¥ is not in GBK; its fullwidth twin ￥ is (A3A4). */
			buf_add(&w->enc, "\xA3\xA4", 2);
			in += 2;
			inl -= 2;
			continue;
		}
		if (iconv(w->cd, &in, &inl, &out, &outl) != (size_t)-1) {
			w->enc.len = (size_t)(out - w->enc.p);
			break;
		}
		w->enc.len = (size_t)(out - w->enc.p);
		if (errno == E2BIG) {
			buf_reserve(&w->enc, w->enc.cap);
			continue;
		}
		/* Not in GBK (or bad UTF-8): one '?' per character. */
		if (!(inl >= 2 && (unsigned char)in[0] == 0xC2 &&
		    (unsigned char)in[1] == 0xA5)) {
			buf_addc(&w->enc, '?');
			do {
				in++;
				inl--;
			} while (inl > 0 && ((unsigned char)*in & 0xC0) == 0x80);
		}
	}
	return buf_cstr(&w->enc);
}

static float
width(struct pdfw *w, HPDF_Page p, const char *s, size_t len)
{
	return HPDF_Page_TextWidth(p, enc(w, s, len));
}

/*
 * s as it fits in max points: whole, or cut at a character with "…"
 * after it. Returns the encoded text (in w->enc).
 */
static const char *
fit(struct pdfw *w, HPDF_Page p, const char *s, float max)
{
	struct buf	 t;
	size_t		 n = strlen(s);
	const char	*r;

	if (width(w, p, s, n) <= max)
		return enc(w, s, n);
	buf_init(&t, n + 4);
	while (n > 0) {
		do
			n--;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80);
		t.len = 0;
		buf_add(&t, s, n);
		buf_adds(&t, "…");
		if (width(w, p, t.p, t.len) <= max)
			break;
	}
	if (n == 0) {
		t.len = 0;
		buf_adds(&t, "…");
	}
	r = enc(w, t.p, t.len);
	buf_free(&t);
	return r;
}

static void
text_at(struct pdfw *w, HPDF_Page p, float x, float y, float size,
    const char *utf8, enum doc_align a, float box)
{
	const char	*e;
	float		 tw;

	HPDF_Page_SetFontAndSize(p, w->font, size);
	e = fit(w, p, utf8, box);
	tw = HPDF_Page_TextWidth(p, e);
	if (a == DOC_RIGHT)
		x += box - tw;
	else if (a == DOC_CENTER)
		x += (box - tw) / 2;
	HPDF_Page_BeginText(p);
	HPDF_Page_TextOut(p, x, y, e);
	HPDF_Page_EndText(p);
}

static HPDF_Page
new_page(struct pdfw *w)
{
	HPDF_Page p = HPDF_AddPage(w->pdf);

	HPDF_Page_SetSize(p, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	w->page = xrealloc(w->page, sizeof(*w->page) * (size_t)(w->npage + 1));
	w->page[w->npage++] = p;
	w->y = TOP;
	return p;
}

static HPDF_Page
cur(struct pdfw *w)
{
	return w->page[w->npage - 1];
}

/* A line of text across the page; a new page first if it will not fit. */
static void
line(struct pdfw *w, const char *s, float size, enum doc_align a)
{
	if (w->y - size * 1.6f < BOTTOM)
		new_page(w);
	w->y -= size * 1.6f;
	text_at(w, cur(w), MARGIN_X, w->y, size, s, a,
	    PAGE_W - 2 * MARGIN_X);
}

struct layout {
	float	 x[64];		/* left edge of each column */
	float	 cw[64];
	int	 ncol;
};

static void
row(struct pdfw *w, const struct doc_table *t, const struct layout *l,
    const struct doc_cell *cells, int head, int total)
{
	HPDF_Page	 p = cur(w);
	char		 tmp[64];
	int		 c;
	float		 right = l->x[l->ncol - 1] + l->cw[l->ncol - 1];

	w->y -= ROW_H;
	if (head) {
		HPDF_Page_SetGrayFill(p, 0.85f);
		HPDF_Page_Rectangle(p, MARGIN_X, w->y, right - MARGIN_X, ROW_H);
		HPDF_Page_Fill(p);
		HPDF_Page_SetGrayFill(p, 0);
	}
	for (c = 0; c < l->ncol; c++)
		text_at(w, p, l->x[c] + CELL_PAD, w->y + 4.5f, CELL_SIZE,
		    head ? t->col[c].head :
		    doc_cell_str(&t->col[c], &cells[c], tmp, sizeof(tmp)),
		    head ? DOC_CENTER : t->col[c].align,
		    l->cw[c] - 2 * CELL_PAD);
	/* A rule under the header and over the totals; hairlines elsewhere. */
	HPDF_Page_SetLineWidth(p, head || total ? 0.8f : 0.2f);
	HPDF_Page_MoveTo(p, MARGIN_X, total ? w->y + ROW_H : w->y);
	HPDF_Page_LineTo(p, right, total ? w->y + ROW_H : w->y);
	HPDF_Page_Stroke(p);
}

static void
table(struct pdfw *w, const struct doc_table *t)
{
	struct layout	 l;
	float		 sum = 0, x = MARGIN_X;
	size_t		 k;
	int		 c;

	l.ncol = t->ncol < 64 ? t->ncol : 64;
	if (l.ncol == 0)
		return;
	for (c = 0; c < l.ncol; c++)
		sum += t->col[c].width > 0 ? t->col[c].width : 10;
	for (c = 0; c < l.ncol; c++) {
		l.x[c] = x;
		l.cw[c] = (PAGE_W - 2 * MARGIN_X) *
		    (t->col[c].width > 0 ? t->col[c].width : 10) / sum;
		x += l.cw[c];
	}
	w->y -= 8;
	if (t->title != NULL)
		line(w, t->title, 11, DOC_LEFT);
	/* The header and at least one row together. */
	if (w->y - 2 * ROW_H < BOTTOM)
		new_page(w);
	row(w, t, &l, NULL, 1, 0);
	for (k = 0; k < t->nrow; k++) {
		if (w->y - ROW_H < BOTTOM) {
			new_page(w);
			row(w, t, &l, NULL, 1, 0);
		}
		row(w, t, &l, &t->cell[k * (size_t)t->ncol], 0, 0);
	}
	if (t->total != NULL) {
		if (w->y - ROW_H < BOTTOM) {
			new_page(w);
			row(w, t, &l, NULL, 1, 0);
		}
		row(w, t, &l, t->total, 0, 1);
	}
}

static int
set_font(struct pdfw *w, const char *font)
{
	char		 path[4096], *comma;
	const char	*name;
	int		 idx = 0;

	if (font == NULL || font[0] == '\0') {
		HPDF_UseCNSFonts(w->pdf);
		HPDF_UseCNSEncodings(w->pdf);
		w->font = HPDF_GetFont(w->pdf, "SimSun", "GBK-EUC-H");
		if ((w->cd = iconv_open("GBK", "UTF-8")) == (iconv_t)-1)
			return -1;
		return w->font == NULL ? -1 : 0;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s", font) >= sizeof(path))
		return -1;
	if ((comma = strrchr(path, ',')) != NULL) {
		*comma = '\0';
		idx = atoi(comma + 1);
	}
	HPDF_UseUTFEncodings(w->pdf);
	HPDF_SetCurrentEncoder(w->pdf, "UTF-8");
	if ((name = HPDF_LoadTTFontFromFile2(w->pdf, path, (HPDF_UINT)idx,
	    HPDF_TRUE)) == NULL)
		return -1;
	w->font = HPDF_GetFont(w->pdf, name, "UTF-8");
	return w->font == NULL ? -1 : 0;
}

static int
save(struct pdfw *w, struct buf *out)
{
	HPDF_BYTE	 chunk[65536];
	HPDF_UINT32	 n;
	HPDF_STATUS	 st;

	if (HPDF_SaveToStream(w->pdf) != HPDF_OK)
		return -1;
	HPDF_ResetStream(w->pdf);
	for (;;) {
		n = sizeof(chunk);
		st = HPDF_ReadFromStream(w->pdf, chunk, &n);
		buf_add(out, chunk, n);
		if (st == HPDF_STREAM_EOF)
			return 0;
		if (st != HPDF_OK)
			return -1;
	}
}

int
doc_pdf(const struct doc *d, const char *font, struct buf *out, int *pages,
    const char **err)
{
	struct pdfw	 w;
	char		 num[64];
	int		 i, rc = -1;

	memset(&w, 0, sizeof(w));
	w.cd = (iconv_t)-1;
	buf_init(&w.enc, 256);
	*pages = 0;
	if ((w.pdf = HPDF_New(on_error, &w)) == NULL) {
		*err = "libharu: out of memory";
		goto done;
	}
	HPDF_SetCompressionMode(w.pdf, HPDF_COMP_ALL);
	if (set_font(&w, font) != 0) {
		*err = "cannot load the PDF font";
		goto done;
	}
	/* libharu writes the info string as given: right only for UTF-8. */
	if (d->title != NULL && w.cd == (iconv_t)-1)
		HPDF_SetInfoAttr(w.pdf, HPDF_INFO_TITLE, d->title);
	new_page(&w);
	if (d->title != NULL)
		line(&w, d->title, 18, DOC_CENTER);
	if (d->subtitle != NULL)
		line(&w, d->subtitle, 11, DOC_CENTER);
	w.y -= 6;
	for (i = 0; i < d->nkv; i++) {
		char *kv = xmalloc(strlen(d->kv[i].key) +
		    (d->kv[i].value ? strlen(d->kv[i].value) : 0) + 8);

		sprintf(kv, "%s：%s", d->kv[i].key,
		    d->kv[i].value ? d->kv[i].value : "");
		line(&w, kv, 10, DOC_LEFT);
		free(kv);
	}
	for (i = 0; i < d->ntable; i++)
		table(&w, &d->table[i]);
	w.y -= 10;
	for (i = 0; i < d->nfooter; i++)
		line(&w, d->footer[i], 10, DOC_LEFT);
	/* Now that M is known, number every page. */
	for (i = 0; i < w.npage; i++) {
		snprintf(num, sizeof(num), "第 %d / %d 页", i + 1, w.npage);
		text_at(&w, w.page[i], MARGIN_X, 30, 9, num, DOC_CENTER,
		    PAGE_W - 2 * MARGIN_X);
	}
	if (w.error != 0) {
		*err = "libharu failed";
		goto done;
	}
	if (save(&w, out) != 0 || w.error != 0) {
		*err = "cannot write the PDF";
		goto done;
	}
	*pages = w.npage;
	rc = 0;
done:
	if (w.pdf != NULL)
		HPDF_Free(w.pdf);
	if (w.cd != (iconv_t)-1)
		iconv_close(w.cd);
	free(w.page);
	buf_free(&w.enc);
	return rc;
}
