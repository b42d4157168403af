"""H5 login inside the WeChat browser (GET /wechat/oauth, the callback,
the bind page) against tests/fake/wechat.py: the redirect to WeChat
with a signed, single-use, expiring state bound to this browser, login
or binding on the way back, and every bad state, next or code refused
with a clear page."""

import hashlib
import hmac
import secrets
import time
import urllib.parse

import pytest

from helpers import csrf_of
from wechat_kit import MP_APPID, fake, shop_id, wx_stack  # noqa: F401

BUYER = "13900000000"


def start(stack, s, next_="/account"):
    r = s.get(stack.url("/s/shop-a/wechat/oauth?next=" +
                        urllib.parse.quote(next_, safe="")),
              allow_redirects=False)
    assert r.status_code == 302, r.text
    loc = r.headers["Location"]
    base, frag = loc.split("#")
    assert frag == "wechat_redirect"
    u = urllib.parse.urlsplit(base)
    assert base.startswith("http://127.0.0.1:9/connect/oauth2/authorize?")
    keys = [k for k, _ in urllib.parse.parse_qsl(u.query)]
    assert keys == ["appid", "redirect_uri", "response_type", "scope",
                    "state"]
    q = dict(urllib.parse.parse_qsl(u.query))
    assert q["appid"] == MP_APPID and q["scope"] == "snsapi_base"
    assert q["redirect_uri"].endswith("/s/shop-a/wechat/oauth/callback")
    assert len(q["state"]) <= 128 and q["state"].isalnum()
    return q["state"]


def oauth_code(fake, openid, **kw):
    c = "O" + secrets.token_hex(8)
    fake.control("code", dict({"code": c, "appid": MP_APPID,
                               "openid": openid}, **kw))
    return c


def callback(stack, s, code, state):
    return s.get(stack.url("/s/shop-a/wechat/oauth/callback?code=%s"
                           "&state=%s" % (code, state)),
                 allow_redirects=False)


def openid():
    return "h" + secrets.token_hex(12)


def test_unbound_binds_with_password_then_logs_in(wx_stack, fake):
    s = wx_stack.session()
    state = start(wx_stack, s)
    oid = openid()
    r = callback(wx_stack, s, oauth_code(fake, oid), state)
    assert r.status_code == 303, r.text
    assert r.headers["Location"] == "/s/shop-a/wechat/bind?next=%2Faccount"
    assert "sid" not in s.cookies
    page = s.get(wx_stack.url(r.headers["Location"]))
    assert page.status_code == 200 and "绑定微信" in page.text
    csrf = csrf_of(page.text)
    # A wrong password: the page again, nothing bound.
    r = s.post(wx_stack.url("/s/shop-a/wechat/bind"), allow_redirects=False,
               data={"csrf": csrf, "phone": BUYER, "password": "wrong-pw",
                     "next": "/account"})
    assert r.status_code == 400 and "手机号或密码错误" in r.text
    assert wx_stack.sql("SELECT customer_user_id FROM wx_identity WHERE "
                        f"openid = '{oid}'") == [(None,)]
    r = s.post(wx_stack.url("/s/shop-a/wechat/bind"), allow_redirects=False,
               data={"csrf": csrf, "phone": BUYER, "password": "demo1234",
                     "next": "/account"})
    assert r.status_code == 303, r.text
    assert r.headers["Location"] == "/s/shop-a/account"
    assert s.get(wx_stack.url("/s/shop-a/account")).status_code == 200
    iid = wx_stack.sql("SELECT id FROM wx_identity WHERE "
                       f"openid = '{oid}'")[0][0]
    assert wx_stack.sql("SELECT wx_identity_id, via FROM session "
                        "ORDER BY id DESC LIMIT 1") == [(iid, "cookie")]

    # The same state again, even with its cookie: refused, and logged.
    s.cookies.set("wxo", state[:32], path="/s/shop-a")
    r = callback(wx_stack, s, oauth_code(fake, oid), state)
    assert r.status_code == 400 and "已用过" in r.text
    assert "oauth state refused: replayed" in wx_stack.error_log_text()

    # Next time, in another browser: straight to the page asked for.
    s2 = wx_stack.session()
    state = start(wx_stack, s2, "/orders?x=1")
    r = callback(wx_stack, s2, oauth_code(fake, oid), state)
    assert r.status_code == 303
    assert r.headers["Location"] == "/s/shop-a/orders?x=1"
    assert s2.get(wx_stack.url("/s/shop-a/account")).status_code == 200


def test_unbound_binds_with_an_invite(wx_stack, fake):
    from test_wechat_login import invite
    tok, h = invite(wx_stack)
    s = wx_stack.session()
    state = start(wx_stack, s, "/")
    r = callback(wx_stack, s, oauth_code(fake, oid := openid()), state)
    page = s.get(wx_stack.url(r.headers["Location"]))
    phone = "134" + str(secrets.randbelow(10**8)).zfill(8)
    r = s.post(wx_stack.url("/s/shop-a/wechat/bind"), allow_redirects=False,
               data={"csrf": csrf_of(page.text), "invite": tok,
                     "name": "小张", "phone": phone, "password": "abcd1234",
                     "next": "/"})
    assert r.status_code == 303, r.text
    assert wx_stack.sql(
        "SELECT cu.phone FROM wx_identity wi JOIN customer_user cu ON "
        f"cu.id = wi.customer_user_id WHERE wi.openid = '{oid}'") == [
            (phone,)]


def sign(stack, msg):
    key = (stack.secrets_dir / str(shop_id(stack, "shop-a")) /
           "wx_sign_key").read_text()
    return hmac.new(bytes.fromhex(key), msg.encode(),
                    hashlib.sha256).hexdigest()


def test_bad_states(wx_stack, fake):
    s = wx_stack.session()
    state = start(wx_stack, s)
    sid = shop_id(wx_stack, "shop-a")
    nonce, exp = state[:32], state[32:42]
    flipped = state[:50] + ("0" if state[50] != "0" else "1") + state[51:]
    past = "%010d" % (int(time.time()) - 1)
    cases = {
        "forged": flipped,
        "malformed": "abc",
        # Well signed, but its time is up.
        "expired": nonce + past + sign(wx_stack, f"oauth|{sid}|{nonce}{past}"),
        # Signed as a bind ticket, not as a state.
        "forged ": nonce + exp + sign(wx_stack, f"bind|{sid}|{nonce}{exp}"),
    }
    for why, bad in cases.items():
        r = callback(wx_stack, s, oauth_code(fake, openid()), bad)
        assert r.status_code == 400, (why, r.status_code)
        assert "登录链接" in r.text, why
        assert f"oauth state refused: {why.strip()}" in \
            wx_stack.error_log_text(), why
    # The good state, from another browser (no cookie of its nonce).
    r = callback(wx_stack, wx_stack.session(), oauth_code(fake, openid()),
                 state)
    assert r.status_code == 400
    assert "oauth state refused: other browser" in wx_stack.error_log_text()
    # Past its row's expiry (the signature still says valid).
    wx_stack.sql("UPDATE wx_oauth_state SET expires_at = NOW(3) - INTERVAL "
                 f"1 SECOND WHERE nonce = '{nonce}'")
    r = callback(wx_stack, s, oauth_code(fake, openid()), state)
    assert r.status_code == 400 and "过期" in r.text
    # JSON clients get the envelope.
    r = wx_stack.json_session().get(wx_stack.url(
        "/s/shop-a/wechat/oauth/callback?code=x&state=" + flipped))
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "oauth_state_invalid"
    # No code was exchanged for any of them.
    assert not [q for q in fake.requests()["requests"]
                if q["path"] == "/sns/oauth2/access_token"]


@pytest.mark.parametrize("next_", ["//evil.example.com/", "https://evil.cn/",
                                   "/\\evil.example.com", "javascript:1",
                                   "/a\nb", "evil"])
def test_next_is_a_local_path(wx_stack, fake, next_):
    r = wx_stack.session().get(
        wx_stack.url("/s/shop-a/wechat/oauth?next=" +
                     urllib.parse.quote(next_, safe="")),
        allow_redirects=False)
    assert r.status_code == 400, (next_, r.status_code)


def test_default_next_and_not_configured(wx_stack, fake):
    r = wx_stack.session().get(wx_stack.url("/s/shop-a/wechat/oauth"),
                               allow_redirects=False)
    assert r.status_code == 302
    r = wx_stack.json_session().get(wx_stack.url("/s/shop-b/wechat/oauth"),
                                    allow_redirects=False)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "wechat_not_configured"


def test_snapshot_user_and_bad_codes(wx_stack, fake):
    for fail, status, text in [
            (None, 403, "快照"),
            ({"errcode": 40163}, 400, "凭证"),
            ({"mode": "timeout", "sleep": 3}, 503, "微信服务暂时不可用")]:
        s = wx_stack.session()
        state = start(wx_stack, s)
        if fail:
            fake.control("fail", dict(fail, path="/sns/oauth2/access_token"))
            code = oauth_code(fake, openid())
        else:
            code = oauth_code(fake, openid(), is_snapshotuser=1)
        r = callback(wx_stack, s, code, state)
        assert r.status_code == status, (fail, r.status_code)
        assert text in r.text, (fail, r.text[:300])
        assert "sid" not in s.cookies
    s = wx_stack.session()
    r = callback(wx_stack, s, "", start(wx_stack, s))
    assert r.status_code == 400
    # The bind page wants the callback's ticket.
    r = wx_stack.session().get(wx_stack.url("/s/shop-a/wechat/bind"))
    assert r.status_code == 400
