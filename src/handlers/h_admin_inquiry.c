/*
 * h_admin_inquiry.c -- 询价 in the back office: the list, one inquiry with
 * its products' prices today and its conversation, assign, answer (again)
 * with quotes valid until a day (each a version, all shown), close, and
 * 新建报价 (h_admin_quote.c) for a company directly. The customer's side is
 * h_inquiry.c. domain/inquiry*.c read and write them; times come in
 * China Standard Time (UTC+8).
 */
#include "base/base.h"
#include "domain/auth.h"
#include "domain/pricing.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/inquiry.h"
#include "domain/price_list.h"
#include "handlers/h_inquiry.h"

#define PER_PAGE	20
#define QUOTE_MAX	(10000000LL * 100)	/* fen: ten million yuan */
#define Q_MAX		100			/* characters of a search */

static const struct {
	const char	*label;
	const char	*badge;
} statuses[] = {
	[INQUIRY_OPEN] = { "待处理", "warn" },
	[INQUIRY_ANSWERED] = { "已回复", "on" },
	[INQUIRY_CLOSED] = { "已关闭", "" },
};

static void
status_view(json_object *o, enum inquiry_status s)
{
	view_set_str(o, "status", inquiry_status_name(s));
	view_set_str(o, "status_label", statuses[s].label);
	view_set_str(o, "badge", statuses[s].badge);
	view_set_bool(o, "is_open", s == INQUIRY_OPEN);
	view_set_bool(o, "is_closed", s == INQUIRY_CLOSED);
}

/* The products asked about as lists show them: name, unit, qty, quote. */
static json_object *
lines_view(struct ctx *c, const struct inquiry *q)
{
	const struct inquiry_line	*l;
	json_object			*out = json_object_new_array(), *o;
	int				 i;

	for (i = 0; i < q->nlines; i++) {
		l = &q->lines[i];
		o = json_object_new_object();
		view_set_str(o, "name", l->name ? l->name : "");
		view_set_str(o, "unit", l->unit);
		view_set_i64(o, "qty", l->qty);
		if (l->quote_fen >= 0)
			view_set_money(c, o, "quote", l->quote_fen);
		json_object_array_add(out, o);
	}
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

/* An inquiry in the list: who, what, the quote, and whether a reply of
 * the customer waits. */
static json_object *
list_row(struct ctx *c, const struct inquiry *q)
{
	json_object	*o = json_object_new_object(), *quote;

	view_set_i64(o, "id", q->id);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/inquiries/%" PRId64, q->id)));
	view_set_str(o, "time", q->created);
	view_set_str(o, "contact_name", q->contact_name);
	status_view(o, q->status);
	view_set_str(o, "message", q->message);
	json_object_object_add(o, "items", lines_view(c, q));
	view_set_str(o, "contact_phone", q->contact_phone);
	view_set_str(o, "company", q->company);
	view_set_str(o, "assignee", q->staff_name);
	view_set_bool(o, "customer", q->from_customer);
	view_set_bool(o, "customer_waiting", q->customer_waiting &&
	    q->status == INQUIRY_OPEN);
	if ((quote = h_inquiry_quote_view(c, q)) != NULL)
		json_object_object_add(o, "quote", quote);
	return o;
}

/* ?status= (open by default, or all), ?mine=1 and ?q= as a query. */
static int
list_query(struct ctx *c, struct inquiry_query *qy, const char **status)
{
	const char	*mine = kv_get(&c->query, "mine");

	memset(qy, 0, sizeof(*qy));
	*status = kv_get(&c->query, "status");
	if (*status != NULL && strcmp(*status, "all") == 0)
		qy->all = 1;
	else if (*status == NULL ||
	    inquiry_status_parse(*status, &qy->status) == -1) {
		*status = "open";
		qy->status = INQUIRY_OPEN;
	}
	qy->mine = mine != NULL && strcmp(mine, "1") == 0;
	if ((qy->q = kv_get(&c->query, "q")) == NULL)
		qy->q = "";
	qy->page = query_page(c);
	qy->per_page = PER_PAGE;
	return utf8_len(qy->q) > Q_MAX ? -1 : 0;
}

static int
h_admin_inquiry_list(struct ctx *c)
{
	struct inquiry_query	 qy;
	struct inquiry_list	 l;
	json_object		*v, *rows;
	const char		*status;
	int			 i, rc;

	if (list_query(c, &qy, &status) == -1)
		return http_fail(c, ERR_INVALID, "搜索词太长（最多 100 个字符）");
	if ((rc = inquiry_list(&c->d, &qy, &l)) != 0)
		return http_fail(c, rc, NULL);
	v = admin_view(c, "inquiries");
	view_pager(c, v, l.total, PER_PAGE, arena_printf(c->d.arena,
	    "/admin/inquiries?status=%s%s&q=%s", status, qy.mine ?
	    "&mine=1" : "", url_encode(c->d.arena, qy.q)));
	rows = json_object_new_array();
	for (i = 0; i < l.n; i++)
		json_object_array_add(rows, list_row(c, &l.rows[i]));
	json_object_object_add(v, "inquiries", rows);
	filter_tabs(c, v, status, qy.mine, qy.q);
	view_set_str(v, "status", status);
	view_set_bool(v, "mine", qy.mine);
	view_set_str(v, "q", qy.q);
	view_set_bool(v, "filtered", qy.mine || *qy.q);
	view_set_str(v, "action", ctx_link(c, "/admin/inquiries"));
	view_set_str(v, "new_url", ctx_link(c, "/admin/inquiries/new"));
	c->title = "询价";
	return render(c, "admin/inquiries");
}

/*
 * A SKU as staff see it while quoting: base price, tiers, retail price,
 * as they stand now, and what the asking customer (0: a guest) pays for
 * the line's quantity, so that no quote goes above their own price.
 */
static json_object *
sku_view(struct ctx *c, const struct inquiry_sku *s, int64_t customer_id,
    int64_t qty)
{
	json_object		*o = json_object_new_object(), *tiers, *t;
	struct price_check	 pc;
	enum price_field	 bad;
	int			 k;

	view_set_i64(o, "id", s->id);
	view_set_str(o, "code", s->code);
	view_set_str(o, "spec", s->spec && *s->spec ? s->spec : "默认");
	view_set_str(o, "unit", s->unit);
	view_set_i64(o, "min_qty", s->min_qty);
	view_set_i64(o, "stock", s->stock);
	view_set_money(c, o, "price", s->price_fen);
	if (s->retail_fen >= 0)
		view_set_money(c, o, "retail", s->retail_fen);
	tiers = json_object_new_array();
	for (k = 0; k < s->ntiers; k++) {
		t = json_object_new_object();
		view_set_i64(t, "min_qty", s->tiers[k].min_qty);
		view_set_money(c, t, "price", s->tiers[k].price_fen);
		json_object_array_add(tiers, t);
	}
	json_object_object_add(o, "tiers", tiers);
	if (customer_id != 0 && price_check(&c->d, s->code, customer_id,
	    qty > 0 ? qty : 1, &pc, &bad) == 0) {
		view_set_money(c, o, "customer_price", pc.out.unit_fen);
		view_set_str(o, "customer_source",
		    price_source_label(pc.out.source));
		view_set_i64(o, "customer_qty", qty > 0 ? qty : 1);
	}
	return o;
}

/* The message form_parse or form_error gave field name, or NULL. */
static const char *
field_error(const struct form *f, const char *name)
{
	json_object	*v;

	if (f == NULL || f->errors == NULL ||
	    !json_object_object_get_ex(f->errors, name, &v))
		return NULL;
	return json_object_get_string(v);
}

/* One line with its product's SKUs. After a refused answer (f) the
 * quote shows what was typed, and why it was refused. */
static json_object *
line_view(struct ctx *c, const struct inquiry_line *l, const struct form *f,
    int64_t customer_id)
{
	json_object	*o = json_object_new_object(), *skus;
	const char	*name;
	int		 k;

	name = arena_printf(c->d.arena, "quote_%" PRId64, l->id);
	view_set_i64(o, "id", l->id);
	view_set_str(o, "field", name);
	view_set_str(o, "name", l->name ? l->name : "（商品已删除）");
	view_set_str(o, "code", l->code);
	view_set_str(o, "sku_code", l->sku_code);
	view_set_str(o, "spec", l->spec && *l->spec ? l->spec : NULL);
	view_set_str(o, "unit", l->unit);
	view_set_i64(o, "qty", l->qty);
	if (f != NULL) {
		view_set_str(o, "quote", req_param(c, name));
		view_set_str(o, "quote_error", field_error(f, name));
	} else	/* null, not absent: the page's quote is an object */
		view_set_str(o, "quote", l->quote_fen >= 0 ?
		    fmt_yuan(c->d.arena, l->quote_fen) : NULL);
	if (l->quote_fen >= 0)
		view_set_money(c, o, "line_total", l->quote_fen * l->qty);
	view_set_bool(o, "off_shelf", l->off_shelf);
	skus = json_object_new_array();
	for (k = 0; k < l->nskus; k++)
		json_object_array_add(skus, sku_view(c, &l->skus[k],
		    customer_id, l->qty));
	json_object_object_add(o, "skus", skus);
	return o;
}

static json_object *
staff_options(const struct inquiry_assignee *a, int n, int64_t current)
{
	json_object	*rows = json_object_new_array(), *o;
	int		 i;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", a[i].id);
		view_set_str(o, "name", a[i].name);
		view_set_str(o, "role_label", role_label(a[i].role));
		view_set_bool(o, "selected", a[i].id == current);
		json_object_array_add(rows, o);
	}
	return rows;
}

static void
inquiry_fill(struct ctx *c, json_object *v, const struct inquiry *q)
{
	json_object	*o;

	view_set_i64(v, "id", q->id);
	view_set_str(v, "time", q->created);
	view_set_str(v, "contact_name", q->contact_name);
	view_set_str(v, "contact_phone", q->contact_phone);
	view_set_str(v, "company", q->company);
	view_set_str(v, "message", q->message);
	status_view(v, q->status);
	view_set_str(v, "assignee", q->staff_name);
	view_set_str(v, "answered_at", q->answered);
	if (q->customer_id != 0) {
		o = json_object_new_object();
		view_set_str(o, "user_name", q->user_name);
		view_set_str(o, "user_phone", q->user_phone);
		view_set_i64(o, "id", q->customer_id);
		view_set_str(o, "name", q->customer_name);
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    "/admin/customers/%" PRId64, q->customer_id)));
		json_object_object_add(v, "customer", o);
	}
	view_set_str(v, "back_url", ctx_link(c, "/admin/inquiries"));
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/inquiries/%" PRId64, q->id)));
}

/*
 * The answer form's validity: as typed after a refusal, else the quote's
 * own while it holds, else INQUIRY_QUOTE_DAYS from today; the days it may
 * be set to bound the date picker.
 */
static void
validity_field(struct ctx *c, json_object *v, const struct inquiry *q,
    const struct inquiry_quote_window *w, const struct form *f)
{
	const char	*until;

	if (f != NULL)
		until = req_param(c, "quote_valid_until");
	else if (q->quote_until != NULL && q->quote_days >= 0)
		until = q->quote_until;
	else
		until = w->dflt;
	view_set_str(v, "valid_until", until);
	view_set_str(v, "valid_min", w->today);
	view_set_str(v, "valid_max", w->last);
	view_set_i64(v, "valid_days", INQUIRY_QUOTE_DAYS);
	view_set_i64(v, "valid_days_max", INQUIRY_QUOTE_DAYS_MAX);
	view_set_str(v, "valid_error", field_error(f, "quote_valid_until"));
}

/* The detail page; f: re-shown after a refused answer, with what was
 * typed and why beside each field, the status already set by the caller. */
static int
detail(struct ctx *c, int64_t id, const struct form *f)
{
	struct inquiry_quote_window	 w;
	struct inquiry_assignee		*staff;
	struct inquiry			 q;
	json_object			*v, *lines, *quote;
	int				 i, n, rc;

	if ((rc = inquiry_get(&c->d, id, &q)) != 0 ||
	    (rc = inquiry_assignees(&c->d, &staff, &n)) != 0 ||
	    (rc = inquiry_quote_window(&c->d, &w)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "inquiries");
	inquiry_fill(c, v, &q);
	lines = json_object_new_array();
	for (i = 0; i < q.nlines; i++)
		json_object_array_add(lines, line_view(c, &q.lines[i], f,
		    q.customer_id));
	json_object_object_add(v, "items", lines);
	if ((quote = h_inquiry_quote_view(c, &q)) != NULL)
		json_object_object_add(v, "quote", quote);
	if ((quote = h_inquiry_versions_view(c, id, 1)) != NULL)
		json_object_object_add(v, "versions", quote);
	view_set_bool(v, "by_staff", q.by_staff);
	if (q.accepted_order_id != 0)
		view_set_str(v, "order_url", ctx_link(c, arena_printf(
		    c->d.arena, "/admin/orders/%" PRId64, q.accepted_order_id)));
	json_object_object_add(v, "messages", h_inquiry_thread_view(&q, 1));
	view_set_bool(v, "customer_waiting", q.customer_waiting &&
	    q.status == INQUIRY_OPEN);
	json_object_object_add(v, "staff", staff_options(staff, n,
	    q.staff_id));
	view_set_str(v, "answer", q.answer);
	view_set_str(v, "answer_typed", f ? req_param(c, "answer") : NULL);
	view_set_str(v, "answer_error", field_error(f, "answer"));
	validity_field(c, v, &q, &w, f);
	view_set_str(v, "error", f ? f->error : NULL);
	c->title = arena_printf(c->d.arena, "询价 #%" PRId64, id);
	return render(c, "admin/inquiry");
}

static int
h_admin_inquiry_show(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	return detail(c, id, NULL);
}

static const char *
done_link(struct ctx *c, int64_t id, const char *done)
{
	return ctx_link(c, arena_printf(c->d.arena, "/admin/inquiries/%" PRId64
	    "?done=%s", id, done));
}

enum { F_STAFF };
static const struct field assign_fields[] = {
	[F_STAFF] =	{ "staff_id", FIELD_ID, FIELD_REQUIRED, 0, 0, "负责人" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_admin_inquiry_assign(struct ctx *c)
{
	enum inquiry_field	 bad;
	struct form		 f;
	int64_t			 id;
	int			 rc;

	if ((id = route_cap(c, 0)) == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	if (form_parse(c, assign_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	if ((rc = inquiry_assign(&c->d, id, f.v[F_STAFF].i64, &bad)) != 0) {
		if (bad != INQUIRY_FIELD_STAFF)
			return http_fail(c, rc, c->d.error);
		form_error(c, &f, "staff_id", "负责人", c->d.error);
		return http_fail(c, rc, f.error);
	}
	return http_see_other(c, "%s", done_link(c, id, "assigned"));
}

/*
 * The answer form's fields: the text, one optional quoted unit price per
 * line ("quote_<line id>", yuan), then the quote's last day (the domain
 * judges it). An inquiry has one line when a storefront made it;
 * FORM_MAX - 2 are more than any form carries.
 */
static struct field *
answer_fields(struct ctx *c, const struct inquiry_line *l, int nl, int *n)
{
	struct field	*fl;
	int		 i;

	*n = nl < FORM_MAX - 2 ? nl : FORM_MAX - 2;
	fl = arena_calloc(c->d.arena, *n + 3, sizeof(*fl));
	fl[0].name = "answer";
	fl[0].type = FIELD_TEXT;
	fl[0].flags = FIELD_REQUIRED;
	fl[0].min = 1;
	fl[0].max = INQUIRY_ANSWER_MAX;
	fl[0].label = "回复内容";
	for (i = 0; i < *n; i++) {
		fl[i + 1].name = arena_printf(c->d.arena, "quote_%" PRId64,
		    l[i].id);
		fl[i + 1].type = FIELD_MONEY;
		fl[i + 1].max = QUOTE_MAX;
		fl[i + 1].label = arena_printf(c->d.arena, "%s 报价",
		    l[i].name ? l[i].name : "商品");
	}
	fl[*n + 1].name = "quote_valid_until";
	fl[*n + 1].type = FIELD_TEXT;
	fl[*n + 1].max = 20;
	fl[*n + 1].label = "报价有效期";
	return fl;
}

/* A refused answer: JSON says why; the page comes again as typed. */
static int
answer_fail(struct ctx *c, int64_t id, struct form *f)
{
	if (c->json_out)
		return http_fail(c, ERR_INVALID, f->error);
	c->status = 400;
	return detail(c, id, f);
}

static int
h_admin_inquiry_answer(struct ctx *c)
{
	struct inquiry_line	*lines;
	struct inquiry_quote	*quotes;
	enum inquiry_field	 bad;
	struct field		*fl;
	struct form		 f;
	int64_t			 id;
	int			 rc, i, nl, n;

	if ((id = route_cap(c, 0)) == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	if ((rc = inquiry_lines(&c->d, id, &lines, &nl)) != 0)
		return http_fail(c, rc, NULL);
	fl = answer_fields(c, lines, nl, &n);
	if (form_parse(c, fl, &f) == -1) {
		if (!c->json_out)	/* else http_fail logs it */
			clog_info(&c->d, "inquiry answer refused id=%" PRId64
			    " why=%s", id, f.error);
		return answer_fail(c, id, &f);
	}
	quotes = arena_alloc(c->d.arena, (n + 1) * sizeof(*quotes));
	for (i = 0; i < n; i++) {
		quotes[i].line_id = lines[i].id;
		quotes[i].fen = f.v[i + 1].present ? f.v[i + 1].i64 : -1;
	}
	if ((rc = inquiry_answer(&c->d, id, f.v[0].s, quotes, n,
	    f.v[n + 1].s, &bad)) != 0) {
		if (bad != INQUIRY_FIELD_VALID_UNTIL)
			return http_fail(c, rc, c->d.error);
		form_error(c, &f, "quote_valid_until", "报价有效期",
		    c->d.error);
		return answer_fail(c, id, &f);
	}
	return http_see_other(c, "%s", done_link(c, id, "answered"));
}

static int
h_admin_inquiry_close(struct ctx *c)
{
	int64_t	id;
	int	rc;

	if ((id = route_cap(c, 0)) == 0)
		return http_fail(c, ERR_NOT_FOUND, "询价不存在");
	if ((rc = inquiry_close(&c->d, id)) != 0)
		return http_fail(c, rc, c->d.error);
	return http_see_other(c, "%s", done_link(c, id, "saved"));
}

#define STAFF_ROLES	ADMIN_ROLES_INQUIRIES

const struct route h_admin_inquiry_routes[] = {
	{ "GET", "^/admin/inquiries$", h_admin_inquiry_list, ROUTE_STAFF,
	  STAFF_ROLES },
	{ "GET", "^/admin/inquiries/([0-9]{1,18})$", h_admin_inquiry_show,
	  ROUTE_STAFF, STAFF_ROLES },
	{ "GET", "^/admin/inquiries/new$", h_admin_quote_new, ROUTE_STAFF,
	  STAFF_ROLES },
	{ "POST", "^/admin/inquiries/new$", h_admin_quote_create,
	  ROUTE_STAFF | ROUTE_CSRF, STAFF_ROLES },
	{ "POST", "^/admin/inquiries/([0-9]{1,18})/assign$",
	  h_admin_inquiry_assign, ROUTE_STAFF | ROUTE_CSRF, STAFF_ROLES },
	{ "POST", "^/admin/inquiries/([0-9]{1,18})/answer$",
	  h_admin_inquiry_answer, ROUTE_STAFF | ROUTE_CSRF, STAFF_ROLES },
	{ "POST", "^/admin/inquiries/([0-9]{1,18})/close$",
	  h_admin_inquiry_close, ROUTE_STAFF | ROUTE_CSRF, STAFF_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
