/*
 * runtime.h -- the processes and shell commands: the master and its
 * scoreboard, the workers, the job runners, the CLI (the files of runtime/).
 */
#ifndef RUNTIME_RUNTIME_H
#define RUNTIME_RUNTIME_H

#include "base/base.h"

/* server.c: the prefork master and the scoreboard it shares with workers. */
enum slot_state { SLOT_FREE, SLOT_STARTING, SLOT_IDLE, SLOT_BUSY };
struct slot {
	volatile pid_t		 pid;
	volatile int		 state;
	volatile double		 started;	/* now_ms() of request start */
	volatile uint64_t	 requests;
	char			 reqid[17];
	char			 what[96];	/* method and path, for logs */
	/* master only */
	int			 retiring;
	double			 spawned;
};
extern struct slot *slots;
int		 server_run(const char *);
int		 listen_open(const char *, int, int);

/* worker.c: one worker process's request loop. */
struct route;
struct worker;
int		 worker_prefork(void);
int		 worker_main(int, struct slot *, const char *);
const struct route *const *worker_routes(void);
extern struct worker *worker;

/* cli.c: options of the shell commands. */
enum cli_opt_kind { CLI_VALUE, CLI_REQUIRED, CLI_FLAG };
struct cli_opt {
	const char		*name;	/* without "--"; NULL ends the table */
	enum cli_opt_kind	 kind;
	const char		*value;	/* as given; "1" for a flag */
};
int		 cli_opts_parse(int, char **, struct cli_opt *, const char **);
/* cli_catalog.c: `dinghuo import products`, `dinghuo export products`. */
int		 cli_import(int, char **);
int		 cli_export(int, char **);
/* cli_images.c: `dinghuo import images`. */
int		 cli_import_images(int, char **);

/* cli_uploads.c: `dinghuo uploads prune`, files nobody uses; the licence
 * move `dinghuo migrate` ends with. */
int		 cli_uploads(int, char **);
int		 cli_licences_move(void);
/* cli_statements.c: `dinghuo statements generate`. */
int		 cli_statements(int, char **);

/* cli_routes.c: `dinghuo routes`, what the router serves. */
int		 cli_routes(void);

/* cli.c: operator commands. */
int		 cli_shop_create(int, char **);
int		 cli_demo(int, char **);

/* jobs_runner.c: claims and runs jobs; under the master or from cron. */
int		 jobs_runner_main(struct slot *, const char *);
int		 cli_jobs(int, char **);

#endif /* RUNTIME_RUNTIME_H */
