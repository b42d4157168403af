/*
 * wxapi.c: the WeChat JSON API calls (§1.3, §9.1): build the URL from
 * conf.wechat_api_base, send through httpc, read errcode/errmsg/rid and
 * map them to a result saying whether a retry can help. One log line
 * per call, its query's credentials (access_token, secret, codes)
 * redacted; bodies are never logged (phone numbers, session keys).
 */
#include <openssl/sha.h>

#include "base/base.h"
#include "base/conf.h"
#include "services/httpc.h"
#include "services/wxapi.h"

#define WXAPI_MAX_BODY	(1024 * 1024)

const char *
wxapi_rc_str(enum wxapi_rc rc)
{
	switch (rc) {
	case WXAPI_OK:		return "ok";
	case WXAPI_ERR_NET:	return "network";
	case WXAPI_ERR_BUSY:	return "busy";
	case WXAPI_ERR_TOKEN:	return "token-invalid";
	case WXAPI_ERR_QUOTA:	return "quota";
	case WXAPI_ERR_CONF:	return "config";
	case WXAPI_ERR_CODE:	return "bad-code";
	case WXAPI_ERR_PARSE:	return "parse";
	case WXAPI_ERR_API:	return "api-error";
	}
	return "?";
}

void
wxapi_map(long errcode, struct wxapi_result *r)
{
	r->errcode = errcode;
	r->retryable = 0;
	switch (errcode) {
	case 0:
		r->rc = WXAPI_OK;
		break;
	case -1:
		r->rc = WXAPI_ERR_BUSY;
		r->retryable = 1;
		break;
	case 40001: case 42001: case 40014:
		r->rc = WXAPI_ERR_TOKEN;	/* after a refresh, once */
		break;
	case 45009: case 45011:
		r->rc = WXAPI_ERR_QUOTA;
		break;
	case 40013: case 40125: case 40164: case 40243: case 48001:
		r->rc = WXAPI_ERR_CONF;
		break;
	case 40029: case 40163:
		r->rc = WXAPI_ERR_CODE;
		break;
	default:
		r->rc = WXAPI_ERR_API;
	}
}

static int
secret_key(const char *k, size_t n)
{
	static const char *const keys[] = { "access_token", "secret",
	    "corpsecret", "js_code", "code", "refresh_token" };
	size_t	i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == n && strncmp(k, keys[i], n) == 0)
			return 1;
	return 0;
}

void
wxapi_redact(const char *path, char *out, size_t len)
{
	struct buf	 b;
	const char	*q, *p, *eq, *amp;

	buf_init(&b, 128);
	if ((q = strchr(path, '?')) == NULL)
		buf_adds(&b, path);
	else {
		buf_add(&b, path, q + 1 - path);
		for (p = q + 1; *p != '\0'; p = *amp ? amp + 1 : amp) {
			if ((amp = strchr(p, '&')) == NULL)
				amp = p + strlen(p);
			eq = memchr(p, '=', amp - p);
			if (eq != NULL && secret_key(p, eq - p)) {
				buf_add(&b, p, eq + 1 - p);
				buf_adds(&b, "***");
			} else
				buf_add(&b, p, amp - p);
			if (*amp)
				buf_addc(&b, '&');
		}
	}
	snprintf(out, len, "%s", buf_cstr(&b));
	buf_free(&b);
}

/* "invalid code, rid: 6543..." -> "6543..." */
static void
take_rid(const char *msg, struct wxapi_result *r)
{
	const char	*p;
	size_t		 n;

	if ((p = strstr(msg, "rid:")) == NULL)
		return;
	for (p += 4; *p == ' '; p++)
		;
	for (n = 0; p[n] != '\0' && !isspace((unsigned char)p[n]) &&
	    n + 1 < sizeof(r->rid); n++)
		r->rid[n] = p[n];
	r->rid[n] = '\0';
}

/*
 * One request. bin != NULL: the answer may be bytes (wxacode, §5.1): an
 * image (Content-Type image/..., not starting with '{') goes into bin,
 * whole and at most max bytes, as WXAPI_OK with NULL returned; JSON is
 * read for its errcode as usual, and JSON without one is WXAPI_ERR_PARSE.
 */
/* What one request sends: where, and the body with its type. */
struct out {
	const char	*base;		/* conf.wechat_api_base, or another */
	const char	*body;		/* NULL: none */
	size_t		 len;
	const char	*ctype;		/* "Content-Type: ..." */
};

static json_object *
once(const char *method, const char *path, const struct out *b,
    struct buf *bin, size_t max, struct wxapi_result *r)
{
	const char		*ctype;
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	const char		*hdrs[4];
	json_object		*o = NULL, *v;
	enum json_tokener_error	 jerr;

	memset(r, 0, sizeof(*r));
	hdrs[0] = "Accept: application/json";
	hdrs[1] = "User-Agent: dinghuo/1.0";
	hdrs[2] = b->body != NULL ? b->ctype : NULL;
	hdrs[3] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = method;
	q.base_url = b->base;
	q.path = path;
	q.headers = hdrs;
	q.body = b->body;
	q.body_len = b->body != NULL ? b->len : 0;
	q.timeout_ms = conf.wechat_timeout * 1000;
	q.max_body = bin != NULL ? max : WXAPI_MAX_BODY;
	q.ca_file = conf.wechat_ca_file != NULL && *conf.wechat_ca_file ?
	    conf.wechat_ca_file : NULL;
	httpc_resp_init(&resp);
	if (httpc_do(&q, &resp) != 0) {
		r->rc = WXAPI_ERR_NET;
		r->retryable = 1;
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", resp.err);
		goto done;
	}
	r->http_status = resp.status;
	if (resp.status >= 500) {
		r->rc = WXAPI_ERR_NET;
		r->retryable = 1;
		snprintf(r->errmsg, sizeof(r->errmsg), "HTTP %ld",
		    resp.status);
		goto done;
	}
	ctype = httpc_header(&resp, "Content-Type");
	if (bin != NULL && resp.status == 200 && ctype != NULL &&
	    strncasecmp(ctype, "image/", 6) == 0 && resp.body.len > 0 &&
	    resp.body.p[0] != '{') {
		if (resp.truncated) {
			r->rc = WXAPI_ERR_PARSE;
			snprintf(r->errmsg, sizeof(r->errmsg), "image over "
			    "%zu bytes", max);
		} else {
			r->rc = WXAPI_OK;
			buf_add(bin, resp.body.p, resp.body.len);
		}
		goto done;
	}
	buf_cstr(&resp.body);
	o = json_tokener_parse_verbose(resp.body.p, &jerr);
	if (resp.status != 200 || o == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		r->rc = WXAPI_ERR_PARSE;
		snprintf(r->errmsg, sizeof(r->errmsg), "HTTP %ld, %s",
		    resp.status, o == NULL ? "not JSON" : "not an object");
		json_object_put(o);
		o = NULL;
		goto done;
	}
	if (json_object_object_get_ex(o, "errmsg", &v)) {
		snprintf(r->errmsg, sizeof(r->errmsg), "%s",
		    json_object_get_string(v));
		take_rid(r->errmsg, r);
	}
	if (json_object_object_get_ex(o, "errcode", &v)) {
		if (!json_object_is_type(v, json_type_int)) {
			r->rc = WXAPI_ERR_PARSE;
			snprintf(r->errmsg, sizeof(r->errmsg),
			    "errcode is not a number");
		} else
			wxapi_map((long)json_object_get_int64(v), r);
	} else
		r->rc = WXAPI_OK;
	if (bin != NULL && r->rc == WXAPI_OK) {
		r->rc = WXAPI_ERR_PARSE;	/* JSON where an image was due */
		snprintf(r->errmsg, sizeof(r->errmsg), "JSON, not an image");
	}
	if (r->rc != WXAPI_OK) {
		json_object_put(o);
		o = NULL;
	}
done:
	r->elapsed_ms = resp.elapsed_ms;
	httpc_resp_free(&resp);
	return o;
}

/* errmsg as it goes in a log line: printable ASCII, no quotes. */
static const char *
quiet(char *s)
{
	char	*p;

	for (p = s; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"')
			*p = '_';
	return s;
}

static json_object *
call_out(const char *what, const char *method, const char *path,
    const struct out *b, int idempotent, struct buf *bin, size_t max,
    struct wxapi_result *r)
{
	struct timespec	 ts;
	char		 safe[512], msg[256];
	json_object	*o;
	int		 tries = 0;

	wxapi_redact(path, safe, sizeof(safe));
	for (;;) {
		o = once(method, path, b, bin, max, r);
		tries++;
		snprintf(msg, sizeof(msg), "%s", r->errmsg);
		log_info("wxapi: %s %s %s -> %ld errcode=%ld %s rid=%s "
		    "try=%d %ldms%s%s", what, method, safe, r->http_status,
		    r->errcode, wxapi_rc_str(r->rc), r->rid, tries,
		    r->elapsed_ms, r->rc == WXAPI_OK ? "" : " msg=",
		    r->rc == WXAPI_OK ? "" : quiet(msg));
		/* A busy answer, a 5xx or a refused connection, once: a
		 * timeout has already spent the request's time. */
		if (o != NULL || r->rc == WXAPI_OK || !idempotent ||
		    tries > 1 ||
		    !(r->rc == WXAPI_ERR_BUSY || (r->rc == WXAPI_ERR_NET &&
		    (r->http_status >= 500 || r->elapsed_ms < 1000))))
			return o;
		ts.tv_sec = 0;
		ts.tv_nsec = (200 + (long)(now_ms()) % 100) * 1000000L;
		nanosleep(&ts, NULL);
	}
}

/* A JSON call to base (conf.wechat_api_base unless said). */
static json_object *
call(const char *base, const char *what, const char *method,
    const char *path, json_object *body, int idempotent, struct buf *bin,
    size_t max, struct wxapi_result *r)
{
	struct out	b;

	b.base = base != NULL ? base : conf.wechat_api_base;
	b.body = NULL;
	if (body != NULL)
		b.body = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	else if (strcmp(method, "POST") == 0)
		b.body = "{}";
	b.len = b.body != NULL ? strlen(b.body) : 0;
	b.ctype = "Content-Type: application/json";
	return call_out(what, method, path, &b, idempotent, bin, max, r);
}

json_object *
wxapi_call(const char *what, const char *method, const char *path,
    json_object *body, int idempotent, struct wxapi_result *r)
{
	return call(NULL, what, method, path, body, idempotent, NULL, 0, r);
}

json_object *
wxapi_call_at(const char *base, const char *what, const char *method,
    const char *path, json_object *body, int idempotent,
    struct wxapi_result *r)
{
	return call(base, what, method, path, body, idempotent, NULL, 0, r);
}

/*
 * One file as multipart/form-data, part "media" (WeCom's media/upload,
 * wechat-protocols.md §11.9); the answer read as wxapi_call's. Not
 * repeated: an upload that may have arrived is not sent twice.
 */
json_object *
wxapi_upload_at(const char *base, const char *what, const char *path,
    const char *filename, const char *type, const void *data, size_t len,
    struct wxapi_result *r)
{
	struct out	 b;
	struct buf	 body;
	char		 mark[33], ctype[96];
	json_object	*o;

	if (random_hex(mark, (sizeof(mark) - 1) / 2) == -1) {
		memset(r, 0, sizeof(*r));
		r->rc = WXAPI_ERR_NET;
		snprintf(r->errmsg, sizeof(r->errmsg), "no random boundary");
		return NULL;
	}
	buf_init(&body, len + 512);
	buf_printf(&body, "--dh%s\r\nContent-Disposition: form-data; "
	    "name=\"media\"; filename=\"%s\"; filelength=%zu\r\n"
	    "Content-Type: %s\r\n\r\n", mark, filename, len, type);
	buf_add(&body, data, len);
	buf_printf(&body, "\r\n--dh%s--\r\n", mark);
	snprintf(ctype, sizeof(ctype), "Content-Type: multipart/form-data; "
	    "boundary=dh%s", mark);
	b.base = base;
	b.body = body.p;
	b.len = body.len;
	b.ctype = ctype;
	o = call_out(what, "POST", path, &b, 0, NULL, 0, r);
	buf_free(&body);
	return o;
}

int
wxapi_call_bin(const char *what, const char *path, json_object *body,
    size_t max, struct buf *out, struct wxapi_result *r)
{
	call(NULL, what, "POST", path, body, 0, out, max, r);
	return r->rc == WXAPI_OK ? 0 : -1;
}

int
wxapi_jssdk_sign(const char *ticket, const char *nonce, long long timestamp,
    const char *url, char *out)
{
	unsigned char	 md[SHA_DIGEST_LENGTH];
	struct buf	 b;

	if (ticket == NULL || *ticket == '\0' || nonce == NULL ||
	    *nonce == '\0' || url == NULL || *url == '\0')
		return -1;
	buf_init(&b, 256);
	buf_printf(&b, "jsapi_ticket=%s&noncestr=%s&timestamp=%lld&url=%s",
	    ticket, nonce, timestamp, url);
	SHA1((const unsigned char *)b.p, b.len, md);
	buf_free(&b);
	hex_encode(md, sizeof(md), out);
	return 0;
}
