/*
 * order_rows.h -- what the order, cart and stock files share in the
 * database's language (domain/order*.c, domain/stock.c only): the actor
 * as the rows' who-columns, China time in SQL, the state machine's
 * bookkeeping rows.
 */
#ifndef DOMAIN_ORDER_ROWS_H
#define DOMAIN_ORDER_ROWS_H

#include "services/db.h"
#include "domain/dctx.h"
#include "domain/order.h"

/*
 * A DATETIME column as Asia/Shanghai wall-clock time; today's date there.
 * The connection's zone is UTC (services/db.c); China has no summer time.
 */
#define ORDER_LOCAL(col)	"DATE_FORMAT(" col " + INTERVAL 8 HOUR, " \
				"'%Y-%m-%d %H:%i')"
#define ORDER_CN_HOURS		8

/* The actor as customer_user_id and staff_id values: "42" or NULL. */
const char	*order_actor_user(struct dctx *);
const char	*order_actor_staff(struct dctx *);
int		 order_event_add(struct dctx *, int64_t, int, enum order_state,
		     const char *);

#endif /* DOMAIN_ORDER_ROWS_H */
