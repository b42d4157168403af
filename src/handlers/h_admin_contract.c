/*
 * h_admin_contract.c -- the contract prices section of a company's page:
 * the company's own price per SKU, added by SKU code, changed or removed
 * (domain/contract.c; every change reaches the storefront within a
 * second).
 */
#include "dinghuo.h"
#include "domain/customer.h"
#include "domain/contract.h"
#include "handlers/h_customer.h"

enum { P_SKU, P_PRICE };
static const struct field contract_fields[] = {
	[P_SKU] =	{ "sku_code", FIELD_TEXT, FIELD_REQUIRED, 1, 64,
			  "SKU 编码" },
	[P_PRICE] =	{ "price", FIELD_MONEY, FIELD_REQUIRED, 0,
			  CUSTOMER_MONEY_MAX_FEN, "合同价" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field *const contract_edit_fields =
    &contract_fields[P_PRICE];

int
cust_contracts_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	struct contract_price	*cp;
	json_object		*a, *o;
	int			 i, n;

	if (contract_list(&c->d, p->co.id, &cp, &n) != 0)
		return ERR_INTERNAL;
	a = json_object_new_array();
	json_object_object_add(v, "contracts", a);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "sku_id", cp[i].sku_id);
		view_set_str(o, "code", cp[i].code);
		view_set_str(o, "product", cp[i].product);
		view_set_str(o, "spec", cp[i].spec);
		view_set_str(o, "base", fmt_yuan(c->d.arena, cp[i].base_fen));
		view_set_i64(o, "price_fen", cp[i].price_fen);
		view_set_str(o, "price", fmt_yuan(c->d.arena,
		    cp[i].price_fen));
		cust_row_failed(c, p, o, "contract", cp[i].sku_id,
		    contract_edit_fields);
		json_object_array_add(a, o);
	}
	view_set_bool(v, "no_contracts", n == 0);
	cust_add_form(c, p, v, "contract", contract_fields);
	return 0;
}

/* POST .../prices (add by SKU code), .../prices/<sku>, .../delete. */
int
h_cust_contract_save(struct ctx *c)
{
	struct cpage		 p;
	struct form		 f;
	struct field_errs	 fe;
	const int64_t		*price;
	const char		*code;
	int			 rc, has_row = c->m.cap[1] != NULL;
	int			 del = strstr(c->path, "/delete") != NULL;

	memset(&f, 0, sizeof(f));
	memset(&fe, 0, sizeof(fe));
	if ((rc = cust_path_company(c, &p, has_row)) != 0)
		return http_fail(c, rc, p.error);
	p.failed = "contract";
	if (!del)
		form_parse(c, has_row ? contract_edit_fields : contract_fields,
		    &f);
	code = has_row ? NULL : f.v[P_SKU].s;
	price = f.v[has_row ? 0 : P_PRICE].present ?
	    &f.v[has_row ? 0 : P_PRICE].i64 : NULL;
	if (del)
		rc = contract_delete(&c->d, p.co.id, p.row);
	else if (f.error != NULL)
		rc = contract_check(&c->d, code, price, &fe);
	else if (has_row)
		rc = contract_update(&c->d, p.co.id, p.row, *price, &fe);
	else
		rc = contract_set(&c->d, p.co.id, code, *price, &fe);
	return cust_form_end(c, &p, &f, &fe, rc, del ? "deleted" : "saved",
	    "contracts");
}
