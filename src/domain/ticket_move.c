/*
 * ticket_move.c -- staff move a ticket: assign, reply, ask for
 * information, resolve, close, reopen. One transaction on the ticket row
 * it locks (in the actor's customer scope): the state table
 * (ticket_move_to) says whether the move is allowed from the state it is
 * in now; the move and its event row go together or not at all. The
 * customer's user hears of a reply, a question and a resolution
 * (ticket_replied, through notify.money's notification rows).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/text.h"
#include "domain/approval.h"
#include "domain/scope.h"
#include "domain/nps.h"
#include "domain/ticket.h"
#include "domain/ticket_int.h"

static const char sql_lock[] =
    "SELECT t.state, COALESCE(t.customer_id, 0), "
    "COALESCE(t.customer_user_id, 0), COALESCE(t.order_id, 0) "
    "FROM ticket t WHERE t.id = ? AND "
    "t.shop_id = ? AND " TICKET_SCOPE("t") " FOR UPDATE";
static const char sql_staff_one[] =
    "SELECT name FROM staff WHERE id = ? AND shop_id = ? AND "
    "status = 'active' AND FIND_IN_SET(role, ?) > 0";
static const char sql_assign[] =
    "UPDATE ticket SET assigned_staff_id = ? WHERE id = ? AND shop_id = ?";
static const char sql_answer[] =
    "UPDATE ticket SET state = ?, first_response_at = COALESCE("
    "first_response_at, NOW(3)), assigned_staff_id = COALESCE("
    "assigned_staff_id, ?) WHERE id = ? AND shop_id = ?";
static const char sql_resolve[] =
    "UPDATE ticket SET state = 'resolved', resolution = ?, resolved_at = "
    "NOW(3), first_response_at = COALESCE(first_response_at, NOW(3)), "
    "assigned_staff_id = COALESCE(assigned_staff_id, ?) "
    "WHERE id = ? AND shop_id = ?";
static const char sql_close[] =
    "UPDATE ticket SET state = 'closed', closed_at = NOW(3) "
    "WHERE id = ? AND shop_id = ?";
static const char sql_reopen[] =
    "UPDATE ticket SET state = 'open', resolution = NULL, resolved_at = "
    "NULL, closed_at = NULL, resolve_overdue_at = NULL "
    "WHERE id = ? AND shop_id = ?";

struct tmove {
	int64_t				 id;
	enum ticket_action		 act;
	const struct ticket_move_args	*a;
	const struct ticket_photos	*photos;

	enum ticket_state		 from;
	enum ticket_state		 to;
	enum ticket_field		 bad;
};

/* What the customer reads of a move, in their notice. */
static const char *
notice_body(struct dctx *c, const struct tmove *w)
{
	const char	*note = w->a->note != NULL && *w->a->note ?
	    text_shown(c->arena, w->a->note, 60) : NULL;

	switch (w->act) {
	case TA_ASK_INFO:
		return arena_printf(c->arena, "售后工单 #%" PRId64 " 需要您补充"
		    "信息：%s", w->id, note ? note : "");
	case TA_RESOLVE:
		return arena_printf(c->arena, "售后工单 #%" PRId64 " 已解决（%s）",
		    w->id, ticket_resolution_label(w->a->resolution));
	default:
		return arena_printf(c->arena, "售后工单 #%" PRId64 " 有新回复：%s",
		    w->id, note ? note : "");
	}
}

static int
apply(struct dctx *c, struct tmove *w, const char **body)
{
	const struct ticket_move_args	*a = w->a;
	struct db_res			*r;
	int64_t				 me = c->sess.user_id;

	*body = a->note != NULL ? text_trim(c->arena, a->note, " \t\r\n") : "";
	switch (w->act) {
	case TA_ASSIGN:
		if (db_run(c->arena, &r, sql_staff_one, "iis", a->staff_id,
		    c->shop->id, TICKET_ROLES) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			w->bad = TF_STAFF;
			c->code = "staff_invalid";
			c->error = "请选择能处理售后的员工";
			return ERR_INVALID;
		}
		*body = arena_printf(c->arena, "分配给 %s%s%s", db_cell(r, 0, 0),
		    **body ? "：" : "", *body);
		return db_run(c->arena, NULL, sql_assign, "iii", a->staff_id,
		    w->id, c->shop->id) == -1 ? ERR_INTERNAL : 0;
	case TA_REPLY:
	case TA_ASK_INFO:
		return db_run(c->arena, NULL, sql_answer, "siii",
		    ticket_state_name(w->to), me, w->id, c->shop->id) == -1 ?
		    ERR_INTERNAL : 0;
	case TA_RESOLVE:
		return db_run(c->arena, NULL, sql_resolve, "siii",
		    ticket_resolution_name(a->resolution), me, w->id,
		    c->shop->id) == -1 ? ERR_INTERNAL : 0;
	case TA_CLOSE:
		return db_run(c->arena, NULL, sql_close, "ii", w->id,
		    c->shop->id) == -1 ? ERR_INTERNAL : 0;
	case TA_REOPEN:
		return db_run(c->arena, NULL, sql_reopen, "ii", w->id,
		    c->shop->id) == -1 ? ERR_INTERNAL : 0;
	default:
		return ERR_INTERNAL;
	}
}

static const char *const event_kinds[] = {
	[TA_ASSIGN] = "assign", [TA_REPLY] = "message",
	[TA_ASK_INFO] = "ask_info", [TA_RESOLVE] = "resolve",
	[TA_CLOSE] = "close", [TA_REOPEN] = "reopen",
};

static int
tx_move(struct dctx *c, void *arg)
{
	struct tmove	*w = arg;
	struct db_res	*r;
	const char	*body;
	int64_t		 owner = scope_owner(c), company, user, order, ev;
	int		 to, rc;

	w->bad = TF_NONE;
	c->error = NULL;
	c->code = NULL;
	if (db_run(c->arena, &r, sql_lock, "iiiiii", w->id, c->shop->id, owner,
	    owner, ticket_scope_company(c), ticket_scope_company(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "工单不存在";
		return ERR_NOT_FOUND;
	}
	if (ticket_state_parse(db_cell(r, 0, 0), &w->from) == -1)
		return ERR_INTERNAL;
	company = db_cell_i64(r, 0, 1);
	user = db_cell_i64(r, 0, 2);
	order = db_cell_i64(r, 0, 3);
	if ((to = ticket_move_to(w->from, w->act)) < 0) {
		c->code = "invalid_transition";
		c->error = arena_printf(c->arena, "工单%s，不能%s",
		    ticket_state_label(w->from), w->act == TA_ASK_INFO ?
		    "再请客户补充信息" : w->act == TA_REOPEN ? "重新打开" :
		    w->act == TA_RESOLVE ? "再标记为已解决" : "这样操作");
		return ERR_CONFLICT;
	}
	w->to = (enum ticket_state)to;
	if ((rc = apply(c, w, &body)) != 0)
		return rc;
	if (w->act == TA_RESOLVE && *body == '\0')
		body = ticket_resolution_label(w->a->resolution);
	if ((rc = ticket_event_add(c, w->id, event_kinds[w->act],
	    ticket_state_name(w->from), ticket_state_name(w->to), TSRC_STAFF,
	    body, 0, &ev)) != 0 ||
	    (rc = ticket_photos_attach(c, w->id, ev, w->photos)) != 0)
		return rc;
	if ((w->act == TA_REPLY || w->act == TA_ASK_INFO ||
	    w->act == TA_RESOLVE) && company != 0 && (rc = notify_money(c,
	    company, "ticket_replied", user, notice_body(c, w))) != 0)
		return rc;
	/* Resolved: the customer is asked how it went (docs/nps.md). */
	if (w->act == TA_RESOLVE && user != 0 && (rc = nps_schedule_for(c,
	    user, "ticket", w->id, order)) != 0)
		return rc;
	return audit(c, "ticket.move", "ticket=%" PRId64 " action=%s from=%s "
	    "to=%s", w->id, ticket_action_name(w->act),
	    ticket_state_name(w->from), ticket_state_name(w->to)) != 0 ?
	    ERR_INTERNAL : 0;
}

/* The arguments a move needs, checked before anything is stored. */
static int
check_args(struct dctx *c, enum ticket_action act,
    const struct ticket_move_args *a, enum ticket_field *bad)
{
	int	rc;

	if ((rc = ticket_text_check(c, a->note, act == TA_REPLY ||
	    act == TA_ASK_INFO, bad)) != 0)
		return rc;
	if (act == TA_RESOLVE && (a->resolution <= TR_NONE ||
	    a->resolution >= TR_NRESOLUTIONS)) {
		*bad = TF_RESOLUTION;
		c->code = "resolution_required";
		c->error = "请选择处理结果";
		return ERR_INVALID;
	}
	if (act == TA_ASSIGN && a->staff_id <= 0) {
		*bad = TF_STAFF;
		c->code = "staff_invalid";
		c->error = "请选择能处理售后的员工";
		return ERR_INVALID;
	}
	return 0;
}

int
ticket_move(struct dctx *c, int64_t id, enum ticket_action act,
    const struct ticket_move_args *a, enum ticket_state *to,
    enum ticket_field *bad)
{
	struct ticket_photos	 ph = { NULL, 0 };
	struct tmove		 w;
	int			 rc;

	*bad = TF_NONE;
	*to = TS_OPEN;
	c->code = NULL;
	if (c->sess.kind != SESS_STAFF ||
	    !session_staff_role(&c->sess, TICKET_ROLES)) {
		c->error = "工单不存在";
		return ERR_NOT_FOUND;
	}
	if ((unsigned)act >= TA_NACTIONS)
		return ERR_INVALID;
	if ((rc = check_args(c, act, a, bad)) != 0)
		goto refused;
	if (act == TA_REPLY && (rc = ticket_photos_store(c, a->photos,
	    a->nphotos, &ph, bad)) != 0)
		goto refused;
	memset(&w, 0, sizeof(w));
	w.id = id;
	w.act = act;
	w.a = a;
	w.photos = &ph;
	if ((rc = db_tx_run(c, tx_move, &w)) != 0) {
		ticket_photos_drop(c, &ph);
		*bad = w.bad;
		goto refused;
	}
	*to = w.to;
	clog_info(c, "ticket move id=%" PRId64 " action=%s from=%s to=%s",
	    id, ticket_action_name(act), ticket_state_name(w.from),
	    ticket_state_name(w.to));
	return 0;
refused:
	clog_info(c, "ticket move refused id=%" PRId64 " action=%s code=%s "
	    "why=%s", id, ticket_action_name(act), c->code ? c->code : "-",
	    c->error ? c->error : "internal");
	return rc;
}
