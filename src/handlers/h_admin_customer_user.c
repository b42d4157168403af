/*
 * h_admin_customer_user.c -- the users section of a company's page: each
 * user's name, role and status (a user disabled or given another role is
 * logged out at once, domain/customer_user.c), and the one-time
 * invitations that let new people join (domain/invite.c).
 */
#include "base/base.h"
#include "http/http.h"
#include "domain/customer.h"
#include "domain/customer_user.h"
#include "domain/invite.h"
#include "handlers/h_customer.h"

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
	form_parse(c, only_status ? cust_status_fields : cust_user_fields, &f);
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
	if (form_parse(c, cust_invite_fields, &f) != 0)
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
