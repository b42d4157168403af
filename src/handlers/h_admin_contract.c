/*
 * h_admin_contract.c -- the contract prices section of a company's page:
 * the company's own price per SKU, added by SKU code, changed or removed
 * (domain/contract.c; every change reaches the storefront within a
 * second).
 */
#include "base/base.h"
#include "http/http.h"
#include "domain/customer.h"
#include "domain/contract.h"
#include "handlers/h_customer.h"

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
		form_parse(c, has_row ? cust_contract_edit_fields : cust_contract_fields,
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
		rc = contract_set(&c->d, p.co.id, code, *price,
		    f.v[P_BINDING].i64 != 0, &fe);
	return cust_form_end(c, &p, &f, &fe, rc, del ? "deleted" : "saved",
	    "contracts");
}
