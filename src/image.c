/* image.c -- being written. */
#include "dinghuo.h"
