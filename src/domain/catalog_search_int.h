/*
 * catalog_search_int.h -- the search index's layout and what its two
 * files share: catalog_search_build.c (folding text, building),
 * catalog_search.c (queries) and catalog_search_memo.c (words' results
 * kept). For those only; the API is catalog_search.h.
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
#define CS_MEMO_SLOTS	32		/* words' results kept */
#define CS_MEMO_BYTES	(512 * 1024)	/* fewer slots for big catalogs */
#define CS_MEMO_MIN	256		/* names verified or codes marked
					 * before a result is worth keeping */

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

/* What a word matches in the whole catalog, once it took verifying: a
 * bitmap of every product, kept for the next pages, storefronts and
 * shoppers (least recently used out). Per worker, like the catalog. */
enum cs_memo_kind { CS_MEMO_HAS, CS_MEMO_STARTS, CS_MEMO_CODE,
	CS_MEMO_CODE_PREFIX };
struct cs_memo {
	char		*word;		/* folded; NULL: a free slot */
	int		 kind;
	uint32_t	*bm;
	uint32_t	 n;		/* bits set */
	uint64_t	 used;
	uint64_t	 gen;		/* the search that last read it */
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
	 * length it shares with the one before (a byte) and the rest; after
	 * each its product, as a varint: the block's first whole, the
	 * others as the zigzag difference from the one before (a product's
	 * codes sort together: mostly one byte). */
	char		*codes;
	size_t		 codes_len;
	uint32_t	*blocks;	/* offsets in codes */
	uint32_t	 ncodes;
	/* Results of words, filled by searches. */
	struct cs_memo	 memo[CS_MEMO_SLOTS];
	uint64_t	 memo_clock;
	uint64_t	 memo_gen;	/* searches: one's reads stay put */
	uint64_t	 memo_hits;
	size_t		 memo_bytes;
	/* While the catalog loads. */
	struct buf	 tmp;
	struct cs_code	*tmp_codes;
	uint32_t	 ntmp, cap_tmp;
	size_t		 bytes;
	double		 build_ms;
	int		 mapped;	/* arrays in a catalog file's map */
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

/* Set bits of x (the build has no POPCNT: __builtin_popcount would call
 * a slow library function). */
static inline uint32_t
cs_popcount(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555);
	x = (x & 0x33333333) + ((x >> 2) & 0x33333333);
	x = (x + (x >> 4)) & 0x0f0f0f0f;
	return (x * 0x01010101) >> 24;
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

const uint32_t	*cs_memo_get(struct cat_search *, int, const char *,
		     uint32_t *);
void		 cs_memo_put(struct cat_search *, int, const char *,
		     const uint32_t *);
void		 cs_memo_free(struct cat_search *);
const char	*cs_code_next(const char *, char *, int, uint32_t *);
uint32_t	 cs_next(const char **);
size_t		 cs_fold(const char *, char *);
int		 cs_mode_slot(int);

#endif /* DOMAIN_CATALOG_SEARCH_INT_H */
