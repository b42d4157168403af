/*
 * h_admin_price.c -- the back office's price system page: member levels,
 * each with its price list (a percentage of the base price and fixed
 * prices per SKU) and its 起订金额 (minimum order amount), and the price
 * check. The page shows a failed form again with what was typed;
 * domain/price_list.c does the work.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/product.h"
#include "domain/price_list.h"

#define ROLES_READ	ADMIN_ROLES_PRICES
#define ROLES_WRITE	"owner,admin"
#define PRICE_MAX_FEN	INT64_C(100000000000)	/* one billion yuan */

/* What the page shows after a failed write: which form, and why. */
struct ppage {
	const char	*failed;	/* level_new, level, percent,
					 * min_order, item_new, item, check;
					 * NULL: none */
	int64_t		 level;
	int64_t		 sku;
	struct form	*f;
	const char	*error;		/* a conflict, not a field */
	const struct price_check *check; /* the price check's answer */
};

/* The failing form's own values, as typed, over what the database says. */
static void
refill(struct ctx *c, json_object *o, const char *const *names)
{
	const char	*s;

	for (; *names != NULL; names++)
		if ((s = req_param(c, *names)) != NULL)
			view_set_str(o, *names, s);
}

static int
is_failed(const struct ppage *p, const char *what, int64_t level,
    int64_t sku)
{
	return p->failed != NULL && strcmp(p->failed, what) == 0 &&
	    p->level == level && p->sku == sku;
}

static const char *
failure(const struct ppage *p)
{
	return p->error != NULL ? p->error : p->f != NULL ? p->f->error : NULL;
}

static json_object *
item_rows(struct ctx *c, const struct ppage *p, const struct member_level *l)
{
	static const char *const price_names[] = { "price", NULL };
	const struct price_item	*it;
	json_object		*rows = json_object_new_array(), *o;
	int			 k;

	for (k = 0; k < l->nitems; k++) {
		it = &l->items[k];
		o = json_object_new_object();
		view_set_i64(o, "level_id", l->id);
		view_set_i64(o, "sku_id", it->sku_id);
		view_set_str(o, "code", it->code);
		view_set_str(o, "product", it->product);
		view_set_str(o, "spec", it->spec);
		view_set_money(c, o, "base_price", it->base_fen);
		view_set_i64(o, "price_fen", it->price_fen);
		view_set_str(o, "price", fmt_yuan(c->d.arena, it->price_fen));
		view_set_str(o, "row_error", NULL);	/* not the level's */
		if (is_failed(p, "item", l->id, it->sku_id)) {
			refill(c, o, price_names);
			view_set_str(o, "row_error", failure(p));
		}
		json_object_array_add(rows, o);
	}
	return rows;
}

static json_object *
level_row(struct ctx *c, const struct ppage *p, const struct member_level *l)
{
	static const char *const level_names[] = { "name", "rank_no", NULL };
	static const char *const percent_names[] = { "percent", NULL };
	static const char *const min_names[] = { "min_order", NULL };
	static const char *const item_names[] = { "sku_code", "price", NULL };
	json_object	*o = json_object_new_object(), *add, *form;

	view_set_i64(o, "id", l->id);
	view_set_str(o, "name", l->name);
	view_set_i64(o, "customers", l->customers);
	view_set_bool(o, "in_use", l->customers > 0);
	if (l->percent_bp > 0) {
		view_set_i64(o, "percent_bp", l->percent_bp);
		view_set_str(o, "percent", fmt_percent(c->d.arena,
		    l->percent_bp));
	} else {
		view_set_str(o, "percent_bp", NULL);
		view_set_str(o, "percent", "");
	}
	view_set_money(c, o, "min_order", l->min_order_fen);
	view_set_bool(o, "has_min_order", l->min_order_fen > 0);
	/* The forms' values: as stored, or as typed when they failed. */
	form = json_object_new_object();
	view_set_str(form, "name", l->name);
	view_set_i64(form, "rank_no", l->rank_no);
	view_set_str(form, "percent", view_get_str(o, "percent"));
	view_set_str(form, "min_order", l->min_order_fen > 0 ?
	    fmt_yuan(c->d.arena, l->min_order_fen) : "");
	json_object_object_add(o, "form", form);
	view_set_i64(o, "nitems", l->nitems);
	view_set_bool(o, "has_items", l->nitems > 0);
	json_object_object_add(o, "items", item_rows(c, p, l));
	add = json_object_new_object();
	json_object_object_add(o, "item_new", add);
	if (is_failed(p, "level", l->id, 0)) {
		refill(c, form, level_names);
		view_set_bool(o, "rename_open", 1);
	} else if (is_failed(p, "percent", l->id, 0))
		refill(c, form, percent_names);
	else if (is_failed(p, "min_order", l->id, 0)) {
		refill(c, form, min_names);
		view_set_bool(o, "min_order_invalid", 1);
	} else if (is_failed(p, "item_new", l->id, 0))
		refill(c, add, item_names);
	view_set_str(o, "row_error", p->failed != NULL && p->level == l->id &&
	    p->sku == 0 ? failure(p) : NULL);
	return o;
}

static void
trace(json_object *rows, const char *what, const char *value)
{
	json_object	*o = json_object_new_object();

	view_set_str(o, "what", what);
	view_set_str(o, "value", value);
	json_object_array_add(rows, o);
}

static const char *
yuan(struct ctx *c, int64_t fen)
{
	return arena_printf(c->d.arena, "¥%s", fmt_yuan_grouped(c->d.arena,
	    fen));
}

/* Why the price check's answer is what it is, in one sentence. */
static const char *
check_why(struct ctx *c, const struct price_check *pc)
{
	const struct price_result	*r = &pc->out;
	struct arena			*a = c->d.arena;
	const char			*guest;

	guest = arena_printf(a, "%s %s", r->tier_source == PRICE_TIER ?
	    "数量对应的阶梯价" : "基础价（数量不够任何阶梯）",
	    yuan(c, r->tier_fen));
	if (pc->in.has_contract && pc->in.contract_binding)
		return arena_printf(a, "合同价是绑定价，不参与比价：按合同价 %s "
		    "计，游客买同样数量付%s。", yuan(c, pc->in.contract_fen),
		    guest);
	if (pc->customer == NULL)
		return arena_printf(a, "游客和无等级客户付%s。", guest);
	if (r->source == PRICE_TIER || r->source == PRICE_BASE)
		return arena_printf(a, "游客价是%s；客户的等级价和合同价都不比它"
		    "低，所以付游客价。", guest);
	return arena_printf(a, "游客价是%s；客户付游客价、会员等级价、合同价中"
	    "最低的一个：%s %s。", guest, price_source_label(r->source),
	    yuan(c, r->unit_fen));
}

/* The price check's answer, with the inputs it weighed in order. */
static json_object *
check_result(struct ctx *c, const struct price_check *pc)
{
	const struct price_input	*in = &pc->in;
	const struct price_result	*out = &pc->out;
	struct arena			*a = c->d.arena;
	json_object			*res = json_object_new_object(), *rows;
	int				 i;

	rows = json_object_new_array();
	trace(rows, "基础价", yuan(c, in->base_fen));
	for (i = 0; i < in->ntiers; i++)
		trace(rows, arena_printf(a, "阶梯价 ≥%" PRId64,
		    in->tiers[i].min_qty), yuan(c, in->tiers[i].price_fen));
	trace(rows, arena_printf(a, "游客价（数量 %" PRId64 "）", pc->qty),
	    yuan(c, out->tier_fen));
	if (pc->level != NULL && in->list_percent_bp > 0 &&
	    !in->has_list_price)
		trace(rows, arena_printf(a, "等级“%s”折扣", pc->level),
		    arena_printf(a, "游客价的 %s%% = %s", fmt_percent(a,
		    in->list_percent_bp), yuan(c, out->level_fen)));
	if (pc->level != NULL && in->has_list_price)
		trace(rows, arena_printf(a, "等级“%s”固定价%s", pc->level,
		    in->list_percent_bp > 0 ? "（代替折扣）" : ""),
		    yuan(c, in->list_price_fen));
	if (in->has_contract)
		trace(rows, in->contract_binding ? "客户合同价（绑定价）" :
		    "客户合同价", yuan(c, in->contract_fen));
	json_object_object_add(res, "trace", rows);
	if (pc->customer != NULL) {
		view_set_str(res, "customer", pc->customer);
		view_set_bool(res, "customer_disabled", pc->customer_disabled);
	}
	if (pc->level != NULL)
		view_set_str(res, "level", pc->level);
	view_set_str(res, "sku_code", pc->sku.code);
	view_set_str(res, "product", pc->sku.name);
	view_set_str(res, "spec", pc->sku.spec);
	view_set_str(res, "unit_name", pc->sku.unit);
	view_set_i64(res, "qty", pc->qty);
	view_set_i64(res, "unit_fen", out->unit_fen);
	view_set_str(res, "unit", fmt_yuan_grouped(a, out->unit_fen));
	view_set_str(res, "source", price_source_name(out->source));
	view_set_str(res, "source_label", price_source_label(out->source));
	view_set_i64(res, "guest_unit_fen", out->tier_fen);
	view_set_str(res, "guest_unit", fmt_yuan_grouped(a, out->tier_fen));
	view_set_bool(res, "binding", in->has_contract &&
	    in->contract_binding);
	view_set_str(res, "why", check_why(c, pc));
	view_set_str(res, "total", fmt_yuan_grouped(a,
	    price_line_total(out->unit_fen, pc->qty)));
	view_set_bool(res, "below_min", pc->qty < pc->sku.min_qty);
	view_set_i64(res, "min_qty", pc->sku.min_qty);
	return res;
}

/* The price check's panel: its form as asked, its answer or its error. */
static int
check_view(struct ctx *c, const struct ppage *p, json_object *v)
{
	static const char *const check_names[] = { "sku_code", "qty", NULL };
	struct price_customer	*cu;
	json_object		*ck, *rows, *row;
	const char		*sel = kv_get(&c->query, "customer_id"), *why;
	int64_t			 selected = 0;
	int			 i, n, rc;

	if ((rc = price_customers(&c->d, &cu, &n)) != 0)
		return rc;
	if (sel != NULL && parse_i64(sel, 1, INT64_MAX, &selected, &why) == -1)
		selected = 0;
	ck = json_object_new_object();
	if (p->check != NULL)
		json_object_object_add(ck, "result", check_result(c, p->check));
	refill(c, ck, check_names);
	if (is_failed(p, "check", 0, 0))
		view_set_str(ck, "error", failure(p));
	json_object_object_add(v, "check", ck);
	rows = json_object_new_array();
	for (i = 0; i < n; i++) {
		row = json_object_new_object();
		view_set_i64(row, "id", cu[i].id);
		view_set_str(row, "name", cu[i].name);
		view_set_bool(row, "selected", cu[i].id == selected);
		json_object_array_add(rows, row);
	}
	json_object_object_add(v, "check_customers", rows);
	view_set_bool(v, "check_customers_cut", n == PRICE_CHECK_CUSTOMERS);
	return 0;
}

static int
prices_page(struct ctx *c, const struct ppage *p)
{
	static const char *const new_names[] = { "name", "rank_no", NULL };
	struct member_level	*l;
	json_object		*v, *levels, *o;
	int			 i, n, rc;

	if ((rc = price_levels(&c->d, &l, &n)) != 0)
		return http_fail(c, rc, NULL);
	v = admin_view(c, "prices");
	view_set_bool(v, "can_write", session_staff_role(&c->d.sess,
	    ROLES_WRITE));
	levels = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(levels, level_row(c, p, &l[i]));
	view_set_bool(v, "no_levels", n == 0);
	json_object_object_add(v, "levels", levels);
	o = json_object_new_object();
	if (is_failed(p, "level_new", 0, 0)) {
		refill(c, o, new_names);
		view_set_str(v, "level_new_error", failure(p));
	}
	json_object_object_add(v, "level_new", o);
	if ((rc = check_view(c, p, v)) != 0)
		return http_fail(c, rc, NULL);
	c->title = "价格体系";
	return render(c, "admin/prices");
}

static int
h_prices(struct ctx *c)
{
	struct ppage	p;

	memset(&p, 0, sizeof(p));
	return prices_page(c, &p);
}

/* Re-render the page with a failed form; status from the error. */
static int
page_fail(struct ctx *c, struct ppage *p, int err)
{
	if (err == ERR_INTERNAL || err == ERR_FORBIDDEN)
		return http_fail(c, err, NULL);
	if (err == ERR_NOT_FOUND)
		return http_fail(c, err, p->error);
	c->status = err_status(err);
	if (c->json_out)
		return http_fail(c, err, failure(p));
	clog_info(&c->d, "prices refused form=%s level=%" PRId64 " status=%d "
	    "msg=\"%s\"", p->failed ? p->failed : "-", p->level, c->status,
	    failure(p) ? log_safe(c->d.arena, failure(p)) : "-");
	return prices_page(c, p);
}

/*
 * A domain function refused the write: on the field it names, that
 * field's error in the form; otherwise the page's.
 */
static int
domain_fail(struct ctx *c, struct ppage *p, int err, enum price_field bad)
{
	static const struct { const char *name, *label; } fields[] = {
		[PRICE_FIELD_NAME] = { "name", "等级名称" },
		[PRICE_FIELD_SKU] = { "sku_code", "SKU 编码" },
		[PRICE_FIELD_CUSTOMER] = { "customer_id", "客户" },
	};

	if (bad != PRICE_FIELD_NONE && p->f != NULL)
		form_error(c, p->f, fields[bad].name, fields[bad].label,
		    c->d.error);
	else
		p->error = c->d.error;
	return page_fail(c, p, err);
}

/* ---- the price check ---------------------------------------------- */

enum { K_CUSTOMER, K_SKU, K_QTY };
static const struct field check_fields[] = {
	[K_CUSTOMER] =	{ "customer_id", FIELD_ID, 0, 0, 0, "客户" },
	[K_SKU] =	{ "sku_code", FIELD_TEXT, FIELD_REQUIRED, 1, 64,
			  "SKU 编码" },
	[K_QTY] =	{ "qty", FIELD_INT, 0, 1, 10000000, "数量" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_price_check(struct ctx *c)
{
	struct price_check	 pc;
	enum price_field	 bad;
	struct ppage		 p;
	struct form		 f;
	int			 rc;

	memset(&p, 0, sizeof(p));
	/* A link for a company (价格核对 on its page): the form, to fill. */
	if (kv_get(&c->query, "sku_code") == NULL)
		return prices_page(c, &p);
	p.failed = "check";
	p.f = &f;
	if (form_parse(c, check_fields, &f) == -1)
		return page_fail(c, &p, ERR_INVALID);
	if ((rc = price_check(&c->d, f.v[K_SKU].s, f.v[K_CUSTOMER].present ?
	    f.v[K_CUSTOMER].i64 : 0, f.v[K_QTY].present ? f.v[K_QTY].i64 : 1,
	    &pc, &bad)) != 0)
		return domain_fail(c, &p, rc, bad);
	p.failed = NULL;
	p.check = &pc;
	return prices_page(c, &p);
}

/* ---- member levels ------------------------------------------------ */

enum { L_NAME, L_RANK };
static const struct field level_fields[] = {
	[L_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 40,
			  "等级名称" },
	[L_RANK] =	{ "rank_no", FIELD_INT, 0, 0, 9999, "排序" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/*
 * The start of every write to one level: clear the page and the form,
 * take the level id from the path (route capture 0), and say which form
 * answers if it fails. -1 when the path holds no level id.
 */
static int
level_begin(struct ctx *c, struct ppage *p, struct form *f,
    const char *failed)
{
	memset(p, 0, sizeof(*p));
	memset(f, 0, sizeof(*f));
	if (route_id(c, 0, &p->level) == -1)
		return -1;
	p->failed = failed;
	p->f = f;
	return 0;
}

static const char *
level_link(struct ctx *c, const char *done, int64_t level)
{
	return ctx_link(c, arena_printf(c->d.arena,
	    "/admin/prices?done=%s#level-%" PRId64, done, level));
}

static int
h_level_save(struct ctx *c)
{
	enum price_field bad;
	struct ppage	 p;
	struct form	 f;
	int64_t		 id;
	int		 rc, create = c->m.cap[0] == NULL;

	if (create) {
		memset(&p, 0, sizeof(p));
		p.failed = "level_new";
		p.f = &f;
	} else if (level_begin(c, &p, &f, "level") == -1)
		return http_fail(c, ERR_NOT_FOUND, "会员等级不存在");
	if (form_parse(c, level_fields, &f) == -1)
		return page_fail(c, &p, ERR_INVALID);
	if ((rc = price_level_save(&c->d, p.level, f.v[L_NAME].s,
	    f.v[L_RANK].present ? f.v[L_RANK].i64 : 0, &id, &bad)) != 0)
		return domain_fail(c, &p, rc, bad);
	return http_see_other(c, "%s", level_link(c, create ? "created" :
	    "saved", id));
}

static int
h_level_delete(struct ctx *c)
{
	struct ppage	 p;
	struct form	 f;
	int		 rc;

	if (level_begin(c, &p, &f, "level") == -1)
		return http_fail(c, ERR_NOT_FOUND, "会员等级不存在");
	p.f = NULL;
	if ((rc = price_level_delete(&c->d, p.level)) != 0)
		return domain_fail(c, &p, rc, PRICE_FIELD_NONE);
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/prices?done=deleted"));
}

/* ---- a level's price list ----------------------------------------- */

static const struct field percent_fields[] = {
	{ "percent", FIELD_TEXT, 0, 0, 12, "折扣百分比" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_list_percent(struct ctx *c)
{
	struct ppage	 p;
	struct form	 f;
	int64_t		 bp;
	int		 rc;

	if (level_begin(c, &p, &f, "percent") == -1)
		return http_fail(c, ERR_NOT_FOUND, "会员等级不存在");
	if (form_parse(c, percent_fields, &f) == -1)
		return page_fail(c, &p, ERR_INVALID);
	if (price_percent_parse(f.v[0].s, &bp) == -1) {
		form_error(c, &f, "percent", "折扣百分比",
		    "应为 0.01 到 1000 之间的数，最多两位小数，如 90 或 92.5");
		return page_fail(c, &p, ERR_INVALID);
	}
	if ((rc = price_list_percent(&c->d, p.level, bp)) != 0)
		return domain_fail(c, &p, rc, PRICE_FIELD_NONE);
	return http_see_other(c, "%s", level_link(c, "saved", p.level));
}

/* 起订金额 in yuan as parse_yuan() reads it; empty: none (0). */
static const struct field min_order_fields[] = {
	{ "min_order", FIELD_MONEY, 0, 0, PRICE_MAX_FEN, "起订金额" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_level_min_order(struct ctx *c)
{
	struct ppage	 p;
	struct form	 f;
	int		 rc;

	if (level_begin(c, &p, &f, "min_order") == -1)
		return http_fail(c, ERR_NOT_FOUND, "会员等级不存在");
	if (form_parse(c, min_order_fields, &f) == -1)
		return page_fail(c, &p, ERR_INVALID);
	if ((rc = price_level_min_order(&c->d, p.level, f.v[0].present ?
	    f.v[0].i64 : 0)) != 0)
		return domain_fail(c, &p, rc, PRICE_FIELD_NONE);
	return http_see_other(c, "%s", level_link(c, "saved", p.level));
}

enum { I_SKU, I_PRICE };
static const struct field item_fields[] = {
	[I_SKU] =	{ "sku_code", FIELD_TEXT, FIELD_REQUIRED, 1, 64,
			  "SKU 编码" },
	[I_PRICE] =	{ "price", FIELD_MONEY, FIELD_REQUIRED, 0,
			  PRICE_MAX_FEN, "价格" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field item_edit_fields[] = {
	{ "price", FIELD_MONEY, FIELD_REQUIRED, 0, PRICE_MAX_FEN, "价格" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_item_add(struct ctx *c)
{
	struct sku_brief s;
	enum price_field bad;
	struct ppage	 p;
	struct form	 f;
	int		 rc;

	if (level_begin(c, &p, &f, "item_new") == -1)
		return http_fail(c, ERR_NOT_FOUND, "会员等级不存在");
	/* Every bad field at once: the code is looked up even if the
	 * price is wrong. */
	form_parse(c, item_fields, &f);
	memset(&s, 0, sizeof(s));
	if (f.v[I_SKU].present && (rc = product_sku_by_code(&c->d,
	    f.v[I_SKU].s, &s)) != 0) {
		if (rc != ERR_NOT_FOUND)
			return http_fail(c, rc, NULL);
		form_error(c, &f, "sku_code", "SKU 编码", "本店没有这个编码");
	}
	if (f.error != NULL)
		return page_fail(c, &p, ERR_INVALID);
	if ((rc = price_item_add(&c->d, p.level, s.id, f.v[I_PRICE].i64,
	    &bad)) != 0)
		return domain_fail(c, &p, rc, bad);
	return http_see_other(c, "%s", level_link(c, "saved", p.level));
}

static int
h_item_edit(struct ctx *c)
{
	struct ppage	 p;
	struct form	 f;
	int		 rc, del = strstr(c->path, "/delete") != NULL;

	if (level_begin(c, &p, &f, "item") == -1 ||
	    route_id(c, 1, &p.sku) == -1)
		return http_fail(c, ERR_NOT_FOUND, "价格不存在");
	if (!del && form_parse(c, item_edit_fields, &f) == -1)
		return page_fail(c, &p, ERR_INVALID);
	rc = del ? price_item_delete(&c->d, p.level, p.sku) :
	    price_item_update(&c->d, p.level, p.sku, f.v[0].i64);
	if (rc != 0)
		return domain_fail(c, &p, rc, PRICE_FIELD_NONE);
	return http_see_other(c, "%s", level_link(c, del ? "deleted" :
	    "saved", p.level));
}

#define ID "([0-9]{1,18})"
const struct route h_admin_price_routes[] = {
	{ "GET", "^/admin/prices$", h_prices, ROUTE_STAFF, ROLES_READ },
	{ "GET", "^/admin/prices/check$", h_price_check, ROUTE_STAFF,
	  ROLES_READ },
	{ "POST", "^/admin/prices/levels$", h_level_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "$", h_level_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/delete$", h_level_delete,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/percent$", h_list_percent,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/min_order$",
	  h_level_min_order, ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/items$", h_item_add,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/items/" ID "$", h_item_edit,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", "^/admin/prices/levels/" ID "/items/" ID "/delete$",
	  h_item_edit, ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ NULL, NULL, NULL, 0, NULL }
};
