"""微信客服 conversations through nginx against the fake WeCom API
(tests/fake/wxkf.py): the callback (URL check; forged, stale, replayed,
undecryptable refused), the kf.pull job (cursor kept, has_more pages,
empty pages, repeated pages stored once, one puller at a time), linking
by unionid and by staff, replies inside the window reaching the fake and
outside it or over the limit refused with nothing sent, tenancy, sales
scope, HTML escaped, the ticket step and the settings page
(docs/wechat-kf.md)."""

import html
import threading

from conftest import wait_until
from helpers import get_csrf
from kf_kit import (AES, CORP, KFID, SECRET, TOKEN, callback_url, conv_id, count,
                    event, kf, kf_fake, kf_stack, now, post_callback,  # noqa
                    pulled, text, wait_pulled, wxkf)
from test_admin_catalog import png

ADMIN = "/s/shop-a/admin"


def staff(stack, phone=None, shop="shop-a"):
    return stack.login(phone or stack.owner_phone, stack.password, shop,
                       staff=True)


def conv_url(cid, rest="", shop="shop-a"):
    return f"/s/{shop}/admin/service/kf/{cid}{rest}"


def reply(stack, s, cid, files=None, **data):
    csrf = get_csrf(stack, s, conv_url(cid))
    data.setdefault("kind", "text")
    return s.post(stack.url(conv_url(cid, "/reply")), allow_redirects=False,
                  data=dict(data, csrf=csrf), files=files)


def syncs(fake):
    return fake.requests()["syncs"]


# -- the callback --------------------------------------------------------

def test_url_check_answers_the_decrypted_echostr(kf_stack, kf):
    q = wxkf.verify_request(TOKEN, AES, CORP, "1234567890123456789")
    r = kf_stack.session().get(callback_url(kf_stack), params=q)
    assert r.status_code == 200, r.text
    assert r.text == "1234567890123456789"
    q["msg_signature"] = "f" * 40
    r = kf_stack.session().get(callback_url(kf_stack), params=q)
    assert r.status_code == 403


def test_forged_stale_and_undecryptable_callbacks_are_refused(kf_stack, kf):
    for kw, why in (({"tamper": 1}, "forged msg_signature"),
                    ({"timestamp": now() - 3600}, "stale timestamp"),
                    ({"wrong_key": 1}, "")):
        r = post_callback(kf_stack, kf, **kw)
        assert r["status"] == 403, (kw, r)
        if why:
            assert why in kf_stack.error_log_text()
    assert "kf: callback refused" in kf_stack.error_log_text()
    assert not kf_stack.sql("SELECT * FROM kf_sync")
    assert not kf_stack.sql("SELECT id FROM job WHERE kind = 'kf.pull'")
    assert syncs(kf) == []


def test_callback_pulls_every_page_once_and_keeps_the_cursor(kf_stack, kf):
    kf.control("message", {"open_kfid": KFID, "msgs": [
        event("EV1", "enter_session", "wmC1", scene="menu",
              scene_param="x"),
        text("M1", "wmC1", "我的订单到哪了"),
        {"msgid": "M2", "external_userid": "wmC1", "origin": 3,
         "msgtype": "image", "image": {"media_id": "MEDIA0001"}},
        text("M3", "wmC1", "查询物流"),
        text("M4", "wmC1", "已为您查询", origin=5),
    ]})
    r = post_callback(kf_stack, kf)
    assert r["status"] == 200, r
    wait_pulled(kf_stack, 5)
    assert [s["cursor"] for s in syncs(kf)] == ["", "C2", "C4"]
    assert syncs(kf)[0]["token"] is not None    # the callback's Token
    assert kf_stack.sql(f"SELECT next_cursor FROM kf_sync WHERE open_kfid "
                        f"= '{KFID}'") == [("C5",)]
    cid = conv_id(kf_stack, "wmC1")
    row = kf_stack.sql(f"SELECT scene, last_customer_at > 0 FROM kf_conv "
                       f"WHERE id = {cid}")
    assert row == [("menu", "1")]
    # The same callback again: refused, nothing pulled.
    n = len(syncs(kf))
    again = kf_stack.session().post(
        callback_url(kf_stack), params=r["query"], data=r["data"].encode())
    assert again.status_code == 403
    assert "replayed" in kf_stack.error_log_text()
    assert len(syncs(kf)) == n
    # A new callback pulls from the stored cursor, and a page that
    # repeats a message seen before stores it once.
    kf.control("message", {"open_kfid": KFID, "msgs": [
        text("M5", "wmC1", "还在吗")]})
    kf.control("config", {"repeat": 1})
    assert post_callback(kf_stack, kf)["status"] == 200
    wait_pulled(kf_stack, 6)
    assert syncs(kf)[-1]["cursor"] == "C5"
    assert count(kf_stack) == 6
    assert count(kf_stack, "msgid = 'M4'") == 1


def test_empty_page_with_has_more_keeps_pulling(kf_stack, kf):
    kf.control("message", {"open_kfid": KFID, "msgs": [
        text("E1", "wmE1", "一"), text("E2", "wmE1", "二"),
        text("E3", "wmE1", "三")]})
    kf.control("config", {"empty_page": 1})
    assert post_callback(kf_stack, kf)["status"] == 200
    wait_pulled(kf_stack, 3)
    # The empty page's next_cursor is where the next page starts.
    assert [s["cursor"] for s in syncs(kf)] == ["", "C0", "C2"]


def test_expired_sync_token_is_retried_without_it(kf_stack, kf):
    kf.control("message", {"open_kfid": KFID, "msgs": [
        text("T1", "wmT1", "hi")]})
    kf.control("fail", {"path": "/cgi-bin/kf/sync_msg", "errcode": 95007})
    assert post_callback(kf_stack, kf)["status"] == 200
    wait_pulled(kf_stack, 1)
    s = syncs(kf)
    assert s[-1]["token"] is None and s[-1]["cursor"] == ""


def test_two_pullers_never_fetch_a_page_twice(kf_stack, kf):
    kf.control("message", {"open_kfid": KFID, "msgs": [
        text(f"P{i}", "wmP1", f"第{i}条") for i in range(6)]})
    kf.control("config", {"sync_delay": 0.4})
    assert post_callback(kf_stack, kf)["status"] == 200
    wait_until(lambda: len(syncs(kf)) >= 1, 10)
    # A second puller (another host's runner, or a job claimed again):
    # a job of its own, run beside the stack's runner.
    kf_stack.sql("INSERT INTO job (shop_id, kind, payload) VALUES "
                 f"({kf_stack.kf_shop}, 'kf.pull', "
                 f"'{{\"open_kfid\":\"{KFID}\"}}')")
    out = {}

    def run():
        out["r"] = kf_stack.run("jobs", "run", "--once", check=False)
    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    wait_pulled(kf_stack, 6, timeout=30)
    cursors = [s["cursor"] for s in syncs(kf)]
    assert cursors == ["", "C2", "C4"], cursors
    assert count(kf_stack) == 6
    kf.control("config", {"sync_delay": 0.0})


# -- who the customer is -------------------------------------------------

def test_unionid_links_the_customer_user(kf_stack, kf):
    sid = kf_stack.kf_shop
    uid = kf_stack.sql(f"SELECT id FROM customer_user WHERE shop_id = {sid} "
                       f"AND phone = '{kf_stack.buyer_phone}'")[0][0]
    kf_stack.sql("INSERT INTO wx_identity (shop_id, appid, openid, unionid, "
                 f"customer_user_id, bound_at) VALUES ({sid}, "
                 f"'wxkftest00000001', 'oKFTEST1', 'uKFUNION1', {uid}, "
                 "NOW(3))")
    try:
        kf.control("customer", {"external_userid": "wmU1",
                                "nickname": "老王", "unionid": "uKFUNION1"})
        kf.control("message", {"open_kfid": KFID, "msgs": [
            text("U1", "wmU1", "在吗")]})
        assert post_callback(kf_stack, kf)["status"] == 200
        wait_until(lambda: kf_stack.sql(
            "SELECT customer_user_id, linked_by, nickname FROM kf_conv "
            "WHERE external_userid = 'wmU1'") == [(uid, "unionid", "老王")],
            15, message=kf_stack.logs_tail)
    finally:
        kf_stack.sql("DELETE FROM wx_identity WHERE openid = 'oKFTEST1'")


def test_staff_link_in_one_tap(kf_stack, kf):
    kf.control("message", {"open_kfid": KFID, "msgs": [
        text("L1", "wmL1", "你好")]})
    assert post_callback(kf_stack, kf)["status"] == 200
    wait_pulled(kf_stack, 1)
    cid = conv_id(kf_stack, "wmL1")
    s = staff(kf_stack)
    r = s.get(kf_stack.url(conv_url(cid)), params={"uq": "1390000"})
    assert r.status_code == 200
    uid = kf_stack.sql("SELECT id FROM customer_user WHERE shop_id = "
                       f"{kf_stack.kf_shop} AND phone = "
                       f"'{kf_stack.buyer_phone}'")[0][0]
    assert f'name="user_id" value="{uid}"' in r.text
    r = s.post(kf_stack.url(conv_url(cid, "/link")), allow_redirects=False,
               data={"user_id": uid, "csrf": get_csrf(kf_stack, s,
                                                      conv_url(cid))})
    assert r.status_code == 303, r.text
    assert kf_stack.sql(f"SELECT customer_user_id, linked_by FROM kf_conv "
                        f"WHERE id = {cid}") == [(uid, "staff")]
    # Another shop's user is not one to link to.
    other = kf_stack.sql("SELECT u.id FROM customer_user u JOIN shop s ON "
                         "s.id = u.shop_id WHERE s.slug = 'shop-b' "
                         "LIMIT 1")[0][0]
    r = s.post(kf_stack.url(conv_url(cid, "/link")), allow_redirects=False,
               data={"user_id": other, "csrf": get_csrf(kf_stack, s,
                                                        conv_url(cid))})
    assert r.status_code == 400
    assert kf_stack.sql(f"SELECT customer_user_id FROM kf_conv WHERE id = "
                        f"{cid}") == [(uid,)]


# -- replies and the window ----------------------------------------------

def one_conversation(stack, fake, user, at=None):
    fake.control("message", {"open_kfid": KFID, "msgs": [
        text(f"{user}-1", user, "<script>alert(1)</script>&<b>hi</b>",
             at=at)]})
    assert post_callback(stack, fake)["status"] == 200
    wait_pulled(stack, 1)
    return conv_id(stack, user)


def test_reply_inside_the_window_reaches_the_fake(kf_stack, kf):
    cid = one_conversation(kf_stack, kf, "wmR1")
    s = staff(kf_stack)
    r = reply(kf_stack, s, cid, text="您的订单已发货")
    assert r.status_code == 303, r.text
    sent = kf.requests()["sent"]
    assert len(sent) == 1 and sent[0]["touser"] == "wmR1"
    assert sent[0]["text"] == {"content": "您的订单已发货"}
    assert sent[0]["msgid"].startswith("dh")
    assert kf_stack.sql(f"SELECT status, msgid FROM kf_msg WHERE conv_id = "
                        f"{cid} AND origin = 0") == [("sent",
                                                      sent[0]["msgid"])]
    # A picture: through the image helper, uploaded, then sent.
    r = reply(kf_stack, s, cid, kind="image",
              files={"image": ("p.png", png(64, 48), "image/png")})
    assert r.status_code == 303, r.text
    assert len(kf.requests()["uploads"]) == 1
    assert kf.requests()["sent"][-1]["msgtype"] == "image"
    page = s.get(kf_stack.url(conv_url(cid))).text
    assert "还能发 <b>3</b> 条" in page


def test_product_link_card(kf_stack, kf):
    sid = kf_stack.kf_shop
    kf_stack.sql("INSERT INTO product (shop_id, code, name, unit, "
                 f"description) VALUES ({sid}, 'KF-P1', '客服测试<品>', '件', "
                 "'')")
    pid = int(kf_stack.sql("SELECT id FROM product WHERE code = 'KF-P1'")
              [0][0])
    d = kf_stack.uploads_dir / str(sid)
    d.mkdir(parents=True, exist_ok=True)
    (d / "kftest0001.png").write_bytes(png(64, 48))
    kf_stack.sql("INSERT INTO product_image (shop_id, product_id, path, "
                 f"thumb_path, width, height, sort) VALUES ({sid}, {pid}, "
                 f"'{sid}/kftest0001.png', '{sid}/kftest0001.png', 64, 48, "
                 "-100)")
    pid = [(pid,)]
    cid = one_conversation(kf_stack, kf, "wmR2")
    s = staff(kf_stack)
    r = s.get(kf_stack.url(conv_url(cid)), params={"pq": kf_stack.sql(
        f"SELECT code FROM product WHERE id = {pid[0][0]}")[0][0]})
    assert f'name="product_id" value="{pid[0][0]}"' in r.text
    r = reply(kf_stack, s, cid, kind="link", product_id=pid[0][0])
    assert r.status_code == 303, r.text
    m = kf.requests()["sent"][-1]
    assert m["msgtype"] == "link"
    assert m["link"]["url"].endswith(f"/products/{pid[0][0]}")
    assert m["link"]["thumb_media_id"].startswith("MEDIA")
    # The same picture again: the media_id kept, not uploaded twice.
    assert reply(kf_stack, s, cid, kind="link",
                 product_id=pid[0][0]).status_code == 303
    assert len(kf.requests()["uploads"]) == 1
    kf_stack.sql("DELETE FROM product WHERE code = 'KF-P1'")


def test_sixth_reply_is_refused_and_nothing_sent(kf_stack, kf):
    cid = one_conversation(kf_stack, kf, "wmR3")
    s = staff(kf_stack)
    for i in range(5):
        assert reply(kf_stack, s, cid, text=f"第{i}条").status_code == 303
    assert len(kf.requests()["sent"]) == 5
    r = reply(kf_stack, s, cid, text="第六条")
    assert r.status_code == 409
    assert "5 条" in html.unescape(r.text)
    r = reply(kf_stack, s, cid, kind="image",
              files={"image": ("p.png", png(64, 48), "image/png")})
    assert r.status_code == 409
    assert len(kf.requests()["sent"]) == 5
    assert kf.requests()["uploads"] == []
    assert count(kf_stack, f"conv_id = {cid} AND origin = 0") == 5
    # The customer writes again: a new allowance.
    kf.control("message", {"open_kfid": KFID, "msgs": [
        text("wmR3-2", "wmR3", "好的")]})
    assert post_callback(kf_stack, kf)["status"] == 200
    wait_pulled(kf_stack, 7)
    assert reply(kf_stack, s, cid, text="收到").status_code == 303
    assert len(kf.requests()["sent"]) == 6


def test_reply_outside_48_hours_is_refused_and_nothing_sent(kf_stack, kf):
    cid = one_conversation(kf_stack, kf, "wmR4", at=now() - 49 * 3600)
    s = staff(kf_stack)
    page = s.get(kf_stack.url(conv_url(cid))).text
    assert "超过 48 小时" in page
    r = reply(kf_stack, s, cid, text="还在吗")
    assert r.status_code == 409
    assert "48 小时" in html.unescape(r.text)
    assert kf.requests()["sent"] == []
    assert count(kf_stack, f"conv_id = {cid} AND origin = 0") == 0


def test_the_platform_refusing_is_recorded(kf_stack, kf):
    cid = one_conversation(kf_stack, kf, "wmR5")
    kf.control("state", {"open_kfid": KFID, "external_userid": "wmR5",
                         "state": 3})
    s = staff(kf_stack)
    r = reply(kf_stack, s, cid, text="您好")
    assert r.status_code == 409
    assert kf_stack.sql(f"SELECT status, errcode FROM kf_msg WHERE conv_id "
                        f"= {cid} AND origin = 0") == [("failed", "95018")]


# -- the console ---------------------------------------------------------

def test_messages_are_escaped(kf_stack, kf):
    cid = one_conversation(kf_stack, kf, "wmH1")
    s = staff(kf_stack)
    page = s.get(kf_stack.url(conv_url(cid))).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    lst = s.get(kf_stack.url(f"{ADMIN}/service/kf")).text
    assert "<script>alert(1)" not in lst and "&lt;script&gt;" in lst


def test_list_filters_and_empty_state(kf_stack, kf):
    s = staff(kf_stack)
    r = s.get(kf_stack.url(f"{ADMIN}/service/kf"))
    assert r.status_code == 200 and "还没有微信客服会话" in r.text
    one_conversation(kf_stack, kf, "wmF1")
    r = s.get(kf_stack.url(f"{ADMIN}/service/kf"), params={"linked": "1"})
    assert "没有符合条件的会话" in r.text
    r = s.get(kf_stack.url(f"{ADMIN}/service/kf"), params={"linked": "0"})
    assert "未关联客户" in r.text


def test_another_shops_conversation_is_404(kf_stack, kf):
    cid = one_conversation(kf_stack, kf, "wmX1")
    b = staff(kf_stack, shop="shop-b")
    assert b.get(kf_stack.url(conv_url(cid, shop="shop-b"))).status_code \
        == 404
    csrf = get_csrf(kf_stack, b, "/s/shop-b/admin/settings/wechat/kf")
    r = b.post(kf_stack.url(conv_url(cid, "/reply", shop="shop-b")),
               data={"kind": "text", "text": "x", "csrf": csrf})
    assert r.status_code == 404
    assert kf.requests()["sent"] == []


def test_sales_see_only_their_customers(kf_stack, kf):
    cid = one_conversation(kf_stack, kf, "wmS1")
    sales = staff(kf_stack, kf_stack.sales_phone)
    assert sales.get(kf_stack.url(conv_url(cid))).status_code == 404
    lst = sales.get(kf_stack.url(f"{ADMIN}/service/kf"))
    assert lst.status_code == 200 and conv_url(cid) not in lst.text


def test_conversation_becomes_a_ticket(kf_stack, kf):
    cid = one_conversation(kf_stack, kf, "wmK1")
    s = staff(kf_stack)
    csrf = get_csrf(kf_stack, s, conv_url(cid))
    # Not linked to a customer yet: refused, nothing made.
    r = s.post(kf_stack.url(conv_url(cid, "/ticket")),
               allow_redirects=False, data={"csrf": csrf})
    assert r.status_code == 409 and "先把会话关联到客户" in r.text
    assert kf_stack.sql(f"SELECT ticket_id FROM kf_conv WHERE id = "
                        f"{cid}") == [(None,)]
    uid = kf_stack.sql(f"SELECT id FROM customer_user WHERE shop_id = "
                       f"{kf_stack.kf_shop} AND phone = "
                       f"'{kf_stack.buyer_phone}'")[0][0]
    r = s.post(kf_stack.url(conv_url(cid, "/link")), allow_redirects=False,
               data={"user_id": uid, "csrf": csrf})
    assert r.status_code == 303, r.text
    for _ in range(2):              # twice: the same ticket
        r = s.post(kf_stack.url(conv_url(cid, "/ticket")),
                   allow_redirects=False, data={"csrf": csrf})
        assert r.status_code == 303, r.text
    tid = kf_stack.sql(f"SELECT ticket_id FROM kf_conv WHERE id = "
                       f"{cid}")[0][0]
    assert tid is not None
    assert r.headers["Location"] == f"/s/shop-a/admin/service/tickets/{tid}"
    assert kf_stack.sql(f"SELECT COUNT(*) FROM ticket WHERE id = {tid} AND "
                        f"customer_user_id = {uid} AND source = 'kf' AND "
                        f"kind = 'question'") == [("1",)]
    assert kf_stack.sql(f"SELECT ticket_id FROM kf_ticket_request WHERE "
                        f"conv_id = {cid}") == [(tid,)]
    # The conversation's messages are the ticket's opening message,
    # escaped on the staff's ticket page.
    body = kf_stack.sql(f"SELECT body FROM ticket_event WHERE ticket_id = "
                        f"{tid} AND kind = 'opened'")[0][0]
    assert "客户：<script>alert(1)</script>&<b>hi</b>" in body
    page = s.get(kf_stack.url(f"/s/shop-a/admin/service/tickets/{tid}")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


# -- settings ------------------------------------------------------------

def test_settings_accounts_and_contact_links(kf_stack, kf):
    s = staff(kf_stack)
    path = f"{ADMIN}/settings/wechat/kf"
    r = s.get(kf_stack.url(path))
    assert r.status_code == 200
    assert SECRET not in r.text and AES not in r.text and TOKEN not in r.text
    assert "/s/shop-a/wechat/kf/callback" in r.text
    r = s.post(kf_stack.url(path), allow_redirects=False,
               data={"corp_id": CORP, "aes_key": "short",
                     "csrf": get_csrf(kf_stack, s, path)})
    assert r.status_code == 400 and "43" in r.text
    r = s.post(kf_stack.url(path + "/accounts"), allow_redirects=False,
               data={"csrf": get_csrf(kf_stack, s, path)})
    assert r.status_code == 303, r.text
    aid = kf_stack.sql(f"SELECT id FROM kf_account WHERE open_kfid = "
                       f"'{KFID}'")[0][0]
    r = s.post(kf_stack.url(path + "/contacts"), allow_redirects=False,
               data={"account_id": aid, "scene": "menu",
                     "label": "公众号菜单",
                     "csrf": get_csrf(kf_stack, s, path)})
    assert r.status_code == 303, r.text
    page = s.get(kf_stack.url(path)).text
    assert "公众号菜单" in page and "data:image/svg+xml;base64," in page
    assert "enc_scene=ENCmenu" in page
    # The queue names where the customer came from.
    kf.control("message", {"open_kfid": KFID, "msgs": [
        event("EVM", "enter_session", "wmM1", scene="menu"),
        text("MM1", "wmM1", "你好")]})
    assert post_callback(kf_stack, kf)["status"] == 200
    wait_pulled(kf_stack, 2)
    lst = s.get(kf_stack.url(f"{ADMIN}/service/kf")).text
    assert "来自 公众号菜单" in lst
    # Sales may not open the settings.
    sales = staff(kf_stack, kf_stack.sales_phone)
    assert sales.get(kf_stack.url(path)).status_code == 403
