"""Tap targets on a phone (issue 9): in a real browser at 390 CSS pixels
wide, the storefront's sort links, category chips (home and list) and
pager links, the main navigation, and the back office's navigation and
pager links and the category tree's links are at least 44 px high, in both themes. Chromium through chromedriver with mobile
emulation, as scripts/screenshots runs it; skipped where they are not
installed (they are not in scripts/deps).

The module makes its categories and products (TT…) in shop-a, switches
the shop's theme by SQL and puts both back at the end."""

import os

import pytest

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
WIDTH, HEIGHT = 390, 844
MIN = 44

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

# Each element's box and a name for the message; only what is shown.
MEASURE_JS = r"""
const out = [];
for (const sel of arguments[0]) {
  for (const e of document.querySelectorAll(sel)) {
    const r = e.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    out.push([sel, e.textContent.trim().slice(0, 12), r.width, r.height]);
  }
}
return out;
"""


@pytest.fixture(scope="module")
def driver():
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--hide-scrollbars",
              "--no-first-run", "--disable-background-networking"):
        o.add_argument(a)
    o.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": WIDTH, "height": HEIGHT, "pixelRatio": 2,
                          "touch": True}})
    d = webdriver.Chrome(service=Service(DRIVER), options=o)
    d.set_page_load_timeout(30)
    yield d
    d.quit()


@pytest.fixture(scope="module")
def shop(stack):
    """A parent and a child category, 60 products in the child (two
    pages), and the shop's theme as it was."""
    theme = stack.sql("SELECT theme FROM shop WHERE slug = 'shop-a'")[0][0]
    stack.sql(f"""
INSERT INTO category (shop_id, parent_id, name, sort) VALUES
  ({A}, NULL, 'TT饮料', 1);
SET @top = LAST_INSERT_ID();
INSERT INTO category (shop_id, parent_id, name, sort) VALUES
  ({A}, @top, 'TT矿泉水', 1);
SET @child = LAST_INSERT_ID();
INSERT INTO product (shop_id, category_id, code, name, unit, description)
  SELECT {A}, @child, CONCAT('TT-', seq), CONCAT('TT山泉水 ', seq), '箱', ''
  FROM seq_1_to_60;
INSERT INTO sku (shop_id, product_id, code, unit, stock, price_fen)
  SELECT {A}, id, CONCAT(code, '-1'), unit, 100, 2400 FROM product
  WHERE code LIKE 'TT-%';
UPDATE shop SET version = version + 1;
""")
    child = int(stack.sql(f"SELECT id FROM category WHERE shop_id = {A} "
                          f"AND name = 'TT矿泉水'")[0][0])
    staff = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    yield {"child": child, "sid": staff.cookies.get("sid")}
    stack.sql(f"""
DELETE FROM product WHERE code LIKE 'TT-%';
DELETE FROM category WHERE shop_id = {A} AND name = 'TT矿泉水';
DELETE FROM category WHERE shop_id = {A} AND name = 'TT饮料';
UPDATE shop SET theme = '{theme}', version = version + 1
  WHERE slug = 'shop-a';
""")
    set_theme(stack, theme)


def set_theme(stack, theme):
    stack.sql(f"UPDATE shop SET theme = '{theme}', version = version + 1 "
              f"WHERE slug = 'shop-a'")
    s = stack.session()
    stack.every_worker(lambda: s.get(stack.url("/s/shop-a/")), lambda r:
                       ("/static/fresh/theme.css" in r.text) ==
                       (theme == "fresh"), timeout=5)


def measure(driver, url, selectors):
    driver.get(url)
    got = driver.execute_script(MEASURE_JS, selectors)
    for sel in selectors:
        assert any(g[0] == sel for g in got), (url, sel, "not on the page")
    return [(url.split("/s/shop-a", 1)[1], *g) for g in got if g[3] < MIN]


@pytest.mark.parametrize("theme", ["default", "fresh"])
def test_tap_targets_are_44px_high(stack, driver, shop, theme):
    set_theme(stack, theme)
    base = stack.url("/s/shop-a")
    lst = f"{base}/wholesale/products?cat={shop['child']}&sort=-price"
    short = []
    # The home page's categories: chips in default, tiles in fresh.
    short += measure(driver, f"{base}/", [".home-cats a" if theme ==
                                          "default" else ".tile-cat"])
    short += measure(driver, lst, [".sorts a", ".chips a", ".pager a",
                                   ".topnav a" if theme == "default" else
                                   ".tabbar a"])
    short += measure(driver, lst + "&page=2", [".pager a"])
    driver.get(f"{base}/")
    driver.add_cookie({"name": "sid", "value": shop["sid"], "path": "/"})
    for page in ("/admin", "/admin/products", f"/admin/products?page=2"):
        short += measure(driver, base + page, [".adminnav a"])
    short += measure(driver, f"{base}/admin/products?q=TT-", [".pager a"])
    short += measure(driver, f"{base}/admin/categories", [".cat-tree a"])
    assert not short, "\n".join(
        f"{p} {sel} “{text}”: {w:.0f}x{h:.0f}" for p, sel, text, w, h in
        short)
