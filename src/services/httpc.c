/*
 * httpc.c: libcurl client for external services. Redirects are never
 * followed (a payment API that redirects is an error to report, not a
 * place to go), response size is capped, secrets never pass through
 * here to the log: callers log what they called and the result.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "services/httpc.h"

struct sink {
	struct httpc_resp	*resp;
	size_t			 max;
};

void
httpc_resp_init(struct httpc_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 256);
}

void
httpc_resp_free(struct httpc_resp *r)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	r->nhdrs = 0;
	buf_free(&r->body);
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len = sz * n;

	if (s->resp->body.len + len > s->max) {
		s->resp->truncated = 1;
		return 0;	/* aborts the transfer with CURLE_WRITE_ERROR */
	}
	buf_add(&s->resp->body, p, len);
	return len;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct sink	*s = arg;
	struct httpc_resp *r = s->resp;
	size_t		 len = sz * n, k, e;
	char		*colon;

	/* A new status line (100 Continue, then the real one) resets. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		httpc_resp_free(r);
		buf_init(&r->body, 256);
		return len;
	}
	colon = memchr(p, ':', len);
	if (colon == NULL || r->nhdrs == HTTPC_MAX_HDRS)
		return len;
	k = colon - p;
	e = len;
	while (e > k + 1 && (p[e - 1] == '\r' || p[e - 1] == '\n' ||
	    p[e - 1] == ' '))
		e--;
	colon++;
	while (colon < p + e && (*colon == ' ' || *colon == '\t'))
		colon++;
	r->hdrs[r->nhdrs].name = xstrndup(p, k);
	r->hdrs[r->nhdrs].value = xstrndup(colon, p + e - colon);
	r->nhdrs++;
	return len;
}

const char *
httpc_header(const struct httpc_resp *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return r->hdrs[i].value;
	return NULL;
}

int
httpc_do(const struct httpc_req *q, struct httpc_resp *r)
{
	CURL			*c;
	CURLcode		 rc;
	struct curl_slist	*hl = NULL;
	struct sink		 s;
	char			*url;
	size_t			 i, ulen;
	double			 t0;

	r->err[0] = '\0';
	if (q->base_url == NULL || q->path == NULL || q->method == NULL) {
		snprintf(r->err, sizeof(r->err), "httpc: missing url/method");
		return -1;
	}
	if ((c = curl_easy_init()) == NULL) {
		snprintf(r->err, sizeof(r->err), "httpc: curl_easy_init");
		return -1;
	}
	ulen = strlen(q->base_url) + strlen(q->path) + 1;
	url = xmalloc(ulen);
	snprintf(url, ulen, "%s%s", q->base_url, q->path);
	for (i = 0; q->headers != NULL && q->headers[i] != NULL; i++)
		hl = curl_slist_append(hl, q->headers[i]);
	/* libcurl adds "Expect: 100-continue" to large POSTs; no API wants it. */
	hl = curl_slist_append(hl, "Expect:");

	s.resp = r;
	s.max = q->max_body ? q->max_body : 1024 * 1024;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    q->connect_timeout_ms ? q->connect_timeout_ms : 2000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    q->timeout_ms ? q->timeout_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (q->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, q->ca_file);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
	if (strcmp(q->method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else {
		if (strcmp(q->method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		    q->body != NULL ? q->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
		    (long)(q->body != NULL ? q->body_len : 0));
	}

	t0 = now_ms();
	rc = curl_easy_perform(c);
	r->elapsed_ms = (long)(now_ms() - t0);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (rc != CURLE_OK) {
		if (r->truncated)
			snprintf(r->err, sizeof(r->err),
			    "httpc: response larger than %zu bytes", s.max);
		else
			snprintf(r->err, sizeof(r->err), "httpc: %s",
			    curl_easy_strerror(rc));
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	free(url);
	return rc == CURLE_OK ? 0 : -1;
}
