"""The shared access_token / jsapi_ticket cache (domain/wx_token.c)
through the JS-SDK config route, against tests/fake/wechat.py: one
refresh for many workers and requests, the old token used while one
worker refreshes, 40001 handled by compare-and-set and one retry, and
the fake's failures as clear errors that leave no lease behind."""

import concurrent.futures
import hashlib
import time
import urllib.parse

from conftest import AccessLog, wait_until
from wechat_kit import MP_APPID, MP_SECRET, fake, wx_stack  # noqa: F401

PAGE = "/s/shop-a/wholesale/products?c=1"


def jssdk(stack, url=None, slug="shop-a", s=None):
    s = s or stack.json_session()
    if url is None:
        url = stack.url(PAGE) + "#frag"
    return s.get(stack.url(f"/s/{slug}/api/v1/wechat/jssdk?url=" +
                           urllib.parse.quote(url, safe="")))


def row(stack, kind, appid=MP_APPID):
    r = stack.sql("SELECT token, expires_at - UNIX_TIMESTAMP(), "
                  "refreshing_until FROM wx_token "
                  f"WHERE appid = '{appid}' AND kind = '{kind}'")
    return r[0] if r else None


def test_signature_is_for_the_page_without_fragment(wx_stack, fake):
    r = jssdk(wx_stack)
    assert r.status_code == 200, r.text
    j = r.json()["data"]
    assert j["appId"] == MP_APPID and j["nonceStr"] and j["timestamp"]
    ticket = row(wx_stack, "jsapi")[0]
    assert ticket.startswith("TICKET_")
    s1 = "jsapi_ticket=%s&noncestr=%s&timestamp=%d&url=%s" % (
        ticket, j["nonceStr"], j["timestamp"], wx_stack.url(PAGE))
    assert j["signature"] == hashlib.sha1(s1.encode()).hexdigest()
    assert abs(j["timestamp"] - time.time()) < 60
    # Cached: a second config asks WeChat for nothing.
    assert jssdk(wx_stack).status_code == 200
    got = fake.requests()
    assert got["token_calls"] == {MP_APPID: 1}
    assert got["ticket_calls"] == {MP_APPID: 1}
    # stable_token, the recommended one, never /cgi-bin/token.
    assert [q["path"] for q in got["requests"]] == [
        "/cgi-bin/stable_token", "/cgi-bin/ticket/getticket"]
    assert got["requests"][0]["body"]["force_refresh"] is False
    # Neither the secret nor the token nor the ticket in the logs.
    log = wx_stack.error_log_text()
    tok = row(wx_stack, "mp")[0]
    for secret in (MP_SECRET, tok, ticket):
        assert secret not in log
    assert "access_token=***" in log


def test_only_the_shops_own_pages(wx_stack, fake):
    bad = ["https://evil.example.com/s/shop-a/",
           wx_stack.url("/s/shop-b/wholesale/products"),
           wx_stack.url("/s/shop-ab/"),
           "javascript:alert(1)//" + wx_stack.url("/s/shop-a/")[7:],
           "//127.0.0.1/s/shop-a/", "", "http://127.0.0.1:x/s/shop-a/",
           "http://u@127.0.0.1/s/shop-a/", "ftp://127.0.0.1/s/shop-a/",
           wx_stack.url("/s/shop-a/ x")]
    for url in bad:
        r = jssdk(wx_stack, url)
        assert r.status_code == 400, (url, r.status_code, r.text)
        assert r.json()["error"]["code"] == "invalid"
    r = wx_stack.json_session().get(
        wx_stack.url("/s/shop-a/api/v1/wechat/jssdk"))
    assert r.status_code == 400
    assert fake.requests()["requests"] == []
    assert jssdk(wx_stack, wx_stack.url("/s/shop-a")).status_code == 200


def test_not_configured_shop(wx_stack, fake):
    r = jssdk(wx_stack, wx_stack.url("/s/shop-b/"), slug="shop-b")
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "wechat_not_configured"


def burst(stack, n):
    """n JS-SDK configs at once, over n connections."""
    def one(_):
        return jssdk(stack)
    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        return list(ex.map(one, range(n)))


def test_many_workers_one_refresh(wx_stack, fake):
    assert jssdk(wx_stack).status_code == 200
    # Both expired: every worker meets a dead ticket and a dead token.
    wx_stack.sql("UPDATE wx_token SET expires_at = 0")
    fake.control("reset")
    fake.control("app", {"appid": MP_APPID, "secret": MP_SECRET})
    fake.control("config", {"token_delay": 0.5})
    log = AccessLog(wx_stack)
    answers = burst(wx_stack, 12)
    assert [r.status_code for r in answers] == [200] * 12, \
        [r.text for r in answers if r.status_code != 200]
    workers = {log.worker(r) for r in answers}
    assert len(workers) == len(wx_stack.worker_pids()) >= 2, workers
    got = fake.requests()
    assert got["token_calls"] == {MP_APPID: 1}, got["token_calls"]
    assert got["ticket_calls"] == {MP_APPID: 1}, got["ticket_calls"]
    assert row(wx_stack, "jsapi")[2] == "0"         # lease given back
    assert int(row(wx_stack, "mp")[1]) > 7000


def test_old_ticket_used_while_one_refreshes(wx_stack, fake):
    assert jssdk(wx_stack).status_code == 200
    old = row(wx_stack, "jsapi")[0]
    # Still valid for 100 s, inside the 300 s margin: refresh it.
    wx_stack.sql("UPDATE wx_token SET expires_at = UNIX_TIMESTAMP() + 100 "
                 "WHERE kind = 'jsapi'")
    answers = burst(wx_stack, 9)
    assert all(r.status_code == 200 for r in answers)
    assert fake.requests()["ticket_calls"] == {MP_APPID: 2}
    new = row(wx_stack, "jsapi")[0]
    assert new != old and int(row(wx_stack, "jsapi")[1]) > 7000


def test_40001_invalidates_and_retries_once(wx_stack, fake):
    assert jssdk(wx_stack).status_code == 200
    tok = row(wx_stack, "mp")[0]
    # WeChat no longer knows the stored token (another system fetched
    # a new one, say): the ticket call says 40001.
    fake.control("revoke", {"appid": MP_APPID})
    wx_stack.sql("UPDATE wx_token SET expires_at = 0 WHERE kind = 'jsapi'")
    r = jssdk(wx_stack)
    assert r.status_code == 200, r.text
    assert row(wx_stack, "mp")[0] != tok
    got = fake.requests()
    assert got["token_calls"] == {MP_APPID: 2}
    assert [q["path"] for q in got["requests"]][-3:] == [
        "/cgi-bin/ticket/getticket", "/cgi-bin/stable_token",
        "/cgi-bin/ticket/getticket"]
    assert "invalidated" in wx_stack.error_log_text()


def test_40001_twice_is_an_error_not_a_loop(wx_stack, fake):
    assert jssdk(wx_stack).status_code == 200
    wx_stack.sql("UPDATE wx_token SET expires_at = 0 WHERE kind = 'jsapi'")
    fake.control("fail", {"path": "/cgi-bin/ticket/getticket",
                          "errcode": 40001, "count": 5})
    r = jssdk(wx_stack)
    assert r.status_code == 503, r.text
    paths = [q["path"] for q in fake.requests()["requests"]]
    assert paths[2:] == ["/cgi-bin/ticket/getticket",
                         "/cgi-bin/stable_token",
                         "/cgi-bin/ticket/getticket"], paths
    assert row(wx_stack, "jsapi")[2] == "0"


def test_invalidation_is_compare_and_set(wx_stack, fake):
    """A 40001 for token T drops T only: a newer token another worker
    stored meanwhile stays, and the retry uses it."""
    assert jssdk(wx_stack).status_code == 200
    wx_stack.sql("UPDATE wx_token SET expires_at = 0 WHERE kind = 'jsapi'")
    fake.control("fail", {"path": "/cgi-bin/ticket/getticket",
                          "errcode": 40001, "sleep": 1.0})
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        pending = ex.submit(jssdk, wx_stack)
        wait_until(lambda: fake.requests()["requests"][-1]["path"] ==
                   "/cgi-bin/ticket/getticket")
        # While WeChat thinks: a newer token (the classic API issues
        # one without killing the old) lands in the row.
        newer = wx_stack.session().get(
            fake.base + "/cgi-bin/token?grant_type=client_credential"
            f"&appid={MP_APPID}&secret={MP_SECRET}").json()["access_token"]
        wx_stack.sql(f"UPDATE wx_token SET token = '{newer}', "
                     "expires_at = UNIX_TIMESTAMP() + 7000 "
                     "WHERE kind = 'mp'")
        r = pending.result()
    assert r.status_code == 200, r.text
    assert row(wx_stack, "mp")[0] == newer
    assert int(row(wx_stack, "mp")[1]) > 6000
    got = fake.requests()["requests"]
    assert got[-1]["query"]["access_token"] == newer
    assert [q["path"] for q in got].count("/cgi-bin/stable_token") == 1


def test_fake_failures_are_clear_errors(wx_stack, fake):
    cases = [({"errcode": -1, "count": 2}, 503),
             ({"errcode": -1, "count": 1}, 200),
             ({"errcode": 45011}, 429),
             ({"errcode": 40125}, 409),
             ({"mode": "malformed"}, 503),
             ({"mode": "http500", "count": 2}, 503),
             ({"mode": "timeout", "sleep": 3}, 503)]
    for fail, status in cases:
        wx_stack.sql("DELETE FROM wx_token")
        fake.control("fail", dict(fail, path="/cgi-bin/stable_token"))
        t0 = time.monotonic()
        r = jssdk(wx_stack)
        assert r.status_code == status, (fail, r.status_code, r.text)
        if status == 200:               # busy once: tried again
            continue
        assert r.json()["ok"] is False and r.json()["error"]["message"]
        assert time.monotonic() - t0 < 4.5, fail
        # No lease left behind: the next request refreshes at once.
        assert row(wx_stack, "mp")[2] == "0", fail
        assert jssdk(wx_stack).status_code == 200, fail
    assert "wechat: stable_token failed" in wx_stack.error_log_text()
