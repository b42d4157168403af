/*
 * h_admin_finance.c -- the back office's money pages (财务): payments to
 * confirm, by state, each with its proof and what it paid, confirmed or
 * rejected with a reason; AR aging (账龄) with the companies to chase
 * first; and a company's ledger with the adjustment form. Sales see
 * their own companies only (the domain binds the scope); confirming,
 * rejecting and adjusting are for owner, admin and finance; refunding a
 * WeChat payment for owner and finance.
 */
#include "base/base.h"
#include "domain/aging.h"
#include "domain/ledger.h"
#include "domain/payment.h"
#include "domain/session.h"
#include "domain/wxpay_order.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "handlers/h_money.h"

#define FIN	"/admin/finance/payments"
#define LEDGER_PER_PAGE	30

enum { A_ACCOUNT, A_DIRECTION, A_KIND, A_AMOUNT, A_NOTE };
static const struct field adjust_fields[] = {
	[A_ACCOUNT] =	{ "account", FIELD_TEXT, FIELD_REQUIRED, 1, 10, "账户" },
	[A_DIRECTION] =	{ "direction", FIELD_TEXT, FIELD_REQUIRED, 1, 10,
			  "方向" },
	[A_KIND] =	{ "kind", FIELD_TEXT, FIELD_REQUIRED, 1, 20, "类型" },
	[A_AMOUNT] =	{ "amount", FIELD_MONEY, FIELD_REQUIRED, 1,
			  LEDGER_AMOUNT_MAX, "金额" },
	[A_NOTE] =	{ "note", FIELD_TEXT, FIELD_REQUIRED, 1, LEDGER_NOTE_MAX,
			  "原因" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field reject_fields[] = {
	{ "reason", FIELD_TEXT, FIELD_REQUIRED, 1, PAYMENT_REASON_MAX,
	  "驳回原因" },
	{ NULL, 0, 0, 0, 0, NULL }
};

enum { R_AMOUNT, R_REASON };
static const struct field refund_fields[] = {
	[R_AMOUNT] =	{ "amount", FIELD_MONEY, FIELD_REQUIRED, 1,
			  LEDGER_AMOUNT_MAX, "退款金额" },
	[R_REASON] =	{ "reason", FIELD_TEXT, FIELD_REQUIRED, 1, 80,
			  "退款原因" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
may_decide(struct ctx *c)
{
	return session_staff_role(&c->d.sess, PAYMENT_DECIDE_ROLES);
}

/* The finance pages' tabs, tab the current one. */
void
h_money_finance_tabs(struct ctx *c, json_object *v, const char *tab)
{
	json_object	*t = json_object_new_object();

	view_set_bool(t, tab, 1);
	json_object_object_add(v, "tab", t);
	view_set_str(v, "payments_url", ctx_link(c, FIN));
	view_set_str(v, "aging_url", ctx_link(c, "/admin/finance/aging"));
	view_set_str(v, "statements_url", ctx_link(c,
	    "/admin/finance/statements"));
	view_set_str(v, "invoices_url", ctx_link(c, "/admin/finance/invoices"));
}

static int
h_fin_payments(struct ctx *c)
{
	static const char *const states[] = { "pending", "confirmed",
	    "rejected", "all" };
	const char		*st = kv_get(&c->query, "state"), *cq;
	struct payment_filter	 f = { PAY_PENDING, 0, (int)query_page(c) };
	struct payment_page	 p;
	json_object		*v, *a, *o;
	int			 i, rc;

	if (st != NULL && strcmp(st, "all") == 0)
		f.state = -1;
	else if (st != NULL && payment_state_parse(st) >= 0)
		f.state = payment_state_parse(st);
	else
		st = "pending";
	cq = kv_get(&c->query, "customer");
	if (cq != NULL)
		f.customer_id = strtoll(cq, NULL, 10);
	if ((rc = payment_list(&c->d, &f, &p)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "finance");
	h_money_finance_tabs(c, v, "payments");
	a = json_object_new_array();
	for (i = 0; i < p.n; i++)
		json_object_array_add(a, h_money_payment_view(c, &p.rows[i],
		    FIN));
	json_object_object_add(v, "payments", a);
	a = json_object_new_array();
	for (i = 0; i < (int)(sizeof(states) / sizeof(states[0])); i++) {
		o = json_object_new_object();
		view_set_str(o, "value", states[i]);
		view_set_str(o, "label", i < 3 ? payment_state_label(i) : "全部");
		view_set_bool(o, "current", strcmp(states[i], st) == 0);
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    FIN "?state=%s", states[i])));
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "states", a);
	view_set_bool(v, "empty", p.total == 0);
	view_set_i64(v, "pending", p.pending);
	view_set_i64(v, "total", p.total);
	view_set_str(v, "state", st);
	view_pager(c, v, p.total, PAYMENT_PER_PAGE, arena_printf(c->d.arena,
	    FIN "?state=%s%s", st, f.customer_id ? arena_printf(c->d.arena,
	    "&customer=%" PRId64, f.customer_id) : ""));
	c->title = "付款确认";
	return render(c, "admin/payments");
}

static const char *const payment_notices[][2] = {
	{ "refund_sent", "退款已提交微信支付，到账后状态会变为「已退款」" },
	{ "refund_pending", "微信支付暂时连不上，退款已记下，会自动重试" },
};

int
h_money_fin_payment_page(struct ctx *c, int64_t id, int status,
    const char *error, const struct form *f)
{
	struct payment_row	 p;
	json_object		*v;
	int			 rc;

	if ((rc = payment_get(&c->d, id, &p)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "finance");
	h_money_finance_tabs(c, v, "payments");
	json_object_object_add(v, "payment", h_money_payment_view(c, &p, FIN));
	view_set_bool(v, "may_decide", may_decide(c) && p.state == PAY_PENDING);
	view_set_str(v, "confirm_action", ctx_link(c, arena_printf(c->d.arena,
	    FIN "/%" PRId64 "/confirm", id)));
	view_set_str(v, "reject_action", ctx_link(c, arena_printf(c->d.arena,
	    FIN "/%" PRId64 "/reject", id)));
	view_set_str(v, "ledger_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "/ledger", p.customer_id)));
	if ((rc = h_admin_wxpay_view(c, v, id)) != 0)
		return http_fail(c, rc, c->d.error);
	view_set_str(v, "flash", REQ_NOTICE(c, payment_notices));
	view_set_str(v, "error", error);
	view_set_str(v, "reason", req_param(c, "reason"));
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	if (status != 0)
		c->status = status;
	c->title = arena_printf(c->d.arena, "付款 #%" PRId64, id);
	return render(c, "admin/payment");
}

static int
h_fin_payment(struct ctx *c)
{
	return h_money_fin_payment_page(c, route_cap(c, 0), 0, NULL, NULL);
}

static int
h_fin_confirm(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);
	int	rc;

	if ((rc = payment_confirm(&c->d, id)) != 0) {
		if (c->json_out || (rc != ERR_CONFLICT && rc != ERR_FORBIDDEN))
			return http_fail(c, rc, c->d.error);
		return h_money_fin_payment_page(c, id, err_status(rc), c->d.error,
		    NULL);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    FIN "/%" PRId64 "?done=payment_confirm", id)));
}

static int
h_fin_reject(struct ctx *c)
{
	struct form	f;
	int64_t		id = route_cap(c, 0);
	int		rc;

	if (form_parse(c, reject_fields, &f) != 0 || f.error != NULL) {
		if (c->json_out)
			return http_fail(c, ERR_INVALID, f.error);
		return h_money_fin_payment_page(c, id, 400, f.error, &f);
	}
	if ((rc = payment_reject(&c->d, id, f.v[0].s)) != 0) {
		if (c->json_out || rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
			return http_fail(c, rc, c->d.error);
		return h_money_fin_payment_page(c, id, err_status(rc), c->d.error,
		    NULL);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    FIN "/%" PRId64 "?done=payment_reject", id)));
}

static json_object *
buckets_view(struct ctx *c, const struct aging_buckets *b)
{
	json_object	*o = json_object_new_object(), *a = json_object_new_array();
	json_object	*x;
	int		 k;

	for (k = 0; k < AGING_NBUCKETS; k++) {
		x = json_object_new_object();
		view_set_str(x, "label", aging_bucket_label(k));
		view_set_money(c, x, "amount", b->fen[k]);
		view_set_bool(x, "late", k > 0 && b->fen[k] > 0);
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "buckets", a);
	view_set_money(c, o, "total", b->total_fen);
	view_set_money(c, o, "overdue", b->overdue_fen);
	view_set_i64(o, "max_days", b->max_days > 0 ? b->max_days : 0);
	view_set_i64(o, "orders", b->orders);
	return o;
}

static int
h_fin_aging(struct ctx *c)
{
	struct aging_report	 r;
	json_object		*v, *a, *o;
	int			 i, k, rc;

	if ((rc = aging_report(&c->d, 0, (int)query_page(c), AGING_PER_PAGE,
	    &r)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "finance");
	h_money_finance_tabs(c, v, "aging");
	json_object_object_add(v, "totals", buckets_view(c, &r.shop));
	a = json_object_new_array();
	for (k = 0; k < AGING_NBUCKETS; k++)
		json_object_array_add(a, json_object_new_string(
		    aging_bucket_label(k)));
	json_object_object_add(v, "bucket_labels", a);
	a = json_object_new_array();
	for (i = 0; i < r.n; i++) {
		o = buckets_view(c, &r.rows[i].b);
		view_set_i64(o, "customer_id", r.rows[i].customer_id);
		view_set_str(o, "customer", r.rows[i].customer);
		view_set_money(c, o, "deposit", r.rows[i].deposit_fen);
		view_set_str(o, "ledger_url", ctx_link(c, arena_printf(
		    c->d.arena, "/admin/customers/%" PRId64 "/ledger",
		    r.rows[i].customer_id)));
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "customers", a);
	view_set_i64(v, "companies", r.companies);
	view_set_bool(v, "empty", r.companies == 0);
	view_pager(c, v, r.companies, AGING_PER_PAGE, "/admin/finance/aging");
	c->title = "应收账龄";
	return render(c, "admin/aging");
}

static int
ledger_page(struct ctx *c, int64_t cid, int status, const char *error,
    const struct form *f)
{
	struct ledger_summary	 s;
	struct ledger_page	 p;
	struct payment_filter	 pf = { PAY_PENDING, cid, 1 };
	struct payment_page	 pp;
	json_object		*v, *a;
	int			 i, rc, acct = h_money_account_param(c);
	size_t			 k;

	if ((rc = ledger_summary(&c->d, cid, &s)) != 0 ||
	    (rc = ledger_entries(&c->d, cid, acct, (int)query_page(c),
	    LEDGER_PER_PAGE, &p)) != 0 ||
	    (rc = payment_list(&c->d, &pf, &pp)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "finance");
	json_object_object_add(v, "summary", h_money_summary_view(c, &s));
	a = json_object_new_array();
	for (i = 0; i < p.n; i++)
		json_object_array_add(a, h_money_entry_view(c, &p.rows[i]));
	json_object_object_add(v, "entries", a);
	view_set_bool(v, "empty", p.total == 0);
	view_set_i64(v, "pending_payments", pp.total);
	view_set_str(v, "pending_url", ctx_link(c, arena_printf(c->d.arena,
	    FIN "?state=pending&customer=%" PRId64, cid)));
	view_set_i64(v, "customer_id", cid);
	view_set_str(v, "customer_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64, cid)));
	view_set_str(v, "adjust_action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "/ledger", cid)));
	view_set_bool(v, "may_adjust", may_decide(c));
	view_set_bool(v, "on_all", acct == -1);
	view_set_bool(v, "on_ar", acct == LEDGER_AR);
	view_set_bool(v, "on_deposit", acct == LEDGER_DEPOSIT);
	view_pager(c, v, p.total, LEDGER_PER_PAGE, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "/ledger%s", cid, acct == LEDGER_AR ?
	    "?account=ar" : acct == LEDGER_DEPOSIT ? "?account=deposit" : ""));
	for (k = 0; adjust_fields[k].name != NULL; k++)
		view_set_str(v, adjust_fields[k].name, req_param(c,
		    adjust_fields[k].name));
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	view_set_str(v, "error", error);
	if (status != 0)
		c->status = status;
	c->title = "客户账户";
	return render(c, "admin/ledger");
}

static int
h_fin_ledger(struct ctx *c)
{
	return ledger_page(c, route_cap(c, 0), 0, NULL, NULL);
}

static int
h_fin_adjust(struct ctx *c)
{
	struct form		 f;
	int64_t			 cid = route_cap(c, 0), amount;
	const char		*acct, *dir, *kind;
	enum ledger_kind	 k;
	int			 rc;

	form_parse(c, adjust_fields, &f);
	acct = f.v[A_ACCOUNT].s;
	dir = f.v[A_DIRECTION].s;
	kind = f.v[A_KIND].s;
	if (f.v[A_ACCOUNT].present && strcmp(acct, "ar") != 0 &&
	    strcmp(acct, "deposit") != 0)
		form_error(c, &f, "account", "账户", "请选择应付或预存款");
	if (f.v[A_DIRECTION].present && strcmp(dir, "up") != 0 &&
	    strcmp(dir, "down") != 0)
		form_error(c, &f, "direction", "方向", "请选择增加或减少");
	if (f.v[A_KIND].present && strcmp(kind, "adjustment") != 0 &&
	    strcmp(kind, "credit_note") != 0)
		form_error(c, &f, "kind", "类型", "请选择调整或贷项");
	if (f.error != NULL) {
		if (c->json_out)
			return http_fail(c, ERR_INVALID, f.error);
		return ledger_page(c, cid, 400, "请按提示修改后再提交", &f);
	}
	k = strcmp(kind, "credit_note") == 0 ? LK_CREDIT_NOTE : LK_ADJUSTMENT;
	amount = strcmp(dir, "down") == 0 ? -f.v[A_AMOUNT].i64 :
	    f.v[A_AMOUNT].i64;
	if ((rc = ledger_adjust(&c->d, cid, strcmp(acct, "ar") == 0 ?
	    LEDGER_AR : LEDGER_DEPOSIT, amount, k, f.v[A_NOTE].s)) != 0) {
		if (c->json_out || rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
			return http_fail(c, rc, c->d.error);
		return ledger_page(c, cid, err_status(rc), c->d.error, NULL);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "/ledger?done=ledger_adjust", cid)));
}

static int
h_wxpay_refund(struct ctx *c)
{
	struct wxpay_paid	 w;
	struct form		 f;
	int64_t			 payment = route_cap(c, 0), id;
	int			 rc;

	if ((rc = wxpay_of_payment(&c->d, payment, &w)) != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ?
		    "这笔付款不是微信支付" : c->d.error);
	form_parse(c, refund_fields, &f);
	if (f.error != NULL)
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    h_money_fin_payment_page(c, payment, 400, f.error, &f);
	rc = wxpay_refund(&c->d, w.txn_id, f.v[R_AMOUNT].i64, f.v[R_REASON].s,
	    h_wxpay_notify_url(c), &id);
	if (rc != 0 && rc != ERR_UNAVAILABLE) {
		if (c->json_out || rc == ERR_FORBIDDEN || rc == ERR_INTERNAL)
			return http_fail(c, rc, c->d.error);
		return h_money_fin_payment_page(c, payment, err_status(rc),
		    c->d.error, NULL);
	}
	if (c->json_out) {
		json_object *v = view_new(c);

		view_set_i64(v, "refund_id", id);
		view_set_bool(v, "pending", rc == ERR_UNAVAILABLE);
		return render_json_ok(c, rc == 0 ? 201 : 202);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/finance/payments/%" PRId64 "?done=%s", payment,
	    rc == 0 ? "refund_sent" : "refund_pending")));
}

#define PAYID	"^" FIN "/([0-9]{1,18})"
#define W	(ROUTE_STAFF | ROUTE_CSRF)
const struct route h_admin_finance_routes[] = {
	{ "GET", "^" FIN "$", h_fin_payments, ROUTE_STAFF,
	  ADMIN_ROLES_FINANCE },
	{ "GET", PAYID "$", h_fin_payment, ROUTE_STAFF, ADMIN_ROLES_FINANCE },
	{ "GET", PAYID "/proof$", h_money_proof, ROUTE_STAFF,
	  ADMIN_ROLES_FINANCE },
	{ "POST", PAYID "/confirm$", h_fin_confirm, W, PAYMENT_DECIDE_ROLES },
	{ "POST", PAYID "/reject$", h_fin_reject, W, PAYMENT_DECIDE_ROLES },
	{ "POST", PAYID "/refund$", h_wxpay_refund, W, WXPAY_ADMIN_ROLES },
	{ "GET", "^/admin/finance/aging$", h_fin_aging, ROUTE_STAFF,
	  ADMIN_ROLES_FINANCE },
	{ "GET", "^/admin/customers/([0-9]{1,18})/ledger$", h_fin_ledger,
	  ROUTE_STAFF, ADMIN_ROLES_FINANCE },
	{ "POST", "^/admin/customers/([0-9]{1,18})/ledger$", h_fin_adjust, W,
	  PAYMENT_DECIDE_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
