/*
 * audit.h -- the audit log (domain/audit.c).
 */
#ifndef DOMAIN_AUDIT_H
#define DOMAIN_AUDIT_H

#include "base/base.h"

/* audit.c: who changed what, for the owner to read. */
int		 audit(struct dctx *, const char *, const char *, ...)
		     __attribute__((format(printf, 3, 4)));

#endif /* DOMAIN_AUDIT_H */
