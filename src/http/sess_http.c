/*
 * sess_http.c -- sessions as HTTP carries them: the token a client presents
 * (the sid cookie or an Authorization: Bearer header) and the cookie a
 * browser is given. What a token means is session.c's business.
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/session.h"
#include "http/http.h"

static const char *
presented_token(struct ctx *c, int *bearer)
{
	const char	*a = c->authorization;

	*bearer = 0;
	if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0) {
		*bearer = 1;
		return a + 7;
	}
	return req_cookie(c, "sid");
}

/* Fill c->sess from the presented token; no token is not an error. */
int
session_load(struct ctx *c)
{
	const char	*tok;
	int		 bearer;

	memset(&c->d.sess, 0, sizeof(c->d.sess));
	if ((tok = presented_token(c, &bearer)) == NULL)
		return 0;
	return session_find(&c->d, tok, bearer);
}


/* A browser's session cookie: the token, or NULL to end it. */
void
session_cookie(struct ctx *c, const char *token)
{
	if (token != NULL)
		http_set_cookie(c, "sid", token, conf.session_ttl);
	else
		http_set_cookie(c, "sid", "", 0);
}
