/*
 * job_admin.c -- a shop's background jobs as its back office sees them:
 * the list (failed ones, or all) and a retry, which is audited in the
 * same transaction. The queue itself is services/job.c.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/job.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/job_admin.h"
#include "domain/job_tasks.h"

/* The shop's jobs, failed ones only if failed_only, a page at a time. */
int
job_shop_list(struct dctx *c, int failed_only, int64_t limit, int64_t off,
    struct job **jobs, int *n, int64_t *total)
{
	return job_list(c->arena, c->shop->id, failed_only, limit, off, jobs,
	    n, total) == 0 ? 0 : ERR_INTERNAL;
}

static int
tx_retry(struct dctx *c, void *arg)
{
	int64_t	id = *(int64_t *)arg;
	int	err;

	switch (err = job_retry(c->arena, c->shop->id, id)) {
	case 0:
		return audit(c, "job.retry", "job=%" PRId64, id);
	case ERR_NOT_FOUND:
		c->error = "任务不存在";
		return err;
	case ERR_CONFLICT:
		c->error = "该任务没有失败，不需要重试";
		return err;
	default:
		return err;
	}
}

/* What the back office calls a kind of job: its label, or its code. */
const char *
job_kind_label(const char *kind)
{
	const struct job_kind	*k = job_kind_find(kind);

	return k != NULL && k->label != NULL ? k->label : kind;
}

/* Queue a failed job of the shop again: ERR_NOT_FOUND, ERR_CONFLICT. */
int
job_shop_retry(struct dctx *c, int64_t id)
{
	return db_tx_run(c, tx_retry, &id);
}
