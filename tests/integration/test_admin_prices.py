"""The back office's price system beyond test_admin_customers.py: a level
save that the database makes run twice (a forced deadlock), fixed prices
shown under their own level whatever the order of the levels, and the
price check naming the field the database refused."""

import threading

import pytest

from helpers import get_csrf
from sqlclient import SqlClient, trx

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
PRICES = "/s/shop-a/admin/prices"
SCRATCH = "dh_scratch"          # a database of the test's own, for ballast
BALLAST = 300                   # rows the lock holder changes: the heavier


def one(stack, query):
    rows = stack.sql(query)
    assert len(rows) == 1, (query, rows)
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


def owner(stack):
    return stack.login(stack.owner_phone, stack.password, "shop-a",
                       staff=True)


def post(stack, s, path, data):
    data = dict(data, csrf=get_csrf(stack, s, PRICES))
    return s.post(stack.url(path), data=data, allow_redirects=False)


@pytest.fixture(scope="module")
def sku(stack):
    """A SKU of shop-a's own to price."""
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({A}, 'RT-P', '重试测试品', '件', '');
INSERT INTO sku (shop_id, product_id, code, spec, unit, stock, price_fen)
  VALUES ({A}, LAST_INSERT_ID(), 'RT-1', '', '件', 10, 2000);
UPDATE shop SET version = version + 1;
""")
    yield "RT-1"
    stack.sql("DELETE FROM product WHERE code = 'RT-P'; "
              "UPDATE shop SET version = version + 1")


@pytest.fixture
def scratch(stack):
    stack.sql(f"CREATE DATABASE IF NOT EXISTS {SCRATCH}; "
              f"CREATE TABLE IF NOT EXISTS {SCRATCH}.ballast "
              "(n INT PRIMARY KEY) ENGINE=InnoDB")
    yield
    stack.sql(f"DROP DATABASE IF EXISTS {SCRATCH}")


def test_level_create_survives_a_deadlock_retry(stack, scratch):
    """The first attempt of a new level's transaction is the deadlock's
    victim; the retry must create the level afresh, not look for the id
    the rolled-back insert had."""
    name = "RT重试等级"
    s = owner(stack)
    csrf = get_csrf(stack, s, PRICES)
    log_start = len(stack.error_log_text())
    client = SqlClient(stack)
    answer = {}
    worker = threading.Thread(target=lambda: answer.update(r=s.post(
        stack.url(f"{PRICES}/levels"), data={"name": name, "csrf": csrf},
        allow_redirects=False)))
    try:
        # The client shares the shop row (as the foreign key checks of the
        # save's inserts do) that the save bumps last, and has changed
        # more rows than the save will: InnoDB spares it.
        client.send(
            "START TRANSACTION; "
            f"SELECT id FROM shop WHERE id = {A} LOCK IN SHARE MODE; "
            f"INSERT INTO {SCRATCH}.ballast WITH RECURSIVE seq(n) AS "
            f"(SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {BALLAST})"
            " SELECT n FROM seq;")
        holder = stack.wait_until(lambda: trx(
            stack, f"trx_rows_modified >= {BALLAST}"), timeout=10)[0]
        # The save inserts its level, then waits for the shop row.
        worker.start()
        victim = stack.wait_until(lambda: trx(
            stack, "trx_state = 'LOCK WAIT' AND trx_query LIKE "
            "'UPDATE shop SET version%'"), timeout=10,
            message="the level save never waited for the shop row")[0]
        assert victim != holder
        # The client wants the same level name: it waits for the save's
        # new row while the save waits for the client: a deadlock.
        client.send(f"INSERT INTO member_level (shop_id, name) "
                    f"VALUES ({A}, '{name}');")
        stack.wait_until(lambda: "db_tx_retry attempt=1 of=4 errno=1213"
                         in stack.error_log_text()[log_start:], timeout=10,
                         message="the worker did not retry")
        # The retry waits for the client's row of that name; let it go.
        client.send("ROLLBACK;")
        worker.join(30)
        assert not worker.is_alive(), "the level save never answered"
    finally:
        err = client.close()
        if worker.ident is not None:
            worker.join(30)
    r = answer["r"]
    assert r.status_code == 303, (r.status_code, r.text[:300], err)
    lid = one(stack, f"SELECT id FROM member_level WHERE shop_id = {A} "
              f"AND name = '{name}'")
    assert r.headers["Location"].endswith(
        f"/admin/prices?done=created#level-{lid}"), r.headers["Location"]
    assert one(stack, f"SELECT COUNT(*) FROM price_list "
               f"WHERE level_id = {lid}") == "1"
    assert one(stack, f"SELECT COUNT(*) FROM audit_log WHERE action = "
               f"'level.save' AND detail LIKE 'level={lid} %'") == "1"
    log = stack.error_log_text()[log_start:]
    assert "db_tx_retry attempt=1 of=4 errno=1213" in log
    stack.sql(f"DELETE FROM member_level WHERE id = {lid}")


def test_fixed_prices_stay_under_their_level_whatever_the_ranks(stack, sku):
    """Levels are shown by rank, fixed prices looked up by level: a level
    created first but ranked last keeps its prices."""
    s = owner(stack)
    code = sku
    ids = []
    try:
        for name, rank in (("RT后排", "90"), ("RT前排", "1")):
            r = post(stack, s, f"{PRICES}/levels",
                     {"name": name, "rank_no": rank})
            assert r.status_code == 303, r.text[:300]
            ids.append(int(one(stack, f"SELECT id FROM member_level WHERE "
                               f"shop_id = {A} AND name = '{name}'")))
        back, front = ids
        r = post(stack, s, f"{PRICES}/levels/{back}/items",
                 {"sku_code": code, "price": "12.34"})
        assert r.status_code == 303, r.text[:300]
        j = s.get(stack.url(PRICES),
                  headers={"Accept": "application/json"}).json()["data"]
        order = [lv["id"] for lv in j["levels"] if lv["id"] in ids]
        assert order == [front, back]
        by_id = {lv["id"]: lv for lv in j["levels"]}
        assert [(i["code"], i["price_fen"]) for i in
                by_id[back]["items"]] == [(code, 1234)]
        assert by_id[back]["nitems"] == 1 and by_id[front]["items"] == []
        page = s.get(stack.url(PRICES)).text
        section = page[page.index(f'id="level-{back}"'):]
        assert code in section.split("</section>")[0]
    finally:
        for lid in ids:
            stack.sql(f"DELETE FROM member_level WHERE id = {lid}")


def test_price_check_names_the_field_the_shop_lacks(stack, sku):
    s = owner(stack)
    code = sku
    b_customer = one(stack, "SELECT id FROM customer WHERE shop_id = "
                     "(SELECT id FROM shop WHERE slug = 'shop-b') "
                     "ORDER BY id LIMIT 1")
    r = s.get(stack.url(f"{PRICES}/check"),
              params={"sku_code": code, "customer_id": b_customer})
    assert r.status_code == 400 and "客户：本店没有这个客户" in r.text
    assert f'value="{code}"' in r.text               # the form as asked
    r = s.get(stack.url(f"{PRICES}/check"),
              params={"sku_code": "RT-NO-SUCH"},
              headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "SKU 编码：本店没有这个编码"
    r = s.get(stack.url(f"{PRICES}/check"), params={"sku_code": code},
              headers={"Accept": "application/json"})
    assert r.status_code == 200
    res = r.json()["data"]["check"]["result"]
    assert res["sku_code"] == code and res["source"] == "base"
    assert res["unit_fen"] == 2000
    assert res["trace"][0]["what"] == "基础价" and "customer" not in res
