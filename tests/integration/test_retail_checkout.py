"""The retail mall takes orders (docs/retail.md), through nginx against
the fake WeChat (OAuth, mini-program login) and the fake WeChat Pay: a
shopper opens a product in WeChat, becomes a consumer in one tap, adds
lines at the retail price, adds an address at checkout, submits once,
and pays with WeChat Pay; the notice marks the order paid. Consumers are
kept out of the ordering mall and the B2B prices, dealers out of the
retail cart, and bad input changes nothing.

The module makes products RT-* and consumers, and removes them."""

import re
import secrets
import urllib.parse

import pytest

from helpers import csrf_of, get_csrf
from orders_kit import (add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus, stock)
from test_money import balances_explained, payments_explained
from wechat_kit import MINI_APPID, MP_APPID, fake, wx_stack  # noqa: F401
from wxpay_kit import APIV3, control, start_fake

A = "/s/shop-a"
MCHID = "1900000109"
WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
             "AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50")
RETAIL_FEN = 6800       # the SKU's retail price; its base price is 5000


@pytest.fixture(scope="module")
def pay(wx_stack, wechat_fake, tmp_path_factory):
    p, base, key, ppub = start_fake(tmp_path_factory.mktemp("retail-pay"),
                                    MCHID)
    wx_stack.reconfigure(wechat_api_base=wechat_fake.base,
                         wechat_open_base="http://127.0.0.1:9",
                         wechat_timeout=2, wechat_pay_base=base)
    owner = wx_stack.login(wx_stack.owner_phone, wx_stack.password,
                           "shop-a", staff=True)
    r = owner.post(wx_stack.url(f"{A}/admin/settings/wechat"), data={
        "csrf": get_csrf(wx_stack, owner, f"{A}/admin/settings/wechat"),
        "mp_appid": MP_APPID, "miniapp_appid": MINI_APPID, "mchid": MCHID,
        "serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        "pubkey_id": "PUB_KEY_ID_FAKE", "key_pem": key.read_text(),
        "apiv3_key": APIV3, "pubkey_pem": ppub.read_text(), "enabled": "1"},
        allow_redirects=False)
    assert r.status_code == 303, r.text
    yield {"base": base}
    wx_stack.sql("DELETE FROM shop_wechat WHERE shop_id = (SELECT id FROM "
                 "shop WHERE slug = 'shop-a')")
    p.terminate()
    p.wait(timeout=10)


@pytest.fixture(scope="module")
def world(wx_stack, pay):
    skus = seed_skus(wx_stack, "RT", {"A": (5000, 50, 5, 6, 1),
                                      "B": (900, 3, 1, 1, 0)})
    wx_stack.sql(f"UPDATE sku SET retail_price_fen = {RETAIL_FEN} WHERE "
                 f"id = {skus['A'][0]}")
    wx_stack.sql("UPDATE shop SET version = version + 1 WHERE slug = "
                 "'shop-a'")
    cid, uids = company(wx_stack, "RT经销商", 13670000000, terms="prepaid")
    yield {"a": skus["A"], "b": skus["B"], "dealer": (cid, uids[0])}
    wx_stack.sql("DELETE FROM wx_identity WHERE openid LIKE 'rt%'")
    drop_companies(wx_stack, "c.kind = 'consumer' OR c.name LIKE 'RT%'")
    drop_skus(wx_stack, "RT")


@pytest.fixture(autouse=True)
def ledger_holds(wx_stack):
    yield
    assert balances_explained(wx_stack) == []
    assert payments_explained(wx_stack) == []


def product_url(pid):
    return f"{A}/retail/products/{pid}"


def listed(stack, s, path):
    """GET path once this worker's catalog has the module's products
    (workers see a new catalog version within a second)."""
    def page():
        r = s.get(stack.url(path))
        return r if r.status_code == 200 else None
    return stack.wait_until(page, timeout=5)


def wechat_browser(stack):
    s = stack.session()
    s.headers["User-Agent"] = WECHAT_UA
    return s


def oauth_code(fake, openid):
    c = "O" + secrets.token_hex(8)
    fake.control("code", {"code": c, "appid": MP_APPID, "openid": openid})
    return c


def join_in_wechat(stack, fake, s, openid, next_):
    """From the 购买 link to a logged-in consumer: the join page sends the
    WeChat browser through OAuth and back; one tap makes the account."""
    r = s.get(stack.url(f"{A}/retail/join?next=" +
                        urllib.parse.quote(next_, safe="")),
              allow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["Location"].startswith(f"{A}/wechat/oauth?next=")
    r = s.get(stack.url(r.headers["Location"]), allow_redirects=False)
    assert r.status_code == 302, r.text
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
        r.headers["Location"].split("#")[0]).query))
    r = s.get(stack.url(f"{A}/wechat/oauth/callback?code="
                        f"{oauth_code(fake, openid)}&state={q['state']}"),
              allow_redirects=False)
    assert r.status_code == 303, r.text
    back = r.headers["Location"]
    assert back.startswith(f"{A}/retail/join?next="), back
    page = s.get(stack.url(back))
    assert page.status_code == 200 and "用微信购买" in page.text
    r = s.post(stack.url(f"{A}/retail/join"), allow_redirects=False,
               data={"csrf": csrf_of(page.text), "next": next_})
    assert r.status_code == 303, r.text
    assert r.headers["Location"] == A + next_
    return r


def consumer_of(stack, openid):
    return stack.sql(
        "SELECT c.id, c.kind, c.payment_terms, cu.id, cu.phone FROM "
        "wx_identity wi JOIN customer_user cu ON cu.id = wi.customer_user_id "
        f"JOIN customer c ON c.id = cu.customer_id WHERE wi.openid = "
        f"'{openid}'")


def test_guest_outside_wechat_is_shown_the_qr(wx_stack, world):
    s = wx_stack.session()
    page = listed(wx_stack, s, product_url(world["a"][1])).text
    assert (f'href="{A}/retail/join?next=/retail/products/{world["a"][1]}"'
            in page), page
    assert "询价" in page and "加入购物车" not in page
    r = s.get(wx_stack.url(f"{A}/retail/join?next=/retail/products/"
                           f"{world['a'][1]}"))
    assert r.status_code == 200
    assert "请在微信中打开本页" in r.text and "<svg" in r.text
    assert re.search(r'>https?://[^<>"]+' + product_url(world["a"][1]) +
                     "</p>", r.text)
    # Without a ticket, the one-tap post is refused and makes nobody.
    n = one(wx_stack, "SELECT COUNT(*) FROM customer WHERE kind = "
            "'consumer'")
    r = s.post(wx_stack.url(f"{A}/retail/join"), allow_redirects=False,
               data={"csrf": get_csrf(wx_stack, s, f"{A}/login"),
                     "next": "/retail/products"})
    assert r.status_code == 400 and "请先在微信中打开" in r.text
    assert one(wx_stack, "SELECT COUNT(*) FROM customer WHERE kind = "
               "'consumer'") == n


def test_a_shopper_buys_and_pays_in_wechat(wx_stack, fake, pay, world):
    sku, pid = world["a"]
    s = wechat_browser(wx_stack)
    oid_ = "rt" + secrets.token_hex(8)
    join_in_wechat(wx_stack, fake, s, oid_, f"/retail/products/{pid}")
    rows = consumer_of(wx_stack, oid_)
    assert len(rows) == 1
    cid, kind, terms, uid, phone = rows[0]
    assert (kind, terms, phone) == ("consumer", "prepaid", None)
    assert one(wx_stack, f"SELECT COUNT(*) FROM audit_log WHERE action = "
               f"'consumer.join' AND detail LIKE '%user={uid} %'") == "1"

    # The product page: a cart form in the retail mall, at 1 unit, not the
    # B2B minimum of 5 in cases of 6.
    page = listed(wx_stack, s, product_url(pid)).text
    assert "加入购物车" in page and 'name="mode" value="retail"' in page
    assert "¥68.00" in page
    r = s.post(wx_stack.url(f"{A}/cart"), allow_redirects=False, data={
        "csrf": csrf_of(page), "sku_id": str(sku), "qty": "2",
        "mode": "retail", "back": product_url(pid)})
    assert r.status_code == 303, r.text
    cart = s.get(wx_stack.url(f"{A}/cart")).text
    assert "<h1>购物车</h1>" in cart, cart
    assert "¥68.00<small>/箱</small>" in cart and "¥136.00" in cart
    assert "进货单" not in cart and "快速下单" not in cart

    # Checkout: no address yet, so the form to add one is open; no
    # invoice, terms or PO number for a consumer.
    page = s.get(wx_stack.url(f"{A}/checkout")).text
    assert "添加收货地址" in page and "<details id=\"new-address\" open" in page
    assert 'name="invoice"' not in page and 'name="po_no"' not in page
    assert "¥136.00" in page
    bad = s.post(wx_stack.url(f"{A}/account/addresses"),
                 allow_redirects=False, data={
                     "csrf": csrf_of(page), "receiver": "王<b>小</b>二",
                     "phone": "12", "region": "上海市",
                     "address": "南京西路 1 号"})
    assert bad.status_code == 400
    assert "不是有效的电话号码" in bad.text
    assert "王&lt;b&gt;小&lt;/b&gt;二" in bad.text    # kept, escaped
    assert one(wx_stack, f"SELECT COUNT(*) FROM customer_address WHERE "
               f"customer_id = {cid}") == "0"
    r = s.post(wx_stack.url(f"{A}/account/addresses"), allow_redirects=False,
               data={"csrf": csrf_of(page), "receiver": "王小二",
                     "phone": "13912340000", "region": "上海市",
                     "address": "南京西路 1 号"})
    assert r.status_code == 303, r.text
    assert r.headers["Location"].startswith(f"{A}/checkout?address_id=")
    page = s.get(wx_stack.url(r.headers["Location"])).text
    assert "南京西路 1 号" in page and "提交订单" in page
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    form = {"csrf": csrf_of(page), "idempotency_key": key,
            "remark": "放门卫"}
    before = stock(wx_stack, sku)
    r = s.post(wx_stack.url(f"{A}/orders"), data=form,
               allow_redirects=False)
    assert r.status_code == 303, r.text
    loc = r.headers["Location"]
    m = re.match(rf"{A}/orders/(\d+)\?done=placed#pay$", loc)
    assert m, loc
    order = int(m.group(1))
    # A double tap: the same order, no second one.
    r2 = s.post(wx_stack.url(f"{A}/orders"), data=form,
                allow_redirects=False)
    assert r2.status_code == 303 and r2.headers["Location"] == loc
    assert one(wx_stack, f"SELECT COUNT(*) FROM sales_order WHERE "
               f"customer_id = {cid}") == "1"
    assert one(wx_stack, f"SELECT total_fen, tax_fen, invoice_type, "
               f"payment_terms, paid_fen FROM sales_order WHERE id = "
               f"{order}") == ("13600", "0", "none", "prepaid", "0")
    assert stock(wx_stack, sku) == before - 2
    assert one(wx_stack, f"SELECT unit_fen FROM order_line WHERE "
               f"order_id = {order}") == str(RETAIL_FEN)

    # Pay: the order page offers WeChat Pay, the JSAPI page has its
    # parameters, the fake pays and notifies, the order is paid once.
    page = s.get(wx_stack.url(loc.split("#")[0])).text
    assert "订单已提交，请付款" in page and "微信支付 ¥136.00" in page
    assert "已转账，登记付款" not in page
    r = s.post(wx_stack.url(f"{A}/api/v1/orders/{order}/wxpay"),
               headers={"Accept": "application/json",
                        "X-CSRF-Token": csrf_of(page)})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["amount_fen"] == 13600 and d["params"]["appId"] == MP_APPID
    control(pay, "pay", {"out_trade_no": d["out_trade_no"]})
    st = control(pay, "notify", {"kind": "payment",
                                 "out_trade_no": d["out_trade_no"],
                                 "url": wx_stack.url(f"{A}/wxpay/notify")})
    assert st["statuses"] == [204]
    assert one(wx_stack, f"SELECT paid_fen FROM sales_order WHERE id = "
               f"{order}") == "13600"
    assert "已付清" in s.get(wx_stack.url(f"{A}/orders/{order}")).text
    # Their account page is a shopper's: no ledger, statements or company.
    acct = s.get(wx_stack.url(f"{A}/account")).text
    assert "购物车" in acct and "零售顾客" in acct
    assert "对账单" not in acct and "常购清单" not in acct
    # 再来一单 puts the lines back in the retail cart, at the retail price.
    r = s.post(wx_stack.url(f"{A}/api/v1/orders/{order}/reorder"),
               headers={"Accept": "application/json",
                        "X-CSRF-Token": csrf_of(page)})
    assert r.status_code == 200, r.text
    assert one(wx_stack, f"SELECT mode, qty FROM cart_item WHERE "
               f"customer_user_id = {uid}") == ("retail", "2")


def test_consumers_stay_in_the_retail_mall(wx_stack, fake, world):
    s = wechat_browser(wx_stack)
    oid_ = "rt" + secrets.token_hex(8)
    join_in_wechat(wx_stack, fake, s, oid_, "/retail/products")
    csrf = get_csrf(wx_stack, s, f"{A}/retail/products/{world['a'][1]}")
    s.headers["Accept"] = "application/json"
    # The ordering mall is for dealers: a consumer is sent to log in.
    r = s.get(wx_stack.url(f"{A}/api/v1/ordering/products"))
    assert r.status_code == 401
    # The wholesale mall shows them a guest's prices.
    r = listed(wx_stack, s, f"{A}/api/v1/wholesale/products/"
               f"{world['a'][1]}")
    assert r.status_code == 200
    assert r.json()["data"]["customer_prices"] is False
    cid = consumer_of(wx_stack, oid_)[0][0]
    for mode in ("ordering", "wholesale"):
        r = add(wx_stack, s, world["a"][0], 6, mode=mode, csrf=csrf)
        assert r.status_code == 403, r.text
        assert error_code(r) == "wrong_storefront"
    assert one(wx_stack, "SELECT COUNT(*) FROM cart_item ci JOIN "
               "customer_user cu ON cu.id = ci.customer_user_id WHERE "
               f"cu.customer_id = {cid}") == "0"
    # Stock holds in retail too; bad quantities are refused.
    r = add(wx_stack, s, world["b"][0], 4, mode="retail", csrf=csrf)
    assert r.status_code == 409 and error_code(r) == "out_of_stock"
    for q in ("0", "-1", "1.5", "1000001", "x"):
        r = add(wx_stack, s, world["b"][0], q, mode="retail", csrf=csrf)
        assert r.status_code == 400 and error_code(r) == "qty_invalid", q


def test_dealers_do_not_buy_in_the_retail_mall(wx_stack, world):
    cid, uid = world["dealer"]
    s = bearer_session(wx_stack, "shop-a", uid)
    r = add(wx_stack, s, world["a"][0], 1, mode="retail")
    assert r.status_code == 403 and error_code(r) == "wrong_storefront"
    assert "订货商城" in r.json()["error"]["message"]
    # Their ordering-mall cart is as before.
    assert add(wx_stack, s, world["a"][0], 6).status_code == 200
    r = s.post(wx_stack.url(f"{A}/api/v1/account/addresses"),
               data={"receiver": "x", "phone": "13912340000",
                     "address": "y"})
    assert r.status_code == 403 and error_code(r) == "address_by_staff"
    page = wx_stack.session()
    page.headers["Authorization"] = s.headers["Authorization"]
    html = listed(wx_stack, page, product_url(world["a"][1])).text
    assert "零售商城面向个人顾客" in html and "加入购物车" not in html


def test_mini_program_shopper_joins_once(wx_stack, fake, world):
    oid_ = "rt" + secrets.token_hex(8)
    c = "C" + secrets.token_hex(8)
    fake.control("code", {"code": c, "appid": MINI_APPID, "openid": oid_,
                          "session_key": "SK" + secrets.token_hex(8)})
    api = wx_stack.session()
    r = api.post(wx_stack.url(f"{A}/api/v1/wechat/login"), json={"code": c})
    assert r.status_code == 200, r.text
    ticket = r.json()["data"]["bind_ticket"]
    r = api.post(wx_stack.url(f"{A}/api/v1/wechat/bind"),
                 json={"ticket": ticket, "retail": True})
    assert r.status_code == 200, r.text
    tok = r.json()["data"]["token"]
    # The same ticket again (a retry): the same account, not a second one.
    r = api.post(wx_stack.url(f"{A}/api/v1/wechat/bind"),
                 json={"ticket": ticket, "retail": True})
    assert r.status_code == 200, r.text
    assert len(consumer_of(wx_stack, oid_)) == 1
    assert one(wx_stack, "SELECT COUNT(*) FROM customer c JOIN "
               "customer_user cu ON cu.customer_id = c.id JOIN wx_identity "
               f"wi ON wi.customer_user_id = cu.id WHERE wi.openid = "
               f"'{oid_}'") == "1"
    s = wx_stack.session()
    s.headers["Authorization"] = f"Bearer {tok}"
    s.headers["Accept"] = "application/json"
    r = add(wx_stack, s, world["a"][0], 1, mode="retail")
    assert r.status_code == 200, r.text
    line = r.json()["data"]["lines"][0]
    assert line["unit_price_fen"] == RETAIL_FEN


def test_staff_tell_consumers_from_dealers(wx_stack, world):
    # Consumers were made above; the filter shows them apart.
    owner = wx_stack.login(wx_stack.owner_phone, wx_stack.password,
                           "shop-a", staff=True)
    page = owner.get(wx_stack.url(f"{A}/admin/customers?kind=consumer")).text
    n = int(one(wx_stack, "SELECT COUNT(*) FROM customer WHERE kind = "
                "'consumer' AND shop_id = (SELECT id FROM shop WHERE slug = "
                "'shop-a')"))
    assert n >= 2
    assert f"共 {n} 家客户" in page and "零售顾客 #" in page
    assert "RT经销商" not in page
    page = owner.get(wx_stack.url(f"{A}/admin/customers?kind=dealer")).text
    assert "RT经销商" in page and "零售顾客 #" not in page
    # A kind that is not one is no filter.
    page = owner.get(wx_stack.url(f"{A}/admin/customers?kind=x")).text
    assert "RT经销商" in page and "零售顾客 #" in page


def test_join_without_an_official_account_says_so(wx_stack, world):
    q = ("UPDATE shop_wechat SET mp_appid = '{}' WHERE shop_id = (SELECT id "
         "FROM shop WHERE slug = 'shop-a')")
    wx_stack.sql(q.format(""))
    try:
        r = wechat_browser(wx_stack).get(
            wx_stack.url(f"{A}/retail/join?next=/retail/products"),
            allow_redirects=False)
        assert r.status_code == 200 and "本店暂未开通微信购买" in r.text
    finally:
        wx_stack.sql(q.format(MP_APPID))
    r = wechat_browser(wx_stack).get(
        wx_stack.url(f"{A}/retail/join?next=/retail/products"),
        allow_redirects=False)
    assert r.status_code == 303
