/*
 * idem_http.c -- idempotency keys around the handler. A request that
 * changes state (POST, PUT, PATCH, DELETE) and carries a key, the
 * Idempotency-Key header or an H5 form's hidden idempotency_key field, runs
 * its handler once; the same request sent again gets the first answer
 * (status, content type, Location, body) with Idempotent-Replayed: true.
 * What is kept and who may see it is domain/idempotency.c's business.
 */
#include "base/base.h"
#include "domain/session.h"
#include "http/http.h"

#include <sodium.h>

#include "domain/idempotency.h"

static int
changes_state(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
	    strcmp(m, "PATCH") == 0 || strcmp(m, "DELETE") == 0;
}

static void
hash_str(crypto_generichash_state *h, const char *s, size_t n)
{
	crypto_generichash_update(h, (const unsigned char *)s, n);
	crypto_generichash_update(h, (const unsigned char *)"", 1);
}

static void
hash_kv(crypto_generichash_state *h, const struct kvlist *l)
{
	int	i;

	for (i = 0; i < l->n; i++) {
		/* Not what the request asks for: the key, the CSRF token. */
		if (strcmp(l->v[i].name, "idempotency_key") == 0 ||
		    strcmp(l->v[i].name, "csrf") == 0)
			continue;
		hash_str(h, l->v[i].name, strlen(l->v[i].name));
		hash_str(h, l->v[i].value, l->v[i].len);
	}
}

/*
 * What makes two requests the same one: method, path, query and the body
 * as parsed (so a browser's new multipart boundary changes nothing).
 */
void
http_request_hash(struct ctx *c, char hex[65])
{
	crypto_generichash_state h;
	unsigned char		 md[32];
	const char		*s;
	int			 i;

	crypto_generichash_init(&h, NULL, 0, sizeof(md));
	hash_str(&h, c->method, strlen(c->method));
	hash_str(&h, c->path, strlen(c->path));
	hash_kv(&h, &c->query);
	hash_str(&h, "form", 4);
	hash_kv(&h, &c->form);
	for (i = 0; i < c->nuploads; i++) {
		hash_str(&h, c->uploads[i].field, strlen(c->uploads[i].field));
		hash_str(&h, c->uploads[i].filename,
		    strlen(c->uploads[i].filename));
		hash_str(&h, c->uploads[i].data, c->uploads[i].len);
	}
	if (c->json != NULL) {
		s = json_object_to_json_string_ext(c->json,
		    JSON_C_TO_STRING_PLAIN);
		hash_str(&h, "json", 4);
		hash_str(&h, s, strlen(s));
	}
	crypto_generichash_final(&h, md, sizeof(md));
	hex_encode(md, sizeof(md), hex);
}

/* The value of a header the handler set, or "". */
static const char *
set_header(struct ctx *c, const char *name)
{
	const char	*p = c->headers.p, *end = p + c->headers.len, *eol;
	size_t		 n = strlen(name);

	while (p != NULL && p < end) {
		if ((eol = memmem(p, end - p, "\r\n", 2)) == NULL)
			eol = end;
		if ((size_t)(eol - p) > n + 1 && strncasecmp(p, name, n) == 0 &&
		    p[n] == ':')
			return arena_strndup(c->d.arena, p + n + 2,
			    eol - p - n - 2);
		p = eol + 2;
	}
	return "";
}

/*
 * Worth replaying: a success or a redirect, small enough, text, and no
 * cookie (a session must not be handed out twice nor kept here); the
 * lengths are the columns' (sql/004_idempotency.sql).
 */
static int
storable(struct ctx *c)
{
	return c->status >= 200 && c->status < 400 &&
	    c->body.len <= IDEM_BODY_MAX &&
	    memchr(c->body.p, '\0', c->body.len) == NULL &&
	    *set_header(c, "Set-Cookie") == '\0' &&
	    strlen(set_header(c, "Location")) <= 1000 &&
	    (c->ctype == NULL || strlen(c->ctype) <= 100);
}

static int
replay(struct ctx *c, const struct idem_claim *cl)
{
	clog_info(&c->d, "idempotency_replay id=%" PRId64 " status=%d",
	    cl->id, cl->status);
	c->status = cl->status;
	c->ctype = arena_strdup(c->d.arena, cl->content_type);
	c->body.len = 0;
	buf_adds(&c->body, cl->body);
	if (*cl->location)
		http_header(c, "Location", cl->location);
	http_header(c, "Idempotent-Replayed", "true");
	return c->status;
}

/* The request's key: the Idempotency-Key header or the form's field. */
const char *
http_idem_key(struct ctx *c)
{
	return c->idem_key != NULL ? c->idem_key :
	    kv_get(&c->form, "idempotency_key");
}

/*
 * Run the handler of a routed, guarded request: once per key. A route
 * marked ROUTE_OWNKEY keeps the key itself, with what it writes (order
 * submit: the order row holds it), which saves two commits of its own.
 */
int
http_idempotent(struct ctx *c, int (*handler)(struct ctx *))
{
	struct idem_request	 rq;
	struct idem_claim	 cl;
	char			 hash[65];
	const char		*key = http_idem_key(c);
	int			 rc;

	if (key == NULL || !changes_state(c->method) || c->d.shop == NULL ||
	    (c->m.route->flags & (ROUTE_NOREPLAY | ROUTE_OWNKEY)))
		return handler(c);
	if (!idempotency_valid_key(key))
		return http_fail(c, ERR_INVALID, "请求标识（Idempotency-Key）"
		    "无效：应为 1 到 100 个可见 ASCII 字符");
	http_request_hash(c, hash);
	rq.key = key;
	rq.guest = c->d.sess.kind == SESS_NONE ? req_cookie(c, "csrf") : NULL;
	rq.method = c->method;
	rq.path = c->path;
	rq.hash = hash;
	if ((rc = idempotency_begin(&c->d, &rq, &cl)) != 0)
		return http_fail(c, rc, c->d.error);
	if (cl.state == IDEM_REPLAY)
		return replay(c, &cl);
	handler(c);
	if (c->status != 0 && storable(c)) {
		buf_addc(&c->body, '\0');	/* a C string for the bind */
		c->body.len--;
		rc = idempotency_finish(&c->d, cl.id, c->status, c->ctype ?
		    c->ctype : "text/html; charset=utf-8",
		    set_header(c, "Location"), c->body.p);
	} else
		rc = idempotency_release(&c->d, cl.id);
	if (rc != 0)
		clog_warnx(&c->d, "idempotency_store failed=1 id=%" PRId64
		    " note=\"a replay waits until the claim goes stale\"",
		    cl.id);
	return c->status;
}
