/*
 * invite.h -- one-time links to join a customer company
 * (domain/invite.c): made and revoked by staff, looked up by the token
 * in the link, used up by the person who joins. Only hashes are stored.
 */
#ifndef DOMAIN_INVITE_H
#define DOMAIN_INVITE_H

#include "domain/dctx.h"

struct field_errs;

#define INVITE_TOKEN_HEX	64

/* Why a link cannot be used. */
enum invite_gone { INVITE_OK, INVITE_UNKNOWN, INVITE_USED, INVITE_EXPIRED,
	INVITE_CLOSED };

struct invite {
	int64_t		 id;
	int64_t		 customer_id;
	const char	*role;
	const char	*company;	/* its name */
	enum invite_gone gone;
};
/* An invitation not used yet, for the company's page. */
struct invite_pending {
	int64_t		 id;
	const char	*role;
	const char	*expires;	/* "2024-05-01 18:00", Beijing time */
};
/* What the person who joins types. */
struct invite_join {
	const char	*name;
	const char	*phone;
	const char	*password;
};

int		 invite_create(struct dctx *, int64_t, const char *, char *,
		     struct field_errs *);
int		 invite_revoke(struct dctx *, int64_t, int64_t);
int		 invite_pending(struct dctx *, int64_t,
		     struct invite_pending **, int *);
int		 invite_find(struct dctx *, const char *, struct invite *);
int		 invite_use(struct dctx *, const char *,
		     const struct invite_join *, struct invite *, int64_t *,
		     struct field_errs *);
int		 invite_join_locked(struct dctx *, const char *,
		     const struct invite_join *, const char *,
		     struct invite *, int64_t *, struct field_errs *);

#endif /* DOMAIN_INVITE_H */
