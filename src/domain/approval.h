/*
 * approval.h -- multi-account approval and what surrounds it
 * (docs/orders.md, "Approval and release"): the company's rule of which
 * orders wait for its approver (approval.c), the shop's hours after which
 * waiting orders are released, the notifications the company's users get
 * about their orders (notify.c), and the release job (order_release.c).
 * The moves themselves are order_state.c's: order_move(ORDER_APPROVE),
 * order_reject(), order_release().
 */
#ifndef DOMAIN_APPROVAL_H
#define DOMAIN_APPROVAL_H

#include "domain/dctx.h"
#include "domain/order.h"
#include "services/job.h"

#define APPROVAL_REASON_MAX	200	/* a reject's comment, characters */
#define RELEASE_HOURS_MAX	720	/* 30 days */
#define NOTIFY_LIST_MAX		50	/* the messages page shows these */

/* approval.c: the company's rule. */
enum approval_mode { APPROVAL_NONE, APPROVAL_ABOVE, APPROVAL_BUYER,
	APPROVAL_ALL, APPROVAL_NMODES };
struct approval_rule {
	enum approval_mode	 mode;
	int64_t			 above_fen;	/* APPROVAL_ABOVE: over this */
};
const char	*approval_mode_name(enum approval_mode);	/* "above" */
const char	*approval_mode_label(enum approval_mode);
int		 approval_mode_parse(const char *, enum approval_mode *);
int		 approval_rule_get(struct dctx *, int64_t,
		     struct approval_rule *, const char **);
int		 approval_rule_save(struct dctx *, int64_t,
		     const struct approval_rule *);
int		 approval_needed(const struct dctx *,
		     const struct approval_rule *, int64_t);
int		 approval_pending_count(struct dctx *, int64_t *);
/* What became of an order's approval, for the buyer's pages. */
struct approval_outcome {
	const char	*text;		/* NULL: it never waited */
	int		 rejected;	/* turned down or released */
};
int		 approval_outcomes(struct dctx *, const struct order *, int,
		     struct approval_outcome *);

/* approval.c: the shop's release hours (0: never). */
struct release_hours {
	int64_t		 unapproved;
	int64_t		 unconfirmed;
};
int		 release_hours_get(struct dctx *, struct release_hours *);
int		 release_hours_save(struct dctx *, const struct release_hours *);

/* order_state.c: the approver's no, the release job's cancel. */
int		 order_reject(struct dctx *, int64_t, const char *,
		     enum order_state *);
int		 order_release(struct dctx *, int64_t, enum order_state,
		     const char *);

/* notify.c: the notify.order job rows and the notifications they make. */
struct notification {
	int64_t		 id;
	const char	*kind;
	int64_t		 order_id;	/* 0: none */
	const char	*title;
	const char	*body;
	const char	*time;		/* "YYYY-MM-DD HH:MM", China */
	int		 unread;
	const char	*link;		/* "" or the page it opens (nps.c) */
};
int		 notify_order(struct dctx *, int64_t, const char *);
int		 notify_money(struct dctx *, int64_t, const char *, int64_t,
		     const char *);
int		 task_notify_money(struct arena *, const struct job *,
		     const char **);
int		 notify_list(struct dctx *, struct notification **, int *);
int		 notify_unread(struct dctx *, int64_t *);
int		 notify_read_all(struct dctx *);
int		 task_notify_order(struct arena *, const struct job *,
		     const char **);

/* order_release.c: the order.release job. */
int		 task_order_release(struct arena *, const struct job *,
		     const char **);

#endif /* DOMAIN_APPROVAL_H */
