/*
 * hello.c -- the FastCGI ceiling of tests/bench/run: a bare libfcgi
 * responder that answers every request with the same 202-byte HTML page
 * from a constant. No routing, no database, no templates, no logging: what
 * is left is nginx + FastCGI + one process switch, the least any FastCGI
 * page can cost on this machine. Not product code.
 *
 *   cc -O2 -o hello hello.c -lfcgi
 *   hello -s PATH [-n N] [-b BACKLOG]
 *
 * Binds the unix socket PATH (mode 0666), forks N workers (default 4) that
 * all block in FCGX_Accept_r() on that one listening socket, and waits.
 * SIGTERM or SIGINT to the master stops the workers, reaps them, removes
 * the socket and exits. -n 0 serves in the master itself (one process, for
 * valgrind/callgrind).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#define BODY \
	"<!DOCTYPE html>\n" \
	"<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">" \
	"<meta name=\"viewport\" content=\"width=device-width\">" \
	"<title>hello</title></head>\n" \
	"<body><h1>订货</h1><p>Bare FastCGI page</p></body></html>\n"

static const char body[] = BODY;
_Static_assert(sizeof(body) - 1 == 202, "the page must be 202 bytes");

/* Headers and body in one constant: a single FCGX_PutStr per request. */
static const char response[] =
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Length: 202\r\n"
    "\r\n" BODY;

static volatile sig_atomic_t stopping;
static pid_t	*kids;
static int	 nkids;

/* Stop every worker from the handler itself (kill(2) is async-signal-safe),
 * so a signal that lands just before waitpid() cannot be missed. */
static void
on_stop(int sig)
{
	int	i;

	(void)sig;
	stopping = 1;
	for (i = 0; i < nkids; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
}

/* One worker: accept, answer, finish, until the socket fails or SIGTERM. */
static int
serve(int listen_fd)
{
	FCGX_Request	req;

	if (FCGX_InitRequest(&req, listen_fd, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(response, (int)sizeof(response) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return 0;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s -s SOCKET [-n WORKERS] [-b BACKLOG]\n",
	    prog);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t	 block, old;
	const char	*path = NULL;
	int		 n = 4, backlog = 1024, fd, opt, i, alive, status;
	pid_t		 pid;

	while ((opt = getopt(argc, argv, "s:n:b:")) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'b':
			backlog = atoi(optarg);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (path == NULL || n < 0 || backlog < 1 || optind != argc)
		usage(argv[0]);

	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0) {
		fprintf(stderr, "hello: FCGX_Init failed\n");
		return 1;
	}
	unlink(path);
	if ((fd = FCGX_OpenSocket(path, backlog)) < 0) {
		fprintf(stderr, "hello: cannot listen on %s\n", path);
		return 1;
	}
	chmod(path, 0666);
	if (n == 0)
		return serve(fd);

	/*
	 * SIGTERM/SIGINT stay blocked until the handler is in place, so a
	 * signal that arrives while forking is not lost; workers go back to
	 * the default action (die at once: they hold no state).
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: waitpid returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((kids = calloc((size_t)n, sizeof(*kids))) == NULL)
		return 1;
	nkids = n;
	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1) {
			perror("hello: fork");
			stopping = 1;
			break;
		}
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			sigprocmask(SIG_SETMASK, &old, NULL);
			_exit(serve(fd));
		}
		kids[i] = pid;
	}
	alive = i;
	if (stopping)		/* a fork failed: take the others down */
		on_stop(0);
	sigprocmask(SIG_SETMASK, &old, NULL);

	while (alive > 0) {
		pid = waitpid(-1, &status, 0);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n; i++) {
			if (kids[i] != pid)
				continue;
			kids[i] = 0;
			alive--;
			if (!stopping)
				fprintf(stderr, "hello: worker %d exited "
				    "(status 0x%x)\n", (int)pid, status);
		}
	}
	unlink(path);
	free(kids);
	return 0;
}
