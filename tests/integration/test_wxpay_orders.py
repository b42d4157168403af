"""WeChat Pay for orders (docs/wechat-pay.md) through nginx, against the
fake merchant API tests/fake/wxpay.py: the merchant page (secrets kept in
0600 files, never shown back, refused when they do not parse), paying a
prepaid order from a WeChat session, the notification applied exactly
once however often and however concurrently it comes, forged, stale and
wrong-amount notifications refused, the query when the payer is back,
the sync job closing what expired, and refunds out of the deposit.

The module makes companies WP… and products WP-* and removes them."""

import os
import stat
import threading

import pytest

from helpers import get_csrf
from orders_kit import (add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus, submit)
from test_money import balances_explained, payments_explained
from conftest import wait_until
from wxpay_kit import APIV3, control, start_fake

A = "/s/shop-a"
MCHID = "1900000109"
MP_APPID = "wx0123456789abcdef"


@pytest.fixture(scope="module")
def fake(stack, tmp_path_factory):
    p, base, key, ppub = start_fake(tmp_path_factory.mktemp("wxpay-orders"),
                                    MCHID)
    stack.reconfigure(wechat_pay_base=base)
    yield {"base": base, "key": key.read_text(), "pub": ppub.read_text()}
    stack.reconfigure()
    p.terminate()
    p.wait(timeout=10)


@pytest.fixture(scope="module")
def owner(stack):
    return stack.login(stack.owner_phone, stack.password, "shop-a",
                       staff=True)


def save_settings(stack, owner, **fields):
    data = {"csrf": get_csrf(stack, owner, f"{A}/admin/settings/wechat"),
            "mp_appid": MP_APPID, "mchid": MCHID,
            "serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "pubkey_id": "PUB_KEY_ID_FAKE"}
    data.update(fields)
    return owner.post(stack.url(f"{A}/admin/settings/wechat"), data=data,
                      allow_redirects=False)


@pytest.fixture(scope="module")
def merchant(stack, fake, owner):
    r = save_settings(stack, owner, key_pem=fake["key"], apiv3_key=APIV3,
                      pubkey_pem=fake["pub"], enabled="1")
    assert r.status_code == 303, r.text
    yield fake
    stack.sql("DELETE FROM shop_wechat WHERE shop_id = (SELECT id FROM shop "
              "WHERE slug = 'shop-a')")


@pytest.fixture(scope="module")
def world(stack, merchant):
    skus = seed_skus(stack, "WP", {"A": (10000, 100000, 1, 1, 0)})
    cid, uids = company(stack, "WP预付公司", 13660000000, users=2,
                        terms="prepaid")
    yield {"sku": skus["A"][0], "cid": cid, "uids": uids}
    stack.sql("DELETE FROM wx_identity WHERE openid LIKE 'oWP%'")
    drop_companies(stack, "c.name LIKE 'WP%'")
    drop_skus(stack, "WP")


@pytest.fixture(autouse=True)
def ledger_holds(stack):
    yield
    assert balances_explained(stack) == []
    assert payments_explained(stack) == []


def wechat_session(stack, uid, openid):
    """A bearer session of uid that came in through WeChat (the identity
    the login makes, made here in SQL)."""
    s = bearer_session(stack, "shop-a", uid)
    stack.sql(f"""
INSERT INTO wx_identity (shop_id, appid, openid, customer_user_id, bound_at)
  VALUES ((SELECT id FROM shop WHERE slug = 'shop-a'), '{MP_APPID}',
  '{openid}', {uid}, NOW(3))
  ON DUPLICATE KEY UPDATE customer_user_id = {uid};
UPDATE session SET wx_identity_id = (SELECT id FROM wx_identity
  WHERE openid = '{openid}') WHERE id = (SELECT MAX(id) FROM session
  WHERE customer_user_id = {uid})""")
    return s


def new_order(stack, s, sku, qty=1):
    assert add(stack, s, sku, qty).status_code == 200
    r = submit(stack, s, terms="prepaid")
    assert r.status_code == 201, r.text
    return r.json()["data"]["order"]["id"]


def start(stack, s, oid):
    return s.post(stack.url(f"{A}/api/v1/orders/{oid}/wxpay"))


def notify(stack, fake, no, **kw):
    body = {"kind": "payment", "out_trade_no": no,
            "url": stack.url(f"{A}/wxpay/notify")}
    body.update(kw)
    return control(fake, "notify", body)["statuses"]


def paid(stack, oid):
    return one(stack, f"SELECT paid_fen, total_fen FROM sales_order "
               f"WHERE id = {oid}")


def test_merchant_page_keeps_secrets_out_of_sight(stack, merchant, owner):
    page = owner.get(stack.url(f"{A}/admin/settings/wechat")).text
    assert "已设置，留空不改" in page
    assert "PRIVATE KEY" not in page and APIV3 not in page
    sid = one(stack, "SELECT id FROM shop WHERE slug = 'shop-a'")
    d = stack.secrets_dir / str(sid)
    for name in ("pay_key.pem", "pay_apiv3_key", "pay_pubkey.pem"):
        st = os.stat(d / name)
        assert stat.S_IMODE(st.st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    assert (d / "pay_apiv3_key").read_text() == APIV3
    # Nothing secret in the database.
    row = stack.sql(f"SELECT * FROM shop_wechat WHERE shop_id = {sid}")[0]
    assert not any(APIV3 in str(c) or "PRIVATE" in str(c) for c in row)
    # Bad input is refused whole, and what was stored stays.
    r = save_settings(stack, owner, key_pem="-----BEGIN PRIVATE KEY-----\n"
                      "garbage\n-----END PRIVATE KEY-----", apiv3_key="short",
                      mp_appid="nope", enabled="1")
    assert r.status_code == 400
    assert "读不出私钥" in r.text and "32 个字符" in r.text
    assert "AppID 是 wx" in r.text
    assert (d / "pay_apiv3_key").read_text() == APIV3
    assert one(stack, f"SELECT mp_appid FROM shop_wechat WHERE shop_id = "
               f"{sid}") == MP_APPID
    # Sales may not open it.
    sales = stack.login("13800000001", stack.password, "shop-a", staff=True)
    assert sales.get(stack.url(f"{A}/admin/settings/wechat")).status_code \
        == 403


def test_without_wechat_login_the_order_says_how_to_pay(stack, world):
    s = bearer_session(stack, "shop-a", world["uids"][1])
    oid = new_order(stack, s, world["sku"])
    r = start(stack, s, oid)
    assert r.status_code == 409, r.text
    assert error_code(r) == "wechat_login_needed"
    assert one(stack, f"SELECT COUNT(*) FROM wxpay_txn WHERE order_id = "
               f"{oid}") == "0"
    view = s.get(stack.url(f"{A}/api/v1/orders/{oid}")).json()["data"]
    assert view["order"]["pay"]["wxpay_usable"] is False


def test_paid_once_however_often_the_notice_comes(stack, merchant, world):
    s = wechat_session(stack, world["uids"][0], "oWP-one")
    oid = new_order(stack, s, world["sku"], 3)
    view = s.get(stack.url(f"{A}/api/v1/orders/{oid}")).json()["data"]
    assert view["order"]["pay"]["wxpay_usable"] is True
    r = start(stack, s, oid)
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["amount_fen"] == 30000
    p = d["params"]
    assert p["appId"] == MP_APPID and p["signType"] == "RSA"
    assert p["package"].startswith("prepay_id=") and p["paySign"]
    no = d["out_trade_no"]
    # A second tap reuses the attempt.
    assert start(stack, s, oid).json()["data"]["out_trade_no"] == no
    assert one(stack, f"SELECT COUNT(*) FROM wxpay_txn WHERE order_id = "
               f"{oid}") == "1"
    control(merchant, "pay", {"out_trade_no": no})
    # Forged and stale notices are refused and change nothing.
    assert notify(stack, merchant, no, bad_signature=True) == [401]
    assert notify(stack, merchant, no, stale=True) == [401]
    assert paid(stack, oid) == ("0", "30000")
    # The genuine one, three times over, two at once: paid once.
    out = []
    ts = [threading.Thread(target=lambda: out.extend(
        notify(stack, merchant, no, times=2))) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert out == [204, 204, 204, 204]
    assert paid(stack, oid) == ("30000", "30000")
    assert one(stack, f"SELECT COUNT(*), MIN(method), MIN(state) FROM payment "
               f"WHERE id IN (SELECT payment_id FROM wxpay_txn WHERE "
               f"order_id = {oid})") == ("1", "wechat", "confirmed")
    assert one(stack, f"SELECT COUNT(*), MIN(outcome) FROM wxpay_notice "
               f"WHERE out_no = '{no}'") == ("1", "applied")
    assert error_code(start(stack, s, oid)) == "already_paid"
    assert "wxpay notify refused" in stack.error_log_text()


def test_wrong_amount_is_recorded_and_refused(stack, merchant, world):
    s = wechat_session(stack, world["uids"][0], "oWP-one")
    oid = new_order(stack, s, world["sku"], 2)
    no = start(stack, s, oid).json()["data"]["out_trade_no"]
    control(merchant, "pay", {"out_trade_no": no})
    assert notify(stack, merchant, no, total=1) == [204]
    assert paid(stack, oid) == ("0", "20000")
    assert one(stack, f"SELECT outcome FROM wxpay_notice WHERE out_no = "
               f"'{no}'") == "rejected"
    # The right one later still pays it.
    assert notify(stack, merchant, no) == [204]
    assert paid(stack, oid) == ("20000", "20000")


def test_back_from_paying_asks_wechat_pay(stack, merchant, world):
    s = wechat_session(stack, world["uids"][0], "oWP-one")
    oid = new_order(stack, s, world["sku"])
    no = start(stack, s, oid).json()["data"]["out_trade_no"]
    r = s.post(stack.url(f"{A}/api/v1/orders/{oid}/wxpay/check"))
    assert r.status_code == 200 and r.json()["data"]["paid"] is False
    control(merchant, "pay", {"out_trade_no": no})
    r = s.post(stack.url(f"{A}/api/v1/orders/{oid}/wxpay/check"))
    assert r.json()["data"]["paid"] is True, r.text
    assert paid(stack, oid) == ("10000", "10000")
    # The notice after the query changes nothing.
    assert notify(stack, merchant, no) == [204]
    assert one(stack, f"SELECT COUNT(*) FROM payment WHERE customer_id = "
               f"{world['cid']} AND remark = (SELECT transaction_id FROM "
               f"wxpay_txn WHERE out_trade_no = '{no}')") == "1"


def test_sync_job_closes_what_expired(stack, merchant, world):
    s = wechat_session(stack, world["uids"][0], "oWP-one")
    oid = new_order(stack, s, world["sku"])
    no = start(stack, s, oid).json()["data"]["out_trade_no"]
    stack.sql(f"UPDATE wxpay_txn SET created_at = NOW(3) - INTERVAL 40 "
              f"MINUTE, expires_at = NOW(3) - INTERVAL 10 MINUTE WHERE "
              f"out_trade_no = '{no}'")
    stack.sql("UPDATE job SET run_at = NOW(3) WHERE kind = 'wxpay.sync' "
              "AND state = 'queued'")
    wait_until(lambda: one(stack, f"SELECT state FROM wxpay_txn WHERE "
                           f"out_trade_no = '{no}'") == "closed",
               timeout=20, message="the expired attempt closed")
    st = control(merchant, "state", None)
    assert st["orders"][no]["trade_state"] == "CLOSED"
    # A new tap makes a new attempt.
    no2 = start(stack, s, oid).json()["data"]["out_trade_no"]
    assert no2 != no


def test_refund_comes_out_of_the_deposit(stack, merchant, world, owner):
    s = wechat_session(stack, world["uids"][0], "oWP-one")
    oid = new_order(stack, s, world["sku"], 5)
    no = start(stack, s, oid).json()["data"]["out_trade_no"]
    control(merchant, "pay", {"out_trade_no": no})
    assert notify(stack, merchant, no) == [204]
    pid = one(stack, f"SELECT payment_id FROM wxpay_txn WHERE "
              f"out_trade_no = '{no}'")
    page = f"/admin/finance/payments/{pid}"

    def refund(amount, reason="订单取消"):
        return owner.post(stack.url(f"{A}{page}/refund"), data={
            "csrf": get_csrf(stack, owner, f"{A}{page}"),
            "amount": amount, "reason": reason}, allow_redirects=False)

    dep0 = int(one(stack, f"SELECT deposit_fen FROM customer_balance "
                   f"WHERE customer_id = {world['cid']}"))
    # Paid and not cancelled: the money is the shop's, nothing to refund.
    if dep0 == 0:
        r = refund("100.00")
        assert r.status_code == 409 and "先取消订单" in r.text
    r = s.post(stack.url(f"{A}/api/v1/orders/{oid}/cancel"),
               data={"note": "不要了"})
    assert r.status_code == 200, r.text
    assert refund("600.00").status_code == 409      # more than was paid
    r = refund("200.00")
    assert r.status_code == 303, r.text
    assert one(stack, f"SELECT state, amount_fen FROM wxpay_refund WHERE "
               f"txn_id = (SELECT id FROM wxpay_txn WHERE out_trade_no = "
               f"'{no}')") == ("processing", "20000")
    dep = int(one(stack, f"SELECT deposit_fen FROM customer_balance WHERE "
                  f"customer_id = {world['cid']}"))
    assert dep == dep0 + 50000 - 20000
    rno = one(stack, "SELECT out_refund_no FROM wxpay_refund ORDER BY id "
              "DESC LIMIT 1")
    assert control(merchant, "notify", {
        "kind": "refund", "out_refund_no": rno, "times": 2,
        "url": stack.url(f"{A}/wxpay/notify")})["statuses"] == [204, 204]
    assert one(stack, f"SELECT state FROM wxpay_refund WHERE out_refund_no "
               f"= '{rno}'") == "success"
    text = owner.get(stack.url(f"{A}{page}")).text
    assert "已退款" in text and "200.00" in text
    # What is left of it can still be refunded, no more.
    assert refund("300.01").status_code == 409
    assert refund("300.00").status_code == 303


def test_refused_refund_puts_the_money_back(stack, merchant, world, owner):
    s = wechat_session(stack, world["uids"][0], "oWP-one")
    oid = new_order(stack, s, world["sku"])
    no = start(stack, s, oid).json()["data"]["out_trade_no"]
    control(merchant, "pay", {"out_trade_no": no})
    assert notify(stack, merchant, no) == [204]
    s.post(stack.url(f"{A}/api/v1/orders/{oid}/cancel"), data={"note": "x"})
    pid = one(stack, f"SELECT payment_id FROM wxpay_txn WHERE "
              f"out_trade_no = '{no}'")
    dep = one(stack, f"SELECT deposit_fen FROM customer_balance WHERE "
              f"customer_id = {world['cid']}")
    control(merchant, "fail", {"status": 400, "code": "INVALID_REQUEST",
                               "count": 1})
    page = f"/admin/finance/payments/{pid}"
    r = owner.post(stack.url(f"{A}{page}/refund"), data={
        "csrf": get_csrf(stack, owner, f"{A}{page}"), "amount": "100.00",
        "reason": "取消"}, allow_redirects=False)
    assert r.status_code == 409 and "拒绝了退款" in r.text
    assert one(stack, f"SELECT deposit_fen FROM customer_balance WHERE "
               f"customer_id = {world['cid']}") == dep
    assert one(stack, "SELECT state FROM wxpay_refund ORDER BY id DESC "
               "LIMIT 1") == "closed"


def test_other_shop_and_garbage_change_nothing(stack, merchant, world):
    s = wechat_session(stack, world["uids"][0], "oWP-one")
    oid = new_order(stack, s, world["sku"])
    no = start(stack, s, oid).json()["data"]["out_trade_no"]
    control(merchant, "pay", {"out_trade_no": no})
    # shop-b has no merchant: the notice is not taken (retried later).
    r = control(merchant, "notify", {"kind": "payment", "out_trade_no": no,
                                     "url": stack.url("/s/shop-b/wxpay/"
                                                      "notify")})
    assert r["statuses"] == [503]
    r = stack.session().post(stack.url(f"{A}/wxpay/notify"), data="{}",
                             headers={"Content-Type": "application/json"})
    assert r.status_code == 401 and r.json()["code"] == "FAIL"
    assert paid(stack, oid) == ("0", "10000")


def test_turned_off_takes_no_new_payment_but_lands_the_paid(stack, merchant,
                                                            world):
    s = wechat_session(stack, world["uids"][0], "oWP-one")
    oid = new_order(stack, s, world["sku"])
    no = start(stack, s, oid).json()["data"]["out_trade_no"]
    control(merchant, "pay", {"out_trade_no": no})
    shop = "(SELECT id FROM shop WHERE slug = 'shop-a')"
    stack.sql(f"UPDATE shop_wechat SET pay_enabled = 0 WHERE shop_id = "
              f"{shop}")
    try:
        oid2 = new_order(stack, s, world["sku"])
        r = start(stack, s, oid2)
        assert r.status_code == 409 and error_code(r) == \
            "wxpay_not_configured"
        # What was paid before the switch still arrives.
        assert notify(stack, merchant, no) == [204]
        assert paid(stack, oid) == ("10000", "10000")
    finally:
        stack.sql(f"UPDATE shop_wechat SET pay_enabled = 1 WHERE shop_id = "
                  f"{shop}")
