/*
 * dctx.h -- the domain context (domain/dctx.c): all a domain function
 * knows of the request that called it.
 */
#ifndef DOMAIN_DCTX_H
#define DOMAIN_DCTX_H

#include "base/base.h"
#include "domain/shop.h"
#include "domain/session.h"

/*
 * The domain context: what a domain function may know of the request that
 * called it: memory, request id, client address, tenant, actor, and the
 * user-fit message it leaves when it returns an error, with a machine-
 * readable code when the enum err's is too coarse (a transaction body
 * resets both). struct ctx (the HTTP request) embeds one; shell commands
 * and the job runner make their own.
 */
struct dctx {
	struct arena	*arena;
	char		 reqid[17];
	const char	*remote_addr;
	struct shop	*shop;
	struct session	 sess;
	int64_t		 channel_id;	/* the visitor's first channel, as the
					 * request claims it (unverified: a
					 * domain query checks it is the
					 * shop's); 0: none (domain/channel.h) */
	const char	*error;		/* user-fit message for http_fail */
	const char	*code;		/* NULL, or a finer error code than the
					 * enum err's ("credit_exceeded") */
};
void		 dctx_init(struct dctx *, struct arena *, const char *);
int		 dctx_store_down(void);
void		 clog_warnx(struct dctx *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 clog_info(struct dctx *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));

#endif /* DOMAIN_DCTX_H */
