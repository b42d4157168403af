/*
 * h_admin_product_images.c -- the images a product form's post adds
 * (multipart files "image", any number) and deletes (the button
 * image_delete) with the product, so that an upload never loses what
 * was typed; and what the page says about it. The domain
 * (product_image.c) checks, stores and counts.
 */
#include "base/base.h"
#include "http/http.h"
#include "domain/category.h"
#include "domain/product.h"
#include "handlers/h_admin_catalog.h"

/* The files of field "image" that hold anything: the form's input. */
static int
image_file(const struct upload *u)
{
	return strcmp(u->field, "image") == 0 && u->len > 0;
}

/*
 * The images a product form's post adds and deletes, for product pid (0:
 * none yet, the files are dropped). Files are stored in their order
 * until one is refused: im->err and im->why say why. 0, ERR_NOT_FOUND or
 * ERR_INTERNAL.
 */
int
pimages_apply(struct ctx *c, int64_t pid, struct pimages *im)
{
	const struct upload	*u;
	struct product_image	 pi;
	const char		*del = req_param(c, "image_delete"), *err;
	int64_t			 iid;
	int			 i, n = 0, rc;

	memset(im, 0, sizeof(*im));
	for (i = 0; i < c->nuploads; i++) {
		if (!image_file(u = &c->uploads[i]))
			continue;
		n++;
		if (pid == 0 || im->err != 0) {
			im->dropped += pid == 0;
			continue;
		}
		rc = product_image_add(&c->d, pid, u->data, u->len, &pi);
		if (rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
			return rc;
		if (rc == 0) {
			im->added++;
			continue;
		}
		im->err = rc;
		im->why = n > 1 ? arena_printf(c->d.arena, "第 %d 张：%s", n,
		    c->d.error) : c->d.error;
		clog_info(&c->d, "image refused product=%" PRId64 ": %s", pid,
		    im->why);
	}
	if (pid == 0 || del == NULL || *del == '\0' ||
	    parse_i64(del, 1, INT64_MAX, &iid, &err) == -1)
		return 0;
	/* Gone already (a second tap): what was asked for is done. */
	if ((rc = product_image_delete(&c->d, pid, iid)) != 0 &&
	    rc != ERR_NOT_FOUND)
		return rc;
	im->deleted++;
	return 0;
}

/* What pimages_apply did, for above the images; NULL if nothing. */
const char *
pimages_notice(struct ctx *c, const struct pimages *im)
{
	if (im->dropped > 0)
		return "图片没有上传：新商品保存成功后才能上传图片，"
		    "请重新选择";
	if (im->added > 0 && im->deleted > 0)
		return arena_printf(c->d.arena, "已上传 %d 张图片，已删除 1 张",
		    im->added);
	if (im->added > 0)
		return arena_printf(c->d.arena, "已上传 %d 张图片", im->added);
	if (im->deleted > 0)
		return "已删除图片";
	return NULL;
}
