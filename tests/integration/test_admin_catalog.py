"""Back-office catalog: products, SKUs, tiers, images, categories, import.

Everything goes through nginx as a browser would send it (plain forms,
multipart uploads). What the module creates is named AC-... and removed at
the end, since other modules share the stack's shops."""

import re
import struct
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from helpers import csrf_of, get_csrf

A = "/s/shop-a"
SHOP = "(SELECT id FROM shop WHERE slug = '{}')"


# -- helpers ------------------------------------------------------------

def png(width, height, text=None):
    """A real RGB PNG (a gradient), optionally with a tEXt chunk."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows += bytes((x * 255 // width, y * 255 // height, 160))
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                      0, 0))
    if text:
        out += chunk(b"tEXt", text)
    out += chunk(b"IDAT", zlib.compress(bytes(rows)))
    return out + chunk(b"IEND", b"")


def jpeg_size(data):
    """(width, height) from a JPEG's frame header."""
    assert data[:3] == b"\xff\xd8\xff", data[:16]
    i = 2
    while i + 4 <= len(data):
        marker = data[i + 1]
        seg = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xc0 <= marker <= 0xcf and marker not in (0xc4, 0xc8, 0xcc):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + seg
    raise AssertionError("no SOF in JPEG")


def product_form(csrf, code, name, skus, **fields):
    """The product form as the browser posts it; None leaves a key out
    (an unchecked checkbox)."""
    data = {"csrf": csrf, "code": code, "name": name, "unit": "盒",
            "category_id": "0", "on_shelf": "1", "visible_ordering": "1",
            "visible_wholesale": "1", "visible_retail": "1", "sort": "0",
            "description": ""}
    data.update(fields)
    for i, sku in enumerate(skus):
        for key, value in sku.items():
            data[f"sku_{key}[{i}]"] = value
    return {k: v for k, v in data.items() if v is not None}


def location_path(r):
    return urlsplit(r.headers["Location"]).path


def product_id(stack, code, shop="shop-a"):
    rows = stack.sql(f"SELECT id FROM product WHERE code = '{code}' "
                     f"AND shop_id = {SHOP.format(shop)}")
    return int(rows[0][0]) if rows else None


def storefront(stack, pid):
    """The wholesale mall's view of a product (guest), or None if 404."""
    r = stack.session().get(stack.url(f"{A}/wholesale/products/{pid}"),
                            headers={"Accept": "application/json"})
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text[:300]
    return r.json()["data"]


def create(stack, s, code, name="测试商品", skus=None, **fields):
    csrf = get_csrf(stack, s, f"{A}/admin/products/new")
    skus = skus or [{"code": f"{code}-1", "price": "10.00"}]
    r = s.post(stack.url(f"{A}/admin/products"), allow_redirects=False,
               data=product_form(csrf, code, name, skus, **fields))
    assert r.status_code == 303, r.text[:2000]
    m = re.fullmatch(rf"{A}/admin/products/(\d+)", location_path(r))
    assert m and r.headers["Location"].endswith("?done=saved"), \
        r.headers["Location"]
    return int(m.group(1))


# -- fixtures -----------------------------------------------------------

@pytest.fixture(scope="module")
def owner(stack):
    yield stack.login(stack.owner_phone, stack.password, "shop-a",
                      staff=True)
    stack.sql("""
DELETE FROM product WHERE code LIKE 'AC-%';
DELETE FROM category WHERE name LIKE 'AC-%' AND parent_id IS NOT NULL;
DELETE FROM category WHERE name LIKE 'AC-%';
UPDATE shop SET version = version + 1;
""")


@pytest.fixture(scope="module")
def sales(stack, owner):
    return stack.login(stack.sales_phone, stack.password, "shop-a",
                       staff=True)


@pytest.fixture(scope="module")
def tea(stack, owner):
    """A product with two SKUs and tiers, created through the form."""
    pid = create(stack, owner, "AC-TEA", "龙井 AC", skus=[
        {"code": "AC-TEA-250", "barcode": "6901234567001", "spec": "规格:250g",
         "price": "100.00", "retail_price": "128.00", "min_qty": "1",
         "pack_size": "20", "stock": "50", "weight_g": "260",
         "tiers": "10:90.00;50：85.50"},
        {"code": "AC-TEA-500", "spec": "规格:500g", "price": "190",
         "stock": "7"},
        {"code": "", "price": ""},                      # a spare row
    ])
    return pid


# -- products -----------------------------------------------------------

def test_create_with_skus_and_tiers(stack, owner, tea):
    skus = stack.sql(f"SELECT code, barcode, spec, pack_size, stock, "
                     f"weight_g, price_fen, retail_price_fen FROM sku "
                     f"WHERE product_id = {tea} ORDER BY sort")
    assert skus == [
        ("AC-TEA-250", "6901234567001", "规格:250g", "20", "50", "260",
         "10000", "12800"),
        ("AC-TEA-500", "", "规格:500g", "1", "7", "0", "19000", None)]
    tiers = stack.sql(f"SELECT t.min_qty, t.price_fen FROM price_tier t "
                      f"JOIN sku s ON s.id = t.sku_id "
                      f"WHERE s.product_id = {tea} ORDER BY t.min_qty")
    assert tiers == [("10", "9000"), ("50", "8550")]
    page = owner.get(stack.url(f"{A}/admin/products/{tea}?done=saved"))
    assert page.status_code == 200
    assert "已保存" in page.text and 'value="10:90.00;50:85.50"' in page.text
    # JSON clients get the same view: numbers as numbers, money in fen.
    d = owner.get(stack.url(f"{A}/admin/products/{tea}"),
                  headers={"Accept": "application/json"}).json()["data"]
    assert d["product"]["code"] == "AC-TEA" and d["product"]["on_shelf"]
    assert [(k["code"], k["price_fen"], k["stock"]) for k in d["skus"]] == [
        ("AC-TEA-250", 10000, 50), ("AC-TEA-500", 19000, 7)]
    assert d["skus"][0]["retail_price_fen"] == 12800
    assert d["skus"][0]["tier_list"][1] == {"min_qty": 50,
                                            "price": "85.50",
                                            "price_fen": 8550}
    # Audited, in the same transaction as the change.
    assert stack.sql(f"SELECT COUNT(*) FROM audit_log WHERE action = "
                     f"'product.save' AND detail LIKE 'product={tea} %'"
                     ) == [("1",)]
    # Every worker's storefront sees it within a second (of now: it was
    # made a moment ago).
    url = stack.url(f"{A}/wholesale/products/{tea}")
    seen = stack.every_worker(
        lambda: stack.session().get(url, headers={"Accept":
                                                  "application/json"}),
        lambda r: r.status_code == 200, timeout=5,
        by=time.monotonic() + 1.5)
    for pid, rs in seen.items():
        by_code = {k["code"]: k for k in rs[-1].json()["data"]["skus"]}
        assert by_code["AC-TEA-250"]["price_fen"] == 10000, pid
        assert by_code["AC-TEA-250"]["tiers"] == [
            {"min_qty": 10, "price": "90.00", "price_fen": 9000},
            {"min_qty": 50, "price": "85.50", "price_fen": 8550}], pid


def test_edit_price_reaches_storefront(stack, owner, tea):
    page = owner.get(stack.url(f"{A}/admin/products/{tea}"))
    ids = re.findall(r'name="sku_id\[(\d+)\]" value="(\d+)"', page.text)
    assert len(ids) == 2
    skus = [{"id": ids[0][1], "code": "AC-TEA-250", "price": "99.50",
             "barcode": "6901234567001", "tiers": "10:90.00",
             "stock": "50"},
            {"id": ids[1][1], "code": "AC-TEA-500", "price": "190.00",
             "stock": "7"}]
    r = owner.post(stack.url(f"{A}/admin/products/{tea}"),
                   allow_redirects=False,
                   data=product_form(csrf_of(page.text), "AC-TEA", "龙井 AC",
                                     skus))
    assert r.status_code == 303
    assert location_path(r) == f"{A}/admin/products/{tea}"

    def new_price():
        d = storefront(stack, tea)
        return d and {k["code"]: k["price_fen"] for k in d["skus"]} == {
            "AC-TEA-250": 9950, "AC-TEA-500": 19000}
    stack.wait_until(new_price, timeout=1.0)
    # The SKUs kept their ids: an edit is not a delete and re-create.
    assert sorted(r[0] for r in stack.sql(
        f"SELECT id FROM sku WHERE product_id = {tea}")) == \
        sorted(i for _, i in ids)


def test_toggle_shelf(stack, owner, tea):
    csrf = get_csrf(stack, owner, f"{A}/admin/products")
    r = owner.post(stack.url(f"{A}/admin/products/{tea}/shelf"),
                   data={"csrf": csrf, "back": "/admin/products?q=AC"},
                   allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == f"{A}/admin/products?q=AC&done=saved"
    stack.wait_until(lambda: storefront(stack, tea) is None, timeout=1.0)
    listing = owner.get(stack.url(f"{A}/admin/products?q=AC-TEA"),
                        headers={"Accept": "application/json"}).json()
    row, = listing["data"]["products"]
    assert row["on_shelf"] is False and row["sku_count"] == 2
    # A back link elsewhere is not followed.
    r = owner.post(stack.url(f"{A}/admin/products/{tea}/shelf"),
                   data={"csrf": csrf, "back": "//evil.example/"},
                   allow_redirects=False)
    assert r.headers["Location"] == \
        f"{A}/admin/products/{tea}?done=saved"
    stack.wait_until(lambda: storefront(stack, tea), timeout=1.0)


def test_list_search_and_filters(stack, owner, tea):
    def codes(query):
        r = owner.get(stack.url(f"{A}/admin/products{query}"),
                      headers={"Accept": "application/json"})
        assert r.status_code == 200, r.text[:300]
        return [p["code"] for p in r.json()["data"]["products"]]
    assert codes("?q=AC-TEA-500") == ["AC-TEA"]         # SKU code
    assert codes("?q=6901234567001") == ["AC-TEA"]      # barcode
    assert codes("?q=龙井%20AC") == ["AC-TEA"]           # name
    assert codes("?q=AC-TEA&shelf=off") == []
    assert codes("?q=AC_TEA") == []                     # _ is no wildcard
    d = owner.get(stack.url(f"{A}/admin/products?q=AC-TEA"),
                  headers={"Accept": "application/json"}).json()["data"]
    row = d["products"][0]
    assert row["price_min_fen"] == 9950 and row["price_max_fen"] == 19000
    assert row["price_range"] is True and row["stock"] == 57
    assert d["total"] == 1 and d["page"] == 1
    page = owner.get(stack.url(f"{A}/admin/products?q=nothing-like-this"))
    assert page.status_code == 200 and "没有找到符合条件的商品" in page.text


def test_description_is_sanitized(stack, owner):
    desc = ('<p onclick="steal()">好茶</p><script>alert(1)</script>'
            '<a href="javascript:alert(2)">x</a><img src=x onerror=alert(3)>'
            '<style>body{display:none}</style><b>特级')
    pid = create(stack, owner, "AC-DESC", description=desc)
    stored = stack.sql(f"SELECT description FROM product WHERE id = {pid}"
                       )[0][0]
    assert stored == ('<p>好茶</p><a rel="noopener nofollow">x</a>'
                      '<b>特级</b>')
    page = stack.wait_until(lambda: stack.session().get(
        stack.url(f"{A}/wholesale/products/{pid}")), timeout=1.0)
    assert "alert(" not in page.text and "<b>特级</b>" in page.text


def test_every_bad_field_is_named(stack, owner, tea):
    b = SHOP.format("shop-b")
    stack.sql(f"INSERT INTO category (shop_id, name) VALUES ({b}, 'AC-B')")
    other_cat = stack.sql("SELECT id FROM category WHERE name = 'AC-B'"
                          )[0][0]
    csrf = get_csrf(stack, owner, f"{A}/admin/products/new")
    skus = [{"code": "AC-BAD-1", "price": "-5", "stock": "many",
             "tiers": "10:abc"},
            {"code": "AC-BAD-1", "price": "1.234", "min_qty": "0"},
            {"code": "AC-TEA-500", "price": "3"},       # another product's
            {"code": "", "price": "9.00"}]              # price, no code
    r = owner.post(stack.url(f"{A}/admin/products"), allow_redirects=False,
                   data=product_form(csrf, "", "", skus,
                                     category_id=other_cat))
    assert r.status_code == 400
    for text in ("货号：请填写", "商品名称：请填写", "分类：分类不存在",
                 "规格 1 价格：不能为负数", "规格 1 库存：不是整数",
                 "规格 1 阶梯价：单价“abc”", "规格 2 价格：最多两位小数",
                 "规格 2 起订量：太小", "规格 2 编码：与规格 1 重复",
                 "规格 3 编码：已被商品 AC-TEA 使用", "规格 4 编码：请填写"):
        assert text in r.text, text
    # What was typed is still there.
    assert 'value="many"' in r.text and 'value="10:abc"' in r.text
    # The database check runs once the form itself is right.
    r = owner.post(stack.url(f"{A}/admin/products"), allow_redirects=False,
                   data=product_form(csrf, "AC-TEA", "重名", [
                       {"code": "AC-TEA-500", "price": "3"}]))
    assert r.status_code == 400
    assert "货号：已被其他商品使用" in r.text
    assert "规格 1 编码：已被商品 AC-TEA 使用" in r.text
    # JSON clients get the same, by field.
    r = owner.post(stack.url(f"{A}/admin/products"),
                   headers={"Accept": "application/json"},
                   data=product_form(csrf, "", "x", [{"code": "AC-J",
                                                      "price": "x"}]))
    assert r.status_code == 400
    fields = r.json()["error"]["fields"]
    assert set(fields) == {"code", "sku_price[0]"}
    assert stack.sql("SELECT COUNT(*) FROM product WHERE code LIKE "
                     "'AC-BAD%' OR name = '重名'") == [("0",)]


def test_tier_line_with_a_space_is_refused(stack, owner):
    """Text after a space in a tier line was dropped: "10:90 50:85" saved
    as one tier. Now the line is named and nothing is saved."""
    csrf = get_csrf(stack, owner, f"{A}/admin/products/new")
    for tiers, shown in (("10:90.00 50:85.00", "10:90.00 50:85.00"),
                         ("5:95;1 0:90", "1 0:90")):
        r = owner.post(stack.url(f"{A}/admin/products"),
                       allow_redirects=False,
                       data=product_form(csrf, "AC-TSP", "空格", [
                           {"code": "AC-TSP-1", "price": "100",
                            "tiers": tiers}]))
        assert r.status_code == 400, (tiers, r.text[:500])
        assert f"规格 1 阶梯价：“{shown}”中间有空格" in r.text, tiers
    assert product_id(stack, "AC-TSP") is None
    # Spaces around the signs are fine, and one tier per line too.
    pid = create(stack, owner, "AC-TSP", skus=[
        {"code": "AC-TSP-1", "price": "100", "tiers": " 10 : 90 \r\n50：85"}])
    assert stack.sql(f"SELECT t.min_qty, t.price_fen FROM price_tier t "
                     f"JOIN sku s ON s.id = t.sku_id WHERE s.product_id = "
                     f"{pid} ORDER BY t.min_qty") == [("10", "9000"),
                                                     ("50", "8500")]


def test_sku_remove_add_and_swap(stack, owner):
    pid = create(stack, owner, "AC-SWAP", skus=[
        {"code": "AC-SWAP-A", "price": "1"}, {"code": "AC-SWAP-B",
                                              "price": "2"},
        {"code": "AC-SWAP-C", "price": "3"}])
    page = owner.get(stack.url(f"{A}/admin/products/{pid}"))
    ids = dict(re.findall(r'name="sku_id\[(\d+)\]" value="(\d+)"',
                          page.text))
    # Swap the codes of A and B, remove C, add D in a spare row.
    r = owner.post(stack.url(f"{A}/admin/products/{pid}"),
                   allow_redirects=False,
                   data=product_form(csrf_of(page.text), "AC-SWAP", "换码", [
                       {"id": ids["0"], "code": "AC-SWAP-B", "price": "1"},
                       {"id": ids["1"], "code": "AC-SWAP-A", "price": "2"},
                       {"id": ids["2"], "code": "AC-SWAP-C", "price": "3",
                        "remove": "1"},
                       {"code": "AC-SWAP-D", "price": "4"}]))
    assert r.status_code == 303, r.text[:2000]
    rows = stack.sql(f"SELECT id, code, price_fen FROM sku "
                     f"WHERE product_id = {pid} ORDER BY sort")
    assert [(c, p) for _, c, p in rows] == [
        ("AC-SWAP-B", "100"), ("AC-SWAP-A", "200"), ("AC-SWAP-D", "400")]
    assert rows[0][0] == ids["0"]
    # A client that sends only some rows leaves the others alone, and
    # cannot take their codes.
    r = owner.post(stack.url(f"{A}/admin/products/{pid}"),
                   allow_redirects=False,
                   data=product_form(csrf_of(page.text), "AC-SWAP", "换码", [
                       {"id": ids["0"], "code": "AC-SWAP-D",
                        "price": "1"}]))
    assert r.status_code == 400
    assert "规格 1 编码：与本商品的另一个规格重复" in r.text
    # Removing every SKU is refused: a product needs one.
    page = owner.get(stack.url(f"{A}/admin/products/{pid}"))
    ids = re.findall(r'name="sku_id\[(\d+)\]" value="(\d+)"', page.text)
    r = owner.post(stack.url(f"{A}/admin/products/{pid}"),
                   allow_redirects=False,
                   data=product_form(csrf_of(page.text), "AC-SWAP", "换码", [
                       {"id": i, "code": f"AC-SWAP-{n}", "price": "1",
                        "remove": "1"} for n, i in ids]))
    assert r.status_code == 400 and "至少填写一个规格" in r.text


# -- images -------------------------------------------------------------

def upload(stack, s, pid, name, data, ctype="image/png"):
    csrf = get_csrf(stack, s, f"{A}/admin/products/{pid}")
    return s.post(stack.url(f"{A}/admin/products/{pid}/images"),
                  data={"csrf": csrf}, files={"image": (name, data, ctype)},
                  allow_redirects=False)


def test_upload_png_makes_thumbnail(stack, owner, tea):
    r = upload(stack, owner, tea, "../../etc/passwd.png",
               png(800, 600, text=b"Comment\x00secret GPS 31.2N"))
    assert r.status_code == 303, r.text[:1000]
    assert location_path(r) == f"{A}/admin/products/{tea}"
    row, = stack.sql(f"SELECT path, thumb_path, width, height FROM "
                     f"product_image WHERE product_id = {tea}")
    path, thumb, w, h = row
    shop_a = stack.sql(f"SELECT {SHOP.format('shop-a')}")[0][0]
    assert re.fullmatch(rf"{shop_a}/[0-9a-f]{{32}}\.png", path), path
    assert re.fullmatch(rf"{shop_a}/[0-9a-f]{{32}}_t\.jpg", thumb), thumb
    assert (w, h) == ("800", "600")
    page = owner.get(stack.url(f"{A}/admin/products/{tea}"))
    assert f'src="/uploads/{thumb}"' in page.text
    # nginx serves both; the original was re-encoded without metadata.
    t = stack.session().get(stack.url(f"/uploads/{thumb}"))
    assert t.status_code == 200
    assert t.headers["Content-Type"] == "image/jpeg"
    assert jpeg_size(t.content) == (400, 300)
    o = stack.session().get(stack.url(f"/uploads/{path}"))
    assert o.status_code == 200 and o.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"secret" not in o.content
    assert struct.unpack(">II", o.content[16:24]) == (800, 600)
    # The storefront's list shows the thumbnail.
    stack.wait_until(lambda: any(
        p["code"] == "AC-TEA" and p["thumb"] == f"/uploads/{thumb}"
        for p in stack.session().get(
            stack.url(f"{A}/wholesale/products?q=AC-TEA"),
            headers={"Accept": "application/json"}).json()["data"][
            "products"]), timeout=1.0)


def test_upload_refuses_non_images(stack, owner, tea):
    r = upload(stack, owner, tea, "photo.png", b"just some text, not a PNG\n")
    assert r.status_code == 415
    assert "只能上传 JPEG、PNG 或 WebP 格式的图片" in r.text
    r = upload(stack, owner, tea, "x.png",
               b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    assert r.status_code == 400 and "图片文件已损坏" in r.text
    # A tiny file that claims a huge canvas is refused before decoding.
    huge = png(1, 1)[:16] + struct.pack(">II", 20000, 20000) + png(1, 1)[24:]
    r = upload(stack, owner, tea, "x.png", huge)
    assert r.status_code == 400 and "图片尺寸过大" in r.text
    r = upload(stack, owner, tea, "x.gif", b"GIF89a" + b"\x00" * 50,
               "image/gif")
    assert r.status_code == 415
    # A sound header over a broken body: dinghuo-image cannot decode it
    # (exit 2), nothing is stored, the worker is unharmed.
    good = png(40, 30)
    broken = good[:33] + good[33:60] + b"\x00" * 300 + good[-12:]
    r = upload(stack, owner, tea, "x.png", broken)
    assert r.status_code == 400 and "无法读取" in r.text
    assert not list(stack.uploads_dir.glob("*/.*.upload"))
    assert stack.session().get(stack.url("/healthz")).status_code == 200
    r = owner.post(stack.url(f"{A}/admin/products/{tea}/images"),
                   headers={"Accept": "application/json"},
                   data={"csrf": get_csrf(stack, owner,
                                          f"{A}/admin/products/{tea}")},
                   files={"image": ("a.jpg", b"\xff\xd8\xff\xe0broken",
                                    "image/jpeg")})
    assert r.status_code == 400 and r.json()["ok"] is False
    assert stack.sql(f"SELECT COUNT(*) FROM product_image "
                     f"WHERE product_id = {tea}") == [("1",)]


def test_concurrent_uploads_stay_within_the_limit(stack, owner):
    """The image limit is counted under the product's lock, in the
    transaction that adds the image: uploads at the same time to a product
    one short of it add one image, and the others are refused."""
    pid = create(stack, owner, "AC-MANY")
    shop = stack.sql(f"SELECT {SHOP.format('shop-a')}")[0][0]
    stack.sql("INSERT INTO product_image (shop_id, product_id, path, "
              "thumb_path, width, height, sort) VALUES " + ",".join(
                  f"({shop}, {pid}, '{shop}/{i:032x}.png', "
                  f"'{shop}/{i:032x}_t.jpg', 10, 10, {i})"
                  for i in range(1, 20)))
    csrf = get_csrf(stack, owner, f"{A}/admin/products/{pid}")
    folder = stack.uploads_dir / shop
    before = {p.name for p in folder.glob("*")}
    n = 4
    start = threading.Barrier(n)

    def upload_one(i):
        s = stack.session()
        s.cookies.update(owner.cookies)
        start.wait()
        return s.post(stack.url(f"{A}/admin/products/{pid}/images"),
                      data={"csrf": csrf}, allow_redirects=False,
                      files={"image": (f"{i}.png", png(300 + i, 200),
                                       "image/png")})
    with ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(upload_one, range(n)))
    assert stack.sql(f"SELECT COUNT(*) FROM product_image "
                     f"WHERE product_id = {pid}") == [("20",)]
    assert sorted(r.status_code for r in answers) == [303] + [400] * (n - 1)
    assert all("每个商品最多 20 张图片" in r.text for r in answers
               if r.status_code == 400)
    # The refused uploads' files are gone: only the kept one's are new.
    path, thumb = stack.sql(f"SELECT path, thumb_path FROM product_image "
                            f"WHERE product_id = {pid} ORDER BY id DESC "
                            f"LIMIT 1")[0]
    assert {p.name for p in folder.glob("*")} - before == {
        path.split("/")[1], thumb.split("/")[1]}
    page = owner.get(stack.url(f"{A}/admin/products/{pid}/delete"))
    owner.post(stack.url(f"{A}/admin/products/{pid}/delete"),
               data={"csrf": csrf_of(page.text)})
    assert not (stack.uploads_dir / path).exists()


def test_upload_too_big(stack, owner, tea):
    csrf = get_csrf(stack, owner, f"{A}/admin/products/{tea}")
    body = b"\xff\xd8\xff" + b"\x00" * (9 * 1024 * 1024)
    r = owner.post(stack.url(f"{A}/admin/products/{tea}/images"),
                   data={"csrf": csrf},
                   files={"image": ("big.jpg", body, "image/jpeg")},
                   allow_redirects=False)
    assert r.status_code == 413 and "过大" in r.text


def test_image_delete_removes_files(stack, owner):
    pid = create(stack, owner, "AC-IMG")
    assert upload(stack, owner, pid, "a.png", png(50, 40)).status_code == 303
    (iid, path, thumb), = stack.sql(
        f"SELECT id, path, thumb_path FROM product_image "
        f"WHERE product_id = {pid}")
    assert (stack.uploads_dir / thumb).exists()
    # A small image is not blown up.
    t = stack.session().get(stack.url(f"/uploads/{thumb}"))
    assert jpeg_size(t.content) == (50, 40)
    csrf = get_csrf(stack, owner, f"{A}/admin/products/{pid}")
    r = owner.post(stack.url(f"{A}/admin/products/{pid}/images/{iid}/"
                             f"delete"), data={"csrf": csrf},
                   allow_redirects=False)
    assert r.status_code == 303
    assert not (stack.uploads_dir / thumb).exists()
    assert not (stack.uploads_dir / path).exists()
    assert stack.session().get(stack.url(f"/uploads/{path}")
                               ).status_code == 404


# -- delete -------------------------------------------------------------

def test_delete_with_confirmation(stack, owner):
    pid = create(stack, owner, "AC-GONE")
    assert upload(stack, owner, pid, "a.png", png(20, 20)).status_code == 303
    thumb = stack.sql(f"SELECT thumb_path FROM product_image "
                      f"WHERE product_id = {pid}")[0][0]
    page = owner.get(stack.url(f"{A}/admin/products/{pid}/delete"))
    assert page.status_code == 200 and "确认删除" in page.text
    r = owner.post(stack.url(f"{A}/admin/products/{pid}/delete"),
                   data={"csrf": csrf_of(page.text)}, allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == f"{A}/admin/products?done=deleted"
    assert product_id(stack, "AC-GONE") is None
    assert stack.sql("SELECT COUNT(*) FROM sku WHERE code = 'AC-GONE-1'"
                     ) == [("0",)]
    assert not (stack.uploads_dir / thumb).exists()
    assert owner.get(stack.url(f"{A}/admin/products/{pid}")
                     ).status_code == 404


# -- who may do what ----------------------------------------------------

def test_sales_reads_but_cannot_write(stack, sales, tea):
    assert sales.get(stack.url(f"{A}/admin/products")).status_code == 200
    page = sales.get(stack.url(f"{A}/admin/products/{tea}"))
    assert page.status_code == 200 and "只能查看" in page.text
    assert sales.get(stack.url(f"{A}/admin/categories")).status_code == 200
    assert sales.get(stack.url(f"{A}/admin/export")).status_code == 200
    csrf = csrf_of(page.text)
    for path, data in ((f"/admin/products/{tea}",
                        product_form(csrf, "AC-TEA", "改名", [
                            {"code": "AC-TEA-250", "price": "1"}])),
                       (f"/admin/products/{tea}/shelf", {"csrf": csrf}),
                       (f"/admin/products/{tea}/delete", {"csrf": csrf}),
                       ("/admin/products", product_form(
                           csrf, "AC-SALES", "x", [{"code": "AC-S",
                                                    "price": "1"}])),
                       ("/admin/categories", {"csrf": csrf,
                                              "name": "AC-S"})):
        r = sales.post(stack.url(A + path), data=data,
                       allow_redirects=False)
        assert r.status_code == 403, path
    assert sales.get(stack.url(f"{A}/admin/products/new")
                     ).status_code == 403
    assert sales.get(stack.url(f"{A}/admin/import")).status_code == 403
    assert stack.sql(f"SELECT name FROM product WHERE id = {tea}"
                     ) == [("龙井 AC",)]


def test_customer_is_sent_to_staff_login(stack):
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    r = s.get(stack.url(f"{A}/admin/products"), allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == f"{A}/admin/login?next=/admin/products"
    r = s.post(stack.url(f"{A}/admin/categories"), data={"name": "AC-X"},
               allow_redirects=False)
    assert r.status_code == 401


def test_other_shops_product_is_not_found(stack, owner):
    b = SHOP.format("shop-b")
    stack.sql(f"INSERT INTO product (shop_id, code, name, description) "
              f"VALUES ({b}, 'AC-B', '乙店商品', '')")
    bid = product_id(stack, "AC-B", "shop-b")
    csrf = get_csrf(stack, owner, f"{A}/admin/products")
    assert owner.get(stack.url(f"{A}/admin/products/{bid}")
                     ).status_code == 404
    assert owner.get(stack.url(f"{A}/admin/products/{bid}/delete")
                     ).status_code == 404
    for path, data in (
            (f"/admin/products/{bid}", product_form(
                csrf, "AC-B", "偷改", [{"code": "AC-B-1", "price": "1"}])),
            (f"/admin/products/{bid}/shelf", {"csrf": csrf}),
            (f"/admin/products/{bid}/delete", {"csrf": csrf})):
        r = owner.post(stack.url(A + path), data=data,
                       allow_redirects=False)
        assert r.status_code == 404, path
    r = owner.post(stack.url(f"{A}/admin/products/{bid}/images"),
                   data={"csrf": csrf},
                   files={"image": ("a.png", png(4, 4), "image/png")})
    assert r.status_code == 404
    assert stack.sql(f"SELECT name, on_shelf FROM product WHERE id = {bid}"
                     ) == [("乙店商品", "1")]
    assert stack.sql(f"SELECT COUNT(*) FROM product_image "
                     f"WHERE product_id = {bid}") == [("0",)]


def test_post_without_csrf_is_refused(stack, owner, tea):
    r = owner.post(stack.url(f"{A}/admin/products/{tea}/shelf"),
                   allow_redirects=False)
    assert r.status_code == 403
    r = owner.post(stack.url(f"{A}/admin/products"), allow_redirects=False,
                   data=product_form("0" * 32, "AC-CSRF", "x",
                                     [{"code": "AC-CSRF-1", "price": "1"}]))
    assert r.status_code == 403
    assert product_id(stack, "AC-CSRF") is None


# -- categories ---------------------------------------------------------

def category(stack, s, name, parent=0):
    csrf = get_csrf(stack, s, f"{A}/admin/categories")
    r = s.post(stack.url(f"{A}/admin/categories"), allow_redirects=False,
               data={"csrf": csrf, "name": name, "parent_id": str(parent),
                     "sort": "5"})
    assert r.status_code == 303, r.text[:1000]
    return int(stack.sql(f"SELECT id FROM category WHERE name = '{name}' "
                         f"AND shop_id = {SHOP.format('shop-a')}")[0][0])


def test_category_tree_and_refusals(stack, owner):
    top = category(stack, owner, "AC-茶叶")
    child = category(stack, owner, "AC-绿茶", top)
    page = owner.get(stack.url(f"{A}/admin/categories"))
    assert page.status_code == 200
    assert re.search(rf'<li class="d1"><span class="cat-name"><a href="'
                     rf'{A}/admin/categories/{child}">AC-绿茶</a>', page.text)
    csrf = csrf_of(page.text)
    # Its own page offers every parent but itself and what is below it.
    page = owner.get(stack.url(f"{A}/admin/categories/{top}"))
    assert page.status_code == 200 and "编辑分类" in page.text
    assert f'<option value="{child}"' not in page.text
    assert f'<option value="{top}"' not in page.text
    # No cycles: the top cannot move under its own child.
    r = owner.post(stack.url(f"{A}/admin/categories/{top}"),
                   data={"csrf": csrf, "name": "AC-茶叶",
                         "parent_id": str(child)})
    assert r.status_code == 400 and "不能移到它自己或它的下级分类之下" in r.text
    # Siblings may not share a name.
    r = owner.post(stack.url(f"{A}/admin/categories"),
                   data={"csrf": csrf, "name": "AC-绿茶",
                         "parent_id": str(top)})
    assert r.status_code == 400 and "同一级下已有同名分类" in r.text
    # Rename and move back.
    r = owner.post(stack.url(f"{A}/admin/categories/{top}"),
                   allow_redirects=False,
                   data={"csrf": csrf, "name": "AC-茶", "parent_id": "0",
                         "sort": "1"})
    assert r.status_code == 303
    assert stack.sql(f"SELECT name, parent_id, sort FROM category "
                     f"WHERE id = {top}") == [("AC-茶", None, "1")]
    # A category with products (or children) is not deleted.
    pid = create(stack, owner, "AC-INCAT", category_id=str(child))
    r = owner.post(stack.url(f"{A}/admin/categories/{child}/delete"),
                   data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 409
    assert "下还有 1 个商品，不能删除" in r.text
    r = owner.post(stack.url(f"{A}/admin/categories/{top}/delete"),
                   data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 409 and "1 个下级分类" in r.text
    # The list filters by category, subcategories included.
    codes = [p["code"] for p in owner.get(
        stack.url(f"{A}/admin/products?cat={top}"),
        headers={"Accept": "application/json"}).json()["data"]["products"]]
    assert codes == ["AC-INCAT"]
    # Emptied, it goes.
    page = owner.get(stack.url(f"{A}/admin/products/{pid}/delete"))
    owner.post(stack.url(f"{A}/admin/products/{pid}/delete"),
               data={"csrf": csrf_of(page.text)})
    for cid in (child, top):
        r = owner.post(stack.url(f"{A}/admin/categories/{cid}/delete"),
                       data={"csrf": csrf}, allow_redirects=False)
        assert r.status_code == 303
    assert stack.sql("SELECT COUNT(*) FROM category WHERE name LIKE "
                     "'AC-%' AND shop_id = "
                     f"{SHOP.format('shop-a')}") == [("0",)]


def test_category_of_another_shop_cannot_be_parent(stack, owner):
    b = SHOP.format("shop-b")
    stack.sql(f"INSERT INTO category (shop_id, name) VALUES ({b}, 'AC-B2')")
    bid = stack.sql("SELECT id FROM category WHERE name = 'AC-B2'")[0][0]
    csrf = get_csrf(stack, owner, f"{A}/admin/categories")
    r = owner.post(stack.url(f"{A}/admin/categories"),
                   data={"csrf": csrf, "name": "AC-X", "parent_id": bid})
    assert r.status_code == 400 and "上级分类不存在" in r.text
    r = owner.post(stack.url(f"{A}/admin/categories/{bid}"),
                   data={"csrf": csrf, "name": "AC-hijack"})
    assert r.status_code == 404
    assert owner.get(stack.url(f"{A}/admin/categories/{bid}")
                     ).status_code == 404
    r = owner.post(stack.url(f"{A}/admin/categories/{bid}/delete"),
                   data={"csrf": csrf})
    assert r.status_code == 404
    assert stack.sql(f"SELECT name FROM category WHERE id = {bid}"
                     ) == [("AC-B2",)]


# -- import and export --------------------------------------------------

def test_import_page_and_export(stack, owner, tea):
    page = owner.get(stack.url(f"{A}/admin/import"))
    assert page.status_code == 200 and "下载 products.csv" in page.text
    csrf = csrf_of(page.text)
    r = owner.post(stack.url(f"{A}/admin/import"), data={"csrf": csrf},
                   files={"other": ("x.txt", b"x", "text/plain")})
    assert r.status_code == 400 and "请选择要导入的 CSV 文件" in r.text
    r = owner.post(stack.url(f"{A}/admin/import"), data={"csrf": csrf},
                   files={"file": ("empty.csv", b"", "text/csv")})
    assert r.status_code == 400 and "文件是空的" in r.text
    r = owner.get(stack.url(f"{A}/admin/export"))
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == \
        'attachment; filename="products.csv"'
    text = r.content.decode("utf-8-sig")
    assert "product_code" in text.splitlines()[0] and "AC-TEA-250" in text
    # A file with a bad row: nothing is imported, every error is shown.
    bad = ("product_code,product_name,sku_code,price\r\n"
           "AC-IMP,导入品,AC-IMP-1,abc\r\n"
           "AC-IMP,导入品,AC-IMP-2,-1\r\n").encode()
    r = owner.post(stack.url(f"{A}/admin/import"), data={"csrf": csrf},
                   files={"file": ("p.csv", bad, "text/csv")})
    assert r.status_code == 400, r.text[:500]
    assert "第 2 行" in r.text and "第 3 行" in r.text
    assert product_id(stack, "AC-IMP") is None
    good = ("product_code,product_name,sku_code,price,tiers\r\n"
            "AC-IMP,导入品,AC-IMP-1,12.50,10:11.00\r\n").encode()
    r = owner.post(stack.url(f"{A}/admin/import"), data={"csrf": csrf},
                   files={"file": ("p.csv", good, "text/csv")})
    assert r.status_code == 200, r.text[:500]
    assert "导入完成" in r.text
    assert product_id(stack, "AC-IMP") is not None


def test_import_page_lists_at_most_500_errors(stack, owner):
    rows = "".join(f"P-BAD-{i},坏行{i},件,S-BAD-{i},-1\n" for i in range(600))
    body = "product_code,product_name,unit,sku_code,price\n" + rows
    tok = get_csrf(stack, owner, f"{A}/admin/import")
    r = owner.post(stack.url(f"{A}/admin/import"),
                   data={"csrf": tok},
                   files={"file": ("bad.csv", body.encode(), "text/csv")})
    assert r.status_code == 400
    assert r.text.count("<li>第 ") == 500
    assert "另有 100 个错误未列出" in r.text
    assert stack.sql("SELECT COUNT(*) FROM product WHERE code LIKE "
                     "'P-BAD-%'") == [("0",)]


def test_template_downloads_and_imports_back(stack, owner):
    """The template has the Chinese column names and example rows; it
    imports as it is."""
    page = owner.get(stack.url(f"{A}/admin/import"))
    assert f'href="{A}/admin/import/template"' in page.text
    r = owner.get(stack.url(f"{A}/admin/import/template"))
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "products-template.csv" in r.headers["Content-Disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    first = r.content[3:].decode().split("\r\n")[0].split(",")
    assert first[:3] == ["分类", "货号", "商品名称"] and "单价" in first
    last_cat = stack.sql("SELECT COALESCE(MAX(id), 0) FROM category")[0][0]
    try:
        r = owner.post(stack.url(f"{A}/admin/import"),
                       data={"csrf": csrf_of(page.text)},
                       files={"file": ("t.csv", r.content, "text/csv")})
        start = r.text.find('class="panel report"')
        assert r.status_code == 200 and "导入完成" in r.text, \
            r.text[start:start + 1500]
        assert stack.sql("SELECT COUNT(*) FROM sku s JOIN product p ON "
                         "p.id = s.product_id WHERE p.code = 'LJ001' AND "
                         "p.shop_id = (SELECT id FROM shop WHERE slug = "
                         "'shop-a')") == [("2",)]
    finally:
        # The product and the categories the import made (茶叶/绿茶), which
        # other tests make themselves.
        stack.sql("DELETE FROM product WHERE code = 'LJ001'; "
                  f"DELETE FROM category WHERE id > {last_cat} "
                  "ORDER BY id DESC; "
                  "UPDATE shop SET version = version + 1")


def test_categories_are_shown_by_their_path(stack, owner):
    """Two branches may each have a 散装: lists and pickers say whose."""
    shop = "(SELECT id FROM shop WHERE slug = 'shop-a')"
    stack.sql(f"""
INSERT INTO category (shop_id, name) VALUES ({shop}, 'CP饮料');
SET @d = LAST_INSERT_ID();
INSERT INTO category (shop_id, parent_id, name) VALUES ({shop}, @d, 'CP散装');
SET @s = LAST_INSERT_ID();
INSERT INTO product (shop_id, category_id, code, name, description)
  VALUES ({shop}, @s, 'CP-1', '路径测试', '');
INSERT INTO sku (shop_id, product_id, code, price_fen)
  VALUES ({shop}, LAST_INSERT_ID(), 'CP-1-1', 100);
""")
    try:
        page = owner.get(stack.url(f"{A}/admin/products?q=CP-1")).text
        assert "CP饮料 › CP散装" in page           # the row and the filter
        assert page.count("CP饮料 › CP散装") >= 2, page
        pid = stack.sql("SELECT id FROM product WHERE code = 'CP-1'")[0][0]
        form = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
        assert re.search(r'<option value="\d+" selected>CP饮料 › CP散装'
                         r'</option>', form), form
    finally:
        stack.sql("DELETE FROM product WHERE code = 'CP-1'; "
                  "DELETE FROM category WHERE name = 'CP散装'; "
                  "DELETE FROM category WHERE name = 'CP饮料'")
