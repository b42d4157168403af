/*
 * h_money.c -- a company's money, as its users see it (H5 and /api/v1):
 * the account (应付, 预存款, 信用额度, 逾期) with its ledger a page at a
 * time, the payments it has recorded, recording a bank transfer with
 * its proof (付款登记), and paying an order from the deposit. The domain
 * (ledger*.c, payment*.c) keeps each company to its own; the account
 * page shows the summary through h_money_account_view().
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/image.h"
#include "domain/ledger.h"
#include "domain/order.h"
#include "domain/payment.h"
#include "domain/wxpay_order.h"
#include "domain/customer.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "handlers/h_money.h"

#define LEDGER_PER_PAGE	20

enum { F_PURPOSE, F_AMOUNT, F_PAID_ON, F_ACCOUNT, F_REMARK };
static const struct field pay_fields[] = {
	[F_PURPOSE] =	{ "purpose", FIELD_TEXT, FIELD_REQUIRED, 1, 10,
			  "付款用途" },
	[F_AMOUNT] =	{ "amount", FIELD_MONEY, FIELD_REQUIRED, 1,
			  LEDGER_AMOUNT_MAX, "付款金额" },
	[F_PAID_ON] =	{ "paid_on", FIELD_TEXT, FIELD_REQUIRED, 10, 10,
			  "付款日期" },
	[F_ACCOUNT] =	{ "payer_account", FIELD_TEXT, 0, 0,
			  PAYMENT_ACCOUNT_MAX, "付款账户" },
	[F_REMARK] =	{ "remark", FIELD_TEXT, 0, 0, PAYMENT_REMARK_MAX,
			  "备注" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *const pay_notices[][2] = {
	{ "recorded", "付款已登记，财务确认后会计入您的账户" },
};

/* The summary object the account and ledger pages share. */
json_object *
h_money_summary_view(struct ctx *c, const struct ledger_summary *s)
{
	json_object	*o = json_object_new_object();

	view_set_money(c, o, "outstanding", s->outstanding_fen > 0 ?
	    s->outstanding_fen : 0);
	view_set_bool(o, "owes", s->outstanding_fen > 0);
	view_set_money(c, o, "deposit", s->deposit_fen);
	view_set_bool(o, "has_deposit", s->deposit_fen > 0);
	view_set_bool(o, "monthly", s->monthly);
	view_set_i64(o, "credit_days", s->credit_days);
	view_set_money(c, o, "credit_limit", s->credit_limit_fen);
	view_set_money(c, o, "credit_available", s->credit_available_fen);
	view_set_money(c, o, "overdue", s->overdue_fen);
	view_set_bool(o, "has_overdue", s->overdue_fen > 0);
	return o;
}

int
h_money_account_view(struct ctx *c, json_object *v)
{
	struct ledger_summary	 s;
	json_object		*o;
	int			 rc;

	if ((rc = ledger_summary(&c->d, 0, &s)) != 0)
		return rc;
	o = h_money_summary_view(c, &s);
	view_set_str(o, "ledger_url", ctx_link(c, "/account/ledger"));
	view_set_str(o, "payments_url", ctx_link(c, "/account/payments"));
	view_set_str(o, "statements_url", ctx_link(c, "/account/statements"));
	view_set_str(o, "invoices_url", ctx_link(c, "/account/invoices"));
	view_set_str(o, "pay_url", ctx_link(c, "/account/payments/new"));
	view_set_bool(o, "may_pay", c->d.sess.role != NULL &&
	    name_in_list(PAYMENT_USER_ROLES, c->d.sess.role));
	json_object_object_add(v, "money", o);
	return 0;
}

/* What an order has been paid and what paying the rest takes (the
 * order page of a company's user). */
int
h_money_order_view(struct ctx *c, json_object *ov, const struct order *o)
{
	struct ledger_summary	 s;
	json_object		*p = json_object_new_object();
	int64_t			 left = o->total_fen - o->paid_fen;
	int			 payable = o->state != ORDER_PENDING_APPROVAL &&
				    o->state != ORDER_CANCELLED && left > 0;
	int			 may = c->d.sess.role != NULL &&
				    name_in_list(PAYMENT_USER_ROLES,
				    c->d.sess.role);
	int			 rc;

	if ((rc = ledger_summary(&c->d, 0, &s)) != 0)
		return rc;
	view_set_money(c, p, "paid", o->paid_fen);
	view_set_money(c, p, "remaining", left > 0 ? left : 0);
	view_set_str(p, "due_on", o->due_on);
	view_set_str(p, "state", o->paid_fen <= 0 ? "unpaid" : left > 0 ?
	    "partial" : "paid");
	view_set_str(p, "state_label", o->paid_fen <= 0 ? "未付款" :
	    left > 0 ? "部分付款" : "已付清");
	view_set_bool(p, "payable", payable);
	view_set_bool(p, "may_pay", payable && may);
	view_set_money(c, p, "deposit", s.deposit_fen);
	view_set_bool(p, "deposit_usable", payable && may && s.deposit_fen > 0);
	view_set_money(c, p, "deposit_pays", s.deposit_fen < left ?
	    s.deposit_fen : left);
	view_set_str(p, "deposit_action", ctx_link(c, arena_printf(
	    c->d.arena, "/orders/%" PRId64 "/pay-deposit", o->id)));
	view_set_str(p, "pay_url", ctx_link(c, arena_printf(c->d.arena,
	    "/account/payments/new?order=%" PRId64, o->id)));
	view_set_bool(p, "wxpay_usable", payable && may &&
	    wxpay_usable(&c->d));
	view_set_str(p, "wxpay_action", ctx_link(c, arena_printf(c->d.arena,
	    "/orders/%" PRId64 "/wxpay", o->id)));
	json_object_object_add(ov, "pay", p);
	/* Its invoice request, for an order placed with an invoice. */
	if (o->invoice != INVOICE_NONE && o->invoice_state != NULL) {
		int	req = strcmp(o->invoice_state, "requested") == 0;
		int	done = strcmp(o->invoice_state, "issued") == 0;

		view_set_str(ov, "invoice_state", o->invoice_state);
		view_set_str(ov, "invoice_state_label", done ? "已开票" : req ?
		    "已申请开票" : "未申请开票");
		view_set_str(ov, "invoice_url", ctx_link(c, done || req ?
		    "/account/invoices" : arena_printf(c->d.arena,
		    "/account/invoices/new?order_id=%" PRId64, o->id)));
	}
	return 0;
}

/* One ledger entry for a page or JSON (staff and customers alike). */
json_object *
h_money_entry_view(struct ctx *c, const struct ledger_row *e)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "id", e->id);
	view_set_str(o, "account", e->account == LEDGER_AR ? "ar" : "deposit");
	view_set_str(o, "account_label", e->account == LEDGER_AR ? "应付" :
	    "预存款");
	view_set_str(o, "kind", ledger_kind_name(e->kind));
	view_set_str(o, "kind_label", ledger_kind_label(e->kind));
	view_set_money(c, o, "amount", e->amount_fen < 0 ? -e->amount_fen :
	    e->amount_fen);
	view_set_i64(o, "amount_fen", e->amount_fen);	/* signed */
	view_set_bool(o, "up", e->amount_fen > 0);
	view_set_money(c, o, "balance", e->balance_fen);
	view_set_str(o, "order_no", e->order_no);
	if (e->order_id != 0)
		view_set_i64(o, "order_id", e->order_id);
	view_set_str(o, "note", e->note != NULL && *e->note ? e->note : NULL);
	view_set_str(o, "by", e->by);
	view_set_str(o, "at", e->at);
	return o;
}

/* ?account=ar|deposit: which account's entries; -1 both. */
int
h_money_account_param(struct ctx *c)
{
	const char	*a = kv_get(&c->query, "account");

	if (a != NULL && strcmp(a, "ar") == 0)
		return LEDGER_AR;
	if (a != NULL && strcmp(a, "deposit") == 0)
		return LEDGER_DEPOSIT;
	return -1;
}

static int
h_ledger(struct ctx *c)
{
	struct ledger_summary	 s;
	struct ledger_page	 p;
	json_object		*v, *a;
	int			 i, rc, acct = h_money_account_param(c);
	int64_t			 page = query_page(c);

	if ((rc = ledger_summary(&c->d, 0, &s)) != 0 ||
	    (rc = ledger_entries(&c->d, 0, acct, (int)page, LEDGER_PER_PAGE,
	    &p)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	json_object_object_add(v, "summary", h_money_summary_view(c, &s));
	a = json_object_new_array();
	for (i = 0; i < p.n; i++)
		json_object_array_add(a, h_money_entry_view(c, &p.rows[i]));
	json_object_object_add(v, "entries", a);
	view_set_bool(v, "empty", p.total == 0);
	view_set_str(v, "account", acct == LEDGER_AR ? "ar" :
	    acct == LEDGER_DEPOSIT ? "deposit" : "");
	view_set_bool(v, "on_all", acct == -1);
	view_set_bool(v, "on_ar", acct == LEDGER_AR);
	view_set_bool(v, "on_deposit", acct == LEDGER_DEPOSIT);
	view_pager(c, v, p.total, LEDGER_PER_PAGE, acct == LEDGER_AR ?
	    "/account/ledger?account=ar" : acct == LEDGER_DEPOSIT ?
	    "/account/ledger?account=deposit" : "/account/ledger");
	view_set_str(v, "payments_url", ctx_link(c, "/account/payments"));
	view_set_str(v, "pay_url", ctx_link(c, "/account/payments/new"));
	c->title = "账户明细";
	return render(c, "ledger");
}

/* A payment for a list or its page; base: its link's prefix. */
json_object *
h_money_payment_view(struct ctx *c, const struct payment_row *p,
    const char *base)
{
	json_object	*o = json_object_new_object(), *a, *x;
	int		 i;

	view_set_i64(o, "id", p->id);
	view_set_str(o, "customer", p->customer);
	view_set_i64(o, "customer_id", p->customer_id);
	view_set_str(o, "state", payment_state_name(p->state));
	view_set_str(o, "state_label", payment_state_label(p->state));
	view_set_bool(o, "pending", p->state == PAY_PENDING);
	view_set_bool(o, "rejected", p->state == PAY_REJECTED);
	view_set_bool(o, "confirmed", p->state == PAY_CONFIRMED);
	view_set_str(o, "method_label", payment_method_label(p->method));
	view_set_str(o, "purpose", p->purpose == PP_DEPOSIT ? "deposit" :
	    "orders");
	view_set_str(o, "purpose_label", p->purpose == PP_DEPOSIT ?
	    "充值预存款" : "支付订单");
	view_set_money(c, o, "amount", p->amount_fen);
	if (p->state == PAY_CONFIRMED && p->to_deposit_fen > 0)
		view_set_money(c, o, "to_deposit", p->to_deposit_fen);
	view_set_str(o, "paid_on", p->paid_on);
	view_set_str(o, "payer_account", p->payer_account);
	view_set_str(o, "remark", p->remark);
	view_set_str(o, "reason", p->reason != NULL && *p->reason ?
	    p->reason : NULL);
	view_set_str(o, "by", p->by);
	view_set_str(o, "decided_by", p->decided_by);
	view_set_str(o, "decided_at", p->decided_at);
	view_set_str(o, "created", p->created);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/%" PRId64, base, p->id)));
	if (p->has_proof) {
		view_set_str(o, "proof_url", ctx_link(c, arena_printf(
		    c->d.arena, "%s/%" PRId64 "/proof", base, p->id)));
		view_set_str(o, "proof_thumb", ctx_link(c, arena_printf(
		    c->d.arena, "%s/%" PRId64 "/proof?thumb=1", base, p->id)));
	}
	if (p->allocs != NULL) {
		a = json_object_new_array();
		for (i = 0; i < p->nallocs; i++) {
			x = json_object_new_object();
			view_set_i64(x, "order_id", p->allocs[i].order_id);
			view_set_str(x, "order_no", p->allocs[i].order_no);
			view_set_money(c, x, "amount", p->allocs[i].amount_fen);
			json_object_array_add(a, x);
		}
		json_object_object_add(o, "allocations", a);
		view_set_bool(o, "has_allocations", p->nallocs > 0);
	}
	if (p->named != NULL) {
		a = json_object_new_array();
		for (i = 0; i < p->nnamed; i++)
			json_object_array_add(a, json_object_new_string(
			    p->named[i] ? p->named[i] : ""));
		json_object_object_add(o, "named_orders", a);
		view_set_bool(o, "has_named", p->nnamed > 0);
	}
	return o;
}

static int
h_payments(struct ctx *c)
{
	struct payment_filter	 f = { -1, 0, (int)query_page(c) };
	struct payment_page	 p;
	json_object		*v, *a;
	int			 i, rc;

	if ((rc = payment_list(&c->d, &f, &p)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	a = json_object_new_array();
	for (i = 0; i < p.n; i++)
		json_object_array_add(a, h_money_payment_view(c, &p.rows[i],
		    "/account/payments"));
	json_object_object_add(v, "payments", a);
	view_set_bool(v, "empty", p.total == 0);
	view_set_i64(v, "pending", p.pending);
	view_pager(c, v, p.total, PAYMENT_PER_PAGE, "/account/payments");
	view_set_str(v, "pay_url", ctx_link(c, "/account/payments/new"));
	view_set_str(v, "ledger_url", ctx_link(c, "/account/ledger"));
	view_set_bool(v, "may_pay", c->d.sess.role != NULL &&
	    name_in_list(PAYMENT_USER_ROLES, c->d.sess.role));
	c->title = "付款记录";
	return render(c, "payments");
}

static int
h_payment(struct ctx *c)
{
	struct payment_row	 p;
	json_object		*v;
	int64_t			 id = route_cap(c, 0);
	int			 rc;

	if ((rc = payment_get(&c->d, id, &p)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	json_object_object_add(v, "payment", h_money_payment_view(c, &p,
	    "/account/payments"));
	view_set_str(v, "flash", REQ_NOTICE(c, pay_notices));
	view_set_str(v, "payments_url", ctx_link(c, "/account/payments"));
	c->title = "付款详情";
	return render(c, "payment");
}

/* GET …/{id}/proof[?thumb=1]: the proof image, read out by the worker
 * for the payment's readers only. */
int
h_money_proof(struct ctx *c)
{
	const char	*q = kv_get(&c->query, "thumb"), *type;
	int64_t		 id = route_cap(c, 0);
	int		 thumb = q != NULL && strcmp(q, "1") == 0, rc;

	c->body.len = 0;
	if ((rc = payment_proof_read(&c->d, id, thumb, &c->body)) != 0 ||
	    (type = image_type(c->body.p, c->body.len)) == NULL) {
		c->body.len = 0;
		return http_fail(c, rc != 0 ? rc : ERR_NOT_FOUND, "没有这张凭证");
	}
	c->status = 200;
	c->ctype = arena_printf(c->d.arena, "image/%s", type);
	http_header(c, "Cache-Control", "private, no-store");
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "inline; filename=\"payment-%" PRId64 "%s.%s\"", id, thumb ?
	    "-thumb" : "", strcmp(type, "jpeg") == 0 ? "jpg" : type));
	return c->status;
}

/* The orders the company can pay, each with its checkbox. */
json_object *
h_money_payables_view(struct ctx *c, const struct payable *v, int n,
    const struct kvlist *chosen)
{
	json_object	*a = json_object_new_array(), *o;
	int		 i, j;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", v[i].id);
		view_set_str(o, "order_no", v[i].order_no);
		view_set_str(o, "placed", v[i].placed);
		view_set_str(o, "due_on", v[i].due_on);
		view_set_money(c, o, "total", v[i].total_fen);
		view_set_money(c, o, "paid", v[i].paid_fen);
		view_set_money(c, o, "remaining", v[i].total_fen -
		    v[i].paid_fen);
		for (j = 0; chosen != NULL && j < chosen->n; j++)
			if (strcmp(chosen->v[j].name, "order_id") == 0 &&
			    strtoll(chosen->v[j].value, NULL, 10) == v[i].id)
				view_set_bool(o, "checked", 1);
		json_object_array_add(a, o);
	}
	return a;
}

static int
pay_form(struct ctx *c, const struct form *f, int status, const char *error)
{
	struct ledger_summary	 s;
	struct payable		*v;
	struct kvlist		 pre = { 0 };
	json_object		*view;
	const char		*order = kv_get(&c->query, "order");
	char			 today[11];
	int			 n, rc;
	size_t			 i;

	if ((rc = payment_payables(&c->d, 0, &v, &n)) != 0 ||
	    (rc = ledger_summary(&c->d, 0, &s)) != 0)
		return http_fail(c, rc, c->d.error);
	order_cn_day(time(NULL), 0, today, sizeof(today), "%Y-%m-%d");
	view = view_new(c);
	if (f == NULL && order != NULL)
		kv_add(c->d.arena, &pre, "order_id", order, strlen(order));
	json_object_object_add(view, "orders", h_money_payables_view(c, v, n,
	    f != NULL ? &c->form : &pre));
	view_set_bool(view, "no_orders", n == 0);
	json_object_object_add(view, "summary", h_money_summary_view(c, &s));
	for (i = 0; pay_fields[i].name != NULL; i++)
		view_set_str(view, pay_fields[i].name, req_param(c,
		    pay_fields[i].name));
	if (req_param(c, "paid_on") == NULL)
		view_set_str(view, "paid_on", today);
	view_set_str(view, "today", today);
	view_set_bool(view, "deposit", (req_param(c, "purpose") != NULL &&
	    strcmp(req_param(c, "purpose"), "deposit") == 0) ||
	    (f == NULL && n == 0));
	view_set_str(view, "action", ctx_link(c, "/account/payments"));
	view_set_i64(view, "proof_max_mb", conf.max_upload / 1048576);
	if (f != NULL && f->errors != NULL)
		json_object_object_add(view, "errors",
		    json_object_get(f->errors));
	view_set_str(view, "error", error);
	view_set_bool(view, "proof_again", f != NULL);
	if (status != 0)
		c->status = status;
	c->title = "登记付款";
	return render(c, "payment_new");
}

static int
h_payment_new(struct ctx *c)
{
	if (c->d.sess.role == NULL ||
	    !name_in_list(PAYMENT_USER_ROLES, c->d.sess.role))
		return http_fail(c, ERR_FORBIDDEN, "只有采购和财务可以登记付款");
	return pay_form(c, NULL, 0, NULL);
}

/*
 * The ids the form names in field name (repeated), at most max kept;
 * how many it names (more than max: too many). One that is not an id is
 * kept as -1, which no row has: the domain answers it as not found.
 */
int
h_money_ids(struct ctx *c, const char *name, int64_t **out, int max)
{
	const char	*why;
	int64_t		 id;
	int		 i, n = 0;

	*out = arena_calloc(c->d.arena, (size_t)max + 1, sizeof(**out));
	for (i = 0; i < c->form.n; i++) {
		if (strcmp(c->form.v[i].name, name) != 0)
			continue;
		if (n > max)
			return n;
		if (parse_i64(c->form.v[i].value, 1, INT64_MAX, &id, &why) == -1)
			id = -1;
		(*out)[n < max ? n : max] = id;
		n++;
	}
	return n;
}

static int
h_payment_post(struct ctx *c)
{
	const struct upload	*u = admin_upload(c, "proof");
	struct payment_in	 in;
	struct field_errs	 fe;
	struct form		 f;
	int64_t			*ids, id;
	const char		*purpose;
	int			 i, rc, n;

	memset(&in, 0, sizeof(in));
	memset(&fe, 0, sizeof(fe));
	form_parse(c, pay_fields, &f);
	purpose = f.v[F_PURPOSE].s;
	if (f.v[F_PURPOSE].present && strcmp(purpose, "orders") != 0 &&
	    strcmp(purpose, "deposit") != 0)
		form_error(c, &f, "purpose", "付款用途", "请选择支付订单或充值"
		    "预存款");
	n = h_money_ids(c, "order_id", &ids, PAYMENT_ORDERS_MAX);
	in.purpose = purpose != NULL && strcmp(purpose, "deposit") == 0 ?
	    PP_DEPOSIT : PP_ORDERS;
	in.amount_fen = f.v[F_AMOUNT].i64;
	in.paid_on = f.v[F_PAID_ON].s;
	in.payer_account = f.v[F_ACCOUNT].s ? f.v[F_ACCOUNT].s : "";
	in.remark = f.v[F_REMARK].s ? f.v[F_REMARK].s : "";
	in.orders = in.purpose == PP_ORDERS ? ids : NULL;
	in.norders = in.purpose == PP_ORDERS ? n : 0;
	if (u != NULL && u->len > 0) {
		in.proof = u->data;
		in.proof_len = u->len;
	}
	if (f.error == NULL) {
		rc = payment_record(&c->d, &in, &fe, &id);
		if (rc == 0 && c->json_out) {
			json_object *v = view_new(c);

			view_set_i64(v, "id", id);
			view_set_str(v, "state", "pending");
			view_set_str(v, "url", ctx_link(c, arena_printf(
			    c->d.arena, "/account/payments/%" PRId64, id)));
			return render_json_ok(c, 201);
		}
		if (rc == 0)
			return http_see_other(c, "%s", ctx_link(c,
			    arena_printf(c->d.arena, "/account/payments/%"
			    PRId64 "?done=recorded", id)));
		if (rc != ERR_INVALID)
			return http_fail(c, rc, c->d.error);
	} else if (in.proof == NULL)
		field_errs_add(&fe, "proof", "付款凭证",
		    "请上传转账截图或回单照片");
	for (i = 0; i < fe.n; i++)
		form_error(c, &f, fe.v[i].name, fe.v[i].label, fe.v[i].why);
	clog_info(&c->d, "payment refused: %s", f.error ? f.error : "");
	if (c->json_out) {
		json_object *err = json_object_new_object();

		view_set_str(err, "code", c->d.code ? c->d.code : "invalid");
		view_set_str(err, "message", f.error);
		if (f.errors != NULL)
			json_object_object_add(err, "fields",
			    json_object_get(f.errors));
		c->status = 400;
		return http_json_error(c, err);
	}
	return pay_form(c, &f, 400, "请按提示修改后再提交");
}

static int
h_pay_deposit(struct ctx *c)
{
	int64_t	id = route_cap(c, 0), paid;
	int	rc;

	if ((rc = payment_pay_deposit(&c->d, id, &paid)) != 0)
		return http_fail(c, rc, c->d.error);
	if (c->json_out) {
		json_object *v = view_new(c);

		view_set_i64(v, "order_id", id);
		view_set_i64(v, "paid_fen", paid);
		view_set_money(c, v, "paid", paid);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/orders/%" PRId64 "?done=deposit_paid", id)));
}

#define API	"^(?:/api/v1)?"
#define PAY	API "/account/payments/([0-9]{1,18})"
#define C	ROUTE_CUSTOMER
const struct route h_money_routes[] = {
	{ "GET", API "/account/ledger$", h_ledger, C, NULL },
	{ "GET", API "/account/payments$", h_payments, C, NULL },
	{ "GET", API "/account/payments/new$", h_payment_new, C, NULL },
	{ "POST", API "/account/payments$", h_payment_post, C | ROUTE_CSRF,
	  NULL },
	{ "GET", PAY "$", h_payment, C, NULL },
	{ "GET", PAY "/proof$", h_money_proof, C, NULL },
	{ "POST", API "/orders/([0-9]{1,18})/pay-deposit$", h_pay_deposit,
	  C | ROUTE_CSRF, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
