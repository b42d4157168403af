/*
 * product_image.c -- a product's images: an upload checked and stored
 * (image.c), then its row added under the product's lock, where the
 * PRODUCT_IMAGES_MAX limit is counted, so that uploads at the same time
 * cannot pass it; a delete, rows first, files after; and a product found
 * by its code with its image count, for `dinghuo import images`.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/dctx.h"
#include "domain/image.h"
#include "domain/shop.h"
#include "domain/product.h"

static const char sql_lock[] =
    "SELECT id FROM product WHERE id = ? AND shop_id = ? FOR UPDATE";
static const char sql_count[] =
    "SELECT COUNT(*) FROM product_image WHERE product_id = ? AND shop_id = ?";
static const char sql_add[] =
    "INSERT INTO product_image (shop_id, product_id, path, thumb_path, "
    "width, height, sort) SELECT ?, ?, ?, ?, ?, ?, COALESCE(MAX(sort), 0) "
    "+ 1 FROM product_image WHERE product_id = ?";
static const char sql_get[] =
    "SELECT path, thumb_path FROM product_image WHERE id = ? "
    "AND product_id = ? AND shop_id = ? FOR UPDATE";
static const char sql_del[] =
    "DELETE FROM product_image WHERE id = ? AND shop_id = ?";
static const char sql_by_code[] =
    "SELECT p.id, (SELECT COUNT(*) FROM product_image i WHERE "
    "i.product_id = p.id) FROM product p WHERE p.shop_id = ? AND p.code = ?";

struct img {
	int64_t			 pid;
	int64_t			 id;
	struct image_info	 info;
	const char		*path;		/* a delete's files */
	const char		*thumb;
};

/*
 * The product of c->shop with 货号 code (compared as the database does:
 * case and width do not matter) and how many images it has, for the
 * image import. 0, ERR_NOT_FOUND, ERR_INTERNAL.
 */
int
product_image_count(struct dctx *c, const char *code, int64_t *pid, int *n)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_by_code, "is", c->shop->id, code) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	*pid = db_cell_i64(r, 0, 0);
	*n = (int)db_cell_i64(r, 0, 1);
	return 0;
}

/* Room for one more image? 0, ERR_INVALID (c->error), ERR_INTERNAL. */
static int
room(struct dctx *c, int64_t pid)
{
	struct db_res	*r;

	if (db_run(c->arena, &r, sql_count, "ii", pid, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) < PRODUCT_IMAGES_MAX)
		return 0;
	c->error = arena_printf(c->arena, "每个商品最多 %d 张图片，请先删除"
	    "不用的图片", PRODUCT_IMAGES_MAX);
	return ERR_INVALID;
}

static int
tx_add(struct dctx *c, void *arg)
{
	struct img	*im = arg;
	struct db_res	*r;
	int		 rc;

	im->id = 0;
	if (db_run(c->arena, &r, sql_lock, "ii", im->pid, c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	/* Counted under the lock: another upload waits for it. */
	if ((rc = room(c, im->pid)) != 0)
		return rc;
	if (db_run(c->arena, &r, sql_add, "iissiii", c->shop->id, im->pid,
	    im->info.path, im->info.thumb, (int64_t)im->info.width,
	    (int64_t)im->info.height, im->pid) == -1)
		return ERR_INTERNAL;
	im->id = (int64_t)r->insert_id;
	if (shop_touch(c, c->shop->id) != 0 || audit(c, "product.image.add",
	    "product=%" PRId64 " image=%" PRId64 " path=%s", im->pid, im->id,
	    im->info.path) != 0)
		return ERR_INTERNAL;
	return 0;
}

/*
 * Add an uploaded image to a product of c->shop: checked, re-encoded and
 * thumbnailed (image_store), then its row. 0 and *out; ERR_NOT_FOUND;
 * ERR_INVALID (the product has its images already, or the file is bad),
 * ERR_UNSUPPORTED, ERR_TOO_LARGE: c->error says why; ERR_INTERNAL.
 */
int
product_image_add(struct dctx *c, int64_t pid, const void *data, size_t len,
    struct product_image *out)
{
	struct img	im;
	int		rc;

	memset(&im, 0, sizeof(im));
	im.pid = pid;
	/* Before the work of decoding: a full product is refused at once. */
	if ((rc = room(c, pid)) != 0 ||
	    (rc = image_store(c, c->shop->id, data, len, &im.info)) != 0)
		return rc;
	if ((rc = db_tx_run(c, tx_add, &im)) != 0) {
		image_remove(c, im.info.path);
		image_remove(c, im.info.thumb);
		return rc;
	}
	clog_info(c, "image %" PRId64 " added product=%" PRId64 " %dx%d",
	    im.id, pid, im.info.width, im.info.height);
	memset(out, 0, sizeof(*out));
	out->id = im.id;
	out->path = arena_strdup(c->arena, im.info.path);
	out->thumb = arena_strdup(c->arena, im.info.thumb);
	out->width = im.info.width;
	out->height = im.info.height;
	return 0;
}

static int
tx_delete(struct dctx *c, void *arg)
{
	struct img	*im = arg;
	struct db_res	*r;

	im->path = im->thumb = NULL;
	if (db_run(c->arena, &r, sql_get, "iii", im->id, im->pid,
	    c->shop->id) == -1)
		return ERR_INTERNAL;
	if (r->nrows == 0)
		return ERR_NOT_FOUND;
	im->path = db_cell(r, 0, 0);
	im->thumb = db_cell(r, 0, 1);
	if (db_run(c->arena, NULL, sql_del, "ii", im->id, c->shop->id) == -1 ||
	    shop_touch(c, c->shop->id) != 0 || audit(c,
	    "product.image.delete", "product=%" PRId64 " image=%" PRId64,
	    im->pid, im->id) != 0)
		return ERR_INTERNAL;
	return 0;
}

/* Delete image id of product pid: 0, ERR_NOT_FOUND, ERR_INTERNAL. */
int
product_image_delete(struct dctx *c, int64_t pid, int64_t id)
{
	struct img	im;
	int		rc;

	memset(&im, 0, sizeof(im));
	im.pid = pid;
	im.id = id;
	if ((rc = db_tx_run(c, tx_delete, &im)) != 0)
		return rc;
	image_remove(c, im.path);
	image_remove(c, im.thumb);
	return 0;
}
