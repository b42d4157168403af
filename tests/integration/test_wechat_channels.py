"""Channels (渠道, 先线下后线上) through nginx against tests/fake/wechat.py:
staff make channels and their printable codes (the H5 link's QR code
drawn locally, the official account's permanent QR code and the
mini-program code, each asked of WeChat once); visits with ?ch= and
official-account scans are counted once per visitor and day and stored
as first touch on what the visitor became; the official-account callback
checks its signatures (plaintext and safe mode) and counts a replay once;
the weekly report adds it up. docs/wechat-channels.md."""

import re
import subprocess

import pytest

from helpers import get_csrf
from test_invite_qr import png_to_pgm
from wechat_kit import MINI_APPID, MP_APPID, fake, wx_stack  # noqa: F401

A = "/s/shop-a"
B = "/s/shop-b"
WAREHOUSE_PHONE = "13800000019"


def sid(stack, slug):
    return int(stack.sql(f"SELECT id FROM shop WHERE slug = '{slug}'")[0][0])


def q1(stack, sql):
    rows = stack.sql(sql)
    return rows[0][0] if rows else None


@pytest.fixture(scope="module")
def ch_stack(wx_stack):
    a = sid(wx_stack, "shop-a")
    wx_stack.sql(f"""
INSERT INTO staff (shop_id, name, phone, password_hash, role)
  SELECT shop_id, '仓库小王', '{WAREHOUSE_PHONE}', password_hash, 'warehouse'
  FROM staff WHERE shop_id = {a} AND phone = '13800000000';
""")
    yield wx_stack
    wx_stack.sql(f"""
UPDATE dealer_application SET channel_id = NULL;
UPDATE wx_identity SET channel_id = NULL;
UPDATE customer_user SET channel_id = NULL;
UPDATE sales_order SET channel_id = NULL;
DELETE FROM channel;
DELETE FROM wx_mp_seen;
DELETE FROM staff WHERE phone = '{WAREHOUSE_PHONE}';
""")


def owner(stack, slug="shop-a"):
    return stack.login(stack.owner_phone, stack.password, slug, staff=True)


def post(stack, s, path, data, csrf=True, base=A):
    data = dict(data)
    if csrf:
        data["csrf"] = get_csrf(stack, s, f"{base}/admin")
    return s.post(stack.url(path), data=data, allow_redirects=False)


def create(stack, s, name="春季糖酒会", kind="exhibition", staff="",
           base=A):
    r = post(stack, s, f"{base}/admin/channels/new",
             {"kind": kind, "name": name, "staff_id": staff}, base=base)
    assert r.status_code == 303, (r.status_code, r.text[:600])
    m = re.search(r"/admin/channels/(\d+)\?done=created$",
                  r.headers["Location"])
    assert m, r.headers["Location"]
    cid = int(m.group(1))
    scene = q1(stack, f"SELECT scene FROM channel WHERE id = {cid}")
    return cid, scene


def decode(tmp_path, png):
    f = tmp_path / "code.pgm"
    f.write_bytes(png_to_pgm(png))
    out = subprocess.run(["zbarimg", "-q", "--raw", str(f)],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


# -- 1. channels and their codes -------------------------------------------

def test_empty_list_then_a_channel_with_its_h5_code(ch_stack, fake,
                                                    tmp_path):
    st = ch_stack
    st.sql("DELETE FROM channel")
    s = owner(st)
    r = s.get(st.url(f"{A}/admin/channels"))
    assert r.status_code == 200
    assert "还没有渠道" in r.text and 'href="/s/shop-a/admin/channels/new"' \
        in r.text
    cid, scene = create(st, s)
    assert re.fullmatch(r"[A-Za-z0-9]{10}", scene)
    r = s.get(st.url(f"{A}/admin/channels/{cid}?done=created"))
    assert r.status_code == 200
    assert "渠道已创建" in r.text and scene in r.text
    link = st.url(f"{A}/?ch={scene}")
    assert link in r.text
    png = s.get(st.url(f"{A}/admin/channels/{cid}/qr.png"))
    assert png.headers["Content-Type"] == "image/png"
    assert decode(tmp_path, png.content) == link
    svg = s.get(st.url(f"{A}/admin/channels/{cid}/qr.svg?download=1"))
    assert svg.headers["Content-Type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and "attachment" in \
        svg.headers["Content-Disposition"]
    # Listed, with its kind; no WeChat call was made for any of it.
    r = s.get(st.url(f"{A}/admin/channels"))
    assert "春季糖酒会" in r.text and "展会" in r.text and scene in r.text
    assert fake.requests()["requests"] == []


def test_scenes_are_unique_and_the_list_pages(ch_stack, fake):
    st = ch_stack
    st.sql("DELETE FROM channel")
    s = owner(st)
    scenes = {create(st, s, name=f"批次{i}", kind="package")[1]
              for i in range(21)}
    assert len(scenes) == 21
    r = s.get(st.url(f"{A}/admin/channels"))
    assert "第 1 / 2 页" in r.text and "批次20" in r.text
    assert "批次0<" not in r.text
    r = s.get(st.url(f"{A}/admin/channels?page=2"))
    assert "第 2 / 2 页" in r.text and "批次0<" in r.text


def test_bad_channel_forms(ch_stack, fake):
    st = ch_stack
    s = owner(st)
    n0 = q1(st, "SELECT COUNT(*) FROM channel")
    sales_b = q1(st, "SELECT id FROM staff WHERE shop_id = %d AND role = "
                 "'sales' LIMIT 1" % sid(st, "shop-b"))
    bad = [({"kind": "exhibition", "name": ""}, "名称"),
           ({"kind": "billboard", "name": "x"}, "类型"),
           ({"kind": "exhibition", "name": "长" * 101}, "名称"),
           ({"kind": "sales", "name": "业务员甲"}, "业务员"),
           ({"kind": "exhibition", "name": "x", "staff_id": str(sales_b)},
            "业务员"),
           ({"kind": "exhibition", "name": "x", "staff_id": "abc"},
            "业务员")]
    for data, label in bad:
        r = post(st, s, f"{A}/admin/channels/new", data)
        assert r.status_code == 400, (data, r.status_code)
        assert 'class="hint field-error"' in r.text, data
        assert 'role="alert"' in r.text
    # No CSRF token: refused.
    r = post(st, s, f"{A}/admin/channels/new",
             {"kind": "poster", "name": "x"}, csrf=False)
    assert r.status_code == 403
    assert q1(st, "SELECT COUNT(*) FROM channel") == n0
    # A salesperson's channel names them.
    sales_a = q1(st, "SELECT id FROM staff WHERE shop_id = %d AND phone = "
                 "'%s'" % (sid(st, "shop-a"), st.sales_phone))
    cid, _ = create(st, s, name="业务员张三", kind="sales",
                    staff=str(sales_a))
    r = s.get(st.url(f"{A}/admin/channels/{cid}"))
    assert re.search(r'<option value="%s" selected>' % sales_a, r.text)
    # Rename; the scene stays.
    scene = q1(st, f"SELECT scene FROM channel WHERE id = {cid}")
    r = post(st, s, f"{A}/admin/channels/{cid}",
             {"kind": "poster", "name": "海报 A"})
    assert r.status_code == 303
    assert st.sql(f"SELECT kind, name, scene, staff_id FROM channel "
                  f"WHERE id = {cid}")[0] == ("poster", "海报 A", scene, None)
    r = post(st, s, f"{A}/admin/channels/{cid}", {"kind": "poster",
                                                 "name": ""})
    assert r.status_code == 400


def test_channels_are_the_shops_and_the_roles(ch_stack, fake):
    st = ch_stack
    a = owner(st)
    cid, _ = create(st, a, name="甲店海报", kind="poster")
    b = owner(st, "shop-b")
    for path in ("", "/qr.png", "/qr.svg", "/mpqr.png", "/wxacode.png"):
        assert b.get(st.url(f"{B}/admin/channels/{cid}{path}")) \
            .status_code == 404, path
    r = post(st, b, f"{B}/admin/channels/{cid}", {"kind": "poster",
                                                 "name": "x"}, base=B)
    assert r.status_code == 404
    r = post(st, b, f"{B}/admin/channels/{cid}/mpqr", {}, base=B)
    assert r.status_code == 404
    # Sales may; the warehouse may not.
    s = st.login(st.sales_phone, st.password, "shop-a", staff=True)
    assert s.get(st.url(f"{A}/admin/channels")).status_code == 200
    w = st.login(WAREHOUSE_PHONE, st.password, "shop-a", staff=True)
    assert w.get(st.url(f"{A}/admin/channels")).status_code == 403
    assert w.get(st.url(f"{A}/admin/channels/{cid}/qr.png")).status_code \
        == 403
    assert ">渠道</a>" not in w.get(st.url(f"{A}/admin")).text
    assert ">渠道</a>" in a.get(st.url(f"{A}/admin")).text
    assert fake.requests()["requests"] == []


def test_official_account_qr_is_created_once(ch_stack, fake, tmp_path):
    st = ch_stack
    s = owner(st)
    cid, scene = create(st, s, name="公众号海报", kind="poster")
    page = s.get(st.url(f"{A}/admin/channels/{cid}")).text
    assert "生成公众号二维码" in page and "mp-not-ready" not in page
    r = post(st, s, f"{A}/admin/channels/{cid}/mpqr", {})
    assert r.status_code == 303 and r.headers["Location"].endswith(
        "?done=mpqr")
    calls = [q for q in fake.requests()["requests"]
             if q["path"] == "/cgi-bin/qrcode/create"]
    assert len(calls) == 1
    assert calls[0]["body"] == {"action_name": "QR_LIMIT_STR_SCENE",
                                "action_info": {"scene":
                                                {"scene_str": scene}}}
    ticket, url = st.sql(f"SELECT mp_ticket, mp_url FROM channel "
                         f"WHERE id = {cid}")[0]
    assert ticket.startswith("gQ") and url.startswith(
        "http://weixin.qq.com/q/")
    page = s.get(st.url(f"{A}/admin/channels/{cid}")).text
    # The showqrcode link is wechat_mp_base's (conf), ticket encoded.
    assert "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=" + \
        ticket.replace("=", "%3D") in page
    png = s.get(st.url(f"{A}/admin/channels/{cid}/mpqr.png"))
    assert decode(tmp_path, png.content) == url
    # Asked again: the stored one, no second call.
    assert post(st, s, f"{A}/admin/channels/{cid}/mpqr", {}) \
        .status_code == 303
    assert len([q for q in fake.requests()["requests"]
                if q["path"] == "/cgi-bin/qrcode/create"]) == 1


def test_official_account_qr_errors(ch_stack, fake):
    st = ch_stack
    s = owner(st)
    cid, _ = create(st, s, name="出错的海报", kind="poster")
    fake.control("fail", {"path": "/cgi-bin/qrcode/create",
                          "errcode": 45009})
    r = post(st, s, f"{A}/admin/channels/{cid}/mpqr", {})
    assert r.status_code == 429
    assert "微信接口调用太频繁" in r.text
    fake.control("fail", {"path": "/cgi-bin/qrcode/create",
                          "mode": "malformed"})
    r = post(st, s, f"{A}/admin/channels/{cid}/mpqr", {})
    assert r.status_code == 503 and "微信服务暂时不可用" in r.text
    assert q1(st, f"SELECT mp_ticket FROM channel WHERE id = {cid}") is None
    # A token WeChat calls invalid: dropped, one retry with a new one.
    r = post(st, s, f"{A}/admin/channels/{cid}/mpqr", {})
    assert r.status_code == 303
    fake.control("revoke", {"appid": MP_APPID})
    cid2, _ = create(st, s, name="第二张海报", kind="poster")
    r = post(st, s, f"{A}/admin/channels/{cid2}/mpqr", {})
    assert r.status_code == 303
    assert fake.requests()["token_calls"][MP_APPID] == 2


def test_miniapp_code_is_fetched_once_and_kept_private(ch_stack, fake):
    st = ch_stack
    s = owner(st)
    cid, scene = create(st, s, name="小程序包装", kind="package")
    assert "生成小程序码" in s.get(st.url(f"{A}/admin/channels/{cid}")).text
    assert s.get(st.url(f"{A}/admin/channels/{cid}/wxacode.png")) \
        .status_code == 404
    r = post(st, s, f"{A}/admin/channels/{cid}/wxacode", {})
    assert r.status_code == 303, r.text[:500]
    calls = [q for q in fake.requests()["requests"]
             if q["path"] == "/wxa/getwxacodeunlimit"]
    assert len(calls) == 1 and calls[0]["body"]["scene"] == scene
    path = q1(st, f"SELECT wxacode_path FROM channel WHERE id = {cid}")
    f = st.private_dir / path
    assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (f.stat().st_mode & 0o777) == 0o600
    assert scene.encode() in f.read_bytes()
    r = s.get(st.url(f"{A}/admin/channels/{cid}/wxacode.png"))
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    assert r.content == f.read_bytes()
    assert post(st, s, f"{A}/admin/channels/{cid}/wxacode", {}) \
        .status_code == 303
    assert len([q for q in fake.requests()["requests"]
                if q["path"] == "/wxa/getwxacodeunlimit"]) == 1
    # Not an orphan to uploads prune.
    st.run("uploads", "prune", "--min-age", "0")
    assert f.exists()


def test_miniapp_code_json_error_is_not_saved(ch_stack, fake):
    st = ch_stack
    s = owner(st)
    cid, _ = create(st, s, name="小程序出错", kind="package")
    for fail, status in (({"errcode": 41030}, 503),
                         ({"errcode": 45009}, 429),
                         ({"mode": "http500"}, 503)):
        fake.control("fail", dict(fail, path="/wxa/getwxacodeunlimit"))
        r = post(st, s, f"{A}/admin/channels/{cid}/wxacode", {})
        assert r.status_code == status, (fail, r.status_code)
        assert 'role="alert"' in r.text
        assert q1(st, f"SELECT wxacode_path FROM channel WHERE id = {cid}") \
            is None
    # The token refused once: a new one, and the code.
    fake.control("revoke", {"appid": MINI_APPID})
    assert post(st, s, f"{A}/admin/channels/{cid}/wxacode", {}) \
        .status_code == 303
    log = st.error_log_text()
    assert "access_token=***" in log
    assert not re.search(r"access_token=TOK_", log)


def test_not_configured_shop_says_so(ch_stack, fake):
    st = ch_stack
    b = owner(st, "shop-b")
    cid, _ = create(st, b, name="乙店海报", kind="poster", base=B)
    page = b.get(st.url(f"{B}/admin/channels/{cid}")).text
    assert "mp-not-ready" in page and "mini-not-ready" in page
    assert "店铺尚未设置公众号 AppID 与 AppSecret" in page
    for what, words in (("mpqr", "公众号"), ("wxacode", "小程序")):
        r = post(st, b, f"{B}/admin/channels/{cid}/{what}", {}, base=B)
        assert r.status_code == 409, what
        assert f"店铺尚未设置{words} AppID 与 AppSecret" in r.text
    # The H5 code needs no WeChat.
    assert b.get(st.url(f"{B}/admin/channels/{cid}/qr.png")) \
        .status_code == 200
    assert fake.requests()["requests"] == []


# -- 2. visits and first touches -------------------------------------------

def visits(stack, cid):
    return int(q1(stack, f"SELECT COUNT(*) FROM channel_visit "
                  f"WHERE channel_id = {cid}"))


def ch_cookie(r):
    m = re.search(r"dh_ch=([^;]*)", r.headers.get("Set-Cookie", ""))
    return m.group(1) if m else None


def test_a_visit_counts_once_per_visitor_and_day(ch_stack, fake):
    st = ch_stack
    cid, scene = create(st, owner(st), name="纸箱批次", kind="package")
    v = st.session()
    r = v.get(st.url(f"{A}/?ch={scene}"))
    assert r.status_code == 200
    ck = ch_cookie(r)
    assert re.fullmatch(r"[0-9a-f]{32}\.%d\.0\.\d{8}\.%s" % (cid, scene), ck)
    assert "Path=/s/shop-a" in r.headers["Set-Cookie"]
    assert "HttpOnly" in r.headers["Set-Cookie"]
    assert visits(st, cid) == 1
    # The same visitor again, any page: nothing written, no new cookie.
    for path in (f"{A}/?ch={scene}", f"{A}/wholesale/products?ch={scene}",
                 f"{A}/"):
        r = v.get(st.url(path))
        assert r.status_code == 200 and ch_cookie(r) is None, path
    assert visits(st, cid) == 1
    # Another visitor, and one with yesterday's cookie: one each.
    assert ch_cookie(st.session().get(st.url(f"{A}/?ch={scene}")))
    old = st.session()
    day = ck.split(".")[3]
    old.cookies.set("dh_ch", ck.replace(day, "20200101"), path="/s/shop-a")
    r = old.get(st.url(f"{A}/?ch={scene}"))
    assert ch_cookie(r).split(".")[0] == ck.split(".")[0]
    assert visits(st, cid) == 2     # the same visitor id, today's row
    # Yesterday's row and a cookie that says today: no write.
    st.sql(f"UPDATE channel_visit SET day = day - INTERVAL 1 DAY "
           f"WHERE channel_id = {cid}")
    assert ch_cookie(v.get(st.url(f"{A}/?ch={scene}"))) is None
    assert visits(st, cid) == 2
    # First touch: a second channel counts a visit, the first stays.
    cid2, scene2 = create(st, owner(st), name="展会二", kind="exhibition")
    r = v.get(st.url(f"{A}/?ch={scene2}"))
    assert visits(st, cid2) == 1
    assert ch_cookie(r).split(".")[1] == str(cid)


def test_tampered_scenes_and_cookies_are_ignored(ch_stack, fake):
    st = ch_stack
    cid, scene = create(st, owner(st), name="防篡改", kind="poster")
    bcid, bscene = create(st, owner(st, "shop-b"), name="乙店渠道",
                          kind="poster", base=B)
    n = int(q1(st, "SELECT COUNT(*) FROM channel_visit"))
    for bad in ("nope123", "../../etc", "x" * 33, "%3Cscript%3E", "",
                scene + "'", bscene, scene.lower() + "Z"):
        v = st.session()
        r = v.get(st.url(f"{A}/?ch={bad}"))
        assert r.status_code == 200, bad
        assert ch_cookie(r) is None, bad
    assert int(q1(st, "SELECT COUNT(*) FROM channel_visit")) == n
    log = st.error_log_text()
    assert "channel: unknown scene=nope123 ignored" in log
    assert "channel: malformed scene ignored" in log
    assert "<script" not in log
    # A cookie this code did not write is ignored; the page is the page.
    for bad in ("garbage", "a.b.c.d.e", "0" * 32 + ".-1.0.20260101.x",
                "0" * 32 + ".1.0.20260101.bad!scene",
                "z" * 32 + ".1.0.20260101.x"):
        v = st.session()
        v.cookies.set("dh_ch", bad, path="/s/shop-a")
        r = v.get(st.url(f"{A}/?ch={scene}"))
        assert r.status_code == 200, bad
        assert ch_cookie(r).split(".")[1] == str(cid), bad
    assert "channel: cookie ignored" in st.error_log_text()
    # POST carries no visit: ?ch= on a form post is not a scan.
    v = st.session()
    r = v.post(st.url(f"{A}/login?ch={scene}"), data={})
    assert ch_cookie(r) is None


def test_registration_and_binding_are_attributed(ch_stack, fake):
    from test_dealer_signup import apply, fields
    st = ch_stack
    cid, scene = create(st, owner(st), name="经销商招募", kind="exhibition")
    bcid, _ = create(st, owner(st, "shop-b"), name="乙店", kind="poster",
                     base=B)
    st.sql("DELETE FROM dealer_application WHERE phone LIKE '135551%'")
    v = st.session()
    v.get(st.url(f"{A}/?ch={scene}"))
    r = apply(st, v, fields("13555100001", company="CH渠道测试一"))
    assert r.status_code == 303, r.text[:400]
    assert q1(st, "SELECT channel_id FROM dealer_application WHERE phone = "
              "'13555100001'") == str(cid)
    # No channel, and a cookie naming another shop's channel: none.
    r = apply(st, st.session(), fields("13555100002", company="CH渠道测试二"))
    assert r.status_code == 303
    forged = st.session()
    forged.cookies.set("dh_ch", "0" * 32 + f".{bcid}.0.20260101.",
                       path="/s/shop-a")
    r = apply(st, forged, fields("13555100003", company="CH渠道测试三"))
    assert r.status_code == 303
    assert [tuple(x) for x in st.sql(
        "SELECT phone, channel_id FROM dealer_application WHERE phone IN "
        "('13555100002', '13555100003') ORDER BY phone")] == \
        [("13555100002", None), ("13555100003", None)]
    # A WeChat identity on a logged-in session (as the login code makes
    # them): it gets the visitor's first channel once.
    a = sid(st, "shop-a")
    s = st.login("13900000000", st.password, "shop-a")
    s.cookies.update(v.cookies)
    st.sql(f"""
DELETE FROM wx_identity WHERE openid = 'oCHbind1';
INSERT INTO wx_identity (shop_id, appid, openid, customer_user_id, bound_at)
  SELECT {a}, '{MP_APPID}', 'oCHbind1', id, NOW(3) FROM customer_user
  WHERE shop_id = {a} AND phone = '13900000000';
UPDATE session SET wx_identity_id = LAST_INSERT_ID()
  WHERE shop_id = {a} AND customer_user_id = (SELECT id FROM customer_user
  WHERE shop_id = {a} AND phone = '13900000000') AND kind = 'customer'
  ORDER BY id DESC LIMIT 1;
""")
    r = s.get(st.url(f"{A}/"))
    assert r.status_code == 200
    assert q1(st, "SELECT channel_id FROM wx_identity WHERE openid = "
              "'oCHbind1'") == str(cid)
    assert ch_cookie(r).split(".")[2] != "0"
    assert ch_cookie(s.get(st.url(f"{A}/"))) is None    # once
    st.sql("UPDATE session SET wx_identity_id = NULL WHERE wx_identity_id ="
           " (SELECT id FROM wx_identity WHERE openid = 'oCHbind1')")
    st.sql("DELETE FROM wx_identity WHERE openid = 'oCHbind1'")
    st.sql("DELETE FROM dealer_application WHERE phone LIKE '135551%'")


def test_first_order_of_a_company_is_attributed(ch_stack, fake):
    import orders_kit as ok
    st = ch_stack
    cid, scene = create(st, owner(st), name="首单渠道", kind="sales",
                        staff=str(q1(st, "SELECT id FROM staff WHERE "
                                     "phone = '13800000001' AND shop_id = "
                                     "%d" % sid(st, "shop-a"))))
    k = ok.seed_skus(st, "CHO", {"a": (10000, 100, 1, 1, 0)},
                     visible="ordering,wholesale")
    co, uids = ok.company(st, "CH首单公司", 13612300000)
    co2, uids2 = ok.company(st, "CH无渠道公司", 13612300100)
    st.sql("UPDATE shop SET version = version + 1")
    try:
        buyer = ok.bearer_session(st, "shop-a", uids[0])
        r = buyer.get(st.url(f"{A}/api/v1/products?ch={scene}"))
        assert ch_cookie(r), r.status_code
        for i in range(2):
            assert ok.add(st, buyer, k["a"][0], 3).status_code in (200, 201)
            r = ok.submit(st, buyer, terms="monthly")
            assert r.status_code in (200, 201), r.text[:400]
        rows = st.sql(f"SELECT channel_id, total_fen FROM sales_order WHERE "
                      f"customer_id = {co} ORDER BY id")
        assert [x[0] for x in rows] == [str(cid), None]
        assert int(rows[0][1]) == 30000
        other = ok.bearer_session(st, "shop-a", uids2[0])
        assert ok.add(st, other, k["a"][0], 1).status_code in (200, 201)
        assert ok.submit(st, other, terms="monthly").status_code in (200,
                                                                      201)
        assert q1(st, f"SELECT channel_id FROM sales_order WHERE "
                  f"customer_id = {co2}") is None
    finally:
        ok.drop_companies(st, "c.name LIKE 'CH%公司'")
        ok.drop_skus(st, "CHO")


# -- 3. the official account's callback ------------------------------------

MP_TOKEN = "chantoken123"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.fixture
def mp(ch_stack):
    from wechat_kit import put_secret
    a = sid(ch_stack, "shop-a")
    put_secret(ch_stack, a, "mp_token", MP_TOKEN + "\n")
    put_secret(ch_stack, a, "mp_aes_key", AES_KEY)
    ch_stack.sql("DELETE FROM wx_mp_seen")
    return ch_stack


def signed(token=MP_TOKEN, ts=None, nonce="nonce42", encrypt=None):
    import hashlib
    import time
    ts = str(int(time.time())) if ts is None else str(ts)
    q = {"timestamp": ts, "nonce": nonce, "openid": "oX"}
    q["signature"] = hashlib.sha1("".join(sorted([token, ts, nonce]))
                                  .encode()).hexdigest()
    if encrypt is not None:
        q["encrypt_type"] = "aes"
        q["msg_signature"] = hashlib.sha1("".join(sorted(
            [token, ts, nonce, encrypt])).encode()).hexdigest()
    return q


def event(openid, event_name, key, ts="1700000001"):
    return ("<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{ts}</CreateTime>"
            "<MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event_name}]]></Event>"
            f"<EventKey><![CDATA[{key}]]></EventKey>"
            "<Ticket><![CDATA[TICKET]]></Ticket></xml>")


def encrypt(msg, appid=MP_APPID, pad=None, key=AES_KEY):
    import base64
    import os
    import struct
    from cryptography.hazmat.primitives.ciphers import (Cipher, algorithms,
                                                        modes)
    k = base64.b64decode(key + "=")
    body = msg.encode()
    p = os.urandom(16) + struct.pack(">I", len(body)) + body + \
        appid.encode()
    n = 32 - len(p) % 32 if pad is None else pad
    p += bytes([n % 256]) * (n if 0 < n <= 32 else (32 - len(p) % 32 or 32))
    e = Cipher(algorithms.AES(k), modes.CBC(k[:16])).encryptor()
    return base64.b64encode(e.update(p) + e.finalize()).decode()


def callback(stack, q, body=None, base=A):
    s = stack.session()
    url = stack.url(f"{base}/wechat/callback")
    if body is None:
        return s.get(url, params=q)
    return s.post(url, params=q, data=body.encode(),
                  headers={"Content-Type": "text/xml"})


def identity(stack, openid):
    r = stack.sql(f"SELECT channel_id FROM wx_identity WHERE openid = "
                  f"'{openid}' AND appid = '{MP_APPID}'")
    return r[0][0] if r else "absent"


def test_url_verification(mp, fake):
    st = mp
    q = dict(signed(), echostr="echo-8f3a")
    r = callback(st, q)
    assert r.status_code == 200 and r.text == "echo-8f3a"
    assert r.headers["Content-Type"].startswith("text/plain")
    forged = dict(q, signature="0" * 40)
    assert callback(st, forged).status_code == 403
    assert callback(st, dict(signed(token="other"), echostr="e")) \
        .status_code == 403
    assert callback(st, dict(signed(ts=1700000000), echostr="e")) \
        .status_code == 403                 # stale
    assert callback(st, {"echostr": "e"}).status_code == 403
    assert callback(st, dict(q, nonce="changed")).status_code == 403
    log = st.error_log_text()
    assert "wx_mp: forged or missing signature" in log
    assert "wx_mp: stale timestamp" in log
    assert MP_TOKEN not in log
    # A shop without a Token: not configured, not an echo.
    r = callback(st, dict(signed(), echostr="e"), base=B)
    assert r.status_code == 409 and "e" != r.text


def test_subscribe_and_scan_attribute_the_openid_once(mp, fake):
    st = mp
    cid, scene = create(st, owner(st), name="关注海报", kind="poster")
    cid2, scene2 = create(st, owner(st), name="第二海报", kind="poster")
    st.sql("DELETE FROM wx_identity WHERE openid LIKE 'oCHmp%'")
    body = event("oCHmp1", "subscribe", "qrscene_" + scene)
    r = callback(st, signed(), body)
    assert r.status_code == 200 and r.text == "success"
    assert identity(st, "oCHmp1") == str(cid)
    assert visits(st, cid) == 1
    assert q1(st, f"SELECT source FROM channel_visit WHERE channel_id = "
              f"{cid}") == "mp"
    # WeChat's retry of the same event: answered, counted once.
    for _ in range(2):
        r = callback(st, signed(nonce="retry"), body)
        assert r.status_code == 200 and r.text == "success"
    assert visits(st, cid) == 1
    assert "replay ignored" in st.error_log_text()
    # Already following, scans another channel's code: a visit there, the
    # first touch stays.
    r = callback(st, signed(), event("oCHmp1", "SCAN", scene2,
                                     ts="1700000002"))
    assert r.text == "success"
    assert visits(st, cid2) == 1 and identity(st, "oCHmp1") == str(cid)
    # A plain subscribe, an unknown or malformed scene, other events and
    # a text message: acknowledged, nothing recorded.
    n = int(q1(st, "SELECT COUNT(*) FROM channel_visit"))
    for i, b in enumerate([
            event("oCHmp2", "subscribe", "", ts="1700000003"),
            event("oCHmp3", "subscribe", "qrscene_nosuch", ts="1700000004"),
            event("oCHmp4", "SCAN", "bad scene!", ts="1700000005"),
            event("oCHmp5", "SCAN", "x" * 40, ts="1700000006"),
            event("oCHmp6", "unsubscribe", "", ts="1700000007"),
            "<xml><ToUserName>gh</ToUserName><FromUserName>oCHmp7"
            "</FromUserName><CreateTime>1</CreateTime><MsgType>text"
            "</MsgType><Content>你好</Content><MsgId>123456789</MsgId></xml>"]):
        r = callback(st, signed(), b)
        assert r.status_code == 200 and r.text == "success", i
    assert int(q1(st, "SELECT COUNT(*) FROM channel_visit")) == n
    for o in ("oCHmp3", "oCHmp4", "oCHmp5"):
        assert identity(st, o) == "absent"
    assert "scan with unknown scene ignored scene=nosuch" in \
        st.error_log_text()
    assert int(q1(st, "SELECT COUNT(*) FROM wx_mp_seen WHERE msg_key = "
                  "'m:123456789'")) == 1


def test_forged_and_bad_posts(mp, fake):
    st = mp
    cid, scene = create(st, owner(st), name="伪造测试", kind="poster")
    body = event("oCHforge", "subscribe", "qrscene_" + scene,
                 ts="1700000100")
    n = int(q1(st, "SELECT COUNT(*) FROM wx_mp_seen"))
    for q in (dict(signed(), signature="f" * 40), signed(token="x"),
              signed(ts=1700000000), {}):
        assert callback(st, q, body).status_code == 403
    assert identity(st, "oCHforge") == "absent"
    assert int(q1(st, "SELECT COUNT(*) FROM wx_mp_seen")) == n
    for bad in ("not xml", "{\"a\": 1}", "<other/>",
                '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM '
                '"file:///etc/passwd">]><xml><FromUserName>&e;'
                "</FromUserName></xml>",
                "<xml><FromUserName>o CH</FromUserName><CreateTime>1"
                "</CreateTime></xml>",
                "<xml><FromUserName>oCH</FromUserName></xml>"):
        r = callback(st, signed(), bad)
        assert r.status_code == 400, bad
    assert "root:" not in st.error_log_text()


def test_safe_mode(mp, fake):
    st = mp
    cid, scene = create(st, owner(st), name="安全模式", kind="exhibition")
    st.sql("DELETE FROM wx_identity WHERE openid LIKE 'oCHaes%'")

    def envelope(enc):
        return ("<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
                f"<Encrypt><![CDATA[{enc}]]></Encrypt></xml>")
    enc = encrypt(event("oCHaes1", "subscribe", "qrscene_" + scene,
                        ts="1700000200"))
    r = callback(st, signed(encrypt=enc), envelope(enc))
    assert r.status_code == 200 and r.text == "success", r.text
    assert identity(st, "oCHaes1") == str(cid)
    # Refused: a wrong msg_signature, an Encrypt changed after signing,
    # another appid inside, bad padding, another key.
    inner = event("oCHaes2", "subscribe", "qrscene_" + scene,
                  ts="1700000201")
    good = encrypt(inner)
    flipped = good[:20] + ("A" if good[20] != "A" else "B") + good[21:]
    cases = [
        (dict(signed(encrypt=good), msg_signature="0" * 40), good),
        (signed(encrypt=good), flipped),
        (signed(encrypt=flipped), flipped),
    ]
    other = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg"
    for e in (encrypt(inner, appid="wx00000000000000cc"),
              encrypt(inner, pad=0), encrypt(inner, pad=33),
              "bm90IGJsb2Nrcw==", encrypt(inner, key=other)):
        cases.append((signed(encrypt=e), e))
    for i, (q, e) in enumerate(cases):
        r = callback(st, q, envelope(e))
        assert r.status_code == 403, (i, r.status_code, r.text)
    assert identity(st, "oCHaes2") == "absent"
    log = st.error_log_text()
    assert "wx_mp: safe-mode message refused: another appid" in log
    assert "wx_mp: safe-mode message refused: bad padding" in log
    assert "wx_mp: forged or missing msg_signature" in log
    assert AES_KEY not in log


# -- 4. the channel report -------------------------------------------------

def report_row(text, week, name):
    m = re.search(r"<tr><td>%s</td><td><a href=\"[^\"]+\">%s</a></td>"
                  r"((?:<td class=\"num\"[^>]*>[^<]*</td>){5})</tr>"
                  % (week, re.escape(name)), text)
    if not m:
        return None
    return re.findall(r">([^<]*)</td>", m.group(1))


def test_report_counts_each_thing_once_per_week(mp, fake):
    import orders_kit as ok
    from test_dealer_signup import apply, fields
    st = mp
    cid, scene = create(st, owner(st), name="报表渠道", kind="exhibition")
    week = q1(st, "SELECT DATE_FORMAT(DATE(UTC_TIMESTAMP() + INTERVAL 8 "
              "HOUR) - INTERVAL WEEKDAY(DATE(UTC_TIMESTAMP() + INTERVAL 8 "
              "HOUR)) DAY, '%Y-%m-%d')")
    last = q1(st, f"SELECT DATE_FORMAT('{week}' - INTERVAL 7 DAY, "
              "'%Y-%m-%d')")
    st.sql("DELETE FROM dealer_application WHERE phone LIKE '135552%'")
    k = ok.seed_skus(st, "CHR", {"a": (10000, 100, 1, 1, 0)},
                     visible="ordering,wholesale")
    co, uids = ok.company(st, "CH报表公司", 13612300200)
    st.sql("UPDATE shop SET version = version + 1")
    try:
        # Visits: two browsers (one twice), one official-account scan.
        v = st.session()
        v.get(st.url(f"{A}/?ch={scene}"))
        v.get(st.url(f"{A}/?ch={scene}"))
        st.session().get(st.url(f"{A}/?ch={scene}"))
        assert callback(st, signed(), event(
            "oCHrep1", "subscribe", "qrscene_" + scene,
            ts="1700000300")).text == "success"
        # A registration from the first browser.
        assert apply(st, v, fields("13555200001", company="CH报表申请")) \
            .status_code == 303
        # A binding: the scanned identity bound to a customer user.
        st.sql(f"UPDATE wx_identity SET customer_user_id = {uids[0]}, "
               "bound_at = NOW(3) WHERE openid = 'oCHrep1'")
        # The company's first order (and a second, not counted).
        buyer = ok.bearer_session(st, "shop-a", uids[0])
        buyer.get(st.url(f"{A}/api/v1/products?ch={scene}"))
        for qty in (3, 1):
            assert ok.add(st, buyer, k["a"][0], qty).status_code in (200,
                                                                     201)
            assert ok.submit(st, buyer, terms="monthly").status_code in (
                200, 201)
        # One visit of last week.
        st.sql(f"INSERT INTO channel_visit (channel_id, day, visitor, "
               f"shop_id) VALUES ({cid}, '{last}' + INTERVAL 2 DAY, "
               f"'vold', {sid(st, 'shop-a')})")
        s = owner(st)
        r = s.get(st.url(f"{A}/admin/channels/report"))
        assert r.status_code == 200
        # The bearer's visit is a fourth visitor (no cookie of v's).
        assert report_row(r.text, week, "报表渠道") == \
            ["4", "1", "1", "1", "¥300.00"], r.text[-3000:]
        assert report_row(r.text, last, "报表渠道") == \
            ["1", "0", "0", "0", "¥0.00"]
        assert 'data-fen="30000"' in r.text
        # Filters: last week only; a range with nothing.
        sun = q1(st, f"SELECT DATE_FORMAT('{last}' + INTERVAL 6 DAY, "
                 "'%Y-%m-%d')")
        r = s.get(st.url(f"{A}/admin/channels/report?from={last}&to={sun}"))
        assert report_row(r.text, week, "报表渠道") is None
        assert report_row(r.text, last, "报表渠道")[0] == "1"
        r = s.get(st.url(f"{A}/admin/channels/report?from=2020-01-01&"
                         "to=2020-01-31"))
        assert r.status_code == 200 and "这段时间没有渠道带来的访客" in r.text
        # XLSX.
        x = s.get(st.url(f"{A}/admin/channels/report.xlsx?from={last}"
                         f"&to={week}"))
        assert x.status_code == 200 and x.content[:2] == b"PK"
        assert "attachment" in x.headers["Content-Disposition"]
        import io
        import zipfile
        z = zipfile.ZipFile(io.BytesIO(x.content))
        shared = "".join(z.read(n).decode() for n in z.namelist()
                         if n.startswith("xl/") and n.endswith(".xml"))
        assert "报表渠道" in shared and "渠道报表" in shared
        # Bad ranges.
        for q in ("from=2026-02-30", "from=x", "to=2026-13-01",
                  "from=2026-03-02&to=2026-03-01",
                  "from=2024-01-01&to=2026-01-01", "from=20260101"):
            r = s.get(st.url(f"{A}/admin/channels/report?{q}"))
            assert r.status_code == 400, q
        # Another shop's report has none of it; warehouse may not see it.
        b = owner(st, "shop-b")
        assert "报表渠道" not in b.get(st.url(f"{B}/admin/channels/report")) \
            .text
        w = st.login(WAREHOUSE_PHONE, st.password, "shop-a", staff=True)
        assert w.get(st.url(f"{A}/admin/channels/report")).status_code == 403
    finally:
        st.sql("UPDATE wx_identity SET customer_user_id = NULL "
               "WHERE openid = 'oCHrep1'")
        ok.drop_companies(st, "c.name LIKE 'CH%公司'")
        ok.drop_skus(st, "CHR")
        st.sql("DELETE FROM dealer_application WHERE phone LIKE '135552%'")
