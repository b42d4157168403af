"""A quote the customer can act on: staff answer with prices valid until a
day (default 7 days in China, today to 180 days), the asking company sees
the lines, totals and validity (or that it expired) on its page and in
the JSON twin, replies there (the inquiry goes back to staff's queue, the
conversation kept in order), and nobody else can read or reply."""

import re

import pytest

from helpers import api_login, csrf_of, get_csrf

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
OTHER_BUYER = "13700000029"        # a user of another company of shop-a
COLLEAGUE = "13900000002"          # the demo buyer's colleague
CODE = "IQ-TEA"
PHONE = "1362222"                  # contact phones of this module's inquiries


def one(stack, query):
    rows = stack.sql(query)
    assert len(rows) == 1, (query, rows)
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


def cst_day(stack, days=0):
    """China's date `days` from today, as the test's own SQL reckons it
    (UTC_TIMESTAMP: the root client's session zone is not the app's)."""
    return one(stack, "SELECT DATE_FORMAT(DATE(UTC_TIMESTAMP() + INTERVAL 8 "
               f"HOUR) + INTERVAL {days} DAY, '%Y-%m-%d')")


@pytest.fixture(scope="module")
def product(stack):
    """A product with two SKUs, and a second customer company."""
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, unit, description)
  VALUES ({A}, '{CODE}', '报价测试龙井', '箱', '');
SET @p = LAST_INSERT_ID();
INSERT INTO sku (shop_id, product_id, code, spec, unit, stock, price_fen)
  VALUES ({A}, @p, 'IQ-TEA-1', '规格:500g', '箱', 5000, 130000),
         ({A}, @p, 'IQ-TEA-2', '规格:250g', '箱', 5000, 70000);
INSERT INTO customer (shop_id, name) VALUES ({A}, '丁公司');
INSERT INTO customer_user (shop_id, customer_id, name, phone, password_hash)
  SELECT {A}, LAST_INSERT_ID(), '丁采购', '{OTHER_BUYER}', password_hash
  FROM customer_user WHERE shop_id = {A} AND phone = '13900000000';
UPDATE shop SET version = version + 1;
""")
    pid = one(stack, f"SELECT id FROM product WHERE code = '{CODE}'")
    sku = one(stack, "SELECT id FROM sku WHERE code = 'IQ-TEA-1'")
    yield pid, sku
    stack.sql(f"""
DELETE FROM inquiry WHERE contact_phone LIKE '{PHONE}%';
DELETE FROM product WHERE code = '{CODE}';
DELETE FROM session WHERE customer_user_id IN
  (SELECT id FROM customer_user WHERE phone = '{OTHER_BUYER}');
DELETE FROM customer_user WHERE phone = '{OTHER_BUYER}';
DELETE FROM customer WHERE name = '丁公司';
UPDATE shop SET version = version + 1;
""")


_n = [0]


def ask(stack, product, qty=1200, message="IQ: 请报价"):
    """The demo buyer asks about the 500g SKU; the inquiry's id."""
    pid, sku = product
    _n[0] += 1
    phone = f"{PHONE}{_n[0]:04d}"
    buyer = stack.login(stack.buyer_phone, stack.password, "shop-a")
    tok = get_csrf(stack, buyer, f"/s/shop-a/inquiry?product={pid}")
    r = buyer.post(stack.url("/s/shop-a/inquiry"), data={
        "csrf": tok, "product_id": pid, "sku_id": sku, "qty": str(qty),
        "contact_name": "张采购", "contact_phone": phone,
        "message": message})
    assert r.status_code == 200 and "询价已提交" in r.text, r.text[:500]
    return int(one(stack, f"SELECT id FROM inquiry WHERE contact_phone = "
                   f"'{phone}'"))


def guest_ask(stack, product):
    pid, _ = product
    _n[0] += 1
    r = stack.session().post(stack.url("/s/shop-a/api/v1/inquiries"), json={
        "contact_name": "游客", "contact_phone": f"{PHONE}{_n[0]:04d}",
        "product_id": pid, "qty": 5, "message": "IQ: guest"})
    assert r.status_code == 200, r.text
    return r.json()["data"]["id"]


def owner(stack):
    return stack.login(stack.owner_phone, stack.password, "shop-a",
                       staff=True)


def line_of(stack, iid):
    return one(stack, f"SELECT id FROM inquiry_item WHERE inquiry_id = {iid}")


ANSWER = "1200 箱可按 1234.50 元/箱"


def answer(stack, staff, iid, text=ANSWER, price="1234.50", valid=None):
    page = f"/s/shop-a/admin/inquiries/{iid}"
    data = {"csrf": get_csrf(stack, staff, page), "answer": text}
    if price is not None:
        data[f"quote_{line_of(stack, iid)}"] = price
    if valid is not None:
        data["quote_valid_until"] = valid
    return staff.post(stack.url(page + "/answer"), data=data,
                      allow_redirects=False)


def reply(stack, s, iid, body, key=None, csrf=True):
    page = f"/s/shop-a/account/inquiries/{iid}"
    data = {"body": body}
    if csrf:
        data["csrf"] = get_csrf(stack, s, "/s/shop-a/account")
    if key is not None:
        data["idempotency_key"] = key
    return s.post(stack.url(page + "/reply"), data=data,
                  allow_redirects=False)


def stored(stack, iid):
    return stack.sql(f"SELECT author, body FROM inquiry_message "
                     f"WHERE inquiry_id = {iid} ORDER BY id")


def field_input(page, name):
    m = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), page)
    assert m, f"no input {name}"
    return m.group(0)


# -- validity ---------------------------------------------------------------


def test_validity_default_and_bounds(stack, product):
    iid = ask(stack, product)
    s = owner(stack)
    page = s.get(stack.url(f"/s/shop-a/admin/inquiries/{iid}")).text
    date = field_input(page, "quote_valid_until")
    assert f'value="{cst_day(stack, 7)}"' in date, date
    assert f'min="{cst_day(stack)}"' in date
    assert f'max="{cst_day(stack, 180)}"' in date

    # Left out, it is seven days from today in China.
    r = answer(stack, s, iid)
    assert r.status_code == 303, r.text[:500]
    row = one(stack, f"SELECT status, DATE_FORMAT(quote_valid_until, "
              f"'%Y-%m-%d') FROM inquiry WHERE id = {iid}")
    assert row == ("answered", cst_day(stack, 7))
    assert one(stack, f"SELECT detail FROM audit_log WHERE action = "
               f"'inquiry.answer' AND detail LIKE 'inquiry={iid} %'") == \
        f"inquiry={iid} quoted=1 answer_chars={len(ANSWER)} " \
        f"valid_until={cst_day(stack, 7)}"
    assert f"inquiry answered id={iid} quoted=1 valid_until=" \
        f"{cst_day(stack, 7)}" in stack.error_log_text()

    # Out of bounds or no date: refused beside the field, as typed, and
    # nothing changes.
    before = stack.sql(f"SELECT quote_valid_until, answer FROM inquiry "
                       f"WHERE id = {iid}")
    for valid, why in ((cst_day(stack, -1), "不能早于今天"),
                       (cst_day(stack, 181), "最长 180 天"),
                       ("2031-02-30", "应为日期"),
                       ("下周五", "应为日期")):
        r = answer(stack, s, iid, text="改价", price="1000", valid=valid)
        assert r.status_code == 400, (valid, r.status_code)
        assert f'value="{valid}"' in field_input(r.text,
                                                 "quote_valid_until")
        assert re.search(r'name="quote_valid_until"[^>]*aria-invalid='
                         r'"true"[^>]*><span class="field-error">' + why,
                         r.text), (valid, why)
        assert '>改价</textarea>' in r.text          # the answer kept
        assert 'value="1000"' in r.text               # and the price
    assert stack.sql(f"SELECT quote_valid_until, answer FROM inquiry "
                     f"WHERE id = {iid}") == before
    assert one(stack, f"SELECT COUNT(*) FROM inquiry_message "
               f"WHERE inquiry_id = {iid}") == "1"
    assert "inquiry answer refused id=%s valid_until=%s" % (
        iid, cst_day(stack, 181)) in stack.error_log_text()
    j = s.post(stack.url(f"/s/shop-a/admin/inquiries/{iid}/answer"),
               headers={"Accept": "application/json"},
               data={"csrf": get_csrf(stack, s, f"/s/shop-a/admin/"
                                      f"inquiries/{iid}"),
                     "answer": "x", f"quote_{line_of(stack, iid)}": "1",
                     "quote_valid_until": cst_day(stack, -1)})
    assert j.status_code == 400
    assert j.json()["error"]["fields"] == {
        "quote_valid_until": "不能早于今天"}

    # Both ends are allowed.
    for days in (0, 180):
        r = answer(stack, s, iid, valid=cst_day(stack, days))
        assert r.status_code == 303, (days, r.text[:300])
        assert one(stack, f"SELECT DATE_FORMAT(quote_valid_until, "
                   f"'%Y-%m-%d') FROM inquiry WHERE id = {iid}") == \
            cst_day(stack, days)
    # The form offers the quote's own day while it holds.
    page = s.get(stack.url(f"/s/shop-a/admin/inquiries/{iid}")).text
    assert f'value="{cst_day(stack, 180)}"' in field_input(
        page, "quote_valid_until")
    # A text answer with no price promises no validity.
    r = answer(stack, s, iid, text="价格另议", price="")
    assert r.status_code == 303
    assert one(stack, f"SELECT quote_valid_until FROM inquiry "
               f"WHERE id = {iid}") is None


# -- what the customer sees -------------------------------------------------


def test_customer_sees_quote_lines_totals_and_validity(stack, product):
    iid = ask(stack, product, qty=1200)
    assert answer(stack, owner(stack), iid).status_code == 303
    until = cst_day(stack, 7)
    phone = one(stack, "SELECT contact_phone FROM shop WHERE slug = 'shop-a'")
    # Any user of the asking company.
    s = stack.login(COLLEAGUE, stack.password, "shop-a")
    page = s.get(stack.url(f"/s/shop-a/account/inquiries/{iid}")).text
    for text in ("报价测试龙井", "规格:500g", "货号 IQ-TEA-1", "1200 箱",
                 "<b>¥1,234.50</b>/箱", "<b>¥1,481,400.00</b>",
                 "报价合计", f"报价有效期至 {until}（还有 7 天）",
                 "1200 箱可按 1234.50 元/箱", "商家回复", "IQ: 请报价",
                 'name="body"', "发送回复"):
        assert text in page, text
    assert "报价已过期" not in page
    assert "陈老板" not in page           # staff stay 商家, unnamed
    if phone:
        assert f'href="tel:{phone}">致电商家 {phone}' in page
    # No promise of things to come: what can be done now.
    assert "在线下单" not in page and "即将" not in page

    listing = s.get(stack.url("/s/shop-a/account/inquiries")).text
    card = listing[listing.index(f"询价 #{iid}<"):]
    card = card[:card.index("</li>")]
    assert "报价合计 <b class=\"price-inline\">¥1,481,400.00</b>" in card
    assert f"有效期至 {until}" in card and "报价已过期" not in card

    j = s.get(stack.url(f"/s/shop-a/api/v1/account/inquiries/{iid}"))
    assert j.status_code == 200
    q = j.json()["data"]["inquiry"]
    item, = q["items"]
    assert item["name"] == "报价测试龙井" and item["spec"] == "规格:500g"
    assert item["sku_code"] == "IQ-TEA-1" and item["qty"] == 1200
    assert item["quote"] == "1,234.50" and item["quote_fen"] == 123450
    assert item["line_total_fen"] == 148140000
    assert q["quote"]["total_fen"] == 148140000
    assert q["quote"]["total"] == "1,481,400.00"
    assert q["quote"]["valid_until"] == until
    assert q["quote"]["days_left"] == 7
    assert q["quote"]["valid"] is True and q["quote"]["expired"] is False
    assert q["can_reply"] is True and q["status"] == "answered"
    assert [(m["author"], m["label"], m["body"], m["name"])
            for m in q["messages"]] == [
        ("staff", "商家回复", "1200 箱可按 1234.50 元/箱", None)]
    assert j.json()["data"]["shop_phone"] == (phone or None)
    lj = s.get(stack.url("/s/shop-a/api/v1/account/inquiries")).json()
    row = next(x for x in lj["data"]["inquiries"] if x["id"] == iid)
    assert row["quote"]["total_fen"] == 148140000
    assert row["quote"]["valid_until"] == until


def test_expired_and_last_day(stack, product):
    iid = ask(stack, product, qty=2)
    assert answer(stack, owner(stack), iid, price="99.90").status_code == 303
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    url = f"/s/shop-a/account/inquiries/{iid}"

    stack.sql(f"UPDATE inquiry SET quote_valid_until = DATE(UTC_TIMESTAMP() "
              f"+ INTERVAL 8 HOUR) - INTERVAL 1 DAY WHERE id = {iid}")
    page = s.get(stack.url(url)).text
    assert "报价已过期" in page and f"有效期至 {cst_day(stack, -1)}" in page
    assert "报价有效期至" not in page
    assert 'name="body"' in page          # they can still ask again
    q = s.get(stack.url("/s/shop-a/api/v1" + url[9:])).json()["data"][
        "inquiry"]["quote"]
    assert q["expired"] is True and q["valid"] is False
    assert q["days_left"] == -1
    card = s.get(stack.url("/s/shop-a/account/inquiries")).text
    card = card[card.index(f"询价 #{iid}<"):]
    assert "报价已过期" in card[:card.index("</li>")]
    staff = owner(stack).get(stack.url(f"/s/shop-a/admin/inquiries/{iid}"))
    assert "报价已过期" in staff.text
    # Expired, the form offers a fresh validity, not the stale one.
    assert f'value="{cst_day(stack, 7)}"' in field_input(
        staff.text, "quote_valid_until")

    # Its last day: still valid, all day.
    stack.sql(f"UPDATE inquiry SET quote_valid_until = DATE(UTC_TIMESTAMP() "
              f"+ INTERVAL 8 HOUR) WHERE id = {iid}")
    page = s.get(stack.url(url)).text
    assert f"报价有效期至 {cst_day(stack)}（今天到期）" in page
    assert "报价已过期" not in page


# -- the conversation -------------------------------------------------------


def todo_count(stack, s):
    """The open inquiries the dashboard's 待办 counts: the staff member's
    own and the others."""
    page = s.get(stack.url("/s/shop-a/admin")).text
    return sum(int(n) for n in re.findall(
        r"<b>(\d+)</b> 条(?:询价分配给您，|其他询价|询价)待回复", page))


def test_reply_reopens_and_staff_see_the_conversation(stack, product):
    iid = ask(stack, product, message="IQ: 先报个价")
    staff = owner(stack)
    assert answer(stack, staff, iid).status_code == 303
    todo = todo_count(stack, staff)

    s = stack.login(COLLEAGUE, stack.password, "shop-a")
    said = "IQ: 数量改 1500 箱，\n能到 1200 元吗？"
    r = reply(stack, s, iid, said)
    assert r.status_code == 303, r.text[:500]
    assert r.headers["Location"] == \
        f"/s/shop-a/account/inquiries/{iid}?done=replied#thread"
    assert "已发送，商家会尽快回复您" in s.get(
        stack.url(r.headers["Location"])).text
    assert one(stack, f"SELECT status FROM inquiry WHERE id = {iid}") == \
        "open"
    assert stored(stack, iid) == [
        ("staff", "1200 箱可按 1234.50 元/箱"),
        ("customer", "IQ: 数量改 1500 箱，\n能到 1200 元吗？")]
    assert one(stack, f"SELECT COUNT(*) FROM audit_log WHERE action = "
               f"'inquiry.reply' AND detail LIKE 'inquiry={iid} %' AND "
               f"detail LIKE '% was=answered chars={len(said)}'") == "1"
    assert re.search(rf"inquiry reply id={iid} message=\d+ was=answered "
                     r"now=open", stack.error_log_text())
    # Back in staff's queue and on the dashboard.
    assert todo_count(stack, staff) == todo + 1
    queue = staff.get(stack.url("/s/shop-a/admin/inquiries?status=open")).text
    row = queue[queue.index(f"/admin/inquiries/{iid}\""):]
    assert "客户已回复" in row[:row.index("</li>")]

    page = staff.get(stack.url(f"/s/shop-a/admin/inquiries/{iid}")).text
    assert "客户已回复，等待您再次回复" in page
    thread = page[page.index('id="thread"'):]
    order = [thread.index(t) for t in (
        "IQ: 先报个价", "1200 箱可按 1234.50 元/箱",
        "客户 王会计", "IQ: 数量改 1500 箱，\n能到 1200 元吗？")]
    assert order == sorted(order), order
    assert "陈老板（员工）" in thread

    # Staff answer again, with a new price: kept as a second answer.
    r = answer(stack, staff, iid, text="1500 箱按 1200 元", price="1200",
               valid=cst_day(stack, 10))
    assert r.status_code == 303
    assert one(stack, f"SELECT CONCAT(status, ' ', answer) FROM inquiry "
               f"WHERE id = {iid}") == "answered 1500 箱按 1200 元"
    assert [a for a, _ in stored(stack, iid)] == [
        "staff", "customer", "staff"]
    assert todo_count(stack, staff) == todo
    page = s.get(stack.url(f"/s/shop-a/account/inquiries/{iid}")).text
    thread = page[page.index('id="thread"'):]
    order = [thread.index(t) for t in (
        "IQ: 先报个价", "1200 箱可按 1234.50 元/箱", "能到 1200 元吗？",
        "1500 箱按 1200 元")]
    assert order == sorted(order), order
    assert "<b>¥1,200.00</b>/箱" in page
    assert f"报价有效期至 {cst_day(stack, 10)}（还有 10 天）" in page


def test_other_company_and_guests_cannot_see_or_reply(stack, product):
    iid = ask(stack, product)
    assert answer(stack, owner(stack), iid).status_code == 303
    other = stack.login(OTHER_BUYER, stack.password, "shop-a")
    for path in (f"/s/shop-a/account/inquiries/{iid}",
                 f"/s/shop-a/api/v1/account/inquiries/{iid}"):
        r = other.get(stack.url(path))
        assert r.status_code == 404 and "1234.50" not in r.text, path
    r = reply(stack, other, iid, "IQ: 我也要")
    assert r.status_code == 404
    tok = get_csrf(stack, other, "/s/shop-a/account")
    r = other.post(stack.url(f"/s/shop-a/api/v1/account/inquiries/{iid}/"
                             "reply"), json={"body": "IQ: 我也要"},
                   headers={"X-CSRF-Token": tok})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert "1234.50" not in other.get(
        stack.url("/s/shop-a/account/inquiries")).text

    # A guest's inquiry has no account view, even for the shop's buyer.
    gid = guest_ask(stack, product)
    buyer = stack.login(stack.buyer_phone, stack.password, "shop-a")
    assert buyer.get(stack.url(f"/s/shop-a/account/inquiries/{gid}")) \
        .status_code == 404
    assert reply(stack, buyer, gid, "IQ: 不是我的").status_code == 404
    # Nobody logged in, or staff: no customer to reply as.
    r = stack.session().post(stack.url(
        f"/s/shop-a/account/inquiries/{iid}/reply"), data={"body": "x"},
        allow_redirects=False)
    assert r.status_code == 401
    staff = owner(stack)
    r = staff.post(stack.url(f"/s/shop-a/account/inquiries/{iid}/reply"),
                   data={"body": "x", "csrf": get_csrf(
                       stack, staff, "/s/shop-a/admin")},
                   allow_redirects=False)
    assert r.status_code == 401
    # Another shop does not know it.
    b = stack.login(stack.buyer_phone, stack.password, "shop-b")
    assert b.get(stack.url(f"/s/shop-b/account/inquiries/{iid}")) \
        .status_code == 404
    assert [a for a, _ in stored(stack, iid)] == ["staff"]
    assert [a for a, _ in stored(stack, gid)] == []
    assert one(stack, f"SELECT status FROM inquiry WHERE id = {iid}") == \
        "answered"


def test_closed_inquiry_refuses_reply(stack, product):
    iid = ask(stack, product)
    staff = owner(stack)
    assert answer(stack, staff, iid).status_code == 303
    page = f"/s/shop-a/admin/inquiries/{iid}"
    r = staff.post(stack.url(page + "/close"), allow_redirects=False,
                   data={"csrf": get_csrf(stack, staff, page)})
    assert r.status_code == 303
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    text = s.get(stack.url(f"/s/shop-a/account/inquiries/{iid}")).text
    assert "该询价已关闭，不能再回复" in text and 'name="body"' not in text
    assert "重新询价" in text
    assert "<b>¥1,234.50</b>/箱" in text        # the quote stays readable
    r = reply(stack, s, iid, "IQ: 还在吗")
    assert r.status_code == 409
    assert "该询价已关闭，不能再回复" in r.text
    tok = get_csrf(stack, s, "/s/shop-a/account")
    j = s.post(stack.url(f"/s/shop-a/api/v1/account/inquiries/{iid}/reply"),
               json={"body": "IQ: 还在吗"}, headers={"X-CSRF-Token": tok})
    assert j.status_code == 409 and j.json()["error"]["code"] == "conflict"
    assert one(stack, f"SELECT status FROM inquiry WHERE id = {iid}") == \
        "closed"
    assert [a for a, _ in stored(stack, iid)] == ["staff"]
    assert f"inquiry reply refused id={iid} was=closed" in \
        stack.error_log_text()


def test_double_submit_makes_one_message(stack, product):
    iid = ask(stack, product)
    assert answer(stack, owner(stack), iid).status_code == 303
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    page = s.get(stack.url(f"/s/shop-a/account/inquiries/{iid}")).text
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"',
                    page).group(1)
    tok = csrf_of(page)
    # The page's key: the second tap gets the first answer.
    data = {"csrf": tok, "idempotency_key": key, "body": "IQ: 好的"}
    url = stack.url(f"/s/shop-a/account/inquiries/{iid}/reply")
    first = s.post(url, data=data, allow_redirects=False)
    again = s.post(url, data=data, allow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert stored(stack, iid)[1:] == [("customer", "IQ: 好的")]
    # Without a key (a resent post, a client that keeps none): the same
    # text again right away is the same reply.
    r = reply(stack, s, iid, "IQ: 好的")
    assert r.status_code == 303 and "Idempotent-Replayed" not in r.headers
    assert stored(stack, iid)[1:] == [("customer", "IQ: 好的")]
    assert f"inquiry reply repeated id={iid}" in stack.error_log_text()
    # Something else is a new message.
    assert reply(stack, s, iid, "IQ: 明天发货").status_code == 303
    assert [b for _, b in stored(stack, iid)[1:]] == ["IQ: 好的",
                                                      "IQ: 明天发货"]


def test_reply_validation_keeps_what_was_typed(stack, product):
    iid = ask(stack, product)
    s = stack.login(stack.buyer_phone, stack.password, "shop-a")
    # Unanswered yet: they may still add to it.
    text = s.get(stack.url(f"/s/shop-a/account/inquiries/{iid}")).text
    assert "商家还未回复" in text and 'name="body"' in text
    r = reply(stack, s, iid, "   ")
    assert r.status_code == 400
    assert re.search(r'<textarea id="body"[^>]*aria-invalid="true"', r.text)
    assert '<p class="field-error" id="body-error">回复内容：请填写' in r.text
    long = "长" * 1001
    r = reply(stack, s, iid, long)
    assert r.status_code == 400 and "最多 1000 个字" in r.text
    assert f">{long}</textarea>" in r.text
    r = reply(stack, s, iid, "IQ: 好", csrf=False)
    assert r.status_code == 403
    assert stored(stack, iid) == []
    assert f"inquiry reply refused id={iid} why=回复内容：请填写" in \
        stack.error_log_text()
    tok = get_csrf(stack, s, "/s/shop-a/account")
    j = s.post(stack.url(f"/s/shop-a/api/v1/account/inquiries/{iid}/reply"),
               json={"body": ""}, headers={"X-CSRF-Token": tok})
    assert j.status_code == 400
    assert j.json()["error"]["fields"] == {"body": "请填写"}
    # 1000 characters are fine, and an open inquiry stays open.
    assert reply(stack, s, iid, "好" * 1000).status_code == 303
    assert one(stack, f"SELECT status FROM inquiry WHERE id = {iid}") == \
        "open"


def test_json_twin_replies_with_a_bearer_token(stack, product):
    iid = ask(stack, product)
    assert answer(stack, owner(stack), iid).status_code == 303
    r = api_login(stack, "shop-a", stack.buyer_phone)
    assert r.status_code == 200, r.text
    s = stack.session()
    s.headers["Authorization"] = "Bearer " + r.json()["data"]["token"]
    url = stack.url(f"/s/shop-a/api/v1/account/inquiries/{iid}")
    r = s.post(url + "/reply", json={"body": "IQ: 小程序回复"},
               headers={"Idempotency-Key": f"iq-{iid}"})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["status"] == "open" and d["repeated"] is False
    assert d["redirect"].endswith(f"/account/inquiries/{iid}"
                                  "?done=replied#thread")
    r2 = s.post(url + "/reply", json={"body": "IQ: 小程序回复"},
                headers={"Idempotency-Key": f"iq-{iid}"})
    assert r2.headers.get("Idempotent-Replayed") == "true"
    assert r2.json()["data"]["message_id"] == d["message_id"]
    q = s.get(url).json()["data"]["inquiry"]
    assert q["status"] == "open" and q["customer_waiting"] is True
    assert [(m["author"], m["label"], m["body"]) for m in q["messages"]] == [
        ("staff", "商家回复", "1200 箱可按 1234.50 元/箱"),
        ("customer", "张采购", "IQ: 小程序回复")]
    assert q["quote"]["total"] == "1,481,400.00"
    r = s.post(url + "/reply", json={"body": "长" * 1001})
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["body"] == "最多 1000 个字"


# -- the database -----------------------------------------------------------


def test_database_keeps_messages_in_their_shop(stack, product):
    iid = ask(stack, product)
    b = one(stack, "SELECT id FROM shop WHERE slug = 'shop-b'")
    b_user = one(stack, f"SELECT MIN(id) FROM customer_user "
                 f"WHERE shop_id = {b}")
    a_user = one(stack, f"SELECT customer_user_id FROM inquiry "
                 f"WHERE id = {iid}")
    for constraint, sql in (
            ("inquiry_message_inquiry_same_shop",
             f"INSERT INTO inquiry_message (shop_id, inquiry_id, author, "
             f"customer_user_id, body) VALUES ({b}, {iid}, 'customer', "
             f"{b_user}, 'x')"),
            ("inquiry_message_customer_user_same_shop",
             f"INSERT INTO inquiry_message (shop_id, inquiry_id, author, "
             f"customer_user_id, body) VALUES ({A}, {iid}, 'customer', "
             f"{b_user}, 'x')")):
        with pytest.raises(AssertionError) as e:
            stack.sql(f"START TRANSACTION; {sql}; ROLLBACK")
        assert f"CONSTRAINT `{constraint}`" in str(e.value), str(e.value)
    with pytest.raises(AssertionError) as e:
        stack.sql(f"INSERT INTO inquiry_message (shop_id, inquiry_id, "
                  f"author, customer_user_id, staff_id, body) VALUES "
                  f"({A}, {iid}, 'staff', {a_user}, NULL, 'x')")
    assert "inquiry_message_author" in str(e.value)
    assert stored(stack, iid) == []


def test_migration_keeps_earlier_answers(stack, tmp_path):
    """On a database with answered inquiries, 010 makes each answer the
    first message of its conversation, once, however often it runs."""
    db = "dinghuo_iq_migrate"
    stack.sql(f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}; "
              f"GRANT ALL ON {db}.* TO 'dinghuo'@'localhost'")
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    migrations = sorted(stack.sql_dir.glob("[0-9][0-9][0-9]_*.sql"))
    for f in migrations:
        if f.name < "010":
            (sql_dir / f.name).write_text(f.read_text())
    env = {"DINGHUO_DB_NAME": db, "DINGHUO_SQL_DIR": str(sql_dir)}
    try:
        stack.run("migrate", env=env)
        stack.run("demo", "--slug", "shop-a", env=env)
        stack.sql(f"""
INSERT INTO inquiry (shop_id, contact_name, contact_phone, status, answer,
  answered_at, assigned_staff_id) SELECT id, '旧', '13600000000',
  'answered', '旧的回复', NOW(3) - INTERVAL 1 DAY,
  (SELECT MIN(id) FROM staff) FROM shop;
INSERT INTO inquiry (shop_id, contact_name, contact_phone)
  SELECT id, '未回复', '13600000001' FROM shop;
""", db=db)
        for f in migrations:
            (sql_dir / f.name).write_text(f.read_text())
        r = stack.run("migrate", env=env)
        assert "applying 010_inquiry_quote.sql" in r.stderr
        text = (stack.sql_dir / "010_inquiry_quote.sql").read_text()
        stack.sql(text, db=db)          # and once more, by hand
        rows = stack.sql("SELECT i.contact_name, m.author, m.body, "
                         "m.staff_id IS NOT NULL, m.created_at = "
                         "i.answered_at FROM inquiry_message m JOIN inquiry "
                         "i ON i.id = m.inquiry_id", db=db)
        assert rows == [("旧", "staff", "旧的回复", "1", "1")]
        assert stack.sql("SELECT COUNT(*) FROM inquiry WHERE "
                         "quote_valid_until IS NULL", db=db) == [("2",)]
    finally:
        stack.sql(f"DROP DATABASE IF EXISTS {db}")
