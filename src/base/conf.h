/*
 * conf.h -- the configuration: one table row per key (base/conf.c).
 */
#ifndef BASE_CONF_H
#define BASE_CONF_H

#include "base/base.h"

/* conf.c: one table row per key; see conf_table in conf.c. */
struct conf {
	char	*listen;
	int64_t	 listen_mode;
	char	*fastcgi_allow;
	int64_t	 workers;
	int64_t	 backlog;
	int64_t	 max_requests;
	int64_t	 request_timeout;
	char	*pid_file;
	char	*error_log;
	char	*access_log;
	int64_t	 log_debug;
	char	*db_host;
	int64_t	 db_port;
	char	*db_socket;
	char	*db_user;
	char	*db_password;
	char	*db_name;
	char	*templates_dir;
	char	*sql_dir;
	char	*uploads_dir;
	char	*private_dir;
	char	*image_helper;
	char	*default_shop;
	char	*shared_host;
	int64_t	 max_body;
	int64_t	 max_upload;
	int64_t	 session_ttl;
	int64_t	 login_max_failures;
	int64_t	 login_max_failures_ip;
	int64_t	 login_delay;
	int64_t	 login_window;
	int64_t	 pwhash_memlimit;
	int64_t	 pwhash_opslimit;
	int64_t	 job_runners;
	int64_t	 job_lease;
	int64_t	 job_test_kinds;
	int64_t	 check_views;
	int64_t	 catalog_cache_bytes;
	char	*secrets_dir;
	char	*wechat_api_base;
	char	*wechat_open_base;
	char	*wechat_mp_base;
	char	*wechat_pay_base;
	char	*wecom_api_base;
	char	*wechat_ca_file;
	int64_t	 wechat_timeout;
	char	*sms_url;
	char	*sms_token;
};
extern struct conf conf;
int		 conf_load(const char *, struct conf *, struct buf *);
void		 conf_free(struct conf *);
void		 conf_sample(struct buf *);
void		 conf_dump(const struct conf *, struct buf *);
int		 conf_inside(const char *, const char *);

#endif /* BASE_CONF_H */
