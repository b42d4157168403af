/*
 * consumer.c -- a retail consumer's account, made inside the caller's
 * transaction when a WeChat user first buys in the retail mall
 * (domain/wx_login.c, WX_BIND_CONSUMER). The company is named after the
 * WeChat identity ("零售顾客 #12") so that staff can tell consumers apart
 * and rename them; it is prepaid and has no level, contract or credit:
 * cart_price.c prices its lines at the retail price and lets it buy in
 * the retail mall only.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/consumer.h"
#include "domain/shop.h"

static const char sql_company[] =
    "INSERT INTO customer (shop_id, name, kind, payment_terms, status) "
    "VALUES (?, ?, 'consumer', 'prepaid', 'active')";
static const char sql_user[] =
    "INSERT INTO customer_user (shop_id, customer_id, name, phone, role) "
    "VALUES (?, ?, ?, NULL, 'buyer')";

/*
 * Make the consumer for the WeChat identity identity_id of the request's
 * shop, whose row the caller holds locked; its user's id in *user_id.
 * ERR_CONFLICT (c->code retail_closed) when the shop has no retail mall.
 */
int
consumer_add_locked(struct dctx *c, int64_t identity_id, int64_t *user_id)
{
	struct db_res	*r;
	int64_t		 customer_id;

	*user_id = 0;
	if (!(c->shop->modes & SHOP_MODE_RETAIL)) {
		c->error = "本店未开通零售商城";
		c->code = "retail_closed";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, &r, sql_company, "is", c->shop->id,
	    arena_printf(c->arena, "零售顾客 #%" PRId64, identity_id)) == -1)
		return ERR_INTERNAL;
	customer_id = (int64_t)r->insert_id;
	if (db_run(c->arena, &r, sql_user, "iis", c->shop->id, customer_id,
	    CONSUMER_USER_NAME) == -1)
		return ERR_INTERNAL;
	*user_id = (int64_t)r->insert_id;
	return audit(c, "consumer.join", "customer=%" PRId64 " user=%" PRId64
	    " identity=%" PRId64, customer_id, *user_id, identity_id);
}
