/*
 * h_admin_customer_rows.c -- the delivery addresses and invoice profiles
 * of a company's page: their lists with an edit form per row, an add form
 * each, and the posts that add, change and delete them (the rules are in
 * domain/address.c and domain/invoice.c).
 */
#include "base/base.h"
#include "http/http.h"
#include "domain/customer.h"
#include "domain/address.h"
#include "domain/invoice.h"
#include "handlers/h_customer.h"

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

	if (row_begin(c, &r, "address", cust_address_fields) != 0)
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

	if (row_begin(c, &r, "invoice", cust_invoice_fields) != 0)
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
