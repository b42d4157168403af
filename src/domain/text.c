/*
 * text.c -- what people type, as the catalog's checks need it: trimmed,
 * checked for control characters, full-width signs made ASCII, quoted
 * shortly in a message, or as a JSON string in a statement.
 */
#include "base/base.h"
#include "domain/text.h"

/* An arena copy of s without the bytes of ws at either end. */
char *
text_trim(struct arena *a, const char *s, const char *ws)
{
	size_t	n;

	s += strspn(s, ws);
	n = strlen(s);
	while (n > 0 && strchr(ws, s[n - 1]) != NULL)
		n--;
	return arena_strndup(a, s, n);
}

/* A user's value in a message: at most max characters, then "…". */
const char *
text_shown(struct arena *a, const char *s, int max)
{
	const char	*p = s;
	int		 n = 0;

	while (*p != '\0' && n < max) {
		p++;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		n++;
	}
	if (*p == '\0')
		return s;
	return arena_printf(a, "%.*s…", (int)(p - s), s);
}

/* Control characters; multiline allows newlines and tabs. */
int
text_has_control(const char *s, int multiline)
{
	unsigned char	c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (multiline && (c == '\n' || c == '\r' || c == '\t'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return 1;
	}
	return 0;
}

/* Replace every occurrence of from (a full-width sign) by the byte to. */
void
text_replace(char *s, const char *from, char to)
{
	size_t	 n = strlen(from);
	char	*p, *o;

	for (p = o = s; *p != '\0';) {
		if (strncmp(p, from, n) == 0) {
			*o++ = to;
			p += n;
		} else
			*o++ = *p++;
	}
	*o = '\0';
}

/* s as a JSON string, for a statement that reads JSON. */
void
text_json(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		if ((unsigned char)*s < 0x20)
			buf_printf(b, "\\u%04x", (unsigned char)*s);
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '"');
}
