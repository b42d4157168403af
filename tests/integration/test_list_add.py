"""Adding to the cart from the product list and search: a customer gets a
"+" for each product with one SKU, at its least quantity (whole cases when
sold so); several SKUs, guests and the retail mall get none."""

import re

import pytest

from orders_kit import (SHOP, bearer_session, company, drop_companies,
                        drop_skus, seed_skus)

P = "LA"
A = SHOP.format("shop-a")


@pytest.fixture(scope="module")
def cat(stack):
    k = seed_skus(stack, P, {
        "CASE": (2400, 480, 30, 24, 1),      # whole cases: 30 -> 48
        "LOOSE": (1000, 100, 3, 12, 0),
    })
    # A product with two SKUs.
    pid = k["LOOSE"][1]
    stack.sql(f"INSERT INTO sku (shop_id, product_id, code, spec, unit, "
              f"min_qty, stock, price_fen) VALUES ({A}, {pid}, 'LA-LOOSE-2',"
              f" '规格:大', '箱', 1, 10, 2000)")
    k.update(seed_skus(stack, P, {"ONE": (500, 50, 2, 1, 0)},
                       visible="ordering,wholesale,retail"))
    cid, uids = company(stack, "列表加购公司", 13612000000)
    stack.sql("UPDATE shop SET version = version + 1")
    yield {"sku": {n: v[0] for n, v in k.items()}, "users": uids}
    drop_companies(stack, "c.name = '列表加购公司'")
    drop_skus(stack, P)
    stack.sql("UPDATE shop SET version = version + 1")


def forms(html):
    """sku_id -> qty of each list "+" form."""
    return {int(m.group(1)): int(m.group(2)) for m in re.finditer(
        r'<form method="post" action="/s/shop-a/cart" class="quick-add">.*?'
        r'name="sku_id" value="(\d+)"><input type="hidden" name="qty" '
        r'value="(\d+)">', html, re.S)}


def test_list_offers_one_tap_add(stack, cat):
    s = bearer_session(stack, "shop-a", cat["users"][0])
    s.headers.pop("Accept")
    page = stack.wait_until(lambda: (lambda t: "LA-ONE" in t and t)(
        s.get(stack.url("/s/shop-a/ordering/products?q=LA-")).text),
        timeout=3)
    f = forms(page)
    assert f[cat["sku"]["CASE"]] == 48       # 30 rounded up to whole cases
    assert f[cat["sku"]["ONE"]] == 2
    assert cat["sku"]["LOOSE"] not in f      # two SKUs: choose on its page
    # Guests and the retail mall: none.
    g = stack.session().get(stack.url("/s/shop-a/wholesale/products?q=LA-"))
    assert "quick-add" not in g.text
    # (another worker may still be loading the catalog the SKUs are in)
    r = stack.wait_until(lambda: (lambda r: "LA-ONE" in r.text and r)(
        s.get(stack.url("/s/shop-a/retail/products?q=LA-"))), timeout=3)
    assert "quick-add" not in r.text
    # The form's quantity is one the cart takes.
    s.headers["Accept"] = "application/json"
    r = s.post(stack.url("/s/shop-a/api/v1/cart"),
               data={"sku_id": cat["sku"]["CASE"], "qty": 48})
    assert r.status_code == 200, r.text
    lines = {l["sku_id"]: l["qty"] for l in r.json()["data"]["lines"]}
    assert lines[cat["sku"]["CASE"]] == 48
