/*
 * wx_mp.h -- the official account's server callback (服务器配置) for a
 * shop (domain/wx_mp.c): the URL check and the messages WeChat posts,
 * plaintext or safe mode (wechat-protocols.md §6).
 */
#ifndef DOMAIN_WX_MP_H
#define DOMAIN_WX_MP_H

#include "base/base.h"

struct dctx;

#define WX_MP_SKEW	300	/* seconds a timestamp may be off */

/* The query every call carries; NULL when absent. */
struct wx_mp_query {
	const char	*signature;
	const char	*timestamp;
	const char	*nonce;
	const char	*echostr;
	const char	*encrypt_type;	/* "aes" in safe mode */
	const char	*msg_signature;
};

int		 wx_mp_verify(struct dctx *, const struct wx_mp_query *);
int		 wx_mp_receive(struct dctx *, const struct wx_mp_query *,
		     const char *, size_t);

#endif /* DOMAIN_WX_MP_H */
