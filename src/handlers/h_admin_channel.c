/*
 * h_admin_channel.c -- 渠道 in the back office (owner, admin, sales): the
 * list, a new channel, one channel's page with its printable codes: the
 * H5 link's QR code drawn here (base/qr.c, PNG and SVG), the official
 * account's QR code and the mini-program code, each asked of WeChat by
 * a button once and kept (domain/channel_code.c). No SQL here.
 */
#include "base/base.h"
#include "base/qr.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/channel.h"
#include "domain/customer.h"
#include "domain/image.h"
#include "domain/wechat_conf.h"

#define PER_PAGE	20
#define QR_SCALE	10

enum { F_KIND, F_NAME, F_STAFF };
static const struct field channel_fields[] = {
	[F_KIND] =	{ "kind", FIELD_TEXT, FIELD_REQUIRED, 1, 16, "类型" },
	[F_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1,
			  CHANNEL_NAME_MAX, "名称" },
	[F_STAFF] =	{ "staff_id", FIELD_INT, 0, 0, INT64_MAX, "业务员" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *const notices[][2] = {
	{ "created", "渠道已创建" }, { "saved", "已保存" },
	{ "mpqr", "公众号二维码已生成" }, { "wxacode", "小程序码已生成" },
};

static void
flash(struct ctx *c, json_object *v)
{
	const char	*s = REQ_NOTICE(c, notices);

	if (s != NULL)
		view_set_str(v, "flash", s);
}

static const char *
chan_link(struct ctx *c, int64_t id, const char *rest)
{
	return ctx_link(c, arena_printf(c->d.arena, "/admin/channels/%" PRId64
	    "%s", id, rest));
}

/*
 * The link a channel's H5 code carries: the shop's home with ?ch=, on
 * the host and port this page was asked on (nginx passes $host, which
 * has no port: SERVER_PORT says it when it is not the scheme's).
 */
static const char *
h5_link(struct ctx *c, const struct channel *ch)
{
	const char	*port = req_header(c, "SERVER_PORT"), *p = "";

	if (port != NULL && *port != '\0' && strspn(port, "0123456789") ==
	    strlen(port) && strlen(port) <= 5 &&
	    strcmp(port, c->https ? "443" : "80") != 0)
		p = arena_printf(c->d.arena, ":%s", port);
	return arena_printf(c->d.arena, "%s://%s%s%s/?ch=%s", c->https ?
	    "https" : "http", c->host != NULL ? c->host : "", p, c->base,
	    ch->scene);
}

static void
kinds_view(struct ctx *c, json_object *v, int kind)
{
	json_object	*a = json_object_new_array(), *o;
	int		 i;

	for (i = 0; i < CH_KINDS; i++) {
		o = json_object_new_object();
		view_set_str(o, "value", channel_kind_name(i));
		view_set_str(o, "label", channel_kind_label(i));
		view_set_bool(o, "selected", i == kind);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "kinds", a);
	(void)c;
}

static int
staff_view(struct ctx *c, json_object *v, int64_t sel)
{
	struct channel_staff	*s;
	json_object		*a = json_object_new_array(), *o;
	int			 n, i;

	json_object_object_add(v, "staff", a);
	if (channel_staff_list(&c->d, &s, &n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_i64(o, "id", s[i].id);
		view_set_str(o, "name", s[i].name);
		view_set_bool(o, "selected", s[i].id == sel);
		json_object_array_add(a, o);
	}
	return 0;
}

static json_object *
row_view(struct ctx *c, const struct channel *ch)
{
	json_object	*o = json_object_new_object();

	view_set_i64(o, "id", ch->id);
	view_set_str(o, "name", ch->name);
	view_set_str(o, "kind", channel_kind_name(ch->kind));
	view_set_str(o, "kind_label", channel_kind_label(ch->kind));
	view_set_str(o, "staff_name", ch->staff_name);
	view_set_str(o, "scene", ch->scene);
	view_set_str(o, "created", ch->created);
	view_set_bool(o, "has_mp_qr", ch->mp_ticket != NULL);
	view_set_bool(o, "has_wxacode", ch->wxacode_path != NULL);
	view_set_str(o, "url", chan_link(c, ch->id, ""));
	return o;
}

static int
h_channels(struct ctx *c)
{
	struct channel	*rows;
	json_object	*v, *a;
	int64_t		 total;
	int		 n, i;

	if (channel_list(&c->d, query_page(c), PER_PAGE, &rows, &n, &total) !=
	    0)
		return http_fail(c, ERR_INTERNAL, NULL);
	v = admin_view(c, "channels");
	view_pager(c, v, total, PER_PAGE, "/admin/channels");
	a = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(a, row_view(c, &rows[i]));
	json_object_object_add(v, "channels", a);
	view_set_str(v, "new_url", ctx_link(c, "/admin/channels/new"));
	view_set_str(v, "report_url", ctx_link(c, "/admin/channels/report"));
	flash(c, v);
	c->title = "渠道";
	return render(c, "admin/channels");
}

/* The form's values as typed, after a refusal. */
static void
form_back(struct ctx *c, json_object *v, const struct form *f,
    const char *error, int status)
{
	view_set_str(v, "error", error);
	if (f != NULL && f->errors != NULL)
		json_object_object_add(v, "errors", json_object_get(f->errors));
	if (status != 0)
		c->status = status;
}

static int
new_page(struct ctx *c, const struct form *f, const char *error, int status)
{
	json_object		*v = admin_view(c, "channels");
	enum channel_kind	 k = CH_PACKAGE;

	if (f != NULL && channel_kind_parse(f->v[F_KIND].s, &k) == -1)
		k = CH_PACKAGE;
	view_set_bool(v, "is_new", 1);
	view_set_str(v, "action", ctx_link(c, "/admin/channels/new"));
	view_set_str(v, "list_url", ctx_link(c, "/admin/channels"));
	view_set_str(v, "name", f != NULL ? f->v[F_NAME].s : NULL);
	kinds_view(c, v, k);
	if (staff_view(c, v, f != NULL ? f->v[F_STAFF].i64 : 0) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	form_back(c, v, f, error, status);
	c->title = "新建渠道";
	return render(c, "admin/channel_edit");
}

static void
qr_views(struct ctx *c, json_object *v, const struct channel *ch)
{
	struct wechat_conf	w;

	view_set_str(v, "h5_url", h5_link(c, ch));
	view_set_str(v, "qr_png", chan_link(c, ch->id, "/qr.png"));
	view_set_str(v, "qr_svg", chan_link(c, ch->id, "/qr.svg"));
	view_set_str(v, "mpqr_action", chan_link(c, ch->id, "/mpqr"));
	view_set_str(v, "wxacode_action", chan_link(c, ch->id, "/wxacode"));
	if (ch->mp_ticket != NULL) {
		view_set_str(v, "mp_url", ch->mp_url);
		view_set_str(v, "mp_png", chan_link(c, ch->id, "/mpqr.png"));
		view_set_str(v, "mp_show", channel_showqrcode(c->d.arena,
		    ch->mp_ticket));
	}
	if (ch->wxacode_path != NULL)
		view_set_str(v, "wxacode_png", chan_link(c, ch->id,
		    "/wxacode.png"));
	if (wechat_conf_get(&c->d, c->d.shop->id, &w) == 0) {
		view_set_bool(v, "mp_ready", *w.mp_appid && w.has_mp_secret);
		view_set_bool(v, "mini_ready", *w.miniapp_appid &&
		    w.has_miniapp_secret);
	}
	view_set_str(v, "wechat_settings", ctx_link(c,
	    "/admin/settings/wechat"));
}

static int
show_page(struct ctx *c, const struct channel *ch, const struct form *f,
    const char *error, int status)
{
	json_object		*v = admin_view(c, "channels");
	enum channel_kind	 k = ch->kind;

	if (f != NULL && channel_kind_parse(f->v[F_KIND].s, &k) == -1)
		k = ch->kind;
	json_object_object_add(v, "channel", row_view(c, ch));
	view_set_str(v, "action", chan_link(c, ch->id, ""));
	view_set_str(v, "list_url", ctx_link(c, "/admin/channels"));
	view_set_str(v, "name", f != NULL ? f->v[F_NAME].s : ch->name);
	kinds_view(c, v, k);
	if (staff_view(c, v, f != NULL ? f->v[F_STAFF].i64 : ch->staff_id) !=
	    0)
		return http_fail(c, ERR_INTERNAL, NULL);
	qr_views(c, v, ch);
	flash(c, v);
	form_back(c, v, f, error, status);
	c->title = ch->name;
	return render(c, "admin/channel_edit");
}

/* The form as a channel_in: 0, or -1 when the kind is not one. */
static int
take(struct ctx *c, struct form *f, struct channel_in *in)
{
	memset(in, 0, sizeof(*in));
	in->name = f->v[F_NAME].s;
	in->staff_id = f->v[F_STAFF].i64;
	if (channel_kind_parse(f->v[F_KIND].s, &in->kind) == -1) {
		form_error(c, f, "kind", "类型", "请选择类型");
		return -1;
	}
	return 0;
}

static void
take_errs(struct ctx *c, struct form *f, const struct field_errs *fe)
{
	int	i;

	for (i = 0; i < fe->n; i++)
		form_error(c, f, fe->v[i].name, fe->v[i].label, fe->v[i].why);
}

static int
h_channel_new(struct ctx *c)
{
	return new_page(c, NULL, NULL, 0);
}

static int
h_channel_create(struct ctx *c)
{
	struct channel_in	 in;
	struct field_errs	 fe = { 0 };
	struct form		 f;
	int64_t			 id;
	int			 rc;

	form_parse(c, channel_fields, &f);
	if (take(c, &f, &in) == -1 || f.error != NULL)
		return c->json_out ? http_fail(c, ERR_INVALID, f.error) :
		    new_page(c, &f, "请按提示修改后再保存", 400);
	if ((rc = channel_create(&c->d, &in, &id, &fe)) == ERR_INVALID) {
		take_errs(c, &f, &fe);
		return c->json_out ? http_fail(c, rc, c->d.error) :
		    new_page(c, &f, c->d.error, 400);
	}
	if (rc != 0)
		return http_fail(c, rc, c->d.error);
	return http_see_other(c, "%s", chan_link(c, id, "?done=created"));
}

static int
h_channel_show(struct ctx *c)
{
	struct channel	ch;
	int		rc;

	if ((rc = channel_get(&c->d, route_cap(c, 0), &ch)) != 0)
		return http_fail(c, rc, c->d.error);
	return show_page(c, &ch, NULL, NULL, 0);
}

static int
h_channel_save(struct ctx *c)
{
	struct channel		 ch;
	struct channel_in	 in;
	struct field_errs	 fe = { 0 };
	struct form		 f;
	int64_t			 id = route_cap(c, 0);
	int			 rc;

	if ((rc = channel_get(&c->d, id, &ch)) != 0)
		return http_fail(c, rc, c->d.error);
	form_parse(c, channel_fields, &f);
	if (take(c, &f, &in) == -1 || f.error != NULL)
		return show_page(c, &ch, &f, "请按提示修改后再保存", 400);
	if ((rc = channel_update(&c->d, id, &in, &fe)) == ERR_INVALID) {
		take_errs(c, &f, &fe);
		return show_page(c, &ch, &f, c->d.error, 400);
	}
	if (rc != 0)
		return http_fail(c, rc, c->d.error);
	return http_see_other(c, "%s", chan_link(c, id, "?done=saved"));
}

/* A QR code of text as an image answer, for download or <img>. */
static int
qr_answer(struct ctx *c, const char *text, int svg, const char *name)
{
	struct qr	 q;
	unsigned char	*png;
	size_t		 len;
	char		*s;

	if (qr_encode(c->d.arena, text, &q) == -1 || (!svg &&
	    qr_png(c->d.arena, &q, QR_SCALE, &png, &len) == -1)) {
		clog_warnx(&c->d, "channel: no QR code for %zu bytes",
		    strlen(text));
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->body.len = 0;
	if (svg) {
		s = qr_svg(c->d.arena, &q);
		buf_adds(&c->body, s);
		c->ctype = "image/svg+xml";
	} else {
		buf_add(&c->body, png, len);
		c->ctype = "image/png";
	}
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "%s; filename=\"%s.%s\"", kv_get(&c->query, "download") ?
	    "attachment" : "inline", name, svg ? "svg" : "png"));
	c->status = 200;
	return c->status;
}

static int
h_channel_qr(struct ctx *c)
{
	struct channel	ch;
	int		rc;

	if ((rc = channel_get(&c->d, route_cap(c, 0), &ch)) != 0)
		return http_fail(c, rc, c->d.error);
	return qr_answer(c, h5_link(c, &ch), strcmp(c->m.cap[1], "svg") == 0,
	    arena_printf(c->d.arena, "channel-%s-h5", ch.scene));
}

static int
h_channel_mpqr_png(struct ctx *c)
{
	struct channel	ch;
	int		rc;

	if ((rc = channel_get(&c->d, route_cap(c, 0), &ch)) != 0)
		return http_fail(c, rc, c->d.error);
	if (ch.mp_url == NULL)
		return http_fail(c, ERR_NOT_FOUND, "尚未生成公众号二维码");
	return qr_answer(c, ch.mp_url, 0, arena_printf(c->d.arena,
	    "channel-%s-mp", ch.scene));
}

/* POST …/mpqr or …/wxacode: ask WeChat once; a refusal on the page. */
static int
h_channel_wechat(struct ctx *c)
{
	struct channel	 ch;
	int64_t		 id = route_cap(c, 0);
	int		 mp = strcmp(c->m.cap[1], "mpqr") == 0, rc;

	rc = mp ? channel_mp_qr(&c->d, id, &ch) : channel_wxacode(&c->d, id,
	    &ch);
	if (rc == 0)
		return http_see_other(c, "%s", chan_link(c, id, mp ?
		    "?done=mpqr" : "?done=wxacode"));
	if (rc == ERR_NOT_FOUND || rc == ERR_INTERNAL || c->json_out)
		return http_fail(c, rc, c->d.error);
	if (channel_get(&c->d, id, &ch) != 0)
		return http_fail(c, ERR_INTERNAL, NULL);
	return show_page(c, &ch, NULL, c->d.error, err_status(rc));
}

static int
h_channel_wxacode_png(struct ctx *c)
{
	const char	*type;
	int64_t		 id = route_cap(c, 0);
	int		 rc;

	c->body.len = 0;
	if ((rc = channel_wxacode_read(&c->d, id, &c->body)) != 0) {
		c->body.len = 0;
		return http_fail(c, rc, c->d.error);
	}
	if ((type = image_type(c->body.p, c->body.len)) == NULL) {
		c->body.len = 0;
		return http_fail(c, ERR_INTERNAL, NULL);
	}
	c->status = 200;
	c->ctype = arena_printf(c->d.arena, "image/%s", type);
	http_header(c, "Content-Disposition", arena_printf(c->d.arena,
	    "%s; filename=\"channel-%" PRId64 "-miniapp.%s\"",
	    kv_get(&c->query, "download") ? "attachment" : "inline", id,
	    strcmp(type, "jpeg") == 0 ? "jpg" : type));
	return c->status;
}

#define CH	"^/admin/channels/([0-9]{1,18})"
#define R	CHANNEL_ROLES
const struct route h_admin_channel_routes[] = {
	{ "GET", "^/admin/channels$", h_channels, ROUTE_STAFF, R },
	{ "GET", "^/admin/channels/new$", h_channel_new, ROUTE_STAFF, R },
	{ "POST", "^/admin/channels/new$", h_channel_create,
	  ROUTE_STAFF | ROUTE_CSRF, R },
	{ "GET", CH "$", h_channel_show, ROUTE_STAFF, R },
	{ "POST", CH "$", h_channel_save, ROUTE_STAFF | ROUTE_CSRF, R },
	{ "GET", CH "/qr\\.(png|svg)$", h_channel_qr, ROUTE_STAFF, R },
	{ "GET", CH "/mpqr\\.png$", h_channel_mpqr_png, ROUTE_STAFF, R },
	{ "GET", CH "/wxacode\\.png$", h_channel_wxacode_png, ROUTE_STAFF, R },
	{ "POST", CH "/(mpqr|wxacode)$", h_channel_wechat,
	  ROUTE_STAFF | ROUTE_CSRF, R },
	{ NULL, NULL, NULL, 0, NULL }
};
