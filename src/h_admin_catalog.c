/* h_admin_catalog.c -- being written. */
#include "dinghuo.h"

const struct route h_admin_catalog_routes[] = {
	{ NULL, NULL, NULL, 0, NULL }
};
