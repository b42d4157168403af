/* h_admin_price.c -- being written. */
#include "dinghuo.h"

const struct route h_admin_price_routes[] = {
	{ NULL, NULL, NULL, 0, NULL }
};
