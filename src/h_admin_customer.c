/* h_admin_customer.c -- being written. */
#include "dinghuo.h"

const struct route h_admin_customer_routes[] = {
	{ NULL, NULL, NULL, 0, NULL }
};
