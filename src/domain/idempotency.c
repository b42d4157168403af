/*
 * idempotency.c -- a state-changing request sent again with the same key
 * gets the first answer instead of acting twice. A key belongs to a shop
 * and an owner (the staff member or customer user, a guest's cookie, else
 * the client's address): nobody else can see or replay it. The claim is
 * a row committed before the handler runs (status 0), so a replay meanwhile
 * is told to wait; the answer lands in it afterwards, or the row goes away
 * when there is nothing worth replaying. Rows expire after IDEM_TTL_HOURS
 * (idempotency_expire). Every statement here runs in autocommit: a claim
 * must be visible to the other workers at once.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/idempotency.h"

static const char sql_claim[] =
    "INSERT INTO idempotency_key (shop_id, owner, idem_key, method, path, "
    "request_hash, expires_at) VALUES (?, ?, ?, ?, ?, ?, "
    "NOW(3) + INTERVAL ? HOUR)";
static const char sql_find[] =
    "SELECT id, method, path, request_hash, status, content_type, location, "
    "body, expires_at <= NOW(3) OR (status = 0 AND "
    "created_at < NOW(3) - INTERVAL ? SECOND) "
    "FROM idempotency_key WHERE shop_id = ? AND owner = ? AND idem_key = ?";
/* An expired row, or a claim whose worker is long gone, is taken over. */
static const char sql_reclaim[] =
    "UPDATE idempotency_key SET method = ?, path = ?, request_hash = ?, "
    "status = 0, content_type = '', location = '', body = NULL, "
    "created_at = NOW(3), expires_at = NOW(3) + INTERVAL ? HOUR "
    "WHERE id = ? AND shop_id = ? AND (expires_at <= NOW(3) OR "
    "(status = 0 AND created_at < NOW(3) - INTERVAL ? SECOND))";
static const char sql_finish[] =
    "UPDATE idempotency_key SET status = ?, content_type = ?, location = ?, "
    "body = ? WHERE id = ? AND shop_id = ? AND status = 0";
static const char sql_release[] =
    "DELETE FROM idempotency_key WHERE id = ? AND shop_id = ? AND status = 0";
static const char sql_expire[] =
    "DELETE FROM idempotency_key WHERE expires_at <= NOW(3) LIMIT 1000";

/* 1 to IDEM_KEY_MAX visible ASCII characters (a UUID, say). */
int
idempotency_valid_key(const char *k)
{
	size_t	n = strlen(k), i;

	if (n == 0 || n > IDEM_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

/* Whose key it is: never shared across users, guests or shops. */
static const char *
owner(struct dctx *c, const char *guest)
{
	char	h[65];

	switch (c->sess.kind) {
	case SESS_STAFF:
		return arena_printf(c->arena, "staff:%" PRId64,
		    c->sess.user_id);
	case SESS_CUSTOMER:
		return arena_printf(c->arena, "customer:%" PRId64,
		    c->sess.user_id);
	default:
		if (guest == NULL || *guest == '\0')
			return arena_printf(c->arena, "addr:%.60s",
			    c->remote_addr);
		token_hash(guest, h);	/* the cookie itself is a secret */
		return arena_printf(c->arena, "guest:%s", h);
	}
}

/*
 * No row for this key: it is ours (IDEM_RUN). A finished one for the same
 * request: IDEM_REPLAY with its answer. ERR_KEY_REUSED when the key came
 * with another method, path or body; ERR_CONFLICT while the first request
 * still runs.
 */
int
idempotency_begin(struct dctx *c, const struct idem_request *rq,
    struct idem_claim *cl)
{
	const char	*who = owner(c, rq->guest);
	int64_t		 stale = 2 * conf.request_timeout;
	struct db_res	*r;
	int64_t		 id;
	int		 try;

	memset(cl, 0, sizeof(*cl));
	for (try = 0; try < 3; try++) {
		if (db_run(c->arena, &r, sql_claim, "isssssi", c->shop->id,
		    who, rq->key, rq->method, rq->path, rq->hash,
		    (int64_t)IDEM_TTL_HOURS) == 0) {
			cl->state = IDEM_RUN;
			cl->id = (int64_t)r->insert_id;
			return 0;
		}
		if (!db_duplicate())
			return ERR_INTERNAL;
		if (db_run(c->arena, &r, sql_find, "iiss", stale, c->shop->id,
		    who, rq->key) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			continue;	/* expired and deleted meanwhile */
		id = db_cell_i64(r, 0, 0);
		if (db_cell_i64(r, 0, 8)) {
			if (db_run(c->arena, &r, sql_reclaim, "sssiiii",
			    rq->method, rq->path, rq->hash,
			    (int64_t)IDEM_TTL_HOURS, id, c->shop->id,
			    stale) == -1)
				return ERR_INTERNAL;
			if (r->affected == 1) {
				clog_info(c, "idempotency_reclaimed key=%s "
				    "id=%" PRId64, rq->key, id);
				cl->state = IDEM_RUN;
				cl->id = id;
				return 0;
			}
			continue;
		}
		if (strcmp(db_cell(r, 0, 1), rq->method) != 0 ||
		    strcmp(db_cell(r, 0, 2), rq->path) != 0 ||
		    strcmp(db_cell(r, 0, 3), rq->hash) != 0) {
			clog_info(c, "idempotency_reused key=%s", rq->key);
			c->error = "该请求标识（Idempotency-Key）已用于另一个"
			    "内容不同的请求，请为新请求换一个标识";
			return ERR_KEY_REUSED;
		}
		if (db_cell_i64(r, 0, 4) == 0) {
			c->error = "正在处理，请稍候";
			return ERR_CONFLICT;
		}
		cl->state = IDEM_REPLAY;
		cl->id = id;
		cl->status = (int)db_cell_i64(r, 0, 4);
		cl->content_type = db_cell(r, 0, 5);
		cl->location = db_cell(r, 0, 6);
		cl->body = db_cell(r, 0, 7) ? db_cell(r, 0, 7) : "";
		return 0;
	}
	c->error = "正在处理，请稍候";
	return ERR_CONFLICT;
}

/* Keep the first answer for replays. */
int
idempotency_finish(struct dctx *c, int64_t id, int status, const char *ctype,
    const char *location, const char *body)
{
	if (db_run(c->arena, NULL, sql_finish, "isssii", (int64_t)status,
	    ctype, location, body, id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return 0;
}

/* Nothing worth replaying (an error, a cookie): the key is free again. */
int
idempotency_release(struct dctx *c, int64_t id)
{
	if (db_run(c->arena, NULL, sql_release, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return 0;
}

/* Delete expired rows, a thousand a statement; for the job runner. */
int
idempotency_expire(struct dctx *c)
{
	struct db_res	*r;
	uint64_t	 total = 0;

	do {
		if (db_run(c->arena, &r, sql_expire, "") == -1)
			return ERR_INTERNAL;
		total += r->affected;
	} while (r->affected == 1000);
	clog_info(c, "idempotency_expire deleted=%" PRIu64, total);
	return 0;
}
