"""CSV import and export of products, SKUs and prices (`dinghuo import
products` and `dinghuo export products`), against the real database.

Each test works in shops of its own, made by the `new_shop` fixture, and
removes their catalog afterwards: the demo shops' catalogs belong to the
storefront tests.
"""

import csv
import io
import itertools
import os
import pty
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import get_csrf

ROOT = Path(__file__).resolve().parents[2]
GEN = ROOT / "tests" / "bench" / "gen-catalog"

HEADER = ["category", "product_code", "product_name", "unit", "sku_code",
          "barcode", "spec", "pack_size", "min_qty", "pack_only", "stock", "weight_g",
          "price", "retail_price", "tiers", "on_shelf", "visible",
          "description"]

_seq = itertools.count(1)


@pytest.fixture
def new_shop(stack):
    """A function that makes a fresh shop and returns its slug; the
    catalogs of the shops it made are deleted after the test."""
    made = []

    def make():
        slug = f"imp-{next(_seq)}-{time.monotonic_ns() % 100000}"
        stack.run("shop", "create", "--slug", slug, "--name", "导入测试",
                  "--admin-phone", "13700000042", "--admin-password",
                  "longenough")
        made.append(slug)
        return slug

    yield make
    for slug in made:
        sid = shop_id(stack, slug)
        stack.sql(f"DELETE FROM price_tier WHERE shop_id = {sid}; "
                  f"DELETE FROM sku WHERE shop_id = {sid}; "
                  f"DELETE FROM product WHERE shop_id = {sid}; "
                  f"UPDATE category SET parent_id = NULL "
                  f"WHERE shop_id = {sid}; "
                  f"DELETE FROM category WHERE shop_id = {sid}")


def shop_id(stack, slug):
    return stack.sql(f"SELECT id FROM shop WHERE slug = '{slug}'")[0][0]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    """rows: dicts (missing keys are empty cells) or lists."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(k, "") for k in header] if isinstance(r, dict)
                   else r)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def import_file(stack, slug, path, check=True):
    return stack.run("import", "products", "--shop", slug, str(path),
                     check=check)


def version(stack, slug):
    return int(stack.sql(f"SELECT version FROM shop WHERE slug = '{slug}'")
               [0][0])


def counts(stack, slug):
    sid = shop_id(stack, slug)
    return {t: int(stack.sql(f"SELECT COUNT(*) FROM {t} "
                             f"WHERE shop_id = {sid}")[0][0])
            for t in ("category", "product", "sku", "price_tier")}


def catalog_dump(stack, slug):
    """Everything an import writes, without ids and times."""
    sid = shop_id(stack, slug)
    return {
        "products": stack.sql(
            "SELECT code, name, unit, description, on_shelf, visible, "
            "COALESCE(category_id, 0) FROM product "
            f"WHERE shop_id = {sid} ORDER BY code"),
        "skus": stack.sql(
            "SELECT p.code, s.code, s.barcode, s.spec, s.unit, s.pack_size, "
            "s.min_qty, s.stock, s.weight_g, s.price_fen, "
            "s.retail_price_fen, s.sort FROM sku s JOIN product p "
            f"ON p.id = s.product_id WHERE s.shop_id = {sid} ORDER BY s.code"),
        "tiers": stack.sql(
            "SELECT s.code, t.min_qty, t.price_fen FROM price_tier t "
            f"JOIN sku s ON s.id = t.sku_id WHERE t.shop_id = {sid} "
            "ORDER BY s.code, t.min_qty"),
        "categories": stack.sql(
            "SELECT id, COALESCE(parent_id, 0), name FROM category "
            f"WHERE shop_id = {sid} ORDER BY id"),
    }


TEA = [
    {"category": "饮料/茶/绿茶", "product_code": "T-LJ",
     "product_name": "西湖龙井", "unit": "罐", "sku_code": "T-LJ-250",
     "barcode": "6901234567892", "spec": "规格:250g", "pack_size": "12",
     "min_qty": "2", "stock": "100", "weight_g": "300", "price": "100",
     "retail_price": "128.50", "tiers": "10:95.00;50:90", "on_shelf": "1",
     "visible": "ordering,wholesale", "description": "明前茶。\n\n产地：杭州"},
    {"category": "饮料/茶/绿茶", "product_code": "T-LJ",
     "product_name": "西湖龙井", "unit": "罐", "sku_code": "T-LJ-500",
     "spec": "规格:500g", "price": "190.00", "on_shelf": "1",
     "visible": "wholesale,ordering", "description": "明前茶。\n\n产地：杭州"},
    {"category": "饮料/茶", "product_code": "T-HC", "product_name": "祁门红茶",
     "sku_code": "T-HC-1", "price": "¥50.5", "on_shelf": "0",
     "visible": "retail"},
]


def test_good_file_imports_with_counts(stack, new_shop, tmp_path):
    slug = new_shop()
    r = import_file(stack, slug, write_csv(tmp_path / "tea.csv", TEA))
    assert "导入完成：3 行，新建商品 2，更新商品 0，新建 SKU 3，更新 SKU 0" \
        in r.stdout
    assert counts(stack, slug) == {"category": 3, "product": 2, "sku": 3,
                                   "price_tier": 2}
    d = catalog_dump(stack, slug)
    cats = {c[0]: c for c in d["categories"]}
    (green,) = [c for c in d["categories"] if c[2] == "绿茶"]
    tea = cats[green[1]]
    assert tea[2] == "茶" and cats[tea[1]][2] == "饮料"
    assert d["products"] == [
        ("T-HC", "祁门红茶", "件", "", "0", "retail", tea[0]),
        ("T-LJ", "西湖龙井", "罐", "<p>明前茶。</p><p>产地：杭州</p>", "1",
         "ordering,wholesale", green[0]),
    ]
    assert d["skus"] == [
        ("T-HC", "T-HC-1", "", "", "件", "1", "1", "0", "0", "5050", None,
         "0"),
        ("T-LJ", "T-LJ-250", "6901234567892", "规格:250g", "罐", "12", "2",
         "100", "300", "10000", "12850", "0"),
        ("T-LJ", "T-LJ-500", "", "规格:500g", "罐", "1", "1", "0", "0",
         "19000", None, "1"),
    ]
    assert d["tiers"] == [("T-LJ-250", "10", "9500"),
                          ("T-LJ-250", "50", "9000")]


def test_tiers_are_read_as_the_product_form_reads_them(stack, new_shop,
                                                        tmp_path):
    """Tiers separated by commas or line breaks import as the product form
    takes them; a pair with a space inside is named, not misread."""
    slug = new_shop()
    rows = [dict(TEA[2], product_code="T-T", sku_code=code, tiers=tiers)
            for code, tiers in (("T-T-1", "10:9,50:8"),
                                ("T-T-2", "5：9，20：8"),
                                ("T-T-3", "10:9\n50:8.5\n"))]
    import_file(stack, slug, write_csv(tmp_path / "t.csv", rows))
    assert catalog_dump(stack, slug)["tiers"] == [
        ("T-T-1", "10", "900"), ("T-T-1", "50", "800"),
        ("T-T-2", "5", "900"), ("T-T-2", "20", "800"),
        ("T-T-3", "10", "900"), ("T-T-3", "50", "850")]
    bad = [dict(rows[0], tiers="10:9 50:8")]
    r = import_file(stack, slug, write_csv(tmp_path / "bad.csv", bad),
                    check=False)
    assert r.returncode == 1
    assert "第 2 行：tiers：“10:9 50:8”中间有空格" in r.stderr, r.stderr


def test_reimport_updates_never_duplicates(stack, new_shop, tmp_path):
    slug = new_shop()
    path = write_csv(tmp_path / "tea.csv", TEA)
    import_file(stack, slug, path)
    before = catalog_dump(stack, slug)
    v = version(stack, slug)
    r = import_file(stack, slug, path)
    assert "导入完成：3 行，新建商品 0，更新商品 2，新建 SKU 0，更新 SKU 3" \
        in r.stdout
    assert catalog_dump(stack, slug) == before
    # Every import touches the shop, so workers drop cached catalogs.
    assert version(stack, slug) > v

    # A changed price and tiers, a new SKU; codes match whatever their case.
    rows = [dict(TEA[0], price="99.90", tiers=""),
            dict(TEA[1], sku_code="t-lj-500", tiers="5:180"),
            dict(TEA[1], sku_code="T-LJ-1000", spec="规格:1kg",
                 price="360")]
    r = import_file(stack, slug, write_csv(tmp_path / "more.csv", rows))
    assert "导入完成：3 行，新建商品 0，更新商品 1，新建 SKU 1，更新 SKU 2" \
        in r.stdout
    d = catalog_dump(stack, slug)
    assert counts(stack, slug)["product"] == 2
    assert [(s[1], s[9]) for s in d["skus"]] == [
        ("T-HC-1", "5050"), ("T-LJ-1000", "36000"), ("T-LJ-250", "9990"),
        ("t-lj-500", "19000")]
    assert d["tiers"] == [("t-lj-500", "5", "18000")]   # 250's cleared


def test_missing_columns_are_left_alone(stack, new_shop, tmp_path):
    slug = new_shop()
    import_file(stack, slug, write_csv(tmp_path / "tea.csv", TEA))
    before = catalog_dump(stack, slug)
    header = ["sku_code", "product_code", "product_name", "price"]
    r = import_file(stack, slug, write_csv(
        tmp_path / "prices.csv", [["T-LJ-250", "T-LJ", "西湖龙井", "88"]],
        header=header))
    assert "更新商品 1" in r.stdout and "更新 SKU 1" in r.stdout
    after = catalog_dump(stack, slug)
    assert after["tiers"] == before["tiers"]
    assert after["products"] == before["products"]
    lj250 = [s for s in after["skus"] if s[1] == "T-LJ-250"][0]
    assert lj250[9] == "8800" and lj250[7] == "100" and lj250[10] == "12850"


def test_bad_rows_are_all_reported_and_nothing_imported(stack, new_shop,
                                                        tmp_path):
    slug = new_shop()
    import_file(stack, slug, write_csv(tmp_path / "tea.csv", TEA))
    before = catalog_dump(stack, slug)
    before_counts = counts(stack, slug)
    v = version(stack, slug)
    # Line numbers are the file's: descriptions span several lines.
    rows = [
        dict(TEA[0], product_code="NEW-1", sku_code="NEW-1-1"),   # 2-4
        dict(TEA[0], product_code="NEW-2", sku_code="NEW-2-1",    # 5-7
             description="第一行\n第二行\n第三行", price="abc"),
        dict(TEA[2], sku_code="NEW-1-1", tiers="50:9;10:8"),      # 8
        dict(TEA[2], product_code="", sku_code="X", price="-1"),  # 9
        dict(TEA[2], product_name="x" * 201, on_shelf="2",        # 10
             visible="everyone", category="a//b", sku_code="Y"),
        dict(TEA[2], sku_code="Z", product_name="另一个名字"),      # 11
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    r = import_file(stack, slug, path, check=False)
    assert r.returncode == 1
    out = r.stderr
    expected = [
        "第 5 行：price：不是有效金额：“abc”",
        "第 8 行：sku_code：“NEW-1-1”与第 2 行重复",
        "第 8 行：tiers：数量要从小到大排列",
        "第 9 行：product_code：不能为空",
        "第 9 行：price：不能为负数",
        "第 10 行：product_name：最多 200 个字符",
        "第 10 行：category：路径中有空的分类名",
        "第 10 行：on_shelf：应为 1（上架）或 0（下架），不是“2”",
        "第 10 行：visible：“everyone”不是",
        "第 11 行：product_name：同一 product_code 的各行应相同，与第 8 行不同",
    ]
    for line in expected:
        assert line in out, f"{line!r} missing from:\n{out}"
    n = sum(1 for l in out.splitlines() if l.startswith("第 "))
    assert n == len(expected), out
    assert f"未导入任何数据（{n} 个错误）" in out
    assert "导入完成" not in r.stdout
    assert counts(stack, slug) == before_counts
    assert catalog_dump(stack, slug) == before
    assert version(stack, slug) == v


def test_file_level_problems(stack, new_shop, tmp_path):
    slug = new_shop()
    # Unknown and missing columns.
    p = write_csv(tmp_path / "h.csv", [["A", "B"]],
                  header=["product_code", "Preis"])
    r = import_file(stack, slug, p, check=False)
    assert r.returncode == 1
    assert "第 1 行：第 2 列“Preis”不是已知的列名" in r.stderr
    for col in ("product_name", "sku_code", "price"):
        assert f"第 1 行：{col}：缺少这一必需的列" in r.stderr
    # Neither UTF-8 nor GB18030: refused with the line of the bad byte.
    p = tmp_path / "bad.csv"
    p.write_bytes((",".join(HEADER) + "\r\n").encode() +
                  b"x,T-X,\xff\xff,,T-X-1" + b"," * 6 + b"1" + b"," * 5 +
                  b"\r\n")
    r = import_file(stack, slug, p, check=False)
    assert r.returncode == 1
    assert "第 2 行：不是有效的 UTF-8 编码" in r.stderr
    # An unterminated quote, an empty file, a header alone.
    p = tmp_path / "q.csv"
    p.write_text(",".join(HEADER) + "\n\"T,1\nmore\nand more\n")
    r = import_file(stack, slug, p, check=False)
    assert "第 2 行：引号未闭合" in r.stderr
    p.write_text("")
    r = import_file(stack, slug, p, check=False)
    assert r.returncode == 1 and "文件是空的" in r.stderr
    p.write_text(",".join(HEADER) + "\r\n")
    r = import_file(stack, slug, p, check=False)
    assert r.returncode == 1 and "没有数据行" in r.stderr
    assert counts(stack, slug) == {"category": 0, "product": 0, "sku": 0,
                                   "price_tier": 0}
    # Operator errors.
    r = import_file(stack, "no-such-shop", p, check=False)
    assert r.returncode == 1 and "no shop 'no-such-shop'" in r.stderr
    r = stack.run("import", "products", str(p), check=False)
    assert r.returncode == 2 and "usage:" in r.stderr


def test_excel_gbk_file_is_converted(stack, new_shop, tmp_path):
    """Excel on Chinese Windows saves "CSV" as GBK: it imports as is."""
    slug = new_shop()
    p = write_csv(tmp_path / "gbk.csv", [dict(TEA[2]), dict(TEA[2],
                  product_name="乌龙茶·大红袍", product_code="T-WL",
                  sku_code="T-WL-1")], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        p.read_bytes().decode("utf-8")
    r = import_file(stack, slug, p)
    assert "GBK/GB18030" in r.stdout
    names = {n for (n,) in stack.sql(
        f"SELECT name FROM product WHERE shop_id = {shop_id(stack, slug)}")}
    assert names == {"祁门红茶", "乌龙茶·大红袍"}


def test_chinese_and_mixed_case_headers(stack, new_shop, tmp_path):
    """Shops type the Chinese names (货号, 商品名称, 单价 ...) or names in
    another case; both mean the columns the export writes."""
    slug = new_shop()
    zh = {"category": "分类", "product_code": "商品编码",
          "product_name": "商品名称", "sku_code": "SKU编码", "price": "单价",
          "tiers": "阶梯价", "min_qty": "起订量", "on_shelf": "是否上架"}
    rows = [{zh.get(k, k): v for k, v in TEA[0].items() if k in zh},
            {zh.get(k, k): v for k, v in TEA[1].items() if k in zh}]
    header = list(zh.values())
    import_file(stack, slug, write_csv(tmp_path / "zh.csv", rows,
                                       header=header))
    sid = shop_id(stack, slug)
    assert stack.sql(f"SELECT COUNT(*) FROM sku WHERE shop_id = {sid}") == \
        [("2",)]
    assert stack.sql(f"SELECT COUNT(*) FROM price_tier WHERE shop_id = "
                     f"{sid}") == [("2",)]
    upper = ["Product_Code", "PRODUCT_NAME", "Sku_Code", "Price"]
    import_file(stack, slug, write_csv(
        tmp_path / "uc.csv", [["T-UC", "大写列名", "T-UC-1", "9.90"]],
        header=upper))
    assert stack.sql(f"SELECT price_fen FROM sku WHERE shop_id = {sid} "
                     "AND code = 'T-UC-1'") == [("990",)]


def dinghuo(stack, *args, **kw):
    """Popen `dinghuo -c CONF ARGS...` as stack.run would run it."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DINGHUO_")}
    return subprocess.Popen(
        [str(stack.bin), "-c", str(stack.conf), *map(str, args)],
        cwd=stack.dir, env=env, stdin=subprocess.DEVNULL,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0)),
        **kw)


def asan_build(binary):
    """ASan's shadow memory and strict arenas multiply the resident set."""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def test_shell_takes_any_size_in_batches(stack, new_shop, tmp_path):
    """Beyond an upload's 50,000 rows and max_upload: the shell checks the
    whole file, then writes it a batch (a transaction) at a time. Killed
    half-way, it keeps the batches written; run again, it completes. Its
    memory does not hold the file's rows."""
    slug = new_shop()
    path = tmp_path / "big.csv"
    with open(path, "wb") as f:
        subprocess.run([sys.executable, str(GEN), "28000"], stdout=f,
                       check=True)
    with open(path, newline="", encoding="utf-8") as f:
        nrows = sum(1 for _ in csv.reader(f)) - 1
    assert nrows > 50000 and path.stat().st_size > 8 * 1024 * 1024

    p = dinghuo(stack, "import", "products", "--shop", slug, path,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in p.stderr:
        seen.append(line)
        if line.startswith("已导入 "):        # a batch is committed
            p.kill()
            break
    p.wait()
    p.stderr.close()
    checked = [int(s.split()[1]) for s in seen if s.startswith("已检查 ")]
    assert checked[-1] == nrows and len(checked) == nrows // 10000 + 2, \
        seen
    written = counts(stack, slug)["sku"]
    assert 0 < written < nrows, (written, seen[-3:])

    out, err = tmp_path / "out", tmp_path / "err"
    with open(out, "w") as o, open(err, "w") as e:
        p = dinghuo(stack, "import", "products", "--shop", slug, path,
                    stdout=o, stderr=e)
        _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    assert p.returncode == 0, err.read_text()[-2000:]
    # The SKUs the killed run wrote are updated, the rest created.
    assert f"导入完成：{nrows} 行，" in out.read_text()
    assert f"新建 SKU {nrows - written}，更新 SKU {written}" in \
        out.read_text(), (written, out.read_text())
    assert f"已导入 {nrows}/{nrows} 行" in err.read_text()
    c = counts(stack, slug)
    assert c["sku"] == nrows and c["product"] == 28000
    peak = usage.ru_maxrss // 1024
    print(f"\nshell import of {nrows} rows: killed after {written} rows; "
          f"re-run: peak RSS {peak} MB")
    if not asan_build(stack.bin):
        assert peak < 100, peak


def test_shell_checks_everything_before_writing(stack, new_shop, tmp_path):
    """All or nothing across batches: a problem in the last batch, or
    between rows batches apart, and no batch is written."""
    slug = new_shop()
    header = ["product_code", "product_name", "sku_code", "price"]
    rows = [[f"C{i}", "名", f"C{i}-1", "1"] for i in range(7000)]
    rows.append(["C0", "改了名", "C0-2", "1"])       # 7,000 rows after C0
    rows.append(["C7001", "名", "C10-1", "1"])      # C10-1 is on line 12
    rows.append(["C7002", "名", "C7002-1", "abc"])
    r = import_file(stack, slug, write_csv(tmp_path / "bad.csv", rows,
                                           header=header), check=False)
    assert r.returncode == 1
    assert r.stderr.count("\n第 ") + r.stderr.startswith("第 ") == 3, \
        r.stderr
    assert "第 7002 行：product_name：同一 product_code 的各行应相同，" \
        "与第 2 行不同" in r.stderr
    assert "第 7003 行：sku_code：“C10-1”与第 12 行重复" in r.stderr
    assert "第 7004 行：price：不是有效金额：“abc”" in r.stderr
    assert "未导入任何数据（3 个错误）" in r.stderr
    assert "已导入" not in r.stderr
    assert counts(stack, slug)["product"] == 0
    # Rows of one product batches apart: its SKUs in file order.
    rows[-3:] = [["C0", "名", "C0-2", "2"]]
    r = import_file(stack, slug, write_csv(tmp_path / "ok.csv", rows,
                                           header=header))
    assert "导入完成：7001 行，新建商品 7000，更新商品 0，新建 SKU 7001" \
        in r.stdout
    sid = shop_id(stack, slug)
    assert stack.sql(f"SELECT s.code, s.sort FROM sku s JOIN product p ON "
                     f"p.id = s.product_id WHERE p.code = 'C0' AND "
                     f"p.shop_id = {sid} ORDER BY s.sort") == [
        ("C0-1", "0"), ("C0-2", "1")]


def test_shell_progress_on_a_terminal(stack, new_shop, tmp_path):
    """On a terminal the progress line is rewritten in place."""
    slug = new_shop()
    header = ["product_code", "product_name", "sku_code", "price"]
    path = write_csv(tmp_path / "p.csv", [[f"T{i}", "名", f"T{i}", "1"]
                                          for i in range(4500)],
                     header=header)
    master, slave = pty.openpty()
    p = dinghuo(stack, "import", "products", "--shop", slug, path,
                stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:                     # EIO: the child is gone
            break
        if not data:
            break
        out += data
    os.close(master)
    assert p.wait() == 0
    text = out.decode()
    assert text.startswith("\r已检查 2000 行…\r已检查 4000 行…\r已检查 4500 行…"
                           "\r\n\r已导入 2000/4500 行…\r已导入 4000/4500 行…"
                           "\r已导入 4500/4500 行…\r\n"), repr(text)
    assert "导入完成：4500 行" in p.stdout.read().decode()
    p.stdout.close()


def test_upload_keeps_its_limits(stack, new_shop, tmp_path):
    """The back office refuses more than 50,000 rows, whatever the shell
    takes."""
    s = stack.login(stack.owner_phone, stack.password, "shop-a", staff=True)
    body = "product_code,product_name,sku_code,price\r\n" + "".join(
        f"LIM{i},n,LIM{i},1\r\n" for i in range(50001))
    tok = get_csrf(stack, s, "/s/shop-a/admin/import")
    r = s.post(stack.url("/s/shop-a/admin/import"), data={"csrf": tok},
               files={"file": ("many.csv", body.encode(), "text/csv")})
    assert r.status_code == 413, r.text[:300]
    assert "第 50002 行：超过 50000 行数据，请分成几个文件导入" in r.text
    assert stack.sql("SELECT COUNT(*) FROM product WHERE code LIKE 'LIM%'"
                     ) == [("0",)]


def test_sku_owned_by_another_product(stack, new_shop, tmp_path):
    slug = new_shop()
    import_file(stack, slug, write_csv(tmp_path / "tea.csv", TEA))
    before = catalog_dump(stack, slug)
    rows = [dict(TEA[2], sku_code="T-HC-2"),
            dict(TEA[2], sku_code="T-LJ-500", price="1")]
    r = import_file(stack, slug, write_csv(tmp_path / "steal.csv", rows),
                    check=False)
    assert r.returncode == 1
    assert "第 3 行：sku_code：“T-LJ-500”已属于商品 T-LJ" in r.stderr
    assert "未导入任何数据（1 个错误）" in r.stderr
    assert catalog_dump(stack, slug) == before


def test_shops_are_isolated(stack, new_shop, tmp_path):
    a, b = new_shop(), new_shop()
    import_file(stack, a, write_csv(tmp_path / "a.csv", TEA))
    dump_a = catalog_dump(stack, a)
    # The same codes in shop b: new there, and shop a is untouched.
    rows = [dict(r, product_name="乙店" + r["product_name"], price="1",
                 category="别的/分类") for r in TEA]
    for r in rows:
        r.pop("description", None)
    r = import_file(stack, b, write_csv(tmp_path / "b.csv", rows),
                    check=False)
    assert r.returncode == 0, r.stderr
    assert "新建商品 2，更新商品 0，新建 SKU 3，更新 SKU 0" in r.stdout
    assert catalog_dump(stack, a) == dump_a
    dump_b = catalog_dump(stack, b)
    assert {p[1] for p in dump_b["products"]} == {"乙店西湖龙井", "乙店祁门红茶"}
    assert all(s[9] == "100" for s in dump_b["skus"])
    # Exports see their own shop only.
    out_a = stack.run("export", "products", "--shop", a).stdout
    out_b = stack.run("export", "products", "--shop", b).stdout
    assert "乙店" not in out_a and "明前茶" in out_a
    assert "乙店西湖龙井" in out_b and "明前茶" not in out_b


TRICKY = [
    {"category": "特殊/符号, \"引号\"", "product_code": "X-1",
     "product_name": "=HYPERLINK(\"http://evil\",\"点我\")",
     "sku_code": "+X-1-A", "spec": "颜色:红;尺码:L", "price": "0.01",
     "tiers": "2:0.00", "visible": "none",
     "description": "  第一段 <b>粗</b> & 'x'\n第一段第二行\n\n\n第二段  "},
    {"category": "特殊/符号, \"引号\"", "product_code": "X-1",
     "product_name": "=HYPERLINK(\"http://evil\",\"点我\")",
     "sku_code": "-X-1-B", "barcode": "@123", "price": "1",
     "retail_price": "0", "visible": "none",
     "description": "第一段 <b>粗</b> & 'x'\n第一段第二行\n\n第二段"},
    {"product_code": "'=X-2", "product_name": "'apostrophe, comma",
     "unit": "@件", "sku_code": "X-2", "price": "3", "on_shelf": "0",
     "description": "=1+1"},
    {"product_code": "X-3", "product_name": "<script>alert(1)</script>",
     "sku_code": "X-3-1", "price": "12345678.90",
     "description": "<script>alert('x')</script>\r\n<img src=x onerror=y>"},
]


def test_export_then_import_changes_nothing(stack, new_shop, tmp_path):
    slug = new_shop()
    rows = [dict(r) for r in TEA + TRICKY]
    r = import_file(stack, slug, write_csv(tmp_path / "in.csv", rows),
                    check=False)
    assert r.returncode == 0, r.stderr
    before = catalog_dump(stack, slug)
    out1 = tmp_path / "out1.csv"
    stack.run("export", "products", "--shop", slug, str(out1))
    data = out1.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(HEADER).encode())
    r = import_file(stack, slug, out1)
    assert "新建商品 0" in r.stdout and "新建 SKU 0" in r.stdout
    assert catalog_dump(stack, slug) == before
    out2 = tmp_path / "out2.csv"
    stack.run("export", "products", "--shop", slug, str(out2))
    assert out2.read_bytes() == data
    # Without a file the CSV goes to stdout.
    r = subprocess.run([str(stack.bin), "-c", str(stack.conf), "export",
                        "products", "--shop", slug], capture_output=True)
    assert r.returncode == 0 and r.stdout == data

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 7
    codes = [e["sku_code"] for e in rows]
    # SKUs in their file order within a product.
    assert codes.index("T-LJ-250") + 1 == codes.index("T-LJ-500")
    assert codes.index("'+X-1-A") + 1 == codes.index("'-X-1-B")
    exported = {e["sku_code"]: e for e in rows}
    x1 = exported["'+X-1-A"]
    # Formulas are defused for spreadsheets, numbers are left alone.
    assert x1["product_name"] == "'=HYPERLINK(\"http://evil\",\"点我\")"
    assert exported["'-X-1-B"]["barcode"] == "'@123"
    x2 = exported["X-2"]
    assert x2["product_code"] == "'=X-2"
    assert x2["product_name"] == "'apostrophe, comma"
    assert x2["unit"] == "'@件" and x2["on_shelf"] == "0"
    assert x2["description"] == "'=1+1"
    assert x1["visible"] == "none" and x1["tiers"] == "2:0.00"
    assert x1["category"] == "特殊/符号, \"引号\""
    assert x1["description"] == ("第一段 <b>粗</b> & 'x'\n第一段第二行"
                                 "\n\n第二段")
    assert exported["'-X-1-B"]["retail_price"] == "0.00"
    assert exported["T-LJ-250"]["tiers"] == "10:95.00;50:90.00"
    assert exported["T-LJ-250"]["visible"] == "ordering,wholesale"
    assert exported["X-3-1"]["product_name"] == "<script>alert(1)</script>"


def test_codes_match_as_the_database_compares_them(stack, new_shop,
                                                  tmp_path):
    """Codes are unique under the column's collation: case, width and
    accents do not make a new product or SKU."""
    slug = new_shop()
    rows = [{"product_code": "Café-1", "product_name": "咖啡",
             "sku_code": "ＡＢ-1", "price": "1"}]
    import_file(stack, slug, write_csv(tmp_path / "a.csv", rows))
    rows = [{"product_code": "CAFE-1", "product_name": "咖啡",
             "sku_code": "ab-1", "price": "2"}]
    r = import_file(stack, slug, write_csv(tmp_path / "b.csv", rows))
    assert "新建商品 0，更新商品 1，新建 SKU 0，更新 SKU 1" in r.stdout
    assert counts(stack, slug)["sku"] == 1
    rows.append(dict(rows[0], sku_code="Ab-1"))
    r = import_file(stack, slug, write_csv(tmp_path / "c.csv", rows),
                    check=False)
    assert "第 3 行：sku_code：“Ab-1”与第 2 行重复" in r.stderr
    rows = [{"product_code": "bad code", "product_name": "x",
             "sku_code": "x" * 65, "price": "1", "barcode": "69 01"}]
    r = import_file(stack, slug, write_csv(tmp_path / "d.csv", rows),
                    check=False)
    assert "第 2 行：product_code：不能包含空格或控制字符" in r.stderr
    assert "第 2 行：sku_code：最多 64 个字符" in r.stderr
    assert "第 2 行：barcode：不能包含空格或控制字符" in r.stderr


def test_round_trip_keeps_what_csv_cannot_say(stack, new_shop, tmp_path):
    """A formatted description and a SKU's own unit, set in the admin,
    survive export and import; a changed description or unit does not."""
    slug = new_shop()
    rows = [dict(TEA[0]), dict(TEA[1])]
    import_file(stack, slug, write_csv(tmp_path / "in.csv", rows))
    sid = shop_id(stack, slug)
    rich = "<p><b>明前</b>茶。</p><ul><li>产地：杭州</li><li>250g</li></ul>"
    stack.sql(f"UPDATE product SET description = '{rich}' "
              f"WHERE shop_id = {sid}; UPDATE sku SET unit = '瓶' "
              f"WHERE shop_id = {sid} AND code = 'T-LJ-500'")
    before = catalog_dump(stack, slug)
    out = tmp_path / "out.csv"
    stack.run("export", "products", "--shop", slug, str(out))
    exported = list(csv.DictReader(io.StringIO(
        out.read_text(encoding="utf-8-sig"))))
    assert exported[0]["description"] == "明前茶。\n\n产地：杭州\n\n250g"
    import_file(stack, slug, out)
    assert catalog_dump(stack, slug) == before

    for e in exported:
        e.update(unit="盒", description="新的说明 <i>")
    import_file(stack, slug, write_csv(tmp_path / "new.csv", exported))
    units = dict(stack.sql(f"SELECT code, unit FROM sku "
                           f"WHERE shop_id = {sid}"))
    assert units == {"T-LJ-250": "盒", "T-LJ-500": "瓶"}
    assert stack.sql(f"SELECT unit, description FROM product "
                     f"WHERE shop_id = {sid}") == [
        ("盒", "<p>新的说明 &lt;i&gt;</p>")]


def test_html_in_names_is_stored_as_text(stack, new_shop, tmp_path):
    slug = new_shop()
    import_file(stack, slug, write_csv(tmp_path / "x.csv", TRICKY))
    sid = shop_id(stack, slug)
    got = dict(stack.sql(f"SELECT code, name FROM product "
                         f"WHERE shop_id = {sid}"))
    assert got["X-3"] == "<script>alert(1)</script>"     # escaped on output
    assert got["=X-2"] == "'apostrophe, comma"
    assert got["X-1"] == "=HYPERLINK(\"http://evil\",\"点我\")"
    desc = dict(stack.sql(f"SELECT code, description FROM product "
                          f"WHERE shop_id = {sid}"))
    # Descriptions are stored as HTML made from the text: never raw.
    assert desc["X-3"] == ("<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
                           "<br>&lt;img src=x onerror=y&gt;</p>")
    assert desc["X-1"] == ("<p>第一段 &lt;b&gt;粗&lt;/b&gt; &amp; &#39;x&#39;"
                           "<br>第一段第二行</p><p>第二段</p>")
    assert "<script" not in "".join(desc.values())


def test_ten_thousand_generated_rows(stack, new_shop, tmp_path):
    slug = new_shop()
    gen = subprocess.run([sys.executable, str(GEN), "6000"],
                         capture_output=True, text=True, check=True)
    rows = list(csv.reader(io.StringIO(gen.stdout)))
    # The generator predates 整箱销售: a file without that column.
    header = [h for h in HEADER if h != "pack_only"]
    assert rows[0] == header
    path = write_csv(tmp_path / "big.csv", rows[1:10001], header=header)
    t0 = time.monotonic()
    r = import_file(stack, slug, path)
    took = time.monotonic() - t0
    print(f"\nimport of 10000 generated rows: {took:.2f} s")
    assert "导入完成：10000 行" in r.stdout
    c = counts(stack, slug)
    assert c["sku"] == 10000 and c["product"] == len({r[1] for r in
                                                      rows[1:10001]})
    assert c["category"] == 60          # 10 top levels, 50 below them
    t0 = time.monotonic()
    r = import_file(stack, slug, path)
    print(f"re-import of the same rows: {time.monotonic() - t0:.2f} s")
    assert "新建 SKU 0，更新 SKU 10000" in r.stdout
    assert counts(stack, slug) == c
