"""Every post form on every back-office page goes where it says: the
owner follows each form's own action with the form's own fields (csrf,
the values it shows, nothing changed) and never gets a 404 or a 5xx.
Caught the contract and fixed-price rows whose {{base}} was the row's
base price, not the page's path prefix (issue 9)."""

from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import pytest

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
        "customer": one(stack, "SELECT id FROM customer "
                        "WHERE name = 'AF公司'"),
        "inquiry": one(stack, "SELECT id FROM inquiry "
                       "WHERE contact_name = 'AF询价人'"),
    }
    yield ids
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


def pages(ids):
    return ["", "/products", f"/products/{ids['product']}", "/categories",
            "/import", "/customers", f"/customers/{ids['customer']}",
            "/prices", "/inquiries", f"/inquiries/{ids['inquiry']}",
            "/jobs", "/settings"]


def destructive(action):
    return action.rstrip("/").rsplit("/", 1)[-1] in (
        "delete", "status", "shelf", "close", "logout")


def test_every_admin_form_action_exists(stack, seeded):
    s = stack.login(stack.owner_phone, stack.password, "shop-a",
                    staff=True)
    forms = []
    for page in pages(seeded):
        url = stack.url(ADMIN + page)
        r = s.get(url, allow_redirects=False)
        assert r.status_code == 200, (page, r.status_code)
        p = Forms()
        p.feed(r.text)
        for f in p.forms:
            # "…/prices#contracts": a browser does not send the fragment.
            forms.append((page, urldefrag(urljoin(url, f["action"]))[0], f))
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
