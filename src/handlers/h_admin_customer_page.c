/*
 * h_admin_customer_page.c -- the back office's page of one customer
 * company, which every customer form renders again when it fails: the
 * company form, then its users, addresses, invoice profiles and contract
 * prices, with what was typed into the form that failed. The posts are in
 * h_admin_customer.c, _user.c, _rows.c and h_admin_contract.c; what they
 * and this file share, in h_admin_customer_form.c.
 */
#include "base/base.h"
#include "base/qr.h"
#include "domain/auth.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/customer.h"
#include "domain/customer_user.h"
#include "domain/invite.h"
#include "domain/address.h"
#include "domain/invoice.h"
#include "domain/contract.h"
#include "domain/scope.h"
#include "handlers/h_customer.h"

/* The company form's values and its selects. 0 or ERR_INTERNAL. */
static int
cust_company_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	const struct company	*co = &p->co;
	json_object		*o = json_object_new_object(), *a;
	const char		*terms;
	int			 nlevels;

	json_object_object_add(v, "company", o);
	view_set_i64(o, "id", co->id);
	view_set_str(o, "name", co->name);
	view_set_str(o, "level_id", cust_num_text(c, co->level_id));
	view_set_str(o, "owner_staff_id", cust_num_text(c, co->owner_id));
	/* Nobody's: only who sees every company sees it, and should say. */
	view_set_bool(o, "unowned", co->id != 0 && co->owner_id == 0);
	view_set_str(o, "tags", co->tags);
	view_set_str(o, "tax_id", co->tax_id);
	view_set_str(o, "contact_name", co->contact_name);
	view_set_str(o, "contact_phone", co->contact_phone);
	view_set_str(o, "status", co->status);
	view_set_str(o, "payment_terms", co->terms);
	view_set_str(o, "credit_days", cust_num_text(c, co->days));
	view_set_str(o, "credit_limit", fmt_yuan(c->d.arena, co->limit_fen));
	if (cust_failed_here(p, "company", 0) ||
	    cust_failed_here(p, "credit", 0)) {
		cust_refill(c, o, cust_company_fields);
		view_set_str(v, "company_error", cust_failure(p));
		if (p->f != NULL && p->f->errors != NULL)
			json_object_object_add(v, "errors",
			    json_object_get(p->f->errors));
	}
	terms = view_get_str(o, "payment_terms");
	view_set_bool(o, "monthly", strcmp(terms, "monthly") == 0);
	view_set_bool(o, "disabled", strcmp(view_get_str(o, "status"),
	    "disabled") == 0);
	view_set_str(o, "terms_label", strcmp(co->terms, "monthly") == 0 ?
	    cust_terms_opts[1][1] : cust_terms_opts[0][1]);
	json_object_object_add(v, "terms_options", cust_options(cust_terms_opts,
	    NELEM(cust_terms_opts), terms));
	json_object_object_add(v, "status_options", cust_status_options(
	    view_get_str(o, "status")));
	if ((a = cust_level_options(c, view_get_str(o, "level_id"), &nlevels)) ==
	    NULL)
		return ERR_INTERNAL;
	json_object_object_add(v, "levels", a);
	view_set_bool(v, "has_levels", nlevels > 0);
	if ((a = cust_owner_options(c, view_get_str(o, "owner_staff_id"),
	    co->owner_id)) == NULL)
		return ERR_INTERNAL;
	json_object_object_add(v, "staff", a);
	return 0;
}

static json_object *
user_view(struct ctx *c, const struct cpage *p, const struct customer_user *u)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "id", u->id);
	view_set_str(o, "name", u->name);
	view_set_str(o, "phone", u->phone);
	view_set_str(o, "role", u->role);
	view_set_str(o, "role_label", role_label(u->role));
	view_set_str(o, "status", u->status);
	view_set_bool(o, "active", strcmp(u->status, "active") == 0);
	cust_row_failed(c, p, o, "user", u->id, cust_user_fields);
	json_object_object_add(o, "roles", cust_role_options(
	    view_get_str(o, "role")));
	json_object_object_add(o, "statuses", cust_status_options(
	    view_get_str(o, "status")));
	return o;
}

/* The company's users and its invitations not used yet. */
static int
cust_users_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	struct customer_user	*u;
	struct invite_pending	*iv;
	json_object		*a, *o;
	int			 i, nu, ni;

	if (customer_users(&c->d, p->co.id, &u, &nu) != 0 ||
	    invite_pending(&c->d, p->co.id, &iv, &ni) != 0)
		return ERR_INTERNAL;
	a = json_object_new_array();
	json_object_object_add(v, "users", a);
	for (i = 0; i < nu; i++)
		json_object_array_add(a, user_view(c, p, &u[i]));
	view_set_bool(v, "no_users", nu == 0);
	a = json_object_new_array();
	for (i = 0; i < ni; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", iv[i].id);
		view_set_str(o, "role_label", role_label(iv[i].role));
		view_set_str(o, "expires", iv[i].expires);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "invites", a);
	cust_add_form(c, p, v, "invite", cust_invite_fields);
	json_object_object_add(v, "invite_roles", cust_role_options(
	    cust_failed_here(p, "invite", 0) ? req_param(c, "role") :
	    "buyer"));
	return 0;
}

static int
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
		cust_row_failed(c, p, o, "address", a[i].id, cust_address_fields);
		json_object_array_add(arr, o);
	}
	view_set_bool(v, "no_addresses", n == 0);
	cust_add_form(c, p, v, "address", cust_address_fields);
	return 0;
}

/*
 * The form's field "title" (发票抬头) as the view's "invoice_title": a row
 * key must not hide the page's own "title" (render.c's globals).
 */
static void
title_key(json_object *o)
{
	json_object	*x;

	if (json_object_object_get_ex(o, "title", &x)) {
		json_object_object_add(o, "invoice_title", json_object_get(x));
		json_object_object_del(o, "title");
	}
}

static int
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
		view_set_str(o, "invoice_title", a[i].title);
		view_set_str(o, "tax_id", a[i].tax_id);
		view_set_str(o, "bank_name", a[i].bank_name);
		view_set_str(o, "bank_account", a[i].bank_account);
		view_set_str(o, "address", a[i].address);
		view_set_str(o, "phone", a[i].phone);
		cust_row_failed(c, p, o, "invoice", a[i].id, cust_invoice_fields);
		title_key(o);
		json_object_object_add(o, "kinds", cust_options(cust_invoice_kinds,
		    NELEM(cust_invoice_kinds), view_get_str(o, "kind")));
		json_object_array_add(arr, o);
	}
	view_set_bool(v, "no_invoices", n == 0);
	cust_add_form(c, p, v, "invoice", cust_invoice_fields);
	json_object_object_get_ex(v, "invoice_new", &add);
	title_key(add);
	json_object_object_add(add, "kinds", cust_options(cust_invoice_kinds,
	    NELEM(cust_invoice_kinds), *view_get_str(add, "kind") ?
	    view_get_str(add, "kind") : "normal"));
	return 0;
}

static int
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
		view_set_money(c, o, "base_price", cp[i].base_fen);
		view_set_i64(o, "price_fen", cp[i].price_fen);
		view_set_bool(o, "binding", cp[i].binding);
		view_set_str(o, "price", fmt_yuan(c->d.arena,
		    cp[i].price_fen));
		cust_row_failed(c, p, o, "contract", cp[i].sku_id,
		    cust_contract_edit_fields);
		json_object_array_add(a, o);
	}
	view_set_bool(v, "no_contracts", n == 0);
	cust_add_form(c, p, v, "contract", cust_contract_fields);
	return 0;
}

/* The whole page, sections and all. */
/*
 * The new link's QR code, for a salesperson to show on their phone or
 * print: a PNG (WeChat's long-press saves or forwards an <img>) and an
 * SVG to download for print, both as data: URIs, since the link is shown
 * only this once and is not kept anywhere it could be fetched from.
 */
static void
invite_qr_view(struct ctx *c, json_object *v, const char *link)
{
	struct qr	 q;
	unsigned char	*png;
	size_t		 len;
	char		*svg;

	if (link == NULL)
		return;
	if (qr_encode(c->d.arena, link, &q) == -1 ||
	    qr_png(c->d.arena, &q, 8, &png, &len) == -1) {
		clog_warnx(&c->d, "invite: no QR code for a %zu-byte link",
		    strlen(link));
		return;
	}
	svg = qr_svg(c->d.arena, &q);
	view_set_str(v, "invite_qr_png", arena_printf(c->d.arena,
	    "data:image/png;base64,%s", base64_encode(c->d.arena, png, len)));
	view_set_str(v, "invite_qr_svg", arena_printf(c->d.arena,
	    "data:image/svg+xml;base64,%s", base64_encode(c->d.arena, svg,
	    strlen(svg))));
}

int
cust_page(struct ctx *c, const struct cpage *p)
{
	json_object	*v = admin_view(c, "customers");
	int		 w = session_staff_role(&c->d.sess, ROLES_WRITE);
	int		 k = session_staff_role(&c->d.sess,
			    CUSTOMER_ROLES_CREDIT);
	const char	*action;

	view_set_bool(v, "is_new", p->co.id == 0);
	view_set_bool(v, "can_write", w);
	view_set_bool(v, "can_credit", k);
	view_set_bool(v, "can_save", w || k);
	view_set_bool(v, "can_assign", scope_may_assign(&c->d));
	if (p->co.id == 0)
		action = "/admin/customers/new";
	else
		action = arena_printf(c->d.arena, "/admin/customers/%"
		    PRId64 "%s", p->co.id, w ? "" : "/credit");
	view_set_str(v, "action", ctx_link(c, action));
	view_set_str(v, "invite_link", p->invite_link);
	invite_qr_view(c, v, p->invite_link);
	if (cust_company_view(c, p, v) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (p->co.id != 0 && (cust_users_view(c, p, v) != 0 ||
	    cust_addresses_view(c, p, v) != 0 ||
	    cust_invoices_view(c, p, v) != 0 ||
	    cust_contracts_view(c, p, v) != 0))
		return http_fail(c, ERR_INTERNAL, NULL);
	c->title = p->co.id == 0 ? "新建客户" : p->co.name;
	return render(c, "admin/customer_edit");
}

/* Re-render the page with a failed form, or fail outright. */
int
cust_page_fail(struct ctx *c, struct cpage *p, int err)
{
	if (err == ERR_INTERNAL || err == ERR_FORBIDDEN ||
	    err == ERR_NOT_FOUND)
		return http_fail(c, err, p->error);
	c->status = err_status(err);
	if (c->json_out)
		return http_fail(c, err, cust_failure(p));
	return cust_page(c, p);
}

/*
 * After a form's domain call rc: the page again with the failed form
 * (fe named in it, c->d.error for what is not a field), or back to the
 * page with ?done=done#anchor.
 */
int
cust_form_end(struct ctx *c, struct cpage *p, struct form *f,
    const struct field_errs *fe, int rc, const char *done,
    const char *anchor)
{
	cust_form_take(c, f, fe);
	if (rc == 0 && f->error != NULL)
		rc = ERR_INVALID;
	if (rc == 0)
		return cust_done(c, p->co.id, done, anchor);
	p->f = f;
	p->error = rc == ERR_INVALID ? NULL : c->d.error;
	return cust_page_fail(c, p, rc);
}
