/*
 * statement.h -- monthly statements (对账单, domain/statement*.c): made
 * once per company and month from the AR account's entries, confirmed or
 * disputed by the company's finance user, answered by staff.
 */
#ifndef DOMAIN_STATEMENT_H
#define DOMAIN_STATEMENT_H

#include "base/base.h"

struct dctx;
struct ledger_row;

#define STATEMENT_CONFIRM_ROLES	"finance"	/* company users */
#define STATEMENT_ANSWER_ROLES	"owner,admin,finance"
#define STATEMENT_COMMENT_MAX	200	/* characters */
#define STATEMENT_PER_PAGE	20

enum statement_state { ST_OPEN, ST_CONFIRMED, ST_DISPUTED };

struct statement_row {
	int64_t		 id;
	int64_t		 customer_id;
	const char	*customer;
	const char	*period;	/* "YYYY-MM" */
	int64_t		 opening_fen;
	int64_t		 debit_fen;
	int64_t		 credit_fen;
	int64_t		 closing_fen;
	int64_t		 entries;
	enum statement_state state;
	const char	*decided_by;
	const char	*decided_at;
	const char	*comment;
	const char	*answer;
	const char	*answered_by;
	const char	*created;
};
struct statement {
	struct statement_row head;
	struct ledger_row *lines;	/* oldest first */
	int		 n;
	int64_t		*disputed;	/* entry ids the dispute names */
	int		 ndisputed;
};
struct statement_page {
	struct statement_row *rows;
	int		 n;
	int64_t		 total;
};

const char	*statement_state_name(enum statement_state);
const char	*statement_state_label(enum statement_state);
int		 statement_state_parse(const char *);
int		 statement_period_valid(const char *);
void		 statement_last_period(time_t, char [8]);

/* statement.c */
int	statements_generate(struct arena *, const char *, int64_t, int64_t *);
int	statement_list(struct dctx *, int, int64_t, int,
	    struct statement_page *);
int	statement_get(struct dctx *, int64_t, struct statement *);

/* statement_decide.c */
int	statement_confirm(struct dctx *, int64_t);
int	statement_dispute(struct dctx *, int64_t, const int64_t *, int,
	    const char *);
int	statement_answer(struct dctx *, int64_t, const char *);

#endif /* DOMAIN_STATEMENT_H */
