/*
 * wxapi: the WeChat JSON APIs (official account, mini-program) over
 * httpc: GET or POST JSON to conf.wechat_api_base + path, the errcode
 * of the answer mapped to what a caller can do about it (shared
 * wechat-protocols.md §1.3, §9.1). Services layer: no business, no
 * tokens kept here (domain/wx_token.c caches them).
 */
#ifndef WXAPI_H
#define WXAPI_H

#include <stddef.h>

#include <json-c/json.h>

struct buf;

enum wxapi_rc {
	WXAPI_OK = 0,
	WXAPI_ERR_NET,		/* no answer, timeout, 5xx: retry may help */
	WXAPI_ERR_BUSY,		/* -1 system busy: retry with backoff */
	WXAPI_ERR_TOKEN,	/* 40001, 42001, 40014: refresh, retry once */
	WXAPI_ERR_QUOTA,	/* 45009, 45011: later, not in the request */
	WXAPI_ERR_CONF,		/* 40013, 40125, 40164, 40243, 48001: ops */
	WXAPI_ERR_CODE,		/* 40029, 40163: the user's code is bad */
	WXAPI_ERR_PARSE,	/* not JSON, or not what the API answers */
	WXAPI_ERR_API		/* any other errcode: fail fast */
};

struct wxapi_result {
	enum wxapi_rc	 rc;
	int		 retryable;	/* the same call may be repeated */
	long		 http_status;
	long		 errcode;
	char		 errmsg[256];
	char		 rid[64];	/* from errmsg "... rid: xxxx" */
	long		 elapsed_ms;
};

const char	*wxapi_rc_str(enum wxapi_rc);
/* errcode -> rc and retryable (exported for tests). */
void		 wxapi_map(long errcode, struct wxapi_result *);
/* path with the values of access_token, secret, js_code, code and
 * refresh_token replaced by "***", into out; for logs. */
void		 wxapi_redact(const char *path, char *out, size_t);
/*
 * One call: method "GET" or "POST" (body JSON, may be NULL for an empty
 * object), path with its query. what names the call in the log line.
 * On WXAPI_OK returns the parsed answer (the caller puts it), else NULL
 * with r saying why. idempotent: a busy (-1) or failed connection is
 * tried once more after a short pause.
 */
json_object	*wxapi_call(const char *what, const char *method,
		     const char *path, json_object *body, int idempotent,
		     struct wxapi_result *r);
/* The same to another base URL (conf.wecom_api_base: WeCom, §8, §11). */
json_object	*wxapi_call_at(const char *base, const char *what,
		     const char *method, const char *path, json_object *body,
		     int idempotent, struct wxapi_result *r);
/* A file as multipart/form-data, part "media", type its MIME type
 * (WeCom media/upload, §11.9); never repeated. */
json_object	*wxapi_upload_at(const char *base, const char *what,
		     const char *path, const char *filename, const char *type,
		     const void *data, size_t len, struct wxapi_result *r);
/*
 * A POST whose success is bytes, not JSON (wxacode.getUnlimited, §5.1):
 * an image answer (Content-Type image/..., first byte not '{'), whole
 * and at most max bytes, is appended to out: 0. A JSON answer is read
 * for its errcode as wxapi_call's (JSON without one is WXAPI_ERR_PARSE:
 * never an error saved as a picture): -1 with r. Not repeated.
 */
int		 wxapi_call_bin(const char *what, const char *path,
		     json_object *body, size_t max, struct buf *out,
		     struct wxapi_result *r);
/* JS-SDK config signature (§3.4): hex SHA-1 into out[41]; -1 if a
 * value is missing. url is used as given (the caller drops "#..."). */
int		 wxapi_jssdk_sign(const char *ticket, const char *nonce,
		     long long timestamp, const char *url, char *out);

#endif
