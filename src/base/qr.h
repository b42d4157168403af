/*
 * qr.h -- QR codes (base/qr.c, libqrencode): an invitation link, and
 * later channel codes, as an SVG or a PNG that a phone shows or saves.
 */
#ifndef BASE_QR_H
#define BASE_QR_H

#include "base/base.h"

#define QR_TEXT_MAX	1024	/* bytes: a URL, not a document */
#define QR_MARGIN	4	/* modules of quiet zone, as the standard asks */

struct qr {
	int		 width;		/* modules per side, no margin */
	unsigned char	*dark;		/* width * width, 1 = dark */
};

int		 qr_encode(struct arena *, const char *, struct qr *);
char		*qr_svg(struct arena *, const struct qr *);
int		 qr_png(struct arena *, const struct qr *, int, unsigned char **,
		     size_t *);
char		*base64_encode(struct arena *, const void *, size_t);

#endif /* BASE_QR_H */
