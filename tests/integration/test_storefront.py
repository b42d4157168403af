"""The three storefronts over one catalog: who sees which price."""

import re
import time

import pytest

from helpers import csrf_of, get_csrf

SHOP = "(SELECT id FROM shop WHERE slug = '{}')"


def sku_id(stack, code):
    return stack.sql(f"SELECT id FROM sku WHERE code = '{code}'")[0][0]


@pytest.fixture(scope="module")
def catalog(stack):
    """Seed shop-a and shop-b with products, tiers, a level price list,
    a contract price and a second customer company."""
    a, b = SHOP.format("shop-a"), SHOP.format("shop-b")
    stack.sql(f"""
INSERT INTO category (shop_id, parent_id, name, sort)
  VALUES ({a}, NULL, '茶叶', 1);
SET @tea = LAST_INSERT_ID();
INSERT INTO category (shop_id, parent_id, name, sort)
  VALUES ({a}, @tea, '绿茶', 1);
SET @green = LAST_INSERT_ID();
INSERT INTO product (shop_id, category_id, code, name, unit, description,
  visible) VALUES ({a}, @green, 'ST-LJ', '西湖龙井', '罐', '<p>好茶</p>',
  'ordering,wholesale');
SET @lj = LAST_INSERT_ID();
INSERT INTO sku (shop_id, product_id, code, barcode, spec, unit, min_qty,
  stock, price_fen, retail_price_fen) VALUES
  ({a}, @lj, 'ST-LJ-250', '6901234567892', '规格:250g', '罐', 1, 10, 10000,
   NULL),
  ({a}, @lj, 'ST-LJ-500', '', '规格:500g', '罐', 1, 10, 20000, NULL);
INSERT INTO price_tier (shop_id, sku_id, min_qty, price_fen)
  SELECT {a}, id, 10, 9000 FROM sku WHERE code = 'ST-LJ-250';
INSERT INTO product (shop_id, category_id, code, name, unit, description)
  VALUES ({a}, @tea, 'ST-HC', '祁门红茶 <b>特级</b>', '盒', '');
SET @hc = LAST_INSERT_ID();
INSERT INTO sku (shop_id, product_id, code, unit, stock, price_fen,
  retail_price_fen) VALUES ({a}, @hc, 'ST-HC-1', '盒', 5, 5000, 6800);
INSERT INTO product (shop_id, code, name, unit, description, on_shelf)
  VALUES ({a}, 'ST-OFF', '下架商品', '件', '', 0);
INSERT INTO sku (shop_id, product_id, code, price_fen)
  VALUES ({a}, LAST_INSERT_ID(), 'ST-OFF-1', 100);
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({b}, 'ST-B', '乙店专卖', '件', '');
INSERT INTO sku (shop_id, product_id, code, price_fen)
  VALUES ({b}, LAST_INSERT_ID(), 'ST-B-1', 777);
INSERT INTO member_level (shop_id, name) VALUES ({a}, '金牌');
SET @gold = LAST_INSERT_ID();
INSERT INTO price_list (shop_id, level_id, name, percent_bp)
  VALUES ({a}, @gold, '金牌价', 8500);
INSERT INTO price_list_item (price_list_id, sku_id, shop_id, price_fen)
  SELECT LAST_INSERT_ID(), id, {a}, 15555 FROM sku WHERE code = 'ST-LJ-500';
UPDATE customer SET level_id = @gold WHERE shop_id = {a};
INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen)
  SELECT {a}, c.id, s.id, 4123 FROM customer c, sku s
  WHERE c.shop_id = {a} AND s.code = 'ST-HC-1';
INSERT INTO customer (shop_id, name) VALUES ({a}, '另一家公司');
INSERT INTO customer_user (shop_id, customer_id, name, phone, password_hash)
  SELECT {a}, LAST_INSERT_ID(), '赵采购', '13700000009', password_hash
  FROM customer_user WHERE shop_id = {a} AND phone = '13900000000';
UPDATE shop SET version = version + 1;
""")
    # Workers recheck the shop's version at most twice a second: wait until
    # the seeded catalog is what the storefront serves, twenty times in a
    # row, so that no worker still answers from the catalog before.
    stack.wait_until(lambda: all(set(listing(
        stack, stack.session(), "/s/shop-a/wholesale/products")) ==
        {"ST-LJ", "ST-HC"} for _ in range(20)), timeout=5)
    yield
    stack.sql(f"""
DELETE FROM contract_price; DELETE FROM price_list_item;
DELETE FROM price_list; UPDATE customer SET level_id = NULL;
DELETE FROM member_level;
DELETE FROM inquiry_item; DELETE FROM inquiry;
DELETE FROM product WHERE code LIKE 'ST-%';
DELETE FROM category WHERE parent_id IS NOT NULL;
DELETE FROM category;
DELETE FROM customer_user WHERE phone = '13700000009';
DELETE FROM customer WHERE name = '另一家公司';
UPDATE shop SET version = version + 1;
""")


def listing(stack, session, path):
    r = session.get(stack.url(path), headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return {p["code"]: p for p in r.json()["data"]["products"]}


def test_guest_wholesale_sees_base_and_tiers(stack, catalog):
    items = listing(stack, stack.session(), "/s/shop-a/wholesale/products")
    assert set(items) == {"ST-LJ", "ST-HC"}          # off-shelf is not
    lj = items["ST-LJ"]
    assert lj["price_fen"] == 10000 and lj["price_range"] is True
    assert lj["tiers"] == [{"min_qty": 10, "price": "90.00",
                            "price_fen": 9000}]
    html = stack.session().get(stack.url("/s/shop-a/wholesale/products"))
    assert "¥100.00" in html.text and "≥10 ¥90.00" in html.text
    # Names are escaped, never markup.
    assert "祁门红茶 &lt;b&gt;特级&lt;/b&gt;" in html.text


def test_same_handler_serves_api_and_page(stack, catalog):
    api = stack.session().get(stack.url("/s/shop-a/api/v1/wholesale/products"))
    assert api.headers["Content-Type"].startswith("application/json")
    codes = sorted(p["code"] for p in api.json()["data"]["products"])
    assert codes == ["ST-HC", "ST-LJ"]


def test_ordering_mall_is_closed_to_guests(stack, catalog):
    r = stack.session().get(stack.url("/s/shop-a/ordering/products"),
                            allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"].startswith("/s/shop-a/login?next=")
    r = stack.session().get(stack.url("/s/shop-a/api/v1/ordering/products"))
    assert r.status_code == 401
    assert "西湖龙井" not in r.text
    lj = stack.sql("SELECT id FROM product WHERE code = 'ST-LJ'")[0][0]
    r = stack.session().get(stack.url(f"/s/shop-a/ordering/products/{lj}"),
                            allow_redirects=False)
    assert r.status_code == 303


def test_customer_sees_exactly_their_resolved_price(stack, catalog):
    s = stack.login("13900000000", "demo1234", "shop-a")
    items = listing(stack, s, "/s/shop-a/ordering/products")
    # Level 85 % of 100.00 for the 250 g; the level's fixed 155.55 for the
    # 500 g; "from" is the lower of the two.
    assert items["ST-LJ"]["price_fen"] == 8500
    # Their own price at each tier: 85 % of the ≥10 tier's 90.00.
    assert items["ST-LJ"]["tiers"] == [{"min_qty": 10, "price": "76.50",
                                        "price_fen": 7650,
                                        "price_source": "level"}]
    # Contract 41.23 wins for HC: it is below the level's 85 % (42.50).
    assert items["ST-HC"]["price_fen"] == 4123
    lj = items["ST-LJ"]["id"]
    d = s.get(stack.url(f"/s/shop-a/ordering/products/{lj}"),
              headers={"Accept": "application/json"}).json()["data"]
    by_code = {k["code"]: k for k in d["skus"]}
    assert by_code["ST-LJ-250"]["price_fen"] == 8500
    assert by_code["ST-LJ-250"]["price_source"] == "level"
    assert by_code["ST-LJ-500"]["price_fen"] == 15555
    # Tax points of the shop: 普票 +3 %, 专票 +6 %.
    assert by_code["ST-LJ-500"]["price_normal_tax_fen"] == 16022
    assert by_code["ST-LJ-500"]["price_special_tax_fen"] == 16488
    page = s.get(stack.url(f"/s/shop-a/ordering/products/{lj}")).text
    assert "¥155.55" in page and "¥160.22" in page


def test_no_customer_sees_another_customers_contract_price(stack, catalog):
    other = stack.login("13700000009", "demo1234", "shop-a")
    for path in ("/s/shop-a/ordering/products",
                 "/s/shop-a/wholesale/products"):
        items = listing(stack, other, path)
        assert items["ST-HC"]["price_fen"] == 5000     # base, no contract
        assert "41.23" not in other.get(stack.url(path)).text
    hc = items["ST-HC"]["id"]
    r = other.get(stack.url(f"/s/shop-a/ordering/products/{hc}"))
    assert "41.23" not in r.text and "¥50.00" in r.text
    # Nor a guest, nor the retail mall.
    assert "41.23" not in stack.session().get(
        stack.url(f"/s/shop-a/wholesale/products/{hc}")).text


def test_retail_mall_shows_retail_prices(stack, catalog):
    items = listing(stack, stack.session(), "/s/shop-a/retail/products")
    assert set(items) == {"ST-HC"}          # LJ is not visible in retail
    assert items["ST-HC"]["price_fen"] == 6800
    lj = stack.sql("SELECT id FROM product WHERE code = 'ST-LJ'")[0][0]
    r = stack.session().get(stack.url(f"/s/shop-a/retail/products/{lj}"))
    assert r.status_code == 404


def test_hidden_wholesale_prices_for_guests(stack, catalog):
    api = stack.url("/s/shop-a/api/v1/wholesale/products")
    page = stack.url("/s/shop-a/wholesale/products")
    stack.sql("UPDATE shop SET hide_wholesale_prices = 1, "
              "version = version + 1 WHERE slug = 'shop-a'")
    changed = time.monotonic()
    try:
        # Every worker hides them within a second, in JSON and HTML.
        def hidden(r):
            j = r.json()
            return all(p["price_hidden"] for p in j["data"]["products"]) \
                and "price_fen" not in r.text and "tiers" not in r.text
        stack.every_worker(lambda: stack.session().get(api), hidden,
                           timeout=5, by=changed + 1.5)
        stack.every_worker(lambda: stack.session().get(page),
                           lambda r: "价格面议" in r.text and
                           "¥100.00" not in r.text,
                           timeout=5, by=changed + 1.5)
        # A logged-in customer still sees their price.
        s = stack.login("13900000000", "demo1234", "shop-a")
        items = listing(stack, s, "/s/shop-a/wholesale/products")
        assert items["ST-LJ"]["price_fen"] == 8500
    finally:
        stack.sql("UPDATE shop SET hide_wholesale_prices = 0, "
                  "version = version + 1 WHERE slug = 'shop-a'")
        # Leave every worker showing prices again: the next test reads
        # at once.
        stack.every_worker(lambda: stack.session().get(api), lambda r: all(
            not p["price_hidden"] for p in r.json()["data"]["products"]),
            timeout=5)


def test_other_shops_product_is_not_found(stack, catalog):
    bid = stack.sql("SELECT id FROM product WHERE code = 'ST-B'")[0][0]
    r = stack.session().get(stack.url(f"/s/shop-a/wholesale/products/{bid}"))
    assert r.status_code == 404
    assert "乙店专卖" not in r.text
    off = stack.sql("SELECT id FROM product WHERE code = 'ST-OFF'")[0][0]
    r = stack.session().get(stack.url(f"/s/shop-a/wholesale/products/{off}"))
    assert r.status_code == 404
    for bad in ("0", "99999999999999999999", "abc", "-1"):
        r = stack.session().get(
            stack.url(f"/s/shop-a/wholesale/products/{bad}"))
        assert r.status_code == 404, bad


def test_search_category_and_pagination(stack, catalog):
    s = stack.session()
    base = "/s/shop-a/api/v1/wholesale/products"
    assert set(listing(stack, s, base + "?q=龙井")) == {"ST-LJ"}
    assert set(listing(stack, s, base + "?q=st-hc-1")) == {"ST-HC"}
    assert set(listing(stack, s, base + "?q=6901234567892")) == {"ST-LJ"}
    tea = stack.sql("SELECT id FROM category WHERE name = '茶叶'")[0][0]
    green = stack.sql("SELECT id FROM category WHERE name = '绿茶'")[0][0]
    assert set(listing(stack, s, f"{base}?cat={tea}")) == {"ST-LJ", "ST-HC"}
    assert set(listing(stack, s, f"{base}?cat={green}")) == {"ST-LJ"}
    assert listing(stack, s, base + "?cat=99999999") == {}
    j = s.get(stack.url(base + "?sort=price")).json()["data"]
    assert [p["code"] for p in j["products"]] == ["ST-HC", "ST-LJ"]
    j = s.get(stack.url(base + "?sort=-price")).json()["data"]
    assert [p["code"] for p in j["products"]] == ["ST-LJ", "ST-HC"]
    j = s.get(stack.url(base + "?page=2")).json()["data"]
    assert j["products"] == [] and j["empty"] is True and j["total"] == 2
    for junk in ("page=-1", "page=abc", "cat=x", "sort=%3Cscript%3E"):
        assert s.get(stack.url(f"{base}?{junk}")).status_code == 200, junk
    r = s.get(stack.url(base + "?q=" + "长" * 101))
    assert r.status_code == 400
    page = s.get(stack.url("/s/shop-a/wholesale/products?q=没有这种茶"))
    assert "没有找到与“没有这种茶”相关的商品" in page.text


def test_new_sort_inside_a_category(stack, catalog):
    """?sort=new puts the newest first in a category too, not only in the
    whole catalog (a category lists its products by their sort)."""
    s = stack.session()
    base = "/s/shop-a/api/v1/wholesale/products"
    tea = stack.sql("SELECT id FROM category WHERE name = '茶叶'")[0][0]

    def codes(query):
        j = s.get(stack.url(base + query)).json()["data"]
        return [p["code"] for p in j["products"]]
    newest = [c for c, in stack.sql(
        "SELECT code FROM product WHERE code IN ('ST-LJ', 'ST-HC') "
        "ORDER BY id DESC")]
    assert newest == ["ST-HC", "ST-LJ"]
    assert codes("?sort=new") == newest
    assert codes(f"?cat={tea}") == ["ST-LJ", "ST-HC"]       # by sort, id
    assert codes(f"?cat={tea}&sort=new") == newest


def test_many_products_paginate(stack, catalog):
    a = SHOP.format("shop-a")
    rows = ",".join(f"({a}, 'ST-P{i:02d}', '批量商品{i:02d}', '')"
                    for i in range(25))
    stack.sql(f"INSERT INTO product (shop_id, code, name, description) "
              f"VALUES {rows}; INSERT INTO sku (shop_id, product_id, code, "
              f"price_fen) SELECT shop_id, id, CONCAT(code, '-1'), 100 "
              f"FROM product WHERE code LIKE 'ST-P%'; "
              f"UPDATE shop SET version = version + 1")
    try:
        s = stack.session()
        base = "/s/shop-a/api/v1/wholesale/products?q=批量商品"
        # Every worker has the new catalog: page 2 may be another's.
        stack.every_worker(lambda: s.get(stack.url(base)), lambda r:
                           r.json()["data"]["total"] == 25, timeout=5)
        p1 = s.get(stack.url(base)).json()["data"]
        assert len(p1["products"]) == 20 and p1["pages"] == 2
        assert "next_url" in p1 and "prev_url" not in p1
        p2 = s.get(stack.url(base + "&page=2")).json()["data"]
        assert len(p2["products"]) == 5 and "prev_url" in p2
        names = {p["name"] for p in p1["products"] + p2["products"]}
        assert len(names) == 25
    finally:
        stack.sql("DELETE FROM product WHERE code LIKE 'ST-P%'; "
                  "UPDATE shop SET version = version + 1")


def test_price_change_shows_on_every_worker_within_a_second(stack, catalog):
    s = stack.session()
    path = "/s/shop-a/api/v1/wholesale/products?q=ST-HC-1"

    def price(fen):
        return lambda r: [p.get("price_fen") for p in r.json()["data"]
                          ["products"] if p["code"] == "ST-HC"] == [fen]
    # Every worker starts from the base price (an earlier test's change
    # may still be in a worker's half-second shop cache).
    stack.every_worker(lambda: s.get(stack.url(path)), price(5000),
                       timeout=5)
    stack.sql("UPDATE sku SET price_fen = 5200 WHERE code = 'ST-HC-1'; "
              "UPDATE shop SET version = version + 1 WHERE slug = 'shop-a'")
    changed = time.monotonic()
    try:
        stack.every_worker(lambda: s.get(stack.url(path)), price(5200),
                           timeout=5, by=changed + 1.5)
    finally:
        stack.sql("UPDATE sku SET price_fen = 5000 WHERE code = 'ST-HC-1';"
                  " UPDATE shop SET version = version + 1")
        stack.every_worker(lambda: s.get(stack.url(path)), price(5000),
                           timeout=5)


def test_guest_inquiry(stack, catalog):
    s = stack.session()
    hc = stack.sql("SELECT id FROM product WHERE code = 'ST-HC'")[0][0]
    tok = get_csrf(stack, s, f"/s/shop-a/inquiry?product={hc}")
    r = s.post(stack.url("/s/shop-a/inquiry"), data={
        "csrf": tok, "product_id": hc, "qty": "200",
        "contact_name": "钱老板", "contact_phone": "13612345678",
        "company": "钱氏茶庄", "message": "<script>alert(1)</script>"})
    assert r.status_code == 200 and "询价已提交" in r.text
    row = stack.sql("SELECT i.contact_name, i.message, it.qty, "
                    "i.customer_user_id FROM inquiry i JOIN inquiry_item "
                    "it ON it.inquiry_id = i.id WHERE i.contact_phone = "
                    "'13612345678'")
    assert row == [("钱老板", "<script>alert(1)</script>", "200", None)]


def test_inquiry_bad_input_changes_nothing(stack, catalog):
    s = stack.session()
    before = stack.sql("SELECT COUNT(*) FROM inquiry")
    bid = stack.sql("SELECT id FROM product WHERE code = 'ST-B'")[0][0]
    cases = [
        ({"contact_name": "", "contact_phone": "123"}, "联系人：请填写"),
        ({"contact_name": "甲", "contact_phone": "13612345678",
          "product_id": bid}, "商品不存在"),
        ({"contact_name": "甲", "contact_phone": "13612345678",
          "product_id": "1", "qty": "-5"}, "数量：太小"),
        ({"contact_name": "甲", "contact_phone": "13612345678"},
         "请选择商品或填写留言"),
    ]
    for data, msg in cases:
        r = s.post(stack.url("/s/shop-a/api/v1/inquiries"), json=data)
        assert r.status_code == 400, data
        assert msg in r.json()["error"]["message"], r.text
    assert stack.sql("SELECT COUNT(*) FROM inquiry") == before
    r = s.post(stack.url("/s/shop-a/inquiry"),
               data={"contact_name": "甲", "contact_phone": "13612345678",
                     "message": "hi"})
    assert r.status_code == 403                      # no CSRF token


def test_customer_inquiry_is_linked_and_limited(stack, catalog):
    s = stack.login("13900000001", "demo1234", "shop-a")
    page = s.get(stack.url("/s/shop-a/inquiry")).text
    assert 'value="李经理"' in page                   # prefilled
    tok = csrf_of(page)
    r = s.post(stack.url("/s/shop-a/inquiry"), data={
        "csrf": tok, "contact_name": "李经理",
        "contact_phone": "13900000001", "message": "月底要一批货"})
    assert r.status_code == 200
    assert stack.sql("SELECT COUNT(*) FROM inquiry WHERE message = "
                     "'月底要一批货' AND customer_user_id IS NOT NULL") \
        == [("1",)]
    g = stack.session()
    statuses = [g.post(stack.url("/s/shop-b/api/v1/inquiries"), json={
        "contact_name": "刷单", "contact_phone": "13611111111",
        "message": f"第{i}次"}).status_code for i in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
