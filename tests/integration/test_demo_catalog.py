"""The demo shop is a believable wholesaler (issue 9): scripts/demo/load,
what scripts/dev-up runs, builds it into a database of its own on the
stack's MariaDB (catalog, drawn pictures, `dinghuo import products` and
`import images`, the price and order SQL), and then each category holds
products that belong to it, every product has its pictures, units and
case sizes are set, the tiers start above the minimum order, and spec
values fit the goods (no 香辣 water, no coloured oil).

Needs cc, libgd and freetype's headers (scripts/deps) to draw; the
database and its uploads folder are removed at the end."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

DB = "dinghuo_demo"
SHOP = "(SELECT id FROM shop WHERE slug = 'demo')"

# What a product's name says, by its category: one of these words.
WORDS = {
    "矿泉水": "水", "茶饮料": "茶", "果汁": "汁|果粒", "碳酸饮料": "汽水|可乐",
    "功能饮料": "饮料|电解质", "纯牛奶": "奶", "酸奶": "酸奶|乳酸菌",
    "薯片": "薯片|虾片", "饼干": "饼|派", "坚果炒货": "花生|瓜子|坚果|腰果",
    "糖果": "糖", "方便面": "面", "速食罐头": "罐头|火腿肠|米饭|粥",
    "大米": "米", "食用油": "油", "酱油醋": "酱油|醋|抽|蚝油",
    "调味料": "盐|酱|料酒|糖|鸡精", "纸品": "纸|巾", "洗衣用品": "洗衣|衣物",
    "厨房清洁": "洗洁精|油污|百洁布|垃圾袋",
    "个人护理": "洗发|沐浴|皂|牙膏|牙刷", "啤酒": "啤", "白酒": "白酒|二锅头",
}
# And what it must not say, by its top category.
NOT = {"饮料": "纸|巾|洗|皂|牙|油|面", "乳品": "纸|巾|洗|皂|牙|油|面",
       "酒水": "纸|巾|洗|皂|牙|油|面", "休闲食品": "纸|巾|洗|皂|牙",
       "方便速食": "纸|巾|洗|皂|牙", "粮油调味": "纸|巾|洗|皂|牙",
       "日化清洁": "饮料|奶|茶|汁|啤|饼|面|米"}
# The spec names a SKU may have, by top category.
SPECS = {"日化清洁": {"规格", "香型"}}
FOOD_SPECS = {"规格", "口味"}


def demo_sql(stack, query):
    return stack.sql(query, db=DB)


@pytest.fixture(scope="module")
def demo(stack, tmp_path_factory):
    if shutil.which("cc") is None or subprocess.run(
            ["pkg-config", "--exists", "gdlib", "freetype2"]).returncode:
        pytest.skip("cc, libgd or freetype headers missing (scripts/deps)")
    tmp = tmp_path_factory.mktemp("demo")
    stack.sql(f"DROP DATABASE IF EXISTS {DB}; CREATE DATABASE {DB}; "
              f"GRANT ALL PRIVILEGES ON {DB}.* TO 'dinghuo'@'localhost'; "
              f"GRANT ALL PRIVILEGES ON {DB}.* TO 'dinghuo'@'127.0.0.1'")
    conf = tmp / "dinghuo.conf"
    text = stack.conf.read_text()
    for key, value in (("db_name", DB), ("uploads_dir", tmp / "uploads"),
                       ("private_dir", tmp / "private")):
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        assert n == 1, key
    conf.write_text(text)
    (tmp / "uploads").mkdir()
    (tmp / "private").mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DINGHUO_")}
    # Beside the binary, as dev-up keeps it: compiled once.
    env["DEMO_DRAW"] = str(stack.bin.parent / "demo-draw")

    def app(*args):
        subprocess.run([str(stack.bin), "-c", str(conf), *args], env=env,
                       check=True, capture_output=True, timeout=120)
    app("migrate")
    app("demo", "--slug", "demo", "--name", "惠万家副食批发")
    r = subprocess.run([str(ROOT / "scripts" / "demo" / "load"),
                        str(stack.bin), str(conf), str(stack.mysql_sock), DB,
                        str(tmp / "out")], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    yield {"uploads": tmp / "uploads"}
    stack.sql(f"DROP DATABASE IF EXISTS {DB}")


def products(stack):
    """(code, name, unit, top category, leaf category) of each product."""
    return demo_sql(stack, f"""
SELECT p.code, p.name, p.unit, t.name, c.name FROM product p
  JOIN category c ON c.id = p.category_id
  JOIN category t ON t.id = c.parent_id
  WHERE p.shop_id = {SHOP} ORDER BY p.code""")


def test_each_category_holds_what_belongs_to_it(stack, demo):
    rows = products(stack)
    assert len(rows) >= 60, len(rows)
    assert int(demo_sql(stack, f"SELECT COUNT(*) FROM product WHERE shop_id "
                        f"= {SHOP} AND category_id IS NULL")[0][0]) == 0
    wrong = []
    for code, name, _, top, leaf in rows:
        goods = name.split(" ", 1)[-1]          # without the brand
        if leaf not in WORDS or not re.search(WORDS[leaf], goods) or \
                re.search(NOT[top], goods):
            wrong.append((code, name, f"{top}/{leaf}"))
    assert not wrong, wrong
    # Every leaf has products; no category is left empty.
    leaves = {r[4] for r in rows}
    assert leaves == set(WORDS), set(WORDS) ^ leaves


def test_every_product_has_its_pictures(stack, demo):
    rows = demo_sql(stack, f"""
SELECT p.code, COUNT(i.id), MIN(i.path), MIN(i.thumb_path) FROM product p
  LEFT JOIN product_image i ON i.product_id = p.id
  WHERE p.shop_id = {SHOP} GROUP BY p.id ORDER BY p.code""")
    short = [r[0] for r in rows if int(r[1]) < 2]
    assert not short, short
    for code, _, path, thumb in rows:
        for f in (path, thumb):
            assert (demo["uploads"] / f).stat().st_size > 2000, (code, f)


def test_units_and_case_sizes_are_set(stack, demo):
    rows = demo_sql(stack, f"""
SELECT s.code, s.unit, s.pack_size, s.min_qty, s.weight_g, s.barcode,
  s.price_fen, s.retail_price_fen FROM sku s
  WHERE s.shop_id = {SHOP} ORDER BY s.code""")
    assert len(rows) >= len(products(stack))
    bad = [r for r in rows if not r[1] or int(r[2]) < 2 or int(r[3]) < 1 or
           int(r[4]) <= 0 or not re.fullmatch(r"69\d{11}", r[5] or "") or
           int(r[6]) <= 0 or (r[7] is not None and int(r[7]) < int(r[6]))]
    assert not bad, bad
    assert all(r[2] for r in products(stack))          # the product's unit


def test_tiers_start_above_the_minimum_order(stack, demo):
    rows = demo_sql(stack, f"""
SELECT s.code, s.min_qty, s.pack_size, s.price_fen,
  GROUP_CONCAT(t.min_qty, ':', t.price_fen ORDER BY t.min_qty)
  FROM sku s JOIN price_tier t ON t.sku_id = s.id
  WHERE s.shop_id = {SHOP} GROUP BY s.id ORDER BY s.code""")
    assert len(rows) >= 50, len(rows)
    bad = []
    for code, minq, pack, price, tiers in rows:
        last_q, last_p = int(minq), int(price)
        for t in tiers.split(","):
            q, p = map(int, t.split(":"))
            # Above the minimum and the tier before, cheaper than it.
            if q <= last_q or p >= last_p:
                bad.append((code, minq, price, tiers))
                break
            last_q, last_p = q, p
    assert not bad, bad


def test_spec_values_fit_the_goods(stack, demo):
    rows = demo_sql(stack, f"""
SELECT s.code, s.spec, t.name FROM sku s JOIN product p ON p.id = s.product_id
  JOIN category c ON c.id = p.category_id JOIN category t ON t.id = c.parent_id
  WHERE s.shop_id = {SHOP} ORDER BY s.code""")
    bad = []
    for code, spec, top in rows:
        names = {part.split(":", 1)[0] for part in spec.split(";") if part}
        if not names or not names <= SPECS.get(top, FOOD_SPECS):
            bad.append((code, spec, top))
    assert not bad, bad
