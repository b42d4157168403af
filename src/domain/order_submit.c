/*
 * order_submit.c -- checkout and submit. The preview prices the actor's
 * cart from the database and says what each kind of invoice would cost;
 * submit does it again inside one transaction and places the order: the
 * SKUs' stock taken in ascending id order (conditional UPDATEs: never
 * oversold), a monthly order's total charged to the company's balance row
 * under the credit limit, then the order, its lines and movements in one
 * statement each, its first event, the ordered lines out of the cart, an
 * audit row, and last the number from the shop's day counter: the one row
 * every order of a shop writes is held for two short statements and the
 * commit. The idempotency key is kept on the order row, in the same
 * commit: a replay finds the order it made (looked for only when the
 * submit would otherwise refuse, or its insert meets the key). Prices the
 * client sends are
 * never read. The lines come from a source: the actor's cart, the
 * latest version of one of their company's quotes (domain/quote.c) at
 * its prices, re-checked in the transaction like the cart's, or lines
 * given by staff ordering on a company's behalf (代客下单: the company in
 * their scope, the lines priced for it); everything else is one path,
 * for the submit's company (struct submit's customer_id, not the
 * session's). docs/orders.md has the rules; order.h the types.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/ledger.h"
#include "domain/address.h"
#include "domain/invoice.h"
#include "domain/quote.h"
#include "domain/pricing.h"
#include "domain/order.h"
#include "domain/order_rows.h"
#include "domain/stock.h"
#include "domain/approval.h"
#include "domain/scope.h"
#include "domain/channel.h"

/*
 * The company, its tax points, what it owes (read, not locked: submit
 * locks the balance when it charges it), the chosen (or default) address
 * and its first invoice profile of the chosen kind.
 */
static const char sql_party[] =
    "SELECT cu.name, cu.payment_terms, cu.credit_days, cu.credit_limit_fen, "
    "COALESCE(b.outstanding_fen, 0), sh.tax_normal_bp, sh.tax_special_bp, "
    "a.id, a.receiver, a.phone, a.region, a.address, "
    "ip.id, ip.title, ip.tax_id, ip.bank_name, ip.bank_account, ip.address, "
    "ip.phone, cu.approval_mode, cu.approve_above_fen, "
    "COALESCE(ml.min_order_fen, 0) "
    "FROM customer cu JOIN shop sh ON sh.id = cu.shop_id "
    "LEFT JOIN member_level ml ON ml.shop_id = cu.shop_id "
    "AND ml.id = cu.level_id "
    "LEFT JOIN customer_balance b ON b.shop_id = cu.shop_id "
    "AND b.customer_id = cu.id "
    "LEFT JOIN customer_address a ON a.shop_id = cu.shop_id "
    "AND a.customer_id = cu.id AND (a.id = ? OR (? = 0 AND a.is_default = 1)) "
    "LEFT JOIN invoice_profile ip ON ip.shop_id = cu.shop_id "
    "AND ip.customer_id = cu.id AND ip.kind = ? "
    "WHERE cu.id = ? AND cu.shop_id = ? AND cu.status = 'active' "
    "ORDER BY ip.id LIMIT 1";
/* A staff member's key (customer 0) may have been used for another
 * company: found, its request's fingerprint tells. */
static const char sql_replay[] =
    "SELECT id, order_no, state, total_fen, idem_hash FROM sales_order "
    "WHERE shop_id = ? AND idem_key = ? AND (? = 0 OR customer_id = ?)";
/* A locking read: the order was committed after this transaction's
 * snapshot, by the accept the inquiry row's lock waited for. */
static const char sql_replay_id[] =
    "SELECT id, order_no, state, total_fen, NULL FROM sales_order "
    "WHERE shop_id = ? AND id = ? AND customer_id = ? LOCK IN SHARE MODE";
/* The company's balance under its limit, or no row changed. */
static const char sql_charge[] =
    "UPDATE customer_balance b JOIN customer cu ON cu.id = b.customer_id "
    "AND cu.shop_id = b.shop_id SET b.outstanding_fen = b.outstanding_fen + ? "
    "WHERE b.shop_id = ? AND b.customer_id = ? "
    "AND b.outstanding_fen + ? <= cu.credit_limit_fen";
static const char sql_balance_lock[] =
    "SELECT outstanding_fen FROM customer_balance WHERE shop_id = ? "
    "AND customer_id = ? FOR UPDATE";
static const char sql_balance_add[] =
    "INSERT IGNORE INTO customer_balance (shop_id, customer_id) "
    "VALUES (?, ?)";
/* The day's next number: seq + 1 the same day, 1 on a new one. */
static const char sql_counter[] =
    "INSERT INTO order_counter (shop_id, day, seq) VALUES (?, ?, 1) "
    "ON DUPLICATE KEY UPDATE "
    "seq = LAST_INSERT_ID(IF(day = VALUES(day), seq + 1, 1)), "
    "day = VALUES(day)";
/* The order's number, taken last (018_order_number.sql). */
static const char sql_number[] =
    "UPDATE sales_order SET order_no = ?, ar_fen = ?, due_on = ? "
    "WHERE id = ?";
static const char sql_order_add[] =
    "INSERT INTO sales_order (shop_id, customer_id, "
    "customer_user_id, staff_id, channel, state, ship_receiver, ship_phone, "
    "ship_region, ship_address, invoice_type, invoice_title, invoice_tax_id, "
    "invoice_bank_name, invoice_bank_account, invoice_address, "
    "invoice_phone, tax_bp, payment_terms, delivery_date, remark, po_no, "
    "line_count, subtotal_fen, tax_fen, total_fen, idem_key, idem_hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?)";
/* Every line in one statement, from [[sku, code, name, spec, unit, qty,
 * unit_fen, source, line_fen, tax_fen], ...]. */
static const char sql_lines_add[] =
    "INSERT INTO order_line (shop_id, order_id, line_no, sku_id, sku_code, "
    "name, spec, unit, qty, unit_fen, price_source, line_fen, tax_fen) "
    "SELECT ?, ?, j.n, j.sku, j.code, j.name, j.spec, j.unit, j.qty, "
    "j.unit_fen, j.src, j.line_fen, j.tax_fen FROM JSON_TABLE(?, '$[*]' "
    "COLUMNS (n FOR ORDINALITY, sku BIGINT PATH '$[0]', "
    "code VARCHAR(64) CHARACTER SET utf8mb4 PATH '$[1]', "
    "name VARCHAR(200) CHARACTER SET utf8mb4 PATH '$[2]', "
    "spec VARCHAR(200) CHARACTER SET utf8mb4 PATH '$[3]', "
    "unit VARCHAR(10) CHARACTER SET utf8mb4 PATH '$[4]', "
    "qty INT PATH '$[5]', unit_fen BIGINT PATH '$[6]', "
    "src VARCHAR(10) PATH '$[7]', line_fen BIGINT PATH '$[8]', "
    "tax_fen BIGINT PATH '$[9]')) j";
static const char sql_cart_clear[] =
    "DELETE FROM cart_item WHERE shop_id = ? AND customer_user_id = ? "
    "AND sku_id IN (SELECT sku_id FROM order_line WHERE shop_id = ? "
    "AND order_id = ?)";

/* The company as checkout and submit need it. */
struct party {
	int64_t			 id;		/* the company's */
	const char		*name;
	int			 credit;	/* monthly with a limit */
	int64_t			 credit_days;
	int64_t			 limit_fen;
	int64_t			 outstanding_fen;
	int64_t			 tax_bp[INVOICE_NKINDS];
	int64_t			 address_id;	/* 0: none found */
	const char		*receiver;
	const char		*phone;
	const char		*region;
	const char		*address;
	struct order_invoice	 inv;		/* of the chosen kind */
	struct approval_rule	 rule;
	int64_t			 min_order_fen;	/* its level's 起订金额; 0 */
};

struct submit {
	const struct checkout	*orig;		/* what the buyer chose */
	struct checkout		 in_copy;	/* with the terms decided */
	const struct checkout	*in;		/* orig, then in_copy */
	int64_t			 customer_id;	/* the company ordered for */
	struct checkout_view	*view;		/* order_checkout */
	struct order_placed	*out;		/* order_submit */
	struct field_errors	*fe;
	time_t			 now;
	struct party		 p;
	struct cart		 cart;		/* the lines, of either source */
	struct quote_source	 q;		/* in->quote_id's */
	struct order_money	 m;
	enum order_state	 first;		/* the state it starts in */
	const char		*key;		/* owner:key; NULL: none */
	const char		*hash;		/* the request's fingerprint */
	int			 raced;		/* the insert met the key */
};

/*
 * Sum the lines that can be ordered; tax per line, rounded half up to the
 * fen, so the order's tax is the sum of its lines' and a line's never
 * changes with its neighbours.
 */
void
order_money(const struct priced_line *l, int n, int64_t tax_bp,
    struct order_money *m)
{
	int	i;

	memset(m, 0, sizeof(*m));
	m->tax_bp = tax_bp;
	for (i = 0; i < n; i++) {
		if (l[i].problem != LINE_OK)
			continue;
		m->subtotal_fen += l[i].line_fen;
		m->tax_fen += price_percent(l[i].line_fen, tax_bp);
	}
	m->total_fen = m->subtotal_fen + m->tax_fen;
}

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static int
party_load(struct dctx *c, int64_t customer_id, const struct checkout *in,
    struct party *p)
{
	struct db_res	*r;

	memset(p, 0, sizeof(*p));
	p->id = customer_id;
	if (db_run(c->arena, &r, sql_party, "iisii", in->address_id,
	    in->address_id, invoice_kind_name(in->invoice), customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "客户资料不存在或已停用";
		return ERR_NOT_FOUND;
	}
	p->name = db_cell(r, 0, 0);
	p->credit_days = db_cell_i64(r, 0, 2);
	p->limit_fen = db_cell_i64(r, 0, 3);
	p->credit = strcmp(db_cell(r, 0, 1), "monthly") == 0 && p->limit_fen > 0;
	p->outstanding_fen = db_cell_i64(r, 0, 4);
	p->tax_bp[INVOICE_NORMAL] = db_cell_i64(r, 0, 5);
	p->tax_bp[INVOICE_SPECIAL] = db_cell_i64(r, 0, 6);
	if (db_cell(r, 0, 7) != NULL) {
		p->address_id = db_cell_i64(r, 0, 7);
		p->receiver = db_cell(r, 0, 8);
		p->phone = db_cell(r, 0, 9);
		p->region = or_empty(db_cell(r, 0, 10));
		p->address = db_cell(r, 0, 11);
	}
	if (db_cell(r, 0, 12) != NULL) {
		p->inv.id = db_cell_i64(r, 0, 12);
		p->inv.title = db_cell(r, 0, 13);
		p->inv.tax_id = db_cell(r, 0, 14);
		p->inv.bank_name = or_empty(db_cell(r, 0, 15));
		p->inv.bank_account = or_empty(db_cell(r, 0, 16));
		p->inv.address = or_empty(db_cell(r, 0, 17));
		p->inv.phone = or_empty(db_cell(r, 0, 18));
	}
	if (approval_mode_parse(db_cell(r, 0, 19), &p->rule.mode) == -1)
		p->rule.mode = APPROVAL_NONE;
	p->rule.above_fen = db_cell_i64(r, 0, 20);
	p->min_order_fen = db_cell_i64(r, 0, 21);
	return 0;
}

/*
 * The submit's company: for staff, one of the shop's in their scope
 * (scope_customer: another's, or another shop's, is not found) and kept
 * so until the transaction ends; found then but not loaded, it is
 * disabled, which says so rather than "not found".
 */
static int
party_of(struct dctx *c, struct submit *s)
{
	int	rc;

	if (c->sess.kind == SESS_STAFF &&
	    (rc = scope_customer(c, s->customer_id)) != 0)
		return rc;
	rc = party_load(c, s->customer_id, s->in, &s->p);
	if (rc == ERR_NOT_FOUND && c->sess.kind == SESS_STAFF) {
		c->error = "该客户已停用，不能代客下单；请先在客户资料中启用";
		c->code = "customer_disabled";
		return ERR_CONFLICT;
	}
	return rc;
}

/* The terms unless chosen: monthly for a company with credit. */
static void
terms_decide(struct submit *s)
{
	s->in_copy = *s->orig;
	if (!s->in_copy.terms_given)
		s->in_copy.terms = s->p.credit ? TERMS_MONTHLY : TERMS_PREPAID;
	s->in = &s->in_copy;
}

/* The choices against the company: 0, or ERR_INVALID with fe. */
static int
choices_check(struct dctx *c, const struct checkout *in,
    const struct party *p, time_t now, struct field_errors *fe)
{
	const char	*why;
	int		 n = fe->n;

	if (p->address_id == 0)
		field_error_add(c->arena, fe, CHECKOUT_ADDRESS, -1, "%s",
		    in->address_id != 0 ? "请选择贵公司的收货地址" :
		    "贵公司还没有收货地址，请联系商家添加");
	if (in->invoice != INVOICE_NONE && p->inv.id == 0)
		field_error_add(c->arena, fe, CHECKOUT_INVOICE, -1,
		    "贵公司还没有%s开票资料，请联系商家添加或选择不开票",
		    invoice_kind_label(in->invoice));
	if (in->terms == TERMS_MONTHLY && !p->credit)
		field_error_add(c->arena, fe, CHECKOUT_TERMS, -1, "%s",
		    "贵公司未开通月结，请选择预付款");
	if (in->delivery_date != NULL && *in->delivery_date != '\0' &&
	    order_date_check(in->delivery_date, now, &why) == -1)
		field_error_add(c->arena, fe, CHECKOUT_DATE, -1, "%s", why);
	return fe->n > n ? ERR_INVALID : 0;
}

static int	 cart_check(struct dctx *, const struct cart *, int);

static int
sku_order(const void *a, const void *b)
{
	const struct line_req	*x = a, *y = b;

	return x->sku_id < y->sku_id ? -1 : x->sku_id > y->sku_id;
}

/*
 * Given lines at submit: there, and orderable as they stand (cart_check),
 * a refusal coded by its line's own problem ("sku_unavailable",
 * "qty_below_min", ...) when it is the only one.
 */
static int
given_check(struct dctx *c, const struct cart *k)
{
	int	i, rc;

	if (k->n == 0) {
		c->error = "请填写要下单的商品编码和数量";
		c->code = "lines_empty";
		return ERR_INVALID;
	}
	if ((rc = cart_check(c, k, 0)) != ERR_INVALID)
		return rc;
	for (i = 0; i < k->n && k->lines[i].problem == LINE_OK; i++)
		;
	c->code = k->nproblems == 1 && i < k->n ?
	    line_problem_code(k->lines[i].problem) : "lines_invalid";
	return rc;
}

/*
 * The lines given (staff for a company), as a cart: by SKU id, a SKU
 * given twice summed into one line, priced for the company in the
 * transaction (lines_price), at most CART_LINES_MAX. check (submit):
 * given_check's refusals.
 */
static int
given_lines(struct dctx *c, const struct submit *s, int check,
    struct cart *k)
{
	const struct checkout	*in = s->in;
	struct line_req		*rq;
	int			 i, n = 0, rc;

	memset(k, 0, sizeof(*k));
	rq = arena_calloc(c->arena, (size_t)in->nlines + 1, sizeof(*rq));
	if (in->nlines > 0)
		memcpy(rq, in->lines, (size_t)in->nlines * sizeof(*rq));
	qsort(rq, (size_t)in->nlines, sizeof(*rq), sku_order);
	for (i = 0; i < in->nlines; i++) {
		if (n == 0 || rq[n - 1].sku_id != rq[i].sku_id) {
			rq[n++] = rq[i];
			continue;
		}
		rq[n - 1].qty += rq[i].qty;
		if (rq[n - 1].qty > CART_QTY_MAX)
			rq[n - 1].qty = CART_QTY_MAX + 1;	/* refused */
	}
	if (n > CART_LINES_MAX) {
		c->error = arena_printf(c->arena, "一张订单最多 %d 种商品，"
		    "请分成几张下单", CART_LINES_MAX);
		c->code = "too_many_lines";
		return ERR_INVALID;
	}
	if (n > 0 && (rc = lines_price(c, s->customer_id, rq, n,
	    &k->lines)) != 0)
		return rc;
	k->n = n;
	for (i = 0; i < n; i++) {
		k->units += k->lines[i].qty;
		if (k->lines[i].problem != LINE_OK)
			k->nproblems++;
		else
			k->subtotal_fen += k->lines[i].line_fen;
	}
	return check ? given_check(c, k) : 0;
}

/*
 * The order's lines from their source, by SKU id: the actor's cart, the
 * quote in->quote_id names at its prices (lock: its inquiry row, so
 * that two accepts take turns), or the lines given. A quote already
 * accepted has no lines; s->q names its order.
 */
static int
lines_load(struct dctx *c, struct submit *s, int lock, int thumbs,
    struct cart *k)
{
	if (s->in->lines != NULL)
		return given_lines(c, s, lock, k);
	if (s->in->quote_id == 0)
		return cart_load(c, thumbs, k);
	return quote_lines_load(c, s->in->quote_id, lock, &s->q, k);
}

static int
tx_checkout(struct dctx *c, void *arg)
{
	struct submit		*s = arg;
	struct checkout_view	*v = s->view;
	struct invoice_profile	*ip;
	int			 i, n, rc;
	enum invoice_kind	 k;

	memset(v, 0, sizeof(*v));
	s->fe->n = 0;
	c->error = NULL;
	c->code = NULL;
	if ((rc = party_of(c, s)) != 0)
		return rc;
	terms_decide(s);
	if ((rc = lines_load(c, s, 0, 1, &v->cart)) != 0)
		return rc;
	if (s->q.accepted_order_id != 0) {
		c->error = "该报价已经下单，请到我的订单查看";
		c->code = "quote_accepted";
		return ERR_CONFLICT;
	}
	v->quote_version = s->q.version;
	v->quote_until = s->q.valid_until;
	if ((rc = address_list(c, s->customer_id, &v->addresses,
	    &v->naddresses)) != 0 ||
	    (rc = invoice_list(c, s->customer_id, &ip, &n)) != 0)
		return rc;
	for (i = n - 1; i >= 0; i--) {	/* the first of each kind */
		if (invoice_kind_parse(ip[i].kind, &k) == -1)
			continue;
		v->profile[k].id = ip[i].id;
		v->profile[k].title = ip[i].title;
		v->profile[k].tax_id = ip[i].tax_id;
		v->profile[k].bank_name = or_empty(ip[i].bank_name);
		v->profile[k].bank_account = or_empty(ip[i].bank_account);
		v->profile[k].address = or_empty(ip[i].address);
		v->profile[k].phone = or_empty(ip[i].phone);
	}
	for (k = INVOICE_NONE; k < INVOICE_NKINDS; k++)
		order_money(v->cart.lines, v->cart.n, s->p.tax_bp[k],
		    &v->money[k]);
	v->company = s->p.name;
	v->terms = s->in->terms;
	v->address_id = s->p.address_id;
	v->credit = s->p.credit;
	v->credit_days = s->p.credit_days;
	v->credit_limit_fen = s->p.limit_fen;
	v->outstanding_fen = s->p.outstanding_fen;
	v->available_fen = s->p.limit_fen - s->p.outstanding_fen;
	if (s->in->quote_id == 0) {	/* a quote is not held to it */
		v->min_order_fen = s->p.min_order_fen;
		v->short_fen = order_min_short(s->p.min_order_fen,
		    v->money[INVOICE_NONE].subtotal_fen);
	}
	choices_check(c, s->in, &s->p, s->now, s->fe);
	return 0;
}

/*
 * The company an actor orders for: a customer user's own; for staff who
 * may (ORDER_ROLES_ON_BEHALF), the one in->customer_id names, with given
 * lines: staff have no cart, and a quote is the customer's to accept.
 * Whether it is in their scope the transaction checks (party_of).
 */
static int
company_of(struct dctx *c, const struct checkout *in, int64_t *id)
{
	if (c->sess.kind == SESS_CUSTOMER) {
		*id = c->sess.customer_id;
		return 0;
	}
	if (c->sess.kind != SESS_STAFF || in->customer_id <= 0 ||
	    in->lines == NULL || in->quote_id != 0)
		return ERR_NOT_FOUND;
	if (!session_staff_role(&c->sess, ORDER_ROLES_ON_BEHALF)) {
		c->error = "您的角色不能代客下单";
		return ERR_FORBIDDEN;
	}
	*id = in->customer_id;
	return 0;
}

/*
 * The checkout page of the actor (a customer user, or staff for a
 * company): the lines priced for the company now, the addresses and
 * invoice profiles to choose from, the sums for each kind of invoice, the
 * credit. What in chose that the company cannot have is in fe (enum
 * checkout_field); that is no error. One read-only transaction, so one
 * snapshot. 0, ERR_NOT_FOUND (not a customer, company gone, or not in
 * the staff member's scope), ERR_FORBIDDEN (a staff role that may not),
 * ERR_CONFLICT (customer_disabled), ERR_INTERNAL.
 */
int
order_checkout(struct dctx *c, const struct checkout *in,
    struct checkout_view *out, struct field_errors *fe)
{
	struct submit	s;
	char		today[11], last[11];
	int		rc;

	memset(&s, 0, sizeof(s));
	if ((rc = company_of(c, in, &s.customer_id)) != 0)
		return rc;
	s.orig = s.in = in;
	s.view = out;
	s.fe = fe;
	s.now = time(NULL);
	if ((rc = db_tx_run(c, tx_checkout, &s)) != 0)
		return rc;
	order_cn_day(s.now, 0, today, sizeof(today), "%Y-%m-%d");
	order_cn_day(s.now, ORDER_DELIVERY_DAYS, last, sizeof(last),
	    "%Y-%m-%d");
	out->today = arena_strdup(c->arena, today);
	out->date_max = arena_strdup(c->arena, last);
	return 0;
}

/* A JSON string of s (UTF-8 from the database) into b. */
static void
json_str(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, *s);
		} else if ((unsigned char)*s < 0x20)
			buf_printf(b, "\\u%04x", (unsigned char)*s);
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* The lines as sql_lines_add reads them; tax per line at tax_bp; a
 * quote's prices are the quote's (source "quote"). */
static char *
lines_json(struct dctx *c, const struct cart *k, int64_t tax_bp, int quote)
{
	const struct priced_line	*l;
	struct buf			 b;
	char				*out;
	int				 i;

	buf_init(&b, 256 * (size_t)(k->n + 1));
	buf_addc(&b, '[');
	for (i = 0; i < k->n; i++) {
		l = &k->lines[i];
		buf_printf(&b, "%s[%" PRId64 ",", i ? "," : "", l->sku_id);
		json_str(&b, l->sku_code);
		buf_addc(&b, ',');
		json_str(&b, l->name);
		buf_addc(&b, ',');
		json_str(&b, l->spec);
		buf_addc(&b, ',');
		json_str(&b, l->unit);
		buf_printf(&b, ",%" PRId64 ",%" PRId64 ",\"%s\",%" PRId64 ",%"
		    PRId64 "]", l->qty, l->price.unit_fen, quote ? "quote" :
		    price_source_name(l->price.source), l->line_fen,
		    price_percent(l->line_fen, tax_bp));
	}
	buf_addc(&b, ']');
	out = arena_strdup(c->arena, buf_cstr(&b));
	buf_free(&b);
	return out;
}

/* The lines must be orderable as they stand: the first that is not.
 * quote: they are a quote's (quote_invalid, not cart_invalid). */
static int
cart_check(struct dctx *c, const struct cart *k, int quote)
{
	const struct priced_line	*l;
	int				 i;

	if (k->n == 0) {
		c->error = "进货单是空的，请先添加商品";
		c->code = "cart_empty";
		return ERR_INVALID;
	}
	for (i = 0; i < k->n; i++) {
		l = &k->lines[i];
		if (l->problem == LINE_OK)
			continue;
		c->error = arena_printf(c->arena, "「%s」%s%s", l->name ?
		    l->name : "已下架商品", l->why, k->nproblems > 1 ?
		    arena_printf(c->arena, "（共 %d 项需要调整）",
		    k->nproblems) : "");
		if (l->problem == LINE_OUT_OF_STOCK && k->nproblems == 1) {
			c->code = "out_of_stock";
			return ERR_OUT_OF_STOCK;
		}
		c->code = quote ? "quote_invalid" : "cart_invalid";
		return quote ? ERR_CONFLICT : ERR_INVALID;
	}
	return 0;
}

/* Take every line's units, in ascending SKU id (the cart's order), in
 * one statement (stock_take_lines). */
static int
take_stock(struct dctx *c, const struct cart *k)
{
	struct buf	 b;
	int		 i, rc, shortl;

	buf_init(&b, 16 + 24 * (size_t)k->n);
	buf_addc(&b, '[');
	for (i = 0; i < k->n; i++) {
		if (i > 0 && k->lines[i].sku_id <= k->lines[i - 1].sku_id) {
			buf_free(&b);
			clog_warnx(c, "order: lines out of sku order");
			return ERR_INTERNAL;
		}
		buf_printf(&b, "%s[%" PRId64 ",%" PRId64 "]", i ? "," : "",
		    k->lines[i].sku_id, k->lines[i].qty);
	}
	buf_addc(&b, ']');
	rc = stock_take_lines(c, buf_cstr(&b), k->n, &shortl);
	buf_free(&b);
	if (rc == ERR_OUT_OF_STOCK) {
		c->error = arena_printf(c->arena, "「%s」库存不足，"
		    "刚刚被其他客户订走了，请减少数量",
		    k->lines[shortl].name);
		c->code = "out_of_stock";
	}
	return rc;
}

/* What the company owes plus this order is over its limit. */
static int
credit_refused(struct dctx *c, const struct party *p, int64_t owed,
    int64_t total)
{
	int64_t	left = p->limit_fen - owed;

	c->error = arena_printf(c->arena, "超出信用额度：可用额度 ¥%s，"
	    "本单 ¥%s。请选择预付款，或联系商家", fmt_yuan_grouped(c->arena,
	    left > 0 ? left : 0), fmt_yuan_grouped(c->arena, total));
	c->code = "credit_exceeded";
	return ERR_CREDIT_EXCEEDED;
}

/*
 * The level's 起订金额 against the goods before tax, so that the invoice
 * chosen does not decide it: below it is below_min_order. An accepted
 * quote is an agreed deal and is not held to it, nor is an order staff
 * place for the company: they decide (their page shows the shortfall).
 */
static int
min_order_check(struct dctx *c, const struct submit *s)
{
	int64_t	short_fen;

	if (s->in->quote_id != 0 || c->sess.kind == SESS_STAFF ||
	    (short_fen = order_min_short(s->p.min_order_fen,
	    s->m.subtotal_fen)) == 0)
		return 0;
	c->error = arena_printf(c->arena, "未达到起订金额：起订金额 ¥%s（按"
	    "商品金额计，不含税），本单商品金额 ¥%s，还差 ¥%s。请返回进货单"
	    "添加商品", fmt_yuan_grouped(c->arena, s->p.min_order_fen),
	    fmt_yuan_grouped(c->arena, s->m.subtotal_fen),
	    fmt_yuan_grouped(c->arena, short_fen));
	c->code = "below_min_order";
	return ERR_INVALID;
}

/*
 * Charge a monthly order to the company's balance row, locked here, if
 * what it owes stays within its limit; the row is made on its first
 * monthly order (two first orders at once may deadlock on that insert:
 * db_tx_run runs the loser again, when the row is there).
 */
static int
charge(struct dctx *c, const struct party *p, int64_t total)
{
	struct db_res	*r;
	int64_t		 owed = 0;
	int		 again;

	for (again = 0; again < 2; again++) {
		if (db_run(c->arena, &r, sql_charge, "iiii", total,
		    c->shop->id, p->id, total) == -1)
			return ERR_INTERNAL;
		if (r->affected == 1)
			return 0;
		if (db_run(c->arena, &r, sql_balance_lock, "ii", c->shop->id,
		    p->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows > 0) {
			owed = db_cell_i64(r, 0, 0);
			break;
		}
		if (db_run(c->arena, NULL, sql_balance_add, "ii", c->shop->id,
		    p->id) == -1)
			return ERR_INTERNAL;
	}
	return credit_refused(c, p, owed, total);
}

/*
 * The shop's next order number, DH + the China date + the day's sequence
 * (DH2612020001), set on order id: last in the transaction, as the
 * counter row is every order's of the shop and stays locked to COMMIT.
 * A refused or failed submit rolls its number back: no gaps.
 */
static int
order_number(struct dctx *c, const struct submit *s, int64_t id,
    const char **no)
{
	struct db_res	*r;
	char		 day[11], due[11], yymmdd[7];
	uint64_t	 seq;
	int		 monthly = s->in->terms == TERMS_MONTHLY;

	order_cn_day(s->now, 0, day, sizeof(day), "%Y-%m-%d");
	order_cn_day(s->now, 0, yymmdd, sizeof(yymmdd), "%y%m%d");
	order_cn_day(s->now, monthly ? (int)s->p.credit_days : 0, due,
	    sizeof(due), "%Y-%m-%d");
	if (db_run(c->arena, &r, sql_counter, "is", c->shop->id, day) == -1)
		return ERR_INTERNAL;
	seq = r->affected == 1 ? 1 : r->insert_id;
	*no = arena_printf(c->arena, "DH%s%04" PRIu64, yymmdd, seq);
	if (db_run(c->arena, NULL, sql_number, "sisi", *no,
	    monthly ? s->m.total_fen : 0, due, id) == -1)
		return ERR_INTERNAL;
	return 0;
}

/* A monthly order is owed from submit: its debit on the ledger, for
 * the change charge() made to the locked balance row. */
static int
order_debit(struct dctx *c, const struct submit *s, int64_t id)
{
	struct ledger_post	p = { s->customer_id, LEDGER_AR, LK_ORDER,
				    s->m.total_fen, id, 0, NULL };

	if (s->in->terms != TERMS_MONTHLY)
		return 0;
	return ledger_record(c, &p);
}

/* The first event's note: the quote it came from, or who placed it for
 * the company (代客下单); NULL: none. */
static const char *
first_note(struct dctx *c, const struct submit *s)
{
	if (s->in->quote_id != 0)
		return arena_printf(c->arena, "按报价下单（询价 #%" PRId64
		    " 第 %" PRId64 " 版）", s->in->quote_id, s->q.version);
	if (c->sess.kind == SESS_STAFF)
		return arena_printf(c->arena, "代客下单：%s", c->sess.name ?
		    c->sess.name : "员工");
	return NULL;
}

/*
 * The order row, its lines, movements, first event, and the cart without
 * what it ordered (a quote's order closes its quote once numbered; given
 * lines leave every cart alone). An insert that meets the idempotency key
 * of an order committed meanwhile sets s->raced and ERR_CONFLICT:
 * replay_after answers that order.
 */
static int
order_write(struct dctx *c, struct submit *s, int64_t *id)
{
	const struct checkout	*in = s->in;
	const struct party	*p = &s->p;
	int			 inv = in->invoice != INVOICE_NONE;
	struct db_res		*r;

	if (db_run(c->arena, &r, sql_order_add, "iisssssssssssssssissssiiiiss",
	    c->shop->id, s->customer_id, order_actor_user(c),
	    order_actor_staff(c), order_channel_name(c->sess.kind ==
	    SESS_STAFF ? ORDER_CHANNEL_ADMIN : in->channel),
	    order_state_name(s->first), p->receiver, p->phone,
	    p->region, p->address, invoice_kind_name(in->invoice),
	    inv ? p->inv.title : "", inv ? p->inv.tax_id : "",
	    inv ? p->inv.bank_name : "", inv ? p->inv.bank_account : "",
	    inv ? p->inv.address : "", inv ? p->inv.phone : "", s->m.tax_bp,
	    pay_terms_name(in->terms), in->delivery_date != NULL &&
	    *in->delivery_date ? in->delivery_date : NULL, or_empty(in->remark),
	    or_empty(in->po_no), (int64_t)s->cart.n, s->m.subtotal_fen,
	    s->m.tax_fen, s->m.total_fen, s->key, s->key ? s->hash : NULL) ==
	    -1) {
		if (s->key == NULL || !db_duplicate())
			return ERR_INTERNAL;
		s->raced = 1;
		return ERR_CONFLICT;
	}
	*id = (int64_t)r->insert_id;
	if (db_run(c->arena, NULL, sql_lines_add, "iis", c->shop->id, *id,
	    lines_json(c, &s->cart, s->m.tax_bp, in->quote_id != 0)) == -1 ||
	    stock_order_moves(c, *id, STOCK_RESERVE) != 0 ||
	    order_event_add(c, *id, -1, s->first, first_note(c, s)) != 0)
		return ERR_INTERNAL;
	if (in->quote_id != 0)
		return 0;	/* the quote is closed once numbered */
	if (in->lines != NULL)
		return 0;
	if (db_run(c->arena, NULL, sql_cart_clear, "iiii", c->shop->id,
	    c->sess.user_id, c->shop->id, *id) == -1)
		return ERR_INTERNAL;
	return 0;
}

/*
 * The state a new order starts in: submitted, for the shop to confirm,
 * or pending_approval when the company's rule says its approver must see
 * it first (approval.c; the rule read with the company). Its stock is
 * reserved and its credit charged either way: an approval never finds the
 * goods gone.
 */
static enum order_state
first_state(struct dctx *c, const struct submit *s)
{
	return approval_needed(c, &s->p.rule, s->m.total_fen) ?
	    ORDER_PENDING_APPROVAL : ORDER_SUBMITTED;
}

/*
 * r's order (sql_replay's columns) as what submit made: 1, or 0 for none;
 * ERR_KEY_REUSED when the key came with another request then.
 */
static int
replay_row(struct dctx *c, struct submit *s, const struct db_res *r)
{
	const char	*was;

	if (r->nrows == 0)
		return 0;
	was = db_cell(r, 0, 4);
	if (was != NULL && s->hash != NULL && strcmp(was, s->hash) != 0) {
		clog_info(c, "idempotency_reused key=%s order=%s", s->key,
		    db_cell(r, 0, 1));
		c->error = "该请求标识（Idempotency-Key）已用于另一个内容不同"
		    "的请求，请为新请求换一个标识";
		c->code = "idempotency_key_reused";
		return ERR_KEY_REUSED;
	}
	s->out->id = db_cell_i64(r, 0, 0);
	s->out->order_no = db_cell(r, 0, 1);
	if (order_state_parse(db_cell(r, 0, 2), &s->out->state) == -1)
		s->out->state = ORDER_SUBMITTED;
	s->out->total_fen = db_cell_i64(r, 0, 3);
	s->out->replayed = 1;
	return 1;
}

/* The order this key already made, if any: 1, 0, or an enum err. */
static int
replayed(struct dctx *c, struct submit *s)
{
	struct db_res	*r;
	int64_t		 cid;

	if (s->key == NULL)
		return 0;
	cid = c->sess.kind == SESS_STAFF ? 0 : s->customer_id;
	if (db_run(c->arena, &r, sql_replay, "isii", c->shop->id, s->key,
	    cid, cid) == -1)
		return ERR_INTERNAL;
	return replay_row(c, s, r);
}

/* The order an accepted quote became: accepting again answers it. */
static int
replay_quote(struct dctx *c, struct submit *s)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_replay_id, "iii", c->shop->id,
	    s->q.accepted_order_id, s->customer_id) == -1)
		return ERR_INTERNAL;
	return replay_row(c, s, r) == 1 ? 0 : ERR_INTERNAL;
}

/* The submit's work, as tx_submit runs it; refusals as order_submit. */
static int
submit_body(struct dctx *c, struct submit *s)
{
	const char	*no;
	int64_t		 id;
	int		 rc;

	if ((rc = party_of(c, s)) != 0)
		return rc;
	terms_decide(s);
	if (choices_check(c, s->in, &s->p, s->now, s->fe) != 0) {
		c->error = "请检查收货地址、发票和结算方式";
		return ERR_INVALID;
	}
	if ((rc = lines_load(c, s, 1, 0, &s->cart)) != 0)
		return rc;
	if (s->q.accepted_order_id != 0)
		return replay_quote(c, s);
	if ((rc = cart_check(c, &s->cart, s->in->quote_id != 0)) != 0)
		return rc;
	order_money(s->cart.lines, s->cart.n, s->p.tax_bp[s->in->invoice],
	    &s->m);
	if ((rc = min_order_check(c, s)) != 0)
		return rc;
	if (s->in->terms == TERMS_MONTHLY &&
	    s->p.outstanding_fen + s->m.total_fen > s->p.limit_fen)
		return credit_refused(c, &s->p, s->p.outstanding_fen,
		    s->m.total_fen);	/* no lock taken to see it */
	s->first = first_state(c, s);
	if ((rc = take_stock(c, &s->cart)) != 0 ||
	    (s->in->terms == TERMS_MONTHLY &&
	    (rc = charge(c, &s->p, s->m.total_fen)) != 0) ||
	    (rc = order_write(c, s, &id)) != 0 ||
	    (rc = channel_first_order(c, s->customer_id, id)) != 0 ||
	    (rc = order_debit(c, s, id)) != 0)
		return rc;
	if (audit(c, "order.submit", "order=%" PRId64 " customer=%" PRId64
	    " lines=%d total=%s terms=%s%s", id, s->customer_id,
	    s->cart.n, fmt_yuan(c->arena, s->m.total_fen),
	    pay_terms_name(s->in->terms), c->sess.kind == SESS_STAFF ?
	    arena_printf(c->arena, " on_behalf staff=%" PRId64 " (%s)",
	    c->sess.user_id, c->sess.name ? c->sess.name : "") : "") != 0)
		return ERR_INTERNAL;
	if ((rc = notify_order(c, id, s->first == ORDER_PENDING_APPROVAL ?
	    "submitted" : "placed")) != 0)
		return rc;
	if ((rc = order_number(c, s, id, &no)) != 0 ||
	    (s->in->quote_id != 0 &&
	    (rc = quote_accepted(c, &s->q, id, no)) != 0))
		return rc;
	s->out->id = id;
	s->out->order_no = no;
	s->out->state = s->first;
	s->out->total_fen = s->m.total_fen;
	return 0;
}

static int
tx_submit(struct dctx *c, void *arg)
{
	struct submit	*s = arg;

	memset(s->out, 0, sizeof(*s->out));
	s->fe->n = 0;
	s->raced = 0;
	c->error = NULL;
	c->code = NULL;
	return submit_body(c, s);
}

/* The key's order, in a transaction of its own: s->out, or nothing. */
static int
tx_replay(struct dctx *c, void *arg)
{
	struct submit	*s = arg;
	int		 rc;

	if ((rc = replayed(c, s)) < 0 || rc > 1)
		return rc;
	return 0;
}

/*
 * A submit that refused, or whose insert met its key, may be a replay: the
 * first submit emptied the cart (so a replay usually refuses), or one with
 * the same key committed while this one waited. Only then is the key's
 * order looked for, after the refusal rolled back, so the common submit
 * spends no statement on it. rc stands when there is none.
 */
static int
replay_after(struct dctx *c, struct submit *s, int rc)
{
	const char	*error = c->error, *code = c->code;
	int		 rr;

	if (rc == ERR_INTERNAL || s->key == NULL)
		return rc;
	if ((rr = db_tx_run(c, tx_replay, s)) != 0)
		return rr;
	if (s->out->replayed) {
		s->fe->n = 0;
		c->error = NULL;
		c->code = NULL;
		return 0;
	}
	if (s->raced) {
		c->error = "这张订单正在提交，请稍候到我的订单查看";
		c->code = "in_progress";
		return ERR_CONFLICT;
	}
	c->error = error;
	c->code = code;
	return rc;
}

/*
 * Place the actor's lines as an order of the company (a customer user's
 * own; staff: in->customer_id, in their scope, with given lines, channel
 * admin, never waiting for the company's approval) with the choices in,
 * in one transaction; *out says what was made. With an idempotency key, a key
 * that already made an order answers that order (out->replayed) and does
 * nothing, unless in->idem_hash says it came with another request then
 * (ERR_KEY_REUSED, idempotency_key_reused). Refusals set c->error and
 * c->code: ERR_INVALID (cart_empty, cart_invalid, below_min_order, or fe
 * naming a choice; given lines: lines_empty, lines_invalid or the line's
 * problem, too_many_lines), ERR_OUT_OF_STOCK (out_of_stock),
 * ERR_CREDIT_EXCEEDED (credit_exceeded), ERR_CONFLICT (customer_disabled);
 * ERR_NOT_FOUND for no company (or one outside the staff member's scope),
 * ERR_FORBIDDEN for a staff role that may not.
 * The order starts submitted (approvals will start some at
 * pending_approval); its stock is reserved either way.
 */
int
order_submit(struct dctx *c, const struct checkout *in,
    struct order_placed *out, struct field_errors *fe)
{
	struct submit	s;
	int		rc;

	memset(&s, 0, sizeof(s));
	if ((rc = company_of(c, in, &s.customer_id)) != 0)
		return rc;
	s.orig = s.in = in;
	s.out = out;
	s.fe = fe;
	s.now = time(NULL);
	/* Owned as the idempotency_key rows are: a key is its user's. */
	if (in->idem_key != NULL) {
		s.key = arena_printf(c->arena, "%s:%" PRId64 ":%s",
		    c->sess.kind == SESS_STAFF ? "staff" : "customer",
		    c->sess.user_id, in->idem_key);
		s.hash = in->idem_hash;
	}
	if ((rc = db_tx_run(c, tx_submit, &s)) != 0 &&
	    (rc = replay_after(c, &s, rc)) != 0)
		return rc;
	if (out->replayed)
		clog_info(c, "order_replayed id=%" PRId64 " no=%s", out->id,
		    out->order_no);
	else
		clog_info(c, "order_placed id=%" PRId64 " no=%s lines=%d "
		    "total_fen=%" PRId64, out->id, out->order_no, s.cart.n,
		    out->total_fen);
	return 0;
}
