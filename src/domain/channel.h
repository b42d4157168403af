/*
 * channel.h -- 渠道 (先线下后线上): where a visitor came from, a packaging
 * batch, an exhibition, a salesperson or a poster, each with printable
 * codes that carry its scene (domain/channel.c, channel_code.c); the
 * visits and first touches they brought (channel_attr.c) and the weekly
 * report (channel_report.c). docs/wechat-channels.md.
 */
#ifndef DOMAIN_CHANNEL_H
#define DOMAIN_CHANNEL_H

#include "base/base.h"

struct dctx;
struct field_errs;

#define CHANNEL_ROLES		"owner,admin,sales"
#define CHANNEL_SCENE_MAX	32	/* wxacode's limit; [A-Za-z0-9_-] */
#define CHANNEL_SCENE_LEN	10	/* what channel_create generates */
#define CHANNEL_NAME_MAX	100	/* characters */
#define CHANNEL_COOKIE		"dh_ch"
#define CHANNEL_COOKIE_TTL	(180 * 86400)	/* the first touch, kept */
#define CHANNEL_WXACODE_MAX	(2 * 1024 * 1024)

enum channel_kind { CH_PACKAGE, CH_EXHIBITION, CH_SALES, CH_POSTER };
#define CH_KINDS	4
enum channel_source { CH_SRC_H5, CH_SRC_MINIAPP, CH_SRC_MP };

struct channel {
	int64_t		 id;
	enum channel_kind kind;
	const char	*name;
	int64_t		 staff_id;	/* 0: none */
	const char	*staff_name;	/* NULL: none */
	const char	*scene;
	const char	*mp_ticket;	/* NULL until created */
	const char	*mp_url;
	const char	*wxacode_path;	/* under private_dir; NULL */
	const char	*created;	/* China time, "YYYY-MM-DD HH:MM" */
};

struct channel_in {
	enum channel_kind kind;
	const char	*name;
	int64_t		 staff_id;	/* 0: none */
};

struct channel_staff {
	int64_t		 id;
	const char	*name;
};

/* channel.c */
const char	*channel_kind_name(enum channel_kind);
const char	*channel_kind_label(enum channel_kind);
int		 channel_kind_parse(const char *, enum channel_kind *);
int		 channel_scene_valid(const char *);
int		 channel_create(struct dctx *, const struct channel_in *,
		     int64_t *, struct field_errs *);
int		 channel_update(struct dctx *, int64_t,
		     const struct channel_in *, struct field_errs *);
int		 channel_get(struct dctx *, int64_t, struct channel *);
int		 channel_list(struct dctx *, int64_t, int, struct channel **,
		     int *, int64_t *);
int		 channel_staff_list(struct dctx *, struct channel_staff **,
		     int *);

/* channel_code.c: the WeChat codes, each asked for once and kept. */
int		 channel_mp_qr(struct dctx *, int64_t, struct channel *);
int		 channel_wxacode(struct dctx *, int64_t, struct channel *);
int		 channel_wxacode_read(struct dctx *, int64_t, struct buf *);
char		*channel_showqrcode(struct arena *, const char *);

/* channel_attr.c: visits and first touches. */
int		 channel_by_scene(struct dctx *, const char *, int64_t *);
int		 channel_visit(struct dctx *, int64_t, const char *,
		     enum channel_source);
int		 channel_session_attr(struct dctx *);
int		 channel_identity_attr(struct dctx *, int64_t, int64_t);
int		 channel_user_attr(struct dctx *, int64_t);
int		 channel_first_order(struct dctx *, int64_t, int64_t);
int		 channel_mp_scan(struct dctx *, const char *, const char *,
		     const char *);

/* channel_report.c: per channel and China week (Monday first). */
struct channel_week {
	int64_t		 channel_id;
	const char	*channel;	/* its name */
	const char	*week;		/* the Monday, "YYYY-MM-DD" */
	int64_t		 visitors;	/* unique per day, summed */
	int64_t		 registrations;	/* dealer applications */
	int64_t		 bindings;	/* WeChat identities bound */
	int64_t		 first_orders;
	int64_t		 gmv_fen;	/* of the first orders */
};
int		 channel_report(struct dctx *, const char *, const char *,
		     struct channel_week **, int *);

#endif /* DOMAIN_CHANNEL_H */
