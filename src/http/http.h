/*
 * http.h -- the request path's API, what handlers build pages and
 * answers with: the request (struct ctx), forms, routes, responses,
 * rendering and views, CSRF, the session cookie, idempotency (http/).
 */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include "base/base.h"
#include "domain/dctx.h"
#include "base/vm.h"

/* request.c: FastCGI params, query, cookies, bodies; 0 or an enum err. */
struct kv {
	const char	*name;
	const char	*value;
	size_t		 len;
};
struct upload {
	const char	*field;
	const char	*filename;
	const char	*type;
	const char	*data;
	size_t		 len;
};
struct kvlist {
	struct kv	*v;
	int		 n;
	int		 cap;
};
const char	*kv_get(const struct kvlist *, const char *);
void		 kv_add(struct arena *, struct kvlist *, const char *,
		     const char *, size_t);
int		 query_parse(struct arena *, struct kvlist *, char *, size_t);
int		 cookie_parse(struct arena *, struct kvlist *, const char *);
int		 multipart_parse(struct ctx *, char *, size_t, const char *);
int		 wants_json(struct ctx *);
int		 request_parse(struct ctx *, const char **);
int		 request_body(struct ctx *);
int		 request_raw_body(struct ctx *, const char **, size_t *);
void		 req_drain(struct ctx *);
const char	*req_param(struct ctx *, const char *);
const char	*req_header(struct ctx *, const char *);
const char	*req_notice(struct ctx *, const char *const (*)[2], size_t);
#define REQ_NOTICE(c, t)	req_notice((c), (t), sizeof(t) / sizeof((t)[0]))
const char	*req_cookie(struct ctx *, const char *);

/* form.c: validate input against a table of fields (kcgi-style). */
enum field_type { FIELD_TEXT, FIELD_INT, FIELD_ID, FIELD_PHONE,
	FIELD_PASSWORD, FIELD_SLUG, FIELD_MONEY, FIELD_BOOL };
/* FIELD_MONEY: yuan as typed ("12.50") into i64 fen, min/max in fen.
 * FIELD_BOOL: a checkbox: "1", "on", "true" are 1, absent or "0" is 0. */
#define FIELD_REQUIRED	0x01
struct field {
	const char	*name;
	enum field_type	 type;
	int		 flags;
	int64_t		 min;
	int64_t		 max;
	const char	*label;
};
struct form_value {
	const char	*s;
	int64_t		 i64;
	int		 present;
};
#define FORM_MAX 32
struct form {
	struct form_value v[FORM_MAX];
	const char	*error;
	json_object	*errors;
};
int		 form_parse(struct ctx *, const struct field *, struct form *);
void		 form_error(struct ctx *, struct form *, const char *,
		     const char *, const char *);

/* router.c */
#define ROUTE_STAFF	0x0001	/* staff session required */
#define ROUTE_CUSTOMER	0x0002	/* customer session required */
#define ROUTE_CSRF	0x0004	/* check the CSRF token */
#define ROUTE_NOSHOP	0x0008	/* works without a shop */
#define ROUTE_JSON	0x0010	/* always answers JSON */
#define ROUTE_BODY	0x0020	/* read and parse the request body */
#define ROUTE_NOREPLAY	0x0040	/* answers hold a credential: no replays */
#define ROUTE_OWNKEY	0x0080	/* the handler keeps its idempotency key
				   (with its writes, one commit) */
struct route {
	const char	*method;
	const char	*pattern;
	int		(*handler)(struct ctx *);
	int		 flags;
	const char	*roles;		/* staff roles, "owner,admin"; NULL: any */
};
enum { ROUTER_OK, ROUTER_NOT_FOUND, ROUTER_BAD_METHOD };
#define ROUTE_MAXCAP 4
struct router;
struct route_match {
	const struct route	*route;
	char			*cap[ROUTE_MAXCAP];
	char			 allow[64];
};
struct router	*router_new(const struct route *const *);
void		 router_free(struct router *);
int		 router_match(struct router *, struct arena *, const char *,
		     const char *, struct route_match *);

/* response.c: the bytes of a response; the table of error codes. */
void		 http_header(struct ctx *, const char *, const char *);
void		 http_set_cookie(struct ctx *, const char *, const char *,
		     int64_t);
int		 err_status(enum err);
const char	*err_code(enum err);
const char	*err_message(enum err);
int		 render_json_ok(struct ctx *, int);
int		 http_json_error(struct ctx *, json_object *);
void		 response_send(struct ctx *);

/* idem_http.c: a state-changing request with an idempotency key, once. */
int		 http_idempotent(struct ctx *, int (*)(struct ctx *));
const char	*http_idem_key(struct ctx *);
void		 http_request_hash(struct ctx *, char [65]);

/* render.c: one view model, two representations. */
int		 render(struct ctx *, const char *);
int		 render_page(struct ctx *, const char *);
int		 http_fail(struct ctx *, enum err, const char *);
int		 http_see_other(struct ctx *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
json_object	*view_new(struct ctx *);
struct vm	*view_vm(struct ctx *, uint32_t);
void		 vm_set_money(struct ctx *, struct vm *, const char *,
		     const char *, int64_t);
#define VM_MONEY(c, o, k, fen)	vm_set_money((c), (o), k, k "_fen", (fen))
void		 view_set_money(struct ctx *, json_object *, const char *,
		     int64_t);
const char	*view_get_str(json_object *, const char *);
json_object	*view_image(struct ctx *, const char *, const char *, int64_t,
		     int64_t);
int		 route_id(struct ctx *, int, int64_t *);
int64_t		 route_cap(struct ctx *, int);
int64_t		 view_pager(struct ctx *, json_object *, int64_t, int64_t,
		     const char *);
int64_t		 query_page(struct ctx *);
void		 view_set_str(json_object *, const char *, const char *);
void		 view_set_i64(json_object *, const char *, int64_t);
void		 view_set_bool(json_object *, const char *, int);

/* channel_http.c: the visitor's channel (?ch=, the dh_ch cookie) into
 * c->d.channel_id, the visit recorded; never fails the request. */
void		 channel_request(struct ctx *);

/* shop_view.c: a shop as templates and the API see it. */
struct shop;
json_object	*shop_view(const struct shop *);

/* csrf.c */
int		 csrf_prepare(struct ctx *);
const char	*csrf_token(struct ctx *);
int		 csrf_check(struct ctx *);

/* sess_http.c: the token a client presents, the browser's cookie. */
int		 session_load(struct ctx *);
void		 session_cookie(struct ctx *, const char *);

/* The per-request context every handler receives. */
struct ctx {
	struct dctx	 d;		/* what the domain sees: first */
	void		*fcgi;		/* FCGX_Request *, NULL in unit tests */
	struct theme_cache *themes;	/* the worker's; kept by ctx_reset */
	double		 t0;

	/* request */
	const char	*method;
	const char	*uri;		/* as sent, with the query string */
	const char	*path;		/* without /s/<slug>, decoded */
	const char	*base;		/* "" or "/s/<slug>" for links */
	const char	*host;
	const char	*content_type;
	const char	*accept;
	int		 prefer_minimal;	/* Prefer: return=minimal */
	const char	*authorization;
	const char	*origin;
	const char	*csrf_header;
	const char	*idem_key;	/* Idempotency-Key header */
	int64_t		 content_length;
	int		 https;
	struct kvlist	 query;
	struct kvlist	 form;
	struct kvlist	 cookies;
	struct upload	*uploads;
	int		 nuploads;
	json_object	*json;		/* parsed JSON body, owned by arena */
	int		 body_read;
	json_object	*form_errors;	/* form_parse's: http_fail's fields */

	/* routing, tenant, session */
	struct route_match m;
	const char	*csrf;		/* what forms carry: csrf_prepare() */

	/* response */
	int		 status;
	const char	*ctype;
	struct buf	 headers;
	struct buf	 body;
	json_object	*view;		/* the handler's view model */
	struct vm	*vm;		/* or it in the arena (vm.h): hot pages */
	const char	*title;
	int		 json_out;	/* render as JSON */
	int		 sent;
};

void		 ctx_init(struct ctx *, struct arena *);
void		 ctx_reset(struct ctx *);
void		 ctx_free(struct ctx *);
char		*ctx_link(struct ctx *, const char *);

#endif /* HTTP_HTTP_H */
