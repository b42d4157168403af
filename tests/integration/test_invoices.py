"""Invoice requests (docs/money.md): a company asks for a 普票 or 专票 for
orders placed with that invoice, amounts as the orders'; an order is on
one live request; staff issue it with number, date and file (PDF kept,
photo re-encoded) or reject it, which frees the orders; the company
downloads the file; other companies see nothing.

The module makes its companies (IV…) and products (IV-*)."""

import pytest

from helpers import get_csrf
from orders_kit import (add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus, submit)
from test_admin_catalog import png

A = "/s/shop-a"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def world(stack):
    skus = seed_skus(stack, "IV", {"A": (10000, 100000, 1, 1, 0)})
    cid, uids = company(stack, "IV开票公司", 13670000000, users=1)
    oid, ouids = company(stack, "IV别家公司", 13670000100, users=1)
    yield {"sku": skus["A"][0], "cid": cid,
           "s": bearer_session(stack, "shop-a", uids[0]),
           "other": bearer_session(stack, "shop-a", ouids[0])}
    drop_companies(stack, "c.name LIKE 'IV%'")
    drop_skus(stack, "IV")


@pytest.fixture(scope="module")
def owner(stack):
    return stack.login(stack.owner_phone, stack.password, "shop-a",
                       staff=True)


def order(stack, s, sku, qty, invoice):
    assert add(stack, s, sku, qty).status_code == 200
    r = submit(stack, s, terms="monthly", invoice=invoice)
    assert r.status_code == 201, r.text
    return r.json()["data"]["order"]["id"]


def ask(stack, s, kind, ids, **extra):
    return s.post(stack.url(f"{A}/api/v1/account/invoices"),
                  data={"kind": kind, "order_id": [str(i) for i in ids],
                        **extra})


def staff_post(stack, owner, rid, what, files=None, **data):
    p = f"/admin/finance/invoices/{rid}"
    data["csrf"] = get_csrf(stack, owner, f"{A}/admin/settings")
    return owner.post(stack.url(f"{A}{p}/{what}"), data=data, files=files,
                      allow_redirects=False)


def test_request_takes_the_orders_amounts_once(stack, world):
    s = world["s"]
    o1 = order(stack, s, world["sku"], 3, "special")
    o2 = order(stack, s, world["sku"], 1, "special")
    o3 = order(stack, s, world["sku"], 1, "none")
    listed = s.get(stack.url(f"{A}/api/v1/account/invoices/new")).json()
    ids = [o["id"] for o in listed["data"]["orders"]]
    assert o1 in ids and o2 in ids and o3 not in ids
    r = ask(stack, s, "normal", [o1])
    assert r.status_code == 400 and error_code(r) == "invoice_kind_mismatch"
    r = ask(stack, s, "special", [o3])
    assert r.status_code == 400 and error_code(r) == "invoice_kind_mismatch"
    r = ask(stack, s, "special", [])
    assert r.status_code == 400
    r = ask(stack, s, "special", [o1, o2], remark="请寄到仓库")
    assert r.status_code == 201, r.text
    rid = r.json()["data"]["id"]
    sums = one(stack, f"SELECT SUM(subtotal_fen), SUM(tax_fen), "
               f"SUM(total_fen) FROM sales_order WHERE id IN ({o1}, {o2})")
    row = one(stack, f"SELECT subtotal_fen, tax_fen, total_fen, orders, "
              f"state, title FROM invoice_request WHERE id = {rid}")
    assert row[:3] == sums and row[3:] == ("2", "requested", "IV开票公司")
    assert stack.sql(f"SELECT DISTINCT invoice_state FROM sales_order "
                     f"WHERE id IN ({o1}, {o2})") == [("requested",)]
    # Not twice.
    r = ask(stack, s, "special", [o2])
    assert r.status_code == 409 and error_code(r) == "already_requested"
    # Another company's order is not found, its request not seen.
    r = ask(stack, world["other"], "special", [o1])
    assert r.status_code == 404
    assert world["other"].get(stack.url(
        f"{A}/api/v1/account/invoices/{rid}")).status_code == 404
    world["rid"], world["orders"] = rid, (o1, o2)


def test_issue_with_a_pdf_and_the_company_downloads_it(stack, world, owner):
    rid = world["rid"]
    r = staff_post(stack, owner, rid, "issue", invoice_no="", issued_on="x")
    assert r.status_code == 400
    r = staff_post(stack, owner, rid, "issue", invoice_no="04401234",
                   issued_on="2026-12-01",
                   files={"file": ("fp.exe", b"MZ not a pdf", "x/y")})
    assert r.status_code == 400 and "PDF" in r.text
    assert one(stack, f"SELECT state FROM invoice_request WHERE id = "
               f"{rid}") == "requested"
    r = staff_post(stack, owner, rid, "issue", invoice_no="04401234",
                   issued_on="2026-12-01",
                   files={"file": ("fp.pdf", PDF, "application/pdf")})
    assert r.status_code == 303, r.text
    assert one(stack, f"SELECT state, invoice_no, file_type FROM "
               f"invoice_request WHERE id = {rid}") == \
        ("issued", "04401234", "pdf")
    assert stack.sql(f"SELECT DISTINCT invoice_state FROM sales_order "
                     f"WHERE id IN {world['orders']}") == [("issued",)]
    got = world["s"].get(stack.url(f"{A}/account/invoices/{rid}/file"))
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert world["other"].get(stack.url(
        f"{A}/account/invoices/{rid}/file")).status_code == 404
    d = world["s"].get(stack.url(f"{A}/api/v1/orders/"
                                 f"{world['orders'][0]}")).json()["data"]
    assert d["order"]["invoice_state"] == "issued"
    # The one who asked hears of it.
    assert stack.wait_until(lambda: [
        x for x in world["s"].get(stack.url(
            f"{A}/api/v1/account/messages")).json()["data"]["messages"]
        if x["kind"] == "invoice_issued" and "04401234" in x["body"]],
        timeout=15)
    # Decided once.
    r = staff_post(stack, owner, rid, "reject", reason="x")
    assert r.status_code == 409


def test_reject_frees_the_orders_and_a_photo_is_an_invoice_too(
        stack, world, owner):
    s = world["s"]
    o = order(stack, s, world["sku"], 2, "normal")
    rid = ask(stack, s, "normal", [o]).json()["data"]["id"]
    r = staff_post(stack, owner, rid, "reject", reason="")
    assert r.status_code == 400
    r = staff_post(stack, owner, rid, "reject", reason="抬头不对")
    assert r.status_code == 303
    assert one(stack, f"SELECT invoice_state FROM sales_order WHERE id = "
               f"{o}") == "none"
    got = s.get(stack.url(f"{A}/api/v1/account/invoices/{rid}")).json()
    assert got["data"]["request"]["reason"] == "抬头不对"
    rid2 = ask(stack, s, "normal", [o]).json()["data"]["id"]
    r = staff_post(stack, owner, rid2, "issue", invoice_no="P-77",
                   issued_on="2026-12-02",
                   files={"file": ("fp.png", png(120, 80), "image/png")})
    assert r.status_code == 303, r.text
    got = s.get(stack.url(f"{A}/account/invoices/{rid2}/file"))
    assert got.status_code == 200 and got.headers["Content-Type"] == \
        "image/png"
    page = owner.get(stack.url(f"{A}/admin/finance/invoices?state=issued"),
                     headers={"Accept": "application/json"}).json()
    assert rid2 in [q["id"] for q in page["data"]["requests"]]
    # The list as Excel, with the filter.
    import io
    import zipfile
    x = owner.get(stack.url(f"{A}/admin/finance/invoices.xlsx?state=issued"))
    assert x.status_code == 200 and x.content[:2] == b"PK"
    z = zipfile.ZipFile(io.BytesIO(x.content))
    text = "".join(z.read(n).decode() for n in z.namelist()
                   if n.startswith("xl/"))
    assert "P-77" in text and "IV开票公司" in text and "抬头不对" not in text


def test_request_from_a_statement_ticks_its_months_orders(stack, world):
    s = world["s"]
    o4 = order(stack, s, world["sku"], 1, "normal")
    o5 = order(stack, s, world["sku"], 1, "special")
    o6 = order(stack, s, world["sku"], 2, "special")
    stack.sql(f"""
INSERT INTO statement (shop_id, customer_id, period, starts_at, ends_at,
  opening_fen, debit_fen, credit_fen, closing_fen, entries)
  VALUES ((SELECT id FROM shop WHERE slug = 'shop-a'), {world['cid']},
  '2099-01', NOW(3) - INTERVAL 1 HOUR, NOW(3) + INTERVAL 1 HOUR, 0, 0, 0,
  0, 0)""")
    sid = int(one(stack, f"SELECT id FROM statement WHERE customer_id = "
                  f"{world['cid']} AND period = '2099-01'"))
    page = s.get(stack.url(f"{A}/api/v1/account/statements/{sid}")).json()
    assert page["data"]["invoice_url"].endswith(f"?statement={sid}")
    d = s.get(stack.url(f"{A}/api/v1/account/invoices/new?statement="
                        f"{sid}")).json()["data"]
    assert d["statement_period"] == "2099-01" and d["kind_special"]
    ticked = sorted(o["id"] for o in d["orders"] if o.get("checked"))
    assert ticked == sorted([o5, o6])          # the month's 专票 orders
    assert o4 in [o["id"] for o in d["orders"]]
    r = ask(stack, s, "special", ticked, statement_id=str(sid))
    assert r.status_code == 201, r.text
    assert one(stack, f"SELECT statement_id, orders FROM invoice_request "
               f"WHERE id = {r.json()['data']['id']}") == (str(sid), "2")
    # Another company's statement is not found, for the page or a request.
    assert world["other"].get(stack.url(
        f"{A}/api/v1/account/invoices/new?statement={sid}")).status_code \
        == 404
    stack.sql(f"DELETE FROM statement WHERE id = {sid}")
