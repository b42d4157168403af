/* sanitize.c -- being written. */
#include "dinghuo.h"
