"""The prefork master: respawn, reload, timeouts, recycling."""

import os
import signal
import subprocess

from helpers import api_login


def test_kill_9_worker_under_requests_is_respawned(stack):
    s = stack.session()
    before = stack.worker_pids()
    assert len(before) == 3
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    # Requests keep working while the master replaces it.
    for _ in range(30):
        assert s.get(stack.url("/s/shop-a/")).status_code == 200
    stack.wait_until(lambda: len(stack.worker_pids()) == 3 and
                     victim not in stack.worker_pids(),
                     message=lambda: f"workers: {stack.worker_pids()}")
    assert "killed by signal 9" in stack.error_log_text()
    assert s.get(stack.url("/healthz")).status_code == 200


def test_sighup_reloads_a_changed_template(stack):
    page = stack.templates_dir / "themes/default/pages/home.mustache"
    original = page.read_text()
    s = stack.session()
    old = set(stack.worker_pids())
    try:
        page.write_text(original.replace(
            "<h1>{{shop.name}}</h1>", "<h1>{{shop.name}} 新模板</h1>"))
        assert "新模板" not in s.get(stack.url("/s/shop-a/")).text
        stack.sighup()
        stack.wait_until(lambda: not old & set(stack.worker_pids()) and
                         len(stack.worker_pids()) == 3,
                         message="old workers were not replaced")
        assert "新模板" in s.get(stack.url("/s/shop-a/")).text
        assert "reloaded" in stack.error_log_text()
    finally:
        page.write_text(original)
        stack.sighup()
        stack.wait_until(lambda: "新模板" not in
                         s.get(stack.url("/s/shop-a/")).text)


def test_reload_with_a_broken_config_keeps_running(stack):
    conf = stack.conf
    original = conf.read_text()
    try:
        conf.write_text(original + "\nno_such_key = 1\n")
        stack.sighup()
        stack.wait_until(lambda: "reload refused" in
                         stack.error_log_text())
        assert stack.session().get(stack.url("/healthz")).status_code == 200
    finally:
        conf.write_text(original)


def test_request_past_timeout_is_killed_and_logged(stack):
    # Hold a write lock on the session table: a request carrying a
    # session cookie blocks on it until the master kills its worker.
    holder = subprocess.Popen(
        ["mariadb", "--no-defaults", f"--socket={stack.mysql_sock}",
         "-uroot", "dinghuo"], stdin=subprocess.PIPE, text=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        holder.stdin.write("LOCK TABLES session WRITE; SELECT 'locked';\n"
                           "SELECT SLEEP(30);\n")
        holder.stdin.flush()
        stack.wait_until(lambda: stack.sql(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
            "WHERE INFO = 'SELECT SLEEP(30)'") == [("1",)])
        s = stack.session()
        s.cookies.set("sid", "a" * 64, path="/")
        r = s.get(stack.url("/s/shop-a/"))
        assert r.status_code in (502, 504)
        assert "request timeout" in stack.error_log_text()
    finally:
        holder.kill()
        holder.wait()
    stack.wait_until(lambda: len(stack.worker_pids()) == 3)
    assert stack.session().get(stack.url("/s/shop-a/")).status_code == 200


def test_worker_recycled_after_max_requests(stack):
    stack.restart_serve(env={"DINGHUO_MAX_REQUESTS": "5",
                             "DINGHUO_WORKERS": "1"})
    try:
        first = stack.worker_pids()
        assert len(first) == 1
        s = stack.session()
        for _ in range(12):
            assert s.get(stack.url("/s/shop-a/")).status_code == 200
        stack.wait_until(lambda: stack.worker_pids() and
                         stack.worker_pids() != first)
        assert "recycled after 5 requests" in stack.error_log_text()
    finally:
        stack.restart_serve()


def test_sigterm_drains_and_removes_pid_file(stack):
    pidfile = stack.pid_file
    assert pidfile.exists()
    stack.stop_serve(signal.SIGTERM)
    assert not pidfile.exists()
    assert "master: stopped" in stack.error_log_text()
    stack.start_serve()
    assert api_login(stack, "shop-a", "13900000000").status_code == 200
