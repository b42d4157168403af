/*
 * approval.c -- which orders of a company wait for its approver, and how
 * long the shop lets waiting orders hold stock. The rule is the company's
 * (customer.approval_mode, approve_above_fen), set by staff who may edit
 * the company; first_state() in order_submit.c asks approval_needed().
 * An approver's or finance user's own order is theirs to answer for: it
 * waits only when the rule is "all". The release hours are the shop's
 * (shop.release_unapproved_hours, release_unconfirmed_hours); the
 * order.release job (order_release.c) reads them.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/scope.h"
#include "domain/session.h"
#include "domain/approval.h"

/* Staff who may set a company's rule (a salesperson: their own). */
#define RULE_ROLES	"owner,admin,sales"
/* Staff who may set the release hours. */
#define HOURS_ROLES	"owner,admin"

static const char *const modes[APPROVAL_NMODES][2] = {
	[APPROVAL_NONE] = { "none", "无需审批" },
	[APPROVAL_ABOVE] = { "above", "采购员订单超过金额需审批" },
	[APPROVAL_BUYER] = { "buyer_orders", "采购员的订单都需审批" },
	[APPROVAL_ALL] = { "all", "所有订单都需审批" },
};

static const char sql_rule[] =
    "SELECT approval_mode, approve_above_fen FROM customer "
    "WHERE id = ? AND shop_id = ?";
static const char sql_rule_save[] =
    "UPDATE customer SET approval_mode = ?, approve_above_fen = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_pending[] =
    "SELECT COUNT(*) FROM sales_order WHERE shop_id = ? AND customer_id = ? "
    "AND state = 'pending_approval'";
/* The move out of pending_approval of each of a list of orders (an
 * adjustment while it waits, order_edit.c, stays in it: not a move). */
static const char sql_outcomes[] =
    "SELECT e.order_id, e.to_state, e.note FROM order_event e "
    "JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j "
    "ON j.id = e.order_id WHERE e.shop_id = ? "
    "AND e.from_state = 'pending_approval' "
    "AND e.to_state <> 'pending_approval' ORDER BY e.id";
static const char sql_hours[] =
    "SELECT release_unapproved_hours, release_unconfirmed_hours FROM shop "
    "WHERE id = ?";
static const char sql_hours_save[] =
    "UPDATE shop SET release_unapproved_hours = ?, "
    "release_unconfirmed_hours = ? WHERE id = ?";

const char *
approval_mode_name(enum approval_mode m)
{
	return (unsigned)m < APPROVAL_NMODES ? modes[m][0] : "none";
}

const char *
approval_mode_label(enum approval_mode m)
{
	return (unsigned)m < APPROVAL_NMODES ? modes[m][1] : "";
}

int
approval_mode_parse(const char *s, enum approval_mode *m)
{
	int	i;

	for (i = 0; s != NULL && i < APPROVAL_NMODES; i++)
		if (strcmp(s, modes[i][0]) == 0) {
			*m = i;
			return 0;
		}
	return -1;
}

static int
rule_read(struct dctx *c, int64_t customer_id, struct approval_rule *r)
{
	struct db_res	*res;

	memset(r, 0, sizeof(*r));
	if (db_run(c->arena, &res, sql_rule, "ii", customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (res->nrows == 0) {
		c->error = "客户不存在";
		return ERR_NOT_FOUND;
	}
	if (approval_mode_parse(db_cell(res, 0, 0), &r->mode) == -1)
		r->mode = APPROVAL_NONE;
	r->above_fen = db_cell_i64(res, 0, 1);
	return 0;
}

/*
 * A company's rule, for staff: another shop's company, or for a
 * salesperson one they do not own, is ERR_NOT_FOUND. *may: whether the
 * actor may change it ("" or a reason why not; NULL to skip).
 */
int
approval_rule_get(struct dctx *c, int64_t customer_id,
    struct approval_rule *r, const char **may)
{
	int	rc;

	if (c->sess.kind != SESS_STAFF)
		return ERR_NOT_FOUND;
	if ((rc = scope_customer(c, customer_id)) != 0)
		return rc;
	if (may != NULL)
		*may = session_staff_role(&c->sess, RULE_ROLES) ? "" :
		    "只有店主、管理员和负责该客户的业务员可以修改审批规则";
	return rule_read(c, customer_id, r);
}

static int
tx_rule(struct dctx *c, void *arg)
{
	const struct approval_rule	*r = ((void **)arg)[0];
	int64_t				 id = *(int64_t *)((void **)arg)[1];
	struct db_res			*res;
	int				 rc;

	c->error = NULL;
	if ((rc = scope_customer(c, id)) != 0)
		return rc;
	if (db_run(c->arena, &res, sql_rule_save, "siii",
	    approval_mode_name(r->mode), r->above_fen, id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "customer.approval", "customer=%" PRId64 " mode=%s "
	    "above_fen=%" PRId64, id, approval_mode_name(r->mode),
	    r->above_fen);
}

/* Store a company's rule (owner, admin, the salesperson who owns it). */
int
approval_rule_save(struct dctx *c, int64_t customer_id,
    const struct approval_rule *r)
{
	void		*args[2];
	struct approval_rule rule = *r;
	int		 rc;

	if (c->sess.kind != SESS_STAFF)
		return ERR_NOT_FOUND;
	if (!session_staff_role(&c->sess, RULE_ROLES)) {
		c->error = "只有店主、管理员和负责该客户的业务员可以修改审批规则";
		return ERR_FORBIDDEN;
	}
	if ((unsigned)rule.mode >= APPROVAL_NMODES || rule.above_fen < 0) {
		c->error = "审批规则无效";
		return ERR_INVALID;
	}
	if (rule.mode != APPROVAL_ABOVE)
		rule.above_fen = 0;
	args[0] = &rule;
	args[1] = &customer_id;
	if ((rc = db_tx_run(c, tx_rule, args)) == 0)
		clog_info(c, "approval rule saved customer=%" PRId64 " mode=%s",
		    customer_id, approval_mode_name(rule.mode));
	return rc;
}

/*
 * Does an order of total_fen the actor (a user of the company whose rule
 * r is) places now wait for approval? The submit reads the rule with the
 * company, inside its transaction, as it is now. Staff placing an order
 * on a company's behalf answer for it themselves: never.
 */
int
approval_needed(const struct dctx *c, const struct approval_rule *r,
    int64_t total_fen)
{
	int	buyer;

	if (c->sess.kind != SESS_CUSTOMER)
		return 0;
	buyer = c->sess.role == NULL || strcmp(c->sess.role, "buyer") == 0;
	switch (r->mode) {
	case APPROVAL_ABOVE:
		return buyer && total_fen > r->above_fen;
	case APPROVAL_BUYER:
		return buyer;
	case APPROVAL_ALL:
		return 1;
	default:
		return 0;
	}
}

/* The orders of the actor's company waiting for approval (approvers). */
int
approval_pending_count(struct dctx *c, int64_t *n)
{
	struct db_res	*r;

	*n = 0;
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_pending, "ii", c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	*n = db_cell_i64(r, 0, 0);
	return 0;
}

/*
 * For each of n orders (of the actor's list or page), what became of its
 * approval: approved (with the approver's comment), turned down (with the
 * reason), released by the job, or cancelled before anyone decided.
 */
int
approval_outcomes(struct dctx *c, const struct order *o, int n,
    struct approval_outcome *out)
{
	struct db_res	*r;
	const char	*ids = "[", *note;
	int64_t		 id;
	int		 i, k;

	memset(out, 0, sizeof(*out) * (size_t)(n > 0 ? n : 0));
	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++)
		ids = arena_printf(c->arena, "%s%s%" PRId64, ids, i ? "," : "",
		    o[i].id);
	ids = arena_printf(c->arena, "%s]", ids);
	if (db_run(c->arena, &r, sql_outcomes, "si", ids, c->shop->id) == -1)
		return ERR_INTERNAL;
	for (k = 0; k < r->nrows; k++) {
		id = db_cell_i64(r, k, 0);
		note = db_cell(r, k, 2);
		for (i = 0; i < n && o[i].id != id; i++)
			;
		if (i == n)
			continue;
		if (strcmp(db_cell(r, k, 1), "submitted") == 0) {
			out[i].text = note && *note ? arena_printf(c->arena,
			    "审批通过（%s）", note) : "审批通过";
			out[i].rejected = 0;
		} else {
			out[i].text = note && *note ? note : "审批前已取消";
			out[i].rejected = 1;
		}
	}
	return 0;
}

int
release_hours_get(struct dctx *c, struct release_hours *h)
{
	struct db_res	*r;

	memset(h, 0, sizeof(*h));
	if (db_run(c->arena, &r, sql_hours, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "店铺不存在";
		return ERR_NOT_FOUND;
	}
	h->unapproved = db_cell_i64(r, 0, 0);
	h->unconfirmed = db_cell_i64(r, 0, 1);
	return 0;
}

static int
tx_hours(struct dctx *c, void *arg)
{
	const struct release_hours	*h = arg;

	c->error = NULL;
	if (db_run(c->arena, NULL, sql_hours_save, "iii", h->unapproved,
	    h->unconfirmed, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "settings.release", "unapproved_hours=%" PRId64
	    " unconfirmed_hours=%" PRId64, h->unapproved, h->unconfirmed);
}

/* Store the release hours (owner, admin), each 0 to RELEASE_HOURS_MAX. */
int
release_hours_save(struct dctx *c, const struct release_hours *h)
{
	if (c->sess.kind != SESS_STAFF ||
	    !session_staff_role(&c->sess, HOURS_ROLES)) {
		c->error = "只有店主和管理员可以修改订单自动取消规则";
		return ERR_FORBIDDEN;
	}
	if (h->unapproved < 0 || h->unapproved > RELEASE_HOURS_MAX ||
	    h->unconfirmed < 0 || h->unconfirmed > RELEASE_HOURS_MAX) {
		c->error = "小时数应为 0 到 720 之间的整数";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_hours, (void *)h);
}
