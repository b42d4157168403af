/*
 * h_admin_customer.c -- the back office's customer companies: the list
 * with search and filters; the company form (level, salesperson, tags,
 * payment terms, status); and on a company's page its users and one-time
 * invitations, addresses, invoice profiles and contract prices. Sales
 * edit companies but not credit terms, finance only credit terms. Every
 * write is one transaction with its audit row; contract prices and level
 * changes bump shop.version so every worker's price cache reloads.
 */
#include "dinghuo.h"
#include "domain/product.h"

#define ROLES_READ	"owner,admin,sales,finance,service"
#define ROLES_WRITE	"owner,admin,sales"
#define ROLES_CREDIT	"owner,admin,finance"
#define PER_PAGE	30
#define TAG_CHARS	20		/* characters in a tag */
#define TAGS_MAX	20		/* tags on a company */
#define MONEY_MAX_FEN	INT64_C(100000000000)	/* one billion yuan */
#define INVITE_BYTES	32

static const char *const user_roles[][2] = {
	{ "buyer", "采购" }, { "approver", "审批" }, { "finance", "财务" },
};
static const char *const staff_roles[][2] = {
	{ "owner", "店主" }, { "admin", "管理员" }, { "sales", "销售" },
};

static const char *
label_of(const char *const (*t)[2], size_t n, const char *v)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++)
		if (strcmp(t[i][0], v) == 0)
			return t[i][1];
	return NULL;
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define USER_ROLE(v)	label_of(user_roles, NELEM(user_roles), (v))
#define STAFF_ROLE(v)	label_of(staff_roles, NELEM(staff_roles), (v))
#define OPTIONS(t, sel)	options((t), NELEM(t), (sel))


static const char *
id_or_null(struct dctx *c, int64_t id)
{
	return id != 0 ? arena_printf(c->arena, "%" PRId64, id) : NULL;
}


/* An array of {value, label, selected} for a <select>. */
static json_object *
options(const char *const (*t)[2], size_t n, const char *sel)
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

/* The failing form's own values, as typed, over what the database says. */
static void
refill(struct ctx *c, json_object *o, const struct field *fields)
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

static int
has_error(const struct form *f, const char *name)
{
	return f->errors != NULL &&
	    json_object_object_get_ex(f->errors, name, NULL);
}

/* ---- checks the field table cannot express ------------------------ */

static int
is_space_at(const char *p)
{
	if (isspace((unsigned char)*p))
		return 1;
	return strncmp(p, "\u3000", 3) == 0 ? 3 : 0;	/* ideographic */
}

/* s[0..n) without spaces at either end, in the arena. */
static char *
trim(struct arena *a, const char *s, size_t n)
{
	int	k;

	while (n > 0 && (k = is_space_at(s)) != 0 && (size_t)k <= n) {
		s += k;
		n -= k;
	}
	for (;;) {
		if (n >= 1 && isspace((unsigned char)s[n - 1]))
			n--;
		else if (n >= 3 && strncmp(s + n - 3, "\u3000", 3) == 0)
			n -= 3;
		else
			break;
	}
	return arena_strndup(a, s, n);
}


static size_t
tag_sep(const char *p)
{
	static const char *const seps[] = { ",", "\uff0c", "\u3001", ";",
	    "\uff1b" };
	size_t	i, n;

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
		if (strncmp(p, seps[i], n = strlen(seps[i])) == 0)
			return n;
	return 0;
}

/*
 * "华东, 重点，华东" -> "华东,重点": split on commas (ASCII or full
 * width), 、 and semicolons, trim, drop empty and repeated tags.
 */
static char *
tags_normalize(struct ctx *c, const char *in, const char **why)
{
	char		*tags[TAGS_MAX], *t;
	const char	*start = in, *p = in;
	struct buf	 out;
	size_t		 k = 0;
	int		 i, n = 0, end;

	*why = NULL;
	for (;;) {
		end = *p == '\0';
		if (!end && (k = tag_sep(p)) == 0) {
			p++;
			continue;
		}
		t = trim(c->d.arena, start, p - start);
		for (i = 0; i < n && *t != '\0'; i++)
			if (strcmp(tags[i], t) == 0)
				break;
		if (*t != '\0' && i == n) {
			if (utf8_len(t) > TAG_CHARS)
				*why = "每个标签最多 20 个字";
			else if (n == TAGS_MAX)
				*why = "最多 20 个标签";
			else
				tags[n++] = t;
		}
		if (end || *why != NULL)
			break;
		p += k;
		start = p;
	}
	if (*why != NULL)
		return NULL;
	buf_init(&out, 64);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&out, ',');
		buf_adds(&out, tags[i]);
	}
	t = arena_strdup(c->d.arena, buf_cstr(&out));
	buf_free(&out);
	return t;
}

/* Unified social credit code (18) or an older tax number (15-20). */
static char *
tax_id_normalize(struct ctx *c, const char *s, const char **why)
{
	char	*o = arena_alloc(c->d.arena, strlen(s) + 1), *q = o;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		if (!isalnum((unsigned char)*s)) {
			*why = "只能包含字母和数字";
			return NULL;
		}
		*q++ = (char)toupper((unsigned char)*s);
	}
	*q = '\0';
	if (q - o < 15 || q - o > 20) {
		*why = "应为 15 到 20 位（统一社会信用代码为 18 位）";
		return NULL;
	}
	return o;
}

/* A mobile or landline number as people write it: "021-6123 4567". */
static int
tel_ok(const char *s)
{
	int	digits = 0;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (strchr("+-() ", *s) == NULL)
			return 0;
	}
	return digits >= 7 && digits <= 20;
}

static int
one_of(const char *s, const char *a, const char *b)
{
	return s != NULL && (strcmp(s, a) == 0 || strcmp(s, b) == 0);
}

static int
user_role_ok(const char *s)
{
	return USER_ROLE(s) != NULL;
}

/* ---- the company -------------------------------------------------- */

struct company {
	int64_t		 id;		/* 0: not stored yet */
	const char	*name;
	int64_t		 level_id;	/* 0: none */
	int64_t		 owner_id;	/* 0: none */
	const char	*tags;
	const char	*tax_id;
	const char	*contact_name;
	const char	*contact_phone;
	const char	*status;
	const char	*terms;
	int64_t		 days;
	int64_t		 limit_fen;
};

static const char sql_company[] =
    "SELECT id, name, COALESCE(level_id, 0), COALESCE(owner_staff_id, 0), "
    "tags, tax_id, contact_name, contact_phone, status, payment_terms, "
    "credit_days, credit_limit_fen FROM customer WHERE id = ? AND shop_id = ?";
static const char sql_company_lock[] =
    "SELECT id, name, COALESCE(level_id, 0), COALESCE(owner_staff_id, 0), "
    "tags, tax_id, contact_name, contact_phone, status, payment_terms, "
    "credit_days, credit_limit_fen FROM customer WHERE id = ? AND shop_id = ? "
    "FOR UPDATE";

static void
company_defaults(struct company *co)
{
	memset(co, 0, sizeof(*co));
	co->name = co->tags = co->tax_id = "";
	co->contact_name = co->contact_phone = "";
	co->status = "active";
	co->terms = "prepaid";
}

/* A company of the request's shop: 0, ERR_NOT_FOUND or ERR_INTERNAL. */
static int
company_load(struct dctx *c, int64_t id, int lock, struct company *co)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, lock ? sql_company_lock : sql_company, "ii",
	    id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "客户不存在";
		return ERR_NOT_FOUND;
	}
	co->id = db_cell_i64(r, 0, 0);
	co->name = db_cell(r, 0, 1);
	co->level_id = db_cell_i64(r, 0, 2);
	co->owner_id = db_cell_i64(r, 0, 3);
	co->tags = db_cell(r, 0, 4);
	co->tax_id = db_cell(r, 0, 5);
	co->contact_name = db_cell(r, 0, 6);
	co->contact_phone = db_cell(r, 0, 7);
	co->status = db_cell(r, 0, 8);
	co->terms = db_cell(r, 0, 9);
	co->days = db_cell_i64(r, 0, 10);
	co->limit_fen = db_cell_i64(r, 0, 11);
	return 0;
}

/* The page of one company, or of a new one; after a failed form too. */
struct cpage {
	struct company	 co;		/* as stored; id 0: a new company */
	const char	*failed;	/* the form that failed, or NULL */
	int64_t		 row;		/* its row; 0: an add form */
	struct form	*f;
	const char	*error;		/* a conflict, not a field */
	const char	*invite_link;	/* shown once, after it was made */
};

static int
failed_here(const struct cpage *p, const char *what, int64_t row)
{
	return p->failed != NULL && strcmp(p->failed, what) == 0 &&
	    p->row == row;
}

static const char *
failure(const struct cpage *p)
{
	return p->error != NULL ? p->error : p->f != NULL ? p->f->error : NULL;
}

enum { C_NAME, C_LEVEL, C_OWNER, C_TAGS, C_TAX, C_CNAME, C_CPHONE, C_STATUS,
	C_TERMS, C_DAYS, C_LIMIT };
static const struct field company_fields[] = {
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
static const struct field *const credit_fields = &company_fields[C_TERMS];

static const char sql_level_options[] =
    "SELECT id, name FROM member_level WHERE shop_id = ? "
    "ORDER BY rank_no, id";
static const char sql_staff_options[] =
    "SELECT id, name, role, status FROM staff WHERE shop_id = ? AND "
    "((status = 'active' AND role IN ('owner', 'admin', 'sales')) OR id = ?) "
    "ORDER BY role = 'sales' DESC, name, id";

static json_object *
level_options(struct ctx *c, const char *sel, int *n)
{
	struct db_res	*r;
	json_object	*a = json_object_new_array(), *o;
	int		 i;

	*n = 0;
	if (db_run(c->d.arena, &r, sql_level_options, "i", c->d.shop->id) == -1) {
		json_object_put(a);
		return NULL;
	}
	for (i = 0; i < r->nrows; i++) {
		o = json_object_new_object();
		view_set_str(o, "id", db_cell(r, i, 0));
		view_set_str(o, "name", db_cell(r, i, 1));
		view_set_bool(o, "selected",
		    strcmp(sel, db_cell(r, i, 0)) == 0);
		json_object_array_add(a, o);
	}
	*n = r->nrows;
	return a;
}

static json_object *
staff_options(struct ctx *c, const char *sel, int64_t keep)
{
	struct db_res	*r;
	json_object	*a = json_object_new_array(), *o;
	const char	*role;
	int		 i;

	if (db_run(c->d.arena, &r, sql_staff_options, "ii", c->d.shop->id,
	    keep) == -1) {
		json_object_put(a);
		return NULL;
	}
	for (i = 0; i < r->nrows; i++) {
		o = json_object_new_object();
		role = STAFF_ROLE(db_cell(r, i, 2));
		view_set_str(o, "id", db_cell(r, i, 0));
		view_set_str(o, "name", db_cell(r, i, 1));
		view_set_str(o, "role_label", strcmp(db_cell(r, i, 3),
		    "active") != 0 ? "已离职" : role ? role : "员工");
		view_set_bool(o, "selected",
		    strcmp(sel, db_cell(r, i, 0)) == 0);
		json_object_array_add(a, o);
	}
	return a;
}

static const char *const terms_opts[][2] = {
	{ "prepaid", "预付款（先款后货）" }, { "monthly", "月结" },
};
static const char *const status_opts[][2] = {
	{ "active", "正常" }, { "disabled", "停用" },
};

/* The company form's values and its selects. 0 or ERR_INTERNAL. */
static int
company_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	const struct company	*co = &p->co;
	json_object		*o = json_object_new_object(), *a;
	const char		*terms;
	int			 nlevels;

	json_object_object_add(v, "company", o);
	view_set_i64(o, "id", co->id);
	view_set_str(o, "name", co->name);
	view_set_str(o, "level_id", co->level_id ? arena_printf(c->d.arena,
	    "%" PRId64, co->level_id) : "");
	view_set_str(o, "owner_staff_id", co->owner_id ?
	    arena_printf(c->d.arena, "%" PRId64, co->owner_id) : "");
	view_set_str(o, "tags", co->tags);
	view_set_str(o, "tax_id", co->tax_id);
	view_set_str(o, "contact_name", co->contact_name);
	view_set_str(o, "contact_phone", co->contact_phone);
	view_set_str(o, "status", co->status);
	view_set_str(o, "payment_terms", co->terms);
	view_set_str(o, "credit_days", co->days ? arena_printf(c->d.arena,
	    "%" PRId64, co->days) : "");
	view_set_str(o, "credit_limit", fmt_yuan(c->d.arena, co->limit_fen));
	if (failed_here(p, "company", 0) || failed_here(p, "credit", 0)) {
		refill(c, o, company_fields);
		view_set_str(v, "company_error", failure(p));
		if (p->f != NULL && p->f->errors != NULL)
			json_object_object_add(v, "errors",
			    json_object_get(p->f->errors));
	}
	terms = view_get_str(o, "payment_terms");
	view_set_bool(o, "monthly", strcmp(terms, "monthly") == 0);
	view_set_bool(o, "disabled", strcmp(view_get_str(o, "status"),
	    "disabled") == 0);
	view_set_str(o, "terms_label", label_of(terms_opts,
	    NELEM(terms_opts), co->terms));
	json_object_object_add(v, "terms_options", OPTIONS(terms_opts,
	    terms));
	json_object_object_add(v, "status_options", OPTIONS(status_opts,
	    view_get_str(o, "status")));
	if ((a = level_options(c, view_get_str(o, "level_id"), &nlevels)) == NULL)
		return ERR_INTERNAL;
	json_object_object_add(v, "levels", a);
	view_set_bool(v, "has_levels", nlevels > 0);
	if ((a = staff_options(c, view_get_str(o, "owner_staff_id"),
	    co->owner_id)) == NULL)
		return ERR_INTERNAL;
	json_object_object_add(v, "staff", a);
	return 0;
}

/* ---- the company's page: users, addresses, invoices, prices ------- */

static const char sql_users[] =
    "SELECT id, name, phone, role, status FROM customer_user "
    "WHERE customer_id = ? AND shop_id = ? ORDER BY id";
static const char sql_invites[] =
    "SELECT id, role, DATE_FORMAT(expires_at + INTERVAL 8 HOUR, "
    "'%Y-%m-%d %H:%i') FROM customer_invite WHERE customer_id = ? "
    "AND shop_id = ? AND used_at IS NULL AND expires_at > NOW(3) ORDER BY id";
static const char sql_addresses[] =
    "SELECT id, receiver, phone, region, address, is_default "
    "FROM customer_address WHERE customer_id = ? AND shop_id = ? "
    "ORDER BY is_default DESC, id";
static const char sql_invoices[] =
    "SELECT id, kind, title, tax_id, bank_name, bank_account, address, "
    "phone FROM invoice_profile WHERE customer_id = ? AND shop_id = ? "
    "ORDER BY id";
static const char sql_contracts[] =
    "SELECT cp.sku_id, s.code, p.name, s.spec, s.price_fen, cp.price_fen "
    "FROM contract_price cp JOIN sku s ON s.id = cp.sku_id "
    "JOIN product p ON p.id = s.product_id "
    "WHERE cp.customer_id = ? AND cp.shop_id = ? ORDER BY s.code";

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

enum { A_RECEIVER, A_PHONE, A_REGION, A_ADDRESS, A_DEFAULT };
static const struct field address_fields[] = {
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

enum { V_KIND, V_TITLE, V_TAX, V_BANK, V_ACCOUNT, V_ADDRESS, V_PHONE };
static const struct field invoice_fields[] = {
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
static const char *const invoice_kinds[][2] = {
	{ "normal", "增值税普通发票（普票）" },
	{ "special", "增值税专用发票（专票）" },
};

enum { P_SKU, P_PRICE };
static const struct field contract_fields[] = {
	[P_SKU] =	{ "sku_code", FIELD_TEXT, FIELD_REQUIRED, 1, 64,
			  "SKU 编码" },
	[P_PRICE] =	{ "price", FIELD_MONEY, FIELD_REQUIRED, 0,
			  MONEY_MAX_FEN, "合同价" },
	{ NULL, 0, 0, 0, 0, NULL }
};
static const struct field *const contract_edit_fields =
    &contract_fields[P_PRICE];

/* A row's error and what was typed into it, when its form failed. */
static void
row_failed(struct ctx *c, const struct cpage *p, json_object *o,
    const char *what, int64_t row, const struct field *fields)
{
	/* Set, even when null: a nested name must not find an outer one. */
	view_set_str(o, "row_error", NULL);
	view_set_bool(o, "open", 0);
	if (!failed_here(p, what, row))
		return;
	refill(c, o, fields);
	view_set_str(o, "row_error", failure(p));
	view_set_bool(o, "open", 1);
}

/* An add form: empty, or what was typed and why it failed. */
static void
add_form(struct ctx *c, const struct cpage *p, json_object *v,
    const char *what, const struct field *fields)
{
	json_object	*o = json_object_new_object();

	if (failed_here(p, what, 0)) {
		refill(c, o, fields);
		view_set_str(o, "error", failure(p));
		view_set_bool(o, "open", 1);
	}
	json_object_object_add(v, arena_printf(c->d.arena, "%s_new", what), o);
}

static int
users_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	struct db_res	*r, *iv;
	json_object	*a = json_object_new_array(), *o;
	int		 i;

	json_object_object_add(v, "users", a);
	if (db_run(c->d.arena, &r, sql_users, "ii", p->co.id,
	    c->d.shop->id) == -1 ||
	    db_run(c->d.arena, &iv, sql_invites, "ii", p->co.id,
	    c->d.shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", db_cell_i64(r, i, 0));
		view_set_str(o, "name", db_cell(r, i, 1));
		view_set_str(o, "phone", db_cell(r, i, 2));
		view_set_str(o, "role", db_cell(r, i, 3));
		view_set_str(o, "role_label", USER_ROLE(db_cell(r, i, 3)));
		view_set_str(o, "status", db_cell(r, i, 4));
		view_set_bool(o, "active", strcmp(db_cell(r, i, 4),
		    "active") == 0);
		row_failed(c, p, o, "user", db_cell_i64(r, i, 0), user_fields);
		json_object_object_add(o, "roles", OPTIONS(user_roles,
		    view_get_str(o, "role")));
		json_object_object_add(o, "statuses", OPTIONS(status_opts,
		    view_get_str(o, "status")));
		json_object_array_add(a, o);
	}
	view_set_bool(v, "no_users", r->nrows == 0);
	a = json_object_new_array();
	for (i = 0; i < iv->nrows; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", db_cell_i64(iv, i, 0));
		view_set_str(o, "role_label", USER_ROLE(db_cell(iv, i, 1)));
		view_set_str(o, "expires", db_cell(iv, i, 2));
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "invites", a);
	add_form(c, p, v, "invite", invite_fields);
	json_object_object_add(v, "invite_roles", OPTIONS(user_roles,
	    failed_here(p, "invite", 0) ? req_param(c, "role") : "buyer"));
	return 0;
}

static int
addresses_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	struct db_res	*r;
	json_object	*a = json_object_new_array(), *o;
	int		 i;

	json_object_object_add(v, "addresses", a);
	if (db_run(c->d.arena, &r, sql_addresses, "ii", p->co.id,
	    c->d.shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", db_cell_i64(r, i, 0));
		view_set_str(o, "receiver", db_cell(r, i, 1));
		view_set_str(o, "phone", db_cell(r, i, 2));
		view_set_str(o, "region", db_cell(r, i, 3));
		view_set_str(o, "address", db_cell(r, i, 4));
		view_set_bool(o, "is_default", db_cell_i64(r, i, 5) != 0);
		row_failed(c, p, o, "address", db_cell_i64(r, i, 0),
		    address_fields);
		json_object_array_add(a, o);
	}
	view_set_bool(v, "no_addresses", r->nrows == 0);
	add_form(c, p, v, "address", address_fields);
	return 0;
}

static int
invoices_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	struct db_res	*r;
	json_object	*a = json_object_new_array(), *o, *add;
	int		 i;

	json_object_object_add(v, "invoices", a);
	if (db_run(c->d.arena, &r, sql_invoices, "ii", p->co.id,
	    c->d.shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", db_cell_i64(r, i, 0));
		view_set_str(o, "kind", db_cell(r, i, 1));
		view_set_bool(o, "special", strcmp(db_cell(r, i, 1),
		    "special") == 0);
		view_set_str(o, "title", db_cell(r, i, 2));
		view_set_str(o, "tax_id", db_cell(r, i, 3));
		view_set_str(o, "bank_name", db_cell(r, i, 4));
		view_set_str(o, "bank_account", db_cell(r, i, 5));
		view_set_str(o, "address", db_cell(r, i, 6));
		view_set_str(o, "phone", db_cell(r, i, 7));
		row_failed(c, p, o, "invoice", db_cell_i64(r, i, 0),
		    invoice_fields);
		json_object_object_add(o, "kinds", OPTIONS(invoice_kinds,
		    view_get_str(o, "kind")));
		json_object_array_add(a, o);
	}
	view_set_bool(v, "no_invoices", r->nrows == 0);
	add_form(c, p, v, "invoice", invoice_fields);
	json_object_object_get_ex(v, "invoice_new", &add);
	json_object_object_add(add, "kinds", OPTIONS(invoice_kinds,
	    *view_get_str(add, "kind") ? view_get_str(add, "kind") : "normal"));
	return 0;
}

static int
contracts_view(struct ctx *c, const struct cpage *p, json_object *v)
{
	struct db_res	*r;
	json_object	*a = json_object_new_array(), *o;
	int		 i;

	json_object_object_add(v, "contracts", a);
	if (db_run(c->d.arena, &r, sql_contracts, "ii", p->co.id,
	    c->d.shop->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < r->nrows; i++) {
		o = json_object_new_object();
		view_set_i64(o, "sku_id", db_cell_i64(r, i, 0));
		view_set_str(o, "code", db_cell(r, i, 1));
		view_set_str(o, "product", db_cell(r, i, 2));
		view_set_str(o, "spec", db_cell(r, i, 3));
		view_set_str(o, "base", fmt_yuan(c->d.arena,
		    db_cell_i64(r, i, 4)));
		view_set_i64(o, "price_fen", db_cell_i64(r, i, 5));
		view_set_str(o, "price", fmt_yuan(c->d.arena,
		    db_cell_i64(r, i, 5)));
		row_failed(c, p, o, "contract", db_cell_i64(r, i, 0),
		    contract_edit_fields);
		json_object_array_add(a, o);
	}
	view_set_bool(v, "no_contracts", r->nrows == 0);
	add_form(c, p, v, "contract", contract_fields);
	return 0;
}

static int
customer_page(struct ctx *c, const struct cpage *p)
{
	json_object	*v = admin_view(c, "customers");
	int		 w = session_staff_role(&c->d.sess, ROLES_WRITE);
	int		 k = session_staff_role(&c->d.sess, ROLES_CREDIT);
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
	if (company_view(c, p, v) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (p->co.id != 0 && (users_view(c, p, v) != 0 ||
	    addresses_view(c, p, v) != 0 || invoices_view(c, p, v) != 0 ||
	    contracts_view(c, p, v) != 0))
		return http_fail(c, ERR_INTERNAL, NULL);
	c->title = p->co.id == 0 ? "新建客户" : p->co.name;
	return render(c, "admin/customer_edit");
}

/* Re-render the page with a failed form, or fail outright. */
static int
page_fail(struct ctx *c, struct cpage *p, int err)
{
	if (err == ERR_INTERNAL || err == ERR_FORBIDDEN ||
	    err == ERR_NOT_FOUND)
		return http_fail(c, err, p->error);
	c->status = err_status(err);
	if (c->json_out)
		return http_fail(c, err, failure(p));
	return customer_page(c, p);
}

/* The company of the path (and the row, if there is one), for a form. */
static int
path_company(struct ctx *c, struct cpage *p, int want_row)
{
	int64_t	id;
	int	rc;

	memset(p, 0, sizeof(*p));
	if (route_id(c, 0, &id) == -1 || (want_row && route_id(c, 1,
	    &p->row) == -1)) {
		p->error = "页面不存在";
		return ERR_NOT_FOUND;
	}
	if ((rc = company_load(&c->d, id, 0, &p->co)) != 0)
		p->error = c->d.error;
	return rc;
}

static int
h_customer_new_form(struct ctx *c)
{
	struct cpage	p;

	memset(&p, 0, sizeof(p));
	company_defaults(&p.co);
	return customer_page(c, &p);
}

static int
h_customer_show(struct ctx *c)
{
	struct cpage	p;
	int		rc;

	if ((rc = path_company(c, &p, 0)) != 0)
		return http_fail(c, rc, p.error);
	return customer_page(c, &p);
}

/* ---- saving the company ------------------------------------------- */

struct csave {
	struct form	 f;
	struct company	 cur;		/* as stored; id 0: new */
	struct company	 co;		/* what to store */
	int		 company;	/* write the company's fields */
	int		 credit;	/* write its payment terms */
	int		 level_changed;
};

/*
 * The payment terms at fields t, t+1, t+2 of the form. When the form
 * does not carry them, co keeps what is stored. Prepaid has no credit.
 */
static void
credit_check(struct ctx *c, struct csave *s, int t)
{
	const struct field	*fl = t ? company_fields : credit_fields;
	struct form		*f = &s->f;
	const char		*why;
	int64_t			 v;

	if (req_param(c, fl[t].name) == NULL &&
	    req_param(c, fl[t + 1].name) == NULL &&
	    req_param(c, fl[t + 2].name) == NULL)
		return;
	s->credit = 1;
	if (!f->v[t].present) {
		form_error(c, f, fl[t].name, fl[t].label, "请选择");
		return;
	}
	if (!one_of(f->v[t].s, "prepaid", "monthly")) {
		form_error(c, f, fl[t].name, fl[t].label, "无效的选项");
		return;
	}
	s->co.terms = f->v[t].s;
	s->co.days = s->co.limit_fen = 0;
	if (strcmp(s->co.terms, "monthly") != 0)
		return;
	if (!f->v[t + 1].present)
		form_error(c, f, fl[t + 1].name, fl[t + 1].label,
		    "月结请填写账期天数");
	else if (parse_i64(f->v[t + 1].s, 1, 365, &v, &why) == -1)
		form_error(c, f, fl[t + 1].name, fl[t + 1].label,
		    "应为 1 到 365 之间的整数");
	else
		s->co.days = v;
	if (!f->v[t + 2].present)
		form_error(c, f, fl[t + 2].name, fl[t + 2].label,
		    "月结请填写信用额度（元），可以为 0");
	else if (parse_yuan(f->v[t + 2].s, &v, &why) == -1)
		form_error(c, f, fl[t + 2].name, fl[t + 2].label, why);
	else if (v > MONEY_MAX_FEN)
		form_error(c, f, fl[t + 2].name, fl[t + 2].label,
		    "金额过大");
	else
		s->co.limit_fen = v;
}

/* Did the form try to change the payment terms (or get them wrong)? */
static int
credit_touched(const struct csave *s)
{
	if (!s->credit)
		return 0;
	if (has_error(&s->f, "payment_terms") ||
	    has_error(&s->f, "credit_days") ||
	    has_error(&s->f, "credit_limit"))
		return 1;
	return strcmp(s->co.terms, s->cur.terms) != 0 ||
	    s->co.days != s->cur.days || s->co.limit_fen != s->cur.limit_fen;
}

static const char sql_level_of_shop[] =
    "SELECT id FROM member_level WHERE id = ? AND shop_id = ?";
static const char sql_staff_of_shop[] =
    "SELECT role, status FROM staff WHERE id = ? AND shop_id = ?";

/* An id from a <select>: 0 when none was chosen, -1 when it is junk. */
static int
select_id(struct ctx *c, struct form *f, int i, int64_t *id)
{
	const char	*why;

	*id = 0;
	if (!f->v[i].present)
		return has_error(f, company_fields[i].name) ? -1 : 0;
	if (parse_i64(f->v[i].s, 1, INT64_MAX, id, &why) == 0)
		return 0;
	form_error(c, f, company_fields[i].name, company_fields[i].label,
	    "无效的选项");
	return -1;
}

static int
company_refs(struct ctx *c, struct csave *s)
{
	struct form	*f = &s->f;
	struct db_res	*r;

	if (select_id(c, f, C_LEVEL, &s->co.level_id) == 0 &&
	    s->co.level_id != 0) {
		if (db_run(c->d.arena, &r, sql_level_of_shop, "ii",
		    s->co.level_id, c->d.shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			form_error(c, f, "level_id", "会员等级",
			    "本店没有这个等级");
	}
	if (select_id(c, f, C_OWNER, &s->co.owner_id) == 0 &&
	    s->co.owner_id != 0 && s->co.owner_id != s->cur.owner_id) {
		if (db_run(c->d.arena, &r, sql_staff_of_shop, "ii",
		    s->co.owner_id, c->d.shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0 || strcmp(db_cell(r, 0, 1), "active") != 0 ||
		    STAFF_ROLE(db_cell(r, 0, 0)) == NULL)
			form_error(c, f, "owner_staff_id", "负责销售",
			    "不是本店在职的销售、管理员或店主");
	}
	return 0;
}

/* Check the company's own fields into s->co; the form names the bad. */
static int
company_check(struct ctx *c, struct csave *s)
{
	struct form	*f = &s->f;
	const char	*why;
	char		*t;

	if (f->v[C_NAME].present)
		s->co.name = f->v[C_NAME].s;
	s->co.tags = "";
	if (f->v[C_TAGS].present) {
		if ((t = tags_normalize(c, f->v[C_TAGS].s, &why)) == NULL)
			form_error(c, f, "tags", "标签", why);
		else
			s->co.tags = t;
	}
	s->co.tax_id = "";
	if (f->v[C_TAX].present) {
		if ((t = tax_id_normalize(c, f->v[C_TAX].s, &why)) == NULL)
			form_error(c, f, "tax_id", "税号", why);
		else
			s->co.tax_id = t;
	}
	s->co.contact_name = f->v[C_CNAME].present ? f->v[C_CNAME].s : "";
	s->co.contact_phone = "";
	if (f->v[C_CPHONE].present) {
		if (!tel_ok(f->v[C_CPHONE].s))
			form_error(c, f, "contact_phone", "联系电话",
			    "不是有效的电话号码");
		else
			s->co.contact_phone = f->v[C_CPHONE].s;
	}
	if (f->v[C_STATUS].present) {
		if (!one_of(f->v[C_STATUS].s, "active", "disabled"))
			form_error(c, f, "status", "状态", "无效的选项");
		else
			s->co.status = f->v[C_STATUS].s;
	}
	return company_refs(c, s);
}

static const char sql_company_add[] =
    "INSERT INTO customer (shop_id, name, level_id, owner_staff_id, tags, "
    "tax_id, contact_name, contact_phone, status, payment_terms, "
    "credit_days, credit_limit_fen) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_company_update[] =
    "UPDATE customer SET name = ?, level_id = ?, owner_staff_id = ?, "
    "tags = ?, tax_id = ?, contact_name = ?, contact_phone = ?, status = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_credit_update[] =
    "UPDATE customer SET payment_terms = ?, credit_days = ?, "
    "credit_limit_fen = ? WHERE id = ? AND shop_id = ?";

static int
tx_company(struct dctx *c, void *arg)
{
	struct csave	*s = arg;
	struct company	*co = &s->co, now;
	struct db_res	*r;
	int		 rc;

	if (s->cur.id == 0) {
		if (db_run(c->arena, &r, sql_company_add, "isssssssssii",
		    c->shop->id, co->name, id_or_null(c, co->level_id),
		    id_or_null(c, co->owner_id), co->tags, co->tax_id,
		    co->contact_name, co->contact_phone, co->status, co->terms,
		    co->days, co->limit_fen) == -1)
			return ERR_INTERNAL;
		co->id = (int64_t)r->insert_id;
		s->level_changed = co->level_id != 0;
	} else {
		if ((rc = company_load(c, s->cur.id, 1, &now)) != 0)
			return rc;
		s->level_changed = s->company && now.level_id != co->level_id;
		if (s->company && db_run(c->arena, NULL, sql_company_update,
		    "ssssssssii", co->name, id_or_null(c, co->level_id),
		    id_or_null(c, co->owner_id), co->tags, co->tax_id,
		    co->contact_name, co->contact_phone, co->status, co->id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		if (s->credit && db_run(c->arena, NULL, sql_credit_update,
		    "siiii", co->terms, co->days, co->limit_fen, co->id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
	}
	if ((rc = audit(c, s->company ? "customer.save" : "customer.credit",
	    "customer=%" PRId64 "%s name=%s level=%" PRId64 " owner=%" PRId64
	    " status=%s terms=%s days=%" PRId64 " limit_fen=%" PRId64, co->id,
	    s->cur.id == 0 ? " created" : "", co->name, co->level_id,
	    co->owner_id, co->status, co->terms, co->days,
	    co->limit_fen)) != 0)
		return rc;
	/* The storefront prices a company by its level. */
	return s->level_changed ? shop_touch(c, c->shop->id) : 0;
}

static int
save_failed(struct ctx *c, struct csave *s, const char *what, int err)
{
	struct cpage	p;

	memset(&p, 0, sizeof(p));
	p.co = s->cur;
	p.failed = what;
	p.f = &s->f;
	p.error = err == ERR_INVALID ? NULL : c->d.error;
	return page_fail(c, &p, err);
}

/* POST /admin/customers/new and /admin/customers/<id>. */
static int
h_company_save(struct ctx *c)
{
	struct csave	 s;
	int64_t		 id = 0;
	int		 rc;

	memset(&s, 0, sizeof(s));
	company_defaults(&s.cur);
	if (c->m.cap[0] != NULL && route_id(c, 0, &id) == -1)
		return http_fail(c, ERR_NOT_FOUND, "客户不存在");
	if (id != 0 && (rc = company_load(&c->d, id, 0, &s.cur)) != 0)
		return http_fail(c, rc, c->d.error);
	s.co = s.cur;
	s.company = 1;
	form_parse(c, company_fields, &s.f);
	credit_check(c, &s, C_TERMS);
	if (!session_staff_role(&c->d.sess, ROLES_CREDIT)) {
		if (credit_touched(&s))
			return http_fail(c, ERR_FORBIDDEN, "您的角色不能修改"
			    "结算方式、账期和信用额度，请联系店主、管理员或"
			    "财务");
		s.credit = 0;	/* unchanged: leave them to finance */
	}
	if ((rc = company_check(c, &s)) != 0)
		return http_fail(c, rc, NULL);
	if (s.f.error != NULL)
		return save_failed(c, &s, "company", ERR_INVALID);
	if ((rc = db_tx_run(&c->d, tx_company, &s)) != 0)
		return save_failed(c, &s, "company", rc);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "?done=%s", s.co.id, s.cur.id ?
	    "saved" : "created")));
}

/* POST /admin/customers/<id>/credit: payment terms alone (finance). */
static int
h_credit_save(struct ctx *c)
{
	struct csave	 s;
	int64_t		 id;
	int		 rc;

	memset(&s, 0, sizeof(s));
	if (route_id(c, 0, &id) == -1)
		return http_fail(c, ERR_NOT_FOUND, "客户不存在");
	if ((rc = company_load(&c->d, id, 0, &s.cur)) != 0)
		return http_fail(c, rc, c->d.error);
	s.co = s.cur;
	form_parse(c, credit_fields, &s.f);
	credit_check(c, &s, 0);
	if (!s.credit)
		form_error(c, &s.f, "payment_terms", "结算方式",
		    "请选择");
	if (s.f.error != NULL)
		return save_failed(c, &s, "credit", ERR_INVALID);
	if ((rc = db_tx_run(&c->d, tx_company, &s)) != 0)
		return save_failed(c, &s, "credit", rc);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "?done=saved", s.co.id)));
}

/* ---- the company's users and invitations -------------------------- */

struct usave {
	struct cpage	 p;
	struct form	 f;
	const char	*name;		/* NULL: keep */
	const char	*role;		/* NULL: keep */
	const char	*status;
	char		 token[INVITE_BYTES * 2 + 1];
};

static const char sql_user_lock[] =
    "SELECT name, role, status FROM customer_user WHERE id = ? "
    "AND customer_id = ? AND shop_id = ? FOR UPDATE";
static const char sql_user_update[] =
    "UPDATE customer_user SET name = ?, role = ?, status = ? WHERE id = ? "
    "AND shop_id = ?";

static int
tx_user(struct dctx *c, void *arg)
{
	struct usave	*u = arg;
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_user_lock, "iii", u->p.row, u->p.co.id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "该账号不存在";
		return ERR_NOT_FOUND;
	}
	if (u->name == NULL)
		u->name = db_cell(r, 0, 0);
	if (u->role == NULL)
		u->role = db_cell(r, 0, 1);
	if (db_run(c->arena, NULL, sql_user_update, "sssii", u->name, u->role,
	    u->status, u->p.row, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "customer_user.save", "customer=%" PRId64 " user=%"
	    PRId64 " name=%s role=%s status=%s was=%s", u->p.co.id, u->p.row,
	    u->name, u->role, u->status, db_cell(r, 0, 2));
}

/* POST .../users/<uid> (name, role, status) and .../users/<uid>/status. */
static int
h_user_save(struct ctx *c)
{
	struct usave	 u;
	int		 rc, only_status = strstr(c->path, "/status") != NULL;

	memset(&u, 0, sizeof(u));
	if ((rc = path_company(c, &u.p, 1)) != 0)
		return http_fail(c, rc, u.p.error);
	u.p.failed = "user";
	u.p.f = &u.f;
	form_parse(c, only_status ? status_fields : user_fields, &u.f);
	if (!only_status && u.f.v[U_ROLE].present &&
	    !user_role_ok(u.f.v[U_ROLE].s))
		form_error(c, &u.f, "role", "角色", "无效的选项");
	u.status = u.f.v[only_status ? 0 : U_STATUS].s;
	if (u.status != NULL && !one_of(u.status, "active", "disabled"))
		form_error(c, &u.f, "status", "状态", "无效的选项");
	if (u.f.error != NULL)
		return page_fail(c, &u.p, ERR_INVALID);
	if (!only_status) {
		u.name = u.f.v[U_NAME].s;
		u.role = u.f.v[U_ROLE].s;
	}
	if ((rc = db_tx_run(&c->d, tx_user, &u)) != 0) {
		u.p.error = c->d.error;
		return page_fail(c, &u.p, rc);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "?done=saved#users", u.p.co.id)));
}

static const char sql_invite_add[] =
    "INSERT INTO customer_invite (shop_id, customer_id, token_hash, role, "
    "created_by, expires_at) VALUES (?, ?, ?, ?, ?, NOW(3) + INTERVAL 7 DAY)";
static const char sql_invite_del[] =
    "DELETE FROM customer_invite WHERE id = ? AND customer_id = ? "
    "AND shop_id = ? AND used_at IS NULL";

static int
tx_invite(struct dctx *c, void *arg)
{
	struct usave	*u = arg;
	struct db_res	*r;
	char		 hash[65];

	token_hash(u->token, hash);
	if (db_run(c->arena, &r, sql_invite_add, "iissi", c->shop->id,
	    u->p.co.id, hash, u->role, c->sess.user_id) == -1)
		return ERR_INTERNAL;
	/* Never the token: whoever reads the log must not be able to join. */
	return audit(c, "customer.invite", "customer=%" PRId64 " invite=%"
	    PRId64 " role=%s", u->p.co.id, (int64_t)r->insert_id, u->role);
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
static int
h_invite_new(struct ctx *c)
{
	struct usave	 u;
	int		 rc;

	memset(&u, 0, sizeof(u));
	if ((rc = path_company(c, &u.p, 0)) != 0)
		return http_fail(c, rc, u.p.error);
	u.p.failed = "invite";
	u.p.f = &u.f;
	if (form_parse(c, invite_fields, &u.f) == 0 &&
	    !user_role_ok(u.f.v[0].s))
		form_error(c, &u.f, "role", "角色", "无效的选项");
	if (u.f.error != NULL)
		return page_fail(c, &u.p, ERR_INVALID);
	if (strcmp(u.p.co.status, "active") != 0) {
		u.p.error = "公司已停用，请先启用再邀请成员";
		return page_fail(c, &u.p, ERR_CONFLICT);
	}
	u.role = u.f.v[0].s;
	if (random_hex(u.token, INVITE_BYTES) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	if ((rc = db_tx_run(&c->d, tx_invite, &u)) != 0)
		return http_fail(c, rc, NULL);
	u.p.failed = NULL;
	u.p.f = NULL;
	u.p.invite_link = arena_printf(c->d.arena, "%s%s", site_origin(c),
	    ctx_link(c, arena_printf(c->d.arena, "/invite/%s", u.token)));
	clog_info(&c->d, "invite made customer=%" PRId64 " role=%s", u.p.co.id,
	    u.role);
	return customer_page(c, &u.p);
}

static int
tx_invite_revoke(struct dctx *c, void *arg)
{
	struct usave	*u = arg;
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_invite_del, "iii", u->p.row, u->p.co.id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->affected == 0) {
		c->error = "邀请不存在或已被使用";
		return ERR_NOT_FOUND;
	}
	return audit(c, "customer.invite_revoke", "customer=%" PRId64
	    " invite=%" PRId64, u->p.co.id, u->p.row);
}

static int
h_invite_revoke(struct ctx *c)
{
	struct usave	 u;
	int		 rc;

	memset(&u, 0, sizeof(u));
	if ((rc = path_company(c, &u.p, 1)) != 0)
		return http_fail(c, rc, u.p.error);
	if ((rc = db_tx_run(&c->d, tx_invite_revoke, &u)) != 0)
		return http_fail(c, rc, c->d.error);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "?done=deleted#users", u.p.co.id)));
}

/* ---- addresses and invoice profiles ------------------------------- */

struct rsave {
	struct cpage	 p;
	struct form	 f;
	int		 del;
	const char	*tax_id;	/* normalized */
};

static const char sql_address_lock[] =
    "SELECT is_default FROM customer_address WHERE id = ? "
    "AND customer_id = ? AND shop_id = ? FOR UPDATE";
static const char sql_address_add[] =
    "INSERT INTO customer_address (shop_id, customer_id, receiver, phone, "
    "region, address, is_default) VALUES (?, ?, ?, ?, ?, ?, 0)";
static const char sql_address_update[] =
    "UPDATE customer_address SET receiver = ?, phone = ?, region = ?, "
    "address = ? WHERE id = ? AND shop_id = ?";
static const char sql_address_del[] =
    "DELETE FROM customer_address WHERE id = ? AND shop_id = ?";
static const char sql_address_undefault[] =
    "UPDATE customer_address SET is_default = 0 WHERE customer_id = ? "
    "AND shop_id = ?";
static const char sql_address_default[] =
    "UPDATE customer_address SET is_default = 1 WHERE id = ? AND shop_id = ?";
/* The default, or the oldest address when none is the default. */
static const char sql_address_first[] =
    "SELECT id, is_default FROM customer_address WHERE customer_id = ? "
    "AND shop_id = ? ORDER BY is_default DESC, id LIMIT 1";

/* A company with addresses has exactly one default. */
static int
address_fix_default(struct dctx *c, int64_t customer, int64_t want)
{
	struct db_res	*r;

	if (want != 0) {
		if (db_run(c->arena, NULL, sql_address_undefault, "ii",
		    customer, c->shop->id) == -1)
			return ERR_INTERNAL;
	} else {
		if (db_run(c->arena, &r, sql_address_first, "ii", customer,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0 || db_cell_i64(r, 0, 1) != 0)
			return 0;
		want = db_cell_i64(r, 0, 0);
	}
	return db_run(c->arena, NULL, sql_address_default, "ii", want,
	    c->shop->id) == -1 ? ERR_INTERNAL : 0;
}

static int
tx_address(struct dctx *c, void *arg)
{
	struct rsave	*s = arg;
	struct form	*f = &s->f;
	struct db_res	*r;
	int64_t		 id = s->p.row;

	if (id != 0) {
		if (db_run(c->arena, &r, sql_address_lock, "iii", id,
		    s->p.co.id, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "地址不存在";
			return ERR_NOT_FOUND;
		}
	}
	if (s->del) {
		if (db_run(c->arena, NULL, sql_address_del, "ii", id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
	} else if (id == 0) {
		if (db_run(c->arena, &r, sql_address_add, "iissss",
		    c->shop->id, s->p.co.id, f->v[A_RECEIVER].s,
		    f->v[A_PHONE].s, f->v[A_REGION].present ?
		    f->v[A_REGION].s : "", f->v[A_ADDRESS].s) == -1)
			return ERR_INTERNAL;
		id = (int64_t)r->insert_id;
	} else if (db_run(c->arena, NULL, sql_address_update, "ssssii",
	    f->v[A_RECEIVER].s, f->v[A_PHONE].s, f->v[A_REGION].present ?
	    f->v[A_REGION].s : "", f->v[A_ADDRESS].s, id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (address_fix_default(c, s->p.co.id, !s->del &&
	    f->v[A_DEFAULT].i64 ? id : 0) != 0)
		return ERR_INTERNAL;
	return audit(c, s->del ? "customer.address_delete" :
	    "customer.address", "customer=%" PRId64 " address=%" PRId64,
	    s->p.co.id, id);
}

static const char sql_invoice_lock[] =
    "SELECT id FROM invoice_profile WHERE id = ? AND customer_id = ? "
    "AND shop_id = ? FOR UPDATE";
static const char sql_invoice_add[] =
    "INSERT INTO invoice_profile (shop_id, customer_id, kind, title, tax_id, "
    "bank_name, bank_account, address, phone) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_invoice_update[] =
    "UPDATE invoice_profile SET kind = ?, title = ?, tax_id = ?, "
    "bank_name = ?, bank_account = ?, address = ?, phone = ? "
    "WHERE id = ? AND shop_id = ?";
static const char sql_invoice_del[] =
    "DELETE FROM invoice_profile WHERE id = ? AND shop_id = ?";

static const char *
opt(const struct form *f, int i)
{
	return f->v[i].present ? f->v[i].s : "";
}

static int
tx_invoice(struct dctx *c, void *arg)
{
	struct rsave	*s = arg;
	struct form	*f = &s->f;
	struct db_res	*r;
	int64_t		 id = s->p.row;

	if (id != 0) {
		if (db_run(c->arena, &r, sql_invoice_lock, "iii", id,
		    s->p.co.id, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "开票资料不存在";
			return ERR_NOT_FOUND;
		}
	}
	if (s->del) {
		if (db_run(c->arena, NULL, sql_invoice_del, "ii", id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
	} else if (id == 0) {
		if (db_run(c->arena, &r, sql_invoice_add, "iisssssss",
		    c->shop->id, s->p.co.id, f->v[V_KIND].s, f->v[V_TITLE].s,
		    s->tax_id, opt(f, V_BANK), opt(f, V_ACCOUNT),
		    opt(f, V_ADDRESS), opt(f, V_PHONE)) == -1)
			return ERR_INTERNAL;
		id = (int64_t)r->insert_id;
	} else if (db_run(c->arena, NULL, sql_invoice_update, "sssssssii",
	    f->v[V_KIND].s, f->v[V_TITLE].s, s->tax_id, opt(f, V_BANK),
	    opt(f, V_ACCOUNT), opt(f, V_ADDRESS), opt(f, V_PHONE), id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, s->del ? "customer.invoice_delete" :
	    "customer.invoice", "customer=%" PRId64 " invoice=%" PRId64,
	    s->p.co.id, id);
}

static void
invoice_check(struct ctx *c, struct rsave *s)
{
	static const int special[] = { V_BANK, V_ACCOUNT, V_ADDRESS,
	    V_PHONE };
	struct form	*f = &s->f;
	const char	*why;
	size_t		 i;

	if (f->v[V_KIND].present && !one_of(f->v[V_KIND].s, "normal",
	    "special"))
		form_error(c, f, "kind", "发票类型", "无效的选项");
	if (f->v[V_TAX].present && (s->tax_id = tax_id_normalize(c,
	    f->v[V_TAX].s, &why)) == NULL)
		form_error(c, f, "tax_id", "税号", why);
	if (f->v[V_ACCOUNT].present && strspn(f->v[V_ACCOUNT].s,
	    "0123456789 -") != strlen(f->v[V_ACCOUNT].s))
		form_error(c, f, "bank_account", "银行账号",
		    "只能包含数字");
	if (f->v[V_PHONE].present && !tel_ok(f->v[V_PHONE].s))
		form_error(c, f, "phone", "注册电话",
		    "不是有效的电话号码");
	if (!f->v[V_KIND].present || strcmp(f->v[V_KIND].s, "special") != 0)
		return;
	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (!f->v[special[i]].present)
			form_error(c, f, invoice_fields[special[i]].name,
			    invoice_fields[special[i]].label, "专票必须填写");
}

/* Addresses and invoice profiles: add, edit, delete; one handler. */
static int
row_save(struct ctx *c, const char *what, const char *anchor,
    const struct field *fields, int (*tx)(struct dctx *, void *))
{
	struct rsave	 s;
	int		 rc, has_row = c->m.cap[1] != NULL;

	memset(&s, 0, sizeof(s));
	if ((rc = path_company(c, &s.p, has_row)) != 0)
		return http_fail(c, rc, s.p.error);
	s.del = strstr(c->path, "/delete") != NULL;
	s.p.failed = what;
	s.p.f = &s.f;
	if (!s.del) {
		form_parse(c, fields, &s.f);
		if (fields == invoice_fields)
			invoice_check(c, &s);
		else if (s.f.v[A_PHONE].present && !tel_ok(s.f.v[A_PHONE].s))
			form_error(c, &s.f, "phone", "联系电话",
			    "不是有效的电话号码");
		if (s.f.error != NULL)
			return page_fail(c, &s.p, ERR_INVALID);
	}
	if ((rc = db_tx_run(&c->d, tx, &s)) != 0) {
		s.p.error = c->d.error;
		return page_fail(c, &s.p, rc);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "?done=%s#%s", s.p.co.id, s.del ?
	    "deleted" : has_row ? "saved" : "created", anchor)));
}

static int
h_address_save(struct ctx *c)
{
	return row_save(c, "address", "addresses", address_fields,
	    tx_address);
}

static int
h_invoice_save(struct ctx *c)
{
	return row_save(c, "invoice", "invoices", invoice_fields,
	    tx_invoice);
}

/* ---- contract prices ---------------------------------------------- */

struct psave {
	struct cpage	 p;
	struct form	 f;
	struct sku_brief sku;
	int64_t		 price;
	int		 del;
};

static const char sql_contract_lock[] =
    "SELECT s.code FROM contract_price cp JOIN sku s ON s.id = cp.sku_id "
    "WHERE cp.customer_id = ? AND cp.sku_id = ? AND cp.shop_id = ? "
    "FOR UPDATE";
static const char sql_contract_set[] =
    "INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE price_fen = VALUES(price_fen)";
static const char sql_contract_del[] =
    "DELETE FROM contract_price WHERE customer_id = ? AND sku_id = ? "
    "AND shop_id = ?";

static int
tx_contract(struct dctx *c, void *arg)
{
	struct psave	*s = arg;
	struct db_res	*r;
	int		 rc;

	if (s->p.row != 0) {
		if (db_run(c->arena, &r, sql_contract_lock, "iii", s->p.co.id,
		    s->p.row, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "该客户没有这个 SKU 的合同价";
			return ERR_NOT_FOUND;
		}
		s->sku.id = s->p.row;
		s->sku.code = db_cell(r, 0, 0);
	}
	if (s->del)
		rc = db_run(c->arena, NULL, sql_contract_del, "iii", s->p.co.id,
		    s->sku.id, c->shop->id);
	else
		rc = db_run(c->arena, NULL, sql_contract_set, "iiii",
		    c->shop->id, s->p.co.id, s->sku.id, s->price);
	if (rc == -1)
		return ERR_INTERNAL;
	if ((rc = audit(c, s->del ? "contract.delete" : "contract.set",
	    "customer=%" PRId64 " sku=%s price_fen=%" PRId64, s->p.co.id,
	    s->sku.code, s->del ? 0 : s->price)) != 0)
		return rc;
	return shop_touch(c, c->shop->id);
}

/* POST .../prices (add by SKU code), .../prices/<sku>, .../delete. */
static int
h_contract_save(struct ctx *c)
{
	struct psave	 s;
	int		 rc, has_row = c->m.cap[1] != NULL;

	memset(&s, 0, sizeof(s));
	if ((rc = path_company(c, &s.p, has_row)) != 0)
		return http_fail(c, rc, s.p.error);
	s.del = strstr(c->path, "/delete") != NULL;
	s.p.failed = "contract";
	s.p.f = &s.f;
	if (!s.del)
		form_parse(c, has_row ? contract_edit_fields : contract_fields,
		    &s.f);
	if (!has_row && s.f.v[P_SKU].present && (rc = product_sku_by_code(&c->d,
	    s.f.v[P_SKU].s, &s.sku)) != 0) {
		if (rc != ERR_NOT_FOUND)
			return http_fail(c, rc, NULL);
		form_error(c, &s.f, "sku_code", "SKU 编码",
		    arena_printf(c->d.arena, "本店没有编码为“%s”的 SKU",
		    s.f.v[P_SKU].s));
	}
	if (s.f.error != NULL)
		return page_fail(c, &s.p, ERR_INVALID);
	if (!s.del)
		s.price = s.f.v[has_row ? 0 : P_PRICE].i64;
	if ((rc = db_tx_run(&c->d, tx_contract, &s)) != 0) {
		s.p.error = c->d.error;
		return page_fail(c, &s.p, rc);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%" PRId64 "?done=%s#contracts", s.p.co.id,
	    s.del ? "deleted" : "saved")));
}

/* ---- the list ----------------------------------------------------- */

#define LIST_WHERE \
    "WHERE c.shop_id = ? AND (? = '' OR c.name LIKE ? " \
    "OR c.contact_name LIKE ? OR c.contact_phone LIKE ? OR c.tax_id LIKE ? " \
    "OR c.tags LIKE ? OR EXISTS (SELECT 1 FROM customer_user u " \
    "WHERE u.customer_id = c.id AND u.phone LIKE ?)) " \
    "AND (? = 0 OR c.level_id = ? OR (? = -1 AND c.level_id IS NULL)) " \
    "AND (? = 0 OR c.owner_staff_id = ?) "

static const char sql_list_count[] =
    "SELECT COUNT(*) FROM customer c " LIST_WHERE;
static const char sql_list[] =
    "SELECT c.id, c.name, c.tags, c.contact_name, c.contact_phone, "
    "c.payment_terms, c.credit_days, c.credit_limit_fen, c.status, l.name, "
    "s.name, (SELECT COUNT(*) FROM customer_user u "
    "WHERE u.customer_id = c.id) FROM customer c "
    "LEFT JOIN member_level l ON l.id = c.level_id "
    "LEFT JOIN staff s ON s.id = c.owner_staff_id " LIST_WHERE
    "ORDER BY c.id DESC LIMIT ? OFFSET ?";

struct lquery {
	const char	*q;
	const char	*like;
	const char	*level;		/* as given */
	const char	*owner;		/* as given: "", "me" or an id */
	int64_t		 level_id;	/* 0: any, -1: none */
	int64_t		 owner_id;	/* 0: any */
};

static void
list_query(struct ctx *c, struct lquery *q)
{
	const char	*err;

	memset(q, 0, sizeof(*q));
	q->q = kv_get(&c->query, "q");
	q->level = kv_get(&c->query, "level");
	q->owner = kv_get(&c->query, "owner");
	if (q->q == NULL)
		q->q = "";
	q->q = trim(c->d.arena, q->q, strlen(q->q));
	q->like = like_pattern(c->d.arena, q->q);
	if (q->level == NULL || parse_i64(q->level, -1, INT64_MAX,
	    &q->level_id, &err) == -1)
		q->level = "";
	if (q->owner != NULL && strcmp(q->owner, "me") == 0)
		q->owner_id = c->d.sess.user_id;
	else if (q->owner == NULL || parse_i64(q->owner, 1, INT64_MAX,
	    &q->owner_id, &err) == -1)
		q->owner = "";
}

static json_object *
list_row(struct ctx *c, struct db_res *r, int i)
{
	json_object	*o = json_object_new_object(), *tags;
	char		*t, *save, *tok;
	int		 monthly = strcmp(db_cell(r, i, 5), "monthly") == 0;

	view_set_i64(o, "id", db_cell_i64(r, i, 0));
	view_set_str(o, "name", db_cell(r, i, 1));
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/customers/%s", db_cell(r, i, 0))));
	tags = json_object_new_array();
	t = arena_strdup(c->d.arena, db_cell(r, i, 2));
	for (tok = strtok_r(t, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		json_object_array_add(tags, json_object_new_string(tok));
	json_object_object_add(o, "tags", tags);
	view_set_str(o, "contact_name", db_cell(r, i, 3));
	view_set_str(o, "contact_phone", db_cell(r, i, 4));
	view_set_bool(o, "monthly", monthly);
	view_set_i64(o, "credit_days", db_cell_i64(r, i, 6));
	view_set_str(o, "credit_limit", fmt_yuan(c->d.arena,
	    db_cell_i64(r, i, 7)));
	view_set_bool(o, "disabled", strcmp(db_cell(r, i, 8), "active") != 0);
	view_set_str(o, "level", db_cell(r, i, 9));
	view_set_str(o, "owner", db_cell(r, i, 10));
	view_set_i64(o, "users", db_cell_i64(r, i, 11));
	return o;
}

static int
h_customer_list(struct ctx *c)
{
	struct lquery	 q;
	struct db_res	*n, *r;
	json_object	*v = admin_view(c, "customers"), *rows, *a;
	const char	*url;
	int64_t		 off;
	int		 i, nlevels;

	list_query(c, &q);
	if (utf8_len(q.q) > 100)
		return http_fail(c, ERR_INVALID, "搜索词太长（最多 100 个字）");
	if (db_run(c->d.arena, &n, sql_list_count, "isssssssiiiii", c->d.shop->id,
	    q.q, q.like, q.like, q.like, q.like, q.like, q.like, q.level_id,
	    q.level_id, q.level_id, q.owner_id, q.owner_id) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	url = arena_printf(c->d.arena, "/admin/customers?q=%s&level=%s&owner=%s",
	    url_encode(c->d.arena, q.q), q.level, url_encode(c->d.arena, q.owner));
	off = view_pager(c, v, db_cell_i64(n, 0, 0), PER_PAGE, url);
	view_set_bool(v, "paged", db_cell_i64(n, 0, 0) > PER_PAGE);
	if (db_run(c->d.arena, &r, sql_list, "isssssssiiiiiii", c->d.shop->id,
	    q.q, q.like, q.like, q.like, q.like, q.like, q.like, q.level_id,
	    q.level_id, q.level_id, q.owner_id, q.owner_id, (int64_t)PER_PAGE,
	    off) == -1)
		return http_fail(c, ERR_INTERNAL, NULL);
	rows = json_object_new_array();
	for (i = 0; i < r->nrows; i++)
		json_object_array_add(rows, list_row(c, r, i));
	json_object_object_add(v, "customers", rows);
	view_set_str(v, "q", q.q);
	view_set_bool(v, "filtered", *q.q || *q.level || *q.owner);
	view_set_bool(v, "level_none", q.level_id == -1);
	view_set_bool(v, "owner_me", strcmp(q.owner, "me") == 0);
	view_set_bool(v, "can_write", session_staff_role(&c->d.sess, ROLES_WRITE));
	if ((a = level_options(c, q.level, &nlevels)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	json_object_object_add(v, "levels", a);
	if ((a = staff_options(c, strcmp(q.owner, "me") != 0 ? q.owner : "",
	    0)) == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	json_object_object_add(v, "staff", a);
	c->title = "客户";
	return render(c, "admin/customers");
}

#define ID "([0-9]{1,18})"
#define CUST "^/admin/customers/" ID
const struct route h_admin_customer_routes[] = {
	{ "GET", "^/admin/customers$", h_customer_list, ROUTE_STAFF,
	  ROLES_READ },
	{ "GET", "^/admin/customers/new$", h_customer_new_form, ROUTE_STAFF,
	  ROLES_WRITE },
	{ "POST", "^/admin/customers/new$", h_company_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "GET", CUST "$", h_customer_show, ROUTE_STAFF, ROLES_READ },
	{ "POST", CUST "$", h_company_save, ROUTE_STAFF | ROUTE_CSRF,
	  ROLES_WRITE },
	{ "POST", CUST "/credit$", h_credit_save, ROUTE_STAFF | ROUTE_CSRF,
	  ROLES_CREDIT },
	{ "POST", CUST "/users/" ID "$", h_user_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/users/" ID "/status$", h_user_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/invites$", h_invite_new, ROUTE_STAFF | ROUTE_CSRF,
	  ROLES_WRITE },
	{ "POST", CUST "/invites/" ID "/delete$", h_invite_revoke,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/addresses$", h_address_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/addresses/" ID "$", h_address_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/addresses/" ID "/delete$", h_address_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/invoices$", h_invoice_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/invoices/" ID "$", h_invoice_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/invoices/" ID "/delete$", h_invoice_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/prices$", h_contract_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/prices/" ID "$", h_contract_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ "POST", CUST "/prices/" ID "/delete$", h_contract_save,
	  ROUTE_STAFF | ROUTE_CSRF, ROLES_WRITE },
	{ NULL, NULL, NULL, 0, NULL }
};
