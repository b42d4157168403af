/*
 * price_check.c -- what one customer pays for one SKU, resolved from the
 * database (not the catalog cache) with price_resolve() as the storefront
 * does: every input read in one transaction, so from one snapshot.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/price_list.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

/* Another salesperson's company is one the shop does not have. */
static const char sql_customer[] =
    "SELECT c.name, COALESCE(c.level_id, 0), c.status FROM customer c "
    "WHERE c.id = ? AND c.shop_id = ? AND " SCOPE_CUSTOMER("c");
static const char sql_tiers[] =
    "SELECT min_qty, price_fen FROM price_tier WHERE sku_id = ? "
    "AND shop_id = ? ORDER BY min_qty";
static const char sql_list[] =
    "SELECT l.name, COALESCE(pl.percent_bp, 0), "
    "(SELECT i.price_fen FROM price_list_item i "
    "WHERE i.price_list_id = pl.id AND i.sku_id = ? AND i.shop_id = ?) "
    "FROM member_level l LEFT JOIN price_list pl ON pl.level_id = l.id "
    "WHERE l.id = ? AND l.shop_id = ?";
static const char sql_contract[] =
    "SELECT price_fen, binding FROM contract_price WHERE customer_id = ? "
    "AND sku_id = ? AND shop_id = ?";

struct check {
	const char		*code;
	int64_t			 customer_id;	/* 0: a guest */
	int64_t			 qty;
	struct price_check	*pc;
	enum price_field	 bad;
};

static int
check_tiers(struct dctx *c, struct price_check *pc)
{
	struct price_tier	*t;
	struct db_res		*r;
	int			 i;

	if (db_run(c->arena, &r, sql_tiers, "ii", pc->sku.id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	t = arena_alloc(c->arena, (r->nrows + 1) * sizeof(*t));
	for (i = 0; i < r->nrows; i++) {
		t[i].min_qty = db_cell_i64(r, i, 0);
		t[i].price_fen = db_cell_i64(r, i, 1);
	}
	pc->in.tiers = t;
	pc->in.ntiers = r->nrows;
	return 0;
}

/* The company's level list and contract price for the SKU. */
static int
check_customer(struct dctx *c, struct check *k)
{
	struct price_check	*pc = k->pc;
	struct db_res		*r, *l;
	int64_t			 level;

	if (db_run(c->arena, &r, sql_customer, "iii", k->customer_id,
	    c->shop->id, scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "本店没有这个客户";
		k->bad = PRICE_FIELD_CUSTOMER;
		return ERR_INVALID;
	}
	pc->customer = db_cell(r, 0, 0);
	pc->customer_disabled = strcmp(db_cell(r, 0, 2), "active") != 0;
	if ((level = db_cell_i64(r, 0, 1)) != 0) {
		if (db_run(c->arena, &l, sql_list, "iiii", pc->sku.id,
		    c->shop->id, level, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (l->nrows > 0) {
			pc->level = db_cell(l, 0, 0);
			pc->in.list_percent_bp = db_cell_i64(l, 0, 1);
			if (db_cell(l, 0, 2) != NULL) {
				pc->in.has_list_price = 1;
				pc->in.list_price_fen = db_cell_i64(l, 0, 2);
			}
		}
	}
	if (db_run(c->arena, &r, sql_contract, "iii", k->customer_id,
	    pc->sku.id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows > 0) {
		pc->in.has_contract = 1;
		pc->in.contract_fen = db_cell_i64(r, 0, 0);
		pc->in.contract_binding = db_cell_i64(r, 0, 1) != 0;
	}
	return 0;
}

static int
tx_check(struct dctx *c, void *arg)
{
	struct check		*k = arg;
	struct price_check	*pc = k->pc;
	int			 rc;

	memset(pc, 0, sizeof(*pc));	/* this may be a second attempt */
	k->bad = PRICE_FIELD_NONE;
	c->error = NULL;
	if ((rc = product_sku_by_code(c, k->code, &pc->sku)) != 0) {
		if (rc != ERR_NOT_FOUND)
			return rc;
		c->error = "本店没有这个编码";
		k->bad = PRICE_FIELD_SKU;
		return ERR_INVALID;
	}
	pc->qty = k->qty;
	pc->in.base_fen = pc->sku.price_fen;
	pc->in.qty = k->qty;
	if ((rc = check_tiers(c, pc)) != 0)
		return rc;
	if (k->customer_id != 0 && (rc = check_customer(c, k)) != 0)
		return rc;
	return price_resolve(&pc->in, &pc->out) == -1 ? ERR_INTERNAL : 0;
}

/*
 * What customer (0: a guest, or a company without a level) pays for qty
 * of the SKU with that code. A code or a customer the shop does not have
 * (or that is not in the actor's scope: the same answer, so that it says
 * nothing of another salesperson's companies) is ERR_INVALID, with *bad
 * saying which.
 */
int
price_check(struct dctx *c, const char *code, int64_t customer_id,
    int64_t qty, struct price_check *pc, enum price_field *bad)
{
	struct check	 k;
	int		 rc;

	memset(&k, 0, sizeof(k));
	k.code = code;
	k.customer_id = customer_id;
	k.qty = qty;
	k.pc = pc;
	rc = db_tx_run(c, tx_check, &k);
	*bad = rc == 0 ? PRICE_FIELD_NONE : k.bad;
	return rc;
}
