/*
 * customer.c -- customer companies: the list with search and filters, one
 * company, the rules of its form (level and salesperson of this shop,
 * payment terms, who may set them) and its save in one transaction. A
 * company disabled ends its users' sessions at once; a level moved makes
 * every worker reload them (the level is in the session).
 */
#include "dinghuo.h"
#include "domain/customer.h"
#include "domain/customer_user.h"

#define TAG_CHARS	20		/* characters in a tag */
#define TAGS_MAX	20		/* tags on a company */
#define SEARCH_CHARS	100

void
field_errs_add(struct field_errs *fe, const char *name, const char *label,
    const char *why)
{
	if (fe->n == FIELD_ERRS_MAX || field_errs_has(fe, name))
		return;
	fe->v[fe->n].name = name;
	fe->v[fe->n].label = label;
	fe->v[fe->n].why = why;
	fe->n++;
}

int
field_errs_has(const struct field_errs *fe, const char *name)
{
	int	i;

	for (i = 0; i < fe->n; i++)
		if (strcmp(fe->v[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * A text input: required or not, at most max characters. 1 when it is
 * there and good, 0 when empty and optional, -1 (in fe) when bad.
 */
int
field_text(struct arena *a, struct field_errs *fe, const char *name,
    const char *label, const char *s, int required, size_t max)
{
	if (s == NULL || *s == '\0') {
		if (required)
			field_errs_add(fe, name, label, "请填写");
		return required ? -1 : 0;
	}
	if (utf8_len(s) <= max)
		return 1;
	field_errs_add(fe, name, label, arena_printf(a, "最多 %zu 个字", max));
	return -1;
}

/* ---- text checks ---------------------------------------------------- */

static int
is_space_at(const char *p)
{
	if (isspace((unsigned char)*p))
		return 1;
	return strncmp(p, "\u3000", 3) == 0 ? 3 : 0;	/* ideographic */
}

/* s[0..n) without spaces (ASCII or ideographic) at either end. */
static char *
trim_n(struct arena *a, const char *s, size_t n)
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

char *
customer_trim(struct arena *a, const char *s)
{
	return trim_n(a, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
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
tags_normalize(struct arena *a, const char *in, const char **why)
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
		t = trim_n(a, start, p - start);
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
	t = arena_strdup(a, buf_cstr(&out));
	buf_free(&out);
	return t;
}

/* Unified social credit code (18) or an older tax number (15-20). */
char *
customer_tax_id(struct arena *a, const char *s, const char **why)
{
	char	*o = arena_alloc(a, strlen(s) + 1), *q = o;

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
int
customer_tel_ok(const char *s)
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

int
customer_one_of(const char *s, const char *a, const char *b)
{
	return s != NULL && (strcmp(s, a) == 0 || strcmp(s, b) == 0);
}

static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* ---- one company ---------------------------------------------------- */

#define COMPANY_COLS \
    "SELECT id, name, COALESCE(level_id, 0), COALESCE(owner_staff_id, 0), " \
    "tags, tax_id, contact_name, contact_phone, status, payment_terms, " \
    "credit_days, credit_limit_fen FROM customer WHERE id = ? AND shop_id = ?"
static const char sql_company[] = COMPANY_COLS;
static const char sql_company_lock[] = COMPANY_COLS " FOR UPDATE";

void
company_defaults(struct company *co)
{
	memset(co, 0, sizeof(*co));
	co->name = co->tags = co->tax_id = "";
	co->contact_name = co->contact_phone = "";
	co->status = "active";
	co->terms = "prepaid";
}

static int
company_get(struct dctx *c, int64_t id, int lock, struct company *co)
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

/* A company of the request's shop: 0, ERR_NOT_FOUND or ERR_INTERNAL. */
int
company_load(struct dctx *c, int64_t id, struct company *co)
{
	return company_get(c, id, 0, co);
}

/*
 * The same, locked for the caller's transaction: what writes to a
 * company's rows (addresses, prices, invitations) check first.
 */
int
company_lock(struct dctx *c, int64_t id, struct company *co)
{
	return company_get(c, id, 1, co);
}

/*
 * In a transaction: lock a company of the request's shop and, when row is
 * not 0, one of its rows with sql (parameters: the row, the company, the
 * shop), its result in *rp. ERR_NOT_FOUND when either is not there
 * (c->error: "客户不存在", or missing), or ERR_INTERNAL.
 */
int
company_lock_row(struct dctx *c, int64_t customer_id, const char *sql,
    int64_t row, const char *missing, struct db_res **rp)
{
	struct company	 co;
	struct db_res	*r;
	int		 rc;

	if (rp != NULL)
		*rp = NULL;
	if ((rc = company_lock(c, customer_id, &co)) != 0 || row == 0)
		return rc;
	if (db_run(c->arena, &r, sql, "iii", row, customer_id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = missing;
		return ERR_NOT_FOUND;
	}
	if (rp != NULL)
		*rp = r;
	return 0;
}

/*
 * The rows of a company of the request's shop as an array: sql takes the
 * company and the shop, fill makes element i of size bytes from row i.
 * NULL on a database error, else *n elements (and room for one more).
 */
void *
company_rows(struct dctx *c, const char *sql, int64_t customer_id,
    size_t size, void (*fill)(void *, const struct db_res *, int), int *n)
{
	struct db_res	*r;
	char		*a;
	int		 i;

	*n = 0;
	if (db_run(c->arena, &r, sql, "ii", customer_id, c->shop->id) == -1)
		return NULL;
	a = arena_alloc(c->arena, (r->nrows + 1) * size);
	memset(a, 0, (r->nrows + 1) * size);
	for (i = 0; i < r->nrows; i++)
		fill(a + i * size, r, i);
	*n = r->nrows;
	return a;
}

/* ---- checking a form ------------------------------------------------ */

/* A checked change: what company_save stores. */
struct company_edit {
	const struct company	*cur;
	struct company		 co;
	int			 fields;
	int			 credit;
	int64_t			 id;		/* out: the company's */
};

static int
credit_error(const struct field_errs *fe)
{
	return field_errs_has(fe, "payment_terms") ||
	    field_errs_has(fe, "credit_days") ||
	    field_errs_has(fe, "credit_limit");
}

/* Payment terms into e->co; prepaid has neither days nor a limit. */
static void
credit_check(const struct company_input *in, struct company_edit *e,
    struct field_errs *fe)
{
	const char	*why;
	int64_t		 v;

	if (empty(in->terms)) {
		field_errs_add(fe, "payment_terms", "结算方式", "请选择");
		return;
	}
	if (!customer_one_of(in->terms, "prepaid", "monthly")) {
		field_errs_add(fe, "payment_terms", "结算方式", "无效的选项");
		return;
	}
	e->co.terms = in->terms;
	e->co.days = e->co.limit_fen = 0;
	if (strcmp(in->terms, "monthly") != 0)
		return;
	if (empty(in->days))
		field_errs_add(fe, "credit_days", "账期天数",
		    "月结请填写账期天数");
	else if (parse_i64(in->days, 1, 365, &v, &why) == -1)
		field_errs_add(fe, "credit_days", "账期天数",
		    "应为 1 到 365 之间的整数");
	else
		e->co.days = v;
	if (empty(in->limit))
		field_errs_add(fe, "credit_limit", "信用额度",
		    "月结请填写信用额度（元），可以为 0");
	else if (parse_yuan(in->limit, &v, &why) == -1)
		field_errs_add(fe, "credit_limit", "信用额度", why);
	else if (v > CUSTOMER_MONEY_MAX_FEN)
		field_errs_add(fe, "credit_limit", "信用额度", "金额过大");
	else
		e->co.limit_fen = v;
}

/* Sales keep the terms as stored; trying to change them is refused. */
static int
credit_allowed(struct dctx *c, struct company_edit *e,
    const struct field_errs *fe)
{
	const struct company	*cur = e->cur;

	if (!e->credit || session_staff_role(&c->sess, CUSTOMER_ROLES_CREDIT))
		return 0;
	if (credit_error(fe) || strcmp(e->co.terms, cur->terms) != 0 ||
	    e->co.days != cur->days || e->co.limit_fen != cur->limit_fen) {
		c->error = "您的角色不能修改结算方式、账期和信用额度，请联系"
		    "店主、管理员或财务";
		return ERR_FORBIDDEN;
	}
	e->credit = 0;		/* unchanged: leave them to finance */
	return 0;
}

/* An id from a <select>: 0 when none was chosen, -1 when it is junk. */
static int
select_id(const char *s, const char *name, const char *label, int64_t *id,
    struct field_errs *fe)
{
	const char	*why;

	*id = 0;
	if (empty(s))
		return 0;
	if (parse_i64(s, 1, INT64_MAX, id, &why) == 0)
		return 0;
	field_errs_add(fe, name, label, "无效的选项");
	return -1;
}

static const char sql_level_of_shop[] =
    "SELECT id FROM member_level WHERE id = ? AND shop_id = ?";
static const char sql_staff_of_shop[] =
    "SELECT role IN ('owner', 'admin', 'sales') AND status = 'active' "
    "FROM staff WHERE id = ? AND shop_id = ?";

/* The level and the salesperson must be this shop's. */
static int
refs_check(struct dctx *c, const struct company_input *in,
    struct company_edit *e, struct field_errs *fe)
{
	struct db_res	*r;

	if (select_id(in->level_id, "level_id", "会员等级", &e->co.level_id,
	    fe) == 0 && e->co.level_id != 0) {
		if (db_run(c->arena, &r, sql_level_of_shop, "ii",
		    e->co.level_id, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			field_errs_add(fe, "level_id", "会员等级",
			    "本店没有这个等级");
	}
	if (select_id(in->owner_staff_id, "owner_staff_id", "负责销售",
	    &e->co.owner_id, fe) == 0 && e->co.owner_id != 0 &&
	    e->co.owner_id != e->cur->owner_id) {
		if (db_run(c->arena, &r, sql_staff_of_shop, "ii",
		    e->co.owner_id, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0 || db_cell_i64(r, 0, 0) == 0)
			field_errs_add(fe, "owner_staff_id", "负责销售",
			    "不是本店在职的销售、管理员或店主");
	}
	return 0;
}

/* The company's own fields into e->co. */
static int
fields_check(struct dctx *c, const struct company_input *in,
    struct company_edit *e, struct field_errs *fe)
{
	const char	*why;
	char		*t;

	if (field_text(c->arena, fe, "name", "公司名称", in->name, 1, 100) > 0)
		e->co.name = in->name;
	e->co.tags = "";
	if (!empty(in->tags)) {
		if ((t = tags_normalize(c->arena, in->tags, &why)) == NULL)
			field_errs_add(fe, "tags", "标签", why);
		else
			e->co.tags = t;
	}
	e->co.tax_id = "";
	if (!empty(in->tax_id)) {
		if ((t = customer_tax_id(c->arena, in->tax_id, &why)) == NULL)
			field_errs_add(fe, "tax_id", "税号", why);
		else
			e->co.tax_id = t;
	}
	e->co.contact_name = field_text(c->arena, fe, "contact_name", "联系人",
	    in->contact_name, 0, 60) > 0 ? in->contact_name : "";
	e->co.contact_phone = "";
	if (!empty(in->contact_phone)) {
		if (strlen(in->contact_phone) > 20 ||
		    !customer_tel_ok(in->contact_phone))
			field_errs_add(fe, "contact_phone", "联系电话",
			    "不是有效的电话号码");
		else
			e->co.contact_phone = in->contact_phone;
	}
	if (!empty(in->status)) {
		if (!customer_one_of(in->status, "active", "disabled"))
			field_errs_add(fe, "status", "状态", "无效的选项");
		else
			e->co.status = in->status;
	}
	return refs_check(c, in, e, fe);
}

/*
 * Check a form against the stored company cur (id 0: a new one) into e.
 * 0 (fe names the bad fields, if any), ERR_FORBIDDEN (c->error) or
 * ERR_INTERNAL.
 */
static int
company_vet(struct dctx *c, const struct company *cur,
    const struct company_input *in, struct company_edit *e,
    struct field_errs *fe)
{
	int	rc;

	memset(e, 0, sizeof(*e));
	e->cur = cur;
	e->co = *cur;
	e->fields = in->fields;
	e->credit = in->credit;
	if (e->credit)
		credit_check(in, e, fe);
	if ((rc = credit_allowed(c, e, fe)) != 0)
		return rc;
	if (!e->credit) {
		e->co.terms = cur->terms;
		e->co.days = cur->days;
		e->co.limit_fen = cur->limit_fen;
	}
	if (!e->fields)
		return 0;
	return fields_check(c, in, e, fe);
}

/* Check only: a form that failed elsewhere names all its faults at once. */
int
company_check(struct dctx *c, const struct company *cur,
    const struct company_input *in, struct field_errs *fe)
{
	struct company_edit	e;

	return company_vet(c, cur, in, &e, fe);
}

/* ---- saving --------------------------------------------------------- */

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

static const char *
id_or_null(struct dctx *c, int64_t id)
{
	return id != 0 ? arena_printf(c->arena, "%" PRId64, id) : NULL;
}

static int
company_add(struct dctx *c, struct company_edit *e)
{
	const struct company	*co = &e->co;
	struct db_res		*r;

	if (db_run(c->arena, &r, sql_company_add, "isssssssssii",
	    c->shop->id, co->name, id_or_null(c, co->level_id),
	    id_or_null(c, co->owner_id), co->tags, co->tax_id,
	    co->contact_name, co->contact_phone, co->status, co->terms,
	    co->days, co->limit_fen) == -1)
		return ERR_INTERNAL;
	e->id = (int64_t)r->insert_id;
	return 0;
}

/*
 * A stored company's change. Its users' sessions carry its level and end
 * with its status: a company disabled logs them out on every worker, a
 * level moved makes every worker reload their sessions.
 */
static int
company_update(struct dctx *c, struct company_edit *e)
{
	const struct company	*co = &e->co;
	struct company		 now;
	int			 rc;

	if ((rc = company_lock(c, e->cur->id, &now)) != 0)
		return rc;
	e->id = now.id;
	if (e->fields && db_run(c->arena, NULL, sql_company_update,
	    "ssssssssii", co->name, id_or_null(c, co->level_id),
	    id_or_null(c, co->owner_id), co->tags, co->tax_id,
	    co->contact_name, co->contact_phone, co->status, now.id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (e->credit && db_run(c->arena, NULL, sql_credit_update, "siiii",
	    co->terms, co->days, co->limit_fen, now.id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (!e->fields)
		return 0;
	if (strcmp(now.status, "active") == 0 &&
	    strcmp(co->status, "active") != 0)
		return customer_users_end_sessions(c, now.id);
	if (now.level_id != co->level_id)
		return shop_touch_auth(c, c->shop->id);
	return 0;
}

static int
tx_company(struct dctx *c, void *arg)
{
	struct company_edit	*e = arg;
	const struct company	*co = &e->co;
	int			 rc;

	e->id = 0;
	if ((rc = e->cur->id == 0 ? company_add(c, e) :
	    company_update(c, e)) != 0)
		return rc;
	return audit(c, e->fields ? "customer.save" : "customer.credit",
	    "customer=%" PRId64 "%s name=%s level=%" PRId64 " owner=%" PRId64
	    " status=%s terms=%s days=%" PRId64 " limit_fen=%" PRId64, e->id,
	    e->cur->id == 0 ? " created" : "", co->name, co->level_id,
	    co->owner_id, co->status, co->terms, co->days, co->limit_fen);
}

/*
 * Check a form against the stored company cur (id 0: make a new one) and
 * store it, with its audit row, in one transaction. 0 and the company's
 * id in *idp; ERR_INVALID (fe names the fields), ERR_FORBIDDEN,
 * ERR_NOT_FOUND (c->error) or ERR_INTERNAL.
 */
int
company_save(struct dctx *c, const struct company *cur,
    const struct company_input *in, struct field_errs *fe, int64_t *idp)
{
	struct company_edit	e;
	int			rc;

	if ((rc = company_vet(c, cur, in, &e, fe)) != 0)
		return rc;
	if (fe->n > 0)
		return ERR_INVALID;
	if ((rc = db_tx_run(c, tx_company, &e)) != 0)
		return rc;
	*idp = e.id;
	clog_info(c, "customer saved customer=%" PRId64 "%s", e.id,
	    cur->id == 0 ? " created=1" : "");
	return 0;
}

/* ---- the list ------------------------------------------------------- */

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
    "c.payment_terms = 'monthly', c.credit_days, c.credit_limit_fen, "
    "c.status = 'active', l.name, s.name, (SELECT COUNT(*) "
    "FROM customer_user u WHERE u.customer_id = c.id) FROM customer c "
    "LEFT JOIN member_level l ON l.id = c.level_id "
    "LEFT JOIN staff s ON s.id = c.owner_staff_id " LIST_WHERE
    "ORDER BY c.id DESC LIMIT ? OFFSET ?";

static void
list_row(const struct db_res *r, int i, struct company_row *o)
{
	o->id = db_cell_i64(r, i, 0);
	o->name = db_cell(r, i, 1);
	o->tags = db_cell(r, i, 2);
	o->contact_name = db_cell(r, i, 3);
	o->contact_phone = db_cell(r, i, 4);
	o->monthly = db_cell_i64(r, i, 5) != 0;
	o->days = db_cell_i64(r, i, 6);
	o->limit_fen = db_cell_i64(r, i, 7);
	o->active = db_cell_i64(r, i, 8) != 0;
	o->level = db_cell(r, i, 9);
	o->owner = db_cell(r, i, 10);
	o->users = db_cell_i64(r, i, 11);
}

/*
 * One page of the shop's companies, newest first: q finds a name,
 * contact, phone (any user's too), tax id or tag. 0, ERR_INVALID (a search
 * too long) or ERR_INTERNAL.
 */
int
company_list(struct dctx *c, const struct company_query *q,
    struct company_page *p)
{
	struct db_res	*n, *r;
	const char	*like;
	int64_t		 page = q->page > 0 ? q->page : 1;
	int		 i;

	memset(p, 0, sizeof(*p));
	p->q = customer_trim(c->arena, q->q);
	if (utf8_len(p->q) > SEARCH_CHARS) {
		c->error = "搜索词太长（最多 100 个字）";
		return ERR_INVALID;
	}
	like = like_pattern(c->arena, p->q);
	if (db_run(c->arena, &n, sql_list_count, "isssssssiiiii", c->shop->id,
	    p->q, like, like, like, like, like, like, q->level_id, q->level_id,
	    q->level_id, q->owner_id, q->owner_id) == -1)
		return ERR_INTERNAL;
	p->total = db_cell_i64(n, 0, 0);
	if (db_run(c->arena, &r, sql_list, "isssssssiiiiiii", c->shop->id,
	    p->q, like, like, like, like, like, like, q->level_id, q->level_id,
	    q->level_id, q->owner_id, q->owner_id, (int64_t)q->per_page,
	    (page - 1) * q->per_page) == -1)
		return ERR_INTERNAL;
	p->rows = arena_alloc(c->arena, (r->nrows + 1) * sizeof(*p->rows));
	for (i = 0; i < r->nrows; i++)
		list_row(r, i, &p->rows[i]);
	p->n = r->nrows;
	return 0;
}

/* ---- what the selects offer ----------------------------------------- */

static const char sql_level_options[] =
    "SELECT id, name FROM member_level WHERE shop_id = ? "
    "ORDER BY rank_no, id";
/* Who may own a company, and keep: whoever owns it now, even departed. */
static const char sql_owner_options[] =
    "SELECT id, name, role, status = 'active' FROM staff WHERE shop_id = ? "
    "AND ((status = 'active' AND role IN ('owner', 'admin', 'sales')) "
    "OR id = ?) ORDER BY role = 'sales' DESC, name, id";

int
company_level_options(struct dctx *c, struct level_option **out, int *n)
{
	struct db_res		*r;
	struct level_option	*a;
	int			 i;

	*out = NULL;
	*n = 0;
	if (db_run(c->arena, &r, sql_level_options, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	a = arena_alloc(c->arena, (r->nrows + 1) * sizeof(*a));
	for (i = 0; i < r->nrows; i++) {
		a[i].id = db_cell_i64(r, i, 0);
		a[i].name = db_cell(r, i, 1);
	}
	*out = a;
	*n = r->nrows;
	return 0;
}

/* Staff who may own a company, with keep (its owner now) in any case. */
int
company_owner_options(struct dctx *c, int64_t keep, struct owner_option **out,
    int *n)
{
	struct db_res		*r;
	struct owner_option	*a;
	int			 i;

	*out = NULL;
	*n = 0;
	if (db_run(c->arena, &r, sql_owner_options, "ii", c->shop->id,
	    keep) == -1)
		return ERR_INTERNAL;
	a = arena_alloc(c->arena, (r->nrows + 1) * sizeof(*a));
	for (i = 0; i < r->nrows; i++) {
		a[i].id = db_cell_i64(r, i, 0);
		a[i].name = db_cell(r, i, 1);
		a[i].role = db_cell(r, i, 2);
		a[i].active = db_cell_i64(r, i, 3) != 0;
	}
	*out = a;
	*n = r->nrows;
	return 0;
}
