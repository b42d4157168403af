/*
 * worker.c -- one worker process: waits for a FastCGI connection, runs the
 * request through tenant, router, session, CSRF and the handler, sends the
 * response, logs it and resets the request arena. The worker owns its DB
 * connection and templates; they live until it exits. The routes are
 * compiled by the master before it forks (worker_prefork).
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/catalog.h"
#include "domain/session.h"
#include "domain/shop.h"
#include "http/http.h"
#include "http/theme.h"
#include "handlers/handlers.h"
#include "handlers/h_signup.h"
#include "handlers/h_money.h"
#include "runtime/runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

struct worker {
	struct arena		*arena;
	struct router		*router;
	struct theme_cache	*themes;
	struct slot		*slot;
	FCGX_Request		 req;
	uint64_t		 served;
};

struct worker		*worker;
static volatile sig_atomic_t stop;

static void		 worker_note(struct ctx *);

static const struct route *const route_tables[] = {
	h_api_routes, h_account_routes, h_admin_routes, h_store_routes,
	h_catalog_routes, h_inquiry_routes, h_admin_catalog_routes,
	h_finance_export_routes, h_admin_finance_routes, /* ahead of
					 * h_admin_customer_routes */
	h_admin_customer_routes, h_admin_price_routes, h_admin_inquiry_routes,
	h_admin_settings_routes, h_invite_routes, h_admin_jobs_routes,
	h_signup_routes, h_admin_signup_routes, h_money_routes,
	h_statement_export_routes, h_statement_routes, h_invoice_routes,
	h_admin_order_edit_routes,	/* ahead of h_admin_order_routes */
	h_cart_routes, h_order_routes, h_admin_order_routes,
	h_admin_picking_routes,
	h_quick_routes, h_lists_routes, h_approval_routes,
	h_admin_approval_routes,
	h_admin_order_new_routes, h_wxpay_routes, h_admin_wxpay_routes,
	h_wechat_routes, h_wechat_oauth_routes, h_admin_wechat_msg_routes,
	h_admin_channel_report_routes, h_admin_channel_routes,
	h_wechat_callback_routes, h_nps_routes, h_admin_nps_routes,
	h_service_routes, h_admin_service_routes,
	h_admin_service_report_routes,
	h_kf_callback_routes, h_admin_kf_routes, h_admin_kf_settings_routes,
	NULL
};

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void
new_reqid(struct ctx *c)
{
	unsigned char	b[8];

	randombytes_buf(b, sizeof(b));
	hex_encode(b, sizeof(b), c->d.reqid);
}

/* The shop: shop_resolve says which host serves which shop. */
static int
find_tenant(struct ctx *c, const char *slug)
{
	int	rc;

	if ((rc = shop_resolve(&c->d, c->host, slug, &c->d.shop)) != 0)
		return rc;
	if (c->d.shop == NULL && slug != NULL)
		c->d.error = "店铺不存在";
	return 0;
}

/* Route flags decide what must hold before the handler runs. */
static int
guard(struct ctx *c, const struct route *r)
{
	char	*next;
	int	 rc;

	if (!(r->flags & ROUTE_NOSHOP) && c->d.shop == NULL)
		return http_fail(c, ERR_NOT_FOUND, "店铺不存在");
	if ((r->flags & (ROUTE_STAFF | ROUTE_CUSTOMER)) &&
	    c->d.sess.kind != ((r->flags & ROUTE_STAFF) ? SESS_STAFF :
	    SESS_CUSTOMER)) {
		if (c->json_out || strcmp(c->method, "GET") != 0)
			return http_fail(c, ERR_UNAUTHORIZED, "请先登录");
		next = arena_printf(c->d.arena, "%s?next=%s",
		    (r->flags & ROUTE_STAFF) ? "/admin/login" : "/login",
		    c->path);
		return http_see_other(c, "%s", ctx_link(c, next));
	}
	if (r->roles != NULL && !name_in_list(r->roles, c->d.sess.role))
		return http_fail(c, ERR_FORBIDDEN, "您的角色无权访问此页面");
	if (r->flags & (ROUTE_BODY | ROUTE_CSRF)) {
		if ((rc = request_body(c)) != 0)
			return http_fail(c, rc, c->d.error);
	}
	if ((r->flags & ROUTE_CSRF) && csrf_check(c) != 0)
		return http_fail(c, ERR_CSRF,
		    "页面已过期或来源不明，请刷新后重试");
	return 0;
}

static void
dispatch(struct ctx *c)
{
	const char	*slug = NULL;
	int		 rc, noshop;

	rc = request_parse(c, &slug);
	worker_note(c);
	if (rc != 0) {
		http_fail(c, rc, c->d.error);
		return;
	}
	/* Routing needs no database: it decides the error format too. */
	rc = router_match(worker->router, c->d.arena, c->method, c->path, &c->m);
	if (rc == ROUTER_OK && (c->m.route->flags & ROUTE_JSON))
		c->json_out = 1;
	noshop = rc == ROUTER_OK && (c->m.route->flags & ROUTE_NOSHOP);
	if (!noshop && find_tenant(c, slug) != 0) {
		http_fail(c, ERR_UNAVAILABLE, "服务暂时不可用，请稍后再试");
		return;
	}
	/* From here on, the error log names the request's shop too. */
	log_set_request(c->d.reqid, c->d.shop != NULL ? c->d.shop->slug :
	    NULL);
	if (!noshop && c->d.shop != NULL && (session_load(c) != 0 ||
	    csrf_prepare(c) != 0)) {
		http_fail(c, ERR_UNAVAILABLE, "服务暂时不可用，请稍后再试");
		return;
	}
	if (!noshop)
		channel_request(c);
	if (rc == ROUTER_NOT_FOUND) {
		http_fail(c, ERR_NOT_FOUND, c->d.shop || slug == NULL ?
		    "页面不存在" : "店铺不存在");
		return;
	}
	if (rc == ROUTER_BAD_METHOD) {
		http_fail(c, ERR_METHOD, "不支持此请求方法");
		return;
	}
	if (guard(c, c->m.route) != 0 || c->status != 0)
		return;
	http_idempotent(c, c->m.route->handler);
}

static void
serve_one(struct ctx *c)
{
	double	 ms;

	new_reqid(c);
	log_set_request(c->d.reqid, NULL);
	c->t0 = now_ms();
	c->fcgi = &worker->req;
	dispatch(c);
	if (c->status == 0)
		http_fail(c, ERR_INTERNAL, NULL);
	response_send(c);
	ms = now_ms() - c->t0;
	log_access("req=%s shop=%s user=%s%" PRId64 " method=%s path=%.300s "
	    "status=%d ms=%.1f", c->d.reqid, c->d.shop ? c->d.shop->slug : "-",
	    c->d.sess.kind == SESS_STAFF ? "s" : c->d.sess.kind == SESS_CUSTOMER ?
	    "c" : "-", c->d.sess.kind ? c->d.sess.user_id : 0,
	    c->method ? c->method : "-", c->uri ? log_safe(c->d.arena, c->uri) :
	    "-", c->status, ms);
	log_set_request(NULL, NULL);
}

/*
 * The master compiles the routes before it forks: the workers share the
 * compiled patterns and JIT code copy-on-write and never fault in PCRE2's
 * compiler. Routes do not change on reload, so once is enough.
 */
static struct router	*prefork_router;

int
worker_prefork(void)
{
	if (prefork_router == NULL &&
	    (prefork_router = router_new(route_tables)) == NULL)
		return -1;
	return 0;
}

/* Every route table, NULL-terminated: for `dinghuo routes`. */
const struct route *const *
worker_routes(void)
{
	return route_tables;
}

/* Build what the worker keeps across requests. */
static void
worker_init(struct slot *slot)
{
	worker = xcalloc(1, sizeof(*worker));
	worker->slot = slot;
	worker->arena = arena_new(64 * 1024);
	worker->router = prefork_router;
	prefork_router = NULL;
	if (worker->router == NULL &&
	    (worker->router = router_new(route_tables)) == NULL)
		fatalx("worker: routes do not compile");
	worker->themes = theme_cache_new(conf.templates_dir);
}

static void
worker_free(void)
{
	FCGX_Free(&worker->req, 1);
	theme_cache_free(worker->themes);
	router_free(worker->router);
	arena_free(worker->arena);
	catalog_cache_clear();
	session_cache_clear();
	shop_cache_clear();
	db_close();
	free(worker);
	worker = NULL;
}

static void
slot_set(int state, struct ctx *c)
{
	struct slot	*s = worker->slot;

	if (s == NULL)
		return;
	if (state == SLOT_BUSY) {
		s->started = now_ms();
		s->what[0] = '\0';
	} else if (c != NULL) {
		s->requests = worker->served;
	}
	s->state = state;
}

/* After the request is parsed the scoreboard learns what it is. */
static void
worker_note(struct ctx *c)
{
	struct slot	*s;

	if (worker == NULL || (s = worker->slot) == NULL)
		return;
	memcpy(s->reqid, c->d.reqid, sizeof(s->reqid));
	snprintf(s->what, sizeof(s->what), "%s %.80s", c->method,
	    log_safe(c->d.arena, c->uri));
}

int
worker_main(int listen_fd, struct slot *slot, const char *conf_path)
{
	struct sigaction	 sa;
	sigset_t		 none, block;
	struct pollfd		 pfd;
	struct ctx		 c;
	int			 rc, failed = 0;

	(void)conf_path;
	log_set_prefix("dinghuo-worker");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: ppoll must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	/* Signals stay blocked except inside ppoll(): no lost wake-up. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigemptyset(&none);

	/* libfcgi refuses TCP peers not in this list. */
	if (*conf.fastcgi_allow)
		setenv("FCGI_WEB_SERVER_ADDRS", conf.fastcgi_allow, 1);
	if (FCGX_Init() != 0)
		fatalx("worker: FCGX_Init failed");
	worker_init(slot);
	FCGX_InitRequest(&worker->req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	ctx_init(&c, worker->arena);
	c.themes = worker->themes;
	if (db_open() == -1)
		log_warnx("worker: database not reachable yet; will retry "
		    "per request");
	slot_set(SLOT_IDLE, NULL);

	while (!stop && (conf.max_requests == 0 ||
	    worker->served < (uint64_t)conf.max_requests)) {
		pfd.fd = listen_fd;
		pfd.events = POLLIN;
		if (ppoll(&pfd, 1, NULL, &none) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("worker: ppoll");
			failed = 1;
			break;
		}
		/* Busy from accept on: a client that stalls before its
		 * request is complete is timed like any request. */
		slot_set(SLOT_BUSY, NULL);
		if ((rc = FCGX_Accept_r(&worker->req)) < 0) {
			slot_set(SLOT_IDLE, NULL);
			if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR)
				continue;	/* another worker took it */
			log_warnx("worker: accept failed (%d)", rc);
			failed = 1;
			break;
		}
		/* libfcgi's accept(2) leaves the connection inheritable. */
		if (fcntl(worker->req.ipcFd, F_SETFD, FD_CLOEXEC) == -1)
			log_warn("worker: FD_CLOEXEC");
		serve_one(&c);
		/* One request per connection: a kept connection would pin
		 * this worker while it waits on the listen socket. With the
		 * request read to its end, a plain close is clean, so skip
		 * libfcgi's lingering close (shutdown, then wait for nginx to
		 * hang up first): the worker is back at accept sooner. */
		worker->req.keepConnection = 0;
		req_drain(&c);
		FCGX_Detach(&worker->req);
		FCGX_Finish_r(&worker->req);
		worker->served++;
		ctx_reset(&c);
		db_clear_error();	/* the next request starts clean */
		slot_set(SLOT_IDLE, &c);
	}
	ctx_free(&c);
	worker_free();
	return failed;
}
