/*
 * ticket_sla.c -- a shop's service levels for tickets (first staff
 * answer within N hours, resolved within M days; on the shop row, read
 * live by the queue, so a change applies to every open ticket at once)
 * and the ticket.sla job: each ticket past a level gets one notice per
 * stage, an internal timeline row naming its assignee (staff have no
 * notification rows; the queue flags it and counts the assignee's own)
 * and a log line. The stamp on the ticket row makes it once.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/job.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/ticket.h"
#include "domain/ticket_int.h"

#define BATCH	200

static const char sql_get[] =
    "SELECT ticket_first_response_hours, ticket_resolve_days FROM shop "
    "WHERE id = ?";
static const char sql_set[] =
    "UPDATE shop SET ticket_first_response_hours = ?, ticket_resolve_days "
    "= ? WHERE id = ?";
static const char sql_due[] =
    "SELECT t.id, t.shop_id, " TICKET_FIRST_OVER("t", "sh") " AND "
    "t.first_overdue_at IS NULL, COALESCE(st.name, ''), "
    "sh.ticket_first_response_hours, sh.ticket_resolve_days, "
    "COALESCE(t.assigned_staff_id, 0) FROM ticket t "
    "JOIN shop sh ON sh.id = t.shop_id "
    "LEFT JOIN staff st ON st.id = t.assigned_staff_id WHERE (? = 0 OR "
    "t.shop_id = ?) AND ((" TICKET_FIRST_OVER("t", "sh") " AND "
    "t.first_overdue_at IS NULL) OR (" TICKET_RESOLVE_OVER("t", "sh")
    " AND t.resolve_overdue_at IS NULL)) ORDER BY t.id LIMIT ?";
/* The stamp, only while the ticket is still over: once per stage. */
static const char sql_stamp_first[] =
    "UPDATE ticket t JOIN shop sh ON sh.id = t.shop_id SET "
    "t.first_overdue_at = NOW(3) WHERE t.id = ? AND t.first_overdue_at IS "
    "NULL AND " TICKET_FIRST_OVER("t", "sh");
static const char sql_stamp_resolve[] =
    "UPDATE ticket t JOIN shop sh ON sh.id = t.shop_id SET "
    "t.resolve_overdue_at = NOW(3) WHERE t.id = ? AND t.resolve_overdue_at "
    "IS NULL AND " TICKET_RESOLVE_OVER("t", "sh");
static const char sql_event[] =
    "INSERT INTO ticket_event (shop_id, ticket_id, kind, staff_id, source, "
    "body, internal) VALUES (?, ?, 'overdue', NULL, 'system', ?, 1)";

int
ticket_sla_get(struct dctx *c, struct ticket_sla *s)
{
	struct db_res	*r;

	s->first_hours = 4;
	s->resolve_days = 3;
	if (db_run(c->arena, &r, sql_get, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 1) {
		s->first_hours = db_cell_i64(r, 0, 0);
		s->resolve_days = db_cell_i64(r, 0, 1);
	}
	return 0;
}

static int
tx_set(struct dctx *c, void *arg)
{
	const struct ticket_sla	*s = arg;

	if (db_run(c->arena, NULL, sql_set, "iii", s->first_hours,
	    s->resolve_days, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "ticket.sla", "first_hours=%" PRId64 " resolve_days=%"
	    PRId64, s->first_hours, s->resolve_days) != 0 ? ERR_INTERNAL : 0;
}

int
ticket_sla_set(struct dctx *c, const struct ticket_sla *s)
{
	if (c->sess.kind != SESS_STAFF ||
	    !session_staff_role(&c->sess, "owner,admin")) {
		c->error = "只有店主和管理员可以设置服务时限";
		return ERR_FORBIDDEN;
	}
	if (s->first_hours < 1 || s->first_hours > 720 ||
	    s->resolve_days < 1 || s->resolve_days > 365) {
		c->code = "invalid_sla";
		c->error = "首次响应应在 1 到 720 小时，解决时限应在 1 到 365 天";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_set, (void *)s);
}

struct stage {
	int64_t		 id;
	int64_t		 shop;
	int		 first;		/* the first answer's stage, else
					 * the resolution's */
	const char	*body;
	int		 done;
};

static int
tx_stage(struct dctx *c, void *arg)
{
	struct stage	*w = arg;
	struct db_res	*r;

	w->done = 0;
	if (db_run(c->arena, &r, w->first ? sql_stamp_first :
	    sql_stamp_resolve, "i", w->id) == -1)
		return ERR_INTERNAL;
	if (r->affected == 0)
		return 0;
	if (db_run(c->arena, NULL, sql_event, "iis", w->shop, w->id,
	    w->body) == -1)
		return ERR_INTERNAL;
	w->done = 1;
	return 0;
}

/*
 * Notice of every overdue stage not yet noticed, of shop (0: all shops);
 * *n how many were given. A ticket answered or resolved meanwhile is
 * left, by the stamp's condition.
 */
int
ticket_sla_run(struct dctx *c, int64_t shop, int *n)
{
	struct db_res	*r;
	struct stage	 w;
	const char	*who;
	int		 i, rc;

	*n = 0;
	if (db_run(c->arena, &r, sql_due, "iii", shop, shop,
	    (int64_t)BATCH) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++) {
		memset(&w, 0, sizeof(w));
		w.id = db_cell_i64(r, i, 0);
		w.shop = db_cell_i64(r, i, 1);
		w.first = db_cell_i64(r, i, 2) != 0;
		who = *db_cell(r, i, 3) ? db_cell(r, i, 3) : NULL;
		w.body = w.first ? arena_printf(c->arena, "超过 %s 小时未首次"
		    "响应，已提醒%s", db_cell(r, i, 4), who ? who : "售后团队") :
		    arena_printf(c->arena, "超过 %s 天未解决，已提醒%s",
		    db_cell(r, i, 5), who ? who : "售后团队");
		if ((rc = db_tx_run(c, tx_stage, &w)) != 0)
			return rc;
		if (!w.done)
			continue;
		(*n)++;
		log_info("ticket overdue shop=%" PRId64 " ticket=%" PRId64
		    " stage=%s assignee=%" PRId64, w.shop, w.id, w.first ?
		    "first_response" : "resolution", db_cell_i64(r, i, 6));
	}
	return 0;
}

/* The ticket.sla job: every shop's overdue tickets, noticed once. */
int
task_ticket_sla(struct arena *a, const struct job *j, const char **msg)
{
	struct dctx	d;
	int		n;

	dctx_init(&d, a, "job");
	if (ticket_sla_run(&d, j->shop_id, &n) != 0) {
		*msg = arena_printf(a, "database: %s", db_error());
		return -1;
	}
	*msg = arena_printf(a, "noticed=%d", n);
	return 0;
}
