/*
 * sanitize.h -- HTML sanitizing for rich text (base/sanitize.c).
 */
#ifndef BASE_SANITIZE_H
#define BASE_SANITIZE_H

#include "base/base.h"

/* sanitize.c: allowlist HTML for rich descriptions, safe to emit raw. */
#define SANITIZE_MAX	(200 * 1024)	/* bytes of input */
int		 sanitize_html(const char *, size_t, struct buf *);

#endif /* BASE_SANITIZE_H */
