/*
 * h_order.h -- what the customer's and the back office's order pages
 * share (h_order_view.c): an order, its lines, moves and parcels as views,
 * and a priced line of the cart and checkout; the checkout of the cart
 * or of a quote (h_cart.c). After "http/http.h" and
 * "domain/order.h". The views returned belong to the caller, who adds
 * them to its view.
 */
#ifndef HANDLERS_H_ORDER_H
#define HANDLERS_H_ORDER_H

json_object	*h_order_head_view(struct ctx *, const struct order *,
		     const char *);
json_object	*h_order_detail_view(struct ctx *, const struct order *,
		     const char *, int);
json_object	*h_order_line_view(struct ctx *, const struct priced_line *);
/* h_cart.c: checkout's choices, for the buyer's checkout and 代客下单. */
struct checkout_view;
json_object	*h_checkout_addresses(struct ctx *, const struct checkout_view *);
json_object	*h_checkout_invoices(struct ctx *, const struct checkout_view *,
		     enum invoice_kind);
json_object	*h_checkout_terms(const struct checkout_view *, enum pay_terms);
json_object	*h_checkout_credit(struct ctx *, const struct checkout_view *,
		     const struct order_money *);
struct order_placed;
int		 h_order_placed(struct ctx *, const struct order_placed *, int);
struct field_errors;
void		 h_checkout_errors(struct ctx *, struct form *,
		     const struct field_errors *);
json_object	*h_order_state_tabs(struct ctx *, const char *, int,
		     enum order_state, const char *);
int		 h_order_channel(struct ctx *);
const char	*h_shop_url(struct ctx *);
/* The page of quote id after a refused accept (status, why). */
typedef int	(*h_quote_page)(struct ctx *, int64_t, int, const char *);
int		 h_checkout_show(struct ctx *, int64_t, h_quote_page);
int		 h_checkout_submit(struct ctx *, int64_t, h_quote_page);

#endif /* HANDLERS_H_ORDER_H */
