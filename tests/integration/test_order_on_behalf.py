"""Staff place an order on a customer company's behalf (代客下单): the
owner for any company, a salesperson for their own only (another's is
404 and writes nothing); the order is the company's at its own prices
(contract, level), submitted at once with channel admin, the staff
member and no customer user (no approval, no 起订金额: a warning), its
stock reserved and a monthly order charged to the balance; credit, stock, unknown codes, empty lines and
another shop's SKU are refused with a code and write nothing; a replayed
submit makes one order; the customer sees it marked 业务员代下; and the
back-office pages from the customer's page or the order list to the
order, with the typed lines kept after a refusal."""

import re
import secrets

import pytest

from helpers import api_login, csrf_of
from orders_kit import (SHOP, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, orders_of, seed_skus,
                        stock)

P = "OB"
A = SHOP.format("shop-a")
BASE = "/s/shop-a"
SALES_B = "13800000041"
NAMES = ("代下甲公司", "代下乙公司", "代下额度公司", "代下停用公司")
NEW = f"{BASE}/admin/orders/new"


@pytest.fixture(scope="module")
def cat(stack):
    k = seed_skus(stack, P, {
        "A": (10000, 50, 1, 1, 0),      # 100.00; its contract 70.00
        "B": (5000, 100, 1, 1, 0),      # 50.00; the level's 45.00
        "C": (3000, 2, 1, 1, 0),        # two left
    })
    other = seed_skus(stack, P, {"X": (1000, 50, 1, 1, 0)}, shop="shop-b")
    stack.sql(f"""
INSERT INTO staff (shop_id, name, phone, password_hash, role)
  SELECT shop_id, '代下乙销售', '{SALES_B}', password_hash, 'sales'
  FROM staff WHERE shop_id = {A} AND phone = '{stack.owner_phone}';
""")
    mine, uids = company(stack, NAMES[0], 13614000000, users=1)
    theirs, _ = company(stack, NAMES[1], 13614000100, sales=SALES_B)
    tight, _ = company(stack, NAMES[2], 13614000200, limit_fen=5000)
    off, _ = company(stack, NAMES[3], 13614000300)
    sku = {n: v[0] for n, v in k.items()}
    stack.sql(f"""
INSERT INTO member_level (shop_id, name) VALUES ({A}, 'OB等级');
SET @l = LAST_INSERT_ID();
INSERT INTO price_list (shop_id, level_id, name) VALUES ({A}, @l, 'OB价目');
INSERT INTO price_list_item (price_list_id, sku_id, shop_id, price_fen)
  VALUES (LAST_INSERT_ID(), {sku['B']}, {A}, 4500);
UPDATE customer SET level_id = @l WHERE id = {mine};
INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen)
  VALUES ({A}, {mine}, {sku['A']}, 7000);
UPDATE customer SET status = 'disabled' WHERE id = {off};
""")
    ids = {key: int(one(stack, f"SELECT id FROM staff WHERE shop_id = {A} "
                        f"AND phone = '{phone}'"))
           for key, phone in (("owner", stack.owner_phone),
                              ("sales", stack.sales_phone),
                              ("sales_b", SALES_B))}
    yield {"sku": sku, "other_sku": other["X"][0], "mine": mine,
           "users": uids, "theirs": theirs, "tight": tight, "off": off,
           "staff": ids}
    drop_companies(stack, "c.name IN (" + ", ".join(
        f"'{n}'" for n in NAMES) + ")")
    drop_skus(stack, P)
    stack.sql(f"""
DELETE FROM member_level WHERE name = 'OB等级';
DELETE FROM session WHERE staff_id = {ids['sales_b']};
DELETE FROM staff WHERE id = {ids['sales_b']};
""")


def staff(stack, phone):
    """A bearer session of a staff member, asking for JSON."""
    r = api_login(stack, "shop-a", phone, kind="staff")
    assert r.status_code == 200, r.text
    s = stack.session()
    s.headers["Authorization"] = f"Bearer {r.json()['data']['token']}"
    s.headers["Accept"] = "application/json"
    return s


@pytest.fixture(scope="module")
def owner(stack, cat):
    return staff(stack, stack.owner_phone)


@pytest.fixture(scope="module")
def sales(stack, cat):
    return staff(stack, stack.sales_phone)


def place(stack, s, cid, text=None, key=None, lines=None, **fields):
    """POST /admin/orders/new as JSON, with an Idempotency-Key."""
    body = {"customer_id": str(cid), **fields}
    if lines is not None:
        body["lines"] = lines
    else:
        body["text"] = text
    return s.post(stack.url(NEW), json=body, headers={
        "Idempotency-Key": key or secrets.token_hex(12)})



def outstanding(stack, cid):
    rows = stack.sql(f"SELECT outstanding_fen FROM customer_balance "
                     f"WHERE customer_id = {cid}")
    return int(rows[0][0]) if rows else 0


def test_owner_places_an_order_at_the_companys_prices(stack, cat, owner):
    sku, cid = cat["sku"], cat["mine"]
    text = f"{P}-A-1 3\n{P}-B-1\t10\n"
    # The preview prices every line for the company and writes nothing.
    r = owner.post(stack.url(NEW + "/preview"), json={
        "customer_id": str(cid), "text": text})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["customer"]["name"] == NAMES[0]
    assert [(ln["unit_price_fen"], ln["price_source"], ln["status"])
            for ln in d["lines"]] == [(7000, "contract", "ok"),
                                      (4500, "level", "ok")]
    assert [ln["price_source_label"] for ln in d["lines"]] == [
        "客户合同价", "会员等级价"]
    assert d["subtotal_fen"] == 3 * 7000 + 10 * 4500
    assert d["credit"]["monthly"] is True
    assert [t["value"] for t in d["terms"] if t["checked"]] == ["monthly"]
    assert orders_of(stack, cid) == 0
    before = {n: stock(stack, sku[n]) for n in ("A", "B")}
    owed = outstanding(stack, cid)
    r = place(stack, owner, cid, text, invoice="normal", po_no="PO-OB-1",
              remark="电话下单")
    assert r.status_code == 201, r.text
    o = r.json()["data"]["order"]
    assert o["state"] == "submitted"
    row = one(stack, f"SELECT state, channel, staff_id, customer_user_id IS "
              f"NULL, customer_id, po_no, payment_terms, total_fen, "
              f"subtotal_fen FROM sales_order WHERE id = {o['id']}")
    assert row[:7] == ("submitted", "admin", str(cat["staff"]["owner"]),
                       "1", str(cid), "PO-OB-1", "monthly")
    # 21000 x 3 % = 630, 45000 x 3 % = 1350.
    assert (int(row[8]), int(row[7])) == (66000, 66000 + 630 + 1350)
    lines = stack.sql(f"SELECT sku_id, qty, unit_fen, price_source FROM "
                      f"order_line WHERE order_id = {o['id']} ORDER BY "
                      f"line_no")
    assert [tuple(x) for x in lines] == [
        (str(sku["A"]), "3", "7000", "contract"),
        (str(sku["B"]), "10", "4500", "level")]
    assert stock(stack, sku["A"]) == before["A"] - 3
    assert stock(stack, sku["B"]) == before["B"] - 10
    assert one(stack, f"SELECT COUNT(*) FROM stock_movement WHERE order_id "
               f"= {o['id']} AND reason = 'reserve' AND staff_id = "
               f"{cat['staff']['owner']}") == "2"
    assert outstanding(stack, cid) == owed + int(row[7])
    ev = one(stack, f"SELECT from_state IS NULL, to_state, staff_id, "
             f"customer_user_id IS NULL, note FROM order_event WHERE "
             f"order_id = {o['id']}")
    assert ev[:4] == ("1", "submitted", str(cat["staff"]["owner"]), "1")
    assert ev[4].startswith("代客下单")
    audit = one(stack, f"SELECT actor, detail FROM audit_log WHERE action = "
                f"'order.submit' AND detail LIKE 'order={o['id']} %'")
    assert audit[0] == f"staff:{cat['staff']['owner']}"
    assert "on_behalf" in audit[1] and f"customer={cid}" in audit[1]


def test_staff_orders_skip_the_companys_approval(stack, cat, owner):
    cid = cat["mine"]
    stack.sql(f"UPDATE customer SET approval_mode = 'all' WHERE id = {cid}")
    try:
        r = place(stack, owner, cid, f"{P}-B-1 1", terms="prepaid")
        assert r.status_code == 201, r.text
        assert r.json()["data"]["order"]["state"] == "submitted"
    finally:
        stack.sql(f"UPDATE customer SET approval_mode = 'none' WHERE id = "
                  f"{cid}")


def test_staff_are_warned_of_the_minimum_order_not_held_to_it(stack, cat,
                                                              owner):
    cid = cat["mine"]
    stack.sql("UPDATE member_level SET min_order_fen = 1000000 WHERE name "
              "= 'OB等级'")
    try:
        r = owner.post(stack.url(NEW + "/preview"), json={
            "customer_id": str(cid), "text": f"{P}-B-1 1"})
        assert r.status_code == 200, r.text
        d = r.json()["data"]
        assert d["below_min"] is True and d["short_fen"] == 1000000 - 4500
        r = place(stack, owner, cid, f"{P}-B-1 1", terms="prepaid")
        assert r.status_code == 201, r.text
    finally:
        stack.sql("UPDATE member_level SET min_order_fen = 0 WHERE name = "
                  "'OB等级'")


def test_salesperson_orders_for_their_own_company_only(stack, cat, sales):
    r = place(stack, sales, cat["mine"], f"{P}-B-1 2", terms="prepaid")
    assert r.status_code == 201, r.text
    assert one(stack, f"SELECT staff_id FROM sales_order WHERE id = "
               f"{r.json()['data']['order']['id']}") == \
        str(cat["staff"]["sales"])
    theirs = cat["theirs"]
    b = stock(stack, cat["sku"]["B"])
    r = place(stack, sales, theirs, f"{P}-B-1 2")
    assert r.status_code == 404, r.text
    r = sales.post(stack.url(NEW + "/preview"), json={
        "customer_id": str(theirs), "text": f"{P}-B-1 2"})
    assert r.status_code == 404, r.text
    r = sales.get(stack.url(f"{NEW}?customer_id={theirs}"))
    assert r.status_code == 404, r.text
    assert orders_of(stack, theirs) == 0
    assert stock(stack, cat["sku"]["B"]) == b
    # The picker lists the salesperson's companies, not another's.
    names = [c["name"] for c in sales.get(stack.url(
        f"{NEW}?q=代下")).json()["data"]["companies"]]
    assert NAMES[0] in names and NAMES[1] not in names
    # Another shop's company is not there either.
    other = int(one(stack, "SELECT id FROM customer WHERE shop_id = "
                    f"{SHOP.format('shop-b')} ORDER BY id LIMIT 1"))
    r = place(stack, staff(stack, stack.owner_phone), other, f"{P}-B-1 1")
    assert r.status_code == 404, r.text


def refused(stack, cat, r, status, code, cid=None):
    assert r.status_code == status, r.text
    assert error_code(r) == code, r.text
    return r.json()["error"]["message"]


@pytest.fixture
def unchanged(stack, cat):
    """Nothing written: orders, stock and balances as they were."""
    def snap():
        return (int(one(stack, "SELECT COUNT(*) FROM sales_order")),
                [stock(stack, v) for v in cat["sku"].values()],
                [outstanding(stack, c) for c in (cat["mine"], cat["tight"])])
    before = snap()
    yield
    assert snap() == before


def test_credit_exceeded(stack, cat, owner, unchanged):
    # 100.00 of goods for a company with 50.00 of credit.
    r = place(stack, owner, cat["tight"], f"{P}-A-1 1", terms="monthly")
    msg = refused(stack, cat, r, 409, "credit_exceeded")
    assert "信用额度" in msg


def test_out_of_stock(stack, cat, owner, unchanged):
    r = place(stack, owner, cat["mine"], f"{P}-C-1 3\n{P}-B-1 1",
              terms="prepaid")
    msg = refused(stack, cat, r, 409, "out_of_stock")
    assert f"测试商品 {P}-C" in msg


def test_unknown_codes_are_named(stack, cat, owner, unchanged):
    r = place(stack, owner, cat["mine"],
              f"{P}-B-1 1\nOB-NONE 2\nOB-NADA 1\n")
    msg = refused(stack, cat, r, 400, "unknown_code")
    assert "OB-NONE" in msg and "OB-NADA" in msg and "第 2 行" in msg


@pytest.mark.parametrize("text", ["", "  \n# 只有注释\n"])
def test_empty_lines(stack, cat, owner, unchanged, text):
    r = place(stack, owner, cat["mine"], text)
    refused(stack, cat, r, 400, "lines_empty")


def test_empty_json_lines(stack, cat, owner, unchanged):
    r = place(stack, owner, cat["mine"], lines=[])
    refused(stack, cat, r, 400, "lines_empty")


def test_another_shops_sku(stack, cat, owner, unchanged):
    # By code it is no SKU of this shop; by id it is not for sale here.
    r = place(stack, owner, cat["mine"], f"{P}-X-1 1")
    assert "OB-X-1" in refused(stack, cat, r, 400, "unknown_code")
    r = place(stack, owner, cat["mine"], lines=[
        {"sku_id": cat["other_sku"], "qty": 1}])
    refused(stack, cat, r, 400, "sku_unavailable")


def test_bad_quantity_and_disabled_company(stack, cat, owner, unchanged):
    r = place(stack, owner, cat["mine"], f"{P}-B-1 0")
    refused(stack, cat, r, 400, "qty_invalid")
    r = place(stack, owner, cat["off"], f"{P}-B-1 1")
    assert "停用" in refused(stack, cat, r, 409, "customer_disabled")


def test_a_role_that_may_not(stack, cat):
    stack.sql(f"UPDATE staff SET role = 'warehouse' WHERE id = "
              f"{cat['staff']['sales_b']}")
    try:
        s = staff(stack, SALES_B)
        n = orders_of(stack, cat["mine"])
        r = place(stack, s, cat["mine"], f"{P}-B-1 1")
        assert r.status_code == 403, r.text
        assert orders_of(stack, cat["mine"]) == n
    finally:
        stack.sql(f"UPDATE staff SET role = 'sales' WHERE id = "
                  f"{cat['staff']['sales_b']}")


def test_replayed_submit_makes_one_order(stack, cat, owner):
    cid, key = cat["mine"], secrets.token_hex(12)
    n, b = orders_of(stack, cid), stock(stack, cat["sku"]["B"])
    r1 = place(stack, owner, cid, f"{P}-B-1 4", key=key, terms="prepaid")
    assert r1.status_code == 201, r1.text
    r2 = place(stack, owner, cid, f"{P}-B-1 4", key=key, terms="prepaid")
    assert r2.status_code == 200, r2.text
    assert r2.json()["data"]["replayed"] is True
    assert r2.json()["data"]["order"]["id"] == \
        r1.json()["data"]["order"]["id"]
    assert orders_of(stack, cid) == n + 1
    assert stock(stack, cat["sku"]["B"]) == b - 4
    assert one(stack, f"SELECT idem_key FROM sales_order WHERE id = "
               f"{r1.json()['data']['order']['id']}") == \
        f"staff:{cat['staff']['owner']}:{key}"
    # The key again for another company: another request, refused.
    r3 = place(stack, owner, cat["tight"], f"{P}-B-1 1", key=key,
               terms="prepaid")
    assert r3.status_code == 422, r3.text
    assert error_code(r3) == "idempotency_key_reused"
    assert orders_of(stack, cat["tight"]) == 0


def test_the_customer_sees_it_placed_by_staff(stack, cat, owner):
    r = place(stack, owner, cat["mine"], f"{P}-B-1 1", terms="prepaid")
    assert r.status_code == 201, r.text
    oid = r.json()["data"]["order"]["id"]
    buyer = bearer_session(stack, "shop-a", cat["users"][0])
    d = buyer.get(stack.url(f"{BASE}/api/v1/orders/{oid}")).json()["data"]
    assert d["order"]["placed_by_staff"] is True
    mine = buyer.get(stack.url(f"{BASE}/api/v1/orders")).json()["data"]
    row = [o for o in mine["orders"] if o["id"] == oid][0]
    assert row["placed_by_staff"] is True
    h5 = stack.login("13614000000", stack.password, "shop-a")
    assert "业务员代下" in h5.get(stack.url(f"{BASE}/orders/{oid}")).text
    assert "业务员代下" in h5.get(stack.url(f"{BASE}/orders")).text


def test_the_back_office_pages(stack, cat):
    s = stack.login(stack.owner_phone, stack.password, "shop-a", staff=True)
    cid = cat["mine"]
    page = s.get(stack.url(f"{BASE}/admin/customers/{cid}")).text
    assert f"/admin/orders/new?customer_id={cid}" in page and "代客下单" in page
    assert "/admin/orders/new" in s.get(stack.url(
        f"{BASE}/admin/orders")).text
    pick = s.get(stack.url(f"{NEW}?q=代下甲"))
    assert pick.status_code == 200 and NAMES[0] in pick.text
    assert f"customer_id={cid}" in pick.text
    form = s.get(stack.url(f"{NEW}?customer_id={cid}"))
    assert form.status_code == 200 and NAMES[0] in form.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text)
    data = {"csrf": csrf_of(form.text), "customer_id": str(cid),
            "text": f"{P}-A-1 2\n{P}-B-1 2\nOB-NONE 1",
            "idempotency_key": key.group(1), "terms": "prepaid",
            "invoice": "none"}
    # The preview: the contract price, where it comes from, the bad line.
    r = s.post(stack.url(NEW + "/preview"), data=data)
    assert r.status_code == 200, r.text
    assert "¥70.00" in r.text and "客户合同价" in r.text
    assert "没有这个商品编码或条码" in r.text
    # Submitted as it is: refused, and the typed lines are still there.
    n = orders_of(stack, cid)
    r = s.post(stack.url(NEW), data=data, allow_redirects=False)
    assert r.status_code == 400, r.text
    assert "OB-NONE" in r.text and f"{P}-A-1 2" in r.text
    assert orders_of(stack, cid) == n
    # Fixed: placed, to the order's page with a notice.
    data["text"] = f"{P}-A-1 2\n{P}-B-1 2"
    data["idempotency_key"] = re.search(
        r'name="idempotency_key" value="([^"]+)"', r.text).group(1)
    data["csrf"] = csrf_of(r.text)
    r = s.post(stack.url(NEW), data=data, allow_redirects=False)
    assert r.status_code == 303, r.text
    loc = r.headers["Location"]
    assert re.search(r"/admin/orders/\d+\?done=order_placed$", loc), loc
    # The same form sent again (a double tap) is the same order.
    again = s.post(stack.url(NEW), data=data, allow_redirects=False)
    assert again.status_code == 303 and again.headers["Location"] == loc
    assert orders_of(stack, cid) == n + 1
    done = s.get(stack.url(loc))
    assert "已代客下单" in done.text and "代客下单：" in done.text
