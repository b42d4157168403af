/*
 * image.c -- product images as staff upload them. The type is read from
 * the bytes (JPEG, PNG, WebP), never from the file name or the declared
 * type; the size is read from the header before anything is decoded, so
 * a small file cannot claim a huge canvas. Decoding is left to a separate
 * short-lived program, dinghuo-image (image_conv.c): libgd and its codecs
 * stay out of the workers' memory, and a decoder crash or a memory bomb
 * hits a child with a memory limit, not a worker. The child gets nothing
 * of the worker but its stderr: no other descriptor (database, FastCGI),
 * a two-variable environment, default signals. It writes the image
 * again (which drops EXIF, GPS and comments; a JPEG's rotation is applied
 * first) and a JPEG thumbnail 400 px wide, into
 * uploads_dir/<shop_id>/<random>.<ext> by temp file and rename, so nginx
 * never serves half a file; or, for what only staff may see (IMAGE_PRIVATE:
 * business licences), the same under private_dir, which no web server
 * serves, in folders only dinghuo's user may enter. No HTTP, no SQL: the
 * caller records the paths.
 */
#include "base/base.h"
#include "base/conf.h"
#include "domain/dctx.h"
#include "domain/image.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

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

/* The folder under which place's files are. */
const char *
image_root(enum image_place place)
{
	return place == IMAGE_PRIVATE ? conf.private_dir : conf.uploads_dir;
}

/* mkdir -p, mode 0755. */
int
image_mkdirs(const char *path)
{
	return image_mkdirs_mode(path, 0755);
}

/* mkdir -p; what it makes gets mode (an existing folder keeps its own). */
int
image_mkdirs_mode(const char *path, mode_t mode)
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
			if (mkdir(tmp, mode) == -1 && errno != EEXIST) {
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
int
image_write_file(const char *dir, const char *name, const void *data,
    size_t len)
{
	return image_write_file_mode(dir, name, data, len, 0644);
}

/* The same with the file's mode; synced before the rename when private
 * (mode without group or other bits: a secret must not come back empty
 * after a crash). */
int
image_write_file_mode(const char *dir, const char *name, const void *data,
    size_t len, mode_t mode)
{
	char		 tmp[PATH_MAX], path[PATH_MAX];
	const char	*p = data;
	ssize_t		 n;
	int		 fd;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >=
	    (int)sizeof(tmp) || snprintf(path, sizeof(path), "%s/%s", dir,
	    name) >= (int)sizeof(path))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode))
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
	if ((mode & 077) == 0 && fsync(fd) == -1) {
		log_warn("image: fsync %s", tmp);
		goto fail;
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
fail(struct dctx *c, int err, const char *msg)
{
	c->error = msg;
	return err;
}

/* Check what can be checked without decoding; 0 or an enum err. */
static int
precheck(struct dctx *c, const void *data, size_t len, int *type, int *o)
{
	uint32_t	w = 0, h = 0;

	if (len > (size_t)conf.max_upload)
		return fail(c, ERR_TOO_LARGE, arena_printf(c->arena, "图片太大"
		    "，最大 %" PRId64 " MB", conf.max_upload / 1048576));
	if ((*type = type_of(data, len)) == -1)
		return fail(c, ERR_UNSUPPORTED, "只能上传 JPEG、PNG 或 WebP "
		    "格式的图片");
	if (header_size(*type, data, len, &w, &h, o) == -1 || w == 0 ||
	    h == 0)
		return fail(c, ERR_INVALID, "图片文件已损坏，无法识别");
	if (w > IMAGE_DIM_MAX || h > IMAGE_DIM_MAX)
		return fail(c, ERR_INVALID, arena_printf(c->arena, "图片尺寸过大"
		    "（%u×%u），最大 %d×%d 像素", w, h, IMAGE_DIM_MAX,
		    IMAGE_DIM_MAX));
	/* Decoded it takes 4 bytes a pixel, twice when turned upright. */
	if ((uint64_t)w * h > IMAGE_PIXELS_MAX)
		return fail(c, ERR_INVALID, arena_printf(c->arena, "图片像素过多"
		    "（%u×%u），最多 %d 万像素，请压缩后再上传", w, h,
		    IMAGE_PIXELS_MAX / 10000));
	return 0;
}

/* dinghuo-image beside this program, unless image_helper names one. */
static const char *
helper_path(char *buf, size_t len)
{
	ssize_t	 n;
	char	*slash;

	if (*conf.image_helper)
		return conf.image_helper;
	if ((n = readlink("/proc/self/exe", buf, len - 16)) <= 0)
		return "dinghuo-image";
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		strcpy(slash + 1, "dinghuo-image");
	return buf;
}

/*
 * The helper's environment: a fixed PATH and the C locale, nothing of the
 * worker's (DINGHUO_* settings, the database password). A sanitizer build
 * passes its *SAN_OPTIONS on, so that the helper reports as the worker
 * does. env has room for HELPER_ENV_MAX entries and the NULL.
 */
#define HELPER_ENV_MAX	5

static void
helper_env(struct arena *a, char *env[])
{
#ifdef __SANITIZE_ADDRESS__
	static const char *const keep[] = {
		"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"
	};
	const char	*v;
	size_t		 i;
#endif
	int		 n = 0;

	env[n++] = "PATH=/usr/bin:/bin";
	env[n++] = "LC_ALL=C";
#ifdef __SANITIZE_ADDRESS__
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if ((v = getenv(keep[i])) != NULL)
			env[n++] = arena_printf(a, "%s=%s", keep[i], v);
#else
	(void)a;
#endif
	env[n] = NULL;
}

/* Close every descriptor from lowfd on; async-signal-safe. */
static void
close_from(int lowfd, long maxfd)
{
	long	fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0) == 0)
		return;
#endif
	for (fd = lowfd; fd < maxfd; fd++)
		close((int)fd);
}

/*
 * In the child, between fork and exec (async-signal-safe calls only): the
 * pipe on stdout, /dev/null on stdin (in a worker fd 0 may be the FastCGI
 * socket), stderr kept; every other descriptor closed, whatever its
 * close-on-exec flag; every signal at its default and none blocked (the
 * worker blocks its stop signals and ignores SIGPIPE). Never returns.
 */
__attribute__((noreturn)) static void
helper_exec(int out, long maxfd, char *argv[], char *env[])
{
	struct sigaction	 sa;
	sigset_t		 none;
	int			 fd, sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);	/* KILL, STOP: EINVAL */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (out == 1 ? fcntl(1, F_SETFD, 0) == -1 : dup2(out, 1) == -1)
		_exit(127);
	if ((fd = open("/dev/null", O_RDWR)) == -1 ||
	    (fd != 0 && dup2(fd, 0) == -1) ||
	    (fcntl(2, F_GETFD) == -1 && dup2(fd, 2) == -1))
		_exit(127);
	close_from(3, maxfd);
	execve(argv[0], argv, env);
	_exit(127);
}

/*
 * Run dinghuo-image on the upload in dir/.<hex>.upload; it writes
 * <hex>.<ext> and <hex>_t.jpg and prints "W H". 0, or an enum err.
 */
static int
convert(struct dctx *c, const char *dir, const char *hex, int type, int o,
    struct image_info *out)
{
	char		 exe[PATH_MAX], in[PATH_MAX], ostr[8], line[64];
	char		*argv[8], *env[HELPER_ENV_MAX + 1];
	pid_t		 pid;
	ssize_t		 n;
	long		 maxfd;
	int		 p[2], status, saved;
	size_t		 got = 0;

	if (snprintf(in, sizeof(in), "%s/.%s.upload", dir, hex) >=
	    (int)sizeof(in))
		return ERR_INTERNAL;
	snprintf(ostr, sizeof(ostr), "%d", o);
	argv[0] = (char *)helper_path(exe, sizeof(exe));
	argv[1] = (char *)itypes[type].name;
	argv[2] = ostr;
	argv[3] = in;
	argv[4] = (char *)dir;
	argv[5] = (char *)hex;
	argv[6] = NULL;
	if (access(argv[0], X_OK) == -1) {
		clog_warnx(c, "image: cannot run helper=%s: %s", argv[0],
		    strerror(errno));
		return ERR_INTERNAL;
	}
	helper_env(c->arena, env);
	if ((maxfd = sysconf(_SC_OPEN_MAX)) <= 0)
		maxfd = 1024;
	if (pipe2(p, O_CLOEXEC) == -1) {
		clog_warnx(c, "image: pipe: %s", strerror(errno));
		return ERR_INTERNAL;
	}
	if ((pid = fork()) == 0)
		helper_exec(p[1], maxfd, argv, env);
	saved = errno;
	close(p[1]);
	if (pid == -1) {
		clog_warnx(c, "image: fork failed: %s", strerror(saved));
		close(p[0]);
		return ERR_INTERNAL;
	}
	while (got < sizeof(line) - 1 && (n = read(p[0], line + got,
	    sizeof(line) - 1 - got)) > 0)
		got += n;
	line[got] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    sscanf(line, "%d %d", &out->width, &out->height) == 2)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return fail(c, ERR_INVALID, "图片文件已损坏，无法读取");
	clog_warnx(c, "image: helper failed helper=%s status=0x%x", argv[0],
	    (unsigned int)status);
	return ERR_INTERNAL;
}

/*
 * Store an uploaded image for shop_id, public under uploads_dir. Returns
 * 0 and fills out, or an enum err with c->error for the user:
 * ERR_UNSUPPORTED (not JPEG, PNG or WebP), ERR_TOO_LARGE (bytes),
 * ERR_INVALID (undecodable, too many pixels), ERR_INTERNAL (could not
 * write).
 */
int
image_store(struct dctx *c, int64_t shop_id, const void *data, size_t len,
    struct image_info *out)
{
	return image_store_at(c, IMAGE_PUBLIC, shop_id, data, len, out);
}

/*
 * image_store into place: out's paths are under image_root(place). The
 * private folders are made 0700, so that not even a web server running
 * as another user could read them if it were pointed there.
 */
int
image_store_at(struct dctx *c, enum image_place place, int64_t shop_id,
    const void *data, size_t len, struct image_info *out)
{
	char	 hex[33], name[64], dir[PATH_MAX], in[PATH_MAX];
	int	 type, o = 1, err;

	memset(out, 0, sizeof(*out));
	if ((err = precheck(c, data, len, &type, &o)) != 0)
		return err;
	err = ERR_INTERNAL;
	if (random_hex(hex, 16) == -1 ||
	    snprintf(dir, sizeof(dir), "%s/%" PRId64, image_root(place),
	    shop_id) >= (int)sizeof(dir) || image_mkdirs_mode(dir,
	    place == IMAGE_PRIVATE ? 0700 : 0755) == -1)
		goto fail;
	snprintf(name, sizeof(name), ".%s.upload", hex);
	if (image_write_file(dir, name, data, len) == -1)
		goto fail;
	err = convert(c, dir, hex, type, o, out);
	if (snprintf(in, sizeof(in), "%s/%s", dir, name) < (int)sizeof(in))
		unlink(in);
	if (err != 0)
		return err;
	snprintf(out->path, sizeof(out->path), "%" PRId64 "/%s.%s", shop_id,
	    hex, itypes[type].ext);
	snprintf(out->thumb, sizeof(out->thumb), "%" PRId64 "/%s_t.jpg",
	    shop_id, hex);
	c->error = NULL;
	return 0;
fail:
	c->error = "图片保存失败，请稍后再试";
	return err;
}

/* A file an interrupted write left: .NAME.tmp (image_write_file) or
 * .HEX.upload (image_store's copy of the upload). */
int
image_partial_name(const char *name)
{
	size_t	len = strlen(name);

	return name[0] == '.' && ((len > 5 &&
	    strcmp(name + len - 4, ".tmp") == 0) || (len > 8 &&
	    strcmp(name + len - 7, ".upload") == 0));
}

/*
 * Whether rel has the form of a path image_store records (no "..", no
 * leading slash, only the characters its names use): 1 or 0.
 */
int
image_rel_valid(const char *rel)
{
	return rel != NULL && *rel != '\0' && *rel != '/' &&
	    strstr(rel, "..") == NULL && rel[strspn(rel,
	    "0123456789abcdef_./jpgnwt")] == '\0';
}

/* Remove a stored file by its path under uploads_dir (ours only). */
void
image_remove(struct dctx *c, const char *rel)
{
	image_remove_at(c, IMAGE_PUBLIC, rel);
}

/* Remove a stored file by its path under image_root(place). */
void
image_remove_at(struct dctx *c, enum image_place place, const char *rel)
{
	char	path[PATH_MAX];

	if (!image_rel_valid(rel))
		return;
	if (snprintf(path, sizeof(path), "%s/%s", image_root(place), rel) >=
	    (int)sizeof(path))
		return;
	if (unlink(path) == -1 && errno != ENOENT)
		clog_warnx(c, "image: unlink %s: %s", path, strerror(errno));
}

/* Append the regular file path (at most max bytes) to out: 0, or -1
 * with errno. */
int
image_read_file(const char *path, off_t max, struct buf *out)
{
	struct stat	 st;
	char		 chunk[65536];
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		saved = errno;
	else if (!S_ISREG(st.st_mode))
		saved = EINVAL;
	else if (st.st_size > max)
		saved = EFBIG;
	else
		saved = 0;
	if (saved != 0) {
		close(fd);
		errno = saved;
		return -1;
	}
	buf_reserve(out, (size_t)st.st_size);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}
