/*
 * h_admin_shared.c -- what the back office's catalog pages share
 * (h_admin_catalog.h): who may change things, ids from the route, an
 * uploaded file, a refused form for JSON clients, category <option>s.
 */
#include "base/base.h"
#include "domain/session.h"
#include "http/http.h"
#include "domain/category.h"
#include "domain/product.h"
#include "handlers/h_admin_catalog.h"


int
admin_can_edit(struct ctx *c)
{
	return session_staff_role(&c->d.sess, ROLES_WRITE);
}

/* The uploaded file of a multipart field; NULL if none. */
const struct upload *
admin_upload(struct ctx *c, const char *field)
{
	int	i;

	for (i = 0; i < c->nuploads; i++)
		if (strcmp(c->uploads[i].field, field) == 0)
			return &c->uploads[i];
	return NULL;
}

/* A refused form to a JSON client: the message and every bad field. */
int
admin_form_json(struct ctx *c, int status, const struct form *f)
{
	json_object	*err = json_object_new_object();

	view_set_str(err, "code", status == 409 ? "conflict" : "invalid");
	view_set_str(err, "message", f->error);
	if (f->errors != NULL)
		json_object_object_add(err, "fields", json_object_get(
		    f->errors));
	c->status = status;
	return http_json_error(c, err);
}

/*
 * <option>s for a category select, each by its path (饮料 › 散装); skip
 * leaves out a subtree (a move).
 */
json_object *
admin_category_options(struct ctx *c, const struct category_tree *t,
    int64_t selected, int64_t skip)
{
	json_object	*a = json_object_new_array(), *o;
	int		 i;

	for (i = 0; i < t->norder; i++) {
		if (skip != 0 && category_within(t, t->order[i]->id, skip))
			continue;
		o = json_object_new_object();
		view_set_i64(o, "id", t->order[i]->id);
		view_set_str(o, "name", t->order[i]->name);
		view_set_str(o, "category_path", category_path(c->d.arena, t,
		    t->order[i]->id));
		view_set_bool(o, "selected", t->order[i]->id == selected);
		json_object_array_add(a, o);
	}
	return a;
}
