"""The picking list (拣货单, issue 10): what is left to ship of one order or
of many confirmed orders, per SKU with each order's share, grouped by the
product's category (in the tree's order, none last) and sorted by SKU
code, with barcode, case size and cases + loose units. Only confirmed
orders (partly shipped ones too) may be picked; a salesperson sees only
their own companies' orders, another shop's order is 404, and bad ids
are a clear 400. The sheet only reads: nothing changes.

Orders here are of 拣货测试公司 (sales A's) and 拣货乙公司 (sales B's),
SKUs PK-..., categories PK饮料 › PK矿泉水 and PK日化."""

import re

import pytest

from helpers import get_csrf
from orders_kit import (SHOP, add, bearer_session, cn_day, company,
                        drop_companies, drop_skus, error_code, one,
                        seed_skus, submit)

P = "PK"
A = "/s/shop-a"
SA, SB = SHOP.format("shop-a"), SHOP.format("shop-b")
SALES_B = "13656000031"
WAREHOUSE = "13656000041"
JSON = {"Accept": "application/json"}
PAGE = f"{A}/admin/orders/picking-list"

# suffix: (price_fen, stock, min_qty, pack_size, pack_only), category,
# barcode
SKUS = {"W": ((200, 1000, 1, 24, 0), "water", "6900000000017"),
        "A": ((300, 1000, 1, 12, 0), "water", "6900000000024"),
        "J": ((500, 1000, 1, 6, 0), "drinks", "6900000000031"),
        "S": ((900, 1000, 1, 1, 0), "home", ""),
        "N": ((100, 1000, 1, 10, 0), None, "6900000000048")}


@pytest.fixture(scope="module")
def world(stack):
    stack.sql(f"""
INSERT INTO category (shop_id, parent_id, name, sort)
  VALUES ({SA}, NULL, 'PK饮料', 9001), ({SA}, NULL, 'PK日化', 9002);
INSERT INTO category (shop_id, parent_id, name, sort)
  SELECT {SA}, id, 'PK矿泉水', 1 FROM category
  WHERE shop_id = {SA} AND name = 'PK饮料';
INSERT INTO staff (shop_id, name, phone, password_hash, role)
  SELECT {SA}, '拣货乙销售', '{SALES_B}', password_hash, 'sales'
  FROM staff WHERE shop_id = {SA} AND phone = '13800000000';
INSERT INTO staff (shop_id, name, phone, password_hash, role)
  SELECT {SA}, '拣货仓管', '{WAREHOUSE}', password_hash, 'warehouse'
  FROM staff WHERE shop_id = {SA} AND phone = '13800000000';
""")
    cats = {"drinks": "PK饮料", "water": "PK矿泉水", "home": "PK日化"}
    k = seed_skus(stack, P, {n: v[0] for n, v in SKUS.items()})
    for n, (_, cat, barcode) in SKUS.items():
        c = "NULL" if cat is None else \
            f"(SELECT id FROM category WHERE shop_id = {SA} AND name = " \
            f"'{cats[cat]}')"
        stack.sql(f"UPDATE sku SET unit = '瓶', barcode = '{barcode}' "
                  f"WHERE id = {k[n][0]}; UPDATE product SET category_id = "
                  f"{c} WHERE id = {k[n][1]}")
    cid, uids = company(stack, "拣货测试公司", 13656000100, users=1)
    bid, buids = company(stack, "拣货乙公司", 13656000200, users=1,
                         sales=SALES_B)
    staff = {}
    for role, phone in (("owner", stack.owner_phone),
                        ("sales", stack.sales_phone), ("sales_b", SALES_B),
                        ("warehouse", WAREHOUSE)):
        s = stack.login(phone, stack.password, "shop-a", staff=True)
        s.headers["X-CSRF-Token"] = get_csrf(stack, s, f"{A}/admin")
        staff[role] = s
    yield {"sku": {n: v[0] for n, v in k.items()}, "customer": cid,
           "user": uids[0], "customer_b": bid, "user_b": buids[0],
           "staff": staff}
    drop_companies(stack, "c.name IN ('拣货测试公司', '拣货乙公司')")
    drop_skus(stack, P)
    stack.sql(f"""
DELETE FROM category WHERE shop_id = {SA} AND name = 'PK矿泉水';
DELETE FROM category WHERE shop_id = {SA} AND name IN ('PK饮料', 'PK日化');
DELETE FROM session WHERE staff_id IN (SELECT id FROM staff
  WHERE phone IN ('{SALES_B}', '{WAREHOUSE}'));
DELETE FROM audit_log WHERE actor IN (SELECT CONCAT('staff:', id)
  FROM staff WHERE phone IN ('{SALES_B}', '{WAREHOUSE}'));
DELETE FROM staff WHERE phone IN ('{SALES_B}', '{WAREHOUSE}');
""")


def place(stack, world, lines, user="user", confirm=True, **fields):
    """An order of the company's user with lines {suffix: qty}, confirmed
    by the owner unless told not to. Returns (id, order number)."""
    s = bearer_session(stack, "shop-a", world[user])
    for name, qty in lines.items():
        assert add(stack, s, world["sku"][name], qty).status_code == 200
    r = submit(stack, s, terms="monthly", **fields)
    assert r.status_code == 201, r.text
    oid = int(r.json()["data"]["order"]["id"])
    if confirm:
        r = world["staff"]["owner"].post(
            stack.url(f"{A}/admin/orders/{oid}/confirm"), headers=JSON)
        assert r.status_code == 200, r.text
    return oid, one(stack, f"SELECT order_no FROM sales_order "
                    f"WHERE id = {oid}")


def ship(stack, world, oid, qty):
    """A parcel of {suffix: units} of order oid."""
    data = {"carrier": "顺丰速运", "tracking_no": "SF-PK"}
    for code, lid in stack.sql(f"SELECT sku_code, id FROM order_line "
                               f"WHERE order_id = {oid}"):
        data[f"ship_qty[{lid}]"] = str(qty.get(code.split("-")[1], 0))
    r = world["staff"]["warehouse"].post(
        stack.url(f"{A}/admin/orders/{oid}/ship"), data=data, headers=JSON)
    assert r.status_code == 200, r.text


def sheet(stack, s, path, **params):
    r = s.get(stack.url(path), params=params, headers=JSON)
    assert r.status_code == 200, r.text
    return r.json()["data"]["picking"]


def rows(p):
    """[(category, sku code, qty, cases, loose)] as the sheet lists them."""
    return [(g["category"], ln["sku_code"], ln["qty"], ln["cases"],
             ln["loose"]) for g in p["groups"] for ln in g["lines"]]


def snapshot(stack):
    """What a picking list must not change."""
    return (stack.sql("SELECT id, state, updated_at FROM sales_order ORDER "
                      "BY id"),
            stack.sql("SELECT id, shipped_qty FROM order_line ORDER BY id"),
            stack.sql("SELECT COUNT(*) FROM shipment"),
            stack.sql("SELECT COUNT(*), COALESCE(SUM(delta), 0) FROM "
                      "stock_movement"),
            stack.sql(f"SELECT id, stock FROM sku WHERE code LIKE '{P}-%' "
                      f"ORDER BY id"))


def test_one_order_after_a_partial_shipment(stack, world):
    oid, no = place(stack, world, {"W": 50, "A": 3, "J": 4, "S": 2, "N": 25},
                    delivery_date=cn_day(stack, 3), remark="上午送到后门")
    ship(stack, world, oid, {"W": 20, "N": 25})
    before = snapshot(stack)
    o = world["staff"]["warehouse"]
    p = sheet(stack, o, f"{A}/admin/orders/{oid}/picking-list")
    # By category in the tree's order (a parent before its child, none
    # last), then SKU code; what is left of each line, in cases + units.
    # N is all shipped: not on the sheet.
    assert rows(p) == [
        ("PK饮料", "PK-J-1", 4, 0, 4),
        ("PK饮料 › PK矿泉水", "PK-A-1", 3, 0, 3),
        ("PK饮料 › PK矿泉水", "PK-W-1", 30, 1, 6),
        ("PK日化", "PK-S-1", 2, 0, 2)]
    assert p["batch"] is False and p["units"] == 39 and p["kinds"] == 4
    w = p["groups"][1]["lines"][1]
    assert (w["barcode"], w["pack_size"], w["ordered"], w["shipped"],
            w["unit"]) == ("6900000000017", 24, 50, 20, "瓶")
    assert p["groups"][2]["lines"][0]["barcode"] is None
    head = p["one"]
    assert (head["order_no"], head["customer"], head["delivery_date"],
            head["remark"], head["partial"]) == \
        (no, "拣货测试公司", cn_day(stack, 3), "上午送到后门", True)
    assert head["address"] == "测试路 1 号" and head["region"] == "上海市"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", p["printed"])
    # The page: the same, to print and to tick.
    r = o.get(stack.url(f"{A}/admin/orders/{oid}/picking-list"))
    assert r.status_code == 200 and "拣货单" in r.text and no in r.text
    t = r.text
    assert "PK-N-1" not in t and "上午送到后门" in t and cn_day(stack, 3) in t
    assert "1 箱 + 6 瓶" in t and "24 瓶/箱" in t and "6900000000017" in t
    assert "订 50 · 已发 20" in t and "已部分发货" in t
    assert t.count('type="checkbox"') == 4
    assert "data-print" in t and "@media print" in t and "@page" in t
    assert t.index("PK饮料 <small>") < t.index("PK饮料 › PK矿泉水") < \
        t.index("PK日化")
    assert snapshot(stack) == before


def test_batch_sums_per_sku_with_each_orders_share(stack, world):
    o1, n1 = place(stack, world, {"W": 30, "A": 2})
    o2, n2 = place(stack, world, {"W": 10, "S": 5})
    ship(stack, world, o1, {"W": 6})
    before = snapshot(stack)
    o = world["staff"]["warehouse"]
    # A repeated id counts once.
    p = sheet(stack, o, PAGE, id=[o2, o1, o2])
    assert p["batch"] is True and p["count"] == 2
    assert [x["order_no"] for x in p["orders"]] == sorted([n1, n2])
    assert rows(p) == [("PK饮料 › PK矿泉水", "PK-A-1", 2, 0, 2),
                       ("PK饮料 › PK矿泉水", "PK-W-1", 34, 1, 10),
                       ("PK日化", "PK-S-1", 5, 0, 5)]
    w = p["groups"][0]["lines"][1]
    assert sorted((x["order_no"], x["qty"]) for x in w["parts"]) == \
        sorted([(n1, 24), (n2, 10)])
    units = {x["order_no"]: x["units"] for x in p["orders"]}
    assert units == {n1: 26, n2: 15} and p["units"] == 41
    r = o.get(stack.url(PAGE), params={"id": [o1, o2]})
    assert r.status_code == 200 and "分单" in r.text
    assert f"{n1}</span> × 24" in r.text and f"{n2}</span> × 10" in r.text
    assert "共 2 单 · 3 种 41 件" in r.text
    assert snapshot(stack) == before


def test_all_confirmed_orders_matching_the_filters(stack, world):
    o1, n1 = place(stack, world, {"J": 7})
    _, nw = place(stack, world, {"J": 1}, confirm=False)
    _, nb = place(stack, world, {"J": 2}, user="user_b")
    o = world["staff"]["owner"]
    p = sheet(stack, o, PAGE, all=1, customer=world["customer"])
    got = [x["order_no"] for x in p["orders"]]
    assert n1 in got and nw not in got and nb not in got
    p = sheet(stack, o, PAGE, all=1, customer=world["customer"], q=n1)
    assert [x["order_no"] for x in p["orders"]] == [n1]
    assert rows(p) == [("PK饮料", "PK-J-1", 7, 1, 1)]
    # Nothing confirmed matches: the empty sheet, not an error.
    p = sheet(stack, o, PAGE, all=1, customer=world["customer"],
              q="NO-SUCH-ORDER")
    assert p["count"] == 0 and p["empty"] is True and p["groups"] == []
    r = o.get(stack.url(PAGE), params={"all": 1, "q": "NO-SUCH-ORDER"})
    assert r.status_code == 200 and "没有符合条件的待拣货订单" in r.text
    # Sales A's "all" leaves out sales B's company.
    p = sheet(stack, world["staff"]["sales"], PAGE, all=1)
    got = [x["order_no"] for x in p["orders"]]
    assert n1 in got and nb not in got


def test_more_than_200_matching_is_refused_with_why(stack, world):
    cid, uid = world["customer_b"], world["user_b"]
    stack.sql(f"""
INSERT INTO sales_order (shop_id, order_no, customer_id, customer_user_id,
  channel, state, ship_receiver, ship_phone, ship_address, payment_terms,
  line_count, subtotal_fen, tax_fen, total_fen)
  SELECT {SA}, CONCAT('PKX', LPAD(seq, 6, '0')), {cid}, {uid}, 'h5',
  'confirmed', '收货人', '13912345678', '测试路', 'prepaid', 0, 0, 0, 0
  FROM seq_1_to_201""")
    try:
        before = snapshot(stack)
        o = world["staff"]["owner"]
        r = o.get(stack.url(PAGE), params={"all": 1, "q": "PKX"},
                  headers=JSON)
        assert r.status_code == 400 and error_code(r) == "too_many_orders"
        assert "201 单" in r.json()["error"]["message"]
        r = o.get(stack.url(PAGE), params={"all": 1, "q": "PKX"})
        assert r.status_code == 400 and "一次最多 200 单" in r.text
        assert snapshot(stack) == before
        # 200 of them pass.
        stack.sql("DELETE FROM sales_order WHERE order_no = 'PKX000201'")
        before = snapshot(stack)
        p = sheet(stack, o, PAGE, all=1, q="PKX")
        assert p["count"] == 200 and p["empty"] is True
        assert snapshot(stack) == before
    finally:
        stack.sql("DELETE FROM sales_order WHERE order_no LIKE 'PKX%'")


def test_only_confirmed_orders_may_be_picked(stack, world):
    o = world["staff"]["owner"]
    waiting, nw = place(stack, world, {"S": 1}, confirm=False)
    done, nd = place(stack, world, {"S": 2})
    ship(stack, world, done, {"S": 2})
    ok, _ = place(stack, world, {"S": 3})
    before = snapshot(stack)
    for oid, label in ((waiting, "待确认"), (done, "已发货")):
        r = o.get(stack.url(f"{A}/admin/orders/{oid}/picking-list"),
                  headers=JSON)
        assert r.status_code == 409 and error_code(r) == "not_pickable"
        assert label in r.json()["error"]["message"]
        r = o.get(stack.url(f"{A}/admin/orders/{oid}/picking-list"))
        assert r.status_code == 409 and "只有已确认" in r.text
    # One of a batch that may not: refused, naming it.
    r = o.get(stack.url(PAGE), params={"id": [ok, done]}, headers=JSON)
    assert r.status_code == 409 and error_code(r) == "not_pickable"
    assert nd in r.json()["error"]["message"]
    # A confirmed order with nothing left (lines made whole by hand here):
    # the empty sheet.
    stack.sql(f"UPDATE order_line SET shipped_qty = qty WHERE order_id = "
              f"{ok}")
    p = sheet(stack, o, f"{A}/admin/orders/{ok}/picking-list")
    assert p["empty"] is True and p["groups"] == []
    r = o.get(stack.url(f"{A}/admin/orders/{ok}/picking-list"))
    assert "没有待拣的货" in r.text
    stack.sql(f"UPDATE order_line SET shipped_qty = 0 WHERE order_id = {ok}")
    assert snapshot(stack) == before


def test_scope_and_other_shops(stack, world):
    mine, nm = place(stack, world, {"A": 1})
    theirs, nt = place(stack, world, {"A": 2}, user="user_b")
    sales = world["staff"]["sales"]
    before = snapshot(stack)
    # Sales A: B's company's order is not there, alone or among A's own.
    for want in (JSON, {}):
        r = sales.get(stack.url(f"{A}/admin/orders/{theirs}/picking-list"),
                      headers=want)
        assert r.status_code == 404
        r = sales.get(stack.url(PAGE), params={"id": [mine, theirs]},
                      headers=want)
        assert r.status_code == 404
    assert sheet(stack, sales, PAGE, id=mine)["count"] == 1
    # B sees B's; the owner and the warehouse see both.
    assert sheet(stack, world["staff"]["sales_b"],
                 f"{A}/admin/orders/{theirs}/picking-list")["one"][
                     "order_no"] == nt
    for who in ("owner", "warehouse"):
        assert sheet(stack, world["staff"][who], PAGE,
                     id=[mine, theirs])["count"] == 2
    # Another shop's order: 404 for shop-a's owner.
    stack.sql(f"""
INSERT INTO sales_order (shop_id, order_no, customer_id, customer_user_id,
  channel, state, ship_receiver, ship_phone, ship_address, payment_terms,
  line_count, subtotal_fen, tax_fen, total_fen)
  SELECT {SB}, 'PKB000001', u.customer_id, u.id, 'h5', 'confirmed', '收货人',
  '13912345678', '测试路', 'prepaid', 0, 0, 0, 0 FROM customer_user u
  WHERE u.shop_id = {SB} ORDER BY u.id LIMIT 1""")
    try:
        other = one(stack, "SELECT id FROM sales_order WHERE order_no = "
                    "'PKB000001'")
        before = snapshot(stack)
        o = world["staff"]["owner"]
        r = o.get(stack.url(f"{A}/admin/orders/{other}/picking-list"))
        assert r.status_code == 404 and "PKB000001" not in r.text
        r = o.get(stack.url(PAGE), params={"id": [mine, other]},
                  headers=JSON)
        assert r.status_code == 404 and error_code(r) == "not_found"
        assert snapshot(stack) == before
    finally:
        stack.sql("DELETE FROM sales_order WHERE order_no = 'PKB000001'")
    # Customers and staff roles without orders do not open it.
    cust = bearer_session(stack, "shop-a", world["user"])
    r = cust.get(stack.url(f"{A}/admin/orders/{mine}/picking-list"))
    assert r.status_code in (401, 403)


BAD = {
    "none": ("", "no_orders"),
    "empty": ("id=", "invalid"),
    "text": ("id=abc", "invalid"),
    "zero": ("id=0", "invalid"),
    "negative": ("id=-3", "invalid"),
    "fraction": ("id=1.5", "invalid"),
    "injection": ("id=1%3BDROP", "invalid"),
    "huge": ("id=99999999999999999999", "invalid"),
    "201": ("&".join(f"id={i}" for i in range(1, 202)), "too_many_orders"),
    "all-customer": ("all=1&customer=x", "invalid"),
    "all-date": ("all=1&from=2026-13", "invalid"),
    "all-q": ("all=1&q=" + "9" * 41, "invalid"),
}


@pytest.mark.parametrize("query, code", BAD.values(), ids=BAD.keys())
def test_bad_ids_are_400_and_change_nothing(stack, world, query, code):
    before = snapshot(stack)
    o = world["staff"]["owner"]
    r = o.get(stack.url(f"{PAGE}?{query}"), headers=JSON)
    assert r.status_code == 400, r.text
    assert error_code(r) == code and r.json()["error"]["message"]
    r = o.get(stack.url(f"{PAGE}?{query}"))
    assert r.status_code == 400 and "<h1>" in r.text
    assert snapshot(stack) == before


def test_missing_ids_are_404(stack, world):
    o = world["staff"]["owner"]
    mine, _ = place(stack, world, {"A": 1})
    r = o.get(stack.url(f"{A}/admin/orders/999999999999/picking-list"))
    assert r.status_code == 404
    r = o.get(stack.url(PAGE), params={"id": [mine, 999999999999]},
              headers=JSON)
    assert r.status_code == 404 and "1 单不存在" in \
        r.json()["error"]["message"]
    r = o.post(stack.url(f"{A}/admin/orders/{mine}/picking-list"))
    assert r.status_code == 405


def test_links_on_the_order_list_and_page(stack, world):
    ok, _ = place(stack, world, {"J": 1})
    waiting, _ = place(stack, world, {"J": 1}, confirm=False)
    o = world["staff"]["owner"]
    t = o.get(stack.url(f"{A}/admin/orders"),
              params={"customer": world["customer"]}).text
    assert f'name="id" value="{ok}"' in t
    assert f'name="id" value="{waiting}"' not in t
    assert f'action="{PAGE}"' in t
    assert (f'href="{PAGE}?all=1&amp;customer={world["customer"]}&amp;'
            f'from=&amp;to=&amp;q="') in t
    t = o.get(stack.url(f"{A}/admin/orders/{ok}")).text
    assert f'href="{A}/admin/orders/{ok}/picking-list"' in t
    t = o.get(stack.url(f"{A}/admin/orders/{waiting}")).text
    assert "picking-list" not in t
