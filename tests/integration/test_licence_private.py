"""A dealer application's business licence photo carries the legal
representative's name and the company's registration: it is stored under
private_dir, which nginx does not serve, and only the shop's staff who
read applications see it, through
/admin/customers/applications/{id}/licence. `dinghuo migrate` moves the
licences an earlier version stored under uploads_dir; `dinghuo uploads
prune` keeps the licences in use and removes orphans there too. What this
module makes is named DL... (phones 135551...) and removed at the end."""

import os
import re
import time

import pytest

from helpers import get_csrf
from test_admin_catalog import png

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
LIST = "/s/shop-a/admin/customers/applications"
OLD = time.time() - 2 * 3600
WAREHOUSE_PHONE = "13555199999"


def one(stack, query):
    rows = stack.sql(query)
    assert len(rows) == 1, (query, rows)
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


@pytest.fixture(scope="module")
def cleanup(stack):
    yield
    for row in stack.sql("SELECT licence_path, licence_thumb FROM "
                         "dealer_application WHERE phone LIKE '135551%'"):
        for rel in row:
            for root in (stack.private_dir, stack.uploads_dir):
                (root / rel).unlink(missing_ok=True)
    stack.sql("DELETE FROM dealer_application WHERE phone LIKE '135551%'; "
              f"DELETE FROM staff WHERE phone = '{WAREHOUSE_PHONE}'; "
              "UPDATE shop SET auth_version = auth_version + 1")


@pytest.fixture(autouse=True)
def fresh_limits(stack, cleanup):
    """Every client is 127.0.0.1: earlier applications must not count
    against this test's (5 an hour from one address)."""
    stack.sql("UPDATE dealer_application SET created_at = created_at - "
              "INTERVAL 3 DAY")
    yield


def apply(stack, phone, company):
    """Apply as a guest with a 600x400 PNG; return (id, path, thumb)."""
    s = stack.session()
    tok = get_csrf(stack, s, "/s/shop-a/dealer/apply")
    r = s.post(stack.url("/s/shop-a/dealer/apply"), allow_redirects=False,
               data={"company": company, "contact_name": "李经理",
                     "phone": phone, "password": "licence-pass-1",
                     "password2": "licence-pass-1", "csrf": tok},
               files={"licence": ("执照.png", png(600, 400), "image/png")})
    assert r.status_code == 303, r.text[:800]
    return one(stack, "SELECT id, licence_path, licence_thumb FROM "
                      f"dealer_application WHERE phone = '{phone}' AND "
                      f"shop_id = {A}")


def owner(stack, shop="shop-a"):
    return stack.login(stack.owner_phone, stack.password, shop, staff=True)


def licence_url(aid, thumb=False, shop="shop-a"):
    return (f"/s/{shop}/admin/customers/applications/{aid}/licence"
            + ("?thumb=1" if thumb else ""))


def test_licence_is_private_and_staff_see_it(stack):
    aid, path, thumb = apply(stack, "13555100001", "DL私密商贸")
    assert one(stack, "SELECT licence_private FROM dealer_application "
                      f"WHERE id = {aid}") == "1"
    for rel in (path, thumb):
        assert (stack.private_dir / rel).is_file(), rel
        assert not (stack.uploads_dir / rel).exists(), rel
        # nginx has nothing there to serve, to anyone.
        r = stack.session().get(stack.url(f"/uploads/{rel}"))
        assert r.status_code == 404, rel
    # The private folders are dinghuo's user's alone.
    shop_dir = stack.private_dir / rel.split("/")[0]
    assert shop_dir.stat().st_mode & 0o077 == 0, oct(shop_dir.stat().st_mode)

    s = owner(stack)
    page = s.get(stack.url(f"{LIST}/{aid}")).text
    assert f'<img src="{licence_url(aid, True)}"' in page
    assert f'href="{licence_url(aid)}"' in page
    assert "/uploads/" + path not in page and "/uploads/" + thumb not in page
    for url, rel, ctype in ((licence_url(aid), path, "image/png"),
                            (licence_url(aid, True), thumb, "image/jpeg")):
        r = s.get(stack.url(url))
        assert r.status_code == 200, r.text[:500]
        assert r.headers["Content-Type"] == ctype
        assert r.headers["Cache-Control"] == "private, no-store"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.content == (stack.private_dir / rel).read_bytes()
    # The JSON view names the route too.
    r = s.get(stack.url(f"{LIST}/{aid}"),
              headers={"Accept": "application/json"})
    lic = r.json()["data"]["application"]["licence"]
    assert lic["url"] == licence_url(aid)
    assert lic["thumb"] == licence_url(aid, True)


def test_licence_route_refuses_everyone_else(stack):
    aid, _, _ = apply(stack, "13555100002", "DL门外商行")
    url = licence_url(aid)
    # A guest and a customer are sent to the staff login.
    for s in (stack.session(),
              stack.login(stack.buyer_phone, stack.password, "shop-a")):
        r = s.get(stack.url(url), allow_redirects=False)
        assert r.status_code == 303, r.status_code
        assert "/s/shop-a/admin/login" in r.headers["Location"]
        assert not r.content.startswith(b"\x89PNG")
    # Warehouse staff read no customer pages, nor this.
    stack.sql(f"INSERT INTO staff (shop_id, name, phone, password_hash, role)"
              f" SELECT shop_id, 'DL仓库', '{WAREHOUSE_PHONE}', "
              f"password_hash, 'warehouse' FROM staff WHERE shop_id = {A} "
              f"AND phone = '{stack.owner_phone}'")
    wh = stack.login(WAREHOUSE_PHONE, stack.password, "shop-a", staff=True)
    assert wh.get(stack.url(url)).status_code == 403
    # Another shop's staff: not found, on their own shop's path.
    b = owner(stack, "shop-b")
    for thumb in (False, True):
        r = b.get(stack.url(licence_url(aid, thumb, shop="shop-b")))
        assert r.status_code == 404, r.status_code
        assert not r.content.startswith(b"\x89PNG")
    # No such application, and one whose file is gone.
    a = owner(stack)
    for bad in ("999999999", "0"):
        assert a.get(stack.url(licence_url(bad))).status_code == 404
    assert a.get(stack.url(f"{LIST}/{aid}/licence/x")).status_code == 404
    stack.sql("UPDATE dealer_application SET licence_path = "
              "CONCAT(licence_path, '.dead.png') WHERE id = " + str(aid))
    r = a.get(stack.url(url))
    assert r.status_code == 404 and "营业执照照片不存在" in r.text


def test_prune_keeps_licences_and_removes_orphans(stack):
    aid, path, thumb = apply(stack, "13555100003", "DL清理商行")
    sid = path.split("/")[0]
    d = stack.private_dir / sid
    for rel in (path, thumb):
        os.utime(stack.private_dir / rel, (OLD, OLD))
    orphans = ("0123abcd.jpg", "0123abcd_t.jpg", ".4567.upload")
    for n in orphans:
        (d / n).write_bytes(b"x" * 2048)
        os.utime(d / n, (OLD, OLD))
    r = stack.run("uploads", "prune", "--shop", "shop-a", "--dry-run")
    for n in orphans:
        assert f"would remove {sid}/{n} (private_dir, " in r.stdout, r.stdout
    assert all((d / n).exists() for n in orphans)
    r = stack.run("uploads", "prune", "--shop", "shop-a")
    assert f"removed {sid}/0123abcd.jpg (private_dir, not referenced, " \
        "2 KB)" in r.stdout, r.stdout
    assert f"removed {sid}/.4567.upload (private_dir, unfinished write" \
        in r.stdout
    assert not any((d / n).exists() for n in orphans)
    for rel in (path, thumb):
        assert (stack.private_dir / rel).is_file(), rel
        assert rel not in r.stdout
    # The whole run (every shop) keeps it too.
    r = stack.run("uploads", "prune", "--dry-run")
    assert path not in r.stdout and thumb not in r.stdout
    assert owner(stack).get(stack.url(licence_url(aid))).status_code == 200


def test_migrate_moves_public_licences(stack):
    """An application stored before private_dir: its files under
    uploads_dir, licence_private 0, as the old version left them."""
    aid, path, thumb = apply(stack, "13555100004", "DL旧执照商行")
    (stack.uploads_dir / path).parent.mkdir(exist_ok=True)
    for rel in (path, thumb):
        (stack.private_dir / rel).rename(stack.uploads_dir / rel)
    stack.sql("UPDATE dealer_application SET licence_private = 0 "
              f"WHERE id = {aid}")
    s = owner(stack)
    # Until it is moved staff still see it, from where it is...
    assert s.get(stack.url(licence_url(aid))).status_code == 200
    # ...and the public copy is in use, so prune keeps it.
    for rel in (path, thumb):
        os.utime(stack.uploads_dir / rel, (OLD, OLD))
    r = stack.run("uploads", "prune", "--shop", "shop-a", "--dry-run")
    assert path not in r.stdout and thumb not in r.stdout

    # Halfway: another application moved by a run that stopped before
    # its row said so; and one whose files are nowhere.
    bid, bpath, bthumb = apply(stack, "13555100005", "DL半途商行")
    cid, cpath, cthumb = apply(stack, "13555100006", "DL丢失商行")
    for rel in (cpath, cthumb):
        (stack.private_dir / rel).unlink()
    stack.sql("UPDATE dealer_application SET licence_private = 0 "
              f"WHERE id IN ({bid}, {cid})")

    r = stack.run("migrate")
    sid = path.split("/")[0]
    assert f"application {aid} (shop {sid}): {path} and {thumb} now " \
        "under private_dir" in r.stderr, r.stderr
    assert f"application {bid} (shop {sid}): " in r.stderr
    assert f"application {cid}: {cpath}, {cthumb} in neither" in r.stderr
    m = re.search(r"licences: (\d+) moved to private_dir, (\d+) left as is, "
                  r"0 failed", r.stderr)
    assert m and int(m.group(1)) == 2, r.stderr
    for rel in (path, thumb, bpath, bthumb):
        assert (stack.private_dir / rel).is_file(), rel
        assert not (stack.uploads_dir / rel).exists(), rel
        assert stack.session().get(stack.url(f"/uploads/{rel}")) \
            .status_code == 404
    rows = dict(stack.sql("SELECT id, licence_private FROM "
                          f"dealer_application WHERE id IN ({aid}, {bid}, "
                          f"{cid})"))
    assert rows == {str(aid): "1", str(bid): "1", str(cid): "0"}
    r = s.get(stack.url(licence_url(aid)))
    assert r.status_code == 200
    assert r.content == (stack.private_dir / path).read_bytes()

    # Again: nothing more to move, nothing lost.
    r = stack.run("migrate")
    assert "licences: 0 moved to private_dir" in r.stderr, r.stderr
    assert f"application {aid} " not in r.stderr
    assert (stack.private_dir / path).is_file()


def test_check_config_refuses_a_served_private_dir(stack, tmp_path):
    link = tmp_path / "looks-private"
    link.symlink_to(stack.uploads_dir)
    r = stack.run("check-config", check=False,
                  env={"DINGHUO_PRIVATE_DIR": str(link)})
    assert r.returncode == 1
    assert f"private_dir = {link} is inside uploads_dir" in r.stderr
    # As written, it stops every command, serve too.
    r = stack.run("uploads", "prune", "--dry-run", check=False,
                  env={"DINGHUO_PRIVATE_DIR": f"{stack.uploads_dir}/p"})
    assert r.returncode == 1
    assert "is uploads_dir or inside it" in r.stderr
    r = stack.run("check-config", check=False,
                  env={"DINGHUO_PRIVATE_DIR": str(tmp_path / "none")})
    assert r.returncode == 1 and "private_dir = " in r.stderr
