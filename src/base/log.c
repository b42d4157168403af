/*
 * log.c -- the error log and the access log: one line per event, key=value,
 * time first. Before log_open() everything goes to stderr. Lines logged
 * while a request is served name its id and shop (log_set_request; clog_*
 * in domain/dctx.c name those of a domain context). Lines are written with one write(2) on
 * an O_APPEND descriptor, so workers sharing a file never interleave.
 */
#include "base/base.h"

#include <fcntl.h>
#include <unistd.h>

int		 log_verbose;
static int	 err_fd = 2;
static int	 access_fd = 2;
static char	 prefix[32] = "dinghuo";
static pid_t	 log_pid;	/* set with the prefix, after each fork */
static char	 req_tags[96];	/* log_set_request */

static int
open_append(const char *path)
{
	int	fd;

	if (path == NULL || *path == '\0')
		return 2;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		fprintf(stderr, "dinghuo: open %s: %s\n", path, strerror(errno));
	return fd;
}

/* Open (or reopen, on SIGHUP) the two logs. */
int
log_open(const char *error_path, const char *access_path)
{
	int	efd, afd;

	if ((efd = open_append(error_path)) == -1)
		return -1;
	if ((afd = open_append(access_path)) == -1) {
		if (efd != 2)
			close(efd);
		return -1;
	}
	if (err_fd != 2)
		close(err_fd);
	if (access_fd != 2)
		close(access_fd);
	err_fd = efd;
	access_fd = afd;
	return 0;
}

void
log_set_prefix(const char *p)
{
	snprintf(prefix, sizeof(prefix), "%s", p);
	log_pid = getpid();
}

static void
vlog_fd(int fd, const char *level, const char *ctxs, int err,
    const char *fmt, va_list ap)
{
	char		 line[2048];
	struct timespec	 ts;
	struct tm	 tm;
	int		 n, m;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d] %s %s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, prefix,
	    (int)(log_pid ? log_pid : getpid()),
	    level, ctxs ? ctxs : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n >= sizeof(line) - 64)
		n = sizeof(line) - 64;
	if (err)
		n += snprintf(line + n, sizeof(line) - n, ": %s",
		    strerror(err));
	line[n++] = '\n';
	(void)!write(fd, line, n);
}

static void
vlog(const char *level, const char *ctxs, int err, const char *fmt,
    va_list ap)
{
	vlog_fd(err_fd, level, ctxs != NULL ? ctxs : req_tags, err, fmt, ap);
}

#define LOGFN(name, level, keep_errno, cond)			\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	ap;						\
	int	saved = errno;					\
								\
	if (!(cond))						\
		return;						\
	va_start(ap, fmt);					\
	vlog(level, NULL, keep_errno ? saved : 0, fmt, ap);	\
	va_end(ap);						\
	errno = saved;						\
}
LOGFN(log_warn, "warn", 1, 1)
LOGFN(log_warnx, "warn", 0, 1)
LOGFN(log_info, "info", 0, 1)
LOGFN(log_debug, "debug", 0, log_verbose)

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog("fatal", NULL, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog("fatal", NULL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * The request being served, for every line logged until it ends: the
 * worker and the job runner set it, so a line from the database layer
 * names its request and shop too. NULL ends it.
 */
void
log_set_request(const char *reqid, const char *shop)
{
	if (reqid == NULL)
		req_tags[0] = '\0';
	else
		snprintf(req_tags, sizeof(req_tags), "req=%s shop=%s ", reqid,
		    shop != NULL ? shop : "-");
}

/* A line with tags of the caller's making ("req=... shop=... "). */
void
log_vtagged(const char *level, const char *tags, const char *fmt,
    va_list ap)
{
	vlog(level, tags, 0, fmt, ap);
}

/* One access line: time, then what the worker formats. */
void
log_access(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_fd(access_fd, "access", NULL, 0, fmt, ap);
	va_end(ap);
}
