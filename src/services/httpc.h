/*
 * httpc: a small blocking HTTP client over libcurl for the external
 * services (WeChat Pay, WeChat, WeCom). One call = one request; the
 * caller builds the headers, this file only moves bytes and reports.
 */
#ifndef HTTPC_H
#define HTTPC_H

#include <stddef.h>

#include "base/base.h"

#define HTTPC_MAX_HDRS	32

struct httpc_hdr {
	char	*name;
	char	*value;
};

struct httpc_req {
	const char	*method;	/* "GET", "POST" */
	const char	*base_url;	/* "https://api.mch.weixin.qq.com" */
	const char	*path;		/* "/v3/..." incl. query */
	const char	*const *headers; /* "Name: value", NULL-terminated */
	const char	*body;		/* may be NULL */
	size_t		 body_len;
	long		 connect_timeout_ms; /* 0 = 2000 */
	long		 timeout_ms;	/* 0 = 5000 */
	size_t		 max_body;	/* 0 = 1 MiB */
	const char	*ca_file;	/* NULL = system bundle */
};

struct httpc_resp {
	long		 status;	/* 0 if no response */
	struct buf	 body;
	struct httpc_hdr hdrs[HTTPC_MAX_HDRS];
	size_t		 nhdrs;
	int		 truncated;	/* body exceeded max_body */
	char		 err[256];	/* empty on success */
	long		 elapsed_ms;
};

void		 httpc_resp_init(struct httpc_resp *);
void		 httpc_resp_free(struct httpc_resp *);
/* 0 when a response arrived (any status), -1 with resp->err set. */
int		 httpc_do(const struct httpc_req *, struct httpc_resp *);
/* Case-insensitive header lookup; NULL if absent. */
const char	*httpc_header(const struct httpc_resp *, const char *);

#endif
