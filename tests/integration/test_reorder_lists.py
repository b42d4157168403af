"""Reorder (再来一单): a past order's lines that can be ordered now go to
the cart at today's prices; changed prices (then and now), lines off the
shelf and short of stock are listed, not dropped; another company's order
is not found. Saved purchase lists (常购清单): made from the cart or an
order, renamed, edited, deleted, seen by every user of the company and by
no other company, and ordered from in one tap under the cart's rules."""

import pytest

from helpers import csrf_of
from orders_kit import (SHOP, add, bearer_session, company, drop_companies,
                        drop_skus, error_code, seed_skus, submit)

P = "RO"
A = SHOP.format("shop-a")


@pytest.fixture(scope="module")
def cat(stack):
    k = seed_skus(stack, P, {
        # price, stock, min_qty, pack_size, pack_only
        "SAME": (1000, 100, 1, 1, 0),
        "DEAR": (2000, 100, 1, 1, 0),
        "GONE": (500, 100, 1, 1, 0),
        "LOW": (300, 100, 1, 1, 0),
    })
    cid, uids = company(stack, "再来一单测试公司", 13613000000, users=2)
    oid2, ouids = company(stack, "再来一单别家公司", 13613100000)
    yield {"sku": {n: v[0] for n, v in k.items()},
           "product": {n: v[1] for n, v in k.items()}, "users": uids,
           "other": ouids}
    stack.sql("DELETE FROM purchase_list WHERE customer_id IN (SELECT id "
              "FROM customer WHERE name LIKE '再来一单%')")
    drop_companies(stack, "c.name LIKE '再来一单%'")
    drop_skus(stack, P)


@pytest.fixture
def buyer(stack, cat):
    s = bearer_session(stack, "shop-a", cat["users"][0])
    yield s
    stack.sql(f"DELETE FROM cart_item WHERE customer_user_id IN "
              f"({cat['users'][0]}, {cat['users'][1]})")


def cart(stack, uid):
    return {int(r[0]): int(r[1]) for r in stack.sql(
        f"SELECT sku_id, qty FROM cart_item WHERE customer_user_id = {uid}")}


def place(stack, s, cat, lines):
    for name, qty in lines.items():
        r = add(stack, s, cat["sku"][name], qty)
        assert r.status_code == 200, r.text
    r = submit(stack, s, invoice="none", terms="monthly")
    assert r.status_code == 201, r.text
    return r.json()["data"]["order"]["id"]


def by_code(r):
    return {l["code"]: l for l in r.json()["data"]["lines"]}


def test_reorder_adds_what_is_on_sale_and_lists_the_rest(stack, cat, buyer):
    sku = cat["sku"]
    oid = place(stack, buyer, cat, {"SAME": 2, "DEAR": 3, "GONE": 1,
                                    "LOW": 10})
    try:
        stack.sql(f"""
UPDATE sku SET price_fen = 2500 WHERE id = {sku['DEAR']};
UPDATE product SET on_shelf = 0 WHERE id = {cat['product']['GONE']};
UPDATE sku SET stock = 4 WHERE id = {sku['LOW']};
""")
        # Another user of the company reorders it: the company's order.
        other = bearer_session(stack, "shop-a", cat["users"][1])
        r = other.post(stack.url(f"/s/shop-a/api/v1/orders/{oid}/reorder"))
        assert r.status_code == 200, r.text
        ln = by_code(r)
        assert ln[f"{P}-SAME-1"]["added"]
        assert not ln[f"{P}-SAME-1"]["price_changed"]
        dear = ln[f"{P}-DEAR-1"]
        assert dear["added"] and dear["price_changed"] and dear["price_up"]
        assert dear["old_price"] == "20.00" and dear["unit_price"] == "25.00"
        assert ln[f"{P}-GONE-1"]["status"] == "sku_unavailable"
        assert ln[f"{P}-LOW-1"]["status"] == "out_of_stock"
        assert "现有 4" in ln[f"{P}-LOW-1"]["why"]
        assert r.json()["data"]["price_changes"] == 1
        assert cart(stack, cat["users"][1]) == {sku["SAME"]: 2,
                                                 sku["DEAR"]: 3}
    finally:
        stack.sql(f"""
UPDATE sku SET price_fen = 2000 WHERE id = {sku['DEAR']};
UPDATE product SET on_shelf = 1 WHERE id = {cat['product']['GONE']};
UPDATE sku SET stock = 100 WHERE id = {sku['LOW']};
""")


def test_another_companys_order_is_not_found(stack, cat, buyer):
    oid = place(stack, buyer, cat, {"SAME": 1})
    s = bearer_session(stack, "shop-a", cat["other"][0])
    r = s.post(stack.url(f"/s/shop-a/api/v1/orders/{oid}/reorder"))
    assert r.status_code == 404 and error_code(r) == "not_found"
    assert cart(stack, cat["other"][0]) == {}
    r = buyer.post(stack.url("/s/shop-a/api/v1/orders/999999999/reorder"))
    assert r.status_code == 404


def test_order_page_reorders_in_one_tap(stack, cat):
    s = stack.login("13613000000", stack.password, "shop-a")
    uid = cat["users"][0]
    try:
        tok = csrf_of(s.get(stack.url("/s/shop-a/quick")).text)
        oid = place(stack, bearer_session(stack, "shop-a", uid), cat,
                    {"SAME": 2})
        r = s.get(stack.url(f"/s/shop-a/orders/{oid}"))
        assert f'action="/s/shop-a/orders/{oid}/reorder"' in r.text
        r = s.post(stack.url(f"/s/shop-a/orders/{oid}/reorder"),
                   data={"csrf": csrf_of(r.text)}, allow_redirects=False)
        assert r.status_code == 303 and "/cart?added=1" in r.headers[
            "Location"]
        assert cart(stack, uid) == {cat["sku"]["SAME"]: 2}
        # A change of price: the page says so, then and now.
        stack.sql(f"UPDATE sku SET price_fen = 900 WHERE id = "
                  f"{cat['sku']['SAME']}")
        r = s.post(stack.url(f"/s/shop-a/orders/{oid}/reorder"),
                   data={"csrf": tok})
        assert r.status_code == 200
        assert "原价 ¥10.00，现价 ¥9.00（下降）" in r.text
        assert cart(stack, uid) == {cat["sku"]["SAME"]: 4}
    finally:
        stack.sql(f"UPDATE sku SET price_fen = 1000 WHERE id = "
                  f"{cat['sku']['SAME']}; DELETE FROM cart_item WHERE "
                  f"customer_user_id = {uid}")


# -- saved purchase lists -------------------------------------------------

def U(stack, path):
    return stack.url(f"/s/shop-a/api/v1{path}")


def test_lists_from_the_cart_and_an_order_edited_and_deleted(stack, cat,
                                                             buyer):
    sku = cat["sku"]
    add(stack, buyer, sku["SAME"], 2)
    add(stack, buyer, sku["DEAR"], 1)
    r = buyer.post(U(stack, "/lists"), data={"name": "  每周补货 "})
    assert r.status_code == 201, r.text
    lst = r.json()["data"]
    lid = lst["list"]["id"]
    assert lst["list"]["name"] == "每周补货"
    assert {l["sku_id"]: l["qty"] for l in lst["lines"]} == {
        sku["SAME"]: 2, sku["DEAR"]: 1}
    # The company's other user sees it, edits it.
    other = bearer_session(stack, "shop-a", cat["users"][1])
    r = other.get(U(stack, "/lists"))
    assert [x["id"] for x in r.json()["data"]["lists"]] == [lid]
    r = other.post(U(stack, f"/lists/{lid}/items/{sku['SAME']}"),
                   data={"qty": "7"})
    assert r.status_code == 200, r.text
    r = other.post(U(stack, f"/lists/{lid}/items/{sku['SAME']}"),
                   data={"qty": "0"})
    assert r.status_code == 400 and error_code(r) == "qty_invalid"
    r = other.post(U(stack, f"/lists/{lid}/items/{sku['DEAR']}/delete"))
    assert r.status_code == 200
    r = other.post(U(stack, f"/lists/{lid}/items/{sku['LOW']}"),
                   data={"qty": "1"})
    assert r.status_code == 404
    r = other.post(U(stack, f"/lists/{lid}"), data={"name": "常用"})
    assert r.status_code == 200
    r = other.post(U(stack, f"/lists/{lid}"), data={"name": "长" * 31})
    assert r.status_code == 400
    r = buyer.get(U(stack, f"/lists/{lid}"))
    d = r.json()["data"]
    assert d["list"]["name"] == "常用"
    assert {l["sku_id"]: l["qty"] for l in d["lines"]} == {sku["SAME"]: 7}
    # From an order: its lines, summed by SKU.
    stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = "
              f"{cat['users'][0]}")
    oid = place(stack, buyer, cat, {"SAME": 3, "LOW": 2})
    r = buyer.post(U(stack, "/lists"), data={"name": "按订单", "order_id": oid})
    assert r.status_code == 201, r.text
    lid2 = r.json()["data"]["list"]["id"]
    assert {l["sku_id"]: l["qty"] for l in r.json()["data"]["lines"]} == {
        sku["SAME"]: 3, sku["LOW"]: 2}
    # An empty cart makes no list.
    r = buyer.post(U(stack, "/lists"), data={"name": "空的"})
    assert r.status_code == 400 and error_code(r) == "empty"
    r = buyer.post(U(stack, f"/lists/{lid2}/delete"))
    assert r.status_code == 200
    assert buyer.get(U(stack, f"/lists/{lid2}")).status_code == 404
    stack.sql(f"DELETE FROM purchase_list WHERE id = {lid}")


def test_another_companys_list_is_not_found(stack, cat, buyer):
    add(stack, buyer, cat["sku"]["SAME"], 1)
    lid = buyer.post(U(stack, "/lists"), data={"name": "私有"}).json()[
        "data"]["list"]["id"]
    try:
        s = bearer_session(stack, "shop-a", cat["other"][0])
        assert s.get(U(stack, f"/lists/{lid}")).status_code == 404
        assert s.get(U(stack, "/lists")).json()["data"]["lists"] == []
        for path, data in [(f"/lists/{lid}", {"name": "x"}),
                           (f"/lists/{lid}/items/{cat['sku']['SAME']}",
                            {"qty": "2"}),
                           (f"/lists/{lid}/items/{cat['sku']['SAME']}/"
                            "delete", {}),
                           (f"/lists/{lid}/order", {}),
                           (f"/lists/{lid}/delete", {})]:
            r = s.post(U(stack, path), data=data)
            assert r.status_code == 404, (path, r.text)
        assert int(stack.sql(f"SELECT COUNT(*) FROM purchase_list_item "
                             f"WHERE list_id = {lid}")[0][0]) == 1
        # Nor from another company's order.
        oid = place(stack, buyer, cat, {"SAME": 1})
        r = s.post(U(stack, "/lists"), data={"name": "偷看", "order_id": oid})
        assert r.status_code == 404
    finally:
        stack.sql(f"DELETE FROM purchase_list WHERE id = {lid}")


def test_ordering_from_a_list_keeps_the_cart_rules(stack, cat, buyer):
    sku, uid = cat["sku"], cat["users"][0]
    add(stack, buyer, sku["SAME"], 2)
    add(stack, buyer, sku["LOW"], 5)
    lid = buyer.post(U(stack, "/lists"), data={"name": "规则"}).json()[
        "data"]["list"]["id"]
    try:
        stack.sql(f"UPDATE sku SET min_qty = 3 WHERE id = {sku['SAME']}; "
                  f"UPDATE sku SET stock = 7 WHERE id = {sku['LOW']}")
        stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = {uid}")
        add(stack, buyer, sku["LOW"], 3)
        r = buyer.post(U(stack, f"/lists/{lid}/order"))
        assert r.status_code == 400, r.text
        ln = by_code(r)
        assert ln[f"{P}-SAME-1"]["status"] == "qty_below_min"
        # 3 in the cart + 5 from the list, 7 in stock.
        assert ln[f"{P}-LOW-1"]["status"] == "out_of_stock"
        assert "进货单中已有 3" in ln[f"{P}-LOW-1"]["why"]
        assert cart(stack, uid) == {sku["LOW"]: 3}
        stack.sql(f"UPDATE sku SET min_qty = 1 WHERE id = {sku['SAME']}; "
                  f"UPDATE sku SET stock = 100 WHERE id = {sku['LOW']}")
        r = buyer.post(U(stack, f"/lists/{lid}/order"))
        assert r.status_code == 200
        assert cart(stack, uid) == {sku["SAME"]: 2, sku["LOW"]: 8}
    finally:
        stack.sql(f"UPDATE sku SET min_qty = 1 WHERE id = {sku['SAME']}; "
                  f"UPDATE sku SET stock = 100 WHERE id = {sku['LOW']}; "
                  f"DELETE FROM purchase_list WHERE id = {lid}")


def test_list_pages_work_without_script(stack, cat):
    s = stack.login("13613000000", stack.password, "shop-a")
    uid = cat["users"][0]
    try:
        r = s.get(stack.url("/s/shop-a/account"))
        assert 'href="/s/shop-a/lists"' in r.text
        assert 'href="/s/shop-a/quick"' in r.text
        tok = csrf_of(s.get(stack.url("/s/shop-a/quick")).text)
        s.post(stack.url("/s/shop-a/cart"), data={
            "csrf": tok, "sku_id": cat["sku"]["SAME"], "qty": "2"})
        r = s.get(stack.url("/s/shop-a/cart"))
        assert 'action="/s/shop-a/lists"' in r.text
        r = s.post(stack.url("/s/shop-a/lists"), data={
            "csrf": tok, "name": "页面清单"}, allow_redirects=False)
        assert r.status_code == 303, r.text
        url = r.headers["Location"].split("?")[0]
        r = s.get(stack.url(url))
        assert r.status_code == 200 and "页面清单" in r.text
        assert "全部加入进货单" in r.text and "¥10.00" in r.text
        r = s.post(stack.url(url + "/order"), data={"csrf": tok},
                   allow_redirects=False)
        assert r.status_code == 303 and "/cart?added=1" in r.headers[
            "Location"]
        assert cart(stack, uid) == {cat["sku"]["SAME"]: 4}
        r = s.post(stack.url(url + "/delete"), data={"csrf": tok},
                   allow_redirects=False)
        assert r.status_code == 303
        assert s.get(stack.url(url)).status_code == 404
    finally:
        stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = {uid}; "
                  f"DELETE FROM purchase_list WHERE customer_id = "
                  f"(SELECT customer_id FROM customer_user WHERE id = {uid})")
