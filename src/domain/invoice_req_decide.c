/*
 * invoice_req_decide.c -- staff (owner, admin, finance) mark an invoice
 * request issued, with the invoice number, its date and the invoice
 * itself (a PDF, kept as sent, or a photo, re-encoded; both under
 * private_dir), or reject it with a reason, which frees its orders for
 * another request. The company's users and staff in scope read the
 * file back.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "domain/approval.h"
#include "domain/audit.h"
#include "domain/pricing.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/invoice_request.h"
#include "domain/order.h"
#include "domain/scope.h"
#include "domain/scope_sql.h"
#include "domain/session.h"

static const char sql_lock[] =
    "SELECT r.state, r.customer_id, COALESCE(r.customer_user_id, 0), "
    "r.total_fen FROM invoice_request r JOIN customer cu "
    "ON cu.id = r.customer_id WHERE r.id = ? AND r.shop_id = ? AND "
    SCOPE_CUSTOMER("cu") " FOR UPDATE";
static const char sql_issue[] =
    "UPDATE invoice_request SET state = 'issued', invoice_no = ?, "
    "issued_on = ?, file_path = ?, file_type = ?, decided_by = ?, "
    "decided_at = NOW(3) WHERE id = ? AND shop_id = ?";
static const char sql_reject[] =
    "UPDATE invoice_request SET state = 'rejected', reason = ?, "
    "decided_by = ?, decided_at = NOW(3) WHERE id = ? AND shop_id = ?";
static const char sql_orders_set[] =
    "UPDATE sales_order o JOIN invoice_request_order l ON l.order_id = o.id "
    "AND l.shop_id = o.shop_id SET o.invoice_state = ? "
    "WHERE l.shop_id = ? AND l.request_id = ?";
static const char sql_file[] =
    "SELECT r.file_path, r.file_type FROM invoice_request r JOIN customer cu "
    "ON cu.id = r.customer_id WHERE r.id = ? AND r.shop_id = ? "
    "AND (? = 0 OR r.customer_id = ?) AND " SCOPE_CUSTOMER("cu");

struct dec {
	int64_t				 id;
	const struct invreq_issue	*in;	/* NULL: a rejection */
	const char			*reason;
	const char			*path;
	const char			*type;
};

static int
tx_decide(struct dctx *c, void *arg)
{
	struct dec	*d = arg;
	struct db_res	*r;

	c->code = NULL;
	if (db_run(c->arena, &r, sql_lock, "iii", d->id, c->shop->id,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "没有这张开票申请";
		return ERR_NOT_FOUND;
	}
	if (strcmp(db_cell(r, 0, 0), "requested") != 0) {
		c->error = "这张申请已处理过";
		c->code = "already_decided";
		return ERR_CONFLICT;
	}
	if (d->in != NULL ? db_run(c->arena, NULL, sql_issue, "ssssiii",
	    d->in->invoice_no, d->in->issued_on, d->path, d->type,
	    c->sess.user_id, d->id, c->shop->id) == -1 :
	    db_run(c->arena, NULL, sql_reject, "siii", d->reason,
	    c->sess.user_id, d->id, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (db_run(c->arena, NULL, sql_orders_set, "sii", d->in != NULL ?
	    "issued" : "none", c->shop->id, d->id) == -1)
		return ERR_INTERNAL;
	if (audit(c, d->in != NULL ? "invoice.issue" : "invoice.reject",
	    "request=%" PRId64 " %s", d->id, d->in != NULL ?
	    d->in->invoice_no : d->reason) != 0)
		return ERR_INTERNAL;
	return notify_money(c, db_cell_i64(r, 0, 1), d->in != NULL ?
	    "invoice_issued" : "invoice_rejected", db_cell_i64(r, 0, 2),
	    d->in != NULL ? arena_printf(c->arena, "价税合计 ¥%s 的发票已开具，"
	    "发票号码 %s，可在开票申请中下载", fmt_yuan(c->arena,
	    db_cell_i64(r, 0, 3)), d->in->invoice_no) : arena_printf(c->arena,
	    "价税合计 ¥%s 的开票申请被驳回：%s", fmt_yuan(c->arena,
	    db_cell_i64(r, 0, 3)), d->reason));
}

static int
staff_may(struct dctx *c)
{
	if (c->sess.kind == SESS_STAFF &&
	    session_staff_role(&c->sess, INVREQ_STAFF_ROLES))
		return 1;
	c->error = "只有店主、管理员和财务可以处理开票申请";
	return 0;
}

/* The file kept as it came (a PDF) under private_dir/<shop>/. */
static int
store_pdf(struct dctx *c, const struct invreq_issue *in, const char **rel)
{
	char		 hex[33];
	const char	*dir;

	if (random_hex(hex, 16) == -1)
		return ERR_INTERNAL;
	dir = arena_printf(c->arena, "%s/%" PRId64, image_root(IMAGE_PRIVATE),
	    c->shop->id);
	if (image_mkdirs_mode(dir, 0750) == -1 ||
	    image_write_file(dir, arena_printf(c->arena, "%s.pdf", hex),
	    in->file, in->file_len) != 0)
		return ERR_INTERNAL;
	*rel = arena_printf(c->arena, "%" PRId64 "/%s.pdf", c->shop->id, hex);
	return 0;
}

int
invreq_issue(struct dctx *c, int64_t id, const struct invreq_issue *in)
{
	struct dec		 d = { id, in, NULL, NULL, NULL };
	struct image_info	 img;
	const char		*why;
	int			 rc, pdf;

	if (!staff_may(c))
		return ERR_FORBIDDEN;
	if (in->invoice_no == NULL || *in->invoice_no == '\0') {
		c->error = "请填写发票号码";
		c->code = "invoice_no_required";
		return ERR_INVALID;
	}
	if (in->issued_on == NULL || order_day_valid(in->issued_on, &why) ==
	    -1) {
		c->error = "开票日期应为 YYYY-MM-DD";
		c->code = "invalid_date";
		return ERR_INVALID;
	}
	if (in->file == NULL || in->file_len == 0) {
		c->error = "请上传发票文件（PDF 或图片）";
		c->code = "file_required";
		return ERR_INVALID;
	}
	pdf = in->file_len > 5 && memcmp(in->file, "%PDF-", 5) == 0;
	if (pdf && in->file_len > INVREQ_FILE_MAX) {
		c->error = "PDF 文件太大（最大 10 MB）";
		c->code = "too_large";
		return ERR_INVALID;
	}
	if (pdf) {
		if ((rc = store_pdf(c, in, &d.path)) != 0)
			return rc;
		d.type = "pdf";
	} else {
		if ((rc = image_store_at(c, IMAGE_PRIVATE, c->shop->id, in->file,
		    in->file_len, &img)) != 0) {
			c->error = "发票文件应为 PDF 或 JPEG、PNG、WebP 图片";
			c->code = "invalid_file";
			return ERR_INVALID;
		}
		image_remove_at(c, IMAGE_PRIVATE, img.thumb);
		d.path = arena_strdup(c->arena, img.path);
		d.type = image_type(in->file, in->file_len);
	}
	if ((rc = db_tx_run(c, tx_decide, &d)) != 0) {
		image_remove_at(c, IMAGE_PRIVATE, d.path);
		return rc;
	}
	clog_info(c, "invoice request %" PRId64 " issued no=%s", id,
	    in->invoice_no);
	return 0;
}

int
invreq_reject(struct dctx *c, int64_t id, const char *reason)
{
	struct dec	d = { id, NULL, reason, NULL, NULL };

	if (!staff_may(c))
		return ERR_FORBIDDEN;
	if (reason == NULL || *reason == '\0') {
		c->error = "请写明驳回原因，客户会看到";
		c->code = "reason_required";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_decide, &d);
}

/* The issued invoice's file into out, *type "pdf", "jpeg", .... */
int
invreq_file(struct dctx *c, int64_t id, struct buf *out, const char **type)
{
	int64_t		 who = scope_reader(c);
	struct db_res	*r;
	const char	*rel;

	*type = NULL;
	if (who < 0)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, sql_file, "iiiii", id, c->shop->id, who, who,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	c->error = "没有这张发票文件";
	if (r->nrows == 0 || !image_rel_valid(rel = db_cell(r, 0, 0)))
		return ERR_NOT_FOUND;
	if (image_read_file(arena_printf(c->arena, "%s/%s",
	    image_root(IMAGE_PRIVATE), rel), INVREQ_FILE_MAX * 4, out) != 0) {
		clog_warnx(c, "invoice file: request=%" PRId64 " %s: %s", id,
		    rel, strerror(errno));
		return ERR_NOT_FOUND;
	}
	c->error = NULL;
	*type = db_cell(r, 0, 1);
	return 0;
}
