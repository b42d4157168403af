/*
 * csrf.c -- tokens against cross-site request forgery. A logged-in
 * session has its own token (session.csrf); a guest gets one in the
 * "csrf" cookie (double submit). Every state-changing form sends it back
 * in the body field "csrf" or the X-CSRF-Token header, never in the query
 * string. Bearer-token clients (the mini-program) carry no ambient
 * credential and are exempt.
 */
#include "base/base.h"
#include "domain/session.h"
#include "http/http.h"

#define CSRF_COOKIE_AGE	(86400 * 30)

/*
 * Decide, before the handler runs, the token this request's pages carry:
 * the session's, the guest cookie's, or a fresh one the response sets as
 * the cookie. A JSON answer shows no token, so it sets no cookie.
 */
int
csrf_prepare(struct ctx *c)
{
	const char	*t;
	char		 fresh[33];

	if (c->d.sess.kind != SESS_NONE) {
		c->csrf = c->d.sess.csrf;
		return 0;
	}
	if ((t = req_cookie(c, "csrf")) != NULL && hex_valid(t, 32)) {
		c->csrf = t;
		return 0;
	}
	if (c->json_out)
		return 0;
	if (random_hex(fresh, 16) == -1)
		return -1;
	c->csrf = arena_strdup(c->d.arena, fresh);
	http_set_cookie(c, "csrf", c->csrf, CSRF_COOKIE_AGE);
	return 0;
}

/* The token forms must carry, as csrf_prepare() decided it. */
const char *
csrf_token(struct ctx *c)
{
	return c->csrf != NULL ? c->csrf : "";
}

/* Length of the host part of "host[:port]" (IPv6 "[..]:port" too). */
static size_t
host_len(const char *h)
{
	const char	*end;

	if (*h == '[' && (end = strchr(h, ']')) != NULL)
		return end - h + 1;
	return strcspn(h, ":/");
}

/*
 * An Origin header, when the browser sends one, must name this host.
 * Ports are not compared: web servers pass Host with or without one.
 */
static int
origin_ok(struct ctx *c)
{
	const char	*o = c->origin, *h;
	size_t		 n;

	if (o == NULL || c->host == NULL)
		return 1;
	if ((h = strstr(o, "://")) == NULL)
		return 0;
	h += 3;
	n = host_len(h);
	return n == host_len(c->host) && strncasecmp(h, c->host, n) == 0;
}

/* The token the client sent: body (form or JSON), then header. */
static const char *
sent_token(struct ctx *c)
{
	json_object	*v;
	const char	*s;

	if (c->json != NULL && json_object_object_get_ex(c->json, "csrf", &v))
		return json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : NULL;
	if ((s = kv_get(&c->form, "csrf")) != NULL)
		return s;
	return c->csrf_header;
}

int
csrf_check(struct ctx *c)
{
	const char	*sent, *want;

	if (c->d.sess.bearer)
		return 0;
	if (!origin_ok(c)) {
		clog_warnx(&c->d, "csrf: origin %s is not host %s", c->origin,
		    c->host);
		return -1;
	}
	sent = sent_token(c);
	want = c->d.sess.kind != SESS_NONE ? c->d.sess.csrf :
	    req_cookie(c, "csrf");
	if (sent == NULL || want == NULL || !hex_valid(want, 32) ||
	    !str_eq_ct(sent, want)) {
		clog_warnx(&c->d, "csrf: token %s", sent ? "mismatch" :
		    "missing");
		return -1;
	}
	return 0;
}
