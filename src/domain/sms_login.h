/*
 * sms_login.h -- one-time SMS codes to log in outside WeChat
 * (domain/sms_login.c).
 */
#ifndef DOMAIN_SMS_LOGIN_H
#define DOMAIN_SMS_LOGIN_H

#include "base/base.h"

struct dctx;
struct login_result;

int		 sms_login_enabled(void);
int		 sms_code_send(struct dctx *, const char *, int64_t *);
int		 sms_code_login(struct dctx *, const char *, const char *, int,
		     struct login_result *);

#endif /* DOMAIN_SMS_LOGIN_H */
