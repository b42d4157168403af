"""scripts/pagetools.py -- what scripts/lighthouse and scripts/screenshots
share: where the stack is, logging in, finding the pages to look at, and
switching the demo shop's theme.

Developer tools, not part of the tests or of CI. They talk to a running
stack (scripts/dev-up) over HTTP, and to its MariaDB through the socket
dev-up leaves in var/ (root, no password) for the one thing the HTTP side
cannot do without refilling the whole settings form: the theme switch.
"""

import contextlib
import fcntl
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STAFF_PHONE = "13800000000"
BUYER_PHONE = "13900000000"
PASSWORD = "demo1234"


def die(msg, code=2):
    print(f"{os.path.basename(sys.argv[0])}: {msg}", file=sys.stderr)
    sys.exit(code)


def default_base():
    port = os.environ.get("DINGHUO_PORT", "8080")
    return f"http://127.0.0.1:{port}/s/demo"


class Shop:
    """One shop of a running stack, reached at BASE (…/s/<slug>)."""

    def __init__(self, base, socket=None, db="dinghuo"):
        self.base = base.rstrip("/")
        u = urllib.parse.urlsplit(self.base)
        self.origin = f"{u.scheme}://{u.netloc}"
        self.socket = socket or os.path.join(ROOT, "var", "mysql.sock")
        self.db = db
        self.http = requests.Session()
        self.http.trust_env = False      # 127.0.0.1, never a proxy
        try:
            self.info = self.api("/api/v1/shop")
        except requests.RequestException as e:
            die(f"no shop at {self.base} ({type(e).__name__}); is the "
                "stack up? (scripts/dev-up)")
        self.slug = self.info["slug"]

    def url(self, path):
        return self.base + path

    def api(self, path, session=None):
        r = (session or self.http).get(
            self.url(path), headers={"Accept": "application/json"},
            timeout=10)
        r.raise_for_status()
        return r.json()["data"]

    # -- logins ----------------------------------------------------------

    def login(self, phone=BUYER_PHONE, password=PASSWORD, staff=False):
        """Log in through the HTML form; return the requests.Session."""
        path = "/admin/login" if staff else "/login"
        s = requests.Session()
        s.trust_env = False
        r = s.get(self.url(path), timeout=10)
        r.raise_for_status()
        r = s.post(self.url(path), allow_redirects=False, timeout=30,
                   data={"phone": phone, "password": password,
                         "csrf": csrf_of(r.text)})
        if r.status_code != 303 or "sid" not in s.cookies:
            die(f"login {phone} at {path}: HTTP {r.status_code}")
        return s

    # -- pages -----------------------------------------------------------

    def product(self):
        """The product to look at: the first of the wholesale list with a
        picture (what a product page usually has), else the first."""
        ps = self.api("/api/v1/wholesale/products")["products"]
        if not ps:
            die("the shop's wholesale mall has no products")
        return next((p for p in ps if p.get("thumb")), ps[0])["id"]

    def category_path(self):
        """The list of the first category the home page links to."""
        t = self.http.get(self.url("/"), timeout=10).text
        m = re.search(r'href="[^"]*/(wholesale/products\?cat=\d+)"', t)
        return "/" + (m.group(1) if m else "wholesale/products")

    def first_link(self, session, path, pattern):
        """The first href under PATH matching PATTERN (a regex on the path
        after the shop base), or None."""
        t = session.get(self.url(path), timeout=10).text
        m = re.search(r'href="' + re.escape(urllib.parse.urlsplit(
            self.base).path) + "(" + pattern + ')"', t)
        return m.group(1) if m else None

    def ensure_inquiry(self, buyer, product):
        """Make sure the buyer has an inquiry to show (the demo data has
        none): send one through the form, as a buyer would. Returns the
        path of one of the buyer's inquiries, or None."""
        pat = r"/account/inquiries/\d+"
        found = self.first_link(buyer, "/account/inquiries", pat)
        if found:
            return found
        r = buyer.get(self.url(f"/inquiry?product={product}"), timeout=10)
        form = form_fields(r.text)
        form.setdefault("message", "请报一下整箱价，谢谢。")
        r = buyer.post(self.url("/inquiry"), data=form, timeout=30,
                       allow_redirects=False)
        if r.status_code not in (200, 303):
            print(f"could not send a sample inquiry: HTTP {r.status_code}",
                  file=sys.stderr)
            return None
        return self.first_link(buyer, "/account/inquiries", pat)

    # -- theme -----------------------------------------------------------

    def sql(self, query):
        if not os.path.exists(self.socket):
            die(f"switching themes needs the stack's MariaDB socket; "
                f"{self.socket} is not there (--socket)")
        return subprocess.run(
            ["mariadb", "--no-defaults", "-S", self.socket, "-uroot", "-N",
             "-B", self.db, "-e", query],
            check=True, capture_output=True, text=True).stdout.strip()

    def theme(self):
        return self.api("/api/v1/shop")["theme"]

    def set_theme(self, theme):
        """Switch the shop to THEME the way a settings save does (column
        and version bump), then wait until every worker renders it: the
        shop cache revalidates every half second."""
        if not re.fullmatch(r"[A-Za-z0-9_-]+", theme):
            die(f"bad theme name {theme!r}")
        if not os.path.isdir(os.path.join(ROOT, "templates", "themes",
                                          theme)):
            print(f"warning: no templates/themes/{theme} in {ROOT}",
                  file=sys.stderr)
        self.sql(f"UPDATE shop SET theme = '{theme}', version = version + 1 "
                 f"WHERE slug = '{self.slug}'")
        deadline = time.monotonic() + 10
        agree = 0
        while agree < 12:        # more answers in a row than workers
            if time.monotonic() > deadline:
                die(f"theme {theme} did not show within 10 s")
            agree = agree + 1 if self.theme() == theme else 0
            if agree == 0:
                time.sleep(0.1)

    @contextlib.contextmanager
    def themes_restored(self):
        """Put the shop's theme back afterwards, whatever happens, and keep
        other users of these tools off the theme meanwhile."""
        os.makedirs(os.path.join(ROOT, "var", "run"), exist_ok=True)
        with open(os.path.join(ROOT, "var", "run", "theme-switch.lock"),
                  "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print("waiting: another scripts/lighthouse or "
                      "scripts/screenshots is switching themes",
                      file=sys.stderr)
                fcntl.flock(lock, fcntl.LOCK_EX)
            old = self.theme()
            # SIGTERM too runs the finally below (Ctrl-C already does).
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            try:
                yield
            finally:
                if self.theme() != old:
                    self.set_theme(old)


def csrf_of(text):
    m = (re.search(r'name="csrf"[^>]*?value="([^"]*)"', text) or
         re.search(r'value="([^"]*)"[^>]*?name="csrf"', text))
    if not m:
        die("no csrf field in the login page")
    return html.unescape(m.group(1))


def form_fields(text):
    """The fields of the first form in TEXT as a browser would send them
    untouched: inputs with their values, each select's selected (or first)
    option, textareas' text."""
    m = re.search(r"<form\b.*?</form>", text, re.S)
    form = m.group(0) if m else ""
    out = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'\bname="([^"]*)"', tag)
        if not name or re.search(r'type="(submit|checkbox|radio|file)"',
                                 tag):
            continue
        value = re.search(r'\bvalue="([^"]*)"', tag)
        out[html.unescape(name.group(1))] = \
            html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(
            r'<select\b[^>]*\bname="([^"]*)"[^>]*>(.*?)</select>', form,
            re.S):
        opts = re.findall(r"<option\b([^>]*)>", body)
        pick = next((o for o in opts if "selected" in o),
                    opts[0] if opts else "")
        value = re.search(r'value="([^"]*)"', pick)
        if value:
            out[html.unescape(name)] = html.unescape(value.group(1))
    for name, body in re.findall(
            r'<textarea\b[^>]*\bname="([^"]*)"[^>]*>(.*?)</textarea>', form,
            re.S):
        if body.strip():
            out[html.unescape(name)] = html.unescape(body)
    return out


def dump_json(path, obj):
    with open(path + ".tmp", "w") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
    os.replace(path + ".tmp", path)
