/* csv.c -- placeholder; being written. */
#include "dinghuo.h"
