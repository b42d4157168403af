/*
 * invoice.c -- a customer company's invoice profiles: list, check, add,
 * edit and delete. 普票 (normal) need a title and a tax id; 专票
 * (special) also the bank, the account, the registered address and phone.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/customer.h"
#include "domain/customer_rows.h"
#include "domain/scope_sql.h"
#include "domain/invoice.h"

static const char sql_invoices[] =
    "SELECT id, kind, title, tax_id, bank_name, bank_account, address, "
    "phone FROM invoice_profile WHERE customer_id = ? AND shop_id = ? AND "
    SCOPE_CUSTOMER_ID("invoice_profile.customer_id") " ORDER BY id";
static const char sql_invoice_lock[] =
    "SELECT id FROM invoice_profile WHERE id = ? AND customer_id = ? "
    "AND shop_id = ? FOR UPDATE";
static const char sql_invoice_add[] =
    "INSERT INTO invoice_profile (shop_id, customer_id, kind, title, tax_id, "
    "bank_name, bank_account, address, phone) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_invoice_update[] =
    "UPDATE invoice_profile SET kind = ?, title = ?, tax_id = ?, "
    "bank_name = ?, bank_account = ?, address = ?, phone = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_invoice_del[] =
    "DELETE FROM invoice_profile WHERE id = ? AND shop_id = ?";

static void
invoice_fill(void *p, const struct db_res *r, int i)
{
	struct invoice_profile	*a = p;

	a->id = db_cell_i64(r, i, 0);
	a->kind = db_cell(r, i, 1);
	a->title = db_cell(r, i, 2);
	a->tax_id = db_cell(r, i, 3);
	a->bank_name = db_cell(r, i, 4);
	a->bank_account = db_cell(r, i, 5);
	a->address = db_cell(r, i, 6);
	a->phone = db_cell(r, i, 7);
}

int
invoice_list(struct dctx *c, int64_t customer_id,
    struct invoice_profile **out, int *n)
{
	*out = company_rows(c, sql_invoices, customer_id, sizeof(**out),
	    invoice_fill, n);
	return *out != NULL ? 0 : ERR_INTERNAL;
}

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/*
 * Check a profile and normalize its tax id in place. 0, or ERR_INVALID
 * with fe naming what is wrong.
 */
int
invoice_check(struct dctx *c, struct invoice_profile *v, struct field_errs *fe)
{
	const struct {
		const char	*name;
		const char	*label;
		const char	*value;
	} special[] = {
		{ "bank_name", "开户银行", v->bank_name },
		{ "bank_account", "银行账号", v->bank_account },
		{ "address", "注册地址", v->address },
		{ "phone", "注册电话", v->phone },
	};
	const char	*why;
	char		*t;
	size_t		 i;
	int		 n = fe->n;

	if (field_text(c->arena, fe, "kind", "发票类型", v->kind, 1, 10) > 0 &&
	    !customer_one_of(v->kind, "normal", "special"))
		field_errs_add(fe, "kind", "发票类型", "无效的选项");
	field_text(c->arena, fe, "title", "发票抬头", v->title, 1, 100);
	if (field_text(c->arena, fe, "tax_id", "税号", v->tax_id, 1, 40) > 0) {
		if ((t = customer_tax_id(c->arena, v->tax_id, &why)) == NULL)
			field_errs_add(fe, "tax_id", "税号", why);
		else
			v->tax_id = t;
	}
	field_text(c->arena, fe, "bank_name", "开户银行", v->bank_name, 0, 100);
	if (field_text(c->arena, fe, "bank_account", "银行账号",
	    v->bank_account, 0, 40) > 0 && strspn(v->bank_account,
	    "0123456789 -") != strlen(v->bank_account))
		field_errs_add(fe, "bank_account", "银行账号", "只能包含数字");
	field_text(c->arena, fe, "address", "注册地址", v->address, 0, 200);
	if (field_text(c->arena, fe, "phone", "注册电话", v->phone, 0,
	    30) > 0 && !customer_tel_ok(v->phone))
		field_errs_add(fe, "phone", "注册电话", "不是有效的电话号码");
	if (v->kind != NULL && strcmp(v->kind, "special") == 0)
		for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
			if (special[i].value == NULL ||
			    *special[i].value == '\0')
				field_errs_add(fe, special[i].name,
				    special[i].label, "专票必须填写");
	return fe->n > n ? ERR_INVALID : 0;
}

struct invoice_edit {
	int64_t			 customer_id;
	int64_t			 row;		/* 0: add */
	struct invoice_profile	*v;		/* NULL: delete row */
};

static int
tx_invoice(struct dctx *c, void *arg)
{
	struct invoice_edit	*e = arg;
	struct invoice_profile	*v = e->v;
	struct db_res		*r;
	int64_t			 id = e->row;
	int			 rc;

	if (v != NULL)
		v->id = e->row;
	if ((rc = company_lock_row(c, e->customer_id, sql_invoice_lock, e->row,
	    "开票资料不存在", NULL)) != 0)
		return rc;
	if (v == NULL) {
		if (db_run(c->arena, NULL, sql_invoice_del, "ii", id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
	} else if (id == 0) {
		if (db_run(c->arena, &r, sql_invoice_add, "iisssssss",
		    c->shop->id, e->customer_id, v->kind, v->title, v->tax_id,
		    or_empty(v->bank_name), or_empty(v->bank_account),
		    or_empty(v->address), or_empty(v->phone)) == -1)
			return ERR_INTERNAL;
		id = v->id = (int64_t)r->insert_id;
	} else if (db_run(c->arena, NULL, sql_invoice_update, "sssssssii",
	    v->kind, v->title, v->tax_id, or_empty(v->bank_name),
	    or_empty(v->bank_account), or_empty(v->address), or_empty(v->phone),
	    id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, v == NULL ? "customer.invoice_delete" :
	    "customer.invoice", "customer=%" PRId64 " invoice=%" PRId64,
	    e->customer_id, id);
}

/*
 * Add (v->id 0; its id is set) or change a profile of a company of the
 * request's shop. 0, ERR_INVALID (fe), ERR_NOT_FOUND (c->error) or
 * ERR_INTERNAL.
 */
int
invoice_save(struct dctx *c, int64_t customer_id, struct invoice_profile *v,
    struct field_errs *fe)
{
	struct invoice_edit	e = { customer_id, v->id, v };
	int			rc;

	if ((rc = invoice_check(c, v, fe)) != 0)
		return rc;
	return db_tx_run(c, tx_invoice, &e);
}

int
invoice_delete(struct dctx *c, int64_t customer_id, int64_t id)
{
	struct invoice_edit	e = { customer_id, id, NULL };

	return db_tx_run(c, tx_invoice, &e);
}
