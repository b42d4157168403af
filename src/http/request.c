/*
 * request.c -- turns FastCGI params and the body into struct ctx: method,
 * decoded path (with the /s/<slug> tenant prefix taken off), query string,
 * cookies, and urlencoded, multipart or JSON bodies within the configured
 * limits. Everything lives in the request arena. Like a domain function it
 * answers 0 or an enum err with a user-fit message in c->d.error (malformed
 * input ERR_INVALID, a body over the limit ERR_TOO_LARGE): the caller calls
 * http_fail, so this file renders nothing.
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/shop.h"
#include "http/http.h"

#include <fcgiapp.h>

#define MAX_UPLOADS	16

static const char *
param(struct ctx *c, const char *name)
{
	FCGX_Request	*r = c->fcgi;

	return r ? FCGX_GetParam(name, r->envp) : NULL;
}

/* A request header as the web server passed it ("HTTP_WECHATPAY_NONCE"),
 * or NULL. */
const char *
req_header(struct ctx *c, const char *name)
{
	return param(c, name);
}

void
kv_add(struct arena *a, struct kvlist *l, const char *name, const char *value,
    size_t len)
{
	struct kv	*v;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		v = arena_alloc(a, l->cap * sizeof(*v));
		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
	}
	l->v[l->n].name = name;
	l->v[l->n].value = value;
	l->v[l->n].len = len;
	l->n++;
}

const char *
kv_get(const struct kvlist *l, const char *name)
{
	int	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return l->v[i].value;
	return NULL;
}

/*
 * Parse a=1&b=2 (s is modified and must stay alive: it is the arena's).
 * Returns -1 if a name or value is not UTF-8 or holds a NUL.
 */
int
query_parse(struct arena *a, struct kvlist *l, char *s, size_t n)
{
	char	*end = s + n, *amp, *eq, *name, *val;
	size_t	 nl, vl;

	(void)a;
	while (s < end) {
		if ((amp = memchr(s, '&', end - s)) == NULL)
			amp = end;
		*amp = '\0';
		if (*s != '\0') {
			name = s;
			if ((eq = strchr(s, '=')) != NULL) {
				*eq = '\0';
				val = eq + 1;
			} else
				val = amp;	/* empty string */
			nl = url_decode(name, strlen(name), 1);
			vl = url_decode(val, strlen(val), 1);
			if (nl != strlen(name) || vl != strlen(val) ||
			    !utf8_valid(name, nl) || !utf8_valid(val, vl))
				return -1;
			kv_add(a, l, name, val, vl);
		}
		s = amp + 1;
	}
	return 0;
}

int
cookie_parse(struct arena *a, struct kvlist *l, const char *hdr)
{
	const char	*p = hdr, *semi, *eq;
	char		*name, *val;

	while (*p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		if ((semi = strchr(p, ';')) == NULL)
			semi = p + strlen(p);
		if ((eq = memchr(p, '=', semi - p)) != NULL) {
			name = arena_strndup(a, p, eq - p);
			val = arena_strndup(a, eq + 1, semi - eq - 1);
			if (*val == '"' && strlen(val) >= 2 &&
			    val[strlen(val) - 1] == '"') {
				val++;
				val[strlen(val) - 1] = '\0';
			}
			kv_add(a, l, name, val, strlen(val));
		}
		p = semi;
	}
	return 0;
}

static int
req_fail(struct ctx *c, enum err e, const char *why)
{
	c->d.error = why;
	return e;
}

static int
bad_request(struct ctx *c, const char *why)
{
	clog_warnx(&c->d, "bad_request msg=\"%s\"", why);
	return req_fail(c, ERR_INVALID, why);
}

/* JSON for /api/ and for clients that ask for it first. */
int
wants_json(struct ctx *c)
{
	if (strncmp(c->path, "/api/", 5) == 0)
		return 1;
	return c->accept != NULL &&
	    strncmp(c->accept, "application/json", 16) == 0;
}

/* Split the decoded path into the tenant prefix and the rest. */
static int
split_tenant(struct ctx *c, char *path, const char **slug)
{
	char	*rest;

	if (strncmp(path, "/s/", 3) != 0) {
		c->path = path;
		return 0;
	}
	if ((rest = strchr(path + 3, '/')) != NULL)
		*rest = '\0';
	if (!slug_valid(path + 3))
		return -1;
	*slug = arena_strdup(c->d.arena, path + 3);
	c->base = arena_printf(c->d.arena, "/s/%s", *slug);
	if (rest != NULL) {
		*rest = '/';
		c->path = rest;
	} else
		c->path = "/";
	return 0;
}

int
request_parse(struct ctx *c, const char **slug)
{
	const char	*s, *q;
	char		*path;
	size_t		 n;

	c->method = param(c, "REQUEST_METHOD");
	c->uri = param(c, "REQUEST_URI");
	c->host = param(c, "HTTP_HOST");
	c->d.remote_addr = param(c, "REMOTE_ADDR");
	c->content_type = param(c, "CONTENT_TYPE");
	c->accept = param(c, "HTTP_ACCEPT");
	c->authorization = param(c, "HTTP_AUTHORIZATION");
	c->origin = param(c, "HTTP_ORIGIN");
	c->csrf_header = param(c, "HTTP_X_CSRF_TOKEN");
	c->idem_key = param(c, "HTTP_IDEMPOTENCY_KEY");
	/* RFC 7240: a client that needs no full representation back. */
	c->prefer_minimal = (s = param(c, "HTTP_PREFER")) != NULL &&
	    strcasestr(s, "return=minimal") != NULL;
	c->https = (s = param(c, "HTTPS")) != NULL && *s && strcmp(s, "off");
	if (c->method == NULL)
		c->method = "GET";
	if (c->uri == NULL || *c->uri != '/')
		c->uri = "/";
	if (c->d.remote_addr == NULL)
		c->d.remote_addr = "-";
	if ((s = param(c, "CONTENT_LENGTH")) != NULL && *s &&
	    parse_i64(s, 0, INT64_MAX, &c->content_length, &q) == -1)
		return bad_request(c, "Content-Length 无效");

	q = strchr(c->uri, '?');
	n = q ? (size_t)(q - c->uri) : strlen(c->uri);
	path = arena_strndup(c->d.arena, c->uri, n);
	n = url_decode(path, strlen(path), 0);	/* '+' stays '+' in paths */
	if (n != strlen(path) || !utf8_valid(path, n))
		return bad_request(c, "请求路径含有无效字符");
	if (split_tenant(c, path, slug) == -1)
		return bad_request(c, "店铺标识无效");
	c->json_out = wants_json(c);

	if (q != NULL) {
		n = strlen(q + 1);
		if (query_parse(c->d.arena, &c->query,
		    arena_strndup(c->d.arena, q + 1, n), n) == -1)
			return bad_request(c, "查询参数含有无效字符");
	}
	if ((s = param(c, "HTTP_COOKIE")) != NULL)
		cookie_parse(c->d.arena, &c->cookies, s);
	return 0;
}

/* Read and discard what is left of the body so nginx sees a clean end. */
void
req_drain(struct ctx *c)
{
	FCGX_Request	*r = c->fcgi;
	char		 tmp[16384];

	if (r == NULL)
		return;
	while (FCGX_GetStr(tmp, sizeof(tmp), r->in) > 0)
		;
}

static int
read_all(struct ctx *c, char **out, size_t *outlen)
{
	FCGX_Request	*r = c->fcgi;
	size_t		 want = (size_t)c->content_length, got = 0;
	char		*p;
	int		 n;

	p = arena_alloc(c->d.arena, want + 1);
	while (r != NULL && got < want) {
		n = FCGX_GetStr(p + got, (int)(want - got > 65536 ? 65536 :
		    want - got), r->in);
		if (n <= 0)
			break;
		got += n;
	}
	if (got != want) {
		clog_warnx(&c->d, "body short: got %zu of %zu bytes", got,
		    want);
		return req_fail(c, ERR_INVALID, "请求内容不完整");
	}
	p[got] = '\0';
	*out = p;
	*outlen = got;
	return 0;
}

static int
ctype_is(const char *ct, const char *want)
{
	size_t	n = strlen(want);

	return ct != NULL && strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Does a string anywhere in v hold a NUL ("\u0000")? C would cut it. */
static int
json_has_nul(json_object *v)
{
	size_t	i, n;

	switch (json_object_get_type(v)) {
	case json_type_string:
		return strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v);
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (json_has_nul(json_object_array_get_idx(v, i)))
				return 1;
		return 0;
	case json_type_object: {
		json_object_object_foreach(v, key, val) {
			(void)key;
			if (json_has_nul(val))
				return 1;
		}
		return 0;
	}
	default:
		return 0;
	}
}

static int
parse_json_body(struct ctx *c, const char *body, size_t len)
{
	struct json_tokener	*tok;
	enum json_tokener_error	 jerr;
	json_object		*j;

	if (!utf8_valid(body, len))
		return bad_request(c, "JSON 不是有效的 UTF-8");
	tok = json_tokener_new_ex(32);
	j = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_success &&
	    json_tokener_get_parse_end(tok) < len)
		jerr = json_tokener_error_parse_unexpected;
	json_tokener_free(tok);
	if (jerr != json_tokener_success || j == NULL ||
	    !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		clog_warnx(&c->d, "bad JSON body: %s",
		    jerr != json_tokener_success ?
		    json_tokener_error_desc(jerr) : "not an object");
		return req_fail(c, ERR_INVALID, "JSON 格式错误：应为一个对象");
	}
	/* As query_parse(): a value with a NUL is refused, not cut short. */
	if (json_has_nul(j)) {
		json_object_put(j);
		return bad_request(c, "JSON 内容含有无效字符");
	}
	c->json = j;
	arena_defer_json(c->d.arena, j);
	return 0;
}

/* Read the body once, by its content type, within the size limits. */
int
request_body(struct ctx *c)
{
	const char	*ct = c->content_type;
	char		*body = NULL;
	size_t		 len = 0;
	int		 multipart = ctype_is(ct, "multipart/form-data");
	int64_t		 limit = multipart ? conf.max_upload : conf.max_body;
	int		 rc;

	if (c->body_read)
		return 0;
	c->body_read = 1;
	if (c->content_length == 0)
		return 0;
	if (c->content_length > limit) {
		clog_warnx(&c->d, "body too large: %" PRId64 " bytes, limit %"
		    PRId64, c->content_length, limit);
		req_drain(c);
		return req_fail(c, ERR_TOO_LARGE, arena_printf(c->d.arena,
		    "提交的内容过大（上限 %" PRId64 " KB）", limit / 1024));
	}
	if (!multipart && !ctype_is(ct, "application/x-www-form-urlencoded") &&
	    !ctype_is(ct, "application/json")) {
		req_drain(c);
		clog_warnx(&c->d, "unsupported content type %s",
		    ct ? ct : "(none)");
		return req_fail(c, ERR_UNSUPPORTED, "不支持的提交格式");
	}
	if ((rc = read_all(c, &body, &len)) != 0)
		return rc;
	if (multipart)
		return multipart_parse(c, body, len, ct);
	if (ctype_is(ct, "application/json"))
		return parse_json_body(c, body, len);
	if (query_parse(c->d.arena, &c->form, body, len) == -1)
		return bad_request(c, "表单内容含有无效字符");
	return 0;
}

/*
 * The body as sent, unparsed, up to max_body (a signed callback whose
 * signature covers its exact bytes): 0, or an enum err answered.
 */
int
request_raw_body(struct ctx *c, const char **body, size_t *len)
{
	char	*p = NULL;
	int	 rc;

	*body = "";
	*len = 0;
	if (c->body_read)
		return req_fail(c, ERR_INTERNAL, "请求内容已读");
	c->body_read = 1;
	if (c->content_length == 0)
		return 0;
	if (c->content_length > conf.max_body) {
		req_drain(c);
		return req_fail(c, ERR_TOO_LARGE, "提交的内容过大");
	}
	if ((rc = read_all(c, &p, len)) != 0)
		return rc;
	*body = p;
	return 0;
}

/* Value of a header parameter such as name="x" in Content-Disposition. */
static const char *
hdr_param(struct ctx *c, const char *h, size_t hl, const char *key)
{
	const char	*p = h, *end = h + hl, *v;
	size_t		 kl = strlen(key);

	while ((p = memmem(p, end - p, key, kl)) != NULL) {
		if ((p == h || p[-1] == ' ' || p[-1] == ';') &&
		    p + kl < end && p[kl] == '=') {
			v = p + kl + 1;
			if (v < end && *v == '"') {
				const char *q = memchr(v + 1, '"', end - v - 1);
				if (q == NULL)
					return NULL;
				return arena_strndup(c->d.arena, v + 1,
				    q - v - 1);
			}
			p = v;
			while (p < end && *p != ';' && *p != '\r')
				p++;
			return arena_strndup(c->d.arena, v, p - v);
		}
		p += kl;
	}
	return NULL;
}

int
multipart_parse(struct ctx *c, char *body, size_t len, const char *ct)
{
	const char	*b, *q, *name, *fname, *type;
	char		*delim, *p, *end = body + len, *hend, *next;
	size_t		 dl;
	struct upload	*u;

	if ((b = strstr(ct, "boundary=")) == NULL)
		return bad_request(c, "multipart 缺少 boundary");
	b += 9;
	/* boundary="…" may hold spaces; a bare one ends at ';' or space. */
	q = *b == '"' ? b + 1 : b;
	delim = arena_printf(c->d.arena, "\r\n--%.*s", (int)(*b == '"' ?
	    strcspn(q, "\"") : strcspn(q, "; ")), q);
	dl = strlen(delim);
	if (dl < 5 || len < dl - 2 || memcmp(body, delim + 2, dl - 2) != 0)
		return bad_request(c, "multipart 格式错误");
	p = body + dl - 2;
	for (;;) {
		if (end - p >= 2 && memcmp(p, "--", 2) == 0)
			return 0;			/* closing delimiter */
		if (end - p < 2 || memcmp(p, "\r\n", 2) != 0)
			return bad_request(c, "multipart 格式错误");
		p += 2;
		if ((hend = memmem(p, end - p, "\r\n\r\n", 4)) == NULL)
			return bad_request(c, "multipart 头部不完整");
		if ((next = memmem(hend + 4, end - hend - 4, delim, dl)) ==
		    NULL)
			return bad_request(c, "multipart 缺少结束标记");
		name = hdr_param(c, p, hend - p, "name");
		fname = hdr_param(c, p, hend - p, "filename");
		if (name == NULL)
			return bad_request(c, "multipart 分段缺少 name");
		*next = '\0';
		if (fname != NULL) {
			type = NULL;
			if ((type = memmem(p, hend - p, "Content-Type:", 13))
			    != NULL) {
				type += 13;
				while (*type == ' ')
					type++;
				type = arena_strndup(c->d.arena, type,
				    strcspn(type, "\r"));
			}
			if (c->uploads == NULL)
				c->uploads = arena_alloc(c->d.arena,
				    MAX_UPLOADS * sizeof(*u));
			if (c->nuploads == MAX_UPLOADS)
				return bad_request(c, "一次上传的文件过多");
			u = &c->uploads[c->nuploads++];
			u->field = name;
			u->filename = fname;
			u->type = type ? type : "application/octet-stream";
			u->data = hend + 4;
			u->len = next - hend - 4;
		} else {
			if (!utf8_valid(hend + 4, next - hend - 4) ||
			    strlen(hend + 4) != (size_t)(next - hend - 4))
				return bad_request(c, "表单内容含有无效字符");
			kv_add(c->d.arena, &c->form, name, hend + 4,
			    next - hend - 4);
		}
		p = next + dl;
	}
}

/* A request parameter: the body (form or JSON) first, then the query. */
const char *
req_param(struct ctx *c, const char *name)
{
	json_object	*v;
	const char	*s;

	if (c->json != NULL && json_object_object_get_ex(c->json, name, &v)) {
		if (v == NULL || json_object_is_type(v, json_type_object) ||
		    json_object_is_type(v, json_type_array))
			return NULL;
		return json_object_get_string(v);
	}
	if ((s = kv_get(&c->form, name)) != NULL)
		return s;
	return kv_get(&c->query, name);
}

const char *
req_cookie(struct ctx *c, const char *name)
{
	return kv_get(&c->cookies, name);
}

/*
 * The one-time notice a redirect after a change asks for with ?done=KEY:
 * the text table (n rows of { key, text }) gives KEY, or NULL. Only fixed
 * texts: the query never reaches the page.
 */
const char *
req_notice(struct ctx *c, const char *const (*table)[2], size_t n)
{
	const char	*d = kv_get(&c->query, "done");
	size_t		 i;

	for (i = 0; d != NULL && i < n; i++)
		if (strcmp(d, table[i][0]) == 0)
			return table[i][1];
	return NULL;
}
