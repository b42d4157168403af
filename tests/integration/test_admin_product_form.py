"""The product form as a shop owner fills it on a phone (issue 9): tiers
and SKUs as rows that can be added and removed without JavaScript and
without saving, the unit as a placeholder, images uploaded with the form
so nothing typed is lost, 下架 with 撤销, and contract prices picked from
a SKU search, never 0.

Everything goes through nginx as a browser without JavaScript would send
it. What the module makes is named PF-... and removed at the end."""

import html
import re
import struct
import zlib
from urllib.parse import urlsplit, parse_qs

import pytest

from helpers import csrf_of, get_csrf

A = "/s/shop-a"
SHOP = "(SELECT id FROM shop WHERE slug = 'shop-a')"
SHOP_B = "(SELECT id FROM shop WHERE slug = 'shop-b')"


def png(width, height):
    """A small real RGB PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\x00" + b"".join(bytes((x * 7 % 256, y * 5 % 256, 90))
                                       for x in range(width))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                       0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def form(csrf, code, name, skus, **fields):
    """The product form as posted; a SKU's "tier_rows" is a list of
    (qty, price) rows, "spec_rows" of (name, value) rows, its other keys
    are sku_<key>[i]."""
    data = {"csrf": csrf, "code": code, "name": name, "unit": "",
            "category_id": "0", "on_shelf": "1", "visible_ordering": "1",
            "visible_wholesale": "1", "visible_retail": "1", "sort": "0",
            "description": ""}
    data.update(fields)
    for i, sku in enumerate(skus):
        for key, value in sku.items():
            if key == "tier_rows":
                for k, (q, p) in enumerate(value):
                    data[f"sku_tier_qty[{i}][{k}]"] = q
                    data[f"sku_tier_price[{i}][{k}]"] = p
            elif key == "spec_rows":
                for k, (n, v) in enumerate(value):
                    data[f"sku_spec_name[{i}][{k}]"] = n
                    data[f"sku_spec_value[{i}][{k}]"] = v
            else:
                data[f"sku_{key}[{i}]"] = value
    return {k: v for k, v in data.items() if v is not None}


def multipart(data):
    return {k: (None, v) for k, v in data.items()}


def pid_of(stack, code):
    rows = stack.sql(f"SELECT id FROM product WHERE code = '{code}' "
                     f"AND shop_id = {SHOP}")
    return int(rows[0][0]) if rows else None


def tiers_of(stack, pid):
    return stack.sql(f"SELECT s.code, t.min_qty, t.price_fen FROM price_tier t "
                     f"JOIN sku s ON s.id = t.sku_id WHERE s.product_id = "
                     f"{pid} ORDER BY s.sort, t.min_qty")


def value_of(text, name):
    m = re.search(r'name="' + re.escape(name) + r'" value="([^"]*)"', text)
    return html.unescape(m.group(1)) if m else None


def sku_ids(text):
    return dict(re.findall(r'name="sku_id\[(\d+)\]" value="(\d+)"', text))


@pytest.fixture(scope="module")
def owner(stack):
    yield stack.login(stack.owner_phone, stack.password, "shop-a",
                      staff=True)
    stack.sql("""
DELETE cp FROM contract_price cp JOIN customer c ON c.id = cp.customer_id
  WHERE c.name LIKE 'PF测试%';
DELETE FROM customer WHERE name LIKE 'PF测试%';
DELETE FROM product WHERE code LIKE 'PF-%';
UPDATE shop SET version = version + 1;
""")


def post(stack, s, path, data, **kw):
    return s.post(stack.url(A + path), data=data, allow_redirects=False,
                  **kw)


def create(stack, s, code, skus, **fields):
    csrf = get_csrf(stack, s, f"{A}/admin/products/new")
    r = post(stack, s, "/admin/products", form(csrf, code, "表单品 " + code,
                                               skus, **fields))
    assert r.status_code == 303, r.text[:3000]
    return pid_of(stack, code)


# -- 1. tiers as rows ----------------------------------------------------

def test_tiers_as_rows_in_any_order(stack, owner):
    """Tier rows are read in any order, blanks skipped; the page shows
    them as rows of number inputs again, and the text beside them."""
    pid = create(stack, owner, "PF-TR", [
        {"code": "PF-TR-1", "price": "12.00",
         "tier_rows": [("50", "10"), ("", ""), ("10", "11.50")]},
        {"code": "PF-TR-2", "price": "12345.60",
         "tier_rows": [("10", "1234.50")]}])
    assert tiers_of(stack, pid) == [("PF-TR-1", "10", "1150"),
                                    ("PF-TR-1", "50", "1000"),
                                    ("PF-TR-2", "10", "123450")]
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    assert re.search(r'<input type="number" name="sku_tier_qty\[0\]\[0\]" '
                     r'value="10"', page)
    assert value_of(page, "sku_tier_price[0][0]") == "11.50"
    assert value_of(page, "sku_tier_qty[0][1]") == "50"
    # One blank row to type a tier more into, and the text shortcut.
    assert value_of(page, "sku_tier_qty[0][2]") == ""
    assert 'name="sku_tier_qty[0][3]"' not in page
    assert value_of(page, "sku_tiers[0]") == "10:11.50;50:10.00"
    assert value_of(page, "sku_tiers_was[0]") == "10:11.50;50:10.00"
    assert "文本输入" in page
    # Inputs hold plain numbers, whatever the page shows money as.
    assert value_of(page, "sku_price[1]") == "12345.60"
    assert value_of(page, "sku_tier_price[1][0]") == "1234.50"


def test_rows_win_unless_the_text_was_changed(stack, owner):
    pid = create(stack, owner, "PF-TW", [
        {"code": "PF-TW-1", "price": "20", "tier_rows": [("10", "18")]}])
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    sid = sku_ids(page)["0"]
    base = {"id": sid, "code": "PF-TW-1", "price": "20",
            "tiers_was": "10:18.00"}
    # The rows changed, the text as shown: the rows.
    r = post(stack, owner, f"/admin/products/{pid}", form(
        csrf_of(page), "PF-TW", "改行", [dict(base, tiers="10:18.00",
                                           tier_rows=[("10", "17"),
                                                      ("30", "16")])]))
    assert r.status_code == 303, r.text[:2000]
    assert tiers_of(stack, pid) == [("PF-TW-1", "10", "1700"),
                                    ("PF-TW-1", "30", "1600")]
    # The text typed over: the text, whatever the rows say.
    r = post(stack, owner, f"/admin/products/{pid}", form(
        csrf_of(page), "PF-TW", "改文本", [dict(base, tiers="5：19；100:15",
                                             tier_rows=[("10", "17")])]))
    assert r.status_code == 303, r.text[:2000]
    assert tiers_of(stack, pid) == [("PF-TW-1", "5", "1900"),
                                    ("PF-TW-1", "100", "1500")]
    # The text cleared: no tiers.
    r = post(stack, owner, f"/admin/products/{pid}", form(
        csrf_of(page), "PF-TW", "清空", [dict(base, tiers="",
                                           tiers_was="5:19.00;100:15.00",
                                           tier_rows=[("5", "19")])]))
    assert r.status_code == 303
    assert tiers_of(stack, pid) == []


def test_a_bad_tier_row_is_named_next_to_it(stack, owner):
    csrf = get_csrf(stack, owner, f"{A}/admin/products/new")
    r = post(stack, owner, "/admin/products", form(csrf, "PF-TB", "坏档", [
        {"code": "PF-TB-1", "price": "9",
         "tier_rows": [("10", "8"), ("abc", "7"), ("10", "6"), ("20", "")]}]))
    assert r.status_code == 400
    for text in ("规格 1 阶梯价第 2 档：数量“abc”应为正整数",
                 "规格 1 阶梯价第 3 档：与第 1 档的数量相同",
                 "规格 1 阶梯价第 4 档：请填写单价"):
        assert text in r.text, text
    # In the row itself, with what was typed.
    row = re.search(r'<li class="tier-row bad">(?:(?!</li>).)*'
                    r'name="sku_tier_qty\[0\]\[1\]" value="abc"'
                    r'(?:(?!</li>).)*</li>', r.text, re.S)
    assert row and "数量“abc”应为正整数" in row.group(0), r.text[:3000]
    assert pid_of(stack, "PF-TB") is None
    # JSON clients get the row's field.
    r = owner.post(stack.url(f"{A}/admin/products"),
                   headers={"Accept": "application/json"},
                   data=form(csrf, "PF-TB", "坏档", [
                       {"code": "PF-TB-1", "price": "9",
                        "tier_rows": [("1", "x")]}]))
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"sku_tier[0][0]"}


def test_tier_rows_are_added_and_removed_without_javascript(stack, owner):
    """“＋ 加一档” and “删除” are submit buttons: the form comes back as
    typed with a row more or less, and nothing is saved."""
    pid = create(stack, owner, "PF-TJ", [
        {"code": "PF-TJ-1", "price": "5", "tier_rows": [("10", "4")]}])
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    assert 'name="op" value="add_tier:0"' in page
    assert 'name="op" value="del_tier:0:0"' in page
    sid = sku_ids(page)["0"]
    typed = form(csrf_of(page), "PF-TJ", "没保存的名字", [
        {"id": sid, "code": "PF-TJ-1", "price": "5",
         "tiers": "10:4.00", "tiers_was": "10:4.00",
         "tier_rows": [("10", "4"), ("20", "3.5")]}], op="add_tier:0")
    r = post(stack, owner, f"/admin/products/{pid}", multipart(typed))
    assert r.status_code == 200, r.text[:2000]
    assert "还没有保存" in r.text
    assert value_of(r.text, "name") == "没保存的名字"
    assert value_of(r.text, "sku_tier_qty[0][1]") == "20"
    assert value_of(r.text, "sku_tier_price[0][1]") == "3.50"
    assert value_of(r.text, "sku_tier_qty[0][2]") == ""   # the new row
    assert stack.sql(f"SELECT name FROM product WHERE id = {pid}") == [
        ("表单品 PF-TJ",)]
    # Removing the first row leaves the second, typed, as the first.
    typed["op"] = "del_tier:0:0"
    r = post(stack, owner, f"/admin/products/{pid}", typed)
    assert r.status_code == 200
    assert value_of(r.text, "sku_tier_qty[0][0]") == "20"
    assert tiers_of(stack, pid) == [("PF-TJ-1", "10", "400")]
    # Half-typed rows are not judged until the form is saved.
    typed.update({"op": "add_tier:0", "sku_code[0]": ""})
    r = post(stack, owner, f"/admin/products/{pid}", typed)
    assert r.status_code == 200 and "field-error" not in r.text


def specs_of(stack, pid):
    return stack.sql(f"SELECT code, spec FROM sku WHERE product_id = {pid} "
                     f"ORDER BY sort")


def test_spec_values_as_rows(stack, owner):
    """Spec values are rows of a name and a value, blanks skipped, kept in
    the order typed; the page shows them as rows again with the text."""
    pid = create(stack, owner, "PF-SR", [
        {"code": "PF-SR-1", "price": "3",
         "spec_rows": [("颜色", "红"), ("", ""), (" 尺码 ", " L ")]},
        {"code": "PF-SR-2", "price": "3", "spec_rows": [("", "500ml")]}])
    assert specs_of(stack, pid) == [("PF-SR-1", "颜色:红;尺码:L"),
                                    ("PF-SR-2", "500ml")]
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    assert value_of(page, "sku_spec_name[0][0]") == "颜色"
    assert value_of(page, "sku_spec_value[0][0]") == "红"
    assert value_of(page, "sku_spec_name[0][1]") == "尺码"
    assert value_of(page, "sku_spec_value[0][1]") == "L"
    # One blank row to type into, and the text shortcut.
    assert value_of(page, "sku_spec_name[0][2]") == ""
    assert 'name="sku_spec_name[0][3]"' not in page
    assert value_of(page, "sku_spec[0]") == "颜色:红;尺码:L"
    assert value_of(page, "sku_spec_was[0]") == "颜色:红;尺码:L"
    assert value_of(page, "sku_spec_name[1][0]") == ""
    assert value_of(page, "sku_spec_value[1][0]") == "500ml"
    # The blank SKU admin-catalog.js copies has its spec rows too.
    assert 'name="sku_spec_name[__I__][0]"' in page


def test_spec_rows_win_unless_the_text_was_changed(stack, owner):
    pid = create(stack, owner, "PF-SW", [
        {"code": "PF-SW-1", "price": "20", "spec_rows": [("色", "红")]}])
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    sid = sku_ids(page)["0"]
    base = {"id": sid, "code": "PF-SW-1", "price": "20", "spec_was": "色:红"}
    # The rows changed, the text as shown: the rows.
    r = post(stack, owner, f"/admin/products/{pid}", form(
        csrf_of(page), "PF-SW", "改行", [dict(base, spec="色:红",
                                           spec_rows=[("色", "蓝"),
                                                      ("码", "XL")])]))
    assert r.status_code == 303, r.text[:2000]
    assert specs_of(stack, pid) == [("PF-SW-1", "色:蓝;码:XL")]
    # The text typed over (full-width signs too): the text.
    r = post(stack, owner, f"/admin/products/{pid}", form(
        csrf_of(page), "PF-SW", "改文本", [dict(base, spec="口味：原味；净含量:1L",
                                             spec_rows=[("色", "蓝")])]))
    assert r.status_code == 303, r.text[:2000]
    assert specs_of(stack, pid) == [("PF-SW-1", "口味:原味;净含量:1L")]
    # The text cleared: no spec values.
    r = post(stack, owner, f"/admin/products/{pid}", form(
        csrf_of(page), "PF-SW", "清空", [dict(base, spec="",
                                           spec_was="口味:原味;净含量:1L",
                                           spec_rows=[("口味", "原味")])]))
    assert r.status_code == 303
    assert specs_of(stack, pid) == [("PF-SW-1", "")]


def test_a_bad_spec_row_is_named_next_to_it(stack, owner):
    csrf = get_csrf(stack, owner, f"{A}/admin/products/new")
    r = post(stack, owner, "/admin/products", form(csrf, "PF-SB", "坏规格", [
        {"code": "PF-SB-1", "price": "9",
         "spec_rows": [("颜色", "红"), ("颜色", "蓝"), ("尺码", "")]}]))
    assert r.status_code == 400
    for text in ("规格 1 规格值第 2 行：与第 1 行的名称相同",
                 "规格 1 规格值第 3 行：请填写规格值"):
        assert text in r.text, text
    row = re.search(r'<li class="tier-row spec-row bad">(?:(?!</li>).)*'
                    r'name="sku_spec_value\[0\]\[1\]" value="蓝"'
                    r'(?:(?!</li>).)*</li>', r.text, re.S)
    assert row and "与第 1 行的名称相同" in row.group(0), r.text[:3000]
    assert pid_of(stack, "PF-SB") is None
    r = owner.post(stack.url(f"{A}/admin/products"),
                   headers={"Accept": "application/json"},
                   data=form(csrf, "PF-SB", "坏规格", [
                       {"code": "PF-SB-1", "price": "9",
                        "spec_rows": [("a;b", "1")]}]))
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"sku_spec_row[0][0]"}


def test_spec_rows_are_added_and_removed_without_javascript(stack, owner):
    pid = create(stack, owner, "PF-SJ", [
        {"code": "PF-SJ-1", "price": "5", "spec_rows": [("色", "红")]}])
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    assert 'name="op" value="add_spec:0"' in page
    assert 'name="op" value="del_spec:0:0"' in page
    sid = sku_ids(page)["0"]
    typed = form(csrf_of(page), "PF-SJ", "没保存的名字", [
        {"id": sid, "code": "PF-SJ-1", "price": "5", "spec": "色:红",
         "spec_was": "色:红", "spec_rows": [("色", "红"), ("码", "M")]}],
        op="add_spec:0")
    r = post(stack, owner, f"/admin/products/{pid}", typed)
    assert r.status_code == 200, r.text[:2000]
    assert "还没有保存" in r.text
    assert value_of(r.text, "sku_spec_name[0][1]") == "码"
    assert value_of(r.text, "sku_spec_value[0][1]") == "M"
    assert value_of(r.text, "sku_spec_name[0][2]") == ""   # the new row
    assert value_of(r.text, "sku_spec[0]") == "色:红;码:M"
    typed["op"] = "del_spec:0:0"
    r = post(stack, owner, f"/admin/products/{pid}", typed)
    assert r.status_code == 200
    assert value_of(r.text, "sku_spec_name[0][0]") == "码"
    assert specs_of(stack, pid) == [("PF-SJ-1", "色:红")]
    # Saved from there: the row left.
    page2 = r.text
    del typed["op"]
    typed.pop("sku_spec_name[0][1]")
    typed.pop("sku_spec_value[0][1]")
    typed.update({"sku_spec_name[0][0]": "码", "sku_spec_value[0][0]": "M",
                  "csrf": csrf_of(page2)})
    r = post(stack, owner, f"/admin/products/{pid}", typed)
    assert r.status_code == 303, r.text[:2000]
    assert specs_of(stack, pid) == [("PF-SJ-1", "码:M")]


# -- 2. any number of SKUs before the first save -------------------------

def test_skus_are_added_without_saving_first(stack, owner):
    page = owner.get(stack.url(f"{A}/admin/products/new")).text
    # One row to start with; a button for more, and a blank row that
    # admin-catalog.js copies.
    assert 'name="sku_code[0]"' in page and 'name="sku_code[1]"' not in page
    assert 'name="op" value="add_sku"' in page
    assert '<template id="sku-template">' in page
    assert 'name="sku_code[__I__]"' in page
    typed = form(csrf_of(page), "PF-NEW", "新品", [
        {"code": "PF-NEW-1", "price": "3", "spec": "色:红"}], op="add_sku")
    r = post(stack, owner, "/admin/products", typed)
    assert r.status_code == 200, r.text[:2000]
    assert value_of(r.text, "sku_spec[0]") == "色:红"
    assert value_of(r.text, "sku_code[1]") == ""
    assert pid_of(stack, "PF-NEW") is None
    typed.update({"sku_code[1]": "PF-NEW-2", "sku_price[1]": "4"})
    r = post(stack, owner, "/admin/products", typed)
    assert r.status_code == 200 and value_of(r.text, "sku_code[2]") == ""
    typed.update({"sku_code[2]": "PF-NEW-3", "sku_price[2]": "5"})
    del typed["op"]
    r = post(stack, owner, "/admin/products", typed)
    assert r.status_code == 303, r.text[:2000]
    pid = pid_of(stack, "PF-NEW")
    assert stack.sql(f"SELECT code FROM sku WHERE product_id = {pid} "
                     f"ORDER BY sort") == [("PF-NEW-1",), ("PF-NEW-2",),
                                           ("PF-NEW-3",)]
    # A stored product shows its SKUs, no blank one, and the same button.
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    assert 'name="sku_code[3]"' not in page
    assert 'name="op" value="add_sku"' in page
    # A new row that is not wanted goes again.
    typed = form(csrf_of(page), "PF-NEW", "新品", [
        {"code": "PF-NEW-9", "price": "1"}], op="del_sku:0")
    r = post(stack, owner, "/admin/products", typed)
    assert r.status_code == 200 and value_of(r.text, "sku_code[0]") == ""


def test_enter_saves_rather_than_adding_a_row(stack, owner):
    """A browser submits with the first submit button on Enter: it is
    保存, not a row's button."""
    page = owner.get(stack.url(f"{A}/admin/products/new")).text
    form_html = page[page.index('class="product-form"'):]
    first = re.search(r"<button[^>]*>", form_html).group(0)
    assert 'name="op"' not in first and 'name="image_delete"' not in first


# -- 3. the unit -----------------------------------------------------------

def test_unit_is_a_placeholder_and_skus_follow_it(stack, owner):
    page = owner.get(stack.url(f"{A}/admin/products/new")).text
    assert re.search(r'<input id="unit" name="unit" value="" [^>]*'
                     r'placeholder="件"', page)
    assert re.search(r'<input id="sort" name="sort" value="" [^>]*'
                     r'placeholder="0"', page)
    pid = create(stack, owner, "PF-UN", [
        {"code": "PF-UN-1", "price": "1", "unit": ""},
        {"code": "PF-UN-2", "price": "1", "unit": "箱"}], unit="")
    assert stack.sql(f"SELECT unit FROM product WHERE id = {pid}") == [
        ("件",)]
    assert stack.sql(f"SELECT code, unit FROM sku WHERE product_id = {pid} "
                     f"ORDER BY sort") == [("PF-UN-1", "件"),
                                           ("PF-UN-2", "箱")]
    # The SKU that has the product's unit shows it as the placeholder.
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    assert re.search(r'name="sku_unit\[0\]" value="" maxlength="10" '
                     r'placeholder="件"', page), page
    assert value_of(page, "sku_unit[1]") == "箱"
    # The product's unit changes: the SKU without its own follows.
    ids = sku_ids(page)
    r = post(stack, owner, f"/admin/products/{pid}", form(
        csrf_of(page), "PF-UN", "换单位", [
            {"id": ids["0"], "code": "PF-UN-1", "price": "1", "unit": ""},
            {"id": ids["1"], "code": "PF-UN-2", "price": "1",
             "unit": "箱"}], unit="盒"))
    assert r.status_code == 303
    assert stack.sql(f"SELECT code, unit FROM sku WHERE product_id = {pid} "
                     f"ORDER BY sort") == [("PF-UN-1", "盒"),
                                           ("PF-UN-2", "箱")]
    # A form that fails keeps the empty unit empty, not "件".
    r = post(stack, owner, "/admin/products", form(
        csrf_of(page), "PF-UN2", "", [{"code": "PF-UN2-1", "price": "1"}]))
    assert r.status_code == 400
    assert re.search(r'<input id="unit" name="unit" value=""', r.text)


# -- 4. images with the form -----------------------------------------------

def test_upload_saves_what_was_typed_with_the_image(stack, owner):
    pid = create(stack, owner, "PF-IM", [{"code": "PF-IM-1", "price": "1"}])
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    # The file input is the product form's: one multipart form.
    m = re.search(r'<form method="post" action="([^"]+)" '
                  r'class="product-form" enctype="multipart/form-data"', page)
    assert m and m.group(1) == f"{A}/admin/products/{pid}"
    start = page.index('class="product-form"')
    assert page.index('name="image"', start) < page.index("</form>", start)
    ids = sku_ids(page)
    typed = form(csrf_of(page), "PF-IM", "上传前改的名字", [
        {"id": ids["0"], "code": "PF-IM-1", "price": "2.50"}])
    r = owner.post(stack.url(f"{A}/admin/products/{pid}"),
                   data=typed, allow_redirects=False,
                   files={"image": ("a.png", png(30, 20), "image/png")})
    assert r.status_code == 303, r.text[:2000]
    assert r.headers["Location"].endswith(f"/admin/products/{pid}"
                                          "?done=saved&img=added#images")
    page = owner.get(stack.url(f"{A}/admin/products/{pid}?done=saved&"
                               "img=added")).text
    assert "图片已上传，商品已保存" in page[page.index('id="images"'):]
    assert stack.sql(f"SELECT name FROM product WHERE id = {pid}") == [
        ("上传前改的名字",)]
    assert stack.sql(f"SELECT price_fen FROM sku WHERE product_id = {pid}"
                     ) == [("250",)]
    assert stack.sql(f"SELECT COUNT(*) FROM product_image WHERE "
                     f"product_id = {pid}") == [("1",)]
    # A form with a mistake: the image is stored all the same, what was
    # typed is shown again, nothing else is saved.
    typed.update({"name": "有错的名字", "sku_price[0]": "abc"})
    r = owner.post(stack.url(f"{A}/admin/products/{pid}"), data=typed,
                   allow_redirects=False,
                   files={"image": ("b.png", png(20, 20), "image/png")})
    assert r.status_code == 400
    assert value_of(r.text, "name") == "有错的名字"
    assert "已上传 1 张图片" in r.text
    assert stack.sql(f"SELECT COUNT(*) FROM product_image WHERE "
                     f"product_id = {pid}") == [("2",)]
    assert stack.sql(f"SELECT name FROM product WHERE id = {pid}") == [
        ("上传前改的名字",)]
    # A refused image: the rest is saved, and the page says so.
    typed.update({"name": "图片坏了也保存", "sku_price[0]": "3"})
    r = owner.post(stack.url(f"{A}/admin/products/{pid}"), data=typed,
                   allow_redirects=False,
                   files={"image": ("c.png", b"not an image", "image/png")})
    assert r.status_code == 415
    assert "商品已保存，但图片没有上传" in r.text
    assert stack.sql(f"SELECT name FROM product WHERE id = {pid}") == [
        ("图片坏了也保存",)]
    # The delete buttons are the form's too: the edits are saved with it.
    iid = stack.sql(f"SELECT MIN(id) FROM product_image WHERE "
                    f"product_id = {pid}")[0][0]
    page = owner.get(stack.url(f"{A}/admin/products/{pid}")).text
    assert f'name="image_delete" value="{iid}"' in page
    typed.update({"name": "删图时改的名字", "image_delete": iid})
    r = post(stack, owner, f"/admin/products/{pid}", multipart(typed))
    assert r.status_code == 303
    assert r.headers["Location"].endswith("&img=deleted#images")
    assert stack.sql(f"SELECT name FROM product WHERE id = {pid}") == [
        ("删图时改的名字",)]
    assert stack.sql(f"SELECT COUNT(*) FROM product_image WHERE id = {iid}"
                     ) == [("0",)]


def test_new_product_is_created_with_its_images(stack, owner):
    csrf = get_csrf(stack, owner, f"{A}/admin/products/new")
    typed = form(csrf, "PF-IN", "带图新品", [{"code": "PF-IN-1",
                                            "price": "1"}])
    r = owner.post(stack.url(f"{A}/admin/products"), data=typed,
                   allow_redirects=False,
                   files=[("image", ("a.png", png(10, 10), "image/png")),
                          ("image", ("b.png", png(12, 10), "image/png"))])
    assert r.status_code == 303, r.text[:2000]
    pid = pid_of(stack, "PF-IN")
    assert stack.sql(f"SELECT width FROM product_image WHERE product_id = "
                     f"{pid} ORDER BY sort, id") == [("10",), ("12",)]
    # A new product that fails cannot hold an image yet: it says so.
    typed.update({"code": "PF-IN2", "sku_code[0]": "PF-IN2-1",
                  "name": ""})
    r = owner.post(stack.url(f"{A}/admin/products"), data=typed,
                   allow_redirects=False,
                   files={"image": ("a.png", png(10, 10), "image/png")})
    assert r.status_code == 400 and "图片没有上传" in r.text
    assert value_of(r.text, "code") == "PF-IN2"


# -- 5. 下架 with 撤销 ----------------------------------------------------

def test_take_off_sale_from_the_list_offers_undo(stack, owner):
    pid = create(stack, owner, "PF-SH", [{"code": "PF-SH-1", "price": "1"}])
    page = owner.get(stack.url(f"{A}/admin/products?q=PF-SH")).text
    # The list's button says what it does: a second tap changes nothing.
    m = re.search(rf'action="{A}/admin/products/{pid}/shelf" class="inline">'
                  r'.*?name="on_shelf" value="(\d)".*?name="back" '
                  r'value="([^"]*)"', page, re.S)
    assert m and m.group(1) == "0", page
    back = html.unescape(m.group(2))
    for _ in range(2):
        r = post(stack, owner, f"/admin/products/{pid}/shelf",
                 {"csrf": csrf_of(page), "on_shelf": "0", "back": back})
        assert r.status_code == 303
        assert stack.sql(f"SELECT on_shelf FROM product WHERE id = {pid}"
                         ) == [("0",)]
    loc = r.headers["Location"]
    assert parse_qs(urlsplit(loc).query)["unshelved"] == [str(pid)]
    page = owner.get(stack.url(urlsplit(loc).path + "?" +
                               urlsplit(loc).query)).text
    assert "已下架“表单品 PF-SH”" in page
    undo = re.search(r'<div class="flash undo" role="status">.*?</div>',
                     page, re.S).group(0)
    assert f'action="{A}/admin/products/{pid}/shelf"' in undo
    assert 'name="on_shelf" value="1"' in undo and ">撤销</button>" in undo
    r = post(stack, owner, f"/admin/products/{pid}/shelf",
             {"csrf": csrf_of(page), "on_shelf": "1",
              "back": value_of(undo, "back")})
    assert r.status_code == 303
    assert stack.sql(f"SELECT on_shelf FROM product WHERE id = {pid}") == [
        ("1",)]
    assert parse_qs(urlsplit(r.headers["Location"]).query)["shelved"] == [
        str(pid)]
    page = owner.get(stack.url(urlsplit(r.headers["Location"]).path + "?" +
                               urlsplit(r.headers["Location"]).query)).text
    assert "已重新上架" in page and ">撤销</button>" not in page
    # An old link says nothing once it is no longer so.
    page = owner.get(stack.url(f"{A}/admin/products?unshelved={pid}")).text
    assert "已下架“" not in page


# -- 6. contract prices ----------------------------------------------------

@pytest.fixture(scope="module")
def company(stack, owner):
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({SHOP}, 'PF-CP', '合同测试乌龙', '盒', '');
INSERT INTO sku (shop_id, product_id, code, barcode, spec, price_fen)
  VALUES ({SHOP}, LAST_INSERT_ID(), 'PF-CP-1', '6909990001', '罐装', 5000);
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({SHOP_B}, 'PF-CPB', '合同测试乌龙乙', '盒', '');
INSERT INTO sku (shop_id, product_id, code, price_fen)
  VALUES ({SHOP_B}, LAST_INSERT_ID(), 'PF-CPB-1', 100);
INSERT INTO customer (shop_id, name) VALUES ({SHOP}, 'PF测试合同');
INSERT INTO customer (shop_id, name) VALUES ({SHOP_B}, 'PF测试乙店');
UPDATE shop SET version = version + 1;
""")
    cid = stack.sql("SELECT id FROM customer WHERE name = 'PF测试合同'")[0][0]
    yield cid
    stack.sql("DELETE FROM product WHERE code IN ('PF-CP', 'PF-CPB')")


def test_contract_price_is_picked_from_a_sku_search(stack, owner, company):
    page = owner.get(stack.url(f"{A}/admin/customers/{company}")).text
    pick = f"{A}/admin/customers/{company}/prices/pick"
    assert f'<form method="get" action="{pick}"' in page
    # Part of a name, a code or a barcode finds it; another shop's not.
    for q in ("乌龙", "pf-cp-", "6909990"):
        r = owner.get(stack.url(pick), params={"q": q})
        assert r.status_code == 200, (q, r.text[:500])
        assert "PF-CP-1" in r.text and "PF-CPB-1" not in r.text, q
    d = owner.get(stack.url(pick), params={"q": "乌龙"},
                  headers={"Accept": "application/json"}).json()["data"]
    assert [(s["code"], s["product"], s["price_fen"]) for s in d["skus"]] \
        == [("PF-CP-1", "合同测试乌龙", 5000)]
    # 选择 fills the add form with it.
    r = owner.get(stack.url(pick), params={"q": "乌龙"})
    link = html.unescape(re.search(r'href="([^"]+)">选择</a>',
                                   r.text).group(1))
    r = owner.get(stack.url(link.split("#")[0]))
    assert r.status_code == 200
    add = r.text[r.text.index('id="add"'):]
    assert f'action="{A}/admin/customers/{company}/prices#contracts"' in add
    assert 'name="sku_code" value="PF-CP-1"' in add
    r = post(stack, owner, f"/admin/customers/{company}/prices",
             {"csrf": csrf_of(r.text), "sku_code": "PF-CP-1",
              "price": "45.00"})
    assert r.status_code == 303
    assert r.headers["Location"].endswith("#contracts")
    assert stack.sql(f"SELECT price_fen FROM contract_price WHERE "
                     f"customer_id = {company}") == [("4500",)]
    # Chosen again, the form shows the price it has.
    r = owner.get(stack.url(pick), params={"sku_code": "PF-CP-1"})
    assert 'value="45.00"' in r.text and "已有这个 SKU 的合同价" in r.text
    # Another shop's company is not found; finance may not write.
    b = stack.sql("SELECT id FROM customer WHERE name = 'PF测试乙店'")[0][0]
    assert owner.get(stack.url(f"{A}/admin/customers/{b}/prices/pick")
                     ).status_code == 404


def test_contract_price_must_be_above_zero(stack, owner, company):
    csrf = get_csrf(stack, owner, f"{A}/admin/customers/{company}")
    for price in ("0", "0.00"):
        r = post(stack, owner, f"/admin/customers/{company}/prices",
                 {"csrf": csrf, "sku_code": "PF-CP-1", "price": price})
        assert r.status_code == 400, price
        assert "合同价：应大于 0 元" in r.text
    r = owner.post(stack.url(f"{A}/admin/customers/{company}/prices"),
                   headers={"Accept": "application/json"},
                   data={"csrf": csrf, "sku_code": "PF-CP-1", "price": "0"})
    assert r.status_code == 400
    assert r.json()["error"]["fields"] == {"price": "应大于 0 元"}
    sid = stack.sql("SELECT id FROM sku WHERE code = 'PF-CP-1'")[0][0]
    stack.sql(f"INSERT INTO contract_price (shop_id, customer_id, sku_id, "
              f"price_fen) VALUES ({SHOP}, {company}, {sid}, 3000) "
              f"ON DUPLICATE KEY UPDATE price_fen = 3000")
    r = post(stack, owner, f"/admin/customers/{company}/prices/{sid}",
             {"csrf": csrf, "price": "0"})
    assert r.status_code == 400 and "应大于 0 元" in r.text
    assert stack.sql(f"SELECT price_fen FROM contract_price WHERE "
                     f"customer_id = {company}") == [("3000",)]


# -- 7, 8. anchors and tap targets (the browser check is by hand) -------

def css(stack, name):
    r = stack.session().get(stack.url(f"/static/default/{name}"))
    assert r.status_code == 200, name
    return r.text


def test_anchored_sections_clear_the_sticky_header(stack, owner, company):
    assert re.search(r"\.panel\[id\][^{]*\{scroll-margin-top:6\dpx",
                     css(stack, "admin-catalog.css"))
    assert re.search(r"#contracts[^{]*\{scroll-margin-top:6\dpx",
                     css(stack, "admin-contract.css"))
    page = owner.get(stack.url(f"{A}/admin/customers/{company}")).text
    assert "/static/default/admin-contract.css" in page


def test_buttons_are_tall_enough_for_a_thumb(stack, owner):
    text = css(stack, "admin-catalog.css")
    assert re.search(r"\.row-btn\{[^}]*min-height:44px", text)
    assert re.search(r"\.checks label,\.sku-card \.remove\{min-height:44px",
                     text)
    page = owner.get(stack.url(f"{A}/admin/products?q=PF-")).text
    assert 'class="row-btn shelf-btn"' in page
