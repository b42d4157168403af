"""Self-registration (issue 10): a visitor applies to become a dealer with
the company's details, a business licence photo and a password; staff
approve the application into a customer company with a member level, or
reject it with a reason the applicant reads. What this module makes is
named DS... (phones 135550...) and removed at the end."""

import os
import re
import threading
from urllib.parse import urlsplit

import pytest

from helpers import csrf_of, get_csrf
from test_admin_catalog import png

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
B = "(SELECT id FROM shop WHERE slug = 'shop-b')"
FORM = "/s/shop-a/dealer/apply"
LIST = "/s/shop-a/admin/customers/applications"
PASSWORD = "dealer-pass-1"
PRICE, LEVEL_PRICE = 10000, 8000        # base 100.00, the level's 80 %


def one(stack, query):
    rows = stack.sql(query)
    assert len(rows) == 1, (query, rows)
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


@pytest.fixture(scope="module")
def level(stack):
    """Level DS金牌 (80 % of base) and product DS-P (100.00) in shop-a.
    Yields (level id, product id)."""
    stack.sql(f"""
INSERT INTO member_level (shop_id, name) VALUES ({A}, 'DS金牌');
INSERT INTO price_list (shop_id, level_id, name, percent_bp)
  VALUES ({A}, LAST_INSERT_ID(), 'DS金牌价', 8000);
INSERT INTO product (shop_id, code, name, unit, description, visible)
  VALUES ({A}, 'DS-P', '经销测试品', '箱', '', 'ordering,wholesale');
INSERT INTO sku (shop_id, product_id, code, spec, unit, min_qty, stock,
  price_fen) VALUES ({A}, LAST_INSERT_ID(), 'DS-1', '', '箱', 1, 100,
  {PRICE});
UPDATE shop SET version = version + 1;
""")
    lid = one(stack, f"SELECT id FROM member_level WHERE name = 'DS金牌'")
    pid = one(stack, "SELECT id FROM product WHERE code = 'DS-P'")
    yield lid, pid
    stack.sql(f"""
DELETE FROM dealer_application WHERE phone LIKE '135550%';
DELETE FROM customer_address WHERE phone LIKE '135550%';
DELETE FROM customer_user WHERE phone LIKE '135550%';
DELETE FROM customer WHERE name LIKE 'DS%';
DELETE FROM staff WHERE phone = '13555099999';
DELETE FROM price_list WHERE name = 'DS金牌价';
DELETE FROM member_level WHERE name = 'DS金牌';
DELETE FROM product WHERE code = 'DS-P';
UPDATE shop SET version = version + 1, auth_version = auth_version + 1;
""")


@pytest.fixture(autouse=True)
def fresh_limits(stack, level):
    """Every test client is 127.0.0.1: earlier tests' applications must
    not count against this one's limits."""
    stack.sql("UPDATE dealer_application SET created_at = created_at - "
              "INTERVAL 3 DAY")
    yield


def fields(phone, company="DS测试商贸有限公司", **kw):
    data = {"company": company, "contact_name": "张经理", "phone": phone,
            "password": PASSWORD, "password2": PASSWORD,
            "region": "浙江省 杭州市", "address": "西湖区某路 1 号",
            "tax_id": "", "message": "主营饮料"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def apply(stack, s, data, licence=None, shop="shop-a"):
    """Post the form as a browser would: multipart, the guest's csrf."""
    form = f"/s/{shop}/dealer/apply"
    tok = get_csrf(stack, s, form)
    if licence is None:
        licence = ("执照.png", png(600, 400), "image/png")
    files = {"licence": licence} if licence else {"licence": ("", b"",
                                                              "image/png")}
    return s.post(stack.url(form), data=dict(data, csrf=tok), files=files,
                  allow_redirects=False)


def applied(stack, phone, shop=A):
    return one(stack, f"SELECT id FROM dealer_application WHERE phone = "
                      f"'{phone}' AND shop_id = {shop} ORDER BY id DESC "
                      f"LIMIT 1")


def staff(stack, phone=None, shop="shop-a"):
    return stack.login(phone or stack.owner_phone, stack.password, shop,
                       staff=True)


def decide(stack, s, aid, what, data, shop="shop-a"):
    """Approve or reject with the staff session's token (the dashboard
    has a form even when the application's page has none)."""
    path = f"/s/{shop}/admin/customers/applications/{aid}"
    tok = get_csrf(stack, s, f"/s/{shop}/admin")
    return s.post(stack.url(f"{path}/{what}"), data=dict(data, csrf=tok),
                  allow_redirects=False)


def login_try(stack, phone, password):
    s = stack.session()
    tok = get_csrf(stack, s, "/s/shop-a/login")
    return s, s.post(stack.url("/s/shop-a/login"), allow_redirects=False,
                     data={"phone": phone, "password": password, "csrf": tok})


def test_apply_approve_login_sees_level_prices(stack, level):
    lid, pid = level
    phone = "13555000001"
    guest = stack.session()
    # The way in: the home page's card and the login page's line.
    assert "/s/shop-a/dealer/apply" in guest.get(stack.url("/s/shop-a/")).text
    assert "申请成为经销商" in guest.get(stack.url("/s/shop-a/login")).text
    r = apply(stack, guest, fields(phone, tax_id="91330100 mA2b3c4d5e"))
    assert r.status_code == 303, r.text[:800]
    status = urlsplit(r.headers["Location"]).path
    assert re.fullmatch(r"/s/shop-a/dealer/apply/[0-9a-f]{64}", status)
    page = guest.get(stack.url(status))
    assert page.status_code == 200 and "请等待审核" in page.text
    assert "135****0001" in page.text and "13555000001" not in page.text
    # Links out of the page carry no token (response.c's policy).
    assert page.headers["Referrer-Policy"] == \
        "strict-origin-when-cross-origin"
    row = one(stack, "SELECT status, tax_id, password_hash <> '', "
                     "licence_path, licence_thumb, ip FROM "
                     f"dealer_application WHERE phone = '{phone}'")
    assert row[:3] == ("pending", "91330100MA2B3C4D5E", "1")
    assert row[5] == "127.0.0.1"
    sid = one(stack, f"SELECT {A}")
    for rel in row[3:5]:                    # staff only: test_licence_private
        assert rel.startswith(f"{sid}/"), rel
        assert os.path.exists(os.path.join(stack.private_dir, rel)), rel
        assert not os.path.exists(os.path.join(stack.uploads_dir, rel)), rel
    # Not an account yet: the applicant's own password says why.
    _, r = login_try(stack, phone, PASSWORD)
    assert r.status_code == 400 and "正在审核中" in r.text
    _, r = login_try(stack, phone, "wrong-password")
    assert "手机号或密码错误" in r.text and "审核" not in r.text

    owner = staff(stack)
    lst = owner.get(stack.url(LIST))
    assert lst.status_code == 200 and "DS测试商贸有限公司" in lst.text
    assert "待审核" in lst.text
    aid = applied(stack, phone)
    page = owner.get(stack.url(f"{LIST}/{aid}")).text
    thumb = re.search(r'<img src="(/s/shop-a/admin/customers/applications/'
                      rf'{aid}/licence\?thumb=1)"', page).group(1)
    assert owner.get(stack.url(thumb)).status_code == 200
    assert 'href="#licence-zoom"' in page and "DS金牌" in page
    r = decide(stack, owner, aid, "approve",
               {"level_id": lid, "owner_staff_id": "",
                "payment_terms": "monthly", "credit_days": "30",
                "credit_limit": "5000"})
    assert r.status_code == 303, r.text[:800]
    cid = int(re.search(r"/admin/customers/(\d+)\?done=created$",
                        r.headers["Location"]).group(1))
    co = one(stack, "SELECT name, level_id, payment_terms, credit_days, "
                    "credit_limit_fen, tax_id, contact_phone, status "
                    f"FROM customer WHERE id = {cid}")
    assert co == ("DS测试商贸有限公司", str(lid), "monthly", "30", "500000",
                  "91330100MA2B3C4D5E", phone, "active")
    assert one(stack, "SELECT role FROM customer_user WHERE phone = "
                      f"'{phone}' AND customer_id = {cid}") == "approver"
    assert one(stack, "SELECT CONCAT(region, '|', address, '|', is_default) "
                      f"FROM customer_address WHERE customer_id = {cid}") \
        == "浙江省 杭州市|西湖区某路 1 号|1"
    assert one(stack, "SELECT CONCAT(status, customer_id, password_hash, "
                      "reviewed_by IS NOT NULL) FROM dealer_application "
                      f"WHERE id = {aid}") == f"approved{cid}1"
    assert one(stack, "SELECT COUNT(*) FROM audit_log WHERE action IN "
                      "('dealer.apply', 'dealer.approve') AND detail LIKE "
                      f"'application={aid} %'") == "2"
    # The applicant logs in with the password they chose and orders at
    # their level's prices.
    buyer = stack.login(phone, PASSWORD, "shop-a")
    r = buyer.get(stack.url(f"/s/shop-a/api/v1/ordering/products/{pid}"))
    assert r.status_code == 200, r.text[:500]
    sku = r.json()["data"]["skus"][0]
    assert (sku["price_fen"], sku["price_source"]) == (LEVEL_PRICE, "level")
    assert "已通过" in guest.get(stack.url(status)).text


def test_reject_with_reason_is_what_the_applicant_reads(stack, level):
    phone = "13555000002"
    guest = stack.session()
    r = apply(stack, guest, fields(phone, company="DS被拒商行"))
    assert r.status_code == 303, r.text[:500]
    status = urlsplit(r.headers["Location"]).path
    aid = applied(stack, phone)
    owner = staff(stack)
    r = decide(stack, owner, aid, "reject", {"reason": "  "})
    assert r.status_code == 400 and "拒绝原因" in r.text
    assert one(stack, "SELECT status FROM dealer_application "
                      f"WHERE id = {aid}") == "pending"
    r = decide(stack, owner, aid, "reject", {"reason": "执照照片不清晰"})
    assert r.status_code == 303
    assert owner.get(stack.url(r.headers["Location"])).text.count(
        "执照照片不清晰") >= 1
    _, r = login_try(stack, phone, PASSWORD)
    assert "未通过：执照照片不清晰" in r.text
    page = guest.get(stack.url(status)).text
    assert "申请未通过" in page and "执照照片不清晰" in page
    # Decided: it cannot be approved now, and nothing was made.
    r = decide(stack, owner, aid, "approve", {"level_id": ""})
    assert r.status_code == 409 and "已被拒绝" in r.text
    assert one(stack, "SELECT COUNT(*) FROM customer WHERE name = "
                      "'DS被拒商行'") == "0"
    # A refused applicant may apply again, with the phone freed.
    r = apply(stack, guest, fields(phone, company="DS被拒商行"))
    assert r.status_code == 303, r.text[:500]
    assert one(stack, "SELECT COUNT(*) FROM dealer_application WHERE "
                      f"phone = '{phone}' AND password_hash <> ''") == "1"


@pytest.mark.parametrize("case", ["no_licence", "not_an_image",
                                  "broken_image", "bad_phone",
                                  "password_mismatch", "bad_tax_id"])
def test_refused_form_keeps_what_was_typed(stack, level, case):
    phone = "13555000003"
    data, licence = fields(phone, company="DS校验商行"), None
    if case == "no_licence":
        licence = False
    elif case == "not_an_image":
        licence = ("执照.jpg", b"%PDF-1.4 not a picture", "image/jpeg")
    elif case == "broken_image":
        good = png(300, 200)
        licence = ("执照.png", good[:60] + b"\0" * 200, "image/png")
    elif case == "bad_phone":
        data["phone"] = "12345"
    elif case == "password_mismatch":
        data["password2"] = "something-else"
    elif case == "bad_tax_id":
        data["tax_id"] = "12-34"
    sid = one(stack, f"SELECT {A}")
    dirs = [os.path.join(root, str(sid))
            for root in (stack.uploads_dir, stack.private_dir)]
    before = [set(os.listdir(d)) if os.path.isdir(d) else set()
              for d in dirs]
    r = apply(stack, stack.session(), data, licence=licence)
    assert r.status_code == 400, r.text[:500]
    expect = {"no_licence": "请上传营业执照照片",
              "not_an_image": "只支持 JPG、PNG 或 WebP",
              "broken_image": "损坏",
              "bad_phone": "应为 11 位手机号",
              "password_mismatch": "两次输入的密码不一致",
              "bad_tax_id": "只能包含字母和数字"}[case]
    assert expect in r.text, r.text[:3000]
    assert 'class="field-error"' in r.text
    assert 'value="DS校验商行"' in r.text and 'value="张经理"' in r.text
    assert PASSWORD not in r.text           # passwords are never refilled
    assert one(stack, "SELECT COUNT(*) FROM dealer_application WHERE "
                      "company = 'DS校验商行'") == "0"
    after = [set(os.listdir(d)) if os.path.isdir(d) else set()
             for d in dirs]
    assert after == before                  # nothing left behind


def test_limit_per_address(stack, level):
    guest = stack.session()
    for i in range(5):
        r = apply(stack, guest, fields(f"135550001{i:02d}",
                                       company=f"DS限流{i}"))
        assert r.status_code == 303, (i, r.text[:500])
    r = apply(stack, guest, fields("13555000199", company="DS限流X"))
    assert r.status_code == 429 and "过于频繁" in r.text
    assert 'value="DS限流X"' in r.text
    assert one(stack, "SELECT COUNT(*) FROM dealer_application WHERE "
                      "phone = '13555000199'") == "0"


def test_limit_per_phone(stack, level):
    phone = "13555000004"
    for i in range(3):
        r = apply(stack, stack.session(), fields(phone, company="DS同号"))
        assert r.status_code == 303, (i, r.text[:500])
        stack.sql("UPDATE dealer_application SET status = 'rejected', "
                  f"reason = 'x' WHERE phone = '{phone}'")
    r = apply(stack, stack.session(), fields(phone, company="DS同号"))
    assert r.status_code == 429, r.text[:500]


def test_phone_with_an_account_or_waiting(stack, level):
    r = apply(stack, stack.session(), fields(stack.buyer_phone))
    assert r.status_code == 409, r.text[:500]
    assert "已经是本店的客户账号" in r.text
    assert 'href="/s/shop-a/login">去登录</a>' in r.text
    phone = "13555000005"
    assert apply(stack, stack.session(), fields(phone)).status_code == 303
    r = apply(stack, stack.session(), fields(phone, company="DS再来一次"))
    assert r.status_code == 409 and "已提交，请等待审核" in r.text
    assert one(stack, "SELECT COUNT(*) FROM dealer_application WHERE "
                      f"phone = '{phone}'") == "1"
    # The same phone in another shop is another applicant.
    r = apply(stack, stack.session(), fields(phone), shop="shop-b")
    assert r.status_code == 303, r.text[:500]


def test_approving_twice_or_at_once_makes_one_company(stack, level):
    lid, _ = level
    owner, sales = staff(stack), staff(stack, stack.sales_phone)
    phone = "13555000006"
    assert apply(stack, stack.session(),
                 fields(phone, company="DS并发商行")).status_code == 303
    aid = applied(stack, phone)
    tokens = {}
    for who, s in (("owner", owner), ("sales", sales)):
        tokens[who] = csrf_of(s.get(stack.url(f"{LIST}/{aid}")).text)
    barrier = threading.Barrier(2)
    results = {}

    def go(who, s):
        barrier.wait()
        results[who] = s.post(stack.url(f"{LIST}/{aid}/approve"),
                              data={"level_id": lid, "csrf": tokens[who]},
                              allow_redirects=False)
    threads = [threading.Thread(target=go, args=a)
               for a in (("owner", owner), ("sales", sales))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results.values()] == [303, 303], \
        [r.text[:300] for r in results.values()]
    assert len({r.headers["Location"] for r in results.values()}) == 1
    # And again, later: the same company, nothing new.
    r = decide(stack, owner, aid, "approve", {"level_id": lid})
    assert r.status_code == 303
    assert r.headers["Location"] == results["owner"].headers["Location"]
    assert one(stack, "SELECT COUNT(*) FROM customer WHERE name = "
                      "'DS并发商行'") == "1"
    assert one(stack, "SELECT COUNT(*) FROM customer_user WHERE phone = "
                      f"'{phone}'") == "1"
    assert one(stack, "SELECT COUNT(*) FROM audit_log WHERE action = "
                      f"'dealer.approve' AND detail LIKE 'application={aid} "
                      "%'") == "1"
    # Approved: it cannot be rejected any more.
    r = decide(stack, owner, aid, "reject", {"reason": "晚了"})
    assert r.status_code == 409


def test_sales_cannot_set_credit_terms(stack, level):
    phone = "13555000007"
    assert apply(stack, stack.session(),
                 fields(phone, company="DS月结商行")).status_code == 303
    aid = applied(stack, phone)
    sales = staff(stack, stack.sales_phone)
    page = sales.get(stack.url(f"{LIST}/{aid}")).text
    assert re.search(r'<fieldset class="plain credit" disabled>', page)
    me = one(stack, f"SELECT id FROM staff WHERE shop_id = {A} AND phone = "
                    f"'{stack.sales_phone}'")
    assert re.search(rf'<option value="{me}" selected>', page)
    assert re.search(r'<select id="ap-owner" name="owner_staff_id" '
                     r'disabled>', page)
    r = decide(stack, sales, aid, "approve",
               {"level_id": "", "payment_terms": "monthly",
                "credit_days": "30", "credit_limit": "100"})
    assert r.status_code == 403 and "结算方式" in r.text
    r = decide(stack, sales, aid, "approve", {"level_id": "999999999"})
    assert r.status_code == 400 and "本店没有这个等级" in r.text
    assert one(stack, f"SELECT status FROM dealer_application "
                      f"WHERE id = {aid}") == "pending"
    boss = one(stack, f"SELECT id FROM staff WHERE shop_id = {A} AND phone = "
                      f"'{stack.owner_phone}'")
    r = decide(stack, sales, aid, "approve",
               {"level_id": "", "owner_staff_id": boss})
    assert r.status_code == 400 and "只有店主或管理员" in r.text
    # What the page sends (the select is disabled): theirs, and visible.
    r = decide(stack, sales, aid, "approve", {"level_id": ""})
    assert r.status_code == 303
    assert sales.get(stack.url(r.headers["Location"])).status_code == 200
    assert one(stack, "SELECT CONCAT(payment_terms, owner_staff_id) FROM "
                      "customer WHERE name = 'DS月结商行'") == f"prepaid{me}"


def test_another_shops_application_is_not_found(stack, level):
    phone = "13555000008"
    r = apply(stack, stack.session(), fields(phone, company="DS乙店申请"),
              shop="shop-b")
    assert r.status_code == 303
    token_path = urlsplit(r.headers["Location"]).path
    bid = applied(stack, phone, shop=B)
    owner = staff(stack)
    assert owner.get(stack.url(f"{LIST}/{bid}")).status_code == 404
    assert "DS乙店申请" not in owner.get(stack.url(f"{LIST}?status=all")).text
    r = decide(stack, owner, bid, "approve", {"level_id": ""})
    assert r.status_code == 404
    r = decide(stack, owner, bid, "reject", {"reason": "不是我们的"})
    assert r.status_code == 404
    assert one(stack, f"SELECT status FROM dealer_application "
                      f"WHERE id = {bid}") == "pending"
    # The status link works in its own shop only.
    other = token_path.replace("/s/shop-b/", "/s/shop-a/")
    assert stack.session().get(stack.url(other)).status_code == 404
    assert stack.session().get(stack.url(token_path)).status_code == 200
    assert stack.session().get(stack.url(
        "/s/shop-a/dealer/apply/" + "0" * 64)).status_code == 404
    # The database refuses a reviewer or a company of another shop.
    for col, ref in (("reviewed_by", f"(SELECT id FROM staff WHERE shop_id "
                      f"= {A} LIMIT 1)"),
                     ("customer_id", f"(SELECT id FROM customer WHERE "
                      f"shop_id = {A} LIMIT 1)")):
        with pytest.raises(AssertionError) as e:
            stack.sql(f"UPDATE dealer_application SET {col} = {ref}, "
                      f"status = IF('{col}' = 'customer_id', 'approved', "
                      f"status) WHERE id = {bid}")
        assert "_same_shop" in str(e.value), str(e.value)


def test_guests_customers_and_other_roles_stay_out(stack, level):
    phone = "13555000009"
    assert apply(stack, stack.session(),
                 fields(phone, company="DS门外")).status_code == 303
    aid = applied(stack, phone)
    guest = stack.session()
    for path in (LIST, f"{LIST}/{aid}"):
        r = guest.get(stack.url(path), allow_redirects=False)
        assert r.status_code == 303
        assert "/s/shop-a/admin/login" in r.headers["Location"]
    tok = get_csrf(stack, guest, FORM)
    r = guest.post(stack.url(f"{LIST}/{aid}/approve"),
                   data={"csrf": tok, "level_id": ""}, allow_redirects=False)
    assert r.status_code == 401
    buyer = stack.login(stack.buyer_phone, stack.password, "shop-a")
    r = buyer.get(stack.url(f"{LIST}/{aid}"), allow_redirects=False)
    assert r.status_code == 303 and "/admin/login" in r.headers["Location"]
    # Finance reads applications but does not decide them.
    stack.sql(f"INSERT INTO staff (shop_id, name, phone, password_hash, role)"
              f" SELECT shop_id, 'DS财务', '13555099999', password_hash, "
              f"'finance' FROM staff WHERE shop_id = {A} AND phone = "
              f"'{stack.owner_phone}'")
    fin = staff(stack, "13555099999")
    page = fin.get(stack.url(f"{LIST}/{aid}"))
    assert page.status_code == 200 and "通过并创建客户" not in page.text
    r = decide(stack, fin, aid, "approve", {"level_id": ""})
    assert r.status_code == 403
    assert one(stack, f"SELECT status FROM dealer_application "
                      f"WHERE id = {aid}") == "pending"


def test_dashboard_list_and_prune(stack, level):
    phone = "13555000010"
    assert apply(stack, stack.session(),
                 fields(phone, company="DS待办")).status_code == 303
    owner = staff(stack)
    page = owner.get(stack.url("/s/shop-a/admin")).text
    m = re.search(r'<a href="([^"]+)"><b>(\d+)</b> 份经销商申请待审核</a>', page)
    assert m, page[:3000]
    assert int(m.group(2)) == int(one(stack, "SELECT COUNT(*) FROM "
                                             "dealer_application WHERE "
                                             f"shop_id = {A} AND status = "
                                             "'pending'"))
    lst = owner.get(stack.url(m.group(1).replace("&amp;", "&"))).text
    assert "DS待办" in lst
    assert "经销商申请" in owner.get(stack.url("/s/shop-a/admin/customers")).text
    # Pending first, then the rest; a status filter and its empty state.
    rows = re.findall(r'<span class="badge (?:warn|on|off)">([^<]+)</span>',
                      owner.get(stack.url(f"{LIST}?status=all")).text)
    assert rows and rows == sorted(rows, key=lambda s: s != "待审核")
    # Shop B approves none here: its empty state, then its pages.
    b_owner = staff(stack, shop="shop-b")
    b_list = "/s/shop-b/admin/customers/applications"
    assert "没有已通过的申请" in b_owner.get(stack.url(
        f"{b_list}?status=approved")).text
    stack.sql("INSERT INTO dealer_application (shop_id, company, "
              "contact_name, phone, licence_path, licence_thumb, "
              "token_hash, status, reason) VALUES " + ", ".join(
                  f"({B}, 'DS翻页{i:02d}', '某', '135550020{i:02d}', 'x', "
                  f"'y', SHA2('ds{i}', 256), 'rejected', '测试')"
                  for i in range(21)))
    first = b_owner.get(stack.url(f"{b_list}?status=rejected")).text
    assert "第 1 / 2 页" in first and "DS翻页20" in first
    assert "DS翻页00" not in first          # newest first
    nxt = re.search(r'<a href="([^"]+)" rel="next">', first).group(1)
    second = b_owner.get(stack.url(nxt.replace("&amp;", "&"))).text
    assert "DS翻页00" in second and "第 2 / 2 页" in second
    # The licence is in use: the uploads prune keeps it.
    rel = one(stack, "SELECT licence_path FROM dealer_application WHERE "
                     f"phone = '{phone}'")
    r = stack.run("uploads", "prune", "--dry-run", "--min-age", "0")
    assert rel not in r.stdout, r.stdout
