/*
 * h_admin_customer_form.c -- what the customer page and its posts share:
 * the forms' field tables, the options of their selects, what was typed
 * into a form that failed, the company of the path, and the way back to
 * the page after a save.
 */
#include "base/base.h"
#include "domain/auth.h"
#include "http/http.h"
#include "domain/customer.h"
#include "handlers/h_customer.h"

static const char *const user_roles[][2] = {
	{ "buyer", "采购" }, { "approver", "审批" }, { "finance", "财务" },
};
static const char *const statuses[][2] = {
	{ "active", "正常" }, { "disabled", "停用" },
};

const struct field cust_company_fields[] = {
	[C_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 100,
			  "公司名称" },
	[C_LEVEL] =	{ "level_id", FIELD_TEXT, 0, 0, 20, "会员等级" },
	[C_OWNER] =	{ "owner_staff_id", FIELD_TEXT, 0, 0, 20, "负责销售" },
	[C_TAGS] =	{ "tags", FIELD_TEXT, 0, 0, 600, "标签" },
	[C_TAX] =	{ "tax_id", FIELD_TEXT, 0, 0, 40, "税号" },
	[C_CNAME] =	{ "contact_name", FIELD_TEXT, 0, 0, 60, "联系人" },
	[C_CPHONE] =	{ "contact_phone", FIELD_TEXT, 0, 0, 20, "联系电话" },
	[C_STATUS] =	{ "status", FIELD_TEXT, 0, 0, 10, "状态" },
	[C_TERMS] =	{ "payment_terms", FIELD_TEXT, 0, 0, 10, "结算方式" },
	[C_DAYS] =	{ "credit_days", FIELD_TEXT, 0, 0, 10, "账期天数" },
	[C_LIMIT] =	{ "credit_limit", FIELD_TEXT, 0, 0, 20, "信用额度" },
	{ NULL, 0, 0, 0, 0, NULL }
};
/* The credit form: the last three of the above on their own. */
const struct field *const cust_credit_fields = &cust_company_fields[C_TERMS];

const struct field cust_user_fields[] = {
	[U_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 60, "姓名" },
	[U_ROLE] =	{ "role", FIELD_TEXT, FIELD_REQUIRED, 1, 10, "角色" },
	[U_STATUS] =	{ "status", FIELD_TEXT, FIELD_REQUIRED, 1, 10,
			  "状态" },
	{ NULL, 0, 0, 0, 0, NULL }
};
const struct field *const cust_status_fields = &cust_user_fields[U_STATUS];
const struct field cust_invite_fields[] = {
	{ "role", FIELD_TEXT, FIELD_REQUIRED, 1, 10, "角色" },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field cust_address_fields[] = {
	[A_RECEIVER] =	{ "receiver", FIELD_TEXT, FIELD_REQUIRED, 1, 60,
			  "收货人" },
	[A_PHONE] =	{ "phone", FIELD_TEXT, FIELD_REQUIRED, 1, 20,
			  "联系电话" },
	[A_REGION] =	{ "region", FIELD_TEXT, 0, 0, 100, "所在地区" },
	[A_ADDRESS] =	{ "address", FIELD_TEXT, FIELD_REQUIRED, 1, 300,
			  "详细地址" },
	[A_DEFAULT] =	{ "is_default", FIELD_BOOL, 0, 0, 0, "默认地址" },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field cust_invoice_fields[] = {
	[V_KIND] =	{ "kind", FIELD_TEXT, FIELD_REQUIRED, 1, 10,
			  "发票类型" },
	[V_TITLE] =	{ "title", FIELD_TEXT, FIELD_REQUIRED, 1, 100,
			  "发票抬头" },
	[V_TAX] =	{ "tax_id", FIELD_TEXT, FIELD_REQUIRED, 1, 40, "税号" },
	[V_BANK] =	{ "bank_name", FIELD_TEXT, 0, 0, 100, "开户银行" },
	[V_ACCOUNT] =	{ "bank_account", FIELD_TEXT, 0, 0, 40, "银行账号" },
	[V_ADDRESS] =	{ "address", FIELD_TEXT, 0, 0, 200, "注册地址" },
	[V_PHONE] =	{ "phone", FIELD_TEXT, 0, 0, 30, "注册电话" },
	{ NULL, 0, 0, 0, 0, NULL }
};
const char *const cust_invoice_kinds[][2] = {
	{ "normal", "增值税普通发票（普票）" },
	{ "special", "增值税专用发票（专票）" },
};

const struct field cust_contract_fields[] = {
	[P_SKU] =	{ "sku_code", FIELD_TEXT, FIELD_REQUIRED, 1, 64,
			  "SKU 编码" },
	[P_BINDING] =	{ "binding", FIELD_BOOL, 0, 0, 0, "绑定价" },
	[P_PRICE] =	{ "price", FIELD_MONEY, FIELD_REQUIRED, 0,
			  CUSTOMER_MONEY_MAX_FEN, "合同价" },
	{ NULL, 0, 0, 0, 0, NULL }
};
const struct field *const cust_contract_edit_fields =
    &cust_contract_fields[P_PRICE];


const char *const cust_terms_opts[][2] = {
	{ "prepaid", "预付款（先款后货）" }, { "monthly", "月结" },
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

/* An id or a count as a form shows it: "" for 0 (none). */
const char *
cust_num_text(struct ctx *c, int64_t n)
{
	return n != 0 ? arena_printf(c->d.arena, "%" PRId64, n) : "";
}

/* The shop's member levels for a <select>; NULL on a database error. */
json_object *
cust_level_options(struct ctx *c, const char *sel, int *n)
{
	struct level_option	*l;
	json_object		*a, *o;
	int			 i;

	if (company_level_options(&c->d, &l, n) != 0)
		return NULL;
	a = json_object_new_array();
	for (i = 0; i < *n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", l[i].id);
		view_set_str(o, "name", l[i].name);
		view_set_bool(o, "selected", strcmp(sel, cust_num_text(c,
		    l[i].id)) == 0);
		json_object_array_add(a, o);
	}
	return a;
}

/* Staff who may own a company, and keep (who owns it now) in any case. */
json_object *
cust_owner_options(struct ctx *c, const char *sel, int64_t keep)
{
	struct owner_option	*s;
	json_object		*a, *o;
	int			 i, n;

	if (company_owner_options(&c->d, keep, &s, &n) != 0)
		return NULL;
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", s[i].id);
		view_set_str(o, "name", s[i].name);
		view_set_str(o, "role_label", s[i].active ?
		    role_label(s[i].role) : "已离职");
		view_set_bool(o, "selected", strcmp(sel, cust_num_text(c,
		    s[i].id)) == 0);
		json_object_array_add(a, o);
	}
	return a;
}
