/*
 * sanitize_int.h -- the sanitizer's state and the functions its files
 * share: sanitize.c (tags and the tree), sanitize_text.c (text and
 * character references), sanitize_attr.c (attributes). For those three
 * files only; the API is sanitize.h.
 */
#ifndef BASE_SANITIZE_INT_H
#define BASE_SANITIZE_INT_H

#include "base/base.h"

#define DEPTH_MAX	32	/* open elements; deeper tags are dropped */
#define ATTR_MAX	16	/* attributes looked at per tag */
#define URL_MAX		2048
#define ALT_MAX		500

enum tag { T_P, T_BR, T_STRONG, T_B, T_EM, T_I, T_U, T_UL, T_OL, T_LI,
	T_H3, T_H4, T_BLOCKQUOTE, T_TABLE, T_THEAD, T_TBODY, T_TR, T_TH, T_TD,
	T_IMG, T_A, T_NONE };

struct attr {
	const char	*name;
	size_t		 nlen;
	const char	*val;
	size_t		 vlen;
};

struct san {
	const char	*p;
	const char	*end;
	struct buf	*out;
	enum tag	 stack[DEPTH_MAX];
	int		 depth;
	char		 skip[16];	/* tree_drop element being skipped */
	int		 skip_depth;
	struct attr	 attrs[ATTR_MAX];
	int		 nattrs;
};

static inline int
san_is_ws(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' ||
	    ch == '\r';
}

static inline int
san_is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* sanitize_text.c */
size_t		 san_utf8_seq(const char *, const char *);
int		 san_cp_ok(uint32_t);
void		 san_put_utf8(struct buf *, uint32_t);
size_t		 san_numeric_ref(const char *, const char *, uint32_t *);
void		 san_text(struct san *);

/* sanitize_attr.c */
int		 san_attributes(struct san *, int *);
void		 san_emit_img(struct san *);
void		 san_emit_attrs(struct san *, enum tag);

#endif /* BASE_SANITIZE_INT_H */
