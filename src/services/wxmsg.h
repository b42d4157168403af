/*
 * wxmsg.h -- the official account's server messages (wechat-protocols.md
 * §6): the SHA-1 signatures, safe mode's AES-256-CBC (§6.3) and the flat
 * XML WeChat posts (services/wxmsg.c). Pure: no keys kept, no business,
 * no database. Parsed strings live in the caller's arena.
 */
#ifndef SERVICES_WXMSG_H
#define SERVICES_WXMSG_H

#include "base/base.h"

#define WXMSG_MAX	(64 * 1024)	/* bytes of XML, either way */
#define WXMSG_AES_KEY_LEN 43		/* EncodingAESKey, characters */

/* hex SHA-1 of the n strings sorted and joined (§6.1, §6.3): out[41]. */
void		 wxmsg_sign(const char *const *, int, char *);
/* Does sig sign token, timestamp, nonce (and encrypt, if not NULL)?
 * Compared in constant time; 0 for a missing value. */
int		 wxmsg_sig_ok(const char *, const char *, const char *,
		     const char *, const char *);
/* EncodingAESKey (43 characters) into the 32-byte key: 0, or -1. */
int		 wxmsg_aes_key(const char *, unsigned char *);
/*
 * Safe mode: the Encrypt value (base64) for receiveid appid into msg
 * (appended, NUL-terminated): 0, or -1 with *why (padding outside 1-32,
 * a length that does not fit, another appid, bad base64 or block size).
 */
int		 wxmsg_decrypt(const unsigned char *, const char *,
		     const char *, struct buf *, const char **);
/* The other way (replies, tests): random is 16 bytes. */
int		 wxmsg_encrypt(const unsigned char *, const unsigned char *,
		     const char *, size_t, const char *, struct buf *);

/* The fields of one message (NULL when absent). */
struct wxmsg {
	const char	*to;		/* ToUserName */
	const char	*from;		/* FromUserName: the openid */
	const char	*create_time;
	const char	*msg_type;
	const char	*event;
	const char	*event_key;
	const char	*ticket;
	const char	*msg_id;
	const char	*encrypt;	/* safe mode's envelope */
	const char	*token;		/* 微信客服: sync_msg's Token (§11.4) */
	const char	*open_kfid;	/* 微信客服: OpenKfId */
};
/* <xml><Name>text or CDATA</Name>...</xml>: 0, or -1 (not such XML, a
 * DOCTYPE or entity declaration, over WXMSG_MAX). */
int		 wxmsg_parse(struct arena *, const char *, size_t,
		     struct wxmsg *);

#endif /* SERVICES_WXMSG_H */
