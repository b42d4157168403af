/*
 * h_invite.c -- joining a customer company through the one-time link staff
 * made on the company's page (h_admin_customer_user.c): the page names the
 * company, the form makes the person's account, uses the link up and logs
 * them in (domain/invite.c). Another shop's link is unknown.
 */
#include "base/base.h"
#include "domain/auth.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/customer.h"
#include "domain/invite.h"
#include "handlers/h_customer.h"

enum { J_NAME, J_PHONE, J_PASSWORD, J_PASSWORD2 };
static const struct field join_fields[] = {
	[J_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 60, "姓名" },
	[J_PHONE] =	{ "phone", FIELD_PHONE, FIELD_REQUIRED, 0, 0,
			  "手机号" },
	[J_PASSWORD] =	{ "password", FIELD_PASSWORD, FIELD_REQUIRED, 8, 128,
			  "密码" },
	[J_PASSWORD2] =	{ "password2", FIELD_PASSWORD, FIELD_REQUIRED, 1, 128,
			  "确认密码" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* The link cannot be used: 404 when unknown, 410 when it was once good. */
static int
gone_page(struct ctx *c, const struct invite *inv)
{
	int		 status = inv->gone == INVITE_UNKNOWN ? 404 : 410;
	const char	*msg = c->d.error;
	json_object	*v;

	clog_info(&c->d, "invite: link not usable status=%d", status);
	if (c->json_out)
		return http_fail(c, ERR_NOT_FOUND, msg);
	v = view_new(c);
	view_set_i64(v, "status", status);
	view_set_str(v, "message", msg);
	c->status = status;
	c->title = "邀请链接不可用";
	return render(c, "invite_gone");
}

static int
form_page(struct ctx *c, const struct invite *inv, const struct form *f)
{
	json_object	*v = view_new(c);

	view_set_str(v, "company", inv->company);
	view_set_str(v, "role_label", role_label(inv->role));
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/invite/%s", c->m.cap[0])));
	view_set_str(v, "error", f != NULL ? f->error : NULL);
	view_set_str(v, "name", req_param(c, "name"));
	view_set_str(v, "phone", req_param(c, "phone"));
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors",
		    json_object_get(f->errors));
	c->title = "加入公司账户";
	return render(c, "invite");
}

/* The form again, with why it failed (400, or 409 for a phone taken). */
static int
form_failed(struct ctx *c, const struct invite *inv, const struct form *f,
    int err)
{
	c->status = err_status(err);
	if (c->json_out)
		return http_fail(c, err, f->error);
	return form_page(c, inv, f);
}

static int
h_invite_form(struct ctx *c)
{
	struct invite	inv;
	int		rc;

	if ((rc = invite_find(&c->d, c->m.cap[0], &inv)) == ERR_NOT_FOUND)
		return gone_page(c, &inv);
	if (rc != 0)
		return http_fail(c, rc, NULL);
	return form_page(c, &inv, NULL);
}

static int
h_invite_join(struct ctx *c)
{
	struct invite		 inv;
	struct invite_join	 in;
	struct form		 f;
	struct field_errs	 fe;
	int64_t			 user_id;
	char			*token;
	int			 rc;

	memset(&fe, 0, sizeof(fe));
	if ((rc = invite_find(&c->d, c->m.cap[0], &inv)) == ERR_NOT_FOUND)
		return gone_page(c, &inv);
	if (rc != 0)
		return http_fail(c, rc, NULL);
	if (form_parse(c, join_fields, &f) == 0 &&
	    strcmp(f.v[J_PASSWORD].s, f.v[J_PASSWORD2].s) != 0)
		form_error(c, &f, "password2", "确认密码",
		    "两次输入的密码不一致");
	if (f.error != NULL)
		return form_failed(c, &inv, &f, ERR_INVALID);
	in.name = f.v[J_NAME].s;
	in.phone = f.v[J_PHONE].s;
	in.password = f.v[J_PASSWORD].s;
	rc = invite_use(&c->d, c->m.cap[0], &in, &inv, &user_id, &fe);
	if (rc == ERR_NOT_FOUND)
		return gone_page(c, &inv);
	if (rc == ERR_INVALID || rc == ERR_CONFLICT) {
		cust_form_take(c, &f, &fe);
		return form_failed(c, &inv, &f, rc);
	}
	if (rc != 0)
		return http_fail(c, rc, NULL);
	/* Whoever was logged in on this browser is not any more. */
	if (c->d.sess.kind != SESS_NONE && session_destroy(&c->d) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (session_create(&c->d, SESS_CUSTOMER, user_id, 0, &token) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	session_cookie(c, token);
	return http_see_other(c, "%s", ctx_link(c, "/account"));
}

const struct route h_invite_routes[] = {
	{ "GET", "^/invite/([^/]{1,200})$", h_invite_form, 0, NULL },
	{ "POST", "^/invite/([^/]{1,200})$", h_invite_join, ROUTE_CSRF,
	  NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
