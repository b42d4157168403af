/*
 * auth.h -- passwords and logins (domain/auth.c).
 */
#ifndef DOMAIN_AUTH_H
#define DOMAIN_AUTH_H

#include "base/base.h"
#include "domain/session.h"

/* auth.c: password hashing and login with throttling. */
struct login_result {
	char		*token;		/* of the new session */
	int64_t		 retry_after;	/* seconds, with ERR_TOO_MANY */
};
int		 auth_hash(const char *, char *, size_t);
int		 auth_verify(const char *, const char *);
int		 auth_login(struct dctx *, enum sess_kind, const char *,
		     const char *, int, struct login_result *);
struct auth_user {
	int64_t		 id;
	int64_t		 customer_id;
	const char	*name;
	const char	*role;
};
int		 auth_check(struct dctx *, enum sess_kind, const char *,
		     const char *, struct login_result *, struct auth_user *);
const char	*auth_dummy_hash(void);
const char	*role_label(const char *);
#define AUTH_HASH_MAX	128

#endif /* DOMAIN_AUTH_H */
