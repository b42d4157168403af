/*
 * auth.c -- passwords (Argon2id through libsodium) and logins with
 * throttling per account and per client address. Failed attempts are rows
 * in login_failure, counted over login_window, so every worker on every
 * host sees the same count.
 */
#include "dinghuo.h"

#include <sodium.h>

int
auth_random_hex(char *out, size_t nbytes)
{
	unsigned char	b[64];

	if (nbytes > sizeof(b))
		return -1;
	randombytes_buf(b, nbytes);
	hex_encode(b, nbytes, out);
	return 0;
}

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

static const char sql_failures[] =
    "SELECT COUNT(*) FROM login_failure WHERE shop_id = ? AND scope = ? "
    "AND subject = ? AND created_at > NOW(3) - INTERVAL ? SECOND";
static const char sql_fail_add[] =
    "INSERT INTO login_failure (shop_id, scope, subject) VALUES (?, ?, ?)";
static const char sql_fail_clear[] =
    "DELETE FROM login_failure WHERE shop_id = ? AND scope = 'account' "
    "AND subject = ?";
static const char sql_staff[] =
    "SELECT id, password_hash, name, role FROM staff "
    "WHERE shop_id = ? AND phone = ? AND status = 'active'";
static const char sql_customer[] =
    "SELECT cu.id, cu.password_hash, cu.name, cu.role, cu.customer_id "
    "FROM customer_user cu JOIN customer c ON c.id = cu.customer_id "
    "AND c.status = 'active' WHERE cu.shop_id = ? AND cu.phone = ? "
    "AND cu.status = 'active'";

static int
failures(struct dctx *c, const char *scope, const char *subject, int64_t *n)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_failures, "issi", c->shop->id, scope,
	    subject, conf.login_window) == -1)
		return -1;
	*n = db_cell_i64(r, 0, 0);
	return 0;
}

/*
 * Check phone and password of a staff member or customer user of the
 * request's shop and start a session. ERR_INVALID for a wrong pair (one
 * message for both cases), ERR_TOO_MANY when throttled.
 */
int
auth_login(struct dctx *c, enum sess_kind kind, const char *phone,
    const char *password, int bearer, char **token_out)
{
	struct db_res	*r;
	const char	*hash, *dummy;
	char		*account;
	int64_t		 nacc, nip;
	int		 ok;

	account = arena_printf(c->arena, "%s:%s",
	    kind == SESS_STAFF ? "staff" : "customer", phone);
	if (failures(c, "account", account, &nacc) == -1 ||
	    failures(c, "ip", c->remote_addr, &nip) == -1)
		return ERR_INTERNAL;
	if (nacc >= conf.login_max_failures ||
	    nip >= conf.login_max_failures_ip) {
		clog_warnx(c, "login throttled %s ip=%s failures=%" PRId64
		    "/%" PRId64, account, c->remote_addr, nacc, nip);
		c->error = arena_printf(c->arena, "登录失败次数过多，请 %"
		    PRId64 " 分钟后再试", (conf.login_window + 59) / 60);
		return ERR_TOO_MANY;
	}
	if (db_run(c->arena, &r, kind == SESS_STAFF ? sql_staff : sql_customer,
	    "is", c->shop->id, phone) == -1)
		return ERR_INTERNAL;
	if ((dummy = auth_dummy_hash()) == NULL)
		return ERR_INTERNAL;
	/* An account without a password yet (invited, not joined) pays
	 * for a full hash too, so timing tells nothing. */
	hash = r->nrows && *db_cell(r, 0, 1) ? db_cell(r, 0, 1) : dummy;
	ok = auth_verify(hash, password) && hash != dummy;
	if (!ok) {
		clog_info(c, "login failed %s ip=%s", account, c->remote_addr);
		if (db_run(c->arena, NULL, sql_fail_add, "iss", c->shop->id,
		    "account", account) == -1 ||
		    db_run(c->arena, NULL, sql_fail_add, "iss", c->shop->id,
		    "ip", c->remote_addr) == -1)
			return ERR_INTERNAL;
		c->error = "手机号或密码错误";
		return ERR_INVALID;
	}
	if (nacc > 0 && db_run(c->arena, NULL, sql_fail_clear, "is",
	    c->shop->id, account) == -1)
		return ERR_INTERNAL;
	if (session_create(c, kind, db_cell_i64(r, 0, 0), bearer,
	    token_out) != 0)
		return ERR_INTERNAL;
	c->sess.name = db_cell(r, 0, 2);
	c->sess.role = db_cell(r, 0, 3);
	c->sess.customer_id = kind == SESS_CUSTOMER ? db_cell_i64(r, 0, 4) : 0;
	clog_info(c, "login ok %s session=%" PRId64 "%s", account, c->sess.id,
	    bearer ? " bearer" : "");
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
