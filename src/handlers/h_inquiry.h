/*
 * h_inquiry.h -- what the customer's and the back office's inquiry pages
 * share (h_inquiry.c): the quote as both read it, and the conversation.
 * After "http/http.h" and "domain/inquiry.h". The views returned belong
 * to the caller, who adds them to its view.
 */
#ifndef HANDLERS_H_INQUIRY_H
#define HANDLERS_H_INQUIRY_H

json_object	*h_inquiry_quote_view(struct ctx *, const struct inquiry *);
json_object	*h_inquiry_thread_view(const struct inquiry *, int);

#endif /* HANDLERS_H_INQUIRY_H */
