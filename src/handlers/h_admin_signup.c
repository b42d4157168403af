/*
 * h_admin_signup.c -- 经销商申请 in the back office, under 客户: the list
 * (pending first, or by status, in pages), one application with its
 * business licence (the photo itself read out by licence route: it is
 * under private_dir, which no web server serves), and the two decisions: approve into a customer
 * company with a member level, a salesperson and payment terms as on the
 * company form (the selects are the customer page's, h_customer.h), or
 * reject with a reason. A form that fails comes back as typed on the
 * application's page. domain/dealer_review.c decides what may be done.
 */
#include "base/base.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/customer.h"
#include "domain/dealer_application.h"
#include "domain/image.h"
#include "domain/scope.h"
#include "handlers/h_customer.h"
#include "handlers/h_signup.h"

#define PER_PAGE	20
#define LIST		"/admin/customers/applications"

static const struct {
	const char	*label;
	const char	*badge;
} statuses[] = {
	[DEALER_PENDING] = { "待审核", "warn" },
	[DEALER_APPROVED] = { "已通过", "on" },
	[DEALER_REJECTED] = { "已拒绝", "off" },
};

enum { A_LEVEL, A_OWNER, A_TERMS, A_DAYS, A_LIMIT };
static const struct field approve_fields[] = {
	[A_LEVEL] =	{ "level_id", FIELD_TEXT, 0, 0, 20, "会员等级" },
	[A_OWNER] =	{ "owner_staff_id", FIELD_TEXT, 0, 0, 20, "负责销售" },
	[A_TERMS] =	{ "payment_terms", FIELD_TEXT, 0, 0, 10, "结算方式" },
	[A_DAYS] =	{ "credit_days", FIELD_TEXT, 0, 0, 10, "账期天数" },
	[A_LIMIT] =	{ "credit_limit", FIELD_TEXT, 0, 0, 20, "信用额度" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field reject_fields[] = {
	{ "reason", FIELD_TEXT, FIELD_REQUIRED, 1, DEALER_REASON_MAX,
	  "拒绝原因" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static void
status_view(json_object *o, enum dealer_status s)
{
	view_set_str(o, "state", dealer_status_name(s));
	view_set_str(o, "status_label", statuses[s].label);
	view_set_str(o, "badge", statuses[s].badge);
	view_set_bool(o, "is_pending", s == DEALER_PENDING);
	view_set_bool(o, "is_approved", s == DEALER_APPROVED);
	view_set_bool(o, "is_rejected", s == DEALER_REJECTED);
}

static const char *
app_link(struct ctx *c, int64_t id, const char *tail)
{
	return ctx_link(c, arena_printf(c->d.arena, LIST "/%" PRId64 "%s", id,
	    tail));
}

/* ---- the list ------------------------------------------------------- */

static void
tabs(struct ctx *c, json_object *v, const char *sel, int64_t pending)
{
	static const char *const t[][2] = {
		{ "all", "全部" }, { "pending", "待审核" },
		{ "approved", "已通过" }, { "rejected", "已拒绝" },
	};
	json_object	*a = json_object_new_array(), *o;
	size_t		 i;

	for (i = 0; i < NELEM(t); i++) {
		o = json_object_new_object();
		view_set_str(o, "label", i == 1 && pending > 0 ?
		    arena_printf(c->d.arena, "%s %" PRId64, t[i][1], pending) :
		    t[i][1]);
		view_set_bool(o, "active", strcmp(sel, t[i][0]) == 0);
		view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
		    LIST "?status=%s", t[i][0])));
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "tabs", a);
}

static json_object *
list_row(struct ctx *c, const struct dealer_app *a)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "id", a->id);
	view_set_str(o, "url", app_link(c, a->id, ""));
	view_set_str(o, "company", a->company);
	view_set_str(o, "contact_name", a->contact_name);
	view_set_str(o, "phone", a->phone);
	view_set_str(o, "region", *a->region ? a->region : NULL);
	view_set_str(o, "time", a->created);
	view_set_str(o, "reviewer", a->reviewer);
	status_view(o, a->status);
	return o;
}

static int
h_signup_list(struct ctx *c)
{
	struct dealer_query	 q;
	struct dealer_list	 l;
	json_object		*v, *rows;
	const char		*st = kv_get(&c->query, "status");
	int64_t			 pending;
	int			 i, rc;

	memset(&q, 0, sizeof(q));
	if (st == NULL || dealer_status_parse(st, &q.status) == -1) {
		st = "all";
		q.all = 1;
	}
	q.page = query_page(c);
	q.per_page = PER_PAGE;
	if ((rc = dealer_list(&c->d, &q, &l)) != 0 ||
	    (rc = dealer_pending_count(&c->d, &pending)) != 0)
		return http_fail(c, rc, NULL);
	v = admin_view(c, "customers");
	view_pager(c, v, l.total, PER_PAGE, arena_printf(c->d.arena,
	    LIST "?status=%s", st));
	view_set_bool(v, "paged", l.total > PER_PAGE);
	tabs(c, v, st, pending);
	view_set_bool(v, "filtered", !q.all);
	view_set_str(v, "status_label", q.all ? NULL :
	    statuses[q.status].label);
	rows = json_object_new_array();
	for (i = 0; i < l.n; i++)
		json_object_array_add(rows, list_row(c, &l.rows[i]));
	json_object_object_add(v, "applications", rows);
	c->title = "经销商申请";
	return render(c, "admin/dealer_applications");
}

/* ---- one application ------------------------------------------------ */

/* What failed on the page, for it to show as typed. */
struct failed {
	const char	*what;		/* "approve", "reject" or NULL */
	const struct form *f;
	const char	*error;		/* a refusal, not a field */
};

static void
refill(struct ctx *c, json_object *o, const struct field *fields)
{
	const char	*s;

	for (; fields->name != NULL; fields++)
		if ((s = req_param(c, fields->name)) != NULL)
			view_set_str(o, fields->name, s);
}

/* The approve form: the customer form's selects, empty or as typed. */
static int
approve_view(struct ctx *c, const struct failed *fl, json_object *v)
{
	json_object	*o = json_object_new_object(), *a;
	const char	*owner = "", *terms;
	int		 n, again;

	again = fl->what != NULL && strcmp(fl->what, "approve") == 0;

	/* A salesperson's approval is their customer (domain/scope.h). */
	if (scope_owner(&c->d) != 0)
		owner = cust_num_text(c, scope_owner(&c->d));
	view_set_str(o, "level_id", "");
	view_set_str(o, "owner_staff_id", owner);
	view_set_str(o, "payment_terms", "prepaid");
	if (again) {
		refill(c, o, approve_fields);
		view_set_str(o, "error", fl->error != NULL ? fl->error :
		    fl->f != NULL ? fl->f->error : NULL);
		if (fl->f != NULL && fl->f->errors != NULL)
			json_object_object_add(o, "errors",
			    json_object_get(fl->f->errors));
	}
	terms = view_get_str(o, "payment_terms");
	if ((a = cust_level_options(c, view_get_str(o, "level_id"), &n)) ==
	    NULL)
		return ERR_INTERNAL;
	json_object_object_add(o, "levels", a);
	view_set_bool(o, "has_levels", n > 0);
	if ((a = cust_owner_options(c, view_get_str(o, "owner_staff_id"),
	    0)) == NULL)
		return ERR_INTERNAL;
	json_object_object_add(o, "staff", a);
	json_object_object_add(o, "terms_options", cust_options(
	    cust_terms_opts, NELEM(cust_terms_opts), terms));
	view_set_bool(o, "monthly", strcmp(terms, "monthly") == 0);
	view_set_bool(o, "can_credit", session_staff_role(&c->d.sess,
	    CUSTOMER_ROLES_CREDIT));
	view_set_bool(o, "can_assign", scope_may_assign(&c->d));
	json_object_object_add(v, "approve", o);
	return 0;
}

static void
reject_view(struct ctx *c, const struct failed *fl, json_object *v)
{
	json_object	*o = json_object_new_object();

	if (fl->what != NULL && strcmp(fl->what, "reject") == 0) {
		refill(c, o, reject_fields);
		view_set_str(o, "error", fl->error != NULL ? fl->error :
		    fl->f != NULL && fl->f->errors != NULL ?
		    view_get_str(fl->f->errors, "reason") : NULL);
		view_set_bool(o, "open", 1);
	}
	view_set_i64(o, "max", DEALER_REASON_MAX);
	json_object_object_add(v, "reject", o);
}

/* The photo and its thumbnail by the staff-only route, never /uploads/. */
static json_object *
licence_view(struct ctx *c, const struct dealer_app *a)
{
	json_object	*o = json_object_new_object();

	view_set_str(o, "url", app_link(c, a->id, "/licence"));
	view_set_str(o, "thumb", app_link(c, a->id, "/licence?thumb=1"));
	view_set_i64(o, "width", a->licence_w);
	view_set_i64(o, "height", a->licence_h);
	if (a->licence_w > 0 && a->licence_h > 0)
		view_set_i64(o, "thumb_height", (a->licence_h * IMAGE_THUMB_W +
		    a->licence_w / 2) / a->licence_w);
	return o;
}

static json_object *
app_view(struct ctx *c, const struct dealer_app *a)
{
	json_object	*o = list_row(c, a);

	view_set_str(o, "address", *a->address ? a->address : NULL);
	view_set_str(o, "tax_id", *a->tax_id ? a->tax_id : NULL);
	view_set_str(o, "message", *a->message ? a->message : NULL);
	view_set_str(o, "reason", *a->reason ? a->reason : NULL);
	view_set_str(o, "reviewed", a->reviewed);
	view_set_str(o, "ip", a->ip);
	json_object_object_add(o, "licence", licence_view(c, a));
	if (a->customer_id != 0) {
		view_set_str(o, "customer_name", a->customer_name);
		view_set_str(o, "customer_url", ctx_link(c, arena_printf(
		    c->d.arena, "/admin/customers/%" PRId64, a->customer_id)));
	}
	view_set_str(o, "approve_action", app_link(c, a->id, "/approve"));
	view_set_str(o, "reject_action", app_link(c, a->id, "/reject"));
	return o;
}

static int
app_page(struct ctx *c, int64_t id, const struct failed *fl)
{
	struct dealer_app	 a;
	json_object		*v;
	const char		*done = kv_get(&c->query, "done");
	int			 rc;

	if ((rc = dealer_get(&c->d, id, &a)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "customers");
	json_object_object_add(v, "application", app_view(c, &a));
	view_set_bool(v, "can_review", a.status == DEALER_PENDING &&
	    session_staff_role(&c->d.sess, SIGNUP_ROLES_REVIEW));
	if (a.status == DEALER_PENDING) {
		if ((rc = approve_view(c, fl, v)) != 0)
			return http_fail(c, rc, NULL);
		reject_view(c, fl, v);
	} else	/* decided meanwhile: no form to show it beside */
		view_set_str(v, "refusal", fl->error);
	if (done != NULL && strcmp(done, "rejected") == 0)
		view_set_str(v, "flash", "已拒绝。申请人登录或打开申请链接时会"
		    "看到原因");
	view_set_str(v, "list_url", ctx_link(c, LIST));
	c->title = arena_printf(c->d.arena, "经销商申请 · %s", a.company);
	return render(c, "admin/dealer_application");
}

static int
h_signup_show(struct ctx *c)
{
	struct failed	fl = { NULL, NULL, NULL };
	int64_t		id = route_cap(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "申请不存在");
	return app_page(c, id, &fl);
}

/* A decision refused: JSON says why, the page comes back as typed. */
static int
refused(struct ctx *c, int64_t id, struct failed *fl, int rc)
{
	if (rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
		return http_fail(c, rc, c->d.error);
	if (c->json_out)
		return http_fail(c, rc, fl->error != NULL ? fl->error :
		    fl->f->error);
	c->status = err_status(rc);
	return app_page(c, id, fl);
}

static void
take(struct ctx *c, struct form *f, const struct field_errs *fe)
{
	int	i;

	for (i = 0; i < fe->n; i++)
		form_error(c, f, fe->v[i].name, fe->v[i].label, fe->v[i].why);
}

static int
h_signup_approve(struct ctx *c)
{
	struct dealer_approval	 in;
	struct field_errs	 fe;
	struct form		 f;
	struct failed		 fl = { "approve", &f, NULL };
	int64_t			 id = route_cap(c, 0), cid;
	int			 rc, already;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "申请不存在");
	memset(&fe, 0, sizeof(fe));
	if (form_parse(c, approve_fields, &f) == -1)
		return refused(c, id, &fl, ERR_INVALID);
	in.level_id = f.v[A_LEVEL].s;
	in.owner_staff_id = f.v[A_OWNER].s;
	in.terms = f.v[A_TERMS].s;
	in.days = f.v[A_DAYS].s;
	in.limit = f.v[A_LIMIT].s;
	rc = dealer_approve(&c->d, id, &in, &cid, &already, &fe);
	if (rc == ERR_INVALID) {
		take(c, &f, &fe);
		return refused(c, id, &fl, rc);
	}
	if (rc != 0) {
		fl.error = c->d.error;
		return refused(c, id, &fl, rc);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "?done=created", cid)));
}

static int
h_signup_reject(struct ctx *c)
{
	struct field_errs	 fe;
	struct form		 f;
	struct failed		 fl = { "reject", &f, NULL };
	int64_t			 id = route_cap(c, 0);
	int			 rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "申请不存在");
	memset(&fe, 0, sizeof(fe));
	if (form_parse(c, reject_fields, &f) == -1)
		return refused(c, id, &fl, ERR_INVALID);
	rc = dealer_reject(&c->d, id, f.v[0].s, &fe);
	if (rc == ERR_INVALID) {
		take(c, &f, &fe);
		return refused(c, id, &fl, rc);
	}
	if (rc != 0) {
		fl.error = c->d.error;
		return refused(c, id, &fl, rc);
	}
	return http_see_other(c, "%s", app_link(c, id, "?done=rejected"));
}

/* ---- the licence photo ---------------------------------------------- */

/*
 * GET …/{id}/licence[?thumb=1]: the photo (or its 400 px thumbnail) read
 * out by the worker, to the roles that read the application's page and
 * for the request's shop only (another's is 404). A staff session's
 * answer is already Cache-Control: private, no-store and nosniff
 * (response.c); the type is read from the bytes, which image_store wrote.
 * docs/architecture.md ("Uploaded files") says why not X-Accel-Redirect.
 */
static int
h_signup_licence(struct ctx *c)
{
	const char	*q = kv_get(&c->query, "thumb"), *type;
	int64_t		 id = route_cap(c, 0);
	int		 thumb = q != NULL && strcmp(q, "1") == 0, rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "申请不存在");
	c->body.len = 0;
	if ((rc = dealer_licence_read(&c->d, id, thumb, &c->body)) != 0) {
		c->body.len = 0;
		return http_fail(c, rc, c->d.error);
	}
	if ((type = image_type(c->body.p, c->body.len)) == NULL) {
		c->body.len = 0;
		clog_warnx(&c->d, "dealer licence: application=%" PRId64
		    " file is no image", id);
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->status = 200;
	c->ctype = arena_printf(c->d.arena, "image/%s", type);
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "inline; filename=\"licence-%" PRId64 "%s.%s\"", id, thumb ?
	    "-thumb" : "", strcmp(type, "jpeg") == 0 ? "jpg" : type));
	return c->status;
}

#define APP	"^/admin/customers/applications/([0-9]{1,18})"
#define W	(ROUTE_STAFF | ROUTE_CSRF)
const struct route h_admin_signup_routes[] = {
	{ "GET", "^/admin/customers/applications$", h_signup_list,
	  ROUTE_STAFF, ADMIN_ROLES_CUSTOMERS },
	{ "GET", APP "$", h_signup_show, ROUTE_STAFF, ADMIN_ROLES_CUSTOMERS },
	{ "GET", APP "/licence$", h_signup_licence, ROUTE_STAFF,
	  ADMIN_ROLES_CUSTOMERS },
	{ "POST", APP "/approve$", h_signup_approve, W, SIGNUP_ROLES_REVIEW },
	{ "POST", APP "/reject$", h_signup_reject, W, SIGNUP_ROLES_REVIEW },
	{ NULL, NULL, NULL, 0, NULL }
};
