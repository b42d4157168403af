"""db.c's transaction contract against the stack's MariaDB.

tests/db/test_db (built by `make check`) needs a real server: retries after
deadlocks (real and injected), lock wait timeouts and Galera certification
failures, a connection killed by a second client inside a transaction,
nested transactions, a db_each callback running statements while the
statement cache holds one or two, and idempotency_expire. This runs it and
checks its log lines.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_db_program(stack):
    """The program exists beside the binary under test, else in build/."""
    builds = [stack.bin.parent, ROOT / "build"]
    for b in builds:
        prog = b / "tests" / "db" / "test_db"
        if not prog.exists() and (b / "Makefile").exists():
            subprocess.run(["make", "-C", str(b), "tests/db/test_db"],
                           stdout=subprocess.DEVNULL, check=False)
        if prog.exists():
            break
    else:
        pytest.fail("no tests/db/test_db in build/: run make check")
    env = dict(os.environ,
               DINGHUO_TEST_DB_SOCKET=str(stack.mysql_sock),
               DINGHUO_TEST_DB_USER="dinghuo",
               DINGHUO_TEST_DB_PASSWORD="dinghuo",
               DINGHUO_TEST_DB_NAME="dinghuo")
    r = subprocess.run([str(prog)], env=env, capture_output=True, text=True,
                       errors="replace", timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "[  PASSED  ] 12 test(s)." in out, out
    # One log line per retry, with its attempt and error.
    assert "db_tx_retry attempt=1 of=4 errno=1213" in out, out
    assert "db_tx_retry attempt=3 of=4 errno=1213" in out, out
    assert "db_tx_retry attempt=1 of=4 errno=1205" in out, out
    assert "db_tx_retry attempt=1 of=4 errno=1180" in out, out
    assert "db_tx_failed attempts=4 errno=1213" in out, out
    assert "db_tx_nested refused=1" in out, out
    assert "db_tx_commit_lost" in out, out
