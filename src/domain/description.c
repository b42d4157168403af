/*
 * description.c -- a product's description between the CSV file's plain
 * text and the database's HTML, both ways: import escapes all text (no
 * HTML from a file reaches a page), export turns the admin's HTML back
 * into paragraphs and lines.
 */
#include "base/base.h"
#include "domain/import.h"

/*
 * Plain text to HTML: paragraphs (split at blank lines) become <p>, line
 * breaks inside them <br>, and all text is escaped.
 */
const char *
desc_html(struct arena *a, const char *s)
{
	struct buf	 b;
	const char	*line, *end;
	size_t		 n;
	int		 in_par = 0;
	char		*out;

	buf_init(&b, strlen(s) + 64);
	for (line = s; *line != '\0'; line = end) {
		n = strcspn(line, "\r\n");
		end = line + n;
		if (*end == '\r' && end[1] == '\n')
			end += 2;
		else if (*end != '\0')
			end++;
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		if (strspn(line, " \t") >= n) {		/* blank: a break */
			if (in_par)
				buf_adds(&b, "</p>");
			in_par = 0;
			continue;
		}
		buf_adds(&b, in_par ? "<br>" : "<p>");
		in_par = 1;
		buf_add_html(&b, line, n);
	}
	if (in_par)
		buf_adds(&b, "</p>");
	out = arena_strndup(a, b.len ? b.p : "", b.len);
	buf_free(&b);
	return out;
}

static void
add_utf8(struct buf *b, unsigned long cp)
{
	if (cp < 0x80)
		buf_addc(b, (char)cp);
	else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | cp >> 6));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | cp >> 12));
		buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | cp >> 18));
		buf_addc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decode the entity at s into b; returns the bytes read, 0: not one. */
static size_t
entity(struct buf *b, const char *s)
{
	static const struct { const char *name; const char *text; } named[] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
		{ "&quot;", "\"" }, { "&#39;", "'" }, { "&apos;", "'" },
		{ "&nbsp;", " " },
	};
	unsigned long	 cp;
	size_t		 i;
	char		*end;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strncmp(s, named[i].name, strlen(named[i].name)) == 0) {
			buf_adds(b, named[i].text);
			return strlen(named[i].name);
		}
	if (s[1] != '#')
		return 0;
	if (s[2] == 'x' || s[2] == 'X')
		cp = strtoul(s + 3, &end, 16);
	else
		cp = strtoul(s + 2, &end, 10);
	if (*end != ';' || !isxdigit((unsigned char)s[2 + (s[2] == 'x' ||
	    s[2] == 'X')]) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	add_utf8(b, cp < 0x20 || cp == 0x7f ? ' ' : cp);
	return (size_t)(end + 1 - s);
}

/* Newlines a tag stands for in text: 2 ends a block, 1 is <br>. */
static int
tag_breaks(const char *name, size_t n)
{
	static const char *blocks[] = { "p", "div", "li", "ul", "ol", "h1",
		"h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote",
		"pre", "section", "article", "hr" };
	size_t	i;

	if (n == 2 && strncasecmp(name, "br", 2) == 0)
		return 1;
	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (strlen(blocks[i]) == n && strncasecmp(name, blocks[i],
		    n) == 0)
			return 2;
	return 0;
}

static void
rstrip(struct buf *b)
{
	while (b->len > 0 && b->p[b->len - 1] == ' ')
		b->len--;
}

/* Back to plain text: blocks make blank lines, <br> a newline, other tags
 * go, entities are decoded. desc_html(desc_text(h)) == h for its own h. */
char *
desc_text(struct arena *a, const char *h)
{
	struct buf	 b;
	const char	*e;
	char		*out;
	int		 brk = 0, k;
	size_t		 n;

	buf_init(&b, strlen(h) + 1);
	while (*h != '\0') {
		k = h[1] == '/' ? 2 : 1;
		if (*h == '<' && isalpha((unsigned char)h[k]) &&
		    (e = strchr(h, '>')) != NULL) {
			n = strspn(h + k, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
			if ((k = tag_breaks(h + k, n)) == 2)
				brk = 2;
			else if (k == 1)
				brk = brk < 2 ? brk + 1 : 2;
			h = e + 1;
			continue;
		}
		if (*h == ' ' || *h == '\t' || *h == '\r' || *h == '\n') {
			if (brk == 0 && b.len > 0)
				buf_addc(&b, ' ');
			h++;
			continue;
		}
		if (brk > 0 && b.len > 0) {
			rstrip(&b);
			buf_add(&b, "\n\n", (size_t)brk);
		}
		brk = 0;
		if (*h == '&' && (n = entity(&b, h)) > 0)
			h += n;
		else
			buf_addc(&b, *h++);
	}
	rstrip(&b);
	out = arena_strndup(a, b.len ? b.p : "", b.len);
	buf_free(&b);
	return out;
}
