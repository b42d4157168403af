/*
 * h_inquiry.h -- what the customer's and the back office's inquiry pages
 * share (h_inquiry.c): the quote and its versions as both read it, the
 * conversation, and the quote's page after a refused accept.
 * After "http/http.h" and "domain/inquiry.h". The views returned belong
 * to the caller, who adds them to its view.
 */
#ifndef HANDLERS_H_INQUIRY_H
#define HANDLERS_H_INQUIRY_H

json_object	*h_inquiry_quote_view(struct ctx *, const struct inquiry *);
json_object	*h_inquiry_thread_view(const struct inquiry *, int);
json_object	*h_inquiry_versions_view(struct ctx *, int64_t, int);
int		 h_inquiry_refused(struct ctx *, int64_t, int, const char *);
int		 h_admin_quote_new(struct ctx *);		/* h_admin_quote.c */
int		 h_admin_quote_create(struct ctx *);

#endif /* HANDLERS_H_INQUIRY_H */
