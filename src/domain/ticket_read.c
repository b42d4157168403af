/*
 * ticket_read.c -- reading tickets: the staff queue with its filters (in
 * the actor's customer scope), a customer company's own tickets, one
 * ticket with its timeline and photos, the photo files (read out for the
 * ticket's readers only), the staff a ticket may be given to, and the
 * monthly numbers reports draw.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/scope.h"
#include "domain/ticket.h"
#include "domain/ticket_int.h"

#define PHOTO_READ_MAX	(64 * 1024 * 1024)

#define COLUMNS \
    "SELECT t.id, t.kind, t.state, t.source, t.subject, " \
    "COALESCE(t.customer_id, 0), c.name, COALESCE(t.customer_user_id, 0), " \
    "u.name, t.guest_phone, t.guest_name, COALESCE(t.order_id, 0), " \
    "o.order_no, COALESCE(t.order_line_id, 0), l.name, COALESCE(l.qty, 0), " \
    "COALESCE(l.sku_id, 0), COALESCE(t.product_id, 0), p.name, " \
    "COALESCE(t.assigned_staff_id, 0), st.name, COALESCE(t.resolution, ''), " \
    "t.refund_fen, COALESCE(t.replacement_order_id, 0), ro.order_no, " \
    "t.stock_returned, " TICKET_LOCAL("t.created_at") ", " \
    TICKET_LOCAL("t.updated_at") ", " \
    "TIMESTAMPDIFF(HOUR, t.created_at, NOW(3)), " \
    TICKET_FIRST_OVER("t", "sh") ", " TICKET_RESOLVE_OVER("t", "sh") ", " \
    TICKET_LOCAL("t.created_at + INTERVAL sh.ticket_first_response_hours " \
    "HOUR") ", " \
    TICKET_LOCAL("t.created_at + INTERVAL sh.ticket_resolve_days DAY") " "
#define JOINS \
    "FROM ticket t JOIN shop sh ON sh.id = t.shop_id " \
    "LEFT JOIN customer c ON c.id = t.customer_id " \
    "LEFT JOIN customer_user u ON u.id = t.customer_user_id " \
    "LEFT JOIN sales_order o ON o.id = t.order_id " \
    "LEFT JOIN order_line l ON l.id = t.order_line_id " \
    "LEFT JOIN product p ON p.id = t.product_id " \
    "LEFT JOIN staff st ON st.id = t.assigned_staff_id " \
    "LEFT JOIN sales_order ro ON ro.id = t.replacement_order_id "
#define FILTERS \
    "WHERE t.shop_id = ? AND " TICKET_SCOPE("t") " " \
    "AND (? = -1 OR (? = -2 AND t.state NOT IN ('resolved', 'closed')) " \
    "OR t.state = ?) AND (? = '' OR t.kind = ?) " \
    "AND (? = -1 OR (? = 0 AND t.assigned_staff_id IS NULL) " \
    "OR t.assigned_staff_id = ?) AND (? = 0 OR t.customer_id = ?) " \
    "AND (? = 0 OR " TICKET_FIRST_OVER("t", "sh") " OR " \
    TICKET_RESOLVE_OVER("t", "sh") ") " \
    "AND t.created_at <= NOW(3) - INTERVAL ? HOUR "

static const char sql_list[] =
    COLUMNS JOINS FILTERS "ORDER BY t.id DESC LIMIT ? OFFSET ?";
static const char sql_count[] =
    "SELECT COUNT(*) " JOINS FILTERS;
static const char sql_my_overdue[] =
    "SELECT COUNT(*) FROM ticket t JOIN shop sh ON sh.id = t.shop_id "
    "WHERE t.shop_id = ? AND t.assigned_staff_id = ? AND ("
    TICKET_FIRST_OVER("t", "sh") " OR " TICKET_RESOLVE_OVER("t", "sh") ")";
static const char sql_one[] =
    COLUMNS JOINS "WHERE t.id = ? AND t.shop_id = ? AND "
    TICKET_SCOPE("t");
static const char sql_events[] =
    "SELECT e.id, e.kind, e.from_state, e.to_state, e.staff_id IS NOT NULL, "
    "e.customer_user_id IS NOT NULL, COALESCE(s.name, u.name), e.source, "
    "e.body, e.internal, " TICKET_LOCAL("e.created_at") " "
    "FROM ticket_event e LEFT JOIN staff s ON s.id = e.staff_id "
    "LEFT JOIN customer_user u ON u.id = e.customer_user_id "
    "WHERE e.shop_id = ? AND e.ticket_id = ? AND (? = 1 OR e.internal = 0) "
    "ORDER BY e.id";
static const char sql_photos[] =
    "SELECT id, event_id FROM ticket_photo WHERE shop_id = ? "
    "AND ticket_id = ? ORDER BY id";
static const char sql_photo[] =
    "SELECT f.path, f.thumb_path FROM ticket_photo f JOIN ticket t "
    "ON t.id = f.ticket_id WHERE f.id = ? AND f.ticket_id = ? AND "
    "f.shop_id = ? AND t.shop_id = f.shop_id AND " TICKET_SCOPE("t");
static const char sql_staff[] =
    "SELECT id, name, role FROM staff WHERE shop_id = ? AND status = "
    "'active' AND FIND_IN_SET(role, ?) > 0 ORDER BY name, id";
/* Opened per month; then every answered ticket's minutes to its first
 * staff answer, by month and sorted, for the medians. */
#define MONTH_OF(col) "DATE_FORMAT(" col " + INTERVAL 8 HOUR, '%Y-%m')"
#define SINCE \
    "t.shop_id = ? AND t.created_at >= DATE_FORMAT(NOW() + INTERVAL 8 " \
    "HOUR, '%Y-%m-01') - INTERVAL ? MONTH - INTERVAL 8 HOUR "
static const char sql_months[] =
    "SELECT " MONTH_OF("t.created_at") " m, COUNT(*) FROM ticket t WHERE "
    SINCE "GROUP BY m ORDER BY m";
static const char sql_minutes[] =
    "SELECT " MONTH_OF("t.created_at") " m, TIMESTAMPDIFF(MINUTE, "
    "t.created_at, t.first_response_at) x FROM ticket t WHERE " SINCE
    "AND t.first_response_at IS NOT NULL ORDER BY m, x";

static void
row(struct db_res *r, int i, struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	t->id = db_cell_i64(r, i, 0);
	ticket_kind_parse(db_cell(r, i, 1), &t->kind);
	ticket_state_parse(db_cell(r, i, 2), &t->state);
	t->source = db_cell(r, i, 3);
	t->subject = db_cell(r, i, 4);
	t->customer_id = db_cell_i64(r, i, 5);
	t->customer = db_cell(r, i, 6);
	t->customer_user_id = db_cell_i64(r, i, 7);
	t->user_name = db_cell(r, i, 8);
	t->guest_phone = db_cell(r, i, 9);
	t->guest_name = db_cell(r, i, 10);
	t->order_id = db_cell_i64(r, i, 11);
	t->order_no = db_cell(r, i, 12);
	t->order_line_id = db_cell_i64(r, i, 13);
	t->line_name = db_cell(r, i, 14);
	t->line_qty = db_cell_i64(r, i, 15);
	t->line_sku_id = db_cell_i64(r, i, 16);
	t->product_id = db_cell_i64(r, i, 17);
	t->product_name = db_cell(r, i, 18);
	t->staff_id = db_cell_i64(r, i, 19);
	t->staff_name = db_cell(r, i, 20);
	if (ticket_resolution_parse(db_cell(r, i, 21), &t->resolution) == -1)
		t->resolution = TR_NONE;
	t->refund_fen = db_cell_i64(r, i, 22);
	t->replacement_order_id = db_cell_i64(r, i, 23);
	t->replacement_no = db_cell(r, i, 24);
	t->stock_returned = db_cell_i64(r, i, 25) != 0;
	t->created = db_cell(r, i, 26);
	t->updated = db_cell(r, i, 27);
	t->age_hours = db_cell_i64(r, i, 28);
	t->first_overdue = db_cell_i64(r, i, 29) != 0;
	t->resolve_overdue = db_cell_i64(r, i, 30) != 0;
	t->first_due = db_cell(r, i, 31);
	t->resolve_due = db_cell(r, i, 32);
}

static int
run_list(struct dctx *c, const struct ticket_query *q, int64_t company,
    struct ticket_list *out)
{
	struct db_res	*r;
	int64_t		 owner = scope_owner(c), page, per;
	int64_t		 state = q->state, staff = q->staff_id;
	const char	*kind = q->kind >= 0 ? ticket_kind_name(q->kind) : "";
	int		 i;

	memset(out, 0, sizeof(*out));
	per = q->per_page > 0 ? q->per_page : 20;
	page = q->page > 0 ? q->page : 1;
	if (db_run(c->arena, &r, sql_count, "iiiiiiiissiiiiiii", c->shop->id,
	    owner, owner, company, company, state, state,
	    state >= 0 ? ticket_state_name(state) : "", kind, kind, staff,
	    staff, staff, q->customer_id, q->customer_id,
	    (int64_t)q->overdue, q->min_age_hours) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_list, "iiiiiiiissiiiiiiiii", c->shop->id,
	    owner, owner, company, company, state, state,
	    state >= 0 ? ticket_state_name(state) : "", kind, kind, staff,
	    staff, staff, q->customer_id, q->customer_id,
	    (int64_t)q->overdue, q->min_age_hours, per, (page - 1) * per) == -1)
		return ERR_INTERNAL;
	out->rows = arena_calloc(c->arena, (size_t)r->nrows + 1,
	    sizeof(*out->rows));
	for (i = 0; i < r->nrows; i++)
		row(r, i, &out->rows[i]);
	out->n = r->nrows;
	return 0;
}

int
ticket_list(struct dctx *c, const struct ticket_query *q,
    struct ticket_list *out)
{
	struct db_res	*r;
	int		 rc;

	if (c->sess.kind != SESS_STAFF ||
	    !session_staff_role(&c->sess, TICKET_ROLES)) {
		memset(out, 0, sizeof(*out));
		return ERR_FORBIDDEN;
	}
	if ((rc = run_list(c, q, -1, out)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_my_overdue, "ii", c->shop->id,
	    c->sess.user_id) == -1)
		return ERR_INTERNAL;
	out->my_overdue = db_cell_i64(r, 0, 0);
	return 0;
}

int
ticket_mine(struct dctx *c, int64_t page, int per, struct ticket_list *out)
{
	struct ticket_query	q = { -1, -1, -1, 0, 0, 0, page, per };

	if (c->sess.kind != SESS_CUSTOMER) {
		memset(out, 0, sizeof(*out));
		return ERR_NOT_FOUND;
	}
	return run_list(c, &q, c->sess.customer_id, out);
}

static int
timeline(struct dctx *c, struct ticket *t)
{
	struct db_res	*r, *p;
	struct ticket_event *e;
	int		 i, j, k;

	if (db_run(c->arena, &r, sql_events, "iii", c->shop->id, t->id,
	    (int64_t)(c->sess.kind == SESS_STAFF)) == -1 ||
	    db_run(c->arena, &p, sql_photos, "ii", c->shop->id, t->id) == -1)
		return ERR_INTERNAL;
	e = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(*e));
	for (i = 0; i < r->nrows; i++) {
		e[i].id = db_cell_i64(r, i, 0);
		e[i].kind = db_cell(r, i, 1);
		e[i].from = db_cell(r, i, 2);
		e[i].to = db_cell(r, i, 3);
		e[i].by_staff = db_cell_i64(r, i, 4) != 0;
		e[i].by_customer = db_cell_i64(r, i, 5) != 0;
		e[i].who = db_cell(r, i, 6);
		e[i].source = db_cell(r, i, 7);
		e[i].body = db_cell(r, i, 8);
		e[i].internal = db_cell_i64(r, i, 9) != 0;
		e[i].time = db_cell(r, i, 10);
		e[i].photos = arena_calloc(c->arena, (size_t)p->nrows + 1,
		    sizeof(*e[i].photos));
		for (j = 0, k = 0; j < p->nrows; j++)
			if (db_cell_i64(p, j, 1) == e[i].id) {
				e[i].photos[k].id = db_cell_i64(p, j, 0);
				e[i].photos[k++].event_id = e[i].id;
			}
		e[i].nphotos = k;
	}
	t->events = e;
	t->nevents = r->nrows;
	return 0;
}

int
ticket_get(struct dctx *c, int64_t id, struct ticket *t)
{
	struct db_res	*r;
	int64_t		 owner = scope_owner(c);

	memset(t, 0, sizeof(*t));
	c->error = "工单不存在";
	if (c->sess.kind == SESS_NONE || (c->sess.kind == SESS_STAFF &&
	    !session_staff_role(&c->sess, TICKET_ROLES)))
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_one, "iiiiii", id, c->shop->id, owner,
	    owner, ticket_scope_company(c), ticket_scope_company(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	row(r, 0, t);
	c->error = NULL;
	return timeline(c, t);
}

int
ticket_assignees(struct dctx *c, struct ticket_staff **out, int *n)
{
	struct db_res	*r;
	int		 i;

	*out = NULL;
	*n = 0;
	if (db_run(c->arena, &r, sql_staff, "is", c->shop->id,
	    TICKET_ROLES) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		(*out)[i].id = db_cell_i64(r, i, 0);
		(*out)[i].name = db_cell(r, i, 1);
		(*out)[i].role = db_cell(r, i, 2);
	}
	*n = r->nrows;
	return 0;
}

/* Photo pid of ticket id, or its thumbnail, for the ticket's readers. */
int
ticket_photo_read(struct dctx *c, int64_t id, int64_t pid, int thumb,
    struct buf *out)
{
	struct db_res	*r;
	const char	*rel, *path;
	int64_t		 owner = scope_owner(c);

	c->error = "没有这张照片";
	if (c->sess.kind == SESS_NONE || (c->sess.kind == SESS_STAFF &&
	    !session_staff_role(&c->sess, TICKET_ROLES)))
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_photo, "iiiiiii", pid, id, c->shop->id,
	    owner, owner, ticket_scope_company(c),
	    ticket_scope_company(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0 || !image_rel_valid(rel = db_cell(r, 0, thumb != 0)))
		return ERR_NOT_FOUND;
	path = arena_printf(c->arena, "%s/%s", image_root(IMAGE_PRIVATE), rel);
	if (image_read_file(path, PHOTO_READ_MAX, out) == 0) {
		c->error = NULL;
		return 0;
	}
	clog_warnx(c, "ticket photo: ticket=%" PRId64 " photo=%" PRId64
	    " read %s: %s", id, pid, path, strerror(errno));
	return errno == ENOENT ? ERR_NOT_FOUND : ERR_INTERNAL;
}

/* The median of rows [from, to) of r's column 1, sorted; -1: none. */
static int64_t
median(struct db_res *r, int from, int to)
{
	int	n = to - from;

	if (n <= 0)
		return -1;
	if (n % 2)
		return db_cell_i64(r, from + n / 2, 1);
	return (db_cell_i64(r, from + n / 2 - 1, 1) +
	    db_cell_i64(r, from + n / 2, 1)) / 2;
}

int
ticket_report_months(struct dctx *c, int months, struct ticket_month **out,
    int *n)
{
	struct db_res	*r, *m;
	int		 i, j = 0, k;

	*out = NULL;
	*n = 0;
	if (months < 1 || months > 36)
		months = 12;
	if (db_run(c->arena, &r, sql_months, "ii", c->shop->id,
	    (int64_t)(months - 1)) == -1 || db_run(c->arena, &m, sql_minutes,
	    "ii", c->shop->id, (int64_t)(months - 1)) == -1)
		return ERR_INTERNAL;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		(*out)[i].month = db_cell(r, i, 0);
		(*out)[i].opened = db_cell_i64(r, i, 1);
		while (j < m->nrows && strcmp(db_cell(m, j, 0),
		    (*out)[i].month) < 0)
			j++;
		for (k = j; k < m->nrows && strcmp(db_cell(m, k, 0),
		    (*out)[i].month) == 0; k++)
			;
		(*out)[i].median_first_minutes = median(m, j, k);
		j = k;
	}
	*n = r->nrows;
	return 0;
}
