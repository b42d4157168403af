/*
 * catalog_search_build.c -- building a catalog's search index while the
 * catalog loads: codes as its rows stream in (cat_search_add_code), the
 * name lists and the storefronts' bitmaps once every row is there
 * (cat_search_build). Two passes over the names: count each key's
 * products, then fill arrays and bitmaps laid out in one allocation; the
 * hash table and the loading buffers are freed before the catalog is
 * served. Also the text folding both sides of a search use.
 */
#include "base/base.h"
#include "domain/shop.h"
#include "domain/catalog.h"
#include "domain/catalog_search.h"
#include "domain/catalog_search_int.h"

/* A-Z and the full-width forms of ASCII (Ａ, １, ！) as ASCII lower case;
 * the ideographic and no-break spaces as a space. */
static uint32_t
fold(uint32_t c)
{
	if (c >= 0xff01 && c <= 0xff5e)
		c -= 0xfee0;
	else if (c == 0x3000 || c == 0xa0)
		return ' ';
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/*
 * The character at *pp, folded, and *pp moved past it; 0 at the end. A
 * byte that starts no valid sequence reads as U+FFFD (the database holds
 * valid UTF-8; this only keeps a bad byte from reading past the end).
 */
uint32_t
cs_next(const char **pp)
{
	const unsigned char	*p = (const unsigned char *)*pp;
	uint32_t		 c = p[0], min;
	int			 k, i;

	if (c < 0x80) {
		if (c != 0)
			(*pp)++;
		return fold(c);
	}
	if (c >= 0xc2 && c <= 0xdf)
		k = 1, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 2, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, c &= 0x07, min = 0x10000;
	else
		goto bad;
	for (i = 1; i <= k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*pp += k + 1;
	return fold(c);
bad:
	(*pp)++;
	return 0xfffd;
}

static size_t
put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * s folded into out, every kind of space as ' ', NUL-terminated; its
 * length. out holds 3 * strlen(s) + 1 (a bad byte becomes U+FFFD).
 */
size_t
cs_fold(const char *s, char *out)
{
	uint32_t	c;
	size_t		n = 0;

	while ((c = cs_next(&s)) != 0)
		n += put_utf8(out + n, cs_space(c) ? ' ' : c);
	out[n] = '\0';
	return n;
}

/* SHOP_MODE_* to its bitmap's slot; -1 for none or several. */
int
cs_mode_slot(int mode)
{
	switch (mode) {
	case SHOP_MODE_ORDERING:
		return 0;
	case SHOP_MODE_WHOLESALE:
		return 1;
	case SHOP_MODE_RETAIL:
		return 2;
	}
	return -1;
}

struct cat_search *
cat_search_new(void)
{
	struct cat_search	*s = xcalloc(1, sizeof(*s));

	buf_init(&s->tmp, 4096);
	return s;
}

/* Product prod has this code (货号, SKU code or barcode): kept folded
 * until cat_search_build sorts them. Empty and overlong ones are not. */
void
cat_search_add_code(struct cat_search *s, uint32_t prod, const char *code)
{
	struct cs_code	*e;
	size_t		 off = s->tmp.len, n, i;

	if (code == NULL || *code == '\0' || strlen(code) > CAT_SEARCH_CODE_MAX)
		return;
	buf_reserve(&s->tmp, 3 * strlen(code) + 1);
	n = cs_fold(code, s->tmp.p + off);
	if (n == 0 || n > CAT_SEARCH_CODE_MAX || memchr(s->tmp.p + off, ' ', n))
		return;
	s->tmp.len += n + 1;
	if (s->ntmp == s->cap_tmp) {
		s->cap_tmp = s->cap_tmp ? s->cap_tmp * 2 : 1024;
		s->tmp_codes = xrealloc(s->tmp_codes, s->cap_tmp *
		    sizeof(*s->tmp_codes));
	}
	e = &s->tmp_codes[s->ntmp++];
	e->off = (uint32_t)off;
	e->prod = prod;
	for (e->pre = 0, i = 0; i < 8; i++)
		e->pre = e->pre << 8 | (i < n ? (unsigned char)s->tmp.p[off + i] :
		    0);
}

/* ------------------------------------------------------------ names */

/* Keys to list indexes (then to counts while counting): open
 * addressing; 0 is no key (every key has a character in it). */
struct hash {
	uint64_t	*keys;
	uint32_t	*vals;
	uint32_t	 mask;
	uint32_t	 n;
};

static uint32_t *
hash_slot(struct hash *h, uint64_t key)
{
	uint32_t	i = (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) &
			    h->mask;

	while (h->keys[i] != 0 && h->keys[i] != key)
		i = (i + 1) & h->mask;
	if (h->keys[i] == 0) {
		h->keys[i] = key;
		h->vals[i] = 0;
		h->n++;
	}
	return &h->vals[i];
}

static void
hash_grow(struct hash *h)
{
	struct hash	old = *h;
	uint32_t	i;

	h->mask = old.mask ? old.mask * 2 + 1 : 1023;
	h->keys = xcalloc((size_t)h->mask + 1, sizeof(*h->keys));
	h->vals = xcalloc((size_t)h->mask + 1, sizeof(*h->vals));
	h->n = 0;
	for (i = 0; old.keys != NULL && i <= old.mask; i++)
		if (old.keys[i] != 0)
			*hash_slot(h, old.keys[i]) = old.vals[i];
	free(old.keys);
	free(old.vals);
}

/* Keys of a name, sorted and each once, in *v (grown as needed). */
struct keys {
	uint64_t	*v;
	size_t		 cap;
};

static size_t
name_keys(const char *name, struct keys *k)
{
	uint32_t	c, prev = 0;
	size_t		n = 0, i, j;
	uint64_t	x;

	if (k->cap < strlen(name) + 2) {
		k->cap = strlen(name) + 2;
		k->v = xrealloc(k->v, k->cap * sizeof(*k->v));
	}
	while ((c = cs_next(&name)) != 0) {
		if (cs_space(c)) {
			if (prev != 0)
				k->v[n++] = CS_KEY(prev, CS_END);
			prev = 0;
			continue;
		}
		if (n == 0)
			k->v[n++] = CS_KEY(CS_START, c);
		if (prev != 0)
			k->v[n++] = CS_KEY(prev, c);
		prev = c;
	}
	if (prev != 0)
		k->v[n++] = CS_KEY(prev, CS_END);
	for (i = 1; i < n; i++)		/* short: insertion sort */
		for (j = i, x = k->v[i]; j > 0 && k->v[j - 1] > x; j--) {
			k->v[j] = k->v[j - 1];
			k->v[j - 1] = x;
		}
	for (i = j = 0; i < n; i++)
		if (j == 0 || k->v[j - 1] != k->v[i])
			k->v[j++] = k->v[i];
	return j;
}

static const char *
name_of(const struct catalog *cat, uint32_t i)
{
	return cat->pool.p + cat->products[i].name;
}

static int
cmp_list(const void *a, const void *b)
{
	uint64_t	x = ((const struct cs_list *)a)->key;
	uint64_t	y = ((const struct cs_list *)b)->key;

	return x < y ? -1 : x > y;
}

/* First pass: the lists, by key, each with its count; then each key's
 * value in h is its list's index. */
static void
count_lists(struct cat_search *s, const struct catalog *cat, struct hash *h,
    struct keys *k)
{
	uint32_t	i, j, n;

	for (i = 0; i < cat->nproducts; i++) {
		n = (uint32_t)name_keys(name_of(cat, i), k);
		for (j = 0; j < n; j++) {
			if ((h->n + 1) * 2 > h->mask + 1)
				hash_grow(h);
			(*hash_slot(h, k->v[j]))++;
		}
	}
	s->lists = xmalloc(((size_t)h->n + 1) * sizeof(*s->lists));
	for (i = 0; h->keys != NULL && i <= h->mask; i++)
		if (h->keys[i] != 0) {
			s->lists[s->nlists].key = h->keys[i];
			s->lists[s->nlists++].n = h->vals[i];
		}
	qsort(s->lists, s->nlists, sizeof(*s->lists), cmp_list);
	for (i = 0; i < s->nlists; i++)
		*hash_slot(h, s->lists[i].key) = i;
}

/* Second pass: every list's array or bitmap, and each storefront's. */
static void
fill_lists(struct cat_search *s, const struct catalog *cat, struct hash *h,
    struct keys *k)
{
	static const int	 modes[CS_MODES] = { SHOP_MODE_ORDERING,
				    SHOP_MODE_WHOLESALE, SHOP_MODE_RETAIL };
	struct cs_list		*l;
	uint32_t		*fill, i, j, n, m;
	size_t			 off = 0;

	for (i = 0; i < s->nlists; i++) {
		s->lists[i].off = (uint32_t)off;
		off += cs_is_bitmap(s, &s->lists[i]) ? s->nwords :
		    s->lists[i].n;
	}
	for (m = 0; m < CS_MODES; m++) {
		s->listed[m] = (uint32_t)off;
		off += s->nwords;
	}
	s->nwords_all = off;
	s->words = xcalloc(off + 1, sizeof(*s->words));
	fill = xcalloc((size_t)s->nlists + 1, sizeof(*fill));
	for (i = 0; i < cat->nproducts; i++) {
		n = (uint32_t)name_keys(name_of(cat, i), k);
		for (j = 0; j < n; j++) {
			l = &s->lists[*hash_slot(h, k->v[j])];
			if (cs_is_bitmap(s, l))
				cs_set(s->words + l->off, i);
			else
				s->words[l->off + fill[l - s->lists]++] = i;
		}
		for (m = 0; m < CS_MODES; m++)
			if (cat_listed(&cat->products[i], modes[m]))
				cs_set(s->words + s->listed[m], i);
	}
	free(fill);
}

/* ------------------------------------------------------------ codes */

static const char	*sort_text;

static int
cmp_code(const void *a, const void *b)
{
	const struct cs_code	*x = a, *y = b;
	int			 d;

	if (x->pre != y->pre)
		return x->pre < y->pre ? -1 : 1;
	/* Equal first eight bytes: both shorter and equal, or both longer. */
	if ((x->pre & 0xff) != 0 && (d = strcmp(sort_text + x->off + 8,
	    sort_text + y->off + 8)) != 0)
		return d;
	return x->prod < y->prod ? -1 : x->prod > y->prod;
}

static void
put_varint(struct buf *b, uint32_t v)
{
	for (; v >= 0x80; v >>= 7)
		buf_addc(b, (char)(v | 0x80));
	buf_addc(b, (char)v);
}

/*
 * The code at p into cur (which holds the one before it: a block's
 * first when head), its product in *prod (the one before it); where the
 * next starts.
 */
const char *
cs_code_next(const char *p, char *cur, int head, uint32_t *prod)
{
	const unsigned char	*u;
	size_t			 lcp = head ? 0 : (unsigned char)*p++;
	size_t			 n = strlen(p);
	uint32_t		 v = 0;
	int			 shift = 0;

	memcpy(cur + lcp, p, n + 1);
	for (u = (const unsigned char *)p + n + 1; *u & 0x80; u++, shift += 7)
		v |= (uint32_t)(*u & 0x7f) << shift;
	v |= (uint32_t)*u++ << shift;
	*prod = head ? v : *prod + ((v >> 1) ^ -(v & 1));
	return (const char *)u;
}

/* Sort the codes, drop repeats (a SKU code that is its product's code),
 * front-code them in blocks. */
static void
pack_codes(struct cat_search *s)
{
	struct buf	 out;
	const char	*str, *prev = NULL;
	uint32_t	 i, n = 0, lcp, prod, last = 0;
	int32_t		 d;

	sort_text = s->tmp.p;
	if (s->ntmp > 0)	/* a shop without products has no codes */
		qsort(s->tmp_codes, s->ntmp, sizeof(*s->tmp_codes), cmp_code);
	buf_init(&out, s->tmp.len / 2 + 16);
	s->blocks = xmalloc(((size_t)s->ntmp / CS_BLOCK + 1) *
	    sizeof(uint32_t));
	for (i = 0; i < s->ntmp; i++) {
		str = s->tmp.p + s->tmp_codes[i].off;
		prod = s->tmp_codes[i].prod;
		if (prev != NULL && strcmp(prev, str) == 0 && prod == last)
			continue;
		if (n % CS_BLOCK == 0) {
			s->blocks[n / CS_BLOCK] = (uint32_t)out.len;
			buf_add(&out, str, strlen(str) + 1);
			put_varint(&out, prod);
		} else {
			for (lcp = 0; prev[lcp] != '\0' && prev[lcp] ==
			    str[lcp]; lcp++)
				;
			buf_addc(&out, (char)lcp);
			buf_add(&out, str + lcp, strlen(str + lcp) + 1);
			d = (int32_t)(prod - last);
			put_varint(&out, ((uint32_t)d << 1) ^ (uint32_t)(d >> 31));
		}
		n++;
		prev = str;
		last = prod;
	}
	s->ncodes = n;
	s->codes = xrealloc(out.p, out.len + 1);
	s->codes_len = out.len;
	s->blocks = xrealloc(s->blocks, ((size_t)n / CS_BLOCK + 1) *
	    sizeof(uint32_t));
}

/* ---------------------------------------------------------- the index */

/* Build the index of a catalog whose rows are all loaded: its names and
 * storefronts, and the codes added while it loaded. */
void
cat_search_build(struct cat_search *s, const struct catalog *cat)
{
	struct hash	h;
	struct keys	k = { NULL, 0 };
	double		t0 = now_ms();

	memset(&h, 0, sizeof(h));
	hash_grow(&h);
	s->nproducts = cat->nproducts;
	s->nwords = (cat->nproducts + 31) / 32;
	count_lists(s, cat, &h, &k);
	fill_lists(s, cat, &h, &k);
	free(h.keys);
	free(h.vals);
	free(k.v);
	pack_codes(s);
	buf_free(&s->tmp);
	free(s->tmp_codes);
	s->tmp_codes = NULL;
	s->ntmp = s->cap_tmp = 0;
	s->bytes = sizeof(*s) + ((size_t)s->nlists + 1) * sizeof(*s->lists) +
	    (s->nwords_all + 1) * sizeof(*s->words) + s->codes_len + 1 +
	    ((size_t)s->ncodes / CS_BLOCK + 1) * sizeof(uint32_t);
	s->build_ms = now_ms() - t0;
}

void
cat_search_free(struct cat_search *s)
{
	if (s == NULL)
		return;
	if (!s->mapped) {
		free(s->lists);
		free(s->words);
		free(s->codes);
		free(s->blocks);
	}
	buf_free(&s->tmp);
	free(s->tmp_codes);
	cs_memo_free(s);
	free(s);
}

/* The index's sizes and arrays, for a catalog file. */
void
cat_search_export(const struct cat_search *s, struct cat_search_dims *d,
    struct cat_search_part *p)
{
	memset(d, 0, sizeof(*d));
	d->nproducts = s->nproducts;
	d->nwords = s->nwords;
	d->nlists = s->nlists;
	d->ncodes = s->ncodes;
	memcpy(d->listed, s->listed, sizeof(d->listed));
	d->nwords_all = s->nwords_all;
	d->codes_len = s->codes_len;
	p[0].p = s->lists;
	p[0].len = (size_t)s->nlists * sizeof(*s->lists);
	p[1].p = s->words;
	p[1].len = s->nwords_all * sizeof(*s->words);
	p[2].p = s->codes;
	p[2].len = s->codes_len + 1;
	p[3].p = s->blocks;
	p[3].len = ((size_t)s->ncodes / CS_BLOCK + 1) * sizeof(uint32_t);
}

/*
 * An index over a catalog file's arrays (as cat_search_export gave them,
 * lengths checked by the caller against d): only the words' results it
 * keeps are the worker's own. NULL if the lengths do not fit d.
 */
struct cat_search *
cat_search_mapped(const struct cat_search_dims *d,
    const struct cat_search_part *p)
{
	struct cat_search	*s;

	if (p[0].len != (size_t)d->nlists * sizeof(struct cs_list) ||
	    p[1].len != d->nwords_all * sizeof(uint32_t) ||
	    p[2].len != d->codes_len + 1 ||
	    p[3].len != ((size_t)d->ncodes / CS_BLOCK + 1) * sizeof(uint32_t))
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->mapped = 1;
	s->nproducts = d->nproducts;
	s->nwords = d->nwords;
	s->nlists = d->nlists;
	s->ncodes = d->ncodes;
	memcpy(s->listed, d->listed, sizeof(s->listed));
	s->nwords_all = d->nwords_all;
	s->codes_len = d->codes_len;
	s->lists = (struct cs_list *)p[0].p;
	s->words = (uint32_t *)p[1].p;
	s->codes = (char *)p[2].p;
	s->blocks = (uint32_t *)p[3].p;
	s->bytes = sizeof(*s);
	return s;
}

/* The index's bytes, and the words' results it keeps. */
size_t
cat_search_bytes(const struct cat_search *s)
{
	return s != NULL ? s->bytes + s->memo_bytes : 0;
}

/* For the catalog's log line: what the index holds and takes. */
const char *
cat_search_stats(const struct cat_search *s, struct arena *a)
{
	uint32_t	i, nbitmaps = 0;

	if (s == NULL)
		return "no search index";
	for (i = 0; i < s->nlists; i++)
		nbitmaps += cs_is_bitmap(s, &s->lists[i]);
	return arena_printf(a, "search index %zu KB%s: %u name keys (%u as "
	    "bitmaps) %zu KB, %u codes %zu KB, built in %.1f ms",
	    (((size_t)s->nlists + 1) * sizeof(*s->lists) + (s->nwords_all +
	    1) * sizeof(*s->words) + s->codes_len + 1 + ((size_t)s->ncodes /
	    CS_BLOCK + 1) * sizeof(uint32_t)) / 1024, s->mapped ?
	    " in the file" : "", s->nlists, nbitmaps, ((size_t)s->nlists *
	    sizeof(*s->lists) + s->nwords_all * sizeof(*s->words)) / 1024,
	    s->ncodes, (s->codes_len + s->ncodes / CS_BLOCK *
	    sizeof(uint32_t)) / 1024, s->build_ms);
}

/* Why q cannot be searched for, or NULL. */
const char *
cat_search_problem(const char *q)
{
	if (!utf8_valid(q, strlen(q)))
		return "搜索词含有无效字符";
	if (utf8_len(q) > CAT_SEARCH_CHARS_MAX)
		return "搜索词太长（最多 100 个字符）";
	return NULL;
}
