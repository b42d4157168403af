"""询价 from the storefront: a refused post shows the form again as typed,
and the per-address limit holds when two posts race (the count and the
insert are one transaction that locks the address's recent inquiries)."""

import threading

import pytest

from helpers import get_csrf
from sqlclient import SqlClient, trx

B = "(SELECT id FROM shop WHERE slug = 'shop-b')"
ADDR = "127.0.0.1"              # every test client, through nginx
RECENT = (f"shop_id = {B} AND ip = '{ADDR}' "
          "AND created_at > NOW(3) - INTERVAL 1 HOUR")


def one(stack, query):
    rows = stack.sql(query)
    assert len(rows) == 1, (query, rows)
    return rows[0][0]


def test_refused_post_shows_the_form_as_typed(stack):
    s = stack.session()
    tok = get_csrf(stack, s, "/s/shop-b/inquiry")
    before = one(stack, "SELECT COUNT(*) FROM inquiry")
    r = s.post(stack.url("/s/shop-b/inquiry"), data={
        "csrf": tok, "contact_name": "表单回填", "contact_phone":
        "13611112222", "company": "回填公司"})
    assert r.status_code == 400
    assert "请选择商品或填写留言" in r.text
    assert 'value="表单回填"' in r.text and 'value="回填公司"' in r.text
    assert 'name="csrf"' in r.text                   # the form, not a 4xx page
    # shop-a's product on its shelf is not shop-b's to ask about.
    stack.sql("INSERT INTO product (shop_id, code, name, unit, description, "
              "on_shelf) VALUES ((SELECT id FROM shop WHERE slug = "
              "'shop-a'), 'IC-A', '甲店商品', '件', '', 1); "
              "INSERT INTO sku (shop_id, product_id, code, price_fen) "
              "SELECT shop_id, id, 'IC-A1', 100 FROM product "
              "WHERE code = 'IC-A'")
    try:
        a_product = one(stack, "SELECT id FROM product WHERE code = 'IC-A'")
        for pid in (a_product, "999999999"):
            r = s.post(stack.url("/s/shop-b/inquiry"), data={
                "csrf": tok, "contact_name": "表单回填", "contact_phone":
                "13611112222", "product_id": pid})
            assert r.status_code == 400, pid
            assert "商品：商品不存在或已下架" in r.text, pid
            assert 'value="表单回填"' in r.text
    finally:
        stack.sql("DELETE FROM product WHERE code = 'IC-A'")
    assert one(stack, "SELECT COUNT(*) FROM inquiry") == before


@pytest.fixture
def nineteen_recent(stack):
    """Exactly INQUIRY_PER_HOUR - 1 recent inquiries of shop-b from the
    test address: others' are moved an hour back for the test."""
    moved = [i for (i,) in stack.sql(f"SELECT id FROM inquiry WHERE {RECENT}")]
    if moved:
        stack.sql("UPDATE inquiry SET created_at = created_at - INTERVAL "
                  f"2 HOUR WHERE id IN ({','.join(moved)})")
    stack.sql("INSERT INTO inquiry (shop_id, contact_name, contact_phone, "
              f"message, ip) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
              f"SELECT i + 1 FROM n WHERE i < 19) SELECT {B}, '限流', "
              f"'13611113333', 'LIM: 已有', '{ADDR}' FROM n")
    yield
    stack.sql("DELETE FROM inquiry WHERE message LIKE 'LIM:%'")
    if moved:
        stack.sql("UPDATE inquiry SET created_at = created_at + INTERVAL "
                  f"2 HOUR WHERE id IN ({','.join(moved)})")


def test_limit_holds_when_two_posts_race(stack, nineteen_recent):
    """The client plays a second post that counted 19 and inserted the
    20th: the worker's post must wait for it and then be refused, not
    count 19 too and insert a 21st."""
    assert one(stack, f"SELECT COUNT(*) FROM inquiry WHERE {RECENT}") == "19"
    client = SqlClient(stack)
    answer = {}
    post = threading.Thread(target=lambda: answer.update(r=stack.session(
        ).post(stack.url("/s/shop-b/api/v1/inquiries"), json={
            "contact_name": "限流", "contact_phone": "13611113333",
            "message": "LIM: 第 21 个"})))
    try:
        client.send(f"START TRANSACTION; SELECT COUNT(*) FROM inquiry "
                    f"WHERE {RECENT} FOR UPDATE; INSERT INTO inquiry "
                    f"(shop_id, contact_name, contact_phone, message, ip) "
                    f"VALUES ({B}, '限流', '13611113333', 'LIM: 第 20 个', "
                    f"'{ADDR}');")
        holder = stack.wait_until(lambda: trx(
            stack, "trx_rows_modified = 1 AND trx_rows_locked >= 19"),
            timeout=10)[0]
        post.start()
        stack.wait_until(lambda: trx(
            stack, f"trx_state = 'LOCK WAIT' AND trx_mysql_thread_id "
            f"<> {holder}"), timeout=10,
            message="the post never waited for the other one")
        client.send("COMMIT;")
        post.join(30)
        assert not post.is_alive(), "the post never answered"
    finally:
        err = client.close()
        if post.ident is not None:
            post.join(30)
    r = answer["r"]
    assert r.status_code == 429, (r.status_code, r.text[:300], err)
    assert "询价过于频繁" in r.json()["error"]["message"]
    assert one(stack, f"SELECT COUNT(*) FROM inquiry WHERE {RECENT}") == "20"
