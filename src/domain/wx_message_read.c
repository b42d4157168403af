/*
 * wx_message_read.c -- what was sent to whom in WeChat, and what failed:
 * the back office's list, newest first, by state.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/wx_message.h"

static const char sql_count[] =
    "SELECT COUNT(*) FROM wx_message WHERE shop_id = ? AND (? = '' OR "
    "state = ?)";
static const char sql_list[] =
    "SELECT m.id, DATE_FORMAT(m.created_at + INTERVAL 8 HOUR, "
    "'%Y-%m-%d %H:%i'), c.name, u.name, m.event, m.app, m.state, m.error, "
    "m.attempts FROM wx_message m JOIN customer_user u ON u.id = "
    "m.customer_user_id JOIN customer c ON c.id = u.customer_id "
    "WHERE m.shop_id = ? AND (? = '' OR m.state = ?) ORDER BY m.id DESC "
    "LIMIT ? OFFSET ?";

int
wx_messages_list(struct dctx *c, const char *state, int page,
    struct wx_message_row **out, int *n, int64_t *total)
{
	struct db_res	*r;
	const char	*st = state != NULL ? state : "";
	int		 i, ev;

	*n = 0;
	*out = NULL;
	if (page < 1)
		page = 1;
	if (db_run(c->arena, &r, sql_count, "iss", c->shop->id, st, st) == -1)
		return ERR_INTERNAL;
	*total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_list, "issii", c->shop->id, st, st,
	    (int64_t)WX_MESSAGE_PER_PAGE,
	    (int64_t)(page - 1) * WX_MESSAGE_PER_PAGE) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		(*out)[i].id = db_cell_i64(r, i, 0);
		(*out)[i].at = db_cell(r, i, 1);
		(*out)[i].company = db_cell(r, i, 2);
		(*out)[i].user = db_cell(r, i, 3);
		ev = wx_event_find(db_cell(r, i, 4));
		(*out)[i].event = ev >= 0 ? wx_event_label(ev) :
		    db_cell(r, i, 4);
		(*out)[i].app = db_cell(r, i, 5);
		(*out)[i].state = db_cell(r, i, 6);
		(*out)[i].error = db_cell(r, i, 7);
		(*out)[i].attempts = (int)db_cell_i64(r, i, 8);
	}
	*n = r->nrows;
	return 0;
}
