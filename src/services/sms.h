/*
 * sms.h -- text messages through the configured provider (services/sms.c).
 */
#ifndef SERVICES_SMS_H
#define SERVICES_SMS_H

#include <stddef.h>

int		 sms_enabled(void);
int		 sms_send(const char *, const char *, const char *, char *,
		     size_t);

#endif /* SERVICES_SMS_H */
