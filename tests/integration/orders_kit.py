"""What the order tests share: a catalog seeded in SQL, customer companies
with users, addresses, invoice profiles and bearer sessions made in SQL
(so that 64 buyers need no 64 password hashes), and the HTTP calls of the
cart and checkout through nginx. Each test module gives its own code
prefix and phone range, so modules never see each other's rows, and
cleans up what it made (orders first: they hold their SKUs and users)."""

import hashlib
import secrets

SHOP = "(SELECT id FROM shop WHERE slug = '{}')"
BUYER = "13900000000"           # the demo company's buyer in every shop


def one(stack, query):
    rows = stack.sql(query)
    assert len(rows) == 1, (query, rows)
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


def cn_day(stack, days=0, fmt="%Y-%m-%d"):
    """China's date `days` from today (UTC_TIMESTAMP: the root client's
    session zone is not the app's)."""
    return one(stack, "SELECT DATE_FORMAT(DATE(UTC_TIMESTAMP() + INTERVAL 8 "
               f"HOUR) + INTERVAL {days} DAY, '{fmt}')")


def seed_skus(stack, prefix, skus, shop="shop-a", visible=None,
              on_shelf=1):
    """One product per SKU: skus maps a suffix to (price_fen, stock,
    min_qty, pack_size, pack_only). Returns {suffix: (sku_id, product_id)}."""
    s = SHOP.format(shop)
    out = {}
    for suffix, (price, stock, min_qty, pack, pack_only) in skus.items():
        code = f"{prefix}-{suffix}"
        vis = f", visible = '{visible}'" if visible else ""
        stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description, on_shelf)
  VALUES ({s}, '{code}', '测试商品 {code}', '箱', '', {on_shelf});
SET @p = LAST_INSERT_ID();
UPDATE product SET sort = 0{vis} WHERE id = @p;
INSERT INTO sku (shop_id, product_id, code, spec, unit, min_qty, pack_size,
  pack_only, stock, price_fen) VALUES ({s}, @p, '{code}-1', '规格:{suffix}',
  '箱', {min_qty}, {pack}, {pack_only}, {stock}, {price});
""")
        out[suffix] = tuple(int(x) for x in one(
            stack, f"SELECT id, product_id FROM sku WHERE code = "
            f"'{code}-1'"))
    return out


def bearer_session(stack, shop, user_id):
    """A bearer token for a customer user, made in SQL as session.c keeps
    them (the BLAKE2b-256 of the token)."""
    token = secrets.token_hex(32)
    h = hashlib.blake2b(token.encode(), digest_size=32).hexdigest()
    stack.sql(f"""
INSERT INTO session (token_hash, shop_id, kind, customer_user_id, via, csrf,
  expires_at) VALUES ('{h}', {SHOP.format(shop)}, 'customer', {user_id},
  'bearer', '{secrets.token_hex(16)}', NOW(3) + INTERVAL 1 DAY)""")
    s = stack.session()
    s.headers["Authorization"] = f"Bearer {token}"
    s.headers["Accept"] = "application/json"
    return s


SALES = "13800000001"           # the demo shops' salesperson


def company(stack, name, phone_base, users=1, shop="shop-a", terms="monthly",
            limit_fen=10000000, invoices=("normal", "special"),
            sales=SALES):
    """A customer company with users (phones phone_base + i), a default
    address and invoice profiles, owned by the salesperson with phone
    `sales` (None: nobody). Returns (customer_id, [user ids])."""
    s = SHOP.format(shop)
    owner = "NULL" if sales is None else \
        f"(SELECT id FROM staff WHERE shop_id = {s} AND phone = '{sales}')"
    stack.sql(f"""
INSERT INTO customer (shop_id, name, owner_staff_id, payment_terms,
  credit_days, credit_limit_fen, tax_id) VALUES ({s}, '{name}', {owner},
  '{terms}', 30, {limit_fen}, '91310000MA1FL1111X');
SET @c = LAST_INSERT_ID();
INSERT INTO customer_address (shop_id, customer_id, receiver, phone, region,
  address, is_default) VALUES ({s}, @c, '收货人', '13912345678', '上海市',
  '测试路 1 号', 1);
""")
    cid = int(one(stack, f"SELECT id FROM customer WHERE shop_id = {s} "
                  f"AND name = '{name}'"))
    for kind in invoices:
        stack.sql(f"""
INSERT INTO invoice_profile (shop_id, customer_id, kind, title, tax_id,
  bank_name, bank_account, address, phone) VALUES ({s}, {cid}, '{kind}',
  '{name}', '91310000MA1FL1111X', '测试银行', '6222', '测试路 1 号',
  '021-1')""")
    rows = ",".join(
        f"({s}, {cid}, '采购{i}', '{phone_base + i}', "
        f"(SELECT password_hash FROM customer_user cu2 WHERE cu2.shop_id = "
        f"{s} AND cu2.phone = '{BUYER}'))" for i in range(users))
    stack.sql(f"INSERT INTO customer_user (shop_id, customer_id, name, "
              f"phone, password_hash) VALUES {rows}")
    uids = [int(r[0]) for r in stack.sql(
        f"SELECT id FROM customer_user WHERE customer_id = {cid} "
        f"ORDER BY id")]
    return cid, uids


def drop_companies(stack, where):
    """Every order, cart and session of the companies matching `where`
    (on customer c), then the companies."""
    stack.sql(f"""
CREATE TEMPORARY TABLE gone AS SELECT c.id FROM customer c WHERE {where};
DELETE FROM sales_order WHERE customer_id IN (SELECT id FROM gone);
DELETE FROM stock_movement WHERE customer_user_id IN
  (SELECT u.id FROM customer_user u WHERE u.customer_id IN
  (SELECT id FROM gone));
DELETE FROM session WHERE customer_user_id IN (SELECT u.id FROM
  customer_user u WHERE u.customer_id IN (SELECT id FROM gone));
DELETE FROM customer_user WHERE customer_id IN (SELECT id FROM gone);
DELETE FROM customer WHERE id IN (SELECT id FROM gone);
""")


def drop_skus(stack, prefix):
    """The products of a prefix, with every order line that holds them."""
    stack.sql(f"""
DELETE FROM sales_order WHERE id IN (SELECT l.order_id FROM order_line l
  JOIN sku k ON k.id = l.sku_id WHERE k.code LIKE '{prefix}-%');
DELETE FROM product WHERE code LIKE '{prefix}-%';
""")


def base(shop="shop-a"):
    return f"/s/{shop}"


def add(stack, s, sku_id, qty, shop="shop-a", mode="ordering", **extra):
    """POST /api/v1/cart for a bearer (or JSON cookie) session."""
    data = {"sku_id": str(sku_id), "qty": str(qty), "mode": mode}
    data.update(extra)
    return s.post(stack.url(f"{base(shop)}/api/v1/cart"), data=data)


def submit(stack, s, key=None, shop="shop-a", **fields):
    """POST /api/v1/orders with an Idempotency-Key (a fresh one unless
    given; key=False sends none)."""
    headers = {}
    if key is not False:
        headers["Idempotency-Key"] = key or secrets.token_hex(12)
    return s.post(stack.url(f"{base(shop)}/api/v1/orders"), data=fields,
                  headers=headers)


def error_code(r):
    return r.json()["error"]["code"]


def stock(stack, sku_id):
    return int(one(stack, f"SELECT stock FROM sku WHERE id = {sku_id}"))


def orders_of(stack, cid):
    """How many orders a company has."""
    return int(one(stack, f"SELECT COUNT(*) FROM sales_order WHERE "
                   f"customer_id = {cid}"))
