/*
 * h_admin_image.c -- a product's images in the back office on their
 * own, an upload (multipart field "image") and a delete, for JSON
 * clients and old pages: the product form adds and deletes them with
 * the product (h_admin_product_images.c). The domain (product_image.c)
 * checks, stores and counts; a refused upload shows the product form
 * again with the reason above the images.
 */
#include "base/base.h"
#include "http/http.h"
#include "domain/category.h"
#include "domain/product.h"
#include "handlers/h_admin_catalog.h"

/* An upload that cannot be used: the product form says why, with status. */
static int
image_refused(struct ctx *c, int64_t pid, enum err e, const char *why)
{
	struct pnotes	pn;
	struct pform	pf;
	int		rc;

	clog_info(&c->d, "image refused product=%" PRId64 ": %s", pid, why);
	if (c->json_out)
		return http_fail(c, e, why);
	if ((rc = pform_load(c, pid, &pf)) != 0)
		return http_fail(c, rc, NULL);
	memset(&pn, 0, sizeof(pn));
	pn.image_error = why;
	return product_page(c, &pf, err_status(e), &pn);
}

int
h_image_add(struct ctx *c)
{
	const struct upload	*u;
	struct product_image	 im;
	int64_t			 pid = route_cap(c, 0);
	int			 rc;

	if ((rc = pid == 0 ? ERR_NOT_FOUND : product_exists(&c->d, pid)) != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    NULL);
	if ((u = admin_upload(c, "image")) == NULL || u->len == 0)
		return image_refused(c, pid, ERR_INVALID, "请选择要上传的图片");
	rc = product_image_add(&c->d, pid, u->data, u->len, &im);
	if (rc == ERR_NOT_FOUND || rc == ERR_INTERNAL)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "商品不存在" :
		    NULL);
	if (rc != 0)
		return image_refused(c, pid, rc, c->d.error);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", im.id);
		view_set_str(c->view, "url", arena_printf(c->d.arena,
		    "/uploads/%s", im.path));
		view_set_str(c->view, "thumb", arena_printf(c->d.arena,
		    "/uploads/%s", im.thumb));
		view_set_i64(c->view, "width", im.width);
		view_set_i64(c->view, "height", im.height);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "?done=saved#images", pid)));
}

int
h_image_delete(struct ctx *c)
{
	int64_t	pid = route_cap(c, 0), id = route_cap(c, 1);
	int	rc;

	if (pid == 0 || id == 0)
		return http_fail(c, ERR_NOT_FOUND, "图片不存在");
	if ((rc = product_image_delete(&c->d, pid, id)) != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "图片不存在" :
		    NULL);
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products/%" PRId64 "?done=deleted#images", pid)));
}
