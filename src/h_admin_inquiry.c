/* h_admin_inquiry.c -- being written. */
#include "dinghuo.h"

const struct route h_admin_inquiry_routes[] = {
	{ NULL, NULL, NULL, 0, NULL }
};
