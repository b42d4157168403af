/*
 * session.h -- who is logged in: sessions in the database, cached per
 * worker (domain/session.c).
 */
#ifndef DOMAIN_SESSION_H
#define DOMAIN_SESSION_H

#include "base/base.h"

/* session.c */
enum sess_kind { SESS_NONE, SESS_STAFF, SESS_CUSTOMER };
struct session {
	int64_t		 id;
	enum sess_kind	 kind;
	int64_t		 user_id;	/* staff.id or customer_user.id */
	int64_t		 customer_id;	/* company, for customer users */
	int64_t		 level_id;	/* the company's member level, or 0 */
	const char	*role;
	const char	*name;
	const char	*phone;
	const char	*csrf;
	int		 bearer;
	int64_t		 wx_identity_id; /* the WeChat login's, or 0 */
	int		 consumer;	/* a retail buyer (customer.kind
					 * consumer): the retail mall only */
};
/* A dealer's user: the ordering mall and the B2B prices are theirs. */
#define SESS_DEALER(s)	((s)->kind == SESS_CUSTOMER && !(s)->consumer)
int		 session_find(struct dctx *, const char *, int);
int		 session_create(struct dctx *, enum sess_kind, int64_t, int,
		     char **);
int		 session_create_wx(struct dctx *, int64_t, int, int64_t,
		     char **);
int		 session_destroy(struct dctx *);
int		 session_end_user(struct dctx *, enum sess_kind, int64_t);
void		 token_hash(const char *, char *);
void		 session_cache_clear(void);
int		 session_staff_role(const struct session *, const char *);

#endif /* DOMAIN_SESSION_H */
