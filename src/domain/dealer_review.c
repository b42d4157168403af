/*
 * dealer_review.c -- what staff decide about a dealer application. An
 * approval makes, in one transaction with the application marked
 * approved: the customer company (level, salesperson and payment terms
 * checked by the company form's own rules, company_check), its first
 * user -- the applicant, role DEALER_USER_ROLE, with the password they
 * chose -- and, when they gave an address, its default delivery address.
 * The application's row is locked first, so a second approval, by the
 * same hand twice or by two staff at once, finds it approved and makes
 * nothing. A salesperson's approval makes the company their own, as a
 * company they create is (domain/scope.h). A refusal needs a reason,
 * which the applicant reads.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/pricing.h"
#include "domain/session.h"
#include "domain/customer.h"
#include "domain/customer_user.h"
#include "domain/scope.h"
#include "domain/dealer_application.h"

static const char sql_lock[] =
    "SELECT status, COALESCE(customer_id, 0), company, contact_name, "
    "phone, region, address, tax_id, password_hash "
    "FROM dealer_application WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_has_user[] =
    "SELECT COUNT(*) FROM customer_user WHERE shop_id = ? AND phone = ?";
static const char sql_company_add[] =
    "INSERT INTO customer (shop_id, name, level_id, owner_staff_id, tags, "
    "tax_id, contact_name, contact_phone, status, payment_terms, "
    "credit_days, credit_limit_fen) "
    "VALUES (?, ?, ?, ?, '', ?, ?, ?, 'active', ?, ?, ?)";
static const char sql_address_add[] =
    "INSERT INTO customer_address (shop_id, customer_id, receiver, phone, "
    "region, address, is_default) VALUES (?, ?, ?, ?, ?, ?, 1)";
static const char sql_approved[] =
    "UPDATE dealer_application SET status = 'approved', customer_id = ?, "
    "reviewed_by = ?, reviewed_at = NOW(3), password_hash = '' "
    "WHERE id = ? AND shop_id = ? AND status = 'pending'";
static const char sql_rejected[] =
    "UPDATE dealer_application SET status = 'rejected', reason = ?, "
    "reviewed_by = ?, reviewed_at = NOW(3) "
    "WHERE id = ? AND shop_id = ? AND status = 'pending'";

/* The application's row, locked: what an approval copies from it. */
struct locked {
	const char	*status;
	int64_t		 customer_id;
	const char	*company;
	const char	*contact_name;
	const char	*phone;
	const char	*region;
	const char	*address;
	const char	*tax_id;
	const char	*pwhash;
};

static int
lock(struct dctx *c, int64_t id, struct locked *l)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_lock, "ii", id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "申请不存在";
		return ERR_NOT_FOUND;
	}
	l->status = db_cell(r, 0, 0);
	l->customer_id = db_cell_i64(r, 0, 1);
	l->company = db_cell(r, 0, 2);
	l->contact_name = db_cell(r, 0, 3);
	l->phone = db_cell(r, 0, 4);
	l->region = db_cell(r, 0, 5);
	l->address = db_cell(r, 0, 6);
	l->tax_id = db_cell(r, 0, 7);
	l->pwhash = db_cell(r, 0, 8);
	return 0;
}

struct approve {
	int64_t				 id;
	const struct dealer_approval	*in;
	struct field_errs		*fe;
	int64_t				 customer_id;	/* out */
	int				 already;	/* out */
};

/* The company form's input for the application l and staff's choices. */
static void
company_input(const struct locked *l, const struct dealer_approval *ap,
    struct company_input *in)
{
	memset(in, 0, sizeof(*in));
	in->fields = 1;
	in->name = l->company;
	in->level_id = ap->level_id;
	in->owner_staff_id = ap->owner_staff_id;
	in->tax_id = l->tax_id;
	in->contact_name = l->contact_name;
	in->contact_phone = l->phone;
	in->status = "active";
	/* A form without terms (a role that may not set them) keeps the
	 * default, prepaid, as a new company does. */
	in->credit = ap->terms != NULL || ap->days != NULL || ap->limit != NULL;
	in->terms = ap->terms;
	in->days = ap->days;
	in->limit = ap->limit;
}

static const char *
id_or_null(struct dctx *c, const char *s)
{
	const char	*why;
	int64_t		 v;

	if (s == NULL || parse_i64(s, 1, INT64_MAX, &v, &why) == -1)
		return NULL;
	return arena_printf(c->arena, "%" PRId64, v);
}

/*
 * Store the company company_check passed: its id in *id. Its salesperson
 * is the one chosen, or for those who may not choose, themselves.
 */
static int
company_add(struct dctx *c, const struct company_input *in, int64_t *id)
{
	struct db_res	*r;
	const char	*terms = "prepaid", *why, *owner;
	int64_t		 days = 0, limit = 0;

	owner = scope_may_assign(c) ? id_or_null(c, in->owner_staff_id) :
	    scope_owner(c) != 0 ? arena_printf(c->arena, "%" PRId64,
	    scope_owner(c)) : NULL;

	if (in->credit && in->terms != NULL && strcmp(in->terms, "monthly") ==
	    0) {
		terms = "monthly";
		if (parse_i64(in->days, 1, 365, &days, &why) == -1 ||
		    parse_yuan(in->limit, &limit, &why) == -1)
			return ERR_INTERNAL;	/* company_check said yes */
	}
	if (db_run(c->arena, &r, sql_company_add, "isssssssii", c->shop->id,
	    in->name, id_or_null(c, in->level_id), owner, in->tax_id,
	    in->contact_name, in->contact_phone, terms, days, limit) == -1)
		return ERR_INTERNAL;
	*id = (int64_t)r->insert_id;
	return 0;
}

static int
tx_approve(struct dctx *c, void *arg)
{
	struct approve		*a = arg;
	struct company		 cur;
	struct company_input	 in;
	struct customer_user	 u;
	struct locked		 l;
	struct db_res		*r;
	int64_t			 user_id, n;
	int			 rc;

	a->customer_id = 0;
	a->already = 0;
	a->fe->n = 0;
	c->error = NULL;
	if ((rc = lock(c, a->id, &l)) != 0)
		return rc;
	if (strcmp(l.status, "approved") == 0) {
		a->customer_id = l.customer_id;
		a->already = 1;
		return 0;
	}
	if (strcmp(l.status, "pending") != 0) {
		c->error = "该申请已被拒绝，不能再通过";
		return ERR_CONFLICT;
	}
	company_new(c, &cur);
	company_input(&l, a->in, &in);
	if ((rc = company_check(c, &cur, &in, a->fe)) != 0)
		return rc;
	if (a->fe->n > 0)
		return ERR_INVALID;
	if (db_run(c->arena, &r, sql_has_user, "is", c->shop->id, l.phone) ==
	    -1)
		return ERR_INTERNAL;
	if ((n = db_cell_i64(r, 0, 0)) > 0) {
		c->error = "这个手机号已有本店的客户账号（可能已由业务员开通），"
		    "不能再用它开通；请拒绝本申请并说明原因";
		return ERR_CONFLICT;
	}
	if ((rc = company_add(c, &in, &a->customer_id)) != 0)
		return rc;
	memset(&u, 0, sizeof(u));
	u.name = l.contact_name;
	u.phone = l.phone;
	u.role = DEALER_USER_ROLE;
	if ((rc = customer_user_add(c, a->customer_id, &u, l.pwhash, &user_id,
	    a->fe)) != 0)
		return rc;
	if (*l.address != '\0' && db_run(c->arena, NULL, sql_address_add,
	    "iissss", c->shop->id, a->customer_id, l.contact_name, l.phone,
	    l.region, l.address) == -1)
		return ERR_INTERNAL;
	if (db_run(c->arena, &r, sql_approved, "iiii", a->customer_id,
	    c->sess.user_id, a->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->affected != 1)		/* cannot be, under the lock */
		return ERR_INTERNAL;
	return audit(c, "dealer.approve", "application=%" PRId64 " customer=%"
	    PRId64 " user=%" PRId64 " name=%s level=%s owner=%s terms=%s",
	    a->id, a->customer_id, user_id, l.company,
	    in.level_id != NULL && *in.level_id ? in.level_id : "0",
	    scope_may_assign(c) ? (in.owner_staff_id != NULL &&
	    *in.owner_staff_id ? in.owner_staff_id : "0") :
	    arena_printf(c->arena, "%" PRId64, scope_owner(c)),
	    in.credit && in.terms ? in.terms : "prepaid");
}

/*
 * Approve a pending application of the request's shop into a customer
 * company and its first user. 0, the company's id in *customer_id and
 * *already 1 when it had been approved before (nothing made now);
 * ERR_INVALID (fe: level, salesperson, terms), ERR_FORBIDDEN (terms the
 * actor may not set), ERR_CONFLICT (refused before, or the phone has an
 * account now: c->error), ERR_NOT_FOUND or ERR_INTERNAL.
 */
int
dealer_approve(struct dctx *c, int64_t id, const struct dealer_approval *in,
    int64_t *customer_id, int *already, struct field_errs *fe)
{
	struct approve	a;
	int		rc;

	memset(&a, 0, sizeof(a));
	a.id = id;
	a.in = in;
	a.fe = fe;
	*customer_id = 0;
	*already = 0;
	if ((rc = db_tx_run(c, tx_approve, &a)) != 0) {
		clog_info(c, "dealer application %" PRId64 " not approved "
		    "rc=%d why=%s", id, rc, c->error != NULL ? c->error :
		    "fields");
		return rc;
	}
	*customer_id = a.customer_id;
	*already = a.already;
	clog_info(c, "dealer application %" PRId64 " approved customer=%"
	    PRId64 "%s", id, a.customer_id, a.already ? " already=1" : "");
	return 0;
}

struct reject {
	int64_t		 id;
	const char	*reason;
};

static int
tx_reject(struct dctx *c, void *arg)
{
	struct reject	*j = arg;
	struct locked	 l;
	int		 rc;

	c->error = NULL;
	if ((rc = lock(c, j->id, &l)) != 0)
		return rc;
	if (strcmp(l.status, "rejected") == 0)
		return 0;		/* twice: the first reason stands */
	if (strcmp(l.status, "pending") != 0) {
		c->error = "该申请已通过，不能再拒绝；如需停用，请到客户页面"
		    "停用该公司";
		return ERR_CONFLICT;
	}
	if (db_run(c->arena, NULL, sql_rejected, "siii", j->reason,
	    c->sess.user_id, j->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "dealer.reject", "application=%" PRId64 " reason=%s",
	    j->id, j->reason);
}

/*
 * Refuse a pending application with a reason the applicant will read.
 * 0 (also when it was refused before), ERR_INVALID (fe: the reason),
 * ERR_CONFLICT (approved already), ERR_NOT_FOUND or ERR_INTERNAL.
 */
int
dealer_reject(struct dctx *c, int64_t id, const char *reason,
    struct field_errs *fe)
{
	struct reject	j = { id, reason };
	int		rc;

	if (field_text(c->arena, fe, "reason", "拒绝原因", reason, 1,
	    DEALER_REASON_MAX) != 1)
		return ERR_INVALID;
	if ((rc = db_tx_run(c, tx_reject, &j)) != 0)
		return rc;
	clog_info(c, "dealer application %" PRId64 " rejected", id);
	return 0;
}
