/*
 * h_admin_product.c -- the back office's product pages: the list with its
 * search and filters, the product form (new, edit, save), the shelf
 * switch and the delete. The domain (product.c, product_save.c) reads and
 * writes; another shop's product is a 404 like a missing one.
 */
#include "base/base.h"
#include "base/conf.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/category.h"
#include "domain/product.h"
#include "domain/stock.h"
#include "handlers/h_admin_catalog.h"

#define PER_PAGE	30
#define Q_MAX		100		/* bytes of a search */

/* ---- the list ---------------------------------------------------------- */

struct listq {
	struct product_query	 q;
	const char		*shelf;		/* "on", "off", "" */
};

/* The list's query string: search (trimmed, cut), category, shelf. */
static void
list_query(struct ctx *c, struct listq *lq)
{
	const char	*s, *err;
	char		*q;
	size_t		 n;

	memset(lq, 0, sizeof(*lq));
	s = kv_get(&c->query, "q");
	while (s != NULL && isspace((unsigned char)*s))
		s++;
	if (s == NULL)
		s = "";
	/* At most Q_MAX bytes, cut on a character boundary. */
	if ((n = strlen(s)) > Q_MAX)
		for (n = Q_MAX; (s[n] & 0xc0) == 0x80; n--)
			;
	q = arena_strndup(c->d.arena, s, n);
	for (n = strlen(q); n > 0 && isspace((unsigned char)q[n - 1]); n--)
		q[n - 1] = '\0';
	lq->q.q = q;
	if ((s = kv_get(&c->query, "cat")) == NULL ||
	    parse_i64(s, 1, INT64_MAX, &lq->q.category_id, &err) == -1)
		lq->q.category_id = 0;
	s = kv_get(&c->query, "shelf");
	lq->q.on_shelf = s && !strcmp(s, "on") ? 1 : s && !strcmp(s, "off") ?
	    0 : -1;
	lq->shelf = lq->q.on_shelf == 1 ? "on" : lq->q.on_shelf == 0 ? "off" :
	    "";
	lq->q.limit = PER_PAGE;
	lq->q.offset = (query_page(c) - 1) * PER_PAGE;
}

static json_object *
list_row(struct ctx *c, const struct product_row *w,
    const struct category_tree *t)
{
	json_object	*o = json_object_new_object();
	const char	*path = category_path(c->d.arena, t, w->category_id);

	view_set_i64(o, "id", w->id);
	view_set_str(o, "code", w->code);
	view_set_str(o, "name", w->name);
	view_set_bool(o, "on_shelf", w->on_shelf);
	/* 饮料 › 散装, not a lone 散装 that several branches have. */
	view_set_str(o, "category", path != NULL ? path : w->category);
	view_set_i64(o, "sku_count", w->nskus);
	if (w->nskus > 0) {
		view_set_money(c, o, "price_min", w->price_min_fen);
		view_set_money(c, o, "price_max", w->price_max_fen);
		view_set_bool(o, "price_range", w->price_min_fen !=
		    w->price_max_fen);
	}
	view_set_i64(o, "stock", w->stock);
	view_set_str(o, "thumb", w->thumb ? arena_printf(c->d.arena,
	    "/uploads/%s", w->thumb) : NULL);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64, w->id)));
	view_set_str(o, "shelf_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "/shelf", w->id)));
	return o;
}

/*
 * After 下架 from the list (?unshelved=<id>): which product, with 撤销;
 * after 撤销 (?shelved=<id>), that it is back. Only while it still is
 * so: an old link says nothing.
 */
static void
shelf_note(struct ctx *c, json_object *v)
{
	struct product_row	 w;
	json_object		*o;
	const char		*s, *err;
	int64_t			 id;
	int			 off = 1;

	if ((s = kv_get(&c->query, "unshelved")) == NULL) {
		s = kv_get(&c->query, "shelved");
		off = 0;
	}
	if (s == NULL || parse_i64(s, 1, INT64_MAX, &id, &err) == -1 ||
	    product_brief(&c->d, id, &w) != 0 || w.on_shelf == off)
		return;
	o = json_object_new_object();
	view_set_str(o, "name", w.name);
	view_set_str(o, "code", w.code);
	view_set_bool(o, "off", off);
	view_set_str(o, "undo_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "/shelf", id)));
	json_object_object_add(v, "shelf_note", o);
}

static void
list_filters(struct ctx *c, json_object *v, const struct listq *lq,
    const struct category_tree *t)
{
	static const char *const shelves[][2] = {
		{ "", "全部状态" }, { "on", "已上架" }, { "off", "已下架" },
	};
	json_object	*a = json_object_new_array(), *o;
	size_t		 i;

	view_set_str(v, "q", lq->q.q);
	view_set_i64(v, "cat", lq->q.category_id);
	view_set_str(v, "shelf", lq->shelf);
	for (i = 0; i < sizeof(shelves) / sizeof(shelves[0]); i++) {
		o = json_object_new_object();
		view_set_str(o, "value", shelves[i][0]);
		view_set_str(o, "label", shelves[i][1]);
		view_set_bool(o, "selected", strcmp(lq->shelf, shelves[i][0]) ==
		    0);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "shelves", a);
	json_object_object_add(v, "categories", admin_category_options(c, t,
	    lq->q.category_id, 0));
	view_set_bool(v, "filtered", *lq->q.q || lq->q.category_id ||
	    lq->q.on_shelf != -1);
}

int
h_products(struct ctx *c)
{
	struct category_tree	 t;
	struct product_list	 pl;
	struct listq		 lq;
	json_object		*v, *rows;
	const char		*url;
	int			 i;

	list_query(c, &lq);
	if (category_tree(&c->d, 0, &t) != 0 ||
	    product_list(&c->d, &lq.q, &pl) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = admin_view(c, "products");
	url = arena_printf(c->d.arena, "/admin/products?q=%s&cat=%" PRId64
	    "&shelf=%s", url_encode(c->d.arena, lq.q.q), lq.q.category_id,
	    lq.shelf);
	view_pager(c, v, pl.total, PER_PAGE, url);
	rows = json_object_new_array();
	for (i = 0; i < pl.n; i++)
		json_object_array_add(rows, list_row(c, &pl.v[i], &t));
	json_object_object_add(v, "products", rows);
	list_filters(c, v, &lq, &t);
	shelf_note(c, v);
	view_set_bool(v, "can_edit", admin_can_edit(c));
	view_set_str(v, "back", arena_printf(c->d.arena, "%s&page=%" PRId64,
	    url, query_page(c)));
	c->title = "商品管理";
	return render(c, "admin/products");
}

/* ---- the product form --------------------------------------------------- */

static json_object *
images_view(struct ctx *c, int64_t pid, int *n)
{
	struct product_image	*im;
	json_object		*a = json_object_new_array(), *o;
	int			 i;

	/* All of them: more than the storefront shows can still go. */
	if (product_images(&c->d, pid, INT_MAX, &im, n) != 0)
		return a;
	for (i = 0; i < *n; i++) {
		o = view_image(c, im[i].path, im[i].thumb, im[i].width,
		    im[i].height);
		view_set_i64(o, "id", im[i].id);
		view_set_str(o, "delete_url", ctx_link(c, arena_printf(
		    c->d.arena, "/admin/products/%" PRId64 "/images/%" PRId64
		    "/delete", pid, im[i].id)));
		json_object_array_add(a, o);
	}
	return a;
}

static void
edit_links(struct ctx *c, json_object *v, int64_t id)
{
	const char	*base = arena_printf(c->d.arena, "/admin/products/%"
	    PRId64, id);

	view_set_str(v, "list_url", ctx_link(c, "/admin/products"));
	view_set_str(v, "action", ctx_link(c, id ? base : "/admin/products"));
	if (id == 0)
		return;
	view_set_str(v, "shelf_url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/shelf", base)));
	view_set_str(v, "delete_url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/delete", base)));
	view_set_str(v, "images_url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/images", base)));
	view_set_str(v, "preview_url", ctx_link(c, arena_printf(c->d.arena,
	    "/wholesale/products/%" PRId64, id)));
}

/*
 * The product form: stored values, or what was typed with the errors.
 * status 0 is 200; pn (NULL: none) has the notices above the form and
 * above the images.
 */
#define MOVES_PER_PAGE	10

/* 库存流水: the product's stock movements, a page, newest first. */
static int
moves_view(struct ctx *c, json_object *v, int64_t id)
{
	struct stock_move_row	*m;
	json_object		*a, *o, *pg;
	int64_t			 total, offset;
	int			 i, n;

	offset = (query_page(c) - 1) * MOVES_PER_PAGE;
	if (stock_moves(&c->d, id, offset, MOVES_PER_PAGE, &m, &n, &total) != 0)
		return -1;
	pg = json_object_new_object();
	view_pager(c, pg, total, MOVES_PER_PAGE, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64, id));
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_str(o, "sku_code", m[i].sku_code);
		view_set_str(o, "reason", m[i].reason);
		view_set_str(o, "reason_label", m[i].reason_label);
		view_set_i64(o, "delta", m[i].delta);
		view_set_str(o, "delta_shown", m[i].delta > 0 ?
		    arena_printf(c->d.arena, "+%" PRId64, m[i].delta) :
		    arena_printf(c->d.arena, "%" PRId64, m[i].delta));
		view_set_i64(o, "qty", m[i].qty);
		/* A parcel moves no stock: say how many units left. */
		view_set_bool(o, "shows_qty", m[i].delta == 0);
		view_set_str(o, "order_no", m[i].order_no);
		if (m[i].order_id != 0)
			view_set_str(o, "order_url", ctx_link(c, arena_printf(
			    c->d.arena, "/admin/orders/%" PRId64,
			    m[i].order_id)));
		view_set_str(o, "who", m[i].who);
		view_set_bool(o, "by_staff", m[i].by_staff);
		view_set_str(o, "note", m[i].note && *m[i].note ? m[i].note :
		    NULL);
		view_set_str(o, "time", m[i].time);
		json_object_array_add(a, o);
	}
	json_object_object_add(pg, "rows", a);
	json_object_object_add(v, "stock_moves", pg);
	return 0;
}

int
product_page(struct ctx *c, struct pform *pf, int status,
    const struct pnotes *pn)
{
	static const struct pnotes none;
	struct category_tree	 t;
	json_object		*v;
	const char		*error;
	int64_t			 id = pf->p.id;
	int			 nimages = 0, nrows;

	if (category_tree(&c->d, 0, &t) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (pn == NULL)
		pn = &none;
	error = pn->error;
	v = admin_view(c, "products");
	view_set_bool(v, "is_new", id == 0);
	json_object_object_add(v, "product", pform_product_view(pf));
	json_object_object_add(v, "skus", pform_rows_view(c, pf));
	nrows = json_object_array_length(json_object_object_get(v, "skus"));
	json_object_object_add(v, "categories", admin_category_options(c, &t,
	    pf->p.category_id, 0));
	if (id != 0) {
		json_object_object_add(v, "images", images_view(c, id,
		    &nimages));
		view_set_bool(v, "images_full", nimages >= PRODUCT_IMAGES_MAX);
	}
	view_set_i64(v, "images_max", PRODUCT_IMAGES_MAX);
	view_set_str(v, "error", error ? error : pf->f.error);
	view_set_str(v, "image_error", pn->image_error);
	view_set_str(v, "image_note", pn->image_note);
	view_set_bool(v, "unsaved", pn->unsaved);
	if (id != 0 && moves_view(c, v, id) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	view_set_str(v, "stock_note", pn->stock_note);
	if (!c->json_out) {
		/* What the rows and admin.js need: the next row's number,
		 * a blank row to copy, the unit a SKU without one has. */
		view_set_i64(v, "sku_next", nrows + 1);
		view_set_bool(v, "skus_full", nrows >= PRODUCT_SKUS_MAX);
		json_object_object_add(v, "sku_template",
		    pform_row_template(c, pf));
		view_set_str(v, "unit_default", pf->p.unit);
		view_set_i64(v, "upload_max", conf.max_upload);
	}
	if (pf->f.errors != NULL && error == NULL) {
		json_object_object_add(v, "errors", json_object_get(
		    pf->f.errors));
		json_object_object_add(v, "error_list", pform_error_list(c,
		    pf));
	}
	view_set_bool(v, "can_edit", admin_can_edit(c));
	edit_links(c, v, id);
	c->status = status;
	c->title = id == 0 ? "新建商品" : arena_printf(c->d.arena,
	    "编辑商品 %s", pf->s[F_NAME]);
	return render(c, "admin/product_edit");
}

int
h_product_new(struct ctx *c)
{
	struct pform	pf;

	pform_new(&pf);
	return product_page(c, &pf, 0, NULL);
}

/*
 * GET /admin/products/<id>, after a save that took images too with
 * ?img=added or deleted: the page opens at the images (#images), where
 * the flash at the top is out of sight, so they say it there.
 */
int
h_product_edit(struct ctx *c)
{
	struct pnotes	 pn;
	struct pform	 pf;
	const char	*img = kv_get(&c->query, "img");
	const char	*stock = kv_get(&c->query, "stock");
	int		 rc;

	if ((rc = pform_load(c, route_cap(c, 0), &pf)) != 0)
		return http_fail(c, rc, "商品不存在");
	memset(&pn, 0, sizeof(pn));
	if (img != NULL && strcmp(img, "added") == 0)
		pn.image_note = "图片已上传，商品已保存";
	else if (img != NULL && strcmp(img, "deleted") == 0)
		pn.image_note = "图片已删除，商品已保存";
	if (stock != NULL && strcmp(stock, "moved") == 0)
		pn.stock_note = "编辑期间库存有变化（有订单或导入）：已按您改动"
		    "的数量调整，订单占用的库存不变。请核对现在的库存。";
	return product_page(c, &pf, 0, &pn);
}

/*
 * The form again, as typed, not saved: a button that adds or removes a
 * row (pform_op), or a form that failed. A stored product's images are
 * its own: what the post adds or deletes is done anyway, not lost.
 */
static int
form_again(struct ctx *c, struct pform *pf, int status, const char *op,
    const char *error)
{
	struct pimages	im;
	struct pnotes	pn;
	int		rc;

	memset(&pn, 0, sizeof(pn));
	if ((rc = pimages_apply(c, pf->p.id, &im)) != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    NULL);
	pn.image_error = im.why;
	pn.image_note = pimages_notice(c, &im);
	pn.error = error;
	if (op != NULL) {
		pform_op(c, pf, op);
		/* Half-typed rows: not checked until the form is saved. */
		pf->f.error = NULL;
		pf->f.errors = NULL;
		pn.unsaved = 1;
	}
	return product_page(c, pf, status, &pn);
}

/*
 * POST /admin/products (create) and /admin/products/<id> (update), with
 * the images the form adds or deletes; a button "op" only changes the
 * form (form_again).
 */
int
h_product_save(struct ctx *c)
{
	struct pimages	 im;
	struct pnotes	 pn;
	struct pform	 pf;
	const char	*op = req_param(c, "op");
	int64_t		 id = route_cap(c, 0), saved;
	int		 rc, raced = 0;

	if (c->m.cap[0] != NULL && (rc = id == 0 ? ERR_NOT_FOUND :
	    product_exists(&c->d, id)) != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    NULL);
	if (pform_read(c, id, &pf) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (op != NULL && *op != '\0' && !c->json_out)
		return form_again(c, &pf, 200, op, NULL);
	if (pf.f.error != NULL) {
		clog_info(&c->d, "product form: %d bad fields",
		    json_object_object_length(pf.f.errors));
		if (c->json_out)
			return admin_form_json(c, 400, &pf.f);
		return form_again(c, &pf, 400, NULL, NULL);
	}
	if ((rc = product_save(&c->d, &pf.p, &saved, &raced)) == ERR_CONFLICT)
		return form_again(c, &pf, 409, NULL, c->d.error);
	if (rc != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    NULL);
	if ((rc = pimages_apply(c, saved, &im)) != 0)
		return http_fail(c, rc, NULL);
	if (im.err != 0) {
		/* All saved but an image: the page as stored, and why. */
		if (pform_load(c, saved, &pf) != 0)
			return http_fail(c, ERR_INTERNAL, NULL);
		memset(&pn, 0, sizeof(pn));
		pn.image_error = arena_printf(c->d.arena, "商品已保存，但图片"
		    "没有上传：%s", im.why);
		pn.image_note = pimages_notice(c, &im);
		return product_page(c, &pf, err_status(im.err), &pn);
	}
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", saved);
		view_set_bool(c->view, "stock_moved", raced > 0);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "?done=saved%s%s", saved, raced > 0 ?
	    "&stock=moved" : "", im.added ?
	    "&img=added#images" : im.deleted ? "&img=deleted#images" : "")));
}

/* ---- shelf, delete ------------------------------------------------------ */

/*
 * Where to go back to after a change made from a list: our pages only,
 * with what the list says about it ("done=saved", "unshelved=7").
 */
static const char *
back_to(struct ctx *c, const char *dflt, const char *what)
{
	const char	*b = req_param(c, "back");

	if (b == NULL || strncmp(b, "/admin/products", 15) != 0 ||
	    strstr(b, "//") != NULL || strpbrk(b, "\\\r\n") != NULL)
		b = dflt;
	return ctx_link(c, arena_printf(c->d.arena, "%s%s%s", b,
	    strchr(b, '?') ? "&" : "?", what));
}

/*
 * On or off the shelf: on_shelf 1 or 0 sets it (the page's buttons: a
 * second tap changes nothing), none turns it over. From the list, the
 * list tells what happened, with 撤销 after a 下架.
 */
int
h_product_shelf(struct ctx *c)
{
	const char	*s = req_param(c, "on_shelf"), *what = "done=saved";
	int64_t		 id = route_cap(c, 0);
	int		 rc, want, now;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	want = s == NULL || *s == '\0' ? -1 : !strcmp(s, "1") ||
	    !strcmp(s, "on") || !strcmp(s, "true");
	if ((rc = product_set_shelf(&c->d, id, want, &now)) != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    NULL);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", id);
		view_set_bool(c->view, "on_shelf", now);
	}
	if (want != -1)
		what = arena_printf(c->d.arena, "%s=%" PRId64, now ? "shelved" :
		    "unshelved", id);
	return http_see_other(c, "%s", back_to(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64, id), what));
}

static int
delete_page(struct ctx *c, int64_t id, int status, const char *error)
{
	struct product_usage	 u;
	json_object		*v, *p;
	int			 rc;

	if ((rc = product_usage(&c->d, id, &u)) != 0)
		return http_fail(c, rc, "商品不存在");
	v = admin_view(c, "products");
	p = json_object_new_object();
	view_set_i64(p, "id", id);
	view_set_str(p, "code", u.code);
	view_set_str(p, "name", u.name);
	view_set_i64(p, "sku_count", u.nskus);
	view_set_i64(p, "image_count", u.nimages);
	view_set_i64(p, "inquiry_count", u.ninquiries);
	view_set_i64(p, "order_line_count", u.nordered);
	json_object_object_add(v, "product", p);
	view_set_bool(v, "blocked", u.ninquiries > 0 || u.nordered > 0);
	view_set_bool(v, "ordered", u.nordered > 0);
	view_set_str(v, "error", error);
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "/delete", id)));
	view_set_str(v, "cancel_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64, id)));
	view_set_str(v, "shelf_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "/shelf", id)));
	c->status = status;
	c->title = "删除商品";
	return render(c, "admin/product_delete");
}

int
h_product_delete_form(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	return delete_page(c, id, 0, NULL);
}

int
h_product_delete(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);
	int	rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "商品不存在");
	rc = product_delete(&c->d, id);
	if (rc == ERR_CONFLICT && !c->json_out)
		return delete_page(c, id, 409, c->d.error);
	if (rc != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    c->d.error);
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/products?done=deleted"));
}
