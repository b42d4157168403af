"""Integration harness: one private dinghuo stack per test session.

The `stack` fixture starts, in a fresh temp dir, a private MariaDB and nginx
(through scripts/stack.sh and nginx/dev.conf, the same code dev-up uses) and
`dinghuo serve` (here, with Popen, so tests can signal and restart it), on
free ports of 127.0.0.1. The master forks its workers and a job runner
(named dinghuo-jobs; worker_pids() leaves it out, job_runner_pids() has
it); the test.* job kinds are on. It loads two demo shops, shop-a and shop-b, each
with the demo logins below. Tests talk HTTP to nginx through `stack.url()`.

The binary is $DINGHUO_BIN (default build/dinghuo). The temp dir is removed
after a clean run; after a failure its logs stay (path in the "dinghuo stack"
section of the report). DINGHUO_KEEP_TMP=1 keeps all of it, database too.

A test during which the server logged an ASan/UBSan report fails, even if
the master respawned the worker that aborted. Only requests and the standard
library are used.
"""

import concurrent.futures
import html
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
STACK_SH = ROOT / "scripts" / "stack.sh"

SHOPS = {"shop-a": "甲商行", "shop-b": "乙商行"}
DEMO_PASSWORD = "demo1234"
OWNER_PHONE = "13800000000"     # staff, role owner
SALES_PHONE = "13800000001"     # staff, role sales
BUYER_PHONE = "13900000000"     # customer company's buyer

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",                   # UBSan
    "SUMMARY: UndefinedBehaviorSanitizer",
    # Not a sanitizer, as fatal: a view key hides a template global
    # (render.c), so {{base}} in a row was once the row's base price.
    "shadows the page global",
)
START_TIMEOUT = 60.0    # ASan builds start slowly on 2 cores
HTTP_TIMEOUT = 30.0     # no request in a test may hang for ever


def wait_until(fn, timeout=10.0, interval=0.02, message=None):
    """Poll fn() until it returns something truthy; return that value.

    Raises AssertionError after `timeout` seconds; `message` may be a
    string or a function that returns one (built only on failure). The
    pause between polls grows from `interval` to 0.2 s."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() >= deadline:
            if callable(message):
                message = message()
            raise AssertionError(message or
                                 f"not true within {timeout}s: {fn!r}")
        time.sleep(interval)
        interval = min(interval * 2, 0.2)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pid_alive(pid):
    """True if pid exists and is not a zombie (PID 1 may never reap)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False
    state = stat[stat.rindex(b")") + 2:stat.rindex(b")") + 3]
    return state not in (b"Z", b"X")


def children_of(ppid):
    """Live children of ppid, from /proc (no task/*/children on every
    kernel)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        if int(fields[1]) == ppid and fields[0] not in (b"Z", b"X"):
            kids.append(int(entry))
    return sorted(kids)


def is_job_runner(pid):
    """A job runner names itself dinghuo-jobs (prctl PR_SET_NAME)."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip() == "dinghuo-jobs"
    except OSError:
        return False


def child_env():
    """Our environment without DINGHUO_*: a developer's DINGHUO_DB_PORT or
    DINGHUO_LISTEN must not override the test stack's dinghuo.conf."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DINGHUO_")}
    return env


def no_core_dumps():
    # An ASan abort (abort_on_error=1) must not leave core files about.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def tail(path, lines=40):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def resolve_bin():
    value = os.environ.get("DINGHUO_BIN", "build/dinghuo")
    path = Path(value)
    if not path.is_absolute():
        path = Path.cwd() / path if (Path.cwd() / path).exists() \
            else ROOT / path
    return path.resolve()


def make_tmpdir():
    """A short temp dir: unix socket paths must stay under 108 bytes."""
    base = tempfile.gettempdir()
    if len(base) > 40:
        base = "/tmp"
    return Path(tempfile.mkdtemp(prefix="dinghuo-it-", dir=base))


class _Session(requests.Session):
    """requests.Session that ignores proxy variables (traffic stays on
    127.0.0.1) and never waits for ever."""

    def __init__(self):
        super().__init__()
        self.trust_env = False

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(method, url, **kwargs)


class AccessLog:
    """Which worker served a response: its X-Request-Id in the access log
    (every worker logs "[pid] access req=ID ...")."""

    def __init__(self, stack):
        self.stack = stack
        self.pos = 0
        self.pids = {}

    def _read(self):
        with open(self.stack.access_log, "rb") as f:
            f.seek(self.pos)
            data = f.read()
        end = data.rfind(b"\n") + 1         # whole lines only
        self.pos += end
        for m in re.finditer(rb"\[(\d+)\] access\s+req=([0-9a-f]+) ",
                             data[:end]):
            self.pids[m.group(2).decode()] = int(m.group(1))

    def worker(self, r):
        reqid = r.headers["X-Request-Id"]

        def logged():
            self._read()
            return self.pids.get(reqid)
        return wait_until(logged, timeout=5,
                          message=f"request {reqid} not logged")


class Stack:
    """A running stack. Paths are Path objects; see the fixture below."""

    wait_until = staticmethod(wait_until)

    def every_worker(self, request, ok=None, timeout=30, by=None):
        """Call request() until every live worker has answered, and, with
        ok, until each worker's latest response r has ok(r) true; return
        {pid: [responses]}. A worker caches its shop row for up to half a
        second, so "N requests in a row" can miss an idle stale worker:
        this names the worker behind each response instead. With by (a
        time.monotonic() value), a request sent after it that is not ok
        fails at once: "every worker within a second" of a change is
        every_worker(req, ok, by=changed_at + 1), with slack
        for a loaded machine."""
        log = AccessLog(self)
        seen, good = {}, {}

        def one():
            sent = time.monotonic()
            return sent, request()

        def covered():
            # A burst of one request more than there are workers, sent
            # at once: the kernel wakes one waiting worker per
            # connection, often the same few, so requests one after
            # another can miss an idle worker for ever; a burst keeps
            # every worker busy at once and so reaches each.
            pids = set(self.worker_pids())
            with concurrent.futures.ThreadPoolExecutor(len(pids) + 1) as ex:
                answers = list(ex.map(lambda _: one(), range(len(pids) + 1)))
            for sent, r in answers:
                pid = log.worker(r)
                seen.setdefault(pid, []).append(r)
                good[pid] = ok is None or bool(ok(r))
                if not good[pid] and by is not None and sent >= by:
                    raise AssertionError(
                        f"worker {pid} still answers the old state "
                        f"{sent - by:.2f}s after it should not")
            pids = set(self.worker_pids())
            return pids <= set(seen) and all(good[p] for p in pids)

        wait_until(covered, timeout=timeout, interval=0.001,
                   message=lambda: f"workers {self.worker_pids()}, "
                   f"answered: {sorted(seen)}, as wanted: "
                   f"{sorted(p for p in good if good[p])}")
        return seen
    shops = SHOPS
    password = DEMO_PASSWORD
    owner_phone = OWNER_PHONE
    sales_phone = SALES_PHONE
    buyer_phone = BUYER_PHONE

    def __init__(self, tmp, binary):
        self.dir = tmp
        self.bin = binary
        self.port = free_port()
        self.db_port = free_port()
        self.var = tmp / "var"
        self.run_dir = tmp / "run"
        self.log_dir = tmp / "log"
        self.templates_dir = tmp / "templates"
        self.uploads_dir = tmp / "uploads"
        self.private_dir = tmp / "private"      # licences; nginx: no
        self.secrets_dir = tmp / "secrets"      # WeChat keys; nginx: no
        self.sql_dir = ROOT / "sql"
        self.conf = tmp / "dinghuo.conf"
        self.sock = self.run_dir / "dinghuo.sock"
        self.pid_file = self.run_dir / "dinghuo.pid"
        self.error_log = self.log_dir / "error.log"
        self.access_log = self.log_dir / "access.log"
        self.serve_out = self.log_dir / "serve.out"     # stdout + stderr
        self.cli_out = self.log_dir / "cli.out"
        self.mysql_sock = self.var / "mysql.sock"
        self.mysql_log = self.var / "mysql.err"
        self.nginx_conf = self.var / "nginx" / "nginx.conf"
        self.nginx_error_log = self.var / "nginx" / "error.log"
        self.nginx_access_log = self.var / "nginx" / "access.log"
        self._serve = None
        self._known_workers = set()

    # -- plumbing -------------------------------------------------------

    def _bash(self, fn, *args):
        """Run one scripts/stack.sh function; raise if it fails."""
        cmd = ["bash", "-c", '. "$0"; "$@"', str(STACK_SH), fn,
               *map(str, args)]
        r = subprocess.run(cmd, env=child_env(), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace")
        if r.returncode != 0:
            raise RuntimeError(f"stack.sh {fn} failed ({r.returncode}):\n"
                               f"{r.stdout}")
        return r.stdout

    def write_conf(self, **overrides):
        """(Re)write dinghuo.conf; keyword arguments change or add keys."""
        conf = {
            "listen": f"unix:{self.sock}",
            "workers": 3,
            "max_requests": 1000,
            "request_timeout": 5,
            "pid_file": self.pid_file,
            "error_log": self.error_log,
            "access_log": self.access_log,
            "db_host": "localhost",
            "db_port": self.db_port,
            "db_socket": self.mysql_sock,
            "db_user": "dinghuo",
            "db_password": "dinghuo",
            "db_name": "dinghuo",
            "templates_dir": self.templates_dir,
            "sql_dir": self.sql_dir,
            "uploads_dir": self.uploads_dir,
            "private_dir": self.private_dir,
            "secrets_dir": self.secrets_dir,
            "default_shop": "",
            # Every test client is 127.0.0.1: the per-address limit
            # would add up failures across the whole suite.
            "login_max_failures_ip": 100000,
            # test.record, test.sleep, test.fail (tests/integration/
            # test_jobs.py).
            "job_test_kinds": 1,
            # A view key that hides a template global fails the test.
            "check_views": 1,
        }
        conf.update(overrides)
        text = "# written by tests/integration/conftest.py\n" + "".join(
            f"{k} = {v}\n" for k, v in conf.items())
        tmp = self.conf.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(self.conf)

    def run(self, *args, check=True, env=None, timeout=120):
        """Run `dinghuo -c CONF ARGS...`; return the CompletedProcess
        (stdout and stderr as text). Output is also kept in log/cli.out."""
        e = child_env()
        e.update(env or {})
        r = subprocess.run([str(self.bin), "-c", str(self.conf),
                            *map(str, args)],
                           cwd=self.dir, env=e, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, errors="replace",
                           timeout=timeout, preexec_fn=no_core_dumps)
        with open(self.cli_out, "a") as f:
            f.write(f"$ dinghuo {' '.join(map(str, args))}  -> "
                    f"{r.returncode}\n{r.stdout}{r.stderr}")
        report = sanitizer_report(r.stdout + r.stderr)
        if report:
            raise AssertionError(f"dinghuo {args[0]}: sanitizer report:\n"
                                 f"{report}")
        if check and r.returncode != 0:
            raise AssertionError(f"dinghuo {' '.join(map(str, args))} "
                                 f"exited {r.returncode}:\n"
                                 f"{r.stdout}{r.stderr}")
        return r

    # -- MariaDB and nginx ----------------------------------------------

    def mysql_start(self):
        self._bash("stack_mysql_start", self.var, self.db_port, "dinghuo")

    def mysql_stop(self):
        self._bash("stack_mysql_stop", self.var)

    def nginx_start(self):
        self._bash("stack_nginx_render", self.nginx_conf, self.var,
                   self.port, self.sock, self.templates_dir,
                   self.uploads_dir)
        self._bash("stack_nginx_start", self.var, self.nginx_conf)

    def nginx_stop(self):
        self._bash("stack_nginx_stop", self.var)

    def sql(self, query, db="dinghuo"):
        """Run SQL as root through the mariadb client on the private socket.

        Returns a list of row tuples of str, NULL as None (a string 'NULL'
        reads as None too)."""
        r = subprocess.run(["mariadb", "--no-defaults",
                            f"--socket={self.mysql_sock}", "-uroot",
                            "--batch", "--skip-column-names",
                            "--default-character-set=utf8mb4",
                            "-D", db, "-e", query],
                           env=child_env(), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise AssertionError(f"sql failed: {query}\n{r.stderr}")
        rows = []
        for line in r.stdout.splitlines():
            rows.append(tuple(None if v == "NULL" else _unescape(v)
                              for v in line.split("\t")))
        return rows

    # -- dinghuo serve --------------------------------------------------

    @property
    def master_pid(self):
        return self._serve.pid if self._serve else None

    def start_serve(self, env=None):
        """Start `dinghuo serve`; wait for its pid file and /healthz."""
        assert self._serve is None or self._serve.poll() is not None, \
            "serve is already running"
        self.pid_file.unlink(missing_ok=True)
        e = child_env()
        e.update(env or {})
        with open(self.serve_out, "ab") as out:
            self._serve = subprocess.Popen(
                [str(self.bin), "-c", str(self.conf), "serve"],
                cwd=self.dir, env=e, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, preexec_fn=no_core_dumps)
        proc = self._serve

        def pid_file_written():
            if proc.poll() is not None:
                raise AssertionError(
                    f"dinghuo serve exited {proc.returncode} at start:\n"
                    + self.logs_tail())
            try:
                return self.pid_file.read_text().strip() == str(proc.pid)
            except OSError:
                return False

        wait_until(pid_file_written, START_TIMEOUT,
                   message=lambda: f"no pid file {self.pid_file}\n"
                   + self.logs_tail())
        self.wait_healthy()
        self._known_workers.update(self.worker_pids())

    def wait_healthy(self, timeout=START_TIMEOUT):
        """Wait until /healthz answers 200 through nginx."""
        s = self.session()
        last = ["no answer"]

        def healthy():
            if self._serve is not None and self._serve.poll() is not None:
                raise AssertionError(
                    f"dinghuo serve exited {self._serve.returncode}:\n"
                    + self.logs_tail())
            try:
                r = s.get(self.url("/healthz"), timeout=5)
            except requests.RequestException as exc:
                last[0] = repr(exc)
                return False
            last[0] = f"{r.status_code} {r.text[:200]}"
            return r.status_code == 200

        try:
            wait_until(healthy, timeout)
        except AssertionError as exc:
            if "exited" in str(exc):
                raise
            raise AssertionError(f"/healthz not 200 within {timeout}s "
                                 f"(last: {last[0]})\n{self.logs_tail()}") \
                from None

    def stop_serve(self, sig=signal.SIGTERM, timeout=30.0):
        """Signal the master and wait for it; SIGKILL (master and workers)
        only if it is still there after `timeout`. Returns the exit status
        (negative: killed by that signal), or None if it was not running."""
        proc = self._serve
        if proc is None:
            return None
        if proc.poll() is None:
            workers = self._children()
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                print(f"dinghuo serve ignored signal {sig} for {timeout}s; "
                      "sending SIGKILL", file=sys.stderr)
                for pid in [proc.pid] + workers:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                proc.wait(10)
            # Workers the master should have reaped and did not.
            for pid in workers + sorted(self._known_workers):
                if pid_alive(pid) and self._is_ours(pid):
                    print(f"worker {pid} outlived its master; killing it",
                          file=sys.stderr)
                    os.kill(pid, signal.SIGKILL)
        self._known_workers.clear()
        return proc.returncode

    def restart_serve(self, env=None):
        self.stop_serve()
        self.start_serve(env=env)

    def _is_ours(self, pid):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return False
        return os.path.basename(exe).startswith(self.bin.name)

    def _children(self):
        """Live children of the serve master: workers and job runners."""
        if self.master_pid is None or not pid_alive(self.master_pid):
            return []
        pids = children_of(self.master_pid)
        self._known_workers.update(pids)
        return pids

    def worker_pids(self):
        """Live worker pids (children of the serve master that are not
        job runners)."""
        return [p for p in self._children() if not is_job_runner(p)]

    def job_runner_pids(self):
        """Live job runner pids among the master's children."""
        return [p for p in self._children() if is_job_runner(p)]

    def sighup(self):
        os.kill(self.master_pid, signal.SIGHUP)

    def reconfigure(self, **overrides):
        """Rewrite dinghuo.conf (write_conf) and reload: return once every
        worker that served the old config is gone and all are back.
        reconfigure() with no argument restores the suite's config."""
        old = set(self.worker_pids())
        self.write_conf(**overrides)
        self.sighup()
        wait_until(lambda: not old & set(self.worker_pids()) and
                   len(self.worker_pids()) == int(overrides.get("workers", 3)),
                   START_TIMEOUT, message=lambda: "workers not replaced "
                   f"after reload: {self.worker_pids()}\n" + self.logs_tail())

    # -- HTTP -----------------------------------------------------------

    def url(self, path):
        assert path.startswith("/"), path
        return f"http://127.0.0.1:{self.port}{path}"

    def session(self):
        """A requests.Session with no proxies and a default timeout."""
        return _Session()

    def json_session(self):
        s = self.session()
        s.headers["Accept"] = "application/json"
        return s

    def login(self, phone, password, shop, staff=False):
        """Log in through the HTML form; return the logged-in Session.

        Staff log in at /s/SHOP/admin/login, customers at /s/SHOP/login."""
        path = f"/s/{shop}/admin/login" if staff else f"/s/{shop}/login"
        s = self.session()
        r = s.get(self.url(path))
        assert r.status_code == 200, f"GET {path}: {r.status_code}"
        m = (re.search(r'name="csrf"[^>]*?value="([^"]*)"', r.text) or
             re.search(r'value="([^"]*)"[^>]*?name="csrf"', r.text))
        assert m, f"no csrf input in {path}:\n{r.text[:1000]}"
        r = s.post(self.url(path), allow_redirects=False,
                   data={"phone": phone, "password": password,
                         "csrf": html.unescape(m.group(1))})
        assert r.status_code == 303, \
            f"login {phone} at {path}: {r.status_code} {r.text[:500]}"
        return s

    # -- logs -----------------------------------------------------------

    @staticmethod
    def _read(path):
        try:
            return Path(path).read_text(errors="replace")
        except OSError:
            return ""

    def error_log_text(self):
        return self._read(self.error_log)

    def access_log_text(self):
        return self._read(self.access_log)

    def serve_output_text(self):
        """What serve wrote to stdout/stderr (sanitizer reports land here)."""
        return self._read(self.serve_out)

    def nginx_error_log_text(self):
        return self._read(self.nginx_error_log)

    def nginx_access_log_text(self):
        return self._read(self.nginx_access_log)

    def logs_tail(self, lines=40):
        parts = []
        for path in (self.serve_out, self.error_log, self.cli_out,
                     self.nginx_error_log, self.mysql_log):
            t = tail(path, lines if path != self.mysql_log else 12)
            if t:
                parts.append(f"--- last lines of {path} ---\n{t}")
        return "\n".join(parts)

    # Where a test's sanitizer reports are looked for.
    def _sanitizer_logs(self):
        return (self.serve_out, self.error_log)

    def _log_sizes(self):
        return {p: (p.stat().st_size if p.exists() else 0)
                for p in self._sanitizer_logs()}

    def _log_since(self, sizes):
        text = []
        for p, size in sizes.items():
            try:
                with open(p, "rb") as f:
                    f.seek(size)
                    text.append(f.read().decode(errors="replace"))
            except OSError:
                pass
        return "".join(text)


def _unescape(v):
    # mariadb --batch escapes \, tab, newline and NUL in values.
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "0": "\0",
                                        "\\": "\\"}.get(m.group(1),
                                                        m.group(0)), v)


def sanitizer_report(text):
    """The lines around the first sanitizer report in text, or ''."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if any(m in line for m in SANITIZER_MARKERS):
            return "\n".join(lines[max(0, i - 2):i + 40])
    return ""


@pytest.fixture(scope="session")
def stack(request):
    binary = resolve_bin()
    if not os.access(binary, os.X_OK):
        pytest.fail(f"no dinghuo binary at {binary}: build it first "
                    "(scripts/test does), or set DINGHUO_BIN", pytrace=False)
    tmp = make_tmpdir()
    st = Stack(tmp, binary)
    for d in (st.var, st.run_dir, st.log_dir, st.uploads_dir,
              st.private_dir):
        d.mkdir(parents=True, exist_ok=True)
    # Tests edit templates (SIGHUP reload): never the repo's own copy.
    shutil.copytree(ROOT / "templates", st.templates_dir)
    started = False
    try:
        try:
            st.mysql_start()
            st.write_conf()
            st.run("migrate")
            for slug, name in SHOPS.items():
                st.run("demo", "--slug", slug, "--name", name)
            st.nginx_start()
            st.start_serve()
        except (AssertionError, RuntimeError, OSError,
                subprocess.SubprocessError) as exc:
            why = f"stack did not start: {exc}"
        else:
            why = None
        if why:
            pytest.fail(why, pytrace=False)
        started = True
        yield st
    finally:
        failed = not started or request.session.testsfailed > 0
        errors = []
        for step in (st.stop_serve, st.nginx_stop, st.mysql_stop):
            try:
                step()
            except Exception as exc:        # keep tearing down
                errors.append(f"{step.__name__}: {exc}")
        # Printed by pytest_terminal_summary: output from here would be
        # captured and shown only if the last test failed.
        keep = os.environ.get("DINGHUO_KEEP_TMP")
        if failed or errors:
            # Keep the logs, not the 30+ MB of database files, unless asked.
            if not keep:
                shutil.rmtree(st.var / "mysql", ignore_errors=True)
            _SUMMARY.append(f"stack logs (temp dir kept: {tmp})\n"
                            f"{st.logs_tail()}")
            _SUMMARY.extend(f"teardown: {e}" for e in errors)
        elif not keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            _SUMMARY.append(f"stack temp dir kept: {tmp}")


_SUMMARY = []


def pytest_terminal_summary(terminalreporter):
    if _SUMMARY:
        terminalreporter.section("dinghuo stack")
        for text in _SUMMARY:
            terminalreporter.write_line(text)


@pytest.fixture(autouse=True)
def _no_sanitizer_reports(request):
    """Fail the test during which the server printed an ASan/UBSan report:
    the master respawns an aborted worker, so the HTTP side may look fine."""
    if "stack" not in request.fixturenames:
        yield
        return
    st = request.getfixturevalue("stack")
    sizes = st._log_sizes()
    yield
    report = sanitizer_report(st._log_since(sizes))
    if report:
        pytest.fail(f"sanitizer report from the server during this test:\n"
                    f"{report}", pytrace=False)


class WechatFake:
    """tests/fake/wechat.py on 127.0.0.1 (its control API: the file's
    docstring). base is what wechat_api_base points at."""

    def __init__(self, proc, port):
        self.proc = proc
        self.base = f"http://127.0.0.1:{port}"

    def control(self, what, body=None):
        s = _Session()
        r = s.post(f"{self.base}/_fake/{what}", json=body or {})
        assert r.status_code == 200, f"fake {what}: {r.status_code} {r.text}"
        return r.json()

    def requests(self):
        return _Session().get(f"{self.base}/_fake/requests").json()


@pytest.fixture(scope="session")
def wechat_fake():
    """The fake WeChat server, one per session; tests reset what they use."""
    p = subprocess.Popen(["/usr/bin/python3",
                          str(ROOT / "tests" / "fake" / "wechat.py")],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()          # blocks until listening (or exit)
    assert line.startswith("PORT "), f"fake wechat did not start: {line!r}"
    yield WechatFake(p, int(line.split()[1]))
    p.terminate()
    p.wait(timeout=10)
