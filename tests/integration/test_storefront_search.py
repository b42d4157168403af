"""Storefront search (issue 14): Chinese substrings, codes and barcodes
from the worker's catalog index, ranked; category, storefront and pages
as the list; no database query per search; an admin's rename (and new
SKU code) searchable on every worker within a second; bad input
answered, never a 500.

One shop of its own (srch-...), products seeded by SQL, removed with it."""

import re
import time
from urllib.parse import quote

import pytest

from helpers import csrf_of

PASSWORD = "longenough"
ADMIN = "13700000066"


@pytest.fixture(scope="module")
def shop(stack):
    slug = f"srch-{time.monotonic_ns() % 100000}"
    stack.run("shop", "create", "--slug", slug, "--name", "搜索测试",
              "--admin-phone", ADMIN, "--admin-password", PASSWORD)
    s = f"(SELECT id FROM shop WHERE slug = '{slug}')"

    def product(code, name, cat="NULL", visible="ordering,wholesale,retail",
                on_shelf=1, skus=()):
        skus = skus or [(code + "-1", "", 1000)]
        rows = ", ".join(f"({s}, @p, '{c}', '{b}', {price}, {i})"
                         for i, (c, b, price) in enumerate(skus))
        return (f"INSERT INTO product (shop_id, category_id, code, name, "
                f"description, visible, on_shelf) VALUES ({s}, {cat}, "
                f"'{code}', '{name}', '', '{visible}', {on_shelf}); "
                f"SET @p = LAST_INSERT_ID(); INSERT INTO sku (shop_id, "
                f"product_id, code, barcode, price_fen, sort) "
                f"VALUES {rows};")
    stack.sql(f"""
INSERT INTO category (shop_id, parent_id, name, sort) VALUES ({s}, NULL, '零食', 1);
SET @snack = LAST_INSERT_ID();
INSERT INTO category (shop_id, parent_id, name, sort) VALUES ({s}, @snack, '膨化', 1);
SET @puffed = LAST_INSERT_ID();
INSERT INTO category (shop_id, parent_id, name, sort) VALUES ({s}, NULL, '饮料', 2);
SET @drink = LAST_INSERT_ID();
{product('SS-1001', '良品铺子薯片 500g', '@puffed',
         skus=[('SS-1001-1', '6901234567892', 1290),
               ('SS-1001-2', '6901234567908', 2490)])}
{product('SS-1002', '薯片大礼包', '@puffed', skus=[('SS-1002-1', '', 3990)])}
{product('SS-1003', '旺旺雪饼 5000G', '@snack')}
{product('SS-2001', '农夫山泉矿泉水 550ml', '@drink',
         visible='ordering,wholesale')}
{product('SS-2002', '百岁山矿泉水', '@drink', on_shelf=0)}
{product('SS-3001', '<b>ＡＢＣ饼干</b> 薯片味', '@snack',
         skus=[('SS-3001-1', '', 500)])}
{product('QX', '礼盒 qx12 其他')}
{product('QX2', 'QX12 饼干')}
{product('QX12-A', '无关一')}
{product('QX4', '无关二', skus=[('QX12', '', 1000)])}
UPDATE shop SET version = version + 1 WHERE slug = '{slug}';
""")
    yield slug
    stack.sql(f"DELETE FROM product WHERE shop_id = {s}; "
              f"DELETE FROM category WHERE shop_id = {s} AND parent_id "
              f"IS NOT NULL; DELETE FROM category WHERE shop_id = {s}; "
              f"UPDATE shop SET version = version + 1 WHERE slug = "
              f"'{slug}'")


def search(stack, shop, q, mode="wholesale", session=None, **params):
    """The product codes a search lists, in order, and the JSON data."""
    s = session or stack.session()
    path = f"/s/{shop}/api/v1/{mode}/products?q={quote(q)}"
    path += "".join(f"&{k}={v}" for k, v in params.items())
    r = s.get(stack.url(path))
    assert r.status_code == 200, (q, r.status_code, r.text[:300])
    data = r.json()["data"]
    return [p["code"] for p in data["products"]], data


def asking(stack, shop, q, session=None):
    """A function that sends search q (to whichever worker) and returns
    the response, for stack.every_worker."""
    s = session or stack.session()
    url = stack.url(f"/s/{shop}/api/v1/wholesale/products?q={quote(q)}")
    return lambda: s.get(url)


def total(r):
    return r.json()["data"]["total"]


def test_chinese_substrings_name_prefix_first(stack, shop):
    codes, data = search(stack, shop, "薯片")
    # 薯片大礼包 starts with it; the others hold it, in the list's order.
    assert codes == ["SS-1002", "SS-1001", "SS-3001"]
    assert data["total"] == 3
    assert search(stack, shop, "铺子薯片")[0] == ["SS-1001"]
    assert search(stack, shop, "薯")[0] == ["SS-1002", "SS-1001", "SS-3001"]
    # Case and full-width forms fold; 5000G holds 500g's bigrams only.
    assert search(stack, shop, "500G")[0] == ["SS-1001"]
    assert search(stack, shop, "５０００ｇ")[0] == ["SS-1003"]
    assert search(stack, shop, "abc饼干")[0] == ["SS-3001"]
    # Every word, in any order.
    assert search(stack, shop, "薯片 500g")[0] == ["SS-1001"]
    assert search(stack, shop, "500g 良品")[0] == ["SS-1001"]
    assert search(stack, shop, "薯片 雪饼")[0] == []


def test_codes_and_barcodes(stack, shop):
    assert search(stack, shop, "6901234567908")[0] == ["SS-1001"]
    assert search(stack, shop, "ss-1002-1")[0] == ["SS-1002"]
    assert search(stack, shop, "SS-1003")[0] == ["SS-1003"]
    # A code prefix: the product codes and SKU codes that start with it,
    # each product once; off the shelf or out of this mall, none.
    assert search(stack, shop, "ss-100")[0] == ["SS-1001", "SS-1002",
                                               "SS-1003"]
    assert search(stack, shop, "690123456")[0] == ["SS-1001"]
    assert search(stack, shop, "SS-2")[0] == ["SS-2001"]
    assert search(stack, shop, "SS-2", mode="retail")[0] == []
    assert search(stack, shop, "1001")[0] == []     # not inside a code


def test_rank_exact_code_then_prefix_then_name_prefix(stack, shop):
    # QX4 has the SKU code QX12, QX12-A starts with it, "QX12 饼干"
    # starts with it, "礼盒 qx12 其他" holds it.
    assert search(stack, shop, "qx12")[0] == ["QX4", "QX12-A", "QX2", "QX"]
    assert search(stack, shop, "QX1")[0] == ["QX12-A", "QX4", "QX2", "QX"]
    # Sorting by price reorders within a rank, never across.
    assert search(stack, shop, "薯片", sort="price")[0] == [
        "SS-1002", "SS-3001", "SS-1001"]
    assert search(stack, shop, "薯片", sort="-price")[0] == [
        "SS-1002", "SS-1001", "SS-3001"]
    assert search(stack, shop, "薯片", sort="new")[0] == [
        "SS-1002", "SS-3001", "SS-1001"]


def test_category_storefront_and_shelf_as_the_list(stack, shop):
    cat = {name: i for i, name in stack.sql(
        f"SELECT id, name FROM category WHERE shop_id = (SELECT id FROM "
        f"shop WHERE slug = '{shop}')")}
    assert search(stack, shop, "薯片", cat=cat["膨化"])[0] == [
        "SS-1002", "SS-1001"]
    assert search(stack, shop, "薯片", cat=cat["零食"])[0] == [
        "SS-1002", "SS-1001", "SS-3001"]
    assert search(stack, shop, "薯片", cat=cat["饮料"])[0] == []
    # 百岁山 is off the shelf; 农夫山泉 is not in the retail mall.
    assert search(stack, shop, "矿泉水")[0] == ["SS-2001"]
    assert search(stack, shop, "矿泉水", mode="retail")[0] == []
    # The ordering mall searches for logged-in customers only.
    r = stack.session().get(stack.url(
        f"/s/{shop}/api/v1/ordering/products?q={quote('薯片')}"))
    assert r.status_code == 401


def test_pages_and_the_html_page(stack, shop):
    sid = f"(SELECT id FROM shop WHERE slug = '{shop}')"
    rows = ", ".join(f"({sid}, 'SS-P{i:02d}', '批量薯片{i:02d}', '')"
                     for i in range(25))
    stack.sql(f"INSERT INTO product (shop_id, code, name, description) "
              f"VALUES {rows}; INSERT INTO sku (shop_id, product_id, code, "
              f"price_fen) SELECT shop_id, id, CONCAT(code, '-1'), 100 FROM "
              f"product WHERE code LIKE 'SS-P%'; UPDATE shop SET version = "
              f"version + 1 WHERE slug = '{shop}'")
    try:
        # Every worker has them: page 2 may be another worker's.
        stack.every_worker(asking(stack, shop, "薯片"),
                           lambda r: total(r) == 28, timeout=5)
        p1 = search(stack, shop, "薯片")[1]
        assert len(p1["products"]) == 20 and p1["pages"] == 2
        assert p1["products"][0]["code"] == "SS-1002"
        codes2, p2 = search(stack, shop, "薯片", page=2)
        assert len(codes2) == 8 and "prev_url" in p2
        seen = [p["code"] for p in p1["products"]] + codes2
        assert len(set(seen)) == 28
        assert search(stack, shop, "薯片", page=3)[0] == []
        html = stack.session().get(stack.url(
            f"/s/{shop}/wholesale/products?q={quote('薯片')}&page=2")).text
        assert "q=%E8%96%AF%E7%89%87" in html and 'rel="prev"' in html
        html = stack.session().get(stack.url(
            f"/s/{shop}/wholesale/products?q={quote('饼干')}")).text
        # Names are escaped, never markup; the query is shown as typed.
        assert "&lt;b&gt;ＡＢＣ饼干&lt;/b&gt; 薯片味" in html
        assert "<b>ＡＢＣ" not in html and "“饼干”" in html
    finally:
        stack.sql(f"DELETE FROM product WHERE code LIKE 'SS-P%'; UPDATE "
                  f"shop SET version = version + 1 WHERE slug = '{shop}'")
        # Every worker has let go of them before the next test searches.
        stack.every_worker(asking(stack, shop, "薯片"),
                           lambda r: total(r) == 28 - 25, timeout=5)


def questions(stack):
    return int(stack.sql("SHOW GLOBAL STATUS LIKE 'Questions'")[0][1])


def test_no_database_query_per_search(stack, shop):
    s = stack.session()
    for q in ("薯片", "SS-1001"):              # every worker loads first
        stack.every_worker(asking(stack, shop, q, session=s),
                           lambda r: r.json()["data"]["products"],
                           timeout=5)
    before = questions(stack)
    for i in range(60):
        search(stack, shop, ("薯片", "6901234567892", "ss-1", "矿泉水",
                             "abc")[i % 5], session=s)
    # A worker rereads its shop's row at most twice a second; a query
    # per search (as before the index) would be 60 more.
    assert questions(stack) - before < 30


def test_admin_rename_is_searchable_on_every_worker(stack, shop):
    owner = stack.login(ADMIN, PASSWORD, shop, staff=True)
    pid = stack.sql(f"SELECT id FROM product WHERE code = 'SS-1003' AND "
                    f"shop_id = (SELECT id FROM shop WHERE slug = "
                    f"'{shop}')")[0][0]
    base = f"/s/{shop}/admin/products/{pid}"
    page = owner.get(stack.url(base)).text
    sku = re.search(r'name="sku_id\[0\]" value="(\d+)"', page).group(1)
    form = {"csrf": csrf_of(page), "code": "SS-1003", "name": "旺旺仙贝 改名",
            "unit": "", "category_id": "0", "on_shelf": "1",
            "visible_ordering": "1", "visible_wholesale": "1",
            "visible_retail": "1", "sort": "0", "description": "",
            "sku_id[0]": sku, "sku_code[0]": "SS-XB-77",
            "sku_price[0]": "10"}
    r = owner.post(stack.url(base), data=form, allow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    saved = time.monotonic()
    # Every worker within a second: the shop row is reread every half
    # second.
    for q, want in (("仙贝", ["SS-1003"]), ("雪饼", []),
                    ("ss-xb", ["SS-1003"]), ("SS-1003-", [])):
        path = f"/s/{shop}/api/v1/wholesale/products?q={quote(q)}"
        stack.every_worker(
            lambda: stack.session().get(stack.url(path)),
            lambda r: [p["code"] for p in r.json()["data"]["products"]]
            == want, timeout=5, by=saved + 1.5)


def test_bad_input_is_a_clear_400_and_long_is_in_characters(stack, shop):
    for q, message in [
            (quote("a" * 1000), "搜索词太长（最多 100 个字符）"),
            (quote("薯" * 101), "搜索词太长（最多 100 个字符）"),
            ("%FF", "查询参数含有无效字符"),            # not UTF-8
            ("%E8%96", "查询参数含有无效字符"),         # cut short
            ("%C0%AF", "查询参数含有无效字符"),         # overlong
            ("%00", "查询参数含有无效字符")]:
        for path in (f"/s/{shop}/api/v1/wholesale/products?q={q}",
                     f"/s/{shop}/wholesale/products?q={q}"):
            r = stack.session().get(stack.url(path))
            assert r.status_code == 400, (path, r.text[:300])
            assert message in r.text, path
    # The limit counts characters: 100 Chinese ones (300 bytes) are a
    # search.
    codes, data = search(stack, shop, "薯" * 100)
    assert codes == [] and data["q"] == "薯" * 100
    # A thousand Chinese characters do not fit nginx's request line:
    # nginx answers 414 itself, before the app.
    r = stack.session().get(stack.url(
        f"/s/{shop}/api/v1/wholesale/products?q={quote('薯' * 1000)}"))
    assert r.status_code == 414


def test_punctuation_metacharacters_and_blank(stack, shop):
    for q in ("!!!", "%", "_", "%_%", ".*", "^薯片$", "[薯片]",
              "' OR 1=1 --", "\\", "(", "薯片' --", "*", "\"", "<script>",
              "？！。，"):
        codes, data = search(stack, shop, q)
        assert codes == [] and data["total"] == 0, q
        page = stack.session().get(stack.url(
            f"/s/{shop}/wholesale/products?q={quote(q)}"))
        assert page.status_code == 200 and "没有找到与" in page.text, q
        assert "<script>" not in page.text
    # Nothing but spaces is no search: the normal list (once every
    # worker has let go of the products an earlier test added).
    stack.every_worker(asking(stack, shop, "  　 "),
                       lambda r: total(r) == 9, timeout=5)
    codes, data = search(stack, shop, " \t ")
    assert data["total"] == 9 and "SS-2002" not in codes
    assert len(search(stack, shop, "")[0]) == 9
