/*
 * qr.c -- QR codes with libqrencode, drawn two ways: an SVG (one path of
 * horizontal runs, a few kilobytes for a link, crisp at any size) and a
 * PNG (8-bit grey, scaled, deflated with zlib) for where only a raster
 * will do: WeChat's long-press "save / send to a friend" works on an
 * <img>, not on inline SVG. Error correction M (15 %): a phone screen or
 * a print, not a damaged label. Pure computation: no files, no network.
 */
#include "base/base.h"
#include "base/qr.h"

#include <qrencode.h>
#include <zlib.h>

/* The modules of text, 8-bit mode (a URL is ASCII; UTF-8 passes as
 * bytes). 0, or -1 when text is empty, too long or libqrencode fails. */
int
qr_encode(struct arena *a, const char *text, struct qr *out)
{
	QRcode	*q;
	size_t	 i, n;

	memset(out, 0, sizeof(*out));
	if (text == NULL || *text == '\0' || strlen(text) > QR_TEXT_MAX)
		return -1;
	if ((q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M)) == NULL)
		return -1;
	n = (size_t)q->width * (size_t)q->width;
	out->width = q->width;
	out->dark = arena_alloc(a, n);
	for (i = 0; i < n; i++)
		out->dark[i] = q->data[i] & 1;
	QRcode_free(q);
	return 0;
}

/* An SVG in module units, margin included; sized by its container. */
char *
qr_svg(struct arena *a, const struct qr *q)
{
	struct buf	 b;
	char		*out;
	int		 x, y, run, side = q->width + 2 * QR_MARGIN;

	buf_init(&b, 4096);
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
	    "%d %d\" shape-rendering=\"crispEdges\"><rect width=\"%d\" "
	    "height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", side,
	    side, side, side);
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x += run > 0 ? run : 1) {
			for (run = 0; x + run < q->width &&
			    q->dark[y * q->width + x + run]; run++)
				;
			if (run > 0)
				buf_printf(&b, "M%d %dh%dv1h-%dz",
				    x + QR_MARGIN, y + QR_MARGIN, run, run);
		}
	buf_adds(&b, "\"/></svg>");
	out = arena_strndup(a, b.p, b.len);
	buf_free(&b);
	return out;
}

static void
be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* One PNG chunk: length, type, data, CRC over type and data. */
static void
chunk(struct buf *b, const char *type, const unsigned char *data,
    size_t len)
{
	unsigned char	n[4];
	uLong		crc;

	be32(n, (uint32_t)len);
	buf_add(b, n, 4);
	buf_add(b, type, 4);
	if (len > 0)
		buf_add(b, data, len);
	crc = crc32(0, (const Bytef *)type, 4);
	if (len > 0)		/* crc32(crc, NULL, 0) starts over: 0 */
		crc = crc32(crc, data, (uInt)len);
	be32(n, (uint32_t)crc);
	buf_add(b, n, 4);
}

/*
 * A PNG, scale pixels per module (1-32), margin included. 0 with the
 * bytes in *png and their count in *len (arena memory), or -1.
 */
int
qr_png(struct arena *a, const struct qr *q, int scale, unsigned char **png,
    size_t *len)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n' };
	unsigned char	 ihdr[13], *raw, *row, *z;
	struct buf	 b;
	size_t		 side, stride, x, y;
	uLongf		 zlen;
	int		 m;

	if (q->width <= 0 || scale < 1 || scale > 32)
		return -1;
	side = (size_t)(q->width + 2 * QR_MARGIN) * (size_t)scale;
	stride = side + 1;			/* a filter byte per row */
	raw = arena_alloc(a, stride * side);
	for (y = 0; y < side; y++) {
		row = raw + y * stride;
		row[0] = 0;			/* filter: none */
		for (x = 0; x < side; x++) {
			int mx = (int)(x / (size_t)scale) - QR_MARGIN;
			int my = (int)(y / (size_t)scale) - QR_MARGIN;

			m = mx >= 0 && my >= 0 && mx < q->width &&
			    my < q->width && q->dark[my * q->width + mx];
			row[1 + x] = m ? 0x00 : 0xff;
		}
	}
	zlen = compressBound((uLong)(stride * side));
	z = arena_alloc(a, zlen);
	if (compress2(z, &zlen, raw, (uLong)(stride * side), 9) != Z_OK)
		return -1;
	be32(ihdr, (uint32_t)side);
	be32(ihdr + 4, (uint32_t)side);
	ihdr[8] = 8;		/* bit depth */
	ihdr[9] = 0;		/* greyscale */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	buf_init(&b, zlen + 64);
	buf_add(&b, sig, sizeof(sig));
	chunk(&b, "IHDR", ihdr, sizeof(ihdr));
	chunk(&b, "IDAT", z, zlen);
	chunk(&b, "IEND", NULL, 0);
	*png = arena_alloc(a, b.len);
	memcpy(*png, b.p, b.len);
	*len = b.len;
	buf_free(&b);
	return 0;
}

/* Standard base64 with padding, for data: URIs. */
char *
base64_encode(struct arena *a, const void *data, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = data;
	char			*out = arena_alloc(a, (len + 2) / 3 * 4 + 1), *o;
	size_t			 i;
	uint32_t		 v;

	for (i = 0, o = out; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
		*o++ = tab[v & 63];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 :
		    0);
		*o++ = tab[v >> 18];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < len ? tab[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}
