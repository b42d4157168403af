/*
 * job_tasks.h -- the kinds of background job (domain/job_tasks.c).
 */
#ifndef DOMAIN_JOB_TASKS_H
#define DOMAIN_JOB_TASKS_H

#include "base/base.h"
#include "services/job.h"

/* job_tasks.c: the kinds of job, what runs them and how often. */
struct job_kind {
	const char	*kind;
	/* 0 (*msg: NULL or a note for the log line, "deleted=3"), or -1
	 * with the error in *msg: the job backs off and goes again */
	int		(*run)(struct arena *, const struct job *,
			    const char **);
	int64_t		 every;		/* seconds; 0: runs when enqueued */
	int		 test;		/* only with job_test_kinds = 1 */
	const char	*label;		/* what the back office calls it */
};
const struct job_kind *job_kind_find(const char *);
const char	*job_kinds_enabled(struct arena *);
int		 job_schedule(struct arena *);

#endif /* DOMAIN_JOB_TASKS_H */
