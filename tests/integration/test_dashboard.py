"""The back office's first page says what needs doing, to whom may do it."""

from helpers import csrf_of

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"


def todo_of(html):
    start = html.find('class="panel todo"')
    assert start != -1, "no 待办 panel"
    return html[start:html.find("</section>", start)]


def test_dashboard_lists_what_needs_doing(stack):
    owner = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    sales = stack.login(stack.sales_phone, stack.password, "shop-a",
                        staff=True)
    stack.sql(f"""
DELETE FROM inquiry WHERE message LIKE 'DB-TODO%';
INSERT INTO inquiry (shop_id, contact_name, contact_phone, message)
  VALUES ({A}, '待办一', '13600000001', 'DB-TODO-1'),
         ({A}, '待办二', '13600000002', 'DB-TODO-2');
UPDATE inquiry SET assigned_staff_id = (SELECT id FROM staff WHERE
  shop_id = {A} AND phone = '{stack.sales_phone}') WHERE message = 'DB-TODO-2';
INSERT INTO job (shop_id, kind, payload, state, run_at, attempts,
  max_attempts, last_error) VALUES ({A}, 'test.fail', '{{}}', 'failed',
  NOW(3), 5, 5, 'DB-TODO');
""")
    try:
        open_n = int(stack.sql(f"SELECT COUNT(*) FROM inquiry WHERE "
                               f"shop_id = {A} AND status = 'open'")[0][0])
        todo = todo_of(owner.get(stack.url("/s/shop-a/admin")).text)
        assert f"<b>{open_n}</b> 条询价待回复" in todo, todo
        assert 'href="/s/shop-a/admin/inquiries?status=open"' in todo
        assert "个后台任务失败" in todo and \
            'href="/s/shop-a/admin/jobs"' in todo
        # Sales see the inquiry assigned to them first, and no jobs: they
        # may not open that page.
        todo = todo_of(sales.get(stack.url("/s/shop-a/admin")).text)
        assert "<b>1</b> 条询价分配给您，待回复" in todo, todo
        assert f"<b>{open_n - 1}</b> 条其他询价待回复" in todo, todo
        assert "后台任务" not in todo
    finally:
        stack.sql("DELETE FROM inquiry WHERE message LIKE 'DB-TODO%'; "
                  "DELETE FROM job WHERE last_error = 'DB-TODO'")
    # Shop B's owner sees none of shop A's work.
    other = stack.login(stack.owner_phone, stack.password, "shop-b",
                        staff=True)
    page = other.get(stack.url("/s/shop-b/admin")).text
    assert "DB-TODO" not in page
    assert csrf_of(page)


def test_admin_not_found_leads_back_to_the_admin_home(stack):
    owner = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    r = owner.get(stack.url("/s/shop-a/admin/no-such-page"))
    assert r.status_code == 404
    assert 'href="/s/shop-a/admin">返回管理后台' in r.text
    r = stack.session().get(stack.url("/s/shop-a/no-such-page"))
    assert r.status_code == 404 and "返回管理后台" not in r.text
    assert 'href="/s/shop-a/">返回首页' in r.text
