/*
 * dealer_application.c -- dealer applications as staff and the applicant
 * read them: the shop's list (pending first, or one status), one by id
 * for staff, one by its status link's token for the applicant, and the
 * line a login with a waiting or refused application's password gets
 * instead of "wrong password". Every query is bound to the request's
 * shop; another shop's application is not found.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/auth.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/dealer_application.h"

/* A DATETIME column as China Standard Time (the connection is UTC). */
#define LOCAL(col)	"DATE_FORMAT(" col " + INTERVAL 8 HOUR, " \
			"'%Y-%m-%d %H:%i')"

#define COLS \
    "SELECT a.id, a.company, a.contact_name, a.phone, a.region, " \
    "a.address, a.tax_id, a.message, a.licence_path, a.licence_thumb, " \
    "a.licence_width, a.licence_height, a.status, a.reason, s.name, " \
    LOCAL("a.reviewed_at") ", COALESCE(a.customer_id, 0), c.name, a.ip, " \
    LOCAL("a.created_at") " FROM dealer_application a " \
    "LEFT JOIN staff s ON s.id = a.reviewed_by AND s.shop_id = a.shop_id " \
    "LEFT JOIN customer c ON c.id = a.customer_id " \
    "AND c.shop_id = a.shop_id "

/* Filters are bound as values: '' switches the status off. */
#define LIST_WHERE "WHERE a.shop_id = ? AND (? = '' OR a.status = ?) "

static const char sql_one[] = COLS "WHERE a.id = ? AND a.shop_id = ?";
static const char sql_token[] =
    COLS "WHERE a.token_hash = ? AND a.shop_id = ?";
static const char sql_count[] =
    "SELECT COUNT(*) FROM dealer_application a " LIST_WHERE;
static const char sql_list[] =
    COLS LIST_WHERE "ORDER BY a.status = 'pending' DESC, a.id DESC "
    "LIMIT ? OFFSET ?";
static const char sql_pending[] =
    "SELECT COUNT(*) FROM dealer_application WHERE shop_id = ? "
    "AND status = 'pending'";
/* The phone's last application not approved, if it has no account. */
static const char sql_note[] =
    "SELECT a.status, a.reason, a.password_hash FROM dealer_application a "
    "WHERE a.shop_id = ? AND a.phone = ? AND a.status <> 'approved' "
    "AND NOT EXISTS (SELECT 1 FROM customer_user u WHERE "
    "u.shop_id = a.shop_id AND u.phone = a.phone) "
    "ORDER BY a.id DESC LIMIT 1";

static const char *const status_names[] = {
	[DEALER_PENDING] = "pending",
	[DEALER_APPROVED] = "approved",
	[DEALER_REJECTED] = "rejected",
};

const char *
dealer_status_name(enum dealer_status s)
{
	return s <= DEALER_REJECTED ? status_names[s] : "pending";
}

/* "pending", "approved" or "rejected": 0, or -1 for anything else. */
int
dealer_status_parse(const char *s, enum dealer_status *out)
{
	size_t	i;

	for (i = 0; s != NULL && i < sizeof(status_names) /
	    sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum dealer_status)i;
			return 0;
		}
	return -1;
}

static void
fill(const struct db_res *r, int i, struct dealer_app *a)
{
	enum dealer_status	st = DEALER_PENDING;

	memset(a, 0, sizeof(*a));
	a->id = db_cell_i64(r, i, 0);
	a->company = db_cell(r, i, 1);
	a->contact_name = db_cell(r, i, 2);
	a->phone = db_cell(r, i, 3);
	a->region = db_cell(r, i, 4);
	a->address = db_cell(r, i, 5);
	a->tax_id = db_cell(r, i, 6);
	a->message = db_cell(r, i, 7);
	a->licence = db_cell(r, i, 8);
	a->licence_thumb = db_cell(r, i, 9);
	a->licence_w = db_cell_i64(r, i, 10);
	a->licence_h = db_cell_i64(r, i, 11);
	(void)dealer_status_parse(db_cell(r, i, 12), &st);
	a->status = st;
	a->reason = db_cell(r, i, 13);
	a->reviewer = db_cell(r, i, 14);
	a->reviewed = db_cell(r, i, 15);
	a->customer_id = db_cell_i64(r, i, 16);
	a->customer_name = db_cell(r, i, 17);
	a->ip = db_cell(r, i, 18);
	a->created = db_cell(r, i, 19);
}

static int
one(struct dctx *c, const char *sql, const char *fmt, const char *key,
    int64_t id, struct dealer_app *a)
{
	struct db_res	*r;
	int		 rc;

	memset(a, 0, sizeof(*a));
	rc = key != NULL ? db_run(c->arena, &r, sql, fmt, key, c->shop->id) :
	    db_run(c->arena, &r, sql, fmt, id, c->shop->id);
	if (rc == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "申请不存在";
		return ERR_NOT_FOUND;
	}
	fill(r, 0, a);
	return 0;
}

/* An application of the request's shop: 0, ERR_NOT_FOUND, ERR_INTERNAL. */
int
dealer_get(struct dctx *c, int64_t id, struct dealer_app *a)
{
	return one(c, sql_one, "ii", NULL, id, a);
}

/*
 * The application whose status link carries token (DEALER_TOKEN_HEX hex
 * digits; only its hash is stored). 0, ERR_NOT_FOUND or ERR_INTERNAL.
 */
int
dealer_by_token(struct dctx *c, const char *token, struct dealer_app *a)
{
	char	hash[DEALER_TOKEN_HEX + 1];

	memset(a, 0, sizeof(*a));
	if (token == NULL || !hex_valid(token, DEALER_TOKEN_HEX)) {
		c->error = "申请不存在或链接有误";
		return ERR_NOT_FOUND;
	}
	token_hash(token, hash);
	return one(c, sql_token, "si", hash, 0, a);
}

/* One page of the shop's applications, pending first, newest first. */
int
dealer_list(struct dctx *c, const struct dealer_query *q,
    struct dealer_list *out)
{
	struct db_res	*r;
	const char	*st = q->all ? "" : dealer_status_name(q->status);
	int64_t		 page = q->page > 0 ? q->page : 1;
	int		 i;

	memset(out, 0, sizeof(*out));
	if (db_run(c->arena, &r, sql_count, "iss", c->shop->id, st, st) == -1)
		return ERR_INTERNAL;
	out->total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_list, "issii", c->shop->id, st, st,
	    (int64_t)q->per_page, (page - 1) * q->per_page) == -1)
		return ERR_INTERNAL;
	out->rows = arena_calloc(c->arena, (size_t)r->nrows + 1,
	    sizeof(*out->rows));
	for (i = 0; i < r->nrows; i++)
		fill(r, i, &out->rows[i]);
	out->n = r->nrows;
	return 0;
}

/* Applications that wait for staff: 0 or ERR_INTERNAL. */
int
dealer_pending_count(struct dctx *c, int64_t *n)
{
	struct db_res	*r;

	*n = 0;
	if (db_run(c->arena, &r, sql_pending, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	*n = db_cell_i64(r, 0, 0);
	return 0;
}

/*
 * A customer login that failed: if the phone has no account but an
 * application that waits or was refused, and the password is the one
 * it was made with, say so in c->error instead of "wrong password".
 * Only the password's owner learns the application exists; the login
 * has counted its failure already, so this adds no guesses. 1 when
 * c->error was replaced, else 0 (a database error changes nothing).
 */
int
dealer_login_note(struct dctx *c, const char *phone, const char *password)
{
	struct db_res	*r;
	const char	*hash;

	if (phone == NULL || password == NULL || db_run(c->arena, &r,
	    sql_note, "is", c->shop->id, phone) == -1 || r->nrows == 0)
		return 0;
	hash = db_cell(r, 0, 2);
	if (hash == NULL || *hash == '\0' || !auth_verify(hash, password))
		return 0;
	if (strcmp(db_cell(r, 0, 0), "pending") == 0)
		c->error = "您的经销商申请正在审核中，审核通过后即可用这个手机号"
		    "和密码登录";
	else
		c->error = arena_printf(c->arena, "您的经销商申请未通过：%s。"
		    "如有疑问请联系我们，也可以修改资料后重新申请",
		    db_cell(r, 0, 1));
	clog_info(c, "login: dealer application %s phone=%s",
	    db_cell(r, 0, 0), phone);
	return 1;
}
