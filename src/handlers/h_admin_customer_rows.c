/*
 * h_admin_customer_rows.c -- the delivery addresses and invoice profiles
 * of a company's page: their lists with an edit form per row, an add form
 * each, and the posts that add, change and delete them (the rules are in
 * domain/address.c and domain/invoice.c).
 */
#include "dinghuo.h"
#include "domain/customer.h"
#include "domain/address.h"
#include "domain/invoice.h"
#include "handlers/h_customer.h"

enum { A_RECEIVER, A_PHONE, A_REGION, A_ADDRESS, A_DEFAULT };
static const struct field address_fields[] = {
	[A_RECEIVER] =	{ "receiver", FIELD_TEXT, FIELD_REQUIRED, 1, 60,
			  "收货人" },
	[A_PHONE] =	{ "phone", FIELD_TEXT, FIELD_REQUIRED, 1, 20,
			  "联系电话" },
	[A_REGION] =	{ "region", FIELD_TEXT, 0, 0, 100, "所在地区" },
	[A_ADDRESS] =	{ "address", FIELD_TEXT, FIELD_REQUIRED, 1, 300,
			  "详细地址" },
	[A_DEFAULT] =	{ "is_default", FIELD_BOOL, 0, 0, 0, "默认地址" },
	{ NULL, 0, 0, 0, 0, NULL }
};

enum { V_KIND, V_TITLE, V_TAX, V_BANK, V_ACCOUNT, V_ADDRESS, V_PHONE };
static const struct field invoice_fields[] = {
	[V_KIND] =	{ "kind", FIELD_TEXT, FIELD_REQUIRED, 1, 10,
			  "发票类型" },
	[V_TITLE] =	{ "title", FIELD_TEXT, FIELD_REQUIRED, 1, 100,
			  "发票抬头" },
	[V_TAX] =	{ "tax_id", FIELD_TEXT, FIELD_REQUIRED, 1, 40, "税号" },
	[V_BANK] =	{ "bank_name", FIELD_TEXT, 0, 0, 100, "开户银行" },
	[V_ACCOUNT] =	{ "bank_account", FIELD_TEXT, 0, 0, 40, "银行账号" },
	[V_ADDRESS] =	{ "address", FIELD_TEXT, 0, 0, 200, "注册地址" },
	[V_PHONE] =	{ "phone", FIELD_TEXT, 0, 0, 30, "注册电话" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const char *const invoice_kinds[][2] = {
	{ "normal", "增值税普通发票（普票）" },
	{ "special", "增值税专用发票（专票）" },
};

int
cust_addresses_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	struct address	*a;
	json_object	*arr, *o;
	int		 i, n;

	if (address_list(&c->d, p->co.id, &a, &n) != 0)
		return ERR_INTERNAL;
	arr = json_object_new_array();
	json_object_object_add(v, "addresses", arr);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", a[i].id);
		view_set_str(o, "receiver", a[i].receiver);
		view_set_str(o, "phone", a[i].phone);
		view_set_str(o, "region", a[i].region);
		view_set_str(o, "address", a[i].address);
		view_set_bool(o, "is_default", a[i].is_default);
		cust_row_failed(c, p, o, "address", a[i].id, address_fields);
		json_object_array_add(arr, o);
	}
	view_set_bool(v, "no_addresses", n == 0);
	cust_add_form(c, p, v, "address", address_fields);
	return 0;
}

int
cust_invoices_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	struct invoice_profile	*a;
	json_object		*arr, *o, *add;
	int			 i, n;

	if (invoice_list(&c->d, p->co.id, &a, &n) != 0)
		return ERR_INTERNAL;
	arr = json_object_new_array();
	json_object_object_add(v, "invoices", arr);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", a[i].id);
		view_set_str(o, "kind", a[i].kind);
		view_set_bool(o, "special", strcmp(a[i].kind, "special") == 0);
		view_set_str(o, "title", a[i].title);
		view_set_str(o, "tax_id", a[i].tax_id);
		view_set_str(o, "bank_name", a[i].bank_name);
		view_set_str(o, "bank_account", a[i].bank_account);
		view_set_str(o, "address", a[i].address);
		view_set_str(o, "phone", a[i].phone);
		cust_row_failed(c, p, o, "invoice", a[i].id, invoice_fields);
		json_object_object_add(o, "kinds", cust_options(invoice_kinds,
		    NELEM(invoice_kinds), view_get_str(o, "kind")));
		json_object_array_add(arr, o);
	}
	view_set_bool(v, "no_invoices", n == 0);
	cust_add_form(c, p, v, "invoice", invoice_fields);
	json_object_object_get_ex(v, "invoice_new", &add);
	json_object_object_add(add, "kinds", cust_options(invoice_kinds,
	    NELEM(invoice_kinds), *view_get_str(add, "kind") ?
	    view_get_str(add, "kind") : "normal"));
	return 0;
}

/* One row's post: add (no row in the path), change or delete. */
struct row_post {
	struct cpage		 p;
	struct form		 f;
	struct field_errs	 fe;
	int			 del;
};

static int
row_begin(struct ctx *c, struct row_post *r, const char *what,
    const struct field *fields)
{
	int	rc;

	memset(r, 0, sizeof(*r));
	if ((rc = cust_path_company(c, &r->p, c->m.cap[1] != NULL)) != 0)
		return http_fail(c, rc, r->p.error);
	r->del = strstr(c->path, "/delete") != NULL;
	r->p.failed = what;
	if (!r->del)
		form_parse(c, fields, &r->f);
	return 0;
}

static const char *
row_done(const struct row_post *r)
{
	return r->del ? "deleted" : r->p.row ? "saved" : "created";
}

/* POST .../addresses, .../addresses/<id>, .../addresses/<id>/delete. */
int
h_cust_address_save(struct ctx *c)
{
	struct row_post	 r;
	struct address	 a;
	int		 rc;

	if (row_begin(c, &r, "address", address_fields) != 0)
		return c->status;
	memset(&a, 0, sizeof(a));
	a.id = r.p.row;
	a.receiver = r.f.v[A_RECEIVER].s;
	a.phone = r.f.v[A_PHONE].s;
	a.region = r.f.v[A_REGION].s;
	a.address = r.f.v[A_ADDRESS].s;
	a.is_default = r.f.v[A_DEFAULT].i64 != 0;
	if (r.del)
		rc = address_delete(&c->d, r.p.co.id, r.p.row);
	else if (r.f.error != NULL)
		rc = address_check(&c->d, &a, &r.fe);
	else
		rc = address_save(&c->d, r.p.co.id, &a, &r.fe);
	return cust_form_end(c, &r.p, &r.f, &r.fe, rc, row_done(&r),
	    "addresses");
}

/* POST .../invoices, .../invoices/<id>, .../invoices/<id>/delete. */
int
h_cust_invoice_save(struct ctx *c)
{
	struct row_post		r;
	struct invoice_profile	v;
	int			rc;

	if (row_begin(c, &r, "invoice", invoice_fields) != 0)
		return c->status;
	memset(&v, 0, sizeof(v));
	v.id = r.p.row;
	v.kind = r.f.v[V_KIND].s;
	v.title = r.f.v[V_TITLE].s;
	v.tax_id = r.f.v[V_TAX].s;
	v.bank_name = r.f.v[V_BANK].s;
	v.bank_account = r.f.v[V_ACCOUNT].s;
	v.address = r.f.v[V_ADDRESS].s;
	v.phone = r.f.v[V_PHONE].s;
	if (r.del)
		rc = invoice_delete(&c->d, r.p.co.id, r.p.row);
	else if (r.f.error != NULL)
		rc = invoice_check(&c->d, &v, &r.fe);
	else
		rc = invoice_save(&c->d, r.p.co.id, &v, &r.fe);
	return cust_form_end(c, &r.p, &r.f, &r.fe, rc, row_done(&r),
	    "invoices");
}
