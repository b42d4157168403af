/*
 * response.c -- the bytes of a response: status, headers, cookies, body,
 * the JSON envelope {"ok":...} and the table of error codes (enum err to
 * status, code and default message). It decides nothing and renders no
 * page: http_fail (render.c) and the handlers do. Every response carries
 * the security headers and the request id.
 */
#include "base/base.h"
#include "domain/session.h"
#include "http/http.h"

#include <fcgiapp.h>

static const struct {
	int		 status;
	const char	*code;
	const char	*message;
} errs[ERR_NCODES] = {
	[ERR_NONE] =		{ 200, "ok", "" },
	[ERR_INVALID] =		{ 400, "invalid", "请求有误" },
	[ERR_UNAUTHORIZED] =	{ 401, "login_required", "请先登录" },
	[ERR_FORBIDDEN] =	{ 403, "forbidden", "无权访问" },
	[ERR_CSRF] =		{ 403, "csrf",
				  "页面已过期或来源不明，请刷新后重试" },
	[ERR_NOT_FOUND] =	{ 404, "not_found", "页面不存在" },
	[ERR_METHOD] =		{ 405, "method_not_allowed",
				  "不支持此请求方法" },
	[ERR_CONFLICT] =	{ 409, "conflict", "操作冲突，请刷新后重试" },
	[ERR_KEY_REUSED] =	{ 422, "conflict",
				  "该请求标识已用于另一个请求，请勿重复使用" },
	[ERR_OUT_OF_STOCK] =	{ 409, "out_of_stock", "库存不足" },
	[ERR_CREDIT_EXCEEDED] =	{ 409, "credit_exceeded", "超出信用额度" },
	[ERR_TOO_LARGE] =	{ 413, "too_large", "提交的内容过大" },
	[ERR_UNSUPPORTED] =	{ 415, "unsupported_media_type",
				  "不支持的提交格式" },
	[ERR_TOO_MANY] =	{ 429, "rate_limited",
				  "操作过于频繁，请稍后再试" },
	[ERR_INTERNAL] =	{ 500, "internal", "服务器出错了，请稍后再试" },
	[ERR_UNAVAILABLE] =	{ 503, "unavailable", "服务暂时不可用" },
};

/* Anything outside the table is an internal error. */
static enum err
known(enum err e)
{
	return (int)e < ERR_NONE || e >= ERR_NCODES ? ERR_INTERNAL : e;
}

int
err_status(enum err e)
{
	return errs[known(e)].status;
}

const char *
err_code(enum err e)
{
	return errs[known(e)].code;
}

const char *
err_message(enum err e)
{
	return errs[known(e)].message;
}

void
http_header(struct ctx *c, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") != NULL) {
		clog_warnx(&c->d, "header %s dropped: contains CR/LF", name);
		return;
	}
	buf_printf(&c->headers, "%s: %s\r\n", name, value);
}

/*
 * Cookies are scoped to the shop's path prefix on shared hosting, so two
 * shops under one domain never see each other's session.
 */
void
http_set_cookie(struct ctx *c, const char *name, const char *value,
    int64_t max_age)
{
	buf_printf(&c->headers, "Set-Cookie: %s=%s; Path=%s; Max-Age=%" PRId64
	    "; HttpOnly; SameSite=Lax%s\r\n", name, value,
	    *c->base ? c->base : "/", max_age, c->https ? "; Secure" : "");
}

static void
json_send(struct ctx *c, int status, json_object *env)
{
	const char	*s;
	size_t		 n;

	s = json_object_to_json_string_length(env, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	c->body.len = 0;
	buf_add(&c->body, s, n);
	c->status = status;
	c->ctype = "application/json; charset=utf-8";
	json_object_put(env);
}

/* {"ok":true,"data":<the view>} */
int
render_json_ok(struct ctx *c, int status)
{
	json_object	*env;

	if (c->vm != NULL) {	/* what json_send would write for it */
		c->body.len = 0;
		buf_adds(&c->body, "{\"ok\":true,\"data\":");
		vm_json(&c->body, c->vm);
		buf_addc(&c->body, '}');
		c->status = status;
		c->ctype = "application/json; charset=utf-8";
		return status;
	}
	env = json_object_new_object();
	json_object_object_add(env, "ok", json_object_new_boolean(1));
	json_object_object_add(env, "data", c->view ?
	    json_object_get(c->view) : json_object_new_object());
	json_send(c, status, env);
	return status;
}

/* {"ok":false,"error":err} with c->status; takes err over. */
int
http_json_error(struct ctx *c, json_object *err)
{
	json_object	*env = json_object_new_object();

	json_object_object_add(env, "ok", json_object_new_boolean(0));
	json_object_object_add(env, "error", err);
	json_send(c, c->status, env);
	return c->status;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status < 500 ? "" : "Internal Server Error";
	}
}

static const char security_headers[] =
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: strict-origin-when-cross-origin\r\n"
    "X-Frame-Options: SAMEORIGIN\r\n"
    "Content-Security-Policy: default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'\r\n";

void
response_send(struct ctx *c)
{
	FCGX_Request	*r = c->fcgi;
	struct buf	 h;

	if (c->sent || r == NULL)
		return;
	c->sent = 1;
	buf_init(&h, 1024);
	buf_printf(&h, "Status: %d %s\r\nContent-Type: %s\r\n"
	    "X-Request-Id: %s\r\nCache-Control: %s\r\n%s", c->status,
	    reason(c->status),
	    c->ctype ? c->ctype : "text/html; charset=utf-8", c->d.reqid,
	    c->d.sess.kind != SESS_NONE ? "private, no-store" : "no-cache",
	    security_headers);
	buf_add(&h, c->headers.p, c->headers.len);
	buf_adds(&h, "\r\n");
	FCGX_PutStr(h.p, (int)h.len, r->out);
	if (strcmp(c->method ? c->method : "GET", "HEAD") != 0 && c->body.len)
		FCGX_PutStr(c->body.p, (int)c->body.len, r->out);
	buf_free(&h);
}
