"""Excel (.xlsx) imports: the back office's upload through nginx and
`dinghuo import products` from the shell read the first worksheet the way
they read a CSV, with the same rows, errors and all-or-nothing rule.

The workbooks are written here with the standard library's zipfile, as
real minimal Office Open XML: content types, package and workbook
relationships, a workbook, worksheets and shared strings. What the module
creates in shop-a is named XL-... and removed at the end.
"""

import io
import os
import re
import zipfile
import zlib
from xml.sax.saxutils import escape, quoteattr

import pytest

from helpers import csrf_of, get_csrf

A = "/s/shop-a"
SHOP = "(SELECT id FROM shop WHERE slug = 'shop-a')"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCREL = ("http://schemas.openxmlformats.org/officeDocument/2006/"
          "relationships")
XLSX_TYPE = ("application/vnd.openxmlformats-officedocument."
             "spreadsheetml.sheet")


# -- writing workbooks --------------------------------------------------

class Num:
    """A number cell, written as Excel writes it (<v>12.500000000000002</v>)."""

    def __init__(self, text):
        self.text = str(text)


def col_name(i):
    """0 -> A, 25 -> Z, 26 -> AA."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def text_xml(s):
    """Text as OOXML writes it: a CR is _x000D_."""
    return escape(s).replace("\r", "_x000D_")


class Strings:
    def __init__(self):
        self.index = {}

    def add(self, s):
        return self.index.setdefault(s, len(self.index))

    def xml(self):
        items = "".join(f'<si><t xml:space="preserve">{text_xml(s)}</t></si>'
                        for s in self.index)
        n = len(self.index)
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<sst xmlns="{MAIN}" count="{n}" uniqueCount="{n}">'
                f'{items}</sst>')


def sheet_xml(rows, strings):
    """rows: a list of lists (row 1 first) or a dict {row number: cells};
    a cell is a str (shared, or inline without strings), a Num, or None
    (left out, as Excel leaves out empty cells)."""
    items = rows.items() if isinstance(rows, dict) else \
        enumerate(rows, start=1)
    out = []
    for r, cells in items:
        cs = []
        for i, v in enumerate(cells):
            ref = f"{col_name(i)}{r}"
            if v is None:
                continue
            if isinstance(v, Num):
                cs.append(f'<c r="{ref}"><v>{v.text}</v></c>')
            elif strings is not None:
                cs.append(f'<c r="{ref}" t="s"><v>{strings.add(v)}</v></c>')
            else:
                cs.append(f'<c r="{ref}" t="inlineStr"><is><t '
                          f'xml:space="preserve">{text_xml(v)}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cs)}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<worksheet xmlns="{MAIN}" xmlns:r="{DOCREL}"><sheetData>'
            f'{"".join(out)}</sheetData></worksheet>')


def make_xlsx(sheets, shared=True):
    """sheets: [(name, rows), ...] in tab order. The first tab is stored
    as the last sheetN.xml, so a reader that takes sheet1.xml is wrong."""
    strings = Strings() if shared else None
    n = len(sheets)
    parts = {}
    for k, (name, rows) in enumerate(sheets):
        parts[f"xl/worksheets/sheet{n - k}.xml"] = sheet_xml(rows, strings)
    tabs = "".join(f'<sheet name={quoteattr(name)} sheetId="{k + 1}" '
                   f'r:id="rId{k + 1}"/>'
                   for k, (name, _) in enumerate(sheets))
    rels = "".join(f'<Relationship Id="rId{k + 1}" Type="{DOCREL}/worksheet"'
                   f' Target="worksheets/sheet{n - k}.xml"/>'
                   for k in range(n))
    if strings is not None:
        rels += (f'<Relationship Id="rId{n + 1}" Type="{DOCREL}/'
                 f'sharedStrings" Target="sharedStrings.xml"/>')
        parts["xl/sharedStrings.xml"] = strings.xml()
    over = "".join(f'<Override PartName="/xl/worksheets/sheet{k + 1}.xml" '
                   'ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.worksheet+xml"/>'
                   for k in range(n))
    parts.update({
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="'
            'application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
            f'/>{over}</Types>',
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
            f'xmlns="{RELS}"><Relationship Id="rId1" Type="{DOCREL}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}"'
            f' xmlns:r="{DOCREL}"><sheets>{tabs}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
            f'xmlns="{RELS}">{rels}</Relationships>',
    })
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


def zip_bomb(unpacked=200 * 1024 * 1024):
    """A workbook whose sheet unpacks to `unpacked` bytes of spaces (a few
    hundred kB packed); its header says so, as an honest zip would."""
    good = zipfile.ZipFile(io.BytesIO(make_xlsx([("S", [["货号"]])])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in good.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, good.read(info.filename))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            chunk = b" " * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    return out.getvalue()


def lying_bomb(data):
    """The bomb with its sheet's unpacked size written as 1000 bytes, in
    the local header and the central directory."""
    data = bytearray(data)
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = z.getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size
    # zip64 sizes sit in extra fields: patch every 8-byte copy of it, and
    # the 4-byte fields too if the writer used them.
    for width in (8, 4):
        needle = real.to_bytes(width, "little") if real < 1 << (8 * width) \
            else None
        if needle:
            data = data.replace(needle, (1000).to_bytes(width, "little"))
    return bytes(data)


# -- fixtures and helpers -----------------------------------------------

HEADER_ZH = ["分类", "货号", "商品名称", "单位", "SKU编码", "条码", "规格",
             "单价", "零售价", "阶梯价", "库存"]


@pytest.fixture(scope="module")
def owner(stack):
    yield stack.login(stack.owner_phone, stack.password, "shop-a",
                      staff=True)
    stack.sql("""
DELETE FROM product WHERE code LIKE 'XL-%' AND shop_id = """ + SHOP + """;
DELETE FROM category WHERE name LIKE 'XL%' AND parent_id IS NOT NULL;
DELETE FROM category WHERE name LIKE 'XL%';
UPDATE shop SET version = version + 1;
""")


def upload(stack, s, data, name="products.xlsx", ctype=XLSX_TYPE):
    tok = get_csrf(stack, s, f"{A}/admin/import")
    return s.post(stack.url(f"{A}/admin/import"), data={"csrf": tok},
                  files={"file": (name, data, ctype)})


def skus(stack, like):
    return stack.sql("SELECT p.code, p.name, p.unit, s.code, s.barcode, "
                     "s.spec, s.price_fen, s.retail_price_fen, s.stock, "
                     "s.sort FROM sku s JOIN product p ON p.id = s.product_id "
                     f"WHERE s.shop_id = {SHOP} AND p.code LIKE '{like}' "
                     "ORDER BY s.code")


def errors_of(text):
    return [re.sub(r"<[^>]+>", "", m) for m in
            re.findall(r"<li>(第 .*?)</li>", text)]


def worker_ok(stack):
    r = stack.session().get(stack.url("/healthz"))
    assert r.status_code == 200


GOOD = {
    # A title row above the header is not allowed, but empty rows are.
    2: HEADER_ZH,
    3: ["XL饮料/XL茶", "XL-LJ", "西湖龙井", "罐", "XL-LJ-250",
        Num("6901234567890"), "规格:250g", Num("12.5"), Num("15"),
        "10:11.50;50:10", Num("100")],
    # Sparse: only some cells; floating-point noise in the price.
    4: ["XL饮料/XL茶", "XL-LJ", "西湖龙井", "罐", "XL-LJ-500", None, None,
        Num("22.800000000000001")],
    # A row left out (5), then a product with a text barcode and a
    # description-less row; 6.90123456789E+12 is how some writers put it.
    6: [None, "XL-HC", "祁门红茶", None, "XL-HC-1", Num("6.90123456789E+12"),
        None, Num("0.30000000000000004"), None, None, Num("0")],
}


# -- the back office ----------------------------------------------------

def test_page_says_xlsx_is_accepted(stack, owner):
    page = owner.get(stack.url(f"{A}/admin/import"))
    assert page.status_code == 200
    m = re.search(r'<input type="file"[^>]*accept="([^"]*)"', page.text)
    assert m and ".csv" in m.group(1).split(",") and \
        ".xlsx" in m.group(1).split(","), m and m.group(1)
    assert ".xlsx" in page.text and "Excel" in page.text


def test_upload_reads_the_first_sheet(stack, owner):
    """Chinese headers, numbers as Excel shows them, sparse rows, and a
    second sheet (stored first in the zip) that is not read."""
    other = [["货号", "商品名称", "SKU编码", "单价"],
             ["XL-NO", "不要导入", "XL-NO-1", "abc"]]
    data = make_xlsx([("商品", GOOD), ("说明", other)])
    r = upload(stack, owner, data)
    start = r.text.find('class="panel report"')
    assert r.status_code == 200, r.text[start:start + 2000]
    assert "导入完成" in r.text
    assert "工作表“商品”" in r.text
    assert skus(stack, "XL-%") == [
        ("XL-HC", "祁门红茶", "件", "XL-HC-1", "6901234567890", "", "30",
         None, "0", "0"),
        ("XL-LJ", "西湖龙井", "罐", "XL-LJ-250", "6901234567890",
         "规格:250g", "1250", "1500", "100", "0"),
        ("XL-LJ", "西湖龙井", "罐", "XL-LJ-500", "", "", "2280", None, "0",
         "1"),
    ]
    assert stack.sql("SELECT t.min_qty, t.price_fen FROM price_tier t JOIN "
                     "sku s ON s.id = t.sku_id WHERE s.code = 'XL-LJ-250' "
                     f"AND s.shop_id = {SHOP} ORDER BY t.min_qty") == [
        ("10", "1150"), ("50", "1000")]
    assert stack.sql("SELECT COUNT(*) FROM product WHERE code = 'XL-NO'"
                     ) == [("0",)]


def test_errors_are_listed_by_excel_row_and_nothing_is_written(stack,
                                                                 owner):
    before = skus(stack, "XL-%")
    rows = {
        1: HEADER_ZH,
        2: ["", "XL-E1", "错一", "", "XL-E1-1", None, None, "abc"],
        # rows 3-6 left out: the next row is Excel's row 7
        7: ["", "XL-E2", "错二", "", "XL-E1-1", None, None, Num("-1")],
        9: ["", "XL-E3", "对的", "", "XL-E3-1", None, None, Num("1")],
        # A cell right of the header's last column.
        10: ["", "XL-E4", "太宽", "", "XL-E4-1", None, None, Num("1"), None,
             None, None, "多出来"],
    }
    r = upload(stack, owner, make_xlsx([("Sheet1", rows)], shared=False),
               name="错误.xlsx")
    assert r.status_code == 400, r.text[:500]
    assert errors_of(r.text) == [
        "第 2 行：price：不是有效金额：“abc”（应为元，如 12.50）",
        "第 7 行：sku_code：“XL-E1-1”与第 2 行重复",
        "第 7 行：price：不能为负数：“-1”（应为元，如 12.50）",
        "第 10 行：有 12 列，表头有 11 列",
    ]
    assert "没有导入任何数据" in r.text
    assert skus(stack, "XL-%") == before
    assert stack.sql("SELECT COUNT(*) FROM product WHERE code = 'XL-E3' "
                     f"AND shop_id = {SHOP}") == [("0",)]


@pytest.mark.parametrize("data, name, message", [
    (b"PK\x03\x04 this is no zip at all", "p.xlsx",
     "不是有效的 Excel 文件（文件损坏或不完整）"),
    (None, "cut.xlsx", "不是有效的 Excel 文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls",
     "是旧版 Excel（.xls）文件"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "photo.xlsx",
     "不是有效的 Excel 文件（文件名是 .xlsx"),
    ("zip-no-workbook", "docs.xlsx", "找不到工作簿"),
    ("broken-xml", "broken.xlsx", "XML 有误"),
])
def test_invalid_files_are_refused_with_a_reason(stack, owner, data, name,
                                                 message):
    if data is None:
        good = make_xlsx([("S", GOOD)])
        data = good[:len(good) // 2]
    elif data == "zip-no-workbook":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("word/document.xml", "<w/>")
        data = out.getvalue()
    elif data == "broken-xml":
        good = zipfile.ZipFile(io.BytesIO(make_xlsx([("S", GOOD)])))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info in good.infolist():
                text = good.read(info.filename)
                if info.filename == "xl/worksheets/sheet1.xml":
                    text = text.replace(b"</row>", b"</rowx>", 2)
                z.writestr(info.filename, text)
        data = out.getvalue()
    before = skus(stack, "XL-%")
    r = upload(stack, owner, data, name=name)
    assert r.status_code == 400, r.text[:500]
    assert message in r.text, r.text[r.text.find("report"):][:1500]
    assert skus(stack, "XL-%") == before
    worker_ok(stack)


def test_zip_bombs_are_stopped(stack, owner):
    """200 MB of sheet in 200 kB of upload: refused, honest header or
    lying one, and the worker lives on."""
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    r = upload(stack, owner, bomb, name="bomb.xlsx")
    assert r.status_code == 400, r.text[:300]
    assert "Excel 文件解压后超过 128 MB" in r.text
    r = upload(stack, owner, lying_bomb(bomb), name="liar.xlsx")
    assert r.status_code == 400, r.text[:300]
    assert ("解压后超过" in r.text or "不是有效的 Excel 文件" in r.text), \
        r.text[r.text.find("report"):][:800]
    worker_ok(stack)


def test_kind_comes_from_the_content_not_the_name(stack, owner):
    rows = [["货号", "商品名称", "SKU编码", "单价"],
            ["XL-NAME", "名字不对", "XL-NAME-1", Num("9.9")]]
    r = upload(stack, owner, make_xlsx([("表", rows)]), name="products.csv",
               ctype="text/csv")
    assert r.status_code == 200 and "导入完成" in r.text, r.text[:500]
    assert skus(stack, "XL-NAME")[0][6] == "990"
    # And a CSV named .txt is a CSV.
    csv = "货号,商品名称,SKU编码,单价\r\nXL-NAME,名字不对,XL-NAME-1,8\r\n"
    r = upload(stack, owner, csv.encode(), name="p.txt", ctype="text/plain")
    assert r.status_code == 200 and "导入完成" in r.text, r.text[:500]
    assert skus(stack, "XL-NAME")[0][6] == "800"


def test_upload_keeps_its_row_limit(stack, owner):
    rows = [["货号", "商品名称", "SKU编码", "单价"]]
    rows += [[f"XL-M{i}", "多", f"XL-M{i}", Num(1)] for i in range(50001)]
    data = make_xlsx([("S", rows)])
    r = upload(stack, owner, data, name="many.xlsx")
    assert r.status_code == 413, r.text[:300]
    assert "第 50002 行：超过 50000 行数据" in r.text
    assert stack.sql("SELECT COUNT(*) FROM product WHERE code LIKE 'XL-M%' "
                     f"AND shop_id = {SHOP}") == [("0",)]


# -- the shell ----------------------------------------------------------

def test_shell_imports_xlsx_in_batches(stack, tmp_path):
    """6,000 rows: three batches; a product whose rows are far apart gets
    its SKUs in file order, in the first batch's unit."""
    slug = "xl-shell"
    stack.run("shop", "create", "--slug", slug, "--name", "表格导入",
              "--admin-phone", "13700000043", "--admin-password",
              "longenough")
    rows = [["货号", "商品名称", "单位", "SKU编码", "单价", "条码"]]
    rows += [["XL-FAR", "分开的", "盒", "XL-FAR-1", Num(1), Num(1)]]
    rows += [[f"XL-B{i}", f"品{i}", "件", f"XL-B{i}-1", Num(i + 0.5),
              Num(6900000000000 + i)] for i in range(6000)]
    rows += [["XL-FAR", "分开的", "盒", "XL-FAR-2", Num(2), None]]
    path = tmp_path / "big.xlsx"
    path.write_bytes(make_xlsx([("S", rows)]))
    r = stack.run("import", "products", "--shop", slug, path)
    assert "导入完成：6002 行，新建商品 6001，更新商品 0，新建 SKU 6002" \
        in r.stdout, r.stdout + r.stderr
    assert "读取了 Excel 文件的工作表“S”" in r.stdout
    assert "已导入 6002/6002 行" in r.stderr
    sid = stack.sql(f"SELECT id FROM shop WHERE slug = '{slug}'")[0][0]
    assert stack.sql(f"SELECT s.code, s.sort, s.unit, s.barcode FROM sku s "
                     "JOIN product p ON p.id = s.product_id WHERE p.code = "
                     f"'XL-FAR' AND s.shop_id = {sid} ORDER BY s.sort") == [
        ("XL-FAR-1", "0", "盒", "1"), ("XL-FAR-2", "1", "盒", "")]
    assert stack.sql(f"SELECT barcode, price_fen FROM sku WHERE shop_id = "
                     f"{sid} AND code = 'XL-B5999-1'") == [
        ("6900000005999", "599950")]
    stack.sql(f"DELETE FROM sku WHERE shop_id = {sid}; "
              f"DELETE FROM product WHERE shop_id = {sid}")
