/*
 * h_money.h -- what the money pages share (handlers/h_money.c for a
 * company's users, h_admin_finance.c for the shop's staff).
 */
#ifndef HANDLERS_H_MONEY_H
#define HANDLERS_H_MONEY_H

#include "http/http.h"

struct ledger_summary;
struct ledger_row;
struct payment_row;
struct payable;

json_object	*h_money_summary_view(struct ctx *, const struct ledger_summary *);
json_object	*h_money_entry_view(struct ctx *, const struct ledger_row *);
json_object	*h_money_payment_view(struct ctx *, const struct payment_row *,
		     const char *);
json_object	*h_money_payables_view(struct ctx *, const struct payable *,
		     int, const struct kvlist *);
int		 h_money_account_param(struct ctx *);
int		 h_money_account_view(struct ctx *, json_object *);
int		 h_money_ids(struct ctx *, const char *, int64_t **, int);
int		 h_money_proof(struct ctx *);
void		 h_money_finance_tabs(struct ctx *, json_object *, const char *);
struct order;
int		 h_money_order_view(struct ctx *, json_object *,
		     const struct order *);

extern const struct route h_money_routes[];		/* h_money.c */
extern const struct route h_admin_finance_routes[];	/* h_admin_finance.c */
extern const struct route h_statement_routes[];		/* h_statement.c */
extern const struct route h_invoice_routes[];		/* h_invoice.c */
extern const struct route h_statement_export_routes[];	/* …_export.c */
extern const struct route h_finance_export_routes[];	/* h_finance_export.c */

/* h_admin_finance.c, h_admin_wxpay.c: a payment's admin page. */
int		 h_money_fin_payment_page(struct ctx *, int64_t, int,
		     const char *, const struct form *);
int		 h_admin_wxpay_view(struct ctx *, json_object *, int64_t);

/* h_wxpay.c */
const char	*h_wxpay_notify_url(struct ctx *);

#endif /* HANDLERS_H_MONEY_H */
