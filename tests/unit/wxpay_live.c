/*
 * wxpay_live: drives services/wxpay against a server over real HTTP
 * (tests/fake/wxpay.py, from tests/integration/test_wxpay_client.py).
 * Config from the environment: WXPAY_BASE_URL, WXPAY_KEY_FILE (merchant
 * private PEM), WXPAY_PUB_FILE (platform public PEM), WXPAY_SERIAL,
 * WXPAY_APIV3_KEY. Prints key=value lines; exit 0 iff rc is ok.
 *
 *   wxpay_live create OUT_TRADE_NO TOTAL OPENID
 *   wxpay_live query OUT_TRADE_NO
 *   wxpay_live close OUT_TRADE_NO
 *   wxpay_live refund OUT_TRADE_NO OUT_REFUND_NO REFUND TOTAL
 *   wxpay_live refund-query OUT_REFUND_NO
 *   wxpay_live notify TS NONCE SIGNATURE SERIAL BODY_FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "services/wxpay.h"

static char *
slurp(const char *path)
{
	FILE		*f;
	struct buf	 b;
	char		 tmp[4096];
	size_t		 n;

	if (path == NULL || (f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot read %s\n", path ? path : "(unset)");
		exit(2);
	}
	buf_init(&b, 4096);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	return buf_cstr(&b);
}

static void
print_result(const struct wxpay_result *r)
{
	printf("rc=%s\nstatus=%ld\ncode=%s\nretryable=%d\n",
	    wxpay_rc_str(r->rc), r->http_status, r->code, r->retryable);
}

static void
print_txn(const struct wxpay_txn *t)
{
	printf("out_trade_no=%s\ntransaction_id=%s\ntrade_state=%s\n"
	    "total=%lld\npayer_total=%lld\ncurrency=%s\nmchid=%s\nappid=%s\n"
	    "openid=%s\nsuccess_time=%s\n", t->out_trade_no,
	    t->transaction_id, t->trade_state, (long long)t->total,
	    (long long)t->payer_total, t->currency, t->mchid, t->appid,
	    t->openid, t->success_time);
}

static void
print_refund(const struct wxpay_refund *r)
{
	printf("out_refund_no=%s\nrefund_id=%s\nrefund_status=%s\n"
	    "refund=%lld\nrefund_total=%lld\nout_trade_no=%s\n",
	    r->out_refund_no, r->refund_id, r->status, (long long)r->refund,
	    (long long)r->total, r->out_trade_no);
}

int
main(int argc, char **argv)
{
	struct wxpay_conf	 c;
	struct wxpay		 w;
	struct wxpay_result	 r;
	struct wxpay_txn	 t;
	struct wxpay_refund	 rf;
	char			*key, *pub, prepay[128];
	const char		*cmd;
	int			 ok;

	if (argc < 2)
		return 2;
	cmd = argv[1];
	memset(&c, 0, sizeof(c));
	c.mchid = "1900000109";
	c.appid = "wxd678efh567hg6787";
	c.cert_serial = "MERCHANT_SERIAL_TEST";
	c.base_url = getenv("WXPAY_BASE_URL");
	c.platform_serial = getenv("WXPAY_SERIAL");
	c.apiv3_key = getenv("WXPAY_APIV3_KEY");
	c.notify_url = "https://shop.example.com/pay/notify";
	c.refund_notify_url = "https://shop.example.com/pay/refund-notify";
	key = slurp(getenv("WXPAY_KEY_FILE"));
	pub = slurp(getenv("WXPAY_PUB_FILE"));
	c.key_pem = key;
	c.platform_pub_pem = pub;
	if (wxpay_open(&w, &c) != 0)
		return 2;
	memset(&r, 0, sizeof(r));
	if (strcmp(cmd, "create") == 0 && argc == 5) {
		struct wxpay_order	 o = { .description = "dinghuo-测试",
		    .out_trade_no = argv[2], .total = atoll(argv[3]),
		    .openid = argv[4] };
		struct wxpay_pay_params	 pp;
		char			*j;

		wxpay_create_jsapi(&w, &o, prepay, sizeof(prepay), &r);
		print_result(&r);
		printf("prepay_id=%s\n", prepay);
		if (r.rc == WXPAY_OK && wxpay_pay_params(&w, prepay, 0, NULL,
		    &pp) == 0) {
			j = wxpay_pay_params_json(&pp);
			printf("pay_params=%s\n", j);
			free(j);
			wxpay_pay_params_free(&pp);
		}
	} else if (strcmp(cmd, "query") == 0 && argc == 3) {
		wxpay_query(&w, argv[2], &t, &r);
		print_result(&r);
		print_txn(&t);
	} else if (strcmp(cmd, "close") == 0 && argc == 3) {
		wxpay_close_order(&w, argv[2], &r);
		print_result(&r);
	} else if (strcmp(cmd, "refund") == 0 && argc == 6) {
		struct wxpay_refund_req	 q = { .out_trade_no = argv[2],
		    .out_refund_no = argv[3], .refund = atoll(argv[4]),
		    .total = atoll(argv[5]) };

		wxpay_refund_create(&w, &q, &rf, &r);
		print_result(&r);
		print_refund(&rf);
	} else if (strcmp(cmd, "refund-query") == 0 && argc == 3) {
		wxpay_refund_query(&w, argv[2], &rf, &r);
		print_result(&r);
		print_refund(&rf);
	} else if (strcmp(cmd, "notify") == 0 && argc == 7) {
		struct wxpay_notice	 n;
		char			*body = slurp(argv[6]);

		r.rc = wxpay_notice_read(&w, argv[2], argv[3], argv[4],
		    argv[5], body, strlen(body), time(NULL), 300, &n);
		print_result(&r);
		printf("id=%s\nevent_type=%s\nis_refund=%d\n", n.id,
		    n.event_type, n.is_refund);
		if (n.is_refund)
			print_refund(&n.refund);
		else
			print_txn(&n.txn);
		free(body);
	} else {
		fprintf(stderr, "usage: see the top of wxpay_live.c\n");
		r.rc = WXPAY_ERR_CONF;
	}
	ok = r.rc == WXPAY_OK;
	wxpay_close_keys(&w);
	free(key);
	free(pub);
	return ok ? 0 : 1;
}
