"""Multi-account approval (docs/orders.md, "Approval and release"): the
company's rule, set in the back office, sends some orders to
pending_approval with their stock reserved; the company's approver
approves (to submitted, the reservation kept) or rejects with a reason
(cancelled, stock and credit back); every move an event with who and
why; the buyer sees the outcome; notifications are job rows that the
notify.order job records for the users who should know."""

import re

import pytest

from helpers import csrf_of, get_csrf
from orders_kit import (SHOP, add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus, stock, submit)

P = "AP"
A = SHOP.format("shop-a")
NAMES = "('审批测试公司', '审批旁观公司')"


@pytest.fixture(scope="module")
def world(stack):
    k = seed_skus(stack, P, {"X": (5000, 1000, 1, 1, 0)})
    cid, uids = company(stack, "审批测试公司", 13623000100, users=3)
    other, ouids = company(stack, "审批旁观公司", 13623000200, users=1,
                           sales=None)
    stack.sql(f"UPDATE customer_user SET role = 'approver' WHERE id IN "
              f"({uids[1]}, {ouids[0]}); UPDATE customer_user SET role = "
              f"'finance' WHERE id = {uids[2]}")
    yield {"sku": k["X"][0], "customer": cid, "buyer": uids[0],
           "approver": uids[1], "finance": uids[2], "other": other,
           "other_approver": ouids[0]}
    stack.sql("DELETE FROM job WHERE kind = 'notify.order'")
    drop_companies(stack, f"c.name IN {NAMES}")
    drop_skus(stack, P)


@pytest.fixture(scope="module")
def owner(stack, world):
    s = stack.login(stack.owner_phone, stack.password, "shop-a", staff=True)
    s.headers["X-CSRF-Token"] = get_csrf(stack, s, "/s/shop-a/admin")
    return s


def set_rule(stack, s, cid, mode, above=""):
    return s.post(stack.url(f"/s/shop-a/admin/customers/{cid}/approval"),
                  data={"mode": mode, "above": above},
                  headers={"Accept": "application/json"})


def place(stack, world, who="buyer", qty=1):
    s = bearer_session(stack, "shop-a", world[who])
    assert add(stack, s, world["sku"], qty).status_code == 200
    r = submit(stack, s, terms="monthly")
    assert r.status_code == 201, r.text
    o = r.json()["data"]["order"]
    return int(o["id"]), o["state"], s


def state(stack, oid):
    return one(stack, f"SELECT state FROM sales_order WHERE id = {oid}")


def owed(stack, world):
    return int(one(stack, f"SELECT COALESCE(SUM(outstanding_fen), 0) FROM "
                   f"customer_balance WHERE customer_id = "
                   f"{world['customer']}"))


def decide(stack, world, oid, action, who="approver", note=None):
    s = bearer_session(stack, "shop-a", world[who])
    data = {} if note is None else {"note": note}
    return s.post(stack.url(f"/s/shop-a/api/v1/orders/{oid}/{action}"),
                  data=data)


def run_jobs(stack):
    stack.run("jobs", "run", "--once")


def test_rule_above_sends_only_buyers_big_orders_to_approval(stack, world,
                                                              owner):
    r = set_rule(stack, owner, world["customer"], "above", "100")
    assert r.status_code == 200, r.text
    assert one(stack, f"SELECT approval_mode, approve_above_fen FROM "
               f"customer WHERE id = {world['customer']}") == \
        ("above", "10000")
    before = stock(stack, world["sku"])
    small, st, _ = place(stack, world, qty=2)          # ¥100: not over
    assert st == "submitted"
    big, st, _ = place(stack, world, qty=3)            # ¥150
    assert st == "pending_approval" and state(stack, big) == \
        "pending_approval"
    # The reservation is made at submit either way.
    assert stock(stack, world["sku"]) == before - 5
    # An approver's or finance's own order is theirs to answer for.
    for who in ("approver", "finance"):
        _, st, _ = place(stack, world, who=who, qty=3)
        assert st == "submitted", who
    # The approvers hear of it: a job row names the order and the event.
    assert one(stack, f"SELECT COUNT(*) FROM job WHERE kind = "
               f"'notify.order' AND JSON_VALUE(payload, '$.order') = {big} "
               f"AND JSON_VALUE(payload, '$.event') = 'submitted'") == "1"


def test_rules_buyer_orders_and_all(stack, world, owner):
    assert set_rule(stack, owner, world["customer"],
                    "buyer_orders").status_code == 200
    _, st, _ = place(stack, world, qty=1)
    assert st == "pending_approval"
    _, st, _ = place(stack, world, who="approver", qty=1)
    assert st == "submitted"
    assert set_rule(stack, owner, world["customer"], "all").status_code == 200
    _, st, _ = place(stack, world, who="approver", qty=1)
    assert st == "pending_approval"
    assert set_rule(stack, owner, world["customer"], "none").status_code == 200
    _, st, _ = place(stack, world, qty=50)
    assert st == "submitted"


def test_approve_keeps_the_reservation_and_records_who(stack, world, owner):
    set_rule(stack, owner, world["customer"], "buyer_orders")
    oid, st, _ = place(stack, world, qty=4)
    assert st == "pending_approval"
    left, debt = stock(stack, world["sku"]), owed(stack, world)
    # The approver's queue lists it; a buyer has none.
    s = bearer_session(stack, "shop-a", world["approver"])
    d = s.get(stack.url("/s/shop-a/api/v1/approvals")).json()["data"]
    assert oid in [o["id"] for o in d["orders"]]
    b = bearer_session(stack, "shop-a", world["buyer"])
    assert b.get(stack.url("/s/shop-a/api/v1/approvals")).status_code == 403
    # A buyer cannot approve; another company's approver does not see it.
    r = decide(stack, world, oid, "approve", who="buyer")
    assert r.status_code == 403 and state(stack, oid) == "pending_approval"
    r = decide(stack, world, oid, "approve", who="other_approver")
    assert r.status_code == 404 and state(stack, oid) == "pending_approval"
    r = decide(stack, world, oid, "approve", note="同意")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["state"] == "submitted"
    assert state(stack, oid) == "submitted"
    assert stock(stack, world["sku"]) == left and owed(stack, world) == debt
    ev = stack.sql(f"SELECT from_state, to_state, customer_user_id, note "
                   f"FROM order_event WHERE order_id = {oid} ORDER BY id")
    assert ev[-1] == ("pending_approval", "submitted",
                      str(world["approver"]), "审批意见：同意")
    # Twice: the state no longer allows it.
    r = decide(stack, world, oid, "approve")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"
    assert len(stack.sql(f"SELECT id FROM order_event WHERE order_id = "
                         f"{oid}")) == 2
    # The buyer sees the outcome.
    d = b.get(stack.url(f"/s/shop-a/api/v1/orders/{oid}")).json()["data"]
    assert d["order"]["approval_note"] == "审批通过（审批意见：同意）"


def test_reject_needs_a_reason_and_releases_stock_and_credit(stack, world,
                                                             owner):
    set_rule(stack, owner, world["customer"], "buyer_orders")
    left, debt = stock(stack, world["sku"]), owed(stack, world)
    oid, st, b = place(stack, world, qty=6)
    assert st == "pending_approval"
    assert stock(stack, world["sku"]) == left - 6
    assert owed(stack, world) == debt + 30000
    r = decide(stack, world, oid, "reject")
    assert r.status_code == 400 and error_code(r) == "reason_required"
    r = decide(stack, world, oid, "reject", who="buyer", note="不要了")
    assert r.status_code == 403 and state(stack, oid) == "pending_approval"
    r = decide(stack, world, oid, "reject", note="数量太多")
    assert r.status_code == 200, r.text
    assert state(stack, oid) == "cancelled"
    assert stock(stack, world["sku"]) == left
    assert owed(stack, world) == debt
    assert stack.sql(f"SELECT customer_user_id, note FROM order_event WHERE "
                     f"order_id = {oid} ORDER BY id DESC LIMIT 1") == \
        [(str(world["approver"]), "审批驳回：数量太多")]
    assert one(stack, f"SELECT -SUM(delta) FROM stock_movement WHERE "
               f"order_id = {oid}") == "0"
    r = decide(stack, world, oid, "reject", note="again")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"
    # The buyer's list and order say why.
    d = b.get(stack.url(f"/s/shop-a/api/v1/orders/{oid}")).json()["data"]
    assert d["order"]["approval_note"] == "审批驳回：数量太多"
    assert d["order"]["approval_rejected"] is True
    d = b.get(stack.url("/s/shop-a/api/v1/orders")).json()["data"]
    row = [o for o in d["orders"] if o["id"] == oid][0]
    assert row["approval_note"] == "审批驳回：数量太多"
    # Approving a submitted (not waiting) order is refused too.
    sub, st, _ = place(stack, world, who="approver", qty=1)
    assert st == "submitted"
    r = decide(stack, world, sub, "approve")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"


def test_notifications_reach_the_right_users(stack, world, owner):
    set_rule(stack, owner, world["customer"], "buyer_orders")
    oid, _, b = place(stack, world, qty=1)
    assert decide(stack, world, oid, "reject",
                  note="预算不足").status_code == 200
    run_jobs(stack)
    got = stack.sql(f"SELECT customer_user_id, kind FROM notification WHERE "
                    f"order_id = {oid} ORDER BY id")
    assert got == [(str(world["approver"]), "submitted"),
                   (str(world["buyer"]), "rejected")]
    # The job run twice records nothing twice.
    stack.sql("UPDATE job SET state = 'queued', run_at = NOW(3) WHERE kind "
              f"= 'notify.order' AND JSON_VALUE(payload, '$.order') = {oid}")
    run_jobs(stack)
    assert len(stack.sql(f"SELECT id FROM notification WHERE order_id = "
                         f"{oid}")) == 2
    d = b.get(stack.url("/s/shop-a/api/v1/account/messages")).json()["data"]
    assert d["unread"] >= 1
    m = [x for x in d["messages"] if x["order_id"] == oid][0]
    assert m["subject"] == "订单被驳回" and "预算不足" in m["body"]
    d = b.get(stack.url("/s/shop-a/api/v1/account")).json()["data"]
    assert d["approval"]["unread"] >= 1
    assert "approver" not in d["approval"]
    r = b.post(stack.url("/s/shop-a/api/v1/account/messages/read"))
    assert r.status_code == 200
    d = b.get(stack.url("/s/shop-a/api/v1/account")).json()["data"]
    assert d["approval"]["unread"] == 0
    a = bearer_session(stack, "shop-a", world["approver"])
    d = a.get(stack.url("/s/shop-a/api/v1/account")).json()["data"]
    pending = int(one(stack, f"SELECT COUNT(*) FROM sales_order WHERE "
                      f"customer_id = {world['customer']} AND state = "
                      f"'pending_approval'"))
    assert d["approval"]["approver"] is True
    assert d["approval"]["pending"] == pending


def test_rule_form_roles_and_bad_input(stack, world, owner):
    r = set_rule(stack, owner, world["customer"], "above", "")
    assert r.status_code == 400
    r = set_rule(stack, owner, world["customer"], "sometimes")
    assert r.status_code == 400
    r = set_rule(stack, owner, world["customer"], "above", "-5")
    assert r.status_code == 400
    sales = stack.login(stack.sales_phone, stack.password, "shop-a",
                        staff=True)
    sales.headers["X-CSRF-Token"] = get_csrf(stack, sales, "/s/shop-a/admin")
    # Not the salesperson's company: not found; their own: allowed.
    r = set_rule(stack, sales, world["other"], "all")
    assert r.status_code == 404
    assert one(stack, f"SELECT approval_mode FROM customer WHERE id = "
               f"{world['other']}") == "none"
    assert set_rule(stack, sales, world["customer"],
                    "none").status_code == 200
    # The page, with its choices.
    r = owner.get(stack.url(f"/s/shop-a/admin/customers/"
                            f"{world['customer']}/approval"))
    assert r.status_code == 200 and "采购员订单超过金额需审批" in r.text
    r = owner.get(stack.url(f"/s/shop-a/admin/customers/{world['customer']}"))
    assert "/approval\"" in r.text


def test_h5_approval_page_approves_and_rejects(stack, world, owner):
    set_rule(stack, owner, world["customer"], "buyer_orders")
    one_, _, _ = place(stack, world, qty=1)
    two, _, _ = place(stack, world, qty=1)
    h = stack.login("13623000101", stack.password, "shop-a")
    r = h.get(stack.url("/s/shop-a/account"))
    assert "待审批订单" in r.text and "笔待审批" in r.text
    r = h.get(stack.url("/s/shop-a/approvals"))
    assert r.status_code == 200 and f"/approvals/{one_}" in r.text
    r = h.get(stack.url(f"/s/shop-a/approvals/{one_}"))
    assert r.status_code == 200 and "批准" in r.text and "驳回" in r.text
    csrf = csrf_of(r.text)
    r = h.post(stack.url(f"/s/shop-a/orders/{one_}/approve"),
               data={"csrf": csrf}, allow_redirects=False)
    assert r.status_code == 303 and state(stack, one_) == "submitted"
    r = h.post(stack.url(f"/s/shop-a/orders/{two}/reject"),
               data={"csrf": csrf, "note": ""})
    assert r.status_code == 400 and "请填写驳回原因" in r.text
    assert state(stack, two) == "pending_approval"
    r = h.post(stack.url(f"/s/shop-a/orders/{two}/reject"),
               data={"csrf": csrf, "note": "重复下单"})
    assert r.status_code == 200 and "已驳回" in r.text
    assert state(stack, two) == "cancelled"
    # The buyer's order page says so.
    bh = stack.login("13623000100", stack.password, "shop-a")
    r = bh.get(stack.url(f"/s/shop-a/orders/{two}"))
    assert "审批驳回：重复下单" in r.text
    r = bh.get(stack.url("/s/shop-a/approvals"))
    assert r.status_code == 403
    set_rule(stack, owner, world["customer"], "none")
