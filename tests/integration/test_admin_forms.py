"""Every post form on every back-office page goes where it says: the
owner follows each form's own action with the form's own fields (csrf,
the values it shows, nothing changed) and never gets a 404 or a 5xx.
Caught the contract and fixed-price rows whose {{base}} was the row's
base price, not the page's path prefix (issue 9).

The pages are every GET route under /admin that `dinghuo routes` lists,
each id filled from a row the module makes (a product, a category, a
company with an order, a payment, an application, a statement, an
invoice request, an inquiry); a route with an id the module has no row
for fails the test, so a new page cannot be left out."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import pytest

from helpers import get_csrf
from orders_kit import (add, bearer_session, company, drop_companies,
                        drop_skus, seed_skus, submit)
from test_admin_catalog import png

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
ADMIN = "/s/shop-a/admin"


class Forms(HTMLParser):
    """The post forms of a page: action and the fields as shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.cur = None
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post" and \
                    a.get("action"):
                self.cur = {"action": a["action"], "fields": [],
                            "multipart": "multipart" in (a.get("enctype")
                                                         or "")}
                self.forms.append(self.cur)
            return
        if self.cur is None or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            self.cur["fields"].append((a["name"], a.get("value") or
                                       ("on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select = [a["name"], None, None]
        elif tag == "option" and self.select is not None:
            v = a.get("value", "")
            if self.select[1] is None:
                self.select[1] = v
            if "selected" in a:
                self.select[2] = v
        elif tag == "textarea":
            self.textarea = [a["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.cur = None
        elif tag == "select" and self.select is not None:
            name, first, chosen = self.select
            self.cur["fields"].append((name, chosen if chosen is not None
                                       else first or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.cur["fields"].append(tuple(self.textarea))
            self.textarea = None


def one(stack, query):
    rows = stack.sql(query)
    assert len(rows) == 1, (query, rows)
    return rows[0][0]


@pytest.fixture(scope="module")
def seeded(stack):
    """A row in every section of every admin page, all of shop-a."""
    stack.sql(f"""
INSERT INTO category (shop_id, name) VALUES ({A}, 'AF分类');
INSERT INTO product (shop_id, category_id, code, name, unit, description)
  VALUES ({A}, LAST_INSERT_ID(), 'AF-P', '表单测试品', '件', '');
SET @p = LAST_INSERT_ID();
INSERT INTO sku (shop_id, product_id, code, spec, unit, stock, price_fen)
  VALUES ({A}, @p, 'AF-1', '红', '件', 10, 47970),
         ({A}, @p, 'AF-2', '蓝', '件', 10, 2000);
SET @s = (SELECT id FROM sku WHERE code = 'AF-1' AND shop_id = {A});
INSERT INTO member_level (shop_id, name, rank_no) VALUES ({A}, 'AF等级', 7);
SET @l = LAST_INSERT_ID();
INSERT INTO price_list (shop_id, level_id, name)
  VALUES ({A}, @l, 'AF等级');
INSERT INTO price_list_item (price_list_id, sku_id, shop_id, price_fen)
  VALUES (LAST_INSERT_ID(), @s, {A}, 40000);
INSERT INTO customer (shop_id, name, level_id, contact_name, contact_phone)
  VALUES ({A}, 'AF公司', @l, '表单', '13700000077');
SET @c = LAST_INSERT_ID();
INSERT INTO customer_user (shop_id, customer_id, name, phone)
  VALUES ({A}, @c, '表单用户', '13700000077');
INSERT INTO customer_address (shop_id, customer_id, receiver, phone,
  address) VALUES ({A}, @c, '收货人', '13700000077', '某路1号');
INSERT INTO invoice_profile (shop_id, customer_id, kind, title, tax_id)
  VALUES ({A}, @c, 'normal', 'AF公司', '91110000000000007X');
INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen)
  VALUES ({A}, @c, @s, 45000);
INSERT INTO inquiry (shop_id, contact_name, contact_phone, message)
  VALUES ({A}, 'AF询价人', '13700000078', '表单测试');
INSERT INTO inquiry_item (shop_id, inquiry_id, product_id, sku_id, qty)
  VALUES ({A}, LAST_INSERT_ID(), @p, @s, 3);
UPDATE shop SET version = version + 1, auth_version = auth_version + 1;
""")
    ids = {
        "product": one(stack, "SELECT id FROM product WHERE code = 'AF-P'"),
        "category": one(stack, f"SELECT id FROM category WHERE name = "
                        f"'AF分类' AND shop_id = {A}"),
        "customer": one(stack, "SELECT id FROM customer "
                        "WHERE name = 'AF公司'"),
        "inquiry": one(stack, "SELECT id FROM inquiry "
                       "WHERE contact_name = 'AF询价人'"),
    }
    ids.update(money_rows(stack))
    stack.sql(f"INSERT INTO channel (shop_id, kind, name, scene) VALUES "
              f"({A}, 'poster', 'AF渠道', 'AFscene01')")
    ids["channel"] = one(stack, "SELECT id FROM channel WHERE scene = "
                         "'AFscene01'")
    stack.sql(f"""
INSERT INTO nps_survey (shop_id, customer_id, customer_user_id, source,
  source_id, state, due_at, sent_at, expires_at, score, answered_at)
  SELECT shop_id, customer_id, id, 'ticket', 990001, 'answered', NOW(3),
  NOW(3), NOW(3) + INTERVAL 30 DAY, 3, NOW(3) FROM customer_user
  WHERE phone = '13700000077' AND shop_id = {A};
INSERT INTO nps_task (shop_id, survey_id) VALUES ({A}, LAST_INSERT_ID());
""")
    ids["nps_task"] = one(stack, "SELECT t.id FROM nps_task t JOIN nps_survey "
                          "v ON v.id = t.survey_id WHERE v.source_id = 990001")
    stack.sql(f"INSERT INTO kf_conv (shop_id, open_kfid, external_userid) "
              f"VALUES ({A}, 'wkAFFORMS', 'wmAFFORMS')")
    ids["kf_conv"] = one(stack, "SELECT id FROM kf_conv WHERE "
                         "external_userid = 'wmAFFORMS'")
    yield ids
    stack.sql("DELETE FROM kf_ticket_request WHERE conv_id IN (SELECT id "
              "FROM kf_conv WHERE external_userid = 'wmAFFORMS'); "
              "DELETE FROM kf_msg WHERE open_kfid = 'wkAFFORMS'; "
              "DELETE FROM kf_conv WHERE external_userid = 'wmAFFORMS'")
    stack.sql("DELETE FROM channel WHERE scene = 'AFscene01'")
    drop_companies(stack, "c.name LIKE 'AF下单%'")
    drop_skus(stack, "AFO")
    stack.sql("DELETE FROM dealer_application WHERE phone = '13700000079'")
    stack.sql(f"""
DELETE FROM inquiry WHERE contact_name = 'AF询价人';
DELETE FROM contract_price WHERE customer_id IN
  (SELECT id FROM customer WHERE name = 'AF公司');
DELETE FROM customer_user WHERE phone = '13700000077';
DELETE FROM customer WHERE name = 'AF公司';
DELETE FROM price_list WHERE name = 'AF等级';
DELETE FROM member_level WHERE name = 'AF等级';
DELETE FROM product WHERE code = 'AF-P';
DELETE FROM category WHERE name = 'AF分类';
UPDATE shop SET version = version + 1, auth_version = auth_version + 1;
""")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def money_rows(stack):
    """An order of a company of its own, a payment with its proof, an
    invoice request issued with its file, a statement, and a dealer's
    application with its licence: the rows the order and finance pages
    show."""
    sku = seed_skus(stack, "AFO", {"A": (10000, 100000, 1, 1, 0)})["A"][0]
    cid, uids = company(stack, "AF下单公司", 13700000080, users=1)
    buyer = bearer_session(stack, "shop-a", uids[0])
    oids = []
    for invoice in ("normal", "normal"):
        assert add(stack, buyer, sku, 2).status_code == 200
        r = submit(stack, buyer, terms="monthly", invoice=invoice)
        assert r.status_code == 201, r.text
        oids.append(r.json()["data"]["order"]["id"])
    r = buyer.post(stack.url("/s/shop-a/api/v1/account/payments"),
                   data={"purpose": "orders", "amount": "10",
                         "paid_on": one(stack, "SELECT DATE(UTC_TIMESTAMP()"
                                        " + INTERVAL 8 HOUR)"),
                         "payer_account": "工行 1234"},
                   files={"proof": ("回单.png", png(80, 60), "image/png")})
    assert r.status_code in (200, 201), r.text
    r = buyer.post(stack.url("/s/shop-a/api/v1/account/invoices"),
                   data={"kind": "normal", "order_id": [str(oids[1])]})
    assert r.status_code in (200, 201), r.text
    rid = one(stack, f"SELECT id FROM invoice_request WHERE customer_id = "
              f"{cid}")
    owner = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    r = owner.post(stack.url(f"/s/shop-a/admin/finance/invoices/{rid}/issue"),
                   data={"csrf": get_csrf(stack, owner,
                                          "/s/shop-a/admin/settings"),
                         "invoice_no": "AF0001",
                         "issued_on": one(stack, "SELECT DATE(UTC_TIMESTAMP()"
                                          " + INTERVAL 8 HOUR)")},
                   files={"file": ("票.pdf", PDF, "application/pdf")},
                   allow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    r = owner.post(stack.url(f"/s/shop-a/admin/orders/{oids[0]}/confirm"),
                   data={"csrf": get_csrf(stack, owner,
                                          "/s/shop-a/admin/settings")},
                   allow_redirects=False)
    assert r.status_code == 303, r.text[:2000]
    stack.sql(f"""
INSERT INTO statement (shop_id, customer_id, period, starts_at, ends_at,
  opening_fen, debit_fen, credit_fen, closing_fen, entries)
  VALUES ({A}, {cid}, '2000-01', '1999-12-31 16:00', '2000-01-31 16:00',
  0, 0, 0, 0, 0)""")
    r = buyer.post(stack.url("/s/shop-a/api/v1/service/tickets"),
                   headers={"Idempotency-Key": "af-ticket"},
                   data={"kind": "quality", "body": "表单测试工单",
                         "order_id": str(oids[0])},
                   files={"photos": ("p.png", png(40, 30), "image/png")})
    assert r.status_code == 201, r.text
    ticket = r.json()["data"]["id"]
    guest = stack.session()
    form = "/s/shop-a/dealer/apply"
    r = guest.post(stack.url(form), data={
        "csrf": get_csrf(stack, guest, form), "company": "AF申请商行",
        "contact_name": "申请人", "phone": "13700000079",
        "password": "demo1234", "password2": "demo1234",
        "region": "浙江省 杭州市", "address": "某路 2 号", "tax_id": "",
        "message": ""}, files={"licence": ("执照.png", png(300, 200),
                                           "image/png")},
        allow_redirects=False)
    assert r.status_code in (200, 303), r.text[:2000]
    return {
        "order": oids[0], "buyer_company": cid,
        "payment": one(stack, f"SELECT id FROM payment WHERE customer_id = "
                       f"{cid}"),
        "invoice": rid, "ticket": ticket,
        "ticket_photo": one(stack, f"SELECT id FROM ticket_photo WHERE "
                            f"ticket_id = {ticket}"),
        "statement": one(stack, f"SELECT id FROM statement WHERE "
                         f"customer_id = {cid}"),
        "application": one(stack, "SELECT id FROM dealer_application "
                           "WHERE phone = '13700000079'"),
    }


# The literal path before an id, longest first: whose id it is.
ID_OF = [("/admin/customers/applications/", "application"),
         ("/admin/service/nps/tasks/", "nps_task"),
         ("/admin/service/tickets/", "ticket"), ("/photos/", "ticket_photo"),
         ("/admin/finance/statements/", "statement"),
         ("/admin/finance/payments/", "payment"),
         ("/admin/finance/invoices/", "invoice"),
         ("/admin/customers/", "customer"), ("/admin/products/", "product"),
         ("/admin/categories/", "category"), ("/admin/orders/", "order"),
         ("/admin/inquiries/", "inquiry"), ("/admin/channels/", "channel"),
         ("/admin/service/kf/", "kf_conv")]
# Codes WeChat makes (the official account's QR, the mini-program code):
# this shop has no WeChat app, so these say so (409) instead of a picture.
NEEDS_WECHAT = ("/mpqr.png", "/wxacode.png")
ID_GROUP = "([0-9]{1,18})"


def admin_get_routes(stack):
    """The GET routes under /admin, as `dinghuo routes` prints them."""
    r = stack.run("routes")
    out = [ln.split("\t")[1] for ln in r.stdout.splitlines()
           if ln.startswith("GET\t^/admin")]
    assert len(out) > 40, r.stdout     # it is the whole table
    return out


def route_paths(pattern, ids):
    """A route's regex as paths to GET: ids filled, (a|b) each."""
    p = pattern.removeprefix("^").removesuffix("$").replace("/?", "")
    while ID_GROUP in p:
        at = p.index(ID_GROUP)
        whose = next((k for pre, k in ID_OF if p[:at].endswith(pre)), None)
        assert whose, f"no row for the id in {pattern}: add one to ID_OF"
        p = p[:at] + str(ids[whose]) + p[at + len(ID_GROUP):]
    p = p.replace("\\.", ".")
    opt = re.search(r"\(([^()|]*)\)\?", p)       # (.xlsx)?: with, without
    if opt:
        return [q for a in (opt.group(1), "")
                for q in route_paths(p[:opt.start()] + a + p[opt.end():],
                                     ids)]
    alt = re.search(r"\(([a-z|]+)\)", p)
    if alt:
        return [q for a in alt.group(1).split("|")
                for q in route_paths(p[:alt.start()] + a + p[alt.end():],
                                     ids)]
    assert not re.search(r"[][()?*+\\^$|{}]", p), (pattern, p)
    return [p]


def pages(stack, ids):
    """Every admin GET page, paths under /s/shop-a, with the customer
    the price pick and the new order are for."""
    out = []
    for pattern in admin_get_routes(stack):
        for p in route_paths(pattern, ids):
            # As the pages link them: for a company, for every order.
            p += {"/admin/orders/new": f"?customer_id={ids['buyer_company']}",
                  "/admin/prices/check": f"?customer_id={ids['customer']}",
                  "/admin/orders/picking-list": "?all=1",
                  "/admin/service/qr": f"?product={ids['product']}",
                  "/admin/service/qr.png": f"?product={ids['product']}",
                  }.get(p, "")
            out.append(p.removeprefix("/admin"))
    return out


def test_admin_pages_are_every_admin_get_route(stack, seeded):
    got = pages(stack, seeded)
    for p in ("", "/products/new", "/customers/new",
              f"/customers/{seeded['customer']}/prices/pick",
              "/customers/applications", f"/orders/{seeded['order']}",
              f"/orders/{seeded['order']}/picking-list",
              "/finance/payments", "/finance/aging", "/settings/orders",
              f"/finance/statements/{seeded['statement']}.pdf"):
        assert p in got, (p, got)


def destructive(action):
    return action.rstrip("/").rsplit("/", 1)[-1] in (
        "delete", "status", "shelf", "close", "logout")


def test_every_admin_form_action_exists(stack, seeded):
    s = stack.login(stack.owner_phone, stack.password, "shop-a",
                    staff=True)
    forms = []
    seen = set()
    bad = []
    for page in pages(stack, seeded):
        url = stack.url(ADMIN + page)
        r = s.get(url, allow_redirects=False)
        # The login page sends a logged-in member of staff home.
        if page == "/login" and r.status_code == 303:
            continue
        if page.endswith(NEEDS_WECHAT) and r.status_code in (404, 409):
            continue
        if r.status_code != 200:
            bad.append((page, r.status_code))
            continue
        if not r.headers.get("Content-Type", "").startswith("text/html"):
            continue                    # a download: it is there
        p = Forms()
        p.feed(r.text)
        for f in p.forms:
            # "…/prices#contracts": a browser does not send the fragment.
            action = urldefrag(urljoin(url, f["action"]))[0]
            key = (action, tuple(k for k, _ in f["fields"]))
            if key not in seen:       # the header's forms, on every page
                seen.add(key)
                forms.append((page, action, f))
    assert not bad, bad
    actions = {a for _, a, _ in forms}
    # Every section had rows: the row forms are there to follow.
    for part in (f"/customers/{seeded['customer']}/prices/",
                 "/prices/levels/", f"/customers/{seeded['customer']}/"
                 "addresses/", f"/customers/{seeded['customer']}/invoices/",
                 f"/customers/{seeded['customer']}/users/",
                 f"/inquiries/{seeded['inquiry']}/"):
        assert any(part in a for a in actions), (part, sorted(actions))
    # What keeps the data the later forms show first; deeper rows before
    # what holds them; logging out last.
    forms.sort(key=lambda t: (destructive(t[1]), "logout" in t[1],
                              -len(t[1])))
    failures = []
    for page, action, f in forms:
        if f["multipart"]:
            r = s.post(action, files={k: (None, v) for k, v in f["fields"]},
                       allow_redirects=False)
        else:
            r = s.post(action, data=f["fields"], allow_redirects=False)
        if r.status_code == 404 or r.status_code >= 500:
            failures.append((page or "/", action, r.status_code))
    assert not failures, failures
