/*
 * base.h -- what every part uses: the standard headers, the error codes
 * of domain functions, allocation that cannot fail, strings, buffers,
 * per-request arenas and logs (the files of base/). Nothing here knows a
 * request, a shop or the database.
 */
#ifndef BASE_BASE_H
#define BASE_BASE_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#define DINGHUO_VERSION	PACKAGE_VERSION

struct ctx;		/* http/http.h */
struct dctx;		/* domain/dctx.h */

/*
 * Errors a domain function returns; http_fail() maps each to an HTTP status
 * and the JSON error.code clients switch on (table in response.c, list in
 * docs/api.md). Append new ones before ERR_NCODES.
 */
enum err {
	ERR_NONE = 0,
	ERR_INVALID,		/* 400 invalid (error.fields names them) */
	ERR_UNAUTHORIZED,	/* 401 login_required */
	ERR_FORBIDDEN,		/* 403 forbidden */
	ERR_NOT_FOUND,		/* 404 not_found */
	ERR_METHOD,		/* 405 method_not_allowed */
	ERR_CONFLICT,		/* 409 conflict */
	ERR_TOO_LARGE,		/* 413 too_large */
	ERR_UNSUPPORTED,	/* 415 unsupported_media_type */
	ERR_TOO_MANY,		/* 429 rate_limited */
	ERR_INTERNAL,		/* 500 internal */
	ERR_UNAVAILABLE,	/* 503 unavailable */
	ERR_CSRF,		/* 403 csrf: token missing, wrong, or origin */
	ERR_KEY_REUSED,		/* 422 conflict: idempotency key, other body */
	ERR_OUT_OF_STOCK,	/* 409 out_of_stock (orders) */
	ERR_CREDIT_EXCEEDED,	/* 409 credit_exceeded (payments) */
	ERR_NCODES
};

/* util.c */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
int		 parse_i64(const char *, int64_t, int64_t, int64_t *,
		     const char **);
size_t		 url_decode(char *, size_t, int);
int		 hexval(int);
int		 hex_valid(const char *, size_t);
int		 name_in_list(const char *, const char *);
int		 name_pos(const char *const *, int, const char *);
void		 hex_encode(const unsigned char *, size_t, char *);
int		 random_hex(char *, size_t);
int		 str_eq_ct(const char *, const char *);
int		 utf8_valid(const char *, size_t);
size_t		 utf8_len(const char *);
double		 now_ms(void);
int		 slug_valid(const char *);

/* str.c: strings in a request's arena. */
struct arena;
char		*url_encode(struct arena *, const char *);
char		*log_safe(struct arena *, const char *);
char		*like_pattern(struct arena *, const char *);
char		*utf8_prefix(struct arena *, const char *, size_t);
char		*text_to_utf8(struct arena *, const char *, size_t, size_t *,
		     int *);

/* buf.c */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};
void		 buf_init(struct buf *, size_t);
void		 buf_free(struct buf *);
void		 buf_reserve(struct buf *, size_t);
void		 buf_add(struct buf *, const void *, size_t);
void		 buf_adds(struct buf *, const char *);
void		 buf_addc(struct buf *, char);
void		 buf_printf(struct buf *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 buf_add_html(struct buf *, const char *, size_t);
char		*buf_cstr(struct buf *);

/* arena.c: per-request memory, released at once by arena_reset(). */
struct arena;
struct arena	*arena_new(size_t);
void		 arena_free(struct arena *);
void		 arena_reset(struct arena *);
void		*arena_alloc(struct arena *, size_t);
void		*arena_calloc(struct arena *, size_t, size_t);
char		*arena_strdup(struct arena *, const char *);
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_vprintf(struct arena *, const char *, va_list);
char		*arena_printf(struct arena *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 arena_defer(struct arena *, void (*)(void *), void *);
json_object	*arena_defer_json(struct arena *, json_object *);

/* log.c */
enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };
int		 log_open(const char *, const char *);
void		 log_set_prefix(const char *);
void		 log_warn(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_warnx(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_info(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_debug(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatal(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_set_request(const char *, const char *);
void		 log_vtagged(const char *, const char *, const char *, va_list);
void		 log_access(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
extern int	 log_verbose;

#endif /* BASE_BASE_H */
