"""Tenancy: which host serves which shop, and the database's own checks
that no row points into another shop.

A shop with a host of its own (shop tn-own, host own.example, made here)
is served on that host only: its /s/<slug>/ is 404 everywhere, and on its
host no /s/<other>/ is served. shop-a and shop-b have no host: the shared
host serves them under /s/<slug>/. Requests go through nginx with a Host
header, or straight to the FastCGI socket for a raw one."""

import re

import pytest

from helpers import csrf_of
from test_server import fcgi_get

OWN = "own.example"
NOT_FOUND = "店铺不存在"


def get(stack, path, host, json=False):
    headers = {"Host": host}
    if json:
        headers["Accept"] = "application/json"
    return stack.session().get(stack.url(path), headers=headers,
                               allow_redirects=False)


def is_shop_404(r):
    return r.status_code == 404 and NOT_FOUND in r.text


@pytest.fixture(scope="module")
def own(stack):
    stack.run("demo", "--slug", "tn-own", "--name", "独立域名店",
              "--host", OWN)
    yield
    stack.sql("""
SET @s = (SELECT id FROM shop WHERE slug = 'tn-own');
DELETE FROM session WHERE shop_id = @s;
DELETE FROM customer_user WHERE shop_id = @s;
DELETE FROM customer WHERE shop_id = @s;
DELETE FROM staff WHERE shop_id = @s;
DELETE FROM audit_log WHERE shop_id = @s;
DELETE FROM login_failure WHERE shop_id = @s;
DELETE FROM shop WHERE id = @s;
""")


# -- hosts ------------------------------------------------------------------

def test_own_host_serves_its_shop(stack, own):
    r = get(stack, "/", OWN)
    assert r.status_code == 200 and "独立域名店" in r.text
    r = get(stack, "/api/v1/shop", OWN, json=True)
    assert r.status_code == 200 and r.json()["data"]["slug"] == "tn-own"
    # A staff login on the shop's own host, links without /s/.
    s = stack.session()
    s.headers["Host"] = OWN
    r = s.get(stack.url("/admin/login"))
    assert r.status_code == 200 and 'action="/admin/login"' in r.text
    r = s.post(stack.url("/admin/login"), allow_redirects=False,
               data={"phone": stack.owner_phone, "password": stack.password,
                     "csrf": csrf_of(r.text)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/admin")


def test_own_host_serves_no_other_shop(stack, own):
    # The phishing case: shop-b's pages under tn-own's domain.
    for path in ("/s/shop-b/", "/s/shop-b/login", "/s/shop-b/admin/login"):
        assert is_shop_404(get(stack, path, OWN)), path
    r = get(stack, "/s/shop-b/api/v1/shop", OWN, json=True)
    assert r.status_code == 404 and r.json()["ok"] is False
    # Not its own slug either: one address per shop.
    assert is_shop_404(get(stack, "/s/tn-own/", OWN))


def test_slug_of_a_shop_with_its_own_host_is_served_nowhere(stack, own):
    for host in ("127.0.0.1", "elsewhere.example"):
        assert is_shop_404(get(stack, "/s/tn-own/", host)), host
        assert get(stack, "/s/tn-own/api/v1/shop", host,
                   json=True).status_code == 404, host
    # The shops without a host are still served on the shared host.
    r = get(stack, "/s/shop-b/", "127.0.0.1")
    assert r.status_code == 200 and "乙商行" in r.text


def test_raw_host_header_is_matched_without_case_port_or_dot(stack, own):
    # What a web server passing the client's Host unchanged would send.
    out = fcgi_get(str(stack.sock), "/api/v1/shop",
                   HTTP_HOST="Own.EXAMPLE.:8443",
                   HTTP_ACCEPT="application/json")
    assert out.startswith("Status: 200") and '"slug":"tn-own"' in out, out
    out = fcgi_get(str(stack.sock), "/s/shop-b/api/v1/shop",
                   HTTP_HOST="OWN.example:80")
    assert out.startswith("Status: 404"), out


def test_shared_host_setting(stack, own):
    try:
        stack.reconfigure(shared_host="127.0.0.1", default_shop="shop-b")
        r = get(stack, "/s/shop-a/", "127.0.0.1")
        assert r.status_code == 200 and "甲商行" in r.text
        r = get(stack, "/", "127.0.0.1")
        assert r.status_code == 200 and "乙商行" in r.text
        # Any other host a client names serves no shop.
        for path in ("/s/shop-a/", "/"):
            assert get(stack, path, "elsewhere.example").status_code == \
                404, path
        assert get(stack, "/", OWN).status_code == 200

        # A default_shop with a host of its own is not served at /.
        stack.reconfigure(default_shop="tn-own")
        assert get(stack, "/", "127.0.0.1").status_code == 404
        assert get(stack, "/", OWN).status_code == 200
        # shared_host empty: a host that is no shop's is a shared one.
        r = get(stack, "/s/shop-a/", "elsewhere.example")
        assert r.status_code == 200 and "甲商行" in r.text
    finally:
        stack.reconfigure()
