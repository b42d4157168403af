/*
 * response.c -- status, headers and body of a response, and the one place
 * where errors become responses (http_fail): a themed page for browsers,
 * the {"ok":false,"error":{...}} envelope for JSON clients, and a log line.
 * Every response carries the security headers and the request id.
 */
#include "dinghuo.h"

#include <fcgiapp.h>

static const struct {
	int		 status;
	const char	*code;
	const char	*message;
} errs[] = {
	[ERR_NONE] =		{ 200, "ok", "" },
	[ERR_INVALID] =		{ 400, "invalid", "请求有误" },
	[ERR_UNAUTHORIZED] =	{ 401, "unauthorized", "请先登录" },
	[ERR_FORBIDDEN] =	{ 403, "forbidden", "无权访问" },
	[ERR_NOT_FOUND] =	{ 404, "not_found", "页面不存在" },
	[ERR_METHOD] =		{ 405, "method_not_allowed", "不支持此请求方法" },
	[ERR_CONFLICT] =	{ 409, "conflict", "操作冲突，请刷新后重试" },
	[ERR_TOO_LARGE] =	{ 413, "too_large", "提交的内容过大" },
	[ERR_UNSUPPORTED] =	{ 415, "unsupported_media_type",
				  "不支持的提交格式" },
	[ERR_TOO_MANY] =	{ 429, "too_many_requests",
				  "操作过于频繁，请稍后再试" },
	[ERR_INTERNAL] =	{ 500, "internal", "服务器出错了，请稍后再试" },
	[ERR_UNAVAILABLE] =	{ 503, "unavailable", "服务暂时不可用" },
};

int
err_status(enum err e)
{
	return errs[e].status;
}

const char *
err_code(enum err e)
{
	return errs[e].code;
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

int
http_fail(struct ctx *c, enum err e, const char *msg)
{
	json_object	*err;

	if (e == ERR_NONE || e > ERR_UNAVAILABLE)
		e = ERR_INTERNAL;
	/* A database that cannot be reached is an outage, not a bug. */
	if (e == ERR_INTERNAL && db_unreachable()) {
		e = ERR_UNAVAILABLE;
		msg = NULL;
	}
	c->status = errs[e].status;
	/* Internal errors never show what went wrong inside. */
	if (msg == NULL || e == ERR_INTERNAL)
		msg = errs[e].message;
	if (e == ERR_UNAVAILABLE)
		http_header(c, "Retry-After", "5");
	c->d.error = msg;
	if (e == ERR_INTERNAL || e == ERR_UNAVAILABLE)
		clog_warnx(&c->d, "%d %s %s: %s", c->status, c->method,
		    log_safe(c->d.arena, c->uri), errs[e].code);
	else if (e != ERR_NOT_FOUND && e != ERR_UNAUTHORIZED)
		clog_info(&c->d, "%d %s %.200s: %s", c->status, c->method,
		    log_safe(c->d.arena, c->uri), msg);
	if (e == ERR_METHOD)
		http_header(c, "Allow", c->m.allow);
	if (c->json_out) {
		err = json_object_new_object();
		view_set_str(err, "code", errs[e].code);
		view_set_str(err, "message", msg);
		return http_json_error(c, err);
	}
	view_new(c);
	view_set_i64(c->view, "status", c->status);
	view_set_str(c->view, "code", errs[e].code);
	view_set_str(c->view, "message", msg);
	view_set_bool(c->view, "login", e == ERR_UNAUTHORIZED);
	c->title = msg;
	if (render_page(c, "error") != 0) {
		c->body.len = 0;
		c->ctype = "text/plain; charset=utf-8";
		buf_printf(&c->body, "%d %s\n", c->status, msg);
	}
	return c->status;
}

int
http_see_other(struct ctx *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*url;

	va_start(ap, fmt);
	url = arena_vprintf(c->d.arena, fmt, ap);
	va_end(ap);
	if (c->json_out) {
		if (c->view == NULL)
			view_new(c);
		view_set_str(c->view, "redirect", url);
		return render_json_ok(c, 200);
	}
	c->status = 303;
	http_header(c, "Location", url);
	c->ctype = "text/html; charset=utf-8";
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
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
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
