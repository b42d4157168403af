"""Reorder (再来一单): a past order's lines that can be ordered now go to
the cart at today's prices; changed prices (then and now), lines off the
shelf and short of stock are listed, not dropped; another company's order
is not found."""

import pytest

from helpers import csrf_of
from orders_kit import (SHOP, add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus, submit)

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
