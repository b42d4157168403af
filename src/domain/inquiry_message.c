/*
 * inquiry_message.c -- an inquiry as a conversation: its answers and the
 * asking company's replies in time order, and a reply, which puts the
 * inquiry back in staff's queue (status open) in the same transaction.
 * Staff answers are written by inquiry_answer (domain/inquiry.c); the
 * days a quote may be valid are reckoned here, in China's today.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/text.h"
#include "domain/inquiry.h"
#include "domain/inquiry_sql.h"

/* A repeated reply within this long is a double tap, not a message. */
#define REPLY_REPEAT_MINUTES	10

static const char sql_messages[] =
    "SELECT m.id, m.author, COALESCE(m.customer_user_id, m.staff_id, 0), "
    "COALESCE(cu.name, s.name), " INQUIRY_LOCAL("m.created_at") ", m.body "
    "FROM inquiry_message m "
    "LEFT JOIN customer_user cu ON cu.id = m.customer_user_id "
    "AND cu.shop_id = m.shop_id "
    "LEFT JOIN staff s ON s.id = m.staff_id AND s.shop_id = m.shop_id "
    "WHERE m.shop_id = ? AND m.inquiry_id = ? ORDER BY m.created_at, m.id";
static const char sql_window[] =
    "SELECT DATE_FORMAT(" INQUIRY_TODAY ", '%Y-%m-%d'), "
    "DATE_FORMAT(" INQUIRY_TODAY " + INTERVAL ? DAY, '%Y-%m-%d'), "
    "DATE_FORMAT(" INQUIRY_TODAY " + INTERVAL ? DAY, '%Y-%m-%d')";
/* Only an inquiry one of the actor's company's users sent. */
static const char sql_lock_mine[] =
    "SELECT i.status FROM inquiry i JOIN customer_user cu "
    "ON cu.id = i.customer_user_id AND cu.shop_id = i.shop_id "
    "WHERE i.id = ? AND i.shop_id = ? AND cu.customer_id = ? FOR UPDATE";
static const char sql_last[] =
    "SELECT id, COALESCE(customer_user_id, 0), body, "
    "created_at > NOW(3) - INTERVAL ? MINUTE FROM inquiry_message "
    "WHERE shop_id = ? AND inquiry_id = ? ORDER BY id DESC LIMIT 1";
static const char sql_add[] =
    "INSERT INTO inquiry_message (shop_id, inquiry_id, author, "
    "customer_user_id, body) VALUES (?, ?, 'customer', ?, ?)";
static const char sql_reopen[] =
    "UPDATE inquiry SET status = 'open' WHERE id = ? AND shop_id = ?";

/* The conversation of one of the shop's inquiries, oldest first. */
int
inquiry_messages(struct dctx *c, struct inquiry *q)
{
	struct inquiry_message	*m;
	struct db_res		*r;
	int			 i;

	q->messages = NULL;
	q->nmessages = 0;
	if (db_run(c->arena, &r, sql_messages, "ii", c->shop->id,
	    q->id) == -1)
		return ERR_INTERNAL;
	m = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*m));
	for (i = 0; i < r->nrows; i++) {
		m[i].id = db_cell_i64(r, i, 0);
		m[i].author = strcmp(db_cell(r, i, 1), "customer") == 0 ?
		    INQUIRY_BY_CUSTOMER : INQUIRY_BY_STAFF;
		m[i].author_id = db_cell_i64(r, i, 2);
		m[i].author_name = db_cell(r, i, 3);
		m[i].created = db_cell(r, i, 4);
		m[i].body = db_cell(r, i, 5);
	}
	q->messages = m;
	q->nmessages = r->nrows;
	q->customer_waiting = r->nrows > 0 &&
	    m[r->nrows - 1].author == INQUIRY_BY_CUSTOMER;
	return 0;
}

/* Today in China, the default last day of a quote and the latest one. */
int
inquiry_quote_window(struct dctx *c, struct inquiry_quote_window *w)
{
	struct db_res	*r;

	memset(w, 0, sizeof(*w));
	if (db_run(c->arena, &r, sql_window, "ii",
	    (int64_t)INQUIRY_QUOTE_DAYS, (int64_t)INQUIRY_QUOTE_DAYS_MAX) == -1)
		return ERR_INTERNAL;
	w->today = db_cell(r, 0, 0);
	w->dflt = db_cell(r, 0, 1);
	w->last = db_cell(r, 0, 2);
	return 0;
}

/* One reply: input, then what each run of the body resets. */
struct reply {
	int64_t		 id;		/* the inquiry */
	const char	*body;

	int64_t		 message_id;
	int		 repeat;	/* the same reply again: kept once */
	const char	*was;		/* the status it had */
};

/*
 * The reply the actor just sent, sent again (a double tap, a reload of
 * the post): the inquiry's last message is theirs, the same text, and
 * recent. *id is it, or 0.
 */
static int
repeated(struct dctx *c, struct reply *w, int64_t *id)
{
	struct db_res	*r;

	*id = 0;
	if (db_run(c->arena, &r, sql_last, "iii",
	    (int64_t)REPLY_REPEAT_MINUTES, c->shop->id, w->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 1 && db_cell_i64(r, 0, 1) == c->sess.user_id &&
	    strcmp(db_cell(r, 0, 2), w->body) == 0 &&
	    db_cell_i64(r, 0, 3) != 0)
		*id = db_cell_i64(r, 0, 0);
	return 0;
}

static int
tx_reply(struct dctx *c, void *arg)
{
	struct reply	*w = arg;
	struct db_res	*r;
	int		 rc;

	w->message_id = 0;
	w->repeat = 0;
	c->error = NULL;
	if (db_run(c->arena, &r, sql_lock_mine, "iii", w->id, c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "询价不存在";
		return ERR_NOT_FOUND;
	}
	w->was = db_cell(r, 0, 0);
	if (strcmp(w->was, "closed") == 0) {
		c->error = "该询价已关闭，不能再回复。如需继续沟通，请重新询价"
		    "或直接致电我们";
		return ERR_CONFLICT;
	}
	if ((rc = repeated(c, w, &w->message_id)) != 0)
		return rc;
	if (w->message_id != 0) {
		w->repeat = 1;
		return 0;
	}
	if (db_run(c->arena, &r, sql_add, "iiis", c->shop->id, w->id,
	    c->sess.user_id, w->body) == -1)
		return ERR_INTERNAL;
	w->message_id = (int64_t)r->insert_id;
	if (db_run(c->arena, NULL, sql_reopen, "ii", w->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "inquiry.reply", "inquiry=%" PRId64 " message=%"
	    PRId64 " was=%s chars=%zu", w->id, w->message_id, w->was,
	    utf8_len(w->body));
}

/*
 * A reply of the actor, a user of the company that asked, to one of its
 * inquiries that is not closed (ERR_CONFLICT); another company's, a
 * guest's or another shop's is ERR_NOT_FOUND. The inquiry is open again,
 * for staff to answer. The same reply sent twice is kept once (*repeat).
 */
int
inquiry_reply(struct dctx *c, int64_t id, const char *body,
    int64_t *message_id, int *repeat, enum inquiry_field *bad)
{
	struct reply	 w;
	size_t		 n;
	int		 rc;

	*message_id = 0;
	*repeat = 0;
	*bad = INQUIRY_FIELD_NONE;
	if (c->sess.kind != SESS_CUSTOMER) {
		c->error = "询价不存在";
		return ERR_NOT_FOUND;
	}
	n = body != NULL ? utf8_len(body) : 0;
	if (n == 0 || n > INQUIRY_REPLY_MAX || text_has_control(body, 1)) {
		c->error = n == 0 ? "请填写" : n > INQUIRY_REPLY_MAX ?
		    arena_printf(c->arena, "最多 %d 个字", INQUIRY_REPLY_MAX) :
		    "含有不可见的控制字符，请删除后重试";
		*bad = INQUIRY_FIELD_BODY;
		clog_info(c, "inquiry reply refused id=%" PRId64 " why=%s", id,
		    c->error);
		return ERR_INVALID;
	}
	memset(&w, 0, sizeof(w));
	w.id = id;
	w.body = body;
	if ((rc = db_tx_run(c, tx_reply, &w)) != 0) {
		clog_info(c, "inquiry reply refused id=%" PRId64 " was=%s "
		    "why=%s", id, w.was ? w.was : "-", c->error ? c->error :
		    "internal");
		return rc;
	}
	*message_id = w.message_id;
	*repeat = w.repeat;
	if (w.repeat)
		clog_info(c, "inquiry reply repeated id=%" PRId64 " message=%"
		    PRId64 " kept=once", id, w.message_id);
	else
		clog_info(c, "inquiry reply id=%" PRId64 " message=%" PRId64
		    " was=%s now=open chars=%zu", id, w.message_id, w.was,
		    n);
	return 0;
}
