"""The JSON error contract: every error.code of docs/api.md, with its HTTP
status, over the real API; `invalid` names the failing fields."""

import pytest

from helpers import api_login

SHOP_B = "(SELECT id FROM shop WHERE slug = 'shop-b')"


def envelope(r, status, code):
    """The error envelope of r, checked for status and code."""
    assert r.status_code == status, (r.status_code, r.text[:500])
    j = r.json()
    assert j["ok"] is False and j["error"]["code"] == code, j
    assert j["error"]["message"], j
    keys = {"code", "message", "fields"} if code == "invalid" else \
        {"code", "message"}
    assert set(j["error"]) == keys, j
    return j["error"]


def test_invalid_names_the_fields(stack):
    r = stack.session().post(
        stack.url("/s/shop-a/api/v1/inquiries"),
        json={"contact_name": "", "contact_phone": "123", "qty": 0})
    err = envelope(r, 400, "invalid")
    assert set(err["fields"]) == {"contact_name", "contact_phone", "qty"}
    assert err["fields"]["contact_name"] == "请填写"
    assert err["fields"]["contact_phone"] == "应为 11 位手机号"
    assert "联系人：请填写" in err["message"]


def test_invalid_without_a_form_has_no_fields(stack):
    r = stack.session().post(stack.url("/s/shop-a/api/v1/inquiries"),
                             data=b"[1,2]",
                             headers={"Content-Type": "application/json"})
    assert envelope(r, 400, "invalid")["fields"] == {}


def test_login_required(stack):
    r = stack.session().get(stack.url("/s/shop-a/api/v1/account"))
    envelope(r, 401, "login_required")


def test_forbidden_for_a_role(stack):
    s = stack.login(stack.sales_phone, stack.password, "shop-a", staff=True)
    r = s.get(stack.url("/s/shop-a/admin/settings"),
              headers={"Accept": "application/json"})
    envelope(r, 403, "forbidden")


def test_csrf_is_its_own_code(stack):
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    # A route the router guards...
    r = s.post(stack.url("/s/shop-a/api/v1/logout"))
    assert envelope(r, 403, "csrf")["message"] == \
        "页面已过期或来源不明，请刷新后重试"
    # ...and one whose handler checks a browser session itself.
    r = s.post(stack.url("/s/shop-a/api/v1/inquiries"),
               json={"contact_name": "甲", "contact_phone": "13900000000",
                     "message": "你好"})
    envelope(r, 403, "csrf")
    assert s.get(stack.url("/s/shop-a/api/v1/account")).status_code == 200


def test_not_found(stack):
    s = stack.session()
    envelope(s.get(stack.url("/s/shop-a/api/v1/no-such-thing")), 404,
             "not_found")
    envelope(s.get(stack.url("/s/no-such-shop/api/v1/shop")), 404,
             "not_found")


def test_method_not_allowed(stack):
    r = stack.session().delete(stack.url("/s/shop-a/api/v1/shop"))
    envelope(r, 405, "method_not_allowed")
    assert "GET" in r.headers["Allow"]


def test_too_large(stack):
    r = stack.session().post(stack.url("/s/shop-a/api/v1/inquiries"),
                             data=b"x" * (1024 * 1024 + 1),
                             headers={"Content-Type": "application/json"})
    envelope(r, 413, "too_large")


def test_unsupported_media_type(stack):
    r = stack.session().post(stack.url("/s/shop-a/api/v1/inquiries"),
                             data=b"hello",
                             headers={"Content-Type": "text/plain"})
    envelope(r, 415, "unsupported_media_type")


@pytest.fixture
def inquiries_of_shop_b(stack):
    yield
    stack.sql(f"DELETE FROM inquiry WHERE shop_id = {SHOP_B} "
              "AND contact_name = 'RL-test'")


def test_rate_limited(stack, inquiries_of_shop_b):
    # 20 an hour from one address: as if they had been sent already.
    stack.sql("INSERT INTO inquiry (shop_id, contact_name, contact_phone, "
              "message, ip) SELECT " + SHOP_B + ", 'RL-test', "
              "'13900000000', 'x', '127.0.0.1' FROM seq_1_to_20")
    r = stack.session().post(stack.url("/s/shop-b/api/v1/inquiries"),
                             json={"contact_name": "RL-test",
                                   "contact_phone": "13900000000",
                                   "message": "再问一次"})
    envelope(r, 429, "rate_limited")


def test_bearer_login_errors_keep_the_envelope(stack):
    r = api_login(stack, "shop-a", stack.buyer_phone, password="wrong")
    err = envelope(r, 400, "invalid")
    assert err["fields"] == {}      # one message for phone and password
