"""`dinghuo uploads prune`: files under uploads_dir that nothing refers to
are removed; images, the logo and files named in descriptions stay, as do
recent files and other folders."""

import os
import time

import pytest

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
OLD = time.time() - 2 * 3600


@pytest.fixture
def files(stack):
    a = stack.sql(f"SELECT {A}")[0][0]
    logo = stack.sql("SELECT logo_url FROM shop WHERE slug = 'shop-a'")[0][0]
    stack.sql(f"""
INSERT INTO product (shop_id, code, name, description) VALUES ({A},
  'PR-1', '清理测试', '<p><img src="/uploads/{a}/desc.jpg"></p>');
INSERT INTO product_image (shop_id, product_id, path, thumb_path, width,
  height) VALUES ({A}, LAST_INSERT_ID(), '{a}/used.png', '{a}/used_t.jpg',
  10, 10);
UPDATE shop SET logo_url = '/uploads/{a}/logo.png' WHERE slug = 'shop-a';
""")
    d = stack.uploads_dir / a
    d.mkdir(parents=True, exist_ok=True)
    names = ["used.png", "used_t.jpg", "desc.jpg", "logo.png", "orphan.png",
             ".abc.png.tmp", ".abc.upload", "fresh.png"]
    for n in names:
        (d / n).write_bytes(b"x" * 3000)
        if n != "fresh.png":
            os.utime(d / n, (OLD, OLD))
    (d / "sub").mkdir(exist_ok=True)
    gone = stack.uploads_dir / "999999"         # a shop that is no more
    gone.mkdir(exist_ok=True)
    (gone / "a.png").write_bytes(b"x")
    os.utime(gone / "a.png", (OLD, OLD))
    yield a, d
    stack.sql(f"DELETE FROM product WHERE code = 'PR-1'; UPDATE shop SET "
              f"logo_url = '{logo}' WHERE slug = 'shop-a'")
    for n in names:
        (d / n).unlink(missing_ok=True)
    (d / "sub").rmdir()
    (gone / "a.png").unlink(missing_ok=True)
    gone.rmdir()


def present(d):
    return {p.name for p in d.iterdir()}


def test_prune_removes_only_what_nothing_uses(stack, files):
    a, d = files
    before = present(d)
    r = stack.run("uploads", "prune", "--dry-run")
    for n in ("orphan.png", ".abc.png.tmp", ".abc.upload"):
        assert f"would remove {a}/{n}" in r.stdout, r.stdout
    assert "used.png" not in r.stdout and "logo.png" not in r.stdout
    assert present(d) == before                 # a dry run removes nothing
    assert "no shop 999999" in r.stderr

    r = stack.run("uploads", "prune", "--shop", "shop-a")
    assert f"removed {a}/orphan.png (not referenced, 3 KB)" in r.stdout
    assert f"removed {a}/.abc.upload (unfinished write" in r.stdout
    left = present(d)
    assert {"orphan.png", ".abc.png.tmp", ".abc.upload"}.isdisjoint(left)
    assert {"used.png", "used_t.jpg", "desc.jpg", "logo.png", "fresh.png",
            "sub"} <= left
    assert "3 removed (9 KB)" in r.stdout
    assert (stack.uploads_dir / "999999" / "a.png").exists()

    # Recent files stay unless the age limit says otherwise.
    r = stack.run("uploads", "prune", "--shop", "shop-a", "--min-age", "0")
    assert f"removed {a}/fresh.png" in r.stdout
    assert {"used.png", "used_t.jpg", "desc.jpg", "logo.png"} <= present(d)
    assert "uploads prune: files=" in stack.run(
        "uploads", "prune", "--shop", "shop-a").stderr


def test_prune_arguments(stack):
    for args in (["uploads"], ["uploads", "prune", "--min-age", "x"],
                 ["uploads", "prune", "--min-age", "-5"],
                 ["uploads", "prune", "--what"]):
        r = stack.run(*args, check=False)
        assert r.returncode == 2, args
        assert "usage: dinghuo uploads prune" in r.stderr or \
            "--min-age" in r.stderr, r.stderr
    r = stack.run("uploads", "prune", "--shop", "nosuch", check=False)
    assert r.returncode == 1 and "no shop 'nosuch'" in r.stderr
