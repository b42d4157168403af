/*
 * idempotency.h -- the first answers to requests that carry an idempotency
 * key, per shop, owner (user, guest or address) and key (domain/
 * idempotency.c). http/idem_http.c runs handlers through it.
 */
#ifndef DOMAIN_IDEMPOTENCY_H
#define DOMAIN_IDEMPOTENCY_H

#include "domain/dctx.h"

#define IDEM_KEY_MAX	100		/* bytes, visible ASCII */
#define IDEM_TTL_HOURS	24
#define IDEM_BODY_MAX	(1024 * 1024)	/* larger answers are not kept */

struct idem_request {
	const char	*key;		/* idempotency_valid_key() */
	const char	*guest;		/* a guest's csrf cookie, or NULL */
	const char	*method;
	const char	*path;		/* inside the shop */
	const char	*hash;		/* 64 hex: method, path, query, body */
};

enum idem_state { IDEM_RUN, IDEM_REPLAY };

struct idem_claim {
	enum idem_state	 state;
	int64_t		 id;		/* IDEM_RUN: the row to finish */
	int		 status;	/* IDEM_REPLAY: the first answer */
	const char	*content_type;
	const char	*location;	/* "" when none */
	const char	*body;
};

int		 idempotency_valid_key(const char *);
int		 idempotency_begin(struct dctx *, const struct idem_request *,
		     struct idem_claim *);
int		 idempotency_finish(struct dctx *, int64_t, int, const char *,
		     const char *, const char *);
int		 idempotency_release(struct dctx *, int64_t);
int		 idempotency_expire(struct dctx *);

#endif /* DOMAIN_IDEMPOTENCY_H */
