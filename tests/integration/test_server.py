"""The prefork master: respawn, reload, timeouts, recycling."""

import json
import os
import re
import signal
import subprocess

from conftest import children_of, free_port, wait_until
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


def test_sighup_under_load_drops_no_request(stack):
    import threading

    stop = threading.Event()
    statuses = []

    def hammer():
        s = stack.session()
        while not stop.is_set():
            statuses.append(s.get(stack.url("/s/shop-a/")).status_code)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(3):
            old = set(stack.worker_pids())
            stack.sighup()
            stack.wait_until(lambda: not old & set(stack.worker_pids()) and
                             len(stack.worker_pids()) == 3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(statuses) > 20
    assert set(statuses) == {200}, sorted(set(statuses))


def fcgi_get(address, uri, **params):
    """One FastCGI request straight to the app (no nginx), by cgi-fcgi;
    params add or change FastCGI parameters (HTTP_HOST=...)."""
    env = {"REQUEST_METHOD": "GET", "REQUEST_URI": uri,
           "SCRIPT_NAME": uri, "QUERY_STRING": "", "SERVER_NAME": "t",
           "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1",
           "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1"}
    env.update(params)
    r = subprocess.run(["cgi-fcgi", "-bind", "-connect", address],
                       env=env, capture_output=True, text=True, timeout=20)
    return r.stdout


def _serve_variant(stack, tmp_path, argv_prefix, listen, extra=None):
    from conftest import child_env
    env = child_env()
    env.update({"DINGHUO_LISTEN": listen,
                "DINGHUO_PID_FILE": str(tmp_path / "v.pid"),
                "DINGHUO_WORKERS": "2"})
    env.update(extra or {})
    return subprocess.Popen(argv_prefix + [str(stack.bin), "-c",
                                           str(stack.conf), "serve"],
                            env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _stop(proc, pidfile):
    try:
        pid = int(pidfile.read_text())
    except (OSError, ValueError):
        pid = proc.pid
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: not pidfile.exists(), timeout=15)
    proc.wait(15)


def test_listen_on_tcp(stack, tmp_path):
    port = free_port()
    proc = _serve_variant(stack, tmp_path, [], f"127.0.0.1:{port}")
    try:
        out = stack.wait_until(lambda: (lambda o: '"ok":true' in o and o)(
            fcgi_get(f"127.0.0.1:{port}", "/healthz")), timeout=20)
        assert out.startswith("Status: 200 OK")
    finally:
        _stop(proc, tmp_path / "v.pid")


def test_inherits_socket_from_spawn_fcgi(stack, tmp_path):
    port = free_port()
    proc = _serve_variant(stack, tmp_path,
                          ["spawn-fcgi", "-n", "-a", "127.0.0.1",
                           "-p", str(port), "--"], "")
    try:
        out = stack.wait_until(lambda: (lambda o: "甲商行" in o and o)(
            fcgi_get(f"127.0.0.1:{port}", "/s/shop-a/api/v1/shop")),
            timeout=20)
        assert out.startswith("Status: 200 OK")
        # The listen socket on fd 0 goes to no program a worker runs.
        workers = children_of(int((tmp_path / "v.pid").read_text()))
        assert workers
        for pid in workers:
            assert fd_flags(pid, 0) & O_CLOEXEC, pid
    finally:
        _stop(proc, tmp_path / "v.pid")


O_CLOEXEC = 0o2000000


def fd_flags(pid, fd):
    with open(f"/proc/{pid}/fdinfo/{fd}") as f:
        return int(re.search(r"^flags:\s+([0-7]+)", f.read(), re.M)[1], 8)


def inheritable(pid):
    """A process's descriptors above 2 that an exec would keep."""
    out = {}
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
            if int(name) > 2 and not fd_flags(pid, name) & O_CLOEXEC:
                out[int(name)] = target
        except OSError:         # closed meanwhile
            pass
    return out


def fcgi_records(rtype, body):
    return bytes([1, rtype, 0, 1, len(body) >> 8, len(body) & 0xff, 0,
                  0]) + body


def fcgi_stalled_post(address, uri):
    """A connected socket carrying a FastCGI POST whose body never comes:
    the worker has accepted it and waits in the handler for the body."""
    import socket
    params = b""
    for k, v in {"REQUEST_METHOD": "POST", "REQUEST_URI": uri,
                 "CONTENT_TYPE": "application/json",
                 "CONTENT_LENGTH": "100", "REMOTE_ADDR": "127.0.0.1"}.items():
        params += bytes([len(k), len(v)]) + k.encode() + v.encode()
    sk = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sk.connect(address)
    sk.sendall(fcgi_records(1, bytes([0, 1, 0, 0, 0, 0, 0, 0])) +
               fcgi_records(4, params) + fcgi_records(4, b"") +
               fcgi_records(5, b"{"))
    return sk


def test_worker_descriptors_are_close_on_exec(stack):
    s = stack.session()
    # Every worker has served a request, so it has all of them open: the
    # database connection, the logs, the listen socket, templates.
    for pid, rs in stack.every_worker(
            lambda: s.get(stack.url("/s/shop-a/"))).items():
        assert [r.status_code for r in rs] == [200] * len(rs), pid
    workers = stack.worker_pids()
    for pid in workers:
        assert inheritable(pid) == {}, pid
    # During a request: the FastCGI connection the worker accepted.
    before = {pid: set(os.listdir(f"/proc/{pid}/fd")) for pid in workers}
    sk = fcgi_stalled_post(str(stack.sock), "/s/shop-a/api/v1/login")
    try:
        # (Until libfcgi's accept returns the flag is not set yet.)
        wait_until(lambda: any(set(os.listdir(f"/proc/{p}/fd")) - before[p]
                               and inheritable(p) == {} for p in workers),
                   timeout=4, message=lambda: "not close-on-exec: " +
                   repr({p: inheritable(p) for p in workers}))
    finally:
        sk.close()


def test_database_restart_is_survived(stack):
    s = stack.session()
    assert s.get(stack.url("/healthz")).status_code == 200
    stack.mysql_stop()
    try:
        r = s.get(stack.url("/healthz"))
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "unavailable"
        r = s.get(stack.url("/s/shop-a/login"),
                  headers={"Accept": "text/html"})
        assert r.status_code in (200, 503)   # a cached shop may still show
        r = s.post(stack.url("/s/shop-a/api/v1/login"),
                   json={"phone": "13900000000", "password": "demo1234"})
        assert r.status_code == 503
        assert "Can't connect" not in r.text     # no internals leak
    finally:
        stack.mysql_start()
    # Workers reconnect by themselves.
    stack.wait_until(lambda: s.get(stack.url("/healthz")).status_code
                     == 200, timeout=20)
    r = s.post(stack.url("/s/shop-a/api/v1/login"),
               json={"phone": "13900000000", "password": "demo1234"})
    assert r.status_code == 200


def test_idle_tcp_clients_cannot_pin_the_workers(stack, tmp_path):
    import socket
    port = free_port()
    proc = _serve_variant(stack, tmp_path, [], f"127.0.0.1:{port}")
    idle = []
    try:
        wait_until(lambda: '"ok":true' in fcgi_get(f"127.0.0.1:{port}",
                                                   "/healthz"), timeout=20)
        # As many silent connections as workers: each takes a worker.
        for _ in range(2):
            idle.append(socket.create_connection(("127.0.0.1", port)))
        out = fcgi_get(f"127.0.0.1:{port}", "/healthz")
        assert out.startswith("Status: 200 OK"), out[:200]
        assert "request timeout" in stack.error_log_text()
    finally:
        for sk in idle:
            sk.close()
        _stop(proc, tmp_path / "v.pid")


def fcgi_post_json(address, uri, body, remote_addr):
    """A JSON POST straight to the app with a chosen REMOTE_ADDR."""
    data = json.dumps(body).encode()
    env = {"REQUEST_METHOD": "POST", "REQUEST_URI": uri, "SCRIPT_NAME": uri,
           "QUERY_STRING": "", "SERVER_NAME": "t", "SERVER_PORT": "80",
           "REMOTE_ADDR": remote_addr, "SERVER_PROTOCOL": "HTTP/1.1",
           "GATEWAY_INTERFACE": "CGI/1.1",
           "CONTENT_TYPE": "application/json",
           "CONTENT_LENGTH": str(len(data))}
    r = subprocess.run(["cgi-fcgi", "-bind", "-connect", address], env=env,
                       input=data, capture_output=True, timeout=20)
    return r.stdout.decode()


def test_login_throttled_per_address(stack, tmp_path):
    port = free_port()
    proc = _serve_variant(stack, tmp_path, [], f"127.0.0.1:{port}",
                          {"DINGHUO_LOGIN_MAX_FAILURES_IP": "3"})
    addr = f"127.0.0.1:{port}"
    try:
        wait_until(lambda: '"ok":true' in fcgi_get(addr, "/healthz"),
                   timeout=20)
        for phone in ("13911110001", "13911110002", "13911110003"):
            out = fcgi_post_json(addr, "/s/shop-a/api/v1/login",
                                 {"phone": phone, "password": "x"},
                                 "192.0.2.7")
            assert out.startswith("Status: 400"), out[:200]
        # Right password, other account, same address: throttled.
        out = fcgi_post_json(addr, "/s/shop-a/api/v1/login",
                             {"phone": "13900000000",
                              "password": "demo1234"}, "192.0.2.7")
        assert out.startswith("Status: 429"), out[:200]
        out = fcgi_post_json(addr, "/s/shop-a/api/v1/login",
                             {"phone": "13900000000",
                              "password": "demo1234"}, "192.0.2.8")
        assert out.startswith("Status: 200"), out[:200]
    finally:
        _stop(proc, tmp_path / "v.pid")
        stack.sql("DELETE FROM login_failure WHERE subject LIKE "
                  "'%1391111000%' OR subject = '192.0.2.7'")


def test_unread_bodies_do_not_break_the_next_responses(stack):
    """Workers close the FastCGI connection without libfcgi's lingering
    close, so a body the handler never read must be drained first: the
    answer arrives whole, and nginx sees no reset connection."""
    s = stack.session()
    body = b"x" * (512 * 1024)
    seen = len(stack.nginx_error_log_text())
    for i in range(12):
        # 405 (GET-only route) and 404: the router answers before any
        # body is read.
        path = "/s/shop-a/api/v1/shop" if i % 2 else "/s/shop-a/api/v1/nope"
        r = s.post(stack.url(path), data=body,
                   headers={"Content-Type": "application/json"})
        assert r.status_code == (405 if i % 2 else 404), r.text
        assert r.json()["ok"] is False
        assert s.get(stack.url("/s/shop-a/api/v1/shop")).json()["ok"]
    log = stack.nginx_error_log_text()[seen:]
    for bad in ("reset by peer", "prematurely closed", "Broken pipe"):
        assert bad not in log, bad
