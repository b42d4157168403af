/*
 * catalog_search_int.h -- the search index's layout and what its two
 * files share: catalog_search_build.c (folding text, building) and
 * catalog_search.c (queries). For those two only; the API is
 * catalog_search.h.
 */
#ifndef DOMAIN_CATALOG_SEARCH_INT_H
#define DOMAIN_CATALOG_SEARCH_INT_H

#include "base/base.h"
#include "domain/catalog_search.h"

/*
 * A name's keys: each pair of neighbouring characters of a word, the
 * first character after START (the name's start, for the name-prefix
 * rank), the last before END (a word's end, so that every character of
 * a name starts some key: a one-character query is the union of the
 * lists whose key starts with it). Characters are 21 bits.
 */
#define CS_START	0
#define CS_END		0
#define CS_KEY(a, b)	(((uint64_t)(a) << 21) | (uint64_t)(b))
#define CS_KEY_FIRST(k)	((uint32_t)((k) >> 21))
#define CS_BLOCK	16		/* codes per front-coded block */
#define CS_MODES	3		/* ordering, wholesale, retail */

/*
 * One posting list: the products whose name has the key, ascending. It
 * is a sorted array of n product indexes, or, when that would take more
 * room than a bitmap of every product (n > nwords), that bitmap.
 */
struct cs_list {
	uint64_t	 key;
	uint32_t	 off;		/* in words[] */
	uint32_t	 n;
};

/* A code while the catalog loads: folded text in tmp, its first eight
 * bytes big-endian (sorting compares those first) and its product. */
struct cs_code {
	uint64_t	 pre;
	uint32_t	 off;
	uint32_t	 prod;
};

struct cat_search {
	uint32_t	 nproducts;
	uint32_t	 nwords;	/* of a bitmap of nproducts bits */
	struct cs_list	*lists;		/* by key */
	uint32_t	 nlists;
	uint32_t	*words;		/* the lists and bitmaps, one arena */
	size_t		 nwords_all;
	uint32_t	 listed[CS_MODES];	/* bitmaps (offsets in words):
						 * what each storefront lists */
	/* Codes, sorted (bytes, then product), front-coded in blocks of
	 * CS_BLOCK: a block's first code whole, each next one as the
	 * length it shares with the one before (a byte) and the rest. */
	char		*codes;
	size_t		 codes_len;
	uint32_t	*blocks;	/* offsets in codes */
	uint32_t	*code_prod;	/* each code's product */
	uint32_t	 ncodes;
	/* While the catalog loads. */
	struct buf	 tmp;
	struct cs_code	*tmp_codes;
	uint32_t	 ntmp, cap_tmp;
	size_t		 bytes;
	double		 build_ms;
};

static inline int
cs_bit(const uint32_t *bm, uint32_t i)
{
	return (bm[i >> 5] >> (i & 31)) & 1;
}

static inline void
cs_set(uint32_t *bm, uint32_t i)
{
	bm[i >> 5] |= (uint32_t)1 << (i & 31);
}

static inline int
cs_is_bitmap(const struct cat_search *s, const struct cs_list *l)
{
	return l->n > s->nwords;
}

static inline int
cs_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

uint32_t	 cs_next(const char **);
size_t		 cs_fold(const char *, char *);
int		 cs_mode_slot(int);

#endif /* DOMAIN_CATALOG_SEARCH_INT_H */
