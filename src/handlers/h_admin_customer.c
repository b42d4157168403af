/*
 * h_admin_customer.c -- the back office's customer companies: the list
 * with search and filters, and the company form (level, salesperson,
 * tags, payment terms, status) of the company page. Sales edit their own
 * companies (domain/scope.h) but not credit terms nor who owns them,
 * finance only credit terms (domain/customer.c).
 * The page's other sections post to h_admin_customer_user.c, _rows.c and
 * h_admin_contract.c; this file holds the routes of all of them.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/customer.h"
#include "domain/scope.h"
#include "handlers/h_customer.h"

#define ROLES_CREDIT	CUSTOMER_ROLES_CREDIT
#define PER_PAGE	30

static int
h_customer_new_form(struct ctx *c)
{
	struct cpage	p;

	memset(&p, 0, sizeof(p));
	company_new(&c->d, &p.co);
	return cust_page(c, &p);
}

static int
h_customer_show(struct ctx *c)
{
	struct cpage	p;
	int		rc;

	if ((rc = cust_path_company(c, &p, 0)) != 0)
		return http_fail(c, rc, p.error);
	return cust_page(c, &p);
}

/* ---- saving the company --------------------------------------------- */

/*
 * What the form sent; its payment terms at fields t, t+1, t+2 (t is 0
 * for the credit form, which always sends them).
 */
static void
company_input(struct ctx *c, const struct form *f, int t,
    struct company_input *in)
{
	memset(in, 0, sizeof(*in));
	if (t != 0) {
		in->fields = 1;
		in->name = f->v[C_NAME].s;
		in->level_id = f->v[C_LEVEL].s;
		in->owner_staff_id = f->v[C_OWNER].s;
		in->tags = f->v[C_TAGS].s;
		in->tax_id = f->v[C_TAX].s;
		in->contact_name = f->v[C_CNAME].s;
		in->contact_phone = f->v[C_CPHONE].s;
		in->status = f->v[C_STATUS].s;
	}
	in->credit = t == 0 || req_param(c, "payment_terms") != NULL ||
	    req_param(c, "credit_days") != NULL ||
	    req_param(c, "credit_limit") != NULL;
	in->terms = f->v[t].s;
	in->days = f->v[t + 1].s;
	in->limit = f->v[t + 2].s;
}

/*
 * POST /admin/customers/new, /admin/customers/<id> (the company form)
 * and /admin/customers/<id>/credit (payment terms alone, for finance).
 */
static int
company_post(struct ctx *c, int credit_only)
{
	struct cpage		 p;
	struct form		 f;
	struct company_input	 in;
	struct field_errs	 fe;
	const char		*done;
	int64_t			 id = 0;
	int			 rc;

	memset(&p, 0, sizeof(p));
	memset(&fe, 0, sizeof(fe));
	company_new(&c->d, &p.co);
	if (c->m.cap[0] != NULL && (rc = cust_path_company(c, &p, 0)) != 0)
		return http_fail(c, rc, p.error);
	form_parse(c, credit_only ? cust_credit_fields : cust_company_fields, &f);
	company_input(c, &f, credit_only ? 0 : C_TERMS, &in);
	if (f.error != NULL)
		rc = company_check(&c->d, &p.co, &in, &fe);
	else
		rc = company_save(&c->d, &p.co, &in, &fe, &id);
	p.failed = credit_only ? "credit" : "company";
	done = p.co.id != 0 ? "saved" : "created";
	if (rc == 0 && f.error == NULL)
		p.co.id = id;		/* a new company's, for the link */
	return cust_form_end(c, &p, &f, &fe, rc, done, NULL);
}

static int
h_company_save(struct ctx *c)
{
	return company_post(c, 0);
}

static int
h_credit_save(struct ctx *c)
{
	return company_post(c, 1);
}

/* ---- the list ------------------------------------------------------- */

/* The filters as given (for the form and links) and as a query. */
struct filters {
	const char	*level;		/* "", "-1" or an id */
	const char	*owner;		/* "", "me", "none" or an id */
	const char	*kind;		/* "", "dealer" or "consumer" */
};

static void
list_query(struct ctx *c, struct company_query *q, struct filters *fl)
{
	const char	*err;

	memset(q, 0, sizeof(*q));
	q->q = kv_get(&c->query, "q");
	q->page = query_page(c);
	q->per_page = PER_PAGE;
	fl->level = kv_get(&c->query, "level");
	fl->owner = kv_get(&c->query, "owner");
	fl->kind = kv_get(&c->query, "kind");
	if (fl->kind != NULL && strcmp(fl->kind, "dealer") == 0)
		q->kind = 1;
	else if (fl->kind != NULL && strcmp(fl->kind, "consumer") == 0)
		q->kind = 2;
	else
		fl->kind = "";
	if (fl->level == NULL || parse_i64(fl->level, -1, INT64_MAX,
	    &q->level_id, &err) == -1)
		fl->level = "";
	if (fl->owner != NULL && strcmp(fl->owner, "me") == 0)
		q->owner_id = c->d.sess.user_id;
	else if (fl->owner != NULL && strcmp(fl->owner, "none") == 0)
		q->owner_id = -1;
	else if (fl->owner == NULL || parse_i64(fl->owner, 1, INT64_MAX,
	    &q->owner_id, &err) == -1)
		fl->owner = "";
}

static json_object *
list_row(struct ctx *c, const struct company_row *r)
{
	json_object	*o = json_object_new_object(), *tags;
	char		*t, *save, *tok;

	view_set_i64(o, "id", r->id);
	view_set_str(o, "name", r->name);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64, r->id)));
	tags = json_object_new_array();
	t = arena_strdup(c->d.arena, r->tags);
	for (tok = strtok_r(t, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		json_object_array_add(tags, json_object_new_string(tok));
	json_object_object_add(o, "tags", tags);
	view_set_str(o, "contact_name", r->contact_name);
	view_set_str(o, "contact_phone", r->contact_phone);
	view_set_bool(o, "monthly", r->monthly);
	view_set_i64(o, "credit_days", r->days);
	view_set_money(c, o, "credit_limit", r->limit_fen);
	view_set_bool(o, "disabled", !r->active);
	view_set_str(o, "level", r->level);
	view_set_str(o, "owner", r->owner);
	view_set_bool(o, "unowned", r->owner == NULL);
	view_set_i64(o, "users", r->users);
	view_set_bool(o, "consumer", r->consumer);
	return o;
}

static int
h_customer_list(struct ctx *c)
{
	struct company_query	 q;
	struct company_page	 pg;
	struct filters		 fl;
	json_object		*v, *rows, *a;
	const char		*url;
	int			 i, rc, nlevels;

	list_query(c, &q, &fl);
	if ((rc = company_list(&c->d, &q, &pg)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "customers");
	url = arena_printf(c->d.arena, "/admin/customers?q=%s&level=%s&"
	    "owner=%s&kind=%s", url_encode(c->d.arena, pg.q), fl.level,
	    url_encode(c->d.arena, fl.owner), fl.kind);
	view_pager(c, v, pg.total, PER_PAGE, url);
	view_set_bool(v, "paged", pg.total > PER_PAGE);
	rows = json_object_new_array();
	for (i = 0; i < pg.n; i++)
		json_object_array_add(rows, list_row(c, &pg.rows[i]));
	json_object_object_add(v, "customers", rows);
	view_set_str(v, "q", pg.q);
	view_set_bool(v, "filtered", *pg.q || *fl.level || *fl.owner ||
	    *fl.kind);
	view_set_bool(v, "kind_dealer", q.kind == 1);
	view_set_bool(v, "kind_consumer", q.kind == 2);
	view_set_bool(v, "level_none", q.level_id == -1);
	view_set_bool(v, "owner_me", strcmp(fl.owner, "me") == 0);
	view_set_bool(v, "owner_none", strcmp(fl.owner, "none") == 0);
	/* Only who sees every company sees those nobody owns. */
	view_set_bool(v, "sees_unowned", scope_owner(&c->d) == 0);
	view_set_bool(v, "can_write", session_staff_role(&c->d.sess,
	    ROLES_WRITE));
	if ((a = cust_level_options(c, fl.level, &nlevels)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	json_object_object_add(v, "levels", a);
	if ((a = cust_owner_options(c, strcmp(fl.owner, "me") != 0 &&
	    strcmp(fl.owner, "none") != 0 ? fl.owner : "", 0)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	json_object_object_add(v, "staff", a);
	c->title = "客户";
	return render(c, "admin/customers");
}

#define ID "([0-9]{1,18})"
#define CUST "^/admin/customers/" ID
#define W (ROUTE_STAFF | ROUTE_CSRF)
const struct route h_admin_customer_routes[] = {
	{ "GET", "^/admin/customers$", h_customer_list, ROUTE_STAFF,
	  ROLES_READ },
	{ "GET", "^/admin/customers/new$", h_customer_new_form, ROUTE_STAFF,
	  ROLES_WRITE },
	{ "POST", "^/admin/customers/new$", h_company_save, W, ROLES_WRITE },
	{ "GET", CUST "$", h_customer_show, ROUTE_STAFF, ROLES_READ },
	{ "POST", CUST "$", h_company_save, W, ROLES_WRITE },
	{ "POST", CUST "/credit$", h_credit_save, W, ROLES_CREDIT },
	{ "POST", CUST "/users/" ID "$", h_cust_user_save, W, ROLES_WRITE },
	{ "POST", CUST "/users/" ID "/status$", h_cust_user_save, W,
	  ROLES_WRITE },
	{ "POST", CUST "/invites$", h_cust_invite_new, W, ROLES_WRITE },
	{ "POST", CUST "/invites/" ID "/delete$", h_cust_invite_revoke, W,
	  ROLES_WRITE },
	{ "POST", CUST "/addresses$", h_cust_address_save, W, ROLES_WRITE },
	{ "POST", CUST "/addresses/" ID "$", h_cust_address_save, W,
	  ROLES_WRITE },
	{ "POST", CUST "/addresses/" ID "/delete$", h_cust_address_save, W,
	  ROLES_WRITE },
	{ "POST", CUST "/invoices$", h_cust_invoice_save, W, ROLES_WRITE },
	{ "POST", CUST "/invoices/" ID "$", h_cust_invoice_save, W,
	  ROLES_WRITE },
	{ "POST", CUST "/invoices/" ID "/delete$", h_cust_invoice_save, W,
	  ROLES_WRITE },
	{ "POST", CUST "/prices$", h_cust_contract_save, W, ROLES_WRITE },
	{ "POST", CUST "/prices/" ID "$", h_cust_contract_save, W,
	  ROLES_WRITE },
	{ "POST", CUST "/prices/" ID "/delete$", h_cust_contract_save, W,
	  ROLES_WRITE },
	{ NULL, NULL, NULL, 0, NULL }
};
