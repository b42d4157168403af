#!/usr/bin/python3
"""Fake WeChat Pay API v3 merchant server for tests (127.0.0.1 only).

Protocol: wechat-protocols.md §7 (request signing §7.1, response and
callback signing §7.2, notification encryption §7.5).

Start:
    wxpay.py --merchant-pub M.pub --platform-pub-out P.pub \
             [--apiv3-key 32BYTES] [--mchid ID] [--serial PUB_KEY_ID_FAKE]
It generates a fresh RSA-2048 platform key, writes its public PEM to
--platform-pub-out (env WXPAY_FAKE_PUB_OUT), binds 127.0.0.1 on a free
port and prints "PORT <n>" on stdout once it is listening.

Merchant API (every request must carry a valid Authorization header
signed with the key whose public half is --merchant-pub, else
401 SIGN_ERROR; responses are signed with the platform key):
    POST /v3/pay/transactions/jsapi                      -> {"prepay_id"}
    GET  /v3/pay/transactions/out-trade-no/{no}?mchid=   -> transaction
    POST /v3/pay/transactions/out-trade-no/{no}/close    -> 204
    POST /v3/refund/domestic/refunds                     -> refund
    GET  /v3/refund/domestic/refunds/{out_refund_no}     -> refund
Same out_trade_no with a different amount -> 403 OUT_TRADE_NO_USED;
unknown order -> 404 ORDER_NOT_EXIST; refund over the paid total ->
400 INVALID_REQUEST; the same out_refund_no again returns the first
refund (idempotent).

Control API (no signature; JSON in, JSON out):
    POST /_control/pay     {"out_trade_no"}   the payer paid: SUCCESS
    POST /_control/fail    {"status":500,"code":"SYSTEM_ERROR","count":1}
                           the next `count` merchant calls answer that
    POST /_control/notify  {"kind":"payment"|"refund", "url":NOTIFY_URL,
                            "out_trade_no" | "out_refund_no",
                            "times":1, "delay":0.0,
                            "bad_signature":false, "stale":false,
                            "total":null}
        sends a signed, AES-256-GCM encrypted notification `times` times
        (synchronously, after `delay` seconds), `stale` dates the
        signature timestamp 10 minutes back, `bad_signature` corrupts the
        signature, `total` overrides amount.total (wrong amount). Answers
        {"statuses":[HTTP status of each delivery]}.
    GET  /_control/state   {"orders":{...},"refunds":{...},"calls":[...]}
"""

import argparse
import base64
import json
import os
import secrets
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

LOCK = threading.Lock()
ORDERS = {}
REFUNDS = {}
CALLS = []
FAIL = {"count": 0}
ARGS = None
PLATFORM = None
MERCHANT_PUB = None


def sign(msg):
    return base64.b64encode(PLATFORM.sign(
        msg.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def signed_headers(body, stale=False, bad=False):
    ts = str(int(time.time()) - (600 if stale else 0))
    nonce = secrets.token_hex(16)
    sig = sign("%s\n%s\n%s\n" % (ts, nonce, body))
    if bad:
        sig = ("A" if sig[0] != "A" else "B") + sig[1:]
    return {"Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": sig, "Wechatpay-Serial": ARGS.serial,
            "Request-ID": "fake-" + secrets.token_hex(8)}


def parse_auth(h):
    scheme = "WECHATPAY2-SHA256-RSA2048 "
    if not h or not h.startswith(scheme):
        return None
    out = {}
    for part in h[len(scheme):].split(","):
        k, _, v = part.partition("=")
        out[k.strip()] = v.strip().strip('"')
    return out


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%S+08:00",
                         time.gmtime(time.time() + 8 * 3600))


def txn_json(o):
    return {"appid": o["appid"], "mchid": o["mchid"],
            "out_trade_no": o["out_trade_no"],
            "transaction_id": o.get("transaction_id", ""),
            "trade_type": "JSAPI", "trade_state": o["trade_state"],
            "trade_state_desc": o["trade_state"],
            "attach": o.get("attach", ""),
            "success_time": o.get("success_time", ""),
            "payer": {"openid": o["openid"]},
            "amount": {"total": o["total"], "payer_total": o["total"],
                       "currency": "CNY", "payer_currency": "CNY"}}


def encrypt_resource(plain, original_type):
    nonce = secrets.token_hex(6)          # 12 ASCII bytes
    aad = original_type
    ct = AESGCM(ARGS.apiv3_key.encode()).encrypt(
        nonce.encode(), plain.encode(), aad.encode())
    return {"original_type": original_type, "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(ct).decode(),
            "associated_data": aad, "nonce": nonce}


def deliver(req):
    kind = req.get("kind", "payment")
    with LOCK:
        if kind == "payment":
            o = dict(ORDERS[req["out_trade_no"]])
            res = txn_json(o)
            if req.get("total") is not None:
                res["amount"]["total"] = req["total"]
            event, otype = "TRANSACTION.SUCCESS", "transaction"
        else:
            r = REFUNDS[req["out_refund_no"]]
            res = {"mchid": ARGS.mchid, "out_trade_no": r["out_trade_no"],
                   "transaction_id": r["transaction_id"],
                   "out_refund_no": r["out_refund_no"],
                   "refund_id": r["refund_id"], "refund_status": "SUCCESS",
                   "success_time": now_rfc3339(),
                   "user_received_account": r["user_received_account"],
                   "amount": {"total": r["amount"]["total"],
                              "refund": r["amount"]["refund"],
                              "payer_total": r["amount"]["total"],
                              "payer_refund": r["amount"]["refund"]}}
            event, otype = "REFUND.SUCCESS", "refund"
    if req.get("delay"):
        time.sleep(float(req["delay"]))  # "late": the caller asked for it
    statuses = []
    for _ in range(int(req.get("times", 1))):
        env = {"id": "EV-" + secrets.token_hex(8),
               "create_time": now_rfc3339(), "event_type": event,
               "resource_type": "encrypt-resource", "summary": event,
               "resource": encrypt_resource(
                   json.dumps(res, ensure_ascii=False,
                              separators=(",", ":")), otype)}
        body = json.dumps(env, ensure_ascii=False, separators=(",", ":"))
        hdrs = signed_headers(body, req.get("stale"),
                              req.get("bad_signature"))
        hdrs["Content-Type"] = "application/json"
        rq = urllib.request.Request(req["url"], data=body.encode(),
                                    headers=hdrs, method="POST")
        try:
            with urllib.request.urlopen(rq, timeout=5) as resp:
                statuses.append(resp.status)
        except urllib.error.HTTPError as e:
            statuses.append(e.code)
        except OSError:
            statuses.append(0)
    return {"statuses": statuses}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, obj=None, signed=True):
        body = "" if obj is None else json.dumps(
            obj, ensure_ascii=False, separators=(",", ":"))
        self.send_response(status)
        if signed:
            for k, v in signed_headers(body).items():
                self.send_header(k, v)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def err(self, status, code, msg):
        self.reply(status, {"code": code, "message": msg})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode() if n else ""

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        raw = self.body()
        if self.path.startswith("/_control/"):
            return self.control(self.path[len("/_control/"):], raw)
        a = parse_auth(self.headers.get("Authorization"))
        with LOCK:
            CALLS.append({"method": method, "path": self.path,
                          "ua": self.headers.get("User-Agent")})
        if not a or a.get("mchid") != ARGS.mchid:
            return self.err(401, "SIGN_ERROR", "no or foreign authorization")
        msg = "%s\n%s\n%s\n%s\n%s\n" % (method, self.path, a["timestamp"],
                                        a["nonce_str"], raw)
        try:
            MERCHANT_PUB.verify(base64.b64decode(a["signature"]),
                                msg.encode(), padding.PKCS1v15(),
                                hashes.SHA256())
        except (InvalidSignature, ValueError, KeyError):
            return self.err(401, "SIGN_ERROR", "签名错误")
        with LOCK:
            if FAIL["count"] > 0:
                FAIL["count"] -= 1
                return self.err(FAIL["status"], FAIL["code"], "injected")
        req = json.loads(raw) if raw else {}
        p = self.path.split("?")[0]
        with LOCK:
            return self.merchant(method, p, req)

    def merchant(self, method, p, req):
        pre = "/v3/pay/transactions/out-trade-no/"
        if method == "POST" and p == "/v3/pay/transactions/jsapi":
            no = req.get("out_trade_no", "")
            total = req.get("amount", {}).get("total")
            if not no or not isinstance(total, int) or total <= 0 or \
                    not req.get("payer", {}).get("openid"):
                return self.err(400, "PARAM_ERROR", "bad parameters")
            o = ORDERS.get(no)
            if o and (o["total"] != total or o["trade_state"] != "NOTPAY"):
                return self.err(403, "OUT_TRADE_NO_USED", "商户订单号重复")
            if not o:
                ORDERS[no] = {"appid": req["appid"], "mchid": req["mchid"],
                              "out_trade_no": no, "total": total,
                              "openid": req["payer"]["openid"],
                              "attach": req.get("attach", ""),
                              "notify_url": req.get("notify_url"),
                              "trade_state": "NOTPAY"}
            return self.reply(200, {"prepay_id": "wx" + secrets.token_hex(14)})
        if method == "GET" and p.startswith(pre):
            o = ORDERS.get(p[len(pre):])
            if not o:
                return self.err(404, "ORDER_NOT_EXIST", "订单不存在")
            return self.reply(200, txn_json(o))
        if method == "POST" and p.startswith(pre) and p.endswith("/close"):
            o = ORDERS.get(p[len(pre):-len("/close")])
            if not o:
                return self.err(404, "ORDER_NOT_EXIST", "订单不存在")
            if o["trade_state"] == "SUCCESS":
                return self.err(400, "ORDER_PAID", "订单已支付")
            o["trade_state"] = "CLOSED"
            return self.reply(204, None)
        if method == "POST" and p == "/v3/refund/domestic/refunds":
            rno = req.get("out_refund_no", "")
            if rno in REFUNDS:
                return self.reply(200, REFUNDS[rno])
            o = ORDERS.get(req.get("out_trade_no", ""))
            if not o:
                return self.err(404, "ORDER_NOT_EXIST", "订单不存在")
            amt = req.get("amount", {})
            done = sum(r["amount"]["refund"] for r in REFUNDS.values()
                       if r["out_trade_no"] == o["out_trade_no"])
            if o["trade_state"] not in ("SUCCESS", "REFUND") or \
                    amt.get("total") != o["total"] or \
                    not isinstance(amt.get("refund"), int) or \
                    amt["refund"] <= 0 or done + amt["refund"] > o["total"]:
                return self.err(400, "INVALID_REQUEST", "退款金额不对")
            r = {"refund_id": "5000" + secrets.token_hex(10),
                 "out_refund_no": rno,
                 "transaction_id": o["transaction_id"],
                 "out_trade_no": o["out_trade_no"], "channel": "ORIGINAL",
                 "user_received_account": "支付用户零钱",
                 "create_time": now_rfc3339(), "status": "PROCESSING",
                 "amount": {"total": o["total"], "refund": amt["refund"],
                            "payer_total": o["total"],
                            "payer_refund": amt["refund"],
                            "currency": "CNY"}}
            REFUNDS[rno] = r
            o["trade_state"] = "REFUND"
            return self.reply(200, r)
        if method == "GET" and p.startswith("/v3/refund/domestic/refunds/"):
            r = REFUNDS.get(p.rsplit("/", 1)[1])
            if not r:
                return self.err(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
            return self.reply(200, r)
        return self.err(404, "NOT_FOUND", "no such API in the fake")

    def control(self, what, raw):
        req = json.loads(raw) if raw else {}
        if what == "pay":
            with LOCK:
                o = ORDERS.get(req.get("out_trade_no"))
                if not o:
                    return self.reply(404, {"error": "no order"}, False)
                o["trade_state"] = "SUCCESS"
                o["transaction_id"] = "42000" + secrets.token_hex(8)
                o["success_time"] = now_rfc3339()
            return self.reply(200, {"ok": True}, False)
        if what == "fail":
            with LOCK:
                FAIL.update(status=int(req.get("status", 500)),
                            code=req.get("code", "SYSTEM_ERROR"),
                            count=int(req.get("count", 1)))
            return self.reply(200, {"ok": True}, False)
        if what == "notify":
            try:
                return self.reply(200, deliver(req), False)
            except KeyError as e:
                return self.reply(404, {"error": "unknown %s" % e}, False)
        if what == "state":
            with LOCK:
                return self.reply(200, {"orders": ORDERS, "refunds": REFUNDS,
                                        "calls": CALLS}, False)
        return self.reply(404, {"error": "no such control"}, False)


def main():
    global ARGS, PLATFORM, MERCHANT_PUB
    ap = argparse.ArgumentParser()
    ap.add_argument("--merchant-pub", required=True)
    ap.add_argument("--platform-pub-out",
                    default=os.environ.get("WXPAY_FAKE_PUB_OUT"))
    ap.add_argument("--apiv3-key", default="0123456789abcdef0123456789abcdef")
    ap.add_argument("--mchid", default="1900000109")
    ap.add_argument("--serial", default="PUB_KEY_ID_FAKE")
    ARGS = ap.parse_args()
    if not ARGS.platform_pub_out or len(ARGS.apiv3_key.encode()) != 32:
        ap.error("need --platform-pub-out and a 32-byte --apiv3-key")
    with open(ARGS.merchant_pub, "rb") as f:
        MERCHANT_PUB = serialization.load_pem_public_key(f.read())
    PLATFORM = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with open(ARGS.platform_pub_out, "wb") as f:
        f.write(PLATFORM.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
