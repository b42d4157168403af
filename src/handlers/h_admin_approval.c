/*
 * h_admin_approval.c -- the back office's side of approvals and release
 * (docs/orders.md, "Approval and release"): a company's approval rule
 * (/admin/customers/<id>/approval: owner, admin, the salesperson who owns
 * the company) and the shop's release hours (/admin/settings/orders:
 * owner, admin). Small forms of their own, linked from the company page
 * and the settings page. The rules are approval.c's.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/approval.h"

#define RULE_ROLES	"owner,admin,sales"
#define ABOVE_MAX_FEN	100000000000LL	/* ¥10 亿 */

static int
rule_page(struct ctx *c, int64_t id, const struct approval_rule *typed,
    const char *error, int status)
{
	struct approval_rule	 r;
	json_object		*v, *modes, *o;
	const char		*may;
	int			 i, rc;

	if ((rc = approval_rule_get(&c->d, id, &r, &may)) != 0)
		return http_fail(c, rc, c->d.error);
	if (typed != NULL)
		r = *typed;
	v = admin_view(c, "customers");
	modes = json_object_new_array();
	for (i = 0; i < APPROVAL_NMODES; i++) {
		o = json_object_new_object();
		view_set_str(o, "value", approval_mode_name(i));
		view_set_str(o, "label", approval_mode_label(i));
		view_set_bool(o, "checked", (int)r.mode == i);
		json_object_array_add(modes, o);
	}
	json_object_object_add(v, "modes", modes);
	view_set_str(v, "mode", approval_mode_name(r.mode));
	view_set_str(v, "mode_label", approval_mode_label(r.mode));
	view_set_str(v, "above", r.mode == APPROVAL_ABOVE ?
	    fmt_yuan(c->d.arena, r.above_fen) : "");
	view_set_i64(v, "above_fen", r.above_fen);
	view_set_bool(v, "may_edit", *may == '\0');
	view_set_str(v, "readonly_why", *may ? may : NULL);
	view_set_str(v, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "/approval", id)));
	view_set_str(v, "customer_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64, id)));
	view_set_str(v, "error", error);
	if (kv_get(&c->query, "saved") != NULL)
		view_set_str(v, "flash", "审批规则已保存");
	c->title = "订单审批规则";
	if (status != 0)
		c->status = status;
	return render(c, "admin/customer_approval");
}

static int
h_rule_show(struct ctx *c)
{
	return rule_page(c, route_cap(c, 0), NULL, NULL, 0);
}

enum { F_MODE, F_ABOVE };
static const struct field rule_fields[] = {
	[F_MODE] =	{ "mode", FIELD_TEXT, FIELD_REQUIRED, 1, 20,
			  "审批规则" },
	[F_ABOVE] =	{ "above", FIELD_MONEY, 0, 0, ABOVE_MAX_FEN,
			  "审批金额" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_rule_save(struct ctx *c)
{
	struct approval_rule	r;
	struct form		f;
	int64_t			id = route_cap(c, 0);
	int			rc;

	/* Another's company is not found before its form is read. */
	if ((rc = approval_rule_get(&c->d, id, &r, NULL)) != 0)
		return http_fail(c, rc, c->d.error);
	memset(&r, 0, sizeof(r));
	if (form_parse(c, rule_fields, &f) == -1)
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    rule_page(c, id, NULL, f.error, 400);
	if (approval_mode_parse(f.v[F_MODE].s, &r.mode) == -1)
		return c->json_out ? http_fail(c, ERR_INVALID, "审批规则无效") :
		    rule_page(c, id, NULL, "审批规则无效", 400);
	if (r.mode == APPROVAL_ABOVE && !f.v[F_ABOVE].present)
		return c->json_out ? http_fail(c, ERR_INVALID,
		    "请填写需要审批的订单金额") : rule_page(c, id, &r,
		    "请填写需要审批的订单金额", 400);
	r.above_fen = f.v[F_ABOVE].i64;
	if ((rc = approval_rule_save(&c->d, id, &r)) != 0) {
		if (c->json_out || rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
			return http_fail(c, rc, c->d.error);
		return rule_page(c, id, NULL, c->d.error, err_status(rc));
	}
	if (c->json_out) {
		view_new(c);
		view_set_str(c->view, "mode", approval_mode_name(r.mode));
		view_set_i64(c->view, "above_fen", r.mode == APPROVAL_ABOVE ?
		    r.above_fen : 0);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "/approval?saved=1", id)));
}

static int
hours_page(struct ctx *c, const char *error, int status)
{
	struct release_hours	 h;
	json_object		*v;
	int			 rc;

	if ((rc = release_hours_get(&c->d, &h)) != 0)
		return http_fail(c, rc, c->d.error);
	v = admin_view(c, "settings");
	if (error != NULL) {
		view_set_str(v, "unapproved", req_param(c,
		    "release_unapproved_hours"));
		view_set_str(v, "unconfirmed", req_param(c,
		    "release_unconfirmed_hours"));
	} else {
		view_set_i64(v, "unapproved", h.unapproved);
		view_set_i64(v, "unconfirmed", h.unconfirmed);
	}
	view_set_i64(v, "hours_max", RELEASE_HOURS_MAX);
	view_set_str(v, "action", ctx_link(c, "/admin/settings/orders"));
	view_set_str(v, "settings_url", ctx_link(c, "/admin/settings"));
	view_set_str(v, "error", error);
	if (kv_get(&c->query, "saved") != NULL)
		view_set_str(v, "flash", "订单自动取消规则已保存");
	c->title = "订单自动取消";
	if (status != 0)
		c->status = status;
	return render(c, "admin/settings_orders");
}

static int
h_hours_show(struct ctx *c)
{
	return hours_page(c, NULL, 0);
}

enum { F_UNAPPROVED, F_UNCONFIRMED };
static const struct field hours_fields[] = {
	[F_UNAPPROVED] = { "release_unapproved_hours", FIELD_INT,
			  FIELD_REQUIRED, 0, RELEASE_HOURS_MAX,
			  "未审批订单自动取消（小时）" },
	[F_UNCONFIRMED] = { "release_unconfirmed_hours", FIELD_INT,
			  FIELD_REQUIRED, 0, RELEASE_HOURS_MAX,
			  "未确认订单自动取消（小时）" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static int
h_hours_save(struct ctx *c)
{
	struct release_hours	h;
	struct form		f;
	int			rc;

	if (form_parse(c, hours_fields, &f) == -1)
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    hours_page(c, f.error, 400);
	h.unapproved = f.v[F_UNAPPROVED].i64;
	h.unconfirmed = f.v[F_UNCONFIRMED].i64;
	if ((rc = release_hours_save(&c->d, &h)) != 0) {
		if (c->json_out || rc == ERR_INTERNAL)
			return http_fail(c, rc, c->d.error);
		return hours_page(c, c->d.error, err_status(rc));
	}
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "release_unapproved_hours", h.unapproved);
		view_set_i64(c->view, "release_unconfirmed_hours",
		    h.unconfirmed);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/settings/orders?saved=1"));
}

const struct route h_admin_approval_routes[] = {
	{ "GET", "^/admin/customers/([0-9]{1,18})/approval$", h_rule_show,
	  ROUTE_STAFF, ADMIN_ROLES_CUSTOMERS },
	{ "POST", "^/admin/customers/([0-9]{1,18})/approval$", h_rule_save,
	  ROUTE_STAFF | ROUTE_CSRF, RULE_ROLES },
	{ "GET", "^/admin/settings/orders$", h_hours_show, ROUTE_STAFF,
	  ADMIN_ROLES_SETTINGS },
	{ "POST", "^/admin/settings/orders$", h_hours_save,
	  ROUTE_STAFF | ROUTE_CSRF, ADMIN_ROLES_SETTINGS },
	{ NULL, NULL, NULL, 0, NULL }
};
