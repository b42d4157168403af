/*
 * auth.c -- passwords (Argon2id through libsodium) and logins, throttled
 * per account and address and per address. A row of login_failure counts
 * the failures of each; past the limit every further try waits, twice as
 * long after each failure. A try holds its rows locked from the count to
 * the verdict, so parallel tries are counted one after another.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/auth.h"
#include "domain/dctx.h"
#include "domain/session.h"

#include <sodium.h>

int
auth_hash(const char *pw, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return -1;
	if (crypto_pwhash_str_alg(out, pw, strlen(pw),
	    (unsigned long long)conf.pwhash_opslimit,
	    (size_t)conf.pwhash_memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		log_warnx("auth: password hashing failed (out of memory?)");
		return -1;
	}
	return 0;
}

int
auth_verify(const char *hash, const char *pw)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* A hash to check against when the account does not exist, so that a
 * wrong phone number takes as long as a wrong password. */
const char *
auth_dummy_hash(void)
{
	static char	h[AUTH_HASH_MAX];

	if (h[0] == '\0' && auth_hash("dinghuo-no-such-user", h,
	    sizeof(h)) == -1)
		return NULL;
	return h;
}

/* One counter: an account tried from one address, or an address. */
struct throttle {
	int64_t		 id;
	int64_t		 max;		/* failures before tries wait */
	int64_t		 failures;	/* not yet forgotten */
	int64_t		 wait;		/* seconds until the next try */
};

/* The upsert takes the row's lock even when the row is new. */
static const char sql_claim[] =
    "INSERT INTO login_failure (shop_id, scope, subject) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE failures = failures";
static const char sql_count[] =
    "SELECT id, IF(last_at > NOW(3) - INTERVAL ? SECOND, failures, 0), "
    "CEILING(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, NOW(3), "
    "COALESCE(retry_at, NOW(3)))) / 1000000) "
    "FROM login_failure WHERE shop_id = ? AND scope = ? AND subject = ? "
    "FOR UPDATE";
static const char sql_fail[] =
    "UPDATE login_failure SET failures = ?, last_at = NOW(3), "
    "retry_at = NOW(3) + INTERVAL ? SECOND WHERE id = ?";
static const char sql_forget[] =
    "DELETE FROM login_failure WHERE id = ?";

static int
throttle_lock(struct dctx *c, const char *scope, const char *subject,
    int64_t max, struct throttle *t)
{
	struct db_res	*r;

	memset(t, 0, sizeof(*t));
	t->max = max;
	if (db_run(c->arena, NULL, sql_claim, "iss", c->shop->id, scope,
	    subject) == -1 ||
	    db_run(c->arena, &r, sql_count, "iiss", conf.login_window,
	    c->shop->id, scope, subject) == -1 || r->nrows != 1)
		return -1;
	t->id = db_cell_i64(r, 0, 0);
	t->failures = db_cell_i64(r, 0, 1);
	t->wait = db_cell_i64(r, 0, 2);
	return 0;
}

/*
 * Count one more failure. From the max-th on, the next try waits
 * login_delay, doubled for every failure since, at most login_window
 * (after which the failures are forgotten anyway).
 */
static int
throttle_fail(struct dctx *c, struct throttle *t)
{
	int64_t	 k;

	t->failures++;
	t->wait = 0;
	if (t->failures >= t->max) {
		t->wait = conf.login_delay;
		for (k = t->failures - t->max; k > 0 &&
		    t->wait < conf.login_window; k--)
			t->wait *= 2;
		if (t->wait > conf.login_window)
			t->wait = conf.login_window;
	}
	return db_run(c->arena, NULL, sql_fail, "iii", t->failures, t->wait,
	    t->id);
}

static const char sql_staff[] =
    "SELECT id, password_hash, name, role FROM staff "
    "WHERE shop_id = ? AND phone = ? AND status = 'active'";
static const char sql_customer[] =
    "SELECT cu.id, cu.password_hash, cu.name, cu.role, cu.customer_id "
    "FROM customer_user cu JOIN customer c ON c.id = cu.customer_id "
    "AND c.status = 'active' WHERE cu.shop_id = ? AND cu.phone = ? "
    "AND cu.status = 'active'";

struct login_try {
	enum sess_kind	 kind;
	const char	*phone;
	const char	*password;
	const char	*subject;	/* "customer:<phone>@<address>" */
	struct {
		int		 ok;
		int64_t		 wait;		/* throttled: seconds */
		int64_t		 failures;	/* of the account, address */
		int64_t		 ip_failures;	/* of the address */
		int64_t		 user_id;
		int64_t		 customer_id;
		const char	*name;
		const char	*role;
	} out;
};

/* Count, check the password if the counts allow, and count the verdict. */
static int
tx_login(struct dctx *c, void *arg)
{
	struct login_try	*t = arg;
	struct throttle		 acc, ip;
	struct db_res		*r;
	const char		*hash, *dummy;

	memset(&t->out, 0, sizeof(t->out));
	if ((dummy = auth_dummy_hash()) == NULL ||
	    throttle_lock(c, "account_ip", t->subject, conf.login_max_failures,
	    &acc) == -1 ||
	    throttle_lock(c, "ip", c->remote_addr, conf.login_max_failures_ip,
	    &ip) == -1)
		return ERR_INTERNAL;
	t->out.wait = acc.wait > ip.wait ? acc.wait : ip.wait;
	if (t->out.wait > 0)
		return 0;	/* no hash is run for a throttled try */
	if (db_run(c->arena, &r, t->kind == SESS_STAFF ? sql_staff :
	    sql_customer, "is", c->shop->id, t->phone) == -1)
		return ERR_INTERNAL;
	/* An account without a password yet (invited, not joined) pays
	 * for a full hash too, so timing tells nothing. */
	hash = r->nrows && db_cell(r, 0, 1) && *db_cell(r, 0, 1) ?
	    db_cell(r, 0, 1) : dummy;
	t->out.ok = auth_verify(hash, t->password) && hash != dummy;
	if (!t->out.ok) {
		if (throttle_fail(c, &acc) == -1 || throttle_fail(c, &ip) == -1)
			return ERR_INTERNAL;
		t->out.failures = acc.failures;
		t->out.ip_failures = ip.failures;
		return 0;
	}
	t->out.user_id = db_cell_i64(r, 0, 0);
	t->out.name = db_cell(r, 0, 2);
	t->out.role = db_cell(r, 0, 3);
	t->out.customer_id = t->kind == SESS_CUSTOMER ? db_cell_i64(r, 0, 4) :
	    0;
	/* The address keeps its failures: one good account of an attacker
	 * must not wipe what its other tries cost. */
	if (db_run(c->arena, NULL, sql_forget, "i", acc.id) == -1 ||
	    (ip.failures == 0 && db_run(c->arena, NULL, sql_forget, "i",
	    ip.id) == -1))
		return ERR_INTERNAL;
	return 0;
}

static const char *
wait_message(struct dctx *c, int64_t s)
{
	if (s < 60)
		return arena_printf(c->arena, "登录失败次数过多，请 %" PRId64
		    " 秒后再试", s);
	return arena_printf(c->arena, "登录失败次数过多，请 %" PRId64
	    " 分钟后再试", (s + 59) / 60);
}

/*
 * Check phone and password of a staff member or customer user of the
 * request's shop and start a session, which replaces the one the client
 * presented (session_create). ERR_INVALID for a wrong pair (one message
 * for both cases), ERR_TOO_MANY with res->retry_after when throttled.
 */
int
auth_login(struct dctx *c, enum sess_kind kind, const char *phone,
    const char *password, int bearer, struct login_result *res)
{
	struct auth_user u;
	int		 rc;

	if ((rc = auth_check(c, kind, phone, password, res, &u)) != 0)
		return rc;
	if (session_create(c, kind, u.id, bearer, &res->token) != 0)
		return ERR_INTERNAL;
	c->sess.name = u.name;
	c->sess.role = u.role;
	c->sess.customer_id = u.customer_id;
	clog_info(c, "login ok account=%s:%s session=%" PRId64 "%s",
	    kind == SESS_STAFF ? "staff" : "customer", phone, c->sess.id,
	    bearer ? " bearer" : "");
	return 0;
}

/*
 * auth_login without the session: the phone and password of the
 * request's shop, throttled and counted the same; 0 and who it is in
 * *u (in c's arena).
 */
int
auth_check(struct dctx *c, enum sess_kind kind, const char *phone,
    const char *password, struct login_result *res, struct auth_user *u)
{
	struct login_try	 t;
	const char		*account;
	int			 rc;

	memset(u, 0, sizeof(*u));
	memset(res, 0, sizeof(*res));
	memset(&t, 0, sizeof(t));
	account = arena_printf(c->arena, "%s:%s", kind == SESS_STAFF ?
	    "staff" : "customer", phone);
	t.kind = kind;
	t.phone = phone;
	t.password = password;
	t.subject = arena_printf(c->arena, "%s@%.45s", account,
	    c->remote_addr);
	if ((rc = db_tx_run(c, tx_login, &t)) != 0)
		return rc;
	if (t.out.wait > 0) {
		clog_warnx(c, "login throttled account=%s ip=%s retry_after=%"
		    PRId64, account, c->remote_addr, t.out.wait);
		res->retry_after = t.out.wait;
		c->error = wait_message(c, t.out.wait);
		return ERR_TOO_MANY;
	}
	if (!t.out.ok) {
		clog_info(c, "login failed account=%s ip=%s failures=%" PRId64
		    " ip_failures=%" PRId64, account, c->remote_addr,
		    t.out.failures, t.out.ip_failures);
		c->error = "手机号或密码错误";
		return ERR_INVALID;
	}
	u->id = t.out.user_id;
	u->name = t.out.name;
	u->role = t.out.role;
	u->customer_id = t.out.customer_id;
	return 0;
}

/* The Chinese name of a staff or customer-user role, for pages. */
const char *
role_label(const char *role)
{
	static const char *const labels[][2] = {
		{ "owner", "店主" }, { "admin", "管理员" }, { "sales", "销售" },
		{ "warehouse", "仓库" }, { "finance", "财务" },
		{ "service", "客服" }, { "buyer", "采购" },
		{ "approver", "审批" },
	};
	size_t	i;

	for (i = 0; role != NULL && i < sizeof(labels) / sizeof(labels[0]);
	    i++)
		if (strcmp(role, labels[i][0]) == 0)
			return labels[i][1];
	return role ? role : "";
}
