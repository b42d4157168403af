/*
 * h_admin.c -- the back office: staff login and the dashboard shell with
 * the shop's headline numbers and the navigation.
 */
#include "base/base.h"
#include "domain/payment.h"
#include "domain/auth.h"
#include "domain/session.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "domain/dashboard.h"
#include "handlers/h_signup.h"

static int
h_admin_login_form(struct ctx *c)
{
	return h_login_form(c, SESS_STAFF);
}

static int
h_admin_login(struct ctx *c)
{
	return h_login_post(c, SESS_STAFF);
}

/* Notices after a change, by the ?done= key a handler redirects with;
 * fixed texts, so a crafted link cannot put words in the shop's mouth. */
static const char *const notices[][2] = {
	{ "saved", "已保存" }, { "created", "已创建" }, { "deleted", "已删除" },
	{ "imported", "导入完成" }, { "answered", "已回复" },
	{ "assigned", "已分配" }, { "invited", "邀请链接已生成" },
	{ "requeued", "已重新排队，稍后运行" },
	{ "order_confirm", "订单已确认" }, { "order_ship", "已发货" },
	{ "order_receive", "已确认收货" }, { "order_complete", "订单已完成" },
	{ "order_cancel", "订单已取消，库存已释放" },
	{ "order_placed", "已代客下单，订单已提交" },
	{ "payment_confirm", "付款已确认，已计入客户账户" },
	{ "payment_reject", "付款已驳回，客户会看到原因" },
	{ "ledger_adjust", "已记入客户账户" },
};

/*
 * A back-office view: marks the navigation entry of its section and
 * carries a one-time notice ("flash") after a change.
 */
json_object *
admin_view(struct ctx *c, const char *section)
{
	static const char *const areas[][2] = {
		{ "products", ADMIN_ROLES_CATALOG },
		{ "categories", ADMIN_ROLES_CATALOG },
		{ "customers", ADMIN_ROLES_CUSTOMERS },
		{ "prices", ADMIN_ROLES_PRICES },
		{ "inquiries", ADMIN_ROLES_INQUIRIES },
		{ "service", ADMIN_ROLES_SERVICE },
		{ "orders", ADMIN_ROLES_ORDERS },
		{ "finance", ADMIN_ROLES_FINANCE },
		{ "jobs", ADMIN_ROLES_JOBS },
		{ "channels", ADMIN_ROLES_CHANNELS },
		{ "nps", ADMIN_ROLES_NPS },
		{ "kf", ADMIN_ROLES_KF },
		{ "settings", ADMIN_ROLES_SETTINGS },
	};
	json_object	*v = view_new(c), *nav = json_object_new_object();
	json_object	*may = json_object_new_object();
	size_t		 i;

	view_set_bool(nav, section, 1);
	json_object_object_add(v, "nav", nav);
	/* The menu shows only the areas the staff member's role may open. */
	for (i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		view_set_bool(may, areas[i][0], session_staff_role(&c->d.sess,
		    areas[i][1]));
	json_object_object_add(v, "may", may);
	view_set_str(v, "flash", REQ_NOTICE(c, notices));
	return v;
}

/* One thing to do on the dashboard, when there is any and it may be done. */
static void
todo_add(struct ctx *c, json_object *a, int64_t n, const char *roles,
    const char *label, const char *path)
{
	json_object	*o;

	if (n <= 0 || !session_staff_role(&c->d.sess, roles))
		return;
	o = json_object_new_object();
	view_set_i64(o, "count", n);
	view_set_str(o, "label", label);
	view_set_str(o, "url", ctx_link(c, path));
	json_object_array_add(a, o);
}

static int
h_admin_dashboard(struct ctx *c)
{
	struct dashboard d;
	json_object	*v, *stats, *todo;
	int		 rc;

	if ((rc = dashboard_counts(&c->d, &d)) != 0)
		return http_fail(c, rc, NULL);
	v = admin_view(c, "dashboard");
	stats = json_object_new_object();
	view_set_i64(stats, "customers", d.customers);
	view_set_i64(stats, "customer_users", d.customer_users);
	view_set_i64(stats, "staff", d.staff);
	view_set_i64(stats, "new_users_30d", d.new_users_30d);
	json_object_object_add(v, "stats", stats);
	todo = json_object_new_array();
	todo_add(c, todo, d.orders_to_confirm, ADMIN_ROLES_ORDERS,
	    "个待确认订单", "/admin/orders?state=submitted");
	todo_add(c, todo, d.payments_to_confirm, PAYMENT_DECIDE_ROLES,
	    "笔付款待确认到账", "/admin/finance/payments?state=pending");
	todo_add(c, todo, d.my_open_inquiries, ADMIN_ROLES_INQUIRIES,
	    "条询价分配给您，待回复", "/admin/inquiries?status=open&mine=1");
	todo_add(c, todo, d.open_inquiries - d.my_open_inquiries,
	    ADMIN_ROLES_INQUIRIES, d.my_open_inquiries > 0 ? "条其他询价待回复" :
	    "条询价待回复", "/admin/inquiries?status=open");
	todo_add(c, todo, d.new_customers_7d, ADMIN_ROLES_CUSTOMERS,
	    "家新客户（近 7 天）", "/admin/customers");
	todo_add(c, todo, d.failed_jobs, ADMIN_ROLES_JOBS, "个后台任务失败",
	    "/admin/jobs");
	todo_add(c, todo, d.pending_dealers, SIGNUP_ROLES_REVIEW,
	    "份经销商申请待审核", "/admin/customers/applications?status=pending");
	view_set_bool(v, "no_todo", json_object_array_length(todo) == 0);
	json_object_object_add(v, "todo", todo);
	view_set_str(v, "name", c->d.sess.name);
	view_set_str(v, "role_label", role_label(c->d.sess.role));
	c->title = "管理后台";
	return render(c, "admin/dashboard");
}

const struct route h_admin_routes[] = {
	{ "GET", "^/admin/login$", h_admin_login_form, 0, NULL },
	{ "POST", "^/admin/login$", h_admin_login, ROUTE_CSRF, NULL },
	{ "POST", "^/admin/logout$", h_logout, ROUTE_CSRF, NULL },
	{ "GET", "^/admin/?$", h_admin_dashboard, ROUTE_STAFF, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
