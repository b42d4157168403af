/*
 * h_signup.h -- 经销商申请: the storefront's form and status page
 * (h_signup.c) and the back office's list, page and decisions
 * (h_admin_signup.c), for the worker's route tables. After
 * "http/http.h".
 */
#ifndef HANDLERS_H_SIGNUP_H
#define HANDLERS_H_SIGNUP_H

/* Who may approve or reject; reading is ADMIN_ROLES_CUSTOMERS. */
#define SIGNUP_ROLES_REVIEW	"owner,admin,sales"

extern const struct route h_signup_routes[];
extern const struct route h_admin_signup_routes[];

#endif /* HANDLERS_H_SIGNUP_H */
