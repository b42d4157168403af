/*
 * dctx.c -- the domain context outside an HTTP request: shell commands and
 * the job runner make one with dctx_init; requests embed theirs in struct
 * ctx. Nothing here is freed: the arena's owner frees it.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"

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

static const char *
dctx_tags(struct dctx *c, char *tags, size_t len)
{
	snprintf(tags, len, "req=%s shop=%s ", c->reqid,
	    c->shop ? c->shop->slug : "-");
	return tags;
}

/* A warning about what this context is doing, with its request and shop. */
void
clog_warnx(struct dctx *c, const char *fmt, ...)
{
	va_list	ap;
	char	tags[96];

	va_start(ap, fmt);
	log_vtagged("warn", dctx_tags(c, tags, sizeof(tags)), fmt, ap);
	va_end(ap);
}

void
clog_info(struct dctx *c, const char *fmt, ...)
{
	va_list	ap;
	char	tags[96];

	va_start(ap, fmt);
	log_vtagged("info", dctx_tags(c, tags, sizeof(tags)), fmt, ap);
	va_end(ap);
}
