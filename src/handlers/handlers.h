/*
 * handlers.h -- the route tables of every area, for the worker, and the
 * few things handler files share (h_account.c, h_admin.c).
 */
#ifndef HANDLERS_HANDLERS_H
#define HANDLERS_HANDLERS_H

#include "http/http.h"
#include "domain/auth.h"

/* Who may open each back-office area: its route table and the menu. */
#define ADMIN_ROLES_CATALOG	"owner,admin,sales,warehouse,service"
#define ADMIN_ROLES_CUSTOMERS	"owner,admin,sales,finance,service"
#define ADMIN_ROLES_PRICES	"owner,admin,sales,finance,service"
#define ADMIN_ROLES_INQUIRIES	"owner,admin,sales,service"
#define ADMIN_ROLES_ORDERS	"owner,admin,sales,warehouse,finance"
#define ADMIN_ROLES_FINANCE	"owner,admin,sales,finance"
#define ADMIN_ROLES_JOBS	"owner,admin"
#define ADMIN_ROLES_SETTINGS	"owner,admin"
#define ADMIN_ROLES_CHANNELS	"owner,admin,sales"	/* CHANNEL_ROLES */
#define ADMIN_ROLES_NPS		"owner,admin,service,sales"	/* NPS_ROLES */
#define ADMIN_ROLES_SERVICE	"owner,admin,service,sales" /* TICKET_ROLES */
#define ADMIN_ROLES_KF		"owner,admin,service,sales"	/* KF_ROLES */

/* h_account.c: login and logout, shared by customers and staff. */
int		 h_login_form(struct ctx *, enum sess_kind);
int		 h_login_post(struct ctx *, enum sess_kind);
void		 login_retry_after(struct ctx *, const struct login_result *);
int		 h_logout(struct ctx *);
const char	*safe_next(struct ctx *, const char *);

/* h_admin.c */
json_object	*admin_view(struct ctx *, const char *);

/* h_admin_shared.c: a multipart form's file by field name, or NULL. */
const struct upload *admin_upload(struct ctx *, const char *);

/* Routes, one table per area. */
extern const struct route h_store_routes[];
extern const struct route h_account_routes[];
extern const struct route h_admin_routes[];
extern const struct route h_api_routes[];
extern const struct route h_catalog_routes[];
extern const struct route h_inquiry_routes[];
extern const struct route h_admin_catalog_routes[];	/* h_admin_catalog.c */
extern const struct route h_admin_customer_routes[];	/* h_admin_customer.c */
extern const struct route h_admin_price_routes[];	/* h_admin_price.c */
extern const struct route h_admin_inquiry_routes[];	/* h_admin_inquiry.c */
extern const struct route h_admin_settings_routes[];	/* h_admin_settings.c */
extern const struct route h_invite_routes[];		/* h_invite.c */
extern const struct route h_wechat_routes[];		/* h_wechat.c */
extern const struct route h_wechat_oauth_routes[];	/* h_wechat_oauth.c */
extern const struct route h_cart_routes[];		/* h_cart.c */
extern const struct route h_order_routes[];		/* h_order.c */
extern const struct route h_quick_routes[];		/* h_quick.c */
extern const struct route h_lists_routes[];		/* h_lists.c */
extern const struct route h_admin_order_routes[];	/* h_admin_order.c */
extern const struct route h_admin_picking_routes[];	/* h_admin_picking.c */
extern const struct route h_admin_order_new_routes[];	/* 代客下单 */
extern const struct route h_admin_order_edit_routes[];	/* …_order_edit.c */
extern const struct route h_approval_routes[];		/* h_approval.c */
extern const struct route h_admin_approval_routes[];	/* h_admin_approval.c */
extern const struct route h_wxpay_routes[];		/* h_wxpay.c */
extern const struct route h_admin_wxpay_routes[];	/* h_admin_wxpay.c */
extern const struct route h_admin_wechat_msg_routes[]; /* …wechat_msg.c */
extern const struct route h_admin_channel_routes[];	/* 渠道 */
extern const struct route h_admin_channel_report_routes[];
extern const struct route h_wechat_callback_routes[];	/* 公众号 callback */
extern const struct route h_service_routes[];		/* 售后, h_service.c */
extern const struct route h_admin_service_routes[];	/* 售后工单 */
extern const struct route h_admin_service_report_routes[]; /* 售后统计 */
extern const struct route h_kf_callback_routes[];	/* 微信客服 callback */
extern const struct route h_admin_kf_routes[];		/* 微信客服 console */
extern const struct route h_admin_kf_settings_routes[];	/* 设置 › 微信客服 */
int		 h_approval_account_view(struct ctx *, json_object *);
extern const struct route h_nps_routes[];		/* h_nps.c */
extern const struct route h_admin_nps_routes[];	/* h_admin_nps.c */
int		 h_nps_account_view(struct ctx *, json_object *);

/* h_admin_jobs.c: the back office's view of its shop's jobs. */
extern const struct route h_admin_jobs_routes[];

#endif /* HANDLERS_HANDLERS_H */
