/*
 * catalog_search_memo.c -- words' results kept with a catalog's search
 * index: the products whose name holds a word (or starts with it, or
 * whose code is or starts with it), once finding them took verifying
 * names one by one. A bitmap of every product each, whatever the
 * storefront and category, so the next page, storefront or shopper
 * asks for the same word at the cost of a bitmap. CS_MEMO_SLOTS, and
 * fewer when bitmaps are big (CS_MEMO_BYTES in all), the least recently
 * used out; gone with the catalog version they were found in.
 */
#include "base/base.h"
#include "domain/catalog_search.h"
#include "domain/catalog_search_int.h"

static uint32_t
slots(const struct cat_search *s)
{
	size_t	n = CS_MEMO_BYTES / (((size_t)s->nwords + 1) * sizeof(uint32_t));

	return n < 1 ? 1 : n > CS_MEMO_SLOTS ? CS_MEMO_SLOTS : (uint32_t)n;
}

/* The bitmap kept for word, and its count in *n; NULL if none. */
const uint32_t *
cs_memo_get(struct cat_search *s, int kind, const char *word, uint32_t *n)
{
	struct cs_memo	*m;
	uint32_t	 i;

	for (i = 0; i < CS_MEMO_SLOTS; i++) {
		m = &s->memo[i];
		if (m->word != NULL && m->kind == kind &&
		    strcmp(m->word, word) == 0) {
			m->used = ++s->memo_clock;
			m->gen = s->memo_gen;
			s->memo_hits++;
			*n = m->n;
			return m->bm;
		}
	}
	return NULL;
}

/* Keep a copy of bm (every product that matches word), in a free slot
 * (or its own, found again) or the least recently used one; never one
 * this search has read. */
void
cs_memo_put(struct cat_search *s, int kind, const char *word,
    const uint32_t *bm)
{
	struct cs_memo	*m = NULL, *o;
	size_t		 bytes = ((size_t)s->nwords + 1) * sizeof(uint32_t);
	uint32_t	 i, w;

	for (i = 0; i < slots(s); i++) {
		o = &s->memo[i];
		if (o->word == NULL || (o->kind == kind &&
		    strcmp(o->word, word) == 0)) {
			m = o;
			break;
		}
		if (o->gen != s->memo_gen && (m == NULL || o->used < m->used))
			m = o;
	}
	if (m == NULL)
		return;
	m->gen = s->memo_gen;
	if (m->word == NULL) {
		m->bm = xmalloc(bytes);
		s->memo_bytes += bytes + strlen(word) + 1;
	} else {
		s->memo_bytes -= strlen(m->word) + 1;
		s->memo_bytes += strlen(word) + 1;
		free(m->word);
	}
	m->word = xstrdup(word);
	m->kind = kind;
	memcpy(m->bm, bm, (size_t)s->nwords * sizeof(uint32_t));
	m->bm[s->nwords] = 0;
	for (m->n = 0, w = 0; w < s->nwords; w++)
		m->n += cs_popcount(bm[w]);
	m->used = ++s->memo_clock;
}

void
cs_memo_free(struct cat_search *s)
{
	uint32_t	i;

	for (i = 0; i < CS_MEMO_SLOTS; i++) {
		free(s->memo[i].word);
		free(s->memo[i].bm);
	}
	memset(s->memo, 0, sizeof(s->memo));
	s->memo_bytes = 0;
}
