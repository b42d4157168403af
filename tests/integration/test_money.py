"""The ledger and payments (docs/money.md): monthly orders on the account,
cancels credited back, transfers recorded with a proof, confirmed by
finance (oldest due first, or as the payer chose, the rest to the
deposit) or rejected with a reason, orders paid from the deposit once
however many taps, adjustments, AR aging, every company kept to its own,
and after every scenario each account's sum equal to its entries.

The module makes its companies (MY…) and products (MY-*) and removes
them at the end."""

import secrets
import threading

import pytest

from helpers import get_csrf
from orders_kit import (add, bearer_session, cn_day, company, drop_companies,
                        drop_skus, error_code, one, seed_skus, submit)
from test_admin_catalog import png

A = "/s/shop-a"


@pytest.fixture(scope="module")
def world(stack):
    skus = seed_skus(stack, "MY", {"A": (10000, 100000, 1, 1, 0),
                                   "B": (2550, 100000, 1, 1, 0)})
    made = {}
    for key, name, base, terms in (
            ("m", "MY月结公司", 13650000000, "monthly"),
            ("p", "MY预付公司", 13650000100, "prepaid"),
            ("o", "MY别家公司", 13650000200, "monthly")):
        cid, uids = company(stack, name, base, users=2, terms=terms,
                            limit_fen=5000000)
        made[key] = {"cid": cid, "uids": uids,
                     "s": bearer_session(stack, "shop-a", uids[0]),
                     "s2": bearer_session(stack, "shop-a", uids[1])}
    yield {"sku": {k: v[0] for k, v in skus.items()}, **made}
    drop_companies(stack, "c.name LIKE 'MY%'")
    drop_skus(stack, "MY")


@pytest.fixture(scope="module")
def owner(stack):
    return stack.login(stack.owner_phone, stack.password, "shop-a",
                       staff=True)


def order(stack, s, sku, qty, terms):
    assert add(stack, s, sku, qty).status_code == 200
    r = submit(stack, s, terms=terms)
    assert r.status_code == 201, r.text
    return r.json()["data"]["order"]["id"]


def record(stack, s, amount, purpose="orders", orders=(), proof=None,
           paid_on=None, **extra):
    data = {"purpose": purpose, "amount": amount,
            "paid_on": paid_on or cn_day(stack), "payer_account": "工行 1234"}
    data.update(extra)
    if orders:
        data["order_id"] = [str(o) for o in orders]
    files = {"proof": proof or ("回单.png", png(80, 60), "image/png")}
    return s.post(stack.url(f"{A}/api/v1/account/payments"), data=data,
                  files=files, headers={"Idempotency-Key":
                                        secrets.token_hex(8)})


def staff_post(stack, s, path, page, **data):
    data["csrf"] = get_csrf(stack, s, f"{A}{page}")
    return s.post(stack.url(f"{A}{path}"), data=data, allow_redirects=False)


def confirm(stack, s, pid):
    """The confirm form's post; the token from a page that always has a
    form (a decided payment's page has none)."""
    p = f"/admin/finance/payments/{pid}"
    return staff_post(stack, s, p + "/confirm", "/admin/settings")


def balances_explained(stack):
    """Companies whose sums differ from their entries, and entries whose
    balance_fen is not the running sum (an empty list: all hold)."""
    return stack.sql("""
SELECT b.customer_id, b.outstanding_fen, b.deposit_fen FROM customer_balance b
WHERE b.outstanding_fen <> (SELECT COALESCE(SUM(e.amount_fen), 0)
    FROM ledger_entry e WHERE e.customer_id = b.customer_id
    AND e.account = 'ar')
  OR b.deposit_fen <> (SELECT COALESCE(SUM(e.amount_fen), 0)
    FROM ledger_entry e WHERE e.customer_id = b.customer_id
    AND e.account = 'deposit')
UNION ALL
SELECT e.id, e.balance_fen, SUM(p.amount_fen) FROM ledger_entry e
JOIN ledger_entry p ON p.customer_id = e.customer_id
  AND p.account = e.account AND p.id <= e.id
GROUP BY e.id, e.balance_fen HAVING e.balance_fen <> SUM(p.amount_fen)""")


def payments_explained(stack):
    """Orders whose paid_fen is not their allocations' sum or passes their
    total, confirmed payments not all allocated or deposited (empty: all
    hold)."""
    return stack.sql("""
SELECT o.id, o.paid_fen, o.total_fen FROM sales_order o
WHERE o.paid_fen <> (SELECT COALESCE(SUM(a.amount_fen), 0)
    FROM payment_allocation a WHERE a.order_id = o.id)
  OR o.paid_fen > o.total_fen AND o.state <> 'cancelled'
UNION ALL
SELECT p.id, p.amount_fen, p.to_deposit_fen FROM payment p
WHERE p.state = 'confirmed' AND p.amount_fen <> p.to_deposit_fen +
    (SELECT COALESCE(SUM(a.amount_fen), 0) FROM payment_allocation a
     WHERE a.payment_id = p.id)""")


@pytest.fixture(autouse=True)
def ledger_holds(stack):
    yield
    assert balances_explained(stack) == []
    assert payments_explained(stack) == []


def entries(stack, cid):
    return stack.sql(f"SELECT account, kind, amount_fen, balance_fen "
                     f"FROM ledger_entry WHERE customer_id = {cid} "
                     f"ORDER BY id")


def test_monthly_order_is_owed_from_submit_and_cancel_credits_it(
        stack, world):
    m = world["m"]
    before = len(entries(stack, m["cid"]))
    oid = order(stack, m["s"], world["sku"]["A"], 3, "monthly")
    row = one(stack, f"SELECT ar_fen, paid_fen, DATE_FORMAT(due_on, "
              f"'%Y-%m-%d') FROM sales_order WHERE id = {oid}")
    assert row == ("30000", "0", cn_day(stack, 30))
    new = entries(stack, m["cid"])[before:]
    assert [e[:3] for e in new] == [("ar", "order", "30000")]
    r = m["s"].post(stack.url(f"{A}/api/v1/orders/{oid}/cancel"),
                    data={"note": "下错了"})
    assert r.status_code == 200, r.text
    new = entries(stack, m["cid"])[before:]
    assert [e[:3] for e in new] == [("ar", "order", "30000"),
                                   ("ar", "order_cancel", "-30000")]
    assert new[-1][3] == str(int(new[0][3]) - 30000)


def test_prepaid_order_owes_nothing_until_paid(stack, world):
    p = world["p"]
    oid = order(stack, p["s"], world["sku"]["B"], 2, "prepaid")
    assert one(stack, f"SELECT ar_fen FROM sales_order WHERE id = {oid}") \
        == "0"
    assert stack.sql(f"SELECT COUNT(*) FROM ledger_entry WHERE order_id = "
                     f"{oid}") == [("0",)]
    page = p["s"].get(stack.url(f"{A}/api/v1/orders/{oid}")).json()
    pay = page["data"]["order"]["pay"]
    assert pay["remaining_fen"] == 5100 and pay["state"] == "unpaid"
    assert pay["deposit_usable"] is False


def test_bad_payments_are_refused_and_nothing_is_written(stack, world):
    m = world["m"]
    n = one(stack, "SELECT COUNT(*) FROM payment")
    for amount, field in (("12.345", "amount"), ("-5", "amount"),
                          ("0", "amount"), ("abc", "amount")):
        r = record(stack, m["s"], amount)
        assert r.status_code == 400, (amount, r.text)
        assert field in r.json()["error"]["fields"], r.text
    r = record(stack, m["s"], "10", paid_on=cn_day(stack, 2))
    assert r.status_code == 400 and "paid_on" in r.json()["error"]["fields"]
    r = record(stack, m["s"], "10", proof=("x.png", b"%PDF-1.4 no",
                                           "image/png"))
    assert r.status_code == 400 and "proof" in r.json()["error"]["fields"]
    # More than every open order owes: pay the rest as a deposit.
    r = record(stack, m["s"], "99999999")
    assert r.status_code == 400, r.text
    assert error_code(r) == "above_outstanding"
    # Another company's order cannot be named.
    oid = order(stack, world["o"]["s"], world["sku"]["B"], 1, "monthly")
    r = record(stack, m["s"], "1", orders=[oid])
    assert r.status_code == 404, r.text
    assert one(stack, "SELECT COUNT(*) FROM payment") == n


def test_transfer_confirmed_pays_oldest_first_and_rest_to_deposit(
        stack, world, owner):
    m = world["m"]
    o1 = order(stack, m["s"], world["sku"]["A"], 1, "monthly")   # 100.00
    o2 = order(stack, m["s"], world["sku"]["B"], 2, "monthly")   # 51.00
    # o2 falls due first.
    stack.sql(f"UPDATE sales_order SET due_on = due_on - INTERVAL 10 DAY "
              f"WHERE id = {o2}")
    owed = sum(int(x[0]) for x in stack.sql(
        f"SELECT total_fen - paid_fen FROM sales_order WHERE customer_id = "
        f"{m['cid']} AND state <> 'cancelled' AND payment_terms = "
        f"'monthly' AND total_fen > paid_fen"))
    r = record(stack, m["s"], f"{(owed + 2000) / 100:.2f}",
               purpose="deposit")
    assert r.status_code == 201, r.text
    dep = r.json()["data"]["id"]
    r = record(stack, m["s"], "120.00")
    assert r.status_code == 201, r.text
    pid = r.json()["data"]["id"]
    assert one(stack, f"SELECT state FROM payment WHERE id = {pid}") == \
        "pending"
    assert confirm(stack, owner, pid).status_code == 303
    allocs = stack.sql(f"SELECT order_id, amount_fen FROM payment_allocation"
                       f" WHERE payment_id = {pid} ORDER BY id")
    # Oldest due first: o2 whole, then 69.00 of whatever is next (o1 or an
    # earlier test's order due before it).
    assert allocs[0] == (str(o2), "5100")
    assert sum(int(a[1]) for a in allocs) == 12000
    assert one(stack, f"SELECT paid_fen FROM sales_order WHERE id = {o2}") \
        == "5100"
    # The one who recorded it hears of it (the notify.money job).
    def told():
        got = m["s"].get(stack.url(f"{A}/api/v1/account/messages")).json()
        return [x for x in got["data"]["messages"]
                if x["kind"] == "payment_confirmed" and "¥120.00" in x["body"]]
    assert stack.wait_until(told, timeout=15)
    # Twice: the second is refused, nothing moves.
    r = confirm(stack, owner, pid)
    assert r.status_code == 409 and "已确认" in r.text
    # A deposit top-up goes to the deposit only.
    before = int(one(stack, f"SELECT deposit_fen FROM customer_balance "
                     f"WHERE customer_id = {m['cid']}"))
    assert confirm(stack, owner, dep).status_code == 303
    assert int(one(stack, f"SELECT deposit_fen FROM customer_balance WHERE "
                   f"customer_id = {m['cid']}")) == before + owed + 2000
    led = m["s"].get(stack.url(f"{A}/api/v1/account/ledger")).json()["data"]
    kinds = [e["kind"] for e in led["entries"]]
    assert kinds[0] == "deposit_in" and "payment" in kinds
    assert led["summary"]["deposit_fen"] == before + owed + 2000


def test_named_orders_are_paid_first_and_the_rest_is_deposit(stack, world,
                                                             owner):
    m = world["m"]
    oid = order(stack, m["s"], world["sku"]["B"], 4, "monthly")   # 102.00
    dep0 = int(one(stack, f"SELECT deposit_fen FROM customer_balance "
                   f"WHERE customer_id = {m['cid']}"))
    r = record(stack, m["s"], "100.00", orders=[oid])
    assert r.status_code == 201, r.text
    pid = r.json()["data"]["id"]
    # The order is cancelled before finance gets to it: the money goes to
    # the deposit, nothing to the cancelled order.
    assert m["s"].post(stack.url(f"{A}/api/v1/orders/{oid}/cancel"),
                       data={"note": "x"}).status_code == 200
    assert confirm(stack, owner, pid).status_code == 303
    assert stack.sql(f"SELECT COUNT(*) FROM payment_allocation WHERE "
                     f"payment_id = {pid}") == [("0",)]
    assert int(one(stack, f"SELECT deposit_fen FROM customer_balance WHERE "
                   f"customer_id = {m['cid']}")) == dep0 + 10000
    assert one(stack, f"SELECT to_deposit_fen FROM payment WHERE id = "
               f"{pid}") == "10000"


def test_reject_needs_a_reason_and_the_payer_sees_it(stack, world, owner):
    m = world["m"]
    r = record(stack, m["s"], "1.00", purpose="deposit")
    pid = r.json()["data"]["id"]
    p = f"/admin/finance/payments/{pid}"
    # The dashboard says there is one to check.
    assert "笔付款待确认到账" in owner.get(stack.url(f"{A}/admin")).text
    r = staff_post(stack, owner, p + "/reject", p, reason="")
    assert r.status_code == 400
    r = staff_post(stack, owner, p + "/reject", p, reason="未查到这笔转账")
    assert one(stack, f"SELECT state, reason FROM payment WHERE id = "
               f"{pid}") == ("rejected", "未查到这笔转账")
    assert r.status_code == 303
    got = m["s"].get(stack.url(f"{A}/api/v1/account/payments/{pid}"))
    assert got.json()["data"]["payment"]["reason"] == "未查到这笔转账"
    assert confirm(stack, owner, pid).status_code == 409
    # The proof is the payer's and staff's, nobody else's.
    assert m["s"].get(stack.url(f"{A}/account/payments/{pid}/proof")) \
        .headers["Content-Type"] == "image/png"
    assert owner.get(stack.url(f"{A}{p}/proof")).status_code == 200
    other = world["o"]["s"]
    assert other.get(stack.url(f"{A}/api/v1/account/payments/{pid}")) \
        .status_code == 404
    assert other.get(stack.url(f"{A}/account/payments/{pid}/proof")) \
        .status_code == 404
    anon = stack.session().get(stack.url(f"{A}{p}/proof"))
    assert not anon.headers["Content-Type"].startswith("image/")


def test_deposit_pays_an_order_once_from_two_devices(stack, world, owner):
    p = world["p"]
    r = record(stack, p["s"], "500.00", purpose="deposit")
    assert confirm(stack, owner, r.json()["data"]["id"]).status_code == 303
    oid = order(stack, p["s"], world["sku"]["A"], 2, "prepaid")   # 200.00
    dep0 = int(one(stack, f"SELECT deposit_fen FROM customer_balance WHERE "
                   f"customer_id = {p['cid']}"))
    res = []

    def pay(s):
        res.append(s.post(stack.url(f"{A}/api/v1/orders/{oid}/pay-deposit"),
                          data={}))
    ts = [threading.Thread(target=pay, args=(s,))
          for s in (p["s"], p["s2"], p["s"], p["s2"])]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    codes = sorted(r.status_code for r in res)
    assert codes == [200, 409, 409, 409], [r.text for r in res]
    assert {error_code(r) for r in res if r.status_code == 409} == \
        {"already_paid"}
    row = one(stack, f"SELECT paid_fen, ar_fen FROM sales_order WHERE id = "
              f"{oid}")
    assert row == ("20000", "20000")
    assert int(one(stack, f"SELECT deposit_fen FROM customer_balance WHERE "
                   f"customer_id = {p['cid']}")) == dep0 - 20000
    assert [e[:3] for e in stack.sql(
        f"SELECT account, kind, amount_fen FROM ledger_entry WHERE order_id "
        f"= {oid} ORDER BY id")] == [
        ("deposit", "deposit_use", "-20000"), ("ar", "order", "20000"),
        ("ar", "payment", "-20000")]


def test_deposit_short_pays_part_and_none_is_refused(stack, world, owner):
    p = world["p"]
    dep = int(one(stack, f"SELECT deposit_fen FROM customer_balance WHERE "
                  f"customer_id = {p['cid']}"))
    qty = dep // 10000 + 2
    oid = order(stack, p["s"], world["sku"]["A"], qty, "prepaid")
    r = p["s"].post(stack.url(f"{A}/api/v1/orders/{oid}/pay-deposit"))
    assert r.status_code == 200 and r.json()["data"]["paid_fen"] == dep
    r = p["s"].post(stack.url(f"{A}/api/v1/orders/{oid}/pay-deposit"))
    assert r.status_code == 409 and error_code(r) == "no_deposit"
    # The rest by transfer, and the order is paid in full.
    rest = qty * 10000 - dep
    r = record(stack, p["s"], f"{rest / 100:.2f}", orders=[oid])
    assert confirm(stack, owner, r.json()["data"]["id"]).status_code == 303
    assert one(stack, f"SELECT paid_fen = total_fen FROM sales_order WHERE "
               f"id = {oid}") == "1"
    page = p["s"].get(stack.url(f"{A}/api/v1/orders/{oid}")).json()
    assert page["data"]["order"]["pay"]["state"] == "paid"


def test_ledger_entries_are_never_changed(stack, world):
    eid = one(stack, f"SELECT MIN(id) FROM ledger_entry WHERE customer_id = "
              f"{world['m']['cid']}")
    for q in (f"UPDATE ledger_entry SET amount_fen = 1 WHERE id = {eid}",
              f"DELETE FROM ledger_entry WHERE id = {eid}"):
        with pytest.raises(Exception) as e:
            stack.sql(q)
        assert "never" in str(e.value)


def test_adjustment_by_finance_roles_only(stack, world, owner):
    m = world["m"]
    cid = m["cid"]
    page = f"/admin/customers/{cid}/ledger"
    r = staff_post(stack, owner, page, page, account="ar", direction="down",
                   kind="adjustment", amount="0.5", note="")
    assert r.status_code == 400
    ar0 = int(one(stack, f"SELECT outstanding_fen FROM customer_balance "
                  f"WHERE customer_id = {cid}"))
    r = staff_post(stack, owner, page, page, account="ar", direction="down",
                   kind="credit_note", amount="0.50", note="抹零")
    assert r.status_code == 303, r.text
    assert int(one(stack, f"SELECT outstanding_fen FROM customer_balance "
                   f"WHERE customer_id = {cid}")) == ar0 - 50
    # A credit note never raises what is owed; the deposit never goes
    # below zero.
    r = staff_post(stack, owner, page, page, account="ar", direction="up",
                   kind="credit_note", amount="1", note="x")
    assert r.status_code == 400
    dep = int(one(stack, f"SELECT deposit_fen FROM customer_balance WHERE "
                  f"customer_id = {cid}"))
    r = staff_post(stack, owner, page, page, account="deposit",
                   direction="down", kind="adjustment",
                   amount=f"{(dep + 100) / 100:.2f}", note="x")
    assert r.status_code == 409 and "预存款不足" in r.text
    sales = stack.login(stack.sales_phone, stack.password, "shop-a",
                        staff=True)
    csrf = get_csrf(stack, sales, f"{A}/admin/customers/{cid}")
    r = sales.post(stack.url(f"{A}{page}"), data={
        "csrf": csrf, "account": "ar", "direction": "down",
        "kind": "adjustment", "amount": "1", "note": "x"},
        allow_redirects=False)
    assert r.status_code == 403


def test_aging_puts_the_most_overdue_first(stack, world, owner):
    o = world["o"]
    oid = order(stack, o["s"], world["sku"]["A"], 1, "monthly")
    stack.sql(f"UPDATE sales_order SET due_on = DATE(UTC_TIMESTAMP() + "
              f"INTERVAL 8 HOUR) - INTERVAL 45 DAY WHERE id = {oid}")
    r = owner.get(stack.url(f"{A}/admin/finance/aging"),
                  headers={"Accept": "application/json"})
    d = r.json()["data"]
    first = d["customers"][0]
    assert first["customer_id"] == o["cid"], d["customers"][:2]
    b = {x["label"]: x["amount_fen"] for x in first["buckets"]}
    assert b["逾期 31–60 天"] == 10000
    assert first["max_days"] >= 45
    assert d["totals"]["overdue_fen"] >= 10000
    page = owner.get(stack.url(f"{A}/admin/finance/aging")).text
    assert "先催这些客户" in page and "MY别家公司" in page


def test_sales_see_their_own_companies_payments_only(stack, world):
    m = world["m"]
    r = record(stack, m["s"], "1.00", purpose="deposit")
    pid = r.json()["data"]["id"]
    sales = stack.login(stack.sales_phone, stack.password, "shop-a",
                        staff=True)
    # Their own company's, yes.
    assert sales.get(stack.url(
        f"{A}/admin/finance/payments/{pid}")).status_code == 200
    mine = sales.get(stack.url(f"{A}/admin/finance/payments?state=all"),
                     headers={"Accept": "application/json"}).json()
    assert pid in [p["id"] for p in mine["data"]["payments"]]
    stack.sql(f"UPDATE customer SET owner_staff_id = NULL WHERE id = "
              f"{m['cid']}")
    try:
        assert sales.get(stack.url(
            f"{A}/admin/finance/payments/{pid}")).status_code == 404
        listed = sales.get(stack.url(f"{A}/admin/finance/payments?state=all"),
                           headers={"Accept": "application/json"}).json()
        assert pid not in [p["id"] for p in listed["data"]["payments"]]
    finally:
        stack.sql(f"UPDATE customer SET owner_staff_id = (SELECT id FROM "
                  f"staff WHERE phone = '{stack.sales_phone}' AND shop_id = "
                  f"(SELECT id FROM shop WHERE slug = 'shop-a')) WHERE id = "
                  f"{m['cid']}")


def test_concurrent_orders_and_payments_keep_the_sums(stack, world, owner):
    m = world["m"]
    pids = []
    for _ in range(4):
        r = record(stack, m["s"], "1.00", purpose="deposit")
        pids.append(r.json()["data"]["id"])
    errors = []

    def buyer(s):
        for _ in range(3):
            try:
                order(stack, s, world["sku"]["B"], 1, "monthly")
            except AssertionError as e:
                errors.append(str(e))

    def finance():
        for pid in pids:
            r = confirm(stack, owner, pid)
            if r.status_code != 303:
                errors.append(r.text[:200])
    ts = [threading.Thread(target=buyer, args=(m["s"],)),
          threading.Thread(target=buyer, args=(m["s2"],)),
          threading.Thread(target=finance)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert errors == []
    assert balances_explained(stack) == []


def test_finance_lists_export_as_xlsx(stack, world, owner):
    import io
    import zipfile

    def sheet(r):
        assert r.status_code == 200 and r.content[:2] == b"PK", r.text[:200]
        z = zipfile.ZipFile(io.BytesIO(r.content))
        return "".join(z.read(n).decode() for n in z.namelist()
                       if n.startswith("xl/"))
    text = sheet(owner.get(stack.url(f"{A}/admin/finance/aging.xlsx")))
    assert "应收账龄" in text and "MY别家公司" in text
    text = sheet(owner.get(stack.url(
        f"{A}/admin/finance/payments.xlsx?state=all")))
    assert "付款记录" in text and "MY月结公司" in text
    # Sales: their own companies only, as on the page.
    stack.sql(f"UPDATE customer SET owner_staff_id = NULL WHERE id = "
              f"{world['o']['cid']}")
    try:
        sales = stack.login(stack.sales_phone, stack.password, "shop-a",
                            staff=True)
        text = sheet(sales.get(stack.url(f"{A}/admin/finance/aging.xlsx")))
        assert "MY别家公司" not in text
    finally:
        stack.sql(f"UPDATE customer SET owner_staff_id = (SELECT id FROM "
                  f"staff WHERE phone = '{stack.sales_phone}' AND shop_id = "
                  f"(SELECT id FROM shop WHERE slug = 'shop-a')) WHERE id = "
                  f"{world['o']['cid']}")
