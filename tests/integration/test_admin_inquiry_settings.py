"""Back-office inquiries (list, assign, answer, close; the customer's own
view of the answers) and the brand settings page (strict validation, theme
switch, every worker showing a change within a second)."""

import datetime
import html
import re
import time

import pytest

from helpers import csrf_of, get_csrf

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
B = "(SELECT id FROM shop WHERE slug = 'shop-b')"
OTHER_BUYER = "13700000019"      # a second customer company of shop-a
SERVICE_PHONE = "13800000005"    # a service-role staff member of shop-a
PRODUCT = "AI-TEA"


def one(stack, query):
    rows = stack.sql(query)
    assert len(rows) == 1, (query, rows)
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


@pytest.fixture(scope="module")
def seeded(stack):
    """A product with a tier to ask about, a second customer company and
    a service staff member in shop-a."""
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({A}, '{PRODUCT}', '询价测试绿茶', '箱', '');
INSERT INTO sku (shop_id, product_id, code, spec, unit, stock, price_fen)
  VALUES ({A}, LAST_INSERT_ID(), 'AI-TEA-1', '规格:10kg', '箱', 100, 8800);
INSERT INTO price_tier (shop_id, sku_id, min_qty, price_fen)
  SELECT {A}, id, 50, 8000 FROM sku WHERE code = 'AI-TEA-1';
INSERT INTO customer (shop_id, name) VALUES ({A}, '丙公司');
INSERT INTO customer_user (shop_id, customer_id, name, phone, password_hash)
  SELECT {A}, LAST_INSERT_ID(), '丙采购', '{OTHER_BUYER}', password_hash
  FROM customer_user WHERE shop_id = {A} AND phone = '13900000000';
INSERT INTO staff (shop_id, name, phone, password_hash, role)
  SELECT {A}, '客服小周', '{SERVICE_PHONE}', password_hash, 'service'
  FROM staff WHERE shop_id = {A} AND phone = '13800000000';
UPDATE shop SET version = version + 1;
""")
    yield one(stack, f"SELECT id FROM product WHERE code = '{PRODUCT}'")
    stack.sql(f"""
DELETE it FROM inquiry_item it JOIN inquiry i ON i.id = it.inquiry_id
  WHERE i.contact_phone LIKE '136111100%' OR it.product_id IN
  (SELECT id FROM product WHERE code = '{PRODUCT}');
DELETE FROM inquiry WHERE contact_phone LIKE '136111100%'
  OR message LIKE 'AI:%';
DELETE FROM product WHERE code = '{PRODUCT}';
DELETE FROM session WHERE staff_id IN
  (SELECT id FROM staff WHERE phone = '{SERVICE_PHONE}');
DELETE FROM staff WHERE phone = '{SERVICE_PHONE}';
DELETE FROM customer_user WHERE phone = '{OTHER_BUYER}';
DELETE FROM customer WHERE name = '丙公司';
UPDATE shop SET version = version + 1;
""")


def guest_inquiry(stack, product, name="孙老板", phone="13611110001",
                  qty=30):
    r = stack.session().post(
        stack.url("/s/shop-a/api/v1/inquiries"),
        json={"contact_name": name, "contact_phone": phone,
              "company": "孙记茶行", "product_id": product, "qty": qty,
              "message": "AI: 请报最低价"})
    assert r.status_code == 200, r.text
    return r.json()["data"]["id"]


def owner(stack, shop="shop-a"):
    return stack.login(stack.owner_phone, stack.password, shop, staff=True)


def post(stack, s, path, data, csrf_from=None):
    data = dict(data)
    data["csrf"] = get_csrf(stack, s, csrf_from or path.rsplit("/", 1)[0])
    return s.post(stack.url(path), data=data, allow_redirects=False)


# -- inquiries ----------------------------------------------------------


def test_list_shows_guest_inquiry(stack, seeded):
    iid = guest_inquiry(stack, seeded)
    s = owner(stack)
    r = s.get(stack.url("/s/shop-a/admin/inquiries"))
    assert r.status_code == 200
    for text in ("孙老板", "13611110001", "孙记茶行", "询价测试绿茶 × 30",
                 "待处理", "未分配", f"/s/shop-a/admin/inquiries/{iid}"):
        assert text in r.text, text
    # Shown in China Standard Time, stored in UTC.
    utc = one(stack, f"SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i') "
              f"FROM inquiry WHERE id = {iid}")
    local = datetime.datetime.strptime(utc, "%Y-%m-%d %H:%M") + \
        datetime.timedelta(hours=8)
    assert local.strftime("%Y-%m-%d %H:%M") in r.text
    # Search by company, phone and contact; other statuses; empty state.
    for q in ("孙记", "1361111000", "孙老"):
        r = s.get(stack.url("/s/shop-a/admin/inquiries"), params={"q": q})
        assert "孙记茶行" in r.text, q
    r = s.get(stack.url("/s/shop-a/admin/inquiries"), params={"q": "%"})
    assert "孙记茶行" not in r.text          # a wildcard is a character
    r = s.get(stack.url("/s/shop-a/admin/inquiries?status=closed"))
    assert r.status_code == 200 and "孙记茶行" not in r.text
    r = s.get(stack.url("/s/shop-a/admin/inquiries?q=没有这个人"))
    assert "没有符合条件的询价" in r.text
    j = s.get(stack.url("/s/shop-a/admin/inquiries"),
              headers={"Accept": "application/json"}).json()["data"]
    row = next(x for x in j["inquiries"] if x["id"] == iid)
    assert row["items"] == [{"name": "询价测试绿茶", "unit": "箱",
                             "qty": 30}]
    assert row["status"] == "open" and j["page"] == 1


def test_assign_answer_and_customer_sees_answer(stack, seeded):
    buyer = stack.login(stack.buyer_phone, stack.password, "shop-a")
    tok = get_csrf(stack, buyer, f"/s/shop-a/inquiry?product={seeded}")
    r = buyer.post(stack.url("/s/shop-a/inquiry"), data={
        "csrf": tok, "product_id": seeded, "qty": "60",
        "contact_name": "张采购", "contact_phone": "13611110002",
        "message": "AI: 月底要货"})
    assert r.status_code == 200 and "询价已提交" in r.text
    iid = one(stack, "SELECT id FROM inquiry WHERE contact_phone = "
              "'13611110002'")
    s = owner(stack)
    r = s.get(stack.url(f"/s/shop-a/admin/inquiries/{iid}"))
    assert r.status_code == 200
    # Today's base price and tiers, the customer behind the inquiry.
    for text in ("AI-TEA", "需要 60 箱", "¥88.00", "≥50 ¥80.00",
                 "张采购", "月底要货"):
        assert text in r.text, text
    sales_id = one(stack, f"SELECT id FROM staff WHERE shop_id = {A} "
                   f"AND phone = '{stack.sales_phone}'")
    r = post(stack, s, f"/s/shop-a/admin/inquiries/{iid}/assign",
             {"staff_id": sales_id})
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"/{iid}?done=assigned")
    assert one(stack, f"SELECT assigned_staff_id FROM inquiry "
               f"WHERE id = {iid}") == sales_id
    assert "已分配" in s.get(stack.url(r.headers["Location"])).text

    # Sales finds it under "assigned to me" and answers with a quote.
    sales = stack.login(stack.sales_phone, stack.password, "shop-a",
                        staff=True)
    r = sales.get(stack.url("/s/shop-a/admin/inquiries?mine=1"))
    assert "13611110002" in r.text and "13611110001" not in r.text
    item = one(stack, f"SELECT id FROM inquiry_item WHERE inquiry_id = "
               f"{iid}")
    r = post(stack, sales, f"/s/shop-a/admin/inquiries/{iid}/answer",
             {"answer": "60 箱可以按 85.50 元/箱，含运费。",
              f"quote_{item}": "85.50"}, csrf_from=f"/s/shop-a/admin/"
             f"inquiries/{iid}")
    assert r.status_code == 303, r.text
    row = stack.sql(f"SELECT i.status, i.answered_at IS NOT NULL, "
                    f"it.quoted_price_fen FROM inquiry i JOIN inquiry_item "
                    f"it ON it.inquiry_id = i.id WHERE i.id = {iid}")
    assert row == [("answered", "1", "8550")]
    assert one(stack, f"SELECT COUNT(*) FROM audit_log WHERE action = "
               f"'inquiry.answer' AND detail LIKE 'inquiry={iid} %'") == "1"
    r = sales.get(stack.url("/s/shop-a/admin/inquiries?status=answered"))
    assert "13611110002" in r.text and "已回复" in r.text

    # Anyone of the asking company sees the answer; another company not.
    colleague = stack.login("13900000002", stack.password, "shop-a")
    for path in ("/s/shop-a/account/inquiries",
                 f"/s/shop-a/account/inquiries/{iid}"):
        r = colleague.get(stack.url(path))
        assert r.status_code == 200, path
        assert "按 85.50 元/箱" in r.text and "¥85.50" in r.text, path
    other = stack.login(OTHER_BUYER, stack.password, "shop-a")
    r = other.get(stack.url("/s/shop-a/account/inquiries"))
    assert r.status_code == 200 and "85.50" not in r.text
    assert "还没有询价记录" in r.text
    r = other.get(stack.url(f"/s/shop-a/account/inquiries/{iid}"))
    assert r.status_code == 404 and "85.50" not in r.text
    r = other.get(stack.url(f"/s/shop-a/api/v1/account/inquiries/{iid}"))
    assert r.status_code == 404
    # Guests are sent to log in.
    r = stack.session().get(stack.url("/s/shop-a/account/inquiries"),
                            allow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["Location"]


def test_staff_see_the_asking_customers_own_price(stack, seeded):
    """Quoting above a customer's contract price is a mistake the page
    prevents: next to base and tiers, what this customer pays."""
    buyer = stack.login(stack.buyer_phone, stack.password, "shop-a")
    tok = get_csrf(stack, buyer, f"/s/shop-a/inquiry?product={seeded}")
    r = buyer.post(stack.url("/s/shop-a/inquiry"), data={
        "csrf": tok, "product_id": seeded, "qty": "60",
        "contact_name": "张采购", "contact_phone": "13611110007",
        "message": "AI: 合同价"})
    assert r.status_code == 200
    iid = one(stack, "SELECT id FROM inquiry WHERE contact_phone = "
              "'13611110007'")
    cust = one(stack, f"SELECT customer_id FROM customer_user WHERE "
               f"shop_id = {A} AND phone = '{stack.buyer_phone}'")
    stack.sql(f"INSERT INTO contract_price (shop_id, customer_id, sku_id, "
              f"price_fen) SELECT {A}, {cust}, id, 7000 FROM sku "
              f"WHERE code = 'AI-TEA-1'")
    try:
        page = owner(stack).get(stack.url(
            f"/s/shop-a/admin/inquiries/{iid}")).text
        assert "该客户买 60 箱的价格 ¥70.00" in page, page
        assert "客户合同价" in page
        gid = guest_inquiry(stack, seeded, phone="13611110008")
        page = owner(stack).get(stack.url(
            f"/s/shop-a/admin/inquiries/{gid}")).text
        assert "该客户" not in page and "≥50 ¥80.00" in page
    finally:
        stack.sql(f"DELETE FROM contract_price WHERE customer_id = {cust}")


def test_answer_close_and_bad_input(stack, seeded):
    iid = guest_inquiry(stack, seeded, phone="13611110003")
    item = one(stack, f"SELECT id FROM inquiry_item WHERE inquiry_id = "
               f"{iid}")
    s = owner(stack)
    page = f"/s/shop-a/admin/inquiries/{iid}"
    r = post(stack, s, page + "/answer", {"answer": "", f"quote_{item}":
                                          "abc"}, csrf_from=page)
    assert r.status_code == 400
    assert "回复内容：请填写" in r.text and "询价测试绿茶 报价" in r.text
    r = post(stack, s, page + "/answer", {"answer": "x" * 4001},
             csrf_from=page)
    assert r.status_code == 400 and "最多 4000 个字" in r.text
    b_staff = one(stack, f"SELECT id FROM staff WHERE shop_id = {B} "
                  f"AND phone = '{stack.owner_phone}'")
    r = post(stack, s, page + "/assign", {"staff_id": b_staff},
             csrf_from=page)
    assert r.status_code == 400 and "在职员工" in r.text
    stack.sql(f"UPDATE staff SET status = 'departed' WHERE phone = "
              f"'{SERVICE_PHONE}'")
    try:
        svc = one(stack, f"SELECT id FROM staff WHERE phone = "
                  f"'{SERVICE_PHONE}'")
        assert f'value="{svc}"' not in s.get(stack.url(page)).text
        r = post(stack, s, page + "/assign", {"staff_id": svc},
                 csrf_from=page)
        assert r.status_code == 400
    finally:
        stack.sql(f"UPDATE staff SET status = 'active' WHERE phone = "
                  f"'{SERVICE_PHONE}'")
    assert one(stack, f"SELECT CONCAT(status, '/', "
               f"COALESCE(assigned_staff_id, '-')) FROM inquiry "
               f"WHERE id = {iid}") == "open/-"
    r = post(stack, s, page + "/close", {}, csrf_from=page)
    assert r.status_code == 303
    assert one(stack, f"SELECT status FROM inquiry WHERE id = {iid}") == \
        "closed"
    r = post(stack, s, page + "/answer", {"answer": "晚了"},
             csrf_from=page)
    assert r.status_code == 409
    r = s.get(stack.url("/s/shop-a/admin/inquiries?status=closed"))
    assert "13611110003" in r.text


def test_search_counts_characters_and_audit_too(stack, seeded):
    s = owner(stack)
    r = s.get(stack.url("/s/shop-a/admin/inquiries"), params={"q": "孙" * 100})
    assert r.status_code == 200 and "没有符合条件的询价" in r.text
    r = s.get(stack.url("/s/shop-a/admin/inquiries"), params={"q": "孙" * 101})
    assert r.status_code == 400 and "搜索词太长" in r.text
    iid = guest_inquiry(stack, seeded, phone="13611110006")
    page = f"/s/shop-a/admin/inquiries/{iid}"
    r = post(stack, s, page + "/answer", {"answer": "好的，明天发货"},
             csrf_from=page)
    assert r.status_code == 303, r.text[:300]
    assert one(stack, f"SELECT detail FROM audit_log WHERE action = "
               f"'inquiry.answer' AND detail LIKE 'inquiry={iid} %'") == \
        f"inquiry={iid} quoted=0 answer_chars=7"


def test_csrf_missing_is_forbidden(stack, seeded):
    iid = guest_inquiry(stack, seeded, phone="13611110004")
    s = owner(stack)
    for action, data in (("answer", {"answer": "好"}), ("close", {}),
                         ("assign", {"staff_id": "1"})):
        r = s.post(stack.url(f"/s/shop-a/admin/inquiries/{iid}/{action}"),
                   data=data, allow_redirects=False)
        assert r.status_code == 403, action
    assert one(stack, f"SELECT CONCAT(status, answer) FROM inquiry "
               f"WHERE id = {iid}") == "open"


def test_other_shop_cannot_open_inquiry(stack, seeded):
    iid = guest_inquiry(stack, seeded, phone="13611110005")
    b = owner(stack, "shop-b")
    r = b.get(stack.url(f"/s/shop-b/admin/inquiries/{iid}"))
    assert r.status_code == 404 and "13611110005" not in r.text
    assert "13611110005" not in b.get(
        stack.url("/s/shop-b/admin/inquiries?status=all")).text
    tok = get_csrf(stack, b, "/s/shop-b/admin")
    for action, data in (("answer", {"answer": "好"}), ("close", {}),
                         ("assign", {"staff_id": "1"})):
        data["csrf"] = tok
        r = b.post(stack.url(f"/s/shop-b/admin/inquiries/{iid}/{action}"),
                   data=data, allow_redirects=False)
        assert r.status_code == 404, action
    assert one(stack, f"SELECT status FROM inquiry WHERE id = {iid}") == \
        "open"
    for bad in ("0", "abc", "99999999999"):
        r = b.get(stack.url(f"/s/shop-b/admin/inquiries/{bad}"))
        assert r.status_code == 404, bad


def test_roles(stack, seeded):
    svc = stack.login(SERVICE_PHONE, stack.password, "shop-a", staff=True)
    assert svc.get(stack.url("/s/shop-a/admin/inquiries")).status_code == 200
    assert svc.get(stack.url("/s/shop-a/admin/settings")).status_code == 403
    r = stack.session().get(stack.url("/s/shop-a/admin/inquiries"),
                            allow_redirects=False)
    assert r.status_code == 303 and "/admin/login" in r.headers["Location"]
    buyer = stack.login(stack.buyer_phone, stack.password, "shop-a")
    r = buyer.get(stack.url("/s/shop-a/admin/inquiries"),
                  allow_redirects=False)
    assert r.status_code in (303, 401, 403)


# -- settings -------------------------------------------------------------

SHOP_COLS = ("name, theme, logo_url, color_primary, contact_phone, "
             "footer_text, modes, hide_wholesale_prices, tax_normal_bp, "
             "tax_special_bp")


@pytest.fixture
def restore_shop(stack):
    """Put shop-a's settings back as they were: other modules share it."""
    before = one(stack, f"SELECT {SHOP_COLS} FROM shop WHERE slug = "
                 f"'shop-a'")
    yield before
    cols = [c.strip() for c in SHOP_COLS.split(",")]
    sets = ", ".join(f"{c} = '{v.replace(chr(39), chr(39) * 2)}'"
                     for c, v in zip(cols, before))
    stack.sql(f"UPDATE shop SET {sets}, version = version + 1 "
              f"WHERE slug = 'shop-a'")
    # Every worker shows it again before the next test reads.
    name, theme = html.escape(before[0]), before[1]
    s = stack.session()
    stack.every_worker(lambda: s.get(stack.url("/s/shop-a/")), lambda r:
                       name in r.text and ("/static/fresh/theme.css" in
                                           r.text) == (theme == "fresh"),
                       timeout=5)


def settings_form(stack, before, **change):
    name, theme, logo, color, phone, footer, modes, hide, tn, ts = before
    form = {"name": name, "theme": theme, "logo_url": logo,
            "color_primary": color, "contact_phone": phone,
            "footer_text": footer, "tax_normal_pct": str(int(tn) / 100),
            "tax_special_pct": str(int(ts) / 100)}
    for m in modes.split(","):
        form[f"mode_{m}"] = "1"
    if hide == "1":
        form["hide_wholesale_prices"] = "1"
    form.update(change)
    return {k: v for k, v in form.items() if v is not None}


def save(stack, s, form):
    return post(stack, s, "/s/shop-a/admin/settings", form,
                csrf_from="/s/shop-a/admin/settings")


def home_on_every_worker(stack, test, saved_at):
    """Every worker's home page passes test within a second of the save."""
    s = stack.session()
    stack.every_worker(lambda: s.get(stack.url("/s/shop-a/")),
                       lambda r: test(r.text), timeout=5, by=saved_at + 1.5)


def test_settings_change_shows_within_a_second(stack, restore_shop):
    s = owner(stack)
    r = s.get(stack.url("/s/shop-a/admin/settings"))
    assert r.status_code == 200 and 'name="color_primary"' in r.text
    r = save(stack, s, settings_form(
        stack, restore_shop, name="甲商行·新", color_primary="#1A7F5A",
        contact_phone="+86 571-8888 0000", footer_text="杭州 · 茶叶批发",
        tax_normal_pct="3.5", tax_special_pct="13"))
    saved = time.monotonic()
    assert r.status_code == 303, r.text
    assert r.headers["Location"].endswith("/admin/settings?done=saved")
    home_on_every_worker(
        stack, lambda t: "甲商行·新" in t and "--primary:#1a7f5a" in t and
        "+86 571-8888 0000" in t, saved)
    row = one(stack, f"SELECT {SHOP_COLS} FROM shop WHERE slug = 'shop-a'")
    assert row[3] == "#1a7f5a" and row[8:] == ("350", "1300")
    assert one(stack, "SELECT COUNT(*) FROM audit_log WHERE action = "
               "'settings.save' AND detail LIKE '%color=#1a7f5a%'") >= "1"
    page = s.get(stack.url("/s/shop-a/admin/settings")).text
    assert 'value="3.5"' in page and 'value="13"' in page


def test_settings_audit_keeps_whole_characters(stack, restore_shop):
    """The audit records the texts a save changed; cut to the column's
    1000 characters at a character, never in the middle of one (the
    insert, and the save with it, would fail)."""
    s = owner(stack)
    logo = "/static/" + "l" * 400 + ".png"
    r = save(stack, s, settings_form(
        stack, restore_shop, name="长" * 100, contact_phone="0571-1234",
        logo_url=logo, footer_text="页" * 500))
    assert r.status_code == 303, r.text[:300]
    detail = one(stack, "SELECT detail FROM audit_log WHERE action = "
                 "'settings.save' ORDER BY id DESC LIMIT 1")
    assert detail.startswith("name=" + "长" * 100 + " theme=")
    assert f" phone=0571-1234 logo={logo} footer=页页页" in detail
    assert len(detail) == 1000 and detail.endswith("页…")
    r = save(stack, s, settings_form(stack, restore_shop,
                                     footer_text="短页脚"))
    assert r.status_code == 303
    detail = one(stack, "SELECT detail FROM audit_log WHERE action = "
                 "'settings.save' ORDER BY id DESC LIMIT 1")
    assert detail.endswith(" footer=短页脚")


def test_settings_bad_input_changes_nothing(stack, restore_shop):
    s = owner(stack)
    version = one(stack, "SELECT version FROM shop WHERE slug = 'shop-a'")
    for field, value in (
            ("color_primary", "red;}body{display:none"),
            ("color_primary", "#12345g"),
            ("color_primary", "#1234567"),
            ("logo_url", "javascript:alert(1)"),
            ("logo_url", '/uploads/a".png'),
            ("logo_url", "http://example.com/a.png"),
            ("logo_url", "https://cdn.example.com/a.png"),
            ("logo_url", "/uploads/../dinghuo.conf"),
            ("contact_phone", "call me"),
            ("tax_normal_pct", "20.01"),
            ("tax_special_pct", "1.234"),
            ("theme", "nosuchtheme"),
            ("theme", "../default"),
            ("name", "")):
        r = save(stack, s, settings_form(stack, restore_shop,
                                         **{field: value}))
        assert r.status_code == 400, (field, value, r.status_code)
    # Every bad field is named at once.
    r = save(stack, s, settings_form(
        stack, restore_shop, name="长" * 101, color_primary="red",
        contact_phone="x", tax_normal_pct="21", mode_ordering=None,
        mode_wholesale=None, mode_retail=None))
    assert r.status_code == 400
    for label in ("店铺名称", "主色", "联系电话", "普票税点", "订货商城"):
        assert label in r.text, label
    assert "red" in r.text                   # what was typed, refilled
    assert one(stack, f"SELECT {SHOP_COLS} FROM shop WHERE slug = "
               f"'shop-a'") == restore_shop
    assert one(stack, "SELECT version FROM shop WHERE slug = 'shop-a'") \
        == version
    assert "display:none" not in stack.session().get(
        stack.url("/s/shop-a/")).text
    j = s.post(stack.url("/s/shop-a/admin/settings"),
               headers={"Accept": "application/json"},
               data=dict(settings_form(stack, restore_shop,
                                       color_primary="blue"),
                         csrf=get_csrf(stack, s, "/s/shop-a/admin/settings")))
    assert j.status_code == 400 and "主色" in j.json()["error"]["message"]


def test_settings_theme_switch(stack, restore_shop):
    s = owner(stack)
    page = s.get(stack.url("/s/shop-a/admin/settings")).text
    assert 'value="fresh"' in page and 'value="default"' in page
    assert 'class="tabbar"' not in stack.session().get(
        stack.url("/s/shop-a/")).text
    r = save(stack, s, settings_form(stack, restore_shop, theme="fresh"))
    saved = time.monotonic()
    assert r.status_code == 303
    home_on_every_worker(
        stack, lambda t: 'class="tabbar"' in t and
        "/static/fresh/theme.css" in t, saved)
    # Pages the theme does not override fall back to default's.
    for path in ("/s/shop-a/login", "/s/shop-a/inquiry",
                 "/s/shop-a/wholesale/products"):
        r = stack.session().get(stack.url(path))
        assert r.status_code == 200 and 'class="tabbar"' in r.text, path
    r = stack.session().get(stack.url("/s/shop-a/no-such-page"))
    assert r.status_code == 404 and 'class="tabbar"' in r.text


def test_settings_roles(stack, restore_shop):
    sales = stack.login(stack.sales_phone, stack.password, "shop-a",
                        staff=True)
    assert sales.get(stack.url("/s/shop-a/admin/settings")).status_code \
        == 403
    tok = get_csrf(stack, sales, "/s/shop-a/admin")
    form = settings_form(stack, restore_shop, name="被改了")
    form["csrf"] = tok
    r = sales.post(stack.url("/s/shop-a/admin/settings"), data=form,
                   allow_redirects=False)
    assert r.status_code == 403
    assert one(stack, "SELECT name FROM shop WHERE slug = 'shop-a'") == \
        restore_shop[0]
    # CSRF is checked for the owner too.
    s = owner(stack)
    form.pop("csrf")
    r = s.post(stack.url("/s/shop-a/admin/settings"), data=form,
               allow_redirects=False)
    assert r.status_code == 403
