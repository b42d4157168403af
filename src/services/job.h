/*
 * job.h -- the background job queue (services/job.c).
 */
#ifndef SERVICES_JOB_H
#define SERVICES_JOB_H

#include "base/base.h"

/*
 * job.c: the queue, rows of the job table; SQL only, no HTTP. Strings of a
 * struct job are in the caller's arena. shop_id 0 means system-wide for a
 * job and "every shop" for the lookups (operators); the back office passes
 * its own shop, never 0. Functions return 0 or an enum err.
 */
#define JOB_BACKOFF_BASE	10	/* seconds before the first retry */
#define JOB_BACKOFF_MAX		3600	/* the longest wait between attempts */
#define JOB_MAX_ATTEMPTS	5	/* unless the enqueue says otherwise */
#define JOB_LEASE_SLACK		2	/* seconds a lease outlasts job_lease */
struct job {
	int64_t		 id;
	int64_t		 shop_id;	/* 0: system-wide */
	const char	*shop_slug;	/* job_list, job_get; "": system */
	const char	*kind;
	const char	*payload;	/* JSON text */
	const char	*state;		/* queued, running, done, failed */
	int64_t		 attempts;	/* claims so far, this one included */
	int64_t		 max_attempts;
	const char	*dedupe_key;	/* NULL: none */
	const char	*locked_by;	/* host:pid of the (last) runner */
	const char	*run_at;	/* UTC "YYYY-MM-DD HH:MM:SS.mmm" */
	const char	*locked_until;
	const char	*last_error;
	const char	*created_at;
	const char	*updated_at;
};
int64_t		 job_backoff(int64_t);
int		 job_enqueue(struct arena *, int64_t, const char *,
		     const char *, const char *, int64_t, int64_t, int64_t *);
int		 job_claim(struct arena *, const char *, int64_t, int64_t,
		     const char *, struct job *);
int		 job_complete(struct arena *, const struct job *, int64_t);
int		 job_fail(struct arena *, const struct job *, const char *,
		     int64_t, int64_t *);
int		 job_retry(struct arena *, int64_t, int64_t);
int		 job_get(struct arena *, int64_t, int64_t, struct job *);
int		 job_list(struct arena *, int64_t, int, int64_t, int64_t,
		     struct job **, int *, int64_t *);
int		 job_next_ms(struct arena *, int64_t, const char *, int64_t *);
int		 job_purge(struct arena *, int64_t, int64_t *);
int		 job_shop_id(struct arena *, const char *, int64_t *);

#endif /* SERVICES_JOB_H */
