"""Logging in outside WeChat with a one-time SMS code (domain/sms_login.c)
through nginx, the provider a fake (tests/fake/sms.py): the code arrives
only for a customer's phone while the answer is the same for any phone,
a right code logs in once (H5 cookie and API bearer), wrong ones die
after 5 tries, the limits per phone and per address answer 429 with
Retry-After, a failing provider is a clear 503, and the code is in no
log. Phones 1368000xxxx."""

import json
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from helpers import get_csrf
from orders_kit import company, drop_companies, one

ROOT = Path(__file__).resolve().parents[2]
A = "/s/shop-a"
PHONE = "13680000000"


@pytest.fixture(scope="module")
def sms(stack):
    p = subprocess.Popen(["/usr/bin/python3", str(ROOT / "tests/fake/sms.py")],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert line.startswith("PORT "), line
    base = "http://127.0.0.1:%d" % int(line.split()[1])
    stack.reconfigure(sms_url=base + "/send", sms_token="test-token")
    cid, uids = company(stack, "SL短信公司", 13680000000, users=2)
    yield base
    drop_companies(stack, "c.name LIKE 'SL%'")
    stack.sql("DELETE FROM sms_code WHERE phone LIKE '1368%'")
    stack.reconfigure()
    p.terminate()
    p.wait(timeout=10)


def fake(base, what, body=None):
    rq = urllib.request.Request(base + "/_fake/" + what, method="POST"
                                if body is not None else "GET",
                                data=json.dumps(body).encode()
                                if body is not None else None)
    with urllib.request.urlopen(rq, timeout=10) as r:
        return json.loads(r.read())


@pytest.fixture
def clean(stack, sms):
    fake(sms, "reset", {})
    stack.sql("DELETE FROM sms_code WHERE phone LIKE '1368%'")
    return sms


def api(stack, path, body):
    return stack.session().post(stack.url(f"{A}/api/v1/login/sms{path}"),
                                json=body)


def code_of(base, phone):
    texts = [m["text"] for m in fake(base, "messages")["messages"]
             if m["phone"] == phone]
    assert texts, "no SMS to " + phone
    return re.search(r"(\d{6})", texts[-1]).group(1)


def test_h5_login_with_a_code(stack, clean):
    s = stack.session()
    page = s.get(stack.url(f"{A}/login")).text
    assert "用短信验证码登录" in page
    csrf = get_csrf(stack, s, f"{A}/login")
    r = s.post(stack.url(f"{A}/login/sms/code"),
               data={"csrf": csrf, "phone": PHONE})
    assert r.status_code == 200 and "验证码已发出" in r.text
    assert 'name="code"' in r.text
    code = code_of(clean, PHONE)
    m = fake(clean, "messages")["messages"][-1]
    assert m["sign"] == "甲商行"
    wrong = "000000" if code != "000000" else "111111"
    r = s.post(stack.url(f"{A}/login/sms"), data={
        "csrf": csrf, "phone": PHONE, "code": wrong}, allow_redirects=False)
    assert r.status_code == 400 and "验证码错误或已过期" in r.text
    assert 'name="code"' in r.text          # the field is back
    r = s.post(stack.url(f"{A}/login/sms"), data={
        "csrf": csrf, "phone": PHONE, "code": code}, allow_redirects=False)
    assert r.status_code == 303, r.text
    assert s.get(stack.url(f"{A}/api/v1/account")).status_code == 200
    # Used once: the same code again does nothing.
    r = api(stack, "", {"phone": PHONE, "code": code})
    assert r.status_code == 400
    assert r.json()["error"]["code"] in ("invalid", "sms_code_wrong")
    assert code not in stack.error_log_text()
    assert code not in stack.access_log_text()


def test_api_login_and_no_such_phone(stack, clean):
    r = api(stack, "/code", {"phone": "13680000001"})
    assert r.status_code == 200 and r.json()["data"]["sent"] is True
    code = code_of(clean, "13680000001")
    r = api(stack, "", {"phone": "13680000001", "code": code})
    assert r.status_code == 200, r.text
    tok = r.json()["data"]["token"]
    me = stack.session().get(stack.url(f"{A}/api/v1/account"), headers={
        "Authorization": f"Bearer {tok}"})
    assert me.status_code == 200
    # A phone that is nobody's: the same answer, no SMS.
    n = len(fake(clean, "messages")["messages"])
    r = api(stack, "/code", {"phone": "13680000099"})
    assert r.status_code == 200 and r.json()["data"]["sent"] is True
    assert len(fake(clean, "messages")["messages"]) == n
    for bad in ({"phone": "123"}, {"phone": "13680000001", "code": "12ab56"}):
        r = api(stack, "" if "code" in bad else "/code", bad)
        assert r.status_code == 400, bad


def test_five_wrong_tries_kill_the_code(stack, clean):
    api(stack, "/code", {"phone": PHONE})
    code = code_of(clean, PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert api(stack, "", {"phone": PHONE, "code": wrong}) \
            .status_code == 400
    assert api(stack, "", {"phone": PHONE, "code": code}).status_code == 400


def test_limits_per_phone_and_address(stack, clean):
    assert api(stack, "/code", {"phone": PHONE}).status_code == 200
    r = api(stack, "/code", {"phone": PHONE})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert "秒后再试" in r.json()["error"]["message"]
    # An hour's five for the phone (older rows made in SQL).
    stack.sql(f"UPDATE sms_code SET created_at = NOW(3) - INTERVAL 2 MINUTE "
              f"WHERE phone = '{PHONE}'")
    stack.sql(f"""INSERT INTO sms_code (shop_id, phone, ip, salt, code_hash,
  created_at, expires_at) SELECT shop_id, phone, ip, salt, code_hash,
  created_at, expires_at FROM sms_code WHERE phone = '{PHONE}'""")
    stack.sql(f"""INSERT INTO sms_code (shop_id, phone, ip, salt, code_hash,
  created_at, expires_at) SELECT shop_id, phone, ip, salt, code_hash,
  created_at, expires_at FROM sms_code WHERE phone = '{PHONE}'""")
    assert int(one(stack, f"SELECT COUNT(*) FROM sms_code WHERE phone = "
                   f"'{PHONE}'")) >= 4
    stack.sql(f"""INSERT INTO sms_code (shop_id, phone, ip, salt, code_hash,
  created_at, expires_at) SELECT shop_id, phone, ip, salt, code_hash,
  created_at, expires_at FROM sms_code WHERE phone = '{PHONE}' LIMIT 1""")
    r = api(stack, "/code", {"phone": PHONE})
    assert r.status_code == 429 and "一小时后" in r.json()["error"]["message"]
    # Twenty an hour from one address, whatever the phones.
    stack.sql("UPDATE sms_code SET ip = '127.0.0.1', phone = '13680009999' "
              "WHERE phone LIKE '1368%'")
    ip = one(stack, "SELECT ip FROM sms_code LIMIT 1")
    for i in range(20):
        stack.sql(f"INSERT INTO sms_code (shop_id, phone, ip, salt, "
                  f"code_hash, expires_at) VALUES ((SELECT id FROM shop "
                  f"WHERE slug = 'shop-a'), '136800090{i:02d}', '{ip}', "
                  f"'s', 'h', NOW(3))")
    r = api(stack, "/code", {"phone": "13680000001"})
    assert r.status_code == 429


def test_provider_down_is_a_clear_503(stack, clean):
    fake(clean, "fail", {"count": 1, "status": 500})
    r = api(stack, "/code", {"phone": PHONE})
    assert r.status_code == 503, r.text
    assert "短信发送失败" in r.json()["error"]["message"]


def test_off_without_a_provider(stack, sms):
    stack.reconfigure(sms_url="")
    try:
        assert "用短信验证码登录" not in \
            stack.session().get(stack.url(f"{A}/login")).text
        r = api(stack, "/code", {"phone": PHONE})
        assert r.status_code == 409
    finally:
        stack.reconfigure(sms_url=sms + "/send", sms_token="test-token")
