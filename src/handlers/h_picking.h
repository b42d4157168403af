/*
 * h_picking.h -- the picking list's links on the back office's order
 * pages (h_admin_picking.c): the list's check boxes and batch form, the
 * order page's button. After "http/http.h" and "domain/order.h".
 */
#ifndef HANDLERS_H_PICKING_H
#define HANDLERS_H_PICKING_H

void		 h_picking_list_view(struct ctx *, json_object *,
		     const struct order_query *, const struct order_list *);
void		 h_picking_order_view(struct ctx *, json_object *,
		     const struct order *);

#endif /* HANDLERS_H_PICKING_H */
