"""Staff adjust a submitted order before confirming it (docs/orders.md,
"Adjusting a submitted order"): quantities, a line removed, a line added
by SKU code at the company's price, a unit price set by hand with a
reason. Stock follows as movements, a monthly order's difference goes on
the company's balance under its limit, the totals are summed again with
tax per line, the change is an event, an audit row, a change row per line
and a notification; the customer's page and JSON mark what changed. Bad
input, another shop's order, a company outside the salesperson's scope, a
confirmed order and a stale form change nothing; an adjustment and a
confirm of the same order take turns on its row."""

import re
import secrets
import threading

import pytest

from helpers import csrf_of, get_csrf
from orders_kit import (SHOP, add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus, stock, submit)
from sqlclient import SqlClient, trx

P = "OE"
A = SHOP.format("shop-a")
NAMES = "('调整测试公司', '调整旁观公司', '调整额度公司')"
STAFF = {"warehouse": "13627000001"}
# price_fen, stock, min_qty, pack_size, pack_only
SKUS = {"A": (1999, 1000, 1, 1, 0),     # 19.99: tax per line rounds
        "B": (5000, 50, 1, 1, 0),
        "C": (1000, 100, 10, 6, 1),    # min 10, whole cases of 6
        "N": (700, 30, 1, 1, 0),       # to add
        "T": (300, 100, 1, 1, 0)}      # tiers: 250 from 10


@pytest.fixture(scope="module")
def world(stack):
    k = seed_skus(stack, P, SKUS)
    off = seed_skus(stack, P, {"OFF": (800, 10, 1, 1, 0)}, on_shelf=0)
    other = seed_skus(stack, P, {"BX": (800, 10, 1, 1, 0)}, shop="shop-b")
    stack.sql(f"INSERT INTO price_tier (shop_id, sku_id, min_qty, price_fen) "
              f"VALUES ({A}, {k['T'][0]}, 10, 250)")
    cid, uids = company(stack, "调整测试公司", 13627000100, users=2)
    stack.sql(f"UPDATE customer_user SET role = 'approver' WHERE id = "
              f"{uids[1]}")
    # Nobody's company: the salesperson does not see it.
    nobody, nuids = company(stack, "调整旁观公司", 13627000200, sales=None)
    tight, tuids = company(stack, "调整额度公司", 13627000300,
                           limit_fen=60000)
    for role, phone in STAFF.items():
        stack.sql(f"""INSERT INTO staff (shop_id, name, phone, password_hash,
            role) SELECT {A}, '{role}员', '{phone}', password_hash, '{role}'
            FROM staff WHERE shop_id = {A} AND phone = '13800000000'""")
    yield {"sku": {n: v[0] for n, v in k.items()}, "off": off["OFF"][0],
           "other_shop_sku": other["BX"][0], "customer": cid,
           "user": uids[0], "approver": uids[1], "nobody": nobody,
           "nobody_user": nuids[0], "tight": tight, "tight_user": tuids[0]}
    stack.sql("DELETE FROM job WHERE kind = 'notify.order'")
    drop_companies(stack, f"c.name IN {NAMES}")
    drop_skus(stack, P)
    stack.sql("DELETE FROM session WHERE staff_id IN (SELECT id FROM staff "
              "WHERE phone LIKE '1362700000%'); DELETE FROM audit_log WHERE "
              "actor IN (SELECT CONCAT('staff:', id) FROM staff WHERE phone "
              "LIKE '1362700000%'); DELETE FROM staff WHERE phone LIKE "
              "'1362700000%'")


@pytest.fixture(scope="module")
def staff(stack, world):
    """Back-office sessions by role (JSON, with the CSRF token)."""
    out = {}
    for role, phone, shop in [("owner", stack.owner_phone, "shop-a"),
                              ("sales", stack.sales_phone, "shop-a"),
                              ("warehouse", STAFF["warehouse"], "shop-a"),
                              ("other_shop", stack.owner_phone, "shop-b")]:
        s = stack.login(phone, stack.password, shop, staff=True)
        s.headers["X-CSRF-Token"] = get_csrf(stack, s, f"/s/{shop}/admin")
        out[role] = s
    return out


def code(world, name):
    return f"{P}-{name}-1"


def place(stack, world, lines=(("A", 50), ("B", 5), ("C", 12)),
          who="user", terms="monthly"):
    s = bearer_session(stack, "shop-a", world[who])
    for name, qty in lines:
        sku = world["sku"][name] if name in world["sku"] else world[name]
        r = add(stack, s, sku, qty)
        assert r.status_code == 200, r.text
    r = submit(stack, s, terms=terms, invoice="normal")
    assert r.status_code == 201, r.text
    return int(r.json()["data"]["order"]["id"]), s


def lines_of(stack, oid):
    """{sku code: (line id, qty, unit_fen, source, orig_qty, orig_unit)}"""
    return {r[0]: (int(r[1]), int(r[2]), int(r[3]), r[4],
                   None if r[5] is None else int(r[5]),
                   None if r[6] is None else int(r[6]))
            for r in stack.sql(
                f"SELECT sku_code, id, qty, unit_fen, price_source, "
                f"orig_qty, orig_unit_fen FROM order_line WHERE order_id = "
                f"{oid} ORDER BY line_no")}


def version(stack, oid):
    return int(one(stack, f"SELECT version FROM sales_order WHERE id = "
                   f"{oid}"))


def adjust(stack, s, oid, ver, lines=(), add=(), reason=None,
           preview=False, shop="shop-a", key=None):
    body = {"version": ver, "lines": list(lines), "add": list(add)}
    if reason is not None:
        body["reason"] = reason
    if preview:
        body["preview"] = True
    headers = {"Accept": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    return s.post(stack.url(f"/s/{shop}/admin/orders/{oid}/adjust"),
                  json=body, headers=headers)


def move(stack, s, oid, action, **data):
    return s.post(stack.url(f"/s/shop-a/admin/orders/{oid}/{action}"),
                  data=data, headers={"Accept": "application/json"})


def balance(stack, cid):
    return int(one(stack, f"SELECT COALESCE(SUM(outstanding_fen), 0) FROM "
                   f"customer_balance WHERE customer_id = {cid}"))


def snapshot(stack, world, oid, cid=None):
    """Everything an adjustment may touch."""
    cid = cid or world["customer"]
    return {
        "order": stack.sql(f"SELECT state, line_count, subtotal_fen, "
                           f"tax_fen, total_fen, version FROM sales_order "
                           f"WHERE id = {oid}"),
        "lines": stack.sql(f"SELECT id, sku_id, qty, unit_fen, price_source, "
                           f"line_fen, tax_fen, orig_qty, orig_unit_fen "
                           f"FROM order_line WHERE order_id = {oid} "
                           f"ORDER BY id"),
        "stock": stack.sql(f"SELECT id, stock FROM sku WHERE code LIKE "
                           f"'{P}-%' ORDER BY id"),
        "moves": one(stack, "SELECT COUNT(*) FROM stock_movement"),
        "balance": balance(stack, cid),
        "events": one(stack, f"SELECT COUNT(*) FROM order_event WHERE "
                      f"order_id = {oid}"),
        "changes": one(stack, "SELECT COUNT(*) FROM order_line_change"),
        "jobs": one(stack, "SELECT COUNT(*) FROM job WHERE kind = "
                    "'notify.order'"),
    }


def consistent(stack, world, cid=None):
    """The books add up: every order of the company is the sum of its
    lines (tax per line, rounded half up); what each order holds is its
    reserve movements less its releases, line by line; every test SKU's
    stock is its seeded stock plus its movements; the company owes the
    totals of its monthly orders that are not cancelled."""
    cid = cid or world["customer"]
    for oid, sub, tax, total, bp, n in stack.sql(
            f"SELECT id, subtotal_fen, tax_fen, total_fen, tax_bp, "
            f"line_count FROM sales_order WHERE customer_id = {cid}"):
        rows = stack.sql(f"SELECT qty, unit_fen, line_fen, tax_fen FROM "
                         f"order_line WHERE order_id = {oid}")
        assert len(rows) == int(n), (oid, rows, n)
        for q, u, lf, tf in rows:
            assert int(lf) == int(q) * int(u), (oid, q, u, lf)
            assert int(tf) == (int(lf) * int(bp) + 5000) // 10000, (oid, lf)
        assert int(sub) == sum(int(r[2]) for r in rows), oid
        assert int(tax) == sum(int(r[3]) for r in rows), oid
        assert int(total) == int(sub) + int(tax), oid
        held = stack.sql(
            f"SELECT l.sku_id, l.qty, (SELECT COALESCE(SUM(CASE m.reason "
            f"WHEN 'reserve' THEN m.qty WHEN 'release' THEN -m.qty ELSE 0 "
            f"END), 0) FROM stock_movement m WHERE m.order_id = {oid} AND "
            f"m.sku_id = l.sku_id) FROM order_line l WHERE l.order_id = "
            f"{oid}")
        st = one(stack, f"SELECT state FROM sales_order WHERE id = {oid}")
        for sku, q, moved in held:
            assert int(moved) == (0 if st == "cancelled" else int(q)), \
                (oid, sku, q, moved)
        # A removed line's SKU holds nothing any more.
        gone = stack.sql(
            f"SELECT m.sku_id, SUM(CASE m.reason WHEN 'reserve' THEN m.qty "
            f"WHEN 'release' THEN -m.qty ELSE 0 END) FROM stock_movement m "
            f"WHERE m.order_id = {oid} AND m.sku_id NOT IN (SELECT sku_id "
            f"FROM order_line WHERE order_id = {oid}) GROUP BY m.sku_id")
        assert all(int(h) == 0 for _, h in gone), (oid, gone)
    for name, (_, seeded, _, _, _) in SKUS.items():
        sku = world["sku"][name]
        moved = int(one(stack, f"SELECT COALESCE(SUM(delta), 0) FROM "
                        f"stock_movement WHERE sku_id = {sku}"))
        assert stock(stack, sku) == seeded + moved, name
    owed = int(one(stack, f"SELECT COALESCE(SUM(total_fen), 0) FROM "
                   f"sales_order WHERE customer_id = {cid} AND payment_terms "
                   f"= 'monthly' AND state <> 'cancelled'"))
    assert balance(stack, cid) == owed


def test_adjust_quantity_remove_add_and_price_in_one_go(stack, world, staff):
    oid, buyer = place(stack, world)
    a, b, n = (world["sku"][x] for x in "ABN")
    before = {x: stock(stack, world["sku"][x]) for x in "ABCN"}
    owed = balance(stack, world["customer"])
    old_total = int(one(stack, f"SELECT total_fen FROM sales_order WHERE "
                        f"id = {oid}"))
    ls = lines_of(stack, oid)
    r = adjust(stack, staff["sales"], oid, 0, reason="仓库只有 40 箱",
               lines=[{"line_id": ls[code(world, "A")][0], "qty": 40},
                      {"line_id": ls[code(world, "B")][0], "remove": True},
                      {"line_id": ls[code(world, "C")][0],
                       "unit_fen": 950}],
               add=[{"code": code(world, "N"), "qty": 5}])
    assert r.status_code == 200, r.text
    d = r.json()["data"]["adjustment"]
    assert d["version"] == 1 and d["preview"] is False
    assert "50→40" in d["summary"] and f"新增 {code(world, 'N')}" in \
        d["summary"] and "删除" in d["summary"] and \
        "单价 ¥10.00→¥9.50" in d["summary"] and "仓库只有 40 箱" in \
        d["summary"]
    # The lines as they are now, what they were as placed.
    ls = lines_of(stack, oid)
    assert code(world, "B") not in ls
    assert ls[code(world, "A")][1:] == (40, 1999, "base", 50, 1999)
    assert ls[code(world, "C")][1:] == (12, 950, "manual", 12, 1000)
    assert ls[code(world, "N")][1:] == (5, 700, "base", 0, None)
    # 40 x 19.99 = 799.60, tax 3 % per line: 23.988 -> 23.99.
    sub = 40 * 1999 + 12 * 950 + 5 * 700
    tax_bp = int(one(stack, f"SELECT tax_bp FROM sales_order WHERE id = "
                     f"{oid}"))
    tax = sum((f * tax_bp + 5000) // 10000 for f in
              (40 * 1999, 12 * 950, 5 * 700))
    assert d["subtotal_fen"] == sub and d["tax_fen"] == tax and \
        d["total_fen"] == sub + tax and d["old_total_fen"] == old_total
    assert one(stack, f"SELECT line_count, subtotal_fen, tax_fen, total_fen,"
               f" version FROM sales_order WHERE id = {oid}") == \
        ("3", str(sub), str(tax), str(sub + tax), "1")
    # Stock: 10 A and 5 B back, 5 N reserved, each a movement with who.
    assert stock(stack, a) == before["A"] + 10
    assert stock(stack, b) == before["B"] + 5
    assert stock(stack, n) == before["N"] - 5
    assert stock(stack, world["sku"]["C"]) == before["C"]
    mv = stack.sql(f"SELECT sku_id, reason, delta, qty, staff_id IS NOT NULL"
                   f" FROM stock_movement WHERE order_id = {oid} AND note "
                   f"LIKE '订单调整%' ORDER BY sku_id")
    assert sorted(mv) == sorted([(str(a), "release", "10", "10", "1"),
                                 (str(b), "release", "5", "5", "1"),
                                 (str(n), "reserve", "-5", "5", "1")])
    # Credit: the difference on the balance.
    assert balance(stack, world["customer"]) == owed + (sub + tax) - \
        old_total
    # The record: an event that stays submitted, an audit row, the change
    # rows, a notify job.
    ev = stack.sql(f"SELECT from_state, to_state, staff_id IS NOT NULL, note "
                   f"FROM order_event WHERE order_id = {oid} ORDER BY id")
    assert ev[-1][:3] == ("submitted", "submitted", "1")
    assert ev[-1][3] == d["summary"]
    assert one(stack, f"SELECT COUNT(*) FROM audit_log WHERE action = "
               f"'order.adjust' AND detail LIKE 'order={oid} %'") == "1"
    assert stack.sql(f"SELECT action, old_qty, new_qty, old_unit_fen, "
                     f"new_unit_fen, version, reason FROM order_line_change "
                     f"WHERE order_id = {oid} ORDER BY line_no") == [
        ("change", "50", "40", "1999", "1999", "1", "仓库只有 40 箱"),
        ("remove", "5", None, "5000", None, "1", "仓库只有 40 箱"),
        ("change", "12", "12", "1000", "950", "1", "仓库只有 40 箱"),
        ("add", None, "5", None, "700", "1", "仓库只有 40 箱")]
    assert one(stack, f"SELECT COUNT(*) FROM job WHERE kind = 'notify.order' "
               f"AND JSON_VALUE(payload, '$.order') = {oid} AND "
               f"JSON_VALUE(payload, '$.event') = 'changed'") == "1"
    consistent(stack, world)

    # The customer's JSON marks what changed and lists what went.
    o = buyer.get(stack.url(f"/s/shop-a/api/v1/orders/{oid}")).json()[
        "data"]["order"]
    assert o["adjusted"] is True and o["version"] == 1
    by = {l["sku_code"]: l for l in o["lines"]}
    assert by[code(world, "A")]["qty_changed"] is True and \
        by[code(world, "A")]["orig_qty"] == 50 and \
        by[code(world, "A")]["qty"] == 40
    assert by[code(world, "C")]["price_changed"] is True and \
        by[code(world, "C")]["orig_unit_price_fen"] == 1000 and \
        by[code(world, "C")]["price_source"] == "manual"
    assert by[code(world, "N")]["added"] is True
    assert [x["sku_code"] for x in o["removed_lines"]] == [code(world, "B")]
    assert o["removed_lines"][0]["qty"] == 5
    assert o["events"][-1]["label"] == "商家调整了订单" and \
        o["events"][-1]["who"] == "商家" and \
        o["events"][-1]["note"] == d["summary"]
    assert o["total_fen"] == sub + tax
    # The H5 page says it in words.
    s = stack.login("13627000100", stack.password, "shop-a")
    page = s.get(stack.url(f"/s/shop-a/orders/{oid}")).text
    assert "商家调整了这个订单" in page
    assert "原 50 箱 → 40 箱" in page
    assert "原价 ¥10.00 → ¥9.50" in page
    assert "商家删除的商品" in page and "商家新增" in page
    # The job tells the one who placed it and the company's approver.
    stack.run("jobs", "run", "--once")
    assert stack.sql(f"SELECT customer_user_id FROM notification WHERE "
                     f"order_id = {oid} AND kind = 'changed' ORDER BY "
                     f"customer_user_id") == [(str(world["user"]),),
                                              (str(world["approver"]),)]
    assert "商家调整：" in one(stack, f"SELECT body FROM notification "
                              f"WHERE order_id = {oid} AND kind = 'changed' "
                              f"LIMIT 1")

    # A cancel gives back what the order holds now, and the credit.
    r = move(stack, staff["sales"], oid, "cancel", note="客户不要了")
    assert r.status_code == 200, r.text
    assert {x: stock(stack, world["sku"][x]) for x in "ABCN"} == {
        "A": before["A"] + 50, "B": before["B"] + 5,
        "C": before["C"] + 12, "N": before["N"]}
    assert balance(stack, world["customer"]) == owed - old_total
    consistent(stack, world)


def test_adjust_twice_keeps_the_quantity_as_placed(stack, world, staff):
    oid, _ = place(stack, world, lines=(("A", 20),))
    lid = lines_of(stack, oid)[code(world, "A")][0]
    assert adjust(stack, staff["owner"], oid, 0, lines=[
        {"line_id": lid, "qty": 15}]).status_code == 200
    r = adjust(stack, staff["owner"], oid, 1, reason="电话议价", lines=[
        {"line_id": lid, "qty": 18, "unit_fen": 1800}])
    assert r.status_code == 200, r.text
    assert r.json()["data"]["adjustment"]["version"] == 2
    assert lines_of(stack, oid)[code(world, "A")][1:] == \
        (18, 1800, "manual", 20, 1999)
    assert stack.sql(f"SELECT version, old_qty, new_qty FROM "
                     f"order_line_change WHERE order_id = {oid} ORDER BY "
                     f"id") == [("1", "20", "15"), ("2", "15", "18")]
    consistent(stack, world)


def test_added_line_takes_the_companys_price_with_tiers(stack, world, staff):
    oid, _ = place(stack, world, lines=(("A", 1),))
    r = adjust(stack, staff["owner"], oid, 0, add=[
        {"code": code(world, "T").lower(), "qty": 12}])
    assert r.status_code == 200, r.text
    assert lines_of(stack, oid)[code(world, "T")][1:4] == (12, 250, "tier")
    consistent(stack, world)


def test_minimum_and_whole_cases_warn_but_do_not_block(stack, world, staff):
    oid, _ = place(stack, world, lines=(("C", 12),))
    lid = lines_of(stack, oid)[code(world, "C")][0]
    r = adjust(stack, staff["owner"], oid, 0, lines=[
        {"line_id": lid, "qty": 7}])
    assert r.status_code == 200, r.text
    w = r.json()["data"]["adjustment"]["warnings"]
    assert len(w) == 1 and "起订量 10" in w[0]
    r = adjust(stack, staff["owner"], oid, 1, lines=[
        {"line_id": lid, "qty": 13}])
    assert r.status_code == 200, r.text
    w = r.json()["data"]["adjustment"]["warnings"]
    assert len(w) == 1 and "整箱" in w[0]
    assert lines_of(stack, oid)[code(world, "C")][1] == 13
    consistent(stack, world)


def test_goods_below_the_minimum_order_amount_warn(stack, world, staff):
    """起订金额 holds the buyer at submit; staff may agree to less."""
    stack.sql(f"INSERT INTO member_level (shop_id, name, min_order_fen) "
              f"VALUES ({A}, '调整起订级', 100000); UPDATE customer SET "
              f"level_id = LAST_INSERT_ID() WHERE id = {world['customer']}")
    try:
        oid, _ = place(stack, world, lines=(("A", 60),))   # 1,199.40
        lid = lines_of(stack, oid)[code(world, "A")][0]
        r = adjust(stack, staff["owner"], oid, 0, lines=[
            {"line_id": lid, "qty": 10}])
        assert r.status_code == 200, r.text
        w = r.json()["data"]["adjustment"]["warnings"]
        assert w == ["调整后商品金额 ¥199.90 低于客户的起订金额 ¥1,000.00"]
        r = adjust(stack, staff["owner"], oid, 1, lines=[
            {"line_id": lid, "qty": 51}])
        assert r.json()["data"]["adjustment"]["warnings"] == []
    finally:
        stack.sql(f"UPDATE customer SET level_id = NULL WHERE id = "
                  f"{world['customer']}; DELETE FROM member_level WHERE "
                  f"name = '调整起订级'")
    consistent(stack, world)


def test_preview_sums_and_writes_nothing(stack, world, staff):
    oid, _ = place(stack, world, lines=(("A", 10), ("B", 2)))
    ls = lines_of(stack, oid)
    snap = snapshot(stack, world, oid)
    r = adjust(stack, staff["owner"], oid, 0, preview=True, lines=[
        {"line_id": ls[code(world, "A")][0], "qty": 4}])
    assert r.status_code == 200, r.text
    d = r.json()["data"]["adjustment"]
    assert d["preview"] is True and d["version"] == 0
    assert d["subtotal_fen"] == 4 * 1999 + 2 * 5000
    assert snapshot(stack, world, oid) == snap


def bad_cases(stack, world, ls):
    """(name, lines, add, reason, status, code) for test_bad_input."""
    n_left = stock(stack, world["sku"]["N"])
    a = ls[code(world, "A")][0]
    b = ls[code(world, "B")][0]
    return [
        ("qty 0", [{"line_id": a, "qty": 0}], [], None, 400, "qty_invalid"),
        ("qty -1", [{"line_id": a, "qty": -1}], [], None, 400,
         "qty_invalid"),
        ("qty 1.5", [{"line_id": a, "qty": 1.5}], [], None, 400,
         "qty_invalid"),
        ("qty huge", [{"line_id": a, "qty": 10 ** 9}], [], None, 400,
         "qty_invalid"),
        ("qty text", [{"line_id": a, "qty": "十"}], [], None, 400,
         "qty_invalid"),
        ("add qty 0", [], [{"code": code(world, "N"), "qty": 0}], None, 400,
         "qty_invalid"),
        ("unknown code", [], [{"code": "NO-SUCH-SKU", "qty": 1}], None, 404,
         "sku_unavailable"),
        ("other shop", [], [{"code": f"{P}-BX-1", "qty": 1}], None, 404,
         "sku_unavailable"),
        ("off shelf", [], [{"code": f"{P}-OFF-1", "qty": 1}], None, 404,
         "sku_unavailable"),
        ("already in", [], [{"code": code(world, "A"), "qty": 1}], None, 400,
         "sku_in_order"),
        ("price no reason", [{"line_id": a, "unit_fen": 1500}], [], None,
         400, "reason_required"),
        ("price negative", [{"line_id": a, "unit_fen": -5}], [], "x", 400,
         "price_invalid"),
        ("price fraction", [{"line_id": a, "unit_fen": 12.5}], [], "x", 400,
         "price_invalid"),
        ("remove all", [{"line_id": a, "remove": True},
                        {"line_id": b, "remove": True}], [], None, 400,
         "order_empty"),
        ("no change", [{"line_id": a, "qty": 10}], [], None, 400,
         "no_change"),
        ("not its line", [{"line_id": 1, "qty": 3}], [], None, 400,
         "invalid"),
        ("same line twice", [{"line_id": a, "qty": 3},
                             {"line_id": a, "qty": 4}], [], None, 400,
         "invalid"),
        ("out of stock", [{"line_id": a, "qty": 100000}], [], None, 409,
         "out_of_stock"),
        ("add out of stock", [], [{"code": code(world, "N"),
                                   "qty": n_left + 1}],
         None, 409, "out_of_stock"),
        # A bad line after a good one: the good one is not kept either.
        ("partly bad", [{"line_id": a, "qty": 3}],
         [{"code": "NO-SUCH-SKU", "qty": 1}], None, 404, "sku_unavailable"),
    ]


def test_bad_input_is_refused_and_changes_nothing(stack, world, staff):
    oid, _ = place(stack, world, lines=(("A", 10), ("B", 2)))
    ls = lines_of(stack, oid)
    snap = snapshot(stack, world, oid)
    for name, lines, adds, reason, status, want in bad_cases(stack, world,
                                                             ls):
        r = adjust(stack, staff["owner"], oid, 0, lines=lines, add=adds,
                   reason=reason)
        assert r.status_code == status, (name, r.status_code, r.text)
        e = r.json()["error"]
        assert e["code"] == want, (name, e)
        assert e["message"], name
        assert snapshot(stack, world, oid) == snap, name
    # Bad fields are named for the client.
    r = adjust(stack, staff["owner"], oid, 0, lines=[
        {"line_id": ls[code(world, "A")][0], "qty": 0}])
    assert "lines[0].qty" in r.json()["error"]["fields"]
    r = adjust(stack, staff["owner"], oid, 0, add=[
        {"code": code(world, "N"), "qty": 1},
        {"code": code(world, "B"), "qty": 1}])
    assert error_code(r) == "sku_in_order"
    assert "add[1].code" in r.json()["error"]["fields"]
    # A stale version is refused, whatever else the form says.
    r = adjust(stack, staff["owner"], oid, 7, lines=[
        {"line_id": ls[code(world, "A")][0], "qty": 3}])
    assert r.status_code == 409 and error_code(r) == "order_stale"
    assert snapshot(stack, world, oid) == snap
    consistent(stack, world)


def test_credit_limit_holds_for_a_monthly_order(stack, world, staff):
    oid, _ = place(stack, world, lines=(("B", 10),), who="tight_user")
    cid = world["tight"]
    lid = lines_of(stack, oid)[code(world, "B")][0]
    snap = snapshot(stack, world, oid, cid)
    owed = balance(stack, cid)               # 10 x 50 + tax, under 600
    r = adjust(stack, staff["owner"], oid, 0, lines=[
        {"line_id": lid, "qty": 12}])        # 12 x 50: 600 before tax
    assert r.status_code == 409 and error_code(r) == "credit_exceeded", \
        r.text
    assert "信用额度" in r.json()["error"]["message"]
    assert snapshot(stack, world, oid, cid) == snap
    # Less is always fine, and gives the difference back.
    total = int(one(stack, f"SELECT total_fen FROM sales_order WHERE id = "
                    f"{oid}"))
    r = adjust(stack, staff["owner"], oid, 0, lines=[
        {"line_id": lid, "qty": 8}])
    assert r.status_code == 200, r.text
    assert balance(stack, cid) == owed - total + \
        r.json()["data"]["adjustment"]["total_fen"]
    consistent(stack, world, cid)


def test_a_prepaid_order_does_not_touch_the_balance(stack, world, staff):
    oid, _ = place(stack, world, lines=(("A", 3),), terms="prepaid")
    owed = balance(stack, world["customer"])
    lid = lines_of(stack, oid)[code(world, "A")][0]
    r = adjust(stack, staff["owner"], oid, 0, lines=[
        {"line_id": lid, "qty": 9}])
    assert r.status_code == 200, r.text
    assert balance(stack, world["customer"]) == owed
    consistent(stack, world)


@pytest.mark.parametrize("moves,state", [
    (["confirm"], "confirmed"),
    (["confirm", "ship"], "shipped"),
    (["cancel"], "cancelled"),
])
def test_an_order_past_submitted_is_409_order_state(stack, world, staff,
                                                     moves, state):
    oid, _ = place(stack, world, lines=(("A", 5),))
    for m in moves:
        r = move(stack, staff["owner"], oid, m, note="不要了", carrier="中通",
                 tracking_no="ZT1")
        assert r.status_code == 200, r.text
    lid = lines_of(stack, oid)[code(world, "A")][0]
    snap = snapshot(stack, world, oid)
    r = adjust(stack, staff["owner"], oid, 0, lines=[
        {"line_id": lid, "qty": 4}])
    assert r.status_code == 409, r.text
    assert error_code(r) == "order_state"
    assert snapshot(stack, world, oid) == snap
    # The back office offers no button, the form says why.
    page = staff["owner"].get(stack.url(f"/s/shop-a/admin/orders/{oid}"),
                              headers={"Accept": "text/html"}).text
    assert "/adjust" not in page
    d = staff["owner"].get(stack.url(
        f"/s/shop-a/admin/orders/{oid}/adjust"),
        headers={"Accept": "application/json"}).json()["data"]
    assert d["editable"] is False and "只有待审批或待确认" in d["locked"]
    assert state in one(stack, f"SELECT state FROM sales_order WHERE id = "
                        f"{oid}")


def test_waiting_for_approval_may_be_adjusted_and_still_waits(stack, world,
                                                              staff):
    stack.sql(f"UPDATE customer SET approval_mode = 'buyer_orders' WHERE id "
              f"= {world['customer']}")
    try:
        oid, buyer = place(stack, world, lines=(("A", 6),))
    finally:
        stack.sql(f"UPDATE customer SET approval_mode = 'none' WHERE id = "
                  f"{world['customer']}")
    assert one(stack, f"SELECT state FROM sales_order WHERE id = {oid}") == \
        "pending_approval"
    lid = lines_of(stack, oid)[code(world, "A")][0]
    r = adjust(stack, staff["sales"], oid, 0, lines=[
        {"line_id": lid, "qty": 4}])
    assert r.status_code == 200, r.text
    assert one(stack, f"SELECT state FROM sales_order WHERE id = {oid}") == \
        "pending_approval"
    # Staying in the state is not the approval's outcome.
    o = buyer.get(stack.url(f"/s/shop-a/api/v1/orders/{oid}")).json()[
        "data"]["order"]
    assert o.get("approval_note") is None and not o["approval_rejected"]
    assert o["is_pending_approval"] is True
    # The approver, who decides on the order as it is now, sees what the
    # shop changed on the approval page, as the buyer does on theirs.
    ap = bearer_session(stack, "shop-a", world["approver"])
    ap.headers.pop("Accept")
    page = ap.get(stack.url(f"/s/shop-a/approvals/{oid}"))
    assert page.status_code == 200, page.text
    assert "商家调整：原 6 " in page.text, page.text
    consistent(stack, world)


def test_another_shop_or_outside_the_scope_is_404(stack, world, staff):
    oid, _ = place(stack, world, lines=(("A", 5),))
    lid = lines_of(stack, oid)[code(world, "A")][0]
    mine, _ = place(stack, world, lines=(("A", 5),), who="nobody_user")
    mlid = lines_of(stack, mine)[code(world, "A")][0]
    snap = (snapshot(stack, world, oid),
            snapshot(stack, world, mine, world["nobody"]))
    # Another shop's staff: the order is not there.
    r = adjust(stack, staff["other_shop"], oid, 0, shop="shop-b", lines=[
        {"line_id": lid, "qty": 4}])
    assert r.status_code == 404, r.text
    r = staff["other_shop"].get(stack.url(
        f"/s/shop-b/admin/orders/{oid}/adjust"))
    assert r.status_code == 404
    # A salesperson and a company they do not own.
    r = adjust(stack, staff["sales"], mine, 0, lines=[
        {"line_id": mlid, "qty": 4}])
    assert r.status_code == 404, r.text
    r = staff["sales"].get(stack.url(f"/s/shop-a/admin/orders/{mine}/adjust"))
    assert r.status_code == 404
    # A role that may read orders but not adjust them.
    r = adjust(stack, staff["warehouse"], oid, 0, lines=[
        {"line_id": lid, "qty": 4}])
    assert r.status_code == 403, r.text
    assert (snapshot(stack, world, oid),
            snapshot(stack, world, mine, world["nobody"])) == snap
    # The owner may adjust the company nobody owns.
    r = adjust(stack, staff["owner"], mine, 0, lines=[
        {"line_id": mlid, "qty": 4}])
    assert r.status_code == 200, r.text
    consistent(stack, world, world["nobody"])


def test_the_same_form_twice_applies_once(stack, world, staff):
    oid, _ = place(stack, world, lines=(("A", 10),))
    lid = lines_of(stack, oid)[code(world, "A")][0]
    a = stock(stack, world["sku"]["A"])
    body = {"lines": [{"line_id": lid, "qty": 6}]}
    r = adjust(stack, staff["owner"], oid, 0, **body)
    assert r.status_code == 200
    # Sent again (the version it showed is gone): nothing more.
    r = adjust(stack, staff["owner"], oid, 0, **body)
    assert r.status_code == 409 and error_code(r) == "order_stale"
    assert stock(stack, world["sku"]["A"]) == a + 4
    assert version(stack, oid) == 1
    # With an idempotency key the second answer is the first's.
    r1 = adjust(stack, staff["owner"], oid, 1, key="oe-twice-1",
                lines=[{"line_id": lid, "qty": 5}])
    r2 = adjust(stack, staff["owner"], oid, 1, key="oe-twice-1",
                lines=[{"line_id": lid, "qty": 5}])
    assert r1.status_code == r2.status_code == 200
    assert r2.headers.get("Idempotent-Replayed") == "true"
    assert stock(stack, world["sku"]["A"]) == a + 5
    assert version(stack, oid) == 2
    consistent(stack, world)


def test_the_back_office_form_previews_and_saves(stack, world, staff):
    oid, _ = place(stack, world, lines=(("A", 50), ("B", 2)))
    ls = lines_of(stack, oid)
    a, b = ls[code(world, "A")][0], ls[code(world, "B")][0]
    s = staff["sales"]
    h = {"Accept": "text/html"}
    # The detail page links to the form; the form shows every line.
    page = s.get(stack.url(f"/s/shop-a/admin/orders/{oid}"), headers=h).text
    assert f"/admin/orders/{oid}/adjust" in page and "调整订单" in page
    r = s.get(stack.url(f"/s/shop-a/admin/orders/{oid}/adjust"), headers=h)
    assert r.status_code == 200
    assert f'name="qty[{a}]" value="50"' in r.text
    assert f'name="price[{b}]" value="50.00"' in r.text
    assert 'name="version" value="0"' in r.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', r.text)[1]
    form = {"csrf": csrf_of(r.text), "idempotency_key": key, "version": "0",
            f"qty[{a}]": "40", f"price[{a}]": "19.99", f"qty[{b}]": "2",
            f"price[{b}]": "50.00", "add_code[1]": code(world, "N"),
            "add_qty[1]": "3", "add_code[2]": "", "add_qty[2]": "",
            "reason": ""}
    url = stack.url(f"/s/shop-a/admin/orders/{oid}/adjust")
    snap = snapshot(stack, world, oid)

    def post(**changes):
        """The form as a browser sends it: a fresh key for each page."""
        data = dict(form, idempotency_key=secrets.token_hex(8))
        data.update(changes)
        return s.post(url, data=data, headers=h, allow_redirects=False)

    # Preview: the new sums, nothing written.
    r = post(preview="1")
    assert r.status_code == 200, r.text[:500]
    assert "预览" in r.text and "50→40" in r.text
    assert snapshot(stack, world, oid) == snap
    # A bad quantity: the form again with why, the field marked.
    r = post(**{f"qty[{a}]": "4.5"})
    assert r.status_code == 400
    assert "数量：应为 1 到 1000000 之间的整数" in r.text
    assert re.search(rf'name="qty\[{a}\]" value="4.5"[^>]*aria-invalid', r.text)
    # A price in yuan that does not read: price_invalid.
    r = post(**{f"price[{a}]": "1.999"})
    assert r.status_code == 400 and "最多两位小数" in r.text
    r = post(**{f"price[{a}]": "10000000.01"})
    assert r.status_code == 400 and "应在 0 到 10000000 元之间" in r.text
    # An unknown code: 404, on the form.
    r = post(**{"add_code[1]": "NOPE-1"})
    assert r.status_code == 404 and "本店没有编码为「NOPE-1」的商品" in r.text
    assert 'name="add_code[1]" value="NOPE-1"' in r.text
    assert snapshot(stack, world, oid) == snap
    # Save: to the order with a notice; sent twice, once.
    r = s.post(url, data=form, headers=h, allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert r.headers["Location"].endswith(
        f"/admin/orders/{oid}?done=adjusted")
    r2 = s.post(url, data=form, headers=h, allow_redirects=False)
    assert r2.status_code == 303 and \
        r2.headers.get("Idempotent-Replayed") == "true"
    assert version(stack, oid) == 1
    assert lines_of(stack, oid)[code(world, "A")][1] == 40
    page = s.get(stack.url(f"/s/shop-a/admin/orders/{oid}?done=adjusted"),
                 headers=h).text
    assert "订单已调整，客户会收到通知" in page
    assert "原 <s>50</s>" in page and "新增" in page
    # The old form again, a new key: stale, shown with the order as it is.
    r = post()
    assert r.status_code == 409 and "请刷新页面" in r.text
    assert 'name="version" value="1"' in r.text
    assert f'name="qty[{a}]" value="40"' in r.text
    consistent(stack, world)


def lock_waits(stack, like):
    return trx(stack, f"trx_state = 'LOCK WAIT' AND trx_query LIKE '{like}'")


@pytest.mark.parametrize("first", ["adjust", "confirm"])
def test_adjust_and_confirm_take_turns_on_the_order(stack, world, staff,
                                                    first):
    """The order row is held (as a move in progress holds it); an
    adjustment and a confirm both wait for it, in the order given; let
    go, one goes first and the other sees what it did: confirmed with
    the adjusted lines, or a 409 order_state and the lines as placed."""
    oid, _ = place(stack, world, lines=(("A", 30), ("N", 2)))
    ls = lines_of(stack, oid)
    a = ls[code(world, "A")][0]
    res = {}

    def do_adjust():
        res["adjust"] = adjust(stack, staff["owner"], oid, 0, lines=[
            {"line_id": a, "qty": 35}])

    def do_confirm():
        res["confirm"] = move(stack, staff["sales"], oid, "confirm")

    run = {"adjust": (do_adjust, "%version, tax_bp, paid_fen FROM "
                      "sales_order%"),
           "confirm": (do_confirm, "SELECT state, payment_terms, total_fen, "
                       "order_no, customer_id, ar_fen, paid_fen FROM "
                       "sales_order%")}
    order = [first, "confirm" if first == "adjust" else "adjust"]
    client = SqlClient(stack)
    threads = []
    try:
        client.send(f"START TRANSACTION; SELECT id FROM sales_order WHERE "
                    f"id = {oid} FOR UPDATE;")
        stack.wait_until(lambda: trx(stack, "trx_state = 'RUNNING' AND "
                                     "trx_rows_locked >= 1"), timeout=10)
        for name in order:
            t = threading.Thread(target=run[name][0])
            t.start()
            threads.append(t)
            stack.wait_until(lambda: lock_waits(stack, run[name][1]),
                             timeout=10, message=f"{name} never waited for "
                             "the order row")
        client.send("ROLLBACK;")
        for t in threads:
            t.join(30)
            assert not t.is_alive()
    finally:
        client.close()
        for t in threads:
            t.join(30)
    assert res["confirm"].status_code == 200, res["confirm"].text
    assert one(stack, f"SELECT state FROM sales_order WHERE id = {oid}") == \
        "confirmed"
    if first == "adjust":
        assert res["adjust"].status_code == 200, res["adjust"].text
        assert lines_of(stack, oid)[code(world, "A")][1] == 35
        assert version(stack, oid) == 1
    else:
        assert res["adjust"].status_code == 409, res["adjust"].text
        assert error_code(res["adjust"]) == "order_state"
        assert lines_of(stack, oid)[code(world, "A")][1] == 30
        assert version(stack, oid) == 0
    consistent(stack, world)


def test_adjust_and_confirm_at_once_stay_consistent(stack, world, staff):
    """Free-running: both at once, a few times; whoever wins, the books
    add up and an order confirmed is never changed after."""
    for _ in range(4):
        oid, _ = place(stack, world, lines=(("A", 10),))
        lid = lines_of(stack, oid)[code(world, "A")][0]
        go = threading.Barrier(2)
        res = {}

        def do_adjust():
            go.wait()
            res["adjust"] = adjust(stack, staff["owner"], oid, 0, lines=[
                {"line_id": lid, "qty": 12}])

        def do_confirm():
            go.wait()
            res["confirm"] = move(stack, staff["sales"], oid, "confirm")

        ts = [threading.Thread(target=f) for f in (do_adjust, do_confirm)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(30)
        assert res["confirm"].status_code == 200
        assert res["adjust"].status_code in (200, 409), res["adjust"].text
        qty = lines_of(stack, oid)[code(world, "A")][1]
        if res["adjust"].status_code == 200:
            assert qty == 12
            # It went first: the confirm's event is after the adjustment.
            assert [r[0] for r in stack.sql(
                f"SELECT to_state FROM order_event WHERE order_id = {oid} "
                f"ORDER BY id")] == ["submitted", "submitted", "confirmed"]
        else:
            assert error_code(res["adjust"]) == "order_state" and qty == 10
        consistent(stack, world)


def test_adjustments_are_on_the_ledger(stack, world, staff):
    """Run last in the module: every adjustment above moved the balance
    by an order_change entry, so each company's balance is its entries'
    sum; a paid order is not adjusted again (order_paid)."""
    from test_money import balances_explained
    assert int(one(stack, "SELECT COUNT(*) FROM ledger_entry WHERE kind = "
                   "'order_change'")) > 0
    assert balances_explained(stack) == []
    oid, _ = place(stack, world, lines=(("A", 2),))
    stack.sql(f"UPDATE sales_order SET paid_fen = 1 WHERE id = {oid}")
    a = lines_of(stack, oid)[code(world, "A")][0]
    r = adjust(stack, staff["owner"], oid, 0, lines=[{"line_id": a,
                                                     "qty": 3}])
    assert r.status_code == 409 and "order_paid" in r.text, r.text[:300]
    stack.sql(f"UPDATE sales_order SET paid_fen = 0 WHERE id = {oid}")
