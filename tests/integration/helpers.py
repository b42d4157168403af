"""Small helpers shared by the integration tests."""

import html
import re


def csrf_of(text):
    """The value of the csrf hidden input of a page."""
    m = re.search(r'name="csrf" value="([^"]*)"', text)
    assert m, f"no csrf input in page:\n{text[:800]}"
    return html.unescape(m.group(1))


def get_csrf(stack, session, path):
    r = session.get(stack.url(path))
    assert r.status_code == 200, (path, r.status_code)
    return csrf_of(r.text)


def api_login(stack, shop, phone, password="demo1234", kind="customer"):
    s = stack.session()
    r = s.post(stack.url(f"/s/{shop}/api/v1/login"),
               json={"phone": phone, "password": password, "kind": kind})
    return r
