#!/usr/bin/python3
"""Fake SMS provider for tests (127.0.0.1 only): the one request
services/sms.c sends.

Start: sms.py  -> prints "PORT <n>"; point sms_url at
http://127.0.0.1:<n>/send and sms_token at "test-token".

    POST /send  {"phone","sign","text"}, Authorization: Bearer test-token
        -> 200 {"ok":true}; another token 401
Control:
    GET  /_fake/messages  {"messages":[{"phone","sign","text"}]}
    POST /_fake/fail      {"count":1,"status":500}  the next sends fail
    POST /_fake/reset
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
S = {"messages": [], "fail": {"count": 0, "status": 500}}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, obj):
        b = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        if self.path == "/_fake/messages":
            with LOCK:
                return self.reply(200, {"messages": S["messages"]})
        self.reply(404, {"error": "no such path"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode() if n else "{}"
        b = json.loads(raw or "{}")
        with LOCK:
            if self.path == "/_fake/reset":
                S["messages"].clear()
                S["fail"] = {"count": 0, "status": 500}
                return self.reply(200, {"ok": True})
            if self.path == "/_fake/fail":
                S["fail"] = {"count": int(b.get("count", 1)),
                             "status": int(b.get("status", 500))}
                return self.reply(200, {"ok": True})
            if self.path != "/send":
                return self.reply(404, {"error": "no such path"})
            if self.headers.get("Authorization") != "Bearer test-token":
                return self.reply(401, {"error": "bad token"})
            if S["fail"]["count"] > 0:
                S["fail"]["count"] -= 1
                return self.reply(S["fail"]["status"], {"error": "injected"})
            S["messages"].append({k: b.get(k) for k in
                                  ("phone", "sign", "text")})
        return self.reply(200, {"ok": True})


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
