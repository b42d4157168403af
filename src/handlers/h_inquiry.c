/*
 * h_inquiry.c -- 询价: a guest or a customer asks about a product, with a
 * quantity and how to reach them; staff answer in the back office. Open to
 * guests, so it is limited per address.
 */
#include "base/base.h"
#include "domain/account.h"
#include "domain/catalog.h"
#include "domain/product.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/inquiry.h"

enum { F_NAME, F_PHONE, F_COMPANY, F_MESSAGE, F_PRODUCT, F_SKU, F_QTY };
static const struct field inquiry_fields[] = {
	[F_NAME] =	{ "contact_name", FIELD_TEXT, FIELD_REQUIRED, 1, 60,
			  "联系人" },
	[F_PHONE] =	{ "contact_phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0,
			  "手机号" },
	[F_COMPANY] =	{ "company", FIELD_TEXT, 0, 0, 100, "公司" },
	[F_MESSAGE] =	{ "message", FIELD_TEXT, 0, 0, 2000, "留言" },
	[F_PRODUCT] =	{ "product_id", FIELD_ID, 0, 0, 0, "商品" },
	[F_SKU] =	{ "sku_id", FIELD_ID, 0, 0, 0, "规格" },
	[F_QTY] =	{ "qty", FIELD_INT, 0, 1, 10000000, "数量" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* A product anyone may ask about: on the shelf in some open storefront. */
static const struct cat_product *
askable(const struct catalog *cat, int64_t id)
{
	const struct cat_product	*p = catalog_product(cat, id);

	if (p == NULL || !p->on_shelf || p->nskus == 0)
		return NULL;
	return p;
}

/*
 * The product's SKUs to pick from when it has more than one, the chosen
 * one (sku_id, else the first) selected; its minimum order in *min_qty,
 * the smallest of them as the quantity's lower bound.
 */
static int
sku_options(struct ctx *c, const struct catalog *cat,
    const struct cat_product *p, int64_t sku_id, json_object *o,
    int64_t *min_qty)
{
	const struct cat_sku	*s = cat_skus(cat, p), *chosen = &s[0];
	struct product_detail	 d;
	json_object		*a, *e;
	const char		*label;
	int64_t			 least = INT64_MAX;
	int			 i, k;

	for (k = 0; k < p->nskus; k++) {
		if (s[k].id == sku_id)
			chosen = &s[k];
		if (s[k].min_qty < least)
			least = s[k].min_qty;
	}
	*min_qty = chosen->min_qty > 1 ? chosen->min_qty : 1;
	view_set_i64(o, "qty_min", least > 1 ? least : 1);
	view_set_bool(o, "choose_sku", p->nskus > 1);
	if (p->nskus < 2)
		return 0;
	/* The cache has no specs: the product page reads them the same. */
	if (product_detail(&c->d, p->id, &d) != 0)
		return ERR_INTERNAL;
	a = json_object_new_array();
	for (k = 0; k < p->nskus; k++) {
		label = "";
		for (i = 0; i < d.nskus; i++)
			if (d.skus[i].id == s[k].id)
				label = *d.skus[i].spec ? d.skus[i].spec :
				    d.skus[i].code;
		e = json_object_new_object();
		view_set_i64(e, "sku_id", s[k].id);
		view_set_str(e, "label", label);
		view_set_i64(e, "min_qty", s[k].min_qty);
		view_set_bool(e, "has_min", s[k].min_qty > 1);
		view_set_bool(e, "selected", &s[k] == chosen);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "skus", a);
	return 0;
}

/*
 * The form, empty or as typed after a refusal (error). keep: the post's
 * product, which this worker's catalog does not have (yet), goes on as
 * it was typed, for the database to judge; the form must not drop it.
 */
static int
form_page(struct ctx *c, const struct catalog *cat,
    const struct cat_product *p, int64_t sku_id, int keep, const char *error)
{
	json_object	*v = view_new(c), *o;
	struct account	 acc;
	int64_t		 min_qty = 1;
	size_t		 i;

	if (p != NULL) {
		o = json_object_new_object();
		view_set_i64(o, "id", p->id);
		view_set_str(o, "name", cat_str(cat, p->name));
		view_set_str(o, "unit", cat_str(cat, p->unit));
		if (sku_options(c, cat, p, sku_id, o, &min_qty) != 0) {
			json_object_put(o);
			return http_fail(c, ERR_INTERNAL, NULL);
		}
		json_object_object_add(v, "product", o);
	}
	view_set_str(v, "error", error);
	view_set_str(v, "action", ctx_link(c, "/inquiry"));
	/* Refill what was typed; a customer's own details by default. */
	for (i = 0; inquiry_fields[i].name != NULL; i++)
		view_set_str(v, inquiry_fields[i].name,
		    req_param(c, inquiry_fields[i].name));
	if (req_param(c, "contact_name") == NULL && c->d.sess.kind ==
	    SESS_CUSTOMER) {
		view_set_str(v, "contact_name", c->d.sess.name);
		view_set_str(v, "contact_phone", c->d.sess.phone);
	}
	if (req_param(c, "company") == NULL && c->d.sess.kind ==
	    SESS_CUSTOMER && account_load(&c->d, &acc) == 0)
		view_set_str(v, "company", acc.company.name);
	if (req_param(c, "qty") == NULL)
		view_set_i64(v, "qty", min_qty);
	view_set_bool(v, "keep_product", p == NULL && keep);
	c->title = "询价";
	return render(c, "inquiry");
}

static int
h_inquiry_form(struct ctx *c)
{
	const struct catalog	*cat;
	const char		*s = kv_get(&c->query, "product"), *err;
	const char		*k = kv_get(&c->query, "sku");
	int64_t			 id, sku = 0;

	if ((cat = catalog_get(&c->d)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (k != NULL && parse_i64(k, 1, INT64_MAX, &sku, &err) != 0)
		sku = 0;
	if (s != NULL && parse_i64(s, 1, INT64_MAX, &id, &err) == 0)
		return form_page(c, cat, askable(cat, id), sku, 0, NULL);
	return form_page(c, cat, NULL, 0, 0, NULL);
}

/*
 * A refused post: JSON says why; a page shows the form again as typed,
 * with the product asked about if it may still be asked about.
 */
static int
post_fail(struct ctx *c, struct form *f, int err)
{
	const struct catalog	*cat;
	int			 refused;

	if (err == ERR_INTERNAL)
		return http_fail(c, err, NULL);
	if (c->json_out)
		return http_fail(c, err, f->error);
	if ((cat = catalog_get(&c->d)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	clog_info(&c->d, "inquiry refused status=%d why=%s", err_status(err),
	    f->error);
	c->status = err_status(err);
	refused = f->errors != NULL &&
	    json_object_object_get_ex(f->errors, "product_id", NULL);
	return form_page(c, cat, f->v[F_PRODUCT].present ? askable(cat,
	    f->v[F_PRODUCT].i64) : NULL, f->v[F_SKU].present ?
	    f->v[F_SKU].i64 : 0, f->v[F_PRODUCT].present && !refused,
	    f->error);
}

static int
h_inquiry_post(struct ctx *c)
{
	struct inquiry_new	 in;
	enum inquiry_field	 bad;
	struct form		 f;
	json_object		*v;
	int64_t			 id;
	int			 err;

	/* A browser session must prove the form is its own. */
	if (c->d.sess.kind != SESS_NONE && !c->d.sess.bearer &&
	    csrf_check(c) != 0)
		return http_fail(c, ERR_CSRF, "页面已过期，请刷新后重试");
	if (form_parse(c, inquiry_fields, &f) == -1)
		return post_fail(c, &f, ERR_INVALID);
	memset(&in, 0, sizeof(in));
	in.contact_name = f.v[F_NAME].s;
	in.contact_phone = f.v[F_PHONE].s;
	in.company = f.v[F_COMPANY].present ? f.v[F_COMPANY].s : "";
	in.message = f.v[F_MESSAGE].present ? f.v[F_MESSAGE].s : "";
	in.product_id = f.v[F_PRODUCT].present ? f.v[F_PRODUCT].i64 : 0;
	in.sku_id = f.v[F_SKU].present ? f.v[F_SKU].i64 : 0;
	in.qty = f.v[F_QTY].present ? f.v[F_QTY].i64 : 1;
	if ((err = inquiry_create(&c->d, &in, &id, &bad)) != 0) {
		if (bad == INQUIRY_FIELD_PRODUCT)
			form_error(c, &f, "product_id", "商品", c->d.error);
		else if (bad == INQUIRY_FIELD_SKU)
			form_error(c, &f, "sku_id", "规格", c->d.error);
		else
			f.error = c->d.error;
		return post_fail(c, &f, err);
	}
	v = view_new(c);
	view_set_i64(v, "id", id);
	view_set_str(v, "contact_name", in.contact_name);
	c->title = "询价已提交";
	return render(c, "inquiry_done");
}

const struct route h_inquiry_routes[] = {
	{ "GET", "^/inquiry$", h_inquiry_form, 0, NULL },
	{ "POST", "^/inquiry$", h_inquiry_post, ROUTE_CSRF, NULL },
	{ "POST", "^/api/v1/inquiries$", h_inquiry_post, ROUTE_BODY, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
