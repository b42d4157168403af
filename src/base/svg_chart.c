/*
 * svg_chart.c -- line and bar charts as inline SVG (base/svg_chart.h):
 * the y axis on a 1-2-5 scale that holds 0 and every value, a band per
 * point on the x axis, labels cut and escaped, <title>/<desc> for screen
 * readers. Appends to the caller's buffer; allocates nothing else.
 */
#include "base/base.h"
#include "base/svg_chart.h"

#define W_DEF		640
#define H_DEF		260
#define M_LEFT		48	/* room for the y labels */
#define M_RIGHT		12
#define M_TOP		20	/* room for the value labels */
#define M_BOTTOM	36	/* room for the x labels */
#define TICKS_MAX	6
#define LABEL_PX	56	/* the room one x label wants */
#define VALUES_MAX	24	/* value labels only up to this many points */

struct frame {
	double	 left, top, w, h;	/* the plot area */
	int64_t	 lo, hi, step;		/* the y axis */
	size_t	 every;			/* an x label every so many points */
};

static int
id_ok(const char *id)
{
	if (*id == '\0' || strlen(id) > 40)
		return 0;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
	    "VWXYZ0123456789_-") == strlen(id);
}

/* Text as element content: escaped, control characters dropped, at most
 * max characters (0: all), the rest as "…". */
static void
add_text(struct buf *b, const char *s, size_t max)
{
	const char	*p;
	size_t		 chars = 0, total = 0;

	if (s == NULL)
		return;
	for (p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			total++;
	for (p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80) {
			if (max > 0 && total > max && chars == max - 1) {
				buf_adds(b, "…");
				return;
			}
			chars++;
		}
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			continue;
		buf_add_html(b, p, 1);
	}
}

/* The 1-2-5 step that spans lo..hi in at most TICKS_MAX intervals. */
static int64_t
nice_step(int64_t span)
{
	int64_t	mag = 1;
	int	i;
	static const int64_t m[] = { 1, 2, 5 };

	for (;;) {
		for (i = 0; i < 3; i++)
			if (span <= m[i] * mag * TICKS_MAX)
				return m[i] * mag;
		if (mag > INT64_MAX / 100)
			return mag * 10;
		mag *= 10;
	}
}

static int64_t
floor_to(int64_t v, int64_t step)
{
	int64_t	q = v / step;

	if (v % step != 0 && v < 0)
		q--;
	return q * step;
}

static int64_t
ceil_to(int64_t v, int64_t step)
{
	int64_t	q = v / step;

	if (v % step != 0 && v > 0)
		q++;
	return q * step;
}

static int
frame_make(const struct svg_chart *ch, struct frame *f, int *any)
{
	int64_t	lo = 0, hi = 0;
	size_t	i, fit;
	int	w = ch->width > 0 ? ch->width : W_DEF;
	int	h = ch->height > 0 ? ch->height : H_DEF;

	*any = 0;
	for (i = 0; i < ch->npts; i++) {
		if (ch->pts[i].missing)
			continue;
		if (ch->pts[i].value < -(INT64_MAX / 4) ||
		    ch->pts[i].value > INT64_MAX / 4)
			return -1;
		if (ch->pts[i].value < lo)
			lo = ch->pts[i].value;
		if (ch->pts[i].value > hi)
			hi = ch->pts[i].value;
		*any = 1;
	}
	if (ch->fixed) {
		if (ch->ymin >= ch->ymax)
			return -1;
		lo = ch->ymin;
		hi = ch->ymax;
		f->step = nice_step(hi - lo);
	} else {
		if (lo == hi)
			hi = lo + 1;
		f->step = nice_step(hi - lo);
		lo = floor_to(lo, f->step);
		hi = ceil_to(hi, f->step);
	}
	f->lo = lo;
	f->hi = hi;
	f->left = M_LEFT;
	f->top = M_TOP;
	f->w = w - M_LEFT - M_RIGHT;
	f->h = h - M_TOP - M_BOTTOM;
	if (f->w < 40 || f->h < 40)
		return -1;
	fit = (size_t)(f->w / LABEL_PX);
	f->every = fit == 0 || ch->npts <= fit ? 1 :
	    (ch->npts + fit - 1) / fit;
	return 0;
}

static double
ypos(const struct frame *f, int64_t v)
{
	if (v < f->lo)
		v = f->lo;
	if (v > f->hi)
		v = f->hi;
	return f->top + f->h - (double)(v - f->lo) * f->h /
	    (double)(f->hi - f->lo);
}

/* The centre of point i's band. */
static double
xpos(const struct frame *f, size_t i, size_t n)
{
	return f->left + ((double)i + 0.5) * f->w / (double)n;
}

static void
value_text(struct buf *b, const struct svg_chart *ch, int64_t v)
{
	buf_printf(b, "%" PRId64, v);
	add_text(b, ch->unit, 0);
}

static void
open_svg(struct buf *b, const struct svg_chart *ch, const char *id)
{
	int	w = ch->width > 0 ? ch->width : W_DEF;
	int	h = ch->height > 0 ? ch->height : H_DEF;
	size_t	i;

	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"svg-chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
	    "height=\"%d\" role=\"img\" aria-labelledby=\"%s-t %s-d\" "
	    "font-size=\"12\" fill=\"currentColor\">", w, h, w, h, id, id);
	buf_printf(b, "<title id=\"%s-t\">", id);
	add_text(b, ch->title, 0);
	buf_printf(b, "</title><desc id=\"%s-d\">", id);
	if (ch->desc != NULL)
		add_text(b, ch->desc, 0);
	else
		for (i = 0; i < ch->npts; i++) {
			if (i > 0)
				buf_adds(b, "，");
			add_text(b, ch->pts[i].label, 0);
			buf_adds(b, " ");
			if (ch->pts[i].missing)
				buf_adds(b, "无数据");
			else
				value_text(b, ch, ch->pts[i].value);
		}
	buf_adds(b, "</desc>");
}

/* Gridlines with their values, the x axis at 0 (or the bottom), the x
 * labels, and "暂无数据" when there is nothing to draw. */
static void
axes(struct buf *b, const struct svg_chart *ch, const struct frame *f,
    int any)
{
	int64_t	v;
	size_t	i;
	double	y0;

	buf_adds(b, "<g class=\"svg-chart-grid\" stroke=\"currentColor\" "
	    "stroke-opacity=\"0.15\">");
	for (v = f->lo; v <= f->hi; v += f->step)
		buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>", f->left, ypos(f, v), f->left + f->w,
		    ypos(f, v));
	buf_adds(b, "</g><g class=\"svg-chart-y\" text-anchor=\"end\" "
	    "fill-opacity=\"0.7\">");
	for (v = f->lo; v <= f->hi; v += f->step)
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%" PRId64 "</text>",
		    f->left - 6, ypos(f, v) + 4, v);
	y0 = ypos(f, f->lo <= 0 && f->hi >= 0 ? 0 : f->lo);
	buf_printf(b, "</g><g class=\"svg-chart-axis\" stroke=\"currentColor\" "
	    "stroke-opacity=\"0.6\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	    "y2=\"%.1f\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	    "y2=\"%.1f\"/></g>", f->left, f->top, f->left, f->top + f->h,
	    f->left, y0, f->left + f->w, y0);
	buf_adds(b, "<g class=\"svg-chart-x\" text-anchor=\"middle\" "
	    "fill-opacity=\"0.7\">");
	for (i = 0; i < ch->npts; i += f->every) {
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">",
		    xpos(f, i, ch->npts), f->top + f->h + 18);
		add_text(b, ch->pts[i].label, SVG_LABEL_MAX);
		buf_adds(b, "</text>");
	}
	buf_adds(b, "</g>");
	if (!any)
		buf_printf(b, "<text class=\"svg-chart-empty\" x=\"%.1f\" "
		    "y=\"%.1f\" text-anchor=\"middle\" fill-opacity=\"0.6\">"
		    "暂无数据</text>", f->left + f->w / 2, f->top + f->h / 2);
}

/* A point's value above it, and its tooltip. */
static void
point_label(struct buf *b, const struct svg_chart *ch, const struct frame *f,
    size_t i, double x, double y)
{
	const struct svg_point	*p = &ch->pts[i];

	if (ch->npts <= VALUES_MAX) {
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		    "class=\"svg-chart-value\">", x, p->value < 0 &&
		    y + 16 < f->top + f->h ? y + 16 : y - 8);
		value_text(b, ch, p->value);
		buf_adds(b, "</text>");
	}
}

static int
check(const struct svg_chart *ch, const char **id)
{
	*id = ch->id != NULL ? ch->id : "chart";
	if (ch->title == NULL || *ch->title == '\0' || !id_ok(*id) ||
	    ch->npts > SVG_CHART_MAXPTS || (ch->npts > 0 && ch->pts == NULL))
		return -1;
	return 0;
}

int
svg_line_chart(const struct svg_chart *ch, struct buf *b)
{
	struct frame	 f;
	const char	*id;
	size_t		 i;
	int		 any, pen = 0;
	double		 x, y;

	if (check(ch, &id) == -1 || frame_make(ch, &f, &any) == -1)
		return -1;
	open_svg(b, ch, id);
	axes(b, ch, &f, any);
	buf_adds(b, "<path class=\"svg-chart-line\" fill=\"none\" "
	    "stroke-width=\"2.5\" style=\"stroke:var(--primary,#1677ff)\" d=\"");
	for (i = 0; i < ch->npts; i++) {
		if (ch->pts[i].missing) {
			pen = 0;
			continue;
		}
		buf_printf(b, "%s%.1f %.1f", pen ? " L" : (i ? " M" : "M"),
		    xpos(&f, i, ch->npts), ypos(&f, ch->pts[i].value));
		pen = 1;
	}
	buf_adds(b, "\"/><g class=\"svg-chart-points\" "
	    "style=\"fill:var(--primary,#1677ff)\">");
	for (i = 0; i < ch->npts; i++) {
		if (ch->pts[i].missing)
			continue;
		x = xpos(&f, i, ch->npts);
		y = ypos(&f, ch->pts[i].value);
		buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"><title>",
		    x, y);
		add_text(b, ch->pts[i].label, 0);
		buf_adds(b, " ");
		value_text(b, ch, ch->pts[i].value);
		buf_adds(b, "</title></circle>");
	}
	buf_adds(b, "</g><g fill=\"currentColor\">");
	for (i = 0; i < ch->npts; i++)
		if (!ch->pts[i].missing)
			point_label(b, ch, &f, i, xpos(&f, i, ch->npts),
			    ypos(&f, ch->pts[i].value));
	buf_adds(b, "</g></svg>");
	return 0;
}

int
svg_bar_chart(const struct svg_chart *ch, struct buf *b)
{
	struct frame	 f;
	const char	*id;
	size_t		 i;
	int		 any;
	double		 x, y, y0, bw;

	if (check(ch, &id) == -1 || frame_make(ch, &f, &any) == -1)
		return -1;
	open_svg(b, ch, id);
	axes(b, ch, &f, any);
	y0 = ypos(&f, f.lo <= 0 && f.hi >= 0 ? 0 : f.lo);
	bw = ch->npts > 0 ? f.w / (double)ch->npts * 0.6 : 0;
	buf_adds(b, "<g class=\"svg-chart-bars\" "
	    "style=\"fill:var(--primary,#1677ff)\">");
	for (i = 0; i < ch->npts; i++) {
		if (ch->pts[i].missing)
			continue;
		x = xpos(&f, i, ch->npts);
		y = ypos(&f, ch->pts[i].value);
		buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\"><title>", x - bw / 2, y < y0 ? y : y0, bw,
		    y < y0 ? y0 - y : y - y0);
		add_text(b, ch->pts[i].label, 0);
		buf_adds(b, " ");
		value_text(b, ch, ch->pts[i].value);
		buf_adds(b, "</title></rect>");
	}
	buf_adds(b, "</g><g fill=\"currentColor\">");
	for (i = 0; i < ch->npts; i++)
		if (!ch->pts[i].missing)
			point_label(b, ch, &f, i, xpos(&f, i, ch->npts),
			    ypos(&f, ch->pts[i].value));
	buf_adds(b, "</g></svg>");
	return 0;
}
