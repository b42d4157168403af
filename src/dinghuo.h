/*
 * dinghuo.h -- shared types and prototypes, grouped by the file that
 * defines them. Read this first: it is the table of contents of the
 * binary. Modules under one heading own what they return unless the
 * comment says the caller's arena does.
 */
#ifndef DINGHUO_H
#define DINGHUO_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "http/tpl.h"

#define DINGHUO_VERSION	PACKAGE_VERSION

struct ctx;
struct dctx;

/*
 * Errors a domain function returns; http_fail() maps each to an HTTP status
 * and the JSON error.code clients switch on (table in response.c, list in
 * docs/api.md). Append new ones before ERR_NCODES.
 */
enum err {
	ERR_NONE = 0,
	ERR_INVALID,		/* 400 invalid (error.fields names them) */
	ERR_UNAUTHORIZED,	/* 401 login_required */
	ERR_FORBIDDEN,		/* 403 forbidden */
	ERR_NOT_FOUND,		/* 404 not_found */
	ERR_METHOD,		/* 405 method_not_allowed */
	ERR_CONFLICT,		/* 409 conflict */
	ERR_TOO_LARGE,		/* 413 too_large */
	ERR_UNSUPPORTED,	/* 415 unsupported_media_type */
	ERR_TOO_MANY,		/* 429 rate_limited */
	ERR_INTERNAL,		/* 500 internal */
	ERR_UNAVAILABLE,	/* 503 unavailable */
	ERR_CSRF,		/* 403 csrf: token missing, wrong, or origin */
	ERR_KEY_REUSED,		/* 422 conflict: idempotency key, other body */
	ERR_OUT_OF_STOCK,	/* 409 out_of_stock (orders) */
	ERR_CREDIT_EXCEEDED,	/* 409 credit_exceeded (payments) */
	ERR_NCODES
};

/* util.c */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
int		 parse_i64(const char *, int64_t, int64_t, int64_t *,
		     const char **);
size_t		 url_decode(char *, size_t, int);
int		 hexval(int);
int		 hex_valid(const char *, size_t);
int		 name_in_list(const char *, const char *);
void		 hex_encode(const unsigned char *, size_t, char *);
int		 random_hex(char *, size_t);
int		 str_eq_ct(const char *, const char *);
int		 utf8_valid(const char *, size_t);
size_t		 utf8_len(const char *);
double		 now_ms(void);
int		 slug_valid(const char *);

/* str.c: strings in a request's arena. */
struct arena;
char		*url_encode(struct arena *, const char *);
char		*log_safe(struct arena *, const char *);
char		*like_pattern(struct arena *, const char *);

/* buf.c */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};
void		 buf_init(struct buf *, size_t);
void		 buf_free(struct buf *);
void		 buf_reserve(struct buf *, size_t);
void		 buf_add(struct buf *, const void *, size_t);
void		 buf_adds(struct buf *, const char *);
void		 buf_addc(struct buf *, char);
void		 buf_printf(struct buf *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 buf_add_html(struct buf *, const char *, size_t);
char		*buf_cstr(struct buf *);

/* arena.c: per-request memory, released at once by arena_reset(). */
struct arena;
struct arena	*arena_new(size_t);
void		 arena_free(struct arena *);
void		 arena_reset(struct arena *);
void		*arena_alloc(struct arena *, size_t);
char		*arena_strdup(struct arena *, const char *);
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_vprintf(struct arena *, const char *, va_list);
char		*arena_printf(struct arena *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 arena_defer(struct arena *, void (*)(void *), void *);
json_object	*arena_defer_json(struct arena *, json_object *);

/* log.c */
enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };
int		 log_open(const char *, const char *);
void		 log_set_prefix(const char *);
void		 log_warn(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_warnx(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_info(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_debug(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatal(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 clog_warnx(struct dctx *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 clog_info(struct dctx *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 log_access(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
extern int	 log_verbose;

/* conf.c: one table row per key; see conf_table in conf.c. */
struct conf {
	char	*listen;
	int64_t	 listen_mode;
	char	*fastcgi_allow;
	int64_t	 workers;
	int64_t	 backlog;
	int64_t	 max_requests;
	int64_t	 request_timeout;
	char	*pid_file;
	char	*error_log;
	char	*access_log;
	int64_t	 log_debug;
	char	*db_host;
	int64_t	 db_port;
	char	*db_socket;
	char	*db_user;
	char	*db_password;
	char	*db_name;
	char	*templates_dir;
	char	*sql_dir;
	char	*uploads_dir;
	char	*image_helper;
	char	*default_shop;
	char	*shared_host;
	int64_t	 max_body;
	int64_t	 max_upload;
	int64_t	 session_ttl;
	int64_t	 login_max_failures;
	int64_t	 login_max_failures_ip;
	int64_t	 login_delay;
	int64_t	 login_window;
	int64_t	 pwhash_memlimit;
	int64_t	 pwhash_opslimit;
	int64_t	 job_runners;
	int64_t	 job_lease;
	int64_t	 job_test_kinds;
	int64_t	 catalog_cache_bytes;
};
extern struct conf conf;
int		 conf_load(const char *, struct conf *, struct buf *);
void		 conf_free(struct conf *);
void		 conf_sample(struct buf *);
void		 conf_dump(const struct conf *, struct buf *);

/* server.c: the prefork master and the scoreboard it shares with workers. */
enum slot_state { SLOT_FREE, SLOT_STARTING, SLOT_IDLE, SLOT_BUSY };
struct slot {
	volatile pid_t		 pid;
	volatile int		 state;
	volatile double		 started;	/* now_ms() of request start */
	volatile uint64_t	 requests;
	char			 reqid[17];
	char			 what[96];	/* method and path, for logs */
	/* master only */
	int			 retiring;
	double			 spawned;
};
extern struct slot *slots;
int		 server_run(const char *);
int		 listen_open(const char *, int, int);

/* worker.c: one worker process's request loop. */
struct route;
struct worker;
int		 worker_prefork(void);
int		 worker_main(int, struct slot *, const char *);
extern struct worker *worker;

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
void		 req_drain(struct ctx *);
const char	*req_param(struct ctx *, const char *);
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

/* render.c: one view model, two representations. */
int		 render(struct ctx *, const char *);
int		 render_page(struct ctx *, const char *);
int		 http_fail(struct ctx *, enum err, const char *);
int		 http_see_other(struct ctx *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
json_object	*view_new(struct ctx *);
void		 view_set_money(struct ctx *, json_object *, const char *,
		     int64_t);
const char	*view_get_str(json_object *, const char *);
json_object	*view_image(struct ctx *, const char *, const char *, int64_t,
		     int64_t);
int		 route_id(struct ctx *, int, int64_t *);
int64_t		 view_pager(struct ctx *, json_object *, int64_t, int64_t,
		     const char *);
int64_t		 query_page(struct ctx *);
void		 view_set_str(json_object *, const char *, const char *);
void		 view_set_i64(json_object *, const char *, int64_t);
void		 view_set_bool(json_object *, const char *, int);

/* shop_view.c: a shop as templates and the API see it. */
struct shop;
json_object	*shop_view(const struct shop *);

/* theme.c: compiled templates per worker, per theme. */
struct theme_cache;
struct theme_cache *theme_cache_new(const char *);
void		 theme_cache_free(struct theme_cache *);
const struct tpl *theme_get(struct theme_cache *, const char *,
		     const char *);
int		 theme_valid_name(const char *);

/* db.c: one connection per worker, prepared statements only. */
struct db_res {
	int		 nrows;
	int		 ncols;
	char		**cell;		/* nrows * ncols; NULL is SQL NULL */
	uint64_t	 affected;
	uint64_t	 insert_id;
};
int		 db_library_init(void);
int		 db_open(void);
void		 db_close(void);
int		 db_ping(void);
int		 db_run(struct arena *, struct db_res **, const char *,
		     const char *, ...);
int		 db_each(const char *, int (*)(void *, const char **, int),
		     void *, const char *, ...);
int		 db_exec_text(const char *);
unsigned int	 db_errno(void);
int		 db_duplicate(void);
int		 db_referenced(void);
int		 db_unreachable(void);
void		 db_clear_error(void);
const char	*db_error(void);
int		 db_tx_run(struct dctx *, int (*)(struct dctx *, void *), void *);
int		 db_in_tx(void);
void		 db_test_fail(unsigned int, int);	/* tests only */
void		 db_test_stmt_cache(int);		/* tests only */
const char	*db_cell(const struct db_res *, int, int);
int64_t		 db_cell_i64(const struct db_res *, int, int);

/* pricing.c: price resolution, no SQL. */
struct price_tier {
	int64_t		 min_qty;
	int64_t		 price_fen;
};
enum price_source { PRICE_BASE, PRICE_TIER, PRICE_LEVEL, PRICE_CONTRACT };
struct price_input {
	int64_t			 base_fen;
	const struct price_tier	*tiers;
	int			 ntiers;
	int			 has_list_price;	/* level list names it */
	int64_t			 list_price_fen;
	int64_t			 list_percent_bp;	/* 0: no percentage */
	int			 has_contract;
	int64_t			 contract_fen;
	int64_t			 qty;
};
struct price_result {
	int64_t			 unit_fen;
	enum price_source	 source;
};
int		 price_resolve(const struct price_input *,
		     struct price_result *);
int64_t		 price_percent(int64_t, int64_t);
int64_t		 price_with_tax(int64_t, int64_t);
int64_t		 price_line_total(int64_t, int64_t);
const char	*price_source_name(enum price_source);
int		 parse_yuan(const char *, int64_t *, const char **);
int		 parse_percent_bp(const char *, int64_t *, const char **);
char		*fmt_percent(struct arena *, int64_t);
char		*fmt_yuan(struct arena *, int64_t);

/* catalog.c: what storefront lists need, per worker, by shop.version. */
struct cat_sku {
	int64_t			 id;		/* first: see find_index() */
	int64_t			 price_fen;	/* base */
	int64_t			 retail_fen;	/* -1: the base price */
	int32_t			 min_qty;
	uint32_t		 first_tier;	/* in catalog.tiers */
	uint16_t		 ntiers;
};
struct cat_product {
	int64_t			 id;
	int64_t			 category_id;
	uint32_t		 code;		/* cat_str() offsets */
	uint32_t		 name;
	uint32_t		 unit;
	uint32_t		 thumb;		/* "" when none */
	uint32_t		 first_sku;	/* in catalog.skus */
	uint16_t		 nskus;
	uint8_t			 on_shelf;
	uint8_t			 visible;	/* SHOP_MODE_* bits */
};
struct cat_category {
	int64_t			 id;
	int64_t			 parent_id;	/* 0: top level */
	uint32_t		 name;
	int32_t			 sort;
	uint32_t		 first;		/* in category_products */
	uint32_t		 nproducts;	/* with subcategories' */
};
struct cat_list_item {
	int64_t			 sku_id;
	int64_t			 price_fen;
};
struct cat_price_list {
	int64_t			 id;
	int64_t			 level_id;
	int64_t			 percent_bp;	/* 0: fixed prices only */
	uint32_t		 first;		/* in list_items, by sku_id */
	uint32_t		 nitems;
};
struct cat_contracts {
	int64_t			 customer_id;
	struct cat_list_item	*items;		/* by sku_id */
	uint32_t		 n;
};
struct catalog {
	int64_t			 shop_id;
	int64_t			 version;
	struct buf		 pool;		/* strings */
	struct cat_category	*categories;	/* by sort, id */
	uint32_t		*category_by_id;
	uint32_t		*category_products;
	uint32_t		 ncategories, cap_categories;
	struct cat_product	*products;	/* by sort, id */
	uint32_t		*product_by_id;
	uint32_t		 nproducts, cap_products;
	struct cat_sku		*skus;		/* grouped by product */
	uint32_t		*sku_by_id;
	uint32_t		 nskus, cap_skus;
	struct price_tier	*tiers;
	uint32_t		 ntiers, cap_tiers;
	struct cat_price_list	*lists;
	uint32_t		 nlists, cap_lists;
	struct cat_list_item	*list_items;
	uint32_t		 nlist_items, cap_list_items;
	struct cat_contracts	*contracts;
	uint32_t		 ncontracts;
	size_t			 bytes;		/* malloc'd, for the cache's cap */
};
struct cat_viewer {
	int			 mode;		/* SHOP_MODE_* */
	int64_t			 customer_id;	/* 0: guest */
	const struct catalog	*cat;
	const struct cat_price_list *list;
	const struct cat_contracts *contracts;
};
enum cat_sort { CAT_SORT_DEFAULT, CAT_SORT_NEW, CAT_SORT_PRICE_ASC,
	CAT_SORT_PRICE_DESC };
struct cat_query {
	int			 mode;
	int64_t			 category_id;
	const char		*q;
	enum cat_sort		 sort;
	int64_t			 page;
	int			 per_page;
};
struct cat_page {
	const struct cat_product **items;
	int			 n;
	int64_t			 total;
	int64_t			 page;
	int64_t			 pages;
	int			 per_page;
};
const struct catalog *catalog_get(struct dctx *);
void		 catalog_cache_clear(void);
const char	*cat_str(const struct catalog *, uint32_t);
const struct cat_product *catalog_product(const struct catalog *, int64_t);
const struct cat_sku *catalog_sku(const struct catalog *, int64_t);
const struct cat_category *catalog_category(const struct catalog *, int64_t);
const struct cat_sku *cat_skus(const struct catalog *,
		     const struct cat_product *);
const struct price_tier *cat_tiers(const struct catalog *,
		     const struct cat_sku *);
int		 catalog_viewer(struct dctx *, const struct catalog *, int,
		     struct cat_viewer *);
int		 catalog_price(const struct cat_viewer *, const struct cat_sku *,
		     int64_t, struct price_result *);
int		 catalog_list(struct dctx *, const struct catalog *,
		     const struct cat_query *, struct cat_page *);

/* csv.c: RFC 4180 reader (fields valid until the next csv_next) and writer. */
struct csv {
	const char	*p;		/* next byte */
	const char	*end;
	int		 line;		/* physical line of p, from 1 */
	int		 rec_line;	/* line the last record began on */
	int		 err_line;	/* line of error */
	const char	*error;		/* why csv_next returned -1 */
	char		**field;	/* the record's fields, NUL-terminated */
	int		 nfield;
	int		 cap;
	size_t		*off;
	struct buf	 data;
};
#define CSV_FIRST	0x01	/* csv_put: first field of a row, no comma */
#define CSV_TEXT	0x02	/* csv_put: text, guard against formulas */
void		 csv_init(struct csv *, const char *, size_t);
int		 csv_next(struct csv *);
void		 csv_free(struct csv *);
const char	*csv_unguard(const char *);
void		 csv_put(struct buf *, const char *, int);
void		 csv_endrow(struct buf *);

/* import.c, export.c: products, SKUs and prices from and to CSV. */
struct import_report {
	int		 rows;		/* data rows read */
	int		 products_created;
	int		 products_updated;
	int		 skus_created;
	int		 skus_updated;
	int		 nerrors;
	struct buf	 errors;	/* "第 N 行：reason\n" per bad row */
};
int		 import_products(struct dctx *, const char *, size_t,
		     struct import_report *);
void		 import_report_free(struct import_report *);
int		 export_products(struct dctx *, struct buf *);
int		 export_products_count(struct dctx *, struct buf *, int *);
/* cli.c: options of the shell commands. */
enum cli_opt_kind { CLI_VALUE, CLI_REQUIRED, CLI_FLAG };
struct cli_opt {
	const char		*name;	/* without "--"; NULL ends the table */
	enum cli_opt_kind	 kind;
	const char		*value;	/* as given; "1" for a flag */
};
int		 cli_opts_parse(int, char **, struct cli_opt *, const char **);
/* cli_catalog.c: `dinghuo import products`, `dinghuo export products`. */
int		 cli_import(int, char **);
int		 cli_export(int, char **);

/* prune.c: `dinghuo uploads prune`, files under uploads_dir nobody uses. */
int		 cli_uploads(int, char **);

/* migrate.c */
int		 migrate_run(const char *);

/* shop.c: tenants. */
#define SHOP_MODE_ORDERING	0x01
#define SHOP_MODE_WHOLESALE	0x02
#define SHOP_MODE_RETAIL	0x04
struct shop {
	int64_t		 id;
	char		*slug;
	char		*name;
	char		*host;
	char		*theme;
	char		*logo_url;
	char		*color_primary;
	char		*contact_phone;
	char		*footer_text;
	int		 modes;
	int64_t		 version;	/* bumped by every catalog change */
	int64_t		 tax_normal_bp;	/* 普票 tax points */
	int64_t		 tax_special_bp; /* 专票 tax points */
	int		 hide_wholesale_prices;
	int64_t		 auth_version;	/* bumped by logouts, account changes */
};
int		 shop_by_slug(struct dctx *, const char *, struct shop **);
int		 shop_by_host(struct dctx *, const char *, struct shop **);
int		 shop_resolve(struct dctx *, const char *, const char *,
		    struct shop **);
int		 shop_valid_slug(const char *);
int		 shop_touch(struct dctx *, int64_t);
int		 shop_touch_auth(struct dctx *, int64_t);
void		 shop_cache_clear(void);

/* session.c */
enum sess_kind { SESS_NONE, SESS_STAFF, SESS_CUSTOMER };
struct session {
	int64_t		 id;
	enum sess_kind	 kind;
	int64_t		 user_id;	/* staff.id or customer_user.id */
	int64_t		 customer_id;	/* company, for customer users */
	int64_t		 level_id;	/* the company's member level, or 0 */
	const char	*role;
	const char	*name;
	const char	*phone;
	const char	*csrf;
	int		 bearer;
};
int		 session_load(struct ctx *);
void		 session_cookie(struct ctx *, const char *);
int		 session_find(struct dctx *, const char *, int);
int		 session_create(struct dctx *, enum sess_kind, int64_t, int,
		     char **);
int		 session_destroy(struct dctx *);
int		 session_end_user(struct dctx *, enum sess_kind, int64_t);
void		 token_hash(const char *, char *);
void		 session_cache_clear(void);
int		 session_staff_role(const struct session *, const char *);

/*
 * The domain context: what a domain function may know of the request that
 * called it: memory, request id, client address, tenant, actor, and the
 * user-fit message it leaves when it returns an error. struct ctx (the
 * HTTP request) embeds one; shell commands and the job runner make their own.
 */
struct dctx {
	struct arena	*arena;
	char		 reqid[17];
	const char	*remote_addr;
	struct shop	*shop;
	struct session	 sess;
	const char	*error;		/* user-fit message for http_fail */
};
void		 dctx_init(struct dctx *, struct arena *, const char *);
int		 dctx_store_down(void);

/* csrf.c */
int		 csrf_prepare(struct ctx *);
const char	*csrf_token(struct ctx *);
int		 csrf_check(struct ctx *);

/* auth.c: password hashing and login with throttling. */
struct login_result {
	char		*token;		/* of the new session */
	int64_t		 retry_after;	/* seconds, with ERR_TOO_MANY */
};
int		 auth_hash(const char *, char *, size_t);
int		 auth_verify(const char *, const char *);
int		 auth_login(struct dctx *, enum sess_kind, const char *,
		     const char *, int, struct login_result *);
const char	*auth_dummy_hash(void);
const char	*role_label(const char *);
#define AUTH_HASH_MAX	128

/* audit.c: who changed what, for the owner to read. */
int		 audit(struct dctx *, const char *, const char *, ...)
		     __attribute__((format(printf, 3, 4)));

/* cli.c: operator commands. */
int		 cli_shop_create(int, char **);
int		 cli_demo(int, char **);

/* h_account.c: login and logout, shared by customers and staff. */
int		 h_login_form(struct ctx *, enum sess_kind);
int		 h_login_post(struct ctx *, enum sess_kind);
void		 login_retry_after(struct ctx *, const struct login_result *);
int		 h_logout(struct ctx *);

/* h_admin.c */
json_object	*admin_view(struct ctx *, const char *);

/* Routes, one table per area. */
extern const struct route h_store_routes[];
extern const struct route h_account_routes[];
extern const struct route h_admin_routes[];
extern const struct route h_api_routes[];
extern const struct route h_catalog_routes[];
extern const struct route h_inquiry_routes[];
extern const struct route h_admin_catalog_routes[];	/* h_admin_catalog.c */
extern const struct route h_admin_customer_routes[];	/* h_admin_customer.c */
extern const struct route h_admin_price_routes[];	/* h_admin_price.c */
extern const struct route h_admin_inquiry_routes[];	/* h_admin_inquiry.c */
extern const struct route h_admin_settings_routes[];	/* h_admin_settings.c */
extern const struct route h_invite_routes[];		/* h_invite.c */

/*
 * Sections the admin modules add their own prototypes to (one owner per
 * section; keep edits inside your section).
 */
/* sanitize.c, image.c, h_admin_catalog.c: BEGIN */
/* sanitize.c: allowlist HTML for rich descriptions, safe to emit raw. */
#define SANITIZE_MAX	(200 * 1024)	/* bytes of input */
int		 sanitize_html(const char *, size_t, struct buf *);

/* image.c: uploaded product images, checked, re-encoded, thumbnailed. */
#define IMAGE_DIM_MAX	8000		/* pixels, either side */
#define IMAGE_PIXELS_MAX 25000000	/* ~100 MB decoded */
#define IMAGE_THUMB_W	400
struct image_info {
	char		 path[96];	/* "<shop_id>/<hex>.<ext>", uploads */
	char		 thumb[96];	/* "<shop_id>/<hex>_t.jpg" */
	int		 width;
	int		 height;
};
enum image_kind { IT_JPEG, IT_PNG, IT_WEBP };
const char	*image_type(const void *, size_t);
int		 image_mkdirs(const char *);
int		 image_write_file(const char *, const char *, const void *,
		     size_t);
int		 image_store(struct dctx *, int64_t, const void *, size_t,
		     struct image_info *);
void		 image_remove(struct dctx *, const char *);
int		 image_partial_name(const char *);
/* sanitize.c, image.c, h_admin_catalog.c: END */
/* h_admin_inquiry.c, h_admin_settings.c: BEGIN */
/* h_admin_inquiry.c, h_admin_settings.c: END */

/* job.c, job_tasks.c, jobs_runner.c: background jobs. BEGIN */
/*
 * job.c: the queue, rows of the job table; SQL only, no HTTP. Strings of a
 * struct job are in the caller's arena. shop_id 0 means system-wide for a
 * job and "every shop" for the lookups (operators); the back office passes
 * its own shop, never 0. Functions return 0 or an enum err.
 */
#define JOB_BACKOFF_BASE	10	/* seconds before the first retry */
#define JOB_BACKOFF_MAX		3600	/* the longest wait between attempts */
#define JOB_MAX_ATTEMPTS	5	/* unless the enqueue says otherwise */
#define JOB_LEASE_SLACK		2	/* seconds a lease outlasts job_lease */
struct job {
	int64_t		 id;
	int64_t		 shop_id;	/* 0: system-wide */
	const char	*shop_slug;	/* job_list, job_get; "": system */
	const char	*kind;
	const char	*payload;	/* JSON text */
	const char	*state;		/* queued, running, done, failed */
	int64_t		 attempts;	/* claims so far, this one included */
	int64_t		 max_attempts;
	const char	*dedupe_key;	/* NULL: none */
	const char	*locked_by;	/* host:pid of the (last) runner */
	const char	*run_at;	/* UTC "YYYY-MM-DD HH:MM:SS.mmm" */
	const char	*locked_until;
	const char	*last_error;
	const char	*created_at;
	const char	*updated_at;
};
int64_t		 job_backoff(int64_t);
int		 job_enqueue(struct arena *, int64_t, const char *,
		     const char *, const char *, int64_t, int64_t, int64_t *);
int		 job_claim(struct arena *, const char *, int64_t, int64_t,
		     const char *, struct job *);
int		 job_complete(struct arena *, const struct job *, int64_t);
int		 job_fail(struct arena *, const struct job *, const char *,
		     int64_t, int64_t *);
int		 job_retry(struct arena *, int64_t, int64_t);
int		 job_get(struct arena *, int64_t, int64_t, struct job *);
int		 job_list(struct arena *, int64_t, int, int64_t, int64_t,
		     struct job **, int *, int64_t *);
int		 job_next_ms(struct arena *, int64_t, const char *, int64_t *);
int		 job_purge(struct arena *, int64_t, int64_t *);
int		 job_shop_id(struct arena *, const char *, int64_t *);

/* job_tasks.c: the kinds of job, what runs them and how often. */
struct job_kind {
	const char	*kind;
	/* 0 (*msg: NULL or a note for the log line, "deleted=3"), or -1
	 * with the error in *msg: the job backs off and goes again */
	int		(*run)(struct arena *, const struct job *,
			    const char **);
	int64_t		 every;		/* seconds; 0: runs when enqueued */
	int		 test;		/* only with job_test_kinds = 1 */
};
const struct job_kind *job_kind_find(const char *);
const char	*job_kinds_enabled(struct arena *);
int		 job_schedule(struct arena *);

/* jobs_runner.c: claims and runs jobs; under the master or from cron. */
int		 jobs_runner_main(struct slot *, const char *);
int		 cli_jobs(int, char **);

/* h_admin_jobs.c: the back office's view of its shop's jobs. */
extern const struct route h_admin_jobs_routes[];

/* prune.c: the core of `uploads prune`, for the uploads.prune job too. */
struct prune_stats {
	int		 files, removed, kept, failed;
	uint64_t	 bytes;
};
int		 uploads_prune(int64_t, int64_t, int, int,
		     struct prune_stats *);
/* job.c, job_tasks.c, jobs_runner.c: END */

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
	const char	*title;
	int		 json_out;	/* render as JSON */
	int		 sent;
};

void		 ctx_init(struct ctx *, struct arena *);
void		 ctx_reset(struct ctx *);
void		 ctx_free(struct ctx *);
char		*ctx_link(struct ctx *, const char *);

#endif /* DINGHUO_H */
