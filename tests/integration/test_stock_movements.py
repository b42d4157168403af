"""Stock as movements (issue 10): the product form writes the change it
made to the stock it showed, so an order placed while the form was open
keeps what it took; the import sets each SKU's counted stock as a
movement; every SKU's movements add up to its stock; the product page
lists them (库存流水); a product or SKU that has been ordered is not
deleted (409); 整箱销售 in the form and through CSV export and import.

Products here are SM-..., made through the form or the import (so each
starts with a movement); the company is 流水测试公司."""

import csv
import io
import re

import pytest

from helpers import get_csrf
from orders_kit import (SHOP, add, bearer_session, company, drop_companies,
                        drop_skus, one, stock, submit)
from test_admin_product_form import form, pid_of, post, value_of

P = "SM"
A = "/s/shop-a"
S = SHOP.format("shop-a")


@pytest.fixture(scope="module")
def world(stack):
    cid, uids = company(stack, "流水测试公司", 13633000100, users=1)
    owner = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    yield {"user": uids[0], "owner": owner}
    drop_companies(stack, "c.name = '流水测试公司'")
    drop_skus(stack, P)
    stack.sql("UPDATE shop SET version = version + 1")


def order(stack, world, sku_id, qty):
    s = bearer_session(stack, "shop-a", world["user"])
    assert add(stack, s, sku_id, qty).status_code == 200
    r = submit(stack, s, terms="monthly")
    assert r.status_code == 201, r.text
    return int(r.json()["data"]["order"]["id"])


def new_product(stack, world, code, stock_, **sku):
    o = world["owner"]
    csrf = get_csrf(stack, o, f"{A}/admin/products/new")
    row = {"code": f"{code}-1", "price": "10", "stock": str(stock_)}
    row.update(sku)
    r = post(stack, o, "/admin/products", form(csrf, code, "流水品 " + code,
                                               [row]))
    assert r.status_code == 303, r.text[:2000]
    pid = pid_of(stack, code)
    sid = int(one(stack, f"SELECT id FROM sku WHERE product_id = {pid}"))
    return pid, sid


def edit_page(stack, world, pid):
    r = world["owner"].get(stack.url(f"{A}/admin/products/{pid}"))
    assert r.status_code == 200
    return r.text


def resubmit(stack, world, pid, page, more=(), **changes):
    """The edit page's SKU row posted back as shown, with changes (and
    more rows after it)."""
    row = {k: value_of(page, f"sku_{k}[0]") for k in
           ("id", "code", "price", "stock", "stock_was", "pack_size",
            "min_qty")}
    row.update(changes)
    data = form(re.search(r'name="csrf" value="([^"]+)"', page).group(1),
                value_of(page, "code"), value_of(page, "name"),
                [row] + list(more))
    data["idempotency_key"] = value_of(page, "idempotency_key")
    return post(stack, world["owner"], f"/admin/products/{pid}", data)


def moves(stack, sku_id):
    return stack.sql(f"SELECT reason, delta, qty FROM stock_movement "
                     f"WHERE sku_id = {sku_id} ORDER BY id")


def test_form_change_keeps_what_an_order_took_meanwhile(stack, world):
    pid, sid = new_product(stack, world, f"{P}-RACE", 10)
    assert moves(stack, sid) == [("adjust", "10", "10")]
    page = edit_page(stack, world, pid)
    assert value_of(page, "sku_stock_was[0]") == "10"
    # An order takes 3 while the form is open; the owner types 15 (+5).
    oid = order(stack, world, sid, 3)
    assert stock(stack, sid) == 7
    r = resubmit(stack, world, pid, page, stock="15")
    assert r.status_code == 303 and "stock=moved" in r.headers["Location"]
    assert stock(stack, sid) == 12          # 7 + 5, not 15
    assert moves(stack, sid)[-1] == ("adjust", "5", "5")
    # The order still holds its 3 units.
    assert one(stack, f"SELECT -SUM(delta) FROM stock_movement WHERE "
               f"order_id = {oid}") == "3"
    r = world["owner"].get(stack.url(r.headers["Location"]))
    assert "编辑期间库存有变化" in r.text
    # The same post again (a double tap): its change is not made twice.
    n = len(moves(stack, sid))
    r = resubmit(stack, world, pid, page, stock="15")
    assert r.status_code == 303 and r.headers.get("Idempotent-Replayed")
    assert stock(stack, sid) == 12 and len(moves(stack, sid)) == n
    # Saved again as shown, without touching the stock: nothing moves.
    page = edit_page(stack, world, pid)
    n = len(moves(stack, sid))
    order(stack, world, sid, 2)
    r = resubmit(stack, world, pid, page)
    assert r.status_code == 303 and "stock=moved" not in \
        r.headers["Location"]
    assert stock(stack, sid) == 10 and len(moves(stack, sid)) == n + 1


def test_form_cannot_take_stock_below_zero(stack, world):
    pid, sid = new_product(stack, world, f"{P}-LOW", 5)
    page = edit_page(stack, world, pid)
    order(stack, world, sid, 4)
    r = resubmit(stack, world, pid, page, stock="0")    # -5 of the 1 left
    assert r.status_code == 409 and "库存调整后应在 0 到" in r.text
    assert stock(stack, sid) == 1


def test_stock_page_lists_movements(stack, world):
    pid, sid = new_product(stack, world, f"{P}-LIST", 30)
    oid = order(stack, world, sid, 2)
    no = one(stack, f"SELECT order_no FROM sales_order WHERE id = {oid}")
    page = edit_page(stack, world, pid)
    assert "库存流水" in page and "下单占用" in page and "后台调整" in page
    assert f'href="/s/shop-a/admin/orders/{oid}"' in page and no in page
    for _ in range(11):
        page = edit_page(stack, world, pid)
        resubmit(stack, world, pid, page,
                 stock=str(int(value_of(page, "sku_stock[0]")) + 1))
    page = edit_page(stack, world, pid)
    assert "共 13 条" in page and "?page=2" in page
    r = world["owner"].get(stack.url(f"{A}/admin/products/{pid}?page=2"))
    assert "下单占用" in r.text and "第 2 / 2 页" in r.text


def csv_file(tmp_path, name, rows):
    header = ["product_code", "product_name", "sku_code", "price", "stock",
              "pack_size", "pack_only", "visible", "on_shelf"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(k, "") for k in header])
    p = tmp_path / name
    p.write_text(buf.getvalue())
    return p


def test_import_sets_stock_as_movements(stack, world, tmp_path):
    rows = [{"product_code": f"{P}-IMP", "product_name": "导入流水",
             "sku_code": f"{P}-IMP-{i}", "price": "3", "stock": "50",
             "visible": "ordering", "on_shelf": "1"} for i in (1, 2)]
    stack.run("import", "products", "--shop", "shop-a",
              str(csv_file(tmp_path, "a.csv", rows)))
    sid = int(one(stack, f"SELECT id FROM sku WHERE code = '{P}-IMP-1'"))
    assert moves(stack, sid) == [("import", "50", "50")]
    # An order takes 8; the next count says 40: the movement is 42 - 40.
    order(stack, world, sid, 8)
    rows[0]["stock"] = "40"
    stack.run("import", "products", "--shop", "shop-a",
              str(csv_file(tmp_path, "b.csv", rows)))
    assert stock(stack, sid) == 40
    assert moves(stack, sid)[-1] == ("import", "-2", "2")
    # The same count again: no movement.
    n = len(moves(stack, sid))
    stack.run("import", "products", "--shop", "shop-a",
              str(csv_file(tmp_path, "b.csv", rows)))
    assert len(moves(stack, sid)) == n


def test_pack_only_round_trips_through_form_and_csv(stack, world, tmp_path):
    pid, sid = new_product(stack, world, f"{P}-PACK", 12, pack_size="6",
                           pack_only="1")
    assert one(stack, f"SELECT pack_only FROM sku WHERE id = {sid}") == "1"
    page = edit_page(stack, world, pid)
    assert re.search(r'name="sku_pack_only\[0\]" value="1" checked', page)
    out = stack.run("export", "products", "--shop", "shop-a").stdout
    rows = {r["sku_code"]: r for r in csv.DictReader(io.StringIO(
        out.lstrip("\ufeff")))}
    assert rows[f"{P}-PACK-1"]["pack_only"] == "1"
    # 否 in the Chinese column clears it; the form's unticked box too.
    p = tmp_path / "zh.csv"
    p.write_text("货号,商品名称,SKU编码,单价,整箱销售\r\n"
                 f"{P}-PACK,流水品 {P}-PACK,{P}-PACK-1,10,否\r\n")
    stack.run("import", "products", "--shop", "shop-a", str(p))
    assert one(stack, f"SELECT pack_only FROM sku WHERE id = {sid}") == "0"
    p.write_text("货号,商品名称,SKU编码,单价,整箱销售\r\n"
                 f"{P}-PACK,流水品 {P}-PACK,{P}-PACK-1,10,是\r\n")
    stack.run("import", "products", "--shop", "shop-a", str(p))
    assert one(stack, f"SELECT pack_only FROM sku WHERE id = {sid}") == "1"
    p.write_text("货号,商品名称,SKU编码,单价,整箱销售\r\n"
                 f"{P}-PACK,流水品 {P}-PACK,{P}-PACK-1,10,大概\r\n")
    r = stack.run("import", "products", "--shop", "shop-a", str(p),
                  check=False)
    assert r.returncode != 0 and "整箱" in r.stdout + r.stderr
    page = edit_page(stack, world, pid)
    r = resubmit(stack, world, pid, page)       # the box left unticked
    assert r.status_code == 303
    assert one(stack, f"SELECT pack_only FROM sku WHERE id = {sid}") == "0"


def test_ordered_product_and_sku_are_not_deleted(stack, world):
    pid, sid = new_product(stack, world, f"{P}-DEL", 9)
    order(stack, world, sid, 1)
    o = world["owner"]
    r = o.get(stack.url(f"{A}/admin/products/{pid}/delete"))
    assert "该商品已有订单，不能删除，可以下架" in r.text
    assert "确认删除" not in r.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = post(stack, o, f"/admin/products/{pid}/delete", {"csrf": csrf})
    assert r.status_code == 409
    assert "该商品已有订单，不能删除，可以下架" in r.text
    r = o.post(stack.url(f"{A}/admin/products/{pid}/delete"),
               data={"csrf": csrf}, headers={"Accept": "application/json"})
    assert r.status_code == 409 and "已有订单" in r.text
    page = edit_page(stack, world, pid)
    r = resubmit(stack, world, pid, page, remove="1",
                 more=[{"code": f"{P}-DEL-2", "price": "1"}])
    assert r.status_code == 409 and "已有订单，不能删除，可以下架" in r.text
    assert pid_of(stack, f"{P}-DEL") == pid
    assert one(stack, f"SELECT COUNT(*) FROM sku WHERE id = {sid}") == "1"


def test_movements_add_up_to_stock(stack, world):
    """Last: every SKU the module made, through all of the above."""
    rows = stack.sql(f"""SELECT s.code, s.stock, COALESCE((SELECT SUM(delta)
        FROM stock_movement m WHERE m.sku_id = s.id), 0) FROM sku s
        WHERE s.shop_id = {S} AND s.code LIKE '{P}-%'""")
    assert len(rows) >= 7
    assert [r for r in rows if r[1] != r[2]] == []
