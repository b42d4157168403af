"""Idempotency keys: a state-changing request sent again with the same key
gets the first answer instead of acting twice; the key is its owner's."""

import html
import re
import uuid

import pytest

from helpers import api_login, csrf_of

TAG = "IDEM-test"


@pytest.fixture
def clean(stack):
    def wipe():
        stack.sql("DELETE FROM inquiry_item WHERE inquiry_id IN (SELECT id "
                  f"FROM inquiry WHERE contact_name LIKE '{TAG}%'); "
                  f"DELETE FROM inquiry WHERE contact_name LIKE '{TAG}%'; "
                  "DELETE FROM idempotency_key")
    wipe()
    yield
    wipe()


def bearer(stack, shop, phone):
    r = api_login(stack, shop, phone)
    assert r.status_code == 200, r.text
    s = stack.session()
    s.headers["Authorization"] = "Bearer " + r.json()["data"]["token"]
    return s


def inquiries(stack, name):
    return stack.sql("SELECT i.id, s.slug, i.customer_user_id FROM inquiry i "
                     "JOIN shop s ON s.id = i.shop_id "
                     f"WHERE i.contact_name = '{name}' ORDER BY i.id")


def ask(s, stack, key, shop="shop-a", name=TAG, message="请报价"):
    return s.post(stack.url(f"/s/{shop}/api/v1/inquiries"),
                  json={"contact_name": name,
                        "contact_phone": "13900000000", "message": message},
                  headers={"Idempotency-Key": key})


def test_api_replay_returns_the_first_answer(stack, clean):
    s = bearer(stack, "shop-a", stack.buyer_phone)
    key = str(uuid.uuid4())
    first = ask(s, stack, key)
    assert first.status_code == 200, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = ask(s, stack, key)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    rows = inquiries(stack, TAG)
    assert len(rows) == 1
    assert first.json()["data"]["id"] == int(rows[0][0])
    # Without a key, the same request is a new inquiry.
    assert s.post(stack.url("/s/shop-a/api/v1/inquiries"), json={
        "contact_name": TAG, "contact_phone": "13900000000",
        "message": "请报价"}).status_code == 200
    assert len(inquiries(stack, TAG)) == 2


def test_same_key_other_body_is_refused(stack, clean):
    s = bearer(stack, "shop-a", stack.buyer_phone)
    key = str(uuid.uuid4())
    assert ask(s, stack, key).status_code == 200
    r = ask(s, stack, key, message="另一件事")
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "conflict"
    assert "已用于另一个" in err["message"]
    assert len(inquiries(stack, TAG)) == 1


def test_replay_while_running_waits(stack, clean):
    s = bearer(stack, "shop-a", stack.buyer_phone)
    key = str(uuid.uuid4())
    assert ask(s, stack, key).status_code == 200
    # As if the first request were still at work.
    stack.sql("UPDATE idempotency_key SET status = 0, body = NULL "
              f"WHERE idem_key = '{key}'")
    r = ask(s, stack, key)
    assert r.status_code == 409
    assert r.json()["error"] == {"code": "conflict",
                                 "message": "正在处理，请稍候"}
    assert len(inquiries(stack, TAG)) == 1
    # A claim older than twice the request timeout has no worker left:
    # it is taken over and the request runs.
    stack.sql("UPDATE idempotency_key SET created_at = NOW(3) - INTERVAL "
              f"1 HOUR WHERE idem_key = '{key}'")
    assert ask(s, stack, key).status_code == 200
    assert len(inquiries(stack, TAG)) == 2


def test_errors_are_not_kept(stack, clean):
    s = bearer(stack, "shop-a", stack.buyer_phone)
    key = str(uuid.uuid4())
    bad = s.post(stack.url("/s/shop-a/api/v1/inquiries"),
                 json={"contact_name": TAG, "contact_phone": "1"},
                 headers={"Idempotency-Key": key})
    assert bad.status_code == 400
    # The key is free again: the corrected request runs.
    r = ask(s, stack, key)
    assert r.status_code == 200 and "Idempotent-Replayed" not in r.headers
    assert len(inquiries(stack, TAG)) == 1


def test_bad_key_is_400(stack, clean):
    s = bearer(stack, "shop-a", stack.buyer_phone)
    for key in ("has space", "x" * 101):
        r = ask(s, stack, key)
        assert r.status_code == 400 and \
            r.json()["error"]["code"] == "invalid", key
    assert inquiries(stack, TAG) == []


def test_keys_are_their_owners(stack, clean):
    key = str(uuid.uuid4())
    buyer_a = bearer(stack, "shop-a", stack.buyer_phone)
    other_a = bearer(stack, "shop-a", "13900000001")
    buyer_b = bearer(stack, "shop-b", stack.buyer_phone)
    guest = stack.session()
    answers = [ask(buyer_a, stack, key), ask(other_a, stack, key),
               ask(buyer_b, stack, key, shop="shop-b"),
               ask(guest, stack, key)]
    for r in answers:
        assert r.status_code == 200, r.text
        assert "Idempotent-Replayed" not in r.headers
    assert len({r.json()["data"]["id"] for r in answers}) == 4
    rows = inquiries(stack, TAG)
    assert [slug for _, slug, _ in rows] == \
        ["shop-a", "shop-a", "shop-b", "shop-a"]
    assert len({cu for _, _, cu in rows[:2]}) == 2
    # Each of them replays their own answer.
    for s, shop, r in ((buyer_a, "shop-a", answers[0]),
                       (other_a, "shop-a", answers[1]),
                       (buyer_b, "shop-b", answers[2]),
                       (guest, "shop-a", answers[3])):
        again = ask(s, stack, key, shop=shop)
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.content == r.content
    assert len(inquiries(stack, TAG)) == 4


def form_of(page):
    key = re.search(r'name="idempotency_key" value="([^"]*)"', page)
    assert key, page[:1000]
    return csrf_of(page), html.unescape(key.group(1))


def test_h5_form_with_hidden_key(stack, clean):
    s = stack.session()
    page = s.get(stack.url("/s/shop-a/inquiry"))
    assert page.status_code == 200
    csrf, key = form_of(page.text)
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    # Every render of the form has a fresh key.
    assert form_of(s.get(stack.url("/s/shop-a/inquiry")).text)[1] != key
    data = {"csrf": csrf, "idempotency_key": key, "contact_name": TAG,
            "contact_phone": "13900000000", "message": "表单询价"}
    first = s.post(stack.url("/s/shop-a/inquiry"), data=data)
    assert first.status_code == 200 and "询价已提交" in first.text
    again = s.post(stack.url("/s/shop-a/inquiry"), data=data)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert len(inquiries(stack, TAG)) == 1
    # Another guest (another cookie) with that key is another request.
    t = stack.session()
    csrf_t, _ = form_of(t.get(stack.url("/s/shop-a/inquiry")).text)
    r = t.post(stack.url("/s/shop-a/inquiry"), data=dict(data, csrf=csrf_t))
    assert r.status_code == 200 and "Idempotent-Replayed" not in r.headers
    assert len(inquiries(stack, TAG)) == 2


def test_credentials_are_never_kept(stack, clean):
    key = str(uuid.uuid4())
    s = stack.session()
    body = {"phone": stack.buyer_phone, "password": stack.password}
    one = s.post(stack.url("/s/shop-a/api/v1/login"), json=body,
                 headers={"Idempotency-Key": key})
    two = s.post(stack.url("/s/shop-a/api/v1/login"), json=body,
                 headers={"Idempotency-Key": key})
    assert one.status_code == two.status_code == 200
    assert one.json()["data"]["token"] != two.json()["data"]["token"]
    assert stack.sql("SELECT COUNT(*) FROM idempotency_key") == [("0",)]
