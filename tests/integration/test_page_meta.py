"""What every storefront page carries for search engines and the fresh
theme's tab bar, and that the back office's styles come from the default
theme whatever the shop's theme is (Lighthouse and the screenshots found
each of these)."""

import re


def test_meta_description_on_storefront_pages(stack):
    s = stack.session()
    for path in ("/s/shop-a/", "/s/shop-a/login",
                 "/s/shop-a/wholesale/products"):
        html = s.get(stack.url(path)).text
        m = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert m and len(m.group(1)) > 10, path


def test_back_office_styles_under_fresh(stack):
    fresh = "/static/fresh/theme.css"

    def home():
        return stack.session().get(stack.url("/s/shop-a/"))
    stack.sql("UPDATE shop SET theme = 'fresh', version = version + 1 "
              "WHERE slug = 'shop-a'")
    try:
        s = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
        stack.every_worker(home, lambda r: fresh in r.text, timeout=5)
        for path in ("/s/shop-a/admin/customers", "/s/shop-a/admin/prices"):
            html = s.get(stack.url(path)).text
            for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"',
                                   html):
                r = stack.session().get(stack.url(href))
                assert r.status_code == 200, (path, href)
        # 我的 is the current tab on the customer login page.
        html = stack.session().get(stack.url("/s/shop-a/login")).text
        assert re.search(r'<a href="/s/shop-a/login" aria-current="page">',
                         html)
    finally:
        stack.sql("UPDATE shop SET theme = 'default', version = version + 1"
                  " WHERE slug = 'shop-a'")
        # Every worker back on the default theme before the next test.
        stack.every_worker(home, lambda r: fresh not in r.text, timeout=5)
