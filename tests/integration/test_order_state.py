"""The order's life: staff confirm, ship (carrier and tracking number),
the customer confirms receipt, staff complete; cancel from the states
that allow it releases the stock and the credit. Every move is recorded;
a move the state does not allow is 409 invalid_transition and changes
nothing; a role that may not is 403; another company's or shop's order
is 404. The back office's list filters and pages, the delivery note, the
dashboard's 待确认订单 and the account page's summary."""

import re

import pytest

from helpers import csrf_of, get_csrf
from orders_kit import (SHOP, add, bearer_session, cn_day, company,
                        drop_companies, drop_skus, error_code, one,
                        seed_skus, stock, submit)

P = "ST"
A, B = SHOP.format("shop-a"), SHOP.format("shop-b")
STAFF = {"warehouse": "13622000001", "finance": "13622000002",
         "service": "13622000003"}


@pytest.fixture(scope="module")
def world(stack):
    k = seed_skus(stack, P, {"X": (5000, 100, 1, 1, 0),
                             "Y": (700, 100, 1, 1, 0)})
    cid, uids = company(stack, "状态测试公司", 13622000100, users=1)
    # Nobody's company: a salesperson does not see it (docs/roles.md).
    other, ouids = company(stack, "旁观测试公司", 13622000200, users=1,
                           sales=None)
    for role, phone in STAFF.items():
        stack.sql(f"""INSERT INTO staff (shop_id, name, phone, password_hash,
            role) SELECT {A}, '{role}员', '{phone}', password_hash, '{role}'
            FROM staff WHERE shop_id = {A} AND phone = '13800000000'""")
    yield {"sku": {n: v[0] for n, v in k.items()}, "customer": cid,
           "user": uids[0], "other": other, "other_user": ouids[0]}
    drop_companies(stack, "c.name IN ('状态测试公司', '旁观测试公司')")
    drop_skus(stack, P)
    stack.sql("DELETE FROM session WHERE staff_id IN (SELECT id FROM staff "
              "WHERE phone LIKE '1362200000%'); DELETE FROM audit_log WHERE "
              "actor IN (SELECT CONCAT('staff:', id) FROM staff WHERE phone "
              "LIKE '1362200000%'); DELETE FROM staff WHERE phone LIKE "
              "'1362200000%'")


@pytest.fixture(scope="module")
def staff(stack, world):
    """Logged-in back-office sessions by role, with their CSRF token."""
    out = {}
    for role, phone in [("owner", stack.owner_phone),
                        ("sales", stack.sales_phone)] + list(STAFF.items()):
        s = stack.login(phone, stack.password, "shop-a", staff=True)
        s.headers["X-CSRF-Token"] = get_csrf(stack, s, "/s/shop-a/admin")
        out[role] = s
    return out


def place(stack, world, lines=(("X", 2),), terms="monthly"):
    s = bearer_session(stack, "shop-a", world["user"])
    for name, qty in lines:
        assert add(stack, s, world["sku"][name], qty).status_code == 200
    r = submit(stack, s, terms=terms)
    assert r.status_code == 201, r.text
    return int(r.json()["data"]["order"]["id"]), s


def move(stack, s, oid, action, **data):
    return s.post(stack.url(f"/s/shop-a/admin/orders/{oid}/{action}"),
                  data=data, headers={"Accept": "application/json"})


def state(stack, oid):
    return one(stack, f"SELECT state FROM sales_order WHERE id = {oid}")


def events(stack, oid):
    return stack.sql(f"SELECT from_state, to_state FROM order_event WHERE "
                     f"order_id = {oid} ORDER BY id")


def test_the_whole_life_of_an_order(stack, world, staff):
    oid, buyer = place(stack, world)
    x = stock(stack, world["sku"]["X"])
    r = move(stack, staff["sales"], oid, "confirm")
    assert r.status_code == 200 and r.json()["data"]["state"] == "confirmed"
    r = move(stack, staff["warehouse"], oid, "ship", carrier="顺丰速运",
             tracking_no="SF1234567890")
    assert r.status_code == 200 and r.json()["data"]["state"] == "shipped"
    assert stack.sql(f"SELECT carrier, tracking_no FROM shipment WHERE "
                     f"order_id = {oid}") == [("顺丰速运", "SF1234567890")]
    assert stack.sql(f"SELECT l.qty, sl.qty, l.shipped_qty FROM "
                     f"shipment_line sl JOIN order_line l ON l.id = "
                     f"sl.order_line_id WHERE l.order_id = {oid}") == \
        [("2", "2", "2")]
    # Shipping moves reserved goods out: a movement, and no stock change.
    assert stock(stack, world["sku"]["X"]) == x
    assert stack.sql(f"SELECT delta, qty FROM stock_movement WHERE order_id "
                     f"= {oid} AND reason = 'ship'") == [("0", "2")]
    # The customer sees the parcel and confirms receipt.
    d = buyer.get(stack.url(f"/s/shop-a/api/v1/orders/{oid}")).json()["data"]
    assert d["order"]["shipments"][0]["tracking_no"] == "SF1234567890"
    assert d["order"]["may_receive"] is True
    r = buyer.post(stack.url(f"/s/shop-a/api/v1/orders/{oid}/receive"))
    assert r.status_code == 200 and r.json()["data"]["state"] == "received"
    r = move(stack, staff["finance"], oid, "complete")
    assert r.status_code == 200 and r.json()["data"]["state"] == "completed"
    assert events(stack, oid) == [
        (None, "submitted"), ("submitted", "confirmed"),
        ("confirmed", "shipped"), ("shipped", "received"),
        ("received", "completed")]
    who = stack.sql(f"SELECT staff_id IS NOT NULL, customer_user_id IS NOT "
                    f"NULL FROM order_event WHERE order_id = {oid} ORDER BY "
                    f"id")
    assert who == [("0", "1"), ("1", "0"), ("1", "0"), ("0", "1"),
                   ("1", "0")]
    d = buyer.get(stack.url(f"/s/shop-a/api/v1/orders/{oid}")).json()["data"]
    assert [e["to"] for e in d["order"]["events"]][-1] == "completed"
    # The customer reads the shop's moves as the shop's, not a person's.
    assert [e["who"] for e in d["order"]["events"]] == \
        ["采购0", "商家", "商家", "采购0", "商家"]


@pytest.mark.parametrize("setup,action,who", [
    ([], "complete", "owner"),                  # submitted -> completed
    ([], "ship", "owner"),
    (["confirm"], "confirm", "owner"),          # twice
    ([], "receive", "owner"),
    ([], "receive", "customer"),
    (["confirm"], "cancel", "customer"),        # after the shop confirmed
    (["confirm", "ship"], "cancel", "owner"),
    (["cancel"], "confirm", "owner"),
    (["cancel"], "cancel", "owner"),
])
def test_a_move_the_state_does_not_allow_is_409_and_changes_nothing(
        stack, world, staff, setup, action, who):
    oid, buyer = place(stack, world)
    for a in setup:
        r = move(stack, staff["owner"], oid, a, note="原因", carrier="中通",
                 tracking_no="ZT1")
        assert r.status_code == 200, r.text
    before = (state(stack, oid), events(stack, oid),
              stock(stack, world["sku"]["X"]),
              one(stack, f"SELECT outstanding_fen FROM customer_balance "
                  f"WHERE customer_id = {world['customer']}"))
    if who == "customer":
        r = buyer.post(stack.url(f"/s/shop-a/api/v1/orders/{oid}/{action}"))
    else:
        r = move(stack, staff[who], oid, action, note="再来",
                 carrier="中通", tracking_no="ZT2")
    assert r.status_code == 409, r.text
    assert error_code(r) == "invalid_transition"
    after = (state(stack, oid), events(stack, oid),
             stock(stack, world["sku"]["X"]),
             one(stack, f"SELECT outstanding_fen FROM customer_balance "
                 f"WHERE customer_id = {world['customer']}"))
    assert after == before


@pytest.mark.parametrize("role,action", [("warehouse", "confirm"),
                                         ("sales", "ship"),
                                         ("finance", "cancel")])
def test_a_role_that_may_not_move_is_403(stack, world, staff, role, action):
    oid, _ = place(stack, world)
    if action == "ship":
        assert move(stack, staff["owner"], oid, "confirm").status_code == 200
    st = state(stack, oid)
    r = move(stack, staff[role], oid, action, note="x", carrier="c",
             tracking_no="t")
    assert r.status_code == 403, r.text
    assert state(stack, oid) == st


def test_service_staff_have_no_order_pages(stack, world, staff):
    r = staff["service"].get(stack.url("/s/shop-a/admin/orders"))
    assert r.status_code == 403
    r = staff["service"].get(stack.url("/s/shop-a/admin"))
    assert 'href="/s/shop-a/admin/orders"' not in r.text
    r = staff["warehouse"].get(stack.url("/s/shop-a/admin"))
    assert 'href="/s/shop-a/admin/orders"' in r.text


def test_ship_needs_carrier_and_tracking_number(stack, world, staff):
    oid, _ = place(stack, world)
    move(stack, staff["owner"], oid, "confirm")
    r = move(stack, staff["owner"], oid, "ship", carrier="顺丰")
    assert r.status_code == 400
    assert state(stack, oid) == "confirmed"
    assert stack.sql(f"SELECT id FROM shipment WHERE order_id = {oid}") == []


def test_cancel_releases_stock_and_credit(stack, world, staff):
    x, y = world["sku"]["X"], world["sku"]["Y"]
    sx, sy = stock(stack, x), stock(stack, y)
    owed = int(one(stack, f"SELECT COALESCE((SELECT outstanding_fen FROM "
                   f"customer_balance WHERE customer_id = "
                   f"{world['customer']}), 0)"))
    oid, _ = place(stack, world, (("Y", 3), ("X", 1)))
    total = int(one(stack, f"SELECT total_fen FROM sales_order WHERE id = "
                    f"{oid}"))
    assert stock(stack, x) == sx - 1 and stock(stack, y) == sy - 3
    assert move(stack, staff["owner"], oid, "confirm").status_code == 200
    r = move(stack, staff["owner"], oid, "cancel")
    assert r.status_code == 400      # staff give a reason
    r = move(stack, staff["owner"], oid, "cancel", note="客户要求取消")
    assert r.status_code == 200 and r.json()["data"]["state"] == "cancelled"
    assert stock(stack, x) == sx and stock(stack, y) == sy
    assert stack.sql(f"SELECT sku_id, delta FROM stock_movement WHERE "
                     f"order_id = {oid} AND reason = 'release' ORDER BY "
                     f"sku_id") == [(str(x), "1"), (str(y), "3")]
    assert int(one(stack, f"SELECT outstanding_fen FROM customer_balance "
                   f"WHERE customer_id = {world['customer']}")) == owed
    assert stack.sql(f"SELECT note FROM order_event WHERE order_id = {oid} "
                     f"AND to_state = 'cancelled'") == [("客户要求取消",)]
    assert total > 0


def test_the_customer_cancels_before_the_shop_confirms(stack, world):
    x = world["sku"]["X"]
    sx = stock(stack, x)
    oid, buyer = place(stack, world, terms="prepaid")
    r = buyer.post(stack.url(f"/s/shop-a/api/v1/orders/{oid}/cancel"),
                   data={"note": "下错了"})
    assert r.status_code == 200 and r.json()["data"]["state"] == "cancelled"
    assert stock(stack, x) == sx


def test_another_companys_order_is_not_found(stack, world, staff):
    oid, _ = place(stack, world)
    move(stack, staff["owner"], oid, "confirm")
    move(stack, staff["owner"], oid, "ship", carrier="c", tracking_no="t")
    other = bearer_session(stack, "shop-a", world["other_user"])
    for path in (f"/api/v1/orders/{oid}", f"/api/v1/orders/{oid}/done"):
        r = other.get(stack.url(f"/s/shop-a{path}"))
        assert r.status_code == 404, path
        assert "状态测试公司" not in r.text
    for action in ("receive", "cancel"):
        r = other.post(stack.url(f"/s/shop-a/api/v1/orders/{oid}/{action}"))
        assert r.status_code == 404
    assert state(stack, oid) == "shipped"
    r = other.get(stack.url("/s/shop-a/api/v1/orders"))
    assert oid not in [o["id"] for o in r.json()["data"]["orders"]]
    # Another shop's staff, on their own shop's pages.
    b = stack.login(stack.owner_phone, stack.password, "shop-b", staff=True)
    assert b.get(stack.url(f"/s/shop-b/admin/orders/{oid}")).status_code == \
        404
    tok = get_csrf(stack, b, "/s/shop-b/admin")
    r = b.post(stack.url(f"/s/shop-b/admin/orders/{oid}/complete"),
               data={"csrf": tok})
    assert r.status_code == 404
    assert state(stack, oid) == "shipped"


def test_a_salesperson_sees_only_their_companies_orders(stack, world,
                                                       staff):
    mine, _ = place(stack, world)
    s = bearer_session(stack, "shop-a", world["other_user"])
    assert add(stack, s, world["sku"]["Y"], 1).status_code == 200
    r = submit(stack, s, terms="monthly")
    assert r.status_code == 201, r.text
    theirs = r.json()["data"]["order"]["id"]
    sales, owner = staff["sales"], staff["owner"]
    j = {"Accept": "application/json"}
    r = sales.get(stack.url(f"/s/shop-a/admin/orders/{theirs}"), headers=j)
    assert r.status_code == 404 and "旁观测试公司" not in r.text
    assert move(stack, sales, theirs, "confirm").status_code == 404
    assert state(stack, theirs) == "submitted"
    ids = [o["id"] for o in sales.get(stack.url("/s/shop-a/admin/orders"),
                                      headers=j).json()["data"]["orders"]]
    assert mine in ids and theirs not in ids
    ids = [o["id"] for o in owner.get(stack.url("/s/shop-a/admin/orders"),
                                      headers=j).json()["data"]["orders"]]
    assert mine in ids and theirs in ids
    assert owner.get(stack.url(f"/s/shop-a/admin/orders/{theirs}"),
                     headers=j).status_code == 200
    # The dashboard counts what each may confirm.
    todo = {t["url"]: t["count"] for t in owner.get(stack.url(
        "/s/shop-a/admin"), headers=j).json()["data"]["todo"]}
    stodo = {t["url"]: t["count"] for t in sales.get(stack.url(
        "/s/shop-a/admin"), headers=j).json()["data"]["todo"]}
    key = "/s/shop-a/admin/orders?state=submitted"
    assert todo[key] == stodo[key] + int(one(
        stack, f"SELECT COUNT(*) FROM sales_order o JOIN customer c ON "
        f"c.id = o.customer_id WHERE o.shop_id = {A} AND o.state = "
        f"'submitted' AND c.owner_staff_id IS NULL"))
    assert move(stack, owner, theirs, "cancel", note="测试").status_code == 200


# -- pages ------------------------------------------------------------------

def test_customer_pages_list_and_timeline(stack, world, staff):
    oid, _ = place(stack, world)
    move(stack, staff["owner"], oid, "confirm")
    move(stack, staff["owner"], oid, "ship", carrier="顺丰速运",
         tracking_no="SF999")
    s = stack.login("13622000100", stack.password, "shop-a")
    no = one(stack, f"SELECT order_no FROM sales_order WHERE id = {oid}")
    r = s.get(stack.url("/s/shop-a/orders?state=shipped"))
    assert r.status_code == 200 and no in r.text
    r = s.get(stack.url("/s/shop-a/orders?state=cancelled"))
    assert no not in r.text
    r = s.get(stack.url(f"/s/shop-a/orders/{oid}"))
    assert "订单进度" in r.text and "SF999" in r.text
    assert "确认收货" in r.text and "已发货" in r.text
    tok = csrf_of(r.text)
    r = s.post(stack.url(f"/s/shop-a/orders/{oid}/receive"),
               data={"csrf": tok}, allow_redirects=False)
    assert r.status_code == 303
    r = s.get(stack.url(r.headers["Location"]))
    assert "已确认收货" in r.text and "已收货" in r.text
    # Again, from a stale page: 409, said on the page, nothing changes.
    assert 'action="/s/shop-a/orders/%d/receive"' % oid not in r.text
    r = s.post(stack.url(f"/s/shop-a/orders/{oid}/receive"),
               data={"csrf": tok})
    assert r.status_code == 409 and "不能确认收货" in r.text
    assert len(events(stack, oid)) == 4


def test_account_shows_open_orders_and_credit(stack, world):
    s = bearer_session(stack, "shop-a", world["user"])
    open_ = int(one(stack, f"SELECT COUNT(*) FROM sales_order WHERE "
                    f"customer_id = {world['customer']} AND state NOT IN "
                    f"('completed', 'cancelled')"))
    place(stack, world)
    d = s.get(stack.url("/s/shop-a/api/v1/account")).json()["data"]
    o = d["orders"]
    assert o["open"] == open_ + 1
    owed = int(one(stack, f"SELECT outstanding_fen FROM customer_balance "
                   f"WHERE customer_id = {world['customer']}"))
    assert o["credit"] is True and o["credit_used_fen"] == owed
    assert o["credit_available_fen"] == 10000000 - owed
    h = stack.login("13622000100", stack.password, "shop-a")
    r = h.get(stack.url("/s/shop-a/account"))
    assert "可用额度" in r.text and f"<b>{open_ + 1}</b> 笔进行中" in r.text


def test_back_office_list_filters_and_pages(stack, world, staff):
    ids = [place(stack, world, (("Y", 1),), terms="prepaid")[0]
           for _ in range(3)]
    nos = [one(stack, f"SELECT order_no FROM sales_order WHERE id = {i}")
           for i in ids]
    o = staff["owner"]

    def listed(query):
        r = o.get(stack.url(f"/s/shop-a/admin/orders?{query}"))
        assert r.status_code == 200, r.text[:300]
        return r.text

    page = listed(f"customer={world['customer']}")
    assert all(no in page for no in nos)
    assert listed(f"customer={world['other']}").count(nos[0]) == 0
    assert nos[1] in listed(f"q={nos[1]}") and nos[0] not in \
        listed(f"q={nos[1]}")
    assert nos[2] in listed(f"state=submitted&from={cn_day(stack)}"
                            f"&to={cn_day(stack)}")
    assert nos[2] not in listed(f"to={cn_day(stack, -1)}")
    assert nos[2] not in listed("state=completed")
    r = o.get(stack.url("/s/shop-a/admin/orders?from=2026-1x-01"),
              headers={"Accept": "application/json"})
    assert r.status_code == 400
    # Pages of 20, newest first.
    total = int(one(stack, f"SELECT COUNT(*) FROM sales_order WHERE shop_id "
                    f"= {A}"))
    for _ in range(max(0, 21 - total)):
        place(stack, world, (("Y", 1),), terms="prepaid")
    page1 = listed("")
    assert "下一页" in page1 and "第 1 /" in page1
    newest = one(stack, f"SELECT order_no FROM sales_order WHERE shop_id = "
                 f"{A} ORDER BY id DESC LIMIT 1")
    assert newest in page1
    assert newest not in listed("page=2")


def test_order_detail_delivery_note_and_dashboard(stack, world, staff):
    oid, _ = place(stack, world, (("X", 1), ("Y", 2)))
    o = staff["owner"]
    no = one(stack, f"SELECT order_no FROM sales_order WHERE id = {oid}")
    r = o.get(stack.url(f"/s/shop-a/admin/orders/{oid}"))
    assert r.status_code == 200 and no in r.text
    assert f'action="/s/shop-a/admin/orders/{oid}/confirm"' in r.text
    assert f'action="/s/shop-a/admin/orders/{oid}/ship"' not in r.text
    r = o.get(stack.url(f"/s/shop-a/admin/orders/{oid}/delivery-note"))
    assert r.status_code == 200 and "发货单" in r.text and no in r.text
    assert "ST-X-1" in r.text and "@media print" in r.text
    waiting = int(one(stack, f"SELECT COUNT(*) FROM sales_order WHERE "
                      f"shop_id = {A} AND state = 'submitted'"))
    r = o.get(stack.url("/s/shop-a/admin"))
    assert re.search(rf"<b>{waiting}</b>\s*个待确认订单", r.text), \
        r.text[:3000]
    d = o.get(stack.url("/s/shop-a/admin/orders/" + str(oid)),
              headers={"Accept": "application/json"}).json()["data"]
    assert d["order"]["may"] == {"confirm": True, "cancel": True}
    # A refused move on the page: why, and the order as it is.
    tok = csrf_of(r.text)
    r = o.post(stack.url(f"/s/shop-a/admin/orders/{oid}/complete"),
               data={"csrf": tok})
    assert r.status_code == 409 and "不能完成订单" in r.text
    r = o.post(stack.url(f"/s/shop-a/admin/orders/{oid}/confirm"),
               data={"csrf": tok}, allow_redirects=False)
    assert r.status_code == 303
    assert o.get(stack.url(r.headers["Location"])).text.count("订单已确认") \
        >= 1


def test_customer_page_links_to_its_orders(stack):
    s = stack.login(stack.owner_phone, stack.password, "shop-a", staff=True)
    cid = stack.sql("SELECT id FROM customer WHERE shop_id = (SELECT id FROM "
                    "shop WHERE slug = 'shop-a') ORDER BY id LIMIT 1")[0][0]
    page = s.get(stack.url(f"/s/shop-a/admin/customers/{cid}")).text
    href = f"/s/shop-a/admin/orders?customer={cid}"
    assert f'href="{href}"' in page
    assert s.get(stack.url(href)).status_code == 200
