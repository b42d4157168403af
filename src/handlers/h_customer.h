/*
 * h_customer.h -- what the back office's customer handlers share: the
 * company page they all render (h_admin_customer_page.c), with the form
 * that failed on it, each section's view (one file per section), and
 * domain field errors put into a form. After "dinghuo.h" and
 * "domain/customer.h".
 */
#ifndef HANDLERS_H_CUSTOMER_H
#define HANDLERS_H_CUSTOMER_H

#define ROLES_READ	"owner,admin,sales,finance,service"
#define ROLES_WRITE	"owner,admin,sales"
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The page of one company, or of a new one; after a failed form too. */
struct cpage {
	struct company	 co;		/* as stored; id 0: a new company */
	const char	*failed;	/* the form that failed, or NULL */
	int64_t		 row;		/* its row; 0: an add form */
	struct form	*f;
	const char	*error;		/* a conflict, not a field */
	const char	*invite_link;	/* shown once, after it was made */
};

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

/* The sections of the page, and the forms they post. */
int		 cust_company_view(struct ctx *, const struct cpage *,
		     json_object *);			/* h_admin_customer.c */
int		 cust_users_view(struct ctx *, const struct cpage *,
		     json_object *);			/* ..._user.c */
int		 cust_addresses_view(struct ctx *, const struct cpage *,
		     json_object *);			/* ..._rows.c */
int		 cust_invoices_view(struct ctx *, const struct cpage *,
		     json_object *);
int		 cust_contracts_view(struct ctx *, const struct cpage *,
		     json_object *);			/* h_admin_contract.c */
int		 h_cust_user_save(struct ctx *);
int		 h_cust_invite_new(struct ctx *);
int		 h_cust_invite_revoke(struct ctx *);
int		 h_cust_address_save(struct ctx *);
int		 h_cust_invoice_save(struct ctx *);
int		 h_cust_contract_save(struct ctx *);

#endif /* HANDLERS_H_CUSTOMER_H */
