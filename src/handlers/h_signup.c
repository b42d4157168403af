/*
 * h_signup.c -- 申请成为经销商: the storefront's form (company, contact,
 * mobile and the password the account will have, the business licence
 * photo, optional address, tax id and message), and the applicant's
 * status page behind the link the form answers with. A refused form
 * comes back as typed but for the passwords and the photo, with why
 * beside each field. Staff decide in the back office (h_admin_signup.c);
 * domain/dealer_apply.c checks, limits and stores.
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/customer.h"
#include "domain/dealer_application.h"
#include "handlers/h_signup.h"

enum { F_COMPANY, F_NAME, F_PHONE, F_PASSWORD, F_PASSWORD2, F_REGION,
	F_ADDRESS, F_TAX, F_MESSAGE };
static const struct field apply_fields[] = {
	[F_COMPANY] =	{ "company", FIELD_TEXT, FIELD_REQUIRED, 1, 100,
			  "公司名称" },
	[F_NAME] =	{ "contact_name", FIELD_TEXT, FIELD_REQUIRED, 1, 60,
			  "联系人" },
	[F_PHONE] =	{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0,
			  "手机号" },
	[F_PASSWORD] =	{ "password", FIELD_PASSWORD, FIELD_REQUIRED, 8, 128,
			  "密码" },
	[F_PASSWORD2] =	{ "password2", FIELD_PASSWORD, FIELD_REQUIRED, 1, 128,
			  "确认密码" },
	[F_REGION] =	{ "region", FIELD_TEXT, 0, 0, 100, "所在地区" },
	[F_ADDRESS] =	{ "address", FIELD_TEXT, 0, 0, 300, "详细地址" },
	[F_TAX] =	{ "tax_id", FIELD_TEXT, 0, 0, 40, "税号" },
	[F_MESSAGE] =	{ "message", FIELD_TEXT, 0, 0, 1000, "留言" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* Why the form came back, beyond its fields' errors. */
struct refused {
	int			 err;		/* 0: a fresh form */
	enum dealer_refusal	 why;
	int			 had_photo;	/* one must be chosen again */
};

static int
form_page(struct ctx *c, const struct form *f, const struct refused *r)
{
	json_object	*v = view_new(c);
	size_t		 i;

	for (i = 0; apply_fields[i].name != NULL; i++)
		if (apply_fields[i].type != FIELD_PASSWORD)
			view_set_str(v, apply_fields[i].name,
			    req_param(c, apply_fields[i].name));
	view_set_str(v, "action", ctx_link(c, "/dealer/apply"));
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	if (r->err != 0) {
		c->status = err_status(r->err);
		view_set_str(v, "error", r->err == ERR_INVALID ?
		    "请按提示修改后再提交" : c->d.error);
		view_set_bool(v, "has_account", r->why == DEALER_HAS_ACCOUNT);
		view_set_bool(v, "waiting", r->why == DEALER_WAITING);
		view_set_bool(v, "photo_again", r->had_photo);
	}
	view_set_i64(v, "password_min", 8);
	view_set_i64(v, "licence_max_mb", conf.max_upload / 1048576);
	c->title = "申请成为经销商";
	return render(c, "dealer_apply");
}

static int
h_signup_form(struct ctx *c)
{
	struct refused	r = { 0, DEALER_OK, 0 };

	if (c->d.sess.kind == SESS_CUSTOMER)
		return http_see_other(c, "%s", ctx_link(c, "/account"));
	return form_page(c, NULL, &r);
}

/* The domain's verdict on fields, named in the form like its own. */
static void
take(struct ctx *c, struct form *f, const struct field_errs *fe)
{
	int	i;

	for (i = 0; i < fe->n; i++)
		form_error(c, f, fe->v[i].name, fe->v[i].label, fe->v[i].why);
}

/* A refused post: JSON says why; the page shows the form again. */
static int
refuse(struct ctx *c, struct form *f, const struct field_errs *fe,
    struct refused *r)
{
	take(c, f, fe);
	clog_info(&c->d, "dealer apply refused status=%d why=%s",
	    err_status(r->err), r->err == ERR_INVALID ? f->error : c->d.error);
	if (c->json_out)
		return http_fail(c, r->err, r->err == ERR_INVALID ? f->error :
		    c->d.error);
	return form_page(c, f, r);
}

static void
input_of(struct ctx *c, const struct form *f, struct dealer_input *in)
{
	const struct upload	*u = admin_upload(c, "licence");

	memset(in, 0, sizeof(*in));
	in->company = f->v[F_COMPANY].s;
	in->contact_name = f->v[F_NAME].s;
	in->phone = f->v[F_PHONE].s;
	in->password = f->v[F_PASSWORD].s;
	in->region = f->v[F_REGION].s;
	in->address = f->v[F_ADDRESS].s;
	in->tax_id = f->v[F_TAX].s;
	in->message = f->v[F_MESSAGE].s;
	if (u != NULL && u->len > 0) {
		in->licence = u->data;
		in->licence_len = u->len;
	}
}

static int
h_signup_post(struct ctx *c)
{
	struct dealer_input	 in;
	struct field_errs	 fe;
	struct form		 f;
	struct refused		 r = { ERR_INVALID, DEALER_OK, 0 };
	char			 token[DEALER_TOKEN_HEX + 1];
	int64_t			 id;

	memset(&fe, 0, sizeof(fe));
	form_parse(c, apply_fields, &f);
	if (f.v[F_PASSWORD].present && f.v[F_PASSWORD2].present &&
	    strcmp(f.v[F_PASSWORD].s, f.v[F_PASSWORD2].s) != 0)
		form_error(c, &f, "password2", "确认密码",
		    "两次输入的密码不一致");
	input_of(c, &f, &in);
	r.had_photo = in.licence != NULL;
	if (f.error != NULL) {
		/* Every field's fault at once, the photo's too. */
		dealer_check(&c->d, &in, &fe);
		return refuse(c, &f, &fe, &r);
	}
	r.err = dealer_apply(&c->d, &in, token, &id, &r.why, &fe);
	if (r.err == ERR_INTERNAL)
		return http_fail(c, r.err, NULL);
	if (r.err != 0)
		return refuse(c, &f, &fe, &r);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/dealer/apply/%s", token)));
}

/* "13812345678" as "138****5678": the link may be passed on. */
static const char *
masked(struct ctx *c, const char *phone)
{
	size_t	n = strlen(phone);

	if (n < 8)
		return phone;
	return arena_printf(c->d.arena, "%.3s****%s", phone, phone + n - 4);
}

static int
h_signup_status(struct ctx *c)
{
	struct dealer_app	 a;
	json_object		*v;
	int			 rc;

	if ((rc = dealer_by_token(&c->d, c->m.cap[0], &a)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	view_set_str(v, "company", a.company);
	view_set_str(v, "contact_name", a.contact_name);
	view_set_str(v, "phone", masked(c, a.phone));
	view_set_str(v, "created", a.created);
	view_set_str(v, "reviewed", a.reviewed);
	view_set_str(v, "state", dealer_status_name(a.status));
	view_set_bool(v, "pending", a.status == DEALER_PENDING);
	view_set_bool(v, "approved", a.status == DEALER_APPROVED);
	view_set_bool(v, "rejected", a.status == DEALER_REJECTED);
	view_set_str(v, "reason", a.status == DEALER_REJECTED ? a.reason :
	    NULL);
	view_set_str(v, "login_url", ctx_link(c, "/login"));
	view_set_str(v, "apply_url", ctx_link(c, "/dealer/apply"));
	c->title = a.status == DEALER_PENDING ? "申请已提交" :
	    a.status == DEALER_APPROVED ? "申请已通过" : "申请未通过";
	return render(c, "dealer_status");
}

const struct route h_signup_routes[] = {
	{ "GET", "^/dealer/apply$", h_signup_form, 0, NULL },
	{ "POST", "^/dealer/apply$", h_signup_post, ROUTE_CSRF, NULL },
	{ "GET", "^/dealer/apply/([0-9a-f]{64})$", h_signup_status, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
