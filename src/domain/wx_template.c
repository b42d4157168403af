/*
 * wx_template.c -- which WeChat template a shop uses for each event: a
 * mini-program subscribe message or an official-account template
 * message, its id as the WeChat back office shows it, and its fields as
 * "key={placeholder}" lines (the keys are the template's: thing1,
 * character_string2, amount3, time4, ...; the placeholders are ours,
 * below). Owner and admin set them on 设置 › 微信消息.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/audit.h"
#include "domain/customer.h"
#include "domain/dctx.h"
#include "domain/session.h"
#include "domain/wx_message.h"

/* The events: the notification kinds (notify.c) a message can carry. */
static const char *const events[][2] = {
	{ "placed", "订单已提交" },
	{ "submitted", "有订单待审批（发给审批人）" },
	{ "approved", "订单审批通过" },
	{ "rejected", "订单被驳回" },
	{ "changed", "商家调整了订单" },
	{ "shipped", "订单已发货" },
	{ "released", "订单超时自动取消" },
	{ "payment_confirmed", "付款已确认到账" },
	{ "payment_rejected", "付款被驳回" },
	{ "invoice_issued", "发票已开具" },
	{ "invoice_rejected", "开票申请被驳回" },
	{ "inquiry_answered", "询价已回复" },
	{ "ticket_replied", "售后工单有新回复" },
	{ "statement_ready", "对账单已出（发给财务）" },
	{ "nps_survey", "满意度问卷（NPS，页面可用 {link}）" },
};
#define NEVENTS	((int)(sizeof(events) / sizeof(events[0])))

/* What a field may say: {title} and the rest (wx_message.c fills them). */
static const char *const placeholders[] = {
	"title", "body", "order_no", "amount", "time", "shop", "link"
};

int
wx_event_count(void)
{
	return NEVENTS;
}

const char *
wx_event_name(int i)
{
	return i >= 0 && i < NEVENTS ? events[i][0] : NULL;
}

const char *
wx_event_label(int i)
{
	return i >= 0 && i < NEVENTS ? events[i][1] : NULL;
}

int
wx_event_find(const char *name)
{
	int	i;

	for (i = 0; name != NULL && i < NEVENTS; i++)
		if (strcmp(events[i][0], name) == 0)
			return i;
	return -1;
}

static const char sql_get[] =
    "SELECT event, app, template_id, fields, page, enabled FROM wx_template "
    "WHERE shop_id = ? ORDER BY event, app";
static const char sql_save[] =
    "INSERT INTO wx_template (shop_id, event, app, template_id, fields, "
    "page, enabled) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "template_id = VALUES(template_id), fields = VALUES(fields), "
    "page = VALUES(page), enabled = VALUES(enabled)";
static const char sql_drop[] =
    "DELETE FROM wx_template WHERE shop_id = ? AND event = ? AND app = ?";

int
wx_templates_get(struct dctx *c, struct wx_template **out, int *n)
{
	struct db_res	*r;
	int		 i;

	if (db_run(c->arena, &r, sql_get, "i", c->shop->id) == -1)
		return ERR_INTERNAL;
	*n = r->nrows;
	*out = arena_calloc(c->arena, (size_t)r->nrows + 1, sizeof(**out));
	for (i = 0; i < r->nrows; i++) {
		(*out)[i].event = db_cell(r, i, 0);
		(*out)[i].app = strcmp(db_cell(r, i, 1), "miniapp") == 0 ?
		    WX_MINIAPP : WX_MP;
		(*out)[i].template_id = db_cell(r, i, 2);
		(*out)[i].fields = db_cell(r, i, 3);
		(*out)[i].page = db_cell(r, i, 4);
		(*out)[i].enabled = db_cell_i64(r, i, 5) != 0;
	}
	return 0;
}

static int
key_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

/* Every {name} in v one of ours; NULL, or why not. */
static const char *
value_why(struct arena *a, const char *v)
{
	const char	*p = v, *e;
	size_t		 i, n;

	while ((p = strchr(p, '{')) != NULL) {
		if ((e = strchr(p, '}')) == NULL)
			return "少了 }";
		n = (size_t)(e - p - 1);
		for (i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]);
		    i++)
			if (strlen(placeholders[i]) == n &&
			    strncmp(placeholders[i], p + 1, n) == 0)
				break;
		if (i == sizeof(placeholders) / sizeof(placeholders[0]))
			return arena_printf(a, "没有 {%.*s} 这个内容", (int)n,
			    p + 1);
		p = e + 1;
	}
	return NULL;
}

/* The fields text: 1..10 lines of key=value; NULL, or why not. */
static const char *
fields_why(struct arena *a, const char *f)
{
	const char	*p = f, *nl, *eq, *why;
	char		*v;
	int		 lines = 0;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (nl > p && !(nl - p == 1 && *p == '\r')) {
			eq = memchr(p, '=', (size_t)(nl - p));
			if (eq == NULL || !key_ok(p, (size_t)(eq - p)))
				return arena_printf(a, "第 %d 行应为 字段名="
				    "内容，如 thing1={title}", lines + 1);
			v = arena_strndup(a, eq + 1, (size_t)(nl - eq - 1));
			if ((why = value_why(a, v)) != NULL)
				return arena_printf(a, "第 %d 行：%s",
				    lines + 1, why);
			lines++;
		}
		p = *nl ? nl + 1 : nl;
	}
	if (lines == 0)
		return "请至少写一个字段，如 thing1={title}";
	if (lines > 10)
		return "最多 10 个字段";
	return NULL;
}

struct save {
	const struct wx_template *t;
};

static int
tx_save(struct dctx *c, void *arg)
{
	const struct wx_template	*t = ((struct save *)arg)->t;
	const char			*app = t->app == WX_MINIAPP ? "miniapp" :
					    "mp";

	if (db_run(c->arena, NULL, sql_save, "isssssi", c->shop->id, t->event,
	    app, t->template_id, t->fields, t->page, (int64_t)t->enabled) == -1)
		return ERR_INTERNAL;
	return audit(c, "wechat.template", "event=%s app=%s template=%s "
	    "enabled=%d", t->event, app, t->template_id, t->enabled) != 0 ?
	    ERR_INTERNAL : 0;
}

static int
may(struct dctx *c)
{
	if (c->sess.kind == SESS_STAFF &&
	    session_staff_role(&c->sess, WX_MESSAGE_ROLES))
		return 1;
	c->error = "只有店主和管理员可以设置微信消息";
	return 0;
}

/* Save a template for an event and app: ERR_INVALID with fe filled. */
int
wx_template_save(struct dctx *c, const struct wx_template *t,
    struct field_errs *fe)
{
	struct save	 s = { t };
	const char	*p, *why;

	if (!may(c))
		return ERR_FORBIDDEN;
	if (wx_event_find(t->event) < 0)
		field_errs_add(fe, "event", "事件", "请选择一个事件");
	for (p = t->template_id; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-'))
			break;
	if (*t->template_id == '\0' || *p != '\0' ||
	    strlen(t->template_id) > 64)
		field_errs_add(fe, "template_id", "模板 ID",
		    "请从微信后台复制模板 ID（字母、数字、_ 和 -）");
	if ((why = fields_why(c->arena, t->fields)) != NULL)
		field_errs_add(fe, "fields", "字段", why);
	if (utf8_len(t->page) > 200 || strchr(t->page, ' ') != NULL)
		field_errs_add(fe, "page", "打开页面", "最多 200 个字符，不含空格");
	if (fe->n > 0) {
		c->error = "请按提示修改后再保存";
		return ERR_INVALID;
	}
	return db_tx_run(c, tx_save, &s);
}

static int
tx_drop(struct dctx *c, void *arg)
{
	const struct wx_template	*t = arg;

	if (db_run(c->arena, NULL, sql_drop, "iss", c->shop->id, t->event,
	    t->app == WX_MINIAPP ? "miniapp" : "mp") == -1)
		return ERR_INTERNAL;
	return audit(c, "wechat.template_drop", "event=%s", t->event) != 0 ?
	    ERR_INTERNAL : 0;
}

int
wx_template_drop(struct dctx *c, const char *event, enum wx_app app)
{
	struct wx_template	t = { event, app, "", "", "", 0 };

	if (!may(c))
		return ERR_FORBIDDEN;
	return db_tx_run(c, tx_drop, &t);
}
