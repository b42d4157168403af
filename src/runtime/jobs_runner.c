/*
 * jobs_runner.c -- the job runner: claims one due job at a time (job.c),
 * runs it by its kind (job_tasks.c) and records how it went; when nothing
 * is due it waits in sigtimedwait() until the next job is (at most
 * IDLE_MAX_MS, since a worker may queue one at any time). SIGTERM, SIGINT,
 * SIGQUIT and SIGHUP stay blocked while a job runs: the job finishes, then
 * the runner exits. A job may take job_lease seconds; past that, SIGALRM
 * ends the runner and the lease, a little longer, lets another take the
 * job again.
 *
 * `dinghuo serve` forks conf.job_runners of these beside its workers
 * (jobs_runner_main); on shared hosting `dinghuo jobs run --once` does the
 * same from cron. `jobs list` and `jobs retry` are for operators.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "services/job.h"
#include "domain/job_tasks.h"
#include "runtime/runtime.h"

#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define IDLE_MIN_MS	50	/* a job due "now" but locked: no spinning */
#define IDLE_MAX_MS	1000	/* look again at least this often */
#define DB_WAIT_MAX_MS	30000	/* between claims while the database fails */
#define SCHEDULE_MS	60000	/* queue missing recurring jobs this often */
#define ONCE_TRIES	3	/* claims failing in a row before --once gives up */
#define LIST_DEFAULT	50

struct runner {
	struct arena	*keep;		/* the runner's life */
	struct arena	*work;		/* one job */
	struct slot	*slot;		/* on the scoreboard; NULL from cron */
	char		 id[100];	/* host:pid, job.locked_by */
	const char	*kinds;		/* the kinds this runner knows */
	int64_t		 shop_id;	/* 0: every shop's and the system's */
	int		 once;		/* the due jobs, then exit */
	sigset_t	 sigs;
	int		 stop;
	uint64_t	 ran, failed;
	double		 next_schedule;
};

/* ps and the tests tell a runner from a worker by this name. */
static void
name_process(void)
{
#ifdef PR_SET_NAME
	prctl(PR_SET_NAME, "dinghuo-jobs", 0, 0, 0);
#endif
}

/* Has a stop signal come? Waits up to ms for one. */
static int
stop_requested(struct runner *r, int64_t ms)
{
	struct timespec	 ts;
	siginfo_t	 si;
	int		 sig;

	if (r->stop)
		return 1;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	if ((sig = sigtimedwait(&r->sigs, &si, &ts)) > 0) {
		log_info("job runner: signal %d, stopping", sig);
		r->stop = 1;
	}
	return r->stop;
}

static void
slot_set(struct runner *r, const struct job *j)
{
	struct slot	*s = r->slot;

	if (s == NULL)
		return;
	if (j != NULL) {
		s->started = now_ms();
		snprintf(s->reqid, sizeof(s->reqid), "job%" PRId64, j->id);
		snprintf(s->what, sizeof(s->what), "job %" PRId64 " %s",
		    j->id, j->kind);
		s->state = SLOT_BUSY;
	} else {
		s->requests = r->ran;
		s->state = SLOT_IDLE;
	}
}

/* An error as one log value: quoted, no control characters. */
static const char *
log_quote(struct arena *a, const char *s)
{
	struct buf	 b;
	const char	*out;

	buf_init(&b, strlen(s) + 3);
	buf_addc(&b, '"');
	for (; *s; s++) {
		/* Long enough; cut where a character begins. */
		if (b.len >= 600 && ((unsigned char)*s & 0xc0) != 0x80) {
			buf_adds(&b, "…");
			break;
		}
		if (*s == '"' || *s == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
	}
	buf_addc(&b, '"');
	out = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return out;
}

static void
run_one(struct runner *r, const struct job *j)
{
	const struct job_kind	*k = job_kind_find(j->kind);
	const char		*msg = NULL;
	double			 t0, ms;
	int64_t			 again, retry_in = -1;
	int			 rc, err;
	char			 tag[32];

	slot_set(r, j);
	log_info("job start id=%" PRId64 " kind=%s shop=%" PRId64 " attempt=%"
	    PRId64 "/%" PRId64 " runner=%s", j->id, j->kind, j->shop_id,
	    j->attempts, j->max_attempts, r->id);
	t0 = now_ms();
	if (k == NULL) {
		msg = "no such job kind in this runner";
		rc = -1;
	} else {
		snprintf(tag, sizeof(tag), "job%" PRId64, j->id);
		log_set_request(tag, j->shop_slug != NULL && *j->shop_slug ?
		    j->shop_slug : NULL);
		alarm((unsigned int)conf.job_lease);
		rc = k->run(r->work, j, &msg);
		alarm(0);
		log_set_request(NULL, NULL);
	}
	ms = now_ms() - t0;
	again = k != NULL && k->every > 0 ? k->every : -1;
	r->ran++;
	if (rc == 0) {
		err = job_complete(r->work, j, again);
		log_info("job done id=%" PRId64 " kind=%s attempt=%" PRId64 "/%"
		    PRId64 " ms=%.1f%s%s", j->id, j->kind, j->attempts,
		    j->max_attempts, ms, msg ? " " : "", msg ? msg : "");
	} else {
		r->failed++;
		if (msg == NULL || *msg == '\0')
			msg = "failed";
		err = job_fail(r->work, j, msg, again, &retry_in);
		if (err == 0 && retry_in >= 0)
			log_warnx("job retry id=%" PRId64 " kind=%s attempt=%"
			    PRId64 "/%" PRId64 " ms=%.1f next_in=%" PRId64 "s "
			    "error=%s", j->id, j->kind, j->attempts,
			    j->max_attempts, ms, retry_in,
			    log_quote(r->work, msg));
		else
			log_warnx("job failed id=%" PRId64 " kind=%s attempt=%"
			    PRId64 "/%" PRId64 " ms=%.1f error=%s", j->id,
			    j->kind, j->attempts, j->max_attempts, ms,
			    log_quote(r->work, msg));
	}
	if (err == ERR_CONFLICT)
		log_warnx("job lease_lost id=%" PRId64 " kind=%s: another "
		    "runner took it; this outcome is dropped", j->id, j->kind);
	else if (err != 0)
		log_warnx("job unrecorded id=%" PRId64 " kind=%s: %s; it runs "
		    "again when its lease ends", j->id, j->kind, db_error());
	slot_set(r, NULL);
}

/* The loop: 0 when stopped (or, with once, when nothing is due). */
static int
runner_loop(struct runner *r)
{
	struct job	 j;
	int64_t		 ms, db_wait = 1000;
	int		 bad = 0, fails = 0;

	while (!stop_requested(r, 0)) {
		arena_reset(r->work);
		if (now_ms() >= r->next_schedule) {
			if (job_schedule(r->work) == 0)
				r->next_schedule = now_ms() + SCHEDULE_MS;
		}
		if (job_claim(r->work, r->id, conf.job_lease, r->shop_id,
		    r->kinds, &j) != 0) {
			log_warnx("job runner: no claim (%s); trying again in "
			    "%" PRId64 " ms", db_error(), db_wait);
			if (r->once && ++fails >= ONCE_TRIES) {
				bad = 1;
				break;
			}
			stop_requested(r, db_wait);
			db_wait = db_wait * 2 < DB_WAIT_MAX_MS ? db_wait * 2 :
			    DB_WAIT_MAX_MS;
			continue;
		}
		db_wait = 1000;
		fails = 0;
		if (j.id != 0) {
			run_one(r, &j);
			continue;
		}
		if (r->once)
			break;
		if (job_next_ms(r->work, r->shop_id, r->kinds, &ms) != 0 ||
		    ms > IDLE_MAX_MS)
			ms = IDLE_MAX_MS;
		if (ms < IDLE_MIN_MS)
			ms = IDLE_MIN_MS;
		stop_requested(r, ms);
	}
	return bad;
}

static int
runner_run(struct runner *r)
{
	char	host[64];
	int	rc;

	sigemptyset(&r->sigs);
	sigaddset(&r->sigs, SIGTERM);
	sigaddset(&r->sigs, SIGINT);
	sigaddset(&r->sigs, SIGQUIT);
	sigaddset(&r->sigs, SIGHUP);
	sigprocmask(SIG_SETMASK, &r->sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(r->id, sizeof(r->id), "%s:%d", host, (int)getpid());
	r->keep = arena_new(4096);
	r->work = arena_new(64 * 1024);
	r->kinds = job_kinds_enabled(r->keep);
	if (db_open() == -1 && r->once) {
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
		rc = 1;
	} else {
		log_info("job runner: started runner=%s shop=%" PRId64
		    " kinds=%s%s", r->id, r->shop_id, r->kinds,
		    r->once ? " once" : "");
		slot_set(r, NULL);
		rc = runner_loop(r);
		log_info("job runner: stopped runner=%s ran=%" PRIu64
		    " failed=%" PRIu64, r->id, r->ran, r->failed);
	}
	db_close();
	arena_free(r->work);
	arena_free(r->keep);
	return rc;
}

/* A runner forked by the master, with its scoreboard slot. */
int
jobs_runner_main(struct slot *slot, const char *conf_path)
{
	struct runner	r;

	(void)conf_path;
	name_process();
	log_set_prefix("dinghuo-jobs");
	memset(&r, 0, sizeof(r));
	r.slot = slot;
	return runner_run(&r);
}

static int
shop_arg(struct arena *a, const char *slug, int64_t *id)
{
	int	rc;

	*id = 0;
	if (slug == NULL)
		return 0;
	if ((rc = job_shop_id(a, slug, id)) == ERR_NOT_FOUND)
		fprintf(stderr, "dinghuo: no shop '%s'\n", slug);
	else if (rc != 0)
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
	return rc;
}

static int
cmd_run(int argc, char **argv)
{
	struct cli_opt	 opts[] = {
		{ "once", CLI_FLAG, NULL }, { "shop", CLI_VALUE, NULL },
		{ NULL, 0, NULL }
	};
	struct runner	 r;
	struct arena	*a;
	int		 rc;

	if (cli_opts_parse(argc, argv, opts, NULL) == -1)
		return 2;
	memset(&r, 0, sizeof(r));
	r.once = opts[0].value != NULL;
	a = arena_new(1024);
	rc = shop_arg(a, opts[1].value, &r.shop_id);
	arena_free(a);
	if (rc != 0)
		return 1;
	name_process();
	log_set_prefix("dinghuo-jobs");
	if (log_open(conf.error_log, conf.access_log) == -1) {
		fprintf(stderr, "dinghuo: cannot open the logs\n");
		return 1;
	}
	return runner_run(&r);
}

static int
cmd_list(int argc, char **argv)
{
	struct cli_opt	 opts[] = {
		{ "failed", CLI_FLAG, NULL }, { "shop", CLI_VALUE, NULL },
		{ "limit", CLI_VALUE, NULL }, { NULL, 0, NULL }
	};
	struct arena	*a;
	struct job	*jobs, *j;
	const char	*err;
	int64_t		 shop, limit = LIST_DEFAULT, total;
	int		 n, i, rc;

	if (cli_opts_parse(argc, argv, opts, NULL) == -1)
		return 2;
	if (opts[2].value != NULL && parse_i64(opts[2].value, 1, 10000,
	    &limit, &err) == -1) {
		fprintf(stderr, "dinghuo: --limit: 1 to 10000: %s\n", err);
		return 2;
	}
	a = arena_new(64 * 1024);
	if ((rc = shop_arg(a, opts[1].value, &shop)) == 0 &&
	    (rc = job_list(a, shop, opts[0].value != NULL, limit, 0, &jobs,
	    &n, &total)) != 0)
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
	if (rc == 0) {
		printf("%-8s %-12s %-22s %-7s %-5s %-23s %s\n", "ID", "SHOP",
		    "KIND", "STATE", "TRIES", "RUN AT (UTC)", "LAST ERROR");
		for (i = 0; i < n; i++) {
			j = &jobs[i];
			printf("%-8" PRId64 " %-12s %-22s %-7s %2" PRId64 "/%-2"
			    PRId64 " %-23s %s\n", j->id, *j->shop_slug ?
			    j->shop_slug : "-", j->kind, j->state, j->attempts,
			    j->max_attempts, j->run_at, j->last_error ?
			    j->last_error : "");
		}
		printf("%d of %" PRId64 " %sjobs\n", n, total,
		    opts[0].value != NULL ? "failed " : "");
	}
	arena_free(a);
	db_close();
	return rc == 0 ? 0 : 1;
}

static int
cmd_retry(int argc, char **argv)
{
	struct cli_opt	 opts[] = { { NULL, 0, NULL } };
	struct arena	*a;
	struct job	 j;
	const char	*arg, *err;
	int64_t		 id;
	int		 rc;

	if (cli_opts_parse(argc, argv, opts, &arg) == -1)
		return 2;
	if (arg == NULL || parse_i64(arg, 1, INT64_MAX, &id, &err) == -1) {
		fprintf(stderr, "usage: dinghuo jobs retry ID\n");
		return 2;
	}
	a = arena_new(4096);
	switch (rc = job_retry(a, 0, id)) {
	case 0:
		printf("job %" PRId64 " queued again\n", id);
		log_info("job retried id=%" PRId64 " by=cli", id);
		break;
	case ERR_NOT_FOUND:
		fprintf(stderr, "dinghuo: no job %" PRId64 "\n", id);
		break;
	case ERR_CONFLICT:
		fprintf(stderr, "dinghuo: job %" PRId64 " is %s, not failed: "
		    "nothing to retry\n", id, job_get(a, 0, id, &j) == 0 ?
		    j.state : "no longer there");
		break;
	default:
		fprintf(stderr, "dinghuo: database: %s\n", db_error());
	}
	arena_free(a);
	db_close();
	return rc == 0 ? 0 : 1;
}

int
cli_jobs(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "retry") == 0)
		return cmd_retry(argc - 1, argv + 1);
	fprintf(stderr, "usage: dinghuo jobs run [--once] [--shop SLUG]\n"
	    "       dinghuo jobs list [--failed] [--shop SLUG] [--limit N]\n"
	    "       dinghuo jobs retry ID\n");
	return 2;
}
