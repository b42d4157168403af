"""Issue 12's whole journey through nginx against the fake WeChat server:
a visitor scans a channel's code (its H5 link, ?ch=), logs in by WeChat
(OAuth in the WeChat browser), binds to an invited company, orders; the
company's approver gets the approval notice in WeChat, approves, and the
buyer gets theirs; the channel report counts that visit, registration,
binding and first order once each."""

import hashlib
import secrets

import pytest

from helpers import csrf_of, get_csrf
import orders_kit as ok
from orders_kit import bearer_session, drop_skus, one, seed_skus
from test_wechat_channels import create, owner, q1, sid
from test_wechat_channels import ch_stack  # noqa: F401
from test_wechat_oauth import callback, oauth_code, start
from wechat_kit import MP_APPID, fake, wx_stack  # noqa: F401
from conftest import wait_until

A = "/s/shop-a"


def template(stack, staff, event):
    r = staff.post(stack.url(f"{A}/admin/settings/wechat/templates"), data={
        "csrf": get_csrf(stack, staff, f"{A}/admin/settings/wechat/templates"),
        "event": event, "app": "mp", "template_id": f"TPL_{event}",
        "fields": "thing1={title}\ncharacter_string2={order_no}",
        "enabled": "1"}, allow_redirects=False)
    assert r.status_code == 303, r.text


def messages_to(fake, openid):
    return [m for m in fake.control("messages")["messages"]
            if m["touser"] == openid]


def test_scan_login_bind_order_notices_and_the_report(ch_stack, fake):
    st = ch_stack
    staff = owner(st)
    for event in ("submitted", "approved"):
        template(st, staff, event)
    cid, scene = create(st, staff, name="展会 2026", kind="exhibition")
    skus = seed_skus(st, "WJ", {"A": (5000, 1000, 1, 1, 0)},
                     visible="ordering,wholesale")
    st.sql("UPDATE shop SET version = version + 1")
    a = sid(st, "shop-a")
    # The invited company, new: every buyer order waits for its approver,
    # who has logged in through WeChat before.
    company, (approver,) = ok.company(st, "WJ旅程公司", 13672000000)
    st.sql(f"UPDATE customer_user SET role = 'approver' WHERE id = "
           f"{approver}")
    st.sql(f"UPDATE customer SET approval_mode = 'buyer_orders' WHERE id = "
           f"{company}")
    st.sql(f"INSERT INTO wx_identity (shop_id, appid, openid, "
           f"customer_user_id, bound_at) VALUES ({a}, '{MP_APPID}', "
           f"'oWJ-approver', {approver}, NOW(3))")
    tok = secrets.token_hex(32)
    st.sql(f"INSERT INTO customer_invite (shop_id, customer_id, token_hash, "
           f"role, created_by, expires_at) VALUES ({a}, {company}, "
           f"'{hashlib.blake2b(tok.encode(), digest_size=32).hexdigest()}', "
           f"'buyer', (SELECT MIN(id) FROM staff WHERE shop_id = {a}), "
           f"NOW(3) + INTERVAL 1 DAY)")
    phone = "13672000" + str(secrets.randbelow(10**3)).zfill(3)
    try:
        # 1. The scan: the channel's H5 link.
        v = st.session()
        assert v.get(st.url(f"{A}/?ch={scene}")).status_code == 200
        # 2. WeChat login (OAuth) and 3. the invite: a new buyer, bound.
        state = start(st, v, "/account")
        oid = "oWJ-" + secrets.token_hex(6)
        r = callback(st, v, oauth_code(fake, oid), state)
        assert r.status_code == 303, r.text
        page = v.get(st.url(r.headers["Location"]))
        r = v.post(st.url(f"{A}/wechat/bind"), allow_redirects=False, data={
            "csrf": csrf_of(page.text), "invite": tok, "name": "展会客户",
            "phone": phone, "password": "abcd1234", "next": "/account"})
        assert r.status_code == 303, r.text
        uid = int(one(st, f"SELECT customer_user_id FROM wx_identity WHERE "
                      f"openid = '{oid}'"))
        assert one(st, f"SELECT phone FROM customer_user WHERE id = {uid}") \
            == phone
        # 4. The order, from the bound session (the browser's cookie).
        assert v.get(st.url(f"{A}/account")).status_code == 200
        csrf = get_csrf(st, v, f"{A}/account")
        r = v.post(st.url(f"{A}/api/v1/cart"), data={
            "sku_id": str(skus["A"][0]), "qty": "2", "mode": "ordering"},
            headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200, r.text
        r = v.post(st.url(f"{A}/api/v1/orders"), data={"terms": "monthly"},
                   headers={"X-CSRF-Token": csrf,
                            "Idempotency-Key": secrets.token_hex(8)})
        assert r.status_code == 201, r.text
        order = r.json()["data"]["order"]["id"]
        assert one(st, f"SELECT state FROM sales_order WHERE id = "
                   f"{order}") == "pending_approval"
        # 5. The approver is told in WeChat, approves; the buyer is told.
        got = wait_until(lambda: messages_to(fake, "oWJ-approver"),
                         timeout=20, message="the approver's notice")
        assert got[0]["template_id"] == "TPL_submitted"
        ap = bearer_session(st, "shop-a", approver)
        r = ap.post(st.url(f"{A}/api/v1/orders/{order}/approve"),
                    data={"note": "同意"})
        assert r.status_code == 200, r.text
        got = wait_until(lambda: [m for m in messages_to(fake, oid)
                                  if m["template_id"] == "TPL_approved"],
                         timeout=20, message="the buyer's notice")
        no = one(st, f"SELECT order_no FROM sales_order WHERE id = {order}")
        assert got[0]["data"]["character_string2"]["value"] == no
        assert len(messages_to(fake, "oWJ-approver")) == 1   # once
        # 6. The channel report: that visit, registration, binding and
        # first order, once each.
        r = staff.get(st.url(f"{A}/admin/channels/report"),
                      headers={"Accept": "application/json"})
        assert r.status_code == 200, r.text[:300]
        rep = r.json()
        rows = [w for w in rep["data"]["rows"] if w["channel"] == "展会 2026"]
        assert rows, rep["data"]
        tot = {k: sum(w[k] for w in rows) for k in
               ("visitors", "registrations", "bindings", "first_orders")}
        assert tot == {"visitors": 1, "registrations": 1, "bindings": 1,
                       "first_orders": 1}, rows
    finally:
        st.sql("DELETE FROM wx_identity WHERE openid LIKE 'oWJ-%'")
        ok.drop_companies(st, "c.name = 'WJ旅程公司'")
        drop_skus(st, "WJ")
