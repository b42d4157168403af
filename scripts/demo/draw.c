/*
 * draw.c -- the demo shop's product pictures, drawn: one 800×800 JPEG per
 * line of art.tsv (scripts/demo/catalog writes it), a package of the
 * product's kind in its colours on a card of its category's tint, with
 * the brand large on it, or the case (箱) it ships in. Drawn at twice the
 * size and scaled down, since libgd's shapes have no anti-aliasing.
 * Text goes through FreeType itself: libgd opens face 0 of a .ttc, and
 * face 0 of Noto Sans CJK is the Japanese one. Without a font the
 * pictures have no text. scripts/dev-up builds and runs it:
 *
 *   draw ART.tsv OUTDIR [FONT.ttc [FACE]]
 *
 * art.tsv: FILE SHAPE TINT MAIN ACCENT BRAND LINE SMALL, tab-separated;
 * colours as #rrggbb; shapes: bottle glass can carton bag box tissue
 * rolls jug cup row sack jar case.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gd.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#define OUT	800		/* pixels, written */
#define SIZE	(2 * OUT)	/* drawn; the design space is 1000 */
#define ZOOM	1.18		/* the package, about the card's centre */
#define QUALITY	88

struct rgb {
	double	r, g, b;
};

struct art {
	char		*file, *shape, *brand, *line, *small;
	struct rgb	 tint, main, accent;
};

static gdImagePtr	 im;
static FT_Library	 ft;
static FT_Face		 face;
static int		 have_font;

/* A coordinate, and a length, of the design space on the canvas. */
static int
S(double v)
{
	return (int)lround(((v - 500) * ZOOM + 500) * SIZE / 1000.0);
}

static int
D(double v)
{
	return (int)lround(v * ZOOM * SIZE / 1000.0);
}

static struct rgb
hex(const char *s)
{
	struct rgb	c = { 0.5, 0.5, 0.5 };
	unsigned int	v;

	if (s[0] == '#' && sscanf(s + 1, "%6x", &v) == 1) {
		c.r = (v >> 16 & 0xff) / 255.0;
		c.g = (v >> 8 & 0xff) / 255.0;
		c.b = (v & 0xff) / 255.0;
	}
	return c;
}

static struct rgb
mix(struct rgb a, struct rgb b, double t)
{
	struct rgb	c;

	c.r = a.r + (b.r - a.r) * t;
	c.g = a.g + (b.g - a.g) * t;
	c.b = a.b + (b.b - a.b) * t;
	return c;
}

static const struct rgb	white = { 1, 1, 1 }, black = { 0, 0, 0 };
static const struct rgb	ink = { 0.13, 0.13, 0.15 };

static struct rgb
lighter(struct rgb c, double t)
{
	return mix(c, white, t);
}

static struct rgb
darker(struct rgb c, double t)
{
	return mix(c, black, t);
}

static double
luma(struct rgb c)
{
	return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b;
}

/* Text that reads on bg: the first of the wanted colours that contrasts
 * enough with it, else ink or white. */
static struct rgb
on(struct rgb bg, struct rgb want)
{
	if (fabs(luma(want) - luma(bg)) > 0.42)
		return want;
	return luma(bg) > 0.6 ? ink : white;
}

/* A colour with alpha: 0 opaque, 1 transparent. */
static int
col_a(struct rgb c, double alpha)
{
	return gdTrueColorAlpha((int)lround(c.r * 255), (int)lround(c.g * 255),
	    (int)lround(c.b * 255), (int)lround(alpha * gdAlphaTransparent));
}

static int
col(struct rgb c)
{
	return col_a(c, 0);
}

static void
rect(double x0, double y0, double x1, double y1, int c)
{
	gdImageFilledRectangle(im, S(x0), S(y0), S(x1) - 1, S(y1) - 1, c);
}

static void
ell(double cx, double cy, double w, double h, int c)
{
	gdImageFilledEllipse(im, S(cx), S(cy), D(w), D(h), c);
}

static void
rrect(double x0, double y0, double x1, double y1, double r, int c)
{
	rect(x0 + r, y0, x1 - r, y1, c);
	rect(x0, y0 + r, x1, y1 - r, c);
	ell(x0 + r, y0 + r, 2 * r, 2 * r, c);
	ell(x1 - r, y0 + r, 2 * r, 2 * r, c);
	ell(x0 + r, y1 - r, 2 * r, 2 * r, c);
	ell(x1 - r, y1 - r, 2 * r, 2 * r, c);
}

static void
poly(int c, int n, ...)
{
	gdPoint	p[64];
	va_list	ap;
	int	i;

	va_start(ap, n);
	for (i = 0; i < n && i < 64; i++) {
		p[i].x = S(va_arg(ap, double));
		p[i].y = S(va_arg(ap, double));
	}
	va_end(ap);
	gdImageFilledPolygon(im, p, i, c);
}

/* A thick line through n points, round at the joints. */
static void
stroke(const double (*pt)[2], int n, double w, int c)
{
	double	dx, dy, len, nx, ny;
	gdPoint	q[4];
	int	i;

	for (i = 0; i < n; i++) {
		ell(pt[i][0], pt[i][1], w, w, c);
		if (i + 1 == n)
			break;
		dx = pt[i + 1][0] - pt[i][0];
		dy = pt[i + 1][1] - pt[i][1];
		if ((len = hypot(dx, dy)) == 0)
			continue;
		nx = -dy / len * w / 2;
		ny = dx / len * w / 2;
		q[0].x = S(pt[i][0] + nx), q[0].y = S(pt[i][1] + ny);
		q[1].x = S(pt[i + 1][0] + nx), q[1].y = S(pt[i + 1][1] + ny);
		q[2].x = S(pt[i + 1][0] - nx), q[2].y = S(pt[i + 1][1] - ny);
		q[3].x = S(pt[i][0] - nx), q[3].y = S(pt[i][1] - ny);
		gdImageFilledPolygon(im, q, 4, c);
	}
}

/* Highlight and shade down a round body: light from the left. */
static void
gloss(double x0, double y0, double x1, double y1)
{
	double	w = x1 - x0;

	rect(x0 + w * 0.10, y0, x0 + w * 0.19, y1, col_a(white, 0.62));
	rect(x0 + w * 0.22, y0, x0 + w * 0.25, y1, col_a(white, 0.80));
	rect(x1 - w * 0.12, y0, x1 - w * 0.03, y1, col_a(black, 0.88));
}

/* -- text --------------------------------------------------------------- */

/* The next code point of a UTF-8 string; *s moves past it. */
static unsigned long
utf8_next(const char **s)
{
	const unsigned char	*p = (const unsigned char *)*s;
	unsigned long		 c = *p++;
	int			 n = 0;

	if (c >= 0xf0)
		c &= 0x07, n = 3;
	else if (c >= 0xe0)
		c &= 0x0f, n = 2;
	else if (c >= 0xc0)
		c &= 0x1f, n = 1;
	while (n-- > 0 && (*p & 0xc0) == 0x80)
		c = c << 6 | (*p++ & 0x3f);
	*s = (const char *)p;
	return c;
}

/* Width in canvas pixels of s at px canvas pixels. */
static int
text_w(const char *s, int px)
{
	int	w = 0;

	FT_Set_Pixel_Sizes(face, 0, (FT_UInt)px);
	while (*s)
		if (FT_Load_Char(face, utf8_next(&s), FT_LOAD_DEFAULT) == 0)
			w += (int)(face->glyph->advance.x >> 6);
	return w;
}

/*
 * s centred on cx with its baseline at y (design units), size em, made
 * smaller to fit in maxw.
 */
static void
text(const char *s, double cx, double y, double em, double maxw,
    struct rgb c)
{
	FT_Bitmap	*b;
	int		 px = D(em), w, pen, gx, gy, i, j, v;

	if (!have_font || *s == '\0')
		return;
	if ((w = text_w(s, px)) > D(maxw)) {
		px = px * D(maxw) / w;
		w = text_w(s, px);
	}
	FT_Set_Pixel_Sizes(face, 0, (FT_UInt)px);
	pen = S(cx) - w / 2;
	while (*s) {
		if (FT_Load_Char(face, utf8_next(&s), FT_LOAD_RENDER) != 0)
			continue;
		b = &face->glyph->bitmap;
		gx = pen + face->glyph->bitmap_left;
		gy = S(y) - face->glyph->bitmap_top;
		for (j = 0; j < (int)b->rows; j++)
			for (i = 0; i < (int)b->width; i++) {
				v = b->buffer[j * b->pitch + i];
				if (v > 0)
					gdImageSetPixel(im, gx + i, gy + j,
					    col_a(c, 1 - v / 255.0));
			}
		pen += (int)(face->glyph->advance.x >> 6);
	}
}

/* Brand, line and small text, stacked on a label at baselines y0 y1 y2. */
static void
label(const struct art *a, struct rgb bg, double cx, double w, double y0,
    double y1, double y2, double em)
{
	struct rgb	c = on(bg, luma(bg) > 0.6 ? darker(a->accent, 0.15) :
			    white);

	text(a->brand, cx, y0, em, w * 0.86, c);
	text(a->line, cx, y1, em * 0.44, w * 0.88, c);
	text(a->small, cx, y2, em * 0.34, w * 0.88, c);
}

/* -- the card ----------------------------------------------------------- */

static void
card(const struct art *a, double footprint)
{
	struct rgb	bg = lighter(a->tint, 0.55);
	int		i;

	gdImageFilledRectangle(im, 0, 0, SIZE - 1, SIZE - 1, col(bg));
	ell(500, 500, 760, 760, col(a->tint));
	ell(500, 500, 650, 650, col(lighter(a->tint, 0.25)));
	for (i = 0; i < 8; i++)
		ell(500, 878, footprint * (1.25 - i * 0.06), 54 - i * 5,
		    col(darker(lighter(a->tint, 0.25), 0.03 + i * 0.025)));
}

static void
bottle(const struct art *a)
{
	struct rgb	m = a->main, lab = a->accent;
	double		x;

	card(a, 290);
	rrect(440, 242, 560, 262, 6, col(darker(a->accent, 0.25)));
	rect(456, 258, 544, 330, col(darker(m, 0.06)));
	ell(500, 420, 250, 220, col(m));
	rrect(375, 400, 625, 870, 55, col(m));
	rrect(448, 168, 552, 250, 14, col(a->accent));
	for (x = 458; x < 548; x += 14)
		rect(x, 176, x + 4, 244, col(darker(a->accent, 0.18)));
	rect(375, 500, 625, 765, col(lab));
	rect(375, 500, 625, 508, col(darker(lab, 0.12)));
	rect(375, 757, 625, 765, col(darker(lab, 0.12)));
	rect(375, 815, 625, 822, col(darker(m, 0.10)));
	gloss(375, 392, 625, 850);
	label(a, lab, 500, 250, 618, 685, 737, 92);
}

static void
glass(const struct art *a)
{
	struct rgb	m = a->main;

	card(a, 240);
	rect(468, 226, 532, 430, col(m));
	ell(500, 478, 210, 170, col(m));
	rrect(395, 470, 605, 870, 42, col(m));
	rrect(460, 214, 540, 238, 8, col(darker(a->accent, 0.2)));
	rrect(463, 140, 537, 222, 10, col(a->accent));
	rect(468, 300, 532, 345, col(a->accent));
	rect(395, 565, 605, 790, col(a->accent));
	rect(395, 565, 605, 572, col(darker(a->accent, 0.15)));
	rect(395, 783, 605, 790, col(darker(a->accent, 0.15)));
	gloss(395, 525, 605, 850);
	label(a, a->accent, 500, 210, 660, 720, 766, 78);
}

static void
can(const struct art *a)
{
	struct rgb	m = a->main, silver = { 0.80, 0.82, 0.85 };

	card(a, 260);
	ell(500, 852, 236, 42, col(darker(silver, 0.15)));
	rect(380, 345, 620, 852, col(m));
	ell(500, 345, 240, 46, col(silver));
	ell(500, 347, 204, 32, col(darker(silver, 0.15)));
	rect(380, 700, 620, 770, col(a->accent));
	rect(380, 368, 620, 376, col(darker(m, 0.12)));
	rect(380, 822, 620, 830, col(darker(m, 0.12)));
	gloss(380, 376, 620, 822);
	text(a->brand, 500, 560, 86, 200, on(m, a->accent));
	text(a->line, 500, 630, 38, 210, on(m, white));
	text(a->small, 500, 748, 30, 210, on(a->accent, m));
}

static void
carton(const struct art *a)
{
	struct rgb	m = a->main, edge = darker(a->main, 0.22);

	card(a, 300);
	poly(col(darker(m, 0.14)), 4, 590.0, 330.0, 652.0, 298.0, 652.0,
	    840.0, 590.0, 870.0);
	poly(col(lighter(m, 0.35)), 4, 360.0, 330.0, 422.0, 298.0, 652.0,
	    298.0, 590.0, 330.0);
	rect(360, 330, 590, 870, col(m));
	rect(360, 715, 590, 870, col(a->accent));
	poly(col(darker(a->accent, 0.14)), 4, 590.0, 715.0, 652.0, 688.0,
	    652.0, 840.0, 590.0, 870.0);
	rect(588, 330, 592, 870, col(edge));
	rect(360, 328, 590, 332, col(edge));
	ell(545, 312, 56, 22, col(a->accent));
	rect(360, 330, 380, 870, col_a(white, 0.75));
	text(a->brand, 475, 470, 74, 200, on(m, darker(a->accent, 0.1)));
	text(a->line, 475, 540, 36, 205, on(m, ink));
	text(a->small, 475, 805, 32, 205, on(a->accent, white));
}

/* A soft package whose sides bulge: a bag, a sack. */
static void
pillow(double x0, double y0, double x1, double y1, double bulge, int c)
{
	gdPoint	p[64];
	int	i, n = 0;
	double	t;

	for (i = 0; i <= 15; i++) {
		t = i / 15.0;
		p[n].x = S(x1 + bulge * sin(M_PI * t));
		p[n++].y = S(y0 + (y1 - y0) * t);
	}
	for (i = 15; i >= 0; i--) {
		t = i / 15.0;
		p[n].x = S(x0 - bulge * sin(M_PI * t));
		p[n++].y = S(y0 + (y1 - y0) * t);
	}
	gdImageFilledPolygon(im, p, n, c);
}

static void
crimp(double x0, double x1, double y0, double y1, struct rgb m)
{
	double	x;

	rect(x0, y0, x1, y1, col(darker(m, 0.12)));
	for (x = x0 + 6; x < x1 - 4; x += 12)
		rect(x, y0, x + 3, y1, col(darker(m, 0.24)));
}

static void
bag(const struct art *a)
{
	struct rgb	m = a->main;

	card(a, 340);
	pillow(335, 240, 665, 850, 22, col(m));
	crimp(330, 670, 222, 266, m);
	crimp(330, 670, 826, 870, m);
	ell(500, 690, 250, 180, col(a->accent));
	ell(500, 690, 226, 156, col(lighter(a->accent, 0.12)));
	rect(356, 270, 384, 822, col_a(white, 0.65));
	text(a->brand, 500, 440, 100, 270, on(m, a->accent));
	text(a->line, 500, 520, 44, 300, on(m, white));
	text(a->small, 500, 702, 34, 200, on(lighter(a->accent, 0.12), m));
}

static void
sack(const struct art *a)
{
	struct rgb	m = a->main;
	double		x;

	card(a, 420);
	pillow(300, 250, 700, 870, 18, col(m));
	rect(296, 232, 704, 290, col(darker(m, 0.10)));
	for (x = 310; x < 690; x += 22)
		rect(x, 276, x + 12, 281, col(darker(m, 0.30)));
	rrect(440, 300, 560, 336, 18, col(darker(m, 0.38)));
	rect(304, 730, 696, 870, col(a->accent));
	poly(col(a->accent), 4, 304.0, 730.0, 500.0, 690.0, 696.0, 730.0,
	    304.0, 730.0);
	text(a->brand, 500, 500, 120, 360, on(m, a->accent));
	text(a->line, 500, 590, 48, 360, on(m, ink));
	text(a->small, 500, 822, 66, 300, on(a->accent, white));
}

static void
box3d(double x0, double y0, double x1, double y1, double dx, double dy,
    struct rgb m)
{
	poly(col(lighter(m, 0.30)), 4, x0, y0, x0 + dx, y0 - dy, x1 + dx,
	    y0 - dy, x1, y0);
	poly(col(darker(m, 0.16)), 4, x1, y0, x1 + dx, y0 - dy, x1 + dx,
	    y1 - dy, x1, y1);
	rect(x0, y0, x1, y1, col(m));
	rect(x1 - 2, y0, x1 + 2, y1, col(darker(m, 0.25)));
	rect(x0, y0 - 2, x1, y0 + 2, col(darker(m, 0.10)));
}

static void
box(const struct art *a)
{
	struct rgb	m = a->main;

	card(a, 420);
	box3d(290, 400, 650, 870, 80, 60, m);
	rect(290, 700, 650, 780, col(a->accent));
	poly(col(darker(a->accent, 0.16)), 4, 650.0, 700.0, 730.0, 640.0,
	    730.0, 720.0, 650.0, 780.0);
	text(a->brand, 470, 540, 92, 320, on(m, a->accent));
	text(a->line, 470, 620, 42, 320, on(m, ink));
	text(a->small, 470, 754, 32, 320, on(a->accent, white));
}

static void
tissue(const struct art *a)
{
	struct rgb	m = a->main;
	const double	handle[][2] = { { 420, 440 }, { 440, 385 },
			    { 500, 365 }, { 560, 385 }, { 580, 440 } };

	card(a, 480);
	stroke(handle, 5, 22, col(a->accent));
	rrect(255, 640, 745, 870, 70, col(darker(m, 0.06)));
	rrect(255, 430, 745, 660, 70, col(m));
	rrect(400, 462, 600, 492, 15, col(darker(m, 0.20)));
	rect(255, 640, 745, 648, col(darker(m, 0.14)));
	ell(330, 800, 44, 44, col(a->accent));
	ell(670, 800, 44, 44, col(a->accent));
	text(a->brand, 500, 605, 90, 420, on(m, a->accent));
	text(a->line, 500, 740, 44, 320, on(darker(m, 0.06), ink));
	text(a->small, 500, 815, 34, 240, on(darker(m, 0.06), ink));
}

static void
rolls(const struct art *a)
{
	struct rgb	m = a->main, paper = { 0.98, 0.98, 0.97 };
	const double	handle[][2] = { { 430, 340 }, { 450, 285 },
			    { 500, 268 }, { 550, 285 }, { 570, 340 } };
	int		i, j;

	card(a, 470);
	stroke(handle, 5, 22, col(a->accent));
	rrect(272, 330, 728, 872, 46, col(lighter(m, 0.2)));
	for (j = 0; j < 2; j++)
		for (i = 0; i < 3; i++) {
			double x = 290 + i * 142, y = 348 + j * 264;

			rrect(x, y, x + 136, y + 250, 30, col(paper));
			rect(x + 100, y + 20, x + 128, y + 230,
			    col(darker(paper, 0.08)));
			rect(x + 14, y + 20, x + 30, y + 230,
			    col(lighter(m, 0.6)));
		}
	rect(272, 330, 728, 872, col_a(m, 0.72));
	rect(272, 520, 728, 690, col(a->accent));
	text(a->brand, 500, 606, 84, 400, on(a->accent, white));
	text(a->line, 500, 666, 38, 400, on(a->accent, white));
	text(a->small, 500, 820, 34, 300, ink);
}

static void
jug(const struct art *a)
{
	struct rgb	m = a->main;
	const double	handle[][2] = { { 560, 330 }, { 600, 262 },
			    { 650, 262 }, { 676, 300 }, { 676, 420 } };

	card(a, 360);
	stroke(handle, 5, 44, col(darker(m, 0.14)));
	rrect(330, 330, 670, 870, 70, col(m));
	rrect(380, 260, 470, 340, 10, col(darker(m, 0.08)));
	rrect(372, 205, 478, 268, 12, col(a->accent));
	rrect(355, 480, 645, 800, 26, col(a->accent));
	gloss(330, 380, 670, 840);
	label(a, a->accent, 500, 290, 600, 672, 748, 92);
}

static void
cup(const struct art *a)
{
	struct rgb	m = a->main, lid = lighter(a->accent, 0.25);

	card(a, 300);
	poly(col(m), 4, 345.0, 370.0, 655.0, 370.0, 618.0, 862.0, 382.0,
	    862.0);
	poly(col(a->accent), 4, 360.0, 575.0, 640.0, 575.0, 633.0, 665.0,
	    367.0, 665.0);
	ell(500, 368, 330, 64, col(darker(lid, 0.10)));
	ell(500, 360, 330, 60, col(lid));
	rect(386, 380, 410, 850, col_a(white, 0.65));
	text(a->brand, 500, 510, 88, 260, on(m, a->accent));
	text(a->line, 500, 635, 38, 250, on(a->accent, white));
	text(a->small, 500, 760, 30, 220, on(m, white));
}

/* A row of five small bottles in shrink wrap (乳酸菌 by the 排). */
static void
row(const struct art *a)
{
	struct rgb	m = a->main;
	int		i;

	card(a, 520);
	for (i = 0; i < 5; i++) {
		double cx = 290 + i * 105;

		rrect(cx - 26, 462, cx + 26, 500, 8, col(a->accent));
		rect(cx - 20, 495, cx + 20, 560, col(darker(m, 0.05)));
		ell(cx, 570, 96, 80, col(m));
		rrect(cx - 48, 565, cx + 48, 868, 30, col(m));
		rect(cx - 36, 580, cx - 26, 850, col_a(white, 0.55));
	}
	rect(238, 650, 762, 790, col(a->accent));
	text(a->brand, 500, 735, 72, 480, on(a->accent, white));
	text(a->line, 500, 776, 30, 480, on(a->accent, white));
	text(a->small, 500, 840, 28, 480, on(m, ink));
}

static void
jar(const struct art *a)
{
	struct rgb	m = a->main, paper = lighter(a->accent, 0.82);
	double		x;

	card(a, 300);
	rrect(370, 420, 630, 870, 50, col(m));
	rrect(382, 345, 618, 432, 16, col(a->accent));
	for (x = 394; x < 610; x += 16)
		rect(x, 352, x + 5, 426, col(darker(a->accent, 0.15)));
	rect(370, 540, 630, 785, col(paper));
	gloss(370, 450, 630, 850);
	label(a, paper, 500, 260, 640, 705, 756, 80);
}

/* The case it ships in: kraft board printed in the product's colour. */
static void
shipping_case(const struct art *a)
{
	struct rgb	kraft = { 0.79, 0.60, 0.39 }, print;
	unsigned long	h = 2166136261u;	/* FNV-1a of the file name */
	const char	*p;
	double		x;
	int		i;

	for (p = a->file; *p; p++)
		h = ((h ^ (unsigned char)*p) * 16777619u) & 0xffffffffu;
	print = luma(a->main) < luma(a->accent) ? a->main : a->accent;
	if (luma(print) > 0.55)
		print = darker(print, 0.45);
	card(a, 560);
	box3d(210, 430, 700, 870, 100, 80, kraft);
	poly(col(lighter(kraft, 0.22)), 4, 440.0, 430.0, 540.0, 350.0, 590.0,
	    350.0, 490.0, 430.0);
	rect(440, 430, 490, 520, col(lighter(kraft, 0.22)));
	rect(230, 450, 680, 456, col(print));
	text(a->brand, 455, 600, 104, 420, print);
	text(a->line, 455, 668, 44, 420, print);
	text(a->small, 455, 730, 38, 420, print);
	/* A barcode, as printed on every case. */
	rect(530, 770, 670, 850, col(white));
	for (x = 540, i = 0; x < 660; i++) {
		double w = 2 + (h >> (i % 28) & 3) * 2;

		if (i % 2 == 0)
			rect(x, 778, x + w, 840, col(ink));
		x += w;
	}
	rect(240, 790, 300, 796, col(print));
	rect(240, 810, 420, 816, col(print));
	rect(240, 830, 380, 836, col(print));
}

static const struct {
	const char	*name;
	void		(*draw)(const struct art *);
} shapes[] = {
	{ "bottle", bottle }, { "glass", glass }, { "can", can },
	{ "carton", carton }, { "bag", bag }, { "sack", sack },
	{ "box", box }, { "tissue", tissue }, { "rolls", rolls },
	{ "jug", jug }, { "cup", cup }, { "row", row }, { "jar", jar },
	{ "case", shipping_case },
};

/* -- files -------------------------------------------------------------- */

/* The canvas at half its size, each pixel the mean of four: exact for 2×,
 * and much faster than gdImageCopyResampled. */
static void
halve(gdImagePtr out)
{
	int	x, y, i, p, r, g, b;

	for (y = 0; y < OUT; y++)
		for (x = 0; x < OUT; x++) {
			r = g = b = 0;
			for (i = 0; i < 4; i++) {
				p = im->tpixels[2 * y + i / 2][2 * x + i % 2];
				r += gdTrueColorGetRed(p);
				g += gdTrueColorGetGreen(p);
				b += gdTrueColorGetBlue(p);
			}
			out->tpixels[y][x] = gdTrueColor((r + 2) / 4,
			    (g + 2) / 4, (b + 2) / 4);
		}
}

static int
draw_one(const struct art *a, const char *dir)
{
	gdImagePtr	 out;
	char		 path[4096];
	FILE		*f;
	size_t		 i;
	int		 rc = -1;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		if (strcmp(shapes[i].name, a->shape) == 0)
			break;
	if (i == sizeof(shapes) / sizeof(shapes[0])) {
		fprintf(stderr, "draw: %s: unknown shape %s\n", a->file,
		    a->shape);
		return -1;
	}
	if ((im = gdImageCreateTrueColor(SIZE, SIZE)) == NULL ||
	    (out = gdImageCreateTrueColor(OUT, OUT)) == NULL) {
		fprintf(stderr, "draw: out of memory\n");
		exit(1);
	}
	gdImageAlphaBlending(im, 1);
	shapes[i].draw(a);
	halve(out);
	snprintf(path, sizeof(path), "%s/%s", dir, a->file);
	if ((f = fopen(path, "wb")) == NULL)
		fprintf(stderr, "draw: %s: %s\n", path, strerror(errno));
	else {
		gdImageJpeg(out, f, QUALITY);
		if (fclose(f) == 0)
			rc = 0;
		else
			fprintf(stderr, "draw: %s: %s\n", path,
			    strerror(errno));
	}
	gdImageDestroy(out);
	gdImageDestroy(im);
	return rc;
}

/* Split a line of art.tsv into a; 0, or -1 when it has too few fields. */
static int
parse(char *line, struct art *a)
{
	char	*f[8];
	int	 n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < 8 && (f[n] = strsep(&line, "\t")) != NULL)
		n++;
	if (n < 8)
		return -1;
	a->file = f[0];
	a->shape = f[1];
	a->tint = hex(f[2]);
	a->main = hex(f[3]);
	a->accent = hex(f[4]);
	a->brand = f[5];
	a->line = f[6];
	a->small = f[7];
	return strchr(a->file, '/') == NULL ? 0 : -1;
}

static void
font_open(const char *path, long index)
{
	if (FT_Init_FreeType(&ft) != 0 ||
	    FT_New_Face(ft, path, index, &face) != 0) {
		fprintf(stderr, "draw: cannot open font %s (face %ld): "
		    "pictures without text\n", path, index);
		return;
	}
	/* 饮: a font without Chinese would draw boxes. */
	if (FT_Get_Char_Index(face, 0x996e) == 0) {
		fprintf(stderr, "draw: %s has no Chinese: pictures without "
		    "text\n", path);
		return;
	}
	have_font = 1;
}

int
main(int argc, char **argv)
{
	struct art	 a;
	char		 line[2048];
	FILE		*f;
	int		 n = 0, bad = 0, lineno = 0;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: draw ART.tsv OUTDIR [FONT [FACE]]\n");
		return 2;
	}
	if (argc >= 4)
		font_open(argv[3], argc == 5 ? strtol(argv[4], NULL, 10) : 0);
	else
		fprintf(stderr, "draw: no font: pictures without text\n");
	if ((f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "draw: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (parse(line, &a) == -1) {
			fprintf(stderr, "draw: %s:%d: bad line\n", argv[1],
			    lineno);
			bad++;
		} else if (draw_one(&a, argv[2]) == -1)
			bad++;
		else
			n++;
	}
	fclose(f);
	printf("draw: %d pictures in %s%s\n", n, argv[2],
	    bad ? ", with errors" : "");
	return bad ? 1 : 0;
}
