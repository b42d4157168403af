/*
 * h_admin_order_edit.c -- 调整订单 in the back office: the form of an
 * order still waiting for the shop (each line's quantity and unit price,
 * a box to remove it, rows to add a SKU by code, the reason), its
 * preview of the new totals, and the adjustment itself
 * (domain/order_edit.c decides everything). The form carries the
 * order's version and an idempotency key: a form sent twice, or one the
 * order changed under, changes nothing the second time. The form posts
 * "qty[<line id>]", "price[<line id>]" (yuan), "remove[<line id>]",
 * "add_code[<n>]", "add_qty[<n>]"; a JSON client sends "lines":
 * [{line_id, qty, unit_fen, remove}] and "add": [{code, qty}] instead.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/cart.h"
#include "domain/order.h"
#include "domain/order_edit.h"
#include "handlers/h_order.h"

#define ADD_ROWS	3		/* empty rows the form offers */
#define IDS_MAX		(2 * CART_LINES_MAX)	/* lines one request names */

enum { F_VERSION, F_REASON, F_PREVIEW };
static const struct field fields[] = {
	[F_VERSION] =	{ "version", FIELD_INT, FIELD_REQUIRED, 0, INT32_MAX,
			  "订单版本" },
	[F_REASON] =	{ "reason", FIELD_TEXT, 0, 0, ORDER_EDIT_REASON_MAX,
			  "调整原因" },
	[F_PREVIEW] =	{ "preview", FIELD_BOOL, 0, 0, 0, "预览" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* The request read: the domain's input and the names of its fields. */
struct input {
	struct form		 f;
	struct order_edit	 in;
	struct order_edit_line	*lines;
	struct order_edit_add	*adds;
	const char		**qty_name;	/* by index in lines */
	const char		**price_name;
	const char		**code_name;	/* by index in adds */
	const char		**add_qty_name;
	const char		*code;		/* the first refusal's */
};

static const char *
trimmed(struct ctx *c, const char *s)
{
	char	*t, *e;

	if (s == NULL)
		return NULL;
	while (isspace((unsigned char)*s))
		s++;
	t = arena_strdup(c->d.arena, s);
	for (e = t + strlen(t); e > t && isspace((unsigned char)e[-1]); )
		*--e = '\0';
	return t;
}

static void
bad(struct ctx *c, struct input *x, const char *code, const char *name,
    const char *label, const char *why)
{
	if (x->code == NULL)
		x->code = code;
	form_error(c, &x->f, name, label, why);
}

/* A quantity typed for a line or a row: 1..CART_QTY_MAX, or 0 refused. */
static int64_t
qty_of(struct ctx *c, struct input *x, const char *s, const char *name,
    const char *label)
{
	int64_t	q;

	if (s == NULL || *s == '\0') {
		bad(c, x, "qty_invalid", name, label, "请填写数量");
		return 0;
	}
	if (line_qty_parse(s, &q) != LINE_OK) {
		bad(c, x, "qty_invalid", name, label,
		    "应为 1 到 1000000 之间的整数");
		return 0;
	}
	return q;
}

/* A unit price in yuan as typed; -1: none typed (as it is). */
static int64_t
price_of(struct ctx *c, struct input *x, const char *s, const char *name)
{
	const char	*why;
	int64_t		 fen = 0;

	if (s == NULL || *s == '\0')
		return -1;
	if (parse_yuan(s, &fen, &why) == -1) {
		bad(c, x, "price_invalid", name, "单价", why);
		return -1;
	}
	if (fen > ORDER_EDIT_PRICE_MAX) {
		bad(c, x, "price_invalid", name, "单价",
		    "应在 0 到 10000000 元之间");
		return -1;
	}
	return fen;
}

static int
truthy(const char *s)
{
	return s != NULL && (strcmp(s, "1") == 0 || strcmp(s, "on") == 0 ||
	    strcmp(s, "true") == 0);
}

/* The line of id among those read so far, or a new one; NULL: too many. */
static struct order_edit_line *
line_slot(struct input *x, int64_t id)
{
	int	i;

	for (i = 0; i < x->in.nlines; i++)
		if (x->lines[i].line_id == id)
			return &x->lines[i];
	if (x->in.nlines == IDS_MAX)
		return NULL;
	x->lines[i].line_id = id;
	x->lines[i].unit_fen = -1;
	x->in.nlines++;
	return &x->lines[i];
}

/* "qty[12]" -> 12 when name is "qty[<id>]"; 0 otherwise. */
static int64_t
bracket_id(struct ctx *c, const char *name, const char *key)
{
	size_t		 n = strlen(key);
	const char	*err;
	int64_t		 id;

	if (strncmp(name, key, n) != 0 || name[n] != '[')
		return 0;
	if (parse_i64(arena_strndup(c->d.arena, name + n + 1,
	    strcspn(name + n + 1, "]")), 1, INT64_MAX, &id, &err) == -1)
		return 0;
	return id;
}

/* The form's lines: qty[], price[] and remove[] by line id. */
static int
form_lines(struct ctx *c, struct input *x)
{
	struct order_edit_line	*l;
	const char		*name, *s;
	int64_t			 id;
	int			 i, k;

	for (i = 0; i < c->form.n; i++) {
		name = c->form.v[i].name;
		if ((id = bracket_id(c, name, "qty")) == 0 &&
		    (id = bracket_id(c, name, "price")) == 0 &&
		    (id = bracket_id(c, name, "remove")) == 0)
			continue;
		if (line_slot(x, id) == NULL) {
			bad(c, x, "invalid", "lines", "商品", "行数过多");
			return -1;
		}
	}
	for (k = 0; k < x->in.nlines; k++) {
		l = &x->lines[k];
		x->qty_name[k] = arena_printf(c->d.arena, "qty[%" PRId64 "]",
		    l->line_id);
		x->price_name[k] = arena_printf(c->d.arena, "price[%" PRId64
		    "]", l->line_id);
		l->remove = truthy(kv_get(&c->form, arena_printf(c->d.arena,
		    "remove[%" PRId64 "]", l->line_id)));
		s = trimmed(c, kv_get(&c->form, x->qty_name[k]));
		if (!l->remove && s != NULL)
			l->qty = qty_of(c, x, s, x->qty_name[k], "数量");
		l->unit_fen = l->remove ? -1 : price_of(c, x, trimmed(c,
		    kv_get(&c->form, x->price_name[k])), x->price_name[k]);
	}
	return 0;
}

/* The form's rows to add: add_code[n] with add_qty[n]; blank rows skip. */
static void
form_adds(struct ctx *c, struct input *x)
{
	const char	*code, *qty, *cn, *qn;
	int		 n;

	for (n = 1; n <= ORDER_EDIT_ADD_MAX; n++) {
		cn = arena_printf(c->d.arena, "add_code[%d]", n);
		qn = arena_printf(c->d.arena, "add_qty[%d]", n);
		code = trimmed(c, kv_get(&c->form, cn));
		qty = trimmed(c, kv_get(&c->form, qn));
		if ((code == NULL || *code == '\0') &&
		    (qty == NULL || *qty == '\0'))
			continue;
		if (code == NULL || *code == '\0') {
			bad(c, x, "invalid", cn, "新增商品", "请填写商品编码");
			continue;
		}
		x->code_name[x->in.nadds] = cn;
		x->add_qty_name[x->in.nadds] = qn;
		x->adds[x->in.nadds].code = code;
		x->adds[x->in.nadds].qty = qty_of(c, x, qty, qn, "新增数量");
		x->in.nadds++;
	}
}

/* A JSON member as text (numbers and booleans as JSON writes them). */
static const char *
member(json_object *o, const char *key)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array))
		return "";
	return json_object_get_string(v);
}

/* The JSON body's "lines": [{line_id, qty, unit_fen, remove}]. */
static int
json_lines(struct ctx *c, struct input *x, json_object *a)
{
	struct order_edit_line	*l;
	json_object		*e;
	const char		*s, *err, *name;
	size_t			 i, n = json_object_array_length(a);
	int64_t			 id, fen;
	int			 k;

	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		name = arena_printf(c->d.arena, "lines[%zu]", i);
		if (!json_object_is_type(e, json_type_object) ||
		    parse_i64(member(e, "line_id"), 1, INT64_MAX, &id,
		    &err) == -1) {
			bad(c, x, "invalid", name, "商品", "应有 line_id");
			continue;
		}
		k = x->in.nlines;
		if ((l = line_slot(x, id)) == NULL) {
			bad(c, x, "invalid", "lines", "商品", "行数过多");
			return -1;
		}
		if (x->in.nlines == k) {
			bad(c, x, "invalid", name, "商品", "同一行出现了两次");
			continue;
		}
		x->qty_name[x->in.nlines - 1] = arena_printf(c->d.arena,
		    "%s.qty", name);
		x->price_name[x->in.nlines - 1] = arena_printf(c->d.arena,
		    "%s.unit_fen", name);
		l->remove = truthy(member(e, "remove"));
		if (!l->remove && (s = member(e, "qty")) != NULL)
			l->qty = qty_of(c, x, s, x->qty_name[x->in.nlines - 1],
			    "数量");
		if (!l->remove && (s = member(e, "unit_fen")) != NULL) {
			if (parse_i64(s, 0, ORDER_EDIT_PRICE_MAX, &fen,
			    &err) == -1)
				bad(c, x, "price_invalid",
				    x->price_name[x->in.nlines - 1], "单价",
				    "单价应为 0 到 1000000000 分之间的整数");
			else
				l->unit_fen = fen;
		}
	}
	return 0;
}

/* The JSON body's "add": [{code, qty}]. */
static void
json_adds(struct ctx *c, struct input *x, json_object *a)
{
	json_object	*e;
	const char	*name;
	size_t		 i, n = json_object_array_length(a);

	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		name = arena_printf(c->d.arena, "add[%zu]", i);
		if (x->in.nadds == ORDER_EDIT_ADD_MAX) {
			bad(c, x, "invalid", "add", "新增商品",
			    "一次最多新增 10 种商品");
			return;
		}
		if (!json_object_is_type(e, json_type_object) ||
		    member(e, "code") == NULL || *member(e, "code") == '\0') {
			bad(c, x, "invalid", name, "新增商品", "请填写商品编码");
			continue;
		}
		x->code_name[x->in.nadds] = arena_printf(c->d.arena, "%s.code",
		    name);
		x->add_qty_name[x->in.nadds] = arena_printf(c->d.arena,
		    "%s.qty", name);
		x->adds[x->in.nadds].code = trimmed(c, member(e, "code"));
		x->adds[x->in.nadds].qty = qty_of(c, x, member(e, "qty"),
		    x->add_qty_name[x->in.nadds], "新增数量");
		x->in.nadds++;
	}
}

/* The whole request into x; -1 with x->f.error naming what is wrong. */
static int
input_read(struct ctx *c, struct input *x)
{
	json_object	*a;
	int		 rc = 0;

	memset(x, 0, sizeof(*x));
	x->lines = arena_calloc(c->d.arena, IDS_MAX + 1, sizeof(*x->lines));
	x->adds = arena_calloc(c->d.arena, ORDER_EDIT_ADD_MAX + 1,
	    sizeof(*x->adds));
	x->qty_name = arena_calloc(c->d.arena, IDS_MAX + 1, sizeof(char *));
	x->price_name = arena_calloc(c->d.arena, IDS_MAX + 1, sizeof(char *));
	x->code_name = arena_calloc(c->d.arena, ORDER_EDIT_ADD_MAX + 1,
	    sizeof(char *));
	x->add_qty_name = arena_calloc(c->d.arena, ORDER_EDIT_ADD_MAX + 1,
	    sizeof(char *));
	if (form_parse(c, fields, &x->f) == -1)
		x->code = "invalid";
	if (c->json != NULL) {
		if (json_object_object_get_ex(c->json, "lines", &a) && a !=
		    NULL) {
			if (!json_object_is_type(a, json_type_array))
				bad(c, x, "invalid", "lines", "商品", "应为数组");
			else
				rc = json_lines(c, x, a);
		}
		if (rc == 0 && json_object_object_get_ex(c->json, "add", &a) &&
		    a != NULL) {
			if (!json_object_is_type(a, json_type_array))
				bad(c, x, "invalid", "add", "新增商品",
				    "应为数组");
			else
				json_adds(c, x, a);
		}
	} else if ((rc = form_lines(c, x)) == 0)
		form_adds(c, x);
	x->in.version = x->f.v[F_VERSION].i64;
	x->in.reason = x->f.v[F_REASON].s;
	x->in.preview = x->f.v[F_PREVIEW].i64 != 0;
	x->in.lines = x->lines;
	x->in.adds = x->adds;
	return rc != 0 || x->f.error != NULL ? -1 : 0;
}

/* The domain's refusal of one input as that input's form error. */
static void
domain_errors(struct ctx *c, struct input *x, const struct field_errors *fe)
{
	const struct field_error	*e;
	const char			*name;
	int				 i;

	for (i = 0; i < fe->n; i++) {
		e = &fe->v[i];
		name = NULL;
		switch (e->field) {
		case EDIT_LINE:
		case EDIT_QTY:
			name = e->row >= 0 ? x->qty_name[e->row] : "lines";
			break;
		case EDIT_PRICE:
			name = e->row >= 0 ? x->price_name[e->row] : NULL;
			break;
		case EDIT_ADD_CODE:
			name = e->row >= 0 ? x->code_name[e->row] : "add";
			break;
		case EDIT_ADD_QTY:
			name = e->row >= 0 ? x->add_qty_name[e->row] : NULL;
			break;
		case EDIT_REASON:
			name = "reason";
			break;
		case EDIT_VERSION:
			name = "version";
			break;
		}
		if (name != NULL)
			form_error(c, &x->f, name, "", e->why);
	}
}

/* The rules of a line's SKU, for staff: minimum, whole cases, stock. */
static const char *
rule_text(struct ctx *c, const struct order_edit_sku *k, const char *unit)
{
	const char	*s = arena_printf(c->d.arena, "可用库存 %" PRId64 " %s",
			    k->stock, unit);

	if (k->min_qty > 1)
		s = arena_printf(c->d.arena, "%s · 起订 %" PRId64, s,
		    k->min_qty);
	if (k->pack_only && k->pack_size > 1)
		s = arena_printf(c->d.arena, "%s · 整箱 %" PRId64 "/箱", s,
		    k->pack_size);
	return s;
}

static const char *
err_of(json_object *errs, const char *name)
{
	return errs != NULL ? view_get_str(errs, name) : NULL;
}

/* The form's rows: each line as typed (typed) or as it is. */
static json_object *
rows_view(struct ctx *c, const struct order *o,
    const struct order_edit_sku *skus, int typed, json_object *errs)
{
	const struct order_line_row	*l;
	json_object			*a = json_object_new_array(), *v;
	const char			*q, *p, *r;
	int				 i;

	for (i = 0; i < o->nlines; i++) {
		l = &o->lines[i];
		q = arena_printf(c->d.arena, "qty[%" PRId64 "]", l->id);
		p = arena_printf(c->d.arena, "price[%" PRId64 "]", l->id);
		r = arena_printf(c->d.arena, "remove[%" PRId64 "]", l->id);
		v = json_object_new_object();
		view_set_i64(v, "id", l->id);
		view_set_i64(v, "line_no", l->line_no);
		view_set_str(v, "name", l->name);
		view_set_str(v, "spec", l->spec && *l->spec ? l->spec : NULL);
		view_set_str(v, "sku_code", l->sku_code);
		view_set_str(v, "unit", l->unit);
		view_set_i64(v, "qty", l->qty);
		view_set_money(c, v, "unit_price", l->unit_fen);
		view_set_money(c, v, "line_total", l->line_fen);
		view_set_str(v, "qty_value", typed && kv_get(&c->form, q) ?
		    kv_get(&c->form, q) : arena_printf(c->d.arena, "%" PRId64,
		    l->qty));
		view_set_str(v, "price_value", typed && kv_get(&c->form, p) ?
		    kv_get(&c->form, p) : fmt_yuan(c->d.arena, l->unit_fen));
		view_set_bool(v, "remove", typed &&
		    truthy(kv_get(&c->form, r)));
		if (skus[i].line_id == l->id)
			view_set_str(v, "rules", rule_text(c, &skus[i],
			    l->unit));
		view_set_bool(v, "changed", l->changed);
		view_set_bool(v, "added", l->added);
		view_set_str(v, "qty_error", err_of(errs, q));
		view_set_str(v, "price_error", err_of(errs, p));
		json_object_array_add(a, v);
	}
	return a;
}

static json_object *
adds_view(struct ctx *c, int typed, json_object *errs)
{
	json_object	*a = json_object_new_array(), *v;
	const char	*cn, *qn;
	int		 n, rows = ADD_ROWS;

	/* A form sent with more rows than offered keeps them. */
	for (n = ADD_ROWS + 1; typed && n <= ORDER_EDIT_ADD_MAX; n++)
		if (kv_get(&c->form, arena_printf(c->d.arena, "add_code[%d]",
		    n)) != NULL)
			rows = n;
	for (n = 1; n <= rows; n++) {
		cn = arena_printf(c->d.arena, "add_code[%d]", n);
		qn = arena_printf(c->d.arena, "add_qty[%d]", n);
		v = json_object_new_object();
		view_set_i64(v, "n", n);
		view_set_str(v, "code", typed ? kv_get(&c->form, cn) : NULL);
		view_set_str(v, "qty", typed ? kv_get(&c->form, qn) : NULL);
		view_set_str(v, "code_error", err_of(errs, cn));
		view_set_str(v, "qty_error", err_of(errs, qn));
		json_object_array_add(a, v);
	}
	return a;
}

/* What an adjustment made or would make, for the page and JSON. */
static json_object *
result_view(struct ctx *c, const struct order_edited *r, int preview)
{
	json_object	*v = json_object_new_object(), *w;
	int		 i;

	view_set_bool(v, "preview", preview);
	view_set_i64(v, "version", r->version);
	view_set_str(v, "summary", r->summary);
	view_set_money(c, v, "old_total", r->old_total_fen);
	view_set_money(c, v, "subtotal", r->subtotal_fen);
	view_set_money(c, v, "tax", r->tax_fen);
	view_set_money(c, v, "total", r->total_fen);
	view_set_i64(v, "line_count", r->line_count);
	view_set_str(v, "difference", arena_printf(c->d.arena, "%s¥%s",
	    r->total_fen >= r->old_total_fen ? "+" : "-", fmt_yuan_grouped(
	    c->d.arena, r->total_fen >= r->old_total_fen ? r->total_fen -
	    r->old_total_fen : r->old_total_fen - r->total_fen)));
	w = json_object_new_array();
	for (i = 0; i < r->nwarnings; i++)
		json_object_array_add(w, json_object_new_string(
		    r->warnings[i]));
	json_object_object_add(v, "warnings", w);
	view_set_bool(v, "any_warnings", r->nwarnings > 0);
	return v;
}

/*
 * The adjust page of the route's order: as typed (typed, with the
 * form's errors) or as the order is; error above it, a preview's result
 * in it; status for a refusal.
 */
static int
form_page(struct ctx *c, int typed, const char *error, int status,
    json_object *result)
{
	struct order_edit_sku	*skus;
	struct order		 o;
	json_object		*v, *ov;
	json_object		*errs = typed ? c->form_errors : NULL;
	int64_t			 id = route_cap(c, 0);
	const char		*reason = typed ? kv_get(&c->form, "reason") :
				    NULL;
	int			 rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "订单不存在");
	if ((rc = order_edit_form(&c->d, id, &o, &skus)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "orders");
	ov = h_order_detail_view(c, &o, "/admin/orders", 0);
	view_set_i64(ov, "version", o.version);
	json_object_object_add(ov, "rows", rows_view(c, &o, skus, typed,
	    errs));
	json_object_object_add(ov, "adds", adds_view(c, typed, errs));
	json_object_object_add(v, "order", ov);
	view_set_bool(v, "editable", order_edit_may(&c->d.sess, o.state));
	view_set_str(v, "locked", order_edit_may(&c->d.sess, o.state) ? NULL :
	    arena_printf(c->d.arena, "订单当前为「%s」，只有待审批或待确认的"
	    "订单可以调整", order_state_label(o.state)));
	view_set_str(v, "reason", reason);
	view_set_str(v, "reason_error", err_of(errs, "reason"));
	view_set_i64(v, "reason_max", ORDER_EDIT_REASON_MAX);
	view_set_str(v, "error", error);
	if (result != NULL)
		json_object_object_add(v, "result", result);
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64 "/adjust", o.id)));
	view_set_str(v, "back_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64, o.id)));
	view_set_str(v, "orders_url", ctx_link(c, "/admin/orders"));
	c->title = arena_printf(c->d.arena, "调整订单 %s", o.order_no);
	if (status != 0)
		c->status = status;
	return render(c, "admin/order_adjust");
}

static int
h_adjust_show(struct ctx *c)
{
	return form_page(c, 0, NULL, 0, NULL);
}

/*
 * A refusal: JSON says why with the fields; the page shows the form
 * again, as typed, or as the order now is when it changed under the
 * form (stale, or no longer waiting). Another shop's order is the error
 * page, as any order that is not there.
 */
static int
refused(struct ctx *c, int rc, const char *why)
{
	int	fresh;

	clog_info(&c->d, "order adjust refused code=%s msg=\"%s\"",
	    c->d.code ? c->d.code : err_code(rc), why ? why : "");
	if (c->json_out || rc == ERR_INTERNAL || rc == ERR_FORBIDDEN ||
	    (rc == ERR_NOT_FOUND && (c->d.code == NULL ||
	    strcmp(c->d.code, "sku_unavailable") != 0)))
		return http_fail(c, rc, why);
	fresh = c->d.code != NULL && (strcmp(c->d.code, "order_stale") == 0 ||
	    strcmp(c->d.code, "order_state") == 0);
	return form_page(c, !fresh, why, err_status(rc), NULL);
}

static int
h_adjust(struct ctx *c)
{
	struct field_errors	 fe;
	struct order_edited	 out;
	struct input		 x;
	json_object		*r;
	int64_t			 id = route_cap(c, 0);
	int			 rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "订单不存在");
	if (input_read(c, &x) == -1) {
		c->d.code = x.code;
		return refused(c, ERR_INVALID, x.f.error);
	}
	memset(&fe, 0, sizeof(fe));
	if ((rc = order_edit(&c->d, id, &x.in, &out, &fe)) != 0) {
		domain_errors(c, &x, &fe);
		return refused(c, rc, c->d.error);
	}
	r = result_view(c, &out, x.in.preview);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", id);
		json_object_object_add(c->view, "adjustment", r);
		return render_json_ok(c, 200);
	}
	if (x.in.preview)
		return form_page(c, 1, NULL, 0, r);
	json_object_put(r);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/orders/%" PRId64 "?done=%s", id, out.nwarnings > 0 ?
	    "adjusted_warn" : "adjusted")));
}

const struct route h_admin_order_edit_routes[] = {
	{ "GET", "^/admin/orders/([0-9]{1,18})/adjust$", h_adjust_show,
	  ROUTE_STAFF, ORDER_EDIT_ROLES },
	{ "POST", "^/admin/orders/([0-9]{1,18})/adjust$", h_adjust,
	  ROUTE_STAFF | ROUTE_CSRF, ORDER_EDIT_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
