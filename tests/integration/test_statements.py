"""Monthly statements (docs/money.md): made once per company and finished
month from the AR account's entries, read by the company, confirmed or
disputed line by line by its finance user, answered by staff, final once
confirmed, and another company's is not found.

The module's company (SM…) gets its entries in SQL, dated last month and
the month before (entries are only ever inserted, so the test inserts
them with those dates and keeps the balance row equal to their sum)."""

import subprocess

import pytest

from helpers import get_csrf
from orders_kit import bearer_session, company, drop_companies, one

A = "/s/shop-a"


def last_month(stack, back=1):
    return one(stack, f"SELECT DATE_FORMAT(DATE(UTC_TIMESTAMP() + INTERVAL "
                      f"8 HOUR) - INTERVAL {back} MONTH, '%Y-%m')")


@pytest.fixture(scope="module")
def world(stack):
    cid, uids = company(stack, "SM对账公司", 13660000000, users=2)
    oid, ouids = company(stack, "SM别家公司", 13660000100, users=1)
    stack.sql(f"UPDATE customer_user SET role = 'finance' WHERE id IN "
              f"({uids[1]}, {ouids[0]})")
    prev, older = last_month(stack), last_month(stack, 2)
    s = "(SELECT id FROM shop WHERE slug = 'shop-a')"
    # China times; stored as UTC (minus 8 hours).
    rows = [(older, "15 10:00:00", "opening", 10000, 10000, "期初"),
            (prev, "05 09:00:00", "adjustment", 50000, 60000, "货款"),
            (prev, "20 15:30:00", "credit_note", -20000, 40000, "返利")]
    for month, day, kind, amount, bal, note in rows:
        stack.sql(f"""
INSERT INTO ledger_entry (shop_id, customer_id, account, kind, amount_fen,
  balance_fen, note, created_at) VALUES ({s}, {cid}, 'ar', '{kind}',
  {amount}, {bal}, '{note}', CAST('{month}-{day}' AS DATETIME)
  - INTERVAL 8 HOUR)""")
    stack.sql(f"INSERT INTO customer_balance (shop_id, customer_id, "
              f"outstanding_fen) VALUES ({s}, {cid}, 40000)")
    yield {"cid": cid, "buyer": bearer_session(stack, "shop-a", uids[0]),
           "finance": bearer_session(stack, "shop-a", uids[1]),
           "other": bearer_session(stack, "shop-a", ouids[0]),
           "finance_uid": uids[1], "period": prev}
    drop_companies(stack, "c.name LIKE 'SM%'")


@pytest.fixture(scope="module")
def owner(stack):
    return stack.login(stack.owner_phone, stack.password, "shop-a",
                       staff=True)


def statement_of(stack, world):
    return one(stack, f"SELECT id, opening_fen, debit_fen, credit_fen, "
               f"closing_fen, entries, state FROM statement WHERE "
               f"customer_id = {world['cid']} AND period = "
               f"'{world['period']}'")


def test_generate_makes_each_month_once(stack, world):
    r = stack.run("statements", "generate", "--shop", "shop-a")
    assert f"{world['period']}:" in r.stdout and "made" in r.stdout
    row = statement_of(stack, world)
    assert row[1:] == ("10000", "50000", "-20000", "40000", "2", "open")
    again = stack.run("statements", "generate", "--shop", "shop-a")
    assert f"{world['period']}: 0 statements made" in again.stdout
    assert statement_of(stack, world) == row
    # The company's finance user is told, once; the buyer is not.
    told = stack.sql(f"SELECT n.customer_user_id, n.title FROM notification "
                     f"n WHERE n.kind = 'statement_ready' AND n.statement_id "
                     f"= {row[0]}")
    assert told == [(str(world["finance_uid"]), "对账单已出")]
    # A month that is not over, or no month at all, is refused.
    for bad in ("2999-01", "2026-13", "26-1"):
        r = stack.run("statements", "generate", "--period", bad,
                      check=False)
        assert r.returncode == 2 and "finished month" in r.stderr, bad
    # The month before: only the opening entry, no activity before it.
    stack.run("statements", "generate", "--period", last_month(stack, 2))
    assert one(stack, f"SELECT opening_fen, closing_fen, entries FROM "
               f"statement WHERE customer_id = {world['cid']} AND period = "
               f"'{last_month(stack, 2)}'") == ("0", "10000", "1")


def test_company_reads_it_and_only_finance_decides(stack, world):
    sid = statement_of(stack, world)[0]
    d = world["finance"].get(stack.url(
        f"{A}/api/v1/account/statements/{sid}")).json()["data"]
    assert [ln["kind"] for ln in d["lines"]] == ["adjustment", "credit_note"]
    assert d["statement"]["closing_fen"] == 40000 and d["may_decide"]
    listed = world["buyer"].get(stack.url(
        f"{A}/api/v1/account/statements")).json()["data"]["statements"]
    assert int(sid) in [t["id"] for t in listed]
    r = world["buyer"].post(stack.url(
        f"{A}/api/v1/account/statements/{sid}/confirm"))
    assert r.status_code == 403
    # Another company's is not found, for reading or deciding.
    assert world["other"].get(stack.url(
        f"{A}/api/v1/account/statements/{sid}")).status_code == 404
    assert world["other"].post(stack.url(
        f"{A}/api/v1/account/statements/{sid}/confirm")).status_code == 404
    assert statement_of(stack, world)[6] == "open"


def test_export_as_xlsx_and_pdf(stack, world, owner, tmp_path):
    sid = statement_of(stack, world)[0]
    x = world["finance"].get(stack.url(f"{A}/account/statements/{sid}.xlsx"))
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert "spreadsheetml" in x.headers["Content-Type"]
    p = owner.get(stack.url(f"{A}/admin/finance/statements/{sid}.pdf"))
    assert p.status_code == 200 and p.content[:5] == b"%PDF-"
    (tmp_path / "s.pdf").write_bytes(p.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"],
                          capture_output=True, text=True).stdout
    assert "对账单" in text and "SM对账公司" in text and "返利" in text
    assert world["other"].get(stack.url(
        f"{A}/account/statements/{sid}.pdf")).status_code == 404
    lst = owner.get(stack.url(f"{A}/admin/finance/statements.xlsx"))
    assert lst.status_code == 200 and lst.content[:2] == b"PK"


def test_dispute_answer_confirm(stack, world, owner):
    sid = statement_of(stack, world)[0]
    fin = world["finance"]
    d = fin.get(stack.url(f"{A}/api/v1/account/statements/{sid}")).json()
    rebate = d["data"]["lines"][1]["id"]
    url = stack.url(f"{A}/api/v1/account/statements/{sid}/dispute")
    r = fin.post(url, data={"comment": "", "entry_id": str(rebate)})
    assert r.status_code == 400
    # A line of another month (the opening entry) is not this one's.
    opening = one(stack, f"SELECT MIN(id) FROM ledger_entry WHERE "
                  f"customer_id = {world['cid']}")
    r = fin.post(url, data={"comment": "x", "entry_id": opening})
    assert r.status_code == 400 and r.json()["error"]["code"] == \
        "invalid_line"
    r = fin.post(url, data={"comment": "返利应为 ¥300",
                            "entry_id": [str(rebate), str(rebate)]})
    assert r.status_code == 200, r.text
    assert statement_of(stack, world)[6] == "disputed"
    assert stack.sql(f"SELECT entry_id FROM statement_dispute WHERE "
                     f"statement_id = {sid}") == [(str(rebate),)]
    page = owner.get(stack.url(f"{A}/admin/finance/statements/{sid}")).text
    assert "返利应为 ¥300" in page and "回复异议" in page
    p = f"/admin/finance/statements/{sid}"
    r = owner.post(stack.url(f"{A}{p}/answer"), allow_redirects=False,
                   data={"csrf": get_csrf(stack, owner, f"{A}{p}"),
                         "comment": "已核对，差额 ¥100 记入下月"})
    assert r.status_code == 303, r.text
    t = fin.get(stack.url(f"{A}/api/v1/account/statements/{sid}")).json()
    assert t["data"]["statement"]["state"] == "open"
    assert t["data"]["statement"]["answer"] == "已核对，差额 ¥100 记入下月"
    r = fin.post(stack.url(f"{A}/api/v1/account/statements/{sid}/confirm"))
    assert r.status_code == 200, r.text
    assert statement_of(stack, world)[6] == "confirmed"
    # Final: neither confirmed again nor disputed.
    r = fin.post(stack.url(f"{A}/api/v1/account/statements/{sid}/confirm"))
    assert r.status_code == 409 and r.json()["error"]["code"] == \
        "already_confirmed"
    r = fin.post(url, data={"comment": "再看看"})
    assert r.status_code == 409
    listed = owner.get(stack.url(f"{A}/admin/finance/statements?state="
                                 f"confirmed"),
                       headers={"Accept": "application/json"}).json()
    assert int(sid) in [s["id"] for s in listed["data"]["statements"]]
