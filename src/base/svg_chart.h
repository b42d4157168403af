/*
 * svg_chart.h -- small charts drawn on the server as inline SVG
 * (base/svg_chart.c): a line or a bar chart of labelled integer values,
 * with axes, gridlines, value and category labels, and an accessible
 * <title> and <desc>. No script, no external font or CDN: the text is
 * the page's font, so CJK labels show as the page shows them. Colours
 * come from CSS (currentColor for axes and text, var(--primary) for the
 * series), so one chart fits a light and a dark theme alike.
 *
 * Usage:
 *	struct svg_point pts[] = { { "1月", 40, 0 }, { "2月", 0, 1 },
 *	    { "3月", -12, 0 } };
 *	struct svg_chart ch = { .id = "nps-trend", .title = "NPS 月度趋势",
 *	    .pts = pts, .npts = 3 };
 *	struct buf b;
 *	buf_init(&b, 1024);
 *	if (svg_line_chart(&ch, &b) == 0)
 *		... buf_cstr(&b) is the <svg> element, to put in a page
 *		    unescaped ({{{chart}}}): every text in it is escaped ...
 *	buf_free(&b);
 *
 * The caller owns the buffer; the functions append to it. Strings are
 * UTF-8; labels longer than SVG_LABEL_MAX characters are cut with "…".
 */
#ifndef BASE_SVG_CHART_H
#define BASE_SVG_CHART_H

#include "base/base.h"

#define SVG_CHART_MAXPTS	400	/* more is refused (-1) */
#define SVG_LABEL_MAX		12	/* characters of a category label */

struct svg_point {
	const char	*label;		/* category (x axis); NULL: "" */
	int64_t		 value;
	int		 missing;	/* no value: a gap in the line, no bar */
};

struct svg_chart {
	const char	*id;		/* prefix of the element ids (title,
					 * desc), [A-Za-z0-9_-]; NULL: "chart" */
	const char	*title;		/* <title>, required */
	const char	*desc;		/* <desc>; NULL: "label value, ..." */
	const char	*unit;		/* after each value label; NULL: "" */
	int		 width;		/* viewBox size; 0: 640 */
	int		 height;	/* 0: 260 */
	int		 fixed;		/* 1: the y axis is ymin..ymax */
	int64_t		 ymin, ymax;	/* else from the data, 0 included */
	const struct svg_point *pts;
	size_t		 npts;
};

/*
 * Append the chart as one <svg> element to b: 0, or -1 when the chart
 * cannot be drawn (no title, too many points, an id with other
 * characters, a fixed range that is empty); b is unchanged then. No
 * points, or all missing, draws the axes and "暂无数据".
 */
int		 svg_line_chart(const struct svg_chart *, struct buf *);
int		 svg_bar_chart(const struct svg_chart *, struct buf *);

#endif /* BASE_SVG_CHART_H */
