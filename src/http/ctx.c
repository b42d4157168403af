/*
 * ctx.c -- the per-request context: made once per worker, reset after
 * every response so the next request starts clean (the arena releases
 * everything the request allocated). What the worker lends every request
 * (arena, buffers, its template cache) survives the reset.
 */
#include "base/base.h"
#include "http/http.h"

#define BODY_KEEP	(256 * 1024)	/* larger buffers are not kept */

void
ctx_init(struct ctx *c, struct arena *a)
{
	memset(c, 0, sizeof(*c));
	c->d.arena = a;
	c->base = "";
	c->path = "/";
	buf_init(&c->headers, 1024);
	buf_init(&c->body, 32 * 1024);
}

void
ctx_reset(struct ctx *c)
{
	struct arena		*a = c->d.arena;
	struct buf		 h = c->headers, b = c->body;
	struct theme_cache	*themes = c->themes;

	arena_reset(a);
	h.len = 0;
	b.len = 0;
	if (b.cap > BODY_KEEP) {
		buf_free(&b);
		buf_init(&b, 32 * 1024);
	}
	memset(c, 0, sizeof(*c));
	c->d.arena = a;
	c->themes = themes;
	c->headers = h;
	c->body = b;
	c->base = "";
	c->path = "/";
}

void
ctx_free(struct ctx *c)
{
	buf_free(&c->headers);
	buf_free(&c->body);
}

/* A link inside the shop: "/orders" -> "/s/acme/orders" on shared hosts. */
char *
ctx_link(struct ctx *c, const char *path)
{
	return arena_printf(c->d.arena, "%s%s", c->base, path);
}
