"""services/wxapi against tests/fake/wechat.py over real HTTP on 127.0.0.1.

tests/unit/wxapi_live (built by `make check`, next to $DINGHUO_BIN) is the
C client: errcode mapping, the retry of a busy answer, timeouts, bodies
that are not JSON, and a log line without credentials.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPID = "wx00000000000000a1"
SECRET = "s3cr3t-miniapp-secret-0001"


def live_prog():
    bin_ = Path(os.environ.get("DINGHUO_BIN", ROOT / "build" / "dinghuo"))
    for b in (bin_.parent, ROOT / "build"):
        prog = b / "tests" / "unit" / "wxapi_live"
        if not prog.exists() and (b / "Makefile").exists():
            subprocess.run(["make", "-C", str(b), "tests/unit/wxapi_live"],
                           stdout=subprocess.DEVNULL, check=False)
        if prog.exists():
            return prog
    pytest.fail("no tests/unit/wxapi_live: run make check")


@pytest.fixture
def fake(wechat_fake):
    wechat_fake.control("reset")
    wechat_fake.control("app", {"appid": APPID, "secret": SECRET})
    return wechat_fake


def run(fake, *args, timeout="2"):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DINGHUO_")}
    env.update(DINGHUO_WECHAT_API_BASE=fake.base,
               DINGHUO_WECHAT_TIMEOUT=timeout)
    r = subprocess.run([str(live_prog()), *args], env=env,
                       capture_output=True, text=True, timeout=30)
    out = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
    out["exit"] = r.returncode
    out["log"] = r.stderr
    return out


def stable(fake):
    return run(fake, "POST", "/cgi-bin/stable_token",
               '{"grant_type":"client_credential","appid":"%s",'
               '"secret":"%s","force_refresh":false}' % (APPID, SECRET))


def test_token_and_ticket_ok_and_log_redacted(fake):
    r = stable(fake)
    assert (r["rc"], r["exit"], r["errcode"]) == ("ok", 0, "0"), r
    assert '"expires_in":7200' in r["body"]
    tok = r["body"].split('"access_token":"')[1].split('"')[0]
    r = run(fake, "GET", "/cgi-bin/ticket/getticket?access_token=%s"
            "&type=jsapi" % tok)
    assert r["rc"] == "ok" and '"ticket":"TICKET_' in r["body"], r
    # One line per call, the token's value not in it.
    lines = [l for l in r["log"].splitlines() if "wxapi:" in l]
    assert len(lines) == 1, r["log"]
    assert "access_token=***&type=jsapi" in lines[0]
    assert tok not in r["log"]
    assert SECRET not in stable(fake)["log"]


def test_errors_map_to_what_can_be_done(fake):
    r = run(fake, "GET", "/cgi-bin/ticket/getticket?access_token=nope"
            "&type=jsapi")
    assert (r["rc"], r["errcode"], r["retryable"], r["exit"]) == (
        "token-invalid", "40001", "0", 1), r
    assert r["rid"].startswith("fake-")
    r = run(fake, "GET", "/sns/jscode2session?appid=%s&secret=%s&js_code="
            "unknown&grant_type=authorization_code" % (APPID, SECRET))
    assert (r["rc"], r["errcode"]) == ("bad-code", "40029"), r
    assert "js_code=***" in r["log"] and SECRET not in r["log"]
    r = run(fake, "GET", "/sns/jscode2session?appid=%s&secret=wrong&"
            "js_code=x&grant_type=authorization_code" % APPID)
    assert (r["rc"], r["errcode"]) == ("config", "40125"), r
    fake.control("fail", {"path": "/cgi-bin/stable_token",
                          "errcode": 45011})
    r = stable(fake)
    assert (r["rc"], r["errcode"], r["retryable"]) == ("quota", "45011",
                                                       "0"), r


def test_busy_is_retried_once(fake):
    fake.control("fail", {"path": "/cgi-bin/stable_token", "errcode": -1})
    r = stable(fake)
    assert r["rc"] == "ok", r
    assert fake.requests()["token_calls"] == {APPID: 1}
    assert "try=2" in r["log"]
    # Busy twice: the caller gets it, retryable.
    fake.control("fail", {"path": "/cgi-bin/stable_token", "errcode": -1,
                          "count": 2})
    r = stable(fake)
    assert (r["rc"], r["errcode"], r["retryable"]) == ("busy", "-1", "1"), r


def test_malformed_500_and_timeout(fake):
    fake.control("fail", {"path": "*", "mode": "malformed"})
    r = stable(fake)
    assert (r["rc"], r["retryable"]) == ("parse", "0"), r
    fake.control("fail", {"path": "*", "mode": "http500", "count": 2})
    r = stable(fake)
    assert (r["rc"], r["status"], r["retryable"]) == ("network", "500",
                                                      "1"), r
    fake.control("reset")
    fake.control("app", {"appid": APPID, "secret": SECRET})
    fake.control("fail", {"path": "*", "mode": "timeout", "sleep": 2.5})
    r = run(fake, "POST", "/cgi-bin/stable_token", "{}", timeout="1")
    assert (r["rc"], r["status"], r["retryable"]) == ("network", "0",
                                                      "1"), r
    assert "try=1" in r["log"]       # a timeout is not tried again


def test_unreachable(fake):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DINGHUO_")}
    env["DINGHUO_WECHAT_API_BASE"] = "http://127.0.0.1:1"
    r = subprocess.run([str(live_prog()), "GET", "/cgi-bin/token"], env=env,
                       capture_output=True, text=True, timeout=30)
    assert "rc=network" in r.stdout and "retryable=1" in r.stdout
