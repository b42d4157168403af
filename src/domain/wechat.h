/*
 * wechat.h -- WeChat for the shop's customers: the JS-SDK config of an
 * H5 page (domain/wx_jssdk.c), mini-program login and binding
 * (domain/wx_login.c), the H5 OAuth state (domain/wx_oauth.c), and the
 * signed tickets they hand out (domain/wx_sign.c).
 */
#ifndef DOMAIN_WECHAT_H
#define DOMAIN_WECHAT_H

#include "base/base.h"
#include "domain/wechat_conf.h"

struct dctx;
struct field_errs;
struct invite_join;

#define WX_TICKET_TTL	600	/* seconds a bind ticket is good for */
#define WX_STATE_TTL	600	/* seconds an OAuth state is good for */

/* wx_jssdk.c: what wx.config needs; url is the page's, without "#". */
struct wx_jssdk {
	const char	*appid;
	int64_t		 timestamp;
	char		 nonce[17];
	char		 signature[41];
};
int		 wx_jssdk_config(struct dctx *, const char *, struct wx_jssdk *);

/* wx_sign.c: signed with the shop's own key (secrets_dir). */
int		 wx_ticket_make(struct dctx *, int64_t, const char **);
int		 wx_ticket_check(struct dctx *, const char *, int64_t *);
int		 wx_state_make(struct dctx *, const char *, const char **,
		     const char **);
int		 wx_state_use(struct dctx *, const char *, const char *,
		     const char **);
int		 wx_sign_mac(struct dctx *, const char *, const char *, char *);

/* wx_login.c: who a WeChat user is to the shop, and their session. */
struct wx_login {
	int64_t		 identity_id;
	int		 bound;
	const char	*token;		/* the new session's, when bound */
	const char	*ticket;	/* the bind ticket, when not */
	const char	*name;		/* of the customer user, when bound */
	const char	*role;
};
int		 wx_login_miniapp(struct dctx *, const char *,
		     struct wx_login *);
int		 wx_login_oauth(struct dctx *, const char *, struct wx_login *);
/* One of the ways to say which customer user a WeChat user is; or, for
 * the retail mall, a new consumer of their own (domain/consumer.c). */
enum wx_bind_by { WX_BIND_PHONE_CODE, WX_BIND_INVITE, WX_BIND_PASSWORD,
	WX_BIND_CONSUMER };
struct wx_bind {
	enum wx_bind_by	 by;
	const char	*ticket;
	const char	*phone_code;	/* getPhoneNumber's (mini-program) */
	const char	*invite;	/* an invite link's token, and */
	const struct invite_join *join;	/* the account it makes */
	const char	*phone;		/* an existing account's */
	const char	*password;
	int		 bearer;	/* the session: bearer or cookie */
};
int		 wx_bind(struct dctx *, const struct wx_bind *,
		     struct wx_login *, struct field_errs *);

#endif /* DOMAIN_WECHAT_H */
