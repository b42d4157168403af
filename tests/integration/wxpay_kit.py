"""The fake WeChat Pay merchant API (tests/fake/wxpay.py) for the tests
that use it: a merchant key made per run, the fake started with its
public half, and the fake's control API."""

import json
import subprocess
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APIV3 = "0123456789abcdef0123456789abcdef"


def start_fake(d, mchid=None):
    """Make a merchant key under d and start the fake: (process, base URL,
    merchant key file, platform public key file)."""
    key, pub, ppub = d / "m.pem", d / "m.pub", d / "platform.pub"
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", str(key)], check=True,
                   capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout", "-out",
                    str(pub)], check=True, capture_output=True)
    cmd = ["/usr/bin/python3", str(ROOT / "tests/fake/wxpay.py"),
           "--merchant-pub", str(pub), "--platform-pub-out", str(ppub),
           "--apiv3-key", APIV3]
    if mchid:
        cmd += ["--mchid", mchid]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()      # blocks until listening (or exit)
    assert line.startswith("PORT "), line
    return p, "http://127.0.0.1:%d" % int(line.split()[1]), key, ppub


def control(fake, what, body=None):
    """POST body (GET when None) to the fake's /_control/what."""
    rq = urllib.request.Request(fake["base"] + "/_control/" + what,
                                data=json.dumps(body).encode()
                                if body is not None else None,
                                method="POST" if body is not None else "GET")
    with urllib.request.urlopen(rq, timeout=30) as r:
        return json.loads(r.read())
