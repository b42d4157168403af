/*
 * shop.h -- tenants (domain/shop.c).
 */
#ifndef DOMAIN_SHOP_H
#define DOMAIN_SHOP_H

#include "base/base.h"

/* shop.c: tenants. */
#define SHOP_MODE_ORDERING	0x01
#define SHOP_MODE_WHOLESALE	0x02
#define SHOP_MODE_RETAIL	0x04
struct shop {
	int64_t		 id;
	char		*slug;
	char		*name;
	char		*host;
	char		*theme;
	char		*logo_url;
	char		*color_primary;
	char		*contact_phone;
	char		*footer_text;
	int		 modes;
	int64_t		 version;	/* bumped by every catalog change */
	int64_t		 tax_normal_bp;	/* 普票 tax points */
	int64_t		 tax_special_bp; /* 专票 tax points */
	int		 hide_wholesale_prices;
	int64_t		 auth_version;	/* bumped by logouts, account changes */
	int		 retail_b2b_details; /* retail mall shows min order… */
};
int		 shop_by_slug(struct dctx *, const char *, struct shop **);
int		 shop_by_host(struct dctx *, const char *, struct shop **);
int		 shop_resolve(struct dctx *, const char *, const char *,
		    struct shop **);
int		 shop_touch(struct dctx *, int64_t);
int		 shop_touch_auth(struct dctx *, int64_t);
void		 shop_cache_clear(void);

#endif /* DOMAIN_SHOP_H */
