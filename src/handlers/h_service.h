/*
 * h_service.h -- what the customer's and the back office's ticket pages
 * share (h_service.c): a ticket and its timeline as a view, the photos
 * of a multipart form. After "http/http.h" and "domain/ticket.h". The
 * views returned belong to the caller.
 */
#ifndef HANDLERS_H_SERVICE_H
#define HANDLERS_H_SERVICE_H

json_object	*h_service_ticket_view(struct ctx *, const struct ticket *,
		     int);
int		 h_service_photos(struct ctx *, struct ticket_upload **);
json_object	*h_service_kinds_view(int);
int		 h_service_refused(struct ctx *, int, enum ticket_field,
		     struct form *);
int		 h_service_photo(struct ctx *);

#endif /* HANDLERS_H_SERVICE_H */
