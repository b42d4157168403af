/*
 * server.c -- the prefork master, in the php-fpm mould. It binds the FastCGI
 * socket (or inherits it on fd 0), forks the workers, respawns a dead one,
 * kills one whose request runs past request_timeout, replaces all of them
 * gracefully on SIGHUP (new config and templates, no dropped request: the
 * listen socket stays open) and drains them on SIGTERM.
 * Workers report their state in a shared scoreboard (struct slot).
 * Beside the workers it keeps conf.job_runners job runners (jobs_runner.c)
 * alive the same way: their slots are of kind SLOT_JOBS.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/auth.h"
#include "runtime/runtime.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#define NSLOTS		512
#define RESPAWN_DELAY	1000.0	/* ms to wait after a worker died young */

struct slot	*slots;

/* Job runners: what each slot runs, and how to name it in the log. */
enum slot_kind { SLOT_WORKER, SLOT_JOBS };
static unsigned char slot_kind[NSLOTS];
#define KIND_NAME(i)	(slot_kind[i] == SLOT_JOBS ? "job runner" : "worker")

static const char *conf_path;
static int	 listen_fd = -1;
static char	*unix_path;		/* socket we created, to unlink */

static int
listen_unix(const char *path, int backlog, int mode)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("listen: socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	/* Remove a stale socket, never a regular file. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("listen: socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("listen: bind %s", path);
		close(fd);
		return -1;
	}
	if (chmod(path, (mode_t)mode) == -1)
		log_warn("listen: chmod %s", path);
	if (listen(fd, backlog) == -1) {
		log_warn("listen: %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int
listen_tcp(const char *spec, int backlog)
{
	struct sockaddr_in	 sin;
	char			 host[64];
	const char		*colon, *err;
	int64_t			 port;
	int			 fd, one = 1;

	if ((colon = strrchr(spec, ':')) == NULL ||
	    (size_t)(colon - spec) >= sizeof(host)) {
		log_warnx("listen: expected unix:PATH or HOST:PORT, got %s",
		    spec);
		return -1;
	}
	memcpy(host, spec, colon - spec);
	host[colon - spec] = '\0';
	if (parse_i64(colon + 1, 1, 65535, &port, &err) == -1) {
		log_warnx("listen: port %s: %s", colon + 1, err);
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, *host ? host : "127.0.0.1",
	    &sin.sin_addr) != 1) {
		log_warnx("listen: not an IPv4 address: %s", host);
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("listen: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, backlog) == -1) {
		log_warn("listen: %s", spec);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Open the FastCGI listen socket: "unix:PATH", "HOST:PORT", or "" for the
 * socket a web server or spawn-fcgi passed on fd 0. Non-blocking, so that
 * a worker that loses the race for a connection goes back to waiting.
 */
int
listen_open(const char *spec, int backlog, int mode)
{
	int		fd;
	int		type;
	socklen_t	len = sizeof(type);

	if (*spec == '\0') {
		if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) == -1) {
			log_warnx("listen: empty, and fd 0 is not a socket");
			return -1;
		}
		fd = 0;
	} else if (strncmp(spec, "unix:", 5) == 0)
		fd = listen_unix(spec + 5, backlog, mode);
	else
		fd = listen_tcp(spec, backlog);
	if (fd != -1 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
	    == -1) {
		log_warn("listen: O_NONBLOCK");
		return -1;
	}
	/* The inherited fd 0 too: no program a worker runs may accept. */
	if (fd != -1 && fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		log_warn("listen: FD_CLOEXEC");
		return -1;
	}
	return fd;
}

static int
pidfile_write(const char *path)
{
	char	 tmp[PATH_MAX];
	FILE	*f;

	if (*path == '\0')
		return 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -1;
	if ((f = fopen(tmp, "we")) == NULL) {
		log_warn("pid file %s", tmp);
		return -1;
	}
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		log_warn("pid file %s", path);
		return -1;
	}
	return 0;
}

static int
spawn(enum slot_kind kind)
{
	pid_t	pid;
	int	i;

	for (i = 0; i < NSLOTS; i++)
		if (slots[i].state == SLOT_FREE)
			break;
	if (i == NSLOTS) {
		log_warnx("master: no free worker slot");
		return -1;
	}
	memset(&slots[i], 0, sizeof(slots[i]));
	slot_kind[i] = kind;
	slots[i].state = SLOT_STARTING;
	slots[i].spawned = now_ms();
	switch (pid = fork()) {
	case -1:
		log_warn("master: fork");
		slots[i].state = SLOT_FREE;
		return -1;
	case 0:
		if (kind == SLOT_JOBS) {
			if (listen_fd != -1)
				close(listen_fd);
			/*
			 * spawn-fcgi's socket was fd 0: hold it with /dev/null
			 * (close-on-exec), or the runner's next file takes it.
			 */
			if (listen_fd == 0 && open("/dev/null", O_RDONLY |
			    O_CLOEXEC) != 0)
				log_warn("job runner: /dev/null on fd 0");
			_exit(jobs_runner_main(&slots[i], conf_path));
		}
		_exit(worker_main(listen_fd, &slots[i], conf_path));
	}
	slots[i].pid = pid;
	return 0;
}

static int
count_active(enum slot_kind kind)
{
	int	i, n = 0;

	for (i = 0; i < NSLOTS; i++)
		if (slots[i].state != SLOT_FREE && !slots[i].retiring &&
		    slot_kind[i] == kind)
			n++;
	return n;
}

static int
count_all(void)
{
	int	i, n = 0;

	for (i = 0; i < NSLOTS; i++)
		n += slots[i].state != SLOT_FREE;
	return n;
}

/* Reap dead workers; says whether one died young (crash loop guard). */
static int
reap(int stopping)
{
	struct slot	*s;
	pid_t		 pid;
	int		 status, i, young = 0;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < NSLOTS; i++)
			if (slots[i].state != SLOT_FREE && slots[i].pid == pid)
				break;
		if (i == NSLOTS)
			continue;
		s = &slots[i];
		if (WIFSIGNALED(status))
			log_warnx("master: %s pid=%d killed by signal %d"
			    "%s%s", KIND_NAME(i), (int)pid, WTERMSIG(status),
			    s->state == SLOT_BUSY ? " during " : "",
			    s->state == SLOT_BUSY ? s->what : "");
		else if (WEXITSTATUS(status) != 0)
			log_warnx("master: %s pid=%d exited with status %d",
			    KIND_NAME(i), (int)pid, WEXITSTATUS(status));
		else if (!stopping && !s->retiring && slot_kind[i] == SLOT_JOBS)
			log_warnx("master: job runner pid=%d exited", (int)pid);
		else if (!stopping && !s->retiring)
			log_info("master: worker pid=%d recycled after %"
			    PRIu64 " requests", (int)pid, s->requests);
		if ((WIFSIGNALED(status) || WEXITSTATUS(status) != 0) &&
		    now_ms() - s->spawned < RESPAWN_DELAY)
			young = 1;
		s->state = SLOT_FREE;
		s->pid = 0;
	}
	return young;
}

/* Kill a worker whose request has run too long; reap() respawns. Job
 * runners time their jobs themselves (job_lease). */
static void
check_timeouts(void)
{
	double	 now = now_ms(), limit = conf.request_timeout * 1000.0;
	int	 i;

	for (i = 0; i < NSLOTS; i++) {
		if (slots[i].state != SLOT_BUSY || slots[i].pid <= 0 ||
		    slot_kind[i] != SLOT_WORKER ||
		    now - slots[i].started <= limit)
			continue;
		log_warnx("master: request timeout req=%s %s ms=%.0f: killing "
		    "worker pid=%d", slots[i].reqid, slots[i].what,
		    now - slots[i].started, (int)slots[i].pid);
		kill(slots[i].pid, SIGKILL);
		slots[i].started = now;	/* once per request */
	}
}

static void
retire_all(int sig)
{
	int	i;

	for (i = 0; i < NSLOTS; i++)
		if (slots[i].state != SLOT_FREE && slots[i].pid > 0) {
			slots[i].retiring = 1;
			kill(slots[i].pid, sig);
		}
}

/* SIGHUP: new config, new logs, new workers; old ones finish and go. */
static void
reload(void)
{
	struct conf	 next;
	struct buf	 errs;
	char		*old_listen;

	buf_init(&errs, 256);
	if (conf_load(conf_path, &next, &errs) != 0) {
		log_warnx("master: reload refused, config has errors:\n%s",
		    buf_cstr(&errs));
		conf_free(&next);
		buf_free(&errs);
		return;
	}
	buf_free(&errs);
	if (strcmp(next.listen, conf.listen) != 0)
		log_warnx("master: listen changed to %s; it takes effect on "
		    "restart", next.listen);
	old_listen = xstrdup(conf.listen);
	conf_free(&conf);
	conf = next;
	free(conf.listen);
	conf.listen = old_listen;
	log_verbose = conf.log_debug;
	if (log_open(conf.error_log, conf.access_log) == -1)
		log_warnx("master: reload could not reopen logs");
	retire_all(SIGTERM);
	log_info("master: reloaded %s, replacing workers", conf_path ?
	    conf_path : "(environment)");
}

int
server_run(const char *path)
{
	sigset_t	 set;
	siginfo_t	 si;
	struct timespec	 tick = { 0, 100 * 1000 * 1000 };
	double		 stop_at = 0, next_spawn = 0;
	int		 sig, stopping = 0;

	conf_path = path;
	log_set_prefix("dinghuo-master");
	if ((listen_fd = listen_open(conf.listen, (int)conf.backlog,
	    (int)conf.listen_mode)) == -1)
		return 1;
	if (strncmp(conf.listen, "unix:", 5) == 0)
		unix_path = xstrdup(conf.listen + 5);
	slots = mmap(NULL, NSLOTS * sizeof(*slots), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		fatal("mmap scoreboard");

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (pidfile_write(conf.pid_file) == -1)
		return 1;
	/* Hashed once here, not in every worker (Argon2id takes 19 MiB):
	 * a failed login for an unknown phone is then no faster. */
	if (auth_dummy_hash() == NULL)
		return 1;
	/* Done once here so the workers share it rather than each redo it. */
	if (db_library_init() == -1 || worker_prefork() == -1)
		return 1;
	log_info("master: listening on %s, %" PRId64 " workers, %" PRId64
	    " job runners", *conf.listen ? conf.listen : "fd 0", conf.workers,
	    conf.job_runners);

	for (;;) {
		if (!stopping && now_ms() >= next_spawn) {
			while (count_active(SLOT_WORKER) < conf.workers)
				if (spawn(SLOT_WORKER) == -1)
					break;
			while (count_active(SLOT_JOBS) < conf.job_runners)
				if (spawn(SLOT_JOBS) == -1)
					break;
		}
		sig = sigtimedwait(&set, &si, &tick);
		if (sig == SIGHUP && !stopping)
			reload();
		else if ((sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) &&
		    !stopping) {
			stopping = 1;
			/* A job runner finishes its job (job_lease at most). */
			stop_at = now_ms() + (conf.job_runners > 0 &&
			    conf.job_lease > conf.request_timeout ?
			    conf.job_lease : conf.request_timeout) * 1000.0 +
			    1000.0;
			log_info("master: signal %d, draining %d workers", sig,
			    count_all());
			retire_all(SIGTERM);
		}
		if (reap(stopping))
			next_spawn = now_ms() + RESPAWN_DELAY;
		check_timeouts();
		if (stopping && count_all() == 0)
			break;
		if (stopping && now_ms() > stop_at) {
			log_warnx("master: workers still busy at shutdown, "
			    "killing them");
			retire_all(SIGKILL);
			stop_at = now_ms() + 5000.0;
		}
	}
	if (unix_path != NULL)
		unlink(unix_path);
	if (*conf.pid_file)
		unlink(conf.pid_file);
	log_info("master: stopped");
	free(unix_path);
	return 0;
}
