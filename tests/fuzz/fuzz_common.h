/*
 * fuzz_common.h -- shared by the fuzz_*.c harnesses: quiet logs, a checked
 * assertion that aborts (libFuzzer then saves the input), and copies of the
 * input with exact bounds so ASan sees the first byte read past them.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Always on, whatever NDEBUG says: a broken invariant is a finding. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#define CHECKF(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s: ",	\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/*
 * Soft invariants: broken promises that are not memory errors. By default
 * a failure does not stop the fuzzer (so it can look past a known one):
 * the smallest input seen per class is kept as $FUZZ_SOFT_DIR/<class>
 * (default /tmp/fuzz-soft) and the first failure of a class is printed.
 * With FUZZ_STRICT set, a soft failure aborts like CHECK (for replay and
 * -minimize_crash).
 */
static const uint8_t	*fuzz_cur_data;
static size_t		 fuzz_cur_size;

#define FUZZ_BEGIN(d, n)	(fuzz_cur_data = (d), fuzz_cur_size = (n))

#define SOFT(cond, cls, ...) do {					\
	if (!(cond) && fuzz_soft(cls)) {				\
		fprintf(stderr, "%s:%d: soft invariant [%s] failed: %s: ",\
		    __FILE__, __LINE__, cls, #cond);			\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		if (getenv("FUZZ_STRICT") != NULL)			\
			abort();					\
	}								\
} while (0)

/* Keep the smallest input of the class; 1 if this is worth printing. */
static inline int
fuzz_soft(const char *cls)
{
	static struct { char cls[48]; size_t size; } seen[32];
	static int	 nseen;
	const char	*dir = getenv("FUZZ_SOFT_DIR");
	char		 path[512];
	FILE		*fp;
	int		 i, first = 0;

	if (getenv("FUZZ_STRICT") != NULL)
		return 1;
	for (i = 0; i < nseen; i++)
		if (strcmp(seen[i].cls, cls) == 0)
			break;
	if (i == nseen) {
		if (nseen == 32)
			return 0;
		snprintf(seen[nseen].cls, sizeof(seen[0].cls), "%s", cls);
		seen[nseen++].size = (size_t)-1;
		first = 1;
	}
	if (fuzz_cur_size >= seen[i].size)
		return 0;
	seen[i].size = fuzz_cur_size;
	if (dir == NULL)
		dir = "/tmp/fuzz-soft";
	snprintf(path, sizeof(path), "%s/%s", dir, cls);
	if ((fp = fopen(path, "wb")) != NULL) {
		fwrite(fuzz_cur_data, 1, fuzz_cur_size, fp);
		fclose(fp);
	}
	return first;
}

/*
 * The error log goes to stderr until log_open(); send it to /dev/null
 * unless FUZZ_LOG is set (handy when replaying one input).
 */
static inline void
fuzz_quiet_logs(void)
{
	if (getenv("FUZZ_LOG") == NULL)
		log_open("/dev/null", "/dev/null");
	mkdir(getenv("FUZZ_SOFT_DIR") ? getenv("FUZZ_SOFT_DIR") :
	    "/tmp/fuzz-soft", 0777);
}

/* A malloc'd copy of data[0..n) plus a NUL at [n], nothing more. */
static inline char *
fuzz_dup0(const uint8_t *data, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, data, n);
	p[n] = '\0';
	return p;
}

/* A malloc'd copy of data[0..n) with no room past it (n may be 0). */
static inline char *
fuzz_dup(const uint8_t *data, size_t n)
{
	char	*p = malloc(n);

	if (p == NULL && n > 0)
		abort();
	if (n > 0)
		memcpy(p, data, n);
	return p;
}

/* Split off the first line (up to '\n', not included) of *data. */
static inline int
fuzz_line(const uint8_t **data, size_t *n, const uint8_t **line,
    size_t *linelen)
{
	const uint8_t	*nl = memchr(*data, '\n', *n);

	if (nl == NULL)
		return -1;
	*line = *data;
	*linelen = (size_t)(nl - *data);
	*n -= *linelen + 1;
	*data = nl + 1;
	return 0;
}

#endif /* FUZZ_COMMON_H */
