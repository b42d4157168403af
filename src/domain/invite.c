/*
 * invite.c -- one-time links to join a customer company: staff make one
 * for a role (valid 7 days) or revoke it; the person who opens it makes
 * their account with it, once. Only the token's hash is stored, and a
 * token shown to another shop is unknown.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/customer.h"
#include "domain/customer_rows.h"
#include "domain/scope_sql.h"
#include "domain/customer_user.h"
#include "domain/invite.h"
#include "domain/channel.h"

#define INVITE_BYTES	(INVITE_TOKEN_HEX / 2)

static const char sql_invite_add[] =
    "INSERT INTO customer_invite (shop_id, customer_id, token_hash, role, "
    "created_by, expires_at) VALUES (?, ?, ?, ?, ?, NOW(3) + INTERVAL 7 DAY)";
static const char sql_invite_del[] =
    "DELETE FROM customer_invite WHERE id = ? AND customer_id = ? "
    "AND shop_id = ? AND used_at IS NULL";
static const char sql_pending[] =
    "SELECT id, role, DATE_FORMAT(expires_at + INTERVAL 8 HOUR, "
    "'%Y-%m-%d %H:%i') FROM customer_invite WHERE customer_id = ? "
    "AND shop_id = ? AND " SCOPE_CUSTOMER_ID("customer_invite.customer_id")
    " AND used_at IS NULL AND expires_at > NOW(3) ORDER BY id";
#define INVITE_COLS \
    "SELECT i.id, i.customer_id, i.role, c.name, i.used_at IS NOT NULL, " \
    "i.expires_at <= NOW(3), c.status = 'active' FROM customer_invite i " \
    "JOIN customer c ON c.id = i.customer_id " \
    "WHERE i.token_hash = ? AND i.shop_id = ?"
static const char sql_invite[] = INVITE_COLS;
/* The same, locking the invite: two people cannot both use one link. */
static const char sql_invite_lock[] = INVITE_COLS " FOR UPDATE";
static const char sql_invite_use[] =
    "UPDATE customer_invite SET used_at = NOW(3) WHERE id = ? "
    "AND used_at IS NULL";

struct invite_make {
	int64_t		 customer_id;
	const char	*role;
	const char	*token;
};

static int
tx_invite(struct dctx *c, void *arg)
{
	struct invite_make	*m = arg;
	struct company		 co;
	struct db_res		*r;
	char			 hash[INVITE_TOKEN_HEX + 1];
	int			 rc;

	if ((rc = company_lock(c, m->customer_id, &co)) != 0)
		return rc;
	if (strcmp(co.status, "active") != 0) {
		c->error = "公司已停用，请先启用再邀请成员";
		return ERR_CONFLICT;
	}
	token_hash(m->token, hash);
	if (db_run(c->arena, &r, sql_invite_add, "iissi", c->shop->id,
	    m->customer_id, hash, m->role, c->sess.user_id) == -1)
		return ERR_INTERNAL;
	/* Never the token: whoever reads the log must not be able to join. */
	return audit(c, "customer.invite", "customer=%" PRId64 " invite=%"
	    PRId64 " role=%s", m->customer_id, (int64_t)r->insert_id, m->role);
}

/*
 * A new link for a company of the request's shop: its token, shown once,
 * into token (INVITE_TOKEN_HEX + 1 bytes). 0, ERR_INVALID (fe: the role),
 * ERR_CONFLICT (company disabled), ERR_NOT_FOUND or ERR_INTERNAL.
 */
int
invite_create(struct dctx *c, int64_t customer_id, const char *role,
    char *token, struct field_errs *fe)
{
	struct invite_make	m = { customer_id, role, token };
	int			rc;

	*token = '\0';
	if (!customer_user_role_ok(role)) {
		field_errs_add(fe, "role", "角色", "无效的选项");
		return ERR_INVALID;
	}
	if (random_hex(token, INVITE_BYTES) == -1)
		return ERR_INTERNAL;
	if ((rc = db_tx_run(c, tx_invite, &m)) != 0) {
		*token = '\0';
		return rc;
	}
	clog_info(c, "invite made customer=%" PRId64 " role=%s", customer_id,
	    role);
	return 0;
}

struct invite_ref {
	int64_t		 customer_id;
	int64_t		 id;
};

static int
tx_revoke(struct dctx *c, void *arg)
{
	struct invite_ref	*g = arg;
	struct company		 co;
	struct db_res		*r;
	int			 rc;

	if ((rc = company_lock(c, g->customer_id, &co)) != 0)
		return rc;		/* not there, or not the actor's */
	if (db_run(c->arena, &r, sql_invite_del, "iii", g->id, g->customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->affected == 0) {
		c->error = "邀请不存在或已被使用";
		return ERR_NOT_FOUND;
	}
	return audit(c, "customer.invite_revoke", "customer=%" PRId64
	    " invite=%" PRId64, g->customer_id, g->id);
}

/* Revoke a link not used yet: 0, ERR_NOT_FOUND or ERR_INTERNAL. */
int
invite_revoke(struct dctx *c, int64_t customer_id, int64_t id)
{
	struct invite_ref	g = { customer_id, id };

	return db_tx_run(c, tx_revoke, &g);
}

static void
pending_fill(void *p, const struct db_res *r, int i)
{
	struct invite_pending	*a = p;

	a->id = db_cell_i64(r, i, 0);
	a->role = db_cell(r, i, 1);
	a->expires = db_cell(r, i, 2);
}

/* A company's links not used nor expired, oldest first. */
int
invite_pending(struct dctx *c, int64_t customer_id,
    struct invite_pending **out, int *n)
{
	*out = company_rows(c, sql_pending, customer_id, sizeof(**out),
	    pending_fill, n);
	return *out != NULL ? 0 : ERR_INTERNAL;
}

static int
gone(struct dctx *c, struct invite *inv, enum invite_gone why)
{
	static const char *const msg[] = {
		[INVITE_UNKNOWN] = "邀请链接无效，请向业务员索取新的链接",
		[INVITE_USED] = "这个邀请链接已经用过了，每个链接只能注册一次",
		[INVITE_EXPIRED] = "这个邀请链接已过期（有效期 7 天），"
		    "请向业务员索取新的链接",
		[INVITE_CLOSED] = "该公司的账户已停用，暂时不能加入",
	};

	inv->gone = why;
	c->error = msg[why];
	return ERR_NOT_FOUND;
}

static int
find(struct dctx *c, const char *token, int lock, struct invite *inv)
{
	struct db_res	*r;
	char		 hash[INVITE_TOKEN_HEX + 1];

	memset(inv, 0, sizeof(*inv));
	if (token == NULL || !hex_valid(token, INVITE_TOKEN_HEX))
		return gone(c, inv, INVITE_UNKNOWN);
	token_hash(token, hash);
	if (db_run(c->arena, &r, lock ? sql_invite_lock : sql_invite, "si",
	    hash, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return gone(c, inv, INVITE_UNKNOWN);
	if (db_cell_i64(r, 0, 4) != 0)
		return gone(c, inv, INVITE_USED);
	if (db_cell_i64(r, 0, 5) != 0)
		return gone(c, inv, INVITE_EXPIRED);
	if (db_cell_i64(r, 0, 6) == 0)
		return gone(c, inv, INVITE_CLOSED);
	inv->id = db_cell_i64(r, 0, 0);
	inv->customer_id = db_cell_i64(r, 0, 1);
	inv->role = db_cell(r, 0, 2);
	inv->company = db_cell(r, 0, 3);
	return 0;
}

/*
 * The usable link of the request's shop with the token: 0, ERR_NOT_FOUND
 * (inv->gone says why, c->error in words) or ERR_INTERNAL.
 */
int
invite_find(struct dctx *c, const char *token, struct invite *inv)
{
	return find(c, token, 0, inv);
}

struct join {
	const char			*token;
	const struct invite_join	*in;
	char				 pwhash[AUTH_HASH_MAX];
	struct invite			*inv;
	int64_t				 user_id;
	struct field_errs		*fe;
};

/*
 * invite_use's body, for a caller's own transaction that does more in
 * the same commit (binding a WeChat identity, wx_login.c): the link
 * locked, the account made with the password hashed beforehand, the
 * link used up. Returns as invite_use does.
 */
int
invite_join_locked(struct dctx *c, const char *token,
    const struct invite_join *in, const char *pwhash, struct invite *inv,
    int64_t *user_id, struct field_errs *fe)
{
	struct customer_user	 u;
	struct db_res		*r;
	int			 rc;

	*user_id = 0;
	fe->n = 0;		/* a phone taken the last time round */
	if ((rc = find(c, token, 1, inv)) != 0)
		return rc;
	memset(&u, 0, sizeof(u));
	u.name = in->name;
	u.phone = in->phone;
	u.role = inv->role;
	if ((rc = customer_user_add(c, inv->customer_id, &u, pwhash,
	    user_id, fe)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_invite_use, "i", inv->id) == -1)
		return ERR_INTERNAL;
	if (r->affected != 1)		/* cannot be, under the lock */
		return ERR_INTERNAL;
	if ((rc = channel_user_attr(c, *user_id)) != 0)
		return rc;
	return audit(c, "customer_user.join", "customer=%" PRId64 " user=%"
	    PRId64 " invite=%" PRId64 " role=%s", inv->customer_id,
	    *user_id, inv->id, inv->role);
}

static int
tx_join(struct dctx *c, void *arg)
{
	struct join	*j = arg;

	return invite_join_locked(c, j->token, j->in, j->pwhash, j->inv,
	    &j->user_id, j->fe);
}

/*
 * Join a company with the link's token: make the person's account and
 * use the link up. 0 and the new user's id in *user_id; ERR_NOT_FOUND
 * (the link, inv->gone), ERR_CONFLICT (the phone is taken: fe),
 * ERR_INVALID (fe) or ERR_INTERNAL.
 */
int
invite_use(struct dctx *c, const char *token, const struct invite_join *in,
    struct invite *inv, int64_t *user_id, struct field_errs *fe)
{
	struct join	j;
	int		rc;

	*user_id = 0;
	if (in->password == NULL || strlen(in->password) < 8 ||
	    strlen(in->password) > 128) {
		field_errs_add(fe, "password", "密码", "应为 8 到 128 位");
		return ERR_INVALID;
	}
	memset(&j, 0, sizeof(j));
	j.token = token;
	j.in = in;
	j.inv = inv;
	j.fe = fe;
	/* Slow on purpose: hash before the transaction takes its locks. */
	if (auth_hash(in->password, j.pwhash, sizeof(j.pwhash)) == -1)
		return ERR_INTERNAL;
	if ((rc = db_tx_run(c, tx_join, &j)) != 0)
		return rc;
	*user_id = j.user_id;
	clog_info(c, "invite used customer=%" PRId64 " user=%" PRId64,
	    inv->customer_id, j.user_id);
	return 0;
}
