/*
 * kf_ticket.c -- kf_to_ticket(): a conversation becomes an after-sales
 * ticket (domain/ticket.c) in one transaction with the conversation's
 * row locked: the ticket is the linked customer's, its opening message
 * the conversation's transcript (newest messages kept when it is long),
 * source kf; kf_conv.ticket_id and the request row name it. Asking
 * twice answers the same ticket. A conversation not linked to a
 * customer is refused (link it first).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/kf_to_ticket.h"
#include "domain/scope.h"
#include "domain/ticket.h"

#include <json-c/json.h>

static const char sql_lock[] =
    "SELECT COALESCE(k.ticket_id, 0), (SELECT MAX(m.id) FROM kf_msg m "
    "WHERE m.shop_id = k.shop_id AND m.conv_id = k.id), "
    "COALESCE(k.customer_user_id, 0), COALESCE((SELECT u.customer_id FROM "
    "customer_user u WHERE u.id = k.customer_user_id), 0), k.nickname "
    "FROM kf_conv k "
    "WHERE k.shop_id = ? AND k.id = ? AND ? IN (0, (SELECT "
    "sc_.owner_staff_id FROM customer_user su_ JOIN customer sc_ ON "
    "sc_.id = su_.customer_id WHERE su_.id = k.customer_user_id)) "
    "FOR UPDATE";
static const char sql_ask[] =
    "INSERT INTO kf_ticket_request (conv_id, shop_id, upto_msg_id, "
    "requested_by) VALUES (?, ?, ?, NULLIF(?, 0)) ON DUPLICATE KEY UPDATE "
    "upto_msg_id = VALUES(upto_msg_id)";
/* The conversation's messages, newest first (the transcript is built
 * back to front, so that a long one keeps its end). */
static const char sql_msgs[] =
    "SELECT origin, body, FROM_UNIXTIME(send_time + 8 * 3600, '%m-%d %H:%i') "
    "FROM kf_msg WHERE shop_id = ? AND conv_id = ? AND recalled = 0 "
    "ORDER BY send_time DESC, id DESC LIMIT 200";
static const char sql_made[] =
    "UPDATE kf_conv SET ticket_id = ? WHERE shop_id = ? AND id = ?";
static const char sql_req_made[] =
    "UPDATE kf_ticket_request SET ticket_id = ? WHERE shop_id = ? AND "
    "conv_id = ?";

/* One message as a line of the transcript: "12-01 10:02 客户：…". */
static const char *
line_of(struct arena *a, int origin, const char *body, const char *when)
{
	json_object	*o, *t, *v;
	const char	*type, *s;

	if (body == NULL || (o = json_tokener_parse(body)) == NULL)
		return NULL;
	type = json_object_object_get_ex(o, "msgtype", &v) ?
	    json_object_get_string(v) : "";
	if (strcmp(type, "text") == 0 && json_object_object_get_ex(o, "text",
	    &t) && json_object_object_get_ex(t, "content", &v))
		s = json_object_get_string(v);
	else if (strcmp(type, "event") == 0)
		s = NULL;
	else if (strcmp(type, "image") == 0)
		s = "[图片]";
	else if (strcmp(type, "link") == 0)
		s = "[链接]";
	else if (strcmp(type, "miniprogram") == 0)
		s = "[小程序]";
	else
		s = "[消息]";
	s = s != NULL ? arena_printf(a, "%s %s：%s", when, origin == 3 ?
	    "客户" : "客服", s) : NULL;
	json_object_put(o);
	return s;
}

/* The transcript, oldest first, at most TICKET_TEXT_MAX characters. */
static const char *
transcript(struct dctx *c, int64_t conv, const char *nickname)
{
	struct db_res	*r;
	const char	**ln, *head, *l;
	size_t		 chars;
	int		 i, n = 0;
	struct buf	 b;
	char		*out;

	if (db_run(c->arena, &r, sql_msgs, "ii", c->shop->id, conv) == -1)
		return NULL;
	head = arena_printf(c->arena, "来自微信客服会话（%s）：",
	    nickname && *nickname ? nickname : "客户");
	chars = utf8_len(head);
	ln = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*ln));
	for (i = 0; i < r->nrows; i++) {
		if ((l = line_of(c->arena, (int)db_cell_i64(r, i, 0),
		    db_cell(r, i, 1), db_cell(r, i, 2))) == NULL)
			continue;
		if (chars + utf8_len(l) + 1 > TICKET_TEXT_MAX)
			break;
		chars += utf8_len(l) + 1;
		ln[n++] = l;
	}
	buf_init(&b, 256);
	buf_adds(&b, head);
	while (n-- > 0) {
		buf_addc(&b, '\n');
		buf_adds(&b, ln[n]);
	}
	out = arena_strdup(c->arena, buf_cstr(&b));
	buf_free(&b);
	return out;
}

struct ask {
	int64_t		conv;
	int64_t		ticket;
};

static int
tx_ask(struct dctx *c, void *arg)
{
	struct ask		*a = arg;
	struct ticket_new	 in;
	enum ticket_field	 bad;
	struct db_res		*r;
	int			 rc;

	a->ticket = 0;
	if (db_run(c->arena, &r, sql_lock, "iii", c->shop->id, a->conv,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "会话不存在";
		return ERR_NOT_FOUND;
	}
	if ((a->ticket = db_cell_i64(r, 0, 0)) != 0)
		return 0;
	if (db_cell_i64(r, 0, 2) == 0 || db_cell_i64(r, 0, 3) == 0) {
		c->code = "conv_not_linked";
		c->error = "请先把会话关联到客户，再转为售后工单";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, NULL, sql_ask, "iiii", a->conv, c->shop->id,
	    db_cell_i64(r, 0, 1), c->sess.user_id) == -1)
		return ERR_INTERNAL;
	memset(&in, 0, sizeof(in));
	in.kind = TK_QUESTION;
	in.source = TSRC_KF;
	in.customer_user_id = db_cell_i64(r, 0, 2);
	in.customer_id = db_cell_i64(r, 0, 3);
	if ((in.body = transcript(c, a->conv, db_cell(r, 0, 4))) == NULL)
		return ERR_INTERNAL;
	if ((rc = ticket_open_locked(c, &in, &a->ticket, &bad)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_made, "iii", a->ticket, c->shop->id,
	    a->conv) == -1 || db_run(c->arena, NULL, sql_req_made, "iii",
	    a->ticket, c->shop->id, a->conv) == -1)
		return ERR_INTERNAL;
	return audit(c, "kf.ticket", "conv=%" PRId64 " ticket=%" PRId64,
	    a->conv, a->ticket);
}

int
kf_to_ticket(struct dctx *c, int64_t conv, int64_t *ticket_id)
{
	struct ask	a = { conv, 0 };
	int		rc;

	*ticket_id = 0;
	if ((rc = db_tx_run(c, tx_ask, &a)) != 0)
		return rc;
	*ticket_id = a.ticket;
	return 0;
}
