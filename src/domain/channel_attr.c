/*
 * channel_attr.c -- what channels brought: a visitor's visit, once per
 * channel and China day (INSERT IGNORE on the primary key), and the first
 * touch stored on what the visitor became: the WeChat identity of their
 * session or of an official-account scan, and a company's first order
 * (dealer applications take c->channel_id in dealer_apply.c). A channel
 * id claimed by a cookie is checked to be the shop's in each statement;
 * an unknown one changes nothing. First touch: a row's channel_id, once
 * set, stays.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/channel.h"
#include "domain/dctx.h"
#include "domain/session.h"

#include <openssl/sha.h>

static const char sql_scene[] =
    "SELECT id FROM channel WHERE shop_id = ? AND scene = ?";
static const char sql_visit[] =
    "INSERT IGNORE INTO channel_visit (channel_id, day, visitor, shop_id, "
    "source) VALUES (?, DATE(NOW() + INTERVAL 8 HOUR), ?, ?, ?)";
static const char sql_session[] =
    "UPDATE wx_identity i JOIN session s ON s.wx_identity_id = i.id "
    "JOIN channel ch ON ch.id = ? AND ch.shop_id = i.shop_id "
    "SET i.channel_id = ch.id "
    "WHERE s.id = ? AND i.shop_id = ? AND i.channel_id IS NULL";
static const char sql_identity[] =
    "UPDATE wx_identity i JOIN channel ch ON ch.id = ? AND "
    "ch.shop_id = i.shop_id SET i.channel_id = ch.id "
    "WHERE i.id = ? AND i.shop_id = ? AND i.channel_id IS NULL";
static const char sql_earlier[] =
    "SELECT COUNT(*) FROM sales_order WHERE shop_id = ? AND customer_id = ? "
    "AND id <> ?";
/* The company's first touch: its dealer application's, else its users'
 * WeChat identities' (the first bound), else the visitor's now. */
static const char sql_first[] =
    "UPDATE sales_order SET channel_id = COALESCE("
    "(SELECT d.channel_id FROM dealer_application d WHERE d.shop_id = ? "
    "AND d.customer_id = ? AND d.channel_id IS NOT NULL "
    "ORDER BY d.id LIMIT 1), "
    "(SELECT i.channel_id FROM wx_identity i JOIN customer_user u "
    "ON u.id = i.customer_user_id WHERE i.shop_id = ? AND "
    "u.customer_id = ? AND i.channel_id IS NOT NULL "
    "ORDER BY i.bound_at, i.id LIMIT 1), "
    "(SELECT ch.id FROM channel ch WHERE ch.shop_id = ? AND ch.id = ?)) "
    "WHERE shop_id = ? AND id = ?";
static const char sql_scan[] =
    "INSERT INTO wx_identity (shop_id, appid, openid, channel_id) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "channel_id = COALESCE(channel_id, VALUES(channel_id)), "
    "last_seen_at = NOW(3)";

static const char *const sources[] = {
	[CH_SRC_H5] = "h5", [CH_SRC_MINIAPP] = "miniapp", [CH_SRC_MP] = "mp",
};

/* The shop's channel with scene: 0 and *id, ERR_NOT_FOUND, ERR_INTERNAL. */
int
channel_by_scene(struct dctx *c, const char *scene, int64_t *id)
{
	struct db_res	*r;

	*id = 0;
	if (!channel_scene_valid(scene))
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_scene, "is", c->shop->id, scene) == -1)
		return ERR_INTERNAL;
	if (r->nrows != 1)
		return ERR_NOT_FOUND;
	*id = db_cell_i64(r, 0, 0);
	return 0;
}

/* visitor came by channel (the shop's: the caller found it) today. */
int
channel_visit(struct dctx *c, int64_t channel, const char *visitor,
    enum channel_source src)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_visit, "isis", channel, visitor,
	    c->shop->id, sources[src]) == -1)
		return ERR_INTERNAL;
	if (r->affected == 1)
		clog_info(c, "channel: visit channel=%" PRId64 " source=%s",
		    channel, sources[src]);
	return 0;
}

/* The WeChat identity the actor's session was opened with gets
 * c->channel_id, unless it has one. */
int
channel_session_attr(struct dctx *c)
{
	if (c->channel_id <= 0 || c->sess.id <= 0)
		return 0;
	if (db_run(c->arena, NULL, sql_session, "iii", c->channel_id,
	    c->sess.id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return 0;
}

/*
 * WeChat identity id (of c's shop) gets channel (0: c->channel_id),
 * unless it has one; for the login code that makes or binds identities.
 */
int
channel_identity_attr(struct dctx *c, int64_t id, int64_t channel)
{
	if (channel <= 0)
		channel = c->channel_id;
	if (channel <= 0 || id <= 0)
		return 0;
	if (db_run(c->arena, NULL, sql_identity, "iii", channel, id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	return 0;
}

static const char sql_user[] =
    "UPDATE customer_user u JOIN channel ch ON ch.id = ? AND "
    "ch.shop_id = u.shop_id SET u.channel_id = ch.id "
    "WHERE u.id = ? AND u.shop_id = ? AND u.channel_id IS NULL";

/* A customer user who just joined (an invite) gets c's visit's channel. */
int
channel_user_attr(struct dctx *c, int64_t user)
{
	if (c->channel_id <= 0 || user <= 0)
		return 0;
	return db_run(c->arena, NULL, sql_user, "iii", c->channel_id, user,
	    c->shop->id) == -1 ? ERR_INTERNAL : 0;
}

/*
 * Inside the submit's transaction: order id of company customer, when it
 * is the company's first, gets the company's first touch (or, placed by
 * a customer user, their visit's channel).
 */
int
channel_first_order(struct dctx *c, int64_t customer, int64_t order)
{
	struct db_res	*r;
	int64_t		 visit;

	if (db_run(c->arena, &r, sql_earlier, "iii", c->shop->id, customer,
	    order) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) != 0)
		return 0;
	visit = c->sess.kind == SESS_CUSTOMER ? c->channel_id : 0;
	if (db_run(c->arena, NULL, sql_first, "iiiiiiii", c->shop->id,
	    customer, c->shop->id, customer, c->shop->id, visit, c->shop->id,
	    order) == -1)
		return ERR_INTERNAL;
	return 0;
}

struct scan {
	const char	*appid;
	const char	*openid;
	int64_t		 channel;
	char		 visitor[34];
};

static int
tx_scan(struct dctx *c, void *arg)
{
	struct scan	*s = arg;

	if (channel_visit(c, s->channel, s->visitor, CH_SRC_MP) != 0 ||
	    db_run(c->arena, NULL, sql_scan, "issi", c->shop->id, s->appid,
	    s->openid, s->channel) == -1)
		return ERR_INTERNAL;
	return 0;
}

/*
 * An official-account user (openid of appid) scanned the code of scene:
 * a visit of its channel, and the channel on their identity if it has
 * none. An unknown scene is logged and ignored: 0. Runs inside the
 * caller's transaction (wx_mp.c: with the message's replay key).
 */
int
channel_mp_scan(struct dctx *c, const char *appid, const char *openid,
    const char *scene)
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	struct scan	 s;
	const char	*key;
	int		 rc;

	if ((rc = channel_by_scene(c, scene, &s.channel)) == ERR_NOT_FOUND) {
		clog_info(c, "channel: scan with unknown scene ignored%s%s",
		    channel_scene_valid(scene) ? " scene=" : " (malformed)",
		    channel_scene_valid(scene) ? scene : "");
		return 0;
	}
	if (rc != 0)
		return rc;
	s.appid = appid;
	s.openid = openid;
	/* The visitor as a hash: the openid is not kept twice. */
	key = arena_printf(c->arena, "%s:%s", appid, openid);
	SHA256((const unsigned char *)key, strlen(key), md);
	s.visitor[0] = 'o';
	hex_encode(md, 16, s.visitor + 1);
	return tx_scan(c, &s);
}
