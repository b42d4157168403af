/*
 * consumer.h -- retail consumers (零售顾客, docs/retail.md): a WeChat
 * user who buys in the retail mall becomes a customer of kind consumer,
 * a company of one with one buyer, prepaid, with no phone number until
 * they give one (domain/consumer.c).
 */
#ifndef DOMAIN_CONSUMER_H
#define DOMAIN_CONSUMER_H

#include "domain/dctx.h"

#define CONSUMER_USER_NAME	"微信顾客"

int		 consumer_add_locked(struct dctx *, int64_t, int64_t *);

#endif /* DOMAIN_CONSUMER_H */
