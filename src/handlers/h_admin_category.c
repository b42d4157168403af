/*
 * h_admin_category.c -- the back office's category tree: the list with a
 * form to add one, a category's own form (rename, move, sort), and the
 * delete of an empty one. The domain (category.c) keeps the tree's rules.
 */
#include "base/base.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/category.h"
#include "domain/product.h"
#include "handlers/h_admin_catalog.h"

enum { K_NAME, K_PARENT, K_SORT, K_N };
static const struct field cat_fields[] = {
	[K_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1,
			  CATEGORY_NAME_MAX, "分类名称" },
	[K_PARENT] =	{ "parent_id", FIELD_INT, 0, 0, INT64_MAX, "上级分类" },
	[K_SORT] =	{ "sort", FIELD_INT, 0, -1000000, 1000000, "排序" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* A submitted category form: as typed, and what is wrong with it. */
struct catform {
	int64_t		 id;		/* 0: a new category */
	const char	*s[K_N];
	struct form	 f;
};

static json_object *
cat_row(struct ctx *c, const struct category *k)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "id", k->id);
	view_set_str(o, "name", k->name);
	view_set_i64(o, "parent_id", k->parent_id);
	view_set_i64(o, "sort", k->sort);
	view_set_i64(o, "depth", k->depth);
	view_set_i64(o, "products", k->nproducts);
	view_set_i64(o, "children", k->nchildren);
	view_set_bool(o, "has_children", k->nchildren > 0);
	view_set_bool(o, "deletable", k->nproducts == 0 && k->nchildren == 0);
	view_set_str(o, "edit_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/categories/%" PRId64, k->id)));
	view_set_str(o, "products_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/products?cat=%" PRId64, k->id)));
	return o;
}

/* One category's form: rename, move (not below itself), sort, delete. */
static json_object *
cat_editing(struct ctx *c, const struct category_tree *t,
    const struct category *k, const struct catform *typed)
{
	json_object	*o = cat_row(c, k);

	if (typed != NULL) {
		view_set_str(o, "name", typed->s[K_NAME]);
		view_set_str(o, "sort", typed->s[K_SORT]);
	}
	json_object_object_add(o, "parents", admin_category_options(c, t,
	    typed ? typed->f.v[K_PARENT].i64 : k->parent_id, k->id));
	view_set_str(o, "action", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/categories/%" PRId64, k->id)));
	view_set_str(o, "delete_url", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/categories/%" PRId64 "/delete", k->id)));
	return o;
}

/*
 * The tree with a form to add one; or, with edit_id, that category's
 * form. typed is a form that failed, to show again as it was typed.
 */
static int
categories_page(struct ctx *c, int status, const char *error,
    const struct catform *typed, int64_t edit_id)
{
	struct category_tree	 t;
	struct category		*k = NULL;
	json_object		*v, *rows, *form;
	int			 i, isnew = typed != NULL && typed->id == 0;

	if (category_tree(&c->d, CATEGORY_COUNTS, &t) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	if (edit_id != 0 && (k = category_find(&t, edit_id)) == NULL)
		return http_fail(c, ERR_NOT_FOUND, "分类不存在");
	v = admin_view(c, "categories");
	if (k != NULL)
		json_object_object_add(v, "editing", cat_editing(c, &t, k,
		    typed));
	rows = json_object_new_array();
	for (i = 0; k == NULL && i < t.norder; i++)
		json_object_array_add(rows, cat_row(c, t.order[i]));
	json_object_object_add(v, "categories", rows);
	view_set_bool(v, "empty", t.n == 0);
	view_set_i64(v, "total", t.n);
	if (k == NULL)
		json_object_object_add(v, "parents", admin_category_options(c,
		    &t, isnew ? typed->f.v[K_PARENT].i64 : 0, 0));
	form = json_object_new_object();
	view_set_str(form, "name", isnew ? typed->s[K_NAME] : "");
	view_set_str(form, "sort", isnew ? typed->s[K_SORT] : "0");
	json_object_object_add(v, "form", form);
	if (typed != NULL && typed->f.errors != NULL)
		json_object_object_add(v, "errors", json_object_get(
		    typed->f.errors));
	view_set_str(v, "error", error);
	view_set_bool(v, "can_edit", admin_can_edit(c));
	view_set_str(v, "action", ctx_link(c, "/admin/categories"));
	view_set_str(v, "list_url", ctx_link(c, "/admin/categories"));
	c->status = status;
	c->title = edit_id ? "编辑分类" : "商品分类";
	return render(c, "admin/categories");
}

int
h_categories(struct ctx *c)
{
	return categories_page(c, 0, NULL, NULL, 0);
}

int
h_category_edit(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "分类不存在");
	return categories_page(c, 0, NULL, NULL, id);
}

/* The domain's verdict, by the form's names and labels. */
static void
domain_errors(struct ctx *c, struct catform *cf, const struct field_errors *fe)
{
	const struct field	*fl;
	int			 i;

	for (i = 0; i < fe->n; i++) {
		fl = &cat_fields[fe->v[i].field == CATEGORY_PARENT ? K_PARENT :
		    K_NAME];
		form_error(c, &cf->f, fl->name, fl->label, fe->v[i].why);
	}
}

/* POST /admin/categories (create), /admin/categories/<id> (update). */
int
h_category_save(struct ctx *c)
{
	struct category_input	 in;
	struct field_errors	 fe;
	struct catform		 cf;
	const char		*s;
	int64_t			 saved;
	int			 k, rc;

	memset(&cf, 0, sizeof(cf));
	memset(&fe, 0, sizeof(fe));
	cf.id = route_cap(c, 0);
	if (c->m.cap[0] != NULL && cf.id == 0)
		return http_fail(c, ERR_NOT_FOUND, "分类不存在");
	form_parse(c, cat_fields, &cf.f);
	for (k = 0; k < K_N; k++) {
		s = req_param(c, cat_fields[k].name);
		cf.s[k] = cf.f.v[k].present ? cf.f.v[k].s : s ? s : "";
	}
	memset(&in, 0, sizeof(in));
	in.id = cf.id;
	in.name = cf.s[K_NAME];
	in.parent_id = cf.f.v[K_PARENT].i64;
	in.sort = cf.f.v[K_SORT].i64;
	rc = cf.f.error != NULL ? ERR_INVALID : category_save(&c->d, &in, &fe,
	    &saved);
	if (rc == ERR_INVALID) {
		domain_errors(c, &cf, &fe);
		if (c->json_out)
			return admin_form_json(c, 400, &cf.f);
		return categories_page(c, 400, cf.f.error, &cf, cf.id);
	}
	if (rc != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "分类不存在" :
		    NULL);
	if (c->json_out) {
		view_new(c);
		view_set_i64(c->view, "id", saved);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/admin/categories?done=%s", cf.id ? "saved" : "created")));
}

int
h_category_delete(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);
	int	rc;

	if (id == 0)
		return http_fail(c, ERR_NOT_FOUND, "分类不存在");
	rc = category_delete(&c->d, id);
	if (rc == ERR_CONFLICT && !c->json_out)
		return categories_page(c, 409, c->d.error, NULL, id);
	if (rc != 0)
		return http_fail(c, rc, rc == ERR_NOT_FOUND ? "分类不存在" :
		    c->d.error);
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/categories?done=deleted"));
}
