"""NPS surveys (docs/nps.md) through nginx against MariaDB: a customer's
receipt of an order schedules a survey (once per period), the nps.send
job turns it into a notification with a signed link, the answer page
works without a login or script, a second answer is refused, bad input
writes nothing, forged, expired and other people's links are 404, a
detractor opens a follow-up task, and the back office's NPS (page and
XLSX) is the one computed here from the scores answered, a salesperson
seeing their own companies only.

The module makes the companies NP… and products NP-*; shop-a's survey
settings are set to no delay and put back at the end."""

import html
import re

import pytest

from conftest import wait_until
from helpers import get_csrf
from orders_kit import (SALES, add, bearer_session, company, drop_companies,
                        drop_skus, error_code, one, seed_skus, submit)

A = "/s/shop-a"
SHOP = "(SELECT id FROM shop WHERE slug = 'shop-a')"
SCORES = [10, 9, 8, 2, 6, 10, 7]        # the owned company's users, in order


def nps_of(scores):
    n = len(scores)
    p = sum(1 for s in scores if s >= 9)
    d = sum(1 for s in scores if s <= 6)
    x = 100 * (p - d) / n
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def order_received(stack, uid, sku):
    s = bearer_session(stack, "shop-a", uid)
    assert add(stack, s, sku, 1).status_code == 200
    r = submit(stack, s, terms="monthly")
    assert r.status_code == 201, r.text
    oid = r.json()["data"]["order"]["id"]
    stack.sql(f"UPDATE sales_order SET state = 'shipped' WHERE id = {oid}")
    r = s.post(stack.url(f"{A}/api/v1/orders/{oid}/receive"))
    assert r.status_code == 200, r.text
    return oid


def send_now(stack):
    """Run the nps.send job now and wait for its run to end."""
    def done():
        return int(one(stack, "SELECT COUNT(*) FROM job WHERE kind = "
                   "'nps.send' AND state = 'done'"))
    before = done()
    stack.sql("UPDATE job SET run_at = NOW(3) WHERE kind = 'nps.send' "
              "AND state = 'queued'")
    wait_until(lambda: done() > before, timeout=20, message="an nps.send run")


def link_of(stack, uid):
    rows = stack.sql(f"SELECT link FROM notification WHERE customer_user_id "
                     f"= {uid} AND kind = 'nps_survey'")
    assert len(rows) == 1, rows
    return A + rows[0][0]


@pytest.fixture(scope="module")
def world(stack):
    st = stack
    st.sql(f"DELETE FROM nps_settings WHERE shop_id = {SHOP}")
    st.sql(f"INSERT INTO nps_settings (shop_id, delay_days, period_days) "
           f"VALUES ({SHOP}, 0, 90)")
    sku = seed_skus(st, "NP", {"A": (5000, 100000, 1, 1, 0)})["A"][0]
    cid, uids = company(st, "NP自营公司", 13672000000, users=len(SCORES) + 1)
    other, ouids = company(st, "NP散客公司", 13673000000, users=1, sales=None)
    yield {"sku": sku, "cid": cid, "uids": uids, "other": other,
           "ouids": ouids}
    st.sql(f"DELETE FROM nps_settings WHERE shop_id = {SHOP}")
    drop_companies(st, "c.name LIKE 'NP%'")
    drop_skus(st, "NP")


def test_receipt_schedules_one_survey_and_the_job_sends_it(stack, world):
    uid = world["uids"][0]
    oid = order_received(stack, uid, world["sku"])
    assert one(stack, f"SELECT state FROM nps_survey WHERE source = 'order' "
               f"AND source_id = {oid}") == "scheduled"
    send_now(stack)
    link = link_of(stack, uid)
    assert re.fullmatch(A + r"/nps/[0-9]+\.[0-9a-f]{64}", link), link
    assert one(stack, f"SELECT state FROM nps_survey WHERE source_id = "
               f"{oid}") == "sent"
    # A second receipt within the period asks nothing more.
    oid2 = order_received(stack, uid, world["sku"])
    assert int(one(stack, f"SELECT COUNT(*) FROM nps_survey WHERE "
                   f"customer_user_id = {uid}")) == 1
    assert not stack.sql(f"SELECT id FROM nps_survey WHERE source_id = "
                         f"{oid2} AND source = 'order'")
    # The account's 消息 opens the survey, and so does 我的.
    s = bearer_session(stack, "shop-a", uid)
    r = s.get(stack.url(f"{A}/account/messages"))
    got = [m for m in r.json()["data"]["messages"]
           if m["kind"] == "nps_survey"]
    assert len(got) == 1 and got[0]["url"] == link, got
    s.headers.pop("Accept")
    page = s.get(stack.url(f"{A}/account")).text
    assert html.escape(link) in page


def test_answer_page_without_login_then_refuses_a_second(stack, world):
    uid = world["uids"][0]
    link = link_of(stack, uid)
    guest = stack.session()
    r = guest.get(stack.url(link))
    assert r.status_code == 200, r.text[:500]
    assert "<script" not in r.text
    assert len(re.findall(r'<input type="radio" name="score"', r.text)) == 11
    assert "no-store" in r.headers["Cache-Control"]
    tok = get_csrf(stack, guest, link)
    evil = "<script>alert(1)</script>送货慢"
    r = guest.post(stack.url(link), data={"csrf": tok, "score": "2",
                                          "comment": evil},
                   allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    r = guest.get(stack.url(link))
    assert "谢谢您的评价" in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;送货慢" in r.text
    assert "<script>alert" not in r.text
    # Once only: the second answer is 409, the first stands.
    r = guest.post(stack.url(link), data={"csrf": tok, "score": "10"},
                   headers={"Accept": "application/json"})
    assert r.status_code == 409 and error_code(r) == "already_answered"
    api = stack.json_session()
    r = api.post(stack.url(link.replace(A, A + "/api/v1")),
                 json={"score": 10})
    assert r.status_code == 409 and error_code(r) == "already_answered"
    sid = link.rsplit("/", 1)[1].split(".")[0]
    assert one(stack, f"SELECT score FROM nps_survey WHERE id = {sid}") == "2"
    # A detractor: a task for the company's salesperson.
    staff = one(stack, f"SELECT staff_id FROM nps_task WHERE survey_id = "
                f"{sid}")
    assert staff == one(stack, f"SELECT id FROM staff WHERE shop_id = {SHOP} "
                        f"AND phone = '{SALES}'")


def test_bad_input_writes_nothing(stack, world):
    uid = world["uids"][1]
    order_received(stack, uid, world["sku"])
    send_now(stack)
    link = link_of(stack, uid)
    api_link = link.replace(A, A + "/api/v1")
    api = stack.json_session()
    for bad in ("11", "-1", "abc", "", "5.5", "1e1"):
        r = api.post(stack.url(api_link), json={"score": bad})
        assert r.status_code == 400, (bad, r.text)
        assert error_code(r) == "score_invalid", (bad, r.text)
    r = api.post(stack.url(api_link), json={"score": "5",
                                            "comment": "很" * 501})
    assert r.status_code == 400 and error_code(r) == "comment_too_long"
    sid, rest = link.rsplit("/", 1)[1].split(".")
    assert one(stack, f"SELECT state FROM nps_survey WHERE id = {sid}") == \
        "sent"
    # Forged, another shop's, someone else's, expired: 404.
    forged = link[:-1] + ("0" if link[-1] != "0" else "1")
    for url in (forged, f"{A}/nps/{int(sid) + 100000}.{rest}",
                link.replace("/s/shop-a/", "/s/shop-b/"), f"{A}/nps/x"):
        r = api.get(stack.url(url))
        assert r.status_code == 404, (url, r.status_code)
        r = api.post(stack.url(url.replace("/nps/", "/api/v1/nps/")),
                     json={"score": 9})
        assert r.status_code == 404, (url, r.status_code)
    other = bearer_session(stack, "shop-a", world["uids"][2])
    assert other.get(stack.url(api_link)).status_code == 404
    assert other.post(stack.url(api_link), json={"score": 9}).status_code \
        == 404
    assert one(stack, f"SELECT state FROM nps_survey WHERE id = {sid}") == \
        "sent"
    stack.sql(f"UPDATE nps_survey SET expires_at = NOW(3) - INTERVAL 1 "
              f"SECOND WHERE id = {sid}")
    assert api.get(stack.url(api_link)).status_code == 404
    stack.sql(f"UPDATE nps_survey SET expires_at = NOW(3) + INTERVAL 30 DAY "
              f"WHERE id = {sid}")
    # Its own user, in their session: fine.
    mine = bearer_session(stack, "shop-a", uid)
    r = mine.get(stack.url(api_link))
    assert r.status_code == 200 and r.json()["data"]["state"] == "sent"


def answer_all(stack, world):
    """The owned company's users answer SCORES (user 0 answered 2 above,
    user 1 is answered here first), the other company's user 10."""
    api = stack.json_session()
    got = []
    for i, score in enumerate(SCORES):
        uid = world["uids"][i + 1]
        if i > 0:
            order_received(stack, uid, world["sku"])
    order_received(stack, world["ouids"][0], world["sku"])
    send_now(stack)
    for i, score in enumerate(SCORES):
        uid = world["uids"][i + 1]
        r = api.post(stack.url(link_of(stack, uid).replace(A, A + "/api/v1")),
                     data={"score": str(score), "comment": f"意见{i}"})
        assert r.status_code == 200, r.text
        assert r.json()["data"]["score"] == score
        got.append(score)
    r = api.post(stack.url(link_of(stack, world["ouids"][0])
                           .replace(A, A + "/api/v1")), json={"score": 10})
    assert r.status_code == 200, r.text
    return got


def page_nps(page):
    m = re.search(r'id="nps-total">([^<]*)<', page)
    assert m, page[:2000]
    return int(m.group(1))


def test_back_office_nps_is_the_one_computed(stack, world):
    answered = [2] + answer_all(stack, world)       # owned company
    everyone = answered + [10]
    owner = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    r = owner.get(stack.url(f"{A}/admin/service/nps"))
    assert r.status_code == 200, r.text[:1000]
    # Other tests' answers are not in shop-a: only this module answers.
    assert page_nps(r.text) == nps_of(everyone)
    assert "<svg" in r.text and 'role="img"' in r.text
    assert "https://" not in r.text.split("<svg", 1)[1].split("</svg>")[0] \
        .replace("http://www.w3.org/2000/svg", "")
    # By salesperson: the owned company's NPS on its salesperson's row.
    sales_name = one(stack, f"SELECT name FROM staff WHERE shop_id = {SHOP} "
                     f"AND phone = '{SALES}'")
    table = r.text.split('data-group="by_sales"', 1)[1].split("</table>")[0]
    row = table.split(f"<td>{sales_name}</td>", 1)[1].split("</tr>")[0]
    assert re.search(r"data-nps>(-?\d+)<", row).group(1) == \
        str(nps_of(answered))
    assert 'data-group="by_category"' in r.text
    assert "&lt;script&gt;" in r.text               # the comment, escaped
    # The salesperson sees their own company only.
    sales = stack.login(SALES, stack.password, "shop-a", staff=True)
    r = sales.get(stack.url(f"{A}/admin/service/nps"))
    assert r.status_code == 200
    assert page_nps(r.text) == nps_of(answered)
    # The same numbers as XLSX.
    r = owner.get(stack.url(f"{A}/admin/service/nps.xlsx"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    assert r.content[:2] == b"PK"
    # A date range with nothing in it: the empty states.
    r = owner.get(stack.url(f"{A}/admin/service/nps?from=2001-01-01&"
                            f"to=2001-02-01"))
    assert r.status_code == 200 and "还没有客户回答问卷" in r.text
    r = owner.get(stack.url(f"{A}/admin/service/nps?from=2001-13-01"))
    assert r.status_code == 400


def test_detractor_task_outcome(stack, world):
    sales = stack.login(SALES, stack.password, "shop-a", staff=True)
    r = sales.get(stack.url(f"{A}/admin/service/nps/tasks?task_state=open"
                            f"&mine=1"))
    assert r.status_code == 200
    ids = re.findall(r'/admin/service/nps/tasks/(\d+)"', r.text)
    # Scores 2, 2, 6 of the owned company: three tasks.
    assert len(set(ids)) == 3, ids
    tid = ids[0]
    url = f"{A}/admin/service/nps/tasks/{tid}"
    tok = get_csrf(stack, sales, url)
    r = sales.post(stack.url(url), data={"csrf": tok, "state": "resolved",
                                         "note": "已电话回访<b>"},
                   allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert one(stack, f"SELECT state FROM nps_task WHERE id = {tid}") == \
        "resolved"
    r = sales.get(stack.url(url))
    assert "已电话回访&lt;b&gt;" in r.text
    r = sales.post(stack.url(url), data={"csrf": tok, "state": "bogus"},
                   allow_redirects=False)
    assert r.status_code == 400
    r = sales.get(stack.url(f"{A}/admin/service/nps/tasks?task_state=open"))
    assert len(set(re.findall(r'/admin/service/nps/tasks/(\d+)"',
                              r.text))) == 2
    # The unowned company's task went to the owner; sales cannot open it.
    stack.sql(f"UPDATE nps_survey SET score = 3 WHERE customer_id = "
              f"{world['other']}")
    sid = one(stack, f"SELECT id FROM nps_survey WHERE customer_id = "
              f"{world['other']}")
    stack.sql(f"INSERT INTO nps_task (shop_id, survey_id) VALUES ({SHOP}, "
              f"{sid})")
    otid = one(stack, f"SELECT id FROM nps_task WHERE survey_id = {sid}")
    assert sales.get(stack.url(f"{A}/admin/service/nps/tasks/{otid}")) \
        .status_code == 404
    stack.sql(f"DELETE FROM nps_task WHERE id = {otid}")
    stack.sql(f"UPDATE nps_survey SET score = 10 WHERE id = {sid}")


def test_settings_page(stack, world):
    owner = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    url = f"{A}/admin/service/nps/settings"
    tok = get_csrf(stack, owner, url)
    r = owner.post(stack.url(url), data={"csrf": tok, "enabled": "1",
                                         "delay_days": "61",
                                         "period_days": "90"},
                   allow_redirects=False)
    assert r.status_code == 400
    r = owner.post(stack.url(url), data={"csrf": tok, "enabled": "1",
                                         "delay_days": "0",
                                         "period_days": "90"},
                   allow_redirects=False)
    assert r.status_code == 303
    sales = stack.login(SALES, stack.password, "shop-a", staff=True)
    assert sales.get(stack.url(url)).status_code == 403
