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
