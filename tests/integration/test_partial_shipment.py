"""Partial shipments (issue 10): the ship form lists the order's lines
with what is left of each; a parcel may take part of them (carrier and
tracking number each); the order stays confirmed, shown 部分发货, until
everything has left, then it is shipped. More than is left is 409
over_shipped and changes nothing; a partly shipped order is not
cancelled. Each parcel line is a ship movement (delta 0: submit took the
stock). The customer sees every parcel; the delivery note prints one.

Orders here are of 分批测试公司, SKUs PS-..."""

import re

import pytest

from helpers import csrf_of, get_csrf
from orders_kit import (SHOP, add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus, stock, submit)

P = "PS"
A = "/s/shop-a"


@pytest.fixture(scope="module")
def world(stack):
    k = seed_skus(stack, P, {"X": (1000, 100, 1, 1, 0),
                             "Y": (300, 100, 1, 1, 0)})
    cid, uids = company(stack, "分批测试公司", 13644000100, users=1)
    owner = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    owner.headers["X-CSRF-Token"] = get_csrf(stack, owner, f"{A}/admin")
    yield {"sku": {n: v[0] for n, v in k.items()}, "user": uids[0],
           "owner": owner}
    drop_companies(stack, "c.name = '分批测试公司'")
    drop_skus(stack, P)


def place(stack, world, x=5, y=2):
    s = bearer_session(stack, "shop-a", world["user"])
    assert add(stack, s, world["sku"]["X"], x).status_code == 200
    assert add(stack, s, world["sku"]["Y"], y).status_code == 200
    r = submit(stack, s, terms="monthly")
    assert r.status_code == 201, r.text
    oid = int(r.json()["data"]["order"]["id"])
    r = world["owner"].post(stack.url(f"{A}/admin/orders/{oid}/confirm"),
                            headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return oid, s


def lines(stack, oid):
    """{sku code: (order line id, qty, shipped)}."""
    return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in stack.sql(
        f"SELECT sku_code, id, qty, shipped_qty FROM order_line "
        f"WHERE order_id = {oid}")}


def ship_form(stack, world, oid, qty, carrier, tracking):
    """The back office's ship form as a browser posts it."""
    o = world["owner"]
    page = o.get(stack.url(f"{A}/admin/orders/{oid}")).text
    data = {"csrf": csrf_of(page), "carrier": carrier,
            "tracking_no": tracking}
    for code, (lid, _, _) in lines(stack, oid).items():
        if f'name="ship_qty[{lid}]"' in page:
            data[f"ship_qty[{lid}]"] = str(qty.get(code, 0))
    return o.post(stack.url(f"{A}/admin/orders/{oid}/ship"), data=data,
                  allow_redirects=False)


def state(stack, oid):
    return one(stack, f"SELECT state FROM sales_order WHERE id = {oid}")


def test_two_parcels_then_shipped(stack, world):
    oid, cust = place(stack, world)
    x, y = f"{P}-X-1", f"{P}-Y-1"
    page = world["owner"].get(stack.url(f"{A}/admin/orders/{oid}")).text
    lid = lines(stack, oid)
    # What is left of each line, to start with.
    assert re.search(rf'name="ship_qty\[{lid[x][0]}\]" value="5"', page)
    assert re.search(rf'name="ship_qty\[{lid[y][0]}\]" value="2"', page)
    r = ship_form(stack, world, oid, {x: 2}, "顺丰速运", "SF0001")
    assert r.status_code == 303, r.text[:2000]
    assert state(stack, oid) == "confirmed"
    assert lines(stack, oid) == {x: (lid[x][0], 5, 2), y: (lid[y][0], 2, 0)}
    page = world["owner"].get(stack.url(f"{A}/admin/orders/{oid}")).text
    assert "部分发货" in page and "SF0001" in page
    assert re.search(rf'name="ship_qty\[{lid[x][0]}\]" value="3"', page)
    assert "取消订单（释放库存）" not in page
    # The customer sees 部分发货 and the first parcel.
    d = cust.get(stack.url(f"{A}/api/v1/orders/{oid}")).json()["data"]
    assert d["order"]["state_label"] == "部分发货"
    r = ship_form(stack, world, oid, {x: 3, y: 2}, "中通快递", "ZT0002")
    assert r.status_code == 303
    assert state(stack, oid) == "shipped"
    assert all(q == s for _, q, s in lines(stack, oid).values())
    # Ship movements: delta 0, the units of each parcel line.
    assert stack.sql(f"SELECT k.code, m.delta, m.qty FROM stock_movement m "
                     f"JOIN sku k ON k.id = m.sku_id WHERE m.order_id = "
                     f"{oid} AND m.reason = 'ship' ORDER BY m.id") == [
        (x, "0", "2"), (x, "0", "3"), (y, "0", "2")]
    assert stock(stack, world["sku"]["X"]) == 95   # taken at submit
    d = cust.get(stack.url(f"{A}/api/v1/orders/{oid}")).json()["data"]
    got = [(s["carrier"], s["tracking_no"]) for s in d["order"]["shipments"]]
    assert got == [("顺丰速运", "SF0001"), ("中通快递", "ZT0002")]
    cust.headers.pop("Accept")
    page = cust.get(stack.url(f"{A}/orders/{oid}")).text
    assert "SF0001" in page and "ZT0002" in page
    # The delivery note of one parcel: its lines and units only.
    ids = [int(r[0]) for r in stack.sql(
        f"SELECT id FROM shipment WHERE order_id = {oid} ORDER BY id")]
    r = world["owner"].get(stack.url(
        f"{A}/admin/orders/{oid}/delivery-note?shipment={ids[0]}"))
    assert r.status_code == 200 and "SF0001" in r.text
    assert x in r.text and y not in r.text and "本次发货" in r.text
    r = world["owner"].get(stack.url(
        f"{A}/admin/orders/{oid}/delivery-note?shipment={ids[1]}"))
    assert "ZT0002" in r.text and x in r.text and y in r.text
    r = world["owner"].get(stack.url(
        f"{A}/admin/orders/{oid}/delivery-note?shipment=999999999"))
    assert r.status_code == 404


def test_over_shipping_is_409_and_changes_nothing(stack, world):
    oid, _ = place(stack, world, x=4, y=1)
    x = f"{P}-X-1"
    lid = lines(stack, oid)
    o = world["owner"]
    r = o.post(stack.url(f"{A}/admin/orders/{oid}/ship"),
               json={"carrier": "顺丰", "tracking_no": "SF9",
                     "lines": [{"line_id": lid[x][0], "qty": 5}]},
               headers={"Accept": "application/json"})
    assert r.status_code == 409 and error_code(r) == "over_shipped"
    assert one(stack, f"SELECT COUNT(*) FROM shipment WHERE order_id = "
               f"{oid}") == "0"
    # Three, then two more: the second goes over what is left.
    r = o.post(stack.url(f"{A}/admin/orders/{oid}/ship"),
               json={"carrier": "顺丰", "tracking_no": "SF10",
                     "lines": [{"line_id": lid[x][0], "qty": 3}]},
               headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["data"]["state"] == "confirmed"
    r = ship_form(stack, world, oid, {x: 2}, "顺丰", "SF11")
    assert r.status_code == 409 and "最多还能发 1" in r.text
    assert lines(stack, oid)[x][2] == 3
    # Nothing to ship, a line of another order: 400.
    r = ship_form(stack, world, oid, {}, "顺丰", "SF12")
    assert r.status_code == 400 and "请填写本次发货的数量" in r.text
    r = o.post(stack.url(f"{A}/admin/orders/{oid}/ship"),
               json={"carrier": "顺丰", "tracking_no": "SF13",
                     "lines": [{"line_id": 1, "qty": 1}]},
               headers={"Accept": "application/json"})
    assert r.status_code == 400
    # Partly shipped: no cancel.
    r = o.post(stack.url(f"{A}/admin/orders/{oid}/cancel"),
               data={"note": "不要了"}, headers={"Accept": "application/json"})
    assert r.status_code == 409 and state(stack, oid) == "confirmed"
    assert one(stack, f"SELECT COUNT(*) FROM shipment WHERE order_id = "
               f"{oid}") == "1"


def test_ship_without_lines_ships_all_that_is_left(stack, world):
    oid, _ = place(stack, world, x=2, y=3)
    r = world["owner"].post(stack.url(f"{A}/admin/orders/{oid}/ship"),
                            data={"carrier": "德邦", "tracking_no": "DB1"},
                            headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["data"]["state"] == "shipped"
    assert all(q == s for _, q, s in lines(stack, oid).values())
