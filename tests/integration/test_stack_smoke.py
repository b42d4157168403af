"""Smoke test of the stack itself: the app answers through nginx, and nginx
serves /static/ without the app."""

from pathlib import Path


def test_healthz_and_static(stack):
    s = stack.session()

    r = s.get(stack.url("/healthz"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] is True
    assert body["data"]["db"] == "ok"

    # A missing theme asset is nginx's own 404; the app never sees it.
    r = s.get(stack.url("/static/default/no-such-file.css"))
    assert r.status_code == 404
    assert "nginx" in r.text
    assert "no-such-file.css" not in stack.access_log_text()

    # An asset that exists comes from the temp copy of the templates.
    static = stack.templates_dir / "themes" / "default" / "static"
    files = sorted(p for p in static.rglob("*") if p.is_file()) \
        if static.is_dir() else []
    if files:
        rel = files[0].relative_to(static).as_posix()
        r = s.get(stack.url(f"/static/default/{rel}"))
        assert r.status_code == 200
        assert r.content == Path(files[0]).read_bytes()
    # Never the .mustache sources next to static/.
    r = s.get(stack.url("/static/default/../pages/home.mustache"))
    assert r.status_code == 404
