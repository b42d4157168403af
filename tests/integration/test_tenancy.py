"""Tenancy: which host serves which shop, and the database's own checks
that no row points into another shop.

A shop with a host of its own (shop tn-own, host own.example, made here)
is served on that host only: its /s/<slug>/ is 404 everywhere, and on its
host no /s/<other>/ is served. shop-a and shop-b have no host: the shared
host serves them under /s/<slug>/. Requests go through nginx with a Host
header, or straight to the FastCGI socket for a raw one."""

import re

import pytest

from helpers import csrf_of
from test_server import fcgi_get

OWN = "own.example"
NOT_FOUND = "店铺不存在"


def get(stack, path, host, json=False):
    headers = {"Host": host}
    if json:
        headers["Accept"] = "application/json"
    return stack.session().get(stack.url(path), headers=headers,
                               allow_redirects=False)


def is_shop_404(r):
    return r.status_code == 404 and NOT_FOUND in r.text


@pytest.fixture(scope="module")
def own(stack):
    stack.run("demo", "--slug", "tn-own", "--name", "独立域名店",
              "--host", OWN)
    yield
    stack.sql("""
SET @s = (SELECT id FROM shop WHERE slug = 'tn-own');
DELETE FROM session WHERE shop_id = @s;
DELETE FROM customer_user WHERE shop_id = @s;
DELETE FROM customer WHERE shop_id = @s;
DELETE FROM staff WHERE shop_id = @s;
DELETE FROM audit_log WHERE shop_id = @s;
DELETE FROM login_failure WHERE shop_id = @s;
DELETE FROM shop WHERE id = @s;
""")


# -- hosts ------------------------------------------------------------------

def test_own_host_serves_its_shop(stack, own):
    r = get(stack, "/", OWN)
    assert r.status_code == 200 and "独立域名店" in r.text
    r = get(stack, "/api/v1/shop", OWN, json=True)
    assert r.status_code == 200 and r.json()["data"]["slug"] == "tn-own"
    # A staff login on the shop's own host, links without /s/.
    s = stack.session()
    s.headers["Host"] = OWN
    r = s.get(stack.url("/admin/login"))
    assert r.status_code == 200 and 'action="/admin/login"' in r.text
    r = s.post(stack.url("/admin/login"), allow_redirects=False,
               data={"phone": stack.owner_phone, "password": stack.password,
                     "csrf": csrf_of(r.text)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/admin")


def test_own_host_serves_no_other_shop(stack, own):
    # The phishing case: shop-b's pages under tn-own's domain.
    for path in ("/s/shop-b/", "/s/shop-b/login", "/s/shop-b/admin/login"):
        assert is_shop_404(get(stack, path, OWN)), path
    r = get(stack, "/s/shop-b/api/v1/shop", OWN, json=True)
    assert r.status_code == 404 and r.json()["ok"] is False
    # Not its own slug either: one address per shop.
    assert is_shop_404(get(stack, "/s/tn-own/", OWN))


def test_slug_of_a_shop_with_its_own_host_is_served_nowhere(stack, own):
    for host in ("127.0.0.1", "elsewhere.example"):
        assert is_shop_404(get(stack, "/s/tn-own/", host)), host
        assert get(stack, "/s/tn-own/api/v1/shop", host,
                   json=True).status_code == 404, host
    # The shops without a host are still served on the shared host.
    r = get(stack, "/s/shop-b/", "127.0.0.1")
    assert r.status_code == 200 and "乙商行" in r.text


def test_raw_host_header_is_matched_without_case_port_or_dot(stack, own):
    # What a web server passing the client's Host unchanged would send.
    out = fcgi_get(str(stack.sock), "/api/v1/shop",
                   HTTP_HOST="Own.EXAMPLE.:8443",
                   HTTP_ACCEPT="application/json")
    assert out.startswith("Status: 200") and '"slug":"tn-own"' in out, out
    out = fcgi_get(str(stack.sock), "/s/shop-b/api/v1/shop",
                   HTTP_HOST="OWN.example:80")
    assert out.startswith("Status: 404"), out


def test_shared_host_pages_cost_no_query(stack, own):
    """Each request on the shared host asks whether its host is a shop's;
    the answer is cached like the shops are, not asked of the database."""
    def executed():
        return int(stack.sql("SHOW GLOBAL STATUS LIKE "
                             "'Com_stmt_execute'")[0][1])
    s = stack.session()
    n = 60
    before = executed()
    for _ in range(n):
        assert s.get(stack.url("/s/shop-a/api/v1/shop")).status_code == 200
    # Only the revalidations, at most two a worker each half second.
    assert executed() - before < n // 2


def test_shared_host_setting(stack, own):
    try:
        stack.reconfigure(shared_host="127.0.0.1", default_shop="shop-b")
        r = get(stack, "/s/shop-a/", "127.0.0.1")
        assert r.status_code == 200 and "甲商行" in r.text
        r = get(stack, "/", "127.0.0.1")
        assert r.status_code == 200 and "乙商行" in r.text
        # Any other host a client names serves no shop.
        for path in ("/s/shop-a/", "/"):
            assert get(stack, path, "elsewhere.example").status_code == \
                404, path
        assert get(stack, "/", OWN).status_code == 200

        # A default_shop with a host of its own is not served at /.
        stack.reconfigure(default_shop="tn-own")
        assert get(stack, "/", "127.0.0.1").status_code == 404
        assert get(stack, "/", OWN).status_code == 200
        # shared_host empty: a host that is no shop's is a shared one.
        r = get(stack, "/s/shop-a/", "elsewhere.example")
        assert r.status_code == 200 and "甲商行" in r.text
    finally:
        stack.reconfigure()


# -- the database -----------------------------------------------------------

SHOP = "(SELECT id FROM shop WHERE slug = '{}')"

# What each shop gets for the rows below to point at.
REFS = """
SET @s = {shop};
INSERT INTO member_level (shop_id, name) VALUES (@s, 'TN-L');
SET @level = LAST_INSERT_ID();
INSERT INTO member_level (shop_id, name) VALUES (@s, 'TN-L2');
SET @level2 = LAST_INSERT_ID();
INSERT INTO price_list (shop_id, level_id, name) VALUES (@s, @level, 'TN');
SET @list = LAST_INSERT_ID();
INSERT INTO category (shop_id, name) VALUES (@s, 'TN-C');
SET @cat = LAST_INSERT_ID();
INSERT INTO product (shop_id, category_id, code, name, description)
  VALUES (@s, @cat, 'TN-P', '租户测试', '');
SET @product = LAST_INSERT_ID();
INSERT INTO sku (shop_id, product_id, code, price_fen)
  VALUES (@s, @product, 'TN-S', 100);
SET @sku = LAST_INSERT_ID();
INSERT INTO inquiry (shop_id, contact_name, contact_phone, message)
  VALUES (@s, 'TN', '13600000000', 'TN:');
SELECT @s, (SELECT MIN(id) FROM staff WHERE shop_id = @s),
  (SELECT MIN(id) FROM customer WHERE shop_id = @s),
  (SELECT MIN(id) FROM customer_user WHERE shop_id = @s),
  @level, @level2, @list, @cat, @product, @sku, LAST_INSERT_ID();
"""
REF_NAMES = ("shop", "staff", "customer", "customer_user", "level", "level2",
             "price_list", "category", "product", "sku", "inquiry")

SKU_CASE = ("sku_product_same_shop",
            "INSERT INTO sku (shop_id, product_id, code, price_fen) "
            "VALUES ({me[shop]}, {ref[product]}, 'TN-S2', 1)")

# A row of shop B (`me`) that points at `ref`: shop A's row is refused by
# the constraint named, shop B's own is accepted.
CASES = [
    ("customer_owner_same_shop",
     "INSERT INTO customer (shop_id, name, owner_staff_id) "
     "VALUES ({me[shop]}, 'TN-X', {ref[staff]})"),
    ("customer_level_same_shop",
     "UPDATE customer SET level_id = {ref[level]} "
     "WHERE id = {me[customer]}"),
    ("customer_user_same_shop",
     "INSERT INTO customer_user (shop_id, customer_id, name, phone) "
     "VALUES ({me[shop]}, {ref[customer]}, 'TN', '13600000009')"),
    ("customer_address_same_shop",
     "INSERT INTO customer_address (shop_id, customer_id, receiver, phone, "
     "address) VALUES ({me[shop]}, {ref[customer]}, 'TN', '136', 'x')"),
    ("invoice_profile_same_shop",
     "INSERT INTO invoice_profile (shop_id, customer_id, kind, title, "
     "tax_id) VALUES ({me[shop]}, {ref[customer]}, 'normal', 'TN', '1')"),
    ("customer_invite_same_shop",
     "INSERT INTO customer_invite (shop_id, customer_id, token_hash, role, "
     "created_by, expires_at) VALUES ({me[shop]}, {ref[customer]}, "
     "REPEAT('e', 64), 'buyer', {me[staff]}, NOW())"),
    ("customer_invite_by_same_shop",
     "INSERT INTO customer_invite (shop_id, customer_id, token_hash, role, "
     "created_by, expires_at) VALUES ({me[shop]}, {me[customer]}, "
     "REPEAT('f', 64), 'buyer', {ref[staff]}, NOW())"),
    ("session_staff_same_shop",
     "INSERT INTO session (token_hash, shop_id, kind, staff_id, csrf, "
     "expires_at) VALUES (REPEAT('8', 64), {me[shop]}, 'staff', "
     "{ref[staff]}, REPEAT('c', 32), NOW())"),
    ("session_customer_user_same_shop",
     "INSERT INTO session (token_hash, shop_id, kind, customer_user_id, "
     "csrf, expires_at) VALUES (REPEAT('9', 64), {me[shop]}, 'customer', "
     "{ref[customer_user]}, REPEAT('c', 32), NOW())"),
    ("category_parent_same_shop",
     "INSERT INTO category (shop_id, parent_id, name) "
     "VALUES ({me[shop]}, {ref[category]}, 'TN-C2')"),
    ("product_category_same_shop",
     "INSERT INTO product (shop_id, category_id, code, name, description) "
     "VALUES ({me[shop]}, {ref[category]}, 'TN-P2', 'x', '')"),
    SKU_CASE,
    ("sku_product_same_shop",
     "UPDATE sku SET product_id = {ref[product]} WHERE id = {me[sku]}"),
    ("product_image_same_shop",
     "INSERT INTO product_image (shop_id, product_id, path, thumb_path, "
     "width, height) VALUES ({me[shop]}, {ref[product]}, 'x', 'y', 1, 1)"),
    ("price_tier_same_shop",
     "INSERT INTO price_tier (shop_id, sku_id, min_qty, price_fen) "
     "VALUES ({me[shop]}, {ref[sku]}, 10, 1)"),
    ("price_list_level_same_shop",
     "INSERT INTO price_list (shop_id, level_id, name) "
     "VALUES ({me[shop]}, {ref[level2]}, 'TN2')"),
    ("price_list_item_list_same_shop",
     "INSERT INTO price_list_item (price_list_id, sku_id, shop_id, "
     "price_fen) VALUES ({ref[price_list]}, {me[sku]}, {me[shop]}, 1)"),
    ("price_list_item_sku_same_shop",
     "INSERT INTO price_list_item (price_list_id, sku_id, shop_id, "
     "price_fen) VALUES ({me[price_list]}, {ref[sku]}, {me[shop]}, 1)"),
    ("contract_price_customer_same_shop",
     "INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen) "
     "VALUES ({me[shop]}, {ref[customer]}, {me[sku]}, 1)"),
    ("contract_price_sku_same_shop",
     "INSERT INTO contract_price (shop_id, customer_id, sku_id, price_fen) "
     "VALUES ({me[shop]}, {me[customer]}, {ref[sku]}, 1)"),
    ("inquiry_staff_same_shop",
     "UPDATE inquiry SET assigned_staff_id = {ref[staff]} "
     "WHERE id = {me[inquiry]}"),
    ("inquiry_customer_user_same_shop",
     "INSERT INTO inquiry (shop_id, customer_user_id, contact_name, "
     "contact_phone) VALUES ({me[shop]}, {ref[customer_user]}, 'TN', '136')"),
    ("inquiry_item_inquiry_same_shop",
     "INSERT INTO inquiry_item (shop_id, inquiry_id, product_id, qty) "
     "VALUES ({me[shop]}, {ref[inquiry]}, {me[product]}, 1)"),
    ("inquiry_item_product_same_shop",
     "INSERT INTO inquiry_item (shop_id, inquiry_id, product_id, qty) "
     "VALUES ({me[shop]}, {me[inquiry]}, {ref[product]}, 1)"),
    ("inquiry_item_sku_same_shop",
     "INSERT INTO inquiry_item (shop_id, inquiry_id, product_id, sku_id, "
     "qty) VALUES ({me[shop]}, {me[inquiry]}, {me[product]}, {ref[sku]}, 1)"),
]


def refs_of(stack, slug, db="dinghuo"):
    row, = stack.sql(REFS.format(shop=SHOP.format(slug)), db=db)
    return dict(zip(REF_NAMES, row))


def drop_refs(stack, db="dinghuo"):
    stack.sql("""
DELETE FROM inquiry WHERE message = 'TN:';
DELETE FROM product WHERE code = 'TN-P';
DELETE FROM category WHERE name = 'TN-C';
DELETE FROM member_level WHERE name IN ('TN-L', 'TN-L2');
""", db=db)


def refused(stack, sql, db="dinghuo"):
    """The error of sql, run in a transaction that is rolled back."""
    with pytest.raises(AssertionError) as e:
        stack.sql(f"START TRANSACTION; {sql}; ROLLBACK", db=db)
    return str(e.value)


@pytest.fixture(scope="module")
def refs(stack):
    a, b = refs_of(stack, "shop-a"), refs_of(stack, "shop-b")
    yield a, b
    drop_refs(stack)


@pytest.mark.parametrize("constraint,sql", CASES,
                         ids=[f"{c}-{s.split()[0].lower()}"
                              for c, s in CASES])
def test_database_refuses_rows_across_shops(stack, refs, constraint, sql):
    a, b = refs
    # Shop B's own rows: accepted (and rolled back).
    stack.sql(f"START TRANSACTION; {sql.format(me=b, ref=b)}; ROLLBACK")
    error = refused(stack, sql.format(me=b, ref=a))
    assert "foreign key constraint fails" in error, error
    assert f"CONSTRAINT `{constraint}`" in error, error


def test_migration_applies_to_a_database_with_data(stack, tmp_path):
    db = "dinghuo_tn_migrate"
    stack.sql(f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}; "
              f"GRANT ALL ON {db}.* TO 'dinghuo'@'localhost'")
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    migrations = sorted(stack.sql_dir.glob("[0-9][0-9][0-9]_*.sql"))
    for f in migrations:
        if f.name < "005":
            (sql_dir / f.name).write_text(f.read_text())
    env = {"DINGHUO_DB_NAME": db, "DINGHUO_SQL_DIR": str(sql_dir)}
    try:
        stack.run("migrate", env=env)
        for slug in ("shop-a", "shop-b"):
            stack.run("demo", "--slug", slug, env=env)
        a, b = refs_of(stack, "shop-a", db), refs_of(stack, "shop-b", db)
        # A row that points into another shop, as 002 let through.
        stack.sql(f"INSERT INTO sku (shop_id, product_id, code, price_fen) "
                  f"VALUES ({b['shop']}, {a['product']}, 'TN-X', 1)", db=db)
        for f in migrations:
            (sql_dir / f.name).write_text(f.read_text())
        r = stack.run("migrate", env=env, check=False)
        assert r.returncode == 1
        assert "CONSTRAINT `sku_product_same_shop`" in r.stderr, r.stderr
        # Once the row is put right the file runs again from the top.
        stack.sql(f"UPDATE sku SET shop_id = {a['shop']} "
                  "WHERE code = 'TN-X'", db=db)
        r = stack.run("migrate", env=env)
        assert "applying 005_tenancy.sql" in r.stderr
        error = refused(stack, SKU_CASE[1].format(me=b, ref=a), db=db)
        assert "CONSTRAINT `sku_product_same_shop`" in error, error
        stack.sql(f"START TRANSACTION; {SKU_CASE[1].format(me=b, ref=b)}; "
                  "ROLLBACK", db=db)
    finally:
        stack.sql(f"DROP DATABASE IF EXISTS {db}")
