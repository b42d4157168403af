/*
 * h_admin_settings.c -- the shop's brand and storefront settings. Values end
 * up in every page's <head> and <style>, so each is checked against a strict
 * shape, not escaped after the fact. A save bumps shop.version: every worker
 * shows it within a second (shop.c).
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/pricing.h"
#include "domain/shop.h"
#include "http/http.h"
#include "http/theme.h"
#include "handlers/handlers.h"
#include "domain/settings.h"

#include <dirent.h>
#include <sys/stat.h>

#define THEMES_MAX	32
#define THEME_NAME_MAX	40	/* shop.theme is VARCHAR(40) */
#define TAX_BP_MAX	2000	/* 20 % */

enum { F_NAME, F_THEME, F_LOGO, F_COLOR, F_PHONE, F_FOOTER, F_ORDERING,
	F_WHOLESALE, F_RETAIL, F_HIDE, F_RETAIL_B2B, F_TAX_NORMAL,
	F_TAX_SPECIAL, F_LOGO_FILE, F_LOGO_REMOVE };
static const struct field settings_fields[] = {
	[F_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 100,
			  "店铺名称" },
	[F_THEME] =	{ "theme", FIELD_TEXT, FIELD_REQUIRED, 1, 100,
			  "主题" },
	[F_LOGO] =	{ "logo_url", FIELD_TEXT, 0, 0, 500, "Logo 地址" },
	[F_COLOR] =	{ "color_primary", FIELD_TEXT, FIELD_REQUIRED, 1, 7,
			  "主色" },
	[F_PHONE] =	{ "contact_phone", FIELD_TEXT, 0, 0, 20,
			  "联系电话" },
	[F_FOOTER] =	{ "footer_text", FIELD_TEXT, 0, 0, 500, "页脚文字" },
	[F_ORDERING] =	{ "mode_ordering", FIELD_BOOL, 0, 0, 0, "订货商城" },
	[F_WHOLESALE] =	{ "mode_wholesale", FIELD_BOOL, 0, 0, 0,
			  "批发商城" },
	[F_RETAIL] =	{ "mode_retail", FIELD_BOOL, 0, 0, 0, "零售商城" },
	[F_HIDE] =	{ "hide_wholesale_prices", FIELD_BOOL, 0, 0, 0,
			  "对游客隐藏批发价" },
	[F_RETAIL_B2B] = { "retail_b2b_details", FIELD_BOOL, 0, 0, 0,
			  "零售商城显示批发信息" },
	[F_TAX_NORMAL] = { "tax_normal_pct", FIELD_TEXT, FIELD_REQUIRED, 1, 10,
			  "普票税点" },
	[F_TAX_SPECIAL] = { "tax_special_pct", FIELD_TEXT, FIELD_REQUIRED, 1,
			  10, "专票税点" },
	/* The file itself comes as an upload (admin_upload); this names it
	 * for its error. */
	[F_LOGO_FILE] =	{ "logo_file", FIELD_TEXT, 0, 0, 0, "Logo 图片" },
	[F_LOGO_REMOVE] = { "logo_remove", FIELD_BOOL, 0, 0, 0, "不显示 Logo" },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* Folder names people may not guess the look of. */
static const char *const theme_labels[][2] = {
	{ "default", "经典（默认）" },
	{ "fresh", "清新" },
};

struct themes {
	char	*name[THEMES_MAX];
	int	 n;
};

static int
cmp_theme(const void *a, const void *b)
{
	const char	*x = *(char *const *)a, *y = *(char *const *)b;

	/* The default theme first, then by name. */
	if (strcmp(x, "default") == 0 || strcmp(y, "default") == 0)
		return strcmp(x, "default") == 0 ? -1 : 1;
	return strcmp(x, y);
}

/* The theme folders that exist now, with names render.c accepts. */
static void
themes_list(struct ctx *c, struct themes *t)
{
	char		 dir[PATH_MAX], path[PATH_MAX];
	struct dirent	*e;
	struct stat	 st;
	DIR		*d;

	t->n = 0;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/themes",
	    conf.templates_dir) >= sizeof(dir))
		return;
	if ((d = opendir(dir)) == NULL) {
		clog_warnx(&c->d, "settings: opendir dir=%s error=%s", dir,
		    strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL && t->n < THEMES_MAX) {
		if (!theme_valid_name(e->d_name) || strchr(e->d_name, '/') ||
		    strlen(e->d_name) > THEME_NAME_MAX)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    e->d_name) >= sizeof(path) || stat(path, &st) == -1 ||
		    !S_ISDIR(st.st_mode))
			continue;
		t->name[t->n++] = arena_strdup(c->d.arena, e->d_name);
	}
	closedir(d);
	qsort(t->name, t->n, sizeof(t->name[0]), cmp_theme);
}

static int
theme_exists(const struct themes *t, const char *name)
{
	int	i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->name[i], name) == 0)
			return 1;
	return 0;
}

/* "#rrggbb" and nothing else: it is written into a <style> block. */
static int
color_ok(const char *s)
{
	int	i;

	if (strlen(s) != 7 || s[0] != '#')
		return 0;
	for (i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Digits, spaces, '-' and '+': a phone number as people write it. */
static int
phone_ok(const char *s)
{
	int	digits = 0;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (*s != ' ' && *s != '-' && *s != '+')
			return 0;
	}
	return digits > 0;
}

/*
 * A logo: a path under /uploads/ or /static/ of this site (pages allow
 * images from the site itself only: no outside host, no CDN). Printable
 * ASCII without quotes, angle brackets, backslashes or spaces, so it can
 * never leave its attribute or become a script URL.
 */
static const char *
logo_check(const char *s)
{
	const char	*p, *rest;

	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"'<>\\`", *p) != NULL)
			return "只能包含英文字母、数字和常见网址符号，不能有"
			    "空格或引号";
	if (strncmp(s, "/uploads/", 9) == 0 || strncmp(s, "/static/", 8) == 0)
		rest = strchr(s + 1, '/') + 1;
	else
		return "应为本站 /uploads/ 或 /static/ 下的图片";
	if (*rest == '\0' || *rest == '/' || strstr(s, "/../") != NULL ||
	    strstr(s, "/./") != NULL || strcmp(s + strlen(s) - 3, "/..") == 0)
		return "不是有效的图片地址";
	return NULL;
}

/* Add one more bad field to the form's message and its errors map. */
static void
bad(struct ctx *c, struct form *f, int i, const char *why)
{
	const char	*label = settings_fields[i].label;

	f->error = f->error == NULL ? arena_printf(c->d.arena, "%s：%s", label,
	    why) : arena_printf(c->d.arena, "%s；%s：%s", f->error, label, why);
	if (f->errors == NULL) {
		f->errors = json_object_new_object();
		arena_defer_json(c->d.arena, f->errors);
	}
	view_set_str(f->errors, settings_fields[i].name, why);
	f->v[i].present = 0;
}

/* The checks a field table cannot say. 0, or -1 with f->error. */
static int
settings_check(struct ctx *c, struct form *f, const struct themes *t,
    struct shop_settings *s)
{
	const char	*why;
	char		*color;

	if (f->v[F_THEME].present && !theme_exists(t, f->v[F_THEME].s))
		bad(c, f, F_THEME, "没有这个主题");
	if (f->v[F_LOGO].present &&
	    (why = logo_check(f->v[F_LOGO].s)) != NULL)
		bad(c, f, F_LOGO, why);
	if (f->v[F_COLOR].present && !color_ok(f->v[F_COLOR].s))
		bad(c, f, F_COLOR, "应为 #rrggbb 格式的颜色，如 #c8102e");
	if (f->v[F_PHONE].present && !phone_ok(f->v[F_PHONE].s))
		bad(c, f, F_PHONE, "只能包含数字、空格、- 和 +");
	if (!f->v[F_ORDERING].i64 && !f->v[F_WHOLESALE].i64 &&
	    !f->v[F_RETAIL].i64)
		bad(c, f, F_ORDERING, "至少开放一个商城");
	if (f->v[F_TAX_NORMAL].present && (parse_percent_bp(
	    f->v[F_TAX_NORMAL].s, &s->tax_normal_bp, &why) == -1 ||
	    s->tax_normal_bp > TAX_BP_MAX))
		bad(c, f, F_TAX_NORMAL, "应为 0 到 20 之间的数，最多两位小数");
	if (f->v[F_TAX_SPECIAL].present && (parse_percent_bp(
	    f->v[F_TAX_SPECIAL].s, &s->tax_special_bp, &why) == -1 ||
	    s->tax_special_bp > TAX_BP_MAX))
		bad(c, f, F_TAX_SPECIAL, "应为 0 到 20 之间的数，最多两位小数");
	if (f->error != NULL)
		return -1;
	s->name = f->v[F_NAME].s;
	s->theme = f->v[F_THEME].s;
	s->logo_url = f->v[F_LOGO].present ? f->v[F_LOGO].s : "";
	s->color = color = arena_strdup(c->d.arena, f->v[F_COLOR].s);
	for (; *color; color++)
		*color = tolower((unsigned char)*color);
	s->phone = f->v[F_PHONE].present ? f->v[F_PHONE].s : "";
	s->footer = f->v[F_FOOTER].present ? f->v[F_FOOTER].s : "";
	s->modes = (f->v[F_ORDERING].i64 ? SHOP_MODE_ORDERING : 0) |
	    (f->v[F_WHOLESALE].i64 ? SHOP_MODE_WHOLESALE : 0) |
	    (f->v[F_RETAIL].i64 ? SHOP_MODE_RETAIL : 0);
	s->hide_wholesale_prices = f->v[F_HIDE].i64 != 0;
	s->retail_b2b_details = f->v[F_RETAIL_B2B].i64 != 0;
	return 0;
}

static void
themes_view(struct ctx *c, json_object *v, const struct themes *t,
    const char *current)
{
	json_object	*rows = json_object_new_array(), *o;
	const char	*label;
	size_t		 k;
	int		 i;

	for (i = 0; i < t->n; i++) {
		label = t->name[i];
		for (k = 0; k < sizeof(theme_labels) / sizeof(theme_labels[0]);
		    k++)
			if (strcmp(t->name[i], theme_labels[k][0]) == 0)
				label = theme_labels[k][1];
		o = json_object_new_object();
		view_set_str(o, "value", t->name[i]);
		view_set_str(o, "label", label);
		view_set_bool(o, "selected", current != NULL &&
		    strcmp(current, t->name[i]) == 0);
		json_object_array_add(rows, o);
	}
	json_object_object_add(v, "themes", rows);
	view_set_bool(v, "theme_unknown", current != NULL &&
	    !theme_exists(t, current));
	(void)c;
}

/* The stored settings as the form's values. */
static const char *
stored_view(struct ctx *c, json_object *v, const struct shop_settings *s)
{
	view_set_str(v, "name", s->name);
	view_set_str(v, "logo_url", s->logo_url);
	view_set_str(v, "color_primary", s->color);
	view_set_str(v, "contact_phone", s->phone);
	view_set_str(v, "footer_text", s->footer);
	view_set_bool(v, "mode_ordering", s->modes & SHOP_MODE_ORDERING);
	view_set_bool(v, "mode_wholesale", s->modes & SHOP_MODE_WHOLESALE);
	view_set_bool(v, "mode_retail", s->modes & SHOP_MODE_RETAIL);
	view_set_bool(v, "hide_wholesale_prices", s->hide_wholesale_prices);
	view_set_bool(v, "retail_b2b_details", s->retail_b2b_details);
	view_set_str(v, "tax_normal_pct", fmt_percent(c->d.arena,
	    s->tax_normal_bp));
	view_set_str(v, "tax_special_pct", fmt_percent(c->d.arena,
	    s->tax_special_bp));
	return s->theme;
}

/* What was typed, after a bad post. */
static const char *
typed_view(struct ctx *c, json_object *v)
{
	size_t	i;

	for (i = 0; settings_fields[i].name != NULL; i++) {
		if (settings_fields[i].type == FIELD_BOOL)
			view_set_bool(v, settings_fields[i].name,
			    req_param(c, settings_fields[i].name) != NULL);
		else
			view_set_str(v, settings_fields[i].name,
			    req_param(c, settings_fields[i].name));
	}
	return req_param(c, "theme");
}

/*
 * The form: the stored settings, or after a bad post what was typed
 * (error set, status 400 already in c->status).
 */
static int
settings_page(struct ctx *c, const char *error, json_object *errors)
{
	struct shop_settings	 s;
	struct themes		 t;
	json_object		*v;
	const char		*theme;
	int			 rc;

	if ((rc = settings_load(&c->d, &s)) != 0)
		return http_fail(c, rc, c->d.error);
	themes_list(c, &t);
	v = admin_view(c, "settings");
	if (error == NULL)
		theme = stored_view(c, v, &s);
	else {
		theme = typed_view(c, v);
		view_set_str(v, "error", error);
		json_object_object_add(v, "errors", json_object_get(errors));
	}
	themes_view(c, v, &t, theme);
	if (error != NULL)	/* errors.theme says it already */
		view_set_bool(v, "theme_unknown", 0);
	view_set_str(v, "action", ctx_link(c, "/admin/settings"));
	c->title = "店铺设置";
	return render(c, "admin/settings");
}

/* An upload image.c refused: the form again, the reason at the field. */
static int
logo_refused(struct ctx *c, struct form *f, enum err e, const char *why)
{
	clog_info(&c->d, "logo refused: %s", why);
	if (c->json_out)
		return http_fail(c, e, why);
	bad(c, f, F_LOGO_FILE, why);
	c->status = err_status(e);
	return settings_page(c, f->error, f->errors);
}

static int
h_admin_settings(struct ctx *c)
{
	return settings_page(c, NULL, NULL);
}

static int
h_admin_settings_save(struct ctx *c)
{
	struct shop_settings	 s;
	struct themes		 t;
	struct form		 f;
	const struct upload	*u;
	const char		*logo = NULL;
	int			 rc;

	memset(&s, 0, sizeof(s));
	themes_list(c, &t);
	form_parse(c, settings_fields, &f);
	if (settings_check(c, &f, &t, &s) == -1) {
		if (c->json_out)
			return http_fail(c, ERR_INVALID, f.error);
		clog_info(&c->d, "settings refused status=400 why=%s", f.error);
		c->status = 400;
		return settings_page(c, f.error, f.errors);
	}
	/* The logo last: nothing is stored for a form that is refused. */
	if ((u = admin_upload(c, "logo_file")) != NULL && u->len > 0) {
		if ((rc = settings_logo_store(&c->d, u->data, u->len,
		    &logo)) == ERR_INTERNAL)
			return http_fail(c, rc, c->d.error);
		if (rc != 0)
			return logo_refused(c, &f, rc, c->d.error);
		s.logo_url = logo;
	} else if (f.v[F_LOGO_REMOVE].i64)
		s.logo_url = "";
	if ((rc = settings_save(&c->d, &s)) != 0) {
		settings_logo_discard(&c->d, logo);
		return http_fail(c, rc, c->d.error);
	}
	return http_see_other(c, "%s", ctx_link(c,
	    "/admin/settings?done=saved"));
}

const struct route h_admin_settings_routes[] = {
	{ "GET", "^/admin/settings$", h_admin_settings, ROUTE_STAFF,
	  ADMIN_ROLES_SETTINGS },
	{ "POST", "^/admin/settings$", h_admin_settings_save,
	  ROUTE_STAFF | ROUTE_CSRF, ADMIN_ROLES_SETTINGS },
	{ NULL, NULL, NULL, 0, NULL }
};
