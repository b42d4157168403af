"""Mini-program login and binding (POST /api/v1/wechat/login, /bind)
against tests/fake/wechat.py: a bound WeChat user gets a bearer session,
an unbound one a signed bind ticket, and binds by a phone number WeChat
vouches for, or an invite link; nothing is half-bound, and every bad
input is a clear error."""

import hashlib
import hmac
import secrets
import time

import pytest

from wechat_kit import (MINI_APPID, MINI_SECRET, MP_APPID,  # noqa: F401
                        fake, shop_id, wx_stack)

BUYER = "13900000000"
APPROVER = "13900000001"


def post(stack, what, body, slug="shop-a"):
    return stack.session().post(
        stack.url(f"/s/{slug}/api/v1/wechat/{what}"), json=body)


def code(fake, openid, unionid=None, appid=MINI_APPID):
    c = "C" + secrets.token_hex(8)
    fake.control("code", {"code": c, "appid": appid, "openid": openid,
                          "unionid": unionid,
                          "session_key": "SK" + secrets.token_hex(8)})
    return c


def phone_code(fake, phone, watermark=None, country="86"):
    c = "P" + secrets.token_hex(8)
    fake.control("phone", {"code": c, "appid": MINI_APPID, "phone": phone,
                           "country": country,
                           "watermark_appid": watermark})
    return c


def login(stack, fake, openid, **kw):
    r = post(stack, "login", {"code": code(fake, openid, **kw)})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def identity(stack, openid):
    r = stack.sql("SELECT id, customer_user_id, unionid FROM wx_identity "
                  f"WHERE openid = '{openid}'")
    return r[0] if r else None


def user_id(stack, phone, slug="shop-a"):
    return stack.sql("SELECT cu.id FROM customer_user cu JOIN shop s ON "
                     f"s.id = cu.shop_id WHERE s.slug = '{slug}' AND "
                     f"cu.phone = '{phone}'")[0][0]


def account(stack, token):
    return stack.session().get(
        stack.url("/s/shop-a/account"),
        headers={"Authorization": "Bearer " + token,
                 "Accept": "application/json"})


def openid():
    return "o" + secrets.token_hex(12)


def error(r, status, code):
    assert r.status_code == status, (r.status_code, r.text)
    j = r.json()
    assert j["ok"] is False and j["error"]["code"] == code, j
    assert j["error"]["message"]
    return j["error"]


def test_unbound_then_bound_by_phone_then_logged_in(wx_stack, fake):
    oid = openid()
    d = login(wx_stack, fake, oid, unionid="u" + oid)
    assert d["bound"] is False and "token" not in d
    ticket = d["bind_ticket"]
    assert oid not in ticket and d["bind_ticket_expires_in"] == 600
    iid, uid, union = identity(wx_stack, oid)
    assert uid is None and union == "u" + oid
    assert "session_key" not in str(d)

    # A ticket this phone opened as a guest (the product's QR code).
    wx_stack.sql("INSERT INTO ticket (shop_id, guest_phone, kind, source, "
                 "subject) SELECT id, '" + BUYER + "', 'question', 'qr', "
                 "'WXL guest' FROM shop WHERE slug = 'shop-a'")
    r = post(wx_stack, "bind", {"ticket": ticket,
                                "phone_code": phone_code(fake, BUYER)})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["bound"] is True and d["kind"] == "customer" and d["name"]
    assert identity(wx_stack, oid)[1] == user_id(wx_stack, BUYER)
    # The phone WeChat vouched for claims it (docs/service.md).
    assert wx_stack.sql("SELECT customer_user_id FROM ticket WHERE subject "
                        "= 'WXL guest'") == [(user_id(wx_stack, BUYER),)]
    wx_stack.sql("DELETE FROM ticket WHERE subject = 'WXL guest'")
    a = account(wx_stack, d["token"])
    assert a.status_code == 200, a.text
    sess = wx_stack.sql("SELECT wx_identity_id, via FROM session "
                        "ORDER BY id DESC LIMIT 1")[0]
    assert sess == (iid, "bearer")
    got = fake.requests()["requests"]
    ph = [q for q in got if q["path"] == "/wxa/business/getuserphonenumber"]
    assert len(ph) == 1 and ph[0]["query"]["access_token"].startswith("TOK_")

    # Next time: straight in.
    d = login(wx_stack, fake, oid)
    assert d["bound"] is True and account(wx_stack, d["token"]).ok
    # The same identity, not a second one.
    assert wx_stack.sql("SELECT COUNT(*) FROM wx_identity WHERE openid = "
                        f"'{oid}'") == [("1",)]
    # Binding the same pair again answers the same.
    r = post(wx_stack, "bind", {"ticket": ticket,
                                "phone_code": phone_code(fake, BUYER)})
    assert r.status_code == 200 and r.json()["data"]["bound"]
    # No phone number, session_key or secret in what WeChat calls log.
    lines = [l for l in wx_stack.error_log_text().splitlines()
             if "wechat" in l or "wxapi" in l]
    assert lines
    keys = [q["query"].get("secret") for q in got] + [MINI_SECRET]
    for l in lines:
        assert BUYER not in l and "session_key" not in l, l
        assert not any(k and k in l for k in keys), l


def test_refusals_leave_nothing_bound(wx_stack, fake):
    # A phone that is no customer's of this shop.
    t = login(wx_stack, fake, oid := openid())["bind_ticket"]
    r = post(wx_stack, "bind", {"ticket": t,
                                "phone_code": phone_code(fake, "13700000000")})
    error(r, 404, "phone_not_customer")
    # A watermark of another app.
    r = post(wx_stack, "bind", {"ticket": t, "phone_code": phone_code(
        fake, BUYER, watermark="wx00000000000000ff")})
    error(r, 400, "phone_code_invalid")
    # A foreign number.
    r = post(wx_stack, "bind", {"ticket": t, "phone_code": phone_code(
        fake, "5551234", country="1")})
    error(r, 404, "phone_not_customer")
    # A phone code unknown or used.
    r = post(wx_stack, "bind", {"ticket": t, "phone_code": "nope"})
    error(r, 400, "phone_code_invalid")
    assert identity(wx_stack, oid)[1] is None

    # The approver binds a WeChat; the buyer's phone cannot take it over.
    t2 = login(wx_stack, fake, oid2 := openid())["bind_ticket"]
    assert post(wx_stack, "bind", {"ticket": t2, "phone_code": phone_code(
        fake, APPROVER)}).status_code == 200
    r = post(wx_stack, "bind", {"ticket": t2, "phone_code": phone_code(
        fake, BUYER)})
    error(r, 409, "wechat_bound_other")
    assert identity(wx_stack, oid2)[1] == user_id(wx_stack, APPROVER)
    # ...nor can a second WeChat take the approver's account.
    r = post(wx_stack, "bind", {"ticket": t, "phone_code": phone_code(
        fake, APPROVER)})
    error(r, 409, "user_bound_other")
    assert identity(wx_stack, oid)[1] is None


def invite(stack, slug="shop-a"):
    """A fresh invite link's token for the buyer's company."""
    tok = secrets.token_hex(32)
    h = hashlib.blake2b(tok.encode(), digest_size=32).hexdigest()
    sid = shop_id(stack, slug)
    stack.sql("INSERT INTO customer_invite (shop_id, customer_id, "
              "token_hash, role, created_by, expires_at) SELECT "
              f"{sid}, customer_id, '{h}', 'buyer', (SELECT MIN(id) FROM "
              f"staff WHERE shop_id = {sid}), "
              "NOW(3) + INTERVAL 1 DAY FROM customer_user WHERE "
              f"shop_id = {sid} AND phone = '{BUYER}'")
    return tok, h


def test_bind_by_invite_is_one_transaction(wx_stack, fake):
    tok, h = invite(wx_stack)
    t = login(wx_stack, fake, oid := openid())["bind_ticket"]
    # The phone is taken: no user made, the link not used, not bound.
    r = post(wx_stack, "bind", {"ticket": t, "invite": tok, "name": "小王",
                                "phone": BUYER, "password": "abcd1234"})
    assert r.status_code == 409, r.text
    assert "手机号" in r.json()["error"]["message"]
    assert wx_stack.sql("SELECT used_at FROM customer_invite WHERE "
                        f"token_hash = '{h}'") == [(None,)]
    assert identity(wx_stack, oid)[1] is None
    # Half an account.
    r = post(wx_stack, "bind", {"ticket": t, "invite": tok, "name": "小王"})
    err = error(r, 400, "invalid")
    assert set(err["fields"]) == {"phone", "password"}

    phone = "137" + str(secrets.randbelow(10**8)).zfill(8)
    r = post(wx_stack, "bind", {"ticket": t, "invite": tok, "name": "小王",
                                "phone": phone, "password": "abcd1234"})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["bound"] and d["name"] == "小王" and d["role"] == "buyer"
    assert identity(wx_stack, oid)[1] == user_id(wx_stack, phone)
    assert wx_stack.sql("SELECT used_at IS NOT NULL FROM customer_invite "
                        f"WHERE token_hash = '{h}'") == [("1",)]
    assert account(wx_stack, d["token"]).status_code == 200
    # The link works once.
    t3 = login(wx_stack, fake, openid())["bind_ticket"]
    r = post(wx_stack, "bind", {"ticket": t3, "invite": tok, "name": "小李",
                                "phone": "13600000009",
                                "password": "abcd1234"})
    assert r.status_code == 404, r.text


def sign(stack, msg):
    key = (stack.secrets_dir / str(shop_id(stack, "shop-a")) /
           "wx_sign_key").read_text()
    return hmac.new(bytes.fromhex(key), msg.encode(),
                    hashlib.sha256).hexdigest()


def test_forged_and_expired_tickets(wx_stack, fake):
    t = login(wx_stack, fake, oid := openid())["bind_ticket"]
    iid, exp, mac = t.split(".")
    assert mac == sign(wx_stack, f"bind|{shop_id(wx_stack, 'shop-a')}|"
                       f"{iid}.{exp}")
    pc = phone_code(fake, BUYER)
    sid = shop_id(wx_stack, "shop-a")
    for bad in (f"{int(iid) - 1}.{exp}.{mac}", f"{iid}.{exp}.{'0' * 64}",
                f"{iid}.{int(exp) + 1000}.{mac}", "x", "",
                # Well signed, expired.
                f"{iid}.{int(time.time()) - 1}." + sign(
                    wx_stack, f"bind|{sid}|{iid}.{int(time.time()) - 1}"),
                # Signed as an OAuth state, not as a ticket.
                f"{iid}.{exp}." + sign(wx_stack, f"oauth|{sid}|{iid}.{exp}")):
        r = post(wx_stack, "bind", {"ticket": bad, "phone_code": pc})
        if bad == "":
            error(r, 400, "invalid")
        else:
            error(r, 400, "bind_ticket_invalid")
    # Another shop's ticket.
    r = post(wx_stack, "bind", {"ticket": t, "phone_code": pc},
             slug="shop-b")
    assert r.status_code in (400, 409), r.text
    assert identity(wx_stack, oid)[1] is None
    assert "forged bind ticket" in wx_stack.error_log_text()
    # None of those spent the phone code: it still binds.
    r = post(wx_stack, "bind", {"ticket": t, "phone_code": pc})
    assert r.status_code in (200, 409), r.text


@pytest.mark.parametrize("fail,status,code", [
    ({"errcode": 40029}, 400, "wechat_code_invalid"),
    ({"errcode": -1}, 503, "unavailable"),
    ({"errcode": 45011}, 429, "rate_limited"),
    ({"errcode": 40125}, 409, "wechat_misconfigured"),
    ({"mode": "malformed"}, 503, "unavailable"),
    ({"mode": "timeout", "sleep": 3}, 503, "unavailable"),
])
def test_login_errors(wx_stack, fake, fail, status, code):
    fake.control("fail", dict(fail, path="/sns/jscode2session"))
    code_ = code_of(fake)
    r = post(wx_stack, "login", {"code": code_})
    error(r, status, code)
    # A code is never sent twice (single use), even when WeChat is busy.
    got = [q for q in fake.requests()["requests"]
           if q["path"] == "/sns/jscode2session"]
    assert len(got) == 1 and got[0]["query"]["js_code"] == code_


def code_of(fake):
    return code(fake, openid())


def test_bad_codes_and_requests(wx_stack, fake):
    c = code(fake, openid())
    assert post(wx_stack, "login", {"code": c}).status_code == 200
    error(post(wx_stack, "login", {"code": c}), 400, "wechat_code_invalid")
    error(post(wx_stack, "login", {"code": "unknown"}), 400,
          "wechat_code_invalid")
    # A web page's code is not a mini-program's.
    error(post(wx_stack, "login", {"code": code(fake, openid(),
                                                appid=MP_APPID)}),
          400, "wechat_code_invalid")
    error(post(wx_stack, "login", {}), 400, "invalid")
    error(post(wx_stack, "login", {"code": "x" * 200}), 400, "invalid")
    r = wx_stack.session().post(wx_stack.url("/s/shop-a/api/v1/wechat/login"),
                                data={"code": c})
    error(r, 415, "unsupported_media_type")
    error(post(wx_stack, "bind", {"ticket": "a.b.c"}), 400, "invalid")
    # A shop without a mini-program.
    error(post(wx_stack, "login", {"code": "x"}, slug="shop-b"), 409,
          "wechat_not_configured")


def test_phone_bind_survives_a_dead_token(wx_stack, fake):
    t = login(wx_stack, fake, openid())["bind_ticket"]
    assert post(wx_stack, "bind", {"ticket": t, "phone_code": "warm-up"}
                ).status_code == 400     # a token is cached now
    fake.control("revoke", {"appid": MINI_APPID})
    r = post(wx_stack, "bind", {"ticket": t, "phone_code": phone_code(
        fake, "13900000002")})
    assert r.status_code == 200, r.text
    assert fake.requests()["token_calls"] == {MINI_APPID: 2}


def test_disabled_user_gets_no_session(wx_stack, fake):
    t = login(wx_stack, fake, oid := openid())["bind_ticket"]
    phone = "135" + str(secrets.randbelow(10**8)).zfill(8)
    tok, _ = invite(wx_stack)
    d = post(wx_stack, "bind", {"ticket": t, "invite": tok, "name": "停用",
                                "phone": phone, "password": "abcd1234"}
             ).json()["data"]
    assert d["bound"]
    wx_stack.sql(f"UPDATE customer_user SET status = 'disabled' "
                 f"WHERE phone = '{phone}'")
    d = login(wx_stack, fake, oid)
    assert d["bound"] is False and "token" not in d
