"""Checkout and submit: the preview's prices and tax from the database, a
submit that places one order per idempotency key however often it is
sent (and answers that order again), prices the client sends ignored,
stock reserved with movements, the credit limit kept, the choices checked
against the company, and the H5 pages from checkout to the done page."""

import re

import pytest

from helpers import csrf_of
from orders_kit import (SHOP, add, bearer_session, cn_day, company,
                        drop_companies, drop_skus, error_code, one, orders_of,
                        seed_skus, stock, submit)

P = "OS"
A = SHOP.format("shop-a")


@pytest.fixture(scope="module")
def cat(stack):
    k = seed_skus(stack, P, {
        "A": (1999, 1000, 1, 1, 0),     # 19.99: 3 % of 3 x 19.99 = 1.7991
        "B": (333, 1000, 1, 1, 0),
        "C": (100000, 50, 1, 1, 0),
    })
    sku = {n: v[0] for n, v in k.items()}
    cid, uids = company(stack, "下单测试公司", 13612000000, users=3)
    pre, puids = company(stack, "预付测试公司", 13612000100, terms="prepaid",
                         limit_fen=0, invoices=("normal",))
    tight, tuids = company(stack, "额度测试公司", 13612000200,
                           limit_fen=150000)
    yield {"sku": sku, "customer": cid, "users": uids, "prepaid": pre,
           "prepaid_users": puids, "tight": tight, "tight_users": tuids}
    drop_companies(stack, "c.name IN ('下单测试公司', '预付测试公司', "
                   "'额度测试公司')")
    drop_skus(stack, P)


@pytest.fixture
def buyer(stack, cat):
    s = bearer_session(stack, "shop-a", cat["users"][0])
    yield s
    stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = "
              f"{cat['users'][0]}")



def test_checkout_preview_prices_and_taxes_each_invoice(stack, cat, buyer):
    add(stack, buyer, cat["sku"]["A"], 3)
    add(stack, buyer, cat["sku"]["B"], 7)
    # The storefront's cache may hold another price: checkout reads the
    # database (no shop version bump here).
    stack.sql(f"UPDATE sku SET price_fen = 2000 WHERE id = {cat['sku']['A']}")
    try:
        r = buyer.get(stack.url("/s/shop-a/api/v1/checkout"))
        assert r.status_code == 200, r.text
        d = r.json()["data"]
        assert [ln["unit_price_fen"] for ln in d["lines"]] == [2000, 333]
        assert d["subtotal_fen"] == 3 * 2000 + 7 * 333
        inv = {i["kind"]: i for i in d["invoices"]}
        # Tax per line, each rounded half up: 6000 x 3 % = 180,
        # 2331 x 3 % = 69.93 -> 70; 6 %: 360 and 139.86 -> 140.
        assert inv["none"]["tax_fen"] == 0
        assert inv["normal"]["tax_fen"] == 180 + 70
        assert inv["special"]["tax_fen"] == 360 + 140
        assert inv["normal"]["total_fen"] == 8331 + 250
        assert d["credit"]["monthly"] is True
        assert [t["value"] for t in d["terms"] if t["checked"]] == ["monthly"]
        assert d["addresses"][0]["checked"] is True
    finally:
        stack.sql(f"UPDATE sku SET price_fen = 1999 WHERE id = "
                  f"{cat['sku']['A']}")


def test_submit_places_the_order_reserves_stock_clears_the_cart(stack, cat,
                                                                buyer):
    a, b = cat["sku"]["A"], cat["sku"]["B"]
    sa, sb = stock(stack, a), stock(stack, b)
    add(stack, buyer, a, 3)
    add(stack, buyer, b, 7)
    r = submit(stack, buyer, invoice="normal", terms="monthly",
               delivery_date=cn_day(stack, 3), remark="送货前电话",
               po_no="PO-778")
    assert r.status_code == 201, r.text
    o = r.json()["data"]["order"]
    assert re.fullmatch(r"DH" + cn_day(stack, 0, "%y%m%d") + r"\d{4}",
                        o["order_no"]), o
    oid = o["id"]
    row = one(stack, f"""SELECT state, channel, invoice_type, payment_terms,
        subtotal_fen, tax_fen, total_fen, line_count, remark, po_no,
        delivery_date, invoice_title, ship_address, tax_bp
        FROM sales_order WHERE id = {oid}""")
    # 5997 x 3 % = 179.91 -> 180, 2331 x 3 % = 69.93 -> 70, per line.
    assert row[:8] == ("submitted", "api", "normal", "monthly", "8328",
                       "250", "8578", "2")
    assert row[8:11] == ("送货前电话", "PO-778", cn_day(stack, 3))
    assert row[11] == "下单测试公司" and row[12] == "测试路 1 号"
    assert row[13] == "300"
    # Totals are the sums of the lines; each line is unit x qty.
    bad = stack.sql(f"""SELECT o.id FROM sales_order o WHERE o.id = {oid} AND
        (o.subtotal_fen <> (SELECT SUM(line_fen) FROM order_line WHERE
        order_id = o.id) OR o.tax_fen <> (SELECT SUM(tax_fen) FROM
        order_line WHERE order_id = o.id) OR o.total_fen <> o.subtotal_fen
        + o.tax_fen)""")
    assert bad == []
    assert stack.sql(f"SELECT sku_code, qty, unit_fen, price_source, "
                     f"line_fen, tax_fen FROM order_line WHERE order_id = "
                     f"{oid} ORDER BY line_no") == [
        ("OS-A-1", "3", "1999", "base", "5997", "180"),
        ("OS-B-1", "7", "333", "base", "2331", "70")]
    assert stock(stack, a) == sa - 3 and stock(stack, b) == sb - 7
    assert stack.sql(f"SELECT sku_id, delta, qty, reason FROM stock_movement "
                     f"WHERE order_id = {oid} ORDER BY sku_id") == [
        (str(a), "-3", "3", "reserve"), (str(b), "-7", "7", "reserve")]
    assert stack.sql(f"SELECT from_state, to_state FROM order_event WHERE "
                     f"order_id = {oid}") == [(None, "submitted")]
    assert stack.sql(f"SELECT COUNT(*) FROM cart_item WHERE customer_user_id "
                     f"= {cat['users'][0]}") == [("0",)]
    assert one(stack, f"SELECT outstanding_fen FROM customer_balance WHERE "
               f"customer_id = {cat['customer']}") == "8578"
    assert one(stack, f"SELECT COUNT(*) FROM audit_log WHERE action = "
               f"'order.submit' AND detail LIKE 'order={oid} %'") == "1"


def test_order_numbers_count_up_within_the_day(stack, cat, buyer):
    nos = []
    for _ in range(2):
        add(stack, buyer, cat["sku"]["B"], 1)
        r = submit(stack, buyer, terms="prepaid")
        assert r.status_code == 201, r.text
        nos.append(r.json()["data"]["order"]["order_no"])
    assert nos[0][:8] == nos[1][:8]
    assert int(nos[1][8:]) == int(nos[0][8:]) + 1


def test_prices_sent_by_the_client_are_ignored(stack, cat, buyer):
    add(stack, buyer, cat["sku"]["C"], 1)
    r = submit(stack, buyer, terms="prepaid", unit_price="0.01",
               unit_price_fen="1", price_fen="1", total_fen="1",
               subtotal_fen="1", line_fen="1", total="0.01")
    assert r.status_code == 201, r.text
    assert r.json()["data"]["order"]["total_fen"] == 100000
    oid = r.json()["data"]["order"]["id"]
    assert one(stack, f"SELECT unit_fen FROM order_line WHERE order_id = "
               f"{oid}") == "100000"


def test_a_replayed_submit_makes_one_order_and_answers_it(stack, cat, buyer):
    before = orders_of(stack, cat["customer"])
    add(stack, buyer, cat["sku"]["B"], 2)
    r1 = submit(stack, buyer, key="replay-1", terms="prepaid")
    assert r1.status_code == 201, r1.text
    # The cart is empty now: a second order could not even be made, but
    # the same request again answers the first one: 200, not 201.
    r2 = submit(stack, buyer, key="replay-1", terms="prepaid")
    assert r2.status_code == 200 and r2.headers["Idempotent-Replayed"] == \
        "true", r2.text
    assert r2.json()["data"]["replayed"] is True
    assert r2.json()["data"]["order"] == r1.json()["data"]["order"]
    # The order row keeps the key, in the order's own commit: no kept
    # answer of the request path is written for a submit.
    assert stack.sql("SELECT COUNT(*) FROM idempotency_key "
                     "WHERE idem_key = 'replay-1'") == [('0',)]
    # With the cart filled again the key still finds the order it made.
    add(stack, buyer, cat["sku"]["B"], 2)
    r3 = submit(stack, buyer, key="replay-1", terms="prepaid")
    assert r3.status_code == 200, r3.text
    assert r3.json()["data"]["replayed"] is True
    assert r3.json()["data"]["order"]["id"] == r1.json()["data"]["order"]["id"]
    assert orders_of(stack, cat["customer"]) == before + 1
    # The same key with another body is another request: refused.
    r4 = submit(stack, buyer, key="replay-1", terms="monthly")
    assert r4.status_code == 422
    assert error_code(r4) == "idempotency_key_reused", r4.text
    assert orders_of(stack, cat["customer"]) == before + 1


def test_a_key_is_its_users_own(stack, cat, buyer):
    # Two buyers of one company whose clients number their requests alike.
    other = bearer_session(stack, "shop-a", cat["users"][2])
    try:
        add(stack, buyer, cat["sku"]["B"], 1)
        add(stack, other, cat["sku"]["B"], 2)
        r1 = submit(stack, buyer, key="order-1", terms="prepaid")
        r2 = submit(stack, other, key="order-1", terms="prepaid")
        assert r1.status_code == 201 and r2.status_code == 201, r2.text
        assert r1.json()["data"]["order"]["id"] != \
            r2.json()["data"]["order"]["id"]
        assert r2.json()["data"]["replayed"] is False
    finally:
        stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = "
                  f"{cat['users'][2]}")


def test_submit_needs_an_idempotency_key(stack, cat, buyer):
    add(stack, buyer, cat["sku"]["B"], 1)
    r = submit(stack, buyer, key=False, terms="prepaid")
    assert r.status_code == 400
    assert error_code(r) == "idempotency_key_required"


def test_an_empty_cart_or_a_bad_line_places_nothing(stack, cat, buyer):
    before = orders_of(stack, cat["customer"])
    r = submit(stack, buyer, terms="prepaid")
    assert r.status_code == 400 and error_code(r) == "cart_empty"
    add(stack, buyer, cat["sku"]["B"], 3)
    stack.sql(f"UPDATE sku SET min_qty = 5 WHERE id = {cat['sku']['B']}")
    try:
        r = submit(stack, buyer, terms="prepaid")
        assert r.status_code == 400 and error_code(r) == "cart_invalid"
        assert "起订量为 5" in r.json()["error"]["message"]
    finally:
        stack.sql(f"UPDATE sku SET min_qty = 1 WHERE id = "
                  f"{cat['sku']['B']}")
    stack.sql(f"UPDATE sku SET stock = 2 WHERE id = {cat['sku']['B']}")
    try:
        r = submit(stack, buyer, terms="prepaid")
        assert r.status_code == 409 and error_code(r) == "out_of_stock"
        assert stock(stack, cat["sku"]["B"]) == 2
    finally:
        stack.sql(f"UPDATE sku SET stock = 1000 WHERE id = "
                  f"{cat['sku']['B']}")
    assert orders_of(stack, cat["customer"]) == before


def test_credit_limit_is_kept(stack, cat):
    s = bearer_session(stack, "shop-a", cat["tight_users"][0])
    c = cat["sku"]["C"]           # 1,000.00 each; the limit is 1,500.00
    left = stock(stack, c)
    add(stack, s, c, 1)
    assert submit(stack, s, terms="monthly").status_code == 201
    add(stack, s, c, 1)
    r = submit(stack, s, terms="monthly")
    assert r.status_code == 409 and error_code(r) == "credit_exceeded"
    assert "可用额度 ¥500.00" in r.json()["error"]["message"]
    assert stock(stack, c) == left - 1
    assert one(stack, f"SELECT outstanding_fen FROM customer_balance WHERE "
               f"customer_id = {cat['tight']}") == "100000"
    # Paying before delivery is no credit.
    r = submit(stack, s, terms="prepaid")
    assert r.status_code == 201, r.text
    assert one(stack, f"SELECT outstanding_fen FROM customer_balance WHERE "
               f"customer_id = {cat['tight']}") == "100000"


def test_choices_the_company_cannot_have_are_refused(stack, cat):
    s = bearer_session(stack, "shop-a", cat["prepaid_users"][0])
    add(stack, s, cat["sku"]["B"], 1)
    r = s.get(stack.url("/s/shop-a/api/v1/checkout"))
    d = r.json()["data"]
    assert d["credit"]["monthly"] is False
    assert [t["available"] for t in d["terms"]] == [False, True]
    assert [i["available"] for i in d["invoices"]] == [True, True, False]
    other = one(stack, f"SELECT id FROM customer_address WHERE customer_id "
                f"= {cat['customer']}")
    for fields, name in [({"terms": "monthly"}, "terms"),
                         ({"terms": "prepaid", "invoice": "special"},
                          "invoice"),
                         ({"terms": "prepaid", "invoice": "bogus"},
                          "invoice"),
                         ({"terms": "prepaid", "address_id": other},
                          "address_id"),
                         ({"terms": "prepaid",
                           "delivery_date": cn_day(stack, -1)},
                          "delivery_date"),
                         ({"terms": "prepaid",
                           "delivery_date": cn_day(stack, 91)},
                          "delivery_date"),
                         ({"terms": "prepaid", "delivery_date": "2026-02-30"},
                          "delivery_date"),
                         ({"terms": "prepaid", "remark": "备" * 501},
                          "remark")]:
        r = submit(stack, s, **fields)
        assert r.status_code == 400, (fields, r.text)
        assert name in r.json()["error"]["fields"], (fields, r.text)
    assert orders_of(stack, cat["prepaid"]) == 0
    r = submit(stack, s, invoice="normal")     # prepaid is their default
    assert r.status_code == 201, r.text
    assert one(stack, f"SELECT payment_terms FROM sales_order WHERE "
               f"customer_id = {cat['prepaid']}") == "prepaid"


# -- H5 ---------------------------------------------------------------------

def test_h5_checkout_to_the_done_page(stack, cat):
    s = stack.login("13612000001", stack.password, "shop-a")
    uid = cat["users"][1]
    stack.sql(f"INSERT INTO cart_item (shop_id, customer_user_id, sku_id, "
              f"qty) VALUES ({A}, {uid}, {cat['sku']['A']}, 2)")
    r = s.get(stack.url("/s/shop-a/checkout"))
    assert r.status_code == 200
    page = r.text
    assert "确认订单" in page and "测试路 1 号" in page
    assert "¥39.98" in page and "提交订单" in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page)
    assert key, page[:2000]
    form = {"csrf": csrf_of(page), "idempotency_key": key.group(1),
            "address_id": re.search(r'name="address_id" value="(\d+)"',
                                    page).group(1),
            "invoice": "special", "terms": "monthly",
            "delivery_date": "", "po_no": "", "remark": ""}
    r = s.post(stack.url("/s/shop-a/orders"), data=form,
               allow_redirects=False)
    assert r.status_code == 303, r.text[:1000]
    done = r.headers["Location"]
    assert re.fullmatch(r"/s/shop-a/orders/\d+/done", done)
    # The second tap of the button: the same answer, no second order.
    r2 = s.post(stack.url("/s/shop-a/orders"), data=form,
                allow_redirects=False)
    assert r2.status_code == 303 and r2.headers["Location"] == done
    r = s.get(stack.url(done))
    assert r.status_code == 200 and "订单已提交" in r.text
    oid = done.split("/")[-2]
    no = one(stack, f"SELECT order_no FROM sales_order WHERE id = {oid}")
    assert no in r.text
    # 2 x 19.99 = 39.98, 专票 6 %: 2.40; 42.38.
    assert "¥42.38" in r.text
    assert one(stack, f"SELECT COUNT(*) FROM sales_order WHERE "
               f"customer_user_id = {uid}") == "1"
    assert one(stack, f"SELECT channel FROM sales_order WHERE id = "
               f"{oid}") == "h5"


def test_h5_refused_submit_shows_the_checkout_again(stack, cat):
    s = stack.login("13612000002", stack.password, "shop-a")
    uid = cat["users"][2]
    stack.sql(f"INSERT INTO cart_item (shop_id, customer_user_id, sku_id, "
              f"qty) VALUES ({A}, {uid}, {cat['sku']['A']}, 2)")
    try:
        page = s.get(stack.url("/s/shop-a/checkout")).text
        form = {"csrf": csrf_of(page), "idempotency_key": "h5-refused",
                "invoice": "none", "terms": "monthly",
                "delivery_date": "2000-01-01"}
        r = s.post(stack.url("/s/shop-a/orders"), data=form)
        assert r.status_code == 400
        assert "不能早于今天" in r.text and "提交订单" in r.text
    finally:
        stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = {uid}")
