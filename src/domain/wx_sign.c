/*
 * wx_sign.c -- what dinghuo signs for WeChat logins with a key of its
 * own per shop (secrets_dir/<shop>/wx_sign_key, 32 random bytes as hex,
 * made on first use): the bind ticket an unbound WeChat user carries
 * from login to binding, and the H5 OAuth state, which is also
 * remembered in wx_oauth_state so that it works once. HMAC-SHA-256 over
 * "<purpose>|<shop>|<fields>", so neither passes for the other.
 */
#include <sodium.h>

#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/secret.h"
#include "domain/wechat.h"

#define KEY_HEX		64
#define MAC_HEX		64

static int
key_read(struct dctx *c, unsigned char *key)
{
	struct buf	 b;
	size_t		 i;
	int		 rc;

	buf_init(&b, KEY_HEX + 1);
	rc = secret_get(c->shop->id, SECRET_WX_SIGN, &b);
	if (rc == 0 && (b.len != KEY_HEX ||
	    !hex_valid(buf_cstr(&b), KEY_HEX))) {
		clog_warnx(c, "wx_sign: %s is not %d hex digits",
		    SECRET_WX_SIGN, KEY_HEX);
		rc = -1;
	}
	if (rc == 0)
		for (i = 0; i < KEY_HEX / 2; i++)
			key[i] = (unsigned char)(hexval(b.p[2 * i]) << 4 |
			    hexval(b.p[2 * i + 1]));
	sodium_memzero(b.p, b.cap);
	buf_free(&b);
	return rc;
}

/* The shop's key, made and stored the first time. 0 or -1 logged. */
static int
key_get(struct dctx *c, unsigned char *key)
{
	char	hex[KEY_HEX + 1];
	int	rc;

	if ((rc = key_read(c, key)) != 1)
		return rc;
	if (random_hex(hex, KEY_HEX / 2) == -1 ||
	    secret_put(c->shop->id, SECRET_WX_SIGN, hex, KEY_HEX) == -1)
		return -1;
	sodium_memzero(hex, sizeof(hex));
	/* Two workers may both have made one: the file's is the key. */
	return key_read(c, key) == 0 ? 0 : -1;
}

/* hex HMAC of "<purpose>|<shop>|<msg>" into out[MAC_HEX + 1]. */
static int
mac(struct dctx *c, const char *purpose, const char *msg, char *out)
{
	unsigned char	 key[KEY_HEX / 2], h[crypto_auth_hmacsha256_BYTES];
	char		*m;

	if (key_get(c, key) == -1)
		return -1;
	m = arena_printf(c->arena, "%s|%" PRId64 "|%s", purpose, c->shop->id,
	    msg);
	crypto_auth_hmacsha256(h, (const unsigned char *)m, strlen(m), key);
	sodium_memzero(key, sizeof(key));
	hex_encode(h, sizeof(h), out);
	return 0;
}

/* "<identity>.<expires>.<mac>": which identity, until when. */
int
wx_ticket_make(struct dctx *c, int64_t identity_id, const char **ticket)
{
	char	 m[MAC_HEX + 1], *msg;
	int64_t	 exp = (int64_t)time(NULL) + WX_TICKET_TTL;

	msg = arena_printf(c->arena, "%" PRId64 ".%" PRId64, identity_id, exp);
	if (mac(c, "bind", msg, m) == -1)
		return ERR_INTERNAL;
	*ticket = arena_printf(c->arena, "%s.%s", msg, m);
	return 0;
}

int
wx_ticket_check(struct dctx *c, const char *ticket, int64_t *identity_id)
{
	const char	*errstr, *dot1, *dot2;
	char		 m[MAC_HEX + 1], *msg, *part;
	int64_t		 id, exp;

	*identity_id = 0;
	c->error = "绑定凭证无效或已过期，请重新用微信登录";
	c->code = "bind_ticket_invalid";
	if (ticket == NULL || strlen(ticket) > 128 ||
	    (dot1 = strchr(ticket, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strlen(dot2 + 1) != MAC_HEX)
		return ERR_INVALID;
	msg = arena_strndup(c->arena, ticket, dot2 - ticket);
	part = arena_strndup(c->arena, ticket, dot1 - ticket);
	if (parse_i64(part, 1, INT64_MAX, &id, &errstr) == -1 ||
	    parse_i64(arena_strndup(c->arena, dot1 + 1, dot2 - dot1 - 1), 1,
	    INT64_MAX, &exp, &errstr) == -1)
		return ERR_INVALID;
	if (mac(c, "bind", msg, m) == -1)
		return ERR_INTERNAL;
	if (!str_eq_ct(m, dot2 + 1)) {
		clog_warnx(c, "wechat: forged bind ticket refused");
		return ERR_INVALID;
	}
	if (exp < (int64_t)time(NULL)) {
		clog_info(c, "wechat: expired bind ticket identity=%" PRId64,
		    id);
		return ERR_INVALID;
	}
	c->error = NULL;
	c->code = NULL;
	*identity_id = id;
	return 0;
}

static const char sql_state_add[] =
    "INSERT INTO wx_oauth_state (nonce, shop_id, next, expires_at) "
    "VALUES (?, ?, ?, FROM_UNIXTIME(?))";
static const char sql_state_prune[] =
    "DELETE FROM wx_oauth_state WHERE expires_at < NOW(3) - INTERVAL 1 DAY "
    "LIMIT 100";
static const char sql_state_use[] =
    "UPDATE wx_oauth_state SET used_at = NOW(3) WHERE nonce = ? "
    "AND shop_id = ? AND used_at IS NULL AND expires_at > NOW(3)";
static const char sql_state_get[] =
    "SELECT next, used_at IS NOT NULL FROM wx_oauth_state "
    "WHERE nonce = ? AND shop_id = ?";

/*
 * A state for one OAuth round trip to next: nonce (32 hex), expiry (10
 * digits), mac (64 hex), all [0-9a-f] as WeChat wants it (§3.1).
 * *nonce is for the browser's cookie.
 */
int
wx_state_make(struct dctx *c, const char *next, const char **state,
    const char **nonce)
{
	char	 n[33], m[MAC_HEX + 1], *msg;
	int64_t	 exp = (int64_t)time(NULL) + WX_STATE_TTL;

	if (random_hex(n, 16) == -1)
		return ERR_INTERNAL;
	msg = arena_printf(c->arena, "%s%010" PRId64, n, exp);
	if (mac(c, "oauth", msg, m) == -1)
		return ERR_INTERNAL;
	if (db_run(c->arena, NULL, sql_state_prune, "") == -1 ||
	    db_run(c->arena, NULL, sql_state_add, "sisi", n, c->shop->id,
	    next, exp) == -1)
		return ERR_INTERNAL;
	*state = arena_printf(c->arena, "%s%s", msg, m);
	*nonce = arena_strdup(c->arena, n);
	return 0;
}

static int
state_bad(struct dctx *c, const char *why, const char *msg)
{
	clog_warnx(c, "wechat: oauth state refused: %s", why);
	c->error = msg;
	c->code = "oauth_state_invalid";
	return ERR_INVALID;
}

/*
 * Use up state, which must be the one made for the browser whose cookie
 * holds nonce: 0 and *next, else ERR_INVALID (forged, expired, used).
 */
int
wx_state_use(struct dctx *c, const char *state, const char *nonce,
    const char **next)
{
	struct db_res	*r;
	const char	*errstr;
	char		 m[MAC_HEX + 1], n[33], *msg;
	int64_t		 exp;

	*next = NULL;
	if (state == NULL || strlen(state) != 32 + 10 + MAC_HEX ||
	    strspn(state, "0123456789abcdef") != 32 + 10 + MAC_HEX)
		return state_bad(c, "malformed", "登录链接无效，请重新打开");
	msg = arena_strndup(c->arena, state, 42);
	if (mac(c, "oauth", msg, m) == -1)
		return ERR_INTERNAL;
	if (!str_eq_ct(m, state + 42))
		return state_bad(c, "forged", "登录链接无效，请重新打开");
	memcpy(n, state, 32);
	n[32] = '\0';
	if (parse_i64(msg + 32, 0, INT64_MAX, &exp, &errstr) == -1 ||
	    exp < (int64_t)time(NULL))
		return state_bad(c, "expired", "登录链接已过期，请重新打开");
	if (db_run(c->arena, &r, sql_state_get, "si", n, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows != 1)
		return state_bad(c, "unknown", "登录链接无效，请重新打开");
	if (db_cell_i64(r, 0, 1))
		return state_bad(c, "replayed", "登录链接已用过，请重新打开");
	*next = db_cell(r, 0, 0);
	if (nonce == NULL || !str_eq_ct(nonce, n)) {
		*next = NULL;
		return state_bad(c, "other browser",
		    "请在同一个微信窗口中完成登录");
	}
	/* Used up here, once, whoever comes second. */
	if (db_run(c->arena, &r, sql_state_use, "si", n, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->affected != 1) {
		*next = NULL;
		return state_bad(c, "expired or replayed",
		    "登录链接已过期或已用过，请重新打开");
	}
	return 0;
}

/*
 * The shop's HMAC of msg for purpose (not "bind" or "state": those are
 * this file's), as MAC_HEX hex digits into out: nps.c signs its survey
 * links with it. 0 or ERR_INTERNAL.
 */
int
wx_sign_mac(struct dctx *c, const char *purpose, const char *msg, char *out)
{
	return mac(c, purpose, msg, out) == -1 ? ERR_INTERNAL : 0;
}
