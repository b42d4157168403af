"""After-sales tickets (售后, issue 13) through nginx against MariaDB: a
customer opens one on an order line with photos (once per idempotency
key), another company can neither see nor act on it nor open one on
that order, bad input is a clear 4xx with nothing written, staff move it
through the state machine (an invalid move is 409 and changes nothing,
every move is an event), a sales rep sees only their customers', a
return refunds through the ledger, replaces through an order on the
company's behalf and puts stock back as a return movement, the SLA job
gives notice once per stage, and a guest who scans the product QR opens
one with a phone that is linked when the phone logs in by SMS.
Companies ST…, SKUs ST-…, phones 1367000xxxx."""

import json
import re
import secrets
import subprocess
import urllib.request
from pathlib import Path

import pytest

from conftest import wait_until
from helpers import get_csrf
from orders_kit import (add, bearer_session, company, drop_companies,
                        drop_skus, one, seed_skus, stock, submit)
from test_admin_catalog import png

ROOT = Path(__file__).resolve().parents[2]
A = "/s/shop-a"
SHOP = "(SELECT id FROM shop WHERE slug = 'shop-a')"
SERVICE_PHONE = "13670000900"
GUEST_PHONE = "13670000050"


@pytest.fixture(scope="module")
def world(stack):
    skus = seed_skus(stack, "ST", {"A": (10000, 100, 1, 1, 0)})
    sku, product = skus["A"]
    cid, uids = company(stack, "ST甲公司", 13670000000, users=1)
    cid2, uids2 = company(stack, "ST乙公司", 13670000010, users=1,
                          sales=None)
    buyer = bearer_session(stack, "shop-a", uids[0])
    other = bearer_session(stack, "shop-a", uids2[0])
    assert add(stack, buyer, sku, 3).status_code == 200
    r = submit(stack, buyer, terms="monthly", invoice="normal")
    assert r.status_code == 201, r.text
    oid = r.json()["data"]["order"]["id"]
    line = int(one(stack, f"SELECT id FROM order_line WHERE order_id = "
                   f"{oid}"))
    stack.sql(f"""
INSERT INTO staff (shop_id, name, phone, password_hash, role)
  SELECT shop_id, '售后小王', '{SERVICE_PHONE}', password_hash, 'service'
  FROM staff WHERE shop_id = {SHOP} AND phone = '{stack.owner_phone}'""")
    yield {"sku": sku, "product": product, "cid": cid, "cid2": cid2,
           "uids": uids, "buyer": buyer, "other": other, "order": oid,
           "line": line}
    stack.sql(f"DELETE FROM ticket WHERE shop_id = {SHOP} AND (customer_id "
              f"IN ({cid}, {cid2}) OR guest_phone LIKE '1367%')")
    drop_companies(stack, "c.name LIKE 'ST%'")
    drop_skus(stack, "ST")
    stack.sql(f"DELETE FROM staff WHERE phone = '{SERVICE_PHONE}'")
    stack.sql(f"UPDATE shop SET ticket_first_response_hours = 4, "
              f"ticket_resolve_days = 3 WHERE id = {SHOP}")


def api(stack, s, path, key=None, **kw):
    h = {"Idempotency-Key": key} if key else {}
    return s.post(stack.url(f"{A}/api/v1{path}"), headers=h, **kw)


def open_ticket(stack, w, s=None, key=None, photos=(), **data):
    d = {"kind": "missing_or_damaged", "body": "到货两箱破损",
         "order_id": str(w["order"]), "order_line_id": str(w["line"])}
    d.update(data)
    files = [("photos", (f"p{i}.png", p, "image/png"))
             for i, p in enumerate(photos)]
    return api(stack, s or w["buyer"], "/service/tickets", key=key or
               secrets.token_hex(8), data=d, files=files or None)


def count(stack, table, where):
    return int(one(stack, f"SELECT COUNT(*) FROM {table} WHERE {where}"))


def staff(stack, phone=None):
    s = stack.login(phone or SERVICE_PHONE, stack.password, "shop-a",
                    staff=True)
    s.csrf = get_csrf(stack, s, f"{A}/admin")
    return s


def move(stack, s, tid, action, **data):
    data["csrf"] = s.csrf
    return s.post(stack.url(f"{A}/admin/service/tickets/{tid}/{action}"),
                  data=data, allow_redirects=False)


def state(stack, tid):
    return one(stack, f"SELECT state FROM ticket WHERE id = {tid}")


def test_customer_opens_a_ticket_once_with_photos(stack, world):
    key = secrets.token_hex(8)
    pics = (png(120, 80), png(60, 90))
    r = open_ticket(stack, world, key=key, photos=pics)
    assert r.status_code == 201, r.text
    tid = r.json()["data"]["id"]
    again = open_ticket(stack, world, key=key, photos=pics)
    assert again.status_code == 201 and again.json()["data"]["id"] == tid
    assert count(stack, "ticket", f"customer_id = {world['cid']}") == 1
    assert count(stack, "ticket_photo", f"ticket_id = {tid}") == 2
    t = world["buyer"].get(stack.url(f"{A}/api/v1/account/service/{tid}"))
    assert t.status_code == 200, t.text
    v = t.json()["data"]["ticket"]
    assert v["state"] == "open" and v["kind"] == "missing_or_damaged"
    assert v["order_line_id"] == world["line"]
    ev = v["timeline"][0]
    assert ev["kind"] == "opened" and len(ev["photos"]) == 2
    img = world["buyer"].get(stack.url(ev["photos"][0]["url"]))
    assert img.status_code == 200
    assert img.headers["Content-Type"].startswith("image/")
    lst = world["buyer"].get(stack.url(f"{A}/api/v1/account/service"))
    assert [x["id"] for x in lst.json()["data"]["tickets"]] == [tid]


def test_another_company_sees_nothing(stack, world):
    tid = open_ticket(stack, world).json()["data"]["id"]
    o = world["other"]
    assert o.get(stack.url(f"{A}/api/v1/account/service/{tid}")) \
        .status_code == 404
    r = api(stack, o, f"/account/service/{tid}/reply", data={"body": "我的"})
    assert r.status_code == 404
    pid = count(stack, "ticket_photo", "1=0")
    assert o.get(stack.url(f"{A}/account/service/{tid}/photos/{pid}")) \
        .status_code == 404
    n = count(stack, "ticket", "1=1")
    r = open_ticket(stack, world, s=o)          # the other one's order
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "order_not_found"
    assert count(stack, "ticket", "1=1") == n
    assert tid not in [x["id"] for x in o.get(stack.url(
        f"{A}/api/v1/account/service")).json()["data"]["tickets"]]


@pytest.mark.parametrize("change,status,code", [
    ({"body": ""}, 400, "text_required"),
    ({"body": "   "}, 400, "text_required"),
    ({"kind": "nonsense"}, 400, "kind_invalid"),
    ({"order_line_id": "999999999"}, 404, "line_not_found"),
    ({"order_id": "999999999", "order_line_id": ""}, 404, "order_not_found"),
])
def test_bad_input_writes_nothing(stack, world, change, status, code):
    n = count(stack, "ticket", "1=1")
    r = open_ticket(stack, world, **change)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert count(stack, "ticket", "1=1") == n


def test_bad_photos_are_refused(stack, world):
    n = count(stack, "ticket", "1=1")
    r = open_ticket(stack, world, photos=(b"<html>not a picture</html>",))
    assert r.status_code == 415, r.text
    assert r.json()["error"]["code"] == "photo_not_image"
    r = open_ticket(stack, world, photos=[png(10, 10)] * 10)
    assert r.status_code == 400 and \
        r.json()["error"]["code"] == "too_many_photos"
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (9 * 1024 * 1024)
    r = open_ticket(stack, world, photos=(big,))
    assert r.status_code == 413, r.status_code
    assert count(stack, "ticket", "1=1") == n


def test_html_is_escaped(stack, world):
    r = open_ticket(stack, world, body="<script>alert(1)</script>坏了")
    tid = r.json()["data"]["id"]
    s = world["buyer"]
    page = s.get(stack.url(f"{A}/account/service/{tid}"),
                 headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)" in page.text


def test_staff_moves_and_invalid_moves(stack, world):
    tid = open_ticket(stack, world).json()["data"]["id"]
    s = staff(stack)
    q = s.get(stack.url(f"{A}/admin/service/tickets?kind=missing_or_damaged"))
    assert q.status_code == 200 and f"#{tid} " in q.text
    me = one(stack, f"SELECT id FROM staff WHERE phone = '{SERVICE_PHONE}'")
    assert move(stack, s, tid, "assign", staff_id=me).status_code == 303
    assert move(stack, s, tid, "ask_info", note="请拍外箱标签") \
        .status_code == 303
    assert state(stack, tid) == "waiting_customer"
    events = count(stack, "ticket_event", f"ticket_id = {tid}")
    r = move(stack, s, tid, "ask_info", note="再问一次")
    assert r.status_code == 409
    assert count(stack, "ticket_event", f"ticket_id = {tid}") == events
    assert state(stack, tid) == "waiting_customer"
    r = api(stack, world["buyer"], f"/account/service/{tid}/reply",
            data={"body": "标签如图"},
            files=[("photos", ("l.png", png(40, 40), "image/png"))])
    assert r.status_code in (200, 303), r.text
    assert state(stack, tid) == "open"
    assert move(stack, s, tid, "reply", note="已安排补发").status_code == 303
    assert state(stack, tid) == "in_progress"
    stack.run("jobs", "run", "--once")      # notify.money, if no runner
    wait_until(lambda: count(stack, "notification", f"kind = "
                             f"'ticket_replied' AND customer_user_id = "
                             f"{world['uids'][0]}") >= 1)
    assert int(one(stack, f"SELECT first_response_at IS NOT NULL FROM "
                   f"ticket WHERE id = {tid}")) == 1
    assert move(stack, s, tid, "resolve").status_code == 400   # no result
    uid = world["uids"][0]
    stack.sql(f"DELETE FROM nps_survey WHERE customer_user_id = {uid}")
    assert move(stack, s, tid, "resolve", resolution="fixed") \
        .status_code == 303
    # Resolved: the customer is asked for a score (docs/nps.md), once.
    assert count(stack, "nps_survey", f"customer_user_id = {uid} AND "
                 f"source = 'ticket' AND source_id = {tid}") == 1
    assert move(stack, s, tid, "resolve", resolution="fixed") \
        .status_code == 409
    assert move(stack, s, tid, "close").status_code == 303
    assert move(stack, s, tid, "close").status_code == 409
    r = api(stack, world["buyer"], f"/account/service/{tid}/reply",
            data={"body": "还有问题"})
    assert r.status_code == 409
    assert move(stack, s, tid, "reopen").status_code == 303
    assert state(stack, tid) == "open"
    rows = stack.sql(f"SELECT kind, from_state, to_state, staff_id IS NOT "
                     f"NULL FROM ticket_event WHERE ticket_id = {tid} "
                     f"ORDER BY id")
    kinds = [r[0] for r in rows]
    assert kinds == ["opened", "assign", "ask_info", "message", "message",
                     "resolve", "close", "reopen"], kinds
    assert tuple(rows[2][1:3]) == ("open", "waiting_customer")
    assert tuple(rows[-1][1:]) == ("closed", "open", "1")
    # The customer reads staff's words, not the internal ones.
    t = world["buyer"].get(stack.url(f"{A}/api/v1/account/service/{tid}"))
    bodies = [e["body"] for e in t.json()["data"]["ticket"]["timeline"]]
    assert "已安排补发" in bodies


def test_sales_see_only_their_customers(stack, world):
    mine = open_ticket(stack, world).json()["data"]["id"]
    # ST乙公司 has no salesperson: a ticket of its own order.
    o = world["other"]
    assert add(stack, o, world["sku"], 1).status_code == 200
    r = submit(stack, o, terms="monthly", invoice="normal")
    oid = r.json()["data"]["order"]["id"]
    theirs = open_ticket(stack, world, s=o, order_id=str(oid),
                         order_line_id="").json()["data"]["id"]
    sales = staff(stack, "13800000001")
    q = sales.get(stack.url(f"{A}/admin/service/tickets?state=all"))
    assert q.status_code == 200
    assert f"#{mine} " in q.text and f"#{theirs} " not in q.text
    assert sales.get(stack.url(f"{A}/admin/service/tickets/{theirs}")) \
        .status_code == 404
    assert move(stack, sales, theirs, "close").status_code == 404
    assert state(stack, theirs) == "open"


def test_return_refund_replacement_and_stock(stack, world):
    tid = open_ticket(stack, world, kind="return_or_exchange") \
        .json()["data"]["id"]
    owner = staff(stack, stack.owner_phone)
    r = move(stack, owner, tid, "refund", amount="10")
    assert r.status_code == 409                 # not resolved yet
    assert move(stack, owner, tid, "resolve", resolution="return") \
        .status_code == 303
    assert move(stack, owner, tid, "refund", amount="10").status_code == 303
    assert int(one(stack, f"SELECT amount_fen FROM ledger_entry WHERE "
                   f"customer_id = {world['cid']} AND kind = 'credit_note' "
                   f"ORDER BY id DESC LIMIT 1")) == -1000
    r = move(stack, owner, tid, "refund", amount="100000")
    assert r.status_code == 409                 # more than the order
    before = stock(stack, world["sku"])
    assert move(stack, owner, tid, "stock-return", qty="2") \
        .status_code == 303
    assert stock(stack, world["sku"]) == before + 2
    assert count(stack, "stock_movement", f"sku_id = {world['sku']} AND "
                 f"reason = 'return' AND delta = 2") == 1
    assert move(stack, owner, tid, "stock-return", qty="2") \
        .status_code == 409
    r = move(stack, owner, tid, "replacement", qty="1",
             idempotency_key=secrets.token_hex(8))
    assert r.status_code == 303, r.text[:2000]
    rep = one(stack, f"SELECT replacement_order_id FROM ticket WHERE id = "
              f"{tid}")
    assert rep and int(one(stack, f"SELECT customer_id FROM sales_order "
                           f"WHERE id = {rep}")) == world["cid"]
    kinds = [r[0] for r in stack.sql(f"SELECT kind FROM ticket_event WHERE "
                                     f"ticket_id = {tid} ORDER BY id")]
    assert kinds[-3:] == ["refund", "stock_return", "replacement"]
    # Service staff may not move money.
    s = staff(stack)
    assert move(stack, s, tid, "refund", amount="1").status_code == 403


def test_sla_overdue_noticed_once(stack, world):
    tid = open_ticket(stack, world).json()["data"]["id"]
    owner = staff(stack, stack.owner_phone)
    r = owner.post(stack.url(f"{A}/admin/service/settings"), data={
        "csrf": owner.csrf, "first_hours": "1", "resolve_days": "2"},
        allow_redirects=False)
    assert r.status_code == 303
    stack.sql(f"UPDATE ticket SET created_at = created_at - INTERVAL 2 HOUR "
              f"WHERE id = {tid}")
    q = owner.get(stack.url(f"{A}/admin/service/tickets?overdue=1"))
    assert f"#{tid} " in q.text and "响应超时" in q.text
    out = ""
    for _ in range(2):
        out += stack.run("jobs", "run", "--once").stderr
        stack.sql("UPDATE job SET run_at = NOW(3) WHERE kind = 'ticket.sla' "
                  "AND state = 'queued'")
        out += stack.run("jobs", "run", "--once").stderr
    assert count(stack, "ticket_event", f"ticket_id = {tid} AND kind = "
                 f"'overdue'") == 1
    assert f"ticket={tid} stage=first_response" in out + \
        stack.error_log_text()
    assert count(stack, "ticket_event", f"ticket_id = {tid} AND kind = "
                 f"'overdue' AND internal = 1") == 1
    t = world["buyer"].get(stack.url(f"{A}/api/v1/account/service/{tid}"))
    assert "overdue" not in [e["kind"] for e in
                             t.json()["data"]["ticket"]["timeline"]]


@pytest.fixture
def sms(stack):
    p = subprocess.Popen(["/usr/bin/python3", str(ROOT / "tests/fake/sms.py")],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    base = "http://127.0.0.1:%d" % int(line.split()[1])
    stack.reconfigure(sms_url=base + "/send", sms_token="test-token")
    yield base
    stack.reconfigure()
    p.terminate()
    p.wait(timeout=10)


def test_guest_ticket_from_the_qr_is_linked_on_login(stack, world, sms):
    owner = staff(stack, stack.owner_phone)
    prod = owner.get(stack.url(f"{A}/admin/products/{world['product']}"))
    assert f"/admin/service/qr?product={world['product']}" in prod.text
    assert f"/service/new?order={world['order']}" in world["buyer"].get(
        stack.url(f"{A}/orders/{world['order']}"),
        headers={"Accept": "text/html"}).text
    qr = owner.get(stack.url(f"{A}/admin/service/qr?product="
                             f"{world['product']}"))
    assert qr.status_code == 200 and "扫码申请售后" in qr.text
    png_r = owner.get(stack.url(f"{A}/admin/service/qr.png?product="
                                f"{world['product']}"))
    assert png_r.headers["Content-Type"] == "image/png"
    g = stack.session()
    form = f"{A}/service/new?product={world['product']}"
    page = g.get(stack.url(form))
    assert page.status_code == 200 and 'name="phone"' in page.text
    csrf = get_csrf(stack, g, form)
    base = {"csrf": csrf, "kind": "quality", "body": "瓶盖漏水",
            "product_id": str(world["product"])}
    r = g.post(stack.url(f"{A}/service/tickets"),
               data=dict(base, phone="12345"))
    assert r.status_code == 400 and "手机号" in r.text
    r = g.post(stack.url(f"{A}/service/tickets"),
               data=dict(base, phone=GUEST_PHONE))
    assert r.status_code == 201, r.text[:1000]
    tid = one(stack, f"SELECT id FROM ticket WHERE guest_phone = "
              f"'{GUEST_PHONE}'")
    assert one(stack, f"SELECT source FROM ticket WHERE id = {tid}") == \
        "guest"
    # A guest may not name an order.
    r = g.post(stack.url(f"{A}/service/tickets"),
               data=dict(base, phone=GUEST_PHONE,
                         order_id=str(world["order"])))
    assert r.status_code == 404
    # The phone's limit.
    for _ in range(6):
        r = g.post(stack.url(f"{A}/service/tickets"),
                   data=dict(base, phone="13670000051"))
    assert r.status_code == 429
    # The phone becomes a user and logs in by SMS: the ticket is theirs.
    stack.sql(f"""
INSERT INTO customer_user (shop_id, customer_id, name, phone, password_hash)
  SELECT shop_id, customer_id, '扫码人', '{GUEST_PHONE}', password_hash
  FROM customer_user WHERE id = {world['uids'][0]}""")
    s = stack.session()
    r = s.post(stack.url(f"{A}/api/v1/login/sms/code"),
               json={"phone": GUEST_PHONE})
    assert r.status_code == 200, r.text
    with urllib.request.urlopen(sms + "/_fake/messages", timeout=10) as f:
        msgs = json.loads(f.read())["messages"]
    code = re.search(r"(\d{6})", [m["text"] for m in msgs
                                  if m["phone"] == GUEST_PHONE][-1]).group(1)
    r = s.post(stack.url(f"{A}/api/v1/login/sms"),
               json={"phone": GUEST_PHONE, "code": code})
    assert r.status_code == 200, r.text
    assert int(one(stack, f"SELECT customer_id FROM ticket WHERE id = "
                   f"{tid}")) == world["cid"]
    tok = r.json()["data"]["token"]
    t = stack.session().get(stack.url(f"{A}/api/v1/account/service/{tid}"),
                            headers={"Authorization": f"Bearer {tok}"})
    assert t.status_code == 200
    stack.sql(f"DELETE FROM customer_user WHERE phone = '{GUEST_PHONE}'")
    stack.sql("DELETE FROM sms_code WHERE phone LIKE '1367%'")


def test_queue_pages_and_empty_state(stack, world):
    s = staff(stack)
    r = s.get(stack.url(f"{A}/admin/service/tickets?kind=installation"))
    assert r.status_code == 200 and "没有符合条件的工单" in r.text
    assert "已超过服务时限" not in r.text      # none of theirs is late
    r = s.get(stack.url(f"{A}/api/v1/admin/service/tickets?state=all"),
              headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text[:500]
    d = r.json()["data"]
    assert d["total"] >= 1 and "tickets" in d
    r = s.get(stack.url(f"{A}/admin/service/tickets?state=all&page=99"))
    assert r.status_code == 200
    owner = staff(stack, stack.owner_phone)
    r = owner.get(stack.url(f"{A}/admin/service/settings"))
    assert r.status_code == 200 and "近 6 个月" in r.text
    r = owner.post(stack.url(f"{A}/admin/service/settings"), data={
        "csrf": owner.csrf, "first_hours": "0", "resolve_days": "3"},
        allow_redirects=False)
    assert r.status_code == 400


def test_report_counts_months_and_first_answers(stack, world):
    # Two tickets back-dated into last month, one answered after 30
    # minutes and one after 90: the month shows 2 and a median of 60.
    ids = [open_ticket(stack, world).json()["data"]["id"] for _ in range(2)]
    for tid, mins in zip(ids, (30, 90)):
        stack.sql(f"UPDATE ticket SET created_at = DATE_FORMAT(NOW() + "
                  f"INTERVAL 8 HOUR, '%Y-%m-01') - INTERVAL 8 HOUR - "
                  f"INTERVAL 10 DAY, first_response_at = DATE_FORMAT(NOW() "
                  f"+ INTERVAL 8 HOUR, '%Y-%m-01') - INTERVAL 8 HOUR - "
                  f"INTERVAL 10 DAY + INTERVAL {mins} MINUTE WHERE id = "
                  f"{tid}")
    last = one(stack, "SELECT DATE_FORMAT(DATE_FORMAT(NOW() + INTERVAL 8 "
               "HOUR, '%Y-%m-01') - INTERVAL 1 DAY, '%Y-%m')")
    want = int(one(stack, f"SELECT COUNT(*) FROM ticket WHERE shop_id = "
                   f"{SHOP} AND DATE_FORMAT(created_at + INTERVAL 8 HOUR, "
                   f"'%Y-%m') = '{last}'"))
    s = staff(stack)
    r = s.get(stack.url(f"{A}/admin/service/report?months=6"),
              headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text[:300]
    d = r.json()["data"]
    assert len(d["months"]) == 6 and d["months"][-2]["month"] == last
    row = d["months"][-2]
    assert row["opened"] == want == 2      # no other ticket that month
    assert row["median_first_minutes"] == 60
    assert d["months"][-1]["opened"] >= 1     # this month's from above
    assert d["volume_svg"].startswith("<svg") and "每月新工单" in \
        d["volume_svg"]
    page = s.get(stack.url(f"{A}/admin/service/report?months=6")).text
    assert "<svg" in page and "首次响应时间" in page
    x = s.get(stack.url(f"{A}/admin/service/report.xlsx?months=6"))
    assert x.status_code == 200 and x.content[:2] == b"PK"
    # Bad input and who may see it.
    assert s.get(stack.url(f"{A}/admin/service/report?months=99")) \
        .status_code == 400
    sales = stack.login("13800000001", stack.password, "shop-a", staff=True)
    assert sales.get(stack.url(f"{A}/admin/service/report")) \
        .status_code == 403
