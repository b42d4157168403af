/*
 * dctx.c -- the domain context outside an HTTP request: shell commands and
 * the job runner make one with dctx_init; requests embed theirs in struct
 * ctx. Nothing here is freed: the arena's owner frees it.
 */
#include "dinghuo.h"

void
dctx_init(struct dctx *d, struct arena *a, const char *reqid)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
	snprintf(d->reqid, sizeof(d->reqid), "%s", reqid);
	d->remote_addr = "-";
}

/*
 * Did the last failure come from not reaching the database at all? The
 * request path answers 503 then, not 500: an outage, not a bug.
 */
int
dctx_store_down(void)
{
	return db_unreachable();
}
