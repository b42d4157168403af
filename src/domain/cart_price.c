/*
 * cart_price.c -- what a customer may order and pays, line by line, read
 * from the database in one statement (SKU, product, the company's level
 * list and contract price, the tiers) and resolved with price_resolve():
 * for the cart, the checkout preview and submit, inside the caller's
 * transaction when it has one. The worker's catalog cache is never asked:
 * a price or a stock it holds may be half a second old. Lines and their
 * strings are in the caller's arena.
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/shop.h"
#include "domain/cart.h"

/*
 * A line's SKU as it is now and everything its price depends on, for the
 * company cu (a customer of the shop). p.visible + 0 is the SET as bits in
 * its declared order: ordering 1, wholesale 2, retail 4, the SHOP_MODE_*
 * values. The tiers come as [[min_qty, price_fen], ...].
 */
#define PRICED_COLS \
    "s.id, s.product_id, s.code, p.code, p.name, s.spec, s.unit, " \
    "s.min_qty, s.pack_size, s.pack_only, s.stock, s.price_fen, " \
    "p.on_shelf, p.visible + 0, li.price_fen, COALESCE(pl.percent_bp, 0), " \
    "cp.price_fen, cp.binding, " \
    "(SELECT JSON_ARRAYAGG(JSON_ARRAY(t.min_qty, t.price_fen)) " \
    "FROM price_tier t WHERE t.sku_id = s.id AND t.shop_id = s.shop_id), " \
    "COALESCE(s.retail_price_fen, -1), cu.kind = 'consumer'"
#define PRICED_THUMB \
    ", (SELECT i.thumb_path FROM product_image i WHERE i.product_id = p.id " \
    "AND i.shop_id = p.shop_id ORDER BY i.sort, i.id LIMIT 1)"
#define PRICED_JOINS \
    "LEFT JOIN sku s ON s.id = j.sku_id AND s.shop_id = ? " \
    "LEFT JOIN product p ON p.id = s.product_id AND p.shop_id = s.shop_id " \
    "LEFT JOIN customer cu ON cu.id = ? AND cu.shop_id = s.shop_id " \
    "LEFT JOIN price_list pl ON pl.level_id = cu.level_id " \
    "AND pl.shop_id = s.shop_id " \
    "LEFT JOIN price_list_item li ON li.price_list_id = pl.id " \
    "AND li.sku_id = s.id AND li.shop_id = s.shop_id " \
    "LEFT JOIN contract_price cp ON cp.customer_id = cu.id " \
    "AND cp.sku_id = s.id AND cp.shop_id = s.shop_id "
#define COL_TIERS	21	/* counting j's three */
#define COL_RETAIL	22	/* the SKU's retail price, -1: its base */
#define COL_CONSUMER	23	/* the company is a retail consumer */
#define COL_THUMB	24	/* PRICED_THUMB */

/* Lines given as JSON [[sku_id, qty, mode], ...], in their order. */
static const char sql_lines[] =
    "SELECT j.sku_id, j.qty, j.mode, " PRICED_COLS " "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
    "sku_id BIGINT PATH '$[0]', qty BIGINT PATH '$[1]', "
    "mode INT PATH '$[2]')) j " PRICED_JOINS "ORDER BY j.n";
/* One line (a cart add or change): the same, without parsing JSON. */
static const char sql_line[] =
    "SELECT j.sku_id, j.qty, j.mode, " PRICED_COLS " "
    "FROM (SELECT CAST(? AS UNSIGNED) AS sku_id, CAST(? AS SIGNED) AS qty, "
    "CAST(? AS SIGNED) AS mode) j " PRICED_JOINS;
/* A user's cart, by SKU id: the order stock is locked in at submit. The
 * mode ENUM as SHOP_MODE_ORDERING, SHOP_MODE_WHOLESALE or
 * SHOP_MODE_RETAIL (CART_MODE_BITS, cart.h). */
#define CART_FROM \
    "FROM cart_item j " PRICED_JOINS \
    "WHERE j.shop_id = ? AND j.customer_user_id = ? ORDER BY j.sku_id"
static const char sql_cart[] =
    "SELECT j.sku_id, j.qty, " CART_MODE_BITS("j.mode") ", " PRICED_COLS " "
    CART_FROM;
static const char sql_cart_thumbs[] =
    "SELECT j.sku_id, j.qty, " CART_MODE_BITS("j.mode") ", " PRICED_COLS
    PRICED_THUMB " "
    CART_FROM;

static const char *const problem_codes[] = {
	[LINE_OK] = "ok",
	[LINE_QTY_INVALID] = "qty_invalid",
	[LINE_QTY_BELOW_MIN] = "qty_below_min",
	[LINE_QTY_NOT_MULTIPLE] = "qty_not_multiple",
	[LINE_UNAVAILABLE] = "sku_unavailable",
	[LINE_OUT_OF_STOCK] = "out_of_stock",
	[LINE_WRONG_MALL] = "wrong_storefront",
};

const char *
line_problem_code(enum line_problem p)
{
	return (unsigned)p < sizeof(problem_codes) / sizeof(problem_codes[0]) ?
	    problem_codes[p] : "invalid";
}

/* A quantity as typed: a whole number 1..CART_QTY_MAX, nothing else. */
enum line_problem
line_qty_parse(const char *s, int64_t *qty)
{
	const char	*err;

	if (s == NULL || parse_i64(s, 1, CART_QTY_MAX, qty, &err) == -1)
		return LINE_QTY_INVALID;
	return LINE_OK;
}

/*
 * The quantity rules of a SKU: at least min_qty, and whole cases when the
 * SKU is sold in cases only (pack_only); a case size of 1 asks nothing.
 */
enum line_problem
line_qty_check(int64_t qty, int64_t min_qty, int64_t pack_size, int pack_only)
{
	if (qty < 1 || qty > CART_QTY_MAX)
		return LINE_QTY_INVALID;
	if (qty < min_qty)
		return LINE_QTY_BELOW_MIN;
	if (pack_only && pack_size > 1 && qty % pack_size != 0)
		return LINE_QTY_NOT_MULTIPLE;
	return LINE_OK;
}

/* Why the line cannot be ordered, for the buyer: what to change. */
const char *
line_problem_text(struct arena *a, const struct priced_line *l)
{
	switch (l->problem) {
	case LINE_OK:
		return NULL;
	case LINE_QTY_INVALID:
		return "数量应为 1 到 1000000 之间的整数";
	case LINE_QTY_BELOW_MIN:
		return arena_printf(a, "起订量为 %" PRId64 " %s，请增加数量",
		    l->min_qty, l->unit);
	case LINE_QTY_NOT_MULTIPLE:
		return arena_printf(a, "须整箱订购：每箱 %" PRId64 " %s，数量应为 %"
		    PRId64 " 的倍数", l->pack_size, l->unit, l->pack_size);
	case LINE_UNAVAILABLE:
		return "该商品已下架或不在本商城销售";
	case LINE_WRONG_MALL:
		return l->mode == SHOP_MODE_RETAIL ? "零售商城面向个人顾客，"
		    "贵公司请在订货商城下单" : "个人顾客请在零售商城购买";
	case LINE_OUT_OF_STOCK:
		return l->stock > 0 ? arena_printf(a, "库存不足，现有 %" PRId64
		    " %s", l->stock, l->unit) : "暂时缺货";
	}
	return "无法订购";
}

/* "[[10, 900],[50, 800]]" as the database built it. */
static int
parse_tiers(struct arena *a, const char *s, struct price_input *in)
{
	struct price_tier	*t;
	int64_t			 v[2];
	int			 n = 0, cap = 0, k = 0;
	const char		*p;

	in->tiers = NULL;
	in->ntiers = 0;
	if (s == NULL)
		return 0;
	for (p = s; *p; p++)
		if (*p == '[')
			cap++;
	t = arena_alloc(a, (cap + 1) * sizeof(*t));
	for (p = s; *p; ) {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		v[k] = strtoll(p, (char **)&p, 10);
		if (++k == 2) {
			if (n == cap)
				return -1;
			t[n].min_qty = v[0];
			t[n++].price_fen = v[1];
			k = 0;
		}
	}
	if (k != 0)
		return -1;
	in->tiers = t;
	in->ntiers = n;
	return 0;
}

/* May this line be ordered at all in its storefront? */
static int
orderable(struct dctx *c, const struct db_res *r, int i, int mode)
{
	if (db_cell(r, i, 3) == NULL || db_cell(r, i, 6) == NULL)
		return 0;	/* no such SKU in this shop */
	if (mode != SHOP_MODE_ORDERING && mode != SHOP_MODE_WHOLESALE &&
	    mode != SHOP_MODE_RETAIL)
		return 0;
	return (c->shop->modes & mode) && db_cell_i64(r, i, 15) != 0 &&
	    (db_cell_i64(r, i, 16) & mode) != 0;
}

/* A consumer buys in the retail mall only, a dealer never there. */
static int
mall_fits(const struct db_res *r, int i, int mode)
{
	return (db_cell_i64(r, i, COL_CONSUMER) == 1) ==
	    (mode == SHOP_MODE_RETAIL);
}

static void
line_strings(const struct db_res *r, int i, struct priced_line *l)
{
	l->product_id = db_cell_i64(r, i, 4);
	l->sku_code = db_cell(r, i, 5);
	l->product_code = db_cell(r, i, 6);
	l->name = db_cell(r, i, 7);
	l->spec = db_cell(r, i, 8) ? db_cell(r, i, 8) : "";
	l->unit = db_cell(r, i, 9);
}

/*
 * A retail line: the SKU's retail price (its base price when it has
 * none), whatever the quantity; a consumer buys single units, so the
 * B2B rules (minimum order, whole cases) do not apply, stock does.
 */
static int
retail_fill(struct dctx *c, const struct db_res *r, int i, int thumbs,
    struct priced_line *l)
{
	(void)c;
	l->min_qty = 1;
	l->pack_size = 1;
	l->pack_only = 0;
	l->stock = db_cell_i64(r, i, 13);
	if (thumbs)
		l->thumb = db_cell(r, i, COL_THUMB);
	l->price.unit_fen = db_cell_i64(r, i, COL_RETAIL) >= 0 ?
	    db_cell_i64(r, i, COL_RETAIL) : db_cell_i64(r, i, 14);
	l->price.source = PRICE_BASE;
	l->price.tier_fen = l->price.unit_fen;
	l->price.tier_source = PRICE_BASE;
	l->price.level_fen = -1;
	l->problem = line_qty_check(l->qty, 1, 1, 0);
	if ((l->line_fen = price_line_total(l->price.unit_fen,
	    l->problem == LINE_QTY_INVALID || l->qty < 1 ? 1 : l->qty)) < 0)
		return -1;
	if (l->problem == LINE_OK && l->stock < l->qty)
		l->problem = LINE_OUT_OF_STOCK;
	return 0;
}

/* Row i of a priced query into l; -1 when a price cannot be made. */
static int
line_fill(struct dctx *c, const struct db_res *r, int i, int thumbs,
    struct priced_line *l)
{
	struct price_input	 in;

	memset(l, 0, sizeof(*l));
	l->sku_id = db_cell_i64(r, i, 0);
	l->qty = db_cell_i64(r, i, 1);
	l->mode = (int)db_cell_i64(r, i, 2);
	if (!orderable(c, r, i, l->mode)) {
		if (db_cell(r, i, 3) != NULL && db_cell(r, i, 6) != NULL)
			line_strings(r, i, l);
		l->problem = LINE_UNAVAILABLE;
		return 0;
	}
	line_strings(r, i, l);
	if (!mall_fits(r, i, l->mode)) {
		l->problem = LINE_WRONG_MALL;
		return 0;
	}
	if (l->mode == SHOP_MODE_RETAIL)
		return retail_fill(c, r, i, thumbs, l);
	l->min_qty = db_cell_i64(r, i, 10);
	l->pack_size = db_cell_i64(r, i, 11);
	l->pack_only = db_cell_i64(r, i, 12) != 0;
	l->stock = db_cell_i64(r, i, 13);
	if (thumbs)
		l->thumb = db_cell(r, i, COL_THUMB);
	memset(&in, 0, sizeof(in));
	in.base_fen = db_cell_i64(r, i, 14);
	if ((in.has_list_price = db_cell(r, i, 17) != NULL))
		in.list_price_fen = db_cell_i64(r, i, 17);
	in.list_percent_bp = db_cell_i64(r, i, 18);
	if ((in.has_contract = db_cell(r, i, 19) != NULL)) {
		in.contract_fen = db_cell_i64(r, i, 19);
		in.contract_binding = db_cell_i64(r, i, 20) != 0;
	}
	if (parse_tiers(c->arena, db_cell(r, i, COL_TIERS), &in) == -1)
		return -1;
	/* A quantity the rules refuse is still priced at its minimum. */
	l->problem = line_qty_check(l->qty, l->min_qty, l->pack_size,
	    l->pack_only);
	in.qty = l->problem == LINE_QTY_INVALID || l->qty < 1 ? 1 : l->qty;
	if (price_resolve(&in, &l->price) == -1 ||
	    (l->line_fen = price_line_total(l->price.unit_fen, in.qty)) < 0)
		return -1;
	if (l->problem == LINE_OK && l->stock < l->qty)
		l->problem = LINE_OUT_OF_STOCK;
	return 0;
}

/* The rows of a priced query, as lines; the caller names the source. */
static int
lines_of(struct dctx *c, const struct db_res *r, int thumbs,
    struct priced_line **out)
{
	struct priced_line	*v;
	int			 i;

	v = arena_calloc(c->arena, r->nrows + 1, sizeof(*v));
	for (i = 0; i < r->nrows; i++)
		if (line_fill(c, r, i, thumbs, &v[i]) == -1) {
			clog_warnx(c, "cart: cannot price sku=%" PRId64,
			    db_cell_i64(r, i, 0));
			return ERR_INTERNAL;
		}
	for (i = 0; i < r->nrows; i++)
		v[i].why = line_problem_text(c->arena, &v[i]);
	*out = v;
	return 0;
}

/*
 * Price n lines for the company customer_id of the request's shop, each
 * with what stands in its way (problem, why); out[i] is req[i]. Runs in
 * the caller's transaction, if any: one statement. 0 or ERR_INTERNAL.
 */
int
lines_price(struct dctx *c, int64_t customer_id, const struct line_req *req,
    int n, struct priced_line **out)
{
	struct db_res	*r;
	struct buf	 j;
	int		 i, rc;

	if (n == 1) {
		if (db_run(c->arena, &r, sql_line, "iiiii", req[0].sku_id,
		    req[0].qty, (int64_t)req[0].mode, c->shop->id,
		    customer_id) == -1)
			return ERR_INTERNAL;
		return lines_of(c, r, 0, out);
	}
	buf_init(&j, 32 + n * 24);
	buf_addc(&j, '[');
	for (i = 0; i < n; i++)
		buf_printf(&j, "%s[%" PRId64 ",%" PRId64 ",%d]", i ? "," : "",
		    req[i].sku_id, req[i].qty, req[i].mode);
	buf_addc(&j, ']');
	rc = db_run(c->arena, &r, sql_lines, "sii", buf_cstr(&j), c->shop->id,
	    customer_id);
	buf_free(&j);
	if (rc == -1)
		return ERR_INTERNAL;
	return lines_of(c, r, 0, out);
}

/*
 * The actor's cart (a customer user's), priced for their company, by SKU
 * id; thumbs: with each product's first picture. The subtotal counts the
 * lines that can be ordered as they stand. In the caller's transaction,
 * if any. 0, ERR_NOT_FOUND (not a customer), ERR_INTERNAL.
 */
int
cart_load(struct dctx *c, int thumbs, struct cart *out)
{
	struct db_res	*r;
	int		 i, rc;

	memset(out, 0, sizeof(*out));
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if (db_run(c->arena, &r, thumbs ? sql_cart_thumbs : sql_cart, "iiii",
	    c->shop->id, c->sess.customer_id, c->shop->id,
	    c->sess.user_id) == -1)
		return ERR_INTERNAL;
	if ((rc = lines_of(c, r, thumbs, &out->lines)) != 0)
		return rc;
	out->n = r->nrows;
	for (i = 0; i < out->n; i++) {
		out->units += out->lines[i].qty;
		if (out->lines[i].problem != LINE_OK)
			out->nproblems++;
		else
			out->subtotal_fen += out->lines[i].line_fen;
	}
	return 0;
}
