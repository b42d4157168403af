"""The vertical slice: themed pages, logins, the JSON twin, errors."""

import re
import time

from helpers import api_login, csrf_of, get_csrf


def test_home_page_is_themed_with_brand(stack):
    stack.sql("UPDATE shop SET color_primary = '#0a7d32', "
              "contact_phone = '021-5555', version = version + 1 "
              "WHERE slug = 'shop-a'")
    r = stack.wait_until(lambda: (lambda r: "021-5555" in r.text and r)(
        stack.session().get(stack.url("/s/shop-a/"))), timeout=2)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<title>甲商行 - 甲商行</title>" in r.text
    assert "--primary:#0a7d32" in r.text
    assert "021-5555" in r.text
    assert 'href="/static/default/app.css"' in r.text
    assert "订货商城" in r.text and "批发商城" in r.text
    css = stack.session().get(stack.url("/static/default/app.css"))
    assert css.status_code == 200 and "--primary" in css.text


def test_security_headers_and_request_id(stack):
    r = stack.session().get(stack.url("/s/shop-a/"))
    h = r.headers
    assert "frame-ancestors 'self'" in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"
    rid = h["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{16}", rid)
    stack.wait_until(lambda: f"req={rid} shop=shop-a" in
                     stack.access_log_text(),
                     message="access log has no line for the request")
    line = [l for l in stack.access_log_text().splitlines()
            if f"req={rid}" in l][0]
    assert "method=GET path=/s/shop-a/ status=200 ms=" in line


def test_staff_login_dashboard_logout(stack):
    s = stack.login("13800000000", "demo1234", "shop-a", staff=True)
    r = s.get(stack.url("/s/shop-a/admin"))
    assert r.status_code == 200
    assert "你好，陈老板" in r.text and "店主" in r.text
    assert "客户公司" in r.text
    assert r.headers["Cache-Control"] == "private, no-store"
    token = csrf_of(r.text)
    r = s.post(stack.url("/s/shop-a/admin/logout"), data={"csrf": token},
               allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/s/shop-a/admin/login"
    r = s.get(stack.url("/s/shop-a/admin"), allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"].startswith("/s/shop-a/admin/login?next=")


def test_customer_login_account_and_json_twin(stack):
    s = stack.login("13900000000", "demo1234", "shop-a")
    r = s.get(stack.url("/s/shop-a/account"))
    assert r.status_code == 200
    assert "张采购" in r.text and "示例商贸有限公司" in r.text
    assert "月结 30 天" in r.text and "¥50,000.00" in r.text
    j = s.get(stack.url("/s/shop-a/account"),
              headers={"Accept": "application/json"}).json()
    assert j["ok"] is True
    assert j["data"]["company"]["credit_limit_fen"] == 5000000
    assert len(j["data"]["users"]) == 3
    # A customer session is not a staff session.
    r = s.get(stack.url("/s/shop-a/admin"), allow_redirects=False)
    assert r.status_code == 303
    s.post(stack.url("/s/shop-a/logout"), data={"csrf": csrf_of(
        s.get(stack.url("/s/shop-a/account")).text)})
    assert s.get(stack.url("/s/shop-a/account"),
                 allow_redirects=False).status_code == 303


def test_login_next_is_followed_only_inside_the_site(stack):
    s = stack.session()
    tok = get_csrf(stack, s, "/s/shop-a/login")
    r = s.post(stack.url("/s/shop-a/login"), allow_redirects=False,
               data={"phone": "13900000000", "password": "demo1234",
                     "csrf": tok, "next": "//evil.example/x"})
    assert r.status_code == 303
    assert r.headers["Location"] == "/s/shop-a/account"
    # Browsers drop tabs and read backslashes as slashes: both refused.
    for evil in ("/\t/evil.example/x", "/\\evil.example", "/a\nb"):
        s = stack.session()
        tok = get_csrf(stack, s, "/s/shop-a/login")
        r = s.post(stack.url("/s/shop-a/login"), allow_redirects=False,
                   data={"phone": "13900000000", "password": "demo1234",
                         "csrf": tok, "next": evil})
        assert r.headers["Location"] == "/s/shop-a/account", evil


def test_wrong_password_is_400_with_message(stack):
    s = stack.session()
    tok = get_csrf(stack, s, "/s/shop-b/login")
    r = s.post(stack.url("/s/shop-b/login"),
               data={"phone": "13900000000", "password": "nope",
                     "csrf": tok})
    assert r.status_code == 400
    assert "手机号或密码错误" in r.text
    assert 'value="13900000000"' in r.text     # the phone is kept
    r = s.post(stack.url("/s/shop-b/login"),
               data={"phone": "12", "password": "", "csrf": tok})
    assert r.status_code == 400
    assert "手机号：应为 11 位手机号" in r.text and "密码：请填写" in r.text


def test_bearer_token_login_for_mini_program(stack):
    r = api_login(stack, "shop-a", "13900000000")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert len(data["token"]) == 64 and data["kind"] == "customer"
    s = stack.session()
    s.headers["Authorization"] = "Bearer " + data["token"]
    j = s.get(stack.url("/s/shop-a/api/v1/account")).json()
    assert j["ok"] and j["data"]["name"] == "张采购"
    # Bearer clients need no CSRF token; logout ends the token on every
    # worker within a second (they cache sessions, see session.c).
    assert s.post(stack.url("/s/shop-a/api/v1/logout")).status_code == 200
    # (A 4xx Response is falsy: compare the status, not the response.)
    # Twenty 401s in a row: a worker that has not yet revalidated the shop
    # (every 500 ms) may still answer from its cache before that.
    stack.wait_until(lambda: all(s.get(stack.url(
        "/s/shop-a/api/v1/account")).status_code == 401
        for _ in range(20)), timeout=2.0)
    r = s.get(stack.url("/s/shop-a/api/v1/account"))
    assert r.json() == {"ok": False, "error": {
        "code": "login_required", "message": "请先登录"}}
    # Only the hash of a token is stored.
    assert stack.sql("SELECT COUNT(*) FROM session WHERE token_hash = "
                     f"'{data['token']}'") == [("0",)]


def test_api_shop_and_healthz(stack):
    j = stack.session().get(stack.url("/s/shop-b/api/v1/shop")).json()
    assert j["ok"] and j["data"]["slug"] == "shop-b"
    assert j["data"]["name"] == "乙商行"
    assert "password" not in str(j)
    r = stack.session().get(stack.url("/healthz"))
    assert r.status_code == 200 and r.json()["data"]["db"] == "ok"


def test_not_found_and_method_not_allowed(stack):
    s = stack.session()
    r = s.get(stack.url("/s/shop-a/no-such-page"))
    assert r.status_code == 404 and "页面不存在" in r.text
    assert "<html" in r.text                  # themed, not bare
    r = s.get(stack.url("/s/no-such-shop/"))
    assert r.status_code == 404 and "店铺不存在" in r.text
    r = s.put(stack.url("/s/shop-a/login"))
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, POST, HEAD"
    r = s.get(stack.url("/s/shop-a/api/v1/nothing"))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    r = s.get(stack.url("/s/BAD_SLUG/"))
    assert r.status_code == 400


def test_shop_change_reaches_every_worker_within_a_second(stack):
    s = stack.session()

    def home():
        return s.get(stack.url("/s/shop-b/"))
    stack.every_worker(home, lambda r: r.status_code == 200)  # all cache it
    stack.sql("UPDATE shop SET name = '乙商行新名', version = version + 1 "
              "WHERE slug = 'shop-b'")
    changed = time.monotonic()
    try:
        stack.every_worker(home, lambda r: "乙商行新名" in r.text,
                           timeout=5, by=changed + 1.5)
    finally:
        stack.sql("UPDATE shop SET name = '乙商行', version = version + 1 "
                  "WHERE slug = 'shop-b'")
        stack.every_worker(home, lambda r: "乙商行新名" not in r.text,
                           timeout=5)
