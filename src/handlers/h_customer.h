/*
 * h_customer.h -- what the back office's customer handlers share: the
 * forms' fields and helpers (h_admin_customer_form.c), the company page
 * they all render again when a form fails (h_admin_customer_page.c, with
 * each section's view), and the posts (h_admin_customer.c, _user.c,
 * _rows.c, h_admin_contract.c). After "dinghuo.h" and
 * "domain/customer.h".
 */
#ifndef HANDLERS_H_CUSTOMER_H
#define HANDLERS_H_CUSTOMER_H

#include "http/http.h"

#define ROLES_READ	ADMIN_ROLES_CUSTOMERS
#define ROLES_WRITE	"owner,admin,sales"
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The forms' fields (h_admin_customer_form.c), by the enums above. */
enum { C_NAME, C_LEVEL, C_OWNER, C_TAGS, C_TAX, C_CNAME, C_CPHONE, C_STATUS,
	C_TERMS, C_DAYS, C_LIMIT };
enum { U_NAME, U_ROLE, U_STATUS };
enum { A_RECEIVER, A_PHONE, A_REGION, A_ADDRESS, A_DEFAULT };
enum { V_KIND, V_TITLE, V_TAX, V_BANK, V_ACCOUNT, V_ADDRESS, V_PHONE };
enum { P_SKU, P_BINDING, P_PRICE };	/* the row form: price alone */
extern const struct field	 cust_company_fields[];
extern const struct field *const cust_credit_fields;	/* the last three */
extern const struct field	 cust_user_fields[];
extern const struct field *const cust_status_fields;	/* status alone */
extern const struct field	 cust_invite_fields[];
extern const struct field	 cust_address_fields[];
extern const struct field	 cust_invoice_fields[];
extern const struct field	 cust_contract_fields[];
extern const struct field *const cust_contract_edit_fields; /* price */
extern const char *const	 cust_invoice_kinds[2][2];
extern const char *const	 cust_terms_opts[2][2];

/* The page of one company, or of a new one; after a failed form too. */
struct cpage {
	struct company	 co;		/* as stored; id 0: a new company */
	const char	*failed;	/* the form that failed, or NULL */
	int64_t		 row;		/* its row; 0: an add form */
	struct form	*f;
	const char	*error;		/* a conflict, not a field */
	const char	*invite_link;	/* shown once, after it was made */
};

const char	*cust_num_text(struct ctx *, int64_t);
json_object	*cust_level_options(struct ctx *, const char *, int *);
json_object	*cust_owner_options(struct ctx *, const char *, int64_t);
void		 cust_form_take(struct ctx *, struct form *,
		     const struct field_errs *);
json_object	*cust_options(const char *const (*)[2], size_t, const char *);
json_object	*cust_role_options(const char *);
json_object	*cust_status_options(const char *);
void		 cust_refill(struct ctx *, json_object *, const struct field *);
int		 cust_failed_here(const struct cpage *, const char *, int64_t);
const char	*cust_failure(const struct cpage *);
void		 cust_row_failed(struct ctx *, const struct cpage *,
		     json_object *, const char *, int64_t,
		     const struct field *);
void		 cust_add_form(struct ctx *, const struct cpage *,
		     json_object *, const char *, const struct field *);
int		 cust_page(struct ctx *, const struct cpage *);
int		 cust_page_fail(struct ctx *, struct cpage *, int);
int		 cust_path_company(struct ctx *, struct cpage *, int);
int		 cust_done(struct ctx *, int64_t, const char *, const char *);
int		 cust_form_end(struct ctx *, struct cpage *, struct form *,
		     const struct field_errs *, int, const char *,
		     const char *);

/* The forms the page posts. */
int		 h_cust_user_save(struct ctx *);
int		 h_cust_invite_new(struct ctx *);
int		 h_cust_invite_revoke(struct ctx *);
int		 h_cust_address_save(struct ctx *);
int		 h_cust_invoice_save(struct ctx *);
int		 h_cust_contract_save(struct ctx *);

#endif /* HANDLERS_H_CUSTOMER_H */
