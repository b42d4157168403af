/*
 * order.c -- the order area's names: states, channels, invoice kinds and
 * payment terms as the database, programs and people say them; the
 * actor as the rows' who-columns; a state move's event row; China dates.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/order.h"
#include "domain/order_rows.h"

static const char sql_event[] =
    "INSERT INTO order_event (shop_id, order_id, from_state, to_state, "
    "customer_user_id, staff_id, note) VALUES (?, ?, ?, ?, ?, ?, ?)";

static const char *const states[ORDER_NSTATES][2] = {
	[ORDER_PENDING_APPROVAL] = { "pending_approval", "待审批" },
	[ORDER_SUBMITTED] = { "submitted", "待确认" },
	[ORDER_CONFIRMED] = { "confirmed", "已确认" },
	[ORDER_SHIPPED] = { "shipped", "已发货" },
	[ORDER_RECEIVED] = { "received", "已收货" },
	[ORDER_COMPLETED] = { "completed", "已完成" },
	[ORDER_CANCELLED] = { "cancelled", "已取消" },
};

const char *
order_state_name(enum order_state s)
{
	return (unsigned)s < ORDER_NSTATES ? states[s][0] : "submitted";
}

const char *
order_state_label(enum order_state s)
{
	return (unsigned)s < ORDER_NSTATES ? states[s][1] : "";
}

/* 0, or -1 for a name that is no state. */
int
order_state_parse(const char *s, enum order_state *out)
{
	int	i;

	for (i = 0; s != NULL && i < ORDER_NSTATES; i++)
		if (strcmp(s, states[i][0]) == 0) {
			*out = (enum order_state)i;
			return 0;
		}
	return -1;
}

/* Still on its way: neither completed nor cancelled. */
int
order_state_open(enum order_state s)
{
	return s != ORDER_COMPLETED && s != ORDER_CANCELLED;
}

const char *
order_channel_name(enum order_channel ch)
{
	return ch == ORDER_CHANNEL_API ? "api" : ch == ORDER_CHANNEL_ADMIN ?
	    "admin" : "h5";
}

static const char *const invoices[INVOICE_NKINDS][2] = {
	[INVOICE_NONE] = { "none", "不开票" },
	[INVOICE_NORMAL] = { "normal", "普票" },
	[INVOICE_SPECIAL] = { "special", "专票" },
};

const char *
invoice_kind_name(enum invoice_kind k)
{
	return (unsigned)k < INVOICE_NKINDS ? invoices[k][0] : "none";
}

const char *
invoice_kind_label(enum invoice_kind k)
{
	return (unsigned)k < INVOICE_NKINDS ? invoices[k][1] : "";
}

int
invoice_kind_parse(const char *s, enum invoice_kind *out)
{
	int	i;

	for (i = 0; s != NULL && i < INVOICE_NKINDS; i++)
		if (strcmp(s, invoices[i][0]) == 0) {
			*out = (enum invoice_kind)i;
			return 0;
		}
	return -1;
}

const char *
pay_terms_name(enum pay_terms t)
{
	return t == TERMS_MONTHLY ? "monthly" : "prepaid";
}

int
pay_terms_parse(const char *s, enum pay_terms *out)
{
	if (s != NULL && strcmp(s, "prepaid") == 0)
		*out = TERMS_PREPAID;
	else if (s != NULL && strcmp(s, "monthly") == 0)
		*out = TERMS_MONTHLY;
	else
		return -1;
	return 0;
}

/* The actor's customer_user.id as a bound value, or NULL (SQL NULL). */
const char *
order_actor_user(struct dctx *c)
{
	if (c->sess.kind != SESS_CUSTOMER)
		return NULL;
	return arena_printf(c->arena, "%" PRId64, c->sess.user_id);
}

const char *
order_actor_staff(struct dctx *c)
{
	if (c->sess.kind != SESS_STAFF)
		return NULL;
	return arena_printf(c->arena, "%" PRId64, c->sess.user_id);
}

/* A move of an order's state by the actor; from -1: it was placed. */
int
order_event_add(struct dctx *c, int64_t order_id, int from,
    enum order_state to, const char *note)
{
	if (db_run(c->arena, NULL, sql_event, "iisssss", c->shop->id,
	    order_id, from < 0 ? NULL : order_state_name(from),
	    order_state_name(to), order_actor_user(c), order_actor_staff(c),
	    note ? note : "") == -1)
		return ERR_INTERNAL;
	return 0;
}

/* The China date days after now, formatted by strftime's fmt. */
void
order_cn_day(time_t now, int days, char *out, size_t len, const char *fmt)
{
	struct tm	tm;
	time_t		t = now + ORDER_CN_HOURS * 3600 + (time_t)days * 86400;

	gmtime_r(&t, &tm);
	if (strftime(out, len, fmt, &tm) == 0 && len > 0)
		out[0] = '\0';
}

#define TEXT_OF(n)	#n
#define TEXT(n)		TEXT_OF(n)
#define DAYS_TEXT	TEXT(ORDER_DELIVERY_DAYS)

/* n digits at s, known to be digits. */
static int
digits(const char *s, int n)
{
	int	v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Whether an order in state (its name) can be paid or invoiced: the shop
 * has it (not waiting for the company's approver) and it is not
 * cancelled. The SQL lists of payment_rows.h and invoice_req.c agree. */
int
order_state_payable(const char *state)
{
	enum order_state	st;

	return state != NULL && order_state_parse(state, &st) == 0 &&
	    st != ORDER_PENDING_APPROVAL && st != ORDER_CANCELLED;
}

/* "YYYY-MM-DD" and a real day: 0, or -1 with *why for the user. */
int
order_day_valid(const char *s, const char **why)
{
	struct tm	 tm;
	time_t		 t;
	int		 i, y, m, d;

	for (i = 0; s[i] != '\0'; i++)
		if (i > 9 || (i == 4 || i == 7 ? s[i] != '-' :
		    !isdigit((unsigned char)s[i])))
			break;
	if (i != 10 || s[i] != '\0') {
		*why = "日期格式应为 YYYY-MM-DD";
		return -1;
	}
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	gmtime_r(&t, &tm);	/* 02-30 rolls over: not a day */
	if (tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d) {
		*why = "不是有效的日期";
		return -1;
	}
	return 0;
}

/*
 * A requested delivery date: "YYYY-MM-DD", a real day, from today to
 * ORDER_DELIVERY_DAYS on (China dates; now is the time to judge by).
 * 0, or -1 with *why for the buyer.
 */
int
order_date_check(const char *s, time_t now, const char **why)
{
	char		 today[11], last[11];

	if (order_day_valid(s, why) == -1)
		return -1;
	order_cn_day(now, 0, today, sizeof(today), "%Y-%m-%d");
	order_cn_day(now, ORDER_DELIVERY_DAYS, last, sizeof(last), "%Y-%m-%d");
	if (strcmp(s, today) < 0) {
		*why = "不能早于今天";
		return -1;
	}
	if (strcmp(s, last) > 0) {
		*why = "最晚可选今天起 " DAYS_TEXT " 天内的日期";
		return -1;
	}
	return 0;
}
