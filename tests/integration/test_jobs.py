"""Background jobs: the queue (src/job.c), the kinds (src/job_tasks.c), the
runner under `dinghuo serve` and as `dinghuo jobs run` (src/jobs_runner.c)
and the back-office page (src/h_admin_jobs.c).

Most tests want to know which runner ran what, so the `quiet` fixture
takes the master's own runner away (job_runners = 0, SIGHUP) for them and
gives it back at the end; the test of the master's runner brings it back
for itself. The test.* kinds (job_test_kinds = 1 in conftest) record
their runs in job_test_run, made here."""

import html
import os
import re
import signal
import socket
import subprocess

import pytest

from conftest import child_env, no_core_dumps, wait_until
from helpers import csrf_of, get_csrf

SHOP = "(SELECT id FROM shop WHERE slug = '{}')"
HOST = socket.gethostname()


# -- helpers ------------------------------------------------------------

def enqueue(stack, kind, payload="{}", shop="shop-a", max_attempts=5,
            rows=None):
    """Insert jobs straight into the table (due now); their ids. rows: a
    list of payloads for many jobs at once."""
    shop_sql = SHOP.format(shop) if shop else "NULL"
    payloads = rows if rows is not None else [payload]
    values = ", ".join(
        f"({shop_sql}, '{kind}', '{p}', {max_attempts})" for p in payloads)
    stack.sql(f"INSERT INTO job (shop_id, kind, payload, max_attempts) "
              f"VALUES {values}")
    return [int(r[0]) for r in stack.sql(
        f"SELECT id FROM job WHERE kind = '{kind}' "
        f"ORDER BY id DESC LIMIT {len(payloads)}")][::-1]


def job(stack, job_id):
    """state, attempts, locked_by, last_error, run_at - updated_at (ms)."""
    rows = stack.sql(
        "SELECT state, attempts, locked_by, last_error, "
        "TIMESTAMPDIFF(MICROSECOND, updated_at, run_at) DIV 1000 "
        f"FROM job WHERE id = {job_id}")
    assert rows, f"no job {job_id}"
    state, attempts, locked_by, error, delay = rows[0]
    return state, int(attempts), locked_by, error, int(delay)


def runs_of(stack, job_id):
    """(runner, attempt) of each recorded run of a test job."""
    return stack.sql(f"SELECT runner, attempt FROM job_test_run "
                     f"WHERE job_id = {job_id} ORDER BY id")


def runner_id(pid):
    return f"{HOST}:{pid}"


def set_master_runners(stack, n):
    """job_runners = n through a reload; wait until it holds: this reload
    logged, and n runners that started after it (an earlier test may have
    left a reload under way, whose runners must not count)."""
    old = set(stack.job_runner_pids())
    if n == 1:
        stack.write_conf()
    else:
        stack.write_conf(job_runners=n)
    mark = len(stack.error_log_text())
    stack.sighup()

    def settled():
        log = stack.error_log_text()[mark:]
        if "master: reloaded" not in log:
            return False
        r = stack.job_runner_pids()
        return len(r) == n and not old & set(r) and all(
            f"job runner: started runner={runner_id(p)} " in log for p in r) and \
            len(stack.worker_pids()) == 3
    wait_until(settled, timeout=30,
               message=lambda: f"runners {stack.job_runner_pids()} "
               f"workers {stack.worker_pids()}\n{stack.logs_tail()}")


@pytest.fixture(scope="module", autouse=True)
def test_run_table(stack):
    stack.sql("CREATE TABLE IF NOT EXISTS job_test_run ("
              "id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
              "job_id BIGINT UNSIGNED NOT NULL, runner VARCHAR(100) NOT NULL, "
              "attempt INT NOT NULL, tag VARCHAR(100) NOT NULL, "
              "created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))")
    yield
    stack.sql("DELETE FROM job WHERE kind LIKE 'test.%'; "
              "DROP TABLE job_test_run")


@pytest.fixture(scope="module")
def quiet(stack):
    set_master_runners(stack, 0)
    yield
    set_master_runners(stack, 1)


@pytest.fixture
def runners(stack):
    """Start `dinghuo jobs run` processes; whatever is left is killed. Their
    output goes where serve's does, so sanitizer reports are seen."""
    procs = []

    def start(*args, lease=None):
        env = child_env()
        if lease is not None:
            env["DINGHUO_JOB_LEASE"] = str(lease)
        with open(stack.serve_out, "ab") as out:
            p = subprocess.Popen(
                [str(stack.bin), "-c", str(stack.conf), "jobs", "run",
                 *args], cwd=stack.dir, env=env, stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=no_core_dumps)
        procs.append(p)
        return p

    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(10)


def run_once(stack, *args):
    return stack.run("jobs", "run", "--once", *args)


# -- the tests ----------------------------------------------------------

def test_runner_under_the_master_runs_jobs_and_is_restarted(stack):
    before = len(stack.job_runner_pids())
    try:
        set_master_runners(stack, 1)
        [pid] = stack.job_runner_pids()
        assert pid not in stack.worker_pids()
        [first] = enqueue(stack, "test.record", '{"tag": "master-1"}')
        wait_until(lambda: job(stack, first)[0] == "done", timeout=20,
                   message=lambda: f"{job(stack, first)}\n"
                   f"{stack.logs_tail()}")
        assert runs_of(stack, first) == [(runner_id(pid), "1")]

        os.kill(pid, signal.SIGKILL)

        def replaced():
            # One look at /proc: the new runner, once it has its name.
            r = stack.job_runner_pids()
            return len(r) == 1 and pid not in r and r[0]
        again = wait_until(replaced, timeout=20,
                           message=lambda: f"runners: "
                           f"{stack.job_runner_pids()}\n{stack.logs_tail()}")
        assert f"job runner pid={pid} killed by signal 9" in \
            stack.error_log_text()
        [second] = enqueue(stack, "test.record", '{"tag": "master-2"}')
        wait_until(lambda: job(stack, second)[0] == "done", timeout=20)
        assert runs_of(stack, second) == [(runner_id(again), "1")]
        assert len(stack.worker_pids()) == 3        # workers untouched

        # A reload replaces it like the workers.
        stack.sighup()
        wait_until(lambda: len(stack.job_runner_pids()) == 1 and
                   again not in stack.job_runner_pids(), timeout=20)
    finally:
        set_master_runners(stack, before)


def test_concurrent_runners_never_run_the_same_job(stack, quiet, runners):
    # Four runners start on 200 due jobs at once and race for every claim.
    ids = enqueue(stack, "test.record", rows=[
        f'{{"tag": "race-{i}"}}' for i in range(200)])
    in_list = ", ".join(map(str, ids))
    procs = [runners("--once") for _ in range(4)]
    for p in procs:
        assert p.wait(120) == 0
    twice = stack.sql(f"SELECT job_id, COUNT(*) FROM job_test_run "
                      f"WHERE job_id IN ({in_list}) GROUP BY job_id "
                      f"HAVING COUNT(*) > 1")
    assert not twice, f"jobs run more than once: {twice[:10]}"
    assert stack.sql(f"SELECT state, COUNT(*) FROM job WHERE id IN "
                     f"({in_list}) GROUP BY state") == [("done", "200")]
    assert stack.sql(f"SELECT COUNT(DISTINCT job_id) FROM job_test_run "
                     f"WHERE job_id IN ({in_list})") == [("200",)]
    assert stack.sql(f"SELECT DISTINCT attempts FROM job "
                     f"WHERE id IN ({in_list})") == [("1",)]
    # Each job was recorded by the runner that holds it in the table.
    assert stack.sql(f"SELECT COUNT(*) FROM job j JOIN job_test_run t "
                     f"ON t.job_id = j.id AND t.runner = j.locked_by "
                     f"WHERE j.id IN ({in_list})") == [("200",)]
    # They did share the work: one runner alone would prove nothing.
    who = {r for (r,) in stack.sql(
        f"SELECT DISTINCT runner FROM job_test_run "
        f"WHERE job_id IN ({in_list})")}
    assert who <= {runner_id(p.pid) for p in procs}
    assert len(who) >= 2, who


def test_failing_job_backs_off_fails_for_good_and_is_retried(stack, quiet):
    err = "供应商接口超时 (test)"
    [jid] = enqueue(stack, "test.fail", f'{{"error": "{err}"}}',
                    max_attempts=3)
    run_once(stack)
    state, attempts, _, last_error, delay = job(stack, jid)
    assert (state, attempts, last_error) == ("queued", 1, err)
    assert delay == 10000           # run_at moved by the first backoff
    log = stack.error_log_text()
    assert f"job retry id={jid} kind=test.fail attempt=1/3" in log
    assert f'next_in=10s error="{err}"' in log

    run_once(stack)                 # not due yet: left alone
    assert job(stack, jid)[:2] == ("queued", 1)

    stack.sql(f"UPDATE job SET run_at = NOW(3) WHERE id = {jid}")
    run_once(stack)
    state, attempts, _, _, delay = job(stack, jid)
    assert (state, attempts, delay) == ("queued", 2, 20000)

    stack.sql(f"UPDATE job SET run_at = NOW(3) WHERE id = {jid}")
    run_once(stack)
    state, attempts, _, last_error, _ = job(stack, jid)
    assert (state, attempts, last_error) == ("failed", 3, err)
    assert f"job failed id={jid} kind=test.fail attempt=3/3" in \
        stack.error_log_text()
    stack.sql(f"UPDATE job SET run_at = NOW(3) WHERE id = {jid}")
    run_once(stack)                 # failed is for good
    assert job(stack, jid)[:2] == ("failed", 3)

    r = stack.run("jobs", "list", "--failed")
    assert re.search(rf"^{jid} +shop-a +test\.fail +failed +3/3 .*"
                     rf"{re.escape(err)}$",
                     r.stdout, re.M), r.stdout

    # The back office shows it to its shop's owner, with a retry button.
    owner = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    page = owner.get(stack.url("/s/shop-a/admin/jobs"))
    assert page.status_code == 200
    row = re.search(rf'<tr id="job-{jid}">.*?</tr>', page.text, re.S)
    assert row, page.text
    row = html.unescape(row.group(0))
    assert err in row and "3 / 3" in row and "失败" in row
    assert "测试：失败" in row                        # the kind's label
    action = f"/s/shop-a/admin/jobs/{jid}/retry"
    assert f'action="{action}"' in row
    token = csrf_of(row)

    # Nobody else may see or touch it.
    sales = stack.login(stack.sales_phone, stack.password, "shop-a",
                        staff=True)
    assert sales.get(stack.url("/s/shop-a/admin/jobs")).status_code == 403
    # ...nor find it in the menu, which shows only what a role may open.
    menu = sales.get(stack.url("/s/shop-a/admin")).text
    assert 'href="/s/shop-a/admin/jobs"' not in menu
    assert 'href="/s/shop-a/admin/settings"' not in menu
    assert 'href="/s/shop-a/admin/customers"' in menu
    assert 'href="/s/shop-a/admin/jobs"' in owner.get(
        stack.url("/s/shop-a/admin")).text
    other = stack.login(stack.owner_phone, stack.password, "shop-b",
                        staff=True)
    page_b = other.get(stack.url("/s/shop-b/admin/jobs"))
    assert page_b.status_code == 200
    assert f'id="job-{jid}"' not in page_b.text
    assert "暂无失败的任务" in page_b.text
    token_b = get_csrf(stack, other, "/s/shop-b/admin")
    r = other.post(stack.url(f"/s/shop-b/admin/jobs/{jid}/retry"),
                   data={"csrf": token_b}, allow_redirects=False)
    assert r.status_code == 404
    r = owner.post(stack.url(action), data={}, allow_redirects=False)
    assert r.status_code == 403                     # no CSRF token
    assert job(stack, jid)[:2] == ("failed", 3)

    r = owner.post(stack.url(action), data={"csrf": token},
                   allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/s/shop-a/admin/jobs?done=requeued"
    state, attempts, _, _, _ = job(stack, jid)
    assert (state, attempts) == ("queued", 0)
    assert stack.sql(f"SELECT COUNT(*) FROM audit_log WHERE action = "
                     f"'job.retry' AND detail = 'job={jid}'") == [("1",)]
    r = owner.post(stack.url(action), data={"csrf": token},
                   allow_redirects=False)
    assert r.status_code == 409                     # not failed now
    r = stack.run("jobs", "retry", jid, check=False)
    assert r.returncode == 1 and "is queued, not failed" in r.stderr
    r = stack.run("jobs", "retry", 999999999, check=False)
    assert r.returncode == 1 and "no job 999999999" in r.stderr

    run_once(stack)                 # it runs again from attempt 1
    assert job(stack, jid)[:2] == ("queued", 1)
    stack.sql(f"UPDATE job SET state = 'failed', attempts = 3 "
              f"WHERE id = {jid}")
    r = stack.run("jobs", "retry", jid)
    assert f"job {jid} queued again" in r.stdout
    assert job(stack, jid)[:2] == ("queued", 0)
    stack.sql(f"DELETE FROM job WHERE id = {jid}")
    assert "暂无失败的任务" in owner.get(stack.url("/s/shop-a/admin/jobs")).text


def test_killed_runners_job_is_taken_again_after_its_lease(stack, quiet,
                                                          runners):
    [jid] = enqueue(stack, "test.sleep", '{"ms": 2000, "tag": "lease"}')
    a = runners(lease=3)
    wait_until(lambda: job(stack, jid)[:3] ==
               ("running", 1, runner_id(a.pid)), timeout=30,
               message=lambda: f"{job(stack, jid)}\n{stack.logs_tail()}")
    [(until,)] = stack.sql(f"SELECT locked_until FROM job WHERE id = {jid}")
    os.kill(a.pid, signal.SIGKILL)
    a.wait(10)
    b = runners(lease=3)
    wait_until(lambda: job(stack, jid)[0] == "done", timeout=30,
               message=lambda: f"{job(stack, jid)}\n{stack.logs_tail()}")
    state, attempts, locked_by, _, _ = job(stack, jid)
    assert (attempts, locked_by) == (2, runner_id(b.pid))
    # Only b finished it, and b began only once a's lease was over.
    assert runs_of(stack, jid) == [(runner_id(b.pid), "2")]
    [(late,)] = stack.sql(
        f"SELECT TIMESTAMPDIFF(MICROSECOND, '{until}', created_at) "
        f"FROM job_test_run WHERE job_id = {jid}")
    assert int(late) >= 2000 * 1000, late
    assert f"job lease_expired id={jid} kind=test.sleep attempt=1 " \
        f"runner={runner_id(a.pid)}" in stack.error_log_text()
    b.send_signal(signal.SIGTERM)
    assert b.wait(30) == 0


def test_sigterm_lets_the_running_job_finish(stack, quiet, runners):
    [slow] = enqueue(stack, "test.sleep", '{"ms": 1500, "tag": "term"}')
    [next_one] = enqueue(stack, "test.record", '{"tag": "term-next"}')
    p = runners()
    wait_until(lambda: job(stack, slow)[:3] ==
               ("running", 1, runner_id(p.pid)), timeout=30,
               message=lambda: f"{job(stack, slow)}\n{stack.logs_tail()}")
    p.send_signal(signal.SIGTERM)
    assert p.wait(30) == 0
    assert job(stack, slow)[0] == "done"
    assert runs_of(stack, slow) == [(runner_id(p.pid), "1")]
    # It stopped after that job rather than take the next.
    assert job(stack, next_one)[:2] == ("queued", 0)
    log = stack.error_log_text()
    assert f"job done id={slow} kind=test.sleep attempt=1/5 ms=" in log
    assert "job runner: signal 15, stopping" in log
    stack.sql(f"DELETE FROM job WHERE id = {next_one}")


def test_session_expire_deletes_expired_sessions_only(stack, quiet):
    run_once(stack)         # the recurring jobs are queued, the due ones run
    staff = f"(SELECT id FROM staff WHERE shop_id = {SHOP.format('shop-a')}" \
        f" AND phone = '{stack.owner_phone}')"
    stack.sql(
        "INSERT INTO session (token_hash, shop_id, kind, staff_id, csrf, "
        f"expires_at) VALUES ('{'e' * 64}', {SHOP.format('shop-a')}, "
        f"'staff', {staff}, '{'0' * 32}', NOW(3) - INTERVAL 1 MINUTE), "
        f"('{'f' * 64}', {SHOP.format('shop-a')}, 'staff', {staff}, "
        f"'{'0' * 32}', NOW(3) + INTERVAL 1 DAY)")
    # The singleton is queued once, never twice.
    queued = stack.sql("SELECT id FROM job WHERE kind = 'session.expire' "
                       "AND state IN ('queued', 'running')")
    assert len(queued) == 1, queued
    [(jid,)] = queued
    stack.sql(f"UPDATE job SET run_at = NOW(3) WHERE id = {jid}")
    run_once(stack)
    assert job(stack, jid)[0] == "done"
    assert stack.sql(f"SELECT COUNT(*) FROM session WHERE token_hash = "
                     f"'{'e' * 64}'") == [("0",)]
    assert stack.sql(f"SELECT COUNT(*) FROM session WHERE token_hash = "
                     f"'{'f' * 64}'") == [("1",)]
    assert re.search(rf"job done id={jid} kind=session\.expire attempt=1/5 "
                     r"ms=[0-9.]+ deleted=[1-9]", stack.error_log_text())
    # The next one is queued an hour on, under the same key.
    nxt = stack.sql("SELECT id, TIMESTAMPDIFF(SECOND, NOW(3), run_at) "
                    "FROM job WHERE kind = 'session.expire' AND state = "
                    "'queued' AND dedupe_key = 'session.expire'")
    assert len(nxt) == 1 and int(nxt[0][0]) != int(jid)
    assert 3500 < int(nxt[0][1]) <= 3600, nxt
    stack.sql(f"DELETE FROM session WHERE token_hash = '{'f' * 64}'")


def test_idempotency_expire_deletes_expired_keys_only(stack, quiet):
    run_once(stack)
    shop = SHOP.format("shop-a")
    stack.sql(
        "INSERT INTO idempotency_key (shop_id, owner, idem_key, method, "
        "path, request_hash, expires_at) VALUES "
        f"({shop}, 'addr:jt', 'jt-old', 'POST', '/x', REPEAT('0', 64), "
        "NOW(3) - INTERVAL 1 MINUTE), "
        f"({shop}, 'addr:jt', 'jt-new', 'POST', '/x', REPEAT('0', 64), "
        "NOW(3) + INTERVAL 1 DAY)")
    [(jid,)] = stack.sql("SELECT id FROM job WHERE kind = "
                         "'idempotency.expire' AND state = 'queued'")
    stack.sql(f"UPDATE job SET run_at = NOW(3) WHERE id = {jid}")
    run_once(stack)
    assert job(stack, jid)[0] == "done"
    left = {k for (k,) in stack.sql(
        "SELECT idem_key FROM idempotency_key WHERE owner = 'addr:jt'")}
    assert left == {"jt-new"}
    assert re.search(r"idempotency_expire deleted=[1-9]",
                     stack.error_log_text())
    stack.sql("DELETE FROM idempotency_key WHERE owner = 'addr:jt'")


def test_login_failure_expire_keeps_the_window(stack, quiet):
    run_once(stack)
    shop = SHOP.format("shop-a")
    stack.sql(
        "INSERT INTO login_failure (shop_id, scope, subject, failures, "
        f"last_at) VALUES ({shop}, 'account_ip', 'staff:old-job-test', 3, "
        f"NOW(3) - INTERVAL 1 DAY), ({shop}, 'account_ip', "
        "'staff:new-job-test', 3, NOW(3))")
    # SMS codes after a day, OAuth states an hour past their life,
    # official-account messages seen two days ago go; fresh ones stay.
    stack.sql(f"""
INSERT INTO sms_code (shop_id, phone, salt, code_hash, created_at,
  expires_at) VALUES ({shop}, '13600000991', 's', 'h', NOW(3) - INTERVAL
  2 DAY, NOW(3) - INTERVAL 2 DAY), ({shop}, '13600000992', 's', 'h',
  NOW(3), NOW(3) + INTERVAL 5 MINUTE);
INSERT INTO wx_mp_seen (shop_id, msg_key, created_at) VALUES
  ({shop}, 'jt-old', NOW(3) - INTERVAL 3 DAY), ({shop}, 'jt-new', NOW(3));
""")
    stack.sql("UPDATE job SET run_at = NOW(3) WHERE dedupe_key = "
              "'login_failure.expire'")
    run_once(stack)
    left = {s for (s,) in stack.sql(
        "SELECT subject FROM login_failure WHERE subject LIKE '%job-test'")}
    assert left == {"staff:new-job-test"}
    assert stack.sql("SELECT phone FROM sms_code WHERE phone LIKE "
                     "'1360000099%'") == [("13600000992",)]
    assert stack.sql("SELECT msg_key FROM wx_mp_seen WHERE msg_key LIKE "
                     "'jt-%'") == [("jt-new",)]
    stack.sql("DELETE FROM login_failure WHERE subject LIKE '%job-test'")
    stack.sql("DELETE FROM sms_code WHERE phone LIKE '1360000099%'")
    stack.sql("DELETE FROM wx_mp_seen WHERE msg_key LIKE 'jt-%'")


def test_run_for_one_shop_takes_only_its_jobs(stack, quiet):
    [mine] = enqueue(stack, "test.record", '{"tag": "shop-b"}', shop="shop-b")
    [theirs] = enqueue(stack, "test.record", '{"tag": "shop-a"}')
    r = stack.run("jobs", "run", "--once", "--shop", "nosuch", check=False)
    assert r.returncode == 1 and "no shop 'nosuch'" in r.stderr
    run_once(stack, "--shop", "shop-b")
    assert job(stack, mine)[:2] == ("done", 1)
    assert job(stack, theirs)[:2] == ("queued", 0)
    r = stack.run("jobs", "list", "--shop", "shop-b")
    assert re.search(rf"^{mine} +shop-b +test\.record +done +1/5 ", r.stdout,
                     re.M), r.stdout
    assert not re.search(rf"^{theirs} ", r.stdout, re.M)
    run_once(stack)
    assert job(stack, theirs)[:2] == ("done", 1)
