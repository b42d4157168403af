/*
 * csrf.c -- tokens against cross-site request forgery. A logged-in
 * session has its own token (session.csrf); a guest gets one in the
 * "csrf" cookie (double submit). Every state-changing form sends it back
 * in the field "csrf" or the X-CSRF-Token header. Bearer-token clients
 * (the mini-program) carry no ambient credential and are exempt.
 */
#include "dinghuo.h"

/* The token forms must carry; sets the guest cookie on first use. */
const char *
csrf_token(struct ctx *c)
{
	const char	*t;
	char		 fresh[33];

	if (c->d.sess.csrf != NULL)
		return c->d.sess.csrf;
	if ((t = req_cookie(c, "csrf")) != NULL && hex_valid(t, 32)) {
		c->d.sess.csrf = t;
		return t;
	}
	if (auth_random_hex(fresh, 16) == -1)
		return "";
	c->d.sess.csrf = arena_strdup(c->d.arena, fresh);
	http_set_cookie(c, "csrf", fresh, 86400 * 30);
	return c->d.sess.csrf;
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
	if ((sent = req_param(c, "csrf")) == NULL)
		sent = c->csrf_header;
	want = c->d.sess.kind != SESS_NONE ? c->d.sess.csrf :
	    req_cookie(c, "csrf");
	if (sent == NULL || want == NULL || !hex_valid(want, 32) ||
	    !str_eq_ct(sent, want)) {
		clog_warnx(&c->d, "csrf: token %s", sent ? "mismatch" : "missing");
		return -1;
	}
	return 0;
}
