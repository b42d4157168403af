/*
 * quick_order.c -- quick order (快速下单): "P000123 20" a line, as typed
 * or pasted from two Excel columns, or the rows of a CSV/XLSX file.
 *
 * A line is a code (the SKU's code or barcode, any case) and a quantity,
 * apart by spaces, tabs, full-width spaces, commas (either width), "*"
 * or "×". A unit may follow the number ("20箱", "20 箱"): it must be the
 * SKU's own unit, since "2 箱" of a SKU sold by the 件 is a question, not
 * a quantity. Full-width digits count as digits. Blank lines and lines
 * from "#" on are no lines; a first line whose code reads like a column
 * title (编码, 条码, code, sku, barcode) is the header. Anything else
 * comes back with a status: unknown codes are listed, never dropped. The
 * same SKU twice is summed into its first line, with a note on both.
 * Prices, shelf, storefront and stock come from lines_price (the database),
 * in the caller's transaction; quick_add puts the OK lines in the cart in
 * one transaction, each adding to what the cart already holds (as
 * cart_add does).
 */
#include "base/base.h"
#include "services/db.h"
#include "domain/dctx.h"
#include "domain/shop.h"
#include "domain/order.h"
#include "domain/quick_order.h"
#include "domain/scope.h"

/* Every SKU of the shop a code names: its code, or its barcode. */
static const char sql_lookup[] =
    "SELECT j.n, s.id, s.code = j.code, s.unit FROM JSON_TABLE(?, '$[*]' COLUMNS "
    "(n INT PATH '$[0]', code VARCHAR(64) PATH '$[1]')) j "
    "JOIN sku s ON s.shop_id = ? AND (s.code = j.code COLLATE "
    "utf8mb4_unicode_ci OR (s.barcode = j.code COLLATE utf8mb4_unicode_ci "
    "AND s.barcode <> '')) ORDER BY j.n, s.id";
static const char sql_cart_lock[] =
    "SELECT sku_id, qty FROM cart_item WHERE shop_id = ? "
    "AND customer_user_id = ? FOR UPDATE";
static const char sql_put[] =
    "INSERT INTO cart_item (shop_id, customer_user_id, sku_id, mode, qty) "
    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE qty = VALUES(qty), "
    "mode = VALUES(mode)";

static const char *const status_codes[] = {
	[QUICK_OK] = "ok",
	[QUICK_NO_CODE] = "code_missing",
	[QUICK_BAD_QTY] = "qty_invalid",
	[QUICK_UNKNOWN] = "unknown_code",
	[QUICK_AMBIGUOUS] = "ambiguous_code",
	[QUICK_MERGED] = "merged",
	[QUICK_PROBLEM] = NULL,		/* the line problem's own code */
	[QUICK_CART_FULL] = "cart_full",
};

static void
set_status(struct quick_line *l, enum quick_status s, const char *why)
{
	l->status = s;
	l->status_code = status_codes[s];
	l->why = why;
}

/*
 * One byte sequence of s at *i, as what the parser sees: a separator
 * (' '), an ASCII digit for a full-width one, or the byte itself (0: copy
 * as is). *len is how many bytes it took.
 */
static int
token_char(const unsigned char *s, size_t *len)
{
	*len = 1;
	if (*s == '\t' || *s == ' ' || *s == ',' || *s == '*' || *s == '\r')
		return ' ';
	if (s[0] == 0xc3 && s[1] == 0x97) {			/* × */
		*len = 2;
		return ' ';
	}
	if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) {	/* U+3000 */
		*len = 3;
		return ' ';
	}
	if (s[0] == 0xef && s[1] == 0xbc) {
		if (s[2] == 0x8c) {				/* ， */
			*len = 3;
			return ' ';
		}
		if (s[2] >= 0x90 && s[2] <= 0x99) {		/* ０-９ */
			*len = 3;
			return '0' + (s[2] - 0x90);
		}
	}
	return 0;
}

/* The line's tokens, normalised, in the arena; at most max. */
static int
tokens(struct arena *a, const char *s, size_t n, char **tok, int max)
{
	struct buf	 b;
	size_t		 i, len;
	int		 ch, nt = 0;
	char		*p, *q;

	buf_init(&b, n + 1);
	for (i = 0; i < n; i += len) {
		ch = token_char((const unsigned char *)s + i, &len);
		if (i + len > n)
			len = n - i;
		if (ch != 0)
			buf_addc(&b, (char)ch);
		else
			buf_add(&b, s + i, len);
	}
	p = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	while (nt < max && (q = strsep(&p, " ")) != NULL)
		if (*q != '\0')
			tok[nt++] = q;
	while (p != NULL && (q = strsep(&p, " ")) != NULL)
		if (*q != '\0')
			return max + 1;
	return nt;
}

static int
header_word(const char *w)
{
	static const char *const words[] = { "code", "sku", "barcode",
	    "编码", "条码", "商品编码", "sku编码", "规格编码", "货号", NULL };
	int	i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(w, words[i]) == 0)
			return 1;
	return 0;
}

/* "20", "20箱": the number and what follows it (NULL: nothing). */
static int
qty_split(struct arena *a, const char *s, int64_t *qty, const char **unit)
{
	size_t	d = strspn(s, "0123456789");
	char	*num;

	*unit = NULL;
	if (d == 0 || d > 7)
		return -1;
	if (s[d] != '\0') {
		if ((unsigned char)s[d] < 0x80)
			return -1;	/* "20kg", "20.5": not ours to read */
		*unit = s + d;
	}
	num = arena_strndup(a, s, d);
	return line_qty_parse(num, qty) == LINE_OK ? 0 : -1;
}

/*
 * One line, given as its code and quantity texts (a file's two cells, or
 * a pasted line's first tokens): added to q with its parse status.
 */
int
quick_line_put(struct dctx *c, struct quick_order *q, int lineno,
    const char *code, const char *qty)
{
	struct quick_line	*l;
	const char		*unit;

	if (q->n >= QUICK_LINES_MAX) {
		c->error = arena_printf(c->arena, "一次最多 %d 行，请分批下单",
		    QUICK_LINES_MAX);
		c->code = "too_many_lines";
		return ERR_INVALID;
	}
	l = &q->v[q->n++];
	memset(l, 0, sizeof(*l));
	l->lineno = lineno;
	l->code = code ? code : "";
	l->qty_text = qty ? qty : "";
	set_status(l, QUICK_OK, NULL);
	if (*l->code == '\0')
		set_status(l, QUICK_NO_CODE, "缺少商品编码或条码");
	else if (strlen(l->code) > QUICK_CODE_MAX)
		set_status(l, QUICK_UNKNOWN, "编码过长，没有这个商品");
	else if (*l->qty_text == '\0')
		set_status(l, QUICK_BAD_QTY, "缺少数量");
	else if (qty_split(c->arena, l->qty_text, &l->qty, &unit) == -1)
		set_status(l, QUICK_BAD_QTY, "数量应为 1 到 1000000 之间的整数");
	else
		l->unit = unit;
	return 0;
}

/*
 * The pasted text as lines, each with its parse status (the codes are
 * looked up by quick_preview). ERR_INVALID with c->error for text that is
 * too long, not UTF-8, has too many lines or none.
 */
int
quick_parse(struct dctx *c, const char *text, struct quick_order *q)
{
	const char	*s, *e;
	char		*tok[4], *line;
	int		 nt, lineno = 0, rc, seen = 0;
	size_t		 n;

	memset(q, 0, sizeof(*q));
	c->code = NULL;
	if (text == NULL)
		text = "";
	if ((n = strlen(text)) > QUICK_BYTES_MAX) {
		c->error = arena_printf(c->arena, "内容过长（最多 %d KB），"
		    "请分批下单", QUICK_BYTES_MAX / 1024);
		c->code = "too_large";
		return ERR_INVALID;
	}
	if (!utf8_valid(text, n)) {
		c->error = "内容不是有效的文字（UTF-8）";
		return ERR_INVALID;
	}
	q->v = arena_calloc(c->arena, QUICK_LINES_MAX + 1, sizeof(*q->v));
	for (s = text; *s != '\0'; s = *e ? e + 1 : e) {
		lineno++;
		e = s + strcspn(s, "\n");
		line = arena_strndup(c->arena, s, e - s);
		line[strcspn(line, "#")] = '\0';
		if ((nt = tokens(c->arena, line, strlen(line), tok, 3)) == 0)
			continue;
		if (!seen++ && header_word(tok[0]) && (nt < 2 ||
		    strspn(tok[1], "0123456789") == 0))
			continue;
		if (nt == 3 && strspn(tok[1], "0123456789") == strlen(tok[1]) &&
		    (unsigned char)tok[2][0] >= 0x80)
			tok[1] = arena_printf(c->arena, "%s%s", tok[1], tok[2]);
		else if (nt > 2) {
			if ((rc = quick_line_put(c, q, lineno, tok[0],
			    tok[1])) != 0)
				return rc;
			set_status(&q->v[q->n - 1], QUICK_BAD_QTY,
			    "每行只写编码和数量（可带单位）");
			continue;
		}
		if ((rc = quick_line_put(c, q, lineno, tok[0],
		    nt > 1 ? tok[1] : NULL)) != 0)
			return rc;
	}
	if (q->n == 0) {
		c->error = "请填写商品编码和数量，每行一个";
		c->code = "empty";
		return ERR_INVALID;
	}
	return 0;
}

/* Each OK line's SKU, by code first, then by barcode. */
static int
lookup(struct dctx *c, struct quick_order *q)
{
	json_object	*a, *e;
	struct db_res	*r;
	const char	*unit = NULL;
	int		 i, k, nmatch, rc;

	a = arena_defer_json(c->arena, json_object_new_array());
	for (i = 0; i < q->n; i++)
		if (q->v[i].status == QUICK_OK && !q->v[i].known) {
			e = json_object_new_array();
			json_object_array_add(e, json_object_new_int(i));
			json_object_array_add(e,
			    json_object_new_string(q->v[i].code));
			json_object_array_add(a, e);
		}
	if (json_object_array_length(a) == 0)
		return 0;
	rc = db_run(c->arena, &r, sql_lookup, "si",
	    json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN),
	    c->shop->id);
	if (rc == -1)
		return ERR_INTERNAL;
	for (i = 0; i < q->n; i++) {
		if (q->v[i].status != QUICK_OK || q->v[i].known)
			continue;
		nmatch = 0;
		for (k = 0; k < r->nrows; k++) {
			if (db_cell_i64(r, k, 0) != i)
				continue;
			if (db_cell_i64(r, k, 2) != 0) {	/* its code */
				q->v[i].sku_id = db_cell_i64(r, k, 1);
				unit = db_cell(r, k, 3);
				nmatch = 1;
				break;
			}
			if (nmatch++ == 0) {
				q->v[i].sku_id = db_cell_i64(r, k, 1);
				unit = db_cell(r, k, 3);
			}
		}
		if (nmatch == 0)
			set_status(&q->v[i], QUICK_UNKNOWN, "没有这个商品编码或条码");
		else if (nmatch > 1) {
			q->v[i].sku_id = 0;
			set_status(&q->v[i], QUICK_AMBIGUOUS,
			    "这个条码对应多个商品，请改用商品编码");
		} else if (q->v[i].unit != NULL && unit != NULL &&
		    strcmp(q->v[i].unit, unit) != 0) {
			set_status(&q->v[i], QUICK_BAD_QTY, arena_printf(
			    c->arena, "单位「%s」与商品的单位「%s」不符，"
			    "请只写数量", q->v[i].unit, unit));
			q->v[i].status_code = "unit_mismatch";
		}
	}
	return 0;
}

/* The same SKU on later lines: summed into the first one. */
static void
merge(struct dctx *c, struct quick_order *q)
{
	struct quick_line	*l, *f;
	int			 i, k;

	for (i = 0; i < q->n; i++) {
		l = &q->v[i];
		if (l->status != QUICK_OK)
			continue;
		for (k = 0; k < i; k++) {
			f = &q->v[k];
			if (f->status == QUICK_OK && f->sku_id == l->sku_id)
				break;
		}
		if (k == i)
			continue;
		f->qty += l->qty;
		if (f->qty > CART_QTY_MAX)
			f->qty = CART_QTY_MAX + 1;	/* refused below */
		f->note = arena_printf(c->arena, "%s%s第 %d 行", f->note ?
		    f->note : "已合并：", f->note ? "、" : "", l->lineno);
		l->into = f->lineno;
		set_status(l, QUICK_MERGED, NULL);
		l->note = arena_printf(c->arena, "与第 %d 行是同一商品，"
		    "数量已合并到第 %d 行", f->lineno, f->lineno);
	}
}

/* Price the found lines for the company cid (have: what the cart holds
 * of each, or NULL). */
static int
price(struct dctx *c, int64_t cid, int mode, struct quick_order *q,
    const int64_t *have)
{
	struct priced_line	*pl;
	struct line_req		*rq;
	int			*at, i, n = 0, rc;

	rq = arena_calloc(c->arena, q->n + 1, sizeof(*rq));
	at = arena_calloc(c->arena, q->n + 1, sizeof(*at));
	for (i = 0; i < q->n; i++)
		if (q->v[i].status == QUICK_OK) {
			rq[n].sku_id = q->v[i].sku_id;
			rq[n].qty = q->v[i].qty + (have ? have[i] : 0);
			rq[n].mode = mode;
			at[n++] = i;
		}
	if (n == 0)
		return 0;
	if ((rc = lines_price(c, cid, rq, n, &pl)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		struct quick_line *l = &q->v[at[i]];

		l->pl = pl[i];
		if (pl[i].problem != LINE_OK) {
			set_status(l, QUICK_PROBLEM, pl[i].why);
			l->status_code = line_problem_code(pl[i].problem);
			if (have && have[at[i]] > 0)
				l->why = arena_printf(c->arena, "进货单中已有 %"
				    PRId64 "，合计 %" PRId64 "：%s", have[at[i]],
				    rq[i].qty, pl[i].why);
		}
	}
	return 0;
}

static void
tally(struct quick_order *q)
{
	int	i;

	q->nok = q->nbad = 0;
	q->subtotal_fen = 0;
	for (i = 0; i < q->n; i++)
		if (q->v[i].status == QUICK_OK) {
			q->nok++;
			q->subtotal_fen += q->v[i].pl.line_fen;
		} else if (q->v[i].status != QUICK_MERGED)
			q->nbad++;
}

static int
check_mode(struct dctx *c, int mode)
{
	if ((mode == SHOP_MODE_ORDERING || mode == SHOP_MODE_WHOLESALE ||
	    mode == SHOP_MODE_RETAIL) && (c->shop->modes & mode))
		return 0;	/* the buyer's fit: cart_price.c (wrong_storefront) */
	c->error = "这个商城不能快速下单";
	c->code = "mode_unavailable";
	return ERR_NOT_FOUND;
}

static int
resolve(struct dctx *c, int64_t cid, int mode, struct quick_order *q,
    const int64_t *have)
{
	int	rc;

	if ((rc = lookup(c, q)) != 0)
		return rc;
	merge(c, q);
	return price(c, cid, mode, q, have);
}

/*
 * Resolve parsed lines for the actor's company in the storefront mode:
 * every line keeps its status, the OK ones priced. 0, ERR_NOT_FOUND (not
 * a customer, or a storefront the shop does not run), ERR_INTERNAL.
 */
int
quick_preview(struct dctx *c, int mode, struct quick_order *q)
{
	int	rc;

	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if ((rc = check_mode(c, mode)) != 0)
		return rc;
	if ((rc = resolve(c, c->sess.customer_id, mode, q, NULL)) != 0)
		return rc;
	tally(q);
	return 0;
}

/*
 * quick_preview for a company staff order for (代客下单): priced for
 * customer_id, which must be in the staff member's scope (another's, or
 * another shop's, is ERR_NOT_FOUND as one that is not there).
 */
int
quick_preview_for(struct dctx *c, int64_t customer_id, int mode,
    struct quick_order *q)
{
	int	rc;

	if (c->sess.kind != SESS_STAFF)
		return ERR_NOT_FOUND;
	if ((rc = check_mode(c, mode)) != 0 ||
	    (rc = scope_customer(c, customer_id)) != 0 ||
	    (rc = resolve(c, customer_id, mode, q, NULL)) != 0)
		return rc;
	tally(q);
	return 0;
}

struct add_arg {
	int			 mode;
	struct quick_order	*q;
	struct quick_order	 orig;	/* as parsed: a retried body restarts */
};

static int
tx_add(struct dctx *c, void *arg)
{
	struct add_arg		*a = arg;
	struct quick_order	*q = a->q;
	struct db_res		*r;
	int64_t			*have;
	int			 i, k, rc, lines;

	q->n = a->orig.n;
	memcpy(q->v, a->orig.v, q->n * sizeof(*q->v));
	if (db_run(c->arena, &r, sql_cart_lock, "ii", c->shop->id,
	    c->sess.user_id) == -1)
		return ERR_INTERNAL;
	if ((rc = lookup(c, q)) != 0)
		return rc;
	merge(c, q);
	have = arena_calloc(c->arena, q->n + 1, sizeof(*have));
	lines = r->nrows;
	for (i = 0; i < q->n; i++) {
		if (q->v[i].status != QUICK_OK)
			continue;
		for (k = 0; k < r->nrows; k++)
			if (db_cell_i64(r, k, 0) == q->v[i].sku_id)
				have[i] = db_cell_i64(r, k, 1);
		if (have[i] + q->v[i].qty > CART_QTY_MAX)
			set_status(&q->v[i], QUICK_BAD_QTY, arena_printf(
			    c->arena, "进货单中已有 %" PRId64 "，合计不能超过 %d",
			    have[i], CART_QTY_MAX));
	}
	if ((rc = price(c, c->sess.customer_id, a->mode, q, have)) != 0)
		return rc;
	for (i = 0; i < q->n; i++) {
		if (q->v[i].status != QUICK_OK)
			continue;
		/* Only lines that may be ordered take room in the cart. */
		if (have[i] == 0 && lines++ >= CART_LINES_MAX) {
			set_status(&q->v[i], QUICK_CART_FULL, arena_printf(
			    c->arena, "进货单最多 %d 种商品，请先下单",
			    CART_LINES_MAX));
			continue;
		}
		if (db_run(c->arena, NULL, sql_put, "iiisi", c->shop->id,
		    c->sess.user_id, q->v[i].sku_id, cart_mode_name(a->mode),
		    have[i] + q->v[i].qty) == -1)
			return ERR_INTERNAL;
		q->v[i].added = 1;
	}
	return 0;
}

/*
 * Add the lines that can be ordered to the actor's cart, in one
 * transaction, each onto what the cart holds of its SKU (the sum checked
 * as a whole); the others stay as they are, with why. q->nok: the lines
 * added. Errors as quick_preview.
 */
int
quick_add(struct dctx *c, int mode, struct quick_order *q)
{
	struct add_arg	a;
	int		rc;

	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if ((rc = check_mode(c, mode)) != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	a.mode = mode;
	a.q = q;
	a.orig.n = q->n;
	a.orig.v = arena_calloc(c->arena, q->n + 1, sizeof(*q->v));
	memcpy(a.orig.v, q->v, q->n * sizeof(*q->v));
	if ((rc = db_tx_run(c, tx_add, &a)) != 0)
		return rc;
	tally(q);
	return 0;
}

/*
 * Reorder (再来一单): the lines of one of the company's orders, at their
 * quantities, added to the actor's cart as quick_add adds (at today's
 * prices; what cannot be ordered now stays out, with why). Each line
 * keeps the price paid (old_fen) to show what changed. *order_no: the
 * order's. ERR_NOT_FOUND for an order that is not the company's.
 */
int
quick_reorder(struct dctx *c, int64_t order_id, int mode,
    struct quick_order *q, const char **order_no)
{
	struct order	 o;
	int		 i, rc;

	memset(q, 0, sizeof(*q));
	if (c->sess.kind != SESS_CUSTOMER)
		return ERR_NOT_FOUND;
	if ((rc = order_get(c, order_id, &o)) != 0)
		return rc;
	*order_no = o.order_no;
	q->v = arena_calloc(c->arena, o.nlines + 1, sizeof(*q->v));
	for (i = 0; i < o.nlines && i < QUICK_LINES_MAX; i++) {
		struct quick_line *l = &q->v[q->n++];

		l->lineno = (int)o.lines[i].line_no;
		l->code = o.lines[i].sku_code;
		l->qty = o.lines[i].qty;
		l->qty_text = arena_printf(c->arena, "%" PRId64, l->qty);
		l->sku_id = o.lines[i].sku_id;
		l->known = 1;
		l->has_old = 1;
		l->old_fen = o.lines[i].unit_fen;
		set_status(l, QUICK_OK, NULL);
	}
	return quick_add(c, mode, q);
}
