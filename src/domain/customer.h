/*
 * customer.h -- customer companies: one company, its form's checks and
 * its save (domain/customer.c), the back office's list and the form's
 * selects (customer_list.c), the typed field errors every customer-area
 * check returns and the text checks they share (customer_check.c).
 */
#ifndef DOMAIN_CUSTOMER_H
#define DOMAIN_CUSTOMER_H

#include "domain/dctx.h"

/* Staff roles that may set payment terms, credit days and limits. */
#define CUSTOMER_ROLES_CREDIT	"owner,admin,finance"
#define CUSTOMER_MONEY_MAX_FEN	INT64_C(100000000000)	/* 1e9 yuan */

/* One input a check refused: the handler names it (form_error). */
struct field_err {
	const char	*name;		/* the input's: "tax_id" */
	const char	*label;		/* for people: "税号" */
	const char	*why;
};
#define FIELD_ERRS_MAX	16
struct field_errs {
	struct field_err v[FIELD_ERRS_MAX];
	int		 n;
};
void		 field_errs_add(struct field_errs *, const char *,
		     const char *, const char *);
int		 field_errs_has(const struct field_errs *, const char *);
int		 field_text(struct arena *, struct field_errs *, const char *,
		     const char *, const char *, int, size_t);

/* Checks the customer-area modules share. */
char		*customer_trim(struct arena *, const char *);
char		*customer_tags(struct arena *, const char *, const char **);
char		*customer_tax_id(struct arena *, const char *, const char **);
int		 customer_tel_ok(const char *);
int		 customer_one_of(const char *, const char *, const char *);

struct company {
	int64_t		 id;		/* 0: not stored yet */
	const char	*name;
	int64_t		 level_id;	/* 0: none */
	int64_t		 owner_id;	/* 0: none */
	const char	*tags;		/* "华东,重点" */
	const char	*tax_id;
	const char	*contact_name;
	const char	*contact_phone;
	const char	*status;	/* "active" or "disabled" */
	const char	*terms;		/* "prepaid" or "monthly" */
	int64_t		 days;
	int64_t		 limit_fen;
};
void		 company_defaults(struct company *);
void		 company_new(struct dctx *, struct company *);
int		 company_load(struct dctx *, int64_t, struct company *);
int		 company_lock(struct dctx *, int64_t, struct company *);

/*
 * What a company form sent, as typed; NULL is left empty. The form of
 * sales and owners sends the company's own fields (fields), finance's
 * the payment terms alone (credit); the owner's both.
 */
struct company_input {
	int		 fields;
	const char	*name;
	const char	*level_id;
	const char	*owner_staff_id;
	const char	*tags;
	const char	*tax_id;
	const char	*contact_name;
	const char	*contact_phone;
	const char	*status;
	int		 credit;
	const char	*terms;
	const char	*days;
	const char	*limit;		/* yuan */
};
int		 company_check(struct dctx *, const struct company *,
		     const struct company_input *, struct field_errs *);
int		 company_save(struct dctx *, const struct company *,
		     const struct company_input *, struct field_errs *,
		     int64_t *);

/* The list: search, filters and one page. */
struct company_query {
	const char	*q;		/* NULL or "": any */
	int64_t		 level_id;	/* 0: any, -1: none */
	int64_t		 owner_id;	/* 0: any, -1: none (未分配销售) */
	int64_t		 kind;		/* 0: any, 1: dealers, 2: consumers
					 * (零售顾客, customer.kind) */
	int64_t		 page;		/* from 1 */
	int		 per_page;
};
struct company_row {
	int64_t		 id;
	const char	*name;
	const char	*tags;
	const char	*contact_name;
	const char	*contact_phone;
	int		 monthly;
	int64_t		 days;
	int64_t		 limit_fen;
	int		 active;
	const char	*level;		/* NULL: none */
	const char	*owner;		/* NULL: none */
	int64_t		 users;
	int		 consumer;	/* a retail consumer */
};
struct company_page {
	const char	*q;		/* the search as used: trimmed */
	struct company_row *rows;
	int		 n;
	int64_t		 total;		/* rows of every page */
};
int		 company_list(struct dctx *, const struct company_query *,
		     struct company_page *);

/* What the company form's selects offer. */
struct level_option {
	int64_t		 id;
	const char	*name;
};
struct owner_option {
	int64_t		 id;
	const char	*name;
	const char	*role;
	int		 active;
};
int		 company_level_options(struct dctx *, struct level_option **,
		     int *);
int		 company_owner_options(struct dctx *, int64_t,
		     struct owner_option **, int *);

int		 customer_users_end_sessions(struct dctx *, int64_t);

#endif /* DOMAIN_CUSTOMER_H */
