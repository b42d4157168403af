"""The request path's files form a DAG, read off the built objects.

nm on the libdinghuo.a beside the binary under test: which object defines
each symbol and which objects use it. No file of src/http/ may use a symbol
of src/runtime/; the template engine (src/http/tpl.c, tpl_render.c) uses
only src/base/;
and no two files of src/http/ depend on each other in a circle.
"""

import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import resolve_bin

ROOT = Path(__file__).resolve().parents[2]


def parts():
    """Object name -> part, from the source tree."""
    where = {}
    for c in (ROOT / "src").glob("*/*.c"):
        obj = c.stem + ".o"
        assert obj not in where, f"two sources make {obj}"
        where[obj] = c.parent.name
    return where


@pytest.fixture(scope="module")
def graph():
    lib = resolve_bin().parent / "libdinghuo.a"
    if not lib.exists():
        pytest.fail(f"no {lib}: build it first")
    out = subprocess.run(["nm", "-A", str(lib)], capture_output=True,
                         text=True, check=True).stdout
    defined, used = {}, defaultdict(set)
    for line in out.splitlines():
        head, _, rest = line.rpartition(":")
        obj = head.rsplit(":", 1)[-1]
        f = rest.split()
        if len(f) == 2 and f[0] == "U":
            used[obj].add(f[1])
        elif len(f) == 3 and f[1] in "TDBRCG":
            defined[f[2]] = obj
    deps = defaultdict(dict)        # obj -> {obj it uses: [symbols]}
    for obj, syms in used.items():
        for s in syms:
            if s in defined and defined[s] != obj:
                deps[obj].setdefault(defined[s], []).append(s)
    return deps


def test_http_uses_nothing_of_runtime(graph):
    part = parts()
    bad = {o: {t: s for t, s in d.items() if part.get(t) == "runtime"}
           for o, d in graph.items() if part.get(o) == "http"}
    assert not {o: d for o, d in bad.items() if d}


def test_tpl_uses_only_base(graph):
    part = parts()
    for obj in ("tpl.o", "tpl_render.o"):
        assert obj in part and obj in graph
        assert {t: s for t, s in graph[obj].items()
                if part.get(t) != "base"} == {}, obj


def test_http_files_form_a_dag(graph):
    part = parts()
    http = {o for o in part if part[o] == "http"}
    edges = {o: {t for t in graph.get(o, {}) if t in http} for o in http}
    state = {}

    def cycle_from(o, path):
        state[o] = "open"
        for t in sorted(edges[o]):
            if state.get(t) == "open":
                return path + [o, t]
            if t not in state:
                found = cycle_from(t, path + [o])
                if found:
                    return found
        state[o] = "done"
        return None

    for o in sorted(http):
        if o not in state:
            found = cycle_from(o, [])
            assert found is None, " -> ".join(found)
