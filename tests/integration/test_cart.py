"""The cart (进货单): adding from the product page's form, quantities
checked against the minimum order and whole cases with a machine-readable
code, SKUs that may not be ordered there refused, the cart page with its
line errors and edits working without JavaScript, and each user's cart
their own."""

import re

import pytest

from helpers import csrf_of
from orders_kit import (SHOP, add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus)

P = "CT"
A, B = SHOP.format("shop-a"), SHOP.format("shop-b")


@pytest.fixture(scope="module")
def cat(stack):
    k = seed_skus(stack, P, {
        # price, stock, min_qty, pack_size, pack_only
        "LOOSE": (1000, 100, 3, 12, 0),     # cases of 12, sold loose too
        "CASE": (2400, 480, 24, 24, 1),      # whole cases only
        "LOW": (500, 5, 1, 1, 0),
    })
    k.update(seed_skus(stack, P, {"OFF": (100, 50, 1, 1, 0)}, on_shelf=0))
    k.update(seed_skus(stack, P, {"RET": (100, 50, 1, 1, 0)},
                       visible="retail"))
    k.update(seed_skus(stack, P, {"WHS": (100, 50, 1, 1, 0)},
                       visible="wholesale"))
    k.update(seed_skus(stack, P, {"B": (100, 50, 1, 1, 0)}, shop="shop-b"))
    cid, uids = company(stack, "购物车测试公司", 13611000000, users=2)
    stack.sql("UPDATE shop SET version = version + 1")
    yield {"sku": {n: v[0] for n, v in k.items()},
           "product": {n: v[1] for n, v in k.items()},
           "users": uids, "customer": cid}
    drop_companies(stack, "c.name = '购物车测试公司'")
    drop_skus(stack, P)
    stack.sql("UPDATE shop SET version = version + 1")


@pytest.fixture
def buyer(stack, cat):
    s = bearer_session(stack, "shop-a", cat["users"][0])
    yield s
    stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = "
              f"{cat['users'][0]}")


def lines(stack, uid):
    return {int(r[0]): int(r[1]) for r in stack.sql(
        f"SELECT sku_id, qty FROM cart_item WHERE customer_user_id = {uid}")}


@pytest.mark.parametrize("qty", ["0", "-1", "1.5", "1000000000", "abc",
                                 "1e3", " ", "12abc"])
def test_bad_quantities_are_refused_with_qty_invalid(stack, cat, buyer, qty):
    r = add(stack, buyer, cat["sku"]["LOOSE"], qty)
    assert r.status_code == 400, r.text
    assert error_code(r) in ("qty_invalid", "invalid"), r.text
    assert "qty" in r.json()["error"]["fields"], r.text
    assert lines(stack, cat["users"][0]) == {}


def test_below_minimum_and_broken_cases_name_their_rule(stack, cat, buyer):
    r = add(stack, buyer, cat["sku"]["LOOSE"], 2)
    assert r.status_code == 400 and error_code(r) == "qty_below_min"
    assert "起订量为 3" in r.json()["error"]["message"]
    r = add(stack, buyer, cat["sku"]["CASE"], 30)
    assert r.status_code == 400 and error_code(r) == "qty_not_multiple"
    assert "24 的倍数" in r.json()["error"]["message"]
    assert lines(stack, cat["users"][0]) == {}
    # Cases of 12 that may be broken: any quantity from the minimum.
    assert add(stack, buyer, cat["sku"]["LOOSE"], 5).status_code == 200
    assert add(stack, buyer, cat["sku"]["CASE"], 48).status_code == 200
    assert lines(stack, cat["users"][0]) == {cat["sku"]["LOOSE"]: 5,
                                              cat["sku"]["CASE"]: 48}


@pytest.mark.parametrize("which,mode", [("OFF", "ordering"),
                                        ("RET", "ordering"),
                                        ("WHS", "ordering"),
                                        ("B", "ordering"),
                                        (None, "ordering")])
def test_skus_that_may_not_be_ordered_there_are_refused(stack, cat, buyer,
                                                        which, mode):
    sku = cat["sku"][which] if which else 999999999
    r = add(stack, buyer, sku, 1, mode=mode)
    assert r.status_code == 404, r.text
    assert error_code(r) == "sku_unavailable", r.text
    # Another shop's SKU: nothing of it is told.
    assert "测试商品" not in r.text
    assert lines(stack, cat["users"][0]) == {}


def test_a_dealer_is_sent_from_the_retail_mall(stack, cat, buyer):
    # The retail mall's cart is for consumers (test_retail_checkout.py).
    r = add(stack, buyer, cat["sku"]["RET"], 1, mode="retail")
    assert r.status_code == 403, r.text
    assert error_code(r) == "wrong_storefront"
    assert "订货商城" in r.json()["error"]["message"]
    assert lines(stack, cat["users"][0]) == {}


def test_a_sku_of_the_wholesale_mall_is_ordered_there(stack, cat, buyer):
    r = add(stack, buyer, cat["sku"]["WHS"], 2, mode="wholesale")
    assert r.status_code == 200, r.text
    line = r.json()["data"]["lines"][0]
    assert line["mode"] == "wholesale" and line["qty"] == 2


def test_more_than_the_stock_is_refused(stack, cat, buyer):
    r = add(stack, buyer, cat["sku"]["LOW"], 6)
    assert r.status_code == 409 and error_code(r) == "out_of_stock"
    assert "现有 5" in r.json()["error"]["message"]
    assert add(stack, buyer, cat["sku"]["LOW"], 5).status_code == 200
    # What is already in the cart counts: 5 + 1 is over.
    r = add(stack, buyer, cat["sku"]["LOW"], 1)
    assert r.status_code == 409 and error_code(r) == "out_of_stock"
    assert lines(stack, cat["users"][0]) == {cat["sku"]["LOW"]: 5}


def test_adding_again_adds_and_lines_change_and_go(stack, cat, buyer):
    sku = cat["sku"]["LOOSE"]
    add(stack, buyer, sku, 3)
    r = add(stack, buyer, sku, 4)
    assert r.status_code == 200
    assert r.json()["data"]["lines"][0]["qty"] == 7
    u = stack.url(f"/s/shop-a/api/v1/cart/items/{sku}")
    r = buyer.post(u, data={"qty": "2"})
    assert r.status_code == 400 and error_code(r) == "qty_below_min"
    assert lines(stack, cat["users"][0]) == {sku: 7}
    r = buyer.post(u, data={"qty": "10"})
    assert r.status_code == 200 and r.json()["data"]["lines"][0]["qty"] == 10
    d = r.json()["data"]
    assert d["subtotal_fen"] == 10 * 1000 and d["units"] == 10
    # Setting a line the cart does not hold is not an add.
    r = buyer.post(stack.url(f"/s/shop-a/api/v1/cart/items/"
                             f"{cat['sku']['CASE']}"), data={"qty": "24"})
    assert r.status_code == 404
    r = buyer.post(u + "/delete")
    assert r.status_code == 200 and r.json()["data"]["empty"] is True
    assert buyer.post(u + "/delete").status_code == 200    # gone is gone


def test_prefer_minimal_answers_the_line_and_the_counts(stack, cat, buyer):
    """A mini-program that shows a badge asks for no more than the line and
    the cart's counts (Prefer: return=minimal, RFC 7240); the counts are
    the cart's after the add, including another storefront's line."""
    loose, case = cat["sku"]["LOOSE"], cat["sku"]["CASE"]
    add(stack, buyer, case, 24)
    minimal = {"Prefer": "return=minimal"}
    url = stack.url("/s/shop-a/api/v1/cart")
    r = buyer.post(url, data={"sku_id": str(loose), "qty": "3"},
                   headers=minimal)
    assert r.status_code == 200, r.text
    assert r.headers.get("Preference-Applied") == "return=minimal"
    d = r.json()["data"]
    assert "lines" not in d
    assert d["line"]["sku_id"] == loose and d["line"]["qty"] == 3
    assert d["line"]["line_total_fen"] == 3 * 1000, d["line"]
    assert (d["count"], d["units"]) == (2, 27)
    r = buyer.post(url, data={"sku_id": str(loose), "qty": "4"},
                   headers=minimal)
    d = r.json()["data"]
    assert (d["line"]["qty"], d["count"], d["units"]) == (7, 2, 31)
    assert lines(stack, cat["users"][0]) == {case: 24, loose: 7}
    # Refusals are the same with or without the preference.
    r = buyer.post(url, data={"sku_id": str(case), "qty": "5"},
                   headers=minimal)
    assert r.status_code == 400 and error_code(r) == "qty_not_multiple"
    # Without it, the whole cart as before.
    r = add(stack, buyer, loose, 1)
    assert sorted(ln["qty"] for ln in r.json()["data"]["lines"]) == [8, 24]


def test_a_full_cart_takes_no_new_line(stack, cat, buyer):
    """The lines limit (100) holds with the add's one locking read of the
    user's cart: a new line is refused, a line already there still grows."""
    uid = cat["users"][0]
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description)
  SELECT {A}, CONCAT('{P}-FULL', seq), '满车商品', '箱', ''
  FROM seq_1_to_100;
INSERT INTO sku (shop_id, product_id, code, stock, price_fen)
  SELECT {A}, id, CONCAT(code, '-1'), 10, 100 FROM product
  WHERE code LIKE '{P}-FULL%';
INSERT INTO cart_item (shop_id, customer_user_id, sku_id, qty)
  SELECT {A}, {uid}, k.id, 1 FROM sku k WHERE k.code LIKE '{P}-FULL%';
UPDATE shop SET version = version + 1;""")
    r = add(stack, buyer, cat["sku"]["LOOSE"], 3)
    assert r.status_code == 409 and error_code(r) == "cart_full", r.text
    some = int(one(stack, f"SELECT MIN(id) FROM sku WHERE code LIKE "
                   f"'{P}-FULL%'"))
    r = add(stack, buyer, some, 2)
    assert r.status_code == 200, r.text
    assert lines(stack, uid)[some] == 3 and len(lines(stack, uid)) == 100


def test_prices_come_from_the_database_not_the_catalog_cache(stack, cat,
                                                             buyer):
    sku = cat["sku"]["LOOSE"]
    add(stack, buyer, sku, 3)
    # No shop version bump: the storefront's cache still says 10.00.
    stack.sql(f"UPDATE sku SET price_fen = 1234 WHERE id = {sku}")
    try:
        r = buyer.get(stack.url("/s/shop-a/api/v1/cart"))
        assert r.json()["data"]["lines"][0]["unit_price_fen"] == 1234
    finally:
        stack.sql(f"UPDATE sku SET price_fen = 1000 WHERE id = {sku}")


def test_each_user_has_their_own_cart(stack, cat, buyer):
    add(stack, buyer, cat["sku"]["LOOSE"], 3)
    other = bearer_session(stack, "shop-a", cat["users"][1])
    r = other.get(stack.url("/s/shop-a/api/v1/cart"))
    assert r.status_code == 200 and r.json()["data"]["empty"] is True
    r = other.post(stack.url(f"/s/shop-a/api/v1/cart/items/"
                             f"{cat['sku']['LOOSE']}"), data={"qty": "9"})
    assert r.status_code == 404
    assert lines(stack, cat["users"][0]) == {cat["sku"]["LOOSE"]: 3}


def test_the_cart_is_for_customers(stack, cat):
    g = stack.session()
    r = g.get(stack.url("/s/shop-a/cart"), allow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["Location"]
    r = g.post(stack.url("/s/shop-a/api/v1/cart"),
               data={"sku_id": cat["sku"]["LOOSE"], "qty": "3"})
    assert r.status_code == 401
    staff = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    r = staff.get(stack.url("/s/shop-a/api/v1/cart"))
    assert r.status_code == 401


# -- H5, no JavaScript ------------------------------------------------------

def product_page(stack, s, pid, mode="ordering"):
    """The product page once this worker's catalog has the product."""
    def page():
        r = s.get(stack.url(f"/s/shop-a/{mode}/products/{pid}"))
        return r if r.status_code == 200 else None
    return stack.wait_until(page, timeout=5)


def test_product_page_form_adds_to_the_cart(stack, cat):
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    try:
        r = product_page(stack, s, cat["product"]["CASE"])
        form = re.search(r'<form method="post" action="/s/shop-a/cart" '
                         r'class="cart-add">.*?</form>', r.text, re.S)
        assert form, r.text[:3000]
        f = form.group(0)
        # The quantity starts at the minimum order; the storefront goes
        # along, and the way back.
        assert 'name="qty"' in f and 'value="24"' in f and 'min="24"' in f
        assert 'step="24"' in f             # whole cases only
        assert 'name="mode" value="ordering"' in f
        fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', f))
        fields["qty"] = "48"
        r = s.post(stack.url("/s/shop-a/cart"), data=fields,
                   allow_redirects=False)
        assert r.status_code == 303, r.text[:500]
        assert r.headers["Location"] == "/s/shop-a/cart?added=1"
        r = s.get(stack.url(r.headers["Location"]))
        assert "已加入进货单" in r.text and "测试商品 CT-CASE" in r.text
        # A double tap: the same form again adds nothing more.
        again = s.post(stack.url("/s/shop-a/cart"), data=fields,
                       allow_redirects=False)
        assert again.status_code == 303
        assert again.headers.get("Idempotent-Replayed") == "true"
        uid = one(stack, f"SELECT id FROM customer_user WHERE phone = "
                  f"'{stack.buyer_phone}' AND shop_id = {A}")
        assert lines(stack, uid) == {cat["sku"]["CASE"]: 48}
        # A refused quantity: the cart page says why, with the way back.
        fields["qty"] = "30"
        fields["idempotency_key"] += "-x"
        r = s.post(stack.url("/s/shop-a/cart"), data=fields)
        assert r.status_code == 400
        assert "24 的倍数" in r.text and "返回商品" in r.text
    finally:
        stack.sql("DELETE FROM cart_item WHERE customer_user_id IN (SELECT "
                  f"id FROM customer_user WHERE phone = "
                  f"'{stack.buyer_phone}')")


def test_no_cart_form_for_guests_or_in_the_retail_mall(stack, cat):
    r = product_page(stack, stack.session(), cat["product"]["LOOSE"],
                     "wholesale")
    assert "加入进货单" not in r.text and "询价" in r.text
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    r = product_page(stack, s, cat["product"]["LOOSE"], "retail")
    assert "加入进货单" not in r.text
    r = product_page(stack, s, cat["product"]["LOOSE"], "wholesale")
    assert "加入进货单" in r.text and 'name="mode" value="wholesale"' in r.text
    # Cases of 12 that may be broken: steps of one from the minimum, 3.
    assert 'min="3" step="1"' in r.text and 'value="3"' in r.text


def test_cart_page_edits_and_shows_line_errors(stack, cat):
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    uid = one(stack, f"SELECT id FROM customer_user WHERE phone = "
              f"'{stack.buyer_phone}' AND shop_id = {A}")
    loose, low = cat["sku"]["LOOSE"], cat["sku"]["LOW"]
    stack.sql(f"INSERT INTO cart_item (shop_id, customer_user_id, sku_id, "
              f"qty) VALUES ({A}, {uid}, {loose}, 3), ({A}, {uid}, {low}, 2)")
    try:
        r = s.get(stack.url("/s/shop-a/cart"))
        assert r.status_code == 200
        assert "¥30.00" in r.text and "去结算" in r.text
        tok = csrf_of(r.text)
        r = s.post(stack.url(f"/s/shop-a/cart/items/{loose}"),
                   data={"csrf": tok, "qty": "1"})
        assert r.status_code == 400
        assert "起订量为 3" in r.text and 'value="1"' in r.text
        r = s.post(stack.url(f"/s/shop-a/cart/items/{loose}"),
                   data={"csrf": tok, "qty": "6"}, allow_redirects=False)
        assert r.status_code == 303
        assert lines(stack, uid)[loose] == 6
        # A line that went off the shelf: said, and no checkout.
        stack.sql(f"UPDATE product SET on_shelf = 0 WHERE id = "
                  f"{cat['product']['LOW']}")
        r = s.get(stack.url("/s/shop-a/cart"))
        assert "已下架" in r.text and 'href="/s/shop-a/checkout"' not in r.text
        r = s.post(stack.url(f"/s/shop-a/cart/items/{low}/delete"),
                   data={"csrf": tok}, allow_redirects=False)
        assert r.status_code == 303
        assert lines(stack, uid) == {loose: 6}
        r = s.get(stack.url("/s/shop-a/cart"))
        assert 'href="/s/shop-a/checkout"' in r.text and "¥60.00" in r.text
    finally:
        stack.sql(f"UPDATE product SET on_shelf = 1 WHERE id = "
                  f"{cat['product']['LOW']}; DELETE FROM cart_item WHERE "
                  f"customer_user_id = {uid}")
