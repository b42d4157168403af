"""Notices in WeChat (domain/wx_message.c) through nginx, against the fake
WeChat server: the shop maps events to templates on 设置 › 微信消息; an
order's events reach the user who logged in through the mini-program as
a subscribe message (or through the official account as a template
message), once per event; 43101 (the user refused) is recorded and never
retried; a passing error waits and is sent later; a user without WeChat
is skipped; the back office lists what was sent to whom.

The module makes the company WN… and products WN-*."""


import pytest

from helpers import get_csrf
from orders_kit import (add, bearer_session, company, drop_companies,
                        drop_skus, one, seed_skus, submit)
from wechat_kit import MINI_APPID, MP_APPID, fake, wx_stack  # noqa: F401
from conftest import wait_until

A = "/s/shop-a"
SUB = "/cgi-bin/message/subscribe/send"
TPL = "/cgi-bin/message/template/send"


@pytest.fixture(scope="module")
def owner(wx_stack):
    return wx_stack.login(wx_stack.owner_phone, wx_stack.password, "shop-a",
                          staff=True)


def save_template(stack, owner, event, app, **fields):
    data = {"csrf": get_csrf(stack, owner,
                             f"{A}/admin/settings/wechat/templates"),
            "event": event, "app": app, "template_id": f"TPL_{event}_{app}",
            "fields": "thing1={title}\ncharacter_string2={order_no}\n"
                      "amount3={amount}\nthing4={body}",
            "page": "pages/order/detail", "enabled": "1"}
    data.update(fields)
    return owner.post(stack.url(f"{A}/admin/settings/wechat/templates"),
                      data=data, allow_redirects=False)


@pytest.fixture(scope="module")
def world(wx_stack, owner):
    st = wx_stack
    skus = seed_skus(st, "WN", {"A": (12345, 100000, 1, 1, 0)})
    cid, uids = company(st, "WN微信公司", 13671000000, users=3,
                        terms="monthly")
    for uid, app, openid in ((uids[0], MINI_APPID, "oWN-mini"),
                             (uids[1], MP_APPID, "oWN-mp")):
        st.sql(f"""
INSERT INTO wx_identity (shop_id, appid, openid, customer_user_id, bound_at)
  VALUES ((SELECT id FROM shop WHERE slug = 'shop-a'), '{app}', '{openid}',
  {uid}, NOW(3))""")
    for event, app in (("placed", "miniapp"), ("placed", "mp")):
        assert save_template(st, owner, event, app).status_code == 303
    yield {"sku": skus["A"][0], "cid": cid, "uids": uids}
    st.sql("DELETE FROM wx_template")
    st.sql("DELETE FROM wx_identity WHERE openid LIKE 'oWN-%'")
    drop_companies(st, "c.name LIKE 'WN%'")
    drop_skus(st, "WN")


def order(stack, uid, sku):
    s = bearer_session(stack, "shop-a", uid)
    assert add(stack, s, sku, 1).status_code == 200
    r = submit(stack, s, terms="monthly")
    assert r.status_code == 201, r.text
    return r.json()["data"]["order"]["id"]


def message_of(stack, oid, uid):
    rows = stack.sql(f"SELECT m.state, m.app, m.errcode, m.error, m.attempts "
                     f"FROM wx_message m JOIN notification n ON n.id = "
                     f"m.notification_id WHERE n.order_id = {oid} AND "
                     f"m.customer_user_id = {uid}")
    return rows[0] if rows else None


def settled(stack, oid, uid, state):
    return wait_until(lambda: (message_of(stack, oid, uid) or ("",))[0] ==
                      state, timeout=20,
                      message=f"message of order {oid} {state}")


def sent_to(fake, openid):
    return [m for m in fake.control("messages")["messages"]
            if m["touser"] == openid]


def deliver_now(stack):
    """Run the wechat.deliver job now and wait for its run to end."""
    before = int(one(stack, "SELECT COUNT(*) FROM job WHERE kind = "
                 "'wechat.deliver' AND state = 'done'"))
    stack.sql("UPDATE job SET run_at = NOW(3) WHERE kind = 'wechat.deliver' "
              "AND state = 'queued'")
    wait_until(lambda: int(one(stack, "SELECT COUNT(*) FROM job WHERE kind "
                               "= 'wechat.deliver' AND state = 'done'")) >
               before, timeout=20, message="a wechat.deliver run")


def test_order_notice_reaches_the_mini_program_once(wx_stack, fake, world):
    st = wx_stack
    oid = order(st, world["uids"][0], world["sku"])
    settled(st, oid, world["uids"][0], "sent")
    got = sent_to(fake, "oWN-mini")
    assert len(got) == 1
    m = got[0]
    assert m["appid"] == MINI_APPID
    assert m["template_id"] == "TPL_placed_miniapp"
    assert m["page"] == "pages/order/detail"
    no = one(st, f"SELECT order_no FROM sales_order WHERE id = {oid}")
    assert m["data"]["thing1"]["value"] == "订单已提交"
    assert m["data"]["character_string2"]["value"] == no
    assert m["data"]["amount3"]["value"] == "¥123.45"
    # {body} is longer than a thing's 20 characters: cut, not refused.
    assert len(m["data"]["thing4"]["value"]) == 20
    deliver_now(st)
    assert len(sent_to(fake, "oWN-mini")) == 1      # once per event


def test_official_account_gets_a_template_message(wx_stack, fake, world):
    st = wx_stack
    oid = order(st, world["uids"][1], world["sku"])
    settled(st, oid, world["uids"][1], "sent")
    m = sent_to(fake, "oWN-mp")[-1]
    assert m["appid"] == MP_APPID and m["url"] == "pages/order/detail"
    assert message_of(st, oid, world["uids"][1])[1] == "mp"


def test_without_wechat_the_notice_is_skipped(wx_stack, fake, world):
    st = wx_stack
    oid = order(st, world["uids"][2], world["sku"])
    settled(st, oid, world["uids"][2], "skipped")
    assert "没有用相应的微信登录过" in message_of(st, oid, world["uids"][2])[3]


def test_refused_is_recorded_and_never_retried(wx_stack, fake, world):
    st = wx_stack
    fake.control("fail", {"path": SUB, "errcode": 43101, "count": 1})
    oid = order(st, world["uids"][0], world["sku"])
    settled(st, oid, world["uids"][0], "failed")
    assert message_of(st, oid, world["uids"][0])[2] == "43101"
    calls = [r for r in fake.control("requests")["requests"]
             if r["path"] == SUB]
    deliver_now(st)
    assert [r for r in fake.control("requests")["requests"]
            if r["path"] == SUB] == calls


def test_busy_waits_and_is_sent_later(wx_stack, fake, world):
    st = wx_stack
    fake.control("fail", {"path": SUB, "errcode": -1, "count": 1})
    oid = order(st, world["uids"][0], world["sku"])
    wait_until(lambda: (message_of(st, oid, world["uids"][0]) or
                        ("", "", "", "", "0"))[4] == "1",
               timeout=20, message="a first try")
    row = message_of(st, oid, world["uids"][0])
    assert row[0] == "queued" and row[2] == "-1"
    st.sql("UPDATE wx_message SET next_at = NOW(3) WHERE state = 'queued'")
    deliver_now(st)
    settled(st, oid, world["uids"][0], "sent")
    assert int(message_of(st, oid, world["uids"][0])[4]) == 2


def test_template_form_refuses_what_wechat_would(wx_stack, owner, world):
    st = wx_stack
    r = save_template(st, owner, "shipped", "miniapp",
                      fields="thing1={nope}\nbad line")
    assert r.status_code == 400
    assert "没有 {nope} 这个内容" in r.text
    r = save_template(st, owner, "shipped", "miniapp", template_id="a b")
    assert r.status_code == 400 and "模板 ID" in r.text
    r = save_template(st, owner, "no_such_event", "mp")
    assert r.status_code == 400
    assert one(st, "SELECT COUNT(*) FROM wx_template WHERE event IN "
               "('shipped', 'no_such_event')") == "0"
    sales = st.login("13800000001", st.password, "shop-a", staff=True)
    assert sales.get(st.url(f"{A}/admin/settings/wechat/templates")) \
        .status_code == 403


def test_back_office_lists_what_was_sent(wx_stack, owner, world):
    st = wx_stack
    page = owner.get(st.url(f"{A}/admin/wechat/messages")).text
    assert "WN微信公司" in page and "已发送" in page and "失败" in page
    failed = owner.get(st.url(f"{A}/admin/wechat/messages?state=failed"))
    assert "43101" in failed.text or "refused" in failed.text or \
        "injected" in failed.text
    rows = failed.text.split('<ul class="msg-rows">', 1)[1]
    assert "badge warn\">失败" in rows and "已发送" not in rows
