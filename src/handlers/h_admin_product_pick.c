/*
 * h_admin_product_pick.c -- the SKU picker of a company's contract
 * prices: the shop's SKUs found by part of a name, 货号, code or barcode,
 * one chosen, and the add form with it (the customer page's 合同价
 * section posts the same form to h_admin_contract.c). Without
 * JavaScript this is a page; admin-catalog.js asks it for JSON as the
 * staff member types. The route is the catalog's: it searches SKUs.
 */
#include "base/base.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/category.h"
#include "domain/contract.h"
#include "domain/customer.h"
#include "domain/product.h"
#include "handlers/h_admin_catalog.h"

#define PICK_MAX	20		/* SKUs listed */
#define PICK_Q_MAX	100		/* bytes of a search */

/* The query's q, trimmed, at most PICK_Q_MAX bytes (whole characters). */
static const char *
pick_query(struct ctx *c)
{
	const char	*s = kv_get(&c->query, "q");
	size_t		 n;

	if (s == NULL)
		return "";
	while (isspace((unsigned char)*s))
		s++;
	if ((n = strlen(s)) > PICK_Q_MAX)
		for (n = PICK_Q_MAX; (s[n] & 0xc0) == 0x80; n--)
			;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return arena_strndup(c->d.arena, s, n);
}

static json_object *
sku_view(struct ctx *c, const struct sku_brief *b, const char *base,
    const char *q)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "sku_id", b->id);
	view_set_str(o, "code", b->code);
	view_set_str(o, "product", b->name);
	view_set_str(o, "spec", b->spec);
	view_set_str(o, "barcode", b->barcode);
	view_set_str(o, "unit", b->unit);
	view_set_money(c, o, "price", b->price_fen);
	view_set_str(o, "pick_url", arena_printf(c->d.arena, "%s?q=%s&"
	    "sku_code=%s#add", base, url_encode(c->d.arena, q),
	    url_encode(c->d.arena, b->code)));
	return o;
}

/* The SKU chosen, with the company's price for it if it has one. */
static int
chosen_view(struct ctx *c, json_object *v, int64_t cid, const char *code)
{
	struct contract_price	*cp;
	struct sku_brief	 b;
	json_object		*o;
	int			 i, n, rc;

	if ((rc = product_sku_by_code(&c->d, code, &b)) == ERR_NOT_FOUND) {
		view_set_str(v, "pick_error", arena_printf(c->d.arena,
		    "本店没有编码为“%s”的 SKU", code));
		return 0;
	}
	if (rc != 0 || contract_list(&c->d, cid, &cp, &n) != 0)
		return ERR_INTERNAL;
	o = json_object_new_object();
	view_set_str(o, "code", b.code);
	view_set_str(o, "product", b.name);
	view_set_str(o, "spec", b.spec);
	view_set_money(c, o, "base_price", b.price_fen);
	view_set_str(o, "current", NULL);
	view_set_bool(o, "binding", 0);
	for (i = 0; i < n; i++)
		if (cp[i].sku_id == b.id) {
			/* The input's value: plain, as the form reads it. */
			view_set_str(o, "current", fmt_yuan(c->d.arena,
			    cp[i].price_fen));
			view_set_bool(o, "binding", cp[i].binding);
		}
	json_object_object_add(v, "chosen", o);
	return 0;
}

/* GET /admin/customers/<id>/prices/pick?q=…[&sku_code=…] */
int
h_contract_pick(struct ctx *c)
{
	struct sku_brief	*sk;
	struct company		 co;
	json_object		*v, *a, *o;
	const char		*q = pick_query(c), *code, *base;
	int64_t			 cid = route_cap(c, 0);
	int			 i, n = 0, rc;

	if (cid == 0 || (rc = company_load(&c->d, cid, &co)) == ERR_NOT_FOUND)
		return http_fail(c, ERR_NOT_FOUND, "客户不存在");
	if (rc != 0 || (*q != '\0' && product_sku_search(&c->d, q, PICK_MAX,
	    &sk, &n) != 0))
		return http_fail(c, ERR_INTERNAL, NULL);
	v = admin_view(c, "customers");
	base = ctx_link(c, arena_printf(c->d.arena, "/admin/customers/%"
	    PRId64 "/prices/pick", cid));
	o = json_object_new_object();
	view_set_i64(o, "id", cid);
	view_set_str(o, "name", co.name);
	json_object_object_add(v, "company", o);
	a = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(a, sku_view(c, &sk[i], base, q));
	json_object_object_add(v, "skus", a);
	view_set_str(v, "q", q);
	view_set_bool(v, "searched", *q != '\0');
	view_set_bool(v, "more", n == PICK_MAX);
	view_set_str(v, "search_url", base);
	/* A refused price shows the company's page: at its 合同价. */
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "/prices#contracts", cid)));
	view_set_str(v, "back_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "#contracts", cid)));
	if ((code = kv_get(&c->query, "sku_code")) != NULL && *code != '\0' &&
	    chosen_view(c, v, cid, code) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	c->title = arena_printf(c->d.arena, "添加合同价 %s", co.name);
	return render(c, "admin/contract_pick");
}
