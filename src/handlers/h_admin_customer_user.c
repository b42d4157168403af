/*
 * h_admin_customer_user.c -- the users section of a company's page: each
 * user's name, role and status (a user disabled or given another role is
 * logged out at once, domain/customer_user.c), and the one-time
 * invitations that let new people join (domain/invite.c).
 */
#include "dinghuo.h"
#include "domain/customer.h"
#include "domain/customer_user.h"
#include "domain/invite.h"
#include "handlers/h_customer.h"

enum { U_NAME, U_ROLE, U_STATUS };
static const struct field user_fields[] = {
	[U_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 60, "姓名" },
	[U_ROLE] =	{ "role", FIELD_TEXT, FIELD_REQUIRED, 1, 10, "角色" },
	[U_STATUS] =	{ "status", FIELD_TEXT, FIELD_REQUIRED, 1, 10,
			  "状态" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field *const status_fields = &user_fields[U_STATUS];
static const struct field invite_fields[] = {
	{ "role", FIELD_TEXT, FIELD_REQUIRED, 1, 10, "角色" },
	{ NULL, 0, 0, 0, 0, NULL }
};

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
	cust_row_failed(c, p, o, "user", u->id, user_fields);
	json_object_object_add(o, "roles", cust_role_options(
	    view_get_str(o, "role")));
	json_object_object_add(o, "statuses", cust_status_options(
	    view_get_str(o, "status")));
	return o;
}

/* The company's users and its invitations not used yet. */
int
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
	cust_add_form(c, p, v, "invite", invite_fields);
	json_object_object_add(v, "invite_roles", cust_role_options(
	    cust_failed_here(p, "invite", 0) ? req_param(c, "role") :
	    "buyer"));
	return 0;
}

/* POST .../users/<uid> (name, role, status) and .../users/<uid>/status. */
int
h_cust_user_save(struct ctx *c)
{
	struct cpage			 p;
	struct form			 f;
	struct customer_user_input	 in;
	struct field_errs		 fe;
	int				 rc;
	int				 only_status = strstr(c->path,
					    "/status") != NULL;

	memset(&fe, 0, sizeof(fe));
	memset(&in, 0, sizeof(in));
	if ((rc = cust_path_company(c, &p, 1)) != 0)
		return http_fail(c, rc, p.error);
	p.failed = "user";
	form_parse(c, only_status ? status_fields : user_fields, &f);
	in.status = f.v[only_status ? 0 : U_STATUS].s;
	if (!only_status) {
		in.name = f.v[U_NAME].s;
		in.role = f.v[U_ROLE].s;
	}
	if (f.error != NULL)
		rc = customer_user_check(&c->d, &in, &fe);
	else
		rc = customer_user_update(&c->d, p.co.id, p.row, &in, &fe);
	return cust_form_end(c, &p, &f, &fe, rc, "saved", "users");
}

/*
 * Where the staff member sees the shop: the Origin their browser sent with
 * the form (csrf_check made sure it names this host; it keeps a port that
 * Host, as the web server passes it, has lost), else scheme and host.
 */
static const char *
site_origin(struct ctx *c)
{
	const char	*o = c->origin, *h;

	if (o != NULL && (strncmp(o, "http://", 7) == 0 ||
	    strncmp(o, "https://", 8) == 0)) {
		h = strstr(o, "://") + 3;
		if (*h != '\0' && strcspn(h, "/?#\"' <>") == strlen(h))
			return o;
	}
	return arena_printf(c->d.arena, "%s://%s", c->https ? "https" : "http",
	    c->host != NULL ? c->host : "");
}

/* POST .../invites: a one-time link, shown once and stored as a hash. */
int
h_cust_invite_new(struct ctx *c)
{
	struct cpage		 p;
	struct form		 f;
	struct field_errs	 fe;
	char			 token[INVITE_TOKEN_HEX + 1];
	int			 rc;

	memset(&fe, 0, sizeof(fe));
	if ((rc = cust_path_company(c, &p, 0)) != 0)
		return http_fail(c, rc, p.error);
	p.failed = "invite";
	p.f = &f;
	if (form_parse(c, invite_fields, &f) != 0)
		return cust_page_fail(c, &p, ERR_INVALID);
	if ((rc = invite_create(&c->d, p.co.id, f.v[0].s, token, &fe)) != 0) {
		cust_form_take(c, &f, &fe);
		p.error = rc == ERR_INVALID ? NULL : c->d.error;
		return cust_page_fail(c, &p, rc);
	}
	p.failed = NULL;
	p.f = NULL;
	p.invite_link = arena_printf(c->d.arena, "%s%s", site_origin(c),
	    ctx_link(c, arena_printf(c->d.arena, "/invite/%s", token)));
	return cust_page(c, &p);
}

int
h_cust_invite_revoke(struct ctx *c)
{
	struct cpage	p;
	int		rc;

	if ((rc = cust_path_company(c, &p, 1)) != 0)
		return http_fail(c, rc, p.error);
	if ((rc = invite_revoke(&c->d, p.co.id, p.row)) != 0)
		return http_fail(c, rc, c->d.error);
	return cust_done(c, p.co.id, "deleted", "users");
}
