"""The storefront's 询价 form (issue 9): a refused post keeps the product
and the quantity, the quantity starts at the SKU's minimum order, a
customer's company is filled in, and a product with several SKUs lets the
guest pick one, which is stored and must be the product's."""

import html
import re

import pytest

from helpers import get_csrf

B = "(SELECT id FROM shop WHERE slug = 'shop-b')"
A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
FORM = "/s/shop-b/inquiry"


def one(stack, query):
    rows = stack.sql(query)
    assert len(rows) == 1, (query, rows)
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


def value_of(text, name):
    m = re.search(r'<input[^>]*\bname="%s"[^>]*>' % re.escape(name), text)
    if m is None:
        return None
    v = re.search(r'\bvalue="([^"]*)"', m.group(0))
    return html.unescape(v.group(1)) if v else ""


def options(text, name):
    m = re.search(r'<select[^>]*\bname="%s"[^>]*>(.*?)</select>' %
                  re.escape(name), text, re.S)
    if m is None:
        return None
    return [(v, bool(sel)) for v, sel in re.findall(
        r'<option value="([^"]*)"( selected)?', m.group(1))]


@pytest.fixture(scope="module")
def products(stack):
    """IF-ONE: one SKU, minimum order 5; IF-TWO: two SKUs, minimums 3
    and 8; IF-A: shop-a's, for a SKU of another shop."""
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({B}, 'IF-ONE', '单规格品', '箱', '');
INSERT INTO sku (shop_id, product_id, code, spec, min_qty, price_fen)
  VALUES ({B}, LAST_INSERT_ID(), 'IF-ONE-1', '', 5, 1000);
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({B}, 'IF-TWO', '多规格品', '件', '');
SET @p = LAST_INSERT_ID();
INSERT INTO sku (shop_id, product_id, code, spec, min_qty, price_fen, sort)
  VALUES ({B}, @p, 'IF-TWO-S', '小号', 3, 1000, 1),
         ({B}, @p, 'IF-TWO-L', '大号', 8, 2000, 2);
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({A}, 'IF-A', '甲店品', '件', '');
INSERT INTO sku (shop_id, product_id, code, price_fen)
  VALUES ({A}, LAST_INSERT_ID(), 'IF-A-1', 1000);
UPDATE shop SET version = version + 1;
""")
    ids = {code: one(stack, f"SELECT id FROM product WHERE code = '{code}'")
           for code in ("IF-ONE", "IF-TWO", "IF-A")}
    ids.update({code: one(stack, f"SELECT id FROM sku WHERE code = '{code}'")
                for code in ("IF-ONE-1", "IF-TWO-S", "IF-TWO-L", "IF-A-1")})
    # Each worker revalidates its catalog within half a second.
    s = stack.session()
    two = stack.url(f"{FORM}?product={ids['IF-TWO']}")
    stack.every_worker(lambda: s.get(two), lambda r: "多规格品" in r.text,
                       timeout=5)
    yield ids
    stack.sql("DELETE FROM inquiry WHERE contact_name = '表单询价'; "
              "DELETE FROM product WHERE code IN "
              "('IF-ONE', 'IF-TWO', 'IF-A'); "
              "UPDATE shop SET version = version + 1")
    # Every worker has let go of them before the next module reads.
    stack.every_worker(lambda: s.get(two), lambda r: "多规格品" not in r.text,
                       timeout=5)


def post(stack, s, data):
    tok = get_csrf(stack, s, FORM)
    return s.post(stack.url(FORM), data=dict(data, csrf=tok),
                  allow_redirects=False)


def line_of(stack, inquiry_id):
    return one(stack, "SELECT product_id, IFNULL(sku_id, 'NULL'), qty "
               f"FROM inquiry_item WHERE inquiry_id = {inquiry_id}")


def last_inquiry(stack):
    return one(stack, "SELECT MAX(id) FROM inquiry "
               "WHERE contact_name = '表单询价'")


def test_refused_post_keeps_product_and_quantity(stack, products):
    s = stack.session()
    pid = products["IF-ONE"]
    r = post(stack, s, {"product_id": pid, "qty": "12", "contact_name":
                        "表单询价", "contact_phone": "123"})
    assert r.status_code == 400
    assert value_of(r.text, "product_id") == pid
    assert value_of(r.text, "qty") == "12"
    assert "单规格品" in r.text
    # Sent again as the page shows it, corrected: saved with its product.
    r = post(stack, s, {"product_id": value_of(r.text, "product_id"),
                        "qty": value_of(r.text, "qty"),
                        "contact_name": "表单询价",
                        "contact_phone": "13611114444"})
    assert r.status_code == 200, r.text[:500]
    assert line_of(stack, last_inquiry(stack))[0] == pid


def test_refused_post_keeps_a_product_the_catalog_has_not_seen(stack,
                                                              products):
    """A product on the shelf in the database that this worker's catalog
    does not have yet (no version bump: it never will here) is kept as
    posted, and the corrected post saves it with its quantity."""
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({B}, 'IF-NEW', '刚上架', '件', '');
INSERT INTO sku (shop_id, product_id, code, price_fen)
  VALUES ({B}, LAST_INSERT_ID(), 'IF-NEW-1', 1000);
""")
    try:
        pid = one(stack, "SELECT id FROM product WHERE code = 'IF-NEW'")
        s = stack.session()
        r = post(stack, s, {"product_id": pid, "qty": "12", "contact_name":
                            "表单询价", "contact_phone": "123"})
        assert r.status_code == 400
        assert value_of(r.text, "product_id") == pid
        assert value_of(r.text, "qty") == "12"
        r = post(stack, s, {"product_id": value_of(r.text, "product_id"),
                            "qty": value_of(r.text, "qty"),
                            "contact_name": "表单询价",
                            "contact_phone": "13611117777"})
        assert r.status_code == 200, r.text[:500]
        assert line_of(stack, last_inquiry(stack)) == (pid, None, "12")
        # A product the database refuses is not carried on.
        r = post(stack, s, {"product_id": "999999999", "qty": "3",
                            "contact_name": "表单询价",
                            "contact_phone": "13611117777"})
        assert r.status_code == 400
        assert value_of(r.text, "product_id") is None
    finally:
        stack.sql("DELETE FROM inquiry WHERE contact_name = '表单询价'; "
                  "DELETE FROM product WHERE code = 'IF-NEW'")


def test_quantity_defaults_to_the_minimum_order(stack, products):
    s = stack.session()
    r = s.get(stack.url(f"{FORM}?product={products['IF-ONE']}"))
    assert r.status_code == 200
    assert value_of(r.text, "qty") == "5"
    assert re.search(r'name="qty"[^>]*min="5"', r.text)


def test_customer_company_is_filled_in(stack):
    s = stack.login(stack.buyer_phone, stack.password, "shop-b")
    company = one(stack, "SELECT c.name FROM customer c JOIN customer_user u "
                  f"ON u.customer_id = c.id WHERE u.shop_id = {B} "
                  f"AND u.phone = '{stack.buyer_phone}'")
    r = s.get(stack.url(FORM))
    assert r.status_code == 200
    assert value_of(r.text, "company") == company
    # What was typed wins over the default.
    r = post(stack, s, {"company": "另一家", "contact_name": "表单询价",
                        "contact_phone": "1"})
    assert r.status_code == 400
    assert value_of(r.text, "company") == "另一家"


def test_sku_select_for_several_skus(stack, products):
    s = stack.session()
    r = s.get(stack.url(f"{FORM}?product={products['IF-ONE']}"))
    assert options(r.text, "sku_id") is None        # one SKU: no choice
    r = s.get(stack.url(f"{FORM}?product={products['IF-TWO']}"))
    opts = options(r.text, "sku_id")
    assert [v for v, _ in opts] == [products["IF-TWO-S"],
                                    products["IF-TWO-L"]]
    assert "小号" in r.text and "大号" in r.text
    assert value_of(r.text, "qty") == "3"           # the first SKU's minimum
    r = s.get(stack.url(f"{FORM}?product={products['IF-TWO']}"
                        f"&sku={products['IF-TWO-L']}"))
    assert (products["IF-TWO-L"], True) in options(r.text, "sku_id")
    assert value_of(r.text, "qty") == "8"           # the chosen SKU's
    assert re.search(r'name="qty"[^>]*min="3"', r.text)  # the least
    r = post(stack, s, {"product_id": products["IF-TWO"],
                        "sku_id": products["IF-TWO-L"], "qty": "9",
                        "contact_name": "表单询价",
                        "contact_phone": "13611115555"})
    assert r.status_code == 200, r.text[:500]
    assert line_of(stack, last_inquiry(stack)) == (
        products["IF-TWO"], products["IF-TWO-L"], "9")
    # A refused post keeps the SKU chosen.
    r = post(stack, s, {"product_id": products["IF-TWO"],
                        "sku_id": products["IF-TWO-L"], "qty": "9",
                        "contact_name": "表单询价", "contact_phone": "1"})
    assert r.status_code == 400
    assert (products["IF-TWO-L"], True) in options(r.text, "sku_id")


def test_sku_must_be_the_products(stack, products):
    s = stack.session()
    before = one(stack, "SELECT COUNT(*) FROM inquiry")
    for sku in (products["IF-ONE-1"], products["IF-A-1"], "999999999"):
        r = post(stack, s, {"product_id": products["IF-TWO"],
                            "sku_id": sku, "contact_name": "表单询价",
                            "contact_phone": "13611116666"})
        assert r.status_code == 400, sku
        assert "规格" in r.text, sku
    assert one(stack, "SELECT COUNT(*) FROM inquiry") == before
