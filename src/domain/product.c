/*
 * product.c -- products and their SKUs as the back office writes them.
 * Storefront reads go through the catalog cache (catalog.c); what is
 * written or decides money is read here, from the database.
 */
#include "dinghuo.h"
#include "domain/product.h"

static const char sql_sku_by_code[] =
    "SELECT s.id, s.code, p.name, s.spec, s.unit, s.price_fen, s.min_qty "
    "FROM sku s JOIN product p ON p.id = s.product_id "
    "WHERE s.shop_id = ? AND s.code = ?";

/* A SKU of the request's shop by its code: 0, ERR_NOT_FOUND, ERR_INTERNAL. */
int
product_sku_by_code(struct dctx *c, const char *code, struct sku_brief *out)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_sku_by_code, "is", c->shop->id,
	    code) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	out->id = db_cell_i64(r, 0, 0);
	out->code = db_cell(r, 0, 1);
	out->name = db_cell(r, 0, 2);
	out->spec = db_cell(r, 0, 3);
	out->unit = db_cell(r, 0, 4);
	out->price_fen = db_cell_i64(r, 0, 5);
	out->min_qty = db_cell_i64(r, 0, 6);
	return 0;
}
