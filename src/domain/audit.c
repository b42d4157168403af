/*
 * audit.c -- the audit log: one row per change that matters (prices,
 * customers, settings), with who did it and from where. Call it inside the
 * transaction of the change so both land or neither does.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/session.h"

#define DETAIL_CHARS	1000	/* audit_log.detail is VARCHAR(1000) */

static const char sql_audit[] =
    "INSERT INTO audit_log (shop_id, actor, action, detail, ip) "
    "VALUES (?, ?, ?, ?, ?)";

/* The length of the UTF-8 sequence lead byte c starts; 0: not a lead. */
static size_t
seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/*
 * Cut s to what the column holds: whole characters only (a broken one
 * would fail the insert, and the change with it), at most DETAIL_CHARS
 * of them, the last an ellipsis when something was cut.
 */
static void
detail_fit(char *s, size_t cap)
{
	size_t	 n, len = strlen(s), chars = 0;
	char	*p = s, *end = s + len, *last = s;

	while (p < end && chars < DETAIL_CHARS) {
		if ((n = seq_len((unsigned char)*p)) == 0 || p + n > end)
			break;
		last = p;
		p += n;
		chars++;
	}
	if (p == end && len < cap - 1)
		return;
	/* Cut, the ellipsis in place of the last character kept. */
	if (chars == DETAIL_CHARS)
		p = last;
	while (p > s && (size_t)(p - s) + sizeof("…") > cap)
		do
			p--;
		while (p > s && ((unsigned char)*p & 0xc0) == 0x80);
	memcpy(p, "…", sizeof("…"));
}

int
audit(struct dctx *c, const char *action, const char *fmt, ...)
{
	va_list	 ap;
	char	 detail[DETAIL_CHARS * 4 + 1], actor[40];

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	detail_fit(detail, sizeof(detail));
	if (c->sess.kind == SESS_NONE && (strcmp(c->reqid, "job") == 0 ||
	    strcmp(c->reqid, "cli") == 0))
		/* No one asked: the job runner or a shell command did it. */
		snprintf(actor, sizeof(actor), "system:%s", c->reqid);
	else
		snprintf(actor, sizeof(actor), "%s:%" PRId64,
		    c->sess.kind == SESS_STAFF ? "staff" : c->sess.kind ==
		    SESS_CUSTOMER ? "customer" : "guest", c->sess.user_id);
	if (db_run(c->arena, NULL, sql_audit, "issss", c->shop->id, actor,
	    action, detail, c->remote_addr) == -1)
		return ERR_INTERNAL;
	return 0;
}
