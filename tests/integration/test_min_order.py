"""起订金额, a member level's minimum order amount: staff set it per level
on the price system page (in yuan, a bad amount is a field error and
changes nothing); the cart and checkout show what the goods (before tax)
lack of it, in H5 and JSON; submit below it is 400 below_min_order and
writes nothing, at or above it places the order; an accepted quote is not
held to it."""

import re
import secrets

import pytest

from helpers import csrf_of, get_csrf
from orders_kit import (SHOP, add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, orders_of, seed_skus,
                        stock, submit)

P = "MO"
A = SHOP.format("shop-a")
BASE = "/s/shop-a"
PRICES = f"{BASE}/admin/prices"
LEVEL = "MO起订等级"
PHONE = 13655000000


@pytest.fixture(scope="module")
def owner(stack):
    return stack.login(stack.owner_phone, stack.password, "shop-a",
                       staff=True)


def post_level(stack, owner, lid, amount, json=False):
    data = {"csrf": get_csrf(stack, owner, PRICES), "min_order": amount}
    headers = {"Accept": "application/json"} if json else {}
    return owner.post(stack.url(f"{PRICES}/levels/{lid}/min_order"),
                      data=data, headers=headers, allow_redirects=False)


def min_of(stack, lid):
    return int(one(stack, f"SELECT min_order_fen FROM member_level "
                   f"WHERE id = {lid}"))


def audits(stack):
    return int(one(stack, f"SELECT COUNT(*) FROM audit_log WHERE shop_id = "
                   f"{A} AND action = 'level.min_order'"))


@pytest.fixture(scope="module")
def cat(stack, owner):
    k = seed_skus(stack, P, {
        "A": (10000, 1000, 1, 1, 0),    # 100.00
        "B": (9999, 1000, 1, 1, 0),     # 99.99
    })
    r = owner.post(stack.url(f"{PRICES}/levels"), allow_redirects=False,
                   data={"name": LEVEL,
                         "csrf": get_csrf(stack, owner, PRICES)})
    assert r.status_code == 303, r.text[:800]
    lid = int(one(stack, f"SELECT id FROM member_level WHERE shop_id = {A} "
                  f"AND name = '{LEVEL}'"))
    cid, uids = company(stack, "起订测试公司", PHONE, users=2)
    stack.sql(f"UPDATE customer SET level_id = {lid} WHERE id = {cid}")
    yield {"sku": {n: v[0] for n, v in k.items()},
           "product": {n: v[1] for n, v in k.items()},
           "level": lid, "customer": cid, "users": uids}
    stack.sql(f"DELETE FROM inquiry WHERE shop_id = {A} AND "
              f"customer_user_id IN ({','.join(map(str, uids))})")
    drop_companies(stack, "c.name = '起订测试公司'")
    drop_skus(stack, P)
    stack.sql(f"DELETE FROM price_list WHERE level_id = {lid}; "
              f"DELETE FROM member_level WHERE id = {lid}")


@pytest.fixture
def minimum(stack, owner, cat):
    """The level's minimum set to 500 yuan through the back office."""
    r = post_level(stack, owner, cat["level"], "500")
    assert r.status_code == 303, r.text[:800]
    yield 50000
    stack.sql(f"UPDATE member_level SET min_order_fen = 0 WHERE id = "
              f"{cat['level']}")


@pytest.fixture
def buyer(stack, cat):
    s = bearer_session(stack, "shop-a", cat["users"][0])
    yield s
    stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = "
              f"{cat['users'][0]}")



def owed(stack, cid):
    return int(one(stack, f"SELECT COALESCE(SUM(outstanding_fen), 0) FROM "
                   f"customer_balance WHERE customer_id = {cid}"))


def test_staff_set_a_levels_minimum_in_yuan_audited(stack, owner, cat):
    lid = cat["level"]
    before = audits(stack)
    try:
        r = post_level(stack, owner, lid, "¥1,000.50")
        assert r.status_code == 303, r.text[:800]
        assert r.headers["Location"].endswith(f"#level-{lid}")
        assert min_of(stack, lid) == 100050
        assert audits(stack) == before + 1
        detail = one(stack, f"SELECT detail FROM audit_log WHERE shop_id = "
                     f"{A} AND action = 'level.min_order' ORDER BY id DESC "
                     f"LIMIT 1")
        assert f"level={lid}" in detail and "min_order_fen=100050" in detail
        assert "was_fen=0" in detail
        page = owner.get(stack.url(PRICES)).text
        block = page[page.index(f'id="level-{lid}"'):]
        block = block[:block.index("</section>")]
        assert "起订金额：<b>¥1,000.50</b>" in block
        assert 'name="min_order"' in block and 'value="1000.50"' in block
        levels = owner.get(stack.url(PRICES), headers={
            "Accept": "application/json"}).json()["data"]["levels"]
        mine = [lv for lv in levels if lv["id"] == lid][0]
        assert mine["min_order_fen"] == 100050
        # Empty is none.
        r = post_level(stack, owner, lid, "")
        assert r.status_code == 303 and min_of(stack, lid) == 0
        page = owner.get(stack.url(PRICES)).text
        block = page[page.index(f'id="level-{lid}"'):]
        assert "起订金额：不限" in block[:block.index("</section>")]
    finally:
        stack.sql(f"UPDATE member_level SET min_order_fen = 0 WHERE id = "
                  f"{lid}")


@pytest.mark.parametrize("amount,why", [
    ("-5", "不能为负数"),
    ("abc", "不是有效金额"),
    ("12元", "不是有效金额"),
    ("1.234", "最多两位小数"),
    ("99999999999999", "金额过大"),
    ("2000000000", "不能超过 1,000,000,000.00 元"),
])
def test_bad_amount_is_a_field_error_and_changes_nothing(stack, owner, cat,
                                                         amount, why):
    lid = cat["level"]
    stack.sql(f"UPDATE member_level SET min_order_fen = 30000 WHERE id = "
              f"{lid}")
    before = audits(stack)
    try:
        r = post_level(stack, owner, lid, amount)
        assert r.status_code == 400, r.text[:800]
        block = r.text[r.text.index(f'id="level-{lid}"'):]
        block = block[:block.index("</section>")]
        assert f"起订金额：{why}" in block
        # The form shows what was typed, marked as the bad field.
        m = re.search(r'<input id="min-\d+" name="min_order"[^>]*>', block)
        assert m and 'aria-invalid="true"' in m.group(0), block[:2000]
        assert min_of(stack, lid) == 30000
        assert audits(stack) == before
        j = post_level(stack, owner, lid, amount, json=True)
        assert j.status_code == 400
        assert j.json()["error"]["fields"]["min_order"] == why
        assert min_of(stack, lid) == 30000
    finally:
        stack.sql(f"UPDATE member_level SET min_order_fen = 0 WHERE id = "
                  f"{lid}")


def test_another_shops_level_is_404(stack, owner, cat):
    other = int(one(stack, "INSERT INTO member_level (shop_id, name) VALUES "
                    "((SELECT id FROM shop WHERE slug = 'shop-b'), "
                    "'MO别家等级') RETURNING id"))
    try:
        r = post_level(stack, owner, other, "100")
        assert r.status_code == 404
        assert min_of(stack, other) == 0
        # The same form on the shop's own level is taken.
        r = post_level(stack, owner, cat["level"], "100")
        assert r.status_code == 303 and min_of(stack, cat["level"]) == 10000
    finally:
        stack.sql(f"DELETE FROM member_level WHERE id = {other}; "
                  f"UPDATE member_level SET min_order_fen = 0 WHERE id = "
                  f"{cat['level']}")


def test_checkout_and_cart_show_the_shortfall_json(stack, cat, minimum,
                                                   buyer):
    add(stack, buyer, cat["sku"]["A"], 1)
    add(stack, buyer, cat["sku"]["B"], 2)       # 100.00 + 199.98
    d = buyer.get(stack.url(f"{BASE}/api/v1/checkout")).json()["data"]
    assert d["subtotal_fen"] == 29998
    assert d["min_order_fen"] == 50000 and d["min_order"] == "500.00"
    assert d["short_fen"] == 20002 and d["short"] == "200.02"
    assert d["below_min"] is True and d["can_submit"] is False
    # Goods before tax: the 专票's tax does not count toward it.
    d = buyer.get(stack.url(f"{BASE}/api/v1/checkout?invoice=special")
                  ).json()["data"]
    assert d["total_fen"] > d["subtotal_fen"] and d["short_fen"] == 20002
    c = buyer.get(stack.url(f"{BASE}/api/v1/cart")).json()["data"]
    assert (c["min_order_fen"], c["short_fen"]) == (50000, 20002)
    assert c["can_checkout"] is False
    add(stack, buyer, cat["sku"]["A"], 3)       # 599.98
    d = buyer.get(stack.url(f"{BASE}/api/v1/checkout")).json()["data"]
    assert d["short_fen"] == 0 and d["below_min"] is False
    assert d["min_order_fen"] == 50000 and d["can_submit"] is True
    c = buyer.get(stack.url(f"{BASE}/api/v1/cart")).json()["data"]
    assert c["short_fen"] == 0 and c["can_checkout"] is True


def test_checkout_and_cart_pages_show_the_shortfall(stack, cat, minimum):
    s = stack.login(str(PHONE + 1), stack.password, "shop-a")
    uid = cat["users"][1]
    stack.sql(f"INSERT INTO cart_item (shop_id, customer_user_id, sku_id, "
              f"qty) VALUES ({A}, {uid}, {cat['sku']['A']}, 3)")
    try:
        page = s.get(stack.url(f"{BASE}/checkout")).text
        assert "起订金额 ¥500.00，还差 ¥200.00" in page
        assert "商品金额（不含税）" in page
        # Submitting is not offered: the way on is back to the cart.
        assert '<button type="submit" class="btn">提交订单' not in page
        assert f'<a class="btn" href="{BASE}/cart">返回进货单</a>' in page
        cart = s.get(stack.url(f"{BASE}/cart")).text
        assert "起订金额 ¥500.00，还差 ¥200.00" in cart
        assert f'href="{BASE}/checkout">去结算' not in cart
        # Submitting anyway (an old page) shows the checkout again, 400.
        form = {"csrf": csrf_of(page), "idempotency_key": "mo-h5-below",
                "invoice": "none"}
        r = s.post(stack.url(f"{BASE}/orders"), data=form,
                   allow_redirects=False)
        assert r.status_code == 400
        assert "未达到起订金额" in r.text and "还差 ¥200.00" in r.text
        assert orders_of(stack, cat["customer"]) == 0
        stack.sql(f"UPDATE cart_item SET qty = 5 WHERE customer_user_id = "
                  f"{uid}")
        page = s.get(stack.url(f"{BASE}/checkout")).text
        assert "还差" not in page and "本单已满足" in page
        assert '<button type="submit" class="btn">提交订单' in page
        assert f'href="{BASE}/checkout">去结算' in s.get(
            stack.url(f"{BASE}/cart")).text
    finally:
        stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = {uid}")


def test_submit_below_the_minimum_is_refused_and_writes_nothing(
        stack, cat, minimum, buyer):
    a, b, cid = cat["sku"]["A"], cat["sku"]["B"], cat["customer"]
    add(stack, buyer, a, 4)
    add(stack, buyer, b, 1)                     # 499.99: 0.01 short
    sa, sb, n, o = stock(stack, a), stock(stack, b), orders_of(
        stack, cid), owed(stack, cid)
    cart = stack.sql(f"SELECT sku_id, qty FROM cart_item WHERE "
                     f"customer_user_id = {cat['users'][0]} ORDER BY sku_id")
    moves = one(stack, f"SELECT COUNT(*) FROM stock_movement WHERE "
                f"sku_id IN ({a}, {b})")
    # With a 普票 the total (514.99) is over 500: the goods are not.
    r = submit(stack, buyer, invoice="normal", terms="monthly")
    assert r.status_code == 400, r.text
    assert error_code(r) == "below_min_order"
    msg = r.json()["error"]["message"]
    assert "起订金额 ¥500.00" in msg and "还差 ¥0.01" in msg
    assert "不含税" in msg
    assert (stock(stack, a), stock(stack, b)) == (sa, sb)
    assert orders_of(stack, cid) == n and owed(stack, cid) == o
    assert stack.sql(f"SELECT sku_id, qty FROM cart_item WHERE "
                     f"customer_user_id = {cat['users'][0]} "
                     f"ORDER BY sku_id") == cart
    assert one(stack, f"SELECT COUNT(*) FROM stock_movement WHERE "
               f"sku_id IN ({a}, {b})") == moves


def test_at_the_minimum_the_order_is_placed(stack, cat, minimum, buyer):
    a, cid = cat["sku"]["A"], cat["customer"]
    add(stack, buyer, a, 5)                     # exactly 500.00
    sa, n = stock(stack, a), orders_of(stack, cid)
    r = submit(stack, buyer, invoice="none", terms="prepaid")
    assert r.status_code == 201, r.text
    oid = r.json()["data"]["order"]["id"]
    assert int(one(stack, f"SELECT subtotal_fen FROM sales_order WHERE "
                   f"id = {oid}")) == 50000
    assert stock(stack, a) == sa - 5 and orders_of(stack, cid) == n + 1
    add(stack, buyer, a, 6)                     # above it
    r = submit(stack, buyer, invoice="special", terms="monthly")
    assert r.status_code == 201, r.text


def inquiry(stack, cat, sku, qty):
    """An inquiry of the company's first user about one SKU; its id."""
    uid = cat["users"][0]
    stack.sql(f"""
INSERT INTO inquiry (shop_id, customer_user_id, contact_name, contact_phone,
  message) VALUES ({A}, {uid}, '起订测试', '13655009999', 'MO 请报价');
SET @i = LAST_INSERT_ID();
INSERT INTO inquiry_item (shop_id, inquiry_id, product_id, sku_id, qty)
  VALUES ({A}, @i, {cat['product'][sku]}, {cat['sku'][sku]}, {qty});
""")
    return int(one(stack, f"SELECT MAX(id) FROM inquiry WHERE "
                   f"customer_user_id = {uid}"))


def test_an_accepted_quote_is_not_held_to_the_minimum(stack, owner, cat,
                                                      minimum, buyer):
    iid = inquiry(stack, cat, "A", 2)
    page = f"{BASE}/admin/inquiries/{iid}"
    item = one(stack, f"SELECT id FROM inquiry_item WHERE inquiry_id = "
               f"{iid}")
    r = owner.post(stack.url(page + "/answer"), allow_redirects=False, data={
        "csrf": get_csrf(stack, owner, page), "answer": "按报价供货",
        f"quote_{item}": "88.88"})
    assert r.status_code == 303, r.text[:800]
    r = buyer.get(stack.url(f"{BASE}/api/v1/account/inquiries/{iid}/"
                            "checkout"))
    d = r.json()["data"]
    assert d["subtotal_fen"] == 17776
    assert d["min_order_fen"] == 0 and d["short_fen"] == 0
    assert d["can_submit"] is True
    r = buyer.post(stack.url(f"{BASE}/api/v1/account/inquiries/{iid}/order"),
                   headers={"Idempotency-Key": secrets.token_hex(12)},
                   data={"invoice": "none"})
    assert r.status_code == 201, r.text
    oid = r.json()["data"]["order"]["id"]
    assert int(one(stack, f"SELECT subtotal_fen FROM sales_order WHERE "
                   f"id = {oid}")) == 17776
