"""Quick order (快速下单): pasted lines of code and quantity, previewed
line by line with price, stock and what is wrong (unknown codes listed,
bad quantities, duplicates summed, barcodes, units), and the valid lines
added to the cart in one go, onto what it holds; the page works without
script and keeps the lines left to fix."""

import pytest

from helpers import csrf_of
from orders_kit import (SHOP, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus)

P = "QK"
A = SHOP.format("shop-a")


@pytest.fixture(scope="module")
def cat(stack):
    k = seed_skus(stack, P, {
        # price, stock, min_qty, pack_size, pack_only
        "A": (1000, 100, 1, 1, 0),
        "MIN": (500, 100, 10, 1, 0),
        "CASE": (2400, 480, 24, 24, 1),
        "LOW": (300, 5, 1, 1, 0),
        "BC1": (100, 50, 1, 1, 0),
        "BC2": (100, 50, 1, 1, 0),
    })
    k.update(seed_skus(stack, P, {"OFF": (100, 50, 1, 1, 0)}, on_shelf=0))
    k.update(seed_skus(stack, P, {"B": (100, 50, 1, 1, 0)}, shop="shop-b"))
    stack.sql(f"UPDATE sku SET barcode = '6900000000017' WHERE code = "
              f"'{P}-A-1'; UPDATE sku SET barcode = '6900000000099' WHERE "
              f"code IN ('{P}-BC1-1', '{P}-BC2-1')")
    cid, uids = company(stack, "快速下单测试公司", 13612000000)
    yield {"sku": {n: v[0] for n, v in k.items()}, "users": uids}
    drop_companies(stack, "c.name = '快速下单测试公司'")
    drop_skus(stack, P)


@pytest.fixture
def buyer(stack, cat):
    s = bearer_session(stack, "shop-a", cat["users"][0])
    yield s
    stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = "
              f"{cat['users'][0]}")


def cart(stack, uid):
    return {int(r[0]): int(r[1]) for r in stack.sql(
        f"SELECT sku_id, qty FROM cart_item WHERE customer_user_id = {uid}")}


def preview(stack, s, text, **extra):
    return s.post(stack.url("/s/shop-a/api/v1/quick/preview"),
                  data={"text": text, **extra})


def by_line(r):
    assert "lines" in r.json()["data"], r.text
    return {l["lineno"]: l for l in r.json()["data"]["lines"]}


def test_preview_lists_every_line_with_its_status(stack, cat, buyer):
    text = ("编码\t数量\n"               # a header from Excel
            f"{P}-A-1\t3\n"
            "\n"                          # blank: no line
            f"  {P.lower()}-min-1   2  \n"  # any case, below the minimum
            "NOPE-404 5\n"                # unknown: listed
            f"{P}-LOW-1 abc\n"
            f"{P}-LOW-1 9\n"              # more than the stock
            f"6900000000017，2\n"         # barcode, full-width comma
            f"{P}-CASE-1 25\n"            # not whole cases
            f"{P}-OFF-1 1\n"
            f"{P}-B-1 1\n"                # the other shop's
            f"6900000000099 1\n"          # a barcode of two SKUs
            f"{P}-CASE-1\u300048箱\n"     # full-width space, its unit
            f"{P}-CASE-1 48件\n"          # not its unit
            f"{P}-MIN-1\n")               # no quantity
    r = preview(stack, buyer, text)
    assert r.status_code == 200, r.text
    ln = by_line(r)
    assert 1 not in ln and 3 not in ln
    assert ln[2]["status"] == "ok" and ln[2]["unit_price"] == "10.00"
    assert ln[2]["qty"] == 5 and "第 8 行" in ln[2]["note"]
    assert ln[8]["status"] == "merged" and ln[8]["merged_into"] == 2
    assert ln[4]["status"] == "qty_below_min" and "起订量为 10" in ln[4]["why"]
    assert ln[5]["status"] == "unknown_code" and ln[5]["code"] == "NOPE-404"
    assert ln[6]["status"] == "qty_invalid"
    assert ln[8]["code"] == "6900000000017"
    assert ln[7]["status"] == "out_of_stock" and "现有 5" in ln[7]["why"]
    # 25 and 48 of the SKU sold in cases of 24: summed, then checked.
    assert ln[9]["status"] == "qty_not_multiple" and ln[9]["qty"] == 73
    assert ln[10]["status"] == "sku_unavailable"
    assert ln[11]["status"] == "unknown_code"
    assert ln[12]["status"] == "ambiguous_code"
    assert ln[13]["status"] == "merged" and ln[13]["qty_text"] == "48箱"
    assert ln[14]["status"] == "unit_mismatch"
    assert ln[15]["status"] == "qty_invalid" and ln[15]["why"] == "缺少数量"
    assert r.json()["data"]["nok"] == 1 and r.json()["data"]["nbad"] == 10
    assert cart(stack, cat["users"][0]) == {}      # a preview adds nothing


def test_same_sku_twice_is_summed_and_checked_as_a_whole(stack, cat, buyer):
    r = preview(stack, buyer, f"{P}-LOW-1 3\n{P}-low-1 3\n")
    ln = by_line(r)
    assert ln[1]["status"] == "out_of_stock" and ln[1]["qty"] == 6
    assert ln[2]["status"] == "merged"


def test_add_puts_the_valid_lines_in_the_cart_and_lists_the_rest(
        stack, cat, buyer):
    uid, sku = cat["users"][0], cat["sku"]
    stack.sql(f"INSERT INTO cart_item (shop_id, customer_user_id, sku_id, "
              f"qty) VALUES ({A}, {uid}, {sku['A']}, 2)")
    r = buyer.post(stack.url("/s/shop-a/api/v1/quick"), data={
        "text": f"{P}-A-1 3\nNOPE-404 1\n{P}-CASE-1 48\n"})
    assert r.status_code == 200, r.text
    ln = by_line(r)
    assert ln[1]["added"] and ln[3]["added"] and not ln[2]["added"]
    assert ln[2]["status"] == "unknown_code"
    assert cart(stack, uid) == {sku["A"]: 5, sku["CASE"]: 48}
    # What the cart holds counts: 5 held + 1 more than the stock of 5.
    stack.sql(f"INSERT INTO cart_item (shop_id, customer_user_id, sku_id, "
              f"qty) VALUES ({A}, {uid}, {sku['LOW']}, 5)")
    r = buyer.post(stack.url("/s/shop-a/api/v1/quick"),
                   data={"text": f"{P}-LOW-1 1"})
    assert r.status_code == 400 and error_code(r) == "nothing_to_add"
    assert cart(stack, uid)[sku["LOW"]] == 5


def test_too_many_lines_and_empty_text_are_refused(stack, cat, buyer):
    r = preview(stack, buyer, "".join(f"X{i} 1\n" for i in range(501)))
    assert r.status_code == 400 and error_code(r) == "too_many_lines"
    r = preview(stack, buyer, "\n \n# 备注\n")
    assert r.status_code == 400 and error_code(r) == "empty"
    r = preview(stack, buyer, "x" * (64 * 1024 + 1))
    assert r.status_code == 400 and error_code(r) == "too_large"


def test_page_previews_adds_and_keeps_what_is_left(stack, cat):
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    uid = one(stack, f"SELECT id FROM customer_user WHERE phone = "
              f"'{stack.buyer_phone}' AND shop_id = {A}")
    try:
        r = s.get(stack.url("/s/shop-a/quick"))
        assert r.status_code == 200 and "快速下单" in r.text
        tok = csrf_of(r.text)
        r = s.post(stack.url("/s/shop-a/quick/preview"), data={
            "csrf": tok, "text": f"{P}-A-1\t2\nNOPE-404\t1"})
        assert r.status_code == 200
        assert "¥10.00" in r.text and "没有这个商品编码或条码" in r.text
        assert "NOPE-404" in r.text
        r = s.post(stack.url("/s/shop-a/quick"), data={
            "csrf": tok, "text": f"{P}-A-1\t2\nNOPE-404\t1"})
        assert r.status_code == 200 and "已加入进货单 1 种" in r.text
        # The line left to fix stays in the box; the added one leaves it.
        box = r.text.split('name="text"')[1].split("</textarea>")[0]
        assert "NOPE-404" in box and f"{P}-A-1" not in box
        assert cart(stack, uid) == {cat["sku"]["A"]: 2}
        r = s.post(stack.url("/s/shop-a/quick"), data={
            "csrf": tok, "text": f"{P}-A-1 1"}, allow_redirects=False)
        assert r.status_code == 303 and "/cart?added=1" in r.headers[
            "Location"]
        assert cart(stack, uid) == {cat["sku"]["A"]: 3}
    finally:
        stack.sql(f"DELETE FROM cart_item WHERE customer_user_id = {uid}")


# -- bulk order by file ---------------------------------------------------

def upload(stack, s, data, name, **extra):
    return s.post(stack.url("/s/shop-a/api/v1/quick/file"), data=extra,
                  files={"file": (name, data, "application/octet-stream")})


def test_csv_in_gbk_with_header_and_other_columns(stack, cat, buyer):
    text = ("名称,数量,商品编码\r\n"
            f"甲,3,{P}-A-1\r\n"
            ",,\r\n"
            f"乙,二十,{P}-LOW-1\r\n"
            "丙,1,NOPE-404\r\n"
            f"丁,20.0,{P}-MIN-1\r\n")
    r = upload(stack, buyer, text.encode("gbk"), "订单.csv")
    assert r.status_code == 200, r.text
    ln = by_line(r)
    assert sorted(ln) == [2, 4, 5, 6]
    assert ln[2]["status"] == "ok" and ln[2]["qty"] == 3
    assert ln[4]["status"] == "qty_invalid"
    assert ln[5]["status"] == "unknown_code"
    assert ln[6]["status"] == "ok" and ln[6]["qty"] == 20
    assert cart(stack, cat["users"][0]) == {}


def test_xlsx_rows_are_numbered_as_excel_shows_them(stack, cat, buyer):
    from test_import_xlsx import Num, make_xlsx
    book = make_xlsx([("订单", {1: [f"{P}-A-1", Num(2)],    # no header
                                3: ["6900000000017", Num(4)],
                                4: [f"{P}-CASE-1", Num(30)],
                                5: [None, Num(1)]})])
    r = upload(stack, buyer, book, "订单.xlsx", add="1")
    assert r.status_code == 200, r.text
    ln = by_line(r)
    assert ln[1]["added"] and ln[1]["qty"] == 6      # with row 3's
    assert ln[3]["status"] == "merged"
    assert ln[4]["status"] == "qty_not_multiple" and not ln[4]["added"]
    assert ln[5]["status"] == "code_missing"
    assert cart(stack, cat["users"][0]) == {cat["sku"]["A"]: 6}


def test_unreadable_files_are_refused(stack, cat, buyer):
    r = upload(stack, buyer, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
               "old.xls")
    assert r.status_code == 400 and error_code(r) == "bad_file"
    r = upload(stack, buyer, b"PK\x03\x04broken", "x.xlsx")
    assert r.status_code == 400 and error_code(r) == "bad_file"
    r = upload(stack, buyer, b"", "empty.csv")
    assert r.status_code == 400 and error_code(r) == "empty"


def test_a_full_cart_takes_only_lines_that_fit(stack, cat, buyer):
    uid = cat["users"][0]
    # 99 lines held: room for one more; the line that cannot be ordered
    # (below its minimum) takes none of it.
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description, on_shelf)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
  WHERE i < 99) SELECT {A}, CONCAT('{P}-F', i), '满', '件', '', 1 FROM n;
INSERT INTO sku (shop_id, product_id, code, unit, stock, price_fen)
  SELECT shop_id, id, CONCAT(code, '-1'), '件', 10, 100 FROM product
  WHERE code LIKE '{P}-F%';
INSERT INTO cart_item (shop_id, customer_user_id, sku_id, qty)
  SELECT shop_id, {uid}, id, 1 FROM sku WHERE code LIKE '{P}-F%';
""")
    r = buyer.post(stack.url("/s/shop-a/api/v1/quick"), data={
        "text": f"{P}-MIN-1 1\n{P}-A-1 1\n{P}-LOW-1 1\n"})
    assert r.status_code == 200, r.text
    ln = by_line(r)
    assert ln[1]["status"] == "qty_below_min"
    assert ln[2]["added"]
    assert ln[3]["status"] == "cart_full" and not ln[3]["added"]
    assert len(cart(stack, uid)) == 100
