#!/usr/bin/python3
"""Fake 微信客服 API (WeCom, qyapi.weixin.qq.com) for tests, 127.0.0.1 only.

Protocol: wechat-protocols.md §8.1 (gettoken), §11 (微信客服), §6.3/§8.7
(callback crypto). Shapes from §11.17.

Start:
    wxkf.py
binds 127.0.0.1 on a free port and prints "PORT <n>" once listening.
Point wecom_api_base at http://127.0.0.1:<n>.

WeCom API (HTTP 200, JSON, errcode/errmsg):
    GET  /cgi-bin/gettoken?corpid&corpsecret -> {"access_token",
         "expires_in":7200}; unknown corp 40013, wrong secret 40001
    POST /cgi-bin/kf/account/list {"offset","limit"} -> {"account_list"}
    POST /cgi-bin/kf/add_contact_way {"open_kfid","scene"} -> {"url"}
    POST /cgi-bin/kf/sync_msg {"cursor","token"?,"limit","open_kfid"}
         pages of the account's log, page_size at a time: next_cursor
         "C<n>", has_more 1 while more are left. A token that is not the
         account's last callback Token (or older than 10 min) -> 95007.
         An empty page with has_more 1 (/_fake/config empty_page) and
         a repeated message (repeat) can be scripted.
    POST /cgi-bin/kf/send_msg {"touser","open_kfid","msgid","msgtype",…}
         the window (§11.7): after the customer's last message (origin
         3 in the log) at most 5 sends in 48 h: the 6th 95001, past 48 h
         95002 (also with no customer message), session state 2/3/4
         95018, a msgid used before on the account 95035 (ours: the real
         code is unconfirmed), text over 2048 bytes 45002, empty 44004.
         -> {"errcode":0,"errmsg":"ok","msgid"}
    POST /cgi-bin/media/upload?type=image  multipart, part "media"
         -> {"type":"image","media_id","created_at"}
    POST /cgi-bin/kf/customer/batchget {"external_userid_list"}
         -> {"customer_list":[…],"invalid_external_userid":[…]}
    Any call with a token not issued -> 40014.

Control API (not WeCom's):
    POST /_fake/reset
    POST /_fake/corp      {"corpid","secret"}
    POST /_fake/account   {"open_kfid","name"}
    POST /_fake/customer  {"external_userid","nickname","unionid"}
    POST /_fake/message   {"open_kfid","msgs":[…]}  appended to the log;
                          a row without send_time gets now, without
                          open_kfid the account's
    POST /_fake/config    {"page_size":2,"sync_delay":0.0,
                           "empty_page":0,"repeat":0}
    POST /_fake/state     {"open_kfid","external_userid","state"}
    POST /_fake/fail      {"path","errcode","count":1}
    POST /_fake/callback  {"url","token","aes_key","corpid","open_kfid",
                           "cb_token"?, "timestamp"?, "nonce"?,
                           "tamper":0, "wrong_key":0}
                          posts a signed, encrypted kf_msg_or_event to
                          url as WeCom would (the Token it carries
                          becomes the one sync_msg accepts); answers
                          {"status","body","query","data"} to replay
    GET  /_fake/requests  {"calls":[{"path","body"}],"sent":[…],
                           "syncs":[{"open_kfid","cursor","token"}],
                           "uploads":[{"bytes"}],"token_calls":n}
"""

import base64
import hashlib
import json
import os
import re
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

LOCK = threading.Lock()
S = {}


def fresh():
    S.clear()
    S.update(corps={}, tokens={}, accounts=[], customers={}, log={},
             cb_tokens={}, state={}, fails=[], calls=[], sent=[], syncs=[],
             uploads=[], msgids=set(), token_calls=0, n=0,
             config={"page_size": 2, "sync_delay": 0.0, "empty_page": 0,
                     "repeat": 0})


fresh()


# -- the callback crypto (§6.3), as WeCom does it ----------------------

def aes_key(encoding_aes_key):
    return base64.b64decode(encoding_aes_key + "=")


def encrypt(encoding_aes_key, receiveid, msg, random16=None):
    k = aes_key(encoding_aes_key)
    raw = (random16 or os.urandom(16)) + struct.pack(">I", len(msg)) + \
        msg + receiveid.encode()
    pad = 32 - len(raw) % 32
    raw += bytes([pad]) * pad
    e = Cipher(algorithms.AES(k), modes.CBC(k[:16])).encryptor()
    return base64.b64encode(e.update(raw) + e.finalize()).decode()


def sign(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def callback_request(token, encoding_aes_key, corpid, open_kfid, cb_token,
                     timestamp=None, nonce=None):
    """(query, body) of the kf_msg_or_event WeCom posts (§11.4)."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or str(int.from_bytes(os.urandom(4), "big"))
    msg = ("<xml><ToUserName><![CDATA[%s]]></ToUserName>"
           "<CreateTime>%s</CreateTime><MsgType><![CDATA[event]]></MsgType>"
           "<Event><![CDATA[kf_msg_or_event]]></Event>"
           "<Token><![CDATA[%s]]></Token>"
           "<OpenKfId><![CDATA[%s]]></OpenKfId></xml>"
           % (corpid, ts, cb_token, open_kfid)).encode()
    enc = encrypt(encoding_aes_key, corpid, msg)
    body = ("<xml><ToUserName><![CDATA[%s]]></ToUserName>"
            "<AgentID><![CDATA[1000002]]></AgentID>"
            "<Encrypt><![CDATA[%s]]></Encrypt></xml>" % (corpid, enc))
    q = {"msg_signature": sign(token, ts, nonce, enc), "timestamp": ts,
         "nonce": nonce}
    return q, body


def verify_request(token, encoding_aes_key, corpid, echo, timestamp=None):
    """The query of WeCom's GET URL check (§8.7): echostr encrypted."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = str(int.from_bytes(os.urandom(4), "big"))
    enc = encrypt(encoding_aes_key, corpid, echo.encode())
    return {"msg_signature": sign(token, ts, nonce, enc), "timestamp": ts,
            "nonce": nonce, "echostr": enc}


def post_callback(url, token, encoding_aes_key, corpid, open_kfid, cb_token,
                  timestamp=None, nonce=None, tamper=False):
    q, body = callback_request(token, encoding_aes_key, corpid, open_kfid,
                               cb_token, timestamp, nonce)
    if tamper:
        q["msg_signature"] = "0" * 40
    full = url + "?" + urllib.parse.urlencode(q)
    req = urllib.request.Request(full, data=body.encode(), method="POST",
                                 headers={"Content-Type": "text/xml"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, r.read().decode(), q, body
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), q, body


# -- the API -----------------------------------------------------------

def err(code, msg):
    return {"errcode": code, "errmsg": msg}


def now():
    return int(time.time())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        path = u.path
        if path.startswith("/_fake/"):
            b = json.loads(raw or b"{}")
            if method == "GET" and path == "/_fake/requests":
                with LOCK:
                    return self.send(200, {
                        "calls": S["calls"], "sent": S["sent"],
                        "syncs": S["syncs"], "uploads": S["uploads"],
                        "token_calls": S["token_calls"]})
            return self.send(200, self.control(path[7:], b))
        if path == "/cgi-bin/media/upload":
            return self.send(200, self.api(path, q, None, raw))
        try:
            b = json.loads(raw) if raw else {}
        except ValueError:
            return self.send(200, err(47001, "data format error"))
        delay = 0.0
        if path == "/cgi-bin/kf/sync_msg":
            delay = S["config"].get("sync_delay", 0.0)
        if delay:
            time.sleep(delay)
        self.send(200, self.api(path, q, b, raw))

    def api(self, path, q, b, raw):
        with LOCK:
            S["calls"].append({"path": path, "body": b})
            for f in S["fails"]:
                if f["path"] in (path, "*") and f["count"] > 0:
                    f["count"] -= 1
                    return err(f["errcode"], "scripted failure")
            if path == "/cgi-bin/gettoken":
                return self.gettoken(q)
            if S["tokens"].get(q.get("access_token")) is None:
                return err(40014, "invalid access_token")
            fn = {"/cgi-bin/kf/account/list": self.account_list,
                  "/cgi-bin/kf/add_contact_way": self.add_contact_way,
                  "/cgi-bin/kf/sync_msg": self.sync_msg,
                  "/cgi-bin/kf/send_msg": self.send_msg,
                  "/cgi-bin/kf/customer/batchget": self.batchget,
                  "/cgi-bin/media/upload": self.upload}.get(path)
            if fn is None:
                return err(40008, "no such api (fake)")
            return fn(q, b if b is not None else raw)

    def gettoken(self, q):
        S["token_calls"] += 1
        corp = q.get("corpid")
        if corp not in S["corps"]:
            return err(40013, "invalid corpid")
        if S["corps"][corp] != q.get("corpsecret"):
            return err(40001, "invalid secret")
        S["n"] += 1
        tok = "kftoken%06d" % S["n"]
        S["tokens"][tok] = corp
        return {"errcode": 0, "errmsg": "ok", "access_token": tok,
                "expires_in": 7200}

    def account_list(self, q, b):
        off, lim = int(b.get("offset", 0)), int(b.get("limit", 100))
        rows = S["accounts"][off:off + lim]
        return {"errcode": 0, "errmsg": "ok", "account_list": [
            {"open_kfid": a["open_kfid"], "name": a["name"],
             "avatar": "https://wework.qpic.cn/fake", "manage_privilege":
             True} for a in rows]}

    def add_contact_way(self, q, b):
        kfid, scene = b.get("open_kfid"), b.get("scene", "")
        if kfid not in [a["open_kfid"] for a in S["accounts"]]:
            return err(95004, "open_kfid not exist")
        if scene and not re.fullmatch(r"[0-9A-Za-z_-]{1,32}", scene):
            return err(40058, "invalid scene")
        return {"errcode": 0, "errmsg": "ok", "url":
                "https://work.weixin.qq.com/kf/kfc%s?enc_scene=ENC%s"
                % (hashlib.sha1(kfid.encode()).hexdigest()[:12], scene)}

    def sync_msg(self, q, b):
        kfid, cursor, token = b.get("open_kfid"), b.get("cursor", ""), \
            b.get("token")
        S["syncs"].append({"open_kfid": kfid, "cursor": cursor,
                           "token": token})
        if token is not None:
            t = S["cb_tokens"].get(kfid)
            if t is None or t[0] != token or now() - t[1] > 600:
                return err(95007, "invalid msg token")
        log = S["log"].get(kfid, [])
        m = re.fullmatch(r"C(\d+)", cursor or "C0")
        if not m:
            return err(95000, "invalid cursor")
        i = int(m.group(1))
        cf = S["config"]
        if cf.get("empty_page"):
            cf["empty_page"] -= 1
            return {"errcode": 0, "errmsg": "ok", "next_cursor": "C%d" % i,
                    "has_more": 1, "msg_list": []}
        page = log[i:i + cf["page_size"]]
        rows = [{k: v for k, v in m.items() if k != "_seq"} for m in page]
        if cf.get("repeat") and i > 0:
            cf["repeat"] -= 1
            rows.insert(0, {k: v for k, v in log[i - 1].items()
                            if k != "_seq"})     # a message seen before
        j = i + len(page)
        return {"errcode": 0, "errmsg": "ok", "next_cursor": "C%d" % j,
                "has_more": 1 if j < len(log) else 0, "msg_list": rows}

    def window(self, kfid, user):
        """The customer's last message time, and our sends after it (in
        the order things happened: seconds tie in a fast test)."""
        last, seq = 0, 0
        for m in S["log"].get(kfid, []):
            if m.get("origin") == 3 and m.get("external_userid") == user \
                    and m["send_time"] >= last:
                last, seq = m["send_time"], m.get("_seq", 0)
        sent = [s for s in S["sent"] if s["open_kfid"] == kfid and
                s["touser"] == user and s["_seq"] > seq]
        return last, len(sent)

    def send_msg(self, q, b):
        kfid, user, msgid = b.get("open_kfid"), b.get("touser"), \
            b.get("msgid")
        if msgid and (kfid, msgid) in S["msgids"]:
            return err(95035, "duplicate msgid (fake)")
        if S["state"].get((kfid, user), 0) in (2, 3, 4):
            return err(95018, "session status not allow to send")
        last, n = self.window(kfid, user)
        if last == 0 or now() > last + 48 * 3600:
            return err(95002, "msg time limit")
        if n >= 5:
            return err(95001, "msg count limit")
        t = b.get("msgtype")
        if t == "text":
            c = b.get("text", {}).get("content", "")
            if not c:
                return err(44004, "empty content")
            if len(c.encode()) > 2048:
                return err(45002, "content too long")
        elif t in ("image", "link", "miniprogram"):
            inner = b.get(t) or {}
            key = "media_id" if t == "image" else "thumb_media_id"
            if not inner.get(key):
                return err(40007, "invalid media_id")
        else:
            return err(40008, "invalid message type")
        S["n"] += 1
        msgid = msgid or "fake%d" % S["n"]
        S["msgids"].add((kfid, msgid))
        S["n"] += 1
        S["sent"].append(dict(b, msgid=msgid, at=now(), _seq=S["n"]))
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def batchget(self, q, b):
        ok, bad = [], []
        for u in b.get("external_userid_list", []):
            c = S["customers"].get(u)
            if c is None:
                bad.append(u)
            else:
                ok.append(dict({"external_userid": u, "gender": 0,
                                "avatar": ""}, **c))
        return {"errcode": 0, "errmsg": "ok", "customer_list": ok,
                "invalid_external_userid": bad}

    def upload(self, q, raw):
        if q.get("type") != "image":
            return err(40004, "invalid media type")
        ctype = self.headers.get("Content-Type", "")
        m = re.search(r"boundary=([^;]+)", ctype)
        if not m:
            return err(47001, "not multipart")
        parts = raw.split(b"--" + m.group(1).encode())
        data = None
        for p in parts:
            head, _, rest = p.partition(b"\r\n\r\n")
            if b'name="media"' in head:
                data = rest[:-2] if rest.endswith(b"\r\n") else rest
        if not data or len(data) <= 5:
            return err(40006, "invalid file size")
        if not (data[:3] == b"\xff\xd8\xff" or data[:8] ==
                b"\x89PNG\r\n\x1a\n"):
            return err(40005, "invalid file type")
        S["n"] += 1
        S["uploads"].append({"bytes": len(data)})
        return {"errcode": 0, "errmsg": "", "type": "image",
                "media_id": "MEDIA%04d" % S["n"],
                "created_at": str(now())}

    def control(self, what, b):
        if what == "callback":
            cb = b.get("cb_token") or "ENC%d" % time.time_ns()
            remember_token(b["open_kfid"], cb)   # what sync_msg takes
            st, body, qq, xml = post_callback(
                b["url"], b["token"],
                b["aes_key"] if not b.get("wrong_key") else "B" * 43,
                b["corpid"], b["open_kfid"], cb,
                b.get("timestamp"), b.get("nonce"), b.get("tamper"))
            return {"status": st, "body": body, "query": qq, "data": xml}
        with LOCK:
            if what == "reset":
                fresh()
            elif what == "corp":
                S["corps"][b["corpid"]] = b["secret"]
            elif what == "account":
                S["accounts"].append({"open_kfid": b["open_kfid"],
                                      "name": b.get("name", "")})
            elif what == "customer":
                S["customers"][b["external_userid"]] = {
                    "nickname": b.get("nickname", ""),
                    **({"unionid": b["unionid"]} if b.get("unionid")
                       else {})}
            elif what == "message":
                log = S["log"].setdefault(b["open_kfid"], [])
                for m in b["msgs"]:
                    m = dict(m)
                    m.setdefault("send_time", now())
                    S["n"] += 1
                    m["_seq"] = S["n"]
                    if m.get("msgtype") != "event":
                        m.setdefault("open_kfid", b["open_kfid"])
                    log.append(m)
            elif what == "config":
                S["config"].update(b)
            elif what == "state":
                S["state"][(b["open_kfid"], b["external_userid"])] = \
                    b["state"]
            elif what == "fail":
                S["fails"].append({"path": b["path"], "errcode":
                                   b["errcode"], "count": b.get("count", 1)})
            elif what == "cbtoken":
                S["cb_tokens"][b["open_kfid"]] = (b["token"], now())
        return {"ok": True}


def remember_token(open_kfid, token):
    with LOCK:
        S["cb_tokens"][open_kfid] = (token, now())


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
