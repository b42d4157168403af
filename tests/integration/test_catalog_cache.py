"""The storefront's catalog cache: each worker keeps the catalogs of the
shops browsed most recently, up to catalog_cache_bytes, and reloads one
only when its shop's version moves.

These tests run one worker (restarted for them) so that every request
lands on the same cache, and read its "catalog: loaded" log lines."""

import re
import time

import pytest

SHOPS = 10          # more than the 8 slots the cache used to have


@pytest.fixture(scope="module")
def shops(stack):
    """SHOPS shops, each with one product of its own."""
    tag = f"{time.monotonic_ns() % 100000}"
    slugs = [f"cc-{tag}-{i}" for i in range(SHOPS)]
    for slug in slugs:
        stack.run("shop", "create", "--slug", slug, "--name", "缓存测试",
                  "--admin-phone", "13700000044", "--admin-password",
                  "longenough")
        sid = f"(SELECT id FROM shop WHERE slug = '{slug}')"
        stack.sql(f"INSERT INTO product (shop_id, code, name, description) "
                  f"VALUES ({sid}, 'CC-{slug}', '商品 {slug}', ''); "
                  f"INSERT INTO sku (shop_id, product_id, code, price_fen) "
                  f"SELECT shop_id, id, 'CC-{slug}-1', 100 FROM product "
                  f"WHERE code = 'CC-{slug}'; UPDATE shop SET version = "
                  f"version + 1 WHERE slug = '{slug}'")
    yield slugs
    stack.sql("DELETE FROM product WHERE code LIKE 'CC-cc-%'")


@pytest.fixture
def one_worker(stack):
    def start(**conf):
        env = {"DINGHUO_WORKERS": "1"}
        env.update({f"DINGHUO_{k.upper()}": str(v) for k, v in conf.items()})
        stack.restart_serve(env=env)
    yield start
    stack.restart_serve()


def browse(stack, slug):
    """The codes the shop's wholesale mall lists."""
    r = stack.session().get(stack.url(f"/s/{slug}/api/v1/wholesale/products"))
    assert r.status_code == 200, (slug, r.text[:300])
    return [p["code"] for p in r.json()["data"]["products"]]


def loads_since(stack, mark):
    """(slug, rest of the line) of each catalog load logged after mark."""
    return re.findall(r"shop=(\S+) catalog: loaded (.*)",
                      stack.error_log_text()[mark:])


def test_many_shops_stay_cached(stack, shops, one_worker):
    one_worker()
    for slug in shops:                      # every shop loads once
        assert browse(stack, slug) == [f"CC-{slug}"]
    mark = len(stack.error_log_text())
    for _ in range(2):                      # then none loads again
        for slug in shops:
            assert browse(stack, slug) == [f"CC-{slug}"]
    assert loads_since(stack, mark) == []
    # A shop whose catalog changed is reloaded, and only that one.
    stack.sql(f"UPDATE sku SET price_fen = 250 WHERE code = "
              f"'CC-{shops[3]}-1'; UPDATE shop SET version = version + 1 "
              f"WHERE slug = '{shops[3]}'")
    mark = len(stack.error_log_text())

    def repriced():
        r = stack.session().get(stack.url(
            f"/s/{shops[3]}/api/v1/wholesale/products")).json()
        return r["data"]["products"][0]["price_fen"] == 250
    stack.wait_until(repriced, timeout=2)
    for slug in shops:
        assert browse(stack, slug) == [f"CC-{slug}"]
    assert [s for s, _ in loads_since(stack, mark)] == [shops[3]]


def test_least_recently_used_go_past_the_cap(stack, shops, one_worker):
    # A cap of 0 keeps only the shop being served: each switch evicts.
    one_worker(catalog_cache_bytes=0)
    mark = len(stack.error_log_text())
    order = [shops[0], shops[1], shops[0], shops[0], shops[1]]
    for slug in order:
        assert browse(stack, slug) == [f"CC-{slug}"]
    loads = loads_since(stack, mark)
    assert [s for s, _ in loads] == [shops[0], shops[1], shops[0],
                                     shops[1]]
    # Each line says what the cache holds and how many it let go.
    assert [re.search(r"cache: (\d+) shops, \d+ KB, (\d+) evicted",
                      line).groups() for _, line in loads] == [
        ("1", "0"), ("1", "1"), ("1", "2"), ("1", "3")]


def catalog_files(stack, shop_id):
    return sorted(p.name for p in stack.run_dir.glob(f"catalog-{shop_id}-*"))


def test_one_catalog_file_per_host(stack, shops):
    """Every worker maps the host's one file of a catalog version; an edit
    writes the next version's file and removes the old one."""
    slug = shops[5]
    (sid, version), = stack.sql(f"SELECT id, version FROM shop "
                                f"WHERE slug = '{slug}'")
    mark = len(stack.error_log_text())
    for _ in range(12):                     # every worker, more than once
        assert browse(stack, slug) == [f"CC-{slug}"]
    assert catalog_files(stack, sid) == [f"catalog-{sid}-{version}.bin"]
    loads = [rest for s, rest in loads_since(stack, mark) if s == slug]
    assert loads, "no worker logged loading the catalog"
    assert all("(the host's file, mapped)" in rest for rest in loads), loads
    stack.sql(f"UPDATE sku SET price_fen = 333 WHERE code = 'CC-{slug}-1'; "
              f"UPDATE shop SET version = version + 1 WHERE slug = '{slug}'")

    def everywhere():                       # several requests: all workers
        return all(stack.session().get(stack.url(
            f"/s/{slug}/api/v1/wholesale/products")).json()["data"][
            "products"][0]["price_fen"] == 333 for _ in range(9))
    stack.wait_until(everywhere, timeout=2)
    (version2,), = stack.sql(f"SELECT version FROM shop WHERE slug = '{slug}'")
    assert catalog_files(stack, sid) == [f"catalog-{sid}-{version2}.bin"]
