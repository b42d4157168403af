/*
 * h_admin_product_form.c -- the product form: a stored product as the
 * form shows it, a submitted form read into the typed product the domain
 * checks and saves (struct pform), the buttons that only change the form
 * (a row more, a row less: pform_op), and the form's views. A SKU's tiers
 * and its spec values are rows inside its row, with their text beside. Every
 * problem, the form's own and the domain's, lands in pf->f by field name.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/shop.h"
#include "http/http.h"
#include "domain/category.h"
#include "domain/product.h"
#include "domain/stock.h"
#include "handlers/h_admin_catalog.h"

#define SPARE_TIERS	2		/* tier rows a SKU shows at least */
#define SPARE_SPECS	2		/* spec rows a SKU shows at least */
#define ROW_INDEX_MAX	1000000		/* of a name, before it is refused */

static const struct field product_fields[] = {
	[F_CODE] =	{ "code", FIELD_TEXT, FIELD_REQUIRED, 1,
			  PRODUCT_CODE_MAX, "货号" },
	[F_NAME] =	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 200,
			  "商品名称" },
	[F_CATEGORY] =	{ "category_id", FIELD_INT, 0, 0, INT64_MAX, "分类" },
	[F_UNIT] =	{ "unit", FIELD_TEXT, 0, 0, 10, "单位" },
	[F_ON_SHELF] =	{ "on_shelf", FIELD_BOOL, 0, 0, 0, "上架" },
	[F_VIS_ORDERING] = { "visible_ordering", FIELD_BOOL, 0, 0, 0,
			  "订货商城可见" },
	[F_VIS_WHOLESALE] = { "visible_wholesale", FIELD_BOOL, 0, 0, 0,
			  "批发商城可见" },
	[F_VIS_RETAIL] = { "visible_retail", FIELD_BOOL, 0, 0, 0,
			  "零售商城可见" },
	[F_SORT] =	{ "sort", FIELD_INT, 0, -1000000, 1000000, "排序" },
	[F_DESCRIPTION] = { "description", FIELD_TEXT, 0, 0, 0, "商品详情" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct field sku_fields[] = {
	[S_ID] =	{ "id", FIELD_ID, 0, 0, 0, "ID" },
	[S_CODE] =	{ "code", FIELD_TEXT, FIELD_REQUIRED, 1,
			  PRODUCT_CODE_MAX, "编码" },
	[S_BARCODE] =	{ "barcode", FIELD_TEXT, 0, 0, PRODUCT_BARCODE_MAX,
			  "条码" },
	[S_SPEC] =	{ "spec", FIELD_TEXT, 0, 0, 200, "规格值" },
	[S_SPEC_WAS] =	{ "spec_was", FIELD_TEXT, 0, 0, 200, "规格值" },
	[S_UNIT] =	{ "unit", FIELD_TEXT, 0, 0, 10, "单位" },
	[S_PACK] =	{ "pack_size", FIELD_INT, 0, 1, 1000000, "每箱数量" },
	[S_MINQ] =	{ "min_qty", FIELD_INT, 0, 1, 1000000, "起订量" },
	[S_STOCK] =	{ "stock", FIELD_INT, 0, 0, STOCK_MAX, "库存" },
	[S_WEIGHT] =	{ "weight_g", FIELD_INT, 0, 0, 100000000, "重量" },
	[S_PRICE] =	{ "price", FIELD_MONEY, FIELD_REQUIRED, 0,
			  PRODUCT_PRICE_MAX, "价格" },
	[S_RETAIL] =	{ "retail_price", FIELD_MONEY, 0, 0,
			  PRODUCT_PRICE_MAX, "零售价" },
	[S_TIERS] =	{ "tiers", FIELD_TEXT, 0, 0, 500, "阶梯价" },
	[S_TIERS_WAS] =	{ "tiers_was", FIELD_TEXT, 0, 0, 500, "阶梯价" },
	[S_STOCK_WAS] =	{ "stock_was", FIELD_INT, 0, 0, STOCK_MAX, "库存" },
	[S_PACK_ONLY] =	{ "pack_only", FIELD_BOOL, 0, 0, 0, "整箱销售" },
	[S_REMOVE] =	{ "remove", FIELD_BOOL, 0, 0, 0, "删除" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const int vis_modes[] = { SHOP_MODE_ORDERING, SHOP_MODE_WHOLESALE,
	SHOP_MODE_RETAIL };

/* Row i's field k: its name in the form, and in messages. */
static const char *
sku_name(struct ctx *c, int k, int i)
{
	return arena_printf(c->d.arena, "sku_%s[%d]", sku_fields[k].name, i);
}

static const char *
sku_label(struct ctx *c, int k, int i)
{
	return k == S_ID ? arena_printf(c->d.arena, "规格 %d", i + 1) :
	    arena_printf(c->d.arena, "规格 %d %s", i + 1, sku_fields[k].label);
}

/* Row i's tier row k: its inputs ("qty", "price"), its message's key. */
static const char *
tier_name(struct ctx *c, const char *what, int i, int k)
{
	return arena_printf(c->d.arena, "sku_tier_%s[%d][%d]", what, i, k);
}

static const char *
tier_key(struct ctx *c, int i, int k)
{
	return arena_printf(c->d.arena, "sku_tier[%d][%d]", i, k);
}

static const char *
tier_label(struct ctx *c, int i, int k)
{
	return arena_printf(c->d.arena, "规格 %d 阶梯价第 %d 档", i + 1, k + 1);
}

/* Row i's spec row k: its inputs ("name", "value"), its message's key. */
static const char *
spec_name(struct ctx *c, const char *what, int i, int k)
{
	return arena_printf(c->d.arena, "sku_spec_%s[%d][%d]", what, i, k);
}

static const char *
spec_key(struct ctx *c, int i, int k)
{
	return arena_printf(c->d.arena, "sku_spec_row[%d][%d]", i, k);
}

static const char *
spec_label(struct ctx *c, int i, int k)
{
	return arena_printf(c->d.arena, "规格 %d 规格值第 %d 行", i + 1, k + 1);
}

/* ---- a new or a stored product -------------------------------------- */

static void
no_strings(const char **s, int n)
{
	int	k;

	for (k = 0; k < n; k++)
		s[k] = "";
}

void
pform_new(struct pform *pf)
{
	memset(pf, 0, sizeof(*pf));
	/* Unit and sort start empty: their placeholders say the default. */
	no_strings(pf->s, F_N);
	pf->p.unit = "件";
	pf->p.on_shelf = 1;
	pf->p.visible = SHOP_MODE_ORDERING | SHOP_MODE_WHOLESALE |
	    SHOP_MODE_RETAIL;
	pf->p.description = "";
}

static const char *
num(struct ctx *c, int64_t v)
{
	return arena_printf(c->d.arena, "%" PRId64, v);
}

/* The SKU's tiers as the row shows them: rows, and the text of them. */
static void
tiers_shown(struct ctx *c, struct skurow *w, const struct product_sku *s)
{
	int	k;

	w->ntiers = s->ntiers;
	w->tiers = arena_calloc(c->d.arena, (size_t)s->ntiers + 1,
	    sizeof(*w->tiers));
	for (k = 0; k < s->ntiers; k++) {
		w->tiers[k].qty = num(c, s->tiers[k].min_qty);
		w->tiers[k].price = fmt_yuan(c->d.arena, s->tiers[k].price_fen);
	}
	w->s[S_TIERS] = w->s[S_TIERS_WAS] = tiers_text(c->d.arena, s->tiers,
	    s->ntiers);
}

/* The SKU's spec values as the row shows them: rows, and the text. */
static void
specs_shown(struct ctx *c, struct skurow *w, const char *spec)
{
	const char	**name, **value;
	int		  k;

	name = arena_calloc(c->d.arena, SPEC_ROWS_MAX + 1, sizeof(*name));
	value = arena_calloc(c->d.arena, SPEC_ROWS_MAX + 1, sizeof(*value));
	w->nspecs = specs_split(c->d.arena, spec, name, value, SPEC_ROWS_MAX);
	w->specs = arena_calloc(c->d.arena, (size_t)w->nspecs + 1,
	    sizeof(*w->specs));
	for (k = 0; k < w->nspecs; k++) {
		w->specs[k].name = name[k];
		w->specs[k].value = value[k];
	}
	w->s[S_SPEC] = w->s[S_SPEC_WAS] = spec;
}

/* The stored product into pf; ERR_NOT_FOUND if not the shop's. */
int
pform_load(struct ctx *c, int64_t id, struct pform *pf)
{
	struct product_sku	*s;
	struct skurow		*w;
	int			 i, rc;

	memset(pf, 0, sizeof(*pf));
	if ((rc = product_load(&c->d, id, &pf->p)) != 0)
		return rc;
	pf->stored = 1;
	no_strings(pf->s, F_N);
	pf->s[F_CODE] = pf->p.code;
	pf->s[F_NAME] = pf->p.name;
	pf->s[F_UNIT] = pf->p.unit;
	pf->s[F_SORT] = num(c, pf->p.sort);
	pf->s[F_DESCRIPTION] = pf->p.description;
	pf->nrows = pf->p.nskus;
	pf->rows = arena_calloc(c->d.arena, (size_t)pf->nrows + 1,
	    sizeof(*pf->rows));
	for (i = 0; i < pf->nrows; i++) {
		w = &pf->rows[i];
		s = w->sku = &pf->p.skus[i];
		no_strings(w->s, S_N);
		w->s[S_ID] = num(c, s->id);
		w->s[S_CODE] = s->code;
		w->s[S_BARCODE] = s->barcode;
		specs_shown(c, w, s->spec);
		w->s[S_UNIT] = s->unit;
		w->s[S_PACK] = num(c, s->pack_size);
		w->s[S_MINQ] = num(c, s->min_qty);
		w->s[S_STOCK] = w->s[S_STOCK_WAS] = num(c, s->stock);
		w->s[S_PACK_ONLY] = s->pack_only ? "1" : "";
		w->s[S_WEIGHT] = num(c, s->weight_g);
		w->s[S_PRICE] = fmt_yuan(c->d.arena, s->price_fen);
		if (s->retail_fen >= 0)
			w->s[S_RETAIL] = fmt_yuan(c->d.arena, s->retail_fen);
		tiers_shown(c, w, s);
	}
	return 0;
}

/* ---- reading a submitted form --------------------------------------- */

/* "[N]" at *p, N at most ROW_INDEX_MAX: 0 and *n, *p past it; or -1. */
static int
bracket(struct ctx *c, const char **p, int *n)
{
	const char	*s = *p, *end, *err;
	int64_t		 v;

	if (*s != '[' || (end = strchr(s, ']')) == NULL ||
	    parse_i64(arena_strndup(c->d.arena, s + 1, (size_t)(end - s - 1)),
	    0, ROW_INDEX_MAX, &v, &err) == -1)
		return -1;
	*n = (int)v;
	*p = end + 1;
	return 0;
}

enum { ROW_FIELD, ROW_TIER, ROW_SPEC };	/* a SKU row's kinds of name */

/*
 * A SKU row's name, "sku_<field>[i]", "sku_tier_<qty|price>[i][k]" or
 * "sku_spec_<name|value>[i][k]": its kind (ROW_*), with i and k (-1 for
 * the first kind); -1 for any other name.
 */
static int
name_index(struct ctx *c, const char *name, int *i, int *k)
{
	const char	*br;
	int		 kind;

	*k = -1;
	if (strncmp(name, "sku_", 4) != 0 || (br = strchr(name, '[')) == NULL ||
	    bracket(c, &br, i) == -1)
		return -1;
	if (strncmp(name, "sku_tier_qty[", 13) == 0 ||
	    strncmp(name, "sku_tier_price[", 15) == 0)
		kind = ROW_TIER;
	else if (strncmp(name, "sku_spec_name[", 14) == 0 ||
	    strncmp(name, "sku_spec_value[", 15) == 0)
		kind = ROW_SPEC;
	else
		return ROW_FIELD;
	return bracket(c, &br, k) == 0 && *br == '\0' ? kind : -1;
}

/* Each name of the body, form or JSON, to fn. */
static void
each_name(struct ctx *c, void (*fn)(struct ctx *, const char *, void *),
    void *arg)
{
	struct json_object_iterator	 it, end;
	int				 i;

	for (i = 0; i < c->form.n; i++)
		fn(c, c->form.v[i].name, arg);
	if (c->json == NULL)
		return;
	it = json_object_iter_begin(c->json);
	end = json_object_iter_end(c->json);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		fn(c, json_object_iter_peek_name(&it), arg);
}

/* Raise the row count past a name's row. */
static void
count_row(struct ctx *c, const char *name, void *arg)
{
	int	*max = arg, i, k;

	if (name_index(c, name, &i, &k) != -1 && i + 1 > *max)
		*max = i + 1;
}

struct subcount {
	int	*tiers;		/* per row: one more than its last tier row */
	int	*specs;		/* and its last spec row */
	int	 nrows;
};

static void
count_sub(struct ctx *c, const char *name, void *arg)
{
	struct subcount	*sc = arg;
	int		*n, i, k, kind;

	if ((kind = name_index(c, name, &i, &k)) <= ROW_FIELD || i >= sc->nrows)
		return;
	n = kind == ROW_TIER ? sc->tiers : sc->specs;
	if (k + 1 > n[i])
		n[i] = k + 1;
}

/* Rows the form has: one more than the highest "sku_*[N]" index. */
static int
rows_in_form(struct ctx *c, int *too_many)
{
	int	max = 0;

	each_name(c, count_row, &max);
	*too_many = max > PRODUCT_SKUS_MAX;
	return *too_many ? PRODUCT_SKUS_MAX : max;
}

static int
row_blank(const struct skurow *w)
{
	int	k;

	for (k = 0; k < S_N; k++)
		if (k != S_REMOVE && *w->s[k] != '\0')
			return 0;
	for (k = 0; k < w->ntiers; k++)
		if (*w->tiers[k].qty != '\0' || *w->tiers[k].price != '\0')
			return 0;
	for (k = 0; k < w->nspecs; k++)
		if (*w->specs[k].name != '\0' || *w->specs[k].value != '\0')
			return 0;
	return 1;
}

/* Row i's spec rows as typed, n of them (at most SPEC_ROWS_MAX). */
static void
specs_read(struct ctx *c, int i, struct skurow *w, int n)
{
	const char	*v;
	int		 k;

	w->nspecs = n < SPEC_ROWS_MAX ? n : SPEC_ROWS_MAX;
	w->specs = arena_calloc(c->d.arena, (size_t)w->nspecs + 1,
	    sizeof(*w->specs));
	for (k = 0; k < w->nspecs; k++) {
		v = req_param(c, spec_name(c, "name", i, k));
		w->specs[k].name = v ? v : "";
		v = req_param(c, spec_name(c, "value", i, k));
		w->specs[k].value = v ? v : "";
	}
}

/* Row i's tier rows as typed, n of them (at most TIER_ROWS_MAX). */
static void
tiers_read(struct ctx *c, int i, struct skurow *w, int n)
{
	const char	*v;
	int		 k;

	w->ntiers = n < TIER_ROWS_MAX ? n : TIER_ROWS_MAX;
	w->tiers = arena_calloc(c->d.arena, (size_t)w->ntiers + 1,
	    sizeof(*w->tiers));
	for (k = 0; k < w->ntiers; k++) {
		v = req_param(c, tier_name(c, "qty", i, k));
		w->tiers[k].qty = v ? v : "";
		v = req_param(c, tier_name(c, "price", i, k));
		w->tiers[k].price = v ? v : "";
	}
}

/*
 * Row i's tiers into s: the text when it is not the one the page showed
 * (typed over, or from a client that sends only the text), else the
 * rows. Shown again as rows, by quantity, with the text of them.
 */
static void
row_tiers(struct ctx *c, struct pform *pf, int i, struct skurow *w,
    struct product_sku *s, const struct form *f)
{
	const char	*text = f->v[S_TIERS].present ? f->v[S_TIERS].s : "";
	const char	*was = f->v[S_TIERS_WAS].present ? f->v[S_TIERS_WAS].s :
			    "";
	const char	**qty, **price, **why, *bad;
	int		 k, n;

	if (strcmp(text, was) != 0) {
		if ((n = tiers_parse(c->d.arena, text, s->tiers, &bad)) == -1) {
			form_error(c, &pf->f, sku_name(c, S_TIERS, i),
			    sku_label(c, S_TIERS, i), bad);
			return;
		}
	} else {
		qty = arena_calloc(c->d.arena, (size_t)w->ntiers + 1,
		    sizeof(*qty));
		price = arena_calloc(c->d.arena, (size_t)w->ntiers + 1,
		    sizeof(*price));
		why = arena_calloc(c->d.arena, (size_t)w->ntiers + 1,
		    sizeof(*why));
		for (k = 0; k < w->ntiers; k++) {
			qty[k] = w->tiers[k].qty;
			price[k] = w->tiers[k].price;
		}
		if ((n = tiers_from_rows(c->d.arena, qty, price, w->ntiers,
		    s->tiers, why)) == -1) {
			for (k = 0; k < w->ntiers; k++)
				if (why[k] != NULL)
					form_error(c, &pf->f, tier_key(c, i, k),
					    tier_label(c, i, k), why[k]);
			return;
		}
	}
	s->ntiers = n;
	tiers_shown(c, w, s);
}

/*
 * Row i's spec values into s: the text when it is not the one the page
 * showed, else the rows, joined. Shown again as rows, with the text.
 */
static void
row_specs(struct ctx *c, struct pform *pf, int i, struct skurow *w,
    struct product_sku *s, const struct form *f)
{
	const char	*text = f->v[S_SPEC].present ? f->v[S_SPEC].s : "";
	const char	*was = f->v[S_SPEC_WAS].present ? f->v[S_SPEC_WAS].s :
			    "";
	const char	**name, **value, **why, **tn, **tv;
	char		 *joined;
	int		  k, n;

	if (strcmp(text, was) != 0) {
		/* Typed over: the text, tidied ("颜色：红" is "颜色:红"). */
		tn = arena_calloc(c->d.arena, SPEC_ROWS_MAX + 1, sizeof(*tn));
		tv = arena_calloc(c->d.arena, SPEC_ROWS_MAX + 1, sizeof(*tv));
		why = arena_calloc(c->d.arena, SPEC_ROWS_MAX + 1, sizeof(*why));
		n = specs_split(c->d.arena, text, tn, tv, SPEC_ROWS_MAX);
		if ((joined = specs_from_rows(c->d.arena, tn, tv, n, why)) ==
		    NULL) {
			for (k = 0; k < n && why[k] == NULL; k++)
				;
			form_error(c, &pf->f, sku_name(c, S_SPEC, i),
			    sku_label(c, S_SPEC, i), arena_printf(c->d.arena,
			    "第 %d 项：%s", k + 1, k < n ? why[k] : ""));
			return;
		}
	} else {
		name = arena_calloc(c->d.arena, (size_t)w->nspecs + 1,
		    sizeof(*name));
		value = arena_calloc(c->d.arena, (size_t)w->nspecs + 1,
		    sizeof(*value));
		why = arena_calloc(c->d.arena, (size_t)w->nspecs + 1,
		    sizeof(*why));
		for (k = 0; k < w->nspecs; k++) {
			name[k] = w->specs[k].name;
			value[k] = w->specs[k].value;
		}
		if ((joined = specs_from_rows(c->d.arena, name, value,
		    w->nspecs, why)) == NULL) {
			for (k = 0; k < w->nspecs; k++)
				if (why[k] != NULL)
					form_error(c, &pf->f, spec_key(c, i, k),
					    spec_label(c, i, k), why[k]);
			return;
		}
	}
	if (utf8_len(joined) > (size_t)sku_fields[S_SPEC].max) {
		form_error(c, &pf->f, sku_name(c, S_SPEC, i), sku_label(c,
		    S_SPEC, i), arena_printf(c->d.arena, "最多 %d 个字",
		    (int)sku_fields[S_SPEC].max));
		return;
	}
	s->spec = joined;
	specs_shown(c, w, joined);
}

/* The row's values, typed; what the form left out takes its default. */
static void
row_typed(struct product_sku *s, const struct form *f)
{
#define V(k, dflt)	(f->v[k].present ? f->v[k].i64 : (dflt))
#define S(k, dflt)	(f->v[k].present ? f->v[k].s : (dflt))
	s->id = V(S_ID, 0);
	s->code = S(S_CODE, NULL);
	s->barcode = S(S_BARCODE, "");
	s->spec = S(S_SPEC, "");
	s->unit = S(S_UNIT, NULL);
	s->pack_size = V(S_PACK, 1);
	s->min_qty = V(S_MINQ, 1);
	/* Left out, the stock stays (a new SKU's is 0). */
	s->stock = V(S_STOCK, -1);
	s->stock_was = V(S_STOCK_WAS, -1);
	s->pack_only = V(S_PACK_ONLY, 0) != 0;
	s->weight_g = V(S_WEIGHT, 0);
	s->price_fen = V(S_PRICE, 0);
	s->retail_fen = V(S_RETAIL, -1);
	s->remove = V(S_REMOVE, 0) != 0;
#undef V
#undef S
}

/*
 * Row i of the form, with its ntiers tier rows, into w and, unless it is
 * blank, pf->p's next SKU.
 */
static void
row_read(struct ctx *c, struct pform *pf, int i, struct skurow *w,
    int ntiers, int nspecs)
{
	struct field		 fl[S_N + 1];
	struct product_sku	*s;
	struct form		 f;
	const char		*v;
	int			 k;

	memcpy(fl, sku_fields, sizeof(fl));
	for (k = 0; k < S_N; k++) {
		fl[k].name = sku_name(c, k, i);
		fl[k].label = sku_label(c, k, i);
		v = req_param(c, fl[k].name);
		w->s[k] = v ? v : "";
	}
	tiers_read(c, i, w, ntiers);
	specs_read(c, i, w, nspecs);
	if (row_blank(w))
		return;
	form_parse(c, fl, &f);
	s = &pf->p.skus[pf->p.nskus];
	memset(s, 0, sizeof(*s));
	s->row = i;
	row_typed(s, &f);
	if (s->remove && s->id == 0)
		return;			/* a new row, struck out: blank */
	w->sku = s;
	pf->p.nskus++;
	for (k = 0; k < S_N; k++)
		if (f.v[k].present)
			w->s[k] = f.v[k].s;
	if (s->remove)
		return;			/* to delete: nothing to check */
	for (k = 0; k < S_N; k++)
		if (f.errors != NULL && json_object_object_get_ex(f.errors,
		    fl[k].name, NULL))
			form_error(c, &pf->f, fl[k].name, fl[k].label,
			    json_object_get_string(json_object_object_get(
			    f.errors, fl[k].name)));
	if (ntiers > TIER_ROWS_MAX)
		form_error(c, &pf->f, fl[S_TIERS].name, fl[S_TIERS].label,
		    arena_printf(c->d.arena, "最多 %d 档", PRODUCT_TIERS_MAX));
	else
		row_tiers(c, pf, i, w, s, &f);
	if (nspecs > SPEC_ROWS_MAX)
		form_error(c, &pf->f, fl[S_SPEC].name, fl[S_SPEC].label,
		    arena_printf(c->d.arena, "最多 %d 项", SPEC_ROWS_MAX));
	else if (!json_object_object_get_ex(pf->f.errors, fl[S_SPEC].name,
	    NULL))
		row_specs(c, pf, i, w, s, &f);
}

/* The domain's verdict on pf->p, by the form's names and labels. */
static void
domain_errors(struct ctx *c, struct pform *pf, const struct field_errors *fe)
{
	const struct field_error	*e;
	int				 i, k;

	for (i = 0; i < fe->n; i++) {
		e = &fe->v[i];
		k = e->field == PRODUCT_SKU_ID ? S_ID : e->field ==
		    PRODUCT_SKU_CODE ? S_CODE : e->field ==
		    PRODUCT_SKU_BARCODE ? S_BARCODE : -1;
		if (k != -1) {
			form_error(c, &pf->f, sku_name(c, k, e->row),
			    sku_label(c, k, e->row), e->why);
			continue;
		}
		k = e->field == PRODUCT_CODE ? F_CODE : e->field ==
		    PRODUCT_NAME ? F_NAME : e->field == PRODUCT_CATEGORY ?
		    F_CATEGORY : e->field == PRODUCT_DESCRIPTION ?
		    F_DESCRIPTION : -1;
		if (k != -1)
			form_error(c, &pf->f, product_fields[k].name,
			    product_fields[k].label, e->why);
		else
			form_error(c, &pf->f, "skus", "规格", e->why);
	}
}

/*
 * The submitted form for product id (0: a new one), read and checked by
 * the form and by the domain. 0, with pf->f.error naming what is wrong
 * if anything is; or ERR_INTERNAL.
 */
int
pform_read(struct ctx *c, int64_t id, struct pform *pf)
{
	struct field_errors	 fe;
	struct subcount		 sc;
	struct form		*f = &pf->f;
	const char		*v;
	int			 k, too_many;

	memset(pf, 0, sizeof(*pf));
	memset(&fe, 0, sizeof(fe));
	form_parse(c, product_fields, f);
	for (k = 0; k < F_N; k++) {
		v = req_param(c, product_fields[k].name);
		pf->s[k] = f->v[k].present ? f->v[k].s : v ? v : "";
	}
	pf->p.id = id;
	pf->p.code = f->v[F_CODE].present ? pf->s[F_CODE] : NULL;
	pf->p.name = pf->s[F_NAME];
	pf->p.category_id = f->v[F_CATEGORY].i64;
	/* Left empty, the placeholder's: what a new product starts with. */
	pf->p.unit = f->v[F_UNIT].present ? pf->s[F_UNIT] : "件";
	pf->p.on_shelf = f->v[F_ON_SHELF].i64 != 0;
	for (k = 0; k < 3; k++)
		if (f->v[F_VIS_ORDERING + k].i64)
			pf->p.visible |= vis_modes[k];
	pf->p.sort = f->v[F_SORT].i64;
	pf->p.description = pf->s[F_DESCRIPTION];
	pf->nrows = rows_in_form(c, &too_many);
	if (too_many)
		form_error(c, f, "skus", "规格", arena_printf(c->d.arena,
		    "一个商品最多 %d 个规格", PRODUCT_SKUS_MAX));
	pf->rows = arena_calloc(c->d.arena, (size_t)pf->nrows + 1,
	    sizeof(*pf->rows));
	pf->p.skus = arena_alloc(c->d.arena, (size_t)(pf->nrows + 1) *
	    sizeof(*pf->p.skus));
	sc.nrows = pf->nrows;
	sc.tiers = arena_calloc(c->d.arena, (size_t)pf->nrows + 1,
	    sizeof(*sc.tiers));
	sc.specs = arena_calloc(c->d.arena, (size_t)pf->nrows + 1,
	    sizeof(*sc.specs));
	each_name(c, count_sub, &sc);
	for (k = 0; k < pf->nrows; k++)
		row_read(c, pf, k, &pf->rows[k], sc.tiers[k], sc.specs[k]);
	if (product_check(&c->d, &pf->p, &fe) != 0)
		return ERR_INTERNAL;
	domain_errors(c, pf, &fe);
	return 0;
}

/* "<prefix>N", or "<prefix>N:M" when m is not NULL: 0 and n (m); or -1. */
static int
op_args(struct ctx *c, const char *op, const char *prefix, int *n, int *m)
{
	const char	*p, *colon, *err;
	int64_t		 a, b = 0;

	if (strncmp(op, prefix, strlen(prefix)) != 0)
		return -1;
	p = op + strlen(prefix);
	colon = strchr(p, ':');
	if ((m == NULL) != (colon == NULL) || parse_i64(colon != NULL ?
	    arena_strndup(c->d.arena, p, (size_t)(colon - p)) : p, 0,
	    ROW_INDEX_MAX, &a, &err) == -1 || (colon != NULL &&
	    parse_i64(colon + 1, 0, ROW_INDEX_MAX, &b, &err) == -1))
		return -1;
	*n = (int)a;
	if (m != NULL)
		*m = (int)b;
	return 0;
}

/*
 * A button that changes the form, not the product, for a browser
 * without JavaScript (admin-catalog.js does it in the page): "add_sku",
 * "del_sku:I" (a new row), "add_tier:I", "del_tier:I:K", "add_spec:I",
 * "del_spec:I:K". The form is
 * shown again as typed; nothing is saved. 0, or -1 for an unknown op.
 */
int
pform_op(struct ctx *c, struct pform *pf, const char *op)
{
	struct skurow	*w;
	int		 i, k;

	if (strcmp(op, "add_sku") == 0) {
		pf->more++;
		return 0;
	}
	if (op_args(c, op, "add_tier:", &i, NULL) == 0 && i < pf->nrows) {
		pf->rows[i].more++;
		return 0;
	}
	if (op_args(c, op, "del_tier:", &i, &k) == 0 && i < pf->nrows &&
	    k < pf->rows[i].ntiers) {
		w = &pf->rows[i];
		memmove(&w->tiers[k], &w->tiers[k + 1], (size_t)(w->ntiers -
		    k - 1) * sizeof(*w->tiers));
		w->ntiers--;
		return 0;
	}
	if (op_args(c, op, "add_spec:", &i, NULL) == 0 && i < pf->nrows) {
		pf->rows[i].spec_more++;
		return 0;
	}
	if (op_args(c, op, "del_spec:", &i, &k) == 0 && i < pf->nrows &&
	    k < pf->rows[i].nspecs) {
		w = &pf->rows[i];
		memmove(&w->specs[k], &w->specs[k + 1], (size_t)(w->nspecs -
		    k - 1) * sizeof(*w->specs));
		w->nspecs--;
		return 0;
	}
	if (op_args(c, op, "del_sku:", &i, NULL) == 0 && i < pf->nrows &&
	    (pf->rows[i].sku == NULL || pf->rows[i].sku->id == 0)) {
		w = &pf->rows[i];
		no_strings(w->s, S_N);
		w->sku = NULL;
		w->ntiers = 0;
		w->nspecs = 0;
		return 0;
	}
	return -1;
}

/* ---- views ------------------------------------------------------------ */

/* The form's messages for row i, by the row's short field names. */
static json_object *
row_errors(struct ctx *c, const struct pform *pf, int i)
{
	json_object	*o = json_object_new_object(), *why;
	int		 k;

	for (k = 0; pf->f.errors != NULL && k < S_N; k++)
		if (json_object_object_get_ex(pf->f.errors, sku_name(c, k, i),
		    &why))
			json_object_object_add(o, sku_fields[k].name,
			    json_object_get(why));
	return o;
}

/* Tier row k of SKU row i, "" for a blank one. */
static json_object *
tier_view(struct ctx *c, const struct pform *pf, int i, int k,
    const char *qty, const char *price)
{
	json_object	*o = json_object_new_object(), *why;

	view_set_i64(o, "tk", k);
	view_set_i64(o, "tn", k + 1);
	view_set_str(o, "tq", qty);
	view_set_str(o, "tp", price);
	view_set_str(o, "terr", pf->f.errors != NULL &&
	    json_object_object_get_ex(pf->f.errors, tier_key(c, i, k), &why) ?
	    json_object_get_string(why) : NULL);
	return o;
}

/*
 * The row's tier rows, then blank ones: SPARE_TIERS rows in all at
 * least, one blank at least, and the ones "加一档" asked for.
 */
static json_object *
tier_rows_view(struct ctx *c, const struct pform *pf, const struct skurow *w,
    int i)
{
	json_object	*a = json_object_new_array();
	int		 k, filled = 0, blank = 0, want;

	for (k = 0; k < w->ntiers; k++) {
		if (*w->tiers[k].qty == '\0' && *w->tiers[k].price == '\0')
			blank++;
		else
			filled++;
		json_object_array_add(a, tier_view(c, pf, i, k,
		    w->tiers[k].qty, w->tiers[k].price));
	}
	want = filled < SPARE_TIERS - 1 ? SPARE_TIERS - filled : 1;
	want = (want > blank ? want - blank : 0) + w->more;
	for (; want > 0 && k < TIER_ROWS_MAX; want--, k++)
		json_object_array_add(a, tier_view(c, pf, i, k, "", ""));
	return a;
}

/* Spec row k of SKU row i, "" for a blank one. */
static json_object *
spec_view(struct ctx *c, const struct pform *pf, int i, int k,
    const char *name, const char *value)
{
	json_object	*o = json_object_new_object(), *why;

	view_set_i64(o, "vk", k);
	view_set_i64(o, "vn", k + 1);
	view_set_str(o, "vname", name);
	view_set_str(o, "vvalue", value);
	view_set_str(o, "verr", pf->f.errors != NULL &&
	    json_object_object_get_ex(pf->f.errors, spec_key(c, i, k), &why) ?
	    json_object_get_string(why) : NULL);
	return o;
}

/* The row's spec rows, then blank ones, as tier_rows_view does. */
static json_object *
spec_rows_view(struct ctx *c, const struct pform *pf, const struct skurow *w,
    int i)
{
	json_object	*a = json_object_new_array();
	int		 k, filled = 0, blank = 0, want;

	for (k = 0; k < w->nspecs; k++) {
		if (*w->specs[k].name == '\0' && *w->specs[k].value == '\0')
			blank++;
		else
			filled++;
		json_object_array_add(a, spec_view(c, pf, i, k,
		    w->specs[k].name, w->specs[k].value));
	}
	want = filled < SPARE_SPECS - 1 ? SPARE_SPECS - filled : 1;
	want = (want > blank ? want - blank : 0) + w->spec_more;
	for (; want > 0 && k < SPEC_ROWS_MAX; want--, k++)
		json_object_array_add(a, spec_view(c, pf, i, k, "", ""));
	return a;
}

static json_object *
row_view(struct ctx *c, const struct pform *pf, const struct skurow *w,
    int i)
{
	const struct product_sku	*s = w->sku;
	json_object			*o = json_object_new_object(), *a, *t;
	int64_t				 id = s ? s->id : 0;
	int				 k, bad;

	view_set_i64(o, "index", i);
	view_set_i64(o, "number", i + 1);
	/* Keys always present: a missing one would be looked up outside. */
	if (id > 0)
		view_set_i64(o, "id", id);
	else
		view_set_str(o, "id", NULL);
	view_set_bool(o, "is_new", id <= 0);
	view_set_bool(o, "spare", s == NULL);
	for (k = S_CODE; k < S_REMOVE; k++)
		view_set_str(o, sku_fields[k].name, w->s[k]);
	view_set_bool(o, "pack_only", strcmp(w->s[S_PACK_ONLY], "1") == 0 ||
	    strcmp(w->s[S_PACK_ONLY], "on") == 0 ||
	    strcmp(w->s[S_PACK_ONLY], "true") == 0);
	/* The product's unit, stored on the SKU too: shown as the default. */
	if (pf->stored && !c->json_out && strcmp(w->s[S_UNIT], pf->p.unit) ==
	    0)
		view_set_str(o, "unit", "");
	view_set_bool(o, "remove", s != NULL && s->remove);
	json_object_object_add(o, "errors", t = row_errors(c, pf, i));
	bad = json_object_object_length(t) > 0;
	for (k = 0; !bad && pf->f.errors != NULL && k < w->ntiers; k++)
		bad = json_object_object_get_ex(pf->f.errors, tier_key(c, i,
		    k), NULL);
	for (k = 0; !bad && pf->f.errors != NULL && k < w->nspecs; k++)
		bad = json_object_object_get_ex(pf->f.errors, spec_key(c, i,
		    k), NULL);
	view_set_bool(o, "has_errors", bad);
	if (!c->json_out) {
		json_object_object_add(o, "tier_rows", tier_rows_view(c, pf, w,
		    i));
		json_object_object_add(o, "spec_rows", spec_rows_view(c, pf, w,
		    i));
	}
	if (!pf->stored || s == NULL)
		return o;
	/*
	 * Stored values as numbers too, for JSON clients; "price" stays the
	 * input's plain text (fmt_yuan), whatever view_set_money shows.
	 */
	view_set_i64(o, "pack_size", s->pack_size);
	view_set_i64(o, "min_qty", s->min_qty);
	view_set_i64(o, "stock", s->stock);
	view_set_i64(o, "weight_g", s->weight_g);
	view_set_i64(o, "price_fen", s->price_fen);
	if (s->retail_fen >= 0)
		view_set_i64(o, "retail_price_fen", s->retail_fen);
	a = json_object_new_array();
	for (k = 0; k < s->ntiers; k++) {
		t = json_object_new_object();
		view_set_i64(t, "min_qty", s->tiers[k].min_qty);
		view_set_money(c, t, "price", s->tiers[k].price_fen);
		json_object_array_add(a, t);
	}
	json_object_object_add(o, "tier_list", a);
	return o;
}

/*
 * The rows, then blank ones: one for a product without a SKU, and one
 * for each "添加规格" a browser without JavaScript asked for.
 */
json_object *
pform_rows_view(struct ctx *c, const struct pform *pf)
{
	json_object	*a = json_object_new_array();
	struct skurow	 blank;
	int		 i, nblank = 0, want;

	for (i = 0; i < pf->nrows; i++) {
		json_object_array_add(a, row_view(c, pf, &pf->rows[i], i));
		nblank += pf->rows[i].sku == NULL;
	}
	if (c->json_out)
		return a;
	memset(&blank, 0, sizeof(blank));
	no_strings(blank.s, S_N);
	want = (pf->nrows - nblank == 0 && nblank == 0) + pf->more;
	for (; want > 0 && i < PRODUCT_SKUS_MAX; want--, i++)
		json_object_array_add(a, row_view(c, pf, &blank, i));
	return a;
}

/*
 * A blank row for admin.js to copy into the page: "__I__" stands for
 * its index, "__N__" for its number.
 */
json_object *
pform_row_template(struct ctx *c, const struct pform *pf)
{
	struct skurow	 blank;
	json_object	*o;

	memset(&blank, 0, sizeof(blank));
	no_strings(blank.s, S_N);
	o = row_view(c, pf, &blank, 0);
	view_set_str(o, "index", "__I__");
	view_set_str(o, "number", "__N__");
	return o;
}

json_object *
pform_product_view(const struct pform *pf)
{
	const struct product	*p = &pf->p;
	json_object		*o = json_object_new_object();

	if (p->id != 0)
		view_set_i64(o, "id", p->id);
	view_set_str(o, "code", pf->s[F_CODE]);
	view_set_str(o, "name", pf->s[F_NAME]);
	view_set_i64(o, "category_id", p->category_id);
	view_set_str(o, "unit", pf->s[F_UNIT]);
	view_set_bool(o, "on_shelf", p->on_shelf);
	view_set_bool(o, "visible_ordering",
	    (p->visible & SHOP_MODE_ORDERING) != 0);
	view_set_bool(o, "visible_wholesale",
	    (p->visible & SHOP_MODE_WHOLESALE) != 0);
	view_set_bool(o, "visible_retail",
	    (p->visible & SHOP_MODE_RETAIL) != 0);
	if (pf->stored)
		view_set_i64(o, "sort", p->sort);
	else
		view_set_str(o, "sort", pf->s[F_SORT]);
	/* What was typed on an error, or what is stored (sanitized). */
	view_set_str(o, "description", pf->s[F_DESCRIPTION]);
	return o;
}

/* The label a field's message names: "货号", "规格 3 编码". */
static const char *
field_label(struct ctx *c, const char *name)
{
	char	key[32];
	int	i, k;

	for (k = 0; k < F_N; k++)
		if (strcmp(name, product_fields[k].name) == 0)
			return product_fields[k].label;
	if (sscanf(name, "sku_tier[%d][%d]", &i, &k) == 2)
		return tier_label(c, i, k);
	if (sscanf(name, "sku_spec_row[%d][%d]", &i, &k) == 2)
		return spec_label(c, i, k);
	if (sscanf(name, "sku_%31[a-z_][%d]", key, &i) == 2)
		for (k = 0; k < S_N; k++)
			if (strcmp(key, sku_fields[k].name) == 0)
				return sku_label(c, k, i);
	return "规格";
}

/* Every message of the form, "label：why", in the order found. */
json_object *
pform_error_list(struct ctx *c, const struct pform *pf)
{
	struct json_object_iterator	 it, end;
	json_object			*a = json_object_new_array();

	if (pf->f.errors == NULL)
		return a;
	it = json_object_iter_begin(pf->f.errors);
	end = json_object_iter_end(pf->f.errors);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		json_object_array_add(a, json_object_new_string(arena_printf(
		    c->d.arena, "%s：%s", field_label(c,
		    json_object_iter_peek_name(&it)), json_object_get_string(
		    json_object_iter_peek_value(&it)))));
	return a;
}
