/*
 * h_admin_inquiry.c -- 询价 in the back office (list, one inquiry with its
 * products' prices today, assign, answer with quotes, close) and the
 * customer's read-only view of their company's inquiries. Times are stored
 * in UTC and shown in China Standard Time (UTC+8, no DST).
 */
#include "dinghuo.h"

#define PER_PAGE	20
#define QUOTE_MAX	(10000000LL * 100)	/* fen: ten million yuan */

/* created_at and answered_at as Asia/Shanghai wall-clock time. */
#define LOCAL(col)	"DATE_FORMAT(" col " + INTERVAL 8 HOUR, " \
			"'%Y-%m-%d %H:%i')"

/* The products asked about, as a JSON array, for one inquiry row i. */
#define ITEMS_JSON \
    "(SELECT JSON_ARRAYAGG(JSON_OBJECT('name', COALESCE(p.name, ''), " \
    "'unit', COALESCE(p.unit, ''), 'qty', it.qty, " \
    "'quote', it.quoted_price_fen) ORDER BY it.id) " \
    "FROM inquiry_item it LEFT JOIN product p ON p.id = it.product_id " \
    "AND p.shop_id = i.shop_id WHERE it.inquiry_id = i.id)"

/* Filters are bound as values: '' or 0 switch one off. */
#define LIST_WHERE \
    "WHERE i.shop_id = ? AND (? = '' OR i.status = ?) " \
    "AND (? = 0 OR i.assigned_staff_id = ?) " \
    "AND (? = '' OR i.contact_name LIKE ? OR i.contact_phone LIKE ? " \
    "OR i.company LIKE ?) "

static const char sql_count[] =
    "SELECT COUNT(*) FROM inquiry i " LIST_WHERE;
static const char sql_list[] =
    "SELECT i.id, " LOCAL("i.created_at") ", i.contact_name, "
    "i.contact_phone, i.company, i.status, s.name, " ITEMS_JSON ", "
    "LEFT(i.message, 40), i.customer_user_id IS NOT NULL "
    "FROM inquiry i LEFT JOIN staff s ON s.id = i.assigned_staff_id "
    LIST_WHERE "ORDER BY i.created_at DESC, i.id DESC LIMIT ? OFFSET ?";
static const char sql_one[] =
    "SELECT i.id, " LOCAL("i.created_at") ", i.contact_name, "
    "i.contact_phone, i.company, i.message, i.status, "
    "i.assigned_staff_id, s.name, i.answer, " LOCAL("i.answered_at") ", "
    "cu.name, cu.phone, cust.id, cust.name "
    "FROM inquiry i LEFT JOIN staff s ON s.id = i.assigned_staff_id "
    "LEFT JOIN customer_user cu ON cu.id = i.customer_user_id "
    "AND cu.shop_id = i.shop_id "
    "LEFT JOIN customer cust ON cust.id = cu.customer_id "
    "WHERE i.id = ? AND i.shop_id = ?";
static const char sql_items[] =
    "SELECT it.id, it.product_id, COALESCE(it.sku_id, 0), p.name, p.code, "
    "p.unit, it.qty, it.quoted_price_fen, p.on_shelf "
    "FROM inquiry_item it JOIN inquiry i ON i.id = it.inquiry_id "
    "LEFT JOIN product p ON p.id = it.product_id AND p.shop_id = i.shop_id "
    "WHERE it.inquiry_id = ? AND i.shop_id = ? ORDER BY it.id";
/* The SKUs of each item's product (or the one it names) as they are now,
 * with their tiers, ordered by item. */
static const char sql_skus[] =
    "SELECT it.id, s.id, s.code, s.spec, s.unit, s.min_qty, s.stock, "
    "s.price_fen, s.retail_price_fen, (SELECT JSON_ARRAYAGG(JSON_OBJECT("
    "'q', t.min_qty, 'p', t.price_fen) ORDER BY t.min_qty) "
    "FROM price_tier t WHERE t.sku_id = s.id) "
    "FROM inquiry_item it JOIN inquiry i ON i.id = it.inquiry_id "
    "JOIN sku s ON s.product_id = it.product_id AND s.shop_id = i.shop_id "
    "AND (it.sku_id IS NULL OR it.sku_id = s.id) "
    "WHERE it.inquiry_id = ? AND i.shop_id = ? ORDER BY it.id, s.sort, s.id";
static const char sql_staff[] =
    "SELECT id, name, role FROM staff WHERE shop_id = ? "
    "AND status = 'active' ORDER BY id";
static const char sql_lock[] =
    "SELECT status FROM inquiry WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_staff_one[] =
    "SELECT id FROM staff WHERE id = ? AND shop_id = ? "
    "AND status = 'active'";
static const char sql_assign[] =
    "UPDATE inquiry SET assigned_staff_id = ? WHERE id = ? AND shop_id = ?";
static const char sql_answer[] =
    "UPDATE inquiry SET answer = ?, status = 'answered', "
    "answered_at = NOW(3), "
    "assigned_staff_id = COALESCE(assigned_staff_id, ?) "
    "WHERE id = ? AND shop_id = ?";
static const char sql_quote[] =
    "UPDATE inquiry_item SET quoted_price_fen = ? "
    "WHERE id = ? AND inquiry_id = ?";
static const char sql_close[] =
    "UPDATE inquiry SET status = 'closed' WHERE id = ? AND shop_id = ?";

/* A customer's company's inquiries: those any of its users sent. */
#define MINE_WHERE \
    "WHERE i.shop_id = ? AND i.customer_user_id IN (SELECT cu.id " \
    "FROM customer_user cu WHERE cu.shop_id = ? AND cu.customer_id = ?) "
static const char sql_mine_count[] =
    "SELECT COUNT(*) FROM inquiry i " MINE_WHERE;
static const char sql_mine[] =
    "SELECT i.id, " LOCAL("i.created_at") ", i.contact_name, i.status, "
    "i.message, i.answer, " LOCAL("i.answered_at") ", " ITEMS_JSON " "
    "FROM inquiry i " MINE_WHERE "ORDER BY i.id DESC LIMIT ? OFFSET ?";
static const char sql_mine_one[] =
    "SELECT i.id, " LOCAL("i.created_at") ", i.contact_name, i.status, "
    "i.message, i.answer, " LOCAL("i.answered_at") ", " ITEMS_JSON " "
    "FROM inquiry i " MINE_WHERE "AND i.id = ?";

static const struct {
	const char	*status;
	const char	*label;
	const char	*badge;
} statuses[] = {
	{ "open", "待处理", "warn" },
	{ "answered", "已回复", "on" },
	{ "closed", "已关闭", "" },
};

static void
status_view(json_object *o, const char *status)
{
	size_t	i;

	view_set_str(o, "status", status);
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(status, statuses[i].status) == 0) {
			view_set_str(o, "status_label", statuses[i].label);
			view_set_str(o, "badge", statuses[i].badge);
		}
	view_set_bool(o, "is_open", strcmp(status, "open") == 0);
	view_set_bool(o, "is_closed", strcmp(status, "closed") == 0);
}

/* The route's id capture; 0 if it is not one (the caller answers 404). */
static int64_t
cap_id(struct ctx *c)
{
	int64_t	id;

	return route_id(c, 0, &id) == 0 ? id : 0;
}

/* ITEMS_JSON's array as the view's items: name, unit, qty, quote. */
static json_object *
items_view(struct ctx *c, const char *text)
{
	json_object	*in, *out = json_object_new_array(), *e, *o, *q;
	size_t		 i, n;

	if (text == NULL || (in = json_tokener_parse(text)) == NULL)
		return out;
	n = json_object_is_type(in, json_type_array) ?
	    json_object_array_length(in) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(in, i);
		o = json_object_new_object();
		view_set_str(o, "name", json_object_get_string(
		    json_object_object_get(e, "name")));
		view_set_str(o, "unit", json_object_get_string(
		    json_object_object_get(e, "unit")));
		view_set_i64(o, "qty", json_object_get_int64(
		    json_object_object_get(e, "qty")));
		q = json_object_object_get(e, "quote");
		if (q != NULL && !json_object_is_type(q, json_type_null))
			view_set_str(o, "quote", fmt_yuan(c->d.arena,
			    json_object_get_int64(q)));
		json_object_array_add(out, o);
	}
	json_object_put(in);
	return out;
}

static void
filter_tabs(struct ctx *c, json_object *v, const char *status, int mine,
    const char *q)
{
	static const char *const tabs[][2] = {
		{ "open", "待处理" }, { "answered", "已回复" },
		{ "closed", "已关闭" }, { "all", "全部" },
	};
	json_object	*rows = json_object_new_array(), *o;
	size_t		 i;

	for (i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		o = json_object_new_object();
		view_set_str(o, "label", tabs[i][1]);
		view_set_str(o, "value", tabs[i][0]);
		view_set_bool(o, "active", strcmp(status, tabs[i][0]) == 0);
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/admin/inquiries?status=%s%s%s%s", tabs[i][0],
		    mine ? "&mine=1" : "", *q ? "&q=" : "",
		    url_encode(c->d.arena, q))));
		json_object_array_add(rows, o);
	}
	json_object_object_add(v, "tabs", rows);
}

static json_object *
list_row(struct ctx *c, const struct db_res *r, int i)
{
	json_object	*o = json_object_new_object();
	int64_t		 id = db_cell_i64(r, i, 0);

	view_set_i64(o, "id", id);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/inquiries/%" PRId64, id)));
	view_set_str(o, "time", db_cell(r, i, 1));
	view_set_str(o, "contact_name", db_cell(r, i, 2));
	view_set_str(o, "contact_phone", db_cell(r, i, 3));
	view_set_str(o, "company", db_cell(r, i, 4));
	status_view(o, db_cell(r, i, 5));
	view_set_str(o, "assignee", db_cell(r, i, 6));
	json_object_object_add(o, "items", items_view(c, db_cell(r, i, 7)));
	view_set_str(o, "message", db_cell(r, i, 8));
	view_set_bool(o, "customer", db_cell_i64(r, i, 9));
	return o;
}

static int
h_admin_inquiry_list(struct ctx *c)
{
	struct db_res	*r;
	json_object	*v, *rows;
	const char	*status = kv_get(&c->query, "status");
	const char	*q = kv_get(&c->query, "q"), *st, *like;
	int64_t		 me = c->d.sess.user_id, off;
	int		 mine, i;

	if (status == NULL || (strcmp(status, "answered") != 0 &&
	    strcmp(status, "closed") != 0 && strcmp(status, "all") != 0))
		status = "open";
	st = strcmp(status, "all") == 0 ? "" : status;
	mine = kv_get(&c->query, "mine") != NULL &&
	    strcmp(kv_get(&c->query, "mine"), "1") == 0;
	if (q == NULL)
		q = "";
	if (strlen(q) > 100)
		return http_fail(c, ERR_INVALID, "搜索词太长（最多 100 个字符）");
	like = like_pattern(c->d.arena, q);
	if (db_run(c->d.arena, &r, sql_count, "issiissss", c->d.shop->id, st, st,
	    (int64_t)mine, me, q, like, like, like) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = admin_view(c, "inquiries");
	off = view_pager(c, v, db_cell_i64(r, 0, 0), PER_PAGE,
	    arena_printf(c->d.arena, "/admin/inquiries?status=%s%s&q=%s",
	    status, mine ? "&mine=1" : "", url_encode(c->d.arena, q)));
	if (db_run(c->d.arena, &r, sql_list, "issiissssii", c->d.shop->id, st, st,
	    (int64_t)mine, me, q, like, like, like, (int64_t)PER_PAGE,
	    off) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	rows = json_object_new_array();
	for (i = 0; i < r->nrows; i++)
		json_object_array_add(rows, list_row(c, r, i));
	json_object_object_add(v, "inquiries", rows);
	filter_tabs(c, v, status, mine, q);
	view_set_str(v, "status", status);
	view_set_bool(v, "mine", mine);
	view_set_str(v, "q", q);
	view_set_bool(v, "filtered", mine || *q);
	view_set_str(v, "action", ctx_link(c, "/admin/inquiries"));
	c->title = "询价";
	return render(c, "admin/inquiries");
}

/* A SKU row of sql_skus as staff see it while quoting: base price,
 * tiers, retail price, as they stand now. */
static json_object *
sku_view(struct ctx *c, const struct db_res *r, int i)
{
	json_object	*o = json_object_new_object(), *in, *tiers, *t, *e;
	size_t		 k, n;

	view_set_i64(o, "id", db_cell_i64(r, i, 1));
	view_set_str(o, "code", db_cell(r, i, 2));
	view_set_str(o, "spec", *db_cell(r, i, 3) ? db_cell(r, i, 3) : "默认");
	view_set_str(o, "unit", db_cell(r, i, 4));
	view_set_i64(o, "min_qty", db_cell_i64(r, i, 5));
	view_set_i64(o, "stock", db_cell_i64(r, i, 6));
	view_set_str(o, "price", fmt_yuan(c->d.arena, db_cell_i64(r, i, 7)));
	view_set_i64(o, "price_fen", db_cell_i64(r, i, 7));
	if (db_cell(r, i, 8) != NULL)
		view_set_str(o, "retail", fmt_yuan(c->d.arena,
		    db_cell_i64(r, i, 8)));
	tiers = json_object_new_array();
	in = db_cell(r, i, 9) ? json_tokener_parse(db_cell(r, i, 9)) : NULL;
	n = in && json_object_is_type(in, json_type_array) ?
	    json_object_array_length(in) : 0;
	for (k = 0; k < n; k++) {
		e = json_object_array_get_idx(in, k);
		t = json_object_new_object();
		view_set_i64(t, "min_qty", json_object_get_int64(
		    json_object_object_get(e, "q")));
		view_set_str(t, "price", fmt_yuan(c->d.arena,
		    json_object_get_int64(json_object_object_get(e, "p"))));
		json_object_array_add(tiers, t);
	}
	json_object_put(in);
	json_object_object_add(o, "tiers", tiers);
	return o;
}

/*
 * One item of the inquiry with its product's SKUs (sku rows are ordered
 * by item). With a form error the quote shows what was typed.
 */
static json_object *
item_view(struct ctx *c, const struct db_res *r, int i,
    const struct db_res *sk, int refill)
{
	json_object	*o = json_object_new_object(), *skus;
	const char	*name;
	int64_t		 id = db_cell_i64(r, i, 0);
	int		 k;

	name = arena_printf(c->d.arena, "quote_%" PRId64, id);
	view_set_i64(o, "id", id);
	view_set_str(o, "field", name);
	view_set_str(o, "name", db_cell(r, i, 3) ? db_cell(r, i, 3) :
	    "（商品已删除）");
	view_set_str(o, "code", db_cell(r, i, 4));
	view_set_str(o, "unit", db_cell(r, i, 5));
	view_set_i64(o, "qty", db_cell_i64(r, i, 6));
	if (refill)
		view_set_str(o, "quote", req_param(c, name));
	else if (db_cell(r, i, 7) != NULL)
		view_set_str(o, "quote", fmt_yuan(c->d.arena,
		    db_cell_i64(r, i, 7)));
	view_set_bool(o, "off_shelf", db_cell(r, i, 8) != NULL &&
	    db_cell_i64(r, i, 8) == 0);
	skus = json_object_new_array();
	for (k = 0; k < sk->nrows; k++)
		if (db_cell_i64(sk, k, 0) == id)
			json_object_array_add(skus, sku_view(c, sk, k));
	json_object_object_add(o, "skus", skus);
	return o;
}

static json_object *
staff_options(struct ctx *c, const struct db_res *r, int64_t current)
{
	json_object	*rows = json_object_new_array(), *o;
	int		 i;

	for (i = 0; i < r->nrows; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", db_cell_i64(r, i, 0));
		view_set_str(o, "name", db_cell(r, i, 1));
		view_set_str(o, "role_label", role_label(db_cell(r, i, 2)));
		view_set_bool(o, "selected", db_cell_i64(r, i, 0) == current);
		json_object_array_add(rows, o);
	}
	return rows;
}

static void
inquiry_fill(struct ctx *c, json_object *v, const struct db_res *r)
{
	json_object	*o;
	int64_t		 id = db_cell_i64(r, 0, 0);

	view_set_i64(v, "id", id);
	view_set_str(v, "time", db_cell(r, 0, 1));
	view_set_str(v, "contact_name", db_cell(r, 0, 2));
	view_set_str(v, "contact_phone", db_cell(r, 0, 3));
	view_set_str(v, "company", db_cell(r, 0, 4));
	view_set_str(v, "message", db_cell(r, 0, 5));
	status_view(v, db_cell(r, 0, 6));
	view_set_str(v, "assignee", db_cell(r, 0, 8));
	view_set_str(v, "answered_at", db_cell(r, 0, 10));
	if (db_cell(r, 0, 13) != NULL) {
		o = json_object_new_object();
		view_set_str(o, "user_name", db_cell(r, 0, 11));
		view_set_str(o, "user_phone", db_cell(r, 0, 12));
		view_set_i64(o, "id", db_cell_i64(r, 0, 13));
		view_set_str(o, "name", db_cell(r, 0, 14));
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/admin/customers/%s", db_cell(r, 0, 13))));
		json_object_object_add(v, "customer", o);
	}
	view_set_str(v, "back_url", ctx_link(c, "/admin/inquiries"));
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/inquiries/%" PRId64, id)));
}

/* The detail page; error: re-shown after a bad answer, with what was
 * typed, and the status already set by the caller. */
static int
detail(struct ctx *c, int64_t id, const char *error)
{
	struct db_res		*r, *it, *sk, *st;
	json_object		*v, *items;
	int			 i;

	if (db_run(c->d.arena, &r, sql_one, "ii", id, c->d.shop->id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (r->nrows == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	if (db_run(c->d.arena, &it, sql_items, "ii", id, c->d.shop->id) == -1 ||
	    db_run(c->d.arena, &sk, sql_skus, "ii", id, c->d.shop->id) == -1 ||
	    db_run(c->d.arena, &st, sql_staff, "i", c->d.shop->id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = admin_view(c, "inquiries");
	inquiry_fill(c, v, r);
	items = json_object_new_array();
	for (i = 0; i < it->nrows; i++)
		json_object_array_add(items, item_view(c, it, i, sk,
		    error != NULL));
	json_object_object_add(v, "items", items);
	json_object_object_add(v, "staff", staff_options(c, st,
	    db_cell(r, 0, 7) ? db_cell_i64(r, 0, 7) : 0));
	view_set_str(v, "answer", error ? req_param(c, "answer") :
	    db_cell(r, 0, 9));
	view_set_str(v, "error", error);
	c->title = arena_printf(c->d.arena, "询价 #%" PRId64, id);
	return render(c, "admin/inquiry");
}

static int
h_admin_inquiry_show(struct ctx *c)
{
	int64_t	id = cap_id(c);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	return detail(c, id, NULL);
}

struct change {
	int64_t		 id;		/* inquiry */
	int64_t		 staff_id;	/* assign */
	const char	*answer;	/* answer */
	struct db_res	*items;
	const char	**quotes;	/* per item: fen as text, or NULL */
	int		 nquoted;
};

/* Lock the inquiry row: ERR_NOT_FOUND for another shop's or none. */
static int
lock(struct dctx *c, int64_t id, const char **status)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_lock, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "询价不存在";
		return ERR_NOT_FOUND;
	}
	*status = db_cell(r, 0, 0);
	return 0;
}

static int
tx_assign(struct dctx *c, void *arg)
{
	struct change	*ch = arg;
	struct db_res	*r;
	const char	*status;
	int		 err;

	if ((err = lock(c, ch->id, &status)) != 0)
		return err;
	if (db_run(c->arena, &r, sql_staff_one, "ii", ch->staff_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "负责人：请选择本店在职员工";
		return ERR_INVALID;
	}
	if (db_run(c->arena, NULL, sql_assign, "iii", ch->staff_id, ch->id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "inquiry.assign", "inquiry=%" PRId64 " staff=%" PRId64,
	    ch->id, ch->staff_id);
}

enum { F_STAFF };
static const struct field assign_fields[] = {
	[F_STAFF] =	{ "staff_id", FIELD_ID, FIELD_REQUIRED, 0, 0, "负责人" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_admin_inquiry_assign(struct ctx *c)
{
	struct change	 ch;
	struct form	 f;
	int		 err;

	memset(&ch, 0, sizeof(ch));
	if ((ch.id = cap_id(c)) == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	if (form_parse(c, assign_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	ch.staff_id = f.v[F_STAFF].i64;
	if ((err = db_tx_run(&c->d, tx_assign, &ch)) != 0)
		return http_fail(c, err, c->d.error);
	clog_info(&c->d, "inquiry %" PRId64 " assigned to staff %" PRId64, ch.id,
	    ch.staff_id);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/inquiries/%" PRId64 "?done=assigned", ch.id)));
}

static int
tx_answer(struct dctx *c, void *arg)
{
	struct change	*ch = arg;
	const char	*status;
	int		 err, i;

	if ((err = lock(c, ch->id, &status)) != 0)
		return err;
	if (strcmp(status, "closed") == 0) {
		c->error = "该询价已关闭，不能再回复";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, NULL, sql_answer, "siii", ch->answer,
	    c->sess.user_id, ch->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < ch->items->nrows; i++)
		if (db_run(c->arena, NULL, sql_quote, "sii", ch->quotes[i],
		    db_cell_i64(ch->items, i, 0), ch->id) == -1)
			return ERR_INTERNAL;
	return audit(c, "inquiry.answer", "inquiry=%" PRId64 " quoted=%d "
	    "answer_chars=%zu", ch->id, ch->nquoted, strlen(ch->answer));
}

/*
 * The answer form's fields: the text, then one optional quoted unit
 * price per item ("quote_<item id>", yuan). An inquiry has one item when
 * a storefront made it; FORM_MAX - 1 are more than any form carries.
 */
static struct field *
answer_fields(struct ctx *c, const struct db_res *items, int *n)
{
	struct field	*fl;
	int		 i;

	*n = items->nrows < FORM_MAX - 1 ? items->nrows : FORM_MAX - 1;
	fl = arena_alloc(c->d.arena, (*n + 2) * sizeof(*fl));
	memset(fl, 0, (*n + 2) * sizeof(*fl));
	fl[0].name = "answer";
	fl[0].type = FIELD_TEXT;
	fl[0].flags = FIELD_REQUIRED;
	fl[0].min = 1;
	fl[0].max = 4000;
	fl[0].label = "回复内容";
	for (i = 0; i < *n; i++) {
		fl[i + 1].name = arena_printf(c->d.arena, "quote_%s",
		    db_cell(items, i, 0));
		fl[i + 1].type = FIELD_MONEY;
		fl[i + 1].max = QUOTE_MAX;
		fl[i + 1].label = arena_printf(c->d.arena, "%s 报价",
		    db_cell(items, i, 3) ? db_cell(items, i, 3) : "商品");
	}
	return fl;
}

static int
h_admin_inquiry_answer(struct ctx *c)
{
	struct change	 ch;
	struct field	*fl;
	struct form	 f;
	int		 err, i, n;

	memset(&ch, 0, sizeof(ch));
	if ((ch.id = cap_id(c)) == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	if (db_run(c->d.arena, &ch.items, sql_items, "ii", ch.id,
	    c->d.shop->id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	fl = answer_fields(c, ch.items, &n);
	if (form_parse(c, fl, &f) == -1) {
		if (c->json_out)
			return http_fail(c, ERR_INVALID, f.error);
		c->status = 400;
		return detail(c, ch.id, f.error);
	}
	ch.answer = f.v[0].s;
	ch.quotes = arena_alloc(c->d.arena, (ch.items->nrows + 1) *
	    sizeof(*ch.quotes));
	for (i = 0; i < ch.items->nrows; i++) {
		ch.quotes[i] = NULL;
		if (i < n && f.v[i + 1].present) {
			ch.quotes[i] = arena_printf(c->d.arena, "%" PRId64,
			    f.v[i + 1].i64);
			ch.nquoted++;
		}
	}
	if ((err = db_tx_run(&c->d, tx_answer, &ch)) != 0)
		return http_fail(c, err, c->d.error);
	clog_info(&c->d, "inquiry %" PRId64 " answered quoted=%d", ch.id,
	    ch.nquoted);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/inquiries/%" PRId64 "?done=answered", ch.id)));
}

static int
tx_close(struct dctx *c, void *arg)
{
	struct change	*ch = arg;
	const char	*status;
	int		 err;

	if ((err = lock(c, ch->id, &status)) != 0)
		return err;
	if (db_run(c->arena, NULL, sql_close, "ii", ch->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "inquiry.close", "inquiry=%" PRId64 " was=%s", ch->id,
	    status);
}

static int
h_admin_inquiry_close(struct ctx *c)
{
	struct change	 ch;
	int		 err;

	memset(&ch, 0, sizeof(ch));
	if ((ch.id = cap_id(c)) == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	if ((err = db_tx_run(&c->d, tx_close, &ch)) != 0)
		return http_fail(c, err, c->d.error);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/inquiries/%" PRId64 "?done=saved", ch.id)));
}

/* A row of sql_mine / sql_mine_one as the customer sees it. */
static json_object *
mine_row(struct ctx *c, const struct db_res *r, int i)
{
	json_object	*o = json_object_new_object();
	int64_t		 id = db_cell_i64(r, i, 0);

	view_set_i64(o, "id", id);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "/account/inquiries/%" PRId64, id)));
	view_set_str(o, "time", db_cell(r, i, 1));
	view_set_str(o, "contact_name", db_cell(r, i, 2));
	status_view(o, db_cell(r, i, 3));
	view_set_str(o, "message", db_cell(r, i, 4));
	view_set_str(o, "answer", db_cell(r, i, 5));
	view_set_str(o, "answered_at", db_cell(r, i, 6));
	json_object_object_add(o, "items", items_view(c, db_cell(r, i, 7)));
	return o;
}

static int
h_account_inquiries(struct ctx *c)
{
	struct db_res	*r;
	json_object	*v, *rows;
	int64_t		 off, shop = c->d.shop->id, cust = c->d.sess.customer_id;
	int		 i;

	if (db_run(c->d.arena, &r, sql_mine_count, "iii", shop, shop,
	    cust) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = view_new(c);
	off = view_pager(c, v, db_cell_i64(r, 0, 0), PER_PAGE,
	    "/account/inquiries");
	if (db_run(c->d.arena, &r, sql_mine, "iiiii", shop, shop, cust,
	    (int64_t)PER_PAGE, off) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	rows = json_object_new_array();
	for (i = 0; i < r->nrows; i++)
		json_object_array_add(rows, mine_row(c, r, i));
	json_object_object_add(v, "inquiries", rows);
	c->title = "我的询价";
	return render(c, "account_inquiries");
}

static int
h_account_inquiry(struct ctx *c)
{
	struct db_res	*r;
	int64_t		 id = cap_id(c), shop = c->d.shop->id;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	if (db_run(c->d.arena, &r, sql_mine_one, "iiii", shop, shop,
	    c->d.sess.customer_id, id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	/* Another company's inquiry, like another shop's, does not exist. */
	if (r->nrows == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	view_new(c);
	json_object_object_add(c->view, "inquiry", mine_row(c, r, 0));
	c->title = arena_printf(c->d.arena, "询价 #%" PRId64, id);
	return render(c, "account_inquiry");
}

#define STAFF_ROLES	"owner,admin,sales,service"

const struct route h_admin_inquiry_routes[] = {
	{ "GET", "^/admin/inquiries$", h_admin_inquiry_list, ROUTE_STAFF,
	  STAFF_ROLES },
	{ "GET", "^/admin/inquiries/([0-9]{1,18})$", h_admin_inquiry_show,
	  ROUTE_STAFF, STAFF_ROLES },
	{ "POST", "^/admin/inquiries/([0-9]{1,18})/assign$",
	  h_admin_inquiry_assign, ROUTE_STAFF | ROUTE_CSRF, STAFF_ROLES },
	{ "POST", "^/admin/inquiries/([0-9]{1,18})/answer$",
	  h_admin_inquiry_answer, ROUTE_STAFF | ROUTE_CSRF, STAFF_ROLES },
	{ "POST", "^/admin/inquiries/([0-9]{1,18})/close$",
	  h_admin_inquiry_close, ROUTE_STAFF | ROUTE_CSRF, STAFF_ROLES },
	{ "GET", "^(?:/api/v1)?/account/inquiries$", h_account_inquiries,
	  ROUTE_CUSTOMER, NULL },
	{ "GET", "^(?:/api/v1)?/account/inquiries/([0-9]{1,18})$",
	  h_account_inquiry, ROUTE_CUSTOMER, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
