"""Shared set-up for the 微信客服 tests: the fake WeCom API
(tests/fake/wxkf.py) started once per module, wecom_api_base pointed at
it, shop-a's corp id and secrets, and small helpers to script messages,
post callbacks and wait for the pull job."""

import subprocess
import sys
import time

import pytest

from conftest import ROOT, _Session, wait_until
from wechat_kit import put_secret, shop_id

sys.path.insert(0, str(ROOT / "tests" / "fake"))
import wxkf  # noqa: E402

CORP = "ww0123456789abcdef"
SECRET = "kf-secret-0123456789abcdef"
TOKEN = "kftesttoken"
AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
KFID = "wkTESTKF0001"


class KfFake:
    def __init__(self, proc, port):
        self.proc = proc
        self.base = f"http://127.0.0.1:{port}"

    def control(self, what, body=None):
        r = _Session().post(f"{self.base}/_fake/{what}", json=body or {})
        assert r.status_code == 200, f"fake {what}: {r.status_code} {r.text}"
        return r.json()

    def requests(self):
        return _Session().get(f"{self.base}/_fake/requests").json()


@pytest.fixture(scope="module")
def kf_fake():
    p = subprocess.Popen(["/usr/bin/python3",
                          str(ROOT / "tests" / "fake" / "wxkf.py")],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert line.startswith("PORT "), f"fake wxkf did not start: {line!r}"
    yield KfFake(p, int(line.split()[1]))
    p.terminate()
    p.wait(timeout=10)


def configure(stack, slug="shop-a"):
    sid = shop_id(stack, slug)
    stack.sql(f"INSERT INTO shop_kf (shop_id, corp_id) VALUES ({sid}, "
              f"'{CORP}') ON DUPLICATE KEY UPDATE corp_id = '{CORP}'")
    put_secret(stack, sid, "kf_secret", SECRET)
    put_secret(stack, sid, "kf_token", TOKEN)
    put_secret(stack, sid, "kf_aes_key", AES)
    return sid


def wipe(stack):
    stack.sql("DELETE FROM kf_ticket_request; DELETE FROM kf_msg; "
              "DELETE FROM kf_conv; DELETE FROM kf_sync; "
              "DELETE FROM kf_contact; DELETE FROM kf_account; "
              "DELETE FROM kf_media; DELETE FROM job WHERE kind LIKE 'kf.%'; "
              "DELETE FROM wx_mp_seen WHERE msg_key LIKE 'kf:%'; "
              "DELETE FROM wx_token WHERE kind LIKE 'kf:%'")


@pytest.fixture(scope="module")
def kf_stack(stack, kf_fake):
    stack.reconfigure(wecom_api_base=kf_fake.base, wechat_timeout=2)
    wipe(stack)
    sid = configure(stack)
    stack.kf_shop = sid
    yield stack
    wipe(stack)
    stack.sql(f"DELETE FROM shop_kf WHERE shop_id = {sid}")
    for name in ("kf_secret", "kf_token", "kf_aes_key"):
        p = stack.secrets_dir / str(sid) / name
        if p.exists():
            p.unlink()
    stack.reconfigure()


@pytest.fixture
def kf(kf_stack, kf_fake):
    """A clean fake (the corp and one account) and clean tables."""
    kf_fake.control("reset")
    kf_fake.control("corp", {"corpid": CORP, "secret": SECRET})
    kf_fake.control("account", {"open_kfid": KFID, "name": "订货客服"})
    wipe(kf_stack)
    return kf_fake


def callback_url(stack, slug="shop-a"):
    return stack.url(f"/s/{slug}/wechat/kf/callback")


def post_callback(stack, fake, kfid=KFID, **kw):
    body = {"url": callback_url(stack), "token": TOKEN, "aes_key": AES,
            "corpid": CORP, "open_kfid": kfid}
    body.update(kw)
    return fake.control("callback", body)


def text(msgid, user, content, origin=3, at=None, kfid=KFID):
    m = {"msgid": msgid, "external_userid": user, "origin": origin,
         "msgtype": "text", "text": {"content": content}, "open_kfid": kfid}
    if at is not None:
        m["send_time"] = at
    return m


def event(msgid, etype, user, **extra):
    ev = {"event_type": etype, "open_kfid": KFID, "external_userid": user}
    ev.update(extra)
    return {"msgid": msgid, "origin": 4, "msgtype": "event", "event": ev}


def count(stack, where="1"):
    return int(stack.sql(f"SELECT COUNT(*) FROM kf_msg WHERE {where}")[0][0])


def pulled(stack, kfid=KFID):
    """The account's pull finished: every wish answered, no lease."""
    r = stack.sql("SELECT wanted, done_wanted, lease_owner IS NULL "
                  f"FROM kf_sync WHERE open_kfid = '{kfid}'")
    return bool(r) and r[0][0] == r[0][1] and r[0][2] == "1" and \
        not stack.sql("SELECT id FROM job WHERE kind = 'kf.pull' AND "
                      "state IN ('queued', 'running')")


def wait_pulled(stack, n=None, kfid=KFID, timeout=15):
    if n is None:
        wait_until(lambda: pulled(stack, kfid), timeout,
                   message=lambda: stack.logs_tail())
    else:
        wait_until(lambda: count(stack) >= n and pulled(stack, kfid), timeout,
                   message=lambda: f"kf_msg={count(stack)} want {n}\n" +
                   stack.logs_tail())


def conv_id(stack, user):
    return int(stack.sql("SELECT id FROM kf_conv WHERE external_userid = "
                         f"'{user}'")[0][0])


def now():
    return int(time.time())
