"""What dinghuo-image inherits from the worker that runs it: nothing but
stdin, stdout and stderr, a minimal environment and a clean signal state.

image_helper points at a shell script that writes down its own state, then
execs the real helper, so the upload goes through as usual."""

import os
import re

import pytest

from helpers import get_csrf
from test_admin_catalog import png

A = "(SELECT id FROM shop WHERE slug = 'shop-a')"
# In a sanitizer build the helper gets the sanitizer's options too.
SANITIZER_VARS = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")

# Only builtins read the signal state: dash resets the mask of the
# programs it runs. ls lists its own descriptors: what dash was given, but
# stdout (redirected to the report) and the directory ls reads; dash's own
# (this script, the saved stdout) are close-on-exec.
PROBE = """#!/bin/sh
r="{report}.tmp"
echo "== signals" > "$r"
while read -r k v; do
	case $k in SigBlk:|SigIgn:) echo "$k $v" ;; esac
done < /proc/$$/status >> "$r"
echo "== fds" >> "$r"
ls -l /proc/self/fd >> "$r"
echo "== env" >> "$r"
tr '\\0' '\\n' < /proc/$$/environ >> "$r"
mv "$r" "{report}"
exec "{real}" "$@"
"""


def section(text, name):
    m = re.search(rf"^== {name}\n(.*?)(?=^== |\Z)", text, re.M | re.S)
    assert m, f"no section {name} in:\n{text}"
    return m.group(1).splitlines()


def parse(text):
    """{fd: target}, {name: value}, {SigBlk: mask, SigIgn: mask}."""
    fds = {}
    for line in section(text, "fds"):
        m = re.search(r" (\d+) -> (.*)$", line)
        if m and not re.fullmatch(r"/proc/\d+/fd", m.group(2)):
            fds[int(m.group(1))] = m.group(2)
    env = dict(v.split("=", 1) for v in section(text, "env") if "=" in v)
    sig = {k: int(v, 16) for k, v in (
        line.split(": ") for line in section(text, "signals"))}
    return fds, env, sig


@pytest.fixture
def probe(stack):
    report = stack.dir / "helper-state.txt"
    script = stack.dir / "probe-image-helper"
    script.write_text(PROBE.format(report=report,
                                   real=stack.bin.parent / "dinghuo-image"))
    script.chmod(0o755)
    report.unlink(missing_ok=True)
    pid = stack.sql(f"""
INSERT INTO product (shop_id, code, name, description)
  VALUES ({A}, 'IH-PROBE', '图片助手探针', '');
SELECT LAST_INSERT_ID();""")[0][0]
    stack.reconfigure(image_helper=script)
    try:
        yield pid, report
    finally:
        stack.reconfigure()
        for path, thumb in stack.sql(
                f"SELECT path, thumb_path FROM product_image "
                f"WHERE product_id = {pid}"):
            for rel in (path, thumb):
                (stack.uploads_dir / rel).unlink(missing_ok=True)
        stack.sql(f"DELETE FROM product WHERE id = {pid}")


def test_helper_inherits_no_descriptor_environment_or_signal_state(
        stack, probe):
    pid, report = probe
    owner = stack.login(stack.owner_phone, stack.password, "shop-a",
                        staff=True)
    path = f"/s/shop-a/admin/products/{pid}"
    r = owner.post(stack.url(f"{path}/images"),
                   data={"csrf": get_csrf(stack, owner, path)},
                   files={"image": ("a.png", png(60, 40), "image/png")},
                   allow_redirects=False)
    assert r.status_code == 303, r.text[:1000]
    # The real helper ran after the probe: the image is stored.
    assert stack.sql(f"SELECT width, height FROM product_image "
                     f"WHERE product_id = {pid}") == [("60", "40")]
    fds, env, sig = parse(report.read_text())

    # Not the database socket, not the FastCGI connection, not a log.
    assert sorted(fds) == [0, 1, 2], fds
    assert fds[0] == "/dev/null"
    want = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
    want.update({k: os.environ[k] for k in SANITIZER_VARS
                 if k in os.environ})
    assert env == want
    assert sig == {"SigBlk": 0, "SigIgn": 0}, {k: hex(v)
                                               for k, v in sig.items()}
