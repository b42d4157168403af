"""Logins: throttling per account and address and per address, JSON only
for the token login, and a login that ends the session it replaces.

Every test speaks from its own loopback address (127.0.0.0/8 is all
loopback on Linux), so the address counters of one test are not those of
another, and tests can play a dealer's office and an attacker apart."""

import re
import threading
import time

import requests

from helpers import csrf_of, get_csrf

BUYER = "13900000000"
APPROVER = "13900000001"
FINANCE = "13900000002"
LIMIT = 5                       # login_max_failures, the default


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connections from a chosen local address."""

    def __init__(self, address):
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(stack, address):
    s = stack.session()
    s.mount("http://", _FromAddress(address))
    return s


def json_login(stack, address, phone, password="demo1234", shop="shop-a",
               session=None):
    s = session or session_from(stack, address)
    return s.post(stack.url(f"/s/{shop}/api/v1/login"),
                  json={"phone": phone, "password": password})


def counters(stack, address):
    """{scope: failures} of the login_failure rows naming address."""
    rows = stack.sql("SELECT scope, failures FROM login_failure WHERE "
                     f"subject = '{address}' OR subject LIKE '%@{address}'")
    return {scope: int(n) for scope, n in rows}


def forget(stack, address):
    stack.sql("DELETE FROM login_failure WHERE "
              f"subject = '{address}' OR subject LIKE '%@{address}'")


def wait_is_over(stack, address):
    """Move the waits of address into the past, as time would."""
    stack.sql("UPDATE login_failure SET retry_at = NOW(3) WHERE "
              f"subject = '{address}' OR subject LIKE '%@{address}'")


def failed_lines(stack, phone, address):
    return len(re.findall(rf"login failed account=customer:{phone} "
                          rf"ip={re.escape(address)} ",
                          stack.error_log_text()))


def test_failures_elsewhere_do_not_lock_the_dealer_out(stack):
    attacker, office = "127.0.0.21", "127.0.0.22"
    try:
        for _ in range(LIMIT):
            assert json_login(stack, attacker, FINANCE,
                              "wrong").status_code == 400
        r = json_login(stack, attacker, FINANCE)     # right, too late
        assert r.status_code == 429
        msg = r.json()["error"]["message"]
        assert re.search(r"登录失败次数过多，请 \d+ (秒|分钟)后再试", msg), msg
        assert int(r.headers["Retry-After"]) > 0
        # The dealer, from an address that has failed nothing, gets in.
        assert json_login(stack, office, FINANCE).status_code == 200
    finally:
        forget(stack, attacker)
        forget(stack, office)


def test_the_wait_doubles_and_a_throttled_try_checks_nothing(stack):
    addr = "127.0.0.23"
    try:
        for _ in range(LIMIT):
            json_login(stack, addr, FINANCE, "wrong")
        assert counters(stack, addr) == {"account_ip": LIMIT, "ip": LIMIT}
        waits = []
        for _ in range(4):
            # Throttled: refused without a look at the password, and not
            # counted.
            seen = failed_lines(stack, FINANCE, addr)
            r = json_login(stack, addr, FINANCE, "wrong")
            assert r.status_code == 429
            assert failed_lines(stack, FINANCE, addr) == seen
            waits.append(int(r.headers["Retry-After"]))
            wait_is_over(stack, addr)
            assert json_login(stack, addr, FINANCE,
                              "wrong").status_code == 400
        # login_delay (1m), doubled per failure, at most login_window.
        assert [round(w / 60) for w in waits] == [1, 2, 4, 8]
        r = json_login(stack, addr, FINANCE)
        assert r.status_code == 429 and 900 - 5 < \
            int(r.headers["Retry-After"]) <= 900
        assert "15 分钟后再试" in r.json()["error"]["message"]
        wait_is_over(stack, addr)
        # Once the wait is over the right password is let in and the
        # account's count is forgotten; the address keeps its own.
        assert json_login(stack, addr, FINANCE).status_code == 200
        assert counters(stack, addr) == {"ip": LIMIT + 4}
    finally:
        forget(stack, addr)


def test_form_login_is_throttled_with_a_page(stack):
    addr = "127.0.0.24"
    s = session_from(stack, addr)
    try:
        for i in range(LIMIT + 1):
            tok = get_csrf(stack, s, "/s/shop-b/login")
            r = s.post(stack.url("/s/shop-b/login"), allow_redirects=False,
                       data={"phone": FINANCE, "password": "wrong",
                             "csrf": tok})
            assert r.status_code == (400 if i < LIMIT else 429)
        assert "登录失败次数过多" in r.text and "Retry-After" in r.headers
    finally:
        forget(stack, addr)


def test_parallel_tries_do_not_pass_the_limit(stack):
    addr = "127.0.0.25"
    statuses = []
    lock = threading.Lock()
    start = threading.Barrier(30)

    def one_try():
        s = session_from(stack, addr)
        start.wait()
        r = json_login(stack, addr, APPROVER, "wrong", session=s)
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=one_try) for _ in range(30)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [400] * LIMIT + [429] * (30 - LIMIT)
        assert failed_lines(stack, APPROVER, addr) == LIMIT
        assert counters(stack, addr) == {"account_ip": LIMIT, "ip": LIMIT}
    finally:
        forget(stack, addr)


def test_address_limit_counts_every_account(stack):
    """login_max_failures_ip: wrong passwords to many accounts from one
    address make every account wait there, the right one too."""
    addr = "127.0.0.26"
    stack.sql("INSERT INTO login_failure (shop_id, scope, subject, "
              "failures, retry_at) SELECT id, 'ip', '%s', 100000, "
              "NOW(3) + INTERVAL 60 SECOND FROM shop WHERE slug = 'shop-a'"
              % addr)
    try:
        r = json_login(stack, addr, BUYER)
        assert r.status_code == 429
        # The same address in another shop is not throttled there.
        assert json_login(stack, addr, BUYER,
                          shop="shop-b").status_code == 200
    finally:
        forget(stack, addr)


def test_json_login_takes_json_only(stack):
    s = session_from(stack, "127.0.0.27")
    url = stack.url("/s/shop-a/api/v1/login")
    body = {"phone": BUYER, "password": "demo1234"}
    # What a form on any other site could send without asking first.
    for r in (s.post(url, data=body),
              s.post(url, files={"phone": (None, BUYER),
                                 "password": (None, "demo1234")}),
              s.post(url)):
        assert r.status_code == 415, r.text
        assert "application/json" in r.json()["error"]["message"]
    assert "sid" not in s.cookies
    assert s.post(url, json=body).status_code == 200


def test_login_again_ends_the_session_before(stack):
    s = stack.login(APPROVER, "demo1234", "shop-b")
    first = s.cookies.get("sid", path="/s/shop-b")
    tok = csrf_of(s.get(stack.url("/s/shop-b/account")).text)
    r = s.post(stack.url("/s/shop-b/login"), allow_redirects=False,
               data={"phone": BUYER, "password": "demo1234", "csrf": tok})
    assert r.status_code == 303
    second = s.cookies.get("sid", path="/s/shop-b")
    assert second and second != first
    changed = time.monotonic()
    old = stack.session()
    old.cookies.set("sid", first, path="/")
    # Every worker, whatever it cached, forgets the first session.
    stack.every_worker(lambda: old.get(stack.url("/s/shop-b/account"),
                                       allow_redirects=False),
                       lambda r: r.status_code == 303, timeout=5,
                       by=changed + 1.5)
    assert s.get(stack.url("/s/shop-b/account")).status_code == 200


def test_token_login_ends_the_token_presented(stack):
    first = json_login(stack, "127.0.0.28", BUYER).json()["data"]["token"]
    s = stack.session()
    s.headers["Authorization"] = "Bearer " + first
    assert s.get(stack.url("/s/shop-a/api/v1/account")).status_code == 200
    r = s.post(stack.url("/s/shop-a/api/v1/login"),
               json={"phone": BUYER, "password": "demo1234"})
    changed = time.monotonic()
    second = r.json()["data"]["token"]
    assert second != first
    stack.every_worker(lambda: s.get(stack.url("/s/shop-a/api/v1/account")),
                       lambda r: r.status_code == 401, timeout=5,
                       by=changed + 1.5)
    s.headers["Authorization"] = "Bearer " + second
    assert s.get(stack.url("/s/shop-a/api/v1/account")).status_code == 200
