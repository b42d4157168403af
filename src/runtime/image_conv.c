/*
 * image_conv.c -- dinghuo-image, the program that decodes one uploaded
 * image for a worker (image.c runs it): it re-encodes the picture (which
 * drops EXIF, GPS and comments; a JPEG is first turned upright) and
 * writes a JPEG thumbnail. A separate process so that libgd and its
 * codecs never load into the workers, and so that a decoder crash or a
 * memory bomb ends here, under a memory and time limit.
 *
 * usage: dinghuo-image jpeg|png|webp ORIENTATION INFILE DIR NAME
 * writes DIR/NAME.<ext> and DIR/NAME_t.jpg and prints "WIDTH HEIGHT".
 * Exit 0 done, 2 the image does not decode, 1 anything else.
 */
#include "base/base.h"
#include "domain/image.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include <gd.h>

#define QUALITY_ORIG	90
#define QUALITY_THUMB	80
#define THUMB_H_MAX	2000	/* a 1 px wide banner must not make a tower */
#define MEM_LIMIT	(768UL * 1024 * 1024)
#define TIME_LIMIT	30	/* seconds */

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


static void *
slurp(const char *path, size_t *len)
{
	struct stat	 st;
	void		*p;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		log_warn("dinghuo-image: %s", path);
		if (fd != -1)
			close(fd);
		return NULL;
	}
	p = xmalloc(st.st_size + 1);
	if (read(fd, p, st.st_size) != st.st_size) {
		log_warn("dinghuo-image: read %s", path);
		close(fd);
		free(p);
		return NULL;
	}
	close(fd);
	*len = st.st_size;
	return p;
}

static void
limits(void)
{
#ifndef __SANITIZE_ADDRESS__	/* ASan reserves terabytes of address space */
	struct rlimit	rl = { MEM_LIMIT, MEM_LIMIT };

	setrlimit(RLIMIT_AS, &rl);
#endif
	alarm(TIME_LIMIT);
}

int
main(int argc, char **argv)
{
	static const char *const exts[] = { "jpg", "png", "webp" };
	gdImagePtr	 im, th;
	void		*data, *orig, *small;
	char		 name[128];
	size_t		 len;
	int		 t, o, osize, tsize;

	log_set_prefix("dinghuo-image");
	if (argc != 6) {
		fprintf(stderr, "usage: dinghuo-image jpeg|png|webp "
		    "ORIENTATION INFILE DIR NAME\n");
		return 1;
	}
	t = strcmp(argv[1], "jpeg") == 0 ? IT_JPEG : strcmp(argv[1], "png")
	    == 0 ? IT_PNG : strcmp(argv[1], "webp") == 0 ? IT_WEBP : -1;
	o = atoi(argv[2]);
	if (t == -1 || strchr(argv[5], '/') != NULL)
		return 1;
	limits();
	if ((data = slurp(argv[3], &len)) == NULL)
		return 1;
	gdSetErrorMethod(gd_quiet);
	if ((im = decode(t, data, len)) == NULL ||
	    gdImageSX(im) > IMAGE_DIM_MAX || gdImageSY(im) > IMAGE_DIM_MAX)
		return 2;
	free(data);
	if (t == IT_JPEG && (im = orient(im, o)) == NULL)
		return 1;
	if ((orig = encode(im, t, &osize)) == NULL ||
	    (th = thumbnail(im)) == NULL ||
	    (small = gdImageJpegPtr(th, &tsize, QUALITY_THUMB)) == NULL) {
		log_warnx("dinghuo-image: encoding failed");
		return 1;
	}
	snprintf(name, sizeof(name), "%s.%s", argv[5], exts[t]);
	if (image_write_file(argv[4], name, orig, (size_t)osize) == -1)
		return 1;
	snprintf(name, sizeof(name), "%s_t.jpg", argv[5]);
	if (image_write_file(argv[4], name, small, (size_t)tsize) == -1) {
		snprintf(name, sizeof(name), "%s/%s.%s", argv[4], argv[5],
		    exts[t]);
		unlink(name);
		return 1;
	}
	printf("%d %d\n", gdImageSX(im), gdImageSY(im));
	gdFree(orig);
	gdFree(small);
	gdImageDestroy(th);
	gdImageDestroy(im);
	return 0;
}
