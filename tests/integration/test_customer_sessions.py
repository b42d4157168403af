"""Cached sessions and the back office's customer changes, on every worker.

Each worker caches the sessions it has seen (domain/session.c) and learns
of changes through the shop row it rechecks every SHOP_RECHECK seconds
(domain/shop.c). Disabling a user or a company, or changing a user's
role, must end the user's sessions on every worker as fast as a logout
does; a new name or a company's new level must reach the cached sessions
as fast; a catalog edit must neither end nor reload a session. Which worker served a request is
read from the access log, by the X-Request-Id of the response.

The module makes its own companies (AS测试…), level (AS…) and product
(AS-*), and removes them at the end.
"""

import hashlib
import time

import pytest

from conftest import AccessLog
from test_admin_customers import (A, SHOP_A, company_form, make_level,
                                  new_buyer, owner, post, q1)

# A request whose shop lookup starts this long after a change has seen
# it on every worker: the recheck interval, with room for clock reads.
SHOP_RECHECK = 0.5
SETTLED = SHOP_RECHECK + 0.1


@pytest.fixture(scope="module")
def seed(stack):
    start = q1(stack, "SELECT COALESCE(MAX(id), 0) FROM audit_log")
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({SHOP_A}, 'AS-P', '会话测试品', '件', '');
INSERT INTO sku (shop_id, product_id, code, unit, stock, price_fen)
  VALUES ({SHOP_A}, LAST_INSERT_ID(), 'AS-1', '件', 50, 10000);
UPDATE shop SET version = version + 1;
""")
    yield
    stack.sql(f"""
DELETE u FROM customer_user u JOIN customer c ON c.id = u.customer_id
  WHERE c.name LIKE 'AS测试%';
DELETE FROM customer WHERE name LIKE 'AS测试%';
DELETE FROM member_level WHERE name LIKE 'AS%';
DELETE FROM product WHERE code LIKE 'AS-%';
DELETE FROM audit_log WHERE id > {start};
UPDATE shop SET version = version + 1;
""")


def account(stack, s):
    return s.get(stack.url(f"{A}/api/v1/account"))


def cache_everywhere(stack, log, s):
    """Use the buyer's session on every worker, which then caches it."""
    for pid, rs in stack.every_worker(
                                lambda: account(stack, s)).items():
        assert all(r.status_code == 200 for r in rs), (pid, rs[-1].text)


def while_settling(check):
    """Run check() over and over until a change just made is SETTLED."""
    since = time.monotonic()
    while time.monotonic() < since + SETTLED:
        check()


def ended_everywhere(stack, log, s, change):
    """After the response change, every worker refuses the old session:
    the one that made the change at once (it dropped its cached copy),
    the others once they are SETTLED; one that has refused it never takes
    it back."""
    refused = {log.worker(change)}

    def check():
        r = account(stack, s)
        pid = log.worker(r)
        assert r.status_code in (200, 401), r.text[:300]
        assert pid not in refused or r.status_code == 401, pid
        if r.status_code == 401:
            refused.add(pid)

    while_settling(check)
    for pid, rs in stack.every_worker(
                                lambda: account(stack, s)).items():
        assert [r.status_code for r in rs] == [401] * len(rs), \
            (pid, rs[-1].text[:300])


def sessions_of(stack, uid):
    return q1(stack, "SELECT COUNT(*) FROM session "
                     f"WHERE customer_user_id = {uid}")


def user_id(stack, phone):
    return q1(stack, f"SELECT id FROM customer_user WHERE phone = '{phone}'")


def test_disabling_a_user_ends_their_sessions_on_every_worker(stack, seed):
    log = AccessLog(stack)
    s = owner(stack)
    cid, buyer = new_buyer(stack, s, "13500000001", name="AS测试停用账号")
    uid = user_id(stack, "13500000001")
    cache_everywhere(stack, log, buyer)
    r = post(stack, s, f"{A}/admin/customers/{cid}/users/{uid}/status",
             {"status": "disabled"})
    assert r.status_code == 303, r.text[:500]
    assert sessions_of(stack, uid) == "0"
    ended_everywhere(stack, log, buyer, r)


def test_disabling_a_company_ends_its_users_sessions(stack, seed):
    log = AccessLog(stack)
    s = owner(stack)
    cid, buyer = new_buyer(stack, s, "13500000002", name="AS测试停用公司")
    uid = user_id(stack, "13500000002")
    other = stack.login(stack.buyer_phone, stack.password, "shop-a")
    cache_everywhere(stack, log, buyer)
    cache_everywhere(stack, log, other)
    r = post(stack, s, f"{A}/admin/customers/{cid}",
             company_form(name="AS测试停用公司", status="disabled"))
    assert r.status_code == 303, r.text[:500]
    assert sessions_of(stack, uid) == "0"
    ended_everywhere(stack, log, buyer, r)
    # Another company's buyer is still logged in.
    for pid, rs in stack.every_worker(
                                lambda: account(stack, other)).items():
        assert all(r.status_code == 200 for r in rs), pid


def test_a_new_role_ends_the_sessions_of_the_old_one(stack, seed):
    log = AccessLog(stack)
    s = owner(stack)
    cid, buyer = new_buyer(stack, s, "13500000003", name="AS测试换角色")
    uid = user_id(stack, "13500000003")
    cache_everywhere(stack, log, buyer)
    assert account(stack, buyer).json()["data"]["role"] == "buyer"
    r = post(stack, s, f"{A}/admin/customers/{cid}/users/{uid}",
             {"name": "新同事", "role": "approver", "status": "active"})
    assert r.status_code == 303, r.text[:500]
    ended_everywhere(stack, log, buyer, r)
    # Logging in again gives the new role.
    again = stack.login("13500000003", "secret-88", "shop-a")
    assert account(stack, again).json()["data"]["role"] == "approver"


def test_a_new_name_reaches_cached_sessions(stack, seed):
    log = AccessLog(stack)
    s = owner(stack)
    cid, buyer = new_buyer(stack, s, "13500000006", name="AS测试改名")
    uid = user_id(stack, "13500000006")
    cache_everywhere(stack, log, buyer)
    r = post(stack, s, f"{A}/admin/customers/{cid}/users/{uid}",
             {"name": "周采购", "role": "buyer", "status": "active"})
    assert r.status_code == 303, r.text[:500]

    def still_logged_in():
        assert account(stack, buyer).status_code == 200

    while_settling(still_logged_in)
    # Reloaded, not ended: every worker shows the new name.
    for pid, rs in stack.every_worker(
                                lambda: account(stack, buyer)).items():
        assert {r.json()["data"]["name"] for r in rs} == {"周采购"}, pid


def listing(stack, s):
    return s.get(stack.url(f"{A}/api/v1/ordering/products"),
                  params={"q": "AS-P"})


def price_in(r):
    assert r.status_code == 200, r.text[:300]
    return {p["code"]: p["price_fen"]
            for p in r.json()["data"]["products"]}["AS-P"]


def prices_everywhere(stack, log, s, workers=None):
    """The prices the workers showed, once every worker has; their pids
    are added to workers."""
    seen = stack.every_worker(lambda: listing(stack, s))
    if workers is not None:
        workers.update(seen)
    return {price_in(r) for rs in seen.values() for r in rs}


def cache_slot(s):
    """The slot of a session in a worker's direct-mapped cache (session.c:
    the first 16 bits of the token's hash, modulo SESSION_CACHE)."""
    h = hashlib.blake2b(s.cookies["sid"].encode(), digest_size=32)
    return int(h.hexdigest()[:4], 16) % 512


def test_a_catalog_edit_keeps_cached_sessions(stack, seed):
    log = AccessLog(stack)
    cid, buyer = new_buyer(stack, owner(stack), "13500000004",
                           name="AS测试目录改动")
    s = owner(stack)
    while cache_slot(s) == cache_slot(buyer):   # it would evict the buyer
        s = owner(stack)
    uid = user_id(stack, "13500000004")
    # Every worker caches the session and the company's (no) contract
    # prices: a new price can only come with the new shop version.
    cached = set()
    assert prices_everywhere(stack, log, buyer, cached) == {10000}
    # What a reload would show, behind the cache's back.
    stack.sql(f"UPDATE customer_user SET name = '改过的名字' WHERE id = {uid}")
    r = post(stack, s, f"{A}/admin/customers/{cid}/prices",
             {"sku_code": "AS-1", "price": "66"})
    assert r.status_code == 303, r.text[:500]
    # Every worker shows the new price, and after it, on the same
    # worker, the session as it was cached: not reloaded, not ended. (A
    # worker started since, after max_requests, never cached it.)
    repriced, names = set(), {}

    def probe():
        r = listing(stack, buyer)
        if price_in(r) == 6600:
            repriced.add(log.worker(r))
        r = account(stack, buyer)
        pid = log.worker(r)
        if pid in repriced and pid in cached:
            assert r.status_code == 200, r.text[:300]
            names.setdefault(pid, r.json()["data"]["name"])
        return cached & set(stack.worker_pids()) <= set(names)

    stack.wait_until(probe, timeout=30, interval=0.001,
                     message=lambda: f"repriced {repriced}, names {names}, "
                     f"cached by {cached}, workers {stack.worker_pids()}")
    assert names, "no worker that cached the session is left"
    assert set(names.values()) == {"新同事"}, names


def test_a_new_level_reaches_the_prices_at_once(stack, seed):
    log = AccessLog(stack)
    s = owner(stack)
    lid = make_level(stack, s, "AS九折")
    r = post(stack, s, f"{A}/admin/prices/levels/{lid}/percent",
             {"percent": "90"})
    assert r.status_code == 303, r.text[:500]
    cid, buyer = new_buyer(stack, s, "13500000005", name="AS测试升级")
    assert prices_everywhere(stack, log, buyer) == {10000}
    r = post(stack, s, f"{A}/admin/customers/{cid}",
             company_form(name="AS测试升级", level_id=lid))
    assert r.status_code == 303, r.text[:500]

    def old_or_new():
        assert price_in(listing(stack, buyer)) in (10000, 9000)

    while_settling(old_or_new)
    assert prices_everywhere(stack, log, buyer) == {9000}
    # The session itself lives on.
    assert account(stack, buyer).status_code == 200
