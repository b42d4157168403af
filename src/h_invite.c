/* h_invite.c -- being written. */
#include "dinghuo.h"

const struct route h_invite_routes[] = {
	{ NULL, NULL, NULL, 0, NULL }
};
