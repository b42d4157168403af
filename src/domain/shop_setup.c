/*
 * shop_setup.c -- a new shop and its owner, and for `dinghuo demo` a
 * salesperson and a customer company with three users, in one
 * transaction (the shell commands in runtime/cli.c). A slug taken is
 * ERR_CONFLICT with that shop's id.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/auth.h"
#include "domain/dctx.h"
#include "domain/shop_setup.h"

static const char sql_shop_exists[] = "SELECT id FROM shop WHERE slug = ?";
static const char sql_shop_add[] =
    "INSERT INTO shop (slug, name, host, contact_phone) VALUES (?, ?, ?, ?)";
static const char sql_staff_add[] =
    "INSERT INTO staff (shop_id, name, phone, password_hash, role) "
    "VALUES (?, ?, ?, ?, ?)";
static const char sql_customer_add[] =
    "INSERT INTO customer (shop_id, name, owner_staff_id, payment_terms, "
    "credit_days, credit_limit_fen, tax_id) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_cuser_add[] =
    "INSERT INTO customer_user (shop_id, customer_id, name, phone, "
    "password_hash, role) VALUES (?, ?, ?, ?, ?, ?)";

static int
add_staff(struct dctx *c, int64_t shop, const char *name, const char *phone,
    const char *hash, const char *role, int64_t *id)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_staff_add, "issss", shop, name, phone,
	    hash, role) == -1)
		return ERR_INTERNAL;
	*id = (int64_t)r->insert_id;
	return 0;
}

static int
demo_customers(struct dctx *c, int64_t shop, int64_t sales, const char *hash)
{
	static const char *users[][3] = {
		{ "张采购", "13900000000", "buyer" },
		{ "李经理", "13900000001", "approver" },
		{ "王会计", "13900000002", "finance" },
	};
	struct db_res	*r;
	int64_t		 cust;
	size_t		 i;

	if (db_run(c->arena, &r, sql_customer_add, "isisiis", shop,
	    "示例商贸有限公司", sales, "monthly", (int64_t)30,
	    (int64_t)5000000, "91310000MA1FL0000X") == -1)
		return ERR_INTERNAL;
	cust = (int64_t)r->insert_id;
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (db_run(c->arena, NULL, sql_cuser_add, "iissss", shop, cust,
		    users[i][0], users[i][1], hash, users[i][2]) == -1)
			return ERR_INTERNAL;
	return 0;
}

static int
tx_shop_create(struct dctx *c, void *arg)
{
	struct new_shop	*ns = arg;
	struct db_res	*r;
	char		 hash[AUTH_HASH_MAX];
	int64_t		 owner, sales;
	int		 rc;

	ns->shop_id = 0;		/* a retry starts afresh */
	if (db_run(c->arena, &r, sql_shop_exists, "s", ns->slug) == -1)
		return ERR_INTERNAL;
	if (r->nrows > 0) {
		ns->shop_id = db_cell_i64(r, 0, 0);
		return ERR_CONFLICT;
	}
	if (auth_hash(ns->password, hash, sizeof(hash)) == -1)
		return ERR_INTERNAL;
	if (db_run(c->arena, &r, sql_shop_add, "ssss", ns->slug, ns->name,
	    ns->host, ns->demo ? "400-800-0000" : "") == -1)
		return ERR_INTERNAL;
	ns->shop_id = (int64_t)r->insert_id;
	if ((rc = add_staff(c, ns->shop_id, ns->demo ? "陈老板" : "店主",
	    ns->phone, hash, "owner", &owner)) != 0)
		return rc;
	if (!ns->demo)
		return 0;
	if ((rc = add_staff(c, ns->shop_id, "小王", "13800000001", hash,
	    "sales", &sales)) != 0)
		return rc;
	return demo_customers(c, ns->shop_id, sales, hash);
}

int
shop_setup(struct dctx *c, struct new_shop *ns)
{
	return db_tx_run(c, tx_shop_create, ns);
}
