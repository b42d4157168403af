/*
 * image.c -- product images as staff upload them. The type is read from
 * the bytes (JPEG, PNG, WebP), never from the file name or the declared
 * type; the size is read from the header before anything is decoded, so
 * a small file cannot claim a huge canvas. libgd decodes it; we write it
 * again (which drops EXIF, GPS and comments; a JPEG's rotation is applied
 * first) and make a JPEG thumbnail 400 px wide. Files land in
 * uploads_dir/<shop_id>/<random>.<ext> by temp file and rename, so nginx
 * never serves half a file. No HTTP, no SQL: the caller records the paths.
 */
#include "dinghuo.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include <gd.h>

#define QUALITY_ORIG	90
#define QUALITY_THUMB	80
#define THUMB_H_MAX	2000	/* a 1 px wide banner must not make a tower */

enum itype { IT_JPEG, IT_PNG, IT_WEBP };

static const struct {
	const char	*name;
	const char	*ext;
} itypes[] = {
	[IT_JPEG] = { "jpeg", "jpg" },
	[IT_PNG] = { "png", "png" },
	[IT_WEBP] = { "webp", "webp" },
};

static uint32_t
be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
le16(const unsigned char *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t
le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | le24(p);
}

static int
type_of(const unsigned char *p, size_t len)
{
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return IT_JPEG;
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return IT_PNG;
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return IT_WEBP;
	return -1;
}

/* "jpeg", "png", "webp" by the magic bytes, or NULL. */
const char *
image_type(const void *data, size_t len)
{
	int	t = type_of(data, len);

	return t == -1 ? NULL : itypes[t].name;
}

/* The Orientation tag (1-8) of an Exif APP1 body ("Exif\0\0" + TIFF). */
static int
exif_orientation(const unsigned char *p, size_t len)
{
	const unsigned char	*t = p + 6;
	size_t			 tl, ifd, i, n;
	int			 le, v;

	if (len < 6 + 8)
		return 1;
	tl = len - 6;
	if (memcmp(t, "II*\0", 4) == 0)
		le = 1;
	else if (memcmp(t, "MM\0*", 4) == 0)
		le = 0;
	else
		return 1;
	ifd = le ? le32(t + 4) : be32(t + 4);
	if (ifd < 8 || ifd + 2 > tl)
		return 1;
	n = le ? le16(t + ifd) : be16(t + ifd);
	for (i = 0; i < n && ifd + 2 + (i + 1) * 12 <= tl; i++) {
		const unsigned char *e = t + ifd + 2 + i * 12;

		if ((le ? le16(e) : be16(e)) != 0x0112)
			continue;
		v = (int)(le ? le16(e + 8) : be16(e + 8));
		return v >= 1 && v <= 8 ? v : 1;
	}
	return 1;
}

/*
 * Walk a JPEG's markers up to its frame header: the dimensions, and the
 * orientation from an Exif APP1 (1 if none).
 */
static int
jpeg_header(const unsigned char *p, size_t len, uint32_t *w, uint32_t *h,
    int *orient)
{
	size_t		 i = 2, seg;
	unsigned char	 m;

	*orient = 1;
	while (i + 4 <= len) {
		if (p[i] != 0xff)
			return -1;
		if ((m = p[i + 1]) == 0xff) {		/* fill byte */
			i++;
			continue;
		}
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			i += 2;
			continue;
		}
		seg = be16(p + i + 2);
		if (seg < 2 || i + 2 + seg > len)
			return -1;
		if (m == 0xe1 && seg >= 8 && memcmp(p + i + 4, "Exif\0\0", 6)
		    == 0)
			*orient = exif_orientation(p + i + 4, seg - 2);
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			if (seg < 7)
				return -1;
			*h = be16(p + i + 5);
			*w = be16(p + i + 7);
			return 0;
		}
		if (m == 0xda)
			return -1;		/* scan data before any frame */
		i += 2 + seg;
	}
	return -1;
}

/* Canvas size from the header, before any pixel is decoded. */
static int
header_size(int t, const unsigned char *p, size_t len, uint32_t *w,
    uint32_t *h, int *orient)
{
	*orient = 1;
	switch (t) {
	case IT_JPEG:
		return jpeg_header(p, len, w, h, orient);
	case IT_PNG:
		if (len < 24 || memcmp(p + 12, "IHDR", 4) != 0)
			return -1;
		*w = be32(p + 16);
		*h = be32(p + 20);
		return 0;
	case IT_WEBP:
		if (len < 30)
			return -1;
		if (memcmp(p + 12, "VP8X", 4) == 0) {
			*w = le24(p + 24) + 1;
			*h = le24(p + 27) + 1;
		} else if (memcmp(p + 12, "VP8 ", 4) == 0 &&
		    memcmp(p + 23, "\x9d\x01\x2a", 3) == 0) {
			*w = le16(p + 26) & 0x3fff;
			*h = le16(p + 28) & 0x3fff;
		} else if (memcmp(p + 12, "VP8L", 4) == 0 && p[20] == 0x2f) {
			*w = (le32(p + 21) & 0x3fff) + 1;
			*h = ((le32(p + 21) >> 14) & 0x3fff) + 1;
		} else
			return -1;
		return 0;
	}
	return -1;
}

/* libgd complains on stderr by default; one debug line instead. */
static void
gd_quiet(int priority, const char *fmt, va_list ap)
{
	char	msg[256];

	(void)priority;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("image: libgd: %s", msg);
}

static gdImagePtr
decode(int t, const void *data, size_t len)
{
	switch (t) {
	case IT_JPEG:
		return gdImageCreateFromJpegPtr((int)len, (void *)data);
	case IT_PNG:
		return gdImageCreateFromPngPtr((int)len, (void *)data);
	case IT_WEBP:
		return gdImageCreateFromWebpPtr((int)len, (void *)data);
	}
	return NULL;
}

/*
 * The image as the camera meant it (Exif orientation 2-8), since the
 * rewrite drops the tag that told browsers to turn it. Frees im.
 */
static gdImagePtr
orient(gdImagePtr im, int o)
{
	gdImagePtr	 out;
	int		 w = gdImageSX(im), h = gdImageSY(im), x, y, dx, dy;
	int		 swap = o >= 5;

	if (o <= 1 || o > 8 || !gdImageTrueColor(im))
		return im;
	if ((out = gdImageCreateTrueColor(swap ? h : w, swap ? w : h)) ==
	    NULL)
		return im;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			switch (o) {
			case 2: dx = w - 1 - x; dy = y; break;
			case 3: dx = w - 1 - x; dy = h - 1 - y; break;
			case 4: dx = x; dy = h - 1 - y; break;
			case 5: dx = y; dy = x; break;
			case 6: dx = h - 1 - y; dy = x; break;
			case 7: dx = h - 1 - y; dy = w - 1 - x; break;
			default: dx = y; dy = w - 1 - x; break;
			}
			out->tpixels[dy][dx] = im->tpixels[y][x];
		}
	gdImageDestroy(im);
	return out;
}

/* Encoded bytes of im in type t (free with gdFree), or NULL. */
static void *
encode(gdImagePtr im, int t, int *size)
{
	switch (t) {
	case IT_JPEG:
		return gdImageJpegPtr(im, size, QUALITY_ORIG);
	case IT_PNG:
		gdImageSaveAlpha(im, 1);
		return gdImagePngPtrEx(im, size, 6);
	case IT_WEBP:
		return gdImageWebpPtrEx(im, size, QUALITY_ORIG);
	}
	return NULL;
}

/* 400 px wide (never wider than the original), on white: a JPEG. */
static gdImagePtr
thumbnail(gdImagePtr im)
{
	gdImagePtr	 th;
	int		 w = gdImageSX(im), h = gdImageSY(im), tw, tht;

	tw = w < IMAGE_THUMB_W ? w : IMAGE_THUMB_W;
	tht = (int)(((int64_t)h * tw + w / 2) / w);
	if (tht > THUMB_H_MAX) {
		tw = (int)((int64_t)tw * THUMB_H_MAX / tht);
		tht = THUMB_H_MAX;
	}
	if (tw < 1)
		tw = 1;
	if (tht < 1)
		tht = 1;
	if ((th = gdImageCreateTrueColor(tw, tht)) == NULL)
		return NULL;
	gdImageFilledRectangle(th, 0, 0, tw - 1, tht - 1,
	    gdTrueColor(255, 255, 255));
	gdImageAlphaBlending(th, 1);
	gdImageCopyResampled(th, im, 0, 0, 0, 0, tw, tht, w, h);
	return th;
}

/* mkdir -p, mode 0755. */
static int
mkdirs(const char *path)
{
	char	 tmp[PATH_MAX], *s;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (s = tmp + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		if (s[-1] != '/') {
			char	save = *s;

			*s = '\0';
			if (mkdir(tmp, 0755) == -1 && errno != EEXIST) {
				log_warn("image: mkdir %s", tmp);
				return -1;
			}
			*s = save;
		}
		if (*s == '\0')
			return 0;
	}
}

/* Write dir/name whole or not at all: a temp file, then rename. */
static int
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char		 tmp[PATH_MAX], path[PATH_MAX];
	const char	*p = data;
	ssize_t		 n;
	int		 fd;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >=
	    (int)sizeof(tmp) || snprintf(path, sizeof(path), "%s/%s", dir,
	    name) >= (int)sizeof(path))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644))
	    == -1) {
		log_warn("image: open %s", tmp);
		return -1;
	}
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("image: write %s", tmp);
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1) {
		fd = -1;
		log_warn("image: close %s", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		log_warn("image: rename %s", tmp);
		goto fail;
	}
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

static int
fail(struct ctx *c, int err, const char *msg)
{
	c->error = msg;
	return err;
}

/* Check, decode, orient: the image to store, or NULL and c->error. */
static gdImagePtr
load(struct ctx *c, const void *data, size_t len, int *type, int *err)
{
	gdImagePtr	 im;
	uint32_t	 w = 0, h = 0;
	int		 o;

	*err = ERR_INVALID;
	if ((*type = type_of(data, len)) == -1) {
		*err = fail(c, ERR_UNSUPPORTED, "只能上传 JPEG、PNG 或 WebP "
		    "格式的图片");
		return NULL;
	}
	if (header_size(*type, data, len, &w, &h, &o) == -1 || w == 0 ||
	    h == 0) {
		fail(c, ERR_INVALID, "图片文件已损坏，无法识别");
		return NULL;
	}
	if (w > IMAGE_DIM_MAX || h > IMAGE_DIM_MAX) {
		c->error = arena_printf(c->arena, "图片尺寸过大（%u×%u），"
		    "最大 %d×%d 像素", w, h, IMAGE_DIM_MAX, IMAGE_DIM_MAX);
		return NULL;
	}
	/* Decoded it takes 4 bytes a pixel, twice when turned upright:
	 * bound what one upload can make a worker hold. */
	if ((uint64_t)w * h > IMAGE_PIXELS_MAX) {
		c->error = arena_printf(c->arena, "图片像素过多（%u×%u），"
		    "最多 %d 万像素，请压缩后再上传", w, h,
		    IMAGE_PIXELS_MAX / 10000);
		return NULL;
	}
	gdSetErrorMethod(gd_quiet);
	if ((im = decode(*type, data, len)) == NULL) {
		fail(c, ERR_INVALID, "图片文件已损坏，无法读取");
		return NULL;
	}
	if (gdImageSX(im) > IMAGE_DIM_MAX || gdImageSY(im) > IMAGE_DIM_MAX) {
		gdImageDestroy(im);
		fail(c, ERR_INVALID, "图片尺寸过大");
		return NULL;
	}
	return *type == IT_JPEG ? orient(im, o) : im;
}

/*
 * Store an uploaded image for shop_id. Returns 0 and fills out, or an
 * enum err with c->error for the user: ERR_UNSUPPORTED (not JPEG, PNG or
 * WebP), ERR_TOO_LARGE (bytes), ERR_INVALID (undecodable, too many
 * pixels), ERR_INTERNAL (could not write).
 */
int
image_store(struct ctx *c, int64_t shop_id, const void *data, size_t len,
    struct image_info *out)
{
	gdImagePtr	 im = NULL, th = NULL;
	void		*orig = NULL, *small = NULL;
	char		 hex[33], name[64], dir[PATH_MAX];
	int		 type, err, osize = 0, tsize = 0;

	memset(out, 0, sizeof(*out));
	if (len > (size_t)conf.max_upload)
		return fail(c, ERR_TOO_LARGE, arena_printf(c->arena, "图片太大"
		    "，最大 %" PRId64 " MB", conf.max_upload / 1048576));
	if ((im = load(c, data, len, &type, &err)) == NULL)
		return err;
	err = ERR_INTERNAL;
	c->error = "图片保存失败，请稍后再试";
	if ((orig = encode(im, type, &osize)) == NULL ||
	    (th = thumbnail(im)) == NULL ||
	    (small = gdImageJpegPtr(th, &tsize, QUALITY_THUMB)) == NULL) {
		clog_warnx(c, "image: encoding failed type=%s",
		    itypes[type].name);
		goto out;
	}
	if (auth_random_hex(hex, 16) == -1 ||
	    snprintf(dir, sizeof(dir), "%s/%" PRId64, conf.uploads_dir,
	    shop_id) >= (int)sizeof(dir) || mkdirs(dir) == -1)
		goto out;
	snprintf(name, sizeof(name), "%s.%s", hex, itypes[type].ext);
	if (write_file(dir, name, orig, (size_t)osize) == -1)
		goto out;
	snprintf(out->path, sizeof(out->path), "%" PRId64 "/%s", shop_id,
	    name);
	snprintf(name, sizeof(name), "%s_t.jpg", hex);
	if (write_file(dir, name, small, (size_t)tsize) == -1) {
		image_remove(c, out->path);
		goto out;
	}
	snprintf(out->thumb, sizeof(out->thumb), "%" PRId64 "/%s", shop_id,
	    name);
	out->width = gdImageSX(im);
	out->height = gdImageSY(im);
	c->error = NULL;
	err = 0;
out:
	if (orig != NULL)
		gdFree(orig);
	if (small != NULL)
		gdFree(small);
	if (th != NULL)
		gdImageDestroy(th);
	gdImageDestroy(im);
	return err;
}

/* Remove a stored file by its path under uploads_dir (ours only). */
void
image_remove(struct ctx *c, const char *rel)
{
	char	path[PATH_MAX];

	if (rel == NULL || *rel == '\0' || *rel == '/' ||
	    strstr(rel, "..") != NULL || rel[strspn(rel,
	    "0123456789abcdef_./jpgnwt")] != '\0')
		return;
	if (snprintf(path, sizeof(path), "%s/%s", conf.uploads_dir, rel) >=
	    (int)sizeof(path))
		return;
	if (unlink(path) == -1 && errno != ENOENT)
		clog_warnx(c, "image: unlink %s: %s", path, strerror(errno));
}
