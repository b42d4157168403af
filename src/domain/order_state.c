/*
 * order_state.c -- the order's state machine: which action moves which
 * state where, who may take it, and its effects, each move one
 * transaction that locks the order row first (then, for a cancel, the
 * SKUs in ascending id order and the company's balance row: the order
 * submit takes those in the same order, so the two never deadlock).
 * Every move is an order_event row and an audit row; a move the state does
 * not allow is ERR_CONFLICT with code invalid_transition and changes
 * nothing.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/ledger.h"
#include "domain/session.h"
#include "domain/order.h"
#include "domain/order_rows.h"
#include "domain/scope.h"
#include "domain/shipment.h"
#include "domain/stock.h"
#include "domain/approval.h"
#include "domain/nps.h"

#define S(x)		(1u << (x))
#define CUSTOMER_ANY	"buyer,approver,finance"

/*
 * The moves. staff_from and cust_from: the states each kind of actor may
 * take the action from (0: never); staff_roles and cust_roles: which of
 * them may. A customer cancels only what the shop has not confirmed yet.
 */
static const struct move {
	const char	*name;
	const char	*label;
	unsigned	 staff_from;
	unsigned	 cust_from;
	enum order_state to;
	const char	*staff_roles;
	const char	*cust_roles;
} moves[ORDER_NACTIONS] = {
	[ORDER_APPROVE] = { "approve", "审批通过", 0,
	    S(ORDER_PENDING_APPROVAL), ORDER_SUBMITTED, NULL, "approver" },
	[ORDER_CONFIRM] = { "confirm", "确认订单", S(ORDER_SUBMITTED), 0,
	    ORDER_CONFIRMED, "owner,admin,sales", NULL },
	[ORDER_SHIP] = { "ship", "发货", S(ORDER_CONFIRMED), 0, ORDER_SHIPPED,
	    "owner,admin,warehouse", NULL },
	[ORDER_RECEIVE] = { "receive", "确认收货", S(ORDER_SHIPPED),
	    S(ORDER_SHIPPED), ORDER_RECEIVED, "owner,admin,sales",
	    CUSTOMER_ANY },
	[ORDER_COMPLETE] = { "complete", "完成订单", S(ORDER_RECEIVED), 0,
	    ORDER_COMPLETED, "owner,admin,sales,finance", NULL },
	[ORDER_CANCEL] = { "cancel", "取消订单", S(ORDER_PENDING_APPROVAL) |
	    S(ORDER_SUBMITTED) | S(ORDER_CONFIRMED), S(ORDER_PENDING_APPROVAL) |
	    S(ORDER_SUBMITTED), ORDER_CANCELLED, "owner,admin,sales",
	    CUSTOMER_ANY },
};

static const char sql_lock[] =
    "SELECT state, payment_terms, total_fen, order_no, customer_id, "
    "ar_fen, paid_fen FROM sales_order WHERE id = ? AND shop_id = ? "
    "AND (? = 0 OR customer_id = ?) FOR UPDATE";
static const char sql_set_state[] =
    "UPDATE sales_order SET state = ? WHERE id = ? AND shop_id = ?";
static const char sql_lines[] =
    "SELECT sku_id, SUM(qty) FROM order_line WHERE shop_id = ? "
    "AND order_id = ? GROUP BY sku_id ORDER BY sku_id";

static const char sql_any_shipped[] =
    "SELECT COUNT(*) FROM shipment WHERE shop_id = ? AND order_id = ?";

const char *
order_action_name(enum order_action a)
{
	return (unsigned)a < ORDER_NACTIONS ? moves[a].name : "";
}

const char *
order_action_label(enum order_action a)
{
	return (unsigned)a < ORDER_NACTIONS ? moves[a].label : "";
}

/* The states the actor's kind may take action a from. */
static unsigned
from_states(const struct session *s, enum order_action a)
{
	return s->kind == SESS_STAFF ? moves[a].staff_from :
	    s->kind == SESS_CUSTOMER ? moves[a].cust_from : 0;
}

static int
role_may(const struct session *s, enum order_action a)
{
	const char	*roles = s->kind == SESS_STAFF ? moves[a].staff_roles :
			    s->kind == SESS_CUSTOMER ? moves[a].cust_roles : NULL;

	return roles != NULL && s->role != NULL && name_in_list(roles, s->role);
}

/* May this actor take action a on an order in state st (for buttons)? */
int
order_may(const struct session *s, enum order_state st, enum order_action a)
{
	if ((unsigned)a >= ORDER_NACTIONS || (unsigned)st >= ORDER_NSTATES)
		return 0;
	return (from_states(s, a) & S(st)) != 0 && role_may(s, a);
}

struct mv {
	int64_t				 id;
	enum order_action		 action;
	const struct order_move_args	*args;
	enum order_state		 now;
	unsigned			 only;	/* 0, or the from states
						 * allowed (a reject, a release) */
	const char			*roles;	/* NULL, or the customer
						 * roles allowed instead */
	int				 system; /* the release job: no
						 * actor, no role */
	const char			*notify; /* NULL, or the event the
						 * company's users hear of */
	int				 partial;	/* ship: some left */
};

/* A cancel gives back every SKU's units, in ascending SKU id. */
static int
release(struct dctx *c, int64_t id)
{
	struct db_res	*r;
	int		 i, rc;

	if (db_run(c->arena, &r, sql_lines, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++)
		if ((rc = stock_give_back(c, db_cell_i64(r, i, 0),
		    db_cell_i64(r, i, 1))) != 0)
			return rc == ERR_NOT_FOUND ? ERR_INTERNAL : rc;
	return stock_order_moves(c, id, STOCK_RELEASE);
}

/*
 * A parcel (shipment.c): the lines args name, or all that is left. The
 * order stays confirmed (部分发货) until nothing is left to ship.
 */
static int
ship(struct dctx *c, struct mv *m)
{
	const struct order_move_args	*a = m->args;
	int				 rc, complete = 0;

	if (a == NULL || a->carrier == NULL || *a->carrier == '\0' ||
	    a->tracking_no == NULL || *a->tracking_no == '\0') {
		c->error = "请填写承运商和运单号";
		return ERR_INVALID;
	}
	if ((rc = shipment_make(c, m->id, a->carrier, a->tracking_no, a->ship,
	    a->nship, &complete)) != 0)
		return rc;
	m->partial = !complete;
	m->notify = "shipped";
	return 0;
}

/* A parcel has left: the order can no longer be cancelled (部分发货). */
static int
none_shipped(struct dctx *c, int64_t id)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_any_shipped, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) == 0)
		return 0;
	c->error = "订单已部分发货，不能取消";
	c->code = "invalid_transition";
	return ERR_CONFLICT;
}

/* The move's effects beyond the state: stock, credit, the parcel. */
static int
effects(struct dctx *c, struct mv *m, const struct db_res *o)
{
	int	rc;

	switch (m->action) {
	case ORDER_CANCEL:
		if ((rc = none_shipped(c, m->id)) != 0 ||
		    (rc = release(c, m->id)) != 0)
			return rc;
		return ledger_order_cancel(c, m->id, db_cell_i64(o, 0, 4),
		    db_cell_i64(o, 0, 5), db_cell_i64(o, 0, 6));
	case ORDER_SHIP:
		return ship(c, m);
	case ORDER_RECEIVE:
		return nps_schedule_order(c, m->id);	/* its NPS survey */
	default:
		return 0;
	}
}

/* The refusal of a move the order's state does not allow. */
static int
invalid(struct dctx *c, struct mv *m, enum order_state st)
{
	c->error = arena_printf(c->arena, "订单当前为「%s」，不能%s",
	    order_state_label(st), moves[m->action].label);
	c->code = "invalid_transition";
	return ERR_CONFLICT;
}

static int
tx_move(struct dctx *c, void *arg)
{
	struct mv	*m = arg;
	struct db_res	*o;
	enum order_state st, to;
	const char	*note = m->args ? m->args->note : NULL;
	int64_t		 mine = c->sess.kind == SESS_CUSTOMER ?
			    c->sess.customer_id : 0;
	int		 rc;

	c->error = NULL;
	c->code = NULL;
	if (db_run(c->arena, &o, sql_lock, "iiii", m->id, c->shop->id, mine,
	    mine) == -1)
		return ERR_INTERNAL;
	if (o->nrows == 0) {
		c->error = "订单不存在";
		return ERR_NOT_FOUND;
	}
	/* A salesperson's own companies only, kept so until the end. */
	if (scope_owner(c) != 0 && (rc = scope_customer(c,
	    db_cell_i64(o, 0, 4))) != 0) {
		if (rc == ERR_NOT_FOUND)
			c->error = "订单不存在";
		return rc;
	}
	if (order_state_parse(db_cell(o, 0, 0), &st) == -1)
		return ERR_INTERNAL;
	m->now = st;
	if (!m->system && (from_states(&c->sess, m->action) & S(st)) == 0)
		return invalid(c, m, st);
	if (m->only != 0 && (m->only & S(st)) == 0)
		return invalid(c, m, st);
	if (m->roles != NULL ? c->sess.kind != SESS_CUSTOMER ||
	    c->sess.role == NULL || !name_in_list(m->roles, c->sess.role) :
	    !m->system && !role_may(&c->sess, m->action)) {
		c->error = arena_printf(c->arena, "您的角色不能%s",
		    moves[m->action].label);
		return ERR_FORBIDDEN;
	}
	if ((rc = effects(c, m, o)) != 0)
		return rc;
	/* A parcel that leaves some behind: still confirmed, 部分发货. */
	to = m->partial ? st : moves[m->action].to;
	if (m->partial && (note == NULL || *note == '\0'))
		note = arena_printf(c->arena, "部分发货：%s %s",
		    m->args->carrier, m->args->tracking_no);
	if (db_run(c->arena, NULL, sql_set_state, "sii",
	    order_state_name(to), m->id, c->shop->id) == -1 ||
	    order_event_add(c, m->id, st, to, note) != 0 ||
	    audit(c, "order.move", "order=%" PRId64 " no=%s %s->%s%s%s", m->id,
	    db_cell(o, 0, 3), order_state_name(st),
	    order_state_name(to), note && *note ? " note=" :
	    "", note ? note : "") != 0)
		return ERR_INTERNAL;
	if (m->notify == NULL && m->action == ORDER_APPROVE)
		m->notify = "approved";
	if (m->notify != NULL && (rc = notify_order(c, m->id, m->notify)) != 0)
		return rc;
	m->now = to;
	return 0;
}

/*
 * Take action a on order id of the request's shop (a customer: of their
 * company only; a salesperson: of a company they own; another's is
 * ERR_NOT_FOUND), as the actor; args carries a
 * note (a cancel's reason), and a shipment's carrier and tracking number.
 * *now is the state after (or, refused, as it is). ERR_CONFLICT with
 * c->code "invalid_transition" when the state does not allow it,
 * ERR_FORBIDDEN when the actor's role may not, ERR_INVALID for a
 * shipment without carrier or number.
 */
static int
run_move(struct dctx *c, struct mv *m, enum order_state *now)
{
	int	rc;

	rc = db_tx_run(c, tx_move, m);
	if (now != NULL)
		*now = m->now;
	if (rc == 0)
		clog_info(c, "order_move id=%" PRId64 " action=%s to=%s%s",
		    m->id, moves[m->action].name, order_state_name(m->now),
		    m->system ? " by=system" : m->roles ? " by=approver" : "");
	return rc;
}

/*
 * The company's approver turns down an order waiting for approval
 * (approval.c): a cancel, from pending_approval only, by an approver
 * only, with the reason they must give; stock and credit go back as for
 * any cancel and the one who placed it is told.
 */
int
order_reject(struct dctx *c, int64_t id, const char *reason,
    enum order_state *now)
{
	struct order_move_args	args;
	struct mv		m;

	if (reason == NULL || *reason == '\0') {
		c->error = "请填写驳回原因";
		c->code = "reason_required";
		return ERR_INVALID;
	}
	memset(&args, 0, sizeof(args));
	args.note = arena_printf(c->arena, "审批驳回：%s", reason);
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.action = ORDER_CANCEL;
	m.args = &args;
	m.only = S(ORDER_PENDING_APPROVAL);
	m.roles = "approver";
	m.notify = "rejected";
	return run_move(c, &m, now);
}

/*
 * The release job (order_release.c) cancels an order left waiting too
 * long in state st: as the system (c->sess of kind SESS_NONE: the event
 * names nobody), with note, through the same cancel as a person's. An
 * order that moved on meanwhile is ERR_CONFLICT invalid_transition and
 * stays as it is, so running the job twice cancels nothing twice.
 */
int
order_release(struct dctx *c, int64_t id, enum order_state st,
    const char *note)
{
	struct order_move_args	args;
	struct mv		m;

	if (c->sess.kind != SESS_NONE)
		return ERR_FORBIDDEN;
	memset(&args, 0, sizeof(args));
	args.note = note;
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.action = ORDER_CANCEL;
	m.args = &args;
	m.only = S(st) & (S(ORDER_PENDING_APPROVAL) | S(ORDER_SUBMITTED));
	m.system = 1;
	m.notify = "released";
	if (m.only == 0)
		return ERR_INVALID;
	return run_move(c, &m, NULL);
}

int
order_move(struct dctx *c, int64_t id, enum order_action a,
    const struct order_move_args *args, enum order_state *now)
{
	struct mv	m;
	int		rc;

	if ((unsigned)a >= ORDER_NACTIONS)
		return ERR_INVALID;
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.action = a;
	m.args = args;
	rc = db_tx_run(c, tx_move, &m);
	if (now != NULL)
		*now = m.now;
	if (rc == 0)
		clog_info(c, "order_move id=%" PRId64 " action=%s to=%s", id,
		    moves[a].name, order_state_name(m.now));
	return rc;
}
