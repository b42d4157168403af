"""A salesperson sees and changes only the companies they own.

Two salespeople of shop-a (the demo's 13800000001 as A, one made here as
B), a company owned by each and one nobody owns, each with a user, an
invitation, an address, an invoice profile, a contract price and an
inquiry from its user, and guest inquiries: nobody's, A's and B's.

The routes are those `dinghuo routes` lists, so that a route added later
under /admin/customers/<id> or /admin/inquiries/<id> is walked too. On
B's company and on the unowned one, sales A gets what a company that is
not there gets (404, or 403 where the role may not use the route), in
HTML and in JSON, and nothing changes; the same requests on A's own
company work, and the owner's work on every company.
"""

import re

import pytest

from helpers import get_csrf

A = "/s/shop-a"
SHOP = "(SELECT id FROM shop WHERE slug = 'shop-a')"
SALES_B = "13800000031"
ID = "([0-9]{1,18})"
MISSING = "999999999999"          # no company, no inquiry has this id
JSON = {"Accept": "application/json"}

# The customers: key, name, owner ("a", "b" or None), user's phone.
CUSTOMERS = (("a", "SC测试甲", "a", "13700003101"),
             ("b", "SC测试乙", "b", "13700003102"),
             ("u", "SC测试无主", None, "13700003103"))
# Guest inquiries: key, contact, assignee.
GUESTS = (("g", "SC范围游客", None), ("ga", "SC范围游客甲", "a"),
          ("gb", "SC范围游客乙", "b"))

# The row a route's second id names, by the path segment before it.
ROWS = {"users": "user", "invites": "invite", "addresses": "address",
        "invoices": "invoice", "prices": "sku"}


def q1(stack, sql):
    rows = stack.sql(sql)
    return rows[0][0] if rows else None


def login(stack, phone):
    s = stack.login(phone, stack.password, "shop-a", staff=True)
    s.csrf = get_csrf(stack, s, f"{A}/admin")
    return s


@pytest.fixture(scope="module")
def people(stack):
    """Sales A and B, the owner, and two SKUs for contract prices."""
    stack.sql(f"""
INSERT INTO staff (shop_id, name, phone, password_hash, role)
  SELECT shop_id, '乙销售', '{SALES_B}', password_hash, 'sales'
  FROM staff WHERE shop_id = {SHOP} AND phone = '{stack.owner_phone}';
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({SHOP}, 'SC-P', 'SC范围礼盒', '盒', '');
INSERT INTO sku (shop_id, product_id, code, unit, stock, price_fen)
  VALUES ({SHOP}, LAST_INSERT_ID(), 'SC-1', '盒', 50, 10000),
         ({SHOP}, LAST_INSERT_ID(), 'SC-2', '盒', 50, 8000);
UPDATE shop SET version = version + 1;
""")
    ids = {}
    for key, phone in (("a", stack.sales_phone), ("b", SALES_B),
                       ("owner", stack.owner_phone)):
        ids[key] = q1(stack, f"SELECT id FROM staff WHERE shop_id = {SHOP} "
                             f"AND phone = '{phone}'")
    ids["sku"] = q1(stack, "SELECT id FROM sku WHERE code = 'SC-1'")
    yield ids
    stack.sql(f"""
DELETE FROM session WHERE staff_id = {ids['b']};
DELETE FROM staff WHERE id = {ids['b']};
DELETE FROM product WHERE code = 'SC-P';
UPDATE shop SET version = version + 1;
""")


def build(stack, ids):
    """The companies, their rows and the inquiries; their ids by key."""
    sql = []
    for key, name, owner, phone in CUSTOMERS:
        who = ids[owner] if owner else "NULL"
        sql.append(f"""
INSERT INTO customer (shop_id, name, owner_staff_id)
  VALUES ({SHOP}, '{name}', {who});
SET @c = LAST_INSERT_ID();
INSERT INTO customer_user (shop_id, customer_id, name, phone, password_hash)
  SELECT {SHOP}, @c, '{name}采购', '{phone}', password_hash FROM staff
  WHERE id = {ids['owner']};
SET @u = LAST_INSERT_ID();
INSERT INTO customer_invite (shop_id, customer_id, token_hash, role,
  created_by, expires_at) VALUES ({SHOP}, @c, SHA2(UUID(), 256), 'buyer',
  {ids['owner']}, NOW(3) + INTERVAL 7 DAY);
INSERT INTO customer_address (shop_id, customer_id, receiver, phone,
  address, is_default) VALUES ({SHOP}, @c, '收货人', '{phone}', '某路 1 号', 1);
INSERT INTO invoice_profile (shop_id, customer_id, kind, title, tax_id)
  VALUES ({SHOP}, @c, 'normal', '{name}', '91310000MA1FL0001X');
INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen)
  VALUES ({SHOP}, @c, {ids['sku']}, 9000);
INSERT INTO inquiry (shop_id, customer_user_id, contact_name, contact_phone,
  message) VALUES ({SHOP}, @u, 'SC范围{name}', '{phone}', 'SC: {key}');
""")
    for key, contact, who in GUESTS:
        staff = ids[who] if who else "NULL"
        sql.append(f"""
INSERT INTO inquiry (shop_id, contact_name, contact_phone, message,
  assigned_staff_id) VALUES ({SHOP}, '{contact}', '13600003100',
  'SC: {key}', {staff});
""")
    stack.sql("".join(sql) + "UPDATE shop SET version = version + 1;")
    w = {}
    for key, name, _, _ in CUSTOMERS:
        cid = q1(stack, f"SELECT id FROM customer WHERE name = '{name}'")
        w[key] = {
            "id": cid, "name": name, "sku": ids["sku"],
            "user": q1(stack, "SELECT id FROM customer_user WHERE "
                              f"customer_id = {cid}"),
            "invite": q1(stack, "SELECT id FROM customer_invite WHERE "
                                f"customer_id = {cid}"),
            "address": q1(stack, "SELECT id FROM customer_address WHERE "
                                 f"customer_id = {cid}"),
            "invoice": q1(stack, "SELECT id FROM invoice_profile WHERE "
                                 f"customer_id = {cid}"),
            "inquiry": q1(stack, "SELECT id FROM inquiry WHERE "
                                 f"message = 'SC: {key}'"),
        }
    for key, _, _ in GUESTS:
        w[key] = {"inquiry": q1(stack, "SELECT id FROM inquiry WHERE "
                                       f"message = 'SC: {key}'")}
    return w


def clear(stack):
    stack.sql("""
DELETE m FROM inquiry_message m JOIN inquiry i ON i.id = m.inquiry_id
  WHERE i.message LIKE 'SC: %';
DELETE FROM inquiry WHERE message LIKE 'SC: %';
DELETE u FROM customer_user u JOIN customer c ON c.id = u.customer_id
  WHERE c.name LIKE 'SC测试%';
DELETE FROM customer WHERE name LIKE 'SC测试%';
UPDATE shop SET version = version + 1;
""")


@pytest.fixture
def world(stack, people):
    clear(stack)            # what a failed run left
    yield build(stack, people)
    clear(stack)


def company_state(stack, cid):
    """Everything of one company a request could change."""
    return stack.sql(f"""
SELECT c.name, COALESCE(c.owner_staff_id, '-'), c.status, c.payment_terms,
  c.credit_days, c.credit_limit_fen,
  (SELECT GROUP_CONCAT(CONCAT_WS(',', id, name, role, status) ORDER BY id)
   FROM customer_user WHERE customer_id = c.id),
  (SELECT GROUP_CONCAT(CONCAT_WS(',', id, COALESCE(used_at, '-')) ORDER BY id)
   FROM customer_invite WHERE customer_id = c.id),
  (SELECT GROUP_CONCAT(CONCAT_WS(',', id, receiver, address, is_default)
   ORDER BY id) FROM customer_address WHERE customer_id = c.id),
  (SELECT GROUP_CONCAT(CONCAT_WS(',', id, kind, title) ORDER BY id)
   FROM invoice_profile WHERE customer_id = c.id),
  (SELECT GROUP_CONCAT(CONCAT_WS(',', sku_id, price_fen, binding)
   ORDER BY sku_id) FROM contract_price WHERE customer_id = c.id)
FROM customer c WHERE c.id = {cid}""")


def inquiry_state(stack, iid):
    return stack.sql(f"""
SELECT status, COALESCE(assigned_staff_id, '-'), answer,
  (SELECT COUNT(*) FROM inquiry_message WHERE inquiry_id = i.id)
FROM inquiry i WHERE id = {iid}""")


def audit_mark(stack):
    return q1(stack, "SELECT COALESCE(MAX(id), 0) FROM audit_log")


# -- the routes, from the route tables -----------------------------------


def routes(stack, prefix):
    """The routes whose pattern starts with prefix and an id."""
    out = stack.run("routes").stdout
    found = []
    for line in out.splitlines():
        method, pattern, flags, roles = line.split("\t")
        if pattern.startswith("^" + prefix + ID):
            assert pattern.endswith("$"), pattern
            found.append({"method": method, "pattern": pattern,
                          "roles": roles.split(","),
                          "key": re.sub(re.escape(ID), "N",
                                        pattern[1:-1])})
    assert found, f"no route under {prefix}<id>:\n{out}"
    return found


def fill(route, first, rows):
    """The route's path with first for its first id and, for a second,
    the row of rows its path segment names."""
    parts = route["pattern"][1:-1].split(ID)
    path = parts[0] + str(first)
    for seg in parts[1:-1]:
        name = seg.strip("/").split("/")[-1]
        if name not in ROWS:
            pytest.fail(f"{route['pattern']}: which row of a company is a "
                        f"{name!r}? Add it to ROWS and to the world")
        path += seg + str(rows[ROWS[name]])
    path += parts[-1]
    assert not re.search(r"[][()?*+|\\^$]", path), (route["pattern"], path)
    return path


def may(route, session_role):
    return session_role in route["roles"] or route["roles"] == ["-"]


def last_deletes(rs):
    """Deletes and closes after the rest: the rest need their rows."""
    return sorted(rs, key=lambda r: r["key"].endswith(("/delete",
                                                       "/close")))


def company_data(w, key, owner_id):
    """What each customer route's form sends; the company form as the
    sender's page sends it (a salesperson's has no owner or credit)."""
    company = {"name": w[key]["name"], "level_id": "", "tags": "",
               "tax_id": "", "contact_name": "", "contact_phone": "",
               "status": "active"}
    if owner_id is not None:
        company.update(owner_staff_id=owner_id, payment_terms="prepaid",
                       credit_days="", credit_limit="0")
    address = {"receiver": "王五", "phone": "13700003199",
               "address": "新路 2 号"}
    invoice = {"kind": "normal", "title": "新抬头",
               "tax_id": "91310000MA1FL0009X"}
    return {
        "/admin/customers/N": company,
        "/admin/customers/N/credit": {"payment_terms": "prepaid",
                                      "credit_days": "",
                                      "credit_limit": "0"},
        "/admin/customers/N/users/N": {"name": "新名字", "role": "buyer",
                                       "status": "active"},
        "/admin/customers/N/users/N/status": {"status": "active"},
        "/admin/customers/N/invites": {"role": "buyer"},
        "/admin/customers/N/addresses": address,
        "/admin/customers/N/addresses/N": address,
        "/admin/customers/N/invoices": invoice,
        "/admin/customers/N/invoices/N": invoice,
        "/admin/customers/N/prices": {"sku_code": "SC-2", "price": "88"},
        "/admin/customers/N/prices/N": {"price": "77"},
        "/admin/customers/N/prices/pick": {"q": "SC", "sku_code": "SC-1"},
        "/admin/customers/N/invites/N/delete": {},
        "/admin/customers/N/addresses/N/delete": {},
        "/admin/customers/N/invoices/N/delete": {},
        "/admin/customers/N/prices/N/delete": {},
    }


def call(stack, s, route, path, data, json=False):
    headers = JSON if json else {}
    data = data or {}
    if route["method"] == "GET":
        return s.get(stack.url(A + path), params=data, headers=headers,
                     allow_redirects=False)
    return s.post(stack.url(A + path), data=dict(data, csrf=s.csrf),
                  headers=headers, allow_redirects=False)


def refused(stack, s, role, route, path, data, hidden=()):
    """The answer to a company or inquiry that is not there: 404 (403
    where the role may not use the route), HTML and JSON, saying nothing
    of what is hidden."""
    want = 404 if may(route, role) else 403
    for json in (False, True):
        r = call(stack, s, route, path, data, json)
        assert r.status_code == want, (route["method"], path, json,
                                       r.status_code, r.text[:300])
        for text in hidden:
            assert text not in r.text, (path, text)
        if json:
            assert r.json()["ok"] is False
            assert r.json()["error"]["code"] == ("not_found" if want == 404
                                                 else "forbidden")


def works(stack, s, role, route, path, data):
    r = call(stack, s, route, path, data)
    if not may(route, role):
        assert r.status_code == 403, (path, r.status_code)
        return
    if data is None:            # a route this test has no form for
        assert r.status_code not in (403, 404), (path, r.status_code)
    elif route["method"] == "GET" or route["key"].endswith("/invites"):
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
    else:
        assert r.status_code == 303, (path, r.status_code, r.text[:500])


# -- every route under /admin/customers/<id> ------------------------------


def test_sales_get_not_found_for_every_route_of_anothers_company(
        stack, people, world):
    sa = login(stack, stack.sales_phone)
    rs = routes(stack, "/admin/customers/")
    assert len(rs) >= 15, rs
    before = {k: company_state(stack, world[k]["id"]) for k in "bu"}
    mark = audit_mark(stack)
    for route in rs:
        for key in "bu":
            path = fill(route, world[key]["id"], world[key])
            data = company_data(world, key, None).get(route["key"], {})
            refused(stack, sa, "sales", route, path, data,
                    hidden=(world[key]["name"],))
        # A company that is not there answers the same.
        path = fill(route, MISSING, world["b"])
        refused(stack, sa, "sales", route, path, {})
    for k in "bu":
        assert company_state(stack, world[k]["id"]) == before[k], k
    assert audit_mark(stack) == mark            # nothing was written


def test_sales_use_every_route_of_their_own_company(stack, people, world):
    sa = login(stack, stack.sales_phone)
    data = company_data(world, "a", None)
    for route in last_deletes(routes(stack, "/admin/customers/")):
        works(stack, sa, "sales", route, fill(route, world["a"]["id"],
                                              world["a"]),
              data.get(route["key"]))
    after = company_state(stack, world["a"]["id"])[0]
    assert after[1] == people["a"]              # still A's
    assert "新名字" in after[6] and "王五" in after[8] and "新抬头" in after[9]


@pytest.mark.parametrize("key", ["b", "u"])
def test_owner_uses_every_route_of_any_company(stack, people, world, key):
    s = login(stack, stack.owner_phone)
    owner_of = people["b"] if key == "b" else ""
    data = company_data(world, key, owner_of)
    for route in last_deletes(routes(stack, "/admin/customers/")):
        works(stack, s, "owner", route, fill(route, world[key]["id"],
                                             world[key]),
              data.get(route["key"]))
    after = company_state(stack, world[key]["id"])[0]
    assert after[1] == (people["b"] if key == "b" else "-")
    assert "王五" in after[8]


# -- the list, the form, who owns a company ----------------------------------


def listed(stack, s, **params):
    r = s.get(stack.url(f"{A}/admin/customers"), headers=JSON,
              params=dict(q="SC测试", **params))
    assert r.status_code == 200, r.text[:300]
    return {c["name"]: c for c in r.json()["data"]["customers"]}


def test_list_shows_sales_their_own_and_the_owner_all(stack, people, world):
    sa = login(stack, stack.sales_phone)
    assert set(listed(stack, sa)) == {"SC测试甲"}
    assert set(listed(stack, sa, owner=people["b"])) == set()
    assert set(listed(stack, sa, owner="none")) == set()
    page = sa.get(stack.url(f"{A}/admin/customers?q=SC测试")).text
    assert "SC测试乙" not in page and "未分配销售" not in page
    s = login(stack, stack.owner_phone)
    rows = listed(stack, s)
    assert set(rows) == {"SC测试甲", "SC测试乙", "SC测试无主"}
    assert [n for n, c in rows.items() if c["unowned"]] == ["SC测试无主"]
    assert set(listed(stack, s, owner="none")) == {"SC测试无主"}
    assert set(listed(stack, s, owner=people["b"])) == {"SC测试乙"}
    page = s.get(stack.url(f"{A}/admin/customers?q=SC测试")).text
    assert '<span class="badge warn">未分配销售</span>' in page
    assert '<option value="none">未分配销售</option>' in page
    page = s.get(stack.url(f"{A}/admin/customers/{world['u']['id']}")).text
    assert "未分配销售：销售人员都看不到这个客户，请选择负责销售。" in page
    page = s.get(stack.url(f"{A}/admin/customers/{world['b']['id']}")).text
    assert "未分配销售" not in page


def test_only_owner_and_admin_move_a_company(stack, people, world):
    sa = login(stack, stack.sales_phone)
    page = sa.get(stack.url(f"{A}/admin/customers/{world['a']['id']}")).text
    assert '<select id="c-owner" name="owner_staff_id" disabled>' in page
    assert "只有店主或管理员可以更换负责销售" in page
    assert re.findall(r'<option value="(\d+)"[^>]*>[^<]*（销售）', page) == \
        [people["a"]]                           # only themselves
    # A salesperson cannot give their company away, nor make one for B.
    form = company_data(world, "a", None)["/admin/customers/N"]
    before = company_state(stack, world["a"]["id"])
    r = sa.post(stack.url(f"{A}/admin/customers/{world['a']['id']}"),
                data=dict(form, owner_staff_id=people["b"], csrf=sa.csrf),
                allow_redirects=False)
    assert r.status_code == 400
    assert '<span class="field-error">只有店主或管理员可以更换负责销售</span>' \
        in r.text
    assert company_state(stack, world["a"]["id"]) == before
    r = sa.post(stack.url(f"{A}/admin/customers/new"),
                data=dict(form, name="SC测试给乙", owner_staff_id=people["b"],
                          csrf=sa.csrf), allow_redirects=False)
    assert r.status_code == 400
    assert q1(stack, "SELECT COUNT(*) FROM customer "
                     "WHERE name = 'SC测试给乙'") == "0"
    # What they make is theirs, and the new form says so.
    page = sa.get(stack.url(f"{A}/admin/customers/new")).text
    assert re.search(rf'<option value="{people["a"]}" selected>', page)
    r = sa.post(stack.url(f"{A}/admin/customers/new"),
                data=dict(form, name="SC测试自建", csrf=sa.csrf),
                allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert q1(stack, "SELECT owner_staff_id FROM customer "
                     "WHERE name = 'SC测试自建'") == people["a"]
    # The owner gives A's company to B: A loses it, B has it.
    s = login(stack, stack.owner_phone)
    path = f"{A}/admin/customers/{world['a']['id']}"
    r = s.post(stack.url(path), allow_redirects=False, data=dict(
        company_data(world, "a", people["b"])["/admin/customers/N"],
        csrf=s.csrf))
    assert r.status_code == 303, r.text[:500]
    assert sa.get(stack.url(path)).status_code == 404
    sb = login(stack, SALES_B)
    assert sb.get(stack.url(path)).status_code == 200
    assert set(listed(stack, sb)) == {"SC测试甲", "SC测试乙"}
    # And takes it back from everyone: only who sees all sees it.
    r = s.post(stack.url(path), allow_redirects=False, data=dict(
        company_data(world, "a", "")["/admin/customers/N"], csrf=s.csrf))
    assert r.status_code == 303
    assert sb.get(stack.url(path)).status_code == 404
    assert "未分配销售" in s.get(stack.url(path)).text


# -- contract prices and the price check ---------------------------------


def test_price_check_for_anothers_company_is_one_the_shop_lacks(
        stack, people, world):
    sa = login(stack, stack.sales_phone)

    def check(s, cid):
        return s.get(stack.url(f"{A}/admin/prices/check"), headers=JSON,
                     params={"customer_id": cid, "sku_code": "SC-1"})

    r = check(sa, world["a"]["id"])
    assert r.status_code == 200
    res = r.json()["data"]["check"]["result"]
    assert res["customer"] == "SC测试甲" and res["unit_fen"] == 9000
    gone = check(sa, MISSING)
    assert gone.status_code == 400
    for key in "bu":
        r = check(sa, world[key]["id"])
        assert (r.status_code, r.json()) == (gone.status_code, gone.json())
        html = sa.get(stack.url(f"{A}/admin/prices/check"), params={
            "customer_id": world[key]["id"], "sku_code": "SC-1"})
        assert html.status_code == 400 and world[key]["name"] not in html.text
    names = {c["name"] for c in sa.get(stack.url(f"{A}/admin/prices"),
             headers=JSON).json()["data"]["check_customers"]}
    assert "SC测试甲" in names and not names & {"SC测试乙", "SC测试无主"}
    s = login(stack, stack.owner_phone)
    for key in "abu":
        r = check(s, world[key]["id"])
        assert r.status_code == 200
        assert r.json()["data"]["check"]["result"]["unit_fen"] == 9000
    names = {c["name"] for c in s.get(stack.url(f"{A}/admin/prices"),
             headers=JSON).json()["data"]["check_customers"]}
    assert {"SC测试甲", "SC测试乙", "SC测试无主"} <= names


# -- inquiries -------------------------------------------------------------

SEEN_BY_A = ("a", "g", "ga")      # A's company's, nobody's guest, A's guest
HIDDEN_FROM_A = ("b", "u", "gb")


def inquiry_ids(stack, s, **params):
    r = s.get(stack.url(f"{A}/admin/inquiries"), headers=JSON,
              params=dict(status="all", q="SC范围", **params))
    assert r.status_code == 200, r.text[:300]
    return {i["id"] for i in r.json()["data"]["inquiries"]}


def test_inquiry_list_in_scope(stack, people, world):
    ids = {k: world[k]["inquiry"] for k in SEEN_BY_A + HIDDEN_FROM_A}
    sa = login(stack, stack.sales_phone)
    assert inquiry_ids(stack, sa) == {int(ids[k]) for k in SEEN_BY_A}
    assert inquiry_ids(stack, sa, mine="1") == {int(ids["ga"])}
    sb = login(stack, SALES_B)
    assert inquiry_ids(stack, sb) == {int(ids[k]) for k in ("b", "g", "gb")}
    s = login(stack, stack.owner_phone)
    assert inquiry_ids(stack, s) == {int(v) for v in ids.values()}


def inquiry_data(people):
    return {"/admin/inquiries/N/assign": {"staff_id": people["a"]},
            "/admin/inquiries/N/answer": {"answer": "SC 好的"},
            "/admin/inquiries/N/close": {}}


def test_sales_get_not_found_for_every_route_of_anothers_inquiry(
        stack, people, world):
    sa = login(stack, stack.sales_phone)
    rs = routes(stack, "/admin/inquiries/")
    assert {r["key"] for r in rs} >= {"/admin/inquiries/N",
                                       "/admin/inquiries/N/answer"}
    data = inquiry_data(people)
    before = {k: inquiry_state(stack, world[k]["inquiry"])
              for k in HIDDEN_FROM_A}
    mark = audit_mark(stack)
    for route in rs:
        for k in HIDDEN_FROM_A + ("missing",):
            iid = world[k]["inquiry"] if k != "missing" else MISSING
            refused(stack, sa, "sales", route, fill(route, iid, {}),
                    data.get(route["key"], {}), hidden=("SC范围",))
    for k in HIDDEN_FROM_A:
        assert inquiry_state(stack, world[k]["inquiry"]) == before[k], k
    assert audit_mark(stack) == mark


@pytest.mark.parametrize("who,keys", [
    ("sales", SEEN_BY_A), ("owner", SEEN_BY_A + HIDDEN_FROM_A)])
def test_staff_use_every_route_of_the_inquiries_they_see(
        stack, people, world, who, keys):
    s = login(stack, stack.sales_phone if who == "sales" else
              stack.owner_phone)
    data = inquiry_data(people)
    for route in last_deletes(routes(stack, "/admin/inquiries/")):
        for k in keys:
            works(stack, s, who, route, fill(route, world[k]["inquiry"], {}),
                  data.get(route["key"]))
    for k in keys:
        assert inquiry_state(stack, world[k]["inquiry"])[0][0] == "closed"


# -- the dashboard -----------------------------------------------------------


def counts(stack, s):
    d = s.get(stack.url(f"{A}/admin"), headers=JSON).json()["data"]
    out = dict(d["stats"])
    out["open"] = sum(t["count"] for t in d["todo"]
                      if "/admin/inquiries" in t["url"])
    out["mine"] = sum(t["count"] for t in d["todo"] if "mine=1" in t["url"])
    out["new"] = sum(t["count"] for t in d["todo"]
                     if t["url"].endswith("/admin/customers"))
    del out["staff"]
    return out


def test_dashboard_counts_what_each_may_see(stack, people):
    clear(stack)
    sa = login(stack, stack.sales_phone)
    s = login(stack, stack.owner_phone)
    before = counts(stack, sa), counts(stack, s)
    build(stack, people)
    try:
        after = counts(stack, sa), counts(stack, s)
    finally:
        clear(stack)
    delta = [{k: a[k] - b[k] for k in a} for a, b in zip(after, before)]
    # A: their company and its user, its inquiry and two guests'.
    assert delta[0] == {"customers": 1, "customer_users": 1,
                        "new_users_30d": 1, "open": 3, "mine": 1, "new": 1}
    assert delta[1] == {"customers": 3, "customer_users": 3,
                        "new_users_30d": 3, "open": 6, "mine": 0, "new": 3}
