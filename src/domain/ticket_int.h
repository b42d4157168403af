/*
 * ticket_int.h -- what the ticket files share (domain/ticket*.c only):
 * China's wall clock in SQL, the timeline's insert, photos stored before
 * a transaction and dropped again when it fails, the scope of a ticket.
 */
#ifndef DOMAIN_TICKET_INT_H
#define DOMAIN_TICKET_INT_H

#include "domain/image.h"

/* A DATETIME column as Asia/Shanghai wall-clock time. */
#define TICKET_LOCAL(col)	"DATE_FORMAT(" col " + INTERVAL 8 HOUR, " \
				"'%Y-%m-%d %H:%i')"

/*
 * A ticket of alias t the actor may see: staff in their customer scope
 * (a guest's ticket is everybody's who works the queue), a customer's
 * user their company's only. Binds: scope_owner, scope_owner, the
 * actor's company (customers) or -1 (staff: no company check), staff?
 */
#define TICKET_SCOPE(t) \
    "((? = 0 OR (" t ".customer_id IS NOT NULL AND ? = (SELECT " \
    "sc_.owner_staff_id FROM customer sc_ WHERE sc_.id = " t \
    ".customer_id))) AND (? = -1 OR " t ".customer_id = ?))"

/* Past the shop's service levels (alias t the ticket, s its shop): no
 * staff answer within the first hours, not resolved within the days. */
#define TICKET_FIRST_OVER(t, s) \
    "(" t ".first_response_at IS NULL AND " t ".state NOT IN ('resolved', " \
    "'closed') AND " t ".created_at + INTERVAL " s \
    ".ticket_first_response_hours HOUR < NOW(3))"
#define TICKET_RESOLVE_OVER(t, s) \
    "(" t ".state NOT IN ('resolved', 'closed') AND " t ".created_at + " \
    "INTERVAL " s ".ticket_resolve_days DAY < NOW(3))"

struct ticket_photos {
	struct image_info	*v;
	int			 n;
};

int	ticket_event_add(struct dctx *, int64_t, const char *, const char *,
	    const char *, enum ticket_source, const char *, int, int64_t *);
int	ticket_photos_store(struct dctx *, const struct ticket_upload *, int,
	    struct ticket_photos *, enum ticket_field *);
int	ticket_photos_attach(struct dctx *, int64_t, int64_t,
	    const struct ticket_photos *);
void	ticket_photos_drop(struct dctx *, const struct ticket_photos *);
int	ticket_text_check(struct dctx *, const char *, int, enum ticket_field *);
int64_t	ticket_scope_company(const struct dctx *);

#endif /* DOMAIN_TICKET_INT_H */
