/*
 * contract.c -- contract prices: a customer company's own price for a
 * SKU of the shop. Every write is one transaction with its audit row and
 * bumps shop.version: the storefront's catalog caches contract prices.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/shop.h"
#include "domain/customer.h"
#include "domain/customer_rows.h"
#include "domain/scope_sql.h"
#include "domain/contract.h"
#include "domain/product.h"

static const char sql_contracts[] =
    "SELECT cp.sku_id, s.code, p.name, s.spec, s.price_fen, cp.price_fen, "
    "cp.binding "
    "FROM contract_price cp JOIN sku s ON s.id = cp.sku_id "
    "JOIN product p ON p.id = s.product_id "
    "WHERE cp.customer_id = ? AND cp.shop_id = ? AND "
    SCOPE_CUSTOMER_ID("cp.customer_id") " ORDER BY s.code";
static const char sql_contract_lock[] =
    "SELECT s.code FROM contract_price cp JOIN sku s ON s.id = cp.sku_id "
    "WHERE cp.sku_id = ? AND cp.customer_id = ? AND cp.shop_id = ? "
    "FOR UPDATE";
static const char sql_contract_set[] =
    "INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen, "
    "binding) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "price_fen = VALUES(price_fen), binding = VALUES(binding)";
static const char sql_contract_price[] =
    "UPDATE contract_price SET price_fen = ? WHERE customer_id = ? "
    "AND sku_id = ? AND shop_id = ?";
static const char sql_contract_del[] =
    "DELETE FROM contract_price WHERE customer_id = ? AND sku_id = ? "
    "AND shop_id = ?";

static void
contract_fill(void *p, const struct db_res *r, int i)
{
	struct contract_price	*a = p;

	a->sku_id = db_cell_i64(r, i, 0);
	a->code = db_cell(r, i, 1);
	a->product = db_cell(r, i, 2);
	a->spec = db_cell(r, i, 3);
	a->base_fen = db_cell_i64(r, i, 4);
	a->price_fen = db_cell_i64(r, i, 5);
	a->binding = db_cell_i64(r, i, 6) != 0;
}

/* A company's contract prices, by SKU code. */
int
contract_list(struct dctx *c, int64_t customer_id, struct contract_price **out,
    int *n)
{
	*out = company_rows(c, sql_contracts, customer_id, sizeof(**out),
	    contract_fill, n);
	return *out != NULL ? 0 : ERR_INTERNAL;
}

/* A price of 0 would give the SKU away: a slip, not a contract. */
static void
price_check(const int64_t *price_fen, struct field_errs *fe)
{
	if (price_fen == NULL)
		return;
	if (*price_fen <= 0)
		field_errs_add(fe, "price", "合同价", "应大于 0 元");
	else if (*price_fen > CUSTOMER_MONEY_MAX_FEN)
		field_errs_add(fe, "price", "合同价", "不能超过 10 亿元");
}

/* The SKU of this shop with the code, or a field error. */
static int
vet(struct dctx *c, const char *code, const int64_t *price_fen,
    struct sku_brief *sku, struct field_errs *fe)
{
	int	rc, n = fe->n;

	memset(sku, 0, sizeof(*sku));
	if (code != NULL && field_text(c->arena, fe, "sku_code", "SKU 编码",
	    code, 1, 64) > 0 && (rc = product_sku_by_code(c, code,
	    sku)) != 0) {
		if (rc != ERR_NOT_FOUND)
			return rc;
		field_errs_add(fe, "sku_code", "SKU 编码",
		    arena_printf(c->arena, "本店没有编码为“%s”的 SKU", code));
	}
	price_check(price_fen, fe);
	return fe->n > n ? ERR_INVALID : 0;
}

/*
 * Check a SKU code and a price, either of them NULL when not given: 0,
 * ERR_INVALID (fe) or ERR_INTERNAL.
 */
int
contract_check(struct dctx *c, const char *code, const int64_t *price_fen,
    struct field_errs *fe)
{
	struct sku_brief	sku;

	return vet(c, code, price_fen, &sku, fe);
}

struct contract_edit {
	int64_t		 customer_id;
	int64_t		 sku_id;
	const char	*code;		/* NULL: the row must be there */
	int64_t		 price_fen;
	int		 binding;	/* -1: as it is */
	int		 del;
};

static int
tx_contract(struct dctx *c, void *arg)
{
	struct contract_edit	*e = arg;
	struct db_res		*r;
	const char		*code = e->code;
	int			 rc;

	/* By code: a new price, maybe; by SKU id: one the company has. */
	if ((rc = company_lock_row(c, e->customer_id, sql_contract_lock,
	    code == NULL ? e->sku_id : 0, "该客户没有这个 SKU 的合同价",
	    &r)) != 0)
		return rc;
	if (code == NULL)
		code = db_cell(r, 0, 0);
	if (e->del)
		rc = db_run(c->arena, NULL, sql_contract_del, "iii",
		    e->customer_id, e->sku_id, c->shop->id);
	else if (e->binding < 0)
		rc = db_run(c->arena, NULL, sql_contract_price, "iiii",
		    e->price_fen, e->customer_id, e->sku_id, c->shop->id);
	else
		rc = db_run(c->arena, NULL, sql_contract_set, "iiiii",
		    c->shop->id, e->customer_id, e->sku_id, e->price_fen,
		    (int64_t)e->binding);
	if (rc == -1)
		return ERR_INTERNAL;
	if ((rc = audit(c, e->del ? "contract.delete" : "contract.set",
	    "customer=%" PRId64 " sku=%s price_fen=%" PRId64 "%s",
	    e->customer_id, code, e->del ? 0 : e->price_fen,
	    e->del || e->binding < 0 ? "" : e->binding ? " binding=1" :
	    " binding=0")) != 0)
		return rc;
	return shop_touch(c, c->shop->id);
}

/*
 * Set a company's price for the SKU with the code, new or not, binding
 * (applies whatever the tiers and level say) or not. 0, ERR_INVALID (fe),
 * ERR_NOT_FOUND (c->error) or ERR_INTERNAL.
 */
int
contract_set(struct dctx *c, int64_t customer_id, const char *code,
    int64_t price_fen, int binding, struct field_errs *fe)
{
	struct contract_edit	e;
	struct sku_brief	sku;
	int			rc;

	if ((rc = vet(c, code != NULL ? code : "", &price_fen, &sku, fe)) != 0)
		return rc;
	memset(&e, 0, sizeof(e));
	e.customer_id = customer_id;
	e.sku_id = sku.id;
	e.code = sku.code;
	e.price_fen = price_fen;
	e.binding = binding != 0;
	return db_tx_run(c, tx_contract, &e);
}

/* Change a price the company has, binding or not as it is.
 * ERR_NOT_FOUND when it has none. */
int
contract_update(struct dctx *c, int64_t customer_id, int64_t sku_id,
    int64_t price_fen, struct field_errs *fe)
{
	struct contract_edit	e;
	struct sku_brief	sku;
	int			rc;

	if ((rc = vet(c, NULL, &price_fen, &sku, fe)) != 0)
		return rc;
	memset(&e, 0, sizeof(e));
	e.customer_id = customer_id;
	e.sku_id = sku_id;
	e.price_fen = price_fen;
	e.binding = -1;
	return db_tx_run(c, tx_contract, &e);
}

int
contract_delete(struct dctx *c, int64_t customer_id, int64_t sku_id)
{
	struct contract_edit	e;

	memset(&e, 0, sizeof(e));
	e.customer_id = customer_id;
	e.sku_id = sku_id;
	e.del = 1;
	return db_tx_run(c, tx_contract, &e);
}
