/*
 * h_wxpay.c -- WeChat Pay on the customer's side and WeChat Pay's own
 * callback: start paying an order (the signed parameters for
 * WeixinJSBridge in the WeChat browser, or wx.requestPayment in the
 * mini-program, as JSON), check when the payer is back, and
 * /wxpay/notify, which takes the raw body and the Wechatpay-* headers
 * and answers as WeChat Pay expects (204, or 4xx/5xx with
 * {"code":"FAIL","message"} when a retry may help).
 */
#include "base/base.h"
#include "domain/wxpay_order.h"
#include "http/http.h"
#include "handlers/handlers.h"
#include "handlers/h_money.h"

/* Where WeChat Pay posts results for this shop: absolute, as it wants
 * (payments, refunds, and the merchant page that shows it). */
const char *
h_wxpay_notify_url(struct ctx *c)
{
	return arena_printf(c->d.arena, "%s://%s%s/wxpay/notify",
	    c->https ? "https" : "http", c->host ? c->host : "", c->base);
}

static int
h_wxpay_start(struct ctx *c)
{
	struct wxpay_start	 s;
	int64_t			 id = route_cap(c, 0);
	json_object		*v, *p;
	int			 rc;

	if ((rc = wxpay_pay_start(&c->d, id, h_wxpay_notify_url(c), &s)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	p = json_tokener_parse(s.params_json);
	if (p == NULL)
		return http_fail(c, ERR_INTERNAL, NULL);
	json_object_object_add(v, "params", p);
	view_set_i64(v, "order_id", id);
	view_set_i64(v, "amount_fen", s.amount_fen);
	view_set_money(c, v, "amount", s.amount_fen);
	view_set_str(v, "out_trade_no", s.out_trade_no);
	view_set_str(v, "check_url", ctx_link(c, arena_printf(c->d.arena,
	    "/orders/%" PRId64 "/wxpay/check", id)));
	if (c->json_out)
		return render_json_ok(c, 200);
	view_set_str(v, "order_url", ctx_link(c, arena_printf(c->d.arena,
	    "/orders/%" PRId64, id)));
	view_set_str(v, "params_json", s.params_json);
	c->title = "微信支付";
	return render(c, "wxpay");
}

static int
h_wxpay_check(struct ctx *c)
{
	int64_t	id = route_cap(c, 0);
	int	paid, rc;

	if ((rc = wxpay_pay_check(&c->d, id, &paid)) != 0 &&
	    rc != ERR_UNAVAILABLE)
		return http_fail(c, rc, c->d.error);
	if (c->json_out) {
		json_object *v = view_new(c);

		view_set_i64(v, "order_id", id);
		view_set_bool(v, "paid", paid);
		view_set_bool(v, "pending", !paid);
		return render_json_ok(c, 200);
	}
	return http_see_other(c, "%s", ctx_link(c, arena_printf(c->d.arena,
	    "/orders/%" PRId64 "?done=%s", id, paid ? "wxpay_paid" :
	    "wxpay_pending")));
}

static int
h_wxpay_notify(struct ctx *c)
{
	const char	*h[4], *body, *answer;
	size_t		 len;
	json_object	*o;
	int		 rc;

	h[0] = req_header(c, "HTTP_WECHATPAY_TIMESTAMP");
	h[1] = req_header(c, "HTTP_WECHATPAY_NONCE");
	h[2] = req_header(c, "HTTP_WECHATPAY_SIGNATURE");
	h[3] = req_header(c, "HTTP_WECHATPAY_SERIAL");
	if ((rc = request_raw_body(c, &body, &len)) != 0)
		return http_fail(c, rc, c->d.error);
	rc = wxpay_notify(&c->d, h, body, len, &answer);
	if (rc == 0) {
		c->status = 204;
		c->ctype = "text/plain; charset=utf-8";
		c->body.len = 0;
		return c->status;
	}
	c->status = rc == ERR_UNAUTHORIZED ? 401 : rc == ERR_UNAVAILABLE ?
	    503 : 500;
	c->ctype = "application/json; charset=utf-8";
	o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_string("FAIL"));
	json_object_object_add(o, "message", json_object_new_string(answer));
	c->body.len = 0;
	buf_adds(&c->body, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return c->status;
}

#define API	"^(?:/api/v1)?"
#define ORD	API "/orders/([0-9]{1,18})"
const struct route h_wxpay_routes[] = {
	{ "POST", ORD "/wxpay$", h_wxpay_start, ROUTE_CUSTOMER | ROUTE_CSRF,
	  NULL },
	{ "POST", ORD "/wxpay/check$", h_wxpay_check,
	  ROUTE_CUSTOMER | ROUTE_CSRF, NULL },
	{ "POST", "^/wxpay/notify$", h_wxpay_notify, 0, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
