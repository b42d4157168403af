/*
 * catalog_search.c -- a storefront search over a catalog's index
 * (catalog_search_build.c), without a database query and without
 * looking at every product. The query is folded (case, full-width
 * forms) and split at spaces into words; a product matches when its
 * name holds every word, or when the query (one word) is or starts one
 * of its codes. A word of two characters is its bigram's list, one of
 * one character the union of the lists it starts; a longer one takes
 * its rarest bigram list, intersected with the next rarest
 * (CAT_SEARCH_LISTS_MAX in all), and verifies the candidates against
 * the names: results are exact. The rarest word goes first, the others
 * only narrow what it found. Bitmaps of every product (in the request's
 * arena) carry the storefront and category filter, the ranks and the
 * result; what took verifying is kept (catalog_search_memo.c).
 *
 * Work per search, at most: 99 list lookups (100 characters); per word,
 * 8 lists intersected, driven by the shortest (an array: a galloping
 * step per other list per entry; bitmaps: a word operation per 32
 * products), and one verification per candidate; a one-character word
 * the union of its lists; a code prefix two binary searches and one
 * step per code that has it; and a few passes over bitmaps of
 * nproducts bits. A word kept in the memo costs one pass.
 */
#include "base/base.h"
#include "domain/catalog.h"
#include "domain/catalog_search.h"
#include "domain/catalog_search_int.h"

struct pick {
	const struct cs_list	*l;
};

struct term {
	const char		*s;		/* folded */
	size_t			 len;
	size_t			 ncp;
	uint32_t		 cp0;
	struct pick		*v;		/* its bigram lists, rarest
						 * first, or for one character
						 * the lists [lo, hi) */
	uint32_t		 nv, lo, hi;
	const uint32_t		*exact;		/* every product with it */
	uint64_t		 est;		/* products with it, at most */
};

struct query {
	struct cat_search	*s;
	const struct catalog	*cat;
	struct arena		*a;
	struct term		*t;
	int			 nt;
	const uint32_t		*allow;		/* the filter's bitmap */
	char			*fold;		/* a name, folded */
	size_t			 fold_cap;
};

typedef int	(*cs_test)(struct query *, uint32_t, const struct term *);

static uint32_t *
bitmap_new(const struct query *qy)
{
	return arena_calloc(qy->a, qy->s->nwords + 1, sizeof(uint32_t));
}

static uint32_t *
bitmap_and(const struct query *qy, const uint32_t *x, const uint32_t *y)
{
	uint32_t	*m = bitmap_new(qy), w;

	for (w = 0; w < qy->s->nwords; w++)
		m[w] = x[w] & y[w];
	return m;
}

static uint32_t
count(const uint32_t *m, uint32_t nwords)
{
	uint32_t	w, n = 0;

	for (w = 0; m != NULL && w < nwords; w++)
		n += cs_popcount(m[w]);
	return n;
}

static const uint32_t *
list_words(const struct cat_search *s, const struct cs_list *l)
{
	return s->words + l->off;
}

/* The index of the first list whose key is not below key. */
static uint32_t
list_at(const struct cat_search *s, uint64_t key)
{
	uint32_t	lo = 0, hi = s->nlists, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->lists[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct cs_list *
find_list(const struct cat_search *s, uint64_t key)
{
	uint32_t	i = list_at(s, key);

	return i < s->nlists && s->lists[i].key == key ? &s->lists[i] : NULL;
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

/* m narrowed to list l, in a new bitmap when l is an array. */
static uint32_t *
and_list(const struct query *qy, uint32_t *m, const struct cs_list *l)
{
	const uint32_t	*a = list_words(qy->s, l);
	uint32_t	*z, i, w;

	if (cs_is_bitmap(qy->s, l)) {
		for (w = 0; w < qy->s->nwords; w++)
			m[w] &= a[w];
		return m;
	}
	z = bitmap_new(qy);
	for (i = 0; i < l->n; i++)
		if (cs_bit(m, a[i]))
			cs_set(z, a[i]);
	return z;
}

/* ------------------------------------------------------ verifying */

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

static const char *
raw_name(const struct query *qy, uint32_t x)
{
	return qy->cat->pool.p + qy->cat->products[x].name;
}

/* The product's name folded, in a buffer of the query's. */
static const char *
folded_name(struct query *qy, uint32_t x)
{
	const char	*name = raw_name(qy, x);
	size_t		 need = 3 * strlen(name) + 1;

	if (need > qy->fold_cap) {
		qy->fold_cap = need < 1024 ? 1024 : need;
		qy->fold = arena_alloc(qy->a, qy->fold_cap);
	}
	cs_fold(name, qy->fold);
	return qy->fold;
}

/* Does s hold the n bytes of w? Names are short: a plain loop beats
 * strstr's set-up. */
static int
holds(const char *s, const char *w, size_t n)
{
	unsigned char	c = (unsigned char)w[0];

	for (; *s != '\0'; s++)
		if ((unsigned char)*s == c && strncmp(s, w, n) == 0)
			return 1;
	return 0;
}

/* Does product x's name hold word t? The raw name first: a folded word
 * found there is in the folded name too. */
static int
name_holds(struct query *qy, uint32_t x, const struct term *t)
{
	return holds(raw_name(qy, x), t->s, t->len) ||
	    holds(folded_name(qy, x), t->s, t->len);
}

/* Does product x's name start with word t? */
static int
name_starts(struct query *qy, uint32_t x, const struct term *t)
{
	const char	*raw = raw_name(qy, x), *f;

	while (*raw == ' ')
		raw++;
	if (strncmp(raw, t->s, t->len) == 0)
		return 1;
	for (f = folded_name(qy, x); *f == ' '; f++)
		;
	return strncmp(f, t->s, t->len) == 0;
}

/*
 * Clear the bits of m whose product fails fn; how many were looked at.
 * The candidates are taken out first so that each name can be asked for
 * from memory before it is read: a common word has thousands, apart.
 */
static uint32_t
keep_only(struct query *qy, uint32_t *m, cs_test fn, const struct term *t)
{
	const struct cat_product	*p = qy->cat->products;
	const char			*pool = qy->cat->pool.p;
	uint32_t			*v, n, w, b, i;

	v = arena_alloc(qy->a, ((size_t)count(m, qy->s->nwords) + 1) *
	    sizeof(*v));
	for (n = 0, w = 0; w < qy->s->nwords; w++)
		for (b = m[w]; b != 0; b &= b - 1)
			v[n++] = w * 32 + (uint32_t)__builtin_ctz(b);
	for (i = 0; i < n; i++) {
		if (i + 16 < n)
			__builtin_prefetch(&p[v[i + 16]]);
		if (i + 8 < n)
			__builtin_prefetch(pool + p[v[i + 8]].name);
		if (!fn(qy, v[i], t))
			m[v[i] >> 5] &= ~((uint32_t)1 << (v[i] & 31));
	}
	return n;
}

/* ------------------------------------------------------------ words */

/*
 * What the index knows of word t before reading any list: a result kept
 * from an earlier search, or its bigram lists (rarest first, each once,
 * CAT_SEARCH_LISTS_MAX of them), or for one character the lists it
 * starts; and how many products it may match. -1 when it cannot match.
 */
static int
plan(struct query *qy, struct term *t)
{
	const struct cat_search	*s = qy->s;
	const struct cs_list	*l;
	const char		*r;
	uint32_t		 a, b, i, j, n;

	if ((t->exact = cs_memo_get(qy->s, CS_MEMO_HAS, t->s, &n)) != NULL) {
		t->est = n;
		return n > 0 ? 0 : -1;
	}
	if (t->ncp == 1) {
		t->lo = list_at(s, CS_KEY(t->cp0, 0));
		t->hi = list_at(s, CS_KEY(t->cp0 + 1, 0));
		for (i = t->lo; i < t->hi; i++)
			t->est += s->lists[i].n;
		return t->est > 0 ? 0 : -1;
	}
	t->v = arena_alloc(qy->a, t->ncp * sizeof(*t->v));
	for (r = t->s, a = cs_next(&r); (b = cs_next(&r)) != 0; a = b) {
		if ((l = find_list(s, CS_KEY(a, b))) == NULL)
			return -1;
		for (i = 0; i < t->nv && t->v[i].l != l; i++)
			;
		if (i < t->nv)
			continue;	/* the same bigram again */
		for (j = t->nv++; j > 0 && t->v[j - 1].l->n > l->n; j--)
			t->v[j] = t->v[j - 1];
		t->v[j].l = l;
	}
	if (t->nv > CAT_SEARCH_LISTS_MAX)
		t->nv = CAT_SEARCH_LISTS_MAX;
	t->est = t->v[0].l->n;
	return 0;
}

/* The products in every list of t, as a new bitmap. */
static uint32_t *
candidates(struct query *qy, const struct term *t)
{
	const struct cat_search	*s = qy->s;
	const uint32_t		*a = list_words(s, t->v[0].l);
	uint32_t		*m, at[CAT_SEARCH_LISTS_MAX], i, w, x, j;

	if (cs_is_bitmap(s, t->v[0].l)) {	/* then so are the others */
		m = bitmap_new(qy);
		memcpy(m, a, s->nwords * sizeof(*m));
		for (j = 1; j < t->nv; j++)
			for (a = list_words(s, t->v[j].l), w = 0;
			    w < s->nwords; w++)
				m[w] &= a[w];
		return m;
	}
	m = bitmap_new(qy);
	memset(at, 0, sizeof(at));
	for (i = 0; i < t->v[0].l->n; i++) {
		x = a[i];
		for (j = 1; j < t->nv; j++)
			if (cs_is_bitmap(s, t->v[j].l) ? !cs_bit(list_words(s,
			    t->v[j].l), x) : !has(list_words(s, t->v[j].l),
			    t->v[j].l->n, &at[j], x))
				break;
		if (j == t->nv)
			cs_set(m, x);
	}
	return m;
}

/* Every product whose name holds t, whatever the storefront; kept when
 * it took verifying many names. Not to be written to. */
static const uint32_t *
exact_word(struct query *qy, struct term *t)
{
	const struct cat_search	*s = qy->s;
	const uint32_t		*a;
	uint32_t		*m, i, w;

	if (t->exact != NULL)
		return t->exact;
	if (t->ncp >= 3) {
		m = candidates(qy, t);
		if (keep_only(qy, m, name_holds, t) >= CS_MEMO_MIN)
			cs_memo_put(qy->s, CS_MEMO_HAS, t->s, m);
		return t->exact = m;
	}
	if (t->ncp == 2 && cs_is_bitmap(s, t->v[0].l))
		return t->exact = list_words(s, t->v[0].l);
	m = bitmap_new(qy);
	if (t->ncp == 2) {
		for (a = list_words(s, t->v[0].l), i = 0; i < t->v[0].l->n;
		    i++)
			cs_set(m, a[i]);
		return t->exact = m;
	}
	for (i = t->lo; i < t->hi; i++) {
		a = list_words(s, &s->lists[i]);
		if (cs_is_bitmap(s, &s->lists[i]))
			for (w = 0; w < s->nwords; w++)
				m[w] |= a[w];
		else
			for (w = 0; w < s->lists[i].n; w++)
				cs_set(m, a[w]);
	}
	if (t->hi - t->lo >= 4)
		cs_memo_put(qy->s, CS_MEMO_HAS, t->s, m);
	return t->exact = m;
}

/* m narrowed to the products whose name holds t, too. */
static uint32_t *
narrow(struct query *qy, uint32_t *m, const struct term *t)
{
	uint32_t	w, j;

	if (t->exact != NULL) {
		for (w = 0; w < qy->s->nwords; w++)
			m[w] &= t->exact[w];
		return m;
	}
	for (j = 0; j < t->nv; j++)
		m = and_list(qy, m, t->v[j].l);
	if (t->ncp != 2)
		keep_only(qy, m, name_holds, t);
	return m;
}

/* The allowed products whose name holds every word; NULL for none. The
 * word that matches the fewest goes first. */
static uint32_t *
name_matches(struct query *qy)
{
	uint32_t	*m;
	int		*order, i, j, k;

	order = arena_alloc(qy->a, qy->nt * sizeof(*order));
	for (i = 0; i < qy->nt; i++) {
		if (plan(qy, &qy->t[i]) == -1)
			return NULL;
		for (j = i; j > 0 && qy->t[order[j - 1]].est > qy->t[i].est;
		    j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	m = bitmap_and(qy, qy->allow, exact_word(qy, &qy->t[order[0]]));
	for (k = 1; k < qy->nt; k++)
		m = narrow(qy, m, &qy->t[order[k]]);
	return m;
}

/* Of the name matches m, those whose name starts with the first word;
 * NULL for none. A one-word query finds them in the whole catalog, so
 * that they can be kept. */
static uint32_t *
name_prefix(struct query *qy, uint32_t *m)
{
	struct term		*t = &qy->t[0];
	const struct cs_list	*l;
	const uint32_t		*kept;
	uint32_t		*p, n;

	if ((l = find_list(qy->s, CS_KEY(CS_START, t->cp0))) == NULL)
		return NULL;
	if (t->ncp == 1)
		return and_list(qy, bitmap_and(qy, m, m), l);
	if ((kept = cs_memo_get(qy->s, CS_MEMO_STARTS, t->s, &n)) != NULL)
		return bitmap_and(qy, m, kept);
	if (qy->nt > 1) {
		p = and_list(qy, bitmap_and(qy, m, m), l);
		keep_only(qy, p, name_starts, t);
		return p;
	}
	p = and_list(qy, bitmap_and(qy, t->exact, t->exact), l);
	if (keep_only(qy, p, name_starts, t) >= CS_MEMO_MIN)
		cs_memo_put(qy->s, CS_MEMO_STARTS, t->s, p);
	for (n = 0; n < qy->s->nwords; n++)
		p[n] &= m[n];
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
	uint32_t	 j, first, end, prod = 0;

	while (lo < hi) {	/* the blocks whose first code is below q */
		mid = lo + (hi - lo) / 2;
		if (cmp_code(s->codes + s->blocks[mid], q, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	first = (lo - 1) * CS_BLOCK;
	end = first + CS_BLOCK < s->ncodes ? first + CS_BLOCK : s->ncodes;
	for (p = s->codes + s->blocks[lo - 1], j = first; j < end; j++) {
		p = cs_code_next(p, cur, j == first, &prod);
		if (cmp_code(cur, q, n) >= 0)
			return j;
	}
	return end;
}

/* Every product with a code in [lo, hi), as a new bitmap: the blocks
 * from lo's on, read in order. */
static uint32_t *
code_products(struct query *qy, uint32_t lo, uint32_t hi)
{
	const struct cat_search	*s = qy->s;
	char			 cur[CAT_SEARCH_CODE_MAX + 1];
	const char		*p = NULL;
	uint32_t		*m = bitmap_new(qy), j, prod = 0;

	for (j = lo - lo % CS_BLOCK; j < hi; j++) {
		if (j % CS_BLOCK == 0)
			p = s->codes + s->blocks[j / CS_BLOCK];
		p = cs_code_next(p, cur, j % CS_BLOCK == 0, &prod);
		if (j >= lo && prod < s->nproducts)
			cs_set(m, prod);
	}
	return m;
}

/* The allowed products with a code that is the word (exact) or starts
 * with it (prefix, the exact ones left out); both NULL for none. */
static void
code_matches(struct query *qy, uint32_t **exact, uint32_t **prefix)
{
	struct cat_search	*s = qy->s;
	const struct term	*t = &qy->t[0];
	const uint32_t		*e, *p;
	char			*b;
	uint32_t		 lo, ex, hi, n, w;

	*exact = *prefix = NULL;
	if (qy->nt != 1 || t->len > CAT_SEARCH_CODE_MAX || s->ncodes == 0)
		return;
	if ((e = cs_memo_get(s, CS_MEMO_CODE, t->s, &n)) == NULL ||
	    (p = cs_memo_get(s, CS_MEMO_CODE_PREFIX, t->s, &n)) == NULL) {
		b = arena_alloc(qy->a, t->len + 1);
		memcpy(b, t->s, t->len);
		lo = code_at(s, b, t->len);
		b[t->len] = '\x01';	/* below the longer codes it starts */
		ex = code_at(s, b, t->len + 1);
		b[t->len] = '\xff';	/* above them: no UTF-8 byte is 0xff */
		hi = code_at(s, b, t->len + 1);
		if (lo == hi)
			return;
		e = code_products(qy, lo, ex);
		p = code_products(qy, ex, hi);
		if (hi - lo >= CS_MEMO_MIN) {
			cs_memo_put(s, CS_MEMO_CODE, t->s, e);
			cs_memo_put(s, CS_MEMO_CODE_PREFIX, t->s, p);
		}
	}
	*exact = bitmap_and(qy, e, qy->allow);
	*prefix = bitmap_and(qy, p, qy->allow);
	for (w = 0; w < s->nwords; w++)
		(*prefix)[w] &= ~(*exact)[w];
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

/* m without the products of the ranks before. */
static void
and_not(uint32_t *m, const uint32_t *x, uint32_t nwords)
{
	uint32_t	w;

	for (w = 0; m != NULL && x != NULL && w < nwords; w++)
		m[w] &= ~x[w];
}

/*
 * The products of the storefront and category in f that match q, by
 * rank (struct cat_hits). Returns the number of words in q: 0 when it
 * has none (the whole list, not a search). q is valid UTF-8 of at most
 * CAT_SEARCH_CHARS_MAX characters (cat_search_problem); -1 if not.
 * Words that took verifying are kept in s for the next searches.
 */
int
cat_search_query(struct cat_search *s, const struct catalog *cat,
    const char *q, const struct cat_search_filter *f, struct arena *a,
    struct cat_hits *h)
{
	struct query	 qy;
	uint32_t	*rank[CAT_RANKS], r, n = 0;

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
	s->memo_gen++;		/* what this search reads stays */
	qy.allow = allowed(&qy, f);
	code_matches(&qy, &rank[CAT_RANK_CODE], &rank[CAT_RANK_CODE_PREFIX]);
	rank[CAT_RANK_NAME_PREFIX] = NULL;
	if ((rank[CAT_RANK_NAME] = name_matches(&qy)) != NULL) {
		and_not(rank[CAT_RANK_NAME], rank[CAT_RANK_CODE], s->nwords);
		and_not(rank[CAT_RANK_NAME], rank[CAT_RANK_CODE_PREFIX],
		    s->nwords);
		rank[CAT_RANK_NAME_PREFIX] = name_prefix(&qy,
		    rank[CAT_RANK_NAME]);
		and_not(rank[CAT_RANK_NAME], rank[CAT_RANK_NAME_PREFIX],
		    s->nwords);
	}
	for (r = 0; r < CAT_RANKS; r++)
		n += h->nrank[r] = count(rank[r], s->nwords);
	h->idx = arena_alloc(a, ((size_t)n + 1) * sizeof(*h->idx));
	for (r = 0; r < CAT_RANKS; r++)
		h->n += emit(rank[r], s->nwords, h->idx + h->n);
	return qy.nt;
}
