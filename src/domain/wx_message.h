/*
 * wx_message.h -- notices to customers in WeChat (domain/wx_message*.c):
 * the shop's templates per event, delivering the account's notifications
 * as subscribe or template messages, and what was sent to whom.
 */
#ifndef DOMAIN_WX_MESSAGE_H
#define DOMAIN_WX_MESSAGE_H

#include "base/base.h"
#include "domain/wechat_conf.h"

struct dctx;
struct field_errs;

#define WX_MESSAGE_ROLES	"owner,admin"
#define WX_MESSAGE_PER_PAGE	30
#define WX_MESSAGE_TRIES	5	/* then failed: given up */

/* The events a notice can be about, in the order pages list them. */
int		 wx_event_count(void);
const char	*wx_event_name(int);
const char	*wx_event_label(int);
int		 wx_event_find(const char *);

struct wx_template {
	const char	*event;
	enum wx_app	 app;
	const char	*template_id;
	const char	*fields;	/* "key={placeholder}" a line */
	const char	*page;
	int		 enabled;
};
int	wx_templates_get(struct dctx *, struct wx_template **, int *);
int	wx_template_save(struct dctx *, const struct wx_template *,
	    struct field_errs *);
int	wx_template_drop(struct dctx *, const char *, enum wx_app);

/* wx_message.c: the delivery (the notify jobs and wechat.deliver). */
struct wx_deliver_count {
	int	 sent, failed, skipped, waiting;
};
int	wx_deliver(struct arena *, int64_t, struct wx_deliver_count *);
char	*wx_fill(struct arena *, const char *, const char *const [][2], int,
	    size_t);

/* wx_message_read.c: what was sent to whom. */
struct wx_message_row {
	int64_t		 id;
	const char	*at;
	const char	*company;
	const char	*user;
	const char	*event;		/* its label */
	const char	*app;		/* "mp", "miniapp" or NULL */
	const char	*state;
	const char	*error;
	int		 attempts;
};
int	wx_messages_list(struct dctx *, const char *, int,
	    struct wx_message_row **, int *, int64_t *);

#endif /* DOMAIN_WX_MESSAGE_H */
