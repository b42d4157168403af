"""Stock and credit hold under concurrency, through nginx against the real
MariaDB: 64 buyers racing for the last units buy exactly what is there,
a company's users racing past its credit limit cannot exceed it, and
orders locking two SKUs in opposite cart orders neither deadlock nor
need a retry (submit locks SKUs in ascending id order)."""

import concurrent.futures
import hashlib
import secrets
import threading

import pytest

from orders_kit import (SHOP, company, drop_companies, drop_skus, one,
                        seed_skus, stock)

P = "CC"
A = SHOP.format("shop-a")
BUYERS = 64


@pytest.fixture(scope="module")
def world(stack):
    k = seed_skus(stack, P, {"LAST": (1000, 10, 1, 1, 0),
                             "ONE": (10000, 5000, 1, 1, 0),
                             "TWO": (20000, 5000, 1, 1, 0)})
    many, users = company(stack, "并发测试公司", 13633000000, users=BUYERS,
                          limit_fen=10 ** 12)
    tight, tusers = company(stack, "并发额度公司", 13633001000, users=20,
                            limit_fen=100000)
    yield {"sku": {n: v[0] for n, v in k.items()}, "users": users,
           "tight_users": tusers, "tight": tight, "many": many}
    drop_companies(stack, "c.name IN ('并发测试公司', '并发额度公司')")
    drop_skus(stack, P)


def sessions(stack, uids):
    """One bearer session per user, made in one statement."""
    tokens = {u: secrets.token_hex(32) for u in uids}
    rows = ",".join(
        f"('{hashlib.blake2b(t.encode(), digest_size=32).hexdigest()}', {A},"
        f" 'customer', {u}, 'bearer', '{secrets.token_hex(16)}', "
        f"NOW(3) + INTERVAL 1 DAY)" for u, t in tokens.items())
    stack.sql(f"INSERT INTO session (token_hash, shop_id, kind, "
              f"customer_user_id, via, csrf, expires_at) VALUES {rows}")
    out = []
    for u in uids:
        s = stack.session()
        s.headers["Authorization"] = f"Bearer {tokens[u]}"
        s.headers["Accept"] = "application/json"
        out.append(s)
    return out


def carts(stack, uids, lines):
    """Each user's cart: lines is [(sku_id, qty), ...], added in that
    order, a second apart (a cart shown by when lines were added lists
    them so)."""
    rows = ",".join(f"({A}, {u}, {sku}, {qty}, NOW(3) + INTERVAL {i} "
                    f"SECOND)" for u in uids
                    for i, (sku, qty) in enumerate(lines))
    stack.sql(f"INSERT INTO cart_item (shop_id, customer_user_id, sku_id, "
              f"qty, added_at) VALUES {rows}")


def race(stack, sess, terms="monthly"):
    """Every session submits its cart at the same moment; the answers."""
    go = threading.Barrier(len(sess))

    def one_submit(s):
        go.wait(timeout=30)
        return s.post(stack.url("/s/shop-a/api/v1/orders"),
                      data={"terms": terms},
                      headers={"Idempotency-Key": secrets.token_hex(12)})

    with concurrent.futures.ThreadPoolExecutor(len(sess)) as pool:
        return list(pool.map(one_submit, sess))


def codes(answers):
    out = {}
    for r in answers:
        key = r.status_code if r.status_code < 300 else \
            (r.status_code, r.json()["error"]["code"])
        out[key] = out.get(key, 0) + 1
    return out


def test_64_buyers_race_for_the_last_10_units(stack, world):
    sku = world["sku"]["LAST"]
    assert stock(stack, sku) == 10
    carts(stack, world["users"], [(sku, 1)])
    answers = race(stack, sessions(stack, world["users"]))
    assert codes(answers) == {201: 10, (409, "out_of_stock"): BUYERS - 10}
    assert stock(stack, sku) == 0
    sold = one(stack, f"SELECT COALESCE(SUM(qty), 0), COUNT(DISTINCT "
               f"order_id) FROM order_line WHERE sku_id = {sku}")
    assert sold == ("10", "10")
    assert one(stack, f"SELECT SUM(delta) FROM stock_movement WHERE sku_id "
               f"= {sku}") == "-10"
    # The winners' carts are empty, the others' still hold their line.
    assert one(stack, f"SELECT COUNT(*) FROM cart_item WHERE sku_id = "
               f"{sku}") == str(BUYERS - 10)
    assert "db_tx_failed" not in stack.error_log_text()


def test_a_credit_race_cannot_pass_the_limit(stack, world):
    # 20 users of a company with 1,000.00 of credit, 100.00 each.
    sku = world["sku"]["ONE"]
    carts(stack, world["tight_users"], [(sku, 1)])
    answers = race(stack, sessions(stack, world["tight_users"]))
    assert codes(answers) == {201: 10, (409, "credit_exceeded"): 10}
    owed = one(stack, f"SELECT outstanding_fen FROM customer_balance WHERE "
               f"customer_id = {world['tight']}")
    assert owed == "100000"
    assert one(stack, f"SELECT SUM(total_fen) FROM sales_order WHERE "
               f"customer_id = {world['tight']}") == "100000"


def test_opposite_sku_orders_do_not_deadlock(stack, world):
    one_, two = world["sku"]["ONE"], world["sku"]["TWO"]
    s1, s2 = stock(stack, one_), stock(stack, two)
    half = BUYERS // 2
    users = world["users"]
    stack.sql(f"DELETE FROM cart_item WHERE customer_user_id IN "
              f"({','.join(map(str, users))})")
    carts(stack, users[:half], [(one_, 1), (two, 2)])
    carts(stack, users[half:], [(two, 2), (one_, 1)])
    log = len(stack.error_log_text())
    answers = race(stack, sessions(stack, users))
    assert codes(answers) == {201: BUYERS}
    assert stock(stack, one_) == s1 - BUYERS
    assert stock(stack, two) == s2 - 2 * BUYERS
    new = stack.error_log_text()[log:]
    assert "errno=1213" not in new and "db_tx_failed" not in new, new[-2000:]
    # Every order's totals are the sums of its lines.
    bad = stack.sql(f"""SELECT o.id FROM sales_order o JOIN (SELECT order_id,
        SUM(line_fen) s, SUM(tax_fen) t FROM order_line GROUP BY order_id)
        l ON l.order_id = o.id WHERE o.customer_id = {world['many']} AND
        (o.subtotal_fen <> l.s OR o.tax_fen <> l.t OR
        o.total_fen <> o.subtotal_fen + o.tax_fen)""")
    assert bad == []


def test_a_double_tap_racing_itself_makes_one_order(stack, world):
    """Eight copies of one submit (one buyer, one key) at the same moment:
    one order; every copy answers it (201 for the one that placed it, 200
    replayed for the others), none an error. The order row holds the key:
    the copies meet it at the cart's lock or at the order's insert."""
    sku = world["sku"]["TWO"]
    uid = world["users"][0]
    carts(stack, [uid], [(sku, 2)])
    (s,) = sessions(stack, [uid])
    before = stock(stack, sku)
    go = threading.Barrier(8)
    key = secrets.token_hex(12)

    def tap(_):
        go.wait(timeout=30)
        return s.post(stack.url("/s/shop-a/api/v1/orders"),
                      data={"terms": "monthly"},
                      headers={"Idempotency-Key": key})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(tap, range(8)))
    assert codes(answers) == {201: 1, 200: 7}, [r.text for r in answers]
    ids = {r.json()["data"]["order"]["id"] for r in answers}
    assert len(ids) == 1
    assert all(r.json()["data"]["replayed"] is True for r in answers
               if r.status_code == 200)
    assert stock(stack, sku) == before - 2
    assert one(stack, f"SELECT COUNT(*) FROM sales_order WHERE idem_key "
               f"LIKE '%:{key}'") == "1"


def test_a_two_line_race_names_the_short_line_and_takes_nothing_else(
        stack, world):
    """16 buyers order the same two SKUs, one of them with 3 units left:
    3 orders; each loser is told which line ran out, and the other line's
    stock lost exactly what the 3 orders took (one statement takes all the
    lines, or none)."""
    k = seed_skus(stack, P, {"FEW": (500, 3, 1, 1, 0)})
    few = k["FEW"][0]
    plenty = world["sku"]["ONE"]
    users = world["users"][16:32]
    before = stock(stack, plenty)
    lines = sorted([(plenty, 2), (few, 1)])
    carts(stack, users, lines)
    answers = race(stack, sessions(stack, users))
    assert codes(answers) == {201: 3, (409, "out_of_stock"): 13}
    for r in answers:
        if r.status_code == 409:
            assert "CC-FEW" in r.json()["error"]["message"], r.text
    assert stock(stack, few) == 0
    assert stock(stack, plenty) == before - 3 * 2
    assert one(stack, f"SELECT COALESCE(SUM(qty), 0) FROM order_line WHERE "
               f"sku_id = {plenty} AND order_id IN (SELECT order_id FROM "
               f"order_line WHERE sku_id = {few})") == "6"
    stack.sql(f"DELETE FROM cart_item WHERE sku_id IN ({few}, {plenty})")
