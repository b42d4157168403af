/*
 * catalog_search.c -- a storefront search over a catalog's index
 * (catalog_search_build.c), without a database query and without
 * looking at every product. The query is folded (case, full-width
 * forms) and split at spaces into words; a product matches when its
 * name holds every word, or when the query (one word) is or starts one
 * of its codes. Candidates come from the rarest of the words' bigram
 * lists, intersected with the next rarest (CAT_SEARCH_LISTS_MAX in
 * all), and are then verified against the name itself: results are
 * exact. Bitmaps of every product (in the request's arena) carry the
 * storefront and category filter, the ranks and the result.
 *
 * Work per search: at most 99 list lookups (100 characters); 8 lists
 * intersected, driven by the shortest (an array: its length times a
 * galloping step per other list; bitmaps: a word operation per 32
 * products); each candidate verified once; a one-character query is the
 * union of the lists its character starts; a code prefix costs two
 * binary searches and one step per code that has it; and a handful of
 * passes over bitmaps of nproducts bits.
 */
#include "base/base.h"
#include "domain/catalog.h"
#include "domain/catalog_search.h"
#include "domain/catalog_search_int.h"

struct term {
	const char	*s;		/* folded */
	size_t		 len;
	size_t		 ncp;
	uint32_t	 cp0;
	int		 verify;	/* the lists do not prove it */
	const struct cs_list *pair;	/* a two-character word's list */
};

struct query {
	const struct cat_search	*s;
	const struct catalog	*cat;
	struct arena		*a;
	struct term		*t;
	int			 nt;
	int			 nverify;
	const uint32_t		*allow;		/* the filter's bitmap */
	char			*fold;		/* a name, folded */
	size_t			 fold_cap;
};

struct pick {
	const struct cs_list	*l;
	int			 term;
};

static uint32_t *
bitmap_new(const struct query *qy)
{
	return arena_calloc(qy->a, qy->s->nwords + 1, sizeof(uint32_t));
}

static const uint32_t *
list_words(const struct cat_search *s, const struct cs_list *l)
{
	return s->words + l->off;
}

static const struct cs_list *
find_list(const struct cat_search *s, uint64_t key)
{
	uint32_t	lo = 0, hi = s->nlists, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->lists[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nlists && s->lists[lo].key == key ? &s->lists[lo] :
	    NULL;
}

/* The index of the first list whose key is not below key. */
static uint32_t
list_at(const struct cat_search *s, uint64_t key)
{
	const struct cs_list	*l;
	uint32_t		 lo = 0, hi = s->nlists, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		l = &s->lists[mid];
		if (l->key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does the sorted v[n] hold x? *at only moves forward: x only grows. */
static int
has(const uint32_t *v, uint32_t n, uint32_t *at, uint32_t x)
{
	uint32_t	lo = *at, hi, step = 1, mid;

	if (lo >= n)
		return 0;
	if (v[lo] < x) {
		while (lo + step < n && v[lo + step] < x) {
			lo += step;
			step *= 2;
		}
		hi = lo + step < n ? lo + step : n;
		lo++;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (v[mid] < x)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	*at = lo;
	return lo < n && v[lo] == x;
}

/* ------------------------------------------------------------ words */

/* q folded and split at spaces; the number of words. */
static int
split(struct query *qy, const char *q)
{
	char		*f = arena_alloc(qy->a, 3 * strlen(q) + 1), *p, *end;
	const char	*r;
	struct term	*t;
	size_t		 n = cs_fold(q, f);

	qy->t = arena_alloc(qy->a, (n / 2 + 1) * sizeof(*qy->t));
	qy->nt = 0;
	for (p = f, end = f + n;;) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		t = &qy->t[qy->nt++];
		memset(t, 0, sizeof(*t));
		t->s = p;
		while (p < end && *p != ' ')
			p++;
		*p = '\0';
		t->len = (size_t)(p - t->s);
		t->ncp = utf8_len(t->s);
		r = t->s;
		t->cp0 = cs_next(&r);
		if (p < end)
			p++;
	}
	return qy->nt;
}

/* The product's name folded, in a buffer of the query's. */
static const char *
folded_name(struct query *qy, uint32_t x)
{
	const char	*name = qy->cat->pool.p + qy->cat->products[x].name;
	size_t		 need = 3 * strlen(name) + 1;

	if (need > qy->fold_cap) {
		qy->fold_cap = need < 1024 ? 1024 : need;
		qy->fold = arena_alloc(qy->a, qy->fold_cap);
	}
	cs_fold(name, qy->fold);
	return qy->fold;
}

/* Does product x's name hold every word the lists do not prove? The raw
 * name first: a folded word found there is in the folded name too. */
static int
verify(struct query *qy, uint32_t x)
{
	const char	*raw = qy->cat->pool.p + qy->cat->products[x].name;
	const char	*f = NULL;
	int		 i;

	for (i = 0; i < qy->nt; i++) {
		if (!qy->t[i].verify || strstr(raw, qy->t[i].s) != NULL)
			continue;
		if (f == NULL)
			f = folded_name(qy, x);
		if (strstr(f, qy->t[i].s) == NULL)
			return 0;
	}
	return 1;
}

/* Does product x's name start with the first word? */
static int
name_starts(struct query *qy, uint32_t x)
{
	const char	*raw = qy->cat->pool.p + qy->cat->products[x].name;
	const char	*f;

	while (*raw == ' ')
		raw++;
	if (strncmp(raw, qy->t[0].s, qy->t[0].len) == 0)
		return 1;
	for (f = folded_name(qy, x); *f == ' '; f++)
		;
	return strncmp(f, qy->t[0].s, qy->t[0].len) == 0;
}

/* Clear the bits of m whose product fails fn. */
static void
keep_only(struct query *qy, uint32_t *m, int (*fn)(struct query *,
    uint32_t))
{
	uint32_t	w, b, bit;

	for (w = 0; w < qy->s->nwords; w++)
		for (b = m[w]; b != 0; b &= b - 1) {
			bit = (uint32_t)__builtin_ctz(b);
			if (!fn(qy, w * 32 + bit))
				m[w] &= ~((uint32_t)1 << bit);
		}
}

/* ------------------------------------------------------------ names */

/* Is l among the first k of v? */
static int
picked(const struct pick *v, int k, const struct cs_list *l)
{
	int	i;

	for (i = 0; i < k; i++)
		if (v[i].l == l)
			return 1;
	return 0;
}

/*
 * The bigram lists of the words of two characters or more, rarest
 * first, each once; the first CAT_SEARCH_LISTS_MAX are intersected.
 * Every word is verified but a two-character one whose list is among
 * those. -1 when a bigram is in no name: nothing matches.
 */
static int
pick_lists(struct query *qy, struct pick **out)
{
	const struct cat_search	*s = qy->s;
	struct pick		*v, x;
	struct term		*t;
	const char		*r;
	uint32_t		 a, b;
	int			 i, j, n = 0, k;

	v = arena_alloc(qy->a, (CAT_SEARCH_CHARS_MAX + 1) * sizeof(*v));
	for (i = 0; i < qy->nt; i++) {
		t = &qy->t[i];
		if (t->ncp < 2)
			continue;
		for (r = t->s, a = cs_next(&r); (b = cs_next(&r)) != 0 &&
		    n <= CAT_SEARCH_CHARS_MAX; a = b) {
			if ((x.l = find_list(s, CS_KEY(a, b))) == NULL)
				return -1;
			x.term = i;
			t->pair = x.l;
			for (j = n; j > 0 && v[j - 1].l->n > x.l->n; j--)
				v[j] = v[j - 1];
			v[j] = x;
			n++;
		}
	}
	for (i = k = 0; i < n; i++)
		if (!picked(v, k, v[i].l))
			v[k++] = v[i];
	if (k > CAT_SEARCH_LISTS_MAX)
		k = CAT_SEARCH_LISTS_MAX;
	for (i = 0; i < qy->nt; i++) {
		t = &qy->t[i];
		t->verify = t->ncp != 2 || !picked(v, k, t->pair);
	}
	*out = v;
	return k;
}

/* The products in every picked list, allowed, verified. */
static uint32_t *
intersect(struct query *qy, const struct pick *v, int k)
{
	const struct cat_search	*s = qy->s;
	const uint32_t		*a = list_words(s, v[0].l);
	uint32_t		*m = bitmap_new(qy), at[CAT_SEARCH_LISTS_MAX];
	uint32_t		 i, w, x;
	int			 j;

	if (cs_is_bitmap(s, v[0].l)) {	/* then so are the others */
		for (w = 0; w < s->nwords; w++)
			m[w] = qy->allow[w] & a[w];
		for (j = 1; j < k; j++)
			for (a = list_words(s, v[j].l), w = 0; w < s->nwords;
			    w++)
				m[w] &= a[w];
		if (qy->nverify > 0)
			keep_only(qy, m, verify);
		return m;
	}
	memset(at, 0, sizeof(at));
	for (i = 0; i < v[0].l->n; i++) {
		x = a[i];
		if (!cs_bit(qy->allow, x))
			continue;
		for (j = 1; j < k; j++)
			if (cs_is_bitmap(s, v[j].l) ? !cs_bit(list_words(s,
			    v[j].l), x) : !has(list_words(s, v[j].l),
			    v[j].l->n, &at[j], x))
				break;
		if (j == k && (qy->nverify == 0 || verify(qy, x)))
			cs_set(m, x);
	}
	return m;
}

/* Words of one character: the union of the lists that character starts
 * (every character of a name starts one), of the word whose lists hold
 * the fewest products; the other words are verified. */
static uint32_t *
one_chars(struct query *qy)
{
	const struct cat_search	*s = qy->s;
	const uint32_t		*a;
	uint32_t		*m, lo, hi, best_lo = 0, best_hi = 0, i, w;
	uint64_t		 sum, best = UINT64_MAX;
	int			 t, bt = -1;

	for (t = 0; t < qy->nt; t++) {
		lo = list_at(s, CS_KEY(qy->t[t].cp0, 0));
		hi = list_at(s, CS_KEY(qy->t[t].cp0 + 1, 0));
		for (sum = 0, i = lo; i < hi; i++)
			sum += s->lists[i].n;
		if (sum == 0)
			return NULL;
		if (sum < best) {
			best = sum, bt = t;
			best_lo = lo, best_hi = hi;
		}
	}
	for (t = 0; t < qy->nt; t++)
		qy->t[t].verify = t != bt;
	qy->nverify = qy->nt - 1;
	m = bitmap_new(qy);
	for (i = best_lo; i < best_hi; i++) {
		a = list_words(s, &s->lists[i]);
		if (cs_is_bitmap(s, &s->lists[i]))
			for (w = 0; w < s->nwords; w++)
				m[w] |= a[w];
		else
			for (w = 0; w < s->lists[i].n; w++)
				cs_set(m, a[w]);
	}
	for (w = 0; w < s->nwords; w++)
		m[w] &= qy->allow[w];
	if (qy->nverify > 0)
		keep_only(qy, m, verify);
	return m;
}

/* The allowed products whose name holds every word; NULL for none. */
static uint32_t *
name_matches(struct query *qy)
{
	struct pick	*v;
	int		 k, i;

	if ((k = pick_lists(qy, &v)) == -1)
		return NULL;
	if (k == 0)
		return one_chars(qy);
	for (qy->nverify = 0, i = 0; i < qy->nt; i++)
		qy->nverify += qy->t[i].verify;
	return intersect(qy, v, k);
}

/* Of the name matches m, those whose name starts with the first word. */
static uint32_t *
name_prefix(struct query *qy, const uint32_t *m)
{
	const struct cat_search	*s = qy->s;
	const struct cs_list	*l;
	const uint32_t		*a;
	uint32_t		*p = bitmap_new(qy), w, i;

	if ((l = find_list(s, CS_KEY(CS_START, qy->t[0].cp0))) == NULL)
		return p;
	a = list_words(s, l);
	if (cs_is_bitmap(s, l))
		for (w = 0; w < s->nwords; w++)
			p[w] = m[w] & a[w];
	else
		for (i = 0; i < l->n; i++)
			if (cs_bit(m, a[i]))
				cs_set(p, a[i]);
	if (qy->t[0].ncp > 1)
		keep_only(qy, p, name_starts);
	return p;
}

/* ------------------------------------------------------------ codes */

/* Code (NUL-terminated) against q[0..n) as unsigned bytes. */
static int
cmp_code(const char *code, const char *q, size_t n)
{
	size_t	i;
	int	d;

	for (i = 0; i < n; i++) {
		if (code[i] == '\0')
			return -1;
		if ((d = (unsigned char)code[i] - (unsigned char)q[i]) != 0)
			return d;
	}
	return code[n] != '\0';
}

/* The index of the first code not below q[0..n). */
static uint32_t
code_at(const struct cat_search *s, const char *q, size_t n)
{
	char		 cur[CAT_SEARCH_CODE_MAX + 1];
	const char	*p;
	uint32_t	 lo = 0, hi = (s->ncodes + CS_BLOCK - 1) / CS_BLOCK, mid;
	uint32_t	 b, j, end;
	size_t		 lcp;

	while (lo < hi) {	/* the blocks whose first code is below q */
		mid = lo + (hi - lo) / 2;
		if (cmp_code(s->codes + s->blocks[mid], q, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	b = lo - 1;
	p = s->codes + s->blocks[b];
	end = b * CS_BLOCK + CS_BLOCK < s->ncodes ? b * CS_BLOCK + CS_BLOCK :
	    s->ncodes;
	for (j = b * CS_BLOCK; j < end; j++) {
		if (j == b * CS_BLOCK)
			lcp = 0;
		else
			lcp = (unsigned char)*p++;
		memcpy(cur + lcp, p, strlen(p) + 1);
		p += strlen(p) + 1;
		if (cmp_code(cur, q, n) >= 0)
			return j;
	}
	return end;
}

/* Products with a code that is the word (exact) or starts with it. */
static void
code_matches(struct query *qy, uint32_t **exact, uint32_t **prefix)
{
	const struct cat_search	*s = qy->s;
	const struct term	*t = &qy->t[0];
	char			*b;
	uint32_t		 lo, ex, hi, i, w;

	*exact = *prefix = NULL;
	if (qy->nt != 1 || t->len > CAT_SEARCH_CODE_MAX || s->ncodes == 0)
		return;
	b = arena_alloc(qy->a, t->len + 1);
	memcpy(b, t->s, t->len);
	lo = code_at(s, b, t->len);
	b[t->len] = '\x01';	/* below every longer code with the prefix */
	ex = code_at(s, b, t->len + 1);
	b[t->len] = '\xff';	/* above them all: no UTF-8 byte is 0xff */
	hi = code_at(s, b, t->len + 1);
	if (lo == hi)
		return;
	*exact = bitmap_new(qy);
	*prefix = bitmap_new(qy);
	for (i = lo; i < ex; i++)
		cs_set(*exact, s->code_prod[i]);
	for (i = ex; i < hi; i++)
		cs_set(*prefix, s->code_prod[i]);
	for (w = 0; w < s->nwords; w++) {
		(*exact)[w] &= qy->allow[w];
		(*prefix)[w] &= qy->allow[w] & ~(*exact)[w];
	}
}

/* ------------------------------------------------------------ a query */

/* The storefront's bitmap, narrowed to a category's products. */
static const uint32_t *
allowed(struct query *qy, const struct cat_search_filter *f)
{
	const uint32_t	*listed;
	uint32_t	*m, i, w;
	int		 slot;

	if ((slot = cs_mode_slot(f->mode)) == -1)
		return bitmap_new(qy);
	listed = qy->s->words + qy->s->listed[slot];
	if (f->only == NULL)
		return listed;
	m = bitmap_new(qy);
	for (i = 0; i < f->nonly; i++)
		if (f->only[i] < qy->s->nproducts)
			cs_set(m, f->only[i]);
	for (w = 0; w < qy->s->nwords; w++)
		m[w] &= listed[w];
	return m;
}

static uint32_t
emit(const uint32_t *m, uint32_t nwords, uint32_t *out)
{
	uint32_t	w, b, n = 0;

	for (w = 0; m != NULL && w < nwords; w++)
		for (b = m[w]; b != 0; b &= b - 1)
			out[n++] = w * 32 + (uint32_t)__builtin_ctz(b);
	return n;
}

static uint32_t
count(const uint32_t *m, uint32_t nwords)
{
	uint32_t	w, n = 0;

	for (w = 0; m != NULL && w < nwords; w++)
		n += (uint32_t)__builtin_popcount(m[w]);
	return n;
}

/*
 * The products of the storefront and category in f that match q, by
 * rank (struct cat_hits). Returns the number of words in q: 0 when it
 * has none (the whole list, not a search). q is valid UTF-8 of at most
 * CAT_SEARCH_CHARS_MAX characters (cat_search_problem); -1 if not.
 */
int
cat_search_query(const struct cat_search *s, const struct catalog *cat,
    const char *q, const struct cat_search_filter *f, struct arena *a,
    struct cat_hits *h)
{
	struct query	 qy;
	uint32_t	*rank[CAT_RANKS], w, r, n = 0;

	memset(h, 0, sizeof(*h));
	if (cat_search_problem(q) != NULL)
		return -1;
	memset(&qy, 0, sizeof(qy));
	qy.s = s;
	qy.cat = cat;
	qy.a = a;
	if (split(&qy, q) == 0)
		return 0;
	if (s == NULL || s->nproducts == 0)
		return qy.nt;
	qy.allow = allowed(&qy, f);
	code_matches(&qy, &rank[CAT_RANK_CODE], &rank[CAT_RANK_CODE_PREFIX]);
	rank[CAT_RANK_NAME] = name_matches(&qy);
	rank[CAT_RANK_NAME_PREFIX] = NULL;
	if (rank[CAT_RANK_NAME] != NULL) {
		if (rank[CAT_RANK_CODE] != NULL)
			for (w = 0; w < s->nwords; w++)
				rank[CAT_RANK_NAME][w] &=
				    ~(rank[CAT_RANK_CODE][w] |
				    rank[CAT_RANK_CODE_PREFIX][w]);
		rank[CAT_RANK_NAME_PREFIX] = name_prefix(&qy,
		    rank[CAT_RANK_NAME]);
		for (w = 0; w < s->nwords; w++)
			rank[CAT_RANK_NAME][w] &=
			    ~rank[CAT_RANK_NAME_PREFIX][w];
	}
	for (r = 0; r < CAT_RANKS; r++)
		n += h->nrank[r] = count(rank[r], s->nwords);
	h->idx = arena_alloc(a, ((size_t)n + 1) * sizeof(*h->idx));
	for (r = 0; r < CAT_RANKS; r++)
		h->n += emit(rank[r], s->nwords, h->idx + h->n);
	return qy.nt;
}
