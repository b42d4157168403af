"""Storefront navigation and what each mall shows: category chips grouped
under their parent, the home page's category row, page titles of paged and
sorted lists, and the retail mall without B2B details."""

import re

import pytest

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"


@pytest.fixture(scope="module")
def tree(stack):
    """Two top categories whose children were made after both, so that an
    order by id scatters them; an empty category; 25 products in one
    child, so that its list has two pages."""
    stack.sql(f"""
INSERT INTO category (shop_id, parent_id, name, sort) VALUES
  ({A}, NULL, '饮料', 1);
SET @drinks = LAST_INSERT_ID();
INSERT INTO category (shop_id, parent_id, name, sort) VALUES
  ({A}, NULL, '零食', 2);
SET @snacks = LAST_INSERT_ID();
INSERT INTO category (shop_id, parent_id, name, sort) VALUES
  ({A}, NULL, '空分类', 3);
INSERT INTO category (shop_id, parent_id, name, sort) VALUES
  ({A}, @drinks, '矿泉水', 1);
SET @water = LAST_INSERT_ID();
INSERT INTO category (shop_id, parent_id, name, sort) VALUES
  ({A}, @snacks, '薯片', 1);
SET @chips = LAST_INSERT_ID();
INSERT INTO category (shop_id, parent_id, name, sort) VALUES
  ({A}, @drinks, '茶饮料', 2);
SET @tea = LAST_INSERT_ID();
INSERT INTO product (shop_id, category_id, code, name, unit, description,
  visible)
  SELECT {A}, @water, CONCAT('SN-W', seq), CONCAT('山泉水 ', seq), '箱', '',
  'ordering,wholesale,retail' FROM seq_1_to_25;
INSERT INTO product (shop_id, category_id, code, name, unit, description)
  VALUES ({A}, @chips, 'SN-C', '原味薯片', '袋', ''),
         ({A}, @tea, 'SN-T', '冰红茶', '瓶', '');
INSERT INTO sku (shop_id, product_id, code, unit, min_qty, pack_size, stock,
  price_fen, retail_price_fen)
  SELECT {A}, id, CONCAT(code, '-1'), unit, 5, 24, 100, 123456, 150000
  FROM product WHERE code LIKE 'SN-%';
UPDATE shop SET version = version + 1;
""")
    chips_list = stack.url("/s/shop-a/wholesale/products?q=SN-C")
    stack.every_worker(lambda: stack.session().get(chips_list),
                       lambda r: "原味薯片" in r.text, timeout=5)
    ids = dict(stack.sql(f"SELECT name, id FROM category WHERE shop_id = {A}"))
    yield {k: int(v) for k, v in ids.items()}
    stack.sql(f"""
DELETE FROM product WHERE code LIKE 'SN-%';
DELETE FROM category WHERE shop_id = {A} AND parent_id IS NOT NULL;
DELETE FROM category WHERE shop_id = {A};
UPDATE shop SET retail_b2b_details = 0, version = version + 1
  WHERE slug = 'shop-a';
""")
    # Every worker has the shop back as it was before the next module.
    stack.every_worker(lambda: stack.session().get(chips_list),
                       lambda r: "原味薯片" not in r.text, timeout=5)


def chips(html):
    """(name, classes, current) of each category chip, in page order."""
    nav = re.search(r'<nav class="chips" aria-label="分类">(.*?)</nav>',
                    html, re.S).group(1)
    return [(name, cls.split(), bool(cur)) for cur, cls, name in re.findall(
        r'<a href="[^"]*cat=\d+"( aria-current="page")? class="([^"]*)">'
        r'([^<]+)</a>', nav)]


def title(html):
    return re.search(r"<title>(.*?)</title>", html).group(1)


def test_chips_keep_children_under_their_parent(stack, tree):
    s = stack.session()
    top = chips(s.get(stack.url("/s/shop-a/wholesale/products")).text)
    assert [c[0] for c in top] == ["饮料", "零食"]      # no empty category
    page = s.get(stack.url(
        f"/s/shop-a/wholesale/products?cat={tree['饮料']}")).text
    got = chips(page)
    assert [c[0] for c in got] == ["饮料", "矿泉水", "茶饮料", "零食"]
    assert got[0][2] and "child" in got[1][1] and "child" in got[2][1]
    assert "child" not in got[3][1]
    # Inside a child, its parent stays open and its siblings stay listed.
    got = chips(s.get(stack.url(
        f"/s/shop-a/wholesale/products?cat={tree['薯片']}")).text)
    assert [c[0] for c in got] == ["饮料", "零食", "薯片"]
    assert "open" in got[1][1] and got[2][2] and not got[1][2]


def test_home_shows_counts_and_that_more_exist(stack, tree):
    html = stack.session().get(stack.url("/s/shop-a/")).text
    row = re.search(r'<nav class="chips home-cats"[^>]*>(.*?)</nav>', html,
                    re.S).group(1)
    assert ">饮料<small>26</small>" in row and ">零食<small>1</small>" in row
    assert "空分类" not in row and "矿泉水" not in row
    assert re.search(r'<a class="more" href="/s/shop-a/wholesale/products">'
                     r'更多分类 ›</a>', row)


def test_titles_of_paged_sorted_and_category_lists(stack, tree):
    s = stack.session()
    base = "/s/shop-a/wholesale/products"
    assert title(s.get(stack.url(base)).text).startswith("批发商城 - ")
    water = tree["矿泉水"]
    t = title(s.get(stack.url(f"{base}?cat={water}&sort=-price")).text)
    assert t.startswith("矿泉水 - 批发商城")
    page2 = s.get(stack.url(f"{base}?cat={water}&sort=-price&page=2")).text
    assert title(page2).startswith("矿泉水 · 第 2 页 - 批发商城")
    assert "第 2 / 2 页" in page2
    # Sort links and the pager keep the category and sort.
    assert f'rel="prev"' in page2 and f"cat={water}&amp;q=&amp;sort=-price" \
        in page2
    t = title(s.get(stack.url(f"{base}?q=薯片&page=1")).text)
    assert t.startswith("“薯片” - 批发商城")


def test_amounts_have_thousands_separators(stack, tree):
    html = stack.session().get(stack.url(
        "/s/shop-a/wholesale/products?q=SN-C")).text
    assert "¥1,234.56" in html
    j = stack.session().get(stack.url(
        "/s/shop-a/api/v1/wholesale/products?q=SN-C")).json()
    assert j["data"]["products"][0]["price_fen"] == 123456


def test_retail_mall_hides_b2b_details_unless_turned_on(stack, tree):
    pid = stack.sql("SELECT id FROM product WHERE code = 'SN-W1'")[0][0]
    s = stack.session()
    retail = s.get(stack.url(f"/s/shop-a/retail/products/{pid}")).text
    assert "¥1,500.00" in retail and "有货" in retail
    assert "起订" not in retail and "每箱" not in retail
    assert "专票" not in retail
    j = s.get(stack.url(f"/s/shop-a/api/v1/retail/products/{pid}")).json()
    assert j["data"]["b2b_details"] is False
    assert "price_special_tax_fen" not in j["data"]["skus"][0]
    wholesale = s.get(stack.url(f"/s/shop-a/wholesale/products/{pid}")).text
    assert "起订 5 箱" in wholesale and "每箱 24 箱" in wholesale
    assert "专票" in wholesale
    stack.sql("UPDATE shop SET retail_b2b_details = 1, version = version + 1"
              " WHERE slug = 'shop-a'")
    stack.every_worker(lambda: stack.session().get(
        stack.url(f"/s/shop-a/retail/products/{pid}")),
        lambda r: "起订 5 箱" in r.text, timeout=5)
    assert "专票" in s.get(stack.url(f"/s/shop-a/retail/products/{pid}")).text


def test_case_size_only_when_sold_in_cases(stack, tree):
    stack.sql("UPDATE sku SET pack_size = 1 WHERE code = 'SN-C-1'")
    pid = stack.sql("SELECT id FROM product WHERE code = 'SN-C'")[0][0]
    page = stack.session().get(stack.url(
        f"/s/shop-a/wholesale/products/{pid}")).text
    assert "起订 5 袋" in page and "每箱" not in page


def test_pictures_load_without_shifting_the_page(stack, tree):
    """The first picture loads at once (it is what a phone shows first),
    the others lazily; a wide one offers its 400 px thumbnail; the list's
    first two thumbnails are not lazy either."""
    sid = stack.sql("SELECT id FROM shop WHERE slug = 'shop-a'")[0][0]
    pid = stack.sql("SELECT id FROM product WHERE code = 'SN-W1'")[0][0]
    stack.sql(f"""
INSERT INTO product_image (shop_id, product_id, path, thumb_path, width,
  height, sort) VALUES
  ({sid}, {pid}, '{sid}/big.jpg', '{sid}/big_t.jpg', 800, 800, 1),
  ({sid}, {pid}, '{sid}/small.jpg', '{sid}/small_t.jpg', 300, 200, 2);
UPDATE shop SET version = version + 1 WHERE id = {sid};
""")
    listed = stack.url("/s/shop-a/wholesale/products?q=SN-W1")
    try:
        page = stack.session().get(stack.url(
            f"/s/shop-a/wholesale/products/{pid}")).text
        imgs = re.findall(r"<img [^>]*>", re.search(
            r'<div class="gallery">(.*?)</div>', page, re.S).group(1))
        assert len(imgs) == 2
        assert 'srcset="/uploads/%s/big_t.jpg 400w, /uploads/%s/big.jpg ' \
            '800w"' % (sid, sid) in imgs[0]
        assert "loading=" not in imgs[0]
        assert "srcset" not in imgs[1] and 'loading="lazy"' in imgs[1]
        # Every worker's list has the pictures: the next read may be
        # another worker's.
        stack.every_worker(lambda: stack.session().get(listed),
                           lambda r: "big_t.jpg" in r.text, timeout=5)
        water = tree["矿泉水"]
        page = stack.session().get(stack.url(
            f"/s/shop-a/wholesale/products?cat={water}")).text
        thumbs = re.findall(r'<img src="[^"]*"[^>]*>', page)
        assert thumbs and all("loading" not in t for t in thumbs[:2])
    finally:
        stack.sql(f"DELETE FROM product_image WHERE product_id = {pid}; "
                  f"UPDATE shop SET version = version + 1 WHERE id = {sid}")
        stack.every_worker(lambda: stack.session().get(listed),
                           lambda r: "big_t.jpg" not in r.text, timeout=5)
