"""Back office: customer companies, invitations, levels and prices.

Everything goes through nginx. The module seeds a few products (codes
AC-*) and a finance staff member, makes its own companies (names AC测试…)
and levels (AC…), and removes all of it at the end: other modules share
the stack.
"""

import hashlib
import re
import threading
import time

import pytest

from helpers import csrf_of, get_csrf

A = "/s/shop-a"
SHOP_A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
SHOP_B = "(SELECT id FROM shop WHERE slug = 'shop-b')"
FINANCE_PHONE = "13800000009"
OTHER_BUYER = "13900000000"         # the demo company's buyer, no level


def q1(stack, sql):
    rows = stack.sql(sql)
    return rows[0][0] if rows else None


@pytest.fixture(scope="module")
def seed(stack):
    start = q1(stack, "SELECT COALESCE(MAX(id), 0) FROM audit_log")
    failures = q1(stack, "SELECT COALESCE(MAX(id), 0) FROM login_failure")
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({SHOP_A}, 'AC-P', '测试礼盒', '盒', '');
SET @p = LAST_INSERT_ID();
INSERT INTO sku (shop_id, product_id, code, spec, unit, stock, price_fen)
  VALUES ({SHOP_A}, @p, 'AC-1', '规格:小', '盒', 50, 10000),
         ({SHOP_A}, @p, 'AC-2', '规格:大', '盒', 50, 5000);
INSERT INTO price_tier (shop_id, sku_id, min_qty, price_fen)
  SELECT {SHOP_A}, id, 10, 9000 FROM sku WHERE code = 'AC-1';
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({SHOP_A}, 'AC-S', '测试单品', '件', '');
INSERT INTO sku (shop_id, product_id, code, unit, stock, price_fen)
  VALUES ({SHOP_A}, LAST_INSERT_ID(), 'AC-S1', '件', 50, 10000);
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({SHOP_B}, 'AC-B', '乙店测试', '件', '');
INSERT INTO sku (shop_id, product_id, code, price_fen)
  VALUES ({SHOP_B}, LAST_INSERT_ID(), 'AC-B1', 100);
INSERT INTO staff (shop_id, name, phone, password_hash, role)
  SELECT shop_id, '钱会计', '{FINANCE_PHONE}', password_hash, 'finance'
  FROM staff WHERE shop_id = {SHOP_A} AND phone = '13800000000';
UPDATE shop SET version = version + 1;
""")
    yield
    stack.sql(f"""
DELETE u FROM customer_user u JOIN customer c ON c.id = u.customer_id
  WHERE c.name LIKE 'AC测试%';
DELETE FROM customer WHERE name LIKE 'AC测试%';
DELETE FROM member_level WHERE name LIKE 'AC%';
DELETE FROM product WHERE code LIKE 'AC-%';
DELETE FROM staff WHERE phone = '{FINANCE_PHONE}';
DELETE FROM audit_log WHERE id > {start};
-- The failed logins of disabled users: the per-address count is shared.
DELETE FROM login_failure WHERE id > {failures};
UPDATE shop SET version = version + 1;
""")


def owner(stack):
    return stack.login(stack.owner_phone, stack.password, "shop-a",
                       staff=True)


def sales(stack):
    return stack.login(stack.sales_phone, stack.password, "shop-a",
                       staff=True)


def finance(stack):
    return stack.login(FINANCE_PHONE, stack.password, "shop-a", staff=True)


def staff_id(stack, phone):
    return q1(stack, f"SELECT id FROM staff WHERE shop_id = {SHOP_A} "
                     f"AND phone = '{phone}'")


def post(stack, s, path, data, csrf=True, **kw):
    data = dict(data)
    if csrf:
        data["csrf"] = get_csrf(stack, s, f"{A}/admin")   # logout form
    return s.post(stack.url(path), data=data, allow_redirects=False, **kw)


def alert(text):
    m = re.search(r'class="alert" role="alert">([^<]*)<', text)
    return m.group(1) if m else ""


def make_level(stack, s, name):
    r = post(stack, s, f"{A}/admin/prices/levels", {"name": name})
    assert r.status_code == 303, r.text[:500]
    return q1(stack, f"SELECT id FROM member_level WHERE shop_id = {SHOP_A} "
                     f"AND name = '{name}'")


def company_form(**over):
    form = {"name": "AC测试公司", "level_id": "", "owner_staff_id": "",
            "tags": "", "tax_id": "", "contact_name": "", "contact_phone": "",
            "status": "active", "payment_terms": "prepaid",
            "credit_days": "", "credit_limit": "0.00"}
    form.update(over)
    return form


def make_company(stack, s, **over):
    r = post(stack, s, f"{A}/admin/customers/new", company_form(**over))
    assert r.status_code == 303, r.text[:800]
    m = re.search(r"/admin/customers/(\d+)\?done=created$",
                  r.headers["Location"])
    assert m, r.headers["Location"]
    return m.group(1)


def customer_row(stack, cid):
    return stack.sql(
        "SELECT name, COALESCE(level_id, ''), COALESCE(owner_staff_id, ''), "
        "tags, tax_id, payment_terms, credit_days, credit_limit_fen, status "
        f"FROM customer WHERE id = {cid}")[0]


def invite(stack, s, cid, role="buyer", origin=True):
    """Make an invite on the company page; return (link, token)."""
    headers = {"Origin": stack.url("/").rstrip("/")} if origin else {}
    r = post(stack, s, f"{A}/admin/customers/{cid}/invites", {"role": role},
             headers=headers)
    assert r.status_code == 200, r.text[:800]
    m = re.search(r'class="copy" readonly value="([^"]+)"', r.text)
    assert m, r.text[:2000]
    link = m.group(1)
    token = link.rsplit("/", 1)[1]
    return link, token


def join(stack, link, phone, name="新同事", password="secret-88",
         password2=None):
    """Open an invite link as a new browser and fill in the form."""
    g = stack.session()
    r = g.get(link)
    data = {"name": name, "phone": phone, "password": password,
            "password2": password if password2 is None else password2}
    if r.status_code == 200:
        data["csrf"] = csrf_of(r.text)
    else:
        data["csrf"] = get_csrf(stack, g, f"{A}/login")
    return g, g.post(link, data=data, allow_redirects=False)


def new_buyer(stack, s, phone, **company):
    """A company with one invited, logged-in buyer: (company id, session)."""
    cid = make_company(stack, s, **company)
    link, _ = invite(stack, s, cid)
    g, r = join(stack, link, phone)
    assert r.status_code == 303, r.text[:800]
    return cid, g


def ordering_list(stack, s):
    r = s.get(stack.url(f"{A}/api/v1/ordering/products"))
    assert r.status_code == 200, r.text[:500]
    return r


def ordering_prices(r):
    return {p["code"]: p["price_fen"] for p in r.json()["data"]["products"]}


def shows(stack, s, fen, code="AC-S"):
    """Wait until every worker's ordering list shows code at fen: each
    worker revalidates the shop version on its own, at most twice a
    second, so a change (made just before) is everywhere within a
    second."""
    stack.every_worker(lambda: ordering_list(stack, s),
                       lambda r: ordering_prices(r).get(code) == fen,
                       timeout=5, by=time.monotonic() + 1.5)


def sku_page(stack, s, product_code):
    """A function that fetches product_code's ordering detail."""
    pid = q1(stack, f"SELECT id FROM product WHERE code = '{product_code}'")

    def get():
        r = s.get(stack.url(f"{A}/api/v1/ordering/products/{pid}"))
        assert r.status_code == 200, r.text[:500]
        return r
    return get


def prices_of(r):
    return {k["code"]: (k["price_fen"], k["price_source"])
            for k in r.json()["data"]["skus"]}


def sku_prices(stack, s, product_code):
    return prices_of(sku_page(stack, s, product_code)())


def check_price(stack, s, cid, code, qty=1):
    r = s.get(stack.url(f"{A}/admin/prices/check"),
              params={"customer_id": cid, "sku_code": code, "qty": qty},
              headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text[:500]
    res = r.json()["data"]["check"]["result"]
    return res["unit_fen"], res["source"]


# -- companies -----------------------------------------------------------


def test_create_company_with_monthly_terms_and_level(stack, seed):
    s = owner(stack)
    lid = make_level(stack, s, "AC金牌")
    sid = staff_id(stack, stack.sales_phone)
    cid = make_company(stack, s, name="AC测试华东商贸", level_id=lid,
                       owner_staff_id=sid,
                       tags=" AC华东, 重点客户，AC华东 ,, ",
                       tax_id="91310000ma1fl2345x", contact_name="周经理",
                       contact_phone="021-6123 4567",
                       payment_terms="monthly", credit_days="30",
                       credit_limit="5000")
    assert customer_row(stack, cid) == (
        "AC测试华东商贸", lid, sid, "AC华东,重点客户", "91310000MA1FL2345X",
        "monthly", "30", "500000", "active")
    assert q1(stack, "SELECT COUNT(*) FROM audit_log WHERE action = "
                     f"'customer.save' AND detail LIKE 'customer={cid} %'") \
        == "1"
    page = s.get(stack.url(f"{A}/admin/customers/{cid}?done=created")).text
    assert "已创建" in page and 'value="5000.00"' in page
    assert re.search(rf'<option value="{lid}" selected>AC金牌', page)

    def listed(query):
        r = s.get(stack.url(f"{A}/admin/customers"), params=query)
        assert r.status_code == 200
        return r.text

    assert "AC测试华东商贸" in listed({"q": "重点客户"})        # a tag
    assert "AC测试华东商贸" in listed({"q": "ma1fl2345"})       # tax id
    assert "AC测试华东商贸" not in listed({"q": "没有这家"})
    assert "没有符合条件的客户" in listed({"q": "没有这家"})
    # Any user's phone finds the company.
    assert "示例商贸有限公司" in listed({"q": "13900000001"})
    assert "AC测试华东商贸" in listed({"level": lid})
    assert "示例商贸有限公司" not in listed({"level": lid})
    assert "AC测试华东商贸" not in listed({"owner": "me"})      # sales owns it
    assert "AC测试华东商贸" in sales(stack).get(
        stack.url(f"{A}/admin/customers?owner=me")).text
    # Wildcards are taken literally.
    assert "AC测试华东商贸" not in listed({"q": "%"})


def test_bad_fields_are_named_and_nothing_is_written(stack, seed):
    s = owner(stack)
    b_level = q1(stack, "INSERT INTO member_level (shop_id, name) VALUES "
                        f"({SHOP_B}, 'AC乙店等级'); SELECT LAST_INSERT_ID()")
    before = q1(stack, "SELECT COUNT(*) FROM customer")
    r = post(stack, s, f"{A}/admin/customers/new", company_form(
        name="AC测试坏数据", payment_terms="monthly", credit_days="0",
        credit_limit="-5", level_id=b_level, owner_staff_id="abc"))
    assert r.status_code == 400
    msg = alert(r.text)
    for label in ("账期天数", "信用额度", "会员等级", "负责销售"):
        assert label in msg, (label, msg)
    assert 'value="AC测试坏数据"' in r.text           # what was typed
    assert 'value="-5"' in r.text
    r = post(stack, s, f"{A}/admin/customers/new", company_form(
        name="AC测试坏数据", payment_terms="monthly", credit_days="三十",
        credit_limit="1e3", contact_phone="电话", tax_id="12-34"))
    assert r.status_code == 400
    msg = alert(r.text)
    for label in ("账期天数", "信用额度", "联系电话", "税号"):
        assert label in msg, (label, msg)
    r = post(stack, s, f"{A}/admin/customers/new", company_form(name=""))
    assert r.status_code == 400 and "公司名称" in alert(r.text)
    assert q1(stack, "SELECT COUNT(*) FROM customer") == before
    # An edit that fails changes nothing either.
    cid = make_company(stack, s, name="AC测试改坏")
    row = customer_row(stack, cid)
    r = post(stack, s, f"{A}/admin/customers/{cid}", company_form(
        name="AC测试改坏了", payment_terms="monthly", credit_days="366",
        credit_limit="10"))
    assert r.status_code == 400 and "账期天数" in alert(r.text)
    assert customer_row(stack, cid) == row
    # Another shop's company is not found.
    b_cust = q1(stack, f"SELECT id FROM customer WHERE shop_id = {SHOP_B}")
    assert s.get(stack.url(f"{A}/admin/customers/{b_cust}")).status_code \
        == 404
    r = post(stack, s, f"{A}/admin/customers/{b_cust}", company_form())
    assert r.status_code == 404


def test_sales_creates_companies_but_not_credit_terms(stack, seed):
    sa = sales(stack)
    # The sales form has the credit fields disabled: they are not sent.
    form = company_form(name="AC测试销售建")
    for k in ("payment_terms", "credit_days", "credit_limit"):
        del form[k]
    r = post(stack, sa, f"{A}/admin/customers/new", form)
    assert r.status_code == 303, r.text[:500]
    cid = q1(stack, "SELECT id FROM customer WHERE name = 'AC测试销售建'")
    row = customer_row(stack, cid)
    assert row[5:8] == ("prepaid", "0", "0")
    page = sa.get(stack.url(f"{A}/admin/customers/{cid}")).text
    assert re.search(r'<fieldset class="plain credit" disabled>', page)

    r = post(stack, sa, f"{A}/admin/customers/{cid}", company_form(
        name="AC测试销售建", payment_terms="monthly", credit_days="30",
        credit_limit="100000"))
    assert r.status_code == 403
    r = post(stack, sa, f"{A}/admin/customers/{cid}/credit", {
        "payment_terms": "monthly", "credit_days": "30",
        "credit_limit": "100"})
    assert r.status_code == 403
    r = post(stack, sa, f"{A}/admin/customers/new", company_form(
        name="AC测试销售月结", payment_terms="monthly", credit_days="30",
        credit_limit="1"))
    assert r.status_code == 403
    assert customer_row(stack, cid) == row
    assert q1(stack, "SELECT COUNT(*) FROM customer "
                     "WHERE name = 'AC测试销售月结'") == "0"
    # The same terms as stored are not a change.
    r = post(stack, sa, f"{A}/admin/customers/{cid}", company_form(
        name="AC测试销售建二", payment_terms="prepaid"))
    assert r.status_code == 303
    assert customer_row(stack, cid)[0] == "AC测试销售建二"

    # Finance sets the terms, and nothing else.
    fi = finance(stack)
    assert fi.get(stack.url(f"{A}/admin/customers")).status_code == 200
    assert fi.get(stack.url(f"{A}/admin/customers/new"),
                  allow_redirects=False).status_code == 403
    r = post(stack, fi, f"{A}/admin/customers/{cid}/credit", {
        "payment_terms": "monthly", "credit_days": "60",
        "credit_limit": "2000.5"})
    assert r.status_code == 303, r.text[:500]
    assert customer_row(stack, cid)[5:8] == ("monthly", "60", "200050")
    r = post(stack, fi, f"{A}/admin/customers/{cid}/credit", {
        "payment_terms": "monthly", "credit_days": "0",
        "credit_limit": "-1"})
    assert r.status_code == 400
    assert "账期天数" in alert(r.text) and "信用额度" in alert(r.text)
    r = post(stack, fi, f"{A}/admin/customers/{cid}", company_form(
        name="AC测试财务改名"))
    assert r.status_code == 403
    assert customer_row(stack, cid)[0] == "AC测试销售建二"


# -- invitations ---------------------------------------------------------


def test_invite_link_works_once(stack, seed):
    s = owner(stack)
    cid = make_company(stack, s, name="AC测试邀请公司")
    link, token = invite(stack, s, cid, role="approver")
    assert link == stack.url(f"{A}/invite/{token}")
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    # Only the hash is stored, and no log line carries the token.
    stored = stack.sql("SELECT token_hash, role, used_at FROM customer_invite "
                       f"WHERE customer_id = {cid}")
    assert stored == [(hashlib.blake2b(token.encode(), digest_size=32)
                       .hexdigest(), "approver", None)]
    assert token not in stack.error_log_text()
    # Without an Origin header the link is still the shop's invite path.
    plain, ptoken = invite(stack, s, cid, origin=False)
    assert plain.endswith(f"{A}/invite/{ptoken}")
    assert plain.startswith("http://")

    g = stack.session()
    r = g.get(link)
    assert r.status_code == 200 and "AC测试邀请公司" in r.text
    csrf = csrf_of(r.text)
    base = {"name": "孙审批", "phone": "13600000001", "csrf": csrf}
    r = g.post(link, data=dict(base, password="secret-88",
                               password2="secret-89"))
    assert r.status_code == 400 and "确认密码" in r.text
    r = g.post(link, data=dict(base, password="short", password2="short"))
    assert r.status_code == 400 and "密码" in r.text
    assert 'value="孙审批"' in r.text
    r = g.post(link, data=dict(base, password="secret-88",
                               password2="secret-88"),
               allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == f"{A}/account"
    account = g.get(stack.url(f"{A}/account")).text
    assert "AC测试邀请公司" in account and "审批" in account
    assert stack.sql("SELECT role, customer_id FROM customer_user "
                     "WHERE phone = '13600000001'") == [("approver", cid)]
    assert q1(stack, "SELECT used_at IS NOT NULL FROM customer_invite "
                     f"WHERE token_hash = '{stored[0][0]}'") == "1"
    # The new person logs in like anyone else and sees their company.
    again = stack.login("13600000001", "secret-88", "shop-a")
    assert "AC测试邀请公司" in again.get(stack.url(f"{A}/account")).text

    # A second use is refused, page and form alike.
    r = stack.session().get(link)
    assert r.status_code == 410 and "已经用过" in r.text
    g2, r = join(stack, link, "13600000002")
    assert r.status_code == 410
    assert q1(stack, "SELECT COUNT(*) FROM customer_user "
                     "WHERE phone = '13600000002'") == "0"


def test_invite_refusals(stack, seed):
    s = owner(stack)
    cid = make_company(stack, s, name="AC测试邀请拒绝")
    # A phone already used in this shop.
    link, token = invite(stack, s, cid)
    g, r = join(stack, link, OTHER_BUYER)
    assert r.status_code == 409 and "已经注册" in r.text
    # Named at the phone field, like the form's own checks.
    assert re.search(r'name="phone"[^>]*>\s*<span class="field-error">'
                     r'[^<]*已经注册', r.text), r.text[:2000]
    assert q1(stack, "SELECT COUNT(*) FROM customer_invite WHERE "
                     f"customer_id = {cid} AND used_at IS NOT NULL") == "0"
    # Expired.
    h = hashlib.blake2b(token.encode(), digest_size=32).hexdigest()
    stack.sql("UPDATE customer_invite SET expires_at = NOW(3) - INTERVAL 1 "
              f"MINUTE WHERE token_hash = '{h}'")
    r = stack.session().get(link)
    assert r.status_code == 410 and "过期" in r.text
    g, r = join(stack, link, "13600000003")
    assert r.status_code == 410
    # Unknown tokens.
    for bad in ("0" * 64, "abc", "x" * 64):
        r = stack.session().get(stack.url(f"{A}/invite/{bad}"))
        assert r.status_code == 404 and "邀请链接无效" in r.text, bad
    # Another shop's link, even for a logged-in customer of that shop.
    link, token = invite(stack, s, cid)
    b = stack.login(OTHER_BUYER, stack.password, "shop-b")
    r = b.get(stack.url(f"/s/shop-b/invite/{token}"))
    assert r.status_code == 404 and "AC测试邀请拒绝" not in r.text
    r = b.post(stack.url(f"/s/shop-b/invite/{token}"), data={
        "name": "乙", "phone": "13600000004", "password": "secret-88",
        "password2": "secret-88",
        "csrf": get_csrf(stack, b, "/s/shop-b/account")},
        allow_redirects=False)
    assert r.status_code == 404
    assert q1(stack, "SELECT COUNT(*) FROM customer_user "
                     "WHERE phone IN ('13600000003', '13600000004')") == "0"
    # The shop-a link still works in shop-a.
    g, r = join(stack, link, "13600000004")
    assert r.status_code == 303


def test_one_link_cannot_be_used_twice_at_once(stack, seed):
    s = owner(stack)
    cid = make_company(stack, s, name="AC测试并发")
    link, _ = invite(stack, s, cid)
    people = []
    for phone in ("13600000011", "13600000012"):
        g = stack.session()
        people.append((g, {"name": "并发", "phone": phone,
                           "password": "secret-88", "password2": "secret-88",
                           "csrf": csrf_of(g.get(link).text)}))
    barrier = threading.Barrier(len(people))
    statuses = []

    def go(g, data):
        barrier.wait()
        statuses.append(g.post(link, data=data,
                               allow_redirects=False).status_code)

    threads = [threading.Thread(target=go, args=p) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 410]
    assert q1(stack, "SELECT COUNT(*) FROM customer_user "
                     f"WHERE customer_id = {cid}") == "1"


# -- company details -----------------------------------------------------


def test_addresses_invoices_and_users(stack, seed):
    s = owner(stack)
    cid, buyer = new_buyer(stack, s, "13600000021", name="AC测试资料")
    P = f"{A}/admin/customers/{cid}"
    r = post(stack, s, f"{P}/addresses", {
        "receiver": "李四", "phone": "13912345678", "region": "上海市 浦东新区",
        "address": "世纪大道 100 号"})
    assert r.status_code == 303
    r = post(stack, s, f"{P}/addresses", {
        "receiver": "王五", "phone": "021-5555 6666", "address": "仓库",
        "is_default": "1"})
    assert r.status_code == 303
    rows = stack.sql("SELECT receiver, is_default FROM customer_address "
                     f"WHERE customer_id = {cid} ORDER BY id")
    assert rows == [("李四", "0"), ("王五", "1")]
    r = post(stack, s, f"{P}/addresses", {"receiver": "", "phone": "x",
                                          "address": ""})
    assert r.status_code == 400
    for label in ("收货人", "联系电话", "详细地址"):
        assert label in r.text
    wang = q1(stack, "SELECT id FROM customer_address "
                     f"WHERE customer_id = {cid} AND receiver = '王五'")
    r = post(stack, s, f"{P}/addresses/{wang}/delete", {})
    assert r.status_code == 303
    assert stack.sql("SELECT receiver, is_default FROM customer_address "
                     f"WHERE customer_id = {cid}") == [("李四", "1")]

    # 专票 needs the bank and registration details.
    r = post(stack, s, f"{P}/invoices", {
        "kind": "special", "title": "AC测试资料", "tax_id":
        "91310000MA1FL3456X"})
    assert r.status_code == 400
    for label in ("开户银行", "银行账号", "注册地址", "注册电话"):
        assert label in alert(r.text), label
    assert q1(stack, "SELECT COUNT(*) FROM invoice_profile "
                     f"WHERE customer_id = {cid}") == "0"
    r = post(stack, s, f"{P}/invoices", {
        "kind": "special", "title": "AC测试资料", "tax_id":
        "91310000MA1FL3456X", "bank_name": "招商银行", "bank_account":
        "6225 8888 0000", "address": "上海市", "phone": "021-61234567"})
    assert r.status_code == 303
    r = post(stack, s, f"{P}/invoices", {
        "kind": "normal", "title": "AC测试资料", "tax_id": "1"})
    assert r.status_code == 400 and "税号" in alert(r.text)

    # Disabling a user ends their session and their logins.
    uid = q1(stack, "SELECT id FROM customer_user "
                    "WHERE phone = '13600000021'")
    r = post(stack, s, f"{P}/users/{uid}/status", {"status": "disabled"})
    assert r.status_code == 303
    r = buyer.get(stack.url(f"{A}/account"), allow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["Location"]
    with pytest.raises(AssertionError):
        stack.login("13600000021", "secret-88", "shop-a")
    r = post(stack, s, f"{P}/users/{uid}", {"name": "新名字", "role":
                                             "finance", "status": "active"})
    assert r.status_code == 303
    assert stack.sql("SELECT name, role, status FROM customer_user "
                     f"WHERE id = {uid}") == [("新名字", "finance", "active")]
    r = post(stack, s, f"{P}/users/{uid}", {"name": "新名字", "role": "boss",
                                             "status": "active"})
    assert r.status_code == 400 and "角色" in alert(r.text)
    stack.login("13600000021", "secret-88", "shop-a")
    # A disabled company's users cannot log in.
    r = post(stack, s, P, company_form(name="AC测试资料", status="disabled"))
    assert r.status_code == 303
    with pytest.raises(AssertionError):
        stack.login("13600000021", "secret-88", "shop-a")


# -- prices --------------------------------------------------------------


def test_contract_price_shows_for_that_customer_only(stack, seed):
    s = owner(stack)
    cid, buyer = new_buyer(stack, s, "13600000031", name="AC测试合同")
    other = stack.login(OTHER_BUYER, stack.password, "shop-a")
    shows(stack, buyer, 10000)
    P = f"{A}/admin/customers/{cid}"
    r = post(stack, s, f"{P}/prices", {"sku_code": "AC-NOPE",
                                       "price": "88.88"})
    assert r.status_code == 400 and "AC-NOPE" in alert(r.text)
    r = post(stack, s, f"{P}/prices", {"sku_code": "AC-B1", "price": "1"})
    assert r.status_code == 400                    # shop-b's SKU
    r = post(stack, s, f"{P}/prices", {"sku_code": "AC-S1", "price": "-1"})
    assert r.status_code == 400 and "合同价" in alert(r.text)
    assert q1(stack, "SELECT COUNT(*) FROM contract_price "
                     f"WHERE customer_id = {cid}") == "0"

    version = q1(stack, f"SELECT version FROM shop WHERE id = {SHOP_A}")
    r = post(stack, s, f"{P}/prices", {"sku_code": "AC-S1",
                                       "price": "88.88"})
    assert r.status_code == 303
    assert int(q1(stack, f"SELECT version FROM shop WHERE id = {SHOP_A}")) \
        > int(version)
    shows(stack, buyer, 8888)
    shows(stack, other, 10000)
    assert "88.88" in s.get(stack.url(P)).text

    sku = q1(stack, "SELECT id FROM sku WHERE code = 'AC-S1'")
    r = post(stack, s, f"{P}/prices/{sku}", {"price": "77.7"})
    assert r.status_code == 303
    shows(stack, buyer, 7770)
    assert check_price(stack, s, cid, "AC-S1") == (7770, "contract")
    r = post(stack, s, f"{P}/prices/{sku}/delete", {})
    assert r.status_code == 303
    shows(stack, buyer, 10000)
    actions = [a for (a,) in stack.sql(
        "SELECT action FROM audit_log WHERE detail LIKE "
        f"'customer={cid} sku=%' ORDER BY id")]
    assert actions == ["contract.set", "contract.set", "contract.delete"]
    r = post(stack, s, f"{P}/prices/{sku}/delete", {})
    assert r.status_code == 404


def test_level_price_list_and_price_check(stack, seed):
    s = owner(stack)
    lid = make_level(stack, s, "AC银牌")
    cid, buyer = new_buyer(stack, s, "13600000041", name="AC测试等级",
                           level_id=lid)
    other = stack.login(OTHER_BUYER, stack.password, "shop-a")
    L = f"{A}/admin/prices/levels/{lid}"
    for bad in ("abc", "0", "-5", "1000.01", "90.123"):
        r = post(stack, s, f"{L}/percent", {"percent": bad})
        assert r.status_code == 400 and "折扣" in alert(r.text), bad
    r = post(stack, s, f"{L}/percent", {"percent": "90"})
    assert r.status_code == 303
    assert q1(stack, "SELECT percent_bp FROM price_list "
                     f"WHERE level_id = {lid}") == "9000"
    shows(stack, buyer, 9000)
    shows(stack, other, 10000)

    r = post(stack, s, f"{L}/items", {"sku_code": "AC-2", "price": "44.44"})
    changed = time.monotonic()
    assert r.status_code == 303
    r = post(stack, s, f"{L}/items", {"sku_code": "AC-NOPE", "price": "x"})
    assert r.status_code == 400
    assert "SKU 编码" in alert(r.text) and "价格" in alert(r.text)
    stack.wait_until(
        lambda: sku_prices(stack, buyer, "AC-P")["AC-2"] == (4444, "level"),
        timeout=2)
    # The price check reads the database and agrees with the storefront
    # (every worker's, once each has seen the new shop version).
    for code, product, want in (("AC-1", "AC-P", (9000, "level")),
                                ("AC-2", "AC-P", (4444, "level")),
                                ("AC-S1", "AC-S", (9000, "level"))):
        assert check_price(stack, s, cid, code) == want, code
        stack.every_worker(sku_page(stack, buyer, product),
                           lambda r: prices_of(r)[code] == want, timeout=5,
                           by=changed + 1.5)
    assert check_price(stack, s, "", "AC-1", qty=10) == (9000, "tier")
    assert check_price(stack, s, "", "AC-1") == (10000, "base")
    r = s.get(stack.url(f"{A}/admin/prices/check"),
              params={"customer_id": cid, "sku_code": "AC-2", "qty": "2"})
    assert r.status_code == 200
    assert "¥44.44" in r.text and "会员等级价" in r.text
    r = s.get(stack.url(f"{A}/admin/prices/check"),
              params={"sku_code": "AC-B1"})
    assert r.status_code == 400 and "SKU 编码" in r.text
    # Editing and removing the fixed price.
    sku2 = q1(stack, "SELECT id FROM sku WHERE code = 'AC-2'")
    r = post(stack, s, f"{L}/items/{sku2}", {"price": "40"})
    assert r.status_code == 303
    assert check_price(stack, s, cid, "AC-2") == (4000, "level")
    r = post(stack, s, f"{L}/items/{sku2}/delete", {})
    assert r.status_code == 303
    assert check_price(stack, s, cid, "AC-2") == (4500, "level")
    stack.wait_until(
        lambda: sku_prices(stack, buyer, "AC-P")["AC-2"] == (4500, "level"),
        timeout=2)
    # No percentage: back to tiers and base.
    r = post(stack, s, f"{L}/percent", {"percent": ""})
    assert r.status_code == 303
    assert check_price(stack, s, cid, "AC-S1") == (10000, "base")
    # Sales may look but not change.
    sa = sales(stack)
    assert sa.get(stack.url(f"{A}/admin/prices")).status_code == 200
    r = post(stack, sa, f"{L}/percent", {"percent": "50"})
    assert r.status_code == 403


def test_level_in_use_cannot_be_deleted(stack, seed):
    s = owner(stack)
    lid = make_level(stack, s, "AC铜牌")
    cid = make_company(stack, s, name="AC测试铜牌", level_id=lid)
    r = post(stack, s, f"{A}/admin/prices/levels/{lid}/delete", {})
    assert r.status_code == 409 and "1 个客户" in alert(r.text)
    assert q1(stack, f"SELECT COUNT(*) FROM member_level WHERE id = {lid}") \
        == "1"
    make_level(stack, s, "AC重名")
    r = post(stack, s, f"{A}/admin/prices/levels/{lid}",
             {"name": "AC重名"})                  # taken by another level
    assert r.status_code == 409 and "同名" in alert(r.text)
    r = post(stack, s, f"{A}/admin/prices/levels", {"name": ""})
    assert r.status_code == 400 and "等级名称" in alert(r.text)
    r = post(stack, s, f"{A}/admin/customers/{cid}",
             company_form(name="AC测试铜牌"))     # no level any more
    assert r.status_code == 303
    r = post(stack, s, f"{A}/admin/prices/levels/{lid}/delete", {})
    assert r.status_code == 303
    assert q1(stack, f"SELECT COUNT(*) FROM member_level WHERE id = {lid}") \
        == "0"
    assert q1(stack, "SELECT COUNT(*) FROM price_list "
                     f"WHERE level_id = {lid}") == "0"


# -- who may do what ----------------------------------------------------


def test_posts_without_csrf_are_refused(stack, seed):
    s = owner(stack)
    before = q1(stack, "SELECT COUNT(*) FROM customer")
    r = post(stack, s, f"{A}/admin/customers/new",
             company_form(name="AC测试无令牌"), csrf=False)
    assert r.status_code == 403
    r = post(stack, s, f"{A}/admin/prices/levels", {"name": "AC无令牌"},
             csrf=False)
    assert r.status_code == 403
    r = post(stack, s, f"{A}/admin/customers/new",
             dict(company_form(name="AC测试无令牌"), csrf="0" * 32),
             csrf=False)
    assert r.status_code == 403
    assert q1(stack, "SELECT COUNT(*) FROM customer") == before
    assert q1(stack, "SELECT COUNT(*) FROM member_level "
                     "WHERE name = 'AC无令牌'") == "0"
    cid = make_company(stack, s, name="AC测试令牌")
    link, token = invite(stack, s, cid)
    g = stack.session()
    g.get(link)
    r = g.post(link, data={"name": "x", "phone": "13600000051",
                           "password": "secret-88",
                           "password2": "secret-88"},
               allow_redirects=False)
    assert r.status_code == 403


def test_customers_cannot_open_the_back_office(stack, seed):
    c = stack.login(OTHER_BUYER, stack.password, "shop-a")
    for path in ("/admin/customers", "/admin/customers/new", "/admin/prices",
                 "/admin/prices/check?sku_code=AC-1"):
        r = c.get(stack.url(A + path), allow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["Location"].startswith(f"{A}/admin/login"), path
        assert "示例商贸" not in r.text
    r = c.get(stack.url(f"{A}/admin/customers"),
              headers={"Accept": "application/json"})
    assert r.status_code == 401
    r = c.post(stack.url(f"{A}/admin/customers/new"), data=dict(
        company_form(name="AC测试顾客建"),
        csrf=get_csrf(stack, c, f"{A}/account")), allow_redirects=False)
    assert r.status_code == 401
    assert q1(stack, "SELECT COUNT(*) FROM customer "
                     "WHERE name = 'AC测试顾客建'") == "0"
    # Nor can a guest, nor shop-b's owner see shop-a's companies.
    r = stack.session().get(stack.url(f"{A}/admin/customers"),
                            allow_redirects=False)
    assert r.status_code == 303
    b = stack.login(stack.owner_phone, stack.password, "shop-b", staff=True)
    a_cust = q1(stack, f"SELECT id FROM customer WHERE shop_id = {SHOP_A} "
                       "ORDER BY id LIMIT 1")
    r = b.get(stack.url(f"/s/shop-b/admin/customers/{a_cust}"))
    assert r.status_code == 404
    assert "示例商贸" in b.get(stack.url("/s/shop-b/admin/customers")).text
    assert "AC测试" not in b.get(stack.url("/s/shop-b/admin/customers")).text
