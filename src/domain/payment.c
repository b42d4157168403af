/*
 * payment.c -- a company pays: the orders it can still pay, an offline
 * transfer recorded with its proof (pending until finance confirms it,
 * payment_decide.c), and an order paid at once from the deposit. A user
 * pays for their own company only; staff record for a company in their
 * customer scope. Nothing is written on a refusal.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/customer.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/ledger.h"
#include "domain/order.h"
#include "domain/order_rows.h"
#include "domain/pricing.h"
#include "domain/payment.h"
#include "domain/payment_rows.h"
#include "domain/scope.h"
#include "domain/session.h"

static const char sql_payables[] =
    PAYABLE_COLS "WHERE shop_id = ? AND customer_id = ? AND state IN "
    PAYABLE_STATES " AND paid_fen < total_fen ORDER BY due_on, id LIMIT 200";
static const char sql_payable_lock[] = PAYABLE_LOCK;
/* What all the company's payable orders still owe (not only a page). */
static const char sql_owed[] =
    "SELECT COALESCE(SUM(total_fen - paid_fen), 0) FROM sales_order "
    "WHERE shop_id = ? AND customer_id = ? AND state IN " PAYABLE_STATES
    " AND paid_fen < total_fen";
static const char sql_company[] =
    "SELECT id FROM customer WHERE id = ? AND shop_id = ? "
    "AND status = 'active'";
static const char sql_insert[] =
    "INSERT INTO payment (shop_id, customer_id, customer_user_id, staff_id, "
    "method, purpose, amount_fen, paid_on, payer_account, remark, "
    "proof_path, proof_thumb, state, decided_by, decided_at) VALUES (?, ?, "
    "NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0), "
    "IF(? = 'pending', NULL, NOW(3)))";
static const char sql_named[] =
    "INSERT INTO payment_order (shop_id, payment_id, order_id) "
    "VALUES (?, ?, ?)";

static const char *const state_names[] = { "pending", "confirmed",
	"rejected" };

const char *
payment_state_name(enum payment_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "";
}

const char *
payment_state_label(enum payment_state s)
{
	static const char *const labels[] = { "待确认", "已确认", "已驳回" };

	return (unsigned)s < 3 ? labels[s] : "";
}

int
payment_state_parse(const char *s)
{
	return name_pos(state_names, 3, s);
}

const char *
payment_method_label(enum payment_method m)
{
	static const char *const labels[] = { "银行转账", "预存款", "微信支付",
	    "现金" };

	return (unsigned)m < sizeof(labels) / sizeof(labels[0]) ? labels[m] : "";
}

void
payable_of(const struct db_res *r, int i, struct payable *p)
{
	p->id = db_cell_i64(r, i, 0);
	p->customer_id = db_cell_i64(r, i, 1);
	p->order_no = db_cell(r, i, 2);
	p->state = db_cell(r, i, 3);
	p->placed = db_cell(r, i, 4);
	p->due_on = db_cell(r, i, 5);
	p->total_fen = db_cell_i64(r, i, 6);
	p->paid_fen = db_cell_i64(r, i, 7);
	p->ar_fen = db_cell_i64(r, i, 8);
}

/*
 * The company the actor pays for: a user's own, or for staff the given
 * one if it is active and in their scope. 0 or ERR_NOT_FOUND.
 */
int
payment_company(struct dctx *c, int64_t given, int64_t *out)
{
	struct db_res	*r;
	int		 rc;

	*out = 0;
	if (c->sess.kind == SESS_CUSTOMER) {
		*out = c->sess.customer_id;
		return *out != 0 ? 0 : ERR_NOT_FOUND;
	}
	if (c->sess.kind != SESS_STAFF || given <= 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_company, "ii", given, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0 || (rc = scope_customer(c, given)) != 0) {
		c->error = "没有这个客户";
		return ERR_NOT_FOUND;
	}
	*out = given;
	return 0;
}

/* The company's orders that can still be paid, oldest due first. */
int
payment_payables(struct dctx *c, int64_t given, struct payable **out, int *n)
{
	struct db_res	*r;
	int64_t		 cid;
	int		 i, rc;

	*out = NULL;
	*n = 0;
	if ((rc = payment_company(c, given, &cid)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_payables, "ii", c->shop->id, cid) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++)
		payable_of(r, i, &(*out)[i]);
	*n = r->nrows;
	return 0;
}

struct rec {
	const struct payment_in	*in;
	struct field_errs	*fe;
	int64_t			 customer_id;
	struct image_info	 img;
	int			 has_img;
	int64_t			 id;
};

/* The named orders: the company's, payable, not named twice, and the
 * amount within what they still owe. */
static int
named_check(struct dctx *c, struct rec *a, int64_t *owed)
{
	const struct payment_in	*in = a->in;
	struct db_res		*r;
	struct payable		 p;
	int			 i, j;

	*owed = 0;
	for (i = 0; i < in->norders; i++) {
		for (j = 0; j < i; j++)
			if (in->orders[j] == in->orders[i]) {
				field_errs_add(a->fe, "order_id", "订单",
				    "同一订单选了两次");
				return ERR_INVALID;
			}
		if (db_run(c->arena, &r, sql_payable_lock, "iii", in->orders[i],
		    c->shop->id, a->customer_id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "没有这张订单";
			return ERR_NOT_FOUND;
		}
		payable_of(r, 0, &p);
		if (!order_state_payable(p.state) || p.paid_fen >= p.total_fen) {
			field_errs_add(a->fe, "order_id", "订单", arena_printf(
			    c->arena, "订单 %s 现在无需付款", p.order_no ?
			    p.order_no : ""));
			return ERR_INVALID;
		}
		*owed += p.total_fen - p.paid_fen;
	}
	return 0;
}

static int
amount_check(struct dctx *c, struct rec *a)
{
	const struct payment_in	*in = a->in;
	struct db_res		*r;
	int64_t			 owed = 0;
	int			 rc;

	if (in->purpose == PP_DEPOSIT)
		return 0;
	if (in->norders > 0) {
		if ((rc = named_check(c, a, &owed)) != 0)
			return rc;
	} else {
		if (db_run(c->arena, &r, sql_owed, "ii", c->shop->id,
		    a->customer_id) == -1)
			return ERR_INTERNAL;
		owed = db_cell_i64(r, 0, 0);
	}
	if (in->amount_fen <= owed)
		return 0;
	c->code = "above_outstanding";
	field_errs_add(a->fe, "amount", "付款金额", owed == 0 ?
	    "现在没有待付款的订单；如要预存，请选「充值预存款」" :
	    arena_printf(c->arena, "超过%s待付金额 ¥%s；多付的部分请选「充值"
	    "预存款」", in->norders > 0 ? "所选订单的" : "",
	    fmt_yuan_grouped(c->arena, owed)));
	return ERR_INVALID;
}

static int
tx_record(struct dctx *c, void *arg)
{
	struct rec		*a = arg;
	const struct payment_in	*in = a->in;
	struct db_res		*r;
	int			 i, rc;

	a->fe->n = 0;
	c->code = NULL;
	if ((rc = amount_check(c, a)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_insert, "iiiississssssis", c->shop->id,
	    a->customer_id, c->sess.kind == SESS_CUSTOMER ? c->sess.user_id :
	    0, c->sess.kind == SESS_STAFF ? c->sess.user_id : 0, "transfer",
	    in->purpose == PP_DEPOSIT ? "deposit" : "orders", in->amount_fen,
	    in->paid_on, in->payer_account, in->remark,
	    a->has_img ? a->img.path : NULL, a->has_img ? a->img.thumb : NULL,
	    "pending", (int64_t)0, "pending") == -1)
		return ERR_INTERNAL;
	a->id = (int64_t)r->insert_id;
	for (i = 0; in->purpose == PP_ORDERS && i < in->norders; i++)
		if (db_run(c->arena, NULL, sql_named, "iii", c->shop->id, a->id,
		    in->orders[i]) == -1)
			return ERR_INTERNAL;
	return audit(c, "payment.record", "payment=%" PRId64 " customer=%"
	    PRId64 " amount=%s purpose=%s orders=%d", a->id, a->customer_id,
	    fmt_yuan(c->arena, in->amount_fen), in->purpose == PP_DEPOSIT ?
	    "deposit" : "orders", in->norders) != 0 ? ERR_INTERNAL : 0;
}

/* The form's own checks, beyond the handler's field table. */
static int
input_check(struct dctx *c, const struct payment_in *in,
    struct field_errs *fe, time_t now)
{
	const char *why;
	char	 today[11], first[11];
	int	 n = fe->n;

	order_cn_day(now, 0, today, sizeof(today), "%Y-%m-%d");
	order_cn_day(now, -366, first, sizeof(first), "%Y-%m-%d");
	if (in->amount_fen <= 0)
		field_errs_add(fe, "amount", "付款金额", "应大于 0");
	else if (in->amount_fen > LEDGER_AMOUNT_MAX)
		field_errs_add(fe, "amount", "付款金额", "金额太大");
	if (in->paid_on == NULL || *in->paid_on == '\0')
		field_errs_add(fe, "paid_on", "付款日期", "请填写");
	else if (order_day_valid(in->paid_on, &why) == -1)
		field_errs_add(fe, "paid_on", "付款日期", why);
	else if (strcmp(in->paid_on, today) > 0)
		field_errs_add(fe, "paid_on", "付款日期", "不能晚于今天");
	else if (strcmp(in->paid_on, first) < 0)
		field_errs_add(fe, "paid_on", "付款日期", "不能早于一年前");
	if (in->proof == NULL || in->proof_len == 0)
		field_errs_add(fe, "proof", "付款凭证", "请上传转账截图或回单照片");
	if (in->norders > PAYMENT_ORDERS_MAX)
		field_errs_add(fe, "order_id", "订单", arena_printf(c->arena,
		    "一次最多 %d 张订单", PAYMENT_ORDERS_MAX));
	return fe->n > n ? ERR_INVALID : 0;
}

/*
 * Record an offline transfer for the actor's company (staff: for
 * in->customer_id): checked, its proof re-encoded under private_dir, and
 * pending. *id is the payment; ERR_INVALID with fe (c->code
 * "above_outstanding" for an amount over what is owed).
 */
int
payment_record(struct dctx *c, const struct payment_in *in,
    struct field_errs *fe, int64_t *id)
{
	struct rec	 a = { in, fe, 0, { "", "", 0, 0 }, 0, 0 };
	int		 rc;

	*id = 0;
	if (c->sess.kind == SESS_CUSTOMER && (c->sess.role == NULL ||
	    !name_in_list(PAYMENT_USER_ROLES, c->sess.role))) {
		c->error = "只有采购和财务可以登记付款";
		return ERR_FORBIDDEN;
	}
	if ((rc = payment_company(c, in->customer_id, &a.customer_id)) != 0)
		return rc;
	if (input_check(c, in, fe, time(NULL)) != 0)
		return ERR_INVALID;
	if ((rc = image_store_at(c, IMAGE_PRIVATE, c->shop->id, in->proof,
	    in->proof_len, &a.img)) != 0) {
		field_errs_add(fe, "proof", "付款凭证", c->error ? c->error :
		    "图片无法识别，请上传 JPEG、PNG 或 WebP 图片");
		return ERR_INVALID;
	}
	a.has_img = 1;
	if ((rc = db_tx_run(c, tx_record, &a)) != 0) {
		image_remove_at(c, IMAGE_PRIVATE, a.img.path);
		image_remove_at(c, IMAGE_PRIVATE, a.img.thumb);
		return rc;
	}
	*id = a.id;
	clog_info(c, "payment %" PRId64 " recorded customer=%" PRId64
	    " amount=%s", a.id, a.customer_id, fmt_yuan(c->arena,
	    in->amount_fen));
	return 0;
}

struct dep {
	int64_t		 order_id;
	int64_t		 paid;
};

static int
tx_deposit(struct dctx *c, void *arg)
{
	struct dep		*d = arg;
	struct ledger_post	 use;
	struct db_res		*r;
	struct payable		 p;
	char			 today[11];
	int64_t			 dep, amount, pay;
	int			 rc;

	d->paid = 0;
	c->code = NULL;
	if (db_run(c->arena, &r, sql_payable_lock, "iii", d->order_id,
	    c->shop->id, c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "订单不存在";
		return ERR_NOT_FOUND;
	}
	payable_of(r, 0, &p);
	if (p.paid_fen >= p.total_fen) {
		c->error = "这张订单已经付清";
		c->code = "already_paid";
		return ERR_CONFLICT;
	}
	if (!order_state_payable(p.state)) {
		c->error = "这张订单现在不能付款";
		c->code = "not_payable";
		return ERR_CONFLICT;
	}
	if ((rc = ledger_lock(c, p.customer_id, NULL, &dep)) != 0)
		return rc;
	if (dep <= 0) {
		c->error = "预存款余额为 0";
		c->code = "no_deposit";
		return ERR_CONFLICT;
	}
	amount = p.total_fen - p.paid_fen;
	if (amount > dep)
		amount = dep;
	order_cn_day(time(NULL), 0, today, sizeof(today), "%Y-%m-%d");
	if (db_run(c->arena, &r, sql_insert, "iiiississssssis", c->shop->id,
	    p.customer_id, c->sess.user_id, (int64_t)0, "deposit", "orders",
	    amount, today, "", "", NULL, NULL, "confirmed", (int64_t)0,
	    "confirmed") == -1)
		return ERR_INTERNAL;
	pay = (int64_t)r->insert_id;
	use = (struct ledger_post){ p.customer_id, LEDGER_DEPOSIT,
	    LK_DEPOSIT_USE, -amount, p.id, pay, NULL };
	if ((rc = ledger_post(c, &use)) != 0 ||
	    (rc = ledger_allocate(c, pay, &p, amount)) != 0)
		return rc;
	d->paid = amount;
	return audit(c, "payment.deposit", "payment=%" PRId64 " order=%"
	    PRId64 " amount=%s", pay, p.id, fmt_yuan(c->arena, amount)) != 0 ?
	    ERR_INTERNAL : 0;
}

/*
 * Pay the actor's company's order from its deposit: what it still owes,
 * or all the deposit has. Two taps at once pay once: the second finds it
 * paid (ERR_CONFLICT "already_paid") or pays only what is left.
 */
int
payment_pay_deposit(struct dctx *c, int64_t order, int64_t *paid)
{
	struct dep	d = { order, 0 };
	int		rc;

	*paid = 0;
	if (c->sess.kind != SESS_CUSTOMER || c->sess.customer_id == 0)
		return ERR_NOT_FOUND;
	if (c->sess.role == NULL ||
	    !name_in_list(PAYMENT_USER_ROLES, c->sess.role)) {
		c->error = "只有采购和财务可以付款";
		return ERR_FORBIDDEN;
	}
	if ((rc = db_tx_run(c, tx_deposit, &d)) != 0)
		return rc;
	*paid = d.paid;
	clog_info(c, "order %" PRId64 " paid %s from deposit", order,
	    fmt_yuan(c->arena, d.paid));
	return 0;
}
