/*
 * dealer_apply.c -- a visitor applies to become a dealer: the details
 * checked, the licence photo checked and re-encoded into private_dir,
 * where only staff can reach it (image_store_at, dealer_licence.c), the
 * password hashed, the application stored with the hash of a token for
 * its status link. Limited per address (DEALER_PER_HOUR) and per phone
 * (DEALER_PER_DAY); a phone that logs in here already, or waits for an
 * answer, is refused before any of the slow work and again under the
 * lock. The account itself is made when staff approve (dealer_review.c),
 * so nothing before then can log in or take the phone.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/session.h"
#include "domain/customer.h"
#include "domain/dealer_application.h"

#define TOKEN_BYTES	(DEALER_TOKEN_HEX / 2)

static const char sql_has_user[] =
    "SELECT COUNT(*) FROM customer_user WHERE shop_id = ? AND phone = ?";
static const char sql_waiting[] =
    "SELECT COUNT(*) FROM dealer_application WHERE shop_id = ? "
    "AND pending_phone = ?";
/* Locked, these lock the index ranges: two at once take turns. */
static const char sql_by_ip[] =
    "SELECT COUNT(*) FROM dealer_application WHERE shop_id = ? AND ip = ? "
    "AND created_at > NOW(3) - INTERVAL 1 HOUR";
static const char sql_by_ip_lock[] =
    "SELECT COUNT(*) FROM dealer_application WHERE shop_id = ? AND ip = ? "
    "AND created_at > NOW(3) - INTERVAL 1 HOUR FOR UPDATE";
static const char sql_by_phone[] =
    "SELECT COUNT(*) FROM dealer_application WHERE shop_id = ? "
    "AND phone = ? AND created_at > NOW(3) - INTERVAL 1 DAY";
static const char sql_by_phone_lock[] =
    "SELECT COUNT(*) FROM dealer_application WHERE shop_id = ? "
    "AND phone = ? AND created_at > NOW(3) - INTERVAL 1 DAY FOR UPDATE";
static const char sql_add[] =
    "INSERT INTO dealer_application (shop_id, company, contact_name, "
    "phone, region, address, tax_id, message, licence_path, licence_thumb, "
    "licence_width, licence_height, licence_private, password_hash, "
    "token_hash, ip, channel_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, 1, ?, ?, ?, (SELECT id FROM channel WHERE shop_id = ? AND id = ?))";
/* An earlier refusal's password is no one's to log in with any more. */
static const char sql_forget[] =
    "UPDATE dealer_application SET password_hash = '' WHERE shop_id = ? "
    "AND phone = ? AND id <> ? AND status <> 'pending'";

static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/*
 * What can be told without the database: the licence is there and a
 * picture by its bytes, the tax id's form, the password's length. The
 * handler's field table has checked the rest. 0, or ERR_INVALID with fe.
 */
int
dealer_check(struct dctx *c, const struct dealer_input *in,
    struct field_errs *fe)
{
	const char	*why;
	int		 n = fe->n;

	if (in->licence == NULL || in->licence_len == 0)
		field_errs_add(fe, "licence", "营业执照", "请上传营业执照照片");
	else if (image_type(in->licence, in->licence_len) == NULL)
		field_errs_add(fe, "licence", "营业执照",
		    "只支持 JPG、PNG 或 WebP 格式的照片");
	if (!empty(in->tax_id) && customer_tax_id(c->arena, in->tax_id,
	    &why) == NULL)
		field_errs_add(fe, "tax_id", "税号", why);
	if (in->password == NULL || strlen(in->password) < 8 ||
	    strlen(in->password) > 128)
		field_errs_add(fe, "password", "密码", "应为 8 到 128 位");
	field_text(c->arena, fe, "company", "公司名称", in->company, 1, 100);
	field_text(c->arena, fe, "contact_name", "联系人", in->contact_name, 1,
	    60);
	if (empty(in->phone))
		field_errs_add(fe, "phone", "手机号", "请填写");
	return fe->n > n ? ERR_INVALID : 0;
}

/* One try: inputs, then what the body sets (reset at its start). */
struct apply {
	const struct dealer_input *in;
	const char		*tax_id;	/* normalised */
	char			 pwhash[AUTH_HASH_MAX];
	char			 token_hash[DEALER_TOKEN_HEX + 1];
	struct image_info	 img;
	int64_t			 id;
	enum dealer_refusal	 why;
};

static int
count(struct dctx *c, const char *sql, const char *key, int64_t *n)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql, "is", c->shop->id, key) == -1)
		return ERR_INTERNAL;
	*n = db_cell_i64(r, 0, 0);
	return 0;
}

/*
 * The refusals no field can put right, in the order the applicant can do
 * something about them: lock 1 inside the transaction. 0, or ERR_CONFLICT
 * or ERR_TOO_MANY with a->why and c->error; ERR_INTERNAL.
 */
static int
refusals(struct dctx *c, struct apply *a, int lock)
{
	const char	*phone = a->in->phone;
	int64_t		 n;

	if (count(c, sql_has_user, phone, &n) != 0)
		return ERR_INTERNAL;
	if (n > 0) {
		a->why = DEALER_HAS_ACCOUNT;
		c->error = "这个手机号已经是本店的客户账号，请直接登录";
		return ERR_CONFLICT;
	}
	if (count(c, sql_waiting, phone, &n) != 0)
		return ERR_INTERNAL;
	if (n > 0) {
		a->why = DEALER_WAITING;
		c->error = "已提交，请等待审核。审核通过后即可用申请时设置的"
		    "密码登录";
		return ERR_CONFLICT;
	}
	if (count(c, lock ? sql_by_ip_lock : sql_by_ip, c->remote_addr, &n) !=
	    0)
		return ERR_INTERNAL;
	if (n < DEALER_PER_HOUR) {
		if (count(c, lock ? sql_by_phone_lock : sql_by_phone, phone,
		    &n) != 0)
			return ERR_INTERNAL;
		if (n < DEALER_PER_DAY)
			return 0;
	}
	a->why = DEALER_TOO_MANY;
	c->error = "提交过于频繁，请稍后再试或直接致电我们";
	clog_warnx(c, "dealer apply: limit reached ip=%s phone=%s",
	    c->remote_addr, phone);
	return ERR_TOO_MANY;
}

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static int
tx_apply(struct dctx *c, void *arg)
{
	struct apply			*a = arg;
	const struct dealer_input	*in = a->in;
	struct db_res			*r;
	int				 rc;

	a->id = 0;
	a->why = DEALER_OK;
	c->error = NULL;
	if ((rc = refusals(c, a, 1)) != 0)
		return rc;
	/* c->channel_id: the visitor's first channel (docs/wechat-channels.md),
	 * NULL unless it is this shop's. */
	if (db_run(c->arena, &r, sql_add, "isssssssssiisssii", c->shop->id,
	    in->company, in->contact_name, in->phone, or_empty(in->region),
	    or_empty(in->address), a->tax_id, or_empty(in->message),
	    a->img.path, a->img.thumb, (int64_t)a->img.width,
	    (int64_t)a->img.height, a->pwhash, a->token_hash,
	    c->remote_addr, c->shop->id, c->channel_id) == -1) {
		if (!db_duplicate())
			return ERR_INTERNAL;
		/* The same phone's pending one, committed just now. */
		a->why = DEALER_WAITING;
		c->error = "已提交，请等待审核";
		return ERR_CONFLICT;
	}
	a->id = (int64_t)r->insert_id;
	if (db_run(c->arena, NULL, sql_forget, "isi", c->shop->id, in->phone,
	    a->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "dealer.apply", "application=%" PRId64 " company=%s "
	    "phone=%s", a->id, in->company, in->phone);
}

/* The photo's refusal as the form's: ERR_INVALID with fe, or rc. */
static int
licence_refused(struct dctx *c, int rc, struct field_errs *fe)
{
	if (rc == ERR_INTERNAL)
		return rc;
	field_errs_add(fe, "licence", "营业执照", c->error != NULL ?
	    c->error : "照片无法读取，请换一张");
	clog_info(c, "dealer apply: licence refused why=%s", c->error);
	return ERR_INVALID;
}

/*
 * Apply for a dealer account of the request's shop. 0, the status link's
 * token in token (DEALER_TOKEN_HEX + 1 bytes, shown once) and the id in
 * *id; ERR_INVALID (fe names the fields, the licence photo's too),
 * ERR_CONFLICT or ERR_TOO_MANY (*why, c->error) or ERR_INTERNAL.
 */
int
dealer_apply(struct dctx *c, const struct dealer_input *in, char *token,
    int64_t *id, enum dealer_refusal *why, struct field_errs *fe)
{
	struct apply	 a;
	const char	*err;
	int		 rc;

	*token = '\0';
	*id = 0;
	*why = DEALER_OK;
	if ((rc = dealer_check(c, in, fe)) != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	a.in = in;
	a.tax_id = empty(in->tax_id) ? "" : customer_tax_id(c->arena,
	    in->tax_id, &err);
	/* Before the slow work: a refusal costs no hash and no decoding. */
	if ((rc = refusals(c, &a, 0)) != 0) {
		*why = a.why;
		return rc;
	}
	if (random_hex(token, TOKEN_BYTES) == -1 ||
	    auth_hash(in->password, a.pwhash, sizeof(a.pwhash)) == -1)
		return ERR_INTERNAL;
	token_hash(token, a.token_hash);
	if ((rc = image_store_at(c, IMAGE_PRIVATE, c->shop->id, in->licence,
	    in->licence_len, &a.img)) != 0) {
		*token = '\0';
		return licence_refused(c, rc, fe);
	}
	if ((rc = db_tx_run(c, tx_apply, &a)) != 0) {
		image_remove_at(c, IMAGE_PRIVATE, a.img.path);
		image_remove_at(c, IMAGE_PRIVATE, a.img.thumb);
		*token = '\0';
		*why = a.why;
		return rc;
	}
	*id = a.id;
	clog_info(c, "dealer application %" PRId64 " made ip=%s", a.id,
	    c->remote_addr);
	return 0;
}
