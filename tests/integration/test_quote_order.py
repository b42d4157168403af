"""Quotes to orders: a quote accepted within its validity becomes an order
at the quoted unit prices (not the prices of the day), with tax per line;
an expired quote is 409 quote_expired with the reply form; another
company's user sees nothing; accepting twice (or twice at once) makes one
order; a SKU taken off the shelf is refused clearly; every version of a
quote is kept and shown; a quote staff make for a company directly is the
company's to accept."""

import re
import secrets
import threading

import pytest

from helpers import csrf_of, get_csrf
from orders_kit import (SHOP, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, orders_of, seed_skus,
                        stock)

P = "QO"
A = SHOP.format("shop-a")
BASE = "/s/shop-a"


@pytest.fixture(scope="module")
def cat(stack):
    k = seed_skus(stack, P, {
        "A": (10000, 500, 1, 1, 0),     # 100.00 a case today
        "B": (5000, 500, 20, 1, 0),     # a minimum order of 20
        "C": (3000, 500, 1, 1, 0),
    })
    cid, uids = company(stack, "报价下单公司", 13613000000, users=2)
    other, ouids = company(stack, "报价旁观公司", 13613000100)
    yield {"sku": {n: v[0] for n, v in k.items()},
           "product": {n: v[1] for n, v in k.items()},
           "customer": cid, "users": uids, "other": other,
           "other_users": ouids}
    stack.sql(f"""
DELETE FROM inquiry WHERE shop_id = {A} AND customer_user_id IN
  (SELECT id FROM customer_user WHERE customer_id IN ({cid}, {other}));
""")
    drop_companies(stack, "c.name IN ('报价下单公司', '报价旁观公司')")
    drop_skus(stack, P)


@pytest.fixture(scope="module")
def owner(stack):
    return stack.login(stack.owner_phone, stack.password, "shop-a",
                       staff=True)


def inquiry(stack, cat, lines, user=0):
    """An inquiry of the company's user about [(sku name, qty)], as the
    storefront makes them; its id."""
    uid = cat["users"][user]
    stack.sql(f"""
INSERT INTO inquiry (shop_id, customer_user_id, contact_name, contact_phone,
  message) VALUES ({A}, {uid}, '报价测试', '13613009999', 'QO 请报价');
SET @i = LAST_INSERT_ID();
""" + "".join(f"""
INSERT INTO inquiry_item (shop_id, inquiry_id, product_id, sku_id, qty)
  VALUES ({A}, @i, {cat['product'][n]}, {cat['sku'][n]}, {q});
""" for n, q in lines))
    return int(one(stack, f"SELECT MAX(id) FROM inquiry WHERE "
                   f"customer_user_id = {uid}"))


def answer(stack, owner, iid, prices, text="按报价供货", valid=None):
    """Staff answer with a price (yuan) for each line, in line order."""
    page = f"{BASE}/admin/inquiries/{iid}"
    items = [r[0] for r in stack.sql(
        f"SELECT id FROM inquiry_item WHERE inquiry_id = {iid} ORDER BY id")]
    data = {"csrf": get_csrf(stack, owner, page), "answer": text}
    for item, price in zip(items, prices):
        data[f"quote_{item}"] = price
    if valid is not None:
        data["quote_valid_until"] = valid
    r = owner.post(stack.url(page + "/answer"), data=data,
                   allow_redirects=False)
    assert r.status_code == 303, r.text[:800]


def accept(stack, s, iid, key=None, **fields):
    headers = {"Idempotency-Key": key or secrets.token_hex(12)}
    return s.post(stack.url(f"{BASE}/api/v1/account/inquiries/{iid}/order"),
                  data=fields, headers=headers)


def buyer(stack, cat, i=0):
    return bearer_session(stack, "shop-a", cat["users"][i])



def test_accept_orders_at_the_quoted_prices_with_tax_per_line(stack, cat,
                                                               owner):
    iid = inquiry(stack, cat, [("A", 3), ("C", 7)])
    answer(stack, owner, iid, ["88.88", "19.99"])
    s = buyer(stack, cat)
    # The preview: the quoted prices, not today's 100.00 and 30.00.
    r = s.get(stack.url(f"{BASE}/api/v1/account/inquiries/{iid}/checkout"))
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert [ln["unit_price_fen"] for ln in d["lines"]] == [8888, 1999]
    assert {ln["price_source"] for ln in d["lines"]} == {"quote"}
    assert d["quote"]["version"] == 1
    assert d["subtotal_fen"] == 3 * 8888 + 7 * 1999
    before = stock(stack, cat["sku"]["A"])
    r = accept(stack, s, iid, invoice="normal", po_no="PO-QO-1")
    assert r.status_code == 201, r.text
    oid = r.json()["data"]["order"]["id"]
    lines = stack.sql(f"SELECT sku_id, qty, unit_fen, price_source, "
                      f"line_fen, tax_fen FROM order_line WHERE order_id = "
                      f"{oid} ORDER BY line_no")
    # 26664 x 3 % = 799.92 -> 800; 13993 x 3 % = 419.79 -> 420.
    assert [tuple(x) for x in lines] == [
        (str(cat["sku"]["A"]), "3", "8888", "quote", "26664", "800"),
        (str(cat["sku"]["C"]), "7", "1999", "quote", "13993", "420")]
    sub, tax, total, po = one(stack, f"SELECT subtotal_fen, tax_fen, "
                              f"total_fen, po_no FROM sales_order "
                              f"WHERE id = {oid}")
    assert (int(sub), int(tax), int(total), po) == (
        40657, 1220, 41877, "PO-QO-1")
    assert stock(stack, cat["sku"]["A"]) == before - 3
    status, accepted = one(stack, f"SELECT status, accepted_order_id FROM "
                           f"inquiry WHERE id = {iid}")
    assert (status, int(accepted)) == ("closed", oid)
    no = one(stack, f"SELECT order_no FROM sales_order WHERE id = {oid}")
    assert no in one(stack, f"SELECT body FROM inquiry_message WHERE "
                     f"inquiry_id = {iid} ORDER BY id DESC LIMIT 1")
    # The quote's page now links the order and offers no accept.
    page = s.get(stack.url(f"{BASE}/api/v1/account/inquiries/{iid}"))
    assert page.json()["data"]["inquiry"]["can_accept"] is False


def test_expired_quote_is_409_quote_expired_with_the_reply_form(stack, cat,
                                                                owner):
    iid = inquiry(stack, cat, [("A", 2)])
    answer(stack, owner, iid, ["90.00"])
    stack.sql(f"UPDATE inquiry SET quote_valid_until = DATE(UTC_TIMESTAMP() "
              f"+ INTERVAL 8 HOUR) - INTERVAL 1 DAY WHERE id = {iid}; "
              f"UPDATE quote_version SET valid_until = DATE(UTC_TIMESTAMP() "
              f"+ INTERVAL 8 HOUR) - INTERVAL 1 DAY WHERE inquiry_id = {iid}")
    n = orders_of(stack, cat["customer"])
    r = accept(stack, buyer(stack, cat), iid)
    assert r.status_code == 409 and error_code(r) == "quote_expired", r.text
    assert "过期" in r.json()["error"]["message"]
    h5 = stack.login("13613000000", stack.password, "shop-a")
    page = h5.get(stack.url(f"{BASE}/account/inquiries/{iid}/checkout"))
    assert page.status_code == 409, page.text[:500]
    assert "过期" in page.text and 'name="body"' in page.text
    assert "接受报价并下单" not in page.text
    assert "历史报价" not in page.text     # one version: nothing earlier
    assert orders_of(stack, cat["customer"]) == n


def test_another_companys_user_sees_no_quote(stack, cat, owner):
    iid = inquiry(stack, cat, [("A", 1)])
    answer(stack, owner, iid, ["95.00"])
    other = bearer_session(stack, "shop-a", cat["other_users"][0])
    r = other.get(stack.url(f"{BASE}/api/v1/account/inquiries/{iid}/"
                            "checkout"))
    assert r.status_code == 404
    r = accept(stack, other, iid)
    assert r.status_code == 404, r.text
    assert orders_of(stack, cat["other"]) == 0
    assert one(stack, f"SELECT status FROM inquiry WHERE id = {iid}") == \
        "answered"


def test_accepting_twice_makes_one_order(stack, cat, owner):
    iid = inquiry(stack, cat, [("C", 4)])
    answer(stack, owner, iid, ["25.00"])
    n = orders_of(stack, cat["customer"])
    sessions = [buyer(stack, cat, 0), buyer(stack, cat, 1)]
    out = []

    def go(s):
        out.append(accept(stack, s, iid))
    threads = [threading.Thread(target=go, args=(s,)) for s in sessions * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in out) == [200, 200, 200, 201], \
        [r.text for r in out]
    ids = {r.json()["data"]["order"]["id"] for r in out}
    assert len(ids) == 1
    assert orders_of(stack, cat["customer"]) == n + 1
    # The same key again answers the same order.
    key = secrets.token_hex(8)
    again = accept(stack, sessions[0], iid, key=key)
    assert again.status_code == 200 and again.json()["data"]["replayed"]
    assert again.json()["data"]["order"]["id"] in ids


def test_off_shelf_sku_at_accept_is_refused(stack, cat, owner):
    iid = inquiry(stack, cat, [("B", 5)])       # under the minimum: quoted
    answer(stack, owner, iid, ["45.00"])
    stack.sql(f"UPDATE product SET on_shelf = 0 WHERE id = "
              f"{cat['product']['B']}")
    try:
        before = stock(stack, cat["sku"]["B"])
        r = accept(stack, buyer(stack, cat), iid)
        assert r.status_code == 409, r.text
        assert error_code(r) == "quote_invalid"
        assert "下架" in r.json()["error"]["message"]
        assert stock(stack, cat["sku"]["B"]) == before
        assert one(stack, f"SELECT status FROM inquiry WHERE id = {iid}") \
            == "answered"
    finally:
        stack.sql(f"UPDATE product SET on_shelf = 1 WHERE id = "
                  f"{cat['product']['B']}")
    # Back on the shelf, the quoted 5 (under the minimum of 20) stands.
    r = accept(stack, buyer(stack, cat), iid)
    assert r.status_code == 201, r.text
    oid = r.json()["data"]["order"]["id"]
    assert [tuple(x) for x in stack.sql(
        f"SELECT qty, unit_fen FROM order_line WHERE order_id = {oid}")] == \
        [("5", "4500")]


def test_versions_are_kept_and_shown_and_the_latest_is_ordered(stack, cat,
                                                               owner):
    iid = inquiry(stack, cat, [("A", 10)])
    answer(stack, owner, iid, ["90.00"], text="第一版")
    h5 = stack.login("13613000000", stack.password, "shop-a")
    page = f"{BASE}/account/inquiries/{iid}"
    r = h5.post(stack.url(page + "/reply"), data={
        "csrf": get_csrf(stack, h5, page), "body": "能否 85 元？"},
        allow_redirects=False)
    assert r.status_code == 303
    assert one(stack, f"SELECT status FROM inquiry WHERE id = {iid}") == \
        "open"
    answer(stack, owner, iid, ["85.00"], text="第二版")
    rows = stack.sql(f"SELECT v.version, l.unit_fen, v.note FROM "
                     f"quote_version v JOIN quote_version_line l ON "
                     f"l.version_id = v.id WHERE v.inquiry_id = {iid} "
                     f"ORDER BY v.version")
    assert [tuple(x) for x in rows] == [("1", "9000", "第一版"),
                                       ("2", "8500", "第二版")]
    text = h5.get(stack.url(page)).text
    assert "第 2 版报价" in text and "历史报价（1 版）" in text
    assert "¥90.00" in text and "¥85.00" in text
    assert "接受报价并下单" in text
    j = buyer(stack, cat).get(stack.url(f"{BASE}/api/v1/account/inquiries/"
                                        f"{iid}")).json()["data"]["inquiry"]
    assert j["versions"]["current"]["version"] == 2
    assert [v["version"] for v in j["versions"]["earlier"]] == [1]
    # The H5 accept: checkout page, then the form, then the done page.
    co = h5.get(stack.url(page + "/checkout"))
    assert co.status_code == 200 and "按第 2 版报价" in co.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', co.text)
    r = h5.post(stack.url(page + "/order"), data={
        "csrf": csrf_of(co.text), "idempotency_key": key.group(1),
        "address_id": re.search(r'name="address_id" value="(\d+)"',
                                co.text).group(1),
        "invoice": "none", "terms": "prepaid"}, allow_redirects=False)
    assert r.status_code == 303 and "/done" in r.headers["Location"], r.text
    oid = int(one(stack, f"SELECT accepted_order_id FROM inquiry WHERE "
                  f"id = {iid}"))
    assert one(stack, f"SELECT unit_fen FROM order_line WHERE order_id = "
               f"{oid}") == "8500"


def test_staff_made_quote_is_the_companys_to_accept(stack, cat, owner):
    page = f"{BASE}/admin/inquiries/new"
    r = owner.get(stack.url(page))
    assert r.status_code == 200 and "新建报价" in r.text
    data = {"csrf": csrf_of(r.text), "customer_id": str(cat["customer"]),
            "sku_1": f"{P}-A-1", "qty_1": "6", "price_1": "77.00",
            "sku_2": f"{P}-C-1", "qty_2": "2", "price_2": "20.50",
            "note": "年底特价"}
    # A SKU code the shop does not have is named, and nothing is made.
    bad = dict(data, sku_2="QO-NONE")
    r = owner.post(stack.url(page), data=bad, allow_redirects=False)
    assert r.status_code == 400 and "QO-NONE" in r.text
    past = dict(data, valid_until="2020-01-01")
    r = owner.post(stack.url(page), data=past, allow_redirects=False)
    assert r.status_code == 400 and "不能早于今天" in r.text
    assert one(stack, f"SELECT COUNT(*) FROM inquiry WHERE "
               f"created_by_staff_id IS NOT NULL") == "0"
    r = owner.post(stack.url(page), data=data, allow_redirects=False)
    assert r.status_code == 303, r.text[:800]
    iid = int(re.search(r"/admin/inquiries/(\d+)",
                        r.headers["Location"]).group(1))
    assert one(stack, f"SELECT created_by_staff_id IS NOT NULL FROM inquiry "
               f"WHERE id = {iid}") == "1"
    # The company's other user sees it in 我的询价 and accepts it.
    s = buyer(stack, cat, 1)
    mine = s.get(stack.url(f"{BASE}/api/v1/account/inquiries")).json()
    assert iid in [q["id"] for q in mine["data"]["inquiries"]]
    r = accept(stack, s, iid)
    assert r.status_code == 201, r.text
    oid = r.json()["data"]["order"]["id"]
    assert [tuple(x) for x in stack.sql(
        f"SELECT qty, unit_fen, price_source FROM order_line "
        f"WHERE order_id = {oid} ORDER BY line_no")] == [
        ("6", "7700", "quote"), ("2", "2050", "quote")]
    # Another company's user cannot see it.
    other = bearer_session(stack, "shop-a", cat["other_users"][0])
    assert other.get(stack.url(f"{BASE}/api/v1/account/inquiries/"
                               f"{iid}")).status_code == 404


def test_closed_inquiry_quote_is_refused(stack, cat, owner):
    iid = inquiry(stack, cat, [("C", 1)])
    answer(stack, owner, iid, ["29.00"])
    page = f"{BASE}/admin/inquiries/{iid}"
    r = owner.post(stack.url(page + "/close"), data={
        "csrf": get_csrf(stack, owner, page)}, allow_redirects=False)
    assert r.status_code == 303
    n = orders_of(stack, cat["customer"])
    r = accept(stack, buyer(stack, cat), iid)
    assert r.status_code == 409 and error_code(r) == "quote_closed", r.text
    assert orders_of(stack, cat["customer"]) == n
