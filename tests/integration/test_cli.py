"""Operator commands: check-config, migrate, shop create, demo."""

import shutil
import subprocess


def test_check_config_ok_and_every_problem_listed(stack, tmp_path):
    r = stack.run("check-config")
    assert r.returncode == 0 and ": ok" in r.stdout
    bad = tmp_path / "bad.conf"
    bad.write_text(stack.conf.read_text() +
                   "workers = 0\nmystery = 1\nrequest_timeout = soon\n")
    r = subprocess.run([str(stack.bin), "-c", str(bad), "check-config"],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "workers = 0 is out of range" in r.stderr
    assert "unknown key 'mystery'" in r.stderr
    assert "request_timeout = soon is not a valid duration" in r.stderr
    assert "3 problems" in r.stderr


def test_check_config_reports_an_unreachable_database(stack):
    r = stack.run("check-config", check=False,
                  env={"DINGHUO_DB_SOCKET": "/nonexistent/mysql.sock"})
    assert r.returncode == 1
    assert "database dinghuo@/nonexistent/mysql.sock" in r.stderr


def test_migrate_is_idempotent_and_refuses_changed_files(stack, tmp_path):
    n = len(list(stack.sql_dir.glob("[0-9][0-9][0-9]_*.sql")))
    r = stack.run("migrate")
    assert f"0 applied, {n} already there" in r.stderr
    sql = tmp_path / "sql"
    shutil.copytree(stack.sql_dir, sql)
    init = sql / "001_init.sql"
    init.write_text(init.read_text() + "\n-- edited after release\n")
    r = stack.run("migrate", check=False, env={"DINGHUO_SQL_DIR": str(sql)})
    assert r.returncode == 1
    assert "001_init.sql was changed after it was applied" in r.stderr
    # A new numbered file is applied and recorded.
    init.write_text((stack.sql_dir / "001_init.sql").read_text())
    (sql / "999_probe.sql").write_text(
        "CREATE TABLE probe (id INT PRIMARY KEY);\n"
        "INSERT INTO probe VALUES (1);\n")
    r = stack.run("migrate", env={"DINGHUO_SQL_DIR": str(sql)})
    assert f"1 applied, {n} already there" in r.stderr
    assert stack.sql("SELECT id FROM probe") == [("1",)]
    assert stack.sql("SELECT name FROM schema_migration WHERE version = 999"
                     ) == [("999_probe.sql",)]
    stack.sql("DROP TABLE probe; DELETE FROM schema_migration "
              "WHERE version = 999")


def test_shop_create_validates_and_refuses_duplicates(stack):
    r = stack.run("shop", "create", "--slug", "Bad Slug", "--name", "x",
                  "--admin-phone", "13700000000", "--admin-password",
                  "longenough", check=False)
    assert r.returncode == 2 and "slug 'Bad Slug'" in r.stderr
    r = stack.run("shop", "create", "--slug", "shop-c", "--name", "丙商行",
                  "--admin-phone", "13700000000", "--admin-password",
                  "short", check=False)
    assert r.returncode == 2 and "at least 8 characters" in r.stderr
    r = stack.run("shop", "create", "--slug", "shop-c", "--name", "丙商行",
                  "--admin-phone", "13700000000", "--admin-password",
                  "longenough")
    assert "shop shop-c created" in r.stdout
    r = stack.run("shop", "create", "--slug", "shop-c", "--name", "又一个",
                  "--admin-phone", "13700000001", "--admin-password",
                  "longenough", check=False)
    assert r.returncode == 1 and "already exists" in r.stderr
    assert stack.sql("SELECT COUNT(*) FROM shop WHERE slug = 'shop-c'") == \
        [("1",)]
    s = stack.login("13700000000", "longenough", "shop-c", staff=True)
    assert "你好，店主" in s.get(stack.url("/s/shop-c/admin")).text
    # The new shop's owner is nobody in shop-a.
    r = stack.session().post(stack.url("/s/shop-a/api/v1/login"), json={
        "phone": "13700000000", "password": "longenough", "kind": "staff"})
    assert r.status_code == 400


def test_demo_is_idempotent(stack):
    r = stack.run("demo", "--slug", "shop-a")
    assert "already there" in r.stdout
    assert stack.sql("SELECT COUNT(*) FROM staff s JOIN shop p ON "
                     "p.id = s.shop_id WHERE p.slug = 'shop-a'") == [("2",)]
