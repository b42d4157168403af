/*
 * kf.h -- 微信客服 (WeChat customer service, through WeCom) for a shop:
 * its settings and API calls (kf_conf.c, kf_api.c), accounts and contact
 * links (kf_account.c), the callback (kf_callback.c), the pull job
 * (kf_sync.c), the conversations (kf_conv.c) and replies (kf_send.c).
 * docs/wechat-kf.md; protocol facts in wechat-protocols.md §11.
 * Strings returned live in the caller's arena.
 */
#ifndef DOMAIN_KF_H
#define DOMAIN_KF_H

#include "base/base.h"
#include "services/job.h"

struct dctx;
struct field_errs;
struct wxapi_result;

#define KF_ROLES		"owner,admin,service,sales"	/* sales: own */
#define KF_SETTINGS_ROLES	"owner,admin"
#define KF_PER_PAGE		20
#define KF_WINDOW_S		(48 * 3600)	/* §11.7 */
#define KF_WINDOW_MSGS		5
#define KF_TEXT_MAX		2048		/* bytes, §11.7 */
#define KF_PULL_KIND		"kf.pull"

/* The secrets, files under secrets_dir/<shop_id>/ (domain/secret.c). */
#define SECRET_KF_SECRET	"kf_secret"	/* the self-built app's Secret */
#define SECRET_KF_TOKEN		"kf_token"	/* callback Token */
#define SECRET_KF_AES_KEY	"kf_aes_key"	/* callback EncodingAESKey */

/* kf_conf.c */
struct kf_conf {
	const char	*corp_id;	/* "" when not set */
	int		 has_secret;
	int		 has_token;
	int		 has_aes_key;
};
int		 kf_conf_get(struct dctx *, struct kf_conf *);
/* NULL or "" for a secret: keep the stored one. */
struct kf_conf_in {
	const char	*corp_id;
	const char	*secret;
	const char	*token;
	const char	*aes_key;
};
int		 kf_conf_save(struct dctx *, const struct kf_conf_in *,
		     struct field_errs *);

/* kf_api.c: POST {wecom_api_base}/cgi-bin/<name>?access_token= with the
 * shop's token (cached in wx_token, one retry after 40014/42001). */
int		 kf_api(struct dctx *, const char *, json_object *,
		     json_object **, struct wxapi_result *);
int		 kf_api_upload(struct dctx *, const char *, const void *,
		     size_t, const char **, struct wxapi_result *);

/* kf_account.c */
struct kf_account {
	int64_t		 id;
	const char	*open_kfid;
	const char	*name;
	int		 manage;
	int		 listed;
};
struct kf_contact {
	int64_t		 id;
	int64_t		 account_id;
	const char	*account_name;
	const char	*scene;
	const char	*label;
	const char	*url;
};
int		 kf_accounts_sync(struct dctx *, int *);
int		 kf_accounts_get(struct dctx *, struct kf_account **, int *);
int		 kf_contacts_get(struct dctx *, struct kf_contact **, int *);
int		 kf_contact_get(struct dctx *, int64_t, struct kf_contact *);
int		 kf_contact_add(struct dctx *, int64_t, const char *,
		     const char *, struct field_errs *, int64_t *);
int		 kf_scene_valid(const char *);

/* kf_callback.c: GET verifies the URL (*echo: the decrypted echostr),
 * POST wakes the account's puller. */
struct kf_query {
	const char	*msg_signature;
	const char	*timestamp;
	const char	*nonce;
	const char	*echostr;
};
int		 kf_cb_verify(struct dctx *, const struct kf_query *,
		     const char **);
int		 kf_cb_receive(struct dctx *, const struct kf_query *,
		     const char *, size_t);

/* kf_sync.c: the kf.pull job, {"open_kfid"} for the job's shop. */
int		 task_kf_pull(struct arena *, const struct job *,
		     const char **);
int		 task_kf_sweep(struct arena *, const struct job *,
		     const char **);

/* kf_conv.c */
struct kf_filter {
	const char	*state;		/* "", "open", "closed" */
	int64_t		 account_id;	/* 0: any */
	int		 linked;	/* -1 any, 0 not linked, 1 linked */
	const char	*scene;		/* "": any */
	int64_t		 page;
};
struct kf_conv {
	int64_t		 id;
	const char	*open_kfid;
	const char	*account_name;
	const char	*external_userid;
	const char	*nickname;
	int64_t		 customer_user_id;	/* 0: not linked */
	const char	*user_name;
	const char	*user_phone;
	const char	*company;
	const char	*linked_by;
	const char	*scene;
	const char	*scene_label;		/* the contact link's, or "" */
	int		 channels_scene;
	const char	*state;
	int64_t		 last_msg_at;
	int64_t		 last_customer_at;
	int64_t		 sent_since;
	int		 rejected;
	int64_t		 ticket_id;		/* 0: none */
	int		 ticket_asked;		/* kf_ticket_request row */
	const char	*preview;		/* newest message, short */
};
struct kf_msg {
	int64_t		 id;
	int		 origin;	/* 0 ours, 3 customer, 4 event, 5 servicer */
	const char	*msgtype;
	const char	*event_type;
	int64_t		 send_time;
	const char	*body;		/* JSON object text */
	const char	*status;
	int64_t		 errcode;
	int		 recalled;
	const char	*staff_name;
	const char	*image_thumb;	/* ours, under uploads_dir; NULL */
};
struct kf_window {
	int		 open;
	int64_t		 until;		/* unix seconds */
	int64_t		 left;		/* messages */
	const char	*why;		/* when closed */
};
int		 kf_convs_list(struct dctx *, const struct kf_filter *,
		     struct kf_conv **, int *, int64_t *);
int		 kf_conv_get(struct dctx *, int64_t, struct kf_conv *);
int		 kf_conv_msgs(struct dctx *, int64_t, struct kf_msg **, int *);
void		 kf_window_of(const struct kf_conv *, int64_t,
		     struct kf_window *);
int		 kf_conv_link(struct dctx *, int64_t, int64_t);
int		 kf_conv_set_state(struct dctx *, int64_t, const char *);
struct kf_pick {
	int64_t		 id;
	const char	*name;
	const char	*sub;
};
int		 kf_users_find(struct dctx *, const char *, struct kf_pick **,
		     int *);
int		 kf_products_find(struct dctx *, const char *,
		     struct kf_pick **, int *);
const char	*kf_channels_label(int);

/* kf_send.c */
enum kf_reply_kind { KF_REPLY_TEXT, KF_REPLY_IMAGE, KF_REPLY_LINK,
	KF_REPLY_MINIPROGRAM };
struct kf_reply {
	enum kf_reply_kind kind;
	const char	*text;
	const void	*image;		/* KF_REPLY_IMAGE: the upload */
	size_t		 image_len;
	int64_t		 product_id;	/* LINK, MINIPROGRAM */
	const char	*shop_url;	/* LINK: absolute, with /s/<slug> */
};
int		 kf_reply_send(struct dctx *, int64_t, const struct kf_reply *);

#endif /* DOMAIN_KF_H */
