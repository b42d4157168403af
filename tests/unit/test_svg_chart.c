/* test_svg_chart.c -- the server's SVG charts (base/svg_chart.c): the
 * title and description for screen readers, escaped text, CJK labels cut
 * by characters, the y axis holding 0 and negative values, gaps for
 * missing points, and the charts it refuses. */
#include "base/base.h"
#include "base/svg_chart.h"

#include <setjmp.h>
#include <cmocka.h>

static char *
draw(int bar, const struct svg_chart *ch, int *rc)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 256);
	*rc = bar ? svg_bar_chart(ch, &b) : svg_line_chart(ch, &b);
	s = strdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static int
count(const char *s, const char *what)
{
	int	n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

static void
test_line_accessible_and_escaped(void **state)
{
	struct svg_point pts[] = {
		{ "2026-01", 40, 0 }, { "<b>&\"", -20, 0 }, { "三月", 10, 0 },
	};
	struct svg_chart ch = { .id = "nps", .title = "NPS <趋势>",
	    .unit = "%", .pts = pts, .npts = 3 };
	char	*s;
	int	 rc;

	(void)state;
	s = draw(0, &ch, &rc);
	assert_int_equal(rc, 0);
	assert_true(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"",
	    39) == 0);
	assert_non_null(strstr(s, "role=\"img\""));
	assert_non_null(strstr(s, "aria-labelledby=\"nps-t nps-d\""));
	assert_non_null(strstr(s, "<title id=\"nps-t\">NPS &lt;趋势&gt;"
	    "</title>"));
	/* The description says every value, escaped. */
	assert_non_null(strstr(s, "<desc id=\"nps-d\">2026-01 40%，"
	    "&lt;b&gt;&amp;&quot; -20%，三月 10%</desc>"));
	assert_null(strstr(s, "<b>"));
	assert_null(strstr(s, "<script"));
	/* One path, three points, -20 fits: the axis goes below 0. */
	assert_int_equal(count(s, "<path "), 1);
	assert_int_equal(count(s, "<circle "), 3);
	assert_non_null(strstr(s, ">-20</text>"));
	assert_non_null(strstr(s, ">0</text>"));
	assert_non_null(strstr(s, "</svg>"));
	assert_int_equal(count(s, "<svg"), 1);
	free(s);
}

static void
test_gap_and_empty(void **state)
{
	struct svg_point pts[] = {
		{ "1月", 5, 0 }, { "2月", 0, 1 }, { "3月", 7, 0 },
	};
	struct svg_point none[] = { { "1月", 0, 1 } };
	struct svg_chart ch = { .title = "t", .pts = pts, .npts = 3 };
	char	*s;
	int	 rc;

	(void)state;
	s = draw(0, &ch, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(s, "aria-labelledby=\"chart-t chart-d\""));
	/* Two moves: the line breaks at the missing month. */
	assert_int_equal(count(s, " M"), 1);
	assert_int_equal(count(s, "<circle "), 2);
	assert_non_null(strstr(s, "2月 无数据"));
	assert_null(strstr(s, "暂无数据"));
	free(s);
	ch.pts = none;
	ch.npts = 1;
	s = draw(1, &ch, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(s, "暂无数据"));
	assert_int_equal(count(s, "<rect "), 0);
	free(s);
	ch.npts = 0;
	ch.pts = NULL;
	s = draw(0, &ch, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(s, "暂无数据"));
	free(s);
}

static void
test_bars_and_labels(void **state)
{
	struct svg_point pts[] = {
		{ "饮料矿泉水纯净水苏打水气泡水", 12, 0 }, { "粮油", 3, 0 },
		{ "日化", 0, 0 },
	};
	struct svg_chart ch = { .id = "vol", .title = "工单量",
	    .desc = "每类工单数", .pts = pts, .npts = 3 };
	char	*s;
	int	 rc;

	(void)state;
	s = draw(1, &ch, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(count(s, "<rect "), 3);
	assert_non_null(strstr(s, "<desc id=\"vol-d\">每类工单数</desc>"));
	/* Cut to 12 characters on the axis (11 and "…"), whole in the
	 * bar's tooltip. */
	assert_non_null(strstr(s, ">饮料矿泉水纯净水苏打水…</text>"));
	assert_non_null(strstr(s, "<title>饮料矿泉水纯净水苏打水气泡水 12"
	    "</title>"));
	assert_non_null(strstr(s, ">12</text>"));
	free(s);
}

static void
test_fixed_range(void **state)
{
	struct svg_point pts[] = { { "a", 100, 0 }, { "b", -100, 0 } };
	struct svg_chart ch = { .title = "NPS", .fixed = 1, .ymin = -100,
	    .ymax = 100, .pts = pts, .npts = 2 };
	char	*s;
	int	 rc;

	(void)state;
	s = draw(0, &ch, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(s, ">-100</text>"));
	assert_non_null(strstr(s, ">-50</text>"));
	assert_non_null(strstr(s, ">100</text>"));
	free(s);
}

static void
test_refused(void **state)
{
	struct svg_point pts[] = { { "a", 1, 0 } };
	struct svg_chart ch = { .title = "t", .pts = pts, .npts = 1 };
	struct buf	 b;

	(void)state;
	buf_init(&b, 16);
	ch.title = NULL;
	assert_int_equal(svg_line_chart(&ch, &b), -1);
	ch.title = "t";
	ch.id = "x\" onload=\"alert(1)";
	assert_int_equal(svg_bar_chart(&ch, &b), -1);
	ch.id = NULL;
	ch.fixed = 1;
	ch.ymin = ch.ymax = 5;
	assert_int_equal(svg_line_chart(&ch, &b), -1);
	ch.fixed = 0;
	ch.npts = SVG_CHART_MAXPTS + 1;
	assert_int_equal(svg_line_chart(&ch, &b), -1);
	ch.npts = 1;
	ch.width = 30;
	assert_int_equal(svg_line_chart(&ch, &b), -1);
	assert_int_equal(b.len, 0);	/* nothing written on a refusal */
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_accessible_and_escaped),
		cmocka_unit_test(test_gap_and_empty),
		cmocka_unit_test(test_bars_and_labels),
		cmocka_unit_test(test_fixed_range),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
