/*
 * channel.c -- a shop's channels: made and renamed by staff, read for
 * the back office. The scene every code carries is generated here, ten
 * characters of [A-Za-z0-9] (62^10 of them: a scene is not guessed by
 * counting), unique in the shop; a clash is drawn again. Another shop's
 * channel is ERR_NOT_FOUND.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/channel.h"
#include "domain/customer.h"
#include "domain/dctx.h"

#include <sodium.h>

static const char *const kinds[CH_KINDS][2] = {
	[CH_PACKAGE] =		{ "package", "包装批次" },
	[CH_EXHIBITION] =	{ "exhibition", "展会" },
	[CH_SALES] =		{ "sales", "业务员" },
	[CH_POSTER] =		{ "poster", "海报" },
};

#define COLS \
    "c.id, c.kind, c.name, c.staff_id, s.name, c.scene, c.mp_ticket, " \
    "c.mp_url, c.wxacode_path, " \
    "DATE_FORMAT(c.created_at + INTERVAL 8 HOUR, '%Y-%m-%d %H:%i') " \
    "FROM channel c LEFT JOIN staff s ON s.id = c.staff_id "

static const char sql_get[] =
    "SELECT " COLS "WHERE c.shop_id = ? AND c.id = ?";
static const char sql_list[] =
    "SELECT " COLS "WHERE c.shop_id = ? ORDER BY c.id DESC LIMIT ? OFFSET ?";
static const char sql_count[] = "SELECT COUNT(*) FROM channel WHERE shop_id = ?";
static const char sql_add[] =
    "INSERT INTO channel (shop_id, kind, name, staff_id, scene, created_by) "
    "VALUES (?, ?, ?, NULLIF(?, 0), ?, ?)";
static const char sql_set[] =
    "UPDATE channel SET kind = ?, name = ?, staff_id = NULLIF(?, 0) "
    "WHERE shop_id = ? AND id = ?";
static const char sql_exists[] =
    "SELECT COUNT(*) FROM channel WHERE shop_id = ? AND id = ?";
static const char sql_staff[] =
    "SELECT id, name FROM staff WHERE shop_id = ? AND status = 'active' "
    "AND role IN ('owner','admin','sales') ORDER BY name, id LIMIT 500";
static const char sql_staff_ok[] =
    "SELECT COUNT(*) FROM staff WHERE shop_id = ? AND id = ? "
    "AND status = 'active'";

const char *
channel_kind_name(enum channel_kind k)
{
	return (unsigned)k < CH_KINDS ? kinds[k][0] : "?";
}

const char *
channel_kind_label(enum channel_kind k)
{
	return (unsigned)k < CH_KINDS ? kinds[k][1] : "?";
}

int
channel_kind_parse(const char *s, enum channel_kind *k)
{
	int	i;

	for (i = 0; s != NULL && i < CH_KINDS; i++)
		if (strcmp(s, kinds[i][0]) == 0) {
			*k = (enum channel_kind)i;
			return 0;
		}
	return -1;
}

/* A scene as codes carry it: 1-32 of [A-Za-z0-9_-]. */
int
channel_scene_valid(const char *s)
{
	size_t	n;

	if (s == NULL)
		return 0;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-");
	return n > 0 && n <= CHANNEL_SCENE_MAX && s[n] == '\0';
}

static void
scene_new(char out[CHANNEL_SCENE_LEN + 1])
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	int	i;

	for (i = 0; i < CHANNEL_SCENE_LEN; i++)
		out[i] = abc[randombytes_uniform(sizeof(abc) - 1)];
	out[i] = '\0';
}

static void
row(const struct db_res *r, int i, struct channel *ch)
{
	const char	*kind = db_cell(r, i, 1);

	memset(ch, 0, sizeof(*ch));
	ch->id = db_cell_i64(r, i, 0);
	if (channel_kind_parse(kind, &ch->kind) == -1)
		ch->kind = CH_POSTER;
	ch->name = db_cell(r, i, 2);
	ch->staff_id = db_cell(r, i, 3) ? db_cell_i64(r, i, 3) : 0;
	ch->staff_name = db_cell(r, i, 4);
	ch->scene = db_cell(r, i, 5);
	ch->mp_ticket = db_cell(r, i, 6);
	ch->mp_url = db_cell(r, i, 7);
	ch->wxacode_path = db_cell(r, i, 8);
	ch->created = db_cell(r, i, 9);
}

int
channel_get(struct dctx *c, int64_t id, struct channel *ch)
{
	struct db_res	*r;

	memset(ch, 0, sizeof(*ch));
	if (db_run(c->arena, &r, sql_get, "ii", c->shop->id, id) == -1)
		return ERR_INTERNAL;
	if (r->nrows != 1) {
		c->error = "渠道不存在";
		return ERR_NOT_FOUND;
	}
	row(r, 0, ch);
	return 0;
}

/* Page page (from 1) of per, newest first; *total over all pages. */
int
channel_list(struct dctx *c, int64_t page, int per, struct channel **out,
    int *n, int64_t *total)
{
	struct db_res	*r;
	int		 i;

	*out = NULL;
	*n = 0;
	if (db_run(c->arena, &r, sql_count, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	*total = db_cell_i64(r, 0, 0);
	if (db_run(c->arena, &r, sql_list, "iii", c->shop->id, (int64_t)per,
	    (page - 1) * per) == -1)
		return ERR_INTERNAL;
	*out = arena_alloc(c->arena, sizeof(**out) * (r->nrows + 1));
	for (i = 0; i < r->nrows; i++)
		row(r, i, &(*out)[i]);
	*n = r->nrows;
	return 0;
}

/* Who may be a channel's salesperson: active owner, admin, sales. */
int
channel_staff_list(struct dctx *c, struct channel_staff **out, int *n)
{
	struct db_res	*r;
	int		 i;

	if (db_run(c->arena, &r, sql_staff, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	*out = arena_alloc(c->arena, sizeof(**out) * (r->nrows + 1));
	for (i = 0; i < r->nrows; i++) {
		(*out)[i].id = db_cell_i64(r, i, 0);
		(*out)[i].name = db_cell(r, i, 1);
	}
	*n = r->nrows;
	return 0;
}

/* The checks of in: 0, ERR_INVALID with fe, or ERR_INTERNAL. */
static int
check(struct dctx *c, const struct channel_in *in, struct field_errs *fe)
{
	struct db_res	*r;

	field_text(c->arena, fe, "name", "名称", in->name, 1,
	    CHANNEL_NAME_MAX);
	if ((unsigned)in->kind >= CH_KINDS)
		field_errs_add(fe, "kind", "类型", "请选择类型");
	if (in->staff_id != 0) {
		if (db_run(c->arena, &r, sql_staff_ok, "ii", c->shop->id,
		    in->staff_id) == -1)
			return ERR_INTERNAL;
		if (db_cell_i64(r, 0, 0) == 0)
			field_errs_add(fe, "staff_id", "业务员",
			    "请从列表中选择本店在职员工");
	}
	if (in->kind == CH_SALES && in->staff_id == 0)
		field_errs_add(fe, "staff_id", "业务员", "业务员渠道请选择业务员");
	if (fe->n > 0) {
		c->error = "请按提示修改后再保存";
		return ERR_INVALID;
	}
	return 0;
}

struct add {
	const struct channel_in	*in;
	struct field_errs	*fe;
	int64_t			 id;
	char			 scene[CHANNEL_SCENE_LEN + 1];
};

static int
tx_add(struct dctx *c, void *arg)
{
	struct add	*a = arg;
	struct db_res	*r;
	int		 rc, tries;

	a->id = 0;
	a->fe->n = 0;
	c->error = NULL;
	if ((rc = check(c, a->in, a->fe)) != 0)
		return rc;
	for (tries = 0; tries < 4; tries++) {
		scene_new(a->scene);
		if (db_run(c->arena, &r, sql_add, "issisi", c->shop->id,
		    channel_kind_name(a->in->kind), a->in->name,
		    a->in->staff_id, a->scene, c->sess.user_id) == 0)
			break;
		if (!db_duplicate())
			return ERR_INTERNAL;
	}
	if (tries == 4)
		return ERR_INTERNAL;
	a->id = (int64_t)r->insert_id;
	return audit(c, "channel.create", "channel=%" PRId64 " kind=%s "
	    "scene=%s name=%s", a->id, channel_kind_name(a->in->kind),
	    a->scene, a->in->name);
}

int
channel_create(struct dctx *c, const struct channel_in *in, int64_t *id,
    struct field_errs *fe)
{
	struct add	a = { in, fe, 0, { 0 } };
	int		rc;

	*id = 0;
	if ((rc = db_tx_run(c, tx_add, &a)) != 0)
		return rc;
	*id = a.id;
	return 0;
}

struct set {
	const struct channel_in	*in;
	struct field_errs	*fe;
	int64_t			 id;
};

static int
tx_set(struct dctx *c, void *arg)
{
	struct set	*s = arg;
	struct db_res	*r;
	int		 rc;

	s->fe->n = 0;
	c->error = NULL;
	if (db_run(c->arena, &r, sql_exists, "ii", c->shop->id, s->id) == -1)
		return ERR_INTERNAL;
	if (db_cell_i64(r, 0, 0) == 0) {
		c->error = "渠道不存在";
		return ERR_NOT_FOUND;
	}
	if ((rc = check(c, s->in, s->fe)) != 0)
		return rc;
	if (db_run(c->arena, NULL, sql_set, "ssiii",
	    channel_kind_name(s->in->kind), s->in->name, s->in->staff_id,
	    c->shop->id, s->id) == -1)
		return ERR_INTERNAL;
	return audit(c, "channel.update", "channel=%" PRId64 " kind=%s name=%s",
	    s->id, channel_kind_name(s->in->kind), s->in->name);
}

/* The scene, and so every printed code, stays what it was. */
int
channel_update(struct dctx *c, int64_t id, const struct channel_in *in,
    struct field_errs *fe)
{
	struct set	s = { in, fe, id };

	return db_tx_run(c, tx_set, &s);
}
