/* h_admin_settings.c -- being written. */
#include "dinghuo.h"

const struct route h_admin_settings_routes[] = {
	{ NULL, NULL, NULL, 0, NULL }
};
