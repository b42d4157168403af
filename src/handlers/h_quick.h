/*
 * h_quick.h -- the quick order page's view (h_quick.c), which also shows
 * what ordering from a saved list did (h_lists.c). After "http/http.h"
 * and "domain/quick_order.h".
 */
#ifndef HANDLERS_H_QUICK_H
#define HANDLERS_H_QUICK_H

int		 h_quick_mode(struct ctx *);
json_object	*h_quick_line_view(struct ctx *, const struct quick_line *);
json_object	*h_quick_view(struct ctx *, int, const char *, const char *,
		     const struct quick_order *, int);

#endif /* HANDLERS_H_QUICK_H */
