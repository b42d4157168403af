"""Reservation release (docs/orders.md, "Approval and release"): the
shop's release hours on /admin/settings/orders, and the recurring
order.release job that cancels, as the system, orders left waiting for
approval or for the shop's confirmation longer than that, through the
ordinary cancel: stock and credit back, an event with the reason and no
person, the buyer told. Hours 0 never release; a second run cancels
nothing twice. Times are set back in SQL, not waited for."""

import pytest

from helpers import get_csrf
from orders_kit import (SHOP, add, bearer_session, company, drop_companies,
                        drop_skus, one, seed_skus, stock, submit)

P = "RL"
A = SHOP.format("shop-a")


@pytest.fixture(scope="module")
def world(stack):
    k = seed_skus(stack, P, {"X": (1000, 500, 1, 1, 0)})
    cid, uids = company(stack, "释放测试公司", 13624000100, users=2)
    stack.sql(f"UPDATE customer_user SET role = 'approver' WHERE id = "
              f"{uids[1]}; UPDATE customer SET approval_mode = "
              f"'buyer_orders' WHERE id = {cid}")
    yield {"sku": k["X"][0], "customer": cid, "buyer": uids[0],
           "approver": uids[1]}
    stack.sql(f"UPDATE shop SET release_unapproved_hours = 0, "
              f"release_unconfirmed_hours = 0 WHERE id = {A}; "
              f"DELETE FROM job WHERE kind = 'notify.order'")
    drop_companies(stack, "c.name = '释放测试公司'")
    drop_skus(stack, P)


@pytest.fixture(scope="module")
def owner(stack, world):
    s = stack.login(stack.owner_phone, stack.password, "shop-a", staff=True)
    s.headers["X-CSRF-Token"] = get_csrf(stack, s, "/s/shop-a/admin")
    return s


def set_hours(stack, s, unapproved, unconfirmed):
    return s.post(stack.url("/s/shop-a/admin/settings/orders"),
                  data={"release_unapproved_hours": str(unapproved),
                        "release_unconfirmed_hours": str(unconfirmed)},
                  headers={"Accept": "application/json"})


def place(stack, world, who="buyer", qty=1):
    s = bearer_session(stack, "shop-a", world[who])
    assert add(stack, s, world["sku"], qty).status_code == 200
    r = submit(stack, s, terms="monthly")
    assert r.status_code == 201, r.text
    o = r.json()["data"]["order"]
    return int(o["id"]), o["state"]


def age(stack, oid, hours):
    """The order placed (and moved to its state) hours ago."""
    stack.sql(f"UPDATE sales_order SET created_at = created_at - INTERVAL "
              f"{hours} HOUR WHERE id = {oid}; UPDATE order_event SET "
              f"created_at = created_at - INTERVAL {hours} HOUR WHERE "
              f"order_id = {oid}")


def release_run(stack):
    """The recurring job queued, made due now, and run."""
    stack.run("jobs", "run", "--once")
    stack.sql("UPDATE job SET run_at = NOW(3) WHERE kind = 'order.release' "
              "AND state = 'queued'")
    stack.run("jobs", "run", "--once")


def state(stack, oid):
    return one(stack, f"SELECT state FROM sales_order WHERE id = {oid}")


def owed(stack, world):
    return int(one(stack, f"SELECT COALESCE(SUM(outstanding_fen), 0) FROM "
                   f"customer_balance WHERE customer_id = "
                   f"{world['customer']}"))


def test_settings_form_checks_and_roles(stack, world, owner):
    r = set_hours(stack, owner, 721, 0)
    assert r.status_code == 400
    r = set_hours(stack, owner, -1, 0)
    assert r.status_code == 400
    r = set_hours(stack, owner, "abc", 0)
    assert r.status_code == 400
    r = set_hours(stack, owner, 2, 3)
    assert r.status_code == 200, r.text
    assert one(stack, f"SELECT release_unapproved_hours, "
               f"release_unconfirmed_hours FROM shop WHERE id = {A}") == \
        ("2", "3")
    sales = stack.login(stack.sales_phone, stack.password, "shop-a",
                        staff=True)
    sales.headers["X-CSRF-Token"] = get_csrf(stack, sales, "/s/shop-a/admin")
    assert set_hours(stack, sales, 0, 0).status_code == 403
    r = owner.get(stack.url("/s/shop-a/admin/settings/orders"))
    assert r.status_code == 200 and 'value="2"' in r.text
    r = owner.get(stack.url("/s/shop-a/admin/settings"))
    assert "/admin/settings/orders" in r.text
    set_hours(stack, owner, 0, 0)


def test_hours_zero_release_nothing(stack, world, owner):
    assert set_hours(stack, owner, 0, 0).status_code == 200
    oid, st = place(stack, world)
    assert st == "pending_approval"
    age(stack, oid, 1000)
    release_run(stack)
    assert state(stack, oid) == "pending_approval"
    world["ancient"] = oid          # released once hours are set


def test_overdue_orders_are_released_once(stack, world, owner):
    assert set_hours(stack, owner, 2, 3).status_code == 200
    before, debt = stock(stack, world["sku"]), owed(stack, world)
    late, st = place(stack, world, qty=5)                     # waits
    assert st == "pending_approval"
    fresh, _ = place(stack, world, qty=1)                      # waits, new
    unconf, st = place(stack, world, who="approver", qty=7)    # submitted
    assert st == "submitted"
    young, _ = place(stack, world, who="approver", qty=2)      # 2 h < 3 h
    age(stack, late, 3)
    age(stack, unconf, 4)
    age(stack, young, 2)
    assert stock(stack, world["sku"]) == before - 15
    release_run(stack)
    assert state(stack, late) == "cancelled"
    assert state(stack, unconf) == "cancelled"
    assert state(stack, fresh) == "pending_approval"
    assert state(stack, young) == "submitted"
    assert state(stack, world["ancient"]) == "cancelled"
    # What is still held: fresh and young; late, unconf, ancient are back.
    assert stock(stack, world["sku"]) == before - 3 + 1
    assert owed(stack, world) == debt + 3000 - 1000
    # As the system: no person, the reason in the note.
    assert stack.sql(f"SELECT from_state, customer_user_id, staff_id, note "
                     f"FROM order_event WHERE order_id = {late} AND "
                     f"to_state = 'cancelled'") == \
        [("pending_approval", None, None, "超时未审批，已自动取消")]
    assert stack.sql(f"SELECT note FROM order_event WHERE order_id = "
                     f"{unconf} AND to_state = 'cancelled'") == \
        [("超时未确认，已自动取消",)]
    # The audit trail names the system, not a guest.
    assert stack.sql(f"SELECT actor FROM audit_log WHERE action = "
                     f"'order.move' AND detail LIKE 'order={late} %'") == \
        [("system:job",)]
    assert one(stack, f"SELECT -SUM(delta) FROM stock_movement WHERE "
               f"order_id = {late}") == "0"
    # Again: nothing is cancelled twice.
    release_run(stack)
    assert len(stack.sql(f"SELECT id FROM order_event WHERE order_id IN "
                         f"({late}, {unconf}) AND to_state = "
                         f"'cancelled'")) == 2
    assert stock(stack, world["sku"]) == before - 3 + 1
    # The buyer is told (and the approvers of the one that waited).
    stack.run("jobs", "run", "--once")
    got = stack.sql(f"SELECT customer_user_id FROM notification WHERE "
                    f"order_id = {late} AND kind = 'released' ORDER BY "
                    f"customer_user_id")
    assert got == [(str(world["buyer"]),), (str(world["approver"]),)]
    # An approval late in the day does not release the order at once:
    # its time as submitted starts when it was approved.
    age(stack, fresh, 5)
    a = bearer_session(stack, "shop-a", world["approver"])
    r = a.post(stack.url(f"/s/shop-a/api/v1/orders/{fresh}/approve"))
    assert r.status_code == 200, r.text
    release_run(stack)
    assert state(stack, fresh) == "submitted"
    assert "kind=order.release" in stack.error_log_text()
