/*
 * nps.h -- NPS surveys and the feedback loop (docs/nps.md): scheduling a
 * survey when an order is received or a ticket resolved (nps.c), the
 * job that sends the due ones, the answer by signed link (nps.c), the
 * back office's figures, comments and follow-up tasks (nps_report.c,
 * nps_task.c). What they return lives in the caller's arena.
 */
#ifndef DOMAIN_NPS_H
#define DOMAIN_NPS_H

#include "base/base.h"
#include "domain/dctx.h"

struct job;

#define NPS_ROLES		"owner,admin,service,sales"
#define NPS_ROLES_SETTINGS	"owner,admin"
#define NPS_COMMENT_MAX		500	/* characters */
#define NPS_NOTE_MAX		500
#define NPS_TTL_DAYS		30	/* a sent survey can be answered so long */
#define NPS_PER_PAGE		20
#define NPS_DELAY_DEFAULT	3
#define NPS_PERIOD_DEFAULT	90

/* 9-10 promoters, 7-8 passives, 0-6 detractors. */
#define NPS_PROMOTER(s)		((s) >= 9)
#define NPS_DETRACTOR(s)	((s) <= 6)

/* ---- nps.c: settings, scheduling, sending, answering ---------------- */
struct nps_settings {
	int		 enabled;
	int64_t		 delay_days;	/* 0-60 */
	int64_t		 period_days;	/* 0-730 */
};
int	nps_settings_get(struct dctx *, struct nps_settings *);
int	nps_settings_save(struct dctx *, const struct nps_settings *);

/*
 * Schedule a survey for customer user uid about source ("order" or
 * "ticket") source_id, due after the shop's delay, unless the shop has
 * surveys off, the user is not active, or the user had a survey within
 * the period (then nothing is written and it is still 0). Runs in the
 * caller's transaction (an order's receipt, a ticket's resolution): the
 * survey comes with the move or not at all. order_id: the order whose
 * categories the answer counts for (0: none). 0 or ERR_INTERNAL.
 */
int	nps_schedule(struct dctx *, int64_t, const char *, int64_t);
int	nps_schedule_for(struct dctx *, int64_t, const char *, int64_t,
	    int64_t);
int	nps_schedule_order(struct dctx *, int64_t);	/* order_state.c */

/* The nps.send job: every due survey becomes a notification. */
int	task_nps_send(struct arena *, const struct job *, const char **);

struct nps_survey {
	int64_t		 id;
	const char	*token;
	const char	*state;		/* "sent", "answered" */
	const char	*order_no;	/* "" for none */
	const char	*sent;		/* "YYYY-MM-DD", China */
	const char	*expires;
	int		 score;		/* -1: not answered */
	const char	*comment;
};
/* The survey of token (signed, this shop's, sent, not expired; not
 * another customer's when the request has a customer session):
 * 0 or ERR_NOT_FOUND. */
int	nps_open(struct dctx *, const char *, struct nps_survey *);
/* Answer it: score 0-10, comment (NULL or ""). ERR_INVALID (c->code
 * "score_invalid", "comment_too_long"), ERR_NOT_FOUND, ERR_CONFLICT
 * ("already_answered"): nothing written. A detractor opens a task. */
int	nps_answer(struct dctx *, const char *, int64_t, const char *);
/* The actor's (a customer user's) surveys waiting for an answer. */
int	nps_pending(struct dctx *, struct nps_survey **, int *);

/* ---- nps_report.c: the figures -------------------------------------- */
struct nps_count {
	const char	*label;
	int64_t		 promoters, passives, detractors;
};
int64_t	nps_total(const struct nps_count *);
/* round(100 * (promoters - detractors) / total), half away from 0;
 * 0 when total is 0 (check nps_total first). */
int64_t	nps_score(const struct nps_count *);

enum nps_group { NPS_BY_MONTH, NPS_BY_LEVEL, NPS_BY_SALES,
	NPS_BY_CATEGORY, NPS_NGROUPS };
struct nps_report {
	struct nps_count	 all;
	struct nps_count	*g[NPS_NGROUPS];
	int			 n[NPS_NGROUPS];
};
/* Answers between two China dates "YYYY-MM-DD" (both in), in the
 * actor's customer scope. */
int	nps_report(struct dctx *, const char *, const char *,
	    struct nps_report *);

struct nps_answer_row {
	int64_t		 survey_id;
	const char	*answered;	/* "YYYY-MM-DD HH:MM", China */
	const char	*company;
	const char	*user;
	const char	*sales;		/* "" for none */
	const char	*order_no;
	int		 score;
	const char	*comment;
	int64_t		 task_id;	/* 0: none */
	const char	*task_state;
};
/* Answers in the range, newest first: only those with a comment when
 * with_comment. Page from 1; *total counts them all. */
int	nps_answers(struct dctx *, const char *, const char *, int, int64_t,
	    struct nps_answer_row **, int *, int64_t *);

/* ---- nps_task.c: follow-up of detractors ---------------------------- */
struct nps_task {
	int64_t		 id;
	int64_t		 survey_id;
	const char	*state;		/* open, contacted, resolved */
	const char	*state_label;
	const char	*note;
	const char	*staff;		/* who follows it up; "" none */
	int64_t		 staff_id;
	const char	*created;
	const char	*updated;
	const char	*company;
	int64_t		 customer_id;
	const char	*user;
	const char	*user_phone;
	const char	*order_no;
	int64_t		 order_id;
	int		 score;
	const char	*comment;
};
const char *nps_task_label(const char *);
int	nps_task_state_ok(const char *);
/* Tasks in the actor's scope: state NULL for all; mine: the actor's. */
int	nps_tasks(struct dctx *, const char *, int, int64_t,
	    struct nps_task **, int *, int64_t *);
int	nps_task_get(struct dctx *, int64_t, struct nps_task *);
/* Record the outcome: state contacted/resolved (or open), note. */
int	nps_task_save(struct dctx *, int64_t, const char *, const char *);
/* Open tasks the actor follows up (the back office's notice). */
int	nps_tasks_open_mine(struct dctx *, int64_t *);

#endif /* DOMAIN_NPS_H */
