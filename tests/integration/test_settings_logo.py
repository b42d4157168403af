"""Brand settings: the logo is uploaded in the settings form itself
(through the image helper, kept as its 400 px thumbnail on white), can be
removed, and a refused form stores nothing; the retail mall's B2B switch
is saved like the other settings."""

import os
import re

import pytest

from helpers import get_csrf
from test_admin_catalog import jpeg_size, png
from test_admin_inquiry_settings import (owner, restore_shop,  # noqa: F401
                                         settings_form)


@pytest.fixture
def shop_a(stack, restore_shop):  # noqa: F811
    sid = stack.sql("SELECT id FROM shop WHERE slug = 'shop-a'")[0][0]
    yield restore_shop, sid
    stack.sql("UPDATE shop SET retail_b2b_details = 0, version = version + 1"
              " WHERE slug = 'shop-a'")


def upload(stack, s, form, files):
    form = dict(form, csrf=get_csrf(stack, s, "/s/shop-a/admin/settings"))
    return s.post(stack.url("/s/shop-a/admin/settings"), data=form,
                  files=files, allow_redirects=False)


def logo_url(stack):
    return stack.sql("SELECT logo_url FROM shop WHERE slug = 'shop-a'")[0][0]


def files_of(stack, sid):
    d = os.path.join(stack.uploads_dir, str(sid))
    return set(os.listdir(d)) if os.path.isdir(d) else set()


def test_logo_upload_is_kept_as_a_thumbnail_and_shown(stack, shop_a):
    before, sid = shop_a
    s = owner(stack)
    page = s.get(stack.url("/s/shop-a/admin/settings")).text
    assert 'enctype="multipart/form-data"' in page
    assert 'name="logo_file" type="file"' in page
    old = files_of(stack, sid)
    r = upload(stack, s, settings_form(stack, before, logo_url=""),
               {"logo_file": ("标志.png", png(900, 600), "image/png")})
    assert r.status_code == 303, r.text[:500]
    url = logo_url(stack)
    assert re.fullmatch(rf"/uploads/{sid}/[0-9a-f]{{32}}_t\.jpg", url), url
    new = files_of(stack, sid) - old
    assert new == {os.path.basename(url)}        # the original is not kept
    with open(os.path.join(stack.uploads_dir, url[len("/uploads/"):]),
              "rb") as f:
        assert jpeg_size(f.read()) == (400, 267)
    def home():
        return stack.session().get(stack.url("/s/shop-a/"))
    stack.every_worker(home, lambda r: f'src="{url}"' in r.text, timeout=5)
    # The form shows it and offers to remove it.
    page = s.get(stack.url("/s/shop-a/admin/settings")).text
    assert f'<img class="logo-now" src="{url}"' in page
    assert 'name="logo_remove"' in page
    form = settings_form(stack, before, logo_url=url, logo_remove="1")
    r = upload(stack, s, form, None)
    assert r.status_code == 303 and logo_url(stack) == ""
    # Gone from every worker's home before the next test reads it.
    stack.every_worker(home, lambda r: f'src="{url}"' not in r.text,
                       timeout=5)


def test_refused_logo_keeps_what_was_typed(stack, shop_a):
    before, sid = shop_a
    s = owner(stack)
    old = files_of(stack, sid)
    form = settings_form(stack, before, name="改过的店名", logo_url="")
    r = upload(stack, s, form, {"logo_file": ("x.png", b"not an image at all",
                                              "image/png")})
    assert r.status_code in (400, 415), r.status_code
    assert "Logo 图片" in r.text and 'value="改过的店名"' in r.text
    assert logo_url(stack) == before[2]
    assert stack.sql("SELECT name FROM shop WHERE slug = 'shop-a'")[0][0] \
        == before[0]
    assert files_of(stack, sid) == old


def test_refused_form_stores_no_logo(stack, shop_a):
    before, sid = shop_a
    s = owner(stack)
    old = files_of(stack, sid)
    form = settings_form(stack, before, name="")      # name is required
    r = upload(stack, s, form, {"logo_file": ("a.png", png(64, 64),
                                              "image/png")})
    assert r.status_code == 400
    assert files_of(stack, sid) == old
    assert logo_url(stack) == before[2]


def test_retail_b2b_switch_is_saved(stack, shop_a):
    before, _ = shop_a
    s = owner(stack)
    r = upload(stack, s, settings_form(stack, before,
                                       retail_b2b_details="1"), None)
    assert r.status_code == 303
    assert stack.sql("SELECT retail_b2b_details FROM shop WHERE slug = "
                     "'shop-a'")[0][0] == "1"
    page = s.get(stack.url("/s/shop-a/admin/settings")).text
    assert re.search(r'name="retail_b2b_details" value="1" checked', page)
    r = upload(stack, s, settings_form(stack, before), None)
    assert stack.sql("SELECT retail_b2b_details FROM shop WHERE slug = "
                     "'shop-a'")[0][0] == "0"
