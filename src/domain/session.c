/*
 * session.c -- sessions in the database: a browser carries the token in
 * the cookie "sid", the mini-program in "Authorization: Bearer"; both map
 * to one row of the session table, which stores only the token's hash.
 * A session belongs to one shop: a token shown to another shop is unknown.
 * Workers cache sessions they have seen for up to SESSION_RECHECK_MS, and
 * drop them all when the shop's auth_version moves (logout, an account
 * disabled or changed: shop_touch_auth), which every worker notices
 * within a second (shop.c).
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/shop.h"

#include <sodium.h>

#define TOKEN_BYTES	32
#define TOKEN_HEX	(TOKEN_BYTES * 2)
#define SESSION_CACHE	512		/* direct-mapped slots per worker */
#define SESSION_RECHECK_MS 60000.0

struct cached_session {
	char		 hash[TOKEN_HEX + 1];	/* "" : empty slot */
	int64_t		 shop_id;
	int64_t		 auth_version;
	double		 loaded;		/* now_ms() */
	time_t		 expires;
	struct session	 s;			/* strings owned here */
};

static struct cached_session scache[SESSION_CACHE];

static struct cached_session *
cache_slot(const char *hash)
{
	unsigned int	i = 0;
	int		k;

	for (k = 0; k < 4; k++)
		i = i << 4 | (unsigned int)hexval((unsigned char)hash[k]);
	return &scache[i % SESSION_CACHE];
}

static void
cache_drop(struct cached_session *e)
{
	free((char *)e->s.role);
	free((char *)e->s.name);
	free((char *)e->s.phone);
	free((char *)e->s.csrf);
	memset(e, 0, sizeof(*e));
}

void
session_cache_clear(void)
{
	int	i;

	for (i = 0; i < SESSION_CACHE; i++)
		cache_drop(&scache[i]);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
cache_put(struct dctx *c, const char *hash, int64_t ttl_left)
{
	struct cached_session	*e = cache_slot(hash);

	cache_drop(e);
	memcpy(e->hash, hash, sizeof(e->hash));
	e->shop_id = c->shop->id;
	e->auth_version = c->shop->auth_version;
	e->loaded = now_ms();
	e->expires = time(NULL) + ttl_left;
	e->s = c->sess;
	e->s.role = dup_or_null(c->sess.role);
	e->s.name = dup_or_null(c->sess.name);
	e->s.phone = dup_or_null(c->sess.phone);
	e->s.csrf = dup_or_null(c->sess.csrf);
}

/* The cached session for hash if it is still good for this request. */
static int
cache_get(struct dctx *c, const char *hash)
{
	struct cached_session	*e = cache_slot(hash);

	if (strcmp(e->hash, hash) != 0 || e->shop_id != c->shop->id)
		return 0;
	if (e->auth_version != c->shop->auth_version ||
	    now_ms() - e->loaded > SESSION_RECHECK_MS ||
	    time(NULL) >= e->expires) {
		cache_drop(e);
		return 0;
	}
	c->sess = e->s;		/* the request gets its own copies */
	c->sess.role = e->s.role ? arena_strdup(c->arena, e->s.role) : NULL;
	c->sess.name = e->s.name ? arena_strdup(c->arena, e->s.name) : NULL;
	c->sess.phone = e->s.phone ? arena_strdup(c->arena, e->s.phone) :
	    NULL;
	c->sess.csrf = e->s.csrf ? arena_strdup(c->arena, e->s.csrf) : NULL;
	return 1;
}

/* hex of BLAKE2b-256(token): what the session table stores. */
void
token_hash(const char *token, char *out)
{
	unsigned char	h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token,
	    strlen(token), NULL, 0);
	hex_encode(h, sizeof(h), out);
}

static const char sql_load[] =
    "SELECT s.id, s.kind, COALESCE(s.staff_id, s.customer_user_id), s.csrf, "
    "COALESCE(st.name, cu.name), COALESCE(st.role, cu.role), "
    "COALESCE(st.phone, cu.phone, ''), cu.customer_id, "
    "TIMESTAMPDIFF(SECOND, NOW(3), s.expires_at), cust.level_id, cust.id, "
    "s.wx_identity_id, cust.kind = 'consumer' FROM session s "
    "LEFT JOIN staff st ON st.id = s.staff_id AND st.status = 'active' "
    "LEFT JOIN customer_user cu ON cu.id = s.customer_user_id "
    "AND cu.status = 'active' "
    "LEFT JOIN customer cust ON cust.id = cu.customer_id "
    "AND cust.status = 'active' "
    "WHERE s.token_hash = ? AND s.shop_id = ? AND s.expires_at > NOW(3)";
static const char sql_touch[] =
    "UPDATE session SET expires_at = NOW(3) + INTERVAL ? SECOND "
    "WHERE id = ?";

/* Fill c->sess for a token a client presented (cookie or bearer). */
int
session_find(struct dctx *c, const char *tok, int bearer)
{
	struct db_res	*r;
	char		 hash[TOKEN_HEX + 1];
	int64_t		 ttl_left;

	memset(&c->sess, 0, sizeof(c->sess));
	if (!hex_valid(tok, TOKEN_HEX)) {
		clog_info(c, "session: malformed token ignored");
		return 0;
	}
	token_hash(tok, hash);
	if (cache_get(c, hash)) {
		c->sess.bearer = bearer;
		return 0;
	}
	if (db_run(c->arena, &r, sql_load, "si", hash, c->shop->id) == -1)
		return -1;
	if (r->nrows == 0 || db_cell(r, 0, 4) == NULL ||
	    (strcmp(db_cell(r, 0, 1), "customer") == 0 &&
	    db_cell(r, 0, 10) == NULL))
		return 0;	/* unknown, expired, user or company disabled */
	c->sess.id = db_cell_i64(r, 0, 0);
	c->sess.kind = strcmp(db_cell(r, 0, 1), "staff") == 0 ? SESS_STAFF :
	    SESS_CUSTOMER;
	c->sess.user_id = db_cell_i64(r, 0, 2);
	c->sess.csrf = db_cell(r, 0, 3);
	c->sess.name = db_cell(r, 0, 4);
	c->sess.role = db_cell(r, 0, 5);
	c->sess.phone = db_cell(r, 0, 6);
	c->sess.customer_id = db_cell_i64(r, 0, 7);
	c->sess.level_id = db_cell_i64(r, 0, 9);
	c->sess.wx_identity_id = db_cell_i64(r, 0, 11);
	c->sess.consumer = db_cell_i64(r, 0, 12) == 1;
	c->sess.bearer = bearer;
	/* Slide the expiry at most once an hour, not on every request. */
	ttl_left = db_cell_i64(r, 0, 8);
	if (ttl_left < conf.session_ttl -
	    (conf.session_ttl / 2 < 3600 ? conf.session_ttl / 2 : 3600)) {
		if (db_run(c->arena, NULL, sql_touch, "ii", conf.session_ttl,
		    c->sess.id) == -1)
			clog_warnx(c, "session: could not extend session %"
			    PRId64, c->sess.id);
		else
			ttl_left = conf.session_ttl;
	}
	cache_put(c, hash, ttl_left);
	return 0;
}

static const char sql_create[] =
    "INSERT INTO session (token_hash, shop_id, kind, staff_id, "
    "customer_user_id, wx_identity_id, via, csrf, ip, expires_at) VALUES "
    "(?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?, ?, NOW(3) + INTERVAL ? SECOND)";

static int	open_session(struct dctx *, enum sess_kind, int64_t, int,
		    int64_t, char **);

/*
 * Start a session for a user who has just proved who they are; its token,
 * for the cookie or the bearer client, is put in *token_out. It replaces
 * the session the client presented, if any: logging in again on a shared
 * computer must not leave the session before alive.
 */
int
session_create(struct dctx *c, enum sess_kind kind, int64_t user_id,
    int bearer, char **token_out)
{
	return open_session(c, kind, user_id, bearer, 0, token_out);
}

/*
 * The same for a customer user who logged in by WeChat: the session
 * remembers the wx_identity (which openid pays, which gets notices).
 */
int
session_create_wx(struct dctx *c, int64_t user_id, int bearer,
    int64_t wx_identity_id, char **token_out)
{
	return open_session(c, SESS_CUSTOMER, user_id, bearer, wx_identity_id,
	    token_out);
}

static int
open_session(struct dctx *c, enum sess_kind kind, int64_t user_id,
    int bearer, int64_t wx_identity_id, char **token_out)
{
	char		 token[TOKEN_HEX + 1], hash[TOKEN_HEX + 1], csrf[33];
	struct db_res	*r;
	const char	*staff = NULL, *cust = NULL;
	char		 idbuf[24];

	if (c->sess.kind != SESS_NONE && session_destroy(c) != 0)
		return ERR_INTERNAL;
	if (random_hex(token, TOKEN_BYTES) == -1 ||
	    random_hex(csrf, 16) == -1)
		return ERR_INTERNAL;
	token_hash(token, hash);
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, user_id);
	if (kind == SESS_STAFF)
		staff = idbuf;
	else
		cust = idbuf;
	if (db_run(c->arena, &r, sql_create, "sisssisssi", hash, c->shop->id,
	    kind == SESS_STAFF ? "staff" : "customer", staff, cust,
	    wx_identity_id, bearer ? "bearer" : "cookie", csrf,
	    c->remote_addr, conf.session_ttl) == -1)
		return ERR_INTERNAL;
	c->sess.id = (int64_t)r->insert_id;
	c->sess.kind = kind;
	c->sess.user_id = user_id;
	c->sess.csrf = arena_strdup(c->arena, csrf);
	c->sess.bearer = bearer;
	c->sess.wx_identity_id = wx_identity_id;
	*token_out = arena_strdup(c->arena, token);
	return 0;
}

static const char sql_destroy[] =
    "DELETE FROM session WHERE id = ? AND shop_id = ?";

int
session_destroy(struct dctx *c)
{
	struct cached_session	*e;
	int			 i;

	if (c->sess.kind != SESS_NONE &&
	    (db_run(c->arena, NULL, sql_destroy, "ii", c->sess.id,
	    c->shop->id) == -1 || shop_touch_auth(c, c->shop->id) != 0))
		return ERR_INTERNAL;
	for (i = 0; i < SESSION_CACHE; i++) {
		e = &scache[i];
		if (e->hash[0] && e->s.id == c->sess.id)
			cache_drop(e);
	}
	memset(&c->sess, 0, sizeof(c->sess));
	return 0;
}

/* Is the session a staff member's whose role is in the comma-separated list? */
int
session_staff_role(const struct session *s, const char *roles)
{
	return s->kind == SESS_STAFF && name_in_list(roles, s->role);
}

/*
 * End every session of one user of the request's shop at once, as a
 * logout does: delete the rows, drop them from this worker's cache and
 * bump auth_version so that every other worker drops its copies within a
 * second. Call it in the transaction that disables the user or changes
 * their role.
 */
int
session_end_user(struct dctx *c, enum sess_kind kind, int64_t user_id)
{
	static const char	 sql_staff[] =
	    "DELETE FROM session WHERE shop_id = ? AND staff_id = ?";
	static const char	 sql_customer[] =
	    "DELETE FROM session WHERE shop_id = ? AND customer_user_id = ?";
	struct cached_session	*e;
	int			 i;

	if (db_run(c->arena, NULL, kind == SESS_STAFF ? sql_staff :
	    sql_customer, "ii", c->shop->id, user_id) == -1 ||
	    shop_touch_auth(c, c->shop->id) != 0)
		return ERR_INTERNAL;
	for (i = 0; i < SESSION_CACHE; i++) {
		e = &scache[i];
		if (e->hash[0] && e->shop_id == c->shop->id &&
		    e->s.kind == kind && e->s.user_id == user_id)
			cache_drop(e);
	}
	return 0;
}
