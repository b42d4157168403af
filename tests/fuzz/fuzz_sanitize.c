/*
 * fuzz_sanitize.c -- sanitize_html(), the allowlist HTML sanitizer.
 *
 * Besides memory safety, checks what sanitize.c promises ("the output is
 * safe to emit raw into a page", "keeps valid UTF-8 only and closes what
 * it opened", "tidy, balanced output") with an independent, strict reader
 * of the output:
 *   - valid UTF-8, no NUL, no C0/C1 controls but tab, LF, CR (san_text():
 *     "valid UTF-8 without controls"; attr_decode(): "invalid UTF-8 and
 *     controls dropped");
 *   - text holds no '<' or '>'; every '&' starts a character reference;
 *   - every tag is one of the allowed elements with only its allowed
 *     attributes, values double-quoted and escaped;
 *   - href is http(s) or relative without a scheme, img src is https or
 *     under /uploads/ (url_ok());
 *   - end tags match the open elements exactly, nothing is left open,
 *     nesting stays within DEPTH_MAX;
 *   - sanitizing the output again gives the same output (a fixed point:
 *     the output reads the same to the sanitizer as to what produced it).
 */
#include "fuzz_common.h"
#include "base/sanitize.h"

#define DEPTH_MAX	32	/* as in sanitize_int.h */

static const char *const elements[] = {
	"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3",
	"h4", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
	"img", "a", NULL
};

static struct buf	out, again;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	buf_init(&out, 0);
	buf_init(&again, 0);
	return 0;
}

static int
is_void(const char *n)
{
	return strcmp(n, "br") == 0 || strcmp(n, "img") == 0;
}

static int
known(const char *n)
{
	int	i;

	for (i = 0; elements[i] != NULL; i++)
		if (strcmp(elements[i], n) == 0)
			return 1;
	return 0;
}

static int
attr_allowed(const char *tag, const char *a)
{
	if (strcmp(tag, "a") == 0)
		return strcmp(a, "href") == 0 || strcmp(a, "rel") == 0;
	if (strcmp(tag, "img") == 0)
		return strcmp(a, "src") == 0 || strcmp(a, "alt") == 0 ||
		    strcmp(a, "width") == 0 || strcmp(a, "height") == 0;
	if (strcmp(tag, "td") == 0 || strcmp(tag, "th") == 0)
		return strcmp(a, "colspan") == 0 || strcmp(a, "rowspan") == 0;
	return 0;
}

/* '&' at p starts "&#39;" or "&name;": its length, or 0. */
static size_t
entity_len(const char *p, const char *end)
{
	const char	*s = p + 1;

	if (end - p >= 5 && memcmp(p, "&#39;", 5) == 0)
		return 5;
	if (s >= end || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' &&
	    *s <= 'Z') || (*s >= '0' && *s <= '9')))
		s++;
	if (s >= end || *s != ';')
		return 0;
	return (size_t)(s - p + 1);
}

/* Code points: no NUL, no controls but \t \n \r. */
static void
check_chars(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	CHECK(utf8_valid(s, n));
	for (i = 0; i < n; i++) {
		if (p[i] < 0x20)
			CHECKF(p[i] == '\t' || p[i] == '\n' || p[i] == '\r',
			    "control 0x%02x at %zu", p[i], i);
		CHECKF(p[i] != 0x7f, "DEL at %zu", i);
	}
}

/* The first C1 control (U+0080..U+009F) in s[0..n), or NULL. */
static const char *
find_c1(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i + 1 < n; i++)
		if ((unsigned char)s[i] == 0xc2 &&
		    (unsigned char)s[i + 1] < 0xa0)
			return s + i;
	return NULL;
}

/* The attribute value as the browser decodes it (we only emit the five). */
static char *
unescape(const char *v, size_t n)
{
	char	*o = xmalloc(n + 1), *w = o;
	size_t	 i;

	for (i = 0; i < n; ) {
		if (v[i] == '&') {
			if (n - i >= 5 && memcmp(v + i, "&amp;", 5) == 0) {
				*w++ = '&'; i += 5; continue;
			}
			if (n - i >= 4 && memcmp(v + i, "&lt;", 4) == 0) {
				*w++ = '<'; i += 4; continue;
			}
			if (n - i >= 4 && memcmp(v + i, "&gt;", 4) == 0) {
				*w++ = '>'; i += 4; continue;
			}
			if (n - i >= 6 && memcmp(v + i, "&quot;", 6) == 0) {
				*w++ = '"'; i += 6; continue;
			}
			if (n - i >= 5 && memcmp(v + i, "&#39;", 5) == 0) {
				*w++ = '\''; i += 5; continue;
			}
			CHECKF(0, "bare '&' in an attribute value");
		}
		*w++ = v[i++];
	}
	*w = '\0';
	return o;
}

static void
check_url(const char *tag, const char *attr, const char *u)
{
	size_t	n = strlen(u), k;

	CHECKF(n > 0, "empty %s", attr);
	CHECKF((unsigned char)u[0] > 0x20 && (unsigned char)u[n - 1] > 0x20,
	    "%s has leading/trailing space or control", attr);
	CHECKF(strpbrk(u, "\t\n\r") == NULL, "%s has tab/newline", attr);
	if (strncasecmp(u, "https://", 8) == 0)
		return;
	if (strcmp(tag, "img") == 0) {
		CHECKF(strncmp(u, "/uploads/", 9) == 0 &&
		    strstr(u, "..") == NULL, "img src '%s'", u);
		return;
	}
	if (strncasecmp(u, "http://", 7) == 0)
		return;
	k = strcspn(u, ":/?#");
	CHECKF(u[k] != ':', "href with a scheme: '%s'", u);
}

static void
check_output(const char *s, size_t n)
{
	const char	*p = s, *end = s + n, *q;
	char		 stack[DEPTH_MAX + 1][16], name[16], aname[16];
	int		 depth = 0, closing, seen;
	size_t		 k, el;

	check_chars(s, n);
	while (p < end) {
		if ((unsigned char)*p == 0xc2 && p + 1 < end)
			CHECKF((unsigned char)p[1] >= 0xa0, "C1 control "
			    "U+%04X in text at %zu", (unsigned char)p[1],
			    (size_t)(p - s));
		if (*p == '>')
			CHECKF(0, "raw '>' in text at %zu", (size_t)(p - s));
		if (*p == '&') {
			CHECKF((el = entity_len(p, end)) > 0,
			    "bare '&' in text at %zu", (size_t)(p - s));
			p += el;
			continue;
		}
		if (*p != '<') {
			p++;
			continue;
		}
		/* A tag, exactly as emit_start()/close_to() write them. */
		p++;
		closing = p < end && *p == '/';
		if (closing)
			p++;
		for (k = 0; p < end && ((*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9')); p++) {
			CHECK(k + 1 < sizeof(name));
			name[k++] = *p;
		}
		name[k] = '\0';
		CHECKF(known(name), "element '%s' at %zu", name,
		    (size_t)(p - s));
		seen = 0;
		while (p < end && *p == ' ') {
			p++;
			for (k = 0; p < end && *p >= 'a' && *p <= 'z'; p++) {
				CHECK(k + 1 < sizeof(aname));
				aname[k++] = *p;
			}
			aname[k] = '\0';
			CHECKF(!closing && attr_allowed(name, aname),
			    "attribute '%s' on <%s%s>", aname,
			    closing ? "/" : "", name);
			CHECK(end - p >= 2 && p[0] == '=' && p[1] == '"');
			p += 2;
			q = memchr(p, '"', (size_t)(end - p));
			CHECK(q != NULL);
			SOFT(find_c1(p, (size_t)(q - p)) == NULL,
			    "sanitize-attr-c1", "C1 control in %s of <%s>",
			    aname, name);
			CHECKF(memchr(p, '<', (size_t)(q - p)) == NULL &&
			    memchr(p, '>', (size_t)(q - p)) == NULL &&
			    memchr(p, '\'', (size_t)(q - p)) == NULL,
			    "unescaped markup in %s", aname);
			{
				char *v = unescape(p, (size_t)(q - p));

				if (strcmp(aname, "href") == 0 ||
				    strcmp(aname, "src") == 0)
					check_url(name, aname, v);
				else if (strcmp(aname, "rel") == 0)
					CHECK(strcmp(v, "noopener nofollow")
					    == 0);
				else if (strcmp(aname, "alt") != 0) {
					/* num_ok(): parse_i64 takes a '+'. */
					const char *d = v + (*v == '+');

					CHECKF(*d != '\0' && strspn(d,
					    "0123456789") == strlen(d),
					    "%s='%s'", aname, v);
				}
				free(v);
			}
			seen |= strcmp(aname, "src") == 0;
			p = q + 1;
		}
		CHECKF(p < end && *p == '>', "malformed tag <%s%s", closing ?
		    "/" : "", name);
		p++;
		if (strcmp(name, "img") == 0)
			CHECKF(seen, "img without src");
		if (is_void(name)) {
			/* "</br>" is written as "<br>", never an end tag. */
			CHECKF(!closing, "end tag of void <%s>", name);
			continue;
		}
		if (closing) {
			CHECKF(depth > 0 && strcmp(stack[depth - 1], name) == 0,
			    "</%s> does not close the open <%s>", name,
			    depth > 0 ? stack[depth - 1] : "(none)");
			depth--;
		} else {
			CHECKF(depth < DEPTH_MAX, "nested deeper than %d",
			    DEPTH_MAX);
			strcpy(stack[depth++], name);
		}
	}
	CHECKF(depth == 0, "<%s> left open", stack[depth - 1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in;

	if (size > SANITIZE_MAX)
		return 0;
	FUZZ_BEGIN(data, size);
	in = fuzz_dup(data, size);	/* no NUL after it */
	out.len = 0;
	CHECK(sanitize_html(in, size, &out) == 0);
	CHECK(out.p != NULL && out.p[out.len] == '\0');
	CHECK(strlen(out.p) == out.len);
	check_output(out.p, out.len);

	/* A fixed point: the output sanitizes to itself. */
	again.len = 0;
	CHECK(sanitize_html(out.p, out.len, &again) == 0);
	buf_cstr(&again);
	SOFT(again.len == out.len && memcmp(again.p, out.p, out.len) == 0,
	    "sanitize-fixpoint", "not a fixed point:\n  once:  %s\n  twice: %s",
	    out.p, again.p);
	free(in);
	return 0;
}
