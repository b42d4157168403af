/*
 * dealer_application.h -- 经销商申请: a visitor applies for a dealer
 * account with the company's details, a business licence photo and the
 * password the account will have (domain/dealer_apply.c); only staff see
 * the photo (domain/dealer_licence.c); staff list and
 * read the applications (domain/dealer_application.c), approve one into
 * a customer company with its first user, or reject it with a reason
 * (domain/dealer_review.c). Times are China Standard Time strings.
 */
#ifndef DOMAIN_DEALER_APPLICATION_H
#define DOMAIN_DEALER_APPLICATION_H

#include "domain/dctx.h"

struct field_errs;

#define DEALER_PER_HOUR		5	/* per shop and client address */
#define DEALER_PER_DAY		3	/* per shop and phone */
#define DEALER_TOKEN_HEX	64	/* the status link's token */
#define DEALER_REASON_MAX	200	/* characters of a refusal */
#define DEALER_USER_ROLE	"approver"	/* the applicant's, approved */

enum dealer_status { DEALER_PENDING, DEALER_APPROVED, DEALER_REJECTED };

/* Why an application was refused that no field can put right. */
enum dealer_refusal {
	DEALER_OK,
	DEALER_HAS_ACCOUNT,	/* the phone logs in here already */
	DEALER_WAITING,		/* the phone has a pending application */
	DEALER_TOO_MANY		/* the address's or the phone's limit */
};

/* What the applicant sent; the handler's field table checked lengths. */
struct dealer_input {
	const char	*company;
	const char	*contact_name;
	const char	*phone;		/* 11-digit mobile, the login */
	const char	*region;	/* "" when none */
	const char	*address;
	const char	*tax_id;
	const char	*message;
	const char	*password;
	const void	*licence;	/* the photo's bytes; NULL: none */
	size_t		 licence_len;
};

struct dealer_app {
	int64_t		 id;
	const char	*company;
	const char	*contact_name;
	const char	*phone;
	const char	*region;
	const char	*address;
	const char	*tax_id;
	const char	*message;
	const char	*licence;	/* under private_dir (licence_private) */
	const char	*licence_thumb;
	int64_t		 licence_w;
	int64_t		 licence_h;
	enum dealer_status status;
	const char	*reason;	/* a refusal's; "" otherwise */
	const char	*reviewer;	/* staff name; NULL: not reviewed */
	const char	*reviewed;	/* "YYYY-MM-DD HH:MM"; NULL */
	int64_t		 customer_id;	/* approved: the company; else 0 */
	const char	*customer_name;
	const char	*ip;
	const char	*created;	/* "YYYY-MM-DD HH:MM" */
};

/* What staff choose when they approve; as typed, NULL when not sent. */
struct dealer_approval {
	const char	*level_id;
	const char	*owner_staff_id;
	const char	*terms;
	const char	*days;
	const char	*limit;		/* yuan */
};

struct dealer_query {
	int		 all;		/* every status (pending first), or: */
	enum dealer_status status;
	int64_t		 page;		/* from 1 */
	int		 per_page;
};
struct dealer_list {
	struct dealer_app *rows;
	int		 n;
	int64_t		 total;		/* matching, all pages */
};

/* dealer_application.c: reading them. */
const char	*dealer_status_name(enum dealer_status);
int		 dealer_status_parse(const char *, enum dealer_status *);
int		 dealer_list(struct dctx *, const struct dealer_query *,
		     struct dealer_list *);
int		 dealer_get(struct dctx *, int64_t, struct dealer_app *);
int		 dealer_by_token(struct dctx *, const char *,
		     struct dealer_app *);
int		 dealer_pending_count(struct dctx *, int64_t *);
int		 dealer_login_note(struct dctx *, const char *, const char *);

/* dealer_apply.c: applying. */
int		 dealer_check(struct dctx *, const struct dealer_input *,
		     struct field_errs *);
int		 dealer_apply(struct dctx *, const struct dealer_input *,
		     char *, int64_t *, enum dealer_refusal *,
		     struct field_errs *);

/* dealer_licence.c: the licence photo, for staff only. */
struct dealer_move_stats {
	int		 moved;		/* applications now under private_dir */
	int		 left;		/* files missing, or no stored path */
	int		 failed;	/* I/O or database errors */
};
int		 dealer_licence_read(struct dctx *, int64_t, int,
		     struct buf *);
int		 dealer_licences_move(struct dealer_move_stats *);

/* dealer_review.c: what staff decide. */
int		 dealer_approve(struct dctx *, int64_t,
		     const struct dealer_approval *, int64_t *, int *,
		     struct field_errs *);
int		 dealer_reject(struct dctx *, int64_t, const char *,
		     struct field_errs *);

#endif /* DOMAIN_DEALER_APPLICATION_H */
