/*
 * view.c -- the small setters and getters every view model is built
 * with: json-c members named once, NULL strings as JSON null. No request,
 * no rendering: render.c, shop_view.c and the handlers use them.
 */
#include "base/base.h"
#include "http/http.h"

void
view_set_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

void
view_set_i64(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

void
view_set_bool(json_object *o, const char *k, int v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

/* A string member of a view, "" when absent or null. */
const char *
view_get_str(json_object *o, const char *key)
{
	json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return "";
	return json_object_get_string(v);
}
