/*
 * notify.c -- telling a company's users what happened to their orders.
 * A move queues a notify.order job row in its own transaction (the
 * payload names the order and the event); the job decides who should
 * know (the approvers of an order waiting for them, the one who placed an
 * order that was approved, turned down or released) and records one
 * notification row each, which the account page's 消息 shows, and
 * delivers them in WeChat (wx_message.c) where the shop set a template. A job that runs twice records once
 * (the rows are unique per job and user).
 */
#include "base/base.h"
#include "services/db.h"
#include "services/job.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/order_rows.h"
#include "domain/approval.h"
#include "domain/wx_message.h"

#define NOTIFY_KIND	"notify.order"

/* The events, their titles, and who hears of them. */
static const struct event {
	const char	*name;
	const char	*title;
	const char	*roles;		/* the company's users with these roles */
	int		 placer;	/* and the one who placed the order */
} events[] = {
	{ "placed", "订单已提交", "", 1 },
	{ "submitted", "有新订单待审批", "approver", 0 },
	{ "approved", "订单已审批通过", "", 1 },
	{ "rejected", "订单被驳回", "", 1 },
	{ "released", "订单已超时自动取消", "approver", 1 },
	{ "changed", "商家调整了订单", "approver", 1 },
	{ "shipped", "订单已发货", "", 1 },
	{ NULL, NULL, NULL, 0 }
};

static const char sql_order[] =
    "SELECT o.order_no, o.total_fen, (SELECT e.note FROM order_event e "
    "WHERE e.shop_id = o.shop_id AND e.order_id = o.id ORDER BY e.id DESC "
    "LIMIT 1) FROM sales_order o WHERE o.id = ? AND o.shop_id = ?";
static const char sql_record[] =
    "INSERT IGNORE INTO notification (shop_id, customer_user_id, kind, "
    "order_id, title, body, job_id) SELECT o.shop_id, u.id, ?, o.id, ?, ?, ? "
    "FROM sales_order o JOIN customer_user u ON u.shop_id = o.shop_id "
    "AND u.customer_id = o.customer_id AND u.status = 'active' "
    "WHERE o.id = ? AND o.shop_id = ? AND (FIND_IN_SET(u.role, ?) > 0 "
    "OR (? = 1 AND u.id = o.customer_user_id))";
static const char sql_list[] =
    "SELECT id, kind, COALESCE(order_id, 0), title, body, "
    ORDER_LOCAL("created_at") ", read_at IS NULL, COALESCE(link, '') "
    "FROM notification "
    "WHERE shop_id = ? AND customer_user_id = ? ORDER BY id DESC LIMIT ?";
static const char sql_unread[] =
    "SELECT COUNT(*) FROM notification WHERE shop_id = ? "
    "AND customer_user_id = ? AND read_at IS NULL";
static const char sql_read_all[] =
    "UPDATE notification SET read_at = NOW(3) WHERE shop_id = ? "
    "AND customer_user_id = ? AND read_at IS NULL";

/* What was just recorded, in WeChat too (wx_message.c); a failure there
 * is the wechat.deliver job's to retry, not this job's. */
static const char *
deliver(struct arena *a, int64_t shop)
{
	struct wx_deliver_count	k;

	if (wx_deliver(a, shop, &k) != 0)
		return " wechat=failed";
	return arena_printf(a, " wechat sent=%d failed=%d skipped=%d "
	    "waiting=%d", k.sent, k.failed, k.skipped, k.waiting);
}

static const struct event *
event_find(const char *name)
{
	const struct event	*e;

	for (e = events; name != NULL && e->name != NULL; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/*
 * Queue the notifications of order id's event, in the caller's
 * transaction: the job row goes with the move or not at all.
 */
int
notify_order(struct dctx *c, int64_t id, const char *event)
{
	const struct event	*e = event_find(event);

	if (e == NULL)
		return ERR_INTERNAL;
	if (job_enqueue(c->arena, c->shop->id, NOTIFY_KIND, arena_printf(
	    c->arena, "{\"order\": %" PRId64 ", \"event\": \"%s\"}", id,
	    e->name), NULL, 0, 0, NULL) != 0)
		return ERR_INTERNAL;
	return 0;
}

/* The payload's order id and event. */
static int
payload(const struct job *j, int64_t *id, const struct event **e)
{
	json_object	*o, *v;

	*id = 0;
	*e = NULL;
	if (j->payload == NULL || (o = json_tokener_parse(j->payload)) == NULL)
		return -1;
	if (json_object_object_get_ex(o, "order", &v) &&
	    json_object_is_type(v, json_type_int))
		*id = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "event", &v) &&
	    json_object_is_type(v, json_type_string))
		*e = event_find(json_object_get_string(v));
	json_object_put(o);
	return *id > 0 && *e != NULL ? 0 : -1;
}

/* The notify.order job: one notification for each who should know. */
int
task_notify_order(struct arena *a, const struct job *j, const char **msg)
{
	const struct event	*e;
	struct db_res		*r;
	const char		*body, *note;
	int64_t			 id;

	if (payload(j, &id, &e) == -1 || j->shop_id == 0) {
		*msg = "notify.order: payload needs order and a known event";
		return -1;
	}
	if (db_run(a, &r, sql_order, "ii", id, j->shop_id) == -1) {
		*msg = arena_printf(a, "database: %s", db_error());
		return -1;
	}
	if (r->nrows == 0) {
		*msg = "order gone: nothing to tell";
		return 0;
	}
	note = db_cell(r, 0, 2);
	body = arena_printf(a, "订单 %s，金额 ¥%s%s%s", db_cell(r, 0, 0),
	    fmt_yuan(a, db_cell_i64(r, 0, 1)), note && *note ? "。" : "",
	    note ? note : "");
	if (db_run(a, &r, sql_record, "sssiiisi", e->name, e->title, body,
	    j->id, id, j->shop_id, e->roles, (int64_t)e->placer) == -1) {
		*msg = arena_printf(a, "database: %s", db_error());
		return -1;
	}
	*msg = arena_printf(a, "order=%" PRId64 " event=%s recorded=%llu%s",
	    id, e->name, (unsigned long long)r->affected,
	    deliver(a, j->shop_id));
	return 0;
}

/* ---- money: payments and invoices ------------------------------------ */

#define NOTIFY_MONEY	"notify.money"

static const struct money_event {
	const char	*name;
	const char	*title;
	int		 finance;	/* the company's finance users too */
} money_events[] = {
	{ "payment_confirmed", "付款已确认", 1 },
	{ "payment_rejected", "付款被驳回", 1 },
	{ "invoice_issued", "发票已开具", 1 },
	{ "invoice_rejected", "开票申请被驳回", 1 },
	{ "inquiry_answered", "询价已回复", 0 },
	{ "ticket_replied", "售后工单有新回复", 0 },
	{ NULL, NULL, 0 }
};

static const char sql_money_record[] =
    "INSERT IGNORE INTO notification (shop_id, customer_user_id, kind, "
    "title, body, job_id) SELECT u.shop_id, u.id, ?, ?, ?, ? "
    "FROM customer_user u WHERE u.shop_id = ? AND u.customer_id = ? "
    "AND u.status = 'active' AND ((u.role = 'finance' AND ? = 1) "
    "OR u.id = ?)";

static const struct money_event *
money_event_find(const char *name)
{
	const struct money_event *e;

	for (e = money_events; name != NULL && e->name != NULL; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/*
 * Queue event's notice about company customer's money, in the caller's
 * transaction, for its finance users and user (the one who recorded or
 * asked; 0: none); body says what, as the user reads it.
 */
int
notify_money(struct dctx *c, int64_t customer, const char *event,
    int64_t user, const char *body)
{
	json_object	*o;
	int		 rc;

	if (money_event_find(event) == NULL)
		return ERR_INTERNAL;
	o = json_object_new_object();
	json_object_object_add(o, "customer", json_object_new_int64(customer));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "user", json_object_new_int64(user));
	json_object_object_add(o, "body", json_object_new_string(body));
	rc = job_enqueue(c->arena, c->shop->id, NOTIFY_MONEY,
	    arena_strdup(c->arena, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN)), NULL, 0, 0, NULL);
	json_object_put(o);
	return rc != 0 ? ERR_INTERNAL : 0;
}

/* The notify.money job: the notice for each who should know. */
int
task_notify_money(struct arena *a, const struct job *j, const char **msg)
{
	const struct money_event *e = NULL;
	json_object	*o, *v;
	int64_t		 customer = 0, user = 0;
	const char	*body = "";
	struct db_res	*r;

	if (j->payload == NULL || (o = json_tokener_parse(j->payload)) == NULL) {
		*msg = "notify.money: payload is no JSON";
		return -1;
	}
	if (json_object_object_get_ex(o, "customer", &v))
		customer = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "user", &v))
		user = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "event", &v))
		e = money_event_find(json_object_get_string(v));
	if (json_object_object_get_ex(o, "body", &v))
		body = arena_strdup(a, json_object_get_string(v));
	json_object_put(o);
	if (e == NULL || customer <= 0 || j->shop_id == 0) {
		*msg = "notify.money: payload needs customer and a known event";
		return -1;
	}
	if (db_run(a, &r, sql_money_record, "sssiiiii", e->name, e->title,
	    body, j->id, j->shop_id, customer, (int64_t)e->finance,
	    user) == -1) {
		*msg = arena_printf(a, "database: %s", db_error());
		return -1;
	}
	*msg = arena_printf(a, "customer=%" PRId64 " event=%s recorded=%llu%s",
	    customer, e->name, (unsigned long long)r->affected,
	    deliver(a, j->shop_id));
	return 0;
}

/* The actor's newest notifications. */
int
notify_list(struct dctx *c, struct notification **out, int *n)
{
	struct notification	*v;
	struct db_res		*r;
	int			 i;

	*out = NULL;
	*n = 0;
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_list, "iii", c->shop->id,
	    c->sess.user_id, (int64_t)NOTIFY_LIST_MAX) == -1)
		return ERR_INTERNAL;
	v = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*v));
	for (i = 0; i < r->nrows; i++) {
		v[i].id = db_cell_i64(r, i, 0);
		v[i].kind = db_cell(r, i, 1);
		v[i].order_id = db_cell_i64(r, i, 2);
		v[i].title = db_cell(r, i, 3);
		v[i].body = db_cell(r, i, 4);
		v[i].time = db_cell(r, i, 5);
		v[i].unread = db_cell_i64(r, i, 6) != 0;
		v[i].link = db_cell(r, i, 7);
	}
	*out = v;
	*n = r->nrows;
	return 0;
}

int
notify_unread(struct dctx *c, int64_t *n)
{
	struct db_res	*r;

	*n = 0;
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_unread, "ii", c->shop->id,
	    c->sess.user_id) == -1)
		return ERR_INTERNAL;
	*n = db_cell_i64(r, 0, 0);
	return 0;
}

int
notify_read_all(struct dctx *c)
{
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, NULL, sql_read_all, "ii", c->shop->id,
	    c->sess.user_id) == -1)
		return ERR_INTERNAL;
	return 0;
}
