/*
 * image.h -- uploaded images (domain/image.c).
 */
#ifndef DOMAIN_IMAGE_H
#define DOMAIN_IMAGE_H

#include "base/base.h"

/* image.c: uploaded product images, checked, re-encoded, thumbnailed. */
#define IMAGE_DIM_MAX	8000		/* pixels, either side */
#define IMAGE_PIXELS_MAX 25000000	/* ~100 MB decoded */
#define IMAGE_THUMB_W	400
struct image_info {
	char		 path[96];	/* "<shop_id>/<hex>.<ext>", under
					 * image_root() */
	char		 thumb[96];	/* "<shop_id>/<hex>_t.jpg" */
	int		 width;
	int		 height;
};
enum image_kind { IT_JPEG, IT_PNG, IT_WEBP };
/* Where a file goes: uploads_dir (the web server serves it to anyone with
 * the name) or private_dir (nothing serves it; dinghuo reads it out). */
enum image_place { IMAGE_PUBLIC, IMAGE_PRIVATE };
const char	*image_type(const void *, size_t);
const char	*image_root(enum image_place);
int		 image_mkdirs(const char *);
int		 image_mkdirs_mode(const char *, mode_t);
int		 image_write_file(const char *, const char *, const void *,
		     size_t);
int		 image_write_file_mode(const char *, const char *,
		     const void *, size_t, mode_t);
int		 image_store(struct dctx *, int64_t, const void *, size_t,
		     struct image_info *);
int		 image_store_at(struct dctx *, enum image_place, int64_t,
		     const void *, size_t, struct image_info *);
void		 image_remove(struct dctx *, const char *);
void		 image_remove_at(struct dctx *, enum image_place,
		     const char *);
int		 image_rel_valid(const char *);
int		 image_read_file(const char *, off_t, struct buf *);
int		 image_partial_name(const char *);

#endif /* DOMAIN_IMAGE_H */
