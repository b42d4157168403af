/*
 * ticket.c -- opening a ticket (a customer's user, a guest with a phone,
 * staff or a conversation for a company), the messages of its timeline
 * and guest tickets claimed by the phone that logs in. The moves staff
 * make are domain/ticket_move.c; reading, domain/ticket_read.c.
 * Photos are re-encoded under private_dir before the transaction and
 * removed again when it fails.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/text.h"
#include "domain/scope.h"
#include "domain/ticket.h"
#include "domain/ticket_int.h"

static const char sql_order_of[] =
    "SELECT o.customer_id FROM sales_order o WHERE o.id = ? "
    "AND o.shop_id = ? AND o.customer_id = ?";
static const char sql_line_of[] =
    "SELECT l.id FROM order_line l WHERE l.id = ? AND l.order_id = ? "
    "AND l.shop_id = ?";
static const char sql_line_order[] =
    "SELECT l.order_id FROM order_line l WHERE l.id = ? AND l.shop_id = ?";
static const char sql_product_of[] =
    "SELECT id FROM product WHERE id = ? AND shop_id = ?";
static const char sql_company[] =
    "SELECT c.id FROM customer c WHERE c.id = ? AND c.shop_id = ? AND "
    "? IN (0, c.owner_staff_id)";
static const char sql_user_of[] =
    "SELECT id FROM customer_user WHERE id = ? AND shop_id = ? "
    "AND customer_id = ?";
/* Guests: the address's and the phone's recent tickets, locked. */
static const char sql_guest_ip[] =
    "SELECT COUNT(*) FROM ticket WHERE shop_id = ? AND ip = ? AND "
    "customer_id IS NULL AND created_at > NOW(3) - INTERVAL 1 HOUR "
    "FOR UPDATE";
static const char sql_guest_phone[] =
    "SELECT COUNT(*) FROM ticket WHERE shop_id = ? AND guest_phone = ? AND "
    "created_at > NOW(3) - INTERVAL 1 DAY FOR UPDATE";
static const char sql_add[] =
    "INSERT INTO ticket (shop_id, customer_id, customer_user_id, "
    "guest_phone, guest_name, order_id, order_line_id, product_id, kind, "
    "source, subject, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_event[] =
    "INSERT INTO ticket_event (shop_id, ticket_id, kind, from_state, "
    "to_state, staff_id, customer_user_id, source, body, internal) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_photo[] =
    "INSERT INTO ticket_photo (shop_id, ticket_id, event_id, path, "
    "thumb_path) VALUES (?, ?, ?, ?, ?)";
static const char sql_lock_mine[] =
    "SELECT state FROM ticket WHERE id = ? AND shop_id = ? "
    "AND customer_id = ? FOR UPDATE";
static const char sql_lock_any[] =
    "SELECT state, COALESCE(customer_id, 0) FROM ticket WHERE id = ? "
    "AND shop_id = ? FOR UPDATE";
static const char sql_reopen[] =
    "UPDATE ticket SET state = 'open', resolved_at = NULL, closed_at = NULL "
    "WHERE id = ? AND shop_id = ?";
static const char sql_claim_user[] =
    "SELECT customer_id FROM customer_user WHERE id = ? AND shop_id = ? "
    "AND phone = ?";
static const char sql_claimable[] =
    "SELECT id FROM ticket WHERE shop_id = ? AND guest_phone = ? AND "
    "customer_id IS NULL FOR UPDATE";
static const char sql_claim[] =
    "UPDATE ticket SET customer_id = ?, customer_user_id = ? "
    "WHERE id = ? AND shop_id = ? AND customer_id IS NULL";

static const char *const kind_names[][2] = {
	[TK_QUALITY] = { "quality", "质量问题" },
	[TK_MISSING] = { "missing_or_damaged", "缺货/破损" },
	[TK_RETURN] = { "return_or_exchange", "退换货" },
	[TK_INSTALL] = { "installation", "安装" },
	[TK_QUESTION] = { "question", "咨询" },
};
static const char *const state_names[][2] = {
	[TS_OPEN] = { "open", "待处理" },
	[TS_IN_PROGRESS] = { "in_progress", "处理中" },
	[TS_WAITING] = { "waiting_customer", "待客户补充" },
	[TS_RESOLVED] = { "resolved", "已解决" },
	[TS_CLOSED] = { "closed", "已关闭" },
};
static const char *const source_names[] = {
	[TSRC_H5] = "h5", [TSRC_API] = "api", [TSRC_QR] = "qr",
	[TSRC_GUEST] = "guest", [TSRC_KF] = "kf", [TSRC_STAFF] = "staff",
};
static const char *const action_names[] = {
	[TA_ASSIGN] = "assign", [TA_REPLY] = "reply", [TA_ASK_INFO] = "ask_info",
	[TA_RESOLVE] = "resolve", [TA_CLOSE] = "close", [TA_REOPEN] = "reopen",
};
static const char *const resolution_names[][2] = {
	[TR_NONE] = { "", "" },
	[TR_FIXED] = { "fixed", "已处理" },
	[TR_RETURN] = { "return", "退货" },
	[TR_EXCHANGE] = { "exchange", "换货" },
	[TR_REFUND] = { "refund", "退款" },
	[TR_NO_ACTION] = { "no_action", "无需处理" },
};

/*
 * The moves: [state][action] is the state it leads to, -1 refused.
 * Assign and reply keep a resolved ticket resolved; a reply to an open
 * ticket is staff's first answer (in progress).
 */
static const signed char moves[TS_NSTATES][TA_NACTIONS] = {
	/*		  assign	reply		ask_info	resolve
	 *		  close		reopen */
	[TS_OPEN] =	{ TS_OPEN,	TS_IN_PROGRESS,	TS_WAITING,	TS_RESOLVED,
			  TS_CLOSED,	-1 },
	[TS_IN_PROGRESS] = { TS_IN_PROGRESS, TS_IN_PROGRESS, TS_WAITING,
			  TS_RESOLVED,	TS_CLOSED,	-1 },
	[TS_WAITING] =	{ TS_WAITING,	TS_IN_PROGRESS,	-1,		TS_RESOLVED,
			  TS_CLOSED,	-1 },
	[TS_RESOLVED] =	{ TS_RESOLVED,	TS_RESOLVED,	-1,		-1,
			  TS_CLOSED,	TS_OPEN },
	[TS_CLOSED] =	{ -1,		-1,		-1,		-1,
			  -1,		TS_OPEN },
};

int
ticket_move_to(enum ticket_state s, enum ticket_action a)
{
	if ((unsigned)s >= TS_NSTATES || (unsigned)a >= TA_NACTIONS)
		return -1;
	return moves[s][a];
}

#define NAMES(t)	(sizeof(t) / sizeof((t)[0]))

/* The row of a { name, label } table whose name is s, from row `from`;
 * -1 for none (or s NULL). */
static int
pair_index(const char *const (*t)[2], size_t n, size_t from, const char *s)
{
	size_t	i;

	for (i = from; s != NULL && i < n; i++)
		if (strcmp(s, t[i][0]) == 0)
			return (int)i;
	return -1;
}

const char *
ticket_kind_name(enum ticket_kind k)
{
	return (unsigned)k < TK_NKINDS ? kind_names[k][0] : "question";
}

const char *
ticket_kind_label(enum ticket_kind k)
{
	return (unsigned)k < TK_NKINDS ? kind_names[k][1] : "咨询";
}

int
ticket_kind_parse(const char *s, enum ticket_kind *out)
{
	int	i = pair_index(kind_names, NAMES(kind_names), 0, s);

	if (i >= 0)
		*out = (enum ticket_kind)i;
	return i >= 0 ? 0 : -1;
}

const char *
ticket_state_name(enum ticket_state s)
{
	return (unsigned)s < TS_NSTATES ? state_names[s][0] : "open";
}

const char *
ticket_state_label(enum ticket_state s)
{
	return (unsigned)s < TS_NSTATES ? state_names[s][1] : "待处理";
}

int
ticket_state_parse(const char *s, enum ticket_state *out)
{
	int	i = pair_index(state_names, NAMES(state_names), 0, s);

	if (i >= 0)
		*out = (enum ticket_state)i;
	return i >= 0 ? 0 : -1;
}

const char *
ticket_source_name(enum ticket_source s)
{
	return (unsigned)s < TSRC_NSOURCES ? source_names[s] : "h5";
}

const char *
ticket_action_name(enum ticket_action a)
{
	return (unsigned)a < TA_NACTIONS ? action_names[a] : "reply";
}

int
ticket_action_parse(const char *s, enum ticket_action *out)
{
	size_t	i;

	for (i = 0; s != NULL && i < NAMES(action_names); i++)
		if (strcmp(s, action_names[i]) == 0) {
			*out = (enum ticket_action)i;
			return 0;
		}
	return -1;
}

const char *
ticket_resolution_name(enum ticket_resolution r)
{
	return (unsigned)r < TR_NRESOLUTIONS ? resolution_names[r][0] : "";
}

const char *
ticket_resolution_label(enum ticket_resolution r)
{
	return (unsigned)r < TR_NRESOLUTIONS ? resolution_names[r][1] : "";
}

int
ticket_resolution_parse(const char *s, enum ticket_resolution *out)
{
	int	i = pair_index(resolution_names, NAMES(resolution_names), 1, s);

	if (i >= 0)		/* from 1: TR_NONE is no choice */
		*out = (enum ticket_resolution)i;
	return i >= 0 ? 0 : -1;
}

/* The company a staff actor's checks bind: -1 (none) for staff and jobs,
 * the user's company for a customer. */
int64_t
ticket_scope_company(const struct dctx *c)
{
	return c->sess.kind == SESS_CUSTOMER ? c->sess.customer_id : -1;
}

static int
refuse(struct dctx *c, enum ticket_field *bad, enum ticket_field f,
    const char *code, const char *why)
{
	*bad = f;
	c->code = code;
	c->error = why;
	return ERR_INVALID;
}

/* A message's text: not empty, not too long, no control characters. */
int
ticket_text_check(struct dctx *c, const char *s, int required,
    enum ticket_field *bad)
{
	size_t	n = s != NULL ? utf8_len(s) : 0;
	char	*t;

	if (s != NULL) {
		t = text_trim(c->arena, s, " \t\r\n");
		n = t != NULL ? utf8_len(t) : 0;
	}
	if (n == 0 && required)
		return refuse(c, bad, TF_BODY, "text_required",
		    "请描述遇到的问题");
	if (n > TICKET_TEXT_MAX)
		return refuse(c, bad, TF_BODY, "text_too_long", arena_printf(
		    c->arena, "最多 %d 个字", TICKET_TEXT_MAX));
	if (s != NULL && text_has_control(s, 1))
		return refuse(c, bad, TF_BODY, "text_invalid",
		    "含有不可见的控制字符，请删除后重试");
	return 0;
}

/* One row of the timeline; *id (may be NULL) is it. */
int
ticket_event_add(struct dctx *c, int64_t ticket, const char *kind,
    const char *from, const char *to, enum ticket_source src,
    const char *body, int internal, int64_t *id)
{
	struct db_res	*r;
	char		 staff[24], user[24];
	int		 is_staff = c->sess.kind == SESS_STAFF;
	int		 is_user = c->sess.kind == SESS_CUSTOMER;

	snprintf(staff, sizeof(staff), "%" PRId64, c->sess.user_id);
	snprintf(user, sizeof(user), "%" PRId64, c->sess.user_id);
	if (db_run(c->arena, &r, sql_event, "iisssssssi", c->shop->id, ticket,
	    kind, from, to, is_staff ? staff : NULL, is_user ? user : NULL,
	    is_staff && src != TSRC_KF ? "staff" : ticket_source_name(src),
	    body != NULL ? body : "", (int64_t)internal) == -1)
		return ERR_INTERNAL;
	if (id != NULL)
		*id = (int64_t)r->insert_id;
	return 0;
}

/*
 * Each upload checked and re-encoded under private_dir, before any
 * transaction; one refused and those stored are removed again.
 */
int
ticket_photos_store(struct dctx *c, const struct ticket_upload *u, int n,
    struct ticket_photos *out, enum ticket_field *bad)
{
	int	i, rc;

	out->v = arena_calloc(c->arena, (size_t)n + 1, sizeof(*out->v));
	out->n = 0;
	if (n > TICKET_PHOTOS_MAX) {
		*bad = TF_PHOTOS;
		c->code = "too_many_photos";
		c->error = arena_printf(c->arena, "最多上传 %d 张照片",
		    TICKET_PHOTOS_MAX);
		return ERR_INVALID;
	}
	for (i = 0; i < n; i++) {
		if ((rc = image_store_at(c, IMAGE_PRIVATE, c->shop->id,
		    u[i].data, u[i].len, &out->v[i])) != 0) {
			ticket_photos_drop(c, out);
			*bad = TF_PHOTOS;
			c->code = rc == ERR_TOO_LARGE ? "photo_too_large" :
			    rc == ERR_INTERNAL ? NULL : "photo_not_image";
			c->error = arena_printf(c->arena, "第 %d 张照片：%s", i + 1,
			    c->error ? c->error : "无法保存");
			return rc;
		}
		out->n++;
	}
	return 0;
}

int
ticket_photos_attach(struct dctx *c, int64_t ticket, int64_t event,
    const struct ticket_photos *p)
{
	int	i;

	for (i = 0; i < p->n; i++)
		if (db_run(c->arena, NULL, sql_photo, "iiiss", c->shop->id,
		    ticket, event, p->v[i].path, p->v[i].thumb) == -1)
			return ERR_INTERNAL;
	return 0;
}

void
ticket_photos_drop(struct dctx *c, const struct ticket_photos *p)
{
	int	i;

	for (i = 0; i < p->n; i++) {
		image_remove_at(c, IMAGE_PRIVATE, p->v[i].path);
		image_remove_at(c, IMAGE_PRIVATE, p->v[i].thumb);
	}
}

/* ---- opening ---------------------------------------------------------- */

struct topen {
	const struct ticket_new	*in;
	const struct ticket_photos *photos;
	int64_t			 company;	/* 0: a guest */
	int64_t			 user;
	int64_t			 order_id;

	int64_t			 id;
	enum ticket_field	 bad;
};

static int
phone_valid(const char *s)
{
	size_t	i;

	if (s == NULL || strlen(s) != 11 || s[0] != '1')
		return 0;
	for (i = 0; i < 11; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The order, line and product the ticket names: the company's. */
static int
check_links(struct dctx *c, struct topen *w)
{
	const struct ticket_new	*in = w->in;
	struct db_res		*r;

	w->order_id = in->order_id;
	if (in->order_line_id != 0 && w->order_id == 0) {
		if (db_run(c->arena, &r, sql_line_order, "ii",
		    in->order_line_id, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			goto no_order;
		w->order_id = db_cell_i64(r, 0, 0);
	}
	if (w->order_id != 0) {
		if (w->company == 0)	/* a guest names no order */
			goto no_order;
		if (db_run(c->arena, &r, sql_order_of, "iii", w->order_id,
		    c->shop->id, w->company) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0)
			goto no_order;
	}
	if (in->order_line_id != 0) {
		if (db_run(c->arena, &r, sql_line_of, "iii", in->order_line_id,
		    w->order_id, c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			w->bad = TF_LINE;
			c->code = "line_not_found";
			c->error = "订单中没有这一行";
			return ERR_NOT_FOUND;
		}
	}
	if (in->product_id != 0) {
		if (db_run(c->arena, &r, sql_product_of, "ii", in->product_id,
		    c->shop->id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			w->bad = TF_PRODUCT;
			c->code = "product_not_found";
			c->error = "商品不存在";
			return ERR_NOT_FOUND;
		}
	}
	return 0;
no_order:
	w->bad = TF_ORDER;
	c->code = "order_not_found";
	c->error = "订单不存在";
	return ERR_NOT_FOUND;
}

static int
guest_limits(struct dctx *c, struct topen *w)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_guest_phone, "is", c->shop->id,
	    w->in->guest_phone) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) < TICKET_GUEST_PHONE_DAY) {
		if (db_run(c->arena, &r, sql_guest_ip, "is", c->shop->id,
		    c->remote_addr ? c->remote_addr : "") == -1)
			return ERR_INTERNAL;
		if (db_cell_i64(r, 0, 0) < TICKET_GUEST_IP_HOUR)
			return 0;
	}
	clog_warnx(c, "ticket: guest limit reached ip=%s phone=%s",
	    c->remote_addr ? c->remote_addr : "-", w->in->guest_phone);
	c->code = "rate_limited";
	c->error = "提交过于频繁，请稍后再试或直接致电我们";
	return ERR_TOO_MANY;
}

static int
tx_open(struct dctx *c, void *arg)
{
	struct topen		*w = arg;
	const struct ticket_new	*in = w->in;
	struct db_res		*r;
	char			 co[24], us[24], ord[24], line[24], prod[24];
	const char		*subject;
	int64_t			 ev;
	int			 rc;

	w->id = 0;
	w->bad = TF_NONE;
	c->error = NULL;
	c->code = NULL;
	if ((rc = check_links(c, w)) != 0)
		return rc;
	if (w->company == 0 && (rc = guest_limits(c, w)) != 0)
		return rc;
	snprintf(co, sizeof(co), "%" PRId64, w->company);
	snprintf(us, sizeof(us), "%" PRId64, w->user);
	snprintf(ord, sizeof(ord), "%" PRId64, w->order_id);
	snprintf(line, sizeof(line), "%" PRId64, in->order_line_id);
	snprintf(prod, sizeof(prod), "%" PRId64, in->product_id);
	subject = text_shown(c->arena, text_trim(c->arena, in->body, " \t\r\n"), 40);
	if (db_run(c->arena, &r, sql_add, "isssssssssss", c->shop->id,
	    w->company ? co : NULL, w->user ? us : NULL,
	    w->company ? NULL : in->guest_phone,
	    in->guest_name ? in->guest_name : "", w->order_id ? ord : NULL,
	    in->order_line_id ? line : NULL, in->product_id ? prod : NULL,
	    ticket_kind_name(in->kind), ticket_source_name(in->source),
	    subject ? subject : "", c->remote_addr ? c->remote_addr : "") == -1)
		return ERR_INTERNAL;
	w->id = (int64_t)r->insert_id;
	if ((rc = ticket_event_add(c, w->id, "opened", NULL, "open",
	    in->source, text_trim(c->arena, in->body, " \t\r\n"), 0, &ev)) != 0 ||
	    (rc = ticket_photos_attach(c, w->id, ev, w->photos)) != 0)
		return rc;
	return audit(c, "ticket.open", "ticket=%" PRId64 " kind=%s source=%s "
	    "customer=%" PRId64 " order=%" PRId64 " photos=%d", w->id,
	    ticket_kind_name(in->kind), ticket_source_name(in->source),
	    w->company, w->order_id, w->photos->n) != 0 ? ERR_INTERNAL : 0;
}

/* Who the ticket is for: the actor's company, a company staff or a
 * conversation names, or nobody (a guest, who gives a phone). */
static int
open_for(struct dctx *c, const struct ticket_new *in, struct topen *w,
    enum ticket_field *bad)
{
	struct db_res	*r;

	if (c->sess.kind == SESS_CUSTOMER) {
		w->company = c->sess.customer_id;
		w->user = c->sess.user_id;
		return 0;
	}
	if (c->sess.kind == SESS_NONE && in->source != TSRC_KF) {
		if (!phone_valid(in->guest_phone))
			return refuse(c, bad, TF_PHONE, "phone_invalid",
			    "请填写 11 位手机号，方便我们联系您");
		return 0;
	}
	/* Staff, or a conversation (kf) on a company's behalf. */
	if (in->customer_id <= 0)
		return refuse(c, bad, TF_NONE, "customer_required",
		    "请选择客户");
	if (db_run(c->arena, &r, sql_company, "iii", in->customer_id,
	    c->shop->id, scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "客户不存在";
		return ERR_NOT_FOUND;
	}
	w->company = in->customer_id;
	if (in->customer_user_id > 0) {
		if (db_run(c->arena, &r, sql_user_of, "iii",
		    in->customer_user_id, c->shop->id, in->customer_id) == -1)
			return ERR_INTERNAL;
		if (r->nrows == 0) {
			c->error = "客户用户不存在";
			return ERR_NOT_FOUND;
		}
		w->user = in->customer_user_id;
	}
	return 0;
}

int
ticket_open(struct dctx *c, const struct ticket_new *in, int64_t *id,
    enum ticket_field *bad)
{
	struct ticket_photos	 ph = { NULL, 0 };
	struct topen		 w;
	int			 rc;

	*id = 0;
	*bad = TF_NONE;
	c->code = NULL;
	memset(&w, 0, sizeof(w));
	w.in = in;
	if ((unsigned)in->kind >= TK_NKINDS)
		return refuse(c, bad, TF_KIND, "kind_invalid", "请选择问题类型");
	if ((rc = ticket_text_check(c, in->body, 1, bad)) != 0 ||
	    (rc = open_for(c, in, &w, bad)) != 0)
		goto refused;
	if ((rc = ticket_photos_store(c, in->photos, in->nphotos, &ph,
	    bad)) != 0)
		goto refused;
	w.photos = &ph;
	if ((rc = db_tx_run(c, tx_open, &w)) != 0) {
		ticket_photos_drop(c, &ph);
		*bad = w.bad;
		goto refused;
	}
	*id = w.id;
	clog_info(c, "ticket open id=%" PRId64 " kind=%s source=%s customer=%"
	    PRId64 " photos=%d", w.id, ticket_kind_name(in->kind),
	    ticket_source_name(in->source), w.company, ph.n);
	return 0;
refused:
	clog_info(c, "ticket open refused code=%s why=%s", c->code ? c->code :
	    "-", c->error ? c->error : "internal");
	return rc;
}

/*
 * The same without photos, inside the caller's transaction (a 微信客服
 * conversation made a ticket with its row locked, kf_ticket.c): the
 * checks, then the ticket and its opened event. Refusals as ticket_open.
 */
int
ticket_open_locked(struct dctx *c, const struct ticket_new *in, int64_t *id,
    enum ticket_field *bad)
{
	struct ticket_photos	 ph = { NULL, 0 };
	struct topen		 w;
	int			 rc;

	*id = 0;
	*bad = TF_NONE;
	c->code = NULL;
	memset(&w, 0, sizeof(w));
	w.in = in;
	if ((unsigned)in->kind >= TK_NKINDS)
		return refuse(c, bad, TF_KIND, "kind_invalid", "请选择问题类型");
	if (in->nphotos != 0)
		return ERR_INTERNAL;
	if ((rc = ticket_text_check(c, in->body, 1, bad)) != 0 ||
	    (rc = open_for(c, in, &w, bad)) != 0)
		return rc;
	w.photos = &ph;
	if ((rc = tx_open(c, &w)) != 0) {
		*bad = w.bad;
		return rc;
	}
	*id = w.id;
	clog_info(c, "ticket open id=%" PRId64 " kind=%s source=%s customer=%"
	    PRId64, w.id, ticket_kind_name(in->kind),
	    ticket_source_name(in->source), w.company);
	return 0;
}

/* ---- messages --------------------------------------------------------- */

struct tmsg {
	int64_t			 id;
	const char		*body;
	enum ticket_source	 src;
	int64_t			 staff_id;	/* append: the author; 0 */
	const struct ticket_photos *photos;

	int64_t			 event;
	const char		*was;
};

/* A customer's reply: their company's ticket, not closed; it goes back
 * to staff (open). */
static int
tx_reply(struct dctx *c, void *arg)
{
	struct tmsg	*w = arg;
	struct db_res	*r;
	const char	*to;
	int		 rc;

	w->event = 0;
	c->error = NULL;
	c->code = NULL;
	if (db_run(c->arena, &r, sql_lock_mine, "iii", w->id, c->shop->id,
	    c->sess.customer_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "工单不存在";
		return ERR_NOT_FOUND;
	}
	w->was = db_cell(r, 0, 0);
	if (strcmp(w->was, "closed") == 0) {
		c->code = "ticket_closed";
		c->error = "工单已关闭，不能再回复。如有新问题请重新提交";
		return ERR_CONFLICT;
	}
	to = "open";
	if ((rc = ticket_event_add(c, w->id, "message", w->was, to, w->src,
	    w->body, 0, &w->event)) != 0 ||
	    (rc = ticket_photos_attach(c, w->id, w->event, w->photos)) != 0)
		return rc;
	if (strcmp(w->was, to) != 0 && db_run(c->arena, NULL, sql_reopen, "ii",
	    w->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	return 0;
}

int
ticket_reply(struct dctx *c, int64_t id, const char *body,
    const struct ticket_upload *photos, int nphotos, int64_t *event,
    enum ticket_field *bad)
{
	struct ticket_photos	 ph = { NULL, 0 };
	struct tmsg		 w;
	int			 rc;

	*event = 0;
	*bad = TF_NONE;
	if (c->sess.kind != SESS_CUSTOMER) {
		c->error = "工单不存在";
		return ERR_NOT_FOUND;
	}
	if ((rc = ticket_text_check(c, body, 1, bad)) != 0 ||
	    (rc = ticket_photos_store(c, photos, nphotos, &ph, bad)) != 0)
		return rc;
	memset(&w, 0, sizeof(w));
	w.id = id;
	w.body = text_trim(c->arena, body, " \t\r\n");
	w.src = c->sess.bearer ? TSRC_API : TSRC_H5;
	w.photos = &ph;
	if ((rc = db_tx_run(c, tx_reply, &w)) != 0) {
		ticket_photos_drop(c, &ph);
		clog_info(c, "ticket reply refused id=%" PRId64 " why=%s", id,
		    c->error ? c->error : "internal");
		return rc;
	}
	*event = w.event;
	clog_info(c, "ticket reply id=%" PRId64 " event=%" PRId64 " was=%s "
	    "now=open photos=%d", id, w.event, w.was, ph.n);
	return 0;
}

/* A message from elsewhere (kf): the ticket's timeline, state kept. */
static int
tx_append(struct dctx *c, void *arg)
{
	struct tmsg	*w = arg;
	struct db_res	*r;
	char		 staff[24];

	w->event = 0;
	c->error = NULL;
	if (db_run(c->arena, &r, sql_lock_any, "ii", w->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "工单不存在";
		return ERR_NOT_FOUND;
	}
	w->was = db_cell(r, 0, 0);
	if (strcmp(w->was, "closed") == 0) {
		c->code = "ticket_closed";
		c->error = "工单已关闭";
		return ERR_CONFLICT;
	}
	snprintf(staff, sizeof(staff), "%" PRId64, w->staff_id);
	if (db_run(c->arena, &r, sql_event, "iisssssssi", c->shop->id, w->id,
	    "message", w->was, w->was, w->staff_id ? staff : NULL, NULL,
	    ticket_source_name(w->src), w->body, (int64_t)0) == -1)
		return ERR_INTERNAL;
	w->event = (int64_t)r->insert_id;
	return 0;
}

int
ticket_append(struct dctx *c, int64_t id, enum ticket_source src,
    int64_t staff_id, const char *body, int64_t *event)
{
	enum ticket_field	 bad;
	struct tmsg		 w;
	int			 rc;

	*event = 0;
	if ((rc = ticket_text_check(c, body, 1, &bad)) != 0)
		return rc;
	memset(&w, 0, sizeof(w));
	w.id = id;
	w.body = body;
	w.src = src;
	w.staff_id = staff_id;
	if ((rc = db_tx_run(c, tx_append, &w)) != 0)
		return rc;
	*event = w.event;
	clog_info(c, "ticket append id=%" PRId64 " event=%" PRId64 " source=%s",
	    id, w.event, ticket_source_name(src));
	return 0;
}

/* ---- guests' tickets, claimed by their phone ------------------------- */

struct tclaim {
	int64_t		 user;
	const char	*phone;
	int		 n;
};

static int
claim_body(struct dctx *c, void *arg)
{
	struct tclaim	*w = arg;
	struct db_res	*r, *t;
	int64_t		 company, id;
	int		 i;

	w->n = 0;
	if (db_run(c->arena, &r, sql_claim_user, "iis", w->user, c->shop->id,
	    w->phone) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return 0;
	company = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &t, sql_claimable, "is", c->shop->id,
	    w->phone) == -1)
		return ERR_INTERNAL;
	for (i = 0; i < t->nrows; i++) {
		id = db_cell_i64(t, i, 0);
		if (db_run(c->arena, &r, sql_claim, "iiii", company, w->user,
		    id, c->shop->id) == -1 ||
		    db_run(c->arena, NULL, sql_event, "iisssssssi",
		    c->shop->id, id, "linked", NULL, NULL, NULL, NULL,
		    "system", "手机号登录后，工单已关联到客户账号", (int64_t)1) == -1)
			return ERR_INTERNAL;
		w->n += r->affected > 0;
	}
	return 0;
}

int
ticket_claim_phone(struct dctx *c, int64_t user, const char *phone, int *n)
{
	struct tclaim	 w = { user, phone, 0 };
	int		 rc;

	*n = 0;
	if (phone == NULL || *phone == '\0' || user <= 0)
		return 0;
	rc = db_in_tx() ? claim_body(c, &w) : db_tx_run(c, claim_body, &w);
	if (rc != 0)
		return rc;
	*n = w.n;
	if (w.n > 0)
		clog_info(c, "ticket guest claimed user=%" PRId64 " tickets=%d",
		    user, w.n);
	return 0;
}
