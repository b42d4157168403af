/*
 * util.c -- allocation that cannot fail (it aborts, the master respawns the
 * worker), number parsing for outside input, and small string helpers.
 */
#include "base/base.h"

#include <sodium.h>

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n ? n : 1)) == NULL) {
		log_warnx("out of memory (%zu bytes)", n);
		abort();
	}
	return p;
}

void *
xcalloc(size_t nmemb, size_t n)
{
	void	*p;

	if ((p = calloc(nmemb ? nmemb : 1, n ? n : 1)) == NULL) {
		log_warnx("out of memory (%zu x %zu bytes)", nmemb, n);
		abort();
	}
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void	*p;

	if ((p = realloc(old, n ? n : 1)) == NULL) {
		log_warnx("out of memory (%zu bytes)", n);
		abort();
	}
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * Parse a whole decimal integer in [min, max]. Returns 0, or -1 with *errstr
 * set to a short reason fit for a user ("不是整数", "太小", "太大").
 */
int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out,
    const char **errstr)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
		*errstr = "不是整数";
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		*errstr = "不是整数";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "太小";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "太大";
		return -1;
	}
	*out = v;
	return 0;
}

/* Decode %XX in place, and '+' as space for form encoding. */
size_t
url_decode(char *s, size_t n, int form)
{
	size_t	 i, o;
	int	 hi, lo;

	for (i = o = 0; i < n; i++) {
		if (s[i] == '+' && form)
			s[o++] = ' ';
		else if (s[i] == '%' && i + 2 < n &&
		    (hi = hexval(s[i + 1])) != -1 &&
		    (lo = hexval(s[i + 2])) != -1) {
			s[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

/* Is s exactly n hex digits? Tokens from clients are checked with it. */
int
hex_valid(const char *s, size_t n)
{
	size_t	i;

	if (s == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (hexval((unsigned char)s[i]) == -1)
			return 0;
	return s[n] == '\0';
}

/* The index of s in names[0..n), or -1 (s NULL or not there). */
int
name_pos(const char *const *names, int n, const char *s)
{
	int	i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Is name one of the comma-separated names in list (whole names only)? */
int
name_in_list(const char *list, const char *name)
{
	size_t	n;

	if (list == NULL || name == NULL || *name == '\0')
		return 0;
	n = strlen(name);
	while (*list) {
		if (strncmp(list, name, n) == 0 && (list[n] == ',' ||
		    list[n] == '\0'))
			return 1;
		if ((list = strchr(list, ',')) == NULL)
			break;
		list++;
	}
	return 0;
}


int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* nbytes (at most 64) random bytes as 2 * nbytes hex digits in out. */
int
random_hex(char *out, size_t nbytes)
{
	unsigned char	b[64];

	if (nbytes > sizeof(b))
		return -1;
	randombytes_buf(b, nbytes);
	hex_encode(b, nbytes, out);
	return 0;
}

/* Constant-time comparison of two NUL-terminated secrets. */
int
str_eq_ct(const char *a, const char *b)
{
	size_t		 la = strlen(a), lb = strlen(b), i;
	unsigned char	 d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* Is s valid UTF-8 (no overlongs, no surrogates)? */
int
utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s, *e = p + n;
	unsigned int		 c;
	int			 k;

	while (p < e) {
		c = *p++;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			k = 1;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3;
		else
			return 0;
		if (e - p < k)
			return 0;
		if (k == 2 && ((c == 0xe0 && p[0] < 0xa0) ||
		    (c == 0xed && p[0] > 0x9f)))
			return 0;
		if (k == 3 && ((c == 0xf0 && p[0] < 0x90) ||
		    (c == 0xf4 && p[0] > 0x8f)))
			return 0;
		while (k-- > 0)
			if ((*p++ & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Characters (code points) in a valid UTF-8 string. */
size_t
utf8_len(const char *s)
{
	size_t	n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* A shop's slug: lower-case letters, digits and '-', 2 to 40, not '-' first. */
int
slug_valid(const char *s)
{
	size_t	n = strlen(s), i;

	if (n < 2 || n > 40 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}
