/*
 * channel_http.c -- the visitor's channel as HTTP carries it: a code's
 * ?ch=<scene> on any GET of the shop (H5 pages; the mini-program adds
 * it to its first request and sends the cookie back), and the dh_ch
 * cookie that remembers the first channel for 180 days:
 *
 *	dh_ch = <visitor: 32 hex>.<first channel id>.<session id done>.
 *		<China day of the last recorded visit: YYYYMMDD>.<its scene>
 *
 * A request without ?ch= costs a cookie lookup; one with the scene the
 * cookie recorded today costs nothing more; only a new visitor, channel
 * or day costs a query and an INSERT IGNORE. A logged-in session's
 * WeChat identity gets the first channel once per session (the cookie
 * says which session had it). A malformed cookie or scene, an unknown
 * scene, a database error: logged, ignored, never the page's problem.
 */
#include "base/base.h"
#include "domain/channel.h"
#include "http/http.h"

struct cookie {
	char		 visitor[34];	/* "v" and 32 hex */
	int64_t		 first;
	int64_t		 sess;
	int64_t		 day;
	char		 scene[CHANNEL_SCENE_MAX + 1];
};

static int
num(const char *s, size_t n, int64_t max, int64_t *out)
{
	char		 b[24];
	const char	*err;

	if (n == 0 || n >= sizeof(b) || strspn(s, "0123456789") < n)
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	return parse_i64(b, 0, max, out, &err);
}

/* 0 and *k, or -1 when v is not a cookie this file wrote. */
static int
parse(const char *v, struct cookie *k)
{
	const char	*f[5], *p = v;
	size_t		 n[5];
	int		 i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < 5; i++) {
		f[i] = p;
		n[i] = i < 4 ? strcspn(p, ".") : strlen(p);
		if (i < 4 && p[n[i]] != '.')
			return -1;
		p += n[i] + 1;
	}
	if (n[0] != 32 || strspn(f[0], "0123456789abcdef") < 32 ||
	    num(f[1], n[1], INT64_MAX, &k->first) == -1 ||
	    num(f[2], n[2], INT64_MAX, &k->sess) == -1 ||
	    num(f[3], n[3], 99991231, &k->day) == -1 ||
	    n[4] > CHANNEL_SCENE_MAX)
		return -1;
	k->visitor[0] = 'v';
	memcpy(k->visitor + 1, f[0], 32);
	k->visitor[33] = '\0';
	memcpy(k->scene, f[4], n[4]);
	k->scene[n[4]] = '\0';
	if (n[4] > 0 && !channel_scene_valid(k->scene))
		return -1;
	return 0;
}

static int64_t
china_day(void)
{
	struct tm	tm;
	time_t		t = time(NULL) + 8 * 3600;

	if (gmtime_r(&t, &tm) == NULL)
		return 0;
	return (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
}

/* ?ch=scene: record the visit; 1 when the cookie changed. */
static int
visit(struct ctx *c, struct cookie *k, int have, const char *scene)
{
	int64_t	id, today = china_day();
	int	rc;

	if (!channel_scene_valid(scene)) {
		clog_info(&c->d, "channel: malformed scene ignored len=%zu",
		    strlen(scene));
		return 0;
	}
	if (have && k->day == today && strcmp(k->scene, scene) == 0)
		return 0;
	if ((rc = channel_by_scene(&c->d, scene, &id)) != 0) {
		if (rc == ERR_NOT_FOUND)
			clog_info(&c->d, "channel: unknown scene=%s ignored",
			    scene);
		return 0;
	}
	if (!have) {
		k->visitor[0] = 'v';
		if (random_hex(k->visitor + 1, 16) == -1)
			return 0;
	}
	if (channel_visit(&c->d, id, k->visitor, c->d.sess.bearer ?
	    CH_SRC_MINIAPP : CH_SRC_H5) != 0)
		return 0;
	if (k->first == 0)
		k->first = c->d.channel_id = id;
	k->day = today;
	snprintf(k->scene, sizeof(k->scene), "%s", scene);
	return 1;
}

void
channel_request(struct ctx *c)
{
	struct cookie	 k;
	const char	*v, *scene = NULL;
	int		 have = 0, dirty = 0;

	if (c->d.shop == NULL)
		return;
	if ((v = req_cookie(c, CHANNEL_COOKIE)) != NULL) {
		if (parse(v, &k) == 0) {
			have = 1;
			c->d.channel_id = k.first;
		} else
			clog_info(&c->d, "channel: cookie ignored len=%zu",
			    strlen(v));
	}
	if (c->method != NULL && (strcmp(c->method, "GET") == 0 ||
	    strcmp(c->method, "HEAD") == 0))
		scene = kv_get(&c->query, "ch");
	if (!have)
		memset(&k, 0, sizeof(k));
	if (scene != NULL && visit(c, &k, have, scene))
		dirty = have = 1;
	if (have && c->d.channel_id > 0 && c->d.sess.id > 0 &&
	    k.sess != c->d.sess.id && channel_session_attr(&c->d) == 0) {
		k.sess = c->d.sess.id;
		dirty = 1;
	}
	if (dirty)
		http_set_cookie(c, CHANNEL_COOKIE, arena_printf(c->d.arena,
		    "%s.%" PRId64 ".%" PRId64 ".%" PRId64 ".%s", k.visitor + 1,
		    k.first, k.sess, k.day, k.scene), CHANNEL_COOKIE_TTL);
}
