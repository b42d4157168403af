/*
 * nps_task.c -- a detractor's follow-up (nps.c opens one for each answer
 * of 0-6): listed for the back office (a salesperson sees their own
 * companies', as everywhere: scope_sql.h), read, and its outcome
 * recorded (contacted, resolved, a note), each change audited.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/nps.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

static const char *const states[][2] = {
	{ "open", "待跟进" }, { "contacted", "已联系" }, { "resolved", "已解决" },
};
#define NSTATES	((int)(sizeof(states) / sizeof(states[0])))

#define TASK_COLS \
    "SELECT t.id, t.survey_id, t.state, t.note, COALESCE(s.name, ''), " \
    "COALESCE(t.staff_id, 0), DATE_FORMAT(t.created_at + INTERVAL 8 HOUR, " \
    "'%Y-%m-%d %H:%i'), DATE_FORMAT(t.updated_at + INTERVAL 8 HOUR, " \
    "'%Y-%m-%d %H:%i'), cu.name, cu.id, u.name, u.phone, " \
    "COALESCE(o.order_no, ''), COALESCE(o.id, 0), v.score, " \
    "COALESCE(v.comment, '') FROM nps_task t " \
    "JOIN nps_survey v ON v.id = t.survey_id " \
    "JOIN customer cu ON cu.id = v.customer_id " \
    "JOIN customer_user u ON u.id = v.customer_user_id " \
    "LEFT JOIN staff s ON s.id = t.staff_id " \
    "LEFT JOIN sales_order o ON o.id = v.order_id "
#define TASK_WHERE \
    "WHERE t.shop_id = ? AND " SCOPE_CUSTOMER("cu") \
    " AND (? = '' OR t.state = ?) AND (? = 0 OR t.staff_id = ?)"
static const char sql_list[] =
    TASK_COLS TASK_WHERE " ORDER BY t.state = 'open' DESC, t.id DESC "
    "LIMIT ? OFFSET ?";
static const char sql_count[] =
    "SELECT COUNT(*) FROM nps_task t JOIN nps_survey v ON v.id = t.survey_id "
    "JOIN customer cu ON cu.id = v.customer_id " TASK_WHERE;
static const char sql_one[] =
    TASK_COLS "WHERE t.id = ? AND t.shop_id = ? AND " SCOPE_CUSTOMER("cu");
static const char sql_lock[] =
    "SELECT t.state FROM nps_task t JOIN nps_survey v ON v.id = t.survey_id "
    "JOIN customer cu ON cu.id = v.customer_id WHERE t.id = ? "
    "AND t.shop_id = ? AND " SCOPE_CUSTOMER("cu") " FOR UPDATE";
static const char sql_save[] =
    "UPDATE nps_task SET state = ?, note = ?, updated_by = ? WHERE id = ?";
static const char sql_mine[] =
    "SELECT COUNT(*) FROM nps_task WHERE shop_id = ? AND staff_id = ? "
    "AND state = 'open'";

const char *
nps_task_label(const char *st)
{
	int	i;

	for (i = 0; st != NULL && i < NSTATES; i++)
		if (strcmp(states[i][0], st) == 0)
			return states[i][1];
	return "";
}

int
nps_task_state_ok(const char *st)
{
	return *nps_task_label(st) != '\0';
}

static void
row(const struct db_res *r, int i, struct nps_task *t)
{
	t->id = db_cell_i64(r, i, 0);
	t->survey_id = db_cell_i64(r, i, 1);
	t->state = db_cell(r, i, 2);
	t->state_label = nps_task_label(t->state);
	t->note = db_cell(r, i, 3);
	t->staff = db_cell(r, i, 4);
	t->staff_id = db_cell_i64(r, i, 5);
	t->created = db_cell(r, i, 6);
	t->updated = db_cell(r, i, 7);
	t->company = db_cell(r, i, 8);
	t->customer_id = db_cell_i64(r, i, 9);
	t->user = db_cell(r, i, 10);
	t->user_phone = db_cell(r, i, 11);
	t->order_no = db_cell(r, i, 12);
	t->order_id = db_cell_i64(r, i, 13);
	t->score = (int)db_cell_i64(r, i, 14);
	t->comment = db_cell(r, i, 15);
}

int
nps_tasks(struct dctx *c, const char *state, int mine, int64_t page,
    struct nps_task **out, int *n, int64_t *total)
{
	struct db_res	*r;
	const char	*st = state != NULL && nps_task_state_ok(state) ?
			    state : "";
	int64_t		 who = mine ? c->sess.user_id : 0;
	int		 i;

	*out = NULL;
	*n = 0;
	*total = 0;
	if (page < 1)
		page = 1;
	if (db_run(c->arena, &r, sql_count, "iissii", c->shop->id,
	    scope_owner(c), st, st, who, who) == -1)
		return ERR_INTERNAL;
	*total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_list, "iissiiii", c->shop->id,
	    scope_owner(c), st, st, who, who, (int64_t)NPS_PER_PAGE,
	    (page - 1) * NPS_PER_PAGE) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++)
		row(r, i, &(*out)[i]);
	*n = r->nrows;
	return 0;
}

int
nps_task_get(struct dctx *c, int64_t id, struct nps_task *t)
{
	struct db_res	*r;

	memset(t, 0, sizeof(*t));
	if (db_run(c->arena, &r, sql_one, "iii", id, c->shop->id,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "跟进任务不存在";
		return ERR_NOT_FOUND;
	}
	row(r, 0, t);
	return 0;
}

struct save {
	int64_t		 id;
	const char	*state;
	const char	*note;
};

static int
tx_save(struct dctx *c, void *arg)
{
	struct save	*s = arg;
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_lock, "iii", s->id, c->shop->id,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "跟进任务不存在";
		return ERR_NOT_FOUND;
	}
	if (db_run(c->arena, NULL, sql_save, "ssii", s->state, s->note,
	    c->sess.user_id, s->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "nps.task", "task=%" PRId64 " %s->%s", s->id,
	    db_cell(r, 0, 0), s->state);
}

int
nps_task_save(struct dctx *c, int64_t id, const char *state,
    const char *note)
{
	struct save	s = { id, state, note != NULL ? note : "" };

	if (!nps_task_state_ok(state)) {
		c->error = "请选择跟进结果";
		c->code = "state_invalid";
		return ERR_INVALID;
	}
	if (utf8_len(s.note) > NPS_NOTE_MAX) {
		c->error = "备注最多 500 字";
		c->code = "note_too_long";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_save, &s);
}

int
nps_tasks_open_mine(struct dctx *c, int64_t *n)
{
	struct db_res	*r;

	*n = 0;
	if (db_run(c->arena, &r, sql_mine, "ii", c->shop->id,
	    c->sess.user_id) == -1)
		return ERR_INTERNAL;
	*n = db_cell_i64(r, 0, 0);
	return 0;
}
