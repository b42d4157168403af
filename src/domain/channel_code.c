/*
 * channel_code.c -- a channel's WeChat codes, each asked of WeChat once
 * and kept: the official account's permanent QR code (QR_LIMIT_STR_SCENE,
 * wechat-protocols.md §5.2: its ticket and url in the channel row; a
 * shop has 100,000 of them) and the mini-program code (getwxacodeunlimit,
 * §5.1: the PNG under private_dir, which the back office reads out). No
 * transaction is open across a WeChat call; two staff asking at once
 * both ask WeChat, and the first answer stored wins.
 */
#include "base/base.h"
#include "base/conf.h"
#include "services/db.h"
#include "services/wxapi.h"
#include "domain/channel.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/wx_token.h"

#include <limits.h>

static const char sql_set_ticket[] =
    "UPDATE channel SET mp_ticket = ?, mp_url = ? WHERE shop_id = ? "
    "AND id = ? AND mp_ticket IS NULL";
static const char sql_set_wxacode[] =
    "UPDATE channel SET wxacode_path = ? WHERE shop_id = ? AND id = ? "
    "AND wxacode_path IS NULL";

/* The ticket's picture on WeChat's site (no token needed). */
char *
channel_showqrcode(struct arena *a, const char *ticket)
{
	return arena_printf(a, "%s/cgi-bin/showqrcode?ticket=%s",
	    conf.wechat_mp_base, url_encode(a, ticket));
}

static const char *
short_str(json_object *o, const char *key, size_t max)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0 ||
	    (size_t)json_object_get_string_len(v) > max)
		return NULL;
	return json_object_get_string(v);
}

/* The official account's code of channel id, made once: 0 with *ch. */
int
channel_mp_qr(struct dctx *c, int64_t id, struct channel *ch)
{
	struct wxapi_result	 r;
	json_object		*q, *info, *scene, *o;
	const char		*ticket, *url;
	int			 rc;

	if ((rc = channel_get(c, id, ch)) != 0 || ch->mp_ticket != NULL)
		return rc;
	q = json_object_new_object();
	info = json_object_new_object();
	scene = json_object_new_object();
	json_object_object_add(scene, "scene_str",
	    json_object_new_string(ch->scene));
	json_object_object_add(info, "scene", scene);
	json_object_object_add(q, "action_name",
	    json_object_new_string("QR_LIMIT_STR_SCENE"));
	json_object_object_add(q, "action_info", info);
	rc = wx_token_call(c, WX_MP, "qrcode_create", "POST",
	    "/cgi-bin/qrcode/create?access_token=", "", q, &o, &r);
	json_object_put(q);
	if (rc != 0)
		return rc;
	ticket = short_str(o, "ticket", 255);
	url = short_str(o, "url", 255);
	if (ticket == NULL || url == NULL || strspn(url, "abcdefghijklmnopqrs"
	    "tuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/.?=&_-~%+") !=
	    strlen(url)) {
		json_object_put(o);
		r.rc = WXAPI_ERR_PARSE;
		return wx_fail(c, "qrcode_create", &r);
	}
	rc = db_run(c->arena, NULL, sql_set_ticket, "ssii", ticket, url,
	    c->shop->id, id);
	json_object_put(o);
	if (rc == -1)
		return ERR_INTERNAL;
	clog_info(c, "channel: mp qr created channel=%" PRId64, id);
	return channel_get(c, id, ch);
}

/* Store the picture under private_dir/<shop>/: its path, or NULL. */
static const char *
store(struct dctx *c, const struct buf *b, const char *ext)
{
	char	dir[PATH_MAX], hex[33];

	if (snprintf(dir, sizeof(dir), "%s/%" PRId64,
	    image_root(IMAGE_PRIVATE), c->shop->id) >= (int)sizeof(dir) ||
	    image_mkdirs_mode(dir, 0700) == -1 || random_hex(hex, 16) == -1)
		return NULL;
	if (image_write_file_mode(dir, arena_printf(c->arena, "%s.%s", hex,
	    ext), b->p, b->len, 0600) == -1)
		return NULL;
	return arena_printf(c->arena, "%" PRId64 "/%s.%s", c->shop->id, hex,
	    ext);
}

/* The mini-program code of channel id, fetched once: 0 with *ch. */
int
channel_wxacode(struct dctx *c, int64_t id, struct channel *ch)
{
	struct wxapi_result	 r;
	struct db_res		*res;
	struct buf		 b;
	json_object		*q;
	const char		*type, *path;
	int			 rc;

	if ((rc = channel_get(c, id, ch)) != 0 || ch->wxacode_path != NULL)
		return rc;
	q = json_object_new_object();
	json_object_object_add(q, "scene", json_object_new_string(ch->scene));
	json_object_object_add(q, "width", json_object_new_int(430));
	buf_init(&b, 64 * 1024);
	rc = wx_token_call_bin(c, WX_MINIAPP, "getwxacodeunlimit",
	    "/wxa/getwxacodeunlimit?access_token=", "", q,
	    CHANNEL_WXACODE_MAX, &b, &r);
	json_object_put(q);
	if (rc != 0)
		goto out;
	type = image_type(b.p, b.len);
	if (type == NULL || strcmp(type, "webp") == 0) {
		clog_warnx(c, "channel: wxacode of channel=%" PRId64 " is no "
		    "PNG or JPEG (%zu bytes)", id, b.len);
		c->error = "微信返回的小程序码无法识别，请稍后再试";
		rc = ERR_UNAVAILABLE;
		goto out;
	}
	if ((path = store(c, &b, strcmp(type, "png") == 0 ? "png" : "jpg")) ==
	    NULL) {
		rc = ERR_INTERNAL;
		goto out;
	}
	if (db_run(c->arena, &res, sql_set_wxacode, "sii", path, c->shop->id,
	    id) == -1) {
		image_remove_at(c, IMAGE_PRIVATE, path);
		rc = ERR_INTERNAL;
		goto out;
	}
	if (res->affected == 0)		/* another's came first */
		image_remove_at(c, IMAGE_PRIVATE, path);
	clog_info(c, "channel: wxacode stored channel=%" PRId64 " bytes=%zu",
	    id, b.len);
	rc = channel_get(c, id, ch);
out:
	buf_free(&b);
	return rc;
}

/* The stored mini-program code's bytes into out: 0, ERR_NOT_FOUND. */
int
channel_wxacode_read(struct dctx *c, int64_t id, struct buf *out)
{
	struct channel	ch;
	char		path[PATH_MAX];
	int		rc;

	if ((rc = channel_get(c, id, &ch)) != 0)
		return rc;
	if (ch.wxacode_path == NULL || !image_rel_valid(ch.wxacode_path) ||
	    snprintf(path, sizeof(path), "%s/%s", image_root(IMAGE_PRIVATE),
	    ch.wxacode_path) >= (int)sizeof(path)) {
		c->error = "尚未生成小程序码";
		return ERR_NOT_FOUND;
	}
	if (image_read_file(path, CHANNEL_WXACODE_MAX, out) == -1) {
		clog_warnx(c, "channel: wxacode of channel=%" PRId64 " "
		    "unreadable: %s", id, strerror(errno));
		c->error = "小程序码文件丢失，请重新生成";
		return ERR_NOT_FOUND;
	}
	return 0;
}
