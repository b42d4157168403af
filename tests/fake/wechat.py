#!/usr/bin/python3
"""Fake WeChat API server (api.weixin.qq.com) for tests, 127.0.0.1 only.

Protocol: wechat-protocols.md §1 (access_token), §2 (mini-program login
and phone number), §3.2 and §3.4 (H5 OAuth code, jsapi_ticket).

Start:
    wechat.py
binds 127.0.0.1 on a free port and prints "PORT <n>" on stdout once it
is listening. Point wechat_api_base at http://127.0.0.1:<n>.

WeChat API (answers as WeChat does: HTTP 200, JSON, errcode on failure,
"rid: ..." at the end of every errmsg):
    POST /cgi-bin/stable_token      {"grant_type","appid","secret",
                                     "force_refresh"}
    GET  /cgi-bin/token?grant_type=client_credential&appid&secret
        -> {"access_token","expires_in"}; unknown appid 40013, wrong
           secret 40125. stable_token returns the same token until it
           is revoked (or force_refresh); /cgi-bin/token issues a new
           one every time (the older stays valid, as in the 5 minutes
           WeChat gives it).
    GET  /cgi-bin/ticket/getticket?access_token&type=jsapi
        -> {"errcode":0,"errmsg":"ok","ticket","expires_in":7200}
    GET  /sns/jscode2session?appid&secret&js_code&grant_type
        -> {"openid","session_key","unionid"?}
    GET  /sns/oauth2/access_token?appid&secret&code&grant_type
        -> {"access_token","expires_in","refresh_token","openid",
            "scope":"snsapi_base","is_snapshotuser"?,"unionid"?}
    POST /wxa/business/getuserphonenumber?access_token  {"code"}
        -> {"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber",
            "purePhoneNumber","countryCode","watermark":{"timestamp",
            "appid"}}}
    POST /cgi-bin/message/subscribe/send?access_token  (§4.1)
    POST /cgi-bin/message/template/send?access_token   (§4.2)
        {"touser","template_id","data":{key:{"value"}},"page"|"url"}
        -> {"errcode":0,"errmsg":"ok","msgid"}; a thing* value over 20
           characters 47003. Refusals (43101) by /_fake/fail.
    A token not issued (or revoked) -> 40001; a code not scripted ->
    40029, a code used before -> 40163; a code scripted for another
    appid -> 40029.

Control API (JSON in, JSON out; not part of WeChat):
    POST /_fake/reset     forget everything: apps, tokens, codes,
                          failures, recorded requests, config
    POST /_fake/app       {"appid","secret"}  an app the fake knows
    POST /_fake/code      {"code","appid","openid","unionid":null,
                           "session_key":null,"is_snapshotuser":0}
                          a wx.login or OAuth code, usable once
    POST /_fake/phone     {"code","appid","phone","country":"86",
                           "watermark_appid":null}
                          a getPhoneNumber code, usable once;
                          watermark_appid overrides the watermark
    POST /_fake/fail      {"path":"/cgi-bin/stable_token" or "*",
                           "errcode":-1 | "mode":"timeout"|"malformed"|
                           "http500", "count":1, "sleep":3.0}
                          the next `count` calls to path answer that
                          error (errcode; after `sleep` s if given),
                          sleep `sleep` s then answer normally
                          (timeout), send a body that is not JSON
                          (malformed) or HTTP 500
    POST /_fake/revoke    {"appid"}  the app's tokens die (40001 from
                          then on); the next stable_token is new
    POST /_fake/config    {"token_delay":0.0, "expires_in":7200}
                          token_delay: seconds every token fetch takes
                          (to widen a race); expires_in: of new tokens
    GET  /_fake/messages  {"messages":[the subscribe and template
                           messages sent, each with its "appid"]}
    GET  /_fake/requests  {"requests":[{"method","path","query","body"}],
                           "token_calls":{appid: n}, "ticket_calls":
                           {appid: n}}  (query and body as parsed)
"""

import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def fresh():
    return {"apps": {}, "stable": {}, "valid": {}, "codes": {},
            "phones": {}, "fails": [], "requests": [], "token_calls": {},
            "ticket_calls": {}, "config": {"token_delay": 0.0,
                                           "expires_in": 7200},
            "messages": []}


S = fresh()


def rid():
    return "fake-" + secrets.token_hex(6)


def err(code, msg):
    return {"errcode": code, "errmsg": "%s rid: %s" % (msg, rid())}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reply(self, obj, status=200):
        self.send(status, json.dumps(obj, ensure_ascii=False))

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode() if n else ""
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {"_raw": raw}
        if u.path.startswith("/_fake/"):
            return self.control(u.path[len("/_fake/"):], body)
        with LOCK:
            S["requests"].append({"method": method, "path": u.path,
                                  "query": q, "body": body})
            fail = None
            for f in S["fails"]:
                if f["count"] > 0 and f["path"] in ("*", u.path):
                    f["count"] -= 1
                    fail = dict(f)
                    break
        if fail is not None:
            mode = fail.get("mode")
            if mode == "timeout":
                time.sleep(float(fail.get("sleep", 3.0)))
            elif mode == "malformed":
                return self.send(200, '{"access_token": "x', "text/plain")
            elif mode == "http500":
                return self.send(500, "<html>500</html>", "text/html")
            else:
                if fail.get("sleep"):
                    time.sleep(float(fail["sleep"]))    # asked for
                return self.reply(err(int(fail.get("errcode", -1)),
                                      "injected"))
        api = {
            ("POST", "/cgi-bin/stable_token"): self.stable_token,
            ("GET", "/cgi-bin/token"): self.token,
            ("GET", "/cgi-bin/ticket/getticket"): self.ticket,
            ("GET", "/sns/jscode2session"): self.jscode2session,
            ("GET", "/sns/oauth2/access_token"): self.oauth,
            ("POST", "/wxa/business/getuserphonenumber"): self.phone,
            # messages to users (§4)
            ("POST", "/cgi-bin/message/subscribe/send"): self.message,
            ("POST", "/cgi-bin/message/template/send"): self.message,
            # channels (§5): codes
            ("POST", "/cgi-bin/qrcode/create"): self.qrcode_create,
            ("POST", "/wxa/getwxacodeunlimit"): self.wxacode_unlimit,
        }.get((method, u.path))
        if api is None:
            return self.reply(err(40066, "invalid url"), 404)
        out = api(q, body)
        if isinstance(out, bytes):      # an image, not JSON (§5.1)
            return self.send(200, out, "image/png")
        return self.reply(out)

    # -- WeChat ---------------------------------------------------------

    def app_check(self, appid, secret):
        with LOCK:
            known = S["apps"].get(appid)
        if known is None:
            return err(40013, "invalid appid")
        if secret != known:
            return err(40125, "invalid appsecret")
        return None

    def issue(self, appid, stable, force=False):
        with LOCK:
            S["token_calls"][appid] = S["token_calls"].get(appid, 0) + 1
            delay = S["config"]["token_delay"]
            exp = int(S["config"]["expires_in"])
        if delay:
            time.sleep(delay)       # the caller asked for a slow fetch
        with LOCK:
            tok = S["stable"].get(appid) if stable and not force else None
            if tok is None or tok not in S["valid"]:
                tok = "TOK_%s_%s" % (appid[-4:], secrets.token_hex(24))
                S["valid"][tok] = appid
                if stable:
                    S["stable"][appid] = tok
        return {"access_token": tok, "expires_in": exp}

    def stable_token(self, q, b):
        if b.get("grant_type") != "client_credential":
            return err(40002, "invalid grant_type")
        e = self.app_check(b.get("appid"), b.get("secret"))
        return e or self.issue(b["appid"], True,
                               bool(b.get("force_refresh")))

    def token(self, q, b):
        if q.get("grant_type") != "client_credential":
            return err(40002, "invalid grant_type")
        e = self.app_check(q.get("appid"), q.get("secret"))
        return e or self.issue(q["appid"], False)

    def token_app(self, q):
        with LOCK:
            return S["valid"].get(q.get("access_token", ""))

    def ticket(self, q, b):
        appid = self.token_app(q)
        if appid is None:
            return err(40001, "invalid credential, access_token is "
                       "invalid or not latest")
        if q.get("type") != "jsapi":
            return err(40097, "invalid args")
        with LOCK:
            S["ticket_calls"][appid] = S["ticket_calls"].get(appid, 0) + 1
        return {"errcode": 0, "errmsg": "ok",
                "ticket": "TICKET_" + secrets.token_hex(20),
                "expires_in": 7200}

    def take_code(self, table, code, appid):
        with LOCK:
            c = S[table].get(code)
            if c is None or c["appid"] != appid:
                return None, err(40029, "invalid code")
            if c.get("used"):
                return None, err(40163, "code been used")
            c["used"] = True
            return c, None

    def jscode2session(self, q, b):
        e = self.app_check(q.get("appid"), q.get("secret"))
        if e:
            return e
        if q.get("grant_type") != "authorization_code":
            return err(40002, "invalid grant_type")
        c, e = self.take_code("codes", q.get("js_code", ""), q["appid"])
        if e:
            return e
        out = {"openid": c["openid"],
               "session_key": c.get("session_key") or
               secrets.token_urlsafe(16)}
        if c.get("unionid"):
            out["unionid"] = c["unionid"]
        return out

    def oauth(self, q, b):
        e = self.app_check(q.get("appid"), q.get("secret"))
        if e:
            return e
        if q.get("grant_type") != "authorization_code":
            return err(40002, "invalid grant_type")
        c, e = self.take_code("codes", q.get("code", ""), q["appid"])
        if e:
            return e
        out = {"access_token": "UAT_" + secrets.token_hex(16),
               "expires_in": 7200,
               "refresh_token": "URT_" + secrets.token_hex(16),
               "openid": c["openid"], "scope": "snsapi_base"}
        if c.get("is_snapshotuser"):
            out["is_snapshotuser"] = 1
        if c.get("unionid"):
            out["unionid"] = c["unionid"]
        return out

    def phone(self, q, b):
        appid = self.token_app(q)
        if appid is None:
            return err(40001, "invalid credential, access_token is "
                       "invalid or not latest")
        c, e = self.take_code("phones", b.get("code", ""), appid)
        if e:
            return e
        cc = c.get("country", "86")
        return {"errcode": 0, "errmsg": "ok", "phone_info": {
            "phoneNumber": c["phone"] if cc == "86" else
            "+%s%s" % (cc, c["phone"]),
            "purePhoneNumber": c["phone"], "countryCode": cc,
            "watermark": {"timestamp": int(time.time()),
                          "appid": c.get("watermark_appid") or appid}}}

    # -- control --------------------------------------------------------

    # -- messages (§4.1 subscribe, §4.2 template) --------------------------

    def message(self, q, b):
        appid = self.token_app(q)
        if appid is None:
            return err(40001, "invalid credential, access_token is "
                       "invalid or not latest")
        if not b.get("touser") or not b.get("template_id") or \
                not isinstance(b.get("data"), dict):
            return err(47001, "data format error")
        for k, v in b["data"].items():
            if not isinstance(v, dict) or not isinstance(v.get("value"), str):
                return err(47003, "argument invalid! data.%s.value" % k)
            if k.startswith("thing") and len(v["value"]) > 20:
                return err(47003, "argument invalid! data.%s.value" % k)
        with LOCK:
            S["messages"].append(dict(b, appid=appid))
        return {"errcode": 0, "errmsg": "ok", "msgid": len(S["messages"])}

    def control(self, what, b):
        global S
        with LOCK:
            if what == "reset":
                S = fresh()
            elif what == "app":
                S["apps"][b["appid"]] = b["secret"]
            elif what == "code":
                S["codes"][b["code"]] = dict(b)
            elif what == "phone":
                S["phones"][b["code"]] = dict(b)
            elif what == "fail":
                f = {"path": b.get("path", "*"),
                     "count": int(b.get("count", 1))}
                for k in ("errcode", "mode", "sleep"):
                    if k in b:
                        f[k] = b[k]
                S["fails"].append(f)
            elif what == "revoke":
                for t, a in list(S["valid"].items()):
                    if a == b["appid"]:
                        del S["valid"][t]
                S["stable"].pop(b["appid"], None)
            elif what == "config":
                S["config"].update(b)
            elif what == "messages":
                return self.reply({"messages": S["messages"]})
            elif what == "requests":
                return self.reply({"requests": S["requests"],
                                   "token_calls": S["token_calls"],
                                   "ticket_calls": S["ticket_calls"]})
            else:
                return self.reply({"error": "no such control"}, 404)
        return self.reply({"ok": True})

    # -- channels: QR codes (§5) ----------------------------------------
    # POST /cgi-bin/qrcode/create?access_token  {"action_name":
    #     "QR_LIMIT_STR_SCENE","action_info":{"scene":{"scene_str"}}}
    #     -> {"ticket","url"}, the same for the same scene_str; other
    #     actions 40097 (only the permanent string kind is used).
    # POST /wxa/getwxacodeunlimit?access_token  {"scene","width"?...}
    #     -> PNG bytes (image/png), or JSON 40169 for a scene that is
    #     empty, over 32 characters or outside [0-9A-Za-z!#$&'()*+,/:;=?
    #     @-._~]; /_fake/fail answers JSON errors as for any path.

    def qrcode_create(self, q, b):
        if self.token_app(q) is None:
            return err(40001, "invalid credential, access_token is "
                       "invalid or not latest")
        scene = ((b.get("action_info") or {}).get("scene") or {}).get(
            "scene_str")
        if b.get("action_name") != "QR_LIMIT_STR_SCENE" or \
                not isinstance(scene, str) or not 1 <= len(scene) <= 64:
            return err(40097, "invalid args")
        with LOCK:
            codes = S.setdefault("qrcodes", {})
            if scene not in codes:
                codes[scene] = secrets.token_hex(12)
            t = codes[scene]
        return {"ticket": "gQ" + t + "==", "url":
                "http://weixin.qq.com/q/" + t}

    def wxacode_unlimit(self, q, b):
        import re
        import struct
        import zlib
        if self.token_app(q) is None:
            return err(40001, "invalid credential, access_token is "
                       "invalid or not latest")
        scene = b.get("scene")
        if not isinstance(scene, str) or not 1 <= len(scene) <= 32 or \
                not re.fullmatch(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]+",
                                 scene):
            return err(40169, "invalid length for scene")

        def chunk(kind, data):
            c = struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
            return struct.pack(">I", len(data)) + kind + data + c
        w = 8   # an 8x8 grey picture: enough to be a PNG
        raw = b"".join(b"\0" + bytes([0x80] * w) for _ in range(w))
        return (b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", w, w, 8, 0, 0, 0, 0))
                + chunk(b"tEXt", b"scene\0" + scene.encode())
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
