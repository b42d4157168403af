"""services/wxpay against tests/fake/wxpay.py over real HTTP on 127.0.0.1.

tests/unit/wxpay_live (built by `make check`, next to $DINGHUO_BIN) is the
C client; the fake checks every request's signature with the merchant
public key and signs its answers with a platform key it makes at start.
Notifications go to a small receiver here, and their raw headers and
body are handed to wxpay_live, which verifies and decrypts them.
"""

import json
import os
import queue
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from wxpay_kit import APIV3, control, start_fake

ROOT = Path(__file__).resolve().parents[2]


def live_prog():
    bin_ = Path(os.environ.get("DINGHUO_BIN", ROOT / "build" / "dinghuo"))
    for b in (bin_.parent, ROOT / "build"):
        prog = b / "tests" / "unit" / "wxpay_live"
        if not prog.exists() and (b / "Makefile").exists():
            subprocess.run(["make", "-C", str(b), "tests/unit/wxpay_live"],
                           stdout=subprocess.DEVNULL, check=False)
        if prog.exists():
            return prog
    pytest.fail("no tests/unit/wxpay_live: run make check")


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    d = tmp_path_factory.mktemp("wxpay")
    p, base, key, ppub = start_fake(d)
    env = dict(os.environ, WXPAY_BASE_URL=base, WXPAY_KEY_FILE=str(key),
               WXPAY_PUB_FILE=str(ppub), WXPAY_SERIAL="PUB_KEY_ID_FAKE",
               WXPAY_APIV3_KEY=APIV3)
    yield {"base": base, "env": env, "prog": live_prog(), "dir": d}
    p.terminate()
    p.wait(timeout=10)


def run(fake, *args):
    r = subprocess.run([str(fake["prog"]), *args], env=fake["env"],
                       capture_output=True, text=True, timeout=30)
    out = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
    out["exit"] = r.returncode
    return out


@pytest.fixture
def receiver():
    got = queue.Queue()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers["Content-Length"])
            got.put((dict(self.headers), self.rfile.read(n)))
            self.send_response(204)
            self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield "http://127.0.0.1:%d/pay/notify" % srv.server_address[1], got
    srv.shutdown()


def check_notice(fake, hdrs, body):
    f = fake["dir"] / "notice.json"
    f.write_bytes(body)
    return run(fake, "notify", hdrs["Wechatpay-Timestamp"],
               hdrs["Wechatpay-Nonce"], hdrs["Wechatpay-Signature"],
               hdrs["Wechatpay-Serial"], str(f))


def test_create_query_pay_refund_notify(fake, receiver):
    url, got = receiver
    r = run(fake, "create", "DH1001", "1250", "oUpF8uMuAJO")
    assert r["rc"] == "ok" and r["exit"] == 0, r
    assert r["prepay_id"].startswith("wx")
    pp = json.loads(r["pay_params"])
    assert pp["package"] == "prepay_id=" + r["prepay_id"]
    assert pp["signType"] == "RSA" and pp["timeStamp"].isdigit()

    r = run(fake, "query", "DH1001")
    assert (r["rc"], r["trade_state"], r["total"]) == ("ok", "NOTPAY", "1250")

    control(fake, "pay", {"out_trade_no": "DH1001"})
    r = run(fake, "query", "DH1001")
    assert r["trade_state"] == "SUCCESS" and r["transaction_id"]

    # Delivered twice: both verify and decrypt to the same transaction.
    st = control(fake, "notify", {"kind": "payment", "url": url,
                                  "out_trade_no": "DH1001", "times": 2})
    assert st["statuses"] == [204, 204]
    ids = set()
    for _ in range(2):
        hdrs, body = got.get(timeout=10)
        n = check_notice(fake, hdrs, body)
        assert n["rc"] == "ok", n
        assert (n["event_type"], n["out_trade_no"], n["trade_state"],
                n["total"], n["currency"], n["mchid"]) == (
            "TRANSACTION.SUCCESS", "DH1001", "SUCCESS", "1250", "CNY",
            "1900000109")
        ids.add(n["transaction_id"])
    assert len(ids) == 1

    # Wrong amount reaches the caller as parsed (the domain rejects it).
    control(fake, "notify", {"kind": "payment", "url": url,
                             "out_trade_no": "DH1001", "total": 1})
    n = check_notice(fake, *got.get(timeout=10))
    assert n["rc"] == "ok" and n["total"] == "1"

    r = run(fake, "refund", "DH1001", "RF1001", "250", "1250")
    assert (r["rc"], r["refund_status"], r["refund"]) == (
        "ok", "PROCESSING", "250"), r
    r2 = run(fake, "refund", "DH1001", "RF1001", "250", "1250")
    assert r2["refund_id"] == r["refund_id"]      # idempotent key
    r = run(fake, "refund-query", "RF1001")
    assert r["rc"] == "ok" and r["out_trade_no"] == "DH1001"

    control(fake, "notify", {"kind": "refund", "url": url,
                             "out_refund_no": "RF1001"})
    n = check_notice(fake, *got.get(timeout=10))
    assert (n["rc"], n["is_refund"], n["refund_status"], n["refund"]) == (
        "ok", "1", "SUCCESS", "250"), n


def test_bad_and_stale_notifications(fake, receiver):
    url, got = receiver
    assert run(fake, "create", "DH1002", "300", "o2")["rc"] == "ok"
    control(fake, "pay", {"out_trade_no": "DH1002"})
    control(fake, "notify", {"kind": "payment", "url": url,
                             "out_trade_no": "DH1002",
                             "bad_signature": True})
    n = check_notice(fake, *got.get(timeout=10))
    assert n["rc"] == "bad-signature" and n["exit"] == 1
    control(fake, "notify", {"kind": "payment", "url": url,
                             "out_trade_no": "DH1002", "stale": True})
    n = check_notice(fake, *got.get(timeout=10))
    assert n["rc"] == "stale-timestamp"
    # Tampered body with the original signature.
    control(fake, "notify", {"kind": "payment", "url": url,
                             "out_trade_no": "DH1002"})
    hdrs, body = got.get(timeout=10)
    n = check_notice(fake, hdrs, body.replace(b"TRANSACTION", b"TRANSACTIOM"))
    assert n["rc"] == "bad-signature"


def test_errors_and_close(fake):
    r = run(fake, "query", "NOPE404")
    assert (r["rc"], r["status"], r["code"], r["retryable"]) == (
        "not-found", "404", "ORDER_NOT_EXIST", "0")
    assert run(fake, "create", "DH1003", "500", "o3")["rc"] == "ok"
    r = run(fake, "create", "DH1003", "501", "o3")
    assert (r["rc"], r["code"], r["retryable"]) == (
        "rejected", "OUT_TRADE_NO_USED", "0")
    control(fake, "fail", {"status": 500, "code": "SYSTEM_ERROR"})
    r = run(fake, "close", "DH1003")
    assert (r["rc"], r["retryable"]) == ("server", "1")
    r = run(fake, "close", "DH1003")
    assert r["rc"] == "ok" and r["status"] == "204"
    assert run(fake, "query", "DH1003")["trade_state"] == "CLOSED"
    r = run(fake, "refund", "DH1003", "RF1003", "100", "500")
    assert (r["rc"], r["code"]) == ("rejected", "INVALID_REQUEST")


def test_wrong_merchant_key_is_refused(fake, tmp_path):
    other = tmp_path / "other.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", str(other)], check=True,
                   capture_output=True)
    env = dict(fake["env"], WXPAY_KEY_FILE=str(other))
    r = subprocess.run([str(fake["prog"]), "query", "DH1001"], env=env,
                       capture_output=True, text=True, timeout=30)
    assert "rc=bad-signature" in r.stdout and "code=SIGN_ERROR" in r.stdout


def test_unreachable_is_retryable(fake):
    env = dict(fake["env"], WXPAY_BASE_URL="http://127.0.0.1:1")
    r = subprocess.run([str(fake["prog"]), "query", "DH1001"], env=env,
                       capture_output=True, text=True, timeout=30)
    assert "rc=network" in r.stdout and "retryable=1" in r.stdout
