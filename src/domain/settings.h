/*
 * settings.h -- the shop's brand and storefront settings as the settings
 * form reads and writes them (domain/settings.c). Pages read the shop
 * through shop.c's cache; this reads the row itself, for the form.
 */
#ifndef DOMAIN_SETTINGS_H
#define DOMAIN_SETTINGS_H

#include "domain/dctx.h"

struct shop_settings {
	const char	*name;
	const char	*theme;
	const char	*logo_url;	/* "" for none */
	const char	*color;		/* "#rrggbb" */
	const char	*phone;
	const char	*footer;
	int		 modes;		/* SHOP_MODE_* */
	int		 hide_wholesale_prices;
	int		 retail_b2b_details;
	int64_t		 tax_normal_bp;
	int64_t		 tax_special_bp;
};

int		 settings_load(struct dctx *, struct shop_settings *);
int		 settings_save(struct dctx *, const struct shop_settings *);
int		 settings_logo_store(struct dctx *, const void *, size_t,
		     const char **);
void		 settings_logo_discard(struct dctx *, const char *);

#endif /* DOMAIN_SETTINGS_H */
