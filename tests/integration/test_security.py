"""CSRF, tenant isolation, throttling and hostile input."""

import time

from helpers import api_login, csrf_of, get_csrf


def test_csrf_missing_or_wrong_is_rejected(stack):
    s = stack.session()
    get_csrf(stack, s, "/s/shop-a/login")       # guest cookie is set
    data = {"phone": "13900000000", "password": "demo1234"}
    r = s.post(stack.url("/s/shop-a/login"), data=data)
    assert r.status_code == 403 and "页面已过期" in r.text
    r = s.post(stack.url("/s/shop-a/login"), data=dict(data, csrf="0" * 32))
    assert r.status_code == 403
    # No session was created by the rejected posts.
    assert "sid" not in s.cookies


def test_csrf_of_a_session_is_bound_to_it(stack):
    a = stack.login("13900000000", "demo1234", "shop-a")
    b = stack.login("13900000001", "demo1234", "shop-a")
    tok_b = csrf_of(b.get(stack.url("/s/shop-a/account")).text)
    r = a.post(stack.url("/s/shop-a/logout"), data={"csrf": tok_b})
    assert r.status_code == 403
    assert a.get(stack.url("/s/shop-a/account")).status_code == 200


def test_cross_origin_post_is_rejected(stack):
    s = stack.login("13900000000", "demo1234", "shop-a")
    tok = csrf_of(s.get(stack.url("/s/shop-a/account")).text)
    r = s.post(stack.url("/s/shop-a/logout"), data={"csrf": tok},
               headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = s.post(stack.url("/s/shop-a/logout"), data={"csrf": tok},
               headers={"Origin": "http://127.0.0.1.evil.example:%d"
                        % stack.port})
    assert r.status_code == 403
    # A browser on this site sends its own origin, port included.
    r = s.post(stack.url("/s/shop-a/logout"), data={"csrf": tok},
               headers={"Origin": "http://127.0.0.1:%d" % stack.port},
               allow_redirects=False)
    assert r.status_code == 303


def test_session_of_shop_a_cannot_read_shop_b(stack):
    a = stack.login("13900000000", "demo1234", "shop-a")
    sid = a.cookies.get("sid", path="/s/shop-a")
    assert sid
    # The cookie is scoped to /s/shop-a, and even sent to shop-b by hand
    # it names no session there.
    b = stack.session()
    b.cookies.set("sid", sid, path="/")
    r = b.get(stack.url("/s/shop-b/account"), allow_redirects=False)
    assert r.status_code == 303
    assert "/s/shop-b/login" in r.headers["Location"]
    tok = api_login(stack, "shop-a", "13800000000", kind="staff")
    s = stack.session()
    s.headers["Authorization"] = "Bearer " + tok.json()["data"]["token"]
    assert s.get(stack.url("/s/shop-a/admin"),
                 headers={"Accept": "application/json"}).status_code == 200
    r = s.get(stack.url("/s/shop-b/admin"),
              headers={"Accept": "application/json"})
    assert r.status_code == 401
    assert "乙商行" not in r.text


def test_same_phone_in_two_shops_are_two_accounts(stack):
    stack.sql("UPDATE customer_user cu JOIN shop s ON s.id = cu.shop_id "
              "SET cu.name = '乙的张' WHERE s.slug = 'shop-b' "
              "AND cu.phone = '13900000000'")
    b = stack.login("13900000000", "demo1234", "shop-b")
    r = b.get(stack.url("/s/shop-b/account"))
    assert "乙的张" in r.text and "张采购" not in r.text


def test_login_throttled_per_account(stack):
    phone = "13900000002"
    for _ in range(5):
        r = api_login(stack, "shop-b", phone, password="wrong")
        assert r.status_code == 400
    r = api_login(stack, "shop-b", phone)          # right password, too late
    assert r.status_code == 429
    assert "登录失败次数过多" in r.json()["error"]["message"]
    assert "login throttled account=customer:" + phone in \
        stack.error_log_text()
    # The same phone in the other shop is another account.
    assert api_login(stack, "shop-a", phone).status_code == 200
    stack.sql("DELETE FROM login_failure")


def test_csrf_token_in_the_query_string_is_refused(stack):
    s = stack.session()
    tok = get_csrf(stack, s, "/s/shop-a/login")
    data = {"phone": "13900000000", "password": "demo1234"}
    r = s.post(stack.url("/s/shop-a/login?csrf=" + tok), data=data,
               allow_redirects=False)
    assert r.status_code == 403 and "sid" not in s.cookies
    # In the X-CSRF-Token header it is taken.
    r = s.post(stack.url("/s/shop-a/login"), data=data,
               headers={"X-CSRF-Token": tok}, allow_redirects=False)
    assert r.status_code == 303 and "sid" in s.cookies


BIDI = ["\u202e", "\u202a", "\u2066", "\u2069"]


def test_bidi_controls_in_a_form_are_refused(stack):
    s = stack.session()
    tok = get_csrf(stack, s, "/s/shop-a/inquiry")
    before = stack.sql("SELECT COUNT(*) FROM inquiry")
    for ch in BIDI:
        r = s.post(stack.url("/s/shop-a/inquiry"), data={
            "csrf": tok, "contact_name": f"王{ch}板老", "message": "hi",
            "contact_phone": "13612340001"})
        assert r.status_code == 400, ch
        assert "联系人：含有不可见的文字方向控制符" in r.text
    assert stack.sql("SELECT COUNT(*) FROM inquiry") == before
    # Without them the same form goes through.
    r = s.post(stack.url("/s/shop-a/inquiry"), data={
        "csrf": tok, "contact_name": "王老板", "message": "hi",
        "contact_phone": "13612340001"})
    assert r.status_code == 200
    stack.sql("DELETE FROM inquiry WHERE contact_phone = '13612340001'")


def test_bidi_controls_in_json_are_refused(stack):
    s = stack.session()
    r = s.post(stack.url("/s/shop-a/api/v1/inquiries"), json={
        "contact_name": "王老板", "company": "茶\u202e庄",
        "message": "hi", "contact_phone": "13612340002"})
    assert r.status_code == 400
    assert "公司：含有不可见的文字方向控制符" in \
        r.json()["error"]["message"]
    assert stack.sql("SELECT COUNT(*) FROM inquiry WHERE "
                     "contact_phone = '13612340002'") == [("0",)]
    r = s.post(stack.url("/s/shop-a/api/v1/login"), json={
        "phone": "13900000000", "password": "demo1234",
        "kind": "customer\u2066"})
    assert r.status_code == 400
    assert "账户类型：含有不可见" in r.json()["error"]["message"]


def test_malformed_json_body(stack):
    s = stack.session()
    for body in (b"{not json", b"[1,2]", b'{"a":1} trailing',
                 b'{"phone":"\xff\xfe"}',
                 # A NUL would cut the value short in C: refused, as in
                 # forms, wherever it is.
                 b'{"phone":"13900000000\\u0000x","password":"demo1234"}',
                 b'{"a":[{"b":["ok","x\\u0000"]}]}'):
        r = s.post(stack.url("/s/shop-a/api/v1/login"), data=body,
                   headers={"Content-Type": "application/json"})
        assert r.status_code == 400, body
        assert r.json()["ok"] is False
    # An escaped backslash before "u0000" is no NUL.
    r = s.post(stack.url("/s/shop-a/api/v1/login"),
               data=b'{"phone":"\\\\u0000","password":"x"}',
               headers={"Content-Type": "application/json"})
    assert r.status_code != 400 or "无效字符" not in r.text


def test_oversized_body_is_413(stack):
    s = stack.session()
    big = b"x" * (1024 * 1024 + 10)
    r = s.post(stack.url("/s/shop-a/api/v1/login"), data=big,
               headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"
    # The worker is fine afterwards.
    assert s.get(stack.url("/healthz")).status_code == 200


def test_unsupported_content_type_is_415(stack):
    r = stack.session().post(stack.url("/s/shop-a/api/v1/login"),
                             data=b"<x/>",
                             headers={"Content-Type": "text/xml"})
    assert r.status_code == 415


def test_bad_form_encoding_is_400(stack):
    s = stack.session()
    tok = get_csrf(stack, s, "/s/shop-a/login")
    r = s.post(stack.url("/s/shop-a/login"),
               data="phone=%ff%fe&csrf=" + tok,
               headers={"Content-Type":
                        "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    r = s.get(stack.url("/s/shop-a/?q=%ff"))
    assert r.status_code == 400


def test_html_in_input_is_escaped(stack):
    s = stack.session()
    tok = get_csrf(stack, s, "/s/shop-a/login")
    r = s.post(stack.url("/s/shop-a/login"),
               data={"phone": '"><script>x</script>', "password": "a",
                     "csrf": tok})
    assert r.status_code == 400
    assert "<script>x</script>" not in r.text
    assert "&lt;script&gt;" in r.text


def test_malformed_session_tokens_are_ignored(stack):
    s = stack.session()
    for tok in ("abc", "z" * 64, "'; DROP TABLE session; --"):
        s.cookies.set("sid", tok, path="/")
        r = s.get(stack.url("/s/shop-a/"))
        assert r.status_code == 200
    assert stack.sql("SELECT COUNT(*) > 0 FROM shop") == [("1",)]


def test_expired_session_is_logged_out(stack):
    s = stack.login("13900000001", "demo1234", "shop-a")
    assert s.get(stack.url("/s/shop-a/account")).status_code == 200
    stack.sql("UPDATE session SET expires_at = NOW(3) - INTERVAL 1 SECOND "
              "WHERE customer_user_id = (SELECT cu.id FROM customer_user cu "
              "JOIN shop p ON p.id = cu.shop_id WHERE p.slug = 'shop-a' "
              "AND cu.phone = '13900000001')")
    # Workers cache sessions; a changed auth_version (what every account
    # change does) makes them look again within a second.
    stack.sql("UPDATE shop SET auth_version = auth_version + 1 "
              "WHERE slug = 'shop-a'")
    stack.wait_until(lambda: s.get(stack.url("/s/shop-a/account"),
                                   allow_redirects=False).status_code == 303,
                     timeout=1.5)


def test_disabled_user_loses_session_within_a_second(stack):
    s = stack.login("13900000002", "demo1234", "shop-a")
    where = ("phone = '13900000002' AND shop_id = "
             "(SELECT id FROM shop WHERE slug = 'shop-a')")
    stack.sql(f"UPDATE customer_user SET status = 'disabled' WHERE {where};"
              " UPDATE shop SET auth_version = auth_version + 1 "
              "WHERE slug = 'shop-a'")
    try:
        stack.wait_until(lambda: s.get(
            stack.url("/s/shop-a/account"),
            allow_redirects=False).status_code == 303, timeout=1.5)
        r = api_login(stack, "shop-a", "13900000002")
        assert r.status_code == 400
    finally:
        stack.sql(f"UPDATE customer_user SET status = 'active' WHERE {where}")


def test_logout_ends_the_session_on_every_worker(stack):
    s = stack.login("13900000000", "demo1234", "shop-b")
    sid = s.cookies.get("sid", path="/s/shop-b")
    account = stack.url("/s/shop-b/account")
    # Every worker caches it.
    for pid, rs in stack.every_worker(lambda: s.get(account)).items():
        assert [r.status_code for r in rs] == [200] * len(rs), pid
    thief = stack.session()
    thief.cookies.set("sid", sid, path="/")
    assert thief.get(account).status_code == 200
    tok = csrf_of(s.get(account).text)
    s.post(stack.url("/s/shop-b/logout"), data={"csrf": tok})
    changed = time.monotonic()
    stack.every_worker(lambda: thief.get(account, allow_redirects=False),
                       lambda r: r.status_code == 303, timeout=5,
                       by=changed + 1.5)
