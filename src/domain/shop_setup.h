/*
 * shop_setup.h -- creating a shop, or the demo shop (domain/shop_setup.c).
 */
#ifndef DOMAIN_SHOP_SETUP_H
#define DOMAIN_SHOP_SETUP_H

#include "domain/dctx.h"

/* What the command was given; shop_id is the result (or the shop there). */
struct new_shop {
	const char	*slug, *name, *host, *phone, *password;
	int		 demo;
	int64_t		 shop_id;
};
int		 shop_setup(struct dctx *, struct new_shop *);

#endif /* DOMAIN_SHOP_SETUP_H */
