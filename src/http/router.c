/*
 * router.c -- the route table compiled once per worker: each (method,
 * PCRE2 pattern) row is compiled with JIT at start-up; a path that matches
 * a pattern under another method is a 405 with the Allow list. Captures
 * are copied into the request arena.
 */
#include "base/base.h"
#include "http/http.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct compiled {
	const struct route	*route;
	pcre2_code		*re;
};

struct router {
	struct compiled		*v;
	int			 n;
	pcre2_match_data	*md;
};

struct router *
router_new(const struct route *const *tables)
{
	struct router		*rt = xcalloc(1, sizeof(*rt));
	const struct route	*r;
	PCRE2_UCHAR		 msg[256];
	PCRE2_SIZE		 off;
	int			 i, n = 0, ec;

	for (i = 0; tables[i] != NULL; i++)
		for (r = tables[i]; r->method != NULL; r++)
			n++;
	rt->v = xcalloc(n, sizeof(*rt->v));
	for (i = 0; tables[i] != NULL; i++)
		for (r = tables[i]; r->method != NULL; r++) {
			rt->v[rt->n].route = r;
			rt->v[rt->n].re = pcre2_compile((PCRE2_SPTR)r->pattern,
			    PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &off, NULL);
			if (rt->v[rt->n].re == NULL) {
				pcre2_get_error_message(ec, msg, sizeof(msg));
				log_warnx("router: %s at %zu: %s", r->pattern,
				    (size_t)off, msg);
				router_free(rt);
				return NULL;
			}
			pcre2_jit_compile(rt->v[rt->n].re,
			    PCRE2_JIT_COMPLETE);
			rt->n++;
		}
	rt->md = pcre2_match_data_create(ROUTE_MAXCAP + 1, NULL);
	return rt;
}

void
router_free(struct router *rt)
{
	int	i;

	if (rt == NULL)
		return;
	for (i = 0; i < rt->n; i++)
		pcre2_code_free(rt->v[i].re);
	pcre2_match_data_free(rt->md);
	free(rt->v);
	free(rt);
}

static void
allow_add(struct route_match *m, const char *method)
{
	size_t	len = strlen(m->allow);

	if (strstr(m->allow, method) != NULL)
		return;
	snprintf(m->allow + len, sizeof(m->allow) - len, "%s%s",
	    len ? ", " : "", method);
}

/*
 * Match method and path. ROUTER_OK fills m->route and m->cap[] (NULL for
 * groups that did not take part); ROUTER_BAD_METHOD fills m->allow. HEAD
 * is served by a GET route.
 */
int
router_match(struct router *rt, struct arena *a, const char *method,
    const char *path, struct route_match *m)
{
	const char	*want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	PCRE2_SIZE	*ov;
	int		 i, k, rc, found = 0;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < rt->n; i++) {
		rc = pcre2_match(rt->v[i].re, (PCRE2_SPTR)path,
		    PCRE2_ZERO_TERMINATED, 0, 0, rt->md, NULL);
		if (rc < 0)
			continue;
		if (strcmp(rt->v[i].route->method, want) != 0) {
			allow_add(m, rt->v[i].route->method);
			found = 1;
			continue;
		}
		m->route = rt->v[i].route;
		ov = pcre2_get_ovector_pointer(rt->md);
		for (k = 1; k < rc && k <= ROUTE_MAXCAP; k++)
			if (ov[2 * k] != PCRE2_UNSET)
				m->cap[k - 1] = arena_strndup(a,
				    path + ov[2 * k], ov[2 * k + 1] - ov[2 * k]);
		return ROUTER_OK;
	}
	if (found && strstr(m->allow, "GET") != NULL)
		allow_add(m, "HEAD");
	return found ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}
