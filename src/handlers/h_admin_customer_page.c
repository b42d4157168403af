/*
 * h_admin_customer_page.c -- the back office's page of one customer
 * company, which every customer form renders again when it fails: the
 * company form, then its users, addresses, invoice profiles and contract
 * prices (one file each), with what was typed into the form that failed.
 */
#include "dinghuo.h"
#include "domain/customer.h"
#include "handlers/h_customer.h"

static const char *const user_roles[][2] = {
	{ "buyer", "采购" }, { "approver", "审批" }, { "finance", "财务" },
};
static const char *const statuses[][2] = {
	{ "active", "正常" }, { "disabled", "停用" },
};

/* The domain's verdict on fields, named in the form like its own. */
void
cust_form_take(struct ctx *c, struct form *f, const struct field_errs *fe)
{
	int	i;

	for (i = 0; i < fe->n; i++)
		form_error(c, f, fe->v[i].name, fe->v[i].label, fe->v[i].why);
}

/* An array of {value, label, selected} for a <select>. */
json_object *
cust_options(const char *const (*t)[2], size_t n, const char *sel)
{
	json_object	*a = json_object_new_array(), *o;
	size_t		 i;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_str(o, "value", t[i][0]);
		view_set_str(o, "label", t[i][1]);
		view_set_bool(o, "selected", sel != NULL &&
		    strcmp(sel, t[i][0]) == 0);
		json_object_array_add(a, o);
	}
	return a;
}

json_object *
cust_role_options(const char *sel)
{
	return cust_options(user_roles, NELEM(user_roles), sel);
}

json_object *
cust_status_options(const char *sel)
{
	return cust_options(statuses, NELEM(statuses), sel);
}

/* The failing form's own values, as typed, over what the database says. */
void
cust_refill(struct ctx *c, json_object *o, const struct field *fields)
{
	const char	*s;

	for (; fields->name != NULL; fields++) {
		s = req_param(c, fields->name);
		if (fields->type == FIELD_BOOL)
			view_set_bool(o, fields->name, s != NULL &&
			    strcmp(s, "0") != 0 && *s != '\0');
		else if (s != NULL)
			view_set_str(o, fields->name, s);
	}
}

int
cust_failed_here(const struct cpage *p, const char *what, int64_t row)
{
	return p->failed != NULL && strcmp(p->failed, what) == 0 &&
	    p->row == row;
}

const char *
cust_failure(const struct cpage *p)
{
	return p->error != NULL ? p->error : p->f != NULL ? p->f->error : NULL;
}

/* A row's error and what was typed into it, when its form failed. */
void
cust_row_failed(struct ctx *c, const struct cpage *p, json_object *o,
    const char *what, int64_t row, const struct field *fields)
{
	/* Set, even when null: a nested name must not find an outer one. */
	view_set_str(o, "row_error", NULL);
	view_set_bool(o, "open", 0);
	if (!cust_failed_here(p, what, row))
		return;
	cust_refill(c, o, fields);
	view_set_str(o, "row_error", cust_failure(p));
	view_set_bool(o, "open", 1);
}

/* An add form: empty, or what was typed and why it failed. */
void
cust_add_form(struct ctx *c, const struct cpage *p, json_object *v,
    const char *what, const struct field *fields)
{
	json_object	*o = json_object_new_object();

	if (cust_failed_here(p, what, 0)) {
		cust_refill(c, o, fields);
		view_set_str(o, "error", cust_failure(p));
		view_set_bool(o, "open", 1);
	}
	json_object_object_add(v, arena_printf(c->d.arena, "%s_new", what), o);
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
	if (p->co.id == 0)
		action = "/admin/customers/new";
	else
		action = arena_printf(c->d.arena, "/admin/customers/%"
		    PRId64 "%s", p->co.id, w ? "" : "/credit");
	view_set_str(v, "action", ctx_link(c, action));
	view_set_str(v, "invite_link", p->invite_link);
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

/* The company of the path (and the row, if there is one), for a form. */
int
cust_path_company(struct ctx *c, struct cpage *p, int want_row)
{
	int64_t	id;
	int	rc;

	memset(p, 0, sizeof(*p));
	if (route_id(c, 0, &id) == -1 || (want_row && route_id(c, 1,
	    &p->row) == -1)) {
		p->error = "页面不存在";
		return ERR_NOT_FOUND;
	}
	if ((rc = company_load(&c->d, id, &p->co)) != 0)
		p->error = c->d.error;
	return rc;
}

/* Back to the company's page after a save: ?done=what#anchor. */
int
cust_done(struct ctx *c, int64_t id, const char *what, const char *anchor)
{
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "?done=%s%s%s", id, what,
	    anchor != NULL ? "#" : "", anchor != NULL ? anchor : "")));
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
