/*
 * sms_login.c -- logging in outside WeChat with a one-time SMS code.
 *
 * Asking: a code of 6 digits, valid 5 minutes, is kept as a salted hash
 * in sms_code and sent (services/sms.c) only when the phone is an active
 * customer user of the shop; the answer is the same either way, so the
 * form tells nobody which phones are customers. Limits, counted from the
 * rows under the phone's lock: one code a minute and 5 an hour per
 * phone, 20 an hour per address (429 with Retry-After).
 *
 * Using: the phone's newest live code, locked; 5 wrong tries and it is
 * dead; a right one is used once and opens a session like a password
 * login does. Old rows go with the login_failure.expire job's hour.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/sms.h"
#include "domain/auth.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/sms_login.h"
#include "domain/ticket.h"

#include <sodium.h>

#define CODE_TTL	300
#define PER_MINUTE	1
#define PER_HOUR	5
#define PER_IP_HOUR	20
#define MAX_TRIES	5

static const char sql_user[] =
    "SELECT u.id FROM customer_user u JOIN customer c ON c.id = "
    "u.customer_id AND c.status = 'active' WHERE u.shop_id = ? AND "
    "u.phone = ? AND u.status = 'active'";
/* The phone's rows serialise on its newest row's gap lock: counting and
 * inserting in one transaction keeps two requests from both passing. */
static const char sql_counts[] =
    "SELECT COALESCE(SUM(created_at > NOW(3) - INTERVAL 60 SECOND), 0), "
    "COUNT(*), COALESCE(TIMESTAMPDIFF(SECOND, NOW(3), MAX(created_at) + "
    "INTERVAL 60 SECOND), 0) FROM sms_code WHERE shop_id = ? AND phone = ? "
    "AND created_at > NOW(3) - INTERVAL 1 HOUR FOR UPDATE";
static const char sql_ip_count[] =
    "SELECT COUNT(*) FROM sms_code WHERE ip = ? AND created_at > NOW(3) - "
    "INTERVAL 1 HOUR";
static const char sql_insert[] =
    "INSERT INTO sms_code (shop_id, phone, ip, salt, code_hash, "
    "expires_at) VALUES (?, ?, ?, ?, ?, NOW(3) + INTERVAL ? SECOND)";
static const char sql_sent[] =
    "UPDATE sms_code SET sent = 1 WHERE id = ?";
static const char sql_live[] =
    "SELECT id, salt, code_hash, tries FROM sms_code WHERE shop_id = ? "
    "AND phone = ? AND used_at IS NULL AND expires_at > NOW(3) "
    "ORDER BY id DESC LIMIT 1 FOR UPDATE";
static const char sql_try[] =
    "UPDATE sms_code SET tries = tries + 1 WHERE id = ?";
static const char sql_use[] =
    "UPDATE sms_code SET used_at = NOW(3) WHERE id = ?";

static void
code_hash(const char *phone, const char *code, const char *salt, char *out)
{
	char	buf[128];

	snprintf(buf, sizeof(buf), "%s:%s:%s", salt, phone, code);
	token_hash(buf, out);
	sodium_memzero(buf, sizeof(buf));
}

struct ask {
	const char	*phone;
	char		 code[7];
	int64_t		 id;
	int64_t		 wait;
	int		 user;
};

static int
tx_ask(struct dctx *c, void *arg)
{
	struct ask	*a = arg;
	struct db_res	*r;
	char		 salt[33], hash[65];

	a->wait = 0;
	if (db_run(c->arena, &r, sql_counts, "is", c->shop->id, a->phone) ==
	    -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) >= PER_MINUTE) {
		a->wait = db_cell_i64(r, 0, 2) > 0 ? db_cell_i64(r, 0, 2) : 1;
		return 0;
	}
	if (db_cell_i64(r, 0, 1) >= PER_HOUR) {
		a->wait = 3600;
		return 0;
	}
	if (db_run(c->arena, &r, sql_ip_count, "s", c->remote_addr) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) >= PER_IP_HOUR) {
		a->wait = 3600;
		return 0;
	}
	if (db_run(c->arena, &r, sql_user, "is", c->shop->id, a->phone) == -1)
		return ERR_INTERNAL;
	a->user = r->nrows == 1;
	snprintf(a->code, sizeof(a->code), "%06u",
	    (unsigned)randombytes_uniform(1000000));
	if (random_hex(salt, 16) == -1)
		return ERR_INTERNAL;
	code_hash(a->phone, a->code, salt, hash);
	if (db_run(c->arena, &r, sql_insert, "issssi", c->shop->id, a->phone,
	    c->remote_addr, salt, hash, (int64_t)CODE_TTL) == -1)
		return ERR_INTERNAL;
	a->id = (int64_t)r->insert_id;
	return 0;
}

int
sms_login_enabled(void)
{
	return sms_enabled();
}

/*
 * Send a login code to phone (when it is a customer user's): 0 (the
 * same answer whether or not), ERR_TOO_MANY with *retry_after,
 * ERR_CONFLICT when SMS login is off, ERR_UNAVAILABLE when the provider
 * failed.
 */
int
sms_code_send(struct dctx *c, const char *phone, int64_t *retry_after)
{
	struct ask	 a = { phone, "", 0, 0, 0 };
	char		 err[256];
	int		 rc;

	*retry_after = 0;
	if (!sms_enabled()) {
		c->error = "本店没有开通短信登录，请用密码或微信登录";
		c->code = "sms_off";
		return ERR_CONFLICT;
	}
	if ((rc = db_tx_run(c, tx_ask, &a)) != 0)
		return rc;
	if (a.wait > 0) {
		*retry_after = a.wait;
		clog_warnx(c, "sms code refused phone=%s ip=%s wait=%" PRId64,
		    phone, c->remote_addr, a.wait);
		c->error = a.wait < 120 ? arena_printf(c->arena,
		    "验证码发送太频繁，请 %" PRId64 " 秒后再试", a.wait) :
		    "验证码发送次数过多，请一小时后再试";
		return ERR_TOO_MANY;
	}
	if (!a.user) {
		clog_info(c, "sms code for %s: no such customer, not sent",
		    phone);
		return 0;
	}
	rc = sms_send(phone, c->shop->name, arena_printf(c->arena,
	    "您的登录验证码是 %s，5 分钟内有效。如非本人操作请忽略。", a.code),
	    err, sizeof(err));
	sodium_memzero(a.code, sizeof(a.code));
	if (rc == -1) {
		clog_warnx(c, "sms code for %s not sent: %s", phone, err);
		c->error = "短信发送失败，请稍后再试或用密码登录";
		c->code = "sms_failed";
		return ERR_UNAVAILABLE;
	}
	if (db_run(c->arena, NULL, sql_sent, "i", a.id) == -1)
		return ERR_INTERNAL;
	return 0;
}

struct use {
	const char	*phone;
	const char	*code;
	int		 ok;
};

static int
tx_use(struct dctx *c, void *arg)
{
	struct use	*u = arg;
	struct db_res	*r;
	char		 hash[65];

	u->ok = 0;
	if (db_run(c->arena, &r, sql_live, "is", c->shop->id, u->phone) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0 || db_cell_i64(r, 0, 3) >= MAX_TRIES)
		return 0;
	code_hash(u->phone, u->code, db_cell(r, 0, 1), hash);
	if (!str_eq_ct(hash, db_cell(r, 0, 2)))
		return db_run(c->arena, NULL, sql_try, "i",
		    db_cell_i64(r, 0, 0)) == -1 ? ERR_INTERNAL : 0;
	u->ok = 1;
	return db_run(c->arena, NULL, sql_use, "i", db_cell_i64(r, 0, 0)) ==
	    -1 ? ERR_INTERNAL : 0;
}

/*
 * Log the customer user of phone in with code: a session (bearer for the
 * API) in res->token. ERR_INVALID for a wrong, used, dead or expired
 * code (one message), ERR_CONFLICT when SMS login is off.
 */
int
sms_code_login(struct dctx *c, const char *phone, const char *code,
    int bearer, struct login_result *res)
{
	struct use	 u = { phone, code, 0 };
	struct db_res	*r;
	size_t		 i;
	int		 rc, n;

	memset(res, 0, sizeof(*res));
	if (!sms_enabled()) {
		c->error = "本店没有开通短信登录，请用密码或微信登录";
		c->code = "sms_off";
		return ERR_CONFLICT;
	}
	for (i = 0; code[i] != '\0'; i++)
		if (!isdigit((unsigned char)code[i]))
			break;
	if (i != 6 || code[i] != '\0') {
		c->error = "验证码是 6 位数字";
		c->code = "sms_code_wrong";
		return ERR_INVALID;
	}
	if ((rc = db_tx_run(c, tx_use, &u)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_user, "is", c->shop->id, phone) == -1)
		return ERR_INTERNAL;
	if (!u.ok || r->nrows == 0) {
		clog_info(c, "sms login failed phone=%s ip=%s", phone,
		    c->remote_addr);
		c->error = "验证码错误或已过期，请重新获取";
		c->code = "sms_code_wrong";
		return ERR_INVALID;
	}
	if (session_create(c, SESS_CUSTOMER, db_cell_i64(r, 0, 0), bearer,
	    &res->token) != 0)
		return ERR_INTERNAL;
	/* The phone is proven: its guest tickets become the user's. */
	if (ticket_claim_phone(c, db_cell_i64(r, 0, 0), phone, &n) != 0)
		clog_warnx(c, "sms login: guest tickets not linked phone=%s",
		    phone);
	clog_info(c, "login ok account=customer:%s session=%" PRId64 " by sms%s",
	    phone, c->sess.id, bearer ? " bearer" : "");
	return 0;
}
