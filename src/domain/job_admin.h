/*
 * job_admin.h -- a shop's background jobs for its back office
 * (domain/job_admin.c).
 */
#ifndef DOMAIN_JOB_ADMIN_H
#define DOMAIN_JOB_ADMIN_H

#include "services/job.h"
#include "domain/dctx.h"

int		 job_shop_list(struct dctx *, int, int64_t, int64_t,
		     struct job **, int *, int64_t *);
int		 job_shop_retry(struct dctx *, int64_t);
const char	*job_kind_label(const char *);

#endif /* DOMAIN_JOB_ADMIN_H */
