/*
 * render.c -- one view model, two representations: JSON in the envelope
 * {"ok":true,"data":...} for /api/ and Accept: application/json clients
 * (the mini-program), or the page template of the shop's theme for the H5
 * browser. Templates see the handler's view on top of the request globals
 * (shop and brand, base path, who is logged in, CSRF token, a fresh
 * idempotency key). http_fail makes errors into either; response.c below
 * only holds the bytes.
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "http/http.h"
#include "http/theme.h"
#include "http/tpl.h"

struct resolver {
	struct theme_cache	*cache;
	const char		*theme;
};

static const struct tpl *
resolve(void *arg, const char *name)
{
	struct resolver	*r = arg;

	return theme_get(r->cache, r->theme, name);
}

static json_object *
globals(struct ctx *c, const char *theme)
{
	json_object	*g = json_object_new_object(), *me;
	char		 key[33];

	if (c->d.shop != NULL)
		json_object_object_add(g, "shop", shop_view(c->d.shop));
	view_set_str(g, "base", c->base);
	view_set_str(g, "static", arena_printf(c->d.arena, "/static/%s",
	    theme));
	view_set_str(g, "title", c->title);
	view_set_str(g, "path", c->path);
	if (c->d.sess.kind != SESS_NONE) {
		me = json_object_new_object();
		view_set_str(me, "name", c->d.sess.name);
		view_set_str(me, "role", c->d.sess.role);
		view_set_bool(me, "staff", c->d.sess.kind == SESS_STAFF);
		view_set_bool(me, "customer", c->d.sess.kind == SESS_CUSTOMER);
		view_set_bool(me, "dealer", SESS_DEALER(&c->d.sess));
		view_set_bool(me, "consumer", c->d.sess.kind == SESS_CUSTOMER &&
		    c->d.sess.consumer);
		json_object_object_add(g, "me", me);
	}
	if (c->d.shop != NULL) {
		view_set_str(g, "csrf", csrf_token(c));
		/* For forms that opt in to replay protection (idem_http.c). */
		if (random_hex(key, 16) == 0)
			view_set_str(g, "idempotency_key", key);
	}
	return g;
}

/*
 * A name of the view, at any depth, that is also a global (base, csrf,
 * title, ...), or NULL. Inside a section such a name hides the global:
 * a row's "base" price once made every row form post to
 * ".../479.70/admin/...". Rename the view's key; the log line says which.
 */
static const char *
shadowing(json_object *g, json_object *v, int depth)
{
	const char	*k;
	size_t		 i, n;

	if (v == NULL || depth > 32)
		return NULL;
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if ((k = shadowing(g, json_object_array_get_idx(v, i),
			    depth + 1)) != NULL)
				return k;
		return NULL;
	}
	if (!json_object_is_type(v, json_type_object))
		return NULL;
	json_object_object_foreach(v, key, val) {
		if (json_object_object_get_ex(g, key, NULL))
			return key;
		if ((k = shadowing(g, val, depth + 1)) != NULL)
			return k;
	}
	return NULL;
}

/* The same for an arena view model (vm.h). */
static const char *
shadowing_vm(json_object *g, const struct vm *v, int depth)
{
	const struct vm_val	*x;
	const char		*k;
	uint32_t		 i;

	if (depth > 32)
		return NULL;
	for (i = 0; i < v->n; i++) {
		if (v->type == VM_OBJ) {
			if (json_object_object_get_ex(g, v->u.kv[i].k, NULL))
				return v->u.kv[i].k;
			x = &v->u.kv[i].v;
		} else
			x = &v->u.v[i];
		if ((x->type == VM_OBJ || x->type == VM_ARR) &&
		    (k = shadowing_vm(g, x->u.c, depth + 1)) != NULL)
			return k;
	}
	return NULL;
}

/* Render pages/<page> of the shop's theme into the body. 0 or -1. */
int
render_page(struct ctx *c, const char *page)
{
	struct resolver	 r;
	const struct tpl *t;
	json_object	*stack[2];
	const char	*shadow;
	char		 name[128];
	int		 rc;

	r.cache = c->themes;
	r.theme = c->d.shop && c->d.shop->theme ? c->d.shop->theme : "default";
	snprintf(name, sizeof(name), "pages/%s", page);
	if (r.cache == NULL ||
	    (t = theme_get(r.cache, r.theme, name)) == NULL) {
		clog_warnx(&c->d, "render: no template %s in theme %s", name,
		    r.theme);
		return -1;
	}
	stack[0] = globals(c, r.theme);
	stack[1] = c->view;
	if (conf.check_views && ((shadow = shadowing(stack[0], c->view, 0)) !=
	    NULL || (c->vm != NULL &&
	    (shadow = shadowing_vm(stack[0], c->vm, 0)) != NULL)))
		clog_warnx(&c->d, "render: view key \"%s\" of %s shadows the "
		    "page global", shadow, name);
	c->body.len = 0;
	rc = tpl_render_vm(t, stack, c->view ? 2 : 1, c->vm, resolve, &r,
	    &c->body);
	json_object_put(stack[0]);
	if (rc != 0) {
		clog_warnx(&c->d, "render: %s hit a render limit (depth, steps "
		    "or size)", name);
		return -1;
	}
	c->ctype = "text/html; charset=utf-8";
	return 0;
}

/* The handler's view as the page or as JSON; 200 unless status is set. */
int
render(struct ctx *c, const char *page)
{
	int	status = c->status ? c->status : 200;

	if (c->json_out)
		return render_json_ok(c, status);
	if (render_page(c, page) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	c->status = status;
	return status;
}

/*
 * The one place where errors become responses: the themed error page for
 * browsers, {"ok":false,"error":{"code","message"}} for JSON clients (with
 * "fields", the form's {name: message}, for invalid), and a log line. msg
 * is user-fit, NULL for the code's default; an internal error never shows
 * its own.
 */
int
http_fail(struct ctx *c, enum err e, const char *msg)
{
	json_object	*err;
	const char	*code;

	if (e == ERR_NONE || (int)e < 0 || e >= ERR_NCODES)
		e = ERR_INTERNAL;
	/* A database that cannot be reached is an outage, not a bug. */
	if (e == ERR_INTERNAL && dctx_store_down()) {
		e = ERR_UNAVAILABLE;
		msg = NULL;
	}
	c->status = err_status(e);
	if (msg == NULL || e == ERR_INTERNAL)
		msg = err_message(e);
	/* A finer code the domain gave (dctx.h), never for a failure. */
	code = c->d.code != NULL && e != ERR_INTERNAL && e != ERR_UNAVAILABLE ?
	    c->d.code : err_code(e);
	if (e == ERR_UNAVAILABLE)
		http_header(c, "Retry-After", "5");
	c->d.error = msg;
	if (e == ERR_INTERNAL || e == ERR_UNAVAILABLE)
		clog_warnx(&c->d, "http_fail status=%d code=%s method=%s "
		    "uri=%.200s", c->status, err_code(e), c->method,
		    log_safe(c->d.arena, c->uri));
	else if (e != ERR_NOT_FOUND && e != ERR_UNAUTHORIZED)
		clog_info(&c->d, "http_fail status=%d code=%s method=%s "
		    "uri=%.200s msg=\"%s\"", c->status, code, c->method,
		    log_safe(c->d.arena, c->uri), msg);
	if (e == ERR_METHOD)
		http_header(c, "Allow", c->m.allow);
	if (c->json_out) {
		err = json_object_new_object();
		view_set_str(err, "code", code);
		view_set_str(err, "message", msg);
		if (e == ERR_INVALID)
			json_object_object_add(err, "fields", c->form_errors ?
			    json_object_get(c->form_errors) :
			    json_object_new_object());
		return http_json_error(c, err);
	}
	view_new(c);
	view_set_i64(c->view, "status", c->status);
	view_set_str(c->view, "code", code);
	view_set_str(c->view, "message", msg);
	view_set_bool(c->view, "login", e == ERR_UNAUTHORIZED);
	/* In the back office, the way back is the back office's home. */
	view_set_bool(c->view, "in_admin", strncmp(c->path, "/admin", 6) == 0 &&
	    (c->path[6] == '\0' || c->path[6] == '/'));
	c->title = msg;
	if (render_page(c, "error") != 0) {
		c->body.len = 0;
		c->ctype = "text/plain; charset=utf-8";
		buf_printf(&c->body, "%d %s\n", c->status, msg);
	}
	return c->status;
}

/* 303 to the formatted URL; JSON clients get {"redirect": URL}. */
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

/* A fresh view model, freed with the request. */
json_object *
view_new(struct ctx *c)
{
	c->vm = NULL;
	c->view = json_object_new_object();
	arena_defer_json(c->d.arena, c->view);
	return c->view;
}

/* The "page" query parameter: 1 unless it is a sane positive number. */
int64_t
query_page(struct ctx *c)
{
	const char	*s = kv_get(&c->query, "page"), *err;
	int64_t		 v;

	if (s == NULL || parse_i64(s, 1, 1000000, &v, &err) == -1)
		return 1;
	return v;
}

/*
 * Add page, pages, total and prev_url/next_url to a list view. url is
 * the list's link without the page ("/admin/products?q=x"); returns the
 * row offset for the query (LIMIT per_page OFFSET it).
 */
int64_t
view_pager(struct ctx *c, json_object *v, int64_t total, int64_t per_page,
    const char *url)
{
	int64_t		 page = query_page(c);
	int64_t		 pages = (total + per_page - 1) / per_page;
	const char	*sep = strchr(url, '?') ? "&" : "?";

	view_set_i64(v, "page", page);
	view_set_i64(v, "pages", pages);
	view_set_i64(v, "total", total);
	view_set_bool(v, "empty", total == 0);
	if (page > 1)
		view_set_str(v, "prev_url", ctx_link(c, arena_printf(c->d.arena,
		    "%s%spage=%" PRId64, url, sep, page - 1)));
	if (page < pages)
		view_set_str(v, "next_url", ctx_link(c, arena_printf(c->d.arena,
		    "%s%spage=%" PRId64, url, sep, page + 1)));
	return (page - 1) * per_page;
}

/*
 * A fresh view model in the arena (vm.h), room for cap keys before it
 * grows: for the hot pages, where json-c's mallocs and hashes were most of
 * the cost. Rendered and sent as JSON like view_new()'s.
 */
struct vm *
view_vm(struct ctx *c, uint32_t cap)
{
	c->view = NULL;
	c->vm = vm_obj(c->d.arena, cap);
	return c->vm;
}

/* view_set_money() for a view model; VM_MONEY() names the _fen key. */
void
vm_set_money(struct ctx *c, struct vm *o, const char *key,
    const char *key_fen, int64_t fen)
{
	vm_set_str(c->d.arena, o, key, fmt_yuan_grouped(c->d.arena, fen));
	vm_set_i64(c->d.arena, o, key_fen, fen);
}

/* "key": "12.34" and "key_fen": 1234, the two forms money takes in views. */
void
view_set_money(struct ctx *c, json_object *o, const char *key, int64_t fen)
{
	char	k[64];
	size_t	n = strlen(key);

	view_set_str(o, key, fmt_yuan_grouped(c->d.arena, fen));
	if (n > sizeof(k) - sizeof("_fen"))
		fatalx("view_set_money: key %s too long", key);
	memcpy(k, key, n);
	memcpy(k + n, "_fen", sizeof("_fen"));	/* no printf: hot */
	view_set_i64(o, k, fen);
}

/* Route capture i as a positive id: 0, or -1 when it is not one. */
int
route_id(struct ctx *c, int i, int64_t *id)
{
	const char	*err;

	return c->m.cap[i] != NULL && parse_i64(c->m.cap[i], 1, INT64_MAX, id,
	    &err) == 0 ? 0 : -1;
}

/* Route capture i as a positive id, or 0 (which no row has). */
int64_t
route_cap(struct ctx *c, int i)
{
	int64_t	id;

	return route_id(c, i, &id) == 0 ? id : 0;
}

/* A stored image as views show it: URLs under /uploads/ and its size. */
json_object *
view_image(struct ctx *c, const char *path, const char *thumb, int64_t w,
    int64_t h)
{
	json_object	*o = json_object_new_object();

	view_set_str(o, "url", arena_printf(c->d.arena, "/uploads/%s", path));
	view_set_str(o, "thumb", arena_printf(c->d.arena, "/uploads/%s",
	    thumb));
	view_set_i64(o, "width", w);
	view_set_i64(o, "height", h);
	/* A phone picks the thumbnail when it is wide enough for it. */
	if (w > IMAGE_THUMB_W)
		view_set_str(o, "srcset", arena_printf(c->d.arena,
		    "/uploads/%s %dw, /uploads/%s %" PRId64 "w", thumb,
		    IMAGE_THUMB_W, path, w));
	return o;
}
