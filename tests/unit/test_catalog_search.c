/* test_catalog_search.c -- the storefront search index: Chinese
 * substrings by bigrams, codes by prefix, ranks, exact results past the
 * list cap, filters, and bad input. */
#include "base/base.h"
#include "domain/shop.h"
#include "domain/catalog.h"
#include "domain/catalog_cache.h"
#include "domain/catalog_search.h"
#include "domain/catalog_search_int.h"

#include <setjmp.h>
#include <cmocka.h>

#define ALL	(SHOP_MODE_ORDERING | SHOP_MODE_WHOLESALE | SHOP_MODE_RETAIL)

struct fake {
	const char	*code;
	const char	*name;
	const char	*skus[4];	/* SKU codes and barcodes */
	int		 visible;	/* 0: every storefront */
	int		 off_shelf;
};

static struct arena	*arena;

static uint32_t
put(struct catalog *cat, const char *s)
{
	uint32_t	off = (uint32_t)cat->pool.len;

	buf_add(&cat->pool, s, strlen(s) + 1);
	return off;
}

/* A catalog of these products (index i is v[i]), its index built. */
static struct catalog *
make(const struct fake *v, uint32_t n)
{
	struct catalog		*cat = xcalloc(1, sizeof(*cat));
	struct cat_product	*p;
	uint32_t		 i, j;

	buf_init(&cat->pool, 256);
	buf_addc(&cat->pool, '\0');
	cat->search = cat_search_new();
	cat->products = xcalloc(n + 1, sizeof(*cat->products));
	for (i = 0; i < n; i++) {
		p = &cat->products[i];
		p->id = i + 1;
		p->code = put(cat, v[i].code);
		p->name = put(cat, v[i].name);
		p->nskus = 1;
		p->on_shelf = !v[i].off_shelf;
		p->visible = v[i].visible ? v[i].visible : ALL;
		cat_search_add_code(cat->search, i, v[i].code);
		for (j = 0; j < 4 && v[i].skus[j] != NULL; j++)
			cat_search_add_code(cat->search, i, v[i].skus[j]);
	}
	cat->nproducts = n;
	cat_search_build(cat->search, cat);
	return cat;
}

/* The hits of q in a storefront, as "i,j,...|ranks" for one assert. */
static const char *
find_in(const struct catalog *cat, const char *q, int mode,
    const uint32_t *only, uint32_t nonly)
{
	struct cat_search_filter	 f = { mode, only, nonly };
	struct cat_hits			 h;
	struct buf			 b;
	uint32_t			 i;
	int				 rc;
	char				*s;

	rc = cat_search_query(cat->search, cat, q, &f, arena, &h);
	if (rc <= 0)
		return rc == 0 ? "no words" : "bad";
	buf_init(&b, 64);
	for (i = 0; i < h.n; i++)
		buf_printf(&b, "%s%u", i ? "," : "", h.idx[i]);
	buf_printf(&b, "|%u %u %u %u", h.nrank[0], h.nrank[1], h.nrank[2],
	    h.nrank[3]);
	s = arena_strdup(arena, buf_cstr(&b));
	buf_free(&b);
	return s;
}

static const char *
find(const struct catalog *cat, const char *q)
{
	return find_in(cat, q, SHOP_MODE_WHOLESALE, NULL, 0);
}

static const struct fake snacks[] = {
	{ "P001", "良品铺子薯片 500g", { "P001-1", "6901234567892" }, 0, 0 },
	{ "P002", "薯片大礼包", { "P002-1" }, 0, 0 },
	{ "P003", "旺旺雪饼 5000G", { "P003-1" }, 0, 0 },
	{ "P004", "三只松鼠坚果", { "P004-1", "6901234500001" }, 0, 0 },
	{ "P005", "马铃薯 散装", { "P005-1" }, 0, 0 },
	{ "P006", "ＡＢＣ饼干 500Ｇ", { "P006-1" }, 0, 0 },
};
#define NSNACKS	(sizeof(snacks) / sizeof(snacks[0]))

static void
test_chinese_substrings(void **state)
{
	struct catalog	*cat = make(snacks, NSNACKS);

	(void)state;
	/* Inside a name, at its start, and a name prefix ranks first. */
	assert_string_equal(find(cat, "薯片"), "1,0|0 0 1 1");
	assert_string_equal(find(cat, "铺子薯片"), "0|0 0 0 1");
	assert_string_equal(find(cat, "良品"), "0|0 0 1 0");
	assert_string_equal(find(cat, "坚果"), "3|0 0 0 1");
	/* One character: every name holding it. */
	assert_string_equal(find(cat, "薯"), "1,0,4|0 0 1 2");
	assert_string_equal(find(cat, "饼"), "2,5|0 0 0 2");
	/* A bigram across a space is no bigram of the name. */
	assert_string_equal(find(cat, "薯 散"), "4|0 0 0 1");
	assert_string_equal(find(cat, "薯散"), "|0 0 0 0");
	assert_string_equal(find(cat, "没有的东西"), "|0 0 0 0");
	catalog_free(cat);
}

static void
test_ascii_case_and_full_width(void **state)
{
	struct catalog	*cat = make(snacks, NSNACKS);

	(void)state;
	/* 500g is in 0 and (full-width) 5; 5000G has every bigram of
	 * "500g" but not "500g": verified away. */
	assert_string_equal(find(cat, "500g"), "0,5|0 0 0 2");
	assert_string_equal(find(cat, "500G"), "0,5|0 0 0 2");
	assert_string_equal(find(cat, "５００ｇ"), "0,5|0 0 0 2");
	assert_string_equal(find(cat, "abc饼干"), "5|0 0 1 0");
	assert_string_equal(find(cat, "5000g"), "2|0 0 0 1");
	/* Every word, in any order. */
	assert_string_equal(find(cat, "500g 薯片"), "0|0 0 0 1");
	assert_string_equal(find(cat, "薯片　500G"), "0|0 0 0 1");
	assert_string_equal(find(cat, "薯片 5000g"), "|0 0 0 0");
	catalog_free(cat);
}

static void
test_codes(void **state)
{
	struct catalog	*cat = make(snacks, NSNACKS);

	(void)state;
	assert_string_equal(find(cat, "p002"), "1|1 0 0 0");
	assert_string_equal(find(cat, "P002-1"), "1|1 0 0 0");
	assert_string_equal(find(cat, "6901234567892"), "0|1 0 0 0");
	/* Prefixes of codes and barcodes. */
	assert_string_equal(find(cat, "p00"), "0,1,2,3,4,5|0 6 0 0");
	assert_string_equal(find(cat, "690123450"), "3|0 1 0 0");
	assert_string_equal(find(cat, "69012345"), "0,3|0 2 0 0");
	/* Not the middle of a code. */
	assert_string_equal(find(cat, "002"), "|0 0 0 0");
	catalog_free(cat);
}

static void
test_ranks(void **state)
{
	static const struct fake v[] = {
		{ "Q1", "礼盒 ab12 其他", { NULL }, 0, 0 },		/* name */
		{ "Q2", "AB12 饼干", { NULL }, 0, 0 },		/* name prefix */
		{ "AB12-X", "无关一", { NULL }, 0, 0 },		/* code prefix */
		{ "Q4", "无关二", { "Q4-1", "ab12" }, 0, 0 },		/* barcode */
		{ "ab12", "ab12 也是名字的开头", { NULL }, 0, 0 },	/* code */
		{ "Q6", "礼盒 ab12", { NULL }, 0, 0 },		/* name */
	};
	struct catalog	*cat = make(v, 6);

	(void)state;
	assert_string_equal(find(cat, "ab12"), "3,4,2,1,0,5|2 1 1 2");
	assert_string_equal(find(cat, "AB1"), "2,3,4,1,0,5|0 3 1 2");
	assert_string_equal(find(cat, "ab12 礼盒"), "0,5|0 0 0 2");
	catalog_free(cat);
}

/* More bigrams than are intersected: the rest are verified, so a name
 * with the rarest eight but not the others does not match. */
static void
test_list_cap_stays_exact(void **state)
{
	static const struct fake v[] = {
		{ "C1", "abcdefghijk", { NULL }, 0, 0 },
		{ "C2", "abcdefghi jk", { NULL }, 0, 0 },	/* no "ij" */
		{ "C3", "ij jk", { NULL }, 0, 0 },
		{ "C4", "ij jk", { NULL }, 0, 0 },
		{ "C5", "ij jk", { NULL }, 0, 0 },
	};
	struct catalog	*cat = make(v, 5);

	(void)state;
	assert_string_equal(find(cat, "abcdefghijk"), "0|0 0 1 0");
	assert_string_equal(find(cat, "bcdefghij"), "0|0 0 0 1");
	assert_string_equal(find(cat, "ij"), "2,3,4,0|0 0 3 1");
	catalog_free(cat);
}

static void
test_storefront_and_category(void **state)
{
	static const struct fake v[] = {
		{ "F1", "绿茶 一号", { NULL }, SHOP_MODE_ORDERING, 0 },
		{ "F2", "绿茶 二号", { NULL }, 0, 1 },		/* off shelf */
		{ "F3", "绿茶 三号", { NULL }, SHOP_MODE_RETAIL, 0 },
		{ "F4", "绿茶 四号", { NULL }, 0, 0 },
	};
	static const uint32_t	 only[] = { 0, 3 };
	struct catalog		*cat = make(v, 4);

	(void)state;
	assert_string_equal(find_in(cat, "绿茶", SHOP_MODE_ORDERING, NULL, 0),
	    "0,3|0 0 2 0");
	assert_string_equal(find_in(cat, "绿茶", SHOP_MODE_RETAIL, NULL, 0),
	    "2,3|0 0 2 0");
	assert_string_equal(find_in(cat, "f", SHOP_MODE_RETAIL, NULL, 0),
	    "2,3|0 2 0 0");
	assert_string_equal(find_in(cat, "绿茶", SHOP_MODE_RETAIL, only, 2),
	    "3|0 0 1 0");
	assert_string_equal(find_in(cat, "茶", 0, NULL, 0), "|0 0 0 0");
	catalog_free(cat);
}

static void
test_bad_input(void **state)
{
	struct catalog	*cat = make(snacks, NSNACKS);
	char		 q[4 * 101 + 1];

	(void)state;
	assert_string_equal(find(cat, ""), "no words");
	assert_string_equal(find(cat, "  \t　 "), "no words");
	assert_string_equal(find(cat, "!!!"), "|0 0 0 0");
	assert_string_equal(find(cat, "%"), "|0 0 0 0");
	assert_string_equal(find(cat, ".*"), "|0 0 0 0");
	assert_string_equal(find(cat, "' OR 1=1 --"), "|0 0 0 0");
	assert_string_equal(find(cat, "[薯片]"), "|0 0 0 0");
	assert_string_equal(find(cat, "\xe8\x96"), "bad");	/* cut short */
	assert_string_equal(find(cat, "\xff"), "bad");
	assert_string_equal(cat_search_problem("\xc0\xaf"), "搜索词含有无效字符");
	memset(q, 'a', 100);
	q[100] = '\0';
	assert_null(cat_search_problem(q));
	assert_string_equal(find(cat, q), "|0 0 0 0");
	q[100] = 'a';
	q[101] = '\0';
	assert_string_equal(cat_search_problem(q),
	    "搜索词太长（最多 100 个字符）");
	assert_string_equal(find(cat, q), "bad");
	/* 100 Chinese characters are 300 bytes, and fine. */
	for (q[0] = '\0'; strlen(q) < 300;)
		strcat(q, "薯");
	assert_null(cat_search_problem(q));
	assert_string_equal(find(cat, q), "|0 0 0 0");
	catalog_free(cat);
}

/* Names and codes with bytes that are not UTF-8 are indexed, never read
 * past their end. */
static void
test_invalid_utf8_in_the_catalog(void **state)
{
	static const struct fake v[] = {
		{ "B\xff", "坏\xe8字节", { "\xe8", NULL }, 0, 0 },
		{ "B2", "好\xf0\x9f", { NULL }, 0, 0 },
		{ "B3", "正常商品", { NULL }, 0, 0 },
	};
	struct catalog	*cat = make(v, 3);

	(void)state;
	assert_string_equal(find(cat, "坏"), "0|0 0 1 0");
	assert_string_equal(find(cat, "字节"), "0|0 0 0 1");
	assert_string_equal(find(cat, "好"), "1|0 0 1 0");
	assert_string_equal(find(cat, "商品"), "2|0 0 0 1");
	assert_string_equal(find(cat, "b"), "0,1,2|0 3 0 0");
	catalog_free(cat);
}

/* Enough codes for many front-coded blocks, and bitmaps for the
 * common bigrams: the same answers as a scan would give. */
static void
test_many_products(void **state)
{
	struct fake	*v = xcalloc(1000, sizeof(*v));
	struct catalog	*cat;
	const char	*r;
	char		*want;
	uint32_t	 i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		v[i].code = arena_printf(arena, "C%04u", i);
		v[i].name = arena_printf(arena, "%s第%u号", i % 3 ? "饼干" :
		    "薯片", i);
		v[i].skus[0] = arena_printf(arena, "69%011u", i * 7);
	}
	cat = make(v, 1000);
	assert_string_equal(find(cat, "c0500"), "500|1 0 0 0");
	assert_string_equal(find(cat, "c050"),
	    "500,501,502,503,504,505,506,507,508,509|0 10 0 0");
	assert_string_equal(find(cat, "6900000000049"), "7|1 0 0 0");
	assert_string_equal(find(cat, "c1"), "|0 0 0 0");
	assert_string_equal(find(cat, "c0999"), "999|1 0 0 0");
	assert_string_equal(find(cat, "c0000"), "0|1 0 0 0");
	assert_string_equal(find(cat, "第999号"), "999|0 0 0 1");
	r = find(cat, "薯片");
	want = arena_strdup(arena, "");
	for (i = 0; i < 1000; i += 3)
		want = arena_printf(arena, "%s%s%u", want, i ? "," : "", i);
	assert_string_equal(r, arena_printf(arena, "%s|0 0 334 0", want));
	assert_true(cat_search_bytes(cat->search) > 0);
	assert_non_null(strstr(cat_search_stats(cat->search, arena),
	    "2000 codes"));
	catalog_free(cat);
	free(v);
}

/* A word that took verifying many names is kept: the next search,
 * in any storefront or category, reads it and answers the same. */
static void
test_words_kept(void **state)
{
	struct fake	*v = xcalloc(1000, sizeof(*v));
	struct catalog	*cat;
	const char	*first, *r;
	uint32_t	*only, i, n = 0;
	size_t		 bytes;

	(void)state;
	only = xcalloc(1000, sizeof(*only));
	for (i = 0; i < 1000; i++) {
		v[i].code = arena_printf(arena, "W%04u", i);
		/* 矿泉 and 泉水 in every name, 矿泉水 in every other one */
		v[i].name = i % 2 ? "纯净水 矿泉 泉水" : "矿泉水 第一";
		v[i].visible = i % 4 == 0 ? SHOP_MODE_RETAIL : 0;
		if (i % 10 == 0)
			only[n++] = i;
	}
	cat = make(v, 1000);
	bytes = cat_search_bytes(cat->search);
	first = find(cat, "矿泉水");
	assert_true(cat_search_bytes(cat->search) > bytes);	/* kept */
	assert_int_equal(cat->search->memo_hits, 0);
	r = find(cat, "矿泉水");
	assert_int_equal(cat->search->memo_hits, 2);	/* has, starts */
	assert_string_equal(r, first);
	/* Half of those are in the retail mall only. */
	assert_non_null(strstr(r, "|0 0 250 0"));
	assert_non_null(strstr(find_in(cat, "矿泉水", SHOP_MODE_RETAIL, NULL,
	    0), "|0 0 500 0"));
	assert_string_equal(find_in(cat, "矿泉水", SHOP_MODE_WHOLESALE, only,
	    n), "10,30,50,70,90,110,130,150,170,190,210,230,250,270,290,310,"
	    "330,350,370,390,410,430,450,470,490,510,530,550,570,590,610,630,"
	    "650,670,690,710,730,750,770,790,810,830,850,870,890,910,930,950,"
	    "970,990|0 0 50 0");
	/* A second word narrows what the kept one found. */
	assert_non_null(strstr(find(cat, "第一 矿泉水"), "|0 0 0 250"));
	assert_non_null(strstr(find(cat, "泉水 纯净"), "|0 0 0 500"));
	assert_non_null(strstr(find(cat, "纯净 泉水"), "|0 0 500 0"));
	catalog_free(cat);
	free(only);
	free(v);
}

/* The memo's slots: the least recently used goes, never one the search
 * under way has read. One slot when bitmaps are big. */
static void
test_memo_slots(void **state)
{
	struct cat_search	 s;
	uint32_t		*bm, n;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.nwords = CS_MEMO_BYTES / 4;		/* one slot */
	bm = xcalloc(s.nwords + 1, sizeof(*bm));
	bm[0] = 0x7;
	s.memo_gen = 1;
	cs_memo_put(&s, CS_MEMO_HAS, "甲", bm);
	s.memo_gen = 2;
	assert_non_null(cs_memo_get(&s, CS_MEMO_HAS, "甲", &n));
	assert_int_equal(n, 3);
	assert_null(cs_memo_get(&s, CS_MEMO_STARTS, "甲", &n));
	cs_memo_put(&s, CS_MEMO_HAS, "乙", bm);	/* 甲 is being read */
	assert_null(cs_memo_get(&s, CS_MEMO_HAS, "乙", &n));
	s.memo_gen = 3;
	bm[1] = 0x1;
	cs_memo_put(&s, CS_MEMO_HAS, "乙", bm);
	assert_null(cs_memo_get(&s, CS_MEMO_HAS, "甲", &n));
	assert_non_null(cs_memo_get(&s, CS_MEMO_HAS, "乙", &n));
	assert_int_equal(n, 4);
	cs_memo_put(&s, CS_MEMO_HAS, "乙", bm);	/* its own slot again */
	assert_int_equal(s.memo_bytes, (s.nwords + 1) * 4 + strlen("乙") + 1);
	cs_memo_free(&s);
	free(bm);
}

static void
test_empty_catalog(void **state)
{
	struct catalog	*cat = make(NULL, 0);

	(void)state;
	assert_string_equal(find(cat, "薯片"), "|0 0 0 0");
	assert_string_equal(find(cat, "a"), "|0 0 0 0");
	catalog_free(cat);
	cat_search_free(NULL);
}

static int
setup(void **state)
{
	(void)state;
	arena = arena_new(0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_free(arena);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chinese_substrings),
		cmocka_unit_test(test_ascii_case_and_full_width),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_ranks),
		cmocka_unit_test(test_list_cap_stays_exact),
		cmocka_unit_test(test_storefront_and_category),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_invalid_utf8_in_the_catalog),
		cmocka_unit_test(test_many_products),
		cmocka_unit_test(test_words_kept),
		cmocka_unit_test(test_memo_slots),
		cmocka_unit_test(test_empty_catalog),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
