/*
 * customer_list.c -- the back office's list of customer companies, with
 * its search and filters, and what the company form's selects offer:
 * the shop's member levels and the staff who may own a company.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/customer.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"

#define SEARCH_CHARS	100

#define LIST_WHERE \
    "WHERE c.shop_id = ? AND (? = '' OR c.name LIKE ? " \
    "OR c.contact_name LIKE ? OR c.contact_phone LIKE ? OR c.tax_id LIKE ? " \
    "OR c.tags LIKE ? OR EXISTS (SELECT 1 FROM customer_user u " \
    "WHERE u.customer_id = c.id AND u.phone LIKE ?)) " \
    "AND (? = 0 OR c.level_id = ? OR (? = -1 AND c.level_id IS NULL)) " \
    "AND (? = 0 OR c.owner_staff_id = ? " \
    "OR (? = -1 AND c.owner_staff_id IS NULL)) AND (? = 0 OR c.kind + 0 = ?) " \
    "AND " SCOPE_CUSTOMER("c") " "

static const char sql_list_count[] =
    "SELECT COUNT(*) FROM customer c " LIST_WHERE;
static const char sql_list[] =
    "SELECT c.id, c.name, c.tags, c.contact_name, c.contact_phone, "
    "c.payment_terms = 'monthly', c.credit_days, c.credit_limit_fen, "
    "c.status = 'active', l.name, s.name, (SELECT COUNT(*) "
    "FROM customer_user u WHERE u.customer_id = c.id), c.kind = 'consumer' "
    "FROM customer c "
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
	o->consumer = db_cell_i64(r, i, 12) == 1;
}

/*
 * One page of the shop's companies in the actor's scope (a salesperson's
 * own), newest first: q finds a name, contact, phone (any user's too),
 * tax id or tag; owner_id -1 those nobody owns. 0, ERR_INVALID (a search
 * too long) or ERR_INTERNAL.
 */
int
company_list(struct dctx *c, const struct company_query *q,
    struct company_page *p)
{
	struct db_res	*n, *r;
	const char	*like;
	int64_t		 page = q->page > 0 ? q->page : 1;
	int64_t		 so = scope_owner(c);
	int		 i;

	memset(p, 0, sizeof(*p));
	p->q = customer_trim(c->arena, q->q);
	if (utf8_len(p->q) > SEARCH_CHARS) {
		c->error = "搜索词太长（最多 100 个字）";
		return ERR_INVALID;
	}
	like = like_pattern(c->arena, p->q);
	if (db_run(c->arena, &n, sql_list_count, "isssssssiiiiiiiii",
	    c->shop->id, p->q, like, like, like, like, like, like, q->level_id,
	    q->level_id, q->level_id, q->owner_id, q->owner_id, q->owner_id,
	    q->kind, q->kind, so) == -1)
		return ERR_INTERNAL;
	p->total = db_cell_i64(n, 0, 0);
	if (db_run(c->arena, &r, sql_list, "isssssssiiiiiiiiiii", c->shop->id,
	    p->q, like, like, like, like, like, like, q->level_id, q->level_id,
	    q->level_id, q->owner_id, q->owner_id, q->owner_id, q->kind,
	    q->kind, so,
	    (int64_t)q->per_page, (page - 1) * q->per_page) == -1)
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
/*
 * Who may own a company, and keep: whoever owns it now, even departed;
 * for a salesperson, who may not give a company away, only themselves.
 */
static const char sql_owner_options[] =
    "SELECT id, name, role, status = 'active' FROM staff WHERE shop_id = ? "
    "AND ((status = 'active' AND role IN ('owner', 'admin', 'sales')) "
    "OR id = ?) AND ? IN (0, id) ORDER BY role = 'sales' DESC, name, id";

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
	if (db_run(c->arena, &r, sql_owner_options, "iii", c->shop->id,
	    keep, scope_may_assign(c) ? 0 : scope_owner(c)) == -1)
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
