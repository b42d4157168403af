/*
 * kf_send.c -- staff replies to a 微信客服 conversation (§11.7): text, a
 * picture (the image helper, then media/upload §11.9), a product as a
 * link card or a mini-program card. The window is checked before
 * anything leaves (no upload, no send when it is closed) and again in
 * the transaction that records the message as 'sending' under the
 * conversation's lock, so two staff cannot both send the fifth. The
 * msgid is "dh<id>" (unique per account, §11.7); the call is made with
 * no transaction open, and what WeCom answered is recorded.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/wxapi.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/kf.h"
#include "domain/scope.h"
#include "domain/shop.h"
#include "domain/wechat_conf.h"

#define MEDIA_KEEP_S	(60 * 3600)	/* re-upload after 2.5 days */
#define UPLOAD_MAX	(10 * 1024 * 1024)

static const char sql_lock[] =
    "SELECT k.open_kfid, k.external_userid, k.last_customer_at, k.rejected, "
    "(SELECT COUNT(*) FROM kf_msg om WHERE om.shop_id = k.shop_id AND "
    "om.conv_id = k.id AND om.origin = 0 AND om.status IN ('sending', "
    "'sent') AND om.id > k.last_customer_msg AND om.send_time >= "
    "k.last_customer_at), UNIX_TIMESTAMP() "
    "FROM kf_conv k WHERE k.shop_id = ? AND k.id = ? AND "
    "? IN (0, (SELECT sc_.owner_staff_id FROM customer_user su_ "
    "JOIN customer sc_ ON sc_.id = su_.customer_id "
    "WHERE su_.id = k.customer_user_id)) FOR UPDATE";
static const char sql_add[] =
    "INSERT INTO kf_msg (shop_id, conv_id, open_kfid, origin, msgtype, "
    "send_time, body, status, staff_id, image_path, image_thumb) "
    "VALUES (?, ?, ?, 0, ?, UNIX_TIMESTAMP(), '{}', 'sending', NULLIF(?, 0), "
    "?, ?)";
static const char sql_body[] =
    "UPDATE kf_msg SET msgid = ?, body = ? WHERE shop_id = ? AND id = ?";
static const char sql_touch[] =
    "UPDATE kf_conv SET last_msg_at = GREATEST(last_msg_at, "
    "UNIX_TIMESTAMP()) WHERE shop_id = ? AND id = ?";
static const char sql_result[] =
    "UPDATE kf_msg SET status = ?, errcode = ? WHERE shop_id = ? AND id = ?";
static const char sql_product[] =
    "SELECT p.name, (SELECT i.path FROM product_image i WHERE "
    "i.product_id = p.id ORDER BY i.sort, i.id LIMIT 1), (SELECT "
    "i.thumb_path FROM product_image i WHERE i.product_id = p.id "
    "ORDER BY i.sort, i.id LIMIT 1) FROM product p "
    "WHERE p.shop_id = ? AND p.id = ? AND p.on_shelf = 1";
static const char sql_media[] =
    "SELECT media_id FROM kf_media WHERE shop_id = ? AND path = ? AND "
    "uploaded_at > NOW(3) - INTERVAL ? SECOND";
static const char sql_media_put[] =
    "INSERT INTO kf_media (shop_id, path, media_id) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE media_id = VALUES(media_id), "
    "uploaded_at = NOW(3)";

struct send {
	int64_t		 conv;
	const char	*type;		/* msgtype */
	json_object	*inner;		/* the msgtype's object; owned */
	const char	*image_path;	/* ours, to show; NULL: none */
	const char	*image_thumb;
	/* out */
	int64_t		 id;
	const char	*msgid;
	const char	*body;
};

static int
closed(struct dctx *c, const char *why)
{
	c->error = why;
	c->code = "kf_window_closed";
	return ERR_CONFLICT;
}

static int
tx_reserve(struct dctx *c, void *arg)
{
	struct send	*s = arg;
	struct kf_conv	 k;
	struct kf_window w;
	struct db_res	*r;
	json_object	*o;

	s->id = 0;
	s->msgid = s->body = NULL;
	if (db_run(c->arena, &r, sql_lock, "iii", c->shop->id, s->conv,
	    scope_owner(c)) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "会话不存在";
		return ERR_NOT_FOUND;
	}
	memset(&k, 0, sizeof(k));
	k.last_customer_at = db_cell_i64(r, 0, 2);
	k.rejected = db_cell_i64(r, 0, 3) != 0;
	k.sent_since = db_cell_i64(r, 0, 4);
	kf_window_of(&k, db_cell_i64(r, 0, 5), &w);
	if (!w.open)
		return closed(c, w.why);
	o = json_object_new_object();
	json_object_object_add(o, "touser",
	    json_object_new_string(db_cell(r, 0, 1)));
	json_object_object_add(o, "open_kfid",
	    json_object_new_string(db_cell(r, 0, 0)));
	if (db_run(c->arena, &r, sql_add, "iississ", c->shop->id, s->conv,
	    json_object_get_string(json_object_object_get(o, "open_kfid")),
	    s->type, c->sess.user_id, s->image_path, s->image_thumb) == -1) {
		json_object_put(o);
		return ERR_INTERNAL;
	}
	s->id = (int64_t)r->insert_id;
	s->msgid = arena_printf(c->arena, "dh%" PRId64, s->id);
	json_object_object_add(o, "msgid", json_object_new_string(s->msgid));
	json_object_object_add(o, "msgtype", json_object_new_string(s->type));
	json_object_object_add(o, s->type, json_object_get(s->inner));
	s->body = arena_strdup(c->arena, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (db_run(c->arena, NULL, sql_body, "ssii", s->msgid, s->body,
	    c->shop->id, s->id) == -1 || db_run(c->arena, NULL, sql_touch,
	    "ii", c->shop->id, s->conv) == -1)
		return ERR_INTERNAL;
	return 0;
}

/* The errcodes that mean the window or the session shut (§11.14). */
static int
window_code(long e)
{
	return e == 95001 || e == 95002 || e == 95013 || e == 95018 ||
	    e == 95031;
}

static int
send_now(struct dctx *c, struct send *s)
{
	struct wxapi_result	 r;
	json_object		*q, *o = NULL;
	int			 rc;

	if ((rc = db_tx_run(c, tx_reserve, s)) != 0)
		return rc;
	q = json_tokener_parse(s->body);
	rc = kf_api(c, "kf/send_msg", q, &o, &r);
	json_object_put(q);
	json_object_put(o);
	if (db_run(c->arena, NULL, sql_result, "siii", rc == 0 ? "sent" :
	    "failed", (int64_t)r.errcode, c->shop->id, s->id) == -1)
		clog_warnx(c, "kf: result of msgid=%s not recorded", s->msgid);
	clog_info(c, "kf: reply msgid=%s type=%s %s errcode=%ld", s->msgid,
	    s->type, rc == 0 ? "sent" : "failed", r.errcode);
	if (rc != 0 && window_code(r.errcode))
		return closed(c, r.errcode == 95001 ? "已达微信允许的 5 条回复，"
		    "请等客户再次发消息" : "微信不允许在当前会话状态下回复（"
		    "超过 48 小时或会话已结束）");
	if (rc != 0 && r.errcode == 0 && r.rc == WXAPI_ERR_NET)
		c->error = "微信没有及时应答，消息可能没有送达";
	return rc;
}

/* The conversation, checked before anything is uploaded or sent. */
static int
window_first(struct dctx *c, int64_t conv)
{
	struct kf_conv		k;
	struct kf_window	w;
	int			rc;

	if ((rc = kf_conv_get(c, conv, &k)) != 0)
		return rc;
	kf_window_of(&k, (int64_t)time(NULL), &w);
	return w.open ? 0 : closed(c, w.why);
}

/* rel (under uploads_dir) as a media_id, cached 2.5 days. */
static int
media_of(struct dctx *c, const char *rel, const char **media)
{
	struct wxapi_result	 r;
	struct db_res		*res;
	struct buf		 b;
	const char		*path;
	int			 rc;

	if (db_run(c->arena, &res, sql_media, "isi", c->shop->id, rel,
	    (int64_t)MEDIA_KEEP_S) == -1)
		return ERR_INTERNAL;
	if (res->nrows > 0) {
		*media = db_cell(res, 0, 0);
		return 0;
	}
	path = arena_printf(c->arena, "%s/%s", image_root(IMAGE_PUBLIC), rel);
	buf_init(&b, 65536);
	if (image_read_file(path, UPLOAD_MAX, &b) == -1) {
		clog_warnx(c, "kf: read %s: %s", rel, strerror(errno));
		buf_free(&b);
		c->error = "图片读取失败";
		return ERR_INTERNAL;
	}
	rc = kf_api_upload(c, "image", b.p, b.len, media, &r);
	buf_free(&b);
	if (rc != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_media_put, "iss", c->shop->id, rel,
	    *media) == -1)
		clog_warnx(c, "kf: media of %s not cached", rel);
	return 0;
}

/* A JPEG or PNG WeCom takes: the stored file, or its JPEG thumbnail. */
static const char *
sendable(const char *path, const char *thumb)
{
	size_t	n = strlen(path);

	return (n > 4 && (strcmp(path + n - 4, ".jpg") == 0 ||
	    strcmp(path + n - 4, ".png") == 0)) ? path : thumb;
}

static int
text_reply(struct dctx *c, const struct kf_reply *in, struct send *s)
{
	size_t	n = in->text != NULL ? strlen(in->text) : 0;

	if (n == 0 || n > KF_TEXT_MAX || !utf8_valid(in->text, n)) {
		c->error = "回复内容为 1–2048 字节的文字";
		return ERR_INVALID;
	}
	s->type = "text";
	s->inner = json_object_new_object();
	json_object_object_add(s->inner, "content",
	    json_object_new_string(in->text));
	return 0;
}

static int
image_reply(struct dctx *c, const struct kf_reply *in, struct send *s)
{
	struct image_info	 info;
	const char		*media;
	int			 rc;

	if (in->image == NULL || in->image_len == 0) {
		c->error = "请选择图片";
		return ERR_INVALID;
	}
	if ((rc = image_store(c, c->shop->id, in->image, in->image_len,
	    &info)) != 0)
		return rc;
	if ((rc = media_of(c, sendable(info.path, info.thumb), &media)) != 0)
		return rc;
	s->type = "image";
	s->image_path = arena_strdup(c->arena, info.path);
	s->image_thumb = arena_strdup(c->arena, info.thumb);
	s->inner = json_object_new_object();
	json_object_object_add(s->inner, "media_id",
	    json_object_new_string(media));
	return 0;
}

static const char *
mall_of(const struct shop *sh)
{
	return sh->modes & SHOP_MODE_ORDERING ? "ordering" :
	    sh->modes & SHOP_MODE_WHOLESALE ? "wholesale" : "retail";
}

/* A product as a link card or a mini-program card. */
static int
product_reply(struct dctx *c, const struct kf_reply *in, struct send *s)
{
	struct wechat_conf	 w;
	struct db_res		*r;
	const char		*media, *name;
	int			 rc;

	if (db_run(c->arena, &r, sql_product, "ii", c->shop->id,
	    in->product_id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0) {
		c->error = "商品不存在或已下架";
		return ERR_INVALID;
	}
	if (db_cell(r, 0, 1) == NULL) {
		c->error = "该商品还没有图片，发不了卡片；请先上传商品图片";
		return ERR_INVALID;
	}
	name = db_cell(r, 0, 0);
	if (in->kind == KF_REPLY_MINIPROGRAM) {
		if ((rc = wechat_conf_get(c, c->shop->id, &w)) != 0)
			return rc;
		if (*w.miniapp_appid == '\0') {
			c->error = "店铺尚未设置小程序 AppID，发不了小程序卡片";
			return ERR_CONFLICT;
		}
	}
	if ((rc = media_of(c, sendable(db_cell(r, 0, 1), db_cell(r, 0, 2)),
	    &media)) != 0)
		return rc;
	s->image_path = arena_strdup(c->arena, db_cell(r, 0, 1));
	s->image_thumb = arena_strdup(c->arena, db_cell(r, 0, 2));
	s->inner = json_object_new_object();
	if (in->kind == KF_REPLY_MINIPROGRAM) {
		s->type = "miniprogram";
		json_object_object_add(s->inner, "appid",
		    json_object_new_string(w.miniapp_appid));
		json_object_object_add(s->inner, "title",
		    json_object_new_string(utf8_prefix(c->arena, name, 20)));
		json_object_object_add(s->inner, "thumb_media_id",
		    json_object_new_string(media));
		json_object_object_add(s->inner, "pagepath",
		    json_object_new_string(arena_printf(c->arena,
		    "pages/product/detail?id=%" PRId64, in->product_id)));
		return 0;
	}
	s->type = "link";
	json_object_object_add(s->inner, "title",
	    json_object_new_string(utf8_prefix(c->arena, name, 40)));
	json_object_object_add(s->inner, "desc",
	    json_object_new_string(c->shop->name ? c->shop->name : ""));
	json_object_object_add(s->inner, "url",
	    json_object_new_string(arena_printf(c->arena, "%s/%s/products/%"
	    PRId64, in->shop_url, mall_of(c->shop), in->product_id)));
	json_object_object_add(s->inner, "thumb_media_id",
	    json_object_new_string(media));
	return 0;
}

/*
 * One reply to conversation conv: 0 when WeCom took it; ERR_CONFLICT
 * (code kf_window_closed) when the window is shut, and then nothing was
 * uploaded or sent; ERR_INVALID for a bad reply; ERR_NOT_FOUND; or what
 * the call failed with (c->error).
 */
int
kf_reply_send(struct dctx *c, int64_t conv, const struct kf_reply *in)
{
	struct send	s;
	int		rc;

	memset(&s, 0, sizeof(s));
	s.conv = conv;
	if ((rc = window_first(c, conv)) != 0)
		return rc;
	switch (in->kind) {
	case KF_REPLY_TEXT:
		rc = text_reply(c, in, &s);
		break;
	case KF_REPLY_IMAGE:
		rc = image_reply(c, in, &s);
		break;
	case KF_REPLY_LINK:
	case KF_REPLY_MINIPROGRAM:
		rc = product_reply(c, in, &s);
		break;
	}
	if (rc == 0)
		rc = send_now(c, &s);
	json_object_put(s.inner);
	return rc;
}
