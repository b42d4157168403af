"""`dinghuo import images --shop S [--replace] DIR`: image files named
after product codes, added through the back office's checks, once.

Each test works in a shop of its own and removes its catalog afterwards."""

import csv
import io
import itertools
import struct
import time
import zlib

import pytest

HEADER = ["product_code", "product_name", "sku_code", "price"]
CODES = ["P0001", "P0002", "B-2", "B"]

_seq = itertools.count(1)


def png(width, height, rgb=(200, 80, 40)):
    """A real RGB PNG of one colour."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                       0, 0)) +
            chunk(b"IDAT", zlib.compress(row * height)) +
            chunk(b"IEND", b""))


@pytest.fixture
def shop(stack, tmp_path):
    """A fresh shop with the products of CODES; its slug."""
    slug = f"img-{next(_seq)}-{time.monotonic_ns() % 100000}"
    stack.run("shop", "create", "--slug", slug, "--name", "图片导入",
              "--admin-phone", "13700000043", "--admin-password",
              "longenough")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    for code in CODES:
        w.writerow([code, f"商品{code}", f"{code}-S", "9.90"])
    path = tmp_path / "products.csv"
    path.write_text(buf.getvalue())
    stack.run("import", "products", "--shop", slug, path)
    yield slug
    sid = shop_id(stack, slug)
    stack.sql(f"DELETE FROM product_image WHERE shop_id = {sid}; "
              f"DELETE FROM sku WHERE shop_id = {sid}; "
              f"DELETE FROM product WHERE shop_id = {sid}")


def shop_id(stack, slug):
    return stack.sql(f"SELECT id FROM shop WHERE slug = '{slug}'")[0][0]


def images(stack, slug, code):
    """(path, thumb, width, height) of a product's images, in order."""
    return stack.sql(
        "SELECT i.path, i.thumb_path, i.width, i.height FROM product_image i "
        "JOIN product p ON p.id = i.product_id WHERE p.shop_id = "
        f"{shop_id(stack, slug)} AND p.code = '{code}' ORDER BY i.sort, i.id")


def folder(tmp_path, name, files):
    d = tmp_path / name
    d.mkdir()
    for n, data in files.items():
        (d / n).write_bytes(data)
    return d


def run(stack, slug, d, *extra, check=True):
    return stack.run("import", "images", "--shop", slug, *extra, d,
                     check=check)


def test_each_file_is_reported_and_bad_ones_fail(stack, shop, tmp_path):
    d = folder(tmp_path, "a", {
        "P0001.png": png(60, 40),
        "P0001-2.png": png(30, 30, (10, 120, 200)),
        "p0002.PNG": png(20, 10),          # codes match whatever the case
        "B-2.png": png(8, 8),              # a code that ends in -2 itself
        "X9.png": png(8, 8),
        "P0003-2.jpg": png(8, 8),
        "B.jpg": b"not a picture at all\n",
        "notes.txt": b"hello",
        ".DS_Store": b"\x00",
    })
    (d / "sub.png").mkdir()
    r = run(stack, shop, d, check=False)
    assert r.returncode == 1, r.stdout + r.stderr
    out = r.stdout
    assert "P0001.png：已添加到 P0001（第 1 张）" in out
    assert "P0001-2.png：已添加到 P0001（第 2 张）" in out
    assert "p0002.PNG：已添加到 p0002（第 1 张）" in out
    assert "B-2.png：已添加到 B-2（第 1 张）" in out
    assert "X9.png：没有货号为“X9”的商品" in out
    assert "P0003-2.jpg：没有货号为“P0003”的商品" in out
    assert "B.jpg：只能上传 JPEG、PNG 或 WebP 格式的图片" in out
    assert "notes.txt：跳过：不是 .jpg .jpeg .png .webp 图片文件" in out
    assert "sub.png：跳过" in out and ".DS_Store" not in out
    assert "图片导入完成：添加 4，跳过 2，失败 3" in out
    first, second = images(stack, shop, "P0001")
    assert first[2:] == ("60", "40") and second[2:] == ("30", "30")
    assert len(images(stack, shop, "P0002")) == 1
    assert len(images(stack, shop, "B-2")) == 1
    assert images(stack, shop, "B") == []
    # Stored as an upload is: re-encoded, with a 400 px thumbnail.
    for path, thumb, _, _ in first, second:
        assert (stack.uploads_dir / path).read_bytes()[:4] == b"\x89PNG"
        assert (stack.uploads_dir / thumb).read_bytes()[:3] == \
            b"\xff\xd8\xff"
    # The import touched the shop: the storefront shows the thumbnail.
    stack.wait_until(lambda: any(
        p["code"] == "P0001" and p["thumb"] == f"/uploads/{first[1]}"
        for p in stack.session().get(
            stack.url(f"/s/{shop}/wholesale/products?q=P0001"),
            headers={"Accept": "application/json"}).json()["data"][
            "products"]), timeout=2.0)


def test_running_again_adds_nothing_and_replace_replaces(stack, shop,
                                                          tmp_path):
    d = folder(tmp_path, "a", {"P0001.png": png(60, 40),
                               "P0001-2.png": png(30, 30),
                               "P0002.png": png(20, 20)})
    r = run(stack, shop, d)
    assert "图片导入完成：添加 3，跳过 0，失败 0" in r.stdout
    before = images(stack, shop, "P0001")
    r = run(stack, shop, d)
    assert r.returncode == 0
    assert "P0001-2.png：跳过：商品 P0001 已有 2 张图片（要替换请加 " \
        "--replace）" in r.stdout
    assert "图片导入完成：添加 0，跳过 3，失败 0" in r.stdout
    assert images(stack, shop, "P0001") == before
    # A product that has none yet still gets its file on a second run.
    (d / "B.png").write_bytes(png(12, 12))
    r = run(stack, shop, d)
    assert "B.png：已添加到 B（第 1 张）" in r.stdout
    assert "添加 1，跳过 3，失败 0" in r.stdout

    d2 = folder(tmp_path, "b", {"P0001.png": png(50, 50)})
    r = run(stack, shop, d2, "--replace")
    assert "P0001：删除原有图片 2 张" in r.stdout
    assert "P0001.png：已添加到 P0001（第 1 张）" in r.stdout
    (after,) = images(stack, shop, "P0001")
    assert after[2:] == ("50", "50")
    for path, thumb, _, _ in before:
        assert not (stack.uploads_dir / path).exists()
        assert not (stack.uploads_dir / thumb).exists()
    assert (stack.uploads_dir / after[0]).exists()
    assert len(images(stack, shop, "P0002")) == 1     # not in d2: kept


def test_the_image_limit_and_size_checks_apply(stack, shop, tmp_path):
    sid = shop_id(stack, shop)
    pid = stack.sql(f"SELECT id FROM product WHERE shop_id = {sid} "
                    "AND code = 'P0002'")[0][0]
    # P0002 has 19 images already: --replace is what gets new ones in, and
    # at most 20 of them.
    stack.sql("INSERT INTO product_image (shop_id, product_id, path, "
              "thumb_path, width, height, sort) VALUES " + ",".join(
                  f"({sid}, {pid}, '{sid}/{i:032x}.png', "
                  f"'{sid}/{i:032x}_t.jpg', 10, 10, {i})"
                  for i in range(1, 20)))
    files = {"P0002.png": png(8, 8), "P0002.jpg": png(9, 9)}
    files.update({f"P0002-{n}.png": png(8, 8) for n in range(2, 21)})
    files["P0001.png"] = png(8, 8)
    files["P0001-2.png"] = png(9000, 1)       # wider than IMAGE_DIM_MAX
    r = run(stack, shop, folder(tmp_path, "a", files), check=False)
    assert r.returncode == 1
    assert "P0002-20.png：跳过：商品 P0002 已有 19 张图片" in r.stdout
    assert "P0001-2.png：图片尺寸过大（9000×1），最大 8000×8000 像素" \
        in r.stdout
    assert "添加 1，跳过 21，失败 1" in r.stdout
    r = run(stack, shop, tmp_path / "a", "--replace", check=False)
    assert r.returncode == 1
    assert "P0002：删除原有图片 19 张" in r.stdout
    assert "P0002-20.png：每个商品最多 20 张图片，请先删除不用的图片" \
        in r.stdout
    assert len(images(stack, shop, "P0002")) == 20


def test_usage_and_missing_things(stack, shop, tmp_path):
    r = stack.run("import", "images", "--shop", shop, check=False)
    assert r.returncode == 2 and "usage: dinghuo import images" in r.stderr
    r = stack.run("import", "images", tmp_path, check=False)
    assert r.returncode == 2 and "--shop is required" in r.stderr
    r = run(stack, "no-such-shop", tmp_path, check=False)
    assert r.returncode == 1 and "no shop 'no-such-shop'" in r.stderr
    r = run(stack, shop, tmp_path / "missing", check=False)
    assert r.returncode == 1 and "missing: No such file" in r.stderr
    r = run(stack, shop, folder(tmp_path, "empty", {}))
    assert "图片导入完成：添加 0，跳过 0，失败 0" in r.stdout
