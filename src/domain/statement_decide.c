/*
 * statement_decide.c -- the company's finance user confirms a statement
 * (对账确认) or disputes it, naming the lines it questions with a
 * comment; staff answer a dispute (an explanation; a correction is an
 * adjustment on the ledger, which lands in the next month's statement)
 * and so reopen it for the company to confirm. A confirmed statement is
 * final. Each is one transaction on the locked statement row.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"
#include "domain/session.h"
#include "domain/statement.h"

static const char sql_lock[] =
    "SELECT t.state, t.period FROM statement t JOIN customer cu "
    "ON cu.id = t.customer_id WHERE t.id = ? AND t.shop_id = ? "
    "AND (? = 0 OR t.customer_id = ?) AND " SCOPE_CUSTOMER("cu")
    " FOR UPDATE";
static const char sql_decide[] =
    "UPDATE statement SET state = ?, decided_by = ?, decided_at = NOW(3), "
    "comment = IF(? = 'disputed', ?, comment) WHERE id = ? AND shop_id = ?";
static const char sql_answer[] =
    "UPDATE statement SET state = 'open', answer = ?, answered_by = ? "
    "WHERE id = ? AND shop_id = ?";
/* A line is the statement's when it is an entry of its account and month. */
static const char sql_line[] =
    "INSERT INTO statement_dispute (shop_id, statement_id, entry_id) "
    "SELECT t.shop_id, t.id, e.id FROM statement t JOIN ledger_entry e "
    "ON e.shop_id = t.shop_id AND e.customer_id = t.customer_id "
    "AND e.account = 'ar' AND e.created_at >= t.starts_at "
    "AND e.created_at < t.ends_at WHERE t.id = ? AND t.shop_id = ? "
    "AND e.id = ?";
static const char sql_clear[] =
    "DELETE FROM statement_dispute WHERE shop_id = ? AND statement_id = ?";

struct dec {
	int64_t			 id;
	enum statement_state	 to;	/* ST_OPEN: staff's answer */
	const int64_t		*lines;
	int			 nlines;
	const char		*text;
};

static int
locked(struct dctx *c, struct dec *d, enum statement_state *st,
    const char **period)
{
	int64_t		 who = c->sess.kind == SESS_CUSTOMER ?
			    c->sess.customer_id : 0;
	struct db_res	*r;
	int		 s;

	if (db_run(c->arena, &r, sql_lock, "iiiii", d->id, c->shop->id, who,
	    who, scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这张对账单";
		return ERR_NOT_FOUND;
	}
	s = statement_state_parse(db_cell(r, 0, 0));
	*st = s < 0 ? ST_OPEN : (enum statement_state)s;
	*period = db_cell(r, 0, 1);
	if (*st == ST_CONFIRMED) {
		c->error = "这张对账单已确认，不能再改";
		c->code = "already_confirmed";
		return ERR_CONFLICT;
	}
	return 0;
}

static int
tx_decide(struct dctx *c, void *arg)
{
	struct dec		*d = arg;
	enum statement_state	 st;
	const char		*period;
	struct db_res		*r;
	int			 i, j, rc;

	c->code = NULL;
	if ((rc = locked(c, d, &st, &period)) != 0)
		return rc;
	if (d->to == ST_OPEN) {
		if (st != ST_DISPUTED) {
			c->error = "这张对账单没有异议，无需回复";
			c->code = "not_disputed";
			return ERR_CONFLICT;
		}
		if (db_run(c->arena, NULL, sql_answer, "siii", d->text,
		    c->sess.user_id, d->id, c->shop->id) == -1)
			return ERR_INTERNAL;
		return audit(c, "statement.answer", "statement=%" PRId64
		    " period=%s", d->id, period) != 0 ? ERR_INTERNAL : 0;
	}
	/* A new dispute replaces the last one's lines; a confirm keeps
	 * them, and the comment, as the record of what was questioned. */
	if (d->to == ST_DISPUTED && db_run(c->arena, NULL, sql_clear, "ii",
	    c->shop->id, d->id) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < d->nlines; i++) {
		for (j = 0; j < i; j++)
			if (d->lines[j] == d->lines[i])
				break;
		if (j < i)
			continue;	/* named twice */
		if (db_run(c->arena, &r, sql_line, "iii", d->id, c->shop->id,
		    d->lines[i]) == -1)
			return ERR_INTERNAL;
		if (r->affected == 0) {
			c->error = "所选的行不在这张对账单上";
			c->code = "invalid_line";
			return ERR_INVALID;
		}
	}
	if (db_run(c->arena, NULL, sql_decide, "sissii",
	    statement_state_name(d->to), c->sess.user_id,
	    statement_state_name(d->to), d->text ? d->text : "", d->id,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	return audit(c, d->to == ST_CONFIRMED ? "statement.confirm" :
	    "statement.dispute", "statement=%" PRId64 " period=%s lines=%d",
	    d->id, period, d->nlines) != 0 ? ERR_INTERNAL : 0;
}

static int
company_finance(struct dctx *c)
{
	if (c->sess.kind == SESS_CUSTOMER && c->sess.role != NULL &&
	    name_in_list(STATEMENT_CONFIRM_ROLES, c->sess.role))
		return 1;
	c->error = c->sess.kind == SESS_CUSTOMER ?
	    "请由公司的财务账号确认或提出异议" : "只有客户的财务可以确认";
	return 0;
}

int
statement_confirm(struct dctx *c, int64_t id)
{
	struct dec	d = { id, ST_CONFIRMED, NULL, 0, NULL };

	if (!company_finance(c))
		return ERR_FORBIDDEN;
	return db_tx_run(c, tx_decide, &d);
}

int
statement_dispute(struct dctx *c, int64_t id, const int64_t *lines, int n,
    const char *comment)
{
	struct dec	d = { id, ST_DISPUTED, lines, n, comment };

	if (!company_finance(c))
		return ERR_FORBIDDEN;
	if (comment == NULL || *comment == '\0') {
		c->error = "请写明哪里不对，商家会据此核对";
		c->code = "comment_required";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_decide, &d);
}

int
statement_answer(struct dctx *c, int64_t id, const char *answer)
{
	struct dec	d = { id, ST_OPEN, NULL, 0, answer };

	if (c->sess.kind != SESS_STAFF ||
	    !session_staff_role(&c->sess, STATEMENT_ANSWER_ROLES)) {
		c->error = "只有店主、管理员和财务可以回复对账异议";
		return ERR_FORBIDDEN;
	}
	if (answer == NULL || *answer == '\0') {
		c->error = "请写明回复";
		c->code = "comment_required";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_decide, &d);
}
