/*
 * job.c -- the job queue: rows of the job table (sql/003_job.sql). A
 * runner claims one due job at a time with SELECT ... FOR UPDATE SKIP
 * LOCKED, so runners on any number of hosts never take the same row, and
 * holds it by a lease; a job still 'running' when its lease ran out lost
 * its runner and is claimed again. Every change to a claimed job is fenced
 * by runner and attempt: a runner that lost its lease changes nothing.
 * Failures wait job_backoff() and go again until max_attempts, then stay
 * 'failed' with their last error until job_retry(). A dedupe key makes
 * two enqueues one job while it is queued or running; a recurring job's
 * key is its kind, and finishing it queues the next in the same
 * transaction. No HTTP here: callers pass plain values and an arena.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/job.h"

#define CLAIM_TRIES	8	/* expired jobs given up per claim, at most */

static const char sql_enqueue[] =
    "INSERT INTO job (shop_id, kind, payload, dedupe_key, run_at, "
    "max_attempts) VALUES (NULLIF(?, 0), ?, ?, ?, "
    "NOW(3) + INTERVAL ? SECOND, ?) "
    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";

#define JOB_COLS \
    "j.id, COALESCE(j.shop_id, 0), j.kind, j.payload, j.state, " \
    "j.attempts, j.max_attempts, j.dedupe_key, j.locked_by, j.run_at, " \
    "j.locked_until, j.last_error, j.created_at, j.updated_at"
#define JOB_NCOLS	14

/* What a runner may take: its shop (0: any) and the kinds it knows. */
#define CLAIMABLE \
    "AND (? = 0 OR j.shop_id = ?) AND FIND_IN_SET(j.kind, ?) > 0 "

/* Only the job table: FOR UPDATE would lock a joined shop row too. */
static const char sql_claim_expired[] =
    "SELECT " JOB_COLS " FROM job j "
    "WHERE j.state = 'running' AND j.locked_until <= NOW(3) " CLAIMABLE
    "ORDER BY j.locked_until, j.id LIMIT 1 FOR UPDATE SKIP LOCKED";
static const char sql_claim_due[] =
    "SELECT " JOB_COLS " FROM job j "
    "WHERE j.state = 'queued' AND j.run_at <= NOW(3) " CLAIMABLE
    "ORDER BY j.run_at, j.id LIMIT 1 FOR UPDATE SKIP LOCKED";
static const char sql_take[] =
    "UPDATE job SET state = 'running', attempts = attempts + 1, "
    "locked_by = ?, locked_until = NOW(3) + INTERVAL ? SECOND "
    "WHERE id = ?";
static const char sql_abandon[] =
    "UPDATE job SET state = 'failed', dedupe_key = NULL, "
    "locked_until = NULL, last_error = ? WHERE id = ?";

/* The claim's own row, as long as it is still ours. */
#define FENCE	"WHERE id = ? AND state = 'running' AND locked_by = ? " \
		"AND attempts = ?"
static const char sql_done[] =
    "UPDATE job SET state = 'done', dedupe_key = NULL, "
    "locked_until = NULL " FENCE;
static const char sql_again[] =
    "UPDATE job SET state = 'queued', locked_until = NULL, "
    "run_at = NOW(3) + INTERVAL ? SECOND, last_error = ? " FENCE;
static const char sql_failed[] =
    "UPDATE job SET state = 'failed', dedupe_key = NULL, "
    "locked_until = NULL, last_error = ? " FENCE;

static const char sql_retry[] =
    "UPDATE job SET state = 'queued', attempts = 0, run_at = NOW(3), "
    "locked_until = NULL WHERE id = ? AND (? = 0 OR shop_id = ?) "
    "AND state = 'failed'";
static const char sql_get[] =
    "SELECT " JOB_COLS ", COALESCE(s.slug, '') FROM job j "
    "LEFT JOIN shop s ON s.id = j.shop_id "
    "WHERE j.id = ? AND (? = 0 OR j.shop_id = ?)";

#define LIST_WHERE \
    "WHERE (? = 0 OR j.shop_id = ?) AND (? = 0 OR j.state = 'failed') "
static const char sql_count[] =
    "SELECT COUNT(*) FROM job j " LIST_WHERE;
static const char sql_list[] =
    "SELECT " JOB_COLS ", COALESCE(s.slug, '') FROM job j "
    "LEFT JOIN shop s ON s.id = j.shop_id " LIST_WHERE
    "ORDER BY j.updated_at DESC, j.id DESC LIMIT ? OFFSET ?";

/* Microseconds until a claim could find something; far off if never. */
static const char sql_next[] =
    "SELECT TIMESTAMPDIFF(MICROSECOND, NOW(3), LEAST("
    "COALESCE((SELECT MIN(j.run_at) FROM job j WHERE j.state = 'queued' "
    CLAIMABLE "), '9999-12-31'), "
    "COALESCE((SELECT MIN(j.locked_until) FROM job j "
    "WHERE j.state = 'running' " CLAIMABLE "), '9999-12-31')))";

static const char sql_purge[] =
    "DELETE FROM job WHERE state = 'done' "
    "AND updated_at < NOW(3) - INTERVAL ? DAY LIMIT 1000";
static const char sql_shop[] = "SELECT id FROM shop WHERE slug = ?";
static const char sql_read_committed[] =
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";

/*
 * Seconds to wait after the n-th failed attempt: JOB_BACKOFF_BASE, then
 * twice as long each time, never more than JOB_BACKOFF_MAX.
 */
int64_t
job_backoff(int64_t attempts)
{
	int64_t	wait = JOB_BACKOFF_BASE;

	for (; attempts > 1 && wait < JOB_BACKOFF_MAX; attempts--)
		wait *= 2;
	return wait < JOB_BACKOFF_MAX ? wait : JOB_BACKOFF_MAX;
}

/*
 * db_tx_run() hands its context to the body, which the queue's bodies do
 * not need: a job has no request and no actor, so they get NULL.
 */
struct tx {
	struct arena	*arena;
	int		(*fn)(struct arena *, void *);
	void		*arg;
};

static int
tx_call(struct dctx *c, void *arg)
{
	struct tx	*t = arg;

	(void)c;
	return t->fn(t->arena, t->arg);
}

static int
job_tx(struct arena *a, int (*fn)(struct arena *, void *), void *arg)
{
	struct tx	t;

	/*
	 * READ COMMITTED: the claims' range scans then lock the rows they
	 * take, not the gaps between them, where another runner's claim
	 * moves its job; under REPEATABLE READ concurrent claims deadlock.
	 * Per session (a reconnect forgets it), so set before every one.
	 */
	if (db_exec_text(sql_read_committed) == -1)
		db_clear_error();	/* db_tx_run reports a real problem */
	t.arena = a;
	t.fn = fn;
	t.arg = arg;
	return db_tx_run(NULL, tx_call, &t);	/* no request, no actor */
}

static void
job_fill(struct job *j, const struct db_res *r, int i)
{
	memset(j, 0, sizeof(*j));
	j->id = db_cell_i64(r, i, 0);
	j->shop_id = db_cell_i64(r, i, 1);
	j->kind = db_cell(r, i, 2);
	j->payload = db_cell(r, i, 3);
	j->state = db_cell(r, i, 4);
	j->attempts = db_cell_i64(r, i, 5);
	j->max_attempts = db_cell_i64(r, i, 6);
	j->dedupe_key = db_cell(r, i, 7);
	j->locked_by = db_cell(r, i, 8);
	j->run_at = db_cell(r, i, 9);
	j->locked_until = db_cell(r, i, 10);
	j->last_error = db_cell(r, i, 11);
	j->created_at = db_cell(r, i, 12);
	j->updated_at = db_cell(r, i, 13);
	j->shop_slug = r->ncols > JOB_NCOLS ? db_cell(r, i, JOB_NCOLS) : "";
}

/*
 * Queue a job of kind for shop_id (0: system-wide), due in delay seconds.
 * With a dedupe key and a job of that key still queued or running, no new
 * one is made: ERR_CONFLICT, and *id (may be NULL) is the existing job's.
 * max_attempts 0 is JOB_MAX_ATTEMPTS. Works inside a transaction too.
 */
int
job_enqueue(struct arena *a, int64_t shop_id, const char *kind,
    const char *payload, const char *dedupe, int64_t delay,
    int64_t max_attempts, int64_t *id)
{
	struct db_res	*r;

	if (max_attempts <= 0)
		max_attempts = JOB_MAX_ATTEMPTS;
	if (delay < 0)
		delay = 0;
	if (db_run(a, &r, sql_enqueue, "isssii", shop_id, kind,
	    payload != NULL ? payload : "{}", dedupe, delay,
	    max_attempts) == -1) {
		log_warnx("job: enqueue %s failed: %s", kind, db_error());
		return ERR_INTERNAL;
	}
	if (id != NULL)
		*id = (int64_t)r->insert_id;
	return r->affected == 1 ? 0 : ERR_CONFLICT;
}

/* A recurring job's next run, after this one ended either way. */
static int
successor(struct arena *a, const struct job *j, int64_t again)
{
	if (again < 0 || j->dedupe_key == NULL)
		return 0;
	switch (job_enqueue(a, j->shop_id, j->kind, j->payload,
	    j->dedupe_key, again, j->max_attempts, NULL)) {
	case 0:
	case ERR_CONFLICT:	/* one is there already */
		return 0;
	default:
		return ERR_INTERNAL;
	}
}

struct claim {
	const char	*runner;
	int64_t		 lease;
	int64_t		 shop_id;
	const char	*kinds;
	struct job	*job;
	int		 abandoned;	/* an expired job given up instead */
};

static int
tx_claim(struct arena *a, void *arg)
{
	struct claim	*cl = arg;
	struct job	*j = cl->job;
	struct db_res	*r;
	const char	*why;

	j->id = 0;
	cl->abandoned = 0;
	if (db_run(a, &r, sql_claim_expired, "iis", cl->shop_id, cl->shop_id,
	    cl->kinds) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0 && db_run(a, &r, sql_claim_due, "iis", cl->shop_id,
	    cl->shop_id, cl->kinds) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return 0;
	job_fill(j, r, 0);
	if (strcmp(j->state, "running") == 0) {
		log_warnx("job lease_expired id=%" PRId64 " kind=%s "
		    "attempt=%" PRId64 " runner=%s", j->id, j->kind,
		    j->attempts, j->locked_by ? j->locked_by : "-");
		if (j->attempts >= j->max_attempts) {
			why = arena_printf(a, "lease expired: the runner (%s) "
			    "died or ran past job_lease, %" PRId64 " times",
			    j->locked_by ? j->locked_by : "?", j->attempts);
			if (db_run(a, NULL, sql_abandon, "si", why,
			    j->id) == -1)
				return ERR_INTERNAL;
			cl->abandoned = 1;
			j->id = 0;
			return 0;
		}
	}
	if (db_run(a, NULL, sql_take, "sii", cl->runner,
	    cl->lease + JOB_LEASE_SLACK, j->id) == -1)
		return ERR_INTERNAL;
	j->state = "running";
	j->attempts++;
	j->locked_by = arena_strdup(a, cl->runner);
	return 0;
}

/*
 * Claim one due job of the kinds listed in kinds (comma-separated) for
 * runner (host:pid), for lease seconds (plus JOB_LEASE_SLACK), of shop_id
 * (0: any). A job whose lease ran out comes first. j->id is 0 if there
 * was none. Not inside another transaction.
 */
int
job_claim(struct arena *a, const char *runner, int64_t lease,
    int64_t shop_id, const char *kinds, struct job *j)
{
	struct claim	 cl;
	int		 rc, i;

	memset(&cl, 0, sizeof(cl));
	cl.runner = runner;
	cl.lease = lease;
	cl.shop_id = shop_id;
	cl.kinds = kinds;
	cl.job = j;
	memset(j, 0, sizeof(*j));
	for (i = 0; i < CLAIM_TRIES; i++) {
		if ((rc = job_tx(a, tx_claim, &cl)) != 0) {
			j->id = 0;
			return rc;
		}
		if (!cl.abandoned)
			break;
	}
	return 0;
}

/* An error as the last_error column takes it: valid UTF-8, cut to fit. */
static const char *
error_text(struct arena *a, const char *s)
{
	char	*t;
	size_t	 n = strlen(s), i;

	if (!utf8_valid(s, n)) {
		t = arena_strdup(a, s);
		for (i = 0; i < n; i++)
			if ((unsigned char)t[i] >= 0x80)
				t[i] = '?';
		s = t;
	}
	if (n < 1000)
		return s;
	n = 999;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;		/* s[n] would start the first character cut */
	return arena_strndup(a, s, n);
}

struct finish {
	const struct job *job;
	const char	*error;		/* NULL: done */
	int64_t		 again;		/* a recurring job's next run, or -1 */
	int64_t		 retry_in;	/* out: -1 failed for good */
};

static int
tx_finish(struct arena *a, void *arg)
{
	struct finish		*f = arg;
	const struct job	*j = f->job;
	struct db_res		*r;
	const char		*err;
	int			 rc;

	if (f->error == NULL) {
		rc = db_run(a, &r, sql_done, "isi", j->id, j->locked_by,
		    j->attempts);
	} else {
		err = error_text(a, f->error);
		if (j->attempts >= j->max_attempts) {
			f->retry_in = -1;
			rc = db_run(a, &r, sql_failed, "sisi", err, j->id,
			    j->locked_by, j->attempts);
		} else {
			f->retry_in = job_backoff(j->attempts);
			rc = db_run(a, &r, sql_again, "isisi", f->retry_in,
			    err, j->id, j->locked_by, j->attempts);
		}
	}
	if (rc == -1)
		return ERR_INTERNAL;
	if (r->affected == 0)
		return ERR_CONFLICT;	/* the lease was lost: not ours */
	return f->retry_in == -1 ? successor(a, j, f->again) : 0;
}

/*
 * The claimed job j succeeded; a recurring one (with a dedupe key) runs
 * again in again seconds (-1: not). ERR_CONFLICT: the lease was lost and
 * another runner has the job now.
 */
int
job_complete(struct arena *a, const struct job *j, int64_t again)
{
	struct finish	f;

	memset(&f, 0, sizeof(f));
	f.job = j;
	f.again = again;
	f.retry_in = -1;
	return job_tx(a, tx_finish, &f);
}

/*
 * The claimed job j failed with error. It goes again in job_backoff()
 * seconds (*retry_in) or, at its last attempt, stays failed (*retry_in
 * -1), when a recurring one's next run is queued as for job_complete.
 */
int
job_fail(struct arena *a, const struct job *j, const char *error,
    int64_t again, int64_t *retry_in)
{
	struct finish	f;
	int		rc;

	memset(&f, 0, sizeof(f));
	f.job = j;
	f.error = error != NULL && *error ? error : "failed";
	f.again = again;
	rc = job_tx(a, tx_finish, &f);
	if (retry_in != NULL)
		*retry_in = f.retry_in;
	return rc;
}

/*
 * Queue the failed job id of shop_id (0: of any shop) again, attempts
 * reset, due now. ERR_NOT_FOUND: no such job of that shop; ERR_CONFLICT:
 * it has not failed. Works inside a transaction (one statement).
 */
int
job_retry(struct arena *a, int64_t shop_id, int64_t id)
{
	struct db_res	*r;
	struct job	 j;
	int		 rc;

	if (db_run(a, &r, sql_retry, "iii", id, shop_id, shop_id) == -1)
		return ERR_INTERNAL;
	if (r->affected == 1)
		return 0;
	if ((rc = job_get(a, shop_id, id, &j)) != 0)
		return rc;
	return ERR_CONFLICT;
}

/* Job id of shop_id (0: of any shop); ERR_NOT_FOUND if there is none. */
int
job_get(struct arena *a, int64_t shop_id, int64_t id, struct job *j)
{
	struct db_res	*r;

	if (db_run(a, &r, sql_get, "iii", id, shop_id, shop_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	job_fill(j, r, 0);
	return 0;
}

/*
 * A page of shop_id's jobs (0: every shop's and the system's), the most
 * recently changed first; only failed ones if failed_only. *jobs is an
 * arena array of *n, *total all that match.
 */
int
job_list(struct arena *a, int64_t shop_id, int failed_only, int64_t limit,
    int64_t offset, struct job **jobs, int *n, int64_t *total)
{
	struct db_res	*r;
	int64_t		 f = failed_only != 0;
	int		 i;

	*jobs = NULL;
	*n = 0;
	if (db_run(a, &r, sql_count, "iii", shop_id, shop_id, f) == -1)
		return ERR_INTERNAL;
	*total = db_cell_i64(r, 0, 0);
	if (db_run(a, &r, sql_list, "iiiii", shop_id, shop_id, f, limit,
	    offset) == -1)
		return ERR_INTERNAL;
	*jobs = arena_alloc(a, (size_t)(r->nrows ? r->nrows : 1) *
	    sizeof(**jobs));
	for (i = 0; i < r->nrows; i++)
		job_fill(&(*jobs)[i], r, i);
	*n = r->nrows;
	return 0;
}

/*
 * Milliseconds until job_claim() could next find a job (a run_at or a
 * lease coming due), for the same shop and kinds; negative if one is due.
 */
int
job_next_ms(struct arena *a, int64_t shop_id, const char *kinds,
    int64_t *ms)
{
	struct db_res	*r;

	if (db_run(a, &r, sql_next, "iisiis", shop_id, shop_id, kinds,
	    shop_id, shop_id, kinds) == -1)
		return ERR_INTERNAL;
	*ms = db_cell_i64(r, 0, 0) / 1000;
	return 0;
}

/* Delete done jobs older than days, a batch at a time; *n of them. */
int
job_purge(struct arena *a, int64_t days, int64_t *n)
{
	struct db_res	*r;

	*n = 0;
	do {
		if (db_run(a, &r, sql_purge, "i", days) == -1)
			return ERR_INTERNAL;
		*n += (int64_t)r->affected;
	} while (r->affected == 1000);
	return 0;
}

/* The id of the shop with slug; ERR_NOT_FOUND if there is none. */
int
job_shop_id(struct arena *a, const char *slug, int64_t *id)
{
	struct db_res	*r;

	if (db_run(a, &r, sql_shop, "s", slug) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	*id = db_cell_i64(r, 0, 0);
	return 0;
}
