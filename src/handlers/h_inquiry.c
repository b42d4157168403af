/*
 * h_inquiry.c -- 询价: a guest or a customer asks about a product, with a
 * quantity and how to reach them; staff answer in the back office. Open to
 * guests, so it is limited per address.
 */
#include "dinghuo.h"

#define INQUIRIES_PER_HOUR	20

enum { F_NAME, F_PHONE, F_COMPANY, F_MESSAGE, F_PRODUCT, F_QTY };
static const struct field inquiry_fields[] = {
	[F_NAME] =	{ "contact_name", FIELD_TEXT, FIELD_REQUIRED, 1, 60,
			  "联系人" },
	[F_PHONE] =	{ "contact_phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0,
			  "手机号" },
	[F_COMPANY] =	{ "company", FIELD_TEXT, 0, 0, 100, "公司" },
	[F_MESSAGE] =	{ "message", FIELD_TEXT, 0, 0, 2000, "留言" },
	[F_PRODUCT] =	{ "product_id", FIELD_ID, 0, 0, 0, "商品" },
	[F_QTY] =	{ "qty", FIELD_INT, 0, 1, 10000000, "数量" },
	{ NULL, 0, 0, 0, 0, NULL }
};

struct inquiry {
	struct form		 f;
	int64_t			 product_id;	/* 0: a message only */
	int64_t			 id;
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

static int
form_page(struct ctx *c, const struct catalog *cat,
    const struct cat_product *p, struct form *f, const char *error)
{
	json_object	*v = view_new(c), *o;
	const char	*s;
	size_t		 i;

	if (p != NULL) {
		o = json_object_new_object();
		view_set_i64(o, "id", p->id);
		view_set_str(o, "name", cat_str(cat, p->name));
		view_set_str(o, "unit", cat_str(cat, p->unit));
		json_object_object_add(v, "product", o);
	}
	view_set_str(v, "error", error);
	view_set_str(v, "action", ctx_link(c, "/inquiry"));
	/* Refill what was typed; a customer's own details by default. */
	for (i = 0; inquiry_fields[i].name != NULL; i++) {
		s = req_param(c, inquiry_fields[i].name);
		view_set_str(v, inquiry_fields[i].name, s);
	}
	if (req_param(c, "contact_name") == NULL && c->d.sess.kind ==
	    SESS_CUSTOMER) {
		view_set_str(v, "contact_name", c->d.sess.name);
		view_set_str(v, "contact_phone", c->d.sess.phone);
	}
	if (req_param(c, "qty") == NULL)
		view_set_i64(v, "qty", 1);
	(void)f;
	c->title = "询价";
	return render(c, "inquiry");
}

static int
h_inquiry_form(struct ctx *c)
{
	const struct catalog	*cat;
	const char		*s = kv_get(&c->query, "product"), *err;
	int64_t			 id;

	if ((cat = catalog_get(&c->d)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (s != NULL && parse_i64(s, 1, INT64_MAX, &id, &err) == 0)
		return form_page(c, cat, askable(cat, id), NULL, NULL);
	return form_page(c, cat, NULL, NULL, NULL);
}

/* The post is a write, so it reads the database, not the catalog cache. */
static const char sql_askable[] =
    "SELECT COUNT(*) FROM product p WHERE p.id = ? AND p.shop_id = ? "
    "AND p.on_shelf = 1 AND EXISTS (SELECT 1 FROM sku s "
    "WHERE s.product_id = p.id)";
static const char sql_recent[] =
    "SELECT COUNT(*) FROM inquiry WHERE shop_id = ? AND ip = ? "
    "AND created_at > NOW(3) - INTERVAL 1 HOUR";
static const char sql_add[] =
    "INSERT INTO inquiry (shop_id, customer_user_id, contact_name, "
    "contact_phone, company, message, ip) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_add_item[] =
    "INSERT INTO inquiry_item (inquiry_id, product_id, qty) VALUES (?, ?, ?)";

static int
tx_add(struct dctx *c, void *arg)
{
	struct inquiry	*iq = arg;
	struct form	*f = &iq->f;
	struct db_res	*r;
	char		 cu[24];

	snprintf(cu, sizeof(cu), "%" PRId64, c->sess.user_id);
	if (db_run(c->arena, &r, sql_add, "issssss", c->shop->id,
	    c->sess.kind == SESS_CUSTOMER ? cu : NULL, f->v[F_NAME].s,
	    f->v[F_PHONE].s, f->v[F_COMPANY].present ? f->v[F_COMPANY].s : "",
	    f->v[F_MESSAGE].present ? f->v[F_MESSAGE].s : "",
	    c->remote_addr) == -1)
		return ERR_INTERNAL;
	iq->id = (int64_t)r->insert_id;
	if (iq->product_id != 0 && db_run(c->arena, NULL, sql_add_item, "iii",
	    iq->id, iq->product_id, f->v[F_QTY].present ? f->v[F_QTY].i64 : 1) == -1)
		return ERR_INTERNAL;
	return 0;
}

static int
h_inquiry_post(struct ctx *c)
{
	const struct catalog	*cat;
	struct inquiry		 iq;
	struct db_res		*r;
	json_object		*v;
	int			 err;

	memset(&iq, 0, sizeof(iq));
	/* A browser session must prove the form is its own. */
	if (c->d.sess.kind != SESS_NONE && !c->d.sess.bearer && csrf_check(c) != 0)
		return http_fail(c, ERR_CSRF, "页面已过期，请刷新后重试");
	if (form_parse(c, inquiry_fields, &iq.f) == -1) {
		c->status = 400;
		if (c->json_out)
			return http_fail(c, ERR_INVALID, iq.f.error);
		if ((cat = catalog_get(&c->d)) == NULL)
			return http_fail(c, ERR_INTERNAL, NULL);
		return form_page(c, cat, NULL, &iq.f, iq.f.error);
	}
	if (iq.f.v[F_PRODUCT].present) {
		if (db_run(c->d.arena, &r, sql_askable, "ii",
		    iq.f.v[F_PRODUCT].i64, c->d.shop->id) == -1)
			return http_fail(c, ERR_INTERNAL, NULL);
		if (db_cell_i64(r, 0, 0) == 0)
			return http_fail(c, ERR_INVALID, "商品不存在或已下架");
		iq.product_id = iq.f.v[F_PRODUCT].i64;
	}
	if (!iq.f.v[F_MESSAGE].present && iq.product_id == 0)
		return http_fail(c, ERR_INVALID, "请选择商品或填写留言");
	if (db_run(c->d.arena, &r, sql_recent, "is", c->d.shop->id,
	    c->d.remote_addr) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (db_cell_i64(r, 0, 0) >= INQUIRIES_PER_HOUR) {
		clog_warnx(&c->d, "inquiry: limit reached ip=%s", c->d.remote_addr);
		return http_fail(c, ERR_TOO_MANY, "询价过于频繁，请稍后再试或直接"
		    "致电我们");
	}
	if ((err = db_tx_run(&c->d, tx_add, &iq)) != 0)
		return http_fail(c, err, NULL);
	clog_info(&c->d, "inquiry %" PRId64 " from %s", iq.id, c->d.remote_addr);
	v = view_new(c);
	view_set_i64(v, "id", iq.id);
	view_set_str(v, "contact_name", iq.f.v[F_NAME].s);
	c->title = "询价已提交";
	return render(c, "inquiry_done");
}

const struct route h_inquiry_routes[] = {
	{ "GET", "^/inquiry$", h_inquiry_form, 0, NULL },
	{ "POST", "^/inquiry$", h_inquiry_post, ROUTE_CSRF, NULL },
	{ "POST", "^/api/v1/inquiries$", h_inquiry_post, ROUTE_BODY, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
