"""/favicon.ico, which every browser asks every host for, is nginx's empty
answer: no app request, no themed 404 page logged as a console error on
every first visit (Lighthouse's errors-in-console)."""


def test_favicon_is_an_empty_answer_from_nginx(stack):
    r = stack.session().get(stack.url("/favicon.ico"))
    assert r.status_code == 204
    assert r.content == b""
    assert "max-age=86400" in r.headers.get("Cache-Control", "")
    assert "Set-Cookie" not in r.headers
    assert "/favicon.ico" not in stack.access_log_text()
