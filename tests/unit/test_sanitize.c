/*
 * test_sanitize.c -- the description sanitizer: what stays, what goes,
 * and that the output is balanced, valid UTF-8 and bounded whatever the
 * input.
 */
#include "base/base.h"
#include "base/sanitize.h"

#include <setjmp.h>
#include <cmocka.h>

static struct buf	out;

/* The sanitized form of s (valid until the next call). */
static const char *
san(const char *s)
{
	out.len = 0;
	assert_int_equal(sanitize_html(s, strlen(s), &out), 0);
	return buf_cstr(&out);
}

static const char *
san_n(const char *s, size_t n)
{
	out.len = 0;
	assert_int_equal(sanitize_html(s, n, &out), 0);
	return buf_cstr(&out);
}

static int
setup(void **state)
{
	buf_init(&out, 256);
	return 0;
}

static int
teardown(void **state)
{
	buf_free(&out);
	return 0;
}

static void
test_allowed_stay(void **state)
{
	assert_string_equal(san("<p>好茶 <strong>特级</strong></p>"),
	    "<p>好茶 <strong>特级</strong></p>");
	assert_string_equal(san("<h3>产地</h3><ul><li>杭州</li></ul>"),
	    "<h3>产地</h3><ul><li>杭州</li></ul>");
	assert_string_equal(san("<P>Up<BR>case</P>"), "<p>Up<br>case</p>");
	assert_string_equal(san("a<br/>b<br />c"), "a<br>b<br>c");
	assert_string_equal(san("<table><thead><tr><th>规格</th></tr></thead>"
	    "<tbody><tr><td colspan=\"2\">250g</td></tr></tbody></table>"),
	    "<table><thead><tr><th>规格</th></tr></thead><tbody><tr>"
	    "<td colspan=\"2\">250g</td></tr></tbody></table>");
	assert_string_equal(san("<blockquote><em>i</em><i>i</i><u>u</u>"
	    "<b>b</b></blockquote>"),
	    "<blockquote><em>i</em><i>i</i><u>u</u><b>b</b></blockquote>");
	assert_string_equal(san("plain text"), "plain text");
	assert_string_equal(san(""), "");
}

static void
test_other_tags_keep_text(void **state)
{
	assert_string_equal(san("<div class=\"x\">文字<span>内</span></div>"),
	    "文字内");
	assert_string_equal(san("<h1>大标题</h1>"), "大标题");
	assert_string_equal(san("<form action=/x><input name=a>ok</form>"),
	    "ok");
	assert_string_equal(san("<!DOCTYPE html><!-- note -->x<?php y ?>z"),
	    "xz");
	assert_string_equal(san("<![CDATA[<script>]]>t"), "]]&gt;t");
}

static void
test_script_removed(void **state)
{
	assert_string_equal(san("a<script>alert(1)</script>b"), "ab");
	assert_string_equal(san("a<SCRIPT type=x>alert('</p>')</SCRIPT >b"),
	    "ab");
	assert_string_equal(san("a<style>p{color:red}</style>b"), "ab");
	assert_string_equal(san("a<iframe src=//evil><p>x</p></iframe>b"),
	    "ab");
	assert_string_equal(san("a<object><param><object>in</object>x"
	    "</object>b"), "ab");
	assert_string_equal(san("a<svg><script>alert(1)</script></svg>b"),
	    "ab");
	assert_string_equal(san("<math><mi xlink:href=javascript:1>x</mi>"
	    "</math>ok"), "ok");
	/* Unclosed: everything after it goes, as the browser would hide it. */
	assert_string_equal(san("a<script>alert(1)"), "a");
	assert_string_equal(san("<scr<script>ipt>alert(1)</script>"),
	    "ipt&gt;alert(1)");
	assert_string_equal(san("<scri<b>pt>alert(1)</scri</b>pt>"),
	    "pt&gt;alert(1)pt&gt;");
	assert_string_equal(san("<noscript><p title=\"</noscript><img src=x "
	    "onerror=alert(1)>\"></noscript>z"), "\"&gt;z");
	assert_string_equal(san("x<plaintext><b>y"), "x");
	assert_string_equal(san("<textarea><script>1</script></textarea>t"),
	    "t");
}

static void
test_event_and_style_attributes(void **state)
{
	assert_string_equal(san("<p onclick=\"alert(1)\" style=\"x\">t</p>"),
	    "<p>t</p>");
	assert_string_equal(san("<img src=/uploads/1/a.jpg onerror=alert(1) "
	    "alt=\"图\">"), "<img src=\"/uploads/1/a.jpg\" alt=\"图\">");
	assert_string_equal(san("<b/onmouseover=alert(1)>x</b>"), "<b>x</b>");
	assert_string_equal(san("<p\nONLOAD=x class=y id=z>t"), "<p>t</p>");
	/* A quoted '>' does not end the tag. */
	assert_string_equal(san("<p title=\"a>b\" onclick='c>d'>t</p>"),
	    "<p>t</p>");
	/* An unfinished tag at the end is dropped whole. */
	assert_string_equal(san("ok<img src=/uploads/a.png onerror=\"x"),
	    "ok");
	assert_string_equal(san("ok<p"), "ok");
}

static void
test_links(void **state)
{
	assert_string_equal(san("<a href=\"https://example.com/?a=1&amp;b=2\" "
	    "target=_blank>x</a>"),
	    "<a href=\"https://example.com/?a=1&amp;b=2\" "
	    "rel=\"noopener nofollow\">x</a>");
	assert_string_equal(san("<a href=/s/demo/wholesale/products>x</a>"),
	    "<a href=\"/s/demo/wholesale/products\" "
	    "rel=\"noopener nofollow\">x</a>");
	assert_string_equal(san("<a href='http://a.cn' rel=opener>x</a>"),
	    "<a href=\"http://a.cn\" rel=\"noopener nofollow\">x</a>");
	assert_string_equal(san("<a href=\"#spec\">x</a>"),
	    "<a href=\"#spec\" rel=\"noopener nofollow\">x</a>");
}

static void
test_javascript_urls(void **state)
{
	static const char *const bad[] = {
		"javascript:alert(1)", "JaVaScRiPt:alert(1)",
		" javascript:alert(1)", "java\tscript:alert(1)",
		"java&#x09;script:alert(1)", "javascript&#58;alert(1)",
		"&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)",
		"jav&#x0A;ascript:alert(1)", "\x01javascript:alert(1)",
		"vbscript:msgbox(1)",
		"data:text/html,<script>alert(1)</script>",
		"javascript&colon;alert(1)", "mailto:a@b.c",
		"https://", "http:///x", "",
	};
	char	in[256], want[512];
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(in, sizeof(in), "<a href=\"%s\">x</a>", bad[i]);
		san(in);
		if (strstr(bad[i], "&colon;") != NULL) {
			/* Not decoded: stays a harmless relative link. */
			assert_non_null(strstr(out.p, "href=\"javascript&amp;"
			    "colon;alert(1)\""));
			continue;
		}
		assert_string_equal(out.p,
		    "<a rel=\"noopener nofollow\">x</a>");
		snprintf(in, sizeof(in), "<img src=\"%s\">x", bad[i]);
		assert_string_equal(san(in), "x");
	}
	/* Images: https or our own uploads only. */
	assert_string_equal(san("<img src=http://a.cn/x.png>"), "");
	assert_string_equal(san("<img src=/admin/logout>"), "");
	assert_string_equal(san("<img src=/uploads/../admin>"), "");
	assert_string_equal(san("<img src=//evil.cn/x.png>"), "");
	assert_string_equal(san("<img src=\"https://cdn.cn/x.png\" width=300 "
	    "height=\"2e3\">"),
	    "<img src=\"https://cdn.cn/x.png\" width=\"300\">");
	snprintf(want, sizeof(want), "%s", "<img src=\"/uploads/7/ab.png\" "
	    "alt=\"&quot;&lt;x&gt;\">");
	assert_string_equal(san("<img alt='\"<x>' src=/uploads/7/ab.png>"),
	    want);
}

static void
test_nesting_and_balance(void **state)
{
	assert_string_equal(san("<b><i>x</b>y</i>"), "<b><i>x</i></b>y");
	assert_string_equal(san("<p>one<p>two"), "<p>one</p><p>two</p>");
	assert_string_equal(san("<ul><li>a<li>b</ul>"),
	    "<ul><li>a</li><li>b</li></ul>");
	assert_string_equal(san("</p></b>x</li>"), "x");
	assert_string_equal(san("<table><tr><td>a<td>b<tr><td>c</table>"),
	    "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr>"
	    "</table>");
	assert_string_equal(san("<a href=/x>1<a href=/y>2</a>"),
	    "<a href=\"/x\" rel=\"noopener nofollow\">1</a>"
	    "<a href=\"/y\" rel=\"noopener nofollow\">2</a>");
	/* A cell's p does not close what is outside the table. */
	assert_string_equal(san("<p>x<table><tr><td>y</p>z</td></tr></table>"),
	    "<p>x</p><table><tr><td>yz</td></tr></table>");
	assert_string_equal(san("<strong><em>open"),
	    "<strong><em>open</em></strong>");
	/* A new section ends the open one, not only its row (fuzzed). */
	assert_string_equal(san("<tbody><tr><tbody>"),
	    "<tbody><tr></tr></tbody><tbody></tbody>");
	assert_string_equal(san("<table><thead><tr><th>h<tbody><tr><td>d"
	    "</table>"), "<table><thead><tr><th>h</th></tr></thead><tbody>"
	    "<tr><td>d</td></tr></tbody></table>");
	/* ... and the output is stable: sanitizing it again changes nothing. */
	{
		char	*once = strdup(san("<table><tbody><tr><td>x<tbody><tr>"
		    "<td>y"));

		assert_string_equal(san(once), once);
		free(once);
	}
}

static void
test_deep_nesting(void **state)
{
	struct buf	 in;
	const char	*s;
	int		 i, opens = 0, closes = 0;

	buf_init(&in, 0);
	for (i = 0; i < 5000; i++)
		buf_adds(&in, "<b>");
	buf_adds(&in, "deep");
	san_n(in.p, in.len);
	for (s = out.p; (s = strstr(s, "<b>")) != NULL; s++)
		opens++;
	for (s = out.p; (s = strstr(s, "</b>")) != NULL; s++)
		closes++;
	assert_true(opens > 0 && opens <= 64);
	assert_int_equal(opens, closes);
	assert_non_null(strstr(out.p, "deep"));
	buf_free(&in);
}

static void
test_entities(void **state)
{
	assert_string_equal(san("a & b &amp; c &lt;d&gt; &copy; &#20013;"),
	    "a &amp; b &amp; c &lt;d&gt; &copy; 中");
	assert_string_equal(san("&#60;script&#62;"), "&lt;script&gt;");
	assert_string_equal(san("&#x3C;b&#x3e;"), "&lt;b&gt;");
	assert_string_equal(san("x&#0;y&#xD800;z&#1114112;"), "xyz");
	assert_string_equal(san("&#38"), "&amp;");
	assert_string_equal(san("&#;&#x;&;& ;"),
	    "&amp;#;&amp;#x;&amp;;&amp; ;");
	assert_string_equal(san("1 < 2 > 0"), "1 &lt; 2 &gt; 0");
	assert_string_equal(san("<<b>>"), "&lt;<b>&gt;</b>");
	assert_string_equal(san("a</>b</3>c"), "abc");
	assert_string_equal(san("<p title=\"&quot;&#39;&amp;\">t</p>"),
	    "<p>t</p>");
}

static void
test_utf8(void **state)
{
	/* Invalid bytes, overlong forms and surrogates go; the rest stays. */
	assert_string_equal(san_n("a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d", 11),
	    "abcd");
	assert_string_equal(san("中文\xe4\xb8"), "中文");
	assert_string_equal(san("😀 ok"), "😀 ok");
	assert_string_equal(san_n("a\0b\x01" "c\x7f" "d\xc2\x85" "e", 11),
	    "abcde");
	assert_string_equal(san("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
	assert_true(utf8_valid(san("<img alt=\"\xff\xfe\" src=/uploads/a>"),
	    out.len));
	assert_string_equal(out.p, "<img src=\"/uploads/a\" alt=\"\">");
	/* C1 controls go from attributes as from text (fuzzed). */
	assert_string_equal(san("<a href=\xc2\x8e>x</a>"),
	    "<a rel=\"noopener nofollow\">x</a>");
	assert_string_equal(san("<img src=/uploads/a alt=\"a\xc2\x9f" "b"
	    "\xc2\xa0" "c\">"),
	    "<img src=\"/uploads/a\" alt=\"ab\xc2\xa0" "c\">");
}

static void
test_comments(void **state)
{
	assert_string_equal(san("a<!-- <script>x</script> -->b"), "ab");
	assert_string_equal(san("a<!-->b"), "ab");
	assert_string_equal(san("a<!--->b"), "ab");
	assert_string_equal(san("a<!-- x --!>b"), "ab");
	assert_string_equal(san("a<!-- never closed <p>x"), "a");
	assert_string_equal(san("a<!-- - -- --->b"), "ab");
}

static void
test_long_input(void **state)
{
	struct buf	 in;
	size_t		 i;

	/* Up to the limit is fine; the output stays valid and bounded. */
	buf_init(&in, SANITIZE_MAX + 16);
	for (i = 0; in.len + 16 < SANITIZE_MAX; i++)
		buf_adds(&in, i % 3 ? "<p>&<x>中" : "<!---->\"&#1;");
	san_n(in.p, in.len);
	assert_true(out.len < 8 * in.len);
	assert_true(utf8_valid(out.p, out.len));
	/* Over it: refused, nothing written. */
	while (in.len <= SANITIZE_MAX)
		buf_adds(&in, "xxxxxxxx");
	out.len = 0;
	assert_int_equal(sanitize_html(in.p, in.len, &out), -1);
	assert_int_equal(out.len, 0);
	/* Many unclosed comments and tags: linear, not quadratic. */
	in.len = 0;
	while (in.len + 8 < SANITIZE_MAX)
		buf_adds(&in, "<!-- -");
	san_n(in.p, in.len);
	assert_string_equal(out.p, "");
	in.len = 0;
	while (in.len + 16 < SANITIZE_MAX)
		buf_adds(&in, "<script></scrip");
	san_n(in.p, in.len);
	assert_string_equal(out.p, "");
	buf_free(&in);
}

/*
 * Every tag of the output is an allowed one, written our way: lower case,
 * attributes from the allowlist, double-quoted, nothing raw inside.
 */
static void
check_markup(const char *s)
{
	static const char *const elems[] = { "p", "br", "strong", "b", "em",
	    "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote", "table",
	    "thead", "tbody", "tr", "th", "td", "img", "a", NULL };
	static const char *const attrs[] = { "href", "rel", "src", "alt",
	    "width", "height", "colspan", "rowspan", NULL };
	char	 name[16];
	size_t	 n;
	int	 i, ok;

	while ((s = strchr(s, '<')) != NULL) {
		s++;
		if (*s == '/')
			s++;
		n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789");
		assert_true(n > 0 && n < sizeof(name));
		memcpy(name, s, n);
		name[n] = '\0';
		for (ok = 0, i = 0; elems[i] != NULL; i++)
			ok |= strcmp(elems[i], name) == 0;
		assert_true(ok);
		s += n;
		while (*s == ' ') {
			s++;
			n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
			memcpy(name, s, n < sizeof(name) ? n : 0);
			name[n < sizeof(name) ? n : 0] = '\0';
			for (ok = 0, i = 0; attrs[i] != NULL; i++)
				ok |= strcmp(attrs[i], name) == 0;
			assert_true(ok);
			s += n;
			assert_true(s[0] == '=' && s[1] == '"');
			s += 2;
			n = strcspn(s, "\"<>");
			assert_int_equal(s[n], '"');
			if (!strcmp(name, "href") || !strcmp(name, "src"))
				assert_true(strncasecmp(s, "javascript", 10)
				    != 0);
			s += n + 1;
		}
		assert_int_equal(*s, '>');
	}
}

/* Random strings of markup-heavy pieces: never unsafe output. */
static void
test_fuzz(void **state)
{
	static const char *const pieces[] = {
		"<", ">", "</", "<p>", "</p>", "<a href=", "javascript:", "\"",
		"'", "<script>", "</script>", "<img src=", "/uploads/", "&",
		"&#", "x", "中", "\xff", "<!--", "-->", " on", "click=", "<td>",
		"<table>", "<svg>", "=", "/", "\n", "<style>", "<b>", "</b",
		"<li>", "&quot;", "&#60;", " ", "<img src=https://a.cn/x ",
	};
	struct buf	 in;
	unsigned int	 seed = 12345;
	int		 round, i;

	buf_init(&in, 0);
	for (round = 0; round < 5000; round++) {
		in.len = 0;
		for (i = 0; i < 40; i++) {
			seed = seed * 1103515245 + 12345;
			buf_adds(&in, pieces[(seed >> 16) %
			    (sizeof(pieces) / sizeof(pieces[0]))]);
		}
		san_n(in.p, in.len);
		assert_true(utf8_valid(out.p, out.len));
		check_markup(out.p);
	}
	buf_free(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed_stay),
		cmocka_unit_test(test_other_tags_keep_text),
		cmocka_unit_test(test_script_removed),
		cmocka_unit_test(test_event_and_style_attributes),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_javascript_urls),
		cmocka_unit_test(test_nesting_and_balance),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
