/*
 * h_statement.c -- monthly statements (对账单) in H5 and JSON: the
 * company's list and one statement with its lines, which its finance
 * user confirms or disputes (ticking the lines in question, with a
 * comment); the back office's list by state and one statement with the
 * answer form. domain/statement*.c decides and keeps each to its own.
 */
#include "base/base.h"
#include "domain/ledger.h"
#include "domain/statement.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "handlers/h_money.h"

#define MINE	"/account/statements"
#define STAFF	"/admin/finance/statements"

static const struct field comment_fields[] = {
	{ "comment", FIELD_TEXT, FIELD_REQUIRED, 1, STATEMENT_COMMENT_MAX,
	  "说明" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *const notices[][2] = {
	{ "confirmed", "对账单已确认" },
	{ "disputed", "异议已提交，商家会核对后回复" },
	{ "answered", "已回复，客户可以重新确认" },
};

static json_object *
row_view(struct ctx *c, const struct statement_row *t, const char *base)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "id", t->id);
	view_set_i64(o, "customer_id", t->customer_id);
	view_set_str(o, "customer", t->customer);
	view_set_str(o, "period", t->period);
	view_set_money(c, o, "opening", t->opening_fen);
	view_set_money(c, o, "debit", t->debit_fen);
	view_set_money(c, o, "credit", -t->credit_fen);
	view_set_money(c, o, "closing", t->closing_fen);
	view_set_i64(o, "entries", t->entries);
	view_set_str(o, "state", statement_state_name(t->state));
	view_set_str(o, "state_label", statement_state_label(t->state));
	view_set_bool(o, "is_open", t->state == ST_OPEN);
	view_set_bool(o, "is_disputed", t->state == ST_DISPUTED);
	view_set_bool(o, "is_confirmed", t->state == ST_CONFIRMED);
	view_set_str(o, "decided_by", t->decided_by);
	view_set_str(o, "decided_at", t->decided_at);
	view_set_str(o, "comment", t->comment && *t->comment ? t->comment :
	    NULL);
	view_set_str(o, "answer", t->answer && *t->answer ? t->answer : NULL);
	view_set_str(o, "answered_by", t->answered_by);
	view_set_str(o, "created", t->created);
	view_set_str(o, "url", ctx_link(c, arena_printf(c->d.arena,
	    "%s/%" PRId64, base, t->id)));
	return o;
}

static int
list_page(struct ctx *c, const char *base, int staff)
{
	struct statement_page	 p;
	const char		*sq = kv_get(&c->query, "state");
	json_object		*v, *a;
	int			 i, rc, st = statement_state_parse(sq);

	if ((rc = statement_list(&c->d, st, 0, (int)query_page(c), &p)) != 0)
		return http_fail(c, rc, c->d.error);
	v = staff ? admin_view(c, "finance") : view_new(c);
	a = json_object_new_array();
	for (i = 0; i < p.n; i++)
		json_object_array_add(a, row_view(c, &p.rows[i], base));
	json_object_object_add(v, "statements", a);
	view_set_bool(v, "empty", p.total == 0);
	view_set_str(v, "state", st >= 0 ? statement_state_name(st) : "");
	view_set_bool(v, "on_all", st < 0);
	view_set_bool(v, "on_open", st == ST_OPEN);
	view_set_bool(v, "on_disputed", st == ST_DISPUTED);
	view_set_bool(v, "on_confirmed", st == ST_CONFIRMED);
	view_pager(c, v, p.total, STATEMENT_PER_PAGE, st >= 0 ?
	    arena_printf(c->d.arena, "%s?state=%s", base,
	    statement_state_name(st)) : base);
	if (staff)
		h_money_finance_tabs(c, v, "statements");
	c->title = "对账单";
	return render(c, staff ? "admin/statements" : "statements");
}

static int
h_statements(struct ctx *c)
{
	return list_page(c, MINE, 0);
}

static int
h_admin_statements(struct ctx *c)
{
	return list_page(c, STAFF, 1);
}

static int
one_page(struct ctx *c, int64_t id, int staff, int status, const char *error,
    const struct form *f)
{
	struct statement	 t;
	json_object		*v, *a, *o;
	const char		*base = staff ? STAFF : MINE;
	int			 i, j, rc;

	if ((rc = statement_get(&c->d, id, &t)) != 0)
		return http_fail(c, rc, c->d.error);
	v = staff ? admin_view(c, "finance") : view_new(c);
	json_object_object_add(v, "statement", row_view(c, &t.head, base));
	a = json_object_new_array();
	for (i = 0; i < t.n; i++) {
		o = h_money_entry_view(c, &t.lines[i]);
		for (j = 0; j < t.ndisputed; j++)
			if (t.disputed[j] == t.lines[i].id)
				view_set_bool(o, "disputed", 1);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "lines", a);
	view_set_bool(v, "no_lines", t.n == 0);
	view_set_bool(v, "may_decide", !staff && t.head.state != ST_CONFIRMED &&
	    c->d.sess.role != NULL &&
	    name_in_list(STATEMENT_CONFIRM_ROLES, c->d.sess.role));
	view_set_bool(v, "may_answer", staff && t.head.state == ST_DISPUTED &&
	    session_staff_role(&c->d.sess, STATEMENT_ANSWER_ROLES));
	view_set_str(v, "confirm_action", ctx_link(c, arena_printf(c->d.arena,
	    "%s/%" PRId64 "/confirm", base, id)));
	view_set_str(v, "dispute_action", ctx_link(c, arena_printf(c->d.arena,
	    "%s/%" PRId64 "/dispute", base, id)));
	view_set_str(v, "answer_action", ctx_link(c, arena_printf(c->d.arena,
	    "%s/%" PRId64 "/answer", base, id)));
	view_set_str(v, "list_url", ctx_link(c, base));
	view_set_str(v, "invoice_url", staff ? NULL : ctx_link(c, arena_printf(
	    c->d.arena, "/account/invoices/new?statement=%" PRId64, id)));
	view_set_str(v, "export_base", ctx_link(c, arena_printf(c->d.arena,
	    "%s/%" PRId64, base, id)));
	view_set_str(v, "ledger_url", ctx_link(c, staff ? arena_printf(
	    c->d.arena, "/admin/customers/%" PRId64 "/ledger",
	    t.head.customer_id) : "/account/ledger"));
	view_set_str(v, "flash", REQ_NOTICE(c, notices));
	view_set_str(v, "error", error);
	view_set_str(v, "comment", req_param(c, "comment"));
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	if (status != 0)
		c->status = status;
	c->title = arena_printf(c->d.arena, "%s 对账单", t.head.period);
	return render(c, staff ? "admin/statement" : "statement");
}

static int
h_statement(struct ctx *c)
{
	return one_page(c, route_cap(c, 0), 0, 0, NULL, NULL);
}

static int
h_admin_statement(struct ctx *c)
{
	return one_page(c, route_cap(c, 0), 1, 0, NULL, NULL);
}

/* A refused decision: JSON says why; the page shows it again. */
static int
refused(struct ctx *c, int64_t id, int staff, int rc, const struct form *f)
{
	if (c->json_out || rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
		return http_fail(c, rc, f != NULL && f->error ? f->error :
		    c->d.error);
	return one_page(c, id, staff, err_status(rc), f != NULL && f->error ?
	    f->error : c->d.error, f);
}

static int
done(struct ctx *c, int64_t id, const char *base, const char *what)
{
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "%s/%" PRId64 "?done=%s", base, id, what)));
}

static int
h_statement_confirm(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);
	int	rc;

	if ((rc = statement_confirm(&c->d, id)) != 0)
		return refused(c, id, 0, rc, NULL);
	return done(c, id, MINE, "confirmed");
}

static int
h_statement_dispute(struct ctx *c)
{
	struct form	 f;
	int64_t		 id = route_cap(c, 0), *lines;
	int		 n, rc;

	form_parse(c, comment_fields, &f);
	if (f.error != NULL)
		return refused(c, id, 0, ERR_INVALID, &f);
	n = h_money_ids(c, "entry_id", &lines, 500);
	if ((rc = statement_dispute(&c->d, id, lines, n > 500 ? 500 : n,
	    f.v[0].s)) != 0)
		return refused(c, id, 0, rc, NULL);
	return done(c, id, MINE, "disputed");
}

static int
h_statement_answer(struct ctx *c)
{
	struct form	 f;
	int64_t		 id = route_cap(c, 0);
	int		 rc;

	form_parse(c, comment_fields, &f);
	if (f.error != NULL)
		return refused(c, id, 1, ERR_INVALID, &f);
	if ((rc = statement_answer(&c->d, id, f.v[0].s)) != 0)
		return refused(c, id, 1, rc, NULL);
	return done(c, id, STAFF, "answered");
}

#define API	"^(?:/api/v1)?"
#define ONE	API MINE "/([0-9]{1,18})"
#define SONE	"^" STAFF "/([0-9]{1,18})"
const struct route h_statement_routes[] = {
	{ "GET", API MINE "$", h_statements, ROUTE_CUSTOMER, NULL },
	{ "GET", ONE "$", h_statement, ROUTE_CUSTOMER, NULL },
	{ "POST", ONE "/confirm$", h_statement_confirm,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", ONE "/dispute$", h_statement_dispute,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "GET", "^" STAFF "$", h_admin_statements, ROUTE_STAFF,
	  ADMIN_ROLES_FINANCE },
	{ "GET", SONE "$", h_admin_statement, ROUTE_STAFF,
	  ADMIN_ROLES_FINANCE },
	{ "POST", SONE "/answer$", h_statement_answer,
	  ROUTE_STAFF | ROUTE_CSRF, STATEMENT_ANSWER_ROLES },
	{ NULL, NULL, NULL, 0, NULL }
};
