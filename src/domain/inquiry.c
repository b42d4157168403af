/*
 * inquiry.c -- the writes of 询价: a guest or a customer asks (limited per
 * shop and client address), staff assign, answer with quoted unit prices
 * valid until a day, and close. Each write is one transaction on the
 * inquiry row it locks; staff changes are audited. The customer's side
 * of the conversation is domain/inquiry_message.c.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/approval.h"
#include "domain/inquiry.h"
#include "domain/inquiry_sql.h"
#include "domain/quote.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

/* The post is a write, so it reads the database, not the catalog cache. */
static const char sql_askable[] =
    "SELECT p.id FROM product p WHERE p.id = ? AND p.shop_id = ? "
    "AND p.on_shelf = 1 AND EXISTS (SELECT 1 FROM sku s "
    "WHERE s.product_id = p.id AND s.shop_id = p.shop_id)";
static const char sql_sku_of[] =
    "SELECT id FROM sku WHERE id = ? AND product_id = ? AND shop_id = ?";
/* Locks the address's range of inquiry_ip: two at once take turns. */
static const char sql_recent[] =
    "SELECT COUNT(*) FROM inquiry WHERE shop_id = ? AND ip = ? "
    "AND created_at > NOW(3) - INTERVAL 1 HOUR FOR UPDATE";
static const char sql_add[] =
    "INSERT INTO inquiry (shop_id, customer_user_id, contact_name, "
    "contact_phone, company, message, ip) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_add_line[] =
    "INSERT INTO inquiry_item (shop_id, inquiry_id, product_id, sku_id, "
    "qty) VALUES (?, ?, ?, ?, ?)";
static const char sql_lock[] =
    "SELECT i.status FROM inquiry i WHERE i.id = ? AND i.shop_id = ? AND "
    SCOPE_INQUIRY("i") " FOR UPDATE";
static const char sql_staff_one[] =
    "SELECT id FROM staff WHERE id = ? AND shop_id = ? "
    "AND status = 'active'";
static const char sql_assign[] =
    "UPDATE inquiry SET assigned_staff_id = ? WHERE id = ? AND shop_id = ?";
static const char sql_answer[] =
    "UPDATE inquiry SET answer = ?, status = 'answered', "
    "answered_at = NOW(3), quote_valid_until = ?, "
    "assigned_staff_id = COALESCE(assigned_staff_id, ?) "
    "WHERE id = ? AND shop_id = ?";
/* Every answer is kept, the latest also in inquiry.answer for lists. */
static const char sql_answer_message[] =
    "INSERT INTO inquiry_message (shop_id, inquiry_id, author, staff_id, "
    "body) VALUES (?, ?, 'staff', ?, ?)";
/* The asking customer user, to tell of the answer. */
static const char sql_asker[] =
    "SELECT u.customer_id, u.id FROM inquiry i JOIN customer_user u "
    "ON u.id = i.customer_user_id AND u.shop_id = i.shop_id "
    "WHERE i.id = ? AND i.shop_id = ?";
/* The days from China's today to a validity, and the default one. */
static const char sql_days_to[] =
    "SELECT DATEDIFF(?, " INQUIRY_TODAY ")";
static const char sql_default_until[] =
    "SELECT DATE_FORMAT(" INQUIRY_TODAY " + INTERVAL ? DAY, '%Y-%m-%d')";
static const char sql_quote[] =
    "UPDATE inquiry_item SET quoted_price_fen = ? "
    "WHERE id = ? AND inquiry_id = ?";
static const char sql_close[] =
    "UPDATE inquiry SET status = 'closed' WHERE id = ? AND shop_id = ?";

static const char *const status_names[] = {
	[INQUIRY_OPEN] = "open",
	[INQUIRY_ANSWERED] = "answered",
	[INQUIRY_CLOSED] = "closed",
};

const char *
inquiry_status_name(enum inquiry_status s)
{
	return s <= INQUIRY_CLOSED ? status_names[s] : "open";
}

/* "open", "answered" or "closed": 0, or -1 for anything else. */
int
inquiry_status_parse(const char *s, enum inquiry_status *out)
{
	size_t	i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum inquiry_status)i;
			return 0;
		}
	return -1;
}

/*
 * One write: inputs, then the outputs each body resets first, as
 * db_tx_run runs it again after a deadlock or a lock wait timeout.
 */
struct iwrite {
	int64_t				 id;		/* the inquiry */
	const struct inquiry_new	*in;
	int64_t				 staff_id;
	const char			*answer;
	const struct inquiry_quote	*quotes;
	int				 nquotes;
	const char			*valid_in;	/* as typed; NULL */

	int64_t				 created;
	const char			*until;		/* as stored */
	enum inquiry_field		 bad;
};

static void
iwrite_reset(struct dctx *c, struct iwrite *w)
{
	w->created = 0;
	w->until = NULL;
	w->bad = INQUIRY_FIELD_NONE;
	c->error = NULL;
}

static int
tx_create(struct dctx *c, void *arg)
{
	struct iwrite			*w = arg;
	const struct inquiry_new	*in = w->in;
	struct db_res			*r;
	char				 cu[24], sku[24];

	iwrite_reset(c, w);
	if (in->product_id != 0) {
		if (db_run(c->arena, &r, sql_askable, "ii", in->product_id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "商品不存在或已下架";
			w->bad = INQUIRY_FIELD_PRODUCT;
			return ERR_INVALID;
		}
	}
	if (in->sku_id != 0) {
		if (db_run(c->arena, &r, sql_sku_of, "iii", in->sku_id,
		    in->product_id, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "不是该商品的规格";
			w->bad = INQUIRY_FIELD_SKU;
			return ERR_INVALID;
		}
	}
	if (db_run(c->arena, &r, sql_recent, "is", c->shop->id,
	    c->remote_addr) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) >= INQUIRY_PER_HOUR) {
		clog_warnx(c, "inquiry: limit reached ip=%s", c->remote_addr);
		c->error = "询价过于频繁，请稍后再试或直接致电我们";
		return ERR_TOO_MANY;
	}
	snprintf(cu, sizeof(cu), "%" PRId64, c->sess.user_id);
	if (db_run(c->arena, &r, sql_add, "issssss", c->shop->id,
	    c->sess.kind == SESS_CUSTOMER ? cu : NULL, in->contact_name,
	    in->contact_phone, in->company ? in->company : "",
	    in->message ? in->message : "", c->remote_addr) == -1)
		return ERR_INTERNAL;
	w->created = (int64_t)r->insert_id;
	snprintf(sku, sizeof(sku), "%" PRId64, in->sku_id);
	if (in->product_id != 0 && db_run(c->arena, NULL, sql_add_line,
	    "iiisi", c->shop->id, w->created, in->product_id,
	    in->sku_id != 0 ? sku : NULL, in->qty > 0 ? in->qty : 1) == -1)
		return ERR_INTERNAL;
	return 0;
}

/*
 * A new inquiry from the actor (a guest or a customer's user) at the
 * client's address, about a product on the shelf or with a message.
 */
int
inquiry_create(struct dctx *c, const struct inquiry_new *in, int64_t *id,
    enum inquiry_field *bad)
{
	struct iwrite	 w;
	int		 rc;

	*id = 0;
	*bad = INQUIRY_FIELD_NONE;
	if (in->product_id == 0 && (in->message == NULL ||
	    *in->message == '\0')) {
		c->error = "请选择商品或填写留言";
		return ERR_INVALID;
	}
	if (in->product_id == 0 && in->sku_id != 0) {
		c->error = "不是该商品的规格";
		*bad = INQUIRY_FIELD_SKU;
		return ERR_INVALID;
	}
	memset(&w, 0, sizeof(w));
	w.in = in;
	if ((rc = db_tx_run(c, tx_create, &w)) != 0) {
		*bad = w.bad;
		return rc;
	}
	*id = w.created;
	clog_info(c, "inquiry created id=%" PRId64 " ip=%s", *id,
	    c->remote_addr);
	return 0;
}

/*
 * Lock one of the shop's inquiries in the actor's scope: ERR_NOT_FOUND
 * for another shop's or salesperson's, or none.
 */
static int
lock(struct dctx *c, int64_t id, const char **status)
{
	struct db_res	*r;
	int64_t		 so = scope_owner(c);

	if (db_run(c->arena, &r, sql_lock, "iiiii", id, c->shop->id, so, so,
	    so) == -1)
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
	struct iwrite	*w = arg;
	struct db_res	*r;
	const char	*status;
	int		 rc;

	iwrite_reset(c, w);
	if ((rc = lock(c, w->id, &status)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_staff_one, "ii", w->staff_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "请选择本店在职员工";
		w->bad = INQUIRY_FIELD_STAFF;
		return ERR_INVALID;
	}
	if (db_run(c->arena, NULL, sql_assign, "iii", w->staff_id, w->id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "inquiry.assign", "inquiry=%" PRId64 " staff=%" PRId64,
	    w->id, w->staff_id);
}

/* Give the inquiry to an active staff member of the shop. */
int
inquiry_assign(struct dctx *c, int64_t id, int64_t staff_id,
    enum inquiry_field *bad)
{
	struct iwrite	 w;
	int		 rc;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.staff_id = staff_id;
	rc = db_tx_run(c, tx_assign, &w);
	*bad = rc == 0 ? INQUIRY_FIELD_NONE : w.bad;
	if (rc == 0)
		clog_info(c, "inquiry assigned id=%" PRId64 " staff=%" PRId64,
		    id, staff_id);
	return rc;
}

/* The number n decimal digits at s spell; -1 if one is not a digit. */
static int
digits(const char *s, int n)
{
	int	v = 0;

	for (; n > 0; n--, s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* "YYYY-MM-DD", a day that exists. */
static int
date_ok(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 2000 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0));
}

/*
 * The quote's last day: as typed, from today to INQUIRY_QUOTE_DAYS_MAX
 * days on in China, or INQUIRY_QUOTE_DAYS on when none was typed.
 */
static int
quote_until(struct dctx *c, struct iwrite *w)
{
	struct db_res	*r;
	int64_t		 days;

	if (w->valid_in == NULL || *w->valid_in == '\0') {
		if (db_run(c->arena, &r, sql_default_until, "i",
		    (int64_t)INQUIRY_QUOTE_DAYS) == -1)
			return ERR_INTERNAL;
		w->until = db_cell(r, 0, 0);
		return 0;
	}
	if (db_run(c->arena, &r, sql_days_to, "s", w->valid_in) == -1)
		return ERR_INTERNAL;
	days = db_cell_i64(r, 0, 0);
	if (days < 0 || days > INQUIRY_QUOTE_DAYS_MAX) {
		c->error = days < 0 ? "不能早于今天" : arena_printf(c->arena,
		    "最长 %d 天", INQUIRY_QUOTE_DAYS_MAX);
		w->bad = INQUIRY_FIELD_VALID_UNTIL;
		return ERR_INVALID;
	}
	w->until = w->valid_in;
	return 0;
}

static int
tx_answer(struct dctx *c, void *arg)
{
	struct iwrite	*w = arg;
	struct db_res	*r;
	const char	*status;
	char		 fen[24];
	int		 rc, i, quoted = 0;

	iwrite_reset(c, w);
	if ((rc = lock(c, w->id, &status)) != 0)
		return rc;
	if (strcmp(status, "closed") == 0) {
		c->error = "该询价已关闭，不能再回复";
		return ERR_CONFLICT;
	}
	for (i = 0; i < w->nquotes; i++)
		quoted += w->quotes[i].fen >= 0;
	/* A validity only for prices: a text answer promises none. */
	if (quoted > 0 && (rc = quote_until(c, w)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_answer, "ssiii", w->answer, w->until,
	    c->sess.user_id, w->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < w->nquotes; i++) {
		snprintf(fen, sizeof(fen), "%" PRId64, w->quotes[i].fen);
		if (db_run(c->arena, NULL, sql_quote, "sii",
		    w->quotes[i].fen >= 0 ? fen : NULL, w->quotes[i].line_id,
		    w->id) == -1)
			return ERR_INTERNAL;
	}
	if (db_run(c->arena, NULL, sql_answer_message, "iiis", c->shop->id,
	    w->id, c->sess.user_id, w->answer) == -1)
		return ERR_INTERNAL;
	/* Prices make the quote's next version; every one is kept. */
	if (quoted > 0 && (rc = quote_version_add(c, w->id, w->until,
	    w->answer)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_asker, "ii", w->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 1 && (rc = notify_money(c, db_cell_i64(r, 0, 0),
	    "inquiry_answered", db_cell_i64(r, 0, 1), quoted > 0 ?
	    "商家给您报了价，请在有效期内查看" : "商家回复了您的询价")) != 0)
		return rc;
	return audit(c, "inquiry.answer", "inquiry=%" PRId64 " quoted=%d "
	    "answer_chars=%zu%s%s", w->id, quoted, utf8_len(w->answer),
	    w->until ? " valid_until=" : "", w->until ? w->until : "");
}

static void
answer_refused(struct dctx *c, int64_t id, const char *valid_until)
{
	clog_info(c, "inquiry answer refused id=%" PRId64 " valid_until=%s "
	    "why=%s", id, log_safe(c->arena, valid_until ? valid_until : ""),
	    c->error);
}

/*
 * Answer an inquiry that is not closed (ERR_CONFLICT), setting or
 * clearing the quoted unit price of the lines given, the quote valid
 * until valid_until ("YYYY-MM-DD"; NULL or "": the default) when a line
 * has a price; the actor becomes its assignee if it had none. The answer
 * joins the conversation and the inquiry waits for the customer again;
 * an answer with prices is the quote's next version (domain/quote.c).
 * A bad validity is ERR_INVALID, *bad INQUIRY_FIELD_VALID_UNTIL.
 */
int
inquiry_answer(struct dctx *c, int64_t id, const char *answer,
    const struct inquiry_quote *quotes, int n, const char *valid_until,
    enum inquiry_field *bad)
{
	struct iwrite	 w;
	int		 rc, i, quoted = 0;

	*bad = INQUIRY_FIELD_NONE;
	for (i = 0; i < n; i++)
		quoted += quotes[i].fen >= 0;
	if (quoted > 0 && valid_until != NULL && *valid_until != '\0' &&
	    !date_ok(valid_until)) {
		c->error = "应为日期，如 2025-06-30";
		*bad = INQUIRY_FIELD_VALID_UNTIL;
		answer_refused(c, id, valid_until);
		return ERR_INVALID;
	}
	memset(&w, 0, sizeof(w));
	w.id = id;
	w.answer = answer;
	w.quotes = quotes;
	w.nquotes = n;
	w.valid_in = valid_until;
	if ((rc = db_tx_run(c, tx_answer, &w)) != 0) {
		*bad = w.bad;
		if (rc == ERR_INVALID)
			answer_refused(c, id, valid_until);
		return rc;
	}
	clog_info(c, "inquiry answered id=%" PRId64 " quoted=%d "
	    "valid_until=%s", id, quoted, w.until ? w.until : "-");
	return 0;
}

static int
tx_close(struct dctx *c, void *arg)
{
	struct iwrite	*w = arg;
	const char	*status;
	int		 rc;

	iwrite_reset(c, w);
	if ((rc = lock(c, w->id, &status)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_close, "ii", w->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "inquiry.close", "inquiry=%" PRId64 " was=%s", w->id,
	    status);
}

int
inquiry_close(struct dctx *c, int64_t id)
{
	struct iwrite	 w;

	memset(&w, 0, sizeof(w));
	w.id = id;
	return db_tx_run(c, tx_close, &w);
}
